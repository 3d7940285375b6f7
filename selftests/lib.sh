#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers shared by the mlo selftests: KTAP output, checks that report
# what they expected and what they saw, and the module's life cycle.
# Debian's 6.1 tree has neither ktap_helpers.sh nor net/lib.sh, so the
# suite carries its own.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

MLO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# slow_or FAST SLOW: FAST, or SLOW when KSFT_MACHINE_SLOW=yes, the
# kselftest variable for machines such as a KASAN + lockdep kernel under
# emulation, where the full instance counts and durations do not fit the
# time limits. The checks stay the same; only the sizes shrink.
slow_or()
{
	if [ "${KSFT_MACHINE_SLOW:-}" = yes ]; then
		echo "$2"
	else
		echo "$1"
	fi
}

mlo_test_num=0
mlo_pass=0
mlo_fail=0
mlo_skip=0
mlo_check_failed=0
mlo_netns_list=()

ktap_header()
{
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_result STATUS NAME [REASON]
ktap_result()
{
	mlo_test_num=$((mlo_test_num + 1))
	case $1 in
	pass)
		mlo_pass=$((mlo_pass + 1))
		echo "ok $mlo_test_num $2"
		;;
	skip)
		mlo_skip=$((mlo_skip + 1))
		echo "ok $mlo_test_num $2 # SKIP ${3:-}"
		;;
	*)
		mlo_fail=$((mlo_fail + 1))
		echo "not ok $mlo_test_num $2"
		;;
	esac
}

ktap_finish()
{
	echo "# Totals: pass:$mlo_pass fail:$mlo_fail xfail:0 xpass:0 skip:$mlo_skip error:0"
	if [ "$mlo_fail" -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ "$mlo_pass" -eq 0 ] && [ "$mlo_skip" -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# The whole file is skipped when something it needs is missing.
ksft_skip_all()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

require_root()
{
	[ "$(id -u)" -eq 0 ] || ksft_skip_all "must run as root"
}

require_cmd()
{
	local cmd

	for cmd in "$@"; do
		command -v "$cmd" > /dev/null || ksft_skip_all "$cmd not found"
	done
	# busybox's ip applet is not iproute2
	ip -V 2>&1 | grep -q iproute2 || ksft_skip_all "ip is not iproute2"
}

log()
{
	echo "# $*"
}

fail()
{
	log "FAIL: $*"
	mlo_check_failed=1
}

# check_eq WHAT EXPECTED ACTUAL
check_eq()
{
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# check_match WHAT REGEX ACTUAL
check_match()
{
	echo "$3" | grep -qE -- "$2" || fail "$1: '$3' does not match '$2'"
}

# check_ok WHAT CMD...: CMD must succeed.
check_ok()
{
	local what=$1 out

	shift
	out=$("$@" 2>&1) || fail "$what: '$*' failed: $out"
}

# check_as_lo WHAT DEV CMD...: CMD, in which the word DEV stands for the
# device, ends for DEV exactly as it ends for lo: the same exit status
# and the same words. What the kernel says to a move of a netns-local
# device differs between kernels; lo is the reference on each of them.
# The exit status is left in AS_LO_RC.
check_as_lo()
{
	local what=$1 dev=$2 arg want got
	local -a lo_cmd=() dev_cmd=()

	shift 2
	for arg; do
		if [ "$arg" = DEV ]; then
			lo_cmd+=(lo)
			dev_cmd+=("$dev")
		else
			lo_cmd+=("$arg")
			dev_cmd+=("$arg")
		fi
	done
	want=$("${lo_cmd[@]}" 2>&1)
	AS_LO_RC=$?
	got=$("${dev_cmd[@]}" 2>&1)
	check_eq "$what: exit status as lo's" "$AS_LO_RC" "$?"
	check_eq "$what: words as lo's" "$want" "$got"
}

# check_err WHAT TEXT CMD...: CMD must fail and say TEXT.
check_err()
{
	local what=$1 text=$2 out

	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: '$*' succeeded"
	elif ! echo "$out" | grep -qF -- "$text"; then
		fail "$what: '$*' said '$out', expected '$text'"
	fi
}

# run_test NAME FUNCTION: one KTAP test case; it fails when the function
# returns non-zero or any check inside it failed, and skips on exit 4.
run_test()
{
	local name=$1 rc

	shift
	mlo_check_failed=0
	"$@"
	rc=$?
	mlo_netns_cleanup
	if [ $rc -eq $KSFT_SKIP ]; then
		ktap_result skip "$name" "$mlo_skip_reason"
	elif [ $rc -ne 0 ] || [ $mlo_check_failed -ne 0 ]; then
		ktap_result fail "$name"
	else
		ktap_result pass "$name"
	fi
}

mlo_skip_reason=""
skip_test()
{
	mlo_skip_reason=$*
	return $KSFT_SKIP
}

# mlo_load [PARAM=VALUE...]: load a fresh mlo, from $MLO_KO when set,
# else with modprobe. Any earlier instance is unloaded first.
mlo_load()
{
	mlo_unload
	if [ -n "${MLO_KO:-}" ]; then
		insmod "$MLO_KO" "$@"
	else
		modprobe mlo "$@"
	fi
}

mlo_unload()
{
	if [ -d /sys/module/mlo ]; then
		rmmod mlo
	fi
}

mlo_require_module()
{
	if [ -n "${MLO_KO:-}" ]; then
		[ -f "$MLO_KO" ] || ksft_skip_all "MLO_KO=$MLO_KO not found"
	else
		modinfo mlo > /dev/null 2>&1 || ksft_skip_all "mlo module not installed"
	fi
}

# netns_new NAME: create a netns with lo up; removed by mlo_cleanup.
netns_new()
{
	ip netns add "$1" || return 1
	mlo_netns_list+=("$1")
	ip -n "$1" link set lo up
}

mlo_netns_cleanup()
{
	local ns

	for ns in "${mlo_netns_list[@]}"; do
		ip netns del "$ns" 2> /dev/null
	done
	mlo_netns_list=()
}

mlo_cleanup()
{
	mlo_netns_cleanup
	mlo_unload 2> /dev/null
}

# link_stat [-n NS] DEV COUNTER: one counter from sysfs statistics.
link_stat()
{
	if [ "$1" = "-n" ]; then
		ip netns exec "$2" cat "/sys/class/net/$3/statistics/$4"
	else
		cat "/sys/class/net/$1/statistics/$2"
	fi
}

# link_flags DEV: the flags ip prints between < and >.
link_flags()
{
	ip link show dev "$1" | sed -n '1s/.*<\(.*\)>.*/\1/p'
}

# mlo_count: how many mlo devices there are in the current netns.
mlo_count()
{
	ip -d -o link show type mlo | wc -l
}

# lo_intact [NS]: lo still owns its addresses, routes and answers, and
# the netns's IPv6 null/prohibit/blackhole entries still work.
lo_intact()
{
	local ns=${1:-} nsx="" ipn=""

	if [ -n "$ns" ]; then
		nsx="ip netns exec $ns"
		ipn="-n $ns"
	fi

	check_eq "lo flags" "LOOPBACK,UP,LOWER_UP" \
		"$($nsx ip link show dev lo | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	check_eq "lo ifindex" 1 "$($nsx cat /sys/class/net/lo/ifindex)"
	check_eq "lo IPv4 addresses" "127.0.0.1/8" \
		"$(ip $ipn -4 -o addr show dev lo | awk '{print $4}' | xargs)"
	check_eq "lo IPv6 addresses" "::1/128" \
		"$(ip $ipn -6 -o addr show dev lo | awk '{print $4}' | xargs)"
	check_eq "local 127.0.0.0/8" "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1" \
		"$(ip $ipn route show table local 127.0.0.0/8 | xargs)"
	check_eq "local 127.0.0.1" "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1" \
		"$(ip $ipn route show table local 127.0.0.1/32 | xargs)"
	check_eq "local ::1" "local ::1 dev lo proto kernel metric 0 pref medium" \
		"$(ip $ipn -6 route show table local ::1/128 | xargs)"
	check_ok "ping 127.0.0.1" $nsx ping -q -c 1 -W 2 127.0.0.1
	check_ok "ping ::1" $nsx ping -q -6 -c 1 -W 2 ::1
	check_eq "route get 127.0.0.2" "local 127.0.0.2 dev lo" \
		"$(ip $ipn route get 127.0.0.2 | head -n 1 | awk '{print $1, $2, $3, $4}')"

	# These routes are served by the netns's ip6_null_entry and friends.
	check_ok "add unreachable" ip $ipn -6 route add unreachable 2001:db8:dead::/64
	check_ok "add prohibit" ip $ipn -6 route add prohibit 2001:db8:beef::/64
	check_ok "add blackhole" ip $ipn -6 route add blackhole 2001:db8:f00d::/64
	check_err "ping unreachable" "No route to host" \
		$nsx ping -6 -c 1 -W 1 2001:db8:dead::1
	check_err "ping prohibit" "Permission denied" \
		$nsx ping -6 -c 1 -W 1 2001:db8:beef::1
	check_err "ping blackhole" "Invalid argument" \
		$nsx ping -6 -c 1 -W 1 2001:db8:f00d::1
	check_eq "unreachable route" "unreachable 2001:db8:dead::/64 dev lo metric 1024 pref medium" \
		"$(ip $ipn -6 route show 2001:db8:dead::/64 | xargs)"
	ip $ipn -6 route del unreachable 2001:db8:dead::/64
	ip $ipn -6 route del prohibit 2001:db8:beef::/64
	ip $ipn -6 route del blackhole 2001:db8:f00d::/64
	return 0
}

# ---- bounded waits, background helpers, netns and module life cycle ----

# wait_for SECONDS CMD...: run CMD every 0.2 s until it succeeds; false
# when it still fails after SECONDS.
wait_for()
{
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# bounded SECONDS CMD...: run CMD and print its output; its status, or
# 124 when it has not finished after SECONDS. Unlike timeout(1) this
# also returns when CMD is stuck where no signal reaches it (rmmod or
# ip link del waiting for a leaked reference): CMD is then left behind,
# holding none of the caller's file descriptors.
bounded()
{
	local limit=$1 out pid rc end

	shift
	out=$(mktemp)
	"$@" > "$out" 2>&1 < /dev/null &
	pid=$!
	end=$((SECONDS + limit))
	while kill -0 "$pid" 2> /dev/null; do
		if [ $SECONDS -ge $end ]; then
			kill "$pid" 2> /dev/null
			cat "$out"
			echo "(still running after ${limit}s)"
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
	rc=$?
	cat "$out"
	rm -f "$out"
	return $rc
}

# bg_start OUT CMD...: run CMD in the background with its output in the
# file OUT; bg_stop_all ends it if it is still running.
mlo_bg_pids=()
bg_start()
{
	local out=$1

	shift
	"$@" > "$out" 2>&1 < /dev/null &
	mlo_bg_pids+=($!)
	bg_last=$!
}

# bg_stop PID...: SIGTERM, then SIGKILL after 10 s; false if any is
# still there after 15 s (stuck in the kernel).
bg_stop()
{
	local pid end=$((SECONDS + 15)) left

	kill "$@" 2> /dev/null
	while :; do
		left=0
		for pid in "$@"; do
			kill -0 "$pid" 2> /dev/null && left=1
		done
		[ $left -eq 1 ] || break
		[ $SECONDS -lt $((end - 5)) ] || kill -9 "$@" 2> /dev/null
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
	for pid in "$@"; do
		wait "$pid" 2> /dev/null
	done
	return 0
}

bg_stop_all()
{
	[ ${#mlo_bg_pids[@]} -eq 0 ] || bg_stop "${mlo_bg_pids[@]}"
	mlo_bg_pids=()
}

# netns_at_most N: at most N network namespaces besides init_net exist,
# counting those still being torn down after ip netns del. The kernel
# charges each to its creator's user namespace (max_net_namespaces) from
# creation to the very end of cleanup_net(), after every device in it has
# been unregistered and freed; so with the limit at N + 1 a new one can
# be made only if at most N exist. The probe's own netns lingers briefly.
netns_at_most()
{
	local max=/proc/sys/user/max_net_namespaces old rc

	old=$(cat $max)
	echo $(($1 + 1)) > $max
	unshare -n true 2> /dev/null
	rc=$?
	echo "$old" > $max
	return $rc
}

# link_names [NS]: every device name in NS (default: this netns), in
# ifindex order.
link_names()
{
	ip ${1:+-n "$1"} -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | xargs
}

# mlo_names [NS]: the mlo devices in NS by link kind, in ifindex order;
# unlike "ip link show type mlo" also right when mlo is not loaded.
mlo_names()
{
	local out

	out=$(ip ${1:+-n "$1"} -d -o link show) || { echo "(ip failed)"; return 1; }
	echo "$out" | awk -F': ' 'index($0, "\\    mlo ") {sub(/@.*/, "", $2); print $2}' | xargs
}

# mlo_unload_bounded [SECONDS]: rmmod mlo if loaded, giving up after
# SECONDS (default 120) rather than hanging on a leaked reference.
mlo_unload_bounded()
{
	[ -d /sys/module/mlo ] || return 0
	bounded "${1:-120}" rmmod mlo
}

# mlo_reset: what mlo_cleanup does, without ever blocking: background
# jobs stopped, netns deleted, module unloaded.
mlo_reset()
{
	local ns

	bg_stop_all
	for ns in "${mlo_netns_list[@]}"; do
		ip netns del "$ns" 2> /dev/null
	done
	mlo_netns_list=()
	mlo_unload_bounded > /dev/null
}

# mlo_dev_setup NS DEV N: bring DEV (in netns NS; "" for this one) up
# with 192.0.2.N/32 and 2001:db8:N::1/128 and route 198.18.N.0/24 and
# 2001:db8:ff:N::/64 through it; traffic to 198.18.N.9 or
# 2001:db8:ff:N::9 then leaves through DEV and comes back on it.
mlo_dev_setup()
{
	local ipn=${1:+-n $1} dev=$2 n=$3

	ip $ipn link set "$dev" up &&
	ip $ipn addr add "192.0.2.$n/32" dev "$dev" &&
	ip $ipn -6 addr add "2001:db8:$n::1/128" dev "$dev" nodad &&
	ip $ipn route add "198.18.$n.0/24" dev "$dev" &&
	ip $ipn -6 route add "2001:db8:ff:$n::/64" dev "$dev"
}

# mlo_dev_summary NS DEV: one line with DEV's ifindex, flags, addresses
# and routes, to compare before and after an operation.
mlo_dev_summary()
{
	local ipn=${1:+-n $1} dev=$2

	echo "$(ip $ipn -o link show dev "$dev" | awk '{print $1, $2, $3}')" \
	     "$(ip $ipn -o addr show dev "$dev" | awk '{print $4}' | xargs)" \
	     "$(ip $ipn route show dev "$dev" | xargs)" \
	     "$(ip $ipn -6 route show dev "$dev" | xargs)"
}

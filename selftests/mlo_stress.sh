#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stress, bounded in time: for DURATION seconds, loops create and delete
# their own instances (in init_net, two at a time in a netns, with
# automatic names, and whole namespaces holding instances) while others
# dump links and statistics and traffic runs through a long-lived
# instance and over lo. Afterwards nothing may be left behind: no
# instance, no netns, no reference (the module unloads in time and the
# kernel log stays clean), and the counters add up.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
P=mlo-stress-$$
S=$P-s
DURATION=${MLO_STRESS_SECONDS:-$(slow_or 20 10)}
PINGS=$((DURATION * 3))

cleanup()
{
	touch "$TMP/stop"
	mlo_reset
	mlo_cleanup
	ip netns list | awk -v p="$P-c" 'index($1, p) == 1 {print $1}' |
		xargs -r -n 1 ip netns del 2> /dev/null
	rm -rf "$TMP"
}

# stress_loop NAME BODY...: run "BODY... N" for N = 1, 2, ... until
# $TMP/stop appears (or DURATION + 60 s pass), then write
# "iterations=N failures=M" to $TMP/NAME.result. What a failing
# iteration printed is in $TMP/NAME.log.
stress_loop()
{
	local name=$1 n=0 bad=0 end=$((SECONDS + DURATION + 60)) out

	shift
	while [ ! -e "$TMP/stop" ] && [ $SECONDS -lt $end ]; do
		n=$((n + 1))
		if ! out=$("$@" $n 2>&1); then
			bad=$((bad + 1))
			echo "iteration $n: $out" >> "$TMP/$name.log"
		fi
	done
	echo "iterations=$n failures=$bad" > "$TMP/$name.result"
}

# One instance in init_net: up, addresses, a route, deleted.
churn_init()
{
	ip link add st-a type mlo &&
	ip link set st-a up &&
	ip addr add 10.99.0.1/32 dev st-a &&
	ip -6 addr add 2001:db8:99::1/128 dev st-a nodad &&
	ip route add 198.19.0.0/24 dev st-a &&
	ip link del st-a && return 0
	ip link del st-a 2> /dev/null
	return 1
}

# Two IPv6-addressed instances in a netns; the first goes first.
churn_netns()
{
	ip -n "$S" link add st-b1 type mlo &&
	ip -n "$S" link add st-b2 type mlo &&
	ip -n "$S" link set st-b1 up &&
	ip -n "$S" link set st-b2 up &&
	ip -n "$S" -6 addr add 2001:db8:b1::1/128 dev st-b1 nodad &&
	ip -n "$S" -6 addr add 2001:db8:b2::1/128 dev st-b2 nodad &&
	ip -n "$S" link del st-b1 &&
	ip -n "$S" link del st-b2 && return 0
	ip -n "$S" link del st-b1 2> /dev/null
	ip -n "$S" link del st-b2 2> /dev/null
	return 1
}

# An automatically numbered instance: the kernel picks st-d0 each time.
churn_auto()
{
	ip link add name 'st-d%d' type mlo &&
	ip link set st-d0 up &&
	ip link del st-d0 && return 0
	ip link del st-d0 2> /dev/null
	return 1
}

# A whole netns with two addressed instances in it, deleted with them.
churn_ns()
{
	local ns=$P-c$1

	ip netns add "$ns" &&
	ip -n "$ns" link set lo up &&
	ip link add c1 netns "$ns" type mlo &&
	ip -n "$ns" link add c2 type mlo &&
	ip -n "$ns" link set c1 up &&
	ip -n "$ns" link set c2 up &&
	ip -n "$ns" -6 addr add 2001:db8:c1::1/128 dev c1 nodad &&
	ip -n "$ns" addr add 10.98.0.1/32 dev c2 &&
	ip netns del "$ns" && return 0
	ip netns del "$ns" 2> /dev/null
	return 1
}

# all_gone PID...: none of the processes is running any more.
all_gone()
{
	local pid

	for pid in "$@"; do
		! kill -0 "$pid" 2> /dev/null || return 1
	done
}

# dump CMD...: CMD's output is thrown away; it may fail only by saying
# a dump was interrupted by a concurrent change, which is counted.
dump()
{
	local out

	out=$("$@" 2>&1 > /dev/null) && return 0
	if [ "$out" = "Dump was interrupted and may be inconsistent." ]; then
		echo x >> "$TMP/dumps.interrupted"
		return 0
	fi
	echo "$*: $out"
	return 1
}

dumps()
{
	dump ip -s -s link show &&
	dump ip -n "$S" -s link show &&
	dump ip -d link show type mlo &&
	dump ip -s -j link show dev keep &&
	dump ip addr show &&
	dump ip -6 route show &&
	dump cat /proc/net/dev
}

test_stress()
{
	local loop flood ping4 ping6 sent tx rx drop n

	mlo_reset
	mlo_load || return 1
	netns_new "$S" || return 1
	check_ok "add keep" ip link add keep type mlo
	check_ok "keep setup" mlo_dev_setup "" keep 1
	rm -f "$TMP/stop"

	bg_start "$TMP/flood" python3 "$UTIL" flood 198.18.1.9 9 --dev keep \
		--seconds $((DURATION + 60)) --rate 200
	flood=$bg_last
	bg_start "$TMP/ping4" ping -q -c $PINGS -i 0.25 -W 5 127.0.0.1
	ping4=$bg_last
	bg_start "$TMP/ping6" ping -q -6 -c $PINGS -i 0.25 -W 5 ::1
	ping6=$bg_last
	for loop in churn_init churn_netns churn_auto churn_ns dumps; do
		bg_start "$TMP/$loop.out" stress_loop $loop $loop
	done
	log "stressing for ${DURATION}s"
	sleep "$DURATION"
	touch "$TMP/stop"

	SECONDS=0
	for loop in churn_init churn_netns churn_auto churn_ns dumps; do
		if ! wait_for 60 test -e "$TMP/$loop.result"; then
			fail "$loop still running 60s after the stop"
			continue
		fi
		log "$loop: $(cat "$TMP/$loop.result")"
		check_match "$loop" "^iterations=[1-9][0-9]* failures=0$" \
			"$(cat "$TMP/$loop.result")"
		[ ! -s "$TMP/$loop.log" ] || log "$loop: $(head -n 5 "$TMP/$loop.log")"
	done
	log "loops stopped in ${SECONDS}s;" \
	    "$(cat "$TMP/dumps.interrupted" 2> /dev/null | wc -l) dumps interrupted"
	bg_stop "$flood" || fail "traffic did not stop"
	check_ok "lo pings done" wait_for 30 all_gone "$ping4" "$ping6"
	check_match "ping 127.0.0.1" "^$PINGS packets transmitted, $PINGS received, 0% packet loss" \
		"$(grep 'packets transmitted' "$TMP/ping4")"
	check_match "ping ::1" "^$PINGS packets transmitted, $PINGS received, 0% packet loss" \
		"$(grep 'packets transmitted' "$TMP/ping6")"

	# Every packet keep sent came back to it or was counted as dropped.
	sent=$(sed -n 's/^sent=\([0-9]*\) errors=0$/\1/p' "$TMP/flood")
	tx=$(link_stat keep tx_packets)
	rx=$(link_stat keep rx_packets)
	drop=$(link_stat keep rx_dropped)
	log "keep: sent $sent, tx $tx, rx $rx, rx_dropped $drop"
	check_match "traffic through keep" "^[1-9][0-9]*$" "$sent"
	check_eq "keep tx_packets" "$sent" "$tx"
	check_eq "keep tx = rx + rx_dropped" "$tx" "$((rx + drop))"
	check_eq "keep state" "LOOPBACK,UP,LOWER_UP" "$(link_flags keep)"

	# Nothing left behind.
	check_eq "instances in init_net" "keep" "$(mlo_names)"
	check_eq "instances in $S" "" "$(mlo_names "$S")"
	check_eq "links in $S" "lo" "$(link_names "$S")"
	n=$(ip netns list | awk -v p="$P-c" 'index($1, p) == 1' | wc -l)
	check_eq "churned namespaces left" 0 "$n"
	check_ok "churned namespaces torn down" wait_for 120 netns_at_most 1
	check_ok "del keep" ip link del keep
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
	lo_intact "$S"
	lo_intact
}

test_unload()
{
	local out

	out=$(mlo_unload_bounded 120) || fail "rmmod mlo: $out"
	check_eq "module gone" no "$([ -d /sys/module/mlo ] && echo yes || echo no)"
	check_ok "all namespaces torn down" wait_for 120 netns_at_most 0
	lo_intact
}

require_root
require_cmd ip ping python3 unshare
mlo_require_module
[ -w /proc/sys/user/max_net_namespaces ] ||
	ksft_skip_all "/proc/sys/user/max_net_namespaces not writable"
TMP=$(mktemp -d)
trap cleanup EXIT
mlo_unload_bounded > /dev/null
BASE_LINKS=$(link_names)

ktap_header 2
run_test "create, delete, dump and traffic at once for ${DURATION}s" test_stress
run_test "unload afterwards, lo intact" test_unload
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mlo devices and network namespaces: instances created inside a netns
# (from outside and from within), the same name in several, a netns
# deleted with addresses, routes, bound sockets and traffic on its
# instances, moves refused in every direction, and a netns holding the
# first of two IPv6-addressed instances torn down (the naive clone of
# loopback.c hangs there).
#
# Teardown after "ip netns del" is asynchronous; it is proven complete
# by the kernel's own count of network namespaces (netns_at_most), which
# drops only after every device in the netns has been freed.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
P=mlo-netns-$$
# how long a netns may take to go away once nothing holds it
TEARDOWN=60

cleanup()
{
	mlo_reset
	mlo_cleanup
	rm -rf "$TMP"
}

# Each test starts from nothing: no netns of ours, mlo freshly loaded,
# every netns of an earlier test gone.
fresh()
{
	mlo_reset
	check_ok "earlier netns torn down" wait_for $TEARDOWN netns_at_most 0
	mlo_load "$@"
}

# flood NS DEV DST OUT [ARGS]: UDP traffic (IPv4: an IPv6 route through
# a loopback device is a reject route, as through lo) from NS through DEV to DST, in
# the background for at most 200 s.
flood()
{
	local ns=$1 dev=$2 dst=$3 out=$4

	shift 4
	bg_start "$out" ip netns exec "$ns" python3 "$UTIL" flood "$dst" 9 \
		--dev "$dev" --seconds 200 --rate 100 "$@"
}

# hold NS DEV ADDR CONNECT OUT: a socket bound to DEV and ADDR in NS,
# connected to CONNECT through DEV unless that is "", open in the
# background for at most 200 s.
hold()
{
	bg_start "$5" ip netns exec "$1" python3 "$UTIL" hold "$2" "$3" 7000 \
		${4:+--connect "$4"} --seconds 200
}

# tx_above NS DEV N: DEV in NS has sent more than N packets.
tx_above()
{
	[ "$(link_stat -n "$1" "$2" tx_packets)" -gt "$3" ]
}

# pid_in_netns PID NS: process PID has entered netns NS.
pid_in_netns()
{
	[ "$(ip netns identify "$1")" = "$2" ]
}

# check_move_refused WHAT DEV CMD...: CMD (an "ip link set DEV netns
# ...") fails, and fails for DEV exactly as for lo.
check_move_refused()
{
	check_as_lo "$@"
	[ "$AS_LO_RC" -ne 0 ] || fail "$1: lo moved"
}

test_create()
{
	local dev

	fresh || return 1
	netns_new "$P-a" || return 1
	netns_new "$P-b" || return 1
	check_ok "add with netns" ip link add a1 netns "$P-a" type mlo
	check_ok "add with ip -n" ip -n "$P-a" link add a2 type mlo
	check_ok "add with netns" ip link add b1 netns "$P-b" type mlo
	check_ok "add from inside" ip netns exec "$P-b" ip link add b2 type mlo
	check_eq "init_net" "" "$(mlo_names)"
	check_eq "netns a" "a1 a2" "$(mlo_names "$P-a")"
	check_eq "netns b" "b1 b2" "$(mlo_names "$P-b")"
	for dev in a1 a2; do
		check_eq "$dev flags" "LOOPBACK" \
			"$(ip -n "$P-a" link show dev $dev | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	done
	check_ok "a1 setup" mlo_dev_setup "$P-a" a1 1
	check_ok "a2 setup" mlo_dev_setup "$P-a" a2 2
	check_ok "b1 setup" mlo_dev_setup "$P-b" b1 1
	check_eq "a1 traffic" "sent=5 errors=0" \
		"$(ip netns exec "$P-a" python3 "$UTIL" flood 198.18.1.9 9 --dev a1 --count 5)"
	check_eq "a2 traffic" "sent=7 errors=0" \
		"$(ip netns exec "$P-a" python3 "$UTIL" flood 198.18.2.9 9 --dev a2 --count 7)"
	check_eq "a1 tx" 5 "$(link_stat -n "$P-a" a1 tx_packets)"
	check_eq "a1 rx" 5 "$(link_stat -n "$P-a" a1 rx_packets)"
	check_eq "a2 tx" 7 "$(link_stat -n "$P-a" a2 tx_packets)"
	check_eq "a2 rx" 7 "$(link_stat -n "$P-a" a2 rx_packets)"
	check_eq "b1 tx" 0 "$(link_stat -n "$P-b" b1 tx_packets)"
}

test_same_name()
{
	netns_new "$P-a" || return 1
	netns_new "$P-b" || return 1
	# The name is looked up in the caller's netns: init_net's own dup
	# comes last, or "ip link add dup netns a" would say it exists.
	check_ok "dup in a" ip link add dup netns "$P-a" type mlo
	check_ok "dup in b" ip -n "$P-b" link add dup type mlo
	check_ok "dup in init_net" ip link add dup type mlo
	check_err "dup twice in b" "RTNETLINK answers: File exists" \
		ip -n "$P-b" link add dup type mlo
	check_ok "init_net dup setup" mlo_dev_setup "" dup 5
	check_ok "a dup setup" mlo_dev_setup "$P-a" dup 5
	check_ok "b dup setup" mlo_dev_setup "$P-b" dup 5
	check_eq "init_net" "dup" "$(mlo_names)"
	check_eq "netns a" "dup" "$(mlo_names "$P-a")"
	check_eq "netns b" "dup" "$(mlo_names "$P-b")"
	check_ok "del dup in a" ip -n "$P-a" link del dup
	check_eq "netns a after del" "" "$(mlo_names "$P-a")"
	check_eq "init_net addresses" "192.0.2.5/32 2001:db8:5::1/128" \
		"$(ip -o addr show dev dup | awk '{print $4}' | xargs)"
	check_eq "b addresses" "192.0.2.5/32 2001:db8:5::1/128" \
		"$(ip -n "$P-b" -o addr show dev dup | awk '{print $4}' | xargs)"
	check_eq "b traffic" "sent=3 errors=0" \
		"$(ip netns exec "$P-b" python3 "$UTIL" flood 198.18.5.9 9 --dev dup --count 3)"
	check_eq "b dup tx" 3 "$(link_stat -n "$P-b" dup tx_packets)"
	check_eq "init_net dup tx" 0 "$(link_stat dup tx_packets)"
	check_ok "del dup in init_net" ip link del dup
	check_eq "b still has dup" "dup" "$(mlo_names "$P-b")"
}

test_move_refused()
{
	local m0 a1 pid

	netns_new "$P-a" || return 1
	netns_new "$P-b" || return 1

	# a name for init_net, so it can be given as a netns NAME too
	ip netns attach "$P-init" 1 || return 1
	mlo_netns_list+=("$P-init")
	check_ok "add m0" ip link add m0 type mlo
	check_ok "add mv1" ip link add mv1 netns "$P-a" type mlo
	check_ok "m0 setup" mlo_dev_setup "" m0 1
	check_ok "mv1 setup" mlo_dev_setup "$P-a" mv1 3
	m0=$(mlo_dev_summary "" m0)
	a1=$(mlo_dev_summary "$P-a" mv1)
	bg_start /dev/null ip netns exec "$P-b" sleep 60
	pid=$bg_last
	check_ok "sleeper in b" wait_for 60 pid_in_netns "$pid" "$P-b"

	check_move_refused "init_net to a" m0 ip link set DEV netns "$P-a"
	check_move_refused "init_net to b by pid" m0 ip link set DEV netns "$pid"
	# 6.12 and older refuse this; newer kernels' do_setlink() skips a
	# move to the netns the device is already in.
	check_as_lo "init_net to itself by name" m0 ip link set DEV netns "$P-init"
	check_move_refused "a to init_net by pid 1" mv1 ip -n "$P-a" link set DEV netns 1
	check_move_refused "a to init_net by name" mv1 ip -n "$P-a" link set DEV netns "$P-init"
	check_move_refused "a to b" mv1 ip -n "$P-a" link set DEV netns "$P-b"
	check_move_refused "a to init_net from inside" mv1 \
		ip netns exec "$P-a" ip link set DEV netns 1
	check_move_refused "errno, init_net to a" m0 \
		python3 "$UTIL" setns DEV "/run/netns/$P-a"
	check_move_refused "errno, a to init_net" mv1 \
		ip netns exec "$P-a" python3 "$UTIL" setns DEV /proc/1/ns/net
	bg_stop "$pid"

	check_eq "m0 unchanged" "$m0" "$(mlo_dev_summary "" m0)"
	check_eq "mv1 unchanged" "$a1" "$(mlo_dev_summary "$P-a" mv1)"
	check_eq "init_net" "m0" "$(mlo_names)"
	check_eq "netns a" "mv1" "$(mlo_names "$P-a")"
	check_eq "netns b" "" "$(mlo_names "$P-b")"
	check_eq "netns b links" "lo" "$(link_names "$P-b")"
	check_eq "m0 traffic" "sent=4 errors=0" \
		"$(python3 "$UTIL" flood 198.18.1.9 9 --dev m0 --count 4)"
	check_eq "mv1 traffic" "sent=4 errors=0" \
		"$(ip netns exec "$P-a" python3 "$UTIL" flood 198.18.3.9 9 --dev mv1 --count 4)"
	check_eq "m0 rx" 4 "$(link_stat m0 rx_packets)"
	check_eq "mv1 rx" 4 "$(link_stat -n "$P-a" mv1 rx_packets)"
	lo_intact "$P-a"
}

# A netns goes away with everything on its instances: addresses, routes,
# sockets bound to them with routes cached, traffic through them. The
# processes inside hold it until they exit, after "ip netns del".
test_delete_busy()
{
	local c="$P-c" d="$P-d" pids=() f before_d dflood

	fresh || return 1
	netns_new "$c" || return 1
	netns_new "$d" || return 1
	check_ok "add c1" ip link add c1 netns "$c" type mlo
	check_ok "add c2" ip -n "$c" link add c2 type mlo
	check_ok "add d1" ip -n "$d" link add d1 type mlo
	check_ok "c1 setup" mlo_dev_setup "$c" c1 1
	check_ok "c2 setup" mlo_dev_setup "$c" c2 2
	check_ok "d1 setup" mlo_dev_setup "$d" d1 1
	check_ok "c route" ip -n "$c" route add 203.0.113.0/24 dev c2

	hold "$c" c1 192.0.2.1 198.18.1.7 "$TMP/hold-c1"
	pids+=("$bg_last")
	hold "$c" c2 2001:db8:2::1 "" "$TMP/hold-c2"
	pids+=("$bg_last")
	flood "$c" c1 198.18.1.9 "$TMP/flood-c1"
	pids+=("$bg_last")
	flood "$c" c2 198.18.2.9 "$TMP/flood-c2"
	pids+=("$bg_last")
	flood "$d" d1 198.18.1.9 "$TMP/flood-d1"
	dflood=$bg_last
	for f in hold-c1 hold-c2; do
		check_ok "$f bound" wait_for 90 grep -qx bound "$TMP/$f"
	done
	check_ok "c1 traffic" wait_for 90 tx_above "$c" c1 10
	check_ok "c2 traffic" wait_for 90 tx_above "$c" c2 10
	check_ok "d1 traffic" wait_for 90 tx_above "$d" d1 10
	before_d=$(mlo_dev_summary "$d" d1)

	check_ok "ip netns del" timeout 10 ip netns del "$c"
	mlo_netns_list=("$d")
	SECONDS=0
	bg_stop "${pids[@]}" || fail "processes in the deleted netns did not end"
	check_ok "netns torn down within ${TEARDOWN}s" \
		wait_for $TEARDOWN netns_at_most 1
	log "netns with busy instances torn down in ${SECONDS}s"
	check_eq "c1 socket" "bound closed" "$(xargs < "$TMP/hold-c1")"
	check_match "c1 flood" "^sent=[1-9][0-9]* errors=0$" "$(cat "$TMP/flood-c1")"

	check_eq "d1 unchanged" "$before_d" "$(mlo_dev_summary "$d" d1)"
	check_eq "netns d" "d1" "$(mlo_names "$d")"
	check_eq "d1 still carries traffic" "sent=3 errors=0" \
		"$(ip netns exec "$d" python3 "$UTIL" flood 198.18.1.9 9 --dev d1 --count 3)"
	check_eq "init_net" "" "$(mlo_names)"
	check_eq "nothing pushed to init_net" "$BASE_LINKS" "$(link_names)"
	lo_intact "$d"
	lo_intact
	# The flood is a process in d: it would keep d alive after this case.
	bg_stop "$dflood" || fail "flood in netns d did not end"
}

# Two IFF_LOOPBACK devices from birth fight over the netns's IPv6 null,
# prohibit and blackhole entries; the first one then never lets go.
test_first_of_two()
{
	local e="$P-e"

	netns_new "$e" || return 1
	check_ok "add first" ip link add first netns "$e" type mlo
	check_ok "add second" ip -n "$e" link add second type mlo
	check_ok "first up" ip -n "$e" link set first up
	check_ok "second up" ip -n "$e" link set second up
	check_ok "first address" ip -n "$e" -6 addr add 2001:db8:a::1/128 dev first nodad
	check_ok "second address" ip -n "$e" -6 addr add 2001:db8:b::1/128 dev second nodad
	check_ok "ip netns del" timeout 10 ip netns del "$e"
	mlo_netns_list=()
	SECONDS=0
	check_ok "netns torn down within ${TEARDOWN}s" \
		wait_for $TEARDOWN netns_at_most 0
	log "netns with two instances torn down in ${SECONDS}s"
	check_eq "nothing pushed to init_net" "$BASE_LINKS" "$(link_names)"
}

test_unload()
{
	local out

	out=$(mlo_unload_bounded 120) || fail "rmmod mlo: $out"
	mlo_reset
	check_ok "all netns gone" wait_for $TEARDOWN netns_at_most 0
	lo_intact
}

require_root
require_cmd ip ping python3 timeout unshare
mlo_require_module
[ -w /proc/sys/user/max_net_namespaces ] ||
	ksft_skip_all "/proc/sys/user/max_net_namespaces not writable"
TMP=$(mktemp -d)
trap cleanup EXIT
mlo_unload_bounded > /dev/null
BASE_LINKS=$(link_names)

ktap_header 6
run_test "create inside namespaces" test_create
run_test "same name in several namespaces" test_same_name
run_test "moves refused in every direction" test_move_refused
run_test "delete a netns with busy instances" test_delete_busy
run_test "delete a netns holding the first of two instances" test_first_of_two
run_test "unload, lo intact" test_unload
ktap_finish

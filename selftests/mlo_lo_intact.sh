#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lo keeps what is lo's through everything mlo devices go through:
# net->loopback_dev, its addresses and local routes, 127.0.0.1 and ::1,
# and the netns's IPv6 null/prohibit/blackhole entries (which a device
# registered with IFF_LOOPBACK would take over).

source "$(dirname "$0")/lib.sh"

NS=mlo-lo-$$

# The null entry serves lookups that match nothing: with no default
# route, it answers, from lo, and must still be usable after the
# instances that could have taken it are gone.
check_null_entry()
{
	check_err "no route" "Network is unreachable" \
		ip netns exec "$1" ping -6 -c 1 -W 1 2001:db8:ffff::1
}

# cycle [NS]: three instances with addresses, deleted out of order.
cycle()
{
	local i ipn=()

	[ $# -eq 0 ] || ipn=(-n "$1")
	for i in 1 2 3; do
		ip "${ipn[@]}" link add "c$i" type mlo || return 1
		ip "${ipn[@]}" link set "c$i" up
		ip "${ipn[@]}" -6 addr add "2001:db8:$i::1/128" dev "c$i"
		ip "${ipn[@]}" addr add "192.0.2.$i/32" dev "c$i"
	done
	ip "${ipn[@]}" link del c1 &&
	ip "${ipn[@]}" link del c3 &&
	ip "${ipn[@]}" link del c2
}

test_in_netns()
{
	mlo_load || return 1
	netns_new "$NS" || return 1
	check_null_entry "$NS"
	check_ok "create and delete" cycle "$NS"
	lo_intact "$NS"
	check_null_entry "$NS"
}

test_in_init_net()
{
	mlo_load numdevs=2 || return 1
	ip link set mlo0 up
	ip link set mlo1 up
	check_ok "create and delete" cycle
	check_ok "delete mlo0" ip link del mlo0
	lo_intact
}

# lo down and up again while instances exist: lo gets its addresses
# back, instances get none.
test_lo_bounce()
{
	mlo_load || return 1
	netns_new "$NS" || return 1
	ip -n "$NS" link add m0 type mlo
	ip -n "$NS" link set m0 up
	ip -n "$NS" link set lo down
	ip -n "$NS" link set lo up
	lo_intact "$NS"
	check_eq "m0 addresses" "" "$(ip -n "$NS" -o addr show dev m0)"
}

# In a new netns lo is down: an instance brought up first must not get
# lo's addresses or routes either.
test_instance_before_lo()
{
	local ns=$NS-b

	mlo_load || return 1
	ip netns add "$ns" || return 1
	mlo_netns_list+=("$ns")
	ip -n "$ns" link add m0 type mlo
	ip -n "$ns" link set m0 up
	check_eq "no local routes before lo" "" "$(ip -n "$ns" route show table local 2> /dev/null)"
	ip -n "$ns" link set lo up
	lo_intact "$ns"
}

test_after_unload()
{
	mlo_load numdevs=4 || return 1
	netns_new "$NS" || return 1
	ip -n "$NS" link add m0 type mlo
	ip link set mlo0 up
	ip -n "$NS" link set m0 up
	check_ok "rmmod" mlo_unload
	lo_intact
	lo_intact "$NS"
	check_null_entry "$NS"
}

require_root
require_cmd ip ping
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 5
run_test "lo intact in a netns after instances come and go" test_in_netns
run_test "lo intact in init_net after instances come and go" test_in_init_net
run_test "lo down and up with an instance present" test_lo_bounce
run_test "instance up before lo in a new netns" test_instance_before_lo
run_test "lo intact after unload" test_after_unload
ktap_finish

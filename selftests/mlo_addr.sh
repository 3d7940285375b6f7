#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Addresses and routes where the kernel keys on loopback devices: an
# instance gets neither 127.0.0.1/8 nor ::1, may not be given them, adds
# no second copy of lo's local routes, and routes through it behave as
# routes through lo do.

source "$(dirname "$0")/lib.sh"

NS=mlo-addr-$$
nsx()
{
	ip netns exec "$NS" "$@"
}

setup()
{
	mlo_load || return 1
	netns_new "$NS" || return 1
	ip -n "$NS" link add m0 type mlo || return 1
	ip -n "$NS" link set m0 up
}

test_no_auto_addresses()
{
	setup || return 1
	check_eq "addresses after up" "" "$(ip -n "$NS" -o addr show dev m0)"
	check_eq "local routes on m0" "" \
		"$(ip -n "$NS" route show table local dev m0; ip -n "$NS" -6 route show table local dev m0)"
	# lo's own: 5.10 also has "broadcast 127.0.0.0", 6.1 on not.
	netns_new "$NS-ref" || return 1
	check_eq "lo's routes, as without an instance" \
		"$(ip -n "$NS-ref" route show table local dev lo)" \
		"$(ip -n "$NS" route show table local dev lo)"
	ip -n "$NS" link set m0 down
	ip -n "$NS" link set m0 up
	check_eq "addresses after down/up" "" "$(ip -n "$NS" -o addr show dev m0)"
}

test_loopback_addresses_refused()
{
	setup || return 1
	check_err "127.0.0.1/8" "127.0.0.0/8 belongs to lo, not to mlo devices" \
		ip -n "$NS" addr add 127.0.0.1/8 dev m0
	check_err "127.1.2.3/32" "127.0.0.0/8 belongs to lo, not to mlo devices" \
		ip -n "$NS" addr add 127.1.2.3/32 dev m0
	check_err "::1" "::1 belongs to lo, not to mlo devices" \
		ip -n "$NS" addr add ::1/128 dev m0
	check_eq "addresses" "" "$(ip -n "$NS" -o addr show dev m0)"
	lo_intact "$NS"
}

test_local_routes()
{
	setup || return 1
	check_ok "add /32" ip -n "$NS" addr add 192.0.2.1/32 dev m0
	check_ok "add /128" ip -n "$NS" addr add 2001:db8::1/128 dev m0
	check_eq "IPv4 local route" "local 192.0.2.1 proto kernel scope host src 192.0.2.1" \
		"$(ip -n "$NS" route show table local dev m0 | xargs)"
	check_eq "IPv6 local route" "local 2001:db8::1 proto kernel metric 0 pref medium" \
		"$(ip -n "$NS" -6 route show table local dev m0 | xargs)"
	check_ok "ping own /32" nsx ping -q -c 1 -W 2 192.0.2.1
	check_ok "ping own /128" nsx ping -q -6 -c 1 -W 2 2001:db8::1
	# As on lo, a prefix on a loopback makes the whole prefix local.
	check_ok "add /24" ip -n "$NS" addr add 198.51.100.1/24 dev m0
	check_eq "route get in /24" "local 198.51.100.77 dev lo" \
		"$(ip -n "$NS" route get 198.51.100.77 | head -n 1 | awk '{print $1, $2, $3, $4}')"
	check_eq "IPsec off as on lo" "1 1" \
		"$(nsx sysctl -n net.ipv4.conf.m0.disable_xfrm net.ipv4.conf.m0.disable_policy | xargs)"
}

# __ip_dev_find(127.0.0.1) must still find lo: a multicast join by
# interface address lands on lo, not on an instance.
test_join_by_address()
{
	local ready i

	setup || return 1
	ready=$(mktemp -u)
	nsx python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton("127.0.0.1")
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
open(sys.argv[1], "w").close()
time.sleep(30)
' "$ready" &
	for i in $(seq 100); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	check_match "joined on lo" "239.1.2.3" "$(ip -n "$NS" maddr show dev lo)"
	check_eq "not on m0" "" "$(ip -n "$NS" maddr show dev m0 | grep 239.1.2.3)"
	kill %1
	wait
	rm -f "$ready"
}

# Routes out of an instance, compared with the same routes out of lo.
test_routes_like_lo()
{
	setup || return 1
	check_ok "IPv4 route via m0" ip -n "$NS" route add 203.0.113.0/24 dev m0
	check_eq "IPv4 route" "203.0.113.0/24 dev m0 scope link" \
		"$(ip -n "$NS" route show 203.0.113.0/24 | xargs)"
	# IPv6 turns routes through a loopback into reject routes on lo.
	check_ok "IPv6 route via m0" ip -n "$NS" -6 route add 2001:db8:1::/64 dev m0
	check_ok "IPv6 route via lo" ip -n "$NS" -6 route add 2001:db8:2::/64 dev lo
	check_err "IPv6 via m0 rejects" "Destination unreachable" \
		nsx ping -6 -c 1 -W 1 2001:db8:1::1
	check_err "IPv6 via lo rejects" "Destination unreachable" \
		nsx ping -6 -c 1 -W 1 2001:db8:2::1
	check_err "IPv6 gateway via m0" "Egress device can not be loopback device for this route" \
		ip -n "$NS" -6 route add 2001:db8:3::/64 via fe80::1 dev m0
	# local routes are how a loopback answers for a whole prefix. The
	# instance has an address of its own, as in use: with ::1 the only
	# source, 5.10 finds no route for the echo reply, which it looks
	# up bound to the instance (icmp6_iif()); 6.1 on find lo's.
	check_ok "address of its own" ip -n "$NS" -6 addr add 2001:db8:9::1/128 dev m0 nodad
	check_ok "local IPv6 prefix" ip -n "$NS" -6 route add local 2001:db8:4::/64 dev m0
	check_ok "ping local IPv6 prefix" nsx ping -q -6 -c 1 -W 2 2001:db8:4::99
	check_ok "local IPv4 prefix" ip -n "$NS" route add local 198.18.0.0/24 dev m0
	check_ok "ping local IPv4 prefix" nsx ping -q -c 1 -W 2 198.18.0.99
	lo_intact "$NS"
}

test_lo_intact()
{
	mlo_unload
	lo_intact
}

require_root
require_cmd ip ping python3 sysctl
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 6
run_test "no 127.0.0.1/8 or ::1 on up" test_no_auto_addresses
run_test "127.0.0.0/8 and ::1 are refused" test_loopback_addresses_refused
run_test "local routes for an instance's own addresses only" test_local_routes
run_test "multicast join by 127.0.0.1 stays on lo" test_join_by_address
run_test "routes through an instance behave as through lo" test_routes_like_lo
run_test "lo intact" test_lo_intact
ktap_finish

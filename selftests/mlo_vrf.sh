#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# An mlo instance as the loopback of a VRF: enslaved with "ip link set
# DEV master VRF", its addresses are local routes in the VRF's table
# only; they answer inside the VRF (a socket bound to it, ip vrf exec, a
# neighbour on a VRF port) and not from the default VRF; two VRFs carry
# the same addresses on their own instances independently; traffic
# routed out of an enslaved instance comes back in the same VRF and
# nowhere else; the instance stays a loopback, with its counters,
# through enslave and release; and every way of taking it apart (VRF or
# instance first, VRF deleted under traffic, netns deleted, rmmod) is
# clean.
#
# Everything happens in network namespaces: the router R holds the VRFs
# and instances, NB is a neighbour on a port of vrf-blue and ND one on a
# port of R's default VRF. Nothing else sends there, so counters are
# exact.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
P=mlo-vrf-$$
R=$P-r
NB=$P-nb
ND=$P-nd
# how long a netns may take to go away once nothing holds it
TEARDOWN=60

# The service address (router ID, anycast, ...) every instance carries;
# overlapping on purpose where two VRFs have one each.
SVC4=192.0.2.1
SVC6=2001:db8:1::1
# A prefix routed into the instances: what is sent to it loops.
PREFIX=198.51.100.0/24
DST=198.51.100.9
# The metric Documentation/networking/vrf.rst gives the unreachable
# default of a VRF table: without it, a lookup that misses the VRF's
# table goes on to the main table.
UNREACH_METRIC=4278198272

# An IPv4 echo is 84 bytes (56 + 8 + 20), IPv6 104 (56 + 8 + 40). The
# VRF device, which loops local traffic as an Ethernet device, counts it
# with a 14-byte Ethernet header; mlo counts without one, as lo does. A
# flood datagram is 64 bytes of payload, 92 with its UDP and IPv4
# headers.
VRF_PING4=98
VRF_PING6=118
UDP_LEN=92

cleanup()
{
	mlo_reset
	mlo_cleanup
	cgroups_cleanup
	rm -rf "$TMP"
}

# rx CMD...: CMD in the router's netns.
rx()
{
	ip netns exec "$R" "$@"
}

# fresh: no netns or process of an earlier case, mlo freshly loaded, the
# router's netns made. What its local tables hold then, lo's routes only,
# is what they hold again whenever no instance is in the default VRF
# (lo_intact checks lo's entries; 5.10 also has a broadcast 127.0.0.0).
fresh()
{
	mlo_reset
	mlo_load || return 1
	netns_new "$R" || return 1
	LO_LOCAL4=$(routes route show table local)
	LO_LOCAL6=$(routes -6 route show table local)
}

# routes IP-ARGS...: what "ip -n R IP-ARGS" prints, one route a line,
# trailing blanks gone, lines joined by "; ".
routes()
{
	ip -n "$R" "$@" | sed 's/ *$//' | paste -sd';' | sed 's/;/; /g'
}

# counters DEV: "tx_packets tx_bytes rx_packets rx_bytes" of DEV in R.
counters()
{
	local d=/sys/class/net/$1/statistics

	rx cat "$d/tx_packets" "$d/tx_bytes" "$d/rx_packets" "$d/rx_bytes" | xargs
}

# flags DEV: DEV's flags in R, as ip prints them between < and >.
flags()
{
	ip -n "$R" link show dev "$1" | sed -n '1s/.*<\(.*\)>.*/\1/p'
}

# master DEV: the device DEV is enslaved to in R, or "" for none.
master()
{
	ip -n "$R" -o link show dev "$1" | sed -n 's/.* master \([^ ]*\) .*/\1/p'
}

# vrf_add NAME TABLE: a VRF in R, up, its table closed by the
# unreachable defaults vrf.rst recommends.
vrf_add()
{
	ip -n "$R" link add "$1" type vrf table "$2" &&
	ip -n "$R" link set "$1" up &&
	ip -n "$R" route add table "$2" unreachable default metric $UNREACH_METRIC &&
	ip -n "$R" -6 route add table "$2" unreachable default metric $UNREACH_METRIC
}

# instance_add DEV VRF: an instance in R, enslaved to VRF, up, with the
# service addresses. Enslaved first: enslaving cycles a device down and
# up, which drops its IPv6 addresses, as for any device (test_enslave).
instance_add()
{
	ip -n "$R" link add "$1" type mlo &&
	ip -n "$R" link set "$1" master "$2" &&
	ip -n "$R" link set "$1" up &&
	ip -n "$R" addr add $SVC4/32 dev "$1" &&
	ip -n "$R" -6 addr add $SVC6/128 dev "$1"
}

# blue: vrf-blue (table 10) with mlo-blue, the recipe of the README.
blue()
{
	vrf_add vrf-blue 10 && instance_add mlo-blue vrf-blue
}

# table_of DEV: the IPv4 routes a VRF's table holds when DEV carries
# the service address; table6_of the same for IPv6 (the /128 also gets
# its prefix route, as on any device).
table_of()
{
	echo "unreachable default metric $UNREACH_METRIC;" \
	     "local $SVC4 dev $1 proto kernel scope host src $SVC4"
}

table6_of()
{
	echo "local $SVC6 dev $1 proto kernel metric 0 pref medium;" \
	     "$SVC6 dev $1 proto kernel metric 256 pref medium;" \
	     "unreachable default dev lo metric $UNREACH_METRIC pref medium"
}

# check_table_closed TABLE: TABLE holds nothing but its unreachable
# defaults: no entry of an instance is left behind.
check_table_closed()
{
	check_eq "table $1 closed" "unreachable default metric $UNREACH_METRIC" \
		"$(routes route show table "$1")"
	check_eq "table $1 closed (IPv6)" \
		"unreachable default dev lo metric $UNREACH_METRIC pref medium" \
		"$(routes -6 route show table "$1")"
}

# check_default_vrf_clean: the default VRF's tables hold lo's routes and
# nothing of an instance in a VRF.
check_default_vrf_clean()
{
	check_eq "table local" "$LO_LOCAL4" "$(routes route show table local)"
	check_eq "table local (IPv6)" "$LO_LOCAL6" "$(routes -6 route show table local)"
	check_eq "table main" "" "$(routes route show table main)"
	check_eq "table main (IPv6)" "" "$(routes -6 route show table main)"
}

# ping_ok WHAT CMD...: CMD, a ping of COUNT echos, gets each answered.
ping_ok()
{
	local what=$1 out

	shift
	out=$("$@" 2>&1)
	check_match "$what" "^([0-9]+) packets transmitted, \1 received, 0% packet loss" "$out"
}

# veth_to NS PORT N [VRF]: a neighbour NS on a veth to R, whose end PORT
# is enslaved to VRF if given (before its addresses: see instance_add).
# PORT gets 203.0.113.(4N-3)/30 and 2001:db8:fN::1/64, NS's end the next
# ones, and NS routes the service addresses and PREFIX through R.
veth_to()
{
	local ns=$1 port=$2 n=$3 vrf=${4:-} r4=203.0.113.$((4 * $3 - 3))

	netns_new "$ns" &&
	ip link add "$port" netns "$R" type veth peer name eth0 netns "$ns" &&
	{ [ -z "$vrf" ] || ip -n "$R" link set "$port" master "$vrf"; } &&
	ip -n "$R" link set "$port" up &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$R" addr add "$r4/30" dev "$port" &&
	ip -n "$R" -6 addr add "2001:db8:f$n::1/64" dev "$port" nodad &&
	ip -n "$ns" addr add "203.0.113.$((4 * n - 2))/30" dev eth0 &&
	ip -n "$ns" -6 addr add "2001:db8:f$n::2/64" dev eth0 nodad &&
	ip -n "$ns" route add $SVC4/32 via "$r4" &&
	ip -n "$ns" route add $PREFIX via "$r4" &&
	ip -n "$ns" -6 route add $SVC6/128 via "2001:db8:f$n::1"
}

# mib NAME: a SNMP counter of R since the netns was made.
mib()
{
	rx nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# tx_above DEV N: DEV in R has sent more than N packets.
tx_above()
{
	[ "$(link_stat -n "$R" "$1" tx_packets)" -gt "$2" ]
}

# flood_bg DEV OUT: UDP to DST from a socket of R bound to DEV, in the
# background for at most 200 s.
flood_bg()
{
	bg_start "$2" ip netns exec "$R" python3 "$UTIL" flood $DST 9 \
		--dev "$1" --seconds 200 --rate 100
}

test_tables()
{
	fresh || return 1
	check_ok "vrf-blue" vrf_add vrf-blue 10
	check_ok "add mlo-blue" ip -n "$R" link add mlo-blue type mlo
	check_eq "mlo-blue flags" "LOOPBACK" "$(flags mlo-blue)"
	check_ok "enslave" ip -n "$R" link set mlo-blue master vrf-blue
	check_ok "up" ip -n "$R" link set mlo-blue up
	check_ok "IPv4 address" ip -n "$R" addr add $SVC4/32 dev mlo-blue
	check_ok "IPv6 address" ip -n "$R" -6 addr add $SVC6/128 dev mlo-blue
	check_eq "mlo-blue flags, enslaved" "LOOPBACK,UP,LOWER_UP" "$(flags mlo-blue)"
	check_eq "master" "vrf-blue" "$(master mlo-blue)"
	check_match "vrf_slave" "vrf_slave table 10 " "$(ip -n "$R" -d link show dev mlo-blue)"
	check_eq "ip addr show vrf vrf-blue" "mlo-blue UNKNOWN $SVC4/32 $SVC6/128" \
		"$(ip -n "$R" -br addr show vrf vrf-blue | xargs)"
	check_eq "table 10" "$(table_of mlo-blue)" "$(routes route show table 10)"
	check_eq "table 10 (IPv6)" "$(table6_of mlo-blue)" "$(routes -6 route show table 10)"
	check_default_vrf_clean
	check_eq "route get in the VRF" "local $SVC4 dev vrf-blue table 10 src $SVC4 uid 0" \
		"$(ip -n "$R" route get $SVC4 vrf vrf-blue | head -n 1 | xargs)"
	check_eq "route get in the VRF (IPv6)" \
		"local $SVC6 from :: dev vrf-blue table 10 proto kernel src $SVC6 metric 0 pref medium" \
		"$(ip -n "$R" -6 route get $SVC6 vrf vrf-blue | head -n 1 | xargs)"
	check_err "route get in the default VRF" "RTNETLINK answers: Network is unreachable" \
		ip -n "$R" route get $SVC4
	check_err "route get in the default VRF (IPv6)" "RTNETLINK answers: Network is unreachable" \
		ip -n "$R" -6 route get $SVC6
}

# Inside the VRF, local traffic is looped by the VRF device, the
# loopback of its domain (as lo is of the default VRF): it counts there,
# and neither on lo nor on the instance.
test_reach()
{
	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	ping_ok "ping -I vrf-blue" rx ping -c 2 -i 0.2 -W 2 -I vrf-blue $SVC4
	ping_ok "ping -6 -I vrf-blue" rx ping -6 -c 2 -i 0.2 -W 2 -I vrf-blue $SVC6
	check_eq "vrf-blue counters" \
		"8 $((4 * VRF_PING4 + 4 * VRF_PING6)) 8 $((4 * VRF_PING4 + 4 * VRF_PING6))" \
		"$(counters vrf-blue)"
	check_eq "mlo-blue counters" "0 0 0 0" "$(counters mlo-blue)"
	check_eq "lo counters" "0 0 0 0" "$(counters lo)"

	check_err "ping from the default VRF" "ping: connect: Network is unreachable" \
		rx ping -c 1 -W 1 $SVC4
	check_err "ping -6 from the default VRF" "ping: connect: Network is unreachable" \
		rx ping -6 -c 1 -W 1 $SVC6
	check_eq "vrf-blue counters unchanged" \
		"8 $((4 * VRF_PING4 + 4 * VRF_PING6)) 8 $((4 * VRF_PING4 + 4 * VRF_PING6))" \
		"$(counters vrf-blue)"
	lo_intact "$R"
}

# ip vrf exec puts the command in a cgroup of its own, with a BPF
# program that binds its sockets to the VRF: below the caller's cgroup,
# NETNS-ns/vrf/VRF (iproute2 6.1). iproute2 never removes those cgroups,
# so the test does, up to the one named after its netns.
VRF_CGROUPS=()
cgroups_cleanup()
{
	local mnt cg dir

	VRF_CGROUPS_LEFT=
	[ ${#VRF_CGROUPS[@]} -gt 0 ] || return 0
	mnt=$(mktemp -d)
	if mount -t cgroup2 none "$mnt" 2> /dev/null; then
		for cg in "${VRF_CGROUPS[@]}"; do
			dir=$cg
			while [ -n "$dir" ] && rmdir "$mnt$dir" 2> /dev/null; do
				case ${dir##*/} in
				"$R-ns"|"$R") break ;;
				esac
				dir=${dir%/*}
			done
			[ ! -d "$mnt$cg" ] || VRF_CGROUPS_LEFT+=" $cg"
		done
		umount "$mnt"
	fi
	rmdir "$mnt"
	VRF_CGROUPS=()
}

test_vrf_exec()
{
	local cg

	grep -qw cgroup2 /proc/filesystems ||
		{ skip_test "no cgroup2, which ip vrf exec needs"; return; }
	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	cg=$(rx ip vrf exec vrf-blue cat /proc/self/cgroup | sed -n 's/^0:://p')
	[ -z "$cg" ] || VRF_CGROUPS+=("$cg")
	check_match "ip vrf exec's cgroup" "/vrf/vrf-blue$" "$cg"
	ping_ok "ip vrf exec vrf-blue ping" rx ip vrf exec vrf-blue ping -c 2 -i 0.2 -W 2 $SVC4
	ping_ok "ip vrf exec vrf-blue ping -6" rx ip vrf exec vrf-blue ping -6 -c 2 -i 0.2 -W 2 $SVC6
	check_eq "vrf-blue counters" \
		"8 $((4 * VRF_PING4 + 4 * VRF_PING6)) 8 $((4 * VRF_PING4 + 4 * VRF_PING6))" \
		"$(counters vrf-blue)"
	check_eq "ip vrf identify" "vrf-blue" "$(rx ip vrf exec vrf-blue ip vrf identify)"
	check_eq "lo counters" "0 0 0 0" "$(counters lo)"
	cgroups_cleanup
	check_eq "ip vrf exec's cgroups removed" "" "$VRF_CGROUPS_LEFT"
}

# The same addresses on two instances, each in its own VRF.
test_overlap()
{
	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	check_ok "vrf-red" vrf_add vrf-red 20
	check_ok "mlo-red with the same addresses" instance_add mlo-red vrf-red
	check_eq "table 10" "$(table_of mlo-blue)" "$(routes route show table 10)"
	check_eq "table 20" "$(table_of mlo-red)" "$(routes route show table 20)"
	check_eq "table 10 (IPv6)" "$(table6_of mlo-blue)" "$(routes -6 route show table 10)"
	check_eq "table 20 (IPv6)" "$(table6_of mlo-red)" "$(routes -6 route show table 20)"
	check_eq "route get in vrf-red" "local $SVC4 dev vrf-red table 20 src $SVC4 uid 0" \
		"$(ip -n "$R" route get $SVC4 vrf vrf-red | head -n 1 | xargs)"
	check_default_vrf_clean

	ping_ok "ping -I vrf-blue" rx ping -c 2 -i 0.2 -W 2 -I vrf-blue $SVC4
	check_eq "vrf-blue counters" "4 $((4 * VRF_PING4)) 4 $((4 * VRF_PING4))" \
		"$(counters vrf-blue)"
	check_eq "vrf-red counters" "0 0 0 0" "$(counters vrf-red)"
	ping_ok "ping -6 -I vrf-red" rx ping -6 -c 2 -i 0.2 -W 2 -I vrf-red $SVC6
	check_eq "vrf-red counters" "4 $((4 * VRF_PING6)) 4 $((4 * VRF_PING6))" \
		"$(counters vrf-red)"
	check_eq "vrf-blue counters unchanged" "4 $((4 * VRF_PING4)) 4 $((4 * VRF_PING4))" \
		"$(counters vrf-blue)"

	# Red's address goes: red's lookups end at its unreachable default,
	# blue's answer is unchanged.
	check_ok "delete mlo-red's IPv4 address" ip -n "$R" addr del $SVC4/32 dev mlo-red
	check_err "ping -I vrf-red" "ping: connect: No route to host" \
		rx ping -c 1 -W 1 -I vrf-red $SVC4
	ping_ok "ping -I vrf-blue" rx ping -c 1 -W 2 -I vrf-blue $SVC4
	check_ok "delete mlo-red" ip -n "$R" link del mlo-red
	check_table_closed 20
	check_eq "table 10 unchanged" "$(table_of mlo-blue)" "$(routes route show table 10)"
	check_eq "table 10 unchanged (IPv6)" "$(table6_of mlo-blue)" \
		"$(routes -6 route show table 10)"
	ping_ok "ping -6 -I vrf-blue" rx ping -6 -c 1 -W 2 -I vrf-blue $SVC6
	check_eq "mlo-blue counters" "0 0 0 0" "$(counters mlo-blue)"
}

# routed_topology: vrf-blue and vrf-red with an instance each, mlo-def
# in the default VRF, and PREFIX routed into each instance in its own
# table.
routed_topology()
{
	fresh || return 1
	blue && vrf_add vrf-red 20 && instance_add mlo-red vrf-red &&
	ip -n "$R" link add mlo-def type mlo &&
	ip -n "$R" link set mlo-def up &&
	ip -n "$R" route add $PREFIX dev mlo-blue table 10 &&
	ip -n "$R" route add $PREFIX dev mlo-red table 20 &&
	ip -n "$R" route add $PREFIX dev mlo-def
}

# What a sender in a VRF routes into its instance comes back on that
# instance: each datagram once out, once in, and nothing on the others.
test_routed()
{
	routed_topology || return 1
	check_eq "table 10" "$(table_of mlo-blue); $PREFIX dev mlo-blue scope link" \
		"$(routes route show table 10)"
	check_eq "vrf-blue sends 5" "sent=5 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --dev vrf-blue --count 5)"
	check_eq "mlo-blue counters" "5 $((5 * UDP_LEN)) 5 $((5 * UDP_LEN))" "$(counters mlo-blue)"
	check_eq "mlo-red counters" "0 0 0 0" "$(counters mlo-red)"
	check_eq "mlo-def counters" "0 0 0 0" "$(counters mlo-def)"
	# The VRF device counts what comes in on its ports, mlo-blue's
	# hand-backs included, and nothing that goes out of them.
	check_eq "vrf-blue counters" "0 0 5 $((5 * UDP_LEN))" "$(counters vrf-blue)"

	check_eq "vrf-red sends 3" "sent=3 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --dev vrf-red --count 3)"
	check_eq "mlo-red counters" "3 $((3 * UDP_LEN)) 3 $((3 * UDP_LEN))" "$(counters mlo-red)"
	check_eq "default VRF sends 2" "sent=2 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --count 2)"
	check_eq "mlo-def counters" "2 $((2 * UDP_LEN)) 2 $((2 * UDP_LEN))" "$(counters mlo-def)"
	check_eq "mlo-blue counters unchanged" "5 $((5 * UDP_LEN)) 5 $((5 * UDP_LEN))" \
		"$(counters mlo-blue)"
	check_eq "mlo-red counters unchanged" "3 $((3 * UDP_LEN)) 3 $((3 * UDP_LEN))" \
		"$(counters mlo-red)"
	check_eq "lo counters" "0 0 0 0" "$(counters lo)"
}

# A neighbour on a port of vrf-blue reaches the service address and, with
# forwarding on, its traffic to PREFIX loops through mlo-blue until its
# TTL ends (as in mlo_traffic.sh's transit test: sent with TTL 10, it
# crosses mlo-blue 9 times); a neighbour of the default VRF reaches
# neither the address nor mlo-blue, and its PREFIX traffic loops through
# mlo-def instead.
test_neighbours()
{
	local out

	routed_topology || return 1
	veth_to "$NB" veth-nb 1 vrf-blue || return 1
	veth_to "$ND" veth-nd 2 || return 1
	rx sysctl -qw net.ipv4.ip_forward=1

	ping_ok "NB pings $SVC4" ip netns exec "$NB" ping -c 2 -i 0.2 -W 2 $SVC4
	ping_ok "NB pings $SVC6" ip netns exec "$NB" ping -6 -c 2 -i 0.2 -W 2 $SVC6
	out=$(ip netns exec "$ND" ping -c 1 -W 2 $SVC4 2>&1)
	check_match "ND pings $SVC4" "From 203.0.113.5 icmp_seq=1 Destination Net Unreachable" "$out"
	out=$(ip netns exec "$ND" ping -6 -c 1 -W 2 $SVC6 2>&1)
	check_match "ND pings $SVC6" "From 2001:db8:f2::1 icmp_seq=1 Destination unreachable: No route" "$out"
	check_eq "mlo-blue counters" "0 0 0 0" "$(counters mlo-blue)"

	out=$(ip netns exec "$NB" ping -c 1 -t 10 -W 2 $DST 2>&1)
	check_match "NB is told the TTL ran out" "From 203.0.113.1 icmp_seq=1 Time to live exceeded" "$out"
	check_eq "mlo-blue transmitted it 9 times" "9 $((9 * 84)) 9 $((9 * 84))" "$(counters mlo-blue)"
	check_eq "mlo-def counters" "0 0 0 0" "$(counters mlo-def)"
	check_eq "IpForwDatagrams" 9 "$(mib IpForwDatagrams)"

	out=$(ip netns exec "$ND" ping -c 1 -t 10 -W 2 $DST 2>&1)
	check_match "ND is told the TTL ran out" "From 203.0.113.5 icmp_seq=1 Time to live exceeded" "$out"
	check_eq "mlo-def transmitted it 9 times" "9 $((9 * 84)) 9 $((9 * 84))" "$(counters mlo-def)"
	check_eq "mlo-blue counters unchanged" "9 $((9 * 84)) 9 $((9 * 84))" "$(counters mlo-blue)"
	check_eq "mlo-red counters" "0 0 0 0" "$(counters mlo-red)"
	check_eq "lo counters" "0 0 0 0" "$(counters lo)"
	check_eq "IpForwDatagrams" 18 "$(mib IpForwDatagrams)"
	# Not left to the netns teardown: the VRF would then release the
	# port after its peer is gone, and vrf logs that it failed to cycle
	# it ("Failed to cycle device veth-nb").
	check_ok "delete veth-nb" ip -n "$R" link del veth-nb
}

# Enslaving and releasing cycle the device down and up (vrf's
# cycle_netdev()): an instance comes out of both a loopback, with its
# counters, and loses what any device loses there: the routes through it
# and, unless keep_addr_on_down is set, its IPv6 addresses.
test_enslave()
{
	local dev

	fresh || return 1
	check_ok "vrf-blue" vrf_add vrf-blue 10
	check_ok "add mlo-blue" ip -n "$R" link add mlo-blue type mlo
	check_ok "add dummy0" ip -n "$R" link add dummy0 type dummy
	for dev in mlo-blue dummy0; do
		check_ok "$dev up" ip -n "$R" link set $dev up
		check_ok "$dev IPv6" ip -n "$R" -6 addr add 2001:db8:2::1/128 dev $dev nodad
	done
	check_ok "route via mlo-blue" ip -n "$R" route add $PREFIX dev mlo-blue
	check_eq "sends 4" "sent=4 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --dev mlo-blue --count 4)"
	check_eq "counters" "4 $((4 * UDP_LEN)) 4 $((4 * UDP_LEN))" "$(counters mlo-blue)"

	check_ok "enslave" ip -n "$R" link set mlo-blue master vrf-blue
	check_ok "enslave dummy0" ip -n "$R" link set dummy0 master vrf-blue
	check_eq "flags, enslaved" "LOOPBACK,UP,LOWER_UP" "$(flags mlo-blue)"
	check_eq "counters kept" "4 $((4 * UDP_LEN)) 4 $((4 * UDP_LEN))" "$(counters mlo-blue)"
	check_eq "route via mlo-blue dropped" "" "$(routes route show table main)"
	check_eq "IPv6 address dropped" "" "$(ip -n "$R" -6 -o addr show dev mlo-blue)"
	check_eq "dummy0's too" "" "$(ip -n "$R" -6 -o addr show dev dummy0 scope global)"
	check_ok "delete dummy0" ip -n "$R" link del dummy0
	check_ok "route in table 10" ip -n "$R" route add $PREFIX dev mlo-blue table 10
	check_eq "sends 3 in the VRF" "sent=3 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --dev vrf-blue --count 3)"
	check_eq "counters" "7 $((7 * UDP_LEN)) 7 $((7 * UDP_LEN))" "$(counters mlo-blue)"

	# With keep_addr_on_down, an address survives release and enslave
	# and its local route follows the device between the tables.
	check_ok "keep_addr_on_down" rx sysctl -qw net.ipv6.conf.mlo-blue.keep_addr_on_down=1
	check_ok "IPv6 address" ip -n "$R" -6 addr add $SVC6/128 dev mlo-blue
	check_ok "release" ip -n "$R" link set mlo-blue nomaster
	check_eq "flags, released" "LOOPBACK,UP,LOWER_UP" "$(flags mlo-blue)"
	check_eq "master, released" "" "$(master mlo-blue)"
	check_eq "counters kept" "7 $((7 * UDP_LEN)) 7 $((7 * UDP_LEN))" "$(counters mlo-blue)"
	check_eq "table local (IPv6)" "$LO_LOCAL6; local $SVC6 dev mlo-blue proto kernel metric 0 pref medium" \
		"$(routes -6 route show table local)"
	check_ok "enslave again" ip -n "$R" link set mlo-blue master vrf-blue
	check_eq "table 10 (IPv6)" "$(table6_of mlo-blue)" "$(routes -6 route show table 10)"
	check_eq "table local (IPv6)" "$LO_LOCAL6" "$(routes -6 route show table local)"
	ping_ok "ping -6 -I vrf-blue" rx ping -6 -c 1 -W 2 -I vrf-blue $SVC6
	check_ok "release" ip -n "$R" link set mlo-blue nomaster
	check_ok "route via mlo-blue" ip -n "$R" route add $PREFIX dev mlo-blue
	check_eq "sends 2" "sent=2 errors=0" \
		"$(rx python3 "$UTIL" flood $DST 9 --dev mlo-blue --count 2)"
	check_eq "counters" "9 $((9 * UDP_LEN)) 9 $((9 * UDP_LEN))" "$(counters mlo-blue)"
	check_eq "lo counters" "0 0 0 0" "$(counters lo)"
}

# The VRF goes first: the instance is released into the default VRF,
# keeps its IPv4 address (now a local route of table local) and loses
# its IPv6 one and the routes through it, as any port of a VRF does.
test_del_vrf_first()
{
	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	check_ok "route in table 10" ip -n "$R" route add $PREFIX dev mlo-blue table 10
	check_ok "delete vrf-blue" ip -n "$R" link del vrf-blue
	check_eq "links" "lo mlo-blue" "$(link_names "$R")"
	check_eq "master" "" "$(master mlo-blue)"
	check_eq "flags" "LOOPBACK,UP,LOWER_UP" "$(flags mlo-blue)"
	check_eq "addresses" "$SVC4/32" \
		"$(ip -n "$R" -o addr show dev mlo-blue | awk '{print $4}' | xargs)"
	check_table_closed 10
	check_eq "table local" "$LO_LOCAL4; local $SVC4 dev mlo-blue proto kernel scope host src $SVC4" \
		"$(routes route show table local)"
	ping_ok "ping from the default VRF" rx ping -c 1 -W 2 $SVC4
	check_ok "delete mlo-blue" ip -n "$R" link del mlo-blue
	check_eq "links" "lo" "$(link_names "$R")"
	check_default_vrf_clean
	lo_intact "$R"
}

test_del_instance_first()
{
	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	check_ok "route in table 10" ip -n "$R" route add $PREFIX dev mlo-blue table 10
	check_ok "delete mlo-blue" ip -n "$R" link del mlo-blue
	check_table_closed 10
	check_eq "vrf-blue's ports" "" "$(ip -n "$R" -o link show master vrf-blue)"
	check_err "ping -I vrf-blue" "ping: connect: No route to host" \
		rx ping -c 1 -W 1 -I vrf-blue $SVC4
	check_ok "delete vrf-blue" ip -n "$R" link del vrf-blue
	check_eq "links" "lo" "$(link_names "$R")"
	check_default_vrf_clean
}

# vrf-blue deleted while a socket bound to it floods PREFIX through
# mlo-blue and NB's pings loop through it. The sender gets ENODEV from
# then on; mlo-blue, released into the default VRF, has every packet it
# sent also received, and carries nothing more: the route through it
# went with the VRF's table and the default VRF has none to PREFIX.
test_del_vrf_busy()
{
	local flood pings tx

	fresh || return 1
	check_ok "vrf-blue with mlo-blue" blue
	check_ok "route in table 10" ip -n "$R" route add $PREFIX dev mlo-blue table 10
	veth_to "$NB" veth-nb 1 vrf-blue || return 1
	rx sysctl -qw net.ipv4.ip_forward=1
	flood_bg vrf-blue "$TMP/flood"
	flood=$bg_last
	bg_start "$TMP/pings" ip netns exec "$NB" ping -i 0.2 -t 10 -w 200 $DST
	pings=$bg_last
	check_ok "traffic through mlo-blue" wait_for 90 tx_above mlo-blue 50
	check_ok "delete vrf-blue" timeout 10 ip -n "$R" link del vrf-blue
	sleep 1
	tx=$(link_stat -n "$R" mlo-blue tx_packets)
	sleep 1
	check_eq "mlo-blue carries nothing once vrf-blue is gone" "$tx" \
		"$(link_stat -n "$R" mlo-blue tx_packets)"
	bg_stop "$flood" "$pings" || fail "senders did not end"
	check_match "the flood saw vrf-blue go" "^sent=[1-9][0-9]* errors=[1-9][0-9]*$" \
		"$(cat "$TMP/flood")"
	check_eq "mlo-blue: every packet sent was received" "$tx" \
		"$(link_stat -n "$R" mlo-blue rx_packets)"
	check_eq "mlo-blue rx_dropped" 0 "$(link_stat -n "$R" mlo-blue rx_dropped)"
	check_eq "master" "" "$(master mlo-blue)"
	check_eq "flags" "LOOPBACK,UP,LOWER_UP" "$(flags mlo-blue)"
	check_table_closed 10
	check_eq "links" "lo mlo-blue veth-nb" "$(link_names "$R")"
	check_ok "delete mlo-blue" ip -n "$R" link del mlo-blue
	check_eq "links" "lo veth-nb" "$(link_names "$R")"
}

# The netns goes with both VRFs, their instances and a flood running;
# teardown is proven complete by the kernel's count of namespaces, and
# mlo unloads at once afterwards.
test_netns_del()
{
	local flood out

	[ -w /proc/sys/user/max_net_namespaces ] ||
		{ skip_test "/proc/sys/user/max_net_namespaces not writable"; return; }
	mlo_reset
	check_ok "earlier netns torn down" wait_for $TEARDOWN netns_at_most 0
	routed_topology || return 1
	flood_bg vrf-blue "$TMP/flood"
	flood=$bg_last
	check_ok "traffic through mlo-blue" wait_for 90 tx_above mlo-blue 10
	check_ok "ip netns del" timeout 10 ip netns del "$R"
	mlo_netns_list=()
	SECONDS=0
	bg_stop "$flood" || fail "flood did not end"
	check_ok "netns torn down within ${TEARDOWN}s" wait_for $TEARDOWN netns_at_most 0
	log "netns with two VRFs and three instances torn down in ${SECONDS}s"
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
	out=$(mlo_unload_bounded 30) || fail "rmmod mlo: $out"
}

test_rmmod()
{
	local out

	routed_topology || return 1
	flood_bg vrf-blue "$TMP/flood"
	check_ok "traffic through mlo-blue" wait_for 90 tx_above mlo-blue 10
	out=$(mlo_unload_bounded 120) || fail "rmmod mlo: $out"
	bg_stop_all || fail "flood did not end"
	check_eq "links" "lo vrf-blue vrf-red" "$(link_names "$R")"
	check_eq "vrf-blue's ports" "" "$(ip -n "$R" -o link show master vrf-blue)"
	check_table_closed 10
	check_table_closed 20
	check_default_vrf_clean
	lo_intact "$R"
	check_ok "delete vrf-blue" ip -n "$R" link del vrf-blue
	check_ok "delete vrf-red" ip -n "$R" link del vrf-red
	check_eq "links" "lo" "$(link_names "$R")"
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
	lo_intact
}

require_root
require_cmd ip ping python3 nstat timeout unshare
mlo_require_module
# The VRF driver: a module on Debian's kernels, built in on the debug one.
unshare -n ip link add mlo-vrf-probe type vrf table 1 2> /dev/null ||
	ksft_skip_all "no VRF support (CONFIG_NET_VRF)"
TMP=$(mktemp -d)
trap cleanup EXIT
mlo_unload_bounded > /dev/null
BASE_LINKS=$(link_names)
START=$(date +%s)

ktap_header 12
run_test "an enslaved instance's addresses are local routes of its VRF's table only" test_tables
run_test "they answer inside the VRF, not from the default VRF" test_reach
run_test "ip vrf exec reaches them" test_vrf_exec
run_test "two VRFs carry the same addresses on their own instances" test_overlap
run_test "traffic routed out of an enslaved instance stays in its VRF" test_routed
run_test "a neighbour in the VRF reaches the instance and loops through it; one in the default VRF does not" test_neighbours
run_test "an instance stays a loopback with its counters through enslave and release" test_enslave
run_test "delete the VRF, then the instance" test_del_vrf_first
run_test "delete the instance, then the VRF" test_del_instance_first
run_test "delete the VRF with traffic running" test_del_vrf_busy
run_test "delete a netns holding VRFs and enslaved instances" test_netns_del
run_test "rmmod with instances enslaved, lo intact" test_rmmod
log "mlo_vrf.sh took $(($(date +%s) - START))s"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Traffic through an mlo instance: routed pings and UDP go out of it and
# come back on it; AF_PACKET frames sent on it come back on it; taps see
# each looped IP packet once, other frames twice, as on lo; transit
# traffic routed into it loops until its TTL ends, as on lo; tx/rx
# packets and bytes are exact and agree in
# ip -s link, /proc/net/dev and sysfs, also with several CPUs sending at
# once. Traffic to an address configured on an instance is carried by lo
# (the kernel uses net->loopback_dev for every local destination), so it
# leaves the instance's counters alone.
#
# Every case runs in a fresh netns, where nothing but the test sends on
# mlo0 (an instance does no DAD, router solicitation or MLD: it has
# IFF_LOOPBACK by the time addresses are added), so counters are exact.

source "$(dirname "$0")/lib.sh"

NS=mlo-traffic-$$
UTIL=$MLO_DIR/mlo_util.py

# Routed out of mlo0. Nothing answers a routed ping (icmp_reply picks the
# unroutable 203.0.113.x as source and drops the reply), so each echo
# request crosses mlo0 once and nothing else does.
PREFIX=203.0.113.0/24
DST=203.0.113.9

# A default ping is 56 data + 8 ICMP + 20 IPv4 header = 84 bytes. mlo
# counts skb->len after eth_type_trans() has pulled the 14-byte Ethernet
# header, as lo does, so the 98-byte frame tcpdump shows counts 84; both
# kernels agree (checked on 6.1 and 6.12).
PING_LEN=84
# A UDP datagram counts its payload + 8 UDP + 20 IPv4 header.
UDP_HDR=28

nsx()
{
	ip netns exec "$NS" "$@"
}

# traffic_setup: a fresh module, and a fresh netns NS holding mlo0, up,
# with PREFIX routed out of it.
traffic_setup()
{
	ip netns del "$NS" 2> /dev/null
	mlo_load || return 1
	netns_new "$NS" || return 1
	ip -n "$NS" link add mlo0 type mlo || return 1
	ip -n "$NS" link set mlo0 up || return 1
	ip -n "$NS" route add "$PREFIX" dev mlo0
}

# counters_sysfs DEV: "tx_packets tx_bytes rx_packets rx_bytes rx_dropped"
# as sysfs has them; counters_iplink and counters_procfs print the same
# from ip -s link and /proc/net/dev. (Cheap on purpose: guests are slow.)
counters_sysfs()
{
	local d=/sys/class/net/$1/statistics

	nsx cat $d/tx_packets $d/tx_bytes $d/rx_packets $d/rx_bytes $d/rx_dropped | xargs
}

# ip -s link: "RX: bytes packets errors dropped ..." and "TX: bytes
# packets ..." headers, each followed by its values.
counters_iplink()
{
	ip -n "$NS" -s link show dev "$1" | awk '
		rx == 1 { rb = $1; rp = $2; rd = $4; rx = 0 }
		tx == 1 { tb = $1; tp = $2; tx = 0 }
		$1 == "RX:" { rx = 1 }
		$1 == "TX:" { tx = 1 }
		END { print tp, tb, rp, rb, rd }'
}

# /proc/net/dev: "dev: rx_bytes rx_packets errs drop fifo frame
# compressed multicast tx_bytes tx_packets ..."
counters_procfs()
{
	nsx cat /proc/net/dev | tr ':' ' ' |
		awk -v dev="$1" '$1 == dev { print $11, $10, $3, $2, $5 }'
}

# check_counters DEV TXP TXB RXP RXB [RXDROP]: all three sources show
# exactly these counters (rx_dropped defaults to 0).
check_counters()
{
	local dev=$1 want="$2 $3 $4 $5 ${6:-0}"

	check_eq "$dev counters (sysfs)" "$want" "$(counters_sysfs "$dev")"
	check_eq "$dev counters (ip -s link)" "$want" "$(counters_iplink "$dev")"
	check_eq "$dev counters (/proc/net/dev)" "$want" "$(counters_procfs "$dev")"
}

# check_no_loss DEV: every packet mlo0 sent it also received or counted
# as dropped on receive, and none was dropped.
check_no_loss()
{
	local tx rx drop

	read -r tx _ rx _ drop < <(counters_sysfs "$1")
	check_eq "$1 rx_dropped" 0 "$drop"
	check_eq "$1 tx_packets == rx_packets + rx_dropped" "$tx" "$((rx + drop))"
}

test_ping_routed()
{
	local n=5

	traffic_setup || return 1
	check_counters mlo0 0 0 0 0
	check_err "routed ping gets no answer" "$n packets transmitted, 0 received" \
		nsx ping -c $n -i 0.2 -W 1 "$DST"
	check_counters mlo0 $n $((n * PING_LEN)) $n $((n * PING_LEN))
	# ... and each one was delivered to this host's ICMP.
	check_eq "IcmpInEchos" "$n" \
		"$(nsx nstat -az IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }')"
	check_eq "lo untouched" "0 0 0 0 0" "$(counters_sysfs lo)"

	# Bigger echos: 1000 data bytes, still one skb each.
	check_err "routed ping -s 1000" "3 packets transmitted, 0 received" \
		nsx ping -c 3 -i 0.2 -W 1 -s 1000 "$DST"
	check_counters mlo0 $((n + 3)) $((n * PING_LEN + 3 * 1028)) \
		$((n + 3)) $((n * PING_LEN + 3 * 1028))
}

test_udp_routed()
{
	local out

	traffic_setup || return 1
	# Delivered locally whatever the destination: a wildcard socket
	# on the port gets every datagram routed out of mlo0.
	out=$(nsx python3 "$UTIL" udp 203.0.113.5 4000 20 100)
	check_eq "udp 20 x 100" "sent=20 received=20" "$out"
	check_counters mlo0 20 $((20 * (100 + UDP_HDR))) 20 $((20 * (100 + UDP_HDR)))

	# One large datagram: 30000 bytes fit the 64 KiB MTU unfragmented.
	out=$(nsx python3 "$UTIL" udp 203.0.113.77 4001 1 30000)
	check_eq "udp 1 x 30000" "sent=1 received=1" "$out"
	check_counters mlo0 21 $((20 * 128 + 30000 + UDP_HDR)) \
		21 $((20 * 128 + 30000 + UDP_HDR))
}

# snmp6 NAME [DEV]: an IPv6 MIB counter of NS, or of DEV's inet6_dev.
snmp6()
{
	if [ -n "${2:-}" ]; then
		nsx awk -v c="$1" '$1 == c { print $2 }' "/proc/net/dev_snmp6/$2"
	else
		nsx awk -v c="$1" '$1 == c { print $2 }' /proc/net/snmp6
	fi
}

# IPv6 cannot be sent out of an instance, as out of lo:
# ip6_route_info_create() promotes a route through any IFF_LOOPBACK
# device, unless it is to ::1 or local/anycast, to a reject route
# (RTF_REJECT|RTF_NONEXTHOP), keeping its type, so ip -6 route shows it
# as a plain unicast (or multicast) route. Unicast gets "No route"; a
# multicast send with mlo0 as oif finds no route at all (an instance,
# like lo, gets no ff00::/8 route), or the reject route once one is
# added. Either way mlo0's counters stay at zero and Ip6OutNoRoutes
# counts the packets.
test_ipv6_routed()
{
	local flags out

	traffic_setup || return 1
	check_ok "add 2001:db8:2::1" ip -n "$NS" -6 addr add 2001:db8:2::1/128 dev mlo0
	check_ok "add IPv6 route" ip -n "$NS" -6 route add 2001:db8:1::/64 dev mlo0
	check_eq "IPv6 route as shown" "2001:db8:1::/64 dev mlo0 metric 1024 pref medium" \
		"$(ip -n "$NS" -6 route show 2001:db8:1::/64 | xargs)"
	# /proc/net/ipv6_route flags: RTF_REJECT|RTF_NONEXTHOP, no RTF_UP
	flags=$(nsx awk '$1 == "20010db8000100000000000000000000" { print $9 }' \
		/proc/net/ipv6_route)
	check_eq "IPv6 route is a reject route" 00200200 "$flags"
	out=$(nsx ping -6 -c 2 -i 0.2 -W 1 2001:db8:1::1 2>&1)
	check_match "ping -6 via mlo0" "Destination unreachable: No route" "$out"
	check_match "ping -6 via mlo0" "2 packets transmitted, 0 received, \+2 errors" "$out"
	check_eq "Ip6OutNoRoutes on mlo0" 2 "$(snmp6 Ip6OutNoRoutes mlo0)"
	check_eq "Ip6OutNoRoutes" 2 "$(snmp6 Ip6OutNoRoutes)"
	check_counters mlo0 0 0 0 0

	check_err "ping -6 -I mlo0 ff02::1" "2 packets transmitted, 0 received" \
		nsx ping -6 -c 2 -i 0.2 -W 1 -I mlo0 ff02::1
	check_eq "Ip6OutNoRoutes" 4 "$(snmp6 Ip6OutNoRoutes)"
	check_counters mlo0 0 0 0 0

	check_ok "add multicast route" \
		ip -n "$NS" -6 route add multicast ff00::/8 dev mlo0 table local
	check_eq "multicast route is a reject route" 00200200 \
		"$(nsx awk '$1 == "ff000000000000000000000000000000" { print $9 }' \
			/proc/net/ipv6_route)"
	check_err "ping -6 -I mlo0 ff02::1, with route" "2 packets transmitted, 0 received" \
		nsx ping -6 -c 2 -i 0.2 -W 1 -I mlo0 ff02::1
	check_eq "Ip6OutNoRoutes on mlo0" 4 "$(snmp6 Ip6OutNoRoutes mlo0)"
	check_counters mlo0 0 0 0 0
}

# Traffic to an address on mlo0 is carried by lo: mlo0 stays at zero,
# lo counts request and reply.
test_local_via_lo()
{
	local n=4

	traffic_setup || return 1
	check_ok "add 192.0.2.1" ip -n "$NS" addr add 192.0.2.1/32 dev mlo0
	check_ok "add 2001:db8:2::1" ip -n "$NS" -6 addr add 2001:db8:2::1/128 dev mlo0
	# Anything an instance would send by itself (DAD, MLD, RS) has had
	# time to go out.
	sleep 2
	check_counters mlo0 0 0 0 0
	check_eq "lo idle" "0 0 0 0 0" "$(counters_sysfs lo)"

	check_ok "ping 192.0.2.1" nsx ping -c $n -i 0.2 -W 1 192.0.2.1
	check_ok "ping -I mlo0 192.0.2.1" nsx ping -c $n -i 0.2 -W 1 -I mlo0 192.0.2.1
	check_counters mlo0 0 0 0 0
	check_counters lo $((4 * n)) $((4 * n * PING_LEN)) $((4 * n)) $((4 * n * PING_LEN))

	# IPv6 echo: 56 + 8 + 40 = 104 bytes.
	check_ok "ping -6 2001:db8:2::1" nsx ping -6 -c $n -i 0.2 -W 1 2001:db8:2::1
	check_counters mlo0 0 0 0 0
	check_counters lo $((6 * n)) $((4 * n * PING_LEN + 2 * n * 104)) \
		$((6 * n)) $((4 * n * PING_LEN + 2 * n * 104))
	check_eq "route get 192.0.2.1" "local 192.0.2.1 dev lo" \
		"$(ip -n "$NS" route get 192.0.2.1 | head -n 1 | awk '{print $1, $2, $3, $4}')"
}

# Frames sent on mlo0 from an AF_PACKET socket come back on it. An
# ETH_P_ALL tap sees each once, going out; a socket bound to the
# ethertype sees each once, coming in as PACKET_HOST.
# ETH_P_ALL taps see a looped IP frame once, on its way out (its received
# copy is PACKET_LOOPBACK, which af_packet skips), and any other frame
# twice, out and in, as they see every frame on lo. A socket bound to
# the ethertype sees the received copy only.
test_af_packet()
{
	local n=5 out

	traffic_setup || return 1
	out=$(nsx python3 "$UTIL" taps mlo0 $n)
	check_eq "taps" "ethertype=88b5 all=$((2 * n)) all_types=host,outgoing proto=$n proto_types=host" "$out"
	# 60-byte frames: 46 bytes each without the Ethernet header.
	check_counters mlo0 $n $((n * 46)) $n $((n * 46))

	# No handler for the ethertype: looped and counted, then dropped by
	# the core for want of a protocol (rx_dropped), as on lo.
	out=$(nsx python3 "$UTIL" taps mlo0 $n --ethertype 88b6 --no-proto)
	check_eq "taps, no handler" "ethertype=88b6 all=$((2 * n)) all_types=host,outgoing" "$out"
	check_counters mlo0 $((2 * n)) $((2 * n * 46)) $((2 * n)) $((2 * n * 46)) $n

	# IPv4 (a bad header, which IP drops): seen once by ETH_P_ALL.
	out=$(nsx python3 "$UTIL" taps mlo0 $n --ethertype 0800)
	check_eq "taps, IPv4" "ethertype=0800 all=$n all_types=outgoing proto=$n proto_types=host" "$out"
	check_counters mlo0 $((3 * n)) $((3 * n * 46)) $((3 * n)) $((3 * n * 46)) $n

	# Sent past the transmit taps (PACKET_QDISC_BYPASS; pktgen and
	# generic XDP_TX likewise): an IP frame is invisible to ETH_P_ALL
	# taps, another one is seen once, received.
	out=$(nsx python3 "$UTIL" taps mlo0 $n --ethertype 0800 --bypass)
	check_eq "taps, IPv4 bypassing the qdisc layer" "ethertype=0800 all=0 all_types=- proto=$n proto_types=host" "$out"
	out=$(nsx python3 "$UTIL" taps mlo0 $n --bypass)
	check_eq "taps, 88b5 bypassing the qdisc layer" "ethertype=88b5 all=$n all_types=host proto=$n proto_types=host" "$out"
	check_counters mlo0 $((5 * n)) $((5 * n * 46)) $((5 * n)) $((5 * n * 46)) $n
}

# tcpdump -i mlo0 shows each looped packet once: N pings are N echo
# requests (no replies: see PREFIX), not 2N.
test_tcpdump_once()
{
	local n=6 cap log pid got

	traffic_setup || return 1
	cap=$(mktemp /tmp/mlo-traffic.XXXXXX.pcap)
	log=$(mktemp /tmp/mlo-traffic.XXXXXX.log)
	# -c 2N: a capture that sees duplicates ends by itself. Not through
	# nsx: a backgrounded function is a subshell that would get the
	# signal, and SIGINT is ignored in background jobs of a script.
	ip netns exec "$NS" timeout 60 \
		tcpdump -i mlo0 -n -U -Z root -c $((2 * n)) -w "$cap" > "$log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		grep -q "listening on mlo0" "$log" && break
		sleep 0.2
	done
	check_match "tcpdump started" "listening on mlo0" "$(cat "$log")"
	nsx ping -c $n -i 0.2 -W 1 "$DST" > /dev/null
	sleep 1
	kill -TERM $pid 2> /dev/null
	wait $pid
	got=$(tcpdump -r "$cap" -n 2> /dev/null)
	check_eq "packets captured" $n "$(echo "$got" | grep -c .)"
	check_eq "echo requests captured" $n "$(echo "$got" | grep -c "> $DST: ICMP echo request")"
	check_eq "anything else captured" "" "$(echo "$got" | grep -v "ICMP echo request")"
	check_counters mlo0 $n $((n * PING_LEN)) $n $((n * PING_LEN))
	rm -f "$cap" "$log"
}

# K senders on every CPU at once; the per-CPU counters must sum exactly.
test_concurrent()
{
	local cpus k=0 per=1000 size=100 pids=() cpu i out total bad=0

	traffic_setup || return 1
	cpus=$(nproc)
	out=$(mktemp -d /tmp/mlo-traffic.XXXXXX)
	# Two senders per CPU, each pinned, each to its own port.
	for i in $(seq 0 $((2 * cpus - 1))); do
		cpu=$((i % cpus))
		nsx taskset -c $cpu python3 "$UTIL" udp 203.0.113.$((i + 1)) $((5000 + i)) \
			$per $size > "$out/$i" 2>&1 &
		pids+=($!)
		k=$((k + 1))
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || bad=1
		check_eq "sender $i" "sent=$per received=$per" "$(cat "$out/$i")"
	done
	rm -rf "$out"
	check_eq "all senders done" 0 $bad
	total=$((k * per))
	log "$k senders on $cpus CPUs, $per datagrams each"
	check_counters mlo0 $total $((total * (size + UDP_HDR))) \
		$total $((total * (size + UDP_HDR)))
	check_no_loss mlo0
}

# mib NAME: a counter of NS's SNMP MIBs since the netns was made.
mib()
{
	nsx nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# transit_via DEV: a packet forwarded into DEV comes back in on DEV and
# is forwarded into it again, as on lo, until its TTL runs out. A
# neighbour (NS-peer, over veth) pings DST with TTL 10 through NS, which
# forwards PREFIX into DEV: NS receives it with TTL 10, 9, ..., 2 and
# forwards it each time (9 transmissions on DEV), then answers TTL 1 with
# one ICMP time exceeded.
transit_via()
{
	local dev=$1 peer=$NS-peer out

	traffic_setup || return 1
	netns_new "$peer" || return 1
	ip link add veth0 netns "$NS" type veth peer name veth0 netns "$peer" ||
		return 1
	ip -n "$NS" addr add 198.51.100.1/24 dev veth0
	ip -n "$NS" link set veth0 up
	ip -n "$peer" addr add 198.51.100.2/24 dev veth0
	ip -n "$peer" link set veth0 up
	ip -n "$peer" route add "$PREFIX" via 198.51.100.1
	nsx sysctl -qw net.ipv4.ip_forward=1
	[ "$dev" = mlo0 ] || {
		ip -n "$NS" route del "$PREFIX" dev mlo0
		ip -n "$NS" route add "$PREFIX" dev "$dev"
	}
	out=$(ip netns exec "$peer" ping -c 1 -t 10 -W 2 "$DST" 2>&1)
	check_match "the neighbour is told the TTL ran out" \
		"From 198.51.100.1 .*Time to live exceeded" "$out"
	check_eq "$dev transmitted the packet 9 times" 9 "$(link_stat -n "$NS" "$dev" tx_packets)"
	check_eq "$dev received it 9 times" 9 "$(link_stat -n "$NS" "$dev" rx_packets)"
	check_eq "IpForwDatagrams" 9 "$(mib IpForwDatagrams)"
	check_eq "IcmpOutTimeExcds" 1 "$(mib IcmpOutTimeExcds)"
}

test_transit_loop()
{
	transit_via mlo0 || return 1
	# The same on lo, in a fresh netns: mlo does what lo does.
	mlo_netns_cleanup
	transit_via lo
}

# A prefix to absorb is routed to a blackhole, or made local with
# "route add local" (answered by this host): neither loops.
test_transit_alternatives()
{
	local peer=$NS-peer

	transit_via mlo0 > /dev/null
	mlo_check_failed=0
	ip -n "$NS" route del "$PREFIX" dev mlo0
	ip -n "$NS" route add blackhole "$PREFIX"
	check_err "a blackhole drops it" "0 received" \
		ip netns exec "$peer" ping -c 1 -t 10 -W 1 "$DST"
	check_eq "IpForwDatagrams after a blackhole" 9 "$(mib IpForwDatagrams)"
	ip -n "$NS" route del blackhole "$PREFIX"
	ip -n "$NS" route add local "$PREFIX" dev mlo0
	check_ok "a local route answers it" \
		ip netns exec "$peer" ping -c 1 -t 10 -W 2 "$DST"
	check_eq "mlo0 carried neither" 9 "$(link_stat -n "$NS" mlo0 tx_packets)"
}

# lo still works in a netns whose instance carried traffic, and in
# init_net once the module is gone.
test_lo_intact()
{
	traffic_setup || return 1
	ip -n "$NS" addr add 192.0.2.1/32 dev mlo0
	nsx ping -q -c 2 -i 0.2 -W 1 "$DST" > /dev/null
	check_eq "mlo0 carried the pings" 2 "$(link_stat -n "$NS" mlo0 tx_packets)"
	lo_intact "$NS"
	mlo_unload
	lo_intact
}

require_root
require_cmd ip ping python3 nstat tcpdump taskset awk
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 10
run_test "routed ping: exact packets and bytes in sysfs, ip -s, /proc/net/dev" test_ping_routed
run_test "routed UDP is delivered and counted exactly" test_udp_routed
run_test "IPv6 route via an instance is a reject route" test_ipv6_routed
run_test "traffic to an instance's addresses goes over lo" test_local_via_lo
run_test "AF_PACKET frames come back once per socket" test_af_packet
run_test "tcpdump sees each looped packet once" test_tcpdump_once
run_test "concurrent senders on every CPU sum exactly" test_concurrent
run_test "transit traffic routed into an instance loops until its TTL ends, as on lo" test_transit_loop
run_test "blackhole and local routes absorb a prefix without a loop" test_transit_alternatives
run_test "lo intact" test_lo_intact
ktap_finish

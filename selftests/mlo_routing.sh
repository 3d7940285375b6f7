#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Routing daemons on mlo instances, and on dummy devices for comparison.
#
# Two namespaces, a and b, joined by a veth pair; in each a device lo1
# holding the router's /32 and /128, and in a a second one, svc0, holding
# an anycast service address. The devices are mlo instances, then the
# same names as dummy devices, with the same configuration:
#
#   FRR (zebra, ospfd, ospf6d, bgpd): how zebra sees lo1, the router ID
#   picked when none is configured, OSPFv2 and OSPFv3 carrying lo1's
#   addresses into b's kernel table, b pinging them, iBGP between the
#   lo1 addresses (update-source) advertising svc0's address, svc0's
#   carrier and lo1's deletion withdrawing what they carried;
#   BIRD 2 (one bird per netns, OSPFv2 and OSPFv3): "show interfaces",
#   the router ID (picked, and taken from lo1), lo1 as an OSPF stub (an
#   instance needs a link-local address for BIRD's OSPFv3), its deletion.
#
# The expected values of both kinds are in WANT below: that table is
# what an mlo instance gives a daemon that a dummy does not. A case
# whose daemon is not installed is skipped (scripts/deps routing
# installs frr and bird2); daemons run as plain processes, all their
# files in a temporary directory, killed on exit.

source "$(dirname "$0")/lib.sh"

P=mlo-rt-$$
FRR_DIR=${FRR_DIR:-/usr/lib/frr}
FRR_DAEMONS="zebra ospfd ospf6d bgpd"
# How long OSPF, BGP and a withdrawal may take: seconds under TCG on a
# busy host, where a daemon's start alone can take several seconds.
CONVERGE=90
WITHDRAW=60

# Addresses: documentation prefixes only. lo1 sits between svc0 and the
# veth so that each rule for picking a router ID gives another answer:
# FRR takes the highest address on a loopback, else the highest of all;
# BIRD the lowest of all.
A_LO4=198.51.100.1
B_LO4=198.51.100.2
A_LO6=2001:db8::1
B_LO6=2001:db8::2
A_VETH=203.0.113.1
B_VETH=203.0.113.2
SVC=192.0.2.53
# Fixed MACs, so the link-local next hops are known.
A_MAC=02:00:00:00:00:0a
B_MAC=02:00:00:00:00:0b
A_LL=fe80::ff:fe00:a

# What each daemon shows, by device kind. Observed with FRR 8.4.4 and
# BIRD 2.0.12 (Debian 12).
declare -A WANT=(
	# zebra "show interface lo1": flags, Type, Interface Type
	[mlo,zebra]="flags: <UP,LOOPBACK,RUNNING>|Type: Loopback|Interface Type Other"
	[dummy,zebra]="flags: <UP,BROADCAST,RUNNING,NOARP>|Type: Ethernet|Interface Type Other"
	# automatic router ID in a (lo1 and svc0) and b (lo1): FRR prefers
	# loopbacks, so a dummy loses to the veth address
	[mlo,frr_rid_a]=$A_LO4
	[dummy,frr_rid_a]=$A_VETH
	[mlo,frr_rid_b]=$B_LO4
	[dummy,frr_rid_b]=$B_VETH
	# ospfd "show ip ospf interface lo1": network type, state
	[mlo,ospf]="Network Type LOOPBACK|State Loopback"
	[dummy,ospf]="Network Type BROADCAST|State DR"
	# ospf6d "show ipv6 ospf6 interface lo1": type, state
	[mlo,ospf6]="lo1 is up, type LOOPBACK|State Loopback"
	[dummy,ospf6]="lo1 is up, type BROADCAST|State DR"
	# b's OSPFv2 and OSPFv3 metrics to lo1's /32 and /128: veth0's
	# cost 10 plus lo1's; ospfd advertises a loopback's host route at
	# cost 0, ospf6d costs it as any interface
	[mlo,ospf_metric]="metric 10|metric 20"
	[dummy,ospf_metric]="metric 20|metric 20"
	# BIRD "show interfaces", lo1's flag line
	[mlo,bird_if]="MultiAccess AdminUp LinkUp Loopback Ignored MTU=65536"
	[dummy,bird_if]="MultiAccess Broadcast Multicast AdminUp LinkUp MTU=1500"
	[mlo,bird_addr]="$A_LO4/32 (Preferred, scope univ)|$A_LO6/128 (Preferred, scope univ)"
	[dummy,bird_addr]="$A_LO4/32 (Preferred, scope univ)|$A_LO6/128 (Preferred, scope univ)|fe80::ff:fe00:101/64 (Preferred, scope link)"
	# BIRD "show ospf interface", lo1: type, state. A stub interface
	# of type broadcast or NBMA stays in Waiting: BIRD gives it no wait
	# timer. In OSPFv3 BIRD makes an interface of a link-local address,
	# which an mlo instance does not get by itself.
	[mlo,bird_ospf]="Type: nbma|State: Waiting (stub)"
	[dummy,bird_ospf]="Type: broadcast|State: Waiting (stub)"
	[mlo,bird_ospf6]=""
	[mlo,bird_ospf6_ll]="Type: nbma|State: Waiting (stub)"
	[dummy,bird_ospf6]="Type: broadcast|State: Waiting (stub)"
)

TMP=
KIND=

cleanup()
{
	bg_stop_all
	ip netns del "$P-a" 2> /dev/null
	ip netns del "$P-b" 2> /dev/null
	mlo_unload_bounded > /dev/null
	[ -z "$TMP" ] || rm -rf "$TMP"
}

# ---- topology ----

# topo_add NS DEV: DEV, a device of kind KIND, in NS. A dummy gets a
# fixed MAC, so its link-local address is always the same.
topo_add()
{
	ip -n "$1" link add "$2" type "$KIND" || return 1
	[ "$KIND" != dummy ] || ip -n "$1" link set "$2" address 02:00:00:00:01:01
}

# topo_up: a and b, veth0 between them, lo1 in each, svc0 in a.
topo_up()
{
	local ns

	for ns in a b; do
		ip netns add "$P-$ns" || return 1
		ip -n "$P-$ns" link set lo up
		# No DAD on the veth: OSPFv3 needs its link-local address now.
		ip netns exec "$P-$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$P-a" link add veth0 address $A_MAC type veth \
		peer name veth0 address $B_MAC netns "$P-b" || return 1
	ip -n "$P-a" addr add $A_VETH/24 dev veth0 &&
	ip -n "$P-b" addr add $B_VETH/24 dev veth0 &&
	topo_add "$P-a" lo1 && topo_add "$P-b" lo1 && topo_add "$P-a" svc0 &&
	ip -n "$P-a" addr add $A_LO4/32 dev lo1 &&
	ip -n "$P-a" addr add $A_LO6/128 dev lo1 nodad &&
	ip -n "$P-b" addr add $B_LO4/32 dev lo1 &&
	ip -n "$P-b" addr add $B_LO6/128 dev lo1 nodad &&
	ip -n "$P-a" addr add $SVC/32 dev svc0 || return 1
	for ns in a b; do
		ip -n "$P-$ns" link set veth0 up || return 1
		ip -n "$P-$ns" link set lo1 up || return 1
	done
	ip -n "$P-a" link set svc0 up
}

topo_down()
{
	local t=$SECONDS

	bg_stop_all || fail "a daemon did not stop"
	ip netns del "$P-a" 2> /dev/null
	ip netns del "$P-b" 2> /dev/null
	log "$KIND: daemons stopped in $((SECONDS - t))s"
}

# route NS FAMILY PREFIX: NS's route to PREFIX on one line, without the
# nexthop object's id (FRR installs routes with "nhid N").
route()
{
	ip -n "$P-$1" "$2" route show "$3" | sed -E 's/ nhid [0-9]+//' | xargs
}

has_route()
{
	[ -n "$(route "$@")" ]
}

no_route()
{
	[ -z "$(route "$@")" ]
}

# show_logs DIR: the daemons' logs, when a case failed.
show_logs()
{
	local f

	[ "$mlo_check_failed" -ne 0 ] || return 0
	for f in "$1"/*.log "$1"/*.out; do
		[ -s "$f" ] || continue
		log "---- $f"
		tail -n 15 "$f" | sed 's/^/# /'
	done
}

# ---- FRR ----

# A directory per kind and netns: a socket left by the first kind's
# daemons must not pass for the second's.
frr_dir()
{
	echo "$TMP/frr-$KIND-$1"
}

# frr NS CMD...: vtysh commands to NS's daemons. One vtysh for several
# commands, since starting one takes seconds under TCG; with -E each
# command's output follows a "PROMPT# COMMAND" line (frr_section).
frr()
{
	local dir cmd args=()

	dir=$(frr_dir "$1")
	shift
	for cmd; do
		args+=(-c "$cmd")
	done
	timeout 30 vtysh -E --vty_socket "$dir" "${args[@]}" 2>&1
}

# frr_section CMD: the output of CMD in frr's output on stdin.
frr_section()
{
	awk -v cmd="$1" '/^[^ ]*# / { on = (substr($0, index($0, "# ") + 2) == cmd); next }
		on'
}

# frr_conf NS LO4 PEER4: each daemon's configuration for NS, whose lo1
# has LO4 and whose iBGP peer is PEER4. No router ID anywhere: each
# daemon takes zebra's.
frr_conf()
{
	local d ns=$1 lo4=$2 peer=$3

	d=$(frr_dir "$ns")
	mkdir -p "$d"
	echo "hostname $ns" > "$d/zebra.conf"
	cat > "$d/ospfd.conf" <<-EOF
	hostname $ns
	interface veth0
	 ip ospf area 0
	 ip ospf network point-to-point
	 ip ospf hello-interval 1
	 ip ospf dead-interval 4
	 ip ospf retransmit-interval 1
	interface lo1
	 ip ospf area 0
	 ip ospf dead-interval 4
	router ospf
	 timers throttle spf 0 50 500
	 timers throttle lsa all 0
	 timers lsa min-arrival 0
	EOF
	cat > "$d/ospf6d.conf" <<-EOF
	hostname $ns
	interface veth0
	 ipv6 ospf6 area 0
	 ipv6 ospf6 network point-to-point
	 ipv6 ospf6 hello-interval 1
	 ipv6 ospf6 dead-interval 4
	 ipv6 ospf6 retransmit-interval 1
	interface lo1
	 ipv6 ospf6 area 0
	 ipv6 ospf6 dead-interval 4
	router ospf6
	 timers throttle spf 0 50 500
	 timers lsa min-arrival 0
	EOF
	cat > "$d/bgpd.conf" <<-EOF
	hostname $ns
	router bgp 65000
	 bgp network import-check
	 timers bgp 1 3
	 neighbor $peer remote-as 65000
	 neighbor $peer update-source $lo4
	 neighbor $peer timers connect 1
	EOF
	# a advertises the service address on svc0
	[ "$ns" != a ] || cat >> "$d/bgpd.conf" <<-EOF
	 address-family ipv4 unicast
	  network $SVC/32
	 exit-address-family
	EOF
	# The daemons drop to user frr, which must write here.
	chown -R frr:frr "$d"
}

# frr_start NS: zebra, then the others, in NS, as Debian's frr runs them
# but with every path in our directory and no TCP vty. The others start
# once zebra listens (it opens its vty first): a bgpd 8.4 started
# earlier was seen to fail its nexthop registrations ("sendmsg_nexthop:
# zclient_send_message() failed") and then never withdrew svc0's
# address on carrier off.
frr_start()
{
	local d dmn ns=$1

	d=$(frr_dir "$ns")
	for dmn in $FRR_DAEMONS; do
		bg_start "$d/$dmn.out" ip netns exec "$P-$ns" "$FRR_DIR/$dmn" \
			-P 0 -i "$d/$dmn.pid" --vty_socket "$d" \
			-z "$d/zserv.api" -f "$d/$dmn.conf" \
			--log "file:$d/$dmn.log"
		wait_for $CONVERGE test -S "$d/$dmn.vty" ||
			{ fail "$ns: $dmn did not start"; return 1; }
		[ "$dmn" != zebra ] ||
			wait_for $CONVERGE test -S "$d/zserv.api" ||
			{ fail "$ns: zebra does not listen"; return 1; }
	done
}

# What the cases read from each netns, saved once OSPF has settled.
FRR_SHOW=("show ip ospf neighbor" "show ipv6 ospf6 neighbor"
	  "show interface lo1" "show interface svc0"
	  "show ip ospf" "show ipv6 ospf6" "show bgp summary"
	  "show ip ospf interface lo1" "show ipv6 ospf6 interface lo1")

# frr_settled NS: save FRR_SHOW's output for NS; true when its OSPFv2
# and OSPFv3 adjacencies are Full and lo1 is past Waiting in both (a
# broadcast interface, as a dummy is, waits for the dead interval
# before it elects itself DR: lo1's is 4 s for that).
frr_settled()
{
	local f

	f=$(frr_dir "$1")/show
	frr "$1" "${FRR_SHOW[@]}" > "$f"
	frr_section "show ip ospf neighbor" < "$f" | grep -q 'Full/' &&
	frr_section "show ipv6 ospf6 neighbor" < "$f" | grep -q 'Full/' &&
	! grep -q 'State Waiting' "$f"
}

# frr_saved NS CMD: CMD's output in NS's saved FRR_SHOW.
frr_saved()
{
	frr_section "$2" < "$(frr_dir "$1")/show"
}

# frr_iface NS DEV: zebra's flags, link type and interface type of DEV.
frr_iface()
{
	frr_saved "$1" "show interface $2" |
		sed -n -E 's/^  (flags: .*|Type: .*|Interface Type .*)$/\1/p' |
		paste -sd '|'
}

# frr_rids NS: the router IDs of ospfd, ospf6d and bgpd in NS.
frr_rids()
{
	echo "$(frr_saved "$1" "show ip ospf" |
			sed -n 's/.*OSPF Routing Process, Router ID: //p')" \
	     "$(frr_saved "$1" "show ipv6 ospf6" |
			sed -n 's/.*OSPFv3 Routing Process (0) with Router-ID //p')" \
	     "$(frr_saved "$1" "show bgp summary" |
			sed -n 's/^BGP router identifier \([^,]*\),.*/\1/p')"
}

# bgp_state NS PEER: the state of NS's session with PEER, and the
# session's local and remote addresses.
bgp_state()
{
	frr "$1" "show bgp neighbors $2" | sed -n -E \
		-e 's/^  BGP state = ([A-Za-z]+).*/\1/p' \
		-e 's/^Local host: ([^,]+),.*/local \1/p' \
		-e 's/^Foreign host: ([^,]+),.*/foreign \1/p' | xargs
}

bgp_established()
{
	[ "$(bgp_state "$1" "$2" | cut -d' ' -f1)" = Established ]
}

bgp_not_established()
{
	! bgp_established "$@"
}

test_frr_start()
{
	topo_up || { fail "topology"; return 1; }
	frr_conf a $A_LO4 $B_LO4
	frr_conf b $B_LO4 $A_LO4
	SECONDS=0
	if ! frr_start a || ! frr_start b; then
		show_logs "$(frr_dir a)"
		return 1
	fi
	log "$KIND: FRR daemons up in ${SECONDS}s"
	check_ok "a: OSPF settled" wait_for $CONVERGE frr_settled a
	check_ok "b: OSPF settled" wait_for $CONVERGE frr_settled b
	log "$KIND: OSPF adjacencies Full after ${SECONDS}s"
	show_logs "$(frr_dir a)"
}

test_frr_interface()
{
	check_eq "a: zebra's lo1" "${WANT[$KIND,zebra]}" "$(frr_iface a lo1)"
	check_eq "b: zebra's lo1" "${WANT[$KIND,zebra]}" "$(frr_iface b lo1)"
	check_eq "a: zebra's svc0" "${WANT[$KIND,zebra]}" "$(frr_iface a svc0)"
}

test_frr_router_id()
{
	local a=${WANT[$KIND,frr_rid_a]} b=${WANT[$KIND,frr_rid_b]}

	check_eq "a: ospfd ospf6d bgpd" "$a $a $a" "$(frr_rids a)"
	check_eq "b: ospfd ospf6d bgpd" "$b $b $b" "$(frr_rids b)"
}

test_frr_ospf()
{
	local out

	check_eq "ospfd's lo1" "${WANT[$KIND,ospf]}" \
		"$(frr_saved a "show ip ospf interface lo1" | sed -n -E \
			-e 's/.*(Network Type [A-Z]+).*/\1/p' \
			-e 's/.*(State [A-Za-z]+),.*/\1/p' | paste -sd '|')"
	check_eq "ospf6d's lo1" "${WANT[$KIND,ospf6]}" \
		"$(frr_saved a "show ipv6 ospf6 interface lo1" | sed -n -E \
			-e 's/^(lo1 is .*)/\1/p' \
			-e 's/^  (State [A-Za-z]+),.*/\1/p' | paste -sd '|')"
	check_ok "b: route to $A_LO4" wait_for $CONVERGE has_route b -4 $A_LO4
	check_ok "b: route to $A_LO6" wait_for $CONVERGE has_route b -6 $A_LO6
	# b pings from its lo1's /128: a must have the way back.
	check_ok "a: route to $B_LO6" wait_for $CONVERGE has_route a -6 $B_LO6
	log "$KIND: routes at b after ${SECONDS}s"
	check_eq "b: $A_LO4" "$A_LO4 via $A_VETH dev veth0 proto ospf metric 20" \
		"$(route b -4 $A_LO4)"
	check_eq "b: $A_LO6" "$A_LO6 via $A_LL dev veth0 proto ospf metric 20 pref medium" \
		"$(route b -6 $A_LO6)"
	check_ok "b pings $A_LO4" ip netns exec "$P-b" ping -c 1 -W 5 $A_LO4
	check_ok "b pings $A_LO6" ip netns exec "$P-b" ping -6 -c 1 -W 5 $A_LO6
	out=$(frr b "show ip route $A_LO4" "show ipv6 route $A_LO6")
	check_eq "b: OSPF metrics" "${WANT[$KIND,ospf_metric]}" \
		"$(echo "$out" | sed -n 's/.*Known via "ospf6*", distance 110, \(metric [0-9]*\), best/\1/p' |
			paste -sd '|')"
}

test_frr_bgp()
{
	check_ok "a: session Established" \
		wait_for $CONVERGE bgp_established a $B_LO4
	log "$KIND: BGP Established after ${SECONDS}s"
	check_eq "a: session" "Established local $A_LO4 foreign $B_LO4" \
		"$(bgp_state a $B_LO4)"
	check_eq "b: session" "Established local $B_LO4 foreign $A_LO4" \
		"$(bgp_state b $A_LO4)"
	check_ok "b: route to $SVC" wait_for $CONVERGE has_route b -4 $SVC
	check_eq "b: $SVC" "$SVC via $A_VETH dev veth0 proto bgp metric 20" \
		"$(route b -4 $SVC)"
	check_ok "b pings $SVC" ip netns exec "$P-b" ping -c 1 -W 5 $SVC
}

test_frr_carrier()
{
	check_ok "svc0 carrier off" ip -n "$P-a" link set svc0 carrier off
	SECONDS=0
	check_ok "b: $SVC withdrawn" wait_for $WITHDRAW no_route b -4 $SVC
	log "$KIND: $SVC withdrawn after ${SECONDS}s"
	if [ "$mlo_check_failed" -ne 0 ]; then
		ip -n "$P-a" -d link show svc0 | sed 's/^/# a: /'
		ip -n "$P-a" route show table all | grep svc0 | sed 's/^/# a: /'
		frr a "show interface svc0" "show ip route $SVC" \
			"show bgp ipv4 unicast $SVC" | sed 's/^/# a: /'
		frr b "show bgp ipv4 unicast $SVC" "show ip route $SVC" |
			sed 's/^/# b: /'
		show_logs "$(frr_dir a)"
	fi
	check_ok "svc0 carrier on" ip -n "$P-a" link set svc0 carrier on
	check_ok "b: $SVC back" wait_for $WITHDRAW has_route b -4 $SVC
}

test_frr_delete()
{
	check_ok "delete lo1" ip -n "$P-a" link del lo1
	SECONDS=0
	check_ok "b: $A_LO4 withdrawn" wait_for $WITHDRAW no_route b -4 $A_LO4
	check_ok "b: $A_LO6 withdrawn" wait_for $WITHDRAW no_route b -6 $A_LO6
	log "$KIND: lo1's routes withdrawn after ${SECONDS}s"
	# The session's addresses went with lo1.
	check_ok "b: session down" \
		wait_for $WITHDRAW bgp_not_established b $A_LO4
	check_ok "b: $SVC withdrawn" wait_for $WITHDRAW no_route b -4 $SVC
	check_eq "b: OSPF routes left" "" \
		"$(ip -n "$P-b" route show proto ospf; ip -n "$P-b" -6 route show proto ospf)"
	show_logs "$(frr_dir a)"
}

# ---- BIRD ----

bird_dir()
{
	echo "$TMP/bird-$KIND-$1"
}

# birdc NS CMD...: one command to NS's bird, without the banner.
birdc_ns()
{
	local ns=$1

	shift
	timeout 30 birdc -s "$(bird_dir "$ns")/bird.ctl" "$@" 2>&1 | sed 1d
}

# bird_conf NS: OSPFv2 and OSPFv3 on veth0, lo1 a stub; routes to the
# documentation prefixes exported to the kernel. b names its router ID
# source; a picks its own.
bird_conf()
{
	local d ns=$1 rid=""

	d=$(bird_dir "$ns")
	mkdir -p "$d"
	[ "$ns" != b ] || rid='router id from "lo1";'
	cat > "$d/bird.conf" <<-EOF
	log "$d/bird.log" all;
	$rid
	protocol device {
	}
	protocol kernel kernel4 {
		ipv4 { export where net ~ [ 198.51.100.0/24+ ]; };
	}
	protocol kernel kernel6 {
		ipv6 { export where net ~ [ 2001:db8::/32+ ]; };
	}
	protocol ospf v2 ospf4 {
		ipv4 { import all; export none; };
		area 0 {
			interface "veth0" { type ptp; hello 1; dead 4; retransmit 2; };
			interface "lo1" { stub yes; };
		};
	}
	protocol ospf v3 ospf6 {
		ipv6 { import all; export none; };
		area 0 {
			interface "veth0" { type ptp; hello 1; dead 4; retransmit 2; };
			interface "lo1" { stub yes; };
		};
	}
	EOF
}

bird_start()
{
	local d ns=$1

	d=$(bird_dir "$ns")
	bg_start "$d/bird.out" ip netns exec "$P-$ns" bird -f \
		-c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid"
	wait_for $CONVERGE test -S "$d/bird.ctl" ||
		{ fail "$ns: bird did not start"; return 1; }
}

bird_full()
{
	birdc_ns "$1" show ospf neighbors ospf4 | grep -q 'Full/' &&
	birdc_ns "$1" show ospf neighbors ospf6 | grep -q 'Full/'
}

# bird_ospf_iface NS PROTO: type and state of lo1 in NS's OSPF PROTO.
bird_ospf_iface()
{
	birdc_ns "$1" show ospf interface "$2" '"lo1"' |
		sed -n -E 's/^[[:space:]]+((Type|State): .*)/\1/p' | paste -sd '|'
}

bird_ospf6_up()
{
	[ -n "$(bird_ospf_iface "$1" ospf6)" ]
}

test_bird_start()
{
	topo_up || { fail "topology"; return 1; }
	bird_conf a
	bird_conf b
	SECONDS=0
	if ! bird_start a || ! bird_start b; then
		show_logs "$(bird_dir a)"
		return 1
	fi
	check_ok "a: OSPF adjacencies Full" wait_for $CONVERGE bird_full a
	check_ok "b: OSPF adjacencies Full" wait_for $CONVERGE bird_full b
	log "$KIND: BIRD adjacencies Full after ${SECONDS}s"
	show_logs "$(bird_dir a)"
}

# bird_iface NS DEV: what "show interfaces" says of DEV after its name
# line: flags, then addresses.
bird_iface()
{
	birdc_ns "$1" show interfaces |
		awk -v dev="$2" '/^[^[:space:]]/ { in_dev = ($1 == dev); next }
			in_dev { sub(/^[[:space:]]+/, ""); print }'
}

test_bird_interfaces()
{
	local out

	out=$(bird_iface a lo1)
	check_eq "a: lo1's flags" "${WANT[$KIND,bird_if]}" "$(echo "$out" | sed -n 1p)"
	check_eq "a: lo1's addresses" "${WANT[$KIND,bird_addr]}" \
		"$(echo "$out" | sed 1d | paste -sd '|')"
	check_eq "a: svc0's flags" "${WANT[$KIND,bird_if]}" \
		"$(bird_iface a svc0 | sed -n 1p)"
}

# BIRD takes the lowest address of any interface, loopback or not: in
# a, svc0's service address.
test_bird_router_id()
{
	check_eq "a: automatic router ID" "Router ID is $SVC" \
		"$(birdc_ns a show status | grep '^Router ID')"
	check_eq "b: router id from lo1" "Router ID is $B_LO4" \
		"$(birdc_ns b show status | grep '^Router ID')"
}

test_bird_ospf()
{
	check_eq "a: OSPFv2 lo1" "${WANT[$KIND,bird_ospf]}" \
		"$(bird_ospf_iface a ospf4)"
	check_eq "a: OSPFv3 lo1" "${WANT[$KIND,bird_ospf6]}" \
		"$(bird_ospf_iface a ospf6)"
	check_ok "b: route to $A_LO4" wait_for $CONVERGE has_route b -4 $A_LO4
	check_eq "b: $A_LO4" "$A_LO4 via $A_VETH dev veth0 proto bird metric 32" \
		"$(route b -4 $A_LO4)"
	check_ok "b pings $A_LO4" ip netns exec "$P-b" ping -c 1 -W 5 $A_LO4
	if [ "$KIND" = mlo ]; then
		# No OSPFv3 interface, so nothing carries the /128 yet; a
		# link-local address on each lo1 gives BIRD one.
		check_eq "b: $A_LO6 before" "" "$(route b -6 $A_LO6)"
		check_ok "a: link-local" ip -n "$P-a" addr add fe80::1/128 dev lo1
		check_ok "b: link-local" ip -n "$P-b" addr add fe80::1/128 dev lo1
		check_ok "a: OSPFv3 lo1" wait_for $CONVERGE bird_ospf6_up a
		check_eq "a: OSPFv3 lo1 with link-local" \
			"${WANT[mlo,bird_ospf6_ll]}" "$(bird_ospf_iface a ospf6)"
	fi
	check_ok "b: route to $A_LO6" wait_for $CONVERGE has_route b -6 $A_LO6
	check_ok "a: route to $B_LO6" wait_for $CONVERGE has_route a -6 $B_LO6
	check_eq "b: $A_LO6" "$A_LO6 via $A_LL dev veth0 proto bird metric 32 pref medium" \
		"$(route b -6 $A_LO6)"
	check_ok "b pings $A_LO6" ip netns exec "$P-b" ping -6 -c 1 -W 5 $A_LO6
}

test_bird_delete()
{
	check_ok "delete lo1" ip -n "$P-a" link del lo1
	SECONDS=0
	check_ok "b: $A_LO4 withdrawn" wait_for $WITHDRAW no_route b -4 $A_LO4
	check_ok "b: $A_LO6 withdrawn" wait_for $WITHDRAW no_route b -6 $A_LO6
	log "$KIND: withdrawn after ${SECONDS}s"
	show_logs "$(bird_dir a)"
}

# ---- main ----

have_frr()
{
	local dmn

	for dmn in $FRR_DAEMONS; do
		[ -x "$FRR_DIR/$dmn" ] || return 1
	done
	command -v vtysh > /dev/null && getent passwd frr > /dev/null
}

have_bird()
{
	command -v bird > /dev/null && command -v birdc > /dev/null
}

# run_if HAVE WHAT NAME FUNCTION: the case, or a skip when HAVE fails.
run_if()
{
	if "$1"; then
		run_test "$3" "$4"
	else
		ktap_result skip "$3" "$2 not installed"
	fi
}

require_root
require_cmd ip ping timeout sysctl getent paste
mlo_require_module
have_frr || have_bird || ksft_skip_all "neither FRR nor BIRD 2 installed"
TMP=$(mktemp -d)
chmod 755 "$TMP"
trap cleanup EXIT
mlo_load || ksft_skip_all "mlo does not load"

ktap_header 24
for KIND in mlo dummy; do
	t0=$(date +%s)
	run_if have_frr FRR "FRR, $KIND: daemons start, OSPF adjacencies" test_frr_start
	run_if have_frr FRR "FRR, $KIND: zebra's view of the device" test_frr_interface
	run_if have_frr FRR "FRR, $KIND: router ID when none is configured" test_frr_router_id
	run_if have_frr FRR "FRR, $KIND: OSPFv2 and OSPFv3 carry lo1's /32 and /128" test_frr_ospf
	run_if have_frr FRR "FRR, $KIND: iBGP between loopback addresses" test_frr_bgp
	run_if have_frr FRR "FRR, $KIND: svc0 carrier off withdraws the anycast route" test_frr_carrier
	run_if have_frr FRR "FRR, $KIND: deleting lo1 withdraws its routes" test_frr_delete
	topo_down
	log "$KIND: FRR cases took $(($(date +%s) - t0))s"
	t0=$(date +%s)
	run_if have_bird "BIRD 2" "BIRD, $KIND: daemons start, OSPF adjacencies" test_bird_start
	run_if have_bird "BIRD 2" "BIRD, $KIND: show interfaces" test_bird_interfaces
	run_if have_bird "BIRD 2" "BIRD, $KIND: router ID" test_bird_router_id
	run_if have_bird "BIRD 2" "BIRD, $KIND: lo1 as an OSPF stub" test_bird_ospf
	run_if have_bird "BIRD 2" "BIRD, $KIND: deleting lo1 withdraws its routes" test_bird_delete
	topo_down
	log "$KIND: BIRD cases took $(($(date +%s) - t0))s"
done
ktap_finish

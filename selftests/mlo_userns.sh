#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What an unprivileged user can do with mlo in a user + network namespace
# of its own, done by such a user (nobody, through setpriv + unshare -Urn
# and nsenter): create (the module autoloads), rename, MTU, carrier,
# addresses and routes; netfilter and tc hooks on an instance, which run
# before mlo's rx_handler and so see the PACKET_LOOPBACK mark on looped
# IP frames (nft's meta pkttype knows that mark for IPv4 and IPv6 only and
# warns on any other protocol: the mark is for IP frames only); packet
# taps; generic XDP; and what stays forbidden: moving an instance, loading
# the module with parameters, touching lo. Last, the namespace is killed
# with traffic running, and the module must unload after.
#
# Every case ends with the kernel log checked for new warnings.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
P=mlo-userns-$$
NOBODY=65534
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
# how long a namespace may take to go away once nothing holds it
TEARDOWN=60
BAD_LOG='WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t:|KASAN|UBSAN'

# The destinations the hook case sends to: this host (an instance's own
# address), all ones, IPv4 and IPv6 multicast, another host.
H=00:00:00:00:00:00
B=ff:ff:ff:ff:ff:ff
M4=01:00:5e:00:00:01
M6=33:33:00:00:00:01
O=02:00:00:00:00:01
KINDS="ipv4 ipv6 arp 88b5 vlan short"

HOLDER=
holders=()
pins=()

cleanup()
{
	userns_reset
	rm -f "${pins[@]}"
	mlo_reset
	mlo_cleanup
	rm -rf "$TMP"
}

# userns_new: a user + network namespace made by nobody, held by a sleep
# (HOLDER), with lo up; U runs a command in it as nobody.
userns_new()
{
	HOLDER=$(detach "${AS_NOBODY[@]}" unshare -Urn sleep 600)
	holders+=("$HOLDER")
	wait_for 30 in_own_netns "$HOLDER" || return 1
	U ip link set lo up
}

# in_own_netns PID: PID is in another network namespace than this shell.
in_own_netns()
{
	[ -e "/proc/$1/ns/net" ] &&
		[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/$$/ns/net)" ]
}

# detach CMD...: start CMD in the background, not as a job of this shell
# (whose SIGKILL bash would report), and print its pid.
detach()
{
	( "$@" > /dev/null 2>&1 < /dev/null & echo $! )
}

U()
{
	"${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n -t "$HOLDER" "$@"
}

# ns_kill PID: SIGKILL every process in PID's network namespace.
ns_kill()
{
	local ns p pids=()

	ns=$(readlink "/proc/$1/ns/net") || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2> /dev/null)" = "$ns" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2> /dev/null
}

userns_reset()
{
	local pid

	bg_stop_all
	for pid in "${holders[@]}"; do
		ns_kill "$pid"
	done
	holders=()
	HOLDER=
}

# user_netns_at_most N: at most N network namespaces of nobody's exist,
# counting those still being torn down: netns_at_most (lib.sh) for the
# namespaces nobody's user namespaces own, which the kernel charges to
# nobody in init_user_ns.
user_netns_at_most()
{
	local max=/proc/sys/user/max_net_namespaces old rc

	old=$(cat $max)
	echo $(($1 + 1)) > $max
	"${AS_NOBODY[@]}" unshare -Urn true 2> /dev/null
	rc=$?
	echo "$old" > $max
	return $rc
}

# klog_clean FUNC: FUNC, then its namespaces torn down, then the kernel
# log must show nothing new that scripts/vm would fail.
klog_clean()
{
	local mark rc t0

	mark=$(dmesg | wc -l)
	t0=$(date +%s)
	"$@"
	rc=$?
	userns_reset
	log "$1: $(($(date +%s) - t0))s"
	check_eq "new kernel warnings" "" \
		"$(dmesg | tail -n +$((mark + 1)) | grep -E "$BAD_LOG" | head -n 5)"
	return $rc
}

u_mlo_names()
{
	local out

	out=$(U ip -d -o link show) || { echo "(ip failed)"; return 1; }
	echo "$out" | awk -F': ' 'index($0, "\\    mlo ") {sub(/@.*/, "", $2); print $2}' | xargs
}

u_flags()
{
	U ip link show dev "$1" | sed -n '1s/.*<\(.*\)>.*/\1/p'
}

u_mtu()
{
	U ip -o link show dev "$1" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}

# u_addrs DEV: DEV's addresses, "ADDR peer PEER/LEN" for the peer form.
u_addrs()
{
	U ip -o addr show dev "$1" |
		awk '{ if ($5 == "peer") print $4 " peer " $6; else print $4 }' | xargs
}

# u_counters DEV: "tx_packets rx_packets rx_dropped" from the user's
# /proc/net/dev (sysfs is this shell's mount's, of init_net).
u_counters()
{
	U cat /proc/net/dev | tr ':' ' ' |
		awk -v dev="$1" '$1 == dev { print $11, $3, $5 }'
}

u_tx_above()
{
	local tx

	read -r tx _ < <(u_counters "$1")
	[ "${tx:-0}" -gt "$2" ]
}

u_icmp_in_echos()
{
	U awk '$1 == "Icmp:" { if (!c) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i }
		else print $c }' /proc/net/snmp
}

module_loaded()
{
	[ -d /sys/module/mlo ] && echo yes || echo no
}

# ---- 1: the basics ----

test_basics()
{
	local i n=20 all="" out

	mlo_unload_bounded > /dev/null || return 1
	userns_new || return 1
	check_eq "holder's uids" "$NOBODY $NOBODY $NOBODY $NOBODY" \
		"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/"$HOLDER"/status)"
	check_eq "nobody is root in its namespace" 0 "$(U id -u)"
	check_eq "not loaded yet" no "$(module_loaded)"

	for i in $(seq 0 $((n - 1))); do
		all+=" u$i"
	done
	check_ok "add $n" U ip -batch - < <(printf 'link add u%d type mlo\n' $(seq 0 $((n - 1))))
	check_eq "autoloaded by the user's add" yes "$(module_loaded)"
	check_eq "the $n instances" "${all# }" "$(u_mlo_names)"
	check_eq "none in init_net" "" "$(mlo_names)"
	check_ok "delete $n" U ip -batch - < <(printf 'link del u%d\n' $(seq 0 $((n - 1))))
	check_eq "all deleted" "" "$(u_mlo_names)"

	check_ok "add m0" U ip link add m0 type mlo
	check_ok "rename" U ip link set m0 name renamed
	check_eq "renamed" "renamed" "$(u_mlo_names)"
	check_ok "rename back" U ip link set renamed name m0
	check_eq "renamed back" "m0" "$(u_mlo_names)"

	check_ok "mtu 68" U ip link set m0 mtu 68
	check_eq "mtu is 68" 68 "$(u_mtu m0)"
	check_err "mtu 67" "mtu less than device minimum" U ip link set m0 mtu 67
	check_eq "mtu still 68" 68 "$(u_mtu m0)"
	check_ok "mtu 65536" U ip link set m0 mtu 65536
	check_eq "mtu is 65536" 65536 "$(u_mtu m0)"
	check_err "mtu 65537" "mtu greater than device maximum" U ip link set m0 mtu 65537
	check_eq "mtu still 65536" 65536 "$(u_mtu m0)"

	check_ok "up" U ip link set m0 up
	check_eq "flags up" "LOOPBACK,UP,LOWER_UP" "$(u_flags m0)"
	check_ok "carrier off" U ip link set m0 carrier off
	check_eq "flags, carrier off" "NO-CARRIER,LOOPBACK,UP" "$(u_flags m0)"
	check_ok "carrier on" U ip link set m0 carrier on
	check_eq "flags, carrier on" "LOOPBACK,UP,LOWER_UP" "$(u_flags m0)"

	check_ok "add /32" U ip addr add 192.0.2.1/32 dev m0
	check_ok "add peer" U ip addr add 192.0.2.2 peer 192.0.2.3/32 dev m0
	check_ok "add /128" U ip -6 addr add 2001:db8:1::1/128 dev m0 nodad
	check_err "127.0.0.1/8" "Error: 127.0.0.0/8 belongs to lo, not to mlo devices." \
		U ip addr add 127.0.0.1/8 dev m0
	check_err "127.1.2.3/32" "Error: 127.0.0.0/8 belongs to lo, not to mlo devices." \
		U ip addr add 127.1.2.3/32 dev m0
	check_err "::1" "Error: ::1 belongs to lo, not to mlo devices." \
		U ip -6 addr add ::1/128 dev m0
	check_eq "addresses" "192.0.2.1/32 192.0.2.2 peer 192.0.2.3/32 2001:db8:1::1/128" \
		"$(u_addrs m0)"

	check_ok "IPv4 route" U ip route add 198.51.100.0/24 dev m0
	check_ok "IPv6 route" U ip -6 route add 2001:db8:ff::/64 dev m0
	# The peer's prefix route is local, as on lo: fib_add_ifaddr()
	# makes it RTN_LOCAL on a loopback device.
	check_eq "IPv4 routes" "198.51.100.0/24 scope link" \
		"$(U ip route show dev m0 | xargs)"
	check_eq "IPv4 local routes" "local 192.0.2.1 proto kernel scope host src 192.0.2.1 local 192.0.2.2 proto kernel scope host src 192.0.2.2 local 192.0.2.3 proto kernel scope host src 192.0.2.2" \
		"$(U ip route show table local dev m0 | xargs)"
	check_eq "IPv6 routes" "2001:db8:1::1 proto kernel metric 256 pref medium 2001:db8:ff::/64 metric 1024 pref medium" \
		"$(U ip -6 route show dev m0 | xargs)"
	check_eq "route get" "198.51.100.9 dev m0 src 192.0.2.1" \
		"$(U ip route get 198.51.100.9 | head -n 1 | awk '{print $1, $2, $3, $4, $5}')"
	# Nothing answers (see mlo_traffic.sh): each request crosses m0 once.
	out=$(U ping -c 3 -i 0.2 -W 1 198.51.100.9 2>&1)
	check_match "routed ping" "3 packets transmitted, 0 received" "$out"
	check_eq "m0 tx rx dropped" "3 3 0" "$(u_counters m0)"
	check_eq "IcmpInEchos" 3 "$(u_icmp_in_echos)"
	check_ok "delete m0" U ip link del m0
	check_eq "none left" "" "$(u_mlo_names)"
}

# ---- 2: netfilter and tc hooks ----

# nft_counts FAMILY TABLE CHAIN: "host=N broadcast=N multicast=N other=N
# all=N" from the chain's counters.
nft_counts()
{
	U nft list chain "$1" "$2" "$3" | awk '
		/meta pkttype [a-z]+ counter packets/ {
			for (i = 1; i < NF; i++) if ($i == "pkttype") t = $(i + 1)
			for (i = 1; i < NF; i++) if ($i == "packets") print t "=" $(i + 1)
			next }
		/^[ \t]*counter packets/ { print "all=" $3 }' | xargs
}

# nft_chain FAMILY TABLE CHAIN HOOK PRIO: a base chain on m0 counting
# each meta pkttype and all packets.
nft_chain()
{
	U nft -f - <<-EOF
	table $1 $2 {
		chain $3 {
			type filter hook $4 device "m0" priority $5;
			meta pkttype host counter
			meta pkttype broadcast counter
			meta pkttype multicast counter
			meta pkttype other counter
			counter
		}
	}
	EOF
}

# tc_chain DIR: on m0's clsact DIR, a filter per skb->pkt_type 0-5
# (prefs 1-6) and one for everything (pref 10).
tc_chain()
{
	local pt

	{
		for pt in 0 1 2 3 4 5; do
			echo "filter add dev m0 $1 protocol all pref $((pt + 1))" \
				"basic match 'meta(pkt_type eq $pt)' action continue"
		done
		echo "filter add dev m0 $1 protocol all pref 10 basic action pass"
	} | U tc -batch -
}

# tc_hits DIR: "PREF=PACKETS ..." of the filters on m0's clsact DIR.
tc_hits()
{
	U tc -s filter show dev m0 "$1" | awk '
		/^filter .* handle/ { for (i = 1; i < NF; i++) if ($i == "pref") p = $(i + 1) }
		/Sent [0-9]+ bytes/ { for (i = 1; i < NF; i++) if ($i == "bytes") print p "=" $(i + 1) }' |
		xargs
}

# Every kind of frame to every destination, once: 30 frames, and a runt
# af_packet refuses. What each hook sees, by destination H B M4 M6 O:
#
#   skb->pkt_type as tc sees it: eth_type_trans()'s, or 5 (loopback) for
#   IPv4 and IPv6 not for another host. An instance's broadcast address
#   is 00:00:00:00:00:00, as lo's is, so ff:ff:ff:ff:ff:ff is multicast.
#     ipv4, ipv6, short   5 5 5 5 3
#     arp, 88b5, vlan     0 2 2 2 3
#   nft meta pkttype, netdev family: loopback IPv4 is broadcast (unicast
#   destination address) or multicast, loopback IPv6 always multicast;
#   a short IPv4 header is nothing at all.
#     ipv4                broadcast broadcast multicast multicast other
#     ipv6                multicast multicast multicast multicast other
#     short               - - - - other
#     arp, 88b5, vlan     host multicast multicast multicast other
#   nft inet ingress: IPv4 and IPv6 only, as netdev; it drops the short
#   headers.
#   egress, nft and tc: every frame as host (0).
test_hooks()
{
	local kind dst specs=() inet=1 egress=1

	userns_new || return 1
	check_ok "add m0" U ip link add m0 type mlo
	check_ok "m0 up" U ip link set m0 up
	check_ok "nft netdev ingress" nft_chain netdev t in ingress -100
	if ! nft_chain inet ti in ingress 100 > /dev/null 2>&1; then
		log "nft inet ingress not supported here"
		inet=0
	fi
	if ! nft_chain netdev te out egress 0 > /dev/null 2>&1; then
		log "nft netdev egress not supported here"
		egress=0
	fi
	check_ok "clsact" U tc qdisc add dev m0 clsact
	check_ok "tc ingress filters" tc_chain ingress
	check_ok "tc egress filters" tc_chain egress

	for kind in $KINDS; do
		for dst in $H $B $M4 $M6 $O; do
			specs+=("$kind@$dst")
		done
	done
	check_eq "frames" "sent=30 refused=1" \
		"$(U python3 "$UTIL" frames m0 "${specs[@]}" runt)"
	# Dropped for want of a protocol handler: the 88b5 and 802.1Q frames.
	check_eq "m0 tx rx dropped" "30 30 10" "$(u_counters m0)"

	check_eq "nft netdev ingress" "host=3 broadcast=2 multicast=15 other=6 all=30" \
		"$(nft_counts netdev t in)"
	check_eq "tc ingress" "1=3 2=0 3=9 4=6 5=0 6=12 10=30" "$(tc_hits ingress)"
	if [ $inet = 1 ]; then
		check_eq "nft inet ingress" "host=0 broadcast=2 multicast=6 other=2 all=10" \
			"$(nft_counts inet ti in)"
	fi
	if [ $egress = 1 ]; then
		check_eq "nft netdev egress" "host=30 broadcast=0 multicast=0 other=0 all=30" \
			"$(nft_counts netdev te out)"
	fi
	check_eq "tc egress" "1=30 2=0 3=0 4=0 5=0 6=0 10=30" "$(tc_hits egress)"
}

# ---- 3: taps ----

# An ETH_P_ALL socket sees a looped IP packet once, going out, unless it
# is for another host; any other frame twice, going out and coming in.
# The sniffer sends its frames from a socket of its own, then the pings
# are sent, then it reports.
test_taps()
{
	local n=5 pid out=$TMP/sniff

	userns_new || return 1
	check_ok "add m0" U ip link add m0 type mlo
	check_ok "m0 up" U ip link set m0 up
	check_ok "address" U ip addr add 192.0.2.1/32 dev m0
	check_ok "route" U ip route add 198.51.100.0/24 dev m0
	"${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n -t "$HOLDER" \
		python3 "$UTIL" sniff m0 --seconds 60 \
		--send 88b5@$H 88b5@$H arp@$B ipv6@$M6 ipv4@$O > "$out" 2>&1 < /dev/null &
	pid=$!
	mlo_bg_pids+=("$pid")
	check_ok "sniffer ready, frames sent" wait_for 30 grep -qx ready "$out"
	U ping -c $n -i 0.2 -W 1 198.51.100.9 > /dev/null
	bg_stop "$pid"
	check_eq "taps" "0800:otherhost=1 0800:outgoing=6 0806:multicast=1 0806:outgoing=1 86dd:outgoing=1 88b5:host=2 88b5:outgoing=2" \
		"$(tail -n 1 "$out")"
	check_eq "m0 tx rx" "10 10" "$(u_counters m0 | cut -d' ' -f1,2)"
}

# ---- 4: generic XDP ----

# iproute2 attaches a pinned program; the program is written out by
# mlo_util.py (no compiler) and loaded by root, as only root may load
# XDP programs.
test_xdp()
{
	local pass=/sys/fs/bpf/$P-pass drop=/sys/fs/bpf/$P-drop out pass_id drop_id

	mountpoint -q /sys/fs/bpf || { skip_test "no bpffs at /sys/fs/bpf"; return; }
	pins+=("$pass" "$drop")
	out=$(python3 "$UTIL" xdppin "/sys/fs/bpf/$P" 2>&1)
	check_match "load and pin" "^pass=[0-9]+ drop=[0-9]+$" "$out"
	read -r pass_id drop_id <<< "$(echo "$out" | tr -dc '0-9 ')"
	[ -n "$drop_id" ] || return 1
	chmod 0666 "$pass" "$drop"

	userns_new || return 1
	check_ok "add m0" U ip link add m0 type mlo
	check_ok "m0 up" U ip link set m0 up
	check_ok "address" U ip addr add 192.0.2.1/32 dev m0
	check_ok "route" U ip route add 198.51.100.0/24 dev m0
	if ! out=$(U ip link set dev m0 xdpgeneric pinned "$pass" 2>&1); then
		if echo "$out" | grep -q "Operation not permitted"; then
			skip_test "bpf() refuses the pinned program to an unprivileged user" \
				"(kernel.unprivileged_bpf_disabled=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)): $out"
			return
		fi
		fail "attach generic XDP: $out"
		return 1
	fi
	# Only the id: looking a program up by id takes CAP_SYS_ADMIN.
	check_match "pass attached" " xdpgeneric .* prog/xdp id $pass_id$" \
		"$(U ip -d link show dev m0 | xargs)"
	check_err "native XDP" "does not support XDP in native mode" \
		U ip -force link set dev m0 xdpdrv pinned "$pass"
	U ping -c 3 -i 0.2 -W 1 198.51.100.9 > /dev/null
	check_eq "passed: IcmpInEchos" 3 "$(u_icmp_in_echos)"
	check_ok "replace with drop" U ip -force link set dev m0 xdpgeneric pinned "$drop"
	check_match "drop attached" " xdpgeneric .* prog/xdp id $drop_id$" \
		"$(U ip -d link show dev m0 | xargs)"
	U ping -c 3 -i 0.2 -W 1 198.51.100.9 > /dev/null
	check_eq "dropped: IcmpInEchos" 3 "$(u_icmp_in_echos)"
	check_eq "m0 tx rx" "6 6" "$(u_counters m0 | cut -d' ' -f1,2)"
	check_ok "detach" U ip link set dev m0 xdpgeneric off
	check_eq "detached" "" "$(U ip -d link show dev m0 | grep -E "xdp|prog")"
	U ping -c 2 -i 0.2 -W 1 198.51.100.9 > /dev/null
	check_eq "after detach: IcmpInEchos" 5 "$(u_icmp_in_echos)"
	check_ok "delete m0 with nothing attached" U ip link del m0
}

# ---- 5: what stays forbidden ----

test_forbidden()
{
	local load=(modprobe mlo) other base_lo base_routes

	[ -z "${MLO_KO:-}" ] || load=(insmod "$MLO_KO")
	mlo_unload_bounded > /dev/null || return 1
	base_lo=$(ip -o addr show dev lo | awk '{print $4}' | xargs)
	base_routes=$(lo_routes)
	userns_new || return 1

	check_err "load as nobody" "Operation not permitted" \
		"${AS_NOBODY[@]}" "${load[@]}" numdevs=3
	check_err "load as nobody's namespace root" "Operation not permitted" \
		U "${load[@]}" numdevs=3
	check_err "add in init_net as nobody" "RTNETLINK answers: Operation not permitted" \
		"${AS_NOBODY[@]}" ip link add m0 type mlo
	check_eq "still not loaded" no "$(module_loaded)"
	check_ok "add m0 in the user's namespace" U ip link add m0 type mlo
	check_eq "autoloaded without devices" "0 " \
		"$(cat /sys/module/mlo/parameters/numdevs) $(mlo_names)"
	check_ok "m0 up" U ip link set m0 up
	check_ok "address" U ip addr add 192.0.2.1/32 dev m0

	# A second netns of the same user, which it may move devices to.
	other=$(detach "${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n \
		-t "$HOLDER" unshare -n sleep 600)
	holders+=("$other")
	check_ok "second netns" wait_for 30 in_third_netns "$other" "$HOLDER"
	check_as_lo "move to the user's other netns" m0 \
		U ip link set DEV netns "$other"
	[ "$AS_LO_RC" -ne 0 ] || fail "the user moved its lo"
	check_err "move to init_net" "RTNETLINK answers: Operation not permitted" \
		U ip link set m0 netns 1
	check_eq "m0 stays" "m0" "$(u_mlo_names)"
	check_eq "m0 keeps its address" "192.0.2.1/32" "$(u_addrs m0)"
	check_eq "other netns" "lo" \
		"$("${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n -t "$other" ip -o link show |
			awk -F': ' '{print $2}' | xargs)"
	check_eq "init_net" "" "$(mlo_names)"

	check_eq "user's lo addresses" "127.0.0.1/8 ::1/128" \
		"$(U ip -o addr show dev lo | awk '{print $4}' | xargs)"
	# What lo has in a netns no instance ever saw (5.10 also has a
	# broadcast route for 127.0.0.0).
	netns_new "$P-ref" || return 1
	check_eq "user's local routes on lo" \
		"$(ip -n "$P-ref" route show table local dev lo | xargs)" \
		"$(U ip route show table local dev lo | xargs)"
	check_eq "user's local IPv6 route on lo" "local ::1 proto kernel metric 0 pref medium" \
		"$(U ip -6 route show table local dev lo | xargs)"
	check_ok "user pings 127.0.0.1" U ping -q -c 1 -W 2 127.0.0.1
	check_ok "user pings ::1" U ping -q -6 -c 1 -W 2 ::1
	check_eq "init_net lo addresses unchanged" "$base_lo" \
		"$(ip -o addr show dev lo | awk '{print $4}' | xargs)"
	check_eq "init_net lo routes unchanged" "$base_routes" "$(lo_routes)"
	# lo_intact (lib.sh) for init_net after the last case.
}

# lo_routes: this netns's routes through lo, all tables.
lo_routes()
{
	{ ip route show table all dev lo; ip -6 route show table all dev lo; } | xargs
}

# in_third_netns PID1 PID2: PID1 is neither in this shell's network
# namespace nor in PID2's.
in_third_netns()
{
	in_own_netns "$1" &&
		[ "$(readlink "/proc/$1/ns/net")" != "$(readlink "/proc/$2/ns/net")" ]
}

# ---- 6: teardown with traffic ----

test_teardown()
{
	local before out

	mlo_reset
	check_ok "earlier namespaces gone" wait_for $TEARDOWN user_netns_at_most 0
	before=$(ip -d -o link show)
	userns_new || return 1
	check_ok "add m0" U ip link add m0 type mlo
	check_ok "add m1" U ip link add m1 type mlo
	check_ok "m0 setup" U ip -batch - <<-EOF
	link set m0 up
	link set m1 up
	addr add 192.0.2.1/32 dev m0
	route add 198.51.100.0/24 dev m0
	EOF
	check_ok "nft on m1" nft_chain_m1
	check_ok "tc on m0" U tc qdisc add dev m0 clsact
	check_ok "tc filter on m0" U tc filter add dev m0 ingress protocol all pref 1 \
		basic match "meta(pkt_type eq 5)" action pass

	# Ended by ns_kill below, with the holder.
	detach "${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n -t "$HOLDER" \
		ping -f -q -w 200 198.51.100.9 > /dev/null
	detach "${AS_NOBODY[@]}" nsenter --preserve-credentials -U -n -t "$HOLDER" \
		python3 "$UTIL" frames m1 "ipv4@$H" "ipv6@$M6" "arp@$B" "88b5@$H" \
		"vlan@$O" --seconds 200 > /dev/null
	check_ok "m0 busy" wait_for 60 u_tx_above m0 100
	check_ok "m1 busy" wait_for 60 u_tx_above m1 100

	SECONDS=0
	ns_kill "$HOLDER"
	userns_reset
	check_ok "namespace torn down within ${TEARDOWN}s" \
		wait_for $TEARDOWN user_netns_at_most 0
	log "namespace with busy instances torn down in ${SECONDS}s"
	check_eq "no instance in init_net" "" "$(mlo_names)"
	check_eq "init_net links unchanged" "$before" "$(ip -d -o link show)"
	out=$(mlo_unload_bounded 120) || fail "rmmod mlo: $out"
	check_eq "unloaded" no "$(module_loaded)"
	lo_intact
}

nft_chain_m1()
{
	U nft -f - <<-EOF
	table netdev t {
		chain in {
			type filter hook ingress device "m1" priority 0;
			meta pkttype host counter
			meta pkttype multicast counter
			counter
		}
	}
	EOF
}

require_root
require_cmd ip tc nft unshare nsenter setpriv python3 ping dmesg
mlo_require_module
[ -z "${MLO_KO:-}" ] || modinfo mlo > /dev/null 2>&1 ||
	ksft_skip_all "the user's ip link add autoloads mlo: it must be installed"
[ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2> /dev/null || echo 1)" != 0 ] ||
	ksft_skip_all "unprivileged user namespaces disabled (kernel.unprivileged_userns_clone=0)"
"${AS_NOBODY[@]}" unshare -Urn true 2> /dev/null ||
	ksft_skip_all "nobody cannot create a user + network namespace"
[ -w /proc/sys/user/max_net_namespaces ] ||
	ksft_skip_all "/proc/sys/user/max_net_namespaces not writable"
TMP=$(mktemp -d)
trap cleanup EXIT

ktap_header 6
run_test "a user creates, renames, configures and deletes instances" klog_clean test_basics
run_test "nft and tc hooks see exact packet types, no warning" klog_clean test_hooks
run_test "taps see looped IP once, other frames twice" klog_clean test_taps
run_test "generic XDP attached by the user" klog_clean test_xdp
run_test "moves, module loads and lo stay out of reach" klog_clean test_forbidden
run_test "namespace killed with traffic running, then unload" klog_clean test_teardown
ktap_finish

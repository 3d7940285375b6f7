#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What holds for an instance holds on both ways one is made ("numdevs"
# at load, "ip link add"), at both edges of the MTU range, and on every
# way its counters move: packets the backlog refuses, counts made on a
# CPU that then goes offline, and the software timestamps ethtool -T
# announces, delivered end to end.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
NS=mlo-counters-$$
SYSCTLS=()

cleanup()
{
	local i

	# Newest first: a key set twice gets its first value back.
	for ((i = ${#SYSCTLS[@]} - 1; i >= 0; i--)); do
		sysctl -qw "${SYSCTLS[i]}"
	done
	[ ! -w /sys/devices/system/cpu/cpu1/online ] ||
		echo 1 > /sys/devices/system/cpu/cpu1/online
	mlo_cleanup
}

# set_sysctl KEY VALUE: in init_net, put back by cleanup.
set_sysctl()
{
	SYSCTLS+=("$1=$(sysctl -n "$1")")
	sysctl -qw "$1=$2"
}

# props DEV: everything a user can read of DEV but its name and index,
# one sorted "key=value" per line.
props()
{
	local dev=$1

	ip -d -j link show dev "$dev" | python3 -c '
import glob, json, os, sys

dev = sys.argv[1]
link = json.load(sys.stdin)[0]
for key in ("ifindex", "ifname"):
    link.pop(key, None)
for key, value in sorted(link.items()):
    print("link.%s=%s" % (key, json.dumps(value, sort_keys=True)))

# One process for every file: each one spawned costs most of a second
# on the debug kernel under emulation.
def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:     # carrier and the like refuse while down
        return ""

for f in ("type", "flags", "mtu", "tx_queue_len", "addr_len",
          "addr_assign_type", "address", "broadcast", "carrier",
          "operstate", "dormant", "link_mode", "gro_flush_timeout",
          "napi_defer_hard_irqs", "netdev_group", "proto_down", "threaded"):
    path = "/sys/class/net/%s/%s" % (dev, f)
    if os.path.exists(path):
        print("sysfs.%s=%s" % (f, read(path)))
for fam in ("ipv4", "ipv6"):
    for path in sorted(glob.glob("/proc/sys/net/%s/conf/%s/*" % (fam, dev))):
        print("%s/conf/DEV/%s=%s" % (fam, os.path.basename(path), read(path)))
' "$dev"
	ethtool -i "$dev" | sed 's/^/ethtool-i./'
	ethtool -k "$dev" | sed '1d; s/^/ethtool-k./'
	ethtool -T "$dev" | sed '1d; s/^/ethtool-T./'
}

# check_mtu_edges DEV: 68 and 65536 taken, 67 and 65537 refused.
check_mtu_edges()
{
	local dev=$1

	check_err "$dev mtu 67" "mtu less than device minimum" \
		ip link set "$dev" mtu 67
	check_ok "$dev mtu 68" ip link set "$dev" mtu 68
	check_eq "$dev is 68" 68 "$(cat "/sys/class/net/$dev/mtu")"
	check_err "$dev mtu 65537" "mtu greater than device maximum" \
		ip link set "$dev" mtu 65537
	check_eq "$dev still 68" 68 "$(cat "/sys/class/net/$dev/mtu")"
	check_ok "$dev mtu 65536" ip link set "$dev" mtu 65536
	check_eq "$dev is 65536" 65536 "$(cat "/sys/class/net/$dev/mtu")"
}

test_both_paths()
{
	local a b

	mlo_load numdevs=1 || return 1
	check_ok "add mlo1" ip link add type mlo
	check_eq "names" "mlo0 mlo1" "$(mlo_names)"
	a=$(props mlo0)
	b=$(props mlo1)
	check_eq "same down" "$a" "$b"
	check_match "LOOPBACK down" '^sysfs.flags=0x8$' "$(echo "$a" | grep '^sysfs.flags=')"
	check_eq "no xfrm, no policy" "ipv4/conf/DEV/disable_policy=1 ipv4/conf/DEV/disable_xfrm=1" \
		"$(echo "$a" | grep -E '^ipv4/conf/DEV/disable_(policy|xfrm)=' | xargs)"
	ip link set mlo0 up
	ip link set mlo1 up
	a=$(props mlo0)
	b=$(props mlo1)
	check_eq "same up" "$a" "$b"
	check_match "LOOPBACK up" '^sysfs.flags=0x9$' "$(echo "$a" | grep '^sysfs.flags=')"
	check_mtu_edges mlo0
	check_mtu_edges mlo1
	check_eq "same after MTU edges" "$(props mlo0)" "$(props mlo1)"
	check_eq "mtu at creation 68" 68 \
		"$(ip link add m68 mtu 68 type mlo && cat /sys/class/net/m68/mtu)"
	check_eq "mtu at creation 65536" 65536 \
		"$(ip link add m64k mtu 65536 type mlo && cat /sys/class/net/m64k/mtu)"
}

# forward_setup DEV: the netns $NS sends through a veth to this one,
# which forwards 198.18.1.0/24 out of DEV (MTU 1280) with TTL 1 left, so
# that what DEV loops back is not forwarded again.
forward_setup()
{
	local dev=$1

	ip netns del "$NS" 2> /dev/null
	ip link del fw0 2> /dev/null
	netns_new "$NS" || return 1
	ip link add fw0 mtu 9000 type veth peer name fw1 mtu 9000 netns "$NS" || return 1
	ip link set fw0 up
	ip addr add 198.51.100.1/24 dev fw0
	ip -n "$NS" link set fw1 up
	ip -n "$NS" addr add 198.51.100.2/24 dev fw1
	ip -n "$NS" route add 198.18.1.0/24 via 198.51.100.1
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_default_ttl=2
	# No DF: the datagrams must reach this netns whole, to be cut here.
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
	ip link set "$dev" up mtu 1280
	ip route add 198.18.1.0/24 dev "$dev"
	set_sysctl net.ipv4.conf.all.forwarding 1
}

# softnet_dropped: packets the backlogs of all CPUs refused, so far.
softnet_dropped()
{
	local line total=0

	while read -r _ line _; do
		total=$((total + 0x$line))
	done < /proc/net/softnet_stat
	echo $total
}

# forwarded: datagrams this netns has forwarded, so far.
forwarded()
{
	awk '$1 == "Ip:" && !h { for (i = 1; i <= NF; i++) f[$i] = i; h = 1; next }
	     $1 == "Ip:" { print $f["ForwDatagrams"] }' /proc/net/snmp
}

# check_backlog_drops DEV: 50 datagrams of 4000 bytes forwarded out of
# DEV in 4 fragments each (IP lengths 1276, 1276, 1276, 260), all handed
# back from within one softirq: with a backlog of one, the third and
# fourth of each are refused. Whatever the timing, every fragment DEV
# sent is either received or counted dropped, and the backlogs' own
# count agrees.
check_backlog_drops()
{
	local dev=$1 dropped_before fwd_before fwd tx rx rxd vethd

	forward_setup "$dev" || return 1
	set_sysctl net.core.netdev_max_backlog 1
	dropped_before=$(softnet_dropped)
	fwd_before=$(forwarded)
	check_eq "sent" "sent=50 errors=0" \
		"$(ip netns exec "$NS" python3 "$UTIL" flood 198.18.1.9 9 --count 50 --size 4000)"
	sleep 1
	fwd=$(($(forwarded) - fwd_before))
	tx=$(link_stat "$dev" tx_packets)
	rx=$(link_stat "$dev" rx_packets)
	rxd=$(link_stat "$dev" rx_dropped)
	vethd=$(link_stat fw0 rx_dropped)
	log "$dev: forwarded=$fwd tx=$tx rx=$rx rx_dropped=$rxd, fw0 rx_dropped=$vethd"
	check_eq "$dev tx: 4 fragments per datagram forwarded" $((4 * fwd)) "$tx"
	check_eq "$dev tx_bytes" $((4088 * fwd)) "$(link_stat "$dev" tx_bytes)"
	check_eq "$dev tx = rx + rx_dropped" "$tx" $((rx + rxd))
	check_match "$dev drops some" '^[1-9]' "$rxd"
	check_eq "backlog drops are the devices' drops" $((rxd + vethd)) \
		$(($(softnet_dropped) - dropped_before))
}

test_backlog_numdevs()
{
	mlo_load numdevs=1 || return 1
	check_backlog_drops mlo0
}

test_backlog_added()
{
	mlo_load || return 1
	ip link add m1 type mlo || return 1
	check_backlog_drops m1
}

# check_cpu_offline DEV N: what was counted on CPU 1 is still counted
# once CPU 1 is offline, and after it is back.
check_cpu_offline()
{
	local dev=$1 n=$2 before

	mlo_dev_setup "" "$dev" "$n" || return 1
	check_eq "sent on CPU 1" "sent=300 errors=0" \
		"$(taskset -c 1 python3 "$UTIL" flood "198.18.$n.9" 9 --dev "$dev" --count 300)"
	before="$(link_stat "$dev" tx_packets) $(link_stat "$dev" rx_packets)"
	check_eq "$dev counted" "300 300" "$before"
	check_ok "CPU 1 offline" sh -c 'echo 0 > /sys/devices/system/cpu/cpu1/online'
	check_eq "$dev with CPU 1 offline" "$before" \
		"$(link_stat "$dev" tx_packets) $(link_stat "$dev" rx_packets)"
	check_eq "$dev ip -s with CPU 1 offline" "300 300" \
		"$(ip -s -j link show dev "$dev" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["tx"]["packets"], s["rx"]["packets"])')"
	check_ok "CPU 1 online" sh -c 'echo 1 > /sys/devices/system/cpu/cpu1/online'
	check_eq "$dev with CPU 1 back" "$before" \
		"$(link_stat "$dev" tx_packets) $(link_stat "$dev" rx_packets)"
}

test_cpu_offline()
{
	[ -w /sys/devices/system/cpu/cpu1/online ] ||
		{ skip_test "CPU 1 cannot go offline here"; return; }
	mlo_load numdevs=1 || return 1
	ip link add m1 type mlo || return 1
	check_cpu_offline mlo0 1
	check_cpu_offline m1 2
}

test_timestamps()
{
	mlo_load numdevs=1 || return 1
	ip link add m1 type mlo || return 1
	mlo_dev_setup "" mlo0 1 || return 1
	mlo_dev_setup "" m1 2 || return 1
	check_eq "mlo0 stamps" "tx=1 rx=1 late=0" \
		"$(python3 "$UTIL" tstamp mlo0 198.18.1.9 9)"
	check_eq "m1 stamps" "tx=1 rx=1 late=0" \
		"$(python3 "$UTIL" tstamp m1 198.18.2.9 9)"
}

test_lo_intact()
{
	mlo_unload
	lo_intact
}

require_root
require_cmd ip ethtool python3 taskset sysctl
mlo_require_module
trap cleanup EXIT

ktap_header 6
run_test "numdevs and ip link add give the same instance, MTU edges on both" test_both_paths
run_test "backlog drops counted, numdevs instance" test_backlog_numdevs
run_test "backlog drops counted, added instance" test_backlog_added
run_test "counts made on a CPU that goes offline are kept" test_cpu_offline
run_test "software timestamps delivered, as ethtool -T says" test_timestamps
run_test "lo intact" test_lo_intact
ktap_finish

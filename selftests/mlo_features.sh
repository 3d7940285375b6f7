#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Device properties of an mlo instance: MTU bounds and their error
# texts, at creation too; carrier off/on as seen by ip link, routes,
# ethtool and the transmit path; ethtool -i, -k (which features are
# fixed, which can be turned off, and that traffic still flows with them
# off) and -T.

source "$(dirname "$0")/lib.sh"

NS=mlo-features-$$
UTIL=$MLO_DIR/mlo_util.py
DST=198.51.100.9

nsx()
{
	ip netns exec "$NS" "$@"
}

# features_setup: a fresh module, and a fresh netns NS holding mlo0, up,
# with 198.51.100.0/24 routed out of it.
features_setup()
{
	ip netns del "$NS" 2> /dev/null
	mlo_load || return 1
	netns_new "$NS" || return 1
	ip -n "$NS" link add mlo0 type mlo || return 1
	ip -n "$NS" link set mlo0 up || return 1
	ip -n "$NS" route add 198.51.100.0/24 dev mlo0
}

mtu()
{
	ip -n "$NS" -o link show dev "$1" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}

tx_packets()
{
	link_stat -n "$NS" mlo0 tx_packets
}

# routed_ping N: send N echo requests out of mlo0 (nothing answers them).
routed_ping()
{
	nsx ping -q -c "$1" -i 0.2 -W 1 "$DST" > /dev/null 2>&1
}

# wait_eq WHAT EXPECTED CMD...: CMD's output becomes EXPECTED within 5 s
# (linkwatch applies carrier changes to operstate asynchronously).
wait_eq()
{
	local what=$1 want=$2 got i

	shift 2
	for i in $(seq 25); do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	check_eq "$what" "$want" "$got"
}

# The driver version, from the source tree when the suite runs from it.
mlo_version()
{
	if [ -f "$MLO_DIR/../mlo.h" ]; then
		sed -n 's/^#define MLO_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$MLO_DIR/../mlo.h"
	else
		modinfo -F version mlo
	fi
}

test_mtu_bounds()
{
	features_setup || return 1
	check_eq "default mtu" 65536 "$(mtu mlo0)"
	check_ok "mtu 68" ip -n "$NS" link set mlo0 mtu 68
	check_eq "mtu is 68" 68 "$(mtu mlo0)"
	check_err "mtu 67" "mtu less than device minimum" \
		ip -n "$NS" link set mlo0 mtu 67
	check_eq "mtu still 68" 68 "$(mtu mlo0)"
	check_ok "mtu 65536" ip -n "$NS" link set mlo0 mtu 65536
	check_eq "mtu is 65536" 65536 "$(mtu mlo0)"
	check_err "mtu 65537" "mtu greater than device maximum" \
		ip -n "$NS" link set mlo0 mtu 65537
	check_eq "mtu still 65536" 65536 "$(mtu mlo0)"
	check_err "mtu 0" "mtu less than device minimum" \
		ip -n "$NS" link set mlo0 mtu 0
	check_eq "sysfs mtu" 65536 "$(nsx cat /sys/class/net/mlo0/mtu)"
}

test_mtu_at_creation()
{
	local out

	features_setup || return 1
	check_err "create with mtu 70000" "mtu greater than device maximum" \
		ip -n "$NS" link add x mtu 70000 type mlo
	check_err "create with mtu 65537" "mtu greater than device maximum" \
		ip -n "$NS" link add x mtu 65537 type mlo
	check_err "create with mtu 67" "mtu less than device minimum" \
		ip -n "$NS" link add x mtu 67 type mlo
	check_eq "no device x" "" "$(ip -n "$NS" -o link show dev x 2> /dev/null)"
	check_eq "only mlo0" "mlo0" \
		"$(ip -n "$NS" -o link show type mlo | awk -F': ' '{print $2}' | xargs)"
	# The same through netlink directly: EINVAL with the text.
	out=$(nsx python3 "$UTIL" newlink --name x --mtu 70000)
	check_eq "RTM_NEWLINK mtu 70000" "error=-22 msg=mtu greater than device maximum" "$out"
	check_ok "create with mtu 68" ip -n "$NS" link add x mtu 68 type mlo
	check_eq "x mtu" 68 "$(mtu x)"
	check_ok "create with mtu 65536" ip -n "$NS" link add y mtu 65536 type mlo
	check_eq "y mtu" 65536 "$(mtu y)"
}

test_carrier()
{
	local before

	features_setup || return 1
	check_eq "flags" "LOOPBACK,UP,LOWER_UP" "$(ip -n "$NS" link show dev mlo0 |
		sed -n '1s/.*<\(.*\)>.*/\1/p')"

	check_ok "carrier off" ip -n "$NS" link set mlo0 carrier off
	check_eq "flags, carrier off" "NO-CARRIER,LOOPBACK,UP" \
		"$(ip -n "$NS" link show dev mlo0 | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	check_eq "sysfs carrier" 0 "$(nsx cat /sys/class/net/mlo0/carrier)"
	wait_eq "operstate, carrier off" down nsx cat /sys/class/net/mlo0/operstate
	check_eq "route, carrier off" "198.51.100.0/24 dev mlo0 scope link linkdown" \
		"$(ip -n "$NS" route show 198.51.100.0/24 | xargs)"
	check_eq "ethtool, carrier off" "Link detected: no" \
		"$(nsx ethtool mlo0 | grep 'Link detected' | xargs)"
	before=$(tx_packets)
	routed_ping 3
	check_eq "nothing sent with carrier off" "$before" "$(tx_packets)"
	check_eq "nothing received with carrier off" "$before" \
		"$(link_stat -n "$NS" mlo0 rx_packets)"

	check_ok "carrier on" ip -n "$NS" link set mlo0 carrier on
	check_eq "flags, carrier on" "LOOPBACK,UP,LOWER_UP" \
		"$(ip -n "$NS" link show dev mlo0 | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	check_eq "sysfs carrier" 1 "$(nsx cat /sys/class/net/mlo0/carrier)"
	# UNKNOWN before the first carrier change (nothing ran linkwatch),
	# UP after it, as for dummy.
	wait_eq "operstate, carrier on" up nsx cat /sys/class/net/mlo0/operstate
	check_eq "route, carrier on" "198.51.100.0/24 dev mlo0 scope link" \
		"$(ip -n "$NS" route show 198.51.100.0/24 | xargs)"
	check_eq "ethtool, carrier on" "Link detected: yes" \
		"$(nsx ethtool mlo0 | grep 'Link detected' | xargs)"
	routed_ping 3
	check_eq "3 sent with carrier on" $((before + 3)) "$(tx_packets)"
	check_eq "3 received with carrier on" $((before + 3)) \
		"$(link_stat -n "$NS" mlo0 rx_packets)"
}

test_ethtool_info()
{
	local info ver

	features_setup || return 1
	ver=$(mlo_version)
	check_match "version known" '^[0-9]+\.[0-9]+\.[0-9]+$' "$ver"
	check_eq "modinfo version" "$ver" "$(modinfo -F version mlo)"
	info=$(nsx ethtool -i mlo0)
	check_eq "driver" "driver: mlo" "$(echo "$info" | grep '^driver:')"
	check_eq "version" "version: $ver" "$(echo "$info" | grep '^version:')"
	check_eq "bus-info empty" "bus-info: " "$(echo "$info" | grep '^bus-info:')"
	check_eq "firmware-version empty" "firmware-version: " \
		"$(echo "$info" | grep '^firmware-version:')"
	check_eq "no statistics" "supports-statistics: no" \
		"$(echo "$info" | grep '^supports-statistics:')"
}

# ethtool -k: lines that must appear exactly (on every kernel).
FEATURES_DEFAULT="rx-checksumming: on
tx-checksumming: on
	tx-checksum-ip-generic: on
	tx-checksum-sctp: on
scatter-gather: on
	tx-scatter-gather: on
	tx-scatter-gather-fraglist: on
tcp-segmentation-offload: on
	tx-tcp-segmentation: on
	tx-tcp6-segmentation: on
generic-segmentation-offload: on
highdma: on [fixed]
vlan-challenged: on [fixed]
tx-sctp-segmentation: on
loopback: on [fixed]
rx-vlan-filter: off [fixed]
large-receive-offload: off [fixed]"

# check_features WHAT LINES: each of LINES is in ethtool -k mlo0.
check_features()
{
	local what=$1 k line

	k=$(nsx ethtool -k mlo0)
	while IFS= read -r line; do
		echo "$k" | grep -qxF -- "$line" ||
			fail "$what: no line '$line' in ethtool -k, have '$(echo "$k" |
				grep -F -- "$(echo "$line" | sed 's/:.*//'):" | xargs)'"
	done <<< "$2"
}

test_ethtool_features()
{
	features_setup || return 1
	check_features "defaults" "$FEATURES_DEFAULT"
	# Part of NETIF_F_GSO_SOFTWARE, as lo has them, from 5.12: on 5.10
	# neither lo nor an instance has them.
	check_eq "lo shows UDP and fraglist GSO" 2 \
		"$(nsx ethtool -k lo | grep -cE '^tx-(udp-segmentation|gso-list): ')"
	check_eq "UDP and fraglist GSO as lo's" \
		"$(nsx ethtool -k lo | grep -E '^tx-(udp-segmentation|gso-list): ' | sed 's/ \[fixed\]//')" \
		"$(nsx ethtool -k mlo0 | grep -E '^tx-(udp-segmentation|gso-list): ' | sed 's/ \[fixed\]//')"

	check_ok "tso off" nsx ethtool -K mlo0 tso off
	check_features "tso off" "tcp-segmentation-offload: off
	tx-tcp-segmentation: off
	tx-tcp6-segmentation: off
scatter-gather: on"

	check_err "highdma off" "Could not change any device features" \
		nsx ethtool -K mlo0 highdma off
	check_err "loopback off" "Could not change any device features" \
		nsx ethtool -K mlo0 loopback off
	check_features "fixed after refusal" "highdma: on [fixed]
loopback: on [fixed]"

	check_ok "tso on" nsx ethtool -K mlo0 tso on
	check_features "tso on" "tcp-segmentation-offload: on"
}

# Traffic still flows, counted exactly, with offloads off.
test_offloads_off()
{
	local out

	features_setup || return 1
	check_ok "tx off" nsx ethtool -K mlo0 tx off
	check_ok "sg off" nsx ethtool -K mlo0 sg off
	check_ok "rx off" nsx ethtool -K mlo0 rx off
	check_features "offloads off" "tx-checksumming: off
	tx-checksum-ip-generic: off
scatter-gather: off
	tx-scatter-gather: off
generic-segmentation-offload: off [requested on]
rx-checksumming: off"
	routed_ping 3
	# 3 x (56 + 8 + 20) bytes
	check_eq "ping counted" "3 252 3 252" "$(for c in tx_packets tx_bytes rx_packets rx_bytes; do
		link_stat -n "$NS" mlo0 $c; done | xargs)"
	out=$(nsx python3 "$UTIL" udp 198.51.100.5 4000 5 20000)
	check_eq "udp 5 x 20000" "sent=5 received=5" "$out"
	check_eq "udp counted" "8 100392 8 100392" "$(for c in tx_packets tx_bytes rx_packets rx_bytes; do
		link_stat -n "$NS" mlo0 $c; done | xargs)"
	check_eq "rx_dropped" 0 "$(link_stat -n "$NS" mlo0 rx_dropped)"
}

test_ethtool_ts()
{
	local t

	features_setup || return 1
	t=$(nsx ethtool -T mlo0)
	check_eq "capabilities" "software-transmit software-receive software-system-clock" \
		"$(echo "$t" | sed -n '/^Capabilities:/,/^[^[:space:]]/{/^[[:space:]]/p}' | xargs)"
	check_eq "PHC" "PTP Hardware Clock: none" \
		"$(echo "$t" | grep '^PTP Hardware Clock:')"
}

test_lo_intact()
{
	features_setup || return 1
	ip -n "$NS" link set mlo0 carrier off
	ip -n "$NS" link set mlo0 mtu 68
	lo_intact "$NS"
	mlo_unload
	lo_intact
}

require_root
require_cmd ip ping python3 ethtool modinfo
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 8
run_test "MTU 68..65536, errors outside with the extack text" test_mtu_bounds
run_test "MTU out of range refused at creation" test_mtu_at_creation
run_test "carrier off/on in ip link, routes, ethtool and transmit" test_carrier
run_test "ethtool -i: driver, version, no bus" test_ethtool_info
run_test "ethtool -k: fixed and toggleable features" test_ethtool_features
run_test "traffic with tx/sg/rx offloads off" test_offloads_off
run_test "ethtool -T: software timestamping only" test_ethtool_ts
run_test "lo intact" test_lo_intact
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Malformed requests: each fails with a clear error and leaves every
# other device as it was.

source "$(dirname "$0")/lib.sh"

UTIL="python3 $(dirname "$0")/mlo_util.py"

# What must not change: every device's name, flags, mtu and state, and
# the instances' addresses.
snapshot()
{
	ip -o link show | sed 's/\\.*//' | awk '{$1=""; print}'
	ip -o addr show | awk '{print $2, $3, $4}'
}

setup()
{
	mlo_load numdevs=2 || return 1
	ip link set mlo0 up
	ip addr add 192.0.2.1/32 dev mlo0
	ip -6 addr add 2001:db8::1/128 dev mlo0
	before=$(snapshot)
}

unchanged()
{
	check_eq "devices after bad input" "$before" "$(snapshot)"
}

test_info_data()
{
	local out

	setup || return 1
	out=$($UTIL newlink --name bad0 --info-data)
	check_eq "IFLA_INFO_DATA" "error=-22 msg=mlo takes no device-specific attributes" "$out"
	unchanged
}

test_address()
{
	local out

	setup || return 1
	check_err "short address" "Invalid link address length" \
		ip link add bad0 address 00:11:22 type mlo
	out=$($UTIL newlink --name bad0 --address 0011223344556677)
	check_eq "long address" "error=-22 msg=Invalid link address length" "$out"
	check_err "non-zero address" "mlo link address is always 00:00:00:00:00:00" \
		ip link add bad0 address 02:00:00:00:00:01 type mlo
	check_err "set address" "Operation not supported" \
		ip link set mlo0 address 02:00:00:00:00:01
	check_ok "zero address" ip link add ok0 address 00:00:00:00:00:00 type mlo
	ip link del ok0
	check_err "non-zero broadcast" "mlo broadcast address is always 00:00:00:00:00:00" \
		ip link add bad0 broadcast ff:ff:ff:ff:ff:ff type mlo
	check_ok "zero broadcast" ip link add ok0 broadcast 00:00:00:00:00:00 type mlo
	ip link del ok0
	unchanged
}

# An instance has no lower device: a link netns is refused on every
# kernel (before 6.15 the core created the device there, after it
# ignored the attribute).
test_link_netns()
{
	setup || return 1
	netns_new "mlo-bad-$$" || return 1
	ip netns set "mlo-bad-$$" 3
	check_err "link-netnsid" "mlo devices have no link netns" \
		ip link add bad0 link-netnsid 3 type mlo
	check_eq "instances in the other netns" "" \
		"$(ip -n "mlo-bad-$$" -o link show type mlo)"
	unchanged
}

test_names()
{
	local out

	setup || return 1
	check_err "duplicate name" "File exists" ip link add mlo0 type mlo
	check_err "name of lo" "File exists" ip link add lo type mlo
	out=$($UTIL newlink --name "bad/name")
	check_match "name with /" "^error=-22 " "$out"
	out=$($UTIL newlink --name "..")
	check_match "name .." "^error=-22 " "$out"
	out=$($UTIL newlink --name "0123456789abcdefghij")
	check_match "name too long" "^error=-(22|34) " "$out"
	check_err "template without %d" "" ip link add "bad%s" type mlo
	unchanged
}

test_mtu()
{
	setup || return 1
	check_err "mtu above max" "mtu greater than device maximum" \
		ip link add bad0 mtu 65537 type mlo
	check_err "mtu below min" "mtu less than device minimum" \
		ip link add bad0 mtu 67 type mlo
	check_err "set mtu above max" "mtu greater than device maximum" \
		ip link set mlo0 mtu 70000
	check_err "set mtu below min" "mtu less than device minimum" \
		ip link set mlo1 mtu 0
	unchanged
}

test_unknown_kind()
{
	local out

	setup || return 1
	out=$($UTIL newlink --name bad0 --kind mlo-nonexistent)
	check_match "unknown kind" "^error=-95 " "$out"
	unchanged
}

test_lo_intact()
{
	mlo_unload
	lo_intact
}

require_root
require_cmd ip python3
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 7
run_test "IFLA_INFO_DATA is refused" test_info_data
run_test "link addresses other than zero are refused" test_address
run_test "a link netns is refused" test_link_netns
run_test "duplicate and invalid names are refused" test_names
run_test "MTU out of range is refused" test_mtu
run_test "unknown kind is refused" test_unknown_kind
run_test "lo intact" test_lo_intact
ktap_finish

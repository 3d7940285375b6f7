#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Creating and deleting mlo devices: by name, by automatic name, at
# module load, in a netns; what a new device looks like; deletion in
# every order, including the first-of-two delete that hangs a naive
# clone of loopback.c.

source "$(dirname "$0")/lib.sh"

NS=mlo-create-$$
MANY=$(slow_or 200 40)

# A fresh mlo device must look like lo: see the driver's setup.
check_looks_like_lo()
{
	local dev=$1

	check_eq "$dev flags down" "LOOPBACK" "$(link_flags "$dev")"
	check_eq "$dev link type" "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00" \
		"$(ip link show dev "$dev" | sed -n '2p' | xargs)"
	check_eq "$dev ARPHRD" 772 "$(cat "/sys/class/net/$dev/type")"
	check_eq "$dev mtu" 65536 "$(cat "/sys/class/net/$dev/mtu")"
	check_eq "$dev kind" mlo "$(ip -d -j link show dev "$dev" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_kind"])')"
	check_ok "$dev up" ip link set "$dev" up
	check_eq "$dev flags up" "LOOPBACK,UP,LOWER_UP" "$(link_flags "$dev")"
	check_eq "$dev qdisc" noqueue \
		"$(ip link show dev "$dev" | sed -n '1s/.* qdisc \([^ ]*\) .*/\1/p')"
	check_eq "$dev operstate" unknown "$(cat "/sys/class/net/$dev/operstate")"
	check_eq "$dev carrier" 1 "$(cat "/sys/class/net/$dev/carrier")"
	check_eq "$dev addresses" "" "$(ip -o addr show dev "$dev")"
}

test_by_name()
{
	mlo_load || return 1
	check_ok "add lo1" ip link add lo1 type mlo
	check_looks_like_lo lo1
	check_ok "del lo1" ip link del lo1
	check_eq "devices left" 0 "$(mlo_count)"
}

test_auto_name()
{
	mlo_load || return 1
	check_ok "add unnamed" ip link add type mlo
	check_ok "add unnamed" ip link add type mlo
	check_eq "names" "mlo0 mlo1" \
		"$(ip -o link show type mlo | awk -F': ' '{print $2}' | xargs)"
	check_looks_like_lo mlo1
}

test_numdevs()
{
	mlo_load numdevs=3 || return 1
	check_eq "numdevs parameter" 3 "$(cat /sys/module/mlo/parameters/numdevs)"
	check_eq "names" "mlo0 mlo1 mlo2" \
		"$(ip -o link show type mlo | awk -F': ' '{print $2}' | xargs)"
	check_looks_like_lo mlo2
	check_ok "add after numdevs" ip link add type mlo
	check_ok "mlo3 exists" ip link show dev mlo3
}

test_numdevs_bounds()
{
	local n

	mlo_unload
	for n in -1 1025; do
		dmesg -C
		check_err "numdevs=$n" "Invalid argument" mlo_load numdevs=$n
		check_match "numdevs=$n log" "mlo: numdevs=$n is out of range 0-1024" \
			"$(dmesg)"
		check_eq "not loaded after numdevs=$n" no \
			"$([ -d /sys/module/mlo ] && echo yes || echo no)"
	done
	check_ok "numdevs=0" mlo_load numdevs=0
	check_eq "no devices with numdevs=0" 0 "$(mlo_count)"
}

test_in_netns()
{
	mlo_load || return 1
	netns_new "$NS" || return 1
	check_ok "add in netns" ip link add lo1 netns "$NS" type mlo
	check_eq "not in init_net" 0 "$(mlo_count)"
	check_eq "in netns" 1 "$(ip -n "$NS" -o link show type mlo | wc -l)"
	check_eq "flags" "LOOPBACK" \
		"$(ip -n "$NS" link show dev lo1 | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	check_ok "del in netns" ip -n "$NS" link del lo1
	lo_intact "$NS"
}

# delete_in_order N ORDER: create N devices, up, the smaller sets with
# addresses, and delete them in creation, reverse or random order within
# a time limit: a leaked reference hangs the delete.
delete_in_order()
{
	local n=$1 order=$2 i batch

	batch=$(mktemp)
	for i in $(seq 0 $((n - 1))); do
		echo "link add t$i type mlo"
		echo "link set t$i up"
		if [ "$n" -le 10 ]; then
			echo "addr add 10.0.$i.1/32 dev t$i"
			echo "addr add 2001:db8:$i::1/128 dev t$i"
		fi
	done > "$batch"
	check_ok "create $n" ip -batch "$batch"
	check_eq "created" "$n" "$(mlo_count)"

	case $order in
	creation) seq 0 $((n - 1)) ;;
	reverse) seq $((n - 1)) -1 0 ;;
	random) seq 0 $((n - 1)) | shuf ;;
	esac | sed 's/^/link del t/' > "$batch"
	SECONDS=0
	check_ok "delete $n in $order order" timeout 120 ip -batch "$batch"
	log "$n devices deleted in $order order in ${SECONDS}s"
	rm -f "$batch"
	check_eq "left after delete" 0 "$(mlo_count)"
}

test_delete_orders()
{
	local n order

	mlo_load || return 1
	for n in 2 10 "$MANY"; do
		for order in creation reverse random; do
			delete_in_order $n $order
		done
		lo_intact
	done
}

# The naive clone's hang: two IFF_LOOPBACK devices, delete the first.
test_first_of_two()
{
	mlo_load || return 1
	check_ok "add first" ip link add first type mlo
	check_ok "add second" ip link add second type mlo
	ip link set first up
	ip link set second up
	ip -6 addr add 2001:db8:a::1/128 dev first
	ip -6 addr add 2001:db8:b::1/128 dev second
	check_ok "delete first" timeout 30 ip link del first
	check_eq "second still there" "LOOPBACK,UP,LOWER_UP" "$(link_flags second)"
	lo_intact
	check_ok "delete second" timeout 30 ip link del second
	lo_intact
}

# Link monitors (routing daemons) must see LOOPBACK in the very first
# RTM_NEWLINK of a device, whether made by ip link add or by numdevs.
test_announce()
{
	local mon pid

	mlo_unload
	mon=$(mktemp)
	ip monitor link > "$mon" &
	pid=$!
	sleep 1
	mlo_load numdevs=1 || return 1
	ip link add ann0 type mlo
	sleep 1
	kill $pid
	wait $pid 2> /dev/null
	check_match "first message for mlo0" "<LOOPBACK>" "$(grep -m 1 ': mlo0:' "$mon")"
	check_match "first message for ann0" "<LOOPBACK>" "$(grep -m 1 ': ann0:' "$mon")"
	rm -f "$mon"
}

# check_farewell MON DEV: every RTM_NEWLINK DEV got carried LOOPBACK, up
# to its RTM_DELLINK: routing daemons never see it stop being a loopback.
check_farewell()
{
	local msgs

	msgs=$(grep ": $2:" "$1")
	check_eq "$2 deleted" 1 "$(echo "$msgs" | grep -c '^Deleted ')"
	check_eq "$2 RTM_NEWLINK without LOOPBACK" "" \
		"$(echo "$msgs" | grep -v '^Deleted ' | grep -v '[<,]LOOPBACK[,>]')"
	check_match "$2 went down before" "^[0-9]+: $2: <LOOPBACK>" \
		"$(echo "$msgs" | grep -v '^Deleted ' | tail -n 1)"
}

# An instance that is up goes down, then away, as a loopback: deleted,
# and by rmmod. (A netns's teardown cannot be watched: a listener in it
# keeps it alive, and one outside loses its nsid before the devices go.
# It unregisters through the same call as these two.)
test_farewell()
{
	local mon pid

	mlo_load numdevs=1 || return 1
	ip link add bye0 type mlo
	ip link set mlo0 up
	ip link set bye0 up
	ip addr add 192.0.2.8/32 dev bye0
	mon=$(mktemp)
	ip -o monitor link > "$mon" &
	pid=$!
	sleep 1
	ip link del bye0
	mlo_unload
	sleep 1
	kill $pid
	wait $pid 2> /dev/null
	check_farewell "$mon" bye0
	check_farewell "$mon" mlo0
	rm -f "$mon"
}

# An instance sends nothing by itself: no MLD, IGMP, ND or ARP.
test_silent()
{
	mlo_load || return 1
	ip link add quiet0 type mlo
	ip link set quiet0 up
	ip addr add 192.0.2.7/32 dev quiet0
	ip addr add 2001:db8::7/128 dev quiet0
	sleep 3
	check_eq "tx_packets of an idle instance" 0 "$(link_stat quiet0 tx_packets)"
}

test_group_delete()
{
	mlo_load numdevs=2 || return 1
	ip link add g0 type mlo
	ip link set mlo0 group 7
	ip link set g0 group 7
	check_ok "delete group 7" ip link del group 7
	check_eq "left" "mlo1" "$(ip -o link show type mlo | awk -F': ' '{print $2}' | xargs)"
}

test_lo_intact()
{
	mlo_unload
	lo_intact
}

require_root
require_cmd ip ping python3 shuf timeout
mlo_require_module
trap mlo_cleanup EXIT

ktap_header 12
run_test "create by name" test_by_name
run_test "create with automatic name" test_auto_name
run_test "numdevs creates devices at load" test_numdevs
run_test "numdevs out of range fails the load" test_numdevs_bounds
run_test "create in a netns" test_in_netns
run_test "delete 2, 10, $MANY in creation, reverse, random order" test_delete_orders
run_test "delete the first of two" test_first_of_two
run_test "first RTM_NEWLINK says LOOPBACK" test_announce
run_test "RTM_NEWLINK says LOOPBACK until RTM_DELLINK" test_farewell
run_test "an idle instance sends nothing" test_silent
run_test "delete by group" test_group_delete
run_test "lo intact" test_lo_intact
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unloading mlo: rmmod with instances from numdevs and ip link add in
# init_net and two namespaces, up, addressed, routed, with sockets bound
# to them and traffic running; rmmod while a bound socket still uses a
# device; the module reloads and works; 20 load/unload cycles.
#
# rmmod runs under a time limit that holds even when it is stuck in the
# kernel (bounded): a leaked reference shows as a failed check and
# "waiting for ... to become free" in the kernel log, not as a hang.

source "$(dirname "$0")/lib.sh"

UTIL=$MLO_DIR/mlo_util.py
P=mlo-unload-$$
UNLOAD_LIMIT=120
CYCLES=$(slow_or 20 5)

cleanup()
{
	mlo_reset
	mlo_cleanup
	rm -rf "$TMP"
}

fresh()
{
	mlo_reset
	mlo_load "$@"
}

# nsx NS CMD...: CMD in netns NS, or here when NS is "".
nsx()
{
	local ns=$1

	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# tx_above NS DEV N: DEV in NS ("" for init_net) has sent more than N.
tx_above()
{
	[ "$(nsx "$1" cat "/sys/class/net/$2/statistics/tx_packets")" -gt "$3" ]
}

# start_flood NS DEV DST: UDP traffic from NS through DEV to DST in the
# background, for at most 250 s (IPv4: an IPv6 route through a loopback
# device is a reject route); its result goes to $TMP/flood-DEV.
start_flood()
{
	local ns=$1 dev=$2 dst=$3 cmd

	cmd=(python3 "$UTIL" flood "$dst" 9 --dev "$dev" --seconds 250 --rate 100)
	if [ -n "$ns" ]; then
		bg_start "$TMP/flood-$dev" ip netns exec "$ns" "${cmd[@]}"
	else
		bg_start "$TMP/flood-$dev" "${cmd[@]}"
	fi
}

# check_unload: rmmod mlo completes within the limit and takes every
# instance with it.
check_unload()
{
	local out rc

	SECONDS=0
	out=$(mlo_unload_bounded $UNLOAD_LIMIT)
	rc=$?
	check_eq "rmmod mlo: exit status (output '$out')" 0 "$rc"
	log "rmmod took ${SECONDS}s"
	check_eq "module gone" no "$([ -d /sys/module/mlo ] && echo yes || echo no)"
	[ $rc -eq 0 ]
}

test_unload_busy()
{
	local q=$P-q p=$P-p f

	fresh numdevs=2 || return 1
	netns_new "$p" || return 1
	netns_new "$q" || return 1
	check_ok "add u1" ip link add u1 type mlo
	check_ok "add p1" ip link add p1 netns "$p" type mlo
	check_ok "add p2" ip -n "$p" link add p2 type mlo
	check_ok "add q1" ip link add q1 netns "$q" type mlo
	check_ok "add q2" ip netns exec "$q" ip link add q2 type mlo
	check_eq "init_net" "mlo0 mlo1 u1" "$(mlo_names)"
	check_eq "netns p" "p1 p2" "$(mlo_names "$p")"
	check_eq "netns q" "q1 q2" "$(mlo_names "$q")"
	check_ok "mlo0 setup" mlo_dev_setup "" mlo0 1
	check_ok "mlo1 setup" ip link set mlo1 up
	check_ok "u1 setup" mlo_dev_setup "" u1 2
	check_ok "p1 setup" mlo_dev_setup "$p" p1 1
	check_ok "p2 setup" mlo_dev_setup "$p" p2 2
	check_ok "q1 setup" mlo_dev_setup "$q" q1 1
	check_ok "q2 setup" mlo_dev_setup "$q" q2 2

	# sockets bound to instances, the IPv4 ones with a route cached
	# through it
	bg_start "$TMP/hold-mlo0" python3 "$UTIL" hold mlo0 192.0.2.1 7000 \
		--connect 198.18.1.7 --seconds 250
	bg_start "$TMP/hold-p1" ip netns exec "$p" python3 "$UTIL" hold p1 \
		192.0.2.1 7000 --connect 198.18.1.7 --seconds 250
	bg_start "$TMP/hold-q2" ip netns exec "$q" python3 "$UTIL" hold q2 \
		2001:db8:2::1 7000 --seconds 250
	# traffic through one instance of each kind in each netns
	start_flood "" mlo0 198.18.1.9
	start_flood "" u1 198.18.2.9
	start_flood "$p" p2 198.18.2.9
	start_flood "$q" q1 198.18.1.9
	for f in hold-mlo0 hold-p1 hold-q2; do
		check_ok "$f bound" wait_for 90 grep -qx bound "$TMP/$f"
	done
	check_ok "mlo0 traffic" wait_for 90 tx_above "" mlo0 10
	check_ok "u1 traffic" wait_for 90 tx_above "" u1 10
	check_ok "p2 traffic" wait_for 90 tx_above "$p" p2 10
	check_ok "q1 traffic" wait_for 90 tx_above "$q" q1 10

	check_unload || return 1
	check_eq "init_net" "" "$(mlo_names)"
	check_eq "netns p" "" "$(mlo_names "$p")"
	check_eq "netns q" "" "$(mlo_names "$q")"
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
	check_eq "netns p links" "lo" "$(link_names "$p")"
	check_eq "netns q links" "lo" "$(link_names "$q")"
	for f in hold-mlo0 hold-p1 hold-q2; do
		check_eq "$f outlived its device" bound "$(xargs < "$TMP/$f")"
	done
	bg_stop_all || fail "traffic and sockets did not stop"
	for f in mlo0 u1 p2 q1; do
		check_match "$f flood ran, then lost its device" \
			"^sent=[1-9][0-9]* errors=[1-9][0-9]*$" "$(cat "$TMP/flood-$f")"
	done
	lo_intact "$q"
}

test_reload()
{
	local out

	mlo_reset
	check_ok "reload" mlo_load numdevs=2
	check_eq "names" "mlo0 mlo1" "$(mlo_names)"
	check_ok "mlo0 setup" mlo_dev_setup "" mlo0 1
	check_eq "IPv4 traffic" "sent=100 errors=0" \
		"$(python3 "$UTIL" flood 198.18.1.9 9 --dev mlo0 --count 100)"
	check_eq "mlo0 tx" 100 "$(link_stat mlo0 tx_packets)"
	check_eq "mlo0 rx" 100 "$(link_stat mlo0 rx_packets)"
	check_eq "mlo0 rx_dropped" 0 "$(link_stat mlo0 rx_dropped)"
	check_eq "mlo1 tx" 0 "$(link_stat mlo1 tx_packets)"
	check_unload
	check_eq "init_net" "" "$(mlo_names)"

	check_ok "load again" mlo_load numdevs=2
	check_eq "names" "mlo0 mlo1" "$(mlo_names)"
	check_ok "mlo1 up" ip link set mlo1 up
	out=$(bounded $UNLOAD_LIMIT modprobe -r mlo)
	check_eq "modprobe -r mlo: exit status (output '$out')" 0 "$?"
	check_eq "module gone" no "$([ -d /sys/module/mlo ] && echo yes || echo no)"
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
}

# A socket bound to a device (SO_BINDTODEVICE), with a route through it
# cached, does not keep the device or the module.
test_unload_bound_socket()
{
	local f

	fresh || return 1
	check_ok "add s1" ip link add s1 type mlo
	check_ok "s1 setup" mlo_dev_setup "" s1 1
	bg_start "$TMP/hold-v4" python3 "$UTIL" hold s1 192.0.2.1 7001 \
		--connect 198.18.1.7 --seconds 250
	bg_start "$TMP/hold-v6" python3 "$UTIL" hold s1 2001:db8:1::1 7001 \
		--seconds 250
	for f in hold-v4 hold-v6; do
		check_ok "$f bound" wait_for 90 grep -qx bound "$TMP/$f"
	done
	check_eq "s1 tx" 1 "$(link_stat s1 tx_packets)"
	check_unload || return 1
	check_eq "init_net" "" "$(mlo_names)"
	for f in hold-v4 hold-v6; do
		check_eq "$f still open" bound "$(xargs < "$TMP/$f")"
	done
	bg_stop_all || fail "sockets did not close"
	for f in hold-v4 hold-v6; do
		check_eq "$f closed" "bound closed" "$(xargs < "$TMP/$f")"
	done
}

test_cycles()
{
	local i out rc

	mlo_reset
	SECONDS=0
	for i in $(seq 1 "$CYCLES"); do
		out=$(mlo_load numdevs=4 2>&1) || { fail "load $i: $out"; break; }
		out=$(ip -o link show type mlo | awk -F': ' '{print $2}' | xargs)
		check_eq "devices in cycle $i" "mlo0 mlo1 mlo2 mlo3" "$out"
		out=$(mlo_unload_bounded $UNLOAD_LIMIT)
		rc=$?
		[ $rc -eq 0 ] || { fail "unload $i: exit status $rc: $out"; break; }
	done
	log "$((i)) load/unload cycles in ${SECONDS}s"
	check_eq "cycles" "$CYCLES" "$i"
	check_eq "module gone" no "$([ -d /sys/module/mlo ] && echo yes || echo no)"
	check_eq "init_net links" "$BASE_LINKS" "$(link_names)"
	lo_intact
}

require_root
require_cmd ip ping python3
mlo_require_module
TMP=$(mktemp -d)
trap cleanup EXIT
mlo_unload_bounded > /dev/null
BASE_LINKS=$(link_names)

ktap_header 4
run_test "rmmod with busy instances in three namespaces" test_unload_busy
run_test "reload, traffic, modprobe -r" test_reload
run_test "rmmod under a socket bound to an instance" test_unload_bound_socket
run_test "$CYCLES load/unload cycles with numdevs=4" test_cycles
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Instances at boot, configured the ways a Debian system does it, each
# run for real: numdevs from /etc/modprobe.d; the module loaded by
# systemd-modules-load from /etc/modules-load.d; an ifupdown stanza
# whose pre-up creates the instance, brought up and down by ifup and
# ifdown (and what "inet loopback" does instead); systemd-networkd
# giving addresses to an existing instance by name.
#
# The files go where the system reads them (/etc; a guest's /etc is a
# tmpfs overlay) and are removed on exit. systemd-networkd runs in a
# netns of its own with a private /run and a read-only /sys, as in a
# container, so that it touches no link, route or bus name outside.

source "$(dirname "$0")/lib.sh"

TAG=mlo-boot-test
MODPROBE_CONF=/etc/modprobe.d/$TAG.conf
MODULES_LOAD_CONF=/etc/modules-load.d/$TAG.conf
IFACES=/etc/network/interfaces.d/$TAG
NS=mlo-boot-$$
TMP=$(mktemp -d)

cleanup()
{
	[ -e "$IFACES" ] && ifdown --force lo1 > /dev/null 2>&1
	rm -f "$MODPROBE_CONF" "$MODULES_LOAD_CONF" "$IFACES"
	ip link del lo1 2> /dev/null
	ip link del lo2 2> /dev/null
	bg_stop_all
	mlo_cleanup
	rm -rf "$TMP"
}

# A systemd helper binary: /lib/systemd before the /usr merge, and
# /usr/lib/systemd after it.
systemd_bin()
{
	local d

	for d in /lib/systemd /usr/lib/systemd; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

# addrs [-n NS] DEV: DEV's addresses as "ip -o addr" prints them, less
# the ifindex and lifetimes, one per line.
addrs()
{
	local ipn=()

	if [ "$1" = -n ]; then
		ipn=(-n "$2")
		shift 2
	fi
	ip "${ipn[@]}" -o addr show dev "$1" | sed -E 's/^[0-9]+: +//; s/ *\\.*//; s/ +/ /g'
}

# numdevs_options: what modprobe will pass mlo as numdevs, from
# modprobe.d and from "mlo.*" words of the kernel command line (which
# modprobe also reads: the guest harness's "mlo.job=" and others show up
# as an "options mlo job=..." line of their own).
numdevs_options()
{
	modprobe -c | grep -E '^options mlo (.* )?numdevs='
}

# Modules loaded through modprobe read /etc/modprobe.d; insmod does not.
need_modprobe()
{
	[ -z "${MLO_KO:-}" ] ||
		{ skip_test "MLO_KO set: modprobe.d applies to modprobe, not insmod"; return; }
	# Ours only: another numdevs would add to or override it.
	[ -z "$(numdevs_options)" ] ||
		{ skip_test "numdevs already set: $(numdevs_options)"; return; }
}

test_modprobe_d()
{
	need_modprobe || return
	mlo_unload
	echo "options mlo numdevs=3" > "$MODPROBE_CONF"
	check_eq "modprobe -c" "options mlo numdevs=3" "$(numdevs_options)"
	check_ok "modprobe mlo" modprobe mlo
	check_eq "numdevs" 3 "$(cat /sys/module/mlo/parameters/numdevs 2>&1)"
	check_eq "instances" "mlo0 mlo1 mlo2" "$(mlo_names)"
	check_ok "rmmod" rmmod mlo
	rm -f "$MODPROBE_CONF"
}

# systemd-modules-load is what loads /etc/modules-load.d at boot; it is
# a plain program that needs no systemd as PID 1. It is given our file
# by name, which it looks up in the modules-load.d directories: run
# bare, it would also load what the system's other files there name.
test_modules_load_d()
{
	local bin out

	bin=$(systemd_bin systemd-modules-load) ||
		{ skip_test "systemd-modules-load not found"; return; }
	need_modprobe || return
	mlo_unload
	echo "options mlo numdevs=2" > "$MODPROBE_CONF"
	printf '# mlo instances at boot\nmlo\n' > "$MODULES_LOAD_CONF"
	out=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info \
		"$bin" "$(basename "$MODULES_LOAD_CONF")" 2>&1) ||
		fail "$bin failed: $out"
	check_eq "its log" "Inserted module 'mlo'" "$out"
	check_eq "loaded" yes "$([ -d /sys/module/mlo ] && echo yes)"
	check_eq "instances" "mlo0 mlo1" "$(mlo_names)"
	check_ok "rmmod" rmmod mlo
	rm -f "$MODPROBE_CONF" "$MODULES_LOAD_CONF"
}

# need_ifupdown: ifup and an /etc/network/interfaces that reads
# interfaces.d (Debian's default), where the stanza goes.
need_ifupdown()
{
	command -v ifup > /dev/null || { skip_test "ifup not found (ifupdown)"; return; }
	grep -Eqs '^(source|source-directory) +/etc/network/interfaces\.d' /etc/network/interfaces ||
		{ skip_test "/etc/network/interfaces does not read interfaces.d"; return; }
	[ ! -e /sys/class/net/lo1 ] || { skip_test "lo1 exists"; return; }
	# Made at boot by the networking service, which a guest lacks.
	mkdir -p /run/network
	[ -n "${MLO_KO:-}" ] && { mlo_load || return 1; }
	return 0
}

test_ifupdown()
{
	need_ifupdown || return
	cat > "$IFACES" <<'EOF'
auto lo1
iface lo1 inet static
	address 192.0.2.1/32
	pre-up ip link add lo1 type mlo
	post-down ip link del lo1

iface lo1 inet6 static
	address 2001:db8::1/128
EOF
	check_eq "auto lo1 read" lo1 "$(ifquery --list | grep -x lo1)"
	check_ok "ifup lo1" ifup lo1
	check_eq "ifup state" "lo1=lo1" "$(ifquery --state lo1)"
	check_eq "instances" lo1 "$(mlo_names)"
	check_eq "flags" "LOOPBACK,UP,LOWER_UP" "$(link_flags lo1)"
	# ifupdown gives every IPv4 address a broadcast address, computed
	# from the prefix: on a /32 the address itself. The local route
	# still comes first, so the address is a local one.
	check_eq "addresses" "$(printf '%s\n' \
		"lo1 inet 192.0.2.1/32 brd 192.0.2.1 scope global lo1" \
		"lo1 inet6 2001:db8::1/128 scope global")" "$(addrs lo1)"
	check_eq "route get" "local 192.0.2.1 dev lo" \
		"$(ip route get 192.0.2.1 | head -n 1 | awk '{print $1, $2, $3, $4}')"
	check_ok "ping 192.0.2.1" ping -q -c 1 -W 2 192.0.2.1
	check_ok "ping 2001:db8::1" ping -q -6 -c 1 -W 2 2001:db8::1
	check_ok "ifdown lo1" ifdown lo1
	check_eq "ifdown state" "" "$(ifquery --state lo1)"
	check_err "lo1 deleted by post-down" "does not exist" ip link show dev lo1
	rm -f "$IFACES"
}

# The "loopback" method is the one ifupdown has for lo: it only sets the
# link up and down, and takes no options, so an "address" line is
# ignored without a word. Instances want "static".
test_ifupdown_loopback()
{
	need_ifupdown || return
	cat > "$IFACES" <<'EOF'
iface lo1 inet loopback
	address 192.0.2.1/32
	pre-up ip link add lo1 type mlo
	post-down ip link del lo1
EOF
	check_ok "ifup lo1" ifup lo1
	check_eq "flags" "LOOPBACK,UP,LOWER_UP" "$(link_flags lo1)"
	check_eq "no addresses" "" "$(addrs lo1)"
	check_ok "ifdown lo1" ifdown lo1
	check_err "lo1 deleted by post-down" "does not exist" ip link show dev lo1
	rm -f "$IFACES"
}

# networkd_ready NS PID IFINDEX: networkd (PID) has finished configuring
# the link with IFINDEX in NS, by its own state file.
networkd_ready()
{
	nsenter -t "$2" -m cat "/run/systemd/netif/links/$3" 2> /dev/null |
		grep -qx 'ADMIN_STATE=configured'
}

test_networkd()
{
	local bin pid mlo0 mlo1 n log=$TMP/networkd.log

	bin=$(systemd_bin systemd-networkd) ||
		{ skip_test "systemd-networkd not found"; return; }
	command -v nsenter > /dev/null || { skip_test "nsenter not found"; return; }
	getent passwd systemd-network > /dev/null ||
		{ skip_test "no systemd-network user to run it as"; return; }
	[ -n "${MLO_KO:-}" ] && { mlo_load || return 1; }
	netns_new "$NS" || return 1
	check_ok "instance mlo0" ip -n "$NS" link add mlo0 type mlo
	mlo0=$(ip netns exec "$NS" cat /sys/class/net/mlo0/ifindex)
	mkdir -p "$TMP/network"
	for n in 0 1; do
		printf '[Match]\nName=mlo%s\n\n[Network]\nAddress=%s\nAddress=%s\n' \
			$n 192.0.2.1$n/32 2001:db8::1$n/128 > "$TMP/network/50-mlo$n.network"
	done
	# "ip netns exec" gives it a mount namespace and the netns's sysfs.
	# In it: our .network directory in place of /etc's, a /run without
	# the system's D-Bus socket or networkd state, and /sys read-only,
	# which tells networkd there is no udev to wait for (as in a
	# container: nothing here runs udevd).
	bg_start "$log" env SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug \
		ip netns exec "$NS" sh -c "
		mount --bind '$TMP/network' /etc/systemd/network &&
		mount -t tmpfs tmpfs /run && mkdir /run/systemd &&
		mount -o remount,ro /sys && exec '$bin'"
	pid=$bg_last
	if ! wait_for 60 networkd_ready "$NS" "$pid" "$mlo0"; then
		fail "mlo0 not configured after 60 s: $(tail -n 20 "$log")"
		return 1
	fi
	check_eq "mlo0 flags" "LOOPBACK,UP,LOWER_UP" \
		"$(ip -n "$NS" link show dev mlo0 | sed -n '1s/.*<\(.*\)>.*/\1/p')"
	check_eq "mlo0 addresses" "$(printf '%s\n' \
		"mlo0 inet 192.0.2.10/32 scope global mlo0" \
		"mlo0 inet6 2001:db8::10/128 scope global")" "$(addrs -n "$NS" mlo0)"
	# An instance created while networkd runs is configured too.
	check_ok "instance mlo1" ip -n "$NS" link add mlo1 type mlo
	mlo1=$(ip netns exec "$NS" cat /sys/class/net/mlo1/ifindex)
	check_ok "mlo1 configured" wait_for 60 networkd_ready "$NS" "$pid" "$mlo1"
	check_eq "mlo1 addresses" "$(printf '%s\n' \
		"mlo1 inet 192.0.2.11/32 scope global mlo1" \
		"mlo1 inet6 2001:db8::11/128 scope global")" "$(addrs -n "$NS" mlo1)"
	check_ok "networkd still running" kill -0 "$pid"
	bg_stop_all || fail "networkd did not stop"
	[ $mlo_check_failed -eq 0 ] || log "networkd's log: $(tail -n 30 "$log")"
}

require_root
require_cmd ip modprobe modinfo
mlo_require_module
trap cleanup EXIT

ktap_header 5
run_test "numdevs from /etc/modprobe.d" test_modprobe_d
run_test "loaded from /etc/modules-load.d by systemd-modules-load" test_modules_load_d
run_test "ifupdown: pre-up creates, ifup configures, ifdown deletes" test_ifupdown
run_test "ifupdown: inet loopback only sets the link up" test_ifupdown_loopback
run_test "systemd-networkd configures instances by name" test_networkd
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Allocation failures while creating an instance: with failslab and
# /proc/self/fail-nth, fail the 1st, 2nd, ... slab allocation made on
# behalf of "ip link add" until one run needs no failure. Each failed
# run must fail cleanly (an error, no device, no warning) and leave
# nothing behind; the harness then runs kmemleak on the debug kernel.
# The kernel offers no fault injection for per-cpu allocations.
#
# Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS: skipped on
# Debian's stock kernels, run on the debug kernel.

source "$(dirname "$0")/lib.sh"

FAILSLAB=/sys/kernel/debug/failslab
MAX_NTH=2000

failslab_setup()
{
	echo 0 > $FAILSLAB/ignore-gfp-wait
	echo 0 > $FAILSLAB/cache-filter 2> /dev/null
	echo 0 > $FAILSLAB/verbose
	echo 0 > $FAILSLAB/probability
	echo -1 > $FAILSLAB/times
}

failslab_restore()
{
	echo 1 > $FAILSLAB/ignore-gfp-wait
	echo 2 > $FAILSLAB/verbose
}

# add_with_nth N: "ip link add fault0 type mlo" with its Nth fault-
# injectable allocation failing; prints "ok", "failed: MESSAGE" or
# "no-fault" when the command made fewer than N such allocations.
add_with_nth()
{
	bash -c 'echo "$1" > /proc/self/fail-nth &&
		exec ip link add fault0 type mlo' _ "$1" > /tmp/mlo-fault.out 2>&1
	local rc=$?

	if [ $rc -eq 0 ]; then
		echo ok
	else
		echo "failed: $(head -n 1 /tmp/mlo-fault.out)"
	fi
}

test_create_under_failslab()
{
	local n result failures=0 created=0

	mlo_load || return 1
	failslab_setup
	for n in $(seq 1 $MAX_NTH); do
		result=$(add_with_nth "$n")
		if [ "$result" = ok ]; then
			created=$((created + 1))
			ip link del fault0 || fail "delete after nth=$n"
			# Once a run creates the device with the failure point
			# past its last allocation, every later one will too.
			[ $created -ge 3 ] && break
			continue
		fi
		failures=$((failures + 1))
		created=0
		check_eq "no device after failure nth=$n ($result)" "" \
			"$(ip -o link show dev fault0 2> /dev/null)"
	done
	failslab_restore
	log "$failures allocation points failed cleanly before creation succeeded"
	[ $failures -gt 0 ] || fail "no allocation failed: fail-nth not effective"
	check_eq "instances left" 0 "$(mlo_count)"
	check_ok "module unloads" mlo_unload
	lo_intact
}

require_root
require_cmd ip
mlo_require_module
[ -d $FAILSLAB ] && [ -e /proc/self/fail-nth ] ||
	ksft_skip_all "no failslab/fail-nth (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
trap 'failslab_restore; mlo_cleanup' EXIT

ktap_header 1
run_test "create fails cleanly at every slab allocation" test_create_under_failslab
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Allocation failures while creating an instance: with failslab and
# /proc/thread-self/fail-nth, make the 1st, 2nd, ... fault-injectable
# allocation of one RTM_NEWLINK fail, until the request makes fewer
# allocations than that. Each failure must either be refused cleanly
# (ENOMEM from the kernel, no device, nothing left behind), or be one
# the kernel does without (the device is created), or hit netlink's own
# buffers (ENOBUFS on the socket). The harness then runs kmemleak on the
# debug kernel. The kernel offers no fault injection for per-cpu
# allocations.
#
# Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS: skipped on
# Debian's stock kernels, run on the debug kernel.

source "$(dirname "$0")/lib.sh"

FAILSLAB=/sys/kernel/debug/failslab
UTIL=$MLO_DIR/mlo_util.py
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

test_create_under_failslab()
{
	local line nth error injected created msg last=0 done=0
	local enomem=0 other=0 tolerated=0 netlink=0 made=0

	mlo_load || return 1
	failslab_setup
	python3 "$UTIL" failsweep fault --max $MAX_NTH > "$TMP/sweep"
	failslab_restore
	while read -r nth error injected created msg; do
		last=${nth#nth=}
		[ "$created" != created=yes ] || made=$((made + 1))
		case "$error $injected $created $msg" in
		"error=0 injected=no created=yes msg=")
			done=1 ;;
		# The kernel refused cleanly: nothing was created. ENOMEM
		# mostly; the core answers ENOBUFS for inetdev_init() and
		# EINVAL for a failed dev_set_name() in netdev_register_kobject.
		"error=-12 injected=yes created=no msg=")
			enomem=$((enomem + 1)) ;;
		"error=-105 injected=yes created=no msg="|"error=-22 injected=yes created=no msg=")
			other=$((other + 1)) ;;
		# A failure the kernel does without, e.g. a fallback.
		"error=0 injected=yes created=yes msg=")
			tolerated=$((tolerated + 1)) ;;
		# netlink's own buffers: the request or its answer got lost.
		"error=-105 injected=yes created="*" msg=netlink: "*)
			netlink=$((netlink + 1)) ;;
		*)
			fail "$nth: $error $injected $created $msg" ;;
		esac
	done < "$TMP/sweep"
	log "$last allocations failed in turn: $enomem refused with ENOMEM," \
	    "$other with ENOBUFS/EINVAL, $tolerated done without," \
	    "$netlink in netlink's buffers"
	check_eq "sweep reached the end" 1 "$done"
	[ $enomem -gt 0 ] || fail "no allocation refused the request: fail-nth not effective"
	# Each instance created is kept (failsweep): deleted together here.
	check_eq "instances made" "$made" "$(mlo_count)"
	check_ok "module unloads" mlo_unload
	check_eq "instances left" 0 "$(mlo_count)"
	lo_intact
}

require_root
require_cmd ip python3
mlo_require_module
[ -d $FAILSLAB ] && [ -e /proc/thread-self/fail-nth ] ||
	ksft_skip_all "no failslab/fail-nth (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
TMP=$(mktemp -d)
trap 'failslab_restore; mlo_cleanup; rm -rf "$TMP"' EXIT

ktap_header 1
run_test "create fails cleanly at every allocation" test_create_under_failslab
ktap_finish

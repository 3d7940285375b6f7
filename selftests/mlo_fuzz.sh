#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzzing, bounded in time: mlo_fuzz.py does seeded random link,
# address, route, neighbour, netns, qdisc and nft operations and sends
# random frames and datagrams on instances, one worker per CPU, with
# the module unloaded and loaded again between rounds (and sometimes
# while they run). Then every instance left must count exactly what it
# is sent, and after the namespaces are deleted and the module unloaded
# nothing may be left: no netns being torn down, no device, nothing of
# the fuzzer's in this netns, lo intact, no kernel warning.
#
#   MLO_FUZZ_SECONDS   how long to fuzz (default 120, on slow machines too:
#                      the time is the budget, the operations done vary)
#   MLO_FUZZ_SEED      the seed; default: a new one, printed, so that a
#                      failure can be replayed with MLO_FUZZ_SEED=N
#   MLO_FUZZ_LOG       a file to keep every operation and its result in
#                      (default: a temporary one, whose end is printed
#                      on a failure)

source "$(dirname "$0")/lib.sh"

FUZZ=$MLO_DIR/mlo_fuzz.py
P=mlofz-$$
DURATION=${MLO_FUZZ_SECONDS:-120}
SEED=${MLO_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
# Seconds per round (between reloads of the module): by default a
# quarter of the run; where every command costs seconds (the debug
# kernel) a round's setup would eat most of that.
ROUND=$(slow_or 0 60)
# Frames and datagrams each instance is sent for the counter check.
FRAMES=10
# How long the module and the namespaces may take to go away.
TEARDOWN=120
# What scripts/vm fails a guest for, so that a run by hand says so too.
BAD_LOG='WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t:|KASAN|UBSAN|'\
'ref_tracker|possible circular locking|possible recursive locking|'\
'inconsistent lock state|suspicious RCU usage|sleeping function called|'\
'waiting for .* to become free|unreferenced object|use-after-free'

cleanup()
{
	mlo_reset
	python3 "$FUZZ" --cleanup --prefix "$P" > /dev/null 2>&1
	mlo_cleanup
	rm -rf "$TMP"
}

# klog_new: kernel log lines since the start that scripts/vm would fail.
klog_new()
{
	dmesg | tail -n +$((KLOG_MARK + 1)) | grep -E "$BAD_LOG" | head -n 5
}

test_fuzz()
{
	local rc

	SECONDS=0
	log "seed $SEED, ${DURATION}s; replay with MLO_FUZZ_SEED=$SEED"
	[ -n "$ALL_KINDS" ] ||
		log "no nf_tables or qdiscs here: their operations are all refused"
	bounded $((DURATION + 600)) python3 "$FUZZ" --seed "$SEED" \
		--seconds "$DURATION" --round-seconds "$ROUND" --prefix "$P" --log "$OPS_LOG" \
		$ALL_KINDS -v > "$TMP/fuzz.out"
	rc=$?
	sed 's/^\([^#]\)/# \1/' "$TMP/fuzz.out"
	log "$(wc -l < "$OPS_LOG") lines in the log of operations"
	if [ $rc -ne 0 ]; then
		fail "mlo_fuzz.py exited $rc; its last operations:"
		tail -n 20 "$OPS_LOG" | sed 's/^/#   /'
	fi
	check_eq "kernel log" "" "$(klog_new)"
	log "fuzzing took ${SECONDS}s"
}

test_counters()
{
	local out

	SECONDS=0
	out=$(bounded 600 python3 "$FUZZ" --counters $FRAMES --prefix "$P") ||
		fail "counters not exact"
	echo "$out" | sed 's/^\([^#]\)/# \1/'
	check_match "instances checked" "^# [1-9][0-9]* instances checked$" \
		"$(echo "$out" | tail -n 1)"
	log "counters took ${SECONDS}s"
}

# Whatever the fuzzer did, deleting its namespaces and unloading the
# module leaves this netns as it was.
test_teardown()
{
	local out

	SECONDS=0
	check_ok "cleanup" python3 "$FUZZ" --cleanup --prefix "$P"
	check_eq "namespaces left" "" \
		"$(ip netns list | awk -v p="$P-" 'index($1, p) == 1 {print $1}' | xargs)"
	check_ok "namespaces torn down" wait_for $TEARDOWN netns_at_most 0
	out=$(mlo_unload_bounded $TEARDOWN) || fail "rmmod mlo: $out"
	check_eq "module gone" no "$([ -d /sys/module/mlo ] && echo yes || echo no)"
	check_eq "mlo devices" "" "$(mlo_names)"
	check_eq "links" "$BASE_LINKS" "$(link_names)"
	check_eq "IPv4 routes" "$BASE_ROUTES4" "$(ip route show table all)"
	check_eq "IPv6 routes" "$BASE_ROUTES6" "$(ip -6 route show table all)"
	check_eq "rules" "$BASE_RULES" "$(ip rule show; ip -6 rule show)"
	check_eq "nft tables" "$BASE_NFT" "$(nft list tables 2> /dev/null)"
	lo_intact
	check_eq "kernel log" "" "$(klog_new)"
	log "teardown took ${SECONDS}s"
}

require_root
require_cmd ip tc nft python3 unshare dmesg
mlo_require_module
[ -w /proc/sys/user/max_net_namespaces ] ||
	ksft_skip_all "/proc/sys/user/max_net_namespaces not writable"
# Every kind must have worked at least once, or been refused for an
# absent device only, where the kernel has them all (a kernel built
# without nf_tables refuses every nft operation).
ALL_KINDS=--all-kinds
nft list tables > /dev/null 2>&1 || ALL_KINDS=
TMP=$(mktemp -d)
OPS_LOG=${MLO_FUZZ_LOG:-$TMP/ops.log}
trap cleanup EXIT
mlo_unload_bounded > /dev/null
BASE_LINKS=$(link_names)
BASE_ROUTES4=$(ip route show table all)
BASE_ROUTES6=$(ip -6 route show table all)
BASE_RULES=$(ip rule show; ip -6 rule show)
BASE_NFT=$(nft list tables 2> /dev/null)
KLOG_MARK=$(dmesg | wc -l)

ktap_header 3
run_test "fuzz for ${DURATION}s from every CPU, seed $SEED" test_fuzz
run_test "every instance left counts exactly what it is sent" test_counters
run_test "teardown and rmmod leave nothing, lo intact" test_teardown
ktap_finish

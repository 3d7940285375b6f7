#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mlo's KUnit tests (mlo_kunit.ko, built only against kernels with
# CONFIG_KUNIT): load the module, which runs the "mlo" suite, and report
# each KUnit case as a case of this file. Skipped where the kernel has no
# KUnit or the module was not built.

source "$(dirname "$0")/lib.sh"

KUNIT_DIR=/sys/kernel/debug/kunit
# The cases in mlo_kunit.c: a case that stops running must show here.
CASES=8

# kunit_load: modprobe, or insmod next to $MLO_KO.
kunit_load()
{
	if [ -n "${MLO_KO:-}" ]; then
		insmod "$(dirname "$MLO_KO")/mlo_kunit.ko"
	else
		modprobe mlo_kunit
	fi
}

kunit_unload()
{
	[ -d /sys/module/mlo_kunit ] && rmmod mlo_kunit
	mlo_unload
}

cleanup()
{
	kunit_unload 2> /dev/null
}

test_kunit()
{
	local results line name status n=0 failed=0

	kunit_unload
	mlo_load || return 1
	check_ok "load mlo_kunit" kunit_load || return 1
	results=$(cat "$KUNIT_DIR/mlo/results" 2>&1) ||
		{ fail "no results: $results"; return 1; }
	echo "$results" | sed 's/^/# kunit: /'

	# The cases are the indented result lines, the suite the last one.
	while read -r status name; do
		n=$((n + 1))
		[ "$status" = ok ] || { failed=$((failed + 1)); fail "case $name"; }
	done < <(echo "$results" |
		 sed -nE 's/^[[:space:]]+(ok|not ok) [0-9]+ ([a-z_0-9]+).*/\1 \2/p' |
		 sed 's/^not ok/not_ok/')
	check_eq "KUnit cases run" "$CASES" "$n"
	check_eq "KUnit cases failed" 0 "$failed"
	check_match "suite result" "^ok [0-9]+ mlo$" \
		"$(echo "$results" | grep -E '^(not )?ok [0-9]+ mlo$')"
	check_ok "unload mlo_kunit" rmmod mlo_kunit
	check_ok "unload mlo" mlo_unload
}

require_root
mlo_require_module
if [ -n "${MLO_KO:-}" ]; then
	[ -f "$(dirname "$MLO_KO")/mlo_kunit.ko" ] ||
		ksft_skip_all "no mlo_kunit.ko next to $MLO_KO (kernel without CONFIG_KUNIT)"
else
	modinfo mlo_kunit > /dev/null 2>&1 ||
		ksft_skip_all "mlo_kunit not installed (kernel without CONFIG_KUNIT)"
fi
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
[ -d $KUNIT_DIR ] || ksft_skip_all "no $KUNIT_DIR (CONFIG_KUNIT_DEBUGFS)"
trap cleanup EXIT

ktap_header 1
run_test "KUnit suite mlo" test_kunit
ktap_finish

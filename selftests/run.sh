#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the mlo selftests the way the kselftest runner does: one KTAP
# test per file, each file's own KTAP output nested under it as "# "
# lines, a time limit per file from ./settings.
#
#   selftests/run.sh [TEST...]     e.g. selftests/run.sh mlo_create.sh

cd "$(dirname "$0")" || exit 1

timeout=$(sed -n 's/^timeout=//p' settings)
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(sed -n 's/^TEST_PROGS += //p' Makefile)
fi

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0
failed=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	t=${t%.sh}.sh
	echo "# selftests: drivers/net/mlo: $t"
	timeout -k 10 "${timeout:-300}" bash "./$t" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "ok $n selftests: drivers/net/mlo: $t" ;;
	4) echo "ok $n selftests: drivers/net/mlo: $t # SKIP" ;;
	124) echo "not ok $n selftests: drivers/net/mlo: $t # TIMEOUT ${timeout}s"
	     failed=1 ;;
	*) echo "not ok $n selftests: drivers/net/mlo: $t # exit=$rc"
	   failed=1 ;;
	esac
done
exit $failed

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the mlo selftests the way the kselftest runner does: one KTAP
# test per file, each file's own KTAP output nested under it as "# "
# lines, a time limit per file from ./settings.
#
#   selftests/run.sh [-o SECONDS] [TEST...]   e.g. run.sh mlo_create.sh
#
#   -o SECONDS   per-file time limit instead of the one in ./settings, as
#                run_kselftest.sh --override-timeout

cd "$(dirname "$0")" || exit 1

timeout=$(sed -n 's/^timeout=//p' settings)
if [ "${1:-}" = -o ]; then
	timeout=$2
	shift 2
fi
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(sed -n 's/^TEST_PROGS += //p' Makefile)
fi

# wait_briefly PID: let the output filter finish, for at most 5 s.
wait_briefly()
{
	local i

	for i in $(seq 50); do
		kill -0 "$1" 2> /dev/null || return 0
		sleep 0.1
	done
}

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0
failed=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	t=${t%.sh}.sh
	echo "# selftests: drivers/net/mlo: $t"
	# Not a pipe into sed: a process stuck in the kernel (a device that
	# never becomes free) would keep the pipe open after the file is
	# killed, and the runner would wait for it forever.
	exec 3> >(sed -u 's/^/# /')
	filter=$!
	t0=$SECONDS
	timeout -k 10 "${timeout:-300}" bash "./$t" >&3 2>&3
	rc=$?
	exec 3>&-
	wait_briefly $filter
	case $rc in
	0) echo "ok $n selftests: drivers/net/mlo: $t" ;;
	4) echo "ok $n selftests: drivers/net/mlo: $t # SKIP" ;;
	124) echo "not ok $n selftests: drivers/net/mlo: $t # TIMEOUT ${timeout}s"
	     failed=1 ;;
	# timeout exits 137 when it had to follow TERM with KILL: a file
	# stuck in the kernel (a device that never becomes free).
	*) if [ $rc -eq 137 ] && [ $((SECONDS - t0)) -ge "${timeout:-300}" ]; then
		echo "not ok $n selftests: drivers/net/mlo: $t # TIMEOUT ${timeout}s, killed"
	   else
		echo "not ok $n selftests: drivers/net/mlo: $t # exit=$rc"
	   fi
	   failed=1 ;;
	esac
	# What each file costs, for the time budget of make check.
	echo "# $t: $((SECONDS - t0))s"
done
exit $failed

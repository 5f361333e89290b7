#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run.sh -- run every netns end-to-end test (tests/lab/test_*.sh), print
# their output, and end with the aggregate "N passed, M failed". Exit status
# 1 when any check failed or a test did not finish. Needs root.
#
#   tests/lab/run.sh [TEST...]      TEST: a path or a name like test_l2l3
#
# Environment: BUILD_DIR (default <repo>/build) and the rest of lab.sh's
# settings; LAB_TEST_TIMEOUT (seconds per test, default 180).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "tests/lab/run.sh: the lab tests need root (network namespaces, veth pairs, AF_XDP);" \
		"run it as root, e.g. sudo $0" >&2
	exit 1
fi

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		case $t in
		*/*) tests+=("$t") ;;
		*) tests+=("$here/${t%.sh}.sh") ;;
		esac
	done
else
	for t in "$here"/test_*.sh; do
		[ -e "$t" ] && tests+=("$t")
	done
fi
if [ ${#tests[@]} -eq 0 ]; then
	echo "tests/lab/run.sh: no tests found in $here" >&2
	exit 1
fi

child=
on_signal()
{
	# The test cleans up on TERM; wait for it so nothing is left behind.
	[ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
	echo "tests/lab/run.sh: interrupted" >&2
	exit 130
}
trap on_signal INT TERM

# Leftovers of a lab killed with SIGKILL (its traps could not run).
# shellcheck source=tests/lab/lab.sh
( . "$here/lab.sh" && lab_gc )

passed=0
failed=0
bad_tests=()
start_all=$(date +%s%N)
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "=== $name"
	start=$(date +%s%N)
	out=$(mktemp)
	# --foreground: the test gets the TERM itself and runs its cleanup.
	timeout --foreground -k 10 "${LAB_TEST_TIMEOUT:-180}" bash "$t" >"$out" 2>&1 </dev/null &
	child=$!
	tail -n +1 -f --pid="$child" "$out" &
	tailpid=$!
	wait "$child"
	rc=$?
	child=
	wait "$tailpid"
	ms=$((($(date +%s%N) - start) / 1000000))
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$summary" ]; then
		p=${summary%% passed*}
		f=${summary#*passed, }
		f=${f%% failed}
	else
		p=0
		f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# Died before its summary, or a timeout: count it as one failure.
		f=1
		[ "$rc" -eq 124 ] && echo "# $name: timed out after ${LAB_TEST_TIMEOUT:-180}s"
		echo "# $name: exit status $rc"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && bad_tests+=("$name")
	printf '=== %s: %d passed, %d failed (%d.%01ds)\n' "$name" "$p" "$f" $((ms / 1000)) $((ms % 1000 / 100))
done
ms=$((($(date +%s%N) - start_all) / 1000000))
echo
[ ${#bad_tests[@]} -gt 0 ] && echo "failed: ${bad_tests[*]}"
printf '%d tests in %d.%01ds\n' ${#tests[@]} $((ms / 1000)) $((ms % 1000 / 100))
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# Every test dpgw has, in order of cost: unit tests (cmocka, with packet
# fixtures), the same under ASan+UBSan, the fuzz corpora replayed, and the
# network-namespace lab with real peers. Ends with one line
# "N passed, M failed" counting every test case of every suite.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=${BUILD:-build}
export BUILD_DIR=$REPO/$BUILD

passed=0
failed=0
summary=()

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), ..." per binary.
count_cmocka() {
	local log=$1 p f
	p=$(grep -ohE '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -ohE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	echo "$p $f"
}

run_meson_suite() {
	local name=$1 dir=$2 log rc p f
	log=$(mktemp)
	echo "=== $name ==="
	meson test -C "$dir" --print-errorlogs --verbose >"$log" 2>&1
	rc=$?
	grep -E '^\[ *(RUN|OK|FAILED|PASSED|ERROR|LINE) *\]|^ *[0-9]+/[0-9]+ ' "$log" | grep -v '^\[ RUN' | tail -n 400
	read -r p f < <(count_cmocka "$log")
	# A binary that crashed before cmocka's summary counts as one failure.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	summary+=("$name: $p passed, $f failed")
	rm -f "$log"
}

# 1. unit tests
run_meson_suite "unit tests" "$BUILD"

# 2. the same under ASan + UBSan
if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
if ninja -C build-asan >/dev/null 2>build-asan.err; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	run_meson_suite "unit tests (ASan+UBSan)" build-asan
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	cat build-asan.err; failed=$((failed + 1)); summary+=("ASan build: FAILED")
fi
rm -f build-asan.err

# A script that ends with "N passed, M failed" (fuzz replay, lab).
run_script_suite() {
	local name=$1 script=$2 out rc line p f
	[ -x "$script" ] || return 0
	echo "=== $name ==="
	out=$("$script" 2>&1); rc=$?
	echo "$out" | tail -n 80
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	p=$(echo "$line" | awk '{print $1+0}'); f=$(echo "$line" | awk '{print $3+0}')
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	summary+=("$name: ${p:-0} passed, ${f:-0} failed")
}

# 3. fuzz corpora replayed under libFuzzer + ASan
run_script_suite "fuzz replay" tests/fuzz/replay.sh

# 4. lab: real peers in network namespaces (needs root)
run_script_suite "lab" tests/lab/run.sh

echo "=== summary ==="
for s in "${summary[@]}"; do echo "  $s"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

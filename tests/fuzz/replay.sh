#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Replay the committed fuzz corpora through their libFuzzer targets (what
# CI runs), or fuzz for a while and merge what is new into the corpora.
#
#   tests/fuzz/replay.sh [options] [TARGET...]
#     (default)        run every input of each target's corpus once; one line
#                      per target, then "N passed, M failed"; exit 1 if any
#                      target failed. Known crashes (tests/fuzz/crashes/
#                      TARGET--NAME) are replayed too and reported on their
#                      own line: they do not fail the run unless --strict.
#     --fuzz SECONDS   fuzz each target for SECONDS (seeded with its corpus),
#                      then merge inputs that add coverage into the corpus
#                      (-merge=1), minimise it and replay it; a crash is saved
#                      under tests/fuzz/crashes/ and fails the run. To look
#                      past known bugs of fuzz_worker while fuzzing, set
#                      FUZZ_WORKER_IGNORE (see fuzz_worker.c); inputs that
#                      hit them are kept out of the corpus.
#     --build DIR      fuzz build directory (default build-fuzz); configured
#                      with clang and the sanitizers if it does not exist
#     --strict         known crashes count as failures
#     -h, --help
#   TARGET: fuzz_pkt, fuzz_worker, fuzz_config, fuzz_manifest, fuzz_tcp
#   (default: all).
#   Environment: ASAN_OPTIONS / UBSAN_OPTIONS are given defaults that make
#   every report fatal; FUZZ_ARGS adds libFuzzer flags (e.g. -jobs=2).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=build-fuzz
FUZZ_SECONDS=0
STRICT=0
TARGETS=()

usage() { sed -n '4,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case "$1" in
	--fuzz) FUZZ_SECONDS=${2:?--fuzz needs SECONDS}; shift 2 ;;
	--build) BUILD=${2:?}; shift 2 ;;
	--strict) STRICT=1; shift ;;
	-h|--help) usage; exit 0 ;;
	fuzz_pkt|fuzz_worker|fuzz_config|fuzz_manifest|fuzz_tcp) TARGETS+=("$1"); shift ;;
	*) usage >&2; exit 2 ;;
	esac
done
[[ "$FUZZ_SECONDS" =~ ^[0-9]+$ ]] || { echo "replay.sh: --fuzz takes whole seconds" >&2; exit 2; }
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_pkt fuzz_worker fuzz_config fuzz_manifest fuzz_tcp)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

# Which corpus a target reads, and the largest input worth trying.
corpus_of() {
	case "$1" in
	fuzz_pkt|fuzz_worker) echo "$HERE/corpus/pkt" ;;
	fuzz_config) echo "$HERE/corpus/config" ;;
	fuzz_manifest) echo "$HERE/corpus/manifest" ;;
	fuzz_tcp) echo "$HERE/corpus/tcp" ;;
	esac
}
# Extra libFuzzer flags while fuzzing. fuzz_config: libconfig 1.5 leaks on
# some syntax errors (suppressed in fuzz_config.c), and every input whose
# mallocs and frees do not balance makes libFuzzer run a full leak scan,
# 50 times slower than the parse; leaks of ours still show up when the
# corpus is replayed (LeakSanitizer at exit).
# fuzz_tcp: entropic scheduling spends most of each run on its feature
# bookkeeping (the stack has ~30k features); without it the target runs
# about three times as many inputs and reaches more in the same time.
fuzz_flags_of() {
	case "$1" in
	fuzz_config) echo "-detect_leaks=0" ;;
	fuzz_tcp) echo "-entropic=0" ;;
	esac
}
# Extra flags of the minimising merge. fuzz_tcp: with hit counters every
# action script is new somewhere (thousands of files); merging on edges
# alone keeps the corpus under 300 files with the same edge coverage.
merge_flags_of() {
	case "$1" in
	fuzz_tcp) echo "-use_counters=0" ;;
	esac
}
max_len_of() {
	case "$1" in
	fuzz_pkt|fuzz_worker) echo 1600 ;;
	fuzz_config) echo 4096 ;;
	fuzz_manifest) echo 8192 ;;
	fuzz_tcp) echo 4096 ;;
	esac
}

# Every sanitizer report ends the process with an error.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# ---- build ----------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
	echo "configuring $BUILD (clang, libFuzzer, ASan+UBSan)" >&2
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >"$BUILD.setup.log" 2>&1 || {
		cat "$BUILD.setup.log" >&2
		echo "replay.sh: meson setup failed" >&2
		exit 1
	}
	rm -f "$BUILD.setup.log"
fi
ninja_targets=()
for t in "${TARGETS[@]}"; do
	ninja_targets+=("tests/fuzz/$t")
done
if ! ninja -C "$BUILD" "${ninja_targets[@]}" >/dev/null; then
	ninja -C "$BUILD" "${ninja_targets[@]}" >&2
	echo "replay.sh: build failed" >&2
	exit 1
fi

TMP=$(mktemp -d /tmp/dpgw-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# libFuzzer and EAL write into the working directory (artifacts, runtime files).
cd "$TMP" || exit 1

# The inputs of a directory, sorted, one per line.
inputs_of() {
	find "$1" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' ! -name '*.py' 2>/dev/null | sort
}

dir_bytes() {
	inputs_of "$1" | tr '\n' '\0' | xargs -0 -r cat | wc -c
}

# ---- replay ---------------------------------------------------------------
replay_target() {
	local t=$1 bin="$BUILD/tests/fuzz/$1" dir log start end n
	dir=$(corpus_of "$t")
	log="$TMP/$t.replay.log"
	mapfile -t files < <(inputs_of "$dir")
	n=${#files[@]}
	if [ "$n" -eq 0 ]; then
		printf '%-12s %-24s %4d inputs  FAIL (empty corpus)\n' "$t" "${dir#"$ROOT"/}" 0
		return 1
	fi
	start=$(date +%s.%N)
	"$bin" -timeout=25 -rss_limit_mb=4096 -error_exitcode=77 "${files[@]}" >"$log" 2>&1
	local rc=$?
	end=$(date +%s.%N)
	if [ $rc -eq 0 ]; then
		printf '%-12s %-24s %4d inputs  ok (%s s)\n' "$t" "${dir#"$ROOT"/}" "$n" \
			"$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
		return 0
	fi
	local bad
	bad=$(grep '^Running: ' "$log" | tail -1 | sed 's/^Running: //')
	printf '%-12s %-24s %4d inputs  FAIL (exit %d) on %s\n' "$t" "${dir#"$ROOT"/}" "$n" "$rc" \
		"${bad#"$ROOT"/}"
	grep -E 'ERROR|runtime error|check failed|contract violated|SUMMARY' "$log" | head -5 |
		sed 's/^/    /'
	cp "$log" "${TMPDIR:-/tmp}/dpgw-$t-replay.log" 2>/dev/null &&
		echo "    full log: ${TMPDIR:-/tmp}/dpgw-$t-replay.log"
	return 1
}

# Known crashes: report whether each still reproduces.
replay_crashes() {
	local f t name rc still=0 fixed=0
	for f in $(find "$HERE/crashes" -maxdepth 1 -type f -name '*--*' ! -name '*.log' \
			! -name '*.md' 2>/dev/null | sort); do
		name=$(basename "$f")
		t=${name%%--*}
		[[ " ${TARGETS[*]} " == *" $t "* ]] || continue
		"$BUILD/tests/fuzz/$t" -timeout=25 "$f" >"$TMP/crash.log" 2>&1 &
		wait $!
		rc=$?
		# A crashing fuzz_worker leaves its EAL runtime directory (prefix fuzzPID).
		rmdir "/var/run/dpdk/fuzz$!" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/fuzz$!" 2>/dev/null
		if [ $rc -ne 0 ]; then
			printf 'known crash  %-44s still reproduces\n' "crashes/$name"
			still=$((still + 1))
		else
			printf 'known crash  %-44s FIXED: move it into %s\n' "crashes/$name" \
				"$(corpus_of "$t" | sed "s|^$ROOT/||")"
			fixed=$((fixed + 1))
		fi
	done
	KNOWN_STILL=$still
}

# ---- fuzz -----------------------------------------------------------------
fuzz_target() {
	local t=$1 bin="$BUILD/tests/fuzz/$1" dir new rc crash
	dir=$(corpus_of "$t")
	new="$TMP/new-$t"
	mkdir -p "$new" "$TMP/art-$t"
	# New units go to the first directory; the corpus seeds the run.
	# shellcheck disable=SC2086,SC2046 # flag lists, split on purpose
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len_of "$t")" -timeout=25 \
		-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$TMP/art-$t/" \
		$(fuzz_flags_of "$t") ${FUZZ_ARGS:-} "$new" "$dir" >"$TMP/$t.fuzz.log" 2>&1
	rc=$?
	local execs speed
	execs=$(awk '/^stat::number_of_executed_units:/ { print $NF }' "$TMP/$t.fuzz.log" | tail -1)
	speed=$(awk '/^stat::average_exec_per_sec:/ { print $NF }' "$TMP/$t.fuzz.log" | tail -1)
	crash=$(find "$TMP/art-$t" -type f | head -1)
	if [ -n "$crash" ]; then
		mkdir -p "$HERE/crashes"
		cp "$crash" "$HERE/crashes/$t--$(basename "$crash")"
		cp "$TMP/$t.fuzz.log" "$HERE/crashes/$t--$(basename "$crash").log"
		printf '%-12s fuzzed %ss: CRASH saved as tests/fuzz/crashes/%s\n' "$t" \
			"$FUZZ_SECONDS" "$t--$(basename "$crash")"
		grep -E 'ERROR|runtime error|check failed|contract violated|SUMMARY' \
			"$TMP/$t.fuzz.log" | head -5 | sed 's/^/    /'
		return 1
	fi
	if [ $rc -ne 0 ]; then
		printf '%-12s fuzzed %ss: libFuzzer exit %d\n' "$t" "$FUZZ_SECONDS" "$rc"
		tail -20 "$TMP/$t.fuzz.log" | sed 's/^/    /'
		return 1
	fi
	printf '%-12s fuzzed %ss: %s execs (%s/s), %d new units\n' "$t" "$FUZZ_SECONDS" \
		"${execs:-?}" "${speed:-?}" "$(inputs_of "$new" | wc -l)"
	return 0
}

# Rebuild a corpus directory as: the hand-written seeds (every file not named
# by a 40-hex SHA-1) plus the fewest other inputs that keep the coverage of
# all targets reading it.
minimise_corpus() {
	local dir=$1
	shift
	local fresh t extra=()
	fresh="$TMP/fresh-$(basename "$dir")"
	rm -rf "$fresh"
	mkdir -p "$fresh"
	inputs_of "$dir" | grep -Ev '/[0-9a-f]{40}$' | xargs -r -I{} cp {} "$fresh/"
	for t in "$@"; do
		[ -d "$TMP/new-$t" ] && extra+=("$TMP/new-$t")
	done
	# Without FUZZ_WORKER_IGNORE: inputs that hit a known bug
	# crash the merge and stay out of the corpus (tests/fuzz/crashes/ holds those).
	for t in "$@"; do
		# shellcheck disable=SC2046 # a flag list, split on purpose
		env -u FUZZ_WORKER_IGNORE "$BUILD/tests/fuzz/$t" -merge=1 -max_len="$(max_len_of "$t")" -timeout=25 \
			-rss_limit_mb=4096 $(merge_flags_of "$t") "$fresh" "$dir" "${extra[@]}" \
			>"$TMP/merge-$t.log" 2>&1 || {
			echo "merge with $t failed:" >&2
			tail -20 "$TMP/merge-$t.log" >&2
			return 1
		}
	done
	# Replace the SHA-1 named inputs with the merged set.
	inputs_of "$dir" | grep -E '/[0-9a-f]{40}$' | xargs -r rm -f
	inputs_of "$fresh" | grep -E '/[0-9a-f]{40}$' | xargs -r -I{} cp {} "$dir/"
	printf 'corpus %-24s %4d files, %d bytes\n' "${dir#"$ROOT"/}" \
		"$(inputs_of "$dir" | wc -l)" "$(dir_bytes "$dir")"
}

PASSED=0
FAILED=0
KNOWN_STILL=0
if [ "$FUZZ_SECONDS" -gt 0 ]; then
	for t in "${TARGETS[@]}"; do
		if fuzz_target "$t"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	done
	pkt_targets=()
	for t in "${TARGETS[@]}"; do
		case "$t" in fuzz_worker|fuzz_pkt) pkt_targets+=("$t") ;; esac
	done
	# fuzz_worker first: it reaches everything fuzz_pkt does and more.
	# shellcheck disable=SC2046 # target names have no spaces
	[ ${#pkt_targets[@]} -gt 0 ] && minimise_corpus "$HERE/corpus/pkt" \
		$(printf '%s\n' "${pkt_targets[@]}" | sort -r)
	[[ " ${TARGETS[*]} " == *" fuzz_config "* ]] &&
		minimise_corpus "$HERE/corpus/config" fuzz_config
	[[ " ${TARGETS[*]} " == *" fuzz_manifest "* ]] &&
		minimise_corpus "$HERE/corpus/manifest" fuzz_manifest
	[[ " ${TARGETS[*]} " == *" fuzz_tcp "* ]] &&
		minimise_corpus "$HERE/corpus/tcp" fuzz_tcp
	# What was merged must replay clean.
	unset FUZZ_WORKER_IGNORE
	for t in "${TARGETS[@]}"; do
		replay_target "$t" || FAILED=$((FAILED + 1))
	done
else
	for t in "${TARGETS[@]}"; do
		if replay_target "$t"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	done
	replay_crashes
	if [ "$STRICT" = 1 ] && [ "$KNOWN_STILL" -gt 0 ]; then
		FAILED=$((FAILED + KNOWN_STILL))
	fi
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

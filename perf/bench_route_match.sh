#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Route matcher benchmark: ns per gw_route_match() against a 10-route and a
# 10,000-route table, same request mix, and their ratio (target < 2: lookup
# must not scale with the table). Builds perf/bench_route_match, runs it,
# prints its JSON line and appends it, with the revision and the machine,
# to perf/results/route_match.jsonl. See perf/README.md, "Route matching".
#
#   perf/bench_route_match.sh [options]
#     -b, --build DIR     build directory (default build-perf; configured and
#                         built when missing)
#     -r, --runs N        runs of the benchmark binary (default 3)
#     -i, --iters N       passes over the 4096 requests per repetition (100)
#     -o, --out FILE      results file (default perf/results/route_match.jsonl)
#     -n, --no-record     print only
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build-perf
OUT="$ROOT/perf/results/route_match.jsonl"
RUNS=3
ITERS=100
RECORD=1

die() { echo "bench_route_match: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-b|--build) BUILD=$2; shift 2 ;;
	-r|--runs) RUNS=$2; shift 2 ;;
	-i|--iters) ITERS=$2; shift 2 ;;
	-o|--out) OUT=$2; shift 2 ;;
	-n|--no-record) RECORD=0; shift ;;
	-h|--help) sed -n '3,16p' "$0"; exit 0 ;;
	*) die "unknown option $1" ;;
	esac
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
command -v jq >/dev/null || die "needs jq"

[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
ninja -C "$BUILD" perf/bench_route_match >/dev/null || die "build failed"
BIN="$BUILD/perf/bench_route_match"

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
BUILDTYPE=$(meson introspect --buildoptions "$BUILD" 2>/dev/null |
	jq -r '.[] | select(.name == "buildtype") | .value' 2>/dev/null || echo unknown)

RATIOS=()
for ((run = 1; run <= RUNS; run++)); do
	LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
	LINE=$("$BIN" -i "$ITERS") || die "benchmark failed"
	echo "$LINE"
	RATIOS+=("$(jq -r .ratio <<<"$LINE")")
	if [ "$RECORD" = 1 ]; then
		mkdir -p "$(dirname "$OUT")"
		jq -c \
			--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
			--arg rev "$REV" --argjson dirty "$DIRTY" \
			--arg cpu "$CPU" --argjson nproc "$NPROC" --arg kernel "$(uname -r)" \
			--arg buildtype "$BUILDTYPE" --arg loadavg "$LOADAVG" \
			--argjson run "$run" --argjson runs "$RUNS" \
			'del(.sink) + {date: $date, git_rev: $rev, git_dirty: $dirty,
			  machine: {nproc: $nproc, cpu: $cpu, kernel: $kernel, loadavg_before: $loadavg},
			  dpgw_buildtype: $buildtype, run: $run, of: $runs,
			  target: 2, pass: (.ratio < 2)}' <<<"$LINE" >>"$OUT"
	fi
done
if [ "$RUNS" -gt 1 ]; then
	printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{ r[NR] = $1 } END {
		m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "median ratio %.3f over %d runs (min %.3f, max %.3f; target < 2)\n", m, NR, r[1], r[NR] }'
fi
[ "$RECORD" = 1 ] && echo "appended $RUNS line(s) to ${OUT#"$ROOT"/}"
exit 0

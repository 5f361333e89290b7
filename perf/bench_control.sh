#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Control-plane benchmark (perf/bench_control.c): 10,000 HTTPRoutes
# (100 namespaces x 100 routes, mixed hostnames, Exact/PathPrefix paths,
# header and method matches, each backed by Services and EndpointSlices)
# loaded from a manifest directory, translated, compiled and published;
# then one route changed on disk, C times, each timed from the write to the
# new generation being published. Appends each run's JSON line, with the
# revision and the machine, to perf/results/control.jsonl.
# Targets (issue): cold compile < 500 ms and < 100 MB; change p99 < 20 ms.
#
#   perf/bench_control.sh [options]
#     -b, --build DIR     build directory (default build-perf; configured and
#                         built when missing)
#     -r, --runs N        runs (default 3)
#     -c, --changes N     changes per run (default 100)
#     -a, --args "..."    more arguments for bench_control (-l: one file per route)
#     -o, --out FILE      results file (default perf/results/control.jsonl)
#     -n, --no-record     print only
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build-perf
OUT="$ROOT/perf/results/control.jsonl"
RUNS=3
CHANGES=100
ARGS=""
RECORD=1

die() { echo "bench_control: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-b|--build) BUILD=$2; shift 2 ;;
	-r|--runs) RUNS=$2; shift 2 ;;
	-c|--changes) CHANGES=$2; shift 2 ;;
	-a|--args) ARGS=$2; shift 2 ;;
	-o|--out) OUT=$2; shift 2 ;;
	-n|--no-record) RECORD=0; shift ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) die "unknown option $1" ;;
	esac
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
command -v jq >/dev/null || die "needs jq"

[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
ninja -C "$BUILD" perf/bench_control >/dev/null || die "build failed"
BIN="$BUILD/perf/bench_control"

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)

for ((run = 1; run <= RUNS; run++)); do
	LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
	# shellcheck disable=SC2086 # ARGS is a list of words
	LINE=$("$BIN" -n 100 -r 100 -c "$CHANGES" $ARGS) || die "benchmark failed"
	echo "$LINE"
	if [ "$RECORD" = 1 ]; then
		mkdir -p "$(dirname "$OUT")"
		jq -c --arg rev "$REV" --argjson dirty "$DIRTY" --arg cpu "$CPU" \
			--argjson nproc "$NPROC" --arg load "$LOADAVG" --arg date "$(date -u +%FT%TZ)" \
			'. + {rev: $rev, dirty: $dirty, cpu: $cpu, nproc: $nproc, loadavg: $load, date: $date}' \
			<<<"$LINE" >>"$OUT"
	fi
done

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# L4 data-plane benchmark (issue 4), perf/bench_l4.c: the real worker, in
# one process, on two net_ring ports, NAT'ing TCP (or UDP) flows to 4
# backends through a VIP. Per round: established-flow forwarding (client
# -> backend and backend -> client, 1024 flows) against testpmd's io
# forwarding loop on the same ports and packets, alternated; new flows per
# second; the same forwarding with 1,000,000 flows; the flow table alone
# (bytes per flow, lookups at 1,000,000 and 1,000 entries). Appends one
# JSON line per round to perf/results/l4.jsonl and prints a summary.
# Targets (issue): forwarding >= 0.5 of testpmd io, >= 2 M new flows/s,
# <= 128 bytes per flow at 1,000,000 flows. See perf/README.md.
#
#   perf/bench_l4.sh [options]
#     -r, --runs N        rounds (default 3)
#     -d, --duration S    seconds per timed run (default 3)
#     -b, --build DIR     build directory (default build-perf; configured and
#                         built when missing)
#     -a, --args "..."    more arguments for bench_l4 (-u: UDP; -f N flows;
#                         -F N big flows; -m fwd,rev,new,big,table; -x: no baseline)
#     -H, --huge N        use N 2 MiB hugepages instead of --no-huge (mounts
#                         hugetlbfs if needed; root; other users' pages count too)
#     -p, --profile       perf record (cpu-clock, DWARF call graphs) one
#                         dpgw-only fwd run and print the top symbols; records nothing
#     -o, --out FILE      results file (default perf/results/l4.jsonl)
#     -n, --no-record     print only
#     -h, --help
#   Environment: LCORE (default 1), MEM_MB (default 3072), BENCH_GIT_REV and
#   BENCH_GIT_DIRTY (record these instead of asking git).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build-perf
OUT="$ROOT/perf/results/l4.jsonl"
RUNS=3
DURATION=3
ARGS=""
RECORD=1
HUGE=0
PROFILE=0
LCORE=${LCORE:-1}
MEM_MB=${MEM_MB:-3072}

usage() { sed -n '4,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "bench_l4: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-r|--runs) RUNS=$2; shift 2 ;;
	-d|--duration) DURATION=$2; shift 2 ;;
	-b|--build) BUILD=$2; shift 2 ;;
	-a|--args) ARGS=$2; shift 2 ;;
	-H|--huge) HUGE=$2; shift 2 ;;
	-p|--profile) PROFILE=1; RECORD=0; shift ;;
	-o|--out) OUT=$2; shift 2 ;;
	-n|--no-record) RECORD=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "bad --runs"
[[ "$DURATION" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "bad --duration"
command -v jq >/dev/null || die "needs jq (apt-get install jq)"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
ninja -C "$BUILD" perf/bench_l4 >/dev/null || die "build failed"
BIN="$BUILD/perf/bench_l4"

if [ "$HUGE" -gt 0 ]; then
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$HUGE" ] ||
		echo "$HUGE" >/proc/sys/vm/nr_hugepages || die "cannot reserve $HUGE hugepages"
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages ||
		die "cannot mount hugetlbfs on /dev/hugepages"
	MEM_MB=$((HUGE * 2 - 64))
	EAL_MEM=(-m "$MEM_MB" --huge-dir /dev/hugepages)
else
	# --no-huge memory is allocated as it is touched: make sure it fits.
	AVAIL_MB=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	[ "$AVAIL_MB" -gt $((MEM_MB + 1024)) ] ||
		die "needs about $((MEM_MB + 1024)) MB free, $AVAIL_MB MB available (MEM_MB=...)"
	EAL_MEM=(--no-huge -m "$MEM_MB")
fi
PREFIX="bench_l4_$$"
EAL=(-l "$LCORE" "${EAL_MEM[@]}" --no-pci --no-shconf --log-level lib.eal:error
	--file-prefix "$PREFIX")

TMP=$(mktemp -d /tmp/dpgw-bench-l4.XXXXXX)
cleanup() {
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do
		rm -rf "${d:?}/$PREFIX" 2>/dev/null || true
	done
	# --no-shconf still leaves its hugepage files behind: they hold the pages.
	[ "$HUGE" -gt 0 ] && rm -f /dev/hugepages/"$PREFIX"map_* 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ "$PROFILE" = 1 ]; then
	command -v perf >/dev/null || die "perf not installed"
	# shellcheck disable=SC2086 # ARGS is a list of words
	perf record -q -e cpu-clock -F 2000 --call-graph dwarf,8192 -o "$TMP/perf.data" -- \
		"$BIN" -r 1 -d "$DURATION" -m fwd -x $ARGS -- "${EAL[@]}" >/dev/null
	perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1 \
		--sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
	echo "---- inclusive (children) ----"
	perf report -i "$TMP/perf.data" --children --stdio --percent-limit 3 --sort symbol \
		-g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
	exit 0
fi

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
# BENCH_GIT_REV / BENCH_GIT_DIRTY (true|false) override what git says.
REV=${BENCH_GIT_REV:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}
DIRTY=${BENCH_GIT_DIRTY:-$(GIT_OPTIONAL_LOCKS=0 git -C "$ROOT" status --porcelain \
	--untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)}
DPDK_VER=$(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)
BUILDTYPE=$(meson introspect --buildoptions "$BUILD" 2>/dev/null |
	jq -r '.[] | select(.name == "buildtype") | .value' 2>/dev/null || echo unknown)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

# One process runs all rounds (the 1M-flow setups are the slow part); it
# prints one JSON object per round on stdout as each round ends.
rc=0
# shellcheck disable=SC2086 # ARGS is a list of words
"$BIN" -r "$RUNS" -d "$DURATION" $ARGS -- "${EAL[@]}" >"$TMP/out.jsonl" || rc=$?
case "$rc" in
0) ;;
3) echo "bench_l4: some frames failed their checks (check_errors in the results)" >&2 ;;
*) die "bench_l4 failed ($rc)" ;;
esac

while IFS= read -r line; do
	jq -c --arg rev "$REV" --argjson dirty "$DIRTY" --arg date "$(date -u +%FT%TZ)" \
		--arg cpu "$CPU" --argjson nproc "$NPROC" --arg kernel "$(uname -r)" \
		--arg load "$LOADAVG" --arg dpdk "$DPDK_VER" --arg bt "$BUILDTYPE" \
		--arg eal "${EAL[*]}" \
		'{bench, date: $date, git_rev: $rev, git_dirty: $dirty,
		  machine: {nproc: $nproc, cpu: $cpu, kernel: $kernel, loadavg_before: $load},
		  dpdk: $dpdk, dpgw_buildtype: $bt, eal: $eal} + del(.bench)' \
		<<<"$line" >>"$TMP/record.jsonl"
done <"$TMP/out.jsonl"

# ---- summary ------------------------------------------------------------
jq -r '
  def f(x): if x == null then "-" else (x * 100 | round / 100 | tostring) end;
  def r3(x): if x == null then "-" else (x * 1000 | round / 1000 | tostring) end;
  [ "round", "fwd io/dpgw Mpps", "ratio", "rev io/dpgw Mpps", "ratio",
    "new M/s 64k/1M", "1M fwd/rev Mpps", "B/flow", "ns@1M/1k" ],
  (.[] | [ "\(.round)/\(.of)",
    "\(f(.fwd.baseline_mpps))/\(f(.fwd.dpgw_mpps))", r3(.fwd.ratio),
    "\(f(.rev.baseline_mpps))/\(f(.rev.dpgw_mpps))", r3(.rev.ratio),
    "\(f(if .new then .new.per_s / 1e6 else null end))/\(f(if .new_big then .new_big.per_s / 1e6 else null end))",
    "\(f(.big_fwd.dpgw_mpps))/\(f(.big_rev.dpgw_mpps))",
    f(.table.v4.bytes_per_flow),
    "\(f(.table.v4.lookup_ns))/\(f(.table.v4.small_lookup_ns))" ]) | @tsv' \
	--slurp "$TMP/record.jsonl" | column -t -s $'\t'
if [ "$RUNS" -gt 1 ]; then
	jq -r --slurp '
	  def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	           else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	  def m(p; d): [.[] | p | select(. != null)] | med |
	           if . == null then "-" else (. * d | round / d | tostring) end;
	  def mm(p): [.[] | p | select(. != null)] | med |
	           if . == null then "-" else (. / 1e4 | round / 100 | tostring) end;
	  "median of \(length) rounds: ratio fwd \(m(.fwd.ratio; 1000)), rev \(m(.rev.ratio; 1000)) " +
	  "(target 0.5); dpgw fwd \(m(.fwd.dpgw_cycles_per_pkt; 1)) / rev " +
	  "\(m(.rev.dpgw_cycles_per_pkt; 1)) cycles/pkt; new flows \(mm(.new.per_s)) M/s " +
	  "(table of \(m(.new.capacity; 1))), \(mm(.new_big.per_s)) M/s (table of " +
	  "\(m(.new_big.capacity; 1))) (target 2); \(m(.table.v4.bytes_per_flow; 10)) B/flow " +
	  "(target 128); lookup " +
	  "\(m(.table.v4.lookup_ns; 10)) ns at \(m(.table.entries; 1)), " +
	  "\(m(.table.v4.small_lookup_ns; 10)) ns at \(m(.table.small_entries; 1))"' "$TMP/record.jsonl"
fi
if [ "$RECORD" = 1 ]; then
	mkdir -p "$(dirname "$OUT")"
	cat "$TMP/record.jsonl" >>"$OUT"
	echo "appended $RUNS line(s) to ${OUT#"$ROOT"/}"
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# TCP stack benchmark (lib/tcp), perf/bench_tcp.c against Linux,
# perf/bench_tcp_linux.c, in the same run: two dpgw stacks back to back
# through rings on one lcore, and the same exchanges over loopback sockets in
# one thread pinned to the same CPU, both counted in CPU time. Per round,
# alternating dpgw then Linux (then iperf3 when installed): bulk Gbit/s per
# core (1448-byte MSS, software and offloaded checksums, and 1460 without
# timestamps), connections per second (connect, 64 bytes each way, close),
# memory per idle established connection, and a 2.25 GiB single-connection
# check. Appends one JSON line per round to perf/results/tcp.jsonl and
# prints a table with the ratios.
# Targets (issue): >= 500,000 connections/s per core, >= 10 Gbit/s bulk per
# core, <= 1 KiB per idle established connection. See perf/README.md.
#
#   perf/bench_tcp.sh [options]
#     -r, --runs N        rounds (default 3)
#     -d, --duration S    seconds per timed run (default 2)
#     -b, --build DIR     build directory (default build-perf; configured and
#                         built when missing)
#     -a, --args "..."    more arguments for bench_tcp (-m modes, -c conns,
#                         -k inflight, -M max_conns, -W tw_ms, -n idle, -b bytes)
#     -l, --linux "..."   more arguments for bench_tcp_linux (-m, -c, -k, -n)
#     -I, --no-iperf      skip iperf3
#     -p, --profile MODE  perf record (cpu-clock, DWARF call graphs) the timed
#                         window of one bench_tcp mode (bulk, crr, ...) and
#                         print the top symbols; records nothing
#     -o, --out FILE      results file (default perf/results/tcp.jsonl)
#     -n, --no-record     print only
#     -h, --help
#   Environment: LCORE (default 1; Linux runs pinned to that CPU too),
#   MEM_MB (default 2048), BENCH_GIT_REV and BENCH_GIT_DIRTY (record these
#   instead of asking git).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build-perf
OUT="$ROOT/perf/results/tcp.jsonl"
RUNS=3
DURATION=2
ARGS=""
LARGS=""
IPERF=1
RECORD=1
PROFILE=""
LCORE=${LCORE:-1}
MEM_MB=${MEM_MB:-2048}

usage() { sed -n '4,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "bench_tcp: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-r|--runs) RUNS=$2; shift 2 ;;
	-d|--duration) DURATION=$2; shift 2 ;;
	-b|--build) BUILD=$2; shift 2 ;;
	-a|--args) ARGS=$2; shift 2 ;;
	-l|--linux) LARGS=$2; shift 2 ;;
	-I|--no-iperf) IPERF=0; shift ;;
	-p|--profile) PROFILE=$2; RECORD=0; shift 2 ;;
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
ninja -C "$BUILD" perf/bench_tcp perf/bench_tcp_linux >/dev/null || die "build failed"
BIN="$BUILD/perf/bench_tcp"
LBIN="$BUILD/perf/bench_tcp_linux"

# --no-huge memory is allocated as it is touched: make sure it fits.
AVAIL_MB=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$AVAIL_MB" -gt $((MEM_MB + 1024)) ] ||
	die "needs about $((MEM_MB + 1024)) MB free, $AVAIL_MB MB available (MEM_MB=...)"
PREFIX="bench_tcp_$$"
EAL=(-l "$LCORE" --no-huge -m "$MEM_MB" --no-pci --no-shconf --log-level lib.eal:error
	--file-prefix "$PREFIX")
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$LCORE")

TMP=$(mktemp -d /tmp/dpgw-bench-tcp.XXXXXX)
IPERF_PID=""
cleanup() {
	[ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2>/dev/null
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do
		rm -rf "${d:?}/$PREFIX" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ -n "$PROFILE" ]; then
	command -v perf >/dev/null || die "perf not installed"
	# bench_tcp enables the events for its timed window only (BENCH_PERF_CTL).
	mkfifo "$TMP/ctl" "$TMP/ack"
	# shellcheck disable=SC2086 # ARGS is a list of words
	BENCH_PERF_CTL="$TMP/ctl" BENCH_PERF_ACK="$TMP/ack" \
		perf record -q -e cpu-clock -F 2000 --call-graph dwarf,8192 -D -1 \
		--control "fifo:$TMP/ctl,$TMP/ack" -o "$TMP/perf.data" -- \
		"$BIN" -m "$PROFILE" -d "$DURATION" $ARGS -- "${EAL[@]}" >/dev/null
	perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1 \
		--sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
	echo "---- inclusive (children) ----"
	perf report -i "$TMP/perf.data" --children --stdio --percent-limit 3 --sort symbol \
		-g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -50
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

# iperf3 on loopback: one client stream, -t DURATION; CPU seconds of both
# processes from iperf3's own utilisation figures (percent of one CPU).
run_iperf() {
	local port=$((20000 + $$ % 20000)) out="$TMP/iperf.json"

	"${PIN[@]}" iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	IPERF_PID=$!
	sleep 0.3
	if "${PIN[@]}" iperf3 -c 127.0.0.1 -p "$port" -t "$DURATION" -J >"$out" 2>/dev/null; then
		jq -c --argjson d "$DURATION" '.end as $e |
		  (($e.cpu_utilization_percent.host_total + $e.cpu_utilization_percent.remote_total)
		   / 100 * $d) as $cpu |
		  {streams: 1, seconds: $d, gbps_wall: ($e.sum_received.bits_per_second / 1e9),
		   cpu_s: $cpu, client_cpu_pct: $e.cpu_utilization_percent.host_total,
		   server_cpu_pct: $e.cpu_utilization_percent.remote_total,
		   gbps_per_core: (if $cpu > 0 then $e.sum_received.bytes * 8 / $cpu / 1e9
		                   else null end)}' "$out"
	else
		echo null
	fi
	wait "$IPERF_PID" 2>/dev/null || true
	IPERF_PID=""
}

[ "$IPERF" = 1 ] && ! command -v iperf3 >/dev/null && IPERF=0
for round in $(seq 1 "$RUNS"); do
	echo "round $round of $RUNS" >&2
	LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
	rc=0
	# shellcheck disable=SC2086 # ARGS is a list of words
	"$BIN" -d "$DURATION" $ARGS -- "${EAL[@]}" >"$TMP/dpgw.json" || rc=$?
	case "$rc" in
	0) ;;
	3) echo "bench_tcp: dpgw failed a check (check_errors in the results)" >&2 ;;
	*) die "bench_tcp failed ($rc)" ;;
	esac
	rc=0
	# shellcheck disable=SC2086 # LARGS is a list of words
	"${PIN[@]}" "$LBIN" -d "$DURATION" $LARGS >"$TMP/linux.json" || rc=$?
	case "$rc" in
	0) ;;
	3) echo "bench_tcp: the Linux baseline had errors (in the results)" >&2 ;;
	*) die "bench_tcp_linux failed ($rc)" ;;
	esac
	IPERF_JSON=null
	[ "$IPERF" = 1 ] && IPERF_JSON=$(run_iperf)
	jq -c -n --slurpfile g "$TMP/dpgw.json" --slurpfile l "$TMP/linux.json" \
		--argjson iperf "$IPERF_JSON" --argjson round "$round" --argjson of "$RUNS" \
		--arg rev "$REV" --argjson dirty "$DIRTY" --arg date "$(date -u +%FT%TZ)" \
		--arg cpu "$CPU" --argjson nproc "$NPROC" --arg kernel "$(uname -r)" \
		--arg load "$LOADAVG" --arg dpdk "$DPDK_VER" --arg bt "$BUILDTYPE" \
		--arg eal "${EAL[*]}" --arg pin "${PIN[*]}" '
	  def r(a; b): if a == null or b == null or b == 0 then null
	               else (a / b * 1000 | round / 1000) end;
	  $g[0] as $d | ($l[0] + {iperf3: $iperf}) as $x |
	  {bench: "tcp", date: $date, git_rev: $rev, git_dirty: $dirty,
	   machine: {nproc: $nproc, cpu: $cpu, kernel: $kernel, loadavg_before: $load},
	   dpdk: $dpdk, dpgw_buildtype: $bt, eal: $eal, linux_pinned: $pin,
	   round: $round, of: $of,
	   dpgw: ($d | del(.bench, .impl)), linux: ($x | del(.bench, .impl)),
	   ratios: {
	     bulk: r($d.bulk.gbps_per_core; $x.bulk.gbps_per_core),
	     bulk_offload: r($d.bulk_offload.gbps_per_core; $x.bulk.gbps_per_core),
	     bulk_vs_mtu1500: r($d.bulk.gbps_per_core; $x.bulk_mtu1500.gbps_per_core),
	     bulk_offload_vs_mtu1500: r($d.bulk_offload.gbps_per_core;
	                                $x.bulk_mtu1500.gbps_per_core),
	     crr: r($d.crr.per_s; $x.crr.per_s),
	     crr_tw: r($d.crr_tw.per_s; $x.crr.per_s),
	     idle_bytes: r($d.idle.bytes_per_conn; $x.idle.bytes_per_conn)},
	   targets: {crr_per_s: 500000, bulk_gbps: 10, idle_bytes: 1024},
	   pass: {crr: ($d.crr.per_s != null and $d.crr.per_s >= 500000),
	          bulk: ($d.bulk.gbps_per_core != null and $d.bulk.gbps_per_core >= 10),
	          bulk_offload: ($d.bulk_offload.gbps_per_core != null and
	                         $d.bulk_offload.gbps_per_core >= 10),
	          idle: ($d.idle.bytes_per_conn != null and $d.idle.bytes_per_conn <= 1024),
	          wrap: (if $d.wrap == null then null else $d.wrap.ok end)}}' >>"$TMP/record.jsonl"
done

# ---- summary ------------------------------------------------------------
jq -r '
  def f(x): if x == null then "-" else (x * 100 | round / 100 | tostring) end;
  def k(x): if x == null then "-" else (x / 1000 | round | tostring) + "k" end;
  def r3(x): if x == null then "-" else (x * 1000 | round / 1000 | tostring) end;
  [ "round", "bulk Gb/s dpgw sw/offl/nots", "linux lo/1500", "ratio sw/offl",
    "conn/s dpgw crr/tw", "linux", "ratio", "B/idle conn dpgw/linux", "2.25 GiB" ],
  (.[] | [ "\(.round)/\(.of)",
    "\(f(.dpgw.bulk.gbps_per_core))/\(f(.dpgw.bulk_offload.gbps_per_core))/\(f(.dpgw.bulk_nots.gbps_per_core))",
    "\(f(.linux.bulk.gbps_per_core))/\(f(.linux.bulk_mtu1500.gbps_per_core))",
    "\(r3(.ratios.bulk))/\(r3(.ratios.bulk_offload))",
    "\(k(.dpgw.crr.per_s))/\(k(.dpgw.crr_tw.per_s))", k(.linux.crr.per_s), r3(.ratios.crr),
    "\(f(.dpgw.idle.bytes_per_conn))/\(f(.linux.idle.bytes_per_conn))",
    (if .dpgw.wrap == null then "-" elif .dpgw.wrap.ok then "ok" else "STALLED" end) ]) | @tsv' \
	--slurp "$TMP/record.jsonl" | column -t -s $'\t'
jq -r --slurp '
  def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
           else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def m(p; d): [.[] | p | select(. != null)] | med |
           if . == null then "-" else (. * d | round / d | tostring) end;
  "median of \(length): bulk \(m(.dpgw.bulk.gbps_per_core; 100)) Gbit/s per core " +
  "(offloaded checksums \(m(.dpgw.bulk_offload.gbps_per_core; 100))), Linux loopback " +
  "\(m(.linux.bulk.gbps_per_core; 100)) (MSS 1448: \(m(.linux.bulk_mtu1500.gbps_per_core; 100))), " +
  "iperf3 \(m(.linux.iperf3.gbps_per_core; 100)) (target 10); " +
  "\(m(.dpgw.crr.per_s; 1)) conns/s per core (TIME-WAIT \(m(.dpgw.crr_tw.time_wait_ms; 1)) ms: " +
  "\(m(.dpgw.crr_tw.per_s; 1))), Linux \(m(.linux.crr.per_s; 1)), ratio \(m(.ratios.crr; 100)) " +
  "(target 500000); \(m(.dpgw.idle.bytes_per_conn; 10)) B per idle connection, Linux " +
  "\(m(.linux.idle.bytes_per_conn; 10)) (target 1024)"' "$TMP/record.jsonl"
if jq -e --slurp 'any(.[]; .dpgw.check_errors > 0)' "$TMP/record.jsonl" >/dev/null; then
	echo "check errors: $(jq -r --slurp '[.[] | .dpgw.first_check_error | select(. != "")] |
		unique | join("; ")' "$TMP/record.jsonl")"
fi
if [ "$RECORD" = 1 ]; then
	mkdir -p "$(dirname "$OUT")"
	cat "$TMP/record.jsonl" >>"$OUT"
	echo "appended $RUNS line(s) to ${OUT#"$ROOT"/}"
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Empty-loop benchmark: dpgw's worker on two net_null ports, every packet
# parsed and dropped as not-for-us, against dpdk-testpmd --forward-mode=rxonly
# on the same ports, same EAL flags, same machine, same run. Reports Mpps per
# worker of both and the ratio (target: dpgw >= 0.8 of testpmd), prints a
# table and appends one JSON line to perf/results/empty_loop.jsonl.
# See perf/README.md for what is measured and why it is fair.
#
#   perf/bench_empty_loop.sh [options]
#     -d, --duration S    measuring window per program (default 10)
#     -w, --warmup S      run before the window opens (default 2)
#     -r, --runs N        repeat testpmd+dpgw N times (default 1)
#     -s, --size B        net_null packet size (default 64)
#     -c, --copy 0|1      net_null copy mode for both programs (default 0)
#     -b, --build DIR     dpgw build directory (default build-perf; built if missing)
#     -o, --out FILE      results file (default perf/results/empty_loop.jsonl)
#     -n, --no-record     print only, append nothing
#     -p, --profile S     after the dpgw window, `perf record -g` the worker for S seconds
#                         and print the top of the report (perf.data under the temp dir)
#     -H, --huge N        use N 2 MiB hugepages for both programs instead of --no-huge
#                         (mounts hugetlbfs on /dev/hugepages if needed; root)
#     -k, --keep          keep the temp dir (logs, configs, perf.data)
#     -h, --help
#   Environment: TESTPMD (default dpdk-testpmd), MEM_MB (default 1024),
#   LCORE_MAIN (default 0), LCORE_WORKER (default 1).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=10
WARMUP=2
RUNS=1
SIZE=64
COPY=0
BUILD=build-perf
OUT="$ROOT/perf/results/empty_loop.jsonl"
RECORD=1
PROFILE=0
KEEP=0
HUGE=0
TESTPMD=${TESTPMD:-dpdk-testpmd}
MEM_MB=${MEM_MB:-1024}
LCORE_MAIN=${LCORE_MAIN:-0}
LCORE_WORKER=${LCORE_WORKER:-1}

usage() { sed -n '4,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "bench_empty_loop: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-d|--duration) DURATION=$2; shift 2 ;;
	-w|--warmup) WARMUP=$2; shift 2 ;;
	-r|--runs) RUNS=$2; shift 2 ;;
	-s|--size) SIZE=$2; shift 2 ;;
	-c|--copy) COPY=$2; shift 2 ;;
	-b|--build) BUILD=$2; shift 2 ;;
	-o|--out) OUT=$2; shift 2 ;;
	-n|--no-record) RECORD=0; shift ;;
	-p|--profile) PROFILE=$2; shift 2 ;;
	-H|--huge) HUGE=$2; shift 2 ;;
	-k|--keep) KEEP=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case "$COPY" in 0|1) ;; *) die "--copy must be 0 or 1" ;; esac
[[ "$DURATION" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "bad --duration"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "bad --runs"
command -v "$TESTPMD" >/dev/null || die "$TESTPMD not found (apt-get install dpdk)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

DPGW="$BUILD/app/dpgw"
DPGWCTL="$BUILD/app/dpgwctl"
if [ ! -x "$DPGW" ] || [ ! -x "$DPGWCTL" ]; then
	echo "building dpgw in $BUILD" >&2
	[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
	ninja -C "$BUILD" app/dpgw app/dpgwctl >/dev/null
fi

TMP=$(mktemp -d /tmp/dpgw-bench.XXXXXX)
PIDS=()
cleanup() {
	exec 3>&- 2>/dev/null || true
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	# EAL runtime directories (--no-shconf still makes one per prefix).
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do
		rm -rf "$d/bench_tp_$$" "$d/bench_gw_$$" 2>/dev/null || true
	done
	if [ "$KEEP" = 1 ]; then
		echo "kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DEV0="net_null0,size=$SIZE,copy=$COPY"
DEV1="net_null1,size=$SIZE,copy=$COPY"
# The same EAL memory and lcore flags for both programs.
if [ "$HUGE" -gt 0 ]; then
	# 4 KiB pages cost dpgw a TLB miss per frame it reads (testpmd rxonly
	# reads none); hugepages are how the appliance runs, so offer both.
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$HUGE" ] ||
		echo "$HUGE" >/proc/sys/vm/nr_hugepages || die "cannot reserve $HUGE hugepages"
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages ||
		die "cannot mount hugetlbfs on /dev/hugepages"
	MEM_MB=$((HUGE * 2 - 64))
	EAL_MEM=(-m "$MEM_MB" --huge-dir /dev/hugepages)
	EAL_MEM_TXT="-m $MEM_MB --huge-dir /dev/hugepages"
else
	EAL_MEM=(--no-huge -m "$MEM_MB")
	EAL_MEM_TXT="--no-huge -m $MEM_MB"
fi
EAL_COMMON=(-l "$LCORE_MAIN,$LCORE_WORKER" "${EAL_MEM[@]}" --no-shconf --no-pci)

now_ns() { date +%s%N; }

# Wait until FILE contains PATTERN, or fail after S seconds.
wait_log() {
	local file=$1 pattern=$2 s=$3 pid=$4 i
	for ((i = 0; i < s * 20; i++)); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# ---- testpmd --------------------------------------------------------------
# Interactive mode fed through a FIFO: start, warm up, "show port stats all"
# twice DURATION apart. testpmd prints Rx-pps "since last show", measured
# with its own TSC, so the rate does not depend on command latency.
run_testpmd() {
	local log="$TMP/testpmd.$1.log" fifo="$TMP/testpmd.in" pid t0 t1
	rm -f "$fifo"
	mkfifo "$fifo"
	"$TESTPMD" "${EAL_COMMON[@]}" --file-prefix "bench_tp_$$" \
		--vdev "$DEV0" --vdev "$DEV1" -- -i --forward-mode=rxonly \
		--nb-cores=1 --burst=32 <"$fifo" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	exec 3>"$fifo"
	wait_log "$log" "testpmd>" 60 "$pid" || { cat "$log" >&2; die "testpmd did not start"; }
	echo "start" >&3
	sleep "$WARMUP"
	echo "show port stats all" >&3
	t0=$(now_ns)
	sleep "$DURATION"
	echo "show port stats all" >&3
	t1=$(now_ns)
	echo "stop" >&3
	echo "quit" >&3
	exec 3>&-
	wait "$pid" || true
	PIDS=("${PIDS[@]/$pid}")
	# Second "show": one Rx-pps and one RX-packets line per port. Sum the
	# ports of the last show; cross-check with the RX-packets delta.
	TP_PPS=$(awk '/Rx-pps:/ { v[n++] = $2 } END {
		s = 0; for (i = n / 2; i < n; i++) s += v[i]; print s }' "$log")
	TP_DELTA=$(awk '/NIC statistics for port/ { show++ }
		/RX-packets:.*RX-missed:/ && show > 0 { pk[show] = $2 }
		END { h = show / 2; s = 0; for (i = 1; i <= h; i++) s += pk[i + h] - pk[i]; print s }' \
		"$log")
	TP_WALL_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	[ "${TP_PPS:-0}" -gt 0 ] || { tail -40 "$log" >&2; die "could not read testpmd Rx-pps"; }
}

# ---- dpgw -----------------------------------------------------------------
rx_packets() {
	"$DPGWCTL" --socket "$SOCK" -o json show stats 2>/dev/null |
		jq -e '[.counters[] | select(.name == "rx_packets") | .total] | first'
}

# One sample: rx_packets and the midpoint of the call in ns.
sample() {
	local a b v
	a=$(now_ns)
	v=$(rx_packets) || return 1
	b=$(now_ns)
	echo "$v $(((a + b) / 2))"
}

run_dpgw() {
	local log="$TMP/dpgw.$1.log" conf="$TMP/dpgw.conf" pid s0 s1 i
	SOCK="$TMP/admin.sock"
	cat >"$conf" <<-EOF
	ports = ( { name = "p0"; device = "$DEV0"; addresses = [ "10.77.1.1/24" ]; },
	          { name = "p1"; device = "$DEV1"; addresses = [ "10.77.2.1/24" ]; } );
	workers = { lcores = "$LCORE_WORKER"; idle_sleep_us = 0; };
	admin = { socket = "$SOCK"; };
	EOF
	"$DPGW" -c "$conf" -- "${EAL_COMMON[@]}" --file-prefix "bench_gw_$$" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for ((i = 0; i < 600; i++)); do
		rx_packets >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "dpgw exited"; }
		sleep 0.05
	done
	rx_packets >/dev/null || { cat "$log" >&2; die "dpgw admin socket does not answer"; }
	sleep "$WARMUP"
	s0=$(sample) || die "dpgw stats read failed"
	sleep "$DURATION"
	s1=$(sample) || die "dpgw stats read failed"
	if [ "$PROFILE" != 0 ]; then
		profile_dpgw "$pid"
	fi
	kill -TERM "$pid"
	wait "$pid" || true
	PIDS=("${PIDS[@]/$pid}")
	read -r GW_P0 GW_T0 <<<"$s0"
	read -r GW_P1 GW_T1 <<<"$s1"
	GW_DELTA=$((GW_P1 - GW_P0))
	GW_PPS=$(awk -v p="$GW_DELTA" -v a="$GW_T0" -v b="$GW_T1" \
		'BEGIN { printf "%.0f", p * 1e9 / (b - a) }')
	GW_WALL_S=$(awk -v a="$GW_T0" -v b="$GW_T1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	# What the packets were dropped as, for the record.
	GW_DROPS=$(grep -E '^dpgw: +drop_' "$log" | awk '{ printf "%s%s=%s", sep, $2, $3; sep = "," }')
	[ "$GW_PPS" -gt 0 ] || { cat "$log" >&2; die "dpgw received nothing"; }
}

profile_dpgw() {
	local pid=$1 tid
	command -v perf >/dev/null || { echo "perf not installed, no profile" >&2; return 0; }
	# The worker is the thread pinned to LCORE_WORKER: profile only it.
	tid=$(ps -L -o tid=,psr=,comm= -p "$pid" | awk -v c="$LCORE_WORKER" \
		'$2 == c && $3 ~ /worker/ { print $1; exit }')
	[ -n "$tid" ] || tid=$pid
	perf record -q -g -t "$tid" -o "$TMP/perf.data" -- sleep "$PROFILE" >/dev/null 2>&1 || {
		echo "perf record failed" >&2; return 0; }
	echo "---- perf report (worker thread $tid, $PROFILE s) ----"
	perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1 \
		--sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
	KEEP=1
}

# ---- main -----------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
DPDK_VER=$(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)
BUILDTYPE=$(meson introspect --buildoptions "$BUILD" 2>/dev/null |
	jq -r '.[] | select(.name == "buildtype") | .value' 2>/dev/null || echo unknown)

printf '%-4s %14s %14s %8s   %s\n' run "testpmd Mpps" "dpgw Mpps" ratio "(per worker, ${DURATION}s window, $DEV0 + $DEV1)"
RATIOS=()
for ((run = 1; run <= RUNS; run++)); do
	LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
	run_testpmd "$run"
	run_dpgw "$run"
	TP_MPPS=$(awk -v p="$TP_PPS" 'BEGIN { printf "%.3f", p / 1e6 }')
	GW_MPPS=$(awk -v p="$GW_PPS" 'BEGIN { printf "%.3f", p / 1e6 }')
	RATIO=$(awk -v a="$GW_PPS" -v b="$TP_PPS" 'BEGIN { printf "%.3f", a / b }')
	PASS=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.8) ? "true" : "false" }')
	RATIOS+=("$RATIO")
	printf '%-4s %14s %14s %8s   %s\n' "$run" "$TP_MPPS" "$GW_MPPS" "$RATIO" \
		"$([ "$PASS" = true ] && echo "ok (>= 0.8)" || echo "BELOW 0.8")"
	if [ "$RECORD" = 1 ]; then
		mkdir -p "$(dirname "$OUT")"
		jq -cn \
			--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
			--arg rev "$REV" --argjson dirty "$DIRTY" \
			--arg cpu "$CPU" --argjson nproc "$NPROC" --arg kernel "$(uname -r)" \
			--arg dpdk "$DPDK_VER" --arg buildtype "$BUILDTYPE" \
			--arg dev0 "$DEV0" --arg dev1 "$DEV1" \
			--argjson duration "$DURATION" --argjson run "$run" --argjson runs "$RUNS" \
			--argjson tp_pps "$TP_PPS" --argjson tp_delta "$TP_DELTA" \
			--argjson tp_wall "$TP_WALL_S" \
			--argjson gw_pps "$GW_PPS" --argjson gw_delta "$GW_DELTA" \
			--argjson gw_wall "$GW_WALL_S" --arg gw_drops "$GW_DROPS" \
			--argjson ratio "$RATIO" --argjson pass "$PASS" \
			--arg loadavg "$LOADAVG" \
			--arg lm "$LCORE_MAIN" --arg lw "$LCORE_WORKER" --argjson mem "$MEM_MB" \
			--arg ealmem "$EAL_MEM_TXT" \
			'{bench: "empty_loop", date: $date, git_rev: $rev, git_dirty: $dirty,
			  machine: {nproc: $nproc, cpu: $cpu, kernel: $kernel, loadavg_before: $loadavg},
			  dpdk: $dpdk, dpgw_buildtype: $buildtype,
			  setup: {devices: [$dev0, $dev1], main_lcore: ($lm | tonumber),
			          worker_lcore: ($lw | tonumber), workers: 1,
			          eal: "\($ealmem) --no-shconf --no-pci",
			          duration_s: $duration, run: $run, of: $runs},
			  testpmd: {mode: "rxonly", mpps_per_worker: ($tp_pps / 1e6),
			            rx_packets: $tp_delta, window_s: $tp_wall},
			  dpgw: {mpps_per_worker: ($gw_pps / 1e6), rx_packets: $gw_delta,
			         window_s: $gw_wall, drops: $gw_drops},
			  ratio: $ratio, target: 0.8, pass: $pass}' >>"$OUT"
	fi
done
if [ "$RUNS" -gt 1 ]; then
	printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{ r[NR] = $1 } END {
		m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "median ratio %.3f over %d runs (min %.3f, max %.3f)\n", m, NR, r[1], r[NR] }'
fi
[ "$RECORD" = 1 ] && echo "appended $RUNS line(s) to ${OUT#"$ROOT"/}"
exit 0

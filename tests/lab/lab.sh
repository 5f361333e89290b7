# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
#
# lab.sh -- the library every netns end-to-end test (tests/lab/test_*.sh) and
# scripts/demo.sh source. It builds a small lab of network namespaces joined
# to the root namespace by veth pairs, runs dpgw on the root-side veths
# (net_af_xdp, falling back to net_af_packet), starts real peers inside the
# namespaces, and prints TAP-like results:
#
#   ok 1 - ping 10.77.1.1
#   not ok 2 - drop_ipv4_bad_cksum grew by >= 5
#   ...
#   12 passed, 1 failed
#
# A test looks like this:
#
#   . "$(dirname "$0")/lab.sh"
#   lab_init l2l3                      # unique LAB_ID, traps, temp dir
#   NS=${LAB_ID}c                      # build every name from LAB_ID
#   lab_netns "$NS"
#   lab_veth "$NS" "${LAB_ID}g" "${LAB_ID}n" 10.77.1.2/24 fd00:77:1::2/64
#   lab_start_dpgw "$LAB_HOME/dpgw-lab.conf.in" IFACE="${LAB_ID}g"
#   lab_ok "ping the gateway" ip netns exec "$NS" ping -c1 -W1 10.77.1.1
#   lab_expect "one echo reply" "$(lab_counter icmp_echo_tx)" -ge 1
#   lab_done
#
# Everything the lab creates (namespaces, links, processes, the temp dir,
# DPDK's runtime dir) is recorded and removed by lab_cleanup, which runs on
# EXIT, INT and TERM, so a failing or interrupted test leaves nothing behind.
# Names carry LAB_ID (a short form of the test name plus the shell's PID), so
# concurrent runs never collide. Needs root.
#
# Settings (environment, with defaults):
#   REPO              the source tree (the directory two levels above this file)
#   BUILD_DIR         $REPO/build
#   DPGW, DPGWCTL     $BUILD_DIR/app/dpgw, $BUILD_DIR/app/dpgwctl
#   LAB_PMDS          "net_af_xdp net_af_packet": drivers lab_start_dpgw tries, in order
#   LAB_EAL_ARGS      "--no-huge -m 512 --no-shconf" (a --file-prefix is added)
#   LAB_START_TIMEOUT 15 (seconds for dpgw's admin socket to answer)
#   LAB_PYTHON        a python3 that can import scapy (found automatically)
#   LAB_KEEP          1 keeps the temp dir (logs, configs) after the test
#   LAB_VERBOSE       1 prints the output of every lab_ok command
#   LAB_TAP           0: no summary line and no "ended early" result at exit
#                     (for scripts such as the demo that print no results)

LAB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$LAB_HOME/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$REPO/build}
DPGW=${DPGW:-$BUILD_DIR/app/dpgw}
DPGWCTL=${DPGWCTL:-$BUILD_DIR/app/dpgwctl}
LAB_PMDS=${LAB_PMDS:-"net_af_xdp net_af_packet"}
LAB_EAL_ARGS=${LAB_EAL_ARGS:-"--no-huge -m 512 --no-shconf"}
LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-15}
LAB_KEEP=${LAB_KEEP:-0}
LAB_VERBOSE=${LAB_VERBOSE:-0}
LAB_TAP=${LAB_TAP:-1}

LAB_NAME=
LAB_ID=
LAB_TMP=
LAB_NETNS=()
LAB_LINKS=()
LAB_PIDS=()
LAB_PREFIXES=()
LAB_N=0
LAB_PASSED=0
LAB_FAILED=0
LAB_TODO_FAILED=0
LAB_SUMMARY_DONE=0
LAB_CLEANED=0

# The running dpgw (lab_start_dpgw / lab_stop_dpgw).
LAB_DPGW_PID=
LAB_DPGW_LOG=
LAB_DPGW_CONF=
LAB_SOCK=
LAB_PMD=
LAB_DPGW_RC=
LAB_DPGW_STOP_MS=

# ---- output ----

# lab_log MSG...: a comment line, kept apart from results.
lab_log()
{
	printf '# %s\n' "$*"
}

lab_die()
{
	printf 'lab: %s\n' "$*" >&2
	exit 1
}

# Print a command's captured output indented as comments.
_lab_show()
{
	[ -n "$1" ] || return 0
	printf '%s\n' "$1" | tail -n 20 | sed 's/^/#   /'
}

# ---- results ----

# lab_pass DESC: record a passing check.
#
# A check made with LAB_TODO="why" set (LAB_TODO="known bug: ..." lab_expect
# ...) documents a known bug: its failure prints "not ok N - DESC # TODO why"
# and counts in neither total; once it passes it prints "ok ... # TODO" and
# the TODO should go.
lab_pass()
{
	LAB_N=$((LAB_N + 1))
	LAB_PASSED=$((LAB_PASSED + 1))
	if [ -n "${LAB_TODO:-}" ]; then
		printf 'ok %d - %s # TODO %s (passes now: drop the TODO)\n' "$LAB_N" "$1" "$LAB_TODO"
	else
		printf 'ok %d - %s\n' "$LAB_N" "$1"
	fi
}

# lab_fail DESC [DETAIL]: record a failing check; DETAIL is shown indented.
lab_fail()
{
	LAB_N=$((LAB_N + 1))
	if [ -n "${LAB_TODO:-}" ]; then
		LAB_TODO_FAILED=$((LAB_TODO_FAILED + 1))
		printf 'not ok %d - %s # TODO %s\n' "$LAB_N" "$1" "$LAB_TODO"
	else
		LAB_FAILED=$((LAB_FAILED + 1))
		printf 'not ok %d - %s\n' "$LAB_N" "$1"
	fi
	_lab_show "${2:-}"
	return 1
}

# lab_ok DESC CMD...: passes when CMD exits 0. Returns CMD's status.
lab_ok()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		lab_pass "$desc"
		[ "$LAB_VERBOSE" = 1 ] && _lab_show "$out"
	else
		lab_fail "$desc" "$(printf '$ %s\n%s\n(exit status %d)' "$*" "$out" "$rc")"
	fi
	return "$rc"
}

# lab_nok DESC CMD...: passes when CMD exits non-zero.
lab_nok()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		lab_pass "$desc"
		return 0
	fi
	lab_fail "$desc" "$(printf '$ %s\n%s\n(exit status 0, wanted failure)' "$*" "$out")"
}

# lab_expect DESC ACTUAL OP EXPECTED: compare; OP is a test(1) integer
# operator (-eq -ne -ge -gt -le -lt), == or != for strings (case-insensitive
# with ==i), or =~ for a bash regular expression.
lab_expect()
{
	local desc=$1 a=$2 op=$3 b=$4 r=1
	case $op in
	-eq|-ne|-ge|-gt|-le|-lt)
		if [[ $a =~ ^-?[0-9]+$ && $b =~ ^-?[0-9]+$ ]]; then
			case $op in
			-eq) ((a == b)) && r=0 ;;
			-ne) ((a != b)) && r=0 ;;
			-ge) ((a >= b)) && r=0 ;;
			-gt) ((a > b)) && r=0 ;;
			-le) ((a <= b)) && r=0 ;;
			-lt) ((a < b)) && r=0 ;;
			esac
		fi ;;
	==) [ "$a" = "$b" ] && r=0 ;;
	!=) [ "$a" != "$b" ] && r=0 ;;
	==i) [ "${a,,}" = "${b,,}" ] && r=0 ;;
	=~) [[ $a =~ $b ]] && r=0 ;;
	*) lab_die "lab_expect: unknown operator '$op'" ;;
	esac
	if [ "$r" -eq 0 ]; then
		lab_pass "$desc"
		return 0
	fi
	lab_fail "$desc" "got '$a', wanted $op '$b'"
}

# The dpgw log's tail, when something failed and there is a log.
_lab_log_tail()
{
	if [ "$LAB_FAILED" -gt 0 ] && [ -n "$LAB_DPGW_LOG" ] && [ -f "$LAB_DPGW_LOG" ]; then
		lab_log "last lines of $LAB_DPGW_LOG:"
		tail -n 15 "$LAB_DPGW_LOG" | sed 's/^/#   /'
	fi
}

# lab_done: print the summary line (and dpgw's log tail when something
# failed); status 1 when something failed. Call it last.
lab_done()
{
	if [ "$LAB_SUMMARY_DONE" = 0 ]; then
		_lab_log_tail
		[ "$LAB_TODO_FAILED" -gt 0 ] &&
			lab_log "$LAB_TODO_FAILED known bug(s) marked TODO, not counted"
		LAB_SUMMARY_DONE=1
		printf '%d passed, %d failed\n' "$LAB_PASSED" "$LAB_FAILED"
	fi
	[ "$LAB_FAILED" -eq 0 ]
}

# ---- setup ----

# lab_init NAME: start a lab. Sets LAB_ID (letters of NAME + PID, at most 11
# characters, so "${LAB_ID}xx" is a valid interface name) and LAB_TMP, and
# installs the cleanup traps.
lab_init()
{
	local short
	[ "$(id -u)" = 0 ] || lab_die "must run as root (network namespaces, AF_XDP)"
	LAB_NAME=${1:-lab}
	short=$(printf '%s' "$LAB_NAME" | tr -cd 'a-z0-9' | cut -c1-4)
	LAB_ID=${short:-lab}$$
	LAB_TMP=$(mktemp -d "/tmp/dpgw-lab-$LAB_ID.XXXXXX") || lab_die "mktemp failed"
	echo "$$ $(_lab_starttime $$)" >"$LAB_TMP/owner"
	trap '_lab_on_exit' EXIT
	trap '_lab_on_signal 130' INT
	trap '_lab_on_signal 143' TERM
	LAB_PYTHON=${LAB_PYTHON:-$(_lab_find_python)}
	export LAB_PYTHON
	[ -x "$DPGW" ] || lab_die "$DPGW not built (ninja -C ${BUILD_DIR})"
	lab_log "lab $LAB_NAME: id $LAB_ID, temp dir $LAB_TMP, build $BUILD_DIR"
}

_lab_find_python()
{
	local p
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null && "$p" -c 'import scapy' 2>/dev/null; then
			command -v "$p"
			return
		fi
	done
	command -v python3 || echo /usr/bin/python3
}

# lab_netns NAME: create namespace NAME with lo up.
lab_netns()
{
	local ns=$1
	ip netns add "$ns" || lab_die "ip netns add $ns failed"
	LAB_NETNS+=("$ns")
	_lab_record netns "$ns"
	ip -n "$ns" link set lo up
	# The kernel in the namespace should not add noise of its own.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 2>/dev/null || true
}

_lab_ifname_ok()
{
	if [ "${#1}" -lt 1 ] || [ "${#1}" -gt 15 ]; then
		lab_die "interface name '$1' must be 1..15 characters"
	fi
}

# lab_veth NS ROOT_IF NS_IF [ADDR4] [ADDR6]: a veth pair, ROOT_IF in the root
# namespace (up, IPv6 off, no address: dpgw owns it), NS_IF in NS (up, with
# the addresses, IPv6 without DAD, TX checksum offload off).
lab_veth()
{
	local ns=$1 rif=$2 nif=$3 a4=${4:-} a6=${5:-}
	_lab_ifname_ok "$rif"
	_lab_ifname_ok "$nif"
	ip link add "$rif" type veth peer name "$nif" netns "$ns" ||
		lab_die "ip link add $rif/$nif failed"
	LAB_LINKS+=("$rif")
	_lab_record link "$rif"
	sysctl -qw "net.ipv6.conf.$rif.disable_ipv6=1"
	ip link set "$rif" up
	ip netns exec "$ns" ethtool -K "$nif" tx off >/dev/null 2>&1 ||
		lab_die "ethtool -K $nif tx off failed"
	[ -n "$a4" ] && ip -n "$ns" addr add "$a4" dev "$nif"
	[ -n "$a6" ] && ip -n "$ns" addr add "$a6" dev "$nif" nodad
	ip -n "$ns" link set "$nif" up
}

# lab_veth_ns NS1 IF1 NS2 IF2 [ADDR4] [ADDR6]: a veth pair between two lab
# namespaces (it goes when they do): IF1 in NS1 up without addresses (a
# bridge port, say), IF2 in NS2 up with the addresses (IPv6 without DAD); TX
# checksum offload off on both ends, so every frame carries real checksums.
lab_veth_ns()
{
	local ns1=$1 if1=$2 ns2=$3 if2=$4 a4=${5:-} a6=${6:-}
	_lab_ifname_ok "$if1"
	_lab_ifname_ok "$if2"
	ip -n "$ns1" link add "$if1" type veth peer name "$if2" netns "$ns2" ||
		lab_die "ip link add $if1 ($ns1) / $if2 ($ns2) failed"
	ip netns exec "$ns1" ethtool -K "$if1" tx off >/dev/null 2>&1 ||
		lab_die "ethtool -K $if1 tx off failed"
	ip netns exec "$ns2" ethtool -K "$if2" tx off >/dev/null 2>&1 ||
		lab_die "ethtool -K $if2 tx off failed"
	[ -n "$a4" ] && ip -n "$ns2" addr add "$a4" dev "$if2"
	[ -n "$a6" ] && ip -n "$ns2" addr add "$a6" dev "$if2" nodad
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

# lab_bridge NS BR IF...: a Linux bridge BR in lab namespace NS with the
# interfaces IF... of NS as its ports, all up. No STP (ports forward at
# once) and no multicast snooping (dpgw joins no multicast group, yet its
# neighbour solicitations must reach it).
lab_bridge()
{
	local ns=$1 br=$2 i
	shift 2
	_lab_ifname_ok "$br"
	ip -n "$ns" link add "$br" type bridge stp_state 0 mcast_snooping 0 ||
		lab_die "ip link add $br type bridge ($ns) failed"
	for i in "$@"; do
		ip -n "$ns" link set "$i" master "$br" || lab_die "$i: cannot join $br"
	done
	ip -n "$ns" link set "$br" up
}

# lab_wait_file FILE PATTERN [TIMEOUT_S]: until FILE has a line matching the
# extended regular expression PATTERN (default timeout 10 s).
lab_wait_file()
{
	local f=$1 re=$2 t=${3:-10} i
	for ((i = 0; i < t * 20; i++)); do
		grep -qE "$re" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# lab_mac NS IF: the MAC address of IF in NS ("" for the root namespace).
lab_mac()
{
	if [ -n "$1" ]; then
		ip netns exec "$1" cat "/sys/class/net/$2/address"
	else
		cat "/sys/class/net/$2/address"
	fi
}

# lab_run_bg NS CMD...: start CMD in NS (root namespace when NS is "") in the
# background, output to $LAB_TMP/bg.N.log. Sets LAB_BG_PID and LAB_BG_LOG.
lab_run_bg()
{
	local ns=$1
	shift
	LAB_BG_LOG=$LAB_TMP/bg.${#LAB_PIDS[@]}.log
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@" >"$LAB_BG_LOG" 2>&1 </dev/null &
	else
		"$@" >"$LAB_BG_LOG" 2>&1 </dev/null &
	fi
	LAB_BG_PID=$!
	LAB_PIDS+=("$LAB_BG_PID")
	_lab_record pid "$LAB_BG_PID" "$(_lab_starttime "$LAB_BG_PID")"
}

# ---- processes ----

# _lab_starttime PID: the process's start time in clock ticks since boot
# (with the PID, it names one process even after the PID is reused).
_lab_starttime()
{
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# Note what the lab made in $LAB_TMP/resources, for lab_gc.
_lab_record()
{
	[ -n "$LAB_TMP" ] && echo "$*" >>"$LAB_TMP/resources"
}

# _lab_alive PID: true while PID runs (a zombie child counts as gone).
_lab_alive()
{
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# lab_kill PID [TIMEOUT_S]: TERM, then KILL after TIMEOUT_S (default 3).
lab_kill()
{
	local pid=$1 t=${2:-3} i
	_lab_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < t * 20; i++)); do
		_lab_alive "$pid" || break
		sleep 0.05
	done
	if _lab_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		sleep 0.05
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# ---- dpgw ----

# lab_admin CMD: one raw admin request ({"cmd": CMD}); prints the response
# line. Independent of dpgwctl; used to wait for the socket.
lab_admin()
{
	"$LAB_PYTHON" - "$LAB_SOCK" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall((json.dumps({"cmd": sys.argv[2]}) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    c = s.recv(65536)
    if not c:
        break
    buf += c
r = json.loads(buf)
print(json.dumps(r))
sys.exit(0 if r.get("ok") else 1)
EOF
}

# lab_ctl ARGS...: dpgwctl against the running dpgw.
lab_ctl()
{
	"$DPGWCTL" --socket "$LAB_SOCK" "$@"
}

# lab_json EXPR: read JSON on stdin, print the Python expression EXPR of it
# (bound to d); lists print one item a line.
lab_json()
{
	"$LAB_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1], {"d": d})
for x in (v if isinstance(v, list) else [v]):
    print(x if not isinstance(x, (dict, bool)) else json.dumps(x))
' "$1"
}

# lab_stats: the current counters, one "name total" a line.
lab_stats()
{
	lab_ctl -o json show stats | lab_json '[c["name"] + " " + str(c["total"]) for c in d["counters"]]'
}

# lab_counter NAME: one counter's total over all workers (empty if unknown).
lab_counter()
{
	lab_ctl -o json show stats |
		lab_json "[c['total'] for c in d['counters'] if c['name'] == '$1']"
}

# lab_port_mac [PORT]: the MAC of dpgw's port PORT (default: the first one),
# lower case.
lab_port_mac()
{
	lab_ctl -o json show ports |
		lab_json "[p['mac'].lower() for p in d['ports'] if '${1:-}' in ('', p['name'])][0]"
}

# lab_subst TEMPLATE OUT KEY=VALUE...: replace @KEY@ by VALUE; fails if an
# @PLACEHOLDER@ remains.
lab_subst()
{
	local tpl=$1 out=$2 kv k v content
	shift 2
	content=$(<"$tpl") || return 1
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		content=${content//@$k@/$v}
	done
	printf '%s\n' "$content" >"$out"
	if grep -qE '@[A-Z][A-Z0-9_]*@' "$out"; then
		lab_log "$tpl: unfilled placeholders: $(grep -oE '@[A-Z][A-Z0-9_]*@' "$out" | sort -u | tr '\n' ' ')"
		return 1
	fi
}

# lab_start_dpgw TEMPLATE [KEY=VALUE...]: write a config from TEMPLATE and
# start dpgw on it. The library fills @MANIFESTS@ ($LAB_TMP/manifests,
# created; a MANIFESTS=... argument wins), @SOCKET@ (admin socket), @PMD@ (the
# driver being tried, net_af_xdp), @PROFILE@ (its drivers-config profile,
# af_xdp) and @DEVICE@ (= "@PMD@0,iface=@IFACE@"); the caller gives the rest,
# IFACE=... among them. Drivers of LAB_PMDS are tried in
# turn; the first whose dpgw answers on the admin socket wins. Sets
# LAB_DPGW_PID, LAB_DPGW_LOG, LAB_DPGW_CONF, LAB_SOCK, LAB_PMD. Returns 1
# (with the log's tail printed) when no driver worked.
lab_start_dpgw()
{
	local tpl=$1 pmd iface='' kv n=0 prefix i ok
	shift
	for kv in "$@"; do
		[ "${kv%%=*}" = IFACE ] && iface=${kv#*=}
	done
	for pmd in $LAB_PMDS; do
		n=$((n + 1))
		LAB_SOCK=$LAB_TMP/admin.$n.sock
		LAB_DPGW_CONF=$LAB_TMP/dpgw.$n.conf
		LAB_DPGW_LOG=$LAB_TMP/dpgw.$n.log
		LAB_PMD=$pmd
		prefix=dpgw-$LAB_ID-$n
		LAB_PREFIXES+=("$prefix")
		_lab_record prefix "$prefix"
		mkdir -p "$LAB_TMP/manifests"
		lab_subst "$tpl" "$LAB_DPGW_CONF" "DEVICE=${pmd}0,iface=$iface" "$@" \
			"SOCKET=$LAB_SOCK" "PMD=$pmd" "PROFILE=${pmd#net_}" \
			"MANIFESTS=$LAB_TMP/manifests" || return 1
		# shellcheck disable=SC2086 # LAB_EAL_ARGS is a list of words
		"$DPGW" -c "$LAB_DPGW_CONF" -- $LAB_EAL_ARGS --file-prefix "$prefix" \
			>"$LAB_DPGW_LOG" 2>&1 </dev/null &
		LAB_DPGW_PID=$!
		LAB_PIDS+=("$LAB_DPGW_PID")
		_lab_record pid "$LAB_DPGW_PID" "$(_lab_starttime "$LAB_DPGW_PID")"
		ok=0
		for ((i = 0; i < LAB_START_TIMEOUT * 10; i++)); do
			_lab_alive "$LAB_DPGW_PID" || break
			if [ -S "$LAB_SOCK" ] && lab_admin 'show generation' >/dev/null 2>&1; then
				ok=1
				break
			fi
			sleep 0.1
		done
		if [ "$ok" = 1 ]; then
			lab_log "dpgw running (pid $LAB_DPGW_PID, $pmd${iface:+ on $iface}, log $LAB_DPGW_LOG)"
			return 0
		fi
		if _lab_alive "$LAB_DPGW_PID"; then
			lab_log "dpgw with $pmd: admin socket silent after ${LAB_START_TIMEOUT}s; stopping it"
		else
			wait "$LAB_DPGW_PID" 2>/dev/null
			lab_log "dpgw with $pmd exited with status $? before answering"
		fi
		lab_kill "$LAB_DPGW_PID"
		tail -n 8 "$LAB_DPGW_LOG" | sed 's/^/#   /'
		# A dpgw that died may leave its XDP program on the interface.
		[ -n "$iface" ] && ip link set dev "$iface" xdp off 2>/dev/null
	done
	LAB_DPGW_PID=
	lab_log "dpgw did not start with any of: $LAB_PMDS"
	return 1
}

# lab_stop_dpgw [TIMEOUT_S]: SIGTERM to dpgw, wait up to TIMEOUT_S (default
# 5) for it to exit. Sets LAB_DPGW_RC (its exit status) and LAB_DPGW_STOP_MS.
# Returns 1 if it had to be killed.
lab_stop_dpgw()
{
	local t=${1:-5} start i
	LAB_DPGW_RC=
	LAB_DPGW_STOP_MS=
	[ -n "$LAB_DPGW_PID" ] || return 1
	start=$(date +%s%N)
	kill -TERM "$LAB_DPGW_PID" 2>/dev/null
	for ((i = 0; i < t * 100; i++)); do
		_lab_alive "$LAB_DPGW_PID" || break
		sleep 0.01
	done
	LAB_DPGW_STOP_MS=$((($(date +%s%N) - start) / 1000000))
	if _lab_alive "$LAB_DPGW_PID"; then
		kill -KILL "$LAB_DPGW_PID" 2>/dev/null
		wait "$LAB_DPGW_PID" 2>/dev/null
		LAB_DPGW_RC=$?
		LAB_DPGW_PID=
		return 1
	fi
	wait "$LAB_DPGW_PID" 2>/dev/null
	LAB_DPGW_RC=$?
	LAB_DPGW_PID=
	return 0
}

# lab_dpgw_alive: true while the dpgw started last runs.
lab_dpgw_alive()
{
	[ -n "$LAB_DPGW_PID" ] && _lab_alive "$LAB_DPGW_PID"
}

# ---- cleanup ----

# lab_client_topology: the topology most tests use. Sets NS (client
# namespace), GIF (root-side veth dpgw owns), CIF (client side, 10.77.1.2/24
# and fd00:77:1::2/64) and defines inns (run a command in NS).
lab_client_topology()
{
	NS=${LAB_ID}c
	GIF=${LAB_ID}g
	CIF=${LAB_ID}n
	lab_netns "$NS"
	lab_veth "$NS" "$GIF" "$CIF" 10.77.1.2/24 fd00:77:1::2/64
}

inns()
{
	ip netns exec "$NS" "$@"
}

# lab_cleanup: stop every process, delete every namespace and link the lab
# made, remove DPDK runtime dirs and the temp dir. Idempotent.
lab_cleanup()
{
	local pid ns l p
	[ "$LAB_CLEANED" = 1 ] && return 0
	LAB_CLEANED=1
	for pid in "${LAB_PIDS[@]}"; do
		_lab_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		lab_kill "$pid" 3
	done
	for ns in "${LAB_NETNS[@]}"; do
		# Anything still running in our own namespace was started by this lab.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for l in "${LAB_LINKS[@]}"; do
		ip link show "$l" >/dev/null 2>&1 && ip link del "$l" 2>/dev/null
	done
	for ns in "${LAB_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for p in "${LAB_PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		if [ "$LAB_KEEP" = 1 ]; then
			touch "$LAB_TMP/cleaned"
			lab_log "kept $LAB_TMP"
		else
			rm -rf "$LAB_TMP"
		fi
	fi
	LAB_PIDS=()
	LAB_NETNS=()
	LAB_LINKS=()
	LAB_DPGW_PID=
}

# lab_gc: remove what labs killed with SIGKILL left behind. Reads the
# resources file of every /tmp/dpgw-lab-* whose owner shell is gone and
# removes exactly what it lists: processes (when PID and start time still
# match), namespaces, links, DPDK runtime dirs; then the directory.
lab_gc()
{
	local d pid st kind a b
	for d in /tmp/dpgw-lab-*; do
		if [ ! -f "$d/owner" ] || [ -e "$d/cleaned" ]; then
			continue
		fi
		read -r pid st <"$d/owner"
		[ -n "$pid" ] && [ "$(_lab_starttime "$pid")" = "$st" ] && continue
		lab_log "lab_gc: removing what the lab in $d left behind (its shell $pid is gone)"
		if [ -f "$d/resources" ]; then
			while read -r kind a b; do
				case $kind in
				pid)
					[ "$(_lab_starttime "$a")" = "$b" ] && kill -KILL "$a" 2>/dev/null ;;
				netns)
					for pid in $(ip netns pids "$a" 2>/dev/null); do
						kill -KILL "$pid" 2>/dev/null
					done
					ip netns del "$a" 2>/dev/null ;;
				link)
					ip link del "$a" 2>/dev/null ;;
				prefix)
					rm -rf "/var/run/dpdk/$a" ;;
				esac
			done <"$d/resources"
		fi
		rm -rf "$d"
	done
	return 0
}

_lab_on_exit()
{
	local rc=$?
	# Cleanup must not be cut short by a second ^C or a relayed TERM.
	trap - EXIT
	trap '' INT TERM
	[ "$LAB_TAP" = 0 ] && LAB_SUMMARY_DONE=1
	if [ "$LAB_SUMMARY_DONE" = 0 ] && [ "$rc" -ne 0 ] && [ "$LAB_FAILED" -eq 0 ]; then
		lab_fail "$LAB_NAME ended early (exit status $rc)"
	fi
	[ "$LAB_SUMMARY_DONE" = 0 ] && _lab_log_tail
	lab_cleanup
	if [ "$LAB_SUMMARY_DONE" = 0 ] && [ "$LAB_N" -gt 0 ]; then
		LAB_SUMMARY_DONE=1
		printf '%d passed, %d failed\n' "$LAB_PASSED" "$LAB_FAILED"
	fi
	[ "$LAB_FAILED" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
	exit "$rc"
}

_lab_on_signal()
{
	trap '' INT TERM
	if [ "$LAB_TAP" = 0 ]; then
		lab_log "interrupted by signal $(($1 - 128)); cleaning up"
	else
		lab_fail "$LAB_NAME interrupted by signal $(($1 - 128))"
	fi
	exit "$1"
}

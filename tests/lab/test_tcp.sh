#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_tcp.sh -- dpgw's user-space TCP stack (app/dpgw-tcp-echo: echo on TCP
# 7, discard on TCP 9, and a client mode) against the Linux kernel's TCP:
#
#   client 10.77.1.2 -- veth -- bridge (namespace ...s) -- veth -- dpgw-tcp-echo 10.77.1.1
#   fd00:77:1::2                                                   fd00:77:1::1
#
# The bridge can be swapped for a user-space relay (tests/lab/tcp/tcppeer.py
# relay) that delays and reorders frames: this kernel may lack sch_netem.
# Checked:
#  1. in-window RSTs and SYNs injected (scapy) into a live connection draw
#     challenge ACKs and do not kill it (RFC 5961);
#  2. 100 MB to the echo port and back at the same time, sha256 equal both
#     ways; 100 MB to discard; 5 MB echo over IPv6;
#  3. 10,000 concurrent connections, each echoes, all held, all close;
#  4. 100,000 short connections (4 clients in parallel, 4 source addresses);
#  5. 5 MB echo with 1 % loss both ways (nftables in the client namespace),
#     10 ms delay each way and 2 % of the frames reordered (tc netem on the
#     bridge ports, or where the kernel has no sch_netem the relay in their
#     place): sha256 equal, retransmissions and out-of-order segments counted;
#  6. a SYN flood (12,000 SYNs from 32 spoofed addresses whose SYN-ACKs are
#     dropped) fills the half-open table: SYN cookies, and legitimate
#     connections all succeed meanwhile;
#  7. dpgw-tcp-echo exits 0 on SIGTERM;
#  8. the stack as client (--connect) to a Linux echo server: 20 MB over
#     IPv4, 5 MB over IPv6, 200 connections of 64 KiB 8 at a time.
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

DPGW=${DPGW_TCP_ECHO:-$BUILD_DIR/app/dpgw-tcp-echo}
lab_init tcp
PEER=$LAB_HOME/tcp/tcppeer.py
PY=$LAB_PYTHON
TPL=$LAB_HOME/dpgw-lab.conf.in
A4=10.77.1.1
A6=fd00:77:1::1

# ---- helpers ----

# j JSON EXPR: a field of a JSON line (empty when unparsable).
j()
{
	printf '%s' "$1" | lab_json "$2" 2>/dev/null
}

cnt()
{
	lab_counter "$1"
}

# tcp_log: the stack's non-zero TCP counters, one comment line.
tcp_log()
{
	lab_log "tcp counters: $(lab_stats | grep -E '^(tcp_|drop_tcp)' | awk '$2 != 0' | tr '\n' ' ')"
}

# Sockets of the client namespace neither established, listening nor in
# TIME_WAIT (connections still opening or closing).
closing()
{
	inns ss -tanH state syn-sent state syn-recv state fin-wait-1 state fin-wait-2 \
		state closing state last-ack | wc -l
}

wait_closed()
{
	local i
	for ((i = 0; i < ${1:-20} * 5; i++)); do
		[ "$(closing)" -eq 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- the lab ----

SW=${LAB_ID}s
NS=${LAB_ID}c
GIF=${LAB_ID}g
X1=${LAB_ID}pg
X2=${LAB_ID}pc
CIF=${LAB_ID}n
BR=${LAB_ID}br
lab_netns "$SW"
ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
lab_veth "$SW" "$GIF" "$X1"
lab_netns "$NS"
lab_veth_ns "$SW" "$X2" "$NS" "$CIF" 10.77.1.2/24 fd00:77:1::2/64
lab_bridge "$SW" "$BR" "$X1" "$X2"
for i in $X1 $X2; do
	ip netns exec "$SW" ethtool -K "$i" gro off >/dev/null 2>&1
done
inns sysctl -qw net.ipv4.ip_local_port_range="10000 65000" net.ipv4.tcp_tw_reuse=1 \
	net.core.somaxconn=4096
# More client addresses: 4 short-connection clients, each with its own ports.
for i in 3 4 5 6; do
	ip -n "$NS" addr add "10.77.1.$i/24" dev "$CIF"
done
SIZE=$((100 << 20))
BLOB=$LAB_TMP/blob
head -c "$SIZE" /dev/urandom >"$BLOB"
SUM=$(sha256sum <"$BLOB" | cut -d' ' -f1)
head -c $((5 << 20)) "$BLOB" >"$LAB_TMP/blob5"
SUM5=$(sha256sum <"$LAB_TMP/blob5" | cut -d' ' -f1)

if ! lab_start_dpgw "$TPL" IFACE="$GIF"; then
	lab_fail "dpgw-tcp-echo starts on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw-tcp-echo starts on $GIF with $LAB_PMD"
inns ping -c1 -W2 "$A4" >/dev/null 2>&1

# ---- 1. in-window RST and SYN (first: no connection left by a failed check
# can be reset meanwhile) ----

lab_run_bg "$NS" "$PY" "$PEER" loop "$A4" 7 7
LPID=$LAB_BG_PID
LLOG=$LAB_BG_LOG
lab_wait_file "$LLOG" '"port"' 10
P=$(j "$(grep '"port"' "$LLOG")" "d['port']")
GO=$LAB_TMP/go
lab_run_bg "$NS" "$PY" "$PEER" inject "$CIF" "$P" "$GO"
IPID=$LAB_BG_PID
ILOG=$LAB_BG_LOG
lab_wait_file "$ILOG" '^ready' 15
sleep 0.5
ca0=$(cnt tcp_challenge_acks)
er0=$(cnt tcp_estab_resets)
rr0=$(cnt tcp_rst_rx)
touch "$GO.rst"
lab_wait_file "$ILOG" '"step": "rst"' 10
sleep 0.3
ca1=$(cnt tcp_challenge_acks)
lab_log "inject: $(grep '"step"' "$ILOG" | tr '\n' ' ')"
lab_expect "3 in-window RSTs (not at rcv_nxt): 3 challenge ACKs" "$((ca1 - ca0))" -ge 3
touch "$GO.syn"
lab_wait_file "$ILOG" '"step": "syn"' 10
sleep 0.3
ca2=$(cnt tcp_challenge_acks)
lab_log "inject: $(grep -E '"(step|error)"' "$ILOG" | tr '\n' ' ')"
lab_expect "2 SYNs into the established connection: 2 challenge ACKs" "$((ca2 - ca1))" -ge 2
wait "$LPID"
R=$(grep '"sent"' "$LLOG")
lab_log "the connection: $R"
lab_expect "the connection still echoes after the injections ($(j "$R" "d['ok']") echoes in 7 s)" \
	"$(j "$R" "d['error']")/$(($(j "$R" "d['sent']") - $(j "$R" "d['ok']")))" == None/0
lab_expect "tcp_estab_resets and tcp_rst_rx unchanged" \
	"$(($(cnt tcp_estab_resets) - er0))/$(($(cnt tcp_rst_rx) - rr0))" == 0/0
lab_kill "$IPID"
tcp_log

# ---- 2. 100 MB each way ----

R=$(inns "$PY" "$PEER" stream "$A4" 7 "$BLOB" 30)
lab_log "100 MB echo: $R"
lab_expect "100 MB to $A4:7 echoed back: $(j "$R" "d['received']") of $SIZE bytes ($(j "$R" "d['mbytes_per_s']") MB/s)" \
	"$(j "$R" "d['sent']")/$(j "$R" "d['received']")/$(j "$R" "d['error']")" == "$SIZE/$SIZE/None"
lab_expect "100 MB echo: sha256 of what came back == sha256 of what was sent" \
	"$(j "$R" "d['sha256_received']")" == "$(j "$R" "d['sha256_sent']")"
lab_expect "100 MB echo: sha256 sent == the file's" "$(j "$R" "d['sha256_sent']")" == "$SUM"

rx0=$(cnt rx_bytes)
R=$(inns "$PY" "$PEER" stream "$A4" 9 "$BLOB" 30)
lab_log "100 MB discard: $R"
lab_expect "100 MB to discard $A4:9: all sent, clean close, nothing back ($(j "$R" "d['seconds']") s)" \
	"$(j "$R" "d['sent']")/$(j "$R" "d['received']")/$(j "$R" "d['error']")" == "$SIZE/0/None"
lab_expect "discard: rx_bytes grew by >= 100 MB" "$(($(cnt rx_bytes) - rx0))" -ge "$SIZE"

R=$(inns "$PY" "$PEER" stream "$A6" 7 "$LAB_TMP/blob5" 20)
lab_expect "5 MB echo over IPv6 [$A6]:7, sha256 equal" \
	"$(j "$R" "d['sha256_received']")/$(j "$R" "d['error']")" == "$SUM5/None"
tcp_log

# ---- 3. 10,000 concurrent connections ----

po0=$(cnt tcp_passive_opens)
REL=$LAB_TMP/release
lab_run_bg "$NS" "$PY" "$PEER" hold "$A4" 7 10000 "$REL"
HPID=$LAB_BG_PID
HLOG=$LAB_BG_LOG
lab_wait_file "$HLOG" '"held"' 70
H=$(grep '"held"' "$HLOG")
lab_log "10,000 connections: $H"
lab_expect "10,000 concurrent connections to $A4:7, each echoed a message" "$(j "$H" "d['held']")" -eq 10000
lab_expect "tcp_passive_opens grew by 10,000" "$(($(cnt tcp_passive_opens) - po0))" -eq 10000
touch "$REL"
lab_wait_file "$HLOG" '"released"' 40
R=$(grep '"released"' "$HLOG")
lab_expect "all 10,000 still echo when released" "$(j "$R" "d['dead']")/$(j "$R" "d['released']")" == 0/10000
lab_kill "$HPID"
wait_closed 20
lab_expect "the 10,000 connections all closed" "$(closing)" -eq 0
lab_expect "no drop_tcp_conn_full" "$(cnt drop_tcp_conn_full)" -eq 0
tcp_log

# ---- 4. 100,000 short connections ----

po0=$(cnt tcp_passive_opens)
pids=()
logs=()
for i in 3 4 5 6; do
	lab_run_bg "$NS" "$PY" "$PEER" short "$A4" 7 25000 "10.77.1.$i" 90
	pids+=("$LAB_BG_PID")
	logs+=("$LAB_BG_LOG")
done
for p in "${pids[@]}"; do
	wait "$p"
done
ok=0
for l in "${logs[@]}"; do
	R=$(grep '^{' "$l")
	lab_log "short connections: $R"
	ok=$((ok + $(j "$R" "d['ok']" || echo 0)))
done
lab_expect "100,000 short connections (4 x 25,000 in parallel), every one echoed" "$ok" -eq 100000
lab_expect "tcp_passive_opens grew by 100,000" "$(($(cnt tcp_passive_opens) - po0))" -eq 100000
tcp_log

# ---- 5. loss, delay and reordering ----

re0=$(cnt tcp_retransmits)
ooo0=$(cnt tcp_ooo_segs)
sack0=$(cnt tcp_sack_recoveries)
fr0=$(cnt tcp_fast_retransmits)
RELAY=
if ip netns exec "$SW" tc qdisc add dev "$X1" root netem delay 10ms reorder 2% 2>/dev/null &&
		ip netns exec "$SW" tc qdisc add dev "$X2" root netem delay 10ms reorder 2% 2>/dev/null; then
	IMP="tc netem in $SW: 10 ms each way, 2 % of the frames not delayed (reordered)"
else
	ip netns exec "$SW" tc qdisc del dev "$X1" root 2>/dev/null
	# No sch_netem: the bridge gives way to the relay (delay, reordering).
	ip -n "$SW" link set "$X1" nomaster
	ip -n "$SW" link set "$X2" nomaster
	lab_run_bg "$SW" "$PY" "$PEER" relay "$X1" "$X2" 10 2 5
	RELAY=$LAB_BG_PID
	RLOG=$LAB_BG_LOG
	lab_wait_file "$RLOG" '^ready' 10
	IMP="no sch_netem: relay in $SW delays every frame 10 ms (each way), 2 % of them 5 ms more"
fi
NFT=0
if inns nft -f - <<'EOF'
table inet tcplab_loss {
	chain in { type filter hook input priority 0; meta l4proto tcp numgen random mod 100 < 1 counter drop; }
	chain out { type filter hook output priority 0; meta l4proto tcp numgen random mod 100 < 1 counter drop; }
}
EOF
then
	NFT=1
	IMP="$IMP; nftables drops 1 % of the client's TCP packets each way"
fi
lab_log "impairment: $IMP"
# Headers of the transfer, for the log should it fail.
PCAP=$LAB_TMP/impair.pcap
TDPID=
if command -v tcpdump >/dev/null; then
	lab_run_bg "$NS" tcpdump -i "$CIF" -s 96 -U -w "$PCAP" tcp port 7
	TDPID=$LAB_BG_PID
	sleep 0.5
fi
R=$(inns "$PY" "$PEER" stream "$A4" 7 "$LAB_TMP/blob5" 60)
[ -n "$TDPID" ] && lab_kill "$TDPID"
lab_log "5 MB echo under impairment: $R"
[ "$NFT" = 1 ] && lab_log "dropped by nftables: $(inns nft list table inet tcplab_loss | grep -o 'packets [0-9]*' | tr '\n' ' ')"
if ! lab_expect "5 MB echo with loss, delay, reordering: all back, sha256 equal ($(j "$R" "d['seconds']") s)" \
		"$(j "$R" "d['sha256_received']")/$(j "$R" "d['sha256_sent']")/$(j "$R" "d['error']")" == "$SUM5/$SUM5/None" &&
		[ -n "$TDPID" ]; then
	lab_log "$PCAP (LAB_KEEP=1 keeps it): $(tcpdump -nn -r "$PCAP" 'src host 10.77.1.1 and tcp[14:2] = 0' 2>/dev/null | wc -l) segments from the stack advertise a zero window; the last ones:"
	tcpdump -nn -r "$PCAP" 2>/dev/null | tail -n 8 | cut -c1-160 | sed 's/^/#   /'
fi
lab_log "retransmits +$(($(cnt tcp_retransmits) - re0)), fast retransmits +$(($(cnt tcp_fast_retransmits) - fr0)), SACK recoveries +$(($(cnt tcp_sack_recoveries) - sack0)), out-of-order +$(($(cnt tcp_ooo_segs) - ooo0))"
if [ "$NFT" = 1 ]; then
	lab_expect "under loss: tcp_retransmits grew" "$(($(cnt tcp_retransmits) - re0))" -gt 0
	lab_expect "under loss: tcp_sack_recoveries grew" "$(($(cnt tcp_sack_recoveries) - sack0))" -gt 0
fi
lab_expect "under loss/reordering: tcp_ooo_segs grew" "$(($(cnt tcp_ooo_segs) - ooo0))" -gt 0
inns nft delete table inet tcplab_loss 2>/dev/null
if [ -n "$RELAY" ]; then
	sleep 1         # (a failed transfer's RST still crossing the relay)
	kill -TERM "$RELAY"
	lab_wait_file "$RLOG" '"relayed"' 5
	lab_log "relay: $(grep '"relayed"' "$RLOG")"
	lab_kill "$RELAY"
	ip -n "$SW" link set "$X1" master "$BR"
	ip -n "$SW" link set "$X2" master "$BR"
else
	ip netns exec "$SW" tc qdisc del dev "$X1" root
	ip netns exec "$SW" tc qdisc del dev "$X2" root
fi
tcp_log

# ---- 6. SYN flood ----

# 32 spoofed sources the client namespace answers ARP for, whose SYN-ACKs it
# drops (no RST): their half-open connections stay until they time out.
for i in $(seq 100 131); do
	echo "addr add 10.77.1.$i/32 dev $CIF"
done | ip -n "$NS" -batch -
inns nft -f - <<'EOF'
table inet tcplab_flood {
	chain in { type filter hook input priority 0; ip saddr 10.77.1.1 ip daddr 10.77.1.100-10.77.1.131 tcp sport 7 counter drop; }
}
EOF
cs0=$(cnt tcp_syncookies_sent)
co0=$(cnt tcp_syncookies_ok)
bl0=$(cnt drop_tcp_syn_backlog)
MAC=$(lab_port_mac uplink)
lab_run_bg "$NS" "$PY" "$PEER" short "$A4" 7 0 10.77.1.2 5
SPID=$LAB_BG_PID
SLOG=$LAB_BG_LOG
F=$(inns "$PY" "$PEER" flood "$CIF" "$MAC" "$A4" 7 10.77.1.100 32 12000 4000)
lab_log "flood: $F; SYN-ACKs dropped in the namespace: $(inns nft list table inet tcplab_flood | grep -o 'packets [0-9]*')"
wait "$SPID"
R=$(grep '^{' "$SLOG")
lab_log "legitimate connections meanwhile: $R"
lab_expect "12,000 SYNs sent at 4,000/s" "$(j "$F" "d['sent']")" -eq 12000
lab_expect "tcp_syncookies_sent grew" "$(($(cnt tcp_syncookies_sent) - cs0))" -gt 0
lab_expect "tcp_syncookies_ok grew (legitimate handshakes completed by cookie)" "$(($(cnt tcp_syncookies_ok) - co0))" -gt 0
lab_expect "every legitimate connection during the flood succeeded ($(j "$R" "d['ok']"))" \
	"$(j "$R" "d['fail']")/$(($(j "$R" "d['ok']") > 0))" == 0/1
lab_expect "no SYN dropped for the backlog (cookies instead)" "$(($(cnt drop_tcp_syn_backlog) - bl0))" -eq 0
inns nft delete table inet tcplab_flood
tcp_log

# ---- 7. SIGTERM ----

lab_log "port: $(lab_ctl -o json show ports | lab_json "' '.join(k + '=' + str(v) for k, v in d['ports'][0]['stats'].items() if k in ('ipackets', 'opackets', 'imissed', 'ierrors', 'oerrors', 'rx_nombuf'))")"
lab_stop_dpgw 5
lab_expect "dpgw-tcp-echo exits 0 on SIGTERM (${LAB_DPGW_STOP_MS} ms)" "$LAB_DPGW_RC" -eq 0

# ---- 8. the stack as client ----

lab_run_bg "$NS" "$PY" "$PEER" server 5001
lab_wait_file "$LAB_BG_LOG" '^ready' 10
NCLI=0
# client DESC WANT_BYTES TIMEOUT ARGS...: dpgw-tcp-echo in client mode; checks
# its exit status and its report line.
client()
{
	local desc=$1 bytes=$2 t=$3 conf log prefix pid i rc line
	shift 3
	NCLI=$((NCLI + 1))
	conf=$LAB_TMP/client.$NCLI.conf
	log=$LAB_TMP/client.$NCLI.log
	prefix=dpgw-$LAB_ID-c$NCLI
	LAB_PREFIXES+=("$prefix")
	_lab_record prefix "$prefix"
	lab_subst "$TPL" "$conf" "DEVICE=${LAB_PMD}0,iface=$GIF" "SOCKET=$LAB_TMP/admin.c$NCLI.sock" \
		"PMD=$LAB_PMD" "PROFILE=${LAB_PMD#net_}" "MANIFESTS=$LAB_TMP/manifests" "IFACE=$GIF"
	# shellcheck disable=SC2086 # LAB_EAL_ARGS is a list of words
	"$DPGW" -c "$conf" "$@" -- $LAB_EAL_ARGS --file-prefix "$prefix" >"$log" 2>&1 </dev/null &
	pid=$!
	LAB_PIDS+=("$pid")
	_lab_record pid "$pid" "$(_lab_starttime "$pid")"
	for ((i = 0; i < t * 10; i++)); do
		_lab_alive "$pid" || break
		sleep 0.1
	done
	if _lab_alive "$pid"; then
		lab_kill "$pid" 5
		lab_fail "$desc: finishes within $t s" "$(tail -n 5 "$log")"
		return
	fi
	wait "$pid"
	rc=$?
	line=$(grep '^client:' "$log")
	lab_log "$line"
	if [ "$rc" -ne 0 ]; then
		lab_fail "$desc: exits 0" "$(printf 'exit status %d\n%s' "$rc" "$(tail -n 8 "$log")")"
		return
	fi
	if [[ $line =~ failed=0\ sent=$bytes\ received=$bytes\ sha256_sent=([0-9a-f]{64})\ sha256_received=([0-9a-f]{64}) ]] &&
			[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
		lab_pass "$desc: exit 0, $bytes bytes each way, sha256 equal"
	else
		lab_fail "$desc: exit 0, $bytes bytes each way, sha256 equal" "$line"
	fi
}
client "stack as client: --connect 10.77.1.2:5001 --bytes 20M" $((20 << 20)) 60 \
	--connect 10.77.1.2:5001 --bytes 20M
client "stack as client over IPv6: --connect [fd00:77:1::2]:5001 --bytes 5M" $((5 << 20)) 30 \
	--connect '[fd00:77:1::2]:5001' --bytes 5M
client "stack as client: --conns 8 --count 200 --bytes 64k" $((200 * 65536)) 60 \
	--connect 10.77.1.2:5001 --conns 8 --count 200 --bytes 64k
lab_done

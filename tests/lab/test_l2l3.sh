#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_l2l3.sh -- dpgw's L2/L3 services against real kernel peers.
#
#   client namespace (kernel)                     root namespace
#   ${LAB_ID}n 10.77.1.2/24, fd00:77:1::2/64  <-veth->  ${LAB_ID}g  dpgw (af_xdp or af_packet)
#              10.77.1.254/24 (next hop)                          10.77.1.1/24, fd00:77:1::1/64
#   lo         10.99.0.1/32 (behind the route)                    VIPs 10.77.1.10, .11, fd00:77:1::10
#
# Checks: ping and ping -6 to a port address and to VIPs; arping (the MAC
# is the port's, as dpgwctl shows it) and ND; the static route (a reply to
# 10.99.0.1 goes via 10.77.1.254, which dpgw resolves with ARP); a scapy
# burst of malformed frames, each class counted under its drop reason, after
# which dpgw still answers; SIGTERM stops dpgw with status 0 within 2 s and
# the log ends with the final counters; a bad configuration is refused with
# file and line.
#
# With net_af_packet (LAB_PMDS=net_af_packet) the IPv4 fragment classes are
# skipped: that PMD's PACKET_FANOUT_FLAG_DEFRAG makes the kernel reassemble
# (or swallow) IPv4 fragments before dpgw sees them.
#
# Run as root: tests/lab/test_l2l3.sh (or tests/lab/run.sh for every test).

# shellcheck source=tests/lab/lab.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

lab_init l2l3

lab_client_topology
CMAC=$(lab_mac "$NS" "$CIF")

if ! lab_start_dpgw "$LAB_HOME/dpgw-lab.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts on $GIF with $LAB_PMD"

# ---- dpgwctl ----

MAC=$(lab_port_mac uplink)
lab_expect "dpgwctl -o json show ports: port uplink has a MAC" "$MAC" =~ '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'
ADDRS=$(lab_ctl -o json show ports | lab_json "' '.join(d['ports'][0]['addresses'])")
lab_expect "dpgwctl show ports: addresses of uplink" "$ADDRS" == "10.77.1.1/24 fd00:77:1::1/64"

# ---- ICMP echo, v4 and v6 ----

e4=$(lab_counter icmp_echo_tx)
e6=$(lab_counter icmp6_echo_tx)
for ip in 10.77.1.1 10.77.1.10 10.77.1.11; do
	lab_ok "ping $ip" inns ping -n -c 3 -i 0.2 -W 1 "$ip"
done
for ip in fd00:77:1::1 fd00:77:1::10; do
	lab_ok "ping -6 $ip" inns ping -6 -n -c 3 -i 0.2 -W 1 "$ip"
done
lab_expect "icmp_echo_tx grew by >= 9" "$(($(lab_counter icmp_echo_tx) - e4))" -ge 9
lab_expect "icmp6_echo_tx grew by >= 6" "$(($(lab_counter icmp6_echo_tx) - e6))" -ge 6
lab_ok "large ping (1472 bytes of data)" inns ping -n -c 1 -W 1 -s 1472 10.77.1.1

n=$(lab_counter drop_arp_not_for_us)
lab_nok "no answer for 10.77.1.50 (not ours)" inns ping -n -c 1 -W 1 10.77.1.50
lab_expect "drop_arp_not_for_us grew (ARP for 10.77.1.50)" "$(lab_counter drop_arp_not_for_us)" -gt "$n"

# ---- ARP and ND ----

arping_mac()
{
	inns arping -c 1 -w 2 -I "$CIF" "$1" 2>&1 |
		sed -n 's/^Unicast reply from .*\[\([0-9A-Fa-f:]*\)\].*/\1/p' | head -n 1
}
a=$(lab_counter arp_reply_tx)
for ip in 10.77.1.1 10.77.1.10; do
	lab_expect "arping $ip: answered with the port's MAC" "$(arping_mac "$ip")" ==i "$MAC"
done
lab_expect "arp_reply_tx grew by >= 2" "$(($(lab_counter arp_reply_tx) - a))" -ge 2
for ip in fd00:77:1::1 fd00:77:1::10; do
	got=$(ip -n "$NS" -6 neigh show "$ip" dev "$CIF" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	lab_expect "ND: the client resolved $ip to the port's MAC" "$got" ==i "$MAC"
done
lab_expect "nd_ns_rx counted" "$(lab_counter nd_ns_rx)" -ge 1
lab_expect "nd_na_tx counted" "$(lab_counter nd_na_tx)" -ge 1

# ---- static route: replies to 10.99.0.1 go via 10.77.1.254 ----

ROUTE=$(lab_ctl -o json show routes |
	lab_json "[r['via'] for r in d['routes'] if r['prefix'] == '0.0.0.0/0']")
lab_expect "show routes: 0.0.0.0/0 via 10.77.1.254" "$ROUTE" == 10.77.1.254
ip -n "$NS" addr add 10.77.1.254/24 dev "$CIF"
ip -n "$NS" addr add 10.99.0.1/32 dev lo
r=$(lab_counter arp_request_tx)
# Forget the gateway's MAC: the kernel then ARPs with the packet's source,
# 10.99.0.1, a sender behind a router that dpgw must answer without learning.
ip -n "$NS" neigh flush dev "$CIF"
lab_ok "ping -I 10.99.0.1 10.77.1.1 (reply routed via 10.77.1.254)" \
	inns ping -n -c 3 -i 0.2 -W 2 -I 10.99.0.1 10.77.1.1
lab_expect "arp_request_tx grew (dpgw resolved 10.77.1.254)" "$(lab_counter arp_request_tx)" -gt "$r"
NEIGH=$(lab_ctl -o json show neigh |
	lab_json "[n['state'] + ' ' + str(n['mac']).lower() for n in d['neighbours'] if n['ip'] == '10.77.1.254']")
lab_expect "show neigh: 10.77.1.254 reachable at the client's MAC" "$NEIGH" == "reachable $CMAC"

# ---- malformed frames ----

BURST_N=5
lab_stats >"$LAB_TMP/before"
# Each line the script prints: CLASS COUNTER[|COUNTER...] FRAMES. A class
# whose counter list has several names may land under any of them; "*" is
# any drop reason.
inns "$LAB_PYTHON" - "$CIF" "$MAC" "$BURST_N" "$LAB_PMD" >"$LAB_TMP/burst" 2>"$LAB_TMP/burst.err" <<'EOF'
import random, sys
from scapy.all import (ARP, Dot1Q, Ether, ICMP, ICMPv6EchoRequest, ICMPv6ND_NS,
                       ICMPv6NDOptSrcLLAddr, IP, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, Raw, TCP, UDP, conf, sendp)

conf.verb = 0
iface, gw, n, pmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
me = open(f"/sys/class/net/{iface}/address").read().strip()
GW4, GW6, ME4, ME6 = "10.77.1.1", "fd00:77:1::1", "10.77.1.2", "fd00:77:1::2"
BCAST = "ff:ff:ff:ff:ff:ff"


def E(etype=0x0800, dst=gw):
    return Ether(src=me, dst=dst, type=etype)


def poke(raw, off, val):
    raw = bytearray(raw)
    raw[off] = val
    return bytes(raw)


echo4 = IP(src=ME4, dst=GW4) / ICMP(id=7, seq=1) / Raw(b"x" * 16)
echo6 = IPv6(src=ME6, dst=GW6) / ICMPv6EchoRequest(id=7, seq=1)
ns_mac, ns_ip = "33:33:ff:00:00:01", "ff02::1:ff00:1"
rnd = random.Random(4242)

# (class, expected counter(s), frames); frames are cycled to n per class.
classes = [
    # The kernel zero-pads a frame shorter than 14 bytes to a full Ethernet
    # header (ethertype 0) before it reaches the veth. It is addressed to the
    # gateway's MAC so that dpgw's MAC filter lets it through to the parser.
    ("trunc_eth", "drop_truncated|drop_unknown_ethertype", [bytes(E())[:10]]),
    ("trunc_ipv4", "drop_truncated", [bytes(E()) + bytes(echo4)[:12]]),
    ("trunc_ipv6", "drop_truncated", [bytes(E(0x86dd)) + bytes(echo6)[:30]]),
    ("trunc_arp", "drop_arp_malformed",
     [bytes(E(0x0806, BCAST)) + bytes(ARP(hwsrc=me, psrc=ME4, pdst=GW4))[:20]]),
    ("ipv4_version_5", "drop_ipv4_bad_version", [bytes(E()) + poke(bytes(echo4), 0, 0x55)]),
    ("ipv4_ihl_4", "drop_ipv4_bad_ihl",
     [bytes(E() / IP(src=ME4, dst=GW4, ihl=4) / ICMP() / Raw(b"y" * 16))]),
    ("ipv4_ihl_past_frame", "drop_ipv4_bad_ihl", [bytes(E()) + poke(bytes(echo4), 0, 0x4f)[:40]]),
    ("ipv4_total_len_1000", "drop_ipv4_bad_len",
     [bytes(E() / IP(src=ME4, dst=GW4, len=1000) / ICMP() / Raw(b"z" * 16))]),
    ("ipv4_total_len_below_ihl", "drop_ipv4_bad_len",
     [bytes(E() / IP(src=ME4, dst=GW4, len=12) / ICMP() / Raw(b"z" * 16))]),
    ("ipv4_bad_hdr_cksum", "drop_ipv4_bad_cksum",
     [bytes(E() / IP(src=ME4, dst=GW4, chksum=0x1234) / ICMP() / Raw(b"c" * 16))]),
    ("ipv4_multicast_src", "drop_ipv4_bad_src",
     [bytes(E() / IP(src="224.0.0.5", dst=GW4) / ICMP() / Raw(b"m" * 16))]),
    ("ipv4_frag_mf", "drop_ip_fragment",
     [bytes(E() / IP(src=ME4, dst=GW4, flags="MF", id=99) / ICMP() / Raw(b"f" * 16))]),
    ("ipv4_frag_offset", "drop_ip_fragment",
     [bytes(E() / IP(src=ME4, dst=GW4, frag=100, proto=1, id=99) / Raw(b"g" * 16))]),
    ("ipv6_frag_hdr", "drop_ip_fragment",
     [bytes(E(0x86dd) / IPv6(src=ME6, dst=GW6) / IPv6ExtHdrFragment(m=1, id=5) /
            ICMPv6EchoRequest())]),
    ("ipv6_version_4", "drop_ipv6_bad_version", [bytes(E(0x86dd)) + poke(bytes(echo6), 0, 0x40)]),
    ("ipv6_payload_len_400", "drop_ipv6_bad_len",
     [bytes(E(0x86dd) / IPv6(src=ME6, dst=GW6, plen=400) / ICMPv6EchoRequest())]),
    ("ipv6_9_ext_hdrs", "drop_ipv6_ext_hdr",
     [bytes(E(0x86dd) / IPv6(src=ME6, dst=GW6) /
            (IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
             IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
             IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()) /
            ICMPv6EchoRequest())]),
    ("unknown_ethertype", "drop_unknown_ethertype", [bytes(E(0x88b5) / Raw(b"\0" * 46))]),
    ("vlan_tagged", "drop_vlan", [bytes(Ether(src=me, dst=gw) / Dot1Q(vlan=7) / echo4)]),
    ("icmp_bad_cksum", "drop_l4_bad_cksum",
     [bytes(E() / IP(src=ME4, dst=GW4) / ICMP(chksum=0xdead) / Raw(b"k" * 16))]),
    ("icmp6_bad_cksum", "drop_l4_bad_cksum",
     [bytes(E(0x86dd) / IPv6(src=ME6, dst=GW6) / ICMPv6EchoRequest(cksum=0xdead))]),
    ("icmp_2_bytes", "drop_l4_truncated",
     [bytes(E() / IP(src=ME4, dst=GW4, proto=1) / Raw(b"\x08\x00"))]),
    ("unicast_other_mac", "drop_l2_other_host", [bytes(E(dst="02:00:00:00:00:99") / echo4)]),
    ("ipv4_not_ours", "drop_not_for_us",
     [bytes(E() / IP(src=ME4, dst="10.77.1.50") / ICMP() / Raw(b"n" * 16))]),
    ("ipv6_not_ours", "drop_not_for_us",
     [bytes(E(0x86dd) / IPv6(src=ME6, dst="fd00:77:1::50") / ICMPv6EchoRequest())]),
    ("icmp_timestamp", "drop_icmp_unhandled",
     [bytes(E() / IP(src=ME4, dst=GW4) / ICMP(type=13) / Raw(b"t" * 12))]),
    ("udp_tcp_no_listener", "drop_no_listener",
     [bytes(E() / IP(src=ME4, dst=GW4) / UDP(sport=1000, dport=9)),
      bytes(E() / IP(src=ME4, dst=GW4) / TCP(sport=1000, dport=9))]),
    ("arp_not_ours", "drop_arp_not_for_us",
     [bytes(E(0x0806, BCAST) / ARP(hwsrc=me, psrc=ME4, pdst="10.77.1.77"))]),
    ("arp_hlen_8", "drop_arp_malformed",
     [bytes(E(0x0806, BCAST) / ARP(hwlen=8, hwsrc=me, psrc=ME4, pdst=GW4))]),
    ("nd_ns_hop_limit_64", "drop_nd_malformed",
     [bytes(E(0x86dd, ns_mac) / IPv6(src=ME6, dst=ns_ip, hlim=64) / ICMPv6ND_NS(tgt=GW6) /
            ICMPv6NDOptSrcLLAddr(lladdr=me))]),
    ("nd_ns_option_len_0", "drop_nd_malformed",
     [bytes(E(0x86dd, ns_mac) / IPv6(src=ME6, dst=ns_ip, hlim=255) / ICMPv6ND_NS(tgt=GW6) /
            Raw(b"\x01\x00" + b"\0" * 6))]),
    ("nd_ns_not_ours", "drop_nd_not_for_us",
     [bytes(E(0x86dd, "33:33:ff:00:00:55") / IPv6(src=ME6, dst="ff02::1:ff00:55", hlim=255) /
            ICMPv6ND_NS(tgt="fd00:77:1::55") / ICMPv6NDOptSrcLLAddr(lladdr=me))]),
    ("garbage", "*",
     [bytes(rnd.getrandbits(8) for _ in range(rnd.randint(14, 200))) for _ in range(16)]),
]
frames = []
# DPDK's af_packet PMD joins a PACKET_FANOUT group with FLAG_DEFRAG: the
# kernel reassembles IPv4 fragments before dpgw sees them, and keeps these
# (which never complete) to itself.
kernel_eats = {"ipv4_frag_mf", "ipv4_frag_offset"} if pmd == "net_af_packet" else set()
for name, counter, pkts in classes:
    if name in kernel_eats:
        print(f"# {name}: not sent, the {pmd} socket reassembles IPv4 fragments", file=sys.stderr)
        continue
    for i in range(n):
        frames.append(pkts[i % len(pkts)])
    print(name, counter, n)
sys.stdout.flush()
sendp(frames, iface=iface, inter=0.0005)
EOF
rc=$?
lab_expect "scapy sent the malformed burst" "$rc" -eq 0 || _lab_show "$(cat "$LAB_TMP/burst.err")"
grep '^# ' "$LAB_TMP/burst.err"
sent=$(awk '{ s += $3 } END { print s + 0 }' "$LAB_TMP/burst")
lab_log "sent $sent malformed frames in $(wc -l <"$LAB_TMP/burst") classes, $BURST_N each"
# Wait until the worker has seen them all.
rx0=$(awk '$1 == "rx_packets" { print $2 }' "$LAB_TMP/before")
for _ in $(seq 50); do
	[ "$(lab_counter rx_packets)" -ge $((rx0 + sent)) ] && break
	sleep 0.1
done
lab_stats >"$LAB_TMP/after"
lab_ctl -o json show stats >"$LAB_TMP/stats.json"

# One "DESCRIPTION<TAB>GREW<TAB>EXPECTED" line per counter group.
"$LAB_PYTHON" - "$LAB_TMP/before" "$LAB_TMP/after" "$LAB_TMP/burst" "$LAB_TMP/stats.json" \
	>"$LAB_TMP/checks" <<'EOF'
import json, sys
read = lambda f: {l.split()[0]: int(l.split()[1]) for l in open(f) if l.strip()}
before, after = read(sys.argv[1]), read(sys.argv[2])
drops = {c["name"] for c in json.load(open(sys.argv[4]))["counters"] if c["kind"] == "drop"}
groups = {}
for line in open(sys.argv[3]):
    cls, counter, n = line.split()
    names = tuple(sorted(drops)) if counter == "*" else tuple(counter.split("|"))
    g = groups.setdefault(names, [0, []])
    g[0] += int(n)
    g[1].append(cls)
for names, (want, classes) in groups.items():
    # A group also owes what its members owe on their own.
    want = sum(w for other, (w, _) in groups.items() if set(other) <= set(names))
    grew = sum(after.get(c, 0) - before.get(c, 0) for c in names)
    label = "any drop reason" if len(names) > 3 else " + ".join(names)
    print(f"malformed {', '.join(classes)}: {label} grew by >= {want}\t{grew}\t{want}")
EOF
while IFS=$'\t' read -r desc grew want; do
	lab_expect "$desc" "$grew" -ge "$want"
done <"$LAB_TMP/checks"
rxd=$(($(awk '$1 == "rx_packets" { print $2 }' "$LAB_TMP/after") - rx0))
lab_expect "rx_packets grew by >= $sent during the burst" "$rxd" -ge "$sent"
lab_expect "no echo reply sent for a malformed frame" \
	"$(($(lab_counter icmp_echo_tx) - $(awk '$1 == "icmp_echo_tx" { print $2 }' "$LAB_TMP/before")))" -eq 0

lab_ok "dpgw still running after the burst" lab_dpgw_alive
lab_ok "ping 10.77.1.1 after the burst" inns ping -n -c 2 -i 0.2 -W 1 10.77.1.1
lab_ok "ping -6 fd00:77:1::10 after the burst" inns ping -6 -n -c 2 -i 0.2 -W 1 fd00:77:1::10
lab_ok "admin socket answers after the burst" lab_ctl show generation

# ---- source addresses that must not be believed ----

e=$(($(lab_counter icmp_echo_tx) + $(lab_counter icmp6_echo_tx)))
inns "$LAB_PYTHON" - "$CIF" "$MAC" >/dev/null 2>"$LAB_TMP/bogus.err" <<'EOF'
import sys
from scapy.all import ARP, Ether, ICMP, ICMPv6EchoRequest, IP, IPv6, conf, sendp

conf.verb = 0
iface, gw = sys.argv[1], sys.argv[2]
me = open(f"/sys/class/net/{iface}/address").read().strip()
bc = "ff:ff:ff:ff:ff:ff"
frames = [Ether(src=me, dst=bc) / ARP(hwsrc=me, psrc=src, pdst=dst)
          for src, dst in (("224.0.0.1", "10.77.1.1"), ("255.255.255.255", "10.77.1.1"),
                           ("127.0.0.1", "10.77.1.10"), ("10.77.1.1", "10.77.1.10"))]
frames += [Ether(src=me, dst=gw) / IP(src="0.0.0.0", dst="10.77.1.1") / ICMP(id=77),
           Ether(src=me, dst=gw) / IPv6(src="::", dst="fd00:77:1::1") / ICMPv6EchoRequest(id=77)]
sendp(frames, iface=iface, inter=0.01)
EOF
sleep 0.2
learnt=$(lab_ctl -o json show neigh | lab_json "' '.join(sorted(n['ip'] for n in d['neighbours']
	if n['ip'] in ('224.0.0.1', '255.255.255.255', '127.0.0.1', '10.77.1.1')))")
lab_expect \
	"ARP from sender 224.0.0.1, 255.255.255.255, 127.0.0.1 or our own 10.77.1.1 is not learnt" \
	"$learnt" == ""
lab_expect \
	"no echo reply to an unspecified source (0.0.0.0, ::)" \
	"$(($(lab_counter icmp_echo_tx) + $(lab_counter icmp6_echo_tx) - e))" -eq 0

# ---- SIGTERM ----

rx_last=$(lab_counter rx_packets)
LOG=$LAB_DPGW_LOG
lab_stop_dpgw 2
lab_expect "SIGTERM: dpgw exited within 2 s (${LAB_DPGW_STOP_MS} ms)" "$LAB_DPGW_STOP_MS" -le 2000
lab_expect "SIGTERM: exit status 0" "$LAB_DPGW_RC" -eq 0
tail_after=$(sed -n '/final counters/,$p' "$LOG")
lab_expect "log has the final counters" "$(printf '%s\n' "$tail_after" | head -n 1)" =~ 'final counters'
lab_expect "log ends with the final counters (only counter lines after the heading)" \
	"$(printf '%s\n' "$tail_after" | sed 1d | grep -cvE '^dpgw: +[a-z0-9_]+ +[0-9]+$')" -eq 0
final_rx=$(printf '%s\n' "$tail_after" | awk '$2 == "rx_packets" { print $3 }')
lab_expect "final rx_packets (${final_rx:-none}) >= last one read ($rx_last)" "${final_rx:-0}" -ge "$rx_last"
lab_nok "admin socket gone after exit" test -e "$LAB_SOCK"

# ---- bad configuration ----

bad_conf_case()
{
	local what=$1 conf=$2 line=$3 out rc
	# shellcheck disable=SC2086 # LAB_EAL_ARGS is a list of words
	out=$(timeout 5 "$DPGW" -c "$conf" -- $LAB_EAL_ARGS --file-prefix "dpgw-$LAB_ID-bad" 2>&1)
	rc=$?
	lab_expect "$what: dpgw exits non-zero" "$rc" -ne 0
	lab_expect "$what: message names $(basename "$conf"):$line" "$out" =~ "$(basename "$conf"):$line:"
}
LAB_PREFIXES+=("dpgw-$LAB_ID-bad")
lab_subst "$LAB_HOME/dpgw-lab.conf.in" "$LAB_TMP/bad-addr.conf" \
	"DEVICE=net_af_packet0,iface=$GIF" "SOCKET=$LAB_TMP/bad.sock" "MANIFESTS=$LAB_TMP/manifests"
sed -i 's#"10.77.1.1/24"#"10.77.1.300/24"#' "$LAB_TMP/bad-addr.conf"
bad_conf_case "bad address 10.77.1.300/24" "$LAB_TMP/bad-addr.conf" \
	"$(grep -n '10.77.1.300' "$LAB_TMP/bad-addr.conf" | cut -d: -f1)"
lab_subst "$LAB_HOME/dpgw-lab.conf.in" "$LAB_TMP/bad-syntax.conf" \
	"DEVICE=net_af_packet0,iface=$GIF" "SOCKET=$LAB_TMP/bad.sock" "MANIFESTS=$LAB_TMP/manifests"
sed -i 's#^vips = \[ "10.77.1.10"#vips = [ 10.77.1.10#' "$LAB_TMP/bad-syntax.conf"
bad_conf_case "syntax error (unquoted address)" "$LAB_TMP/bad-syntax.conf" \
	"$(grep -n '^vips' "$LAB_TMP/bad-syntax.conf" | cut -d: -f1)"

lab_done

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the hand-made seed frames of tests/fuzz/corpus/pkt (seed-*).

Plain Python, no scapy: every checksum is computed here. The frames target
the ports fuzz_worker.c builds (port 0: MAC 02:00:00:77:01:01, 10.77.1.1/24,
fd00:77:1::1/64; VIP 10.77.1.10 and fd00:77:1::10; default routes via
10.77.1.254 and fd00:77:1::fe), so valid ones reach the ARP, ND and echo
handlers and the malformed ones each trip one parser check.

    tests/fuzz/corpus/gen_seeds.py [OUTDIR]     (default: its pkt/ sibling)

Files produced by fuzzing (merged by replay.sh --fuzz) are named by their
SHA-1 and are not touched. Seeds that still crash a target (KNOWN_CRASHES)
go to tests/fuzz/crashes/<target>--<name> instead, so the corpus replays
clean while the bug is open; once it is fixed, drop the name from
KNOWN_CRASHES, rerun this script and delete the crash file.
"""
import ipaddress
import os
import struct
import sys

OUR_MAC = bytes.fromhex("020000770101")
PEER_MAC = bytes.fromhex("02000000aa01")
GW_MAC = bytes.fromhex("02000000aafe")
BCAST = b"\xff" * 6
OUR4, VIP4, PEER4, GW4 = "10.77.1.1", "10.77.1.10", "10.77.1.2", "10.77.1.254"
OUR6, VIP6, PEER6, GW6 = "fd00:77:1::1", "fd00:77:1::10", "fd00:77:1::2", "fd00:77:1::fe"


def ip4(a):
    return ipaddress.IPv4Address(a).packed


def ip6(a):
    return ipaddress.IPv6Address(a).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, src, etype, payload, pad=True):
    f = dst + src + struct.pack("!H", etype) + payload
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    return f


def arp(op, sha, sip, tha, tip, hrd=1, pro=0x0800, hln=6, pln=4):
    return struct.pack("!HHBBH", hrd, pro, hln, pln, op) + sha + ip4(sip) + tha + ip4(tip)


def ipv4(src, dst, proto, payload, ttl=64, frag=0, options=b"", tot=None, ihl=None,
         version=4, good_csum=True):
    ihl = ihl if ihl is not None else (20 + len(options)) // 4
    tot = tot if tot is not None else 20 + len(options) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, tot, 0x1234, frag, ttl,
                    proto, 0, ip4(src), ip4(dst)) + options
    c = csum(h)
    if not good_csum:
        c ^= 0x5555
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def icmp4(typ, code, body, good_csum=True):
    h = struct.pack("!BBH", typ, code, 0) + body
    c = csum(h)
    if not good_csum:
        c ^= 0x00FF
    return h[:2] + struct.pack("!H", c) + h[4:]


def echo_body(ident=0x4242, seq=1, n=56):
    return struct.pack("!HH", ident, seq) + bytes(range(n))


def ipv6(src, dst, nh, payload, hlim=64, plen=None, version=6):
    plen = plen if plen is not None else len(payload)
    return struct.pack("!IHBB", version << 28, plen, nh, hlim) + ip6(src) + ip6(dst) + payload


def icmp6(src, dst, typ, code, body, good_csum=True):
    msg = struct.pack("!BBH", typ, code, 0) + body
    pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(msg), 58)
    c = csum(pseudo + msg)
    if not good_csum:
        c ^= 0x0F0F
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def solicited_node(a):
    b = ip6(a)
    return str(ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + b[13:]))


def sn_mac(a):
    return b"\x33\x33" + ipaddress.IPv6Address(solicited_node(a)).packed[12:]


def ns(src, dst, target, slla=None, hlim=255, extra_opts=b"", good_csum=True):
    body = b"\0\0\0\0" + ip6(target)
    if slla is not None:
        body += b"\x01\x01" + slla
    body += extra_opts
    return ipv6(src, dst, 58, icmp6(src, dst, 135, 0, body, good_csum), hlim=hlim)


def na(src, dst, target, tlla=None, flags=0x60, hlim=255):
    body = bytes([flags, 0, 0, 0]) + ip6(target)
    if tlla is not None:
        body += b"\x02\x01" + tlla
    return ipv6(src, dst, 58, icmp6(src, dst, 136, 0, body), hlim=hlim)


def ext_hdr(nh, body_len=6):
    # Hop-by-hop / destination options: next header, length, PadN filling body_len.
    assert (2 + body_len) % 8 == 0
    return bytes([nh, (2 + body_len) // 8 - 1, 1, body_len - 2]) + b"\0" * (body_len - 2)


def ipv6_ext(src, dst, first, chain, final_nh, payload, hlim=64):
    """IPv6 with extension headers @chain (list of header types) before @payload."""
    data = b""
    types = chain + [final_nh]
    for i, t in enumerate(chain):
        data += ext_hdr(types[i + 1])
    return ipv6(src, dst, first, data + payload, hlim=hlim)


def icmp6_ext_echo(src, dst, chain):
    msg = icmp6(src, dst, 128, 0, echo_body())
    return ipv6_ext(src, dst, chain[0], chain, 58, msg)


def l4sum(src, dst, proto, seg, v6=False):
    if v6:
        pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(seg), proto)
    else:
        pseudo = ip4(src) + ip4(dst) + struct.pack("!xBH", proto, len(seg))
    return csum(pseudo + seg)


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0, payload=b"", v6=False, good_csum=True):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    c = l4sum(src, dst, 6, seg, v6) ^ (0 if good_csum else 0x1111)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload, v6=False, zero_csum=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = 0 if zero_csum else (l4sum(src, dst, 17, seg, v6) or 0xFFFF)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def l4_seeds(s):
    """L4 load balancing (fuzz_worker publishes TCP 80 / UDP 53 on both VIPs,
    backends PEER:8080 and 10.77.2.5:8080; the first SNAT port is 1024)."""
    c4, c6 = "10.77.1.3", "fd00:77:1::3"
    syn = tcp(c4, VIP4, 40000, 80, 0x02)
    s["l4-tcp-syn-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(c4, VIP4, 6, syn))
    s["l4-tcp-synack-backend"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, OUR4, 6, tcp(PEER4, OUR4, 8080, 1024, 0x12, seq=5000, ack=1001)))
    s["l4-tcp-ack-data-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40000, 80, 0x18, seq=1001, ack=5001, payload=b"GET /")))
    s["l4-tcp-fin-backend"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, OUR4, 6, tcp(PEER4, OUR4, 8080, 1024, 0x11, seq=5001, ack=1006)))
    s["l4-tcp-rst-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40000, 80, 0x04, seq=1006)))
    s["l4-tcp-synfin-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40001, 80, 0x03)))
    s["l4-tcp-ack-noflow-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40002, 80, 0x10)))
    s["l4-tcp-ttl1-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40003, 80, 0x02), ttl=1))
    s["l4-tcp-bad-csum-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40004, 80, 0x02, good_csum=False)))
    s["l4-tcp-truncated-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(c4, VIP4, 6, syn[:12]))
    s["l4-tcp-other-port-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 6, tcp(c4, VIP4, 40005, 81, 0x02)))
    s["l4-udp-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 17, udp(c4, VIP4, 5353, 53, b"query")))
    s["l4-udp-zero-csum-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 17, udp(c4, VIP4, 5354, 53, b"query", zero_csum=True)))
    s["l4-udp-reply-backend"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, OUR4, 17, udp(PEER4, OUR4, 8080, 1025, b"answer")))
    # ICMP frag-needed from the backend, quoting the NAT'd SYN (SNAT 10.77.1.1:1024).
    quoted = ipv4(OUR4, PEER4, 6, tcp(OUR4, PEER4, 1024, 8080, 0x02))[:28]
    s["l4-icmp-frag-needed-backend"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, OUR4, 1, icmp4(3, 4, struct.pack("!HH", 0, 1400) + quoted)))
    quoted_c = ipv4(VIP4, c4, 6, tcp(VIP4, c4, 80, 40000, 0x12))[:48]
    s["l4-icmp-unreach-client"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        c4, VIP4, 1, icmp4(3, 3, b"\0\0\0\0" + quoted_c)))
    syn6 = tcp(c6, VIP6, 40000, 80, 0x02, v6=True)
    s["l4-tcp6-syn-vip"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(c6, VIP6, 6, syn6))
    s["l4-tcp6-synack-backend"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(
        PEER6, OUR6, 6, tcp(PEER6, OUR6, 8080, 1024, 0x12, seq=7000, ack=1001, v6=True)))
    s["l4-udp6-vip"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(
        c6, VIP6, 17, udp(c6, VIP6, 5353, 53, b"query6", v6=True)))
    q6 = ipv6(OUR6, PEER6, 6, tcp(OUR6, PEER6, 1024, 8080, 0x02, v6=True))
    s["l4-icmp6-too-big-backend"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(
        PEER6, OUR6, 58, icmp6(PEER6, OUR6, 2, 0, struct.pack("!I", 1280) + q6)))
    s["l4-tcp-noflow-snat-port"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, OUR4, 6, tcp(PEER4, OUR4, 8080, 60000, 0x10)))


def seeds():
    s = {}
    # ---- ARP ----
    s["arp-request-for-us"] = eth(BCAST, PEER_MAC, 0x0806,
                                  arp(1, PEER_MAC, PEER4, b"\0" * 6, OUR4))
    s["arp-request-vip"] = eth(BCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER4, b"\0" * 6, VIP4))
    s["arp-request-other-port-addr"] = eth(BCAST, PEER_MAC, 0x0806,
                                           arp(1, PEER_MAC, PEER4, b"\0" * 6, "10.77.2.1"))
    s["arp-request-not-for-us"] = eth(BCAST, PEER_MAC, 0x0806,
                                      arp(1, PEER_MAC, PEER4, b"\0" * 6, "10.77.1.99"))
    s["arp-reply-gateway"] = eth(OUR_MAC, GW_MAC, 0x0806, arp(2, GW_MAC, GW4, OUR_MAC, OUR4))
    s["arp-gratuitous"] = eth(BCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER4, BCAST, PEER4))
    s["arp-probe"] = eth(BCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, "0.0.0.0", b"\0" * 6, OUR4))
    s["arp-unpadded"] = eth(BCAST, PEER_MAC, 0x0806,
                            arp(1, PEER_MAC, PEER4, b"\0" * 6, OUR4), pad=False)
    s["bad-arp-truncated"] = eth(BCAST, PEER_MAC, 0x0806,
                                 arp(1, PEER_MAC, PEER4, b"\0" * 6, OUR4), pad=False)[:14 + 20]
    s["bad-arp-hlen"] = eth(BCAST, PEER_MAC, 0x0806,
                            arp(1, PEER_MAC, PEER4, b"\0" * 6, OUR4, hln=8))
    s["bad-arp-opcode"] = eth(BCAST, PEER_MAC, 0x0806, arp(9, PEER_MAC, PEER4, b"\0" * 6, OUR4))
    s["arp-request-zero-sha"] = eth(BCAST, PEER_MAC, 0x0806,
                                    arp(1, b"\0" * 6, PEER4, b"\0" * 6, OUR4))
    s["bad-arp-multicast-sha"] = eth(BCAST, PEER_MAC, 0x0806,
                                     arp(1, b"\x01\0\x5e\0\0\1", PEER4, b"\0" * 6, OUR4))
    # ---- IPv4 ----
    echo = icmp4(8, 0, echo_body())
    s["icmp-echo"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo))
    s["icmp-echo-vip-offlink"] = eth(OUR_MAC, GW_MAC, 0x0800, ipv4("192.0.2.5", VIP4, 1, echo))
    s["icmp-echo-padded"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                ipv4(PEER4, OUR4, 1, icmp4(8, 0, echo_body(n=4))))
    s["icmp-echo-options"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                 ipv4(PEER4, OUR4, 1, echo, options=b"\x01\x01\x01\x00"))
    s["icmp-echo-broadcast-mac"] = eth(BCAST, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo))
    s["icmp-echo-other-port-addr"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                         ipv4(PEER4, "10.77.2.1", 1, echo))
    s["icmp-echo-src-zero"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4("0.0.0.0", OUR4, 1, echo))
    s["icmp-timestamp"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                              ipv4(PEER4, OUR4, 1, icmp4(13, 0, b"\0" * 16)))
    s["icmp-echo-reply"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                               ipv4(PEER4, OUR4, 1, icmp4(0, 0, echo_body())))
    s["udp-to-us"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                         ipv4(PEER4, OUR4, 17, struct.pack("!HHHH", 5353, 53, 12, 0) + b"abcd"))
    s["tcp-syn-to-vip"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(
        PEER4, VIP4, 6, struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)))
    s["ipv4-not-for-us"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, "10.77.1.77", 1, echo))
    s["ipv4-other-mac"] = eth(PEER_MAC, GW_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo))
    s["bad-ipv4-fragment"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo, frag=0x2000))
    s["bad-ipv4-cksum"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                              ipv4(PEER4, OUR4, 1, echo, good_csum=False))
    s["bad-ipv4-ihl"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo, ihl=4))
    s["bad-ipv4-ihl-past-end"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                     ipv4(PEER4, OUR4, 1, b"", ihl=15), pad=False)
    s["bad-ipv4-totlen"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo, tot=1500))
    s["bad-ipv4-version"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo, version=5))
    s["bad-ipv4-src-multicast"] = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4("224.0.0.1", OUR4, 1, echo))
    s["bad-ipv4-truncated"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                  ipv4(PEER4, OUR4, 1, echo)[:12], pad=False)
    s["bad-icmp-cksum"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                              ipv4(PEER4, OUR4, 1, icmp4(8, 0, echo_body(), good_csum=False)))
    s["bad-icmp-truncated"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                  ipv4(PEER4, OUR4, 1, b"\x08\x00"), pad=False)
    s["bad-tcp-truncated"] = eth(OUR_MAC, PEER_MAC, 0x0800,
                                 ipv4(PEER4, OUR4, 6, b"\0" * 12), pad=False)
    # ---- IPv6 ----
    s["nd-ns-for-us"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                            ns(PEER6, solicited_node(OUR6), OUR6, slla=PEER_MAC))
    s["nd-ns-vip"] = eth(sn_mac(VIP6), PEER_MAC, 0x86DD,
                         ns(PEER6, solicited_node(VIP6), VIP6, slla=PEER_MAC))
    s["nd-ns-unicast"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ns(PEER6, OUR6, OUR6, slla=PEER_MAC))
    s["nd-ns-unicast-no-slla"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ns(PEER6, OUR6, OUR6))
    s["nd-ns-zero-slla"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                               ns(PEER6, solicited_node(OUR6), OUR6, slla=b"\0" * 6))
    s["nd-ns-dad"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD, ns("::", solicited_node(OUR6), OUR6))
    s["nd-ns-not-for-us"] = eth(sn_mac("fd00:77:1::99"), PEER_MAC, 0x86DD,
                                ns(PEER6, solicited_node("fd00:77:1::99"), "fd00:77:1::99",
                                   slla=PEER_MAC))
    s["nd-ns-extra-option"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                                  ns(PEER6, solicited_node(OUR6), OUR6, slla=PEER_MAC,
                                     extra_opts=b"\x0e\x01" + b"\0" * 6))
    # An NS behind a destination options header (RFC 4861 allows extension headers).
    ns_msg = icmp6(PEER6, solicited_node(OUR6), 135, 0,
                   b"\0\0\0\0" + ip6(OUR6) + b"\x01\x01" + PEER_MAC)
    s["nd-ns-dstopts"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                             ipv6_ext(PEER6, solicited_node(OUR6), 60, [60], 58, ns_msg, hlim=255))
    s["nd-na-gateway"] = eth(OUR_MAC, GW_MAC, 0x86DD, na(GW6, OUR6, GW6, tlla=GW_MAC))
    s["nd-na-unsolicited"] = eth(b"\x33\x33\0\0\0\1", GW_MAC, 0x86DD,
                                 na(GW6, "ff02::1", GW6, tlla=GW_MAC, flags=0x20))
    s["bad-nd-na-solicited-mcast"] = eth(b"\x33\x33\0\0\0\1", GW_MAC, 0x86DD,
                                         na(GW6, "ff02::1", GW6, tlla=GW_MAC, flags=0x60))
    s["bad-nd-ns-hoplimit"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                                  ns(PEER6, solicited_node(OUR6), OUR6, slla=PEER_MAC, hlim=64))
    s["bad-nd-ns-zero-option"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                                     ns(PEER6, solicited_node(OUR6), OUR6,
                                        extra_opts=b"\x01\x00" + b"\0" * 6))
    s["bad-nd-ns-cksum"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                               ns(PEER6, solicited_node(OUR6), OUR6, slla=PEER_MAC,
                                  good_csum=False))
    s["bad-nd-dad-with-slla"] = eth(sn_mac(OUR6), PEER_MAC, 0x86DD,
                                    ns("::", solicited_node(OUR6), OUR6, slla=PEER_MAC))
    e6 = icmp6(PEER6, OUR6, 128, 0, echo_body())
    s["icmp6-echo"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(PEER6, OUR6, 58, e6))
    s["icmp6-echo-vip-offlink"] = eth(OUR_MAC, GW_MAC, 0x86DD, ipv6(
        "2001:db8::5", VIP6, 58, icmp6("2001:db8::5", VIP6, 128, 0, echo_body())))
    s["icmp6-echo-hbh"] = eth(OUR_MAC, PEER_MAC, 0x86DD, icmp6_ext_echo(PEER6, OUR6, [0]))
    s["icmp6-echo-ext-chain"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                                    icmp6_ext_echo(PEER6, OUR6, [0, 60, 60]))
    s["icmp6-echo-multicast"] = eth(b"\x33\x33\0\0\0\1", PEER_MAC, 0x86DD, ipv6(
        PEER6, "ff02::1", 58, icmp6(PEER6, "ff02::1", 128, 0, echo_body())))
    s["icmp6-router-solicit"] = eth(b"\x33\x33\0\0\0\2", PEER_MAC, 0x86DD, ipv6(
        PEER6, "ff02::2", 58, icmp6(PEER6, "ff02::2", 133, 0, b"\0" * 4), hlim=255))
    s["udp6-to-us"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                          ipv6(PEER6, OUR6, 17, struct.pack("!HHHH", 5353, 53, 12, 0) + b"abcd"))
    s["ipv6-not-for-us"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(PEER6, "fd00:77:1::77", 58, e6))
    s["bad-ipv6-fragment"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                                 ipv6(PEER6, OUR6, 44, b"\x3a\0\0\1\0\0\0\1" + e6))
    s["bad-ipv6-plen"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(PEER6, OUR6, 58, e6, plen=1400))
    s["bad-ipv6-version"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6(PEER6, OUR6, 58, e6, version=4))
    s["bad-ipv6-src-multicast"] = eth(OUR_MAC, PEER_MAC, 0x86DD, ipv6("ff02::1", OUR6, 58, e6))
    s["bad-ipv6-ext-too-many"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                                     icmp6_ext_echo(PEER6, OUR6, [0] + [60] * 8))
    s["bad-ipv6-ext-past-end"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                                     ipv6(PEER6, OUR6, 60, b"\x3a\x05" + b"\0" * 6))
    s["bad-icmp6-cksum"] = eth(OUR_MAC, PEER_MAC, 0x86DD,
                               ipv6(PEER6, OUR6, 58, icmp6(PEER6, OUR6, 128, 0, echo_body(),
                                                           good_csum=False)))
    # ---- L2 ----
    s["vlan-tagged"] = eth(OUR_MAC, PEER_MAC, 0x8100,
                           b"\0\x0a\x08\0" + ipv4(PEER4, OUR4, 1, echo))
    s["unknown-ethertype"] = eth(OUR_MAC, PEER_MAC, 0x88CC, b"\0" * 46)
    s["bad-eth-truncated"] = OUR_MAC + PEER_MAC[:4]
    s["zero-frame"] = b"\0" * 60
    l4_seeds(s)
    return s


# Seeds that crash a target today: name -> target (see tests/fuzz/crashes/README.md).
# Fixed so far: nd-ns-dstopts, arp-request-zero-sha, nd-ns-zero-slla (now seeds).
KNOWN_CRASHES = {
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "pkt")
    crashes = os.path.join(here, "..", "crashes")
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, frame in seeds().items():
        if name in KNOWN_CRASHES:
            os.makedirs(crashes, exist_ok=True)
            path = os.path.join(crashes, "%s--%s" % (KNOWN_CRASHES[name], name))
        else:
            path = os.path.join(out, "seed-" + name)
            n += 1
        with open(path, "wb") as f:
            f.write(frame)
    print("wrote %d seeds to %s, %d known crash(es) to %s" %
          (n, out, len(KNOWN_CRASHES), os.path.normpath(crashes)))


if __name__ == "__main__":
    main()

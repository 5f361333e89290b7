#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the hand-made seed scripts of tests/fuzz/corpus/tcp (seed-*).

Each seed is an action script for fuzz_tcp (the byte format is documented at
the top of tests/fuzz/fuzz_tcp.c; the encoders below follow it one to one):
a scripted peer talks to the stack, the clock moves, the application acts.
Sequence and acknowledgment numbers are given relative to what the stack
last sent, so the scripts stay valid whatever ISNs the stack picks.

    tests/fuzz/gen_tcp_seeds.py [OUTDIR]     (default: corpus/tcp)

Files produced by fuzzing (merged by replay.sh --fuzz) are named by their
SHA-1 and are not touched. Seeds that crash fuzz_tcp today (KNOWN_CRASHES)
are written to tests/fuzz/crashes/tcp-<name>.bin instead.
"""
import os
import struct
import sys

# ---- the format ----

OP_INJECT, OP_ADV_MS, OP_ADV_SEC, OP_ADV_MIN, OP_SEND, OP_PAUSE, OP_RESUME, \
    OP_SHUTDOWN, OP_CLOSE, OP_ABORT, OP_KEEPALIVE, OP_CONNECT, OP_PARAM, \
    OP_LISTEN, OP_REACT, OP_HOG = range(16)

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

# destination port select
DP_80, DP_LAST, DP_8080, DP_79 = range(4)
# seq bases
SQ_STACK_ACK, SQ_PEER_NXT, SQ_ABS, SQ_PEER_ISN = range(4)
# ack bases
AK_END, AK_MAX, AK_PEER_ACKED, AK_ABS = range(4)
# variant bits
V_BADSUM, V_TRUNC, V_DOFF, V_PAD, V_SPLIT, V_GOOD, V_ALT, V_L2 = (1 << i for i in range(8))
# reactions
R_DATA_PAUSE, R_DATA_SEND, R_DATA_CLOSE, R_DATA_ABORT, R_EOF_CLOSE, R_EOF_SHUT, \
    R_SENT_SEND, R_CONN_SEND = (1 << i for i in range(8))

# Seeds that fail today, one per open stack bug (tests/fuzz/crashes/tcp-*.bin):
#   cksum-odd-chain        wrong TCP checksum when the payload spans odd-length
#                          send-queue mbufs (rte_raw_cksum_mbuf() of DPDK 22.11)
# Fixed since, kept as seeds: keepalive-fin-wait-2 (the keepalive timer
# destroyed a half-closed FIN-WAIT-2 connection without GW_TCP_EV_CLOSED),
# fin-on-old-data (a FIN on already received data: on_data() got a NULL
# chain), fin-on-old-data-paused (the same while paused: NULL dereference).
KNOWN_CRASHES = {"cksum-odd-chain"}


def peer(port=0, host=0, v6=False):
    return port | host << 2 | (16 if v6 else 0)


def header(max_conns=16, trusted=False, eph_small=False, mtu576=False, sack=True, ts=True,
           ws=True, cookies=True, newreno=False, nagle=False, backlog1=False, rcvbuf_small=False,
           clock_wrap=False, two_workers=False, out_fail=False):
    c0 = (max_conns - 1) | (32 if trusted else 0) | (64 if eph_small else 0) | \
        (128 if mtu576 else 0)
    c1 = (0 if sack else 1) | (0 if ts else 2) | (0 if ws else 4) | (0 if cookies else 8) | \
        (16 if newreno else 0) | (32 if nagle else 0) | (64 if backlog1 else 0) | \
        (128 if rcvbuf_small else 0)
    c2 = (1 if clock_wrap else 0) | (2 if two_workers else 0) | (4 if out_fail else 0)
    return bytes([c0, c1, c2])


def delta(v):
    if 0 <= v < 0x40:
        return bytes([v])
    if -64 <= v < 0:
        return bytes([0x40 | (-v - 1)])
    if 0 <= v < 0x4000:
        return bytes([0x80 | v >> 8, v & 0xff])
    return bytes([0xc0]) + struct.pack("!I", v & 0xffffffff)


def plen(n):
    """Payload length code; from 192 bytes on lengths are multiples of 24 (rounded down)."""
    if n < 0xc0:
        return bytes([n])
    assert n <= 64 * 24, n
    return bytes([n // 24 + 0xbf])


def inject(p=0, dport=DP_LAST, flags=ACK, seq=SQ_STACK_ACK, sdelta=None, ack=AK_END,
           adelta=None, win=65535, mss=None, mss_raw=None, ws=None, sackok=False, ts=None,
           sack=None, sack_from_max=False, raw=None, eol=False, data=None, variant=0,
           trunc=None, doff=None):
    """ts: (tsval_mode, tsecr_mode, scale) with modes as in fuzz_tcp.c;
    sack: list of (b, l) pairs; data: payload length."""
    a = p | dport << 5 | (0x80 if variant else 0)
    s = seq | (4 if sdelta is not None else 0) | ack << 3 | (32 if adelta is not None else 0)
    tail = b""
    if sdelta is not None:
        tail += delta(sdelta)
    if adelta is not None:
        tail += delta(adelta)
    if win == 65535:
        pass
    elif win == 0:
        s |= 2 << 6
    elif win % 256 == 0 and win < 65536:
        s |= 1 << 6
        tail += bytes([win >> 8])
    else:
        s |= 3 << 6
        tail += struct.pack("!H", win)
    o = 0
    if mss is not None or mss_raw is not None:
        o |= 1
        if mss_raw is not None:
            tail += bytes([0x80]) + struct.pack("!H", mss_raw)
        else:
            tail += bytes([[1460, 536, 1440, 64, 63, 0, 9000, 1220].index(mss)])
    if ws is not None:
        o |= 2
        tail += bytes([ws])
    if sackok:
        o |= 4
    if ts is not None:
        o |= 8
        tsval_mode, tsecr_mode, scale = ts
        tail += bytes([tsval_mode | tsecr_mode << 2 | scale << 4])
    if sack:
        o |= 16
        tail += bytes([(len(sack) - 1) | (4 if sack_from_max else 0)])
        for b, l in sack:
            tail += bytes([b, l])
    if raw is not None:
        o |= 32
        tail += bytes([len(raw)]) + raw
    if eol:
        o |= 64
    if data is not None:
        o |= 128
        tail += plen(data)
    out = bytes([OP_INJECT, a, flags, s, o])
    if variant:
        out += bytes([variant])
    out += tail
    if variant & V_DOFF:
        out += bytes([doff])
    if variant & V_TRUNC:
        out += bytes([trunc])
    return out


TS = (0, 0, 0)          # the peer's clock, echoing the stack's last TSval


def adv_ms(ms):
    return bytes([OP_ADV_MS, ms - 1])


def adv_sec(tenths, steps=1):
    return bytes([OP_ADV_SEC, (steps - 1) << 5 | (tenths - 1)])


def adv_min(minutes, steps=1):
    return bytes([OP_ADV_MIN, (steps - 1) << 5 | (minutes - 1)])


def app(op, k=0, *args):
    return bytes([op | k << 4]) + bytes(args)


def send(k=0, n=100, chunk=1000):
    code = n if n < 0x80 else n // 1024 + 0x7f
    assert n < 0x80 or n % 1024 == 0
    return app(OP_SEND, k, code, [1, 7, 64, 128, 129, 1000, 1448, 1920].index(chunk))


def connect(p=0, lport=0, alt=False):
    return bytes([OP_CONNECT, p | lport << 5 | (0x80 if alt else 0)])


def param(sel, v):
    return bytes([OP_PARAM, sel, v])


def listen(accept=0, act=0):
    return bytes([OP_LISTEN, accept | act << 3])


def react(mask, k=0):
    return bytes([OP_REACT | k << 4, mask])


def hog(keep4=None, release=False):
    return bytes([OP_HOG, 0x80 if release else keep4])


# ---- building blocks ----

def syn_full(p=0, dport=DP_80, **kw):
    return inject(p, dport, SYN, SQ_PEER_NXT, mss=1460, sackok=True, ts=TS, ws=7, ack=AK_ABS,
                  **kw)


def ack_all(p=0, **kw):
    return inject(p, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, **kw)


def handshake(p=0, ts=True, dport=DP_80):
    if ts:
        return syn_full(p, dport) + ack_all(p, ts=TS)
    return inject(p, dport, SYN, SQ_PEER_NXT, mss=1460, ack=AK_ABS) + ack_all(p)


def data(p=0, n=100, ts=True, sdelta=None, flags=ACK | PSH, **kw):
    return inject(p, DP_LAST, flags, SQ_PEER_NXT, sdelta=sdelta, ack=AK_MAX, data=n,
                  ts=TS if ts else None, **kw)


# ---- the seeds ----

SEEDS = {}


def seed(name):
    def reg(fn):
        SEEDS[name] = fn()
        return fn
    return reg


@seed("passive-v4-data-fin")
def _():
    return header() + handshake() + data(n=100) + data(n=1440) + adv_ms(41) + \
        send(0, 2048, 1000) + ack_all(ts=TS) + data(flags=ACK | FIN | PSH, n=10) + \
        app(OP_SHUTDOWN) + ack_all(ts=TS) + adv_sec(10)


@seed("passive-v6-data-fin")
def _():
    p = peer(1, 2, v6=True)
    return header() + handshake(p) + data(p, 500) + send(0, 3072, 1448) + ack_all(p, ts=TS) + \
        app(OP_CLOSE) + ack_all(p, ts=TS) + data(p, 0, flags=ACK | FIN) + adv_min(2)


@seed("active-connect")
def _():
    p = peer(2, 1)
    return header() + react(R_CONN_SEND) + connect(p) + \
        inject(p, DP_LAST, SYN | ACK, SQ_PEER_NXT, ack=AK_END, mss=1460, sackok=True, ts=TS,
               ws=2) + \
        ack_all(p, ts=TS) + data(p, 300) + data(p, 0, flags=ACK | FIN) + app(OP_CLOSE) + \
        ack_all(p, ts=TS) + adv_min(1)


@seed("active-connect-v6-nots")
def _():
    p = peer(3, 0, v6=True)
    return header(ts=False, sack=False) + connect(p) + send(0, 4096, 128) + \
        inject(p, DP_LAST, SYN | ACK, SQ_PEER_NXT, ack=AK_END, mss=536) + \
        ack_all(p) + ack_all(p) + app(OP_SHUTDOWN) + ack_all(p) + \
        data(p, 0, ts=False, flags=ACK | FIN) + adv_min(2)


@seed("active-refused-and-timeout")
def _():
    p = peer(0, 3)
    return header() + connect(p) + inject(p, DP_LAST, RST | ACK, SQ_ABS, ack=AK_END) + \
        param(10, 2 | 1 << 3) + connect(peer(1, 3)) + adv_sec(32, 8) + adv_min(1, 2)


@seed("simultaneous-open")
def _():
    p = peer(1, 1)
    return header() + connect(p) + inject(p, DP_LAST, SYN, SQ_PEER_NXT, ack=AK_ABS, mss=1460,
                                          ts=TS) + \
        ack_all(p, ts=TS) + data(p, 50) + send(0, 100, 64) + ack_all(p, ts=TS)


@seed("ooo-sack")
def _():
    return header() + handshake() + data(n=100, sdelta=200) + data(n=100, sdelta=400) + \
        inject(0, DP_LAST, ACK | PSH, SQ_STACK_ACK, ack=AK_MAX, data=200, ts=TS) + \
        data(n=100, sdelta=-300) + adv_ms(50)


@seed("ooo-fin-beyond-hole")
def _():
    return header() + handshake() + data(n=100, sdelta=100, flags=ACK | FIN) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, data=100, ts=TS) + \
        app(OP_CLOSE) + ack_all(ts=TS)


@seed("sack-recovery")
def _():
    blocks = [(10, 44)]
    return header() + handshake() + send(0, 20480, 1448) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_PEER_ACKED, ts=TS, sack=blocks,
               sack_from_max=True) * 3 + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_PEER_ACKED, ts=TS,
               sack=[(80, 100), (30, 20)], sack_from_max=True) + \
        ack_all(ts=TS) + adv_sec(5)


@seed("newreno-dupacks")
def _():
    return header(sack=False, newreno=True, ts=False) + handshake(ts=False) + \
        send(0, 16384, 1448) + inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_PEER_ACKED) * 4 + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_PEER_ACKED, adelta=1448) + ack_all() + \
        adv_sec(3)


@seed("rto-retransmit-timeout")
def _():
    return header() + handshake() + param(10, 1 << 6) + send(0, 4096, 1000) + \
        adv_sec(32, 8) + adv_min(1, 8)


@seed("rst-variants")
def _():
    return header() + handshake(0) + handshake(1) + handshake(2) + \
        inject(0, DP_LAST, RST, SQ_STACK_ACK, ack=AK_ABS) + \
        inject(1, DP_LAST, RST, SQ_STACK_ACK, sdelta=100, ack=AK_ABS) + \
        inject(1, DP_LAST, RST | ACK, SQ_STACK_ACK, sdelta=-1, ack=AK_END) + \
        inject(2, DP_LAST, SYN, SQ_PEER_NXT, ack=AK_ABS) + \
        inject(3, DP_79, SYN, SQ_PEER_NXT, ack=AK_ABS) + \
        inject(3, DP_79, ACK, SQ_PEER_NXT, ack=AK_ABS, adelta=1234) + \
        inject(peer(0, 1), DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS) + \
        inject(peer(0, 1), DP_80, RST, SQ_STACK_ACK, ack=AK_ABS)


@seed("synflood-cookies")
def _():
    out = header(max_conns=8) + param(2, 0)
    for i in range(6):
        out += inject(i, DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS, mss=1460, sackok=True, ts=TS,
                      ws=5)
    for i in range(6):
        out += inject(i, DP_80, ACK, SQ_STACK_ACK, ack=AK_END, ts=TS)
    out += data(0, 100) + data(peer(1, 1, True), 10)
    return out


@seed("synflood-cookies-v6-nots")
def _():
    out = header(max_conns=4, backlog1=True)
    for i in range(5):
        p = peer(i & 3, i >> 2, v6=True)
        out += inject(p, DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS, mss=1220)
    for i in range(5):
        p = peer(i & 3, i >> 2, v6=True)
        out += inject(p, DP_80, ACK, SQ_STACK_ACK, ack=AK_END, data=20)
    return out + adv_sec(30, 4)


@seed("zero-window-persist")
def _():
    return header() + syn_full() + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, win=0, ts=TS) + \
        send(0, 3072, 1000) + adv_sec(5, 4) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, win=0, ts=TS) + adv_sec(20, 4) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, win=512, ts=TS) + ack_all(ts=TS) + \
        adv_sec(2)


@seed("paused-receive-window")
def _():
    out = header(rcvbuf_small=True) + handshake() + app(OP_PAUSE)
    for _ in range(5):
        out += data(n=1200)
    return out + app(OP_RESUME) + data(n=100) + app(OP_PAUSE) + data(n=0, flags=ACK | FIN) + \
        app(OP_RESUME) + app(OP_CLOSE)


@seed("keepalive")
def _():
    return header() + param(8, 0x25) + handshake() + app(OP_KEEPALIVE) + adv_sec(20, 2) + \
        ack_all(ts=TS) + adv_sec(32, 8) + adv_sec(32, 8)


@seed("time-wait-reuse")
def _():
    return header() + handshake() + data(n=10) + app(OP_SHUTDOWN) + ack_all(ts=TS) + \
        data(n=0, flags=ACK | FIN) + adv_sec(10) + \
        inject(0, DP_LAST, SYN, SQ_PEER_NXT, sdelta=100000, ack=AK_ABS, mss=1460, ts=TS,
               sackok=True) + \
        ack_all(ts=TS) + data(n=20)


@seed("time-wait-expire")
def _():
    p = peer(2, 2)
    return header(ts=False) + param(7, 20) + handshake(p, ts=False) + app(OP_CLOSE) + \
        ack_all(p) + data(p, 0, ts=False, flags=ACK | FIN) + \
        data(p, 0, ts=False, flags=ACK | FIN, sdelta=-1) + adv_sec(30) + \
        inject(p, DP_LAST, SYN, SQ_PEER_NXT, ack=AK_ABS)


@seed("fin-wait-2-orphan")
def _():
    return header() + param(7, 10) + handshake() + app(OP_CLOSE) + ack_all(ts=TS) + \
        adv_sec(20) + data(n=10)


@seed("challenge-acks")
def _():
    return header() + param(9, 2) + handshake() + \
        inject(0, DP_LAST, SYN, SQ_STACK_ACK, ack=AK_ABS) * 4 + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, adelta=100000) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, sdelta=-2000, ack=AK_MAX) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, ts=(1, 0, 3), data=10) + adv_sec(11)


@seed("malformed")
def _():
    out = header(trusted=False) + handshake()
    out += data(n=10, variant=V_BADSUM)
    out += data(n=10, variant=V_BADSUM | V_GOOD)
    out += data(n=10, variant=V_TRUNC, trunc=5)
    out += data(n=10, variant=V_TRUNC, trunc=0x80 | 30)
    out += data(n=10, variant=V_DOFF, doff=15)
    out += data(n=10, variant=V_DOFF, doff=2)
    out += data(n=10, variant=V_PAD | V_L2)
    out += data(n=300, variant=V_SPLIT)
    out += inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, variant=V_SPLIT)
    out += inject(0, DP_LAST, SYN | FIN, SQ_STACK_ACK, ack=AK_MAX)
    out += inject(0, DP_LAST, SYN | RST, SQ_STACK_ACK, ack=AK_MAX)
    out += inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, raw=bytes([2, 4, 5]))
    out += inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, raw=bytes([8, 10, 1, 2]), eol=True)
    out += inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX,
                  raw=bytes([5, 18]) + bytes(16) + bytes([0, 0]))
    return out


@seed("malformed-trusted-l2")
def _():
    return header(trusted=True) + inject(0, DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS,
                                         variant=V_L2 | V_BADSUM) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_END, variant=V_ALT) + \
        inject(peer(0, 0, True), DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS, variant=V_ALT) + \
        inject(peer(0, 0, True), DP_LAST, ACK, SQ_STACK_ACK, ack=AK_END, variant=V_ALT,
               data=30)


@seed("listeners-accept-modes")
def _():
    out = header() + listen(0, 3) + listen(0, 4) + listen(0, 5) + listen(0, 6) + listen(0, 7)
    for mode in range(8):
        out += listen(mode, 0)
        p = peer(mode & 3, mode >> 2, v6=bool(mode & 1))
        out += inject(p, DP_8080, SYN, SQ_PEER_NXT, ack=AK_ABS, mss=1460, ts=TS, sackok=True)
        out += inject(p, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_END, ts=TS, data=40)
    return out + listen(0, 1) + inject(0, DP_80, SYN, SQ_PEER_NXT, ack=AK_ABS) + adv_sec(30)


@seed("reactions")
def _():
    out = header() + react(R_DATA_SEND | R_EOF_SHUT | R_SENT_SEND) + handshake(0)
    # a zero-length send, then 120 KiB three times: the third exceeds snd_buf (-EAGAIN)
    out += data(0, 20) + send(0, 0, 1)
    out += send(0, 128 * 1024, 1448) * 3
    out += ack_all(0, ts=TS) + data(0, 0, flags=ACK | FIN) + ack_all(0, ts=TS)
    out += react(R_DATA_CLOSE) + handshake(1) + data(1, 10)
    out += react(R_DATA_ABORT) + handshake(2) + data(2, 10)
    out += react(R_DATA_PAUSE | R_EOF_CLOSE) + handshake(3) + data(3, 10) + data(3, 10) + \
        data(3, 0, flags=ACK | FIN)
    return out + app(OP_RESUME, 15)


@seed("pool-exhaustion")
def _():
    return header() + handshake() + hog(2) + data(n=100) + send(0, 4096, 1000) + \
        ack_all(ts=TS) + hog(0) + connect(1) + data(n=10) + hog(release=True) + \
        send(0, 2048, 1000) + ack_all(ts=TS)


@seed("conn-table-full")
def _():
    out = header(max_conns=2, eph_small=True)
    for i in range(4):
        out += syn_full(i)
    out += connect(8) + connect(9)
    return out + adv_sec(32, 4)


@seed("ephemeral-ports")
def _():
    out = header(eph_small=True, two_workers=True)
    for i in range(4):
        out += connect(4 + i)
    out += connect(1, lport=1) + connect(1, lport=1) + connect(peer(0, 0, True), alt=True)
    return out + adv_min(2)


@seed("clock-wrap-nagle")
def _():
    return header(clock_wrap=True, nagle=True) + handshake() + send(0, 10, 1) + \
        send(0, 10, 1) + adv_sec(32, 4) + ack_all(ts=TS) + data(n=50) + adv_ms(200) + \
        inject(0, DP_LAST, ACK, SQ_STACK_ACK, ack=AK_MAX, ts=TS)


@seed("seq-wrap")
def _():
    return header(mtu576=True) + \
        inject(0, DP_80, SYN, SQ_ABS, sdelta=-300, ack=AK_ABS, mss=536, ts=TS, sackok=True) + \
        ack_all(ts=TS) + data(n=200) + data(n=200) + data(n=200) + send(0, 2048, 64) + \
        ack_all(ts=TS)


@seed("params-tweaks")
def _():
    out = header(out_fail=True)
    for sel, v in ((0, 2), (1, 2), (3, 0x3f), (4, 0), (5, 0x11), (6, 0), (9, 0)):
        out += param(sel, v)
    out += handshake() + data(n=1200) + data(n=1200) + send(0, 4096, 1448) + ack_all(ts=TS)
    out += param(11, 0) + param(3, 0) + handshake(1, ts=False) + adv_sec(10)
    return out


@seed("cksum-odd-chain")
def _():
    return header() + handshake() + send(0, 1024, 129)


@seed("keepalive-fin-wait-2")
def _():
    return header() + param(8, 4) + handshake() + app(OP_KEEPALIVE) + app(OP_SHUTDOWN) + \
        ack_all(ts=TS) + adv_sec(32, 2)


@seed("fin-on-old-data")
def _():
    return header() + handshake() + data(n=10) + data(n=10, sdelta=-10, flags=ACK | FIN)


@seed("fin-on-old-data-paused")
def _():
    return header() + handshake() + app(OP_PAUSE) + data(n=10) + \
        data(n=10, sdelta=-10, flags=ACK | FIN)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "tcp")
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, body in SEEDS.items():
        if name in KNOWN_CRASHES:
            path = os.path.join(here, "crashes", "tcp-%s.bin" % name)
        else:
            path = os.path.join(out, "seed-" + name)
            n += 1
        with open(path, "wb") as f:
            f.write(body)
    print("%d seeds in %s, %d known crashes in %s" % (n, out, len(KNOWN_CRASHES),
                                                      os.path.join(here, "crashes")))


if __name__ == "__main__":
    main()

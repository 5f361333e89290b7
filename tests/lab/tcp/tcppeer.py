#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# tcppeer.py -- the Linux peers of tests/lab/test_tcp.sh (dpgw's user-space
# TCP stack, dpgw-tcp-echo, against the Linux kernel's TCP). Every command
# prints its result as one line of JSON (and exits 0 when it has a result).
#
#   stream HOST PORT FILE [DEADLINE]
#                                  send FILE, read what comes back at the same
#                                  time (two threads), half-close, read to EOF:
#                                  sent/received bytes and their sha256; gives
#                                  up after DEADLINE seconds (default 60)
#   hold HOST PORT N RELEASE       N concurrent connections (non-blocking
#                                  connects, at most 256 in progress), each
#                                  echoes one message; prints the summary, holds
#                                  them until the file RELEASE exists, checks
#                                  each echoes again, closes them all
#   short HOST PORT N [SRC [SECONDS]]
#                                  N short connections one after the other
#                                  (connect, send, read the echo, close), from
#                                  source address SRC when given (not ""); with
#                                  SECONDS, stop after SECONDS (N 0: as many
#                                  as fit in SECONDS)
#   loop HOST PORT SECONDS         one connection echoing a message every 100 ms
#                                  for SECONDS; prints {"port": P} first
#   server PORT                    echo server (IPv4 and IPv6): echoes, and
#                                  half-closes after the peer's FIN once all
#                                  is echoed; prints "ready"
#   relay IF1 IF2 DELAY_MS REORDER_PCT EXTRA_MS
#                                  an L2 relay between IF1 and IF2 (AF_PACKET):
#                                  every frame delayed DELAY_MS, REORDER_PCT %
#                                  of them EXTRA_MS more (so later frames pass
#                                  them); runs until killed, prints counts on
#                                  SIGTERM
#   flood IFACE DST_MAC DST PORT SRC_BASE NSRC COUNT RATE
#                                  COUNT SYNs to DST:PORT from SRC_BASE ..
#                                  SRC_BASE+NSRC-1 (IPv4), random source ports
#                                  and sequence numbers, RATE per second
#   inject IFACE PORT GO           (scapy) learn the sequence numbers of the
#                                  connection from local port PORT to port 7
#                                  on IFACE, then send the stack in-window RSTs
#                                  (once the file GO.rst exists), then SYNs
#                                  (once GO.syn exists); a line after each
import hashlib
import heapq
import ipaddress
import json
import os
import random
import resource
import selectors
import signal
import socket
import struct
import sys
import threading
import time


def nofile(n=200000):
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def out(obj):
    print(json.dumps(obj, sort_keys=True), flush=True)


# ---- stream ----

def stream(host, port, path, deadline):
    res = {"sent": 0, "received": 0, "error": None}
    hs, hr = hashlib.sha256(), hashlib.sha256()
    t0 = time.time()
    s = socket.socket(fam(host), socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect((host, port))
    except OSError as e:
        res["error"] = "connect: %r" % e
        out(res)
        return

    def rx():
        try:
            while True:
                c = s.recv(1 << 20)
                if not c:
                    break
                hr.update(c)
                res["received"] += len(c)
        except OSError as e:
            res["error"] = res["error"] or "recv: %r" % e

    def watchdog():
        res["error"] = "deadline: not done in %g s" % deadline
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    t = threading.Thread(target=rx)
    t.start()
    wd = threading.Timer(deadline, watchdog)
    wd.start()
    try:
        with open(path, "rb") as f:
            while True:
                c = f.read(1 << 20)
                if not c:
                    break
                hs.update(c)
                s.sendall(c)
                res["sent"] += len(c)
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        res["error"] = res["error"] or "send: %r" % e
    t.join()
    wd.cancel()
    if res["error"]:
        # Abort (RST): nothing of this connection should linger in the stack.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    res["seconds"] = round(time.time() - t0, 2)
    res["sha256_sent"] = hs.hexdigest()
    res["sha256_received"] = hr.hexdigest()
    res["mbytes_per_s"] = round(res["received"] / 1e6 / max(res["seconds"], 0.001), 1)
    out(res)


# ---- hold ----

def hold(host, port, n, release):
    nofile()
    sel = selectors.DefaultSelector()
    af = fam(host)
    conns = {}          # fd -> [sock, state, buffer, msg]
    errors = []
    t0 = time.time()
    todo = n
    connecting = 0
    established = echoed = 0

    def fail(fd, why):
        nonlocal connecting
        c = conns.pop(fd)
        if c[1] == "connecting":
            connecting -= 1
        sel.unregister(c[0])
        c[0].close()
        errors.append(why)

    deadline = time.time() + 60
    while (todo > 0 or any(c[1] != "done" for c in conns.values())) and time.time() < deadline:
        while todo > 0 and connecting < 256:
            s = socket.socket(af, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex((host, port))
            if err not in (0, 115):             # EINPROGRESS
                s.close()
                errors.append("connect: %s" % os.strerror(err))
                todo -= 1
                continue
            msg = b"hello %d\n" % (n - todo)
            conns[s.fileno()] = [s, "connecting", b"", msg]
            sel.register(s, selectors.EVENT_WRITE)
            connecting += 1
            todo -= 1
        for key, ev in sel.select(0.1):
            fd = key.fd
            c = conns.get(fd)
            if c is None:
                continue
            s = c[0]
            if c[1] == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(fd, "connect: %s" % os.strerror(err))
                    continue
                connecting -= 1
                established += 1
                s.send(c[3])
                c[1] = "echo"
                sel.modify(s, selectors.EVENT_READ)
            elif c[1] == "echo":
                try:
                    d = s.recv(4096)
                except OSError as e:
                    fail(fd, "recv: %r" % e)
                    continue
                if not d:
                    fail(fd, "EOF before the echo")
                    continue
                c[2] += d
                if len(c[2]) >= len(c[3]):
                    if c[2] != c[3]:
                        fail(fd, "wrong echo %r" % c[2][:40])
                        continue
                    echoed += 1
                    c[1] = "done"
                    c[2] = b""
                    sel.unregister(s)
    held = [c for c in conns.values() if c[1] == "done"]
    out({"held": len(held), "established": established, "echoed": echoed,
         "fail": n - len(held), "errors": errors[:5],
         "seconds": round(time.time() - t0, 1)})
    end = time.time() + 120
    while not os.path.exists(release) and time.time() < end:
        time.sleep(0.1)
    # Each one still works: one more echo over every connection.
    for c in held:
        try:
            c[0].send(b"again\n")
        except OSError:
            pass
    dead = 0
    end = time.time() + 20
    for c in held:
        s = c[0]
        s.setblocking(True)
        s.settimeout(max(0.1, end - time.time()))
        buf = b""
        try:
            while len(buf) < 6:
                d = s.recv(64)
                if not d:
                    break
                buf += d
        except OSError:
            pass
        if buf != b"again\n":
            dead += 1
    for c in held:
        c[0].close()
    out({"released": len(held), "dead": dead})


# ---- short ----

def short(host, port, n, src, seconds):
    af = fam(host)
    ok = 0
    errors = {}
    t0 = time.time()
    i = 0
    while (n == 0 or i < n) and (not seconds or time.time() - t0 < seconds):
        i += 1
        msg = b"short %d\n" % i
        s = socket.socket(af, socket.SOCK_STREAM)
        try:
            s.settimeout(5)
            if src:
                s.setsockopt(socket.IPPROTO_IP, 24, 1)      # IP_BIND_ADDRESS_NO_PORT
                s.bind((src, 0))
            s.connect((host, port))
            s.sendall(msg)
            buf = b""
            while len(buf) < len(msg):
                d = s.recv(64)
                if not d:
                    break
                buf += d
            if buf == msg:
                ok += 1
            else:
                errors["bad echo"] = errors.get("bad echo", 0) + 1
        except OSError as e:
            k = type(e).__name__ + ": " + (e.strerror or str(e))
            errors[k] = errors.get(k, 0) + 1
        finally:
            s.close()
    out({"n": i, "ok": ok, "fail": i - ok, "errors": errors,
         "seconds": round(time.time() - t0, 1)})


# ---- loop ----

def loop(host, port, seconds):
    s = socket.socket(fam(host), socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, port))
    out({"port": s.getsockname()[1]})
    sent = ok = 0
    err = None
    t0 = time.time()
    try:
        while time.time() - t0 < seconds:
            msg = b"ping %06d\n" % sent
            s.sendall(msg)
            sent += 1
            buf = b""
            s.settimeout(2)
            while len(buf) < len(msg):
                d = s.recv(64)
                if not d:
                    raise OSError("EOF")
                buf += d
            if buf == msg:
                ok += 1
            else:
                raise OSError("bad echo %r" % buf)
            time.sleep(0.1)
    except OSError as e:
        err = repr(e)
    s.close()
    out({"sent": sent, "ok": ok, "error": err})


# ---- server ----

def server(port):
    def serve(c):
        try:
            c.settimeout(60)
            while True:
                d = c.recv(1 << 18)
                if not d:
                    break
                c.sendall(d)
            c.shutdown(socket.SHUT_WR)
            # Until the peer is done too (its FIN came already: just drain).
            c.settimeout(5)
            while c.recv(4096):
                pass
        except OSError:
            pass
        finally:
            c.close()

    def accept(ls):
        while True:
            c, _ = ls.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    ths = []
    for af, any_ in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        ls = socket.socket(af, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if af == socket.AF_INET6:
            ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        ls.bind((any_, port))
        ls.listen(1024)
        t = threading.Thread(target=accept, args=(ls,), daemon=True)
        t.start()
        ths.append(t)
    print("ready", flush=True)
    for t in ths:
        t.join()


# ---- relay ----

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def relay(if1, if2, delay_ms, reorder_pct, extra_ms):
    socks = []
    for ifname in (if1, if2):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
        s.bind((ifname, 0))
        s.setblocking(False)
        socks.append(s)
    sel = selectors.DefaultSelector()
    sel.register(socks[0], selectors.EVENT_READ, 1)
    sel.register(socks[1], selectors.EVENT_READ, 0)
    heap = []
    n = 0
    stats = {"relayed": 0, "delayed_more": 0, "send_errors": 0, "too_big": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    d, x = delay_ms / 1000.0, extra_ms / 1000.0
    print("ready", flush=True)
    while not stop:
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            _, _, o, frame = heapq.heappop(heap)
            try:
                socks[o].send(frame)
                stats["relayed"] += 1
            except OSError:
                stats["send_errors"] += 1
        timeout = 0.05 if not heap else max(0.0, heap[0][0] - time.monotonic())
        try:
            ready = sel.select(timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for key, _ in ready:
            s = key.fileobj
            for _ in range(256):
                try:
                    frame, addr = s.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                if len(frame) > 1514:
                    stats["too_big"] += 1
                    continue
                due = now + d
                if random.random() * 100 < reorder_pct:
                    due += x
                    stats["delayed_more"] += 1
                n += 1
                heapq.heappush(heap, (due, n, key.data, frame))
    out(stats)


# ---- flood ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def flood(ifname, dst_mac, dst, port, src_base, nsrc, count, rate):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src_mac = open("/sys/class/net/%s/address" % ifname).read().strip()
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + \
        b"\x08\x00"
    d = ipaddress.IPv4Address(dst).packed
    base = int(ipaddress.IPv4Address(src_base))
    rnd = random.Random(7)
    frames = []
    for i in range(count):
        sa = ipaddress.IPv4Address(base + i % nsrc).packed
        sport = rnd.randrange(1024, 65536)
        seq = rnd.randrange(0, 1 << 32)
        opts = struct.pack("!BBH", 2, 4, 1460)                   # MSS
        tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, (20 + len(opts)) // 4 << 4,
                          0x02, 64240, 0, 0) + opts
        ph = sa + d + struct.pack("!BBH", 0, 6, len(tcp))
        c = csum(ph + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0, 64, 6, 0, sa, d)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frames.append(eth + ip + tcp)
    t0 = time.time()
    sent = 0
    for i, f in enumerate(frames):
        ahead = t0 + i / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
        try:
            s.send(f)
            sent += 1
        except OSError:
            time.sleep(0.001)
    out({"sent": sent, "seconds": round(time.time() - t0, 2)})


# ---- inject ----

def inject(ifname, port, go):
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import Ether, IP, IPv6, TCP, sendp, sniff  # noqa: E402

    def ours(p):
        return TCP in p and p[TCP].sport == port and p[TCP].dport == 7

    def learn():
        pk = sniff(iface=ifname, lfilter=ours, count=1, timeout=5)
        if not pk:
            out({"error": "no segment of the connection seen in 5 s"})
            sys.exit(1)
        return pk[0]

    print("ready", flush=True)
    for step in ("rst", "syn"):
        end = time.time() + 30
        while not os.path.exists(go + "." + step) and time.time() < end:
            time.sleep(0.02)
        p = learn()
        t = p[TCP]
        ip = p[IP] if IP in p else p[IPv6]
        rcv_nxt = (t.seq + len(t.payload)) & 0xffffffff
        # A timestamp newer than the connection's (PAWS must not drop the SYNs
        # before the RFC 5961 check; a TS connection needs one on every segment).
        ts = [("Timestamp", ((o[1][0] + 1000) & 0xffffffff, o[1][1]))
              for o in t.options if o[0] == "Timestamp"]
        pkts = []
        l3 = (IP(src=ip.src, dst=ip.dst) if IP in p else IPv6(src=ip.src, dst=ip.dst))
        if step == "rst":
            # In the window, but not rcv_nxt: each must draw a challenge ACK.
            # (Not multiples of 12, the loop's message size: never rcv_nxt.)
            for off in (100, 1000, 20000):
                pkts.append(Ether(src=p.src, dst=p.dst) / l3 /
                            TCP(sport=port, dport=7, flags="R", seq=(rcv_nxt + off) & 0xffffffff))
        else:
            for off in (0, 3000):
                pkts.append(Ether(src=p.src, dst=p.dst) / l3 /
                            TCP(sport=port, dport=7, flags="S",
                                seq=(rcv_nxt + off) & 0xffffffff,
                                options=[("MSS", 1460)] + ts))
        sendp(pkts, iface=ifname, verbose=False)
        out({"step": step, "rcv_nxt": rcv_nxt, "sent": len(pkts), "ts": bool(ts)})


def main(a):
    cmd = a[0]
    if cmd == "stream":
        stream(a[1], int(a[2]), a[3], float(a[4]) if len(a) > 4 else 60)
    elif cmd == "hold":
        hold(a[1], int(a[2]), int(a[3]), a[4])
    elif cmd == "short":
        short(a[1], int(a[2]), int(a[3]), a[4] if len(a) > 4 else "",
              float(a[5]) if len(a) > 5 else 0)
    elif cmd == "loop":
        loop(a[1], int(a[2]), float(a[3]))
    elif cmd == "server":
        server(int(a[1]))
    elif cmd == "relay":
        relay(a[1], a[2], float(a[3]), float(a[4]), float(a[5]))
    elif cmd == "flood":
        flood(a[1], a[2], a[3], int(a[4]), a[5], int(a[6]), int(a[7]), float(a[8]))
    elif cmd == "inject":
        inject(a[1], int(a[2]), a[3])
    else:
        sys.exit("tcppeer.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv[1:])

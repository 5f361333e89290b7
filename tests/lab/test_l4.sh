#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_l4.sh -- the L4 data plane end to end (TCPRoute/UDPRoute, full NAT):
# real clients and servers in namespaces, joined by a Linux bridge to dpgw's
# one port (one-armed: client, backends and dpgw share 10.77.1.0/24):
#
#   client 10.77.1.2 ---+
#   backend a .21 ------+-- bridge (namespace ...s) -- veth -- dpgw 10.77.1.1
#   backend b .22 ------+                                      VIPs .10, fd00:77:1::10
#   backend c .23 ------+
#
# A Gateway with TCP listeners 80 (weights a/b/c 70/30/0), 9000 (held
# connections), 5201 (iperf3 to a), 8086 (IPv6 backends) and UDP 5353 (echo,
# 70/30/0). Checked: HTTP through the VIP; the weights over 500 TCP
# connections and 500 UDP flows (fixed source ports, so the same 5-tuples
# can be replayed); a weight change under load (paced downloads all finish,
# sha256 checked; weight 0 drains, new flows avoid it); a backend removed
# mid-traffic (new connections avoid it, its UDP flows move); IPv6; iperf3;
# 10,000 concurrent held connections (show flows counts them, all close
# cleanly); a 20 MB download with 1% loss on the client's link (tc netem, or
# nftables where the kernel has no sch_netem); then dpgw again with two
# workers (af_packet, qpairs=2) and a SNAT pool, where backend replies often
# reach the worker that does not own the flow: the same 5-tuples land on the
# same backends, everything works, and l4_handoff_tx > 0.
#
# Tools: curl; iperf3 and nft (nftables) are used when installed (the
# checks that need them are skipped otherwise, with a comment saying so).
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

lab_init l4
M=$LAB_TMP/manifests
mkdir -p "$M"
PEER=$LAB_TMP/l4peer.py
BLOB=$LAB_TMP/blob
VIP=10.77.1.10
VIP6=fd00:77:1::10

# ---- the peers (servers and clients): written out, run with $LAB_PYTHON ----
cat >"$PEER" <<'PEER'
#!/usr/bin/env python3
# l4peer.py -- the real peers of test_l4.sh: backend servers and clients.
#
#   server NAME BLOB            TCP 8080: HTTP/1.0 ("/" -> NAME, "/blob/N" ->
#                               the first N bytes of BLOB, header X-Backend);
#                               TCP 9000: NAME on connect, then held until
#                               the peer closes; UDP 5353: "NAME " + datagram.
#                               IPv4 and IPv6. Prints "ready".
#   tcp HOST PORT SPORT N OUT   N HTTP GETs of "/" from source ports SPORT..;
#                               per-port backend to OUT (JSON), summary out.
#   udp HOST PORT SPORT N OUT   the same with one datagram per source port.
#   hold HOST PORT N RELEASE    N concurrent connections, each reads NAME;
#                               prints the summary, holds them until the
#                               file RELEASE exists, then closes them all.
#   dl HOST PORT N SIZE RATE BLOB  N concurrent paced downloads of /blob/SIZE
#                               (RATE bytes/s each), sha256 checked; prints
#                               "started" once all have their headers.
#   loop HOST PORT SECONDS      short HTTP connections back to back; one
#                               line "T NAME" (or "T fail ERR") each, T the
#                               connection's start (seconds since the epoch).
import asyncio
import hashlib
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


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


# ---- server ----

async def server(name, blob_path):
    with open(blob_path, "rb") as f:
        blob = memoryview(f.read())
    nameb = name.encode()

    async def http(reader, writer):
        try:
            req = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            path = req.split(b" ", 2)[1].decode()
            if path.startswith("/blob/"):
                body = blob[:min(int(path[6:]), len(blob))]
            else:
                body = memoryview(nameb + b"\n")
            writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\nX-Backend: %s\r\n"
                         b"Connection: close\r\n\r\n" % (len(body), nameb))
            for i in range(0, len(body), 65536):
                writer.write(body[i:i + 65536])
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError,
                IndexError):
            pass
        finally:
            writer.close()

    async def hold(reader, writer):
        try:
            writer.write(nameb + b"\n")
            await writer.drain()
            while await reader.read(4096):
                pass
        except OSError:
            pass
        finally:
            writer.close()

    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, transport):
            self.t = transport

        def datagram_received(self, data, addr):
            self.t.sendto(nameb + b" " + data, addr)

    loop = asyncio.get_running_loop()
    await asyncio.start_server(http, host=None, port=8080, backlog=4096, reuse_address=True)
    await asyncio.start_server(hold, host=None, port=9000, backlog=4096, reuse_address=True)
    for af, any_ in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(af, socket.SOCK_DGRAM)
        if af == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((any_, 5353))
        await loop.create_datagram_endpoint(Echo, sock=s)
    print("ready", flush=True)
    await asyncio.Event().wait()


# ---- clients ----

def http_get(host, port, path="/", sport=0, timeout=10):
    """(backend, body) of one HTTP/1.0 GET; raises OSError."""
    s = socket.socket(fam(host), socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(timeout)
        if sport:
            s.bind(("::" if fam(host) == socket.AF_INET6 else "0.0.0.0", sport))
        s.connect((host, port))
        s.sendall(b"GET %s HTTP/1.0\r\nHost: l4\r\n\r\n" % path.encode())
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    finally:
        s.close()
    data = b"".join(chunks)
    hdr, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not hdr.startswith(b"HTTP/1.0 200"):
        raise OSError("bad response (%d bytes)" % len(data))
    return body.decode(errors="replace").strip(), body


def summarize(by_port):
    counts, errors = {}, []
    for v in by_port.values():
        if v.startswith("fail"):
            errors.append(v)
            v = "fail"
        counts[v] = counts.get(v, 0) + 1
    return {"counts": counts, "n": len(by_port), "errors": errors[:5]}


def tcp_client(host, port, sport, n, outf):
    def one(p):
        try:
            return p, http_get(host, port, "/", p)[0]
        except OSError as e:
            return p, "fail %s" % e

    with ThreadPoolExecutor(8) as ex:
        by_port = dict(ex.map(one, range(sport, sport + n)))
    with open(outf, "w") as f:
        json.dump(by_port, f)
    out(summarize(by_port))


def udp_client(host, port, sport, n, outf):
    sel = selectors.DefaultSelector()
    socks, by_port, sent = {}, {}, 0
    for p in range(sport, sport + n):
        s = socket.socket(fam(host), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam(host) == socket.AF_INET6 else "0.0.0.0", p))
        s.setblocking(False)
        socks[p] = s
        sel.register(s, selectors.EVENT_READ, p)
    for attempt in range(5):
        todo = [p for p in socks if p not in by_port]
        if not todo:
            break
        for p in todo:
            socks[p].sendto(b"ping %d" % p, (host, port))
            sent += 1
            if sent % 64 == 0:
                time.sleep(0.002)
        end = time.time() + 0.5 + attempt * 0.5
        while len(by_port) < n and time.time() < end:
            for key, _ in sel.select(0.05):
                p = key.data
                try:
                    data = socks[p].recv(2048)
                except OSError:
                    continue
                w = data.split(b" ")
                if len(w) == 3 and w[1] == b"ping" and w[2] == b"%d" % p:
                    by_port[p] = w[0].decode()
                else:
                    by_port[p] = "fail bad reply %r" % data[:40]
    for p in socks:
        by_port.setdefault(p, "fail no reply")
        socks[p].close()
    with open(outf, "w") as f:
        json.dump({str(k): v for k, v in by_port.items()}, f)
    r = summarize(by_port)
    r["sent"] = sent
    out(r)


async def hold_client(host, port, n, release):
    sem = asyncio.Semaphore(256)
    conns, counts, errors = [], {}, []

    async def one():
        async with sem:
            try:
                r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 20)
                line = await asyncio.wait_for(r.readline(), 20)
                if not line:
                    raise OSError("closed before the backend's byte")
                conns.append((r, w))
                nm = line.decode().strip()
                counts[nm] = counts.get(nm, 0) + 1
            except (OSError, asyncio.TimeoutError) as e:
                errors.append(repr(e))

    t0 = time.time()
    await asyncio.gather(*(one() for _ in range(n)))
    out({"held": len(conns), "fail": len(errors), "errors": errors[:5], "counts": counts,
         "seconds": round(time.time() - t0, 1)})
    end = time.time() + 120
    while not os.path.exists(release) and time.time() < end:
        await asyncio.sleep(0.1)
    # Still open? Each connection must be alive: the backend closes only
    # when we do, so a read now must not see EOF.
    dead = 0
    for r, w in conns:
        if r.at_eof() or r.exception() is not None:
            dead += 1
        w.close()
    out({"released": len(conns), "dead": dead})


def dl_client(host, port, n, size, rate, blob_path):
    with open(blob_path, "rb") as f:
        want = hashlib.sha256(f.read()[:size]).hexdigest()
    results, lock, headers = [], threading.Lock(), [0]

    def one(i):
        backend, err, ok, counted = "?", "", False, False
        s = socket.socket(fam(host), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.settimeout(30)
        try:
            s.connect((host, port))
            s.sendall(b"GET /blob/%d HTTP/1.0\r\nHost: l4\r\n\r\n" % size)
            buf = b""
            while b"\r\n\r\n" not in buf:
                c = s.recv(4096)
                if not c:
                    raise OSError("closed in the header")
                buf += c
            hdr, _, body = buf.partition(b"\r\n\r\n")
            for line in hdr.split(b"\r\n"):
                if line.lower().startswith(b"x-backend:"):
                    backend = line.split(b":", 1)[1].strip().decode()
            with lock:
                headers[0] += 1
            counted = True
            h = hashlib.sha256(body)
            got, t0 = len(body), time.time()
            while True:
                c = s.recv(16384)
                if not c:
                    break
                h.update(c)
                got += len(c)
                ahead = got / rate - (time.time() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            ok = got == size and h.hexdigest() == want
            if not ok:
                err = "got %d of %d bytes, sha256 %s" % (got, size,
                                                        "ok" if h.hexdigest() == want else "bad")
        except OSError as e:
            err = repr(e)
        finally:
            s.close()
            if not counted:
                with lock:
                    headers[0] += 1
        with lock:
            results.append((backend, ok, err))

    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    end = time.time() + 30
    while headers[0] < n and time.time() < end:
        time.sleep(0.02)
    print("started", flush=True)
    for t in ts:
        t.join()
    counts = {}
    for b, ok, _ in results:
        counts[b] = counts.get(b, 0) + 1
    out({"ok": sum(1 for r in results if r[1]), "n": n, "counts": counts,
         "errors": [r[2] for r in results if not r[1]][:5]})


def loop_client(host, port, seconds):
    t0 = time.time()
    while time.time() - t0 < seconds:
        t = time.time()
        try:
            name = http_get(host, port, "/", 0, 5)[0]
        except OSError as e:
            name = "fail %s" % e
        print("%.3f %s" % (t, name), flush=True)
        time.sleep(0.01)


def main(a):
    nofile()
    cmd = a[0]
    if cmd == "server":
        asyncio.run(server(a[1], a[2]))
    elif cmd == "tcp":
        tcp_client(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    elif cmd == "udp":
        udp_client(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    elif cmd == "hold":
        asyncio.run(hold_client(a[1], int(a[2]), int(a[3]), a[4]))
    elif cmd == "dl":
        dl_client(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]), a[6])
    elif cmd == "loop":
        loop_client(a[1], int(a[2]), float(a[3]))
    else:
        sys.exit("l4peer.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
PEER

# ---- manifests ----

# routes_yaml WA WB WC: the routes, TCP 80 and UDP 5353 weighted a/b/c.
routes_yaml()
{
	local r name port kind
	for r in web:TCPRoute:80 echo:UDPRoute:5353; do
		IFS=: read -r name kind port <<<"$r"
		cat <<EOF
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: $kind
metadata:
  name: $name
  namespace: apps
spec:
  parentRefs:
  - name: l4
    namespace: infra
    sectionName: $name
  rules:
  - backendRefs:
    - {name: svc-a, port: $port, weight: $1}
    - {name: svc-b, port: $port, weight: $2}
    - {name: svc-c, port: $port, weight: $3}
---
EOF
	done
	cat <<'EOF'
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata:
  name: hold
  namespace: apps
spec:
  parentRefs:
  - {name: l4, namespace: infra, sectionName: hold}
  rules:
  - backendRefs:
    - {name: svc-a, port: 9000}
    - {name: svc-b, port: 9000}
    - {name: svc-c, port: 9000}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata:
  name: perf
  namespace: apps
spec:
  parentRefs:
  - {name: l4, namespace: infra, sectionName: perf}
  rules:
  - backendRefs:
    - {name: svc-a, port: 5201}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata:
  name: web6
  namespace: apps
spec:
  parentRefs:
  - {name: l4, namespace: infra, sectionName: web6}
  rules:
  - backendRefs:
    - {name: web6, port: 80}
EOF
}

# service_yaml NAME ADDR...: a Service and its EndpointSlice (no ADDR: empty).
service_yaml()
{
	local name=$1 a eps=''
	shift
	for a in "$@"; do
		eps="$eps
- addresses: [\"$a\"]"
	done
	[ -n "$eps" ] || eps=' []'
	cat <<EOF
apiVersion: v1
kind: Service
metadata:
  name: $name
  namespace: apps
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: hold, port: 9000}
  - {name: perf, port: 5201}
  - {name: echo, port: 5353, protocol: UDP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $name-x1
  namespace: apps
  labels:
    kubernetes.io/service-name: $name
addressType: $([[ $1 == *:* ]] && echo IPv6 || echo IPv4)
ports:
- {name: http, port: 8080}
- {name: hold, port: 9000}
- {name: perf, port: 5201}
- {name: echo, port: 5353, protocol: UDP}
endpoints:$eps
EOF
}

# put FILE: stdin becomes $M/FILE in one rename (the watcher sees it whole).
put()
{
	cat >"$LAB_TMP/put.tmp" && mv "$LAB_TMP/put.tmp" "$M/$1"
}

tables_version()
{
	lab_ctl -o json show gateway | lab_json "d['version']"
}

# wait_tables V: until the gateway tables are past version V (5 s at most).
wait_tables()
{
	local i v
	for i in $(seq 100); do
		v=$(tables_version 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

write_manifests()
{
	cat <<'EOF' | put gateway.yaml
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: dpgw
spec:
  controllerName: dpgw.io/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: l4
  namespace: infra
spec:
  gatewayClassName: dpgw
  addresses:
  - value: 10.77.1.10
  - value: fd00:77:1::10
  listeners:
  - {name: web, protocol: TCP, port: 80, allowedRoutes: {namespaces: {from: All}}}
  - {name: hold, protocol: TCP, port: 9000, allowedRoutes: {namespaces: {from: All}}}
  - {name: perf, protocol: TCP, port: 5201, allowedRoutes: {namespaces: {from: All}}}
  - {name: web6, protocol: TCP, port: 8086, allowedRoutes: {namespaces: {from: All}}}
  - {name: echo, protocol: UDP, port: 5353, allowedRoutes: {namespaces: {from: All}}}
EOF
	service_yaml svc-a 10.77.1.21 | put svc-a.yaml
	service_yaml svc-b 10.77.1.22 | put svc-b.yaml
	service_yaml svc-c 10.77.1.23 | put svc-c.yaml
	service_yaml web6 fd00:77:1::21 fd00:77:1::22 | put web6.yaml
	routes_yaml 70 30 0 | put routes.yaml
}

# ---- helpers ----

incl()
{
	ip netns exec "$CNS" "$@"
}

# peer ARGS...: run the peer script in the client namespace (60 s at most).
peer()
{
	incl timeout 60 "$LAB_PYTHON" "$PEER" "$@"
}

# cnt JSON NAME: the count of NAME in a client summary ("counts").
cnt()
{
	printf '%s' "$1" | lab_json "d['counts'].get('$2', 0)"
}

# within ACTUAL WANT SLACK: WANT-SLACK <= ACTUAL <= WANT+SLACK.
within()
{
	[[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge $(($2 - $3)) ] && [ "$1" -le $(($2 + $3)) ]
}

# check_weights WHAT JSON: 500 answers, a 350 +- 25, b 150 +- 25, c none.
check_weights()
{
	local what=$1 j=$2 a b c f
	a=$(cnt "$j" a)
	b=$(cnt "$j" b)
	c=$(cnt "$j" c)
	f=$(cnt "$j" fail)
	lab_log "$what: a=$a b=$b c=$c failed=$f"
	lab_expect "$what: every one answered" "$f" -eq 0 || lab_log "$j"
	if within "$a" 350 25 && within "$b" 150 25; then
		lab_pass "$what: weights 70/30 within 5 % (a=$a b=$b of 500)"
	else
		lab_fail "$what: weights 70/30 within 5 % (a=$a b=$b of 500)" "$j"
	fi
	lab_expect "$what: none on the weight-0 backend c" "$c" -eq 0
}

# cmp_ports OLD NEW: compare two per-port maps; prints
# "same N moved N from:to=N ..." (moved pairs sorted).
cmp_ports()
{
	"$LAB_PYTHON" - "$1" "$2" <<'EOF'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
same = sum(1 for k in a if b.get(k) == a[k])
moves = {}
for k in a:
    if b.get(k) != a[k]:
        m = "%s:%s" % (a[k].split()[0], str(b.get(k)).split()[0])
        moves[m] = moves.get(m, 0) + 1
print(("same %d moved %d %s" % (same, len(a) - same,
      " ".join("%s=%d" % kv for kv in sorted(moves.items())))).strip())
EOF
}

# flows_total: flows of every worker, both families (show flows).
flows_total()
{
	lab_ctl -o json show flows --limit 1 |
		lab_json "sum(w['flows4'] + w['flows6'] for w in d['workers'])"
}

stats_log()
{
	lab_log "L4 counters: $(lab_stats | grep -E '^(l4_|drop_l4|drop_handoff|drop_no_listener|drop_ttl)' |
		awk '$2 != 0' | tr '\n' ' ')"
}

# ---- the lab ----

SW=${LAB_ID}s
CNS=${LAB_ID}c
GIF=${LAB_ID}g
CIF=${LAB_ID}n
lab_netns "$SW"
ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
lab_veth "$SW" "$GIF" "${LAB_ID}pg"
lab_netns "$CNS"
lab_veth_ns "$SW" "${LAB_ID}pc" "$CNS" "$CIF" 10.77.1.2/24 fd00:77:1::2/64
ip netns exec "$CNS" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
ports=("${LAB_ID}pg" "${LAB_ID}pc")
i=0
for b in a b c; do
	i=$((i + 1))
	lab_netns "${LAB_ID}b$b"
	lab_veth_ns "$SW" "${LAB_ID}q$b" "${LAB_ID}b$b" "${LAB_ID}e" "10.77.1.2$i/24" "fd00:77:1::2$i/64"
	ports+=("${LAB_ID}q$b")
done
lab_bridge "$SW" "${LAB_ID}br" "${ports[@]}"

head -c 20000000 /dev/urandom >"$BLOB"
SUM=$(sha256sum <"$BLOB" | cut -d' ' -f1)
peers_ok=1
for b in a b c; do
	lab_run_bg "${LAB_ID}b$b" "$LAB_PYTHON" "$PEER" server "$b" "$BLOB"
	lab_wait_file "$LAB_BG_LOG" '^ready' 15 || { peers_ok=0; lab_log "backend $b: $(cat "$LAB_BG_LOG")"; }
done
HAVE_IPERF=0
if command -v iperf3 >/dev/null; then
	HAVE_IPERF=1
	lab_run_bg "${LAB_ID}ba" iperf3 -s -p 5201
fi
lab_expect "backends a, b, c serve HTTP, held TCP and UDP echo" "$peers_ok" -eq 1

write_manifests
if ! lab_start_dpgw "$LAB_HOME/dpgw-lab.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts on $GIF with $LAB_PMD (one worker)"
lab_log "$(lab_ctl show routes | grep -E 'TCP|UDP' | head -n 20 | tr -s ' ' | tr '\n' ';')"

# ---- TCP and UDP through the VIP ----

out=$(incl curl -s --max-time 5 "http://$VIP/")
lab_expect "curl http://$VIP/ through the VIP reaches a backend" "$out" =~ '^[ab]$'
out=$(incl curl -s -g --max-time 5 "http://[$VIP6]:8086/")
lab_expect "curl -6 http://[$VIP6]:8086/ reaches an IPv6 backend" "$out" =~ '^[ab]$'
F=$(lab_ctl -o json show flows |
	lab_json "[f['backend'] + ' ' + f['snat'] for f in d['flows'] if f['vip'] == '[$VIP6]:8086'][:1]")
lab_log "its flow: backend, SNAT: $F"
lab_expect "show flows: the IPv6 flow went to an IPv6 backend, SNAT from fd00:77:1::1" "$F" \
	=~ '^\[fd00:77:1::2[12]\]:8080 \[fd00:77:1::1\]:[0-9]+$'

T1=$(peer tcp "$VIP" 80 5000 500 "$LAB_TMP/tcp1.json")
check_weights "500 TCP connections to $VIP:80" "$T1"
U1=$(peer udp "$VIP" 5353 6000 500 "$LAB_TMP/udp1.json")
check_weights "500 UDP flows to $VIP:5353" "$U1"
stats_log

# ---- a weight change under load ----

lab_run_bg "$CNS" "$LAB_PYTHON" "$PEER" dl "$VIP" 80 12 3000000 1000000 "$BLOB"
DLPID=$LAB_BG_PID
DLLOG=$LAB_BG_LOG
lab_wait_file "$DLLOG" '^started' 20
sleep 0.5
v=$(tables_version)
routes_yaml 0 30 70 | put routes.yaml
wait_tables "$v"
lab_expect "weights 70/30/0 -> 0/30/70: new tables" "$(tables_version)" -gt "$v"
wait "$DLPID"
R=$(grep '^{' "$DLLOG")
lab_log "12 paced downloads over the change: $R"
lab_expect "12 downloads running over the weight change all finish, sha256 right" \
	"$(printf '%s' "$R" | lab_json "d['ok']")" -eq 12
lab_expect "some of them were on a, now weight 0 (drained, not cut)" "$(cnt "$R" a)" -gt 0
T2=$(peer tcp "$VIP" 80 7000 200 "$LAB_TMP/tcp2.json")
lab_log "200 new connections after the change: $T2"
lab_expect "after the change: 200 new connections all answered" "$(cnt "$T2" fail)" -eq 0
lab_expect "after the change: none on a (weight 0)" "$(cnt "$T2" a)" -eq 0
lab_expect "after the change: c (weight 70) gets most" "$(cnt "$T2" c)" -gt 100
U2=$(peer udp "$VIP" 5353 6000 500 "$LAB_TMP/udp2.json")
lab_log "the 500 UDP flows again: $U2"
out=$(cmp_ports "$LAB_TMP/udp1.json" "$LAB_TMP/udp2.json")
lab_expect "after the change: the 500 existing UDP flows keep their backends (a drains)" "$out" == 'same 500 moved 0'
U3=$(peer udp "$VIP" 5353 7000 200 "$LAB_TMP/udp3.json")
lab_expect "after the change: 200 new UDP flows, none on a" "$(cnt "$U3" a)/$(cnt "$U3" fail)" == 0/0

# ---- a backend removed mid-traffic ----

gone0=$(lab_counter l4_backend_gone)
lab_run_bg "$CNS" "$LAB_PYTHON" "$PEER" loop "$VIP" 80 3
LPID=$LAB_BG_PID
LLOG=$LAB_BG_LOG
sleep 1
v=$(tables_version)
t0=$(date +%s.%N)
service_yaml svc-b | put svc-b.yaml
wait_tables "$v"
t1=$(date +%s.%N)
lab_expect "b's EndpointSlice emptied: new tables" "$(tables_version)" -gt "$v"
wait "$LPID"
L=$("$LAB_PYTHON" - "$LLOG" "$t0" "$t1" <<'EOF'
import sys
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
before = after = after_b = fails = 0
for line in open(sys.argv[1]):
    t, name = line.split(" ", 1)
    t, name = float(t), name.strip()
    fails += name.startswith("fail")
    if t < t0:
        before += 1
    elif t > t1:
        after += 1
        after_b += name == "b"
print(before, after, after_b, fails)
EOF
)
read -r lb la onb lf <<<"$L"
lab_log "back-to-back connections: $lb before the removal, $la after, $onb of those on b, $lf failed in all"
lab_expect "connections made after b left: some" "$la" -gt 0
lab_expect "connections made after b left: none on b" "$onb" -eq 0
T3=$(peer tcp "$VIP" 80 8000 200 "$LAB_TMP/tcp3.json")
lab_expect "200 new connections after the removal: all answered, none on b" \
	"$(cnt "$T3" fail)/$(cnt "$T3" b)" == 0/0
U4=$(peer udp "$VIP" 5353 6000 500 "$LAB_TMP/udp4.json")
lab_log "the 500 UDP flows after the removal: $U4"
out=$(cmp_ports "$LAB_TMP/udp1.json" "$LAB_TMP/udp4.json")
nb=$(cnt "$U1" b)
lab_log "the 500 UDP flows again: $out"
lab_expect "UDP flows of b move to c, those of a stay (drained)" "$out" == "same $((500 - nb)) moved $nb b:c=$nb"
lab_expect "l4_backend_gone counts b's flows" "$(($(lab_counter l4_backend_gone) - gone0))" -ge "$nb"
stats_log

# ---- iperf3 ----

if [ "$HAVE_IPERF" = 1 ]; then
	for dir in "" -R; do
		out=$(incl timeout 20 iperf3 -c "$VIP" -p 5201 -t 2 $dir -J 2>&1)
		bps=$(printf '%s' "$out" | lab_json "int(d['end']['sum_received']['bits_per_second'])" 2>/dev/null)
		if [[ $bps =~ ^[0-9]+$ ]] && [ "$bps" -gt 0 ]; then
			lab_pass "iperf3 ${dir:+$dir }through $VIP:5201: $((bps / 1000000)) Mbit/s"
		else
			lab_fail "iperf3 ${dir:+$dir }through $VIP:5201" "$(printf '%s' "$out" | tail -n 5)"
		fi
	done
else
	lab_log "iperf3 not installed: skipping the iperf3 check"
fi

# ---- 10,000 concurrent connections ----

REL=$LAB_TMP/release
lab_run_bg "$CNS" "$LAB_PYTHON" "$PEER" hold "$VIP" 9000 10000 "$REL"
HPID=$LAB_BG_PID
HLOG=$LAB_BG_LOG
lab_wait_file "$HLOG" '"held"' 90
H=$(grep '"held"' "$HLOG")
lab_log "10,000 connections: $H"
lab_expect "10,000 concurrent connections through $VIP:9000, each got its backend's byte" \
	"$(printf '%s' "$H" | lab_json "d['held']" 2>/dev/null)" -eq 10000
n=$(flows_total)
lab_expect "show flows counts >= 10,000 flows while they are held ($n)" "$n" -ge 10000
touch "$REL"
lab_wait_file "$HLOG" '"released"' 30
lab_expect "all 10,000 still open when released" \
	"$(grep '"released"' "$HLOG" | lab_json "d['dead']" 2>/dev/null)" -eq 0
wait "$HPID"
# Until every socket of the lab is closed or in TIME_WAIT: the 10,000 closes
# went through dpgw (and nothing retransmits into the next dpgw).
closing()
{
	local ns n=0
	for ns in "$CNS" "${LAB_ID}ba" "${LAB_ID}bb" "${LAB_ID}bc"; do
		n=$((n + $(ip netns exec "$ns" ss -tanH state syn-sent state syn-recv state fin-wait-1 \
			state fin-wait-2 state closing state last-ack | wc -l)))
	done
	echo "$n"
}
for i in $(seq 100); do
	[ "$(closing)" -eq 0 ] && break
	sleep 0.2
done
lab_expect "the 10,000 connections all closed through dpgw ($((i / 5)) s)" "$(closing)" -eq 0
lab_log "port: $(lab_ctl -o json show ports | lab_json "' '.join(k + '=' + str(v) for k, v in d['ports'][0]['stats'].items() if k in ('ipackets', 'opackets', 'imissed', 'ierrors', 'oerrors', 'rx_nombuf'))")"
stats_log

# ---- 1% loss on the client's link ----

if incl tc qdisc add dev "$CIF" root netem loss 1% 2>/dev/null &&
		ip netns exec "$SW" tc qdisc add dev "${LAB_ID}pc" root netem loss 1% 2>/dev/null; then
	LOSS="tc netem loss 1% both ways"
elif command -v nft >/dev/null && incl nft -f - <<'EOF'
table inet loss {
	chain in { type filter hook input priority 0; meta l4proto tcp numgen random mod 100 < 1 counter drop; }
	chain out { type filter hook output priority 0; meta l4proto tcp numgen random mod 100 < 1 counter drop; }
}
EOF
then
	LOSS="nftables: 1% of the client's TCP packets dropped both ways (no sch_netem)"
else
	LOSS=
	lab_log "neither tc netem nor nft works here: skipping the loss check"
fi
if [ -n "$LOSS" ]; then
	lab_log "loss: $LOSS"
	rm -f "$LAB_TMP/dl.bin"
	incl curl -s --max-time 90 -o "$LAB_TMP/dl.bin" "http://$VIP/blob/20000000"
	lab_expect "20 MB over HTTP through the VIP with 1% loss, sha256 right" \
		"$(sha256sum <"$LAB_TMP/dl.bin" 2>/dev/null | cut -d' ' -f1)" == "$SUM"
	lab_log "dropped by the loss rules: $(incl nft list ruleset 2>/dev/null | grep -o 'packets [0-9]*' | tr '\n' ' ')"
	incl tc qdisc del dev "$CIF" root 2>/dev/null
	ip netns exec "$SW" tc qdisc del dev "${LAB_ID}pc" root 2>/dev/null
	incl nft flush ruleset 2>/dev/null
fi
stats_log
lab_log "$(lab_ctl show flows --limit 3 | head -n 8 | tr -s ' ' | tr '\n' ';')"

lab_stop_dpgw 5
lab_expect "dpgw (one worker) exits 0 on SIGTERM" "$LAB_DPGW_RC" -eq 0

# ---- two workers: flows handed to their owner ----

write_manifests
LAB_PMDS=net_af_packet
LAB_EAL_ARGS="$LAB_EAL_ARGS --lcores 0@0,(1,2)@1"
# A SNAT pool this time: the backends still hold TIME_WAIT sockets of the
# first dpgw's connections from 10.77.1.1, whose SNAT ports a new dpgw hands
# out again (PAWS would refuse some SYNs: a client RST and a 1 s retry).
sed -e 's/lcores = "1";/lcores = "1,2";/' -e 's/"@DEVICE@"/"@DEVICE@,qpairs=2"/' \
	-e 's/^vips = .*/&\nsnat = [ "10.77.1.100", "fd00:77:1::100" ];/' \
	"$LAB_HOME/dpgw-lab.conf.in" >"$LAB_TMP/two-workers.conf.in"
if ! lab_start_dpgw "$LAB_TMP/two-workers.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts with two workers on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts with two workers on $GIF ($LAB_PMD, qpairs=2, SNAT pool 10.77.1.100)"
noflow0=$(lab_counter drop_l4_no_flow)
T4=$(peer tcp "$VIP" 80 5000 500 "$LAB_TMP/tcp4.json")
stats_log
lab_expect "two workers: 500 TCP connections all answered" "$(cnt "$T4" fail)" -eq 0
lab_expect "two workers: each of the 500 TCP 5-tuples lands where it did with one worker" \
	"$(cmp_ports "$LAB_TMP/tcp1.json" "$LAB_TMP/tcp4.json")" == 'same 500 moved 0'
U5=$(peer udp "$VIP" 5353 6000 500 "$LAB_TMP/udp5.json")
lab_expect "two workers: 500 UDP flows all answered" "$(cnt "$U5" fail)" -eq 0
lab_expect "two workers: each of the 500 UDP 5-tuples lands where it did with one worker" \
	"$(cmp_ports "$LAB_TMP/udp1.json" "$LAB_TMP/udp5.json")" == 'same 500 moved 0'
rm -f "$LAB_TMP/dl.bin"
incl curl -s --max-time 60 -o "$LAB_TMP/dl.bin" "http://$VIP/blob/20000000"
lab_expect "two workers: 20 MB over HTTP, sha256 right" \
	"$(sha256sum <"$LAB_TMP/dl.bin" 2>/dev/null | cut -d' ' -f1)" == "$SUM"
out=$(incl curl -s -g --max-time 5 "http://[$VIP6]:8086/")
lab_expect "two workers: curl -6 through [$VIP6]:8086" "$out" =~ '^[ab]$'
out=$(lab_ctl -o json show flows --limit 100000 |
	lab_json "' '.join(sorted(set(f['snat'].rsplit(':', 1)[0] for f in d['flows'])))")
lab_expect "two workers: every flow's SNAT address is from the pool" "$out" == '10.77.1.100 [fd00:77:1::100]'
per=$(lab_ctl -o json show flows --limit 0 | lab_json "' '.join(str(w['flows4']) for w in d['workers'])")
lab_log "IPv4 flows per worker: $per"
busy=$(for v in $per; do [ "$v" -gt 0 ] && echo x; done | wc -l)
lab_expect "both workers own flows (the kernel spread the clients over both queues)" "$busy" -eq 2
htx=$(lab_counter l4_handoff_tx)
hrx=$(lab_counter l4_handoff_rx)
hfull=$(lab_counter drop_handoff_full)
lab_log "af_packet fanout hashes a reply apart from its flow's owner: l4_handoff_tx=$htx l4_handoff_rx=$hrx drop_handoff_full=$hfull; client segments rolled over to the other worker (l4_stray_tx): $(lab_counter l4_stray_tx)"
lab_expect "l4_handoff_tx > 0 (replies handed to the owner) and everything above still worked" "$htx" -gt 0
lab_expect "l4_handoff_rx > 0" "$hrx" -gt 0
lab_expect "two workers: no flow was reset and retried (l4_flow_reused)" "$(lab_counter l4_flow_reused)" -eq 0
lab_expect "two workers: no drop_l4_no_flow" "$(($(lab_counter drop_l4_no_flow) - noflow0))" -eq 0
stats_log
lab_stop_dpgw 5
lab_expect "dpgw with two workers exits 0 on SIGTERM" "$LAB_DPGW_RC" -eq 0
lab_done

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# demo.sh -- dpgw on a veth pair, answering a kernel client in a network
# namespace: ping, ping -6, arping, a reply routed by a static route; the
# Gateway API manifests of examples/manifests/ (a Gateway, an HTTPRoute with
# a canary split, a TCPRoute and a UDPRoute) read from a watched directory,
# with their status and compiled tables; real L4 traffic through the
# Gateway's VIP to two backend namespaces behind the client (curl through
# the TCPRoute's port, a datagram echoed through the UDPRoute's), with the
# flows and L4 counters it left; a live edit and a broken file; then
# dpgwctl's view (ports, stats, neighbours, routes, generation) and a clean
# SIGTERM stop with the final counters. Last, dpgw's own TCP stack
# (dpgw-tcp-echo on the same port): Linux clients echoed over IPv4 and IPv6,
# 20 MB checked by sha256, and the stack as a client of a Linux server.
# `make demo` runs it after building.
#
#   sudo scripts/demo.sh            (BUILD_DIR=... for another build dir)
#
# The configuration is examples/dpgw.conf with the interface, the admin
# socket and the manifest directory replaced (or a built-in equivalent when
# that file is missing). Everything it creates is removed at exit, on ^C too.

DEMO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=${REPO:-$DEMO_REPO}
LAB_TAP=0 # no TAP summary: lab.sh reads this
# shellcheck source=tests/lab/lab.sh
. "$REPO/tests/lab/lab.sh"

failures=0

if [ -t 1 ]; then
	heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	heading() { printf '\n== %s\n' "$*"; }
fi

# step DESCRIPTION CMD...: run CMD with its output shown; count a failure.
step()
{
	local desc=$1
	shift
	heading "$desc"
	printf '$ %s\n' "$*"
	if ! "$@"; then
		printf '!! failed: %s\n' "$desc"
		failures=$((failures + 1))
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces, veth pairs, AF_XDP): sudo $0" >&2
	exit 1
fi
for tool in ip ping arping ethtool curl; do
	command -v "$tool" >/dev/null || { echo "demo: $tool not found" >&2; exit 1; }
done

lab_init demo
NS=${LAB_ID}-client
BE1=${LAB_ID}-be1
BE2=${LAB_ID}-be2
GIF=${LAB_ID}g
CIF=${LAB_ID}c

# ---- the configuration ----

# examples/dpgw.conf with iface, socket, profile and manifests as placeholders;
# a built-in copy of its essentials when it is missing or not recognised.
TEMPLATE=$LAB_TMP/demo.conf.in
EXAMPLE=$REPO/examples/dpgw.conf
mkdir -p "$LAB_TMP/manifests"
cp "$REPO"/examples/manifests/*.yaml "$LAB_TMP/manifests/" 2>/dev/null || true
if [ -f "$EXAMPLE" ] && grep -qE '^[[:space:]]*(iface|device)[[:space:]]*=' "$EXAMPLE" &&
		grep -qE '^[[:space:]]*socket[[:space:]]*=' "$EXAMPLE"; then
	sed -E \
		-e 's#^([[:space:]]*)iface([[:space:]]*)=([[:space:]]*)"[^"]*"#\1iface\2=\3"@IFACE@"#' \
		-e 's#^([[:space:]]*)profile([[:space:]]*)=([[:space:]]*)"af_(packet|xdp)"#\1profile\2=\3"@PROFILE@"#' \
		-e 's#^([[:space:]]*)device([[:space:]]*)=([[:space:]]*)"[^"]*"#\1device\2=\3"@DEVICE@"#' \
		-e 's#^([[:space:]]*)socket([[:space:]]*)=([[:space:]]*)"[^"]*"#\1socket\2=\3"@SOCKET@"#' \
		-e 's#^([[:space:]]*)manifests([[:space:]]*)=([[:space:]]*)"[^"]*"#\1manifests\2=\3"@MANIFESTS@"#' \
		"$EXAMPLE" >"$TEMPLATE"
	CONF_FROM=$EXAMPLE
else
	cat >"$TEMPLATE" <<'EOF'
ports = ( {
	name = "uplink";
	device = "@DEVICE@";
	addresses = [ "10.77.1.1/24", "fd00:77:1::1/64" ];
} );
routes = ( { prefix = "0.0.0.0/0"; via = "10.77.1.254"; } );
vips = [ "10.77.1.10", "10.77.1.11" ];
workers = { lcores = "1"; idle_sleep_us = 50; };
admin = { socket = "@SOCKET@"; };
EOF
	CONF_FROM="a built-in configuration ($EXAMPLE not found)"
fi

# ---- the lab ----

heading "Lab: namespace $NS, veth $GIF (dpgw) <-> $CIF (client); backends $BE1, $BE2 behind it"
lab_netns "$NS"
lab_veth "$NS" "$GIF" "$CIF" 10.77.1.2/24 fd00:77:1::2/64
# The client also plays the default route's next hop, 10.77.1.254, and has an
# address behind it, 10.99.0.1, that dpgw reaches only through that route.
ip -n "$NS" addr add 10.77.1.254/24 dev "$CIF"
ip -n "$NS" addr add 10.99.0.1/32 dev lo
# Behind that router, on a bridge 10.77.2.1/24: the two backends of the
# L4 routes (examples/manifests/20-data.yaml), 10.77.2.11 and 10.77.2.12.
ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
i=0
for be in "$BE1" "$BE2"; do
	i=$((i + 1))
	lab_netns "$be"
	lab_veth_ns "$NS" "${LAB_ID}p$i" "$be" "${LAB_ID}e" "10.77.2.1$i/24"
	ip -n "$be" route add default via 10.77.2.1
done
lab_bridge "$NS" "${LAB_ID}br" "${LAB_ID}p1" "${LAB_ID}p2"
ip -n "$NS" addr add 10.77.2.1/24 dev "${LAB_ID}br"
ip -n "$NS" -br addr show | sed 's/^/  /'
# Each backend: a small HTTP server on 5432 standing in for the database
# (so curl can show which one answered) and a UDP echo on 53.
PYTHON=${LAB_PYTHON:-python3}
cat >"$LAB_TMP/udp.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "serve":      # serve ADDR PORT: echo, saying who answers
    s.bind((sys.argv[2], int(sys.argv[3])))
    while True:
        data, addr = s.recvfrom(2048)
        s.sendto(b"echo from " + sys.argv[2].encode() + b": " + data, addr)
else:                           # ask ADDR PORT TEXT: one datagram, print the answer
    s.settimeout(2)
    s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
    print(s.recvfrom(2048)[0].decode())
EOF
i=0
for be in "$BE1" "$BE2"; do
	i=$((i + 1))
	mkdir -p "$LAB_TMP/www$i"
	echo "hello from backend $be (10.77.2.1$i)" >"$LAB_TMP/www$i/index.html"
	lab_run_bg "$be" "$PYTHON" -m http.server -b 10.77.2.1$i -d "$LAB_TMP/www$i" 5432
	lab_run_bg "$be" "$PYTHON" "$LAB_TMP/udp.py" serve "10.77.2.1$i" 53
done

heading "Start dpgw (configuration from $CONF_FROM)"
if ! lab_start_dpgw "$TEMPLATE" IFACE="$GIF" MANIFESTS="$LAB_TMP/manifests"; then
	echo "demo: dpgw did not start; its configuration:"
	sed 's/^/  /' "$LAB_DPGW_CONF"
	exit 1
fi
grep '^dpgw:' "$LAB_DPGW_LOG" | sed 's/^/  /'

step "ping the gateway's address 10.77.1.1" inns ping -n -c 3 -i 0.2 -W 1 10.77.1.1
step "ping -6 the gateway's address fd00:77:1::1" inns ping -6 -n -c 3 -i 0.2 -W 1 fd00:77:1::1
step "ping the VIP 10.77.1.10" inns ping -n -c 3 -i 0.2 -W 1 10.77.1.10
step "arping the VIP 10.77.1.10 (dpgw answers with its port's MAC)" \
	inns arping -c 2 -w 3 -I "$CIF" 10.77.1.10
step "ping from 10.99.0.1: the reply takes the static route via 10.77.1.254" \
	inns ping -n -c 3 -i 0.2 -W 2 -I 10.99.0.1 10.77.1.1

# ---- Gateway API ----

tables()
{
	lab_ctl -o json show gateway | lab_json "d['version']"
}

step "Gateway API: the GatewayClass dpgw acts for" lab_ctl get gatewayclasses
step "Gateway API: the Gateway got the first free VIP and is Programmed" lab_ctl get gateways -A -o wide
step "Gateway API: routes and their status" bash -c "'$DPGWCTL' --socket '$LAB_SOCK' get httproutes -A &&
	'$DPGWCTL' --socket '$LAB_SOCK' get tcproutes -A && '$DPGWCTL' --socket '$LAB_SOCK' get udproutes -A"
step "Gateway API: the status of the HTTPRoute, as kubectl get -o yaml would show it" \
	bash -c "'$DPGWCTL' --socket '$LAB_SOCK' -o yaml get httproute storefront -n shop | sed -n '/^status:/,\$p'"
step "Gateway API: what the workers match (precedence order) and the L4 services" lab_ctl show routes

# ---- L4 traffic ----

# The Gateway's VIP (the first of the pool unless the configuration changed).
VIP=$(lab_ctl -o json get gateway edge -n infra | lab_json "d['status']['addresses'][0]['value']")
for _ in $(seq 40); do
	inns bash -c "echo >/dev/tcp/10.77.2.11/5432 && echo >/dev/tcp/10.77.2.12/5432" 2>/dev/null && break
	sleep 0.1
done
step "TCPRoute data/db: curl through the VIP port $VIP:5432 (four connections, spread by Maglev)" \
	inns bash -c "for i in 1 2 3 4; do curl -sS --max-time 3 http://$VIP:5432/ || exit 1; done"
step "UDPRoute data/dns: a datagram to $VIP:53 comes back from a backend" \
	inns "$PYTHON" "$LAB_TMP/udp.py" ask "$VIP" 53 "hello over UDP"
step "dpgwctl show flows: the NAT flows (client -> VIP -> SNAT -> backend)" lab_ctl show flows
l4_counters()
{
	lab_ctl show stats | grep -E '^(COUNTER|l4_|drop_l4|drop_handoff)' | grep -vE ' 0 '
}
step "dpgwctl show stats: the L4 counters (those that moved)" l4_counters

v=$(tables)
heading "Live change: move the canary from 90/10 to 50/50 by editing the file"
sed -i 's/weight: 90/weight: 50/; s/weight: 10/weight: 50/' "$LAB_TMP/manifests/10-shop.yaml"
for _ in $(seq 40); do [ "$(tables)" != "$v" ] && break; sleep 0.05; done
grep 'gateway: translation' "$LAB_DPGW_LOG" | tail -1 | sed 's/^/  /'
lab_ctl show routes | grep -E 'ROUTE|shop/storefront' | sed 's/^/  /'
[ "$(tables)" != "$v" ] || { echo "!! no new tables"; failures=$((failures + 1)); }

heading "A broken manifest is refused with file and line; the last good objects keep serving"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: oops\n   namespace: shop\n' \
	>"$LAB_TMP/manifests/30-typo.yaml"
sleep 0.3
lab_ctl show gateway | sed 's/^/  /'
rm -f "$LAB_TMP/manifests/30-typo.yaml"

for what in ports stats neigh generation; do
	step "dpgwctl show $what" lab_ctl show "$what"
done

heading "Stop dpgw with SIGTERM"
if lab_stop_dpgw 5; then
	echo "dpgw exited with status $LAB_DPGW_RC after $LAB_DPGW_STOP_MS ms"
	[ "$LAB_DPGW_RC" = 0 ] || failures=$((failures + 1))
else
	echo "!! dpgw did not stop within 5 s; killed"
	failures=$((failures + 1))
fi
heading "Its final counters (end of its log)"
sed -n '/final counters/,$p' "$LAB_DPGW_LOG" | sed 's/^/  /'

# ---- the TCP stack ----

heading "dpgw's own TCP stack: dpgw-tcp-echo on the same port (echo on 7, discard on 9)"
DPGW_SAVED=$DPGW
DPGW=$(dirname "$DPGW")/dpgw-tcp-echo
if lab_start_dpgw "$TEMPLATE" IFACE="$GIF" MANIFESTS="$LAB_TMP/manifests"; then
	tcp_echo()
	{
		echo "hello through dpgw's TCP stack" | inns socat -t 2 - "TCP:$1"
	}
	step "Linux client -> 10.77.1.1:7, echoed by the user-space stack" tcp_echo 10.77.1.1:7
	step "the same over IPv6" tcp_echo "[fd00:77:1::1]:7"
	head -c 20000000 /dev/urandom >"$LAB_TMP/blob"
	tcp_bulk()
	{
		local a b
		a=$(sha256sum <"$LAB_TMP/blob" | cut -c1-64)
		b=$(inns socat -t 5 -b 65536 - TCP:10.77.1.1:7 <"$LAB_TMP/blob" | sha256sum | cut -c1-64)
		echo "sent     $a"
		echo "echoed   $b"
		[ "$a" = "$b" ]
	}
	step "20 MB through the echo port: sha256 of what went and what came back" tcp_bulk
	# Two connections held open, to see them as dpgw does.
	lab_run_bg "$NS" bash -c "sleep 3 | socat - TCP:10.77.1.1:9"
	lab_run_bg "$NS" bash -c "sleep 3 | socat - TCP6:[fd00:77:1::1]:7"
	sleep 0.5
	step "dpgwctl show tcp: the stack's connections (state, queues, cwnd, RTT, RTO)" \
		lab_ctl show tcp
	# A Linux echo server in the client namespace, for the stack as a client.
	cat >"$LAB_TMP/echo_srv.py" <<'PY'
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)
def serve(c):
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.shutdown(socket.SHUT_WR); c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
	lab_run_bg "$NS" "$PYTHON" "$LAB_TMP/echo_srv.py" 10.77.1.2 5001
	lab_stop_dpgw 5
	tcp_client()
	{
		# shellcheck disable=SC2086 # LAB_EAL_ARGS is a list of words
		timeout 60 "$DPGW" -c "$LAB_DPGW_CONF" --connect 10.77.1.2:5001 --conns 4 --count 40 \
			--bytes 256k -- $LAB_EAL_ARGS --file-prefix "dpgw-$LAB_ID-client" 2>"$LAB_TMP/client.log"
	}
	sleep 0.3
	step "the stack as a client: 40 connections (4 at a time) to a Linux echo server, 256 KiB each" \
		tcp_client
	grep -E 'tcp_(active_opens|tx_segs|rx_segs|retransmits)' "$LAB_TMP/client.log" | sed 's/^/  /'
else
	echo "!! dpgw-tcp-echo did not start"
	failures=$((failures + 1))
fi
DPGW=$DPGW_SAVED

heading "Clean up"
lab_cleanup
echo "namespaces $NS, $BE1, $BE2, veth $GIF/$CIF and the temp dir removed"
if [ "$failures" -gt 0 ]; then
	echo "demo: $failures step(s) failed"
	exit 1
fi
echo "demo: done"

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_ops.sh -- operating dpgw against a real peer: reloads (SIGHUP and
# dpgwctl reload) that change VIPs while ping keeps working, reloads that
# must be refused (boot-only key, bad file) with the running generation
# untouched, dpgwctl tables and exit codes, and DPDK telemetry
# (dpdk-telemetry.py) answering with the same counters as dpgwctl.
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

lab_init ops

generation()
{
	lab_ctl -o json show generation | lab_json "d['current']"
}

lab_client_topology

if ! lab_start_dpgw "$LAB_HOME/dpgw-lab.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts on $GIF with $LAB_PMD"
PREFIX=${LAB_PREFIXES[${#LAB_PREFIXES[@]}-1]}

# ---- dpgwctl tables and exit codes ----

lab_ok "ping 10.77.1.1" inns ping -n -c 2 -i 0.2 -W 1 10.77.1.1
out=$(lab_ctl show stats)
lab_expect "dpgwctl show stats: table has rx_packets" "$out" =~ 'rx_packets +[0-9]+'
lab_expect "dpgwctl show stats: table has icmp_echo_tx" "$out" =~ 'icmp_echo_tx +[0-9]+'
out=$(lab_ctl show routes)
lab_expect "dpgwctl show routes: default route via 10.77.1.254" "$out" =~ '0\.0\.0\.0/0 +10\.77\.1\.254 +uplink +static'
out=$(lab_ctl show neigh)
lab_expect "dpgwctl show neigh: the client is known (stale: learnt from its request)" "$out" =~ '10\.77\.1\.2 +[0-9A-Fa-f:]+ +(reachable|stale)'
"$DPGWCTL" --socket "$LAB_TMP/nothing.sock" show stats >/dev/null 2>&1
lab_expect "dpgwctl on a socket nobody serves exits 3" "$?" -eq 3
lab_ctl show nonsense >/dev/null 2>&1
rc=$?
lab_expect "dpgwctl with an unknown command exits non-zero" "$rc" -ne 0
"$DPGWCTL" -c "$LAB_DPGW_CONF" show generation >/dev/null 2>&1
lab_expect "dpgwctl -c CONFIG finds the socket from the configuration" "$?" -eq 0

# ---- telemetry ----

if command -v dpdk-telemetry.py >/dev/null; then
	tel=$(echo /dpgw/stats | timeout 10 dpdk-telemetry.py -f "$PREFIX" 2>&1)
	want=$(lab_counter rx_packets)
	got=$(printf '%s\n' "$tel" | "$LAB_PYTHON" -c '
import json, sys
text = sys.stdin.read()
start = text.index("{\"/dpgw/stats\"")
d, _ = json.JSONDecoder().raw_decode(text[start:])
for k, v in d["/dpgw/stats"].items():
    if k.startswith("counters/") and v.get("name") == "rx_packets":
        print(v["total"])
' 2>/dev/null)
	lab_expect "dpdk-telemetry.py /dpgw/stats reports rx_packets (dpgwctl: $want)" \
		"${got:-none}" =~ '^[0-9]+$'
	lab_expect "telemetry and dpgwctl agree within a few packets" \
		"$(( ${got:-0} >= want - 10 && ${got:-0} <= want + 10 ))" -eq 1
else
	lab_fail "dpdk-telemetry.py installed (package dpdk)"
fi

# ---- reload: SIGHUP with a VIP change ----

g0=$(generation)
sed -i 's/"10.77.1.11"/"10.77.1.12"/' "$LAB_DPGW_CONF"
kill -HUP "$LAB_DPGW_PID"
for _ in $(seq 50); do [ "$(generation)" != "$g0" ] && break; sleep 0.1; done
lab_expect "SIGHUP: a new generation is published" "$(generation)" -eq $((g0 + 1))
lab_ok "SIGHUP: the new VIP 10.77.1.12 answers ARP" inns arping -c 1 -w 2 -I "$CIF" 10.77.1.12
lab_nok "SIGHUP: the removed VIP 10.77.1.11 no longer answers" \
	inns arping -c 1 -w 1 -I "$CIF" 10.77.1.11
lab_ok "SIGHUP: ping 10.77.1.12" inns ping -n -c 2 -i 0.2 -W 1 10.77.1.12
seen=$(lab_ctl -o json show generation | lab_json "d['workers'][0]['seen']")
lab_expect "every worker has seen the new generation" "$seen" -eq $((g0 + 1))

# ---- reload refused: boot-only key, then a broken file ----

g1=$(generation)
cp "$LAB_DPGW_CONF" "$LAB_TMP/good.conf"
sed -i 's/idle_sleep_us = 50;/idle_sleep_us = 50; mbufs = 4095;/' "$LAB_DPGW_CONF"
out=$(lab_ctl reload 2>&1)
rc=$?
lab_expect "dpgwctl reload with a boot-only change exits 1" "$rc" -eq 1
lab_expect "the refusal names the key" "$out" =~ 'workers\.mbufs'
lab_expect "no generation was published" "$(generation)" -eq "$g1"
printf 'vips = [ 10.77.1.13 ];\n' >>"$LAB_DPGW_CONF"
kill -HUP "$LAB_DPGW_PID"
sleep 0.5
lab_expect "SIGHUP with a syntax error publishes nothing" "$(generation)" -eq "$g1"
lab_expect "the log says the reload was refused" "$(cat "$LAB_DPGW_LOG")" =~ 'reload refused'
lab_ok "the running configuration still serves: ping 10.77.1.12" \
	inns ping -n -c 2 -i 0.2 -W 1 10.77.1.12
cp "$LAB_TMP/good.conf" "$LAB_DPGW_CONF"
sed -i 's/"10.77.1.12"/"10.77.1.14"/' "$LAB_DPGW_CONF"
out=$(lab_ctl reload 2>&1)
lab_expect "dpgwctl reload of a good file succeeds" "$?" -eq 0
lab_expect "dpgwctl reload prints the new generation" "$out" =~ "generation $((g1 + 1))"
lab_ok "the VIP of the reload answers ping" inns ping -n -c 2 -i 0.2 -W 1 10.77.1.14

lab_stop_dpgw
lab_expect "dpgw exits 0 after the reloads" "$LAB_DPGW_RC" -eq 0
lab_done

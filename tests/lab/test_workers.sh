#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_workers.sh -- two workers on one port (af_packet, qpairs=2: one RX and
# one TX queue each), both lcores mapped onto CPU 1 so the test fits a
# 2-core machine. The kernel spreads the client's packets over both queues,
# so ARP/ND answered on one worker must reach the other (neighbour updates
# between workers), and every ping must still be answered whichever worker
# receives it.
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

LAB_PMDS=net_af_packet
LAB_EAL_ARGS="$LAB_EAL_ARGS --lcores 0@0,(1,2)@1"
lab_init wrk

lab_client_topology
ip -n "$NS" addr add 10.77.1.254/24 dev "$CIF"
ip -n "$NS" addr add 10.99.0.1/32 dev lo
sed -e 's/lcores = "1";/lcores = "1,2";/' -e 's/"@DEVICE@"/"@DEVICE@,qpairs=2"/' \
	"$LAB_HOME/dpgw-lab.conf.in" >"$LAB_TMP/two-workers.conf.in"

if ! lab_start_dpgw "$LAB_TMP/two-workers.conf.in" IFACE="$GIF"; then
	lab_fail "dpgw starts with two workers on $GIF"
	lab_done
	exit
fi
lab_pass "dpgw starts with two workers on $GIF ($LAB_PMD, qpairs=2)"

W=$(lab_ctl -o json show stats | lab_json "len(d['workers'])")
lab_expect "show stats lists two workers" "$W" -eq 2
Q=$(lab_ctl -o json show ports | lab_json "d['ports'][0]['rx_queues']")
lab_expect "the port has one RX queue per worker" "$Q" -eq 2

# Many short flows (different ICMP ids) so both queues see traffic.
for i in $(seq 8); do
	inns ping -n -c 2 -i 0.1 -W 1 10.77.1.1 >/dev/null 2>&1 || echo fail >>"$LAB_TMP/pings"
	inns ping -n -c 2 -i 0.1 -W 1 -I 10.99.0.1 10.77.1.10 >/dev/null 2>&1 ||
		echo fail >>"$LAB_TMP/pings"
	inns ping -6 -n -c 2 -i 0.1 -W 1 fd00:77:1::1 >/dev/null 2>&1 || echo fail >>"$LAB_TMP/pings"
	ip -n "$NS" neigh flush dev "$CIF"
done
lab_expect "48 pings over both workers, all answered" "$(cat "$LAB_TMP/pings" 2>/dev/null | wc -l)" -eq 0
per=$(lab_ctl -o json show stats | lab_json "' '.join(str(v) for c in d['counters'] if c['name'] == 'rx_packets' for v in c['workers'])")
lab_log "rx_packets per worker: $per"
busy=$(for v in $per; do [ "$v" -gt 0 ] && echo x; done | wc -l)
lab_expect "both workers received packets" "$busy" -eq 2
lab_expect "neighbour updates were shared between workers" "$(lab_counter neigh_update_rx)" -gt 0
# Only a worker that asked for 10.77.1.254 holds it (an answer updates, never
# creates); whichever worker the answer reached, the asker's entry resolved.
S=$(lab_ctl -o json show neigh | lab_json "' '.join(sorted(set(n['state'] for n in d['neighbours'] if n['ip'] == '10.77.1.254')))")
lab_expect "every worker's entry for the next hop 10.77.1.254 is reachable" "$S" == reachable

lab_stop_dpgw
lab_expect "dpgw with two workers exits 0 on SIGTERM" "$LAB_DPGW_RC" -eq 0
lab_done

# SPDX-License-Identifier: BSD-3-Clause
"""TRex STL profile: UDP through a dpgw L4 listener (UDPRoute, full NAT).

Same lab as dpgw_l4_tcp.py (perf/trex/README.md): TRex port 0 10.77.1.2
faces dpgw's client port (VIP 10.77.1.10), TRex port 1 10.77.2.2 is the
only backend (10.77.2.2:5353), both in L3 mode.

Port 0: datagrams to VIP:53 from flows = ips x ports_per_ip distinct
source address/port pairs (16.0.0.0/8, ports from 1025), round robin,
continuously. The first datagram of each pair creates its flow.
mode=new: source address and port random over 16.0.0.0/8 x 1024-65535
instead, so nearly every datagram is a new flow.
Port 1 (reverse=1, mode=established): after `gap` seconds, datagrams
from 10.77.2.2:5353 to SNAT 10.77.2.1 ports snat_lo .. snat_lo + flows -
1, the ports a single worker with no `snat` pool handed out in order
(flows <= 64512; see dpgw_l4_tcp.py for the multi-worker caveat).

Rates: 1 pps per stream, scaled by the console (`start -f ... -m 10mpps`).
Tunables: flows, ports_per_ip, size, vip, vport, backend, bport, snat,
snat_lo, mode (established|new), reverse (0|1), gap (s), hw_cs (1: UDP
checksum by the TRex NIC, 0: UDP checksum 0, which dpgw keeps 0).
"""

import argparse

try:
    from trex_stl_lib.api import (
        CTRexVmInsFixHwCs, Ether, IP, STLPktBuilder, STLScVmRaw, STLStream,
        STLTXCont, STLVmFixChecksumHw, STLVmFixIpv4, STLVmFlowVar, STLVmTupleGen,
        STLVmWrFlowVar, UDP)
except ImportError:  # outside TRex: keep the module importable for checks
    CTRexVmInsFixHwCs = Ether = IP = STLPktBuilder = STLScVmRaw = None
    STLStream = STLTXCont = STLVmFixChecksumHw = STLVmFixIpv4 = None
    STLVmFlowVar = STLVmTupleGen = STLVmWrFlowVar = UDP = None

DEFAULTS = {
    "flows": 65536,
    "ports_per_ip": 256,
    "size": 64,
    "vip": "10.77.1.10",
    "vport": 53,
    "backend": "10.77.2.2",
    "bport": 5353,
    "snat": "10.77.2.1",
    "snat_lo": 1024,
    "mode": "established",
    "reverse": 1,
    "gap": 1.0,
    "hw_cs": 1,
}

CLIENT_BASE = "16.0.0.0"


def ip_add(base, n):
    a = [int(x) for x in base.split(".")]
    v = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) + n
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def parse_tunables(tunables, kwargs):
    """TRex 3 passes a list of strings, TRex 2 keyword arguments."""
    t = dict(DEFAULTS)
    if isinstance(tunables, (list, tuple)):
        p = argparse.ArgumentParser(prog="dpgw_l4_udp.py")
        for k, v in DEFAULTS.items():
            p.add_argument("--" + k, type=type(v), default=v)
        t.update(vars(p.parse_args(list(tunables))))
    for k, v in kwargs.items():
        if k in DEFAULTS:
            t[k] = type(DEFAULTS[k])(v)
    return t


class DpgwL4Udp(object):
    """Streams for port 0 (clients) and port 1 (the backend)."""

    def fix(self, t):
        if t["hw_cs"]:
            return [STLVmFixChecksumHw(l3_offset="IP", l4_offset="UDP",
                                       l4_type=CTRexVmInsFixHwCs.L4_TYPE_UDP)]
        return [STLVmFixIpv4(offset="IP")]

    def pkt(self, t, src, dst, sport, dport):
        p = Ether() / IP(src=src, dst=dst, ttl=64) / UDP(sport=sport, dport=dport,
                                                           chksum=None if t["hw_cs"] else 0)
        return p / (max(0, t["size"] - 4 - len(p)) * "x")

    def port0(self, t):
        if t["mode"] == "new":
            vm = [
                STLVmFlowVar(name="src", min_value="16.0.0.1", max_value="16.255.255.254",
                             size=4, op="random"),
                STLVmFlowVar(name="sport", min_value=1024, max_value=65535, size=2,
                             op="random"),
                STLVmWrFlowVar(fv_name="src", pkt_offset="IP.src"),
                STLVmWrFlowVar(fv_name="sport", pkt_offset="UDP.sport"),
            ]
        else:
            ips = max(1, t["flows"] // t["ports_per_ip"])
            vm = [
                STLVmTupleGen(ip_min=CLIENT_BASE, ip_max=ip_add(CLIENT_BASE, ips - 1),
                              port_min=1025, port_max=1025 + t["ports_per_ip"] - 1,
                              name="tuple"),
                STLVmWrFlowVar(fv_name="tuple.ip", pkt_offset="IP.src"),
                STLVmWrFlowVar(fv_name="tuple.port", pkt_offset="UDP.sport"),
            ]
        pkt = self.pkt(t, CLIENT_BASE, t["vip"], 1025, t["vport"])
        return [STLStream(name="c_udp",
                          packet=STLPktBuilder(pkt=pkt, vm=STLScVmRaw(vm + self.fix(t))),
                          mode=STLTXCont(pps=1))]

    def port1(self, t):
        if t["mode"] == "new" or not t["reverse"]:
            return []
        vm = [
            STLVmFlowVar(name="dport", min_value=t["snat_lo"],
                         max_value=t["snat_lo"] + t["flows"] - 1, size=2, op="inc"),
            STLVmWrFlowVar(fv_name="dport", pkt_offset="UDP.dport"),
        ]
        pkt = self.pkt(t, t["backend"], t["snat"], t["bport"], t["snat_lo"])
        return [STLStream(name="b_udp", isg=t["gap"] * 1e6,
                          packet=STLPktBuilder(pkt=pkt, vm=STLScVmRaw(vm + self.fix(t))),
                          mode=STLTXCont(pps=1))]

    def get_streams(self, tunables=None, port_id=0, direction=0, **kwargs):
        t = parse_tunables(tunables, kwargs)
        if t["mode"] not in ("established", "new"):
            raise ValueError("mode must be established or new")
        if t["mode"] == "established" and t["reverse"] and t["flows"] > 65536 - t["snat_lo"]:
            raise ValueError("reverse streams need flows <= %d (one SNAT address)"
                             % (65536 - t["snat_lo"]))
        side = port_id if port_id in (0, 1) else direction
        return self.port0(t) if side % 2 == 0 else self.port1(t)


def register():
    return DpgwL4Udp()

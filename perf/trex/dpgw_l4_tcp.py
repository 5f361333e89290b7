# SPDX-License-Identifier: BSD-3-Clause
"""TRex STL profile: TCP through a dpgw L4 listener (TCPRoute, full NAT).

Lab layout (perf/trex/README.md):

    TRex port 0  10.77.1.2/24  ---  dpgw "clients"   10.77.1.1/24, VIP 10.77.1.10
    TRex port 1  10.77.2.2/24  ---  dpgw "backends"  10.77.2.1/24

Both TRex ports run in L3 mode (trex_cfg.yaml: ip + default_gw), so TRex
answers ARP for its own address and sends to the MAC it resolved for dpgw.
TRex port 1 is the only backend (EndpointSlice address 10.77.2.2, port
8080): dpgw needs no other neighbour, and the backend's replies can be
generated without knowing which backend each flow picked.

Port 0 (clients, source 16.0.0.0/8 via dpgw's route to 10.77.1.2):
  mode=established (default)
    1. one SYN per flow (flows = ips x ports_per_ip distinct source
       address/port pairs), as a single burst;
    2. after `gap` seconds, one ACK per flow (the handshake's third segment);
    3. then data segments (ACK|PSH) of all flows, round robin, continuously.
  mode=new
    SYNs only, continuously, source address and port random over
    16.0.0.0/8 x 1024-65535: nearly every SYN is a new flow (flow setup
    rate, table full -> eviction).
Port 1 (backend 10.77.2.2:8080 -> SNAT 10.77.2.1:1024..), established mode
with reverse=1 only:
    1. after `gap`/2 seconds, one SYN-ACK per flow, destination ports
       1024 .. 1024 + flows - 1: the ports a single dpgw worker hands out,
       in order, to the flows of step 1 (no `snat` pool, snat_ports
       "1024-65535", flows <= 64512); with several workers each takes the
       ports of its residue class, so the range is only roughly covered;
    2. then data segments back to every flow, continuously.

Rates: the SYN/ACK bursts run at `setup_pps`; the continuous streams at
1 pps each and are scaled by the console's multiplier
(`start -f ... -m 10mpps` or `-m 100%`), which scales every stream of a
port.

Tunables (TRex >= 3: `-t flows=65536,size=64`; older: same names as
keyword arguments): flows, ports_per_ip, size (frame bytes with FCS),
vip, vport, backend, bport, snat, snat_lo, mode (established|new),
reverse (0|1), gap (s), setup_pps, hw_cs (1: L4 checksums by the TRex
NIC; 0: IPv4 checksum only).
"""

import argparse

try:
    from trex_stl_lib.api import (
        CTRexVmInsFixHwCs, Ether, IP, STLPktBuilder, STLScVmRaw, STLStream,
        STLTXCont, STLTXSingleBurst, STLVmFixChecksumHw, STLVmFixIpv4,
        STLVmFlowVar, STLVmTupleGen, STLVmWrFlowVar, TCP)
except ImportError:  # outside TRex: keep the module importable for checks
    CTRexVmInsFixHwCs = Ether = IP = STLPktBuilder = STLScVmRaw = None
    STLStream = STLTXCont = STLTXSingleBurst = STLVmFixChecksumHw = None
    STLVmFixIpv4 = STLVmFlowVar = STLVmTupleGen = STLVmWrFlowVar = TCP = None

DEFAULTS = {
    "flows": 65536,
    "ports_per_ip": 256,
    "size": 64,
    "vip": "10.77.1.10",
    "vport": 80,
    "backend": "10.77.2.2",
    "bport": 8080,
    "snat": "10.77.2.1",
    "snat_lo": 1024,
    "mode": "established",
    "reverse": 1,
    "gap": 1.0,
    "setup_pps": 1000000,
    "hw_cs": 1,
}

CLIENT_BASE = "16.0.0.0"
SEQ_CLIENT = 1000
SEQ_SERVER = 5000


def ip_add(base, n):
    a = [int(x) for x in base.split(".")]
    v = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) + n
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def parse_tunables(tunables, kwargs):
    """TRex 3 passes a list of strings, TRex 2 keyword arguments."""
    t = dict(DEFAULTS)
    if isinstance(tunables, (list, tuple)):
        p = argparse.ArgumentParser(prog="dpgw_l4_tcp.py")
        for k, v in DEFAULTS.items():
            p.add_argument("--" + k, type=type(v), default=v)
        t.update(vars(p.parse_args(list(tunables))))
    for k, v in kwargs.items():
        if k in DEFAULTS:
            t[k] = type(DEFAULTS[k])(v)
    return t


class DpgwL4Tcp(object):
    """Streams for port 0 (clients) and port 1 (the backend)."""

    def pad(self, pkt, size):
        return pkt / (max(0, size - 4 - len(pkt)) * "x")

    def fix(self, t):
        if t["hw_cs"]:
            return STLVmFixChecksumHw(l3_offset="IP", l4_offset="TCP",
                                      l4_type=CTRexVmInsFixHwCs.L4_TYPE_TCP)
        return STLVmFixIpv4(offset="IP")

    def client_vm(self, t):
        """Source address/port of flow i, i = 0 .. flows - 1, in turn."""
        ips = max(1, t["flows"] // t["ports_per_ip"])
        return STLScVmRaw([
            STLVmTupleGen(ip_min=CLIENT_BASE, ip_max=ip_add(CLIENT_BASE, ips - 1),
                          port_min=1025, port_max=1025 + t["ports_per_ip"] - 1,
                          name="tuple"),
            STLVmWrFlowVar(fv_name="tuple.ip", pkt_offset="IP.src"),
            STLVmWrFlowVar(fv_name="tuple.port", pkt_offset="TCP.sport"),
            self.fix(t),
        ])

    def backend_vm(self, t):
        """SNAT port of flow i (single worker, no pool: 1024 + i)."""
        return STLScVmRaw([
            STLVmFlowVar(name="dport", min_value=t["snat_lo"],
                         max_value=t["snat_lo"] + t["flows"] - 1, size=2, op="inc"),
            STLVmWrFlowVar(fv_name="dport", pkt_offset="TCP.dport"),
            self.fix(t),
        ])

    def client_pkt(self, t, flags, data):
        pkt = (Ether() / IP(src=CLIENT_BASE, dst=t["vip"], ttl=64) /
               TCP(sport=1025, dport=t["vport"], flags=flags, seq=SEQ_CLIENT,
                   ack=0 if flags == "S" else SEQ_SERVER + 1, window=65535))
        return self.pad(pkt, t["size"]) if data else pkt

    def backend_pkt(self, t, flags, data):
        pkt = (Ether() / IP(src=t["backend"], dst=t["snat"], ttl=64) /
               TCP(sport=t["bport"], dport=t["snat_lo"], flags=flags, seq=SEQ_SERVER,
                   ack=SEQ_CLIENT + 1, window=65535))
        return self.pad(pkt, t["size"]) if data else pkt

    def port0(self, t):
        if t["mode"] == "new":
            vm = STLScVmRaw([
                STLVmFlowVar(name="src", min_value="16.0.0.1", max_value="16.255.255.254",
                             size=4, op="random"),
                STLVmFlowVar(name="sport", min_value=1024, max_value=65535, size=2,
                             op="random"),
                STLVmWrFlowVar(fv_name="src", pkt_offset="IP.src"),
                STLVmWrFlowVar(fv_name="sport", pkt_offset="TCP.sport"),
                self.fix(t),
            ])
            return [STLStream(name="syn_flood",
                              packet=STLPktBuilder(pkt=self.client_pkt(t, "S", False), vm=vm),
                              mode=STLTXCont(pps=1))]
        n = t["flows"]
        return [
            STLStream(name="c_syn", next="c_ack",
                      packet=STLPktBuilder(pkt=self.client_pkt(t, "S", False),
                                           vm=self.client_vm(t)),
                      mode=STLTXSingleBurst(total_pkts=n, pps=t["setup_pps"])),
            STLStream(name="c_ack", next="c_data", self_start=False,
                      isg=t["gap"] * 1e6,
                      packet=STLPktBuilder(pkt=self.client_pkt(t, "A", False),
                                           vm=self.client_vm(t)),
                      mode=STLTXSingleBurst(total_pkts=n, pps=t["setup_pps"])),
            STLStream(name="c_data", self_start=False,
                      packet=STLPktBuilder(pkt=self.client_pkt(t, "PA", True),
                                           vm=self.client_vm(t)),
                      mode=STLTXCont(pps=1)),
        ]

    def port1(self, t):
        if t["mode"] == "new" or not t["reverse"]:
            return []
        n = t["flows"]
        return [
            STLStream(name="b_synack", next="b_data", isg=t["gap"] * 0.5e6,
                      packet=STLPktBuilder(pkt=self.backend_pkt(t, "SA", False),
                                           vm=self.backend_vm(t)),
                      mode=STLTXSingleBurst(total_pkts=n, pps=t["setup_pps"])),
            STLStream(name="b_data", self_start=False, isg=t["gap"] * 1e6,
                      packet=STLPktBuilder(pkt=self.backend_pkt(t, "PA", True),
                                           vm=self.backend_vm(t)),
                      mode=STLTXCont(pps=1)),
        ]

    def get_streams(self, tunables=None, port_id=0, direction=0, **kwargs):
        t = parse_tunables(tunables, kwargs)
        if t["mode"] not in ("established", "new"):
            raise ValueError("mode must be established or new")
        if t["mode"] == "established" and t["reverse"] and t["flows"] > 65536 - t["snat_lo"]:
            raise ValueError("reverse streams need flows <= %d (one SNAT address)"
                             % (65536 - t["snat_lo"]))
        # Port 0 faces the clients, port 1 the backend; `direction` is the
        # TRex 2 name for the same thing.
        side = port_id if port_id in (0, 1) else direction
        return self.port0(t) if side % 2 == 0 else self.port1(t)


def register():
    return DpgwL4Tcp()

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw.conf: the boot configuration (libconfig syntax).
 *
 *   ports = ( { name = "uplink"; device = "net_af_xdp0,iface=veth-gw0";
 *               addresses = [ "10.77.1.1/24", "fd00:77:1::1/64" ]; } );
 *   routes = ( { prefix = "0.0.0.0/0"; via = "10.77.1.254"; } );
 *   vips = [ "10.77.1.10", "10.77.1.11" ];
 *   snat = [ "10.77.2.100" ];
 *   l4 = { max_flows = 65536; snat_ports = "1024-65535"; udp_timeout_s = 60; };
 *   workers = { lcores = "1"; idle_sleep_us = 50; };
 *   gateway = { source = "files"; manifests = "/etc/dpgw/manifests";
 *               controller_name = "dpgw.io/gateway-controller"; };
 *   admin = { socket = "/run/dpgw/admin.sock"; };
 *
 * gw_config_load() parses and validates the whole file; on any error it
 * returns -EINVAL and fills a message naming file, line and key
 * ("dpgw.conf:4: ports.[0].addresses.[1]: bad address \"10.1.1.300/24\"").
 * Unknown keys are errors. docs/configuration.md documents every key and
 * says which are boot-only and which a reload (SIGHUP) applies.
 *
 * A port gives either a DPDK device string ("device") or a profile
 * ("profile" plus "iface" or "pci"): drivers-config/<profile>.conf holds a
 * devargs template whose {index}, {iface}, {pci} and {queues} are filled in
 * here, so ports[].device is always the final string for rte_dev_probe().
 *
 * No global state: loads may run concurrently on different structs. The
 * struct is large (about 110 KiB): allocate it, do not put it on a stack.
 * On error the contents of @cfg are unspecified; load a reload candidate
 * into a second struct and keep serving from the first until it succeeds.
 *
 * Lives in control/: it may use libconfig; lib/ never sees this file, only
 * the compiled generation built from it.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define GW_CFG_MAX_PORTS 8
#define GW_CFG_MAX_ADDRS 16
#define GW_CFG_MAX_ROUTES 1024
#define GW_CFG_MAX_VIPS 1024
#define GW_CFG_NAME_LEN 32
#define GW_CFG_STR_LEN 256
#define GW_CFG_ERR_LEN 512
#define GW_CFG_MAX_WORKERS 64   /* worker lcores, hence queues per port */
#define GW_CFG_MAX_LCORE 128    /* lcore ids in workers.lcores are below this */
#define GW_CFG_MAX_SNAT 16      /* SNAT pool addresses per family (= GW_DP_MAX_SNAT) */
#define GW_CFG_L4_N_TIMEOUTS 5  /* l4 timeouts, enum gw_flow_class order */

/* An IPv4 or IPv6 address (family AF_INET or AF_INET6), network byte order. */
struct gw_cfg_ip {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct gw_cfg_prefix {
	struct gw_cfg_ip addr;  /* host bits as written (kept for port addresses) */
	uint8_t len;            /* prefix length */
};

struct gw_cfg_port {
	char name[GW_CFG_NAME_LEN];     /* unique, [a-zA-Z0-9_-]{1,31} */
	/*
	 * Final DPDK device string given to rte_dev_probe(): a PCI address
	 * (then probed by the bus, "0000:03:02.1" with optional ",devargs")
	 * or a vdev ("net_af_xdp0,iface=veth-gw0"). When the port uses a
	 * profile, this is the profile's devargs with {iface}, {queues} and
	 * {index} substituted.
	 */
	char device[GW_CFG_STR_LEN];
	char profile[GW_CFG_NAME_LEN];  /* "" if none */
	char iface[GW_CFG_NAME_LEN];    /* profile parameter {iface}, "" if none */
	char pci[GW_CFG_NAME_LEN];      /* profile parameter {pci} ("0000:03:02.1"), "" if none */
	uint16_t mtu;                   /* 0: driver default; profile or port key "mtu" */
	bool rss;                       /* request RSS (symmetric key) when >1 queue; default true */
	bool hw_cksum;                  /* use checksum offloads the port offers; default true */
	uint16_t rx_desc, tx_desc;      /* ring sizes; default 1024 */
	unsigned int n_addrs;
	struct gw_cfg_prefix addrs[GW_CFG_MAX_ADDRS];
	int line;                       /* line of the port's entry, for later errors */
};

struct gw_cfg_route {
	struct gw_cfg_prefix prefix;    /* host bits must be zero */
	struct gw_cfg_ip via;           /* same family as prefix */
	char port[GW_CFG_NAME_LEN];     /* optional "port" key; "" = the port whose subnet holds via */
	int line;
};

struct gw_config {
	char path[GW_CFG_STR_LEN];

	unsigned int n_ports;
	struct gw_cfg_port ports[GW_CFG_MAX_PORTS];

	unsigned int n_routes;
	struct gw_cfg_route routes[GW_CFG_MAX_ROUTES];

	unsigned int n_vips;
	struct gw_cfg_ip vips[GW_CFG_MAX_VIPS];

	/* snat = [ ... ]: SNAT pool, at most GW_CFG_MAX_SNAT per family, in file order. */
	unsigned int n_snat;
	struct gw_cfg_ip snat[2 * GW_CFG_MAX_SNAT];

	struct {
		uint32_t max_flows;           /* per worker and family; default 65536; boot-only */
		uint16_t snat_port_lo;        /* snat_ports = "LO-HI"; default 1024-65535 */
		uint16_t snat_port_hi;
		/*
		 * Idle timeouts in seconds, enum gw_flow_class order: tcp_syn (10),
		 * tcp_established (900), tcp_closing (60), tcp_time_wait (10), udp (60).
		 */
		uint32_t timeout_s[GW_CFG_L4_N_TIMEOUTS];
	} l4;

	/*
	 * tcp = { ... }: the user-space TCP stack of every worker (lib/tcp),
	 * used by dpgw-tcp-echo (and the HTTP proxy to come). Boot-only.
	 */
	struct {
		uint32_t max_conns;           /* per worker, TIME-WAIT included; 65536 */
		uint32_t rcv_buf, snd_buf;    /* bytes per connection; 262144 */
		char cc[16];                  /* "cubic" (default) or "newreno" */
		uint32_t init_cwnd;           /* segments; 10 */
		uint32_t rto_min_ms;          /* 200 */
		uint32_t delack_ms;           /* 40 */
		uint32_t syn_backlog;         /* half-open per worker before SYN cookies; 1024 */
		bool syncookies, sack, timestamps, window_scaling;      /* all true */
		uint32_t time_wait_s;         /* 60 */
		uint32_t fin_wait2_s;         /* 60 */
		uint32_t keepalive_idle_s;    /* 7200 */
		uint32_t keepalive_intvl_s;   /* 75 */
		uint32_t keepalive_probes;    /* 9 */
		uint16_t port_lo, port_hi;    /* ports = "LO-HI" for connect(); 32768-60999 */
	} tcp;

	struct {
		char lcores[GW_CFG_STR_LEN];  /* "1", "1-3", "1,3"; default "1" */
		uint32_t idle_sleep_us;       /* 0: busy-poll; default 0 */
		uint32_t mbufs;               /* mbuf pool size; default 8191 */
		/* Parsed from lcores: ascending, no duplicates, 1..GW_CFG_MAX_WORKERS. */
		unsigned int n_workers;       /* = RX/TX queues per port ({queues}) */
		uint16_t lcore_ids[GW_CFG_MAX_WORKERS];
		/* Lowest lcore id not used by a worker: the EAL main lcore (control). */
		uint16_t main_lcore;
	} workers;

	struct {
		char source[GW_CFG_NAME_LEN];          /* "files" (default) or "kubernetes" */
		char manifests[GW_CFG_STR_LEN];        /* default "/etc/dpgw/manifests" */
		char controller_name[GW_CFG_STR_LEN];  /* default "dpgw.io/gateway-controller" */
	} gateway;

	struct {
		char socket[GW_CFG_STR_LEN];  /* default GW_DEFAULT_ADMIN_SOCKET */
	} admin;

	struct {
		uint32_t reachable_s;  /* neighbour entry valid after confirmation; default 30 */
		uint32_t stale_gc_s;   /* unused stale entry removed after; default 300 */
		uint32_t resolve_ms;   /* hold time for unresolved next hops; default 1000 */
	} neigh;

	char drivers_config[GW_CFG_STR_LEN];  /* profile directory; default: build-time path */
};

/*
 * Parse and validate @path into @cfg (fully overwritten). Returns 0, or
 * -EINVAL/-ENOENT with a human-readable message in @err (file:line: key: why).
 * Other errors opening the file come back as -errno (-EACCES, ...), also
 * with a message. Syntax errors read "file:line: syntax error: why"; errors
 * in a profile name the profile's file and line. A relative drivers_config
 * is taken relative to the directory of @path.
 */
int gw_config_load(const char *path, struct gw_config *cfg, char *err, size_t errlen);

/* The same from a string (tests, fuzzing); @name stands in for the file name. */
int gw_config_load_string(const char *text, const char *name, struct gw_config *cfg,
	char *err, size_t errlen);

/*
 * Compare the boot-only parts of two configurations (ports' devices, names,
 * profiles, queues, workers, admin socket, gateway source). Returns 0 if
 * equal, else 1 and names the first differing key in @what.
 *
 * Boot-only: ports (count, and each port's name, device, profile, iface,
 * pci, mtu, rss, hw_cksum, rx_desc, tx_desc), workers.lcores (compared as
 * a set, so "1-2" equals "1,2"), workers.mbufs, gateway.*, admin.socket,
 * drivers_config, l4.max_flows. Everything else (routes, vips, snat,
 * ports[].addresses, neigh.*, the other l4.* keys, workers.idle_sleep_us)
 * a reload may change. @what gets a key
 * path such as "ports.[0].device" or "ports" (a port added or removed).
 */
int gw_config_boot_diff(const struct gw_config *a, const struct gw_config *b,
	char *what, size_t len);

/* Parse "10.0.0.1" / "fd00::1" into @ip. 0 or -EINVAL. */
int gw_cfg_ip_parse(const char *s, struct gw_cfg_ip *ip);
/* Parse "10.0.0.0/8" / "fd00::/64" (len optional only if @need_len is false: full host). */
int gw_cfg_prefix_parse(const char *s, struct gw_cfg_prefix *p, bool need_len);
/* Format an address into @buf (INET6_ADDRSTRLEN at least). */
const char *gw_cfg_ip_str(const struct gw_cfg_ip *ip, char *buf, size_t len);

/*
 * Parse an lcore list ("1", "1-3", "1,3,5", "2-3,5") into @ids, ascending.
 * 0; -EINVAL bad syntax; -ERANGE an id >= GW_CFG_MAX_LCORE or a range
 * written backwards; -EEXIST an lcore named twice; -E2BIG more than @max.
 */
int gw_cfg_lcores_parse(const char *s, uint16_t *ids, unsigned int max, unsigned int *n);

#endif /* GW_CONFIG_H */

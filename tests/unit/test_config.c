/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/config: dpgw.conf parsing and validation. Good configurations
 * parse into the right values; each bad one fails with the exact
 * "name:LINE: key" prefix a user would be pointed to. No EAL needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "gw_build_config.h"
#include "config.h"

#define SRC_DIR GW_SOURCE_DRIVERS_CONFIG_DIR "/.."

/* A port that is valid on its own, for tests about other sections. */
#define PORT_A "ports = ( { name = \"a\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; } );\n"

static struct gw_config *
cfg_new(void)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	return cfg;
}

/* Parse @text with drivers_config pointing at the repo's profiles. */
static int
load(const char *text, struct gw_config *cfg, char *err, size_t errlen)
{
	char *buf;
	size_t n = strlen(text) + 512;
	int rc;

	buf = malloc(n);
	assert_non_null(buf);
	snprintf(buf, n, "%sdrivers_config = \"%s\";\n", text, GW_SOURCE_DRIVERS_CONFIG_DIR);
	rc = gw_config_load_string(buf, "t.conf", cfg, err, errlen);
	free(buf);
	return rc;
}

static void
assert_ip(const struct gw_cfg_ip *ip, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(gw_cfg_ip_str(ip, buf, sizeof(buf)), want);
}

static void
assert_prefix(const struct gw_cfg_prefix *p, const char *addr, unsigned int len)
{
	assert_ip(&p->addr, addr);
	assert_int_equal(p->len, len);
}

/* ------------------------------------------------------------------ */

static const char full_conf[] =
	"ports = ( { name = \"uplink\"; device = \"net_af_xdp0,iface=veth-gw0\";\n"
	"            addresses = [ \"10.77.1.1/24\", \"fd00:77:1::1/64\" ]; },\n"
	"          { name = \"down-1\"; device = \"0000:03:02.1,rxq_cqe_comp_en=1\";\n"
	"            addresses = [ \"192.168.9.1/30\" ];\n"
	"            mtu = 9000; rss = false; hw_cksum = false; rx_desc = 512; tx_desc = 2048; } );\n"
	"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.77.1.254\"; },\n"
	"           { prefix = \"fd00:99::/48\"; via = \"fd00:77:1::fe\"; },\n"
	"           { prefix = \"172.16.0.0/12\"; via = \"192.168.9.2\"; port = \"down-1\"; } );\n"
	"vips = [ \"10.77.1.10\", \"10.77.1.11\", \"fd00:77:1::10\" ];\n"
	"workers = { lcores = \"1-3,5\"; idle_sleep_us = 50; mbufs = 16383; };\n"
	"gateway = { source = \"kubernetes\"; manifests = \"/srv/m\";\n"
	"            controller_name = \"example.com/gw\"; };\n"
	"admin = { socket = \"/tmp/dpgw.sock\"; };\n"
	"neigh = { reachable_s = 10; stale_gc_s = 60; resolve_ms = 500; };\n";

static void
test_full_config(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];
	const struct gw_cfg_port *p;

	(void)state;
	assert_int_equal(load(full_conf, cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg->path, "t.conf");

	assert_int_equal(cfg->n_ports, 2);
	p = &cfg->ports[0];
	assert_string_equal(p->name, "uplink");
	assert_string_equal(p->device, "net_af_xdp0,iface=veth-gw0");
	assert_string_equal(p->profile, "");
	assert_string_equal(p->iface, "");
	assert_int_equal(p->mtu, 0);
	assert_true(p->rss);
	assert_true(p->hw_cksum);
	assert_int_equal(p->rx_desc, 1024);
	assert_int_equal(p->tx_desc, 1024);
	assert_int_equal(p->n_addrs, 2);
	assert_prefix(&p->addrs[0], "10.77.1.1", 24);
	assert_prefix(&p->addrs[1], "fd00:77:1::1", 64);
	assert_int_equal(p->line, 1);
	p = &cfg->ports[1];
	assert_string_equal(p->name, "down-1");
	assert_string_equal(p->device, "0000:03:02.1,rxq_cqe_comp_en=1");
	assert_int_equal(p->mtu, 9000);
	assert_false(p->rss);
	assert_false(p->hw_cksum);
	assert_int_equal(p->rx_desc, 512);
	assert_int_equal(p->tx_desc, 2048);
	assert_int_equal(p->n_addrs, 1);
	assert_prefix(&p->addrs[0], "192.168.9.1", 30);
	assert_int_equal(p->line, 3);

	assert_int_equal(cfg->n_routes, 3);
	assert_prefix(&cfg->routes[0].prefix, "0.0.0.0", 0);
	assert_ip(&cfg->routes[0].via, "10.77.1.254");
	assert_string_equal(cfg->routes[0].port, "");
	assert_int_equal(cfg->routes[0].line, 6);
	assert_prefix(&cfg->routes[1].prefix, "fd00:99::", 48);
	assert_ip(&cfg->routes[1].via, "fd00:77:1::fe");
	assert_int_equal(cfg->routes[1].via.family, AF_INET6);
	assert_prefix(&cfg->routes[2].prefix, "172.16.0.0", 12);
	assert_string_equal(cfg->routes[2].port, "down-1");

	assert_int_equal(cfg->n_vips, 3);
	assert_ip(&cfg->vips[0], "10.77.1.10");
	assert_ip(&cfg->vips[1], "10.77.1.11");
	assert_ip(&cfg->vips[2], "fd00:77:1::10");

	assert_string_equal(cfg->workers.lcores, "1-3,5");
	assert_int_equal(cfg->workers.n_workers, 4);
	assert_int_equal(cfg->workers.lcore_ids[0], 1);
	assert_int_equal(cfg->workers.lcore_ids[1], 2);
	assert_int_equal(cfg->workers.lcore_ids[2], 3);
	assert_int_equal(cfg->workers.lcore_ids[3], 5);
	assert_int_equal(cfg->workers.main_lcore, 0);
	assert_int_equal(cfg->workers.idle_sleep_us, 50);
	assert_int_equal(cfg->workers.mbufs, 16383);

	assert_string_equal(cfg->gateway.source, "kubernetes");
	assert_string_equal(cfg->gateway.manifests, "/srv/m");
	assert_string_equal(cfg->gateway.controller_name, "example.com/gw");
	assert_string_equal(cfg->admin.socket, "/tmp/dpgw.sock");
	assert_int_equal(cfg->neigh.reachable_s, 10);
	assert_int_equal(cfg->neigh.stale_gc_s, 60);
	assert_int_equal(cfg->neigh.resolve_ms, 500);
	assert_string_equal(cfg->drivers_config, GW_SOURCE_DRIVERS_CONFIG_DIR);
	free(cfg);
}

/* The example in control/config.h, word for word. */
static void
test_header_example(void **state)
{
	static const char text[] =
		"ports = ( { name = \"uplink\"; device = \"net_af_xdp0,iface=veth-gw0\";\n"
		"            addresses = [ \"10.77.1.1/24\", \"fd00:77:1::1/64\" ]; } );\n"
		"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.77.1.254\"; } );\n"
		"vips = [ \"10.77.1.10\", \"10.77.1.11\" ];\n"
		"snat = [ \"10.77.2.100\" ];\n"
		"l4 = { max_flows = 65536; snat_ports = \"1024-65535\"; udp_timeout_s = 60; };\n"
		"workers = { lcores = \"1\"; idle_sleep_us = 50; };\n"
		"gateway = { source = \"files\"; manifests = \"/etc/dpgw/manifests\";\n"
		"            controller_name = \"dpgw.io/gateway-controller\"; };\n"
		"admin = { socket = \"/run/dpgw/admin.sock\"; };\n";
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];

	(void)state;
	assert_int_equal(gw_config_load_string(text, "dpgw.conf", cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->n_ports, 1);
	assert_int_equal(cfg->n_routes, 1);
	assert_int_equal(cfg->n_vips, 2);
	assert_int_equal(cfg->n_snat, 1);
	assert_int_equal(cfg->l4.max_flows, 65536);
	assert_int_equal(cfg->workers.n_workers, 1);
	free(cfg);
}

static void
test_defaults(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];

	(void)state;
	assert_int_equal(gw_config_load_string(PORT_A, "min.conf", cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->n_ports, 1);
	assert_int_equal(cfg->n_routes, 0);
	assert_int_equal(cfg->n_vips, 0);
	assert_string_equal(cfg->workers.lcores, "1");
	assert_int_equal(cfg->workers.n_workers, 1);
	assert_int_equal(cfg->workers.lcore_ids[0], 1);
	assert_int_equal(cfg->workers.main_lcore, 0);
	assert_int_equal(cfg->workers.idle_sleep_us, 0);
	assert_int_equal(cfg->workers.mbufs, 8191);
	assert_string_equal(cfg->gateway.source, "files");
	assert_string_equal(cfg->gateway.manifests, "/etc/dpgw/manifests");
	assert_string_equal(cfg->gateway.controller_name, "dpgw.io/gateway-controller");
	assert_string_equal(cfg->admin.socket, GW_DEFAULT_ADMIN_SOCKET);
	assert_int_equal(cfg->neigh.reachable_s, 30);
	assert_int_equal(cfg->neigh.stale_gc_s, 300);
	assert_int_equal(cfg->neigh.resolve_ms, 1000);
	assert_true(strcmp(cfg->drivers_config, GW_DRIVERS_CONFIG_DIR) == 0 ||
		strcmp(cfg->drivers_config, GW_SOURCE_DRIVERS_CONFIG_DIR) == 0);
	assert_true(cfg->ports[0].rss);
	assert_true(cfg->ports[0].hw_cksum);
	assert_int_equal(cfg->ports[0].rx_desc, 1024);
	assert_int_equal(cfg->ports[0].tx_desc, 1024);
	assert_int_equal(cfg->ports[0].mtu, 0);
	assert_int_equal(cfg->n_snat, 0);
	assert_int_equal(cfg->l4.max_flows, 65536);
	assert_int_equal(cfg->l4.snat_port_lo, 1024);
	assert_int_equal(cfg->l4.snat_port_hi, 65535);
	assert_int_equal(cfg->l4.timeout_s[0], 10);   /* tcp_syn */
	assert_int_equal(cfg->l4.timeout_s[1], 900);  /* tcp_established */
	assert_int_equal(cfg->l4.timeout_s[2], 60);   /* tcp_closing */
	assert_int_equal(cfg->l4.timeout_s[3], 10);   /* tcp_time_wait */
	assert_int_equal(cfg->l4.timeout_s[4], 60);   /* udp */
	free(cfg);
}

/* tcp = { ... }: every key, and the defaults. */
static void
test_tcp_config(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];
	int rc;

	(void)state;
	assert_int_equal(load(PORT_A, cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->tcp.max_conns, 65536);
	assert_int_equal(cfg->tcp.rcv_buf, 262144);
	assert_string_equal(cfg->tcp.cc, "cubic");
	assert_true(cfg->tcp.syncookies && cfg->tcp.sack && cfg->tcp.timestamps &&
		cfg->tcp.window_scaling);
	assert_int_equal(cfg->tcp.time_wait_s, 60);
	assert_int_equal(cfg->tcp.keepalive_idle_s, 7200);
	assert_int_equal(cfg->tcp.port_lo, 32768);
	assert_int_equal(cfg->tcp.port_hi, 60999);
	rc = load(PORT_A "tcp = { max_conns = 1000; rcv_buf = 65536; snd_buf = 1048576;\n"
		"  cc = \"newreno\"; init_cwnd = 4; rto_min_ms = 1000; delack_ms = 200;\n"
		"  syn_backlog = 128; syncookies = false; sack = false; timestamps = false;\n"
		"  window_scaling = false; time_wait_s = 30; fin_wait2_s = 10;\n"
		"  keepalive_idle_s = 60; keepalive_intvl_s = 5; keepalive_probes = 3;\n"
		"  ports = \"40000-40999\"; };\n", cfg, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->tcp.max_conns, 1000);
	assert_int_equal(cfg->tcp.rcv_buf, 65536);
	assert_int_equal(cfg->tcp.snd_buf, 1048576);
	assert_string_equal(cfg->tcp.cc, "newreno");
	assert_int_equal(cfg->tcp.init_cwnd, 4);
	assert_int_equal(cfg->tcp.rto_min_ms, 1000);
	assert_int_equal(cfg->tcp.delack_ms, 200);
	assert_int_equal(cfg->tcp.syn_backlog, 128);
	assert_false(cfg->tcp.syncookies || cfg->tcp.sack || cfg->tcp.timestamps ||
		cfg->tcp.window_scaling);
	assert_int_equal(cfg->tcp.time_wait_s, 30);
	assert_int_equal(cfg->tcp.fin_wait2_s, 10);
	assert_int_equal(cfg->tcp.keepalive_idle_s, 60);
	assert_int_equal(cfg->tcp.keepalive_intvl_s, 5);
	assert_int_equal(cfg->tcp.keepalive_probes, 3);
	assert_int_equal(cfg->tcp.port_lo, 40000);
	assert_int_equal(cfg->tcp.port_hi, 40999);
	free(cfg);
}

/* snat = [ ... ] and every l4 key. */
static void
test_l4_config(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN], text[4096];
	size_t off;
	int rc;

	(void)state;
	rc = load(PORT_A "vips = [ \"10.0.0.10\" ];\n"
		"snat = [ \"10.0.0.100\", \"fd00:1::100\", \"10.9.9.9\" ];\n"
		"workers = { lcores = \"1-2\"; };\n"
		"l4 = { max_flows = 1000; snat_ports = \"2000-2001\"; tcp_syn_timeout_s = 5;\n"
		"  tcp_established_timeout_s = 3600; tcp_closing_timeout_s = 30;\n"
		"  tcp_time_wait_timeout_s = 2; udp_timeout_s = 86400; };\n", cfg, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_snat, 3);
	assert_ip(&cfg->snat[0], "10.0.0.100");
	assert_int_equal(cfg->snat[0].family, AF_INET);
	assert_ip(&cfg->snat[1], "fd00:1::100");
	assert_int_equal(cfg->snat[1].family, AF_INET6);
	assert_ip(&cfg->snat[2], "10.9.9.9");
	assert_int_equal(cfg->l4.max_flows, 1000);
	assert_int_equal(cfg->l4.snat_port_lo, 2000);
	assert_int_equal(cfg->l4.snat_port_hi, 2001);
	assert_int_equal(cfg->l4.timeout_s[0], 5);
	assert_int_equal(cfg->l4.timeout_s[1], 3600);
	assert_int_equal(cfg->l4.timeout_s[2], 30);
	assert_int_equal(cfg->l4.timeout_s[3], 2);
	assert_int_equal(cfg->l4.timeout_s[4], 86400);

	/* Bounds: one port for one worker, the whole range, the extreme sizes. */
	assert_int_equal(load(PORT_A "l4 = { snat_ports = \"65535-65535\"; max_flows = 64; };\n",
		cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->l4.snat_port_lo, 65535);
	assert_int_equal(cfg->l4.snat_port_hi, 65535);
	assert_int_equal(cfg->l4.max_flows, 64);
	assert_int_equal(load(PORT_A "l4 = { snat_ports = \"1-65535\"; max_flows = 16777216; };\n",
		cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->l4.snat_port_lo, 1);
	assert_int_equal(cfg->l4.max_flows, 16777216);
	/* As many ports as workers is enough. */
	assert_int_equal(load(PORT_A "workers = { lcores = \"1-4\"; };\n"
		"l4 = { snat_ports = \"5000-5003\"; };\n", cfg, err, sizeof(err)), 0);
	/* An empty group keeps every default. */
	assert_int_equal(load(PORT_A "l4 = { };\nsnat = [ ];\n", cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->n_snat, 0);
	assert_int_equal(cfg->l4.snat_port_lo, 1024);
	assert_int_equal(cfg->l4.timeout_s[1], 900);

	/* 16 addresses of each family fit. */
	off = (size_t)snprintf(text, sizeof(text), "%ssnat = [ ", PORT_A);
	for (int i = 0; i < GW_CFG_MAX_SNAT; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
			"\"10.1.0.%d\", \"fd00:1::%d\", ", i + 1, i + 1);
	snprintf(text + off - 2, sizeof(text) - off + 2, " ];\n");
	rc = load(text, cfg, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_snat, 2 * GW_CFG_MAX_SNAT);
	assert_ip(&cfg->snat[31], "fd00:1::16");
	free(cfg);
}

/* 17 IPv4 SNAT addresses: one too many. */
static void
test_snat_too_many(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN], text[2048];
	size_t off;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "%ssnat = [ \"fd00::5\",\n", PORT_A);
	for (int i = 0; i <= GW_CFG_MAX_SNAT; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "\"10.1.0.%d\"%s", i + 1,
			i == GW_CFG_MAX_SNAT ? " ];\n" : ", ");
	assert_int_equal(load(text, cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:3: snat.[17]: too many IPv4 SNAT addresses "
		"(at most 16 per family)");
	free(cfg);
}

static void
test_example_file(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];
	const struct gw_cfg_port *p = &cfg->ports[0];
	int rc;

	(void)state;
	rc = gw_config_load(SRC_DIR "/examples/dpgw.conf", cfg, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_ports, 1);
	assert_string_equal(p->name, "uplink");
	assert_string_equal(p->profile, "af_packet");
	assert_string_equal(p->iface, "veth-gw0");
	assert_string_equal(p->device, "net_af_packet0,iface=veth-gw0,qpairs=1");
	assert_false(p->rss); /* the af_packet profile's default */
	assert_int_equal(p->n_addrs, 2);
	assert_prefix(&p->addrs[0], "10.77.1.1", 24);
	assert_prefix(&p->addrs[1], "fd00:77:1::1", 64);
	assert_int_equal(cfg->n_routes, 1);
	assert_prefix(&cfg->routes[0].prefix, "0.0.0.0", 0);
	assert_ip(&cfg->routes[0].via, "10.77.1.254");
	assert_int_equal(cfg->n_vips, 2);
	assert_ip(&cfg->vips[0], "10.77.1.10");
	assert_ip(&cfg->vips[1], "10.77.1.11");
	assert_string_equal(cfg->workers.lcores, "1");
	assert_int_equal(cfg->workers.idle_sleep_us, 50);
	assert_string_equal(cfg->admin.socket, "/run/dpgw/admin.sock");
	free(cfg);
}

static void
test_missing_file(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];

	(void)state;
	assert_int_equal(gw_config_load("/nonexistent/dpgw.conf", cfg, err, sizeof(err)),
		-ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dpgw.conf"));
	assert_non_null(strstr(err, "No such file"));
	free(cfg);
}

/* ------------------------------------------------------------------ */
/* Profiles */

struct profile_case {
	const char *port;   /* port keys after name/addresses */
	const char *lcores;
	const char *device; /* expected */
};

static void
test_profiles(void **state)
{
	static const struct profile_case cases[] = {
		{"profile = \"af_packet\"; iface = \"veth0\";", "1-2",
			"net_af_packet0,iface=veth0,qpairs=2"},
		{"profile = \"af_xdp\"; iface = \"ens1f0\";", "2-5",
			"net_af_xdp0,iface=ens1f0,start_queue=0,queue_count=4"},
		{"profile = \"tap\"; iface = \"dtap0\";", "1", "net_tap0,iface=dtap0"},
		{"profile = \"memif\"; iface = \"gen0\";", "1,3",
			"net_memif0,role=client,socket=/run/dpgw/memif-gen0.sock,"
			"socket-abstract=no,id=0"},
		{"profile = \"pcap\"; iface = \"eth1\";", "1", "net_pcap0,iface=eth1,phy_mac=1"},
		{"profile = \"null\";", "1", "net_null0,no-rx=1"},
		{"profile = \"iavf\"; pci = \"0000:03:02.1\";", "1-4", "0000:03:02.1"},
		{"profile = \"mlx5\"; pci = \"0000:5e:00.2\";", "1", "0000:5e:00.2,class=eth"},
	};
	struct gw_config *cfg = cfg_new();
	char text[1024], err[GW_CFG_ERR_LEN];
	unsigned int i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			"ports = ( { name = \"p\"; addresses = [ \"10.0.0.1/24\" ]; %s } );\n"
			"workers = { lcores = \"%s\"; };\n", cases[i].port, cases[i].lcores);
		rc = load(text, cfg, err, sizeof(err));
		if (rc != 0)
			print_error("case %u: %s\n", i, err);
		assert_int_equal(rc, 0);
		assert_string_equal(cfg->ports[0].device, cases[i].device);
	}

	/* {index} is the port's position. */
	rc = load("ports = ( { name = \"a\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; },\n"
		"  { name = \"b\"; profile = \"af_packet\"; iface = \"veth1\";\n"
		"    addresses = [ \"10.0.1.1/24\" ]; } );\n", cfg, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(cfg->ports[1].device, "net_af_packet1,iface=veth1,qpairs=1");
	assert_string_equal(cfg->ports[1].profile, "af_packet");
	assert_string_equal(cfg->ports[1].iface, "veth1");
	free(cfg);
}

static char tmpdir[256];

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
tmp_setup(void **state)
{
	char dir[300];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/profiles", tmpdir);
	if (mkdir(dir, 0700) != 0)
		return -1;
	write_file(dir, "big.conf",
		"description = \"test\";\n"
		"devargs = \"net_tap{index},iface={iface}\";\n"
		"mtu = 9000; rss = false; hw_cksum = false;\n"
		"rx_desc = 512; tx_desc = 256;\n");
	write_file(dir, "badkey.conf",
		"description = \"test\";\n"
		"devargs = \"net_null{index}\";\n"
		"colour = \"blue\";\n");
	write_file(dir, "badph.conf",
		"description = \"test\";\n"
		"\n"
		"devargs = \"net_null{index},x={bogus}\";\n");
	write_file(dir, "syntax.conf",
		"description = \"test\";\n"
		"devargs = \"net_null{index}\";\n"
		"mtu = = 1500;\n");
	write_file(dir, "nodev.conf", "description = \"test\";\n");
	write_file(dir, "baddev.conf",
		"description = \"test\";\n"
		"devargs = \"tap{index}\";\n");
	return 0;
}

static int
tmp_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
load_tmp(const char *port, struct gw_config *cfg, char *err, size_t errlen)
{
	char text[1024];

	snprintf(text, sizeof(text),
		"ports = ( { name = \"p\"; addresses = [ \"10.0.0.1/24\" ];\n"
		"  %s } );\n"
		"drivers_config = \"%s/profiles\";\n", port, tmpdir);
	return gw_config_load_string(text, "t.conf", cfg, err, errlen);
}

static void
assert_err_prefix(const char *err, const char *prefix)
{
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
}

static void
test_profile_defaults(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];
	const struct gw_cfg_port *p = &cfg->ports[0];

	(void)state;
	assert_int_equal(load_tmp("profile = \"big\"; iface = \"t0\";", cfg, err, sizeof(err)), 0);
	assert_string_equal(p->device, "net_tap0,iface=t0");
	assert_int_equal(p->mtu, 9000);
	assert_false(p->rss);
	assert_false(p->hw_cksum);
	assert_int_equal(p->rx_desc, 512);
	assert_int_equal(p->tx_desc, 256);

	/* Port keys win over the profile's. */
	assert_int_equal(load_tmp("profile = \"big\"; iface = \"t0\"; mtu = 1500; rss = true;"
		" rx_desc = 2048;", cfg, err, sizeof(err)), 0);
	assert_int_equal(p->mtu, 1500);
	assert_true(p->rss);
	assert_false(p->hw_cksum);
	assert_int_equal(p->rx_desc, 2048);
	assert_int_equal(p->tx_desc, 256);
	free(cfg);
}

static void
test_profile_errors(void **state)
{
	static const struct {
		const char *port;
		const char *prefix; /* with %s for the profiles directory */
		const char *contains;
	} cases[] = {
		{"profile = \"badkey\";", "%s/profiles/badkey.conf:3: colour: unknown key",
			"(profile \"badkey\" of ports.[0])"},
		{"profile = \"badph\";", "%s/profiles/badph.conf:3: devargs: unknown placeholder",
			"{bogus}"},
		{"profile = \"syntax\";", "%s/profiles/syntax.conf:3: syntax error", "syntax"},
		{"profile = \"nodev\";", "%s/profiles/nodev.conf:1: devargs: required key",
			"missing"},
		{"profile = \"baddev\";", "t.conf:2: ports.[0].profile: profile \"baddev\" gives "
			"a bad device string \"tap0\"", "baddev.conf:2"},
		{"profile = \"nosuch\";", "t.conf:2: ports.[0].profile: unknown profile \"nosuch\"",
			"/profiles/nosuch.conf"},
		{"profile = \"../profiles/big\"; iface = \"t0\";",
			"t.conf:2: ports.[0].profile: bad profile name", ""},
	};
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN], prefix[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_tmp(cases[i].port, cfg, err, sizeof(err)), -EINVAL);
		if (getenv("GW_TEST_VERBOSE") != NULL)
			print_message("%s\n", err);
		snprintf(prefix, sizeof(prefix), cases[i].prefix, tmpdir);
		assert_err_prefix(err, prefix);
		if (strstr(err, cases[i].contains) == NULL)
			fail_msg("case %u: \"%s\" lacks \"%s\"", i, err, cases[i].contains);
	}
	free(cfg);
}

/* drivers_config relative to the configuration file's directory. */
static void
test_relative_drivers_config(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN], path[300], want[600];

	(void)state;
	write_file(tmpdir, "rel.conf",
		"ports = ( { name = \"p\"; profile = \"big\"; iface = \"t0\";\n"
		"            addresses = [ \"10.0.0.1/24\" ]; } );\n"
		"drivers_config = \"profiles\";\n");
	snprintf(path, sizeof(path), "%s/rel.conf", tmpdir);
	assert_int_equal(gw_config_load(path, cfg, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/profiles", tmpdir);
	assert_string_equal(cfg->drivers_config, want);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->ports[0].mtu, 9000);

	/* Errors in a file name the file as given. */
	write_file(tmpdir, "bad.conf", PORT_A "\nworkers = { lcores = \"0-\"; };\n");
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	assert_int_equal(gw_config_load(path, cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: workers.lcores: bad lcore list \"0-\"", path);
	assert_err_prefix(err, want);

	/* @include works relative to the file, and errors name the included file. */
	write_file(tmpdir, "ports.inc",
		"ports = ( { name = \"a\"; device = \"net_null0\";\n"
		"            addresses = [ \"10.0.0.300/24\" ]; } );\n");
	write_file(tmpdir, "inc.conf", "# main\n@include \"ports.inc\"\n");
	snprintf(path, sizeof(path), "%s/inc.conf", tmpdir);
	assert_int_equal(gw_config_load(path, cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/ports.inc:2: ports.[0].addresses.[0]: bad address", tmpdir);
	assert_err_prefix(err, want);

	/* A directory is not a configuration file. */
	assert_int_equal(gw_config_load(tmpdir, cfg, err, sizeof(err)), -EISDIR);
	free(cfg);
}

/* ------------------------------------------------------------------ */
/* Bad configurations: each names file, line and key. */

struct bad_case {
	const char *text;
	const char *prefix;
	const char *contains;
};

#define P1 "ports = ( { name = \"a\"; device = \"net_null0\";\n" /* line 1 */

static const struct bad_case bad_cases[] = {
	/* syntax */
	{"ports = (\n  { name = = \"a\"; }\n);\n", "t.conf:2: syntax error", ""},
	{"ports = (\n  { name = \"a\"; }\n", "t.conf:3: syntax error", ""}, /* EOF in a list */
	{"ports = ( );\nports = ( );\n", "t.conf:2: syntax error", "duplicate"},
	/* structure and unknown keys */
	{"", "t.conf:1: ports: required key is missing", ""},
	{PORT_A "bogus = 1;\n", "t.conf:2: bogus: unknown key", "known keys here: ports"},
	{PORT_A "workers = { lcores = \"1\"; cpus = 3; };\n", "t.conf:2: workers.cpus: unknown key",
		"lcores, idle_sleep_us, mbufs"},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  speed = 10; } );\n",
		"t.conf:3: ports.[0].speed: unknown key", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ]; queues = 2; } );\n",
		"t.conf:2: ports.[0].queues: unknown key", "workers.lcores"},
	{PORT_A "neigh = { reachable_s = 30; gc = 1; };\n", "t.conf:2: neigh.gc: unknown key", ""},
	{PORT_A "routes = ( { prefix = \"10.1.0.0/16\"; via = \"10.0.0.2\"; metric = 1; } );\n",
		"t.conf:2: routes.[0].metric: unknown key", ""},
	/* wrong types */
	{"ports = { name = \"a\"; };\n", "t.conf:1: ports: expected a list", "got a group"},
	{"ports = ( \"a\" );\n", "t.conf:1: ports.[0]: expected a group", "got a string"},
	{"ports = ( { name = 5; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].name: expected a string", "got an integer"},
	{P1 "  addresses = \"10.0.0.1/24\"; } );\n",
		"t.conf:2: ports.[0].addresses: expected an array of strings", "got a string"},
	{P1 "  addresses = [ 10, 11 ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: expected a string", "got an integer"},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  mtu = \"1500\"; } );\n",
		"t.conf:3: ports.[0].mtu: expected an integer", "got a string"},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  mtu = 1500.0; } );\n",
		"t.conf:3: ports.[0].mtu: expected an integer", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  rss = 1; } );\n",
		"t.conf:3: ports.[0].rss: expected true or false", ""},
	{PORT_A "workers = 4;\n", "t.conf:2: workers: expected a group", ""},
	{PORT_A "workers = { lcores = 3; };\n", "t.conf:2: workers.lcores: expected a string", ""},
	{PORT_A "vips = \"10.0.0.10\";\n", "t.conf:2: vips: expected an array of strings", ""},
	{PORT_A "vips = [ 1, 2 ];\n", "t.conf:2: vips.[0]: expected a string", ""},
	{PORT_A "routes = { prefix = \"10.1.0.0/16\"; via = \"10.0.0.2\"; };\n",
		"t.conf:2: routes: expected a list", ""},
	{PORT_A "gateway = { source = true; };\n", "t.conf:2: gateway.source: expected a string",
		""},
	{PORT_A "drivers_config = 1;\n", "t.conf:2: drivers_config: expected a string", ""},
	/* ports */
	{"ports = ( );\n", "t.conf:1: ports: needs at least one port", ""},
	{"ports = ( {\n  device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].name: required key is missing", ""},
	{"ports = ( { name = \"a b\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].name: bad port name \"a b\"", ""},
	{"ports = ( { name = \"\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].name: must not be empty", ""},
	{PORT_A "ports = ( );\n", "t.conf:2: syntax error", ""},
	{"ports = (\n { name = \"a\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; },\n"
		" { name = \"a\"; device = \"net_null1\"; addresses = [ \"10.0.1.1/24\" ]; } );\n",
		"t.conf:3: ports.[1].name: duplicate port name \"a\"", "line 2"},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  profile = \"af_packet\"; iface = \"v0\"; } );\n",
		"t.conf:3: ports.[0].profile: give either device or profile, not both", ""},
	{"ports = ( { name = \"a\";\n  addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0]: needs a device", ""},
	{"ports = ( { name = \"a\"; device = \"eth0\";\n  addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device \"eth0\"", "PCI address"},
	{"ports = ( { name = \"a\"; device = \"0000:03:02.9\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device", ""},
	{"ports = ( { name = \"a\"; device = \"0000:03:20.1\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device", ""},
	{"ports = ( { name = \"a\"; device = \"net_\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device", ""},
	{"ports = ( { name = \"a\"; device = \"net_tap0,,x=1\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device", ""},
	{"ports = ( { name = \"a\"; device = \"net_tap0,iface=a b\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].device: bad device", ""},
	{"ports = (\n { name = \"a\"; device = \"net_tap0,iface=x\"; addresses = [ \"10.0.0.1/24\" ]; },\n"
		" { name = \"b\"; device = \"net_tap0,iface=y\"; addresses = [ \"10.0.1.1/24\" ]; } );\n",
		"t.conf:3: ports.[1].device: device net_tap0 is already used by ports.[0]", ""},
	{"ports = (\n { name = \"a\"; profile = \"null\"; addresses = [ \"10.0.0.1/24\" ]; },\n"
		" { name = \"b\"; device = \"net_null0\"; addresses = [ \"10.0.1.1/24\" ]; } );\n",
		"t.conf:3: ports.[1].device: device net_null0 is already used by ports.[0]", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  iface = \"veth0\"; } );\n",
		"t.conf:3: ports.[0].iface: only used with a profile", ""},
	{"ports = ( { name = \"a\"; profile = \"nosuch\";\n  addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].profile: unknown profile \"nosuch\"",
		GW_SOURCE_DRIVERS_CONFIG_DIR "/nosuch.conf"},
	{"ports = ( { name = \"a\"; profile = \"af_packet\";\n  addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].iface: required by profile \"af_packet\"", ""},
	{"ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  pci = \"0000:03:02.1\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:2: ports.[0].pci: profile \"af_packet\" does not use pci", ""},
	{"ports = ( { name = \"a\"; profile = \"af_packet\";\n"
		"  iface = \"veth0,qpairs=9\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:2: ports.[0].iface: bad interface name", ""},
	{"ports = ( { name = \"a\"; profile = \"af_packet\";\n"
		"  iface = \"a-very-long-ifname\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:2: ports.[0].iface: bad interface name", ""},
	{"ports = ( { name = \"a\"; profile = \"iavf\";\n"
		"  pci = \"03:02\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:2: ports.[0].pci: bad PCI address \"03:02\"", ""},
	{"ports = ( { name = \"a\"; profile = \"iavf\";\n"
		"  iface = \"ens1\"; addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:2: ports.[0].iface: profile \"iavf\" does not use iface", ""},
	{"ports = ( { name = \"a\"; profile = \"iavf\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\n",
		"t.conf:1: ports.[0].pci: required by profile \"iavf\"", ""},
	{"ports = ( { name = \"a\"; profile = \"pcap\"; iface = \"eth0\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\nworkers = { lcores = \"1-2\"; };\n",
		"t.conf:1: ports.[0].profile: profile \"pcap\" supports at most 1 queue(s)", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  mtu = 9601; } );\n",
		"t.conf:3: ports.[0].mtu: 9601 is out of range (68..9600)", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  mtu = 67; } );\n",
		"t.conf:3: ports.[0].mtu: 67 is out of range", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\", \"fd00::1/64\" ];\n  mtu = 1000; } );\n",
		"t.conf:3: ports.[0].mtu: 1000 is below IPv6's minimum MTU 1280", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  rx_desc = 1000; } );\n",
		"t.conf:3: ports.[0].rx_desc: 1000 is not a power of two in 64..4096", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  tx_desc = 8192; } );\n",
		"t.conf:3: ports.[0].tx_desc: 8192 is not a power of two", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\" ];\n  rx_desc = 32; } );\n",
		"t.conf:3: ports.[0].rx_desc: 32 is not a power of two", ""},
	{"ports = ( { name = \"p0\"; device = \"net_null0\"; addresses = [ \"10.0.0.1/24\" ]; },\n"
		"{ name = \"p1\"; device = \"net_null1\"; addresses = [ \"10.0.1.1/24\" ]; },\n"
		"{ name = \"p2\"; device = \"net_null2\"; addresses = [ \"10.0.2.1/24\" ]; },\n"
		"{ name = \"p3\"; device = \"net_null3\"; addresses = [ \"10.0.3.1/24\" ]; },\n"
		"{ name = \"p4\"; device = \"net_null4\"; addresses = [ \"10.0.4.1/24\" ]; },\n"
		"{ name = \"p5\"; device = \"net_null5\"; addresses = [ \"10.0.5.1/24\" ]; },\n"
		"{ name = \"p6\"; device = \"net_null6\"; addresses = [ \"10.0.6.1/24\" ]; },\n"
		"{ name = \"p7\"; device = \"net_null7\"; addresses = [ \"10.0.7.1/24\" ]; },\n"
		"{ name = \"p8\"; device = \"net_null8\"; addresses = [ \"10.0.8.1/24\" ]; } );\n",
		"t.conf:1: ports: too many ports (at most 8)", ""},
	/* addresses */
	{"ports = ( { name = \"a\"; device = \"net_null0\"; } );\n",
		"t.conf:1: ports.[0].addresses: required key is missing", ""},
	{P1 "  addresses = [ ]; } );\n", "t.conf:2: ports.[0].addresses: needs at least one", ""},
	{"ports = (\n  { name = \"uplink\"; device = \"net_af_xdp0,iface=veth-gw0\";\n"
		"    addresses = [ \"10.1.1.1/24\",\n"
		"                  \"10.1.1.300/24\" ]; }\n);\n",
		"t.conf:4: ports.[0].addresses.[1]: bad address \"10.1.1.300/24\" "
		"(expected IPv4 or IPv6 prefix like 10.0.0.1/24)", ""},
	{P1 "  addresses = [ \"1.2.3/24\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad address \"1.2.3/24\"", ""},
	{P1 "  addresses = [ \"fd00::1::2/64\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad address", ""},
	{P1 "  addresses = [ \"10.0.0.1/33\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad prefix length in \"10.0.0.1/33\" (0..32 for IPv4)",
		""},
	{P1 "  addresses = [ \"fd00::1/129\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad prefix length in \"fd00::1/129\" (0..128 for IPv6)",
		""},
	{P1 "  addresses = [ \"10.0.0.1/\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad prefix length", ""},
	{P1 "  addresses = [ \"10.0.0.1/x\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: bad prefix length", ""},
	{P1 "  addresses = [ \"10.0.0.1\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: \"10.0.0.1\" needs a prefix length", ""},
	{P1 "  addresses = [ \"10.0.0.0/24\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: \"10.0.0.0/24\" is a network address", ""},
	{P1 "  addresses = [ \"10.0.0.255/24\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: \"10.0.0.255/24\" is the subnet's broadcast", ""},
	{P1 "  addresses = [ \"224.0.0.1/4\" ]; } );\n",
		"t.conf:2: ports.[0].addresses.[0]: \"224.0.0.1/4\" is not a usable unicast", ""},
	{P1 "  addresses = [ \"10.0.0.1/24\",\n \"10.0.0.1/16\" ]; } );\n",
		"t.conf:3: ports.[0].addresses.[1]: duplicate address 10.0.0.1", ""},
	{"ports = (\n { name = \"a\"; device = \"net_null0\"; addresses = [ \"fd00::1/64\" ]; },\n"
		" { name = \"b\"; device = \"net_null1\";\n addresses = [ \"FD00::1/120\" ]; } );\n",
		"t.conf:4: ports.[1].addresses.[0]: duplicate address fd00::1 (already "
		"ports.[0].addresses.[0], port \"a\")", ""},
	/* workers */
	{PORT_A "workers = { lcores = \"1-\"; };\n", "t.conf:2: workers.lcores: bad lcore list \"1-\"",
		""},
	{PORT_A "workers = { lcores = \"\"; };\n", "t.conf:2: workers.lcores: must not be empty", ""},
	{PORT_A "workers = { lcores = \"a\"; };\n", "t.conf:2: workers.lcores: bad lcore list", ""},
	{PORT_A "workers = { lcores = \"1 ,2\"; };\n", "t.conf:2: workers.lcores: bad lcore list", ""},
	{PORT_A "workers = { lcores = \"3-1\"; };\n", "t.conf:2: workers.lcores: bad lcore list",
		"low-high"},
	{PORT_A "workers = { lcores = \"128\"; };\n", "t.conf:2: workers.lcores: bad lcore list",
		"0..127"},
	{PORT_A "workers = { lcores = \"1-3,2\"; };\n", "t.conf:2: workers.lcores: bad lcore list",
		"twice"},
	{PORT_A "workers = { lcores = \"0-64\"; };\n", "t.conf:2: workers.lcores: bad lcore list",
		"at most 64"},
	{PORT_A "workers = {\n idle_sleep_us = -1; };\n",
		"t.conf:3: workers.idle_sleep_us: -1 is out of range", ""},
	{PORT_A "workers = { mbufs = 100; };\n", "t.conf:2: workers.mbufs: 100 is out of range", ""},
	/* routes */
	{PORT_A "routes = ( { via = \"10.0.0.2\"; } );\n",
		"t.conf:2: routes.[0].prefix: required key is missing", ""},
	{PORT_A "routes = ( { prefix = \"10.1.0.0/16\"; } );\n",
		"t.conf:2: routes.[0].via: required key is missing", ""},
	{PORT_A "routes = ( { prefix = \"10.1.2.3/16\"; via = \"10.0.0.2\"; } );\n",
		"t.conf:2: routes.[0].prefix: host bits set in \"10.1.2.3/16\" (did you mean 10.1.0.0/16?)",
		""},
	{PORT_A "routes = ( { prefix = \"10.1.0.0/40\"; via = \"10.0.0.2\"; } );\n",
		"t.conf:2: routes.[0].prefix: bad prefix length", ""},
	{PORT_A "routes = ( { prefix = \"default\"; via = \"10.0.0.2\"; } );\n",
		"t.conf:2: routes.[0].prefix: bad prefix \"default\"", ""},
	{PORT_A "routes = (\n { prefix = \"0.0.0.0/0\";\n via = \"10.9.9.9\"; } );\n",
		"t.conf:4: routes.[0].via: next hop 10.9.9.9 is not on any port's subnet", ""},
	{PORT_A "routes = ( { prefix = \"::/0\"; via = \"10.0.0.2\"; } );\n",
		"t.conf:2: routes.[0].via: next hop 10.0.0.2 is IPv4 but the prefix is IPv6", ""},
	{PORT_A "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.2/32\"; } );\n",
		"t.conf:2: routes.[0].via: bad next hop", ""},
	{PORT_A "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.1\"; } );\n",
		"t.conf:2: routes.[0].via: next hop 10.0.0.1 is our own address", ""},
	{PORT_A "routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.0.2\"; port = \"b\"; } );\n",
		"t.conf:2: routes.[0].port: no port named \"b\"", ""},
	{PORT_A "routes = ( { prefix = \"::/0\"; via = \"fe80::1\"; port = \"a\"; } );\n",
		"t.conf:2: routes.[0].port: port \"a\" has no IPv6 address", ""},
	{PORT_A "routes = ( { prefix = \"10.8.0.0/16\"; via = \"10.0.0.2\"; },\n"
		"{ prefix = \"10.8.0.0/16\"; via = \"10.0.0.3\"; } );\n",
		"t.conf:3: routes.[1].prefix: duplicate route for 10.8.0.0/16", "line 2"},
	/* vips */
	{PORT_A "vips = [ \"10.0.0.10\",\n \"10.0.0.10\" ];\n",
		"t.conf:3: vips.[1]: duplicate VIP 10.0.0.10", ""},
	{PORT_A "vips = [ \"fd00::10\", \"FD00:0::10\" ];\n", "t.conf:2: vips.[1]: duplicate VIP", ""},
	{PORT_A "vips = [ \"10.0.0.1\" ];\n",
		"t.conf:2: vips.[0]: VIP 10.0.0.1 is also an address of port \"a\"", ""},
	{PORT_A "vips = [ \"10.0.0.10/32\" ];\n", "t.conf:2: vips.[0]: bad VIP \"10.0.0.10/32\"", ""},
	{PORT_A "vips = [ \"0.0.0.0\" ];\n", "t.conf:2: vips.[0]: VIP 0.0.0.0 is not a usable", ""},
	/* snat */
	{PORT_A "snat = \"10.0.0.100\";\n", "t.conf:2: snat: expected an array of strings", ""},
	{PORT_A "snat = [ 1 ];\n", "t.conf:2: snat.[0]: expected a string", ""},
	{PORT_A "snat = [ \"10.0.0.100/32\" ];\n",
		"t.conf:2: snat.[0]: bad SNAT address \"10.0.0.100/32\" (expected an address like "
		"10.0.0.10 or fd00::10, no prefix length)", ""},
	{PORT_A "snat = [ \"10.0.0.300\" ];\n", "t.conf:2: snat.[0]: bad SNAT address", ""},
	{PORT_A "snat = [ \"224.0.0.5\" ];\n",
		"t.conf:2: snat.[0]: SNAT address 224.0.0.5 is not a usable unicast address", ""},
	{PORT_A "snat = [ \"::1\" ];\n",
		"t.conf:2: snat.[0]: SNAT address ::1 is not a usable unicast address", ""},
	{PORT_A "snat = [ \"10.0.0.100\",\n \"10.0.0.100\" ];\n",
		"t.conf:3: snat.[1]: duplicate SNAT address 10.0.0.100 (also snat.[0])", ""},
	{PORT_A "snat = [ \"fd00::100\", \"FD00:0::100\" ];\n",
		"t.conf:2: snat.[1]: duplicate SNAT address", "(also snat.[0])"},
	{PORT_A "snat = [ \"10.0.0.1\" ];\n",
		"t.conf:2: snat.[0]: SNAT address 10.0.0.1 is also an address of port \"a\" (a SNAT "
		"address must be an address of its own)", ""},
	{PORT_A "vips = [ \"10.0.0.10\", \"10.0.0.11\" ];\nsnat = [ \"10.0.0.11\" ];\n",
		"t.conf:3: snat.[0]: SNAT address 10.0.0.11 is also a VIP (vips.[1])", ""},
	/* l4 */
	{PORT_A "l4 = 5;\n", "t.conf:2: l4: expected a group", ""},
	{PORT_A "l4 = { flows = 1; };\n", "t.conf:2: l4.flows: unknown key",
		"max_flows, snat_ports, tcp_syn_timeout_s, tcp_established_timeout_s, "
		"tcp_closing_timeout_s, tcp_time_wait_timeout_s, udp_timeout_s"},
	{PORT_A "l4 = { max_flows = 63; };\n",
		"t.conf:2: l4.max_flows: 63 is out of range (64..16777216)", ""},
	{PORT_A "l4 = {\n max_flows = 16777217; };\n",
		"t.conf:3: l4.max_flows: 16777217 is out of range (64..16777216)", ""},
	{PORT_A "l4 = { max_flows = \"64k\"; };\n", "t.conf:2: l4.max_flows: expected an integer",
		""},
	{PORT_A "l4 = { tcp_syn_timeout_s = 0; };\n",
		"t.conf:2: l4.tcp_syn_timeout_s: 0 is out of range (1..86400)", ""},
	{PORT_A "l4 = { tcp_established_timeout_s = 86401; };\n",
		"t.conf:2: l4.tcp_established_timeout_s: 86401 is out of range (1..86400)", ""},
	{PORT_A "l4 = { tcp_closing_timeout_s = 0; };\n",
		"t.conf:2: l4.tcp_closing_timeout_s: 0 is out of range (1..86400)", ""},
	{PORT_A "l4 = { tcp_time_wait_timeout_s = -1; };\n",
		"t.conf:2: l4.tcp_time_wait_timeout_s: -1 is out of range (1..86400)", ""},
	{PORT_A "l4 = { udp_timeout_s = 100000; };\n",
		"t.conf:2: l4.udp_timeout_s: 100000 is out of range (1..86400)", ""},
	{PORT_A "l4 = { snat_ports = 1024; };\n", "t.conf:2: l4.snat_ports: expected a string",
		""},
	{PORT_A "l4 = { snat_ports = \"\"; };\n", "t.conf:2: l4.snat_ports: must not be empty",
		""},
	{PORT_A "l4 = {\n snat_ports = \"1024\"; };\n",
		"t.conf:3: l4.snat_ports: bad port range \"1024\" (expected \"LO-HI\" with "
		"1 <= LO <= HI <= 65535, like \"1024-65535\")", ""},
	{PORT_A "l4 = { snat_ports = \"0-100\"; };\n", "t.conf:2: l4.snat_ports: bad port range",
		""},
	{PORT_A "l4 = { snat_ports = \"2000-1999\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range \"2000-1999\"", ""},
	{PORT_A "l4 = { snat_ports = \"1024-65536\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range", ""},
	{PORT_A "l4 = { snat_ports = \" 1024-2000\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range", ""},
	{PORT_A "l4 = { snat_ports = \"1024-2000x\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range", ""},
	{PORT_A "l4 = { snat_ports = \"1024--2000\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range", ""},
	{PORT_A "l4 = { snat_ports = \"4294968320-2000\"; };\n",
		"t.conf:2: l4.snat_ports: bad port range", ""},
	{PORT_A "workers = { lcores = \"1-4\"; };\nl4 = { snat_ports = \"1000-1002\"; };\n",
		"t.conf:3: l4.snat_ports: range 1000-1002 holds 3 ports, fewer than the 4 workers", ""},
	/* tcp */
	{PORT_A "tcp = { cc = \"bbr\"; };\n",
		"t.conf:2: tcp.cc: unknown congestion control \"bbr\" (expected \"cubic\" or "
		"\"newreno\")", ""},
	{PORT_A "tcp = { sack = 1; };\n", "t.conf:2: tcp.sack: expected true or false", ""},
	{PORT_A "tcp = { rcv_buf = 1000; };\n",
		"t.conf:2: tcp.rcv_buf: 1000 is out of range (4096..67108864)", ""},
	{PORT_A "tcp = { delack_ms = 501; };\n",
		"t.conf:2: tcp.delack_ms: 501 is out of range (1..500)", ""},
	{PORT_A "tcp = { max_conns = 8; };\n",
		"t.conf:2: tcp.max_conns: 8 is out of range (16..16777216)", ""},
	{PORT_A "tcp = { ports = \"100\"; };\n", "t.conf:2: tcp.ports: bad port range", ""},
	{PORT_A "workers = { lcores = \"1-2\"; };\ntcp = { ports = \"1000-1100\"; };\n",
		"t.conf:3: tcp.ports: range 1000-1100 holds 101 ports, fewer than 64 per worker", ""},
	{PORT_A "tcp = { nagle = true; };\n", "t.conf:2: tcp.nagle: unknown key", ""},
	/* gateway, admin, neigh, drivers_config */
	{PORT_A "gateway = { source = \"k8s\"; };\n",
		"t.conf:2: gateway.source: unknown source \"k8s\"", ""},
	{PORT_A "gateway = { controller_name = \"gateway-controller\"; };\n",
		"t.conf:2: gateway.controller_name: bad controller name", ""},
	{PORT_A "admin = { socket = \"/run/dpgw/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"; };\n",
		"t.conf:2: admin.socket: too long for a unix socket path", ""},
	{PORT_A "neigh = { reachable_s = 0; };\n", "t.conf:2: neigh.reachable_s: 0 is out of range",
		""},
	{PORT_A "neigh = { resolve_ms = 100000; };\n",
		"t.conf:2: neigh.resolve_ms: 100000 is out of range", ""},
	{PORT_A "drivers_config = \"/nonexistent/profiles\";\n",
		"t.conf:2: drivers_config: no such directory", ""},
};

static void
test_bad_configs(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[GW_CFG_ERR_LEN];
	unsigned int i, failed = 0;
	const struct bad_case *c;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		c = &bad_cases[i];
		/* drivers_config last, so that it leaves line numbers alone. */
		rc = strstr(c->text, "drivers_config") != NULL ?
			gw_config_load_string(c->text, "t.conf", cfg, err, sizeof(err)) :
			load(c->text, cfg, err, sizeof(err));
		if (getenv("GW_TEST_VERBOSE") != NULL)
			print_message("%s\n", err);
		if (rc != -EINVAL || strncmp(err, c->prefix, strlen(c->prefix)) != 0 ||
				strstr(err, c->contains) == NULL) {
			print_error("case %u: rc %d\n  got:  %s\n  want: %s ... %s\n", i, rc, err,
				c->prefix, c->contains);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	free(cfg);
}

/* A short buffer gets a cut, terminated message; none gets nothing. */
static void
test_short_error_buffer(void **state)
{
	struct gw_config *cfg = cfg_new();
	char err[16];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(load(PORT_A "bogus = 1;\n", cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:2: bogus");
	assert_int_equal(load(PORT_A "bogus = 1;\n", cfg, NULL, 0), -EINVAL);
	assert_int_equal(gw_config_load_string("x = ", "t.conf", cfg, err, 4), -EINVAL);
	assert_string_equal(err, "t.c");
	free(cfg);
}

/* ------------------------------------------------------------------ */
/* Reload: which changes are boot-only */

static const char boot_base[] =
	"ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
	"            addresses = [ \"10.0.0.1/24\" ]; %s } );\n"
	"routes = ( { prefix = \"0.0.0.0/0\"; via = \"%s\"; } );\n"
	"vips = [ \"%s\" ];\n"
	"workers = { lcores = \"%s\"; idle_sleep_us = %d; };\n"
	"admin = { socket = \"%s\"; };\n";

static void
load_boot(struct gw_config *cfg, const char *port_extra, const char *via, const char *vip,
	const char *lcores, int idle, const char *sock)
{
	char text[1024], err[GW_CFG_ERR_LEN];
	int rc;

	snprintf(text, sizeof(text), boot_base, port_extra, via, vip, lcores, idle, sock);
	rc = load(text, cfg, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
}

static void
assert_diff(const struct gw_config *a, const struct gw_config *b, const char *want)
{
	char what[128];

	memset(what, 'x', sizeof(what));
	if (want == NULL) {
		assert_int_equal(gw_config_boot_diff(a, b, what, sizeof(what)), 0);
		assert_string_equal(what, "");
	} else {
		assert_int_equal(gw_config_boot_diff(a, b, what, sizeof(what)), 1);
		assert_string_equal(what, want);
	}
}

static void
test_boot_diff(void **state)
{
	struct gw_config *a = cfg_new(), *b = cfg_new();
	char err[GW_CFG_ERR_LEN];

	(void)state;
	load_boot(a, "", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	load_boot(b, "", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	assert_diff(a, b, NULL);

	/* Reloadable: routes, vips, idle_sleep_us, lcores written another way. */
	load_boot(b, "", "10.0.0.253", "10.0.0.11", "1,2", 100, "/run/a.sock");
	assert_diff(a, b, NULL);
	/* Reloadable: addresses and neigh. */
	assert_int_equal(load("ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  addresses = [ \"10.0.0.1/24\", \"10.0.5.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\n"
		"admin = { socket = \"/run/a.sock\"; };\n"
		"neigh = { reachable_s = 5; stale_gc_s = 50; resolve_ms = 200; };\n",
		b, err, sizeof(err)), 0);
	assert_diff(a, b, NULL);

	/* Boot-only. */
	load_boot(b, "", "10.0.0.254", "10.0.0.10", "1-3", 0, "/run/a.sock");
	/* The af_packet device string changes too (qpairs=3): name the cause. */
	assert_diff(a, b, "workers.lcores");
	load_boot(b, "", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/b.sock");
	assert_diff(a, b, "admin.socket");
	load_boot(b, "mtu = 1400;", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	assert_diff(a, b, "ports.[0].mtu");
	load_boot(b, "rx_desc = 512;", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	assert_diff(a, b, "ports.[0].rx_desc");
	load_boot(b, "hw_cksum = false;", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	assert_diff(a, b, "ports.[0].hw_cksum");
	load_boot(b, "rss = true;", "10.0.0.254", "10.0.0.10", "1-2", 0, "/run/a.sock");
	assert_diff(a, b, "ports.[0].rss");

	assert_int_equal(load("ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v1\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n",
		b, err, sizeof(err)), 0);
	assert_diff(a, b, "ports.[0].device");
	assert_int_equal(load("ports = ( { name = \"b\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n",
		b, err, sizeof(err)), 0);
	assert_diff(a, b, "ports.[0].name");
	assert_int_equal(load("ports = ( { name = \"a\"; device = \"net_af_packet0,iface=v0,qpairs=2\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; rss = false; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n",
		b, err, sizeof(err)), 0);
	assert_diff(a, b, "ports.[0].profile");
	assert_int_equal(load("ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; },\n"
		"  { name = \"b\"; device = \"net_null1\"; addresses = [ \"10.0.1.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n",
		b, err, sizeof(err)), 0);
	assert_diff(a, b, "ports");

	*b = *a;
	b->workers.mbufs = 4095;
	assert_diff(a, b, "workers.mbufs");
	*b = *a;
	snprintf(b->gateway.source, sizeof(b->gateway.source), "kubernetes");
	assert_diff(a, b, "gateway.source");
	*b = *a;
	snprintf(b->gateway.manifests, sizeof(b->gateway.manifests), "/x");
	assert_diff(a, b, "gateway.manifests");
	*b = *a;
	snprintf(b->gateway.controller_name, sizeof(b->gateway.controller_name), "x.io/y");
	assert_diff(a, b, "gateway.controller_name");
	*b = *a;
	snprintf(b->drivers_config, sizeof(b->drivers_config), "/x");
	assert_diff(a, b, "drivers_config");

	/* l4: the flow table size is boot-only, the rest reloads. */
	assert_int_equal(load("ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n"
		"snat = [ \"10.0.0.100\", \"fd00::100\" ];\n"
		"l4 = { snat_ports = \"2000-3000\"; tcp_syn_timeout_s = 1;\n"
		"  tcp_established_timeout_s = 2; tcp_closing_timeout_s = 3;\n"
		"  tcp_time_wait_timeout_s = 4; udp_timeout_s = 5; };\n", b, err, sizeof(err)), 0);
	assert_diff(a, b, NULL);
	assert_int_equal(load("ports = ( { name = \"a\"; profile = \"af_packet\"; iface = \"v0\";\n"
		"  addresses = [ \"10.0.0.1/24\" ]; } );\n"
		"workers = { lcores = \"1-2\"; };\nadmin = { socket = \"/run/a.sock\"; };\n"
		"l4 = { max_flows = 131072; };\n", b, err, sizeof(err)), 0);
	assert_diff(a, b, "l4.max_flows");
	assert_diff(b, a, "l4.max_flows");
	free(a);
	free(b);
}

/* ------------------------------------------------------------------ */
/* Helpers */

static void
test_ip_helpers(void **state)
{
	static const char *const good[] = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "fd00::1",
		"::", "::ffff:10.1.2.3", "FD00:0:0:0:0:0:0:1"};
	static const char *const bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "10.0.0.1/24",
		" 10.0.0.1", "10.0.0.1 ", "fd00::1::2", "fd00::1%eth0", "fd00::g", "abc", "1.2.3.-4",
		"0x1.2.3.4", "10.0.0.01"};
	struct gw_cfg_prefix p;
	struct gw_cfg_ip ip;
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (gw_cfg_ip_parse(good[i], &ip) != 0)
			fail_msg("\"%s\" should parse", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (gw_cfg_ip_parse(bad[i], &ip) != -EINVAL)
			fail_msg("\"%s\" should not parse", bad[i]);
	assert_int_equal(gw_cfg_ip_parse(NULL, &ip), -EINVAL);

	assert_int_equal(gw_cfg_ip_parse("10.1.2.3", &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.v4.s_addr, htonl(0x0a010203));
	assert_string_equal(gw_cfg_ip_str(&ip, buf, sizeof(buf)), "10.1.2.3");
	assert_int_equal(gw_cfg_ip_parse("FD00:0::1", &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.bytes[0], 0xfd);
	assert_int_equal(ip.bytes[15], 1);
	assert_string_equal(gw_cfg_ip_str(&ip, buf, sizeof(buf)), "fd00::1");
	ip.family = 0;
	assert_string_equal(gw_cfg_ip_str(&ip, buf, sizeof(buf)), "?");

	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/24", &p, true), 0);
	assert_prefix(&p, "10.1.2.3", 24); /* host bits kept */
	assert_int_equal(gw_cfg_prefix_parse("0.0.0.0/0", &p, true), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/32", &p, true), 0);
	assert_int_equal(gw_cfg_prefix_parse("fd00::/128", &p, true), 0);
	assert_int_equal(p.len, 128);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3", &p, false), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(gw_cfg_prefix_parse("fd00::1", &p, false), 0);
	assert_int_equal(p.len, 128);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/33", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("fd00::/129", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/-1", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/+8", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/08", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("10.1.2.3/8/8", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("1.2.3/8", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse("/8", &p, true), -EINVAL);
	assert_int_equal(gw_cfg_prefix_parse(
		"0000:0000:0000:0000:0000:ffff:255.255.255.255.1/8", &p, true), -EINVAL);
}

static void
test_lcores_parse(void **state)
{
	uint16_t ids[GW_CFG_MAX_WORKERS];
	unsigned int n;

	(void)state;
	assert_int_equal(gw_cfg_lcores_parse("1", ids, 64, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 1);
	assert_int_equal(gw_cfg_lcores_parse("5,2-3,0", ids, 64, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
	assert_int_equal(ids[3], 5);
	assert_int_equal(gw_cfg_lcores_parse("64-127", ids, 64, &n), 0);
	assert_int_equal(n, 64);
	assert_int_equal(ids[63], 127);
	assert_int_equal(gw_cfg_lcores_parse("7-7", ids, 64, &n), 0);
	assert_int_equal(n, 1);

	assert_int_equal(gw_cfg_lcores_parse("", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse(",1", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("1,", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("1-", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("-1", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("1-2-3", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("1;2", ids, 64, &n), -EINVAL);
	assert_int_equal(gw_cfg_lcores_parse("3-1", ids, 64, &n), -ERANGE);
	assert_int_equal(gw_cfg_lcores_parse("128", ids, 64, &n), -ERANGE);
	assert_int_equal(gw_cfg_lcores_parse("99999999999", ids, 64, &n), -ERANGE);
	assert_int_equal(gw_cfg_lcores_parse("1,1", ids, 64, &n), -EEXIST);
	assert_int_equal(gw_cfg_lcores_parse("1-4,3", ids, 64, &n), -EEXIST);
	assert_int_equal(gw_cfg_lcores_parse("0-64", ids, 64, &n), -E2BIG);
	assert_int_equal(gw_cfg_lcores_parse("1-3", ids, 2, &n), -E2BIG);
}

/* The main lcore is the lowest lcore no worker uses. */
static void
test_main_lcore(void **state)
{
	static const struct {
		const char *lcores;
		unsigned int main_lcore;
	} cases[] = {{"1", 0}, {"0", 1}, {"0-2", 3}, {"0,2", 1}, {"2-3", 0}, {"0-63", 64}};
	struct gw_config *cfg = cfg_new();
	char text[256], err[GW_CFG_ERR_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), PORT_A "workers = { lcores = \"%s\"; };\n",
			cases[i].lcores);
		assert_int_equal(load(text, cfg, err, sizeof(err)), 0);
		assert_int_equal(cfg->workers.main_lcore, cases[i].main_lcore);
	}
	free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_header_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_l4_config),
		cmocka_unit_test(test_tcp_config),
		cmocka_unit_test(test_snat_too_many),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_profile_defaults),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_relative_drivers_config),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_short_error_buffer),
		cmocka_unit_test(test_boot_diff),
		cmocka_unit_test(test_ip_helpers),
		cmocka_unit_test(test_lcores_parse),
		cmocka_unit_test(test_main_lcore),
	};

	return cmocka_run_group_tests(tests, tmp_setup, tmp_teardown);
}

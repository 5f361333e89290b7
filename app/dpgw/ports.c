/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "app.h"

/*
 * A symmetric Toeplitz key: the 0x6d5a pattern repeated to the length the
 * device wants (40 bytes for most, 52 for i40e/iavf/ice). With it both
 * directions of a flow hash to the same queue, so a worker sees both halves
 * of what it owns (design.md §1).
 */
#define GW_RSS_KEY_MAX 128

static void
sym_rss_key(uint8_t *key, uint8_t len)
{
	for (uint8_t i = 0; i < len; i++)
		key[i] = (i & 1) ? 0x5a : 0x6d;
}

/* "net_af_xdp0,iface=x" -> "net_af_xdp0"; a PCI address stays as it is. */
static void
device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/*
 * Read back the RSS key and redirection table the port uses, so workers
 * can pick SNAT ports whose replies come back to their own queue. False
 * (replies may land anywhere; the handoff ring fixes it) when the driver
 * does not tell.
 */
static bool
rss_predictable(struct gw_app_port *ap, const struct rte_eth_dev_info *info)
{
	struct rte_eth_rss_reta_entry64 reta[GW_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc = { .rss_key = ap->rss_info.key,
		.rss_key_len = GW_RSS_KEY_LEN_MAX };
	uint16_t size = info->reta_size;

	if (!ap->rss || size == 0 || size > GW_RSS_RETA_MAX || size % RTE_ETH_RETA_GROUP_SIZE != 0)
		return false;
	if (rte_eth_dev_rss_hash_conf_get(ap->port_id, &rc) != 0 || rc.rss_key_len == 0 ||
			rc.rss_key_len > GW_RSS_KEY_LEN_MAX)
		return false;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size / RTE_ETH_RETA_GROUP_SIZE; i++)
		reta[i].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(ap->port_id, reta, size) != 0)
		return false;
	for (uint16_t i = 0; i < size; i++)
		ap->rss_info.reta[i] = reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i %
			RTE_ETH_RETA_GROUP_SIZE];
	ap->rss_info.reta_size = size;
	ap->rss_info.key_len = rc.rss_key_len;
	return true;
}

static int
port_setup(struct gw_app *app, unsigned int idx, char *err, size_t errlen)
{
	const struct gw_cfg_port *cp = &app->cfg.ports[idx];
	struct gw_app_port *ap = &app->ports[idx];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint8_t rss_key[GW_RSS_KEY_MAX];
	uint16_t nq = (uint16_t)app->n_workers, rxd, txd;
	int rc, socket;

	device_name(cp->device, ap->dev_name, sizeof(ap->dev_name));
	rc = rte_eth_dev_get_port_by_name(ap->dev_name, &ap->port_id);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: ports.[%u] (%s): device \"%s\" not found "
			"(probe failed or no such device; see the EAL messages above)",
			app->cfg.path, cp->line, idx, cp->name, cp->device);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(ap->port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: cannot read device info: %s", cp->name,
			strerror(-rc));
		return rc;
	}
	snprintf(ap->driver, sizeof(ap->driver), "%s", info.driver_name);
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		snprintf(err, errlen, "%s:%d: ports.[%u] (%s): %u workers need %u RX and TX "
			"queues, the device has %u/%u (for af_packet set qpairs, for af_xdp "
			"queue_count and the interface's channels)", app->cfg.path, cp->line, idx,
			cp->name, nq, nq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	ap->rss = false;
	if (nq > 1 && cp->rss && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
			RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
		if (info.hash_key_size > 0 && info.hash_key_size <= GW_RSS_KEY_MAX) {
			sym_rss_key(rss_key, info.hash_key_size);
			conf.rx_adv_conf.rss_conf.rss_key = rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
		} else {
			GW_LOG(WARNING, "port %s: RSS key of %u bytes: cannot make it symmetric; "
				"replies may land on another worker (handed over, counted)",
				cp->name, info.hash_key_size);
		}
		ap->rss = true;
	}
	/* Offloads we use when the port has them; software fallback otherwise. */
	if (cp->hw_cksum) {
		conf.rxmode.offloads |= info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
		conf.txmode.offloads |= info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	}
	/*
	 * No RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: replies are built in received
	 * mbufs, which may carry external buffers (mlx5 MPRQ), and the TCP
	 * stack will send clones; fast free assumes direct mbufs with refcnt 1.
	 */
	rc = rte_eth_dev_configure(ap->port_id, nq, nq, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: configure failed: %s", cp->name, strerror(-rc));
		return rc;
	}
	if (cp->mtu != 0) {
		rc = rte_eth_dev_set_mtu(ap->port_id, cp->mtu);
		if (rc != 0) {
			snprintf(err, errlen, "%s:%d: ports.[%u] (%s): mtu %u refused by the "
				"device: %s", app->cfg.path, cp->line, idx, cp->name, cp->mtu,
				strerror(-rc));
			return rc;
		}
	}
	rxd = cp->rx_desc ? cp->rx_desc : 1024;
	txd = cp->tx_desc ? cp->tx_desc : 1024;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(ap->port_id, &rxd, &txd);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: %u/%u descriptors refused: %s", cp->name, rxd, txd,
			strerror(-rc));
		return rc;
	}
	socket = rte_eth_dev_socket_id(ap->port_id);
	if (socket < 0)
		socket = 0;
	for (uint16_t q = 0; q < nq; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		struct rte_eth_txconf txc = info.default_txconf;

		rxc.offloads = conf.rxmode.offloads;
		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_rx_queue_setup(ap->port_id, q, rxd, (unsigned int)socket, &rxc,
			app->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(ap->port_id, q, txd, (unsigned int)socket, &txc);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: queue %u setup failed: %s", cp->name, q,
				strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(ap->port_id);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: start failed: %s", cp->name, strerror(-rc));
		return rc;
	}
	/* Solicited-node multicast (ND) must reach us; not every driver can filter. */
	rte_eth_allmulticast_enable(ap->port_id);
	ap->n_queues = nq;
	ap->info.port_id = ap->port_id;
	ap->info.tx_offloads = conf.txmode.offloads;
	ap->info.rx_offloads = conf.rxmode.offloads;
	rte_eth_macaddr_get(ap->port_id, &ap->info.mac);
	ap->info.rss = rss_predictable(ap, &info) ? &ap->rss_info : NULL;
	rte_eth_dev_get_mtu(ap->port_id, &ap->info.mtu);
	GW_LOG(INFO, "port %s: %s (%s), %u queue pair(s), rss %s%s, tx offloads 0x%" PRIx64
		", mac " RTE_ETHER_ADDR_PRT_FMT, cp->name, ap->dev_name, ap->driver, nq,
		ap->rss ? "on" : "off", ap->rss ? (ap->info.rss != NULL ?
		" (replies steered to their flow's worker)" : " (not predictable: replies handed over)") :
		"", ap->info.tx_offloads,
		RTE_ETHER_ADDR_BYTES(&ap->info.mac));
	return 0;
}

int
gw_app_ports_init(struct gw_app *app, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < app->cfg.n_ports; i++) {
		int rc = port_setup(app, i, err, errlen);

		if (rc != 0)
			return rc;
		app->n_ports = i + 1;
	}
	return 0;
}

void
gw_app_ports_close(struct gw_app *app)
{
	for (unsigned int i = 0; i < app->n_ports; i++) {
		rte_eth_dev_stop(app->ports[i].port_id);
		rte_eth_dev_close(app->ports[i].port_id);
	}
	app->n_ports = 0;
}

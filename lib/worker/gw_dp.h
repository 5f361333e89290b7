/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's generation root: everything a worker reads from the
 * control plane, published as one immutable object through lib/gen.
 *
 * A root has two halves that change at different rates:
 *   - the boot configuration half (addresses, VIPs, static routes, neigh
 *     timers), rebuilt on SIGHUP: struct gw_l3 with its LPM tables is
 *     expensive to build (rte_lpm allocates its 64 MiB tbl24);
 *   - the Gateway API half (compiled HTTP route table, L4 services),
 *     rebuilt on every manifest or API change.
 * Each half is a reference-counted part, so a new generation built for a
 * route change shares the l3 part of the one it replaces, and a reload
 * shares the gateway part. A part is freed when the last generation that
 * holds it is reclaimed (after its grace period), never on swap.
 * Reference counts are touched only by control threads (build, reclaim).
 */
#ifndef GW_DP_H
#define GW_DP_H

#include <stdint.h>

#include "gw_gen.h"
#include "gw_l3.h"
#include "gw_lb.h"
#include "gw_neigh.h"
#include "gw_route.h"

/* A shared, reference-counted part of a generation. */
struct gw_dp_part {
	uint32_t refcnt;                /* atomic */
	void (*free)(struct gw_dp_part *p);
};

/* The boot configuration half: owns an l3. */
struct gw_dp_l3 {
	struct gw_dp_part part;
	struct gw_l3 *l3;
};

/* The Gateway API half: owns the compiled tables. */
struct gw_dp_gateway {
	struct gw_dp_part part;
	uint64_t version;               /* translation number, 1, 2, ... (0: none yet) */
	struct gw_route_table *http;    /* HTTP/HTTPS listeners */
	struct gw_lb_table *l4;         /* TCP/UDP listeners */
};

/* Most SNAT pool addresses per family. */
#define GW_DP_MAX_SNAT 16

/*
 * L4 parameters from the configuration (l4 = { ... } and snat = [ ... ]):
 * flow timeouts per class (enum gw_flow_class order) and the SNAT
 * addresses and port range. With no pool address of a family, flows of
 * that family are SNAT'd to the address of the port facing the backend.
 */
struct gw_dp_l4_params {
	uint32_t timeout_ms[5];         /* syn, established, closing, time_wait, udp */
	uint16_t snat_port_lo;          /* host order, default 1024 */
	uint16_t snat_port_hi;          /* default 65535 */
	uint8_t n_snat4, n_snat6;
	uint8_t snat4[GW_DP_MAX_SNAT][4];
	uint8_t snat6[GW_DP_MAX_SNAT][16];
};

struct gw_dp {
	struct gw_gen gen;              /* first: lib/gen header */
	struct gw_l3 *l3;               /* = l3_part->l3: addresses, VIPs, routes */
	struct gw_route_table *http;    /* = gateway->http, may be NULL */
	struct gw_lb_table *l4;         /* = gateway->l4, may be NULL */
	uint32_t idle_sleep_us;         /* worker back-off when idle; 0 = busy poll */
	struct gw_neigh_params neigh;   /* in TSC cycles */
	struct gw_dp_l4_params l4p;
	struct gw_dp_l3 *l3_part;       /* holds a reference */
	struct gw_dp_gateway *gateway;  /* holds a reference, or NULL */
};

/* Allocate an empty root whose ->gen.free drops its parts' references (L4 defaults set). */
struct gw_dp *gw_dp_alloc(void);
/* Free a root that was never published. */
void gw_dp_free(struct gw_dp *dp);

/* Wrap @l3 in a part with one reference (taken by gw_dp_set_l3()). NULL on ENOMEM. */
struct gw_dp_l3 *gw_dp_l3_new(struct gw_l3 *l3);
/* Wrap compiled tables (either may be NULL) in a part with one reference. */
struct gw_dp_gateway *gw_dp_gateway_new(uint64_t version, struct gw_route_table *http,
	struct gw_lb_table *l4);

/* Take a reference / drop one (the last frees). NULL is a no-op. */
void gw_dp_part_get(struct gw_dp_part *p);
void gw_dp_part_put(struct gw_dp_part *p);

/* Point @dp at a part; the root takes over the caller's reference. */
void gw_dp_set_l3(struct gw_dp *dp, struct gw_dp_l3 *l3);
void gw_dp_set_gateway(struct gw_dp *dp, struct gw_dp_gateway *gw);

static inline const struct gw_dp *
gw_dp_from_gen(const struct gw_gen *g)
{
	return (const struct gw_dp *)g;
}

#endif /* GW_DP_H */

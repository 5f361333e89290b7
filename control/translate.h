/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The translator (design.md §4): Gateway API objects in the object cache
 * -> status for every object we own -> compiled data-plane tables.
 *
 * It follows ../shared/reference/gateway-api-rules.md:
 *   - GatewayClasses whose spec.controllerName is ours are Accepted; the
 *     Gateways of other classes are ignored (no status written);
 *   - a Gateway gets its spec.addresses from the VIP pool (else Accepted
 *     False/UnsupportedAddress), or keeps the VIP it had, or takes the
 *     next free one (Programmed False/AddressNotAssigned when none is left);
 *   - listeners: protocol (HTTP, HTTPS, TLS, TCP, UDP), distinctness
 *     (Conflicted HostnameConflict/ProtocolConflict, none of them wins),
 *     allowedRoutes (namespaces Same/All/Selector/None, kinds),
 *     certificateRefs (Secret, ReferenceGrant, PEM checked with OpenSSL),
 *     attachedRoutes;
 *   - routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute):
 *     parentRefs with sectionName and port, hostname intersection,
 *     backends through Service + EndpointSlice with ReferenceGrant,
 *     filters validated and compiled, status.parents entries for our
 *     Gateways only, conditions with the spec's reasons and the object's
 *     observedGeneration (lastTransitionTime kept while a condition's
 *     status does not change).
 *
 * Output: an HTTP route table (lib/route) with one group per VIP:port of
 * HTTP/HTTPS listeners, an L4 table (lib/lb) with one service per TCP/UDP
 * listener carrying a route, and the certificates of TLS listeners. The
 * statuses are written into the cache (gw_objcache_set_status()) only
 * when everything was built, so a failed translation changes nothing.
 *
 * Call with the cache locked. Single-threaded; no global state.
 */
#ifndef GW_TRANSLATE_H
#define GW_TRANSLATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "objcache.h"
#include "gw_lb.h"
#include "gw_route.h"

struct gw_translate_vip {
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

/*
 * What a translator may keep between calls to go faster: per route, its
 * parsed rules and backends (valid while the route, the Services and
 * EndpointSlices it names and the ReferenceGrants are unchanged) and a
 * signature of the status it last wrote (a route whose status inputs did
 * not change keeps its status object). Optional; one memo per cache.
 */
struct gw_translate_memo;
struct gw_translate_memo *gw_translate_memo_new(void);
void gw_translate_memo_free(struct gw_translate_memo *m);

struct gw_translate_params {
	const char *controller_name;           /* "dpgw.io/gateway-controller" */
	unsigned int n_vips;                   /* the configured VIP pool */
	const struct gw_translate_vip *vips;
	uint32_t maglev_size;                  /* 0: GW_LB_MAGLEV_SIZE */
	int64_t now;                           /* seconds since the epoch, for lastTransitionTime; 0: time() */
	struct gw_translate_memo *memo;        /* NULL: translate everything from scratch */
};

/* A certificate of a TLS-terminating listener, checked and kept for TLS. */
struct gw_translate_cert {
	char listener[256];        /* "namespace/gateway/listener" */
	char secret[256];          /* "namespace/name" */
	void *x509;                /* X509 * */
	void *pkey;                /* EVP_PKEY * */
};

struct gw_translation {
	struct gw_route_table *http;  /* NULL-free: an empty table when nothing is HTTP */
	struct gw_lb_table *l4;
	/* [{"id": N, "vip": "10.0.0.1", "port": 80, "listeners": ["ns/gw/l", ...]}] */
	json_t *groups;
	unsigned int n_certs;
	struct gw_translate_cert *certs;
	/* {"gatewayclasses": N, "gateways": N, "listeners": N, "routes": N,
	 *  "routes_accepted": N, "http_groups": N, "l4_services": N, ...} */
	json_t *summary;
};

/*
 * Translate everything in @cache. Returns 0 and fills @out (release with
 * gw_translation_release()), or -ENOMEM / -EINVAL (a table that failed to
 * build) with a message in @err; then @out is empty and the cache's
 * statuses are unchanged.
 */
int gw_translate(struct gw_objcache *cache, const struct gw_translate_params *p,
	struct gw_translation *out, char *err, size_t errlen);

/* Free what gw_translate() filled; the tables too unless taken (set NULL). */
void gw_translation_release(struct gw_translation *t);

/*
 * Parse a Gateway API duration ("10s", "1h30m", "500ms"; 1 to 4 parts of
 * up to 5 digits with units h, m, s, ms) into milliseconds. 0 or -EINVAL.
 */
int gw_translate_duration_ms(const char *s, uint64_t *ms);

/*
 * Hostname intersection of a listener hostname @l and a route hostname
 * @r (either NULL/"" for "any"): writes the effective hostname to @out
 * and returns 1, or returns 0 if they do not intersect.
 */
int gw_translate_host_intersect(const char *l, const char *r, char *out, size_t outlen);

#endif /* GW_TRANSLATE_H */

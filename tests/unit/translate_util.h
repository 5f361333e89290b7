/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixtures and helpers shared by the Gateway API translator tests
 * (test_translate.c: GatewayClass, Gateway, listeners, certificates,
 * ReferenceGrant / allowedRoutes; test_translate_routes.c: route
 * attachment, hostnames, matching, backends, filters, timeouts, L4, TLS).
 *
 * Every case is what a user writes: multi-document Kubernetes YAML
 * (GatewayClass, Gateway, routes, ReferenceGrant, Service, EndpointSlice,
 * Secret, Namespace) parsed with gw_manifest_parse() into a fresh object
 * cache, translated with a fixed VIP pool and clock, and then checked the
 * way the kubernetes-sigs/gateway-api conformance suite checks a live
 * implementation: (a) the statuses written back into the cache
 * (conditions with status/reason/observedGeneration, listeners'
 * supportedKinds and attachedRoutes, addresses, route status.parents),
 * (b) the compiled data plane: gw_route_match() / gw_route_pick_backend()
 * on the HTTP table (which route and rule a request reaches, 404, and the
 * exact weighted split of 500 / 503 / backends), and the L4 table
 * (gw_lb_lookup(), Maglev shares) for TCPRoute / UDPRoute.
 *
 * Expected values follow the Gateway API spec and
 * ../shared/reference/gateway-api-rules.md, not the implementation: a
 * failing case is a departure from the spec.
 *
 * Helpers return short strings ("True/Accepted", "r1#0", "v1=70 v2=30
 * 500=1") so that a failure prints both sides. Strings come from a ring of
 * 16 static buffers: each survives a few more helper calls, no more.
 * Helpers fail the running cmocka test (fail_msg / assert_*) on misuse.
 */
#ifndef GW_TRANSLATE_UTIL_H
#define GW_TRANSLATE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "objcache.h"
#include "translate.h"

#define CTRL "dpgw.io/gateway-controller"
#define NOW0 1700000000 /* 2023-11-14T22:13:20Z */
#define NOW0_STR "2023-11-14T22:13:20Z"

/* ---- embedded certificates (base64 PEM, as in a Secret's data) ---- */

/* openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=example.com */
extern const char CERT_B64[];
/* the private key of CERT_B64 */
extern const char KEY_B64[];
/* the key of another certificate (/CN=other.example.com): does not match CERT_B64 */
extern const char KEY2_B64[];

/* ---- state: one cache and one translation per test ---- */

/* The object cache of the running test (fresh in setup()). */
extern struct gw_objcache *cache;
/* The last translation tl() made (released by the next tl() and teardown()). */
extern struct gw_translation out;
/* The clock tl() translates with (NOW0 after setup()). */
extern int64_t now;
/* Maglev table size tl() asks for (0, the default, after setup()). */
extern uint32_t maglev;

/* cmocka setup: a new cache and memo, VIP pool 10.0.0.1, 10.0.0.2, fd00::1, now = NOW0. */
int setup(void **state);
/* cmocka teardown: releases the translation, the memo and the cache. */
int teardown(void **state);

/* Parse @yaml (any number of documents) and put every object into the cache. */
void put(const char *yaml);
/* put() of a printf-formatted text (64 KiB at most). */
void putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every object's status, keyed "kind/ns/name" (a new reference). */
json_t *all_statuses(void);
/* A text digest of the compiled HTTP and L4 tables of @t (malloc'd). */
char *tables_digest(const struct gw_translation *t);
/*
 * Translate the cache into `out`; the previous translation is released.
 * Translates once with the test's memo and once without, and fails the
 * test unless statuses, compiled tables and groups are identical.
 */
void tl(void);
/* put(@yaml) then tl(). */
void load(const char *yaml);

/* ---- statuses ---- */

/* The status of an object (NULL if it has none); fails if it is not in the cache. */
const json_t *status_of(enum gw_kind k, const char *ns, const char *name);
/* The condition of @type in the conditions array @conds, or NULL. */
const json_t *find_cond(const json_t *conds, const char *type);
/* "True/Accepted", or "(none)" when the condition is missing. */
const char *cs(const json_t *c);
/* An object's status condition of @type, or NULL. */
const json_t *obj_cond(enum gw_kind k, const char *ns, const char *name, const char *type);
/* GatewayClass condition, as cs(). */
const char *gcc(const char *name, const char *type);
/* Gateway condition, as cs(). */
const char *gwc(const char *ns, const char *name, const char *type);
/* The status entry of listener @l of Gateway @ns/@gw, or NULL. */
const json_t *listener(const char *ns, const char *gw, const char *l);
/* Listener condition, as cs(). */
const char *lc(const char *ns, const char *gw, const char *l, const char *type);
/* attachedRoutes, or -1 when the listener has no status. */
int attached(const char *ns, const char *gw, const char *l);
/* supportedKinds as "HTTPRoute,GRPCRoute" (each must carry the Gateway API group). */
const char *kinds(const char *ns, const char *gw, const char *l);
/* status.addresses as "10.0.0.1,fd00::1" (each of type IPAddress). */
const char *addrs(const char *ns, const char *gw);
/* Number of status.parents entries; 0 when the route has no status. */
int nparents(enum gw_kind k, const char *ns, const char *name);
/* Route status.parents[@i] (its controllerName must be CTRL), or NULL. */
const json_t *parent(enum gw_kind k, const char *ns, const char *name, size_t i);
/* Route parent condition ("(none)" without such a parent entry). */
const char *pc(enum gw_kind k, const char *ns, const char *name, size_t i, const char *type);

/* Condition of HTTPRoute default/@name on its first parent. */
#define HR(name, type) pc(GW_KIND_HTTPROUTE, "default", name, 0, type)
/* Condition of Gateway default/gw. */
#define GWD(type) gwc("default", "gw", type)
/* Condition of listener @l of Gateway default/gw. */
#define LD(l, type) lc("default", "gw", l, type)

/* Every condition of @st (recursively) has observedGeneration @gen. */
void all_gen(const json_t *st, int64_t gen);
/* lastTransitionTime of condition @c (which must exist), or "(none)". */
const char *ltt(const json_t *c);

/* ---- the HTTP table ---- */

/* A request for the HTTP table; unset fields take the defaults below. */
struct treq {
	const char *host;
	const char *path;          /* may hold "?query" */
	const char *method;        /* NULL: GET */
	const char *hdr[6];        /* "Name: value" */
	unsigned int port;         /* 0: 80 */
	const char *vip;           /* NULL: any group on the port */
};

/* The id of the group on @vip (NULL: any) and @port, or 0xfffffff0. */
uint32_t group_id(const char *vip, unsigned int port);
/* "VIP:PORT[listeners]" for every group, sorted as given. */
const char *groups(void);
/* "route#rule" (namespace prefixed unless "default"), or "404". */
const char *route_of(struct treq q);
/* The rule a request reaches, or NULL. */
const struct gw_route_rule *rule_of(struct treq q);
/*
 * The exact weighted split of a rule: gw_route_pick_backend() with every
 * rnd in [0, total_weight): "v1=70 v2=30" then "500=n" / "503=n". "404"
 * when the request matches nothing; "500" for a rule without weight.
 */
const char *dist_rule(const struct gw_route_rule *rule);
/*
 * What a conformance request sees: the Service that answers (first
 * backend picked with rnd 0, as "svc"), "404", "500" or "503".
 */
const char *backend_of(struct treq q);
/* Endpoints of a backend as "10.1.0.1:8080,10.1.0.2:8080" in the table's order. */
const char *eps_str(const struct gw_route_backend *be);

/* route_of() a request given as struct treq fields: M(.path = "/a"). */
#define M(...) route_of((struct treq){__VA_ARGS__})
/* rule_of() a request given as struct treq fields. */
#define RULE(...) rule_of((struct treq){__VA_ARGS__})
/* dist_rule() of the rule a request reaches. */
#define D(...) dist_rule(rule_of((struct treq){__VA_ARGS__}))
/* backend_of() a request given as struct treq fields. */
#define B(...) backend_of((struct treq){__VA_ARGS__})

/* ---- the L4 table ---- */

/* The L4 service on @proto @vip:@port, or NULL. */
const struct gw_lb_service *l4(int proto, const char *vip, unsigned int port);
/* Share of the Maglev slots owned by endpoint @addr, in permille. */
unsigned int l4_permille(const struct gw_lb_service *s, const char *addr);
/* Endpoints of an L4 service as "10.1.0.1:8080" sorted by the table. */
const char *l4_eps(const struct gw_lb_service *s);

/* ---- YAML building blocks ---- */

/* GatewayClass dpgw of our controller. */
#define GC \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: GatewayClass\n" \
	"metadata:\n" \
	"  name: dpgw\n" \
	"spec:\n" \
	"  controllerName: dpgw.io/gateway-controller\n" \
	"---\n"

/* Gateway default/gw with one HTTP listener "http" on port 80. */
#define GW_HTTP \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: Gateway\n" \
	"metadata:\n" \
	"  name: gw\n" \
	"  namespace: default\n" \
	"spec:\n" \
	"  gatewayClassName: dpgw\n" \
	"  listeners:\n" \
	"  - name: http\n" \
	"    protocol: HTTP\n" \
	"    port: 80\n" \
	"---\n"

/* HTTPRoute default/NAME on gw: one rule, PathPrefix PATH -> SVC:8080. */
#define HR_PREFIX(name, path, svc) \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: HTTPRoute\n" \
	"metadata:\n" \
	"  name: " name "\n" \
	"spec:\n" \
	"  parentRefs:\n" \
	"  - name: gw\n" \
	"  rules:\n" \
	"  - matches:\n" \
	"    - path:\n" \
	"        type: PathPrefix\n" \
	"        value: " path "\n" \
	"    backendRefs:\n" \
	"    - name: " svc "\n" \
	"      port: 8080\n" \
	"---\n"

/*
 * A Service @ns/@name with one port (@port, named "http", targetPort 8080,
 * @app_proto when non-NULL) and an EndpointSlice for it with @ips
 * ("10.1.0.1 10.1.0.2"; a trailing '!' marks an endpoint not ready, a
 * trailing '?' one without conditions).
 */
void svc_app(const char *ns, const char *name, unsigned int port, const char *app_proto,
	const char *ips);
/* svc_app() on port 8080 without appProtocol. */
void svc(const char *ns, const char *name, const char *ips);
/* A kubernetes.io/tls Secret with base64 data. */
void secret(const char *ns, const char *name, const char *crt_b64, const char *key_b64);
/* @s starts with @prefix (prints both when not). */
bool starts(const char *s, const char *prefix);
/* Gateway default/@name (HTTP listener "http" on 80) created at @created (RFC 3339). */
void gw_named(const char *name, const char *created);

#endif /* GW_TRANSLATE_UTIL_H */

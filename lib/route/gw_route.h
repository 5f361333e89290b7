/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled HTTP route tables: what a worker consults for every request on
 * an HTTP/HTTPS listener (design.md §3, Gateway API rules 5.1-5.5).
 *
 * The translator (control/) describes what it accepted as a tree of plain
 * "spec" structs below (groups -> listeners -> routes -> rules -> matches,
 * filters, backends), all owned by the caller. gw_route_table_build()
 * compiles that tree into one immutable, self-contained table: every
 * string and array is copied, hostnames are lower-cased and bucketed into
 * virtual hosts, and the matches of each virtual host are sorted into the
 * Gateway API precedence order. The spec can be freed right after.
 *
 * Lookup, gw_route_match(), is what the HTTP proxy calls per request:
 *   group (the VIP:port the connection arrived on)
 *     -> listener, by the Host header (exact hostname, then wildcard with
 *        the most labels, then a listener without hostname); no listener
 *        is 404 (listener isolation: never falls through to another one)
 *     -> virtual host inside the listener (exact route hostname, then the
 *        most specific wildcard, then routes without hostname); a request
 *        never falls through to a less specific virtual host (the Envoy /
 *        NGINX reading of the spec's hostname precedence)
 *     -> the first match, in precedence order, whose path, headers, query
 *        parameters and method all hold.
 * No match is 404. A matched rule may still answer 500 (no backendRefs,
 * or its chosen backend is invalid) or 503 (chosen backend has no ready
 * endpoint): gw_route_pick_backend() makes that weighted choice.
 *
 * Precedence (rules 5.3.4), for matches inside one virtual host:
 *   Exact path before PathPrefix before RegularExpression; longer Exact /
 *   PathPrefix value first; method match first; more header matches first;
 *   more query matches first; then the older route (created), then the
 *   route's "namespace/name" in byte order, then rule index, then match
 *   index. A rule without matches behaves as one PathPrefix "/" match.
 *
 * A table is immutable after build: any number of threads may call the
 * lookup functions at once. Regular expressions use POSIX extended
 * syntax (regcomp, REG_EXTENDED | REG_NOSUB), anchored to the whole path;
 * glibc's regexec() takes a lock inside the compiled pattern, so heavy
 * regex traffic on many workers serialises on it.
 *
 * No EAL, no I/O: this library can run in unit tests and fuzzers alone.
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- spec (input to the builder; plain C, owned by the caller) ---- */

enum gw_route_path_type {
	GW_ROUTE_PATH_PREFIX = 0,  /* element-wise on '/', trailing '/' of the value ignored */
	GW_ROUTE_PATH_EXACT,       /* byte-exact, case-sensitive */
	GW_ROUTE_PATH_REGEX,       /* POSIX ERE over the whole path */
};

enum gw_route_value_type {
	GW_ROUTE_VALUE_EXACT = 0,
	GW_ROUTE_VALUE_REGEX,      /* POSIX ERE over the whole value */
};

struct gw_route_kv_match {
	const char *name;          /* header: case-insensitive; query: case-sensitive */
	const char *value;
	enum gw_route_value_type type;
};

struct gw_route_match_spec {
	enum gw_route_path_type path_type;
	const char *path;          /* "/" when the match gives no path */
	const char *method;        /* NULL: any */
	unsigned int n_headers;
	const struct gw_route_kv_match *headers; /* the translator drops repeated names (first wins) */
	unsigned int n_query;
	const struct gw_route_kv_match *query;
};

struct gw_route_kv {
	const char *name;
	const char *value;
};

/* RequestHeaderModifier / ResponseHeaderModifier. */
struct gw_route_hdr_mod {
	unsigned int n_set;
	const struct gw_route_kv *set;
	unsigned int n_add;
	const struct gw_route_kv *add;
	unsigned int n_remove;
	const char *const *remove;
};

enum gw_route_path_mod {
	GW_ROUTE_PATH_MOD_NONE = 0,
	GW_ROUTE_PATH_MOD_FULL,    /* ReplaceFullPath */
	GW_ROUTE_PATH_MOD_PREFIX,  /* ReplacePrefixMatch (rule has exactly one PathPrefix match) */
};

struct gw_route_redirect {
	const char *scheme;        /* NULL: the request's */
	const char *hostname;      /* NULL: the request's Host (without port) */
	uint16_t port;             /* 0: derived (rules 5.5: scheme default, else listener port) */
	enum gw_route_path_mod path_mod;
	const char *path;          /* replacement for FULL / PREFIX */
	uint16_t status;           /* 301, 302 (default), 303, 307, 308 */
};

struct gw_route_rewrite {
	const char *hostname;      /* NULL: keep Host */
	enum gw_route_path_mod path_mod;
	const char *path;
};

struct gw_route_endpoint {
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];          /* network byte order; IPv4 in the first 4 bytes */
	uint16_t port;             /* host byte order */
};

enum gw_route_backend_state {
	GW_ROUTE_BACKEND_OK = 0,
	GW_ROUTE_BACKEND_INVALID,      /* unresolvable / not permitted ref: its share answers 500 */
	GW_ROUTE_BACKEND_NO_ENDPOINTS, /* Service without ready endpoints: its share answers 503 */
};

enum gw_route_app_proto {
	GW_ROUTE_PROTO_HTTP1 = 0,
	GW_ROUTE_PROTO_H2C,        /* appProtocol kubernetes.io/h2c */
	GW_ROUTE_PROTO_WS,         /* appProtocol kubernetes.io/ws */
};

struct gw_route_filter_spec;

struct gw_route_backend_spec {
	const char *name;          /* "namespace/service:port", for counters and show */
	uint32_t weight;           /* 0: never chosen */
	enum gw_route_backend_state state;
	enum gw_route_app_proto proto;
	unsigned int n_endpoints;  /* 0 unless state is OK */
	const struct gw_route_endpoint *endpoints;
	unsigned int n_filters;    /* backendRef-level filters (header modifiers only) */
	const struct gw_route_filter_spec *filters;
};

enum gw_route_filter_type {
	GW_ROUTE_FILTER_REQ_HEADERS = 0,
	GW_ROUTE_FILTER_RESP_HEADERS,
	GW_ROUTE_FILTER_REDIRECT,
	GW_ROUTE_FILTER_REWRITE,
	GW_ROUTE_FILTER_MIRROR,
};

struct gw_route_filter_spec {
	enum gw_route_filter_type type;
	union {
		struct gw_route_hdr_mod headers;     /* REQ_HEADERS, RESP_HEADERS */
		struct gw_route_redirect redirect;
		struct gw_route_rewrite rewrite;
		struct {
			const struct gw_route_backend_spec *backend; /* one, weight ignored */
			uint32_t numerator;              /* sample numerator/denominator of requests */
			uint32_t denominator;            /* (percent p: p/100; default 100/100) */
		} mirror;
	};
};

struct gw_route_rule_spec {
	unsigned int n_matches;    /* 0: one PathPrefix "/" match */
	const struct gw_route_match_spec *matches;
	unsigned int n_filters;    /* in the order written */
	const struct gw_route_filter_spec *filters;
	unsigned int n_backends;   /* 0 and no redirect filter: the rule answers 500 */
	const struct gw_route_backend_spec *backends;
	uint32_t timeout_request_ms;         /* 0: none */
	uint32_t timeout_backend_request_ms; /* 0: none */
	const char *name;          /* rule's sectionName-style name, or NULL */
};

struct gw_route_route_spec {
	const char *ns;            /* namespace */
	const char *name;
	int64_t created;           /* creationTimestamp, seconds since the epoch */
	unsigned int n_hostnames;  /* effective hostnames on this listener (after */
	const char *const *hostnames; /* intersection); 0: every host the listener takes */
	unsigned int n_rules;
	const struct gw_route_rule_spec *rules;
};

struct gw_route_listener_spec {
	const char *name;          /* "namespace/gateway/listener" */
	const char *hostname;      /* NULL or "": any host; "*.example.com" or exact */
	bool https;                /* scheme for redirects and for the proxy */
	unsigned int n_routes;
	const struct gw_route_route_spec *routes;
};

/* One VIP:port: every HTTP/HTTPS listener of every Gateway bound there. */
struct gw_route_group_spec {
	uint32_t id;               /* the caller's id; lookups use it (unique) */
	int family;
	uint8_t vip[16];
	uint16_t port;
	unsigned int n_listeners;
	const struct gw_route_listener_spec *listeners;
};

struct gw_route_table_spec {
	unsigned int n_groups;
	const struct gw_route_group_spec *groups;
};

/* ---- compiled table ---- */

struct gw_route_table;

/*
 * Compile @spec. Returns NULL on failure with a reason in @err (a regular
 * expression that does not compile names its listener, route and rule;
 * duplicate group ids; out of memory). The table owns copies of all data.
 */
struct gw_route_table *gw_route_table_build(const struct gw_route_table_spec *spec,
	char *err, size_t errlen);

/* Free a table (NULL is a no-op). */
void gw_route_table_free(struct gw_route_table *t);

/*
 * Memory held by the table, in bytes (for show and benchmarks): its arena
 * blocks, not what regcomp() allocates inside compiled expressions. A
 * large table's first block is whole 2 MiB pages (huge pages where the
 * kernel gives them), so this moves in 2 MiB steps there.
 */
size_t gw_route_table_size(const struct gw_route_table *t);

/* ---- compiled objects, read-only views for the proxy ---- */

struct gw_route_backend {
	const char *name;
	uint32_t weight;
	enum gw_route_backend_state state;
	enum gw_route_app_proto proto;
	unsigned int n_endpoints;
	const struct gw_route_endpoint *endpoints;
	unsigned int n_filters;
	const struct gw_route_filter *filters;
};

struct gw_route_filter {
	enum gw_route_filter_type type;
	union {
		struct gw_route_hdr_mod headers;
		struct gw_route_redirect redirect;
		struct gw_route_rewrite rewrite;
		struct {
			const struct gw_route_backend *backend;
			uint32_t numerator;
			uint32_t denominator;
		} mirror;
	};
};

struct gw_route_rule {
	const char *route_ns;
	const char *route_name;
	unsigned int rule_index;
	const char *name;
	unsigned int n_filters;
	const struct gw_route_filter *filters;
	unsigned int n_backends;
	const struct gw_route_backend *backends;
	uint32_t total_weight;     /* sum of backend weights */
	uint32_t timeout_request_ms;
	uint32_t timeout_backend_request_ms;
	bool redirect;             /* has a RequestRedirect filter: answered without a backend */
};

struct gw_route_listener {
	const char *name;
	const char *hostname;      /* "" for any */
	bool https;
	uint16_t port;
};

/* ---- lookup ---- */

struct gw_route_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* A parsed request; nothing needs to be NUL-terminated. */
struct gw_route_req {
	uint32_t group;            /* group id the connection arrived on */
	const char *host;          /* Host header (or :authority); a ":port" suffix is ignored */
	size_t host_len;           /* hostnames compare case-insensitively; a trailing '.' is ignored;
	                            * "[v6]:port" keeps "[v6]"; longer than 253 (no DNS name) or
	                            * empty: only listeners / routes without hostname take it */
	const char *method;
	size_t method_len;
	const char *path;          /* path only, without '?' and query */
	size_t path_len;
	const char *query;         /* after '?', without '#'; NULL or "" if none */
	size_t query_len;          /* "a=1&b=2"; names and values compared as sent (not decoded) */
	unsigned int n_headers;
	const struct gw_route_header *headers;
};

struct gw_route_result {
	int status;                /* 0: matched; 404: no listener / no rule */
	const struct gw_route_listener *listener; /* NULL if no listener took the host */
	const struct gw_route_rule *rule;         /* NULL unless status == 0 */
	unsigned int match_index;  /* which of the rule's matches held */
};

/*
 * Match @req. Returns 0 and fills @res (res->status 0) when a rule
 * matched; otherwise returns the HTTP status to answer (404) and fills
 * @res as far as it got. Unknown group: 404. Never allocates.
 */
int gw_route_match(const struct gw_route_table *t, const struct gw_route_req *req,
	struct gw_route_result *res);

/*
 * Weighted backend choice for a matched @rule, @rnd a uniformly random or
 * hashed 32-bit value. Returns 0 and sets *@be to a backend with ready
 * endpoints; 500 if the rule has no backends (or all weights are 0), or
 * @rnd fell on an invalid backend's share; 503 if it fell on a backend
 * without ready endpoints (*@be set to it then; an OK backend with
 * n_endpoints 0 counts as such). A backend of weight 0 is never returned.
 * *@be is NULL when the answer is 500.
 */
int gw_route_pick_backend(const struct gw_route_rule *rule, uint32_t rnd,
	const struct gw_route_backend **be);

/* ---- walking a table (dpgwctl show routes) ---- */

struct gw_route_walk_entry {
	uint32_t group;
	int family;
	const uint8_t *vip;
	uint16_t port;
	const struct gw_route_listener *listener;
	const char *vhost;         /* virtual host: "" (any), exact or "*.x" */
	unsigned int order;        /* position in the precedence order, from 0 */
	const struct gw_route_rule *rule;
	unsigned int match_index;
	/* the match, as compiled */
	enum gw_route_path_type path_type;
	const char *path;
	const char *method;        /* NULL: any */
	unsigned int n_headers;
	const struct gw_route_kv_match *headers;
	unsigned int n_query;
	const struct gw_route_kv_match *query;
};

/*
 * Call @fn for every compiled match: groups in spec order, listeners in
 * selection order, virtual hosts in selection order, matches in
 * precedence order. Listeners and vhosts with no match are reported once
 * with rule NULL (vhost NULL too for a listener without routes). Virtual
 * hosts come exact names first (byte order), then wildcards by more labels,
 * then "". Stops early and returns @fn's value if non-zero.
 */
int gw_route_table_walk(const struct gw_route_table *t,
	int (*fn)(const struct gw_route_walk_entry *e, void *arg), void *arg);

/* ---- helpers shared with the translator ---- */

/*
 * Path prefix test of rules 5.3.2: @prefix ("/abc" or "/abc/") matches
 * @path if equal or followed by '/' at a segment boundary.
 */
bool gw_route_path_prefix_match(const char *prefix, size_t prefix_len,
	const char *path, size_t path_len);

/*
 * Hostname match of a listener or route hostname @pattern ("*.example.com"
 * or exact, lower case) against a request @host (any case, no port):
 * a wildcard matches one or more labels, never the bare suffix. A trailing
 * '.' on either is ignored; a NULL, "" or "*" pattern matches any host.
 */
bool gw_route_host_match(const char *pattern, const char *host, size_t host_len);

#endif /* GW_ROUTE_H */

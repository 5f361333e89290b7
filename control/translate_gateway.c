/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway API translator, Gateway side (see translate.c for the order of
 * work): GatewayClasses, ReferenceGrants and namespace selectors,
 * certificates, Gateways and their listeners, addresses from the VIP pool,
 * listener conflicts, and the Gateway status written once routes are
 * attached.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "translate_int.h"

/* ---- listener protocols ---- */

static const char *const proto_names[] = {"HTTP", "HTTPS", "TLS", "TCP", "UDP", "?"};

static uint32_t
proto_kinds(enum proto p)
{
	switch (p) {
	case P_HTTP:
	case P_HTTPS:
		return KB(GW_KIND_HTTPROUTE) | KB(GW_KIND_GRPCROUTE);
	case P_TLS:
		return KB(GW_KIND_TLSROUTE);
	case P_TCP:
		return KB(GW_KIND_TCPROUTE);
	case P_UDP:
		return KB(GW_KIND_UDPROUTE);
	default:
		return 0;
	}
}

/* ---- addresses ---- */

static bool
vip_eq(const struct gw_translate_vip *a, const struct gw_translate_vip *b)
{
	return a->family == b->family &&
		memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

static int
pool_index(const struct tctx *c, const struct gw_translate_vip *ip)
{
	for (unsigned int i = 0; i < c->p->n_vips; i++)
		if (vip_eq(&c->p->vips[i], ip))
			return (int)i;
	return -1;
}

/* ---- ReferenceGrant, namespaces ---- */

/*
 * May an object (@fgroup, @fkind) in namespace @fns refer to (@tgroup,
 * @tkind) @tname in namespace @tns? Same namespace always may; otherwise
 * a ReferenceGrant in @tns must name both sides (rules 5.8).
 */
bool
tl_ref_allowed(const struct tctx *c, const char *fgroup, const char *fkind, const char *fns,
	const char *tgroup, const char *tkind, const char *tns, const char *tname)
{
	const struct gw_obj **grants;
	int n = gw_objcache_list(c->cache, GW_KIND_REFERENCEGRANT, tns, &grants);
	bool ok = false;

	if (strcmp(fns, tns) == 0) {
		free(grants);
		return true;
	}
	for (int i = 0; i < n && !ok; i++) {
		const json_t *spec = tl_jget(grants[i]->obj, "spec");
		bool from = false, to = false;

		for (size_t j = 0; j < tl_jlen(spec, "from") && !from; j++) {
			json_t *f = tl_jat(spec, "from", j);

			from = strcmp(tl_jstr(f, "group", ""), fgroup) == 0 &&
				strcmp(tl_jstr(f, "kind", ""), fkind) == 0 &&
				strcmp(tl_jstr(f, "namespace", ""), fns) == 0;
		}
		for (size_t j = 0; j < tl_jlen(spec, "to") && from && !to; j++) {
			json_t *t = tl_jat(spec, "to", j);
			const char *name = tl_jstr(t, "name", NULL);

			to = strcmp(tl_jstr(t, "group", ""), tgroup) == 0 &&
				strcmp(tl_jstr(t, "kind", ""), tkind) == 0 &&
				(name == NULL || *name == '\0' || strcmp(name, tname) == 0);
		}
		ok = from && to;
	}
	free(grants);
	return ok;
}

static const char *
ns_label(const struct tctx *c, const char *ns, const char *key)
{
	const struct gw_obj *o;

	/* what the API server sets on every namespace since 1.21 */
	if (strcmp(key, "kubernetes.io/metadata.name") == 0)
		return ns;
	o = gw_objcache_get(c->cache, GW_KIND_NAMESPACE, "", ns);
	return o != NULL ? tl_meta_label(o->obj, key) : NULL;
}

/* A metav1.LabelSelector against namespace @ns. Malformed selectors match nothing. */
static bool
selector_match(const struct tctx *c, const json_t *sel, const char *ns)
{
	const json_t *ml = tl_jget(sel, "matchLabels");
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)ml, key, val) {
		const char *have = ns_label(c, ns, key);

		if (!json_is_string(val) || have == NULL || strcmp(have, json_string_value(val)) != 0)
			return false;
	}
	for (size_t i = 0; i < tl_jlen(sel, "matchExpressions"); i++) {
		json_t *e = tl_jat(sel, "matchExpressions", i);
		const char *k = tl_jstr(e, "key", ""), *op = tl_jstr(e, "operator", "");
		const char *have = ns_label(c, ns, k);
		bool in = false;

		for (size_t j = 0; j < tl_jlen(e, "values"); j++) {
			json_t *v = tl_jat(e, "values", j);

			if (have != NULL && json_is_string(v) && strcmp(json_string_value(v), have) == 0)
				in = true;
		}
		if (strcmp(op, "In") == 0) {
			if (!in)
				return false;
		} else if (strcmp(op, "NotIn") == 0) {
			if (in)
				return false;
		} else if (strcmp(op, "Exists") == 0) {
			if (have == NULL)
				return false;
		} else if (strcmp(op, "DoesNotExist") == 0) {
			if (have != NULL)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

bool
tl_ns_allowed(const struct tctx *c, const struct tlistener *l, const char *ns)
{
	switch (l->from) {
	case FROM_SAME:
		return strcmp(ns, l->gw->o->ns) == 0;
	case FROM_ALL:
		return true;
	case FROM_SELECTOR:
		return selector_match(c, l->selector, ns);
	default:
		return false;
	}
}

/* ---- GatewayClasses ---- */

int
tl_do_classes(struct tctx *c)
{
	const struct gw_obj **all;
	int n = gw_objcache_list(c->cache, GW_KIND_GATEWAYCLASS, NULL, &all);

	if (n < 0)
		return n;
	c->classes = calloc((size_t)n + 1, sizeof(*c->classes));
	if (c->classes == NULL) {
		free(all);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		const struct gw_obj *o = all[i];
		const json_t *spec = tl_jget(o->obj, "spec");
		json_t *st, *conds;
		bool params = tl_jhas(spec, "parametersRef");

		if (strcmp(tl_jstr(spec, "controllerName", ""), c->p->controller_name) != 0)
			continue;
		conds = json_array();
		st = json_pack("{s:o}", "conditions", conds);
		if (st == NULL ||
				tl_cond_add(conds, tl_jget(tl_prev_status(o), "conditions"), "Accepted", !params,
					params ? "InvalidParameters" : "Accepted",
					params ? "parametersRef is not supported by dpgw" :
						"dpgw manages this class", o->generation, c->now) != 0 ||
				tl_cond_add(conds, tl_jget(tl_prev_status(o), "conditions"), "SupportedVersion",
					true, "SupportedVersion", "Gateway API v1", o->generation,
					c->now) != 0) {
			json_decref(st);
			free(all);
			return -ENOMEM;
		}
		if (tl_status_put(c, o, st) != 0) {
			free(all);
			return -ENOMEM;
		}
		if (!params)
			c->classes[c->n_classes++] = o;
	}
	free(all);
	return 0;
}

static bool
class_ours(const struct tctx *c, const char *name)
{
	for (int i = 0; i < c->n_classes; i++)
		if (strcmp(c->classes[i]->name, name) == 0)
			return true;
	return false;
}

/* ---- certificates ---- */

static unsigned char *
b64_decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in);
	unsigned char *out = malloc(n / 4 * 3 + 4);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int l1 = 0, l2 = 0;

	if (out == NULL || ctx == NULL)
		goto fail;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, out, &l1, (const unsigned char *)in, (int)n) < 0)
		goto fail;
	if (EVP_DecodeFinal(ctx, out + l1, &l2) < 0)
		goto fail;
	EVP_ENCODE_CTX_free(ctx);
	*outlen = (size_t)(l1 + l2);
	return out;
fail:
	EVP_ENCODE_CTX_free(ctx);
	free(out);
	return NULL;
}

/*
 * Load a kubernetes.io/tls Secret's tls.crt and tls.key (base64 PEM in
 * "data", or plain PEM in "stringData"): both must parse and match.
 * 0, or -EINVAL with a reason in @why.
 */
static int
load_cert(const json_t *secret, X509 **x509, EVP_PKEY **pkey, char *why, size_t len)
{
	const char *keys[2] = {"tls.crt", "tls.key"};
	unsigned char *pem[2] = {NULL, NULL};
	size_t pl[2] = {0, 0};
	BIO *bio;
	int rc = -EINVAL;

	*x509 = NULL;
	*pkey = NULL;
	for (int i = 0; i < 2; i++) {
		const char *d = tl_jstr(tl_jget(secret, "data"), keys[i], NULL);
		const char *s = tl_jstr(tl_jget(secret, "stringData"), keys[i], NULL);

		if (d != NULL) {
			pem[i] = b64_decode(d, &pl[i]);
			if (pem[i] == NULL) {
				snprintf(why, len, "%s is not valid base64", keys[i]);
				goto out;
			}
		} else if (s != NULL) {
			pem[i] = (unsigned char *)strdup(s);
			pl[i] = strlen(s);
		} else {
			snprintf(why, len, "secret has no %s", keys[i]);
			goto out;
		}
	}
	bio = BIO_new_mem_buf(pem[0], (int)pl[0]);
	*x509 = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (*x509 == NULL) {
		snprintf(why, len, "tls.crt is not a PEM certificate");
		goto out;
	}
	bio = BIO_new_mem_buf(pem[1], (int)pl[1]);
	*pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (*pkey == NULL) {
		snprintf(why, len, "tls.key is not a PEM private key");
		goto out;
	}
	if (X509_check_private_key(*x509, *pkey) != 1) {
		snprintf(why, len, "tls.key does not match the certificate in tls.crt");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	if (rc != 0) {
		X509_free(*x509);
		EVP_PKEY_free(*pkey);
		*x509 = NULL;
		*pkey = NULL;
	}
	free(pem[0]);
	free(pem[1]);
	return rc;
}

/* certificateRefs of a TLS-terminating listener (rules 5.1.5, 5.8). */
static int
listener_certs(struct tctx *c, struct tlistener *l, const json_t *tls)
{
	const struct gw_obj *gwo = l->gw->o;
	size_t n = tl_jlen(tls, "certificateRefs");
	char why[256];

	if (n == 0) {
		l->resolved = false;
		l->res_reason = "InvalidCertificateRef";
		l->res_msg = "a TLS-terminating listener needs certificateRefs";
		return 0;
	}
	l->certs = tl_arena_alloc(&c->a, n * sizeof(*l->certs));
	if (l->certs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *ref = tl_jat(tls, "certificateRefs", i);
		const char *group = tl_jstr(ref, "group", "");
		const char *kind = tl_jstr(ref, "kind", "Secret");
		const char *name = tl_jstr(ref, "name", "");
		const char *ns = tl_jstr(ref, "namespace", gwo->ns);
		const struct gw_obj *sec;
		struct gw_translate_cert *cert;
		X509 *x;
		EVP_PKEY *k;

		if (*group != '\0' || strcmp(kind, "Secret") != 0) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = tl_arena_printf(&c->a, "certificateRefs[%zu]: %s/%s is not a Secret",
				i, group, kind);
			return 0;
		}
		if (!tl_ref_allowed(c, GW_GROUP, "Gateway", gwo->ns, "", "Secret", ns, name)) {
			l->resolved = false;
			l->res_reason = "RefNotPermitted";
			l->res_msg = tl_arena_printf(&c->a, "certificateRefs[%zu]: Secret %s/%s: "
				"no ReferenceGrant in %s allows it", i, ns, name, ns);
			return 0;
		}
		sec = gw_objcache_get(c->cache, GW_KIND_SECRET, ns, name);
		if (sec == NULL) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = tl_arena_printf(&c->a, "certificateRefs[%zu]: Secret %s/%s not found",
				i, ns, name);
			return 0;
		}
		if (load_cert(sec->obj, &x, &k, why, sizeof(why)) != 0) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = tl_arena_printf(&c->a,
				"certificateRefs[%zu]: Secret %s/%s: %s", i, ns, name, why);
			return 0;
		}
		cert = &l->certs[l->n_certs++];
		snprintf(cert->listener, sizeof(cert->listener), "%s", l->fullname);
		snprintf(cert->secret, sizeof(cert->secret), "%s/%s", ns, name);
		cert->x509 = x;
		cert->pkey = k;
		if (tl_vec_push(&c->certs, cert) != 0) {
			X509_free(x);
			EVP_PKEY_free(k);
			cert->x509 = cert->pkey = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- Gateways and listeners ---- */

static enum proto
proto_parse(const char *s)
{
	for (int i = 0; i < P_OTHER; i++)
		if (strcmp(s, proto_names[i]) == 0)
			return (enum proto)i;
	return P_OTHER;
}

static void
listener_invalid(struct tlistener *l, const char *reason, const char *msg)
{
	if (!l->accepted)
		return; /* the first reason stays */
	l->accepted = false;
	l->acc_reason = reason;
	l->acc_msg = msg;
}

static int
listener_parse(struct tctx *c, struct tgateway *g, struct tlistener *l, const json_t *spec)
{
	const json_t *ar = tl_jget(spec, "allowedRoutes");
	const json_t *ns = tl_jget(ar, "namespaces");
	const char *from = tl_jstr(ns, "from", "Same");
	const json_t *tls = tl_jget(spec, "tls");
	int64_t port = tl_jint(spec, "port", 0);
	uint32_t allowed;

	l->gw = g;
	l->spec = spec;
	l->name = tl_jstr(spec, "name", "");
	l->proto_str = tl_jstr(spec, "protocol", "");
	l->proto = proto_parse(l->proto_str);
	l->hostname = tl_jstr(spec, "hostname", NULL);
	if (l->hostname != NULL && *l->hostname == '\0')
		l->hostname = NULL;
	l->fullname = tl_arena_printf(&c->a, "%s/%s/%s", g->o->ns, g->o->name, l->name);
	l->accepted = true;
	l->acc_reason = "Accepted";
	l->resolved = true;
	l->res_reason = "ResolvedRefs";
	l->conf_reason = "NoConflicts";
	l->kinds_json = json_array();
	if (l->fullname == NULL || l->kinds_json == NULL)
		return -ENOMEM;

	if (*l->name == '\0')
		listener_invalid(l, "UnsupportedValue", "listener has no name");
	if (port < 1 || port > 65535)
		listener_invalid(l, "PortUnavailable",
			tl_arena_printf(&c->a, "port %" PRId64 " is not 1-65535", port));
	l->port = (uint16_t)(port >= 1 && port <= 65535 ? port : 0);
	if (l->proto == P_OTHER)
		listener_invalid(l, "UnsupportedProtocol",
			tl_arena_printf(&c->a, "protocol \"%s\" is not supported (HTTP, HTTPS, TLS, TCP, UDP)",
				l->proto_str));
	if (l->proto == P_TCP || l->proto == P_UDP)
		l->hostname = NULL; /* hostname does not apply to TCP and UDP */
	if (l->hostname != NULL) {
		char *h = tl_arena_strdup(&c->a, l->hostname);

		if (h == NULL)
			return -ENOMEM;
		for (char *q = h; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		l->hostname = h;
	}

	/* TLS mode and certificates */
	if (l->proto == P_HTTPS || l->proto == P_TLS) {
		const char *mode = tl_jstr(tls, "mode", "Terminate");

		if (tls == NULL || json_is_null(tls)) {
			listener_invalid(l, "UnsupportedValue",
				tl_arena_printf(&c->a, "a %s listener needs a tls block", l->proto_str));
		} else if (strcmp(mode, "Passthrough") == 0) {
			if (l->proto == P_HTTPS)
				listener_invalid(l, "UnsupportedValue",
					"HTTPS listeners terminate TLS: tls.mode Passthrough is for TLS listeners");
			l->tls_passthrough = true;
		} else if (strcmp(mode, "Terminate") == 0) {
			if (listener_certs(c, l, tls) != 0)
				return -ENOMEM;
		} else {
			listener_invalid(l, "UnsupportedValue",
				tl_arena_printf(&c->a, "tls.mode \"%s\" is not Terminate or Passthrough", mode));
		}
	}

	/* allowedRoutes.kinds (rules 5.2.2) */
	allowed = proto_kinds(l->proto);
	if (tl_jlen(ar, "kinds") > 0) {
		for (size_t i = 0; i < tl_jlen(ar, "kinds"); i++) {
			json_t *k = tl_jat(ar, "kinds", i);
			const char *group = tl_jstr(k, "group", GW_GROUP);
			const char *kind = tl_jstr(k, "kind", "");
			int kk = strcmp(group, GW_GROUP) == 0 ? gw_kind_parse(kind) : -EINVAL;

			if (kk >= 0 && strcmp(gw_kind_name((enum gw_kind)kk), kind) != 0)
				kk = -EINVAL; /* kinds are written exactly */
			if (kk >= 0 && (allowed & KB(kk)) != 0) {
				l->kinds |= KB(kk);
			} else if (l->resolved) {
				l->resolved = false;
				l->res_reason = "InvalidRouteKinds";
				l->res_msg = tl_arena_printf(&c->a, "%s/%s is not a route kind "
					"a %s listener takes", group, kind, l->proto_str);
			}
		}
	} else {
		l->kinds = allowed;
	}
	for (int k = 0; k < GW_KIND_COUNT; k++)
		if ((l->kinds & KB(k)) != 0 &&
				json_array_append_new(l->kinds_json, json_pack("{s:s, s:s}", "group",
					GW_GROUP, "kind", gw_kind_name((enum gw_kind)k))) != 0)
			return -ENOMEM;

	if (strcmp(from, "Same") == 0) {
		l->from = FROM_SAME;
	} else if (strcmp(from, "All") == 0) {
		l->from = FROM_ALL;
	} else if (strcmp(from, "None") == 0) {
		l->from = FROM_NONE;
	} else if (strcmp(from, "Selector") == 0) {
		l->from = FROM_SELECTOR;
		l->selector = tl_jget(ns, "selector");
		if (!json_is_object(l->selector))
			listener_invalid(l, "UnsupportedValue",
				"allowedRoutes.namespaces.from Selector needs a selector");
	} else {
		l->from = FROM_NONE;
		listener_invalid(l, "UnsupportedValue",
			tl_arena_printf(&c->a, "allowedRoutes.namespaces.from \"%s\" is not Same, All, "
				"Selector or None", from));
	}
	return c->a.failed ? -ENOMEM : 0;
}

static bool
same_transport(enum proto a, enum proto b)
{
	return (a == P_UDP) == (b == P_UDP);
}

static bool
host_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

/* Listener distinctness (rules 5.1.1): mark both sides of every clash. */
static void
listeners_conflicts(struct tgateway *g)
{
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *a = &g->listeners[i];

		for (unsigned int j = i + 1; j < g->n_listeners; j++) {
			struct tlistener *b = &g->listeners[j];
			const char *why = NULL;

			if (a->proto == P_OTHER || b->proto == P_OTHER || a->port != b->port ||
					a->port == 0 || !same_transport(a->proto, b->proto))
				continue;
			if (a->proto != b->proto || a->proto == P_TCP || a->proto == P_UDP)
				why = "ProtocolConflict";
			else if (host_eq(a->hostname, b->hostname))
				why = "HostnameConflict";
			if (why == NULL)
				continue;
			if (!a->conflicted) {
				a->conflicted = true;
				a->conf_reason = why;
			}
			if (!b->conflicted) {
				b->conflicted = true;
				b->conf_reason = why;
			}
		}
	}
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *l = &g->listeners[i];

		if (l->conflicted)
			listener_invalid(l, l->conf_reason, strcmp(l->conf_reason, "HostnameConflict") == 0 ?
				"another listener on this port has the same hostname" :
				"another listener on this port has an incompatible protocol");
	}
	for (unsigned int i = 0; i < g->n_listeners; i++)
		for (unsigned int j = i + 1; j < g->n_listeners; j++)
			if (strcmp(g->listeners[i].name, g->listeners[j].name) == 0)
				listener_invalid(&g->listeners[j], "UnsupportedValue",
					"listener name used twice in this Gateway");
}

static bool
listener_live(const struct tlistener *l)
{
	return l->accepted && !l->conflicted && l->gw->n_vips > 0 && l->gw->accepted;
}

/* Claim spec.addresses from the pool (rules: UnsupportedAddress otherwise). */
static int
gateway_addresses(struct tctx *c, struct tgateway *g)
{
	const json_t *spec = tl_jget(g->o->obj, "spec");
	size_t n = tl_jlen(spec, "addresses");

	for (size_t i = 0; i < n; i++) {
		json_t *a = tl_jat(spec, "addresses", i);
		const char *type = tl_jstr(a, "type", "IPAddress"), *val = tl_jstr(a, "value", "");
		struct gw_translate_vip ip;
		int k;

		if (strcmp(type, "IPAddress") != 0 && strcmp(type, GW_GROUP "/IPAddress") != 0) {
			g->acc_msg = tl_arena_printf(&c->a, "addresses[%zu]: type %s is not "
				"supported (IPAddress only)", i, type);
			goto bad;
		}
		if (tl_parse_ip(val, &ip) != 0) {
			g->acc_msg = tl_arena_printf(&c->a, "addresses[%zu]: \"%s\" is not an IP address",
				i, val);
			goto bad;
		}
		k = pool_index(c, &ip);
		if (k < 0) {
			/* a well-formed static address we cannot use: Programmed, not Accepted */
			g->programmed = false;
			g->prog_reason = "AddressNotUsable";
			g->prog_msg = tl_arena_printf(&c->a, "addresses[%zu]: %s is not in the "
				"vips pool of dpgw.conf", i, val);
			continue;
		}
		if (c->vip_used[k]) {
			g->programmed = false;
			g->prog_reason = "AddressNotUsable";
			g->prog_msg = tl_arena_printf(&c->a, "%s is already used by an older Gateway", val);
			continue;
		}
		if (g->n_vips < TL_MAX_VIPS) {
			c->vip_used[k] = 1;
			g->vips[g->n_vips++] = ip;
		}
	}
	return 0;
bad:
	g->accepted = false;
	g->acc_reason = "UnsupportedAddress";
	return 0;
}

int
tl_do_gateways(struct tctx *c)
{
	const struct gw_obj **all;
	int n = gw_objcache_list(c->cache, GW_KIND_GATEWAY, NULL, &all);
	int rc = 0;

	if (n < 0)
		return n;
	qsort(all, (size_t)n, sizeof(*all), tl_age_cmp_ptr);
	for (int i = 0; i < n && rc == 0; i++) {
		const struct gw_obj *o = all[i];
		const json_t *spec = tl_jget(o->obj, "spec");
		struct tgateway *g;

		if (!class_ours(c, tl_jstr(spec, "gatewayClassName", "")))
			continue;
		g = tl_arena_alloc(&c->a, sizeof(*g));
		if (g == NULL || tl_vec_push(&c->gateways, g) != 0) {
			rc = -ENOMEM;
			break;
		}
		g->o = o;
		g->accepted = true;
		g->acc_reason = "Accepted";
		g->programmed = true;
		g->prog_reason = "Programmed";
		g->n_listeners = (unsigned int)tl_jlen(spec, "listeners");
		g->listeners = tl_arena_alloc(&c->a, (g->n_listeners + 1) * sizeof(*g->listeners));
		if (g->listeners == NULL) {
			rc = -ENOMEM;
			break;
		}
		for (unsigned int j = 0; j < g->n_listeners && rc == 0; j++)
			rc = listener_parse(c, g, &g->listeners[j], tl_jat(spec, "listeners", j));
		if (rc == 0)
			rc = gateway_addresses(c, g);
		if (rc == 0)
			listeners_conflicts(g);
	}
	free(all);
	if (rc != 0)
		return rc;

	/*
	 * Gateways without spec.addresses: keep the VIP they were given last
	 * time if it is still free, so an unrelated change never moves a
	 * Gateway's address; then hand out the free ones in pool order.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < c->gateways.n; i++) {
			struct tgateway *g = c->gateways.v[i];
			const json_t *prev = tl_jget(tl_prev_status(g->o), "addresses");
			struct gw_translate_vip ip;
			int k = -1;

			if (tl_jlen(tl_jget(g->o->obj, "spec"), "addresses") > 0 || g->n_vips > 0 ||
					!g->accepted)
				continue;
			if (pass == 0) {
				if (json_array_size(prev) > 0 &&
						tl_parse_ip(tl_jstr(json_array_get(prev, 0), "value", ""), &ip) == 0)
					k = pool_index(c, &ip);
				if (k < 0 || c->vip_used[k])
					continue;
			} else {
				for (unsigned int v = 0; v < c->p->n_vips && k < 0; v++)
					if (!c->vip_used[v])
						k = (int)v;
				if (k < 0) {
					g->programmed = false;
					g->prog_reason = "AddressNotAssigned";
					g->prog_msg = "no free address left in the vips pool of dpgw.conf";
					continue;
				}
			}
			c->vip_used[k] = 1;
			g->vips[g->n_vips++] = c->p->vips[k];
		}
	}

	for (unsigned int i = 0; i < c->gateways.n; i++) {
		struct tgateway *g = c->gateways.v[i];
		unsigned int bad = 0;

		for (unsigned int j = 0; j < g->n_listeners; j++)
			bad += !g->listeners[j].accepted;
		if (g->accepted && bad > 0) {
			/* Accepted stays True while some listener works (gateway_types.go) */
			g->acc_reason = "ListenersNotValid";
			g->acc_msg = tl_arena_printf(&c->a, "%u of %u listeners are not valid", bad,
				g->n_listeners);
			if (bad == g->n_listeners)
				g->accepted = false;
		}
		if (g->n_listeners == 0 && g->accepted) {
			g->accepted = false;
			g->acc_reason = "ListenersNotValid";
			g->acc_msg = "the Gateway has no listeners";
		}
		if (!g->accepted && g->programmed) {
			g->programmed = false;
			g->prog_reason = "Invalid";
			g->prog_msg = "the Gateway is not accepted";
		}
		if (g->n_vips == 0 && g->programmed) {
			g->programmed = false;
			g->prog_reason = "AddressNotAssigned";
			g->prog_msg = "no usable address";
		}
	}
	return c->a.failed ? -ENOMEM : 0;
}

/* ---- Gateway status ---- */

bool
tl_listener_programmed(const struct tlistener *l)
{
	/* invalid route kinds alone leave the listener serving its valid kinds */
	return listener_live(l) && (l->resolved || (strcmp(l->res_reason, "InvalidRouteKinds") == 0 &&
		l->kinds != 0));
}

int
tl_gateway_status(struct tctx *c, struct tgateway *g)
{
	const json_t *prev = tl_prev_status(g->o);
	json_t *st = json_object(), *addrs = json_array(), *conds = json_array();
	json_t *ls = json_array();
	int64_t gen = g->o->generation;

	if (st == NULL || addrs == NULL || conds == NULL || ls == NULL)
		goto nomem;
	for (unsigned int i = 0; i < g->n_vips; i++) {
		char buf[INET6_ADDRSTRLEN];

		if (json_array_append_new(addrs, json_pack("{s:s, s:s}", "type", "IPAddress",
				"value", tl_ip_str(&g->vips[i], buf, sizeof(buf)))) != 0)
			goto nomem;
	}
	if (tl_cond_add(conds, tl_jget(prev, "conditions"), "Accepted", g->accepted, g->acc_reason,
			g->acc_msg, gen, c->now) != 0 ||
			tl_cond_add(conds, tl_jget(prev, "conditions"), "Programmed", g->programmed,
				g->prog_reason, g->prog_msg, gen, c->now) != 0)
		goto nomem;
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *l = &g->listeners[i];
		const json_t *pl = NULL, *pc;
		json_t *lc = json_array(), *le;
		bool prog = tl_listener_programmed(l);

		for (size_t k = 0; k < tl_jlen(prev, "listeners"); k++)
			if (strcmp(tl_jstr(tl_jat(prev, "listeners", k), "name", ""), l->name) == 0)
				pl = tl_jat(prev, "listeners", k);
		pc = tl_jget(pl, "conditions");
		le = json_pack("{s:s, s:o, s:i, s:o}", "name", l->name, "supportedKinds",
			l->kinds_json, "attachedRoutes", (int)l->attached, "conditions", lc);
		l->kinds_json = NULL; /* moved */
		if (le == NULL || json_array_append_new(ls, le) != 0 ||
				tl_cond_add(lc, pc, "Accepted", l->accepted, l->acc_reason, l->acc_msg, gen,
					c->now) != 0 ||
				json_array_append_new(lc, tl_condition(pc, "Conflicted",
					l->conflicted ? "True" : "False", l->conf_reason,
					l->conflicted ? l->acc_msg : "", gen, c->now)) != 0 ||
				tl_cond_add(lc, pc, "ResolvedRefs", l->resolved, l->res_reason, l->res_msg, gen,
					c->now) != 0 ||
				tl_cond_add(lc, pc, "Programmed", prog, prog ? "Programmed" :
					!l->gw->accepted || !l->accepted ? "Invalid" :
					l->gw->n_vips == 0 ? "Pending" : "Invalid",
					prog ? "" : l->gw->n_vips == 0 ? "the Gateway has no address" :
					"the listener is not valid", gen, c->now) != 0)
			goto nomem;
	}
	if (json_object_set_new(st, "addresses", addrs) != 0 ||
			json_object_set_new(st, "conditions", conds) != 0 ||
			json_object_set_new(st, "listeners", ls) != 0) {
		addrs = conds = ls = NULL;
		goto nomem;
	}
	return tl_status_put(c, g->o, st);
nomem:
	json_decref(addrs);
	json_decref(conds);
	json_decref(ls);
	json_decref(st);
	return -ENOMEM;
}

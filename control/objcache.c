/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The object cache: one chained hash table per kind, keyed by namespace
 * and name, so put/get/delete stay O(1) with tens of thousands of routes
 * and listing one kind never walks the others. Each entry is one
 * allocation: the public struct gw_obj followed by its ns, name and
 * origin strings, so a replaced object is simply a new entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "objcache.h"

#define OC_INIT_BUCKETS 64u
/* 2000-01-01T00:00:00Z: the first synthetic creationTimestamp. */
#define OC_SYNTH_EPOCH 946684800
#define OC_NAME_MAX 253
#define OC_LABEL_MAX 63

struct oc_entry {
	struct gw_obj o;        /* first: handed out as const struct gw_obj * */
	struct oc_entry *next;  /* hash chain */
	uint64_t hash;
	char strs[];            /* ns\0name\0origin\0 */
};

struct oc_table {
	struct oc_entry **buckets;
	size_t n_buckets;       /* a power of two */
	size_t count;
};

struct gw_objcache {
	pthread_mutex_t lock;
	uint64_t version;
	uint64_t created;       /* objects ever inserted: synthetic timestamps */
	struct oc_table t[GW_KIND_COUNT];
};

struct oc_kind_info {
	const char *name;
	const char *plural;
	const char *group;
	const char *short_name;         /* NULL: none */
	bool namespaced;
	const char *versions[4];        /* NULL-terminated */
};

static const struct oc_kind_info kinds[GW_KIND_COUNT] = {
	[GW_KIND_GATEWAYCLASS] = { "GatewayClass", "gatewayclasses", "gateway.networking.k8s.io",
		"gc", false, { "v1", "v1beta1", NULL } },
	[GW_KIND_GATEWAY] = { "Gateway", "gateways", "gateway.networking.k8s.io",
		"gtw", true, { "v1", "v1beta1", NULL } },
	[GW_KIND_HTTPROUTE] = { "HTTPRoute", "httproutes", "gateway.networking.k8s.io",
		NULL, true, { "v1", "v1beta1", NULL } },
	[GW_KIND_GRPCROUTE] = { "GRPCRoute", "grpcroutes", "gateway.networking.k8s.io",
		NULL, true, { "v1", "v1alpha2", NULL } },
	[GW_KIND_TCPROUTE] = { "TCPRoute", "tcproutes", "gateway.networking.k8s.io",
		NULL, true, { "v1alpha2", NULL } },
	[GW_KIND_UDPROUTE] = { "UDPRoute", "udproutes", "gateway.networking.k8s.io",
		NULL, true, { "v1alpha2", NULL } },
	[GW_KIND_TLSROUTE] = { "TLSRoute", "tlsroutes", "gateway.networking.k8s.io",
		NULL, true, { "v1", "v1alpha3", "v1alpha2", NULL } },
	[GW_KIND_REFERENCEGRANT] = { "ReferenceGrant", "referencegrants",
		"gateway.networking.k8s.io", "refgrant", true,
		{ "v1", "v1beta1", "v1alpha2", NULL } },
	[GW_KIND_SERVICE] = { "Service", "services", "", "svc", true, { "v1", NULL } },
	[GW_KIND_ENDPOINTSLICE] = { "EndpointSlice", "endpointslices", "discovery.k8s.io",
		NULL, true, { "v1", NULL } },
	[GW_KIND_SECRET] = { "Secret", "secrets", "", NULL, true, { "v1", NULL } },
	[GW_KIND_NAMESPACE] = { "Namespace", "namespaces", "", "ns", false, { "v1", NULL } },
};

/* ---- kinds ---- */

static bool
kind_valid(enum gw_kind k)
{
	return (unsigned int)k < GW_KIND_COUNT;
}

const char *
gw_kind_name(enum gw_kind k)
{
	return kind_valid(k) ? kinds[k].name : "?";
}

const char *
gw_kind_plural(enum gw_kind k)
{
	return kind_valid(k) ? kinds[k].plural : "?";
}

const char *
gw_kind_group(enum gw_kind k)
{
	return kind_valid(k) ? kinds[k].group : "?";
}

bool
gw_kind_namespaced(enum gw_kind k)
{
	return kind_valid(k) && kinds[k].namespaced;
}

int
gw_kind_parse(const char *s)
{
	const char *dot;
	size_t n;

	if (s == NULL)
		return -EINVAL;
	/* "httproutes.gateway.networking.k8s.io", as kubectl takes it. */
	dot = strchr(s, '.');
	n = dot != NULL ? (size_t)(dot - s) : strlen(s);
	if (n == 0)
		return -EINVAL;
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		const struct oc_kind_info *ki = &kinds[k];
		size_t ln = strlen(ki->name);

		if (dot != NULL && strcasecmp(dot + 1, ki->group) != 0)
			continue;
		if ((n == ln && strncasecmp(s, ki->name, n) == 0) ||
				(n == strlen(ki->plural) && strncasecmp(s, ki->plural, n) == 0) ||
				(ki->short_name != NULL && n == strlen(ki->short_name) &&
					strncasecmp(s, ki->short_name, n) == 0))
			return k;
	}
	return -EINVAL;
}

int
gw_kind_from_object(const char *api_version, const char *kind)
{
	const char *slash, *group, *version;
	size_t glen;

	if (api_version == NULL || kind == NULL)
		return -EINVAL;
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		const struct oc_kind_info *ki = &kinds[k];

		/* Kinds are case-sensitive in the API: "httproute" is not one. */
		if (strcmp(kind, ki->name) != 0)
			continue;
		slash = strchr(api_version, '/');
		if (slash == NULL) {
			group = "";
			glen = 0;
			version = api_version;
		} else {
			group = api_version;
			glen = (size_t)(slash - api_version);
			version = slash + 1;
		}
		if (glen != strlen(ki->group) || strncmp(group, ki->group, glen) != 0)
			return -EPROTO;
		for (int v = 0; ki->versions[v] != NULL; v++)
			if (strcmp(version, ki->versions[v]) == 0)
				return k;
		return -EPROTO;
	}
	return -EINVAL;
}

/* ---- validation ---- */

static bool
is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 bytes. */
static bool
dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > OC_LABEL_MAX)
		return false;
	if (!is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* DNS-1123 subdomain: labels (of any length) joined by dots, at most 253 bytes. */
static bool
dns_subdomain(const char *s)
{
	size_t n = strlen(s);
	char prev = '.';

	if (n == 0 || n > OC_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (!is_alnum_lower(prev))
				return false;
		} else if (c == '-') {
			if (prev == '.')
				return false;
		} else if (!is_alnum_lower(c)) {
			return false;
		}
		prev = c;
	}
	return is_alnum_lower(prev);
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), without timegm's TZ games. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
 * Returns 0 with the seconds since the epoch, or -1.
 */
static int
rfc3339_parse(const char *s, int64_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (strlen(s) < 20)
		return -1;
	if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
			digits(s + 8, 2, &d) < 0 || (s[10] != 'T' && s[10] != 't') ||
			digits(s + 11, 2, &h) < 0 || s[13] != ':' || digits(s + 14, 2, &mi) < 0 ||
			s[16] != ':' || digits(s + 17, 2, &sec) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '+' ? 1 : -1;
		if (digits(s + i + 1, 2, &oh) < 0 || s[i + 3] != ':' ||
				digits(s + i + 4, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
		i += 6;
	} else {
		return -1;
	}
	if (s[i] != '\0')
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		sign * (oh * 3600 + om * 60);
	return 0;
}

static bool
string_map(const json_t *m)
{
	const char *k;
	json_t *v;

	if (!json_is_object(m))
		return false;
	json_object_foreach((json_t *)(uintptr_t)m, k, v)
		if (!json_is_string(v))
			return false;
	return true;
}

/* "HTTPRoute default/foo" or "GatewayClass foo", for messages. */
static void
obj_label(char *buf, size_t len, int kind, const char *ns, const char *name)
{
	if (ns != NULL && ns[0] != '\0')
		snprintf(buf, len, "%s %s/%s", gw_kind_name(kind), ns, name);
	else
		snprintf(buf, len, "%s %s", gw_kind_name(kind), name);
}

#define OC_ERR(...)                                                                                \
	do {                                                                                       \
		if (err != NULL && errlen > 0)                                                     \
			snprintf(err, errlen, __VA_ARGS__);                                        \
	} while (0)

int
gw_objcache_check(const json_t *obj, enum gw_kind *kindp, const char **nsp, const char **namep,
	char *err, size_t errlen)
{
	const char *av, *ks, *ns, *name;
	json_t *md, *v;
	char who[320];
	int kind;
	int64_t ts;

	if (!json_is_object(obj)) {
		OC_ERR("object: not a JSON object");
		return -EINVAL;
	}
	av = json_string_value(json_object_get(obj, "apiVersion"));
	ks = json_string_value(json_object_get(obj, "kind"));
	if (av == NULL || ks == NULL) {
		OC_ERR("object: %s: must be a string",
			av == NULL ? "apiVersion" : "kind");
		return -EINVAL;
	}
	md = json_object_get(obj, "metadata");
	name = json_string_value(json_object_get(md, "name"));
	kind = gw_kind_from_object(av, ks);
	if (kind == -EINVAL) {
		OC_ERR("skipped %s %s %s: not a kind the gateway reads", av, ks,
			name != NULL ? name : "(no name)");
		return 1;
	}
	if (kind == -EPROTO) {
		int k = -1;

		for (int i = 0; i < GW_KIND_COUNT; i++)
			if (strcmp(ks, kinds[i].name) == 0)
				k = i;
		OC_ERR("%s %s: apiVersion \"%s\" is not served (use %s%s%s)", ks,
			name != NULL ? name : "(no name)", av, kinds[k].group,
			kinds[k].group[0] != '\0' ? "/" : "", kinds[k].versions[0]);
		return -EINVAL;
	}
	if (!json_is_object(md)) {
		OC_ERR("%s: metadata: must be an object", ks);
		return -EINVAL;
	}
	if (name == NULL) {
		OC_ERR("%s: metadata.name: required, a string", ks);
		return -EINVAL;
	}
	v = json_object_get(md, "namespace");
	if (!kinds[kind].namespaced) {
		ns = "";
	} else if (v == NULL || json_is_null(v) ||
			(json_is_string(v) && json_string_value(v)[0] == '\0')) {
		ns = "default";
	} else if (!json_is_string(v)) {
		OC_ERR("%s %s: metadata.namespace: must be a string", ks, name);
		return -EINVAL;
	} else {
		ns = json_string_value(v);
		if (!dns_label(ns)) {
			OC_ERR("%s %.64s/%s: metadata.namespace: must be a DNS label", ks, ns,
				name);
			return -EINVAL;
		}
	}
	obj_label(who, sizeof(who), kind, ns, name);
	/* A Namespace's name is a namespace, so a label like any namespace. */
	if (kind == GW_KIND_NAMESPACE ? !dns_label(name) : !dns_subdomain(name)) {
		OC_ERR("%s: metadata.name: must be a DNS %s", who,
			kind == GW_KIND_NAMESPACE ? "label" : "subdomain");
		return -EINVAL;
	}
	v = json_object_get(obj, "spec");
	if (v != NULL && !json_is_object(v)) {
		OC_ERR("%s: spec: must be an object", who);
		return -EINVAL;
	}
	v = json_object_get(md, "labels");
	if (v != NULL && !json_is_null(v) && !string_map(v)) {
		OC_ERR("%s: metadata.labels: must be a map of strings", who);
		return -EINVAL;
	}
	v = json_object_get(md, "annotations");
	if (v != NULL && !json_is_null(v) && !string_map(v)) {
		OC_ERR("%s: metadata.annotations: must be a map of strings", who);
		return -EINVAL;
	}
	v = json_object_get(md, "generation");
	if (v != NULL && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0)) {
		OC_ERR("%s: metadata.generation: must be a non-negative integer", who);
		return -EINVAL;
	}
	v = json_object_get(md, "creationTimestamp");
	if (v != NULL && !json_is_null(v) &&
			(!json_is_string(v) || rfc3339_parse(json_string_value(v), &ts) < 0)) {
		OC_ERR("%s: metadata.creationTimestamp: must be an RFC 3339 time "
			"(2006-01-02T15:04:05Z)", who);
		return -EINVAL;
	}
	if (kindp != NULL)
		*kindp = kind;
	if (nsp != NULL)
		*nsp = ns;
	if (namep != NULL)
		*namep = name;
	return 0;
}

/* ---- hash table ---- */

static uint64_t
key_hash(const char *ns, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)ns; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	h = (h ^ '/') * 0x100000001b3ull;
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	/* FNV's low bits are weak; fold the high ones in for the bucket mask. */
	return h ^ (h >> 29) ^ (h >> 47);
}

static struct oc_entry **
table_slot(const struct oc_table *t, uint64_t h, const char *ns, const char *name)
{
	struct oc_entry **pp;

	if (t->n_buckets == 0)
		return NULL;
	for (pp = &t->buckets[h & (t->n_buckets - 1)]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && strcmp((*pp)->o.ns, ns) == 0 &&
				strcmp((*pp)->o.name, name) == 0)
			return pp;
	return NULL;
}

static int
table_grow(struct oc_table *t)
{
	size_t n = t->n_buckets != 0 ? t->n_buckets * 2 : OC_INIT_BUCKETS;
	struct oc_entry **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct oc_entry *e = t->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
	return 0;
}

static void
entry_free(struct oc_entry *e)
{
	json_decref(e->o.obj);
	json_decref(e->o.status);
	free(e);
}

/* For cluster-scoped kinds the namespace is "" whatever the caller says. */
static const char *
norm_ns(enum gw_kind kind, const char *ns)
{
	if (!kinds[kind].namespaced)
		return "";
	return ns != NULL ? ns : "default";
}

/* ---- the cache ---- */

struct gw_objcache *
gw_objcache_new(void)
{
	struct gw_objcache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void
gw_objcache_free(struct gw_objcache *c)
{
	if (c == NULL)
		return;
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		struct oc_table *t = &c->t[k];

		for (size_t i = 0; i < t->n_buckets; i++) {
			struct oc_entry *e = t->buckets[i], *next;

			for (; e != NULL; e = next) {
				next = e->next;
				entry_free(e);
			}
		}
		free(t->buckets);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
gw_objcache_lock(struct gw_objcache *c)
{
	pthread_mutex_lock(&c->lock);
}

void
gw_objcache_unlock(struct gw_objcache *c)
{
	pthread_mutex_unlock(&c->lock);
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* "2006-01-02T15:04:05Z" (@len at least 21) without gmtime_r/strftime. */
static void
format_time(char *buf, size_t len, int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, sec = t - days * 86400;
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);

	if (y < 0 || y > 9999 || len < 21) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	put2(buf, (int)(y / 100));
	put2(buf + 2, (int)(y % 100));
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, (int)(sec / 3600));
	buf[13] = ':';
	put2(buf + 14, (int)(sec / 60 % 60));
	buf[16] = ':';
	put2(buf + 17, (int)(sec % 60));
	buf[19] = 'Z';
	buf[20] = '\0';
}

/* A UUID-shaped id that depends only on kind/ns/name: reloads keep it. */
static void
derive_uid(char *buf, size_t len, enum gw_kind kind, const char *ns, const char *name)
{
	uint64_t a = key_hash(ns, name) ^ ((uint64_t)kind * 0x9e3779b97f4a7c15ull);
	uint64_t b = 0x84222325cbf29ce4ull;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		b = (b ^ *p) * 0x100000001b3ull;
	b ^= a * 0xff51afd7ed558ccdull;
	snprintf(buf, len, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-8%03" PRIx64 "-%012" PRIx64,
		a >> 32, (a >> 16) & 0xffff, a & 0xfff, b >> 52, b & (uint64_t)0xffffffffffff);
}

/*
 * Whether the object's content (everything but metadata and status)
 * changed: that is "spec" for kinds that have one, and what an API server
 * bumps generation for in kinds that do not (EndpointSlice, Secret).
 */
static bool
content_changed(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)a, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "status") == 0)
			continue;
		if (!json_equal(v, json_object_get(b, k)))
			return true;
	}
	json_object_foreach((json_t *)(uintptr_t)b, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "status") == 0)
			continue;
		if (json_object_get(a, k) == NULL)
			return true;
	}
	return false;
}

int
gw_objcache_put(struct gw_objcache *c, json_t *obj, const char *origin, char *err, size_t errlen)
{
	enum gw_kind kind;
	const char *ns, *name;
	int rc;

	rc = gw_objcache_check(obj, &kind, &ns, &name, err, errlen);
	if (rc != 0) {
		json_decref(obj);
		return rc;
	}
	return gw_objcache_put_checked(c, obj, kind, ns, name, origin, err, errlen);
}

/* Decimal digits of @v into @buf (at least 21 bytes). */
static void
format_u64(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

int
gw_objcache_put_checked(struct gw_objcache *c, json_t *obj, enum gw_kind kind, const char *ns,
	const char *name, const char *origin, char *err, size_t errlen)
{
	struct oc_entry **slot, *old, *e;
	size_t lns, lname, lorig;
	struct oc_table *t;
	json_t *md, *v;
	char buf[64];
	uint64_t h;

	if (origin == NULL)
		origin = "";
	t = &c->t[kind];
	h = key_hash(ns, name);
	slot = table_slot(t, h, ns, name);
	old = slot != NULL ? *slot : NULL;
	if (old == NULL && t->count >= t->n_buckets && table_grow(t) < 0)
		goto nomem;
	lns = strlen(ns);
	lname = strlen(name);
	lorig = strlen(origin);
	e = malloc(sizeof(*e) + lns + lname + lorig + 3);
	if (e == NULL)
		goto nomem;
	memset(&e->o, 0, sizeof(e->o));
	e->hash = h;
	/* ns and name point into obj, which is about to change: copy first. */
	memcpy(e->strs, ns, lns + 1);
	memcpy(e->strs + lns + 1, name, lname + 1);
	memcpy(e->strs + lns + lname + 2, origin, lorig + 1);
	e->o.kind = kind;
	e->o.ns = e->strs;
	e->o.name = e->strs + lns + 1;
	e->o.origin = e->strs + lns + lname + 2;

	md = json_object_get(obj, "metadata");
	json_object_del(obj, "status");
	if (kinds[kind].namespaced) {
		v = json_object_get(md, "namespace");
		/* Mostly given, and right: keep it rather than allocate the same again. */
		if ((!json_is_string(v) || strcmp(json_string_value(v), e->o.ns) != 0) &&
				json_object_set_new(md, "namespace", json_string(e->o.ns)) < 0)
			goto nomem_e;
	} else {
		json_object_del(md, "namespace");
	}

	v = json_object_get(md, "generation");
	if (json_is_integer(v))
		e->o.generation = json_integer_value(v);
	else if (old == NULL)
		e->o.generation = 1;
	else if (old->o.generation < INT64_MAX)
		e->o.generation = old->o.generation + content_changed(old->o.obj, obj);
	else
		e->o.generation = old->o.generation;
	if (!json_is_integer(v) &&
			json_object_set_new(md, "generation", json_integer(e->o.generation)) < 0)
		goto nomem_e;

	v = json_object_get(md, "creationTimestamp");
	if (json_is_string(v)) {
		rfc3339_parse(json_string_value(v), &e->o.created);
	} else {
		e->o.created = old != NULL ? old->o.created : OC_SYNTH_EPOCH + (int64_t)c->created;
		if (old != NULL)
			v = json_object_get(json_object_get(old->o.obj, "metadata"),
				"creationTimestamp");
		if (old != NULL && json_is_string(v)) {
			/* Strings in the cache are never edited: share it. */
			v = json_incref(v);
		} else {
			format_time(buf, sizeof(buf), e->o.created);
			v = json_string(buf);
		}
		if (json_object_set_new(md, "creationTimestamp", v) < 0)
			goto nomem_e;
	}

	if (!json_is_string(json_object_get(md, "uid"))) {
		derive_uid(buf, sizeof(buf), kind, e->o.ns, e->o.name);
		if (json_object_set_new(md, "uid", json_string(buf)) < 0)
			goto nomem_e;
	}
	format_u64(buf, c->version + 1);
	if (json_object_set_new(md, "resourceVersion", json_string(buf)) < 0)
		goto nomem_e;

	c->version++;
	e->o.resource_version = c->version;
	e->o.obj = obj;
	if (old != NULL) {
		/* The last computed status stands until the translator recomputes it. */
		e->o.status = old->o.status;
		old->o.status = NULL;
		e->next = old->next;
		*slot = e;
		entry_free(old);
	} else {
		c->created++;
		e->next = t->buckets[h & (t->n_buckets - 1)];
		t->buckets[h & (t->n_buckets - 1)] = e;
		t->count++;
	}
	return 0;

nomem_e:
	free(e);
nomem:
	json_decref(obj);
	OC_ERR("out of memory");
	return -ENOMEM;
}

int
gw_objcache_delete(struct gw_objcache *c, enum gw_kind kind, const char *ns, const char *name)
{
	struct oc_entry **slot, *e;
	struct oc_table *t;

	if (!kind_valid(kind) || name == NULL)
		return -ENOENT;
	ns = norm_ns(kind, ns);
	t = &c->t[kind];
	slot = table_slot(t, key_hash(ns, name), ns, name);
	if (slot == NULL)
		return -ENOENT;
	e = *slot;
	*slot = e->next;
	t->count--;
	c->version++;
	entry_free(e);
	return 0;
}

const struct gw_obj *
gw_objcache_get(const struct gw_objcache *c, enum gw_kind kind, const char *ns, const char *name)
{
	struct oc_entry **slot;

	if (!kind_valid(kind) || name == NULL)
		return NULL;
	ns = norm_ns(kind, ns);
	slot = table_slot(&c->t[kind], key_hash(ns, name), ns, name);
	return slot != NULL ? &(*slot)->o : NULL;
}

static int
obj_cmp(const void *a, const void *b)
{
	const struct gw_obj *x = *(const struct gw_obj *const *)a;
	const struct gw_obj *y = *(const struct gw_obj *const *)b;
	int r = strcmp(x->ns, y->ns);

	return r != 0 ? r : strcmp(x->name, y->name);
}

static int
list_objects(const struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const struct gw_obj ***out, bool sorted)
{
	const struct oc_table *t;
	const struct gw_obj **v;
	size_t n = 0;

	*out = NULL;
	if (!kind_valid(kind))
		return -EINVAL;
	t = &c->t[kind];
	if (!kinds[kind].namespaced)
		ns = NULL;
	v = malloc((t->count + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_buckets; i++)
		for (const struct oc_entry *e = t->buckets[i]; e != NULL; e = e->next)
			if (ns == NULL || strcmp(e->o.ns, ns) == 0)
				v[n++] = &e->o;
	if (sorted)
		qsort(v, n, sizeof(*v), obj_cmp);
	*out = v;
	return (int)n;
}

int
gw_objcache_list(const struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const struct gw_obj ***out)
{
	return list_objects(c, kind, ns, out, true);
}

int
gw_objcache_list_unsorted(const struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const struct gw_obj ***out)
{
	return list_objects(c, kind, ns, out, false);
}

size_t
gw_objcache_count(const struct gw_objcache *c, enum gw_kind kind)
{
	return kind_valid(kind) ? c->t[kind].count : 0;
}

int
gw_objcache_set_status(struct gw_objcache *c, enum gw_kind kind, const char *ns, const char *name,
	json_t *status)
{
	struct oc_entry **slot;

	if (!kind_valid(kind) || name == NULL) {
		json_decref(status);
		return -ENOENT;
	}
	ns = norm_ns(kind, ns);
	slot = table_slot(&c->t[kind], key_hash(ns, name), ns, name);
	if (slot == NULL) {
		json_decref(status);
		return -ENOENT;
	}
	json_decref((*slot)->o.status);
	(*slot)->o.status = status;
	return 0;
}

uint64_t
gw_objcache_version(const struct gw_objcache *c)
{
	return c->version;
}

json_t *
gw_objcache_render(const struct gw_obj *o)
{
	/* Deep: the caller may edit what it gets without touching the cache. */
	json_t *j = json_deep_copy(o->obj);

	if (j != NULL && o->status != NULL &&
			json_object_set_new(j, "status", json_deep_copy(o->status)) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw.conf loader: walks the libconfig tree into struct gw_config and
 * stops at the first problem with one "FILE:LINE: KEY: reason" message.
 *
 * Every value is reached through a struct cfg_node, which carries the
 * libconfig setting and its key path ("ports.[0].addresses.[1]"), so each
 * check can say where it failed. All state lives on the caller's stack or in
 * the caller's struct: no globals, no DPDK.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <libconfig.h>

#include "gw_build_config.h"
#include "config.h"
#include "config_int.h"

#define CFG_PATH_LEN 4096

#define CFG_DEF_DESC   1024
#define CFG_DEF_MBUFS  8191
#define CFG_MIN_MTU    68
#define CFG_MAX_MTU    9600
#define CFG_MIN_MTU_V6 1280

/* A profile file, read once per port that uses it. */
struct cfg_profile {
	char file[CFG_PATH_LEN];
	char devargs[GW_CFG_STR_LEN];
	int devargs_line;
	unsigned int uses;                           /* TMPL_* placeholders it contains */
	long long mtu, rx_desc, tx_desc, max_queues; /* -1: not set */
	int rss, hw_cksum;                           /* -1: not set */
};

/* Values for the devargs placeholders. */
struct cfg_tmpl_vals {
	unsigned int index;
	unsigned int queues;
	const char *iface;
	const char *pci;
};

#define TMPL_INDEX  (1u << 0)
#define TMPL_IFACE  (1u << 1)
#define TMPL_QUEUES (1u << 2)
#define TMPL_PCI    (1u << 3)

enum pfx_err {
	PFX_OK,
	PFX_ADDR,  /* the address part does not parse */
	PFX_NOLEN, /* a length is needed and missing */
	PFX_LEN,   /* the length does not parse or is out of range */
};

/* ------------------------------------------------------------------ */
/* Addresses */

static unsigned int
ip_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static bool
ip_equal(const struct gw_cfg_ip *a, const struct gw_cfg_ip *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, ip_bits(a->family) / 8) == 0;
}

/* True if the first @len bits of @a and @b agree. */
static bool
bits_equal(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

static bool
ip_in_prefix(const struct gw_cfg_ip *ip, const struct gw_cfg_prefix *p)
{
	return ip->family == p->addr.family && bits_equal(ip->bytes, p->addr.bytes, p->len);
}

/* True if every bit after the prefix length is @bit (0 or 1). */
static bool
host_bits_all(const struct gw_cfg_prefix *p, int bit)
{
	unsigned int i, n = ip_bits(p->addr.family);

	for (i = p->len; i < n; i++)
		if (((p->addr.bytes[i / 8] >> (7 - i % 8)) & 1) != bit)
			return false;
	return true;
}

static void
prefix_network(const struct gw_cfg_prefix *p, struct gw_cfg_prefix *net)
{
	unsigned int i, n = ip_bits(p->addr.family);

	*net = *p;
	for (i = p->len; i < n; i++)
		net->addr.bytes[i / 8] &= (uint8_t)~(1u << (7 - i % 8));
}

static bool
ip_unspecified(const struct gw_cfg_ip *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->bytes, zero, ip_bits(ip->family) / 8) == 0;
}

static bool
ip_multicast(const struct gw_cfg_ip *ip)
{
	if (ip->family == AF_INET)
		return (ip->bytes[0] & 0xf0) == 0xe0;
	return ip->bytes[0] == 0xff;
}

static bool
ip_loopback(const struct gw_cfg_ip *ip)
{
	static const uint8_t v6_lo[16] = {[15] = 1};

	if (ip->family == AF_INET)
		return ip->bytes[0] == 127;
	return memcmp(ip->bytes, v6_lo, 16) == 0;
}

int
gw_cfg_ip_parse(const char *s, struct gw_cfg_ip *ip)
{
	if (s == NULL || ip == NULL)
		return -EINVAL;
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, &ip->v6) != 1)
			return -EINVAL;
		ip->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, &ip->v4) != 1)
			return -EINVAL;
		ip->family = AF_INET;
	}
	return 0;
}

/* Decimal 0..@max, no sign, no leading zero (so "/024" is not a length). */
static int
parse_len(const char *s, unsigned int max, uint8_t *len)
{
	unsigned int v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*len = (uint8_t)v;
	return 0;
}

static enum pfx_err
prefix_parse(const char *s, struct gw_cfg_prefix *p, bool need_len)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);

	memset(p, 0, sizeof(*p));
	if (n >= sizeof(addr))
		return PFX_ADDR;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (gw_cfg_ip_parse(addr, &p->addr) != 0)
		return PFX_ADDR;
	if (slash == NULL) {
		if (need_len)
			return PFX_NOLEN;
		p->len = (uint8_t)ip_bits(p->addr.family);
		return PFX_OK;
	}
	if (parse_len(slash + 1, ip_bits(p->addr.family), &p->len) != 0)
		return PFX_LEN;
	return PFX_OK;
}

int
gw_cfg_prefix_parse(const char *s, struct gw_cfg_prefix *p, bool need_len)
{
	if (s == NULL || p == NULL)
		return -EINVAL;
	return prefix_parse(s, p, need_len) == PFX_OK ? 0 : -EINVAL;
}

const char *
gw_cfg_ip_str(const struct gw_cfg_ip *ip, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return buf;
	if (ip == NULL || (ip->family != AF_INET && ip->family != AF_INET6) ||
			inet_ntop(ip->family, ip->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* ------------------------------------------------------------------ */
/* Lcore lists */

static int
parse_lcore_id(const char **p, unsigned int *id)
{
	unsigned int v = 0, digits = 0;

	while (isdigit((unsigned char)**p)) {
		if (++digits > 4)
			return -ERANGE;
		v = v * 10 + (unsigned int)(**p - '0');
		(*p)++;
	}
	if (digits == 0)
		return -EINVAL;
	if (v >= GW_CFG_MAX_LCORE)
		return -ERANGE;
	*id = v;
	return 0;
}

int
gw_cfg_lcores_parse(const char *s, uint16_t *ids, unsigned int max, unsigned int *n)
{
	bool set[GW_CFG_MAX_LCORE] = {false};
	unsigned int lo, hi, i, count = 0;
	const char *p = s;
	int rc;

	if (s == NULL || ids == NULL || n == NULL)
		return -EINVAL;
	for (;;) {
		rc = parse_lcore_id(&p, &lo);
		if (rc != 0)
			return rc;
		hi = lo;
		if (*p == '-') {
			p++;
			rc = parse_lcore_id(&p, &hi);
			if (rc != 0)
				return rc;
			if (hi < lo)
				return -ERANGE;
		}
		for (i = lo; i <= hi; i++) {
			if (set[i])
				return -EEXIST;
			set[i] = true;
			count++;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	if (count > max)
		return -E2BIG;
	*n = 0;
	for (i = 0; i < GW_CFG_MAX_LCORE; i++)
		if (set[i])
			ids[(*n)++] = (uint16_t)i;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Messages and typed access */

static unsigned int
node_line(const config_setting_t *s)
{
	for (; s != NULL; s = config_setting_parent(s))
		if (config_setting_source_line(s) != 0)
			return config_setting_source_line(s);
	return 1;
}

static const char *
node_file(const struct cfg_ctx *ctx, const config_setting_t *s)
{
	for (; s != NULL; s = config_setting_parent(s))
		if (config_setting_source_file(s) != NULL)
			return config_setting_source_file(s);
	return ctx->name;
}

/*
 * Start a message with "FILE:LINE:". libconfig names an @include'd file as
 * written in the directive, relative to the main file's directory: say so.
 */
static int
where(const struct cfg_ctx *ctx, const char *file, unsigned int line)
{
	if (file == NULL)
		file = ctx->name;
	if (strcmp(file, ctx->name) != 0 && file[0] != '/' && ctx->base_dir != NULL &&
			strcmp(ctx->base_dir, ".") != 0)
		return snprintf(ctx->err, ctx->errlen, "%s/%s:%u:", ctx->base_dir, file, line);
	return snprintf(ctx->err, ctx->errlen, "%s:%u:", file, line);
}

/* Write "FILE:LINE: KEY: reason" and return -EINVAL. */
int
cfg_fail(const struct cfg_ctx *ctx, const struct cfg_node *n, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (ctx->err == NULL || ctx->errlen == 0)
		return -EINVAL;
	off = where(ctx, node_file(ctx, n->s), node_line(n->s));
	if (off >= 0 && (size_t)off < ctx->errlen)
		off += snprintf(ctx->err + off, ctx->errlen - (size_t)off, " %s: ", n->key);
	if (off >= 0 && (size_t)off < ctx->errlen) {
		va_start(ap, fmt);
		vsnprintf(ctx->err + off, ctx->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	off = (int)strlen(ctx->err);
	if (ctx->note[0] != '\0')
		snprintf(ctx->err + off, ctx->errlen - (size_t)off, " %s", ctx->note);
	return -EINVAL;
}

static const char *
type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

static void
node_make(struct cfg_node *out, const config_setting_t *s, const char *parent, const char *name)
{
	out->s = s;
	if (parent == NULL || parent[0] == '\0')
		snprintf(out->key, sizeof(out->key), "%s", name);
	else if (snprintf(out->key, sizeof(out->key), "%s.%s", parent, name) < 0)
		out->key[0] = '\0';
}

static void
node_elem(const struct cfg_node *parent, unsigned int i, struct cfg_node *out)
{
	out->s = config_setting_get_elem(parent->s, i);
	/* Keys are short; a cut one still names its place well enough. */
	if (snprintf(out->key, sizeof(out->key), "%s.[%u]", parent->key, i) < 0)
		out->key[0] = '\0';
}

static unsigned int
node_len(const struct cfg_node *n)
{
	return (unsigned int)config_setting_length(n->s);
}

/* 1 and @out filled if @name exists in group @g, 0 if not, <0 if required. */
int
cfg_child(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, bool required,
	struct cfg_node *out)
{
	const config_setting_t *s = config_setting_get_member(g->s, name);

	node_make(out, s != NULL ? s : g->s, g->key, name);
	if (s != NULL)
		return 1;
	if (required)
		return cfg_fail(ctx, out, "required key is missing");
	return 0;
}

/* Reject members of @g not in the NULL-terminated @known. */
int
cfg_check_keys(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *const *known)
{
	char list[256];
	unsigned int i, off;
	const char *const *k;
	struct cfg_node n;

	for (i = 0; i < node_len(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g->s, i);

		for (k = known; *k != NULL; k++)
			if (strcmp(*k, config_setting_name(s)) == 0)
				break;
		if (*k != NULL)
			continue;
		list[0] = '\0';
		for (k = known, off = 0; *k != NULL && off < sizeof(list); k++)
			off += (unsigned int)snprintf(list + off, sizeof(list) - off, "%s%s",
				k == known ? "" : ", ", *k);
		node_make(&n, s, g->key, config_setting_name(s));
		return cfg_fail(ctx, &n, "unknown key (known keys here: %s)", list);
	}
	return 0;
}

int
cfg_as_group(const struct cfg_ctx *ctx, const struct cfg_node *n)
{
	if (!config_setting_is_group(n->s))
		return cfg_fail(ctx, n, "expected a group { ... }, got %s", type_name(n->s));
	return 0;
}

static int
as_string(const struct cfg_ctx *ctx, const struct cfg_node *n, const char **v)
{
	*v = "";
	if (config_setting_type(n->s) != CONFIG_TYPE_STRING)
		return cfg_fail(ctx, n, "expected a string, got %s", type_name(n->s));
	*v = config_setting_get_string(n->s);
	return 0;
}

static int
as_strbuf(const struct cfg_ctx *ctx, const struct cfg_node *n, char *dst, size_t len)
{
	const char *v = "";
	int rc = as_string(ctx, n, &v);

	if (rc != 0)
		return rc;
	if (v[0] == '\0')
		return cfg_fail(ctx, n, "must not be empty");
	if (strlen(v) >= len)
		return cfg_fail(ctx, n, "too long (at most %zu characters)", len - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
as_int(const struct cfg_ctx *ctx, const struct cfg_node *n, long long min, long long max,
	long long *v)
{
	int t = config_setting_type(n->s);

	*v = 0;
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_fail(ctx, n, "expected an integer, got %s", type_name(n->s));
	*v = config_setting_get_int64(n->s);
	if (*v < min || *v > max)
		return cfg_fail(ctx, n, "%lld is out of range (%lld..%lld)", *v, min, max);
	return 0;
}

static int
as_bool(const struct cfg_ctx *ctx, const struct cfg_node *n, bool *v)
{
	*v = false;
	if (config_setting_type(n->s) != CONFIG_TYPE_BOOL)
		return cfg_fail(ctx, n, "expected true or false, got %s", type_name(n->s));
	*v = config_setting_get_bool(n->s) != 0;
	return 0;
}

/* Arrays or lists whose elements are all strings. */
static int
as_strings(const struct cfg_ctx *ctx, const struct cfg_node *n)
{
	struct cfg_node e;
	unsigned int i;

	if (!config_setting_is_array(n->s) && !config_setting_is_list(n->s))
		return cfg_fail(ctx, n, "expected an array of strings [ \"...\", ... ], got %s",
			type_name(n->s));
	for (i = 0; i < node_len(n); i++) {
		node_elem(n, i, &e);
		if (config_setting_type(e.s) != CONFIG_TYPE_STRING)
			return cfg_fail(ctx, &e, "expected a string, got %s", type_name(e.s));
	}
	return 0;
}

/* Optional scalar members: leave *v alone when absent. */
int
cfg_opt_u32(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, long long min,
	long long max, uint32_t *v)
{
	struct cfg_node n;
	long long x;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	rc = as_int(ctx, &n, min, max, &x);
	if (rc == 0)
		*v = (uint32_t)x;
	return rc;
}

int
cfg_opt_bool(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, bool *v)
{
	struct cfg_node n;
	bool x;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	rc = as_bool(ctx, &n, &x);
	if (rc == 0)
		*v = x;
	return rc;
}

int
cfg_opt_str(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, char *dst,
	size_t len)
{
	struct cfg_node n;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	return as_strbuf(ctx, &n, dst, len);
}

/* ------------------------------------------------------------------ */
/* Names and device strings */

static bool
name_valid(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* Linux interface names: 1..15 characters, none that devargs would split on. */
static bool
iface_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-.", s[i]) == NULL)
			return false;
	return true;
}

static size_t
span_hex(const char *s, size_t max)
{
	size_t i = 0;

	while (i < max && isxdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* "[DDDD:]BB:DD.F" exactly, @n characters. */
static bool
pci_addr_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 12) {
		if (span_hex(s, 4) != 4 || s[4] != ':')
			return false;
		i = 5;
	} else if (n != 7) {
		return false;
	}
	if (span_hex(s + i, 2) != 2 || s[i + 2] != ':' || span_hex(s + i + 3, 2) != 2 ||
			s[i + 5] != '.' || s[i + 6] < '0' || s[i + 6] > '7')
		return false;
	return strtoul(s + i + 3, NULL, 16) <= 0x1f;
}

/* Comma-separated non-empty items of printable, non-blank characters. */
static bool
devargs_valid(const char *s)
{
	bool empty = true;

	for (; *s != '\0'; s++) {
		if (*s == ',') {
			if (empty)
				return false;
			empty = true;
		} else if (!isgraph((unsigned char)*s)) {
			return false;
		} else {
			empty = false;
		}
	}
	return !empty;
}

static size_t
device_name_len(const char *dev)
{
	return strcspn(dev, ",");
}

static bool
device_valid(const char *dev)
{
	size_t i, n = device_name_len(dev);

	if (dev[n] == ',' && !devargs_valid(dev + n + 1))
		return false;
	if (pci_addr_valid(dev, n))
		return true;
	if (n <= 4 || strncmp(dev, "net_", 4) != 0)
		return false;
	for (i = 4; i < n; i++)
		if (!isalnum((unsigned char)dev[i]) && dev[i] != '_')
			return false;
	return true;
}

static int
syntax_error(const struct cfg_ctx *ctx, const config_t *lc)
{
	const char *file = config_error_file(lc);
	const char *text = config_error_text(lc);
	int off;

	/* libconfig's text is often just "syntax error": do not say it twice. */
	if (text == NULL || strcmp(text, "syntax error") == 0)
		text = "";
	if (ctx->err == NULL || ctx->errlen == 0)
		return -EINVAL;
	off = where(ctx, file, (unsigned int)config_error_line(lc));
	if (off >= 0 && (size_t)off < ctx->errlen)
		snprintf(ctx->err + off, ctx->errlen - (size_t)off, " syntax error%s%s%s%s",
			text[0] != '\0' ? ": " : "", text, ctx->note[0] != '\0' ? " " : "",
			ctx->note);
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Profiles */

static const char *const tmpl_names[] = {"index", "iface", "queues", "pci"};

/*
 * Expand {index} {iface} {queues} {pci} in @tmpl into @out. 0; -EINVAL with
 * the bad placeholder in @bad; -ENOSPC if @out is too small.
 */
static int
tmpl_expand(const char *tmpl, const struct cfg_tmpl_vals *v, char *out, size_t len,
	unsigned int *uses, char *bad, size_t badlen)
{
	size_t o = 0, i, n;
	const char *end;
	char num[16];
	const char *val;

	*uses = 0;
	while (*tmpl != '\0') {
		if (*tmpl != '{') {
			if (o + 1 >= len)
				return -ENOSPC;
			out[o++] = *tmpl++;
			continue;
		}
		end = strchr(tmpl, '}');
		n = end != NULL ? (size_t)(end - tmpl - 1) : strlen(tmpl + 1);
		for (i = 0; i < 4; i++)
			if (end != NULL && strlen(tmpl_names[i]) == n &&
					strncmp(tmpl + 1, tmpl_names[i], n) == 0)
				break;
		if (i == 4) {
			snprintf(bad, badlen, "%.*s", (int)(n + (end != NULL ? 2 : 1)), tmpl);
			return -EINVAL;
		}
		*uses |= 1u << i;
		if (i == 0 || i == 2) {
			snprintf(num, sizeof(num), "%u", i == 0 ? v->index : v->queues);
			val = num;
		} else {
			val = i == 1 ? v->iface : v->pci;
		}
		if (o + strlen(val) >= len)
			return -ENOSPC;
		memcpy(out + o, val, strlen(val));
		o += strlen(val);
		tmpl = end + 1;
	}
	out[o] = '\0';
	return 0;
}

static int
profile_opt_int(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name,
	long long min, long long max, long long *v)
{
	struct cfg_node n;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	return as_int(ctx, &n, min, max, v);
}

static int
profile_opt_bool(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, int *v)
{
	struct cfg_node n;
	bool b = false;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	rc = as_bool(ctx, &n, &b);
	if (rc == 0)
		*v = b;
	return rc;
}

static int
desc_check(const struct cfg_ctx *ctx, const struct cfg_node *n, long long v)
{
	if (v < 64 || v > 4096 || (v & (v - 1)) != 0)
		return cfg_fail(ctx, n, "%lld is not a power of two in 64..4096", v);
	return 0;
}

static int
opt_desc(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, long long *v)
{
	struct cfg_node n;
	int rc = cfg_child(ctx, g, name, false, &n);

	if (rc <= 0)
		return rc;
	rc = as_int(ctx, &n, 0, LLONG_MAX, v);
	if (rc != 0)
		return rc;
	return desc_check(ctx, &n, *v);
}

static int
profile_parse(const struct cfg_ctx *ctx, const struct cfg_node *root, struct cfg_profile *pr)
{
	static const char *const keys[] = {"description", "notes", "devargs", "mtu", "rss",
		"hw_cksum", "rx_desc", "tx_desc", "max_queues", NULL};
	static const struct cfg_tmpl_vals dummy = {0, 1, "x", "0000:00:00.0"};
	char scratch[GW_CFG_STR_LEN], bad[GW_CFG_STR_LEN];
	const char *s;
	struct cfg_node n;
	int rc;

	rc = cfg_check_keys(ctx, root, keys);
	if (rc == 0)
		rc = cfg_child(ctx, root, "description", true, &n);
	if (rc > 0)
		rc = as_string(ctx, &n, &s);
	if (rc == 0 && cfg_child(ctx, root, "notes", false, &n) > 0)
		rc = as_string(ctx, &n, &s);
	if (rc == 0)
		rc = cfg_child(ctx, root, "devargs", true, &n);
	if (rc > 0)
		rc = as_strbuf(ctx, &n, pr->devargs, sizeof(pr->devargs));
	if (rc != 0)
		return rc;
	pr->devargs_line = (int)node_line(n.s);
	rc = tmpl_expand(pr->devargs, &dummy, scratch, sizeof(scratch), &pr->uses, bad,
		sizeof(bad));
	if (rc == -EINVAL)
		return cfg_fail(ctx, &n, "unknown placeholder \"%s\" (known: {index}, {iface}, "
			"{queues}, {pci})", bad);
	if ((pr->uses & TMPL_IFACE) && (pr->uses & TMPL_PCI))
		return cfg_fail(ctx, &n, "uses both {iface} and {pci}; a port gives one of them");
	rc = profile_opt_int(ctx, root, "mtu", CFG_MIN_MTU, CFG_MAX_MTU, &pr->mtu);
	if (rc == 0)
		rc = profile_opt_bool(ctx, root, "rss", &pr->rss);
	if (rc == 0)
		rc = profile_opt_bool(ctx, root, "hw_cksum", &pr->hw_cksum);
	if (rc == 0)
		rc = opt_desc(ctx, root, "rx_desc", &pr->rx_desc);
	if (rc == 0)
		rc = opt_desc(ctx, root, "tx_desc", &pr->tx_desc);
	if (rc == 0)
		rc = profile_opt_int(ctx, root, "max_queues", 1, GW_CFG_MAX_WORKERS,
			&pr->max_queues);
	return rc;
}

/*
 * Read drivers_config/<name>.conf. Errors in the file are reported against
 * the file, with a note naming the port that asked for it.
 */
static int
profile_load(const struct cfg_ctx *ctx, const struct cfg_node *at, const char *dir,
	const char *name, const char *port_key, struct cfg_profile *pr)
{
	char note[CFG_KEY_LEN + 64];
	struct cfg_ctx pctx = *ctx;
	struct cfg_node root;
	struct stat st;
	config_t lc;
	int rc;

	memset(pr, 0, sizeof(*pr));
	pr->mtu = pr->rx_desc = pr->tx_desc = pr->max_queues = -1;
	pr->rss = pr->hw_cksum = -1;
	if (!name_valid(name, GW_CFG_NAME_LEN - 1))
		return cfg_fail(ctx, at, "bad profile name \"%s\" (expected [A-Za-z0-9_-]{1,31})",
			name);
	if ((size_t)snprintf(pr->file, sizeof(pr->file), "%s/%s.conf", dir, name) >=
			sizeof(pr->file))
		return cfg_fail(ctx, at, "profile path too long");
	if (stat(pr->file, &st) != 0 || !S_ISREG(st.st_mode))
		return cfg_fail(ctx, at, "unknown profile \"%s\" (no file %s)", name, pr->file);

	snprintf(note, sizeof(note), "(profile \"%s\" of %s)", name, port_key);
	pctx.name = pr->file;
	pctx.note = note;
	config_init(&lc);
	if (config_read_file(&lc, pr->file) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			rc = cfg_fail(ctx, at, "cannot read profile %s", pr->file);
		else
			rc = syntax_error(&pctx, &lc);
		config_destroy(&lc);
		return rc;
	}
	node_make(&root, config_root_setting(&lc), NULL, "");
	rc = profile_parse(&pctx, &root, pr);
	config_destroy(&lc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sections */

static int
parse_drivers_config(const struct cfg_ctx *ctx, const struct cfg_node *root,
	struct gw_config *cfg)
{
	char dir[GW_CFG_STR_LEN];
	struct cfg_node n;
	struct stat st;
	int rc = cfg_child(ctx, root, "drivers_config", false, &n);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (stat(GW_DRIVERS_CONFIG_DIR, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(cfg->drivers_config, sizeof(cfg->drivers_config), "%s",
				GW_DRIVERS_CONFIG_DIR);
		else
			snprintf(cfg->drivers_config, sizeof(cfg->drivers_config), "%s",
				GW_SOURCE_DRIVERS_CONFIG_DIR);
		return 0;
	}
	rc = as_strbuf(ctx, &n, dir, sizeof(dir));
	if (rc != 0)
		return rc;
	if (dir[0] != '/' && ctx->base_dir != NULL) {
		if ((size_t)snprintf(cfg->drivers_config, sizeof(cfg->drivers_config), "%s/%s",
				ctx->base_dir, dir) >= sizeof(cfg->drivers_config))
			return cfg_fail(ctx, &n, "too long once made relative to the config file");
	} else {
		memcpy(cfg->drivers_config, dir, sizeof(dir));
	}
	if (stat(cfg->drivers_config, &st) != 0 || !S_ISDIR(st.st_mode))
		return cfg_fail(ctx, &n, "no such directory \"%s\"", cfg->drivers_config);
	return 0;
}

static int
parse_workers(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"lcores", "idle_sleep_us", "mbufs", NULL};
	struct cfg_node g, n;
	unsigned int i;
	int rc = cfg_child(ctx, root, "workers", false, &g);

	if (rc < 0)
		return rc;
	if (rc > 0) {
		rc = cfg_as_group(ctx, &g);
		if (rc == 0)
			rc = cfg_check_keys(ctx, &g, keys);
		if (rc == 0)
			rc = cfg_opt_str(ctx, &g, "lcores", cfg->workers.lcores,
				sizeof(cfg->workers.lcores));
		if (rc == 0)
			rc = cfg_opt_u32(ctx, &g, "idle_sleep_us", 0, 100000,
				&cfg->workers.idle_sleep_us);
		if (rc == 0)
			rc = cfg_opt_u32(ctx, &g, "mbufs", 511, 16777215, &cfg->workers.mbufs);
		if (rc != 0)
			return rc;
	}

	rc = gw_cfg_lcores_parse(cfg->workers.lcores, cfg->workers.lcore_ids,
		GW_CFG_MAX_WORKERS, &cfg->workers.n_workers);
	if (rc != 0) {
		/* Only a written lcores can fail; the default "1" parses. */
		cfg_child(ctx, &g, "lcores", true, &n);
		if (rc == -ERANGE)
			return cfg_fail(ctx, &n, "bad lcore list \"%s\" (lcore ids are 0..%d and "
				"ranges run low-high)", cfg->workers.lcores, GW_CFG_MAX_LCORE - 1);
		if (rc == -EEXIST)
			return cfg_fail(ctx, &n, "bad lcore list \"%s\" (an lcore is named twice)",
				cfg->workers.lcores);
		if (rc == -E2BIG)
			return cfg_fail(ctx, &n, "bad lcore list \"%s\" (at most %d workers)",
				cfg->workers.lcores, GW_CFG_MAX_WORKERS);
		return cfg_fail(ctx, &n, "bad lcore list \"%s\" (expected ids and ranges like "
			"\"1\", \"1-3\" or \"2-3,5\")", cfg->workers.lcores);
	}
	for (i = 0; i < cfg->workers.n_workers && cfg->workers.lcore_ids[i] == i; i++)
		;
	cfg->workers.main_lcore = (uint16_t)i;
	return 0;
}

static int
addr_check(const struct cfg_ctx *ctx, const struct cfg_node *n, const char *s,
	const struct gw_cfg_prefix *p)
{
	if (ip_unspecified(&p->addr) || ip_multicast(&p->addr) || ip_loopback(&p->addr))
		return cfg_fail(ctx, n, "\"%s\" is not a usable unicast address", s);
	/* /31, /32, /127, /128 have no network address to mistake. */
	if (p->len + 1 < (int)ip_bits(p->addr.family) && host_bits_all(p, 0))
		return cfg_fail(ctx, n, "\"%s\" is a network address; give the port's own address "
			"with the subnet's length (like 10.0.0.1/24)", s);
	if (p->addr.family == AF_INET && p->len < 31 && host_bits_all(p, 1))
		return cfg_fail(ctx, n, "\"%s\" is the subnet's broadcast address", s);
	return 0;
}

/* Find a configured port address equal to @ip; sets *port and *idx. */
static bool
find_port_addr(const struct gw_config *cfg, unsigned int n_ports, const struct gw_cfg_ip *ip,
	unsigned int *port, unsigned int *idx)
{
	unsigned int i, j;

	for (i = 0; i < n_ports; i++)
		for (j = 0; j < cfg->ports[i].n_addrs; j++)
			if (ip_equal(&cfg->ports[i].addrs[j].addr, ip)) {
				*port = i;
				*idx = j;
				return true;
			}
	return false;
}

static int
parse_addresses(const struct cfg_ctx *ctx, const struct cfg_node *pg, struct gw_config *cfg,
	unsigned int pi)
{
	struct gw_cfg_port *port = &cfg->ports[pi];
	char buf[INET6_ADDRSTRLEN];
	struct gw_cfg_prefix p;
	struct cfg_node a, e;
	const char *s;
	unsigned int i, oi, oj;
	int rc = cfg_child(ctx, pg, "addresses", true, &a);

	if (rc > 0)
		rc = as_strings(ctx, &a);
	if (rc != 0)
		return rc;
	if (node_len(&a) == 0)
		return cfg_fail(ctx, &a, "needs at least one address");
	if (node_len(&a) > GW_CFG_MAX_ADDRS)
		return cfg_fail(ctx, &a, "too many addresses (at most %d)", GW_CFG_MAX_ADDRS);
	for (i = 0; i < node_len(&a); i++) {
		node_elem(&a, i, &e);
		s = config_setting_get_string(e.s);
		switch (prefix_parse(s, &p, true)) {
		case PFX_OK:
			break;
		case PFX_NOLEN:
			return cfg_fail(ctx, &e, "\"%s\" needs a prefix length (like %s/%u)", s, s,
				strchr(s, ':') != NULL ? 64 : 24);
		case PFX_LEN:
			return cfg_fail(ctx, &e, "bad prefix length in \"%s\" (0..%u for %s)", s,
				ip_bits(p.addr.family), p.addr.family == AF_INET ? "IPv4" : "IPv6");
		default:
			return cfg_fail(ctx, &e, "bad address \"%s\" (expected IPv4 or IPv6 prefix "
				"like 10.0.0.1/24)", s);
		}
		rc = addr_check(ctx, &e, s, &p);
		if (rc != 0)
			return rc;
		if (find_port_addr(cfg, pi + 1, &p.addr, &oi, &oj))
			return cfg_fail(ctx, &e, "duplicate address %s (already "
				"ports.[%u].addresses.[%u], port \"%s\")",
				gw_cfg_ip_str(&p.addr, buf, sizeof(buf)), oi, oj,
				cfg->ports[oi].name);
		port->addrs[port->n_addrs++] = p;
	}
	return 0;
}

static bool
port_has_family(const struct gw_cfg_port *port, int family)
{
	unsigned int i;

	for (i = 0; i < port->n_addrs; i++)
		if (port->addrs[i].addr.family == family)
			return true;
	return false;
}

/* Port keys that a profile may default: profile value, then port key. */
static int
port_tunables(const struct cfg_ctx *ctx, const struct cfg_node *pg,
	const struct cfg_profile *pr, struct gw_cfg_port *port)
{
	long long mtu = pr->mtu, rx = pr->rx_desc, tx = pr->tx_desc;
	struct cfg_node n;
	int rc;

	port->rss = pr->rss != 0;
	port->hw_cksum = pr->hw_cksum != 0;
	rc = profile_opt_int(ctx, pg, "mtu", CFG_MIN_MTU, CFG_MAX_MTU, &mtu);
	if (rc == 0 && cfg_child(ctx, pg, "rss", false, &n) > 0)
		rc = as_bool(ctx, &n, &port->rss);
	if (rc == 0 && cfg_child(ctx, pg, "hw_cksum", false, &n) > 0)
		rc = as_bool(ctx, &n, &port->hw_cksum);
	if (rc == 0)
		rc = opt_desc(ctx, pg, "rx_desc", &rx);
	if (rc == 0)
		rc = opt_desc(ctx, pg, "tx_desc", &tx);
	port->mtu = mtu < 0 ? 0 : (uint16_t)mtu;
	port->rx_desc = rx < 0 ? CFG_DEF_DESC : (uint16_t)rx;
	port->tx_desc = tx < 0 ? CFG_DEF_DESC : (uint16_t)tx;
	return rc;
}

/* A profile parameter (iface, pci) the profile's template needs or not. */
static int
port_param(const struct cfg_ctx *ctx, const struct cfg_node *pg, const char *key, bool used,
	const char *profile, char *dst, size_t len)
{
	struct cfg_node n;
	int rc = cfg_child(ctx, pg, key, used, &n);

	if (rc <= 0)
		return rc == 0 ? 0 : cfg_fail(ctx, &n, "required by profile \"%s\"", profile);
	if (!used)
		return cfg_fail(ctx, &n, "profile \"%s\" does not use %s", profile, key);
	rc = as_strbuf(ctx, &n, dst, len);
	if (rc != 0)
		return rc;
	if (strcmp(key, "iface") == 0 && !iface_valid(dst))
		return cfg_fail(ctx, &n, "bad interface name \"%s\" (1..15 of [A-Za-z0-9_.-])",
			dst);
	if (strcmp(key, "pci") == 0 && !pci_addr_valid(dst, strlen(dst)))
		return cfg_fail(ctx, &n, "bad PCI address \"%s\" (expected like 0000:03:02.1)",
			dst);
	return 0;
}

static int
port_device(const struct cfg_ctx *ctx, const struct cfg_node *pg, struct gw_config *cfg,
	unsigned int pi, struct cfg_profile *pr)
{
	struct gw_cfg_port *port = &cfg->ports[pi];
	struct cfg_tmpl_vals v = {pi, cfg->workers.n_workers, NULL, NULL};
	char bad[GW_CFG_STR_LEN];
	struct cfg_node dev, prof, n;
	int has_dev, has_prof, rc;
	unsigned int uses;

	has_dev = cfg_child(ctx, pg, "device", false, &dev);
	has_prof = cfg_child(ctx, pg, "profile", false, &prof);
	if (has_dev && has_prof)
		return cfg_fail(ctx, &prof, "give either device or profile, not both");
	if (!has_dev && !has_prof)
		return cfg_fail(ctx, pg, "needs a device (a DPDK device string) or a profile");
	if (has_dev) {
		if (cfg_child(ctx, pg, "iface", false, &n) > 0 ||
				cfg_child(ctx, pg, "pci", false, &n) > 0)
			return cfg_fail(ctx, &n, "only used with a profile (with device, put it in "
				"the device string)");
		rc = as_strbuf(ctx, &dev, port->device, sizeof(port->device));
		if (rc == 0 && !device_valid(port->device))
			return cfg_fail(ctx, &dev, "bad device \"%s\" (expected a PCI address like "
				"0000:03:02.1 or a vdev like net_af_xdp0, each optionally followed "
				"by ,devargs)", port->device);
		return rc;
	}

	rc = as_strbuf(ctx, &prof, port->profile, sizeof(port->profile));
	if (rc == 0)
		rc = profile_load(ctx, &prof, cfg->drivers_config, port->profile, pg->key, pr);
	if (rc == 0)
		rc = port_param(ctx, pg, "iface", pr->uses & TMPL_IFACE, port->profile,
			port->iface, sizeof(port->iface));
	if (rc == 0)
		rc = port_param(ctx, pg, "pci", pr->uses & TMPL_PCI, port->profile, port->pci,
			sizeof(port->pci));
	if (rc != 0)
		return rc;
	if (pr->max_queues > 0 && cfg->workers.n_workers > pr->max_queues)
		return cfg_fail(ctx, &prof, "profile \"%s\" supports at most %lld queue(s) but "
			"workers.lcores \"%s\" asks for %u", port->profile, pr->max_queues,
			cfg->workers.lcores, cfg->workers.n_workers);
	v.iface = port->iface;
	v.pci = port->pci;
	rc = tmpl_expand(pr->devargs, &v, port->device, sizeof(port->device), &uses, bad,
		sizeof(bad));
	if (rc != 0)
		return cfg_fail(ctx, &prof, "device string from profile \"%s\" is too long",
			port->profile);
	if (!device_valid(port->device))
		return cfg_fail(ctx, &prof, "profile \"%s\" gives a bad device string \"%s\" "
			"(%s:%d)", port->profile, port->device, pr->file, pr->devargs_line);
	return 0;
}

static int
parse_port(const struct cfg_ctx *ctx, const struct cfg_node *pg, struct gw_config *cfg,
	unsigned int pi)
{
	static const char *const keys[] = {"name", "device", "profile", "iface", "pci",
		"addresses", "mtu", "rss", "hw_cksum", "rx_desc", "tx_desc", NULL};
	struct gw_cfg_port *port = &cfg->ports[pi];
	struct cfg_profile pr;
	struct cfg_node n;
	unsigned int i;
	size_t len;
	int rc;

	rc = cfg_as_group(ctx, pg);
	if (rc != 0)
		return rc;
	port->line = (int)node_line(pg->s);
	if (cfg_child(ctx, pg, "queues", false, &n) > 0)
		return cfg_fail(ctx, &n, "unknown key (a port has one queue per worker: set "
			"workers.lcores)");
	rc = cfg_check_keys(ctx, pg, keys);
	if (rc == 0)
		rc = cfg_child(ctx, pg, "name", true, &n);
	if (rc > 0)
		rc = as_strbuf(ctx, &n, port->name, sizeof(port->name));
	if (rc == 0 && !name_valid(port->name, GW_CFG_NAME_LEN - 1))
		return cfg_fail(ctx, &n, "bad port name \"%s\" (expected [A-Za-z0-9_-]{1,31})",
			port->name);
	if (rc != 0)
		return rc;
	for (i = 0; i < pi; i++)
		if (strcmp(cfg->ports[i].name, port->name) == 0)
			return cfg_fail(ctx, &n, "duplicate port name \"%s\" (also ports.[%u], "
				"line %d)", port->name, i, cfg->ports[i].line);

	memset(&pr, 0, sizeof(pr));
	pr.mtu = pr.rx_desc = pr.tx_desc = pr.max_queues = -1;
	pr.rss = pr.hw_cksum = -1;
	rc = port_device(ctx, pg, cfg, pi, &pr);
	if (rc != 0)
		return rc;
	len = device_name_len(port->device);
	for (i = 0; i < pi; i++)
		if (device_name_len(cfg->ports[i].device) == len &&
				strncmp(cfg->ports[i].device, port->device, len) == 0) {
			cfg_child(ctx, pg, port->profile[0] != '\0' ? "profile" : "device", true,
				&n);
			return cfg_fail(ctx, &n, "device %.*s is already used by ports.[%u] "
				"(\"%s\")", (int)len, port->device, i, cfg->ports[i].name);
		}
	rc = port_tunables(ctx, pg, &pr, port);
	if (rc == 0)
		rc = parse_addresses(ctx, pg, cfg, pi);
	if (rc == 0 && port->mtu != 0 && port->mtu < CFG_MIN_MTU_V6 &&
			port_has_family(port, AF_INET6)) {
		if (cfg_child(ctx, pg, "mtu", false, &n) <= 0)
			node_make(&n, pg->s, pg->key, "mtu");
		return cfg_fail(ctx, &n, "%u is below IPv6's minimum MTU %d and the port has an "
			"IPv6 address", port->mtu, CFG_MIN_MTU_V6);
	}
	return rc;
}

static int
parse_ports(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	struct cfg_node l, e;
	unsigned int i;
	int rc = cfg_child(ctx, root, "ports", true, &l);

	if (rc < 0)
		return rc;
	if (!config_setting_is_list(l.s))
		return cfg_fail(ctx, &l, "expected a list of groups ( { ... }, ... ), got %s",
			type_name(l.s));
	if (node_len(&l) == 0)
		return cfg_fail(ctx, &l, "needs at least one port");
	if (node_len(&l) > GW_CFG_MAX_PORTS)
		return cfg_fail(ctx, &l, "too many ports (at most %d)", GW_CFG_MAX_PORTS);
	for (i = 0; i < node_len(&l); i++) {
		node_elem(&l, i, &e);
		rc = parse_port(ctx, &e, cfg, i);
		if (rc != 0)
			return rc;
		cfg->n_ports++;
	}
	return 0;
}

static int
route_port(const struct cfg_ctx *ctx, const struct cfg_node *rg, const struct gw_config *cfg,
	struct gw_cfg_route *r)
{
	char buf[INET6_ADDRSTRLEN];
	struct cfg_node n;
	unsigned int i, j;
	int rc = cfg_child(ctx, rg, "port", false, &n);

	if (rc < 0)
		return rc;
	if (rc > 0) {
		rc = as_strbuf(ctx, &n, r->port, sizeof(r->port));
		if (rc != 0)
			return rc;
		for (i = 0; i < cfg->n_ports; i++)
			if (strcmp(cfg->ports[i].name, r->port) == 0)
				break;
		if (i == cfg->n_ports)
			return cfg_fail(ctx, &n, "no port named \"%s\"", r->port);
		if (!port_has_family(&cfg->ports[i], r->via.family))
			return cfg_fail(ctx, &n, "port \"%s\" has no %s address for next hop %s",
				r->port, r->via.family == AF_INET ? "IPv4" : "IPv6",
				gw_cfg_ip_str(&r->via, buf, sizeof(buf)));
		return 0;
	}
	for (i = 0; i < cfg->n_ports; i++)
		for (j = 0; j < cfg->ports[i].n_addrs; j++)
			if (ip_in_prefix(&r->via, &cfg->ports[i].addrs[j]))
				return 0;
	cfg_child(ctx, rg, "via", true, &n);
	return cfg_fail(ctx, &n, "next hop %s is not on any port's subnet (add port = \"...\" for "
		"an on-link next hop)", gw_cfg_ip_str(&r->via, buf, sizeof(buf)));
}

static int
parse_route(const struct cfg_ctx *ctx, const struct cfg_node *rg, const struct gw_config *cfg,
	struct gw_cfg_route *r)
{
	static const char *const keys[] = {"prefix", "via", "port", NULL};
	char buf[INET6_ADDRSTRLEN];
	struct gw_cfg_prefix net;
	unsigned int oi, oj;
	struct cfg_node n;
	const char *s;
	int rc;

	rc = cfg_as_group(ctx, rg);
	if (rc == 0)
		rc = cfg_check_keys(ctx, rg, keys);
	if (rc != 0)
		return rc;
	r->line = (int)node_line(rg->s);
	rc = cfg_child(ctx, rg, "prefix", true, &n);
	if (rc > 0)
		rc = as_string(ctx, &n, &s);
	if (rc != 0)
		return rc;
	switch (prefix_parse(s, &r->prefix, false)) {
	case PFX_OK:
		break;
	case PFX_LEN:
		return cfg_fail(ctx, &n, "bad prefix length in \"%s\" (0..%u for %s)", s,
			ip_bits(r->prefix.addr.family),
			r->prefix.addr.family == AF_INET ? "IPv4" : "IPv6");
	default:
		return cfg_fail(ctx, &n, "bad prefix \"%s\" (expected like 10.0.0.0/8 or "
			"fd00::/64)", s);
	}
	if (!host_bits_all(&r->prefix, 0)) {
		prefix_network(&r->prefix, &net);
		return cfg_fail(ctx, &n, "host bits set in \"%s\" (did you mean %s/%u?)", s,
			gw_cfg_ip_str(&net.addr, buf, sizeof(buf)), net.len);
	}

	rc = cfg_child(ctx, rg, "via", true, &n);
	if (rc > 0)
		rc = as_string(ctx, &n, &s);
	if (rc != 0)
		return rc;
	if (gw_cfg_ip_parse(s, &r->via) != 0)
		return cfg_fail(ctx, &n, "bad next hop \"%s\" (expected an address like 10.0.0.1 "
			"or fd00::1, no prefix length)", s);
	if (r->via.family != r->prefix.addr.family)
		return cfg_fail(ctx, &n, "next hop %s is %s but the prefix is %s", s,
			r->via.family == AF_INET ? "IPv4" : "IPv6",
			r->prefix.addr.family == AF_INET ? "IPv4" : "IPv6");
	if (ip_unspecified(&r->via) || ip_multicast(&r->via) || ip_loopback(&r->via))
		return cfg_fail(ctx, &n, "next hop %s is not a unicast address", s);
	if (find_port_addr(cfg, cfg->n_ports, &r->via, &oi, &oj))
		return cfg_fail(ctx, &n, "next hop %s is our own address (port \"%s\")", s,
			cfg->ports[oi].name);
	return route_port(ctx, rg, cfg, r);
}

static int
parse_routes(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	char buf[INET6_ADDRSTRLEN];
	struct gw_cfg_route *r;
	struct cfg_node l, e, n;
	unsigned int i, j;
	int rc = cfg_child(ctx, root, "routes", false, &l);

	if (rc <= 0)
		return rc;
	if (!config_setting_is_list(l.s))
		return cfg_fail(ctx, &l, "expected a list of groups ( { ... }, ... ), got %s",
			type_name(l.s));
	if (node_len(&l) > GW_CFG_MAX_ROUTES)
		return cfg_fail(ctx, &l, "too many routes (at most %d)", GW_CFG_MAX_ROUTES);
	for (i = 0; i < node_len(&l); i++) {
		node_elem(&l, i, &e);
		r = &cfg->routes[i];
		rc = parse_route(ctx, &e, cfg, r);
		if (rc != 0)
			return rc;
		for (j = 0; j < i; j++)
			if (cfg->routes[j].prefix.len == r->prefix.len &&
					ip_equal(&cfg->routes[j].prefix.addr, &r->prefix.addr)) {
				cfg_child(ctx, &e, "prefix", true, &n);
				return cfg_fail(ctx, &n, "duplicate route for %s/%u (also "
					"routes.[%u], line %d)",
					gw_cfg_ip_str(&r->prefix.addr, buf, sizeof(buf)),
					r->prefix.len, j, cfg->routes[j].line);
			}
		cfg->n_routes++;
	}
	return 0;
}

/* vips = [ ... ] and snat = [ ... ]: unicast addresses of their own, no duplicates. */
static int
parse_addr_list(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg,
	bool snat)
{
	const char *what = snat ? "SNAT address" : "VIP", *key = snat ? "snat" : "vips";
	struct gw_cfg_ip *list = snat ? cfg->snat : cfg->vips, ip;
	unsigned int *n = snat ? &cfg->n_snat : &cfg->n_vips;
	unsigned int i, j, oi, oj, fam[2] = {0, 0};
	struct cfg_node l, e;
	const char *s;
	int rc = cfg_child(ctx, root, key, false, &l);

	if (rc <= 0)
		return rc;
	rc = as_strings(ctx, &l);
	if (rc != 0)
		return rc;
	if (!snat && node_len(&l) > GW_CFG_MAX_VIPS)
		return cfg_fail(ctx, &l, "too many VIPs (at most %d)", GW_CFG_MAX_VIPS);
	for (i = 0; i < node_len(&l); i++) {
		node_elem(&l, i, &e);
		s = config_setting_get_string(e.s);
		if (gw_cfg_ip_parse(s, &ip) != 0)
			return cfg_fail(ctx, &e, "bad %s \"%s\" (expected an address like "
				"10.0.0.10 or fd00::10, no prefix length)", what, s);
		if (ip_unspecified(&ip) || ip_multicast(&ip) || ip_loopback(&ip))
			return cfg_fail(ctx, &e, "%s %s is not a usable unicast address", what, s);
		for (j = 0; j < i; j++)
			if (ip_equal(&list[j], &ip))
				return cfg_fail(ctx, &e, "duplicate %s %s (also %s.[%u])", what, s,
					key, j);
		if (find_port_addr(cfg, cfg->n_ports, &ip, &oi, &oj))
			return cfg_fail(ctx, &e, "%s %s is also an address of port \"%s\" (a %s "
				"must be an address of its own)", what, s, cfg->ports[oi].name,
				what);
		for (j = 0; snat && j < cfg->n_vips; j++)
			if (ip_equal(&cfg->vips[j], &ip))
				return cfg_fail(ctx, &e, "SNAT address %s is also a VIP "
					"(vips.[%u])", s, j);
		if (snat && ++fam[ip.family == AF_INET6] > GW_CFG_MAX_SNAT)
			return cfg_fail(ctx, &e, "too many %s SNAT addresses (at most %d per "
				"family)", ip.family == AF_INET ? "IPv4" : "IPv6", GW_CFG_MAX_SNAT);
		list[(*n)++] = ip;
	}
	return 0;
}

/* Gateway API controllerName: "domain/path". */
static bool
controller_name_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *p;

	if (slash == NULL || slash == s || slash[1] == '\0' || strlen(s) > 253)
		return false;
	for (p = s; p < slash; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
				*p != '-' && *p != '.')
			return false;
	for (p = slash + 1; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return false;
	return true;
}

static int
parse_gateway(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"source", "manifests", "controller_name", NULL};
	struct cfg_node g, n;
	int rc = cfg_child(ctx, root, "gateway", false, &g);

	if (rc <= 0)
		return rc;
	rc = cfg_as_group(ctx, &g);
	if (rc == 0)
		rc = cfg_check_keys(ctx, &g, keys);
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "source", cfg->gateway.source,
			sizeof(cfg->gateway.source));
	if (rc == 0 && strcmp(cfg->gateway.source, "files") != 0 &&
			strcmp(cfg->gateway.source, "kubernetes") != 0) {
		cfg_child(ctx, &g, "source", true, &n);
		return cfg_fail(ctx, &n, "unknown source \"%s\" (expected \"files\" or "
			"\"kubernetes\")", cfg->gateway.source);
	}
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "manifests", cfg->gateway.manifests,
			sizeof(cfg->gateway.manifests));
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "controller_name", cfg->gateway.controller_name,
			sizeof(cfg->gateway.controller_name));
	if (rc == 0 && !controller_name_valid(cfg->gateway.controller_name)) {
		cfg_child(ctx, &g, "controller_name", true, &n);
		return cfg_fail(ctx, &n, "bad controller name \"%s\" (expected domain/path like "
			"dpgw.io/gateway-controller)", cfg->gateway.controller_name);
	}
	return rc;
}

static int
parse_admin(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"socket", NULL};
	struct sockaddr_un sun;
	struct cfg_node g, n;
	int rc = cfg_child(ctx, root, "admin", false, &g);

	if (rc <= 0)
		return rc;
	rc = cfg_as_group(ctx, &g);
	if (rc == 0)
		rc = cfg_check_keys(ctx, &g, keys);
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "socket", cfg->admin.socket, sizeof(cfg->admin.socket));
	if (rc == 0 && strlen(cfg->admin.socket) >= sizeof(sun.sun_path)) {
		cfg_child(ctx, &g, "socket", true, &n);
		return cfg_fail(ctx, &n, "too long for a unix socket path (at most %zu characters)",
			sizeof(sun.sun_path) - 1);
	}
	return rc;
}

static int
parse_neigh(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"reachable_s", "stale_gc_s", "resolve_ms", NULL};
	struct cfg_node g;
	int rc = cfg_child(ctx, root, "neigh", false, &g);

	if (rc <= 0)
		return rc;
	rc = cfg_as_group(ctx, &g);
	if (rc == 0)
		rc = cfg_check_keys(ctx, &g, keys);
	if (rc == 0)
		rc = cfg_opt_u32(ctx, &g, "reachable_s", 1, 3600, &cfg->neigh.reachable_s);
	if (rc == 0)
		rc = cfg_opt_u32(ctx, &g, "stale_gc_s", 1, 86400, &cfg->neigh.stale_gc_s);
	if (rc == 0)
		rc = cfg_opt_u32(ctx, &g, "resolve_ms", 10, 60000, &cfg->neigh.resolve_ms);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Entry points */

static void
config_defaults(struct gw_config *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	snprintf(cfg->workers.lcores, sizeof(cfg->workers.lcores), "1");
	cfg->workers.mbufs = CFG_DEF_MBUFS;
	snprintf(cfg->gateway.source, sizeof(cfg->gateway.source), "files");
	snprintf(cfg->gateway.manifests, sizeof(cfg->gateway.manifests), "/etc/dpgw/manifests");
	snprintf(cfg->gateway.controller_name, sizeof(cfg->gateway.controller_name),
		"dpgw.io/gateway-controller");
	snprintf(cfg->admin.socket, sizeof(cfg->admin.socket), "%s", GW_DEFAULT_ADMIN_SOCKET);
	cfg->neigh.reachable_s = 30;
	cfg->neigh.stale_gc_s = 300;
	cfg->neigh.resolve_ms = 1000;
	cfg_l4_defaults(cfg);
	cfg_tcp_defaults(cfg);
}

static int
config_walk(const struct cfg_ctx *ctx, const config_t *lc, struct gw_config *cfg)
{
	static const char *const keys[] = {"ports", "routes", "vips", "snat", "workers",
		"gateway", "admin", "neigh", "l4", "tcp", "drivers_config", NULL};
	struct cfg_node root;
	int rc;

	node_make(&root, config_root_setting(lc), NULL, "");
	rc = cfg_check_keys(ctx, &root, keys);
	/* Workers and drivers_config first: ports need {queues} and the profiles. */
	if (rc == 0)
		rc = parse_workers(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_drivers_config(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_ports(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_routes(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_addr_list(ctx, &root, cfg, false);
	if (rc == 0)
		rc = parse_addr_list(ctx, &root, cfg, true);
	if (rc == 0)
		rc = parse_gateway(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_admin(ctx, &root, cfg);
	if (rc == 0)
		rc = parse_neigh(ctx, &root, cfg);
	if (rc == 0)
		rc = cfg_parse_l4(ctx, &root, cfg);
	if (rc == 0)
		rc = cfg_parse_tcp(ctx, &root, cfg);
	return rc;
}

int
gw_config_load_string(const char *text, const char *name, struct gw_config *cfg, char *err,
	size_t errlen)
{
	struct cfg_ctx ctx = {name != NULL ? name : "<string>", "", NULL, err, errlen};
	config_t lc;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL || cfg == NULL)
		return -EINVAL;
	config_defaults(cfg, ctx.name);
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE)
		rc = syntax_error(&ctx, &lc);
	else
		rc = config_walk(&ctx, &lc, cfg);
	config_destroy(&lc);
	return rc;
}

int
gw_config_load(const char *path, struct gw_config *cfg, char *err, size_t errlen)
{
	struct cfg_ctx ctx = {path, "", NULL, err, errlen};
	char dir[CFG_PATH_LEN];
	const char *slash;
	struct stat st;
	config_t lc;
	FILE *f;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || cfg == NULL)
		return -EINVAL;
	/* Probe first: libconfig reports "file I/O error" without errno. */
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	rc = fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode) ? -EISDIR : 0;
	fclose(f);
	if (rc != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	ctx.base_dir = dir;

	config_defaults(cfg, path);
	config_init(&lc);
	config_set_include_dir(&lc, dir);
	if (config_read_file(&lc, path) == CONFIG_TRUE) {
		rc = config_walk(&ctx, &lc, cfg);
	} else if (config_error_type(&lc) == CONFIG_ERR_FILE_IO) {
		rc = -EIO;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot read it or a file it includes", path);
	} else {
		rc = syntax_error(&ctx, &lc);
	}
	config_destroy(&lc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Boot-only comparison */

static int
differs(char *what, size_t len, const char *key)
{
	if (what != NULL && len > 0)
		snprintf(what, len, "%s", key);
	return 1;
}

static int
port_diff(const struct gw_cfg_port *a, const struct gw_cfg_port *b, unsigned int i, char *what,
	size_t len)
{
	char key[CFG_KEY_LEN];
	const char *k = NULL;

	if (strcmp(a->name, b->name) != 0)
		k = "name";
	else if (strcmp(a->device, b->device) != 0)
		k = "device";
	else if (strcmp(a->profile, b->profile) != 0)
		k = "profile";
	else if (strcmp(a->iface, b->iface) != 0)
		k = "iface";
	else if (strcmp(a->pci, b->pci) != 0)
		k = "pci";
	else if (a->mtu != b->mtu)
		k = "mtu";
	else if (a->rss != b->rss)
		k = "rss";
	else if (a->hw_cksum != b->hw_cksum)
		k = "hw_cksum";
	else if (a->rx_desc != b->rx_desc)
		k = "rx_desc";
	else if (a->tx_desc != b->tx_desc)
		k = "tx_desc";
	if (k == NULL)
		return 0;
	snprintf(key, sizeof(key), "ports.[%u].%s", i, k);
	return differs(what, len, key);
}

int
gw_config_boot_diff(const struct gw_config *a, const struct gw_config *b, char *what,
	size_t len)
{
	unsigned int i;

	if (what != NULL && len > 0)
		what[0] = '\0';
	/*
	 * Workers and drivers_config first: they feed {queues} and the
	 * profiles, so a change there also changes the ports' device strings,
	 * and the key to name is the one the user edited.
	 */
	if (a->workers.n_workers != b->workers.n_workers ||
			memcmp(a->workers.lcore_ids, b->workers.lcore_ids,
				a->workers.n_workers * sizeof(a->workers.lcore_ids[0])) != 0)
		return differs(what, len, "workers.lcores");
	if (a->workers.mbufs != b->workers.mbufs)
		return differs(what, len, "workers.mbufs");
	if (strcmp(a->drivers_config, b->drivers_config) != 0)
		return differs(what, len, "drivers_config");
	if (a->n_ports != b->n_ports)
		return differs(what, len, "ports");
	for (i = 0; i < a->n_ports; i++)
		if (port_diff(&a->ports[i], &b->ports[i], i, what, len) != 0)
			return 1;
	if (memcmp(&a->tcp, &b->tcp, sizeof(a->tcp)) != 0)
		return differs(what, len, "tcp");
	if (strcmp(a->gateway.source, b->gateway.source) != 0)
		return differs(what, len, "gateway.source");
	if (strcmp(a->gateway.manifests, b->gateway.manifests) != 0)
		return differs(what, len, "gateway.manifests");
	if (strcmp(a->gateway.controller_name, b->gateway.controller_name) != 0)
		return differs(what, len, "gateway.controller_name");
	if (strcmp(a->admin.socket, b->admin.socket) != 0)
		return differs(what, len, "admin.socket");
	if (a->l4.max_flows != b->l4.max_flows)
		return differs(what, len, "l4.max_flows");
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The YAML side of the manifest directory source: libyaml events built
 * into jansson values (with the line of every object, for messages and
 * origins), each document with a hash of the events it was built from.
 *
 * The builder keeps an explicit stack, bounded in depth, and a node budget
 * proportional to the input: aliases are expanded by copying, so without
 * the budget ten lines of anchors ("billion laughs") would take gigabytes.
 *
 * A file is also cut at its "---" lines into chunks, so that a re-read
 * parses only the chunks that differ from the version applied (see
 * manifest.c for what the directory source does with them).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "manifest_int.h"

/* Kubernetes objects nest a dozen levels; jansson recurses per level. */
#define MP_MAX_DEPTH 128

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* ======================================================================
 * YAML -> JSON
 * ====================================================================== */

/*
 * Short scalars repeat (apiVersion, kind, namespaces, ports, backend
 * names): within one parse, equal ones share one jansson value, which
 * saves two allocations per repeat and the memory of the copies. Values
 * in the cache are read-only, so sharing a leaf is invisible.
 */
#define MP_INTERN_LEN 48
#define MP_INTERN_MAX_SLOTS 16384u

struct mp_frame {
	json_t *node;           /* object or array under construction */
	char *key;              /* mapping: key waiting for its value (owned) */
	size_t klen;
	char *anchor;           /* registered when the node is complete */
	size_t nodes0;          /* st->nodes when the node started */
	int height;             /* deepest child so far */
	int line;               /* mapping: line of its first key */
	bool items;             /* the root mapping's "items" sequence */
};

struct mp_item {
	int line;
	uint64_t hash;
};

struct mp_slot {
	json_t *v;
	uint64_t h;
};

struct mp_state {
	const char *name;
	const char *text;
	char *err;
	size_t errlen;
	struct mp_frame stack[MP_MAX_DEPTH];
	int depth;
	json_t *anchors;        /* name -> [value, nodes, height]; NULL until needed */
	size_t nodes, budget;
	json_t *root;
	int root_line;          /* first key line (mapping) or start line */
	int root_start;         /* line the root node starts on */
	struct mp_item *items;  /* the root's "items": where each starts, its hash */
	size_t n_items, cap_items;
	struct gw_manifest_doc *docs;
	int n_docs, cap_docs;
	/* What decides a document's value: a hash of its events (not its text). */
	uint64_t doc_h, item_h;
	bool doc_alias;         /* an alias: items are not decided by their own events */
	bool any_alias;         /* in any document */
	struct mp_slot *intern;
	size_t intern_cap, intern_n;
};

static void __attribute__((format(printf, 4, 5)))
mp_err(struct mp_state *st, int line, int col, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->err == NULL || st->errlen == 0)
		return;
	if (col > 0)
		snprintf(st->err, st->errlen, "%s:%d:%d: %s", st->name, line, col, msg);
	else
		snprintf(st->err, st->errlen, "%s:%d: %s", st->name, line, msg);
}

static void
mp_err_mark(struct mp_state *st, const yaml_mark_t *m, const char *msg)
{
	mp_err(st, (int)m->line + 1, (int)m->column + 1, "%s", msg);
}

/* Line of byte @off (libyaml reader errors carry an offset, no mark). */
static int
line_of_offset(const char *text, size_t len, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && i < len; i++)
		line += text[i] == '\n';
	return line;
}

/* ---- hashing (change detection, interning; not adversarial) ---- */

static inline uint64_t
hmix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static uint64_t
hbytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	h = hmix(h, n);
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = hmix(h, w);
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, s, n);
		h = hmix(h, w);
	}
	return h;
}

static uint64_t
hfinal(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

uint64_t
mf_hash(uint64_t seed, const void *p, size_t n)
{
	return hfinal(hbytes(seed, p, n));
}

/* One event into the running hashes of the document and of the List item. */
static void
mp_feed(struct mp_state *st, unsigned int type, const void *p, size_t n)
{
	uint64_t e = n != 0 ? hbytes(type, p, n) : type;

	st->doc_h = hmix(st->doc_h, e);
	if (st->depth >= 2 && st->stack[1].items)
		st->item_h = hmix(st->item_h, e);
}

static void
mp_feed_str(struct mp_state *st, unsigned int type, const yaml_char_t *s)
{
	if (s != NULL)
		mp_feed(st, type, s, strlen((const char *)s));
}

/* ---- scalars ---- */

/* UTF-8 as jansson takes it: no overlongs, surrogates or code points past U+10FFFF. */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
				(cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static struct mp_slot *
intern_slot(struct mp_state *st, uint64_t h, const char *s, size_t n, json_int_t iv, bool is_int)
{
	size_t mask = st->intern_cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct mp_slot *sl = &st->intern[i];

		if (sl->v == NULL)
			return sl;
		if (sl->h != h)
			continue;
		if (!is_int && json_is_string(sl->v) && json_string_length(sl->v) == n &&
				memcmp(json_string_value(sl->v), s, n) == 0)
			return sl;
		if (is_int && json_is_integer(sl->v) && json_integer_value(sl->v) == iv)
			return sl;
	}
}

static bool
intern_room(struct mp_state *st)
{
	struct mp_slot *nv;
	size_t cap;

	if (st->intern_n * 2 < st->intern_cap)
		return true;
	if (st->intern_cap >= MP_INTERN_MAX_SLOTS)
		return false;
	cap = st->intern_cap != 0 ? st->intern_cap * 2 : 256;
	nv = calloc(cap, sizeof(*nv));
	if (nv == NULL)
		return false;
	for (size_t i = 0; i < st->intern_cap; i++) {
		struct mp_slot *o = &st->intern[i];

		if (o->v == NULL)
			continue;
		for (size_t j = o->h & (cap - 1);; j = (j + 1) & (cap - 1)) {
			if (nv[j].v == NULL) {
				nv[j] = *o;
				break;
			}
		}
	}
	free(st->intern);
	st->intern = nv;
	st->intern_cap = cap;
	return true;
}

static void
intern_free(struct mp_state *st)
{
	for (size_t i = 0; i < st->intern_cap; i++)
		json_decref(st->intern[i].v);
	free(st->intern);
	st->intern = NULL;
	st->intern_cap = st->intern_n = 0;
}

static json_t *
intern_put(struct mp_state *st, struct mp_slot *sl, uint64_t h, json_t *v)
{
	if (v != NULL) {
		sl->v = json_incref(v);
		sl->h = h;
		st->intern_n++;
	}
	return v;
}

/* A string value (a new reference); NULL with *@why when it cannot be one. */
static json_t *
mp_string(struct mp_state *st, const char *s, size_t n, const char **why)
{
	struct mp_slot *sl;
	uint64_t h;

	/* Names with a NUL would pass validation cut short at the NUL. */
	if (memchr(s, '\0', n) != NULL) {
		*why = "NUL character in a string";
		return NULL;
	}
	if (!utf8_valid((const unsigned char *)s, n)) {
		*why = "string is not valid UTF-8";
		return NULL;
	}
	if (n > MP_INTERN_LEN || !intern_room(st))
		return json_stringn_nocheck(s, n);
	h = hbytes(0x5f, s, n);
	sl = intern_slot(st, h, s, n, 0, false);
	if (sl->v != NULL)
		return json_incref(sl->v);
	return intern_put(st, sl, h, json_stringn_nocheck(s, n));
}

static json_t *
mp_integer(struct mp_state *st, json_int_t v)
{
	struct mp_slot *sl;
	uint64_t h;

	if (!intern_room(st))
		return json_integer(v);
	h = hmix(0x1f, (uint64_t)v);
	sl = intern_slot(st, h, NULL, 0, v, true);
	if (sl->v != NULL)
		return json_incref(sl->v);
	return intern_put(st, sl, h, json_integer(v));
}

static bool
is_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok;

		if (base == 8)
			ok = c >= '0' && c <= '7';
		else if (base == 16)
			ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				(c >= 'A' && c <= 'F');
		else
			ok = c >= '0' && c <= '9';
		if (!ok)
			return false;
	}
	return true;
}

static size_t
count_digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool
is_float(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		d = count_digits(s + i, n - i);
		if (d == 0)
			return false;
		i += d;
	} else {
		d = count_digits(s + i, n - i);
		if (d == 0)
			return false;
		i += d;
		if (i < n && s[i] == '.') {
			i++;
			i += count_digits(s + i, n - i);
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		d = count_digits(s + i, n - i);
		if (d == 0)
			return false;
		i += d;
	}
	return i == n;
}

static bool
is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

static const char *const null_words[] = { "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };
static const char *const special_floats[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
	"-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };

enum mp_type { MP_ANY, MP_NULL, MP_BOOL, MP_INT, MP_FLOAT };

/*
 * Whether a plain scalar can be anything but a string under the core
 * schema: only if it starts like a number, a null or a boolean. Most
 * scalars (names, hostnames, paths) are decided by their first byte.
 */
static bool
maybe_typed(const char *s, size_t n)
{
	if (n == 0)
		return true;
	switch (s[0]) {
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
	case '-': case '+': case '.': case '~':
	case 'n': case 'N': case 't': case 'T': case 'f': case 'F':
		return true;
	default:
		return false;
	}
}

/*
 * A plain scalar typed by the YAML 1.2 core schema, or by an explicit
 * !!null/!!bool/!!int/!!float tag (@want). NULL with *@why set when the
 * text cannot be that type or has no JSON form.
 */
static json_t *
plain_value(struct mp_state *st, const char *s, size_t n, enum mp_type want, const char **why)
{
	char buf[80];
	const char *p = s;
	size_t m = n;
	bool neg = false;

	*why = NULL;
	if (want == MP_ANY && !maybe_typed(s, n))
		return mp_string(st, s, n, why);
	if ((want == MP_ANY || want == MP_NULL) && (n == 0 || is_one_of(s, n, null_words)))
		return json_null();
	if (want == MP_ANY || want == MP_BOOL) {
		if (is_one_of(s, n, true_words))
			return json_true();
		if (is_one_of(s, n, false_words))
			return json_false();
	}
	if (want == MP_ANY || want == MP_INT || want == MP_FLOAT) {
		int base = 10;

		if (m > 2 && p[0] == '0' && p[1] == 'o' && is_digits(p + 2, m - 2, 8)) {
			base = 8;
		} else if (m > 2 && p[0] == '0' && p[1] == 'x' && is_digits(p + 2, m - 2, 16)) {
			base = 16;
		} else {
			if (m > 0 && (p[0] == '-' || p[0] == '+')) {
				neg = p[0] == '-';
				p++;
				m--;
			}
			if (!is_digits(p, m, 10))
				base = 0;
		}
		if (base != 0) {
			unsigned long long v = 0;
			const char *digits = base == 10 ? p : p + 2;
			size_t nd = base == 10 ? m : m - 2;

			if (nd >= sizeof(buf)) {
				*why = "integer out of range";
				return NULL;
			}
			if (base == 10 && nd <= 18) {
				/* Fits: no strtoull, no range check. */
				for (size_t i = 0; i < nd; i++)
					v = v * 10 + (unsigned int)(digits[i] - '0');
			} else {
				memcpy(buf, digits, nd);
				buf[nd] = '\0';
				errno = 0;
				v = strtoull(buf, NULL, base);
				if (errno == ERANGE || v > (unsigned long long)INT64_MAX + neg) {
					*why = "integer out of range";
					return NULL;
				}
			}
			if (want == MP_FLOAT)
				return json_real(neg ? -(double)v : (double)v);
			return mp_integer(st, neg ? (json_int_t)(0 - v) : (json_int_t)v);
		}
	}
	if ((want == MP_ANY || want == MP_FLOAT) && is_float(s, n)) {
		double v;

		if (n >= sizeof(buf)) {
			*why = "number too long";
			return NULL;
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		v = strtod(buf, NULL);
		if (!isfinite(v)) {
			*why = "number out of range";
			return NULL;
		}
		return json_real(v);
	}
	if ((want == MP_ANY || want == MP_FLOAT) && is_one_of(s, n, special_floats)) {
		*why = "infinity and NaN have no JSON form";
		return NULL;
	}
	if (want != MP_ANY) {
		*why = "scalar does not match its tag";
		return NULL;
	}
	return mp_string(st, s, n, why);
}

static bool
tag_is(const char *tag, const char *type)
{
	size_t n = sizeof(YAML_TAG_PREFIX) - 1;

	return strncmp(tag, YAML_TAG_PREFIX, n) == 0 && strcmp(tag + n, type) == 0;
}

static json_t *
scalar_value(struct mp_state *st, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *why = NULL;
	enum mp_type want = MP_ANY;
	json_t *j;

	if (tag != NULL && strcmp(tag, "!") != 0) {
		if (tag_is(tag, "str"))
			want = MP_ANY, tag = "!";
		else if (tag_is(tag, "null"))
			want = MP_NULL;
		else if (tag_is(tag, "bool"))
			want = MP_BOOL;
		else if (tag_is(tag, "int"))
			want = MP_INT;
		else if (tag_is(tag, "float"))
			want = MP_FLOAT;
		else {
			mp_err(st, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				"unsupported tag %.64s", tag);
			return NULL;
		}
	}
	if ((tag != NULL && strcmp(tag, "!") == 0) ||
			(tag == NULL && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE))
		j = mp_string(st, s, n, &why);
	else if (memchr(s, '\0', n) != NULL)
		j = NULL, why = "NUL character in a string";
	else
		j = plain_value(st, s, n, want, &why);
	if (j == NULL)
		mp_err(st, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, "%s",
			why != NULL ? why : "out of memory");
	return j;
}

static int
check_tag(struct mp_state *st, const yaml_event_t *ev, const yaml_char_t *tag, const char *type)
{
	const char *t = (const char *)tag;

	if (t == NULL || strcmp(t, "!") == 0 || tag_is(t, type))
		return 0;
	mp_err(st, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
		"unsupported tag %.64s", t);
	return -1;
}

static int
add_doc(struct mp_state *st, json_t *obj, int line, uint64_t hash)
{
	if (st->n_docs == st->cap_docs) {
		int cap = st->cap_docs != 0 ? st->cap_docs * 2 : 8;
		struct gw_manifest_doc *d = realloc(st->docs, (size_t)cap * sizeof(*d));

		if (d == NULL) {
			json_decref(obj);
			mp_err(st, line, 0, "out of memory");
			return -ENOMEM;
		}
		st->docs = d;
		st->cap_docs = cap;
	}
	st->docs[st->n_docs].obj = obj;
	st->docs[st->n_docs].line = line;
	st->docs[st->n_docs].hash = hash;
	st->n_docs++;
	return 0;
}

static const char *
json_type_word(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:
		return "a sequence";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "a scalar";
	}
}

/* A complete document: skip it, take it whole, or unpack its List items. */
static int
finish_doc(struct mp_state *st)
{
	json_t *root = st->root, *items, *it;
	const char *kind;
	size_t i, klen;

	st->root = NULL;
	if (root == NULL || json_is_null(root)) {
		json_decref(root);
		return 0;
	}
	if (!json_is_object(root)) {
		mp_err(st, st->root_start, 0, "document is %s, not an object",
			json_type_word(root));
		json_decref(root);
		return -EINVAL;
	}
	kind = json_string_value(json_object_get(root, "kind"));
	klen = kind != NULL ? strlen(kind) : 0;
	items = json_object_get(root, "items");
	if (kind == NULL || klen < 4 || strcmp(kind + klen - 4, "List") != 0 ||
			(!json_is_array(items) && strcmp(kind, "List") != 0))
		return add_doc(st, root, st->root_line, hfinal(st->doc_h));
	/* "kind: List" (kubectl get -o yaml) or a typed list (HTTPRouteList). */
	if (items != NULL && !json_is_null(items) && !json_is_array(items)) {
		mp_err(st, st->root_line, 0, "%s: items: must be a sequence", kind);
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(items, i, it) {
		int line = i < st->n_items ? st->items[i].line : st->root_line;
		/* An alias may reach into another item: its own events do not decide it. */
		uint64_t h = i < st->n_items && !st->doc_alias ? st->items[i].hash : 0;

		if (!json_is_object(it)) {
			mp_err(st, line, 0, "%s item %zu is %s, not an object", kind, i,
				json_type_word(it));
			json_decref(root);
			return -EINVAL;
		}
		if (add_doc(st, json_incref(it), line, h) < 0) {
			json_decref(root);
			return -ENOMEM;
		}
	}
	json_decref(root);
	return 0;
}

static int
push_item(struct mp_state *st, int line)
{
	if (st->n_items == st->cap_items) {
		size_t cap = st->cap_items != 0 ? st->cap_items * 2 : 64;
		struct mp_item *v = realloc(st->items, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		st->items = v;
		st->cap_items = cap;
	}
	st->items[st->n_items].line = line;
	st->items[st->n_items].hash = hfinal(st->item_h);
	st->n_items++;
	return 0;
}

/*
 * Attach a finished value (steals @v) to the node being built, or make it
 * the document root. @line: where it starts (its first key for a mapping).
 */
static int
add_value(struct mp_state *st, json_t *v, int height, int line, int start, const yaml_mark_t *m)
{
	struct mp_frame *f;

	if (st->depth == 0) {
		json_decref(st->root);
		st->root = v;
		st->root_line = line;
		st->root_start = start;
		return 0;
	}
	f = &st->stack[st->depth - 1];
	if (height + 1 > f->height)
		f->height = height + 1;
	if (json_is_array(f->node)) {
		/* append_new and set_new drop @v themselves when they fail. */
		if (json_array_append_new(f->node, v) < 0 ||
				(f->items && push_item(st, line) < 0)) {
			v = NULL;
			goto nomem;
		}
		return 0;
	}
	if (json_object_setn_new_nocheck(f->node, f->key, f->klen, v) < 0) {
		v = NULL;
		goto nomem;
	}
	free(f->key);
	f->key = NULL;
	return 0;
nomem:
	json_decref(v);
	mp_err_mark(st, m, "out of memory");
	return -ENOMEM;
}

/*
 * A key for the mapping on top of the stack. @own: libyaml's buffer for
 * it, taken over (NULL: copy @s).
 */
static int
set_key(struct mp_state *st, const char *s, size_t n, char *own, const yaml_mark_t *m)
{
	struct mp_frame *f = &st->stack[st->depth - 1];

	if (memchr(s, '\0', n) != NULL) {
		mp_err_mark(st, m, "NUL character in a key");
		free(own);
		return -EINVAL;
	}
	/* jansson takes only UTF-8 keys. */
	if (!utf8_valid((const unsigned char *)s, n)) {
		mp_err_mark(st, m, "key is not valid UTF-8");
		free(own);
		return -EINVAL;
	}
	if (json_object_getn(f->node, s, n) != NULL) {
		mp_err(st, (int)m->line + 1, (int)m->column + 1, "duplicate key \"%.64s\"", s);
		free(own);
		return -EINVAL;
	}
	if (own == NULL && (own = strndup(s, n)) == NULL) {
		mp_err_mark(st, m, "out of memory");
		return -ENOMEM;
	}
	if (json_object_size(f->node) == 0)
		f->line = (int)m->line + 1;
	f->key = own;
	f->klen = n;
	return 0;
}

static bool
expecting_key(const struct mp_state *st)
{
	const struct mp_frame *f;

	if (st->depth == 0)
		return false;
	f = &st->stack[st->depth - 1];
	return json_is_object(f->node) && f->key == NULL;
}

static int
register_anchor(struct mp_state *st, const char *anchor, json_t *v, size_t nodes, int height)
{
	json_t *a;

	if (anchor == NULL)
		return 0;
	if (st->anchors == NULL && (st->anchors = json_object()) == NULL)
		return -ENOMEM;
	a = json_pack("[O,I,i]", v, (json_int_t)nodes, height);
	if (a == NULL || json_object_set_new(st->anchors, anchor, a) < 0)
		return -ENOMEM;
	return 0;
}

static int
take_nodes(struct mp_state *st, size_t n, const yaml_mark_t *m)
{
	if (n > st->budget || st->nodes > st->budget - n) {
		mp_err_mark(st, m, "document too large after alias expansion");
		return -EINVAL;
	}
	st->nodes += n;
	return 0;
}

static int
on_start(struct mp_state *st, const yaml_event_t *ev, bool map)
{
	const yaml_char_t *anchor, *tag;
	struct mp_frame *f;
	json_t *node;

	if (map) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (expecting_key(st)) {
		mp_err_mark(st, &ev->start_mark, "mapping key must be a scalar");
		return -EINVAL;
	}
	if (check_tag(st, ev, tag, map ? "map" : "seq") < 0)
		return -EINVAL;
	if (st->depth >= MP_MAX_DEPTH) {
		mp_err_mark(st, &ev->start_mark, "nested too deeply");
		return -EINVAL;
	}
	if (take_nodes(st, 1, &ev->start_mark) < 0)
		return -EINVAL;
	/* A List item starts: its own hash starts too. */
	if (st->depth == 2 && st->stack[1].items)
		st->item_h = 0;
	mp_feed(st, map ? '{' : '[', NULL, 0);
	mp_feed_str(st, '&', anchor);
	node = map ? json_object() : json_array();
	if (node == NULL) {
		mp_err_mark(st, &ev->start_mark, "out of memory");
		return -ENOMEM;
	}
	f = &st->stack[st->depth];
	memset(f, 0, sizeof(*f));
	f->node = node;
	f->nodes0 = st->nodes - 1;
	f->line = (int)ev->start_mark.line + 1;
	/* The root's "items": remember where each item starts, for List. */
	f->items = !map && st->depth == 1 && st->stack[0].key != NULL &&
		st->stack[0].klen == 5 && memcmp(st->stack[0].key, "items", 5) == 0;
	if (f->items)
		st->n_items = 0;
	if (anchor != NULL) {
		f->anchor = strdup((const char *)anchor);
		if (f->anchor == NULL) {
			json_decref(node);
			mp_err_mark(st, &ev->start_mark, "out of memory");
			return -ENOMEM;
		}
	}
	st->depth++;
	return 0;
}

static int
on_end(struct mp_state *st, const yaml_event_t *ev, int start_line)
{
	struct mp_frame f = st->stack[--st->depth];
	int rc;

	mp_feed(st, json_is_object(f.node) ? '}' : ']', NULL, 0);
	if (register_anchor(st, f.anchor, f.node, st->nodes - f.nodes0, f.height) < 0) {
		free(f.anchor);
		json_decref(f.node);
		mp_err_mark(st, &ev->start_mark, "out of memory");
		return -ENOMEM;
	}
	free(f.anchor);
	rc = add_value(st, f.node, f.height, f.line, start_line, &ev->start_mark);
	return rc;
}

static int
on_scalar(struct mp_state *st, yaml_event_t *ev)
{
	const char *anchor = (const char *)ev->data.scalar.anchor;
	int line = (int)ev->start_mark.line + 1;
	json_t *v;

	if (st->depth == 2 && st->stack[1].items)
		st->item_h = 0;
	/* Plain or not decides the type; a tag too. */
	mp_feed(st, ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? 'p' : 'q',
		ev->data.scalar.value, ev->data.scalar.length);
	mp_feed_str(st, '!', ev->data.scalar.tag);
	mp_feed_str(st, '&', ev->data.scalar.anchor);
	if (expecting_key(st)) {
		char *s = (char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;

		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n == 2 &&
				memcmp(s, "<<", 2) == 0) {
			mp_err_mark(st, &ev->start_mark, "merge keys (<<) are not supported");
			return -EINVAL;
		}
		if (anchor != NULL) {
			json_t *k = json_stringn(s, n);

			if (k == NULL || register_anchor(st, anchor, k, 1, 0) < 0) {
				json_decref(k);
				mp_err_mark(st, &ev->start_mark, "bad key");
				return -EINVAL;
			}
			json_decref(k);
		}
		/* The key keeps libyaml's buffer: no copy. */
		ev->data.scalar.value = NULL;
		return set_key(st, s, n, s, &ev->start_mark);
	}
	if (take_nodes(st, 1, &ev->start_mark) < 0)
		return -EINVAL;
	v = scalar_value(st, ev);
	if (v == NULL)
		return -EINVAL;
	if (register_anchor(st, anchor, v, 1, 0) < 0) {
		json_decref(v);
		mp_err_mark(st, &ev->start_mark, "out of memory");
		return -ENOMEM;
	}
	return add_value(st, v, 0, line, line, &ev->start_mark);
}

static int
on_alias(struct mp_state *st, const yaml_event_t *ev)
{
	const char *anchor = (const char *)ev->data.alias.anchor;
	json_t *a = st->anchors != NULL ? json_object_get(st->anchors, anchor) : NULL, *v;
	int line = (int)ev->start_mark.line + 1;
	size_t nodes;
	int height;

	st->doc_alias = st->any_alias = true;
	mp_feed_str(st, '*', ev->data.alias.anchor);
	if (a == NULL) {
		mp_err(st, line, (int)ev->start_mark.column + 1, "undefined alias *%.64s", anchor);
		return -EINVAL;
	}
	v = json_array_get(a, 0);
	nodes = (size_t)json_integer_value(json_array_get(a, 1));
	height = (int)json_integer_value(json_array_get(a, 2));
	if (expecting_key(st)) {
		if (!json_is_string(v)) {
			mp_err_mark(st, &ev->start_mark, "mapping key must be a scalar");
			return -EINVAL;
		}
		return set_key(st, json_string_value(v), json_string_length(v), NULL,
			&ev->start_mark);
	}
	if (st->depth + height >= MP_MAX_DEPTH) {
		mp_err_mark(st, &ev->start_mark, "nested too deeply");
		return -EINVAL;
	}
	if (take_nodes(st, nodes, &ev->start_mark) < 0)
		return -EINVAL;
	/* A copy: the cache normalises objects in place, and the two uses must not share. */
	v = json_deep_copy(v);
	if (v == NULL) {
		mp_err_mark(st, &ev->start_mark, "out of memory");
		return -ENOMEM;
	}
	return add_value(st, v, height, line, line, &ev->start_mark);
}

static void
mp_reset_doc(struct mp_state *st)
{
	while (st->depth > 0) {
		struct mp_frame *f = &st->stack[--st->depth];

		json_decref(f->node);
		free(f->key);
		free(f->anchor);
	}
	json_decref(st->root);
	st->root = NULL;
	if (st->anchors != NULL)
		json_object_clear(st->anchors);
	st->n_items = 0;
	st->doc_h = st->item_h = 0;
	st->doc_alias = false;
}

static void
parser_error(struct mp_state *st, const yaml_parser_t *p, size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "syntax error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		mp_err(st, 1, 0, "out of memory");
		break;
	case YAML_READER_ERROR:
		mp_err(st, line_of_offset(st->text, len, p->problem_offset), 0, "%s", problem);
		break;
	default:
		if (p->context != NULL)
			mp_err(st, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
				"%s (%s)", problem, p->context);
		else
			mp_err_mark(st, &p->problem_mark, problem);
		break;
	}
}

void
gw_manifest_docs_free(struct gw_manifest_doc *docs, int n)
{
	if (docs == NULL)
		return;
	for (int i = 0; i < n; i++)
		json_decref(docs[i].obj);
	free(docs);
}

/* gw_manifest_parse(), saying in *@aliases whether any alias was used. */
int
mf_parse(const char *text, size_t len, const char *name, struct gw_manifest_doc **docs,
	char *err, size_t errlen, bool *aliases)
{
	struct mp_state *st;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, n;

	*docs = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	st->name = name != NULL ? name : "<input>";
	st->text = text;
	st->err = err;
	st->errlen = errlen;
	/* Room for every node written out plus a little: aliases cannot blow it up. */
	st->budget = 2 * len + 4096;
	if (!yaml_parser_initialize(&parser)) {
		free(st);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text != NULL ? text : ""),
		text != NULL ? len : 0);
	for (bool done = false; !done && rc == 0;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(st, &parser, len);
			rc = -EINVAL;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			mp_reset_doc(st);
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = finish_doc(st);
			mp_reset_doc(st);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(st, &ev, true);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(st, &ev, false);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			rc = on_end(st, &ev, st->stack[st->depth - 1].line);
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(st, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(st, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (aliases != NULL)
		*aliases = st->any_alias;
	mp_reset_doc(st);
	json_decref(st->anchors);
	intern_free(st);
	free(st->items);
	if (rc < 0) {
		gw_manifest_docs_free(st->docs, st->n_docs);
		free(st);
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	*docs = st->docs;
	n = st->n_docs;
	free(st);
	return n;
}

int
gw_manifest_parse(const char *text, size_t len, const char *name, struct gw_manifest_doc **docs,
	char *err, size_t errlen)
{
	return mf_parse(text, len, name, docs, err, errlen, NULL);
}

/* ======================================================================
 * Chunks: the partial re-parse of a file
 * ====================================================================== */

static int
chunk_push(struct mf_chunk **v, size_t *n, size_t *cap, const char *text, size_t off, size_t len,
	int line)
{
	struct mf_chunk *c;

	if (*n == *cap) {
		size_t nc = *cap != 0 ? *cap * 2 : 64;

		c = realloc(*v, nc * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		*v = c;
		*cap = nc;
	}
	c = &(*v)[(*n)++];
	c->off = off;
	c->len = len;
	c->line = line;
	c->key = mf_hash((uint64_t)line, text + off, len);
	return 0;
}

/* U+0085, U+2028 or U+2029 in UTF-8. */
static bool
has_odd_break(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text, *p;

	for (p = s; (p = memchr(p, 0xc2, len - (size_t)(p - s))) != NULL; p++)
		if ((size_t)(p - s) + 1 < len && p[1] == 0x85)
			return true;
	for (p = s; (p = memchr(p, 0xe2, len - (size_t)(p - s))) != NULL; p++)
		if ((size_t)(p - s) + 2 < len && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return true;
	return false;
}

/*
 * Split @text at its "---" lines. Returns the number of chunks, or -1
 * when the text has what ties documents to each other or to the stream
 * (directives, "..." document ends, a document ending on "--- " with
 * more on the line does not count as a split and is harmless): then it
 * is parsed whole.
 */
int
mf_split(const char *text, size_t len, struct mf_chunk **out)
{
	size_t n = 0, cap = 0, start = 0, off = 0;
	struct mf_chunk *v = NULL;
	int line = 1, start_line = 1;

	*out = NULL;
	/* libyaml also breaks lines at CR, NEL, LS and PS: lines would not count alike. */
	if (memchr(text, '\r', len) != NULL || has_odd_break(text, len))
		return -1;
	while (off < len) {
		const char *l = text + off, *nl = memchr(l, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len, ll = end - off;

		if (l[0] == '%' || (ll >= 3 && memcmp(l, "...", 3) == 0))
			goto whole;
		if (ll == 4 && memcmp(l, "---\n", 4) == 0 && off > start) {
			if (chunk_push(&v, &n, &cap, text, start, off - start, start_line) < 0)
				goto whole;
			start = off;
			start_line = line;
		}
		line++;
		off = end;
	}
	if (chunk_push(&v, &n, &cap, text, start, len - start, start_line) < 0 || n > INT_MAX)
		goto whole;
	*out = v;
	return (int)n;
whole:
	free(v);
	return -1;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
has_chunk(const struct mf_file *f, uint64_t key)
{
	return f->n_chunks > 0 &&
		bsearch(&key, f->chunks, f->n_chunks, sizeof(key), u64_cmp) != NULL;
}

static int
own_chunk_cmp(const void *a, const void *b)
{
	const struct mf_own *x = *(const struct mf_own *const *)a;
	const struct mf_own *y = *(const struct mf_own *const *)b;

	return x->chunk < y->chunk ? -1 : x->chunk > y->chunk;
}

static int
docs_append(struct gw_manifest_doc **all, int *n, int *cap, struct gw_manifest_doc *docs, int k,
	int line0)
{
	if (*n + k > *cap) {
		int nc = *cap != 0 ? *cap : 64;
		struct gw_manifest_doc *v;

		while (nc < *n + k)
			nc *= 2;
		v = realloc(*all, (size_t)nc * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		*all = v;
		*cap = nc;
	}
	for (int i = 0; i < k; i++) {
		(*all)[*n + i] = docs[i];
		(*all)[*n + i].line += line0;
	}
	*n += k;
	free(docs);
	return 0;
}

/*
 * A re-read file parsed chunk by chunk: chunks the applied version had
 * (same text, same line) are not parsed again, their objects are taken
 * from what the file owns, and only the new chunks go through libyaml.
 * Returns the number of documents parsed (*@docs) with the kept objects
 * as items (*@items, *@n_items; obj NULL), or -1 when this does not
 * apply (an alias, a parse error: the whole file is parsed for the
 * message, an object not as it was put); nothing is changed then.
 */
int
mf_parse_changed(struct gw_objcache *cache, struct mf_file *f, const char *text,
	const struct mf_chunk *ch, int nc, struct gw_manifest_doc **docsp, struct mf_item **itemsp,
	size_t *n_itemsp)
{
	struct gw_manifest_doc *all = NULL, *docs;
	struct mf_own **owns = NULL, *o;
	struct mf_item *items = NULL;
	size_t n_owns = 0, n_items = 0, k = 0;
	int n_all = 0, cap_all = 0, n;
	bool aliases;

	*docsp = NULL;
	*itemsp = NULL;
	*n_itemsp = 0;
	owns = malloc((f->n_own + 1) * sizeof(*owns));
	items = malloc((f->n_own + 1) * sizeof(*items));
	if (owns == NULL || items == NULL)
		goto fail;
	for (o = f->own; o != NULL; o = o->next)
		owns[n_owns++] = o;
	qsort(owns, n_owns, sizeof(*owns), own_chunk_cmp);
	for (int i = 0; i < nc; i++) {
		if (has_chunk(f, ch[i].key)) {
			size_t lo = 0, hi = n_owns;

			/* Its objects as put: the first own of that chunk, then the others. */
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (owns[mid]->chunk < ch[i].key)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (k = lo; k < n_owns && owns[k]->chunk == ch[i].key; k++) {
				const struct gw_obj *cur;

				o = owns[k];
				cur = gw_objcache_get(cache, o->kind, o->ns, o->name);
				if (o->doc_hash == 0 || cur == NULL || cur->resource_version != o->rv)
					goto fail;
				items[n_items++] = (struct mf_item){ .obj = NULL, .line = o->line,
					.hash = o->doc_hash, .chunk = o->chunk, .kind = o->kind,
					.ns = o->ns, .name = o->name };
			}
			continue;
		}
		n = mf_parse(text + ch[i].off, ch[i].len, f->path, &docs, NULL, 0, &aliases);
		if (n < 0)
			goto fail;
		if (aliases || docs_append(&all, &n_all, &cap_all, docs, n, ch[i].line - 1) < 0) {
			gw_manifest_docs_free(docs, n);
			goto fail;
		}
	}
	free(owns);
	*docsp = all;
	*itemsp = items;
	*n_itemsp = n_items;
	return n_all;
fail:
	free(owns);
	free(items);
	gw_manifest_docs_free(all, n_all);
	return -1;
}

/* The chunk a document on @line belongs to (chunks in line order). */
uint64_t
mf_chunk_of(const struct mf_chunk *ch, int nc, int line)
{
	int lo = 0, hi = nc;

	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (ch[mid].line <= line)
			lo = mid;
		else
			hi = mid;
	}
	return nc > 0 ? ch[lo].key : 0;
}

/* After a good apply: the chunks of what is now applied, for the next re-read. */
void
mf_keep_chunks(struct mf_file *f, const struct mf_chunk *ch, int nc)
{
	free(f->chunks);
	f->chunks = NULL;
	f->n_chunks = 0;
	if (nc <= 0 || (f->chunks = malloc((size_t)nc * sizeof(*f->chunks))) == NULL)
		return;
	for (int i = 0; i < nc; i++)
		f->chunks[i] = ch[i].key;
	qsort(f->chunks, (size_t)nc, sizeof(*f->chunks), u64_cmp);
	f->n_chunks = (size_t)nc;
}

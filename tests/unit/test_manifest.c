/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Manifest source: the YAML parser (documents, Lists, scalar typing,
 * anchors, errors with positions), then the directory source on a
 * temporary tree: initial load, add, change, delete, rename, bad files,
 * partial writes, duplicates, ignored names, polling and debounce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "manifest.h"

/* ======================================================================
 * gw_manifest_parse
 * ====================================================================== */

static int
parse(const char *text, struct gw_manifest_doc **docs, char *err, size_t errlen)
{
	return gw_manifest_parse(text, strlen(text), "f.yaml", docs, err, errlen);
}

/* Parse @text, expect an error, check it is exactly @want. */
static void
parse_fails(const char *text, const char *want)
{
	struct gw_manifest_doc *docs = (void *)1;
	char err[512] = "";
	int n = parse(text, &docs, err, sizeof(err));

	if (n != -EINVAL)
		fail_msg("parsed (%d): %s", n, text);
	assert_null(docs);
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("error \"%s\", want \"%s\"", err, want);
}

static json_t *
path(json_t *j, const char *key)
{
	return json_object_get(j, key);
}

/* Document hashes: what decides the object, not its layout or comments. */
static void
test_parse_hash(void **state)
{
	struct gw_manifest_doc *a, *b;
	char err[256];
	int n;

	(void)state;
	n = parse("kind: Service\nmetadata: {name: web}   # one\nspec:\n  port: 80\n"
		"---\nkind: Secret\nmetadata: {name: s}\n", &a, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_int_not_equal(a[0].hash, 0);
	assert_int_not_equal(a[0].hash, a[1].hash);
	/* Same objects written another way: same hashes. */
	n = parse("# other\nkind:   Service\nmetadata:\n  name: web\nspec: {port: 80}\n"
		"---\nkind: Secret\nmetadata: {name: s}\n", &b, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_true(a[0].hash == b[0].hash);
	assert_true(a[1].hash == b[1].hash);
	gw_manifest_docs_free(b, n);
	/* A quoted "80" is a string, not the number: another hash. */
	n = parse("kind: Service\nmetadata: {name: web}\nspec:\n  port: \"80\"\n", &b, err,
		sizeof(err));
	assert_int_equal(n, 1);
	assert_true(a[0].hash != b[0].hash);
	gw_manifest_docs_free(b, n);
	gw_manifest_docs_free(a, 2);

	/* List items hash alone; with an alias in the document they cannot. */
	n = parse("kind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n"
		"- {kind: Service, metadata: {name: b}}\n", &a, err, sizeof(err));
	assert_int_equal(n, 2);
	n = parse("kind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n"
		"- {kind: Service, metadata: {name: c}}\n", &b, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_true(a[0].hash == b[0].hash && a[0].hash != 0);
	assert_true(a[1].hash != b[1].hash && b[1].hash != 0);
	gw_manifest_docs_free(b, 2);
	gw_manifest_docs_free(a, 2);
	n = parse("kind: List\nitems:\n- {kind: Service, metadata: &m {name: a}}\n"
		"- {kind: Secret, metadata: *m}\n", &a, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_true(a[0].hash == 0 && a[1].hash == 0);
	gw_manifest_docs_free(a, 2);
}

/* Equal short scalars are shared within a parse; the values are still right. */
static void
test_parse_shared_scalars(void **state)
{
	struct gw_manifest_doc *d;
	char err[256];
	json_t *p0, *p1;
	int n;

	(void)state;
	n = parse("kind: Service\nmetadata: {name: web}\nspec:\n  ports:\n"
		"  - {name: http, port: 80, x: \"80\"}\n  - {name: http, port: 80, x: \"80\"}\n",
		&d, err, sizeof(err));
	assert_int_equal(n, 1);
	p0 = json_array_get(path(path(d[0].obj, "spec"), "ports"), 0);
	p1 = json_array_get(path(path(d[0].obj, "spec"), "ports"), 1);
	assert_true(json_equal(p0, p1));
	assert_true(p0 != p1);
	assert_true(json_is_integer(path(p1, "port")) && json_integer_value(path(p1, "port")) == 80);
	assert_string_equal(json_string_value(path(p1, "x")), "80");
	assert_string_equal(json_string_value(path(p1, "name")), "http");
	gw_manifest_docs_free(d, n);
}

static void
test_parse_multidoc(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];
	int n;

	n = parse("# a comment\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: web   # trailing comment\n"
		"---\n"
		"---\n"
		"# only a comment\n"
		"---\n"
		"\n"
		"kind: Secret\n"
		"metadata: {name: tls}\n"
		"...\n"
		"--- ~\n"
		"--- null\n"
		"---\n"
		"kind: Gateway\n", &docs, err, sizeof(err));
	assert_int_equal(n, 3);
	assert_string_equal(json_string_value(path(docs[0].obj, "kind")), "Service");
	assert_string_equal(json_string_value(path(path(docs[0].obj, "metadata"), "name")), "web");
	assert_int_equal(docs[0].line, 2);
	assert_int_equal(docs[1].line, 11);
	assert_string_equal(json_string_value(path(path(docs[1].obj, "metadata"), "name")), "tls");
	assert_int_equal(docs[2].line, 17);
	gw_manifest_docs_free(docs, n);

	/* Nothing at all, or only comments: no objects, no error. */
	assert_int_equal(parse("", &docs, err, sizeof(err)), 0);
	gw_manifest_docs_free(docs, 0);
	assert_int_equal(parse("# nothing\n\n", &docs, err, sizeof(err)), 0);
	gw_manifest_docs_free(docs, 0);
	assert_int_equal(gw_manifest_parse(NULL, 0, NULL, &docs, err, sizeof(err)), 0);
	gw_manifest_docs_free(docs, 0);
	gw_manifest_docs_free(NULL, 0);
}

static void
test_parse_list(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];
	int n;

	n = parse("apiVersion: v1\n"
		"kind: List\n"
		"items:\n"
		"- apiVersion: v1\n"
		"  kind: Service\n"
		"  metadata: {name: a}\n"
		"\n"
		"-   kind: Service\n"
		"    metadata: {name: b}\n"
		"- {kind: Service, metadata: {name: c}}\n"
		"---\n"
		"kind: List\n"
		"items: []\n"
		"---\n"
		"kind: HTTPRouteList\n"
		"items:\n"
		"- kind: HTTPRoute\n"
		"---\n"
		"kind: List\n"
		"metadata: {}\n", &docs, err, sizeof(err));
	assert_int_equal(n, 4);
	assert_string_equal(json_string_value(path(path(docs[0].obj, "metadata"), "name")), "a");
	assert_int_equal(docs[0].line, 4);
	assert_string_equal(json_string_value(path(path(docs[1].obj, "metadata"), "name")), "b");
	assert_int_equal(docs[1].line, 8);
	assert_int_equal(docs[2].line, 10);
	assert_string_equal(json_string_value(path(docs[3].obj, "kind")), "HTTPRoute");
	assert_int_equal(docs[3].line, 17);
	gw_manifest_docs_free(docs, n);

	parse_fails("kind: List\nitems:\n- kind: Service\n- just a string\n",
		"f.yaml:4: List item 1 is a string, not an object");
	parse_fails("kind: List\nitems: {a: 1}\n", "f.yaml:1: List: items: must be a sequence");
}

static void
test_parse_scalars(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];
	json_t *o;
	int n;

	n = parse("int: 80\n"
		"str: \"80\"\n"
		"str1: '80'\n"
		"neg: -3\n"
		"plus: +7\n"
		"hex: 0x1f\n"
		"oct: 0o17\n"
		"lead: 0777\n"
		"real: 1.5\n"
		"exp: 1e3\n"
		"dot: .5\n"
		"t: true\n"
		"f: False\n"
		"yes: yes\n"
		"on: on\n"
		"n1: null\n"
		"n2: ~\n"
		"n3:\n"
		"qnull: \"null\"\n"
		"qtrue: 'true'\n"
		"text: hello world\n"
		"ver: 1.2.3\n"
		"time: 2024-01-01T00:00:00Z\n"
		"tagged: !!str 443\n"
		"tagint: !!int \"443\"\n"
		"nonspec: ! 12\n"
		"list: [1, \"2\", x, null, true]\n"
		"80: eighty\n"
		"big: 9223372036854775807\n"
		"small: -9223372036854775808\n"
		"unicode: \"caf\\u00e9\"\n", &docs, err, sizeof(err));
	if (n != 1)
		fail_msg("%d: %s", n, err);
	o = docs[0].obj;
	assert_true(json_is_integer(path(o, "int")));
	assert_int_equal(json_integer_value(path(o, "int")), 80);
	assert_string_equal(json_string_value(path(o, "str")), "80");
	assert_string_equal(json_string_value(path(o, "str1")), "80");
	assert_int_equal(json_integer_value(path(o, "neg")), -3);
	assert_int_equal(json_integer_value(path(o, "plus")), 7);
	assert_int_equal(json_integer_value(path(o, "hex")), 31);
	assert_int_equal(json_integer_value(path(o, "oct")), 15);
	assert_int_equal(json_integer_value(path(o, "lead")), 777);
	assert_true(json_is_real(path(o, "real")));
	assert_true(json_real_value(path(o, "real")) == 1.5);
	assert_true(json_is_real(path(o, "exp")));
	assert_true(json_real_value(path(o, "exp")) == 1000.0);
	assert_true(json_real_value(path(o, "dot")) == 0.5);
	assert_true(json_is_true(path(o, "t")));
	assert_true(json_is_false(path(o, "f")));
	/* YAML 1.2: yes/on are strings, as keys and values. */
	assert_string_equal(json_string_value(path(o, "yes")), "yes");
	assert_string_equal(json_string_value(path(o, "on")), "on");
	assert_true(json_is_null(path(o, "n1")));
	assert_true(json_is_null(path(o, "n2")));
	assert_true(json_is_null(path(o, "n3")));
	assert_string_equal(json_string_value(path(o, "qnull")), "null");
	assert_string_equal(json_string_value(path(o, "qtrue")), "true");
	assert_string_equal(json_string_value(path(o, "text")), "hello world");
	assert_string_equal(json_string_value(path(o, "ver")), "1.2.3");
	assert_string_equal(json_string_value(path(o, "time")), "2024-01-01T00:00:00Z");
	assert_string_equal(json_string_value(path(o, "tagged")), "443");
	assert_int_equal(json_integer_value(path(o, "tagint")), 443);
	assert_string_equal(json_string_value(path(o, "nonspec")), "12");
	assert_int_equal(json_array_size(path(o, "list")), 5);
	assert_true(json_is_integer(json_array_get(path(o, "list"), 0)));
	assert_true(json_is_string(json_array_get(path(o, "list"), 1)));
	assert_true(json_is_string(json_array_get(path(o, "list"), 2)));
	assert_true(json_is_null(json_array_get(path(o, "list"), 3)));
	assert_true(json_is_true(json_array_get(path(o, "list"), 4)));
	assert_string_equal(json_string_value(path(o, "80")), "eighty");
	assert_int_equal(json_integer_value(path(o, "big")), INT64_MAX);
	assert_int_equal(json_integer_value(path(o, "small")), INT64_MIN);
	assert_string_equal(json_string_value(path(o, "unicode")), "caf\xc3\xa9");
	gw_manifest_docs_free(docs, n);

	parse_fails("a: 9223372036854775808\n", "f.yaml:1:4: integer out of range");
	parse_fails("a: .inf\n", "f.yaml:1:4: infinity and NaN have no JSON form");
	parse_fails("a: !!int abc\n", "f.yaml:1:4: scalar does not match its tag");
	parse_fails("a: !custom x\n", "f.yaml:1:4: unsupported tag !custom");
	parse_fails("a: \"x\\0y\"\n", "f.yaml:1:4: NUL character in a string");
	parse_fails("a: 1e999\n", "f.yaml:1:4: number out of range");
}

static void
test_parse_blocks_anchors(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];
	json_t *o;
	int n;

	n = parse("lit: |\n"
		"  line one\n"
		"    indented\n"
		"  line three\n"
		"fold: >\n"
		"  folded\n"
		"  text\n"
		"strip: |-\n"
		"  no newline\n"
		"base: &labels\n"
		"  app: web\n"
		"  tier: front\n"
		"copy: *labels\n"
		"name: &n shared\n"
		"again: *n\n"
		"*n : as key\n"
		"seq: &s [1, 2]\n"
		"seqs: [*s, *s]\n", &docs, err, sizeof(err));
	if (n != 1)
		fail_msg("%d: %s", n, err);
	o = docs[0].obj;
	assert_string_equal(json_string_value(path(o, "lit")), "line one\n  indented\nline three\n");
	assert_string_equal(json_string_value(path(o, "fold")), "folded text\n");
	assert_string_equal(json_string_value(path(o, "strip")), "no newline");
	assert_true(json_equal(path(o, "base"), path(o, "copy")));
	/* Expanded as copies: the two places do not share one value. */
	assert_ptr_not_equal(path(o, "base"), path(o, "copy"));
	json_object_set_new(path(o, "copy"), "app", json_string("changed"));
	assert_string_equal(json_string_value(path(path(o, "base"), "app")), "web");
	assert_string_equal(json_string_value(path(o, "again")), "shared");
	assert_string_equal(json_string_value(path(o, "shared")), "as key");
	assert_int_equal(json_array_size(json_array_get(path(o, "seqs"), 1)), 2);
	gw_manifest_docs_free(docs, n);

	/* Anchors do not cross documents. */
	parse_fails("a: &x 1\n---\nb: *x\n", "f.yaml:3:4: undefined alias *x");
	parse_fails("base: &b {a: 1}\nx:\n  <<: *b\n", "f.yaml:3:3: merge keys (<<) are not supported");
	/* Ten levels of nine aliases would be 9^10 nodes. */
	parse_fails("a: &a [1,1,1,1,1,1,1,1,1]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", NULL);
}

static void
test_parse_json(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];
	int n;
	const char *j = "{\n"
		"\t\"apiVersion\": \"v1\",\n"
		"\t\"kind\": \"Service\",\n"
		"\t\"metadata\": {\"name\": \"web\", \"labels\": {\"port\": \"80\"}},\n"
		"\t\"spec\": {\"ports\": [{\"port\": 80, \"weight\": 1.5, \"on\": true, \"x\": null}]}\n"
		"}\n";

	n = parse(j, &docs, err, sizeof(err));
	if (n != 1)
		fail_msg("%d: %s", n, err);
	assert_int_equal(docs[0].line, 2);
	{
		json_t *p = json_array_get(path(path(docs[0].obj, "spec"), "ports"), 0);

		assert_int_equal(json_integer_value(path(p, "port")), 80);
		assert_true(json_is_real(path(p, "weight")));
		assert_true(json_is_true(path(p, "on")));
		assert_true(json_is_null(path(p, "x")));
		assert_string_equal(json_string_value(path(path(path(docs[0].obj, "metadata"),
			"labels"), "port")), "80");
	}
	gw_manifest_docs_free(docs, n);
	/* Compact JSON, no spaces after colons. */
	n = parse("{\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"}}", &docs, err, sizeof(err));
	assert_int_equal(n, 1);
	gw_manifest_docs_free(docs, n);
	parse_fails("{\"kind\": \"Service\",\n \"spec\": {\"a\": 1,}\n", NULL);
}

static void
test_parse_errors(void **state)
{
	struct gw_manifest_doc *docs;
	char err[256];

	parse_fails("kind: Service\nmetadata:\n  name: a: b\n",
		"f.yaml:3:10: mapping values are not allowed in this context");
	parse_fails("- a\n- b\n", "f.yaml:1: document is a sequence, not an object");
	parse_fails("kind: Service\n---\nhello\n", "f.yaml:3: document is a string, not an object");
	parse_fails("---\n---\n\n42\n", "f.yaml:4: document is a number, not an object");
	parse_fails("kind: Service\nkind: Secret\n", "f.yaml:2:1: duplicate key \"kind\"");
	parse_fails("a:\n\tb: 1\n", NULL);
	parse_fails("a: [1, 2\nb: 3\n", NULL);
	parse_fails("a: 'unterminated\n", NULL);
	parse_fails("[a]: 1\n", "f.yaml:1:1: mapping key must be a scalar");
	parse_fails("a: 1\n--- |\n  text\n", "f.yaml:2: document is a string, not an object");
	parse_fails("a: \xff\n", "f.yaml:1: invalid leading UTF-8 octet");
	/* The name comes first; NULL means <input>. */
	assert_int_equal(gw_manifest_parse("- x\n", 4, NULL, &docs, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "<input>:1: document is a sequence, not an object");
	/* err may be NULL. */
	assert_int_equal(gw_manifest_parse("- x\n", 4, "n", &docs, NULL, 0), -EINVAL);

	/* Too deep for the stack of the builder: an error, not a crash. */
	{
		char deep[1200];
		size_t i;

		strcpy(deep, "a: ");
		for (i = 3; i < 3 + 500; i++)
			deep[i] = '[';
		deep[i] = '\0';
		parse_fails(deep, NULL);
		assert_int_equal(parse(deep, &docs, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "nested too deeply"));
	}
	/* Only len bytes are read: no NUL needed. */
	{
		const char text[] = "kind: Service\nmetadata: {name: x}\nGARBAGE: [";
		int n = gw_manifest_parse(text, strlen("kind: Service\nmetadata: {name: x}\n"), "t",
			&docs, err, sizeof(err));

		assert_int_equal(n, 1);
		gw_manifest_docs_free(docs, n);
	}
}

/* 1000 routes in one file: well under a millisecond per route. */
static void
test_parse_speed(void **state)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	struct gw_manifest_doc *docs;
	struct timespec a, b;
	char err[256];
	double ms;
	int n;

	assert_non_null(buf);
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(buf + len, cap - len,
			"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
			"metadata:\n  name: route-%d\n  namespace: default\nspec:\n"
			"  parentRefs:\n  - name: gw\n  hostnames: [\"h%d.example.com\"]\n"
			"  rules:\n  - matches:\n    - path: {type: PathPrefix, value: /api}\n"
			"      headers:\n      - {name: x-v, value: \"2\"}\n"
			"    backendRefs:\n    - {name: svc-%d, port: 8080, weight: 1}\n", i, i, i);
	clock_gettime(CLOCK_MONOTONIC, &a);
	n = gw_manifest_parse(buf, len, "big.yaml", &docs, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(n, 1000);
	assert_int_equal(docs[999].line, len > 0 ? docs[999].line : 0);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("parsed 1000 routes in %.2f ms\n", ms);
	assert_true(ms < 1000.0);
	gw_manifest_docs_free(docs, n);
	free(buf);
}

/* ======================================================================
 * The directory source
 * ====================================================================== */

struct fixture {
	char dir[64];
	struct gw_objcache *cache;
	struct gw_manifest_dir *src;
};

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
dir_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dpgw-test-manifest.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->cache = gw_objcache_new();
	*state = f;
	return f->cache != NULL ? 0 : -1;
}

static int
dir_teardown(void **state)
{
	struct fixture *f = *state;

	gw_manifest_dir_free(f->src);
	gw_objcache_free(f->cache);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
mkdirs(const char *p)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", p);
	for (char *s = buf + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(buf, 0755);
			*s = '/';
		}
	}
}

static void
write_at(struct fixture *f, const char *rel, const char *text, const char *mode)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", f->dir, rel);
	mkdirs(p);
	fp = fopen(p, mode);
	if (fp == NULL)
		fail_msg("%s: %s", p, strerror(errno));
	fputs(text, fp);
	fclose(fp);
}

static void
put_file(struct fixture *f, const char *rel, const char *text)
{
	write_at(f, rel, text, "w");
}

static void
rm_file(struct fixture *f, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", f->dir, rel);
	assert_int_equal(unlink(p), 0);
}

static void
mv_file(struct fixture *f, const char *from, const char *to)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s/%s", f->dir, from);
	snprintf(b, sizeof(b), "%s/%s", f->dir, to);
	mkdirs(b);
	assert_int_equal(rename(a, b), 0);
}

static char *
route_yaml(const char *name, const char *host)
{
	static char buf[8][512];
	static int i;
	char *b = buf[i++ % 8];

	snprintf(b, 512,
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n"
		"  hostnames: [\"%s\"]\n", name, host);
	return b;
}

static const char svc_yaml[] =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata:\n"
	"  name: web\n"
	"  namespace: shop\n"
	"spec:\n"
	"  ports:\n"
	"  - port: 80\n"
	"    targetPort: \"http\"\n"
	"---\n"
	"apiVersion: discovery.k8s.io/v1\n"
	"kind: EndpointSlice\n"
	"metadata:\n"
	"  name: web-1\n"
	"  namespace: shop\n"
	"  labels: {kubernetes.io/service-name: web}\n"
	"addressType: IPv4\n"
	"endpoints:\n"
	"- addresses: [\"10.0.0.1\"]\n";

static const char gw_yaml[] =
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: GatewayClass\n"
	"metadata: {name: dpgw}\n"
	"spec: {controllerName: dpgw.io/gateway}\n"
	"---\n"
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: Gateway\n"
	"metadata: {name: gw}\n"
	"spec:\n"
	"  gatewayClassName: dpgw\n"
	"  listeners:\n"
	"  - {name: http, port: 80, protocol: HTTP}\n";

static const struct gw_obj *
get(struct fixture *f, enum gw_kind k, const char *ns, const char *name)
{
	return gw_objcache_get(f->cache, k, ns, name);
}

static struct gw_manifest_stats
stats(struct fixture *f)
{
	struct gw_manifest_stats s;

	gw_manifest_dir_stats(f->src, &s);
	return s;
}

static size_t
n_errors(struct fixture *f)
{
	json_t *e = gw_manifest_dir_errors(f->src);
	size_t n = json_array_size(e);

	json_decref(e);
	return n;
}

static void
start(struct fixture *f, unsigned int debounce_ms)
{
	f->src = gw_manifest_dir_new(f->dir, f->cache, debounce_ms);
	assert_non_null(f->src);
	assert_int_equal(gw_manifest_dir_fd(f->src), -1);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
test_dir_initial(void **state)
{
	struct fixture *f = *state;
	const struct gw_obj *o;
	char origin[128];
	json_t *e;

	put_file(f, "gateway.yaml", gw_yaml);
	put_file(f, "routes/a.yml", route_yaml("a", "a.example.com"));
	put_file(f, "routes/deep/b.yaml", route_yaml("b", "b.example.com"));
	put_file(f, "services.json",
		"{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"api\"}}");
	put_file(f, "shop.yaml", svc_yaml);
	/* Ignored: hidden files and directories, other extensions. */
	put_file(f, ".hidden.yaml", route_yaml("hidden", "x"));
	put_file(f, ".git/config.yaml", route_yaml("git", "x"));
	put_file(f, "routes/.a.yml.swp", "garbage: [");
	put_file(f, "README.md", "# not a manifest: [");
	put_file(f, "notes.txt", "a: [");
	put_file(f, "routes/a.yaml~", "a: [");
	/* Unknown kinds are skipped, not errors. */
	put_file(f, "zz-app.yaml",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n"
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
		"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");

	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 6);
	assert_true(gw_manifest_dir_fd(f->src) >= 0);
	e = gw_manifest_dir_errors(f->src);
	if (json_array_size(e) != 0)
		fail_msg("errors: %s", json_dumps(e, 0));
	json_decref(e);

	assert_non_null(get(f, GW_KIND_GATEWAYCLASS, NULL, "dpgw"));
	assert_non_null(get(f, GW_KIND_GATEWAY, "default", "gw"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, "default", "a"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, "default", "b"));
	assert_null(get(f, GW_KIND_HTTPROUTE, "default", "hidden"));
	assert_null(get(f, GW_KIND_HTTPROUTE, "default", "git"));
	assert_non_null(get(f, GW_KIND_SERVICE, "default", "api"));
	assert_non_null(get(f, GW_KIND_SERVICE, "shop", "web"));
	assert_non_null(get(f, GW_KIND_ENDPOINTSLICE, "shop", "web-1"));
	assert_non_null(get(f, GW_KIND_NAMESPACE, NULL, "shop"));
	o = get(f, GW_KIND_SERVICE, "shop", "web");
	assert_true(json_is_integer(json_object_get(json_array_get(json_object_get(
		json_object_get(o->obj, "spec"), "ports"), 0), "port")));
	snprintf(origin, sizeof(origin), "%s/shop.yaml:1", f->dir);
	assert_string_equal(o->origin, origin);
	o = get(f, GW_KIND_ENDPOINTSLICE, "shop", "web-1");
	snprintf(origin, sizeof(origin), "%s/shop.yaml:11", f->dir);
	assert_string_equal(o->origin, origin);
	o = get(f, GW_KIND_HTTPROUTE, "default", "b");
	snprintf(origin, sizeof(origin), "%s/routes/deep/b.yaml:1", f->dir);
	assert_string_equal(o->origin, origin);
	/* Files load in byte order of their paths: creation order follows. */
	assert_true(get(f, GW_KIND_GATEWAY, NULL, "gw")->created <
		get(f, GW_KIND_HTTPROUTE, NULL, "a")->created);
	assert_true(get(f, GW_KIND_HTTPROUTE, NULL, "a")->created <
		get(f, GW_KIND_HTTPROUTE, NULL, "b")->created);

	assert_int_equal(stats(f).files, 6);
	assert_int_equal(stats(f).objects, 8);
	assert_int_equal(stats(f).applied, 6);
	assert_int_equal(stats(f).scans, 1);
	assert_int_equal(stats(f).reads, 6);
	/* Nothing changed: nothing read. */
	assert_int_equal(gw_manifest_dir_scan(f->src), 0);
	assert_int_equal(stats(f).reads, 6);
	assert_int_equal(gw_manifest_dir_poll(f->src, 0), 0);
}

static void
test_dir_add_change_delete(void **state)
{
	struct fixture *f = *state;
	const struct gw_obj *o;
	uint64_t v, rv, reads;

	put_file(f, "a.yaml", route_yaml("a", "a.example.com"));
	start(f, 5);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);

	/* Add. */
	put_file(f, "b.yaml", route_yaml("b", "b.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "b"));

	/* Change: same length, same second; inotify says which file. */
	o = get(f, GW_KIND_HTTPROUTE, NULL, "a");
	assert_int_equal(o->generation, 1);
	put_file(f, "a.yaml", route_yaml("a", "c.example.com"));
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "a");
	assert_int_equal(o->generation, 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
		o->obj, "spec"), "hostnames"), 0)), "c.example.com");
	/* Only a comment: the file is read, but its object is the same, at the same line. */
	rv = get(f, GW_KIND_HTTPROUTE, NULL, "a")->resource_version;
	reads = stats(f).reads;
	write_at(f, "a.yaml", "# comment\n", "a");
	assert_int_equal(gw_manifest_dir_poll(f->src, 200), 0);
	assert_int_equal(stats(f).reads, reads + 1);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "a")->resource_version, rv);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "a")->generation, 2);
	/* Moved down a line: applied again (its origin moved), the generation stays. */
	put_file(f, "a.yaml", "# comment\n");
	write_at(f, "a.yaml", route_yaml("a", "c.example.com"), "a");
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "a");
	assert_true(o->resource_version > rv);
	assert_int_equal(o->generation, 2);
	assert_non_null(strstr(o->origin, "a.yaml:2"));

	/* An object removed from a file leaves the cache. */
	put_file(f, "b.yaml", "---\n");
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "b"));

	/* Delete. */
	put_file(f, "b.yaml", route_yaml("b", "b.example.com"));
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	v = gw_objcache_version(f->cache);
	rm_file(f, "b.yaml");
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "b"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "a"));
	assert_true(gw_objcache_version(f->cache) > v);
	assert_int_equal(stats(f).files, 1);
	assert_int_equal(stats(f).objects, 1);

	/* Timeout with nothing pending: 0, after the timeout. */
	{
		double t0 = now_ms();

		assert_int_equal(gw_manifest_dir_poll(f->src, 60), 0);
		assert_true(now_ms() - t0 >= 55.0);
	}
	/* Non-manifest and hidden files stir inotify but change nothing. */
	put_file(f, "x.txt", "hello");
	put_file(f, ".x.yaml", route_yaml("x", "x"));
	assert_int_equal(gw_manifest_dir_poll(f->src, 100), 0);
	assert_int_equal(gw_manifest_dir_poll(f->src, 0), 0);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "x"));
}

static void
test_dir_rename(void **state)
{
	struct fixture *f = *state;
	const struct gw_obj *o;
	char origin[128];
	int64_t created;
	uint64_t rv;

	put_file(f, "a.yaml", route_yaml("r", "a.example.com"));
	put_file(f, "other.yaml", route_yaml("keep", "k.example.com"));
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 2);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "r");
	created = o->created;
	rv = o->resource_version;

	/* To a later name, then into a new subdirectory, then to an earlier name. */
	mv_file(f, "a.yaml", "z.yaml");
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "r");
	assert_non_null(o);
	assert_int_equal(o->created, created);
	assert_int_equal(o->generation, 1);
	assert_true(o->resource_version > rv);
	snprintf(origin, sizeof(origin), "%s/z.yaml:1", f->dir);
	assert_string_equal(o->origin, origin);

	mv_file(f, "z.yaml", "sub/dir/z.yaml");
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "r");
	assert_non_null(o);
	assert_int_equal(o->created, created);
	snprintf(origin, sizeof(origin), "%s/sub/dir/z.yaml:1", f->dir);
	assert_string_equal(o->origin, origin);

	mv_file(f, "sub", "0sub");
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "r");
	assert_non_null(o);
	assert_int_equal(o->created, created);
	snprintf(origin, sizeof(origin), "%s/0sub/dir/z.yaml:1", f->dir);
	assert_string_equal(o->origin, origin);
	assert_int_equal(n_errors(f), 0);
	assert_int_equal(stats(f).files, 2);
	assert_int_equal(stats(f).objects, 2);

	/* A file written beside and renamed over (how editors and kubectl cp save). */
	put_file(f, ".other.yaml.tmp", route_yaml("keep", "new.example.com"));
	mv_file(f, ".other.yaml.tmp", "other.yaml");
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	o = get(f, GW_KIND_HTTPROUTE, NULL, "keep");
	assert_int_equal(o->generation, 2);
	/* Files written into the renamed directory are seen: it is still watched. */
	put_file(f, "0sub/dir/new.yaml", route_yaml("new", "n.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "new"));
}

static void
test_dir_bad_file(void **state)
{
	struct fixture *f = *state;
	char want[256];
	json_t *e, *e0;

	put_file(f, "a.yaml", route_yaml("a", "a.example.com"));
	put_file(f, "b.yaml", route_yaml("b1", "b.example.com"));
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 2);

	/* Bad YAML on line 3: the file's last good objects stay. */
	put_file(f, "b.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n  y: [\n");
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "b1"));
	assert_null(get(f, GW_KIND_SERVICE, NULL, "x"));
	e = gw_manifest_dir_errors(f->src);
	assert_int_equal(json_array_size(e), 1);
	e0 = json_array_get(e, 0);
	snprintf(want, sizeof(want), "%s/b.yaml", f->dir);
	assert_string_equal(json_string_value(json_object_get(e0, "file")), want);
	assert_true(json_integer_value(json_object_get(e0, "line")) >= 3);
	assert_non_null(strstr(json_string_value(json_object_get(e0, "error")), want));
	json_decref(e);
	assert_int_equal(stats(f).refused, 1);

	/* A good document and a refused object: nothing of it applies. */
	put_file(f, "b.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\n---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: Not_Valid}\n");
	gw_manifest_dir_poll(f->src, 2000);
	assert_null(get(f, GW_KIND_SERVICE, NULL, "ok"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "b1"));
	e = gw_manifest_dir_errors(f->src);
	e0 = json_array_get(e, 0);
	assert_int_equal(json_integer_value(json_object_get(e0, "line")), 5);
	snprintf(want, sizeof(want), "%s/b.yaml:5: Service default/Not_Valid: metadata.name: "
		"must be a DNS subdomain", f->dir);
	assert_string_equal(json_string_value(json_object_get(e0, "error")), want);
	json_decref(e);

	/* A wrong apiVersion for a known kind is refused too. */
	put_file(f, "b.yaml", "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\n"
		"metadata: {name: b2}\n");
	gw_manifest_dir_poll(f->src, 2000);
	assert_int_equal(n_errors(f), 1);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "b2"));

	/* Fixed: applied, the error goes, the old objects are replaced. */
	put_file(f, "b.yaml", route_yaml("b2", "b.example.com"));
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	assert_int_equal(n_errors(f), 0);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "b1"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "b2"));

	/* A broken file that is deleted takes its error with it. */
	put_file(f, "c.yaml", "- not an object\n");
	gw_manifest_dir_poll(f->src, 2000);
	e = gw_manifest_dir_errors(f->src);
	e0 = json_array_get(e, 0);
	snprintf(want, sizeof(want), "%s/c.yaml:1: document is a sequence, not an object", f->dir);
	assert_string_equal(json_string_value(json_object_get(e0, "error")), want);
	assert_int_equal(json_integer_value(json_object_get(e0, "line")), 1);
	json_decref(e);
	rm_file(f, "c.yaml");
	gw_manifest_dir_poll(f->src, 2000);
	assert_int_equal(n_errors(f), 0);
	assert_int_equal(stats(f).files, 2);
}

/* A file written in pieces converges on what is finally on disk. */
static void
test_dir_chunks(void **state)
{
	struct fixture *f = *state;
	char all[1024], half[1024];
	size_t n;

	snprintf(all, sizeof(all), "%s---\n%s", route_yaml("one", "1.example.com"),
		route_yaml("two", "2.example.com"));
	n = strlen(all) / 2 + 7;
	memcpy(half, all, n);
	half[n] = '\0';
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 0);
	put_file(f, "r.yaml", half);
	gw_manifest_dir_poll(f->src, 2000);
	write_at(f, "r.yaml", all + n, "a");
	gw_manifest_dir_poll(f->src, 2000);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "one"));
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "two"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
		get(f, GW_KIND_HTTPROUTE, NULL, "two")->obj, "spec"), "hostnames"), 0)),
		"2.example.com");
	assert_int_equal(n_errors(f), 0);

	/* Cut mid-token, then completed, with scans directly. */
	put_file(f, "s.yaml", "apiVersion: v1\nkind: Serv");
	gw_manifest_dir_scan(f->src);
	write_at(f, "s.yaml", "ice\nmetadata: {name: s}\n", "a");
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_non_null(get(f, GW_KIND_SERVICE, NULL, "s"));
	assert_int_equal(n_errors(f), 0);
}

static void
test_dir_duplicates(void **state)
{
	struct fixture *f = *state;
	char want[256];
	json_t *e;

	put_file(f, "a.yaml", route_yaml("dup", "a.example.com"));
	put_file(f, "b.yaml", route_yaml("dup", "b.example.com"));
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	/* The later file in byte order is the one in error. */
	e = gw_manifest_dir_errors(f->src);
	assert_int_equal(json_array_size(e), 1);
	snprintf(want, sizeof(want), "%s/b.yaml", f->dir);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "file")), want);
	snprintf(want, sizeof(want), "%s/b.yaml:1: HTTPRoute default/dup: already defined in "
		"%s/a.yaml", f->dir, f->dir);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "error")), want);
	json_decref(e);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
		get(f, GW_KIND_HTTPROUTE, NULL, "dup")->obj, "spec"), "hostnames"), 0)),
		"a.example.com");

	/* Once a.yaml lets go, b.yaml's definition is taken, without touching b.yaml. */
	put_file(f, "a.yaml", route_yaml("other", "a.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_int_equal(n_errors(f), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
		get(f, GW_KIND_HTTPROUTE, NULL, "dup")->obj, "spec"), "hostnames"), 0)),
		"b.example.com");

	/* Twice in one file: an error for that file. */
	put_file(f, "c.yaml", "kind: Service\napiVersion: v1\nmetadata: {name: s}\n---\n"
		"kind: Service\napiVersion: v1\nmetadata: {name: s, namespace: default}\n");
	gw_manifest_dir_poll(f->src, 2000);
	e = gw_manifest_dir_errors(f->src);
	assert_int_equal(json_array_size(e), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 0), "line")), 5);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(e, 0), "error")),
		"defined twice"));
	json_decref(e);
	assert_null(get(f, GW_KIND_SERVICE, NULL, "s"));
	/* Same name in another namespace or kind is no duplicate. */
	put_file(f, "c.yaml", "kind: Service\napiVersion: v1\nmetadata: {name: s}\n---\n"
		"kind: Service\napiVersion: v1\nmetadata: {name: s, namespace: b}\n---\n"
		"kind: Secret\napiVersion: v1\nmetadata: {name: s}\n");
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	assert_int_equal(n_errors(f), 0);
	assert_int_equal(stats(f).objects, 5);
}

/* A hundred files: a rescan reads only the one that changed. */
static const char *host_of(struct fixture *f, const char *name);

/* One object changed in a file of many: only that one is put again. */
static void
test_dir_unchanged_objects(void **state)
{
	struct fixture *f = *state;
	char text[4096];
	uint64_t rv[3], v;
	const char *names[] = { "r0", "r1", "r2" };

	snprintf(text, sizeof(text), "%s---\n%s---\n%s", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "b.example.com"), route_yaml("r2", "c.example.com"));
	put_file(f, "many.yaml", text);
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	for (int i = 0; i < 3; i++)
		rv[i] = get(f, GW_KIND_HTTPROUTE, NULL, names[i])->resource_version;
	v = gw_objcache_version(f->cache);
	snprintf(text, sizeof(text), "%s---\n%s---\n%s", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "d.example.com"), route_yaml("r2", "c.example.com"));
	put_file(f, "many.yaml", text);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_int_equal(gw_objcache_version(f->cache), v + 1);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r0")->resource_version, rv[0]);
	assert_true(get(f, GW_KIND_HTTPROUTE, NULL, "r1")->resource_version > rv[1]);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r1")->generation, 2);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r2")->resource_version, rv[2]);
	/* Only r1's chunk was parsed again: at its place in the file. */
	assert_string_equal(host_of(f, "r1"), "d.example.com");
	assert_non_null(strstr(get(f, GW_KIND_HTTPROUTE, NULL, "r1")->origin, "many.yaml:8"));
	assert_non_null(strstr(get(f, GW_KIND_HTTPROUTE, NULL, "r2")->origin, "many.yaml:15"));
	/* One line more before r1: r1 and r2 are put again, at their new lines; r0 is not. */
	snprintf(text, sizeof(text), "%s---\n# r1\n%s---\n%s", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "d.example.com"), route_yaml("r2", "c.example.com"));
	put_file(f, "many.yaml", text);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r0")->resource_version, rv[0]);
	assert_non_null(strstr(get(f, GW_KIND_HTTPROUTE, NULL, "r1")->origin, "many.yaml:9"));
	assert_non_null(strstr(get(f, GW_KIND_HTTPROUTE, NULL, "r2")->origin, "many.yaml:16"));
	rv[2] = get(f, GW_KIND_HTTPROUTE, NULL, "r2")->resource_version;
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r2")->generation, 1);
	/* A broken chunk: refused whole, with the message a whole parse gives; then fixed. */
	snprintf(text, sizeof(text), "%s---\n# r1\n%s---\n%sx: [\n", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "d.example.com"), route_yaml("r2", "c.example.com"));
	put_file(f, "many.yaml", text);
	assert_int_equal(gw_manifest_dir_scan(f->src), 0);
	assert_int_equal(n_errors(f), 1);
	snprintf(text, sizeof(text), "%s---\n# r1\n%s---\n%s", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "d.example.com"), route_yaml("r2", "c.example.com"));
	put_file(f, "many.yaml", text);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_int_equal(n_errors(f), 0);
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r2")->resource_version, rv[2]);
	/* The cache changed behind the source's back: put again. */
	gw_objcache_lock(f->cache);
	assert_int_equal(gw_objcache_delete(f->cache, GW_KIND_HTTPROUTE, NULL, "r2"), 0);
	gw_objcache_unlock(f->cache);
	write_at(f, "many.yaml", "# moves nothing\n", "a");
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "r2"));
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r0")->resource_version, rv[0]);
	/* One removed: the others stay as they are. */
	snprintf(text, sizeof(text), "%s---\n%s", route_yaml("r0", "a.example.com"),
		route_yaml("r1", "d.example.com"));
	put_file(f, "many.yaml", text);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "r2"));
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r0")->resource_version, rv[0]);
	assert_int_equal(stats(f).objects, 2);
	/* A new file in a directory, then in a new subdirectory, then gone: found by name. */
	assert_int_equal(stats(f).walks, 1);
	put_file(f, "new.yaml", route_yaml("n", "n.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "n"));
	assert_int_equal(stats(f).walks, 1);
	put_file(f, "sub/new2.yaml", route_yaml("n2", "n.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "n2"));
	assert_int_equal(stats(f).walks, 2);
	put_file(f, "sub/new3.yaml", route_yaml("n3", "n.example.com"));
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "n3"));
	rm_file(f, "sub/new2.yaml");
	assert_true(gw_manifest_dir_poll(f->src, 2000) > 0);
	assert_null(get(f, GW_KIND_HTTPROUTE, NULL, "n2"));
	assert_int_equal(stats(f).walks, 2);
	assert_int_equal(stats(f).files, 3);
	assert_int_equal(n_errors(f), 0);
}

static void
test_dir_only_changed(void **state)
{
	struct fixture *f = *state;
	char name[32], rname[32], host[64];

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "r%03d.yaml", i);
		snprintf(rname, sizeof(rname), "r%03d", i);
		put_file(f, name, route_yaml(rname, "x.example.com"));
	}
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 100);
	assert_int_equal(stats(f).reads, 100);
	assert_int_equal(gw_objcache_count(f->cache, GW_KIND_HTTPROUTE), 100);
	for (int round = 0; round < 3; round++) {
		snprintf(host, sizeof(host), "y%d.example.com", round);
		put_file(f, "r042.yaml", route_yaml("r042", host));
		assert_int_equal(gw_manifest_dir_scan(f->src), 1);
		assert_int_equal(stats(f).reads, 101 + (uint64_t)round);
	}
	assert_int_equal(get(f, GW_KIND_HTTPROUTE, NULL, "r042")->generation, 4);
	/* Touched, same content: read, not applied. */
	put_file(f, "r007.yaml", route_yaml("r007", "x.example.com"));
	assert_int_equal(gw_manifest_dir_scan(f->src), 0);
	assert_int_equal(stats(f).reads, 104);
	assert_int_equal(stats(f).applied, 103);
}

struct writer {
	struct fixture *f;
	int chunks;
	int gap_ms;
	double end_ms;          /* when the last write was done */
};

static double now_ms(void);

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char host[64];

	for (int i = 0; i < w->chunks; i++) {
		struct timespec ts = { 0, (long)w->gap_ms * 1000000L };

		snprintf(host, sizeof(host), "w%d.example.com", i);
		put_file(w->f, "w.yaml", route_yaml("w", host));
		nanosleep(&ts, NULL);
	}
	w->end_ms = now_ms();
	return NULL;
}

static const char *
host_of(struct fixture *f, const char *name)
{
	const struct gw_obj *o = get(f, GW_KIND_HTTPROUTE, NULL, name);

	return o == NULL ? "" : json_string_value(json_array_get(json_object_get(json_object_get(
		o->obj, "spec"), "hostnames"), 0));
}

static void
test_dir_debounce(void **state)
{
	struct fixture *f = *state;
	struct writer w = { f, 5, 20, 0 };
	uint64_t scans;
	pthread_t t;
	double t0, dt;

	start(f, 150);
	assert_int_equal(gw_manifest_dir_scan(f->src), 0);
	scans = stats(f).scans;

	/* Five writes 20 ms apart, debounce 150 ms: one scan after the last. */
	t0 = now_ms();
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	assert_int_equal(gw_manifest_dir_poll(f->src, 5000), 1);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	assert_int_equal(stats(f).scans, scans + 1);
	assert_true(dt >= 150.0 + 80.0 - 10.0);
	assert_string_equal(host_of(f, "w"), "w4.example.com");

	/*
	 * Writes that never stop still get a scan within 20 debounce intervals
	 * (the default interval, 5 ms: at most 100 ms).
	 */
	gw_manifest_dir_free(f->src);
	f->src = NULL;
	start(f, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	w.chunks = 300;
	w.gap_ms = 3;
	t0 = now_ms();
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	assert_int_equal(gw_manifest_dir_poll(f->src, 5000), 1);
	dt = now_ms();
	pthread_join(t, NULL);
	print_message("first scan under continuous writes after %.0f ms (writes went on "
		"for %.0f ms)\n", dt - t0, w.end_ms - t0);
	/* Without the cap it would wait for the writes to stop. */
	assert_true(dt < w.end_ms);
	/* The rest converges. */
	while (gw_manifest_dir_poll(f->src, 200) > 0)
		;
	assert_string_equal(host_of(f, "w"), "w299.example.com");
}

static void
test_dir_misc(void **state)
{
	struct fixture *f = *state;
	char p[512], q[512];

	/* A missing root: -ENOENT, nothing changes; then it appears. */
	snprintf(p, sizeof(p), "%s/root", f->dir);
	f->src = gw_manifest_dir_new(p, f->cache, 0);
	assert_non_null(f->src);
	assert_int_equal(gw_manifest_dir_scan(f->src), -ENOENT);
	put_file(f, "root/a.yaml", route_yaml("a", "a.example.com"));
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	gw_manifest_dir_free(f->src);
	f->src = NULL;
	/* The root is not readable any more: the cache keeps its objects. */
	snprintf(q, sizeof(q), "%s/root/", f->dir);
	f->src = gw_manifest_dir_new(q, f->cache, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	{
		char origin[600];

		snprintf(origin, sizeof(origin), "%s/root/a.yaml:1", f->dir);
		assert_string_equal(get(f, GW_KIND_HTTPROUTE, NULL, "a")->origin, origin);
	}
	snprintf(q, sizeof(q), "%s/gone", f->dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), -ENOENT);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "a"));
	assert_int_equal(rename(q, p), 0);
	gw_manifest_dir_free(f->src);
	f->src = NULL;

	/* Symlinks to files count (Kubernetes' ConfigMap volumes). */
	put_file(f, "cm/..2024_01/route.yaml", route_yaml("linked", "l.example.com"));
	snprintf(p, sizeof(p), "%s/cm/..data", f->dir);
	assert_int_equal(symlink("..2024_01", p), 0);
	snprintf(p, sizeof(p), "%s/cm/route.yaml", f->dir);
	assert_int_equal(symlink("..data/route.yaml", p), 0);
	snprintf(p, sizeof(p), "%s/cm", f->dir);
	f->src = gw_manifest_dir_new(p, f->cache, 0);
	assert_int_equal(gw_manifest_dir_scan(f->src), 1);
	assert_non_null(get(f, GW_KIND_HTTPROUTE, NULL, "linked"));
	assert_int_equal(stats(f).files, 1);
	/* The ConfigMap is updated: new directory, ..data swapped by rename. */
	put_file(f, "cm/..2024_02/route.yaml", route_yaml("linked", "m.example.com"));
	snprintf(p, sizeof(p), "%s/cm/..data_tmp", f->dir);
	assert_int_equal(symlink("..2024_02", p), 0);
	snprintf(q, sizeof(q), "%s/cm/..data", f->dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(gw_manifest_dir_poll(f->src, 2000), 1);
	assert_string_equal(host_of(f, "linked"), "m.example.com");

	assert_null(gw_manifest_dir_new(NULL, f->cache, 0));
	assert_null(gw_manifest_dir_new("/tmp", NULL, 0));
	gw_manifest_dir_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_hash),
		cmocka_unit_test(test_parse_shared_scalars),
		cmocka_unit_test(test_parse_multidoc),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_parse_scalars),
		cmocka_unit_test(test_parse_blocks_anchors),
		cmocka_unit_test(test_parse_json),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_speed),
		cmocka_unit_test_setup_teardown(test_dir_initial, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_add_change_delete, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_rename, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_bad_file, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_chunks, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_duplicates, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_unchanged_objects, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_only_changed, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_debounce, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_dir_misc, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

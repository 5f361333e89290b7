/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: gw_config_load_string() on arbitrary text.
 *
 * The input is copied into a NUL-terminated heap buffer and parsed into a
 * heap struct gw_config (about 110 KiB, never on the stack). Whatever the
 * text, the loader must return 0 or a negative errno, never crash, leak
 * (LeakSanitizer runs in libFuzzer) or leave the error message
 * unterminated; a failure must say why. When it succeeds, the invariants
 * config.h promises are checked, and loading the same text again must give
 * the same result (no hidden global state).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) leaks a string token when its grammar rejects
 * it: config_read_string() alone loses 64 bytes on `"x" ;` (from
 * strbuf_append) and 1 byte on `a = ( { b = 1 c ""; } );` (an empty string,
 * from libconfig_yylex), with no dpgw code involved (seeds
 * corpus/config/bad-libconfig-*-leak.conf). That is libconfig's bug,
 * bounded per failed load; suppress exactly those allocation sites so that
 * leaks of our own still stop the fuzzer.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_config: %s:%d: contract violated: %s\n", __FILE__,   \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Texts longer than this are not what a configuration file looks like. */
#define MAX_INPUT (64 * 1024)

static struct gw_config *cfg_a, *cfg_b;

static bool
terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static void
check_config(const struct gw_config *c)
{
	CHECK(c->n_ports <= GW_CFG_MAX_PORTS);
	CHECK(c->n_routes <= GW_CFG_MAX_ROUTES);
	CHECK(c->n_vips <= GW_CFG_MAX_VIPS);
	CHECK(c->workers.n_workers >= 1 && c->workers.n_workers <= GW_CFG_MAX_WORKERS);
	for (unsigned int i = 0; i < c->workers.n_workers; i++) {
		CHECK(c->workers.lcore_ids[i] < GW_CFG_MAX_LCORE);
		CHECK(c->workers.lcore_ids[i] != c->workers.main_lcore);
		if (i > 0)
			CHECK(c->workers.lcore_ids[i - 1] < c->workers.lcore_ids[i]);
	}
	for (unsigned int i = 0; i < c->n_ports; i++) {
		const struct gw_cfg_port *p = &c->ports[i];

		CHECK(terminated(p->name, sizeof(p->name)) && p->name[0] != '\0');
		CHECK(terminated(p->device, sizeof(p->device)) && p->device[0] != '\0');
		CHECK(p->n_addrs <= GW_CFG_MAX_ADDRS);
		for (unsigned int j = 0; j < p->n_addrs; j++) {
			int fam = p->addrs[j].addr.family;

			CHECK(fam == AF_INET || fam == AF_INET6);
			CHECK(p->addrs[j].len <= (fam == AF_INET ? 32 : 128));
		}
		for (unsigned int j = 0; j < i; j++)
			CHECK(strcmp(c->ports[j].name, p->name) != 0);
	}
	for (unsigned int i = 0; i < c->n_routes; i++) {
		const struct gw_cfg_route *r = &c->routes[i];
		int fam = r->prefix.addr.family;

		CHECK(fam == AF_INET || fam == AF_INET6);
		CHECK(r->via.family == fam);
		CHECK(r->prefix.len <= (fam == AF_INET ? 32 : 128));
		CHECK(terminated(r->port, sizeof(r->port)));
	}
	for (unsigned int i = 0; i < c->n_vips; i++)
		CHECK(c->vips[i].family == AF_INET || c->vips[i].family == AF_INET6);
	CHECK(terminated(c->workers.lcores, sizeof(c->workers.lcores)));
	CHECK(terminated(c->admin.socket, sizeof(c->admin.socket)));
	CHECK(terminated(c->gateway.source, sizeof(c->gateway.source)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err_a[GW_CFG_ERR_LEN], err_b[GW_CFG_ERR_LEN];
	char *text;
	int rc, rc2;

	if (size > MAX_INPUT)
		return 0;
	if (cfg_a == NULL) {
		cfg_a = malloc(sizeof(*cfg_a));
		cfg_b = malloc(sizeof(*cfg_b));
		if (cfg_a == NULL || cfg_b == NULL)
			abort();
	}
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(err_a, 0x55, sizeof(err_a));
	rc = gw_config_load_string(text, "fuzz.conf", cfg_a, err_a, sizeof(err_a));
	CHECK(rc <= 0);
	if (rc < 0) {
		CHECK(rc >= -4095);
		CHECK(terminated(err_a, sizeof(err_a)));
		CHECK(err_a[0] != '\0');
	} else {
		check_config(cfg_a);
	}
	/* Deterministic: the same text gives the same answer. */
	rc2 = gw_config_load_string(text, "fuzz.conf", cfg_b, err_b, sizeof(err_b));
	CHECK(rc2 == rc);
	if (rc < 0)
		CHECK(strcmp(err_a, err_b) == 0);
	else
		CHECK(gw_config_boot_diff(cfg_a, cfg_b, err_b, sizeof(err_b)) == 0);
	free(text);
	return 0;
}

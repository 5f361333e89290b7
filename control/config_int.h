/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the dpgw.conf loader (config.c, config_l4.c): the parse
 * context and the typed-access helpers that build "FILE:LINE: KEY: reason"
 * messages. Not for other users of libgw_config: they see config.h only.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "config.h"

#define CFG_KEY_LEN 128

/* Where messages go and how they are labelled. */
struct cfg_ctx {
	const char *name;     /* file name when a setting does not carry one */
	const char *note;     /* appended to every message, or "" */
	const char *base_dir; /* directory of the main file, NULL for strings */
	char *err;
	size_t errlen;
};

/* A setting together with the key path that names it in messages. */
struct cfg_node {
	const config_setting_t *s;
	char key[CFG_KEY_LEN];
};

/* Write "FILE:LINE: KEY: reason" and return -EINVAL. */
int cfg_fail(const struct cfg_ctx *ctx, const struct cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 and @out filled if @name exists in group @g, 0 if not, <0 (message) if @required. */
int cfg_child(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name,
	bool required, struct cfg_node *out);
/* Reject members of @g not in the NULL-terminated @known. */
int cfg_check_keys(const struct cfg_ctx *ctx, const struct cfg_node *g,
	const char *const *known);
int cfg_as_group(const struct cfg_ctx *ctx, const struct cfg_node *n);
/* Optional members of group @g: *@v is left alone when absent. */
int cfg_opt_u32(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name,
	long long min, long long max, uint32_t *v);
int cfg_opt_bool(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name, bool *v);
int cfg_opt_str(const struct cfg_ctx *ctx, const struct cfg_node *g, const char *name,
	char *dst, size_t len);

/* config_l4.c: defaults of cfg->l4, and the l4 = { ... } group (after workers). */
void cfg_l4_defaults(struct gw_config *cfg);
int cfg_parse_l4(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg);

/* config_tcp.c: defaults of cfg->tcp, and the tcp = { ... } group (after workers). */
void cfg_tcp_defaults(struct gw_config *cfg);
int cfg_parse_tcp(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg);
/* config_l4.c: "LO-HI" with 1 <= LO <= HI <= 65535. */
bool cfg_port_range_parse(const char *s, unsigned long *lo, unsigned long *hi);

#endif /* GW_CONFIG_INT_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compiler: turns a validated configuration into a complete data-plane
 * generation (struct gw_dp), off to the side. Nothing is published here;
 * the caller publishes the result through lib/gen only if this succeeded,
 * so a half-built generation never reaches the workers.
 */
#ifndef GW_COMPILE_H
#define GW_COMPILE_H

#include <stddef.h>

#include "config.h"
#include "gw_dp.h"

/*
 * Build the generation for @cfg. Port i of the configuration is dpgw port
 * index i. Returns NULL with a message in @err on failure.
 */
struct gw_dp *gw_compile(const struct gw_config *cfg, int socket, char *err, size_t errlen);

#endif /* GW_COMPILE_H */

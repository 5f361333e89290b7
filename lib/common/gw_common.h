/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Common definitions shared by every dpgw module: the log type, branch
 * hints, and small helpers that would otherwise be repeated.
 *
 * Logging is for init, errors and configuration changes only; per-packet
 * outcomes are counters (lib/stats). GW_LOG() never allocates and is safe to
 * call from any thread, but must never be called per packet.
 */
#ifndef GW_COMMON_H
#define GW_COMMON_H

#include <stdint.h>
#include <stddef.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_branch_prediction.h>

extern int gw_logtype;

#define GW_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, gw_logtype, "dpgw: " fmt "\n", ##__VA_ARGS__)

/* Length of a string literal or array, checked at compile time. */
#define GW_DIM(a) RTE_DIM(a)

/* Maximum ports and workers the appliance supports (boot-time arrays). */
#define GW_MAX_PORTS 8
#define GW_MAX_WORKERS 64

#endif /* GW_COMMON_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FNV-1a (64-bit) for the control path: object keys, content versions and
 * status signatures. Not for anything an outsider could choose to collide
 * on the data path; the data plane has its own hashes.
 */
#ifndef GW_HASH_H
#define GW_HASH_H

#include <stddef.h>
#include <stdint.h>

#define GW_FNV64_INIT 0xcbf29ce484222325ull

/* Fold @n bytes at @p into @h. */
static inline uint64_t
gw_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif /* GW_HASH_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF",
 * 2012), RFC 6528 ISNs and SYN cookies.
 *
 * Every keyed value below hashes a message whose first byte names its use,
 * so the ISN offset and the cookie's two hashes are unrelated even though
 * they share one key and one tuple.
 *
 * Cookie layout (c = now_us / 64 s, arithmetic mod 2^32):
 *
 *   cookie = W + ((c mod 256) << 24 | mss_idx << 21 | M)
 *
 * W = H('W', tuple, peer_isn) hides the layout and ties the cookie to the
 * SYN it answers; M = H('M', tuple, peer_isn, c, mss_idx) mod 2^21 is the
 * authenticator, over the full 64-bit counter so that a cookie 256 counters
 * old does not come back. Checking subtracts W, accepts a counter byte of
 * now's counter or the one before only (which turns most garbage away
 * without a second hash), then recomputes M for that counter and the index.
 *
 * Linux instead adds the MSS index to the hash, which lets a cookie with
 * its low bits changed pass with another MSS; here every bit is covered.
 * For one SYN 2 counters x 8 indexes = 16 of the 2^32 values pass: a blind
 * guess succeeds with probability 2^-28, as with Linux's layout.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "gw_tcp_crypto.h"

#define COOKIE_PERIOD_US (64ull * 1000 * 1000)
#define COOKIE_COUNTER_SHIFT 24
#define COOKIE_MSS_SHIFT 21
#define COOKIE_MAC_MASK ((1u << COOKIE_MSS_SHIFT) - 1)

/* Domain bytes: the first byte of each hashed message. */
#define DOM_ISN 'I'
#define DOM_COOKIE_WHITEN 'W'
#define DOM_COOKIE_MAC 'M'

const uint16_t gw_tcp_cookie_mss[8] = {
	536,    /* RFC 9293 default; also any peer MSS below it */
	1200,
	1220,   /* IPv6 minimum MTU 1280 - 60 */
	1300,
	1400,
	1440,
	1460,   /* Ethernet, IPv4 */
	8960,   /* 9000 jumbo frames, IPv4 */
};

static inline uint64_t
rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define SIPROUND(v0, v1, v2, v3) do { \
	(v0) += (v1); (v1) = rotl64((v1), 13); (v1) ^= (v0); (v0) = rotl64((v0), 32); \
	(v2) += (v3); (v3) = rotl64((v3), 16); (v3) ^= (v2); \
	(v0) += (v3); (v3) = rotl64((v3), 21); (v3) ^= (v0); \
	(v2) += (v1); (v1) = rotl64((v1), 17); (v1) ^= (v2); (v2) = rotl64((v2), 32); \
} while (0)

uint64_t
gw_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	/* "somepseudorandomlygeneratedbytes" */
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m;
	size_t left = len, i;

	for (; left >= 8; left -= 8, p += 8) {
		m = load_le64(p);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* Last block: the 0..7 remaining bytes, the length's low byte on top. */
	m = (uint64_t)(len & 0xff) << 56;
	for (i = 0; i < left; i++)
		m |= (uint64_t)p[i] << (8 * i);
	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;

	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Domain, family, addresses, ports; then peer ISN, counter, MSS index at most. */
#define MSG_MAX (2 + 16 + 16 + 2 + 2 + 4 + 8 + 1)

/*
 * The tuple as bytes after @domain: only the address bytes the family
 * uses (garbage past an IPv4 address must not change the hash) and the
 * ports in a fixed byte order. Returns the length.
 */
static size_t
tuple_msg(uint8_t msg[MSG_MAX], uint8_t domain, const struct gw_tcp_tuple *t)
{
	size_t alen = t->family == AF_INET ? 4 : 16, n = 0;

	msg[n++] = domain;
	msg[n++] = t->family;
	memcpy(msg + n, t->laddr, alen);
	n += alen;
	memcpy(msg + n, t->raddr, alen);
	n += alen;
	msg[n++] = (uint8_t)(t->lport >> 8);
	msg[n++] = (uint8_t)t->lport;
	msg[n++] = (uint8_t)(t->rport >> 8);
	msg[n++] = (uint8_t)t->rport;
	return n;
}

uint32_t
gw_tcp_isn(const uint8_t key[16], const struct gw_tcp_tuple *t, uint64_t now_us)
{
	return gw_tcp_isn_ts(key, t, now_us, NULL);
}

uint32_t
gw_tcp_isn_ts(const uint8_t key[16], const struct gw_tcp_tuple *t, uint64_t now_us,
	uint32_t *ts_offset)
{
	uint8_t msg[MSG_MAX];
	size_t n = tuple_msg(msg, DOM_ISN, t);
	uint64_t h = gw_siphash24(key, msg, n);

	if (ts_offset != NULL)
		*ts_offset = (uint32_t)(h >> 32);
	return (uint32_t)(now_us / 4) + (uint32_t)h;
}

static void
put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
cookie_whiten(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn)
{
	uint8_t msg[MSG_MAX];
	size_t n = tuple_msg(msg, DOM_COOKIE_WHITEN, t);

	put_le(msg + n, peer_isn, 4);
	n += 4;
	return (uint32_t)gw_siphash24(key, msg, n);
}

static uint32_t
cookie_mac(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn,
	uint64_t counter, unsigned int mss_idx)
{
	uint8_t msg[MSG_MAX];
	size_t n = tuple_msg(msg, DOM_COOKIE_MAC, t);

	put_le(msg + n, peer_isn, 4);
	n += 4;
	put_le(msg + n, counter, 8);
	n += 8;
	msg[n++] = (uint8_t)mss_idx;
	return (uint32_t)gw_siphash24(key, msg, n) & COOKIE_MAC_MASK;
}

static unsigned int
cookie_mss_index(uint16_t peer_mss)
{
	unsigned int i;

	if (peer_mss == 0)
		peer_mss = 536;
	/* Below the smallest entry we can only offer the smallest. */
	for (i = RTE_DIM(gw_tcp_cookie_mss) - 1; i > 0; i--)
		if (gw_tcp_cookie_mss[i] <= peer_mss)
			break;
	return i;
}

uint32_t
gw_tcp_cookie_make(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn,
	uint16_t peer_mss, uint64_t now_us)
{
	uint64_t counter = now_us / COOKIE_PERIOD_US;
	unsigned int idx = cookie_mss_index(peer_mss);
	uint32_t v;

	v = (uint32_t)(counter & 0xff) << COOKIE_COUNTER_SHIFT |
		(uint32_t)idx << COOKIE_MSS_SHIFT |
		cookie_mac(key, t, peer_isn, counter, idx);
	return cookie_whiten(key, t, peer_isn) + v;
}

uint16_t
gw_tcp_cookie_check(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn,
	uint32_t cookie, uint64_t now_us)
{
	uint64_t counter = now_us / COOKIE_PERIOD_US;
	uint32_t v, age;
	unsigned int idx;

	v = cookie - cookie_whiten(key, t, peer_isn);
	/* 0: this period, 1: the one before; 255 and such: the future or long ago. */
	age = ((uint32_t)counter - (v >> COOKIE_COUNTER_SHIFT)) & 0xff;
	if (age > 1 || age > counter)
		return 0;
	idx = (v >> COOKIE_MSS_SHIFT) & 7;
	if ((v & COOKIE_MAC_MASK) != cookie_mac(key, t, peer_isn, counter - age, idx))
		return 0;
	return gw_tcp_cookie_mss[idx];
}

/* Low 6 bits of the cookie TSval: wscale in bits 0-3, SACK-permitted bit 4, bit 5 zero. */
#define TS_WSCALE_MASK 0xfu
#define TS_SACK_BIT 0x10u
#define TS_BITS_MASK 0x3fu

uint32_t
gw_tcp_cookie_ts(uint32_t tsval_now, uint8_t wscale, bool sack)
{
	uint32_t bits = (wscale & TS_WSCALE_MASK) | (sack ? TS_SACK_BIT : 0);
	uint32_t ts = (tsval_now & ~TS_BITS_MASK) | bits;

	/*
	 * A TSval ahead of our clock would make the peer's echo look like it
	 * came from the future (RTT measurement, PAWS): go back one step.
	 */
	if (bits > (tsval_now & TS_BITS_MASK))
		ts -= TS_BITS_MASK + 1;
	return ts;
}

void
gw_tcp_cookie_ts_decode(uint32_t tsecr, uint8_t *wscale, bool *sack)
{
	*wscale = (uint8_t)(tsecr & TS_WSCALE_MASK);
	*sack = (tsecr & TS_SACK_BIT) != 0;
}

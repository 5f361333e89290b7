/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyed functions of lib/tcp: SipHash-2-4, initial sequence numbers
 * (RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M a 4-microsecond clock) and SYN cookies (RFC 4987 §3.6).
 *
 * A cookie is the ISN of a SYN-ACK the stack sends without keeping state:
 *   cookie = hash(key, 4-tuple, peer ISN) + (t << 24 | mss index << 21 | MAC)
 * with t the low byte of a 64-second counter and a 21-bit MAC over the
 * tuple, peer ISN, full counter and index (gw_tcp_crypto.c has the
 * details; only make/check must agree). The index points into
 * gw_tcp_cookie_mss[] (the largest entry <= the peer's MSS). Window scale
 * and SACK-permitted, which do not fit, ride in the low 6 bits of the
 * timestamp value of the SYN-ACK when the peer offered timestamps (as
 * Linux does): the peer echoes it in every ACK's TSecr.
 */
#ifndef GW_TCP_CRYPTO_H
#define GW_TCP_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

uint64_t gw_siphash24(const uint8_t key[16], const void *data, size_t len);

/* 4-tuple as the stack sees it: local = ours. Addresses network order, 16 bytes (IPv4: first 4). */
struct gw_tcp_tuple {
	uint8_t family;
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint16_t lport, rport;          /* host order */
};

/* RFC 6528 ISN: (now_us / 4) + siphash(key, tuple). */
uint32_t gw_tcp_isn(const uint8_t key[16], const struct gw_tcp_tuple *t, uint64_t now_us);
/*
 * The same ISN, and from the other half of the same hash a per-connection
 * timestamp offset (RFC 7323 §5.4) into *@ts_offset (when not NULL): one
 * SipHash for both. The offset depends on the tuple only, so a SYN cookie's
 * timestamps and the connection made from the cookie agree.
 */
uint32_t gw_tcp_isn_ts(const uint8_t key[16], const struct gw_tcp_tuple *t, uint64_t now_us,
	uint32_t *ts_offset);

/*
 * MSS values a cookie can carry (index 0..7), ascending. A peer MSS below
 * the first (536) still gets the first: a cookie cannot honour it.
 */
extern const uint16_t gw_tcp_cookie_mss[8];

/* Cookie ISN for a SYN with sequence @peer_isn and MSS option @peer_mss (0 if absent: 536). */
uint32_t gw_tcp_cookie_make(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn,
	uint16_t peer_mss, uint64_t now_us);
/*
 * @cookie = ACK number - 1 of the third segment, @peer_isn = its sequence - 1.
 * Valid when made within the last 128 s (two counter values). Returns the
 * MSS it carries, or 0 when invalid.
 */
uint16_t gw_tcp_cookie_check(const uint8_t key[16], const struct gw_tcp_tuple *t, uint32_t peer_isn,
	uint32_t cookie, uint64_t now_us);

/*
 * The SYN-ACK's TSval when it is a cookie: @tsval_now with its low 6 bits
 * holding @wscale (0..14, 15 = peer sent none) and @sack; never later than
 * @tsval_now (so it goes back one 64 step when needed).
 */
uint32_t gw_tcp_cookie_ts(uint32_t tsval_now, uint8_t wscale, bool sack);
/* Read them back from the TSecr of the ACK. */
void gw_tcp_cookie_ts_decode(uint32_t tsecr, uint8_t *wscale, bool *sack);

#endif /* GW_TCP_CRYPTO_H */

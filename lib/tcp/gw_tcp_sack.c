/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SACK scoreboard. Ranges are kept as absolute sequence numbers, but every
 * computation that orders or measures them works on offsets from SND.UNA,
 * where the window is a plain linear interval and 2^32 wraparound vanishes.
 *
 * SetPipe() is not walked segment by segment: IsLost() can only turn false
 * as the sequence number rises (fewer SACKed bytes and ranges lie above), so
 * the lost pieces form a prefix of the window, found by binary search, and
 * pipe is two range sums. The cost is O(GW_TCP_SB_MAX * log(window / mss))
 * whatever the window.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gw_tcp_sack.h"

#define SACK_DUPTHRESH 3

/*
 * Block @i as offsets [*s, *e) from @base, clipped below at 0; false when
 * it lies wholly at or below @base (a board not yet pruned to this ACK).
 */
static inline bool
blk_off(const struct gw_tcp_sackboard *sb, unsigned int i, uint32_t base,
	uint32_t *s, uint32_t *e)
{
	const struct gw_tcp_sack_block *b = &sb->b[i];

	if (gw_seq_le(b->end, base))
		return false;
	*s = gw_seq_lt(b->start, base) ? 0 : b->start - base;
	*e = b->end - base;
	return true;
}

/* SACKed bytes within offsets [a, b) from @base. */
static uint32_t
sacked_in(const struct gw_tcp_sackboard *sb, uint32_t base, uint32_t a, uint32_t b)
{
	uint32_t sum = 0, s, e;
	unsigned int i;

	for (i = 0; i < sb->n; i++) {
		if (!blk_off(sb, i, base, &s, &e))
			continue;
		if (s < a)
			s = a;
		if (e > b)
			e = b;
		if (s < e)
			sum += e - s;
	}
	return sum;
}

static uint32_t
blocks_total(const struct gw_tcp_sack_block *b, unsigned int n)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += b[i].end - b[i].start;
	return sum;
}

/*
 * Insert [s, e) into @n sorted, disjoint, non-adjacent blocks (all at or
 * above @base), absorbing every block it overlaps or touches. @b has room
 * for @n + 1. Returns the new count.
 */
static unsigned int
blocks_insert(struct gw_tcp_sack_block *b, unsigned int n, uint32_t s, uint32_t e, uint32_t base)
{
	struct gw_tcp_sack_block out[GW_TCP_SB_MAX + 1];
	uint32_t os = s - base, oe = e - base;
	unsigned int i = 0, k = 0;

	while (i < n && b[i].end - base < os)
		out[k++] = b[i++];
	while (i < n && b[i].start - base <= oe) {
		if (b[i].start - base < os)
			os = b[i].start - base;
		if (b[i].end - base > oe)
			oe = b[i].end - base;
		i++;
	}
	out[k].start = base + os;
	out[k].end = base + oe;
	k++;
	while (i < n)
		out[k++] = b[i++];
	memcpy(b, out, k * sizeof(out[0]));
	return k;
}

void
gw_tcp_sb_ack(struct gw_tcp_sackboard *sb, uint32_t snd_una)
{
	unsigned int i, k = 0;

	for (i = 0; i < sb->n; i++) {
		struct gw_tcp_sack_block b = sb->b[i];

		if (gw_seq_le(b.end, snd_una))
			continue;
		if (gw_seq_lt(b.start, snd_una))
			b.start = snd_una;
		sb->b[k++] = b;
	}
	sb->n = (uint8_t)k;
}

uint32_t
gw_tcp_sb_update(struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	const struct gw_tcp_sack_block *blk, unsigned int n)
{
	struct gw_tcp_sack_block tmp[GW_TCP_SB_MAX + 1];
	unsigned int i, cnt;
	uint32_t gained = 0;

	gw_tcp_sb_ack(sb, snd_una);
	if (blk == NULL || n == 0)
		return 0;
	cnt = sb->n;
	memcpy(tmp, sb->b, cnt * sizeof(tmp[0]));
	for (i = 0; i < n; i++) {
		uint32_t s = blk[i].start, e = blk[i].end, before;

		/* D-SACK (at or below SND.UNA), empty, or never sent: ignore. */
		if (!gw_seq_lt(snd_una, s) || !gw_seq_lt(s, e) || !gw_seq_le(e, snd_nxt))
			continue;
		before = blocks_total(tmp, cnt);
		cnt = blocks_insert(tmp, cnt, s, e, snd_una);
		gained += blocks_total(tmp, cnt) - before;
		/* Sorted: the last block is the one farthest from SND.UNA. */
		if (cnt > GW_TCP_SB_MAX)
			cnt = GW_TCP_SB_MAX;
	}
	memcpy(sb->b, tmp, cnt * sizeof(tmp[0]));
	sb->n = (uint8_t)cnt;
	return gained;
}

uint32_t
gw_tcp_sb_sacked(const struct gw_tcp_sackboard *sb)
{
	return blocks_total(sb->b, sb->n);
}

uint32_t
gw_tcp_sb_sacked_above(const struct gw_tcp_sackboard *sb, uint32_t seq)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < sb->n; i++) {
		const struct gw_tcp_sack_block *b = &sb->b[i];

		if (gw_seq_le(b->end, seq))
			continue;
		sum += b->end - (gw_seq_lt(b->start, seq) ? seq : b->start);
	}
	return sum;
}

bool
gw_tcp_sb_is_sacked(const struct gw_tcp_sackboard *sb, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < sb->n; i++)
		if (gw_seq_le(sb->b[i].start, seq) && gw_seq_lt(seq, sb->b[i].end))
			return true;
	return false;
}

bool
gw_tcp_sb_is_lost(const struct gw_tcp_sackboard *sb, uint32_t seq, uint32_t mss)
{
	/* RFC 6675 counts what lies strictly above SeqNum. */
	uint32_t above = seq + 1, bytes = 0;
	unsigned int i, ranges = 0;

	for (i = 0; i < sb->n; i++) {
		const struct gw_tcp_sack_block *b = &sb->b[i];

		if (!gw_seq_lt(above, b->end))
			continue;
		ranges++;
		bytes += b->end - (gw_seq_lt(b->start, above) ? above : b->start);
	}
	return ranges >= SACK_DUPTHRESH ||
		(uint64_t)bytes > (uint64_t)(SACK_DUPTHRESH - 1) * mss;
}

/*
 * Offset from @snd_una of the first mss-sized piece (boundaries at
 * snd_una + k * mss) that IsLost() calls not lost; @w when all are lost.
 */
static uint32_t
first_unlost(const struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t w, uint32_t mss)
{
	uint64_t lo = 0, hi = ((uint64_t)w + mss - 1) / mss, off;

	if (sb->n == 0)
		return 0;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (gw_tcp_sb_is_lost(sb, snd_una + (uint32_t)(mid * mss), mss))
			lo = mid + 1;
		else
			hi = mid;
	}
	off = lo * mss;
	return off > w ? w : (uint32_t)off;
}

uint32_t
gw_tcp_sb_pipe(const struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	uint32_t high_rxt, uint32_t mss)
{
	uint32_t w, p, pipe;

	if (gw_seq_le(snd_nxt, snd_una))
		return 0;
	if (mss == 0)
		mss = 1;
	w = snd_nxt - snd_una;
	/* SetPipe (a): unSACKed bytes of the pieces not lost. */
	p = first_unlost(sb, snd_una, w, mss);
	pipe = (w - p) - sacked_in(sb, snd_una, p, w);
	/* SetPipe (b): unSACKed bytes retransmitted, octet by octet. */
	if (gw_seq_lt(snd_una, high_rxt)) {
		uint32_t r = high_rxt - snd_una;

		if (r > w)
			r = w;
		pipe += r - sacked_in(sb, snd_una, 0, r);
	}
	return pipe;
}

bool
gw_tcp_sb_next_seg(const struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	uint32_t high_rxt, uint32_t mss, uint32_t *seq, uint32_t *len)
{
	uint32_t w, s = 0, lim, bs, be;
	unsigned int i;

	if (sb->n == 0 || gw_seq_le(snd_nxt, snd_una))
		return false;
	if (mss == 0)
		mss = 1;
	w = snd_nxt - snd_una;
	if (gw_seq_lt(snd_una, high_rxt))
		s = high_rxt - snd_una;
	lim = w;
	/* First unSACKed byte at or above s; the hole ends at the next block. */
	for (i = 0; i < sb->n; i++) {
		if (!blk_off(sb, i, snd_una, &bs, &be) || be <= s)
			continue;
		if (bs <= s) {
			s = be;
			continue;
		}
		lim = bs;
		break;
	}
	if (s >= w)
		return false;
	if (lim > w)
		lim = w;
	/* Lost holes form a prefix: a hole that is not lost ends the search. */
	if (!gw_tcp_sb_is_lost(sb, snd_una + s, mss))
		return false;
	if (seq != NULL)
		*seq = snd_una + s;
	if (len != NULL)
		*len = lim - s < mss ? lim - s : mss;
	return true;
}

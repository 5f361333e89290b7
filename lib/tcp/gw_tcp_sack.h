/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's SACK scoreboard (RFC 2018, RFC 6675): what the peer reported
 * holding above SND.UNA, as up to GW_TCP_SB_MAX sorted, disjoint, merged
 * ranges of sequence space, and the RFC 6675 functions over it (IsLost,
 * SetPipe, NextSeg). Sequence numbers compare modulo 2^32 (seq_lt()).
 * When the board is full, the range farthest from SND.UNA is forgotten
 * first (it matters least for the next retransmission).
 */
#ifndef GW_TCP_SACK_H
#define GW_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#define GW_TCP_SB_MAX 6

struct gw_tcp_sack_block {
	uint32_t start;                 /* first byte held */
	uint32_t end;                   /* one past the last */
};

struct gw_tcp_sackboard {
	uint8_t n;
	struct gw_tcp_sack_block b[GW_TCP_SB_MAX];
};

static inline bool
gw_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
gw_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline void
gw_tcp_sb_reset(struct gw_tcp_sackboard *sb)
{
	sb->n = 0;
}

/*
 * Merge the @n blocks of an arriving ACK (host order, as parsed) into the
 * board; a block is ignored unless snd_una < start < end <= snd_nxt (RFC 2018
 * §8 D-SACK and stale blocks). Then forget everything at or below @snd_una.
 * Returns the number of bytes newly marked SACKed.
 */
uint32_t gw_tcp_sb_update(struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	const struct gw_tcp_sack_block *blk, unsigned int n);

/* Forget ranges at or below @snd_una (after a cumulative ACK). */
void gw_tcp_sb_ack(struct gw_tcp_sackboard *sb, uint32_t snd_una);

/* Bytes SACKed in total; bytes SACKed at or above @seq. */
uint32_t gw_tcp_sb_sacked(const struct gw_tcp_sackboard *sb);
uint32_t gw_tcp_sb_sacked_above(const struct gw_tcp_sackboard *sb, uint32_t seq);
/* Is @seq inside a SACKed range? */
bool gw_tcp_sb_is_sacked(const struct gw_tcp_sackboard *sb, uint32_t seq);

/*
 * RFC 6675 IsLost(SeqNum) for the segment starting at @seq: true when at
 * least DupThresh (3) discontiguous SACKed ranges lie above it, or more than
 * (DupThresh - 1) * @mss bytes above it are SACKed.
 */
bool gw_tcp_sb_is_lost(const struct gw_tcp_sackboard *sb, uint32_t seq, uint32_t mss);

/*
 * RFC 6675 SetPipe(): bytes of [snd_una, snd_nxt) considered in the
 * network: each unSACKed @mss-sized piece counts once unless IsLost(), and
 * once more if it lies below @high_rxt (it was retransmitted).
 */
uint32_t gw_tcp_sb_pipe(const struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	uint32_t high_rxt, uint32_t mss);

/*
 * RFC 6675 NextSeg() rule 1: the first unSACKed byte S with S >= @high_rxt
 * (and >= snd_una) whose piece IsLost(). On true, *@seq is S and *@len the
 * bytes up to the next SACKed range or @snd_nxt, at most @mss. Rules 2-4 (new
 * data, rescue) are the stack's.
 */
bool gw_tcp_sb_next_seg(const struct gw_tcp_sackboard *sb, uint32_t snd_una, uint32_t snd_nxt,
	uint32_t high_rxt, uint32_t mss, uint32_t *seq, uint32_t *len);

#endif /* GW_TCP_SACK_H */

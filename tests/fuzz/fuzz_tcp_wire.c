/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tcp: the wire. Addresses of the peers and of the stack, exact-size
 * external buffers, checksums in our own arithmetic, the segments the
 * scripted peer injects (INJECT) and the checks of every segment the stack
 * sends (the output function). The format is described in fuzz_tcp.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include <sanitizer/asan_interface.h>

#include "gw_stats.h"
#include "gw_tcp.h"

#include "fuzz_tcp.h"

static const uint16_t peer_ports[4] = {1234, 40000, 50000, 65535};
static const uint16_t mss_menu[8] = {1460, 536, 1440, 64, 63, 0, 9000, 1220};

/* ---- input reader (rd_u8() and co. are in fuzz_tcp.h) ---- */

static uint32_t
rd_delta(struct rd *r)
{
	uint8_t c = rd_u8(r);

	if (c < 0x40)
		return c;
	if (c < 0x80)
		return (uint32_t) - (int32_t)((c & 0x3f) + 1);
	if (c < 0xc0)
		return (uint32_t)(c & 0x3f) << 8 | rd_u8(r);
	return rd_u32(r);
}

/* ---- addresses ---- */

void
local_ip(int family, bool alt, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (family == AF_INET) {
		ip[0] = 10;
		ip[3] = alt ? 99 : 1;
	} else {
		ip[0] = 0xfd;
		ip[15] = alt ? 0x99 : 1;
	}
}

int
peer_family(unsigned int peer)
{
	return (peer & 16) ? AF_INET6 : AF_INET;
}

void
peer_ip(unsigned int peer, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (peer_family(peer) == AF_INET) {
		ip[0] = 10;
		ip[2] = 1;
		ip[3] = (uint8_t)(1 + ((peer >> 2) & 3));
	} else {
		ip[0] = 0xfd;
		ip[13] = 1;
		ip[15] = (uint8_t)(1 + ((peer >> 2) & 3));
	}
}

uint16_t
peer_port(unsigned int peer)
{
	return peer_ports[peer & 3];
}

/* The peer an address and port name, or -1. */
NO_COV int
peer_of(int family, const uint8_t *ip, uint16_t port)
{
	unsigned int i;
	uint8_t want[16];

	for (i = 0; i < N_PEERS; i++) {
		if (peer_family(i) != family || peer_port(i) != port)
			continue;
		peer_ip(i, want);
		if (memcmp(want, ip, family == AF_INET ? 4 : 16) == 0)
			return (int)i;
	}
	return -1;
}

/* 0: the local address, 1: the other one, -1: neither. */
NO_COV int
local_of(int family, const uint8_t *ip)
{
	uint8_t want[16];

	local_ip(family, false, want);
	if (memcmp(want, ip, family == AF_INET ? 4 : 16) == 0)
		return 0;
	local_ip(family, true, want);
	if (memcmp(want, ip, family == AF_INET ? 4 : 16) == 0)
		return 1;
	return -1;
}

static uint32_t
peer_clock(unsigned int peer)
{
	return (uint32_t)(fz.now / 1000) + peer * 7919u + 1000u;
}

/* ---- exact-size external buffers, poisoned around ---- */

static uint8_t arena[N_SLOTS][SLOT_SIZE] __rte_aligned(64);
static struct rte_mbuf_ext_shared_info slot_shinfo[N_SLOTS];
static uint16_t free_slot[N_SLOTS];
unsigned int n_free_slots;
static bool slot_used[N_SLOTS];

void
slots_init(void)
{
	unsigned int i;

	for (i = 0; i < N_SLOTS; i++)
		free_slot[i] = (uint16_t)(N_SLOTS - 1 - i);
	n_free_slots = N_SLOTS;
	ASAN_POISON_MEMORY_REGION(arena, sizeof(arena));
}

static void
slot_free(void *addr, void *opaque)
{
	uintptr_t i = (uintptr_t)opaque;

	/* Released exactly once, the buffer it was given. */
	CHECK(i < N_SLOTS && addr == arena[i] + SLOT_GUARD && slot_used[i]);
	slot_used[i] = false;
	ASAN_POISON_MEMORY_REGION(arena[i], SLOT_SIZE);
	free_slot[n_free_slots++] = (uint16_t)i;
}

/*
 * An mbuf holding a copy of @len bytes of @data (NULL: left for the caller
 * to fill): an external buffer of exactly that size, or a pool mbuf when
 * the arena is used up. NULL when the pool is empty.
 */
struct rte_mbuf *
buf_mbuf(const uint8_t *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	uint8_t *buf;

	if (m == NULL)
		return NULL;
	if (len > 0 && len <= SLOT_SIZE - 2 * SLOT_GUARD && n_free_slots > 0) {
		uint16_t i = free_slot[--n_free_slots];
		struct rte_mbuf_ext_shared_info *sh = &slot_shinfo[i];

		buf = arena[i] + SLOT_GUARD;
		ASAN_UNPOISON_MEMORY_REGION(buf, len);
		slot_used[i] = true;
		sh->free_cb = slot_free;
		sh->fcb_opaque = (void *)(uintptr_t)i;
		rte_mbuf_ext_refcnt_set(sh, 1);
		rte_pktmbuf_attach_extbuf(m, buf, (rte_iova_t)(uintptr_t)buf, len, sh);
		m->data_off = 0;
		m->data_len = len;
		m->pkt_len = len;
	} else {
		buf = (uint8_t *)rte_pktmbuf_append(m, len);
		if (buf == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
	}
	if (data != NULL && len > 0)
		memcpy(buf, data, len);
	return m;
}

/* ---- checksums (our own, not the stack's) ---- */

struct csum {
	uint32_t sum;
	bool odd;
};

NO_COV static void
csum_add(struct csum *c, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		c->sum += c->odd ? p[i] : (uint32_t)p[i] << 8;
		c->odd = !c->odd;
	}
}

static uint16_t
csum_fold(const struct csum *c)
{
	uint32_t s = c->sum;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

NO_COV static void
csum_pseudo(struct csum *c, int family, const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	uint8_t tail[8];
	unsigned int alen = family == AF_INET ? 4 : 16;

	csum_add(c, src, alen);
	csum_add(c, dst, alen);
	tail[0] = (uint8_t)(l4_len >> 24);
	tail[1] = (uint8_t)(l4_len >> 16);
	tail[2] = (uint8_t)(l4_len >> 8);
	tail[3] = (uint8_t)l4_len;
	tail[4] = tail[5] = tail[6] = 0;
	tail[7] = IPPROTO_TCP;
	csum_add(c, tail, 8);
}

/* ---- what the stack sends ---- */

/* Options of a segment we got: well formed; the TSval if any. */
NO_COV static void
check_opts(const uint8_t *o, unsigned int len, uint8_t flags, struct peer *pr)
{
	unsigned int i = 0;

	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		CHECK(i + 1 < len);
		olen = o[i + 1];
		CHECK(olen >= 2 && i + olen <= len);
		switch (kind) {
		case 2:
			CHECK(olen == 4 && (flags & TH_SYN));
			break;
		case 3:
			CHECK(olen == 3 && (flags & TH_SYN) && o[i + 2] <= 14);
			break;
		case 4:
			CHECK(olen == 2 && (flags & TH_SYN));
			break;
		case 5:
			CHECK(olen >= 10 && (olen - 2) % 8 == 0 && !(flags & TH_SYN));
			break;
		case 8:
			CHECK(olen == 10);
			pr->s_tsval = (uint32_t)o[i + 2] << 24 | (uint32_t)o[i + 3] << 16 |
				      (uint32_t)o[i + 4] << 8 | o[i + 5];
			break;
		default:
			CHECK(!"an option the stack does not send");
		}
		i += olen;
	}
}

/*
 * The payload of the IP packet @m (from @pl_off on) is the application's
 * bytes for its sequence numbers (from @seq). Returns whether the TCP
 * checksum is right, in our own arithmetic.
 */
NO_COV static bool
tx_verify(const struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst,
	uint32_t pl_off, uint32_t seq)
{
	uint32_t iplen = family == AF_INET ? 20 : 40, off = iplen, i = 0;
	struct csum cs = {0, false};
	const struct rte_mbuf *seg;

	csum_pseudo(&cs, family, src, dst, m->pkt_len - iplen);
	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *sd = rte_pktmbuf_mtod(seg, const uint8_t *);

		if (off < seg->data_len)
			csum_add(&cs, sd + off, seg->data_len - off);
		off = off > seg->data_len ? off - seg->data_len : 0;
	}
	off = pl_off;
	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *sd = rte_pktmbuf_mtod(seg, const uint8_t *);
		uint32_t j;

		for (j = off < seg->data_len ? off : seg->data_len; j < seg->data_len; j++, i++) {
			if (sd[j] != pat_out(seq + i)) {
				fprintf(stderr, "fuzz_tcp: sent byte at seq %u is %u, want %u\n",
					seq + i, sd[j], pat_out(seq + i));
				CHECK(!"sent data is the application's stream");
			}
		}
		off = off > seg->data_len ? off - seg->data_len : 0;
	}
	CHECK(i == m->pkt_len - pl_off);
	return csum_fold(&cs) == 0xffff;
}

int
out_fn(void *arg, struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned int iplen = family == AF_INET ? 20 : 40, hlen;
	const struct rte_tcp_hdr *th;
	uint32_t l4len, plen, seq, ack, end;
	struct peer *pr;
	struct app *a;
	uint8_t flags;
	int peer, loc;

	(void)arg;
	CHECK(!fz.in_free);
	CHECK(family == AF_INET || family == AF_INET6);
	/* Room for L2 in front (gw_tcp.h: RTE_PKTMBUF_HEADROOM - 40 at least). */
	CHECK(rte_pktmbuf_headroom(m) >= RTE_PKTMBUF_HEADROOM - 40);
	CHECK(m->data_len >= iplen + sizeof(*th));
	if (family == AF_INET) {
		CHECK(d[0] == 0x45 && d[9] == IPPROTO_TCP);
		CHECK((uint32_t)(d[2] << 8 | d[3]) == m->pkt_len);
		CHECK(memcmp(d + 12, src, 4) == 0 && memcmp(d + 16, dst, 4) == 0);
	} else {
		CHECK((d[0] >> 4) == 6 && d[6] == IPPROTO_TCP);
		CHECK((uint32_t)(d[4] << 8 | d[5]) + 40 == m->pkt_len);
		CHECK(memcmp(d + 8, src, 16) == 0 && memcmp(d + 24, dst, 16) == 0);
	}
	loc = local_of(family, src);
	peer = peer_of(
		family, dst, rte_be_to_cpu_16(((const struct rte_tcp_hdr *)(d + iplen))->dst_port));
	/* From one of our addresses to a peer that spoke to us (or that we called). */
	CHECK(loc >= 0 && peer >= 0);
	th = (const struct rte_tcp_hdr *)(d + iplen);
	hlen = (th->data_off >> 4) * 4u;
	l4len = m->pkt_len - iplen;
	CHECK(hlen >= sizeof(*th) && hlen <= l4len && iplen + hlen <= m->data_len);
	plen = l4len - hlen;
	seq = rte_be_to_cpu_32(th->sent_seq);
	ack = rte_be_to_cpu_32(th->recv_ack);
	flags = th->tcp_flags;
	CHECK((flags & 0xc0) == 0);
	CHECK(!(flags & TH_SYN) || !(flags & (TH_FIN | TH_RST)));
	CHECK(plen == 0 || !(flags & (TH_SYN | TH_RST)));
	CHECK((flags & TH_ACK) || ack == 0);
	pr = &fz.peers[peer];
	check_opts((const uint8_t *)(th + 1), hlen - sizeof(*th), flags, pr);

	if (fz.tx_offload) {
		/* The pseudo-header sum in the field, the flags for the NIC. */
		struct csum ph = {0, false};

		csum_pseudo(&ph, family, src, dst, l4len);
		CHECK(rte_be_to_cpu_16(th->cksum) == csum_fold(&ph));
		CHECK(m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
		CHECK(m->l2_len == 0 && m->l3_len == iplen && m->l4_len == hlen);
		tx_verify(m, family, src, dst, iplen + hlen, seq);
	} else if (!tx_verify(m, family, src, dst, iplen + hlen, seq)) {
		CHECK(!"sent a segment with a right TCP checksum");
	}

	a = app_by_tuple(family, loc == 1, rte_be_to_cpu_16(th->src_port), (unsigned int)peer);
	/*
	 * A SYN not of the newest handle's connection (its ISN is tx_base - 1)
	 * starts another on the tuple: what comes next is not that handle's.
	 */
	while (a != NULL && (flags & TH_SYN) && a->tx_base != seq + 1) {
		a->stale = true;
		a = app_by_tuple(
			family, loc == 1, rte_be_to_cpu_16(th->src_port), (unsigned int)peer);
	}
	if (a != NULL && !(flags & (TH_SYN | TH_RST))) {
		uint32_t tx_end = a->tx_base + a->tx_off;

		/*
		 * Nothing past what the application queued (a bare ACK may sit past
		 * the FIN); a FIN right after it, once asked for.
		 */
		if (plen > 0)
			CHECK(!seq_lt(tx_end, seq + plen));
		else
			CHECK(!seq_lt(tx_end + a->shut, seq));
		if (flags & TH_FIN)
			CHECK(a->shut && seq + plen == tx_end);
	}
	if (fz.verbose)
		fprintf(stderr, "  out peer %d lport %u flags %02x seq %u ack %u len %u win %u\n",
			peer, rte_be_to_cpu_16(th->src_port), flags, seq, ack, plen,
			rte_be_to_cpu_16(th->rx_win));

	/* Remember where the stack is, for the segments that follow. */
	end = seq + plen + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	pr->lport = rte_be_to_cpu_16(th->src_port);
	if (!(flags & TH_RST)) {
		if ((flags & TH_SYN) || !pr->heard || seq_lt(pr->s_max, end))
			pr->s_max = end;
		pr->s_end = end;
		pr->s_has_ack = (flags & TH_ACK) != 0;
		pr->s_ack = ack;
		pr->heard = true;
	}
	rte_pktmbuf_free(m);
	return fz.out_fail ? -ENOBUFS : 0;
}

/* ---- INJECT: a segment from the scripted peer ---- */

void
op_inject(struct rd *r)
{
	uint8_t a = rd_u8(r), f = rd_u8(r), s = rd_u8(r), o = rd_u8(r), v = 0;
	unsigned int pi = a & 31, family = peer_family(pi);
	struct peer *pr = &fz.peers[pi];
	uint8_t pkt[MAX_FRAME + 64], opts[64], lip[16], rip[16];
	unsigned int l3 = 0, iplen = family == AF_INET ? 20 : 40, optlen = 0, i;
	uint32_t seq, ack, plen = 0, l4len, frame;
	uint16_t lport, win, l4arg;
	struct rte_tcp_hdr *th;
	struct csum cs = {0, false};
	struct rte_mbuf *m;
	bool good;
	uint64_t drops;

	if (a & 0x80)
		v = rd_u8(r);
	switch ((a >> 5) & 3) {
	case 0:
		lport = 80;
		break;
	case 1:
		lport = pr->heard ? pr->lport : 80;
		break;
	case 2:
		lport = 8080;
		break;
	default:
		lport = 79;
		break;
	}
	switch (s & 3) {
	case 0:
		seq = pr->heard && pr->s_has_ack ? pr->s_ack : pr->nxt;
		break;
	case 1:
		seq = pr->nxt;
		break;
	case 2:
		seq = 0;
		break;
	default:
		seq = pr->isn;
		break;
	}
	if (s & 4)
		seq += rd_delta(r);
	switch ((s >> 3) & 3) {
	case 0:
		ack = pr->s_end;
		break;
	case 1:
		ack = pr->s_max;
		break;
	case 2:
		ack = pr->acked;
		break;
	default:
		ack = 0;
		break;
	}
	if (s & 32)
		ack += rd_delta(r);
	switch (s >> 6) {
	case 0:
		win = 65535;
		break;
	case 1:
		win = (uint16_t)(rd_u8(r) << 8);
		break;
	case 2:
		win = 0;
		break;
	default:
		win = rd_u16(r);
		break;
	}

	/* Options from the menu. */
	if (o & 1) {
		uint8_t mc = rd_u8(r);
		uint16_t mss = (mc & 0x80) ? rd_u16(r) : mss_menu[mc & 7];

		opts[optlen++] = 2;
		opts[optlen++] = 4;
		opts[optlen++] = (uint8_t)(mss >> 8);
		opts[optlen++] = (uint8_t)mss;
	}
	if (o & 2) {
		opts[optlen++] = 3;
		opts[optlen++] = 3;
		opts[optlen++] = rd_u8(r);
	}
	if (o & 4) {
		opts[optlen++] = 4;
		opts[optlen++] = 2;
	}
	if (o & 8) {
		uint8_t t = rd_u8(r);
		uint32_t tsval, tsecr;

		switch (t & 3) {
		case 0:
			tsval = peer_clock(pi);
			break;
		case 1:
			tsval = peer_clock(pi) - 1 - (t >> 4) * 1000u;
			break;
		case 2:
			tsval = rd_u32(r);
			break;
		default:
			tsval = peer_clock(pi) + (t >> 4) * 100000u;
			break;
		}
		switch ((t >> 2) & 3) {
		case 0:
			tsecr = pr->s_tsval;
			break;
		case 1:
			tsecr = 0;
			break;
		case 2:
			tsecr = pr->s_tsval + 1;
			break;
		default:
			tsecr = rd_u32(r);
			break;
		}
		opts[optlen++] = 8;
		opts[optlen++] = 10;
		for (i = 0; i < 4; i++)
			opts[optlen++] = (uint8_t)(tsval >> (24 - 8 * i));
		for (i = 0; i < 4; i++)
			opts[optlen++] = (uint8_t)(tsecr >> (24 - 8 * i));
	}
	if (o & 16) {
		uint8_t n = rd_u8(r);
		unsigned int k, nb = 1 + (n & 3);

		if (optlen + 2 + 8 * nb > 40)
			nb = optlen + 2 + 8 <= 40 ? (40 - optlen - 2) / 8 : 0;
		if (nb > 0) {
			opts[optlen++] = 5;
			opts[optlen++] = (uint8_t)(2 + 8 * nb);
		}
		for (k = 0; k < nb; k++) {
			uint8_t b = rd_u8(r), l = rd_u8(r);
			uint32_t start, bend;

			if (n & 4)
				start = pr->s_max - (b + 1u) * 32u;
			else
				start = ack + b * 32u;
			bend = start + (l + 1u) * 32u;
			for (i = 0; i < 4; i++)
				opts[optlen++] = (uint8_t)(start >> (24 - 8 * i));
			for (i = 0; i < 4; i++)
				opts[optlen++] = (uint8_t)(bend >> (24 - 8 * i));
		}
	}
	if (o & 32) {
		unsigned int n = rd_u8(r) % 41u;

		for (i = 0; i < n; i++) {
			uint8_t b = rd_u8(r);

			if (optlen < 40)
				opts[optlen++] = b;
		}
	}
	if (optlen > 40)
		optlen = 40;
	while (optlen % 4 != 0)
		opts[optlen++] = (o & 64) ? 0 : 1;
	if (o & 128) {
		uint8_t pc = rd_u8(r);

		plen = pc < 0xc0 ? pc : (pc - 0xbfu) * 24u;
	}
	if (v & 0x80)
		l3 = 14;
	if (l3 + iplen + 20 + optlen + plen > MAX_FRAME)
		plen = MAX_FRAME - (l3 + iplen + 20 + optlen);

	/* The frame. */
	memset(pkt, 0, l3 + iplen + 20);
	if (l3 > 0) {
		pkt[12] = family == AF_INET ? 0x08 : 0x86;
		pkt[13] = family == AF_INET ? 0x00 : 0xdd;
	}
	local_ip(family, (v & 0x40) != 0, lip);
	peer_ip(pi, rip);
	l4len = 20 + optlen + plen;
	if (family == AF_INET) {
		uint8_t *ip = pkt + l3;
		struct csum ics = {0, false};
		uint16_t ic;

		ip[0] = 0x45;
		ip[2] = (uint8_t)((iplen + l4len) >> 8);
		ip[3] = (uint8_t)(iplen + l4len);
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, rip, 4);
		memcpy(ip + 16, lip, 4);
		csum_add(&ics, ip, 20);
		ic = (uint16_t)~csum_fold(&ics);
		ip[10] = (uint8_t)(ic >> 8);
		ip[11] = (uint8_t)ic;
	} else {
		uint8_t *ip = pkt + l3;

		ip[0] = 0x60;
		ip[4] = (uint8_t)(l4len >> 8);
		ip[5] = (uint8_t)l4len;
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, rip, 16);
		memcpy(ip + 24, lip, 16);
	}
	th = (struct rte_tcp_hdr *)(pkt + l3 + iplen);
	th->src_port = rte_cpu_to_be_16(peer_port(pi));
	th->dst_port = rte_cpu_to_be_16(lport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((20 + optlen) / 4) << 4);
	th->tcp_flags = f;
	th->rx_win = rte_cpu_to_be_16(win);
	memcpy(th + 1, opts, optlen);
	fill_in((uint8_t *)(th + 1) + optlen, plen, seq + !!(f & TH_SYN));
	csum_pseudo(&cs, (int)family, rip, lip, l4len);
	csum_add(&cs, (const uint8_t *)th, l4len);
	{
		uint16_t c = (uint16_t)~csum_fold(&cs);

		if (v & 1)
			c ^= 0x0101;
		th->cksum = rte_cpu_to_be_16(c);
	}
	frame = l3 + iplen + l4len;
	l4arg = (uint16_t)l4len;
	if (v & 4) {
		uint8_t doff = rd_u8(r);

		th->data_off = (uint8_t)(doff << 4);
	}
	if (v & 8) {
		memset(pkt + frame, 0xee, 4);
		frame += 4;
	}
	if (v & 2) {
		uint8_t t = rd_u8(r);

		if (t & 0x80)
			l4arg = (uint16_t)(l4arg > (t & 0x7f) ? l4arg - (t & 0x7f) : 0);
		else
			frame = frame > (t & 0x3fu) + 1 ? frame - ((t & 0x3fu) + 1) : 1;
	}

	/* Into mbufs, one or two. */
	if ((v & 0x10) && frame >= 2) {
		uint16_t half = (uint16_t)(frame / 2);
		struct rte_mbuf *m2;

		m = buf_mbuf(pkt, half);
		m2 = buf_mbuf(pkt + half, (uint16_t)(frame - half));
		if (m == NULL || m2 == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(m2);
			return;
		}
		m->next = m2;
		m->nb_segs = 2;
		m->pkt_len = frame;
	} else {
		m = buf_mbuf(pkt, (uint16_t)frame);
		if (m == NULL)
			return;
	}
	if (v & 0x20)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;

	/* The peer's own state: it sent this. */
	if (f & TH_SYN) {
		pr->isn = seq;
		pr->nxt = seq + 1;
	}
	if (seq_lt(pr->nxt, seq + plen + !!(f & TH_SYN) + !!(f & TH_FIN)))
		pr->nxt = seq + plen + !!(f & TH_SYN) + !!(f & TH_FIN);
	if (f & TH_ACK)
		pr->acked = ack;
	if (fz.verbose)
		fprintf(stderr,
			"  in  peer %u lport %u flags %02x seq %u ack %u len %u win %u v %02x\n",
			pi, lport, f, seq, ack, plen, win, v);
	/* A segment whose checksum we made right is not dropped for its checksum. */
	good = !(v & 7) && !fz.trusted && !(v & 0x20);
	drops = fz.stats.c[GW_CNT_drop_tcp_bad_cksum];
	fz.in_m = m;
	fz.in_len = frame;
	memcpy(fz.in_frame, pkt, frame);
	gw_tcp_input(fz.s, m, (int)family, (uint16_t)l3, (uint16_t)(l3 + iplen), l4arg);
	fz.in_m = NULL;
	if (good && fz.stats.c[GW_CNT_drop_tcp_bad_cksum] != drops)
		CHECK(!"a segment with a right checksum dropped as bad");
}

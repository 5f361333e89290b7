/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scripted segment tests of lib/tcp (README.md in this directory): the
 * pieces shared by the runner (tcp_script.c) and the line parser and
 * segment codec (tcp_script_parse.c).
 */
#ifndef TCP_SCRIPT_H
#define TCP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_MAX_TOK 48
#define TS_MAX_SACK 4
#define TS_MAX_OPTS 16

/* TCP option kinds, as on the wire. */
#define TS_OPT_EOL 0
#define TS_OPT_NOP 1
#define TS_OPT_MSS 2
#define TS_OPT_WS 3
#define TS_OPT_SACKOK 4
#define TS_OPT_SACK 5
#define TS_OPT_TS 8

/*
 * TCP options of a script line or of a decoded segment. Values of a line
 * are as written (sack blocks relative); a decoded segment's are absolute.
 */
struct ts_opts {
	bool given;                     /* a <...> list was written (lines) */
	uint8_t n_order;                /* kinds in the order written / seen */
	uint8_t order[TS_MAX_OPTS];
	bool has_mss, mss_any;
	uint16_t mss;
	bool sack_ok;
	bool has_ws, ws_any;
	uint8_t ws;
	bool has_ts, tsval_any, tsecr_any;
	uint32_t tsval, tsecr;
	uint8_t n_sack;
	uint32_t sack[TS_MAX_SACK][2];
	uint8_t n_unknown;              /* options of other kinds (decoded) */
	uint8_t unknown_kind;
};

/* A segment: as written on an in/out line, or decoded from the stack. */
struct ts_seg {
	uint8_t flags;                  /* RTE_TCP_*_FLAG */
	uint32_t seq;
	uint32_t len;                   /* payload bytes */
	bool has_ack, ack_any;
	uint32_t ack;
	bool has_win, win_any;
	uint32_t win;
	struct ts_opts o;
	bool badcsum;                   /* in: corrupt the checksum */
};

/* Split @line in place into tokens; <...> is one token; # starts a comment. -1: too many/bad. */
int ts_tokenize(char *line, char **tok, int max);
/* Integer (decimal or 0x, may be negative). 0 or -1. */
int ts_parse_int(const char *s, int64_t *v);
/* "S.", "P.", "F.", "R", ...: 0 or -1. */
int ts_parse_flags(const char *s, uint8_t *flags);
/* "SEQ:END(LEN)" with END - SEQ == LEN. 0 or -1. */
int ts_parse_seqspec(const char *s, uint32_t *seq, uint32_t *len);
/* "<...>" token. @out: wildcards allowed ("*"). 0 or -1 with @err. */
int ts_parse_opts(const char *tok, struct ts_opts *o, bool out, char *err, size_t errlen);
/* Parse "FLAGS SEQSPEC [ack N] [win N] [<opts>] [badcsum]" from @tok. 0 or -1 with @err. */
int ts_parse_seg(char **tok, int ntok, struct ts_seg *s, bool out, char *err, size_t errlen);

/* Build the options of @o (in the order written, NOP-padded to 4 bytes) into @buf; returns length. */
size_t ts_build_opts(const struct ts_opts *o, uint8_t *buf);
/* Decode the options area @p (@len bytes). 0 or -1 (malformed). */
int ts_decode_opts(const uint8_t *p, size_t len, struct ts_opts *o);

/* Print @s like a script line ("S. 0:0(0) ack 1 win 65535 <mss 1460,...>"). */
void ts_format_seg(const struct ts_seg *s, char *buf, size_t len);
void ts_format_flags(uint8_t flags, char *buf);

/* Compare: NULL when @got matches @exp, else a short reason in @why. */
const char *ts_compare_seg(const struct ts_seg *exp, const struct ts_seg *got, char *why,
	size_t len);

/* TCP checksum over the pseudo-header and @len bytes of @tcp (0: a correct one verifies). */
uint16_t ts_l4_cksum(int family, const uint8_t *src, const uint8_t *dst, const uint8_t *tcp,
	uint32_t len);

/* Payload patterns: byte @i of the application's / the peer's stream. */
static inline uint8_t
ts_app_byte(uint64_t i)
{
	return (uint8_t)((i * 7 + 3) & 0xff);
}

static inline uint8_t
ts_peer_byte(uint64_t i)
{
	return (uint8_t)((i * 13 + 5) & 0xff);
}

#endif /* TCP_SCRIPT_H */

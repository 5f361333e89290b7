/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Line tokenizer, segment/option parser, option codec, printer and
 * comparator of the TCP script runner (README.md).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_tcp.h>

#include "gw_pkt.h"

#include "tcp_script.h"

int
ts_tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (n == max)
			return -1;
		tok[n++] = p;
		if (*p == '<' && p[1] != '\0' && p[1] != '=' && !isspace((unsigned char)p[1])) {
			char *e = strchr(p, '>');

			if (e == NULL)
				return -1;
			p = e + 1;
		} else {
			while (*p != '\0' && !isspace((unsigned char)*p) && *p != '#')
				p++;
		}
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

int
ts_parse_int(const char *s, int64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

static const struct {
	char c;
	uint8_t bit;
} flag_chars[] = {
	{ 'S', RTE_TCP_SYN_FLAG }, { 'F', RTE_TCP_FIN_FLAG }, { 'R', RTE_TCP_RST_FLAG },
	{ 'P', RTE_TCP_PSH_FLAG }, { 'U', RTE_TCP_URG_FLAG }, { 'E', RTE_TCP_ECE_FLAG },
	{ 'W', RTE_TCP_CWR_FLAG }, { '.', RTE_TCP_ACK_FLAG },
};

int
ts_parse_flags(const char *s, uint8_t *flags)
{
	*flags = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		size_t i;

		for (i = 0; i < RTE_DIM(flag_chars); i++)
			if (flag_chars[i].c == *s)
				break;
		if (i == RTE_DIM(flag_chars) || (*flags & flag_chars[i].bit) != 0)
			return -1;
		*flags |= flag_chars[i].bit;
	}
	return 0;
}

void
ts_format_flags(uint8_t flags, char *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < RTE_DIM(flag_chars); i++)
		if ((flags & flag_chars[i].bit) != 0)
			buf[n++] = flag_chars[i].c;
	buf[n] = '\0';
}

int
ts_parse_seqspec(const char *s, uint32_t *seq, uint32_t *len)
{
	char a[32], b[32], l[32];
	const char *colon = strchr(s, ':');
	const char *open = strchr(s, '(');
	size_t slen = strlen(s);
	int64_t va, vb, vl;

	if (colon == NULL || open == NULL || open < colon || s[slen - 1] != ')')
		return -1;
	if ((size_t)(colon - s) >= sizeof(a) || (size_t)(open - colon - 1) >= sizeof(b) ||
			(size_t)(s + slen - 1 - open - 1) >= sizeof(l))
		return -1;
	snprintf(a, sizeof(a), "%.*s", (int)(colon - s), s);
	snprintf(b, sizeof(b), "%.*s", (int)(open - colon - 1), colon + 1);
	snprintf(l, sizeof(l), "%.*s", (int)(s + slen - 1 - open - 1), open + 1);
	if (ts_parse_int(a, &va) < 0 || ts_parse_int(b, &vb) < 0 || ts_parse_int(l, &vl) < 0)
		return -1;
	if (vl < 0 || vl > 65535 || vb - va != vl)
		return -1;
	*seq = (uint32_t)va;
	*len = (uint32_t)vl;
	return 0;
}

/* A number or, when @wild, "*". */
static int
parse_num_wild(const char *s, bool wild, uint32_t *v, bool *any)
{
	int64_t x;

	if (any != NULL)
		*any = false;
	if (strcmp(s, "*") == 0) {
		if (!wild || any == NULL)
			return -1;
		*any = true;
		*v = 0;
		return 0;
	}
	if (ts_parse_int(s, &x) < 0 || x < INT32_MIN || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int
add_order(struct ts_opts *o, uint8_t kind)
{
	if (o->n_order == TS_MAX_OPTS)
		return -1;
	o->order[o->n_order++] = kind;
	return 0;
}

/* One comma-separated item of an option list. */
static int
parse_opt_item(char *item, struct ts_opts *o, bool out, char *err, size_t errlen)
{
	char *w[12];
	int n = 0;
	char *save = NULL;
	uint32_t v;

	for (char *t = strtok_r(item, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (n == (int)RTE_DIM(w))
			goto bad;
		w[n++] = t;
	}
	if (n == 0)
		goto bad;
	if (strcmp(w[0], "nop") == 0 && n == 1)
		return add_order(o, TS_OPT_NOP);
	if (strcmp(w[0], "eol") == 0 && n == 1)
		return add_order(o, TS_OPT_EOL);
	if (strcmp(w[0], "sackOK") == 0 && n == 1) {
		o->sack_ok = true;
		return add_order(o, TS_OPT_SACKOK);
	}
	if (strcmp(w[0], "mss") == 0 && n == 2) {
		if (parse_num_wild(w[1], out, &v, &o->mss_any) < 0 || v > 65535)
			goto bad;
		o->has_mss = true;
		o->mss = (uint16_t)v;
		return add_order(o, TS_OPT_MSS);
	}
	if (strcmp(w[0], "wscale") == 0 && n == 2) {
		if (parse_num_wild(w[1], out, &v, &o->ws_any) < 0 || v > 255)
			goto bad;
		o->has_ws = true;
		o->ws = (uint8_t)v;
		return add_order(o, TS_OPT_WS);
	}
	if (strcmp(w[0], "TS") == 0 && n == 5 && strcmp(w[1], "val") == 0 &&
			strcmp(w[3], "ecr") == 0) {
		if (parse_num_wild(w[2], out, &o->tsval, &o->tsval_any) < 0)
			goto bad;
		/* in lines: "ecr *" echoes the stack's last TSval (the runner fills it) */
		if (parse_num_wild(w[4], true, &o->tsecr, &o->tsecr_any) < 0)
			goto bad;
		o->has_ts = true;
		return add_order(o, TS_OPT_TS);
	}
	if (strcmp(w[0], "sack") == 0 && n >= 2 && n - 1 <= TS_MAX_SACK) {
		for (int i = 1; i < n; i++) {
			char *c = strchr(w[i], ':');
			int64_t a, b;

			if (c == NULL)
				goto bad;
			*c = '\0';
			if (ts_parse_int(w[i], &a) < 0 || ts_parse_int(c + 1, &b) < 0)
				goto bad;
			o->sack[o->n_sack][0] = (uint32_t)a;
			o->sack[o->n_sack][1] = (uint32_t)b;
			o->n_sack++;
		}
		return add_order(o, TS_OPT_SACK);
	}
bad:
	snprintf(err, errlen, "bad option \"%s\"", n > 0 ? w[0] : "");
	return -1;
}

int
ts_parse_opts(const char *tok, struct ts_opts *o, bool out, char *err, size_t errlen)
{
	char buf[512];
	size_t len = strlen(tok);
	char *save = NULL;

	memset(o, 0, sizeof(*o));
	o->given = true;
	if (len < 2 || tok[0] != '<' || tok[len - 1] != '>' || len - 2 >= sizeof(buf)) {
		snprintf(err, errlen, "bad option list %s", tok);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - 2), tok + 1);
	for (char *it = strtok_r(buf, ",", &save); it != NULL; it = strtok_r(NULL, ",", &save))
		if (parse_opt_item(it, o, out, err, errlen) < 0)
			return -1;
	return 0;
}

int
ts_parse_seg(char **tok, int ntok, struct ts_seg *s, bool out, char *err, size_t errlen)
{
	int i;

	memset(s, 0, sizeof(*s));
	if (ntok < 2 || ts_parse_flags(tok[0], &s->flags) < 0) {
		snprintf(err, errlen, "bad flags \"%s\"", ntok > 0 ? tok[0] : "");
		return -1;
	}
	if (ts_parse_seqspec(tok[1], &s->seq, &s->len) < 0) {
		snprintf(err, errlen, "bad SEQ:END(LEN) \"%s\"", tok[1]);
		return -1;
	}
	for (i = 2; i < ntok; i++) {
		if (strcmp(tok[i], "ack") == 0 && i + 1 < ntok) {
			if (parse_num_wild(tok[++i], out, &s->ack, &s->ack_any) < 0)
				goto bad;
			s->has_ack = true;
		} else if (strcmp(tok[i], "win") == 0 && i + 1 < ntok) {
			if (parse_num_wild(tok[++i], out, &s->win, &s->win_any) < 0 ||
					s->win > 65535)
				goto bad;
			s->has_win = true;
		} else if (tok[i][0] == '<') {
			if (ts_parse_opts(tok[i], &s->o, out, err, errlen) < 0)
				return -1;
		} else if (!out && strcmp(tok[i], "badcsum") == 0) {
			s->badcsum = true;
		} else {
			goto bad;
		}
	}
	if ((s->flags & RTE_TCP_ACK_FLAG) != 0 && !s->has_ack) {
		snprintf(err, errlen, "ACK flag without \"ack N\"");
		return -1;
	}
	if ((s->flags & RTE_TCP_ACK_FLAG) == 0 && s->has_ack) {
		snprintf(err, errlen, "\"ack N\" without the ACK flag (.)");
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad segment field \"%s\"", tok[i]);
	return -1;
}

size_t
ts_build_opts(const struct ts_opts *o, uint8_t *buf)
{
	size_t n = 0;

	for (uint8_t i = 0; i < o->n_order; i++) {
		switch (o->order[i]) {
		case TS_OPT_NOP:
		case TS_OPT_EOL:
			buf[n++] = o->order[i];
			break;
		case TS_OPT_MSS:
			buf[n++] = TS_OPT_MSS;
			buf[n++] = 4;
			buf[n++] = (uint8_t)(o->mss >> 8);
			buf[n++] = (uint8_t)o->mss;
			break;
		case TS_OPT_WS:
			buf[n++] = TS_OPT_WS;
			buf[n++] = 3;
			buf[n++] = o->ws;
			break;
		case TS_OPT_SACKOK:
			buf[n++] = TS_OPT_SACKOK;
			buf[n++] = 2;
			break;
		case TS_OPT_TS:
			buf[n++] = TS_OPT_TS;
			buf[n++] = 10;
			for (int k = 3; k >= 0; k--)
				buf[n++] = (uint8_t)(o->tsval >> (8 * k));
			for (int k = 3; k >= 0; k--)
				buf[n++] = (uint8_t)(o->tsecr >> (8 * k));
			break;
		case TS_OPT_SACK:
			buf[n++] = TS_OPT_SACK;
			buf[n++] = (uint8_t)(2 + 8 * o->n_sack);
			for (uint8_t b = 0; b < o->n_sack; b++)
				for (int e = 0; e < 2; e++)
					for (int k = 3; k >= 0; k--)
						buf[n++] = (uint8_t)(o->sack[b][e] >> (8 * k));
			break;
		default:
			break;
		}
	}
	while (n % 4 != 0)
		buf[n++] = TS_OPT_NOP;
	return n;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
ts_decode_opts(const uint8_t *p, size_t len, struct ts_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	o->given = true;
	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == TS_OPT_EOL)
			break;
		if (kind == TS_OPT_NOP) {
			add_order(o, kind);
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case TS_OPT_MSS:
			if (olen != 4 || o->has_mss)
				return -1;
			o->has_mss = true;
			o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			break;
		case TS_OPT_WS:
			if (olen != 3 || o->has_ws)
				return -1;
			o->has_ws = true;
			o->ws = p[i + 2];
			break;
		case TS_OPT_SACKOK:
			if (olen != 2 || o->sack_ok)
				return -1;
			o->sack_ok = true;
			break;
		case TS_OPT_TS:
			if (olen != 10 || o->has_ts)
				return -1;
			o->has_ts = true;
			o->tsval = rd32(p + i + 2);
			o->tsecr = rd32(p + i + 6);
			break;
		case TS_OPT_SACK:
			if ((olen - 2) % 8 != 0 || olen < 10 || (olen - 2) / 8 > TS_MAX_SACK ||
					o->n_sack != 0)
				return -1;
			for (int b = 0; b < (olen - 2) / 8; b++) {
				o->sack[b][0] = rd32(p + i + 2 + 8 * b);
				o->sack[b][1] = rd32(p + i + 6 + 8 * b);
			}
			o->n_sack = (uint8_t)((olen - 2) / 8);
			break;
		default:
			o->n_unknown++;
			o->unknown_kind = kind;
			break;
		}
		add_order(o, kind);
		i += olen;
	}
	return 0;
}

static void
put_num(char *buf, size_t len, bool any, uint32_t v)
{
	if (any)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId32, (int32_t)v);
}

static void
put_unum(char *buf, size_t len, bool any, uint32_t v)
{
	if (any)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRIu32, v);
}

static void
format_opts(const struct ts_opts *o, char *buf, size_t len)
{
	size_t n = 0;
	char a[16], b[16];

#define PUT(...) do { \
		if (n < len) \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); \
	} while (0)
	PUT("<");
	for (uint8_t i = 0; i < o->n_order; i++) {
		if (i > 0)
			PUT(",");
		switch (o->order[i]) {
		case TS_OPT_NOP:
			PUT("nop");
			break;
		case TS_OPT_EOL:
			PUT("eol");
			break;
		case TS_OPT_MSS:
			put_unum(a, sizeof(a), o->mss_any, o->mss);
			PUT("mss %s", a);
			break;
		case TS_OPT_WS:
			put_unum(a, sizeof(a), o->ws_any, o->ws);
			PUT("wscale %s", a);
			break;
		case TS_OPT_SACKOK:
			PUT("sackOK");
			break;
		case TS_OPT_TS:
			put_unum(a, sizeof(a), o->tsval_any, o->tsval);
			put_unum(b, sizeof(b), o->tsecr_any, o->tsecr);
			PUT("TS val %s ecr %s", a, b);
			break;
		case TS_OPT_SACK:
			PUT("sack");
			for (uint8_t k = 0; k < o->n_sack; k++)
				PUT(" %" PRId32 ":%" PRId32, (int32_t)o->sack[k][0],
					(int32_t)o->sack[k][1]);
			break;
		default:
			PUT("opt%u", o->order[i]);
			break;
		}
	}
	PUT(">");
#undef PUT
}

void
ts_format_seg(const struct ts_seg *s, char *buf, size_t len)
{
	char f[16], a[16], o[256];
	size_t n;

	ts_format_flags(s->flags, f);
	n = (size_t)snprintf(buf, len, "%s %" PRId32 ":%" PRId32 "(%" PRIu32 ")", f,
		(int32_t)s->seq, (int32_t)(s->seq + s->len), s->len);
	if (s->has_ack && n < len) {
		put_num(a, sizeof(a), s->ack_any, s->ack);
		n += (size_t)snprintf(buf + n, len - n, " ack %s", a);
	}
	if (s->has_win && n < len) {
		put_unum(a, sizeof(a), s->win_any, s->win);
		n += (size_t)snprintf(buf + n, len - n, " win %s", a);
	}
	if (s->o.given && n < len) {
		format_opts(&s->o, o, sizeof(o));
		snprintf(buf + n, len - n, " %s", o);
	}
}

static const char *
compare_opts(const struct ts_opts *e, const struct ts_opts *g, char *why, size_t len)
{
	if (g->n_unknown != 0) {
		snprintf(why, len, "unexpected option kind %u", g->unknown_kind);
		return why;
	}
	if (e->has_mss != g->has_mss || (e->has_mss && !e->mss_any && e->mss != g->mss))
		return "mss option differs";
	if (e->has_ws != g->has_ws || (e->has_ws && !e->ws_any && e->ws != g->ws))
		return "wscale option differs";
	if (e->sack_ok != g->sack_ok)
		return "sackOK option differs";
	if (e->has_ts != g->has_ts)
		return e->has_ts ? "TS option missing" : "TS option not expected";
	if (e->has_ts && !e->tsval_any && e->tsval != g->tsval)
		return "TS val differs";
	if (e->has_ts && !e->tsecr_any && e->tsecr != g->tsecr)
		return "TS ecr differs";
	if (e->n_sack != g->n_sack)
		return "number of SACK blocks differs";
	for (uint8_t i = 0; i < e->n_sack; i++)
		if (e->sack[i][0] != g->sack[i][0] || e->sack[i][1] != g->sack[i][1]) {
			snprintf(why, len, "SACK block %u differs", i + 1);
			return why;
		}
	return NULL;
}

const char *
ts_compare_seg(const struct ts_seg *exp, const struct ts_seg *got, char *why, size_t len)
{
	if (exp->flags != got->flags)
		return "flags differ";
	if (exp->seq != got->seq)
		return "sequence number differs";
	if (exp->len != got->len)
		return "payload length differs";
	if (exp->has_ack && !exp->ack_any && exp->ack != got->ack)
		return "ack number differs";
	if (exp->has_win && !exp->win_any && exp->win != got->win)
		return "window differs";
	if (exp->o.given)
		return compare_opts(&exp->o, &got->o, why, len);
	return NULL;
}

/* TCP checksum over the pseudo-header and @len bytes of @tcp (0 when verifying a correct one). */
uint16_t
ts_l4_cksum(int family, const uint8_t *src, const uint8_t *dst, const uint8_t *tcp, uint32_t len)
{
	uint8_t ph[40];
	uint32_t sum;

	memset(ph, 0, sizeof(ph));
	if (family == AF_INET) {
		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[9] = IPPROTO_TCP;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		sum = gw_cksum_partial(ph, 12, 0);
	} else {
		memcpy(ph, src, 16);
		memcpy(ph + 16, dst, 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = IPPROTO_TCP;
		sum = gw_cksum_partial(ph, 40, 0);
	}
	return gw_cksum_finish(gw_cksum_partial(tcp, len, sum));
}

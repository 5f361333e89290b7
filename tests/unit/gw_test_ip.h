/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address helpers shared by the unit tests of lib/neigh (include after
 * cmocka.h): parse a literal address into family + bytes, format one back.
 */
#ifndef GW_TEST_IP_H
#define GW_TEST_IP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

struct ip {
	int family;
	uint8_t b[16];
};

static inline struct ip
ip_of(const char *s)
{
	struct ip a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, s, a.b) != 1)
		fail_msg("bad address in test: %s", s);
	return a;
}

static inline const char *
ip_str(int family, const uint8_t *b, char *buf)
{
	return inet_ntop(family, b, buf, INET6_ADDRSTRLEN);
}

#endif /* GW_TEST_IP_H */

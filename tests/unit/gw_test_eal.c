/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "gw_test_eal.h"

static int eal_state; /* 0 not started, 1 ok, -1 failed */

int
gw_test_eal_init(unsigned int nb_lcores)
{
	char prefix[64], lcores[64];
	char *argv[] = { "gw_test", "--no-huge", "--no-pci", "--no-shconf", "-m", "512",
		"--log-level", "lib.eal:error", "--file-prefix", prefix, "--lcores", lcores,
		NULL };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (eal_state != 0)
		return eal_state > 0 ? 0 : -1;
	snprintf(prefix, sizeof(prefix), "gwtest%d", (int)getpid());
	/* Map every lcore onto the CPUs we have: lcores may outnumber cores. */
	if (nb_lcores < 1)
		nb_lcores = 1;
	snprintf(lcores, sizeof(lcores), "(0-%u)@(0-%ld)", nb_lcores - 1, ncpu - 1);
	eal_state = rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0 ? -1 : 1;
	return eal_state > 0 ? 0 : -1;
}

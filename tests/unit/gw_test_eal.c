/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "gw_test_eal.h"

static int eal_state; /* 0 not started, 1 ok, -1 failed */

/* Leave no runtime directory behind in /var/run/dpdk (one per test run). */
static void
remove_runtime_dir(void)
{
	char path[PATH_MAX];
	const char *dir = rte_eal_get_runtime_dir();
	struct dirent *de;
	DIR *d;

	if (dir == NULL || dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s", dir);
	d = opendir(path);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char f[PATH_MAX + 256];

			if (de->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
			unlink(f);
		}
		closedir(d);
	}
	rmdir(path);
}

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
	if (eal_state > 0)
		atexit(remove_runtime_dir);
	return eal_state > 0 ? 0 : -1;
}

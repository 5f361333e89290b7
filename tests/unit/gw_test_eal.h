/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by unit tests that need DPDK: starts EAL once per test binary
 * without hugepages or PCI, with no shared config files (--in-memory
 * cannot be combined with --no-huge in 22.11), with a unique file prefix, so the
 * tests run as any user and beside a running dpgw.
 */
#ifndef GW_TEST_EAL_H
#define GW_TEST_EAL_H

/* Start EAL with @nb_lcores lcores (main + workers), once. 0 or -1. */
int gw_test_eal_init(unsigned int nb_lcores);

#endif

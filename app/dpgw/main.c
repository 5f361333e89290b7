/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw: the gateway daemon.
 *
 *   dpgw -c FILE [--check] [-- EAL options]
 *
 * Init order: configuration (fully validated before anything starts), EAL
 * (with the ports as --vdev / -a), mbuf pool, ports, generation domain and
 * first generation, workers on their lcores, admin server. The main thread
 * then waits for signals: SIGHUP reloads the reloadable keys, SIGINT and
 * SIGTERM stop the workers, close the ports, log the final counters and
 * exit 0. All of it is daemon.c, shared with the applications built on the
 * same data plane.
 */
#include "app.h"

int
main(int argc, char **argv)
{
	return gw_app_main(argc, argv, NULL);
}

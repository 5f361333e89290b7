/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux baseline of perf/bench_tcp.c: the same exchanges over loopback
 * TCP sockets, both ends in this one thread (non-blocking sockets, epoll),
 * so that the kernel does all of the TCP work of both sides as dpgw's two
 * stacks do on one lcore. CPU time is getrusage(RUSAGE_SELF) user + sys
 * (loopback's receive softirq mostly runs in the sending syscall and is
 * charged there) plus what the ksoftirqd threads used meanwhile (the
 * softirq work deferred to them), read from /proc.
 *
 * Modes (-m, comma separated; default all):
 *   bulk          -c connections (1): write() 64 KiB from one buffer as long
 *                 as the socket takes it, read() it on the other end into
 *                 one buffer; loopback's MTU is 65536 and TSO/GSO apply,
 *                 so segments are up to 64 KiB (recorded as mss).
 *   bulk_mtu1500  the same with TCP_MAXSEG 1460 on the client, i.e. the MSS
 *                 of a 1500-byte MTU (1448 with timestamps, as dpgw's); GSO
 *                 still hands 64 KiB super-segments to the loopback device.
 *   crr           -k (256) connections in flight: connect (from 127.1.0.x,
 *                 256 addresses in turn, IP_BIND_ADDRESS_NO_PORT), write
 *                 64 bytes, the server echoes them, the client closes on
 *                 the reply (it keeps TIME-WAIT), the server closes on EOF.
 *                 Edge-triggered epoll, TCP_NODELAY.
 *   idle          -n (20000) established connections, both ends here:
 *                 kernel slab growth (TCP, sock_inode_cache, filp, dentry,
 *                 bind buckets, from /proc/slabinfo) per connection and side.
 *
 *   bench_tcp_linux [-m modes] [-d secs] [-w warmup] [-c conns] [-k inflight] [-n idle]
 *   One JSON object on stdout, progress on stderr; exit 3 on errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>          /* tcp_info with tcpi_segs_out: glibc's is older */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define REQ_BYTES 64
#define WBUF (64 * 1024)
#define RBUF (256 * 1024)
#define N_SRC 256
#define MAX_EVENTS 256
#define IDLE_BATCH 512

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static struct {
	double secs, warm;
	unsigned int conns, inflight, idle_n;
	bool run_bulk, run_bulk_mss, run_crr, run_idle;
	bool bind_src;                  /* crr: always bind to a source address first */
	uint64_t errors, src_fallbacks;
	char first_error[256];
	unsigned int src_next;
} L = {
	.secs = 2.0, .warm = 0.3, .conns = 1, .inflight = 256, .idle_n = 20000,
};

static uint8_t wbuf[WBUF];
static uint8_t rbuf[RBUF];

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_tcp_linux: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (%s)\n", strerror(errno));
	va_end(ap);
	exit(1);
}

static void
note_error(const char *fmt, ...)
{
	va_list ap;

	if (L.errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(L.first_error, sizeof(L.first_error), fmt, ap);
		va_end(ap);
		fprintf(stderr, "bench_tcp_linux: first error: %s\n", L.first_error);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of every ksoftirqd/N thread (utime + stime, in clock ticks). */
static double
ksoftirqd_s(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	double sum = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512], *p;
		unsigned long ut, st;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL && strstr(buf, "(ksoftirqd/") != NULL) {
			/* After "(comm) ": state ppid pgrp session tty tpgid flags minflt
			 * cminflt majflt cmajflt utime stime. */
			p = strrchr(buf, ')');
			if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
					"%lu %lu", &ut, &st) == 2)
				sum += (double)(ut + st) / (double)hz;
		}
		fclose(f);
	}
	closedir(d);
	return sum;
}

struct window {
	double t0, self0, soft0;
	double wall_s, self_s, soft_s, cpu_s;
};

static void
window_open(struct window *w)
{
	w->self0 = self_cpu_s();
	w->soft0 = ksoftirqd_s();
	w->t0 = now_s();
}

static void
window_close(struct window *w)
{
	w->wall_s = now_s() - w->t0;
	w->self_s = self_cpu_s() - w->self0;
	w->soft_s = ksoftirqd_s() - w->soft0;
	w->cpu_s = w->self_s + w->soft_s;
	if (w->cpu_s <= 0)
		w->cpu_s = w->wall_s;
}

static long
sysctl_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* TIME-WAIT sockets in the system (/proc/net/sockstat "tw"). */
static long
sockstat_tw(void)
{
	FILE *f = fopen("/proc/net/sockstat", "r");
	char line[256];
	long tw = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, " tw ");

		if (strncmp(line, "TCP:", 4) == 0 && p != NULL)
			tw = strtol(p + 4, NULL, 10);
	}
	fclose(f);
	return tw;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl");
}

static void
set_int(int fd, int level, int opt, int v)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		die("setsockopt %d/%d", level, opt);
}

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int
listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die("socket");
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 4096) < 0 ||
			getsockname(fd, (struct sockaddr *)sa, &len) < 0)
		die("listen");
	return fd;
}

/* A client socket bound to the next of 127.1.0.0/24's addresses (port at connect). */
static int
client_socket(bool nonblock)
{
	struct sockaddr_in src;
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		die("socket");
	set_int(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl((127u << 24) | (1u << 16) | (L.src_next++ % N_SRC));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind");
	return fd;
}

/* ---- bulk ---- */

static void
run_bulk(FILE *o, const char *name, int mss)
{
	struct sockaddr_in sa;
	struct tcp_info ti;
	socklen_t tl;
	struct window w;
	int lfd, *cfd, *sfd;
	unsigned int i, n = L.conns;
	uint64_t bytes = 0, segs0 = 0, segs1 = 0;
	double t0, gbps;
	bool timed = false;
	ssize_t r;

	cfd = calloc(n, sizeof(*cfd));
	sfd = calloc(n, sizeof(*sfd));
	if (cfd == NULL || sfd == NULL)
		die("calloc");
	lfd = listener(&sa);
	for (i = 0; i < n; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd[i] < 0)
			die("socket");
		if (mss > 0)
			set_int(cfd[i], IPPROTO_TCP, TCP_MAXSEG, mss);
		if (connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect");
		do {
			sfd[i] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		} while (sfd[i] < 0 && errno == EAGAIN);
		if (sfd[i] < 0)
			die("accept");
		set_nonblock(cfd[i]);
	}
	t0 = now_s();
	for (;;) {
		if (!timed && now_s() - t0 >= L.warm) {
			timed = true;
			bytes = 0;
			for (i = 0, segs0 = 0; i < n; i++) {
				tl = sizeof(ti);
				if (getsockopt(cfd[i], IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
					segs0 += ti.tcpi_segs_out;
			}
			window_open(&w);
		}
		if (timed && now_s() - w.t0 >= L.secs)
			break;
		for (i = 0; i < n; i++)
			while (send(cfd[i], wbuf, sizeof(wbuf), MSG_DONTWAIT) > 0)
				;
		for (i = 0; i < n; i++) {
			while ((r = recv(sfd[i], rbuf, sizeof(rbuf), MSG_DONTWAIT)) > 0)
				bytes += (uint64_t)r;
			if (r == 0 || (r < 0 && errno != EAGAIN))
				note_error("%s: recv: %s", name, r == 0 ? "EOF" : strerror(errno));
		}
	}
	window_close(&w);
	tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	for (i = 0, segs1 = 0; i < n; i++) {
		tl = sizeof(ti);
		if (getsockopt(cfd[i], IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			segs1 += ti.tcpi_segs_out;
	}
	gbps = (double)bytes * 8 / w.cpu_s / 1e9;
	fprintf(stderr, "  %-13s %u conn, MSS %u: %6.2f Gbit/s per CPU-second (%5.2f wall), "
		"cpu %.2f s (ksoftirqd %.2f)\n", name, n, ti.tcpi_snd_mss, gbps,
		(double)bytes * 8 / w.wall_s / 1e9, w.cpu_s, w.soft_s);
	fprintf(o, ",\"%s\":{\"conns\":%u,\"mss\":%u,\"tcp_maxseg\":%d,\"wall_s\":%.3f,"
		"\"cpu_s\":%.3f,\"self_cpu_s\":%.3f,\"ksoftirqd_s\":%.3f,\"payload_bytes\":%" PRIu64
		",\"segs_out\":%" PRIu64 ",\"gbps_per_core\":%.3f,\"gbps_wall\":%.3f,"
		"\"segs_per_s\":%.0f}", name, n, ti.tcpi_snd_mss, mss, w.wall_s, w.cpu_s, w.self_s,
		w.soft_s, bytes, segs1 - segs0, gbps, (double)bytes * 8 / w.wall_s / 1e9,
		(double)(segs1 - segs0) / w.cpu_s);
	for (i = 0; i < n; i++) {
		close(cfd[i]);
		close(sfd[i]);
	}
	close(lfd);
	free(cfd);
	free(sfd);
}

/* ---- crr ---- */

enum { T_LISTEN = 1, T_CLIENT, T_SERVER };

struct fdst {
	uint8_t type;
	bool sent;
	uint32_t got;
};

static struct fdst *fds;
static unsigned int max_fds;
static int epfd;
static struct sockaddr_in srv;
static uint64_t crr_done, crr_started;

static void
ep_add(int fd, uint32_t events, uint8_t type)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)fd };

	if ((unsigned int)fd >= max_fds)
		die("fd %d over the table (%u)", fd, max_fds);
	memset(&fds[fd], 0, sizeof(fds[fd]));
	fds[fd].type = type;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl");
}

/*
 * A new client: connect() picks the port (TIME-WAIT ports on loopback are
 * reused after a second, tcp_tw_reuse = 2); when none is free, the socket
 * is bound to the next of 256 source addresses first.
 */
static void
crr_start(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die("socket");
	if (L.bind_src) {
		close(fd);
		fd = client_socket(true);
	}
	while (connect(fd, (struct sockaddr *)&srv, sizeof(srv)) < 0 && errno != EINPROGRESS) {
		if (errno != EADDRNOTAVAIL || L.bind_src)
			die("connect");
		close(fd);
		fd = client_socket(true);
		L.src_fallbacks++;
	}
	ep_add(fd, EPOLLIN | EPOLLOUT | EPOLLET, T_CLIENT);
	crr_started++;
}

static void
client_event(int fd, uint32_t events)
{
	struct fdst *f = &fds[fd];
	ssize_t r;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		note_error("crr: client socket error");
		close(fd);
		crr_start();
		return;
	}
	if (!f->sent && (events & EPOLLOUT)) {
		if (write(fd, wbuf, REQ_BYTES) != REQ_BYTES) {
			note_error("crr: short write: %s", strerror(errno));
			close(fd);
			crr_start();
			return;
		}
		f->sent = true;
	}
	if (!(events & EPOLLIN))
		return;
	/* One read takes the reply (one segment); closing needs no EAGAIN read. */
	r = read(fd, rbuf, sizeof(rbuf));
	if (r > 0)
		f->got += (uint32_t)r;
	if (f->got >= REQ_BYTES) {
		close(fd);
		crr_done++;
		crr_start();
	} else if (r == 0 || (r < 0 && errno != EAGAIN)) {
		note_error("crr: client read: %s", r == 0 ? "EOF" : strerror(errno));
		close(fd);
		crr_start();
	}
}

/* Echo what came (edge-triggered: read until the buffer is not filled), close on EOF. */
static void
server_event(int fd)
{
	ssize_t r;

	for (;;) {
		r = read(fd, rbuf, sizeof(rbuf));
		if (r > 0) {
			if (write(fd, rbuf, (size_t)r) != r)
				note_error("crr: server short write");
			if ((size_t)r < sizeof(rbuf))
				return;
			continue;
		}
		if (r == 0 || errno != EAGAIN)
			close(fd);
		return;
	}
}

static void
run_crr(FILE *o)
{
	struct epoll_event ev[MAX_EVENTS];
	struct window w;
	uint64_t d0 = 0, s0 = 0;
	double t0, rate;
	bool timed = false;
	long tw0 = sockstat_tw();
	int lfd, n, i;

	lfd = listener(&srv);
	epfd = epoll_create1(0);
	if (epfd < 0)
		die("epoll_create1");
	ep_add(lfd, EPOLLIN | EPOLLET, T_LISTEN);
	crr_done = crr_started = 0;
	for (i = 0; i < (int)L.inflight; i++)
		crr_start();
	t0 = now_s();
	for (;;) {
		if (!timed && now_s() - t0 >= L.warm) {
			timed = true;
			d0 = crr_done;
			s0 = crr_started;
			window_open(&w);
		}
		if (timed && now_s() - w.t0 >= L.secs)
			break;
		n = epoll_wait(epfd, ev, MAX_EVENTS, 10);
		for (i = 0; i < n; i++) {
			int fd = (int)ev[i].data.u32;

			switch (fds[fd].type) {
			case T_LISTEN:
				for (;;) {
					int s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

					if (s < 0)
						break;
					ep_add(s, EPOLLIN | EPOLLRDHUP | EPOLLET, T_SERVER);
				}
				break;
			case T_CLIENT:
				client_event(fd, ev[i].events);
				break;
			case T_SERVER:
				server_event(fd);
				break;
			default:
				break;
			}
		}
	}
	window_close(&w);
	rate = (double)(crr_done - d0) / w.cpu_s;
	fprintf(stderr, "  %-13s %u in flight: %7.0f conns/s per CPU-second (%7.0f wall), cpu %.2f s "
		"(ksoftirqd %.2f), TIME-WAIT in the system %ld\n", "crr", L.inflight, rate,
		(double)(crr_done - d0) / w.wall_s, w.cpu_s, w.soft_s, sockstat_tw());
	fprintf(o, ",\"crr\":{\"inflight\":%u,\"request_bytes\":%u,\"active_closer\":\"client\","
		"\"wall_s\":%.3f,\"cpu_s\":%.3f,\"self_cpu_s\":%.3f,\"ksoftirqd_s\":%.3f,"
		"\"completed\":%" PRIu64 ",\"opened\":%" PRIu64 ",\"per_s\":%.0f,\"per_s_wall\":%.0f,"
		"\"time_wait_before\":%ld,\"time_wait_after\":%ld,\"tcp_max_tw_buckets\":%ld,"
		"\"tcp_tw_reuse\":%ld,\"bind_source\":%s,\"source_fallbacks\":%" PRIu64 "}",
		L.inflight, REQ_BYTES, w.wall_s, w.cpu_s, w.self_s, w.soft_s, crr_done - d0,
		crr_started - s0, rate, (double)(crr_done - d0) / w.wall_s, tw0, sockstat_tw(),
		sysctl_long("/proc/sys/net/ipv4/tcp_max_tw_buckets"),
		sysctl_long("/proc/sys/net/ipv4/tcp_tw_reuse"), L.bind_src ? "true" : "false",
		L.src_fallbacks);
	/* Everything else still open goes with the epoll instance's fds. */
	for (i = 0; i < (int)max_fds; i++)
		if (fds[i].type != 0 && i != epfd) {
			close(i);
			fds[i].type = 0;
		}
	close(epfd);
}

/* ---- idle ---- */

static const char *const slab_names[] = {
	"TCP", "sock_inode_cache", "filp", "dentry", "tcp_bind_bucket", "tcp_bind2_bucket",
};

/* Bytes of the slab caches a socket uses (active objects x object size). */
static int64_t
slab_bytes(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	unsigned long active, total, size;
	int64_t sum = 0;
	unsigned int i;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total, &size) != 4)
			continue;
		for (i = 0; i < sizeof(slab_names) / sizeof(slab_names[0]); i++)
			if (strcmp(name, slab_names[i]) == 0)
				sum += (int64_t)active * (int64_t)size;
	}
	fclose(f);
	return sum;
}

static int64_t
meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	int64_t v = -1;
	size_t kl = strlen(key);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtoll(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

static void
run_idle(FILE *o)
{
	struct sockaddr_in sa;
	int lfd, *cfd, *sfd;
	unsigned int i, j, n = L.idle_n;
	int64_t slab0, slab1, kslab0, kslab1;
	double t0, setup_s, per;

	cfd = calloc(n, sizeof(*cfd));
	sfd = calloc(n, sizeof(*sfd));
	if (cfd == NULL || sfd == NULL)
		die("calloc");
	lfd = listener(&sa);
	slab0 = slab_bytes();
	kslab0 = meminfo_kb("Slab");
	t0 = now_s();
	for (i = 0; i < n; i += IDLE_BATCH) {
		unsigned int k = n - i < IDLE_BATCH ? n - i : IDLE_BATCH;

		for (j = i; j < i + k; j++) {
			cfd[j] = client_socket(false);
			if (connect(cfd[j], (struct sockaddr *)&sa, sizeof(sa)) < 0)
				die("idle: connect %u", j);
		}
		for (j = i; j < i + k; j++) {
			do {
				sfd[j] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
			} while (sfd[j] < 0 && errno == EAGAIN);
			if (sfd[j] < 0)
				die("idle: accept %u", j);
		}
	}
	setup_s = now_s() - t0;
	usleep(50000);
	slab1 = slab_bytes();
	kslab1 = meminfo_kb("Slab");
	per = (double)(slab1 - slab0) / (2.0 * n);
	fprintf(stderr, "  idle          %u conns: %.0f bytes per connection and side (socket slabs), "
		"%.0f (all slab), %.0f opens/s\n", n, per, (double)(kslab1 - kslab0) * 1024 / (2.0 * n),
		n / setup_s);
	fprintf(o, ",\"idle\":{\"conns\":%u,\"slab_bytes\":%" PRId64 ",\"bytes_per_conn\":%.1f,"
		"\"all_slab_bytes_per_conn\":%.1f,\"opens_per_s\":%.0f,\"slabs\":\"TCP sock_inode_cache "
		"filp dentry tcp_bind_bucket tcp_bind2_bucket\"}", n, slab1 - slab0, per,
		(double)(kslab1 - kslab0) * 1024 / (2.0 * n), n / setup_s);
	for (i = 0; i < n; i++) {
		close(cfd[i]);
		close(sfd[i]);
	}
	close(lfd);
	free(cfd);
	free(sfd);
}

/* ---- main ---- */

static void
parse_modes(const char *s)
{
	char buf[256], *tok, *save = NULL;

	L.run_bulk = L.run_bulk_mss = L.run_crr = L.run_idle = false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "bulk") == 0)
			L.run_bulk = true;
		else if (strcmp(tok, "bulk_mtu1500") == 0)
			L.run_bulk_mss = true;
		else if (strcmp(tok, "crr") == 0)
			L.run_crr = true;
		else if (strcmp(tok, "idle") == 0)
			L.run_idle = true;
		else {
			fprintf(stderr, "unknown mode '%s' (bulk,bulk_mtu1500,crr,idle)\n", tok);
			exit(2);
		}
	}
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	FILE *o = stdout;
	int opt;

	parse_modes("bulk,bulk_mtu1500,crr,idle");
	while ((opt = getopt(argc, argv, "m:d:w:c:k:n:B")) != -1) {
		switch (opt) {
		case 'm':
			parse_modes(optarg);
			break;
		case 'd':
			L.secs = atof(optarg);
			break;
		case 'w':
			L.warm = atof(optarg);
			break;
		case 'c':
			L.conns = (unsigned int)atoi(optarg);
			break;
		case 'k':
			L.inflight = (unsigned int)atoi(optarg);
			break;
		case 'n':
			L.idle_n = (unsigned int)atoi(optarg);
			break;
		case 'B':
			L.bind_src = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-m bulk,bulk_mtu1500,crr,idle] [-d secs] "
				"[-w warmup] [-c conns] [-k inflight] [-n idle_conns] [-B]\n", argv[0]);
			return 2;
		}
	}
	if (L.secs <= 0 || L.conns == 0 || L.inflight == 0 || L.idle_n == 0)
		return 2;
	/*
	 * Two descriptors per connection, plus slack. Without CAP_SYS_RESOURCE
	 * the hard limit stays: fewer idle connections then (recorded).
	 */
	max_fds = 2 * (L.idle_n > L.inflight ? L.idle_n : L.inflight) + 2 * L.conns + 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max_fds) {
		rl.rlim_cur = max_fds;
		if (rl.rlim_max < max_fds)
			rl.rlim_max = max_fds;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0 ||
					rl.rlim_max < 2 * L.inflight + 2048)
				die("RLIMIT_NOFILE %lu is too low", (unsigned long)rl.rlim_max);
			max_fds = (unsigned int)rl.rlim_max;
			L.idle_n = (max_fds - 2 * L.conns - 1024) / 2;
			fprintf(stderr, "bench_tcp_linux: %u descriptors at most: %u idle connections\n",
				max_fds, L.idle_n);
		}
	}
	fds = calloc(max_fds, sizeof(*fds));
	if (fds == NULL)
		die("calloc");
	memset(wbuf, 0x5a, sizeof(wbuf));
	fprintf(o, "{\"bench\":\"tcp\",\"impl\":\"linux\",\"run_s\":%.2f", L.secs);
	if (L.run_bulk)
		run_bulk(o, "bulk", 0);
	if (L.run_bulk_mss)
		run_bulk(o, "bulk_mtu1500", 1460);
	if (L.run_crr)
		run_crr(o);
	if (L.run_idle)
		run_idle(o);
	fprintf(o, ",\"errors\":%" PRIu64 ",\"first_error\":\"%s\"}\n", L.errors, L.first_error);
	free(fds);
	return L.errors != 0 ? 3 : 0;
}

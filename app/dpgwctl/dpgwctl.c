/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgwctl: the command-line client of dpgw's admin socket.
 *
 * It sends one JSON request line ({"cmd": "show stats", "args": {...}}),
 * reads one response line, and prints its "data" either as JSON or as
 * aligned tables in the manner of ip(8), ipvsadm -Ln and vppctl. Tables
 * print the keys they know and ignore the rest, so a newer daemon never
 * breaks an older client; -o json shows everything.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <jansson.h>

#include "gw_build_config.h"
#include "config.h"

#include "dpgwctl.h"

#define TIMEOUT_MS 5000

/* Long options without a letter. */
#define OPT_RENDER_FILE   256
#define OPT_RENDER_NOW    257
#define OPT_PRINT_REQUEST 258
#define OPT_LIMIT         259
#define RESPONSE_MAX (256u << 20)

static const char usage_text[] =
	"Usage: dpgwctl [--socket PATH | -c CONFIG] [-o table|wide|json|yaml] COMMAND...\n"
	"\n"
	"Query and control a running dpgw through its admin socket.\n"
	"\n"
	"Commands:\n"
	"  show ports                  ports: link, driver, queues, offloads, addresses, counters\n"
	"  show stats [--all] [--worker N]\n"
	"                              per-worker counters and drop reasons; zero rows are\n"
	"                              hidden unless --all; --worker N shows one worker\n"
	"  show neigh                  ARP/ND neighbour entries of every worker\n"
	"  show flows [--limit N]      L4 (TCP/UDP) NAT flows of every worker: client, VIP,\n"
	"                              backend, SNAT address, state, idle time; at most N\n"
	"                              (default 1000) over all workers\n"
	"  show tcp [--limit N]        connections of the workers' TCP stacks (dpgw-tcp-echo):\n"
	"                              endpoints, state, queues, cwnd, RTT, RTO, retransmits\n"
	"  show routes                 routes, local addresses and VIPs of the live generation,\n"
	"                              then the compiled Gateway API tables (HTTP rules per\n"
	"                              listener in precedence order, L4 services)\n"
	"  show gateway                Gateway API source, translations, manifest errors\n"
	"  show generation             the live configuration generation and what each worker uses\n"
	"  get KIND [NAME] [-n NAMESPACE | -A]\n"
	"                              Gateway API objects dpgw serves, with their status, like\n"
	"                              kubectl get: gatewayclasses, gateways, httproutes,\n"
	"                              grpcroutes, tlsroutes, tcproutes, udproutes, ...\n"
	"  reload                      re-read the configuration (like SIGHUP)\n"
	"  help                        the commands the running daemon offers\n"
	"  raw 'JSON'                  send one request as is and print the whole response\n"
	"\n"
	"Options:\n"
	"  -s, --socket PATH           admin socket (default " GW_DEFAULT_ADMIN_SOCKET ")\n"
	"  -c, --config FILE           take the socket from FILE's admin.socket\n"
	"  -o, --output FORMAT         table (default); wide: get with more columns; json or\n"
	"                              yaml: the response data (get: the objects, as kubectl)\n"
	"  -n, --namespace NS          get: objects in namespace NS only\n"
	"  -A, --all-namespaces        get: objects in every namespace\n"
	"  -a, --all                   show stats: show zero counters too\n"
	"  -w, --worker N              show stats: only worker N\n"
	"      --limit N               show flows / tcp: at most N rows (0..100000, default 1000)\n"
	"  -h, --help                  this text\n"
	"  -V, --version               print the version\n"
	"\n"
	"Every request and response is one line of JSON, so scripts may also use\n"
	"  echo '{\"cmd\":\"show stats\"}' | socat - UNIX-CONNECT:" GW_DEFAULT_ADMIN_SOCKET "\n"
	"\n"
	"Exit status: 0 success, 1 error (from dpgw or talking to it), 2 usage,\n"
	"3 cannot connect to the socket.\n";

static const char get_usage_text[] =
	"Usage: dpgwctl get KIND [NAME] [-n NAMESPACE | -A] [-o wide|json|yaml]\n"
	"\n"
	"Show the Gateway API objects dpgw serves, with their status, like kubectl get.\n"
	"KIND is a kind as kubectl names it (gateways, gateway, gtw, httproutes, ...);\n"
	"with NAME only that object. -n NAMESPACE limits namespaced kinds to one\n"
	"namespace, -A asks for every namespace.\n";

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("dpgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dpgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'dpgwctl --help'.\n", stderr);
	exit(EXIT_USAGE);
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die(EXIT_ERROR, "out of memory");
	return p;
}

/* ---- talking to the daemon ---- */

/* --render-file: a canned response instead of the daemon's, to test the output. */
static char *
read_response_file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, got = 0, n;
	char *buf;

	if (f == NULL)
		die(EXIT_ERROR, "cannot open %s: %s", path, strerror(errno));
	buf = xrealloc(NULL, cap);
	while ((n = fread(buf + got, 1, cap - got - 1, f)) > 0) {
		got += n;
		if (got + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	if (ferror(f))
		die(EXIT_ERROR, "cannot read %s", path);
	fclose(f);
	buf[got] = '\0';
	return buf;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int
connect_admin(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
	const char *hint = "is dpgw running?";
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		die(EXIT_CONNECT, "cannot connect to %s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	/* A full backlog makes a UNIX connect wait up to the send timeout. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	err = errno;
	if (err == EACCES || err == EPERM)
		hint = "run as root or as a member of the socket's group";
	else if (err == EAGAIN)
		hint = "dpgw is not accepting connections";
	die(EXIT_CONNECT, "cannot connect to %s: %s (%s)", path,
		err == EAGAIN ? "timed out" : strerror(err), hint);
	return -1;
}

/* Send @req plus a newline, read one line back; all within TIMEOUT_MS. */
static char *
exchange(const char *path, const char *req)
{
	struct timespec deadline;
	size_t len = strlen(req), off = 0, cap = 4096, got = 0;
	char *out = xrealloc(NULL, len + 1);
	char *buf = xrealloc(NULL, cap);
	int fd = connect_admin(path);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TIMEOUT_MS / 1000;
	memcpy(out, req, len);
	out[len++] = '\n';
	while (off < len) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, (int)(ms_left(&deadline) > 0 ? ms_left(&deadline) : 0)) == 0)
			die(EXIT_ERROR, "timed out sending to %s", path);
		n = send(fd, out + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			die(EXIT_ERROR, "cannot send to %s: %s", path, strerror(errno));
		if (n > 0)
			off += (size_t)n;
	}
	free(out);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		if (poll(&p, 1, (int)(ms_left(&deadline) > 0 ? ms_left(&deadline) : 0)) == 0)
			die(EXIT_ERROR, "no response from %s within %d s", path, TIMEOUT_MS / 1000);
		if (got + 1 >= cap) {
			if (cap >= RESPONSE_MAX)
				die(EXIT_ERROR, "response from %s too long", path);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = recv(fd, buf + got, cap - got - 1, MSG_DONTWAIT);
		if (n == 0)
			die(EXIT_ERROR, "%s closed the connection without a response", path);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die(EXIT_ERROR, "cannot read from %s: %s", path, strerror(errno));
		}
		nl = memchr(buf + got, '\n', (size_t)n);
		got += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			break;
		}
	}
	close(fd);
	return buf;
}

/* ---- command line ---- */

static const char *
socket_from_config(const char *file)
{
	static char path[GW_CFG_STR_LEN];
	char err[GW_CFG_ERR_LEN] = "";
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		die(EXIT_ERROR, "out of memory");
	if (gw_config_load(file, cfg, err, sizeof(err)) < 0)
		die(EXIT_ERROR, "%s", err[0] != '\0' ? err : "cannot load the configuration");
	snprintf(path, sizeof(path), "%s",
		cfg->admin.socket[0] != '\0' ? cfg->admin.socket : GW_DEFAULT_ADMIN_SOCKET);
	free(cfg);
	return path;
}

static bool
word_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* "show X" -> the daemon's command name; NULL if unknown. */
static const char *
show_command(const char *what)
{
	static const char *const ports[] = { "ports", "port", "interfaces", NULL };
	static const char *const stats[] = { "stats", "statistics", "counters", "errors", NULL };
	static const char *const neigh[] = { "neigh", "neighbours", "neighbors", "arp", NULL };
	static const char *const routes[] = { "routes", "route", NULL };
	static const char *const flows[] = { "flows", "flow", "conntrack", NULL };
	static const char *const tcp[] = { "tcp", "connections", "conns", NULL };
	static const char *const gen[] = { "generation", "gen", NULL };
	static const char *const gw[] = { "gateway", "gw", "translator", NULL };

	if (word_in(what, ports))
		return "show ports";
	if (word_in(what, stats))
		return "show stats";
	if (word_in(what, neigh))
		return "show neigh";
	if (word_in(what, routes))
		return "show routes";
	if (word_in(what, flows))
		return "show flows";
	if (word_in(what, tcp))
		return "show tcp";
	if (word_in(what, gen))
		return "show generation";
	if (word_in(what, gw))
		return "show gateway";
	return NULL;
}
/* {"kind": K, "namespace": N or "all_namespaces": true, "name": X} */
static void
get_args(json_t *args, const struct get_opts *o)
{
	int rc = json_object_set_new(args, "kind", json_string(o->kind));

	if (rc == 0 && o->ns != NULL)
		rc = json_object_set_new(args, "namespace", json_string(o->ns));
	if (rc == 0 && o->all_ns)
		rc = json_object_set_new(args, "all_namespaces", json_true());
	if (rc == 0 && o->name != NULL)
		rc = json_object_set_new(args, "name", json_string(o->name));
	if (rc < 0)
		die(EXIT_ERROR, "out of memory, or an argument that is not UTF-8");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "worker", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		/* Hidden, for tests: render a canned response at a fixed time. */
		{ "render-file", required_argument, NULL, OPT_RENDER_FILE },
		{ "render-now", required_argument, NULL, OPT_RENDER_NOW },
		{ "print-request", no_argument, NULL, OPT_PRINT_REQUEST },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_opts so = { .all = false, .worker = -1 };
	struct get_opts go = { .now = time(NULL) };
	const char *sock = NULL, *config = NULL, *cmd, *raw = NULL, *render = NULL;
	enum output out = OUT_TABLE;
	bool worker_set = false, print_request = false;
	long limit = -1;
	json_t *req, *resp, *data;
	json_error_t jerr;
	char *line, *end;
	int opt, nargs;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:c:o:aw:hVn:A", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				out = OUT_JSON;
			else if (strcmp(optarg, "yaml") == 0)
				out = OUT_YAML;
			else if (strcmp(optarg, "table") == 0)
				out = OUT_TABLE;
			else if (strcmp(optarg, "wide") == 0)
				out = OUT_WIDE;
			else
				usage_error("-o takes table, wide, json or yaml, not \"%s\"", optarg);
			break;
		case 'n':
			if (optarg[0] == '\0')
				usage_error("-n takes a namespace");
			go.ns = optarg;
			break;
		case 'A':
			go.all_ns = true;
			break;
		case OPT_RENDER_FILE:
			render = optarg;
			break;
		case OPT_RENDER_NOW:
			if (!parse_rfc3339(optarg, &go.now))
				usage_error("--render-now takes an RFC 3339 time, not \"%s\"", optarg);
			break;
		case OPT_PRINT_REQUEST:
			print_request = true;
			break;
		case OPT_LIMIT:
			errno = 0;
			limit = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || limit < 0 ||
					limit > 100000)
				usage_error("--limit takes a number of flows 0..100000, not \"%s\"",
					optarg);
			break;
		case 'a':
			so.all = true;
			break;
		case 'w':
			errno = 0;
			so.worker = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || so.worker < 0 ||
					so.worker > INT_MAX)
				usage_error("--worker takes a worker number, not \"%s\"", optarg);
			worker_set = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("dpgwctl %s\n", GW_VERSION);
			return 0;
		case ':':
			usage_error("option %s needs an argument", argv[optind - 1]);
			break;
		default:
			if (optopt != 0)
				usage_error("unknown option -%c", optopt);
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (sock != NULL && config != NULL)
		usage_error("--socket and -c are alternatives; give one");
	nargs = argc - optind;
	argv += optind;
	if (nargs == 0)
		usage_error("no command given");

	if (strcmp(argv[0], "show") == 0) {
		if (nargs != 2)
			usage_error(nargs < 2 ? "show what? ports, stats, neigh, routes, flows, tcp or "
				"generation" : "too many arguments to show");
		cmd = show_command(argv[1]);
		if (cmd == NULL)
			usage_error("cannot show \"%s\"; try ports, stats, neigh, routes, flows, tcp or "
				"generation", argv[1]);
	} else if (strcmp(argv[0], "get") == 0) {
		if (nargs < 2) {
			fputs(get_usage_text, stderr);
			return EXIT_USAGE;
		}
		if (nargs > 3)
			usage_error("get takes a kind and at most one name");
		go.kind = argv[1];
		go.name = nargs == 3 ? argv[2] : NULL;
		cmd = "get";
	} else if (strcmp(argv[0], "reload") == 0 || strcmp(argv[0], "help") == 0) {
		if (nargs != 1)
			usage_error("%s takes no arguments", argv[0]);
		cmd = argv[0];
	} else if (strcmp(argv[0], "raw") == 0) {
		if (nargs != 2)
			usage_error("raw takes one JSON request, quoted");
		raw = argv[1];
		if (strchr(raw, '\n') != NULL)
			usage_error("a raw request must be one line");
		cmd = "raw";
	} else {
		usage_error("unknown command \"%s\"", argv[0]);
	}
	if ((so.all || worker_set) && strcmp(cmd, "show stats") != 0)
		usage_error("--all and --worker go with show stats");
	if (limit >= 0 && strcmp(cmd, "show flows") != 0 && strcmp(cmd, "show tcp") != 0)
		usage_error("--limit goes with show flows and show tcp");
	if ((go.ns != NULL || go.all_ns || out == OUT_WIDE) && strcmp(cmd, "get") != 0)
		usage_error("-n, -A and -o wide go with get");
	if (go.ns != NULL && go.all_ns)
		usage_error("-n and -A are alternatives; give one");

	if (config != NULL)
		sock = socket_from_config(config);
	if (sock == NULL)
		sock = GW_DEFAULT_ADMIN_SOCKET;

	if (raw != NULL) {
		line = render != NULL ? read_response_file(render) : exchange(sock, raw);
		resp = json_loads(line, 0, &jerr);
		if (resp == NULL)
			die(EXIT_ERROR, "bad response from %s: %s", sock, jerr.text);
		json_dumpf(resp, stdout, JSON_INDENT(2));
		putchar('\n');
		free(line);
		opt = json_is_true(json_object_get(resp, "ok")) ? 0 : EXIT_ERROR;
		json_decref(resp);
		return opt;
	}

	req = json_pack("{s:s,s:{}}", "cmd", cmd, "args");
	if (req == NULL)
		die(EXIT_ERROR, "out of memory");
	if (worker_set)
		json_object_set_new(json_object_get(req, "args"), "worker",
			json_integer(so.worker));
	if (so.all)
		json_object_set_new(json_object_get(req, "args"), "all", json_true());
	if (limit >= 0)
		json_object_set_new(json_object_get(req, "args"), "limit", json_integer(limit));
	if (go.kind != NULL)
		get_args(json_object_get(req, "args"), &go);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		die(EXIT_ERROR, "out of memory");
	if (print_request)
		fprintf(stderr, "%s\n", line);
	end = render != NULL ? read_response_file(render) : exchange(sock, line);
	free(line);
	resp = json_loads(end, 0, &jerr);
	if (resp == NULL)
		die(EXIT_ERROR, "bad response from %s: %s", sock, jerr.text);
	free(end);
	if (!json_is_true(json_object_get(resp, "ok"))) {
		const char *e = json_string_value(json_object_get(resp, "error"));

		fprintf(stderr, "dpgwctl: %s\n", e != NULL ? e : "request failed");
		json_decref(resp);
		return EXIT_ERROR;
	}
	data = json_object_get(resp, "data");
	if (data == NULL)
		data = json_null();
	if (go.kind != NULL)
		print_get(data, &go, out);
	else
		print_data(cmd, data, out, &so);
	json_decref(resp);
	return fflush(stdout) == 0 ? 0 : EXIT_ERROR;
}

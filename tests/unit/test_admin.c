/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin server: dispatch without a socket, then the real thing over a
 * UNIX socket in a temporary directory (framing, limits, several clients,
 * stale and live sockets), then the telemetry bridge through DPDK's own
 * telemetry socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_telemetry.h>

#include "admin.h"
#include "gw_test_eal.h"

static char tmpdir[64];

/* ---- handlers ---- */

/* {"args": <args>, "arg": <arg as int>} */
static json_t *
h_echo(const json_t *args, void *arg, char *err, size_t errlen)
{
	return json_pack("{s:O,s:i}", "args", (json_t *)(uintptr_t)args,
		"arg", (int)(intptr_t)arg);
}

static json_t *
h_fail(const json_t *args, void *arg, char *err, size_t errlen)
{
	snprintf(err, errlen, "disk on fire");
	return NULL;
}

static json_t *
h_fail_silent(const json_t *args, void *arg, char *err, size_t errlen)
{
	return NULL;
}

/* The shape of the daemon's "show stats", plus every scalar kind. */
static json_t *
h_stats(const json_t *args, void *arg, char *err, size_t errlen)
{
	return json_pack("{s:[{s:s,s:s,s:s,s:I,s:[I,I]},{s:s,s:s,s:s,s:i,s:[i,i]}],"
		"s:[{s:i,s:i},{s:i,s:i}],s:i,s:b,s:i,s:f,s:n,s:[i,i],s:[s,s],"
		"s:{s:{s:i}},s:s}",
		"counters",
		"name", "rx_packets", "kind", "event", "help", "packets received",
		"total", (json_int_t)123, "workers", (json_int_t)100, (json_int_t)23,
		"name", "drop_no_route", "kind", "drop", "help", "no route", "total", 0,
		"workers", 0, 0,
		"workers", "id", 0, "lcore", 1, "id", 1, "lcore", 2,
		"generation", 3, "up", 1, "neg", -5, "ratio", 0.5, "nothing",
		"list", 1, 2, "names", "a", "b",
		"deep", "x.y", "z", 7,
		"args_worker", json_is_integer(json_object_get(args, "worker")) ? "set" : "unset");
}

/* ---- socket helpers ---- */

static void
sock_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static int
client_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/* One response line, parsed; NULL on EOF or timeout. Byte by byte so that
 * a second response stays in the socket for the next call. */
static json_t *
read_response(int fd)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	json_t *j;
	char ch;

	assert_non_null(buf);
	for (;;) {
		ssize_t n = recv(fd, &ch, 1, 0);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		if (ch == '\n')
			break;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		buf[len++] = ch;
	}
	buf[len] = '\0';
	j = json_loads(buf, 0, NULL);
	if (j == NULL)
		fail_msg("response is not JSON: %s", buf);
	free(buf);
	return j;
}

static json_t *
roundtrip(int fd, const char *line)
{
	send_all(fd, line, strlen(line));
	return read_response(fd);
}

static void
assert_ok(json_t *resp)
{
	assert_non_null(resp);
	if (!json_is_true(json_object_get(resp, "ok")))
		fail_msg("not ok: %s", json_string_value(json_object_get(resp, "error")));
}

static void
assert_error(json_t *resp, const char *prefix)
{
	const char *e;

	assert_non_null(resp);
	assert_true(json_is_false(json_object_get(resp, "ok")));
	e = json_string_value(json_object_get(resp, "error"));
	assert_non_null(e);
	if (strncmp(e, prefix, strlen(prefix)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", e, prefix);
}

static bool
eof_within(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	char buf[256];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

static struct gw_admin *
server(const char *name, char *path, size_t len)
{
	struct gw_admin *a;

	sock_path(path, len, name);
	a = gw_admin_create(path);
	assert_non_null(a);
	assert_int_equal(gw_admin_register(a, "echo", NULL, h_echo, (void *)(intptr_t)42,
		"echo the args"), 0);
	assert_int_equal(gw_admin_register(a, "fail", NULL, h_fail, NULL, "always fails"), 0);
	assert_int_equal(gw_admin_start(a), 0);
	return a;
}

/* ---- dispatch ---- */

static void
test_dispatch(void **state)
{
	struct gw_admin *a;
	char path[128];
	json_t *r, *cmds;
	size_t i;
	bool seen_echo = false;

	sock_path(path, sizeof(path), "dispatch.sock");
	a = gw_admin_create(path);
	assert_non_null(a);
	assert_int_equal(gw_admin_register(a, "echo", NULL, h_echo, (void *)(intptr_t)7,
		"echo the args"), 0);
	assert_int_equal(gw_admin_register(a, "fail", NULL, h_fail, NULL, "fails"), 0);
	assert_int_equal(gw_admin_register(a, "quiet", NULL, h_fail_silent, NULL, NULL), 0);

	r = gw_admin_dispatch(a, "{\"cmd\":\"echo\",\"args\":{\"x\":1}}");
	assert_ok(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "x")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "data"), "arg")), 7);
	json_decref(r);

	/* No args, and null args: the handler sees an empty object. */
	r = gw_admin_dispatch(a, "{\"cmd\":\"echo\"}");
	assert_ok(r);
	assert_int_equal(json_object_size(json_object_get(json_object_get(r, "data"), "args")), 0);
	json_decref(r);
	r = gw_admin_dispatch(a, "{\"cmd\":\"echo\",\"args\":null}");
	assert_ok(r);
	json_decref(r);

	r = gw_admin_dispatch(a, "{\"cmd\":");
	assert_error(r, "bad request: ");
	assert_true(strlen(json_string_value(json_object_get(r, "error"))) >
		strlen("bad request: "));
	json_decref(r);
	r = gw_admin_dispatch(a, "{\"cmd\":\"echo\"} trailing");
	assert_error(r, "bad request: ");
	json_decref(r);
	r = gw_admin_dispatch(a, "[1,2]");
	assert_error(r, "bad request: ");
	json_decref(r);
	r = gw_admin_dispatch(a, "{\"args\":{}}");
	assert_error(r, "bad request: \"cmd\"");
	json_decref(r);
	r = gw_admin_dispatch(a, "{\"cmd\":\"echo\",\"args\":[1]}");
	assert_error(r, "bad request: \"args\"");
	json_decref(r);

	r = gw_admin_dispatch(a, "{\"cmd\":\"x\"}");
	assert_error(r, "unknown command \"x\"; try \"help\"");
	assert_string_equal(json_string_value(json_object_get(r, "error")),
		"unknown command \"x\"; try \"help\"");
	json_decref(r);

	r = gw_admin_dispatch(a, "{\"cmd\":\"fail\"}");
	assert_error(r, "disk on fire");
	json_decref(r);
	r = gw_admin_dispatch(a, "{\"cmd\":\"quiet\"}");
	assert_error(r, "command \"quiet\" failed");
	json_decref(r);

	r = gw_admin_dispatch(a, "{\"cmd\":\"help\"}");
	assert_ok(r);
	cmds = json_object_get(json_object_get(r, "data"), "commands");
	assert_int_equal(json_array_size(cmds), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "cmd")),
		"help");
	for (i = 0; i < json_array_size(cmds); i++) {
		json_t *c = json_array_get(cmds, i);

		assert_true(json_is_string(json_object_get(c, "help")));
		if (strcmp(json_string_value(json_object_get(c, "cmd")), "echo") == 0) {
			seen_echo = true;
			assert_string_equal(json_string_value(json_object_get(c, "help")),
				"echo the args");
		}
	}
	assert_true(seen_echo);
	json_decref(r);

	r = gw_admin_dispatch(a, NULL);
	assert_error(r, "bad request");
	json_decref(r);
	gw_admin_free(a);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_register_errors(void **state)
{
	struct gw_admin *a;
	char path[128], name[32];
	int i, rc;

	sock_path(path, sizeof(path), "register.sock");
	a = gw_admin_create(path);
	assert_non_null(a);
	assert_int_equal(gw_admin_register(a, "echo", NULL, h_echo, NULL, ""), 0);
	assert_int_equal(gw_admin_register(a, "echo", NULL, h_echo, NULL, ""), -EEXIST);
	assert_int_equal(gw_admin_register(a, "help", NULL, h_echo, NULL, ""), -EEXIST);
	assert_int_equal(gw_admin_register(a, "x", NULL, NULL, NULL, ""), -EINVAL);
	assert_int_equal(gw_admin_register(a, "", NULL, h_echo, NULL, ""), -EINVAL);
	assert_int_equal(gw_admin_register(NULL, "x", NULL, h_echo, NULL, ""), -EINVAL);
	/* 22.11 accepts only [A-Za-z0-9_/] below 56 bytes, starting with '/'. */
	assert_int_equal(gw_admin_register(a, "t1", "/dpgw-test", h_echo, NULL, ""), -EINVAL);
	assert_int_equal(gw_admin_register(a, "t2", "nope", h_echo, NULL, ""), -EINVAL);
	assert_int_equal(gw_admin_register(a, "t3",
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", h_echo, NULL, ""),
		-EINVAL);
	for (i = 0, rc = 0; rc == 0; i++) {
		snprintf(name, sizeof(name), "cmd%d", i);
		rc = gw_admin_register(a, name, NULL, h_echo, NULL, "");
	}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(i, GW_ADMIN_MAX_CMDS);  /* "echo" took one slot */
	assert_int_equal(gw_admin_start(a), 0);
	assert_int_equal(gw_admin_start(a), -EALREADY);
	gw_admin_free(a);
	gw_admin_free(NULL);
}

/* ---- over the socket ---- */

static void
test_socket_requests(void **state)
{
	struct gw_admin *a;
	char path[128];
	struct stat st;
	json_t *r;
	int fd;

	a = server("basic.sock", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	fd = client_connect(path);

	r = roundtrip(fd, "{\"cmd\":\"echo\",\"args\":{\"a\":\"b\"}}\n");
	assert_ok(r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "a")), "b");
	json_decref(r);

	r = roundtrip(fd, "this is not json\n");
	assert_error(r, "bad request: ");
	json_decref(r);
	r = roundtrip(fd, "{\"cmd\":\"nosuch\"}\r\n");
	assert_error(r, "unknown command \"nosuch\"");
	json_decref(r);
	r = roundtrip(fd, "{\"cmd\":\"fail\"}\n");
	assert_error(r, "disk on fire");
	json_decref(r);
	r = roundtrip(fd, "{\"cmd\":\"help\"}\n");
	assert_ok(r);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "commands")), 3);
	json_decref(r);

	/* Two requests in one write, blank lines between: two responses, in order. */
	send_all(fd, "{\"cmd\":\"echo\",\"args\":{\"n\":1}}\n\n{\"cmd\":\"echo\",\"args\":{\"n\":2}}\n",
		strlen("{\"cmd\":\"echo\",\"args\":{\"n\":1}}\n\n{\"cmd\":\"echo\",\"args\":{\"n\":2}}\n"));
	r = read_response(fd);
	assert_ok(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "n")), 1);
	json_decref(r);
	r = read_response(fd);
	assert_ok(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "n")), 2);
	json_decref(r);

	/* A request split across writes. */
	send_all(fd, "{\"cmd\":", 7);
	usleep(20000);
	r = roundtrip(fd, "\"echo\"}\n");
	assert_ok(r);
	json_decref(r);

	/* The last request may lack its newline when the client half-closes. */
	send_all(fd, "{\"cmd\":\"echo\"}", strlen("{\"cmd\":\"echo\"}"));
	shutdown(fd, SHUT_WR);
	r = read_response(fd);
	assert_ok(r);
	json_decref(r);
	assert_true(eof_within(fd, 5));
	close(fd);
	gw_admin_free(a);
}

static void
test_two_clients(void **state)
{
	struct gw_admin *a;
	char path[128];
	json_t *r;
	int fd1, fd2;

	a = server("two.sock", path, sizeof(path));
	fd1 = client_connect(path);
	fd2 = client_connect(path);
	/* A half-sent request on one client must not hold up the other. */
	send_all(fd1, "{\"cmd\":\"ec", 10);
	r = roundtrip(fd2, "{\"cmd\":\"echo\",\"args\":{\"who\":2}}\n");
	assert_ok(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "who")), 2);
	json_decref(r);
	r = roundtrip(fd1, "ho\",\"args\":{\"who\":1}}\n");
	assert_ok(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(r, "data"), "args"), "who")), 1);
	json_decref(r);
	close(fd2);
	r = roundtrip(fd1, "{\"cmd\":\"help\"}\n");
	assert_ok(r);
	json_decref(r);
	close(fd1);
	gw_admin_free(a);
}

static void
test_max_clients(void **state)
{
	struct gw_admin *a;
	char path[128];
	int fds[GW_ADMIN_MAX_CLIENTS], fd, i;
	json_t *r;

	a = server("max.sock", path, sizeof(path));
	for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++) {
		fds[i] = client_connect(path);
		/* A response proves the server has taken the client. */
		r = roundtrip(fds[i], "{\"cmd\":\"echo\"}\n");
		assert_ok(r);
		json_decref(r);
	}
	fd = client_connect(path);
	r = read_response(fd);
	assert_error(r, "too many clients");
	json_decref(r);
	assert_true(eof_within(fd, 5));
	close(fd);
	/* A slot frees up when a client leaves. */
	close(fds[0]);
	usleep(50000);
	fds[0] = client_connect(path);
	r = roundtrip(fds[0], "{\"cmd\":\"echo\"}\n");
	assert_ok(r);
	json_decref(r);
	for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++)
		close(fds[i]);
	gw_admin_free(a);
}

static void
test_long_line(void **state)
{
	static const char head[] = "{\"cmd\":\"echo\",\"args\":{\"pad\":\"";
	static const char tail[] = "\"}}";
	size_t len = GW_ADMIN_LINE_MAX;
	struct gw_admin *a;
	char path[128];
	char *line;
	json_t *r;
	int fd;

	a = server("long.sock", path, sizeof(path));
	line = malloc(len + 2 + 100);
	assert_non_null(line);

	/* Exactly the limit is fine. */
	memcpy(line, head, sizeof(head) - 1);
	memset(line + sizeof(head) - 1, 'x', len - (sizeof(head) - 1) - (sizeof(tail) - 1));
	memcpy(line + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	line[len] = '\n';
	line[len + 1] = '\0';
	fd = client_connect(path);
	r = roundtrip(fd, line);
	assert_ok(r);
	json_decref(r);

	/* One more byte is not, and the connection is closed. */
	memmove(line + 1, line, len + 2);
	line[0] = ' ';
	r = roundtrip(fd, line);
	assert_error(r, "request too long");
	json_decref(r);
	assert_true(eof_within(fd, 5));
	close(fd);

	/* Nor is a line that never ends. */
	fd = client_connect(path);
	memset(line, 'y', len + 50);
	send_all(fd, line, len + 50);
	r = read_response(fd);
	assert_error(r, "request too long");
	json_decref(r);
	assert_true(eof_within(fd, 5));
	close(fd);

	/* The server is still fine. */
	fd = client_connect(path);
	r = roundtrip(fd, "{\"cmd\":\"echo\"}\n");
	assert_ok(r);
	json_decref(r);
	close(fd);
	free(line);
	gw_admin_free(a);
}

static void
test_stale_socket(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gw_admin *a;
	char path[128];
	json_t *r;
	int fd;

	/* A socket file left behind by a dead server. */
	sock_path(path, sizeof(path), "stale.sock");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.100s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(access(path, F_OK), 0);

	a = server("stale.sock", path, sizeof(path));
	fd = client_connect(path);
	r = roundtrip(fd, "{\"cmd\":\"echo\"}\n");
	assert_ok(r);
	json_decref(r);
	close(fd);
	gw_admin_free(a);

	/* Something that is not a socket is never removed. */
	sock_path(path, sizeof(path), "file.sock");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	errno = 0;
	assert_null(gw_admin_create(path));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

static void
test_live_socket_refused(void **state)
{
	struct gw_admin *a;
	char path[128];
	json_t *r;
	int fd;

	a = server("live.sock", path, sizeof(path));
	errno = 0;
	assert_null(gw_admin_create(path));
	assert_int_equal(errno, EADDRINUSE);
	/* The first server still owns and serves its socket. */
	fd = client_connect(path);
	r = roundtrip(fd, "{\"cmd\":\"echo\"}\n");
	assert_ok(r);
	json_decref(r);
	close(fd);
	gw_admin_free(a);
}

static void
test_free_removes_socket(void **state)
{
	struct timespec t0, t1;
	struct gw_admin *a;
	char path[128], deep[160];
	struct stat st;
	int fd;

	/* With an idle client connected, free must still be prompt. */
	a = server("free.sock", path, sizeof(path));
	fd = client_connect(path);
	send_all(fd, "{\"cmd\":", 7);
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gw_admin_free(a);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	assert_int_equal(access(path, F_OK), -1);
	assert_true(eof_within(fd, 5));
	close(fd);

	/* Free of a server that never started removes its socket too. */
	sock_path(path, sizeof(path), "unstarted.sock");
	a = gw_admin_create(path);
	assert_non_null(a);
	gw_admin_free(a);
	assert_int_equal(access(path, F_OK), -1);

	/* Missing parent directories are created. */
	snprintf(deep, sizeof(deep), "%s/run/dpgw/admin.sock", tmpdir);
	a = gw_admin_create(deep);
	assert_non_null(a);
	snprintf(deep, sizeof(deep), "%s/run/dpgw", tmpdir);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0755);
	gw_admin_free(a);
	rmdir(deep);
	snprintf(deep, sizeof(deep), "%s/run", tmpdir);
	rmdir(deep);

	/* A path too long for sun_path. */
	memset(deep, 'a', sizeof(deep) - 1);
	deep[0] = '/';
	deep[sizeof(deep) - 1] = '\0';
	errno = 0;
	assert_null(gw_admin_create(deep));
	assert_int_equal(errno, ENAMETOOLONG);
}

/* ---- telemetry ---- */

/*
 * Only replies without containers here: telemetry frees containers when it
 * sends a reply, and rte_tel_data_free() does not. test_telemetry checks
 * the full mapping through the telemetry socket.
 */
static void
test_json_to_tel(void **state)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	json_t *j;
	char key[16];
	int i;

	assert_non_null(d);
	j = json_pack("{s:i,s:i,s:s,s:b,s:f,s:n}", "a", 1, "neg", -1, "s", "x", "t", 1,
		"r", 1.5, "n");
	assert_int_equal(gw_admin_json_to_tel(NULL, d), -EINVAL);
	assert_int_equal(gw_admin_json_to_tel(j, NULL), -EINVAL);
	assert_int_equal(gw_admin_json_to_tel(j, d), 0);
	json_decref(j);

	/* Top-level arrays of scalars, and bare scalars. */
	j = json_pack("[i,i,i]", -1, 2, 3);
	assert_int_equal(gw_admin_json_to_tel(j, d), 0);
	json_decref(j);
	j = json_pack("[s,i,b]", "x", 2, 0);
	assert_int_equal(gw_admin_json_to_tel(j, d), 0);
	json_decref(j);
	j = json_string("hello");
	assert_int_equal(gw_admin_json_to_tel(j, d), 0);
	json_decref(j);
	j = json_integer(5);
	assert_int_equal(gw_admin_json_to_tel(j, d), 0);
	json_decref(j);

	/* Past telemetry's limits: a partial reply and -ENOSPC. */
	j = json_object();
	for (i = 0; i < RTE_TEL_MAX_DICT_ENTRIES + 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(j, key, json_integer(i));
	}
	assert_int_equal(gw_admin_json_to_tel(j, d), -ENOSPC);
	json_decref(j);
	j = json_array();
	for (i = 0; i < RTE_TEL_MAX_ARRAY_ENTRIES + 1; i++)
		json_array_append_new(j, json_integer(i));
	assert_int_equal(gw_admin_json_to_tel(j, d), -ENOSPC);
	json_decref(j);
	rte_tel_data_free(d);
}

/* Send one telemetry command and return the value under its name. */
static json_t *
tel_query(const char *cmd, json_t **whole)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	static char buf[65536];
	char name[128];
	json_t *j;
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_true(recv(fd, buf, sizeof(buf) - 1, 0) > 0);  /* the greeting */
	assert_int_equal(send(fd, cmd, strlen(cmd), 0), (ssize_t)strlen(cmd));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	close(fd);
	j = json_loads(buf, 0, NULL);
	if (j == NULL)
		fail_msg("telemetry reply is not JSON: %s", buf);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	*whole = j;
	return json_object_get(j, name);
}

static json_int_t
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static void
test_telemetry(void **state)
{
	struct gw_admin *a;
	char path[128];
	json_t *whole, *v, *c;

	sock_path(path, sizeof(path), "tel.sock");
	a = gw_admin_create(path);
	assert_non_null(a);
	assert_int_equal(gw_admin_register(a, "show stats", "/dpgwtest/stats", h_stats, NULL,
		"per-worker counters"), 0);
	assert_int_equal(gw_admin_register(a, "fail", "/dpgwtest/fail", h_fail, NULL, "fails"), 0);
	/* A path is one server's at a time. */
	assert_int_equal(gw_admin_register(a, "again", "/dpgwtest/stats", h_stats, NULL, ""),
		-EEXIST);
	assert_int_equal(gw_admin_start(a), 0);

	v = tel_query("/dpgwtest/stats", &whole);
	if (v == NULL && whole == NULL) {
		gw_admin_free(a);
		skip();  /* telemetry disabled in this EAL */
	}
	assert_true(json_is_object(v));
	c = json_object_get(v, "counters/0");
	assert_true(json_is_object(c));
	assert_string_equal(json_string_value(json_object_get(c, "name")), "rx_packets");
	assert_string_equal(json_string_value(json_object_get(c, "kind")), "event");
	assert_int_equal(jint(c, "total"), 123);
	assert_int_equal(jint(c, "workers/0"), 100);
	assert_int_equal(jint(c, "workers/1"), 23);
	c = json_object_get(v, "counters/1");
	assert_string_equal(json_string_value(json_object_get(c, "name")), "drop_no_route");
	assert_int_equal(jint(json_object_get(v, "workers/1"), "lcore"), 2);
	assert_int_equal(jint(v, "generation"), 3);
	assert_int_equal(jint(v, "up"), 1);
	assert_int_equal(jint(v, "neg"), -5);
	assert_string_equal(json_string_value(json_object_get(v, "ratio")), "0.5");
	assert_null(json_object_get(v, "nothing"));
	assert_int_equal(json_array_size(json_object_get(v, "list")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(v, "list"), 1)), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "names"), 0)), "a");
	assert_int_equal(jint(json_object_get(v, "deep"), "x_y/z"), 7);
	assert_string_equal(json_string_value(json_object_get(v, "args_worker")), "unset");
	json_decref(whole);

	/* Params are the args object. */
	v = tel_query("/dpgwtest/stats,{\"worker\":1}", &whole);
	assert_string_equal(json_string_value(json_object_get(v, "args_worker")), "set");
	json_decref(whole);
	v = tel_query("/dpgwtest/stats,not json", &whole);
	assert_true(json_is_null(v));
	json_decref(whole);

	/* A failing handler answers null, as telemetry does for errors. */
	v = tel_query("/dpgwtest/fail", &whole);
	assert_true(json_is_null(v));
	json_decref(whole);

	v = tel_query("/help,/dpgwtest/stats", &whole);
	assert_string_equal(json_string_value(json_object_get(v, "/dpgwtest/stats")),
		"per-worker counters");
	json_decref(whole);

	/* After free the command answers null; a new server takes the path over. */
	gw_admin_free(a);
	v = tel_query("/dpgwtest/stats", &whole);
	assert_true(json_is_null(v));
	json_decref(whole);
	a = gw_admin_create(path);
	assert_non_null(a);
	assert_int_equal(gw_admin_register(a, "show stats", "/dpgwtest/stats", h_stats, NULL,
		"per-worker counters"), 0);
	v = tel_query("/dpgwtest/stats", &whole);
	assert_int_equal(jint(v, "generation"), 3);
	json_decref(whole);
	gw_admin_free(a);
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
	if (gw_test_eal_init(1) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_admin.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	/* Every test removes what it made; a leftover fails the rmdir. */
	if (tmpdir[0] != '\0' && rmdir(tmpdir) < 0) {
		fprintf(stderr, "%s not empty: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_socket_requests),
		cmocka_unit_test(test_two_clients),
		cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_stale_socket),
		cmocka_unit_test(test_live_socket_refused),
		cmocka_unit_test(test_free_removes_socket),
		cmocka_unit_test(test_json_to_tel),
		cmocka_unit_test(test_telemetry),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

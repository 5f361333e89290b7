/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin server: one poll() loop in a control thread serving newline
 * delimited JSON requests over a UNIX stream socket, plus the bridge that
 * exposes the same handlers as DPDK telemetry commands.
 *
 * Every socket is non-blocking and the loop never waits on one client, so
 * a stuck or slow client cannot hold up the others. An eventfd wakes the
 * loop when gw_admin_free() wants it gone. The JSON to telemetry mapping is
 * described in admin.h above gw_admin_json_to_tel().
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "gw_common.h"
#include "admin.h"

#define ADMIN_CMD_LEN 64
#define ADMIN_ERR_LEN 256
/* Stop reading a client's requests while this much output waits for it. */
#define ADMIN_OUT_HIGH (4u << 20)
#define ADMIN_IN_INIT 4096
/* 22.11 rejects telemetry commands of 56 bytes or more (MAX_CMD_LEN). */
#define TEL_CMD_MAX 56

struct admin_cmd {
	char name[ADMIN_CMD_LEN];
	char telemetry[TEL_CMD_MAX];
	char *help;
	gw_admin_handler_t fn;
	void *arg;
};

struct admin_client {
	int fd;                 /* -1: free slot */
	bool closing;           /* close once out is flushed; read no more */
	char *in;               /* bytes of the request not yet complete */
	size_t in_len, in_cap;
	char *out;              /* responses not yet written */
	size_t out_off, out_len, out_cap;
};

struct gw_admin {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t sock_dev;         /* to unlink only our own socket file */
	ino_t sock_ino;
	int lfd;
	int wakefd;
	bool started;
	pthread_t thread;

	pthread_mutex_t lock;   /* cmds: registration may race the thread */
	unsigned int n_cmds;
	struct admin_cmd cmds[GW_ADMIN_MAX_CMDS];

	struct admin_client clients[GW_ADMIN_MAX_CLIENTS];
};

/*
 * Telemetry callbacks get no user pointer, only the command name, so
 * paths map to handlers here. Entries live for the process because
 * telemetry cannot unregister; gw_admin_free() only unbinds them. The
 * read lock is held while a handler runs, so unbinding waits for it.
 */
struct tel_entry {
	char path[TEL_CMD_MAX];
	const struct gw_admin *owner;   /* NULL: unbound */
	gw_admin_handler_t fn;
	void *arg;
};

static pthread_rwlock_t tel_lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned int tel_n;
static struct tel_entry tel_table[GW_ADMIN_MAX_CMDS];

/* ---- small helpers ---- */

/* Length of @s cut to at most @max bytes without splitting a UTF-8 char. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* A JSON string from text that may be truncated or not UTF-8 at all. */
static json_t *
json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;
	size_t i;

	if (j != NULL)
		return j;
	copy = strdup(s);
	if (copy == NULL)
		return NULL;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *
resp_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:o}", "ok", 0, "error", json_text(msg));
}

/* ---- dispatch ---- */

static json_t *
admin_help(struct gw_admin *a)
{
	json_t *list = json_array();
	unsigned int i;

	if (list == NULL)
		return NULL;
	json_array_append_new(list, json_pack("{s:s,s:s}", "cmd", "help",
		"help", "list the commands and what they do"));
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->n_cmds; i++) {
		const struct admin_cmd *c = &a->cmds[i];
		json_t *o = json_pack("{s:s,s:o}", "cmd", c->name, "help", json_text(c->help));

		if (o != NULL && c->telemetry[0] != '\0')
			json_object_set_new(o, "telemetry", json_string(c->telemetry));
		json_array_append_new(list, o);
	}
	pthread_mutex_unlock(&a->lock);
	return json_pack("{s:o}", "commands", list);
}

static json_t *
admin_run(struct gw_admin *a, const char *cmd, const json_t *args)
{
	gw_admin_handler_t fn = NULL;
	void *arg = NULL;
	char err[ADMIN_ERR_LEN] = "";
	char shown[ADMIN_CMD_LEN + 1];
	json_t *data;
	unsigned int i;

	if (strcmp(cmd, "help") == 0)
		data = admin_help(a);
	else {
		pthread_mutex_lock(&a->lock);
		for (i = 0; i < a->n_cmds; i++)
			if (strcmp(a->cmds[i].name, cmd) == 0) {
				fn = a->cmds[i].fn;
				arg = a->cmds[i].arg;
				break;
			}
		pthread_mutex_unlock(&a->lock);
		if (fn == NULL) {
			/* Echo a bounded, whole-character prefix of what was sent. */
			snprintf(shown, sizeof(shown), "%.*s",
				(int)utf8_cut(cmd, ADMIN_CMD_LEN), cmd);
			return resp_error("unknown command \"%s\"; try \"help\"", shown);
		}
		data = fn(args, arg, err, sizeof(err));
	}
	if (data == NULL) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "command \"%s\" failed", cmd);
		return resp_error("%s", err);
	}
	return json_pack("{s:b,s:o}", "ok", 1, "data", data);
}

static json_t *
admin_dispatch_buf(struct gw_admin *a, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *req, *cmd, *args, *resp;

	req = json_loadb(buf, len, 0, &jerr);
	if (req == NULL)
		return resp_error("bad request: %s", jerr.text);
	cmd = json_object_get(req, "cmd");
	args = json_object_get(req, "args");
	if (!json_is_object(req))
		resp = resp_error("bad request: not a JSON object");
	else if (!json_is_string(cmd))
		resp = resp_error("bad request: \"cmd\" must be a string");
	else if (args != NULL && !json_is_null(args) && !json_is_object(args))
		resp = resp_error("bad request: \"args\" must be an object");
	else if (args == NULL || json_is_null(args)) {
		args = json_object();
		resp = args == NULL ? NULL : admin_run(a, json_string_value(cmd), args);
		json_decref(args);
	} else
		resp = admin_run(a, json_string_value(cmd), args);
	json_decref(req);
	return resp;
}

json_t *
gw_admin_dispatch(struct gw_admin *a, const char *line)
{
	if (a == NULL || line == NULL)
		return resp_error("bad request: no request");
	return admin_dispatch_buf(a, line, strlen(line));
}

/* ---- socket setup ---- */

/* mkdir -p of @path's parent; directories it creates get 0755. */
static int
make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == 0)
			chmod(dir, 0755); /* whatever the umask */
		else if (errno != EEXIST)
			return -errno;
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

/* Remove @path if it is a socket nobody listens on. 0 or -errno. */
static int
remove_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		GW_LOG(ERR, "admin: %s exists and is not a socket", sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	rc = rc == 0 ? 0 : errno;
	close(fd);
	/* EAGAIN: the listener's backlog is full, so it is very much alive. */
	if (rc == 0 || rc == EAGAIN) {
		GW_LOG(ERR, "admin: %s is in use by a running server", sun->sun_path);
		return -EADDRINUSE;
	}
	if (rc != ECONNREFUSED) {
		GW_LOG(ERR, "admin: cannot probe %s: %s", sun->sun_path, strerror(rc));
		return -rc;
	}
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return -errno;
	GW_LOG(NOTICE, "admin: removed stale socket %s", sun->sun_path);
	return 0;
}

static int
admin_listen(struct gw_admin *a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int rc;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->path);
	rc = make_parent(a->path);
	if (rc < 0) {
		GW_LOG(ERR, "admin: cannot create the directory of %s: %s", a->path,
			strerror(-rc));
		return rc;
	}
	rc = remove_stale(&sun);
	if (rc < 0)
		return rc;
	a->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->lfd < 0)
		return -errno;
	if (bind(a->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		GW_LOG(ERR, "admin: cannot bind %s: %s", a->path, strerror(-rc));
		return rc;
	}
	if (stat(a->path, &st) == 0) {
		a->sock_dev = st.st_dev;
		a->sock_ino = st.st_ino;
	}
	if (chmod(a->path, 0660) < 0 || listen(a->lfd, 64) < 0) {
		rc = -errno;
		GW_LOG(ERR, "admin: cannot set up %s: %s", a->path, strerror(-rc));
		unlink(a->path);
		return rc;
	}
	return 0;
}

/* ---- clients ---- */

static void
client_reset(struct admin_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
client_append(struct admin_client *c, const char *s, size_t len)
{
	size_t need = c->out_len + len;
	char *p;

	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0, need = len;
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;

		while (cap < need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
	return 0;
}

/* Queue @resp (consumed) as one line. */
static void
client_respond(struct admin_client *c, json_t *resp)
{
	static const char oom[] = "{\"ok\":false,\"error\":\"out of memory\"}\n";
	char *s = resp == NULL ? NULL : json_dumps(resp, JSON_COMPACT);

	json_decref(resp);
	if (s == NULL || client_append(c, s, strlen(s)) < 0 || client_append(c, "\n", 1) < 0) {
		if (client_append(c, oom, sizeof(oom) - 1) < 0)
			c->closing = true;
	}
	free(s);
}

/* Write what we can; false if the client is gone. */
static bool
client_flush(struct admin_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return true;
}

/* Run every complete line in the input buffer. */
static void
client_lines(struct gw_admin *a, struct admin_client *c, bool eof)
{
	size_t start = 0;

	while (!c->closing && start < c->in_len) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		size_t len;

		if (nl == NULL && !eof)
			break;
		/* EOF ends a last request that lacks its newline. */
		len = nl != NULL ? (size_t)(nl - (c->in + start)) : c->in_len - start;
		if (len > GW_ADMIN_LINE_MAX)
			break;
		if (len > 0 && c->in[start + len - 1] == '\r')
			len--;
		if (len > 0)
			client_respond(c, admin_dispatch_buf(a, c->in + start, len));
		start += (nl != NULL ? (size_t)(nl - (c->in + start)) + 1 : c->in_len - start);
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (!c->closing && c->in_len > GW_ADMIN_LINE_MAX) {
		client_respond(c, resp_error("request too long: more than %u bytes in one line",
			GW_ADMIN_LINE_MAX));
		c->closing = true;
	}
	if (c->closing || eof)
		c->in_len = 0;
}

/* Read what is there. false: drop the client now. */
static bool
client_read(struct gw_admin *a, struct admin_client *c)
{
	ssize_t n;

	/* Room for one whole line and its newline, then we know it is too long. */
	if (c->in_len == c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap * 2 : ADMIN_IN_INIT;
		char *p;

		if (cap > GW_ADMIN_LINE_MAX + 2)
			cap = GW_ADMIN_LINE_MAX + 2;
		p = realloc(c->in, cap);
		if (p == NULL)
			return false;
		c->in = p;
		c->in_cap = cap;
	}
	n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	c->in_len += (size_t)n;
	client_lines(a, c, n == 0);
	if (n == 0)
		c->closing = true;
	return client_flush(c);
}

static void
admin_accept(struct gw_admin *a, bool *backoff)
{
	static const char full[] = "{\"ok\":false,\"error\":\"too many clients (limit "
		RTE_STR(GW_ADMIN_MAX_CLIENTS) ")\"}\n";
	unsigned int i;
	int fd;

	for (;;) {
		fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
					errno == ENOMEM) {
				/* The listener stays readable: pause instead of spinning. */
				GW_LOG(WARNING, "admin: accept: %s", strerror(errno));
				*backoff = true;
			}
			return;
		}
		for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++)
			if (a->clients[i].fd < 0)
				break;
		if (i == GW_ADMIN_MAX_CLIENTS) {
			GW_LOG(DEBUG, "admin: client refused, %u already connected",
				GW_ADMIN_MAX_CLIENTS);
			if (send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				GW_LOG(DEBUG, "admin: send: %s", strerror(errno));
			close(fd);
			continue;
		}
		a->clients[i].fd = fd;
	}
}

/* ---- the thread ---- */

static void *
admin_loop(void *arg)
{
	struct gw_admin *a = arg;
	struct pollfd pfd[2 + GW_ADMIN_MAX_CLIENTS];
	int slot[2 + GW_ADMIN_MAX_CLIENTS];
	bool backoff = false;

	for (;;) {
		unsigned int i, n = 0;
		int rc;

		pfd[n++] = (struct pollfd){ .fd = a->wakefd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = backoff ? -1 : a->lfd, .events = POLLIN };
		for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++) {
			struct admin_client *c = &a->clients[i];
			short ev = 0;

			if (c->fd < 0)
				continue;
			if (!c->closing && c->out_len - c->out_off < ADMIN_OUT_HIGH)
				ev |= POLLIN;
			if (c->out_off < c->out_len)
				ev |= POLLOUT;
			slot[n] = (int)i;
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		rc = poll(pfd, n, backoff ? 100 : -1);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			GW_LOG(ERR, "admin: poll: %s; admin server stops", strerror(errno));
			break;
		}
		backoff = false;
		/* gw_admin_free() wrote to the eventfd. */
		if (pfd[0].revents != 0)
			break;
		if (pfd[1].revents & POLLIN)
			admin_accept(a, &backoff);
		for (i = 2; i < n; i++) {
			struct admin_client *c = &a->clients[slot[i]];
			bool alive = true;

			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				alive = c->closing ? !(pfd[i].revents & (POLLHUP | POLLERR))
					: client_read(a, c);
			if (alive && (pfd[i].revents & POLLOUT))
				alive = client_flush(c);
			if (!alive || (c->closing && c->out_off == c->out_len))
				client_reset(c);
		}
	}
	return NULL;
}

/* ---- telemetry ---- */

static bool
tel_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_' || ch == '/';
}

/* "<prefix>/<name>", or @name alone at the top; made acceptable to 22.11. */
static void
tel_key(char *key, size_t len, const char *prefix, const char *name)
{
	size_t i;

	if (prefix[0] != '\0')
		snprintf(key, len, "%s/%s", prefix, name);
	else
		snprintf(key, len, "%s", name);
	for (i = 0; key[i] != '\0'; i++)
		if (!tel_key_char(key[i]))
			key[i] = '_';
	if (key[0] == '\0')
		snprintf(key, len, "_");
}

static void
tel_index_key(char *key, size_t len, const char *prefix, size_t idx)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", idx);
	tel_key(key, len, prefix, num);
}

static bool
json_is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static bool
json_array_scalars(const json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (!json_is_scalar(json_array_get(arr, i)))
			return false;
	return true;
}

/* Text of a scalar; strings are cut to fit @buf on a UTF-8 boundary. */
static const char *
tel_text(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%.*s", (int)utf8_cut(json_string_value(v), len - 1),
			json_string_value(v));
		return buf;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, len, "%.17g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

/* Keep the first error: later ones are usually its consequence. */
static void
tel_note(int *status, int rc)
{
	if (rc < 0 && *status == 0)
		*status = rc;
}

static void
tel_add_scalar(struct rte_tel_data *d, const char *key, const json_t *v, int *status)
{
	char buf[RTE_TEL_MAX_STRING_LEN];
	json_int_t x;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return;
	case JSON_TRUE:
	case JSON_FALSE:
		tel_note(status, rte_tel_data_add_dict_int(d, key, json_is_true(v)));
		return;
	case JSON_INTEGER:
		x = json_integer_value(v);
		if (x >= 0)
			tel_note(status, rte_tel_data_add_dict_u64(d, key, (uint64_t)x));
		else if (x >= INT_MIN)
			tel_note(status, rte_tel_data_add_dict_int(d, key, (int)x));
		else
			tel_note(status, rte_tel_data_add_dict_string(d, key,
				tel_text(v, buf, sizeof(buf))));
		return;
	default:
		tel_note(status, rte_tel_data_add_dict_string(d, key, tel_text(v, buf, sizeof(buf))));
	}
}

/* Start @d as a typed array holding the scalars of @arr. */
static void
tel_fill_array(struct rte_tel_data *d, const json_t *arr, int *status)
{
	char buf[RTE_TEL_MAX_STRING_LEN];
	bool all_u64 = true, all_int = true;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		json_int_t x = json_integer_value(v);

		if (!json_is_integer(v))
			all_u64 = all_int = false;
		else if (x < 0)
			all_u64 = false;
		if (x < INT_MIN || x > INT_MAX)
			all_int = false;
	}
	rte_tel_data_start_array(d, all_u64 ? RTE_TEL_U64_VAL :
		all_int ? RTE_TEL_INT_VAL : RTE_TEL_STRING_VAL);
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);

		if (all_u64)
			tel_note(status, rte_tel_data_add_array_u64(d,
				(uint64_t)json_integer_value(v)));
		else if (all_int)
			tel_note(status, rte_tel_data_add_array_int(d, (int)json_integer_value(v)));
		else
			tel_note(status, rte_tel_data_add_array_string(d,
				tel_text(v, buf, sizeof(buf))));
	}
}

/* Add every leaf under @v to dict @d with '/'-joined keys below @prefix. */
static void
tel_flatten(struct rte_tel_data *d, const char *prefix, const json_t *v, int *status)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	void *it;
	size_t i;

	if (json_is_object(v)) {
		for (it = json_object_iter((json_t *)(uintptr_t)v); it != NULL;
				it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
			tel_key(key, sizeof(key), prefix, json_object_iter_key(it));
			tel_flatten(d, key, json_object_iter_value(it), status);
		}
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			tel_index_key(key, sizeof(key), prefix, i);
			tel_flatten(d, key, json_array_get(v, i), status);
		}
	} else {
		tel_add_scalar(d, prefix, v, status);
	}
}

/* One member of the top dict, as described in admin.h. */
static void
tel_add_member(struct rte_tel_data *d, const char *key, const json_t *v, int *status)
{
	char sub[RTE_TEL_MAX_STRING_LEN];
	struct rte_tel_data *c;
	size_t i;
	int rc;

	if (json_is_scalar(v)) {
		tel_add_scalar(d, key, v, status);
		return;
	}
	if (json_is_array(v) && !json_array_scalars(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			tel_index_key(sub, sizeof(sub), key, i);
			tel_add_member(d, sub, json_array_get(v, i), status);
		}
		return;
	}
	c = rte_tel_data_alloc();
	if (c == NULL) {
		tel_note(status, -ENOMEM);
		return;
	}
	if (json_is_array(v))
		tel_fill_array(c, v, status);
	else {
		rte_tel_data_start_dict(c);
		tel_flatten(c, "", v, status);
	}
	rc = rte_tel_data_add_dict_container(d, key, c, 0);
	if (rc < 0) {
		rte_tel_data_free(c);
		tel_note(status, rc);
	}
}

int
gw_admin_json_to_tel(const json_t *data, struct rte_tel_data *d)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	char str[RTE_TEL_MAX_SINGLE_STRING_LEN];
	char *text;
	int status = 0;
	void *it;
	size_t i;

	if (data == NULL || d == NULL)
		return -EINVAL;
	if (json_is_object(data)) {
		rte_tel_data_start_dict(d);
		for (it = json_object_iter((json_t *)(uintptr_t)data); it != NULL;
				it = json_object_iter_next((json_t *)(uintptr_t)data, it)) {
			tel_key(key, sizeof(key), "", json_object_iter_key(it));
			tel_add_member(d, key, json_object_iter_value(it), &status);
		}
	} else if (json_is_array(data) && json_array_scalars(data)) {
		tel_fill_array(d, data, &status);
	} else if (json_is_array(data)) {
		rte_tel_data_start_dict(d);
		for (i = 0; i < json_array_size(data); i++) {
			tel_index_key(key, sizeof(key), "", i);
			tel_add_member(d, key, json_array_get(data, i), &status);
		}
	} else if (json_is_string(data)) {
		rte_tel_data_string(d, tel_text(data, str, sizeof(str)));
	} else {
		text = json_dumps(data, JSON_ENCODE_ANY);
		rte_tel_data_string(d, text != NULL ? text : "null");
		free(text);
	}
	return status;
}

static int
tel_callback(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char err[ADMIN_ERR_LEN] = "";
	json_error_t jerr;
	json_t *args, *data = NULL;
	unsigned int i;
	int rc;

	if (params != NULL && params[strspn(params, " \t\r\n")] != '\0') {
		args = json_loads(params, 0, &jerr);
		if (!json_is_object(args)) {
			json_decref(args);
			return -EINVAL;
		}
	} else {
		args = json_object();
		if (args == NULL)
			return -ENOMEM;
	}
	rc = -ENOENT;
	pthread_rwlock_rdlock(&tel_lock);
	for (i = 0; i < tel_n; i++)
		if (strcmp(tel_table[i].path, cmd) == 0 && tel_table[i].owner != NULL) {
			data = tel_table[i].fn(args, tel_table[i].arg, err, sizeof(err));
			rc = data == NULL ? -EIO : 0;
			break;
		}
	pthread_rwlock_unlock(&tel_lock);
	json_decref(args);
	if (data == NULL) {
		/* Telemetry answers null; the admin socket has the full story. */
		if (rc == -EIO)
			GW_LOG(DEBUG, "admin: telemetry %s: %s", cmd, err);
		return rc;
	}
	rc = gw_admin_json_to_tel(data, d);
	json_decref(data);
	/* A partial reply still frees the containers it holds; null would leak them. */
	if (rc < 0)
		GW_LOG(DEBUG, "admin: telemetry %s: reply cut short: %s", cmd, strerror(-rc));
	return 0;
}

static bool
tel_path_ok(const char *path)
{
	size_t i, n = strlen(path);

	if (n < 2 || n >= TEL_CMD_MAX || path[0] != '/')
		return false;
	for (i = 0; i < n; i++)
		if (!tel_key_char(path[i]))
			return false;
	return true;
}

static int
tel_bind(const struct gw_admin *a, const char *path, gw_admin_handler_t fn, void *arg,
	const char *help)
{
	char tel_help[RTE_TEL_MAX_STRING_LEN];
	struct tel_entry *e = NULL;
	unsigned int i;
	int rc = 0;

	pthread_rwlock_wrlock(&tel_lock);
	for (i = 0; i < tel_n; i++)
		if (strcmp(tel_table[i].path, path) == 0)
			e = &tel_table[i];
	if (e != NULL && e->owner != NULL) {
		rc = -EEXIST;
	} else if (e == NULL && tel_n == GW_DIM(tel_table)) {
		rc = -ENOSPC;
	} else if (e == NULL) {
		snprintf(tel_help, sizeof(tel_help), "%.*s",
			(int)utf8_cut(help, sizeof(tel_help) - 1), help);
		/*
		 * Under our write lock: telemetry calls back only after its own
		 * lookup, outside its lock, so this cannot deadlock.
		 */
		rc = rte_telemetry_register_cmd(path, tel_callback, tel_help);
		if (rc == 0) {
			e = &tel_table[tel_n++];
			snprintf(e->path, sizeof(e->path), "%s", path);
		}
	}
	if (rc == 0) {
		e->owner = a;
		e->fn = fn;
		e->arg = arg;
	}
	pthread_rwlock_unlock(&tel_lock);
	return rc;
}

static void
tel_unbind_all(const struct gw_admin *a)
{
	unsigned int i;

	pthread_rwlock_wrlock(&tel_lock);
	for (i = 0; i < tel_n; i++)
		if (tel_table[i].owner == a) {
			tel_table[i].owner = NULL;
			tel_table[i].fn = NULL;
			tel_table[i].arg = NULL;
		}
	pthread_rwlock_unlock(&tel_lock);
}

/* ---- public API ---- */

struct gw_admin *
gw_admin_create(const char *socket_path)
{
	struct gw_admin *a;
	unsigned int i;
	int rc;

	if (socket_path == NULL || socket_path[0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->lfd = -1;
	a->wakefd = -1;
	for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++)
		a->clients[i].fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	if (strlen(socket_path) >= sizeof(a->path)) {
		GW_LOG(ERR, "admin: socket path too long (%zu bytes at most): %s",
			sizeof(a->path) - 1, socket_path);
		rc = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(a->path, sizeof(a->path), "%s", socket_path);
	a->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->wakefd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = admin_listen(a);
	if (rc < 0)
		goto fail;
	return a;
fail:
	if (a->lfd >= 0)
		close(a->lfd);
	if (a->wakefd >= 0)
		close(a->wakefd);
	pthread_mutex_destroy(&a->lock);
	free(a);
	errno = -rc;
	return NULL;
}

int
gw_admin_register(struct gw_admin *a, const char *cmd, const char *telemetry,
	gw_admin_handler_t fn, void *arg, const char *help)
{
	struct admin_cmd *c;
	unsigned int i;
	int rc = 0;

	if (a == NULL || cmd == NULL || cmd[0] == '\0' || strlen(cmd) >= ADMIN_CMD_LEN ||
			fn == NULL)
		return -EINVAL;
	if (telemetry != NULL && !tel_path_ok(telemetry)) {
		GW_LOG(ERR, "admin: bad telemetry path \"%s\" for \"%s\": "
			"want /[A-Za-z0-9_/]+ below %d bytes", telemetry, cmd, TEL_CMD_MAX);
		return -EINVAL;
	}
	if (help == NULL)
		help = "";
	pthread_mutex_lock(&a->lock);
	if (strcmp(cmd, "help") == 0)
		rc = -EEXIST;
	for (i = 0; i < a->n_cmds && rc == 0; i++)
		if (strcmp(a->cmds[i].name, cmd) == 0)
			rc = -EEXIST;
	if (rc == 0 && a->n_cmds == GW_ADMIN_MAX_CMDS)
		rc = -ENOSPC;
	c = &a->cmds[a->n_cmds];
	if (rc == 0) {
		c->help = strdup(help);
		if (c->help == NULL)
			rc = -ENOMEM;
	}
	if (rc == 0 && telemetry != NULL) {
		rc = tel_bind(a, telemetry, fn, arg, help);
		if (rc < 0) {
			free(c->help);
			c->help = NULL;
		}
	}
	if (rc == 0) {
		snprintf(c->name, sizeof(c->name), "%s", cmd);
		snprintf(c->telemetry, sizeof(c->telemetry), "%s",
			telemetry != NULL ? telemetry : "");
		c->fn = fn;
		c->arg = arg;
		a->n_cmds++;
	}
	pthread_mutex_unlock(&a->lock);
	if (rc < 0)
		GW_LOG(ERR, "admin: cannot register \"%s\"%s%s: %s", cmd,
			telemetry != NULL ? " as " : "", telemetry != NULL ? telemetry : "",
			strerror(-rc));
	return rc;
}

int
gw_admin_start(struct gw_admin *a)
{
	int rc;

	if (a == NULL)
		return -EINVAL;
	if (a->started)
		return -EALREADY;
	rc = rte_ctrl_thread_create(&a->thread, "dpgw-admin", NULL, admin_loop, a);
	if (rc != 0) {
		rc = rc > 0 ? -rc : rc;
		GW_LOG(ERR, "admin: cannot start the admin thread: %s", strerror(-rc));
		return rc;
	}
	a->started = true;
	GW_LOG(INFO, "admin: listening on %s", a->path);
	return 0;
}

void
gw_admin_free(struct gw_admin *a)
{
	struct stat st;
	uint64_t one = 1;
	unsigned int i;

	if (a == NULL)
		return;
	if (a->started) {
		/* Stays readable until read, so no wake-up can be missed. */
		if (write(a->wakefd, &one, sizeof(one)) < 0)
			GW_LOG(ERR, "admin: cannot wake the admin thread: %s", strerror(errno));
		pthread_join(a->thread, NULL);
	}
	tel_unbind_all(a);
	for (i = 0; i < GW_ADMIN_MAX_CLIENTS; i++)
		client_reset(&a->clients[i]);
	close(a->lfd);
	close(a->wakefd);
	/* A newer server may own the path by now (it found ours stale). */
	if (stat(a->path, &st) == 0 && st.st_dev == a->sock_dev && st.st_ino == a->sock_ino)
		unlink(a->path);
	for (i = 0; i < a->n_cmds; i++)
		free(a->cmds[i].help);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

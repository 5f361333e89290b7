/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Gateway API control loop of the dpgw process (design.md §4):
 * manifest directory -> object cache -> translator -> generation.
 *
 * One control thread ("dpgw-gateway") owns the manifest source. On every
 * change it translates the whole cache, wraps the compiled tables in a new
 * gateway part and publishes a generation that shares the live l3 part.
 * A translation that fails publishes nothing: the last good generation
 * keeps serving and the error is shown by `dpgwctl show gateway`.
 *
 * Locks: the cache lock is taken for translation and by admin readers;
 * app->cfg_lock for publishing. Never both at once in the other order:
 * the thread releases the cache lock before it takes cfg_lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_thread.h>

#include "admin.h"
#include "app.h"
#include "compile.h"
#include "gw_common.h"
#include "manifest.h"
#include "objcache.h"
#include "translate.h"

struct gw_app_gateway {
	struct gw_objcache *cache;
	struct gw_manifest_dir *dir;
	struct gw_translate_memo *memo; /* kept between translations (thread only) */
	pthread_t thread;
	bool thread_started;
	volatile bool stop;
	volatile bool retranslate;      /* set by reload: the VIP pool may have changed */
	pthread_mutex_t lock;           /* guards the fields below (admin reads them) */
	uint64_t version;               /* translations published */
	uint64_t failures;
	char last_error[512];
	json_t *groups;
	json_t *summary;
	double last_ms;                 /* duration of the last translate+publish */
	int64_t last_time;
	unsigned int n_certs;
	json_t *logged_errors;          /* manifest errors already logged (thread only) */
	uint64_t logged_scans;          /* manifest scans when they were logged (thread only) */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Build and publish a generation: @cfg (new l3) or the live l3, and @gw or the live gateway part. */
int
gw_app_publish(struct gw_app *app, const struct gw_config *cfg, struct gw_dp_gateway *gw,
	char *err, size_t errlen)
{
	const struct gw_gen *cur;
	const struct gw_dp *old;
	struct gw_dp *dp;
	uint64_t num;

	if (cfg != NULL) {
		dp = gw_compile(cfg, (int)rte_socket_id(), err, errlen);
		if (dp == NULL)
			return -EINVAL;
	} else {
		dp = gw_dp_alloc();
		if (dp == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	/* cfg_lock (held by every caller) keeps the current root from changing */
	cur = gw_gen_writer_lock(app->gen);
	old = cur != NULL ? gw_dp_from_gen(cur) : NULL;
	if (cfg == NULL) {
		if (old == NULL) {
			gw_gen_writer_unlock(app->gen);
			gw_dp_free(dp);
			snprintf(err, errlen, "no configuration published yet");
			return -EAGAIN;
		}
		gw_dp_part_get(&old->l3_part->part);
		gw_dp_set_l3(dp, old->l3_part);
		dp->idle_sleep_us = old->idle_sleep_us;
		dp->neigh = old->neigh;
		dp->l4p = old->l4p;
	}
	if (gw == NULL && old != NULL && old->gateway != NULL) {
		gw_dp_part_get(&old->gateway->part);
		gw = old->gateway;
	}
	gw_gen_writer_unlock(app->gen);
	gw_dp_set_gateway(dp, gw);
	num = gw_gen_publish(app->gen, &dp->gen);
	GW_LOG(INFO, "generation %" PRIu64 " published (%u addresses+vips, %u routes, "
		"gateway tables v%" PRIu64 ")", num, dp->l3->n_local4 + dp->l3->n_local6,
		dp->l3->n_routes, dp->gateway != NULL ? dp->gateway->version : 0);
	return 0;
}

static void
vips_from_cfg(const struct gw_config *cfg, struct gw_translate_vip *v, unsigned int *n)
{
	*n = 0;
	for (unsigned int i = 0; i < cfg->n_vips; i++) {
		v[*n].family = cfg->vips[i].family;
		memset(v[*n].addr, 0, sizeof(v[*n].addr));
		memcpy(v[*n].addr, cfg->vips[i].bytes, cfg->vips[i].family == AF_INET ? 4 : 16);
		(*n)++;
	}
}

/* Translate the cache and publish. 0 or -errno (nothing published then). */
static int
translate_publish(struct gw_app *app, char *err, size_t errlen)
{
	struct gw_app_gateway *g = app->gw;
	static struct gw_translate_vip vips[GW_CFG_MAX_VIPS];
	struct gw_translate_params p;
	struct gw_translation t;
	struct gw_dp_gateway *part;
	char ctrl[GW_CFG_STR_LEN];
	uint64_t t0 = now_ns(), version;
	int rc;

	memset(&p, 0, sizeof(p));
	pthread_mutex_lock(&app->cfg_lock);
	vips_from_cfg(&app->cfg, vips, &p.n_vips);
	snprintf(ctrl, sizeof(ctrl), "%s", app->cfg.gateway.controller_name);
	pthread_mutex_unlock(&app->cfg_lock);
	p.vips = vips;
	p.controller_name = ctrl;
	p.memo = g->memo;

	gw_objcache_lock(g->cache);
	rc = gw_translate(g->cache, &p, &t, err, errlen);
	gw_objcache_unlock(g->cache);
	if (rc != 0)
		goto fail;
	pthread_mutex_lock(&g->lock);
	version = g->version + 1;
	pthread_mutex_unlock(&g->lock);
	part = gw_dp_gateway_new(version, t.http, t.l4);
	if (part == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		gw_translation_release(&t);
		goto fail;
	}
	t.http = NULL;
	t.l4 = NULL;
	pthread_mutex_lock(&app->cfg_lock);
	rc = gw_app_publish(app, NULL, part, err, errlen);
	pthread_mutex_unlock(&app->cfg_lock);
	if (rc != 0) {
		gw_dp_part_put(&part->part);
		gw_translation_release(&t);
		goto fail;
	}
	pthread_mutex_lock(&g->lock);
	g->version = version;
	json_decref(g->groups);
	json_decref(g->summary);
	g->groups = json_incref(t.groups);
	g->summary = json_incref(t.summary);
	g->n_certs = t.n_certs;
	g->last_error[0] = '\0';
	g->last_ms = (double)(now_ns() - t0) / 1e6;
	g->last_time = (int64_t)time(NULL);
	pthread_mutex_unlock(&g->lock);
	GW_LOG(INFO, "gateway: translation %" PRIu64 " live in %.2f ms: %s", version,
		(double)(now_ns() - t0) / 1e6, json_dumps(t.summary, JSON_COMPACT) ?: "");
	gw_translation_release(&t);
	return 0;
fail:
	pthread_mutex_lock(&g->lock);
	g->failures++;
	snprintf(g->last_error, sizeof(g->last_error), "%s", err);
	pthread_mutex_unlock(&g->lock);
	GW_LOG(ERR, "gateway: translation failed, the last good generation keeps serving: %s",
		err);
	return rc;
}

/* Log the manifest errors that are new since the last look (each once). */
static void
log_file_errors(struct gw_app_gateway *g)
{
	json_t *errs = gw_manifest_dir_errors(g->dir);

	for (size_t i = 0; i < json_array_size(errs); i++) {
		json_t *e = json_array_get(errs, i);
		bool seen = false;

		for (size_t k = 0; k < json_array_size(g->logged_errors) && !seen; k++)
			seen = json_equal(e, json_array_get(g->logged_errors, k));
		if (!seen)
			GW_LOG(ERR, "gateway: manifest refused, its last good content keeps "
				"serving: %s", json_string_value(json_object_get(e, "error")));
	}
	json_decref(g->logged_errors);
	g->logged_errors = errs;
}

static void *
gateway_thread(void *arg)
{
	struct gw_app *app = arg;
	struct gw_app_gateway *g = app->gw;
	char err[512];

	while (!g->stop) {
		int rc;

		if (gw_manifest_dir_fd(g->dir) < 0) {
			/* the directory did not exist: look again every second */
			rc = gw_manifest_dir_scan(g->dir);
			if (rc < 0) {
				for (int i = 0; i < 10 && !g->stop && !g->retranslate; i++)
					usleep(100 * 1000);
				rc = 0;
			} else {
				GW_LOG(INFO, "gateway: manifest directory %s appeared",
					app->cfg.gateway.manifests);
				rc = 1;
			}
		} else {
			rc = gw_manifest_dir_poll(g->dir, 100);
		}
		if (rc < 0 && rc != -EINTR) {
			GW_LOG(ERR, "gateway: manifest directory: %s", strerror(-rc));
			usleep(100 * 1000);
			continue;
		}
		if (rc >= 0) {
			struct gw_manifest_stats ms;

			/* only a rescan can add or clear errors (a refused file returns 0) */
			gw_manifest_dir_stats(g->dir, &ms);
			if (ms.scans != g->logged_scans) {
				g->logged_scans = ms.scans;
				log_file_errors(g);
			}
		}
		if (rc > 0 || g->retranslate) {
			g->retranslate = false;
			translate_publish(app, err, sizeof(err));
		}
	}
	return NULL;
}

int
gw_app_gateway_start(struct gw_app *app, char *err, size_t errlen)
{
	struct gw_app_gateway *g;
	int rc;

	if (strcmp(app->cfg.gateway.source, "files") != 0) {
		snprintf(err, errlen, "%s: gateway.source \"%s\": this build reads Gateway API "
			"objects from a manifest directory only (source = \"files\")", app->cfg.path,
			app->cfg.gateway.source);
		return -ENOTSUP;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	pthread_mutex_init(&g->lock, NULL);
	app->gw = g;
	g->cache = gw_objcache_new();
	g->memo = gw_translate_memo_new();
	g->dir = g->cache != NULL ? gw_manifest_dir_new(app->cfg.gateway.manifests, g->cache, 0) :
		NULL;
	if (g->dir == NULL || g->memo == NULL) {
		snprintf(err, errlen, "gateway: cannot set up the manifest source");
		return -ENOMEM;
	}
	rc = gw_manifest_dir_scan(g->dir);
	if (rc < 0)
		GW_LOG(WARNING, "%s: gateway.manifests: %s: %s; serving no Gateway API objects "
			"until it can be read", app->cfg.path, app->cfg.gateway.manifests,
			strerror(-rc));
	else
		log_file_errors(g);
	rc = translate_publish(app, err, errlen);
	if (rc != 0)
		return rc;
	rc = rte_ctrl_thread_create(&g->thread, "dpgw-gateway", NULL, gateway_thread, app);
	if (rc != 0) {
		snprintf(err, errlen, "gateway: cannot start its thread: %s", strerror(rc));
		return -rc;
	}
	g->thread_started = true;
	return 0;
}

void
gw_app_gateway_retranslate(struct gw_app *app)
{
	size_t n;

	if (app->gw == NULL)
		return;
	/* without Gateways the VIP pool decides nothing: no new generation */
	gw_objcache_lock(app->gw->cache);
	n = gw_objcache_count(app->gw->cache, GW_KIND_GATEWAY);
	gw_objcache_unlock(app->gw->cache);
	if (n > 0)
		app->gw->retranslate = true;
}

void
gw_app_gateway_stop(struct gw_app *app)
{
	struct gw_app_gateway *g = app->gw;

	if (g == NULL)
		return;
	g->stop = true;
	if (g->thread_started)
		pthread_join(g->thread, NULL);
	gw_manifest_dir_free(g->dir);
	gw_objcache_free(g->cache);
	gw_translate_memo_free(g->memo);
	json_decref(g->groups);
	json_decref(g->summary);
	json_decref(g->logged_errors);
	pthread_mutex_destroy(&g->lock);
	free(g);
	app->gw = NULL;
}

/* ---- admin ---- */

static json_t *
do_get(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	struct gw_app_gateway *g = app->gw;
	const char *ks = json_string_value(json_object_get(args, "kind"));
	const char *ns = json_string_value(json_object_get(args, "namespace"));
	const char *name = json_string_value(json_object_get(args, "name"));
	bool all = json_is_true(json_object_get(args, "all_namespaces"));
	json_t *items, *data;
	int kind;

	if (ks == NULL) {
		snprintf(err, errlen, "get: which kind? (gatewayclasses, gateways, httproutes, "
			"grpcroutes, tcproutes, udproutes, tlsroutes, referencegrants, services, "
			"endpointslices, secrets, namespaces)");
		return NULL;
	}
	kind = gw_kind_parse(ks);
	if (kind < 0) {
		snprintf(err, errlen, "the server doesn't have a resource type \"%s\"", ks);
		return NULL;
	}
	if (g == NULL) {
		snprintf(err, errlen, "no Gateway API source is running");
		return NULL;
	}
	if (!gw_kind_namespaced((enum gw_kind)kind))
		ns = NULL;
	else if (ns == NULL && !all && name != NULL)
		ns = "default";
	items = json_array();
	gw_objcache_lock(g->cache);
	if (name != NULL) {
		const struct gw_obj *o = gw_objcache_get(g->cache, (enum gw_kind)kind,
			ns != NULL ? ns : "default", name);

		if (o != NULL)
			json_array_append_new(items, gw_objcache_render(o));
	} else {
		const struct gw_obj **list;
		int n = gw_objcache_list(g->cache, (enum gw_kind)kind, ns, &list);

		for (int i = 0; i < n; i++)
			json_array_append_new(items, gw_objcache_render(list[i]));
		if (n >= 0)
			free(list);
	}
	gw_objcache_unlock(g->cache);
	if (name != NULL && json_array_size(items) == 0) {
		json_decref(items);
		snprintf(err, errlen, "%s \"%s\" not found%s%s", gw_kind_plural((enum gw_kind)kind),
			name, ns != NULL ? " in namespace " : "", ns != NULL ? ns : "");
		return NULL;
	}
	data = json_pack("{s:s, s:s, s:b, s:o}", "kind", gw_kind_name((enum gw_kind)kind),
		"plural", gw_kind_plural((enum gw_kind)kind), "namespaced",
		gw_kind_namespaced((enum gw_kind)kind), "items", items);
	return data;
}

static json_t *
show_gateway(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	struct gw_app_gateway *g = app->gw;
	struct gw_manifest_stats ms;
	json_t *data, *counts = json_object();

	(void)args;
	if (g == NULL) {
		snprintf(err, errlen, "no Gateway API source is running");
		json_decref(counts);
		return NULL;
	}
	gw_objcache_lock(g->cache);
	for (int k = 0; k < GW_KIND_COUNT; k++)
		json_object_set_new(counts, gw_kind_plural((enum gw_kind)k),
			json_integer((json_int_t)gw_objcache_count(g->cache, (enum gw_kind)k)));
	json_object_set_new(counts, "cache_version",
		json_integer((json_int_t)gw_objcache_version(g->cache)));
	gw_objcache_unlock(g->cache);
	gw_manifest_dir_stats(g->dir, &ms);
	pthread_mutex_lock(&g->lock);
	data = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?, s:f, s:I, s:O?, s:O?, s:o, s:o, "
		"s:{s:I, s:I, s:I, s:I, s:I}}",
		"source", app->cfg.gateway.source, "manifests", app->cfg.gateway.manifests,
		"controller_name", app->cfg.gateway.controller_name,
		"version", (json_int_t)g->version, "failures", (json_int_t)g->failures,
		"last_error", g->last_error[0] ? g->last_error : NULL,
		"last_ms", g->last_ms, "last_time", (json_int_t)g->last_time,
		"summary", g->summary, "groups", g->groups,
		"objects", counts, "manifest_errors", gw_manifest_dir_errors(g->dir),
		"manifest", "files", (json_int_t)ms.files, "scans", (json_int_t)ms.scans,
		"applied", (json_int_t)ms.applied, "refused", (json_int_t)ms.refused,
		"objects", (json_int_t)ms.objects);
	pthread_mutex_unlock(&g->lock);
	if (data == NULL)
		snprintf(err, errlen, "out of memory");
	return data;
}

int
gw_app_gateway_admin_register(struct gw_app *app, struct gw_admin *admin)
{
	int rc = gw_admin_register(admin, "get", NULL, do_get, app,
		"Gateway API objects with their status: {kind, namespace, name, all_namespaces}");

	if (rc == 0)
		rc = gw_admin_register(admin, "show gateway", "/dpgw/gateway", show_gateway, app,
			"Gateway API source, translation state and manifest errors");
	return rc;
}

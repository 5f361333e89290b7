/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manifest directory source: a directory tree watched with inotify
 * whose files, parsed by manifest_yaml.c, are applied to the object cache
 * one whole file at a time.
 *
 * Each file owns the objects it last applied; an ownership table (kind,
 * namespace, name -> file) tells which file an object belongs to, so a
 * second definition is refused, a rename hands objects over without
 * deleting them, and a vanished file takes exactly its own.
 *
 * What makes a change cost what changed: inotify names the files to
 * re-read (a walk only after directory events or lost events); each
 * object remembers a hash of the YAML events it was built from, its line
 * and the resourceVersion it was put with, so an unchanged object is not
 * put again; and a file is cut at its "---" lines into chunks, so a
 * re-read parses only the chunks that differ from the version applied.
 * Nothing of a file's text is kept, only hashes: the objects live in the
 * cache alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "gw_hash.h"
#include "manifest_int.h"

/* Directory nesting followed under the root. */
#define MF_MAX_DIR_DEPTH 32
/* A manifest larger than this is not a manifest. */
#define MF_MAX_FILE (64u << 20)
#define MF_DEFAULT_DEBOUNCE_MS 5
#define MF_OWN_INIT_BUCKETS 256u
#define MF_ERR_LEN 512
#define MF_WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | \
	IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR)

struct mf_watch {
	int wd;
	bool seen;
	char *rel;                      /* directory under the root, "" for the root */
};

struct mf_cand {
	char *rel;
	struct stat st;
	bool link;
};

struct mf_cands {
	struct mf_cand *v;
	size_t n, cap;
};

struct gw_manifest_dir {
	char *root;
	struct gw_objcache *cache;
	unsigned int debounce_ms;
	int ifd;
	struct mf_watch *watches;
	size_t n_watches, cap_watches;
	struct mf_file **files;         /* sorted by rel */
	size_t n_files;
	struct mf_own **own_b;          /* ownership table */
	size_t own_nb, own_count;
	bool pending;                   /* inotify events since the last scan */
	/*
	 * What the next scan looks at: the whole tree (first scan, a
	 * directory changed, events lost, a watch missing), or just the
	 * files events named (tracked ones are marked dirty; new names are
	 * listed here) and the tracked symbolic links.
	 */
	bool walk_all;
	bool unwatched;                 /* a directory could not be watched */
	char **fresh;                   /* new names under the root, to stat */
	size_t n_fresh, cap_fresh;
	uint64_t first_ev, last_ev;     /* ns, CLOCK_MONOTONIC */
	struct gw_manifest_stats st;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
own_hash(enum gw_kind kind, const char *ns, const char *name)
{
	unsigned char k = (unsigned char)kind;
	uint64_t h = gw_fnv64(GW_FNV64_INIT, &k, 1);

	h = gw_fnv64(h, ns, strlen(ns) + 1);
	h = gw_fnv64(h, name, strlen(name));
	return h ^ (h >> 31);
}

static struct mf_own **
own_slot(struct gw_manifest_dir *d, uint64_t h, enum gw_kind kind, const char *ns,
	const char *name)
{
	struct mf_own **pp;

	if (d->own_nb == 0)
		return NULL;
	for (pp = &d->own_b[h & (d->own_nb - 1)]; *pp != NULL; pp = &(*pp)->hnext)
		if ((*pp)->hash == h && (*pp)->kind == kind && strcmp((*pp)->ns, ns) == 0 &&
				strcmp((*pp)->name, name) == 0)
			return pp;
	return NULL;
}

static struct mf_own *
own_find(struct gw_manifest_dir *d, enum gw_kind kind, const char *ns, const char *name)
{
	struct mf_own **pp = own_slot(d, own_hash(kind, ns, name), kind, ns, name);

	return pp != NULL ? *pp : NULL;
}

static void
own_link(struct mf_file *f, struct mf_own *o)
{
	o->f = f;
	o->prev = NULL;
	o->next = f->own;
	if (f->own != NULL)
		f->own->prev = o;
	f->own = o;
	f->n_own++;
}

static void
own_unlink(struct mf_own *o)
{
	struct mf_file *f = o->f;

	if (o->prev != NULL)
		o->prev->next = o->next;
	else
		f->own = o->next;
	if (o->next != NULL)
		o->next->prev = o->prev;
	f->n_own--;
	o->f = NULL;
}

static struct mf_own *
own_add(struct gw_manifest_dir *d, struct mf_file *f, enum gw_kind kind, const char *ns,
	const char *name)
{
	size_t lns = strlen(ns), lname = strlen(name);
	struct mf_own *o;

	if (d->own_count >= d->own_nb) {
		size_t nb = d->own_nb != 0 ? d->own_nb * 2 : MF_OWN_INIT_BUCKETS;
		struct mf_own **b = calloc(nb, sizeof(*b));

		if (b == NULL)
			return NULL;
		for (size_t i = 0; i < d->own_nb; i++) {
			struct mf_own *e = d->own_b[i], *next;

			for (; e != NULL; e = next) {
				next = e->hnext;
				e->hnext = b[e->hash & (nb - 1)];
				b[e->hash & (nb - 1)] = e;
			}
		}
		free(d->own_b);
		d->own_b = b;
		d->own_nb = nb;
	}
	o = calloc(1, sizeof(*o) + lns + lname + 2);
	if (o == NULL)
		return NULL;
	memcpy(o->ns, ns, lns + 1);
	memcpy(o->ns + lns + 1, name, lname + 1);
	o->name = o->ns + lns + 1;
	o->kind = kind;
	o->hash = own_hash(kind, ns, name);
	o->hnext = d->own_b[o->hash & (d->own_nb - 1)];
	d->own_b[o->hash & (d->own_nb - 1)] = o;
	d->own_count++;
	own_link(f, o);
	return o;
}

/* Forget @o (the caller deletes it from the cache). */
static void
own_del(struct gw_manifest_dir *d, struct mf_own *o)
{
	struct mf_own **pp = own_slot(d, o->hash, o->kind, o->ns, o->name);

	if (pp != NULL)
		*pp = o->hnext;
	d->own_count--;
	if (o->f != NULL)
		own_unlink(o);
	free(o);
}

static void
file_set_error(struct gw_manifest_dir *d, struct mf_file *f, int line, const char *msg)
{
	free(f->err);
	f->err = strdup(msg);
	f->err_line = line;
	d->st.refused++;
}

static void
file_clear_error(struct mf_file *f)
{
	free(f->err);
	f->err = NULL;
	f->err_line = 0;
	f->conflict = false;
}

static void
file_free(struct mf_file *f)
{
	free(f->chunks);
	free(f->rel);
	free(f->path);
	free(f->err);
	free(f);
}

/* Read all of @f. 0, or -errno (-ENOENT: it went away since the walk). */
static int
file_read(struct gw_manifest_dir *d, struct mf_file *f, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, rc = 0;

	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	d->st.reads++;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if ((uint64_t)st.st_size > MF_MAX_FILE) {
		close(fd);
		return -EFBIG;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			/* It grew while we read: the next event brings us back for the rest. */
			if (cap > MF_MAX_FILE) {
				rc = -EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	*bufp = buf;
	*lenp = len;
	return 0;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct mf_item *x = a, *y = b;
	int r;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	r = strcmp(x->ns, y->ns);
	return r != 0 ? r : strcmp(x->name, y->name);
}

/*
 * Read, parse, check and apply one file. Returns 1 if the cache changed,
 * 0 if not (unchanged content, or refused: the error is recorded), or
 * -ENOENT if the file is gone.
 */
static int
file_process(struct gw_manifest_dir *d, struct mf_file *f, bool force)
{
	struct gw_manifest_doc *docs = NULL;
	struct mf_item *items = NULL;
	struct mf_chunk *ch = NULL;
	char err[MF_ERR_LEN], msg[2 * MF_ERR_LEN];
	size_t len = 0, n_items = 0, n_kept = 0;
	char *buf = NULL;
	bool was_refused = f->err != NULL, changed = false, aliases = false;
	uint64_t h;
	int n = -1, nc, rc;

	f->dirty = false;
	rc = file_read(d, f, &buf, &len);
	if (rc == -ENOENT)
		return -ENOENT;
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", f->path, strerror(-rc));
		file_set_error(d, f, 0, msg);
		f->hashed = false;
		return 0;
	}
	h = mf_hash(0, buf, len);
	if (!force && f->hashed && h == f->hash) {
		free(buf);
		return 0;
	}
	f->hash = h;
	f->hashed = true;

	nc = mf_split(buf, len, &ch);
	/* Only against a version applied whole, whose objects are what the cache has. */
	if (nc > 0 && f->n_chunks > 0 && f->err == NULL)
		n = mf_parse_changed(d->cache, f, buf, ch, nc, &docs, &items, &n_kept);
	if (n < 0) {
		n = mf_parse(buf, len, f->path, &docs, err, sizeof(err), &aliases);
		if (aliases) {
			free(ch);
			ch = NULL;
			nc = -1;
		}
	}
	free(buf);
	if (n < 0) {
		const char *p = err + strlen(f->path);

		free(ch);
		file_set_error(d, f, *p == ':' ? atoi(p + 1) : 0, err);
		f->conflict = false;
		return 0;
	}
	if (items == NULL || n > 0) {
		struct mf_item *v = realloc(items, (n_kept + (size_t)n + 1) * sizeof(*items));

		if (v == NULL) {
			free(items);
			free(ch);
			gw_manifest_docs_free(docs, n);
			snprintf(msg, sizeof(msg), "%s: out of memory", f->path);
			file_set_error(d, f, 0, msg);
			f->hashed = false;
			return 0;
		}
		items = v;
	}
	n_items = n_kept;
	for (int i = 0; i < n; i++) {
		struct mf_item *it = &items[n_items];

		rc = gw_objcache_check(docs[i].obj, &it->kind, &it->ns, &it->name, err,
			sizeof(err));
		if (rc == 1)
			continue;
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s:%d: %s", f->path, docs[i].line, err);
			file_set_error(d, f, docs[i].line, msg);
			f->conflict = false;
			goto out;
		}
		it->obj = docs[i].obj;
		it->line = docs[i].line;
		it->hash = docs[i].hash;
		it->chunk = nc > 0 ? mf_chunk_of(ch, nc, docs[i].line) : 0;
		n_items++;
	}
	/* Two definitions in one file: kubectl would apply both, last wins; say so instead. */
	qsort(items, n_items, sizeof(*items), item_cmp);
	for (size_t i = 1; i < n_items; i++) {
		if (item_cmp(&items[i - 1], &items[i]) == 0) {
			const struct mf_item *a = &items[i - 1], *b = &items[i];
			const struct mf_item *later = a->line > b->line ? a : b;

			snprintf(msg, sizeof(msg), "%s:%d: %s %s%s%s: defined twice in this file "
				"(lines %d and %d)", f->path, later->line, gw_kind_name(b->kind),
				b->ns, b->ns[0] != '\0' ? "/" : "", b->name,
				a->line < b->line ? a->line : b->line, later->line);
			file_set_error(d, f, later->line, msg);
			f->conflict = false;
			goto out;
		}
	}
	for (size_t i = 0; i < n_items; i++) {
		const struct mf_item *it = &items[i];
		struct mf_own *o = own_find(d, it->kind, it->ns, it->name);

		if (o == NULL || o->f == f || o->f->gone)
			continue;
		snprintf(msg, sizeof(msg), "%s:%d: %s %s%s%s: already defined in %s", f->path,
			it->line, gw_kind_name(it->kind), it->ns, it->ns[0] != '\0' ? "/" : "",
			it->name, o->f->path);
		file_set_error(d, f, it->line, msg);
		f->conflict = true;
		goto out;
	}

	gw_objcache_lock(d->cache);
	for (size_t i = 0; i < n_items; i++) {
		struct mf_item *it = &items[i];
		struct mf_own *o = own_find(d, it->kind, it->ns, it->name);
		const struct gw_obj *cur;
		char origin[PATH_MAX + 16];

		/*
		 * This file's, from the same events at the same line, and still what
		 * the cache holds: putting it again would change nothing but its
		 * resourceVersion, and make the translator redo it.
		 */
		if (o != NULL && o->f == f && it->hash != 0 && o->doc_hash == it->hash &&
				o->line == it->line &&
				(cur = gw_objcache_get(d->cache, o->kind, o->ns, o->name)) != NULL &&
				cur->resource_version == o->rv) {
			o->keep = true;
			o->chunk = it->chunk;
			continue;
		}
		/* Kept from an unchanged chunk: mf_parse_changed() saw it as above. */
		if (it->obj == NULL) {
			if (o != NULL && o->f == f)
				o->keep = true;
			continue;
		}
		/* Another file's, going away in this scan (a rename): take it over. */
		if (o != NULL && o->f != f) {
			own_unlink(o);
			own_link(f, o);
		}
		if (o == NULL)
			o = own_add(d, f, it->kind, it->ns, it->name);
		snprintf(origin, sizeof(origin), "%s:%d", f->path, it->line);
		/* put() steals the object and edits it: ns/name die with it. */
		rc = o == NULL ? -ENOMEM :
			gw_objcache_put_checked(d->cache, json_incref(it->obj), it->kind, it->ns,
				it->name, origin, err, sizeof(err));
		if (rc < 0) {
			/* Out of memory after the checks passed: all there is to do is say so. */
			snprintf(msg, sizeof(msg), "%s:%d: %s", f->path, it->line,
				o == NULL ? "out of memory" : err);
			if (o != NULL && gw_objcache_get(d->cache, o->kind, o->ns, o->name) == NULL)
				own_del(d, o);
			else if (o != NULL)
				o->doc_hash = 0;
			file_set_error(d, f, it->line, msg);
			f->hashed = false;
			continue;
		}
		o->doc_hash = it->hash;
		o->chunk = it->chunk;
		o->line = it->line;
		o->rv = gw_objcache_version(d->cache);
		o->keep = true;
		changed = true;
	}
	/* What the new version no longer defines leaves the cache. */
	for (struct mf_own *o = f->own, *next; o != NULL; o = next) {
		next = o->next;
		if (o->keep) {
			o->keep = false;
			continue;
		}
		gw_objcache_delete(d->cache, o->kind, o->ns, o->name);
		own_del(d, o);
		changed = true;
	}
	gw_objcache_unlock(d->cache);
	if (f->hashed) {
		file_clear_error(f);
		d->st.applied++;
		mf_keep_chunks(f, ch, nc);
	}
	/* A refused file that now applies unchanged objects still changes what is refused. */
	rc = changed || (was_refused && f->err == NULL);
	free(ch);
	free(items);
	gw_manifest_docs_free(docs, n);
	return rc;
out:
	free(ch);
	free(items);
	gw_manifest_docs_free(docs, n);
	return 0;
}

/* Remove a vanished file's objects. 1 if it had any. */
static int
file_remove(struct gw_manifest_dir *d, struct mf_file *f)
{
	int had = f->n_own > 0;

	if (had) {
		gw_objcache_lock(d->cache);
		while (f->own != NULL) {
			struct mf_own *o = f->own;

			gw_objcache_delete(d->cache, o->kind, o->ns, o->name);
			own_del(d, o);
		}
		gw_objcache_unlock(d->cache);
	}
	return had;
}

/* ---- watching ---- */

static void
watch_note(struct gw_manifest_dir *d, int wd, const char *rel)
{
	struct mf_watch *w;
	char *copy;

	for (size_t i = 0; i < d->n_watches; i++) {
		w = &d->watches[i];
		if (w->wd != wd)
			continue;
		w->seen = true;
		if (strcmp(w->rel, rel) != 0 && (copy = strdup(rel)) != NULL) {
			free(w->rel);
			w->rel = copy;
		}
		return;
	}
	if (d->n_watches == d->cap_watches) {
		size_t cap = d->cap_watches != 0 ? d->cap_watches * 2 : 16;

		w = realloc(d->watches, cap * sizeof(*w));
		if (w == NULL)
			return;
		d->watches = w;
		d->cap_watches = cap;
	}
	copy = strdup(rel);
	if (copy == NULL)
		return;
	w = &d->watches[d->n_watches++];
	w->wd = wd;
	w->seen = true;
	w->rel = copy;
}

static void
watch_forget(struct gw_manifest_dir *d, size_t i, bool rm)
{
	if (rm)
		inotify_rm_watch(d->ifd, d->watches[i].wd);
	free(d->watches[i].rel);
	d->watches[i] = d->watches[--d->n_watches];
}

static const struct mf_watch *
watch_find(const struct gw_manifest_dir *d, int wd)
{
	for (size_t i = 0; i < d->n_watches; i++)
		if (d->watches[i].wd == wd)
			return &d->watches[i];
	return NULL;
}

static int
file_find(const struct gw_manifest_dir *d, const char *rel)
{
	size_t lo = 0, hi = d->n_files;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(d->files[mid]->rel, rel);

		if (r == 0)
			return (int)mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool manifest_name(const char *name);

/* Remember a new name to stat at the next scan (out of memory: walk instead). */
static void
fresh_add(struct gw_manifest_dir *d, const char *rel)
{
	char *copy;

	for (size_t i = 0; i < d->n_fresh; i++)
		if (strcmp(d->fresh[i], rel) == 0)
			return;
	if (d->n_fresh == d->cap_fresh) {
		size_t cap = d->cap_fresh != 0 ? d->cap_fresh * 2 : 16;
		char **v = realloc(d->fresh, cap * sizeof(*v));

		if (v == NULL) {
			d->walk_all = true;
			return;
		}
		d->fresh = v;
		d->cap_fresh = cap;
	}
	copy = strdup(rel);
	if (copy == NULL) {
		d->walk_all = true;
		return;
	}
	d->fresh[d->n_fresh++] = copy;
}

static void
fresh_clear(struct gw_manifest_dir *d)
{
	for (size_t i = 0; i < d->n_fresh; i++)
		free(d->fresh[i]);
	d->n_fresh = 0;
}

/*
 * Read what inotify has queued: each event names a file to re-read (stat
 * alone misses a same-size rewrite within one timestamp tick). Returns the
 * number of events.
 */
static int
drain_events(struct gw_manifest_dir *d)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int count = 0;

	if (d->ifd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(d->ifd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const struct mf_watch *w;
			char rel[PATH_MAX];
			int i;

			p += sizeof(*ev) + ev->len;
			count++;
			if (ev->mask & IN_Q_OVERFLOW) {
				for (size_t j = 0; j < d->n_files; j++)
					d->files[j]->dirty = true;
				d->walk_all = true;
				continue;
			}
			if (ev->mask & IN_IGNORED) {
				for (size_t j = 0; j < d->n_watches; j++)
					if (d->watches[j].wd == ev->wd) {
						watch_forget(d, j, false);
						break;
					}
				d->walk_all = true;
				continue;
			}
			w = watch_find(d, ev->wd);
			if (w == NULL)
				continue;
			/* A directory came, went or moved, or the watched one itself changed. */
			if (ev->len == 0 || (ev->mask & (IN_ISDIR | IN_DELETE_SELF | IN_MOVE_SELF))) {
				d->walk_all = true;
				continue;
			}
			if (w->rel[0] != '\0')
				snprintf(rel, sizeof(rel), "%s/%s", w->rel, ev->name);
			else
				snprintf(rel, sizeof(rel), "%s", ev->name);
			i = file_find(d, rel);
			if (i >= 0)
				d->files[i]->dirty = true;
			else if (ev->name[0] != '.' && manifest_name(ev->name))
				fresh_add(d, rel);
			/*
			 * Other names (editor swap files, Kubernetes' ..data swap) change
			 * nothing by themselves; symbolic links are stat'ed every scan.
			 */
		}
	}
	if (count > 0) {
		uint64_t t = now_ns();

		if (!d->pending)
			d->first_ev = t;
		d->last_ev = t;
		d->pending = true;
	}
	return count;
}

/* ---- walking ---- */

static bool
manifest_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
		(n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
		(n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int
cands_add(struct mf_cands *c, const char *rel, const struct stat *st, bool link)
{
	if (c->n == c->cap) {
		size_t cap = c->cap != 0 ? c->cap * 2 : 64;
		struct mf_cand *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].rel = strdup(rel);
	if (c->v[c->n].rel == NULL)
		return -ENOMEM;
	c->v[c->n].st = *st;
	c->v[c->n].link = link;
	c->n++;
	return 0;
}

static void
cands_free(struct mf_cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].rel);
	free(c->v);
}

static int
cand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mf_cand *)a)->rel, ((const struct mf_cand *)b)->rel);
}

/*
 * Collect the manifests under directory @rel ("" for the root). The watch
 * goes on before the listing so nothing written in between is missed.
 * Returns 0 or -errno; only a failure to open the root is reported.
 */
static int
walk(struct gw_manifest_dir *d, const char *rel, int depth, struct mf_cands *c)
{
	char path[PATH_MAX], crel[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	if (rel[0] != '\0')
		snprintf(path, sizeof(path), "%s/%s", d->root, rel);
	else
		snprintf(path, sizeof(path), "%s", d->root);
	if (d->ifd >= 0) {
		int wd = inotify_add_watch(d->ifd, path, MF_WATCH_MASK);

		if (wd >= 0)
			watch_note(d, wd, rel);
		else
			d->unwatched = true;
	}
	dir = opendir(path);
	if (dir == NULL)
		return rel[0] == '\0' ? -errno : 0;
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		char fpath[PATH_MAX];
		struct stat st, lst;

		if (de->d_name[0] == '.')
			continue;
		if (rel[0] != '\0') {
			if ((size_t)snprintf(crel, sizeof(crel), "%s/%s", rel, de->d_name) >=
					sizeof(crel))
				continue;
		} else {
			snprintf(crel, sizeof(crel), "%s", de->d_name);
		}
		if ((size_t)snprintf(fpath, sizeof(fpath), "%s/%s", d->root, crel) >= sizeof(fpath))
			continue;
		if (stat(fpath, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* Real directories only: a link to a directory could loop. */
			if (depth < MF_MAX_DIR_DEPTH && lstat(fpath, &lst) == 0 &&
					S_ISDIR(lst.st_mode))
				rc = walk(d, crel, depth + 1, c);
		} else if (S_ISREG(st.st_mode) && manifest_name(de->d_name)) {
			bool link = de->d_type == DT_LNK;

			if (de->d_type == DT_UNKNOWN && lstat(fpath, &lst) == 0)
				link = S_ISLNK(lst.st_mode);
			rc = cands_add(c, crel, &st, link);
		}
	}
	closedir(dir);
	return rc;
}

/* ---- the source ---- */

struct gw_manifest_dir *
gw_manifest_dir_new(const char *root, struct gw_objcache *cache, unsigned int debounce_ms)
{
	struct gw_manifest_dir *d;
	size_t n;

	if (root == NULL || root[0] == '\0' || cache == NULL) {
		fprintf(stderr, "dpgw: manifest: no directory or no cache\n");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->root = strdup(root)) == NULL) {
		fprintf(stderr, "dpgw: manifest: %s: out of memory\n", root);
		free(d);
		return NULL;
	}
	/* "dir/" and "dir" name the same files: keep messages free of "dir//x". */
	n = strlen(d->root);
	while (n > 1 && d->root[n - 1] == '/')
		d->root[--n] = '\0';
	d->cache = cache;
	d->debounce_ms = debounce_ms != 0 ? debounce_ms : MF_DEFAULT_DEBOUNCE_MS;
	d->ifd = -1;
	return d;
}

void
gw_manifest_dir_free(struct gw_manifest_dir *d)
{
	if (d == NULL)
		return;
	if (d->ifd >= 0)
		close(d->ifd);
	for (size_t i = 0; i < d->n_watches; i++)
		free(d->watches[i].rel);
	free(d->watches);
	fresh_clear(d);
	free(d->fresh);
	for (size_t i = 0; i < d->own_nb; i++) {
		struct mf_own *o = d->own_b[i], *next;

		for (; o != NULL; o = next) {
			next = o->hnext;
			free(o);
		}
	}
	free(d->own_b);
	for (size_t i = 0; i < d->n_files; i++)
		file_free(d->files[i]);
	free(d->files);
	free(d->root);
	free(d);
}

static bool
stat_changed(const struct mf_file *f, const struct stat *st)
{
	return f->dev != st->st_dev || f->ino != st->st_ino || f->size != st->st_size ||
		f->mtime.tv_sec != st->st_mtim.tv_sec || f->mtime.tv_nsec != st->st_mtim.tv_nsec;
}

static struct mf_file *
file_new(const struct gw_manifest_dir *d, const char *rel)
{
	struct mf_file *f = calloc(1, sizeof(*f));
	size_t n = strlen(d->root) + strlen(rel) + 2;

	if (f == NULL)
		return NULL;
	f->rel = strdup(rel);
	f->path = malloc(n);
	if (f->rel == NULL || f->path == NULL) {
		file_free(f);
		return NULL;
	}
	snprintf(f->path, n, "%s/%s", d->root, rel);
	f->dirty = true;
	return f;
}

/*
 * Merge the walk into the tracked files (both sorted): new files come in
 * dirty, files whose stat changed become dirty, missing ones are marked
 * gone (removed after the others are applied, so a rename hands over).
 */
static int
merge_files(struct gw_manifest_dir *d, const struct mf_cands *c)
{
	size_t n = d->n_files + c->n, i = 0, j = 0, k = 0;
	struct mf_file **v = malloc((n + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	while (i < d->n_files || j < c->n) {
		int r;

		if (i == d->n_files)
			r = 1;
		else if (j == c->n)
			r = -1;
		else
			r = strcmp(d->files[i]->rel, c->v[j].rel);
		if (r < 0) {
			d->files[i]->gone = true;
			v[k++] = d->files[i++];
		} else if (r == 0) {
			if (stat_changed(d->files[i], &c->v[j].st))
				d->files[i]->dirty = true;
			d->files[i]->link = c->v[j].link;
			v[k++] = d->files[i++];
			j++;
		} else {
			struct mf_file *f = file_new(d, c->v[j].rel);

			/* Out of memory: the next scan picks the file up. */
			if (f == NULL) {
				d->walk_all = true;
				j++;
				continue;
			}
			f->link = c->v[j].link;
			v[k++] = f;
			j++;
		}
	}
	free(d->files);
	d->files = v;
	d->n_files = k;
	return 0;
}

/* Walk the whole tree: new files, changed stats, files gone, watches. */
static int
scan_walk(struct gw_manifest_dir *d)
{
	struct mf_cands c = { 0 };
	int rc;

	d->walk_all = false;
	d->unwatched = false;
	fresh_clear(d);
	for (size_t i = 0; i < d->n_watches; i++)
		d->watches[i].seen = false;
	rc = walk(d, "", 0, &c);
	if (rc < 0) {
		cands_free(&c);
		/* Try again from the top next time. */
		d->walk_all = true;
		return rc;
	}
	/* Directories gone or renamed away: their watches go too. */
	for (size_t i = d->n_watches; i-- > 0;)
		if (!d->watches[i].seen)
			watch_forget(d, i, true);
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), cand_cmp);
	rc = merge_files(d, &c);
	cands_free(&c);
	if (rc < 0)
		d->walk_all = true;
	return rc;
}

/* Whether @rel still names a manifest the walk would take: a regular file (or a link to one). */
static bool
still_there(const struct gw_manifest_dir *d, const char *rel, struct stat *st, bool *link)
{
	char path[PATH_MAX];
	struct stat lst;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->root, rel) >= sizeof(path))
		return false;
	if (stat(path, st) < 0 || !S_ISREG(st->st_mode))
		return false;
	if (link != NULL)
		*link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	return true;
}

/*
 * Look only where events pointed: the files they named (new ones join
 * the sorted list) and the symbolic links, whose targets change without
 * an event in the tree. As merge_files() would conclude from a walk.
 */
static int
scan_named(struct gw_manifest_dir *d)
{
	struct stat st;
	bool link;

	for (size_t i = 0; i < d->n_fresh; i++) {
		const char *rel = d->fresh[i];
		struct mf_file *f, **v;
		size_t lo = 0, hi = d->n_files;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (strcmp(d->files[mid]->rel, rel) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < d->n_files && strcmp(d->files[lo]->rel, rel) == 0) {
			d->files[lo]->dirty = true;
			continue;
		}
		if (!still_there(d, rel, &st, &link))
			continue;
		f = file_new(d, rel);
		v = f != NULL ? realloc(d->files, (d->n_files + 2) * sizeof(*v)) : NULL;
		if (v == NULL) {
			/* Out of memory: the next scan walks and picks the file up. */
			if (f != NULL)
				file_free(f);
			d->walk_all = true;
			continue;
		}
		d->files = v;
		memmove(&v[lo + 1], &v[lo], (d->n_files - lo) * sizeof(*v));
		v[lo] = f;
		f->link = link;
		d->n_files++;
	}
	fresh_clear(d);
	for (size_t i = 0; i < d->n_files; i++) {
		struct mf_file *f = d->files[i];

		if (!f->dirty && !f->link)
			continue;
		if (!still_there(d, f->rel, &st, &link)) {
			f->gone = true;
			continue;
		}
		f->link = link;
		if (stat_changed(f, &st))
			f->dirty = true;
	}
	return 0;
}

int
gw_manifest_dir_scan(struct gw_manifest_dir *d)
{
	uint64_t t0 = now_ns();
	int rc, changed = 0;
	bool progress;
	size_t k;

	if (d->ifd < 0) {
		d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (d->ifd < 0)
			fprintf(stderr, "dpgw: manifest: inotify: %s (changes need a rescan)\n",
				strerror(errno));
	}
	drain_events(d);
	d->pending = false;
	if (d->walk_all || d->unwatched || d->ifd < 0 || d->st.scans == 0) {
		d->st.walks++;
		rc = scan_walk(d);
		if (rc < 0)
			return rc;
	} else {
		rc = scan_named(d);
		if (rc < 0)
			return rc;
	}

	for (size_t i = 0; i < d->n_files; i++) {
		struct mf_file *f = d->files[i];

		if (f->gone || !f->dirty)
			continue;
		rc = file_process(d, f, false);
		if (rc == -ENOENT)
			f->gone = true;
		else
			changed += rc;
	}
	for (size_t i = 0; i < d->n_files; i++)
		if (d->files[i]->gone)
			changed += file_remove(d, d->files[i]);
	/* Files refused for another file's object: that one may have let go of it. */
	do {
		progress = false;
		for (size_t i = 0; changed > 0 && i < d->n_files; i++) {
			struct mf_file *f = d->files[i];

			if (f->gone || !f->conflict)
				continue;
			rc = file_process(d, f, true);
			if (rc == -ENOENT) {
				f->gone = true;
				changed += file_remove(d, f);
			} else if (rc > 0 && !f->conflict) {
				changed += rc;
				progress = true;
			}
		}
	} while (progress);
	for (size_t i = k = 0; i < d->n_files; i++) {
		if (d->files[i]->gone)
			file_free(d->files[i]);
		else
			d->files[k++] = d->files[i];
	}
	d->n_files = k;
	d->st.scans++;
	d->st.scan_ns = now_ns() - t0;
	return changed;
}

int
gw_manifest_dir_fd(const struct gw_manifest_dir *d)
{
	return d->ifd;
}

int
gw_manifest_dir_poll(struct gw_manifest_dir *d, int timeout_ms)
{
	uint64_t deadline = 0, debounce = (uint64_t)d->debounce_ms * 1000000ull;

	if (d->ifd < 0) {
		int rc = gw_manifest_dir_scan(d);

		if (rc != 0)
			return rc;
	}
	if (d->ifd < 0) {
		/* No inotify (limits reached): sleep, then rescan everything. */
		if (poll(NULL, 0, timeout_ms < 0 ? 1000 : timeout_ms) < 0 && errno == EINTR)
			return -EINTR;
		return gw_manifest_dir_scan(d);
	}
	if (timeout_ms >= 0)
		deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		uint64_t t = now_ns(), until;
		struct pollfd pfd = { .fd = d->ifd, .events = POLLIN };
		int wait_ms, r;

		if (d->pending) {
			until = d->last_ev + debounce;
			if (d->first_ev + 20 * debounce < until)
				until = d->first_ev + 20 * debounce;
			if (t >= until)
				return gw_manifest_dir_scan(d);
			wait_ms = (int)((until - t + 999999) / 1000000);
		} else if (timeout_ms < 0) {
			wait_ms = -1;
		} else if (t >= deadline) {
			return 0;
		} else {
			wait_ms = (int)((deadline - t + 999999) / 1000000);
		}
		r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			return -EINTR;
		if (r < 0)
			return -errno;
		if (r > 0)
			drain_events(d);
	}
}

json_t *
gw_manifest_dir_errors(const struct gw_manifest_dir *d)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < d->n_files; i++) {
		const struct mf_file *f = d->files[i];
		json_t *e;

		if (f->err == NULL)
			continue;
		e = json_pack("{s:s,s:i,s:s}", "file", f->path, "line", f->err_line, "error",
			f->err);
		if (e == NULL || json_array_append_new(a, e) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

void
gw_manifest_dir_stats(const struct gw_manifest_dir *d, struct gw_manifest_stats *s)
{
	*s = d->st;
	s->files = d->n_files;
	s->objects = d->own_count;
}

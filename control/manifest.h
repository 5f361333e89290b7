/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The file source (design.md §4): a directory of ordinary Kubernetes
 * manifests, exactly what `kubectl apply -f DIR -R` would take, read into
 * the object cache and watched with inotify.
 *
 * Files: every regular file (or symlink to one) named *.yaml, *.yml or
 * *.json under the root, recursively, in byte order of their paths;
 * names starting with '.' (files and directories: editor swap files,
 * Kubernetes' ..data links) are skipped. A file holds any number of YAML
 * documents ("---"), each an object, or a "kind: List" whose items are
 * objects; empty documents are skipped. YAML scalars are typed as the
 * YAML 1.2 core schema (plus yes/no-free booleans): plain 123 / -1 / 0x1f
 * are integers, 1.5 a real, true/false booleans, null / ~ / empty null;
 * quoted scalars are always strings. Anchors and aliases are expanded;
 * merge keys ("<<") are not supported (an error). JSON files go through
 * the same parser (JSON is YAML).
 *
 * Each file is applied whole or not at all: if any document fails to
 * parse or the cache refuses any object (gw_objcache_put() < 0), none of
 * the file's new content is applied, the objects of its last good version
 * stay in the cache, and the error is recorded for that file
 * ("manifests/routes.yaml:14:3: mapping values are not allowed here").
 * An object defined by two files is an error for the file read later
 * (retried whenever another file changes, so it applies once the first
 * lets go); one defined twice in one file is an error for that file.
 * A file that disappears takes its objects with it.
 *
 * Watching: inotify on every directory of the tree (IN_CREATE, IN_DELETE,
 * IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM/TO, IN_DELETE_SELF, ...).
 * Events are debounced: a rescan happens once no event has arrived for
 * the debounce interval (or the oldest pending event is 20x that old). A
 * rescan re-reads the files events named and stats the symbolic links
 * among the files (their targets change without an event in the tree);
 * after an event on a directory, lost events (IN_Q_OVERFLOW) or a
 * directory that could not be watched it walks the whole tree and stats
 * every file, as the first scan does. A file read is applied only if its
 * content changed, and within it only the objects whose YAML changed (or
 * moved to another line) are put again: the others keep their
 * resourceVersion. So renames, new subdirectories, atomic
 * replace-by-rename and files written in several chunks all converge on
 * what is on disk, at a cost that follows what changed, not the tree.
 *
 * Single-threaded: one thread owns a gw_manifest_dir. It takes the cache
 * lock itself around every change it makes to the cache.
 */
#ifndef GW_MANIFEST_H
#define GW_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "objcache.h"

struct gw_manifest_doc {
	json_t *obj;               /* a new reference */
	int line;                  /* 1-based line of the object's first key */
	/*
	 * Of what decides the object (its YAML events: scalars, their
	 * style and tags, structure; not comments or layout), never 0; 0
	 * when that cannot be told from the object's own events (a List
	 * item in a document with aliases). Equal hashes: equal objects.
	 */
	uint64_t hash;
};

/*
 * Parse a YAML or JSON stream (@len bytes, not necessarily NUL-terminated)
 * into objects; @name is used in messages. Returns the number of objects
 * (>= 0) with *@docs a malloc'd array (free with gw_manifest_docs_free()),
 * or -EINVAL with "name:line:col: reason" in @err and *@docs NULL. A
 * document that is not a mapping is an error ("name:3: document is a
 * sequence, not an object"). Equal short scalars of one call may be one
 * shared jansson value: edit containers, not leaves in place.
 */
int gw_manifest_parse(const char *text, size_t len, const char *name,
	struct gw_manifest_doc **docs, char *err, size_t errlen);
void gw_manifest_docs_free(struct gw_manifest_doc *docs, int n);

struct gw_manifest_dir;

/*
 * A source for directory @root feeding @cache. Nothing is read yet.
 * @debounce_ms: 0 means the default, 5 ms. NULL on error (logged).
 */
struct gw_manifest_dir *gw_manifest_dir_new(const char *root, struct gw_objcache *cache,
	unsigned int debounce_ms);
void gw_manifest_dir_free(struct gw_manifest_dir *d);

/*
 * Scan the tree now and apply what changed. Returns the number of files
 * whose objects changed in the cache (0: nothing to translate), or
 * -errno if the root itself cannot be read (the cache is then left as it
 * was). Per-file errors are not a failure: see gw_manifest_dir_errors().
 * The first call also sets up the inotify watches.
 */
int gw_manifest_dir_scan(struct gw_manifest_dir *d);

/* The inotify descriptor, to poll() for POLLIN; -1 before the first scan. */
int gw_manifest_dir_fd(const struct gw_manifest_dir *d);

/*
 * Wait up to @timeout_ms (-1: forever) for changes; drain inotify events,
 * wait out the debounce, rescan. Returns like gw_manifest_dir_scan(), or 0
 * on timeout with nothing pending. -EINTR if interrupted. Once an event is
 * in, the debounce is waited out even past @timeout_ms (at most 20
 * intervals); a rescan that finds nothing to apply (an editor's swap file
 * came and went, a refused file) returns 0 at once. Before the first scan,
 * it scans and returns that.
 */
int gw_manifest_dir_poll(struct gw_manifest_dir *d, int timeout_ms);

/*
 * The current per-file errors as a new JSON array of
 * {"file": "...", "line": N, "error": "..."} (empty if none), in path
 * order; "error" is the whole message, "file:line[:col]: reason"; line 0
 * when the file could not be read.
 */
json_t *gw_manifest_dir_errors(const struct gw_manifest_dir *d);

/*
 * Counters: files tracked, scans, files applied, files refused, objects
 * this source has in the cache now, files read from disk (a rescan reads
 * only the files that inotify or stat say changed), whole-tree walks (the
 * first scan, and rescans after a directory event or lost events; other
 * rescans stat only the files events named), and how long the last scan
 * took (ns, CLOCK_MONOTONIC; the debounce wait not included).
 */
struct gw_manifest_stats {
	uint64_t files;
	uint64_t scans;
	uint64_t applied;
	uint64_t refused;
	uint64_t objects;
	uint64_t reads;
	uint64_t walks;
	uint64_t scan_ns;
};
void gw_manifest_dir_stats(const struct gw_manifest_dir *d, struct gw_manifest_stats *s);

#endif /* GW_MANIFEST_H */

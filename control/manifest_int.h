/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the two halves of the manifest directory source share: the YAML
 * parser (manifest_yaml.c: YAML -> JSON, hashing, "---" chunks and the
 * partial re-parse of a file) and the directory source (manifest.c:
 * files, inotify, debounce, apply into the cache). Not an interface:
 * only those two files include it.
 */
#ifndef GW_MANIFEST_INT_H
#define GW_MANIFEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "manifest.h"

struct mf_file;

/* An object a file put into the cache. */
struct mf_own {
	struct mf_own *hnext;           /* ownership hash chain */
	struct mf_own *prev, *next;     /* the owning file's objects */
	struct mf_file *f;
	uint64_t hash;
	uint64_t doc_hash;              /* gw_manifest_doc.hash last put; 0: none */
	uint64_t chunk;                 /* mf_chunk.key of the text it came from; 0: none */
	uint64_t rv;                    /* its resource_version in the cache */
	int line;                       /* and its line */
	enum gw_kind kind;
	bool keep;                      /* mark while a file is applied */
	const char *name;               /* into key */
	char ns[];                      /* ns\0name\0 */
};

/* A manifest file under the root, and what it last applied. */
struct mf_file {
	char *rel;                      /* path under the root */
	char *path;                     /* root/rel: opened, and shown in messages */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t hash;                  /* of the content last read */
	bool hashed;
	bool dirty;                     /* read it at the next scan */
	bool link;                      /* a symbolic link: its target may change unseen */
	bool gone;
	bool conflict;                  /* refused for an object another file has */
	struct mf_own *own;
	size_t n_own;
	/* The chunks of the version applied (sorted keys): what a re-read may skip. */
	uint64_t *chunks;
	size_t n_chunks;
	char *err;                      /* current error, or NULL */
	int err_line;
};

/* An object of a file being applied. */
struct mf_item {
	json_t *obj;                    /* NULL: kept from an unchanged chunk */
	int line;
	uint64_t hash;
	uint64_t chunk;
	enum gw_kind kind;
	const char *ns, *name;
};

/*
 * A stretch of a file from one "---" line to the next: libyaml starts a
 * document at every such line whatever came before (an unfinished quoted
 * scalar or flow collection is an error either way), so each parses on
 * its own to what it gives within the file. Its key: its text and line.
 */
struct mf_chunk {
	size_t off, len;
	int line;                       /* 1-based, of its first line */
	uint64_t key;
};

/* Hash of @n bytes at @p from @seed (change detection; not adversarial). */
uint64_t mf_hash(uint64_t seed, const void *p, size_t n);

/* gw_manifest_parse(), saying in *@aliases (if not NULL) whether any alias was used. */
int mf_parse(const char *text, size_t len, const char *name, struct gw_manifest_doc **docs,
	char *err, size_t errlen, bool *aliases);

/* Cut @text at its "---" lines into *@out: the number of chunks, or -1 (parse it whole). */
int mf_split(const char *text, size_t len, struct mf_chunk **out);

/* The key of the chunk a document on @line belongs to (chunks in line order); 0: none. */
uint64_t mf_chunk_of(const struct mf_chunk *ch, int nc, int line);

/*
 * Re-parse only the chunks of @f that changed since its applied version;
 * the objects of the others come as items with obj NULL. The number of
 * documents parsed, or -1 when the file must be parsed whole.
 */
int mf_parse_changed(struct gw_objcache *cache, struct mf_file *f, const char *text,
	const struct mf_chunk *ch, int nc, struct gw_manifest_doc **docsp, struct mf_item **itemsp,
	size_t *n_itemsp);

/* After a good apply: remember the chunks of what is now applied in @f. */
void mf_keep_chunks(struct mf_file *f, const struct mf_chunk *ch, int nc);

#endif /* GW_MANIFEST_INT_H */

/*
 * anchorage: the outbox's own state, shared by outbox.c (files),
 * outbox_dirs.c (manifests/ and a batch step's directories) and
 * outbox_sums.c (SHA256SUMS, written as the files are).
 *
 * Memory does not grow with a batch: a file in a batch step's directory is
 * hashed, written and given its SHA256SUMS line, and nothing of it is kept
 * but the hash of the last file; only the files outside those directories
 * (bounded by the script's steps) and the directories' names are listed.
 */
#ifndef ANCHORAGE_OUTBOX_INT_H
#define ANCHORAGE_OUTBOX_INT_H

#include <stddef.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "export_int.h"

struct outfile {
	char *name;
	char sha256[ANC_SHA256_HEX];
};

/* SHA256SUMS while it is written: a file without a name in the outbox
 * (or a hidden one where the file system cannot make that), linked as
 * SHA256SUMS by anc_outbox_finish. */
struct sums {
	int fd;			/* -1 until the first file */
	char hidden[64];	/* the fallback's name, or "" */
	char buf[8192];		/* lines not yet written */
	size_t len;
	size_t lines;
};

#define ANC_OB_NESTED	4	/* batch directories kept open */

struct anc_outbox {
	char *dir;
	int dirfd;
	int subfd;		/* manifests/, or -1 until first used */
	int dir_unsynced;	/* names made in dir not yet fsync'd */
	int sub_unsynced;	/* the same for manifests/ */
	/* A batch step's directories: the last four used (the step's, a
	 * cluster's, its manifests/, the cluster before) stay open, so the
	 * next cluster's directory is made in the step's without walking
	 * the path again. */
	struct {
		char path[ANC_OUTBOX_NAME_MAX + 1];
		int fd;
		unsigned long used;
	} nested[ANC_OB_NESTED];
	unsigned long nested_clock;
	int nested_unsynced;	/* names made in any of them */
	int defer;		/* contents synced by anc_outbox_sync */
	int data_unsynced;	/* contents written since the last sync */
	struct outfile *files;	/* outside batch directories */
	size_t n, cap;
	char **tops;		/* batch directories made ("fleet") */
	size_t ntops;
	char last[ANC_SHA256_HEX];	/* SHA-256 of the last file added */
	size_t total;		/* files added or recorded */
	struct sums sums;
	int finished;		/* SHA256SUMS written: no more files */
};

/* A name in a batch step's directories ("out/c/x", "out/c/manifests/x"),
 * rather than at the top or in the top manifests/. */
int anc_ob_nested_name(const char *name);

/* A plain name: not empty, ".", ".." and without '/', '\\' or controls. */
int anc_ob_plain(const char *s);

/*
 * The manifests/ directory fd.  With `create`, make it (0700) if absent
 * and set *created; without, *fd is -1 when it does not exist.
 */
ANC_MUST_CHECK
int anc_ob_subdir_fd(struct anc_outbox *ob, int create, int *fd,
    int *created, struct anc_err *err);
/* Undo a manifests/ made by a call that then failed. */
void anc_ob_subdir_remove(struct anc_outbox *ob);

/*
 * The directory of a nested name (its components but the last), made
 * (0700) where absent with `create`; *fd is -1 when a component does not
 * exist and `create` is 0.  The fd stays open for the next file.
 */
ANC_MUST_CHECK
int anc_ob_nested_fd(struct anc_outbox *ob, const char *name, int create,
    int *fd, struct anc_err *err);

/* Remember the batch directory of nested `name` ("fleet" of
 * "fleet/eu-1/ca.pem") once. */
ANC_MUST_CHECK
int anc_ob_note_top(struct anc_outbox *ob, const char *name,
    struct anc_err *err);

/* One "<sha256>  <name>\n" line of SHA256SUMS. */
ANC_MUST_CHECK
int anc_ob_sums_add(struct anc_outbox *ob, const char *sha256,
    const char *name, struct anc_err *err);
/* Write what is left, sync it and link it as SHA256SUMS. */
ANC_MUST_CHECK
int anc_ob_sums_commit(struct anc_outbox *ob, struct anc_err *err);
/* Drop an unfinished SHA256SUMS (nothing is left behind). */
void anc_ob_sums_discard(struct anc_outbox *ob);

#endif /* ANCHORAGE_OUTBOX_INT_H */

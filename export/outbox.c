/*
 * anchorage: the outbox, the one directory written for transfer.
 *
 * Every file is created through common/file.c (never overwriting, never
 * half-written) and its SHA-256 goes into SHA256SUMS as it is written
 * (outbox_sums.c), so that SHA256SUMS, linked last, lists exactly what
 * this run put there.  The layout is flat but for manifests/, which
 * `kubectl apply -f` takes whole, and a batch step's directory of one
 * sub-directory per cluster, each laid out the same way (outbox_dirs.c).
 * The files outside a batch step's directories are also listed here, for
 * the run (bounded by its steps); those inside are not kept at all.
 *
 * Each file's contents are fsync'd before its name exists; the names are
 * fsync'd once per directory, just before SHA256SUMS lists them.  So
 * everything SHA256SUMS lists survives a power cut, for one directory sync
 * per directory instead of one per file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "outbox_int.h"

int
anc_ob_plain(const char *s)
{
	const unsigned char *p;

	if (s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
anc_outbox_name_split(const char *name, int *in_subdir, const char **base)
{
	char part[ANC_OUTBOX_DEPTH][ANC_OUTBOX_NAME_MAX + 1];
	const char *c = name;
	size_t n;
	int parts = 0, m[ANC_OUTBOX_DEPTH];

	if (strlen(name) > ANC_OUTBOX_NAME_MAX)
		return -1;
	for (;;) {
		n = strcspn(c, "/");
		if (parts == ANC_OUTBOX_DEPTH)
			return -1;
		memcpy(part[parts], c, n);
		part[parts][n] = '\0';
		if (!anc_ob_plain(part[parts]))
			return -1;
		m[parts] = strcmp(part[parts], ANC_OUTBOX_SUBDIR) == 0;
		parts++;
		if (c[n] == '\0')
			break;
		c += n + 1;
	}
	/* "x", "manifests/x", and a batch step's "out/cluster/x" and
	 * "out/cluster/manifests/x". */
	if ((parts == 2 && !m[0]) || (parts >= 3 && (m[0] || m[1])) ||
	    (parts == 4 && !m[2]))
		return -1;
	*base = c;
	*in_subdir = parts == 2 || parts == 4;
	return 0;
}

int
anc_ob_nested_name(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash != NULL && (strncmp(name, ANC_OUTBOX_SUBDIR "/",
	    sizeof(ANC_OUTBOX_SUBDIR)) != 0 || strchr(slash + 1, '/') != NULL);
}

int
anc_outbox_open(const char *dir, struct anc_outbox **out,
    struct anc_err *err)
{
	struct anc_outbox *ob;
	int r = ANC_E_INTERNAL;
	size_t i;

	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", dir);
	ob->dirfd = -1;
	ob->subfd = -1;
	for (i = 0; i < ANC_OB_NESTED; i++)
		ob->nested[i].fd = -1;
	ob->sums.fd = -1;
	if ((ob->dir = strdup(dir)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
		goto out;
	}
	if ((r = anc_dir_open(dir, 1, &ob->dirfd, err)) != ANC_OK)
		goto out;
	*out = ob;
	ob = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_outbox_free(ob);
	return r;
}

void
anc_outbox_free(struct anc_outbox *ob)
{
	size_t i;

	if (ob == NULL)
		return;
	if (ob->subfd >= 0)
		close(ob->subfd);
	for (i = 0; i < ANC_OB_NESTED; i++)
		if (ob->nested[i].fd >= 0)
			close(ob->nested[i].fd);
	anc_ob_sums_discard(ob);
	if (ob->dirfd >= 0)
		close(ob->dirfd);
	for (i = 0; i < ob->n; i++)
		free(ob->files[i].name);
	free(ob->files);
	for (i = 0; i < ob->ntops; i++)
		free(ob->tops[i]);
	free(ob->tops);
	free(ob->dir);
	free(ob);
}

static int
bad_name(const struct anc_outbox *ob, const char *name, struct anc_err *err)
{
	return anc_err_set(err, ANC_E_INTERNAL, "%s/%s: not an outbox file "
	    "name, expected a plain name or %s/ and a plain name (%s is "
	    "reserved)", ob->dir, name, ANC_OUTBOX_SUBDIR, ANC_OUTBOX_SUMS);
}

int
anc_outbox_check_absent(struct anc_outbox *ob, const char *name,
    struct anc_err *err)
{
	char top[ANC_OUTBOX_NAME_MAX + 1];
	const char *base;
	size_t n = strlen(name);
	int sub, fd, created, r;

	/* "out/": a batch step's directory, which must not exist at all. */
	if (n > 1 && n <= ANC_OUTBOX_NAME_MAX && name[n - 1] == '/' &&
	    memchr(name, '/', n - 1) == NULL) {
		memcpy(top, name, n - 1);
		top[n - 1] = '\0';
		if (!anc_ob_plain(top))
			return bad_name(ob, name, err);
		if (anc_file_exists_at(ob->dirfd, top))
			return anc_err_set(err, ANC_E_EXISTS, "%s/%s: already "
			    "exists; outputs are never overwritten", ob->dir,
			    top);
		return ANC_OK;
	}
	if (anc_outbox_name_split(name, &sub, &base) != 0)
		return bad_name(ob, name, err);
	fd = ob->dirfd;
	if (anc_ob_nested_name(name)) {
		if ((r = anc_ob_nested_fd(ob, name, 0, &fd, err)) != ANC_OK)
			return r;
	} else if (sub && (r = anc_ob_subdir_fd(ob, 0, &fd, &created,
	    err)) != ANC_OK)
		return r;
	if (fd >= 0 && anc_file_exists_at(fd, base))
		return anc_err_set(err, ANC_E_EXISTS, "%s/%s: already exists; "
		    "outputs are never overwritten", ob->dir, name);
	return ANC_OK;
}

static int
grow(struct anc_outbox *ob)
{
	struct outfile *nf;
	size_t ncap;

	if (ob->n < ob->cap)
		return 0;
	ncap = ob->cap == 0 ? 16 : ob->cap * 2;
	if ((nf = reallocarray(ob->files, ncap, sizeof(*nf))) == NULL)
		return -1;
	ob->files = nf;
	ob->cap = ncap;
	return 0;
}

static int
listed(const struct anc_outbox *ob, const char *name)
{
	size_t i;

	for (i = 0; i < ob->n; i++)
		if (strcmp(ob->files[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Common checks of add and record.  A file outside a batch step's
 * directories gets room in the list and a copy of its name (*copy, else
 * NULL); one inside is never listed twice because its directory is new
 * (anc_outbox_check_absent) and its file created exclusively.
 */
static int
prepare(struct anc_outbox *ob, const char *name, int *sub,
    const char **base, char **copy, struct anc_err *err)
{
	*copy = NULL;
	if (ob->finished)
		return anc_err_set(err, ANC_E_INTERNAL, "%s/%s: %s is already "
		    "written, expected no more files", ob->dir, name,
		    ANC_OUTBOX_SUMS);
	if (anc_outbox_name_split(name, sub, base) != 0 ||
	    (!*sub && strcmp(*base, ANC_OUTBOX_SUMS) == 0) ||
	    (!*sub && strcmp(*base, ANC_OUTBOX_SUBDIR) == 0))
		return bad_name(ob, name, err);
	if (anc_ob_nested_name(name))
		return ANC_OK;
	if (listed(ob, name))
		return anc_err_set(err, ANC_E_EXISTS, "%s/%s: already "
		    "written; outputs are never overwritten", ob->dir, name);
	if (grow(ob) != 0 || (*copy = strdup(name)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s/%s", ob->dir, name);
	return ANC_OK;
}

/* A file now in the outbox: its SHA256SUMS line, and for one outside the
 * batch directories its entry (taking *copy). */
static int
keep(struct anc_outbox *ob, const char *name, const char *sha,
    char **copy, struct anc_err *err)
{
	int r;

	if ((r = anc_ob_sums_add(ob, sha, name, err)) != ANC_OK)
		return r;
	if (*copy != NULL) {
		ob->files[ob->n].name = *copy;
		*copy = NULL;	/* transferred */
		memcpy(ob->files[ob->n].sha256, sha, ANC_SHA256_HEX);
		ob->n++;
	}
	memcpy(ob->last, sha, ANC_SHA256_HEX);
	ob->total++;
	return ANC_OK;
}

int
anc_outbox_add(struct anc_outbox *ob, const char *name, const void *data,
    size_t len, mode_t mode, struct anc_err *err)
{
	char sha[ANC_SHA256_HEX];
	const char *base;
	char *copy = NULL;
	int sub = 0, fd, created = 0, r = ANC_E_INTERNAL;

	if ((r = prepare(ob, name, &sub, &base, &copy, err)) != ANC_OK)
		goto out;
	if (len > ANC_OUTBOX_FILE_MAX) {
		r = anc_err_set(err, ANC_E_INTERNAL, "%s/%s: %zu bytes, "
		    "expected at most %u", ob->dir, name, len,
		    ANC_OUTBOX_FILE_MAX);
		goto out;
	}
	/* Hashed before the file exists. */
	anc_sha256_hex(data, len, sha);
	if (sha[0] == '\0') {
		r = anc_err_set(err, ANC_E_CRYPTO, "%s/%s: SHA-256", ob->dir,
		    name);
		goto out;
	}
	fd = ob->dirfd;
	if (anc_ob_nested_name(name)) {
		if ((r = anc_ob_note_top(ob, name, err)) != ANC_OK ||
		    (r = anc_ob_nested_fd(ob, name, 1, &fd, err)) != ANC_OK)
			goto out;
	} else if (sub && (r = anc_ob_subdir_fd(ob, 1, &fd, &created,
	    err)) != ANC_OK)
		goto out;
	if ((r = (ob->defer ? anc_file_create_unsynced :
	    anc_file_create_data_synced)(fd, base, mode, data, len, err)) !=
	    ANC_OK) {
		anc_err_prefix(err, "%s/%.*s", ob->dir,
		    (int)(base - name > 0 ? base - name - 1 : 0), name);
		goto out;
	}
	ob->data_unsynced |= ob->defer;
	if (anc_ob_nested_name(name))
		ob->nested_unsynced = 1;
	else if (sub)
		ob->sub_unsynced = 1;
	else
		ob->dir_unsynced = 1;
	/* The file exists: a failure now fails the run, which then writes
	 * no SHA256SUMS at all. */
	r = keep(ob, name, sha, &copy, err);
 out:
	if (r != ANC_OK && created)
		anc_ob_subdir_remove(ob);
	free(copy);
	return r;
}

int
anc_outbox_record(struct anc_outbox *ob, const char *name,
    struct anc_err *err)
{
	char *copy = NULL, sha[ANC_SHA256_HEX];
	const char *base;
	int sub = 0, r = ANC_E_INTERNAL;

	if ((r = prepare(ob, name, &sub, &base, &copy, err)) != ANC_OK)
		goto out;
	if (copy == NULL) {
		r = bad_name(ob, name, err);
		goto out;
	}
	/* Read in pieces: a large fleet's transcript is megabytes.  Links,
	 * FIFOs and devices are refused. */
	if ((r = anc_file_sha256(ob->dirfd, ob->dir, name, NULL, NULL, sha,
	    err)) != ANC_OK)
		goto out;
	r = keep(ob, name, sha, &copy, err);
 out:
	free(copy);
	return r;
}

int
anc_outbox_finish(struct anc_outbox *ob, struct anc_err *err)
{
	int r;

	if (ob->finished)
		return anc_err_set(err, ANC_E_INTERNAL, "%s/%s: already "
		    "written, expected one %s per run", ob->dir,
		    ANC_OUTBOX_SUMS, ANC_OUTBOX_SUMS);
	/* Every name SHA256SUMS lists is durable before SHA256SUMS exists;
	 * the contents were synced before each name was made. */
	if ((ob->sub_unsynced && (r = anc_dir_sync(ob->subfd,
	    ANC_OUTBOX_SUBDIR, err)) != ANC_OK) ||
	    (ob->dir_unsynced && (r = anc_dir_sync(ob->dirfd, ".", err)) !=
	    ANC_OK))
		return anc_err_prefix(err, "%s", ob->dir);
	/* A batch step's thousands of files and directories: one syncfs
	 * makes them all durable, instead of an fsync each. */
	if ((ob->nested_unsynced || ob->data_unsynced) &&
	    (r = anc_outbox_sync(ob, err)) != ANC_OK)
		return r;
	ob->sub_unsynced = ob->dir_unsynced = ob->nested_unsynced = 0;
	if ((r = anc_ob_sums_commit(ob, err)) != ANC_OK)
		return r;
	ob->finished = 1;
	return ANC_OK;
}

void
anc_outbox_defer_sync(struct anc_outbox *ob, int on)
{
	ob->defer = on != 0;
}

int
anc_outbox_sync(struct anc_outbox *ob, struct anc_err *err)
{
	if (!ob->data_unsynced && !ob->nested_unsynced)
		return ANC_OK;
	if (syncfs(ob->dirfd) != 0)
		return anc_err_set(err, ANC_E_IO, "%s: syncfs: %s", ob->dir,
		    strerror(errno));
	ob->data_unsynced = ob->nested_unsynced = 0;
	return ANC_OK;
}

const char *
anc_outbox_file(const struct anc_outbox *ob, size_t i)
{
	return i < ob->n ? ob->files[i].name : NULL;
}

const char *
anc_outbox_file_sha256(const struct anc_outbox *ob, size_t i)
{
	return i < ob->n ? ob->files[i].sha256 : NULL;
}

size_t
anc_outbox_count(const struct anc_outbox *ob)
{
	return ob->n;
}

size_t
anc_outbox_total(const struct anc_outbox *ob)
{
	return ob->total;
}

const char *
anc_outbox_last_sha256(const struct anc_outbox *ob)
{
	return ob->total > 0 ? ob->last : NULL;
}

const char *
anc_outbox_batch_dir(const struct anc_outbox *ob, size_t i)
{
	return i < ob->ntops ? ob->tops[i] : NULL;
}

const char *
anc_outbox_dir(const struct anc_outbox *ob)
{
	return ob->dir;
}

int
anc_outbox_dirfd(const struct anc_outbox *ob)
{
	return ob->dirfd;
}

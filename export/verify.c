/*
 * anchorage: `outbox verify`.
 *
 * What crosses the air gap is checked on its own terms, without trusting
 * the run that wrote it: SHA256SUMS lists every file and every hash
 * matches; each file is of an allowed kind and holds what its kind allows;
 * and no private key appears anywhere but tls.key of a kubernetes.io/tls
 * Secret (the issuing CA's; docs/export-formats.md).
 *
 * In memory that does not grow with the outbox: SHA256SUMS is read line
 * by line and each file it lists checked in turn; the directory is walked
 * once, and "every file is listed" is checked by count and by a sum of the
 * names' hashes on both sides.  Only when those differ is a table of short
 * fingerprints of the listed names built (verify_unlisted.c), to name the
 * files SHA256SUMS does not list.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "export_int.h"
#include "verify_int.h"

enum presence { P_ABSENT = 0, P_REGULAR, P_SYMLINK, P_DIR, P_OTHER };

static enum presence
presence_of(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return P_REGULAR;
	if (S_ISLNK(st->st_mode))
		return P_SYMLINK;
	if (S_ISDIR(st->st_mode))
		return P_DIR;
	return P_OTHER;
}

static const char *
presence_problem(enum presence p)
{
	switch (p) {
	case P_SYMLINK:
		return "a symbolic link, expected a regular file";
	case P_DIR:
		return "a directory, expected only manifests/ and the "
		    "directories of files SHA256SUMS lists";
	case P_OTHER:
		return "not a regular file (FIFO, socket or device)";
	case P_ABSENT:
		return "listed in " ANC_OUTBOX_SUMS " but missing";
	case P_REGULAR:
	default:
		return NULL;
	}
}

/*
 * A file SHA256SUMS lists: there, regular, with that hash and content.
 * Read once, in pieces, hashed and checked as it goes: a fleet's
 * transcript passes ANC_OUTBOX_FILE_MAX, and only the kinds that need
 * their bytes whole are held whole (verify_int.h, anc_ov_content).
 */
static int
check_listed(struct anc_ov *v, const struct anc_ov_line *l,
    struct anc_err *err)
{
	struct anc_verify_item it;
	struct anc_ov_content c;
	char got[ANC_SHA256_HEX];
	struct stat st;
	struct anc_err e;
	const char *why;

	memset(&it, 0, sizeof(it));
	memset(&c, 0, sizeof(c));
	anc_err_clear(&e);
	anc_printable((const unsigned char *)l->name, strlen(l->name), it.file,
	    sizeof(it.file));
	snprintf(it.kind, sizeof(it.kind), "%s", anc_outbox_kind(l->name));
	if ((why = presence_problem(fstatat(v->dirfd, l->name, &st,
	    AT_SYMLINK_NOFOLLOW) != 0 ? P_ABSENT : presence_of(&st))) !=
	    NULL) {
		snprintf(it.detail, sizeof(it.detail), "%s", why);
		goto out;
	}
	if (anc_ov_content_init(&c, l->name, &e) != ANC_OK ||
	    anc_file_sha256(v->dirfd, v->dir, l->name, anc_ov_content_piece,
	    &c, got, &e) != ANC_OK) {
		anc_ov_copy_msg(it.detail, sizeof(it.detail), e.msg);
		goto out;
	}
	if (strcmp(got, l->want) != 0) {
		snprintf(it.detail, sizeof(it.detail), "SHA-256 %s, but %s "
		    "line %zu lists %s", got, ANC_OUTBOX_SUMS, l->line,
		    l->want);
		goto out;
	}
	if (anc_ov_content_end(&c, &it, &e) != ANC_OK) {
		anc_ov_copy_msg(it.detail, sizeof(it.detail), e.msg);
		goto out;
	}
	it.ok = 1;
 out:
	/* The Secret manifest holds the issuing CA's key: the buffer that
	 * held it wipes itself. */
	anc_ov_content_free(&c);
	return anc_ov_emit(v, &it, err);
}

/* Depth of a name: its slashes. */
static int
depth(const char *name)
{
	int n = 0;

	for (; *name != '\0'; name++)
		n += *name == '/';
	return n;
}

/*
 * Every entry under the directory `fd` (`prefix` inside the outbox, ""
 * at the top) but SHA256SUMS: regular files into the found-side sum (and,
 * when SHA256SUMS is unusable, each reported unchecked); anything else,
 * and directories deeper than a name may go or holding no file, reported.
 * *files counts the regular files found under it.
 */
static int
walk(struct anc_ov *v, int fd, const char *prefix, size_t *files,
    struct anc_err *err)
{
	char name[ANC_OUTBOX_NAME_MAX + 2];
	struct dirent *de;
	struct stat st;
	size_t below;
	DIR *d;
	int sub, r = ANC_OK;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot list: %s",
		    v->dir, prefix, strerror(errno));
	}
	while (r == ANC_OK) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				r = anc_err_set(err, ANC_E_IO, "%s/%s: cannot "
				    "list: %s", v->dir, prefix, strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || (prefix[0] == '\0' &&
		    strcmp(de->d_name, ANC_OUTBOX_SUMS) == 0))
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s%s%s", prefix,
		    prefix[0] != '\0' ? "/" : "", de->d_name) >= sizeof(name)) {
			r = anc_ov_emit_problem(v, de->d_name, "name too long, "
			    "expected a name SHA256SUMS can list", err);
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			r = anc_err_set(err, ANC_E_IO, "%s/%s: %s", v->dir,
			    name, strerror(errno));
			break;
		}
		if (S_ISREG(st.st_mode)) {
			(*files)++;
			anc_ov_sum_add(&v->found, name);
			if (!v->sums_ok)
				r = anc_ov_emit_problem(v, name, "not checked: "
				    ANC_OUTBOX_SUMS " is unusable", err);
			continue;
		}
		if (!S_ISDIR(st.st_mode) || depth(name) + 1 >=
		    ANC_OUTBOX_DEPTH) {
			/* One SHA256SUMS lists was reported as such. */
			if (!S_ISDIR(st.st_mode) && v->sums_ok &&
			    anc_ov_listed(v, name))
				continue;
			r = anc_ov_emit_problem(v, name, presence_problem(
			    presence_of(&st)), err);
			continue;
		}
		if ((sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0) {
			r = anc_err_set(err, ANC_E_IO, "%s/%s: %s", v->dir,
			    name, strerror(errno));
			break;
		}
		below = 0;
		if ((r = walk(v, sub, name, &below, err)) == ANC_OK &&
		    below == 0)
			r = anc_ov_emit_problem(v, name, presence_problem(
			    P_DIR), err);
		*files += below;
	}
	closedir(d);
	return r;
}

/* SHA256SUMS read through once for its form and its names' sum. */
static int
read_sums(struct anc_ov *v, struct anc_err *err)
{
	struct anc_verify_item it;
	struct anc_ov_line l;
	struct anc_err e;
	struct stat st;
	int fd, r;

	memset(&it, 0, sizeof(it));
	anc_err_clear(&e);
	snprintf(it.file, sizeof(it.file), "%s", ANC_OUTBOX_SUMS);
	snprintf(it.kind, sizeof(it.kind), "checksums");
	fd = openat(v->dirfd, ANC_OUTBOX_SUMS, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (v->sums = fdopen(fd, "r")) == NULL) {
		snprintf(it.detail, sizeof(it.detail), "%s, expected a regular "
		    "file listing every file", fd < 0 && errno != ENOENT &&
		    errno != ELOOP ? "unreadable" : "missing or not a regular "
		    "file");
		if (fd >= 0)
			close(fd);
		return anc_ov_emit(v, &it, err);
	}
	while ((r = anc_ov_next(v, &l, &e)) == 1)
		anc_ov_sum_add(&v->listed, l.name);
	if (r == 0) {
		v->sums_ok = 1;
		it.ok = 1;
		snprintf(it.detail, sizeof(it.detail), "%zu files listed",
		    v->listed.n);
	} else
		anc_ov_copy_msg(it.detail, sizeof(it.detail), e.msg);
	return anc_ov_emit(v, &it, err);
}

int
anc_outbox_verify_each(const char *dir, anc_verify_fn fn, void *arg,
    struct anc_err *err)
{
	struct anc_ov v;
	struct anc_ov_line l;
	struct anc_err e;
	size_t files = 0;
	int fd, r;

	memset(&v, 0, sizeof(v));
	anc_err_clear(&v.first);
	v.dir = dir;
	v.fn = fn;
	v.arg = arg;
	v.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (v.dirfd < 0)
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT : ANC_E_IO,
		    "%s: cannot open the outbox: %s", dir, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if ((r = read_sums(&v, err)) != ANC_OK)
		goto out;
	if (v.sums_ok) {
		rewind(v.sums);
		v.line = 0;
		while (r == ANC_OK && (r = anc_ov_next(&v, &l, &e)) == 1)
			r = check_listed(&v, &l, err);
		/* Read twice: a change in between is a change. */
		if (r != ANC_OK && r != 1) {
			r = anc_err_set(err, ANC_E_VERIFY, "%s/%s: changed while "
			    "it was read: %s", dir, ANC_OUTBOX_SUMS, e.msg);
			goto out;
		}
	}
	if ((fd = openat(v.dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		r = anc_err_set(err, ANC_E_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((r = walk(&v, fd, "", &files, err)) != ANC_OK)
		goto out;
	/* Every listed file was found; as many found, with the same names,
	 * means none unlisted.  Otherwise say which. */
	if (v.sums_ok && memcmp(&v.listed, &v.found, sizeof(v.found)) != 0) {
		if ((r = anc_ov_name_unlisted(&v, err)) != ANC_OK)
			goto out;
		/* Two names with one fingerprint: still not the same. */
		if (!v.failed && (r = anc_ov_emit_problem(&v, ANC_OUTBOX_SUMS,
		    "the names listed differ from the files found", err)) !=
		    ANC_OK)
			goto out;
	}
	if (v.failed) {
		*err = v.first;
		r = ANC_E_VERIFY;
	} else
		r = ANC_OK;
 out:
	if (v.sums != NULL)
		fclose(v.sums);
	close(v.dirfd);
	return r;
}

/* Collects the findings for anc_outbox_verify. */
struct collect {
	struct anc_verify_item *v;
	size_t n, cap;
};

static int
collect(void *arg, const struct anc_verify_item *it, struct anc_err *err)
{
	struct collect *c = arg;
	struct anc_verify_item *nv;
	size_t ncap;

	if (c->n == c->cap) {
		ncap = c->cap == 0 ? 16 : c->cap * 2;
		if ((nv = reallocarray(c->v, ncap, sizeof(*nv))) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "outbox verify");
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = *it;
	return ANC_OK;
}

int
anc_outbox_verify(const char *dir, struct anc_verify_item **items,
    size_t *n, struct anc_err *err)
{
	struct collect c = { NULL, 0, 0 };
	int r;

	r = anc_outbox_verify_each(dir, collect, &c, err);
	if (r != ANC_OK && r != ANC_E_VERIFY) {
		free(c.v);
		c.v = NULL;
		c.n = 0;
	}
	*items = c.v;	/* transferred */
	*n = c.n;
	return r;
}

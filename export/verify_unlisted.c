/*
 * anchorage: `outbox verify`, naming what SHA256SUMS does not list.  Only
 * called when the names found differ from the names listed (verify.c): a
 * table of 8-byte fingerprints of the listed names, then a second walk
 * that looks up each file found.  A good outbox never gets here.
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
#include "verify_int.h"

struct table {
	uint64_t *v;		/* 0: empty */
	size_t mask;
};

/* Never 0, which marks an empty slot. */
static uint64_t
fingerprint(const char *name)
{
	unsigned char md[32];
	uint64_t f = 0;
	int i;

	if (EVP_Digest(name, strlen(name), md, NULL, EVP_sha256(), NULL) != 1)
		return 1;
	for (i = 0; i < 8; i++)
		f = f << 8 | md[i];
	return f != 0 ? f : 1;
}

/* Insert; 1 when it was there already. */
static int
put(struct table *t, uint64_t f)
{
	size_t i;

	for (i = (size_t)f & t->mask; t->v[i] != 0; i = (i + 1) & t->mask)
		if (t->v[i] == f)
			return 1;
	t->v[i] = f;
	return 0;
}

static int
has(const struct table *t, uint64_t f)
{
	size_t i;

	for (i = (size_t)f & t->mask; t->v[i] != 0; i = (i + 1) & t->mask)
		if (t->v[i] == f)
			return 1;
	return 0;
}

int
anc_ov_listed(struct anc_ov *v, const char *name)
{
	struct anc_ov_line l;
	struct anc_err e;
	int r, found = 0;

	rewind(v->sums);
	v->line = 0;
	while (!found && (r = anc_ov_next(v, &l, &e)) == 1)
		found = strcmp(l.name, name) == 0;
	return found;
}

static int
walk(struct anc_ov *v, const struct table *t, int fd, const char *prefix,
    struct anc_err *err)
{
	char name[ANC_OUTBOX_NAME_MAX + 2];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int sub, r = ANC_OK;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot list: %s",
		    v->dir, prefix, strerror(errno));
	}
	while (r == ANC_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || (prefix[0] == '\0' &&
		    strcmp(de->d_name, ANC_OUTBOX_SUMS) == 0) ||
		    (size_t)snprintf(name, sizeof(name), "%s%s%s", prefix,
		    prefix[0] != '\0' ? "/" : "", de->d_name) >= sizeof(name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0)
			continue;	/* reported by the first walk */
		if (S_ISREG(st.st_mode) && !has(t, fingerprint(name)))
			r = anc_ov_emit_problem(v, name, "not listed in "
			    ANC_OUTBOX_SUMS, err);
		else if (S_ISDIR(st.st_mode) && (sub = openat(dirfd(d),
		    de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) >= 0)
			r = walk(v, t, sub, name, err);
	}
	closedir(d);
	return r;
}

int
anc_ov_name_unlisted(struct anc_ov *v, struct anc_err *err)
{
	struct anc_ov_line l;
	struct table t = { NULL, 0 };
	struct anc_err e;
	char detail[ANC_OUTBOX_NAME_MAX + 64];
	size_t cap = 16;
	int fd, r = ANC_OK;

	while (cap < 2 * v->listed.n)
		cap *= 2;
	if ((t.v = calloc(cap, sizeof(*t.v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", v->dir);
	t.mask = cap - 1;
	rewind(v->sums);
	v->line = 0;
	while (r == ANC_OK && anc_ov_next(v, &l, &e) == 1)
		if (put(&t, fingerprint(l.name))) {
			snprintf(detail, sizeof(detail), "line %zu: %s listed "
			    "again, expected each file once", l.line, l.name);
			r = anc_ov_emit_problem(v, ANC_OUTBOX_SUMS, detail,
			    err);
		}
	if (r == ANC_OK) {
		if ((fd = openat(v->dirfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			r = anc_err_set(err, ANC_E_IO, "%s: %s", v->dir,
			    strerror(errno));
		else
			r = walk(v, &t, fd, "", err);
	}
	free(t.v);
	return r;
}

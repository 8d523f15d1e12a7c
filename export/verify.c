/*
 * anchorage: `outbox verify`.
 *
 * What crosses the air gap is checked on its own terms, without trusting
 * the run that wrote it: SHA256SUMS lists every file and every hash
 * matches; each file is of an allowed kind and holds what its kind allows;
 * and no private key appears anywhere but tls.key of a kubernetes.io/tls
 * Secret (the issuing CA's; docs/export-formats.md).
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

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "export_int.h"

enum presence { P_ABSENT = 0, P_REGULAR, P_SYMLINK, P_DIR, P_OTHER };

/* One name seen in SHA256SUMS, in the directory, or both. */
struct vfile {
	char name[ANC_OUTBOX_NAME_MAX + sizeof(ANC_OUTBOX_SUBDIR) + 1];
	int listed;
	size_t line;			/* in SHA256SUMS */
	char want[ANC_SHA256_HEX];
	enum presence present;
};

struct vlist {
	struct vfile *v;
	size_t n, cap;
	size_t nsums;		/* the first nsums are SHA256SUMS's */
};

static struct vfile *
vlist_add(struct vlist *l)
{
	struct vfile *nv;
	size_t ncap;

	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 32 : l->cap * 2;
		if ((nv = reallocarray(l->v, ncap, sizeof(*nv))) == NULL)
			return NULL;
		l->v = nv;
		l->cap = ncap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* Messages are cut to fit an item; the full one goes to err. */
static void
copy_msg(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* One "<64 lowercase hex>  <name>" line (without its newline). */
static int
parse_sums_line(const char *l, size_t len, size_t line, struct vlist *list,
    struct anc_err *err)
{
	const size_t hexlen = ANC_SHA256_HEX - 1;
	struct vfile *f;
	const char *base;
	char name[ANC_OUTBOX_NAME_MAX + 1], shown[80];
	size_t nlen;
	int sub;

	if (len < hexlen + 3 || !lower_hex(l, hexlen) || l[hexlen] != ' ' ||
	    l[hexlen + 1] != ' ')
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: expected "
		    "\"<64 lowercase hex digits>  <file name>\"", line);
	nlen = len - hexlen - 2;
	if (nlen > ANC_OUTBOX_NAME_MAX ||
	    memchr(l + hexlen + 2, '\0', nlen) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "too long or not text", line);
	memcpy(name, l + hexlen + 2, nlen);
	name[nlen] = '\0';
	if (anc_outbox_name_split(name, &sub, &base) != 0 ||
	    (!sub && (strcmp(base, ANC_OUTBOX_SUMS) == 0 ||
	    strcmp(base, ANC_OUTBOX_SUBDIR) == 0))) {
		anc_printable((const unsigned char *)name, nlen, shown,
		    sizeof(shown));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "\"%s\", expected a plain name, %s/ and a plain name, or "
		    "a batch step's OUT/CLUSTER/ before either", line, shown,
		    ANC_OUTBOX_SUBDIR);
	}
	if ((f = vlist_add(list)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "SHA256SUMS");
	memcpy(f->name, name, nlen + 1);
	memcpy(f->want, l, hexlen);
	f->want[hexlen] = '\0';
	f->listed = 1;
	f->line = line;
	return ANC_OK;
}

static int
vfile_cmp(const void *a, const void *b)
{
	const struct vfile *fa = a, *fb = b;
	int c = strcmp(fa->name, fb->name);

	/* Equal names: the SHA256SUMS entry first, the directory's next. */
	return c != 0 ? c : fb->listed - fa->listed;
}

static int
parse_sums(const char *text, size_t len, struct vlist *list,
    struct anc_err *err)
{
	const char *eol;
	size_t pos = 0, line = 0, i;
	int r;

	while (pos < len) {
		line++;
		if ((eol = memchr(text + pos, '\n', len - pos)) == NULL)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: no "
			    "newline at the end, expected one per line", line);
		if ((r = parse_sums_line(text + pos, (size_t)(eol - text) -
		    pos, line, list, err)) != ANC_OK)
			return r;
		pos = (size_t)(eol - text) + 1;
	}
	/* An empty list has no array, and qsort must not get NULL. */
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(list->v[0]), vfile_cmp);
	for (i = 1; i < list->n; i++)
		if (strcmp(list->v[i - 1].name, list->v[i].name) == 0)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s "
			    "listed again (first on line %zu), expected each "
			    "file once", list->v[i].line, list->v[i].name,
			    list->v[i - 1].line);
	return ANC_OK;
}

static int
read_sums(const char *dir, struct vlist *list, struct anc_err *err)
{
	unsigned char *text = NULL;
	char *path = NULL;
	size_t len = 0;
	struct anc_err e;
	int r;

	if (asprintf(&path, "%s/%s", dir, ANC_OUTBOX_SUMS) < 0)
		return anc_err_set(err, ANC_E_NOMEM, "%s", dir);
	r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &text, &len, &e);
	free(path);
	if (r == ANC_E_NOMEM)
		return anc_err_set(err, r, "%s", e.msg);
	if (r != ANC_OK)
		return anc_err_set(err, ANC_E_VERIFY, "%s, expected a "
		    "regular file listing every file", r == ANC_E_IO ?
		    "unreadable" : "missing or not a regular file");
	r = parse_sums((const char *)text, len, list, err);
	free(text);
	return r;
}

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

static int walk(int dirfd, const char *dir, const char *prefix,
    struct vlist *l, struct anc_err *err);

/* Descend into a sub-directory: manifests/, or a batch step's. */
static int
walk_subdir(int dirfd, const char *dir, const char *prefix, const char *name,
    struct vlist *l, struct anc_err *err)
{
	char sub[ANC_OUTBOX_NAME_MAX + 2];
	int fd, r;

	if (snprintf(sub, sizeof(sub), "%s%s/", prefix, name) >=
	    (int)sizeof(sub))
		return anc_err_set(err, ANC_E_VERIFY, "%s/%s%s: name too long",
		    dir, prefix, name);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return anc_err_set(err, ANC_E_IO, "%s/%s: %s", dir, sub,
		    strerror(errno));
	r = walk(fd, dir, sub, l, err);
	close(fd);
	return r;
}

/* Does SHA256SUMS list a file under prefix + name + "/"?  Only such
 * directories (and manifests/) are entered: any other is reported. */
static int
listed_under(const struct vlist *l, const char *prefix, const char *name)
{
	size_t i, p = strlen(prefix), n = strlen(name);

	for (i = 0; i < l->nsums; i++)
		if (strncmp(l->v[i].name, prefix, p) == 0 &&
		    strncmp(l->v[i].name + p, name, n) == 0 &&
		    l->v[i].name[p + n] == '/')
			return 1;
	return 0;
}

/* Levels in a prefix "a/b/": its slashes. */
static int
depth(const char *prefix)
{
	int n = 0;

	for (; *prefix != '\0'; prefix++)
		n += *prefix == '/';
	return n;
}

/* Every entry of the directory (and of its sub-directories, down to the
 * depth a name may have) but SHA256SUMS. */
static int
walk(int dirfd, const char *dir, const char *prefix, struct vlist *l,
    struct anc_err *err)
{
	struct dirent *de;
	struct stat st;
	struct vfile *f;
	DIR *d;
	int fd, r = ANC_OK, top = prefix[0] == '\0';

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot list: %s",
		    dir, prefix, strerror(errno));
	}
	while (r == ANC_OK) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				r = anc_err_set(err, ANC_E_IO, "%s/%s: cannot "
				    "list: %s", dir, prefix, strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (top && strcmp(de->d_name, ANC_OUTBOX_SUMS) == 0))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			r = anc_err_set(err, ANC_E_IO, "%s/%s%s: %s", dir,
			    prefix, de->d_name, strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode) && depth(prefix) + 1 < ANC_OUTBOX_DEPTH &&
		    ((top && strcmp(de->d_name, ANC_OUTBOX_SUBDIR) == 0) ||
		    listed_under(l, prefix, de->d_name))) {
			r = walk_subdir(dirfd, dir, prefix, de->d_name, l, err);
			continue;
		}
		if ((f = vlist_add(l)) == NULL) {
			r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
			break;
		}
		snprintf(f->name, sizeof(f->name), "%s%s", prefix, de->d_name);
		f->present = presence_of(&st);
	}
	closedir(d);
	return r;
}

/* Sort SHA256SUMS entries and directory entries together, joining the
 * two records of a name into one. */
static void
merge(struct vlist *l)
{
	size_t i, o = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), vfile_cmp);
	for (i = 0; i < l->n; i++) {
		if (o > 0 && strcmp(l->v[o - 1].name, l->v[i].name) == 0) {
			l->v[o - 1].present = l->v[i].present;
			continue;
		}
		l->v[o++] = l->v[i];
	}
	l->n = o;
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

/* Fill `it` for one file; `sums_ok` is whether SHA256SUMS was usable. */
static void
check_file(const char *dir, const struct vfile *f, int sums_ok,
    struct anc_verify_item *it)
{
	unsigned char *data = NULL;
	char *path = NULL, got[ANC_SHA256_HEX];
	size_t len = 0;
	struct anc_err e;
	const char *why;

	anc_err_clear(&e);
	anc_printable((const unsigned char *)f->name, strlen(f->name), it->file,
	    sizeof(it->file));
	snprintf(it->kind, sizeof(it->kind), "%s", anc_outbox_kind(f->name));
	it->ok = 0;
	if ((why = presence_problem(f->present)) != NULL) {
		snprintf(it->detail, sizeof(it->detail), "%s", why);
		goto out;
	}
	if (!f->listed) {
		snprintf(it->detail, sizeof(it->detail), "%s", sums_ok ?
		    "not listed in " ANC_OUTBOX_SUMS : "not checked: "
		    ANC_OUTBOX_SUMS " is unusable");
		goto out;
	}
	if (asprintf(&path, "%s/%s", dir, f->name) < 0) {
		path = NULL;
		snprintf(it->detail, sizeof(it->detail), "out of memory");
		goto out;
	}
	if (anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, &e) !=
	    ANC_OK) {
		copy_msg(it->detail, sizeof(it->detail), e.msg);
		goto out;
	}
	anc_sha256_hex(data, len, got);
	if (strcmp(got, f->want) != 0) {
		snprintf(it->detail, sizeof(it->detail), "SHA-256 %s, but %s "
		    "line %zu lists %s", got, ANC_OUTBOX_SUMS, f->line,
		    f->want);
		goto out;
	}
	if (anc_outbox_check_content(f->name, data, len, it, &e) != ANC_OK) {
		copy_msg(it->detail, sizeof(it->detail), e.msg);
		goto out;
	}
	it->ok = 1;
 out:
	/* The Secret manifest holds the issuing CA's key. */
	anc_freezero(data, len);
	free(path);
}

int
anc_outbox_verify(const char *dir, struct anc_verify_item **items,
    size_t *n, struct anc_err *err)
{
	struct vlist l = { NULL, 0, 0, 0 };
	struct anc_verify_item *it = NULL;
	struct anc_err se;
	size_t i, nlisted = 0, first = SIZE_MAX;
	int dirfd = -1, sums, r = ANC_E_INTERNAL;

	*items = NULL;
	*n = 0;
	anc_err_clear(&se);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT : ANC_E_IO,
		    "%s: cannot open the outbox: %s", dir, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	sums = read_sums(dir, &l, &se);
	if (sums != ANC_OK && sums != ANC_E_VERIFY) {
		r = anc_err_set(err, sums, "%s/%s: %s", dir, ANC_OUTBOX_SUMS,
		    se.msg);
		goto out;
	}
	if (sums != ANC_OK)
		l.n = 0;	/* a half-parsed list proves nothing */
	l.nsums = l.n;
	if ((r = walk(dirfd, dir, "", &l, err)) != ANC_OK)
		goto out;
	merge(&l);
	if ((it = calloc(l.n + 1, sizeof(*it))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
		goto out;
	}
	snprintf(it[0].file, sizeof(it[0].file), "%s", ANC_OUTBOX_SUMS);
	snprintf(it[0].kind, sizeof(it[0].kind), "checksums");
	it[0].ok = sums == ANC_OK;
	for (i = 0; i < l.n; i++)
		nlisted += (size_t)l.v[i].listed;
	if (it[0].ok)
		snprintf(it[0].detail, sizeof(it[0].detail), "%zu files listed",
		    nlisted);
	else {
		copy_msg(it[0].detail, sizeof(it[0].detail), se.msg);
		first = 0;
	}
	for (i = 0; i < l.n; i++) {
		check_file(dir, &l.v[i], sums == ANC_OK, &it[i + 1]);
		if (!it[i + 1].ok && first == SIZE_MAX)
			first = i + 1;
	}
	if (first != SIZE_MAX)
		r = anc_err_set(err, ANC_E_VERIFY, "%s/%s: %s", dir,
		    it[first].file, it[first].detail);
	else
		r = ANC_OK;
	*items = it;
	*n = l.n + 1;
	it = NULL;	/* transferred */
 out:
	free(it);
	free(l.v);
	close(dirfd);
	return r;
}

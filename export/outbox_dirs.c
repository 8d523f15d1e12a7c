/*
 * anchorage: the outbox's directories.  manifests/, which `kubectl apply
 * -f` takes whole, and a batch step's directories, one per cluster, each
 * with its own manifests/: every one a real directory, the caller's, not
 * writable by others, made 0700 on first use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "outbox_int.h"

/*
 * The manifests/ directory fd.  With `create`, make it (0700) if absent
 * and set *created; without, *fd is -1 when it does not exist.  It must be
 * a real directory, owned by the caller, not writable by others.
 */
int
anc_ob_subdir_fd(struct anc_outbox *ob, int create, int *fd,
    int *created, struct anc_err *err)
{
	struct stat st;
	int sfd;

	*created = 0;
	*fd = ob->subfd;
	if (ob->subfd >= 0)
		return ANC_OK;
	if (create) {
		if (mkdirat(ob->dirfd, ANC_OUTBOX_SUBDIR, 0700) == 0)
			*created = 1;
		else if (errno != EEXIST)
			return anc_err_set(err, ANC_E_IO, "%s/%s: cannot "
			    "create: %s", ob->dir, ANC_OUTBOX_SUBDIR,
			    strerror(errno));
	}
	sfd = openat(ob->dirfd, ANC_OUTBOX_SUBDIR,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 && errno == ENOENT && !create)
		return ANC_OK;
	if (sfd < 0)
		return anc_err_set(err, errno == ELOOP || errno == ENOTDIR ?
		    ANC_E_UNSAFE : ANC_E_IO, "%s/%s: expected a directory: %s",
		    ob->dir, ANC_OUTBOX_SUBDIR, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if (fstat(sfd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		close(sfd);
		return anc_err_set(err, ANC_E_UNSAFE, "%s/%s: expected a "
		    "directory owned by the caller and not writable by group "
		    "or others", ob->dir, ANC_OUTBOX_SUBDIR);
	}
	/* The new directory's name is synced with the others. */
	if (*created)
		ob->dir_unsynced = 1;
	ob->subfd = sfd;
	*fd = sfd;
	return ANC_OK;
}

/* Undo a manifests/ made by a call that then failed. */
void
anc_ob_subdir_remove(struct anc_outbox *ob)
{
	if (ob->subfd >= 0)
		close(ob->subfd);
	ob->subfd = -1;
	(void)unlinkat(ob->dirfd, ANC_OUTBOX_SUBDIR, AT_REMOVEDIR);
}

/* The open directory `path` (its first `len` bytes), or -1. */
static int
nested_cached(struct anc_outbox *ob, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < ANC_OB_NESTED; i++)
		if (ob->nested[i].fd >= 0 && strlen(ob->nested[i].path) == len &&
		    memcmp(ob->nested[i].path, path, len) == 0) {
			ob->nested[i].used = ++ob->nested_clock;
			return ob->nested[i].fd;
		}
	return -1;
}

/* Keep directory fd `fd` of `path` (`len` bytes) open; the one used
 * longest ago is closed. */
static void
nested_keep(struct anc_outbox *ob, const char *path, size_t len, int fd)
{
	size_t i, old = 0;

	for (i = 1; i < ANC_OB_NESTED; i++)
		if (ob->nested[i].used < ob->nested[old].used)
			old = i;
	if (ob->nested[old].fd >= 0)
		close(ob->nested[old].fd);
	snprintf(ob->nested[old].path, sizeof(ob->nested[old].path), "%.*s",
	    (int)len, path);
	ob->nested[old].fd = fd;
	ob->nested[old].used = ++ob->nested_clock;
}

/*
 * Component `c` of nested `name`'s directory, in directory `at`: opened,
 * made first (0700) if absent with `create`, and checked as manifests/ is:
 * a real directory, the caller's, not writable by others.  *next is -1
 * when it does not exist and `create` is 0.
 */
static int
nested_open(struct anc_outbox *ob, int at, const char *c, const char *name,
    int create, int *next, struct anc_err *err)
{
	struct stat st;
	int fd;

	/* A batch makes each directory once: mkdirat first saves the
	 * failed open of a directory that is not there yet. */
	if (create && mkdirat(at, c, 0700) == 0)
		ob->nested_unsynced = 1;
	else if (create && errno != EEXIST)
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot create: %s",
		    ob->dir, name, strerror(errno));
	*next = -1;
	if ((fd = openat(at, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return errno == ENOENT && !create ? ANC_OK : anc_err_set(err,
		    errno == ELOOP || errno == ENOTDIR ? ANC_E_UNSAFE :
		    ANC_E_IO, "%s/%s: expected a directory at %s: %s", ob->dir,
		    name, c, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		close(fd);
		return anc_err_set(err, ANC_E_UNSAFE, "%s/%s: expected "
		    "directories owned by the caller and not writable by group "
		    "or others", ob->dir, name);
	}
	*next = fd;
	return ANC_OK;
}

/*
 * The directory of a nested name (its components but the last), from the
 * deepest of its directories already open: the whole of it, or a parent
 * ("fleet" for the next cluster's "fleet/c2"), else the outbox.  Each
 * directory opened on the way stays open for the next file.
 */
int
anc_ob_nested_fd(struct anc_outbox *ob, const char *name, int create,
    int *fd, struct anc_err *err)
{
	char dir[ANC_OUTBOX_NAME_MAX + 1], *c, *end;
	size_t len;
	int cur = -1, last, r;

	*fd = -1;
	snprintf(dir, sizeof(dir), "%s", name);
	*strrchr(dir, '/') = '\0';
	len = strlen(dir);
	while (len > 0 && (cur = nested_cached(ob, dir, len)) < 0)
		while (len > 0 && dir[--len] != '/')
			;
	if (len == 0)
		cur = ob->dirfd;
	for (c = dir + len + (len > 0), last = dir[len] == '\0'; !last;
	    c = end + 1) {
		end = c + strcspn(c, "/");
		last = *end == '\0';
		*end = '\0';
		if ((r = nested_open(ob, cur, c, name, create, &cur, err)) !=
		    ANC_OK || cur < 0)
			return r;
		nested_keep(ob, dir, (size_t)(end - dir), cur);
		*end = last ? '\0' : '/';
	}
	*fd = cur;
	return ANC_OK;
}

int
anc_ob_note_top(struct anc_outbox *ob, const char *name,
    struct anc_err *err)
{
	size_t n = strcspn(name, "/"), i;
	char **nt;

	for (i = 0; i < ob->ntops; i++)
		if (strlen(ob->tops[i]) == n && strncmp(ob->tops[i], name, n) ==
		    0)
			return ANC_OK;
	if ((nt = reallocarray(ob->tops, ob->ntops + 1, sizeof(*nt))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s/%s", ob->dir, name);
	ob->tops = nt;
	if ((nt[ob->ntops] = strndup(name, n)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s/%s", ob->dir, name);
	ob->ntops++;
	return ANC_OK;
}

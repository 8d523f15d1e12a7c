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

/*
 * The directory of a nested name (its components but the last), made
 * (0700) where absent with `create`, each checked as manifests/ is: a real
 * directory, the caller's, not writable by others.  *fd is -1 when a
 * component does not exist and `create` is 0.  The fd stays open for the
 * next file of the same directory.
 */
int
anc_ob_nested_fd(struct anc_outbox *ob, const char *name, int create,
    int *fd, struct anc_err *err)
{
	char dir[ANC_OUTBOX_NAME_MAX + 1], *c, *slash;
	struct stat st;
	int cur = ob->dirfd, next, r = ANC_OK, i;

	*fd = -1;
	snprintf(dir, sizeof(dir), "%s", name);
	*strrchr(dir, '/') = '\0';
	for (i = 0; i < 2; i++)
		if (ob->nested[i].fd >= 0 && strcmp(ob->nested[i].path, dir) ==
		    0) {
			*fd = ob->nested[i].fd;
			return ANC_OK;
		}
	/* The older of the two goes. */
	if (ob->nested[1].fd >= 0)
		close(ob->nested[1].fd);
	ob->nested[1] = ob->nested[0];
	ob->nested[0].fd = -1;
	for (c = dir; c != NULL; c = slash != NULL ? slash + 1 : NULL) {
		if ((slash = strchr(c, '/')) != NULL)
			*slash = '\0';
		next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, c, 0700) == 0 || errno == EEXIST) {
				ob->nested_unsynced = 1;
				next = openat(cur, c, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			} else
				r = anc_err_set(err, ANC_E_IO, "%s/%s: cannot "
				    "create: %s", ob->dir, name,
				    strerror(errno));
		}
		if (r == ANC_OK && next < 0 && !(errno == ENOENT && !create))
			r = anc_err_set(err, errno == ELOOP || errno == ENOTDIR ?
			    ANC_E_UNSAFE : ANC_E_IO, "%s/%s: expected a "
			    "directory at %s: %s", ob->dir, name, c,
			    strerror(errno));
		if (r == ANC_OK && next >= 0 && (fstat(next, &st) != 0 ||
		    st.st_uid != geteuid() || (st.st_mode & 022) != 0))
			r = anc_err_set(err, ANC_E_UNSAFE, "%s/%s: expected "
			    "directories owned by the caller and not writable "
			    "by group or others", ob->dir, name);
		if (cur != ob->dirfd)
			close(cur);
		cur = next;
		if (r != ANC_OK || cur < 0) {
			if (cur >= 0)
				close(cur);
			return r;
		}
		if (slash != NULL)
			*slash = '/';
	}
	snprintf(ob->nested[0].path, sizeof(ob->nested[0].path), "%s", dir);
	ob->nested[0].fd = cur;
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

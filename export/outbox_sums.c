/*
 * anchorage: SHA256SUMS, written as the files are.  Each file's line goes
 * into a file without a name in the outbox as soon as the file exists, so
 * the list is never held in memory however many files a fleet writes;
 * anc_outbox_finish links it as SHA256SUMS, never over an existing one.
 * A run that stops before leaves nothing: the nameless file goes with the
 * process.  Where the file system cannot make one (O_TMPFILE), a hidden
 * ".SHA256SUMS.<random>.partial" stands in and is removed on every path.
 * The lines are in the order the files were written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "outbox_int.h"

static int
sums_open(struct anc_outbox *ob, struct anc_err *err)
{
	unsigned char rnd[8];
	char hex[17];
	int fd;

	fd = openat(ob->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL)) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return anc_err_set(err, ANC_E_CRYPTO, "%s/%s: random "
			    "name", ob->dir, ANC_OUTBOX_SUMS);
		anc_hex(rnd, sizeof(rnd), hex);
		snprintf(ob->sums.hidden, sizeof(ob->sums.hidden),
		    ".%s.%s.partial", ANC_OUTBOX_SUMS, hex);
		fd = openat(ob->dirfd, ob->sums.hidden, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			ob->sums.hidden[0] = '\0';
	}
	if (fd < 0)
		return anc_err_set(err, ANC_E_IO, "%s/%s: cannot create: %s",
		    ob->dir, ANC_OUTBOX_SUMS, strerror(errno));
	ob->sums.fd = fd;
	return ANC_OK;
}

static int
sums_flush(struct anc_outbox *ob, struct anc_err *err)
{
	size_t off = 0;
	ssize_t w;

	while (off < ob->sums.len) {
		w = write(ob->sums.fd, ob->sums.buf + off, ob->sums.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return anc_err_set(err, ANC_E_IO, "%s/%s: cannot "
			    "write: %s", ob->dir, ANC_OUTBOX_SUMS, w < 0 ?
			    strerror(errno) : "no space");
		off += (size_t)w;
	}
	ob->sums.len = 0;
	return ANC_OK;
}

int
anc_ob_sums_add(struct anc_outbox *ob, const char *sha256, const char *name,
    struct anc_err *err)
{
	size_t need = strlen(sha256) + 2 + strlen(name) + 1;
	int r;

	if (ob->sums.fd < 0 && (r = sums_open(ob, err)) != ANC_OK)
		return r;
	if (ob->sums.len + need > sizeof(ob->sums.buf) &&
	    (r = sums_flush(ob, err)) != ANC_OK)
		return r;
	/* A name is at most ANC_OUTBOX_NAME_MAX: a line always fits. */
	ob->sums.len += (size_t)snprintf(ob->sums.buf + ob->sums.len,
	    sizeof(ob->sums.buf) - ob->sums.len, "%s  %s\n", sha256, name);
	ob->sums.lines++;
	return ANC_OK;
}

int
anc_ob_sums_commit(struct anc_outbox *ob, struct anc_err *err)
{
	char path[64];
	int r;

	/* An outbox with no file still gets its (empty) SHA256SUMS. */
	if (ob->sums.fd < 0 && (r = sums_open(ob, err)) != ANC_OK)
		return r;
	if ((r = sums_flush(ob, err)) != ANC_OK)
		return r;
	if (fchmod(ob->sums.fd, 0644) != 0 || fsync(ob->sums.fd) != 0)
		return anc_err_set(err, ANC_E_IO, "%s/%s: %s", ob->dir,
		    ANC_OUTBOX_SUMS, strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ob->sums.fd);
	if ((ob->sums.hidden[0] != '\0' ? linkat(ob->dirfd, ob->sums.hidden,
	    ob->dirfd, ANC_OUTBOX_SUMS, 0) : linkat(AT_FDCWD, path, ob->dirfd,
	    ANC_OUTBOX_SUMS, AT_SYMLINK_FOLLOW)) != 0)
		return anc_err_set(err, errno == EEXIST ? ANC_E_EXISTS :
		    ANC_E_IO, "%s/%s: %s", ob->dir, ANC_OUTBOX_SUMS,
		    errno == EEXIST ? "already exists; outputs are never "
		    "overwritten" : strerror(errno));
	if ((r = anc_dir_sync(ob->dirfd, ANC_OUTBOX_SUMS, err)) != ANC_OK) {
		/* Not durable: the caller must not think it was written. */
		(void)unlinkat(ob->dirfd, ANC_OUTBOX_SUMS, 0);
		return anc_err_prefix(err, "%s", ob->dir);
	}
	anc_ob_sums_discard(ob);
	return ANC_OK;
}

void
anc_ob_sums_discard(struct anc_outbox *ob)
{
	if (ob->sums.fd >= 0)
		close(ob->sums.fd);
	ob->sums.fd = -1;
	if (ob->sums.hidden[0] != '\0')
		(void)unlinkat(ob->dirfd, ob->sums.hidden, 0);
	ob->sums.hidden[0] = '\0';
	ob->sums.len = 0;
}

/* anchorage: careful file creation and reading. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"

static int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
plain_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int
anc_file_exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * A nameless file in the directory.  Nothing is left behind if the
 * process dies before the link.  Returns -1 with errno EOPNOTSUPP (or
 * EISDIR on old kernels) where the filesystem cannot do it.
 */
static int
open_unnamed(int dirfd, mode_t mode)
{
	return openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
}

static int
link_unnamed(int fd, int dirfd, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW);
}

/* Fallback: a hidden temporary name, created exclusively. */
static int
open_hidden(int dirfd, const char *name, mode_t mode, char *tmp, size_t cap)
{
	unsigned char rnd[8];
	char hex[17];
	int fd;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		errno = EIO;
		return -1;
	}
	anc_hex(rnd, sizeof(rnd), hex);
	if ((size_t)snprintf(tmp, cap, ".%s.%s.partial", name, hex) >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(dirfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd;
}

int
anc_dir_sync(int dirfd, const char *what, struct anc_err *err)
{
	if (fsync(dirfd) != 0)
		return anc_err_set(err, ANC_E_IO, "%s: cannot sync directory: "
		    "%s", what, strerror(errno));
	return ANC_OK;
}

static int
create(int dirfd, const char *name, mode_t mode, const void *data,
    size_t len, int sync_dir, int sync_data, struct anc_err *err)
{
	char tmp[512] = "";
	int fd = -1, r = ANC_E_INTERNAL, linked = 0;

	if (!plain_name(name))
		return anc_err_set(err, ANC_E_INTERNAL,
		    "%s: not a plain file name", name);
	/* Checked first for a clear message; linkat re-checks atomically. */
	if (anc_file_exists_at(dirfd, name))
		return anc_err_set(err, ANC_E_EXISTS,
		    "%s: already exists; outputs are never overwritten", name);

	fd = open_unnamed(dirfd, mode);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL))
		fd = open_hidden(dirfd, name, mode, tmp, sizeof(tmp));
	if (fd < 0) {
		r = anc_err_set(err, ANC_E_IO, "%s: cannot create: %s", name,
		    strerror(errno));
		goto out;
	}
	/* The mode passed to open is filtered by umask; be exact. */
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 ||
	    (sync_data && fsync(fd) != 0)) {
		r = anc_err_set(err, ANC_E_IO, "%s: cannot write: %s", name,
		    strerror(errno));
		goto out;
	}
	if (tmp[0] != '\0') {
		if (linkat(dirfd, tmp, dirfd, name, 0) != 0)
			goto link_failed;
	} else if (link_unnamed(fd, dirfd, name) != 0)
		goto link_failed;
	linked = 1;
	if (sync_dir && (r = anc_dir_sync(dirfd, name, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
	goto out;

 link_failed:
	if (errno == EEXIST)
		r = anc_err_set(err, ANC_E_EXISTS,
		    "%s: already exists; outputs are never overwritten", name);
	else
		r = anc_err_set(err, ANC_E_IO, "%s: cannot link: %s", name,
		    strerror(errno));
 out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		(void)unlinkat(dirfd, tmp, 0);
	/* A name that was linked but not made durable is removed again, so a
	 * failed call never leaves a file the caller thinks was not written. */
	if (r != ANC_OK && linked)
		(void)unlinkat(dirfd, name, 0);
	return r;
}

int
anc_file_create(int dirfd, const char *name, mode_t mode, const void *data,
    size_t len, struct anc_err *err)
{
	return create(dirfd, name, mode, data, len, 1, 1, err);
}

int
anc_file_create_data_synced(int dirfd, const char *name, mode_t mode,
    const void *data, size_t len, struct anc_err *err)
{
	return create(dirfd, name, mode, data, len, 0, 1, err);
}

int
anc_file_create_unsynced(int dirfd, const char *name, mode_t mode,
    const void *data, size_t len, struct anc_err *err)
{
	return create(dirfd, name, mode, data, len, 0, 0, err);
}

int
anc_file_append_sync(int fd, const void *data, size_t len,
    struct anc_err *err)
{
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0)
		return anc_err_set(err, ANC_E_IO, "cannot append record: %s",
		    strerror(errno));
	return ANC_OK;
}

int
anc_file_append_nosync(int fd, const void *data, size_t len,
    struct anc_err *err)
{
	if (write_all(fd, data, len) != 0)
		return anc_err_set(err, ANC_E_IO, "cannot append record: %s",
		    strerror(errno));
	return ANC_OK;
}

int
anc_fd_sync(int fd, struct anc_err *err)
{
	if (fsync(fd) != 0)
		return anc_err_set(err, ANC_E_IO, "cannot sync: %s",
		    strerror(errno));
	return ANC_OK;
}

static int
read_fd(int fd, const char *path, size_t max, unsigned char **out,
    size_t *outlen, struct anc_err *err)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int r = ANC_E_INTERNAL;

	for (;;) {
		if (len == cap) {
			unsigned char *nb;
			size_t ncap = cap == 0 ? 4096 : cap * 2;

			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= cap) {
				r = anc_err_set(err, ANC_E_INPUT,
				    "%s: larger than the limit of %zu bytes",
				    path, max);
				goto out;
			}
			/* Grow by copy so earlier contents can be wiped: the
			 * file may be a PIN or a key. */
			if ((nb = malloc(ncap + 1)) == NULL) {
				r = anc_err_set(err, ANC_E_NOMEM, "%s", path);
				goto out;
			}
			if (len > 0)
				memcpy(nb, buf, len);
			anc_freezero(buf, cap + 1);
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = anc_err_set(err, ANC_E_IO, "%s: cannot read: %s",
			    path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", path);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;	/* transferred */
	*outlen = len;
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(buf, cap + 1);
	return r;
}

/* "dir/name" for messages, or the name alone. */
static const char *
shown(const char *dir, const char *name, char *buf, size_t cap)
{
	if (dir == NULL)
		return name;
	snprintf(buf, cap, "%s/%s", dir, name);
	return buf;
}

int
anc_file_open_read(int dirfd, const char *dir, const char *name, int *fdp,
    struct anc_err *err)
{
	char buf[4096 + 256];
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0)
		return anc_err_set(err, errno == ENOENT || errno == ELOOP ?
		    ANC_E_INPUT : ANC_E_IO, "%s: cannot open: %s",
		    shown(dir, name, buf, sizeof(buf)), errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return anc_err_set(err, ANC_E_INPUT, "%s: expected a regular "
		    "file", shown(dir, name, buf, sizeof(buf)));
	}
	*fdp = fd;
	return ANC_OK;
}

int
anc_file_open_stream(int dirfd, const char *dir, const char *name,
    FILE **f, struct anc_err *err)
{
	char buf[4096 + 256];
	int fd, r;

	if ((r = anc_file_open_read(dirfd, dir, name, &fd, err)) != ANC_OK)
		return r;
	if ((*f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return anc_err_set(err, ANC_E_NOMEM, "%s",
		    shown(dir, name, buf, sizeof(buf)));
	}
	return ANC_OK;
}

int
anc_file_read(const char *path, size_t max, unsigned char **out,
    size_t *outlen, struct anc_err *err)
{
	int fd, r;

	if ((r = anc_file_open_read(AT_FDCWD, NULL, path, &fd, err)) != ANC_OK)
		return r;
	r = read_fd(fd, path, max, out, outlen, err);
	close(fd);
	return r;
}

/* The pieces of an open file into `md` and `fn`. */
static int
hash_fd(int fd, const char *what, EVP_MD_CTX *md, anc_file_piece_fn fn,
    void *arg, struct anc_err *err)
{
	unsigned char *piece;
	ssize_t got;
	int r = ANC_OK;

	if ((piece = malloc(ANC_FILE_PIECE)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	while (r == ANC_OK && (got = read(fd, piece, ANC_FILE_PIECE)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			r = anc_err_set(err, ANC_E_IO, "%s: cannot read: %s",
			    what, strerror(errno));
		else if (EVP_DigestUpdate(md, piece, (size_t)got) != 1)
			r = anc_err_set(err, ANC_E_CRYPTO, "%s: SHA-256",
			    what);
		else if (fn != NULL)
			r = fn(arg, piece, (size_t)got, err);
	}
	/* Whatever was read may be a Secret manifest. */
	anc_freezero(piece, ANC_FILE_PIECE);
	return r;
}

int
anc_file_sha256(int dirfd, const char *dir, const char *name,
    anc_file_piece_fn fn, void *arg, char sha[ANC_SHA256_HEX],
    struct anc_err *err)
{
	char buf[4096 + 256];
	const char *what = shown(dir, name, buf, sizeof(buf));
	unsigned char md[32];
	EVP_MD_CTX *ctx = NULL;
	int fd = -1, r;

	if ((r = anc_file_open_read(dirfd, dir, name, &fd, err)) != ANC_OK)
		return r;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		r = anc_err_set(err, ANC_E_CRYPTO, "%s: SHA-256", what);
		goto out;
	}
	if ((r = hash_fd(fd, what, ctx, fn, arg, err)) != ANC_OK)
		goto out;
	if (EVP_DigestFinal_ex(ctx, md, NULL) != 1) {
		r = anc_err_set(err, ANC_E_CRYPTO, "%s: SHA-256", what);
		goto out;
	}
	anc_hex(md, sizeof(md), sha);
	/* success */
	r = ANC_OK;
 out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return r;
}

int
anc_file_getline(FILE *f, size_t max, char **buf, size_t *cap, size_t *len)
{
	size_t ncap;
	char *nb;
	int c;

	*len = 0;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (*len + 1 >= *cap) {
			if (*len >= max)
				return -1;
			ncap = *cap == 0 ? 4096 : *cap * 2;
			if (ncap > max + 1)
				ncap = max + 1;
			if ((nb = realloc(*buf, ncap)) == NULL)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char)c;
	}
	if (*buf != NULL)
		(*buf)[*len] = '\0';
	if (c == '\n')
		return 1;
	if (ferror(f))
		return -1;
	return *len > 0 ? 2 : 0;
}

int
anc_file_read_pin(const char *path, char *buf, size_t cap, size_t *len,
    struct anc_err *err)
{
	struct stat st;
	unsigned char *data = NULL;
	size_t n = 0;
	int fd, r = ANC_E_INTERNAL;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return anc_err_set(err, ANC_E_PIN_SOURCE,
		    "--pin-source file:%s: cannot open: %s", path,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) != 0) {
		r = anc_err_set(err, ANC_E_IO, "--pin-source file:%s: %s",
		    path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = anc_err_set(err, ANC_E_PIN_SOURCE,
		    "--pin-source file:%s: expected a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		r = anc_err_set(err, ANC_E_PIN_SOURCE,
		    "--pin-source file:%s: owned by uid %u, expected the "
		    "caller (uid %u)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		r = anc_err_set(err, ANC_E_PIN_SOURCE,
		    "--pin-source file:%s: mode %04o, expected 0600 or "
		    "stricter", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((r = read_fd(fd, path, cap, &data, &n, err)) != ANC_OK)
		goto out;
	if (n > 0 && data[n - 1] == '\n')
		n--;
	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (n == 0 || n >= cap || memchr(data, '\n', n) != NULL ||
	    memchr(data, '\0', n) != NULL) {
		r = anc_err_set(err, ANC_E_PIN_SOURCE,
		    "--pin-source file:%s: expected one line holding the PIN",
		    path);
		goto out;
	}
	memcpy(buf, data, n);
	buf[n] = '\0';
	*len = n;
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(data, n + 1);
	close(fd);
	return r;
}

int
anc_dir_open(const char *path, int create, int *fdp, struct anc_err *err)
{
	struct stat st;
	int fd;

	if (create && mkdir(path, 0700) != 0 && errno != EEXIST)
		return anc_err_set(err, ANC_E_IO, "%s: cannot create: %s",
		    path, strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT :
		    (errno == ELOOP || errno == ENOTDIR) ? ANC_E_UNSAFE :
		    ANC_E_IO, "%s: cannot open directory: %s", path,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return anc_err_set(err, ANC_E_IO, "%s: %s", path,
		    strerror(errno));
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		close(fd);
		return anc_err_set(err, ANC_E_UNSAFE,
		    "%s: expected a directory owned by the caller and not "
		    "writable by group or others (mode %04o, uid %u)", path,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	}
	*fdp = fd;
	return ANC_OK;
}

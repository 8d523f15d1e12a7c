/*
 * anchorage: careful file handling.
 *
 * Output files are never overwritten and never half-written: data is
 * written into a file that has no name (O_TMPFILE) or a hidden name created
 * with O_CREAT|O_EXCL|O_NOFOLLOW, fsync'd, then linked to its final name,
 * which fails if anything (a file, a symlink) is already there.  The
 * directory is fsync'd afterwards so the name survives a power cut: at
 * once, or after several files (anc_file_create_data_synced, then
 * anc_dir_sync).
 */
#ifndef ANCHORAGE_FILE_H
#define ANCHORAGE_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"

struct anc_err;

/*
 * Create `name` inside the directory `dirfd` with the given mode and
 * contents, atomically and without replacing anything.  `name` must be a
 * plain file name (no '/').  On failure nothing is left behind.
 * Returns ANC_OK, ANC_E_EXISTS (something is at that name), ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_file_create(int dirfd, const char *name, mode_t mode,
    const void *data, size_t len, struct anc_err *err);

/*
 * As anc_file_create, but the directory is not fsync'd: the contents are
 * on disk before the name exists, the name itself only once the caller
 * has called anc_dir_sync.  For several files in a row, one directory sync
 * after the last instead of one each.
 */
ANC_MUST_CHECK
int anc_file_create_data_synced(int dirfd, const char *name, mode_t mode,
    const void *data, size_t len, struct anc_err *err);

/*
 * The same without the fsync of its contents: the file is still whole
 * (written unnamed, then linked), and the caller makes it durable with
 * many others at once (syncfs) before anything lists it.
 */
ANC_MUST_CHECK
int anc_file_create_unsynced(int dirfd, const char *name, mode_t mode,
    const void *data, size_t len, struct anc_err *err);

/* fsync a directory, so that the names made in it survive a power cut.
 * `what` names it in the message.  Returns ANC_OK or ANC_E_IO. */
ANC_MUST_CHECK
int anc_dir_sync(int dirfd, const char *what, struct anc_err *err);

/*
 * Append one record to an already open file and fsync it.  Used for the
 * append-only transcript.
 */
ANC_MUST_CHECK
int anc_file_append_sync(int fd, const void *data, size_t len,
    struct anc_err *err);

/* The same without the fsync, for records synced together later
 * (anc_fd_sync). */
ANC_MUST_CHECK
int anc_file_append_nosync(int fd, const void *data, size_t len,
    struct anc_err *err);
ANC_MUST_CHECK
int anc_fd_sync(int fd, struct anc_err *err);

/*
 * Read a whole regular file (never a FIFO, device or symlink) of at most
 * `max` bytes.  *out is NUL-terminated (not counted in *outlen) and owned by
 * the caller, who frees it with free() or anc_freezero().
 * Returns ANC_OK, ANC_E_INPUT (missing, not regular, too large), ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_file_read(const char *path, size_t max, unsigned char **out,
    size_t *outlen, struct anc_err *err);

/*
 * Open the regular file `name` for reading: under the directory `dirfd`,
 * or a path when `dirfd` is AT_FDCWD.  Never through a symbolic link at
 * its last component, never a FIFO, socket or device.  Messages name the
 * file as "`dir`/`name`" (just `name` when `dir` is NULL).
 * Returns ANC_OK with *fd open, ANC_E_INPUT (missing, a symbolic link, not
 * a regular file), ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_file_open_read(int dirfd, const char *dir, const char *name,
    int *fd, struct anc_err *err);

/* The same, as a stream for anc_file_getline: *f is the caller's to
 * fclose.  ANC_E_NOMEM besides. */
ANC_MUST_CHECK
int anc_file_open_stream(int dirfd, const char *dir, const char *name,
    FILE **f, struct anc_err *err);

/* Bytes read at a time by anc_file_sha256. */
#define ANC_FILE_PIECE 65536

/*
 * Called by anc_file_sha256 with each piece of the file in order; the
 * piece is wiped once the call returns (the file may be a Secret
 * manifest).  Returns ANC_OK to go on, or an error to stop.
 */
typedef int (*anc_file_piece_fn)(void *arg, const unsigned char *piece,
    size_t len, struct anc_err *err);

/*
 * The SHA-256 of a regular file opened as anc_file_open_read does, read
 * in pieces of ANC_FILE_PIECE bytes: memory does not grow with the file.
 * Each piece also goes to `fn` unless it is NULL, so that a caller checks
 * what it hashes in the same pass.  Returns ANC_OK, the errors of
 * anc_file_open_read, ANC_E_IO, ANC_E_CRYPTO, or the error `fn` returned.
 */
ANC_MUST_CHECK
int anc_file_sha256(int dirfd, const char *dir, const char *name,
    anc_file_piece_fn fn, void *arg, char sha[ANC_SHA256_HEX],
    struct anc_err *err);

/*
 * The next line of `f`, without its '\n', into *buf (NUL-terminated;
 * grown as needed into at most `max` + 1 bytes; *cap is its size; the
 * caller frees it): memory bounded by the longest line allowed, not by
 * the file.  Returns 1, 2 for a last line without a '\n', 0 at the end
 * of the file, -1 for a line longer than `max` bytes, a read error or
 * no memory.
 */
ANC_MUST_CHECK
int anc_file_getline(FILE *f, size_t max, char **buf, size_t *cap,
    size_t *len);

/*
 * Read a PIN from a pin-source file into `buf` (size `cap`): the file must
 * be a regular file, not a symlink, owned by the caller, with no group or
 * other permission bits.  One trailing newline is dropped.  The buffer used
 * for reading is wiped.  Returns ANC_OK, ANC_E_PIN_SOURCE (refused: the
 * message says which rule), ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_file_read_pin(const char *path, char *buf, size_t cap, size_t *len,
    struct anc_err *err);

/*
 * Open (creating with mode 0700 if absent) the directory `path` as an
 * O_DIRECTORY|O_NOFOLLOW fd.  An existing directory must be owned by the
 * caller and not group- or world-writable.
 * Returns ANC_OK, ANC_E_UNSAFE, ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_dir_open(const char *path, int create, int *fd, struct anc_err *err);

/* Does anything (even a dangling symlink) exist at dirfd/name? 1 yes, 0 no. */
ANC_MUST_CHECK
int anc_file_exists_at(int dirfd, const char *name);

#endif /* ANCHORAGE_FILE_H */

/*
 * anchorage: writers of public material and the outbox.
 *
 * export/ never sees a token: it receives certificates (X509), never a key
 * handle.  The one private key it ever writes is the software issuing-CA
 * key inside a kubernetes.io/tls Secret manifest.
 */
#ifndef ANCHORAGE_EXPORT_H
#define ANCHORAGE_EXPORT_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "anchorage/err.h"

struct anc_err;
struct anc_outbox;

/* Largest single file the outbox writes or verify reads. */
#define ANC_OUTBOX_FILE_MAX (4u << 20)

/*
 * Open the outbox directory, creating it (mode 0700) if absent.  An
 * existing directory must belong to the caller and not be writable by group
 * or others.  Returns ANC_OK, ANC_E_UNSAFE, ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_outbox_open(const char *dir, struct anc_outbox **out,
    struct anc_err *err);

/* ANC_E_EXISTS if anything (a file, a symlink) is at `name` already. */
ANC_MUST_CHECK
int anc_outbox_check_absent(struct anc_outbox *ob, const char *name,
    struct anc_err *err);

/*
 * Create `name` with `data`, atomically, its contents fsync'd, never
 * overwriting (anc_file_create_data_synced), and remember its SHA-256 for
 * SHA256SUMS.  `name` is a plain file name, or "manifests/" and a plain
 * file name (manifests/ is created, mode 0700, on first use).  The names
 * are fsync'd by anc_outbox_finish, before SHA256SUMS lists them.
 */
ANC_MUST_CHECK
int anc_outbox_add(struct anc_outbox *ob, const char *name,
    const void *data, size_t len, mode_t mode, struct anc_err *err);

/*
 * List in SHA256SUMS a file written into the outbox by other means (the
 * transcript, appended record by record through anc_outbox_dirfd()), once
 * it is complete: it is read back (a regular file, not a symlink) and
 * hashed.  Same names as anc_outbox_add, outside a batch step's
 * directories.  Returns ANC_OK, ANC_E_EXISTS
 * (already listed), ANC_E_INPUT (missing, not a regular file), ANC_E_IO.
 */
ANC_MUST_CHECK
int anc_outbox_record(struct anc_outbox *ob, const char *name,
    struct anc_err *err);

/* Sync the outbox's directories, then link SHA256SUMS, which lists every
 * file added or recorded, in that order: it is written as they are, not
 * held in memory. */
ANC_MUST_CHECK
int anc_outbox_finish(struct anc_outbox *ob, struct anc_err *err);

/*
 * With `on`, files are written whole but not synced one by one; a batch
 * step calls anc_outbox_sync (one syncfs of the outbox's file system)
 * before the transcript records the files, every 100 clusters, and
 * anc_outbox_finish syncs what is left before SHA256SUMS lists it.
 */
void anc_outbox_defer_sync(struct anc_outbox *ob, int on);
ANC_MUST_CHECK
int anc_outbox_sync(struct anc_outbox *ob, struct anc_err *err);

/*
 * Files written so far outside a batch step's directories (at the top and
 * in manifests/; bounded by the script), in order; NULL past the end.
 * Files in a batch step's directories are not kept: memory stays flat
 * however many clusters a batch writes.
 */
const char *anc_outbox_file(const struct anc_outbox *ob, size_t i);
/* SHA-256 (hex) of the i-th of those files. */
const char *anc_outbox_file_sha256(const struct anc_outbox *ob, size_t i);
size_t anc_outbox_count(const struct anc_outbox *ob);
/* Every file added or recorded, batch directories included. */
size_t anc_outbox_total(const struct anc_outbox *ob);
/* SHA-256 (hex) of the file added or recorded last; NULL before any. */
const char *anc_outbox_last_sha256(const struct anc_outbox *ob);
/* The batch steps' directories made so far ("fleet"); NULL past the end. */
const char *anc_outbox_batch_dir(const struct anc_outbox *ob, size_t i);
const char *anc_outbox_dir(const struct anc_outbox *ob);
/* The directory fd, for appending the transcript. */
ANC_MUST_CHECK
int anc_outbox_dirfd(const struct anc_outbox *ob);

void anc_outbox_free(struct anc_outbox *ob);

/* One finding of anc_outbox_verify(). */
struct anc_verify_item {
	char file[256];
	char kind[32];		/* "certificate", "bundle", "crl", "manifest", ... */
	int ok;
	char detail[256];	/* why it failed, or what it is */
};

/* Called with each finding, valid during the call; ANC_OK to go on. */
typedef int (*anc_verify_fn)(void *arg, const struct anc_verify_item *it,
    struct anc_err *err);

/*
 * Check an outbox: SHA256SUMS exists and lists every file, every listed
 * hash matches, every file is of an allowed kind (PEM certificates and
 * CRLs, manifests, the transcript, README), and no private key appears
 * anywhere but tls.key of a kubernetes.io/tls Secret.  `fn` gets one
 * finding for SHA256SUMS, then one per file it lists in its order, then
 * one per other entry at fault.  Memory does not grow with the outbox
 * (unless files are unlisted, which are then named).  Returns ANC_OK when
 * all pass, ANC_E_VERIFY (err says the first failure), or the callback's
 * error.
 */
ANC_MUST_CHECK
int anc_outbox_verify_each(const char *dir, anc_verify_fn fn, void *arg,
    struct anc_err *err);

/* The same, the findings collected in *items (owned by the caller,
 * free()), one entry per file. */
ANC_MUST_CHECK
int anc_outbox_verify(const char *dir, struct anc_verify_item **items,
    size_t *n, struct anc_err *err);

/* PEM text of one certificate or several in order.  *pem owned by caller. */
ANC_MUST_CHECK
int anc_pem_certs(X509 *const *certs, size_t n, char **pem, size_t *len,
    struct anc_err *err);

/*
 * Every CERTIFICATE block of a PEM buffer, in order (never only the
 * first).  Any other block type, or text that is not PEM, is refused with
 * a message naming `what` and the block number.  *out owned by caller.
 */
ANC_MUST_CHECK
int anc_pem_read_certs(const unsigned char *data, size_t len,
    const char *what, STACK_OF(X509) **out, struct anc_err *err);

/* The same for a PEM file (a regular file of at most ANC_OUTBOX_FILE_MAX
 * bytes, not a symlink), named in messages by its path. */
ANC_MUST_CHECK
int anc_pem_read_cert_file(const char *path, STACK_OF(X509) **out,
    struct anc_err *err);

/* SHA-256 fingerprint of a certificate's DER, lowercase hex. */
ANC_MUST_CHECK
int anc_cert_fingerprint(X509 *x, char out[65]);

/*
 * The first line of a wrapped-key blob that a backup-wrap step writes to
 * the backup medium (docs/backup.md).  `outbox verify` refuses any file
 * holding it: the outbox never carries key material, wrapped or not.
 */
#define ANC_WRAPPED_MAGIC "anchorage-wrapped-key: "

#endif /* ANCHORAGE_EXPORT_H */

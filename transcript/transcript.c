/*
 * anchorage: the transcript writer.  Append-only, hash-chained JSON lines,
 * each fsync'd as it is written, so that whatever happens to the machine
 * the file holds every record up to the last one that returned; see
 * transcript.h and docs/transcript-format.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "transcript_int.h"

struct anc_transcript {
	int fd;
	char *dir;
	int rehearsal;
	int unattended;
	size_t seq;			/* records written */
	char last[ANC_SHA256_HEX];	/* SHA-256 of the last line */
	int closed;			/* closing record written */
	int broken;			/* a write failed: the file may end
					 * in a partial line, write no more */
	int defer;			/* records not synced one by one */
	int unsynced;			/* written since the last fsync */
	/* The files "output" and "cluster" records name, in order, folded
	 * as they are written: the end record's count and hash, so that no
	 * list of them is kept (docs/transcript-format.md, "end"). */
	EVP_MD_CTX *files_md;
	size_t files;
};

int
anc_tr_open(int dirfd, const char *dir, int rehearsal, int unattended,
    struct anc_transcript **out, struct anc_err *err)
{
	struct anc_transcript *t;
	int fd;

	fd = openat(dirfd, ANC_TR_FILE, O_WRONLY | O_APPEND | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return anc_err_set(err, errno == EEXIST || errno == ELOOP ?
		    ANC_E_EXISTS : ANC_E_IO, "%s/%s: cannot create: %s%s", dir,
		    ANC_TR_FILE, strerror(errno), errno == EEXIST ?
		    "; a transcript is never overwritten" : "");
	/* The transcript is public material: exactly 0644, whatever the
	 * umask; and its name must survive a power cut like its records. */
	if (fchmod(fd, 0644) != 0 || fsync(dirfd) != 0) {
		close(fd);
		(void)unlinkat(dirfd, ANC_TR_FILE, 0);
		return anc_err_set(err, ANC_E_IO, "%s/%s: %s", dir, ANC_TR_FILE,
		    strerror(errno));
	}
	if ((t = calloc(1, sizeof(*t))) != NULL)
		t->fd = -1;
	if (t == NULL || (t->dir = strdup(dir)) == NULL ||
	    (t->files_md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(t->files_md, EVP_sha256(), NULL) != 1) {
		anc_tr_free(t);
		close(fd);
		(void)unlinkat(dirfd, ANC_TR_FILE, 0);
		return anc_err_set(err, ANC_E_NOMEM, "%s/%s", dir, ANC_TR_FILE);
	}
	t->fd = fd;
	t->rehearsal = rehearsal != 0;
	t->unattended = unattended != 0;
	memcpy(t->last, ANC_TR_ZERO, sizeof(t->last));
	*out = t;
	return ANC_OK;
}

void
anc_tr_defer_sync(struct anc_transcript *t, int on)
{
	t->defer = on != 0;
}

int
anc_tr_sync(struct anc_transcript *t, struct anc_err *err)
{
	if (!t->unsynced)
		return ANC_OK;
	if (anc_fd_sync(t->fd, err) != ANC_OK) {
		t->broken = 1;
		return anc_err_prefix(err, "%s/%s", t->dir, ANC_TR_FILE);
	}
	t->unsynced = 0;
	return ANC_OK;
}

void
anc_tr_free(struct anc_transcript *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	EVP_MD_CTX_free(t->files_md);
	free(t->dir);
	free(t);
}

int
anc_tr_closed(const struct anc_transcript *t)
{
	return t->closed;
}

const char *
anc_tr_last_hash(const struct anc_transcript *t)
{
	return t->last;
}

size_t
anc_tr_count(const struct anc_transcript *t)
{
	return t->seq;
}

void
anc_tr_time(time_t when, char out[21])
{
	struct tm tm;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

char *
anc_tr_dump(const json_t *rec)
{
	return json_dumps(rec, ANC_TR_JSON_FLAGS);
}

json_t *
anc_tr_str(const char *s)
{
	json_t *j;
	char *copy;
	size_t i;

	if ((copy = strdup(s != NULL ? s : "")) == NULL)
		return NULL;
	for (i = 0; copy[i] != '\0'; i++)
		if (((unsigned char)copy[i] < 0x20 && copy[i] != '\t' &&
		    copy[i] != '\n') || copy[i] == 0x7f)
			copy[i] = '?';
	if ((j = json_string(copy)) == NULL) {
		/* Not UTF-8: keep what can be read. */
		for (i = 0; copy[i] != '\0'; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		j = json_string(copy);
	}
	free(copy);
	return j;
}

/* The members every record has.  `rec` is modified in place; a field
 * that would be overwritten is a bug in the caller (-2). */
static int
frame(struct anc_transcript *t, const char *type, json_t *rec)
{
	static const char *const common[] = { "seq", "time", "type",
	    "rehearsal", "unattended", "prev" };
	char now[21];
	size_t i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (json_object_get(rec, common[i]) != NULL)
			return -2;
	anc_tr_time(time(NULL), now);
	if (json_object_set_new(rec, "seq", json_integer((json_int_t)t->seq +
	    1)) != 0 ||
	    json_object_set_new(rec, "time", json_string(now)) != 0 ||
	    json_object_set_new(rec, "type", json_string(type)) != 0 ||
	    json_object_set_new(rec, "rehearsal",
	    json_boolean(t->rehearsal)) != 0 ||
	    json_object_set_new(rec, "unattended",
	    json_boolean(t->unattended)) != 0 ||
	    json_object_set_new(rec, "prev", json_string(t->last)) != 0)
		return -1;
	return 0;
}

/* Append one canonical line and its newline, then fsync. */
static int
write_line(struct anc_transcript *t, const char *line, struct anc_err *err)
{
	size_t len = strlen(line);
	char *buf;
	int r;

	if ((buf = malloc(len + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s/%s", t->dir,
		    ANC_TR_FILE);
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* One write call for the whole line: O_APPEND keeps it together. */
	r = t->defer ? anc_file_append_nosync(t->fd, buf, len + 1, err) :
	    anc_file_append_sync(t->fd, buf, len + 1, err);
	t->unsynced = t->defer;
	free(buf);
	if (r != ANC_OK) {
		t->broken = 1;
		return anc_err_prefix(err, "%s/%s: record %zu", t->dir,
		    ANC_TR_FILE, t->seq + 1);
	}
	anc_sha256_hex(line, len, t->last);
	t->seq++;
	return ANC_OK;
}

static int
writable(const struct anc_transcript *t, struct anc_err *err)
{
	if (t->broken)
		return anc_err_set(err, ANC_E_IO, "%s/%s: an earlier record "
		    "could not be written; nothing more is appended", t->dir,
		    ANC_TR_FILE);
	if (t->closed)
		return anc_err_set(err, ANC_E_INTERNAL, "%s/%s: already "
		    "closed, expected no more records", t->dir, ANC_TR_FILE);
	return ANC_OK;
}

/* One file of an output or cluster record into the running hash. */
static int
fold_file(struct anc_transcript *t, const json_t *f)
{
	const char *name = json_string_value(json_object_get(f, "file"));
	const char *sha = json_string_value(json_object_get(f, "sha256"));

	if (name == NULL || sha == NULL ||
	    EVP_DigestUpdate(t->files_md, sha, strlen(sha)) != 1 ||
	    EVP_DigestUpdate(t->files_md, "  ", 2) != 1 ||
	    EVP_DigestUpdate(t->files_md, name, strlen(name)) != 1 ||
	    EVP_DigestUpdate(t->files_md, "\n", 1) != 1)
		return -1;
	t->files++;
	return 0;
}

/* The files a record names, checked before it is written: a record
 * that cannot be folded is not written either. */
static int
fold_files(struct anc_transcript *t, const char *type, const json_t *rec)
{
	const json_t *files;
	size_t i;

	if (strcmp(type, "output") == 0)
		return fold_file(t, rec);
	if (strcmp(type, "cluster") != 0)
		return 0;
	files = json_object_get(rec, "files");
	for (i = 0; i < json_array_size(files); i++)
		if (fold_file(t, json_array_get(files, i)) != 0)
			return -1;
	return 0;
}

int
anc_tr_outputs(const struct anc_transcript *t, size_t *count,
    char hex[ANC_SHA256_HEX])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_MD_CTX *copy;
	int r = -1;

	if ((copy = EVP_MD_CTX_new()) != NULL &&
	    EVP_MD_CTX_copy_ex(copy, t->files_md) == 1 &&
	    EVP_DigestFinal_ex(copy, md, &n) == 1 && n == sizeof(md)) {
		anc_hex(md, sizeof(md), hex);
		*count = t->files;
		r = 0;
	}
	EVP_MD_CTX_free(copy);
	return r;
}

int
anc_tr_append(struct anc_transcript *t, const char *type, json_t *fields,
    struct anc_err *err)
{
	char *line = NULL;
	int r = ANC_E_INTERNAL;

	if (fields == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "transcript record \"%s\"",
		    type);
		goto out;
	}
	if ((r = writable(t, err)) != ANC_OK)
		goto out;
	if ((r = frame(t, type, fields)) != 0 || (line = anc_tr_dump(fields))
	    == NULL) {
		r = anc_err_set(err, r == -2 ? ANC_E_INTERNAL : ANC_E_NOMEM,
		    "transcript record \"%s\"", type);
		goto out;
	}
	if ((r = write_line(t, line, err)) == ANC_OK &&
	    fold_files(t, type, fields) != 0) {
		/* The line is written but the end record could not account
		 * for it: nothing more may be appended. */
		t->broken = 1;
		r = anc_err_set(err, ANC_E_CRYPTO, "%s/%s: record %zu: the "
		    "running hash of the outputs", t->dir, ANC_TR_FILE, t->seq);
	}
 out:
	free(line);
	json_decref(fields);
	return r;
}

const char *
anc_tr_sig_alg(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		return "ecdsa-with-SHA256";
	case EVP_PKEY_RSA:
		return "sha256WithRSAEncryption";
	default:
		return NULL;
	}
}

/* Base64 (no line breaks) of `len` bytes; malloc'd or NULL. */
static char *
b64(const unsigned char *data, size_t len)
{
	char *out;

	if (len > 1u << 24 || (out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

char *
anc_tr_spki_b64(EVP_PKEY *pub)
{
	unsigned char *der = NULL;
	char *out;
	int n;

	if ((n = i2d_PUBKEY(pub, &der)) <= 0)
		return NULL;
	out = b64(der, (size_t)n);
	OPENSSL_free(der);
	return out;
}

int
anc_tr_spki_sha256(EVP_PKEY *pub, char out[65])
{
	unsigned char *der = NULL;
	int n;

	if ((n = i2d_PUBKEY(pub, &der)) <= 0)
		return -1;
	anc_sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

/* Sign `msg` with SHA-256 in the token, then verify with `pub`. */
static int
sign_verify(EVP_PKEY *signer, EVP_PKEY *pub, const char *msg,
    unsigned char **sig, size_t *siglen, struct anc_err *err)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *s = NULL;
	size_t n = 0, len = strlen(msg);
	int r = ANC_E_INTERNAL;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, signer) != 1 ||
	    EVP_DigestSignUpdate(ctx, msg, len) != 1 ||
	    EVP_DigestSignFinal(ctx, NULL, &n) != 1 ||
	    (s = OPENSSL_malloc(n)) == NULL ||
	    EVP_DigestSignFinal(ctx, s, &n) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "signing the closing "
		    "record");
		goto out;
	}
	EVP_MD_CTX_free(ctx);
	/* As for every certificate: a signature is verified with the public
	 * key as the token holds it before anything is written. */
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) != 1 ||
	    EVP_DigestVerify(ctx, s, n, (const unsigned char *)msg, len) !=
	    1) {
		r = anc_err_ossl(err, ANC_E_BADSIG, "the closing record's "
		    "signature does not verify with the token's public key");
		goto out;
	}
	*sig = s;
	s = NULL;	/* transferred */
	*siglen = n;
	/* success */
	r = ANC_OK;
 out:
	OPENSSL_free(s);
	EVP_MD_CTX_free(ctx);
	return r;
}

/* Add "signature" over the canonical form of `rec` as it stands. */
static int
add_signature(json_t *rec, EVP_PKEY *signer, EVP_PKEY *pub,
    struct anc_err *err)
{
	unsigned char *sig = NULL;
	char *body = NULL, *text = NULL;
	size_t siglen = 0;
	int r = ANC_E_INTERNAL;

	if ((body = anc_tr_dump(rec)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	if ((r = sign_verify(signer, pub, body, &sig, &siglen, err)) !=
	    ANC_OK)
		goto out;
	if ((text = b64(sig, siglen)) == NULL ||
	    json_object_set_new(rec, "signature", json_string(text)) != 0) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	free(text);
	OPENSSL_free(sig);
	free(body);
	return r;
}

int
anc_tr_close(struct anc_transcript *t, const char *type, json_t *fields,
    EVP_PKEY *signer, EVP_PKEY *pub, struct anc_err *err)
{
	char *line = NULL;
	int r = ANC_E_INTERNAL;

	if (fields == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	if ((r = writable(t, err)) != ANC_OK)
		goto out;
	if ((r = frame(t, type, fields)) != 0) {
		r = anc_err_set(err, r == -2 ? ANC_E_INTERNAL : ANC_E_NOMEM,
		    "closing record");
		goto out;
	}
	if (signer != NULL && (r = add_signature(fields, signer, pub, err)) !=
	    ANC_OK)
		goto out;
	if ((line = anc_tr_dump(fields)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "closing record");
		goto out;
	}
	if ((r = write_line(t, line, err)) != ANC_OK)
		goto out;
	t->closed = 1;
	/* success */
	r = ANC_OK;
 out:
	free(line);
	json_decref(fields);
	return r;
}

int
anc_pgp_words(const unsigned char *data, size_t len, char *out, size_t cap)
{
	const char *w;
	size_t i, off = 0, wl;

	if (cap == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < len; i++) {
		w = (i % 2 == 0 ? anc_pgp_even : anc_pgp_odd)[data[i]];
		wl = strlen(w);
		if (off + (i > 0) + wl + 1 > cap) {
			out[0] = '\0';
			return -1;
		}
		if (i > 0)
			out[off++] = ' ';
		memcpy(out + off, w, wl + 1);
		off += wl;
	}
	return 0;
}

int
anc_pgp_words_hex(const char *hex, char *out, size_t cap)
{
	unsigned char bin[32];
	size_t n;

	if (strlen(hex) != 64 || OPENSSL_hexstr2buf_ex(bin, sizeof(bin),
	    &n, hex, '\0') != 1 || n != 32) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	return anc_pgp_words(bin, sizeof(bin), out, cap);
}

/*
 * anchorage: `transcript verify`.  The transcript is checked on its own
 * terms, without trusting the run that wrote it: every line is a record in
 * canonical form, numbered, chained to the line before; it opens with
 * "start" and closes with "end" or "abort" and nothing after; every output
 * file it names has the recorded SHA-256; and the closing signature
 * verifies with a key that a certificate the verifier holds vouches for.
 * The first failure is named by line (which is also the record's seq) or
 * by file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "transcript_int.h"

struct vctx {
	const char *outbox;
	const char *anchor;
	struct anc_tr_summary *s;
	json_t *records;		/* every record, in order */
	char prev[ANC_SHA256_HEX];	/* SHA-256 of the line before */
	int rehearsal, unattended;
	int expect_signed;		/* the start record names a signer */
};

static int
vfail(struct vctx *v, size_t line, struct anc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "OUTBOX/transcript.jsonl:LINE: ..." and the line in the summary. */
static int
vfail(struct vctx *v, size_t line, struct anc_err *err, const char *fmt, ...)
{
	char msg[ANC_ERR_MSG_MAX];
	unsigned char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The message quotes the transcript, whose strings may hold terminal
	 * escapes that would redraw what the operator reads. */
	for (p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	v->s->fail_line = line;
	return anc_err_set(err, ANC_E_VERIFY, "%s/%s:%zu: record %zu: %s",
	    v->outbox, ANC_TR_FILE, line, line, msg);
}

static const char *
str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int
known_type(const char *t)
{
	static const char *const types[] = { "start", "participants",
	    "token", "input", "step", "key", "output", "cluster",
	    "confirmation", "exception", "split-pin", "context-login",
	    "backup-keypair", "backup-trust", "backup-wrap", "backup-restore",
	    "backup-verify", "abort", "end" };
	size_t i;

	for (i = 0; t != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

static int
is_closing(const char *t)
{
	return t != NULL && (strcmp(t, "end") == 0 || strcmp(t, "abort") == 0);
}

/* The line parses to an object and is exactly its canonical form. */
static int
parse_line(struct vctx *v, const char *line, size_t len, size_t no,
    json_t **out, struct anc_err *err)
{
	json_error_t je;
	json_t *rec;
	char *canon;
	int same;

	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (rec == NULL || !json_is_object(rec)) {
		json_decref(rec);
		return vfail(v, no, err, "not a JSON object (%s at column %d)",
		    rec == NULL ? je.text : "another JSON value", je.column);
	}
	canon = anc_tr_dump(rec);
	same = canon != NULL && strlen(canon) == len &&
	    memcmp(canon, line, len) == 0;
	free(canon);
	if (!same) {
		json_decref(rec);
		return vfail(v, no, err, "not in canonical form (compact, keys "
		    "sorted): the line was edited");
	}
	*out = rec;
	return ANC_OK;
}

/* seq, prev, type, time and the run-wide flags. */
static int
check_frame(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const char *prev = str(rec, "prev"), *type = str(rec, "type");
	const char *when = str(rec, "time");
	json_t *seq = json_object_get(rec, "seq");

	if (prev == NULL || strcmp(prev, v->prev) != 0)
		return vfail(v, no, err, "prev is %s, expected %s, the SHA-256 "
		    "of %s: a record at or before this line was changed, "
		    "removed, added or moved", prev != NULL ? prev : "missing",
		    v->prev, no == 1 ? "nothing (64 zeros)" : "the line before");
	if (!json_is_integer(seq) || json_integer_value(seq) != (json_int_t)no)
		return vfail(v, no, err, "seq is %lld, expected %zu: records "
		    "were removed, added or moved", json_is_integer(seq) ?
		    (long long)json_integer_value(seq) : -1LL, no);
	if (!known_type(type))
		return vfail(v, no, err, "type \"%s\" is not a record type",
		    type != NULL ? type : "");
	if (when == NULL || strlen(when) != 20 || when[10] != 'T' ||
	    when[19] != 'Z')
		return vfail(v, no, err, "time is not RFC 3339 UTC");
	if (!json_is_boolean(json_object_get(rec, "rehearsal")) ||
	    !json_is_boolean(json_object_get(rec, "unattended")))
		return vfail(v, no, err, "rehearsal and unattended must be "
		    "true or false");
	if (no == 1) {
		v->rehearsal = json_is_true(json_object_get(rec, "rehearsal"));
		v->unattended = json_is_true(json_object_get(rec,
		    "unattended"));
	}
	if (json_is_true(json_object_get(rec, "rehearsal")) != v->rehearsal ||
	    json_is_true(json_object_get(rec, "unattended")) != v->unattended)
		return vfail(v, no, err, "rehearsal or unattended differs from "
		    "the first record");
	return ANC_OK;
}

/* An outbox file name as the writer makes them: plain, or manifests/. */
static int
safe_name(const char *f)
{
	const unsigned char *p;
	const char *c = f;
	size_t n;
	int parts = 0;

	/* As the outbox names files: up to 4 components (a batch step's
	 * "out/cluster/manifests/x.yaml"), none empty, "." or "..". */
	if (strlen(f) > 255)
		return 0;
	for (;;) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.') || ++parts > 4)
			return 0;
		if (c[n] == '\0')
			break;
		c += n + 1;
	}
	for (p = (const unsigned char *)f; *p != '\0'; p++)
		if (*p == '\\' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int
check_output(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const char *file = str(rec, "file"), *want = str(rec, "sha256");
	char path[4096 + 256], got[ANC_SHA256_HEX];
	unsigned char *data = NULL;
	struct anc_err rerr;
	size_t len = 0;

	if (file == NULL || want == NULL || !safe_name(file))
		return vfail(v, no, err, "output record without a valid file "
		    "name and sha256");
	snprintf(v->s->fail_file, sizeof(v->s->fail_file), "%s", file);
	snprintf(path, sizeof(path), "%s/%s", v->outbox, file);
	if (anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, &rerr) !=
	    ANC_OK)
		return vfail(v, no, err, "output %s: %s", file, rerr.msg);
	anc_sha256_hex(data, len, got);
	/* It may be the Secret manifest, which holds a private key. */
	anc_freezero(data, len + 1);
	if (strcmp(got, want) != 0)
		return vfail(v, no, err, "output %s has SHA-256 %s, the "
		    "transcript records %s: the file was changed", path, got,
		    want);
	v->s->fail_file[0] = '\0';
	v->s->outputs++;
	return ANC_OK;
}

/* A batch step's cluster: each of its files as an output record. */
static int
check_cluster(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const json_t *files = json_object_get(rec, "files");
	size_t i;
	int r;

	if (!json_is_array(files) || json_array_size(files) == 0)
		return vfail(v, no, err, "cluster record without files");
	for (i = 0; i < json_array_size(files); i++)
		if ((r = check_output(v, json_array_get(files, i), no, err)) !=
		    ANC_OK)
			return r;
	return ANC_OK;
}

/* What each kind of record must hold for the rest to be checked. */
static int
check_record(struct vctx *v, const json_t *rec, size_t no, size_t last,
    struct anc_err *err)
{
	const char *type = str(rec, "type");

	if ((no == 1) != (strcmp(type, "start") == 0))
		return vfail(v, no, err, "%s", no == 1 ? "the first record "
		    "must be \"start\"" : "a second \"start\" record");
	if (is_closing(type) && no != last)
		return vfail(v, no, err, "records follow the closing \"%s\" "
		    "record", type);
	if (!is_closing(type) && no == last)
		return vfail(v, no, err, "the last record is \"%s\", expected "
		    "a closing \"end\" or \"abort\": the transcript is cut "
		    "short", type);
	if (no == 1) {
		snprintf(v->s->ceremony, sizeof(v->s->ceremony), "%s",
		    str(rec, "ceremony") != NULL ? str(rec, "ceremony") : "");
		v->expect_signed = json_is_object(json_object_get(rec,
		    "signer"));
	}
	if (strcmp(type, "output") == 0)
		return check_output(v, rec, no, err);
	if (strcmp(type, "cluster") == 0)
		return check_cluster(v, rec, no, err);
	return ANC_OK;
}

/* Base64 without line breaks to bytes; NULL if it is not base64. */
static unsigned char *
unb64(const char *text, size_t *len)
{
	size_t n = strlen(text), pad = 0;
	unsigned char *out;
	int got;

	if (n == 0 || n % 4 != 0 || n > 1u << 24 ||
	    (out = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	if ((got = EVP_DecodeBlock(out, (const unsigned char *)text,
	    (int)n)) < 0) {
		free(out);
		return NULL;
	}
	pad = (size_t)(text[n - 1] == '=') + (size_t)(text[n - 2] == '=');
	*len = (size_t)got - pad;
	return out;
}

/* The signer's public key from its base64 SubjectPublicKeyInfo. */
static EVP_PKEY *
signer_key(const json_t *signer)
{
	const char *spki = str(signer, "spki");
	const unsigned char *p;
	unsigned char *der;
	EVP_PKEY *k;
	size_t len = 0;

	if (spki == NULL || (der = unb64(spki, &len)) == NULL)
		return NULL;
	p = der;
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k != NULL && p != der + len) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	free(der);
	return k;
}

/* The signature over the record's canonical form without "signature". */
static int
signature_ok(const json_t *rec, EVP_PKEY *pub, const char *sig_b64)
{
	unsigned char *sig = NULL;
	EVP_MD_CTX *ctx = NULL;
	json_t *body = json_deep_copy(rec);
	char *text = NULL;
	size_t len = 0;
	int ok = 0;

	if (body == NULL || json_object_del(body, "signature") != 0 ||
	    (text = anc_tr_dump(body)) == NULL ||
	    (sig = unb64(sig_b64, &len)) == NULL)
		goto out;
	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, len, (const unsigned char *)text,
	    strlen(text)) == 1;
 out:
	EVP_MD_CTX_free(ctx);
	free(sig);
	free(text);
	json_decref(body);
	return ok;
}

/* Does a certificate in the PEM file `path` carry `pub`?  Its
 * fingerprint goes to fp; one matching `want` is preferred. */
static int
anchor_in(const char *path, EVP_PKEY *pub, const char *want, char fp[65])
{
	STACK_OF(X509) *certs = NULL;
	unsigned char *data = NULL;
	struct anc_err ignore;
	size_t len = 0;
	int i, found = 0;
	char f[65];
	X509 *x;

	if (anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, &ignore) !=
	    ANC_OK)
		return 0;
	/* Files that are not certificates (CRLs) do not vouch for keys. */
	if (anc_pem_read_certs(data, len, path, &certs, &ignore) != ANC_OK)
		certs = NULL;
	for (i = 0; i < sk_X509_num(certs) && found < 2; i++) {
		x = sk_X509_value(certs, i);
		if (EVP_PKEY_eq(X509_get0_pubkey(x), pub) != 1 ||
		    anc_cert_fingerprint(x, f) != ANC_OK)
			continue;
		if (found == 0 || strcmp(f, want) == 0)
			memcpy(fp, f, sizeof(f));
		found = strcmp(f, want) == 0 ? 2 : 1;
	}
	sk_X509_pop_free(certs, X509_free);
	free(data);
	return found;
}

static int
pem_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".pem") == 0;
}

/*
 * A certificate for `pub`: in --anchor alone when it is given, because
 * that is the verifier naming the key it trusts, and a certificate the
 * outbox brings along (which whoever rewrote the transcript could have
 * put there) must not stand in for it; else in the outbox's PEM files.
 */
static int
find_anchor(struct vctx *v, EVP_PKEY *pub, const char *want)
{
	struct dirent **names = NULL;
	char path[4096];
	int i, n, found = 0;

	if (v->anchor != NULL) {
		if ((found = anchor_in(v->anchor, pub, want,
		    v->s->anchor_sha256)) > 0)
			snprintf(v->s->anchor_file, sizeof(v->s->anchor_file),
			    "%s", v->anchor);
		return found > 0;
	}
	n = scandir(v->outbox, &names, pem_name, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", v->outbox,
		    names[i]->d_name);
		if (found == 0 && (found = anchor_in(path, pub, want,
		    v->s->anchor_sha256)) > 0)
			snprintf(v->s->anchor_file, sizeof(v->s->anchor_file),
			    "%s", path);
		free(names[i]);
	}
	free(names);
	return found > 0;
}

static int
check_unsigned(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const char *why = str(rec, "unsigned_reason");

	if (!json_is_null(json_object_get(rec, "signer")) || why == NULL)
		return vfail(v, no, err, "neither signed nor saying why not");
	if (v->expect_signed && strcmp(str(rec, "type"), "end") == 0)
		return vfail(v, no, err, "the start record names the key that "
		    "signs the closing record, but the end record is unsigned");
	snprintf(v->s->unsigned_reason, sizeof(v->s->unsigned_reason), "%s",
	    why);
	return ANC_OK;
}

static int
check_closing(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const json_t *signer = json_object_get(rec, "signer");
	const char *sig = str(rec, "signature"), *want;
	EVP_PKEY *pub;
	int r = ANC_OK;

	v->s->complete = strcmp(str(rec, "type"), "end") == 0;
	if (sig == NULL)
		return check_unsigned(v, rec, no, err);
	want = str(signer, "certificate_sha256");
	if ((pub = signer_key(signer)) == NULL || want == NULL)
		return vfail(v, no, err, "signer.spki is not a public key");
	if (!signature_ok(rec, pub, sig))
		r = vfail(v, no, err, "the signature does not verify with "
		    "signer.spki: the closing record was changed");
	else if (!find_anchor(v, pub, want))
		r = v->anchor != NULL ? vfail(v, no, err, "the signature "
		    "verifies, but no certificate in %s (--anchor) carries the "
		    "signing key: the transcript was not signed by that root",
		    v->anchor) : vfail(v, no, err, "the signature verifies, but "
		    "no certificate in %s/*.pem carries the signing key; give "
		    "the root certificate with --anchor FILE", v->outbox);
	else
		v->s->is_signed = 1;
	EVP_PKEY_free(pub);
	return r;
}

/* Lines of the file: each ends in '\n'; the last one must too. */
static size_t
count_lines(const char *d, size_t n)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++)
		lines += d[i] == '\n';
	return lines + (n > 0 && d[n - 1] != '\n');
}

static int
check_line(struct vctx *v, const char *line, size_t len, size_t no,
    size_t last, struct anc_err *err)
{
	json_t *rec = NULL;
	int r;

	if ((r = parse_line(v, line, len, no, &rec, err)) != ANC_OK)
		return r;
	if ((r = check_frame(v, rec, no, err)) != ANC_OK ||
	    (r = check_record(v, rec, no, last, err)) != ANC_OK ||
	    (no == last && (r = check_closing(v, rec, no, err)) != ANC_OK)) {
		json_decref(rec);
		return r;
	}
	anc_sha256_hex(line, len, v->prev);
	if (json_array_append_new(v->records, rec) != 0)
		return anc_err_set(err, ANC_E_NOMEM, "transcript");
	return ANC_OK;
}

static int
check_all(struct vctx *v, const char *d, size_t n, struct anc_err *err)
{
	size_t last = count_lines(d, n), no, off = 0, len;
	const char *nl;
	int r;

	if (last == 0)
		return vfail(v, 1, err, "the transcript is empty");
	for (no = 1; no <= last; no++) {
		nl = memchr(d + off, '\n', n - off);
		if (nl == NULL)
			return vfail(v, no, err, "the line does not end with a "
			    "newline: the record was cut short");
		len = (size_t)(nl - (d + off));
		if (memchr(d + off, '\0', len) != NULL)
			return vfail(v, no, err, "a NUL byte in the line");
		if ((r = check_line(v, d + off, len, no, last, err)) != ANC_OK)
			return r;
		off += len + 1;
	}
	v->s->records = last;
	memcpy(v->s->closing_hash, v->prev, sizeof(v->s->closing_hash));
	v->s->rehearsal = v->rehearsal;
	v->s->unattended = v->unattended;
	/* The hash is ours and the buffer holds 32 words: cannot fail. */
	if (anc_pgp_words_hex(v->prev, v->s->words, sizeof(v->s->words)) != 0)
		return anc_err_set(err, ANC_E_INTERNAL, "closing hash words");
	return ANC_OK;
}

int
anc_tr_load_verified(const char *outbox, const char *anchor,
    json_t **records, struct anc_tr_summary *s, struct anc_err *err)
{
	struct vctx v;
	unsigned char *data = NULL;
	char path[4096];
	size_t len = 0;
	int r;

	memset(s, 0, sizeof(*s));
	memset(&v, 0, sizeof(v));
	v.outbox = outbox;
	v.anchor = anchor;
	v.s = s;
	memcpy(v.prev, ANC_TR_ZERO, sizeof(v.prev));
	snprintf(path, sizeof(path), "%s/%s", outbox, ANC_TR_FILE);
	snprintf(s->fail_file, sizeof(s->fail_file), "%s", ANC_TR_FILE);
	if ((r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len,
	    err)) != ANC_OK) {
		/* Missing or unreadable is a failed verification too. */
		err->code = ANC_E_VERIFY;
		return ANC_E_VERIFY;
	}
	s->fail_file[0] = '\0';
	if ((v.records = json_array()) == NULL)
		r = anc_err_set(err, ANC_E_NOMEM, "transcript");
	else
		r = check_all(&v, (const char *)data, len, err);
	free(data);
	if (r != ANC_OK) {
		json_decref(v.records);
		return r;
	}
	*records = v.records;	/* transferred */
	return ANC_OK;
}

int
anc_transcript_verify(const char *outbox, const char *anchor,
    struct anc_tr_summary *s, struct anc_err *err)
{
	json_t *records = NULL;
	int r;

	r = anc_tr_load_verified(outbox, anchor, &records, s, err);
	json_decref(records);
	return r;
}

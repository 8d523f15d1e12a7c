/*
 * anchorage: `transcript verify`, the closing record's signature.  It must
 * verify with signer.spki over the record without "signature", and a
 * certificate the verifier holds (--anchor, or the outbox's PEM files)
 * must carry that key; an unsigned closing record must say why, and may
 * not be an "end" record that the start record said would be signed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "verify_int.h"


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
	const char *spki = anc_trv_str(signer, "spki");
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
 * fingerprint goes to fp; one matching `want` is preferred.  Read whole:
 * a PEM file the outbox writes is at most ANC_OUTBOX_FILE_MAX (only the
 * transcript grows past it); an --anchor is a root or a short bundle. */
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
	const char *why = anc_trv_str(rec, "unsigned_reason");

	if (!json_is_null(json_object_get(rec, "signer")) || why == NULL)
		return anc_trv_fail(v, no, err, "neither signed nor saying "
		    "why not");
	if (v->expect_signed && strcmp(anc_trv_str(rec, "type"), "end") == 0)
		return anc_trv_fail(v, no, err, "the start record names the "
		    "key that signs the closing record, but the end record is "
		    "unsigned");
	snprintf(v->s->unsigned_reason, sizeof(v->s->unsigned_reason), "%s",
	    why);
	return ANC_OK;
}

int
anc_trv_closing(struct vctx *v, const json_t *rec, size_t no,
    struct anc_err *err)
{
	const json_t *signer = json_object_get(rec, "signer");
	const char *sig = anc_trv_str(rec, "signature"), *want;
	EVP_PKEY *pub;
	int r = ANC_OK;

	v->s->complete = strcmp(anc_trv_str(rec, "type"), "end") == 0;
	if (sig == NULL)
		return check_unsigned(v, rec, no, err);
	want = anc_trv_str(signer, "certificate_sha256");
	if ((pub = signer_key(signer)) == NULL || want == NULL)
		return anc_trv_fail(v, no, err, "signer.spki is not a public "
		    "key");
	if (!signature_ok(rec, pub, sig))
		r = anc_trv_fail(v, no, err, "the signature does not verify "
		    "with signer.spki: the closing record was changed");
	else if (!find_anchor(v, pub, want))
		r = v->anchor != NULL ? anc_trv_fail(v, no, err, "the "
		    "signature verifies, but no certificate in %s (--anchor) "
		    "carries the signing key: the transcript was not signed by "
		    "that root", v->anchor) : anc_trv_fail(v, no, err, "the "
		    "signature verifies, but no certificate in %s/*.pem "
		    "carries the signing key; give the root certificate with "
		    "--anchor FILE", v->outbox);
	else
		v->s->is_signed = 1;
	EVP_PKEY_free(pub);
	return r;
}

/*
 * anchorage: the kubernetes.io/tls Secret for cert-manager's CA issuer,
 * the one manifest that carries a private key.
 *
 * The key must match the issuing CA, the chain must be one chain up to
 * the root (cert-manager fails every issuance otherwise), and the key's
 * PEM and base64 live only in memory that is wiped: they never pass
 * through libyaml, which is given a placeholder the key is written over
 * afterwards.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/manifest.h"
#include "anchorage/secmem.h"
#include "manifest_int.h"
#include "yaml_emit.h"

#define PREFIX ANC_ANNOTATION_PREFIX

/* The key must be the issuing CA's, or every signing fails in-cluster. */
static int
check_key(X509 *ca, EVP_PKEY *key, struct anc_err *err)
{
	if (key == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "tls.key: no key");
	if (X509_check_private_key(ca, key) != 1)
		return anc_err_ossl(err, ANC_E_INTERNAL, "tls.key: does not "
		    "match the issuing CA certificate (tls.crt's first)");
	return ANC_OK;
}

/*
 * The key as unencrypted PKCS#8 PEM, which cert-manager reads, in a BIO
 * whose buffer is cleansed on free (BIO_s_secmem).  Encoded here from the
 * key itself rather than handed in as PEM: the check above is then made on
 * the key that is written, with no decoding of it (a sixth of a ceremony
 * in OpenSSL 3.0).
 */
static int
key_pem(EVP_PKEY *key, BIO **bio, BUF_MEM **mem, struct anc_err *err)
{
	if ((*bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(*bio, key, NULL, NULL, 0, NULL,
	    NULL) != 1)
		return anc_err_ossl(err, ANC_E_CRYPTO, "tls.key: PEM");
	BIO_get_mem_ptr(*bio, mem);
	if ((*mem)->length == 0 || (*mem)->length > INT_MAX / 2)
		return anc_err_set(err, ANC_E_INTERNAL, "tls.key: PEM of %zu "
		    "bytes", (*mem)->length);
	return ANC_OK;
}

/* Base64 without line breaks, as Kubernetes `data` wants it. */
static size_t
b64_len(size_t n)
{
	return 4 * ((n + 2) / 3);
}

static int
b64(const void *in, size_t n, const char *what, char **out,
    struct anc_err *err)
{
	char *buf;

	if (n > INT_MAX / 2)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: too large", what);
	if ((buf = malloc(b64_len(n) + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	EVP_EncodeBlock((unsigned char *)buf, in, (int)n);
	*out = buf;	/* transferred */
	return ANC_OK;
}

struct secret_parts {
	char *crt;	/* base64 of tls.crt */
	char *ca;	/* base64 of ca.crt */
	char *hole;	/* stands where the key's base64 goes */
	size_t hole_len;
};

static void
secret_parts_free(struct secret_parts *sp)
{
	free(sp->crt);
	free(sp->ca);
	free(sp->hole);
}

/* Base64 of the PEM of `n` certificates. */
static int
certs_b64(X509 *const *certs, size_t n, const char *what, char **out,
    struct anc_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	int r;

	if ((r = anc_pem_certs(certs, n, &pem, &len, err)) != ANC_OK)
		return anc_err_prefix(err, "%s", what);
	r = b64(pem, len, what, out, err);
	free(pem);
	return r;
}

/*
 * The key's base64 never passes through libyaml, which copies every
 * scalar into memory it frees without wiping.  The document is emitted
 * with a placeholder of the same length, in characters base64 never uses,
 * that libyaml writes unchanged inside double quotes; the key is written
 * over it afterwards.
 */
static int
secret_parts(X509 *const *chain, size_t n, size_t key_len,
    struct secret_parts *sp, struct anc_err *err)
{
	int r;

	if ((r = certs_b64(chain, n, "tls.crt", &sp->crt, err)) != ANC_OK ||
	    (r = certs_b64(&chain[n - 1], 1, "ca.crt", &sp->ca, err)) !=
	    ANC_OK)
		return r;
	sp->hole_len = b64_len(key_len);
	if ((sp->hole = malloc(sp->hole_len + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "tls.key");
	memset(sp->hole, '*', sp->hole_len);
	sp->hole[sp->hole_len] = '\0';
	return ANC_OK;
}

/* Write the key's base64 over the placeholder, which must occur once. */
static int
fill_key(char *doc, size_t len, const struct secret_parts *sp,
    const char *key_pem, size_t key_len, struct anc_err *err)
{
	char *at, *b = NULL;
	size_t hl = sp->hole_len;
	int r = ANC_E_INTERNAL;

	at = memmem(doc, len, sp->hole, hl);
	if (at == NULL || at == doc || at[-1] != '"' || at[hl] != '"' ||
	    memmem(at + hl, len - (size_t)(at - doc) - hl, sp->hole, hl) !=
	    NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "tls.key: the emitted "
		    "Secret does not hold exactly one key placeholder");
		goto out;
	}
	if ((r = b64(key_pem, key_len, "tls.key", &b, err)) != ANC_OK)
		goto out;
	memcpy(at, b, hl);
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(b, hl + 1);
	return r;
}

static void
emit_secret(struct anc_yaml *y, const struct anc_manifest_meta *m,
    const struct secret_parts *sp)
{
	anc_manifest_emit_head(y, "v1", "Secret", m);
	anc_yaml_kv(y, "type", "kubernetes.io/tls");
	anc_yaml_key(y, "data");
	anc_yaml_map(y);
	anc_yaml_kv(y, "tls.crt", sp->crt);
	anc_yaml_kv(y, "tls.key", sp->hole);
	anc_yaml_kv(y, "ca.crt", sp->ca);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

int
anc_manifest_tls_secret(const char *name, const char *ns,
    X509 *const *chain, size_t n, EVP_PKEY *key,
    const struct anc_provenance *p, char **out, size_t *len,
    struct anc_err *err)
{
	struct secret_parts sp = { NULL, NULL, NULL, 0 };
	struct anc_manifest_cert ica, root;
	struct anc_yaml y;
	struct anc_manifest_ann ann[4];
	struct anc_manifest_meta m = { name, ns, "issuing-ca", p, ann, 4 };
	BIO *kbio = NULL;
	BUF_MEM *kmem = NULL;
	char *doc = NULL;
	size_t doc_len = 0;
	int r = ANC_E_INTERNAL;

	if ((r = anc_yaml_open(&y, err)) != ANC_OK)
		goto out;
	if (ns == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "Secret %s: no namespace",
		    name != NULL ? name : "");
		goto out;
	}
	if ((r = anc_manifest_check_meta("Secret", &m, err)) != ANC_OK ||
	    (r = anc_manifest_check_chain("tls.crt", chain, n, err)) !=
	    ANC_OK ||
	    (r = check_key(chain[0], key, err)) != ANC_OK ||
	    (r = key_pem(key, &kbio, &kmem, err)) != ANC_OK ||
	    (r = anc_manifest_cert_info(chain[0], "issuing CA", &ica,
	    err)) != ANC_OK ||
	    (r = anc_manifest_cert_info(chain[n - 1], "root", &root,
	    err)) != ANC_OK ||
	    (r = secret_parts(chain, n, kmem->length, &sp, err)) != ANC_OK)
		goto out;
	ann[0] = (struct anc_manifest_ann){ PREFIX "issuing-ca-sha256",
	    ica.sha256 };
	ann[1] = (struct anc_manifest_ann){ PREFIX "issuing-ca-not-after",
	    ica.not_after };
	ann[2] = (struct anc_manifest_ann){ PREFIX "root-sha256",
	    root.sha256 };
	ann[3] = (struct anc_manifest_ann){ PREFIX "root-not-after",
	    root.not_after };
	emit_secret(&y, &m, &sp);
	if ((r = anc_yaml_close(&y, "Secret", &doc, &doc_len, err)) !=
	    ANC_OK ||
	    (r = fill_key(doc, doc_len, &sp, kmem->data, kmem->length,
	    err)) != ANC_OK)
		goto out;
	*out = doc;
	*len = doc_len;
	doc = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(doc, doc_len + 1);
	anc_yaml_free(&y);
	secret_parts_free(&sp);
	BIO_free(kbio);
	return r;
}

/*
 * Certificates for the rotation tests (inventory, status), made in memory
 * with chosen validity, and small file helpers.  Static inline functions:
 * each test program includes this once and uses what it needs.
 */
#ifndef TEST_INVENTORY_CERTS_H
#define TEST_INVENTORY_CERTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define DAY 86400

/* 2026-11-29T00:00:00Z: every test's clock. */
#define T0 ((time_t)1795910400)

struct tc {
	X509 *x;
	EVP_PKEY *k;
};

static inline EVP_PKEY *
tc_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static inline void
tc_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/*
 * A certificate for `cn` valid from nb to na, issued by `issuer` (NULL:
 * self-signed).  `ca`: -1 a leaf, else a CA with that path length
 * (100: none).
 */
static inline struct tc
tc_make(const char *cn, const struct tc *issuer, int ca, time_t nb,
    time_t na)
{
	static long serial = 1000;
	struct tc c;
	X509 *signer;
	char bc[64];

	c.k = tc_key();
	c.x = X509_new();
	assert_non_null(c.x);
	X509_set_version(c.x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c.x), serial++);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c.x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	signer = issuer != NULL ? issuer->x : c.x;
	X509_set_issuer_name(c.x, X509_get_subject_name(signer));
	ASN1_TIME_set(X509_getm_notBefore(c.x), nb);
	ASN1_TIME_set(X509_getm_notAfter(c.x), na);
	X509_set_pubkey(c.x, c.k);
	if (ca < 0)
		snprintf(bc, sizeof(bc), "critical,CA:FALSE");
	else if (ca == 100)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE");
	else
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", ca);
	tc_ext(c.x, signer, NID_basic_constraints, bc);
	tc_ext(c.x, signer, NID_key_usage, ca < 0 ? "critical,digitalSignature"
	    : "critical,keyCertSign,cRLSign");
	tc_ext(c.x, signer, NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		tc_ext(c.x, signer, NID_authority_key_identifier, "keyid");
	assert_true(X509_sign(c.x, issuer != NULL ? issuer->k : c.k,
	    EVP_sha256()) > 0);
	return c;
}

static inline void
tc_free(struct tc *c)
{
	X509_free(c->x);
	EVP_PKEY_free(c->k);
	c->x = NULL;
	c->k = NULL;
}

/* PEM text of certificates (NULL-terminated list), owned by the caller. */
static inline char *
tc_pem(X509 *first, ...)
{
	BIO *b = BIO_new(BIO_s_mem());
	va_list ap;
	X509 *x;
	char *data, *out;
	long n;

	assert_non_null(b);
	va_start(ap, first);
	for (x = first; x != NULL; x = va_arg(ap, X509 *))
		assert_int_equal(PEM_write_bio_X509(b, x), 1);
	va_end(ap);
	n = BIO_get_mem_data(b, &data);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	BIO_free(b);
	return out;
}

static inline char *
tc_key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	n = BIO_get_mem_data(b, &data);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	BIO_free(b);
	return out;
}

static inline void
tc_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A fresh directory under TMPDIR, owner-only. */
static inline char *
tc_tmpdir(void)
{
	char *d = strdup("/tmp/anc-unit.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void
tc_rmdir(char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

static inline char *
tc_b64(const char *text)
{
	size_t n = strlen(text);
	char *out = calloc(1, (n + 2) / 3 * 4 + 1);

	assert_non_null(out);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text,
	    (int)n);
	return out;
}

#endif /* TEST_INVENTORY_CERTS_H */

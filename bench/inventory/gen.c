/*
 * anchorage bench: a cluster's worth of certificates for `inventory check`.
 *
 *   gen N DIR
 *
 * Two anchors (old, new) and N P-256 leaves, each with a key of its own,
 * in mixed chains, written as `kubectl get secrets -A -o yaml` would list
 * their kubernetes.io/tls Secrets (DIR/secrets.yaml), and as one PEM
 * stream of the same tls.crt chains (DIR/stream.pem).  DIR/anchors.pem is
 * the rotation bundle, new then old.
 *
 *   40%  leaf <- issuing-new                     ca.crt new root
 *   30%  leaf <- issuing-old-1                   ca.crt old root
 *   15%  leaf <- issuing-old-2 <- old root       ca.crt old root
 *   15%  leaf <- issuing-new <- new root cross-signed by the old one
 *
 * Not a test: it only makes input for bench/inventory/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

struct ca {
	X509 *x;
	EVP_PKEY *k;
};

static void
die(const char *what)
{
	fprintf(stderr, "gen: %s failed\n", what);
	exit(1);
}

static void
ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    X509_add_ext(x, e, -1) != 1)
		die("extension");
	X509_EXTENSION_free(e);
}

/* A certificate for cn with `key`, issued by `by` (NULL: self-signed).
 * bc NULL: a leaf. */
static X509 *
make(const char *cn, EVP_PKEY *key, const struct ca *by, const char *bc,
    long days)
{
	static long serial = 1;
	X509 *x = X509_new(), *signer;

	if (x == NULL)
		die("X509_new");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	signer = by != NULL ? by->x : x;
	X509_set_issuer_name(x, X509_get_subject_name(signer));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	X509_set_pubkey(x, key);
	ext(x, signer, NID_basic_constraints, bc != NULL ? bc :
	    "critical,CA:FALSE");
	ext(x, signer, NID_key_usage, bc != NULL ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	ext(x, signer, NID_subject_key_identifier, "hash");
	if (by != NULL)
		ext(x, signer, NID_authority_key_identifier, "keyid");
	if (X509_sign(x, by != NULL ? by->k : key, EVP_sha256()) <= 0)
		die("X509_sign");
	return x;
}

static struct ca
ca(const char *cn, const struct ca *by, const char *bc)
{
	struct ca c;

	if ((c.k = EVP_EC_gen("P-256")) == NULL)
		die("EVP_EC_gen");
	c.x = make(cn, c.k, by, bc, 3650);
	return c;
}

/* PEM of up to three certificates into buf; its length. */
static size_t
pem(char *buf, size_t cap, X509 *a, X509 *b, X509 *c)
{
	BIO *bio = BIO_new(BIO_s_mem());
	X509 *v[3] = { a, b, c };
	char *data;
	long n;
	int i;

	for (i = 0; i < 3 && v[i] != NULL; i++)
		PEM_write_bio_X509(bio, v[i]);
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || (size_t)n >= cap)
		die("PEM");
	memcpy(buf, data, (size_t)n);
	buf[n] = '\0';
	BIO_free(bio);
	return (size_t)n;
}

static void
b64(FILE *f, const char *text, size_t len)
{
	static unsigned char out[16384];
	int n = EVP_EncodeBlock(out, (const unsigned char *)text, (int)len);

	fwrite(out, 1, (size_t)n, f);
}

static void
secret(FILE *y, long i, const char *tls, size_t tlen, const char *ca_pem,
    size_t clen)
{
	/* A stand-in key: the check never reads tls.key, but must skip it. */
	static const char key[] = "-----BEGIN PRIVATE KEY-----\n"
	    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
	    "-----END PRIVATE KEY-----\n";

	fprintf(y, "- apiVersion: v1\n  data:\n    ca.crt: ");
	b64(y, ca_pem, clen);
	fprintf(y, "\n    tls.crt: ");
	b64(y, tls, tlen);
	fprintf(y, "\n    tls.key: ");
	b64(y, key, sizeof(key) - 1);
	fprintf(y, "\n  kind: Secret\n  metadata:\n    annotations:\n"
	    "      cert-manager.io/certificate-name: svc-%ld\n"
	    "    name: svc-%ld-tls\n    namespace: ns-%ld\n"
	    "  type: kubernetes.io/tls\n", i, i, i % 97);
}

int
main(int argc, char **argv)
{
	struct ca old, new, old1, old2, inew, cross;
	static char tls[8192], ca_new[4096], ca_old[4096], name[64], path[4096];
	size_t tlen, nlen, olen;
	FILE *y, *s, *a;
	EVP_PKEY *k;
	X509 *leaf;
	long n, i, pick;

	if (argc != 3 || (n = atol(argv[1])) <= 0)
		return fprintf(stderr, "usage: gen N DIR\n"), 2;
	/* The old root allows two CA levels, for the cross-certificate. */
	old = ca("root-old.bench", NULL, "critical,CA:TRUE,pathlen:2");
	new = ca("root-new.bench", NULL, "critical,CA:TRUE,pathlen:1");
	old1 = ca("issuing-old-1", &old, "critical,CA:TRUE,pathlen:0");
	old2 = ca("issuing-old-2", &old, "critical,CA:TRUE,pathlen:0");
	inew = ca("issuing-new", &new, "critical,CA:TRUE,pathlen:0");
	cross.k = new.k;
	cross.x = make("root-new.bench", new.k, &old, "critical,CA:TRUE,pathlen:1",
	    3650);
	snprintf(path, sizeof(path), "%s/anchors.pem", argv[2]);
	if ((a = fopen(path, "w")) == NULL)
		die(path);
	PEM_write_X509(a, new.x);
	PEM_write_X509(a, old.x);
	fclose(a);
	snprintf(path, sizeof(path), "%s/secrets.yaml", argv[2]);
	y = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/stream.pem", argv[2]);
	s = fopen(path, "w");
	if (y == NULL || s == NULL)
		die(path);
	nlen = pem(ca_new, sizeof(ca_new), new.x, NULL, NULL);
	olen = pem(ca_old, sizeof(ca_old), old.x, NULL, NULL);
	fprintf(y, "apiVersion: v1\nitems:\n");
	for (i = 0; i < n; i++) {
		pick = i % 20;
		if ((k = EVP_EC_gen("P-256")) == NULL)
			die("EVP_EC_gen");
		snprintf(name, sizeof(name), "svc-%ld.ns-%ld.svc", i, i % 97);
		if (pick < 8 || pick >= 17) {
			leaf = make(name, k, &inew, NULL, 90);
			tlen = pem(tls, sizeof(tls), leaf, inew.x, pick >= 17 ?
			    cross.x : NULL);
			secret(y, i, tls, tlen, ca_new, nlen);
		} else {
			leaf = make(name, k, pick < 14 ? &old1 : &old2, NULL, 90);
			tlen = pem(tls, sizeof(tls), leaf, pick < 14 ? old1.x :
			    old2.x, pick < 14 ? NULL : old.x);
			secret(y, i, tls, tlen, ca_old, olen);
		}
		fwrite(tls, 1, tlen, s);
		X509_free(leaf);
		EVP_PKEY_free(k);
	}
	fprintf(y, "kind: List\nmetadata:\n  resourceVersion: \"\"\n");
	if (fclose(y) != 0 || fclose(s) != 0)
		die("write");
	return 0;
}

/*
 * The manifest writers, read back with libyaml's parser (not the emitter
 * wrapper under test): fields and values, the quoting of every scalar, and
 * the certificates and key inside the Secret, compared with what OpenSSL
 * encodes directly.  Software certificates are made here: a root, a second
 * unrelated root, an intermediate (the issuing CA) and a middle CA.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <yaml.h>

#include "anchorage/err.h"
#include "anchorage/manifest.h"
#include "anchorage/secmem.h"

#define CEREMONY_SHA \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct anc_provenance prov = {
	"monoskope-root-2026", CEREMONY_SHA, "0.1.0"
};

/* The material every test uses, made once. */
static struct {
	EVP_PKEY *root_key, *root2_key, *mid_key, *ica_key;
	X509 *root;	/* self-signed, notAfter 2036-11-29T22:00:00Z */
	X509 *root2;	/* an unrelated second root */
	X509 *mid;	/* CA under root, for a three-certificate chain */
	X509 *ica;	/* issuing CA under root */
	X509 *ica2;	/* issuing CA under mid */
	X509 *leaf;	/* CA:FALSE under root, with the issuing CA's key */
	char *key_pem;	/* ica_key, PKCS#8 PEM */
	size_t key_len;
} pki;

/* ---- certificates ---- */

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A CA certificate for `key`, signed by issuer_key (self-signed if NULL). */
static X509 *
make_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    const char *not_after, const char *basic)
{
	unsigned char serial[16];
	BIGNUM *bn;
	X509 *x;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(RAND_bytes(serial, sizeof(serial)), 1);
	serial[0] &= 0x7f;
	assert_non_null(bn = BN_bin2bn(serial, sizeof(serial), NULL));
	assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
	BN_free(bn);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0), 1);
	if (issuer == NULL) {
		issuer = x;
		issuer_key = key;
	}
	assert_int_equal(X509_set_issuer_name(x,
	    X509_get_subject_name(issuer)), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x),
	    not_after), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	add_ext(x, issuer, NID_basic_constraints, basic);
	add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer != x)
		add_ext(x, issuer, NID_authority_key_identifier, "keyid");
	assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
	return x;
}

static int
setup(void **state)
{
	BIO *b;
	char *mem;
	long n;

	pki.root_key = EVP_EC_gen("P-256");
	pki.root2_key = EVP_EC_gen("P-256");
	pki.mid_key = EVP_EC_gen("P-256");
	pki.ica_key = EVP_EC_gen("P-256");
	if (pki.root_key == NULL || pki.root2_key == NULL ||
	    pki.mid_key == NULL || pki.ica_key == NULL)
		return -1;
	pki.root = make_ca("root.monoskope.cluster.local", pki.root_key, NULL,
	    NULL, "20361129220000Z", "critical,CA:TRUE,pathlen:1");
	pki.root2 = make_ca("root-2027.monoskope.cluster.local", pki.root2_key,
	    NULL, NULL, "20371129220000Z", "critical,CA:TRUE,pathlen:1");
	pki.mid = make_ca("m8-mid-2026", pki.mid_key, pki.root, pki.root_key,
	    "20330101000000Z", "critical,CA:TRUE,pathlen:0");
	pki.ica = make_ca("m8-issuing-ca-2026", pki.ica_key, pki.root,
	    pki.root_key, "20310601123456Z", "critical,CA:TRUE,pathlen:0");
	pki.ica2 = make_ca("m8-issuing-ca-2026b", pki.ica_key, pki.mid,
	    pki.mid_key, "20320101000000Z", "critical,CA:TRUE,pathlen:0");
	pki.leaf = make_ca("m8-not-a-ca", pki.ica_key, pki.root, pki.root_key,
	    "20300101000000Z", "critical,CA:FALSE");
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(b, pki.ica_key, NULL, NULL, 0, NULL,
	    NULL) != 1)
		return -1;
	n = BIO_get_mem_data(b, &mem);
	pki.key_pem = strndup(mem, (size_t)n);
	pki.key_len = (size_t)n;
	BIO_free(b);
	return pki.key_pem == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	X509_free(pki.root);
	X509_free(pki.root2);
	X509_free(pki.mid);
	X509_free(pki.ica);
	X509_free(pki.ica2);
	X509_free(pki.leaf);
	EVP_PKEY_free(pki.root_key);
	EVP_PKEY_free(pki.root2_key);
	EVP_PKEY_free(pki.mid_key);
	EVP_PKEY_free(pki.ica_key);
	anc_freezero(pki.key_pem, pki.key_len);
	return 0;
}

/* PEM of certificates as OpenSSL writes them; caller frees. */
static char *
pem_of(X509 *a, X509 *b, X509 *c)
{
	X509 *v[3] = { a, b, c };
	BIO *bio;
	char *mem, *s;
	long n;
	int i;

	assert_non_null(bio = BIO_new(BIO_s_mem()));
	for (i = 0; i < 3 && v[i] != NULL; i++)
		assert_int_equal(PEM_write_bio_X509(bio, v[i]), 1);
	n = BIO_get_mem_data(bio, &mem);
	assert_non_null(s = strndup(mem, (size_t)n));
	BIO_free(bio);
	return s;
}

/* SHA-256 of the DER, computed here independently of export/. */
static void
fp_of(X509 *x, char out[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len, i;

	assert_true((len = i2d_X509(x, &der)) > 0);
	assert_int_equal(EVP_Digest(der, (size_t)len, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	OPENSSL_free(der);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- reading YAML back ---- */

/* Exactly one document. */
static void
load(const char *text, size_t len, yaml_document_t *doc)
{
	yaml_parser_t parser;
	yaml_document_t extra;

	assert_int_equal(strlen(text), len);
	assert_int_equal(yaml_parser_initialize(&parser), 1);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	assert_int_equal(yaml_parser_load(&parser, doc), 1);
	assert_non_null(yaml_document_get_root_node(doc));
	assert_int_equal(yaml_parser_load(&parser, &extra), 1);
	assert_null(yaml_document_get_root_node(&extra));
	yaml_document_delete(&extra);
	yaml_parser_delete(&parser);
}

static const char *
scalar_of(yaml_node_t *n)
{
	assert_non_null(n);
	assert_int_equal(n->type, YAML_SCALAR_NODE);
	return (const char *)n->data.scalar.value;
}

/* The value of `key` in a mapping node; NULL if absent. */
static yaml_node_t *
map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	assert_non_null(map);
	assert_int_equal(map->type, YAML_MAPPING_NODE);
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (strcmp(scalar_of(k), key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static size_t
map_size(yaml_node_t *map)
{
	assert_non_null(map);
	assert_int_equal(map->type, YAML_MAPPING_NODE);
	return (size_t)(map->data.mapping.pairs.top -
	    map->data.mapping.pairs.start);
}

/* Follow keys from the root; "#N" picks item N of a sequence. */
static yaml_node_t *
vget(yaml_document_t *d, va_list ap)
{
	yaml_node_t *n = yaml_document_get_root_node(d);
	const char *k;

	while (n != NULL && (k = va_arg(ap, const char *)) != NULL) {
		if (k[0] == '#') {
			assert_int_equal(n->type, YAML_SEQUENCE_NODE);
			n = yaml_document_get_node(d,
			    n->data.sequence.items.start[atoi(k + 1)]);
		} else
			n = map_get(d, n, k);
	}
	return n;
}

static yaml_node_t *
node_at(yaml_document_t *d, ...)
{
	yaml_node_t *n;
	va_list ap;

	va_start(ap, d);
	n = vget(d, ap);
	va_end(ap);
	return n;
}

#define NODE(d, ...) node_at(d, __VA_ARGS__, (const char *)NULL)
#define STR(d, ...) scalar_of(NODE(d, __VA_ARGS__))

struct styles {
	int quoted, plain, literal, other;
};

/* Keys must be plain; count the styles of every value scalar. */
static void
count_styles(yaml_document_t *d, yaml_node_t *n, struct styles *s)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *i;

	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
			s->quoted++;
		else if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			s->plain++;
		else if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE)
			s->literal++;
		else
			s->other++;
		break;
	case YAML_MAPPING_NODE:
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			assert_int_equal(yaml_document_get_node(d,
			    p->key)->data.scalar.style,
			    YAML_PLAIN_SCALAR_STYLE);
			count_styles(d, yaml_document_get_node(d, p->value), s);
		}
		break;
	case YAML_SEQUENCE_NODE:
		for (i = n->data.sequence.items.start;
		    i < n->data.sequence.items.top; i++)
			count_styles(d, yaml_document_get_node(d, *i), s);
		break;
	default:
		fail_msg("unexpected node type %d", n->type);
	}
}

static void
assert_all_quoted(yaml_document_t *d)
{
	struct styles s = { 0, 0, 0, 0 };

	count_styles(d, yaml_document_get_root_node(d), &s);
	assert_true(s.quoted > 0);
	assert_int_equal(s.plain, 0);
	assert_int_equal(s.literal, 0);
	assert_int_equal(s.other, 0);
}

/* The labels every object carries. */
static void
assert_labels(yaml_document_t *d, const char *name, const char *component)
{
	assert_int_equal(map_size(NODE(d, "metadata", "labels")), 6);
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/name"), name);
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/instance"), prov.ceremony);
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/version"), prov.tool_version);
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/component"), component);
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/part-of"), "anchorage");
	assert_string_equal(STR(d, "metadata", "labels",
	    "app.kubernetes.io/managed-by"), "anchorage");
	assert_string_equal(STR(d, "metadata", "annotations",
	    "anchorage.dev/ceremony"), prov.ceremony);
	assert_string_equal(STR(d, "metadata", "annotations",
	    "anchorage.dev/ceremony-sha256"), prov.ceremony_sha256);
}

/* Base64 decoded, NUL-terminated; caller frees. */
static char *
unb64(const char *s)
{
	size_t n = strlen(s), pad = 0;
	unsigned char *out;
	int k;

	assert_int_equal(n % 4, 0);
	assert_null(strchr(s, '\n'));
	assert_non_null(out = malloc(n / 4 * 3 + 1));
	k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	assert_true(k >= 0);
	if (n > 0 && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	out[(size_t)k - pad] = '\0';
	return (char *)out;
}

static void
assert_b64_equal(const char *b64, const char *want)
{
	char *got = unb64(b64);

	assert_string_equal(got, want);
	free(got);
}

/* ---- the Secret ---- */

static void
check_secret(const char *text, size_t len, X509 *const *chain, size_t n)
{
	yaml_document_t d;
	char fp_ica[65], fp_root[65], *want;

	assert_memory_equal(text, "---\n", 4);
	load(text, len, &d);
	assert_all_quoted(&d);
	assert_string_equal(STR(&d, "apiVersion"), "v1");
	assert_string_equal(STR(&d, "kind"), "Secret");
	assert_string_equal(STR(&d, "type"), "kubernetes.io/tls");
	assert_string_equal(STR(&d, "metadata", "name"), "m8-trust-anchor");
	assert_string_equal(STR(&d, "metadata", "namespace"), "monoskope");
	assert_labels(&d, "m8-trust-anchor", "issuing-ca");

	fp_of(chain[0], fp_ica);
	fp_of(chain[n - 1], fp_root);
	assert_int_equal(map_size(NODE(&d, "metadata", "annotations")), 6);
	assert_string_equal(STR(&d, "metadata", "annotations",
	    "anchorage.dev/issuing-ca-sha256"), fp_ica);
	assert_string_equal(STR(&d, "metadata", "annotations",
	    "anchorage.dev/root-sha256"), fp_root);
	assert_string_equal(STR(&d, "metadata", "annotations",
	    "anchorage.dev/root-not-after"), "2036-11-29T22:00:00Z");

	assert_int_equal(map_size(NODE(&d, "data")), 3);
	want = pem_of(chain[0], chain[1], n > 2 ? chain[2] : NULL);
	assert_b64_equal(STR(&d, "data", "tls.crt"), want);
	free(want);
	want = pem_of(chain[n - 1], NULL, NULL);
	assert_b64_equal(STR(&d, "data", "ca.crt"), want);
	free(want);
	assert_b64_equal(STR(&d, "data", "tls.key"), pki.key_pem);
	yaml_document_delete(&d);
}

static void
test_secret(void **state)
{
	X509 *chain[2] = { pki.ica, pki.root };
	struct anc_err err;
	char *out = NULL;
	size_t len = 0;
	yaml_document_t d;

	assert_int_equal(anc_manifest_tls_secret("m8-trust-anchor",
	    "monoskope", chain, 2, pki.ica_key, &prov, &out,
	    &len, &err), ANC_OK);
	check_secret(out, len, chain, 2);
	load(out, len, &d);
	assert_string_equal(STR(&d, "metadata", "annotations",
	    "anchorage.dev/issuing-ca-not-after"), "2031-06-01T12:34:56Z");
	yaml_document_delete(&d);
	/* cert-manager's own annotations are for Secrets it made. */
	assert_null(strstr(out, "cert-manager.io/"));
	anc_freezero(out, len);
}

/* tls.crt = issuing CA, middle CA, root; ca.crt = the root only. */
static void
test_secret_three_levels(void **state)
{
	X509 *chain[3] = { pki.ica2, pki.mid, pki.root };
	struct anc_err err;
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(anc_manifest_tls_secret("m8-trust-anchor",
	    "monoskope", chain, 3, pki.ica_key, &prov, &out,
	    &len, &err), ANC_OK);
	check_secret(out, len, chain, 3);
	anc_freezero(out, len);
}

static void
refuse_secret(X509 *const *chain, size_t n, EVP_PKEY *key, const char *name,
    const char *ns, const struct anc_provenance *p, const char *why)
{
	struct anc_err err;
	char *out = NULL;
	size_t len = 0;

	anc_err_clear(&err);
	assert_int_equal(anc_manifest_tls_secret(name, ns, chain, n, key, p,
	    &out, &len, &err), ANC_E_INTERNAL);
	assert_null(out);
	assert_int_equal(err.code, ANC_E_INTERNAL);
	if (strstr(err.msg, why) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", why, err.msg);
}

static void
test_secret_refused(void **state)
{
	X509 *good[2] = { pki.ica, pki.root };
	X509 *reversed[2] = { pki.root, pki.ica };
	X509 *roots[2] = { pki.root2, pki.root };
	X509 *wrong_root[2] = { pki.ica, pki.root2 };
	X509 *no_root[2] = { pki.ica2, pki.mid };
	X509 *gap[3] = { pki.ica2, pki.root, pki.root };
	X509 *not_ca[2] = { pki.leaf, pki.root };
	struct anc_provenance bad = prov;

	refuse_secret(good, 1, pki.ica_key, "s", "ns", &prov,
	    "tls.crt: expected a CA and its chain up to the root, got 1");
	refuse_secret(good, 0, pki.ica_key, "s", "ns", &prov,
	    "got 0 certificate");
	refuse_secret(reversed, 2, pki.ica_key, "s", "ns",
	    &prov, "not issued by");
	/* The old+new root bundle cert-manager cannot join (interop §2.1). */
	refuse_secret(roots, 2, pki.ica_key, "s", "ns", &prov,
	    "not issued by");
	refuse_secret(wrong_root, 2, pki.ica_key, "s", "ns",
	    &prov, "not issued by");
	refuse_secret(no_root, 2, pki.ica_key, "s", "ns", &prov,
	    "not a self-signed root CA");
	refuse_secret(gap, 3, pki.ica_key, "s", "ns", &prov,
	    "certificate 1 is not issued by certificate 2");
	refuse_secret(not_ca, 2, pki.ica_key, "s", "ns", &prov,
	    "the first certificate is not a CA");
	refuse_secret(good, 2, NULL, "s", "ns", &prov, "no key");
	/* The root's key is not the issuing CA's. */
	refuse_secret(good, 2, pki.root_key, "s", "ns", &prov,
	    "does not match");

	refuse_secret(good, 2, pki.ica_key, "Trust-Anchor", "ns",
	    &prov, "expected a Kubernetes object name");
	refuse_secret(good, 2, pki.ica_key, "s", "a.b", &prov,
	    "expected a Kubernetes namespace");
	refuse_secret(good, 2, pki.ica_key, "s", NULL, &prov,
	    "no namespace");
	bad.ceremony = "root ceremony";
	refuse_secret(good, 2, pki.ica_key, "s", "ns", &bad,
	    "valid label values");
	bad = prov;
	bad.ceremony_sha256 = "ABC";
	refuse_secret(good, 2, pki.ica_key, "s", "ns", &bad,
	    "64 lowercase hex");
	refuse_secret(good, 2, pki.ica_key, "s", "ns", NULL,
	    "valid label values");
}

/* ---- trust bundle ---- */

static void
assert_anchor_annotations(yaml_document_t *d)
{
	char fp1[65], fp2[65], want[200];

	fp_of(pki.root2, fp1);
	fp_of(pki.root, fp2);
	snprintf(want, sizeof(want), "%s,%s", fp1, fp2);
	assert_int_equal(map_size(NODE(d, "metadata", "annotations")), 4);
	assert_string_equal(STR(d, "metadata", "annotations",
	    "anchorage.dev/anchors"), want);
	assert_string_equal(STR(d, "metadata", "annotations",
	    "anchorage.dev/anchors-not-after"),
	    "2037-11-29T22:00:00Z,2036-11-29T22:00:00Z");
}

static void
test_configmap(void **state)
{
	X509 *anchors[2] = { pki.root2, pki.root };	/* newest first */
	struct styles s = { 0, 0, 0, 0 };
	struct anc_err err;
	yaml_document_t d;
	yaml_node_t *pem;
	char *out = NULL, *want;
	size_t len = 0;

	assert_int_equal(anc_manifest_bundle_configmap("m8-trust-bundle",
	    "cert-manager", anchors, 2, &prov, &out, &len, &err), ANC_OK);
	load(out, len, &d);
	assert_string_equal(STR(&d, "apiVersion"), "v1");
	assert_string_equal(STR(&d, "kind"), "ConfigMap");
	assert_string_equal(STR(&d, "metadata", "name"), "m8-trust-bundle");
	assert_string_equal(STR(&d, "metadata", "namespace"),
	    "cert-manager");
	assert_labels(&d, "m8-trust-bundle", "trust-bundle");
	assert_anchor_annotations(&d);
	assert_int_equal(map_size(NODE(&d, "data")), 1);
	pem = NODE(&d, "data", ANC_BUNDLE_KEY);
	assert_int_equal(pem->data.scalar.style, YAML_LITERAL_SCALAR_STYLE);
	want = pem_of(pki.root2, pki.root, NULL);
	assert_string_equal(scalar_of(pem), want);
	free(want);
	/* The PEM is the only scalar that is not double-quoted. */
	count_styles(&d, yaml_document_get_root_node(&d), &s);
	assert_int_equal(s.literal, 1);
	assert_int_equal(s.plain + s.other, 0);
	assert_non_null(strstr(out, "\n  trust-bundle.pem: |\n"));
	yaml_document_delete(&d);
	free(out);
}

static void
test_bundle(void **state)
{
	X509 *anchors[2] = { pki.root2, pki.root };
	struct anc_err err;
	yaml_document_t d;
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(anc_manifest_trust_bundle("m8-trust-bundle",
	    "m8-trust-bundle", "monoskope", anchors, 2, &prov, &out, &len,
	    &err), ANC_OK);
	load(out, len, &d);
	assert_all_quoted(&d);
	assert_string_equal(STR(&d, "apiVersion"),
	    "trust.cert-manager.io/v1alpha1");
	assert_string_equal(STR(&d, "kind"), "Bundle");
	assert_string_equal(STR(&d, "metadata", "name"), "m8-trust-bundle");
	assert_null(NODE(&d, "metadata", "namespace"));
	assert_labels(&d, "m8-trust-bundle", "trust-bundle");
	assert_anchor_annotations(&d);
	assert_int_equal(NODE(&d, "spec", "sources")->type,
	    YAML_SEQUENCE_NODE);
	assert_string_equal(STR(&d, "spec", "sources", "#0", "configMap",
	    "name"), "m8-trust-bundle");
	assert_string_equal(STR(&d, "spec", "sources", "#0", "configMap",
	    "key"), ANC_BUNDLE_KEY);
	assert_string_equal(STR(&d, "spec", "target", "configMap", "key"),
	    ANC_BUNDLE_KEY);
	assert_string_equal(STR(&d, "spec", "target", "namespaceSelector",
	    "matchLabels", "kubernetes.io/metadata.name"), "monoskope");
	yaml_document_delete(&d);
	free(out);
}

static void
test_bundle_refused(void **state)
{
	X509 *not_anchor[2] = { pki.root, pki.ica };
	struct anc_err err;
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(anc_manifest_bundle_configmap("b", "cert-manager",
	    not_anchor, 2, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_non_null(strstr(err.msg, "anchor 2 is not a self-signed"));
	assert_int_equal(anc_manifest_bundle_configmap("b", "cert-manager",
	    not_anchor, 0, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_int_equal(anc_manifest_trust_bundle("b", "b", "monoskope",
	    not_anchor, 2, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_int_equal(anc_manifest_trust_bundle("b", "B", "monoskope",
	    not_anchor, 1, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_non_null(strstr(err.msg, "source ConfigMap"));
	assert_int_equal(anc_manifest_trust_bundle("b", "b", NULL,
	    not_anchor, 1, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_null(out);
}

/* ---- Issuer, Helm values ---- */

static void
test_issuer(void **state)
{
	struct anc_err err;
	yaml_document_t d;
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(anc_manifest_issuer("m8-root-ca-issuer", "monoskope",
	    0, "m8-trust-anchor", &prov, &out, &len, &err), ANC_OK);
	load(out, len, &d);
	assert_all_quoted(&d);
	assert_string_equal(STR(&d, "apiVersion"), "cert-manager.io/v1");
	assert_string_equal(STR(&d, "kind"), "Issuer");
	assert_string_equal(STR(&d, "metadata", "namespace"), "monoskope");
	assert_labels(&d, "m8-root-ca-issuer", "issuer");
	assert_string_equal(STR(&d, "spec", "ca", "secretName"),
	    "m8-trust-anchor");
	assert_int_equal(map_size(NODE(&d, "spec")), 1);
	yaml_document_delete(&d);
	free(out);

	out = NULL;
	assert_int_equal(anc_manifest_issuer("m8-ca", "ignored", 1,
	    "m8-trust-anchor", &prov, &out, &len, &err), ANC_OK);
	load(out, len, &d);
	assert_all_quoted(&d);
	assert_string_equal(STR(&d, "kind"), "ClusterIssuer");
	assert_null(NODE(&d, "metadata", "namespace"));
	yaml_document_delete(&d);
	free(out);
}

/* Values YAML 1.1 would read as booleans and numbers stay strings. */
static void
test_yaml11_lookalikes(void **state)
{
	struct anc_provenance p = prov;
	struct anc_err err;
	yaml_document_t d;
	char *out = NULL;
	size_t len = 0;

	p.ceremony = "0755";
	p.tool_version = "on";
	assert_int_equal(anc_manifest_issuer("yes", "y", 0, "no", &p, &out,
	    &len, &err), ANC_OK);
	load(out, len, &d);
	assert_all_quoted(&d);
	assert_string_equal(STR(&d, "metadata", "name"), "yes");
	assert_non_null(strstr(out, "namespace: \"y\"\n"));
	assert_non_null(strstr(out, "secretName: \"no\"\n"));
	assert_non_null(strstr(out, "app.kubernetes.io/instance: \"0755\"\n"));
	yaml_document_delete(&d);
	free(out);
}

static void
test_helm_values(void **state)
{
	struct styles s = { 0, 0, 0, 0 };
	struct anc_err err;
	yaml_document_t d;
	yaml_node_t *n;
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(anc_manifest_helm_values("m8-root-ca-issuer",
	    "m8-trust-anchor", &prov, &out, &len, &err), ANC_OK);
	load(out, len, &d);
	n = NODE(&d, "pki", "enabled");
	assert_string_equal(scalar_of(n), "true");
	assert_int_equal(n->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	n = NODE(&d, "pki", "issuer", "ca", "enabled");
	assert_string_equal(scalar_of(n), "true");
	assert_int_equal(n->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	assert_string_equal(STR(&d, "pki", "issuer", "name"),
	    "m8-root-ca-issuer");
	assert_string_equal(STR(&d, "pki", "issuer", "ca",
	    "existingTrustAnchorSecretName"), "m8-trust-anchor");
	count_styles(&d, yaml_document_get_root_node(&d), &s);
	assert_int_equal(s.plain, 2);
	assert_int_equal(s.quoted, 2);
	assert_int_equal(map_size(yaml_document_get_root_node(&d)), 1);
	yaml_document_delete(&d);
	free(out);

	assert_int_equal(anc_manifest_helm_values("m8 issuer",
	    "m8-trust-anchor", &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_non_null(strstr(err.msg, "pki.issuer.name"));
}

/* ---- Vault README ---- */

static void
assert_contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, text);
}

static void
test_vault_readme(void **state)
{
	struct anc_err err;
	char *out = NULL, fp_ica[65], fp_root[65];
	size_t len = 0;

	assert_int_equal(anc_manifest_vault_readme("vault-int-2026.pem",
	    pki.ica, pki.root, &prov, &out, &len, &err), ANC_OK);
	assert_int_equal(strlen(out), len);
	fp_of(pki.ica, fp_ica);
	fp_of(pki.root, fp_root);
	assert_contains(out, "vault write pki_int/intermediate/set-signed "
	    "certificate=@vault-int-2026.pem\n");
	assert_contains(out, "vault read pki_int/cert/ca_chain\n");
	assert_contains(out, "openssl verify -CAfile root.pem "
	    "vault-int-2026.pem\n");
	assert_contains(out, "subject:  CN=m8-issuing-ca-2026\n");
	assert_contains(out, "subject:  CN=root.monoskope.cluster.local\n");
	assert_contains(out, fp_ica);
	assert_contains(out, fp_root);
	assert_true(strstr(out, fp_ica) < strstr(out, fp_root));
	assert_contains(out, "notAfter: 2031-06-01T12:34:56Z\n");
	assert_contains(out, "notAfter: 2036-11-29T22:00:00Z\n");
	assert_contains(out, "never left its PKCS#11 token");
	assert_contains(out, "never left Vault");
	free(out);

	out = NULL;
	assert_int_equal(anc_manifest_vault_readme("chain file.pem", pki.ica,
	    pki.root, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_int_equal(anc_manifest_vault_readme("-chain.pem", pki.ica,
	    pki.root, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_int_equal(anc_manifest_vault_readme("chain.pem", pki.ica,
	    pki.root2, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_contains(err.msg, "chain.pem: certificate 1 is not issued by "
	    "certificate 2");
	assert_int_equal(anc_manifest_vault_readme("chain.pem", pki.ica,
	    NULL, &prov, &out, &len, &err), ANC_E_INTERNAL);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_secret_three_levels),
		cmocka_unit_test(test_secret_refused),
		cmocka_unit_test(test_configmap),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_bundle_refused),
		cmocka_unit_test(test_issuer),
		cmocka_unit_test(test_yaml11_lookalikes),
		cmocka_unit_test(test_helm_values),
		cmocka_unit_test(test_vault_readme),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * anchorage: what each file of an outbox may hold, for `outbox verify`.
 *
 * The kind of a file follows from its name; its content must then be that
 * kind and nothing else: PEM with only certificates or only CRLs,
 * Kubernetes objects of the allowed kinds, Helm values, text.  No private
 * key may appear anywhere but tls.key of a kubernetes.io/tls Secret, in
 * plain text or base64.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <yaml.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/secmem.h"
#include "export_int.h"

#define PRIVATE_KEY "PRIVATE KEY"
#define HELM_PREFIX "helm-values-"
/* Bytes of the shortest private key looked for, and base64 characters of
 * that many bytes; a P-256 key without its public half is 51 bytes. */
#define KEY_DER_MIN 32
#define KEY_B64_MIN ((KEY_DER_MIN * 4 + 2) / 3)
/* Levels of base64 taken off while looking for a key. */
#define KEY_B64_DEPTH 2

void
anc_printable(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++)
		out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[o] = '\0';
}

static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
	    c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Base64 (with line breaks) to bytes; -1 if `s` is not base64. *out is
 * owned by the caller, who wipes it: it may be a key. */
static int
b64_decode(const unsigned char *s, size_t n, unsigned char **out,
    size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int l1 = 0, l2 = 0, ok;
	size_t i;

	if (n == 0 || n > INT_MAX - 4)
		return -1;
	for (i = 0; i < n; i++)
		if (!b64_char(s[i]))
			return -1;
	if ((buf = malloc(n + 4)) == NULL)
		return -1;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return -1;
	}
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, buf, &l1, s, (int)n) >= 0 &&
	    EVP_DecodeFinal(ctx, buf + l1, &l2) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		anc_freezero(buf, n + 4);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(l1 + l2);
	return 0;
}

/* Does DER parse as a private key (PKCS#8, SEC1, PKCS#1)? */
static int
der_private_key(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	/* Every key encoding is a SEQUENCE; skip the decoders otherwise. */
	if (len < KEY_DER_MIN || der[0] != 0x30 || len > LONG_MAX)
		return 0;
	ERR_set_mark();
	k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_pop_to_mark();
	EVP_PKEY_free(k);
	return k != NULL;
}

/*
 * A DER private key starting anywhere in `d`.  Every PKCS#8, SEC1 and
 * PKCS#1 encoding is a SEQUENCE whose first member is its version,
 * INTEGER 0 or 1, so only such places are handed to the decoders: a key
 * with text, a certificate or other base64 around it is found too.
 */
static int
der_key_in(const unsigned char *d, size_t n)
{
	size_t i, h;

	for (i = 0; i + KEY_DER_MIN <= n; i++) {
		if (d[i] != 0x30)
			continue;
		h = d[i + 1] < 0x80 ? 2 : d[i + 1] == 0x81 ? 3 :
		    d[i + 1] == 0x82 ? 4 : d[i + 1] == 0x83 ? 5 : 0;
		if (h != 0 && d[i + h] == 0x02 && d[i + h + 1] == 0x01 &&
		    d[i + h + 2] <= 1 && der_private_key(d + i, n - i))
			return 1;
	}
	return 0;
}

static int
b64_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* `rn` base64 characters without padding to bytes; their count. */
static size_t
b64_run_decode(const unsigned char *run, size_t rn, unsigned char *dec)
{
	unsigned char tail[4];
	size_t q = rn / 4 * 4, t = rn % 4, dn = 0;
	int got;

	if (q > 0 && (got = EVP_DecodeBlock(dec, run, (int)q)) > 0)
		dn = (size_t)got;
	/* The last 2 or 3 characters, padded as an encoder would have. */
	if (t >= 2) {
		memcpy(tail, run + q, t);
		memset(tail + t, '=', 4 - t);
		if ((got = EVP_DecodeBlock(dec + dn, tail, 4)) == 3)
			dn += t - 1;
		anc_wipe(tail, sizeof(tail));
	}
	return dn;
}

static int holds_private_key(const unsigned char *s, size_t n, int depth);

/*
 * Each run of base64 in `s` (white space inside a run is skipped, as PEM
 * and wrapped text have it), decoded from each of the four characters a
 * quantum may start at, so that whatever stands before a key cannot put
 * it out of step, and searched again one level deeper.  Returns 1, 0, or
 * -1 when out of memory.
 */
static int
b64_runs_hold_key(const unsigned char *s, size_t n, int depth)
{
	unsigned char *run = NULL, *dec = NULL;
	size_t i = 0, rn = 0, off, dn = 0, cap = n / 4 * 3 + 3;
	int found = 0;

	if ((run = malloc(n + 1)) == NULL || (dec = malloc(cap)) == NULL) {
		found = -1;
		goto out;
	}
	while (i < n && found == 0) {
		for (rn = 0; i < n && (b64_alpha(s[i]) || space(s[i])); i++)
			if (b64_alpha(s[i]))
				run[rn++] = s[i];
		i++;	/* the character that ended the run */
		for (off = 0; off < 4 && rn >= off + KEY_B64_MIN &&
		    found == 0; off++) {
			dn = b64_run_decode(run + off, rn - off, dec);
			found = holds_private_key(dec, dn, depth - 1);
			anc_wipe(dec, dn);
		}
		anc_wipe(run, rn);
	}
 out:
	anc_freezero(run, n + 1);
	anc_freezero(dec, cap);
	return found;
}

/*
 * A private key in `s`: PEM ("PRIVATE KEY"), DER, or either in base64,
 * down to `depth` levels of base64 (a Secret's data holds base64 of PEM,
 * itself base64).  Returns 1, 0, or -1 when out of memory.
 */
static int
holds_private_key(const unsigned char *s, size_t n, int depth)
{
	if (memmem(s, n, PRIVATE_KEY, strlen(PRIVATE_KEY)) != NULL ||
	    der_key_in(s, n))
		return 1;
	return depth > 0 ? b64_runs_hold_key(s, n, depth) : 0;
}

static int
check_text(const unsigned char *d, size_t n, size_t *lines,
    struct anc_err *err)
{
	size_t i;
	int found;

	if (memchr(d, '\0', n) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "binary data, expected "
		    "text");
	if (memmem(d, n, PRIVATE_KEY, strlen(PRIVATE_KEY)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds \"%s\", expected "
		    "no private key", PRIVATE_KEY);
	if ((found = holds_private_key(d, n, KEY_B64_DEPTH)) != 0)
		return anc_err_set(err, found < 0 ? ANC_E_NOMEM : ANC_E_VERIFY,
		    "%s", found < 0 ? "looking for private keys" : "holds a "
		    "private key in base64 or DER, expected none");
	*lines = 0;
	for (i = 0; i < n; i++)
		if (d[i] == '\n')
			(*lines)++;
	return ANC_OK;
}

struct pem_count {
	size_t certs, crls;
};

static int
scan_pem_block(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err)
{
	struct pem_count *c = arg;
	const unsigned char *p = der;
	X509_CRL *crl;
	X509 *x;
	int ok, found;

	if (strstr(type, PRIVATE_KEY) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu is a private "
		    "key (%.40s), expected only certificates or CRLs", num,
		    type);
	/* A certificate can carry any bytes in an extension or a name. */
	if ((found = holds_private_key(der, len, KEY_B64_DEPTH)) != 0)
		return anc_err_set(err, found < 0 ? ANC_E_NOMEM : ANC_E_VERIFY,
		    "block %zu: %s", num, found < 0 ? "looking for private "
		    "keys" : "holds a private key in base64 or DER, expected "
		    "none");
	if (strcmp(type, "CERTIFICATE") == 0) {
		x = d2i_X509(NULL, &p, (long)len);
		ok = x != NULL && p == der + len;
		X509_free(x);
		c->certs++;
	} else if (strcmp(type, "X509 CRL") == 0) {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		ok = crl != NULL && p == der + len;
		X509_CRL_free(crl);
		c->crls++;
	} else
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected CERTIFICATE or X509 CRL", num, type);
	ERR_clear_error();
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %s does not "
		    "parse (or has trailing bytes)", num, type);
	return ANC_OK;
}

static int
check_pem(const unsigned char *d, size_t n, struct anc_verify_item *it,
    struct anc_err *err)
{
	struct pem_count c = { 0, 0 };
	size_t blocks = 0;
	int r;

	if ((r = anc_pem_each(d, n, NULL, scan_pem_block, &c, &blocks,
	    err)) != ANC_OK)
		return r;
	if (blocks == 0)
		return anc_err_set(err, ANC_E_VERIFY, "no PEM block, expected "
		    "certificates or CRLs");
	if (c.certs > 0 && c.crls > 0)
		return anc_err_set(err, ANC_E_VERIFY, "%zu certificates and %zu "
		    "CRLs, expected one kind per file", c.certs, c.crls);
	if (c.crls > 0) {
		snprintf(it->kind, sizeof(it->kind), "crl");
		snprintf(it->detail, sizeof(it->detail), "%zu CRL%s", c.crls,
		    c.crls > 1 ? "s" : "");
	} else {
		snprintf(it->kind, sizeof(it->kind), "%s", c.certs > 1 ?
		    "bundle" : "certificate");
		snprintf(it->detail, sizeof(it->detail), "%zu certificate%s",
		    c.certs, c.certs > 1 ? "s" : "");
	}
	return ANC_OK;
}

/*
 * A backup-keypair's public key: exactly one PUBLIC KEY block, a
 * SubjectPublicKeyInfo of an RSA key and nothing else.
 */
static int
pubkey_block(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	int ok;

	if (num != 1 || strcmp(type, "PUBLIC KEY") != 0)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected one PUBLIC KEY block", num, type);
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	ok = pk != NULL && p == der + len &&
	    EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA;
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "block 1: not an RSA "
		    "public key (or trailing bytes)");
	return ANC_OK;
}

static int
check_pubkey(const unsigned char *d, size_t n, struct anc_verify_item *it,
    struct anc_err *err)
{
	size_t blocks = 0;
	int r;

	if ((r = anc_pem_each(d, n, NULL, pubkey_block, NULL, &blocks,
	    err)) != ANC_OK)
		return r;
	if (blocks != 1)
		return anc_err_set(err, ANC_E_VERIFY, "%zu PEM blocks, expected "
		    "one PUBLIC KEY", blocks);
	snprintf(it->detail, sizeof(it->detail), "RSA public key");
	return ANC_OK;
}

/* YAML: manifests/ and Helm values. */

static size_t
line_of(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

static int
scalar_is(const yaml_node_t *n, const char *s)
{
	return n != NULL && n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.length == strlen(s) &&
	    memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static void
scalar_text(const yaml_node_t *n, char *out, size_t cap)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		snprintf(out, cap, "(not a string)");
		return;
	}
	anc_printable(n->data.scalar.value, n->data.scalar.length, out, cap);
}

/* The value of `key` in mapping `m`; NULL if absent or `m` is not one. */
static yaml_node_t *
map_get(yaml_document_t *doc, const yaml_node_t *m, const char *key)
{
	const yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++)
		if (scalar_is(yaml_document_get_node(doc, p->key), key))
			return yaml_document_get_node(doc, p->value);
	return NULL;
}

static int
scalar_cmp(const void *a, const void *b)
{
	const yaml_node_t *na = *(const yaml_node_t *const *)a;
	const yaml_node_t *nb = *(const yaml_node_t *const *)b;
	size_t la = na->data.scalar.length, lb = nb->data.scalar.length;
	int c = memcmp(na->data.scalar.value, nb->data.scalar.value,
	    la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* Keys of a mapping are strings and unique (libyaml does not check). */
static int
check_keys(yaml_document_t *doc, const yaml_node_t *m, struct anc_err *err)
{
	const yaml_node_pair_t *p;
	const yaml_node_t **keys;
	size_t n = 0, i;
	int r = ANC_OK;

	keys = calloc((size_t)(m->data.mapping.pairs.top -
	    m->data.mapping.pairs.start) + 1, sizeof(*keys));
	if (keys == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		keys[n] = yaml_document_get_node(doc, p->key);
		if (keys[n]->type != YAML_SCALAR_NODE) {
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: a "
			    "non-string key, expected string keys",
			    line_of(keys[n]));
			goto out;
		}
		n++;
	}
	qsort(keys, n, sizeof(*keys), scalar_cmp);
	for (i = 1; i < n && r == ANC_OK; i++)
		if (scalar_cmp(&keys[i - 1], &keys[i]) == 0)
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: duplicate "
			    "key, expected each key once", line_of(keys[i]));
 out:
	free(keys);
	return r;
}

/* Count one more reference to child `id`; -1 when it was seen before,
 * which only an alias (or a cycle through the root) can do. */
static int
ref_child(unsigned char *refs, size_t n, int id)
{
	if (id < 2 || (size_t)id > n || refs[id] != 0)
		return -1;
	refs[id] = 1;
	return 0;
}

/* Every node has one parent, so nodes can be checked one by one and
 * nothing is visited twice: no aliases, scalar keys, unique keys. */
static int
check_tree(yaml_document_t *doc, struct anc_err *err)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start), i;
	const yaml_node_item_t *it;
	const yaml_node_pair_t *p;
	const yaml_node_t *node;
	unsigned char *refs;
	int r = ANC_OK, bad = 0;

	if ((refs = calloc(n + 1, 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	for (i = 0; i < n && r == ANC_OK && !bad; i++) {
		node = doc->nodes.start + i;
		if (node->type == YAML_SEQUENCE_NODE)
			for (it = node->data.sequence.items.start;
			    it < node->data.sequence.items.top && !bad; it++)
				bad = ref_child(refs, n, *it) != 0;
		if (node->type == YAML_MAPPING_NODE) {
			for (p = node->data.mapping.pairs.start;
			    p < node->data.mapping.pairs.top && !bad; p++)
				bad = ref_child(refs, n, p->key) != 0 ||
				    ref_child(refs, n, p->value) != 0;
			if (!bad)
				r = check_keys(doc, node, err);
		}
		if (bad)
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: an alias, "
			    "expected plain YAML", line_of(node));
	}
	free(refs);
	return r;
}

static int
key_block(void *arg, size_t num, const char *type, const unsigned char *der,
    size_t len, struct anc_err *err)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	if (strcmp(type, "PRIVATE KEY") != 0 &&
	    strcmp(type, "EC PRIVATE KEY") != 0 &&
	    strcmp(type, "RSA PRIVATE KEY") != 0)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected an unencrypted private key", num, type);
	ERR_set_mark();
	k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_pop_to_mark();
	EVP_PKEY_free(k);
	if (k == NULL || p != der + len)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: does not "
		    "parse as a private key", num);
	return ANC_OK;
}

/* tls.key of a kubernetes.io/tls Secret: exactly one private key. */
static int
check_tls_key(const yaml_node_t *n, int base64, const char *field,
    struct anc_err *err)
{
	const unsigned char *v;
	unsigned char *dec = NULL;
	size_t len, dn = 0, blocks = 0;
	int r;

	if (n->type != YAML_SCALAR_NODE)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s.tls.key: "
		    "expected a string", line_of(n), field);
	v = n->data.scalar.value;
	len = n->data.scalar.length;
	if (base64) {
		if (b64_decode(v, len, &dec, &dn) != 0)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: "
			    "%s.tls.key: expected base64", line_of(n), field);
		v = dec;
		len = dn;
	}
	r = anc_pem_each(v, len, NULL, key_block, NULL, &blocks, err);
	if (r == ANC_OK && blocks != 1)
		r = anc_err_set(err, ANC_E_VERIFY, "%zu PEM blocks, expected "
		    "one private key", blocks);
	anc_freezero(dec, dn);
	if (r != ANC_OK)
		return anc_err_prefix(err, "line %zu: %s.tls.key", line_of(n),
		    field);
	return ANC_OK;
}

/* The Secret's key slots: data.tls.key (base64), stringData.tls.key. */
static int
check_secret(yaml_document_t *doc, const yaml_node_t *root,
    const yaml_node_t *slot[2], struct anc_err *err)
{
	yaml_node_t *type = map_get(doc, root, "type");
	yaml_node_t *data = map_get(doc, root, "data");
	yaml_node_t *sdata = map_get(doc, root, "stringData");
	char shown[64];
	int r;

	if (!scalar_is(type, "kubernetes.io/tls")) {
		scalar_text(type, shown, sizeof(shown));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: Secret of "
		    "type %s, expected kubernetes.io/tls (no other Secret "
		    "leaves the appliance)", line_of(root),
		    type == NULL ? "(none)" : shown);
	}
	slot[0] = map_get(doc, data, "tls.key");
	slot[1] = map_get(doc, sdata, "tls.key");
	if ((slot[0] == NULL && slot[1] == NULL) ||
	    (map_get(doc, data, "tls.crt") == NULL &&
	    map_get(doc, sdata, "tls.crt") == NULL))
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: Secret without "
		    "tls.crt and tls.key, expected both", line_of(root));
	if (slot[0] != NULL &&
	    (r = check_tls_key(slot[0], 1, "data", err)) != ANC_OK)
		return r;
	if (slot[1] != NULL &&
	    (r = check_tls_key(slot[1], 0, "stringData", err)) != ANC_OK)
		return r;
	return ANC_OK;
}

static const struct {
	const char *kind;
	const char *api;
} k8s_kinds[] = {
	{ "Secret", "v1" },
	{ "ConfigMap", "v1" },
	{ "Bundle", "trust.cert-manager.io/v1alpha1" },
	{ "Issuer", "cert-manager.io/v1" },
	{ "ClusterIssuer", "cert-manager.io/v1" },
};

/* A Kubernetes object of an allowed kind; *kind names it. */
static int
check_object(yaml_document_t *doc, const yaml_node_t *root,
    const yaml_node_t *slot[2], const char **kind, struct anc_err *err)
{
	yaml_node_t *api = map_get(doc, root, "apiVersion");
	yaml_node_t *k = map_get(doc, root, "kind");
	char shown[64], shown_api[64];
	size_t i, n = sizeof(k8s_kinds) / sizeof(k8s_kinds[0]);

	if (root->type != YAML_MAPPING_NODE || api == NULL || k == NULL ||
	    api->type != YAML_SCALAR_NODE || k->type != YAML_SCALAR_NODE)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: expected a "
		    "Kubernetes object with apiVersion and kind",
		    line_of(root));
	for (i = 0; i < n && !scalar_is(k, k8s_kinds[i].kind); i++)
		continue;
	scalar_text(k, shown, sizeof(shown));
	if (i == n)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: kind %s, "
		    "expected Secret, ConfigMap, Bundle, Issuer or "
		    "ClusterIssuer", line_of(k), shown);
	if (!scalar_is(api, k8s_kinds[i].api)) {
		scalar_text(api, shown_api, sizeof(shown_api));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s with "
		    "apiVersion %s, expected %s", line_of(api), shown,
		    shown_api, k8s_kinds[i].api);
	}
	*kind = k8s_kinds[i].kind;
	if (i == 0)
		return check_secret(doc, root, slot, err);
	return ANC_OK;
}

/* Every string but the allowed key slots is free of private keys. */
static int
scan_scalars(yaml_document_t *doc, const yaml_node_t *slot[2],
    struct anc_err *err)
{
	const yaml_node_t *n;
	int found;

	for (n = doc->nodes.start; n < doc->nodes.top; n++) {
		if (n->type != YAML_SCALAR_NODE || n == slot[0] ||
		    n == slot[1])
			continue;
		if ((found = holds_private_key(n->data.scalar.value,
		    n->data.scalar.length, KEY_B64_DEPTH)) < 0)
			return anc_err_set(err, ANC_E_NOMEM, "line %zu: looking "
			    "for private keys", line_of(n));
		if (found)
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: a "
			    "private key, allowed only in tls.key of a "
			    "kubernetes.io/tls Secret", line_of(n));
	}
	return ANC_OK;
}

static int
check_document(yaml_document_t *doc, int manifest, const char **kind,
    struct anc_err *err)
{
	const yaml_node_t *root = yaml_document_get_root_node(doc);
	const yaml_node_t *slot[2] = { NULL, NULL };
	int r;

	if ((r = check_tree(doc, err)) != ANC_OK)
		return r;
	if (manifest)
		r = check_object(doc, root, slot, kind, err);
	else if (root->type != YAML_MAPPING_NODE)
		r = anc_err_set(err, ANC_E_VERIFY, "line %zu: expected a "
		    "mapping of Helm values", line_of(root));
	if (r != ANC_OK)
		return r;
	return scan_scalars(doc, slot, err);
}

/*
 * Outside its values a YAML file may hold only YAML's punctuation and
 * white space.  A comment, tag, anchor or directive is none of the values
 * checked above, so a key in one would pass unseen; anchorage writes none.
 * The scanner's scalar tokens say where values are.  Their marks count
 * characters, not bytes, and never the byte order mark.
 */
#define YAML_PUNCT " \t\r\n:-?,[]{}."
#define BLOCK_HEADER "|>+-0123456789 \t\r"

struct cursor {
	const unsigned char *text;
	size_t len, byte, ch;
};

/* The byte offset of character `ch`; characters are counted forwards. */
static size_t
byte_at(struct cursor *c, size_t ch)
{
	while (c->ch < ch && c->byte < c->len) {
		c->byte++;
		while (c->byte < c->len && (c->text[c->byte] & 0xc0) == 0x80)
			c->byte++;
		c->ch++;
	}
	return c->byte;
}

static size_t
line_at(const unsigned char *text, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos; i++)
		line += text[i] == '\n';
	return line;
}

/* Only characters of `allowed` in text[from, to). */
static int
only(const unsigned char *text, size_t from, size_t to, const char *allowed,
    size_t *bad)
{
	size_t i;

	for (i = from; i < to; i++)
		if (memchr(allowed, text[i], strlen(allowed)) == NULL) {
			*bad = i;
			return 0;
		}
	return 1;
}

static int
check_outside_values(const unsigned char *text, size_t len,
    struct anc_err *err)
{
	struct cursor c = { text, len, 0, 0 };
	yaml_parser_t parser;
	yaml_token_t tok;
	yaml_scalar_style_t style;
	size_t gap = 0, start, end, eol, bad = 0;
	int done = 0, ok = 1;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		gap = c.byte = 3;
	if (!yaml_parser_initialize(&parser))
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, text, len);
	while (ok && !done) {
		if (!yaml_parser_scan(&parser, &tok)) {
			bad = parser.problem_mark.line + 1;
			yaml_parser_delete(&parser);
			return anc_err_set(err, ANC_E_VERIFY, "line %zu: not "
			    "valid UTF-8 YAML", bad);
		}
		done = tok.type == YAML_STREAM_END_TOKEN;
		if (tok.type == YAML_SCALAR_TOKEN) {
			start = byte_at(&c, tok.start_mark.index);
			end = byte_at(&c, tok.end_mark.index);
			ok = only(text, gap, start, YAML_PUNCT, &bad);
			style = tok.data.scalar.style;
			/* "| # note": a block scalar's header line. */
			if (ok && (style == YAML_LITERAL_SCALAR_STYLE ||
			    style == YAML_FOLDED_SCALAR_STYLE)) {
				for (eol = start; eol < end && text[eol] != '\n';
				    eol++)
					continue;
				ok = only(text, start, eol, BLOCK_HEADER, &bad);
			}
			gap = end;
		}
		yaml_token_delete(&tok);
	}
	yaml_parser_delete(&parser);
	if (ok)
		ok = only(text, gap, len, YAML_PUNCT, &bad);
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s, expected "
		    "only values and YAML punctuation (anchorage writes no "
		    "comments, tags, anchors or directives)", line_at(text, bad),
		    text[bad] == '#' ? "a comment" : "text outside values");
	return ANC_OK;
}

/* manifests/ hold Kubernetes objects; helm-values-*.yaml a mapping. */
static int
check_yaml(const unsigned char *text, size_t len, int manifest,
    struct anc_verify_item *it, struct anc_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const char *kind = "Helm values";
	size_t ndocs = 0, off = 0;
	int loaded = 0, r = ANC_E_INTERNAL;

	if (!yaml_parser_initialize(&parser))
		return anc_err_set(err, ANC_E_NOMEM, "YAML");
	yaml_parser_set_input_string(&parser, text, len);
	it->detail[0] = '\0';
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			r = anc_err_set(err, ANC_E_VERIFY, "line %zu: not valid "
			    "YAML: %s", parser.problem_mark.line + 1,
			    parser.problem != NULL ? parser.problem : "error");
			goto out;
		}
		loaded = 1;
		if (yaml_document_get_root_node(&doc) == NULL)
			break;
		ndocs++;
		if ((r = check_document(&doc, manifest, &kind, err)) != ANC_OK)
			goto out;
		if (off < sizeof(it->detail))
			off += (size_t)snprintf(it->detail + off,
			    sizeof(it->detail) - off, "%s%s", ndocs > 1 ?
			    ", " : "", kind);
		yaml_document_delete(&doc);
		loaded = 0;
	}
	if (ndocs == 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "no YAML document, expected "
		    "%s", manifest ? "Kubernetes objects" : "Helm values");
		goto out;
	}
	r = check_outside_values(text, len, err);
 out:
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

/* Which kind a file is, by its name. */
enum fkind {
	K_UNKNOWN, K_PEM, K_MANIFEST, K_HELM, K_TRANSCRIPT, K_README, K_PUBKEY
};

static const char *const kind_names[] = {
	"unknown", "pem", "manifest", "helm-values", "transcript", "readme",
	"public-key"
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static enum fkind
kind_of(const char *name)
{
	const char *base;
	int sub;

	if (anc_outbox_name_split(name, &sub, &base) != 0)
		return K_UNKNOWN;
	if (sub)
		return ends_with(base, ".yaml") ? K_MANIFEST : K_UNKNOWN;
	if (ends_with(base, ".pub.pem"))
		return K_PUBKEY;
	if (ends_with(base, ".pem"))
		return K_PEM;
	if (strncmp(base, HELM_PREFIX, strlen(HELM_PREFIX)) == 0 &&
	    ends_with(base + strlen(HELM_PREFIX), ".yaml"))
		return K_HELM;
	if (strcmp(base, "transcript.jsonl") == 0)
		return K_TRANSCRIPT;
	if (strcmp(base, "README.txt") == 0 || ends_with(base, ".README.txt"))
		return K_README;
	return K_UNKNOWN;
}

const char *
anc_outbox_kind(const char *name)
{
	return kind_names[kind_of(name)];
}

int
anc_outbox_check_content(const char *name, const unsigned char *d,
    size_t n, struct anc_verify_item *it, struct anc_err *err)
{
	enum fkind k = kind_of(name);
	size_t lines = 0;
	int r;

	/* Whatever its name, a wrapped key belongs on the backup medium. */
	if (memmem(d, n, ANC_WRAPPED_MAGIC, strlen(ANC_WRAPPED_MAGIC)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds a wrapped key "
		    "(\"%s\"), which belongs on the backup medium; the outbox "
		    "never carries key material, wrapped or not",
		    ANC_WRAPPED_MAGIC);
	switch (k) {
	case K_PUBKEY:
		return check_pubkey(d, n, it, err);
	case K_PEM:
		return check_pem(d, n, it, err);
	case K_MANIFEST:
	case K_HELM:
		return check_yaml(d, n, k == K_MANIFEST, it, err);
	case K_TRANSCRIPT:
	case K_README:
		if ((r = check_text(d, n, &lines, err)) != ANC_OK)
			return r;
		snprintf(it->detail, sizeof(it->detail), "%zu %s", lines,
		    k == K_TRANSCRIPT ? "records" : "lines");
		return ANC_OK;
	case K_UNKNOWN:
	default:
		return anc_err_set(err, ANC_E_VERIFY, "not an allowed kind of "
		    "file, expected *.pem, *.pub.pem, %s/*.yaml, "
		    "helm-values-*.yaml, "
		    "transcript.jsonl or README.txt", ANC_OUTBOX_SUBDIR);
	}
}


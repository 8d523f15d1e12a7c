/*
 * anchorage: the YAML files of an outbox, for `outbox verify`.
 *
 * The YAML files in manifests/ hold Kubernetes objects of the allowed
 * kinds (Secret, ConfigMap, trust-manager's Bundle, cert-manager's Issuer
 * and ClusterIssuer); a helm-values file holds a mapping of Helm values.
 * Both must be plain YAML: string keys, each once, no aliases, and
 * nothing outside the values but YAML's punctuation (no comments, tags,
 * anchors or directives, where a key could pass unseen).  The one private
 * key allowed is tls.key of a kubernetes.io/tls Secret, and it must be
 * exactly one unencrypted key; every other string is searched for keys.
 */
#define _GNU_SOURCE
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
#include "keyscan.h"

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
		if (anc_b64_decode(v, len, &dec, &dn) != 0)
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
		if ((found = anc_holds_private_key(n->data.scalar.value,
		    n->data.scalar.length, ANC_KEY_B64_DEPTH)) < 0)
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
		    "comments, tags, anchors or directives)",
		    anc_text_line(text, bad), text[bad] == '#' ? "a comment" :
		    "text outside values");
	return ANC_OK;
}

int
anc_outbox_check_yaml(const unsigned char *text, size_t len, int manifest,
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

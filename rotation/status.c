/*
 * anchorage: `status`.  Every anchor, issuing CA and cross-certificate
 * the outboxes, the bundle and the token know of: how long each has left,
 * which rotation phase it is in, and whether action is due.
 *
 * The bundle in use decides the phases: an anchor in it alone is in use;
 * next to an older one it is introduced (no issuing CA under it yet) or
 * switched; the older one is retiring; an anchor that left it is retired.
 * Only what is in use can make action due, so a finished rotation does not
 * warn forever about the anchor it retired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <yaml.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/manifest.h"
#include "anchorage/token.h"
#include "rotation_int.h"

#define DAY 86400

struct known {
	X509 *x;
	time_t nb, na;
	size_t seq;		/* order found: outboxes come oldest first */
	int bpos;		/* place in the bundle (newest first), or -1 */
	int anchor;		/* index of the issuing anchor, or -1 */
	struct anc_status_item it;
};

struct tkey {
	char label[129];
	EVP_PKEY *pub;
	int matched;
};

/* A transcript's word that a token (by serial) holds a key (by SPKI). */
struct holder {
	char spki[65];
	char serial[33];
};

struct anc_status {
	time_t at;
	int warn_days;
	struct known *k;
	size_t n, cap;
	char (*bundle)[65];	/* fingerprints of the bundle in use */
	size_t nbundle;
	int bundle_given;	/* by --bundle, not by an outbox */
	char bundle_src[512];
	struct tkey *keys;
	size_t nkeys;
	const char *phase;
	char next[256];
	int action_due;
	struct holder *holders;
	size_t nholders;
};

int
anc_status_new(time_t at, int warn_days, struct anc_status **out,
    struct anc_err *err)
{
	struct anc_status *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	st->at = at;
	st->warn_days = warn_days;
	st->phase = "unknown";
	*out = st;
	return ANC_OK;
}

void
anc_status_free(struct anc_status *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		X509_free(st->k[i].x);
	for (i = 0; i < st->nkeys; i++)
		EVP_PKEY_free(st->keys[i].pub);
	free(st->k);
	free(st->keys);
	free(st->bundle);
	free(st->holders);
	free(st);
}

/* Remember a certificate once, with the first file it came from. */
static int
add_cert(struct anc_status *st, X509 *x, const char *source,
    struct anc_err *err)
{
	struct known *k;
	char fp[65];
	size_t i;

	if (anc_cert_fingerprint(x, fp) != ANC_OK)
		return anc_err_set(err, ANC_E_CRYPTO, "%s: fingerprint", source);
	for (i = 0; i < st->n; i++)
		if (strcmp(st->k[i].it.sha256, fp) == 0)
			return ANC_OK;
	if (st->n == st->cap) {
		k = realloc(st->k, (st->cap * 2 + 8) * sizeof(*k));
		if (k == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "status");
		st->k = k;
		st->cap = st->cap * 2 + 8;
	}
	k = &st->k[st->n];
	memset(k, 0, sizeof(*k));
	if (!X509_up_ref(x))
		return anc_err_set(err, ANC_E_INTERNAL, "%s", source);
	k->x = x;
	k->anchor = -1;
	k->seq = st->n;
	memcpy(k->it.sha256, fp, sizeof(fp));
	anc_inv_printable(source, k->it.source, sizeof(k->it.source));
	st->n++;
	return ANC_OK;
}

static int
add_certs(struct anc_status *st, STACK_OF(X509) *sk, const char *source,
    struct anc_err *err)
{
	int i, r;

	for (i = 0; i < sk_X509_num(sk); i++)
		if ((r = add_cert(st, sk_X509_value(sk, i), source, err)) !=
		    ANC_OK)
			return r;
	return ANC_OK;
}

/* The bundle in use becomes these anchors. */
static int
set_bundle(struct anc_status *st, STACK_OF(X509) *sk, const char *source,
    struct anc_err *err)
{
	int i, n = sk_X509_num(sk);

	free(st->bundle);
	st->nbundle = 0;
	if ((st->bundle = calloc((size_t)n + 1, sizeof(*st->bundle))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "status");
	for (i = 0; i < n; i++) {
		if (X509_check_ca(sk_X509_value(sk, i)) != 1 ||
		    X509_self_signed(sk_X509_value(sk, i), 1) != 1) {
			ERR_clear_error();
			return anc_err_set(err, ANC_E_INPUT, "%s: certificate %d "
			    "is not a self-signed CA; expected a trust bundle",
			    source, i + 1);
		}
		if (anc_cert_fingerprint(sk_X509_value(sk, i),
		    st->bundle[i]) != ANC_OK)
			return anc_err_ossl(err, ANC_E_CRYPTO, "%s: certificate "
			    "%d: fingerprint", source, i + 1);
		st->nbundle++;
	}
	anc_inv_printable(source, st->bundle_src, sizeof(st->bundle_src));
	return add_certs(st, sk, source, err);
}

int
anc_status_add_bundle(struct anc_status *st, const char *file,
    struct anc_err *err)
{
	STACK_OF(X509) *sk = NULL;
	int r;

	if ((r = anc_pem_read_cert_file(file, &sk, err)) != ANC_OK)
		return r;
	r = set_bundle(st, sk, file, err);
	st->bundle_given = 1;
	sk_X509_pop_free(sk, X509_free);
	return r;
}

/*
 * Outboxes
 */

static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(doc, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, strlen(key)) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* The trust bundle a ConfigMap manifest carries (export-bundle), which
 * `outbox verify` has already checked. */
static int
configmap_bundle(struct anc_status *st, const char *path,
    struct anc_err *err)
{
	unsigned char *data = NULL;
	STACK_OF(X509) *sk = NULL;
	yaml_parser_t yp;
	yaml_document_t doc;
	yaml_node_t *v;
	size_t len = 0;
	int r, loaded = 0;

	if ((r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, err)) !=
	    ANC_OK)
		return r;
	if (!yaml_parser_initialize(&yp)) {
		free(data);
		return anc_err_set(err, ANC_E_NOMEM, "%s", path);
	}
	yaml_parser_set_input_string(&yp, data, len);
	loaded = yaml_parser_load(&yp, &doc);
	v = loaded ? map_get(&doc, map_get(&doc, yaml_document_get_root_node(
	    &doc), "data"), ANC_BUNDLE_KEY) : NULL;
	if (v == NULL || v->type != YAML_SCALAR_NODE)
		r = anc_err_set(err, ANC_E_INPUT, "%s: expected a ConfigMap "
		    "with data.%s", path, ANC_BUNDLE_KEY);
	else if ((r = anc_pem_read_certs(v->data.scalar.value,
	    v->data.scalar.length, path, &sk, err)) == ANC_OK)
		r = set_bundle(st, sk, path, err);
	sk_X509_pop_free(sk, X509_free);
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&yp);
	free(data);
	return r;
}

static int
outbox_file(struct anc_status *st, const char *dir,
    const struct anc_verify_item *it, int manifests, struct anc_err *err)
{
	STACK_OF(X509) *sk = NULL;
	char path[4096];
	int r = ANC_OK;

	snprintf(path, sizeof(path), "%s/%s", dir, it->file);
	if (!manifests && (strcmp(it->kind, "certificate") == 0 ||
	    strcmp(it->kind, "bundle") == 0)) {
		if ((r = anc_pem_read_cert_file(path, &sk, err)) == ANC_OK)
			r = add_certs(st, sk, path, err);
		sk_X509_pop_free(sk, X509_free);
	} else if (manifests && !st->bundle_given &&
	    strncmp(it->file, "manifests/configmap-", 20) == 0)
		r = configmap_bundle(st, path, err);
	return r;
}

static int
add_holder(struct anc_status *st, const char *spki, const char *serial)
{
	struct holder *h;
	size_t i;

	if (spki == NULL || serial == NULL || strlen(spki) != 64)
		return ANC_OK;
	for (i = 0; i < st->nholders; i++)
		if (strcmp(st->holders[i].spki, spki) == 0 &&
		    strcmp(st->holders[i].serial, serial) == 0)
			return ANC_OK;
	if ((h = realloc(st->holders, (st->nholders + 1) * sizeof(*h))) ==
	    NULL)
		return ANC_E_NOMEM;
	st->holders = h;
	h = &h[st->nholders++];
	snprintf(h->spki, sizeof(h->spki), "%s", spki);
	snprintf(h->serial, sizeof(h->serial), "%s", serial);
	return ANC_OK;
}

/*
 * Which tokens hold which keys, from a transcript the outbox vouches for:
 * a key generated in a run is in the run's first token ("token" record);
 * a backup-restore record names the token it restored a key into.
 */
static int
transcript_holders(struct anc_status *st, const char *dir,
    struct anc_err *err)
{
	char path[4096], serial[33] = "";
	unsigned char *data = NULL;
	const char *type, *line, *nl;
	json_t *rec, *tok;
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s/transcript.jsonl", dir);
	if ((r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, err)) !=
	    ANC_OK)
		return r;
	for (line = (const char *)data; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		if ((rec = json_loadb(line, (size_t)(nl - line), 0, NULL)) ==
		    NULL)
			continue;
		type = json_string_value(json_object_get(rec, "type"));
		if (type != NULL && strcmp(type, "token") == 0 &&
		    serial[0] == '\0' && json_string_value(json_object_get(rec,
		    "serial")) != NULL)
			snprintf(serial, sizeof(serial), "%s", json_string_value(
			    json_object_get(rec, "serial")));
		else if (type != NULL && strcmp(type, "key") == 0)
			r = add_holder(st, json_string_value(json_object_get(rec,
			    "spki_sha256")), serial);
		else if (type != NULL && strcmp(type, "backup-restore") == 0 &&
		    (tok = json_object_get(rec, "token")) != NULL)
			r = add_holder(st, json_string_value(json_object_get(rec,
			    "spki_sha256")), json_string_value(
			    json_object_get(tok, "serial")));
		json_decref(rec);
		if (r != ANC_OK)
			break;
	}
	free(data);
	return r == ANC_OK ? ANC_OK : anc_err_set(err, r, "%s", path);
}

int
anc_status_add_outbox(struct anc_status *st, const char *dir,
    struct anc_err *err)
{
	struct anc_verify_item *items = NULL;
	size_t n = 0, i;
	int r;

	/* Only what SHA256SUMS vouches for. */
	if ((r = anc_outbox_verify(dir, &items, &n, err)) != ANC_OK) {
		anc_err_prefix(err, "status needs outboxes that verify");
		goto out;
	}
	/* Certificates first, so each is named by its own file rather than
	 * by the ConfigMap that repeats it. */
	for (i = 0; i < n; i++)
		if ((r = outbox_file(st, dir, &items[i], 0, err)) != ANC_OK)
			goto out;
	for (i = 0; i < n; i++)
		if ((r = outbox_file(st, dir, &items[i], 1, err)) != ANC_OK)
			goto out;
	for (i = 0; i < n; i++)
		if (strcmp(items[i].kind, "transcript") == 0 &&
		    (r = transcript_holders(st, dir, err)) != ANC_OK)
			goto out;
	/* success */
	r = ANC_OK;
 out:
	free(items);
	return r;
}

/*
 * The token: public key objects only, so no PIN is needed
 */

static int
token_keys(struct anc_status *st, struct anc_token *t, struct anc_err *err)
{
	struct anc_key_info *keys = NULL;
	struct tkey *tk;
	size_t n = 0, i;
	int r;

	if ((r = anc_token_keys(t, &keys, &n, err)) != ANC_OK)
		return r;
	for (i = 0; i < n; i++) {
		if (keys[i].is_private)
			continue;
		if ((tk = realloc(st->keys, (st->nkeys + 1) * sizeof(*tk))) ==
		    NULL) {
			r = anc_err_set(err, ANC_E_NOMEM, "status");
			goto out;
		}
		st->keys = tk;
		tk = &tk[st->nkeys];
		memset(tk, 0, sizeof(*tk));
		snprintf(tk->label, sizeof(tk->label), "%s", keys[i].label);
		if ((r = anc_token_public_key(t, keys[i].label, &tk->pub,
		    err)) != ANC_OK)
			goto out;
		st->nkeys++;
	}
	/* success */
	r = ANC_OK;
 out:
	free(keys);
	return r;
}

int
anc_status_add_token(struct anc_status *st, const char *module,
    const char *uri, struct anc_err *err)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	int r;

	if ((r = anc_module_load(module, &m, err)) == ANC_OK &&
	    (r = anc_token_open(m, uri, &t, err)) == ANC_OK)
		r = token_keys(st, t, err);
	/* Token before module: libp11 must not outlive its sessions. */
	anc_token_free(t);
	anc_module_free(m);
	return r;
}

/*
 * Deciding
 */

/* The place of an anchor in the bundle in use, or -1. */
static int
bundle_pos(const struct anc_status *st, const char *fp)
{
	size_t i;

	for (i = 0; i < st->nbundle; i++)
		if (strcmp(st->bundle[i], fp) == 0)
			return (int)i;
	return -1;
}

/*
 * Is a newer than b?  By notBefore; two made in the same second (tests,
 * a rehearsal) by their places in the bundle, which lists the newest first,
 * and then by the order found.
 */
static int
newer(const struct known *a, const struct known *b)
{
	if (a->nb != b->nb)
		return a->nb > b->nb;
	if (a->bpos >= 0 && b->bpos >= 0 && a->bpos != b->bpos)
		return a->bpos < b->bpos;
	return a->seq > b->seq;
}

static int
is_anchor(X509 *x)
{
	int r = X509_check_ca(x) == 1 && X509_self_signed(x, 1) == 1;

	ERR_clear_error();
	return r;
}

/* What each certificate is, and which anchor certified it. */
static void
classify(struct anc_status *st)
{
	struct known *k, *a;
	size_t i, j;

	for (i = 0; i < st->n; i++)
		if (is_anchor(st->k[i].x))
			st->k[i].it.kind = ANC_STATUS_ANCHOR;
	for (i = 0; i < st->n; i++) {
		k = &st->k[i];
		if (k->it.kind == ANC_STATUS_ANCHOR || X509_check_ca(k->x) != 1)
			continue;
		k->it.kind = ANC_STATUS_ISSUING_CA;
		for (j = 0; j < st->n; j++) {
			a = &st->k[j];
			if (a->it.kind != ANC_STATUS_ANCHOR)
				continue;
			if (X509_check_issued(a->x, k->x) == X509_V_OK &&
			    X509_verify(k->x, X509_get0_pubkey(a->x)) == 1)
				k->anchor = (int)j;
			/* The key and name of an anchor, certified by another:
			 * a cross-certificate. */
			if (EVP_PKEY_eq(X509_get0_pubkey(a->x),
			    X509_get0_pubkey(k->x)) == 1 &&
			    X509_NAME_cmp(X509_get_subject_name(a->x),
			    X509_get_subject_name(k->x)) == 0)
				k->it.kind = ANC_STATUS_CROSS;
		}
		ERR_clear_error();
	}
}

static long
days_left(time_t at, time_t na)
{
	time_t d = na - at;

	return d >= 0 ? (long)(d / DAY) : -(long)((-d + DAY - 1) / DAY);
}

/* How many tokens the transcripts show holding the key of `x`. */
static int
key_tokens(const struct anc_status *st, X509 *x)
{
	unsigned char *der = NULL, md[32];
	char spki[65];
	size_t i;
	int len, n = 0;

	if ((len = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0)
		return 0;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	anc_hex(md, sizeof(md), spki);
	for (i = 0; i < st->nholders; i++)
		n += strcmp(st->holders[i].spki, spki) == 0;
	return n;
}

static void
basics(struct anc_status *st, struct known *k)
{
	anc_x509_subject(k->x, k->it.subject, sizeof(k->it.subject));
	if (anc_asn1_time(X509_get0_notBefore(k->x), &k->nb) != 0)
		k->nb = 0;
	if (anc_asn1_time(X509_get0_notAfter(k->x), &k->na) != 0)
		k->na = 0;
	anc_rfc3339_format(k->nb, k->it.not_before);
	anc_rfc3339_format(k->na, k->it.not_after);
	k->it.days_left = days_left(st->at, k->na);
	k->bpos = k->it.kind == ANC_STATUS_ANCHOR ?
	    bundle_pos(st, k->it.sha256) : -1;
	k->it.in_bundle = k->bpos >= 0;
	if (k->anchor >= 0)
		memcpy(k->it.anchor_sha256, st->k[k->anchor].it.sha256, 65);
	if (k->it.kind == ANC_STATUS_ANCHOR)
		k->it.key_tokens = key_tokens(st, k->x);
}

/* The newest anchor of the bundle in use, and how many it holds. */
static struct known *
newest_in_bundle(struct anc_status *st, size_t *count)
{
	struct known *best = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < st->n; i++) {
		if (!st->k[i].it.in_bundle)
			continue;
		(*count)++;
		if (best == NULL || newer(&st->k[i], best))
			best = &st->k[i];
	}
	return best;
}

/* Has an issuing CA been made under this anchor? */
static int
has_issuing(const struct anc_status *st, const struct known *a)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->k[i].it.kind == ANC_STATUS_ISSUING_CA &&
		    st->k[i].anchor >= 0 && &st->k[st->k[i].anchor] == a)
			return 1;
	return 0;
}

static void
overall(struct anc_status *st)
{
	struct known *n;
	size_t count;

	n = newest_in_bundle(st, &count);
	if (st->nbundle == 0) {
		st->phase = "unknown";
		snprintf(st->next, sizeof(st->next), "name the bundle in use "
		    "(--bundle FILE, or an outbox with a trust-bundle "
		    "ConfigMap)");
	} else if (count <= 1) {
		st->phase = "steady";
		snprintf(st->next, sizeof(st->next), "none until an anchor "
		    "enters the %d-day buffer; then introduce a new one",
		    st->warn_days);
	} else if (has_issuing(st, n)) {
		st->phase = "switched";
		snprintf(st->next, sizeof(st->next), "re-issue every leaf, "
		    "run inventory check, then the retire ceremony");
	} else {
		st->phase = "introduced";
		snprintf(st->next, sizeof(st->next), "once the bundle is "
		    "everywhere, the switch ceremony: an issuing CA under %s",
		    n->it.subject);
	}
}

static const char *
anchor_phase(struct anc_status *st, const struct known *k)
{
	struct known *n;
	size_t count;

	n = newest_in_bundle(st, &count);
	if (st->nbundle == 0)
		return "unknown";
	if (k->it.in_bundle)
		return count == 1 ? "in use" : k == n ? st->phase : "retiring";
	return n == NULL || newer(k, n) ? "not in bundle" : "retired";
}

/* Replaced by a newer issuing CA under the same anchor or a newer one
 * that is in use.  (Status reads one deployment: give it the outboxes of
 * one cluster.) */
static int
superseded(const struct anc_status *st, const struct known *k)
{
	const struct known *o, *oa, *ka = &st->k[k->anchor];
	size_t i;

	for (i = 0; i < st->n; i++) {
		o = &st->k[i];
		if (o == k || o->it.kind != ANC_STATUS_ISSUING_CA ||
		    o->anchor < 0 || !newer(o, k))
			continue;
		oa = &st->k[o->anchor];
		if ((st->nbundle == 0 || oa->it.in_bundle) &&
		    (oa == ka || newer(oa, ka)))
			return 1;
	}
	return 0;
}

static const char *
ca_phase(struct anc_status *st, const struct known *k)
{
	const struct known *a, *n;
	size_t count;

	if (k->anchor < 0)
		return "anchor unknown";
	a = &st->k[k->anchor];
	n = newest_in_bundle(st, &count);
	if (k->it.kind == ANC_STATUS_CROSS)
		return st->nbundle == 0 || a->it.in_bundle ? "in use" :
		    "retired";
	if (st->nbundle != 0 && !a->it.in_bundle)
		return "retired";
	if (superseded(st, k))
		return "superseded";
	return n != NULL && a != n ? "to replace" : "in use";
}

/* Only what is in use can make action due. */
static int
watched(const char *phase)
{
	static const char *const quiet[] = { "retired", "superseded",
	    "not in bundle" };
	size_t i;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (strcmp(phase, quiet[i]) == 0)
			return 0;
	return 1;
}

static void
advise(struct anc_status *st, struct known *k)
{
	struct anc_status_item *it = &k->it;
	int anchor = it->kind == ANC_STATUS_ANCHOR;

	if (!watched(it->phase) || k->na - st->at >= (time_t)st->warn_days * DAY)
		return;
	st->action_due = 1;
	if (k->na <= st->at) {
		it->level = ANC_STATUS_EXPIRED;
		snprintf(it->advice, sizeof(it->advice), "EXPIRED %ld day(s) "
		    "ago: %s", -it->days_left, anchor ? "certificates that chain "
		    "only to it no longer verify" : "it can no longer issue; "
		    "issue a new one");
		return;
	}
	it->level = ANC_STATUS_SOON;
	if (anchor && strcmp(it->phase, "retiring") == 0)
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s): finish the rotation (switch, re-issue, retire) "
		    "before then", it->days_left);
	else if (anchor)
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s), inside the %d-day buffer: introduce a new anchor "
		    "(docs/rotation.md, phase 1)", it->days_left, st->warn_days);
	else
		snprintf(it->advice, sizeof(it->advice), "expires in %ld "
		    "day(s), inside the %d-day buffer: issue a new issuing CA "
		    "and apply its Secret", it->days_left, st->warn_days);
}

static void
match_keys(struct anc_status *st, struct known *k)
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		if (EVP_PKEY_eq(st->keys[i].pub, X509_get0_pubkey(k->x)) == 1) {
			snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
			    st->keys[i].label);
			st->keys[i].matched = 1;
		}
	ERR_clear_error();
}

/* Anchors, issuing CAs, cross-certificates, keys; newest first. */
static int
order(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	if (x->it.kind != y->it.kind)
		return (int)x->it.kind - (int)y->it.kind;
	return newer(x, y) ? -1 : newer(y, x) ? 1 : 0;
}

/* A token key no known certificate carries: say so, it may be a root
 * made by a ceremony whose outbox is missing. */
static int
key_items(struct anc_status *st, struct anc_err *err)
{
	struct known *k;
	size_t i;

	for (i = 0; i < st->nkeys; i++) {
		if (st->keys[i].matched)
			continue;
		if (st->n == st->cap) {
			k = realloc(st->k, (st->cap * 2 + 8) * sizeof(*k));
			if (k == NULL)
				return anc_err_set(err, ANC_E_NOMEM, "status");
			st->k = k;
			st->cap = st->cap * 2 + 8;
		}
		k = &st->k[st->n++];
		memset(k, 0, sizeof(*k));
		k->anchor = -1;
		k->bpos = -1;
		k->seq = st->n;
		k->it.kind = ANC_STATUS_KEY;
		k->it.phase = "no certificate";
		snprintf(k->it.key_label, sizeof(k->it.key_label), "%s",
		    st->keys[i].label);
		snprintf(k->it.source, sizeof(k->it.source), "token");
	}
	return ANC_OK;
}

int
anc_status_finish(struct anc_status *st, struct anc_err *err)
{
	struct known *k;
	size_t i, o;

	/* Leaves and other non-CA certificates are not status's business. */
	for (i = 0, o = 0; i < st->n; i++) {
		if (X509_check_ca(st->k[i].x) != 1) {
			X509_free(st->k[i].x);
			continue;
		}
		st->k[o++] = st->k[i];
	}
	st->n = o;
	classify(st);
	for (i = 0; i < st->n; i++)
		basics(st, &st->k[i]);
	overall(st);
	for (i = 0; i < st->n; i++) {
		k = &st->k[i];
		k->it.phase = k->it.kind == ANC_STATUS_ANCHOR ?
		    anchor_phase(st, k) : ca_phase(st, k);
		advise(st, k);
		match_keys(st, k);
	}
	if (key_items(st, err) != ANC_OK)
		return err->code;
	qsort(st->k, st->n, sizeof(*st->k), order);
	return ANC_OK;
}

size_t
anc_status_count(const struct anc_status *st)
{
	return st->n;
}

const struct anc_status_item *
anc_status_item(const struct anc_status *st, size_t i)
{
	return i < st->n ? &st->k[i].it : NULL;
}

const char *
anc_status_bundle_source(const struct anc_status *st)
{
	return st->nbundle > 0 ? st->bundle_src : NULL;
}

const char *
anc_status_phase(const struct anc_status *st)
{
	return st->phase;
}

const char *
anc_status_next(const struct anc_status *st)
{
	return st->next;
}

int
anc_status_action_due(const struct anc_status *st)
{
	return st->action_due;
}

time_t
anc_status_at(const struct anc_status *st)
{
	return st->at;
}

int
anc_status_warn_days(const struct anc_status *st)
{
	return st->warn_days;
}

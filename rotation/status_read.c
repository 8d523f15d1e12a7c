/*
 * anchorage: what `status` reads.  Outboxes, only through what their
 * SHA256SUMS vouches for: the certificates they hold, the trust bundle of
 * a ConfigMap manifest (unless --bundle named one), and from their
 * transcripts which token holds which key.  The token: its public key
 * objects, which need no PIN.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <yaml.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/manifest.h"
#include "anchorage/token.h"
#include "status_int.h"

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
		r = anc_status_set_bundle(st, sk, path, err);
	sk_X509_pop_free(sk, X509_free);
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&yp);
	free(data);
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

/* One record of a transcript: the token that holds a key it names. */
static int
record_holder(struct anc_status *st, const json_t *rec, char *serial,
    size_t cap)
{
	const char *type = json_string_value(json_object_get(rec, "type"));
	const json_t *tok;

	if (type != NULL && strcmp(type, "token") == 0 && serial[0] == '\0' &&
	    json_string_value(json_object_get(rec, "serial")) != NULL)
		snprintf(serial, cap, "%s", json_string_value(
		    json_object_get(rec, "serial")));
	else if (type != NULL && strcmp(type, "key") == 0)
		return add_holder(st, json_string_value(json_object_get(rec,
		    "spki_sha256")), serial);
	else if (type != NULL && strcmp(type, "backup-restore") == 0 &&
	    (tok = json_object_get(rec, "token")) != NULL)
		return add_holder(st, json_string_value(json_object_get(rec,
		    "spki_sha256")), json_string_value(json_object_get(tok,
		    "serial")));
	return ANC_OK;
}

/*
 * Which tokens hold which keys, from a transcript the outbox vouches for:
 * a key generated in a run is in the run's first token ("token" record);
 * a backup-restore record names the token it restored a key into.  Read a
 * line at a time: a fleet's transcript passes ANC_OUTBOX_FILE_MAX, and
 * only a record's line is held (at most ANC_OUTBOX_FILE_MAX, as
 * `transcript verify` allows).
 */
static int
transcript_holders(struct anc_status *st, const char *dir,
    struct anc_err *err)
{
	char path[4096], serial[33] = "", *line = NULL;
	size_t len = 0, cap = 0;
	json_t *rec;
	FILE *f = NULL;
	int got = 0, r;

	snprintf(path, sizeof(path), "%s/transcript.jsonl", dir);
	if ((r = anc_file_open_stream(AT_FDCWD, NULL, path, &f, err)) !=
	    ANC_OK)
		return r;
	while (r == ANC_OK && (got = anc_file_getline(f, ANC_OUTBOX_FILE_MAX,
	    &line, &cap, &len)) == 1) {
		if ((rec = json_loadb(line, len, 0, NULL)) == NULL)
			continue;
		r = record_holder(st, rec, serial, sizeof(serial));
		json_decref(rec);
	}
	if (r != ANC_OK)
		r = anc_err_set(err, r, "%s", path);
	else if (got < 0)
		r = anc_err_set(err, ANC_E_INPUT, "%s: a line longer than %u "
		    "bytes or unreadable, expected one record per line",
		    path, ANC_OUTBOX_FILE_MAX);
	free(line);
	fclose(f);
	return r;
}

/*
 * What status takes from an outbox as `outbox verify` goes through it,
 * file by file, rather than from a list of every file afterwards: a
 * fleet's outbox lists tens of thousands.  Certificates are added at
 * once; the top-level ConfigMaps (bounded by the script) wait until every
 * certificate is in, so that each is named by its own file rather than by
 * the ConfigMap that repeats it.  A second time through, if finish needs
 * it (anc_status_read_cas), only the CAs.  Whatever is taken from an
 * outbox that then fails to verify is never used: the command fails with
 * it.
 */
typedef int add_fn(struct anc_status *, STACK_OF(X509) *, const char *,
    struct anc_err *);

struct take {
	struct anc_status *st;
	const char *dir;
	add_fn *add;			/* what is taken from certificates */
	struct anc_buf *configmaps;	/* names, each ending in a NUL; or
					 * NULL: not wanted */
	int transcript;
	int failed;			/* taking a file failed, not its check */
};

static int
take_file(void *arg, const struct anc_verify_item *it, struct anc_err *err)
{
	struct take *t = arg;
	STACK_OF(X509) *sk = NULL;
	char path[4096];
	int r = ANC_OK;

	if (!it->ok)
		return ANC_OK;
	if (strcmp(it->kind, "certificate") == 0 ||
	    strcmp(it->kind, "bundle") == 0) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, it->file);
		if ((r = anc_pem_read_cert_file(path, &sk, err)) == ANC_OK)
			r = t->add(t->st, sk, path, err);
		sk_X509_pop_free(sk, X509_free);
	} else if (t->configmaps != NULL &&
	    strncmp(it->file, "manifests/configmap-", 20) == 0) {
		if (anc_buf_append(t->configmaps, it->file,
		    strlen(it->file) + 1) != ANC_OK)
			r = anc_err_set(err, ANC_E_NOMEM, "%s", t->dir);
	} else if (strcmp(it->kind, "transcript") == 0)
		t->transcript = 1;
	t->failed = r != ANC_OK;
	return r;
}

/* Only what SHA256SUMS vouches for. */
static int
take_outbox(struct take *t, struct anc_err *err)
{
	int r;

	if ((r = anc_outbox_verify_each(t->dir, take_file, t, err)) !=
	    ANC_OK && !t->failed)
		anc_err_prefix(err, "status needs outboxes that verify");
	return r;
}

int
anc_status_add_outbox(struct anc_status *st, const char *dir,
    struct anc_err *err)
{
	struct take t = { st, dir, anc_status_add_certs, NULL, 0, 0 };
	const char *name;
	size_t off;
	char path[4096];
	int r;

	if ((t.configmaps = anc_buf_new(0)) == NULL ||
	    anc_buf_append(st->outboxes, dir, strlen(dir) + 1) != ANC_OK) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", dir);
		goto out;
	}
	if ((r = take_outbox(&t, err)) != ANC_OK)
		goto out;
	for (off = 0; off < anc_buf_len(t.configmaps) && !st->bundle_given;
	    off += strlen(name) + 1) {
		name = (const char *)anc_buf_data(t.configmaps) + off;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if ((r = configmap_bundle(st, path, err)) != ANC_OK)
			goto out;
	}
	if (t.transcript && (r = transcript_holders(st, dir, err)) != ANC_OK)
		goto out;
	/* success */
	r = ANC_OK;
 out:
	anc_buf_free(t.configmaps);
	return r;
}

/* The second time through, every anchor and key known.  ConfigMaps and
 * the --bundle file hold only anchors. */
int
anc_status_read_cas(struct anc_status *st, struct anc_err *err)
{
	struct take t = { st, NULL, anc_status_add_cas, NULL, 0, 0 };
	size_t off;
	int r;

	for (off = 0; off < anc_buf_len(st->outboxes); off += strlen(t.dir) +
	    1) {
		t.dir = (const char *)anc_buf_data(st->outboxes) + off;
		if ((r = take_outbox(&t, err)) != ANC_OK)
			return r;
	}
	return ANC_OK;
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
		/* It may be the key of a CA already taken. */
		st->recheck |= st->nca > 0;
	}
	/* success */
	r = ANC_OK;
 out:
	free(keys);
	return r;
}

int
anc_status_add_token(struct anc_status *st, const char *module,
    const char *args, const char *uri, struct anc_err *err)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	int r;

	if ((r = anc_module_load_args(module, args, &m, err)) == ANC_OK &&
	    (r = anc_token_open(m, uri, &t, err)) == ANC_OK)
		r = token_keys(st, t, err);
	/* Token before module: libp11 must not outlive its sessions. */
	anc_token_free(t);
	anc_module_free(m);
	return r;
}

/*
 * anchorage: what goes into each transcript record.  One function per
 * record type; docs/transcript-format.md lists every field.  Every function
 * does nothing while checking (no transcript), so the steps call them
 * unconditionally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "engine.h"
#include "records.h"
#include "step.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

static const char *const input_kinds[] = {
	[ANC_INPUT_CERTIFICATE] = "certificate",
	[ANC_INPUT_CSR] = "csr",
	[ANC_INPUT_INVENTORY] = "inventory",
	[ANC_INPUT_BUNDLE] = "bundle",
	[ANC_INPUT_CRL] = "crl",
	[ANC_INPUT_CLUSTERS] = "clusters",
};

/* -1 (unreadable) becomes null. */
static json_t *
tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

int
anc_rec_start(struct anc_engine *e, const char *outbox, const char *module,
    const struct anc_step *signer, const struct anc_input *signer_in,
    struct anc_err *err)
{
	const struct anc_ceremony *c = e->c;
	json_t *sig = json_null();

	if (e->tr == NULL)
		return ANC_OK;
	if (signer != NULL)
		sig = json_pack("{s:s, s:s, s:i}", "key", signer->key,
		    "certificate", signer->output, "step", signer->index);
	else if (signer_in != NULL)
		sig = json_pack("{s:s, s:s, s:n}", "key", signer_in->key,
		    "certificate", signer_in->name, "step");
	return anc_tr_append(e->tr, "start", json_pack("{s:s, s:o, s:{s:o, "
	    "s:s}, s:{s:s, s:s}, s:s?, s:o, s:o, s:i, s:o, s:i}", "ceremony",
	    c->name, "description", c->description != NULL ?
	    anc_tr_str(c->description) : json_null(), "script", "path",
	    anc_tr_str(c->path), "sha256", c->sha256, "tool", "name",
	    "anchorage", "version", ANC_VERSION, "token_uri", c->token,
	    "module", module != NULL ? anc_tr_str(module) : json_null(),
	    "outbox", anc_tr_str(outbox), "steps", (int)c->n_steps,
	    "signer", sig, "format", ANC_TR_FORMAT), err);
}

int
anc_rec_participants(struct anc_engine *e, struct anc_err *err)
{
	json_t *list;
	size_t i;

	if (e->tr == NULL)
		return ANC_OK;
	if ((list = json_array()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "participants");
	for (i = 0; i < e->c->n_participants; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name",
		    e->c->participants[i].name, "role",
		    anc_role_name(e->c->participants[i].role)));
	if (json_array_size(list) != e->c->n_participants) {
		json_decref(list);
		return anc_err_set(err, ANC_E_NOMEM, "participants");
	}
	return anc_tr_append(e->tr, "participants", json_pack("{s:o}",
	    "participants", list), err);
}

int
anc_rec_token(struct anc_engine *e, const struct anc_slot_info *info,
    const unsigned long *mechs, size_t nmech, const char *module_path,
    const char *module_manufacturer, const char *module_description,
    struct anc_err *err)
{
	json_t *list;
	size_t i;

	if (e->tr == NULL)
		return ANC_OK;
	if ((list = json_array()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "mechanisms");
	for (i = 0; i < nmech; i++)
		json_array_append_new(list,
		    json_string(anc_mechanism_name(mechs[i])));
	return anc_tr_append(e->tr, "token", json_pack("{s:o, s:o, s:o, s:o, "
	    "s:s, s:s, s:o, s:{s:o, s:o, s:o}, s:o}",
	    "label", anc_tr_str(info->label),
	    "manufacturer", anc_tr_str(info->manufacturer),
	    "model", anc_tr_str(info->model),
	    "serial", anc_tr_str(info->serial),
	    "firmware", info->fw_version, "hardware", info->hw_version,
	    "slot_description", anc_tr_str(info->description),
	    "module", "path", anc_tr_str(module_path),
	    "manufacturer", anc_tr_str(module_manufacturer),
	    "description", anc_tr_str(module_description),
	    "mechanisms", list), err);
}

int
anc_rec_probe(struct anc_engine *e, json_t *fields, struct anc_err *err)
{
	if (e->tr == NULL) {
		json_decref(fields);
		return ANC_OK;
	}
	return anc_tr_append(e->tr, "probe", fields, err);
}

int
anc_rec_input(struct anc_engine *e, const struct anc_input *in,
    const char *sha256, struct anc_err *err)
{
	if (e->tr == NULL)
		return ANC_OK;
	return anc_tr_append(e->tr, "input", json_pack("{s:s, s:s, s:o, s:s, "
	    "s:b, s:s?}", "name", in->name, "kind", input_kinds[in->kind],
	    "path", anc_tr_str(in->path), "sha256", sha256,
	    "pinned", in->sha256 != NULL, "key", in->key), err);
}

/* The SHA-256 of the file an artifact came from: an input's file, or
 * the "<name>.pem" an earlier step wrote; NULL if neither. */
static const char *
art_sha256(const struct anc_engine *e, const char *name)
{
	char file[160];
	size_t i;

	for (i = 0; i < e->c->n_inputs; i++)
		if (strcmp(e->c->inputs[i].name, name) == 0)
			return e->in_sha256[i];
	if (e->ob == NULL)
		return NULL;
	snprintf(file, sizeof(file), "%s.pem", name);
	for (i = 0; i < anc_outbox_count(e->ob); i++)
		if (strcmp(anc_outbox_file(e->ob, i), file) == 0)
			return anc_outbox_file_sha256(e->ob, i);
	return NULL;
}

void
anc_rec_item(const struct anc_engine *e, struct anc_confirm_item *v,
    size_t cap, size_t *n, const char *name, int token_key)
{
	if (name == NULL || *n == cap)
		return;
	v[*n].name = name;
	v[*n].sha256 = token_key ? NULL : art_sha256(e, name);
	(*n)++;
}

void
anc_rec_inputs_signing(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	anc_rec_item(e, v, cap, n, s->csr, 0);
	anc_rec_item(e, v, cap, n, s->issuer, 0);
	anc_rec_item(e, v, cap, n, s->certificate, 0);
}

void
anc_rec_step_inputs(const struct anc_engine *e, const struct anc_step *s,
    struct anc_confirm_item *v, size_t cap, size_t *n)
{
	const struct anc_step_type *t = s->type;

	*n = 0;
	if (t != NULL && t->inputs != NULL)
		t->inputs(e, s, v, cap, n);
}

static json_t *
items_json(const struct anc_confirm_item *v, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, v[i].sha256 != NULL ?
		    json_pack("{s:s, s:s}", "name", v[i].name, "sha256",
		    v[i].sha256) : json_pack("{s:s, s:b}", "name", v[i].name,
		    "token_key", 1)) != 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

int
anc_rec_step(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_confirm_item *in = NULL;
	char names[4][128], *text = NULL;
	json_t *writes;
	size_t i, nin = 0, n = 0;
	int r = ANC_E_INTERNAL;

	if (e->tr == NULL)
		return ANC_OK;
	if ((in = calloc(ANC_REC_ITEMS_MAX, sizeof(*in))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "step %d", s->index);
		goto out;
	}
	if ((r = anc_step_describe(s, &text, err)) != ANC_OK)
		goto out;
	if ((r = anc_step_files(s, names, 4, &n)) != ANC_OK) {
		r = anc_err_set(err, r, "step %d: output names", s->index);
		goto out;
	}
	anc_rec_step_inputs(e, s, in, ANC_REC_ITEMS_MAX, &nin);
	writes = json_array();
	for (i = 0; writes != NULL && i < n; i++)
		json_array_append_new(writes, json_string(names[i]));
	r = anc_tr_append(e->tr, "step", json_pack("{s:i, s:s, s:i, s:o, "
	    "s:o, s:o}", "step", s->index, "kind", anc_step_kind_name(s),
	    "line", s->line, "description", anc_tr_str(text), "inputs",
	    items_json(in, nin), "writes", writes), err);
 out:
	free(text);
	free(in);
	return r;
}

static json_t *
key_attrs(const struct anc_key_info *k)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "token", tri(k->token),
	    "private", tri(k->private_), "modifiable", tri(k->modifiable),
	    "sensitive", tri(k->sensitive), "extractable",
	    tri(k->extractable), "always_sensitive", tri(k->always_sensitive),
	    "never_extractable", tri(k->never_extractable),
	    "local", tri(k->local), "sign", tri(k->sign),
	    "verify", tri(k->verify), "decrypt", tri(k->decrypt),
	    "encrypt", tri(k->encrypt), "unwrap", tri(k->unwrap),
	    "wrap", tri(k->wrap), "derive", tri(k->derive),
	    "wrap_with_trusted", tri(k->wrap_with_trusted),
	    "always_authenticate", tri(k->always_authenticate));
}

int
anc_rec_key(struct anc_engine *e, const struct anc_key_info *k,
    const char *spki_sha256, struct anc_err *err)
{
	char id[2 * sizeof(k->id) + 1];

	if (e->tr == NULL)
		return ANC_OK;
	anc_hex(k->id, k->id_len, id);
	return anc_tr_append(e->tr, "key", json_pack("{s:i, s:o, s:s, s:o, "
	    "s:s?, s:s, s:s?, s:o}", "step", e->step, "label",
	    anc_tr_str(k->label), "id", id, "key_type", anc_tr_str(k->type),
	    "algorithm", anc_keyalg_name(k->alg), "spki_sha256", spki_sha256,
	    "backup", anc_key_backup(k), "attributes", key_attrs(k)), err);
}

int
anc_rec_output(struct anc_engine *e, const char *file, const char *sha256,
    size_t size, struct anc_err *err)
{
	if (e->tr == NULL)
		return ANC_OK;
	return anc_tr_append(e->tr, "output", json_pack("{s:i, s:s, s:s, "
	    "s:I}", "step", e->step, "file", file, "sha256", sha256, "size",
	    (json_int_t)size), err);
}

int
anc_rec_cluster(struct anc_engine *e, const char *cluster, int line,
    const char *csr_sha256, const struct anc_rec_file *files, size_t n,
    struct anc_err *err)
{
	json_t *list;
	size_t i;

	if (e->tr == NULL)
		return ANC_OK;
	list = json_array();
	for (i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s, s:I}",
		    "file", files[i].name, "sha256", files[i].sha256, "size",
		    (json_int_t)files[i].size)) != 0) {
			json_decref(list);
			list = NULL;
		}
	return anc_tr_append(e->tr, "cluster", json_pack("{s:i, s:s, s:i, "
	    "s:s?, s:o}", "step", e->step, "cluster", cluster, "line", line,
	    "csr_sha256", csr_sha256, "files", list), err);
}

static const char *
phase_name(enum anc_confirm_phase phase)
{
	return phase == ANC_CONFIRM_START ? "start" :
	    phase == ANC_CONFIRM_BEFORE ? "before" : "after";
}

int
anc_rec_confirmation(struct anc_engine *e, enum anc_confirm_phase phase,
    int step, const char *role, const char *name, const char *typed,
    struct anc_err *err)
{
	if (e->tr == NULL)
		return ANC_OK;
	return anc_tr_append(e->tr, "confirmation", json_pack("{s:i, s:s, "
	    "s:s, s:o, s:o}", "step", step, "phase", phase_name(phase),
	    "role", role, "name", anc_tr_str(name), "typed",
	    anc_tr_str(typed)), err);
}

int
anc_rec_exception(struct anc_engine *e, int step, const char *role,
    const char *name, const char *text, struct anc_err *err)
{
	if (e->tr == NULL)
		return ANC_OK;
	return anc_tr_append(e->tr, "exception", json_pack("{s:i, s:s, s:o, "
	    "s:o}", "step", step, "role", role, "name", anc_tr_str(name),
	    "text", anc_tr_str(text)), err);
}

int
anc_rec_context_login(struct anc_engine *e, const char *key,
    struct anc_err *err)
{
	if (e->tr == NULL)
		return ANC_OK;
	return anc_tr_append(e->tr, "context-login", json_pack("{s:i, s:o, "
	    "s:s}", "step", e->step, "key", anc_tr_str(key), "user",
	    "CKU_CONTEXT_SPECIFIC"), err);
}

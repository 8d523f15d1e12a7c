/*
 * anchorage: the script's token checked before a run changes anything;
 * see preflight.h.  `token probe` gives the same answer days before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/ceremony.h"
#include "anchorage/err.h"
#include "anchorage/token.h"
#include "preflight.h"
#include "anchorage/transcript.h"
#include "ceremony_int.h"

/*
 * The backup token's capabilities, when the script names one: opened from
 * the same module, read without a login, closed again (the run opens it
 * for good after the primary's login).  *out stays NULL without one.
 */
static int
backup_caps(const struct anc_ceremony *c, struct anc_module *m,
    struct anc_token_caps **out, struct anc_err *err)
{
	struct anc_token *b = NULL;
	int r;

	*out = NULL;
	if (c->backup_token == NULL)
		return ANC_OK;
	if ((r = anc_token_open(m, c->backup_token, &b, err)) != ANC_OK ||
	    (r = anc_token_caps_read(b, out, err)) != ANC_OK)
		anc_err_prefix(err, "%s: backup-token", c->path);
	anc_token_free(b);
	return r;
}

int
anc_preflight_fits(const struct anc_ceremony *c, struct anc_module *m,
    struct anc_token *t, struct anc_err *err)
{
	struct anc_token_caps *caps = NULL, *bcaps = NULL;
	int r;

	if ((r = anc_token_caps_read(t, &caps, err)) == ANC_OK &&
	    (r = backup_caps(c, m, &bcaps, err)) == ANC_OK)
		r = anc_ceremony_fits(c, caps, bcaps, err);
	anc_token_caps_free(caps);
	anc_token_caps_free(bcaps);
	return r;
}

static json_t *
needs_json(const struct anc_ceremony *c, const struct anc_token_caps *caps,
    struct anc_err *err)
{
	struct anc_need_result res;
	struct anc_need *v = NULL;
	json_t *arr, *o;
	size_t n = 0, i;

	if (anc_ceremony_needs(c, &v, &n, err) != ANC_OK ||
	    (arr = json_array()) == NULL) {
		free(v);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (v[i].backup)
			continue;	/* a rehearsal has no backup steps */
		anc_need_check(&v[i], caps, &res);
		o = json_pack("{s:i, s:s, s:s, s:s, s:o}", "step", v[i].step,
		    "kind", v[i].kind, "need", anc_need_op_name(v[i].op),
		    "status", anc_need_status_name(res.status), "detail",
		    anc_tr_str(res.detail));
		if (anc_keyalg_name(v[i].alg) != NULL)
			json_object_set_new(o, "algorithm",
			    json_string(anc_keyalg_name(v[i].alg)));
		if (res.mech != ANC_MECH_END)
			json_object_set_new(o, "mechanism",
			    json_string(anc_mechanism_name(res.mech)));
		json_array_append_new(arr, o);
	}
	free(v);
	return arr;
}

static json_t *
probe_json(const struct anc_ceremony *c, const char *module,
    const struct anc_token_caps *caps, struct anc_err *err)
{
	const struct anc_slot_info *s = &caps->info;
	json_t *mechs = json_array(), *needs;
	char flags[512];
	size_t i;

	if ((needs = needs_json(c, caps, err)) == NULL) {
		json_decref(mechs);
		return NULL;
	}
	for (i = 0; i < caps->nmechs; i++)
		json_array_append_new(mechs, json_string(
		    anc_mechanism_name(caps->mechs[i].type)));
	return json_pack("{s:{s:o, s:o, s:o, s:s}, s:{s:o, s:o, s:o, s:o, "
	    "s:s, s:s, s:s, s:I, s:I}, s:o, s:o, s:b}",
	    "module", "path", anc_tr_str(module), "manufacturer",
	    anc_tr_str(caps->library_manufacturer), "description",
	    anc_tr_str(caps->library_description), "version",
	    caps->library_version,
	    "token", "label", anc_tr_str(s->label), "manufacturer",
	    anc_tr_str(s->manufacturer), "model", anc_tr_str(s->model),
	    "serial", anc_tr_str(s->serial), "firmware", s->fw_version,
	    "hardware", s->hw_version, "flags",
	    anc_token_flag_names(s->flags, flags, sizeof(flags)),
	    "min_pin_length", (json_int_t)s->min_pin_len, "max_pin_length",
	    (json_int_t)s->max_pin_len,
	    "mechanisms", mechs, "needs", needs, "read_only", 1);
}

int
anc_preflight_real_token(const struct anc_ceremony *c, const char *module,
    const char *args, json_t **rec, struct anc_err *err)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_token_caps *caps = NULL;
	int r;

	if ((r = anc_module_load_args(module, args, &m, err)) != ANC_OK ||
	    (r = anc_token_open(m, anc_ceremony_token_uri(c), &t, err)) !=
	    ANC_OK ||
	    (r = anc_token_caps_read(t, &caps, err)) != ANC_OK ||
	    (r = anc_ceremony_fits(c, caps, NULL, err)) != ANC_OK)
		goto out;	/* no backup token: a rehearsal refuses backups */
	if ((*rec = probe_json(c, module, caps, err)) == NULL)
		r = err->code != ANC_OK ? err->code :
		    anc_err_set(err, ANC_E_NOMEM, "probe record");
 out:
	anc_token_caps_free(caps);
	/* Token before module: libp11 must not outlive its sessions. */
	anc_token_free(t);
	anc_module_free(m);
	return r;
}

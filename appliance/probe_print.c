/*
 * anchorage: `token probe` output, as text or as one JSON document, and
 * the verdict on a trial that the output shows and cmd_probe.c's exit
 * status follows.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "appliance.h"
#include "probe.h"

int
probe_trial_ok(const struct anc_trial *t)
{
	size_t i;

	if (t == NULL || !t->generated || !t->attrs_ok || !t->destroyed)
		return 0;
	for (i = 0; i < t->nsigs; i++)
		if (t->sigs[i].signed_ok && t->sigs[i].verified)
			return 1;
	return 0;
}

static const char *
yesno(int v)
{
	return v ? "yes" : "no";
}

/* "unlimited", "unknown" or the number, into buf. */
static const char *
count_str(unsigned long v, char *buf, size_t cap)
{
	if (v == ANC_P11_INFINITE)
		return "unlimited";
	if (v == ANC_P11_UNAVAILABLE)
		return "unknown";
	snprintf(buf, cap, "%lu", v);
	return buf;
}

static json_t *
count_json(unsigned long v)
{
	char buf[32];

	if (v == ANC_P11_INFINITE || v == ANC_P11_UNAVAILABLE)
		return json_string(count_str(v, buf, sizeof(buf)));
	return json_integer((json_int_t)v);
}

/* "a,b,c" as a JSON array of strings. */
static json_t *
names_json(const char *csv)
{
	json_t *arr = json_array();
	const char *p = csv, *q;

	while (*p != '\0') {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		json_array_append_new(arr, json_stringn(p, (size_t)(q - p)));
		p = *q == ',' ? q + 1 : q;
	}
	return arr;
}

static void
token_text(const struct probe *p)
{
	const struct anc_token_caps *c = p->caps;
	const struct anc_slot_info *s = &c->info;
	char f[512], b1[32], b2[32];

	printf("token \"%s\"\n  uri:           %s\n  module:        %s\n"
	    "  library:       %s, %s %s (Cryptoki %s)\n"
	    "  manufacturer:  %s\n  model:         %s\n  serial:        %s\n"
	    "  firmware:      %s (hardware %s)\n  flags:         %s\n",
	    s->label, p->uri, p->module, c->library_manufacturer,
	    c->library_description, c->library_version, c->cryptoki_version,
	    s->manufacturer, s->model, s->serial, s->fw_version,
	    s->hw_version, anc_token_flag_names(s->flags, f, sizeof(f)));
	printf("  PIN entry on the device (protected authentication path): "
	    "%s\n  login required: %s\n  random number generator: %s\n"
	    "  user PIN length: %lu to %lu characters\n"
	    "  sessions: %s (read-write: %s)\n",
	    yesno(s->protected_path), yesno(s->login_required),
	    yesno(s->has_rng), s->min_pin_len, s->max_pin_len,
	    count_str(s->max_sessions, b1, sizeof(b1)),
	    count_str(s->max_rw_sessions, b2, sizeof(b2)));
}

/* The mechanisms that matter, as `c` reports them, `indent` deep. */
static void
mechs_text(const struct anc_token_caps *c, const char *indent)
{
	const struct anc_mech_role *mr;
	const struct anc_mech_caps *mc;
	char f[256];
	size_t n, i;

	mr = anc_mechs_that_matter(&n);
	printf("%smechanisms that matter (the token lists %zu in all):\n",
	    indent, c->nmechs);
	for (i = 0; i < n; i++) {
		mc = anc_caps_mech(c, mr[i].mech);
		printf("%s  %-26s ", indent, anc_mechanism_name(mr[i].mech));
		if (mc == NULL)
			printf("not listed");
		else if (!mc->have_info)
			printf("listed, no details (C_GetMechanismInfo: %s)",
			    anc_rv_name(mc->info_rv));
		else
			printf("key sizes %lu-%lu, %s", mc->min_key,
			    mc->max_key, anc_mech_flag_names(mc->flags, f,
			    sizeof(f)));
		printf("  [%s]\n", mr[i].role);
	}
}

static void
trials_text(const struct probe *p)
{
	const struct anc_trial *t;
	size_t i, j;

	printf("random: %s\n", p->random_ok ? "C_GenerateRandom gave 16 bytes"
	    : p->random_err);
	printf("trial key pairs (session objects, CKA_TOKEN false, the "
	    "ceremony's private template):\n");
	for (i = 0; i < p->ntrials; i++) {
		t = &p->trials[i];
		printf("  %-10s %s: ", anc_keyalg_name(t->alg),
		    probe_trial_ok(t) ? "ok" : "FAILED");
		if (p->trial_err[i][0] != '\0')
			printf("%s", p->trial_err[i]);
		else if (!t->generated)
			printf("C_GenerateKeyPair failed (%s)",
			    anc_rv_name(t->keygen_rv));
		else
			printf("generated; template %s", t->attrs_ok ? "kept" :
			    t->attrs_detail);
		for (j = 0; j < t->nsigs; j++) {
			if (t->sigs[j].signed_ok)
				printf("; %s signed, %s",
				    anc_mechanism_name(t->sigs[j].mech),
				    t->sigs[j].verified ? "verified" :
				    "DOES NOT VERIFY");
			else
				printf("; %s cannot sign (%s)",
				    anc_mechanism_name(t->sigs[j].mech),
				    anc_rv_name(t->sigs[j].rv));
		}
		if (t->persistent)
			printf("; WARNING: the module made token objects "
			    "despite CKA_TOKEN false");
		if (t->session_refused)
			printf("; the module refuses session key pairs: "
			    "not tried further");
		if (t->generated)
			printf("; %s", t->destroyed ? "destroyed" :
			    "NOT DESTROYED");
		printf(" (%.2f s)\n", t->seconds);
	}
}

/* The script's backup-token, as far as it could be read. */
static void
backup_text(const struct probe_script *ps)
{
	const struct anc_slot_info *s;

	if (ps->backup_uri == NULL)
		return;
	if (ps->bcaps == NULL) {
		printf("  backup token %s: CANNOT be read: %s\n",
		    ps->backup_uri, ps->backup_err);
		return;
	}
	s = &ps->bcaps->info;
	printf("  backup token %s: \"%s\", %s %s, serial %s (read without "
	    "a login)\n", ps->backup_uri, s->label, s->manufacturer, s->model,
	    s->serial);
	mechs_text(ps->bcaps, "  ");
}

static void
script_text(const struct probe_script *ps)
{
	char what[256];
	size_t i;

	printf("script %s (\"%s\", SHA-256 %s): %s\n", ps->file,
	    anc_ceremony_name(ps->c), anc_ceremony_sha256(ps->c),
	    ps->backup_uri == NULL ? (ps->can_run ? "this token can run it" :
	    "this token CANNOT run it") : ps->can_run ? "this token and the "
	    "backup token can run it" : "these tokens CANNOT run it");
	backup_text(ps);
	for (i = 0; i < ps->nneeds; i++) {
		anc_need_describe(&ps->needs[i], what, sizeof(what));
		if (ps->needs[i].line > 0)
			printf("  %s:%d: ", ps->file, ps->needs[i].line);
		else
			printf("  %s: ", ps->file);
		printf("%s: %s: %s\n", what,
		    anc_need_status_name(ps->res[i].status),
		    ps->res[i].detail);
	}
	if (ps->trial_why[0] != '\0')
		printf("  %s\n", ps->trial_why);
}

void
probe_print_text(const struct probe *p)
{
	size_t i;

	token_text(p);
	mechs_text(p->caps, "");
	trials_text(p);
	for (i = 0; i < p->nscripts; i++)
		script_text(&p->scripts[i]);
}

static json_t *
token_json(const struct probe *p)
{
	const struct anc_token_caps *c = p->caps;
	const struct anc_slot_info *s = &c->info;
	char f[512];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b,"
	    " s:b, s:I, s:I, s:o, s:o}", "label", s->label, "manufacturer",
	    s->manufacturer, "model", s->model, "serial", s->serial,
	    "firmware_version", s->fw_version, "hardware_version",
	    s->hw_version, "uri", p->uri, "flags",
	    names_json(anc_token_flag_names(s->flags, f, sizeof(f))),
	    "protected_authentication_path",
	    s->protected_path, "login_required",
	    s->login_required, "rng", s->has_rng, "min_pin_length",
	    (json_int_t)s->min_pin_len, "max_pin_length",
	    (json_int_t)s->max_pin_len, "max_sessions",
	    count_json(s->max_sessions), "max_rw_sessions",
	    count_json(s->max_rw_sessions));
}

static json_t *
mech_json(const struct anc_mech_caps *mc, unsigned long type,
    const char *role)
{
	char f[256];
	json_t *o;

	o = json_pack("{s:s, s:I, s:b}", "name", anc_mechanism_name(type),
	    "type", (json_int_t)type, "listed", mc != NULL);
	if (role != NULL)
		json_object_set_new(o, "role", json_string(role));
	if (mc == NULL)
		return o;
	json_object_set_new(o, "info", json_boolean(mc->have_info));
	if (!mc->have_info) {
		json_object_set_new(o, "info_error",
		    json_string(anc_rv_name(mc->info_rv)));
		return o;
	}
	json_object_set_new(o, "min_key_size", json_integer(
	    (json_int_t)mc->min_key));
	json_object_set_new(o, "max_key_size", json_integer(
	    (json_int_t)mc->max_key));
	json_object_set_new(o, "flags", names_json(anc_mech_flag_names(
	    mc->flags, f, sizeof(f))));
	return o;
}

/* The mechanisms that matter as `c` reports them; with `all`, every
 * mechanism it lists too. */
static json_t *
mechs_json(const struct anc_token_caps *c, json_t **all)
{
	const struct anc_mech_role *mr;
	json_t *arr = json_array();
	size_t n, i;

	mr = anc_mechs_that_matter(&n);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, mech_json(anc_caps_mech(c,
		    mr[i].mech), mr[i].mech, mr[i].role));
	if (all == NULL)
		return arr;
	*all = json_array();
	for (i = 0; i < c->nmechs; i++)
		json_array_append_new(*all, mech_json(&c->mechs[i],
		    c->mechs[i].type, NULL));
	return arr;
}

static json_t *
trial_json(const struct probe *p, size_t k)
{
	const struct anc_trial *t = &p->trials[k];
	json_t *sigs = json_array(), *o;
	size_t j;

	for (j = 0; j < t->nsigs; j++)
		json_array_append_new(sigs, json_pack("{s:s, s:b, s:I, s:b}",
		    "mechanism", anc_mechanism_name(t->sigs[j].mech), "signed",
		    t->sigs[j].signed_ok, "rv", (json_int_t)t->sigs[j].rv,
		    "verified", t->sigs[j].verified));
	o = json_pack("{s:s, s:b, s:b, s:I, s:b, s:s, s:b, s:o, s:b, s:I, "
	    "s:f}", "algorithm", anc_keyalg_name(t->alg), "ok",
	    probe_trial_ok(t), "generated", t->generated, "keygen_rv",
	    (json_int_t)t->keygen_rv, "template_kept", t->attrs_ok,
	    "template", t->attrs_detail, "persistent", t->persistent,
	    "signatures", sigs, "destroyed", t->destroyed, "destroy_rv",
	    (json_int_t)t->destroy_rv, "seconds", t->seconds);
	json_object_set_new(o, "session_refused",
	    json_boolean(t->session_refused));
	if (p->trial_err[k][0] != '\0')
		json_object_set_new(o, "error", json_string(p->trial_err[k]));
	return o;
}

/* The script's backup-token: who it is and its mechanisms that matter,
 * or why it could not be read. */
static json_t *
backup_json(const struct probe_script *ps)
{
	const struct anc_slot_info *s;

	if (ps->bcaps == NULL)
		return json_pack("{s:s, s:s}", "uri", ps->backup_uri, "error",
		    ps->backup_err);
	s = &ps->bcaps->info;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "uri",
	    ps->backup_uri, "label", s->label, "manufacturer",
	    s->manufacturer, "model", s->model, "serial", s->serial,
	    "mechanisms", mechs_json(ps->bcaps, NULL));
}

static json_t *
script_json(const struct probe_script *ps)
{
	json_t *needs = json_array(), *o;
	char what[256];
	size_t i;

	for (i = 0; i < ps->nneeds; i++) {
		anc_need_describe(&ps->needs[i], what, sizeof(what));
		o = json_pack("{s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "step", ps->needs[i].step, "line", ps->needs[i].line,
		    "kind", ps->needs[i].kind, "need",
		    anc_need_op_name(ps->needs[i].op), "token",
		    ps->needs[i].backup ? "backup-token" : "token",
		    "description", what, "status",
		    anc_need_status_name(ps->res[i].status), "detail",
		    ps->res[i].detail, "key", ps->needs[i].key);
		if (anc_keyalg_name(ps->needs[i].alg) != NULL)
			json_object_set_new(o, "algorithm", json_string(
			    anc_keyalg_name(ps->needs[i].alg)));
		if (ps->res[i].mech != ANC_MECH_END)
			json_object_set_new(o, "mechanism", json_string(
			    anc_mechanism_name(ps->res[i].mech)));
		json_array_append_new(needs, o);
	}
	o = json_pack("{s:s, s:s, s:s, s:b, s:o}", "file", ps->file, "name",
	    anc_ceremony_name(ps->c), "sha256", anc_ceremony_sha256(ps->c),
	    "can_run", ps->can_run, "needs", needs);
	if (ps->trial_why[0] != '\0')
		json_object_set_new(o, "trial_failure",
		    json_string(ps->trial_why));
	if (ps->backup_uri != NULL)
		json_object_set_new(o, "backup_token", backup_json(ps));
	return o;
}

void
probe_print_json(const struct probe *p)
{
	json_t *doc, *trials = json_array(), *scripts = json_array(), *all;
	json_t *mechs;
	size_t i;

	mechs = mechs_json(p->caps, &all);
	for (i = 0; i < p->ntrials; i++)
		json_array_append_new(trials, trial_json(p, i));
	for (i = 0; i < p->nscripts; i++)
		json_array_append_new(scripts, script_json(&p->scripts[i]));
	doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:o, "
	    "s:{s:b, s:s}, s:o, s:o}", "module", p->module, "library",
	    "manufacturer", p->caps->library_manufacturer, "description",
	    p->caps->library_description, "version",
	    p->caps->library_version, "cryptoki_version",
	    p->caps->cryptoki_version, "token", token_json(p),
	    "mechanisms", mechs, "all_mechanisms", all, "random", "ok",
	    p->random_ok, "error", p->random_err, "trials", trials,
	    "scripts", scripts);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	json_decref(doc);
	printf("\n");
}

/* anchorage: `token list` and `token keys`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anchorage/hash.h"
#include "anchorage/token.h"
#include "appliance.h"

/* Options shared by the token commands; returns -1 on usage error. */
static int
token_opts(const struct command *cmd, int argc, char **argv,
    struct pin_source *ps, int *help)
{
	static const struct option opts[] = {
		{ "pin-source", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (app_pin_source_parse(optarg, ps) != 0) {
				app_usage(cmd, "--pin-source %s: expected "
				    "file:PATH", optarg);
				return -1;
			}
			break;
		case 'h':
			*help = 1;
			return 0;
		default:
			app_usage(cmd, "unknown option");
			return -1;
		}
	}
	return 0;
}

static json_t *
slot_json(const struct anc_slot_info *s, const char *uri)
{
	return json_pack("{s:I, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
	    " s:b, s:b, s:b, s:b, s:s, s:b, s:I, s:I}", "slot_id",
	    (json_int_t)s->slot_id,
	    "description", s->description, "token_present", s->token_present,
	    "label", s->label, "manufacturer", s->manufacturer, "model",
	    s->model, "serial", s->serial, "hardware_version", s->hw_version,
	    "firmware_version", s->fw_version, "initialized", s->initialized,
	    "login_required", s->login_required, "pin_count_low",
	    s->pin_count_low, "pin_final_try", s->pin_final_try,
	    "pin_locked", s->pin_locked, "uri", uri, "protected_path",
	    s->protected_path, "min_pin_len", (json_int_t)s->min_pin_len,
	    "max_pin_len", (json_int_t)s->max_pin_len);
}

static void
slot_text(const struct anc_slot_info *s, const char *uri)
{
	if (!s->token_present || !s->initialized) {
		printf("slot %lu (%s): %s\n", s->slot_id, s->description,
		    s->token_present ? "uninitialised token" : "no token");
		return;
	}
	printf("token \"%s\"\n  uri:          %s\n"
	    "  manufacturer: %s\n  model:        %s\n  serial:       %s\n"
	    "  firmware:     %s (hardware %s)\n  slot:         %lu (%s; "
	    "shown for diagnosis, never used to select)\n", s->label,
	    uri, s->manufacturer, s->model, s->serial,
	    s->fw_version, s->hw_version, s->slot_id, s->description);
	if (s->protected_path)
		printf("  PIN entry:    on the device (protected authentication "
		    "path)\n");
	printf("  PIN length:   %lu to %lu\n", s->min_pin_len, s->max_pin_len);
	if (s->pin_locked || s->pin_final_try || s->pin_count_low)
		printf("  user PIN:     %s\n", s->pin_locked ? "LOCKED" :
		    s->pin_final_try ? "final try" : "a wrong PIN was entered");
}

int
cmd_token_list(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct anc_module *m = NULL;
	struct anc_slot_info *slots = NULL;
	char (*uris)[256] = NULL;
	struct pin_source ps = { NULL };
	struct anc_err err;
	json_t *arr, *doc;
	size_t n = 0, i;
	int help = 0, rc;

	if (token_opts(cmd, argc, argv, &ps, &help) != 0)
		return 2;
	if (help)
		return app_help(cmd);
	if (optind != argc || ps.file != NULL)
		return app_usage(cmd, "takes no arguments");
	if (anc_module_load_args(a->module, a->module_args, &m, &err) != ANC_OK ||
	    anc_module_slots(m, &slots, &n, &err) != ANC_OK) {
		rc = app_fail(a, &err);
		goto out;
	}
	if ((uris = calloc(n + 1, sizeof(*uris))) == NULL) {
		anc_err_set(&err, ANC_E_NOMEM, "token list");
		rc = app_fail(a, &err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (slots[i].token_present && slots[i].initialized &&
		    anc_token_uri(&slots[i], uris[i], sizeof(uris[i]), &err) !=
		    ANC_OK) {
			rc = app_fail(a, &err);
			goto out;
		}
	if (a->json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, slot_json(&slots[i],
			    uris[i]));
		doc = json_pack("{s:s, s:s, s:s, s:o}", "module", a->module,
		    "manufacturer", anc_module_manufacturer(m), "description",
		    anc_module_description(m), "slots", arr);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		json_decref(doc);
		printf("\n");
	} else {
		printf("module %s (%s, %s)\n", a->module,
		    anc_module_description(m), anc_module_manufacturer(m));
		for (i = 0; i < n; i++)
			slot_text(&slots[i], uris[i]);
	}
	rc = 0;
 out:
	free(uris);
	free(slots);
	anc_module_free(m);
	return rc;
}

static const char *
tri(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : "?";
}

static json_t *
key_json(const struct anc_key_info *k)
{
	char id[2 * sizeof(k->id) + 1];
	const char *backup = anc_key_backup(k);

	anc_hex(k->id, k->id_len, id);
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:i, s:i, s:i, s:i, s:i, s:s?, s:i}", "class", k->is_private ?
	    "private" : "public", "label", k->label, "id", id, "type", k->type,
	    "sensitive", k->sensitive, "extractable", k->extractable,
	    "always_sensitive", k->always_sensitive, "never_extractable",
	    k->never_extractable, "local", k->local, "sign", k->sign,
	    "decrypt", k->decrypt, "unwrap", k->unwrap, "derive", k->derive,
	    "modifiable", k->modifiable, "wrap_with_trusted",
	    k->wrap_with_trusted, "trusted", k->trusted, "backup", backup,
	    "always_authenticate", k->always_authenticate);
}

static void
key_text(const struct anc_key_info *k)
{
	char id[2 * sizeof(k->id) + 1];

	anc_hex(k->id, k->id_len, id);
	printf("%-7s \"%s\" id %s %s\n", k->is_private ? "private" : "public",
	    k->label, id, k->type);
	if (k->is_private)
		printf("        sensitive %s, extractable %s, always-sensitive "
		    "%s, never-extractable %s, local %s\n        sign %s, "
		    "decrypt %s, unwrap %s, derive %s\n", tri(k->sensitive),
		    tri(k->extractable), tri(k->always_sensitive),
		    tri(k->never_extractable), tri(k->local), tri(k->sign),
		    tri(k->decrypt), tri(k->unwrap), tri(k->derive));
	if (k->is_private)
		printf("        backup %s (wrap-with-trusted %s)\n",
		    anc_key_backup(k), tri(k->wrap_with_trusted));
	else if (k->wrap == 1 || k->trusted == 1)
		printf("        wrap %s, trusted %s\n", tri(k->wrap),
		    tri(k->trusted));
	if (k->is_private && k->always_authenticate == 1)
		printf("        ALWAYS_AUTHENTICATE: the token asks for the PIN "
		    "again before each signature\n");
}

int
cmd_token_keys(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_key_info *keys = NULL;
	struct pin_source ps = { NULL };
	struct anc_err err;
	json_t *arr;
	size_t n = 0, i;
	int help = 0, rc;

	if (token_opts(cmd, argc, argv, &ps, &help) != 0)
		return 2;
	if (help)
		return app_help(cmd);
	if (optind + 1 != argc)
		return app_usage(cmd, "expected one TOKEN URI");
	if (anc_module_load_args(a->module, a->module_args, &m, &err) != ANC_OK ||
	    anc_token_open(m, argv[optind], &t, &err) != ANC_OK ||
	    anc_token_login(t, app_pin, &ps, &err) != ANC_OK ||
	    anc_token_keys(t, &keys, &n, &err) != ANC_OK) {
		rc = app_fail(a, &err);
		goto out;
	}
	if (a->json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, key_json(&keys[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		json_decref(arr);
		printf("\n");
	} else {
		for (i = 0; i < n; i++)
			key_text(&keys[i]);
		if (n == 0)
			printf("no keys\n");
	}
	rc = 0;
 out:
	free(keys);
	anc_token_free(t);
	anc_module_free(m);
	return rc;
}

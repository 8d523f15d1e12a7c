/* anchorage: `outbox verify`. */
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "anchorage/export.h"
#include "appliance.h"

/* Where the findings go: printed as they come (text), or gathered into
 * the one JSON document; either way the verifier keeps none of them. */
struct findings {
	json_t *arr;		/* NULL: text */
	size_t n;
};

static int
put_finding(void *arg, const struct anc_verify_item *it, struct anc_err *err)
{
	struct findings *f = arg;

	f->n++;
	if (f->arr == NULL) {
		printf("%-4s %-12s %s%s%s\n", it->ok ? "ok" : "FAIL", it->kind,
		    it->file, it->detail[0] ? ": " : "", it->detail);
		return ANC_OK;
	}
	if (json_array_append_new(f->arr, json_pack("{s:s, s:s, s:b, s:s}",
	    "file", it->file, "kind", it->kind, "ok", it->ok, "detail",
	    it->detail)) != 0)
		return anc_err_set(err, ANC_E_NOMEM, "out of memory");
	return ANC_OK;
}

int
cmd_outbox_verify(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct findings f = { NULL, 0 };
	struct anc_err err;
	json_t *doc;
	int ch, r;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h')
			return app_help(cmd);
		return app_usage(cmd, "unknown option");
	}
	if (optind + 1 != argc)
		return app_usage(cmd, "expected one OUTBOX directory");
	if (a->json && (f.arr = json_array()) == NULL) {
		anc_err_set(&err, ANC_E_NOMEM, "out of memory");
		return app_fail(a, &err);
	}
	r = anc_outbox_verify_each(argv[optind], put_finding, &f, &err);
	if (a->json) {
		/* Findings stand only beside a verdict; an error that stopped
		 * the walk (not a failed check) leaves the list empty. */
		if (r != ANC_OK && r != ANC_E_VERIFY)
			json_array_clear(f.arr);
		/* json_pack's "o" takes f.arr over. */
		doc = json_pack("{s:s, s:b, s:s, s:o}", "outbox", argv[optind],
		    "ok", r == ANC_OK, "error", r == ANC_OK ? "" : err.msg,
		    "files", f.arr);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		json_decref(doc);
		printf("\n");
	}
	if (r != ANC_OK)
		return a->json ? anc_exit_status(r) : app_fail(a, &err);
	if (!a->json)
		printf("outbox %s: %zu files, all listed in SHA256SUMS and "
		    "allowed\n", argv[optind], f.n);
	return 0;
}

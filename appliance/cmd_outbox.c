/* anchorage: `outbox verify`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "anchorage/export.h"
#include "appliance.h"

int
cmd_outbox_verify(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct anc_verify_item *items = NULL;
	struct anc_err err;
	json_t *arr, *doc;
	size_t n = 0, i;
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
	r = anc_outbox_verify(argv[optind], &items, &n, &err);
	if (a->json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b, "
			    "s:s}", "file", items[i].file, "kind",
			    items[i].kind, "ok", items[i].ok, "detail",
			    items[i].detail));
		doc = json_pack("{s:s, s:b, s:s, s:o}", "outbox", argv[optind],
		    "ok", r == ANC_OK, "error", r == ANC_OK ? "" : err.msg,
		    "files", arr);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		json_decref(doc);
		printf("\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%-4s %-12s %s%s%s\n", items[i].ok ? "ok" :
			    "FAIL", items[i].kind, items[i].file,
			    items[i].detail[0] ? ": " : "", items[i].detail);
	}
	free(items);
	if (r != ANC_OK)
		return a->json ? anc_exit_status(r) : app_fail(a, &err);
	if (!a->json)
		printf("outbox %s: %zu files, all listed in SHA256SUMS and "
		    "allowed\n", argv[optind], n);
	return 0;
}

/*
 * anchorage: `inventory check`.  Streams one line (or one JSON object) per
 * certificate as the check finds it, then the summary; the exit status
 * says whether the retiring anchors can go.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anchorage/rotation.h"
#include "appliance.h"

struct inv_args {
	const char *anchors;
	const char *retire;
	const char *certs;	/* a PEM file, directory, or "-" */
	const char *k8s;	/* kubectl output, or "-" */
	time_t at;
	int help;
};

struct inv_out {
	const struct app *a;
	const struct anc_inventory *inv;
	int first;		/* JSON: no comma before the first entry */
};

static int
inv_parse(const struct command *cmd, int argc, char **argv,
    struct inv_args *ia)
{
	static const struct option opts[] = {
		{ "anchors", required_argument, NULL, 'a' },
		{ "retire", required_argument, NULL, 'r' },
		{ "certs", required_argument, NULL, 'c' },
		{ "k8s-secrets", required_argument, NULL, 'k' },
		{ "at", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, sources;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			ia->anchors = optarg;
			break;
		case 'r':
			ia->retire = optarg;
			break;
		case 'c':
			ia->certs = optarg;
			break;
		case 'k':
			ia->k8s = optarg;
			break;
		case 't':
			if (anc_rfc3339_parse(optarg, &ia->at) != 0)
				return app_usage(cmd, "--at %s: expected a UTC "
				    "time such as 2026-11-29T12:00:00Z", optarg);
			break;
		case 'h':
			ia->help = 1;
			return 0;
		default:
			return app_usage(cmd, "unknown option");
		}
	}
	/* A lone "-" is a PEM stream on standard input. */
	if (optind + 1 == argc && strcmp(argv[optind], "-") == 0 &&
	    ia->certs == NULL)
		ia->certs = argv[optind++];
	if (optind != argc)
		return app_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (ia->anchors == NULL)
		return app_usage(cmd, "--anchors FILE is required");
	sources = (ia->certs != NULL) + (ia->k8s != NULL);
	if (sources != 1)
		return app_usage(cmd, "expected exactly one of --certs PATH, "
		    "--k8s-secrets FILE and -");
	return 0;
}

static void
anchors_text(const struct anc_inventory *inv, const char *file)
{
	const struct anc_inv_anchor *an;
	size_t i;

	printf("anchors from %s:\n", file);
	for (i = 0; i < anc_inventory_anchor_count(inv); i++) {
		an = anc_inventory_anchor(inv, i);
		printf("  %zu  %-8s  sha256 %s  notAfter %s  %s\n", i + 1,
		    an->retiring ? "retiring" : "kept", an->sha256,
		    an->not_after, an->subject);
	}
}

static int
emit(const struct inv_out *o, const char *text)
{
	if (text == NULL)
		return ANC_E_NOMEM;
	fputs(text, stdout);
	return ferror(stdout) ? ANC_E_IO : ANC_OK;
}

/* One certificate: a JSON object, or a line (-q: only the ones that are
 * not ok). */
static int
on_result(void *arg, const struct anc_inv_result *res)
{
	struct inv_out *o = arg;
	struct anc_err err;
	char *text = NULL, name[16];
	size_t i;
	int r;

	if (o->a->json) {
		if (anc_inventory_report_entry(o->inv, res, o->first, &text,
		    &err) != ANC_OK)
			return err.code;
		o->first = 0;
		r = emit(o, text);
		free(text);
		return r;
	}
	if (o->a->quiet && res->status == ANC_INV_OK)
		return ANC_OK;
	snprintf(name, sizeof(name), "%s", anc_inv_status_name(res->status));
	for (i = 0; res->blocks && name[i] != '\0'; i++)
		name[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
		    name[i] - 'a' + 'A' : name[i]);
	printf("%-10s %s  %s%s%s\n", name, res->source, res->subject,
	    res->subject[0] != '\0' ? ": " : "", res->detail);
	return ferror(stdout) ? ANC_E_IO : ANC_OK;
}

static void
summary_text(const struct anc_inventory *inv)
{
	const struct anc_inv_summary *s = anc_inventory_summary(inv);
	int i;

	printf("%zu certificate(s):", s->total);
	for (i = 0; i < ANC_INV__COUNT; i++)
		if (s->by_status[i] > 0)
			printf(" %zu %s,", s->by_status[i],
			    anc_inv_status_name((enum anc_inv_status)i));
	printf(" %zu blocking\n", s->blocking);
	if (s->secrets > 0)
		printf("%zu Secret(s) read, %zu skipped (not "
		    "kubernetes.io/tls)\n", s->secrets, s->skipped);
	if (anc_inventory_safe(inv))
		printf("retirement is safe: no certificate chains only to a "
		    "retiring anchor\n");
	else
		printf("retirement is NOT safe: %zu certificate(s) would break "
		    "or cannot be placed; re-issue them or record exceptions\n",
		    s->blocking);
}

static int
check(const struct app *a, struct anc_inventory *inv,
    const struct inv_args *ia, struct anc_err *err)
{
	struct inv_out o = { a, inv, 1 };
	char *text = NULL;
	int r;

	if (a->json) {
		if ((r = anc_inventory_report_head(inv, &text, err)) != ANC_OK)
			return r;
		r = emit(&o, text);
		free(text);
		if (r != ANC_OK)
			return anc_err_set(err, r, "standard output");
	} else
		anchors_text(inv, ia->anchors);
	if (ia->k8s != NULL)
		return anc_inventory_k8s(inv, ia->k8s, on_result, &o, err);
	return anc_inventory_pem(inv, ia->certs, on_result, &o, err);
}

int
cmd_inventory_check(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct inv_args ia = { NULL, NULL, NULL, NULL, time(NULL), 0 };
	struct anc_inventory *inv = NULL;
	struct anc_err err, terr;
	char *tail = NULL;
	int rc, r;

	if ((rc = inv_parse(cmd, argc, argv, &ia)) != 0 || ia.help)
		return ia.help ? app_help(cmd) : rc;
	if (anc_inventory_new(ia.anchors, ia.retire, ia.at, &inv, &err) !=
	    ANC_OK)
		return app_fail(a, &err);
	r = check(a, inv, &ia, &err);
	if (a->json && anc_inventory_report_tail(inv, r == ANC_OK ? NULL :
	    err.msg, &tail, &terr) == ANC_OK)
		fputs(tail, stdout);
	else if (!a->json && r == ANC_OK)
		summary_text(inv);
	free(tail);
	fflush(stdout);
	if (r != ANC_OK)
		rc = app_fail(a, &err);
	else
		rc = anc_inventory_safe(inv) ? 0 : 4;
	anc_inventory_free(inv);
	return rc;
}

/* anchorage: `transcript verify` and `transcript report`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anchorage/transcript.h"
#include "appliance.h"

/* OUTBOX [--anchor FILE]; returns 0, or the exit status to return. */
static int
parse(const struct command *cmd, int argc, char **argv,
    const char **anchor, int *help)
{
	static const struct option opts[] = {
		{ "anchor", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			*help = 1;
			return 0;
		}
		if (ch != 'a')
			return app_usage(cmd, "unknown option");
		*anchor = optarg;
	}
	if (optind + 1 != argc)
		return app_usage(cmd, "expected one OUTBOX directory");
	return 0;
}

static void
print_json(const char *outbox, int r, const struct anc_err *err,
    const struct anc_tr_summary *s)
{
	json_t *doc;

	doc = json_pack("{s:s, s:b, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:b, "
	    "s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "outbox", outbox,
	    "ok", r == ANC_OK, "error", r == ANC_OK ? "" : err->msg,
	    "ceremony", s->ceremony, "records", (json_int_t)s->records,
	    "outputs_checked", (json_int_t)s->outputs,
	    "complete", s->complete, "rehearsal", s->rehearsal,
	    "unattended", s->unattended, "signed", s->is_signed,
	    "unsigned_reason", s->unsigned_reason,
	    "anchor_sha256", s->anchor_sha256, "anchor_file", s->anchor_file,
	    "closing_hash", s->closing_hash, "closing_words", s->words,
	    "fail_line", (json_int_t)s->fail_line, "fail_file", s->fail_file);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	json_decref(doc);
	printf("\n");
}

static void
print_text(const char *outbox, const struct anc_tr_summary *s)
{
	size_t i;

	printf("transcript %s/transcript.jsonl: %zu records, chain intact, "
	    "%zu output file(s) match\n", outbox, s->records, s->outputs);
	printf("ceremony \"%s\": %s%s%s\n", s->ceremony, s->complete ?
	    "completed" : "ABORTED (closed with an abort record)",
	    s->rehearsal ? "; REHEARSAL" : "", s->unattended ?
	    "; unattended (--yes)" : "");
	if (s->is_signed)
		printf("closing record signed by the key of the certificate "
		    "with SHA-256 %s (%s)\n", s->anchor_sha256, s->anchor_file);
	else
		printf("closing record NOT signed: %s\n", s->unsigned_reason);
	printf("closing hash:");
	for (i = 0; i < 64; i += 4)
		printf(" %.4s", s->closing_hash + i);
	printf("\n  %s\n", s->words);
}

int
cmd_transcript_verify(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct anc_tr_summary s;
	const char *anchor = NULL;
	struct anc_err err;
	int help = 0, rc, r;

	if ((rc = parse(cmd, argc, argv, &anchor, &help)) != 0 || help)
		return help ? app_help(cmd) : rc;
	anc_err_clear(&err);
	r = anc_transcript_verify(argv[optind], anchor, &s, &err);
	if (a->json) {
		print_json(argv[optind], r, &err, &s);
		return anc_exit_status(r);
	}
	if (r != ANC_OK)
		return app_fail(a, &err);
	print_text(argv[optind], &s);
	return 0;
}

int
cmd_transcript_report(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	const char *anchor = NULL;
	struct anc_err err;
	char *html = NULL;
	int help = 0, rc;

	if ((rc = parse(cmd, argc, argv, &anchor, &help)) != 0 || help)
		return help ? app_help(cmd) : rc;
	if (anc_transcript_report(argv[optind], anchor, &html, &err) !=
	    ANC_OK)
		return app_fail(a, &err);
	fputs(html, stdout);
	free(html);
	if (fflush(stdout) != 0) {
		perror("anchorage: transcript report: stdout");
		return 1;
	}
	return 0;
}

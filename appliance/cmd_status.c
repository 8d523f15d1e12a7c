/*
 * anchorage: `status`.  Every anchor and issuing CA the outboxes, the
 * bundle and the token know of; exit status 4 when action is due, so cron
 * on the carrier machine can mail whoever must act.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "anchorage/rotation.h"
#include "appliance.h"

#define OUTBOXES_MAX 64
#define WARN_DAYS_MAX 3650

struct status_args {
	const char *outbox[OUTBOXES_MAX];
	size_t noutbox;
	const char *bundle;
	const char *token;
	int warn_days;
	time_t at;
	int help;
};

/* app_usage() and app_help() print "NOUN VERB"; status has no verb. */
static int
status_usage(const struct command *cmd, const char *why, ...)
    __attribute__((format(printf, 2, 3)));

static int
status_usage(const struct command *cmd, const char *why, ...)
{
	va_list ap;

	fprintf(stderr, "anchorage status: ");
	va_start(ap, why);
	vfprintf(stderr, why, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: anchorage [global options] status %s\n",
	    cmd->args);
	return 2;
}

static int
status_help(const struct command *cmd)
{
	printf("usage: anchorage [--module PATH] [-v|-q] [--json] status %s\n"
	    "\n%s.\nSee anchorage(1) for the options and exit status.\n",
	    cmd->args, cmd->help);
	return 0;
}

static int
warn_days(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s < '0' || *s > '9' || *end != '\0' || v > WARN_DAYS_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static int
status_parse(const struct command *cmd, int argc, char **argv,
    struct status_args *sa)
{
	static const struct option opts[] = {
		{ "outbox", required_argument, NULL, 'o' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "token", required_argument, NULL, 'T' },
		{ "warn-days", required_argument, NULL, 'w' },
		{ "at", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (sa->noutbox == OUTBOXES_MAX)
				return status_usage(cmd, "at most %d --outbox",
				    OUTBOXES_MAX);
			sa->outbox[sa->noutbox++] = optarg;
			break;
		case 'b':
			if (sa->bundle != NULL)
				return status_usage(cmd, "--bundle given twice");
			sa->bundle = optarg;
			break;
		case 'T':
			sa->token = optarg;
			break;
		case 'w':
			if (warn_days(optarg, &sa->warn_days) != 0)
				return status_usage(cmd, "--warn-days %s: expected "
				    "a number of days from 0 to %d", optarg,
				    WARN_DAYS_MAX);
			break;
		case 't':
			if (anc_rfc3339_parse(optarg, &sa->at) != 0)
				return status_usage(cmd, "--at %s: expected a UTC "
				    "time such as 2026-11-29T12:00:00Z", optarg);
			break;
		case 'h':
			sa->help = 1;
			return 0;
		default:
			return status_usage(cmd, "unknown option");
		}
	}
	if (optind != argc)
		return status_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (sa->noutbox == 0 && sa->bundle == NULL)
		return status_usage(cmd, "expected at least one --outbox DIR or "
		    "--bundle FILE");
	return 0;
}

static const char *
kind_name(enum anc_status_kind k)
{
	switch (k) {
	case ANC_STATUS_ANCHOR:
		return "anchor";
	case ANC_STATUS_ISSUING_CA:
		return "issuing CA";
	case ANC_STATUS_CROSS:
		return "cross-cert";
	default:
		return "token key";
	}
}

static const char *
level_name(enum anc_status_level l)
{
	return l == ANC_STATUS_EXPIRED ? "expired" : l == ANC_STATUS_SOON ?
	    "soon" : "fine";
}

static json_t *
item_json(const struct anc_status_item *it)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:s, "
	    "s:s, s:s, s:s, s:i}", "kind", kind_name(it->kind), "subject",
	    it->subject, "sha256", it->sha256, "anchor_sha256",
	    it->anchor_sha256, "not_before", it->not_before, "not_after",
	    it->not_after, "days_left", (json_int_t)it->days_left, "phase",
	    it->phase, "in_bundle", it->in_bundle, "level",
	    level_name(it->level), "advice", it->advice, "source", it->source,
	    "key", it->key_label, "key_tokens", it->key_tokens);
}

/*
 * One document, as json_dumpf() would indent it, but printed an item at a
 * time: a fleet's status lists an issuing CA per cluster, and a document
 * holding them all would grow with the fleet.
 */
static void
status_json(const struct anc_status *st)
{
	char at[ANC_RFC3339_LEN], *text, *p, *nl;
	json_t *doc;
	size_t i, len;

	anc_rfc3339_format(anc_status_at(st), at);
	doc = json_pack("{s:s, s:i, s:s?, s:s, s:s, s:b}", "at", at,
	    "warn_days", anc_status_warn_days(st), "bundle",
	    anc_status_bundle_source(st), "phase", anc_status_phase(st),
	    "next", anc_status_next(st), "action_due",
	    anc_status_action_due(st));
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	/* Up to the closing "\n}", then the items two levels in. */
	len = text != NULL ? strlen(text) : 0;
	printf("%.*s,\n  \"items\": [", len > 2 ? (int)(len - 2) : 0,
	    text != NULL ? text : "");
	free(text);
	for (i = 0; i < anc_status_count(st); i++) {
		doc = item_json(anc_status_item(st, i));
		text = json_dumps(doc, JSON_INDENT(2));
		json_decref(doc);
		printf("%s\n    ", i > 0 ? "," : "");
		for (p = text; p != NULL && (nl = strchr(p, '\n')) != NULL;
		    p = nl + 1)
			printf("%.*s\n    ", (int)(nl - p), p);
		printf("%s", p != NULL ? p : "");
		free(text);
	}
	printf("%s]\n}\n", i > 0 ? "\n  " : "");
}

static void
item_text(const struct anc_status_item *it)
{
	if (it->kind == ANC_STATUS_KEY) {
		printf("%-10s  %-14s  key \"%s\" in the token matches no known "
		    "certificate\n", kind_name(it->kind), it->phase,
		    it->key_label);
		return;
	}
	printf("%-10s  %-14s  %6ld  %s  %s\n", kind_name(it->kind), it->phase,
	    it->days_left, it->not_after, it->subject);
	printf("%-10s  sha256 %s%s%s%s; from %s\n", "", it->sha256,
	    it->key_label[0] != '\0' ? "; key \"" : "", it->key_label,
	    it->key_label[0] != '\0' ? "\" in the token" : "", it->source);
	if (it->kind == ANC_STATUS_ANCHOR && it->key_tokens == 0)
		printf("%-10s  no transcript given records which token holds "
		    "its key\n", "");
	else if (it->kind == ANC_STATUS_ANCHOR)
		printf("%-10s  key held in %d token%s, as the transcripts "
		    "record%s\n", "", it->key_tokens, it->key_tokens == 1 ? "" :
		    "s", it->key_tokens == 1 ? " (no backup)" : "");
	if (it->advice[0] != '\0')
		printf("%-10s  %s: %s\n", "", it->level == ANC_STATUS_EXPIRED ?
		    "ERROR" : "WARNING", it->advice);
}

static void
status_text(const struct anc_status *st)
{
	char at[ANC_RFC3339_LEN];
	size_t i;

	anc_rfc3339_format(anc_status_at(st), at);
	printf("status at %s; warning %d days before notAfter\n", at,
	    anc_status_warn_days(st));
	printf("bundle in use: %s\n", anc_status_bundle_source(st) != NULL ?
	    anc_status_bundle_source(st) : "unknown");
	printf("rotation: %s; next: %s\n\n", anc_status_phase(st),
	    anc_status_next(st));
	printf("%-10s  %-14s  %6s  %-20s  %s\n", "KIND", "PHASE", "DAYS",
	    "NOT AFTER", "SUBJECT");
	for (i = 0; i < anc_status_count(st); i++)
		item_text(anc_status_item(st, i));
	printf("\n%s\n", anc_status_action_due(st) ? "ACTION DUE: see the "
	    "warnings above (exit status 4)" : "no action due");
}

static int
collect(const struct app *a, const struct status_args *sa,
    struct anc_status *st, struct anc_err *err)
{
	size_t i;
	int r;

	/* The token's keys first, so that each CA is matched to them as the
	 * outboxes are read, once. */
	if (sa->token != NULL &&
	    (r = anc_status_add_token(st, a->module, a->module_args,
	    sa->token, err)) != ANC_OK)
		return r;
	for (i = 0; i < sa->noutbox; i++)
		if ((r = anc_status_add_outbox(st, sa->outbox[i], err)) !=
		    ANC_OK)
			return r;
	if (sa->bundle != NULL &&
	    (r = anc_status_add_bundle(st, sa->bundle, err)) != ANC_OK)
		return r;
	return anc_status_finish(st, err);
}

int
cmd_status(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct status_args sa;
	struct anc_status *st = NULL;
	struct anc_err err;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.warn_days = 30;
	sa.at = time(NULL);
	if ((rc = status_parse(cmd, argc, argv, &sa)) != 0 || sa.help)
		return sa.help ? status_help(cmd) : rc;
	if (anc_status_new(sa.at, sa.warn_days, &st, &err) != ANC_OK ||
	    collect(a, &sa, st, &err) != ANC_OK) {
		rc = app_fail(a, &err);
		goto out;
	}
	if (a->json)
		status_json(st);
	else
		status_text(st);
	rc = anc_status_action_due(st) ? 4 : 0;
 out:
	anc_status_free(st);
	return rc;
}

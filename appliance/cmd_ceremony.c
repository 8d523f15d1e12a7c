/* anchorage: `ceremony check`, `ceremony plan` and `ceremony run`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "anchorage/ceremony.h"
#include "appliance.h"

struct run_args {
	const char *outbox;
	struct pin_source ps;
	struct pin_source backup_ps;	/* the backup token's user PIN */
	struct pin_source so_ps;	/* the token's SO, for backup-trust */
	const char *medium;
	int yes;
	int help;
	int rehearsal;
};

static int
parse(const struct command *cmd, int argc, char **argv, struct run_args *ra,
    int allow_run)
{
	static const struct option opts[] = {
		{ "outbox", required_argument, NULL, 'o' },
		{ "pin-source", required_argument, NULL, 'p' },
		{ "backup-pin-source", required_argument, NULL, 'b' },
		{ "so-pin-source", required_argument, NULL, 's' },
		{ "backup-medium", required_argument, NULL, 'm' },
		{ "yes", no_argument, NULL, 'y' },
		{ "rehearsal", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			ra->help = 1;
			return 0;
		}
		if (!allow_run || ch == '?')
			return app_usage(cmd, "unknown option");
		if (ch == 'o')
			ra->outbox = optarg;
		else if (ch == 'y')
			ra->yes = 1;
		else if (ch == 'r')
			ra->rehearsal = 1;
		else if (ch == 'm')
			ra->medium = optarg;
		else if (app_pin_source_parse(optarg, ch == 'b' ?
		    &ra->backup_ps : ch == 's' ? &ra->so_ps : &ra->ps) != 0)
			return app_usage(cmd, "--%spin-source %s: expected "
			    "file:PATH", ch == 'b' ? "backup-" : ch == 's' ?
			    "so-" : "", optarg);
	}
	if (optind + 1 != argc)
		return app_usage(cmd, "expected one ceremony FILE");
	if (allow_run && ra->outbox == NULL)
		return app_usage(cmd, "--outbox DIR is required");
	return 0;
}

static int
load(const struct app *a, const char *file, struct anc_ceremony **c)
{
	struct anc_err err;

	if (anc_ceremony_load(file, c, &err) != ANC_OK)
		return app_fail(a, &err);
	return 0;
}

/* What loading found that may not work in the cluster, on stderr. */
static void
print_warnings(const struct app *a, const struct anc_ceremony *c)
{
	const char *const *w;
	size_t i, n = anc_ceremony_warnings(c, &w);

	for (i = 0; i < n && !a->quiet; i++)
		fprintf(stderr, "anchorage: warning: %s\n", w[i]);
}

/* --json: one document whatever the outcome; the exit status as usual. */
static int
check_json(const char *file, const struct anc_ceremony *c, int r,
    const struct anc_err *err)
{
	const char *const *w = NULL;
	json_t *warns = json_array(), *doc;
	size_t i, n = c != NULL ? anc_ceremony_warnings(c, &w) : 0;

	for (i = 0; i < n; i++)
		json_array_append_new(warns, json_string(w[i]));
	doc = json_pack("{s:s, s:o, s:o, s:b, s:o, s:o}", "file", file,
	    "ceremony", c != NULL ? json_string(anc_ceremony_name(c)) :
	    json_null(), "sha256", c != NULL ?
	    json_string(anc_ceremony_sha256(c)) : json_null(), "ok",
	    r == ANC_OK, "error", r == ANC_OK ? json_null() :
	    json_pack("{s:s, s:i}", "message", err->msg, "exit",
	    anc_exit_status(r)), "warnings", warns);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(doc);
	return r == ANC_OK ? 0 : anc_exit_status(r);
}

int
cmd_ceremony_check(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct run_args ra;
	struct anc_ceremony *c = NULL;
	struct anc_err err;
	int rc, r;

	memset(&ra, 0, sizeof(ra));
	if ((rc = parse(cmd, argc, argv, &ra, 0)) != 0 || ra.help)
		return ra.help ? app_help(cmd) : rc;
	anc_err_clear(&err);
	if ((r = anc_ceremony_load(argv[optind], &c, &err)) == ANC_OK)
		r = anc_ceremony_check(c, &err);
	if (a->json) {
		rc = check_json(argv[optind], c, r, &err);
	} else if (r != ANC_OK) {
		if (c != NULL)
			print_warnings(a, c);
		rc = app_fail(a, &err);
	} else {
		print_warnings(a, c);
		printf("%s: ceremony \"%s\" is valid and every certificate "
		    "lints clean (SHA-256 %s)\n", argv[optind],
		    anc_ceremony_name(c), anc_ceremony_sha256(c));
	}
	anc_ceremony_free(c);
	return rc;
}

static int
print_plan(const struct app *a, const struct anc_ceremony *c)
{
	struct anc_err err;
	char *text = NULL;
	int r;

	r = a->json ? anc_ceremony_plan_json(c, &text, &err) :
	    anc_ceremony_plan(c, &text, &err);
	if (r != ANC_OK)
		return app_fail(a, &err);
	fputs(text, stdout);
	if (a->json)
		printf("\n");
	else
		print_warnings(a, c);
	free(text);
	return 0;
}

int
cmd_ceremony_plan(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct run_args ra;
	struct anc_ceremony *c = NULL;
	int rc;

	memset(&ra, 0, sizeof(ra));
	if ((rc = parse(cmd, argc, argv, &ra, 0)) != 0 || ra.help)
		return ra.help ? app_help(cmd) : rc;
	if ((rc = load(a, argv[optind], &c)) != 0)
		return rc;
	rc = print_plan(a, c);
	anc_ceremony_free(c);
	return rc;
}

/*
 * Without --yes the officers confirm the start and every step on the
 * terminal (app_confirm_step): with no terminal, nothing starts.  A
 * rehearsal makes its own token and PIN, so a PIN source means a mistake.
 */
static int
check_mode(const struct command *cmd, const struct run_args *ra)
{
	if (ra->rehearsal && ra->ps.file != NULL)
		return app_usage(cmd, "--pin-source: a rehearsal makes its own "
		    "throwaway token and PIN; remove --pin-source");
	if (!ra->yes && !app_have_tty())
		return app_usage(cmd, "no terminal to confirm on; use --yes "
		    "for an unattended run");
	return 0;
}

/*
 * A script with a quorum is activated by the officers' shares, typed on
 * the terminal; a PIN file would defeat the quorum, so it is refused.
 */
static int
choose_pin(const struct command *cmd, const struct anc_ceremony *c,
    struct run_args *ra, struct anc_quorum *q, struct anc_ui *ui)
{
	if (!anc_ceremony_quorum(c, q)) {
		ui->pin = app_pin;
		ui->pin_arg = &ra->ps;
		return 0;
	}
	if (ra->ps.file != NULL)
		return app_usage(cmd, "--pin-source: %s activates the token with "
		    "a quorum of officers' shares, typed on the terminal; a PIN "
		    "source is not used", anc_ceremony_name(c));
	ui->pin = app_quorum_pin;
	ui->pin_arg = q;
	return 0;
}

/*
 * The backup steps' PINs (docs/backup.md): the backup token's user PIN,
 * and the security officer's PIN of the script's token, each from the
 * terminal or a PIN file of its own; neither is kept after its login.
 */
static int
choose_backup_pins(const struct command *cmd, const struct anc_ceremony *c,
    struct run_args *ra, struct anc_ui *ui)
{
	unsigned needs = anc_ceremony_backup_needs(c);

	if (ra->backup_ps.file != NULL && !(needs & ANC_BACKUP_NEEDS_TOKEN))
		return app_usage(cmd, "--backup-pin-source: %s has no "
		    "backup-token", anc_ceremony_name(c));
	if (ra->so_ps.file != NULL && !(needs & ANC_BACKUP_NEEDS_SO_PIN))
		return app_usage(cmd, "--so-pin-source: %s has no backup-trust "
		    "step", anc_ceremony_name(c));
	if (ra->medium != NULL && !(needs & ANC_BACKUP_NEEDS_MEDIUM))
		return app_usage(cmd, "--backup-medium: %s has no backup-wrap "
		    "step", anc_ceremony_name(c));
	ra->backup_ps.who = "Backup token user";
	ra->so_ps.who = "Security officer";
	if (needs & ANC_BACKUP_NEEDS_TOKEN) {
		ui->backup_pin = app_pin;
		ui->backup_pin_arg = &ra->backup_ps;
	}
	if (needs & ANC_BACKUP_NEEDS_SO_PIN) {
		ui->so_pin = app_pin;
		ui->so_pin_arg = &ra->so_ps;
	}
	return 0;
}

int
cmd_ceremony_run(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct run_args ra;
	struct anc_ceremony *c = NULL;
	struct anc_run_opts o;
	struct anc_quorum q;
	struct anc_ui ui;
	struct anc_err err;
	int r, rc;

	memset(&ra, 0, sizeof(ra));
	if ((rc = parse(cmd, argc, argv, &ra, 1)) != 0 || ra.help)
		return ra.help ? app_help(cmd) : rc;
	/* The run talks with the officers on the terminal; its machine-
	 * readable result is the transcript (`transcript verify --json`). */
	if (a->json)
		return app_usage(cmd, "--json is not supported: the run talks "
		    "with the officers on the terminal and its record is "
		    "OUTBOX/transcript.jsonl; use `anchorage --json ceremony "
		    "plan FILE` before and `anchorage --json transcript verify "
		    "OUTBOX` after");
	if ((rc = check_mode(cmd, &ra)) != 0)
		return rc;
	if ((rc = load(a, argv[optind], &c)) != 0)
		return rc;
	memset(&ui, 0, sizeof(ui));
	if ((rc = choose_pin(cmd, c, &ra, &q, &ui)) != 0 ||
	    (rc = choose_backup_pins(cmd, c, &ra, &ui)) != 0)
		goto out;
	/* The plan ends with the warnings; without it, they stand alone. */
	if (a->verbose && (rc = print_plan(a, c)) != 0)
		goto out;
	if (!a->verbose)
		print_warnings(a, c);
	memset(&o, 0, sizeof(o));
	o.module = a->module;
	o.module_args = a->module_args;
	o.outbox = ra.outbox;
	o.yes = ra.yes;
	o.rehearsal = ra.rehearsal;
	o.backup_medium = ra.medium;
	ui.confirm = ra.yes ? NULL : app_confirm_step;
	ui.closed = app_closed;
	ui.progress = app_progress;
	ui.progress_arg = a;
	ui.busy = app_busy;
	ui.busy_arg = a;
	ui.show_share = app_show_share;
	r = anc_ceremony_run(c, &o, &ui, &err);
	app_ticker_stop();
	if (r != ANC_OK) {
		rc = app_fail(a, &err);
		goto out;
	}
	printf("ceremony \"%s\" complete%s; check the outbox with "
	    "`anchorage outbox verify %s` and `anchorage transcript verify "
	    "%s`\n", anc_ceremony_name(c), ra.rehearsal ? " (rehearsal)" : "",
	    ra.outbox, ra.outbox);
	rc = 0;
 out:
	anc_ceremony_free(c);
	return rc;
}

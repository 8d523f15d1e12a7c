/*
 * anchorage: entry point.  Parses the global options, then hands the rest
 * to one command from the table; nothing else happens here.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anchorage/secmem.h"
#include "appliance.h"

#ifndef ANC_DEFAULT_MODULE
#define ANC_DEFAULT_MODULE "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
#endif

const struct command anc_commands[] = {
	{ "token", "list", "", "slots and tokens of the module",
	    cmd_token_list },
	{ "token", "keys", "TOKEN [--pin-source file:PATH]",
	    "key objects in the token and their attributes", cmd_token_keys },
	{ "token", "probe", "TOKEN [--script FILE]... [--pin-source file:PATH]",
	    "what the token can do, a throwaway key pair of each algorithm, "
	    "and whether it can run each script", cmd_token_probe },
	{ "ceremony", "check", "FILE",
	    "parse, validate and lint with throwaway keys; touches no token",
	    cmd_ceremony_check },
	{ "ceremony", "plan", "FILE",
	    "the numbered script the administrator reads aloud",
	    cmd_ceremony_plan },
	{ "ceremony", "run", "FILE --outbox DIR [--pin-source file:PATH] "
	    "[--backup-pin-source file:PATH] [--so-pin-source file:PATH] "
	    "[--backup-medium DIR] [--yes] [--rehearsal]", "run the ceremony against the token, "
	    "step by step with the officers' confirmations",
	    cmd_ceremony_run },
	{ "outbox", "verify", "OUTBOX",
	    "only allowed material, every file listed in SHA256SUMS",
	    cmd_outbox_verify },
	{ "transcript", "verify", "OUTBOX [--anchor FILE]",
	    "hash chain, artifact hashes, signature on the closing record",
	    cmd_transcript_verify },
	{ "transcript", "report", "OUTBOX [--anchor FILE]",
	    "a printable HTML record of a verified transcript, on stdout",
	    cmd_transcript_report },
	{ "status", "", "[--outbox DIR]... [--bundle FILE] [--token TOKEN] "
	    "[--warn-days 30] [--at TIME]", "every anchor and issuing CA: "
	    "expiry, days left, rotation phase; exit 4 when action is due",
	    cmd_status },
	{ "inventory", "check", "--anchors FILE [--retire FILE] [--at TIME] "
	    "(--certs PATH | --k8s-secrets FILE | -)", "which anchors each "
	    "certificate chains to; exit 4 unless retiring is safe",
	    cmd_inventory_check },
	{ NULL, NULL, NULL, NULL, NULL }
};

static void
synopsis(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: anchorage [--module PATH] [--module-args STRING] "
	    "[-v|-q] [--json] COMMAND ...\n\ncommands:\n");
	for (c = anc_commands; c->noun != NULL; c++)
		fprintf(f, "  %s%s%s %s\n      %s\n", c->noun,
		    c->verb[0] != '\0' ? " " : "", c->verb, c->args, c->help);
	fprintf(f, "\n`anchorage COMMAND --help` describes one command; "
	    "see anchorage(1).\n");
}

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "anchorage: %s\n", why);
	synopsis(stderr);
	return 2;
}

/* The command entry for noun/verb; NULL if none. */
static const struct command *
app_command(const char *noun, const char *verb)
{
	const struct command *c;

	/* A command with an empty verb is the noun alone (`status`). */
	for (c = anc_commands; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0 && (c->verb[0] == '\0' ||
		    (verb != NULL && strcmp(c->verb, verb) == 0)))
			return c;
	return NULL;
}

static int
known_noun(const char *noun)
{
	const struct command *c;

	for (c = anc_commands; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0)
			return 1;
	return 0;
}

/* `anchorage NOUN --help`: every command of the noun, on stdout. */
static int
noun_help(const char *noun)
{
	const struct command *c;

	printf("usage: anchorage [--module PATH] [-v|-q] [--json] %s "
	    "COMMAND ...\n\ncommands:\n", noun);
	for (c = anc_commands; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0)
			printf("  %s %s %s\n      %s\n", c->noun, c->verb,
			    c->args, c->help);
	printf("\n`anchorage %s COMMAND --help` describes one command; see "
	    "anchorage(1).\n", noun);
	return 0;
}

static int
is_help(const char *arg)
{
	return arg != NULL && (strcmp(arg, "--help") == 0 ||
	    strcmp(arg, "-h") == 0);
}

/* A noun without one of its verbs: name them. */
static int
expected_verb(const char *noun)
{
	const struct command *c;

	fprintf(stderr, "anchorage: %s: expected one of:", noun);
	for (c = anc_commands; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0)
			fprintf(stderr, " %s", c->verb);
	fprintf(stderr, "\n");
	return 2;
}

/* Options first, then the environment, then the built-in module; an
 * empty string counts as not given. */
static void
module_defaults(struct app *a)
{
	if (a->module == NULL)
		a->module = getenv("ANCHORAGE_MODULE");
	if (a->module == NULL || a->module[0] == '\0')
		a->module = ANC_DEFAULT_MODULE;
	if (a->module_args == NULL)
		a->module_args = getenv("ANCHORAGE_MODULE_ARGS");
	if (a->module_args != NULL && a->module_args[0] == '\0')
		a->module_args = NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "module", required_argument, NULL, 'm' },
		{ "module-args", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct app a = { NULL, NULL, 0, 0, 0 };
	const struct command *cmd;
	int ch;

	/* Before anything can hold a secret: no core dumps, not dumpable,
	 * and files private by default. */
	umask(077);
	if (anc_harden_process() != 0) {
		perror("anchorage: cannot disable core dumps");
		return 1;
	}
	/* '+': stop at the command, whose options are its own. */
	while ((ch = getopt_long(argc, argv, "+vqh", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			a.module = optarg;
			break;
		case 'a':
			a.module_args = optarg;
			break;
		case 'j':
			a.json = 1;
			break;
		case 'v':
			a.verbose++;
			break;
		case 'q':
			a.quiet = 1;
			break;
		case 'h':
			synopsis(stdout);
			return 0;
		case 'V':
			printf("anchorage %s\n", ANC_VERSION);
			return 0;
		default:
			return usage(NULL);
		}
	}
	if (a.verbose && a.quiet)
		return usage("-v and -q exclude each other");
	module_defaults(&a);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage("no command given");
	if (!known_noun(argv[0]))
		return usage("unknown command");
	cmd = app_command(argv[0], argc > 1 ? argv[1] : NULL);
	if (cmd == NULL && argc > 1 && is_help(argv[1]))
		return noun_help(argv[0]);
	if (cmd == NULL)
		return expected_verb(argv[0]);
	/* The command sees argv starting at its verb (or its noun, when it
	 * has none), as getopt expects. */
	if (cmd->verb[0] == '\0')
		return cmd->fn(&a, cmd, argc, argv);
	return cmd->fn(&a, cmd, argc - 1, argv + 1);
}

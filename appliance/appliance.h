/*
 * anchorage: the command-line tool.  The only module that prints or exits.
 */
#ifndef ANCHORAGE_APPLIANCE_H
#define ANCHORAGE_APPLIANCE_H

#include "anchorage/err.h"
#include "anchorage/token.h"

struct app {
	const char *module;	/* --module, $ANCHORAGE_MODULE, or the default */
	int verbose;		/* -v */
	int quiet;		/* -q */
	int json;		/* --json */
};

/* One command: `anchorage NOUN VERB ...`. */
struct command {
	const char *noun;
	const char *verb;
	const char *args;	/* synopsis after the verb */
	const char *help;	/* one line */
	int (*fn)(struct app *, int argc, char **argv);
};

extern const struct command anc_commands[];

/* Print the error (and nothing else) and return its exit status. */
int app_fail(const struct app *a, const struct anc_err *err);

/* Usage problem with a command: names it, prints its synopsis, returns 2. */
int app_usage(const struct command *cmd, const char *why, ...)
    __attribute__((format(printf, 2, 3)));

/* --help for one command: synopsis and help on stdout, returns 0. */
int app_help(const struct command *cmd);

/* The command entry for noun/verb; NULL if none. */
const struct command *app_command(const char *noun, const char *verb);

/* A progress line on stderr, unless -q. */
void app_progress(void *arg, const char *line);

/* Where the PIN comes from: NULL for the terminal, or a file path. */
struct pin_source {
	const char *file;
};

/* Parse "file:PATH" (the only kind). Returns 0 or -1. */
int app_pin_source_parse(const char *spec, struct pin_source *ps);

/* anc_pin_fn: reads the PIN from the pin-source file or the terminal. */
int app_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err);

/* Ask on the terminal for `expect` to be typed; 1 if it was, 0 if not,
 * -1 if there is no terminal. */
int app_confirm(const char *prompt, const char *expect);

int cmd_token_list(struct app *, int, char **);
int cmd_token_keys(struct app *, int, char **);
int cmd_ceremony_check(struct app *, int, char **);
int cmd_ceremony_plan(struct app *, int, char **);
int cmd_ceremony_run(struct app *, int, char **);
int cmd_outbox_verify(struct app *, int, char **);

#endif /* ANCHORAGE_APPLIANCE_H */

/*
 * anchorage: the command-line tool.  The only module that prints or exits.
 */
#ifndef ANCHORAGE_APPLIANCE_H
#define ANCHORAGE_APPLIANCE_H

#include "anchorage/err.h"
#include "anchorage/token.h"

struct app {
	const char *module;	/* --module, $ANCHORAGE_MODULE, or the default */
	/* --module-args or $ANCHORAGE_MODULE_ARGS: C_Initialize's pReserved
	 * (NSS softokn's configdir=...); NULL for none */
	const char *module_args;
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
	/* Called with its own entry, for its usage and help. */
	int (*fn)(struct app *, const struct command *, int argc,
	    char **argv);
};

extern const struct command anc_commands[];

/* Print the error (and nothing else) and return its exit status. */
int app_fail(const struct app *a, const struct anc_err *err);

/* Usage problem with a command: names it, prints its synopsis, returns 2. */
int app_usage(const struct command *cmd, const char *why, ...)
    __attribute__((format(printf, 2, 3)));

/* --help for one command: synopsis and help on stdout, returns 0. */
int app_help(const struct command *cmd);


/* A progress line on stderr, unless -q. */
void app_progress(void *arg, const char *line);

/* Where the PIN comes from: NULL for the terminal, or a file path.
 * `who` names the PIN in the prompt: NULL for "User". */
struct pin_source {
	const char *file;
	const char *who;
};

/* Parse "file:PATH" (the only kind). Returns 0 or -1. */
int app_pin_source_parse(const char *spec, struct pin_source *ps);

/* anc_pin_fn: reads the PIN from the pin-source file or the terminal. */
int app_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err);

/* Ask on the terminal for `expect` to be typed; 1 if it was, 0 if not,
 * -1 if there is no terminal. */
int app_confirm(const char *prompt, const char *expect);

/*
 * Progress while the token works (appliance/ticker.c).  struct anc_ui's
 * busy: `what` names the work ("step 2 self-sign"), NULL ends it.  A line
 * with the seconds elapsed is redrawn on standard error when it is a
 * terminal.  Whatever else writes to or reads from the terminal holds the
 * ticker first; app_ticker_stop ends its thread.
 */
void app_busy(void *arg, const char *what);
void app_ticker_hold(void);
void app_ticker_release(void);
void app_ticker_stop(void);

/*
 * Read one line from /dev/tty into buf[cap] (echo off when `secret`),
 * without the newline; *len its length.  Returns 0, or -1 when there is no
 * terminal or the line does not fit (buf is then wiped).
 */
int app_tty_read(const char *prompt, char *buf, size_t cap, size_t *len,
    int secret);

/*
 * anc_pin_fn for a script with a quorum (arg: const struct anc_quorum *):
 * asks each officer in turn for their share, echo off, and rebuilds the
 * PIN from K shares of one split that match their commitment.  Anything
 * else is refused (ANC_E_PIN_UNAVAILABLE) before the login attempt.
 */
int app_quorum_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err);

/* struct anc_ui's show_share: one officer, alone, on the terminal. */
int app_show_share(void *arg, const char *officer, unsigned index,
    unsigned k, unsigned n, const char *text, struct anc_err *err);

/* Is there a terminal to confirm on?  1 yes, 0 no. */
int app_have_tty(void);

/*
 * struct anc_ui's confirm: shows the step on the terminal and reads the
 * named role's answer, typed in full (docs/ceremony-guide.md).
 */
struct anc_confirm_req;
struct anc_confirm;
int app_confirm_step(void *arg, const struct anc_confirm_req *req,
    struct anc_confirm *out, struct anc_err *err);

/* struct anc_ui's closed: the closing hash, in hex and words, on stdout. */
struct anc_closing;
void app_closed(void *arg, const struct anc_closing *cl);

int cmd_token_list(struct app *, const struct command *, int, char **);
int cmd_token_keys(struct app *, const struct command *, int, char **);
int cmd_token_probe(struct app *, const struct command *, int, char **);
int cmd_ceremony_check(struct app *, const struct command *, int, char **);
int cmd_ceremony_plan(struct app *, const struct command *, int, char **);
int cmd_ceremony_run(struct app *, const struct command *, int, char **);
int cmd_outbox_verify(struct app *, const struct command *, int, char **);
int cmd_status(struct app *, const struct command *, int, char **);
int cmd_inventory_check(struct app *, const struct command *, int, char **);
int cmd_transcript_verify(struct app *, const struct command *, int, char **);
int cmd_transcript_report(struct app *, const struct command *, int, char **);

#endif /* ANCHORAGE_APPLIANCE_H */

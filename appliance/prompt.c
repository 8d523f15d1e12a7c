/*
 * anchorage: the PIN and confirmations.  A PIN comes from the terminal
 * with echo off, or from a pin-source file; never from argv or the
 * environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "anchorage/ceremony.h"
#include "anchorage/file.h"
#include "anchorage/secmem.h"
#include "appliance.h"

int
app_pin_source_parse(const char *spec, struct pin_source *ps)
{
	if (strncmp(spec, "file:", 5) != 0 || spec[5] == '\0')
		return -1;
	ps->file = spec + 5;
	return 0;
}

/*
 * Read one line from the terminal into buf.  Echo is off when `secret`;
 * SIGINT/SIGTSTP/SIGQUIT stay pending until the terminal is restored, so
 * an interrupted prompt never leaves echo off.
 */
int
app_tty_read(const char *prompt, char *buf, size_t cap, size_t *len,
    int secret)
{
	struct termios old, quiet;
	sigset_t block, saved;
	size_t n = 0;
	ssize_t got;
	char c;
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
	app_ticker_hold();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &saved);
	if (tcgetattr(fd, &old) != 0)
		goto out;
	quiet = old;
	if (secret)
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		goto out;
	(void)!write(fd, prompt, strlen(prompt));
	while ((got = read(fd, &c, 1)) == 1 && c != '\n' && c != '\r') {
		if (n + 1 < cap)
			buf[n++] = c;
		else
			n = cap;	/* too long: refuse below */
	}
	c = 0;
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (secret)
		(void)!write(fd, "\n", 1);
	/* got is 1 only when a newline ended the line: EOF is no answer. */
	if (got != 1 || n >= cap) {
		anc_wipe(buf, cap);
		goto out;
	}
	buf[n] = '\0';
	*len = n;
	r = 0;
 out:
	close(fd);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	app_ticker_release();
	return r;
}

int
app_pin(void *arg, const struct anc_slot_info *info, struct anc_secret *pin,
    struct anc_err *err)
{
	const struct pin_source *ps = arg;
	char prompt[160];
	size_t len = 0;
	int r;

	if (info->pin_final_try)
		fprintf(stderr, "anchorage: warning: token \"%s\" reports that "
		    "one more wrong PIN locks it\n", info->label);
	else if (info->pin_count_low)
		fprintf(stderr, "anchorage: warning: token \"%s\" reports a "
		    "wrong PIN since the last good login\n", info->label);
	if (info->protected_path) {
		fprintf(stderr, "anchorage: token \"%s\" (serial %s) has a "
		    "protected authentication path: enter the user PIN on the "
		    "device's own PIN pad now; anchorage does not ask for it%s\n",
		    info->label, info->serial, ps != NULL && ps->file != NULL ?
		    " and does not read --pin-source" : "");
		return ANC_OK;
	}
	if (ps != NULL && ps->file != NULL) {
		/* Read again for each context-specific login: nothing keeps
		 * the PIN between two signatures. */
		r = anc_file_read_pin(ps->file, anc_secret_buf(pin),
		    ANC_SECRET_MAX + 1, &len, err);
		if (r == ANC_OK)
			anc_secret_set_len(pin, len);
		return r;
	}
	if (info->context_key[0] != '\0')
		snprintf(prompt, sizeof(prompt), "User PIN again, for one "
		    "signature with key \"%s\" (it requires a login for each "
		    "signature): ", info->context_key);
	else
		snprintf(prompt, sizeof(prompt), "%s PIN for token \"%s\" "
		    "(serial %s): ", ps != NULL && ps->who != NULL ? ps->who :
		    "User", info->label, info->serial);
	if (app_tty_read(prompt, anc_secret_buf(pin), ANC_SECRET_MAX + 1, &len,
	    1) != 0)
		return anc_err_set(err, ANC_E_PIN_UNAVAILABLE, "token \"%s\": "
		    "no terminal to ask the PIN on (or the PIN is longer than "
		    "%d bytes); use --pin-source file:PATH", info->label,
		    ANC_SECRET_MAX);
	anc_secret_set_len(pin, len);
	return ANC_OK;
}

int
app_confirm(const char *prompt, const char *expect)
{
	char line[256];
	size_t len = 0;

	if (app_tty_read(prompt, line, sizeof(line), &len, 0) != 0)
		return -1;
	return strcmp(line, expect) == 0;
}

/*
 * The officers' confirmations (struct anc_ui's confirm): the request is
 * shown on the terminal, and the named role types a word in full.  What
 * the words are is decided in ceremony/; here they are only asked for.
 */

/* Text for the terminal (not stdout: confirmations do not mix with what
 * the run prints for scripts). */
static void
tty_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
tty_say(const char *fmt, ...)
{
	char text[8192];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (fd = open("/dev/tty", O_WRONLY | O_NOCTTY |
	    O_CLOEXEC)) < 0)
		return;
	(void)!write(fd, text, (size_t)n < sizeof(text) ? (size_t)n :
	    sizeof(text) - 1);
	close(fd);
}

int
app_have_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* One code point of UTF-8 at s (at most n bytes); its length, 0 if bad. */
static size_t
utf8_one(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;

	len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 :
	    (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	*cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not text. */
	if ((len == 2 && *cp < 0x80) || (len == 3 && *cp < 0x800) ||
	    (len == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Typed text that goes into the transcript: UTF-8 without control or
 * invisible formatting characters (the rule ceremony scripts follow), so
 * that what is recorded reads as what was typed.
 */
static int
clean_text(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), len;
	unsigned long cp;

	while (n > 0) {
		if ((len = utf8_one(p, n, &cp)) == 0 || cp < 0x20 ||
		    (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b &&
		    cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff)
			return 0;
		p += len;
		n -= len;
	}
	return 1;
}

static void
show_req(const struct anc_confirm_req *req)
{
	size_t i;

	if (req->phase == ANC_CONFIRM_START)
		tty_say("\n=== Ceremony \"%s\": %zu step(s) ===\n%s%s",
		    req->ceremony, req->nsteps, req->text != NULL ? req->text :
		    "", req->text != NULL ? "\n" : "");
	else
		tty_say("\n=== Step %d/%zu: %s %s ===\n%s\n", req->step,
		    req->nsteps, req->kind, req->phase == ANC_CONFIRM_BEFORE ?
		    "(about to run)" : "(done)", req->text);
	for (i = 0; i < req->nitems; i++)
		tty_say("  %s %-28s %s\n", req->phase == ANC_CONFIRM_BEFORE ?
		    "input " : "wrote ", req->items[i].name,
		    req->items[i].sha256 != NULL ? req->items[i].sha256 :
		    "(key in the token)");
	if (req->phase == ANC_CONFIRM_AFTER && req->nitems == 0)
		tty_say("  (no file written)\n");
}

/* Which participant answers: the only one in the role, or the one who
 * types their name. */
static int
ask_name(const struct anc_confirm_req *req, struct anc_confirm *out,
    struct anc_err *err)
{
	char prompt[256], line[sizeof(out->name)];
	size_t i, len = 0;

	if (req->nnames == 1) {
		snprintf(out->name, sizeof(out->name), "%s", req->names[0]);
		return ANC_OK;
	}
	snprintf(prompt, sizeof(prompt), "%s: type your name as the script "
	    "spells it: ", req->role);
	for (;;) {
		if (app_tty_read(prompt, line, sizeof(line), &len, 0) != 0)
			return anc_err_set(err, ANC_E_USAGE, "no terminal to "
			    "confirm on; use --yes for an unattended run");
		for (i = 0; i < req->nnames; i++)
			if (strcmp(line, req->names[i]) == 0) {
				snprintf(out->name, sizeof(out->name), "%s",
				    line);
				return ANC_OK;
			}
		tty_say("\"%s\" is not a participant in the role %s; expected "
		    "one of the names in the plan\n", line, req->role);
	}
}

/* A line of free text for the transcript, asked until it is clean. */
static int
ask_text(const char *prompt, int empty_ok, struct anc_confirm *out,
    struct anc_err *err)
{
	size_t len = 0;

	for (;;) {
		if (app_tty_read(prompt, out->text, sizeof(out->text), &len,
		    0) != 0)
			return anc_err_set(err, ANC_E_USAGE, "no terminal to "
			    "confirm on, or a line over %zu bytes",
			    sizeof(out->text) - 1);
		if ((len > 0 || empty_ok) && clean_text(out->text))
			return ANC_OK;
		tty_say("expected %stext without control characters\n",
		    empty_ok ? "" : "one line of ");
	}
}

int
app_confirm_step(void *arg, const struct anc_confirm_req *req,
    struct anc_confirm *out, struct anc_err *err)
{
	int after = req->phase == ANC_CONFIRM_AFTER;
	char prompt[512], line[256];
	size_t len = 0;
	int r;

	show_req(req);
	if ((r = ask_name(req, out, err)) != ANC_OK)
		return r;
	snprintf(prompt, sizeof(prompt), "%s %s: type \"%s\" to %s%s, or "
	    "\"%s\": ", req->role, out->name, req->expect, after ? "confirm" :
	    req->phase == ANC_CONFIRM_START ? "start" : "run it", after ?
	    ", \"" ANC_WORD_EXCEPTION "\" to record a deviation" : "",
	    ANC_WORD_ABORT);
	for (;;) {
		if (app_tty_read(prompt, line, sizeof(line), &len, 0) != 0)
			return anc_err_set(err, ANC_E_USAGE, "no terminal to "
			    "confirm on; use --yes for an unattended run");
		if (strcmp(line, req->expect) == 0) {
			out->answer = ANC_ANSWER_CONFIRM;
			return ANC_OK;
		}
		if (strcmp(line, ANC_WORD_ABORT) == 0) {
			out->answer = ANC_ANSWER_ABORT;
			return ask_text("reason for the abort (one line, may be "
			    "empty): ", 1, out, err);
		}
		if (after && strcmp(line, ANC_WORD_EXCEPTION) == 0) {
			out->answer = ANC_ANSWER_EXCEPTION;
			return ask_text("exception (one line, recorded in the "
			    "transcript): ", 0, out, err);
		}
		tty_say("not confirmed: type \"%s\" exactly\n", req->expect);
	}
}

void
app_closed(void *arg, const struct anc_closing *cl)
{
	const char *w = cl->words;
	size_t i, n;

	printf("\ntranscript %s closed with \"%s\"\n", cl->transcript,
	    cl->complete ? "end" : "abort");
	if (cl->is_signed)
		printf("signed in the token by the key of the certificate with "
		    "SHA-256 %s\n", cl->signer_sha256);
	else
		printf("NOT signed: %s\n", cl->unsigned_reason);
	printf("closing hash (SHA-256 of the last record):\n ");
	for (i = 0; i < 64; i += 4)
		printf(" %.4s", cl->hash + i);
	printf("\nread aloud:\n ");
	/* Eight words a line: 32 words, four lines, as written on paper. */
	for (n = 0; *w != '\0'; n++) {
		i = strcspn(w, " ");
		printf(" %.*s%s", (int)i, w, (n + 1) % 8 == 0 && w[i] != '\0' ?
		    "\n " : "");
		w += i + (w[i] == ' ');
	}
	printf("\nWrite the closing hash on the paper transcript; every "
	    "participant signs it.\n");
	fflush(stdout);
}

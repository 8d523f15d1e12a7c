/*
 * anchorage: quorum activation and split-pin's share display, on the
 * terminal only (docs/quorum.md).
 *
 * A quorum script's PIN callback asks each listed crypto officer in turn
 * for their share with echo off, checks each share as it is typed, and
 * rebuilds the PIN only from K distinct shares of one split that match
 * their commitment, so a wrong or altered share is refused before the one
 * login attempt.  Typed lines, shares and the rebuilt secret are wiped on
 * every path.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anchorage/ceremony.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "anchorage/shamir.h"
#include "appliance.h"

/* Attempts to type a share that does not read (a typing error costs no
 * PIN try, so officers may correct it); and to answer a display prompt. */
#define TYPING_TRIES	3
#define ANSWER_TRIES	5

/* Clear the screen and what scrolled off it (ESC[3J). */
#define CLEAR_SCREEN	"\033[H\033[2J\033[3J"

/* What the officers have typed so far. */
struct gathered {
	struct anc_share shares[ANC_SHAMIR_SHARES_MAX];
	const char *from[ANC_SHAMIR_SHARES_MAX];	/* officer of each */
	size_t n;
	unsigned char secret[ANC_SHAMIR_SECRET_LEN];
};

static int
tty_write(const char *text)
{
	size_t off = 0, len = strlen(text);
	ssize_t w;
	int fd;

	if ((fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
	app_ticker_hold();
	while (off < len && (w = write(fd, text + off, len - off)) > 0)
		off += (size_t)w;
	app_ticker_release();
	close(fd);
	return off == len ? 0 : -1;
}

static int
no_login(struct anc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A refusal: the message, and that the token was not touched. */
static int
no_login(struct anc_err *err, const char *fmt, ...)
{
	char msg[ANC_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return anc_err_set(err, ANC_E_PIN_UNAVAILABLE, "quorum: %s; no login "
	    "was attempted", msg);
}

/*
 * A share that reads correctly must also belong with the others: the
 * script's K, the same split as the first one (and as the script's
 * commitment, if it names one), an index nobody gave yet.
 */
static int
take_share(const struct anc_quorum *q, struct gathered *g,
    const char *officer, const struct anc_share *s, struct anc_err *err)
{
	char have[2 * ANC_SHAMIR_COMMIT_LEN + 1], want[sizeof(have)];
	size_t i;

	anc_hex(s->commitment, ANC_SHAMIR_COMMIT_LEN, have);
	if (s->threshold != q->threshold)
		return no_login(err, "%s's share is from a split that needs %u "
		    "shares; the script's quorum needs %u", officer,
		    s->threshold, q->threshold);
	if (q->commitment != NULL && strcmp(have, q->commitment) != 0)
		return no_login(err, "%s's share is from the split with "
		    "commitment %s, not %s as the script says", officer, have,
		    q->commitment);
	if (g->n > 0 && memcmp(s->commitment, g->shares[0].commitment,
	    ANC_SHAMIR_COMMIT_LEN) != 0) {
		anc_hex(g->shares[0].commitment, ANC_SHAMIR_COMMIT_LEN, want);
		return no_login(err, "%s's share is from another split than "
		    "%s's (commitment %s, not %s)", officer, g->from[0], have,
		    want);
	}
	for (i = 0; i < g->n; i++)
		if (g->shares[i].index == s->index)
			return no_login(err, "%s gave share %u, which %s gave "
			    "already", officer, s->index, g->from[i]);
	g->shares[g->n] = *s;
	g->from[g->n++] = officer;
	return ANC_OK;
}

/*
 * Officer `i` types their share, or an empty line when absent.  A share
 * that does not read (length, alphabet, check) may be typed again; one
 * that reads but does not belong ends the activation.
 */
static int
ask_share(const struct anc_quorum *q, size_t i, struct gathered *g,
    struct anc_secret *line, struct anc_err *err)
{
	const char *officer = q->officers[i];
	struct anc_share s;
	struct anc_err why;
	char prompt[256], note[ANC_ERR_MSG_MAX + 64];
	size_t len = 0;
	int t, r = ANC_E_INTERNAL;

	snprintf(prompt, sizeof(prompt), "Share of %s (officer %zu of %zu; "
	    "Enter alone if absent): ", officer, i + 1, q->n);
	for (t = 0; t < TYPING_TRIES; t++) {
		if (app_tty_read(prompt, anc_secret_buf(line),
		    ANC_SECRET_MAX + 1, &len, 1) != 0)
			return no_login(err, "no terminal to type %s's share "
			    "on, or the line was too long", officer);
		anc_secret_set_len(line, len);
		if (len == 0) {
			snprintf(note, sizeof(note), "%s: no share\n", officer);
			(void)tty_write(note);
			return ANC_OK;
		}
		r = anc_share_decode(anc_secret_buf(line), len, &s, &why);
		anc_secret_set_len(line, 0);
		anc_wipe(anc_secret_buf(line), len);
		if (r == ANC_OK)
			break;
		snprintf(note, sizeof(note), "That does not read as a share: "
		    "%s.  Type it again.\n", why.msg);
		(void)tty_write(note);
	}
	if (r != ANC_OK)
		return no_login(err, "%s's share did not read in %d attempts",
		    officer, TYPING_TRIES);
	r = take_share(q, g, officer, &s, err);
	anc_wipe(&s, sizeof(s));
	return r;
}

static void
warn_pin_flags(const struct anc_slot_info *info)
{
	if (info->pin_final_try)
		fprintf(stderr, "anchorage: warning: token \"%s\" reports that "
		    "one more wrong PIN locks it\n", info->label);
	else if (info->pin_count_low)
		fprintf(stderr, "anchorage: warning: token \"%s\" reports a "
		    "wrong PIN since the last good login\n", info->label);
}

/* Shares from the officers in the script's order, until K are in. */
static int
gather(const struct anc_quorum *q, const struct anc_slot_info *info,
    struct gathered *g, struct anc_err *err)
{
	struct anc_secret *line;
	char head[256];
	size_t i;
	int r = ANC_OK;

	if (info->context_key[0] != '\0')
		snprintf(head, sizeof(head), "Token \"%s\" asks for its PIN "
		    "again before one signature with key \"%s\" (the key "
		    "requires a login for each signature): the shares of %u "
		    "of the %zu crypto officers, once more.\n", info->label,
		    info->context_key, q->threshold, q->n);
	else
		snprintf(head, sizeof(head), "Token \"%s\" (serial %s) is "
		    "activated by the shares of %u of its %zu crypto "
		    "officers.\n", info->label, info->serial, q->threshold,
		    q->n);
	if (tty_write(head) != 0)
		return no_login(err, "no terminal to ask the officers' shares "
		    "on");
	if ((line = anc_secret_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "share buffer");
	for (i = 0; i < q->n && g->n < q->threshold && r == ANC_OK; i++)
		r = ask_share(q, i, g, line, err);
	anc_secret_free(line);
	if (r == ANC_OK && g->n < q->threshold)
		r = no_login(err, "%zu of the %u shares needed were given",
		    g->n, q->threshold);
	return r;
}

int
app_quorum_pin(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err)
{
	const struct anc_quorum *q = arg;
	struct gathered *g;
	int r = ANC_E_INTERNAL;

	/* A PIN pad takes no PIN from the host, so no shares can reach
	 * it: the device's own M-of-N, if any, is the quorum then. */
	if (info->protected_path)
		return anc_err_set(err, ANC_E_TOKEN_LACKS, "token \"%s\" "
		    "(serial %s) takes its PIN on its own PIN pad "
		    "(CKF_PROTECTED_AUTHENTICATION_PATH), where shares cannot "
		    "be entered; the script's quorum cannot activate it; "
		    "nothing was changed; see docs/quorum.md", info->label,
		    info->serial);
	warn_pin_flags(info);
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "quorum");
	if ((r = gather(q, info, g, err)) != ANC_OK)
		goto out;
	if ((r = anc_shamir_combine(g->shares, g->n, g->secret, err)) !=
	    ANC_OK) {
		r = no_login(err, "%s", err->msg);
		goto out;
	}
	anc_shamir_pin(g->secret, anc_secret_buf(pin));
	anc_secret_set_len(pin, ANC_SHAMIR_PIN_LEN);
	/* success */
	r = ANC_OK;
 out:
	anc_freezero(g, sizeof(*g));
	return r;
}

/*
 * split-pin's display
 */

/* `expect` typed at the prompt, with a few chances; -1 if never. */
static int
await(const char *prompt, const char *expect)
{
	int t, ok = 0;

	for (t = 0; t < ANSWER_TRIES && ok == 0; t++)
		ok = app_confirm(prompt, expect);
	return ok == 1 ? 0 : -1;
}

int
app_show_share(void *arg, const char *officer, unsigned index, unsigned k,
    unsigned n, const char *text, struct anc_err *err)
{
	char buf[512 + ANC_SHARE_TEXT_MAX];
	int r = ANC_E_INTERNAL;

	snprintf(buf, sizeof(buf), CLEAR_SCREEN "Share %u of %u, for %s "
	    "(any %u shares rebuild the token's PIN).\nEveryone but %s looks "
	    "away from the screen now.\n\n", index, n, officer, k, officer);
	if (tty_write(buf) != 0)
		return anc_err_set(err, ANC_E_UNSAFE, "no terminal to show %s's "
		    "share on", officer);
	snprintf(buf, sizeof(buf), "%s, type your name to see your share: ",
	    officer);
	if (await(buf, officer) != 0)
		return anc_err_set(err, ANC_E_UNSAFE, "%s did not type their "
		    "name; the share was not shown", officer);
	snprintf(buf, sizeof(buf), "\n    %s\n\nWrite it on your share card "
	    "exactly as shown, with the number before the dash.  It is shown "
	    "only now and kept nowhere.\n\n", text);
	r = tty_write(buf);
	anc_wipe(buf, sizeof(buf));
	if (r != 0)
		return anc_err_set(err, ANC_E_UNSAFE, "the terminal failed "
		    "while showing %s's share", officer);
	r = await("Type done when it is written down: ", "done");
	snprintf(buf, sizeof(buf), CLEAR_SCREEN "Share %u of %u was shown to "
	    "%s.\n", index, n, officer);
	/* The screen is cleared even when the officer did not confirm. */
	if (tty_write(buf) != 0 || r != 0)
		return anc_err_set(err, ANC_E_UNSAFE, "%s did not confirm "
		    "writing down share %u", officer, index);
	return ANC_OK;
}

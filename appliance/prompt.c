/*
 * anchorage: the PIN and confirmations.  A PIN comes from the terminal
 * with echo off, or from a pin-source file; never from argv or the
 * environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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
static int
tty_read(const char *prompt, char *buf, size_t cap, size_t *len, int secret)
{
	struct termios old, quiet;
	sigset_t block, saved;
	size_t n = 0;
	ssize_t got;
	char c;
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
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
	if (got < 0 || n >= cap) {
		anc_wipe(buf, cap);
		goto out;
	}
	buf[n] = '\0';
	*len = n;
	r = 0;
 out:
	close(fd);
	sigprocmask(SIG_SETMASK, &saved, NULL);
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
	if (ps != NULL && ps->file != NULL) {
		r = anc_file_read_pin(ps->file, anc_secret_buf(pin),
		    ANC_SECRET_MAX + 1, &len, err);
		if (r == ANC_OK)
			anc_secret_set_len(pin, len);
		return r;
	}
	snprintf(prompt, sizeof(prompt), "User PIN for token \"%s\" (serial "
	    "%s): ", info->label, info->serial);
	if (tty_read(prompt, anc_secret_buf(pin), ANC_SECRET_MAX + 1, &len,
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

	if (tty_read(prompt, line, sizeof(line), &len, 0) != 0)
		return -1;
	return strcmp(line, expect) == 0;
}

/* anchorage: messages, usage and progress on the terminal. */
#include <stdarg.h>
#include <stdio.h>

#include "appliance.h"

int
app_fail(const struct app *a, const struct anc_err *err)
{
	fprintf(stderr, "anchorage: %s\n", err->msg[0] != '\0' ? err->msg :
	    anc_strerror(err->code));
	return anc_exit_status(err->code);
}

int
app_usage(const struct command *cmd, const char *why, ...)
{
	va_list ap;

	fprintf(stderr, "anchorage %s %s: ", cmd->noun, cmd->verb);
	va_start(ap, why);
	vfprintf(stderr, why, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: anchorage [global options] %s %s %s\n",
	    cmd->noun, cmd->verb, cmd->args);
	return 2;
}

int
app_help(const struct command *cmd)
{
	printf("usage: anchorage [--module PATH] [-v|-q] [--json] %s %s %s\n"
	    "\n%s.\nSee anchorage(1) for the options and exit status.\n",
	    cmd->noun, cmd->verb, cmd->args, cmd->help);
	return 0;
}

void
app_progress(void *arg, const char *line)
{
	const struct app *a = arg;

	if (a != NULL && a->quiet)
		return;
	app_ticker_hold();
	fprintf(stderr, "%s\n", line);
	app_ticker_release();
}

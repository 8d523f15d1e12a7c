/*
 * anchorage: progress while the token works.  A signature on a network
 * HSM or a smart card can take seconds, an RSA key minutes (long
 * steps show progress on a terminal).  While the engine says the token is
 * busy, a second thread rewrites one line on standard error every half
 * second with the seconds elapsed.  It only prints: the token, the PIN and
 * every other state stay with the main thread.  It is started only when
 * standard error is a terminal, and it holds still while anchorage reads
 * from or writes to the terminal (a context-specific PIN prompt, a line of
 * progress).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "appliance.h"

#define TICK_NS 500000000L	/* redraw every half second */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static struct {
	pthread_t thread;
	int started, stop;
	int busy;		/* the token is working */
	int held;		/* the terminal is in use by the main thread */
	int shown;		/* a progress line is on the screen */
	char what[160];
	struct timespec since;
} tk;

static double
elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Called with the lock held. */
static void
erase(void)
{
	if (tk.shown)
		(void)!write(STDERR_FILENO, "\r\033[K", 4);
	tk.shown = 0;
}

static void *
tick(void *unused)
{
	struct timespec until;
	char line[256];
	double s;
	int n;

	(void)unused;
	pthread_mutex_lock(&lock);
	while (!tk.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&wake, &lock, &until);
		if (tk.stop || !tk.busy || tk.held ||
		    (s = elapsed(&tk.since)) < 0.5)
			continue;
		n = snprintf(line, sizeof(line), "\r\033[K  %s: the token is "
		    "working, %.0f s", tk.what, s);
		if (n > 0)
			(void)!write(STDERR_FILENO, line, (size_t)n <
			    sizeof(line) ? (size_t)n : sizeof(line) - 1);
		tk.shown = 1;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

void
app_busy(void *arg, const char *what)
{
	const struct app *a = arg;

	pthread_mutex_lock(&lock);
	if (what == NULL) {
		erase();
		tk.busy = 0;
		pthread_mutex_unlock(&lock);
		return;
	}
	snprintf(tk.what, sizeof(tk.what), "%s", what);
	clock_gettime(CLOCK_MONOTONIC, &tk.since);
	tk.busy = 1;
	if (!tk.started && (a == NULL || !a->quiet) &&
	    isatty(STDERR_FILENO) &&
	    pthread_create(&tk.thread, NULL, tick, NULL) == 0)
		tk.started = 1;
	pthread_mutex_unlock(&lock);
}

void
app_ticker_hold(void)
{
	pthread_mutex_lock(&lock);
	erase();
	tk.held++;
	pthread_mutex_unlock(&lock);
}

void
app_ticker_release(void)
{
	pthread_mutex_lock(&lock);
	if (tk.held > 0)
		tk.held--;
	/* Time at the terminal is the officers', not the token's. */
	clock_gettime(CLOCK_MONOTONIC, &tk.since);
	pthread_mutex_unlock(&lock);
}

void
app_ticker_stop(void)
{
	pthread_mutex_lock(&lock);
	erase();
	tk.busy = 0;
	tk.stop = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (tk.started)
		pthread_join(tk.thread, NULL);
	tk.started = 0;
}

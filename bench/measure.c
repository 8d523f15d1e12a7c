/*
 * bench/measure: run one command and append "WALL_US MAXRSS_KB STATUS
 * CPU_US" to a file.  GNU time reports wall time in hundredths of a
 * second, too coarse for runs of a few milliseconds, and its own start-up
 * would be counted; here the clock brackets only fork, exec and wait.
 *
 *   measure OUTFILE COMMAND [ARG]...
 *
 * MAXRSS is ru_maxrss from wait4: the largest resident set of the
 * command or of any descendant it waited for (for a shell script, its
 * largest single process).  CPU is user plus system time of the same
 * processes: on a machine shared with other work it moves far less than
 * wall time, though it leaves out waiting for the disk.  The exit status
 * is the command's; OUTFILE gets the line whatever the status, so a
 * failed run is still seen.
 */
#define _DEFAULT_SOURCE	/* wait4 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
usec(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int
record(const char *path, long long us, const struct rusage *ru, int status)
{
	FILE *fp;

	if ((fp = fopen(path, "ae")) == NULL) {
		fprintf(stderr, "measure: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(fp, "%lld %ld %d %lld\n", us, ru->ru_maxrss, status,
	    usec(ru->ru_utime) + usec(ru->ru_stime));
	if (fclose(fp) != 0) {
		fprintf(stderr, "measure: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int st, code;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUTFILE COMMAND [ARG]...\n");
		return 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) {
		perror("measure: clock_gettime");
		return 1;
	}
	if ((pid = fork()) < 0) {
		perror("measure: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("measure: wait4");
			return 1;
		}
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0) {
		perror("measure: clock_gettime");
		return 1;
	}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (record(argv[1], (long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000, &ru, code) != 0)
		return 1;
	return code;
}

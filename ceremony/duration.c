/*
 * anchorage: durations in ceremony scripts ("87600h", "30d", "1h30m").
 *
 * Go-style units a reviewer can read at a glance, and nothing else: no
 * fractions, no signs, no spaces, no months or years (whose length is a
 * matter of opinion).  Each unit appears at most once, largest first, so a
 * duration has one obvious reading.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ceremony_int.h"

static const struct unit {
	char c;
	uint64_t seconds;
} units[] = {
	{ 'd', 86400 },
	{ 'h', 3600 },
	{ 'm', 60 },
	{ 's', 1 },
};

#define N_UNITS (sizeof(units) / sizeof(units[0]))

/* Index of unit `c` in units[], or -1. */
static int
unit_index(char c)
{
	size_t i;

	for (i = 0; i < N_UNITS; i++)
		if (units[i].c == c)
			return (int)i;
	return -1;
}

/*
 * Syntax and overflow only: the callers check the range, so they can say
 * "at least 1h" rather than "not a duration".
 */
int
anc_duration_parse(const char *s, uint64_t *seconds)
{
	uint64_t total = 0, n, part;
	int next_unit = 0, u;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
				return -1;
			n = n * 10 + (uint64_t)(*s - '0');
		}
		/* A unit is required, and must come after the previous one. */
		if ((u = unit_index(*s)) < next_unit)
			return -1;
		if (n > UINT64_MAX / units[u].seconds)
			return -1;
		part = n * units[u].seconds;
		if (total > UINT64_MAX - part)
			return -1;
		total += part;
		next_unit = u + 1;
		s++;
	}
	*seconds = total;
	return 0;
}

/*
 * Hours, minutes and seconds only: certificate lifetimes are conventionally
 * written in hours (step-cli's 87600h), and days would hide that 87600h is
 * not quite ten years.
 */
void
anc_duration_format(uint64_t seconds, char *buf, size_t cap)
{
	uint64_t h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
	size_t len = 0;
	int w;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (seconds == 0) {
		snprintf(buf, cap, "0s");
		return;
	}
	if (h > 0 && (w = snprintf(buf, cap, "%lluh",
	    (unsigned long long)h)) > 0)
		len = (size_t)w;
	if (m > 0 && len < cap && (w = snprintf(buf + len, cap - len,
	    "%llum", (unsigned long long)m)) > 0)
		len += (size_t)w;
	if (s > 0 && len < cap)
		snprintf(buf + len, cap - len, "%llus", (unsigned long long)s);
}

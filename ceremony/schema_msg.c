/*
 * anchorage: the messages of the script reader, internal to ceremony/.
 * Both passes over a script (schema_yaml.c, schema_read.c) and the types
 * and tables they read against word their refusals here: the file, the
 * line of the current event, the dotted field being read, and script text
 * quoted at a readable length.  This file reads no events itself, so the
 * two passes can share it without depending on each other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "anchorage/err.h"
#include "schema.h"

/*
 * Messages
 */

int
anc_read_line(const struct anc_reader *p)
{
	return (int)p->ev.start_mark.line + 1;
}

static int
vperr(struct anc_reader *p, int code, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int
vperr(struct anc_reader *p, int code, int line, const char *fmt, va_list ap)
{
	char msg[ANC_ERR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->field[0] == '\0')
		return anc_err_set(p->err, code, "%s:%d: %s", p->path, line,
		    msg);
	return anc_err_set(p->err, code, "%s:%d: %s: %s", p->path, line,
	    p->field, msg);
}

int
anc_read_err(struct anc_reader *p, int code, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, code, line, fmt, ap);
	va_end(ap);
	return r;
}

/* A schema error at the current node. */
int
anc_read_bad(struct anc_reader *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, ANC_E_FIELD, anc_read_line(p), fmt, ap);
	va_end(ap);
	return r;
}

int
anc_read_nomem(struct anc_reader *p)
{
	return anc_err_set(p->err, ANC_E_NOMEM, "%s: out of memory", p->path);
}

/*
 * Script text quoted in a message, cut to a readable length at a character
 * boundary.  Scalars have already been checked to hold no control or
 * invisible characters, so what is shown is what the reviewer saw.
 */
const char *
anc_read_shown(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = len;

	if (n > cap - 4) {
		n = cap - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	memcpy(buf + n, n < len ? "..." : "", n < len ? 4 : 1);
	return buf;
}

/* "a, b, c" into buf. */
void
anc_read_join(char *buf, size_t cap, const char *const *names, size_t n)
{
	size_t i, len = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && len < cap; i++) {
		w = snprintf(buf + len, cap - len, "%s%s", i > 0 ? ", " : "",
		    names[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/*
 * anchorage: `transcript verify`, the leaf its other files share: how a
 * failure is named (file, line, record) and reading a record's strings.
 */
#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

#include "anchorage/err.h"
#include "transcript_int.h"
#include "verify_int.h"

int
anc_trv_fail(struct vctx *v, size_t line, struct anc_err *err,
    const char *fmt, ...)
{
	char msg[ANC_ERR_MSG_MAX];
	unsigned char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The message quotes the transcript, whose strings may hold terminal
	 * escapes that would redraw what the operator reads. */
	for (p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	v->s->fail_line = line;
	return anc_err_set(err, ANC_E_VERIFY, "%s/%s:%zu: record %zu: %s",
	    v->outbox, ANC_TR_FILE, line, line, msg);
}

const char *
anc_trv_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* anchorage: the error table and message helpers. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "anchorage/err.h"

struct entry {
	int cls;
	const char *msg;
};

static const struct entry table[] = {
#define ANC_ERR_ENTRY(code, cls, msg) { cls, msg },
	ANC_ERR_TABLE(ANC_ERR_ENTRY)
#undef ANC_ERR_ENTRY
};

const char *
anc_strerror(int code)
{
	if (code < 0 || code >= ANC_E__COUNT)
		return "unknown error";
	return table[code].msg;
}

int
anc_exit_status(int code)
{
	if (code < 0 || code >= ANC_E__COUNT)
		return ANC_CLASS_FAILED;
	return table[code].cls;
}

void
anc_err_clear(struct anc_err *e)
{
	if (e == NULL)
		return;
	e->code = ANC_OK;
	e->ckr = 0;
	e->msg[0] = '\0';
}

static void
vset(struct anc_err *e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vset(struct anc_err *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	e->ckr = 0;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int
anc_err_set(struct anc_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int
anc_err_ossl(struct anc_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	unsigned long oe;
	size_t n;

	const char *data = NULL;
	int flags = 0;

	oe = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
	if (e == NULL) {
		ERR_clear_error();
		return code;
	}
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	/* The error's own text (e.g. the PKCS#11 call that failed) says
	 * more than its reason code. */
	if (oe != 0 && n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, " (OpenSSL: %s%s%s)",
		    ERR_reason_error_string(oe) != NULL ?
		    ERR_reason_error_string(oe) : "unknown reason",
		    (flags & ERR_TXT_STRING) && data != NULL && *data ? ": " :
		    "", (flags & ERR_TXT_STRING) && data != NULL ? data : "");
	ERR_clear_error();
	return code;
}

int
anc_err_prefix(struct anc_err *e, const char *fmt, ...)
{
	char prefix[256], old[ANC_ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return ANC_E_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
	return e->code;
}

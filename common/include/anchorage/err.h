/*
 * anchorage: one error table for every module.
 *
 * Library functions return an enum anc_rv (ANC_OK is 0) and, when they fail,
 * fill a caller-supplied struct anc_err with a message that names the file,
 * line, field or step and what was expected.  Only appliance/ turns an error
 * into output and an exit status (anc_exit_status()).
 */
#ifndef ANCHORAGE_ERR_H
#define ANCHORAGE_ERR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * On every function whose result says whether it worked: ignoring the
 * result is a build error (-Werror), so a failure cannot pass unseen.  A
 * (void) cast does not silence it; handle the result.
 */
#define ANC_MUST_CHECK __attribute__((warn_unused_result))

/* Exit status classes, as docs/anchorage.1 (EXIT STATUS) lists them. */
enum anc_class {
	ANC_CLASS_OK = 0,	/* success */
	ANC_CLASS_FAILED = 1,	/* an operation failed */
	ANC_CLASS_INPUT = 2,	/* usage error or invalid input; nothing touched */
	ANC_CLASS_TOKEN = 3,	/* token absent, wrong PIN, PIN locked */
	ANC_CLASS_REFUSED = 4	/* refused by a safety check */
};

/*
 * code, exit class, message.  Among the token codes: ANC_E_TOKEN_LACKS is
 * what the token or its module cannot do, read from what it reports or
 * refuses before anything changes (a mechanism, flag or key size, random
 * numbers, PIN limits, a PIN pad where a PIN must be typed, a template
 * attribute): another token or module is the remedy.  ANC_E_TOKEN_BUSY is
 * a token that could do it but is held by another application now.  A
 * token that accepted a template and then reads back something else is
 * ANC_E_UNSAFE: a safety check refuses what it made (docs/HACKING.md).
 */
#define ANC_ERR_TABLE(X) \
	X(ANC_OK, ANC_CLASS_OK, "success") \
	X(ANC_E_INTERNAL, ANC_CLASS_FAILED, "internal error") \
	X(ANC_E_NOMEM, ANC_CLASS_FAILED, "out of memory") \
	X(ANC_E_IO, ANC_CLASS_FAILED, "input/output error") \
	X(ANC_E_CRYPTO, ANC_CLASS_FAILED, "cryptographic operation failed") \
	X(ANC_E_PKCS11, ANC_CLASS_FAILED, "PKCS#11 operation failed") \
	X(ANC_E_BADSIG, ANC_CLASS_FAILED, "signature does not verify") \
	X(ANC_E_VERIFY, ANC_CLASS_FAILED, "verification failed") \
	X(ANC_E_USAGE, ANC_CLASS_INPUT, "usage error") \
	X(ANC_E_INPUT, ANC_CLASS_INPUT, "invalid input") \
	X(ANC_E_SYNTAX, ANC_CLASS_INPUT, "syntax error") \
	X(ANC_E_FIELD, ANC_CLASS_INPUT, "invalid field") \
	X(ANC_E_URI, ANC_CLASS_INPUT, "invalid PKCS#11 URI") \
	X(ANC_E_MODULE, ANC_CLASS_TOKEN, "PKCS#11 module cannot be loaded") \
	X(ANC_E_NOTOKEN, ANC_CLASS_TOKEN, "token not found") \
	X(ANC_E_NOKEY, ANC_CLASS_TOKEN, "key not found in token") \
	X(ANC_E_PIN_INCORRECT, ANC_CLASS_TOKEN, "PIN incorrect") \
	X(ANC_E_PIN_LOCKED, ANC_CLASS_TOKEN, "PIN locked") \
	X(ANC_E_PIN_LEN, ANC_CLASS_TOKEN, "PIN length out of range") \
	X(ANC_E_PIN_UNAVAILABLE, ANC_CLASS_TOKEN, "no PIN available") \
	X(ANC_E_LOGIN, ANC_CLASS_TOKEN, "login failed") \
	X(ANC_E_TOKEN_LACKS, ANC_CLASS_TOKEN, \
	    "the token or its module lacks what the ceremony needs") \
	X(ANC_E_TOKEN_BUSY, ANC_CLASS_TOKEN, \
	    "the token is in use by another application") \
	X(ANC_E_PIN_SOURCE, ANC_CLASS_REFUSED, "PIN source refused") \
	X(ANC_E_EXISTS, ANC_CLASS_REFUSED, "already exists") \
	X(ANC_E_LINT, ANC_CLASS_REFUSED, "certificate lint failed") \
	X(ANC_E_POLICY, ANC_CLASS_REFUSED, "refused by policy") \
	X(ANC_E_UNSAFE, ANC_CLASS_REFUSED, "refused by a safety check")

enum anc_rv {
#define ANC_ERR_ENUM(code, cls, msg) code,
	ANC_ERR_TABLE(ANC_ERR_ENUM)
#undef ANC_ERR_ENUM
	ANC_E__COUNT
};

#define ANC_ERR_MSG_MAX 1024

/*
 * What went wrong.  `msg` is complete and ready for an operator: the
 * location ("ceremony.yaml:12: steps[1].self-sign.validity"), then what was
 * expected.  `ckr` holds the CK_RV when a PKCS#11 call was the cause.
 */
struct anc_err {
	int code;
	unsigned long ckr;
	char msg[ANC_ERR_MSG_MAX];
};

/* The table's text for a code; never NULL. */
const char *anc_strerror(int code);

/* The process exit status of a code (docs/anchorage.1, EXIT STATUS). */
int anc_exit_status(int code);

/* Reset to ANC_OK with an empty message.  NULL is allowed. */
void anc_err_clear(struct anc_err *e);

/*
 * Record an error and return `code`, so callers can write
 * `return anc_err_set(e, ANC_E_FIELD, "%s:%d: ...", ...)`.
 * `e` may be NULL (the code is still returned).
 */
int anc_err_set(struct anc_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As anc_err_set(), and append the oldest OpenSSL error and clear the queue. */
int anc_err_ossl(struct anc_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Put `prefix: ` in front of an existing message, to add the step or file
 * that an inner function did not know.  Returns e->code.
 */
int anc_err_prefix(struct anc_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* ANCHORAGE_ERR_H */

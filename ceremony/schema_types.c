/*
 * anchorage: the value types of ceremony scripts, internal to ceremony/.
 *
 * The table at the end is the "Value types" of docs/ceremony-format.md:
 * each type with its limits and the message for a value outside them.
 * Above it, the rules strings follow and the conversions that store a
 * scalar in the model.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "schema.h"

/*
 * String rules: NULL if the text keeps the rule, else the type's message
 */

static int
is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static int
is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Characters (not bytes) in text already known to be UTF-8. */
static size_t
nchars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Any text, newlines and tabs included: only its length counts. */
static const char *
rule_text(const char *s, size_t len, const struct anc_type *t)
{
	size_t n = nchars(s, len);

	return n >= t->min && n <= t->max ? NULL : t->expected;
}

const char *
anc_rule_line(const char *s, size_t len, const struct anc_type *t)
{
	if (rule_text(s, len, t) != NULL || len == 0 ||
	    memchr(s, '\n', len) != NULL || memchr(s, '\t', len) != NULL ||
	    s[0] == ' ' || s[len - 1] == ' ')
		return t->expected;
	return NULL;
}

/* A file name: bytes, not characters, as the file system counts. */
static const char *
rule_file(const char *s, size_t len, const struct anc_type *t)
{
	if (len < t->min || len > t->max || memchr(s, '\n', len) != NULL ||
	    memchr(s, '\t', len) != NULL)
		return t->expected;
	return NULL;
}

/* [a-z0-9]([a-z0-9.-]*[a-z0-9])?: Kubernetes object names. */
static const char *
rule_dns_name(const char *s, size_t len, const struct anc_type *t)
{
	size_t i;

	if (len < t->min || len > t->max || !is_lower_alnum(s[0]) ||
	    !is_lower_alnum(s[len - 1]))
		return t->expected;
	for (i = 1; i + 1 < len; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-' && s[i] != '.')
			return t->expected;
	return NULL;
}

/* The same without dots: namespaces are DNS labels. */
static const char *
rule_dns_label(const char *s, size_t len, const struct anc_type *t)
{
	if (memchr(s, '.', len) != NULL)
		return t->expected;
	return rule_dns_name(s, len, t);
}

/* The ceremony's name becomes a Kubernetes label value. */
static const char *
rule_label_value(const char *s, size_t len, const struct anc_type *t)
{
	size_t i;

	if (len < t->min || len > t->max || !is_alnum(s[0]) ||
	    !is_alnum(s[len - 1]))
		return t->expected;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return t->expected;
	return NULL;
}

/* Token labels: what every PKCS#11 tool can type and print. */
static const char *
rule_printable(const char *s, size_t len, const struct anc_type *t)
{
	size_t i;

	if (len < t->min || len > t->max || s[0] == ' ' || s[len - 1] == ' ')
		return t->expected;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return t->expected;
	return NULL;
}

static const char *
rule_country(const char *s, size_t len, const struct anc_type *t)
{
	if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return t->expected;
	return NULL;
}

/* Exactly min hexadecimal digits, in either case. */
const char *
anc_rule_hex(const char *s, size_t len, const struct anc_type *t)
{
	size_t i;

	if (len != t->min)
		return t->expected;
	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return t->expected;
	return NULL;
}

/* Does the URI name `attr` (lowercase), even percent-encoded or in
 * capitals, anywhere in its path or query? */
static int
uri_has(const char *s, size_t len, const char *attr)
{
	char buf[ANC_CER_SCALAR_MAX + 1];
	size_t i, n = 0;
	char ch;

	for (i = 0; i < len && n < sizeof(buf) - 1; i++) {
		ch = s[i];
		if (ch == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			ch = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		}
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return strstr(buf, attr) != NULL;
}

/* RFC 7512; a PIN in a script would be archived with the evidence. */
static const char *
rule_pkcs11_uri(const char *s, size_t len, const struct anc_type *t)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e)
			return t->expected;
	if (len < t->min || strncmp(s, "pkcs11:", 7) != 0)
		return t->expected;
	if (uri_has(s, len, "pin-value"))
		return "pin-value is not allowed: a PIN is never written in "
		    "a script";
	if (uri_has(s, len, "pin-source"))
		return "pin-source is not allowed: the PIN source is given "
		    "when the ceremony runs (--pin-source)";
	return NULL;
}

/*
 * Conversions
 */

int
anc_sc_string(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	char **dst = anc_at(obj, f->off), *s;
	const char *why;

	if (v == NULL)
		return anc_read_bad(p, "expected a string");
	if (f->type->rule != NULL &&
	    (why = f->type->rule(v->s, v->len, f->type)) != NULL)
		return anc_read_bad(p, "%s", why);
	if ((s = malloc(v->len + 1)) == NULL)
		return anc_read_nomem(p);
	memcpy(s, v->s, v->len);
	s[v->len] = '\0';
	free(*dst);	/* a default */
	*dst = s;
	return ANC_OK;
}

/* Digests are compared as lowercase hex, as sha256sum prints them. */
int
anc_sc_hex(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	char *s;
	int r;

	if ((r = anc_sc_string(p, obj, f, v)) != ANC_OK)
		return r;
	for (s = *(char **)anc_at(obj, f->off); *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'F')
			*s = (char)(*s - 'A' + 'a');
	return ANC_OK;
}

/*
 * A plain scalar of decimal digits without a leading zero: the only
 * spelling every YAML reader agrees is that integer (YAML 1.1 reads 010 as
 * eight, and a quoted "1" is a string).
 */
static int
uint_value(const struct anc_scalar *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v == NULL || !v->plain || v->len == 0 ||
	    (v->s[0] == '0' && v->len > 1))
		return -1;
	for (i = 0; i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9' ||
		    n > (UINT64_MAX - (uint64_t)(v->s[i] - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(v->s[i] - '0');
	}
	*out = n;
	return 0;
}

/* An integer within the type's limits; the message says them. */
static int
integer(struct anc_reader *p, const struct anc_type *t,
    const struct anc_scalar *v, uint64_t *out)
{
	if (uint_value(v, out) == 0 && *out >= t->min && *out <= t->max)
		return ANC_OK;
	if (t->max == UINT64_MAX)
		return anc_read_bad(p, "expected an integer of at least %llu",
		    (unsigned long long)t->min);
	return anc_read_bad(p, "expected an integer from %llu to %llu",
	    (unsigned long long)t->min, (unsigned long long)t->max);
}

int
anc_sc_int(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	uint64_t n;
	int r;

	if ((r = integer(p, f->type, v, &n)) != ANC_OK)
		return r;
	*(int *)anc_at(obj, f->off) = (int)n;
	return ANC_OK;
}

int
anc_sc_uint64(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	uint64_t n;
	int r;

	if ((r = integer(p, f->type, v, &n)) != ANC_OK)
		return r;
	*(uint64_t *)anc_at(obj, f->off) = n;
	return ANC_OK;
}

/* Only the version this reader knows, and a message that says so. */
static int
sc_version(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	uint64_t n;

	if (uint_value(v, &n) != 0)
		return anc_read_bad(p, "expected an integer");
	if (n < f->type->min || n > f->type->max)
		return anc_read_bad(p, "unsupported version %llu; expected "
		    "%llu", (unsigned long long)n,
		    (unsigned long long)f->type->max);
	*(int *)anc_at(obj, f->off) = (int)n;
	return ANC_OK;
}

static int
sc_pathlen(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	const struct anc_type *t = f->type;
	int *dst = anc_at(obj, f->off);
	uint64_t n;

	if (anc_scalar_is(v, "none")) {
		*dst = ANC_PATHLEN_NONE;
		return ANC_OK;
	}
	if (uint_value(v, &n) != 0 || n < t->min || n > t->max)
		return anc_read_bad(p, "expected an integer from %llu to "
		    "%llu, or none", (unsigned long long)t->min,
		    (unsigned long long)t->max);
	*dst = (int)n;
	return ANC_OK;
}

int
anc_sc_duration(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	const struct anc_type *t = f->type;
	char buf[32], lim[32];
	uint64_t secs;

	if (v == NULL || v->len >= sizeof(buf))
		return anc_read_bad(p, "expected a duration such as %s",
		    t->expected);
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	if (anc_duration_parse(buf, &secs) != 0)
		return anc_read_bad(p, "expected a duration such as %s",
		    t->expected);
	if (secs < t->min) {
		anc_duration_format(t->min, lim, sizeof(lim));
		return anc_read_bad(p, "expected a duration of at least %s",
		    lim);
	}
	if (secs > t->max) {
		anc_duration_format(t->max, lim, sizeof(lim));
		return anc_read_bad(p, "expected a duration of at most %s",
		    lim);
	}
	*(uint64_t *)anc_at(obj, f->off) = secs;
	return ANC_OK;
}

/* One of the type's values, by name; an error lists them all. */
int
anc_sc_one_of(struct anc_reader *p, void *obj, const struct anc_field *f,
    const struct anc_scalar *v)
{
	const struct anc_type *t = f->type;
	const char *names[32];
	char list[512];
	size_t i, n = 0;

	for (i = 0; i < t->n_values; i++) {
		if (v != NULL && anc_scalar_is(v, t->name(t->values[i]))) {
			*(int *)anc_at(obj, f->off) = t->values[i];
			return ANC_OK;
		}
		if (n < ANC_N(names))
			names[n++] = t->name(t->values[i]);
	}
	anc_read_join(list, sizeof(list), names, n);
	return anc_read_bad(p, "expected one of: %s", list);
}

/*
 * Words a type may be one of
 */

static const char *
keyalg_name(int v)
{
	return anc_keyalg_name((enum anc_keyalg)v);
}

static const char *
role_name(int v)
{
	return anc_role_name((enum anc_role)v);
}

static const char *
reason_name(int v)
{
	return anc_crl_reason_name((enum anc_crl_reason)v);
}

/* export-issuer's kind: 1 for a ClusterIssuer. */
static const char *
issuer_kind_name(int v)
{
	return v ? "ClusterIssuer" : "Issuer";
}

/* Keys generated in the token. */
static const int token_algs[] = { ANC_KEY_EC_P256, ANC_KEY_EC_P384,
    ANC_KEY_RSA_3072, ANC_KEY_RSA_4096 };
/* Issuing-CA keys, generated in software on the appliance: no RSA-4096,
 * whose generation takes long enough to tempt someone to interrupt it. */
static const int soft_algs[] = { ANC_KEY_EC_P256, ANC_KEY_EC_P384,
    ANC_KEY_RSA_3072 };
static const int roles[] = { ANC_ROLE_ADMINISTRATOR, ANC_ROLE_WITNESS,
    ANC_ROLE_CRYPTO_OFFICER, ANC_ROLE_AUDITOR, ANC_ROLE_OBSERVER };
static const int reasons[] = { ANC_REASON_UNSPECIFIED,
    ANC_REASON_KEY_COMPROMISE, ANC_REASON_CA_COMPROMISE,
    ANC_REASON_AFFILIATION_CHANGED, ANC_REASON_SUPERSEDED,
    ANC_REASON_CESSATION_OF_OPERATION };
static const int issuer_kinds[] = { 0, 1 };

/*
 * The types: limits and the message for a value outside them
 */

#define PERSON_MAX	128	/* characters in a participant's name */
#define TEXT_MAX	1024	/* characters in the description */
#define DN_VALUE_MAX	64	/* characters in a subject attribute */
#define K8S_NAME_MAX	63	/* DNS label length, as Kubernetes names */
#define FILE_NAME_MAX	4095	/* bytes in an input's file name */

/*						rule		 min max */
const struct anc_type anc_t_ceremony_name = ANC_STRING(rule_label_value, 1,
    ANC_CER_NAME_MAX - 1, "expected 1 to 63 characters from A-Z, a-z, "
    "0-9, '.', '_' and '-', starting and ending with a letter or digit");
const struct anc_type anc_t_description = ANC_STRING(rule_text, 0, TEXT_MAX,
    "expected at most 1024 characters");
const struct anc_type anc_t_token = ANC_STRING(rule_pkcs11_uri, 8,
    ANC_CER_SCALAR_MAX, "expected a PKCS#11 URI (RFC 7512) such as "
    "pkcs11:token=m8-root");
const struct anc_type anc_t_person = ANC_STRING(anc_rule_line, 1, PERSON_MAX,
    "expected 1 to 128 characters on one line, without spaces at either "
    "end");
const struct anc_type anc_t_artifact = ANC_STRING(rule_dns_name, 1,
    K8S_NAME_MAX, "expected a name of at most 63 lowercase letters, digits, "
    "'.' and '-', starting and ending with a letter or digit");
const struct anc_type anc_t_label = ANC_STRING(rule_printable, 1,
    ANC_CER_NAME_MAX, "expected 1 to 64 printable ASCII characters, "
    "without spaces at either end");
const struct anc_type anc_t_file = ANC_STRING(rule_file, 1, FILE_NAME_MAX,
    "expected a file name on one line");
const struct anc_type anc_t_k8s_name = ANC_STRING(rule_dns_name, 1,
    K8S_NAME_MAX, "expected a Kubernetes name of at most 63 lowercase "
    "letters, digits, '.' and '-', starting and ending with a letter or "
    "digit");
const struct anc_type anc_t_namespace = ANC_STRING(rule_dns_label, 1,
    K8S_NAME_MAX, "expected a Kubernetes namespace of at most 63 lowercase "
    "letters, digits and '-', starting and ending with a letter or digit");
const struct anc_type anc_t_country = ANC_STRING(rule_country, 2, 2,
    "expected a two-letter country code in capitals, such as DE");
const struct anc_type anc_t_dn_value = ANC_STRING(anc_rule_line, 1,
    DN_VALUE_MAX, "expected 1 to 64 characters on one line, without spaces "
    "at either end");
const struct anc_type anc_t_sha256 = ANC_HEX(64,
    "expected 64 hexadecimal digits (a SHA-256 digest)");
const struct anc_type anc_t_commitment = ANC_HEX(16,
    "expected 16 hexadecimal digits, the commitment the split-pin step "
    "printed");

const struct anc_type anc_t_version = { .scalar = sc_version, .min = 1,
    .max = 1 };
const struct anc_type anc_t_threshold = ANC_INT(2, ANC_CER_OFFICERS_MAX);
const struct anc_type anc_t_crl_number = ANC_UINT64(1, UINT64_MAX);
const struct anc_type anc_t_pathlen = { .scalar = sc_pathlen, .min = 0,
    .max = ANC_CER_PATHLEN_MAX };

/* A certificate shorter than an hour is a mistake, not a policy. */
const struct anc_type anc_t_validity = ANC_DURATION(3600,
    ANC_CER_VALIDITY_MAX, "87600h");
const struct anc_type anc_t_crl_validity = ANC_DURATION(1,
    ANC_CER_VALIDITY_MAX, "720h");

const struct anc_type anc_t_token_alg = ANC_ONE_OF(keyalg_name, token_algs);
const struct anc_type anc_t_soft_alg = ANC_ONE_OF(keyalg_name, soft_algs);
const struct anc_type anc_t_role = ANC_ONE_OF(role_name, roles);
const struct anc_type anc_t_reason = ANC_ONE_OF(reason_name, reasons);
const struct anc_type anc_t_issuer_kind = ANC_ONE_OF(issuer_kind_name,
    issuer_kinds);

/*
 * anchorage: ceremony scripts, from YAML text to the typed model.
 *
 * libyaml's event API only, in two passes over the text.  The first reads
 * every event and refuses what plain data does not need (anchors, aliases,
 * tags, several documents) and what exceeds the limits libyaml 0.2.5 lacks
 * (nesting depth, scalar size), so any such problem anywhere in the file
 * is reported as a YAML problem, before any schema error.  The second pass
 * reads the same events against the schema: unknown, duplicate, missing
 * and mistyped fields.
 *
 * Each mapping is a table of fields: key, required or not, type, where the
 * value is stored, and its default.  A type is a conversion of a scalar or
 * a handler for a nested mapping or list.  Defaults are written as a script
 * would write them and go through the same conversion, so a default is
 * always something a script could have said.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "ceremony_int.h"
#include "constraints.h"

#define REQ 1
#define OPT 0

#define N(a)		(sizeof(a) / sizeof((a)[0]))
#define PERSON_MAX	128	/* characters in a participant's name */
#define TEXT_MAX	1024	/* characters in the description */
#define DN_VALUE_MAX	64	/* characters in a subject attribute */
#define K8S_NAME_MAX	63	/* DNS label length, as Kubernetes names */
#define FILE_NAME_MAX	4095	/* bytes in an input's file name */

struct parser {
	yaml_parser_t yp;
	int yp_ready;
	yaml_event_t ev;	/* the current event */
	int have_ev;		/* ev must be deleted */
	int depth;		/* mappings and lists open (pass 1) */
	const char *path;	/* the script, for messages */
	const unsigned char *text;
	size_t len;
	char field[256];	/* dotted path of the current node */
	struct anc_ceremony *c;
	struct anc_err *err;
};

/* A scalar's text.  Conversions get NULL when the node is a collection. */
struct scalar {
	const char *s;
	size_t len;
	int plain;
};

struct field;

typedef int (*scalar_fn)(struct parser *, void *, const struct field *,
    const struct scalar *);
typedef int (*node_fn)(struct parser *, void *, const struct field *);
/* NULL if the text is acceptable, else what was expected. */
typedef const char *(*check_fn)(const char *, size_t);
typedef int (*item_fn)(struct parser *, void *);

struct type {
	scalar_fn scalar;	/* a scalar value ... */
	node_fn node;		/* ... or a mapping or list */
	check_fn check;		/* strings: the rule the text must follow */
};

struct field {
	const char *key;
	int required;
	const struct type *type;
	size_t off;		/* where the value goes in the object */
	size_t line_off;	/* where its line goes; 0: not recorded */
	const char *dflt;	/* default, as a script would write it */
};

/*
 * Messages
 */

static int
cur_line(const struct parser *p)
{
	return (int)p->ev.start_mark.line + 1;
}

static int
vperr(struct parser *p, int code, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int
vperr(struct parser *p, int code, int line, const char *fmt, va_list ap)
{
	char msg[ANC_ERR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->field[0] == '\0')
		return anc_err_set(p->err, code, "%s:%d: %s", p->path, line,
		    msg);
	return anc_err_set(p->err, code, "%s:%d: %s: %s", p->path, line,
	    p->field, msg);
}

static int
perr(struct parser *p, int code, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
perr(struct parser *p, int code, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, code, line, fmt, ap);
	va_end(ap);
	return r;
}

/* A schema error at the current node. */
static int
bad(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, ANC_E_FIELD, cur_line(p), fmt, ap);
	va_end(ap);
	return r;
}

static int
nomem(struct parser *p)
{
	return anc_err_set(p->err, ANC_E_NOMEM, "%s: out of memory", p->path);
}

/*
 * Script text quoted in a message, cut to a readable length at a character
 * boundary.  Scalars have already been checked to hold no control or
 * invisible characters, so what is shown is what the reviewer saw.
 */
static const char *
shown(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = len;

	if (n > cap - 4) {
		n = cap - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	strcpy(buf + n, n < len ? "..." : "");
	return buf;
}

/* "a, b, c" into buf. */
static void
join(char *buf, size_t cap, const char *const *names, size_t n)
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

/*
 * Text rules every scalar follows, keys included
 */

/* Decode one UTF-8 sequence at s[0..len); its length, or 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, k;
	uint32_t v;

	if (s[0] < 0x80)
		n = 1, v = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		n = 2, v = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, v = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, v = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/*
 * Controls other than tab and newline, and the invisible characters that
 * can make a reviewed script read differently from what it says (bidi
 * overrides and isolates, zero-width characters, line separators: the
 * "Trojan Source" family).
 */
static int
char_refused(uint32_t cp)
{
	if (cp == '\t' || cp == '\n')
		return 0;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

static int
check_text(struct parser *p, const unsigned char *s, size_t len)
{
	size_t i, n;
	uint32_t cp = 0;

	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return perr(p, ANC_E_SYNTAX, cur_line(p),
			    "expected UTF-8 text");
		if (char_refused(cp))
			return perr(p, ANC_E_SYNTAX, cur_line(p), "character "
			    "U+%04X is not allowed (a control or invisible "
			    "formatting character)", (unsigned)cp);
	}
	return ANC_OK;
}

/*
 * Events
 */

static int
yaml_error(struct parser *p)
{
	size_t i, line = 1;

	if (p->yp.error == YAML_MEMORY_ERROR)
		return nomem(p);
	if (p->yp.error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		for (i = 0; i < p->yp.problem_offset && i < p->len; i++)
			if (p->text[i] == '\n')
				line++;
	} else
		line = p->yp.problem_mark.line + 1;
	return anc_err_set(p->err, ANC_E_SYNTAX,
	    "%s:%zu: YAML syntax error: %s", p->path, line,
	    p->yp.problem != NULL ? p->yp.problem : "unknown problem");
}

/* Make the next event current. */
static int
next(struct parser *p)
{
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
	if (!yaml_parser_parse(&p->yp, &p->ev))
		return yaml_error(p);
	p->have_ev = 1;
	return ANC_OK;
}

/* Pass 1, per event: refuse what plain data does not need, keep within
 * the limits. */
static int
check_event(struct parser *p, int *docs)
{
	const yaml_event_t *e = &p->ev;
	const yaml_char_t *anchor = NULL, *tag = NULL;

	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return perr(p, ANC_E_SYNTAX, cur_line(p),
		    "aliases are not allowed");
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return perr(p, ANC_E_SYNTAX, cur_line(p),
			    "multiple documents are not allowed");
		if (e->data.document_start.tag_directives.start !=
		    e->data.document_start.tag_directives.end)
			return perr(p, ANC_E_SYNTAX, cur_line(p),
			    "tag directives are not allowed");
		return ANC_OK;
	case YAML_SCALAR_EVENT:
		anchor = e->data.scalar.anchor;
		tag = e->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = e->data.sequence_start.anchor;
		tag = e->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = e->data.mapping_start.anchor;
		tag = e->data.mapping_start.tag;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		p->depth--;
		return ANC_OK;
	default:
		return ANC_OK;
	}
	if (anchor != NULL)
		return perr(p, ANC_E_SYNTAX, cur_line(p),
		    "anchors are not allowed");
	if (tag != NULL)
		return perr(p, ANC_E_SYNTAX, cur_line(p),
		    "tags are not allowed");
	if (e->type != YAML_SCALAR_EVENT) {
		if (++p->depth > ANC_CER_DEPTH_MAX)
			return perr(p, ANC_E_SYNTAX, cur_line(p),
			    "nesting deeper than %d levels is not allowed",
			    ANC_CER_DEPTH_MAX);
		return ANC_OK;
	}
	if (e->data.scalar.length > ANC_CER_SCALAR_MAX)
		return perr(p, ANC_E_SYNTAX, cur_line(p), "a scalar of %zu "
		    "bytes is longer than the limit of %d",
		    e->data.scalar.length, ANC_CER_SCALAR_MAX);
	return check_text(p, e->data.scalar.value, e->data.scalar.length);
}

/* Pass 1: every event of the file. */
static int
check_stream(struct parser *p)
{
	int docs = 0, r;

	do {
		if ((r = next(p)) != ANC_OK || (r = check_event(p, &docs)) !=
		    ANC_OK)
			return r;
	} while (p->ev.type != YAML_STREAM_END_EVENT);
	return ANC_OK;
}

/* The current event as a scalar, or NULL if it is something else. */
static const struct scalar *
scalar_of(const struct parser *p, struct scalar *v)
{
	if (p->ev.type != YAML_SCALAR_EVENT)
		return NULL;
	v->s = (const char *)p->ev.data.scalar.value;
	v->len = p->ev.data.scalar.length;
	v->plain = p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return v;
}

static int
scalar_is(const struct scalar *v, const char *s)
{
	return v != NULL && strlen(s) == v->len && memcmp(s, v->s, v->len) == 0;
}

/* Index of v in names[], or -1. */
static int
lookup(const struct scalar *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (scalar_is(v, names[i]))
			return (int)i;
	return -1;
}

/*
 * The dotted path of the current node, for messages
 */

static size_t
fpush(struct parser *p, const char *key)
{
	size_t mark = strlen(p->field);

	snprintf(p->field + mark, sizeof(p->field) - mark, "%s%s",
	    mark > 0 ? "." : "", key);
	return mark;
}

/* Lists are numbered from 1, as the plan numbers steps. */
static size_t
fpush_index(struct parser *p, size_t i)
{
	size_t mark = strlen(p->field);

	snprintf(p->field + mark, sizeof(p->field) - mark, "[%zu]", i + 1);
	return mark;
}

static void
fpop(struct parser *p, size_t mark)
{
	p->field[mark] = '\0';
}

/*
 * String rules
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

/* One line, no space at either end, 1..max characters. */
static int
one_line(const char *s, size_t len, size_t max)
{
	size_t n = nchars(s, len);

	return n >= 1 && n <= max && memchr(s, '\n', len) == NULL &&
	    memchr(s, '\t', len) == NULL && s[0] != ' ' && s[len - 1] != ' ';
}

/* [a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?, without dots for namespaces. */
static int
dns_name(const char *s, size_t len, int dots)
{
	size_t i;

	if (len < 1 || len > K8S_NAME_MAX || !is_lower_alnum(s[0]) ||
	    !is_lower_alnum(s[len - 1]))
		return 0;
	for (i = 1; i + 1 < len; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-' &&
		    !(dots && s[i] == '.'))
			return 0;
	return 1;
}

static const char *
ck_ceremony_name(const char *s, size_t len)
{
	size_t i;

	/* The name becomes a Kubernetes label value: at most 63 characters,
	 * starting and ending with a letter or digit. */
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			break;
	if (len < 1 || len > ANC_CER_NAME_MAX - 1 || i < len ||
	    !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return "expected 1 to 63 characters from A-Z, a-z, 0-9, "
		    "'.', '_' and '-', starting and ending with a letter or "
		    "digit";
	return NULL;
}

static const char *
ck_artifact(const char *s, size_t len)
{
	if (!dns_name(s, len, 1))
		return "expected a name of at most 63 lowercase letters, "
		    "digits, '.' and '-', starting and ending with a letter "
		    "or digit";
	return NULL;
}

static const char *
ck_k8s_name(const char *s, size_t len)
{
	if (!dns_name(s, len, 1))
		return "expected a Kubernetes name of at most 63 lowercase "
		    "letters, digits, '.' and '-', starting and ending with "
		    "a letter or digit";
	return NULL;
}

static const char *
ck_namespace(const char *s, size_t len)
{
	if (!dns_name(s, len, 0))
		return "expected a Kubernetes namespace of at most 63 "
		    "lowercase letters, digits and '-', starting and ending "
		    "with a letter or digit";
	return NULL;
}

/* Token labels: what every PKCS#11 tool can type and print. */
static const char *
ck_label(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			break;
	if (len < 1 || len > ANC_CER_NAME_MAX || i < len || s[0] == ' ' ||
	    s[len - 1] == ' ')
		return "expected 1 to 64 printable ASCII characters, without "
		    "spaces at either end";
	return NULL;
}

static const char *
ck_person(const char *s, size_t len)
{
	if (!one_line(s, len, PERSON_MAX))
		return "expected 1 to 128 characters on one line, without "
		    "spaces at either end";
	return NULL;
}

static const char *
ck_description(const char *s, size_t len)
{
	if (nchars(s, len) > TEXT_MAX)
		return "expected at most 1024 characters";
	return NULL;
}

static const char *
ck_dn_value(const char *s, size_t len)
{
	if (!one_line(s, len, DN_VALUE_MAX))
		return "expected 1 to 64 characters on one line, without "
		    "spaces at either end";
	return NULL;
}

static const char *
ck_country(const char *s, size_t len)
{
	if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return "expected a two-letter country code in capitals, "
		    "such as DE";
	return NULL;
}

static const char *
ck_file(const char *s, size_t len)
{
	if (len < 1 || len > FILE_NAME_MAX || memchr(s, '\n', len) != NULL ||
	    memchr(s, '\t', len) != NULL)
		return "expected a file name on one line";
	return NULL;
}

static const char *
ck_sha256(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			break;
	if (len != 64 || i < len)
		return "expected 64 hexadecimal digits (a SHA-256 digest)";
	return NULL;
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
ck_token(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e)
			break;
	if (len < 8 || strncmp(s, "pkcs11:", 7) != 0 || i < len)
		return "expected a PKCS#11 URI (RFC 7512) such as "
		    "pkcs11:token=m8-root";
	if (uri_has(s, len, "pin-value"))
		return "pin-value is not allowed: a PIN is never written in "
		    "a script";
	if (uri_has(s, len, "pin-source"))
		return "pin-source is not allowed: the PIN source is given "
		    "when the ceremony runs (--pin-source)";
	return NULL;
}

/*
 * Scalar conversions
 */

static void *
at(void *obj, size_t off)
{
	return (char *)obj + off;
}

static int
sc_str(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	char **dst = at(obj, f->off), *s;
	const char *why;

	if (v == NULL)
		return bad(p, "expected a string");
	if (f->type->check != NULL &&
	    (why = f->type->check(v->s, v->len)) != NULL)
		return bad(p, "%s", why);
	if ((s = malloc(v->len + 1)) == NULL)
		return nomem(p);
	memcpy(s, v->s, v->len);
	s[v->len] = '\0';
	free(*dst);	/* a default */
	*dst = s;
	return ANC_OK;
}

/* Digests are compared as lowercase hex, as sha256sum prints them. */
static int
sc_hex(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	char *s;
	int r;

	if ((r = sc_str(p, obj, f, v)) != ANC_OK)
		return r;
	for (s = *(char **)at(obj, f->off); *s != '\0'; s++)
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
uint_value(const struct scalar *v, uint64_t *out)
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

static int
sc_version(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	uint64_t n;

	if (uint_value(v, &n) != 0)
		return bad(p, "expected an integer");
	if (n != 1)
		return bad(p, "unsupported version %llu; expected 1",
		    (unsigned long long)n);
	*(int *)at(obj, f->off) = 1;
	return ANC_OK;
}

static int
sc_crl_number(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	uint64_t n;

	if (uint_value(v, &n) != 0 || n < 1)
		return bad(p, "expected an integer of at least 1");
	*(uint64_t *)at(obj, f->off) = n;
	return ANC_OK;
}

static int
sc_pathlen(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	int *dst = at(obj, f->off);
	uint64_t n;

	if (scalar_is(v, "none")) {
		*dst = ANC_PATHLEN_NONE;
		return ANC_OK;
	}
	if (uint_value(v, &n) != 0 || n > ANC_CER_PATHLEN_MAX)
		return bad(p, "expected an integer from 0 to %d, or none",
		    ANC_CER_PATHLEN_MAX);
	*dst = (int)n;
	return ANC_OK;
}

static int
duration(struct parser *p, const struct scalar *v, uint64_t min,
    const char *example, uint64_t *out)
{
	char buf[32], lim[32];
	uint64_t secs;

	if (v == NULL || v->len >= sizeof(buf))
		return bad(p, "expected a duration such as %s", example);
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	if (anc_duration_parse(buf, &secs) != 0)
		return bad(p, "expected a duration such as %s", example);
	if (secs < min) {
		anc_duration_format(min, lim, sizeof(lim));
		return bad(p, "expected a duration of at least %s", lim);
	}
	if (secs > ANC_CER_VALIDITY_MAX) {
		anc_duration_format(ANC_CER_VALIDITY_MAX, lim, sizeof(lim));
		return bad(p, "expected a duration of at most %s", lim);
	}
	*out = secs;
	return ANC_OK;
}

/* A certificate shorter than an hour is a mistake, not a policy. */
static int
sc_validity(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	return duration(p, v, 3600, "87600h", at(obj, f->off));
}

static int
sc_crl_validity(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	return duration(p, v, 1, "720h", at(obj, f->off));
}

/* One of names[]: its index, or an error listing them all. */
static int
one_of(struct parser *p, const struct scalar *v, const char *const *names,
    size_t n, size_t *idx)
{
	char list[512];
	int i;

	if ((i = lookup(v, names, n)) >= 0) {
		*idx = (size_t)i;
		return ANC_OK;
	}
	join(list, sizeof(list), names, n);
	return bad(p, "expected one of: %s", list);
}

static int
keyalg(struct parser *p, const struct scalar *v, const enum anc_keyalg *algs,
    size_t n, enum anc_keyalg *out)
{
	const char *names[8];
	size_t i, idx;
	int r;

	for (i = 0; i < n && i < N(names); i++)
		names[i] = anc_keyalg_name(algs[i]);
	if ((r = one_of(p, v, names, i, &idx)) != ANC_OK)
		return r;
	*out = algs[idx];
	return ANC_OK;
}

/* Keys generated in the token. */
static int
sc_token_alg(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	static const enum anc_keyalg algs[] = { ANC_KEY_EC_P256,
	    ANC_KEY_EC_P384, ANC_KEY_RSA_3072, ANC_KEY_RSA_4096 };

	return keyalg(p, v, algs, N(algs), at(obj, f->off));
}

/* Issuing-CA keys, generated in software on the appliance: no RSA-4096,
 * whose generation takes long enough to tempt someone to interrupt it. */
static int
sc_soft_alg(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	static const enum anc_keyalg algs[] = { ANC_KEY_EC_P256,
	    ANC_KEY_EC_P384, ANC_KEY_RSA_3072 };

	return keyalg(p, v, algs, N(algs), at(obj, f->off));
}

static int
sc_role(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	const char *names[ANC_ROLE_OBSERVER];
	size_t i;
	int r;

	for (i = 0; i < N(names); i++)
		names[i] = anc_role_name((enum anc_role)(i + 1));
	if ((r = one_of(p, v, names, N(names), &i)) != ANC_OK)
		return r;
	*(enum anc_role *)at(obj, f->off) = (enum anc_role)(i + 1);
	return ANC_OK;
}

static int
sc_reason(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	const char *names[ANC_REASON_CESSATION_OF_OPERATION + 1];
	size_t i;
	int r;

	for (i = 0; i < N(names); i++)
		names[i] = anc_crl_reason_name((enum anc_crl_reason)i);
	if ((r = one_of(p, v, names, N(names), &i)) != ANC_OK)
		return r;
	*(enum anc_crl_reason *)at(obj, f->off) = (enum anc_crl_reason)i;
	return ANC_OK;
}

static int
sc_issuer_kind(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	static const char *const names[] = { "Issuer", "ClusterIssuer" };
	size_t i;
	int r;

	if ((r = one_of(p, v, names, N(names), &i)) != ANC_OK)
		return r;
	*(int *)at(obj, f->off) = (int)i;
	return ANC_OK;
}

static const struct type t_ceremony_name = { sc_str, NULL, ck_ceremony_name };
static const struct type t_description = { sc_str, NULL, ck_description };
static const struct type t_token = { sc_str, NULL, ck_token };
static const struct type t_person = { sc_str, NULL, ck_person };
static const struct type t_artifact = { sc_str, NULL, ck_artifact };
static const struct type t_label = { sc_str, NULL, ck_label };
static const struct type t_file = { sc_str, NULL, ck_file };
static const struct type t_sha256 = { sc_hex, NULL, ck_sha256 };
static const struct type t_k8s_name = { sc_str, NULL, ck_k8s_name };
static const struct type t_namespace = { sc_str, NULL, ck_namespace };
static const struct type t_country = { sc_str, NULL, ck_country };
static const struct type t_dn_value = { sc_str, NULL, ck_dn_value };
static const struct type t_version = { sc_version, NULL, NULL };
static const struct type t_crl_number = { sc_crl_number, NULL, NULL };
static const struct type t_pathlen = { sc_pathlen, NULL, NULL };
static const struct type t_validity = { sc_validity, NULL, NULL };
static const struct type t_crl_validity = { sc_crl_validity, NULL, NULL };
static const struct type t_token_alg = { sc_token_alg, NULL, NULL };
static const struct type t_soft_alg = { sc_soft_alg, NULL, NULL };
static const struct type t_role = { sc_role, NULL, NULL };
static const struct type t_reason = { sc_reason, NULL, NULL };
static const struct type t_issuer_kind = { sc_issuer_kind, NULL, NULL };

/*
 * Mappings and lists
 */

static int
find_field(struct parser *p, const struct field *fields, size_t n,
    size_t *idx)
{
	const char *keys[32];
	char list[512], buf[80];
	struct scalar v;
	size_t i;

	if (scalar_of(p, &v) == NULL)
		return bad(p, "expected a field name, not a mapping or list");
	for (i = 0; i < n && i < N(keys); i++) {
		if (scalar_is(&v, fields[i].key)) {
			*idx = i;
			return ANC_OK;
		}
		keys[i] = fields[i].key;
	}
	join(list, sizeof(list), keys, i);
	return bad(p, "unknown field \"%s\"; expected one of: %s",
	    shown(v.s, v.len, buf, sizeof(buf)), list);
}

static int
parse_value(struct parser *p, void *obj, const struct field *f)
{
	struct scalar v;

	if (f->type->node != NULL)
		return f->type->node(p, obj, f);
	return f->type->scalar(p, obj, f, scalar_of(p, &v));
}

/* The current event opens a mapping of `fields` (at most 32), read into obj. */
static int
parse_map(struct parser *p, const struct field *fields, size_t n, void *obj)
{
	uint32_t seen = 0;
	size_t i, mark;
	int start = cur_line(p), r;

	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return bad(p, "expected a mapping");
	for (;;) {
		if ((r = next(p)) != ANC_OK)
			return r;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((r = find_field(p, fields, n, &i)) != ANC_OK)
			return r;
		if ((seen & (UINT32_C(1) << i)) != 0)
			return bad(p, "duplicate key \"%s\"", fields[i].key);
		seen |= UINT32_C(1) << i;
		mark = fpush(p, fields[i].key);
		if ((r = next(p)) != ANC_OK)
			return r;
		if (fields[i].line_off != 0)
			*(int *)at(obj, fields[i].line_off) = cur_line(p);
		if ((r = parse_value(p, obj, &fields[i])) != ANC_OK)
			return r;
		fpop(p, mark);
	}
	for (i = 0; i < n; i++)
		if (fields[i].required && (seen & (UINT32_C(1) << i)) == 0)
			return perr(p, ANC_E_FIELD, start,
			    "missing required field \"%s\"", fields[i].key);
	return ANC_OK;
}

/* Defaults go through the conversions a script's values go through. */
static int
apply_defaults(struct parser *p, const struct field *fields, size_t n,
    void *obj)
{
	struct scalar v;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (fields[i].dflt == NULL)
			continue;
		v.s = fields[i].dflt;
		v.len = strlen(v.s);
		v.plain = 1;
		if ((r = fields[i].type->scalar(p, obj, &fields[i], &v)) !=
		    ANC_OK)
			return r;
	}
	return ANC_OK;
}

static int
list_expected(struct parser *p, int line, size_t min, size_t max,
    const char *what)
{
	if (min == 0)
		return perr(p, ANC_E_FIELD, line,
		    "expected a list of at most %zu %s", max, what);
	return perr(p, ANC_E_FIELD, line, "expected a list of %zu to %zu %s",
	    min, max, what);
}

/* The current event opens a list of min..max items, each read by fn. */
static int
parse_list(struct parser *p, size_t min, size_t max, const char *what,
    item_fn fn, void *obj)
{
	size_t n = 0, mark;
	int start = cur_line(p), r;

	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return list_expected(p, start, min, max, what);
	for (;; n++) {
		mark = fpush_index(p, n);
		if ((r = next(p)) != ANC_OK)
			return r;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (n == max) {
			fpop(p, mark);
			return list_expected(p, cur_line(p), min, max, what);
		}
		if ((r = fn(p, obj)) != ANC_OK)
			return r;
		fpop(p, mark);
	}
	fpop(p, mark);
	if (n < min)
		return list_expected(p, start, min, max, what);
	return ANC_OK;
}

/* Room for one more zeroed element after the n in arr. */
static void *
grow(void *arr, size_t n, size_t size)
{
	unsigned char *na;

	if ((na = realloc(arr, (n + 1) * size)) != NULL)
		memset(na + n * size, 0, size);
	return na;
}

/*
 * `- kind: {...}`: a mapping of exactly one key, one of names[].  Leaves
 * the key current and its index in *idx.
 */
static int
single_key(struct parser *p, const char *what, const char *const *names,
    size_t n, size_t *idx)
{
	char list[512], buf[80];
	struct scalar v;
	int r, i;

	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return bad(p, "expected a mapping with one key, the %s", what);
	if ((r = next(p)) != ANC_OK)
		return r;
	if (scalar_of(p, &v) == NULL)
		return bad(p, "expected a mapping with one key, the %s", what);
	if ((i = lookup(&v, names, n)) < 0) {
		join(list, sizeof(list), names, n);
		return bad(p, "unknown %s \"%s\"; expected one of: %s", what,
		    shown(v.s, v.len, buf, sizeof(buf)), list);
	}
	*idx = (size_t)i;
	return ANC_OK;
}

/* After the value of a single_key() mapping: nothing else. */
static int
single_key_end(struct parser *p, const char *what)
{
	char buf[80];
	struct scalar v;
	int r;

	if ((r = next(p)) != ANC_OK)
		return r;
	if (p->ev.type == YAML_MAPPING_END_EVENT)
		return ANC_OK;
	if (scalar_of(p, &v) == NULL)
		return bad(p, "expected only one key, the %s", what);
	return bad(p, "expected only one key, the %s; found also \"%s\"",
	    what, shown(v.s, v.len, buf, sizeof(buf)));
}

/*
 * Subject names
 */

/* Attributes as they are encoded, from the top of the directory down. */
struct dn_form {
	char *c, *st, *l, *o, *ou, *cn;
};

#define DN(m) offsetof(struct dn_form, m)

static const struct field dn_fields[] = {
	{ "C",	OPT, &t_country,  DN(c),  0, NULL },
	{ "ST",	OPT, &t_dn_value, DN(st), 0, NULL },
	{ "L",	OPT, &t_dn_value, DN(l),  0, NULL },
	{ "O",	OPT, &t_dn_value, DN(o),  0, NULL },
	{ "OU",	OPT, &t_dn_value, DN(ou), 0, NULL },
	{ "CN",	REQ, &t_dn_value, DN(cn), 0, NULL },
};

/* Whatever the order in the script, the model holds the encoding order. */
static int
nd_subject(struct parser *p, void *obj, const struct field *f)
{
	struct anc_dn *dn = at(obj, f->off);
	struct dn_form form;
	char **v;
	size_t i;
	int r;

	memset(&form, 0, sizeof(form));
	if ((r = parse_map(p, dn_fields, N(dn_fields), &form)) == ANC_OK) {
		for (i = 0; i < N(dn_fields); i++) {
			v = at(&form, dn_fields[i].off);
			if (*v == NULL)
				continue;
			dn->attrs[dn->n].type = dn_fields[i].key;
			dn->attrs[dn->n++].value = *v;
			*v = NULL;	/* transferred */
		}
	}
	for (i = 0; i < N(dn_fields); i++)
		free(*(char **)at(&form, dn_fields[i].off));
	return r;
}

static const struct type t_subject = { NULL, nd_subject, NULL };

/*
 * sign-csr policy
 */

/* Indexed by enum anc_policy_alg. */
static const char *const policy_alg_names[] = {
	"rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384"
};

#define POLICY_ALGS_ALL ((1u << N(policy_alg_names)) - 1)

static int
policy_alg_item(struct parser *p, void *obj)
{
	unsigned *mask = obj;
	struct scalar v;
	size_t i;
	int r;

	if ((r = one_of(p, scalar_of(p, &v), policy_alg_names,
	    N(policy_alg_names), &i)) != ANC_OK)
		return r;
	if ((*mask & (1u << i)) != 0)
		return bad(p, "duplicate algorithm \"%s\"", policy_alg_names[i]);
	*mask |= 1u << i;
	return ANC_OK;
}

static int
nd_policy_algs(struct parser *p, void *obj, const struct field *f)
{
	unsigned mask = 0;
	int r;

	if ((r = parse_list(p, 1, N(policy_alg_names), "algorithms",
	    policy_alg_item, &mask)) != ANC_OK)
		return r;
	*(unsigned *)at(obj, f->off) = mask;
	return ANC_OK;
}

static const struct type t_policy_algs = { NULL, nd_policy_algs, NULL };

#define S(m)	offsetof(struct anc_step, m)
#define SL(m)	offsetof(struct anc_step, lines.m)

static const struct field policy_fields[] = {
	{ "algorithms",	     OPT, &t_policy_algs, S(policy_algs),	    0, NULL },
	{ "max-validity",    OPT, &t_validity,	  S(policy_max_validity),   0, "87600h" },
	{ "max-path-length", OPT, &t_pathlen,	  S(policy_max_path_length), 0, "0" },
};

static int
nd_policy(struct parser *p, void *obj, const struct field *f)
{
	return parse_map(p, policy_fields, N(policy_fields), obj);
}

static const struct type t_policy = { NULL, nd_policy, NULL };

/* A sign-csr step has a policy even when the script gives none. */
static int
sign_csr_init(struct parser *p, struct anc_step *s)
{
	s->policy_algs = POLICY_ALGS_ALL;
	return apply_defaults(p, policy_fields, N(policy_fields), s);
}

/*
 * bundle anchors and sign-crl revocations
 */

/* Append a name (and its line) to a list of names, refusing repeats. */
static int
name_item(struct parser *p, char ***names, int **lines, size_t *n,
    const char *what)
{
	static const struct field item = { "", REQ, &t_artifact, 0, 0, NULL };
	struct scalar v;
	char *name = NULL, **na;
	int *nl, r;
	size_t i;

	if ((r = sc_str(p, &name, &item, scalar_of(p, &v))) != ANC_OK)
		return r;
	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0) {
			r = bad(p, "duplicate %s \"%s\"", what, name);
			goto out;
		}
	if ((na = grow(*names, *n, sizeof(*na))) == NULL ||
	    (*names = na, (nl = grow(*lines, *n, sizeof(*nl))) == NULL)) {
		r = nomem(p);
		goto out;
	}
	*lines = nl;
	na[*n] = name;
	name = NULL;	/* transferred */
	nl[(*n)++] = cur_line(p);
	/* success */
	r = ANC_OK;
 out:
	free(name);
	return r;
}

static int
anchor_item(struct parser *p, void *obj)
{
	struct anc_step *s = obj;

	return name_item(p, &s->anchors, &s->anchor_lines, &s->n_anchors,
	    "anchor");
}

static int
nd_anchors(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_CER_LIST_MAX, "artifact names",
	    anchor_item, obj);
}

static int
retire_item(struct parser *p, void *obj)
{
	struct anc_step *s = obj;

	return name_item(p, &s->retires, &s->retire_lines, &s->n_retires,
	    "retired anchor");
}

static int
nd_retires(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_CER_LIST_MAX, "artifact names",
	    retire_item, obj);
}

/* Why a certificate may break: one line, as the transcript keeps it. */
static const char *
ck_exception_reason(const char *s, size_t len)
{
	if (!one_line(s, len, 256))
		return "expected 1 to 256 characters on one line, without "
		    "spaces at either end";
	return NULL;
}

static const struct type t_exception_reason = { sc_str, NULL,
    ck_exception_reason };

#define EX(m) offsetof(struct anc_exception, m)

static const struct field exception_fields[] = {
	{ "certificate", REQ, &t_sha256,	   EX(certificate), 0, NULL },
	{ "reason",	 REQ, &t_exception_reason, EX(reason),	    0, NULL },
	{ "approved-by", REQ, &t_person,	   EX(approved_by), 0, NULL },
};

static int
exception_item(struct parser *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_exception *x;
	size_t i;
	int r;

	if ((x = grow(s->exceptions, s->n_exceptions, sizeof(*x))) == NULL)
		return nomem(p);
	s->exceptions = x;
	x = &x[s->n_exceptions++];
	x->line = cur_line(p);
	if ((r = parse_map(p, exception_fields, N(exception_fields), x)) !=
	    ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_exceptions; i++)
		if (strcmp(s->exceptions[i].certificate, x->certificate) == 0) {
			fpush(p, "certificate");
			return perr(p, ANC_E_FIELD, x->line, "%s already has "
			    "exceptions[%zu]", x->certificate, i + 1);
		}
	return ANC_OK;
}

static int
nd_exceptions(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_CER_LIST_MAX, "exceptions",
	    exception_item, obj);
}

#define RV(m) offsetof(struct anc_revocation, m)

static const struct field revoke_fields[] = {
	{ "certificate", REQ, &t_artifact, RV(certificate), 0, NULL },
	{ "reason",	 OPT, &t_reason,   RV(reason),	    0, "unspecified" },
};

static int
revoke_item(struct parser *p, void *obj)
{
	struct anc_step *s = obj;
	struct anc_revocation *rv;
	size_t i;
	int r;

	if ((rv = grow(s->revoke, s->n_revoke, sizeof(*rv))) == NULL)
		return nomem(p);
	s->revoke = rv;
	rv = &rv[s->n_revoke++];
	rv->line = cur_line(p);
	if ((r = apply_defaults(p, revoke_fields, N(revoke_fields), rv)) !=
	    ANC_OK || (r = parse_map(p, revoke_fields, N(revoke_fields), rv)) !=
	    ANC_OK)
		return r;
	for (i = 0; i + 1 < s->n_revoke; i++)
		if (strcmp(s->revoke[i].certificate, rv->certificate) == 0) {
			fpush(p, "certificate");
			return perr(p, ANC_E_FIELD, rv->line, "\"%s\" is "
			    "already revoked by revoke[%zu]", rv->certificate,
			    i + 1);
		}
	return ANC_OK;
}

static int
nd_revoke(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 0, ANC_CER_LIST_MAX, "revocations", revoke_item,
	    obj);
}

static const struct type t_anchors = { NULL, nd_anchors, NULL };
static const struct type t_retires = { NULL, nd_retires, NULL };
static const struct type t_exceptions = { NULL, nd_exceptions, NULL };
static const struct type t_revoke = { NULL, nd_revoke, NULL };

/*
 * Crypto officers holding shares of the PIN: split-pin and quorum
 */

static int
sc_threshold(struct parser *p, void *obj, const struct field *f,
    const struct scalar *v)
{
	uint64_t n;

	if (uint_value(v, &n) != 0 || n < 2 || n > ANC_CER_OFFICERS_MAX)
		return bad(p, "expected an integer from 2 to %d",
		    ANC_CER_OFFICERS_MAX);
	*(int *)at(obj, f->off) = (int)n;
	return ANC_OK;
}

static const char *
ck_commitment(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			break;
	if (len != 16 || i < len)
		return "expected 16 hexadecimal digits, the commitment the "
		    "split-pin step printed";
	return NULL;
}

static int
officer_item(struct parser *p, void *obj)
{
	static const struct field item = { "", REQ, &t_person, 0, 0, NULL };
	struct anc_officers *o = obj;
	struct scalar v;
	char *name = NULL, **na;
	int *nl, r;
	size_t i;

	if ((r = sc_str(p, &name, &item, scalar_of(p, &v))) != ANC_OK)
		return r;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->names[i], name) == 0) {
			r = bad(p, "\"%s\" is already officers[%zu]", name,
			    i + 1);
			goto out;
		}
	if ((na = grow(o->names, o->n, sizeof(*na))) == NULL ||
	    (o->names = na, (nl = grow(o->lines, o->n, sizeof(*nl))) ==
	    NULL)) {
		r = nomem(p);
		goto out;
	}
	o->lines = nl;
	na[o->n] = name;
	name = NULL;	/* transferred */
	nl[o->n++] = cur_line(p);
	/* success */
	r = ANC_OK;
 out:
	free(name);
	return r;
}

static int
nd_officers(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 2, ANC_CER_OFFICERS_MAX, "participant names",
	    officer_item, at(obj, f->off));
}

static const struct type t_threshold = { sc_threshold, NULL, NULL };
static const struct type t_commitment = { sc_hex, NULL, ck_commitment };
static const struct type t_officers = { NULL, nd_officers, NULL };

#define OF(m) offsetof(struct anc_officers, m)

static const struct field quorum_fields[] = {
	{ "threshold",	 REQ, &t_threshold,  OF(threshold),  OF(threshold_line), NULL },
	{ "officers",	 REQ, &t_officers,   0,		     0,		NULL },
	{ "commitment",	 OPT, &t_commitment, OF(commitment), 0,		NULL },
};

static int
nd_quorum(struct parser *p, void *obj, const struct field *f)
{
	return parse_map(p, quorum_fields, N(quorum_fields), at(obj, f->off));
}

static const struct type t_quorum = { NULL, nd_quorum, NULL };

/*
 * Name constraints and EKU limits of issuing CAs
 */

static const char *
ck_nc_dns(const char *s, size_t len)
{
	return anc_nc_check_dns(s, len);
}

static const struct type t_nc_dns = { sc_str, NULL, ck_nc_dns };

/* A DNS name or e-mail domain appended to v[0..*n), refusing repeats. */
static int
nc_name_item(struct parser *p, char ***v, size_t *n)
{
	static const struct field item = { "", REQ, &t_nc_dns, 0, 0, NULL };
	struct scalar sv;
	char *name = NULL, **nv;
	size_t i;
	int r;

	if ((r = sc_str(p, &name, &item, scalar_of(p, &sv))) != ANC_OK)
		return r;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0) {
			r = bad(p, "\"%s\" is already item %zu of this list",
			    name, i + 1);
			goto out;
		}
	if ((nv = grow(*v, *n, sizeof(*nv))) == NULL) {
		r = nomem(p);
		goto out;
	}
	*v = nv;
	nv[(*n)++] = name;
	name = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	free(name);
	return r;
}

static int
nc_dns_item(struct parser *p, void *obj)
{
	struct anc_subtrees *t = obj;

	return nc_name_item(p, &t->dns, &t->n_dns);
}

static int
nc_email_item(struct parser *p, void *obj)
{
	struct anc_subtrees *t = obj;

	return nc_name_item(p, &t->email, &t->n_email);
}

static int
nc_ip_item(struct parser *p, void *obj)
{
	struct anc_subtrees *t = obj;
	struct anc_ip_range r, *nv;
	struct scalar v;
	const char *why;
	size_t i;

	if (scalar_of(p, &v) == NULL)
		return bad(p, "expected an IP range such as 10.1.0.0/16");
	if ((why = anc_nc_parse_ip(v.s, v.len, &r)) != NULL)
		return bad(p, "%s", why);
	for (i = 0; i < t->n_ip; i++)
		if (memcmp(&t->ip[i], &r, sizeof(r)) == 0)
			return bad(p, "the range is already item %zu of this "
			    "list", i + 1);
	if ((nv = grow(t->ip, t->n_ip, sizeof(*nv))) == NULL)
		return nomem(p);
	t->ip = nv;
	nv[t->n_ip++] = r;
	return ANC_OK;
}

static int
nd_nc_dns(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_NC_MAX, "DNS names", nc_dns_item, obj);
}

static int
nd_nc_ip(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_NC_MAX, "IP ranges", nc_ip_item, obj);
}

static int
nd_nc_email(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_NC_MAX, "e-mail domains", nc_email_item,
	    obj);
}

static const struct type t_nc_dns_list = { NULL, nd_nc_dns, NULL };
static const struct type t_nc_ip_list = { NULL, nd_nc_ip, NULL };
static const struct type t_nc_email_list = { NULL, nd_nc_email, NULL };

static const struct field subtree_fields[] = {
	{ "dns",   OPT, &t_nc_dns_list,	  0, 0, NULL },
	{ "ip",	   OPT, &t_nc_ip_list,	  0, 0, NULL },
	{ "email", OPT, &t_nc_email_list, 0, 0, NULL },
};

static int
nd_subtrees(struct parser *p, void *obj, const struct field *f)
{
	struct anc_subtrees *t = at(obj, f->off);
	int line = cur_line(p), r;

	if ((r = parse_map(p, subtree_fields, N(subtree_fields), t)) != ANC_OK)
		return r;
	if (t->n_dns == 0 && t->n_ip == 0 && t->n_email == 0)
		return perr(p, ANC_E_FIELD, line, "expected at least one of "
		    "dns, ip, email");
	return ANC_OK;
}

static const struct type t_subtrees = { NULL, nd_subtrees, NULL };

#define NCF(m) offsetof(struct anc_constraints, m)

static const struct field nc_fields[] = {
	{ "permitted", OPT, &t_subtrees, NCF(permitted), 0, NULL },
	{ "excluded",  OPT, &t_subtrees, NCF(excluded),  0, NULL },
};

static int
nd_name_constraints(struct parser *p, void *obj, const struct field *f)
{
	struct anc_constraints *nc = at(obj, f->off);
	char what[256];
	int r;

	nc->line = cur_line(p);
	if ((r = parse_map(p, nc_fields, N(nc_fields), nc)) != ANC_OK)
		return r;
	if (anc_nc_empty(nc))
		return perr(p, ANC_E_FIELD, nc->line, "expected permitted or "
		    "excluded subtrees");
	if (anc_nc_self_excluded(nc, what, sizeof(what)))
		return perr(p, ANC_E_FIELD, nc->line, "%s; expected permitted "
		    "names that can be used", what);
	return ANC_OK;
}

static const struct type t_name_constraints = { NULL, nd_name_constraints,
    NULL };

static int
eku_item(struct parser *p, void *obj)
{
	const char *names[ANC_EKU__COUNT];
	unsigned *mask = obj;
	struct scalar v;
	size_t i;
	int r;

	for (i = 0; i < ANC_EKU__COUNT; i++)
		names[i] = anc_eku_name((enum anc_eku)i);
	if ((r = one_of(p, scalar_of(p, &v), names, N(names), &i)) != ANC_OK)
		return r;
	if ((*mask & (1u << i)) != 0)
		return bad(p, "duplicate purpose \"%s\"", names[i]);
	*mask |= 1u << i;
	return ANC_OK;
}

static int
nd_eku(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_EKU__COUNT, "purposes", eku_item,
	    at(obj, f->off));
}

static const struct type t_eku = { NULL, nd_eku, NULL };

/*
 * Steps: one table per kind
 */

static const struct field generate_key_fields[] = {
	{ "label",	 REQ, &t_label,	   S(label),	   SL(label),	    NULL },
	{ "algorithm",	 OPT, &t_token_alg, S(algorithm), 0,	  "ecdsa-p256" },
};

static const struct field self_sign_fields[] = {
	{ "key",	 REQ, &t_label,	   S(key),	   SL(key),	    NULL },
	{ "subject",	 REQ, &t_subject,  S(subject),	   0,		    NULL },
	{ "validity",	 OPT, &t_validity, S(validity),	   SL(validity),    "87600h" },
	{ "path-length", OPT, &t_pathlen,  S(path_length), SL(path_length), "1" },
	{ "output",	 REQ, &t_artifact, S(output),	   SL(output),	    NULL },
};

static const struct field issue_intermediate_fields[] = {
	{ "issuer",	 REQ, &t_artifact, S(issuer),	   SL(issuer),	    NULL },
	{ "subject",	 REQ, &t_subject,  S(subject),	   0,		    NULL },
	{ "validity",	 OPT, &t_validity, S(validity),	   SL(validity),    "43800h" },
	{ "path-length", OPT, &t_pathlen,  S(path_length), SL(path_length), "0" },
	{ "algorithm",	 OPT, &t_soft_alg, S(algorithm),   0,		    "ecdsa-p256" },
	{ "name-constraints", OPT, &t_name_constraints, S(nc), 0,	    NULL },
	{ "extended-key-usage", OPT, &t_eku, S(eku),	   0,		    NULL },
	{ "output",	 REQ, &t_artifact, S(output),	   SL(output),	    NULL },
};

static const struct field sign_csr_fields[] = {
	{ "issuer",	 REQ, &t_artifact, S(issuer),	   SL(issuer),	    NULL },
	{ "csr",	 REQ, &t_artifact, S(csr),	   SL(csr),	    NULL },
	{ "subject",	 OPT, &t_subject,  S(subject),	   0,		    NULL },
	{ "validity",	 OPT, &t_validity, S(validity),	   SL(validity),    "43800h" },
	{ "path-length", OPT, &t_pathlen,  S(path_length), SL(path_length), "0" },
	{ "policy",	 OPT, &t_policy,   0,		   0,		    NULL },
	{ "name-constraints", OPT, &t_name_constraints, S(nc), 0,	    NULL },
	{ "extended-key-usage", OPT, &t_eku, S(eku),	   0,		    NULL },
	{ "output",	 REQ, &t_artifact, S(output),	   SL(output),	    NULL },
};

static const struct field cross_sign_fields[] = {
	{ "issuer",	 REQ, &t_artifact, S(issuer),	   SL(issuer),	    NULL },
	{ "certificate", REQ, &t_artifact, S(certificate), SL(certificate), NULL },
	{ "validity",	 OPT, &t_validity, S(validity),	   SL(validity),    "43800h" },
	{ "path-length", OPT, &t_pathlen,  S(path_length), SL(path_length), "1" },
	{ "output",	 REQ, &t_artifact, S(output),	   SL(output),	    NULL },
};

static const struct field bundle_fields[] = {
	{ "anchors",	 REQ, &t_anchors,    0,		   0,		    NULL },
	{ "retires",	 OPT, &t_retires,    0,		   0,		    NULL },
	{ "inventory",	 OPT, &t_artifact,   S(inventory), SL(inventory),   NULL },
	{ "exceptions",	 OPT, &t_exceptions, 0,		   0,		    NULL },
	{ "output",	 REQ, &t_artifact,   S(output),	   SL(output),	    NULL },
};

static const struct field sign_crl_fields[] = {
	{ "issuer",	 REQ, &t_artifact,     S(issuer),     SL(issuer),   NULL },
	{ "revoke",	 OPT, &t_revoke,       0,	      0,	    NULL },
	{ "crl-number",	 REQ, &t_crl_number,   S(crl_number), 0,	    NULL },
	{ "previous",	 OPT, &t_artifact,     S(previous),   0,	    NULL },
	{ "validity",	 OPT, &t_crl_validity, S(validity),   SL(validity), "720h" },
	{ "output",	 REQ, &t_artifact,     S(output),     SL(output),   NULL },
};

static const struct field export_secret_fields[] = {
	{ "name",	 OPT, &t_k8s_name,  S(k8s_name),      0, "m8-trust-anchor" },
	{ "namespace",	 OPT, &t_namespace, S(k8s_namespace), 0, "monoskope" },
	{ "issuing-ca",	 REQ, &t_artifact,  S(issuing_ca),    SL(issuing_ca), NULL },
};

static const struct field export_bundle_fields[] = {
	{ "name",	 OPT, &t_k8s_name,  S(k8s_name),      0, "m8-trust-bundle" },
	{ "namespace",	 OPT, &t_namespace, S(k8s_namespace), 0, "monoskope" },
	{ "target-namespace", OPT, &t_namespace, S(target_namespace), 0, "monoskope" },
	{ "bundle",	 REQ, &t_artifact,  S(bundle),	      SL(bundle), NULL },
};

static const struct field export_issuer_fields[] = {
	{ "name",	 OPT, &t_k8s_name,    S(k8s_name),	 0, "m8-root-ca-issuer" },
	{ "namespace",	 OPT, &t_namespace,   S(k8s_namespace),	 0, "monoskope" },
	{ "kind",	 OPT, &t_issuer_kind, S(cluster_issuer), 0, "Issuer" },
	{ "secret",	 OPT, &t_k8s_name,    S(secret),	 0, "m8-trust-anchor" },
};

static const struct field export_vault_fields[] = {
	{ "certificate", REQ, &t_artifact, S(certificate), SL(certificate), NULL },
	{ "output",	 OPT, &t_artifact, S(output),	   SL(output),	    "vault-chain" },
};

static const struct field split_pin_fields[] = {
	{ "threshold",	 REQ, &t_threshold, S(officers.threshold), S(officers.threshold_line), NULL },
	{ "officers",	 REQ, &t_officers,  S(officers),	   0,		 NULL },
};

struct kind {
	enum anc_step_kind kind;
	const struct field *fields;
	size_t n;
	int (*init)(struct parser *, struct anc_step *);
};

#define KIND(k, f, init) { k, f, N(f), init }

static const struct kind kinds[] = {
	KIND(ANC_STEP_GENERATE_KEY, generate_key_fields, NULL),
	KIND(ANC_STEP_SELF_SIGN, self_sign_fields, NULL),
	KIND(ANC_STEP_ISSUE_INTERMEDIATE, issue_intermediate_fields, NULL),
	KIND(ANC_STEP_SIGN_CSR, sign_csr_fields, sign_csr_init),
	KIND(ANC_STEP_CROSS_SIGN, cross_sign_fields, NULL),
	KIND(ANC_STEP_BUNDLE, bundle_fields, NULL),
	KIND(ANC_STEP_SIGN_CRL, sign_crl_fields, NULL),
	KIND(ANC_STEP_EXPORT_SECRET, export_secret_fields, NULL),
	KIND(ANC_STEP_EXPORT_BUNDLE, export_bundle_fields, NULL),
	KIND(ANC_STEP_EXPORT_ISSUER, export_issuer_fields, NULL),
	KIND(ANC_STEP_EXPORT_VAULT, export_vault_fields, NULL),
	KIND(ANC_STEP_SPLIT_PIN, split_pin_fields, NULL),
};

static int
step_item(struct parser *p, void *obj)
{
	struct anc_ceremony *c = obj;
	const char *names[N(kinds)];
	const struct kind *k;
	struct anc_step *s;
	size_t i, mark;
	int r;

	if ((s = grow(c->steps, c->n_steps, sizeof(*s))) == NULL)
		return nomem(p);
	c->steps = s;
	s = &s[c->n_steps++];
	s->index = (int)c->n_steps;
	for (i = 0; i < N(kinds); i++)
		names[i] = anc_step_kind_name(kinds[i].kind);
	if ((r = single_key(p, "step kind", names, N(names), &i)) != ANC_OK)
		return r;
	k = &kinds[i];
	s->kind = k->kind;
	s->line = cur_line(p);
	mark = fpush(p, names[i]);
	if ((r = next(p)) != ANC_OK ||
	    (r = apply_defaults(p, k->fields, k->n, s)) != ANC_OK ||
	    (k->init != NULL && (r = k->init(p, s)) != ANC_OK) ||
	    (r = parse_map(p, k->fields, k->n, s)) != ANC_OK)
		return r;
	fpop(p, mark);
	return single_key_end(p, "step kind");
}

static int
nd_steps(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 1, ANC_CER_STEPS_MAX, "steps", step_item, obj);
}

/*
 * Inputs
 */

#define IN(m) offsetof(struct anc_input, m)

static const struct field certificate_input_fields[] = {
	{ "name",   REQ, &t_artifact, IN(name),	  0, NULL },
	{ "file",   REQ, &t_file,     IN(file),	  0, NULL },
	{ "key",    OPT, &t_label,    IN(key),	  0, NULL },
	{ "sha256", OPT, &t_sha256,   IN(sha256), 0, NULL },
};

/* CSRs, inventory reports and trust bundles: like certificates, without
 * a token key. */
static const struct field file_input_fields[] = {
	{ "name",   REQ, &t_artifact, IN(name),	  0, NULL },
	{ "file",   REQ, &t_file,     IN(file),	  0, NULL },
	{ "sha256", OPT, &t_sha256,   IN(sha256), 0, NULL },
};

static const struct input_kind {
	const char *name;
	enum anc_input_kind kind;
	const struct field *fields;
	size_t n;
} input_kinds[] = {
	{ "certificate", ANC_INPUT_CERTIFICATE, certificate_input_fields,
	    N(certificate_input_fields) },
	{ "csr", ANC_INPUT_CSR, file_input_fields, N(file_input_fields) },
	{ "inventory", ANC_INPUT_INVENTORY, file_input_fields,
	    N(file_input_fields) },
	{ "bundle", ANC_INPUT_BUNDLE, file_input_fields, N(file_input_fields) },
	{ "crl", ANC_INPUT_CRL, file_input_fields, N(file_input_fields) },
};

/* Relative to the script's directory, so a script and its inputs move
 * together. */
static int
resolve_input(struct parser *p, struct anc_input *in)
{
	const char *dir = p->c->dir;
	size_t n;

	if (in->file[0] == '/' || strcmp(dir, ".") == 0) {
		if ((in->path = strdup(in->file)) == NULL)
			return nomem(p);
		return ANC_OK;
	}
	n = strlen(dir) + strlen(in->file) + 2;
	if ((in->path = malloc(n)) == NULL)
		return nomem(p);
	snprintf(in->path, n, "%s%s%s", dir,
	    dir[strlen(dir) - 1] == '/' ? "" : "/", in->file);
	return ANC_OK;
}

static int
input_item(struct parser *p, void *obj)
{
	struct anc_ceremony *c = obj;
	const char *names[N(input_kinds)];
	const struct input_kind *k;
	struct anc_input *in;
	size_t i, mark;
	int r;

	if ((in = grow(c->inputs, c->n_inputs, sizeof(*in))) == NULL)
		return nomem(p);
	c->inputs = in;
	in = &in[c->n_inputs++];
	for (i = 0; i < N(input_kinds); i++)
		names[i] = input_kinds[i].name;
	if ((r = single_key(p, "input kind", names, N(names), &i)) != ANC_OK)
		return r;
	k = &input_kinds[i];
	in->kind = k->kind;
	in->line = cur_line(p);
	mark = fpush(p, k->name);
	if ((r = next(p)) != ANC_OK ||
	    (r = parse_map(p, k->fields, k->n, in)) != ANC_OK)
		return r;
	fpop(p, mark);
	if ((r = resolve_input(p, in)) != ANC_OK)
		return r;
	return single_key_end(p, "input kind");
}

static int
nd_inputs(struct parser *p, void *obj, const struct field *f)
{
	return parse_list(p, 0, ANC_CER_LIST_MAX, "inputs", input_item, obj);
}

/*
 * Participants
 */

#define PT(m) offsetof(struct anc_participant, m)

static const struct field participant_fields[] = {
	{ "name", REQ, &t_person, PT(name), 0, NULL },
	{ "role", REQ, &t_role,	  PT(role), 0, NULL },
};

static int
participant_item(struct parser *p, void *obj)
{
	struct anc_ceremony *c = obj;
	struct anc_participant *pt;
	size_t i;
	int r;

	if ((pt = grow(c->participants, c->n_participants, sizeof(*pt))) ==
	    NULL)
		return nomem(p);
	c->participants = pt;
	pt = &pt[c->n_participants++];
	pt->line = cur_line(p);
	if ((r = parse_map(p, participant_fields, N(participant_fields),
	    pt)) != ANC_OK)
		return r;
	for (i = 0; i + 1 < c->n_participants; i++)
		if (strcmp(c->participants[i].name, pt->name) == 0) {
			fpush(p, "name");
			return perr(p, ANC_E_FIELD, pt->line, "\"%s\" is "
			    "already participants[%zu]", pt->name, i + 1);
		}
	return ANC_OK;
}

static int
has_role(const struct anc_ceremony *c, enum anc_role role)
{
	size_t i;

	for (i = 0; i < c->n_participants; i++)
		if (c->participants[i].role == role)
			return 1;
	return 0;
}

/* Nobody runs a ceremony alone: someone leads it, someone watches. */
static int
nd_participants(struct parser *p, void *obj, const struct field *f)
{
	static const enum anc_role needed[] = { ANC_ROLE_ADMINISTRATOR,
	    ANC_ROLE_WITNESS };
	struct anc_ceremony *c = obj;
	int start = cur_line(p), r;
	size_t i;

	if ((r = parse_list(p, 1, ANC_CER_LIST_MAX, "participants",
	    participant_item, c)) != ANC_OK)
		return r;
	for (i = 0; i < N(needed); i++)
		if (!has_role(c, needed[i]))
			return perr(p, ANC_E_FIELD, start, "expected at least "
			    "one participant with role %s",
			    anc_role_name(needed[i]));
	return ANC_OK;
}

/*
 * The script
 */

static const struct type t_participants = { NULL, nd_participants, NULL };
static const struct type t_inputs = { NULL, nd_inputs, NULL };
static const struct type t_steps = { NULL, nd_steps, NULL };

#define CER(m) offsetof(struct anc_ceremony, m)

static const struct field ceremony_fields[] = {
	{ "version",	  REQ, &t_version,	 CER(version),	 0, NULL },
	{ "name",	  REQ, &t_ceremony_name, CER(name),	 0, NULL },
	{ "description",  OPT, &t_description,	 CER(description), 0, NULL },
	{ "token",	  OPT, &t_token,	 CER(token),	 CER(token_line), NULL },
	{ "quorum",	  OPT, &t_quorum,	 CER(quorum),	 CER(quorum.line), NULL },
	{ "participants", REQ, &t_participants,	 0,		 0, NULL },
	{ "inputs",	  OPT, &t_inputs,	 0,		 0, NULL },
	{ "steps",	  REQ, &t_steps,	 0,		 0, NULL },
};

/* Pass 2: the one document (pass 1 made sure there is at most one) is a
 * mapping of ceremony fields. */
static int
parse_stream(struct parser *p)
{
	int r;

	if ((r = next(p)) != ANC_OK || (r = next(p)) != ANC_OK)
		return r;
	if (p->ev.type != YAML_DOCUMENT_START_EVENT)
		return bad(p, "expected a mapping, found an empty script");
	if ((r = next(p)) != ANC_OK)
		return r;
	return parse_map(p, ceremony_fields, N(ceremony_fields), p->c);
}

/* A fresh libyaml parser over the text, for each pass. */
static int
start_pass(struct parser *p)
{
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
	if (p->yp_ready) {
		yaml_parser_delete(&p->yp);
		p->yp_ready = 0;
	}
	if (!yaml_parser_initialize(&p->yp))
		return nomem(p);
	p->yp_ready = 1;
	yaml_parser_set_input_string(&p->yp, p->text, p->len);
	return ANC_OK;
}

/* Where the script is, and so where its relative inputs are. */
static int
set_paths(struct anc_ceremony *c, const char *path)
{
	const char *slash = strrchr(path, '/');

	if ((c->path = strdup(path)) == NULL)
		return -1;
	if (slash == NULL)
		c->dir = strdup(".");
	else if (slash == path)
		c->dir = strdup("/");
	else
		c->dir = strndup(path, (size_t)(slash - path));
	return c->dir == NULL ? -1 : 0;
}

int
anc_parse(const char *path, const unsigned char *text, size_t len,
    struct anc_ceremony **out, struct anc_err *err)
{
	struct parser p;
	int r = ANC_E_INTERNAL;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.text = text;
	p.len = len;
	p.err = err;
	if (len > ANC_CER_FILE_MAX)
		return anc_err_set(err, ANC_E_SYNTAX, "%s: larger than the "
		    "limit of %d bytes", path, ANC_CER_FILE_MAX);
	if ((r = start_pass(&p)) != ANC_OK || (r = check_stream(&p)) != ANC_OK)
		goto out;
	if ((p.c = calloc(1, sizeof(*p.c))) == NULL ||
	    set_paths(p.c, path) != 0) {
		r = nomem(&p);
		goto out;
	}
	anc_sha256_hex(text, len, p.c->sha256);
	if ((r = start_pass(&p)) != ANC_OK || (r = parse_stream(&p)) != ANC_OK)
		goto out;
	*out = p.c;
	p.c = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	if (p.yp_ready)
		yaml_parser_delete(&p.yp);
	anc_ceremony_model_free(p.c);
	return r;
}

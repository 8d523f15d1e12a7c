/*
 * anchorage: the schema of ceremony scripts as tables, internal to
 * ceremony/.
 *
 * A mapping of the script is a table of fields, written as the tables of
 * docs/ceremony-format.md are:
 *
 *	field		type		default		where it goes
 *	{ "validity",	&anc_t_validity, "87600h",	S(validity), SL(validity) },
 *
 * The default column says REQUIRED, NONE (optional, absent stays zero) or
 * the default as a script would write it; a default goes through the same
 * conversion as a written value, so it is always something a script could
 * have said.  A type holds the limits and the message for a value that is
 * outside them (schema_types.c), so the same kind of value is refused with
 * the same words wherever it appears.  The generic reader (schema_read.c)
 * walks a mapping against its table: unknown, duplicate and missing keys,
 * the dotted field path in messages, the line each field was written on.
 *
 * Adding a field is one line in its table (and its member in the model).
 */
#ifndef ANCHORAGE_SCHEMA_H
#define ANCHORAGE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "anchorage/err.h"
#include "ceremony_int.h"

#define ANC_N(a)	(sizeof(a) / sizeof((a)[0]))

/* The state of one read of a script; its fields are the reader's. */
struct anc_reader {
	yaml_parser_t yp;
	int yp_ready;
	yaml_event_t ev;	/* the current event */
	int have_ev;		/* ev must be deleted */
	int depth;		/* mappings and lists open (YAML pass) */
	const char *path;	/* the script, for messages */
	const unsigned char *text;
	size_t len;
	char field[256];	/* dotted path of the current node */
	struct anc_ceremony *c;
	struct anc_err *err;
};

/* A scalar's text.  Conversions get NULL when the node is a collection. */
struct anc_scalar {
	const char *s;
	size_t len;
	int plain;
};

struct anc_field;
struct anc_type;

/* Store a scalar (or NULL: a collection was written) at obj + f->off. */
typedef int (*anc_scalar_fn)(struct anc_reader *, void *obj,
    const struct anc_field *f, const struct anc_scalar *v);
/* Read the mapping or list that starts at the current event. */
typedef int (*anc_node_fn)(struct anc_reader *, void *obj,
    const struct anc_field *f);
/* Strings: NULL if s[0..len) keeps the type's rule, else the message. */
typedef const char *(*anc_rule_fn)(const char *s, size_t len,
    const struct anc_type *t);
/* One item of a list, the current event; obj is the list's owner. */
typedef int (*anc_item_fn)(struct anc_reader *, void *obj);

struct anc_type {
	anc_scalar_fn scalar;	/* a scalar value, or ... */
	anc_node_fn node;	/* ... a mapping or list */
	/* Limits: characters, digits, values or seconds; and the message
	 * for a value outside them (durations: an example value). */
	anc_rule_fn rule;
	uint64_t min, max;
	const char *expected;
	/* One of a fixed set: values[] and how each is spelled. */
	const int *values;
	size_t n_values;
	const char *(*name)(int value);
	/* A nested mapping, or the items of a list. */
	const struct anc_field *fields;
	size_t n_fields;
	anc_item_fn item;
	const char *what;	/* what a list holds, for messages */
};

struct anc_field {
	const char *key;
	const struct anc_type *type;
	const char *dflt;	/* REQUIRED, NONE or the default */
	size_t off;		/* where the value goes in the object */
	size_t line_off;	/* where its line goes; 0: not recorded */
};

extern const char anc_schema_required[];
#define REQUIRED	anc_schema_required
#define NONE		NULL

/* Where values go, for the tables. */
#define S(m)	offsetof(struct anc_step, m)
#define SL(m)	offsetof(struct anc_step, lines.m)

/* Constructors of types, one line each in the type tables. */
#define ANC_STRING(rule_, min_, max_, msg) \
	{ .scalar = anc_sc_string, .rule = (rule_), .min = (min_), \
	  .max = (max_), .expected = (msg) }
#define ANC_HEX(digits, msg) \
	{ .scalar = anc_sc_hex, .rule = anc_rule_hex, .min = (digits), \
	  .max = (digits), .expected = (msg) }
#define ANC_INT(min_, max_) \
	{ .scalar = anc_sc_int, .min = (min_), .max = (max_) }
#define ANC_UINT64(min_, max_) \
	{ .scalar = anc_sc_uint64, .min = (min_), .max = (max_) }
#define ANC_DURATION(min_, max_, example) \
	{ .scalar = anc_sc_duration, .min = (min_), .max = (max_), \
	  .expected = (example) }
#define ANC_ONE_OF(name_, values_) \
	{ .scalar = anc_sc_one_of, .name = (name_), .values = (values_), \
	  .n_values = ANC_N(values_) }
#define ANC_MAPPING(fields_) \
	{ .node = anc_nd_mapping, .fields = (fields_), \
	  .n_fields = ANC_N(fields_) }
#define ANC_LIST(min_, max_, what_, item_) \
	{ .node = anc_nd_list, .min = (min_), .max = (max_), \
	  .what = (what_), .item = (item_) }

/*
 * The generic reader (schema_yaml.c, schema_read.c; its messages are
 * schema_msg.c)
 */

/* Refuse in pass 1 what plain data does not need, and what exceeds the
 * limits: every event of the file. */
ANC_MUST_CHECK
int anc_read_yaml(struct anc_reader *r);
/* A fresh libyaml parser over the text, for each pass. */
ANC_MUST_CHECK
int anc_read_start(struct anc_reader *r);
void anc_read_end(struct anc_reader *r);
/* Make the next event current. */
ANC_MUST_CHECK
int anc_read_next(struct anc_reader *r);
/* The line of the current event, from 1. */
ANC_MUST_CHECK
int anc_read_line(const struct anc_reader *r);
/* The current event as a scalar, or NULL if it is something else. */
const struct anc_scalar *anc_read_scalar(const struct anc_reader *r,
    struct anc_scalar *v);
ANC_MUST_CHECK
int anc_scalar_is(const struct anc_scalar *v, const char *s);

/* Messages "PATH:LINE: FIELD: ...": at a line, or at the current node. */
int anc_read_err(struct anc_reader *r, int code, int line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
int anc_read_bad(struct anc_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int anc_read_nomem(struct anc_reader *r);

/* The dotted path of the current node: push a key or a list position
 * (counted from 1), pop back to the mark push returned. */
size_t anc_read_push(struct anc_reader *r, const char *key);
size_t anc_read_push_index(struct anc_reader *r, size_t i);
void anc_read_pop(struct anc_reader *r, size_t mark);

/* The current event opens a mapping of fields[] (at most 32), read into
 * obj; unknown, duplicate and missing keys are refused. */
ANC_MUST_CHECK
int anc_read_map(struct anc_reader *r, const struct anc_field *fields,
    size_t n, void *obj);
/* Every default of fields[] into obj, before its mapping is read. */
ANC_MUST_CHECK
int anc_read_defaults(struct anc_reader *r, const struct anc_field *fields,
    size_t n, void *obj);
/* The current event opens a list of min..max items, each read by fn. */
ANC_MUST_CHECK
int anc_read_list(struct anc_reader *r, size_t min, size_t max,
    const char *what, anc_item_fn fn, void *obj);
/*
 * `- kind: {...}`: a mapping of exactly one key, one of names[] (`what`
 * in messages).  Leaves the key current and its index in *idx; after the
 * value, anc_read_one_key_end() refuses any other key.
 */
ANC_MUST_CHECK
int anc_read_one_key(struct anc_reader *r, const char *what,
    const char *const *names, size_t n, size_t *idx);
ANC_MUST_CHECK
int anc_read_one_key_end(struct anc_reader *r, const char *what);

/* Room for one more zeroed element at the end of *arr, which holds *n of
 * `size` bytes; the new element, or NULL after a nomem message. */
void *anc_read_add(struct anc_reader *r, void *arr, size_t *n, size_t size);
/*
 * An item of a list of distinct strings of type t, each with its line:
 * names[], lines[] (if not NULL) and *n grow by one.  A repeat is not added: *dup is
 * then the position (from 1) of the earlier one, for the caller's message.
 */
ANC_MUST_CHECK
int anc_read_name_item(struct anc_reader *r, const struct anc_type *t,
    char ***names, int **lines, size_t *n, size_t *dup);
/* Generic values at obj + f->off: a mapping of the type's fields; a list
 * whose items the type's item function adds there. */
ANC_MUST_CHECK
int anc_nd_mapping(struct anc_reader *, void *, const struct anc_field *);
ANC_MUST_CHECK
int anc_nd_list(struct anc_reader *, void *, const struct anc_field *);

/* Script text quoted in a message, cut to a readable length. */
const char *anc_read_shown(const char *s, size_t len, char *buf, size_t cap);
/* "a, b, c" into buf. */
void anc_read_join(char *buf, size_t cap, const char *const *names,
    size_t n);

static inline void *
anc_at(void *obj, size_t off)
{
	return (char *)obj + off;
}

/*
 * Value types (schema_types.c)
 */

ANC_MUST_CHECK
int anc_sc_string(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
ANC_MUST_CHECK
int anc_sc_hex(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
ANC_MUST_CHECK
int anc_sc_int(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
ANC_MUST_CHECK
int anc_sc_uint64(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
ANC_MUST_CHECK
int anc_sc_duration(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
ANC_MUST_CHECK
int anc_sc_one_of(struct anc_reader *, void *, const struct anc_field *,
    const struct anc_scalar *);
const char *anc_rule_hex(const char *s, size_t len,
    const struct anc_type *t);
/* One line, no space at either end, min..max characters. */
const char *anc_rule_line(const char *s, size_t len,
    const struct anc_type *t);

extern const struct anc_type anc_t_version, anc_t_ceremony_name,
    anc_t_description, anc_t_token, anc_t_person, anc_t_role,
    anc_t_artifact, anc_t_label, anc_t_file, anc_t_sha256, anc_t_k8s_name,
    anc_t_namespace, anc_t_country, anc_t_dn_value, anc_t_pathlen,
    anc_t_validity, anc_t_crl_validity, anc_t_crl_number, anc_t_token_alg,
    anc_t_soft_alg, anc_t_reason, anc_t_issuer_kind, anc_t_threshold,
    anc_t_commitment;

/* Crypto officers holding shares of the PIN: split-pin and quorum
 * (schema_params.c). */
extern const struct anc_type anc_t_officers;

#endif /* ANCHORAGE_SCHEMA_H */

/*
 * anchorage: the generic reader of ceremony scripts, internal to
 * ceremony/.
 *
 * The second pass over a script's YAML events (the first is in
 * schema_yaml.c): the events against the tables of schema.h, a mapping
 * against its fields, a list item by item, keeping the dotted field that
 * the messages (schema_msg.c) name with the file and line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "anchorage/err.h"
#include "schema.h"

/* The default column's mark for a field without a default. */
const char anc_schema_required[] = "(required)";

/* The current event as a scalar, or NULL if it is something else. */
const struct anc_scalar *
anc_read_scalar(const struct anc_reader *p, struct anc_scalar *v)
{
	if (p->ev.type != YAML_SCALAR_EVENT)
		return NULL;
	v->s = (const char *)p->ev.data.scalar.value;
	v->len = p->ev.data.scalar.length;
	v->plain = p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return v;
}

int
anc_scalar_is(const struct anc_scalar *v, const char *s)
{
	return v != NULL && strlen(s) == v->len && memcmp(s, v->s, v->len) == 0;
}

/* Index of v in names[], or -1. */
static int
lookup(const struct anc_scalar *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (anc_scalar_is(v, names[i]))
			return (int)i;
	return -1;
}

/*
 * The dotted path of the current node, for messages
 */

size_t
anc_read_push(struct anc_reader *p, const char *key)
{
	size_t mark = strlen(p->field);

	snprintf(p->field + mark, sizeof(p->field) - mark, "%s%s",
	    mark > 0 ? "." : "", key);
	return mark;
}

/* Lists are numbered from 1, as the plan numbers steps. */
size_t
anc_read_push_index(struct anc_reader *p, size_t i)
{
	size_t mark = strlen(p->field);

	snprintf(p->field + mark, sizeof(p->field) - mark, "[%zu]", i + 1);
	return mark;
}

void
anc_read_pop(struct anc_reader *p, size_t mark)
{
	p->field[mark] = '\0';
}

/*
 * Mappings and lists
 */

static int
find_field(struct anc_reader *p, const struct anc_field *fields, size_t n,
    size_t *idx)
{
	const char *keys[32];
	char list[512], buf[80];
	struct anc_scalar v;
	size_t i;

	if (anc_read_scalar(p, &v) == NULL)
		return anc_read_bad(p, "expected a field name, not a mapping "
		    "or list");
	for (i = 0; i < n && i < ANC_N(keys); i++) {
		if (anc_scalar_is(&v, fields[i].key)) {
			*idx = i;
			return ANC_OK;
		}
		keys[i] = fields[i].key;
	}
	anc_read_join(list, sizeof(list), keys, i);
	return anc_read_bad(p, "unknown field \"%s\"; expected one of: %s",
	    anc_read_shown(v.s, v.len, buf, sizeof(buf)), list);
}

static int
parse_value(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	struct anc_scalar v;

	if (f->type->node != NULL)
		return f->type->node(p, obj, f);
	return f->type->scalar(p, obj, f, anc_read_scalar(p, &v));
}

/* The current event opens a mapping of `fields` (at most 32), read into obj. */
int
anc_read_map(struct anc_reader *p, const struct anc_field *fields, size_t n,
    void *obj)
{
	uint32_t seen = 0;
	size_t i, mark;
	int start = anc_read_line(p), r;

	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return anc_read_bad(p, "expected a mapping");
	for (;;) {
		if ((r = anc_read_next(p)) != ANC_OK)
			return r;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((r = find_field(p, fields, n, &i)) != ANC_OK)
			return r;
		if ((seen & (UINT32_C(1) << i)) != 0)
			return anc_read_bad(p, "duplicate key \"%s\"",
			    fields[i].key);
		seen |= UINT32_C(1) << i;
		mark = anc_read_push(p, fields[i].key);
		if ((r = anc_read_next(p)) != ANC_OK)
			return r;
		if (fields[i].line_off != 0)
			*(int *)anc_at(obj, fields[i].line_off) =
			    anc_read_line(p);
		if ((r = parse_value(p, obj, &fields[i])) != ANC_OK)
			return r;
		anc_read_pop(p, mark);
	}
	for (i = 0; i < n; i++)
		if (fields[i].dflt == REQUIRED &&
		    (seen & (UINT32_C(1) << i)) == 0)
			return anc_read_err(p, ANC_E_FIELD, start,
			    "missing required field \"%s\"", fields[i].key);
	return ANC_OK;
}

/* Defaults go through the conversions a script's values go through. */
int
anc_read_defaults(struct anc_reader *p, const struct anc_field *fields,
    size_t n, void *obj)
{
	struct anc_scalar v;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (fields[i].dflt == NONE || fields[i].dflt == REQUIRED)
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
list_expected(struct anc_reader *p, int line, size_t min, size_t max,
    const char *what)
{
	if (min == 0)
		return anc_read_err(p, ANC_E_FIELD, line,
		    "expected a list of at most %zu %s", max, what);
	return anc_read_err(p, ANC_E_FIELD, line,
	    "expected a list of %zu to %zu %s", min, max, what);
}

/* The current event opens a list of min..max items, each read by fn. */
int
anc_read_list(struct anc_reader *p, size_t min, size_t max, const char *what,
    anc_item_fn fn, void *obj)
{
	size_t n = 0, mark;
	int start = anc_read_line(p), r;

	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return list_expected(p, start, min, max, what);
	for (;; n++) {
		mark = anc_read_push_index(p, n);
		if ((r = anc_read_next(p)) != ANC_OK)
			return r;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (n == max) {
			anc_read_pop(p, mark);
			return list_expected(p, anc_read_line(p), min, max,
			    what);
		}
		if ((r = fn(p, obj)) != ANC_OK)
			return r;
		anc_read_pop(p, mark);
	}
	anc_read_pop(p, mark);
	if (n < min)
		return list_expected(p, start, min, max, what);
	return ANC_OK;
}

/*
 * `- kind: {...}`: a mapping of exactly one key, one of names[].  Leaves
 * the key current and its index in *idx.
 */
int
anc_read_one_key(struct anc_reader *p, const char *what,
    const char *const *names, size_t n, size_t *idx)
{
	char list[512], buf[80];
	struct anc_scalar v;
	int r, i;

	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return anc_read_bad(p, "expected a mapping with one key, the "
		    "%s", what);
	if ((r = anc_read_next(p)) != ANC_OK)
		return r;
	if (anc_read_scalar(p, &v) == NULL)
		return anc_read_bad(p, "expected a mapping with one key, the "
		    "%s", what);
	if ((i = lookup(&v, names, n)) < 0) {
		anc_read_join(list, sizeof(list), names, n);
		return anc_read_bad(p, "unknown %s \"%s\"; expected one of: "
		    "%s", what, anc_read_shown(v.s, v.len, buf, sizeof(buf)),
		    list);
	}
	*idx = (size_t)i;
	return ANC_OK;
}

/* After the value of a anc_read_one_key() mapping: nothing else. */
int
anc_read_one_key_end(struct anc_reader *p, const char *what)
{
	char buf[80];
	struct anc_scalar v;
	int r;

	if ((r = anc_read_next(p)) != ANC_OK)
		return r;
	if (p->ev.type == YAML_MAPPING_END_EVENT)
		return ANC_OK;
	if (anc_read_scalar(p, &v) == NULL)
		return anc_read_bad(p, "expected only one key, the %s", what);
	return anc_read_bad(p, "expected only one key, the %s; found also "
	    "\"%s\"", what, anc_read_shown(v.s, v.len, buf, sizeof(buf)));
}


/* The value of f is a mapping of the type's fields, at obj + f->off. */
int
anc_nd_mapping(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	return anc_read_map(p, f->type->fields, f->type->n_fields,
	    anc_at(obj, f->off));
}

/* The value of f is a list of the type's items, each added to the object
 * at obj + f->off (0: obj itself holds the list). */
int
anc_nd_list(struct anc_reader *p, void *obj, const struct anc_field *f)
{
	const struct anc_type *t = f->type;

	return anc_read_list(p, (size_t)t->min, (size_t)t->max, t->what,
	    t->item, anc_at(obj, f->off));
}

void *
anc_read_add(struct anc_reader *p, void *arrp, size_t *n, size_t size)
{
	unsigned char *old, *na;

	/* arrp points to the caller's array pointer, of whatever type. */
	memcpy(&old, arrp, sizeof(old));
	if ((na = realloc(old, (*n + 1) * size)) == NULL) {
		anc_read_nomem(p);
		return NULL;
	}
	memcpy(arrp, &na, sizeof(na));
	memset(na + *n * size, 0, size);
	return na + (*n)++ * size;
}

int
anc_read_name_item(struct anc_reader *p, const struct anc_type *t,
    char ***names, int **lines, size_t *n, size_t *dup)
{
	const struct anc_field item = { "", t, REQUIRED, 0, 0 };
	struct anc_scalar v;
	char *name = NULL, **np;
	size_t i, nl = *n;
	int *lp = NULL, r;

	*dup = 0;
	if ((r = t->scalar(p, &name, &item, anc_read_scalar(p, &v))) != ANC_OK)
		goto out;
	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0) {
			*dup = i + 1;
			goto out;
		}
	r = ANC_E_NOMEM;
	if ((lines != NULL && (lp = anc_read_add(p, lines, &nl,
	    sizeof(*lp))) == NULL) ||
	    (np = anc_read_add(p, names, n, sizeof(*np))) == NULL)
		goto out;
	*np = name;
	name = NULL;	/* transferred */
	if (lines != NULL)
		*lp = anc_read_line(p);
	/* success */
	r = ANC_OK;
 out:
	free(name);
	return r;
}

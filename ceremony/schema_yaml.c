/*
 * anchorage: ceremony scripts as YAML events, internal to ceremony/.
 *
 * libyaml's event API only, in two passes over the text.  The first
 * (anc_read_yaml) reads every event and refuses what plain data does not
 * need (anchors, aliases, tags, several documents) and what exceeds the
 * limits libyaml 0.2.5 lacks (nesting depth, scalar size), so any such
 * problem anywhere in the file is reported as a YAML problem, before any
 * schema error.  The second pass (schema_read.c) reads the same events
 * against the tables.
 */
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "anchorage/err.h"
#include "schema.h"

/* A YAML problem (pass 1) at the current event. */
#define refuse(p, ...) \
	anc_read_err((p), ANC_E_SYNTAX, anc_read_line(p), __VA_ARGS__)

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
check_text(struct anc_reader *p, const unsigned char *s, size_t len)
{
	size_t i, n;
	uint32_t cp = 0;

	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return refuse(p, "expected UTF-8 text");
		if (char_refused(cp))
			return refuse(p, "character U+%04X is not allowed (a "
			    "control or invisible formatting character)",
			    (unsigned)cp);
	}
	return ANC_OK;
}

/*
 * Events
 */

static int
yaml_error(struct anc_reader *p)
{
	size_t i, line = 1;

	if (p->yp.error == YAML_MEMORY_ERROR)
		return anc_read_nomem(p);
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
int
anc_read_next(struct anc_reader *p)
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
check_event(struct anc_reader *p, int *docs)
{
	const yaml_event_t *e = &p->ev;
	const yaml_char_t *anchor = NULL, *tag = NULL;

	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return refuse(p, "aliases are not allowed");
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return refuse(p, "multiple documents are not allowed");
		if (e->data.document_start.tag_directives.start !=
		    e->data.document_start.tag_directives.end)
			return refuse(p, "tag directives are not allowed");
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
		return refuse(p, "anchors are not allowed");
	if (tag != NULL)
		return refuse(p, "tags are not allowed");
	if (e->type != YAML_SCALAR_EVENT) {
		if (++p->depth > ANC_CER_DEPTH_MAX)
			return refuse(p,
			    "nesting deeper than %d levels is not allowed",
			    ANC_CER_DEPTH_MAX);
		return ANC_OK;
	}
	if (e->data.scalar.length > ANC_CER_SCALAR_MAX)
		return refuse(p, "a scalar of %zu bytes is longer than "
		    "the limit of %d", e->data.scalar.length, ANC_CER_SCALAR_MAX);
	return check_text(p, e->data.scalar.value, e->data.scalar.length);
}

/* Pass 1: every event of the file. */
int
anc_read_yaml(struct anc_reader *p)
{
	int docs = 0, r;

	do {
		if ((r = anc_read_next(p)) != ANC_OK ||
		    (r = check_event(p, &docs)) != ANC_OK)
			return r;
	} while (p->ev.type != YAML_STREAM_END_EVENT);
	return ANC_OK;
}

/* A fresh libyaml parser over the text, for each pass. */
int
anc_read_start(struct anc_reader *p)
{
	anc_read_end(p);
	if (!yaml_parser_initialize(&p->yp))
		return anc_read_nomem(p);
	p->yp_ready = 1;
	yaml_parser_set_input_string(&p->yp, p->text, p->len);
	return ANC_OK;
}

void
anc_read_end(struct anc_reader *p)
{
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = 0;
	}
	if (p->yp_ready) {
		yaml_parser_delete(&p->yp);
		p->yp_ready = 0;
	}
}

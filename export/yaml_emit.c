/* anchorage: libyaml's emitter writing one document into memory. */
#include <limits.h>
#include <string.h>

#include <yaml.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "yaml_emit.h"

/*
 * libyaml's write handler.  The buffer wipes what it leaves behind when it
 * grows and when it is freed: a manifest is public, but the same buffer
 * becomes the Secret's, and one policy for all leaves no stale copy of any
 * of them in freed memory.
 */
static int
write_handler(void *data, unsigned char *chunk, size_t size)
{
	struct anc_yaml *y = data;

	if (anc_buf_append(y->buf, chunk, size) != ANC_OK) {
		y->nomem = 1;
		return 0;
	}
	return 1;
}

/* Hand one initialized event (init_ok) to the emitter. */
static void
emit(struct anc_yaml *y, yaml_event_t *ev, int init_ok)
{
	if (!init_ok) {
		y->failed = y->nomem = 1;
		return;
	}
	/* libyaml owns the event from here, on failure too. */
	if (!yaml_emitter_emit(&y->em, ev))
		y->failed = 1;
}

int
anc_yaml_open(struct anc_yaml *y, struct anc_err *err)
{
	yaml_event_t ev;

	memset(y, 0, sizeof(*y));
	if ((y->buf = anc_buf_new(ANC_BUF_WIPE)) == NULL ||
	    !yaml_emitter_initialize(&y->em)) {
		y->failed = y->nomem = 1;
		return anc_err_set(err, ANC_E_NOMEM, "YAML emitter");
	}
	y->live = 1;
	yaml_emitter_set_output(&y->em, write_handler, y);
	yaml_emitter_set_encoding(&y->em, YAML_UTF8_ENCODING);
	/* Never fold a long value (a base64 certificate) across lines. */
	yaml_emitter_set_width(&y->em, -1);
	yaml_emitter_set_unicode(&y->em, 0);
	emit(y, &ev, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING));
	if (!y->failed)
		emit(y, &ev, yaml_document_start_event_initialize(&ev, NULL,
		    NULL, NULL, 0));
	if (y->failed)
		return anc_err_set(err, ANC_E_NOMEM, "YAML emitter");
	return ANC_OK;
}

void
anc_yaml_map(struct anc_yaml *y)
{
	yaml_event_t ev;

	if (!y->failed)
		emit(y, &ev, yaml_mapping_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

void
anc_yaml_map_end(struct anc_yaml *y)
{
	yaml_event_t ev;

	if (!y->failed)
		emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

void
anc_yaml_seq(struct anc_yaml *y)
{
	yaml_event_t ev;

	if (!y->failed)
		emit(y, &ev, yaml_sequence_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

void
anc_yaml_seq_end(struct anc_yaml *y)
{
	yaml_event_t ev;

	if (!y->failed)
		emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

/*
 * plain_implicit and quoted_implicit both set: no tag is ever written, and
 * libyaml may still fall back from plain to quoted if a key needs it.
 */
static void
scalar(struct anc_yaml *y, const char *v, size_t len,
    yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (y->failed)
		return;
	if (len > INT_MAX) {
		y->failed = 1;
		return;
	}
	emit(y, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)v, (int)len, 1, 1, style));
}

void
anc_yaml_key(struct anc_yaml *y, const char *key)
{
	scalar(y, key, strlen(key), YAML_PLAIN_SCALAR_STYLE);
}

void
anc_yaml_str(struct anc_yaml *y, const char *value)
{
	scalar(y, value, strlen(value), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

void
anc_yaml_literal(struct anc_yaml *y, const char *value, size_t len)
{
	scalar(y, value, len, YAML_LITERAL_SCALAR_STYLE);
}

void
anc_yaml_bool(struct anc_yaml *y, int value)
{
	const char *v = value ? "true" : "false";

	scalar(y, v, strlen(v), YAML_PLAIN_SCALAR_STYLE);
}

void
anc_yaml_kv(struct anc_yaml *y, const char *key, const char *value)
{
	anc_yaml_key(y, key);
	anc_yaml_str(y, value);
}

int
anc_yaml_close(struct anc_yaml *y, const char *what, char **out,
    size_t *len, struct anc_err *err)
{
	yaml_event_t ev;

	if (!y->failed)
		emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
	if (!y->failed)
		emit(y, &ev, yaml_stream_end_event_initialize(&ev));
	if (!y->failed && !yaml_emitter_flush(&y->em))
		y->failed = 1;
	if (y->nomem || (y->failed && y->em.error == YAML_MEMORY_ERROR))
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	if (y->failed || anc_buf_len(y->buf) == 0)
		return anc_err_set(err, ANC_E_INTERNAL, "%s: YAML emitter: %s",
		    what, y->em.problem != NULL ? y->em.problem :
		    "no output");
	if (anc_buf_take(y->buf, out, len) != ANC_OK)	/* *out transferred */
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	return ANC_OK;
}

void
anc_yaml_free(struct anc_yaml *y)
{
	if (y->live)
		yaml_emitter_delete(&y->em);
	y->live = 0;
	anc_buf_free(y->buf);
	y->buf = NULL;
}

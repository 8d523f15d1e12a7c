/*
 * anchorage: a thin layer over libyaml's emitter for the manifests of
 * export/, not part of its contract.
 *
 * One call per YAML node, in document order, as the manifest reads.  The
 * first failure (libyaml or memory) is remembered and every later call does
 * nothing, so writers emit a whole document and check once, in
 * anc_yaml_close().  Mapping keys are plain; string values are always
 * double-quoted, because YAML 1.1 readers turn an unquoted `y`, `on` or
 * `0755` into a boolean or a number.
 */
#ifndef ANCHORAGE_YAML_EMIT_H
#define ANCHORAGE_YAML_EMIT_H

#include <stddef.h>

#include <yaml.h>

#include "anchorage/err.h"

struct anc_err;

struct anc_buf;

struct anc_yaml {
	yaml_emitter_t em;
	struct anc_buf *buf;	/* the document so far (ANC_BUF_WIPE) */
	int failed;		/* 1 after the first failure */
	int nomem;		/* the failure was an allocation */
	int live;		/* the emitter was initialized */
};

/*
 * Start a stream and its one document (explicit `---`, so files can be
 * concatenated into one kubectl input).  Returns ANC_OK or ANC_E_NOMEM;
 * anc_yaml_free() is needed either way, and is safe from the moment this
 * is called.
 */
ANC_MUST_CHECK
int anc_yaml_open(struct anc_yaml *y, struct anc_err *err);

void anc_yaml_map(struct anc_yaml *y);
void anc_yaml_map_end(struct anc_yaml *y);
void anc_yaml_seq(struct anc_yaml *y);
void anc_yaml_seq_end(struct anc_yaml *y);

/* A mapping key, plain. */
void anc_yaml_key(struct anc_yaml *y, const char *key);
/* A string value, double-quoted. */
void anc_yaml_str(struct anc_yaml *y, const char *value);
/* A string value in literal block style (`|`), for PEM text. */
void anc_yaml_literal(struct anc_yaml *y, const char *value, size_t len);
/* A boolean, plain `true` or `false`. */
void anc_yaml_bool(struct anc_yaml *y, int value);
/* key: "value" */
void anc_yaml_kv(struct anc_yaml *y, const char *key, const char *value);

/*
 * End the document and the stream.  On success *out (NUL-terminated, the
 * NUL not counted in *len) is the caller's.  `what` names the manifest in
 * messages.  Returns ANC_OK, ANC_E_NOMEM, or ANC_E_INTERNAL with libyaml's
 * reason.  anc_yaml_free() is still needed.
 */
ANC_MUST_CHECK
int anc_yaml_close(struct anc_yaml *y, const char *what, char **out,
    size_t *len, struct anc_err *err);

/* Release the emitter, and the buffer if not transferred (wiped). */
void anc_yaml_free(struct anc_yaml *y);

#endif /* ANCHORAGE_YAML_EMIT_H */

/*
 * anchorage: a growable byte and text buffer.
 *
 * The contents are always followed by a NUL (not counted in the length),
 * so a buffer of text can be read as a string at any time.  A buffer made
 * with ANC_BUF_WIPE may hold a secret: when it grows, the old block is
 * copied and wiped rather than realloc'd, and anc_buf_free() and
 * anc_buf_reset() wipe what it held, so no stale copy is left in freed
 * memory.
 *
 * The first failure is remembered: every later append fails too, and
 * anc_buf_take() reports it.  So a writer of long text may use
 * anc_buf_put() for each piece and check once, at the end.
 */
#ifndef ANCHORAGE_BUF_H
#define ANCHORAGE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "anchorage/err.h"

struct anc_buf;

/* The buffer may hold a secret: wipe on grow, reset and free. */
#define ANC_BUF_WIPE 0x1u

/* An empty buffer; NULL when out of memory. */
ANC_MUST_CHECK
struct anc_buf *anc_buf_new(unsigned flags);

/* Release (wiped if ANC_BUF_WIPE).  anc_buf_free(NULL) does nothing. */
void anc_buf_free(struct anc_buf *b);

/* Append `len` bytes.  ANC_OK, or ANC_E_NOMEM (also after any earlier
 * failure, or when the length would overflow). */
ANC_MUST_CHECK
int anc_buf_append(struct anc_buf *b, const void *p, size_t len);

/* Append printf-formatted text, of any length.  ANC_OK, ANC_E_NOMEM, or
 * ANC_E_INTERNAL when the format cannot be written (vsnprintf failed). */
ANC_MUST_CHECK
int anc_buf_printf(struct anc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ANC_MUST_CHECK
int anc_buf_vprintf(struct anc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * As anc_buf_printf(), for writers of long text: a failure is only
 * remembered, and reported by anc_buf_failed() and anc_buf_take().
 */
void anc_buf_put(struct anc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void anc_buf_vput(struct anc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* ANC_OK, or the code of the first failure. */
ANC_MUST_CHECK
int anc_buf_failed(const struct anc_buf *b);

/* The contents, NUL-terminated; valid until the next change. */
const unsigned char *anc_buf_data(const struct anc_buf *b);
const char *anc_buf_str(const struct anc_buf *b);
size_t anc_buf_len(const struct anc_buf *b);

/* Empty the buffer (wiped if ANC_BUF_WIPE) and forget any failure. */
void anc_buf_reset(struct anc_buf *b);

/*
 * Hand the contents to the caller: *out (NUL-terminated, the NUL not
 * counted in *len, which may be NULL) is then the caller's to free (with
 * anc_freezero() if it may hold a secret), and the buffer is empty.
 * Returns the first failure instead, if there was one; the buffer still
 * needs anc_buf_free() either way.
 */
ANC_MUST_CHECK
int anc_buf_take(struct anc_buf *b, char **out, size_t *len);

/*
 * Room for `need` (> 0) elements of `size` bytes in the array v, which
 * has room for *cap: v itself when it has, or else v grown, *cap doubled
 * (from `first` when it was 0) until it is at least `need`.  NULL when
 * out of memory or when the size would overflow; v is then unchanged and
 * still the caller's.  For arrays of structs, which anc_buf does not
 * suit: they are read and changed in place, and sorted.
 */
ANC_MUST_CHECK
void *anc_array_room(void *v, size_t need, size_t *cap, size_t size,
    size_t first);

#endif /* ANCHORAGE_BUF_H */

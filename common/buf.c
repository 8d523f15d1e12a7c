/* anchorage: a growable byte and text buffer, wiped when it may hold a secret. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/buf.h"
#include "anchorage/secmem.h"

#define BUF_MIN 64

struct anc_buf {
	unsigned char *p;	/* NULL until the first append */
	size_t len, cap;	/* cap > len when p != NULL: room for the NUL */
	unsigned flags;
	int failed;		/* ANC_OK, or the first failure */
};

struct anc_buf *
anc_buf_new(unsigned flags)
{
	struct anc_buf *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->flags = flags;
	return b;
}

static void
release(struct anc_buf *b)
{
	if (b->flags & ANC_BUF_WIPE)
		anc_freezero(b->p, b->cap);
	else
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
anc_buf_free(struct anc_buf *b)
{
	if (b == NULL)
		return;
	release(b);
	free(b);
}

static int
fail(struct anc_buf *b, int code)
{
	if (b->failed == ANC_OK)
		b->failed = code;
	return b->failed;
}

/* Room for `more` bytes after the contents, and the NUL after them. */
static int
reserve(struct anc_buf *b, size_t more)
{
	unsigned char *np;
	size_t need, ncap;

	if (b->failed != ANC_OK)
		return b->failed;
	if (more >= SIZE_MAX - b->len)
		return fail(b, ANC_E_NOMEM);
	need = b->len + more + 1;
	if (need <= b->cap)
		return ANC_OK;
	for (ncap = b->cap < BUF_MIN ? BUF_MIN : b->cap; ncap < need;)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (b->flags & ANC_BUF_WIPE) {
		/* Copy, then wipe the old block: realloc could leave it. */
		if ((np = malloc(ncap)) == NULL)
			return fail(b, ANC_E_NOMEM);
		if (b->p != NULL)
			memcpy(np, b->p, b->len + 1);
		anc_freezero(b->p, b->cap);
	} else if ((np = realloc(b->p, ncap)) == NULL) {
		return fail(b, ANC_E_NOMEM);
	}
	if (b->p == NULL)
		np[0] = '\0';
	b->p = np;
	b->cap = ncap;
	return ANC_OK;
}

int
anc_buf_append(struct anc_buf *b, const void *p, size_t len)
{
	int r;

	if ((r = reserve(b, len)) != ANC_OK)
		return r;
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return ANC_OK;
}

/* anc_buf_vprintf(), whose result anc_buf_put() may leave in b->failed. */
static int vappend(struct anc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
vappend(struct anc_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	/* Measure first: vsnprintf into the spare room could leave part of
	 * the text there on failure. */
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return fail(b, ANC_E_INTERNAL);
	if ((r = reserve(b, (size_t)n)) != ANC_OK)
		return r;
	if (vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap) != n)
		return fail(b, ANC_E_INTERNAL);
	b->len += (size_t)n;
	return ANC_OK;
}

int
anc_buf_vprintf(struct anc_buf *b, const char *fmt, va_list ap)
{
	return vappend(b, fmt, ap);
}

int
anc_buf_printf(struct anc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vappend(b, fmt, ap);
	va_end(ap);
	return r;
}

void
anc_buf_put(struct anc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	anc_buf_vput(b, fmt, ap);
	va_end(ap);
}

void
anc_buf_vput(struct anc_buf *b, const char *fmt, va_list ap)
{
	/* A failure stays in b->failed, for anc_buf_take() to report. */
	vappend(b, fmt, ap);
}

int
anc_buf_failed(const struct anc_buf *b)
{
	return b->failed;
}

const unsigned char *
anc_buf_data(const struct anc_buf *b)
{
	return b->p != NULL ? b->p : (const unsigned char *)"";
}

const char *
anc_buf_str(const struct anc_buf *b)
{
	return (const char *)anc_buf_data(b);
}

size_t
anc_buf_len(const struct anc_buf *b)
{
	return b->len;
}

void
anc_buf_reset(struct anc_buf *b)
{
	if (b->p != NULL && (b->flags & ANC_BUF_WIPE))
		anc_wipe(b->p, b->cap);
	if (b->p != NULL)
		b->p[0] = '\0';
	b->len = 0;
	b->failed = ANC_OK;
}

int
anc_buf_take(struct anc_buf *b, char **out, size_t *len)
{
	int r;

	if (b->failed != ANC_OK)
		return b->failed;
	if ((r = reserve(b, 0)) != ANC_OK)	/* an empty buffer: "" */
		return r;
	*out = (char *)b->p;	/* transferred */
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return ANC_OK;
}

void *
anc_array_room(void *v, size_t need, size_t *cap, size_t size,
    size_t first)
{
	size_t ncap;

	if (need <= *cap)
		return v;
	for (ncap = *cap > 0 ? *cap : first > 0 ? first : 1; ncap < need;)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (size == 0 || ncap > SIZE_MAX / size ||
	    (v = realloc(v, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return v;
}

/*
 * anchorage: `outbox verify`, the leaf its other files share: reading
 * SHA256SUMS a line at a time, the multiset sum of names, and sending a
 * finding to the caller (the first failure kept for the summary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "export_int.h"
#include "verify_int.h"

/* Messages are cut to fit an item; the full one goes to err. */
void
anc_ov_copy_msg(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
anc_ov_parse_line(const char *l, size_t len, size_t line,
    struct anc_ov_line *out, struct anc_err *err)
{
	const size_t hexlen = ANC_SHA256_HEX - 1;
	const char *base;
	char shown[80];
	size_t nlen;
	int sub;

	if (len < hexlen + 3 || !lower_hex(l, hexlen) || l[hexlen] != ' ' ||
	    l[hexlen + 1] != ' ')
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: expected "
		    "\"<64 lowercase hex digits>  <file name>\"", line);
	nlen = len - hexlen - 2;
	if (nlen > ANC_OUTBOX_NAME_MAX ||
	    memchr(l + hexlen + 2, '\0', nlen) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "too long or not text", line);
	memcpy(out->name, l + hexlen + 2, nlen);
	out->name[nlen] = '\0';
	if (anc_outbox_name_split(out->name, &sub, &base) != 0 ||
	    (!sub && (strcmp(base, ANC_OUTBOX_SUMS) == 0 ||
	    strcmp(base, ANC_OUTBOX_SUBDIR) == 0))) {
		anc_printable((const unsigned char *)out->name, nlen, shown,
		    sizeof(shown));
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: file name "
		    "\"%s\", expected a plain name, %s/ and a plain name, or "
		    "a batch step's OUT/CLUSTER/ before either", line, shown,
		    ANC_OUTBOX_SUBDIR);
	}
	memcpy(out->want, l, hexlen);
	out->want[hexlen] = '\0';
	out->line = line;
	return ANC_OK;
}

int
anc_ov_next(struct anc_ov *v, struct anc_ov_line *out, struct anc_err *err)
{
	char buf[ANC_SHA256_HEX + ANC_OUTBOX_NAME_MAX + 8];
	size_t len;

	if (fgets(buf, sizeof(buf), v->sums) == NULL)
		return ferror(v->sums) ? anc_err_set(err, ANC_E_VERIFY,
		    "unreadable: %s", strerror(errno)) : 0;
	v->line++;
	len = strlen(buf);
	if (len == 0 || buf[len - 1] != '\n')
		return anc_err_set(err, ANC_E_VERIFY, "line %zu: %s", v->line,
		    len + 1 == sizeof(buf) ? "too long, expected a hash and a "
		    "file name" : "no newline at the end, expected one per "
		    "line");
	if (anc_ov_parse_line(buf, len - 1, v->line, out, err) != ANC_OK)
		return err->code;
	return 1;
}

void
anc_ov_sum_add(struct anc_ov_sum *m, const char *name)
{
	unsigned char md[32];
	uint64_t w, carry = 0, s;
	int i, j;

	/* The multiset of names as the sum of their SHA-256 modulo 2^256:
	 * the order does not count, a name listed twice does. */
	if (EVP_Digest(name, strlen(name), md, NULL, EVP_sha256(), NULL) !=
	    1)
		memset(md, 0, sizeof(md));	/* then the sums differ */
	for (i = 3; i >= 0; i--) {
		for (w = 0, j = 0; j < 8; j++)
			w = w << 8 | md[i * 8 + j];
		s = m->w[i] + w;
		m->w[i] = s + carry;
		carry = (s < w) || (m->w[i] < s);
	}
	m->n++;
}

/* Send one finding; the first failure goes to v->first. */
int
anc_ov_emit(struct anc_ov *v, struct anc_verify_item *it, struct anc_err *err)
{
	if (!it->ok && !v->failed) {
		v->failed = 1;
		anc_err_set(&v->first, ANC_E_VERIFY, "%s/%s: %s", v->dir,
		    it->file, it->detail);
	}
	return v->fn(v->arg, it, err);
}

int
anc_ov_emit_problem(struct anc_ov *v, const char *name, const char *detail,
    struct anc_err *err)
{
	struct anc_verify_item it;

	memset(&it, 0, sizeof(it));
	anc_printable((const unsigned char *)name, strlen(name), it.file,
	    sizeof(it.file));
	snprintf(it.kind, sizeof(it.kind), "%s", anc_outbox_kind(name));
	anc_ov_copy_msg(it.detail, sizeof(it.detail), detail);
	return anc_ov_emit(v, &it, err);
}

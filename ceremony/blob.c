/*
 * anchorage: the wrapped-key blob a backup-wrap step writes to the backup
 * medium (docs/backup.md), and its strict reader.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/hash.h"
#include "steps.h"

/* Base64 of `len` bytes on one line, malloc'd. */
static char *
b64(const unsigned char *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

int
anc_blob_format(const struct anc_blob *b, char **out, size_t *len,
    struct anc_err *err)
{
	char id[2 * sizeof(b->id) + 1], *kek = NULL, *key = NULL;
	const char *scheme = anc_wrap_scheme_name(b->w.scheme);
	int n;

	if (scheme == NULL || b->id_len > sizeof(b->id))
		return anc_err_set(err, ANC_E_INTERNAL, "wrapped key");
	anc_hex(b->id, b->id_len, id);
	if ((kek = b64(b->w.kek, b->w.kek_len)) == NULL ||
	    (key = b64(b->w.key, b->w.key_len)) == NULL) {
		free(kek);
		return anc_err_set(err, ANC_E_NOMEM, "wrapped key");
	}
	n = asprintf(out, "%s1\nceremony: %s\nscheme: %s\nlabel: %s\nid: %s\n"
	    "spki-sha256: %s\nunwrap-key-spki-sha256: %s\ntransfer-key: %s\n"
	    "wrapped-key: %s\n", ANC_WRAPPED_MAGIC, b->ceremony, scheme,
	    b->label, id, b->spki, b->kek_spki, kek, key);
	free(kek);
	free(key);
	if (n < 0)
		return anc_err_set(err, ANC_E_NOMEM, "wrapped key");
	*len = (size_t)n;
	return ANC_OK;
}

/* "field: value\n" at *p; the value (NUL-terminated in place) or NULL. */
static char *
field(char **p, const char *name)
{
	size_t n = strlen(name);
	char *v, *nl;

	if (strncmp(*p, name, n) != 0 || (*p)[n] != ':' || (*p)[n + 1] != ' ')
		return NULL;
	v = *p + n + 2;
	if ((nl = strchr(v, '\n')) == NULL)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return v;
}

/* Standard base64, one line, padded; 0 or -1. */
static int
unb64(const char *in, unsigned char **out, size_t *len)
{
	size_t n = strlen(in), pad = 0;
	int got;

	if (n == 0 || n % 4 != 0 ||
	    strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") != n)
		return -1;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	if ((*out = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	got = EVP_DecodeBlock(*out, (const unsigned char *)in, (int)n);
	if (got < 0 || (size_t)got < pad || (size_t)got - pad == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*len = (size_t)got - pad;
	return 0;
}

/* Lowercase hex of at most `cap` bytes; 0 or -1. */
static int
unhex(const char *in, unsigned char *out, size_t cap, size_t *len)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = strlen(in), i;

	if (n == 0 || n % 2 != 0 || n / 2 > cap || strspn(in, digits) != n)
		return -1;
	for (i = 0; i < n / 2; i++)
		out[i] = (unsigned char)((strchr(digits, in[2 * i]) - digits) *
		    16 + (strchr(digits, in[2 * i + 1]) - digits));
	*len = n / 2;
	return 0;
}

static int
is_sha256_hex(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int
anc_blob_parse(const unsigned char *data, size_t len, struct anc_blob *b,
    struct anc_err *err)
{
	static const char *const names[] = { "ceremony", "scheme", "label",
	    "id", "spki-sha256", "unwrap-key-spki-sha256", "transfer-key",
	    "wrapped-key" };
	char *text = NULL, *p, *v[8];
	size_t i, ml = strlen(ANC_WRAPPED_MAGIC);
	int r;

	memset(b, 0, sizeof(*b));
	if (len > ANC_BLOB_MAX || memchr(data, '\0', len) != NULL)
		return anc_err_set(err, ANC_E_INPUT, "not a wrapped key blob");
	if ((text = malloc(len + 1)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "wrapped key");
	memcpy(text, data, len);
	text[len] = '\0';
	p = text;
	if (strncmp(p, ANC_WRAPPED_MAGIC "1\n", ml + 2) != 0)
		goto bad;
	p += ml + 2;
	for (i = 0; i < 8; i++)
		if ((v[i] = field(&p, names[i])) == NULL)
			goto bad;
	if (*p != '\0' || strlen(v[0]) == 0 ||
	    strlen(v[0]) >= sizeof(b->ceremony) ||
	    (b->w.scheme = anc_wrap_scheme_from_name(v[1])) == ANC_WRAP_NONE ||
	    strlen(v[2]) == 0 || strlen(v[2]) >= sizeof(b->label) ||
	    unhex(v[3], b->id, sizeof(b->id), &b->id_len) != 0 ||
	    !is_sha256_hex(v[4]) || !is_sha256_hex(v[5]) ||
	    unb64(v[6], &b->w.kek, &b->w.kek_len) != 0 ||
	    unb64(v[7], &b->w.key, &b->w.key_len) != 0)
		goto bad;
	snprintf(b->ceremony, sizeof(b->ceremony), "%s", v[0]);
	snprintf(b->label, sizeof(b->label), "%s", v[2]);
	memcpy(b->spki, v[4], 65);
	memcpy(b->kek_spki, v[5], 65);
	r = ANC_OK;
	goto out;
 bad:
	anc_wrapped_clear(&b->w);
	r = anc_err_set(err, ANC_E_INPUT, "not a wrapped key blob of this "
	    "format (docs/backup.md)");
 out:
	free(text);
	return r;
}

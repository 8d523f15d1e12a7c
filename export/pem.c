/*
 * anchorage: PEM in and out.
 *
 * Reading walks every block of a file, never only the first (the mistake
 * `step certificate bundle` makes), and refuses anything
 * that is not a block or whitespace, so nothing rides along unseen.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "export_int.h"

#define PEM_BEGIN "-----BEGIN "

static size_t
skip_space(const unsigned char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	return i;
}

size_t
anc_text_line(const unsigned char *p, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos; i++)
		if (p[i] == '\n')
			line++;
	return line;
}

/* A block's decoded parts, allocated by PEM_read_bio_ex from the secure
 * heap where there is one. */
struct block {
	char *type;
	char *header;
	unsigned char *der;
	long len;
};

static void
block_clear(struct block *b)
{
	OPENSSL_secure_free(b->type);
	OPENSSL_secure_free(b->header);
	if (b->der != NULL)
		OPENSSL_secure_clear_free(b->der, (size_t)b->len);
	memset(b, 0, sizeof(*b));
}

/* Decode the block at the start of data; *used is the bytes it spans. */
static int
read_block(const unsigned char *data, size_t len, struct block *b,
    size_t *used)
{
	BIO *bio;
	int ok;

	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
		return 0;
	ok = PEM_read_bio_ex(bio, &b->type, &b->header, &b->der, &b->len,
	    PEM_FLAG_SECURE | PEM_FLAG_ONLY_B64);
	if (ok)
		*used = len - BIO_ctrl_pending(bio);
	BIO_free(bio);
	return ok;
}

/* The line p[0, n), less a CR, is a, b and c joined. */
static int
line_is(const unsigned char *p, size_t n, const char *a, const char *b,
    const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n == la + lb + lc && memcmp(p, a, la) == 0 &&
	    memcmp(p + la, b, lb) == 0 && memcmp(p + la + lb, c, lc) == 0;
}

static int
line_is_base64(const unsigned char *p, size_t n)
{
	size_t i;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '+' || p[i] == '/' || p[i] == '='))
			return 0;
	return n > 0;
}

/*
 * PEM_read_bio_ex skips lines it cannot read as a BEGIN line, and cuts a
 * base64 line at its first other character, so text could ride along in
 * a block unseen.  The bytes it read must be exactly a BEGIN line, base64
 * lines and an END line of `type`, each ended by LF or CRLF (the last may
 * end the file instead).
 */
static int
block_is_plain(const unsigned char *p, size_t n, const char *type)
{
	const unsigned char *eol;
	size_t pos = 0, len, line = 0;
	int end = 0, ok = 1;

	while (pos < n && !end) {
		eol = memchr(p + pos, '\n', n - pos);
		len = eol != NULL ? (size_t)(eol - (p + pos)) : n - pos;
		if (line++ == 0)
			ok = line_is(p + pos, len, PEM_BEGIN, type, "-----");
		else if ((end = line_is(p + pos, len, "-----END ", type,
		    "-----")) == 0)
			ok = line_is_base64(p + pos, len);
		if (!ok)
			return 0;
		pos += len + (eol != NULL);
	}
	return end && pos == n;
}

int
anc_pem_each(const unsigned char *data, size_t len, const char *what,
    anc_pem_block_fn fn, void *arg, size_t *nblocks, struct anc_err *err)
{
	const char *sep = what != NULL ? ": " : "";
	struct block b = { NULL, NULL, NULL, 0 };
	size_t pos = 0, num = 0, used = 0;
	int r = ANC_E_INTERNAL;

	if (what == NULL)
		what = "";
	if (len > INT_MAX)
		return anc_err_set(err, ANC_E_INPUT, "%s%stoo large", what,
		    sep);
	for (;;) {
		pos = skip_space(data, len, pos);
		if (pos == len)
			break;
		if (len - pos < strlen(PEM_BEGIN) ||
		    memcmp(data + pos, PEM_BEGIN, strlen(PEM_BEGIN)) != 0) {
			r = anc_err_set(err, ANC_E_INPUT, "%s%sline %zu: text "
			    "outside PEM blocks, expected only whitespace "
			    "around them", what, sep,
			    anc_text_line(data, pos));
			goto out;
		}
		num++;
		if (!read_block(data + pos, len - pos, &b, &used)) {
			r = anc_err_ossl(err, ANC_E_INPUT, "%s%sblock %zu (line "
			    "%zu): malformed PEM", what, sep, num,
			    anc_text_line(data, pos));
			goto out;
		}
		if (!block_is_plain(data + pos, used, b.type)) {
			r = anc_err_set(err, ANC_E_INPUT, "%s%sblock %zu (line "
			    "%zu): expected only a BEGIN line, base64 lines "
			    "and an END line", what, sep, num,
			    anc_text_line(data, pos));
			goto out;
		}
		if ((r = fn(arg, num, b.type, b.der, (size_t)b.len, err)) !=
		    ANC_OK)
			goto out;
		block_clear(&b);
		pos += used;
	}
	*nblocks = num;
	/* success */
	r = ANC_OK;
 out:
	block_clear(&b);
	return r;
}

struct certs {
	const char *what;
	STACK_OF(X509) *sk;
};

static int
add_cert(void *arg, size_t num, const char *type, const unsigned char *der,
    size_t len, struct anc_err *err)
{
	struct certs *c = arg;
	const unsigned char *p = der;
	X509 *x;

	if (strcmp(type, "CERTIFICATE") != 0)
		return anc_err_set(err, ANC_E_INPUT, "%s: block %zu: expected "
		    "CERTIFICATE, found %.40s", c->what, num, type);
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL)
		return anc_err_ossl(err, ANC_E_INPUT, "%s: block %zu: not a "
		    "valid X.509 certificate", c->what, num);
	if (p != der + len) {
		X509_free(x);
		return anc_err_set(err, ANC_E_INPUT, "%s: block %zu: %zu bytes "
		    "after the certificate, expected none", c->what, num,
		    (size_t)(der + len - p));
	}
	if (sk_X509_push(c->sk, x) <= 0) {
		X509_free(x);
		return anc_err_set(err, ANC_E_NOMEM, "%s: block %zu", c->what,
		    num);
	}
	return ANC_OK;
}

int
anc_pem_read_certs(const unsigned char *data, size_t len, const char *what,
    STACK_OF(X509) **out, struct anc_err *err)
{
	struct certs c = { what, NULL };
	size_t n = 0;
	int r = ANC_E_INTERNAL;

	if ((c.sk = sk_X509_new_null()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", what);
	if ((r = anc_pem_each(data, len, what, add_cert, &c, &n, err)) !=
	    ANC_OK)
		goto out;
	if (n == 0) {
		r = anc_err_set(err, ANC_E_INPUT, "%s: no PEM block, expected "
		    "at least one CERTIFICATE", what);
		goto out;
	}
	*out = c.sk;
	c.sk = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	sk_X509_pop_free(c.sk, X509_free);
	return r;
}

int
anc_pem_certs(X509 *const *certs, size_t n, char **pem, size_t *len,
    struct anc_err *err)
{
	BIO *bio = NULL;
	unsigned char *der;
	char *mem = NULL, *buf = NULL;
	long mlen;
	size_t i;
	int dlen, r = ANC_E_INTERNAL;

	if (n == 0)
		return anc_err_set(err, ANC_E_INTERNAL,
		    "PEM: no certificate to write");
	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		r = anc_err_ossl(err, ANC_E_NOMEM, "PEM");
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* PEM_write_bio_X509 encodes the certificate twice, once
		 * for its length; one i2d and its bytes are enough. */
		der = NULL;
		if ((dlen = i2d_X509(certs[i], &der)) <= 0 ||
		    PEM_write_bio(bio, PEM_STRING_X509, "", der, dlen) <= 0) {
			OPENSSL_free(der);
			r = anc_err_ossl(err, ANC_E_CRYPTO, "PEM: certificate "
			    "%zu cannot be encoded", i + 1);
			goto out;
		}
		OPENSSL_free(der);
	}
	mlen = BIO_get_mem_data(bio, &mem);
	if (mlen <= 0 || (buf = malloc((size_t)mlen + 1)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "PEM");
		goto out;
	}
	memcpy(buf, mem, (size_t)mlen);
	buf[mlen] = '\0';
	*pem = buf;
	*len = (size_t)mlen;
	/* success */
	r = ANC_OK;
 out:
	BIO_free(bio);
	return r;
}

int
anc_cert_fingerprint(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32) {
		out[0] = '\0';
		return ANC_E_CRYPTO;
	}
	anc_hex(md, n, out);
	return ANC_OK;
}

int
anc_pem_read_cert_file(const char *path, STACK_OF(X509) **out,
    struct anc_err *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int r;

	if ((r = anc_file_read(path, ANC_OUTBOX_FILE_MAX, &data, &len, err)) !=
	    ANC_OK)
		return r;
	r = anc_pem_read_certs(data, len, path, out, err);
	free(data);
	return r;
}

/* Shown to the operator: by verify.c, verify_content.c and verify_yaml.c. */
void
anc_printable(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++)
		out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[o] = '\0';
}

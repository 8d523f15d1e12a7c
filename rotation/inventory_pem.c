/*
 * anchorage: the inventory's PEM readers.  A line-by-line PEM decoder
 * (for streams and for decoded Secret values alike), and the reader of
 * PEM files, directories and standard input that cuts the certificates
 * into chains.
 *
 * Input comes from a cluster and may be anything.  Whatever is not a
 * certificate becomes a garbage entry that says why; nothing here stops
 * a check except a read error.  Decoded blocks are wiped when done with,
 * since a private key can stand where a certificate belongs.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "inventory_int.h"

#define LINE_MAX_LEN	8192	/* a longer line is not PEM */
#define BEGIN		"-----BEGIN "
#define END		"-----END "
#define DASHES		"-----"

struct anc_pem_reader {
	anc_pem_fn fn;
	void *arg;
	int in_block;
	int junk;		/* inside text that is not a block */
	size_t line;		/* lines read */
	size_t start;		/* where the block or the junk began */
	const char *bad;	/* why the open block is unusable */
	char type[64];
	EVP_ENCODE_CTX *dec;
	unsigned char *buf;	/* decoded so far */
	size_t len;
};

/* The base64 alphabet of RFC 4648, section 4. */
static int
b64_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

int
anc_inv_b64_decode(const char *s, size_t len, unsigned char *out,
    size_t *outlen)
{
	const char *eq;
	size_t pad = 0;
	int n;

	/* EVP_DecodeBlock skips blanks at either end and reads '=' anywhere
	 * as zero bits, so both are ruled out first. */
	if (len == 0 || len % 4 != 0 || len > INT_MAX ||
	    !b64_char((unsigned char)s[0]))
		return -1;
	if ((eq = memchr(s, '=', len)) != NULL) {
		pad = len - (size_t)(eq - s);
		if (pad > 2 || s[len - 1] != '=')
			return -1;
	} else if (!b64_char((unsigned char)s[len - 1]))
		return -1;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n != len / 4 * 3)
		return -1;
	*outlen = (size_t)n - pad;
	return 0;
}

int
anc_pem_reader_new(anc_pem_fn fn, void *arg, struct anc_pem_reader **out)
{
	struct anc_pem_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->dec = EVP_ENCODE_CTX_new()) == NULL ||
	    (r->buf = malloc(ANC_INV_BLOCK_MAX + 128)) == NULL) {
		anc_pem_reader_free(r);
		return ANC_E_NOMEM;
	}
	anc_pem_reader_reset(r, fn, arg);
	*out = r;
	return ANC_OK;
}

void
anc_pem_reader_reset(struct anc_pem_reader *r, anc_pem_fn fn, void *arg)
{
	/* Only an unfinished block is left to wipe. */
	OPENSSL_cleanse(r->buf, r->len);
	r->fn = fn;
	r->arg = arg;
	r->in_block = 0;
	r->junk = 0;
	r->line = 0;
	r->start = 0;
	r->bad = NULL;
	r->type[0] = '\0';
	r->len = 0;
}

void
anc_pem_reader_free(struct anc_pem_reader *r)
{
	if (r == NULL)
		return;
	EVP_ENCODE_CTX_free(r->dec);
	/* Each block is wiped when handed over; only an unfinished one is
	 * left. */
	if (r->buf != NULL)
		OPENSSL_clear_free(r->buf, r->len);
	free(r);
}

static int
has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s, p, n) == 0;
}

static int
has_suffix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s + len - n, p, n) == 0;
}

static int
end_junk(struct anc_pem_reader *r)
{
	if (!r->junk)
		return ANC_OK;
	r->junk = 0;
	return r->fn(r->arg, NULL, NULL, 0, "text outside PEM blocks (not "
	    "PEM)", r->start);
}

/* Hand over the open block, usable or not, and forget it. */
static int
close_block(struct anc_pem_reader *r, const char *why)
{
	int outl = 0, rv;

	if (why == NULL && r->bad == NULL &&
	    EVP_DecodeFinal(r->dec, r->buf + r->len, &outl) < 0)
		r->bad = "invalid base64";
	r->len += (size_t)(outl > 0 ? outl : 0);
	if (why == NULL)
		why = r->bad;
	if (why == NULL && r->len == 0)
		why = "an empty PEM block";
	rv = r->fn(r->arg, why == NULL ? r->type : NULL,
	    why == NULL ? r->buf : NULL, why == NULL ? r->len : 0, why,
	    r->start);
	OPENSSL_cleanse(r->buf, r->len);
	r->len = 0;
	r->in_block = 0;
	r->bad = NULL;
	return rv;
}

static int
open_block(struct anc_pem_reader *r, const char *line, size_t len)
{
	size_t tl = len - strlen(BEGIN) - strlen(DASHES);
	int rv;

	if ((rv = end_junk(r)) != ANC_OK)
		return rv;
	r->start = r->line;
	r->in_block = 1;
	r->len = 0;
	r->bad = NULL;
	if (len < strlen(BEGIN) + strlen(DASHES) || tl >= sizeof(r->type)) {
		r->type[0] = '\0';
		r->bad = "a malformed BEGIN line";
	} else {
		memcpy(r->type, line + strlen(BEGIN), tl);
		r->type[tl] = '\0';
	}
	EVP_DecodeInit(r->dec);
	return ANC_OK;
}

static void
decode_line(struct anc_pem_reader *r, const char *line, size_t len)
{
	size_t n = 0;
	int outl = 0;

	if (r->bad != NULL)
		return;
	/* Headers (Proc-Type, DEK-Info) mean an encrypted key. */
	if (memchr(line, ':', len) != NULL) {
		r->bad = "a PEM block with headers (an encrypted key?)";
		return;
	}
	if (r->len + len + 80 > ANC_INV_BLOCK_MAX) {
		r->bad = "a PEM block larger than 64 KiB";
		return;
	}
	/* A line of whole groups, as PEM writers make them, in one call.
	 * The context decodes the whole groups of each line before it
	 * returns too; it keeps only a group split across lines, and then
	 * it decodes the next line as well. */
	if (EVP_ENCODE_CTX_num(r->dec) == 0 &&
	    anc_inv_b64_decode(line, len, r->buf + r->len, &n) == 0) {
		r->len += n;
		return;
	}
	if (EVP_DecodeUpdate(r->dec, r->buf + r->len, &outl,
	    (const unsigned char *)line, (int)len) < 0) {
		r->bad = "invalid base64";
		return;
	}
	r->len += (size_t)outl;
}

int
anc_pem_reader_line(struct anc_pem_reader *r, const char *line, size_t len)
{
	char end[sizeof(r->type) + 16];
	int rv;

	r->line++;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (!r->in_block) {
		if (has_prefix(line, len, BEGIN) && has_suffix(line, len, DASHES))
			return open_block(r, line, len);
		if (len > 0 && !r->junk) {
			r->junk = 1;
			r->start = r->line;
		}
		return ANC_OK;
	}
	if (has_prefix(line, len, BEGIN)) {
		if ((rv = close_block(r, "a PEM block without its END line")) !=
		    ANC_OK)
			return rv;
		return open_block(r, line, len);
	}
	if (has_prefix(line, len, END)) {
		snprintf(end, sizeof(end), END "%s" DASHES, r->type);
		return close_block(r, strlen(end) == len &&
		    memcmp(end, line, len) == 0 ? NULL : "an END line that "
		    "does not match its BEGIN line");
	}
	decode_line(r, line, len);
	return ANC_OK;
}

int
anc_pem_reader_end(struct anc_pem_reader *r)
{
	if (r->in_block)
		return close_block(r, "a PEM block without its END line");
	return end_junk(r);
}

/*
 * PEM files, directories and standard input
 */

struct stream {
	struct anc_inventory *inv;
	anc_inv_fn fn;
	void *arg;
	struct anc_err *err;
	const char *name;	/* the file, for sources */
	size_t blocks;		/* blocks and junk seen in this file */
	struct anc_inv_entry en;
	struct anc_inv_ids last;	/* of the chain's last certificate,
					 * valid while the chain is open */
};

static int
flush(struct stream *st)
{
	if (st->en.n == 0 && !st->en.garbage)
		return ANC_OK;
	return anc_inv_check(st->inv, &st->en, st->fn, st->arg, st->err);
}

static void
start(struct stream *st, size_t line)
{
	snprintf(st->en.source, sizeof(st->en.source), "%s:%zu", st->name,
	    line);
}

static int
garbage(struct stream *st, const char *why, size_t line)
{
	int r;

	if ((r = flush(st)) != ANC_OK)
		return r;
	start(st, line);
	anc_inv_entry_garbage(&st->en, "%s", why);
	return flush(st);
}

/* Does the certificate with `ids` carry on the chain so far, issuing its
 * last certificate? */
static int
continues(const struct stream *st, const struct anc_inv_ids *ids)
{
	const struct anc_inv_entry *en = &st->en;

	return en->n > 0 && en->n < ANC_INV_CHAIN_MAX && !en->garbage &&
	    anc_inv_ids_issues(ids, &st->last);
}

/* Certificates are cut into chains by names and key identifiers only:
 * parsing each into an X509 costs more than checking it (see
 * inventory_fast.c), and the checker parses what it needs. */
static int
certificate(struct stream *st, const unsigned char *der, size_t len,
    size_t line)
{
	struct anc_inv_ids ids;
	struct anc_inv_cert *c;
	unsigned char *copy;
	int r;

	if ((copy = malloc(len)) == NULL)
		return anc_err_set(st->err, ANC_E_NOMEM, "%s", st->name);
	memcpy(copy, der, len);
	if (anc_inv_ids_get(copy, len, &ids) != 0) {
		free(copy);
		return garbage(st, "a CERTIFICATE block that is not a valid "
		    "X.509 certificate", line);
	}
	if (!continues(st, &ids)) {
		if ((r = flush(st)) != ANC_OK) {
			free(copy);
			return r;
		}
		start(st, line);
	}
	c = &st->en.c[st->en.n++];
	c->der = copy;	/* transferred */
	c->len = len;
	st->last = ids;	/* points into c->der */
	return ANC_OK;
}

static int
on_block(void *arg, const char *type, const unsigned char *der, size_t len,
    const char *why, size_t line)
{
	struct stream *st = arg;
	char msg[128];

	st->blocks++;
	if (type == NULL)
		return garbage(st, why, line);
	if (strcmp(type, "CERTIFICATE") == 0)
		return certificate(st, der, len, line);
	if (strstr(type, "PRIVATE KEY") != NULL)
		snprintf(msg, sizeof(msg), "a %s where a certificate belongs",
		    type);
	else
		snprintf(msg, sizeof(msg), "a %s block, not a certificate",
		    type);
	return garbage(st, msg, line);
}

/* One line into buf; an overlong line is cut and its rest skipped. */
static int
read_line(FILE *f, char *buf, size_t cap, size_t *len)
{
	int ch;

	if (fgets(buf, (int)cap, f) == NULL)
		return 0;
	*len = strlen(buf);
	if (*len > 0 && buf[*len - 1] == '\n')
		buf[--*len] = '\0';
	else if (*len == cap - 1)
		while ((ch = getc(f)) != EOF && ch != '\n')
			;
	return 1;
}

static int
stream_file(struct stream *st, FILE *f)
{
	struct anc_pem_reader *pr = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((buf = malloc(LINE_MAX_LEN)) == NULL ||
	    anc_pem_reader_new(on_block, st, &pr) != ANC_OK) {
		r = anc_err_set(st->err, ANC_E_NOMEM, "%s", st->name);
		goto out;
	}
	while (read_line(f, buf, LINE_MAX_LEN, &len)) {
		r = anc_pem_reader_line(pr, buf, len);
		OPENSSL_cleanse(buf, len);
		if (r != ANC_OK)
			goto out;
	}
	if (ferror(f)) {
		r = anc_err_set(st->err, ANC_E_IO, "%s: %s", st->name,
		    strerror(errno));
		goto out;
	}
	if ((r = anc_pem_reader_end(pr)) != ANC_OK)
		goto out;
	if (st->blocks == 0)
		r = garbage(st, "no PEM block (an empty file?)", 1);
	else
		r = flush(st);
 out:
	anc_inv_entry_clear(&st->en);
	anc_pem_reader_free(pr);
	free(buf);
	return r;
}

static int
one_file(struct stream *st, const char *path, const char *name)
{
	FILE *f;
	int r;

	st->name = name;
	st->blocks = 0;
	if (strcmp(path, "-") == 0)
		return stream_file(st, stdin);
	if ((f = fopen(path, "re")) == NULL)
		return anc_err_set(st->err, errno == ENOENT ? ANC_E_INPUT :
		    ANC_E_IO, "%s: %s", path, strerror(errno));
	r = stream_file(st, f);
	fclose(f);
	return r;
}

/* Every regular file of a directory (links followed, as Kubernetes
 * mounts Secrets), hidden ones aside, in directory order. */
static int
directory(struct stream *st, const char *dir, DIR *d)
{
	struct dirent *de;
	struct stat sb;
	char path[4096];
	int r;

	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			return anc_err_set(st->err, ANC_E_INPUT, "%s/%s: path "
			    "too long", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if ((r = one_file(st, path, path)) != ANC_OK)
			return r;
	}
	if (errno != 0)
		return anc_err_set(st->err, ANC_E_IO, "%s: %s", dir,
		    strerror(errno));
	return ANC_OK;
}

int
anc_inventory_pem(struct anc_inventory *inv, const char *path,
    anc_inv_fn fn, void *arg, struct anc_err *err)
{
	struct stream st;
	DIR *d;
	int r;

	memset(&st, 0, sizeof(st));
	st.inv = inv;
	st.fn = fn;
	st.arg = arg;
	st.err = err;
	if (strcmp(path, "-") == 0)
		return one_file(&st, path, "stdin");
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOTDIR)
			return one_file(&st, path, path);
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT : ANC_E_IO,
		    "%s: %s", path, strerror(errno));
	}
	r = directory(&st, path, d);
	closedir(d);
	return r;
}

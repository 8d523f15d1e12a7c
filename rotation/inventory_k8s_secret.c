/*
 * anchorage: the inventory's reading of one kubernetes.io/tls Secret, as
 * inventory_k8s.c hands it over: its tls.crt is one chain (the
 * certificate under test and the chain presented with it), and each
 * certificate of its ca.crt is checked on its own.  Both values are
 * base64 of PEM text; whatever in them is not a certificate becomes a
 * garbage entry that says why.  Decoded text is wiped when done with,
 * since a private key can stand where a certificate belongs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "anchorage/err.h"
#include "inventory_int.h"

/*
 * cert-manager copies the same anchor into the ca.crt of nearly every
 * Secret it issues, so the last few distinct ca.crt values are kept with
 * the result of each of their certificates: a value seen again in exactly
 * the same bytes gets the same results (a verdict depends only on the
 * bytes, the anchors and the time) without being decoded or checked
 * again.  A value one byte apart is checked on its own.  Only small values
 * that hold certificates and nothing else are kept, never one with a key
 * or text that is not a certificate, and the slots are fixed, so memory
 * does not grow with the number of Secrets.
 */
#define MEMO_SLOTS	4
#define MEMO_CERTS	4		/* certificates in a kept value */
#define MEMO_VALUE_MAX	(16 * 1024)	/* bytes of a kept value */

struct memo {
	char *value;		/* the ca.crt value as read (base64) */
	size_t len;		/* 0: the slot is empty */
	size_t n;
	struct anc_inv_result res[MEMO_CERTS];	/* source aside */
};

struct anc_inv_secrets {
	struct anc_inventory *inv;	/* borrowed */
	anc_inv_fn fn;
	void *arg;
	const char *path;		/* borrowed: the input, for messages */
	struct anc_err *err;		/* borrowed */
	/* One of each for every value, not one per value: a reader holds a
	 * 64 KiB buffer. */
	EVP_ENCODE_CTX *dec;
	struct anc_pem_reader *pr;
	struct memo memo[MEMO_SLOTS];
	size_t evict;		/* the slot a new value goes into */
	struct memo fill;	/* the results of the value being checked */
	int filling;		/* ... while it may still be kept */
};

int
anc_inv_secrets_new(struct anc_inventory *inv, anc_inv_fn fn, void *arg,
    const char *path, struct anc_err *err, struct anc_inv_secrets **out)
{
	struct anc_inv_secrets *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->dec = EVP_ENCODE_CTX_new()) == NULL ||
	    anc_pem_reader_new(NULL, NULL, &s->pr) != ANC_OK) {
		anc_inv_secrets_free(s);
		return anc_err_set(err, ANC_E_NOMEM, "%s", path);
	}
	s->inv = inv;
	s->fn = fn;
	s->arg = arg;
	s->path = path;
	s->err = err;
	*out = s;
	return ANC_OK;
}

void
anc_inv_secrets_free(struct anc_inv_secrets *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < MEMO_SLOTS; i++)
		free(s->memo[i].value);
	EVP_ENCODE_CTX_free(s->dec);
	anc_pem_reader_free(s->pr);
	free(s);
}

/* Standard base64 (whitespace allowed) into a new buffer. */
static int
decode(EVP_ENCODE_CTX *ctx, const struct anc_inv_value *v,
    unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	int n = 0, m = 0;

	*out = NULL;
	if ((buf = malloc(v->len / 4 * 3 + 80)) == NULL)
		return -1;
	/* kubectl writes each value on one line, without blanks. */
	if (anc_inv_b64_decode(v->s, v->len, buf, outlen) == 0) {
		*out = buf;
		return 0;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)v->s,
	    (int)v->len) < 0 || EVP_DecodeFinal(ctx, buf + n, &m) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)n + (size_t)m;
	return 0;
}

struct collect {
	struct anc_inv_secrets *s;
	const char *ns, *name;	/* the Secret's */
	const char *key;		/* "tls.crt" or "ca.crt" */
	struct anc_inv_entry en;
	size_t certs;
};

static void
source(struct collect *c)
{
	if (c->certs > 1)
		snprintf(c->en.source, sizeof(c->en.source), "%s/%s %s #%zu",
		    c->ns, c->name, c->key, c->certs);
	else
		snprintf(c->en.source, sizeof(c->en.source), "%s/%s %s",
		    c->ns, c->name, c->key);
}

static void
why_not(struct collect *c, const char *type, const char *why, size_t line)
{
	if (type == NULL)
		anc_inv_entry_garbage(&c->en, "%s line %zu: %s", c->key, line,
		    why);
	else if (strstr(type, "PRIVATE KEY") != NULL)
		anc_inv_entry_garbage(&c->en, "%s: a %s where a certificate "
		    "belongs", c->key, type);
	else
		anc_inv_entry_garbage(&c->en, "%s: a %s block, not a "
		    "certificate", c->key, type);
}

static int
add_der(struct collect *c, const unsigned char *der, size_t len)
{
	struct anc_inv_cert *ic = &c->en.c[c->en.n];

	if ((ic->der = malloc(len)) == NULL)
		return anc_err_set(c->s->err, ANC_E_NOMEM, "%s", c->s->path);
	memcpy(ic->der, der, len);
	ic->len = len;
	c->en.n++;
	return ANC_OK;
}

/* tls.crt: every block belongs to the one chain. */
static int
on_tls(void *arg, const char *type, const unsigned char *der, size_t len,
    const char *why, size_t line)
{
	struct collect *c = arg;

	if (type == NULL || strcmp(type, "CERTIFICATE") != 0) {
		why_not(c, type, why, line);
		return ANC_OK;
	}
	if (c->en.n == ANC_INV_CHAIN_MAX) {
		anc_inv_entry_garbage(&c->en, "%s: more than %d certificates",
		    c->key, ANC_INV_CHAIN_MAX);
		return ANC_OK;
	}
	return add_der(c, der, len);
}

/*
 * The ca.crt memo
 */

static struct memo *
recall(struct anc_inv_secrets *s, const struct anc_inv_value *v)
{
	size_t i;

	for (i = 0; i < MEMO_SLOTS; i++)
		if (s->memo[i].len == v->len &&
		    memcmp(s->memo[i].value, v->s, v->len) == 0)
			return &s->memo[i];
	return NULL;
}

/* Each result of a ca.crt on its way out. */
static int
remember(void *arg, const struct anc_inv_result *res)
{
	struct anc_inv_secrets *s = arg;

	if (s->filling && s->fill.n < MEMO_CERTS &&
	    res->status != ANC_INV_GARBAGE)
		s->fill.res[s->fill.n++] = *res;
	else
		s->filling = 0;		/* not a value to keep */
	return s->fn(s->arg, res);
}

/* The value has been checked whole: keep it, in place of the oldest, if
 * it qualified. */
static void
memo_keep(struct anc_inv_secrets *s, const struct anc_inv_value *v)
{
	struct memo *m = &s->memo[s->evict];
	char *copy;

	if (!s->filling || s->fill.n == 0 || v->len > MEMO_VALUE_MAX ||
	    (copy = malloc(v->len)) == NULL)
		return;
	memcpy(copy, v->s, v->len);
	free(m->value);
	m->value = copy;
	m->len = v->len;
	m->n = s->fill.n;
	memcpy(m->res, s->fill.res, m->n * sizeof(m->res[0]));
	s->evict = (s->evict + 1) % MEMO_SLOTS;
}

/* A kept value's results, handed over again as this Secret's. */
static int
replay(struct collect *c, const struct memo *m)
{
	size_t i;
	int r;

	for (i = 0; i < m->n; i++) {
		c->certs = i + 1;
		source(c);
		if ((r = anc_inv_again(c->s->inv, c->en.source, &m->res[i],
		    c->s->fn, c->s->arg, c->s->err)) != ANC_OK)
			return r;
	}
	return ANC_OK;
}

/* ca.crt: each certificate on its own. */
static int
on_ca(void *arg, const char *type, const unsigned char *der, size_t len,
    const char *why, size_t line)
{
	struct collect *c = arg;
	int r;

	c->certs++;
	source(c);
	if (type == NULL || strcmp(type, "CERTIFICATE") != 0)
		why_not(c, type, why, line);
	else if ((r = add_der(c, der, len)) != ANC_OK)
		return r;
	return anc_inv_check(c->s->inv, &c->en, remember, c->s, c->s->err);
}

/* Decoded text, line by line, into the PEM reader. */
static int
feed(struct anc_pem_reader *pr, const unsigned char *text, size_t len,
    anc_pem_fn fn, void *arg)
{
	const unsigned char *p = text, *nl;
	int r;

	anc_pem_reader_reset(pr, fn, arg);
	while (p < text + len) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			nl = text + len;
		if ((r = anc_pem_reader_line(pr, (const char *)p,
		    (size_t)(nl - p))) != ANC_OK)
			return r;
		p = nl + 1;
	}
	return anc_pem_reader_end(pr);
}

/* A value as decoded PEM text, or a garbage entry saying why not. */
static int
value_text(struct collect *c, const struct anc_inv_value *v, unsigned char **text,
    size_t *len)
{
	*text = NULL;
	if (!v->present || (v->bad == NULL && v->len == 0))
		anc_inv_entry_garbage(&c->en, "%s is %s", c->key, v->present ?
		    "empty" : "missing");
	else if (v->bad != NULL)
		anc_inv_entry_garbage(&c->en, "%s is %s", c->key, v->bad);
	else if (decode(c->s->dec, v, text, len) != 0)
		anc_inv_entry_garbage(&c->en, "%s is not valid base64",
		    c->key);
	else if (memchr(*text, '\0', *len) != NULL)
		anc_inv_entry_garbage(&c->en, "%s is binary, not PEM text",
		    c->key);
	return c->en.garbage ? -1 : 0;
}

static void
collect_init(struct collect *c, struct anc_inv_secrets *s, const char *ns,
    const char *name, const char *key)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->ns = ns;
	c->name = name;
	c->key = key;
	source(c);
}

static int
tls_entry(struct anc_inv_secrets *s, const char *ns, const char *name,
    const struct anc_inv_value *tls)
{
	struct collect c;
	unsigned char *text = NULL;
	size_t len = 0;
	int r = ANC_OK;

	collect_init(&c, s, ns, name, "tls.crt");
	if (value_text(&c, tls, &text, &len) == 0 &&
	    (r = feed(s->pr, text, len, on_tls, &c)) != ANC_OK)
		goto out;
	if (c.en.n == 0)
		anc_inv_entry_garbage(&c.en, "tls.crt holds no certificate");
	r = anc_inv_check(s->inv, &c.en, s->fn, s->arg, s->err);
 out:
	anc_inv_entry_clear(&c.en);
	if (text != NULL)
		OPENSSL_clear_free(text, len);
	return r;
}

/* cert-manager writes ca.crt empty or leaves it out when it has no CA to
 * name; only a ca.crt with content is checked. */
static int
ca_entries(struct anc_inv_secrets *s, const char *ns, const char *name,
    const struct anc_inv_value *ca)
{
	struct collect c;
	struct memo *m;
	unsigned char *text = NULL;
	size_t len = 0;
	int r = ANC_OK;

	if (!ca->present || (ca->bad == NULL && ca->len == 0))
		return ANC_OK;
	collect_init(&c, s, ns, name, "ca.crt");
	if (ca->bad == NULL && (m = recall(s, ca)) != NULL)
		return replay(&c, m);
	if (value_text(&c, ca, &text, &len) != 0)
		r = anc_inv_check(s->inv, &c.en, s->fn, s->arg, s->err);
	else {
		s->fill.n = 0;
		s->filling = 1;
		if ((r = feed(s->pr, text, len, on_ca, &c)) == ANC_OK)
			memo_keep(s, ca);
		s->filling = 0;
	}
	anc_inv_entry_clear(&c.en);
	if (text != NULL)
		OPENSSL_clear_free(text, len);
	return r;
}

int
anc_inv_secret(struct anc_inv_secrets *s, const char *ns, const char *name,
    const struct anc_inv_value *tls, const struct anc_inv_value *ca)
{
	int r;

	if ((r = tls_entry(s, ns, name, tls)) != ANC_OK)
		return r;
	return ca_entries(s, ns, name, ca);
}

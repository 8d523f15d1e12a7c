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
	if (s == NULL)
		return;
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
	return anc_inv_check(c->s->inv, &c->en, c->s->fn, c->s->arg,
	    c->s->err);
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
	unsigned char *text = NULL;
	size_t len = 0;
	int r = ANC_OK;

	if (!ca->present || (ca->bad == NULL && ca->len == 0))
		return ANC_OK;
	collect_init(&c, s, ns, name, "ca.crt");
	if (value_text(&c, ca, &text, &len) != 0)
		r = anc_inv_check(s->inv, &c.en, s->fn, s->arg, s->err);
	else
		r = feed(s->pr, text, len, on_ca, &c);
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

/*
 * anchorage: what each file of an outbox may hold, for `outbox verify`.
 *
 * The kind of a file follows from its name; its content must then be that
 * kind and nothing else: PEM with only certificates or only CRLs, a
 * backup key pair's RSA public key, Kubernetes objects of the allowed
 * kinds or Helm values (verify_yaml.c), text.  No private key may appear
 * anywhere but tls.key of a kubernetes.io/tls Secret, in plain text or
 * base64 (keyscan.c looks), and no wrapped key anywhere.  This file
 * judges the kind by the name, takes a file's content as verify.c reads
 * it, checks the PEM kinds, and hands text (verify_text.c, in pieces) and
 * YAML (verify_yaml.c) on.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anchorage/buf.h"
#include "anchorage/err.h"
#include "anchorage/export.h"
#include "export_int.h"
#include "keyscan.h"
#include "verify_int.h"

#define HELM_PREFIX "helm-values-"

struct pem_count {
	size_t certs, crls;
};

static int
scan_pem_block(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err)
{
	struct pem_count *c = arg;
	const unsigned char *p = der;
	X509_CRL *crl;
	X509 *x;
	int ok, found;

	if (strstr(type, ANC_PRIVATE_KEY_TAG) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu is a private "
		    "key (%.40s), expected only certificates or CRLs", num,
		    type);
	/* A certificate can carry any bytes in an extension or a name. */
	if ((found = anc_holds_private_key(der, len, ANC_KEY_B64_DEPTH)) != 0)
		return anc_err_set(err, found < 0 ? ANC_E_NOMEM : ANC_E_VERIFY,
		    "block %zu: %s", num, found < 0 ? "looking for private "
		    "keys" : "holds a private key in base64 or DER, expected "
		    "none");
	if (strcmp(type, "CERTIFICATE") == 0) {
		x = d2i_X509(NULL, &p, (long)len);
		ok = x != NULL && p == der + len;
		X509_free(x);
		c->certs++;
	} else if (strcmp(type, "X509 CRL") == 0) {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		ok = crl != NULL && p == der + len;
		X509_CRL_free(crl);
		c->crls++;
	} else
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected CERTIFICATE or X509 CRL", num, type);
	ERR_clear_error();
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %s does not "
		    "parse (or has trailing bytes)", num, type);
	return ANC_OK;
}

static int
check_pem(const unsigned char *d, size_t n, struct anc_verify_item *it,
    struct anc_err *err)
{
	struct pem_count c = { 0, 0 };
	size_t blocks = 0;
	int r;

	if ((r = anc_pem_each(d, n, NULL, scan_pem_block, &c, &blocks,
	    err)) != ANC_OK)
		return r;
	if (blocks == 0)
		return anc_err_set(err, ANC_E_VERIFY, "no PEM block, expected "
		    "certificates or CRLs");
	if (c.certs > 0 && c.crls > 0)
		return anc_err_set(err, ANC_E_VERIFY, "%zu certificates and %zu "
		    "CRLs, expected one kind per file", c.certs, c.crls);
	if (c.crls > 0) {
		snprintf(it->kind, sizeof(it->kind), "crl");
		snprintf(it->detail, sizeof(it->detail), "%zu CRL%s", c.crls,
		    c.crls > 1 ? "s" : "");
	} else {
		snprintf(it->kind, sizeof(it->kind), "%s", c.certs > 1 ?
		    "bundle" : "certificate");
		snprintf(it->detail, sizeof(it->detail), "%zu certificate%s",
		    c.certs, c.certs > 1 ? "s" : "");
	}
	return ANC_OK;
}

/*
 * A backup-keypair's public key: exactly one PUBLIC KEY block, a
 * SubjectPublicKeyInfo of an RSA key and nothing else.
 */
static int
pubkey_block(void *arg, size_t num, const char *type,
    const unsigned char *der, size_t len, struct anc_err *err)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	int ok;

	if (num != 1 || strcmp(type, "PUBLIC KEY") != 0)
		return anc_err_set(err, ANC_E_VERIFY, "block %zu: %.40s, "
		    "expected one PUBLIC KEY block", num, type);
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	ok = pk != NULL && p == der + len &&
	    EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA;
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (!ok)
		return anc_err_set(err, ANC_E_VERIFY, "block 1: not an RSA "
		    "public key (or trailing bytes)");
	return ANC_OK;
}

static int
check_pubkey(const unsigned char *d, size_t n, struct anc_verify_item *it,
    struct anc_err *err)
{
	size_t blocks = 0;
	int r;

	if ((r = anc_pem_each(d, n, NULL, pubkey_block, NULL, &blocks,
	    err)) != ANC_OK)
		return r;
	if (blocks != 1)
		return anc_err_set(err, ANC_E_VERIFY, "%zu PEM blocks, expected "
		    "one PUBLIC KEY", blocks);
	snprintf(it->detail, sizeof(it->detail), "RSA public key");
	return ANC_OK;
}

/* Which kind a file is, by its name. */
enum fkind {
	K_UNKNOWN, K_PEM, K_MANIFEST, K_HELM, K_TRANSCRIPT, K_README, K_PUBKEY
};

static const char *const kind_names[] = {
	"unknown", "pem", "manifest", "helm-values", "transcript", "readme",
	"public-key"
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static enum fkind
kind_of(const char *name)
{
	const char *base;
	int sub;

	if (anc_outbox_name_split(name, &sub, &base) != 0)
		return K_UNKNOWN;
	if (sub)
		return ends_with(base, ".yaml") ? K_MANIFEST : K_UNKNOWN;
	if (ends_with(base, ".pub.pem"))
		return K_PUBKEY;
	if (ends_with(base, ".pem"))
		return K_PEM;
	if (strncmp(base, HELM_PREFIX, strlen(HELM_PREFIX)) == 0 &&
	    ends_with(base + strlen(HELM_PREFIX), ".yaml"))
		return K_HELM;
	if (strcmp(base, "transcript.jsonl") == 0)
		return K_TRANSCRIPT;
	if (strcmp(base, "README.txt") == 0 || ends_with(base, ".README.txt"))
		return K_README;
	return K_UNKNOWN;
}

const char *
anc_outbox_kind(const char *name)
{
	return kind_names[kind_of(name)];
}

static int
text_kind(enum fkind k)
{
	return k == K_TRANSCRIPT || k == K_README;
}

/* A file of a kind that needs its bytes whole. */
static int
check_whole(enum fkind k, const unsigned char *d,
    size_t n, struct anc_verify_item *it, struct anc_err *err)
{
	/* Whatever its name, a wrapped key belongs on the backup medium. */
	if (memmem(d, n, ANC_WRAPPED_MAGIC, strlen(ANC_WRAPPED_MAGIC)) != NULL)
		return anc_err_set(err, ANC_E_VERIFY, "holds a wrapped key "
		    "(\"%s\"), which belongs on the backup medium; the outbox "
		    "never carries key material, wrapped or not",
		    ANC_WRAPPED_MAGIC);
	switch (k) {
	case K_PUBKEY:
		return check_pubkey(d, n, it, err);
	case K_PEM:
		return check_pem(d, n, it, err);
	case K_MANIFEST:
	case K_HELM:
		return anc_outbox_check_yaml(d, n, k == K_MANIFEST, it, err);
	case K_TRANSCRIPT:
	case K_README:
	case K_UNKNOWN:
	default:
		return anc_err_set(err, ANC_E_VERIFY, "not an allowed kind of "
		    "file, expected *.pem, *.pub.pem, %s/*.yaml, "
		    "helm-values-*.yaml, transcript.jsonl or README.txt",
		    ANC_OUTBOX_SUBDIR);
	}
}

int
anc_ov_content_init(struct anc_ov_content *c, const char *name,
    struct anc_err *err)
{
	memset(c, 0, sizeof(*c));
	anc_err_clear(&c->first);
	c->name = name;
	if (text_kind(kind_of(name)) ? (c->text = anc_ov_text_new()) == NULL :
	    (c->whole = anc_buf_new(ANC_BUF_WIPE)) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "%s", name);
	return ANC_OK;
}

int
anc_ov_content_piece(void *arg, const unsigned char *p, size_t n,
    struct anc_err *err)
{
	struct anc_ov_content *c = arg;

	(void)err;
	if (c->failed)
		return ANC_OK;
	if (c->text != NULL)
		c->code = anc_ov_text_piece(c->text, p, n, &c->first);
	else if (anc_buf_len(c->whole) + n > ANC_OUTBOX_FILE_MAX)
		c->code = anc_err_set(&c->first, ANC_E_VERIFY, "more than %u "
		    "bytes, expected at most that: the outbox writes no "
		    "larger %s file", ANC_OUTBOX_FILE_MAX,
		    anc_outbox_kind(c->name));
	else if (anc_buf_append(c->whole, p, n) != ANC_OK)
		c->code = anc_err_set(&c->first, ANC_E_NOMEM, "%s", c->name);
	c->failed = c->code != ANC_OK;
	return ANC_OK;
}

int
anc_ov_content_end(struct anc_ov_content *c, struct anc_verify_item *it,
    struct anc_err *err)
{
	enum fkind k = kind_of(c->name);
	size_t lines = 0;
	int r;

	if (c->failed) {
		*err = c->first;
		return c->code;
	}
	if (c->text == NULL)
		return check_whole(k, anc_buf_data(c->whole),
		    anc_buf_len(c->whole), it, err);
	if ((r = anc_ov_text_end(c->text, &lines, err)) != ANC_OK)
		return r;
	snprintf(it->detail, sizeof(it->detail), "%zu %s", lines,
	    k == K_TRANSCRIPT ? "records" : "lines");
	return ANC_OK;
}

void
anc_ov_content_free(struct anc_ov_content *c)
{
	anc_buf_free(c->whole);
	anc_ov_text_free(c->text);
	c->whole = NULL;
	c->text = NULL;
}

int
anc_outbox_check_content(const char *name, const unsigned char *d,
    size_t n, struct anc_verify_item *it, struct anc_err *err)
{
	struct anc_ov_content c;
	int r;

	if (!text_kind(kind_of(name)))
		return check_whole(kind_of(name), d, n, it, err);
	if ((r = anc_ov_content_init(&c, name, err)) == ANC_OK &&
	    (r = anc_ov_content_piece(&c, d, n, err)) == ANC_OK)
		r = anc_ov_content_end(&c, it, err);
	anc_ov_content_free(&c);
	return r;
}

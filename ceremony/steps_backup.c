/*
 * anchorage: the backup steps (docs/backup.md).  A key generated with
 * backup: wrap-with-trusted is copied from the script's token to the
 * backup token under dual control:
 *
 *   backup-keypair  backup token: an unwrap-only RSA-3072 key pair; its
 *                   public key goes to the outbox
 *   backup-trust    token, as SO: that public key becomes a trusted
 *                   wrapping key, for this session only
 *   backup-wrap     token: C_WrapKey; the blob goes to the backup medium
 *   backup-restore  backup token: C_UnwrapKey of the blob read back
 *   backup-verify   backup token: a fresh challenge signed there verifies
 *                   with the anchor certificate's public key
 *
 * While checking there are no tokens (e->bk is NULL): the steps only say
 * what they will do; validate.c has checked their references.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "anchorage/err.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/secmem.h"
#include "steps.h"
#include "anchorage/transcript.h"
#include "records.h"

#define CHALLENGE_LEN	32

/* While checking: nothing to do but say so. */
static int
checking(struct anc_engine *e, const struct anc_step *s)
{
	if (e->bk != NULL)
		return 0;
	anc_engine_say(e, "  %s needs both tokens: it runs with `ceremony run`",
	    anc_step_kind_name(s->kind));
	return 1;
}

/* What a failed run reports as left in the backup token. */
static void
made(struct anc_backup_ctx *bk, const char *what, const char *label)
{
	if (bk->nmade < sizeof(bk->made) / sizeof(bk->made[0]))
		snprintf(bk->made[bk->nmade++], sizeof(bk->made[0]),
		    "%s \"%s\" in the backup token", what, label);
}

/* A token's identity for records: label and serial. */
static json_t *
token_json(struct anc_token *t)
{
	struct anc_slot_info info;
	struct anc_err err;

	if (anc_token_info(t, &info, &err) != ANC_OK)
		return json_null();
	return json_pack("{s:o, s:o}", "label", anc_tr_str(info.label),
	    "serial", anc_tr_str(info.serial));
}

static int
record(struct anc_engine *e, const char *type, json_t *body,
    struct anc_err *err)
{
	if (e->tr == NULL) {
		json_decref(body);
		return ANC_OK;
	}
	return anc_tr_append(e->tr, type, body, err);
}

int
anc_step_backup_keypair(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *a;
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL;
	char spki[65], file[128];
	BIO *bio = NULL;
	BUF_MEM *mem;
	int r;

	if (checking(e, s))
		return ANC_OK;
	anc_engine_say(e, "  generating RSA-3072 unwrap key pair \"%s\" in the "
	    "backup token (this can take a while)", s->label);
	if ((r = anc_token_generate_unwrap_key(e->bk->backup, s->label, &ki,
	    err)) != ANC_OK)
		return r;
	made(e->bk, "unwrap key pair", s->label);
	if ((r = anc_token_public_key(e->bk->backup, s->label, &pub, err)) !=
	    ANC_OK)
		return r;
	if (anc_tr_spki_sha256(pub, spki) != 0 ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, pub) != 1) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "unwrap key \"%s\": public "
		    "key", s->label);
		goto out;
	}
	if ((r = anc_rec_key(e, &ki, spki, err)) != ANC_OK ||
	    (r = record(e, "backup-keypair", json_pack("{s:i, s:o, s:s, s:s, "
	    "s:s}", "step", e->step, "token", token_json(e->bk->backup),
	    "label", s->label, "key_type", "RSA 3072", "spki_sha256", spki),
	    err)) != ANC_OK)
		goto out;
	BIO_get_mem_ptr(bio, &mem);
	snprintf(file, sizeof(file), "%s.pub.pem", s->output);
	if ((r = anc_steps_write(e, file, mem->data, mem->length, 0644, err)) !=
	    ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_PUBKEY, s)) == NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "artifact %s", s->output);
		goto out;
	}
	a->pub = pub;
	pub = NULL;	/* transferred */
	anc_engine_say(e, "  unwrap key \"%s\": SPKI SHA-256 %s", s->label,
	    spki);
	/* success */
	r = ANC_OK;
 out:
	BIO_free(bio);
	EVP_PKEY_free(pub);
	return r;
}

int
anc_step_backup_trust(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *a;
	char spki[65];
	int r;

	if (checking(e, s))
		return ANC_OK;
	if ((a = anc_engine_find(e, s->unwrap_key)) == NULL || a->pub == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "unwrap key %s",
		    s->unwrap_key);
	if (anc_tr_spki_sha256(a->pub, spki) != 0)
		return anc_err_ossl(err, ANC_E_CRYPTO, "unwrap key");
	anc_engine_say(e, "  the security officer logs in to mark %s (SPKI "
	    "SHA-256 %s) trusted", s->unwrap_key, spki);
	if ((r = anc_token_trust_wrapping_key(e->bk->primary, e->bk->so_pin,
	    e->bk->so_pin_arg, a->pub, err)) != ANC_OK) {
		/* The user made way for the SO: log in again, so that the
		 * abort record can still be signed. */
		struct anc_err again;

		(void)anc_token_login(e->bk->primary, e->bk->pin,
		    e->bk->pin_arg, &again);
		return r;
	}
	/* The SO is logged out again; the user's PIN is asked once more. */
	anc_engine_say(e, "  security officer logged out; the user logs in "
	    "again");
	if ((r = anc_token_login(e->bk->primary, e->bk->pin, e->bk->pin_arg,
	    err)) != ANC_OK)
		return r;
	return record(e, "backup-trust", json_pack("{s:i, s:o, s:s, s:s, s:b, "
	    "s:b}", "step", e->step, "token", token_json(e->bk->primary),
	    "unwrap_key", s->unwrap_key, "spki_sha256", spki, "so_login", 1,
	    "session_only", 1), err);
}

int
anc_step_backup_wrap(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	const struct anc_step *trust = &e->c->steps[s->index - 2];
	struct anc_wrapped w = { ANC_WRAP_NONE, NULL, 0, NULL, 0 };
	struct anc_blob bb;
	struct anc_artifact *kek, *a;
	struct anc_key_info ki;
	EVP_PKEY *pub = NULL;
	char spki[65], kek_spki[65], hex[ANC_SHA256_HEX], file[128];
	char *blob = NULL;
	size_t len = 0;
	int r;

	memset(&bb, 0, sizeof(bb));
	if (checking(e, s))
		return ANC_OK;
	if ((kek = anc_engine_find(e, trust->unwrap_key)) == NULL ||
	    kek->pub == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "unwrap key");
	if ((r = anc_token_find_key(e->bk->primary, s->key, &ki, err)) !=
	    ANC_OK ||
	    (r = anc_token_public_key(e->bk->primary, s->key, &pub, err)) !=
	    ANC_OK)
		return r;
	if (anc_tr_spki_sha256(pub, spki) != 0 ||
	    anc_tr_spki_sha256(kek->pub, kek_spki) != 0) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "key \"%s\"", s->key);
		goto out;
	}
	if ((r = anc_token_wrap_key(e->bk->primary, s->key, &w, err)) !=
	    ANC_OK)
		goto out;
	snprintf(bb.ceremony, sizeof(bb.ceremony), "%s", e->c->name);
	snprintf(bb.label, sizeof(bb.label), "%s", ki.label);
	memcpy(bb.id, ki.id, ki.id_len);
	bb.id_len = ki.id_len;
	memcpy(bb.spki, spki, sizeof(spki));
	memcpy(bb.kek_spki, kek_spki, sizeof(kek_spki));
	bb.w = w;	/* borrowed: freed with w */
	if ((r = anc_blob_format(&bb, &blob, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "%s.wrapped", s->output);
	if ((r = anc_file_create(e->bk->medium_fd, file, 0600, blob, len,
	    err)) != ANC_OK) {
		anc_err_prefix(err, "backup medium %s", e->bk->medium);
		goto out;
	}
	anc_sha256_hex(blob, len, hex);
	anc_engine_say(e, "  wrote %s/%s (sha256 %s): the wrapped key, for the "
	    "backup medium only", e->bk->medium, file, hex);
	if ((r = record(e, "backup-wrap", json_pack("{s:i, s:o, s:o, s:s, "
	    "s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "step", e->step, "token",
	    token_json(e->bk->primary), "key", anc_tr_str(s->key),
	    "spki_sha256", spki, "unwrap_key", trust->unwrap_key,
	    "unwrap_key_spki_sha256", kek_spki, "scheme",
	    anc_wrap_scheme_name(w.scheme), "file", file, "medium",
	    anc_tr_str(e->bk->medium), "sha256", hex, "size", (json_int_t)len),
	    err)) != ANC_OK)
		goto out;
	if ((a = anc_engine_new_art(e, s->output, ANC_ART_WRAPPED, s)) ==
	    NULL) {
		r = anc_err_set(err, ANC_E_INTERNAL, "artifact %s", s->output);
		goto out;
	}
	a->raw = (unsigned char *)blob;
	a->raw_len = len;
	a->key_label = s->key;
	blob = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_wrapped_clear(&w);
	free(blob);
	EVP_PKEY_free(pub);
	return r;
}

int
anc_step_backup_restore(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *wa, *kek;
	struct anc_key_info ki;
	struct anc_blob b;
	unsigned char *data = NULL;
	EVP_PKEY *pub = NULL;
	char path[4200], hex[ANC_SHA256_HEX], spki[65], kek_spki[65];
	size_t len = 0;
	int r;

	memset(&b, 0, sizeof(b));
	if (checking(e, s))
		return ANC_OK;
	if ((wa = anc_engine_find(e, s->wrapped)) == NULL || wa->raw == NULL ||
	    (kek = anc_engine_find(e, s->unwrap_key)) == NULL ||
	    kek->pub == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "wrapped key");
	/* What the medium holds now, not what was meant to be written. */
	snprintf(path, sizeof(path), "%s/%s.wrapped", e->bk->medium,
	    s->wrapped);
	if ((r = anc_file_read(path, ANC_BLOB_MAX, &data, &len, err)) != ANC_OK)
		return r;
	anc_sha256_hex(data, len, hex);
	if (len != wa->raw_len || memcmp(data, wa->raw, len) != 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "%s (sha256 %s) is not the "
		    "blob the wrap wrote; nothing was changed", path, hex);
		goto out;
	}
	if ((r = anc_blob_parse(data, len, &b, err)) != ANC_OK) {
		anc_err_prefix(err, "%s", path);
		goto out;
	}
	/* The public half comes from the primary token, checked against
	 * what the blob names. */
	if ((r = anc_token_public_key(e->bk->primary, b.label, &pub, err)) !=
	    ANC_OK)
		goto out;
	if (anc_tr_spki_sha256(pub, spki) != 0 ||
	    anc_tr_spki_sha256(kek->pub, kek_spki) != 0) {
		r = anc_err_ossl(err, ANC_E_CRYPTO, "public keys");
		goto out;
	}
	if (strcmp(spki, b.spki) != 0 || strcmp(kek_spki, b.kek_spki) != 0) {
		r = anc_err_set(err, ANC_E_VERIFY, "%s names another key or "
		    "another unwrap key than this ceremony's; nothing was "
		    "changed", path);
		goto out;
	}
	if ((r = anc_token_unwrap_key(e->bk->backup, kek->step->label, &b.w,
	    b.label, b.id, b.id_len, pub, &ki, err)) != ANC_OK)
		goto out;
	made(e->bk, "key pair (private and public)", b.label);
	anc_engine_say(e, "  key \"%s\" restored in backup token \"%s\": "
	    "sensitive %d, extractable %d, sign %d", ki.label,
	    e->bk->backup_info.label, ki.sensitive, ki.extractable, ki.sign);
	if ((r = anc_rec_key(e, &ki, spki, err)) != ANC_OK)
		goto out;
	r = record(e, "backup-restore", json_pack("{s:i, s:o, s:o, s:s, s:s, "
	    "s:s, s:s}", "step", e->step, "token", token_json(e->bk->backup),
	    "key", anc_tr_str(b.label), "spki_sha256", spki, "file",
	    strrchr(path, '/') + 1, "sha256", hex, "scheme",
	    anc_wrap_scheme_name(b.w.scheme)), err);
 out:
	anc_wrapped_clear(&b.w);
	free(data);
	EVP_PKEY_free(pub);
	return r;
}

int
anc_step_backup_verify(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	unsigned char challenge[CHALLENGE_LEN], sig[1024];
	char chex[2 * CHALLENGE_LEN + 1], shex[ANC_SHA256_HEX], spki[65];
	struct anc_artifact *a;
	EVP_PKEY *copy = NULL, *pub;
	size_t siglen = 0;
	int r;

	if (checking(e, s))
		return ANC_OK;
	if ((a = anc_engine_find(e, s->certificate)) == NULL || a->cert == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate %s",
		    s->certificate);
	pub = X509_get0_pubkey(a->cert);
	/* The backup token's public key object must be the anchor's too. */
	if ((r = anc_token_public_key(e->bk->backup, s->key, &copy, err)) !=
	    ANC_OK)
		return r;
	if (EVP_PKEY_eq(copy, pub) != 1) {
		EVP_PKEY_free(copy);
		return anc_err_set(err, ANC_E_VERIFY, "key \"%s\" in the backup "
		    "token is not the key of %s", s->key, s->certificate);
	}
	EVP_PKEY_free(copy);
	if ((r = anc_token_random(e->bk->backup, challenge, sizeof(challenge),
	    err)) != ANC_OK)
		return r;
	anc_hex(challenge, sizeof(challenge), chex);
	anc_engine_say(e, "  challenge %s", chex);
	if ((r = anc_token_prove_key(e->bk->backup, s->key, pub, challenge,
	    sizeof(challenge), sig, sizeof(sig), &siglen, err)) != ANC_OK)
		return r;
	anc_sha256_hex(sig, siglen, shex);
	if (anc_tr_spki_sha256(pub, spki) != 0)
		return anc_err_ossl(err, ANC_E_CRYPTO, "certificate key");
	anc_engine_say(e, "  the backup token's signature verifies with the "
	    "public key of %s", s->certificate);
	return record(e, "backup-verify", json_pack("{s:i, s:o, s:s, s:s, s:s, "
	    "s:s, s:s, s:b}", "step", e->step, "token",
	    token_json(e->bk->backup), "key", s->key, "certificate",
	    s->certificate, "spki_sha256", spki, "challenge", chex,
	    "signature_sha256", shex, "verified", 1), err);
}

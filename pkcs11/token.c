/*
 * anchorage: one token, selected by URI, with one read-write session and
 * at most one login attempt.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "p11_int.h"

#define ANC_KEYS_MAX 1024

/* libp11's view of a slot and ours must be the same token: through a
 * proxy each caller has its own instance of the module. */
static int
same_token(PKCS11_SLOT *slot, CK_TOKEN_INFO *ti)
{
	char label[33], serial[17];

	anc_p11_str(label, sizeof(label), ti->label, sizeof(ti->label));
	anc_p11_str(serial, sizeof(serial), ti->serialNumber,
	    sizeof(ti->serialNumber));
	return slot->token != NULL && slot->token->label != NULL &&
	    slot->token->serialnr != NULL &&
	    strcmp(slot->token->label, label) == 0 &&
	    strcmp(slot->token->serialnr, serial) == 0;
}

static int
select_slot(struct anc_module *m, void *uri, const char *text,
    unsigned int *idx, struct anc_err *err)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID id;
	unsigned int i, found = 0;

	for (i = 0; i < m->nslots; i++) {
		if (m->slots[i].token == NULL)
			continue;
		id = PKCS11_get_slotid_from_slot(&m->slots[i]);
		if (m->fl->C_GetTokenInfo(id, &ti) != CKR_OK)
			continue;
		if (!anc_uri_match(uri, &ti))
			continue;
		if (!same_token(&m->slots[i], &ti))
			return anc_err_set(err, ANC_E_MODULE, "token %s: the "
			    "module numbers its slots differently for libp11 "
			    "and for anchorage; refusing to guess", text);
		if (found++ == 0)
			*idx = i;
	}
	if (found == 0)
		return anc_err_set(err, ANC_E_NOTOKEN, "token %s: no token of "
		    "module %s matches; see `anchorage token list`", text,
		    m->description);
	if (found > 1)
		return anc_err_set(err, ANC_E_URI, "token %s: %u tokens "
		    "match; add serial= to choose one", text, found);
	return ANC_OK;
}

/*
 * Every token call of anchorage goes through one session, its own (signing
 * too: sign.c), so a token that allows one session at a time works.  libp11
 * only loads the module and lists the slots; it is never asked for a
 * session, which 0.4.12 would wait for ever to get from such a token.  A
 * session refused outright means another application holds the token.
 */
static int
no_session(const char *uri, const struct anc_slot_info *info, CK_RV rv,
    struct anc_err *err)
{
	char limit[48] = "";

	/* No limit, or none said (a token that only refuses): no number. */
	if (info->max_sessions != ANC_P11_INFINITE &&
	    info->max_sessions != ANC_P11_UNAVAILABLE)
		snprintf(limit, sizeof(limit), " (it allows %lu at a time)",
		    info->max_sessions);
	return anc_err_ckr(err, ANC_E_TOKEN_BUSY, rv, "token %s (\"%s\", "
	    "serial %s): the module refused anchorage a session%s; another "
	    "application holds the token; close it and run again; nothing "
	    "was changed", uri, info->label, info->serial, limit);
}

int
anc_token_open(struct anc_module *m, const char *uri_text,
    struct anc_token **out, struct anc_err *err)
{
	struct anc_slot_info info;
	struct anc_token *t = NULL;
	void *uri = NULL;
	unsigned int idx = 0;
	CK_RV rv;
	int r = ANC_E_INTERNAL;

	if ((r = anc_uri_parse(uri_text, &uri, err)) != ANC_OK)
		goto out;
	if ((r = select_slot(m, uri, uri_text, &idx, err)) != ANC_OK)
		goto out;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "token");
		goto out;
	}
	t->m = m;
	t->slot = &m->slots[idx];
	t->slot_id = PKCS11_get_slotid_from_slot(t->slot);
	if ((r = anc_p11_slot_info(m, t->slot_id, &info, err)) != ANC_OK)
		goto out;
	rv = m->fl->C_OpenSession(t->slot_id, CKF_SERIAL_SESSION |
	    CKF_RW_SESSION, NULL, NULL, &t->session);
	if (rv == CKR_SESSION_COUNT) {
		r = no_session(uri_text, &info, rv, err);
		goto out;
	}
	if (rv != CKR_OK) {
		r = anc_err_ckr(err, rv == CKR_TOKEN_NOT_PRESENT ?
		    ANC_E_NOTOKEN : ANC_E_PKCS11, rv,
		    "token %s: C_OpenSession failed", uri_text);
		goto out;
	}
	t->have_session = 1;
	*out = t;
	t = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_uri_free(uri);
	anc_token_free(t);
	return r;
}

int
anc_token_info(struct anc_token *t, struct anc_slot_info *info,
    struct anc_err *err)
{
	return anc_p11_slot_info(t->m, t->slot_id, info, err);
}

int
anc_token_mechanisms(struct anc_token *t, unsigned long **mechs, size_t *n,
    struct anc_err *err)
{
	CK_MECHANISM_TYPE *v;
	CK_ULONG count = 0;
	CK_RV rv;

	rv = t->m->fl->C_GetMechanismList(t->slot_id, NULL, &count);
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetMechanismList failed");
	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "mechanism list");
	rv = t->m->fl->C_GetMechanismList(t->slot_id, v, &count);
	if (rv != CKR_OK) {
		free(v);
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GetMechanismList failed");
	}
	*mechs = v;	/* CK_MECHANISM_TYPE is unsigned long */
	*n = count;
	return ANC_OK;
}

static int
login_error(CK_RV rv, const char *who, const struct anc_slot_info *info,
    struct anc_err *err)
{
	/* The user's PIN is "the PIN"; the SO's is named. */
	const char *so = strcmp(who, "user") != 0 ? "security officer " : "";

	switch (rv) {
	case CKR_PIN_INCORRECT:
		return anc_err_ckr(err, ANC_E_PIN_INCORRECT, rv, "token \"%s\" "
		    "(serial %s): wrong %sPIN; anchorage makes one attempt per "
		    "run and does not retry", info->label, info->serial, so);
	case CKR_PIN_LOCKED:
		return anc_err_ckr(err, ANC_E_PIN_LOCKED, rv, "token \"%s\" "
		    "(serial %s): the %s PIN is locked%s", info->label,
		    info->serial, who, strcmp(who, "user") == 0 ? "; the "
		    "security officer must unlock it" : "");
	case CKR_PIN_LEN_RANGE:
		return anc_err_ckr(err, ANC_E_PIN_LEN, rv, "token \"%s\": the "
		    "%sPIN is shorter or longer than the token accepts",
		    info->label, so);
	case CKR_PIN_EXPIRED:
		return anc_err_ckr(err, ANC_E_LOGIN, rv, "token \"%s\": the "
		    "%sPIN has expired and must be changed first", info->label,
		    so);
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
		return anc_err_ckr(err, ANC_E_NOTOKEN, rv, "token \"%s\": "
		    "removed during login", info->label);
	default:
		return anc_err_ckr(err, ANC_E_LOGIN, rv, "token \"%s\": "
		    "C_Login %sfailed", info->label, *so ? "as security officer "
		    : "");
	}
}

/*
 * The login is a raw C_Login on our session: login state belongs to the
 * application, so libp11's session is logged in too, and libp11 never
 * holds a copy of the PIN (its own login keeps one for re-login after
 * fork).
 */
int
anc_p11_login(struct anc_token *t, CK_USER_TYPE user, anc_pin_fn fn,
    void *arg, struct anc_err *err)
{
	const char *who = user == CKU_SO ? "security officer" : "user";
	struct anc_slot_info info;
	struct anc_secret *pin = NULL;
	CK_RV rv;
	int r;

	if ((r = anc_token_info(t, &info, err)) != ANC_OK)
		return r;
	if (user == CKU_USER && info.pin_locked)
		return anc_err_set(err, ANC_E_PIN_LOCKED, "token \"%s\" (serial "
		    "%s): the user PIN is locked; not asking for it",
		    info.label, info.serial);
	if ((pin = anc_secret_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "PIN buffer");
	if ((r = fn(arg, &info, pin, err)) != ANC_OK)
		goto out;
	/* A PIN pad: no PIN crosses the host; the device asks for it. */
	if (info.protected_path)
		rv = t->m->fl->C_Login(t->session, user, NULL, 0);
	else
		rv = t->m->fl->C_Login(t->session, user,
		    (CK_UTF8CHAR_PTR)anc_secret_buf(pin), anc_secret_len(pin));
	/* Wiped before anything else can happen with it. */
	anc_secret_free(pin);
	pin = NULL;
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		r = login_error(rv, who, &info, err);
		goto out;
	}
	t->logged_in = 1;
	if (user == CKU_USER) {
		/* kept for context-specific logins (auth.c) */
		t->pin_fn = fn;
		t->pin_arg = arg;
	}
	/* success */
	r = ANC_OK;
 out:
	anc_secret_free(pin);
	return r;
}

int
anc_token_login(struct anc_token *t, anc_pin_fn fn, void *arg,
    struct anc_err *err)
{
	return anc_p11_login(t, CKU_USER, fn, arg, err);
}

int
anc_token_keys(struct anc_token *t, struct anc_key_info **keys, size_t *n,
    struct anc_err *err)
{
	CK_OBJECT_HANDLE *h = NULL;
	struct anc_key_info *v = NULL;
	size_t npriv = 0, npub = 0, i;
	int r = ANC_E_INTERNAL;

	if ((h = calloc(2 * ANC_KEYS_MAX, sizeof(*h))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "key list");
	if ((r = anc_p11_find(t, CKO_PRIVATE_KEY, NULL, NULL, 0, h,
	    ANC_KEYS_MAX, &npriv, err)) != ANC_OK)
		goto out;
	if ((r = anc_p11_find(t, CKO_PUBLIC_KEY, NULL, NULL, 0,
	    h + ANC_KEYS_MAX, ANC_KEYS_MAX, &npub, err)) != ANC_OK)
		goto out;
	if (npriv > ANC_KEYS_MAX || npub > ANC_KEYS_MAX) {
		r = anc_err_set(err, ANC_E_UNSAFE, "token holds more than %d "
		    "keys of one class; refusing a partial list", ANC_KEYS_MAX);
		goto out;
	}
	if ((v = calloc(npriv + npub + 1, sizeof(*v))) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "key list");
		goto out;
	}
	for (i = 0; i < npriv; i++)
		if ((r = anc_p11_key_info(t, h[i], &v[i], err)) != ANC_OK)
			goto out;
	for (i = 0; i < npub; i++)
		if ((r = anc_p11_key_info(t, h[ANC_KEYS_MAX + i],
		    &v[npriv + i], err)) != ANC_OK)
			goto out;
	*keys = v;
	v = NULL;	/* transferred */
	*n = npriv + npub;
	/* success */
	r = ANC_OK;
 out:
	free(v);
	free(h);
	return r;
}

int
anc_token_object_exists(struct anc_token *t, const char *label,
    const unsigned char *id, size_t id_len, int *found, struct anc_err *err)
{
	CK_OBJECT_HANDLE h;
	size_t n = 0;
	int r;

	*found = 0;
	if (label != NULL) {
		r = anc_p11_find(t, (CK_ULONG)-1, label, NULL, 0, &h, 1, &n,
		    err);
		if (r != ANC_OK)
			return r;
	}
	if (n == 0 && id != NULL && id_len > 0) {
		r = anc_p11_find(t, (CK_ULONG)-1, NULL, id, id_len, &h, 1, &n,
		    err);
		if (r != ANC_OK)
			return r;
	}
	*found = n > 0;
	return ANC_OK;
}

int
anc_token_find_key(struct anc_token *t, const char *label,
    struct anc_key_info *info, struct anc_err *err)
{
	CK_OBJECT_HANDLE h;
	int r;

	if ((r = anc_p11_find_one(t, CKO_PRIVATE_KEY, label, &h, err)) != ANC_OK)
		return r;
	return anc_p11_key_info(t, h, info, err);
}

int
anc_token_random(struct anc_token *t, unsigned char *buf, size_t len,
    struct anc_err *err)
{
	CK_RV rv;

	rv = t->m->fl->C_GenerateRandom(t->session, buf, len);
	if (rv == CKR_RANDOM_NO_RNG || rv == CKR_FUNCTION_NOT_SUPPORTED)
		return anc_err_ckr(err, ANC_E_TOKEN_LACKS, rv, "the token has "
		    "no random number generator anchorage can use; serial "
		    "numbers and key ids come from the token, never from the "
		    "host (docs/security.md)");
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "C_GenerateRandom failed");
	return ANC_OK;
}

int
anc_token_check_rng(struct anc_token *t, struct anc_err *err)
{
	struct anc_slot_info info;
	unsigned char probe[16];
	int r;

	if ((r = anc_token_info(t, &info, err)) != ANC_OK)
		return r;
	if (!info.has_rng)
		return anc_err_set(err, ANC_E_TOKEN_LACKS, "token \"%s\" (serial "
		    "%s): the module reports no random number generator "
		    "(CKF_RNG is not set); serial numbers and key ids must come "
		    "from the token, so anchorage refuses before changing "
		    "anything (docs/security.md)", info.label, info.serial);
	/* A flag is a claim; one draw is the proof, before any change. */
	r = anc_token_random(t, probe, sizeof(probe), err);
	OPENSSL_cleanse(probe, sizeof(probe));
	if (r != ANC_OK)
		return anc_err_prefix(err, "token \"%s\" (serial %s): nothing "
		    "was changed", info.label, info.serial);
	return ANC_OK;
}

/* The backup's transfer objects are session objects of this token: made
 * by backup.c, destroyed with the session here. */
void
anc_p11_drop_transfer(struct anc_token *t)
{
	if (!t->have_transfer)
		return;
	(void)t->m->fl->C_DestroyObject(t->session, t->transfer_aes);
	(void)t->m->fl->C_DestroyObject(t->session, t->transfer_pub);
	t->have_transfer = 0;
}

void
anc_token_close(struct anc_token *t)
{
	size_t i;

	if (t == NULL)
		return;
	t->pin_fn = NULL;
	t->pin_arg = NULL;
	for (i = 0; i < t->nsigners; i++) {
		EVP_PKEY_free(t->signers[i].pkey);
		t->signers[i].pkey = NULL;
	}
	t->nsigners = 0;
	for (i = 0; i < t->npubs; i++) {
		EVP_PKEY_free(t->pubs[i].pkey);
		t->pubs[i].pkey = NULL;
	}
	t->npubs = 0;
	anc_p11_drop_transfer(t);
	if (t->have_session) {
		if (t->logged_in)
			(void)t->m->fl->C_Logout(t->session);
		(void)t->m->fl->C_CloseSession(t->session);
		t->have_session = 0;
		t->logged_in = 0;
	}
}

void
anc_token_free(struct anc_token *t)
{
	if (t == NULL)
		return;
	anc_token_close(t);
	free(t);
}

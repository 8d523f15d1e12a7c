/*
 * anchorage: changing the token's user PIN (split-pin), with a raw
 * C_SetPIN on our logged-in session.  The current PIN is asked for once
 * more through the PIN callback rather than kept from the login, so no
 * PIN outlives the call that needs it.
 */
#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "p11_int.h"

static int
set_pin_error(CK_RV rv, const struct anc_slot_info *info, struct anc_err *err)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return anc_err_ckr(err, ANC_E_PIN_INCORRECT, rv, "token \"%s\" "
		    "(serial %s): the current PIN was wrong; the PIN was not "
		    "changed, and anchorage does not retry", info->label,
		    info->serial);
	case CKR_PIN_LOCKED:
		return anc_err_ckr(err, ANC_E_PIN_LOCKED, rv, "token \"%s\" "
		    "(serial %s): the user PIN is locked; the security officer "
		    "must unlock it", info->label, info->serial);
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_INVALID:
		return anc_err_ckr(err, ANC_E_PIN_LEN, rv, "token \"%s\": the "
		    "token does not accept the new PIN (32 hexadecimal "
		    "characters); the PIN was not changed", info->label);
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
		return anc_err_ckr(err, ANC_E_NOTOKEN, rv, "token \"%s\": "
		    "removed while the PIN was changed", info->label);
	default:
		return anc_err_ckr(err, ANC_E_PKCS11, rv, "token \"%s\": "
		    "C_SetPIN failed; the PIN may not have been changed",
		    info->label);
	}
}

int
anc_token_set_pin(struct anc_token *t, anc_pin_fn fn, void *arg,
    struct anc_secret *new_pin, struct anc_err *err)
{
	struct anc_slot_info info;
	struct anc_secret *old = NULL;
	CK_RV rv;
	int r;

	if (!t->logged_in)
		return anc_err_set(err, ANC_E_INTERNAL, "C_SetPIN before login");
	if ((r = anc_token_info(t, &info, err)) != ANC_OK)
		return r;
	if ((old = anc_secret_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "PIN buffer");
	if ((r = fn(arg, &info, old, err)) != ANC_OK)
		goto out;
	rv = t->m->fl->C_SetPIN(t->session,
	    (CK_UTF8CHAR_PTR)anc_secret_buf(old), anc_secret_len(old),
	    (CK_UTF8CHAR_PTR)anc_secret_buf(new_pin), anc_secret_len(new_pin));
	/* Wiped before anything else can happen with it. */
	anc_secret_free(old);
	old = NULL;
	if (rv != CKR_OK) {
		r = set_pin_error(rv, &info, err);
		goto out;
	}
	/* success */
	r = ANC_OK;
 out:
	anc_secret_free(old);
	return r;
}

int
anc_token_pin_fits(struct anc_token *t, size_t len, struct anc_err *err)
{
	struct anc_slot_info info;
	int r;

	if ((r = anc_token_info(t, &info, err)) != ANC_OK)
		return r;
	if (info.protected_path)
		return anc_err_set(err, ANC_E_TOKEN_LACKS, "token \"%s\" (serial "
		    "%s) takes its PIN on its own PIN pad (protected "
		    "authentication path): a PIN made by anchorage cannot be set "
		    "on it", info.label, info.serial);
	/* 0 and CK_UNAVAILABLE_INFORMATION: the token does not say. */
	if (info.max_pin_len == 0 ||
	    info.max_pin_len == CK_UNAVAILABLE_INFORMATION)
		return ANC_OK;
	if (len < info.min_pin_len || len > info.max_pin_len)
		return anc_err_set(err, ANC_E_TOKEN_LACKS, "token \"%s\" (serial "
		    "%s) accepts user PINs of %lu to %lu characters "
		    "(ulMinPinLen, ulMaxPinLen); the new PIN has %zu",
		    info.label, info.serial, info.min_pin_len,
		    info.max_pin_len, len);
	return ANC_OK;
}

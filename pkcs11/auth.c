/*
 * anchorage: context-specific logins (CKA_ALWAYS_AUTHENTICATE).
 *
 * A key with CKA_ALWAYS_AUTHENTICATE needs C_Login(CKU_CONTEXT_SPECIFIC)
 * between C_SignInit and C_Sign, every time.  The PIN is asked for again
 * through the login's own PIN callback (the --pin-source file read again,
 * the terminal, or the officers' shares once more), handed to C_Login and
 * wiped at once: no PIN is kept between two signatures.  A token with a
 * protected authentication path gets no PIN: the device asks for it.
 */
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "p11_int.h"

int
anc_p11_always_auth(struct anc_token *t, CK_OBJECT_HANDLE h)
{
	CK_BBOOL aa = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_ALWAYS_AUTHENTICATE, &aa, sizeof(aa) };

	return t->m->fl->C_GetAttributeValue(t->session, h, &a, 1) == CKR_OK &&
	    a.ulValueLen == sizeof(aa) && aa == CK_TRUE;
}

/* The key's label, for the prompt and the messages. */
static void
key_label(struct anc_token *t, CK_OBJECT_HANDLE h, char *label, size_t cap)
{
	CK_ATTRIBUTE l[] = { { CKA_LABEL, NULL, 0 } };
	struct anc_err ignored;

	label[0] = '\0';
	if (anc_p11_attrs(t, h, l, 1, &ignored) == ANC_OK) {
		anc_p11_str(label, cap, l[0].pValue, l[0].ulValueLen);
		anc_p11_attrs_free(l, 1);
	}
}

int
anc_p11_context_login(struct anc_token *t, CK_OBJECT_HANDLE h,
    struct anc_err *err)
{
	struct anc_slot_info info;
	struct anc_secret *pin = NULL;
	char label[129];
	CK_RV rv;
	int r;

	key_label(t, h, label, sizeof(label));
	if (t->pin_fn == NULL)
		return anc_err_set(err, ANC_E_LOGIN, "key \"%s\" needs a login "
		    "for each signature, and no PIN source is known", label);
	if ((r = anc_token_info(t, &info, err)) != ANC_OK)
		return r;
	snprintf(info.context_key, sizeof(info.context_key), "%s", label);
	if ((pin = anc_secret_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "PIN buffer");
	if ((r = t->pin_fn(t->pin_arg, &info, pin, err)) != ANC_OK)
		goto out;
	if (info.protected_path)
		rv = t->m->fl->C_Login(t->session, CKU_CONTEXT_SPECIFIC, NULL,
		    0);
	else
		rv = t->m->fl->C_Login(t->session, CKU_CONTEXT_SPECIFIC,
		    (CK_UTF8CHAR_PTR)anc_secret_buf(pin), anc_secret_len(pin));
	/* Wiped before anything else can happen with it. */
	anc_secret_free(pin);
	pin = NULL;
	if (rv != CKR_OK) {
		r = anc_err_ckr(err, rv == CKR_PIN_INCORRECT ?
		    ANC_E_PIN_INCORRECT : ANC_E_LOGIN, rv, "key \"%s\": the "
		    "context-specific login before its signature failed",
		    label);
		goto out;
	}
	if (t->ctx_fn != NULL)
		t->ctx_fn(t->ctx_arg, label);
	/* success */
	r = ANC_OK;
 out:
	anc_secret_free(pin);
	return r;
}

void
anc_token_on_context_login(struct anc_token *t, anc_context_login_fn fn,
    void *arg)
{
	t->ctx_fn = fn;
	t->ctx_arg = arg;
}

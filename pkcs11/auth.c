/*
 * anchorage: context-specific logins (CKA_ALWAYS_AUTHENTICATE).
 *
 * A key with CKA_ALWAYS_AUTHENTICATE needs C_Login(CKU_CONTEXT_SPECIFIC)
 * between C_SignInit and C_Sign, every time.  libp11 makes that call
 * itself, on its own session, and asks for the PIN through an OpenSSL
 * UI_METHOD: left alone it would prompt on the terminal, past
 * --pin-source and the quorum.  So the UI_METHOD is ours: it asks the
 * token's PIN callback again (the same file, terminal or officers' shares
 * as the login), hands the PIN straight into libp11's buffer, which libp11
 * wipes after C_Login, and wipes its own copy.  No PIN is kept between two
 * signatures.  A token with a protected authentication path never comes
 * here: libp11 then calls C_Login with no PIN and the device asks.
 */
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/secmem.h"
#include "p11_int.h"

/* libp11's prompt is "Enter PKCS#11 key PIN for LABEL:" (OpenSSL's
 * UI_construct_prompt); the label is what the officers need to see. */
static void
prompt_label(const char *prompt, char *label, size_t cap)
{
	const char *p = prompt != NULL ? strstr(prompt, " for ") : NULL;
	size_t n;

	label[0] = '\0';
	if (p == NULL)
		return;
	p += 5;
	n = strlen(p);
	if (n > 0 && p[n - 1] == ':')
		n--;
	snprintf(label, cap, "%.*s", (int)n, p);
}

static int
ui_read(UI *ui, UI_STRING *uis)
{
	struct anc_token *t = UI_get0_user_data(ui);
	struct anc_slot_info info;
	struct anc_secret *pin = NULL;
	struct anc_err err;
	int ok = 0;

	if (UI_get_string_type(uis) != UIT_PROMPT &&
	    UI_get_string_type(uis) != UIT_VERIFY)
		return 1;
	if (t == NULL || t->pin_fn == NULL ||
	    anc_token_info(t, &info, &err) != ANC_OK ||
	    (pin = anc_secret_new()) == NULL)
		return 0;
	prompt_label(UI_get0_output_string(uis), info.context_key,
	    sizeof(info.context_key));
	if (t->pin_fn(t->pin_arg, &info, pin, &err) != ANC_OK)
		goto out;
	/* Copied into libp11's own buffer, which it wipes after C_Login. */
	if (UI_set_result_ex(ui, uis, (const char *)anc_secret_buf(pin),
	    (int)anc_secret_len(pin)) != 0)
		goto out;
	t->ctx_logins++;
	if (t->ctx_fn != NULL)
		t->ctx_fn(t->ctx_arg, info.context_key);
	ok = 1;
 out:
	anc_secret_free(pin);
	return ok;
}

int
anc_p11_auth_install(struct anc_token *t, struct anc_err *err)
{
	struct anc_module *m = t->m;

	if (m->ui == NULL) {
		if ((m->ui = UI_create_method("anchorage PIN source")) == NULL ||
		    UI_method_set_reader(m->ui, ui_read) != 0)
			return anc_err_ossl(err, ANC_E_NOMEM, "PIN method");
	}
	if (PKCS11_set_ui_method(m->ctx, m->ui, t) != 0)
		return anc_err_ossl(err, ANC_E_PKCS11, "libp11: cannot take "
		    "the PIN method for context-specific logins");
	return ANC_OK;
}

void
anc_p11_auth_free(struct anc_module *m)
{
	if (m->ui != NULL) {
		if (m->ctx != NULL)
			(void)PKCS11_set_ui_method(m->ctx, NULL, NULL);
		UI_destroy_method(m->ui);
		m->ui = NULL;
	}
}

void
anc_token_on_context_login(struct anc_token *t, anc_context_login_fn fn,
    void *arg)
{
	t->ctx_fn = fn;
	t->ctx_arg = arg;
}

unsigned long
anc_token_context_logins(const struct anc_token *t)
{
	return t->ctx_logins;
}

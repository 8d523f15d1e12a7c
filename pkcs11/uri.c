/*
 * anchorage: RFC 7512 token URIs, parsed by p11-kit.
 *
 * A token is chosen by what it is (label, serial, manufacturer, model),
 * never by slot number, and a URI never carries a PIN or names a module.
 */
#include <stdlib.h>
#include <string.h>

#include <p11-kit/uri.h>

#include "anchorage/err.h"
#include "p11_int.h"

static int
has_token_attr(P11KitUri *u)
{
	CK_TOKEN_INFO *ti = p11_kit_uri_get_token_info(u);
	static const CK_UTF8CHAR zero[32];

	/* p11-kit leaves unset fields zero-filled; set ones are blank-padded. */
	return memcmp(ti->label, zero, sizeof(ti->label)) != 0 ||
	    memcmp(ti->serialNumber, zero, sizeof(ti->serialNumber)) != 0;
}

int
anc_uri_parse(const char *text, void **out, struct anc_err *err)
{
	P11KitUri *u;
	int pr, r = ANC_E_INTERNAL;

	if ((u = p11_kit_uri_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "token URI");
	pr = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, u);
	if (pr != P11_KIT_URI_OK) {
		r = anc_err_set(err, ANC_E_URI, "token URI \"%s\": %s; expected "
		    "pkcs11:token=LABEL or pkcs11:serial=SERIAL", text,
		    p11_kit_uri_message(pr));
		goto out;
	}
	if (p11_kit_uri_get_pin_value(u) != NULL ||
	    p11_kit_uri_get_pin_source(u) != NULL) {
		r = anc_err_set(err, ANC_E_URI, "token URI: a PIN in the URI is "
		    "refused; the PIN is asked for on the terminal or read "
		    "with --pin-source file:PATH");
		goto out;
	}
	if (p11_kit_uri_get_module_name(u) != NULL ||
	    p11_kit_uri_get_module_path(u) != NULL) {
		r = anc_err_set(err, ANC_E_URI, "token URI \"%s\": "
		    "module-name/module-path are refused; use --module", text);
		goto out;
	}
	if (p11_kit_uri_get_slot_id(u) != (CK_SLOT_ID)-1) {
		r = anc_err_set(err, ANC_E_URI, "token URI \"%s\": slot-id is "
		    "refused, slot numbers change; select by token= or serial=",
		    text);
		goto out;
	}
	if (p11_kit_uri_any_unrecognized(u)) {
		r = anc_err_set(err, ANC_E_URI, "token URI \"%s\": unknown "
		    "attribute; expected token, serial, manufacturer, model, "
		    "object, id or type", text);
		goto out;
	}
	if (!has_token_attr(u)) {
		r = anc_err_set(err, ANC_E_URI, "token URI \"%s\": names no "
		    "token; expected token=LABEL or serial=SERIAL", text);
		goto out;
	}
	*out = u;
	u = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	if (u != NULL)
		p11_kit_uri_free(u);
	return r;
}

int
anc_uri_match(void *uri, CK_TOKEN_INFO *ti)
{
	return p11_kit_uri_match_token_info(uri, ti);
}

void
anc_uri_free(void *uri)
{
	if (uri != NULL)
		p11_kit_uri_free(uri);
}

/* Blank-pad `src` into a PKCS#11 string field of `cap` bytes. */
static void
pad(CK_UTF8CHAR *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', cap);
	memcpy(dst, src, n < cap ? n : cap);
}

int
anc_token_uri(const struct anc_slot_info *s, char *buf, size_t cap,
    struct anc_err *err)
{
	P11KitUri *u;
	CK_TOKEN_INFO *ti;
	char *text = NULL;
	int r;

	if ((u = p11_kit_uri_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "token URI");
	/* Only label and serial: p11-kit leaves zero-filled fields out and
	 * percent-encodes the rest as RFC 7512 asks. */
	ti = p11_kit_uri_get_token_info(u);
	pad(ti->label, sizeof(ti->label), s->label);
	pad(ti->serialNumber, sizeof(ti->serialNumber), s->serial);
	if (p11_kit_uri_format(u, P11_KIT_URI_FOR_TOKEN, &text) !=
	    P11_KIT_URI_OK || strlen(text) >= cap)
		r = anc_err_set(err, ANC_E_INTERNAL, "token \"%s\": cannot "
		    "write its URI", s->label);
	else {
		memcpy(buf, text, strlen(text) + 1);
		r = ANC_OK;
	}
	free(text);
	p11_kit_uri_free(u);
	return r;
}

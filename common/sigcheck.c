/* anchorage: certificate signature checks, each made once (sigcheck.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "anchorage/sigcheck.h"

/* A success, as ex_data of the X509 it was made on. */
struct verified {
	EVP_PKEY *key;
	unsigned char *der;	/* the certificate as it was verified */
	int len;
};

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static int slot = -1;

static void
verified_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct verified *v = ptr;

	if (v == NULL)
		return;
	EVP_PKEY_free(v->key);
	OPENSSL_free(v->der);
	free(v);
}

static void
slot_new(void)
{
	/* No dup function: X509_dup re-encodes and starts with no record,
	 * and one would not match a changed copy anyway. */
	slot = X509_get_ex_new_index(0, NULL, NULL, NULL, verified_free);
}

static int
slot_get(void)
{
	if (!CRYPTO_THREAD_run_once(&once, slot_new))
		return -1;
	return slot;
}

/* Remember that x, as it is now, verified with key.  Best effort: a
 * success not remembered is only checked again. */
static void
remember(X509 *x, EVP_PKEY *key)
{
	struct verified *v, *old;
	int idx = slot_get();

	if (idx < 0 || (v = calloc(1, sizeof(*v))) == NULL)
		return;
	if ((v->len = i2d_X509(x, &v->der)) <= 0 || !EVP_PKEY_up_ref(key)) {
		verified_free(NULL, v, NULL, idx, 0, NULL);
		return;
	}
	v->key = key;
	/* ex_data's free function runs only when x is freed, so a record
	 * that is replaced is freed here. */
	old = X509_get_ex_data(x, idx);
	if (X509_set_ex_data(x, idx, v) != 1) {
		verified_free(NULL, v, NULL, idx, 0, NULL);
		return;
	}
	verified_free(NULL, old, NULL, idx, 0, NULL);
}

/* Was x, exactly as it is now, verified with a key equal to `key`? */
static int
remembered(X509 *x, EVP_PKEY *key)
{
	struct verified *v;
	unsigned char *der = NULL;
	int idx = slot_get(), len, same;

	if (idx < 0 || (v = X509_get_ex_data(x, idx)) == NULL)
		return 0;
	if ((len = i2d_X509(x, &der)) <= 0)
		return 0;
	same = len == v->len && memcmp(der, v->der, (size_t)len) == 0 &&
	    (v->key == key || EVP_PKEY_eq(v->key, key) == 1);
	OPENSSL_free(der);
	return same;
}

int
anc_sig_verify(X509 *x, EVP_PKEY *key)
{
	if (x == NULL || key == NULL || X509_verify(x, key) != 1)
		return 0;
	remember(x, key);
	return 1;
}

int
anc_sig_check(X509 *x, EVP_PKEY *key)
{
	if (x != NULL && key != NULL && remembered(x, key))
		return 1;
	return anc_sig_verify(x, key);
}

int
anc_sig_self_signed(X509 *x)
{
	return X509_self_signed(x, 0) == 1 &&
	    anc_sig_check(x, X509_get0_pubkey(x));
}

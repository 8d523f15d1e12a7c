/*
 * anchorage: internals of the token layer.  Nothing outside pkcs11/
 * includes this file.
 */
#ifndef ANCHORAGE_P11_INT_H
#define ANCHORAGE_P11_INT_H

#include <p11-kit/pkcs11.h>
#include <libp11.h>
#include <openssl/provider.h>

#include "anchorage/err.h"
#include "anchorage/token.h"

#define ANC_SIGNERS_MAX 16
#define ANC_KEY_ID_LEN 16

/* Inverse of anc_backup_policy_name(); -1 if unknown. */
ANC_MUST_CHECK
int anc_backup_policy_from_name(const char *name);

/* Log out and close the session.  Safe to call twice. */
void anc_token_close(struct anc_token *t);

/* The mechanisms that can serve a need, most preferred first, ending in
 * ANC_MECH_END (not 0: CKM_RSA_PKCS_KEY_PAIR_GEN is 0): CKM_ECDSA;
 * CKM_SHA256_RSA_PKCS, CKM_RSA_PKCS; ... */
const unsigned long *anc_need_mechs(const struct anc_need *n);

struct anc_module {
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int nslots;
	void *dl;		/* our own reference, only for C_GetFunctionList */
	CK_FUNCTION_LIST_PTR fl;	/* the module's own function list */
	int own_init;		/* fl needed a C_Initialize of its own */
	char manufacturer[33];
	char description[33];
	OSSL_PROVIDER *prov;	/* token signing (sign.c), once loaded */
};

/* A libp11 private key handed out as an EVP_PKEY, fetched once; or a
 * public key read from the token, kept for the next caller. */
struct anc_signer {
	char label[129];
	EVP_PKEY *pkey;
};

struct anc_token {
	struct anc_module *m;		/* borrowed */
	PKCS11_SLOT *slot;		/* borrowed from m->slots */
	CK_SLOT_ID slot_id;
	CK_SESSION_HANDLE session;	/* our raw read-write session */
	int have_session;
	int logged_in;
	struct anc_signer signers[ANC_SIGNERS_MAX];
	size_t nsigners;
	/* Public keys read back, by label: a label is never reused and a key
	 * never changes, so each is read once per session. */
	struct anc_signer pubs[ANC_SIGNERS_MAX];
	size_t npubs;
	/* The login's PIN source, asked again for each context-specific
	 * login (CKA_ALWAYS_AUTHENTICATE); never a PIN. */
	anc_pin_fn pin_fn;
	void *pin_arg;
	anc_context_login_fn ctx_fn;
	void *ctx_arg;
	/* Backup: the trusted session objects the SO made for one wrap. */
	CK_OBJECT_HANDLE transfer_pub, transfer_aes;
	int have_transfer;
};

/*
 * C_GenerateKeyPair returned `rv`: the error to report.  When the module
 * refused the template, name the attribute it refused if a throwaway
 * session key can tell (EC), else list the template; ANC_E_TOKEN_LACKS.
 */
ANC_MUST_CHECK
int anc_p11_template_refused(struct anc_token *t, CK_MECHANISM *mech,
    const CK_ATTRIBUTE *pub, CK_ULONG npub, const CK_ATTRIBUTE *priv,
    CK_ULONG npriv, const char *label, const char *alg, CK_RV rv,
    struct anc_err *err);

/* Does private key `h` need a login for each signature
 * (CKA_ALWAYS_AUTHENTICATE)? */
int anc_p11_always_auth(struct anc_token *t, CK_OBJECT_HANDLE h);

/*
 * Between C_SignInit and C_Sign with a private key `h` that needs it
 * (anc_p11_always_auth): the context-specific login, with the PIN from
 * the login's source (auth.c).
 */
ANC_MUST_CHECK
int anc_p11_context_login(struct anc_token *t, CK_OBJECT_HANDLE h,
    struct anc_err *err);

/*
 * The bare EC point of a CKA_EC_POINT value `v[len]` for a curve whose
 * field is `field` bytes: PKCS#11 says DER OCTET STRING, some tokens give
 * the point raw.  Decided by length, never by trying to parse: a raw
 * point can look like a DER header.  ANC_OK with *pt and *ptlen pointing into
 * v, or ANC_E_UNSAFE.
 */
ANC_MUST_CHECK
int anc_p11_ec_point(const unsigned char *v, size_t len, size_t field,
    const unsigned char **pt, size_t *ptlen, struct anc_err *err);

/* sign_token.c: RSA or EC, and the byte length of one EC coordinate or
 * of the RSA modulus (0: not an algorithm anchorage signs with). */
ANC_MUST_CHECK
int anc_p11_key_is_rsa(enum anc_keyalg alg);
ANC_MUST_CHECK
size_t anc_p11_key_bytes(enum anc_keyalg alg);

/*
 * sign_token.c: sign `len` bytes of `data` with the private key `h` of `t`
 * (of algorithm `alg`; first the context-specific login when `always_auth`)
 * and digest `md` (SHA-256, -384 or -512), the
 * mechanism chosen from the token's list; the signature as X.509 carries
 * it into sig[0..sigsize).  1 on success; 0 with the reason raised on
 * OpenSSL's error stack, where the caller's message shows it.
 */
ANC_MUST_CHECK
int anc_p11_token_sign(struct anc_token *t, CK_OBJECT_HANDLE h,
    int always_auth, enum anc_keyalg alg, const EVP_MD *md, const unsigned char *data,
    size_t len, unsigned char *sig, size_t *siglen, size_t sigsize);

/* Load the provider behind the token's signing keys (once per module). */
ANC_MUST_CHECK
int anc_sign_provider_load(struct anc_module *m, struct anc_err *err);

/*
 * An EVP_PKEY that signs with the private key `h` of `t` through raw
 * C_SignInit/C_Sign on t's session, the mechanism chosen from the token's
 * list (sign.c), with a context-specific login before each signature
 * when `always_auth` (the key's CKA_ALWAYS_AUTHENTICATE, read once with
 * the key: on a network HSM each question is a round trip; should another
 * application set it later, the token refuses the signature).  Owned by
 * the caller; valid while t's session is open.
 */
ANC_MUST_CHECK
int anc_sign_key_new(struct anc_token *t, CK_OBJECT_HANDLE h,
    enum anc_keyalg alg, int always_auth, EVP_PKEY **out,
    struct anc_err *err);

/* Log in as the user (CKU_USER) or the SO (CKU_SO), one attempt; the PIN
 * is wiped as soon as C_Login returns.  `who` names the role in messages. */
ANC_MUST_CHECK
int anc_p11_login(struct anc_token *t, CK_USER_TYPE user, anc_pin_fn fn,
    void *arg, struct anc_err *err);

/*
 * The key-specific attributes of a public key object made from `pk`:
 * CKA_MODULUS and CKA_PUBLIC_EXPONENT, or CKA_EC_PARAMS and CKA_EC_POINT
 * (a DER OCTET STRING, as PKCS#11 2.40 wants).  a[0..1] get malloc'd
 * values (anc_p11_attrs_free); *kt the key type.
 */
ANC_MUST_CHECK
int anc_p11_pub_attrs(EVP_PKEY *pk, CK_ATTRIBUTE a[2], CK_KEY_TYPE **kt,
    struct anc_err *err);

/* RSA-OAEP's parameters for a wrapping scheme (MGF1 over the same hash). */
CK_RSA_PKCS_OAEP_PARAMS *anc_p11_oaep_params(enum anc_wrap_scheme s);

/* Destroy the backup transfer objects, if any (best effort). */
void anc_p11_drop_transfer(struct anc_token *t);

/* A random CKA_ID, refused if the label or the id is already in use;
 * `what` names the step in messages. */
ANC_MUST_CHECK
int anc_p11_new_id(struct anc_token *t, const char *what, const char *label,
    unsigned char id[ANC_KEY_ID_LEN], struct anc_err *err);

/* Record a failed PKCS#11 call: message plus the CK_RV's name. */
int anc_err_ckr(struct anc_err *e, int code, CK_RV rv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The CK_RV's name, "CKR_0x%08lx" for unknown ones (static buffer). */
const char *anc_ckr_name(CK_RV rv);

/* Slot and token information for one slot id. */
ANC_MUST_CHECK
int anc_p11_slot_info(struct anc_module *m, CK_SLOT_ID id,
    struct anc_slot_info *s, struct anc_err *err);

/* Copy a blank-padded PKCS#11 string into a NUL-terminated, trimmed one. */
void anc_p11_str(char *dst, size_t cap, const CK_UTF8CHAR *src, size_t len);

/*
 * Find objects of `cls` (or any class when cls is (CK_ULONG)-1) matching a
 * label and/or id.  Handles go into `out` (at most `cap`); *n gets the
 * number found (which may exceed cap).
 */
ANC_MUST_CHECK
int anc_p11_find(struct anc_token *t, CK_ULONG cls, const char *label,
    const unsigned char *id, size_t id_len, CK_OBJECT_HANDLE *out,
    size_t cap, size_t *n, struct anc_err *err);

/* The one object of class `cls` labelled `label`: ANC_E_NOKEY if none,
 * ANC_E_UNSAFE if several. */
ANC_MUST_CHECK
int anc_p11_find_one(struct anc_token *t, CK_ULONG cls, const char *label,
    CK_OBJECT_HANDLE *h, struct anc_err *err);

/* Read the attributes of a key object into *info. */
ANC_MUST_CHECK
int anc_p11_key_info(struct anc_token *t, CK_OBJECT_HANDLE h,
    struct anc_key_info *info, struct anc_err *err);

/*
 * Read the variable-length attributes a[i].type of one object, in two
 * calls (all sizes, then all values).  Each a[i].pValue becomes a
 * NUL-terminated copy owned by the caller (anc_p11_attrs_free), or NULL
 * with ulValueLen 0 when the attribute is absent or unreadable.
 */
ANC_MUST_CHECK
int anc_p11_attrs(struct anc_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *a,
    size_t n, struct anc_err *err);
void anc_p11_attrs_free(CK_ATTRIBUTE *a, size_t n);

/*
 * C_GenerateKeyPair with the ceremony's strict template (keys.c): the
 * private key PRIVATE, SENSITIVE, SIGN true; EXTRACTABLE, DECRYPT, UNWRAP,
 * DERIVE false (with `backup` wrap-with-trusted: EXTRACTABLE and
 * WRAP_WITH_TRUSTED true); `label` and the ANC_KEY_ID_LEN bytes of `id`
 * on both halves.  CKA_TOKEN is `on_token`: false makes session objects,
 * which `token probe` uses.  Checks nothing about existing objects.
 */
ANC_MUST_CHECK
int anc_p11_generate(struct anc_token *t, enum anc_keyalg alg,
    const char *label, enum anc_backup_policy backup,
    const unsigned char *id, int on_token, CK_OBJECT_HANDLE *pub,
    CK_OBJECT_HANDLE *priv, struct anc_err *err);

/* DER OID (CKA_EC_PARAMS) of an EC keyalg; NULL for RSA. */
const unsigned char *anc_p11_curve_oid(enum anc_keyalg alg, size_t *len);

/* Parse and check a token URI (p11-kit); *uri owned by the caller. */
ANC_MUST_CHECK
int anc_uri_parse(const char *text, void **uri, struct anc_err *err);
ANC_MUST_CHECK
int anc_uri_match(void *uri, CK_TOKEN_INFO *ti);
void anc_uri_free(void *uri);

#endif /* ANCHORAGE_P11_INT_H */

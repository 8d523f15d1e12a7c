/*
 * anchorage: the token layer, the only code that talks to a PKCS#11 module.
 *
 * libp11 loads the module, enumerates slots, logs in and hands out an
 * EVP_PKEY that signs inside the token.  What libp11 0.4.12 cannot do (key
 * generation with a strict template, attribute read-back, random bytes on
 * our own session) goes through the module's own function list, on the
 * slot libp11 opened.  The libp11 engine is never loaded.
 *
 * Not thread-safe: one thread, one module, one token per process.  Never
 * fork after anc_token_login(): libp11 would log in again in the child with
 * a cached copy of the PIN.
 */
#ifndef ANCHORAGE_TOKEN_H
#define ANCHORAGE_TOKEN_H

#include <stddef.h>

#include <openssl/evp.h>

#include "anchorage/err.h"

struct anc_secret;
struct anc_module;
struct anc_token;

/* Key algorithms a ceremony may generate in a token. */
enum anc_keyalg {
	ANC_KEY_NONE = 0,
	ANC_KEY_EC_P256,
	ANC_KEY_EC_P384,
	ANC_KEY_RSA_3072,
	ANC_KEY_RSA_4096
};

/*
 * How a key may ever leave its token (docs/backup.md).  NONE: never
 * (CKA_EXTRACTABLE false).  WRAP_WITH_TRUSTED: SENSITIVE, EXTRACTABLE and
 * CKA_WRAP_WITH_TRUSTED, so the token itself wraps it only under a key the
 * security officer marked CKA_TRUSTED, and never shows it in the clear.
 */
enum anc_backup_policy {
	ANC_BACKUP_NONE = 0,
	ANC_BACKUP_WRAP_WITH_TRUSTED
};

/* "none", "wrap-with-trusted". */
const char *anc_backup_policy_name(enum anc_backup_policy p);

/* "ecdsa-p256" etc.; NULL for ANC_KEY_NONE. */
const char *anc_keyalg_name(enum anc_keyalg alg);

#define ANC_P11_UNAVAILABLE	(~0UL)	/* CK_UNAVAILABLE_INFORMATION */
#define ANC_P11_INFINITE	0UL	/* CK_EFFECTIVELY_INFINITE */

/* A slot and the token in it, as C_GetSlotInfo/C_GetTokenInfo report. */
struct anc_slot_info {
	unsigned long slot_id;	/* for diagnosis only: never used to select */
	char description[65];
	int token_present;
	char label[33];
	char manufacturer[33];
	char model[17];
	char serial[17];
	char hw_version[8];
	char fw_version[8];
	int initialized;
	int login_required;
	int has_rng;
	int read_only;
	int pin_count_low;	/* a wrong PIN was entered since last login */
	int pin_final_try;	/* one more wrong PIN locks it */
	int pin_locked;
	int user_pin_initialized;	/* a user PIN was set (C_InitPIN) */
	int protected_path;	/* the PIN is typed on the device's own pad */
	unsigned long flags;	/* every CKF_ token flag, as reported */
	unsigned long min_pin_len, max_pin_len;	/* ulMinPinLen, ulMaxPinLen */
	/* ulMaxSessionCount, ulMaxRwSessionCount as reported:
	 * ANC_P11_INFINITE no limit, ANC_P11_UNAVAILABLE not said */
	unsigned long max_sessions, max_rw_sessions;
	/* For the PIN callback only: the key whose one signature needs a
	 * context-specific login (CKA_ALWAYS_AUTHENTICATE), else "". */
	char context_key[129];
};

/* Attributes of a key object, read back from the token. -1: not readable. */
struct anc_key_info {
	int is_private;		/* CKO_PRIVATE_KEY (1) or CKO_PUBLIC_KEY (0) */
	char label[129];
	unsigned char id[64];
	size_t id_len;
	enum anc_keyalg alg;	/* ANC_KEY_NONE for other types and sizes */
	char type[32];		/* "EC P-256", "RSA 3072", ... */
	int token, private_, modifiable;
	int sensitive, extractable, always_sensitive, never_extractable, local;
	int sign, verify, decrypt, encrypt, unwrap, wrap, derive;
	/* CKA_ALWAYS_AUTHENTICATE: each signature needs a context-specific
	 * login (private keys only) */
	int always_authenticate;
	int wrap_with_trusted, trusted;
};

/*
 * The backup policy a private key's attributes express: "none" (not
 * extractable), "wrap-with-trusted" (extractable only under a trusted
 * key), "extractable" (any wrapping key may take it: unsafe), or
 * "unknown" (the token does not say).  NULL for a public key.
 */
const char *anc_key_backup(const struct anc_key_info *ki);

/*
 * Load a PKCS#11 module and initialise it.  `path` must be an absolute path
 * to a shared object; `args`, when not NULL, goes to C_Initialize in
 * pReserved, as NSS softokn needs ("configdir='sql:/path' certPrefix=''
 * keyPrefix='' secmod='secmod.db'").  Returns ANC_OK or ANC_E_MODULE.
 */
ANC_MUST_CHECK
int anc_module_load_args(const char *path, const char *args,
    struct anc_module **out, struct anc_err *err);
/* The same without arguments. */
ANC_MUST_CHECK
int anc_module_load(const char *path, struct anc_module **out,
    struct anc_err *err);

/* Finalize and unload the module.  Every token opened from it must have
 * been freed before.  anc_module_free(NULL) does nothing. */
void anc_module_free(struct anc_module *m);

/* The module's manufacturer and library description, for evidence. */
const char *anc_module_manufacturer(const struct anc_module *m);
const char *anc_module_description(const struct anc_module *m);

/*
 * Every slot of the module.  *slots is an array of *n entries owned by the
 * caller (free()).
 */
ANC_MUST_CHECK
int anc_module_slots(struct anc_module *m, struct anc_slot_info **slots,
    size_t *n, struct anc_err *err);

/*
 * Initialise the first uninitialised token of the module (a rehearsal's
 * throwaway SoftHSM2 token): C_InitToken with `label` (1 to 32 bytes,
 * blank-padded) and the SO PIN, then C_InitPIN with the user PIN.  The PINs
 * stay in the caller's secrets.  The slot list is read again afterwards.
 * Returns ANC_OK, ANC_E_NOTOKEN (no blank token), ANC_E_PKCS11.
 */
ANC_MUST_CHECK
int anc_module_init_token(struct anc_module *m, const char *label,
    struct anc_secret *so_pin, struct anc_secret *user_pin,
    struct anc_err *err);

/*
 * The token label an RFC 7512 URI asks for (token=), trimmed, into
 * label[cap]; "" when the URI selects by other attributes only.  The URI
 * is checked as anc_token_open() checks it.
 */
ANC_MUST_CHECK
int anc_uri_token_label(const char *uri, char *label, size_t cap,
    struct anc_err *err);

/*
 * The RFC 7512 URI that selects this token: token= and serial=, each
 * percent-encoded ("pkcs11:token=NSS%20Certificate%20DB;serial=...").
 */
ANC_MUST_CHECK
int anc_token_uri(const struct anc_slot_info *s, char *buf, size_t cap,
    struct anc_err *err);

/*
 * Select exactly one token by an RFC 7512 URI (token=, serial=,
 * manufacturer=, model=; object=/id=/type= are allowed and ignored here).
 * A URI carrying pin-value or pin-source is refused (ANC_E_URI), as is a
 * URI that matches no token (ANC_E_NOTOKEN) or several (ANC_E_URI).
 * Opens a read-write session; does not log in.
 */
ANC_MUST_CHECK
int anc_token_open(struct anc_module *m, const char *uri,
    struct anc_token **out, struct anc_err *err);

/* Token and slot information, refreshed from the module. */
ANC_MUST_CHECK
int anc_token_info(struct anc_token *t, struct anc_slot_info *info,
    struct anc_err *err);

/*
 * The mechanisms the token supports, as CKM_ numbers.  *mechs is owned by
 * the caller (free()).
 */
ANC_MUST_CHECK
int anc_token_mechanisms(struct anc_token *t, unsigned long **mechs,
    size_t *n, struct anc_err *err);

/* "CKM_ECDSA" or "CKM_0x%lx" in a static buffer. */
const char *anc_mechanism_name(unsigned long mech);

/* "CKR_MECHANISM_INVALID" or "CKR_0x%08lx" in a static buffer. */
const char *anc_rv_name(unsigned long rv);

/*
 * Provides the PIN: fills `pin` (anc_secret_buf/anc_secret_set_len) and
 * returns ANC_OK, or an error code with `err` set.  `info` describes the
 * token, including the PIN flags, so the caller can warn before the one
 * attempt.  When info->protected_path is set the PIN is entered on the
 * device: the callback asks for nothing, tells the officers to use the
 * device's PIN pad, and leaves `pin` empty.  When info->context_key is
 * not empty the PIN is asked again for one signature with that key
 * (CKA_ALWAYS_AUTHENTICATE): from the same source as the login.
 */
typedef int (*anc_pin_fn)(void *arg, const struct anc_slot_info *info,
    struct anc_secret *pin, struct anc_err *err);

/*
 * Log in as the user with exactly one attempt.  Refuses without asking for
 * a PIN when the token reports the PIN locked.  The PIN is wiped as soon as
 * C_Login returns.  With a protected authentication path C_Login gets no
 * PIN (the device asks for it).  Returns ANC_OK, ANC_E_PIN_INCORRECT,
 * ANC_E_PIN_LOCKED, ANC_E_PIN_LEN, ANC_E_LOGIN, or the callback's error.
 *
 * `fn` and `arg` stay with the token for context-specific logins: a key
 * with CKA_ALWAYS_AUTHENTICATE needs the PIN again before each signature,
 * and it is asked for through `fn` then, used once and wiped; no PIN is
 * kept between signatures.  They must stay valid until anc_token_free().
 */
ANC_MUST_CHECK
int anc_token_login(struct anc_token *t, anc_pin_fn fn, void *arg,
    struct anc_err *err);

/*
 * Called each time the PIN was handed over for a context-specific login
 * (one per signature with a CKA_ALWAYS_AUTHENTICATE key), with the key's
 * label, for the transcript.  Whether the token accepted it shows in the
 * signature's outcome.  NULL removes it.
 */
typedef void (*anc_context_login_fn)(void *arg, const char *key_label);
void anc_token_on_context_login(struct anc_token *t, anc_context_login_fn fn,
    void *arg);

/*
 * The token must be able to draw random numbers (CKF_RNG and a test
 * C_GenerateRandom): serial numbers and key ids come from it, never from
 * the host.  ANC_E_TOKEN_LACKS, naming the module's limitation, if not.
 */
ANC_MUST_CHECK
int anc_token_check_rng(struct anc_token *t, struct anc_err *err);

/*
 * Key objects (private and public) in the token.  Needs login to see
 * private objects.  *keys is owned by the caller (free()).
 */
ANC_MUST_CHECK
int anc_token_keys(struct anc_token *t, struct anc_key_info **keys,
    size_t *n, struct anc_err *err);

/*
 * Is any object in the token labelled `label` (or, if id_len > 0, with that
 * CKA_ID)?  Sets *found to 1 or 0.
 */
ANC_MUST_CHECK
int anc_token_object_exists(struct anc_token *t, const char *label,
    const unsigned char *id, size_t id_len, int *found,
    struct anc_err *err);

/*
 * The private key labelled `label`, with its attributes.  Exactly one must
 * exist: ANC_E_NOKEY if none, ANC_E_UNSAFE if several.
 */
ANC_MUST_CHECK
int anc_token_find_key(struct anc_token *t, const char *label,
    struct anc_key_info *info, struct anc_err *err);

/*
 * Generate a key pair inside the token with a strict template: private
 * key TOKEN, PRIVATE, SENSITIVE, SIGN true; EXTRACTABLE, DECRYPT, UNWRAP,
 * DERIVE false; a random 16-byte CKA_ID from the token; the same label and
 * id on both halves.  With ANC_BACKUP_WRAP_WITH_TRUSTED, EXTRACTABLE and
 * WRAP_WITH_TRUSTED are true instead (and NEVER_EXTRACTABLE is false).
 * Refuses (ANC_E_EXISTS) a label or id already present.  The private
 * key's attributes are read back into *info and checked.  Whenever the key
 * pair was generated, even if the read-back then refuses it
 * (ANC_E_UNSAFE), info->id_len is non-zero and info names it; when
 * nothing was generated, info->id_len is 0.
 */
ANC_MUST_CHECK
int anc_token_generate_key(struct anc_token *t, enum anc_keyalg alg,
    const char *label, enum anc_backup_policy backup,
    struct anc_key_info *info, struct anc_err *err);

/* `len` random bytes from the token's generator (C_GenerateRandom). */
ANC_MUST_CHECK
int anc_token_random(struct anc_token *t, unsigned char *buf, size_t len,
    struct anc_err *err);

/*
 * Change the user PIN of a logged-in token to `new_pin` (raw C_SetPIN on
 * our session, one attempt).  The current PIN is asked for once more
 * through `fn` and wiped as soon as C_SetPIN returns; nothing keeps it
 * from the login.  Returns ANC_OK, ANC_E_PIN_INCORRECT (the current PIN
 * was wrong: nothing changed), ANC_E_PIN_LOCKED, ANC_E_PIN_LEN (the token
 * refuses the new PIN), ANC_E_PKCS11, or the callback's error.
 */
ANC_MUST_CHECK
int anc_token_set_pin(struct anc_token *t, anc_pin_fn fn, void *arg,
    struct anc_secret *new_pin, struct anc_err *err);

/*
 * Can the token take a user PIN of `len` characters?  Its ulMinPinLen and
 * ulMaxPinLen say (a token that reports no maximum is taken at its word
 * by C_SetPIN later), and a PIN pad takes no PIN from the host at all.
 * ANC_OK, or ANC_E_TOKEN_LACKS naming the limits.
 */
ANC_MUST_CHECK
int anc_token_pin_fits(struct anc_token *t, size_t len, struct anc_err *err);

/*
 * The public key of the key pair labelled `label`, built from the public
 * key object's attributes (CKA_EC_PARAMS/CKA_EC_POINT or
 * CKA_MODULUS/CKA_PUBLIC_EXPONENT) without using the private key.  Read
 * from the token once per label and session, then shared: a reference
 * owned by the caller (EVP_PKEY_free), never to be modified.
 */
ANC_MUST_CHECK
int anc_token_public_key(struct anc_token *t, const char *label,
    EVP_PKEY **out, struct anc_err *err);

/*
 * An EVP_PKEY whose signatures are made in the token, with C_SignInit and
 * C_Sign on our session (not libp11's, which forces CKM_RSA_PKCS).  The
 * mechanism comes from the token's list: for RSA, CKM_SHA256_RSA_PKCS
 * (SHA384, SHA512 as the digest asks) when listed for signing, else
 * CKM_RSA_PKCS over a DigestInfo; for EC, CKM_ECDSA over the digest.
 * Digests: SHA-256, SHA-384, SHA-512.  Borrowed: owned by the token and
 * valid until anc_token_free(); do not free it.
 */
ANC_MUST_CHECK
int anc_token_signer(struct anc_token *t, const char *label,
    EVP_PKEY **out, struct anc_err *err);

/* The algorithm of a key anc_token_signer() made; ANC_KEY_NONE for any
 * other key. */
enum anc_keyalg anc_token_key_alg(EVP_PKEY *key);

/*
 * Backup of a wrap-with-trusted key to a second token (docs/backup.md): an
 * AES-256 transfer key under the backup token's unwrap key with RSA-OAEP
 * (SHA-256, or SHA-1 where the token takes nothing else), the key under
 * it with AES key wrap with padding.  The blob names its scheme.
 */
enum anc_wrap_scheme {
	ANC_WRAP_NONE = 0,
	ANC_WRAP_OAEP_SHA256_KWP,
	ANC_WRAP_OAEP_SHA1_KWP
};

/* "rsa-oaep-sha256+aes-key-wrap-pad" etc.; NULL for ANC_WRAP_NONE. */
const char *anc_wrap_scheme_name(enum anc_wrap_scheme s);
/* Inverse of anc_wrap_scheme_name(); ANC_WRAP_NONE if unknown. */
enum anc_wrap_scheme anc_wrap_scheme_from_name(const char *name);

/*
 * On the backup token: an RSA-3072 key pair that can only unwrap.  Private
 * key TOKEN, PRIVATE, SENSITIVE, UNWRAP true; EXTRACTABLE, DECRYPT, SIGN,
 * DERIVE false.  Public key TOKEN, WRAP true; ENCRYPT, VERIFY false.  Same
 * label and a random CKA_ID on both.  The private key's attributes are read
 * back into *info and checked.  Refuses a label already in use.
 */
ANC_MUST_CHECK
int anc_token_generate_unwrap_key(struct anc_token *t, const char *label,
    struct anc_key_info *info, struct anc_err *err);

/*
 * On the primary token, as the security officer: log the user out, log in
 * as SO with exactly one attempt (the SO PIN through `so_pin`, wiped as
 * soon as C_Login returns), create the backup token's RSA public key `pub`
 * as a trusted wrapping key (CKA_TRUSTED, CKA_WRAP; ENCRYPT, VERIFY false)
 * and generate the AES-256 transfer key (CKA_TRUSTED, CKA_WRAP,
 * WRAP_WITH_TRUSTED, SENSITIVE; usable for nothing else), both as
 * session objects that vanish with the session, read CKA_TRUSTED back,
 * and log the SO out.  The token is then logged out: the caller logs the
 * user in again.  Returns ANC_OK, ANC_E_PIN_* / ANC_E_LOGIN for the SO
 * login, ANC_E_UNSAFE if the token did not keep CKA_TRUSTED.
 */
ANC_MUST_CHECK
int anc_token_trust_wrapping_key(struct anc_token *t, anc_pin_fn so_pin,
    void *arg, EVP_PKEY *pub, struct anc_err *err);

/* A wrapped key: the transfer key under RSA-OAEP, the key under it. */
struct anc_wrapped {
	enum anc_wrap_scheme scheme;
	unsigned char *kek;		/* RSA-OAEP of the AES transfer key */
	size_t kek_len;
	unsigned char *key;		/* AES-KWP of the private key */
	size_t key_len;
};

/* Free and zero both parts.  NULL is allowed. */
void anc_wrapped_clear(struct anc_wrapped *w);

/*
 * On the primary token, logged in as the user after
 * anc_token_trust_wrapping_key(): wrap the private key labelled `label`
 * (C_WrapKey twice), then destroy the transfer objects.  Refuses
 * (ANC_E_UNSAFE) a key whose backup policy is not wrap-with-trusted.
 * The token's own refusal (CKR_KEY_NOT_WRAPPABLE, CKR_KEY_UNEXTRACTABLE)
 * is ANC_E_UNSAFE with err->ckr set.  out->* owned by the caller
 * (anc_wrapped_clear).
 */
ANC_MUST_CHECK
int anc_token_wrap_key(struct anc_token *t, const char *label,
    struct anc_wrapped *out, struct anc_err *err);

/*
 * On the backup token, logged in as the user: unwrap `w` with the unwrap
 * key labelled `unwrap_label` into a private key labelled `label` with
 * CKA_ID `id`: TOKEN, PRIVATE, SENSITIVE, SIGN true; EXTRACTABLE,
 * DECRYPT, UNWRAP, DERIVE false.  Then create its public key object from
 * `pub` (the anchor certificate's key) with the same label and id.  The
 * transfer key is a session object, destroyed at once.  On any failure
 * nothing is left in the token.  The private key's attributes are read
 * back into *info and checked.
 */
ANC_MUST_CHECK
int anc_token_unwrap_key(struct anc_token *t, const char *unwrap_label,
    const struct anc_wrapped *w, const char *label, const unsigned char *id,
    size_t id_len, EVP_PKEY *pub, struct anc_key_info *info,
    struct anc_err *err);

/*
 * Prove a private key: sign `len` bytes of `challenge` in the token with
 * the key labelled `label` (raw PKCS#11: CKM_ECDSA over the SHA-256 or
 * SHA-384 digest, or CKM_SHA256_RSA_PKCS) and verify the signature with
 * `pub`.  The signature (DER for ECDSA) goes to sig[*siglen], at most
 * `cap` bytes.  ANC_E_BADSIG if it does not verify.
 */
ANC_MUST_CHECK
int anc_token_prove_key(struct anc_token *t, const char *label,
    EVP_PKEY *pub, const unsigned char *challenge, size_t len,
    unsigned char *sig, size_t cap, size_t *siglen, struct anc_err *err);

/* Close if needed, then release memory.  anc_token_free(NULL) is safe. */
void anc_token_free(struct anc_token *t);

/*
 * What a token says it can do (C_GetInfo, C_GetTokenInfo,
 * C_GetMechanismList, C_GetMechanismInfo), read without logging in and
 * without changing anything.  A module that lists a mechanism but cannot
 * describe it (C_GetMechanismInfo fails, e.g. CKR_MECHANISM_INVALID) gets
 * have_info 0: the mechanism counts as present with unknown flags and key
 * sizes, which checks then report as unchecked rather than missing.
 */
struct anc_mech_caps {
	unsigned long type;		/* CKM_ number */
	int have_info;
	unsigned long info_rv;		/* CK_RV of C_GetMechanismInfo */
	unsigned long min_key, max_key;	/* as the module reports them */
	unsigned long flags;		/* CKF_SIGN, CKF_GENERATE_KEY_PAIR, ... */
};

struct anc_token_caps {
	struct anc_slot_info info;	/* flags, PIN and session limits */
	char library_manufacturer[33];
	char library_description[33];
	char library_version[8];
	char cryptoki_version[8];
	struct anc_mech_caps *mechs;
	size_t nmechs;
};

/* Read the token's capabilities into a new *out (anc_token_caps_free). */
ANC_MUST_CHECK
int anc_token_caps_read(struct anc_token *t, struct anc_token_caps **out,
    struct anc_err *err);
void anc_token_caps_free(struct anc_token_caps *c);

/* The entry for `mech`, or NULL when the token does not list it. */
const struct anc_mech_caps *anc_caps_mech(const struct anc_token_caps *c,
    unsigned long mech);

/* The mechanisms a ceremony or a key backup may use, with what each is
 * for ("EC key pair generation", "backup: the AES-256 transfer key"). */
struct anc_mech_role {
	unsigned long mech;
	const char *role;
};
const struct anc_mech_role *anc_mechs_that_matter(size_t *n);

/* Names of the CKF_ flags set in token flags or mechanism flags, comma
 * separated ("login_required,rng"), into buf[cap]; returns buf. */
const char *anc_token_flag_names(unsigned long flags, char *buf, size_t cap);
const char *anc_mech_flag_names(unsigned long flags, char *buf, size_t cap);

/*
 * What a ceremony needs from its tokens, one entry per use: a key pair
 * generated, a signature made, random bytes drawn, a PIN set, and for a
 * key backup (docs/backup.md) the transfer key, each wrap and unwrap, and
 * the trust attributes.  The ceremony layer derives the list from a
 * validated script (anc_ceremony_needs); anc_need_check() compares one
 * entry with what its token reports.  Shared by `token probe` and
 * `ceremony run`.
 */
enum anc_need_op {
	ANC_NEED_KEYGEN = 1,	/* C_GenerateKeyPair of `alg` */
	ANC_NEED_SIGN,		/* a signature with a key of `alg` */
	ANC_NEED_RANDOM,	/* C_GenerateRandom */
	ANC_NEED_PIN_LEN,	/* C_SetPIN to a PIN of `pin_len` characters */
	ANC_NEED_TRANSFER_KEY,	/* C_GenerateKey of the AES-256 transfer key */
	ANC_NEED_WRAP_TRANSFER,	/* C_WrapKey of it with RSA-OAEP */
	ANC_NEED_WRAP_KEY,	/* C_WrapKey of the `alg` key with AES-KWP */
	ANC_NEED_UNWRAP_TRANSFER,	/* C_UnwrapKey of the transfer key */
	ANC_NEED_UNWRAP_KEY,	/* C_UnwrapKey of the `alg` key */
	ANC_NEED_PROVE,		/* the restored key signs a challenge */
	ANC_NEED_TRUSTED	/* `use` kept: CKA_TRUSTED, ..._WITH_TRUSTED */
};

struct anc_need {
	enum anc_need_op op;
	enum anc_keyalg alg;	/* ANC_KEY_NONE: known only from the token */
	int hash_bits;		/* sign: 256 or 384, the digest signed */
	unsigned long pin_len;
	int backup;		/* on the script's backup-token */
	int step;		/* 1-based; 0: the transcript's closing record */
	int line;		/* of the step in the script; 0 if none */
	char kind[24];		/* "generate-key", "closing record", ... */
	char key[65];		/* the key label concerned, or "" */
	char use[48];		/* "CKA_ID", "serial number", ... */
};

enum anc_need_status {
	ANC_NEED_MET = 1,
	ANC_NEED_MISSING,	/* the token lacks what is needed */
	ANC_NEED_UNCHECKED	/* listed without details, or algorithm unknown */
};

/* No mechanism (not 0: CKM_RSA_PKCS_KEY_PAIR_GEN is 0). */
#define ANC_MECH_END (~0UL)

struct anc_need_result {
	enum anc_need_status status;
	unsigned long mech;	/* serving it, missing, or ANC_MECH_END */
	/* what serves it, what is missing ("CKM_EC_KEY_PAIR_GEN is not
	 * listed"), or why it could not be checked */
	char detail[256];
};

/* Check one need against the capabilities; fills *res. */
void anc_need_check(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res);

/* "keygen", "wrap-key", ... and "met", "missing", "unchecked": the names
 * `token probe --json` and the rehearsal's probe record use. */
const char *anc_need_op_name(enum anc_need_op op);
const char *anc_need_status_name(enum anc_need_status st);

/* "step 1 (generate-key \"m8-root\"): an ecdsa-p256 key pair" and the
 * like, for messages, into buf[cap]; returns buf. */
const char *anc_need_describe(const struct anc_need *n, char *buf,
    size_t cap);

/*
 * A trial of one algorithm on a logged-in token, as `token probe` makes
 * it: a session key pair (CKA_TOKEN false on both halves, otherwise the
 * ceremony's private template), its attributes read back, a signature
 * with each mechanism that could serve a ceremony, each verified in
 * software with the public key read from the token, then both halves
 * destroyed.  Nothing persistent is created, unless the module ignores
 * CKA_TOKEN false, which `persistent` reports (the pair is destroyed at
 * once all the same).  Each stage's outcome is recorded, failures too;
 * the return value is ANC_OK unless the session itself failed.
 */
#define ANC_TRIAL_SIGS_MAX 4
struct anc_trial {
	enum anc_keyalg alg;
	unsigned long keygen_rv;	/* CK_RV of C_GenerateKeyPair */
	int session_refused;		/* CKA_TOKEN false itself refused
					 * (tpm2-pkcs11 keeps token objects
					 * only): the trial proves nothing */
	int generated;
	int attrs_ok;			/* the template was kept */
	char attrs_detail[128];		/* which attribute was not */
	int persistent;			/* CKA_TOKEN read back true: the
					 * module ignored CKA_TOKEN false
					 * (destroyed all the same) */
	struct anc_trial_sig {
		unsigned long mech;
		unsigned long rv;	/* CK_RV of C_SignInit/C_Sign */
		int signed_ok;
		int verified;		/* in software, public key from token */
	} sigs[ANC_TRIAL_SIGS_MAX];
	size_t nsigs;
	int destroyed;			/* both halves gone again */
	unsigned long destroy_rv;
	double seconds;			/* for the whole trial */
};

ANC_MUST_CHECK
int anc_token_trial(struct anc_token *t, enum anc_keyalg alg,
    struct anc_trial *out, struct anc_err *err);

#endif /* ANCHORAGE_TOKEN_H */

/*
 * anchorage: does the token have what a ceremony needs?  Compares one need
 * (a key pair, a signature, random bytes, a PIN length) with the
 * capabilities the token reported.  Pure: no token calls, so the same
 * answer is given by `token probe`, by `ceremony run` before anything
 * changes, and by the unit tests.
 */
#include <stdio.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

/* Key size in bits a need's algorithm asks of a mechanism. */
static unsigned long
alg_bits(enum anc_keyalg alg)
{
	switch (alg) {
	case ANC_KEY_EC_P256:
		return 256;
	case ANC_KEY_EC_P384:
		return 384;
	case ANC_KEY_RSA_3072:
		return 3072;
	case ANC_KEY_RSA_4096:
		return 4096;
	default:
		return 0;
	}
}

static int
is_ec(enum anc_keyalg alg)
{
	return alg == ANC_KEY_EC_P256 || alg == ANC_KEY_EC_P384;
}

const unsigned long *
anc_need_mechs(const struct anc_need *n)
{
	static const unsigned long ec_gen[] = { CKM_EC_KEY_PAIR_GEN,
	    ANC_MECH_END };
	static const unsigned long rsa_gen[] = { CKM_RSA_PKCS_KEY_PAIR_GEN,
	    ANC_MECH_END };
	static const unsigned long ecdsa[] = { CKM_ECDSA, ANC_MECH_END };
	/* CKM_RSA_PKCS signs a DigestInfo the caller built; the hashing
	 * mechanisms do the same inside the token.  Either serves. */
	static const unsigned long rsa256[] = { CKM_RSA_PKCS,
	    CKM_SHA256_RSA_PKCS, ANC_MECH_END };
	static const unsigned long rsa384[] = { CKM_RSA_PKCS,
	    CKM_SHA384_RSA_PKCS, ANC_MECH_END };
	static const unsigned long none[] = { ANC_MECH_END };

	if (alg_bits(n->alg) == 0)
		return none;
	if (n->op == ANC_NEED_KEYGEN)
		return is_ec(n->alg) ? ec_gen : rsa_gen;
	if (n->op != ANC_NEED_SIGN)
		return none;
	if (is_ec(n->alg))
		return ecdsa;
	return n->hash_bits == 384 ? rsa384 : rsa256;
}

const char *
anc_need_describe(const struct anc_need *n, char *buf, size_t cap)
{
	char where[160], key[96] = "";
	const char *alg = anc_keyalg_name(n->alg);

	if (n->step > 0)
		snprintf(where, sizeof(where), "step %d (%s)", n->step,
		    n->kind);
	else
		snprintf(where, sizeof(where), "%s", n->kind);
	if (n->key[0] != '\0')
		snprintf(key, sizeof(key), " with key \"%s\"", n->key);
	switch (n->op) {
	case ANC_NEED_KEYGEN:
		snprintf(buf, cap, "%s: an %s key pair \"%s\"", where,
		    alg != NULL ? alg : "unknown", n->key);
		break;
	case ANC_NEED_SIGN:
		snprintf(buf, cap, "%s: an %s signature%s", where,
		    alg != NULL ? alg : "(algorithm of the key in the token)",
		    key);
		break;
	case ANC_NEED_RANDOM:
		snprintf(buf, cap, "%s: random bytes from the token for the %s",
		    where, n->use);
		break;
	case ANC_NEED_PIN_LEN:
		snprintf(buf, cap, "%s: a new user PIN of %lu characters",
		    where, n->pin_len);
		break;
	default:
		snprintf(buf, cap, "%s", where);
		break;
	}
	return buf;
}

/*
 * EC sizes are bits by the standard, but some modules report bytes
 * (66 for P-521); a maximum below 128 can only be bytes.
 */
static void
key_range(const struct anc_mech_caps *m, enum anc_keyalg alg,
    unsigned long *lo, unsigned long *hi)
{
	*lo = m->min_key;
	*hi = m->max_key;
	if (is_ec(alg) && *hi > 0 && *hi < 128) {
		*lo *= 8;
		*hi *= 8;
	}
}

/* Does mechanism entry `m` serve the need?  1 yes, 0 no (why in note). */
static int
mech_serves(const struct anc_need *n, const struct anc_mech_caps *m,
    char *note, size_t cap)
{
	unsigned long want = n->op == ANC_NEED_KEYGEN ? CKF_GENERATE_KEY_PAIR :
	    CKF_SIGN, bits = alg_bits(n->alg), lo, hi;
	const char *name = anc_mechanism_name(m->type);

	if ((m->flags & want) == 0) {
		snprintf(note, cap, "%s is listed without %s", name,
		    want == CKF_SIGN ? "CKF_SIGN" : "CKF_GENERATE_KEY_PAIR");
		return 0;
	}
	key_range(m, n->alg, &lo, &hi);
	/* 0..0 means the module did not say. */
	if ((lo != 0 || hi != 0) && (bits < lo || (hi != 0 && bits > hi))) {
		snprintf(note, cap, "%s allows key sizes %lu to %lu bits; %s "
		    "needs %lu", name, lo, hi, anc_keyalg_name(n->alg), bits);
		return 0;
	}
	return 1;
}

/* Key pairs and signatures: the first listed mechanism that serves. */
static void
check_mechs(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	const unsigned long *want = anc_need_mechs(n);
	const struct anc_mech_caps *m, *noinfo = NULL;
	char note[200] = "", names[160] = "";
	size_t i, off = 0;

	if (want[0] == ANC_MECH_END) {
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "the key's "
		    "algorithm is known only once the key is read from the "
		    "token");
		return;
	}
	for (i = 0; want[i] != ANC_MECH_END; i++) {
		if (off < sizeof(names))
			off += (size_t)snprintf(names + off, sizeof(names) - off,
			    "%s%s", i > 0 ? " or " : "",
			    anc_mechanism_name(want[i]));
		if ((m = anc_caps_mech(c, want[i])) == NULL)
			continue;
		if (!m->have_info) {
			if (noinfo == NULL)
				noinfo = m;
			continue;
		}
		if (mech_serves(n, m, note, sizeof(note))) {
			res->status = ANC_NEED_MET;
			res->mech = m->type;
			snprintf(res->detail, sizeof(res->detail), "%s",
			    anc_mechanism_name(m->type));
			return;
		}
	}
	if (noinfo != NULL) {
		res->status = ANC_NEED_UNCHECKED;
		res->mech = noinfo->type;
		snprintf(res->detail, sizeof(res->detail), "%s is listed but "
		    "C_GetMechanismInfo answered %s: its flags and key sizes "
		    "are unknown", anc_mechanism_name(noinfo->type),
		    anc_ckr_name(noinfo->info_rv));
		return;
	}
	res->status = ANC_NEED_MISSING;
	res->mech = want[0];	/* the preferred one, for the message */
	if (note[0] != '\0')
		snprintf(res->detail, sizeof(res->detail), "%s", note);
	else
		snprintf(res->detail, sizeof(res->detail), "the token does not "
		    "list %s", names);
}

static void
check_pin(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	if (c->max_pin == ANC_P11_UNAVAILABLE || c->max_pin == 0) {
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "the token does not "
		    "report its PIN length limits");
	} else if (n->pin_len < c->min_pin || n->pin_len > c->max_pin) {
		res->status = ANC_NEED_MISSING;
		snprintf(res->detail, sizeof(res->detail), "the token accepts "
		    "user PINs of %lu to %lu characters", c->min_pin,
		    c->max_pin);
	} else {
		res->status = ANC_NEED_MET;
		snprintf(res->detail, sizeof(res->detail), "PINs of %lu to %lu "
		    "characters", c->min_pin, c->max_pin);
	}
}

void
anc_need_check(const struct anc_need *n, const struct anc_token_caps *c,
    struct anc_need_result *res)
{
	memset(res, 0, sizeof(*res));
	res->mech = ANC_MECH_END;
	switch (n->op) {
	case ANC_NEED_KEYGEN:
	case ANC_NEED_SIGN:
		check_mechs(n, c, res);
		break;
	case ANC_NEED_RANDOM:
		res->status = c->info.has_rng ? ANC_NEED_MET : ANC_NEED_MISSING;
		snprintf(res->detail, sizeof(res->detail), "%s",
		    c->info.has_rng ? "C_GenerateRandom (CKF_RNG)" :
		    "the token has no random number generator (no CKF_RNG)");
		break;
	case ANC_NEED_PIN_LEN:
		check_pin(n, c, res);
		break;
	default:
		res->status = ANC_NEED_UNCHECKED;
		snprintf(res->detail, sizeof(res->detail), "unknown need");
		break;
	}
}

/*
 * Unit tests for ceremony/constraints.c: the text forms, the overlap rule,
 * the extension against OpenSSL's own decoding, the lint rules, and the
 * proof, which must refuse a CA whose constraints are not what it is
 * asked to prove.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "anchorage/err.h"
#include "constraints.h"
#include "profile.h"

#define T2026 ((time_t)1767225600)	/* 2026-01-01T00:00:00Z */

static char n_eu1[] = "eu-1.example.com", n_eu2[] = "eu-2.example.com";
static char n_sub[] = "a.eu-1.example.com", n_other[] = "example.org";
static char n_secret[] = "secret.eu-1.example.com";
static char v_cn[] = "issuing";
static const struct anc_dn dn = { { { "CN", v_cn } }, 1 };

static void
test_text_forms(void **state)
{
	struct anc_ip_range r;
	char buf[64];

	(void)state;
	assert_null(anc_nc_check_dns("eu-1.example.com", 16));
	assert_null(anc_nc_check_dns("local", 5));
	assert_non_null(anc_nc_check_dns(".example.com", 12));
	assert_non_null(anc_nc_check_dns("*.example.com", 13));
	assert_non_null(anc_nc_check_dns("Example.com", 11));
	assert_non_null(anc_nc_check_dns("a..b", 4));
	assert_non_null(anc_nc_check_dns("-a.b", 4));
	assert_non_null(anc_nc_check_dns("a.b-", 4));
	assert_non_null(anc_nc_check_dns("x.invalid", 9));
	assert_null(anc_nc_parse_ip("10.1.0.0/16", 11, &r));
	assert_int_equal(r.len, 4);
	assert_int_equal(r.prefix, 16);
	anc_nc_format_ip(&r, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.0/16");
	assert_null(anc_nc_parse_ip("fd00:1::/48", 11, &r));
	assert_int_equal(r.len, 16);
	assert_non_null(anc_nc_parse_ip("10.1.2.3/16", 11, &r));
	assert_non_null(anc_nc_parse_ip("10.1.0.0/33", 11, &r));
	assert_non_null(anc_nc_parse_ip("10.1.0.0/0", 10, &r));
	assert_non_null(anc_nc_parse_ip("10.1.0.0/016", 12, &r));
	assert_non_null(anc_nc_parse_ip("10.1.0.0", 8, &r));
	assert_non_null(anc_nc_parse_ip("fd00:1::1/48", 12, &r));
}

static void
test_overlap(void **state)
{
	char *a1[] = { n_eu1 }, *a2[] = { n_sub }, *a3[] = { n_eu2 };
	struct anc_ip_range r1, r2, r3;
	struct anc_subtrees a = { 0 }, b = { 0 };
	char what[256];

	(void)state;
	a.dns = a1;
	a.n_dns = 1;
	b.dns = a2;
	b.n_dns = 1;
	assert_int_equal(anc_subtrees_overlap(&a, &b, what, sizeof(what)), 1);
	assert_string_equal(what, "DNS name eu-1.example.com overlaps "
	    "a.eu-1.example.com");
	b.dns = a3;
	assert_int_equal(anc_subtrees_overlap(&a, &b, what, sizeof(what)), 0);
	/* "1.example.com" is not under "eu-1.example.com" only by suffix. */
	assert_null(anc_nc_parse_ip("10.1.0.0/16", 11, &r1));
	assert_null(anc_nc_parse_ip("10.1.128.0/17", 13, &r2));
	assert_null(anc_nc_parse_ip("10.2.0.0/16", 11, &r3));
	a.n_dns = b.n_dns = 0;
	a.ip = &r1;
	a.n_ip = 1;
	b.ip = &r2;
	b.n_ip = 1;
	assert_int_equal(anc_subtrees_overlap(&a, &b, what, sizeof(what)), 1);
	b.ip = &r3;
	assert_int_equal(anc_subtrees_overlap(&a, &b, what, sizeof(what)), 0);
}

/* An issuing CA with `nc` and `eku`, signed by a fresh root key. */
static X509 *
make_ca(const struct anc_constraints *nc, unsigned eku, EVP_PKEY **key)
{
	struct anc_cert_spec s;
	struct anc_err err;
	EVP_PKEY *rk = NULL;
	X509 *root = NULL, *x = NULL;

	anc_err_clear(&err);
	assert_int_equal(anc_throwaway_key(ANC_KEY_EC_P256, &rk, &err), ANC_OK);
	assert_int_equal(anc_throwaway_key(ANC_KEY_EC_P256, key, &err), ANC_OK);
	memset(&s, 0, sizeof(s));
	s.profile = ANC_PROFILE_ROOT;
	s.subject = &dn;
	s.subject_key = rk;
	s.serial[0] = 1;
	s.serial[5] = 9;
	s.not_before = T2026 - 3600;
	s.not_after = T2026 + 86400 * 400;
	s.path_length = 1;
	assert_int_equal(anc_profile_build(&s, &root, &err), ANC_OK);
	assert_int_equal(anc_profile_sign(root, rk, &err), ANC_OK);
	s.profile = ANC_PROFILE_INTERMEDIATE;
	s.issuer = root;
	s.subject_key = *key;
	s.path_length = 0;
	s.not_after = T2026 + 86400 * 300;
	s.nc = nc;
	s.eku = eku;
	assert_int_equal(anc_profile_build(&s, &x, &err), ANC_OK);
	assert_int_equal(anc_lint_cert(x, &s, 0, &err), ANC_OK);
	assert_int_equal(anc_profile_sign(x, rk, &err), ANC_OK);
	assert_int_equal(anc_lint_cert(x, &s, 1, &err), ANC_OK);
	X509_free(root);
	EVP_PKEY_free(rk);
	return x;
}

static void
test_extension_and_proof(void **state)
{
	char *p1[] = { n_eu1 }, *x1[] = { n_secret }, *p2[] = { n_eu2 };
	char *p3[] = { n_sub };
	struct anc_constraints nc = { 0 }, other = { 0 };
	struct anc_ip_range ip;
	struct anc_err err;
	NAME_CONSTRAINTS *dec;
	GENERAL_SUBTREE *st;
	EVP_PKEY *key = NULL, *pk = NULL;
	X509 *ca;
	int crit = -1;

	(void)state;
	anc_err_clear(&err);
	assert_null(anc_nc_parse_ip("10.1.0.0/16", 11, &ip));
	nc.permitted.dns = p1;
	nc.permitted.n_dns = 1;
	nc.permitted.ip = &ip;
	nc.permitted.n_ip = 1;
	nc.excluded.dns = x1;
	nc.excluded.n_dns = 1;
	ca = make_ca(&nc, 1u << ANC_EKU_SERVER_AUTH, &key);
	/* OpenSSL decodes what was written: critical, the subtrees. */
	dec = X509_get_ext_d2i(ca, NID_name_constraints, &crit, NULL);
	assert_non_null(dec);
	assert_int_equal(crit, 1);
	assert_int_equal(sk_GENERAL_SUBTREE_num(dec->permittedSubtrees), 2);
	st = sk_GENERAL_SUBTREE_value(dec->permittedSubtrees, 0);
	assert_int_equal(st->base->type, GEN_DNS);
	assert_string_equal(ASN1_STRING_get0_data(st->base->d.dNSName), n_eu1);
	st = sk_GENERAL_SUBTREE_value(dec->permittedSubtrees, 1);
	assert_int_equal(st->base->type, GEN_IPADD);
	assert_int_equal(ASN1_STRING_length(st->base->d.iPAddress), 8);
	assert_int_equal(sk_GENERAL_SUBTREE_num(dec->excludedSubtrees), 1);
	NAME_CONSTRAINTS_free(dec);

	assert_int_equal(anc_throwaway_key(ANC_KEY_EC_P256, &pk, &err), ANC_OK);
	assert_int_equal(anc_nc_prove(ca, pk, &nc, 1u << ANC_EKU_SERVER_AUTH,
	    T2026, &err), ANC_OK);
	assert_int_equal(anc_nc_prove_names(ca, pk, &nc, T2026, &err), ANC_OK);
	/* Asked to prove other names than it has: its inside leaf fails,
	 * with the chain and with the name-constraint check alone. */
	other.permitted.dns = p2;
	other.permitted.n_dns = 1;
	assert_int_equal(anc_nc_prove(ca, pk, &other, 0, T2026, &err),
	    ANC_E_LINT);
	assert_non_null(strstr(err.msg, "proof nc-permitted-accepts"));
	assert_int_equal(anc_nc_prove_names(ca, pk, &other, T2026, &err),
	    ANC_E_LINT);
	assert_non_null(strstr(err.msg, "proof nc-permitted-accepts"));
	/* An exclusion the CA lacks: the leaf inside it is accepted. */
	other = nc;
	other.excluded.dns = p3;
	assert_int_equal(anc_nc_prove(ca, pk, &other, 1u <<
	    ANC_EKU_SERVER_AUTH, T2026, &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "proof nc-dns-excluded"));
	assert_int_equal(anc_nc_prove_names(ca, pk, &other, T2026, &err),
	    ANC_E_LINT);
	assert_non_null(strstr(err.msg, "proof nc-dns-excluded"));
	/* A client-auth limit the CA does not carry. */
	assert_int_equal(anc_nc_prove(ca, pk, &nc, 1u << ANC_EKU_CLIENT_AUTH,
	    T2026, &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "eku-"));
	/* The lint compares the DER with the spec. */
	assert_int_equal(anc_nc_lint(ca, &other, 1u << ANC_EKU_SERVER_AUTH,
	    &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "lint nc-matches-spec"));
	assert_int_equal(anc_nc_lint(ca, &nc, 1u << ANC_EKU_CLIENT_AUTH,
	    &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "lint eku-matches-spec"));
	memset(&other, 0, sizeof(other));
	assert_int_equal(anc_nc_lint(ca, &other, 0, &err), ANC_E_LINT);
	X509_free(ca);
	EVP_PKEY_free(key);
	key = NULL;

	/* Without constraints in the certificate, a spec with them fails. */
	ca = make_ca(&other, 0, &key);
	assert_int_equal(anc_nc_lint(ca, &nc, 0, &err), ANC_E_LINT);
	assert_non_null(strstr(err.msg, "lint nc-present-critical"));
	X509_free(ca);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(key);
	(void)n_other;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_extension_and_proof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

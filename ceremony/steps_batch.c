/*
 * anchorage: the batch steps of a fleet ceremony (docs/fleet.md).
 *
 * One step, many clusters: each cluster of the list is read, built,
 * signed, verified, written and freed before the next, so memory does not
 * grow with the fleet.  What the clusters share is done once per step: the
 * list is checked whole before the first signature, the issuer, its key
 * handles and the bundle are looked up once, and the check before the run
 * builds, lints, signs and verifies the profile they share once, with the
 * first cluster (the template), and then checks what is each cluster's
 * own: its request, its subject and key under the policy, and its name
 * constraints, linted and proved (docs/fleet.md, "What the check before
 * the run proves").
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "anchorage/file.h"
#include "anchorage/hash.h"
#include "anchorage/manifest.h"
#include "anchorage/secmem.h"
#include "clusters.h"
#include "constraints.h"
#include "steps.h"
#include "anchorage/transcript.h"
#include "records.h"

#ifndef ANC_VERSION
#define ANC_VERSION "unknown"
#endif

#define CSR_FILE_MAX	(64 * 1024)
#define FILES_MAX	8	/* files written for one cluster */
#define SERIALS		32	/* serial numbers drawn from the token at once */

struct batch {
	struct anc_engine *e;
	const struct anc_step *s;
	struct anc_artifact *issuer;
	const struct anc_input *in;	/* the clusters input */
	struct anc_artifact *list;
	X509 **anchors;			/* the bundle's certificates */
	size_t n_anchors;
	char dir[4096];			/* where relative csr= paths start */
	struct anc_provenance prov;
	EVP_PKEY *check_key;		/* checking: one subject key for all */
	EVP_PKEY *proof_key;		/* checking: the proofs' throwaway key */
	char *issuer_pem;		/* the issuer's PEM, made once */
	size_t issuer_pem_len;
	struct anc_csr_keys keys;	/* the requests' curves */
	unsigned char rnd[SERIALS][ANC_SERIAL_LEN - 1];
	size_t rnd_left;
	size_t count;
	/* the cluster in hand */
	struct anc_cluster c;
	struct anc_rec_file files[FILES_MAX];
	size_t n_files;
};

static int
checking(const struct batch *b)
{
	return b->e->ob == NULL;
}

static int
batch_init(struct batch *b, struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	struct anc_artifact *bundle = NULL;
	char tmp[4096];
	size_t i;
	int j;

	memset(b, 0, sizeof(*b));
	b->e = e;
	b->s = s;
	b->issuer = anc_engine_find(e, s->issuer);
	b->list = anc_engine_find(e, s->clusters);
	for (i = 0; i < e->c->n_inputs; i++)
		if (strcmp(e->c->inputs[i].name, s->clusters) == 0)
			b->in = &e->c->inputs[i];
	if (s->bundle != NULL)
		bundle = anc_engine_find(e, s->bundle);
	/* validate.c guarantees these; a failure here is our bug. */
	if (b->issuer == NULL || b->issuer->kind != ANC_ART_CERT ||
	    b->issuer->key_label == NULL || b->list == NULL ||
	    b->list->kind != ANC_ART_CLUSTERS || b->in == NULL ||
	    (s->bundle != NULL && (bundle == NULL ||
	    bundle->kind != ANC_ART_BUNDLE)))
		return anc_err_set(err, ANC_E_INTERNAL, "batch step %d",
		    s->index);
	snprintf(tmp, sizeof(tmp), "%s", b->in->path);
	snprintf(b->dir, sizeof(b->dir), "%s", dirname(tmp));
	if (bundle != NULL) {
		b->n_anchors = (size_t)sk_X509_num(bundle->certs);
		if ((b->anchors = calloc(b->n_anchors + 1,
		    sizeof(*b->anchors))) == NULL)
			return anc_err_set(err, ANC_E_NOMEM, "bundle");
		for (j = 0; j < (int)b->n_anchors; j++)
			b->anchors[j] = sk_X509_value(bundle->certs, j);
	}
	b->prov.ceremony = e->c->name;
	b->prov.ceremony_sha256 = e->c->sha256;
	b->prov.tool_version = ANC_VERSION;
	return ANC_OK;
}

static void
batch_free(struct batch *b)
{
	free(b->anchors);
	free(b->issuer_pem);
	EVP_PKEY_free(b->check_key);
	EVP_PKEY_free(b->proof_key);
	anc_csr_keys_free(&b->keys);
	anc_cluster_clear(&b->c);
	OPENSSL_cleanse(b->rnd, sizeof(b->rnd));
}

/* The list, whole, before the first cluster is signed. */
static int
check_list(struct batch *b, struct anc_err *err)
{
	struct anc_clusters_rules rules;

	memset(&rules, 0, sizeof(rules));
	rules.csr = b->s->kind == ANC_STEP_BATCH_SIGN_CSR ? 1 : -1;
	rules.forbid_overlap = !b->s->allow_overlap;
	rules.excluded = &b->s->nc.excluded;
	rules.dir = b->dir;
	return anc_clusters_check(b->in->path, b->list->raw, b->list->raw_len,
	    &rules, &b->count, err);
}

/* A file of the cluster's sub-directory: written and remembered for its
 * transcript record (nothing is written when checking). */
static int
put(struct batch *b, const char *name, const void *data, size_t len,
    mode_t mode, struct anc_err *err)
{
	struct anc_outbox *ob = b->e->ob;
	struct anc_rec_file *f;
	int r;

	if (ob == NULL)
		return ANC_OK;
	if (b->n_files == FILES_MAX)
		return anc_err_set(err, ANC_E_INTERNAL, "too many files");
	f = &b->files[b->n_files];
	if (snprintf(f->name, sizeof(f->name), "%s/%s/%s", b->s->output,
	    b->c.name, name) >= (int)sizeof(f->name))
		return anc_err_set(err, ANC_E_INTERNAL, "%s: name too long",
		    name);
	if ((r = anc_outbox_add(ob, f->name, data, len, mode, err)) != ANC_OK)
		return r;
	memcpy(f->sha256, anc_outbox_last_sha256(ob), sizeof(f->sha256));
	f->size = len;
	b->n_files++;
	return ANC_OK;
}

static int
put_text(struct batch *b, const char *name, char *text, size_t len,
    mode_t mode, struct anc_err *err)
{
	int r = put(b, name, text, len, mode, err);

	anc_freezero(text, len);
	return r;
}

/* The trust bundle's ConfigMap and trust-manager Bundle, for the
 * cluster's namespace. */
static int
put_bundle(struct batch *b, struct anc_err *err)
{
	char file[160], source[80], *text = NULL;
	size_t len = 0;
	int r;

	if (b->anchors == NULL || checking(b))
		return ANC_OK;
	snprintf(source, sizeof(source), "%s-source", b->s->bundle_name);
	if ((r = anc_manifest_bundle_configmap(source, b->s->k8s_namespace,
	    b->anchors, b->n_anchors, &b->prov, &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "manifests/configmap-%s.yaml",
	    b->s->bundle_name);
	if ((r = put_text(b, file, text, len, 0644, err)) != ANC_OK)
		return r;
	if ((r = anc_manifest_trust_bundle(b->s->bundle_name, source, b->c.ns,
	    b->anchors, b->n_anchors, &b->prov, &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "manifests/bundle-%s.yaml",
	    b->s->bundle_name);
	return put_text(b, file, text, len, 0644, err);
}

/* A serial's random bytes, drawn from the backend SERIALS at a time. */
static int
next_serial(struct batch *b, unsigned char serial[ANC_SERIAL_LEN],
    struct anc_err *err)
{
	int r;

	if (b->rnd_left == 0) {
		if ((r = b->e->be->random(b->e->be->arg, &b->rnd[0][0],
		    sizeof(b->rnd), err)) != ANC_OK)
			return anc_err_prefix(err, "serial numbers");
		b->rnd_left = SERIALS;
	}
	b->rnd_left--;
	anc_profile_serial(serial, b->rnd[b->rnd_left]);
	OPENSSL_cleanse(b->rnd[b->rnd_left], sizeof(b->rnd[0]));
	return ANC_OK;
}

/*
 * A further cluster's own name constraints, as the check sees them: the
 * extension built from its names as the run builds it, linted against
 * them, and proved with unsigned leaves inside and outside
 * (NAME_CONSTRAINTS_check, the check X509_verify_cert makes).  The rest of
 * its certificate is the template's, checked with the first cluster.
 */
static int
check_names(struct batch *b, const struct anc_constraints *nc,
    struct anc_err *err)
{
	X509 *x;
	int r;

	if ((x = X509_new()) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "name constraints");
	if ((r = anc_nc_add_extensions(x, nc, 0, err)) == ANC_OK &&
	    (r = anc_nc_lint(x, nc, 0, err)) == ANC_OK)
		r = anc_nc_prove_names(x, b->proof_key, nc, b->e->now, err);
	X509_free(x);
	return r;
}

/*
 * The cluster's CA certificate.  The run goes the whole way for every
 * cluster (anc_steps_issue_serial: build, lint, sign, verify, lint again);
 * so does the check for the first cluster, with a throwaway key, and its
 * constraints and EKU limit are proved with X509_verify_cert.  The check
 * of each further cluster proves its own names (check_names).
 */
static int
issue(struct batch *b, struct anc_cert_spec *spec, const struct
    anc_constraints *nc, X509 **out, struct anc_err *err)
{
	int r;

	spec->issuer = b->issuer->cert;
	spec->not_before = b->e->now;
	spec->not_after = b->e->now + (time_t)b->s->validity;
	spec->path_length = b->s->path_length;
	spec->nc = nc;
	spec->eku = b->s->eku;
	if (checking(b) && b->proof_key == NULL && (r = anc_throwaway_key(
	    ANC_KEY_EC_P256, &b->proof_key, err)) != ANC_OK)
		return r;
	if (checking(b) && b->c.index > 1)
		return check_names(b, nc, err);
	if ((r = next_serial(b, spec->serial, err)) != ANC_OK ||
	    (r = anc_steps_issue_serial(b->e, spec, b->issuer->key_label,
	    anc_key_alg(X509_get0_pubkey(b->issuer->cert)), out, err)) !=
	    ANC_OK)
		return r;
	return checking(b) ? anc_steps_prove(b->e, *out, nc, b->s->eku,
	    b->proof_key, err) : ANC_OK;
}

/* The cluster's constraints: its names, the step's exclusions. */
static void
cluster_nc(const struct batch *b, struct anc_constraints *nc)
{
	memset(nc, 0, sizeof(*nc));
	nc->permitted = b->c.permitted;
	nc->excluded = b->s->nc.excluded;
}

static int
issue_one(struct batch *b, struct anc_err *err)
{
	const struct anc_step *s = b->s;
	struct anc_constraints nc;
	struct anc_cert_spec spec;
	struct anc_dn dn;
	char cn[130], file[160], *text = NULL;
	EVP_PKEY *key = NULL;
	X509 *x = NULL, *chain[2];
	size_t len = 0;
	int r;

	if (snprintf(cn, sizeof(cn), "%s%s", s->cn_prefix, b->c.name) > 64)
		return anc_err_set(err, ANC_E_INPUT, "%s:%d: clusters[%zu].name: "
		    "common name \"%s\" is longer than 64 characters; expected "
		    "a shorter common-name-prefix or cluster name",
		    b->in->path, b->c.line, b->c.index, cn);
	memset(&dn, 0, sizeof(dn));
	dn.attrs[0].type = "CN";
	dn.attrs[0].value = cn;
	dn.n = 1;
	/* The check needs a key of the right kind, not a new one each time:
	 * the run makes each cluster's own. */
	if (checking(b) && b->check_key == NULL &&
	    (r = anc_throwaway_key(s->algorithm, &b->check_key, err)) !=
	    ANC_OK)
		return r;
	if (!checking(b) &&
	    (r = anc_throwaway_key(s->algorithm, &key, err)) != ANC_OK)
		return r;
	memset(&spec, 0, sizeof(spec));
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject = &dn;
	spec.subject_key = checking(b) ? b->check_key : key;
	cluster_nc(b, &nc);
	if ((r = issue(b, &spec, &nc, &x, err)) != ANC_OK || checking(b))
		goto out;
	chain[0] = x;
	chain[1] = b->issuer->cert;
	if ((r = anc_pem_certs(chain, 1, &text, &len, err)) != ANC_OK ||
	    (r = put_text(b, "issuing-ca.pem", text, len, 0644, err)) !=
	    ANC_OK)
		goto out;
	/* tls.crt = the issuing CA and its root; ca.crt = the root. */
	if ((r = anc_manifest_tls_secret(s->secret, b->c.ns, chain, 2, key,
	    &b->prov, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/secret-%s.yaml", s->secret);
	/* The only file that holds a private key: owner-only. */
	if ((r = put_text(b, file, text, len, 0600, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_issuer(s->k8s_name, b->c.ns, s->cluster_issuer,
	    s->secret, &b->prov, &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "manifests/issuer-%s.yaml", s->k8s_name);
	if ((r = put_text(b, file, text, len, 0644, err)) != ANC_OK)
		goto out;
	if ((r = anc_manifest_helm_values(s->k8s_name, s->secret, &b->prov,
	    &text, &len, err)) != ANC_OK)
		goto out;
	snprintf(file, sizeof(file), "helm-values-%s.yaml", s->k8s_name);
	if ((r = put_text(b, file, text, len, 0644, err)) != ANC_OK)
		goto out;
	r = put_bundle(b, err);
 out:
	X509_free(x);
	/* EVP_PKEY_free cleanses the private key. */
	EVP_PKEY_free(key);
	return r;
}

/* The CA, then its issuer, as PEM: the issuer's part encoded once per
 * step, not once per cluster. */
static int
chain_pem(struct batch *b, X509 *x, char **text, size_t *len,
    struct anc_err *err)
{
	char *t;
	int r;

	if (b->issuer_pem == NULL && (r = anc_pem_certs(&b->issuer->cert, 1,
	    &b->issuer_pem, &b->issuer_pem_len, err)) != ANC_OK)
		return r;
	if ((r = anc_pem_certs(&x, 1, text, len, err)) != ANC_OK)
		return r;
	if ((t = realloc(*text, *len + b->issuer_pem_len + 1)) == NULL) {
		free(*text);
		return anc_err_set(err, ANC_E_NOMEM, "PEM");
	}
	memcpy(t + *len, b->issuer_pem, b->issuer_pem_len + 1);
	*text = t;
	*len += b->issuer_pem_len;
	return ANC_OK;
}

/*
 * The check's memo of CSRs that passed proof of possession, for this step:
 * made when checking (one slot per cluster), looked up in the run.
 */
static struct anc_pop_memo *
pop_memo(struct batch *b, struct anc_err *err)
{
	struct anc_engine *e = checking(b) ? b->e : b->e->checked;
	struct anc_pop_memo *m;
	size_t i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < e->npop; i++)
		if (e->pop[i].step == b->s->index)
			return &e->pop[i];
	if (!checking(b))
		return NULL;
	if ((m = realloc(e->pop, (e->npop + 1) * sizeof(*m))) == NULL)
		return NULL;
	e->pop = m;
	m = &e->pop[e->npop];
	m->step = b->s->index;
	m->n = b->count;
	if ((m->sha256 = calloc(b->count, sizeof(*m->sha256))) == NULL) {
		anc_err_set(err, ANC_E_NOMEM, "proof of possession memo");
		return NULL;
	}
	e->npop++;
	return m;
}

static int
sign_one(struct batch *b, char csr_sha256[ANC_SHA256_HEX],
    struct anc_err *err)
{
	struct anc_pop_memo *memo = pop_memo(b, err);
	char *seen = memo != NULL && b->c.index <= memo->n ?
	    memo->sha256[b->c.index - 1] : NULL;
	struct anc_constraints nc;
	struct anc_cert_spec spec;
	struct anc_csr csr;
	unsigned char *data = NULL;
	char path[4096 + 256], *text = NULL;
	X509_NAME *subject = NULL;
	X509 *x = NULL;
	size_t len = 0;
	int verified, r;

	memset(&csr, 0, sizeof(csr));
	if (anc_cluster_csr_path(b->dir, &b->c, path, sizeof(path)) != 0)
		return anc_err_set(err, ANC_E_INTERNAL, "csr path");
	if ((r = anc_file_read(path, CSR_FILE_MAX, &data, &len, err)) !=
	    ANC_OK)
		goto where;
	anc_sha256_hex(data, len, csr_sha256);
	/* The same bytes the check verified: not verified twice. */
	verified = !checking(b) && seen != NULL &&
	    memcmp(seen, csr_sha256, 64) == 0;
	if ((r = anc_csr_read_fast(data, len, path, !verified, &b->keys, &csr,
	    err)) != ANC_OK)
		goto where;
	memset(&spec, 0, sizeof(spec));
	spec.issuer = b->issuer->cert;
	spec.not_before = b->e->now;
	spec.not_after = b->e->now + (time_t)b->s->validity;
	spec.path_length = b->s->path_length;
	/* A key whose proof of possession was verified here is validated
	 * too; one the check verified was validated then. */
	if ((r = anc_policy_check_key(csr.key, csr.subject, csr.pop, b->s,
	    b->issuer->cert, &spec, &subject, err)) != ANC_OK)
		goto where;
	if (checking(b) && seen != NULL)
		memcpy(seen, csr_sha256, 64);
	spec.profile = ANC_PROFILE_INTERMEDIATE;
	spec.subject_name = subject;
	spec.subject_key = csr.key;
	cluster_nc(b, &nc);
	if ((r = issue(b, &spec, &nc, &x, err)) != ANC_OK || checking(b))
		goto out;
	/* The CA, then its root: Vault's set-signed reads this order, and
	 * so does anything else that installs an intermediate. */
	if ((r = chain_pem(b, x, &text, &len, err)) != ANC_OK ||
	    (r = put_text(b, "ca-chain.pem", text, len, 0644, err)) != ANC_OK)
		goto out;
	r = put_bundle(b, err);
	goto out;
 where:
	/* A CSR problem names the cluster list's line and field. */
	anc_err_prefix(err, "%s:%d: clusters[%zu].csr", b->in->path,
	    b->c.line, b->c.index);
 out:
	free(data);
	anc_csr_clear(&csr);
	X509_NAME_free(subject);
	X509_free(x);
	return r;
}

static int
batch(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_clusters_reader rd;
	struct batch b;
	char csr_sha[ANC_SHA256_HEX];
	int r, more;

	if ((r = batch_init(&b, e, s, err)) != ANC_OK ||
	    (r = check_list(&b, err)) != ANC_OK)
		goto out;
	anc_engine_say(e, "  %zu clusters in %s", b.count, b.in->path);
	/* The clusters' records reach the disk together: see
	 * anc_tr_defer_sync. */
	if (e->tr != NULL)
		anc_tr_defer_sync(e->tr, 1);
	if (e->ob != NULL)
		anc_outbox_defer_sync(e->ob, 1);
	anc_clusters_begin(&rd, b.in->path, b.list->raw, b.list->raw_len);
	while ((more = anc_clusters_next(&rd, &b.c, err)) == 1) {
		b.n_files = 0;
		csr_sha[0] = '\0';
		r = s->kind == ANC_STEP_BATCH_ISSUE ? issue_one(&b, err) :
		    sign_one(&b, csr_sha, err);
		if (r != ANC_OK)
			goto out;
		if (checking(&b))
			continue;
		if ((r = anc_rec_cluster(e, b.c.name, b.c.line,
		    csr_sha[0] != '\0' ? csr_sha : NULL, b.files, b.n_files,
		    err)) != ANC_OK)
			goto out;
		if (b.c.index % 100 == 0 || b.c.index == b.count) {
			anc_engine_say(e, "  %zu of %zu clusters done",
			    b.c.index, b.count);
			/* Files first: a record that reaches the disk names
			 * files that are already there. */
			if ((r = anc_outbox_sync(e->ob, err)) != ANC_OK ||
			    (e->tr != NULL &&
			    (r = anc_tr_sync(e->tr, err)) != ANC_OK))
				goto out;
		}
	}
	r = more < 0 ? more : ANC_OK;
 out:
	if (e->ob != NULL) {
		anc_outbox_defer_sync(e->ob, 0);
		if (r == ANC_OK)
			r = anc_outbox_sync(e->ob, err);
	}
	if (e->tr != NULL) {
		anc_tr_defer_sync(e->tr, 0);
		if (r == ANC_OK)
			r = anc_tr_sync(e->tr, err);
	}
	if (r != ANC_OK && b.c.index > 0 && !checking(&b))
		anc_err_prefix(err, "cluster %s (%zu of %zu)", b.c.name,
		    b.c.index, b.count);
	batch_free(&b);
	return r;
}

int
anc_step_batch_issue(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	return batch(e, s, err);
}

int
anc_step_batch_sign_csr(struct anc_engine *e, const struct anc_step *s,
    struct anc_err *err)
{
	return batch(e, s, err);
}

/*
 * anchorage: the export-vault step: a signed intermediate and its root, for
 * Vault's intermediate/set-signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "step.h"
#include "steps.h"

static const struct anc_field fields[] = {
	{ "certificate",	&anc_t_artifact,	REQUIRED,	S(certificate),	SL(certificate) },
	{ "output",		&anc_t_artifact,	"vault-chain",	S(output),	SL(output) },
};

static int
check(struct anc_vctx *v, const struct anc_step *s)
{
	struct anc_artref a;
	char f[128];

	return anc_ref(v, s, anc_step_field(f, sizeof(f), s, "certificate"),
	    anc_line_or(s, s->lines.certificate), s->certificate,
	    ANC_ART_STEP(ANC_STEP_SIGN_CSR), "a sign-csr output", &a);
}

static void
plan(struct anc_buf *t, const struct anc_step *s)
{
	anc_buf_put(t, "write %s followed by its root for Vault's "
	    "intermediate/set-signed", s->certificate);
}

static int
files(const struct anc_step *s, char names[][128], size_t cap, size_t *n)
{
	return anc_step_add_file(names, cap, n, "", s->output, ".pem") ||
	    anc_step_add_file(names, cap, n, "", s->output, ".README.txt");
}

static int
run(struct anc_engine *e, const struct anc_step *s, struct anc_err *err)
{
	struct anc_artifact *ica = anc_steps_art(e, s->certificate,
	    ANC_ART_CERT), *root;
	struct anc_provenance p;
	X509 *chain[2];
	char file[160], *text = NULL;
	size_t len = 0;
	int r;

	if (ica == NULL || (root = anc_steps_root_of(e, ica)) == NULL)
		return anc_err_set(err, ANC_E_INTERNAL, "certificate \"%s\"",
		    s->certificate);
	chain[0] = ica->cert;
	chain[1] = root->cert;
	/* Intermediate first, then the root: Vault imports each as an issuer
	 * and the root lands in ca_chain, so cert-manager's ca.crt is it. */
	if ((r = anc_steps_write_certs(e, s->output, chain, 2, err)) != ANC_OK)
		return r;
	anc_steps_provenance(e, &p);
	snprintf(file, sizeof(file), "%s.pem", s->output);
	if ((r = anc_manifest_vault_readme(file, ica->cert, root->cert, &p,
	    &text, &len, err)) != ANC_OK)
		return r;
	snprintf(file, sizeof(file), "%s.README.txt", s->output);
	return anc_steps_write_text(e, file, text, len, 0644, err);
}

const struct anc_step_type anc_kind_export_vault = {
	.kind = ANC_STEP_EXPORT_VAULT,
	.name = "export-vault",
	.uses_token = 0,
	ANC_STEP_FIELDS(fields),
	.init = NULL,
	.check = check,
	.plan = plan,
	.files = files,
	.inputs = anc_rec_inputs_signing,
	.run = run,
};

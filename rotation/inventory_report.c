/*
 * anchorage: the inventory report, written and read in one place.
 *
 * `inventory check --json` writes it, piece by piece so that it streams
 * (one certificate per line); the retire ceremony reads it back as an
 * input, hashed into the transcript like every input, and refuses to drop
 * an anchor while the report shows a certificate that would break.
 *
 * The gate trusts the report's per-certificate anchor lists, not its
 * verdicts: what breaks depends on the bundle this ceremony makes, which
 * the report's author did not know.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anchorage/err.h"
#include "anchorage/export.h"
#include "rotation_int.h"

#define REPORT_FORMAT "anchorage-inventory/1"
#define LISTED_MAX 3	/* certificates named in a refusal */

/*
 * Writing
 */

static int
dump(json_t *j, const char *prefix, const char *suffix, char **out,
    struct anc_err *err)
{
	char *s;
	int n;

	/* ENCODE_ANY: the error of an interrupted check is a bare string. */
	if (j == NULL || (s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_ENCODE_ANY)) == NULL) {
		json_decref(j);
		return anc_err_set(err, ANC_E_NOMEM, "inventory report");
	}
	json_decref(j);
	n = asprintf(out, "%s%s%s", prefix, s, suffix);
	free(s);
	if (n < 0)
		return anc_err_set(err, ANC_E_NOMEM, "inventory report");
	return ANC_OK;
}

int
anc_inventory_report_head(const struct anc_inventory *inv, char **out,
    struct anc_err *err)
{
	const struct anc_inv_anchor *a;
	char at[ANC_RFC3339_LEN], *anchors = NULL;
	json_t *arr = json_array();
	size_t i;
	int r, n;

	for (i = 0; arr != NULL && i < anc_inventory_anchor_count(inv); i++) {
		a = anc_inventory_anchor(inv, i);
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:b}", "index", (json_int_t)i + 1, "sha256",
		    a->sha256, "subject", a->subject, "serial", a->serial,
		    "not_after", a->not_after, "retiring", a->retiring));
	}
	if ((r = dump(arr, "", "", &anchors, err)) != ANC_OK)
		return r;
	anc_rfc3339_format(anc_inventory_at(inv), at);
	n = asprintf(out, "{\n\"format\": \"" REPORT_FORMAT "\",\n\"at\": "
	    "\"%s\",\n\"anchors\": %s,\n\"certificates\": [\n", at, anchors);
	free(anchors);
	if (n < 0)
		return anc_err_set(err, ANC_E_NOMEM, "inventory report");
	return ANC_OK;
}

int
anc_inventory_report_entry(const struct anc_inventory *inv,
    const struct anc_inv_result *res, int first, char **out,
    struct anc_err *err)
{
	json_t *fps = json_array(), *j;
	size_t i;

	for (i = 0; fps != NULL && i < anc_inventory_anchor_count(inv); i++)
		if ((res->anchors >> i) & 1)
			json_array_append_new(fps, json_string(
			    anc_inventory_anchor(inv, i)->sha256));
	j = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:s}", "source",
	    res->source, "status", anc_inv_status_name(res->status), "blocks",
	    res->blocks, "subject", res->subject, "sha256", res->sha256,
	    "not_after", res->not_after, "anchors", fps, "detail", res->detail);
	return dump(j, first ? "" : ",\n", "", out, err);
}

static json_t *
summary_json(const struct anc_inv_summary *s)
{
	json_t *sum = json_object();
	int i;

	for (i = 0; sum != NULL && i < ANC_INV__COUNT; i++)
		json_object_set_new(sum, anc_inv_status_name(
		    (enum anc_inv_status)i), json_integer(
		    (json_int_t)s->by_status[i]));
	json_object_set_new(sum, "total", json_integer((json_int_t)s->total));
	json_object_set_new(sum, "blocking",
	    json_integer((json_int_t)s->blocking));
	json_object_set_new(sum, "secrets",
	    json_integer((json_int_t)s->secrets));
	json_object_set_new(sum, "skipped",
	    json_integer((json_int_t)s->skipped));
	return sum;
}

int
anc_inventory_report_tail(const struct anc_inventory *inv, const char *error,
    char **out, struct anc_err *err)
{
	char *sum = NULL, *e = NULL, msg[ANC_ERR_MSG_MAX];
	int r, n;

	if ((r = dump(summary_json(anc_inventory_summary(inv)), "", "", &sum,
	    err)) != ANC_OK)
		return r;
	if (error != NULL) {
		anc_inv_printable(error, msg, sizeof(msg));
		if ((r = dump(json_string(msg), ",\n\"error\": ", "", &e,
		    err)) != ANC_OK)
			goto out;
	}
	/* An interrupted check is never safe, whatever it saw so far. */
	n = asprintf(out, "\n],\n\"summary\": %s,\n\"safe\": %s%s\n}\n", sum,
	    error == NULL && anc_inventory_safe(inv) ? "true" : "false",
	    e != NULL ? e : "");
	r = n < 0 ? anc_err_set(err, ANC_E_NOMEM, "inventory report") : ANC_OK;
 out:
	free(sum);
	free(e);
	return r;
}

/*
 * Reading: the retire gate
 */

/* A certificate of this run as the report names anchors. */
struct ident {
	const char *name;	/* artifact, for messages */
	char sha256[65];
	char subject[256];
	char serial[64];
	int retired;
	int in_report;
};

struct gate {
	const struct anc_retire_req *q;
	const char *report;	/* the input's name */
	json_t *doc;
	json_t *anchors;	/* the report's */
	struct ident **map;	/* report anchor i is map[i] */
	struct ident *ids;	/* the bundle's anchors, then the retired */
	size_t nid;
	unsigned char *used;	/* per exception */
	size_t blocking;
	char listed[LISTED_MAX][448];
};

static int
ident_of(X509 *x, const char *name, int retired, struct ident *id,
    struct anc_err *err)
{
	memset(id, 0, sizeof(*id));
	id->name = name;
	id->retired = retired;
	if (anc_cert_fingerprint(x, id->sha256) != ANC_OK)
		return anc_err_ossl(err, ANC_E_CRYPTO, "retire gate: "
		    "fingerprint of %s", name);
	anc_x509_subject(x, id->subject, sizeof(id->subject));
	anc_x509_serial(x, id->serial, sizeof(id->serial));
	return ANC_OK;
}

static void
say(const struct gate *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct gate *g, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (g->q->say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	g->q->say(g->q->say_arg, line);
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/*
 * Is report anchor `ra` this certificate?  By fingerprint; and, when only
 * checking, by subject and serial too: `ceremony check` re-signs an input
 * whose key is in the token with a throwaway key, which changes
 * its fingerprint but neither its subject nor its serial.
 */
static int
same(const struct gate *g, json_t *ra, const struct ident *id)
{
	if (strcmp(str(ra, "sha256"), id->sha256) == 0)
		return 1;
	return g->q->checking && strcmp(str(ra, "subject"), id->subject) == 0
	    && strcmp(str(ra, "serial"), id->serial) == 0;
}

static struct ident *
find_sha(struct ident *ids, size_t n, const char *sha256)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i].sha256, sha256) == 0)
			return &ids[i];
	return NULL;
}

static int
gate_idents(struct gate *g, STACK_OF(X509) *bundle, struct anc_err *err)
{
	size_t i, nb = (size_t)sk_X509_num(bundle);
	int r;

	g->nid = nb + g->q->n_retires;
	if ((g->ids = calloc(g->nid + 1, sizeof(*g->ids))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "retire gate");
	for (i = 0; i < nb; i++)
		if ((r = ident_of(sk_X509_value(bundle, (int)i), "this bundle",
		    0, &g->ids[i], err)) != ANC_OK)
			return r;
	for (i = 0; i < g->q->n_retires; i++)
		if ((r = ident_of(g->q->retire_certs[i],
		    g->q->retire_names[i], 1, &g->ids[nb + i], err)) != ANC_OK)
			return r;
	for (i = nb; i < g->nid; i++)
		if (find_sha(g->ids, nb, g->ids[i].sha256) != NULL)
			return anc_err_set(err, ANC_E_UNSAFE, "retires \"%s\" "
			    "is also in the bundle; expected an anchor the "
			    "bundle drops", g->ids[i].name);
	return ANC_OK;
}

/* Every anchor the report checked is kept or retired here, and every
 * anchor kept or retired here was checked: otherwise the report cannot
 * say what this bundle breaks. */
static int
gate_anchors(struct gate *g, struct anc_err *err)
{
	json_t *ra;
	size_t i, j, n = json_array_size(g->anchors);

	if ((g->map = calloc(n + 1, sizeof(*g->map))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "retire gate");
	for (i = 0; i < n; i++) {
		ra = json_array_get(g->anchors, i);
		for (j = 0; j < g->nid && g->map[i] == NULL; j++)
			if (same(g, ra, &g->ids[j]))
				g->map[i] = &g->ids[j];
		if (g->map[i] == NULL)
			return anc_err_set(err, ANC_E_UNSAFE, "inventory report "
			    "\"%s\" checked anchor %zu (%s, sha256 %s), which "
			    "this step neither keeps nor retires; expected it "
			    "in anchors or in retires", g->report, i + 1,
			    str(ra, "subject"), str(ra, "sha256"));
		g->map[i]->in_report = 1;
	}
	for (j = 0; j < g->nid; j++)
		if (!g->ids[j].in_report)
			return anc_err_set(err, ANC_E_UNSAFE, "inventory report "
			    "\"%s\" was made without %s anchor %s (sha256 %s); "
			    "expected `inventory check --anchors` with every "
			    "anchor this step keeps or retires", g->report,
			    g->ids[j].retired ? "the retiring" : "the kept",
			    g->ids[j].subject, g->ids[j].sha256);
	return ANC_OK;
}

/* Does this certificate of the report break when the step's bundle
 * replaces the old one? */
static int
breaks(const struct gate *g, json_t *cert, size_t num, int *out,
    struct anc_err *err)
{
	json_t *fps = json_object_get(cert, "anchors"), *v;
	size_t i, j, n = json_array_size(g->anchors);
	int kept = 0, retired = 0;

	*out = strcmp(str(cert, "status"), "incomplete") == 0;
	json_array_foreach(fps, i, v) {
		for (j = 0; j < n; j++)
			if (json_string_value(v) != NULL &&
			    strcmp(json_string_value(v), str(json_array_get(
			    g->anchors, j), "sha256")) == 0)
				break;
		if (j == n)
			return anc_err_set(err, ANC_E_INPUT, "inventory report "
			    "\"%s\": certificates[%zu] names an anchor the "
			    "report does not list", g->report, num + 1);
		if (g->map[j]->retired)
			retired = 1;
		else
			kept = 1;
	}
	if (retired && !kept)
		*out = 1;
	return ANC_OK;
}

static const struct anc_exception *
exception_for(struct gate *g, const char *sha256)
{
	size_t i;

	for (i = 0; i < g->q->n_exceptions; i++)
		if (strcmp(g->q->exceptions[i].certificate, sha256) == 0) {
			g->used[i] = 1;
			return &g->q->exceptions[i];
		}
	return NULL;
}

static int
gate_certs(struct gate *g, json_t *certs, struct anc_err *err)
{
	const struct anc_exception *x;
	json_t *c;
	size_t i;
	int b, r;

	json_array_foreach(certs, i, c) {
		if ((r = breaks(g, c, i, &b, err)) != ANC_OK)
			return r;
		if (!b)
			continue;
		if ((x = exception_for(g, str(c, "sha256"))) != NULL) {
			say(g, "  exception: %s (%s, sha256 %s) "
			    "may break: \"%s\", approved by %s", str(c,
			    "source"), str(c, "subject"), str(c, "sha256"),
			    x->reason, x->approved_by);
			continue;
		}
		if (g->blocking < LISTED_MAX)
			snprintf(g->listed[g->blocking], sizeof(g->listed[0]),
			    "%s (%s, sha256 %s): %s", str(c, "source"), str(c,
			    "subject"), str(c, "sha256"), str(c, "status"));
		g->blocking++;
	}
	return ANC_OK;
}

static int
refuse(struct gate *g, struct anc_err *err)
{
	char names[256], list[ANC_ERR_MSG_MAX / 2];
	size_t i, n = 0, len = 0;

	names[0] = list[0] = '\0';
	for (i = 0; i < g->q->n_retires && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		    i > 0 ? ", " : "", g->q->retire_names[i]);
	for (i = 0; i < g->blocking && i < LISTED_MAX && len < sizeof(list);
	    i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? "; " : "", g->listed[i]);
	if (g->blocking > LISTED_MAX && len < sizeof(list))
		snprintf(list + len, sizeof(list) - len, "; and %zu more",
		    g->blocking - LISTED_MAX);
	return anc_err_set(err, ANC_E_UNSAFE, "retiring %s would break %zu "
	    "certificate(s) of inventory report \"%s\": %s; re-issue them "
	    "under an anchor this bundle keeps and run inventory check "
	    "again, or record an exception for each (docs/rotation.md)",
	    names, g->blocking, g->report, list);
}

/* An exception no certificate needs was written for another report. */
static int
unused(const struct gate *g, struct anc_err *err)
{
	size_t i;

	for (i = 0; i < g->q->n_exceptions; i++)
		if (!g->used[i])
			return anc_err_set(err, ANC_E_UNSAFE, "%s:%d: "
			    "exceptions[%zu]: certificate %s does not break "
			    "according to inventory report \"%s\"; expected "
			    "exceptions only for certificates that would",
			    g->q->script, g->q->exceptions[i].line, i + 1,
			    g->q->exceptions[i].certificate, g->report);
	return ANC_OK;
}

static int
load_report(struct gate *g, json_t **certs, struct anc_err *err)
{
	json_error_t je;

	g->doc = json_loadb((const char *)g->q->raw, g->q->raw_len,
	    JSON_REJECT_DUPLICATES, &je);
	if (g->doc == NULL)
		return anc_err_set(err, ANC_E_INPUT, "inventory report \"%s\": "
		    "line %d: %s; expected the output of `anchorage --json "
		    "inventory check`", g->report, je.line, je.text);
	g->anchors = json_object_get(g->doc, "anchors");
	*certs = json_object_get(g->doc, "certificates");
	if (strcmp(str(g->doc, "format"), REPORT_FORMAT) != 0 ||
	    !json_is_array(g->anchors) || !json_is_array(*certs))
		return anc_err_set(err, ANC_E_INPUT, "inventory report \"%s\": "
		    "expected format \"" REPORT_FORMAT "\" with anchors and "
		    "certificates", g->report);
	if (json_object_get(g->doc, "error") != NULL)
		return anc_err_set(err, ANC_E_UNSAFE, "inventory report \"%s\" "
		    "is incomplete: the check stopped (%s)", g->report,
		    str(g->doc, "error"));
	return ANC_OK;
}

int
anc_retire_check(const struct anc_retire_req *q, struct anc_err *err)
{
	struct gate g;
	json_t *certs = NULL;
	int r;

	memset(&g, 0, sizeof(g));
	g.q = q;
	g.report = q->report;
	if ((g.used = calloc(q->n_exceptions + 1, 1)) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "retire gate");
		goto out;
	}
	if ((r = load_report(&g, &certs, err)) != ANC_OK ||
	    (r = gate_idents(&g, q->bundle, err)) != ANC_OK ||
	    (r = gate_anchors(&g, err)) != ANC_OK ||
	    (r = gate_certs(&g, certs, err)) != ANC_OK)
		goto out;
	if (g.blocking > 0) {
		r = refuse(&g, err);
		goto out;
	}
	if ((r = unused(&g, err)) != ANC_OK)
		goto out;
	say(&g, "  inventory report %s (checked %s): %zu "
	    "certificate(s), none breaks without an exception", g.report,
	    str(g.doc, "at"), json_array_size(certs));
	/* success */
	r = ANC_OK;
 out:
	json_decref(g.doc);
	free(g.ids);
	free(g.map);
	free(g.used);
	return r;
}

/*
 * anchorage: the inventory's reader of `kubectl get secrets -A -o yaml`.
 *
 * libyaml's event API, one Secret at a time: the fields that matter (kind,
 * type, metadata.name and .namespace, data["tls.crt"] and data["ca.crt"])
 * are kept while a Secret's mapping is open, and the Secret is checked and
 * forgotten when it closes.  So memory stays the size of one Secret, however
 * many the cluster has.  kubectl sorts keys, so `type` arrives after
 * `data`: nothing can be decided before the mapping ends.
 *
 * tls.key is never decoded or copied; libyaml's copy of it (and of any
 * other data value but tls.crt and ca.crt) is wiped as soon as the event
 * is done with.  What a Secret's two values hold is read in
 * inventory_k8s_secret.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "anchorage/err.h"
#include "inventory_int.h"

struct k8s {
	struct anc_inventory *inv;
	struct anc_inv_secrets *secrets;
	struct anc_err *err;
	const char *path;
	FILE *f;
	yaml_parser_t yp;
	yaml_event_t ev;
	int have_ev;
	int wipe;		/* the current event is a secret's value */
};

/* What one object says; a List's items are objects of their own. */
struct object {
	char kind[32];
	char type[64];
	char name[254];
	char ns[64];
	struct anc_inv_value tls, ca;
};

static void
value_clear(struct anc_inv_value *v)
{
	free(v->s);
	memset(v, 0, sizeof(*v));
}

static int
yaml_fail(struct k8s *k)
{
	if (k->yp.error == YAML_MEMORY_ERROR)
		return anc_err_set(k->err, ANC_E_NOMEM, "%s", k->path);
	if (k->yp.error == YAML_READER_ERROR && ferror(k->f))
		return anc_err_set(k->err, ANC_E_IO, "%s: %s", k->path,
		    strerror(errno));
	return anc_err_set(k->err, ANC_E_SYNTAX, "%s:%zu: YAML syntax error: "
	    "%s; expected the output of kubectl get secrets -o yaml", k->path,
	    k->yp.problem_mark.line + 1, k->yp.problem != NULL ?
	    k->yp.problem : "unknown problem");
}

static void
drop_event(struct k8s *k)
{
	if (!k->have_ev)
		return;
	/* A tls.key, or any other secret value, does not linger. */
	if (k->wipe && k->ev.type == YAML_SCALAR_EVENT)
		OPENSSL_cleanse(k->ev.data.scalar.value,
		    k->ev.data.scalar.length);
	k->wipe = 0;
	yaml_event_delete(&k->ev);
	k->have_ev = 0;
}

static int
next(struct k8s *k)
{
	drop_event(k);
	if (!yaml_parser_parse(&k->yp, &k->ev))
		return yaml_fail(k);
	k->have_ev = 1;
	return ANC_OK;
}

/* The current event opens a node: consume it whole. */
static int
skip(struct k8s *k)
{
	int depth = 0, r;

	do {
		if (k->ev.type == YAML_SEQUENCE_START_EVENT ||
		    k->ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (k->ev.type == YAML_SEQUENCE_END_EVENT ||
		    k->ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth > 0 && (r = next(k)) != ANC_OK)
			return r;
	} while (depth > 0);
	return ANC_OK;
}

/* Copy a short scalar (a name); anything else leaves "". */
static void
copy_scalar(const struct k8s *k, char *dst, size_t cap)
{
	size_t n;

	dst[0] = '\0';
	if (k->ev.type != YAML_SCALAR_EVENT)
		return;
	n = k->ev.data.scalar.length < cap - 1 ? k->ev.data.scalar.length :
	    cap - 1;
	memcpy(dst, k->ev.data.scalar.value, n);
	dst[n] = '\0';
}

static int
keep_value(struct k8s *k, struct anc_inv_value *v)
{
	value_clear(v);
	v->present = 1;
	if (k->ev.type != YAML_SCALAR_EVENT) {
		v->bad = "not a string";
		return skip(k);
	}
	if (k->ev.data.scalar.length > ANC_INV_VALUE_MAX) {
		v->bad = "larger than 1 MiB";
		return ANC_OK;
	}
	if ((v->s = malloc(k->ev.data.scalar.length + 1)) == NULL)
		return anc_err_set(k->err, ANC_E_NOMEM, "%s", k->path);
	memcpy(v->s, k->ev.data.scalar.value, k->ev.data.scalar.length);
	v->s[k->ev.data.scalar.length] = '\0';
	v->len = k->ev.data.scalar.length;
	return ANC_OK;
}

/*
 * The current event opens a mapping.  For each key, `field` is called
 * with the value's first event current; it consumes the value.
 */
typedef int (*field_fn)(struct k8s *, struct object *, const char *key,
    int top);

static int
each_field(struct k8s *k, struct object *o, int top, field_fn fn)
{
	char key[64];
	int r;

	if (k->ev.type != YAML_MAPPING_START_EVENT)
		return skip(k);
	for (;;) {
		if ((r = next(k)) != ANC_OK)
			return r;
		if (k->ev.type == YAML_MAPPING_END_EVENT)
			return ANC_OK;
		if (k->ev.type != YAML_SCALAR_EVENT) {
			/* A complex key: not something kubectl writes. */
			if ((r = skip(k)) != ANC_OK || (r = next(k)) != ANC_OK ||
			    (r = skip(k)) != ANC_OK)
				return r;
			continue;
		}
		copy_scalar(k, key, sizeof(key));
		if ((r = next(k)) != ANC_OK || (r = fn(k, o, key, top)) !=
		    ANC_OK)
			return r;
	}
}

static int
metadata_field(struct k8s *k, struct object *o, const char *key, int top)
{
	if (strcmp(key, "name") == 0)
		copy_scalar(k, o->name, sizeof(o->name));
	else if (strcmp(key, "namespace") == 0)
		copy_scalar(k, o->ns, sizeof(o->ns));
	return skip(k);
}

static int
data_field(struct k8s *k, struct object *o, const char *key, int top)
{
	if (strcmp(key, "tls.crt") == 0)
		return keep_value(k, &o->tls);
	if (strcmp(key, "ca.crt") == 0)
		return keep_value(k, &o->ca);
	k->wipe = 1;
	return skip(k);
}

static int process(struct k8s *k, struct object *o);

static void
object_clear(struct object *o)
{
	value_clear(&o->tls);
	value_clear(&o->ca);
	memset(o, 0, sizeof(*o));
}

static int object_field(struct k8s *, struct object *, const char *, int);

/* A List's items: each checked as soon as its mapping closes. */
static int
items(struct k8s *k)
{
	struct object item;
	int r;

	if (k->ev.type != YAML_SEQUENCE_START_EVENT)
		return skip(k);
	memset(&item, 0, sizeof(item));
	for (;;) {
		if ((r = next(k)) != ANC_OK)
			return r;
		if (k->ev.type == YAML_SEQUENCE_END_EVENT)
			return ANC_OK;
		if (k->ev.type != YAML_MAPPING_START_EVENT) {
			if ((r = skip(k)) != ANC_OK)
				return r;
			continue;
		}
		r = each_field(k, &item, 0, object_field);
		if (r == ANC_OK)
			r = process(k, &item);
		object_clear(&item);
		if (r != ANC_OK)
			return r;
	}
}

static int
object_field(struct k8s *k, struct object *o, const char *key, int top)
{
	if (strcmp(key, "kind") == 0)
		copy_scalar(k, o->kind, sizeof(o->kind));
	else if (strcmp(key, "type") == 0)
		copy_scalar(k, o->type, sizeof(o->type));
	else if (strcmp(key, "metadata") == 0)
		return each_field(k, o, 0, metadata_field);
	else if (strcmp(key, "data") == 0)
		return each_field(k, o, 0, data_field);
	else if (strcmp(key, "items") == 0 && top)
		return items(k);
	return skip(k);
}

static int
process(struct k8s *k, struct object *o)
{
	if (strcmp(o->kind, "Secret") != 0)
		return ANC_OK;
	anc_inv_count_secret(k->inv, strcmp(o->type, "kubernetes.io/tls") !=
	    0);
	if (strcmp(o->type, "kubernetes.io/tls") != 0)
		return ANC_OK;
	return anc_inv_secret(k->secrets, o->ns, o->name, &o->tls, &o->ca);
}

/* Each document: a List of Secrets, or one Secret. */
static int
documents(struct k8s *k)
{
	struct object top;
	int r;

	memset(&top, 0, sizeof(top));
	if ((r = next(k)) != ANC_OK)
		return r;
	for (;;) {
		if ((r = next(k)) != ANC_OK)
			break;
		if (k->ev.type == YAML_STREAM_END_EVENT)
			break;
		if (k->ev.type != YAML_DOCUMENT_START_EVENT)
			continue;
		if ((r = next(k)) != ANC_OK)
			break;
		r = each_field(k, &top, 1, object_field);
		if (r == ANC_OK)
			r = process(k, &top);
		object_clear(&top);
		if (r != ANC_OK || (r = next(k)) != ANC_OK)
			break;
	}
	object_clear(&top);
	return r;
}

int
anc_inventory_k8s(struct anc_inventory *inv, const char *path,
    anc_inv_fn fn, void *arg, struct anc_err *err)
{
	struct k8s k;
	FILE *f = stdin;
	int r;

	memset(&k, 0, sizeof(k));
	k.inv = inv;
	k.err = err;
	k.path = strcmp(path, "-") == 0 ? "stdin" : path;
	if (strcmp(path, "-") != 0 && (f = fopen(path, "re")) == NULL)
		return anc_err_set(err, errno == ENOENT ? ANC_E_INPUT : ANC_E_IO,
		    "%s: %s", path, strerror(errno));
	if ((r = anc_inv_secrets_new(inv, fn, arg, k.path, err,
	    &k.secrets)) != ANC_OK)
		goto out;
	if (!yaml_parser_initialize(&k.yp)) {
		r = anc_err_set(err, ANC_E_NOMEM, "%s", k.path);
		goto out;
	}
	k.f = f;
	yaml_parser_set_input_file(&k.yp, f);
	r = documents(&k);
	drop_event(&k);
	yaml_parser_delete(&k.yp);
 out:
	anc_inv_secrets_free(k.secrets);
	if (f != stdin)
		fclose(f);
	return r;
}

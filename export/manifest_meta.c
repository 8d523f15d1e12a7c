/*
 * anchorage: the metadata of every manifest anchorage writes.
 *
 * Kubernetes' rules for object names, namespaces and label values, the
 * provenance (ceremony name, tool version, script SHA-256) checked
 * against them, and the one way metadata is written: the recommended
 * app.kubernetes.io labels and the provenance annotations.  A name that
 * breaks a rule is refused here rather than by the API server after the
 * air gap; the ceremony checks first, so a refusal is ANC_E_INTERNAL.
 */
#define _GNU_SOURCE
#include <string.h>

#include "anchorage/err.h"
#include "anchorage/hash.h"
#include "anchorage/manifest.h"
#include "manifest_int.h"
#include "yaml_emit.h"

#define PREFIX ANC_ANNOTATION_PREFIX
#define PART_OF "anchorage"

/*
 * 1..max characters from [a-z0-9] (also [A-Z] unless lower) and `extra`,
 * starting and ending with a letter or digit.
 */
static int
name_chars_ok(const char *s, size_t max, const char *extra, int lower)
{
	size_t i, n = strlen(s);
	unsigned char c;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (!lower && c >= 'A' && c <= 'Z'))
			continue;
		if (i == 0 || i == n - 1 || strchr(extra, c) == NULL)
			return 0;
	}
	return 1;
}

/* Object names: DNS-1123 subdomains. */
static int
object_name_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 253, "-.", 1);
}

/* Namespaces: DNS-1123 labels. */
static int
namespace_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 63, "-", 1);
}

static int
label_value_ok(const char *s)
{
	return s != NULL && name_chars_ok(s, 63, "-_.", 0);
}

static int
sha256_hex_ok(const char *s)
{
	return s != NULL && strlen(s) == ANC_SHA256_HEX - 1 &&
	    strspn(s, "0123456789abcdef") == ANC_SHA256_HEX - 1;
}

int
anc_manifest_check_name(const char *what, const char *s, struct anc_err *err)
{
	if (!object_name_ok(s))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%.253s\": "
		    "expected a Kubernetes object name (lowercase letters, "
		    "digits, '-' and '.', at most 253)", what,
		    s != NULL ? s : "");
	return ANC_OK;
}

int
anc_manifest_check_namespace(const char *what, const char *s,
    struct anc_err *err)
{
	if (!namespace_ok(s))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%.253s\": "
		    "expected a Kubernetes namespace (lowercase letters, "
		    "digits and '-', at most 63)", what, s != NULL ? s : "");
	return ANC_OK;
}

/* Everything emit_metadata() writes must be valid where it lands. */
int
anc_manifest_check_meta(const char *kind, const struct anc_manifest_meta *m,
    struct anc_err *err)
{
	const struct anc_provenance *p = m->p;
	int r;

	if ((r = anc_manifest_check_name(kind, m->name, err)) != ANC_OK)
		return r;
	if (!label_value_ok(m->name))
		return anc_err_set(err, ANC_E_INTERNAL, "%s \"%s\": longer "
		    "than the 63 characters of a label value "
		    "(app.kubernetes.io/name)", kind, m->name);
	if (m->ns != NULL &&
	    (r = anc_manifest_check_namespace("namespace", m->ns, err)) !=
	    ANC_OK)
		return anc_err_prefix(err, "%s %s", kind, m->name);
	if (p == NULL || !label_value_ok(p->ceremony) ||
	    !label_value_ok(p->tool_version))
		return anc_err_set(err, ANC_E_INTERNAL, "%s %s: the ceremony "
		    "name and tool version must be valid label values "
		    "(letters, digits, '-', '_', '.', at most 63)", kind,
		    m->name);
	if (!sha256_hex_ok(p->ceremony_sha256))
		return anc_err_set(err, ANC_E_INTERNAL, "%s %s: ceremony "
		    "SHA-256: expected 64 lowercase hex digits", kind,
		    m->name);
	return ANC_OK;
}

/* The Vault README has no metadata; it checks the provenance whole. */
int
anc_manifest_provenance_ok(const struct anc_provenance *p)
{
	return p != NULL && label_value_ok(p->ceremony) &&
	    label_value_ok(p->tool_version) &&
	    sha256_hex_ok(p->ceremony_sha256);
}

static void
emit_metadata(struct anc_yaml *y, const struct anc_manifest_meta *m)
{
	size_t i;

	anc_yaml_key(y, "metadata");
	anc_yaml_map(y);
	anc_yaml_kv(y, "name", m->name);
	if (m->ns != NULL)
		anc_yaml_kv(y, "namespace", m->ns);
	anc_yaml_key(y, "labels");
	anc_yaml_map(y);
	anc_yaml_kv(y, "app.kubernetes.io/name", m->name);
	anc_yaml_kv(y, "app.kubernetes.io/instance", m->p->ceremony);
	anc_yaml_kv(y, "app.kubernetes.io/version", m->p->tool_version);
	anc_yaml_kv(y, "app.kubernetes.io/component", m->component);
	anc_yaml_kv(y, "app.kubernetes.io/part-of", PART_OF);
	anc_yaml_kv(y, "app.kubernetes.io/managed-by", PART_OF);
	anc_yaml_map_end(y);
	anc_yaml_key(y, "annotations");
	anc_yaml_map(y);
	anc_yaml_kv(y, PREFIX "ceremony", m->p->ceremony);
	anc_yaml_kv(y, PREFIX "ceremony-sha256", m->p->ceremony_sha256);
	for (i = 0; i < m->nann; i++)
		anc_yaml_kv(y, m->ann[i].key, m->ann[i].value);
	anc_yaml_map_end(y);
	anc_yaml_map_end(y);
}

/* The document's top-level mapping up to and including metadata. */
void
anc_manifest_emit_head(struct anc_yaml *y, const char *api, const char *kind,
    const struct anc_manifest_meta *m)
{
	anc_yaml_map(y);
	anc_yaml_kv(y, "apiVersion", api);
	anc_yaml_kv(y, "kind", kind);
	emit_metadata(y, m);
}

#!/usr/bin/python3
"""Check an anchorage outbox's Kubernetes manifests without anchorage's code.

Usage: /usr/bin/python3 check_manifests.py OUTBOX

Reads OUTBOX/manifests/*.yaml (and OUTBOX/helm-values-*.yaml) with PyYAML
and the `cryptography` module and checks what the cluster will rely on:

- each file is one YAML document with apiVersion, kind and metadata.name;
  no duplicate keys; every metadata value a string (YAML 1.1 would turn an
  unquoted `on` or `0755` into a boolean or a number); the recommended
  app.kubernetes.io/* labels; no cert-manager.io/* annotations.
- Secret: type kubernetes.io/tls, file mode 0600, data tls.crt, tls.key,
  ca.crt.  tls.crt and ca.crt's first certificate join into ONE chain by
  cert-manager's (>= 1.4) ParseSingleCertificateChain rule: de-duplicate,
  join each certificate to the one whose subject is its issuer and whose
  key verifies its signature; a single chain must result.  It must start
  at tls.crt's first certificate (a CA) and end at ca.crt, self-signed.
  tls.key's public key is that first certificate's.
- ConfigMap: every certificate of every PEM value is a self-signed CA
  (a trust anchor), and the anchorage.dev/anchors annotation lists them.
- Bundle: cluster-scoped; its configMap source names a ConfigMap of the
  outbox and a key that ConfigMap holds.

Exits 1 with a message naming the file at the first failure; prints
"ok: N manifests" on success.
"""

import base64
import binascii
import glob
import hashlib
import os
import re
import stat
import sys

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

PREFIX = "anchorage.dev/"
LABELS = ("name", "instance", "version", "component", "part-of", "managed-by")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----")


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys, as the API server's
    strict decoding does (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(path):
    try:
        with open(path, "rb") as f:
            doc = yaml.load(f, Loader=UniqueKeyLoader)
    except yaml.YAMLError as e:
        fail(f"not one valid YAML document: {e}")
    if not isinstance(doc, dict):
        fail("expected a mapping at the top")
    return doc


def get(doc, *path):
    """The value at path, or fail naming the dotted path."""
    node = doc
    for i, key in enumerate(path):
        if not isinstance(node, dict) or key not in node:
            fail(f"missing {'.'.join(str(p) for p in path[:i + 1])}")
        node = node[key]
    return node


def get_str(doc, *path):
    value = get(doc, *path)
    if not isinstance(value, str) or value == "":
        fail(f"{'.'.join(path)}: expected a non-empty string, "
             f"found {value!r}")
    return value


# ---- certificates ----

def pem_certs(text, what):
    """Every CERTIFICATE block, in order; nothing but whitespace around."""
    data = text.encode() if isinstance(text, str) else text
    certs, pos = [], 0
    for m in PEM_BLOCK.finditer(data):
        if data[pos:m.start()].strip():
            fail(f"{what}: text outside PEM blocks")
        if m.group(1) != b"CERTIFICATE":
            fail(f"{what}: block {len(certs) + 1} is {m.group(1).decode()}, "
                 "expected CERTIFICATE")
        try:
            der = base64.b64decode(m.group(2), validate=False)
            certs.append(x509.load_der_x509_certificate(der))
        except (ValueError, binascii.Error) as e:
            fail(f"{what}: block {len(certs) + 1}: {e}")
        pos = m.end()
    if data[pos:].strip():
        fail(f"{what}: text outside PEM blocks")
    if not certs:
        fail(f"{what}: no certificate")
    return certs


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def fingerprint(cert):
    return hashlib.sha256(der(cert)).hexdigest()


def not_after(cert):
    # not_valid_after_utc from cryptography 42; bookworm has 38.
    when = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(cert):
    return cert.subject.rfc4514_string() or "(empty subject)"


def signed_by(cert, issuer):
    """Go's CheckSignatureFrom, minus its CA flag test: names chain and
    the issuer's key verifies the signature."""
    if cert.issuer.public_bytes() != issuer.subject.public_bytes():
        return False
    key, sig, tbs = issuer.public_key(), cert.signature, cert.tbs_certificate_bytes
    algo = cert.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if cert.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSASSA_PSS:
                key.verify(sig, tbs, padding.PSS(padding.MGF1(algo),
                           padding.PSS.AUTO), algo)
            else:
                key.verify(sig, tbs, padding.PKCS1v15(), algo)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, tbs, ec.ECDSA(algo))
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(sig, tbs)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def is_ca(cert):
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return bc.value.ca


def is_self_signed(cert):
    return signed_by(cert, cert)


def single_chain(certs):
    """cert-manager's ParseSingleCertificateChain: de-duplicate, then join
    chains while the last certificate of one is issued by the first of
    another.  Returns the one chain, or None if more than one remains."""
    unique, seen = [], set()
    for c in certs:
        if der(c) not in seen:
            seen.add(der(c))
            unique.append(c)
    chains = [[c] for c in unique]
    joined = True
    while joined and len(chains) > 1:
        joined = False
        for i, a in enumerate(chains):
            for j, b in enumerate(chains):
                if i != j and signed_by(a[-1], b[0]):
                    a.extend(b)
                    del chains[j]
                    joined = True
                    break
            if joined:
                break
    return chains[0] if len(chains) == 1 else None


# ---- manifests ----

def check_metadata(doc):
    meta = get(doc, "metadata")
    if not isinstance(meta, dict):
        fail("metadata: expected a mapping")
    for k, v in meta.items():
        if k not in ("labels", "annotations") and not isinstance(v, str):
            fail(f"metadata.{k}: {v!r} is not a string")
    name = get_str(doc, "metadata", "name")
    if len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        fail(f"metadata.name {name!r}: not a DNS subdomain")
    if "namespace" in meta:
        ns = get_str(doc, "metadata", "namespace")
        if len(ns) > 63 or not DNS_LABEL.match(ns):
            fail(f"metadata.namespace {ns!r}: not a DNS label")
    for field in ("labels", "annotations"):
        values = get(doc, "metadata", field)
        if not isinstance(values, dict):
            fail(f"metadata.{field}: expected a mapping")
        for k, v in values.items():
            if not isinstance(k, str) or not isinstance(v, str):
                fail(f"metadata.{field}: {k!r}: {v!r} is not a string "
                     "(unquoted YAML 1.1 boolean or number?)")
            if k.startswith("cert-manager.io/"):
                fail(f"metadata.{field}: {k}: cert-manager's own key on a "
                     "hand-made object")
    labels = meta["labels"]
    for short in LABELS:
        key = "app.kubernetes.io/" + short
        value = get_str(doc, "metadata", "labels", key)
        if len(value) > 63 or not LABEL_VALUE.match(value):
            fail(f"metadata.labels.{key} {value!r}: not a label value")
    if labels["app.kubernetes.io/name"] != name:
        fail("app.kubernetes.io/name is not metadata.name")
    for key in ("ceremony", "ceremony-sha256"):
        get_str(doc, "metadata", "annotations", PREFIX + key)
    return meta


def annotation(doc, key):
    return get_str(doc, "metadata", "annotations", PREFIX + key)


def b64_field(doc, key):
    value = get_str(doc, "data", key)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as e:
        fail(f"data.{key}: not base64: {e}")


def check_secret(path, doc):
    if get(doc, "apiVersion") != "v1":
        fail("Secret: apiVersion is not v1")
    if get(doc, "type") != "kubernetes.io/tls":
        fail("Secret: type is not kubernetes.io/tls")
    get_str(doc, "metadata", "namespace")
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        fail("Secret holds a private key but its file is readable by "
             "group or others (expected mode 0600)")
    data = get(doc, "data")
    for key in data:
        if not isinstance(key, str) or not DATA_KEY.match(key):
            fail(f"data: key {key!r} is not a valid Secret key")
    tls_crt = pem_certs(b64_field(doc, "tls.crt"), "tls.crt")
    ca_crt = pem_certs(b64_field(doc, "ca.crt"), "ca.crt")
    if len(ca_crt) != 1:
        fail(f"ca.crt holds {len(ca_crt)} certificates; cert-manager reads "
             "only the first, so trust must not depend on the rest")
    root = ca_crt[0]

    first = tls_crt[0]
    if not is_ca(first):
        fail(f"tls.crt: first certificate {describe(first)} is not a CA; "
             "cert-manager's CA issuer would not become Ready")
    chain = single_chain(tls_crt + [root])
    if chain is None:
        fail("tls.crt and ca.crt do not join into one chain (cert-manager: "
             "\"certificate chain is malformed or broken\"): an old+new "
             "root bundle in tls.crt, or a ca.crt that is not its root?")
    if der(chain[0]) != der(first):
        fail("tls.crt: the chain does not start at its first certificate")
    if der(chain[-1]) != der(root) or not is_self_signed(root):
        fail("the chain does not end at ca.crt, a self-signed root")
    if [der(c) for c in chain[:len(tls_crt)]] != [der(c) for c in tls_crt]:
        fail("tls.crt is not in order: issuing CA, then each issuer up to "
             "the root")

    try:
        key = serialization.load_pem_private_key(b64_field(doc, "tls.key"),
                                                 password=None)
    except (ValueError, TypeError) as e:
        fail(f"tls.key: not an unencrypted PEM private key: {e}")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if (key.public_key().public_bytes(serialization.Encoding.DER, spki) !=
            first.public_key().public_bytes(serialization.Encoding.DER, spki)):
        fail("tls.key does not match tls.crt's first certificate")

    for key_name, cert in (("issuing-ca", first), ("root", root)):
        if annotation(doc, key_name + "-sha256") != fingerprint(cert):
            fail(f"annotation {PREFIX}{key_name}-sha256 is not the "
                 "certificate's SHA-256")
        if annotation(doc, key_name + "-not-after") != not_after(cert):
            fail(f"annotation {PREFIX}{key_name}-not-after is not the "
                 "certificate's notAfter")
    return root


def check_anchor_annotations(doc, anchors):
    if annotation(doc, "anchors") != ",".join(fingerprint(c) for c in anchors):
        fail(f"annotation {PREFIX}anchors does not list the bundle's "
             "certificates in order")
    if (annotation(doc, "anchors-not-after") !=
            ",".join(not_after(c) for c in anchors)):
        fail(f"annotation {PREFIX}anchors-not-after does not match")


def check_configmap(doc):
    if get(doc, "apiVersion") != "v1":
        fail("ConfigMap: apiVersion is not v1")
    get_str(doc, "metadata", "namespace")
    data = get(doc, "data")
    if not isinstance(data, dict) or not data:
        fail("ConfigMap: data is empty")
    anchors = []
    for key in data:
        if not isinstance(key, str) or not DATA_KEY.match(key):
            fail(f"data: key {key!r} is not a valid ConfigMap key")
        for i, cert in enumerate(pem_certs(get_str(doc, "data", key),
                                           f"data.{key}")):
            if not is_ca(cert) or not is_self_signed(cert):
                fail(f"data.{key}: certificate {i + 1} ({describe(cert)}) "
                     "is not a self-signed CA, so not a trust anchor")
            anchors.append(cert)
    check_anchor_annotations(doc, anchors)
    return anchors


def check_bundle(doc):
    if get(doc, "apiVersion") != "trust.cert-manager.io/v1alpha1":
        fail("Bundle: apiVersion is not trust.cert-manager.io/v1alpha1")
    if "namespace" in doc["metadata"]:
        fail("Bundle is cluster-scoped; metadata.namespace must be absent")
    sources = get(doc, "spec", "sources")
    if not isinstance(sources, list) or not sources:
        fail("spec.sources: expected a non-empty list")
    refs = []
    for i, src in enumerate(sources):
        if not isinstance(src, dict) or "configMap" not in src:
            fail(f"spec.sources[{i}]: expected a configMap source")
        cm = src["configMap"]
        if not isinstance(cm, dict):
            fail(f"spec.sources[{i}].configMap: expected a mapping")
        refs.append((get_str(cm, "name"), get_str(cm, "key")))
    get_str(doc, "spec", "target", "configMap", "key")
    selector = get(doc, "spec", "target", "namespaceSelector", "matchLabels")
    if not isinstance(selector, dict) or not all(
            isinstance(v, str) for v in selector.values()):
        fail("spec.target.namespaceSelector.matchLabels: expected strings")
    return refs


def check_issuer(doc):
    if get(doc, "apiVersion") != "cert-manager.io/v1":
        fail(f"{doc['kind']}: apiVersion is not cert-manager.io/v1")
    return get_str(doc, "spec", "ca", "secretName")


def check_helm_values(doc):
    for path in (("pki", "enabled"), ("pki", "issuer", "ca", "enabled")):
        if get(doc, *path) is not True:
            fail(f"{'.'.join(path)}: expected the boolean true")
    get_str(doc, "pki", "issuer", "name")
    return get_str(doc, "pki", "issuer", "ca", "existingTrustAnchorSecretName")


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUTBOX", file=sys.stderr)
        return 2
    outbox = argv[1]
    paths = sorted(glob.glob(os.path.join(outbox, "manifests", "*.yaml")))
    current = outbox
    try:
        if not paths:
            fail("no manifests/*.yaml")
        secrets, configmaps, bundles, issuers = {}, {}, [], []
        for current in paths:
            doc = load_yaml(current)
            kind = get_str(doc, "kind")
            get_str(doc, "apiVersion")
            meta = check_metadata(doc)
            name = meta["name"]
            if kind == "Secret":
                secrets[name] = (meta["namespace"], check_secret(current, doc),
                                 current)
            elif kind == "ConfigMap":
                configmaps[name] = (doc["data"], check_configmap(doc))
            elif kind == "Bundle":
                bundles.append((current, check_bundle(doc)))
            elif kind in ("Issuer", "ClusterIssuer"):
                issuers.append((current, doc, check_issuer(doc)))
            else:
                fail(f"unexpected kind {kind!r}")

        for current, refs in bundles:
            for name, key in refs:
                if name not in configmaps:
                    fail(f"source ConfigMap {name!r} is not in this outbox")
                if key not in configmaps[name][0]:
                    fail(f"source ConfigMap {name!r} has no key {key!r}")
        for current, doc, secret in issuers:
            if (doc["kind"] == "Issuer" and secret in secrets and
                    secrets[secret][0] != doc["metadata"].get("namespace")):
                fail(f"Issuer and its Secret {secret!r} are in different "
                     "namespaces")
        # Leaves the issuing CA signs must be trusted by the bundle shipped
        # with it.
        anchors = {der(c) for _, certs in configmaps.values() for c in certs}
        for name, (_, root, current) in secrets.items():
            if configmaps and der(root) not in anchors:
                fail(f"Secret {name}: its root ({describe(root)}) is in no "
                     "trust bundle ConfigMap of this outbox")
        for current in sorted(glob.glob(os.path.join(outbox,
                                                     "helm-values-*.yaml"))):
            secret = check_helm_values(load_yaml(current))
            if secrets and secret not in secrets:
                fail(f"existingTrustAnchorSecretName {secret!r} names no "
                     "Secret of this outbox")
    except Failure as e:
        print(f"check_manifests: {current}: {e}", file=sys.stderr)
        return 1
    print(f"ok: {len(paths)} manifests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

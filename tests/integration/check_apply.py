#!/usr/bin/python3
"""What would kubectl send?  Checks the output of a client-side dry run.

usage: check_apply.py KUBECTL_OUTPUT SECRET_MANIFEST (--no-copy | --copy)

KUBECTL_OUTPUT is what `kubectl ... --dry-run=client -o yaml` printed for
SECRET_MANIFEST (an outbox's kubernetes.io/tls Secret).  The object kubectl
would send must be that Secret, with its tls.key, and then:

  --no-copy  no annotation, label or other field outside data.tls.key
             holds the key (base64 or PEM), and there is no
             kubectl.kubernetes.io/last-applied-configuration at all;
  --copy     kubectl.kubernetes.io/last-applied-configuration is there and
             holds the key: the behaviour the docs must avoid, shown so
             that the check above can fail.
"""
import base64
import json
import sys

import yaml

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def objects(docs):
    for d in docs:
        if not isinstance(d, dict):
            continue
        if d.get("kind") == "List":
            yield from d.get("items") or []
        else:
            yield d


def strings(node, path=""):
    """Every string in the tree, with its path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, path + "." + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, "%s[%d]" % (path, i))
    elif isinstance(node, str):
        yield path, node


def main():
    out_path, manifest_path, mode = sys.argv[1:4]
    manifest = yaml.safe_load(open(manifest_path))
    key_b64 = manifest["data"]["tls.key"]
    key_pem = base64.b64decode(key_b64).decode()
    key_body = "".join(key_pem.strip().splitlines()[1:-1])
    assert "PRIVATE KEY" in key_pem and len(key_body) > 40, "no key in manifest"

    sent = [o for o in objects(yaml.safe_load_all(open(out_path)))
            if o.get("kind") == "Secret" and
            o["metadata"]["name"] == manifest["metadata"]["name"]]
    if len(sent) != 1:
        sys.exit("expected the Secret %s once in the output, found %d" %
                 (manifest["metadata"]["name"], len(sent)))
    secret = sent[0]
    if secret.get("data", {}).get("tls.key") != key_b64:
        sys.exit("the Secret kubectl would send lost its tls.key")
    annotations = secret["metadata"].get("annotations") or {}

    copies = []
    for path, s in strings(secret):
        if path == ".data.tls.key":
            continue
        if key_b64 in s or key_body in s.replace("\\n", "").replace("\n", ""):
            copies.append(path)
    if mode == "--no-copy":
        if LAST_APPLIED in annotations:
            sys.exit("%s is set: %s" % (LAST_APPLIED,
                                        annotations[LAST_APPLIED][:80]))
        if copies:
            sys.exit("the key is copied into: " + ", ".join(copies))
        print("no copy of tls.key outside data: %s" %
              ", ".join(sorted(annotations)) if annotations else "none")
    elif mode == "--copy":
        if LAST_APPLIED not in annotations:
            sys.exit("expected %s from client-side apply" % LAST_APPLIED)
        last = json.loads(annotations[LAST_APPLIED])
        if last.get("data", {}).get("tls.key") != key_b64:
            sys.exit("%s does not hold tls.key" % LAST_APPLIED)
        print("client-side apply copies tls.key into: " + ", ".join(copies))
    else:
        sys.exit("usage: check_apply.py OUTPUT MANIFEST (--no-copy | --copy)")


if __name__ == "__main__":
    main()

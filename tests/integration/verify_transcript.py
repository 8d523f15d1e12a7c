#!/usr/bin/python3
"""An independent verifier of an anchorage transcript, written from
docs/transcript-format.md alone, with Python's json and hashlib and the
cryptography package: none of the appliance's code.

usage: verify_transcript.py OUTBOX [ROOT.pem]

Checks that every line is a record in canonical form (compact, keys
sorted, UTF-8), numbered from 1, whose "prev" is the SHA-256 of the line
before (64 zeros for the first); that it opens with "start" and ends with
"end" or "abort"; that every output file has the recorded SHA-256; and
that a signed closing record verifies with its signer.spki, which must be
the public key of ROOT.pem when given.  Prints the closing hash.
"""
import base64
import hashlib
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def fail(msg):
    sys.stderr.write("verify_transcript: %s\n" % msg)
    sys.exit(1)


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def check_signature(rec, root_pem):
    body = dict(rec)
    sig = base64.b64decode(body.pop("signature"), validate=True)
    spki = base64.b64decode(rec["signer"]["spki"], validate=True)
    pub = serialization.load_der_public_key(spki)
    message = canonical(body)
    if isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(sig, message, ec.ECDSA(hashes.SHA256()))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(sig, message, padding.PKCS1v15(), hashes.SHA256())
    else:
        fail("signer key of an unexpected type")
    if root_pem is not None:
        cert = x509.load_pem_x509_certificate(open(root_pem, "rb").read())
        der = cert.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        if der != spki:
            fail("the closing record is not signed by %s's key" % root_pem)
        fp = hashlib.sha256(cert.public_bytes(
            serialization.Encoding.DER)).hexdigest()
        if fp != rec["signer"]["certificate_sha256"]:
            fail("signer.certificate_sha256 is not %s's fingerprint" %
                 root_pem)


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: verify_transcript.py OUTBOX [ROOT.pem]")
    outbox = sys.argv[1]
    root_pem = sys.argv[2] if len(sys.argv) == 3 else None
    data = open(os.path.join(outbox, "transcript.jsonl"), "rb").read()
    if not data.endswith(b"\n"):
        fail("the last line has no newline")
    lines = data[:-1].split(b"\n")
    prev = "0" * 64
    for no, line in enumerate(lines, 1):
        rec = json.loads(line.decode("utf-8"))
        if canonical(rec) != line:
            fail("line %d: not in canonical form" % no)
        if rec["seq"] != no:
            fail("line %d: seq %r" % (no, rec["seq"]))
        if rec["prev"] != prev:
            fail("line %d: prev does not chain" % no)
        closing = rec["type"] in ("end", "abort")
        if (no == 1) != (rec["type"] == "start"):
            fail("line %d: start record misplaced" % no)
        if closing != (no == len(lines)):
            fail("line %d: closing record misplaced" % no)
        outputs = [rec] if rec["type"] == "output" else \
            rec["files"] if rec["type"] == "cluster" else []
        for out in outputs:
            digest = hashlib.sha256(open(os.path.join(
                outbox, out["file"]), "rb").read()).hexdigest()
            if digest != out["sha256"]:
                fail("line %d: %s has changed" % (no, out["file"]))
        if closing and "signature" in rec:
            check_signature(rec, root_pem)
        elif closing and root_pem is not None:
            fail("the closing record is not signed")
        prev = hashlib.sha256(line).hexdigest()
    print(prev)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""An independent verifier of an anchorage transcript, written from
docs/transcript-format.md alone, with Python's json and hashlib and the
cryptography package: none of the appliance's code.

usage: verify_transcript.py OUTBOX [ROOT.pem]

Checks that every line is a record in canonical form (compact, keys
sorted, UTF-8), numbered from 1, whose "prev" is the SHA-256 of the line
before (64 zeros for the first); that it opens with "start" and ends with
"end" or "abort"; that every output file has the recorded SHA-256; that
an "end" record accounts for exactly the files the records name (format
2: their count and the SHA-256 over "<sha256>  <file>\n" lines; format 1:
its list) and the outbox holds no other file; and that a signed closing
record verifies with its signer.spki, which must be the public key of
ROOT.pem when given.  Prints the closing hash.  Reads line by line.
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


def end_account(rec, fmt):
    """(count, hex SHA-256) the end record gives for the files."""
    if fmt >= 2:
        return rec["outputs_count"], rec["outputs_sha256"]
    md = hashlib.sha256()
    for out in rec["outputs"]:
        md.update(("%s  %s\n" % (out["sha256"], out["file"])).encode())
    return len(rec["outputs"]), md.hexdigest()


def outbox_files(outbox):
    """Regular files of the outbox but transcript.jsonl and SHA256SUMS."""
    count = 0
    for top, dirs, files in os.walk(outbox):
        for name in dirs + files:
            path = os.path.join(top, name)
            if os.path.islink(path) or not (os.path.isdir(path) or
                                            os.path.isfile(path)):
                fail("%s: neither a regular file nor a directory" % path)
        for name in files:
            if top == outbox and name in ("transcript.jsonl",
                                          "SHA256SUMS"):
                continue
            count += 1
    return count


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: verify_transcript.py OUTBOX [ROOT.pem]")
    outbox = sys.argv[1]
    root_pem = sys.argv[2] if len(sys.argv) == 3 else None
    prev = "0" * 64
    fmt = 1
    files = hashlib.sha256()
    nfiles = 0
    line = None
    with open(os.path.join(outbox, "transcript.jsonl"), "rb") as f:
        nxt = f.readline()
        no = 0
        while nxt:
            no += 1
            line, nxt = nxt, f.readline()
            if not line.endswith(b"\n"):
                fail("line %d has no newline" % no)
            line = line[:-1]
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
            if closing != (not nxt):
                fail("line %d: closing record misplaced" % no)
            if no == 1:
                fmt = rec.get("format", 1)
                if fmt not in (1, 2):
                    fail("format %r unknown" % fmt)
            outputs = [rec] if rec["type"] == "output" else \
                rec["files"] if rec["type"] == "cluster" else []
            for out in outputs:
                with open(os.path.join(outbox, out["file"]), "rb") as o:
                    digest = hashlib.sha256(o.read()).hexdigest()
                if digest != out["sha256"]:
                    fail("line %d: %s has changed" % (no, out["file"]))
                files.update(("%s  %s\n" % (out["sha256"],
                                            out["file"])).encode())
                nfiles += 1
            if rec["type"] == "end":
                if end_account(rec, fmt) != (nfiles, files.hexdigest()):
                    fail("line %d: the end record does not account for "
                         "the %d files the records name" % (no, nfiles))
                if outbox_files(outbox) != nfiles:
                    fail("the outbox holds files the transcript does not "
                         "record")
            if closing and "signature" in rec:
                check_signature(rec, root_pem)
            elif closing and root_pem is not None:
                fail("the closing record is not signed")
            prev = hashlib.sha256(line).hexdigest()
    if line is None:
        fail("the transcript is empty")
    print(prev)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# An outbox whose transcript passes 4 MiB (ANC_OUTBOX_FILE_MAX, the bound
# on every other outbox file): a fleet ceremony of N clusters
# (ANC_BIG_CLUSTERS, 5,000) each signing a cluster's CSR.  anchorage's own
# `outbox verify`, `transcript verify` and `status` read it whole and
# still find a changed byte past the first 4 MiB; sha256sum and python3
# check the same files.  Text files are searched for private keys a window
# at a time: a key in base64 across a window's edge is still found.
source "$(dirname "$0")/lib.sh"

N=${ANC_BIG_CLUSTERS:-5000}
MIB4=$((4 << 20))
SHM=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	SHM=$(mktemp -d /dev/shm/anc-big.XXXXXX)
	cleanup() { rm -rf "$T" "$SHM"; }
fi
C=$T/c
mkdir -m 700 "$C" "$C/csr"

# Synthetic outboxes of one 4.5 MiB text file each: JSON lines, clean, or
# with a P-256 private key in base64 (no PEM label) across 2 MiB, where
# outbox verify's first window ends (export/verify_text.c), or past 4 MiB.
# Lines of about 120 bytes, JSON as a transcript's records are.
/usr/bin/python3 - "$C" <<'PY' || fail "making the synthetic outboxes"
import base64, hashlib, os, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
d = sys.argv[1]
key = base64.b64encode(ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
def text(at):
    out, i, size = [], 0, 0
    while size < (9 << 19):
        h = hashlib.sha256(str(i).encode()).hexdigest()
        line = f'{{"seq":{i},"sha256":"{h}","type":"filler"}}\n'.encode()
        if at is not None and size + len(line) + 100 > at - len(key) // 2:
            # A filler line of the length that puts the key's middle at `at`.
            pre = f'{{"seq":{i},"note":"'.encode()
            gap = at - len(key) // 2 - len(pre) - size
            line = b'{"pad":"' + b"x" * (gap - 11) + b'"}\n'
            line += pre + key + b'"}\n'
            at = None
        out.append(line)
        size += len(line)
        i += 1
    return b"".join(out)
for name, at in (("clean", None), ("key2", 2 << 20), ("key4", 4 << 20)):
    os.mkdir(f"{d}/{name}", 0o700)
    data = text(at)
    assert at is None or data.index(key) == at - len(key) // 2
    open(f"{d}/{name}/transcript.jsonl", "wb").write(data)
    open(f"{d}/{name}/SHA256SUMS", "w").write(
        f"{hashlib.sha256(data).hexdigest()}  transcript.jsonl\n")
PY
anc outbox verify "$C/clean" >"$T/ov" || { cat "$T/ov"; fail "outbox verify: a clean 4.5 MiB text"; }
for k in key2 key4; do
	expect_exit 1 anc outbox verify "$C/$k"
	grep -q 'transcript\.jsonl.*holds a private key in base64 or DER, expected none' "$T/stdout" ||
	    { cat "$T/stdout"; fail "outbox verify: the key at ${k#key} MiB"; }
done
pass "a 4.5 MiB text file verifies; a key in base64 across 2 MiB or past 4 MiB is found"

# Under valgrind only the synthetic outboxes above: memcheck over a
# ceremony of thousands of clusters and the verification of its 15,000
# files would take a large share of CI's time, and the reads in pieces it
# would check are those the synthetic transcripts drive.
if [ "${ANC_VALGRIND:-0}" = 1 ]; then
	exit 0
fi

make_token m8-root
cp "$ANC_SRC"/ceremony/examples/root.yaml "$C/"
anc -q ceremony run "$C/root.yaml" --outbox "$C/root" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "root ceremony"

# The cluster list and one P-256 CSR per cluster, from python3's
# cryptography (one process, one key: the CSRs differ by subject).
/usr/bin/python3 - "$C" "$N" <<'PY' || fail "making the cluster list"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
d, n = sys.argv[1], int(sys.argv[2])
key = ec.generate_private_key(ec.SECP256R1())
with open(f"{d}/clusters.txt", "w") as a:
    a.write("anchorage-clusters 1\n")
    for i in range(1, n + 1):
        # Names as long as a fleet's might be: 900 bytes a record.
        a.write(f"prod-eu-west-vault-intermediate-{i:05d} vault "
                f"dns=v{i:05d}.example.net csr=csr/v{i:05d}.csr\n")
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"vault-int-v{i:05d}")]))
               .sign(key, hashes.SHA256()))
        open(f"{d}/csr/v{i:05d}.csr", "wb").write(csr.public_bytes(serialization.Encoding.PEM))
PY
{ root_script big-fleet-2026
cat <<YAML
  - clusters: { name: vault-list, file: clusters.txt }
steps:
  - bundle: { anchors: [root-2026], output: trust-bundle }
  - batch-sign-csr:
      issuer: root-2026
      clusters: vault-list
      policy: { algorithms: [ecdsa-p256], max-validity: 43800h }
      bundle: trust-bundle
      output: vault-intermediates
YAML
} >"$C/fleet.yaml"
O=${SHM:-$C}/out
anc -q ceremony run "$C/fleet.yaml" --outbox "$O" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "fleet ceremony"
TR=$O/transcript.jsonl
size=$(stat -c %s "$TR")
[ "$size" -gt "$MIB4" ] || fail "the transcript is $size bytes, expected more than $MIB4 (raise ANC_BIG_CLUSTERS)"
[ "$(grep -c '"type":"cluster"' "$TR")" -eq "$N" ] || fail "one cluster record per cluster"
(cd "$O" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c"
pass "fleet ceremony of $N clusters: transcript of $size bytes"

# anchorage reads it whole.
anc outbox verify "$O" >"$T/ov" || { tail "$T/ov"; fail "outbox verify"; }
grep -Eq "transcript\.jsonl.*$(wc -l <"$TR") records" "$T/ov" ||
    { grep transcript "$T/ov"; fail "outbox verify: the transcript's records counted"; }
anc --json transcript verify "$O" >"$T/tv" || fail "transcript verify"
/usr/bin/python3 - "$T/tv" "$TR" "$N" <<'PY' || fail "transcript verify's summary"
import hashlib, json, sys
s = json.load(open(sys.argv[1]))
lines = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
assert s["records"] == len(lines), (s["records"], len(lines))
assert s["ok"] and s["closing_hash"] == hashlib.sha256(lines[-1]).hexdigest(), s
assert s["signed"] is True, s
PY
anc --json status --outbox "$O" >"$T/st" || fail "status"
# The whole answer, worked out again from the PEM files SHA256SUMS lists,
# in its order: each certificate once, named by the first file holding
# it; the anchor, then the issuing CAs newest first (made in the same
# second: the one found last first), the newest in use and the others
# superseded (status reads one deployment).
/usr/bin/python3 - "$T/st" "$N" "$O" <<'PY' || fail "status document"
import datetime, hashlib, json, re, sys
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
s, n, out = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
found = {}
for line in open(f"{out}/SHA256SUMS"):
    name = line.rstrip("\n").split("  ", 1)[1]
    if not name.endswith(".pem"):
        continue
    pem = open(f"{out}/{name}", "rb").read()
    for block in re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END "
                            rb"CERTIFICATE-----", pem, re.S):
        c = x509.load_pem_x509_certificate(block)
        fp = hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest()
        found.setdefault(fp, (len(found), c, f"{out}/{name}"))
def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
def when(c, which):
    # not_valid_*_utc from cryptography 42; bookworm has 38.
    return (getattr(c, f"not_valid_{which}_utc", None) or getattr(
        c, f"not_valid_{which}").replace(tzinfo=datetime.timezone.utc))
at = datetime.datetime.strptime(s["at"], "%Y-%m-%dT%H:%M:%SZ").replace(
    tzinfo=datetime.timezone.utc)
roots = [fp for fp, (_, c, _) in found.items() if c.issuer == c.subject]
assert len(roots) == 1, roots
cas = sorted((fp for fp in found if fp not in roots),
             key=lambda fp: (when(found[fp][1], "before"), found[fp][0]),
             reverse=True)
assert len(cas) == n, len(cas)
want = []
for fp in roots + cas:
    _, c, src = found[fp]
    left = (when(c, "after") - at).total_seconds() // 86400
    want.append({"kind": "anchor" if fp in roots else "issuing CA",
                 "subject": c.subject.rfc4514_string(), "sha256": fp,
                 "anchor_sha256": "" if fp in roots else roots[0],
                 "not_before": rfc3339(when(c, "before")),
                 "not_after": rfc3339(when(c, "after")),
                 "days_left": int(left),
                 "phase": "unknown" if fp in roots else
                          "in use" if fp == cas[0] else "superseded",
                 "source": src})
got = [{k: i[k] for k in want[0]} for i in s["items"]]
assert got == want, next((g, w) for g, w in zip(got, want) if g != w)
assert s["phase"] == "unknown" and s["action_due"] is False, s
PY
pass "outbox verify, transcript verify and status read a $size-byte transcript"

# One byte changed past the first 4 MiB: found by each reader, named.
off=$((size - 4096))
orig=$(dd if="$TR" bs=1 skip="$off" count=1 status=none)
case $orig in [a-e0-8]) new=f ;; *) new=0 ;; esac
grep -q . <<<"$orig" || fail "byte $off of the transcript"
printf '%s' "$new" | dd of="$TR" bs=1 seek="$off" conv=notrunc status=none
expect_exit 1 anc outbox verify "$O"
grep -Eq '^FAIL +transcript +transcript\.jsonl: SHA-256 [0-9a-f]{64}, but SHA256SUMS line [0-9]+ lists [0-9a-f]{64}$' \
    "$T/stdout" || { grep transcript "$T/stdout"; fail "outbox verify: the changed transcript"; }
[ "$(grep -c '^FAIL' "$T/stdout")" -eq 1 ] || fail "outbox verify: only the transcript fails"
expect_exit 1 anc transcript verify "$O"
# Named by the line holding the byte, or the next one (whose prev no
# longer matches).
L=$(($(head -c "$off" "$TR" | wc -l) + 1))
expect_msg "transcript\.jsonl:($L|$((L + 1))): record ($L|$((L + 1))):"
pass "a changed byte at offset $off: outbox verify and transcript verify fail"
rm -rf "$O"

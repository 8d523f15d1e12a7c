#!/usr/bin/env bash
# A fleet ceremony: one script issues a name-constrained issuing CA for
# each of N clusters (ANC_FLEET_CLUSTERS, 200; 20 under valgrind) and signs
# a CSR for each, with one outbox sub-directory per cluster.  Checked with
# openssl (strict verification, leaves inside and outside a cluster's
# names), sha256sum, python3, and anchorage's own outbox and transcript
# verification; bad cluster lists are refused with file, line and field
# before the token is logged in to (pkcs11-spy counts the calls).
source "$(dirname "$0")/lib.sh"

if [ "${ANC_VALGRIND:-0}" = 1 ]; then N=${ANC_FLEET_CLUSTERS:-20}; else N=${ANC_FLEET_CLUSTERS:-200}; fi
# The fleet's outbox on tmpfs when there is one: the files' syncs are the
# disk's cost, which bench/fleet measures; here the question is whether
# every cluster comes out right.
SHM=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	SHM=$(mktemp -d /dev/shm/anc-fleet.XXXXXX)
	cleanup() { rm -rf "$T" "$SHM"; }
fi
make_token m8-root
C=$T/c
mkdir -m 700 "$C" "$C/csr"
cp "$ANC_SRC"/ceremony/examples/root.yaml "$C/"
anc -q ceremony run "$C/root.yaml" --outbox "$C/root" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "root ceremony"
ROOT=$C/root/root-2026.pem

# The cluster lists and one P-256 CSR per cluster, from python3's
# cryptography (one process, not N).
/usr/bin/python3 - "$C" "$N" <<'PY' || fail "making the cluster lists"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/clusters.txt", "w") as a, open(f"{d}/vault-clusters.txt", "w") as b:
    a.write("# issuing CAs made here\nanchorage-clusters 1\n")
    b.write("# Vault intermediates\nanchorage-clusters 1\n")
    for i in range(1, n + 1):
        a.write(f"c{i:04d}\tns-{i:04d}\tdns=c{i:04d}.example.com,c{i:04d}.svc.cluster.local "
                f"ip=10.{i // 256}.{i % 256}.0/24\n")
        b.write(f"v{i:04d} vault dns=v{i:04d}.example.net csr=csr/v{i:04d}.csr\n")
        key = ec.generate_private_key(ec.SECP256R1())
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"vault-int-v{i:04d}")]))
               .sign(key, hashes.SHA256()))
        open(f"{d}/csr/v{i:04d}.csr", "wb").write(csr.public_bytes(serialization.Encoding.PEM))
PY
sha_a=$(sha256sum "$C/clusters.txt" | cut -c1-64)
{ root_script fleet-2026
cat <<YAML
  - clusters: { name: fleet-list, file: clusters.txt, sha256: $sha_a }
  - clusters: { name: vault-list, file: vault-clusters.txt }
steps:
  - bundle: { anchors: [root-2026], output: trust-bundle }
  - batch-issue-intermediate:
      issuer: root-2026
      clusters: fleet-list
      name-constraints: { excluded: { dns: [corp.example.com] } }
      extended-key-usage: [server-auth, client-auth]
      bundle: trust-bundle
      output: fleet
  - batch-sign-csr:
      issuer: root-2026
      clusters: vault-list
      policy: { algorithms: [ecdsa-p256], max-validity: 43800h }
      bundle: trust-bundle
      output: vault
YAML
} >"$C/fleet.yaml"
anc ceremony plan "$C/fleet.yaml" >"$T/plan" || fail "plan"
grep -q "clusters: $N, one sub-directory each: fleet/<cluster>/" "$T/plan" || { cat "$T/plan"; fail "plan: cluster count"; }
[ "$(grep -c '^ *[0-9]*\. ' "$T/plan")" -eq 3 ] || fail "plan: one line per step"
O=${SHM:-$C}/out
anc -q ceremony run "$C/fleet.yaml" --outbox "$O" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "fleet ceremony"
pass "fleet ceremony of $N + $N clusters"

anc outbox verify "$O" >"$T/ov" || { tail "$T/ov"; fail "outbox verify"; }
(cd "$O" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c"
[ "$(grep -c '  fleet/' "$O/SHA256SUMS")" -eq $((6 * N)) ] || fail "SHA256SUMS lists 6 files per cluster"
[ "$(grep -c '  vault/' "$O/SHA256SUMS")" -eq $((3 * N)) ] || fail "SHA256SUMS lists 3 files per CSR cluster"
anc transcript verify "$O" >/dev/null || fail "transcript verify"
/usr/bin/python3 "$ANC_SRC/tests/integration/verify_transcript.py" "$O" "$ROOT" >/dev/null ||
    fail "verify_transcript.py"
[ "$(grep -c '"type":"cluster"' "$O/transcript.jsonl")" -eq $((2 * N)) ] || fail "one transcript record per cluster"
pass "outbox, SHA256SUMS and transcript cover every cluster's sub-directory"

# Every issuing CA and every signed CSR verifies strictly under the root.
openssl verify -x509_strict -CAfile "$ROOT" "$O"/fleet/*/issuing-ca.pem >"$T/v" 2>&1 || { grep -v ': OK$' "$T/v" | head; fail "openssl verify issuing CAs"; }
[ "$(grep -c ': OK$' "$T/v")" -eq "$N" ] || fail "all $N issuing CAs verified"
for f in "$O"/vault/*/ca-chain.pem; do openssl x509 -in "$f" -out "${f%.pem}.ca"; done
openssl verify -x509_strict -CAfile "$ROOT" "$O"/vault/*/ca-chain.ca >"$T/v" 2>&1 || { grep -v ': OK$' "$T/v" | head; fail "openssl verify signed CSRs"; }
[ "$(grep -c ': OK$' "$T/v")" -eq "$N" ] || fail "all $N signed CSRs verified"
rm -f "$O"/vault/*/ca-chain.ca
pass "openssl verify -x509_strict: $N issuing CAs, $N signed CSRs"

# Each carries its own cluster's names, and the CSR's key.
/usr/bin/python3 - "$O" "$C" "$N" <<'PY' || fail "python3 check of names and keys"
import sys, glob, base64, yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
o, c, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def spki(k):
    return k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
def nc(cert):
    e = cert.extensions.get_extension_for_class(x509.NameConstraints)
    assert e.critical
    return e.value
for i in range(1, n + 1):
    d = f"{o}/fleet/c{i:04d}"
    ca = x509.load_pem_x509_certificate(open(f"{d}/issuing-ca.pem", "rb").read())
    v = nc(ca)
    assert [g.value for g in v.permitted_subtrees] == [f"c{i:04d}.example.com", f"c{i:04d}.svc.cluster.local",
        __import__("ipaddress").ip_network(f"10.{i // 256}.{i % 256}.0/24")], v
    assert [g.value for g in v.excluded_subtrees] == ["corp.example.com"]
    assert ca.subject.rfc4514_string() == f"CN=m8-issuing-ca-c{i:04d}"
    sec = yaml.safe_load(open(f"{d}/manifests/secret-m8-trust-anchor.yaml"))
    assert sec["metadata"]["namespace"] == f"ns-{i:04d}"
    key = serialization.load_pem_private_key(base64.b64decode(sec["data"]["tls.key"]), None)
    assert spki(key.public_key()) == spki(ca.public_key())
    iss = yaml.safe_load(open(f"{d}/manifests/issuer-m8-root-ca-issuer.yaml"))
    assert iss["metadata"]["namespace"] == f"ns-{i:04d}"
    b = yaml.safe_load(open(f"{d}/manifests/bundle-m8-trust-bundle.yaml"))
    assert b["spec"]["target"]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == f"ns-{i:04d}", b
    w = f"{o}/vault/v{i:04d}"
    pem = open(f"{w}/ca-chain.pem", "rb").read()
    chain = [x509.load_pem_x509_certificate(pem)] * pem.count(b"BEGIN CERTIFICATE")
    csr = x509.load_pem_x509_csr(open(f"{c}/csr/v{i:04d}.csr", "rb").read())
    assert spki(chain[0].public_key()) == spki(csr.public_key()) and len(chain) == 2
    assert [g.value for g in nc(chain[0]).permitted_subtrees] == [f"v{i:04d}.example.net"]
PY
pass "each CA holds its cluster's names, namespace and key"

# Leaves made by openssl with one cluster's exported key: its names pass,
# another cluster's and an excluded name fail.
K=$((N / 2))
k=$(printf 'c%04d' "$K"); other=$(printf 'c%04d' $((K + 1)))
/usr/bin/python3 - "$O/fleet/$k/manifests/secret-m8-trust-anchor.yaml" "$T" <<'PY'
import base64, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for f in ("tls.crt", "tls.key"):
    open(f"{sys.argv[2]}/{f}", "wb").write(base64.b64decode(doc["data"][f]))
PY
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/tls.crt" -CAkey "$T/tls.key" -CAcreateserial \
	    -days 2 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null || fail "leaf $1"
}
leaf in "DNS:api.$k.example.com,DNS:web.ns.svc.$k.svc.cluster.local,IP:10.0.$K.9"
openssl verify -x509_strict -CAfile "$ROOT" -untrusted "$O/fleet/$k/issuing-ca.pem" "$T/in.pem" >/dev/null ||
    fail "a leaf inside $k's names fails"
for bad in "DNS:api.$other.example.com" "IP:10.0.$((K + 1)).9" "DNS:x.corp.example.com"; do
	leaf out "$bad"
	openssl verify -x509_strict -CAfile "$ROOT" -untrusted "$O/fleet/$k/issuing-ca.pem" "$T/out.pem" \
	    >"$T/vo" 2>&1 && fail "$k's key made a leaf for $bad that verifies"
	grep -q 'subtree violation' "$T/vo" || { cat "$T/vo"; fail "wrong refusal for $bad"; }
done
pass "leaves: $k's names pass openssl verify, $other's and excluded ones fail"

# Bad cluster lists: refused with file, line and field, exit 2, and no
# C_Login (pkcs11-spy), before anything is written to the token.
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
bad_list() {
	local want=$1 edit=$2
	sed "$edit" "$C/clusters.txt" >"$C/bad.txt"
	sed -e "s/file: clusters.txt, sha256: $sha_a/file: bad.txt/" \
	    -e '/batch-sign-csr/,$d' "$C/fleet.yaml" >"$C/bad.yaml"
	rm -rf "$T/ob"
	PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 2 "$ANCHORAGE" --module "$SPY" \
	    ceremony run "$C/bad.yaml" --outbox "$T/ob" --pin-source "file:$T/pin-m8-root" --yes
	expect_msg "$want"
	! grep -q 'C_Login' "$T/spy.log" 2>/dev/null || fail "C_Login with a bad list ($want)"
	[ ! -e "$T/ob/fleet" ] || fail "a bad list wrote cluster files"
}
bad_list 'bad.txt:5: clusters\[3\]\.name: duplicate cluster "c0001", already on line 3' '5s/^c0003/c0001/'
bad_list 'bad.txt:4: clusters\[2\]\.dns\[1\]: expected a lowercase DNS name' '4s/dns=c0002/dns=C0002/'
bad_list 'bad.txt:6: clusters\[4\]\.dns\[1\]: a\.c0002\.example\.com overlaps c0002\.example\.com of clusters\[2\] \(line 4\)' \
    '6s/dns=c0004/dns=a.c0002/'
bad_list 'bad.txt:7: clusters\[5\]\.ip\[1\]: 10\.0\.0\.0/16 overlaps 10\.0\.1\.0/24 of clusters\[1\] \(line 3\)' \
    '7s#ip=10.0.5.0/24#ip=10.0.0.0/16#'
bad_list 'bad.txt:3: clusters\[1\]: permitted DNS name x\.corp\.example\.com is within excluded corp\.example\.com' \
    '3s/dns=c0001.example.com/dns=x.corp.example.com/'
bad_list 'bad.txt:4: clusters\[2\]\.csr: given, expected none' '4s/$/ csr=x.csr/'
bad_list 'bad.txt:2: expected the first line to be "anchorage-clusters 1"' '2s/1$/2/'
# A missing CSR in the other step's list.
sed '5s#csr=csr/v0003.csr#csr=csr/missing.csr#' "$C/vault-clusters.txt" >"$C/bad-vault.txt"
sed -e 's/file: vault-clusters.txt/file: bad-vault.txt/' "$C/fleet.yaml" >"$C/bad.yaml"
PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 2 "$ANCHORAGE" --module "$SPY" \
    ceremony run "$C/bad.yaml" --outbox "$T/ob2" --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'bad-vault.txt:5: clusters\[3\]\.csr: .*/csr/missing\.csr: No such file or directory'
! grep -q 'C_Login' "$T/spy.log" 2>/dev/null || fail "C_Login with a missing CSR"
# A CSR whose self-signature does not verify: refused by the policy
# before the token, naming the cluster's line.
/usr/bin/python3 - "$C/csr/v0003.csr" "$C/csr/forged.csr" <<'PY'
import base64, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
der = bytearray(x509.load_pem_x509_csr(open(sys.argv[1], "rb").read()).public_bytes(serialization.Encoding.DER))
der[-5] ^= 1
open(sys.argv[2], "wb").write(b"-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(bytes(der)) +
                              b"-----END CERTIFICATE REQUEST-----\n")
PY
sed '5s#csr=csr/v0003.csr#csr=csr/forged.csr#' "$C/vault-clusters.txt" >"$C/bad-vault.txt"
PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 4 "$ANCHORAGE" --module "$SPY" \
    ceremony run "$C/bad.yaml" --outbox "$T/ob3" --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'bad-vault.txt:5: clusters\[3\]\.csr: policy proof-of-possession'
! grep -q 'C_Login' "$T/spy.log" 2>/dev/null || fail "C_Login with a forged CSR"
# A later cluster's key and subject are checked before the token too,
# not only the first cluster's (the template): a P-384 key the policy does
# not allow, and a subject with two CNs.
/usr/bin/python3 - "$C/csr" <<'PY'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
for name, curve, cns in (("p384", ec.SECP384R1(), ["v0003"]), ("two-cn", ec.SECP256R1(), ["a", "b"])):
    key = ec.generate_private_key(curve)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn) for cn in cns]))
           .sign(key, hashes.SHA256()))
    open(f"{sys.argv[1]}/{name}.csr", "wb").write(csr.public_bytes(serialization.Encoding.PEM))
PY
for c in 'p384:policy key-type: ecdsa-p384 is not allowed' 'two-cn:policy subject: expected exactly one CN'; do
	sed "5s#csr=csr/v0003.csr#csr=csr/${c%%:*}.csr#" "$C/vault-clusters.txt" >"$C/bad-vault.txt"
	rm -f "$T/spy.log"
	PKCS11SPY_OUTPUT=$T/spy.log spy_env expect_exit 4 "$ANCHORAGE" --module "$SPY" \
	    ceremony run "$C/bad.yaml" --outbox "$T/ob4" --pin-source "file:$T/pin-m8-root" --yes
	expect_msg "bad-vault.txt:5: clusters\\[3\\]\\.csr: ${c#*:}"
	! grep -q 'C_Login' "$T/spy.log" 2>/dev/null || fail "C_Login with a ${c%%:*} CSR"
	[ ! -e "$T/ob4/vault" ] || fail "a ${c%%:*} CSR left cluster files"
done
# The pinned hash: a list changed after review.
echo "c9999 ns dns=late.example.com" >>"$C/clusters.txt"
expect_exit 2 anc ceremony check "$C/fleet.yaml"
expect_msg 'clusters.txt has SHA-256 .*, expected .* as the script pins it'
pass "bad cluster lists refused before the token: file, line, field"

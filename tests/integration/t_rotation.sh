#!/usr/bin/env bash
# A full trust-anchor rotation on a SoftHSM2 token, with the example
# ceremonies: root and issuing CA, then introduce, switch and retire.  Each
# phase is checked with openssl and certtool (leaves of the old issuing CA
# verify against the introduce bundle, leaves of the new one too, old leaves
# fail against the retire bundle), the retire ceremony refuses (exit 4)
# while the inventory shows an old-only leaf and passes after, and `status`
# names each phase.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/ceremonies
mkdir -m 700 "$C" "$C/inventory"
copy_examples "$C"
run() {
	anc -q ceremony run "$C/$1" --outbox "$C/$2" \
	    --pin-source "file:$T/pin-m8-root" --yes >/dev/null ||
	    fail "ceremony $1"
}

# The issuing key and chain of an exported Secret, as cert-manager reads it.
secret_files() {
	/usr/bin/python3 - "$1" "$2" <<'PY' || fail "reading Secret $1"
import base64, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for k in ("tls.crt", "tls.key", "ca.crt"):
    open(f"{sys.argv[2]}.{k}", "wb").write(base64.b64decode(doc["data"][k]))
PY
}

# A leaf signed by the issuing CA in a Secret: what cert-manager would issue.
leaf() {
	local name=$1 secret=$2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$name.key" -subj "/CN=$name.monoskope.svc" \
	    -out "$T/$name.csr" 2>/dev/null
	openssl x509 -req -in "$T/$name.csr" -CA "$secret.tls.crt" \
	    -CAkey "$secret.tls.key" -CAcreateserial -days 30 \
	    -out "$T/$name.pem" 2>/dev/null || fail "signing leaf $name"
	# tls.crt as cert-manager writes it: the leaf, then the issuing CA.
	openssl x509 -in "$secret.tls.crt" >"$T/$name.ica.pem"
	cat "$T/$name.pem" "$T/$name.ica.pem" >"$T/$name.chain.pem"
}

# verifies LEAF BUNDLE: openssl and certtool both accept, or both refuse.
verifies() {
	openssl verify -x509_strict -CAfile "$2" -untrusted "$T/$1.ica.pem" \
	    "$T/$1.pem" >/dev/null 2>&1 || return 1
	certtool --verify --load-ca-certificate "$2" \
	    --infile "$T/$1.chain.pem" >"$T/certtool.out" 2>&1 || return 1
	grep -q 'Chain verification output: Verified' "$T/certtool.out"
}
refused() {
	! openssl verify -x509_strict -CAfile "$2" -untrusted "$T/$1.ica.pem" \
	    "$T/$1.pem" >/dev/null 2>&1 &&
	! certtool --verify --load-ca-certificate "$2" \
	    --infile "$T/$1.chain.pem" >/dev/null 2>&1
}

# secrets OUT NAME=LEAF...: kubectl get secrets -A -o yaml, one Secret per
# leaf, as cert-manager leaves them (tls.crt chain, tls.key, ca.crt root).
secrets() {
	local out=$1
	shift
	/usr/bin/python3 - "$out" "$T" "$@" <<'PY' || fail "secrets file"
import base64, sys, yaml
out, t, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
b = lambda p: base64.b64encode(open(p, "rb").read()).decode()
items = []
for p in pairs:
    name, leaf, root = p.split("=")[0], *p.split("=")[1].split(":")
    items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": "monoskope"},
        "data": {"tls.crt": b(f"{t}/{leaf}.chain.pem"), "tls.key": b(f"{t}/{leaf}.key"),
                 "ca.crt": b(root)}})
yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items,
    "metadata": {"resourceVersion": ""}}, open(out, "w"))
PY
}

# phase OUTBOX...: the rotation phase status reports over these outboxes.
phase() {
	local args=() o
	for o in "$@"; do args+=(--outbox "$C/$o"); done
	anc --json status "${args[@]}" >"$T/status.json" || [ $? -eq 4 ] ||
	    fail "status ${*}"
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phase"])' \
	    "$T/status.json"
}

run root.yaml root
run issuing-ca.yaml issuing
ROOT26=$C/root/root-2026.pem
secret_files "$C/issuing/manifests/secret-m8-trust-anchor.yaml" "$T/s26"
leaf old "$T/s26"
verifies old "$C/issuing/trust-bundle.pem" || fail "old leaf before rotation"
[ "$(phase root issuing)" = steady ] || fail "status before rotation: $(phase root issuing)"
pass "before rotation: old leaf verifies, status steady"

# Phase 1: introduce.
run rotation-introduce.yaml introduce
B1=$C/introduce/trust-bundle-rotation.pem
ROOT27=$C/introduce/root-2027.pem
[ "$(grep -c 'BEGIN CERTIFICATE' "$B1")" -eq 2 ] || fail "introduce bundle holds 2 anchors"
# Newest first, and the old anchor byte for byte.
cmp <(openssl x509 -in "$B1") <(openssl x509 -in "$ROOT27") || fail "new anchor is not first"
openssl crl2pkcs7 -nocrl -certfile "$B1" | openssl pkcs7 -print_certs |
    sed -n '/BEGIN/,/END/p' | tail -n +"$(($(openssl x509 -in "$ROOT27" | wc -l) + 1))" |
    cmp - <(openssl x509 -in "$ROOT26") || fail "old anchor not kept as it was"
verifies old "$B1" || fail "old leaf against the introduce bundle"
[ "$(phase root issuing introduce)" = introduced ] || fail "status after introduce"
anc outbox verify "$C/introduce" >/dev/null || fail "outbox verify introduce"
pass "introduce: old+new bundle, old leaf verifies (openssl, certtool)"

# Phase 2: switch.
run rotation-switch.yaml switch
secret_files "$C/switch/manifests/secret-m8-trust-anchor.yaml" "$T/s27"
cmp "$T/s27.ca.crt" "$ROOT27" || fail "switch Secret ca.crt is not the new root"
leaf new "$T/s27"
verifies new "$B1" || fail "new leaf against the introduce bundle"
verifies old "$B1" || fail "old leaf against the introduce bundle after switch"
[ "$(phase root issuing introduce switch)" = switched ] || fail "status after switch"
pass "switch: new leaf verifies against the introduce bundle, old one still does"

# The cluster: one leaf re-issued, one still old.  Not safe to retire.
secrets "$T/secrets1.yaml" "web=new:$ROOT27" "legacy=old:$ROOT26"
expect_exit 4 anc --json inventory check --anchors "$B1" --k8s-secrets "$T/secrets1.yaml"
cp "$T/stdout" "$C/inventory/inventory.json"
/usr/bin/python3 - "$C/inventory/inventory.json" <<'PY' || fail "inventory report"
import json, sys
r = json.load(open(sys.argv[1]))
st = {c["source"]: c["status"] for c in r["certificates"]}
assert st == {"monoskope/web tls.crt": "ok", "monoskope/web ca.crt": "ok",
              "monoskope/legacy tls.crt": "old-only",
              "monoskope/legacy ca.crt": "old-only"}, st
assert r["safe"] is False and r["summary"]["blocking"] == 2
PY
expect_exit 4 anc ceremony run "$C/rotation-retire.yaml" --outbox "$C/retire-early" --yes
expect_msg 'retiring root-2026 would break 2 certificate\(s\)'
expect_msg 'monoskope/legacy tls.crt'
[ ! -e "$C/retire-early/trust-bundle-2027.pem" ] || fail "refused retire wrote a bundle"
expect_exit 4 anc ceremony check "$C/rotation-retire.yaml"
pass "retire refused (exit 4) while legacy chains only to root-2026"

# A named exception for each of them lets the retire ceremony through.
/usr/bin/python3 - "$C/inventory/inventory.json" "$C/rotation-retire.yaml" \
    "$C/retire-exc.yaml" <<'PY' || fail "writing the exceptions"
import json, sys
report, script, out = sys.argv[1:]
fps = [c["sha256"] for c in json.load(open(report))["certificates"] if c["blocks"]]
text = open(script).read()
exc = "      exceptions:\n" + "".join(
    f'        - {{ certificate: {fp}, reason: "legacy job ends this week", '
    f'approved-by: "Alice Example" }}\n' for fp in fps)
anchor = "      output: trust-bundle-2027\n"
assert text.count(anchor) == 1
open(out, "w").write(text.replace(anchor, exc + anchor))
PY
anc -q ceremony run "$C/retire-exc.yaml" --outbox "$C/retire-exc" --yes \
    >/dev/null 2>"$T/stderr" || { cat "$T/stderr"; fail "retire with exceptions"; }
[ "$(grep -c 'BEGIN CERTIFICATE' "$C/retire-exc/trust-bundle-2027.pem")" -eq 1 ] ||
    fail "retire bundle holds one anchor"
pass "retire with named exceptions passes"

# The legacy leaf re-issued under the new issuing CA: safe, no exception.
leaf legacy2 "$T/s27"
secrets "$T/secrets2.yaml" "web=new:$ROOT27" "legacy=legacy2:$ROOT27"
expect_exit 0 anc --json inventory check --anchors "$B1" --k8s-secrets "$T/secrets2.yaml"
cp "$T/stdout" "$C/inventory/inventory.json"
# A stale exception (for a certificate that no longer breaks) is refused.
expect_exit 4 anc ceremony check "$C/retire-exc.yaml"
expect_msg 'exceptions\[1\]: certificate [0-9a-f]{64} does not break'
run rotation-retire.yaml retire
B3=$C/retire/trust-bundle-2027.pem
cmp <(openssl x509 -in "$B3") <(openssl x509 -in "$ROOT27") || fail "retire bundle is the new root"
[ "$(grep -c 'BEGIN CERTIFICATE' "$B3")" -eq 1 ] || fail "retire bundle holds only the new root"
verifies new "$B3" || fail "new leaf against the retire bundle"
verifies legacy2 "$B3" || fail "re-issued leaf against the retire bundle"
refused old "$B3" || fail "old leaf still verifies against the retire bundle"
anc outbox verify "$C/retire" >/dev/null || fail "outbox verify retire"
grep -q "$(openssl x509 -in "$ROOT27" -outform DER | sha256sum | cut -c1-64)" \
    "$C/retire/manifests/configmap-m8-trust-bundle.yaml" || fail "ConfigMap names the new anchor"
[ "$(phase root issuing introduce switch retire)" = steady ] || fail "status after retire"
/usr/bin/python3 - "$T/status.json" "$(openssl x509 -in "$ROOT26" -outform DER | sha256sum | cut -c1-64)" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
ph = {i["sha256"]: i["phase"] for i in s["items"]}
assert ph[sys.argv[2]] == "retired", ph
assert not s["action_due"], s
PY
    fail "status after retire: old anchor retired, nothing due"
pass "retire: new leaves verify, old leaf fails (openssl, certtool); status steady"

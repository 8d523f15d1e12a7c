#!/usr/bin/env bash
# Regenerates the seed corpora of the targets below, under
# tests/fuzz/corpus/, and the fixture outbox tests/fuzz/outbox/ if it is
# absent: real material (the example ceremonies run on a throwaway
# SoftHSM2 token, certificates and CSRs made by openssl) and hand-made
# tricky cases.  Keys and tokens are throwaway; every run makes new ones,
# so the files change each time.
#
#   ANCHORAGE=build/anchorage ANC_TOKEN_INIT=build/tests/anc-token-init \
#       tests/fuzz/mkcorpus.sh
ANC_SRC=$(cd "$(dirname "$0")/../.." && pwd)
export ANC_SRC
source "$ANC_SRC/tests/integration/lib.sh"

F=$ANC_SRC/tests/fuzz
C=$F/corpus
(cd "$C" 2>/dev/null && rm -rf ceremony pem csr outbox_content outbox_sums pin)
mkdir -p "$C"/{ceremony,pem,csr,outbox_content,outbox_sums,pin}

# The example ceremonies, run for real: outboxes, root, CSR.
make_token m8-root
W=$T/w
mkdir -m 700 "$W" "$W/vault"
cp "$ANC_SRC"/ceremony/examples/*.yaml "$W/"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/vault.key" -subj "/CN=m8 Vault intermediate 2026" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:5" \
    -out "$W/vault/pki_int.csr" 2>/dev/null
for c in root:root issuing-ca:issuing vault-intermediate:vault-out; do
	anc -q ceremony run "$W/${c%%:*}.yaml" --outbox "$W/${c#*:}" \
	    --pin-source "file:$T/pin-m8-root" --yes >/dev/null ||
	    fail "ceremony ${c%%:*}"
done

# ceremony: the examples, one script using every step kind, and scripts
# each parser rule must refuse.
cp "$ANC_SRC"/ceremony/examples/*.yaml "$C/ceremony/"
cat >"$C/ceremony/every-step.yaml" <<'EOF'
version: 1
name: every-step-2026
description: |
  Every step kind once.
token: "pkcs11:token=m8-root;object=x"
participants:
  - { name: Alice Example, role: administrator }
  - { name: Bob Example, role: witness }
  - name: "Zoë Example"
    role: crypto-officer
inputs:
  - certificate: { name: old-root, file: old/root.pem, key: m8-root-2016,
                   sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789 }
  - certificate: { name: old-issuing, file: /srv/old/issuing.pem }
  - csr: { name: vault-csr, file: vault.csr }
  - inventory: { name: cluster-inventory, file: inventory.json }
steps:
  - generate-key: { label: m8-root-2026, algorithm: ecdsa-p384 }
  - self-sign:
      key: m8-root-2026
      subject: { CN: root.monoskope.cluster.local, OU: Platform, O: Monoskope, L: Berlin, ST: Berlin, C: DE }
      validity: 87600h
      path-length: 1
      output: root-2026
  - issue-intermediate: { issuer: root-2026, subject: { CN: m8-issuing-ca-2026 },
                          algorithm: rsa-3072, validity: 30d, output: issuing-2026 }
  - sign-csr:
      issuer: root-2026
      csr: vault-csr
      validity: 1h30m
      path-length: 0
      policy: { algorithms: [ecdsa-p256, rsa-4096], max-validity: 2h, max-path-length: 0 }
      output: vault-int
  - cross-sign: { issuer: old-root, certificate: root-2026, output: root-2026-cross }
  - bundle: { anchors: [old-root, root-2026], output: trust-bundle }
  - sign-crl:
      issuer: old-root
      crl-number: 7
      validity: 720h
      revoke:
        - { certificate: old-issuing, reason: superseded }
        - certificate: root-2026-cross
      output: old-root-crl
  - export-secret: { name: m8-trust-anchor, namespace: monoskope, issuing-ca: issuing-2026 }
  - export-bundle: { name: m8-trust-bundle, trust-namespace: cert-manager,
                     target-namespace: monoskope, bundle: trust-bundle }
  - export-issuer: { name: m8-issuer, kind: ClusterIssuer, cluster-resource-namespace: monoskope,
                     secret: m8-trust-anchor }
  - export-vault: { certificate: vault-int, output: vault-chain }
EOF
root=$C/ceremony/root.yaml
printf 'version: 1\nname: &n a\nother: *n\n' >"$C/ceremony/alias.yaml"
printf 'version: !!int 1\nname: t\n' >"$C/ceremony/tag.yaml"
printf '%%TAG ! tag:x,2026:\n---\nversion: 1\n' >"$C/ceremony/directive.yaml"
{ cat "$root"; printf -- '---\n'; cat "$root"; } >"$C/ceremony/two-docs.yaml"
printf 'version: 1\nname: [[[[[[[[[[x]]]]]]]]]]\n' >"$C/ceremony/deep.yaml"
sed 's/^version: 1$/version: 1\nversion: 1/' "$root" >"$C/ceremony/dup-key.yaml"
sed 's/^name:/nmae:/' "$root" >"$C/ceremony/unknown-key.yaml"
sed 's/Bob Example/Bob \xe2\x80\xae elpmaxE/' "$root" >"$C/ceremony/bidi.yaml"
sed 's/$/\r/' "$root" >"$C/ceremony/crlf.yaml"
{ printf '\xef\xbb\xbf'; cat "$root"; } >"$C/ceremony/bom.yaml"
sed 's/token=m8-root/token=m8-root;%70in-value=1234/' "$root" >"$C/ceremony/pin-uri.yaml"
sed 's/validity: 87600h/validity: 18446744073709551615s/' "$root" >"$C/ceremony/huge-validity.yaml"
sed 's/path-length: 1/path-length: 010/' "$root" >"$C/ceremony/octal.yaml"
{ printf 'version: 1\nname: t\ndescription: "'; head -c 4100 /dev/zero | tr '\0' x
  printf '"\n'; } >"$C/ceremony/long-scalar.yaml"
printf 'version: 1\nname: "unterminated\n' >"$C/ceremony/unterminated.yaml"
printf '{version: 1, name: t, participants: [{name: A, role: administrator}, {name: B, role: witness}], steps: [{generate-key: {label: k}}, {self-sign: {key: k, subject: {CN: r}, output: r}}], token: "pkcs11:token=t"}\n' \
    >"$C/ceremony/flow.yaml"
: >"$C/ceremony/empty.yaml"

# pem: certificates and bundles as ceremonies read them, and what the
# reader must refuse.
cp "$W/root/root-2026.pem" "$C/pem/root-ec.pem"
cp "$W/issuing/trust-bundle.pem" "$C/pem/bundle-one.pem"
cat "$W/vault-out/vault-chain.pem" >"$C/pem/chain.pem"
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$T/rsa.key" -subj /CN=rsa-root \
    -days 3650 -addext basicConstraints=critical,CA:TRUE \
    -out "$T/rsa.pem" 2>/dev/null
cp "$T/rsa.pem" "$C/pem/root-rsa.pem"
cat "$T/rsa.pem" "$W/root/root-2026.pem" >"$C/pem/bundle-two.pem"
cat "$W/root/root-2026.pem" "$T/vault.key" >"$C/pem/cert-and-key.pem"
: >"$T/index"
printf '[ca]\ndefault_ca=c\n[c]\ndatabase=%s/index\ndefault_md=sha256\ndefault_crl_days=1\n' \
    "$T" >"$T/ca.cnf"
openssl ca -gencrl -config "$T/ca.cnf" -keyfile "$T/rsa.key" -cert "$T/rsa.pem" \
    -out "$C/pem/crl.pem" 2>/dev/null || fail "CRL"
sed '1a Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n' \
    "$W/root/root-2026.pem" >"$C/pem/encrypted-header.pem"
{ echo "subject=CN = root"; cat "$W/root/root-2026.pem"; } >"$C/pem/text-outside.pem"
{ openssl x509 -in "$W/root/root-2026.pem" -outform DER; printf 'extra'; } |
    openssl base64 | sed '1i -----BEGIN CERTIFICATE-----' |
    sed '$a -----END CERTIFICATE-----' >"$C/pem/trailing-der.pem"
sed 's/$/\r/' "$W/root/root-2026.pem" >"$C/pem/crlf.pem"
head -c -1 "$W/root/root-2026.pem" >"$C/pem/no-final-newline.pem"
sed '2,3d' "$W/root/root-2026.pem" >"$C/pem/truncated.pem"
printf -- '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' >"$C/pem/empty-block.pem"
# OpenSSL skips what it cannot read as a BEGIN line, and cuts base64 lines
# at the first other character: neither may hide text.
{ printf -- '-----BEGIN CERTIFICATE--PRIVATE KEY---\nc2VjcmV0\n'
  cat "$W/root/root-2026.pem"; } >"$C/pem/begin-junk.pem"
sed '2s/$/ PRIVATE KEY/' "$W/root/root-2026.pem" >"$C/pem/base64-suffix.pem"

# csr: requests as Vault and openssl make them, PEM and DER, and ones the
# policy refuses.
csr() {	# csr NAME FORM SUBJECT KEYOPTS...
	local name=$1 form=$2 subj=$3
	shift 3
	openssl req -new "$@" -nodes -keyout "$T/$name.key" -subj "$subj" \
	    -outform "$form" -out "$C/csr/$name" 2>/dev/null || fail "csr $name"
}
cp "$W/vault/pki_int.csr" "$C/csr/vault-p256-ext.csr"
csr p384.csr PEM "/CN=m8 int p384/O=Monoskope" -newkey ec -pkeyopt ec_paramgen_curve:P-384
csr rsa2048.csr PEM "/CN=m8 int rsa" -newkey rsa:2048
csr rsa3072.der DER "/CN=m8 int rsa3072" -newkey rsa:3072
csr p256.der DER "/CN=m8 int p256" -newkey ec -pkeyopt ec_paramgen_curve:P-256
csr p521.csr PEM "/CN=m8 int p521" -newkey ec -pkeyopt ec_paramgen_curve:P-521
csr ed25519.csr PEM "/CN=m8 int ed" -newkey ed25519
csr rsa1024.der DER "/CN=small" -newkey rsa:1024
csr no-cn.csr PEM "/O=Monoskope" -newkey ec -pkeyopt ec_paramgen_curve:P-256
csr email.csr PEM "/CN=x/emailAddress=a@b.example" -newkey ec -pkeyopt ec_paramgen_curve:P-256
csr issuer-subject.csr PEM "/CN=fuzz root" -newkey ec -pkeyopt ec_paramgen_curve:P-256
python3 - "$C/csr/p256.der" "$C/csr/badsig.der" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 1
open(sys.argv[2], "wb").write(b)
PY
{ cat "$C/csr/p256.der"; printf 'extra'; } >"$C/csr/trailing.der"
cat "$C/csr/p384.csr" "$C/csr/rsa2048.csr" >"$C/csr/two-blocks.csr"

# The fixture outbox the outbox_sums and transcript seeds refer to: the
# issuing-CA outbox without its Secret (it holds a key) and SHA256SUMS,
# plus the Vault README.  Made only when absent: other targets' seeds
# hold hashes of its files.
if [ ! -d "$F/outbox" ]; then
	mkdir -p "$F/outbox/manifests"
	(cd "$W/issuing" && cp helm-values-*.yaml issuing-2026.pem \
	    trust-bundle.pem "$F/outbox/" && cp manifests/bundle-*.yaml \
	    manifests/configmap-*.yaml manifests/issuer-*.yaml \
	    "$F/outbox/manifests/")
	cp "$W/vault-out/vault-chain.README.txt" "$F/outbox/"
fi

# outbox_content: "NAME\n" then the bytes, for every file of the real
# outboxes, and files outbox verify must refuse.
content() {	# content SEED NAME FILE
	{ printf '%s\n' "$2"; cat "$3"; } >"$C/outbox_content/$1"
}
for o in root issuing vault-out; do
	(cd "$W/$o" && find . -type f ! -name SHA256SUMS | sed 's|^\./||') |
	    while read -r f; do
		content "$o-$(basename "$f")" "$f" "$W/$o/$f"
	done
done
content crl.pem old-root-crl.pem "$C/pem/crl.pem"
content cert-and-key.pem root.pem "$C/pem/cert-and-key.pem"
content mixed.pem mixed.pem <(cat "$C/pem/crl.pem" "$W/root/root-2026.pem")
printf '{"seq":1,"event":"start","prev":"0"}\n{"seq":2,"event":"end"}\n' >"$T/t.jsonl"
content transcript.jsonl transcript.jsonl "$T/t.jsonl"
secret=$W/issuing/manifests/secret-m8-trust-anchor.yaml
sed 's/kubernetes.io\/tls/Opaque/' "$secret" >"$T/opaque.yaml"
content secret-opaque.yaml manifests/secret-x.yaml "$T/opaque.yaml"
python3 - "$secret" "$T/string-data.yaml" <<'PY'
import base64, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
doc["stringData"] = {"tls.key": base64.b64decode(doc["data"].pop("tls.key")).decode()}
open(sys.argv[2], "w").write("---\n" + yaml.safe_dump(doc))
PY
content secret-string-data.yaml manifests/secret-m8.yaml "$T/string-data.yaml"
cm=$W/issuing/manifests/configmap-m8-trust-bundle.yaml
{ cat "$cm"; printf '  key.pem: |\n'; sed 's/^/    /' "$T/vault.key"; } >"$T/cm-key.yaml"
content configmap-key.yaml manifests/configmap-x.yaml "$T/cm-key.yaml"
{ sed 's/^/# /' "$T/vault.key"; cat "$cm"; } >"$T/cm-comment.yaml"
content configmap-comment-key.yaml manifests/configmap-x.yaml "$T/cm-comment.yaml"
{ cat "$cm"; printf '  b64: %s\n' "$(grep -v -- ----- "$T/vault.key" | tr -d '\n')"; } >"$T/cm-b64.yaml"
content configmap-base64-key.yaml manifests/configmap-x.yaml "$T/cm-b64.yaml"
{ cat "$cm"; printf '  x: &a "1"\n  y: *a\n'; } >"$T/cm-alias.yaml"
content configmap-alias.yaml manifests/configmap-x.yaml "$T/cm-alias.yaml"
{ cat "$cm"; printf '  x: "1"\n  x: "2"\n'; } >"$T/cm-dup.yaml"
content configmap-dup-key.yaml manifests/configmap-x.yaml "$T/cm-dup.yaml"
printf -- '- a\n- b\n' >"$T/list.yaml"
content helm-list.yaml helm-values-x.yaml "$T/list.yaml"
content traversal.pem ../root.pem "$W/root/root-2026.pem"
content begin-junk.pem root.pem "$C/pem/begin-junk.pem"
content base64-suffix.pem root.pem "$C/pem/base64-suffix.pem"
sed 's/^  name: /  name: \&a /' "$cm" >"$T/cm-anchor.yaml"
content configmap-anchor.yaml manifests/configmap-x.yaml "$T/cm-anchor.yaml"
sed 's/^kind: /kind: !!str /' "$cm" >"$T/cm-tag.yaml"
content configmap-tag.yaml manifests/configmap-x.yaml "$T/cm-tag.yaml"
sed 's/^  trust-bundle.pem: |$/  trust-bundle.pem: | # note/' "$cm" >"$T/cm-header.yaml"
content configmap-block-comment.yaml manifests/configmap-x.yaml "$T/cm-header.yaml"
content unknown-kind.txt notes.txt "$T/t.jsonl"

# outbox_sums: SHA256SUMS of the fixture outbox, and lists verify refuses.
sums=$C/outbox_sums/complete
(cd "$F/outbox" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
    xargs sha256sum) >"$sums"
head -n -1 "$sums" >"$C/outbox_sums/file-not-listed"
{ cat "$sums"; printf '%064d  missing.pem\n' 0; } >"$C/outbox_sums/listed-missing"
{ cat "$sums"; head -1 "$sums"; } >"$C/outbox_sums/listed-twice"
tr 'a-f' 'A-F' <"$sums" >"$C/outbox_sums/uppercase-hex"
sed 's/  / /' "$sums" >"$C/outbox_sums/one-space"
sed 's/$/\r/' "$sums" >"$C/outbox_sums/crlf"
head -c -1 "$sums" >"$C/outbox_sums/no-final-newline"
sed '1s/^./0/' "$sums" >"$C/outbox_sums/wrong-hash"
sed '1s/  /  manifests\/..\//' "$sums" >"$C/outbox_sums/dot-dot"
sed '1s/  /  \/etc\//' "$sums" >"$C/outbox_sums/absolute"
: >"$C/outbox_sums/empty"

# pin: pin-source files.
p=$C/pin
printf '123456\n' >"$p/plain"
printf '123456\r\n' >"$p/crlf"
printf '123456' >"$p/no-newline"
printf 'correct horse battery staple\n' >"$p/spaces"
printf 'p\xc3\xa4ss\n' >"$p/utf8"
printf '\n' >"$p/empty-line"
: >"$p/empty"
printf '12\00034\n' >"$p/nul"
printf 'one\ntwo\n' >"$p/two-lines"
printf '1234\n\n' >"$p/blank-second-line"
head -c 256 /dev/zero | tr '\0' 7 >"$p/max"
{ head -c 256 /dev/zero | tr '\0' 7; echo; } >"$p/max-newline"
head -c 257 /dev/zero | tr '\0' 7 >"$p/too-long"

echo "seeds: $(find "$C" -type f | wc -l) files, $(du -sk "$C" | cut -f1) KiB"

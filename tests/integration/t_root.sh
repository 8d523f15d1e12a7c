#!/usr/bin/env bash
# The root ceremony on a real SoftHSM2 token, once per key algorithm,
# checked with openssl, certtool and pkcs11-tool.
source "$(dirname "$0")/lib.sh"

check_root() {
	local alg=$1 label=$2 out=$3 text
	local root=$out/root-2026.pem
	[ -f "$root" ] || fail "$alg: no root certificate"
	openssl verify -x509_strict -CAfile "$root" "$root" >/dev/null ||
	    fail "$alg: openssl verify -x509_strict"
	certtool --verify-chain --infile "$root" >"$T/certtool" 2>&1 ||
	    { cat "$T/certtool"; fail "$alg: certtool --verify-chain"; }
	text=$(openssl x509 -in "$root" -noout -text)
	grep -q 'Subject: CN = root.monoskope.cluster.local' <<<"$text" ||
	    fail "$alg: subject"
	grep -q 'Issuer: CN = root.monoskope.cluster.local' <<<"$text" ||
	    fail "$alg: issuer"
	grep -A1 'X509v3 Basic Constraints: critical' <<<"$text" |
	    grep -q 'CA:TRUE, pathlen:1' || fail "$alg: basicConstraints"
	grep -A1 'X509v3 Key Usage: critical' <<<"$text" |
	    grep -qx ' *Certificate Sign, CRL Sign' || fail "$alg: keyUsage"
	grep -q 'X509v3 Subject Key Identifier' <<<"$text" || fail "$alg: SKID"
	! grep -q 'Authority Key Identifier' <<<"$text" || fail "$alg: AKID on a root"
	! grep -q 'Extended Key Usage' <<<"$text" || fail "$alg: EKU on a root"
	[ "$(grep -c 'X509v3 ' <<<"$text")" -eq 4 ] ||
	    fail "$alg: expected exactly 3 extensions"
	# At least 64 random bits: our serials are 17 octets.
	local serial
	serial=$(openssl x509 -in "$root" -noout -serial | cut -d= -f2)
	[ ${#serial} -ge 18 ] || fail "$alg: serial $serial too short"
	# 87600h of validity, to the second.
	local nb na
	nb=$(date -d "$(openssl x509 -in "$root" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -d "$(openssl x509 -in "$root" -noout -enddate | cut -d= -f2)" +%s)
	[ $((na - nb)) -eq $((87600 * 3600)) ] || fail "$alg: validity $((na - nb))s"
	case $alg in
	ecdsa-p256) grep -q 'ecdsa-with-SHA256' <<<"$text" && grep -q 'NIST CURVE: P-256' <<<"$text" ;;
	ecdsa-p384) grep -q 'ecdsa-with-SHA384' <<<"$text" && grep -q 'NIST CURVE: P-384' <<<"$text" ;;
	rsa-3072) grep -q 'sha256WithRSAEncryption' <<<"$text" && grep -q 'Public-Key: (3072 bit)' <<<"$text" ;;
	rsa-4096) grep -q 'sha256WithRSAEncryption' <<<"$text" && grep -q 'Public-Key: (4096 bit)' <<<"$text" ;;
	esac || fail "$alg: signature algorithm or key"
	# The certificate's key is the token's key.
	local objs
	objs=$(p11_objects "$label")
	grep -q "label: *m8-root-2026" <<<"$objs" || { echo "$objs"; fail "$alg: key not in token"; }
	grep -q 'Usage: *sign$' <<<"$objs" || { echo "$objs"; fail "$alg: key usage is not sign-only"; }
	grep -q 'Access: *sensitive, always sensitive, never extractable, local' <<<"$objs" ||
	    { echo "$objs"; fail "$alg: key access flags"; }
	# SHA256SUMS covers every file, checked by coreutils.
	(cd "$out" && sha256sum --quiet -c SHA256SUMS) || fail "$alg: SHA256SUMS"
	[ "$(wc -l <"$out/SHA256SUMS")" -eq "$(find "$out" -type f ! -name SHA256SUMS | wc -l)" ] ||
	    fail "$alg: SHA256SUMS does not list every file"
	anc outbox verify "$out" >/dev/null || fail "$alg: outbox verify"
	pass "$alg root"
}

for alg in $ANC_ALGS; do
	label="root-$alg"
	make_token "$label"
	example root.yaml "$T/$alg.yaml" -e "s/token=m8-root/token=$label/" \
	    -e "s/algorithm: ecdsa-p256/algorithm: $alg/"
	anc ceremony check "$T/$alg.yaml" >/dev/null || fail "$alg: check"
	if [ "$alg" = rsa-3072 ]; then
		# Seen through OpenSC's pkcs11-spy: RSA signs with the hashing
		# mechanism when the token lists it (pkcs11-tool -M says),
		# else with CKM_RSA_PKCS; never both.
		PKCS11SPY_OUTPUT=$T/spy.log spy_env "$ANCHORAGE" --module \
		    /usr/lib/x86_64-linux-gnu/pkcs11-spy.so -q ceremony run \
		    "$T/$alg.yaml" --outbox "$T/out-$alg" \
		    --pin-source "file:$T/pin-$label" --yes >/dev/null ||
		    fail "$alg: ceremony run"
		p11_settle
		want=CKM_RSA_PKCS
		pkcs11-tool --module "$ANC_MODULE_PATH" -M 2>/dev/null |
		    grep -Eq '^ *SHA256-RSA-PKCS,.* sign' && want=CKM_SHA256_RSA_PKCS
		p11_settle
		got=$(grep -A3 'C_SignInit' "$T/spy.log" |
		    grep -o 'CKM_[A-Z0-9_]*' | sort -u | tr '\n' ' ')
		[ "$got" = "$want " ] ||
		    fail "$alg: signed with ${got:-nothing}, expected $want"
		pass "$alg: signed with $want"
	else
		anc -q ceremony run "$T/$alg.yaml" --outbox "$T/out-$alg" \
		    --pin-source "file:$T/pin-$label" --yes >/dev/null ||
		    fail "$alg: ceremony run"
	fi
	check_root "$alg" "$label" "$T/out-$alg"
done

#!/usr/bin/env bash
# What the module cannot do (ANC_P11_REFUSED: openCryptoki 3.8.1 has no EC
# mechanisms, the software TPM no RSA-4096) is refused before anything
# happens: exit 3, a message naming the algorithm and the mechanism the
# token lacks, no key in the token, no outbox that verifies.
source "$(dirname "$0")/../lib.sh"

[ -n "$ANC_P11_REFUSED" ] || fail "ANC_P11=$ANC_P11 lists nothing it refuses"
for entry in $ANC_P11_REFUSED; do
	alg=${entry%%:*}
	mech=${entry#*:}
	label="refuse-$alg"
	make_token "$label"
	example root.yaml "$T/$alg.yaml" -e "s/token=m8-root/token=$label/" \
	    -e "s/algorithm: ecdsa-p256/algorithm: $alg/"
	expect_exit 3 anc -q ceremony run "$T/$alg.yaml" \
	    --outbox "$T/out-$alg" --pin-source "file:$T/pin-$label" --yes
	expect_msg "$alg"
	expect_msg "$mech"
	objs=$(p11_objects "$label")
	! grep -q "Private Key Object" <<<"$objs" ||
	    { echo "$objs"; fail "$alg: a key was left in the token"; }
	[ ! -e "$T/out-$alg/SHA256SUMS" ] || fail "$alg: an outbox was written"
	pass "$alg refused up front ($mech)"
done

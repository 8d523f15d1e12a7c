#!/usr/bin/env bash
# A module that cannot take part in a backup (docs/backup.md, Modules) is
# refused before anything changes in either token, with a message naming
# every mechanism it lacks.  CTest runs this on tpm2-pkcs11, whose
# mechanisms have no CKF_WRAP or CKF_UNWRAP and which has no AES key wrap.
source "$(dirname "$0")/../lib.sh"

# The primary keeps its SO PIN file, for backup-trust.
new_pin_file "$T/pin-bkp" "$ANC_PIN_LEN"
new_pin_file "$T/so-bkp" "$ANC_PIN_LEN"
( umask 077; cat "$T/so-bkp" "$T/pin-bkp" >"$T/init-bkp" )
"$ANC_TOKEN_INIT" "$ANC_MODULE_PATH" bkp "$T/init-bkp" ||
    fail "token bkp could not be made"
p11_settle
make_token bks
example backup-root.yaml "$T/b.yaml" -e 's/token=m8-root-backup"/token=bks"/' \
    -e 's/token=m8-root"/token=bkp"/'
expect_exit 3 anc ceremony run "$T/b.yaml" --outbox "$T/out" \
    --pin-source "file:$T/pin-bkp" --backup-pin-source "file:$T/pin-bks" \
    --so-pin-source "file:$T/so-bkp" --backup-medium "$T/medium" --yes
p11_settle
expect_msg 'the token cannot unwrap a key for backup: it does not offer CKM_RSA_PKCS_OAEP \(unwrap\), CKM_AES_KEY_WRAP_PAD \(unwrap\); nothing was changed'
expect_msg 'left behind: no key was generated'
for tok in bkp bks; do
	objs=$(p11_objects "$tok")
	p11_settle
	! grep -q 'Object;' <<<"$objs" || { echo "$objs"; fail "$tok holds an object"; }
done
[ ! -e "$T/medium/m8-root-2026-b.wrapped" ] || fail "a blob was written"
pass "a module without the backup mechanisms is refused before any change"

#!/usr/bin/env bash
# check-banned.sh ROOT: fail when product code (the module folders of ROOT)
# calls strcpy, strcat, sprintf or vsprintf, which write without a bound.
# Use snprintf, memcpy with a checked length, or asprintf.  Tests and
# benchmarks may use them on their own fixed inputs.
set -u
root=${1:?usage: check-banned.sh ROOT}
dirs=()
for m in appliance ceremony transcript rotation pkcs11 export common; do
	[ -d "$root/$m" ] && dirs+=("$root/$m")
done
[ ${#dirs[@]} -gt 0 ] || { echo "check-banned: no modules under $root" >&2; exit 2; }
hits=$(grep -rnE --include='*.c' --include='*.h' \
    '(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|vsprintf)[[:space:]]*\(' "${dirs[@]}")
if [ -n "$hits" ]; then
	sed "s|^$root/||; s|\$|  <- unbounded; use snprintf or memcpy|" <<<"$hits"
	exit 1
fi
echo "check-banned: no strcpy, strcat, sprintf, vsprintf in ${#dirs[@]} modules"

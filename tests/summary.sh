#!/bin/sh
# summary.sh DIR — prints every failed or skipped TAP case found in the
# automake .log/.trs files under DIR, each failure with the first 40
# diagnostic lines ("# ...") that follow it (a screen, a log; the
# driver's own PASS:/FAIL: lines between are skipped), so a
# failure on a machine one cannot log in to still tells its cause; then
# one closing line:
#   N passed, N failed[, N skipped]
# (ERROR and XPASS count as failed.)
dir=${1:-tests}
pass=0 fail=0 skip=0
for trs in "$dir"/*.trs; do
	[ -f "$trs" ] || continue
	log=${trs%.trs}.log
	while read -r tag res rest; do
		[ "$tag" = ":test-result:" ] || continue
		case $res in
		PASS | XFAIL) pass=$((pass + 1)) ;;
		SKIP) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
	done <"$trs"
	[ -f "$log" ] || continue
	awk -v name="$(basename "${log%.log}")" '
		/^(not ok|ok .*# SKIP|1\.\.0 # SKIP|Bail out)/ {
			print name ": " $0; n = /^not ok/ ? 40 : 0; next }
		n > 0 && /^#/ { print name ":   " $0; n--; next }
		/^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): / { next }
		{ n = 0 }' "$log"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi

#!/bin/sh
# summary.sh DIR — prints every failed or skipped TAP case found in the
# automake .log/.trs files under DIR, then one closing line:
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
	grep -E '^(not ok|ok .*# SKIP|1\.\.0 # SKIP|Bail out)' "$log" 2>/dev/null |
		sed "s|^|$(basename "${log%.log}"): |"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi

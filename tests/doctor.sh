#!/bin/sh
# `vmtui doctor` checks the host and says what to fix.
. "${top_srcdir:-.}/tests/lib.sh"

unset VMTUI_ACCEL
run doctor
check "doctor passes on a host that can run guests (exit $rc)" [ "$rc" -eq 0 ]
check "libvirt prints nothing of its own on stderr" [ ! -s "$T/err" ]
[ -s "$T/err" ] && diag "$(head -n 5 "$T/err")"
[ "$rc" -eq 0 ] || diag "$(cat "$T/out" "$T/err")"
for what in 'QEMU' 'qemu-img' 'libvirt +version 9\.' 'UEFI firmware' 'Disk space +[0-9.]+ GiB free' \
	'Engine lock +.*/e is free' 'Engine +qemu:///embed\?root=.* opens'; do
	check "doctor reports: $what" grep -Eq "^\[(ok|warn)\] +$what" "$T/out"
done
check "the KVM line says whether a guest really ran under KVM" \
	grep -Eq '^\[(ok|warn)\] +KVM +(a test guest ran under KVM|.*(does not exist|cannot be opened|hung|failed).*TCG)' "$T/out"
if [ -e /dev/vhost-net ]; then
	check "doctor reports vhost-net" grep -Eq '^\[ok\] +vhost-net +/dev/vhost-net' "$T/out"
else
	check "doctor says vhost-net is absent and what that costs" \
		grep -Eq '^\[warn\] +vhost-net +/dev/vhost-net is missing: .*multiqueue.* without vhost acceleration' "$T/out"
fi
run doctor --json
check "doctor --json is valid JSON with a status per check" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) >= 8 and all(c["status"] in ("ok", "warn", "fail") for c in d)' "$T/out"
kvm_ok=$(python3 -c '
import json, sys
print("yes" if [c for c in json.load(open(sys.argv[1])) if c["check"] == "KVM"][0]["status"] == "ok" else "no")' "$T/out")

VMTUI_ACCEL=kvm run doctor
if [ "$kvm_ok" = yes ]; then
	check "accel=kvm on a host where KVM works passes" [ "$rc" -eq 0 ]
else
	check "accel=kvm where KVM does not work fails (exit $rc) and says what to do" \
		sh -c "[ $rc -eq 1 ] && grep -q 'accel = kvm is set but KVM does not work here' '$T/out'"
fi
VMTUI_ACCEL=tcg expect 0 'setting tcg, guests use TCG' "accel=tcg is reported" doctor

"$VMTUI" events --timeout 30 >/dev/null 2>&1 &
holder=$!
BG_PIDS="$BG_PIDS $holder"
sleep 1
expect 0 "in use by process $holder" "doctor names the process holding the engine" doctor
kill -TERM "$holder"; wait "$holder" 2>/dev/null
expect 0 'Engine +test:///default opens' "doctor checks any URI" -c test:///default doctor
VMTUI_ENGINE_ROOT=rel expect 1 'relative path' "doctor flags a bad engine root" doctor
done_testing

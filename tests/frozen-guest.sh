#!/bin/sh
# A frozen guest (its QEMU stopped with SIGSTOP) never freezes vmtui:
# commands on it time out with a clear message, the list still comes back,
# other guests keep working, and force off still works.
. "${top_srcdir:-.}/tests/lib.sh"

guest_kit
for g in f1 f2; do
	create_guest "$g" "$g-$$" >/dev/null && "$VMTUI" start "$g" >/dev/null ||
		{ echo "Bail out! cannot start $g: $(cat "$T/err")"; exit 1; }
done
wait_for "$(serial_log f1)" "VMTUI-MARKER f1-$$" 30 && wait_for "$(serial_log f2)" "VMTUI-MARKER f2-$$" 30
check "both guests booted" [ $? -eq 0 ]
p1=$(qemu_pid f1)
kill -STOP "$p1"

# ms COMMAND...: runs vmtui, leaves its run time in $took (ms)
ms() {
	s=$(date +%s%N)
	run "$@"
	took=$(( ($(date +%s%N) - s) / 1000000 ))
}

ms --timeout 3 info f1
check "info on the frozen guest exits 6 ($rc) in bounded time ($took ms)" \
	[ "$rc" -eq 6 ] && [ "$took" -lt 15000 ]
check "and says it is not responding" grep -q 'VM "f1" is not responding' "$T/err"
[ "$rc" -eq 6 ] || diag "$(cat "$T/out" "$T/err")"
ms --timeout 3 list
check "list still works ($took ms)" eval '[ "$rc" -eq 0 ] && [ "$took" -lt 15000 ]'
check "list marks the frozen guest" grep -Eq '^f1 +not responding' "$T/out"
check "list shows the other guest running" grep -Eq '^f2 +running' "$T/out"
ms --timeout 3 suspend f2
check "the other guest can be paused ($took ms)" [ "$rc" -eq 0 ]
ms --timeout 3 resume f2
check "and resumed ($took ms)" [ "$rc" -eq 0 ]
ms --timeout 3 shutdown f1 --timeout 2
check "shutdown of the frozen guest fails clearly (exit $rc)" \
	[ "$rc" -eq 6 ] && grep -Eq 'not responding|did not finish' "$T/err"
ms --timeout 3 destroy f1
check "force off works on the frozen guest ($took ms)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag "$(cat "$T/out" "$T/err")"
check "its QEMU process is gone" sh -c "sleep 1; ! kill -0 $p1 2>/dev/null"
expect 0 '^f1 +shut off' "list shows it off" list
expect 0 '^f2 +running' "the other guest never stopped" list
done_testing

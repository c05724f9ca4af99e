#!/bin/sh
# One vmtui per embedded engine: a second one is told which process holds
# it and what to do, never a raw libvirt error; the lock goes with the
# holder, even when it is killed.
. "${top_srcdir:-.}/tests/lib.sh"

expect 0 'No VMs yet' "the engine opens" list
"$VMTUI" events --timeout 60 >"$T/ev" 2>&1 &
holder=$!
BG_PIDS="$BG_PIDS $holder"
sleep 1
expect 5 "The engine at $VMTUI_ENGINE_ROOT is in use by process $holder \(.*vmtui events --timeout 60\)" \
	"a second vmtui names the holder and its command line" list
check "and says what to do" grep -q 'quit the other one (its VMs keep running)' "$T/err"
check "no raw libvirt error is shown" sh -c "! grep -Eq 'driver.pid|Resource temporarily unavailable|Failed to acquire|internal error' '$T/err'"
expect 5 'in use by process' "every engine command gets the same message" create x --no-disk
expect 0 'Usage' "commands that need no engine still work" help
expect 0 '^test ' "other URIs still work" -c test:///default list
kill -9 "$holder"
wait "$holder" 2>/dev/null
expect 0 'No VMs yet' "once the holder is killed, the engine is free at once" list
VMTUI_ENGINE_ROOT="$T/other" expect 0 'No VMs yet' "another engine root is independent" list
done_testing

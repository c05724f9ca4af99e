#!/bin/sh
# The serial console, on the embedded engine, with a real guest: refusals
# from the command line; `vmtui console` in tmux, typing a command with a
# random token and reading its output, the menu (log to a file), the
# terminal given back on leaving and after a crash signal; then from the
# full-screen interface: c attaches, Ctrl-] q comes back to the list, a
# reboot inside the guest shows its boot marker through the live console,
# a guest that powers off is reported and the session attaches again when
# the menu's s starts it.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
S=
export TMUX_TMPDIR="$T"
check "create guest c1" create_guest c1
check "create guest c2 (never started)" create_guest c2
log1=$(serial_log c1)

# ---- refusals ----------------------------------------------------------
expect 3 'no VM named "nosuch"' "console of an unknown VM" console nosuch
# the checks that need the engine come before the terminal's, so a
# script learns the same thing as a person
fresh_session -x 100 -y 30 "'$VMTUI' console c2; echo VMTUI-EXITED \$?; sleep 60"
see 'c2 is not running \(shut off\): start it first' 10 "console of a VM that is off says to start it"
see 'VMTUI-EXITED 4' 2 "and exits 4 (wrong state)"

expect 0 'Started VM "c1"' "start c1" start c1
check "c1 boots to its shell" wait_for "$log1" 'VMTUI-GUEST-READY' 40
expect 2 'needs a terminal' "console without a terminal says it needs one" console c1 </dev/null

# ---- vmtui console ---------------------------------------------------------
# tok: a random number; the guest's shell answers with tok + 1, which the
# typed command line itself does not contain
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
fresh_session -x 100 -y 30 \
	"stty -g >'$T/stty.before'; '$VMTUI' console c1; rc=\$?; stty -g >'$T/stty.after'; echo VMTUI-EXITED \$rc; sleep 60"
see 'serial console of c1: Ctrl-] opens the menu' 10 "vmtui console attaches and says how to leave"
keys "echo v-\$(($tok+1))" Enter
see "^v-$((tok + 1))" 10 "a typed command runs in the guest and its output shows"
keys C-]
see 'Ctrl-] or q leave · g screen · b SysRq · d Ctrl-Alt-Del · l log' 3 "Ctrl-] opens the menu"
keys l
see 'logging to .*c1-console-[0-9-]+\.log' 3 "its l logs the session to a file"
keys "echo w-\$(($tok+2))" Enter
see "^w-$((tok + 2))" 10 "the session goes on while logging"
keys C-] l
see 'logging stopped' 3 "l again stops logging"
log=$(ls "$XDG_DATA_HOME"/vmtui/logs/c1-console-*.log 2>/dev/null | head -n 1)
check "the log file holds what the guest printed" grep -q "^w-$((tok + 2))" "$log"
check "and is readable by its owner only" [ "$(stat -c %a "$log" 2>/dev/null)" = 600 ]
keys C-] x
see 'back to c1' 3 "any other key goes back to the guest"
keys C-] g
see 'c1 has no graphical display' 10 "g on a VM without a screen says so"
keys "echo g-\$(($tok+7))" Enter
see "^g-$((tok + 7))" 10 "and the serial console comes back"
keys C-] C-]
see 'VMTUI-EXITED 0' 5 "Ctrl-] Ctrl-] leaves; exit status 0"
same_stty "the terminal's mode is given back"

# a crash signal in the middle of a session still gives the terminal
# back: vmtui runs in the foreground, signalled by its pid
vmtui_session console c1
see 'serial console of c1' 10 "attached in the foreground"
kill -SEGV "$(cat "$T/pid")"
see 'VMTUI-EXITED 139' 5 "SIGSEGV ends it (status 139)"
same_stty "and the terminal's mode is given back"
vmtui_session console c1
see 'serial console of c1' 10 "attached once more"
kill -TERM "$(cat "$T/pid")"
see 'left the console of c1' 5 "SIGTERM leaves the session cleanly"
see 'VMTUI-EXITED 0' 5 "and exits"

# ---- from the full-screen interface -------------------------------------
fresh_session -x 100 -y 30 \
	"env XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
	VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'; echo VMTUI-EXITED \$?; sleep 60"
see '^ . c1 +running' 10 "the list shows c1 running"
see ' c console ' 2 "the hint line offers c for the console"
keys j c
see 'c2 is not running: start it first' 3 "c on a VM that is off says so"
keys k c
see 'serial console of c1' 10 "c attaches to the selected VM's console"
keys "echo t-\$(($tok+3))" Enter
see "^t-$((tok + 3))" 10 "typing reaches the guest"
keys C-] q
see '^ . c1 +running' 5 "Ctrl-] q leaves to the list, drawn whole"
see ' c console ' 2 "with its hint line"
keys c
see 'serial console of c1' 10 "c attaches again"
keys 'reboot' Enter
see 'VMTUI-MARKER c1' 60 "a reboot inside the guest: its boot marker shows through the live console"
keys "echo r-\$(($tok+4))" Enter
see "^r-$((tok + 4))" 10 "and the console works after the reboot"
keys 'poweroff -f' Enter
see 'c1 shut down; the console comes back when it starts again' 20 "a guest that powers off is reported"
keys C-] s
see 'attached to c1 again' 20 "the menu's s starts it and the session attaches again by itself"
see 'VMTUI-GUEST-READY' 60 "and shows its boot"
keys C-] q
see '^ . c1 +running' 5 "back in the list, c1 running"
keys q
see 'VMTUI-EXITED 0' 10 "q quits"
done_testing

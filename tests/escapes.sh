#!/bin/sh
# What reaches the terminal from elsewhere: a VM renamed and described by
# another libvirt client with C1 controls, a right-to-left override and a
# zero-width character (what a definition on disk can hold), and names
# typed with escapes, OSC title changes and bytes that are not UTF-8.
# `vmtui list`, `info`, error messages and progress print them escaped
# (\u009b, \x1b), never as the bytes; --json keeps them exactly, as JSON
# escapes.  (Names with ESC and BEL, which only a daemon can hold, are in
# tests/daemon-uri.sh.)
. "${top_srcdir:-.}/tests/lib.sh"

client="$top_builddir/tests/virt-client"
# C1 CSI, a bidi override, a zero-width space, a BOM
evil=$(printf 'ev\302\23331m\342\200\256rtl\342\200\213zw\357\273\277')
shown='ev\\u009b31m\\u202ertl\\u200bzw\\ufeff'

expect 0 'Created VM "plain"' "a VM" create plain --no-disk --no-graphics
check "another client renames it with C1, bidi and invisible characters" "$client" rename plain "$evil"
check "  ... and gives it such a description" "$client" describe "$evil" "$(printf 'line one\nred\302\23331m \342\201\246isolated\342\201\251 end')"

run list
check "list exits 0" [ "$rc" -eq 0 ]
check "  ... prints the name with its characters escaped" grep -q "^$shown " "$T/out"
check "  ... and none of those bytes" raw_free "$T/out" "$T/err"
run list --json
check "list --json is still JSON, with the exact name" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert rows[0]["name"] == sys.argv[2], (rows[0]["name"], sys.argv[2])' "$T/out" "$evil"
check "  ... and no raw control or bidi byte" raw_free "$T/out"
run info "$evil"
check "info finds the VM by that name" [ "$rc" -eq 0 ]
check "  ... prints the name escaped" grep -q "^Name: *$shown\$" "$T/out"
check "  ... and the description's controls escaped, its newline kept" \
	sh -c "grep -q 'red\\\\u009b31m \\\\u2066isolated\\\\u2069 end' '$T/out' && grep -q 'line one' '$T/out'"
check "  ... with no raw byte left" raw_free "$T/out"
run info --json "$evil"
check "info --json keeps the description exactly" python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["description"] == "line one\nred\u009b31m \u2066isolated\u2069 end", d["description"]' "$T/out"

# The full-screen list and details pane show the same escapes.
if command -v tmux >/dev/null; then
	export TMUX_TMPDIR="$T"
	S=none
	tui_session 120
	see '^ . ev\\u009b31m\\u202ertl' 15 "the TUI lists the VM with the escapes shown as text"
	keys q
	see 'VMTUI-EXITED 0' 10 "the TUI quits"
fi

# Names typed by the user (or a script): errors echo them, escaped.
title=$(printf 'x\033]0;PWNED\007y')
expect 3 'no VM named "x\\x1b\]0;PWNED\\x07y"' "an unknown name with an OSC title change: the error shows it escaped" info "$title"
check "  ... and the terminal gets no escape" raw_free "$T/out" "$T/err"
expect 2 'control or invisible character' "such a name is refused for a new VM" create "$title"
check "  ... in a message without raw bytes" raw_free "$T/out" "$T/err"
notutf=$(printf 'bad\377\376name')
expect 3 'no VM named "bad\\xff\\xfename"' "a name that is not UTF-8: its bytes as numbers" info "$notutf"
check "  ... and the message is valid UTF-8" raw_free "$T/err"
expect 2 'unknown or incomplete option' "an unknown global option with an escape" "$(printf -- '--x\033[2J')" list
check "  ... is echoed escaped" raw_free "$T/err"
done_testing

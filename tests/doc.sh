#!/bin/sh
# The man page documents every command and every option the program has:
# the help output and the page must not drift apart.
. "${top_srcdir:-.}/tests/lib.sh"

page="$top_srcdir/doc/vmtui.1"
MANWIDTH=200 man -l "$page" 2>"$T/man.err" | col -b >"$T/page.txt"
check "the man page renders without warnings" [ -s "$T/page.txt" ] && [ ! -s "$T/man.err" ]
cmds=$("$VMTUI" help | sed -n 's/^  \([a-z-]*\)  .*/\1/p')
check "help lists the commands ($(echo $cmds | wc -w))" [ -n "$cmds" ]
for c in $cmds; do
	# the command's section: from its heading to the next "vmtui " heading
	awk -v c="vmtui $c" 'index($0, c) == 4 && ($0 ~ "^   " c "( |$)") { on = 1; print; next }
		on && /^   vmtui [a-z-]+/ { exit } on { print }' "$T/page.txt" >"$T/sec"
	check "man page has a section for \"$c\"" [ -s "$T/sec" ]
	for o in $("$VMTUI" help "$c" | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
		check "  ... documenting $c $o" grep -q -- "$o" "$T/sec"
	done
done
for o in --connect --config --timeout --version; do
	check "man page documents the global option $o" grep -q -- "$o" "$T/page.txt"
done
done_testing

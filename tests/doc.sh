#!/bin/sh
# The man page documents every command and every option the program has:
# the help output and the page must not drift apart.
. "${top_srcdir:-.}/tests/lib.sh"

page="$top_srcdir/doc/vmtui.1"
MANWIDTH=200 man -l "$page" 2>"$T/man.err" | col -b >"$T/page.txt"
check "the man page renders without warnings" [ -s "$T/page.txt" ] && [ ! -s "$T/man.err" ]
# commands are one word or two ("image import"), then two spaces or more
"$VMTUI" help | sed -n 's/^  \([a-z-]*\( [a-z-]*\)\{0,1\}\)  .*/\1/p' >"$T/cmds"
check "help lists the commands ($(wc -l <"$T/cmds"))" [ -s "$T/cmds" ]
while read -r c; do
	# the command's section: from its heading to the next "vmtui " heading
	awk -v c="vmtui $c" 'index($0, c) == 4 && ($0 ~ "^   " c "( |$)") { on = 1; print; next }
		on && /^   vmtui [a-z-]+/ { exit } on { print }' "$T/page.txt" >"$T/sec"
	check "man page has a section for \"$c\"" [ -s "$T/sec" ]
	# shellcheck disable=SC2086 # $c is one or two words
	for o in $("$VMTUI" help $c | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
		check "  ... documenting $c $o" grep -q -- "$o" "$T/sec"
	done
done <"$T/cmds"
for o in --connect --config --timeout --version; do
	check "man page documents the global option $o" grep -q -- "$o" "$T/page.txt"
done
done_testing

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
# backticked_paths FILE: what FILE names in backticks that looks like a
# path in the tree (a "/" or a file extension, no spaces, no "<...>",
# "NAME" or "*"), one a line, without a trailing "/"
backticked_paths() {
	grep -o '`[^`]*`' "$1" | tr -d '`' |
		grep -E '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]*)*$' |
		grep -E '/|\.[a-z0-9]+$' | grep -Ev '^[0-9.]+$|^\.\.?/' |
		grep -Ev '<|NAME|\*' | sed 's|/$||' | sort -u
}

# doc/HACKING.md: every path it names exists (built ones, such as the
# libraries, in the build tree)
backticked_paths "$top_srcdir/doc/HACKING.md" >"$T/hpaths"
check "HACKING.md names paths ($(wc -l <"$T/hpaths"))" [ -s "$T/hpaths" ]
missing=
while read -r p; do
	[ -e "$top_srcdir/$p" ] || [ -e "$top_builddir/$p" ] || missing="$missing $p"
done <"$T/hpaths"
check "every path HACKING.md names exists${missing:+ (missing:$missing)}" [ -z "$missing" ]
done_testing

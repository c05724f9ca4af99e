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
# every member of each --json object is in its command's section; the
# objects come from the test driver's VM and a small image of the store
section() {
	awk -v c="vmtui $1" 'index($0, c) == 4 && ($0 ~ "^   " c "( |$)") { on = 1; print; next }
		on && /^   vmtui [a-z-]+/ { exit } on { print }' "$T/page.txt"
}
json_members() {
	python3 -c '
import json, sys
def keys(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from keys(x)
    elif isinstance(v, list):
        for x in v:
            yield from keys(x)
print("\n".join(sorted(set(keys(json.load(sys.stdin))))))'
}
json_documented() { # "COMMAND" [ARGS...] (run with --json)
	c=$1
	shift
	section "$c" >"$T/sec"
	# shellcheck disable=SC2086 # $ENGINE is an option and its value, or
	# nothing; $c is one word or two
	if ! "$VMTUI" $ENGINE $c "$@" --json 2>"$T/json.err" | json_members >"$T/members"; then
		not_ok "$c --json runs and prints JSON"
		return
	fi
	check "$c --json has members ($(wc -l <"$T/members"))" [ -s "$T/members" ]
	while read -r m; do
		check "  ... the man page documents $m" grep -qw -- "$m" "$T/sec"
	done <"$T/members"
}
ENGINE="-c test:///default"
json_documented list
json_documented info test
ENGINE=
QI=${QEMU_IMG:-qemu-img}
if command -v "$QI" >/dev/null && "$QI" create -q -f qcow2 "$T/small.qcow2" 1M &&
	"$VMTUI" image import "$T/small.qcow2" --name small >/dev/null 2>&1; then
	json_documented "image list"
	json_documented "image info" small
else
	diag "no image in the store (qemu-img missing?): image list and info not checked"
fi
for o in --connect --config --timeout --version; do
	check "man page documents the global option $o" grep -q -- "$o" "$T/page.txt"
done
done_testing

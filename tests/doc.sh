#!/bin/sh
# The man page documents every command and every option the program has:
# the help output and the page must not drift apart.
. "${top_srcdir:-.}/tests/lib.sh"

page="$top_srcdir/doc/vmtui.1"
MANWIDTH=200 man -l "$page" 2>"$T/man.err" | col -b >"$T/page.txt"
check "the man page renders without warnings" eval '[ -s "$T/page.txt" ] && [ ! -s "$T/man.err" ]'
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
# README.md: its folder table matches the tree (each folder and each file
# a row names exists; each folder with a local.mk has a row), and no link
# leads out of the repository
readme="$top_srcdir/README.md"
sed -n '/^| folder | what |$/,/^$/p' "$readme" | sed '1,2d' | grep '^|' >"$T/table"
check "README has a folder table ($(wc -l <"$T/table") rows)" [ -s "$T/table" ]
missing=
while IFS= read -r row; do
	dir=$(printf '%s\n' "$row" | sed -n 's/^| `\([^`]*\)\/` |.*/\1/p')
	[ -n "$dir" ] || { missing="$missing [row: $row]"; continue; }
	[ -d "$top_srcdir/$dir" ] || missing="$missing $dir/"
	printf '%s\n' "$row" | sed 's/^|[^|]*|//' >"$T/row"
	for p in $(backticked_paths "$T/row"); do
		case $p in
		*/*) f=$p ;;
		*) f=$dir/$p ;;
		esac
		[ -e "$top_srcdir/$f" ] || [ -e "$top_builddir/$f" ] || missing="$missing $f"
	done
done <"$T/table"
check "every path the README's folder table names exists${missing:+ (missing:$missing)}" [ -z "$missing" ]
absent=
for mk in "$top_srcdir"/*/local.mk; do
	dir=$(basename "$(dirname "$mk")")
	grep -q "^| \`$dir/\` |" "$T/table" || absent="$absent $dir/"
done
check "every folder with a local.mk is in the README's table${absent:+ (absent:$absent)}" [ -z "$absent" ]
outside=$(grep -o '\](\.\./[^)]*)\|`\.\./[^`]*`\|\](/[^)]*)' "$readme")
check "no link in README.md leads out of the repository${outside:+ ($outside)}" [ -z "$outside" ]
done_testing

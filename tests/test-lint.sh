#!/bin/sh
# The test scripts themselves: no check whose condition the shell cuts
# short.  In `check "DESC" [ A ] && [ B ]` the shell runs `check "DESC"
# [ A ]`, then `[ B ]` on its own: B is never asserted.  Such a
# condition goes into eval '...' or sh -c "...".
. "${top_srcdir:-.}/tests/lib.sh"

# cut FILE...: the checks of FILE... cut short, one a line
cut_short() {
	python3 - "$@" <<'PY'
import re, sys
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        m = re.match(r'\s*check\s+"(?:[^"\\]|\\.)*"\s+(.*)$', line)
        if not m:
            continue
        rest = re.sub(r"'[^']*'", "S", re.sub(r'"(?:[^"\\]|\\.)*"', "S", m.group(1)))
        rest = re.sub(r"[\"'].*$", "", rest)  # a string going on to the next line
        if re.search(r"&&|\|\|", rest):
            print("%s:%d: %s" % (path.rsplit("/", 1)[-1], n, line.strip()))
PY
}

printf '%s\n' 'check "x" [ "$a" = 1 ] && [ "$b" = 2 ]' 'check "y" eval '"'"'[ 1 = 1 ] && [ 1 = 1 ]'"'"'' \
	'check "z" sh -c "[ 1 = 1 ] || true"' >"$T/sample.sh"
cut_short "$T/sample.sh" >"$T/sample.cut"
check "the scan finds a check cut short, and only that one" \
	eval '[ "$(wc -l <"$T/sample.cut")" -eq 1 ] && grep -q "sample.sh:1:" "$T/sample.cut"'
cut_short "$top_srcdir"/tests/*.sh >"$T/cut"
check "every check of the test scripts asserts its whole condition" [ ! -s "$T/cut" ]
[ -s "$T/cut" ] && diag "cut short:" "$(cat "$T/cut")"
done_testing

#!/bin/sh
# configure runs quietly and cleans up after itself, even though a source
# folder is named core/ (the checks' own "rm -f core" once failed on it,
# printed an error per check and left confdefs.h behind).
. "${top_srcdir:-.}/tests/lib.sh"

# A copy of what configure reads (the source tree may already be
# configured, and automake then refuses a build in another folder), with
# the core/ folder in it.
src="$T/src"
mkdir -p "$src/core"
cp -p "$top_srcdir/configure" "$top_srcdir/config.h.in" "$top_srcdir/Makefile.in" "$src/"
cp -p "$top_srcdir/core/engine.h" "$src/core/"
cp -Rp "$top_srcdir/build-aux" "$src/"
mkdir "$src/po"
for f in Makefile.in.in Makevars POTFILES.in LINGUAS; do
	cp -p "$top_srcdir/po/$f" "$src/po/"
done
# a distributed tree is read-only (make distcheck): the copy must not be
chmod -R u+w "$src"

(cd "$src" && ./configure -q >"$T/conf.out" 2>"$T/conf.err")
rc=$?
check "configure succeeds (exit $rc)" [ "$rc" -eq 0 ]
check "configure prints nothing on stderr" [ ! -s "$T/conf.err" ]
[ -s "$T/conf.err" ] && diag "$(sort "$T/conf.err" | uniq -c | head -n 5)"
check "the core/ folder is still there" [ -f "$src/core/engine.h" ]
left=$(cd "$src" && ls -d confdefs* conftest* 2>/dev/null)
check "configure leaves no confdefs.h or conftest file behind" [ -z "$left" ]
done_testing

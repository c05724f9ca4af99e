#!/bin/sh
# Translations: LANG=zh_CN.UTF-8 gives Chinese help, tables and errors;
# the zh_CN catalog covers every string in the sources; table columns stay
# aligned with double-width names.
. "${top_srcdir:-.}/tests/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "Bail out! the zh_CN.UTF-8 locale is missing (./setup.sh generates it)"
	exit 1
fi
# The program in the build folder, as ./setup.sh run starts it, finds the
# build's own catalog (po/locale/) with no VMTUI_LOCALEDIR.
unset VMTUI_LOCALEDIR
check "the build lays out its catalog in po/locale/" \
	[ -f "$top_builddir/po/locale/zh_CN/LC_MESSAGES/vmtui.mo" ]
LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 expect 0 '^用法' \
	"the program in the build folder speaks Chinese without VMTUI_LOCALEDIR" help
(cd "$top_builddir" && LC_ALL= LANG=zh_CN.UTF-8 ./vmtui -c test:///default info ghost) >"$T/out" 2>"$T/err"
check "... started as ./vmtui with only LANG set (its errors too)" grep -q '没有名为“ghost”的虚拟机' "$T/err"

mkdir -p "$T/locale/zh_CN/LC_MESSAGES"
msgfmt -c -o "$T/locale/zh_CN/LC_MESSAGES/vmtui.mo" "$top_srcdir/po/zh_CN.po"
check "zh_CN.po compiles" [ $? -eq 0 ]
export VMTUI_LOCALEDIR="$T/locale"

LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 expect 0 '^用法' "LANG=zh_CN.UTF-8 vmtui help prints Chinese" help
check "command summaries are translated" grep -q '列出虚拟机' "$T/out"
LC_ALL=zh_CN.UTF-8 expect 3 '没有名为“ghost”的虚拟机' "errors are translated" -c test:///default info ghost
LC_ALL=zh_CN.UTF-8 expect 0 '^名称 +状态 +虚拟CPU +内存' "list headings are translated" -c test:///default list
LC_ALL=C expect 0 '^Usage' "LANG=C stays English" help

# Every translatable string in the sources is translated.
cd "$top_srcdir" || exit 1
xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 \
	--files-from=po/POTFILES.in -o "$T/now.pot" 2>"$T/xg" 
check "the sources' strings extract" [ -s "$T/now.pot" ]
missing=$(ls core/*.c cmd/*.c tui/*.c console/*.c images/*.c templates/*.c net/*.c storage/*.c 2>/dev/null | xargs grep -l '_("' | while read -r f; do
	grep -qx "$f" po/POTFILES.in || echo "$f"
done | tr '\n' ' ')
check "po/POTFILES.in lists every source with translatable strings${missing:+ (missing: $missing)}" \
	[ -z "$missing" ]
msgcmp po/zh_CN.po "$T/now.pot" >"$T/cmp" 2>&1
check "zh_CN.po translates every string in the sources" [ $? -eq 0 ]
[ -s "$T/cmp" ] && diag "$(head -n 20 "$T/cmp")"
stats=$(msgfmt --statistics -o /dev/null po/zh_CN.po 2>&1)
check "no untranslated or fuzzy entries ($stats)" \
	sh -c "echo '$stats' | grep -Eq '^[0-9]+ translated messages\.$'"
cd - >/dev/null || exit 1

# Alignment: the state column starts in the same terminal cell on every row.
"$VMTUI" create "测试机" --no-disk >/dev/null && "$VMTUI" create "a" --no-disk >/dev/null
LC_ALL=zh_CN.UTF-8 run list
check "list with a CJK name keeps the state column aligned" python3 -c '
import sys, unicodedata
def cells(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
starts = set()
for l in rows:
    name = l.split(" ")[0]
    rest = l[len(name):]
    starts.add(cells(name) + len(rest) - len(rest.lstrip(" ")))
assert len(starts) == 1, (starts, rows)' "$T/out"
done_testing

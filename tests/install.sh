#!/bin/sh
# make install puts the program, its catalogs, its man page and its bash
# completion where they belong, and the completion completes commands.
. "${top_srcdir:-.}/tests/lib.sh"

D="$T/dest"
(cd "$top_builddir" && ${MAKE:-make} -s install DESTDIR="$D" >"$T/install.log" 2>&1)
rc=$?
check "make install DESTDIR=... succeeds (exit $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag "$(tail -n 5 "$T/install.log")"
find "$D" -type f >"$T/files"

# installed FILE DESC: a file whose path ends in FILE was installed
installed() {
	check "installs $2" grep -q -- "/$1\$" "$T/files"
}
installed bin/vmtui "the program (bin/vmtui)"
check "... executable" sh -c "test -x \"\$(grep '/bin/vmtui\$' '$T/files')\""
installed share/locale/zh_CN/LC_MESSAGES/vmtui.mo "the zh_CN catalog"
installed share/man/man1/vmtui.1 "the man page"
installed bash-completion/completions/vmtui "the bash completion"
installed pam.d/vmtui "the broker's PAM service"
installed systemd/system/vmtui-serve.service "the broker's systemd unit"
unit=$(grep '/vmtui-serve.service$' "$T/files")
check "  ... which starts the installed program" sh -c "grep -q '^ExecStart=/.*/bin/vmtui -c qemu:///system serve' '$unit'"

comp=$(grep '/bash-completion/completions/vmtui$' "$T/files")
bin=$(grep '/bin/vmtui$' "$T/files")
if [ -n "$comp" ] && [ -n "$bin" ] && command -v bash >/dev/null; then
	# completes WORDS...: what the completion offers for the last word,
	# in $T/comp
	cat >"$T/complete.bash" <<'SH'
. "$1"
shift
PATH=$(dirname "$VMTUI_BIN"):$PATH
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
f=$(complete -p vmtui | sed -n 's/.*-F \([^ ]*\) vmtui$/\1/p')
[ -n "$f" ] || { echo "no completion function for vmtui"; exit 1; }
"$f"
printf '%s\n' "${COMPREPLY[@]}"
SH
	completes() { VMTUI_BIN=$bin bash "$T/complete.bash" "$comp" "$@" >"$T/comp" 2>&1; }
	completes vmtui sta
	check "the completion completes \"vmtui sta\" to start" [ "$(cat "$T/comp")" = start ]
	completes vmtui image i
	check "... \"vmtui image i\" to import and info" [ "$(sort "$T/comp" | tr '\n' ' ')" = "import info " ]
	completes vmtui delete --re
	check "... \"vmtui delete --re\" to --remove-disks" [ "$(cat "$T/comp")" = --remove-disks ]
	completes vmtui -c test:///default start ''
	check "... a VM name after \"start\"" grep -qx test "$T/comp"
else
	not_ok "the completion and the program are installed, and bash is there"
fi

(cd "$top_builddir" && ${MAKE:-make} -s uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1)
check "make uninstall removes every file it installed" [ -z "$(find "$D" -type f)" ]
done_testing

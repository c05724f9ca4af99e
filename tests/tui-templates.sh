#!/bin/sh
# The templates view and the lab wizard, driven through tmux like a
# teacher would: t makes a template of a shut-off VM, T lists it, Enter
# opens the Provision form whose VMs boot (TCG) with the host names and
# user their seeds give; the form refuses names that clash or do not
# match the count; e edits a template, d refuses while clones use it and
# deletes after y; n makes a template of a disk image; x exports an OVA;
# the Provision form gives administrator rights only when asked;
# a destructive command typed at ":" asks first.
. "${top_srcdir:-.}/tests/lib.sh"

QEMU_IMG=${QEMU_IMG:-qemu-img}
for tool in tmux mkfs.ext4 cpio xorriso python3; do
	command -v "$tool" >/dev/null ||
		{ echo "Bail out! $tool is missing (./setup.sh test installs it)"; exit 1; }
done
guest_kit
export TMUX_TMPDIR="$T"
DISKS=$XDG_DATA_HOME/vmtui/disks
TPLS=$XDG_DATA_HOME/vmtui/templates

# --- a shut-off VM on an ext4 disk made from the kit ------------------------
mkdir "$T/root"
(cd "$T/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
: >"$T/root/.vmtui-disk"
mkfs.ext4 -q -F -d "$T/root" "$T/root.raw" 64M &&
	"$QEMU_IMG" convert -q -f raw -O qcow2 "$T/root.raw" "$T/root.qcow2"
expect 0 'Created VM "src"' "a shut-off VM on a disk built from the kit" \
	create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
	--memory 256M --disk "$T/root.qcow2" --no-graphics
expect 0 'Created VM "lab-9"' "a VM whose name the lab would take" create lab-9 --no-disk --no-graphics

fresh_session -x 120 -y 36 \
	"env LC_ALL=C.UTF-8 XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
	VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'; echo VMTUI-EXITED \$?; sleep 60"
see '^ . src +shut off' 15 "the list shows the VM"
see 'T templates' 1 "the hint line offers the templates view"

# --- t: a template of the selected VM ----------------------------------------
keys T
see 'No templates yet\. n makes one' 5 "T opens the templates view, empty at first"
keys q
see '^ . src +shut off' 5 "q goes back to the VMs"
keys j t
see 'New template' 5 "t opens the New template form"
see 'Name +\[src-template\]' 1 "  ... named after the VM"
see 'VM +\[src\]' 1 "  ... made from it"
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
keys 'k/t' Tab
see 'A template name may only hold letters, digits' 3 "a name with a slash is refused in the form"
keys Up BSpace BSpace BSpace kit Tab Tab Tab 'kit disk' Enter
see 'New template: summary' 3 "Enter on the last field shows the summary"
keys Enter
see 'Created template "kit" from src' 60 "Enter makes it; the report shows"
# a report of several lines opens in the pager
screen | grep -q 'q: back' && keys q
keys T
see '^ kit +1 +1 +256 MiB .* 0 +kit disk' 10 "the view lists it: version, vCPUs, memory, no VMs yet"
see 'Source: +vm:src' 1 "  ... and its details show where it came from"

# --- Enter: the lab wizard ----------------------------------------------------
keys Enter
see 'New VMs from template "kit"' 5 "Enter opens the Provision form"
see 'Names +\[lab-1\]' 1 "  ... one VM, named lab-1, by default"
keys BSpace 3
see 'Names +\[lab-\{1\.\.3\}\]' 2 "three VMs: the names follow the count"
keys Tab BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 'lab-{1..2}' Tab
see 'The names make 2 VMs, not 3\.' 3 "names that do not match the count are refused"
keys Up BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 'lab-{7..9}' Tab
see 'A VM named "lab-9" already exists\.' 3 "a name that is taken is refused"
keys Up BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 'lab_{1..3}' Tab
see '"lab_1" is not a valid host name' 3 "a name that cannot be a host name is refused (it becomes the guest's)"
keys Up BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 'lab-{18446744073709551615..18446744073709551615}' Tab
see '\]  "lab-\{18446744073709551615\.\.1844' 3 "a range at the end of the numbers is refused at once (the wizard froze on it)"
# shellcheck disable=SC2046
keys Up $(printf 'BSpace %.0s' $(seq 50)) 'lab-{1..3}' Tab
keys Tab student Tab s3cret-pw Tab Tab Tab Tab
see 'Administrator +< no >' 2 "administrator rights are a choice, no by default"
keys Space Tab
see 'Administrator +\[yes\]|Administrator +< yes >' 2 "  ... which can be given"
see 'Network +\[nat\]' 1 "each VM's network is nat by default"
keys F2
see 'nat +NAT: reaches out' 5 "F2 on the Network field lists the networks"
see 'none +no network interface' 1 "  ... down to none"
keys Escape BSpace BSpace BSpace 'wifi:x' Tab
see '"wifi:x" is not a network mode: use nat, lab:NAME' 3 "a mode vmtui does not know is refused inline, with the command line's message"
keys BTab
# shellcheck disable=SC2046
keys $(printf 'BSpace %.0s' $(seq 20)) nat Tab Space
see 'Password +\[\*{9}\]' 2 "the password is shown as stars"
see 'Start them +< yes >' 1 "the VMs can be started once made"
keys Up Up Up Up Up Up Up Up Up Up
keys BSpace 2 Tab BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace 'lab-{1..2}'
keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Enter
see 'Makes 2 VMs: lab-1 to lab-2\.' 3 "the summary says which VMs it makes"
keys Enter
see 'Started VM "lab-2"' 60 "Enter makes and starts them; the report lists each"
see 'Created VM "lab-1" \(address [0-9.]+\)' 1 "  ... with its lab address"
keys q
see '^ kit +1 +1 +256 MiB .* 2 +kit disk' 10 "the view counts the two linked clones"
see 'Used by: +lab-1, lab-2' 1 "  ... and names them"
# booted NAME: a serial log (one per VM) shows NAME's seed was read
booted() {
	i=0
	while [ $i -lt 900 ]; do
		cat "$XDG_DATA_HOME"/vmtui/logs/*-serial.log 2>/dev/null |
			grep -q "VMTUI-GUEST-NOCLOUD hostname=$1 user=student" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
for n in lab-1 lab-2; do
	check "$n boots with the host name and user its seed gives" booted $n
done
xorriso -osirrox on -indev "$(ls "$DISKS"/lab-1-*-seed.iso)" -extract /user-data "$T/ud" >/dev/null 2>&1
hash=$(sed -n 's/^ *passwd: "\(.*\)"$/\1/p' "$T/ud")
check "the seed gives the user sudo, as chosen" grep -q '^    sudo: "ALL=(ALL) NOPASSWD:ALL"$' "$T/ud"
check "the seed carries a SHA-512 hash of the typed password, not the password" \
	sh -c "case '$hash' in '\$6\$'*) ;; *) exit 1;; esac && ! grep -q s3cret-pw '$T/ud' &&
		python3 -W ignore -c 'import crypt,sys; sys.exit(crypt.crypt(\"s3cret-pw\", sys.argv[1]) != sys.argv[1])' '$hash'"

keys Enter
see 'New VMs from template "kit"' 5 "the form opens again"
keys Escape
see 'No VM was made\.' 3 "Esc leaves it and says nothing was made"

# --- e, d ---------------------------------------------------------------------
keys e
see 'Edit template "kit"' 5 "e opens the Edit template form"
keys Tab BSpace 2 Tab Tab Tab Tab Tab Enter
see 'Edit template "kit": summary' 3 "  ... with its summary"
keys Enter
see 'Changed template "kit" \(now version 2\)' 10 "the change is applied"
see '^ kit +2 +2 +256 MiB' 5 "  ... the view shows version 2 with 2 vCPUs"
expect 0 '"name": "kit", "version": 2, "vcpus": 2' "  ... the manifest says so" template list --json
keys e
see 'Edit template "kit"' 5 "e again"
keys Tab Tab Tab Tab Tab Tab Enter Enter
see 'Nothing was changed\.' 5 "  ... with nothing changed says so and writes nothing"
expect 0 '"name": "kit", "version": 2,' "  ... the version stays 2" template list --json
keys d
see 'Delete template "kit" and its base image\? \[y/N\]' 3 "d asks first"
keys y Enter
see 'in use by 2 VMs: lab-1, lab-2' 10 "  ... and is refused while clones use it, naming them"
check "  ... its base image is still there" [ -f "$TPLS/kit/base.qcow2" ]

# --- ":" asks before destructive commands ---------------------------------------
keys : 'destroy lab-2' Enter
see 'Run "destroy lab-2"\? It cannot be undone\. \[y/N\]' 3 "a destructive command at : asks first"
keys n Enter
see 'Cancelled; nothing was done\.' 3 "  ... n leaves it alone"
check "  ... lab-2 still runs" kill -0 "$(qemu_pid lab-2)"
keys : "lab delete 'lab-*'" Enter
see "Run \"lab delete 'lab-\*'\"\? It deletes what it names\. \[y/N\]" 3 "lab delete asks too"
keys y Enter
see 'Removed seed .*lab-2-' 30 "  ... y deletes the lab and reports it"
keys q
see '^ kit +2 +2 +256 MiB .* 0 +kit disk' 10 "the view no longer counts clones"

# --- x: an OVA of the template ------------------------------------------------------
keys x
see 'Export as OVA to: ~/kit\.ova' 3 "x asks where to write the OVA"
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "$T/kit.ova" Enter
see "Exported template \"kit\" to $T/kit\\.ova" 60 "  ... and writes it"
see 'boots a kernel directly' 1 "  ... saying the kernel is not in the OVA"
check "  ... a tar with the OVF, the disk and the manifest" \
	sh -c "tar tf '$T/kit.ova' | grep -q '\.ovf\$' && tar tf '$T/kit.ova' | grep -q '\.vmdk\$' &&
		tar tf '$T/kit.ova' | grep -q '\.mf\$'"
screen | grep -q 'q: back' && keys q
# export_to PATH: x, then PATH instead of the path offered
export_to() {
	keys x
	see 'Export as OVA to: ~/kit\.ova' 3 "x again"
	keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "$1" Enter
}
echo "not an OVA" >"$T/kit.ova"
export_to "$T/kit.ova"
see "$T/kit\\.ova exists\\. Replace it\\? \\[y/N\\]" 3 "  ... onto a file that exists, it asks before replacing it"
keys n Enter
see 'Nothing was exported\.' 3 "  ... n leaves it"
check "  ... as it was" grep -qx "not an OVA" "$T/kit.ova"
export_to "$T/kit.ova"
see "Replace it\\? \\[y/N\\]" 3 "  ... asked again"
keys y Enter
see "Exported template \"kit\" to $T/kit\\.ova" 60 "  ... y replaces it"
check "  ... with the OVA" sh -c "tar tf '$T/kit.ova' | grep -q '\.ovf\$'"
screen | grep -q 'q: back' && keys q
mkfifo "$T/pipe.ova"
export_to "$T/pipe.ova"
see 'pipe\.ova exists and is not a regular file' 10 "  ... onto a FIFO, the refusal shows, without a question"
check "  ... and it stays a FIFO" [ -p "$T/pipe.ova" ]
ln -s "$T/root.qcow2" "$T/link.ova"
export_to "$T/link.ova"
see 'link\.ova is a symbolic link' 10 "  ... onto a symbolic link, too"
check "  ... the file it points to unchanged" cmp -s "$T/root.qcow2" "$T/link.ova"
screen | grep -q 'q: back' && keys q

# --- n: a template of a disk image ------------------------------------------------
keys n
see 'New template' 5 "n opens the New template form"
keys img Tab Right Tab "$T/root.qcow2" Tab Enter
see 'Made from +\[a disk image\]' 3 "  ... made from a disk image"
keys Enter
see 'Created template "img" from ' 60 "  ... and makes it"
screen | grep -q 'q: back' && keys q
see '^ img +1 +1 ' 10 "the view lists both templates"
keys d
see 'Delete template "img"' 3 "d on the second one asks"
keys y Enter
see 'Deleted template "img"\.' 10 "  ... y deletes it"
check "  ... with its base image" [ ! -e "$TPLS/img" ]

keys q q
see 'VMTUI-EXITED 0' 10 "q leaves the view, q quits"

# --- [keys] rebinds the templates view's keys; messages name the key in force --
mkdir -p "$XDG_CONFIG_HOME/vmtui"
printf '[keys]\ndelete-template = X\nreload = ^R\nstart = ^S\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
templates_tui() {
	fresh_session -x 120 -y 36 \
		"env $* XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
		VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'; echo VMTUI-EXITED \$?; sleep 60"
}
templates_tui LC_ALL=C.UTF-8
see '^ . src +shut off' 15 "[keys]: the list again"
keys g c
see 'src is not running: start it first \(\^S\)' 3 "a message names the key the user bound, not the default"
keys T
see '^ kit +2 ' 10 "the templates view"
see ' X delete template .* \^R reload ' 1 "its hint line shows the keys [keys] gave its actions"
keys '?'
see '^ +X +Delete +Delete the selected template' 3 "its help lists them, with the new keys"
check "  ... and only the actions of this view" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'Quit (VMs keep running)'"
keys q d
sleep 1
check "the old key d no longer deletes" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'Delete template'"
keys X
see 'Delete template "kit" and its base image\? \[y/N\]' 3 "the rebound key X asks to delete"
keys n Enter
see 'Nothing was deleted\.' 3 "  ... and n keeps it"
keys m
see '│ +delete template +X +│' 3 "the menu lists the view's actions with their keys"
keys Escape q q
see 'VMTUI-EXITED 0' 10 "quits"
rm -f "$XDG_CONFIG_HOME/vmtui/vmtui.conf"

# --- zh_CN: the templates view's columns by display cells ---------------------------
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	mkdir -p "$T/locale/zh_CN/LC_MESSAGES"
	msgfmt -o "$T/locale/zh_CN/LC_MESSAGES/vmtui.mo" "$top_srcdir/po/zh_CN.po"
	templates_tui LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 VMTUI_LOCALEDIR="$T/locale"
	see '^ . src ' 15 "zh_CN: the list"
	keys T
	see '^ kit +2 ' 10 "zh_CN: the templates view"
	check "zh_CN: each value of a template starts under its heading (cells, not bytes)" \
		sh -c "tmux capture-pane -p -t '$S' | python3 -c '
import sys, unicodedata
def cells(s):
    return sum(2 if unicodedata.east_asian_width(c) in \"WF\" else 1 for c in s)
lines = sys.stdin.read().split(\"\n\")
head = next(l for l in lines if \"内存\" in l and \"磁盘\" in l)
row = next(l for l in lines if l.startswith(\" kit \"))
for h, v in ((\"内存\", \"256 MiB\"), (\"描述\", \"kit disk\")):
    a, b = cells(head[:head.index(h)]), cells(row[:row.index(v)])
    assert a == b, (h, a, b)
'"
	keys q q
	see 'VMTUI-EXITED 0' 10 "zh_CN: quits"
fi
done_testing

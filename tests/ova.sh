#!/bin/sh
# OVA import and export, end to end on the embedded engine.
#
# Round trip: a VM with a disk the test builds (an ext4 file system made by
# mkfs.ext4 -d, holding a marker file) is exported to an OVA; the OVA is
# checked as a tar other tools can read (OVF first, streamOptimized VMDK,
# SHA256 manifest); it is imported as a new VM, which must have the same
# vCPUs, memory, firmware, NIC and a disk with the same content; then a
# guest boots with the kit's kernel and the imported disk attached, and
# its shell, driven through `vmtui console`, mounts the disk and prints the
# marker file.
#
# Hostile input (tests/ova-craft.py builds each case with Python's
# tarfile): every case is refused with a message naming the problem, and
# nothing is left behind: no VM, no disk, no staging folder, and no file
# written where the hostile entry aimed (a canary file that must keep its
# content, and the paths a "../x" or an absolute entry would reach).
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
command -v python3 >/dev/null || { echo "Bail out! python3 is missing"; exit 1; }
command -v strace >/dev/null || { echo "Bail out! strace is missing (./setup.sh test installs it)"; exit 1; }
command -v mkfs.ext4 >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v mkfs.ext4 >/dev/null || { echo "Bail out! mkfs.ext4 (e2fsprogs) is missing"; exit 1; }
guest_kit
DATA="$XDG_DATA_HOME/vmtui"
S="vmtui-ova-$$"
export TMUX_TMPDIR="$T"

# ---- a VM with a disk of our own ------------------------------------------
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
mkdir -p "$T/tree/etc" "$T/work"
echo "VMTUI-OVA-DISK-$tok" >"$T/tree/marker"
echo "ova test" >"$T/tree/etc/motd"
mkfs.ext4 -q -F -d "$T/tree" -L ovatest "$T/disk.raw" 32M >"$T/mkfs.log" 2>&1
check "mkfs.ext4 -d builds a small disk" [ -s "$T/disk.raw" ]
"$QEMU_IMG" convert -f raw -O qcow2 "$T/disk.raw" "$T/disk.qcow2"
expect 0 'Created VM "orig"' "create a VM with that disk, 2 vCPUs, 320 MiB" \
	create orig --disk "$T/disk.qcow2" --disk-format qcow2 --vcpus 2 --memory 320M \
	--kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --no-graphics

# ---- export -------------------------------------------------------------
expect 0 'Exported VM "orig" to .*orig.ova' "ova export writes the OVA" \
	ova export orig "$T/orig.ova"
tar tf "$T/orig.ova" >"$T/list" 2>&1
check "tar reads it: orig.ovf first, then the disk, then the manifest" \
	[ "$(tr '\n' ' ' <"$T/list")" = "orig.ovf orig-disk1.vmdk orig.mf " ]
ls -a "$T" | grep -q '^\.orig\.ova\.' && not_ok "no temporary file left beside it" || ok "no temporary file left beside it"
mkdir "$T/ext" && (cd "$T/ext" && tar xf "$T/orig.ova")
check "the disk is a streamOptimized VMDK" \
	sh -c "'$QEMU_IMG' info -f vmdk '$T/ext/orig-disk1.vmdk' | grep -q 'create type: streamOptimized'"
check "the manifest's SHA256 digests are right" \
	sh -c "cd '$T/ext' && sed -n 's/^SHA256(\(.*\))= \(.*\)/\2  \1/p' orig.mf | sha256sum -c --quiet -"
check "the descriptor is OVF 1.0 (xmllint reads it, namespace envelope/1)" \
	sh -c "xmllint --noout '$T/ext/orig.ovf' && grep -q 'xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"' '$T/ext/orig.ovf'"
check "and declares 2 CPUs and 320 MB" \
	sh -c "grep -q '<rasd:VirtualQuantity>2</rasd:VirtualQuantity>' '$T/ext/orig.ovf' && grep -q '<rasd:VirtualQuantity>320</rasd:VirtualQuantity>' '$T/ext/orig.ovf'"
# ---- what is at the target ---------------------------------------------------
# Nothing but a regular file is replaced, and that only with --force; a
# symbolic link is neither followed nor replaced.  Each refusal comes
# before the work, and leaves no temporary file or staging folder.
echo "outside" >"$T/outside.txt"
ln -s "$T/outside.txt" "$T/link.ova"
mkfifo "$T/fifo.ova"
mknod "$T/null.ova" c 1 3
echo "an older OVA" >"$T/old.ova"
expect 0 'Created template "tpl"' "a template of the VM, for ova export --template" \
	template create tpl --from-vm orig
# target_refused DESC TEST PATTERN ARGS...: ova export ARGS exits 2 with
# PATTERN, TEST (a test(1) expression) still holds, nothing is left
target_refused() {
	desc=$1 what=$2 pat=$3
	shift 3
	run_at_once() { timeout 30 "$VMTUI" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
	run_at_once ova export "$@"
	# shellcheck disable=SC2086 # $what is a test expression
	if [ "$rc" = 2 ] && grep -Eq -- "$pat" "$T/err" && test $what &&
		[ "$(cat "$T/outside.txt")" = outside ] && [ "$(cat "$T/old.ova")" = "an older OVA" ] &&
		[ -z "$(ls -A "$T" | grep '^\.[a-z]*\.ova\.')$(ls -A "$DATA/staging" 2>/dev/null)" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "ova export $* -> exit $rc:" "$(cat "$T/out" "$T/err")" "$(ls -la "$T")"
	fi
}
for force in "" --force; do
	for tpl in "" --template; do
		src=orig
		[ -n "$tpl" ] && src=tpl
		target_refused "ova export $tpl $force onto a symbolic link: refused, the link and its file untouched" \
			"-L $T/link.ova" 'link.ova is a symbolic link: an OVA is written neither through one nor over it' \
			$tpl $force $src "$T/link.ova"
		target_refused "ova export $tpl $force onto a FIFO: refused at once, it stays a FIFO" \
			"-p $T/fifo.ova" 'fifo.ova exists and is not a regular file' $tpl $force $src "$T/fifo.ova"
		target_refused "ova export $tpl $force onto a device node: refused, it stays one" \
			"-c $T/null.ova" 'null.ova exists and is not a regular file' $tpl $force $src "$T/null.ova"
	done
	target_refused "ova export --template $force onto a folder: refused" \
		"-d $T/tree" 'tree exists and is not a regular file' --template $force tpl "$T/tree"
done
target_refused "ova export onto a file that exists, without --force: refused, the file unchanged" \
	"-f $T/old.ova" 'old.ova exists: give --force to replace it' orig "$T/old.ova"
target_refused "  ... the same for --template" "-f $T/old.ova" 'old.ova exists: give --force' \
	--template tpl "$T/old.ova"
cp "$T/old.ova" "$T/old2.ova"
expect 0 'Exported VM "orig" to .*old\.ova' "with --force, it is replaced" ova export --force orig "$T/old.ova"
check "  ... by the OVA" sh -c "tar tf '$T/old.ova' | grep -q '^orig.ovf$'"
expect 0 'Exported template "tpl" to .*old2\.ova' "  ... and with --template --force too" \
	ova export --template --force tpl "$T/old2.ova"
check "  ... by the template's OVA" sh -c "tar tf '$T/old2.ova' | grep -q '^tpl.ovf$'"
rm -f "$T/old.ova" "$T/old2.ova" "$T/link.ova" "$T/fifo.ova" "$T/null.ova" "$T/outside.txt"
expect 0 'Deleted template "tpl"' "(the template goes)" template delete tpl

"$VMTUI" start orig >/dev/null 2>&1
expect 4 'not shut off: shut it down' "a running VM is not exported" ova export orig "$T/run.ova"
check "and no file is written for it" [ ! -e "$T/run.ova" ]
"$VMTUI" destroy orig >/dev/null 2>&1
# a failed export leaves the file it would replace as it was
"$QEMU_IMG" create -q -f qcow2 "$T/gone.qcow2" 16M
"$VMTUI" create gone --disk "$T/gone.qcow2" --disk-format qcow2 --no-graphics >/dev/null 2>&1
rm -f "$T/gone.qcow2"
echo "an older OVA" >"$T/old.ova"
expect 3 'gone\.qcow2' "exporting a VM whose disk is gone fails, naming the disk" \
	ova export --force gone "$T/old.ova"
check "and the file it would replace is unchanged" grep -qx "an older OVA" "$T/old.ova"
check "with no temporary file or staging folder left" \
	[ -z "$(ls -A "$T" | grep '^\.old\.ova')$(ls -A "$DATA/staging" 2>/dev/null)" ]
"$VMTUI" delete gone >/dev/null 2>&1

# ---- hostile OVAs ---------------------------------------------------------
echo "canary $tok" >"$T/canary"
chmod 600 "$T/canary"
sum_before=$(sha256sum <"$T/canary")
"$QEMU_IMG" create -q -f qcow2 -u -b "$T/canary" -F raw "$T/backing.qcow2" 1G
python3 "$top_srcdir/tests/ova-craft.py" "$T/orig.ova" "$T/cases" "$T/canary" \
	"$T/backing.qcow2" >"$T/craft.log" 2>&1
check "tests/ova-craft.py builds the hostile cases" [ -s "$T/cases/tar-dotdot.ova" ]

# hostile CASE REGEX: importing CASE fails with REGEX and leaves nothing
hostile() {
	(cd "$T/work" && "$VMTUI" ova import "$T/cases/$1.ova" --name evil >"$T/out" 2>"$T/err")
	rc=$?
	if [ "$rc" -ne 0 ] && grep -Eq -- "$2" "$T/err"; then
		ok "$1 refused: $(sed 's/^vmtui: //' "$T/err" | head -c 110)"
	else
		not_ok "$1 refused with /$2/"
		diag "exit $rc:" "$(cat "$T/out" "$T/err")"
	fi
	left=$(find "$DATA" -path "$DATA/log" -prune -o -path "$DATA/logs" -prune -o \
		-type f -print 2>/dev/null; ls -A "$T/work"; ls -A "$DATA/staging" 2>/dev/null)
	"$VMTUI" list >"$T/list" 2>&1
	if [ -z "$left" ] && ! grep -q '^evil ' "$T/list" && [ ! -e "$T/x" ] &&
		[ ! -e "$T/canary.abs" ] && [ ! -e "$T/cases/x" ] &&
		[ "$(sha256sum <"$T/canary")" = "$sum_before" ]; then
		ok "  ... nothing written: no VM, no disk, no staging, canary intact"
	else
		not_ok "  ... nothing written"
		diag "left: $left" "$(cat "$T/list")" "$(ls -la "$T")"
	fi
}
hostile tar-dotdot 'OVA entry "\.\./x": a path outside the archive: refused'
hostile tar-dotdot-inner 'OVA entry "a/\.\./\.\./x": a path outside the archive'
hostile tar-absolute 'OVA entry "/.*canary\.abs": an absolute path: refused'
hostile tar-subfolder 'OVA entry "dir/orig-disk1\.vmdk": a file in a folder'
hostile tar-symlink 'OVA entry "orig-disk1\.vmdk": a symbolic link: refused'
hostile tar-symlink-dir 'OVA entry "d": a symbolic link: refused'
hostile tar-hardlink 'OVA entry "orig-disk1\.vmdk": a hard link to ".*canary": refused'
hostile tar-device 'OVA entry "null": a device node: refused'
hostile tar-blockdev 'OVA entry "sda": a device node: refused'
hostile tar-fifo 'OVA entry "fifo": a FIFO: refused'
hostile tar-duplicate 'OVA entry "orig-disk1\.vmdk": a name that appears twice: refused'
hostile tar-newline 'OVA entry "disk\\n\.vmdk": a name with control characters: refused'
hostile tar-size-bomb 'OVA entry "orig-disk1\.vmdk": 1\.0 TiB of data, more than the whole archive holds: refused'
hostile tar-no-ovf 'The OVA has no \.ovf descriptor'
hostile ovf-xxe 'OVF descriptor has a DOCTYPE or an entity declaration: refused'
hostile ovf-billion-laughs 'OVF descriptor has a DOCTYPE or an entity declaration: refused'
hostile ovf-href-dotdot 'OVF file reference "\.\./x": a path outside the archive: refused'
hostile ovf-href-device 'OVF file reference "/dev/sda": an absolute path: refused'
hostile ovf-href-url 'OVF file reference "http://192\.0\.2\.1/x\.vmdk": a URL'
hostile ovf-href-missing 'OVF file reference "missing\.vmdk": no such file in the OVA: refused'
hostile ovf-capacity 'OVF disk capacity "1152921504606846976" .*more than vmtui takes'
hostile ovf-capacity-units 'OVF disk capacity .*units "byte \* 2\^50".*more than vmtui takes'
hostile ovf-not-xml 'OVF descriptor is not well-formed XML'
hostile mf-sha256 'Manifest: the SHA256 digest of "orig-disk1\.vmdk" does not match: refused'
hostile mf-sha1 'Manifest: the SHA1 digest of "orig-disk1\.vmdk" does not match: refused'
hostile mf-malformed 'Manifest line 1 is not'
hostile mf-missing-file 'Manifest entry "ghost\.vmdk": no such file in the OVA: refused'
hostile vmdk-descriptor 'OVA disk "orig-disk1\.vmdk": a VMDK descriptor that refers to other files: refused'
hostile vmdk-capacity0 'OVA disk "orig-disk1\.vmdk": a VMDK whose embedded descriptor'
hostile disk-backing-file 'OVA disk "orig-disk1\.vmdk": .* has a backing file \(.*canary\): refused'
# not a tar at all: gzip of the good OVA (the reader takes tar only)
gzip -c "$T/orig.ova" >"$T/cases/gzipped.ova"
hostile gzipped 'not a readable OVA \(a tar archive\)'

# strace: the file the XXE names is never opened, and no link of any kind
# is made, whatever the hostile entry asks for
for c in ovf-xxe tar-symlink tar-hardlink tar-dotdot tar-absolute; do
	(cd "$T/work" && strace -f -qq -e trace=%file -o "$T/strace.log" \
		"$VMTUI" ova import "$T/cases/$c.ova" --name evil >/dev/null 2>&1)
	if [ -s "$T/strace.log" ] && ! grep -q "$T/canary[.a-z]*\"" "$T/strace.log" &&
		! grep -Eq '^[0-9]+ +(link|linkat|symlink|symlinkat|mknod|mknodat)\(' "$T/strace.log"; then
		ok "$c: strace shows the canary never touched and no link made"
	else
		not_ok "$c: strace shows the canary never touched and no link made"
		diag "$(grep -E "canary|link|mknod" "$T/strace.log" | head -n 5)"
	fi
done

mkfifo "$T/fifo.ova"
expect 2 'fifo.ova is not a regular file' "a FIFO is refused without waiting for a writer" \
	ova import "$T/fifo.ova"
expect 3 'Cannot read .*nosuch.ova' "a missing OVA is reported as such" ova import "$T/nosuch.ova"

# ---- import ---------------------------------------------------------------
expect 0 'Imported VM "copy" from .*orig.ova' "ova import makes a new VM" \
	ova import "$T/orig.ova" --name copy
run info --json copy
cp "$T/out" "$T/copy.json"
run info --json orig
cp "$T/out" "$T/orig.json"
for f in vcpus memory_mib firmware; do
	a=$(sed -n "s/.*\"$f\": \([^,]*\).*/\1/p" "$T/orig.json")
	b=$(sed -n "s/.*\"$f\": \([^,]*\).*/\1/p" "$T/copy.json")
	check "the copy has the same $f ($b)" eval '[ -n "$a" ] && [ "$a" = "$b" ]'
done
# the NICs' kinds and models (each gets a MAC of its own)
nics_of() { python3 -c 'import json,sys; print(" ".join(n["mode"] + "/" + n["model"] for n in json.load(open(sys.argv[1]))["nics"]))' "$1"; }
a=$(nics_of "$T/orig.json") b=$(nics_of "$T/copy.json")
check "the copy has the same NICs ($b)" eval '[ -n "$a" ] && [ "$a" = "$b" ]'
disk=$(sed -n 's/.*"disks": \[{"path": "\([^"]*\)".*/\1/p' "$T/copy.json")
case $disk in
"$DATA"/disks/*.qcow2) ok "its disk is a qcow2 in the data dir ($(basename "$disk"))" ;;
*) not_ok "its disk is a qcow2 in the data dir"; diag "$(cat "$T/copy.json")" ;;
esac
"$QEMU_IMG" convert -f qcow2 -O raw "$disk" "$T/copy.raw"
check "and holds the same bytes as the original disk" cmp -s "$T/disk.raw" "$T/copy.raw"
check "no staging folder is left" [ -z "$(ls "$DATA/staging" 2>/dev/null)" ]
expect 2 'A VM named "copy" already exists' "importing again under the same name is refused" \
	ova import "$T/orig.ova" --name copy
expect 0 'Created VM "uefi"' "create a UEFI VM without a disk" create uefi --firmware uefi --no-disk --no-graphics
expect 0 'Exported VM "uefi"' "export it" ova export uefi "$T/uefi.ova"
expect 0 'Imported VM "uefi2"' "import it" ova import "$T/uefi.ova" --name uefi2
expect 0 'Firmware: *uefi' "it comes back as a UEFI VM" info uefi2
expect 0 '' "delete the copy with --remove-disks" delete copy --remove-disks
check "removes the disk the import made" [ ! -e "$disk" ]
expect 0 'Imported VM "copy"' "import it again" ova import "$T/orig.ova" --name copy
disk=$("$VMTUI" info --json copy | sed -n 's/.*"disks": \[{"path": "\([^"]*\)".*/\1/p')

# ---- boot the imported disk -------------------------------------------------
# The OVA carries the disk, not a kernel: a guest booted with the kit's
# kernel gets the imported disk (read-only mounted) and prints its marker.
expect 0 'Created VM "boot"' "create a kit guest with the imported disk" \
	create boot --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 vmtui.marker=ova-$tok" \
	--memory 256M --disk "$disk" --disk-format qcow2 --no-graphics
log=$(serial_log boot)
expect 0 'Started VM "boot"' "start it" start boot
check "it boots to its marker" wait_for "$log" "VMTUI-MARKER ova-$tok" 60
tmux new-session -d -s "$S" -x 120 -y 30 "'$VMTUI' console boot; sleep 60"
see 'serial console of boot' 10 "attach its serial console"
keys "mkdir -p /d && mount -o ro /dev/vda /d && cat /d/marker" Enter
check "the guest reads the marker file from the imported disk" \
	wait_for "$log" "^VMTUI-OVA-DISK-$tok" 20
keys C-] C-]
tmux kill-session -t "$S" 2>/dev/null
"$VMTUI" destroy boot >/dev/null 2>&1
done_testing

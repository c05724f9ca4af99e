#!/bin/sh
# Templates and lab provisioning with real guests (TCG): a disk made by
# mkfs.ext4 -d from the guest kit becomes a VM, then a template; a lab of
# three linked clones boots with three host names read from their
# cloud-init seeds; a template from an image; delete refused while clones
# use it; a failure in the middle of a lab keeps the VMs before it; a
# killed or cancelled run leaves nothing behind after the next start;
# lab delete; hostile cloud-init input refused (keys, user-data, files that
# are FIFOs, devices or huge); the identity check of a hostile base stays
# small; manifests checked field by field, a broken one listed and
# deleted; clones on another engine keep their template; sudo only when
# asked.
. "${top_srcdir:-.}/tests/lib.sh"

QEMU_IMG=${QEMU_IMG:-qemu-img}
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 (e2fsprogs) is not installed"
command -v cpio >/dev/null || skip_all "cpio is not installed"
command -v xorriso >/dev/null || { echo "Bail out! xorriso is missing (./setup.sh test installs it)"; exit 1; }
command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
DISKS=$XDG_DATA_HOME/vmtui/disks
TPLS=$XDG_DATA_HOME/vmtui/templates

# nothing_orphaned DESC: every file in the disks folder belongs to a
# defined VM, no .part file is left and no provisioning journal either.
nothing_orphaned() {
	"$VMTUI" list --json | sed -n 's/.*"name": "\([^"]*\)".*/\1/p' >"$T/names"
	: >"$T/used"
	while read -r n; do
		"$VMTUI" info --json "$n" | grep -o '"path": "[^"]*"' | sed 's/"path": "\(.*\)"/\1/' >>"$T/used"
	done <"$T/names"
	bad=
	for f in "$DISKS"/*; do
		[ -f "$f" ] || continue
		grep -qxF "$f" "$T/used" || bad="$bad $f"
	done
	for f in "$XDG_DATA_HOME"/vmtui/journal/*.journal; do
		[ -e "$f" ] && bad="$bad $f"
	done
	if [ -z "$bad" ]; then ok "$1"; else not_ok "$1"; diag "orphans:$bad"; fi
}

# --- a disk template built from the kit -----------------------------------
mkdir "$T/root"
(cd "$T/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
: >"$T/root/.vmtui-disk"
mkdir -p "$T/root/etc/ssh"
echo 0123456789abcdef0123456789abcdef >"$T/root/etc/machine-id"
echo 'not a real key' >"$T/root/etc/ssh/ssh_host_ed25519_key"
check "mkfs.ext4 -d makes an ext4 root from the kit" \
	mkfs.ext4 -q -F -L kitroot -d "$T/root" "$T/root.raw" 64M
check "converted to qcow2" "$QEMU_IMG" convert -q -f raw -O qcow2 "$T/root.raw" "$T/root.qcow2"
CMDLINE="console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda"
expect 0 'Created VM "src"' "a VM on that disk, booted with the kit's kernel" \
	create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
	--memory 256M --disk "$T/root.qcow2" --no-graphics

# --- template from the VM -------------------------------------------------
expect 0 'Created template "kit" from src' "template create --from-vm" \
	template create kit --from-vm src --description 'kit disk for labs'
check "  ... warns that the base has a machine-id" grep -q 'has a machine-id' "$T/out"
check "  ... and SSH host keys" grep -q 'ssh_host_ed25519_key' "$T/out"
check "  ... and says how virt-sysprep would help" grep -q 'virt-sysprep' "$T/out"
check "the base image is read-only (0444)" [ "$(stat -c %a "$TPLS/kit/base.qcow2")" = 444 ]
check "the manifest is XML" grep -q '<template version="1">' "$TPLS/kit/template.xml"
expect 0 '^kit +1 +1 +256 MiB +kit disk for labs' "template list shows it" template list
expect 0 'Command line: +console=ttyS0 .*root=/dev/vda' "template info shows its direct-boot kernel" template info kit
expect 0 'Changed template "kit" \(now version 2\)' "template edit sets the default user" \
	template edit kit --user student
expect 0 'User: +student' "  ... template info shows it" template info kit
expect 3 'no VM named "nosuchvm"' "a template of a VM that does not exist is refused" \
	template create bad --from-vm nosuchvm
expect 4 'already exists' "a second template of the same name is refused" \
	template create kit --from-vm src

# --- template from an image ----------------------------------------------
expect 0 'Created template "img" from ' "template create --from-image" \
	template create img --from-image "$T/root.qcow2"
check "  ... it is a fresh qcow2 with no backing file" \
	sh -c "! '$QEMU_IMG' info -f qcow2 '$TPLS/img/base.qcow2' | grep -q backing"
expect 0 'Imported' "an image imported into the store" image import "$T/root.qcow2" --name kitroot
"$QEMU_IMG" create -q -f qcow2 -F qcow2 -b "$XDG_DATA_HOME/vmtui/images/kitroot.qcow2" "$T/over.qcow2"
expect 0 'Imported' "  ... and an overlay of it" image import "$T/over.qcow2" --name kitover --backing kitroot
expect 0 'Created template "fromstore" from kitover' "template create --from-image takes a store image by name, also an overlay" \
	template create fromstore --from-image kitover
expect 0 'Source: +store:kitover' "  ... template info says so" template info fromstore
check "  ... its base is the whole chain, flattened, with no backing file" \
	sh -c "! '$QEMU_IMG' info -f qcow2 '$TPLS/fromstore/base.qcow2' | grep -q backing &&
		'$QEMU_IMG' compare -q -f qcow2 -F qcow2 '$TPLS/fromstore/base.qcow2' '$T/root.qcow2'"
expect 0 'Deleted template "fromstore"' "  ... and goes" template delete fromstore
expect 3 'There is no image named "nosuch" in the store, and no such file\.' \
	"a name that is neither a store image nor a file is told so" template create none --from-image nosuch
"$QEMU_IMG" create -q -f qcow2 -u -b /etc/shadow -F raw "$T/evil.qcow2" 64M
expect 1 'backing' "an image with a backing file to a host file is refused" \
	template create evil --from-image "$T/evil.qcow2"
check "  ... and leaves no template behind" [ ! -e "$TPLS/evil" ]
expect 2 '"provision" needs an engine on this machine .*test:///default is not one' \
	"provisioning on an engine of another machine is refused" -c test:///default provision img far
check "  ... and writes no disk or seed" sh -c "! ls '$DISKS' | grep -q '^far'"
expect 2 '"ova export" needs an engine on this machine' "so is an OVA export there" \
	-c test:///default ova export test "$T/far.ova"
expect 2 'template name' "a template name with a slash is refused" \
	template create ../x --from-image "$T/root.qcow2"

# --- the identity check reads the base in place, bounded --------------------
# an ext4 whose /etc/machine-id is a 4 TiB sparse file
mkdir -p "$T/huge/etc/ssh"
truncate -s 4T "$T/huge/etc/machine-id"
echo 'not a real key' >"$T/huge/etc/ssh/ssh_host_rsa_key"
mkfs.ext4 -q -F -d "$T/huge" "$T/huge.raw" 64M 2>/dev/null &&
	"$QEMU_IMG" convert -q -f raw -O qcow2 "$T/huge.raw" "$T/huge.qcow2"
bounded_expect 0 "The base's /etc/machine-id is 4\\.0 TiB \\(4398046511104 bytes\\), not a machine-id: a suspicious file, not read" \
	"a base whose /etc/machine-id is a 4 TiB sparse file is made, with a warning, unread" \
	template create huge --from-image "$T/huge.qcow2"
check "  ... the SSH host keys are still found" grep -q 'SSH host keys (/etc/ssh: ssh_host_rsa_key)' "$T/out"
small_rss 307200 "  ... and vmtui and its helpers stayed under 300 MB"
check "  ... with nothing mounted or copied left in the staging folder" \
	sh -c "! grep -q '$TPLS' /proc/mounts && [ -z \"\$(ls -A '$TPLS' | grep '^\\.')\" ]"
"$VMTUI" template delete huge >/dev/null 2>&1
# an /etc/ssh of 1200 long names: its listing is not kept
mkdir -p "$T/many/etc/ssh"
echo 0123456789abcdef0123456789abcdef >"$T/many/etc/machine-id"
python3 -c 'import sys
for i in range(1200): open("%s/etc/ssh/f%05d-%s" % (sys.argv[1], i, "x" * 240), "w").close()' "$T/many"
mkfs.ext4 -q -F -d "$T/many" "$T/many.raw" 64M 2>/dev/null &&
	"$QEMU_IMG" convert -q -f raw -O qcow2 "$T/many.raw" "$T/many.qcow2"
rm -rf "$T/many"
bounded_expect 0 'Not checked for SSH host keys: debugfs printed more than 256 KiB' \
	"an /etc/ssh of 1200 long names (a listing of 320 KB) is not kept: the warning says so" \
	template create many --from-image "$T/many.qcow2"
check "  ... the machine-id is still found" grep -q 'has a machine-id (/etc/machine-id = 0123456789abcdef0123456789abcdef)' "$T/out"
"$VMTUI" template delete many >/dev/null 2>&1
# a vmtui killed while it read a base leaves a stale FUSE mount on its
# staging file: the next template create detaches it and removes the folder
stale="$TPLS/.staging-ghost-x1"
mkdir -p "$stale" && : >"$stale/probe.raw"
sh -c 'echo $$' >"$stale/pid" # a process that has ended
qemu-storage-daemon --blockdev driver=file,node-name=f,filename="$T/root.qcow2",read-only=on \
	--blockdev driver=qcow2,node-name=q,file=f,read-only=on \
	--export type=fuse,id=e,node-name=q,mountpoint="$stale/probe.raw",writable=off 2>/dev/null &
qsd=$!
BG_PIDS="$BG_PIDS $qsd"
i=0
while [ $i -lt 100 ] && ! grep -q "$stale/probe.raw" /proc/mounts; do sleep 0.1; i=$((i + 1)); done
kill -9 "$qsd" 2>/dev/null
wait "$qsd" 2>/dev/null
check "a killed export leaves its FUSE mount behind (the case to clean up)" grep -q "$stale/probe.raw" /proc/mounts
expect 0 'Created template "afterkill"' "the next template create works" template create afterkill --from-image "$T/root.qcow2"
check "  ... and has detached the stale mount and removed its staging folder" \
	sh -c "! grep -q '$stale' /proc/mounts && [ ! -e '$stale' ]"
grep -q "$stale" /proc/mounts && umount -l "$stale/probe.raw" 2>/dev/null
"$VMTUI" template delete afterkill >/dev/null 2>&1

# --- manifests: every field checked, a broken one listed and deleted ---------
expect 2 'An OS variant is a short id' "template edit --os with an escape character is refused" \
	template edit img --os "$(printf 'a\033b')"
expect 0 '^img +1 ' "  ... the template is still listed, at version 1" template list
expect 2 'not a valid user name' "template edit --user root is refused" template edit img --user root
expect 2 '--sudo takes yes or no, not "maybe"' "template edit --sudo maybe is refused" template edit img --sudo maybe
"$VMTUI" template create hand --from-image "$T/root.qcow2" >/dev/null 2>&1
cp "$TPLS/hand/template.xml" "$T/hand.xml"
# broken SED-SCRIPT REASON DESC: the manifest edited by SED-SCRIPT is listed
# as broken with REASON, in text and JSON, and template info says why
broken() {
	sed "$1" "$T/hand.xml" >"$TPLS/hand/template.xml"
	if cmp -s "$T/hand.xml" "$TPLS/hand/template.xml"; then
		not_ok "$3 (the edit changed nothing)"
		return
	fi
	run template list
	if [ "$rc" = 0 ] && grep -Eq -- "^hand +- +- +- +BROKEN: .*template.xml\) cannot be used: .*$2" "$T/out" &&
		grep -Eq '^img +' "$T/out"; then
		ok "$3: listed as broken with the reason"
	else
		not_ok "$3: listed as broken with the reason"
		diag "exit $rc:" "$(cat "$T/out" "$T/err")"
	fi
	run template list --json
	check "  ... also in JSON" python3 -c '
import json, re, sys
d = {x["name"]: x for x in json.load(open(sys.argv[1]))}
assert d["hand"]["vcpus"] is None and re.search(sys.argv[2], d["hand"]["broken"]), d["hand"]
assert d["img"]["broken"] is None' "$T/out" "$2"
	expect 1 "$2" "  ... template info says why" template info hand
}
broken 's#<os>.*</os>##; s#<source>#<os>a\x1bb</os>&#' 'not XML vmtui can read \(line [0-9]+: .*' "an OS variant with a raw escape"
broken 's#<source>#<os>a\&\#x1b;b</os>&#' 'not XML vmtui can read' "an OS variant with an escape as a character reference"
broken 's#<source>#<os>a b</os>&#' 'An OS variant is a short id' "an OS variant with a space"
broken 's#<source>#<description>a\&\#x7f;</description>&#' 'description contains a control character \(U\+007F\)' "a description with DEL"
broken 's#<cloud-init sudo="no"/>#<cloud-init sudo="no"><user>root</user></cloud-init>#' '"root" is not a valid user name' "user root"
broken 's#<cloud-init sudo="no"/>#<cloud-init sudo="no"><ssh-key>ssh-ed25519 AAAA</ssh-key></cloud-init>#' 'is not an SSH public key' "a key that is not one"
broken 's#<cloud-init sudo="no"/>#<cloud-init sudo="no"><ssh-key>ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a\&\#x2028;---</ssh-key></cloud-init>#' 'U\+2028' "a key whose comment has U+2028"
broken 's#<cloud-init sudo="no"/>#<cloud-init sudo="no"><package>a;rm</package></cloud-init>#' '"a;rm" is not a package name' "a package name with a semicolon"
broken 's#<cloud-init sudo="no"/>#<cloud-init sudo="maybe"/>#' 'sudo="maybe" is neither yes nor no' "sudo=maybe"
broken 's#disk_bus="[a-z]*"#disk_bus="floppy"#' 'The disk bus "floppy" is not one vmtui knows' "an unknown disk bus"
broken 's#nic_model="[a-z]*"#nic_model="evil"#' 'The NIC model "evil" is not one vmtui knows' "an unknown NIC model"
broken 's#vcpus="[0-9]*"#vcpus="0"#' 'at least 1 vCPU' "0 vCPUs"
broken 's#vcpus="[0-9]*"#vcpus="1000"#' '1000 vCPUs is more than vmtui supports' "1000 vCPUs"
broken 's#vcpus="[0-9]*"#vcpus="-1"#' '<hardware vcpus> needs a whole number' "-1 vCPUs"
broken 's#memory_mib="[0-9]*"#memory_mib="1"#' '1 MiB of memory is too little' "1 MiB of memory"
broken 's#memory_mib="[0-9]*"#memory_mib="99999999999"#' '<hardware memory_mib> needs a whole number' "absurd memory"
broken 's#firmware="bios"#firmware="coreboot"#' 'The firmware "coreboot" is neither bios nor uefi' "an unknown firmware"
broken 's#size="[0-9]*"#size="x"#' '<disk size> needs a whole number' "a disk size that is no number"
broken 's#version="1"#version="0"#' 'The version 0 is out of range' "version 0"
broken 's#<network #<boot kernel="k"><cmdline>a\&\#x1;</cmdline></boot>&#' 'not XML vmtui can read' "a command line with U+0001"
broken 's#<network #<boot kernel="k" initrd="i"><cmdline>a\&\#x7f;</cmdline></boot>&#' 'kernel command line contains a control character \(U\+007F\)' "a command line with DEL"
broken 's#<template #<nottemplate #; s#</template>#</nottemplate>#' 'not a template manifest' "another root element"
head -c 2000000 /dev/zero | tr '\0' ' ' >>"$TPLS/hand/template.xml"
run template list
check "a manifest over 1 MiB is listed as broken without being read" grep -q '^hand .*BROKEN: .*at most 1.0 MiB' "$T/out"
expect 0 'Deleted template "hand"' "template delete deletes a broken template" template delete hand
check "  ... its folder is gone" [ ! -e "$TPLS/hand" ]
expect 0 'Created template "hand"' "  ... and one of the same name can be made again" \
	template create hand --from-image "$T/root.qcow2"
"$VMTUI" template delete hand >/dev/null 2>&1

# --- template edit applies the limits of vmtui create ----------------------
expect 2 '--vcpus needs a whole number from 1 to 255, not "1000"' "template edit refuses 1000 vCPUs, as create does" \
	template edit img --vcpus 1000
expect 2 '8 MiB of memory is too little; a VM needs at least 16 MiB' "  ... and 8 MiB of memory" \
	template edit img --memory 8M
expect 2 'MiB of memory is more than the host has' "  ... and more memory than the host has" \
	template edit img --memory 64T
expect 2 '--vcpus needs a whole number from 1 to 255, not "0"' "  ... and 0 vCPUs" template edit img --vcpus 0
expect 0 'Version: +1$' "  ... none of them changed the template" template info img

# --- a template through an OVA and back -------------------------------------
expect 0 'Exported template "kit" to .*kit\.ova' "ova export --template writes a template's OVA" \
	ova export --template kit "$T/kit.ova"
check "  ... and says the OVF cannot carry its kernel" grep -q 'an OVF cannot carry a kernel' "$T/out"
check "  ... the OVF, the base as VMDK and the manifest, in that order" \
	[ "$(tar tf "$T/kit.ova" | tr '\n' ' ')" = "kit.ovf kit-disk1.vmdk kit.mf " ]
tar xOf "$T/kit.ova" kit.ovf >"$T/kit.ovf"
check "  ... the OVF has the manifest's hardware and description" \
	sh -c "grep -q '<rasd:VirtualQuantity>256</rasd:VirtualQuantity>' '$T/kit.ovf' &&
		grep -q 'kit disk for labs' '$T/kit.ovf'"
expect 0 'Created template "kit2" from .*kit\.ova' "template create --from-ova makes a template of it" \
	template create kit2 --from-ova "$T/kit.ova"
check "  ... warning that its base still has a machine-id" grep -q 'has a machine-id' "$T/out"
expect 0 'Hardware: +1 vCPUs, 256 MiB, bios firmware, virtio disk' "  ... with the OVF's hardware" template info kit2
check "  ... and description" grep -q 'Description: *kit disk for labs' "$T/out"
check "  ... its base holds the same bytes as the kit's" \
	"$QEMU_IMG" compare -q -f qcow2 -F qcow2 "$TPLS/kit/base.qcow2" "$TPLS/kit2/base.qcow2"
expect 0 'now version 2' "template edit gives it the kit's kernel to boot" \
	template edit kit2 --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE"
expect 0 'Started VM "rt"' "a VM provisioned from it starts" provision kit2 rt --start
log=$(serial_log rt)
if wait_for "$log" "VMTUI-GUEST-NOCLOUD hostname=rt " 60; then
	ok "  ... and boots the OVA's disk with host name rt from its seed"
else
	not_ok "  ... and boots the OVA's disk with host name rt from its seed"
	diag "serial log:" "$(tail -n 15 "$log" 2>/dev/null)"
fi
expect 0 'Deleted VM "rt"' "  ... lab delete removes it" lab delete rt --yes
expect 0 'Deleted template "kit2"' "  ... and the template goes" template delete kit2

# refusals: nothing left behind
echo "canary" >"$T/canary"
"$QEMU_IMG" create -q -f qcow2 -u -b "$T/canary" -F raw "$T/backing.qcow2" 1G
python3 "$top_srcdir/tests/ova-craft.py" "$T/kit.ova" "$T/cases" "$T/canary" \
	"$T/backing.qcow2" >"$T/craft.log" 2>&1
for c in tar-dotdot:'a path outside the archive' mf-sha256:'digest of "kit-disk1\.vmdk" does not match' \
	disk-backing-file:'has a backing file'; do
	expect 1 "${c#*:}" "template create --from-ova of a hostile OVA (${c%%:*}) is refused" \
		template create evil --from-ova "$T/cases/${c%%:*}.ova"
	check "  ... leaving no template, half template or staging folder" \
		[ -z "$(ls -A "$TPLS" | grep -v '^\(kit\|img\)$')$(ls -A "$XDG_DATA_HOME/vmtui/staging" 2>/dev/null)" ]
done
python3 - "$T/kit.ova" "$T/two.ova" <<'PY'
import re, sys, tarfile, io
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as t:
    m = {i.name: t.extractfile(i).read() for i in t.getmembers()}
ovf = m["kit.ovf"].decode()
# a second, blank disk: its own Disk element and controller item
disk = re.search(r'<ovf:Disk [^>]*/>', ovf).group(0)
blank = re.sub(r' ovf:fileRef="[^"]*"', '', disk).replace('ovf:diskId="', 'ovf:diskId="blank-')
ovf = ovf.replace(disk, disk + blank)
item = [i for i in re.findall(r'<ovf:Item>.*?</ovf:Item>', ovf, re.S) if 'ovf:/disk/' in i][0]
did = re.search(r'ovf:diskId="([^"]*)"', disk).group(1)
item2 = item.replace('ovf:/disk/' + did, 'ovf:/disk/blank-' + did).replace('<rasd:InstanceID>', '<rasd:InstanceID>9')
ovf = ovf.replace(item, item + item2)
with tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as t:
    for n, d in (("kit.ovf", ovf.encode()), ("kit-disk1.vmdk", m["kit-disk1.vmdk"])):
        ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
PY
expect 2 'The OVA holds 2 disks; a template is made of one' "an OVA with two disks is refused, naming the count" \
	template create two --from-ova "$T/two.ova"
check "  ... and leaves no template" [ ! -e "$TPLS/two" ]
echo "an older OVA" >"$T/old.ova"
expect 3 'no template named "nosuch"' "ova export --template of a missing template names it" \
	ova export --template nosuch "$T/old.ova"
"$VMTUI" template create gone --from-image "$T/root.qcow2" >/dev/null 2>&1
rm -f "$TPLS/gone/base.qcow2"
expect 3 'Cannot read .*gone/base\.qcow2' "exporting a template whose base is gone fails, naming the base" \
	ova export --template --force gone "$T/old.ova"
check "  ... and the file it would replace is unchanged" grep -qx "an older OVA" "$T/old.ova"
check "  ... with no temporary file or staging folder left" \
	[ -z "$(ls -A "$T" | grep '^\.old\.ova')$(ls -A "$XDG_DATA_HOME/vmtui/staging" 2>/dev/null)" ]
"$VMTUI" template delete gone >/dev/null 2>&1

# --- a lab of three, booted -------------------------------------------------
expect 0 'Created VM "lab-3"' "provision 3 lab VMs from the template and start them" \
	provision kit 'lab-{1..3}' --start
check "  ... all three started" [ "$(grep -c '^Started VM "lab-' "$T/out")" = 3 ]
for n in 1 2 3; do
	log=$(serial_log "lab-$n")
	if wait_for "$log" "VMTUI-GUEST-NOCLOUD hostname=lab-$n user=student" 60; then
		ok "lab-$n booted with host name lab-$n and user student from its seed"
	else
		not_ok "lab-$n booted with host name lab-$n and user student from its seed"
		diag "serial log:" "$(tail -n 15 "$log" 2>/dev/null)"
	fi
	check "  ... from its disk (root=/dev/vda)" grep -q 'VMTUI-GUEST-ROOT /dev/vda' "$log"
done
hosts=$(for n in 1 2 3; do grep -ao 'VMTUI-GUEST-NOCLOUD hostname=[^ ]*' "$(serial_log "lab-$n")"; done | sort -u | wc -l)
check "three different host names from three real boots" [ "$hosts" = 3 ]
for n in 1 2 3; do "$VMTUI" dumpxml "lab-$n"; done >"$T/labxml"
check "each VM records its template in its metadata" [ "$(grep -c '<vmtui:template name="kit"/>' "$T/labxml")" = 3 ]
check "VMs on nat record no lab address (they get one only on a lab network)" \
	[ "$(grep -c '<vmtui:lab address=' "$T/labxml")" = 0 ]
check "each overlay names the template's base as its backing store" \
	[ "$(grep -c "source file='$TPLS/kit/base.qcow2'" "$T/labxml")" = 3 ]
seed=$(ls "$DISKS"/lab-1-*-seed.iso)
xorriso -indev "$seed" -pvd_info -ls 2>&1 | tr -d "'" >"$T/iso"
check "the seed ISO holds exactly meta-data, network-config, user-data" \
	[ "$(grep -cE '^(meta-data|network-config|user-data)$' "$T/iso")" = 3 ]
check "the seed's label is cidata" sh -c "blkid -o value -s LABEL '$seed' | grep -qx cidata"
expect 4 'is running; shut it down before making a template' "a running VM cannot become a template" \
	template create bad --from-vm lab-1
expect 4 'in use by 3 VMs: lab-1, lab-2, lab-3' "template delete is refused while clones use it" \
	template delete kit
check "  ... and the template is still there" [ -f "$TPLS/kit/base.qcow2" ]

# --- a failure in the middle -----------------------------------------------
create_guest mid-2
expect 4 'VM 2 of 3 \("mid-2"\) failed: A VM named "mid-2" already exists\. The VM made before it is kept\.' \
	"a lab whose 2nd VM exists stops there and says which failed" provision kit 'mid-{1..3}'
check "  ... mid-1 was made before it" grep -q 'Created VM "mid-1"' "$T/out"
expect 3 'no VM named "mid-3"' "  ... mid-3 was not made" info mid-3
expect 0 '^Name: +mid-2' "  ... the existing mid-2 is still there" info mid-2
check "  ... untouched (no disk added)" sh -c "! grep -q qcow2 '$T/out'"
check "  ... no disk or seed of mid-2 or mid-3 was left" sh -c "! ls '$DISKS' | grep -q 'mid-[23]'"

# --- kill -9 in the middle, then the next start --------------------------
"$VMTUI" provision kit 'k-{01..20}' --full >"$T/kill.out" 2>&1 &
kpid=$!
BG_PIDS="$BG_PIDS $kpid"
i=0
while [ $i -lt 600 ] && ! ls "$DISKS" 2>/dev/null | grep -q '^k-02'; do sleep 0.05; i=$((i + 1)); done
kill -9 "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
# journal_of PID: the journal of the run of that process, if it is there
journal_of() { ls "$XDG_DATA_HOME/vmtui/journal/$1"-*.journal 2>/dev/null; }
check "the killed run had started (its journal is there)" [ -n "$(journal_of "$kpid")" ]
"$VMTUI" -c test:///default list >/dev/null 2>&1
check "a vmtui on another engine leaves the journal alone (it cannot tell what was finished)" \
	[ -n "$(journal_of "$kpid")" ]
expect 0 'provisioning run' "the next vmtui finishes or rolls back the run and says so" list
nothing_orphaned "after kill -9 mid-run and a restart, no disk, seed or journal is orphaned"

# --- Ctrl-C (cancel) in the middle -----------------------------------------
"$VMTUI" provision kit 'c-{01..20}' --full >"$T/cancel.out" 2>&1 &
cpid=$!
BG_PIDS="$BG_PIDS $cpid"
i=0
while [ $i -lt 600 ] && ! ls "$DISKS" 2>/dev/null | grep -q '^c-02'; do sleep 0.05; i=$((i + 1)); done
kill -INT "$cpid"
wait "$cpid"
crc=$?
if [ "$crc" = 7 ] && grep -q 'Cancelled at VM [0-9]* of 20 ("c-[0-9]*"), leaving nothing of it' "$T/cancel.out"; then
	ok "Ctrl-C cancels the run and says where it stopped"
else
	not_ok "Ctrl-C cancels the run and says where it stopped"
	diag "exit $crc:" "$(cat "$T/cancel.out")"
fi
nothing_orphaned "after a cancel, no disk, seed or journal is orphaned"

# --- lab delete -------------------------------------------------------------
expect 2 'add --yes' "lab delete without --yes only lists the VMs" lab delete 'lab-*'
check "  ... naming all three" grep -q '3 VMs match "lab-\*": lab-1 lab-2 lab-3' "$T/out"
expect 0 '^Name: +lab-1' "  ... and deletes nothing" info lab-1
ls "$DISKS" | grep '^lab-' >"$T/labfiles"
expect 0 'Removed seed .*lab-3-' "lab delete --yes removes the VMs with their overlays and seeds" \
	lab delete 'lab-*' --yes
check "  ... its 6 files are gone" sh -c "[ \$(wc -l <'$T/labfiles') = 6 ] && ! ls '$DISKS' | grep -q '^lab-'"
expect 3 'no VM named "lab-2"' "  ... and lab-2 is no more" info lab-2
"$VMTUI" lab delete 'mid-1' --yes >/dev/null 2>&1
"$VMTUI" lab delete 'k-*' --yes >/dev/null 2>&1
"$VMTUI" lab delete 'c-*' --yes >/dev/null 2>&1
expect 0 'Deleted template "kit"' "once no VM uses it, the template can be deleted" template delete kit
check "  ... its folder is gone" [ ! -e "$TPLS/kit" ]

# --- hostile cloud-init input ---------------------------------------------
head -c 1048577 /dev/zero | tr '\0' 'a' | sed '1s/^/#cloud-config\n/' >"$T/big.yaml"
expect 2 'at most 1.0 MiB' "user-data over 1 MiB is refused" provision img bad --user-data "$T/big.yaml"
printf '#cloud-config\n\001\002\377\376binary\n' >"$T/bin.yaml"
expect 2 'not UTF-8 text|binary data' "binary user-data is refused" provision img bad --user-data "$T/bin.yaml"
printf 'runcmd: [reboot]\n' >"$T/plain.yaml"
expect 2 'must start with "#cloud-config"' "user-data that is not cloud-config is refused" \
	provision img bad --user-data "$T/plain.yaml"
expect 2 '"\.\./x" is not a valid host name' "host name ../x is refused" provision img bad --hostname ../x
expect 2 'not a valid host name' "a lab VM name that is no host name is refused" provision img 'a_b'
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx\nhostname: evil\n' >"$T/key-nl"
expect 2 'not an SSH public key' "an SSH key with a newline in it is refused" provision img bad --ssh-key "$T/key-nl"
printf 'ssh-ed25519 AAAAC3Nza\rC1lZDI1 x\n' >"$T/key-cr"
expect 2 'one line of printable text' "an SSH key with a control character is refused" \
	provision img bad --ssh-key "$T/key-cr"
expect 2 'not a password' "a plain password instead of a hash is refused" \
	provision img bad --password-hash 'secret'
expect 2 'not a valid user name' "user name root or with odd characters is refused" \
	provision img bad --user 'x y'
printf '#cloud-config\nruncmd:\n  - echo hi\n - [broken\n' >"$T/notyaml.yaml"
expect 2 'The user-data file .*notyaml.yaml is not valid YAML \(line 4: ' "user-data that is not YAML is refused, naming the line" \
	provision img bad --user-data "$T/notyaml.yaml"
# a key comment that would end cloud-init's YAML line: U+2028, then ---
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me\342\200\250---\n' >"$T/key-ls"
expect 2 'key-ls, line 1: An SSH key must be one line of printable text; .*\(U\+2028\)' \
	"provisioning with a key whose comment has U+2028 and --- fails, naming the line" \
	provision img bad --ssh-key "$T/key-ls"
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a\357\277\276b\n' >"$T/key-fffe"
expect 2 'U\+FFFE' "  ... and one whose comment has U+FFFE" provision img bad --ssh-key "$T/key-fffe"
printf 'ssh-dss AAAAB3NzaC1kc3MAAACBAPx me\n' >"$T/key-dss"
expect 2 'DSA key \(ssh-dss\), which OpenSSH no longer accepts' "  ... and a DSA key, saying why" provision img bad --ssh-key "$T/key-dss"
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoq me\n' >"$T/key-cut"
expect 2 'its base64 part is damaged' "  ... and a key whose body is cut short" provision img bad --ssh-key "$T/key-cut"
expect 3 'no VM named "bad"' "none of these made a VM" info bad
check "  ... nor a file" sh -c "! ls '$DISKS' | grep -q '^bad'"
nothing_orphaned "  ... nor a disk, seed or journal of any VM"

# a good key, hash and packages reach the seed, quoted
ssh_key='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host'
echo "$ssh_key" >"$T/key"
printf '#cloud-config\nruncmd:\n  - echo hi\n' >"$T/own.yaml"
expect 0 'Created VM "one"' "provision one VM with a key, a hash, packages and own user-data" \
	provision img one --hostname web-1 --user alice --ssh-key "$T/key" \
	--password-hash '$6$salt$hash' --packages 'nginx, git' --user-data "$T/own.yaml"
seed=$(ls "$DISKS"/one-*-seed.iso)
xorriso -osirrox on -indev "$seed" -extract /user-data "$T/ud" >/dev/null 2>&1
check "  ... its user-data carries the host name, user, key and packages" \
	sh -c "grep -q 'hostname: \"web-1\"' '$T/ud' && grep -q 'name: \"alice\"' '$T/ud' &&
		grep -qF '\"$ssh_key\"' '$T/ud' && grep -q '\"nginx\"' '$T/ud'"
check "  ... and the user's own part, merged without replacing ours" \
	sh -c "grep -q 'Merge-Type: list(append)' '$T/ud' && grep -q 'echo hi' '$T/ud'"
check "  ... and no administrator rights: no sudo line" sh -c "! grep -q 'sudo' '$T/ud'"
expect 0 'Deleted VM "one"' "lab delete of one VM" lab delete one --yes
# sudo_of VM: the sudo line of VM's seed user-data, or nothing
sudo_of() {
	xorriso -osirrox on -indev "$(ls "$DISKS"/"$1"-*-seed.iso)" -extract /user-data "$T/ud-$1" >/dev/null 2>&1
	grep 'sudo' "$T/ud-$1"
}
expect 0 'Created VM "adm"' "provision --sudo" provision img adm --user alice --sudo
check "  ... its user gets sudo" [ "$(sudo_of adm)" = '    sudo: "ALL=(ALL) NOPASSWD:ALL"' ]
expect 0 'now version 2' "template edit --sudo yes makes it the template's default" template edit img --sudo yes
expect 0 'Created VM "adm2"' "  ... a VM provisioned without --sudo" provision img adm2 --user alice
check "  ... gets it" [ -n "$(sudo_of adm2)" ]
expect 0 'Created VM "adm3"' "  ... and with --no-sudo" provision img adm3 --user alice --no-sudo
check "  ... does not" [ -z "$(sudo_of adm3)" ]
expect 2 'Give either --sudo or --no-sudo, not both' "--sudo with --no-sudo is refused" provision img adm4 --sudo --no-sudo
expect 0 'now version 3' "template edit --sudo no" template edit img --sudo no
"$VMTUI" lab delete 'adm*' --yes >/dev/null 2>&1

# --- clones on another engine keep their template -----------------------------
# a second embedded engine root on the same template store
E2="$T/e2"
on_e2() { VMTUI_ENGINE_ROOT="$E2" "$VMTUI" "$@"; }
check "a linked clone is provisioned on a second engine" sh -c "VMTUI_ENGINE_ROOT='$E2' '$VMTUI' provision img far-1 >/dev/null 2>&1"
check "  ... and recorded with the template" sh -c "grep -l '^name=far-1' '$TPLS'/img/base.qcow2.users/* >/dev/null"
expect 4 "Template \"img\" is in use by 1 VM: far-1 on qemu:///embed\\?root=$E2\\. " \
	"template delete on the first engine is refused, naming the clone and its engine" template delete img
expect 0 'Used by: +far-1 on qemu:///embed' "  ... template info counts it too" template info img
check "  ... and the base is still there" [ -f "$TPLS/img/base.qcow2" ]
on_e2 lab delete far-1 --yes >/dev/null 2>&1
check "deleting the clone on its engine drops the record" sh -c "! grep -l '^name=far-1' '$TPLS'/img/base.qcow2.users/* 2>/dev/null"
# a record of a VM another client deleted, on the engine asked: dropped
on_e2 provision img far-2 >/dev/null 2>&1
rec2=$(grep -l '^name=far-2' "$TPLS"/img/base.qcow2.users/*)
cp "$rec2" "$T/rec2"
on_e2 delete far-2 >/dev/null 2>&1
cp "$T/rec2" "$rec2"
export VMTUI_ENGINE_ROOT="$E2"
expect 0 'Name: +img' "a record left by a VM deleted without vmtui, on the engine asked" template info img
VMTUI_ENGINE_ROOT="$T/e"
check "  ... does not count and is dropped" sh -c "! grep -q 'Used by' '$T/out' && [ ! -e '$rec2' ]"
# and one whose overlay is gone, on another engine
on_e2 provision img far-3 >/dev/null 2>&1
rec3=$(grep -l '^name=far-3' "$TPLS"/img/base.qcow2.users/*)
rm -f "$(sed -n 's/^disk=//p' "$rec3")"
expect 0 'Deleted template "img"' "a record of another engine whose overlay is gone does not hold the template" \
	template delete img
on_e2 lab delete 'far-*' --yes >/dev/null 2>&1
rm -f "$DISKS"/far-*
"$VMTUI" template create img --from-image "$T/root.qcow2" >/dev/null 2>&1
expect 0 'now version 2' "template edit sets default packages" template edit img --packages 'vim,curl'
expect 0 'Created VM "full-copy"' "a full copy with the template's defaults" provision img full-copy --full
xorriso -osirrox on -indev "$(ls "$DISKS"/full-copy-*-seed.iso)" -extract /user-data "$T/ud2" >/dev/null 2>&1
check "  ... its seed has the template's packages" sh -c "grep -q '\"vim\"' '$T/ud2' && grep -q '\"curl\"' '$T/ud2'"
check "  ... its disk has no backing file" \
	sh -c "! '$QEMU_IMG' info -f qcow2 \"\$(ls '$DISKS'/full-copy-*[0-9a-f].qcow2)\" | grep -q backing"
expect 0 '"name": "img", "version": 2' "template list --json" template list --json
expect 0 'Deleted template "img"' "a full copy does not hold its template" template delete img
expect 0 'Deleted VM "full-copy"' "  ... and lives on without it" lab delete full-copy --yes

# --- lab delete from the TUI's ":" line asks first ---------------------------
"$VMTUI" template create img --from-image "$T/root.qcow2" >/dev/null 2>&1
expect 0 'Created VM "tx-2"' "provision two more for the TUI" provision img 'tx-{1..2}'
S="vmtui-templates-$$"
export TMUX_TMPDIR="$T"
tmux new-session -d -s "$S" -x 120 -y 30 \
	"env LC_ALL=C.UTF-8 XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
	VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'; sleep 60"
see ' tx-1 +shut off' 15 "the TUI lists the lab"
keys : "lab delete 'tx-*'" Enter
see "Run \"lab delete 'tx-\*'\"\? It deletes what it names\. \[y/N\]" 5 \
	"lab delete on the : line asks for a confirmation"
keys y Enter
see 'Removed seed .*tx-2-' 20 "  ... after y it deletes the lab and shows what went"
keys q
i=0
while [ $i -lt 100 ] && screen | grep -Eq 'tx-[12] +shut off'; do sleep 0.1; i=$((i + 1)); done
check "  ... and the lab is gone from the list" sh -c "! tmux capture-pane -p -t '$S' | grep -Eq 'tx-[12] +shut off'"
keys q
sleep 1
tmux kill-session -t "$S" 2>/dev/null
check "  ... with its overlays and seeds" sh -c "! ls '$DISKS' | grep -q '^tx-'"

# --- disk full: a small file system under the disks folder ---------------
truncate -s 40M "$T/small.img" && mkfs.ext4 -q -F "$T/small.img" 2>/dev/null
if [ -z "$(ls -A "$DISKS")" ] && mount -o loop "$T/small.img" "$DISKS" 2>/dev/null; then
	trap 'kill_guests; umount "$DISKS" 2>/dev/null || umount -l "$DISKS" 2>/dev/null; cleanup' EXIT
	expect 1 'VM [0-9]+ of 10 \("full-[0-9]+"\) failed: .*(No space left on device|Cannot write the cloud-init seed)' \
		"full copies on a full disk stop with the VM that failed and why" \
		provision img 'full-{01..10}' --full
	nothing_orphaned "  ... the VMs before it are whole and nothing else is left"
	check "  ... no half-written seed either" sh -c "! ls '$DISKS' | grep -q '\.part$'"
	"$VMTUI" lab delete 'full-*' --yes >/dev/null 2>&1
	umount "$DISKS"
else
	ok "# SKIP disk full: cannot mount a loop file system here"
fi
done_testing

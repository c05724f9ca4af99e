#!/bin/sh
# Snapshots of a UEFI guest (OVMF, an ext4 kit disk): libvirt 9.0 takes
# no internal snapshot with pflash firmware and cannot revert external
# ones, so vmtui takes external snapshots (disk overlays, the memory, a
# copy of the NVRAM) and reverts them itself.  A token file written,
# snapshot A (running), the file changed, snapshot B, the revert to A
# brings the running guest back with the token and drops B (a chain);
# a shut-off snapshot C keeps the NVRAM, which a revert puts back after
# it was overwritten; delete merges; disk-only snapshots, quiesced by
# the guest agent or crash-consistent; deleting the VM leaves no file.
. "${top_srcdir:-.}/tests/lib.sh"

for p in mkfs.ext4 cpio python3; do
	command -v $p >/dev/null || { echo "Bail out! $p is missing (./setup.sh test installs it)"; exit 1; }
done
guest_kit
DISKS=$XDG_DATA_HOME/vmtui/disks

check "an ext4 kit disk" kit_disk "$T/root.qcow2"
expect 0 'Created VM "u"' "a UEFI VM on it" create u --firmware uefi --kernel "$GUEST_KERNEL" \
	--initrd "$GUEST_INITRD" --cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
	--memory 256M --disk "$T/root.qcow2" --no-graphics --no-network
expect 0 'Started VM "u"' "it starts" start u
log=$(serial_log u)
check "  ... and boots from its disk through OVMF" wait_for "$log" 'VMTUI-GUEST-READY' 120

tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
check "the guest writes at-A-$tok to a file" on_guest u "echo at-A-$tok > /root/data.txt && sync" 10
expect 0 'Took snapshot "A" of VM "u" \(its disks and memory\)\.' "snapshot create A of the running UEFI VM" \
	snapshot create u A
check "  ... its overlay, memory and NVRAM copy are in vmtui's disks folder" \
	ls "$DISKS/u-snap-A-vda.qcow2" "$DISKS/u-snap-A.mem" "$DISKS/u-snap-A.nvram"
expect 0 '^vda +disk .*u-snap-A-vda\.qcow2$' "  ... and the guest writes to the overlay now" disk list u
check "the guest writes at-B" on_guest u "echo at-B-$tok > /root/data.txt && sync" 20
expect 0 'Took snapshot "B"' "snapshot create B" snapshot create u B
check "the guest changes the file again" on_guest u "echo after-B-$tok > /root/data.txt && sync" 30
expect 0 '^B \* ' "B is current" snapshot list u

expect 2 'The snapshots taken after it go .*: B\.' "revert to A without --yes says B goes" snapshot revert u A
id1=$(qemu_pid u)
expect 0 'Reverted VM "u" to snapshot "A"\.' "snapshot revert A --yes (vmtui's own revert)" snapshot revert u A --yes
check "  ... says B was dropped" grep -q 'Dropped the snapshots taken after it: B\.' "$T/out"
check "  ... the guest runs again, in a new QEMU" sh -c "[ \"\$('$VMTUI' info u --json | sed -n 's/.*\"state\": \"\\([a-z]*\\)\".*/\\1/p')\" = running ] && [ \"$id1\" != \"\$(cat '$VMTUI_ENGINE_ROOT/run/qemu/u.pid')\" ]"
check "  ... with at-A in its file (the memory and disk of A)" on_guest u "grep -qx at-A-$tok /root/data.txt" 40
expect 0 '^A \* ' "A is current" snapshot list u
check "  ... B is gone with its files" sh -c "! '$VMTUI' snapshot list u | grep -q '^B' && ! ls '$DISKS'/u-snap-B* 2>/dev/null"
check "the guest writes after-A" on_guest u "echo after-A-$tok > /root/data.txt && sync" 50

# shut off: a disk-only snapshot with the NVRAM; the NVRAM comes back
expect 0 'Forced VM "u" off' "force it off" destroy u
nv=$VMTUI_ENGINE_ROOT/lib/qemu/nvram/u_VARS.fd
cp "$nv" "$T/nvram.C"
expect 0 'Took snapshot "C" of VM "u" \(its disks\)\.' "snapshot create C, shut off" snapshot create u C
printf 'overwritten-%s' "$tok" | dd of="$nv" bs=1 seek=4096 conv=notrunc 2>/dev/null
check "the NVRAM is overwritten" sh -c "! cmp -s '$nv' '$T/nvram.C'"
expect 0 'Reverted VM "u" to snapshot "C"\.' "snapshot revert C --yes" snapshot revert u C --yes
check "  ... the NVRAM is as it was at C" cmp -s "$nv" "$T/nvram.C"
check "  ... the VM stays shut off, as it was then" sh -c "'$VMTUI' info u | grep -q 'State: *shut off'"
# boot_again N: the serial log has more than N ready lines (a new boot)
boot_again() {
	i=0
	while [ "$(grep -c 'VMTUI-GUEST-READY' "$log")" -le "$1" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 1200 ]
}
n=$(grep -c 'VMTUI-GUEST-READY' "$log")
expect 0 'Started VM "u"' "it starts from C" start u
check "  ... boots" boot_again "$n"
check "  ... with the file as it was on disk at C" on_guest u "grep -qx after-A-$tok /root/data.txt" 60
expect 0 'Deleted snapshot "C" of VM "u"\.' "snapshot delete C, running (libvirt merges the overlay)" snapshot delete u C
check "  ... its files are gone" sh -c "! ls '$DISKS'/u-snap-C* 2>/dev/null"
expect 0 '^A \* ' "  ... A is left" snapshot list u
check "  ... and the guest still has its file" on_guest u "grep -qx after-A-$tok /root/data.txt" 70

# a rename: the metadata, and the memory and NVRAM files, follow
expect 0 'Renamed snapshot "A" of VM "u" to "base"\.' "snapshot rename A base" snapshot rename u A base
expect 0 '^base \* ' "  ... listed under its new name, still current" snapshot list u
check "  ... its memory and NVRAM copy follow the name" ls "$DISKS/u-snap-base.mem" "$DISKS/u-snap-base.nvram"
expect 2 'already has a snapshot "base"' "  ... a name taken is refused" snapshot rename u base base
expect 2 'only letters, digits' "  ... and a bad new name" snapshot rename u base 'a/b' 

# the disks alone while it runs: crash-consistent, or frozen by the agent
expect 0 'Took snapshot "D" of VM "u" \(its disks\)\.' "snapshot create --disk-only of the running VM" \
	snapshot create u D --disk-only
check "  ... says it is crash-consistent" grep -q 'it is crash-consistent' "$T/out"
check "  ... and keeps no memory" sh -c "! ls '$DISKS/u-snap-D.mem' 2>/dev/null"
expect 0 'The guest agent froze the guest.s file systems' "--disk-only --quiesce, through the kit's guest agent" \
	snapshot create u Q --disk-only --quiesce
expect 2 '--quiesce goes with --disk-only' "--quiesce alone is refused" snapshot create u X --quiesce
expect 0 '"name": "D", "parent": "base"' "D's parent is base" snapshot list u --json
expect 0 'Renamed snapshot "D" of VM "u" to "D2"\.' "a snapshot with a child renamed" snapshot rename u D D2
expect 0 '"name": "Q", "parent": "D2"' "  ... its child follows" snapshot list u --json

# a snapshot of a VM never started: it had no NVRAM, and after a revert
# it has none again (libvirt makes it from its template at the start)
expect 0 'Created VM "n"' "a UEFI VM never started" create n --firmware uefi --disk-size 16M --no-graphics --no-network
expect 0 'Took snapshot "new" of VM "n" \(its disks\)\.' "  ... its snapshot" snapshot create n new
expect 0 'Started VM "n"' "  ... it starts (OVMF finds no OS: it stays in its menu)" start n
nvn=$VMTUI_ENGINE_ROOT/lib/qemu/nvram/n_VARS.fd
check "  ... and has an NVRAM now" [ -s "$nvn" ]
expect 0 'Reverted VM "n" to snapshot "new"\.' "  ... revert to the snapshot" snapshot revert n new --yes
check "  ... the NVRAM is gone, as it was then" [ ! -e "$nvn" ]
expect 0 'Started VM "n"' "  ... it starts again, with a fresh one" start n
check "  ... made from the template" [ -s "$nvn" ]
expect 0 'Deleted VM "n"' "  ... and goes" delete n --force --remove-disks

# deleting the VM: its snapshots first, with their files
expect 0 'Deleted 3 snapshots of VM "u"\.' "delete --force deletes its snapshots first" delete u --force
check "  ... and says it keeps the disk it had, the overlays merged into it" grep -q "Kept disk $T/root.qcow2" "$T/out"
check "  ... and no snapshot file is left in vmtui's disks folder" sh -c "! ls '$DISKS'/u-snap-* 2>/dev/null"
check "  ... the kit disk the VM had is kept" [ -f "$T/root.qcow2" ]
done_testing

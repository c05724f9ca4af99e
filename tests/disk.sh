#!/bin/sh
# Disks and CD-ROMs of a running kit guest, seen from inside it over the
# serial line: hot-add a virtio disk and a SCSI one, grow one, insert an
# ISO and read a file from it, eject with the tray locked and then with
# --force, remove a disk with its file; PCI slots running out gives the
# message saying what to do; bad input (a missing image, one with a
# backing file, absurd sizes, a shrink, an unknown target) is refused
# with nothing changed; a new disk goes with the VM's --remove-disks.
. "${top_srcdir:-.}/tests/lib.sh"

for p in xorriso python3; do
	command -v $p >/dev/null || { echo "Bail out! $p is missing (./setup.sh test installs it)"; exit 1; }
done
guest_kit
QEMU_IMG=${QEMU_IMG:-qemu-img}
DISKS=$XDG_DATA_HOME/vmtui/disks

expect 0 'The embedded engine has no storage pools: vmtui keeps new disks as files in .*/vmtui/disks\.' \
	"storage list on the embedded engine says where disks are kept" storage list
expect 4 'The embedded engine has no storage pools' "  ... and volume list says why not" volume list
check "create guest d" create_guest d
expect 0 'No disks\.' "a VM without disks lists none" disk list d
expect 0 'Started VM "d"' "it starts" start d
log=$(serial_log d)
check "  ... and boots" wait_for "$log" 'VMTUI-GUEST-READY' 60

expect 0 'Added disk vda to VM "d"\.' "disk add --size 64M, running" disk add d --size 64M
check "  ... a new qcow2 in vmtui's disks folder" sh -c "ls '$DISKS'/d*.qcow2 >/dev/null"
check "  ... the guest sees it" on_guest d "[ -e /sys/block/vda ]" 10
expect 0 '^vda +disk +virtio +qcow2 +64\.0 MiB ' "disk list shows it with its size" disk list d
expect 0 '"owned": true' "  ... as a disk vmtui made" disk list d --json
expect 0 'Disk vda of VM "d" has 128\.0 MiB now; growing its partition and file system is the guest' \
	"disk resize vda 128M, live" disk resize d vda 128M
check "  ... the guest sees the new size" on_guest d "[ \$(cat /sys/block/vda/size) = 262144 ]" 20
expect 0 'Added disk sda to VM "d"\.' "disk add --bus scsi (no PCI slot needed)" disk add d --size 32M --bus scsi
check "  ... the guest sees it" on_guest d "ls /sys/block | grep -q '^sd'" 30
check "  ... on the virtio-scsi controller vmtui gave the VM (no LSI one)" \
	sh -c "'$VMTUI' dumpxml d | grep -q \"model='virtio-scsi'\" && ! '$VMTUI' dumpxml d | grep -q lsilogic"

# CD-ROM: a drive on virtio-scsi for the first disc, read in the guest
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
mkdir "$T/iso" && echo "hello-$tok" >"$T/iso/hello.txt"
xorriso -as mkisofs -quiet -V VTDISC -o "$T/disc.iso" "$T/iso" 2>/dev/null
expect 0 'Inserted .*disc\.iso into CD-ROM sd[a-z] of VM "d"' "cdrom insert, running" cdrom insert d "$T/disc.iso"
cd=$(sed -n 's/.*CD-ROM \(sd[a-z]\) of.*/\1/p' "$T/out")
check "  ... the guest reads the file on it" on_guest d \
	"mkdir -p /mnt/cd; mount -t iso9660 -o ro /dev/sr0 /mnt/cd || mount -t iso9660 -o ro /dev/sr0 /mnt/cd; grep -qx hello-$tok /mnt/cd/hello.txt" 40
expect 4 'holds the tray of sd[a-z] shut .*--force' "eject while the guest has it mounted says what to do" \
	cdrom eject d
expect 0 "Ejected the disc of CD-ROM $cd" "eject --force" cdrom eject d --force
expect 0 "^$cd +cdrom +scsi .*\\(empty\\)" "  ... the drive is empty" disk list d
check "  ... in the guest too" on_guest d "umount /mnt/cd 2>/dev/null; ! dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null" 50
expect 4 'is empty already' "ejecting an empty drive is refused" cdrom eject d

# bad input: refused, nothing changed
"$VMTUI" disk list d --json >"$T/before"
ls "$DISKS" >"$T/files.before"
"$QEMU_IMG" create -q -f qcow2 "$T/base.qcow2" 16M
"$QEMU_IMG" create -q -f qcow2 -b "$T/base.qcow2" -F qcow2 "$T/overlay.qcow2"
expect 3 'Cannot read .*nosuch\.qcow2: No such file' "a missing image is refused" disk add d --image "$T/nosuch.qcow2"
expect 1 'has a backing file .*refused' "an image with a backing file is refused" disk add d --image "$T/overlay.qcow2"
expect 2 '1 MiB to 16 TiB' "a disk of 17 TiB is refused" disk add d --size 17T
expect 2 '1 MiB to 16 TiB' "a disk of 1 KiB is refused" disk add d --size 1K
expect 2 'Give --size for a new disk or --image' "--size with --image is refused" \
	disk add d --size 1G --image "$T/base.qcow2"
expect 2 'no disk bus: use virtio, scsi or sata' "an unknown bus is refused" disk add d --size 1G --bus ide
expect 2 'no cache mode' "an unknown cache mode is refused" disk add d --size 1G --cache fast
expect 2 'vmtui only grows disks' "a shrink is refused" disk resize d vda 64M
expect 3 'VM "d" has no disk "vdz" \(it has vda, sd[a-z], sd[a-z]\)' "an unknown target is named, with the real ones" \
	disk resize d vdz 1G
expect 3 'has no disk "vdz"' "  ... for remove too" disk remove d vdz
"$VMTUI" disk list d --json >"$T/after"
ls "$DISKS" >"$T/files.after"
check "  ... none of them changed the disks or left a file" \
	sh -c "cmp -s '$T/before' '$T/after' && cmp -s '$T/files.before' '$T/files.after'"

# an image from elsewhere: added, then removed with its file kept
"$QEMU_IMG" create -q -f raw "$T/mine.raw" 8M
expect 0 'Added disk vd[a-z] to VM "d"' "disk add --image (raw, told by its bytes)" disk add d --image "$T/mine.raw"
mine=$(sed -n 's/Added disk \(vd[a-z]\) .*/\1/p' "$T/out")
expect 0 '"owned": false' "  ... not vmtui's" disk list d --json
expect 2 'vmtui did not create' "--delete-file of an image vmtui did not make is refused" \
	disk remove d "$mine" --delete-file
expect 0 'Kept .*/mine\.raw\.' "removed without it, the file kept" disk remove d "$mine"
check "  ... and the disk removed" grep -q "Removed disk $mine from VM \"d\"" "$T/out"
check "  ... the file is still there" [ -f "$T/mine.raw" ]

# remove with the file, live
vda_file=$("$VMTUI" disk list d --json | python3 -c 'import json,sys; print([d["path"] for d in json.load(sys.stdin) if d["target"] == "vda"][0])')
expect 0 'Deleted .*/d\.qcow2\.' "disk remove vda --delete-file, running" disk remove d vda --delete-file
check "  ... says it removed the disk" grep -q 'Removed disk vda from VM "d"' "$T/out"
check "  ... the file is gone" [ ! -e "$vda_file" ]
check "  ... and the guest no longer has it" on_guest d "[ ! -e /sys/block/vda ]" 60

# PCI slots run out: the message says what to do, nothing is left
n=0 full=no
while [ $n -lt 12 ]; do
	run disk add d --size 8M
	if [ "$rc" != 0 ]; then full=yes; break; fi
	n=$((n + 1))
done
check "virtio disks hot-plug into the spare slots ($n added) until none is left" eval '[ $full = yes ] && [ $n -ge 4 ]'
check "  ... then the message says to use --bus scsi or shut the VM down" \
	grep -q 'no free PCI slot left for a virtio disk: add it with --bus scsi, which needs none, or shut the VM down' "$T/err"
check "  ... and the refused disk left no file" [ "$(ls "$DISKS" | wc -l)" -eq $((n + 1)) ]
expect 4 'cannot be added to running VM "d": use --bus virtio or scsi' "a SATA disk is refused while it runs" \
	disk add d --size 8M --bus sata

# shut off: the same commands change the definition
expect 0 'Forced VM "d" off' "force it off" destroy d
expect 0 'Added disk sd[a-z] to VM "d"' "a SATA disk is added to the shut-off VM" disk add d --size 8M --bus sata
first=$("$VMTUI" disk list d --json | python3 -c 'import json,sys; print([d["target"] for d in json.load(sys.stdin) if d["bus"] == "virtio"][0])')
expect 0 "Disk $first of VM \"d\" has 16\\.0 MiB now" "disk resize of the shut-off VM (qemu-img)" disk resize d "$first" 16M
expect 0 "^$first +disk +virtio +qcow2 +16\\.0 MiB" "  ... disk list shows it" disk list d
expect 0 'Removed disk' "disk remove of the shut-off VM" disk remove d "$first" --delete-file

# the TUI: the Disks tab, add a disk and insert an ISO by key
export TMUX_TMPDIR="$T"
tui_session 110
see '^ . d +shut off' 15 "the TUI lists the VM"
keys Tab Tab
see 'a adds a disk, r grows one, D removes one, i inserts an ISO, E ejects' 5 "the Disks tab names the keys"
keys a
see 'New disk: its size' 3 "a asks for a size or an image"
keys 24M Enter
see 'Added disk vd[a-z] to VM "d"' 15 "  ... and adds the disk"
see '^  vd[a-z] +disk +virtio +qcow2 .*/disks/' 10 "  ... which the Disks tab shows"
keys i
see 'ISO image to insert' 3 "i asks for an ISO image"
keys "$T/disc.iso" Enter
see 'Inserted .*disc\.iso into CD-ROM sd[a-z] of VM "d"' 15 "  ... and inserts it"
keys q
see 'VMTUI-EXITED 0' 10 "q quits"
tmux kill-session -t "$S" 2>/dev/null
expect 0 '^vd[a-z] +disk +virtio +qcow2 +24\.0 MiB ' "disk list shows the disk the TUI added" disk list d

expect 0 'Deleted VM "d"' "delete --remove-disks" delete d --remove-disks
check "  ... removes every disk vmtui added" sh -c "[ -z \"\$(ls '$DISKS')\" ]"

done_testing

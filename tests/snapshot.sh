#!/bin/sh
# Snapshots of a real guest on an ext4 kit disk (BIOS, qcow2): a token
# file written, a snapshot taken, the file changed, the revert brings the
# token back in the running guest; branches give the right parents; a
# deleted middle snapshot's children move up; a revert says what hardware
# it undoes and needs --yes; shut-off snapshots; what is refused (raw
# disks, no disk, bad names) changes nothing; deleting the VM
# deletes its snapshots' data from the qcow2 file.  Every command is a new
# vmtui process, so the tree is read back from the engine each time.
. "${top_srcdir:-.}/tests/lib.sh"

for p in mkfs.ext4 cpio python3; do
	command -v $p >/dev/null || { echo "Bail out! $p is missing (./setup.sh test installs it)"; exit 1; }
done
guest_kit
QEMU_IMG=${QEMU_IMG:-qemu-img}

check "an ext4 kit disk" kit_disk "$T/root.qcow2"
expect 0 'Created VM "s"' "a VM on it" create s --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" --memory 256M \
	--disk "$T/root.qcow2" --no-graphics --no-network
expect 0 'No snapshots\.' "a new VM has no snapshots" snapshot list s
expect 0 '^\[\]$' "  ... and --json says so" snapshot list s --json
expect 0 'Started VM "s"' "it starts" start s
log=$(serial_log s)
check "  ... and boots from its disk" wait_for "$log" 'VMTUI-GUEST-READY' 60

tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
check "the guest writes at-A-$tok to a file" on_guest s "echo at-A-$tok > /root/data.txt && sync" 10
expect 0 'Took snapshot "A" of VM "s" \(its disks and memory\)\.' "snapshot create A of the running VM" \
	snapshot create s A --description "before the change"
expect 4 'holds its memory too.*leave out --disk-only' "--disk-only of a running BIOS VM is refused, saying why" \
	snapshot create s X --disk-only
expect 4 "its tag inside each of the VM's qcow2 disks, which QEMU cannot rename" \
	"snapshot rename of an internal snapshot is refused, saying why" snapshot rename s A A2
check "the guest writes at-B" on_guest s "echo at-B-$tok > /root/data.txt && sync" 20
expect 0 'Took snapshot "B"' "snapshot create B" snapshot create s B
check "the guest changes the file again" on_guest s "echo after-B-$tok > /root/data.txt && sync" 30
expect 0 '^B \* ' "B is the current snapshot" snapshot list s

expect 2 'Nothing was reverted: add --yes' "revert without --yes only says what it does" snapshot revert s A
check "  ... and says the guest restarts from its saved memory" grep -q 'QEMU restarts with the saved guest' "$T/out"
check "  ... and nothing was reverted (B is still current)" sh -c "'$VMTUI' snapshot list s | grep -q '^B \*'"
id1=$(qemu_pid s)
expect 0 'Reverted VM "s" to snapshot "A"\.' "revert A --yes" snapshot revert s A --yes
check "  ... QEMU was restarted" sh -c "[ -n '$id1' ] && [ '$(qemu_pid s)' != '$id1' ] && [ -n \"\$(cat '$VMTUI_ENGINE_ROOT/run/qemu/s.pid')\" ]"
expect 0 '"state": "running"' "  ... and the VM runs" info s --json
check "  ... and the guest's file holds at-A again" on_guest s "grep -qx at-A-$tok /root/data.txt" 40

expect 0 'Took snapshot "C"' "snapshot C after the revert" snapshot create s C
run snapshot list s --json
check "B and C both have A as parent" python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))}
assert s["A"]["parent"] is None and s["B"]["parent"] == "A" and s["C"]["parent"] == "A", s
assert s["C"]["current"] and not s["B"]["current"] and s["A"]["memory"], s
assert s["A"]["description"] == "before the change"
' "$T/out"
expect 0 'Took snapshot "D"' "snapshot D after C" snapshot create s D
run snapshot list s --tree
check "the tree draws the branches (A, B and C under it, D under C)" sh -c "
	grep -q '^A  ' '$T/out' && grep -q '^├─ B  ' '$T/out' &&
	grep -q '^└─ C  ' '$T/out' && grep -q '^   └─ D \\* ' '$T/out'"
LC_ALL=C LANG=C run snapshot list s --tree
check "  ... in ASCII under LANG=C" sh -c "grep -q '^|- B  ' '$T/out' && grep -q '^   \`- D \\* ' '$T/out'"

expect 0 'Deleted snapshot "C" of VM "s"\.' "deleting the middle snapshot C" snapshot delete s C
run snapshot list s --json
check "  ... moves its child D up to A" python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))}
assert "C" not in s and s["D"]["parent"] == "A", s
' "$T/out"

# hardware changed after a snapshot: the revert lists it and undoes it
expect 0 'Changed VM "s"' "set --vcpus 2 --memory 300M after D" set s --vcpus 2 --memory 300M
expect 0 'vCPUs: 2, back to 1' "snapshot info D lists the vCPUs a revert undoes" snapshot info s D
check "  ... and the memory" grep -q 'Memory: 300 MiB, back to 256 MiB' "$T/out"
expect 0 'Reverted VM "s" to snapshot "D"' "revert to D" snapshot revert s D --yes
check "  ... said what it undid" grep -q 'vCPUs: 2, back to 1' "$T/out"
expect 0 '"vcpus": 1' "  ... and the VM has 1 vCPU again" info s --json

# shut off
expect 0 'Forced VM "s" off' "force the VM off" destroy s
expect 0 'Took snapshot "off" of VM "s" \(its disks\)\.' "a snapshot of the shut-off VM holds its disks" \
	snapshot create s off
expect 0 'Reverted VM "s" to snapshot "A"' "revert the shut-off VM to running A" snapshot revert s A --yes
expect 0 '"state": "running"' "  ... it runs again, from A's memory" info s --json
check "  ... with at-A in the file" on_guest s "grep -qx at-A-$tok /root/data.txt" 50
expect 0 'Reverted VM "s" to snapshot "off"' "revert the running VM to the shut-off snapshot" \
	snapshot revert s off --yes
expect 0 '"state": "shutoff"' "  ... powers it off" info s --json
expect 0 'Reverted VM "s" to snapshot "off"' "revert to off --running" snapshot revert s off --running --yes
expect 0 '"state": "running"' "  ... starts it" info s --json
check "  ... and it boots" wait_for "$log" 'VMTUI-GUEST-READY' 60

# names, descriptions, defaults
expect 0 'Took snapshot "[0-9]{8}-[0-9]{6}" of VM "s"' "a snapshot without a name is named by the time" \
	snapshot create s
expect 0 'Changed the description of snapshot "B"' "snapshot describe" snapshot describe s B "second try"
expect 0 '"description": "second try"' "  ... shows in snapshot info" snapshot info s B --json
expect 0 'Removed the description of snapshot "B"' "an empty description removes it" snapshot describe s B ""
expect 0 '"description": null' "  ... gone (null in JSON)" snapshot info s B --json

# bad input: refused, nothing changed
n_before=$("$VMTUI" snapshot list s --json | grep -c '"name"')
expect 2 'only letters, digits' "a name with a space is refused" snapshot create s "bad name"
expect 2 'does not start with' "a name starting with - is refused" snapshot create s -- -x
expect 2 '1 to 64 characters' "a name of 65 characters is refused" snapshot create s "$(printf 'a%.0s' $(seq 65))"
expect 2 'already has a snapshot "A"' "a name taken is refused" snapshot create s A
expect 3 'VM "s" has no snapshot "nosuch"' "an unknown snapshot is named" snapshot revert s nosuch --yes
expect 3 'nosuch' "  ... for delete too" snapshot delete s nosuch
expect 3 'No VM|not found|nosuchvm' "an unknown VM is named" snapshot create nosuchvm
expect 2 'exclude each other' "--paused with --running is refused" snapshot revert s A --paused --running --yes
check "  ... none of them took or removed a snapshot" \
	[ "$("$VMTUI" snapshot list s --json | grep -c '"name"')" = "$n_before" ]

# what cannot have internal snapshots
"$QEMU_IMG" create -q -f raw "$T/raw.img" 16M
expect 0 'Created VM "r"' "a VM on a raw disk" create r --disk "$T/raw.img" --disk-format raw \
	--kernel "$GUEST_KERNEL" --no-graphics --no-network
expect 4 'is raw: only qcow2 disks hold snapshots\. Convert it' "its snapshot is refused, the conversion offered" \
	snapshot create r
check "  ... naming the command" grep -q 'vmtui disk convert r vda' "$T/err"
expect 0 'Converted disk vda of VM "r" to qcow2: .*\.qcow2\.' "disk convert r vda" disk convert r vda
check "  ... the raw file is kept and said so" sh -c "grep -q 'Kept the raw file .*raw\.img' '$T/out' && [ -f '$T/raw.img' ]"
expect 0 '^vda +disk +virtio +qcow2 +16\.0 MiB ' "  ... the VM's disk is the qcow2 now" disk list r
expect 2 'is qcow2 already' "converting it again is refused" disk convert r vda
expect 0 'Took snapshot "conv" of VM "r"' "  ... and it takes snapshots" snapshot create r conv
expect 0 'Created VM "nd"' "a VM without a disk" create nd --kernel "$GUEST_KERNEL" --no-disk --no-graphics --no-network
expect 4 'has no writable disk' "its snapshot is refused" snapshot create nd
check "  ... and got none" sh -c "'$VMTUI' snapshot list nd | grep -q 'No snapshots'"

# the TUI: the Snapshots tab, take, revert and delete by key
if command -v tmux >/dev/null; then
	export TMUX_TMPDIR="$T"
	tui_session 110
	see '^ . s +running' 15 "the TUI lists the VM"
	keys / s Enter
	keys BTab
	see 'Snapshots' 3 "Shift-Tab from Overview goes to the Snapshots tab"
	see '^  ├─ B ' 5 "  ... which draws the tree"
	see 'z takes a snapshot, Z reverts to one, X deletes one' 1 "  ... with the keys that act on it"
	keys z
	see 'Snapshot of "s" \(its disks and memory\); name' 3 "z asks for a name"
	keys tui1 Enter
	see 'Took snapshot "tui1" of VM "s"' 15 "  ... and takes the snapshot"
	see '^ +(└─|├─) tui1 \* ' 5 "  ... which shows in the tab as the current one"
	keys Z
	see 'Revert to' 3 "Z opens the tree to pick from"
	keys A
	sleep 0.5
	keys Enter
	see 'Revert "s" to "A"\? What happened since is lost' 10 "  ... and asks to type the snapshot's name"
	keys B Enter
	see 'What was typed does not match; nothing was reverted' 3 "  ... the wrong name reverts nothing"
	keys Z
	sleep 0.5
	keys A
	sleep 0.5
	keys Enter
	see 'Type the snapshot' 10 "  ... asked again"
	keys A Enter
	see 'Reverted VM "s" to snapshot "A"' 30 "  ... the right name reverts"
	see '^  A \* ' 10 "  ... and A is current in the tab"
	keys X
	see 'Delete snapshot' 3 "X opens the tree"
	keys tui1
	sleep 0.5
	keys Enter
	see 'Delete snapshot "tui1" of VM "s"\? .*\[y/N\]' 5 "  ... and asks y/N"
	keys y Enter
	see 'Deleted snapshot "tui1" of VM "s"' 10 "  ... y deletes it"
	keys q
	see 'VMTUI-EXITED 0' 10 "q quits"
	check "  ... the revert brought at-A back in the guest's file" on_guest s "grep -qx at-A-$tok /root/data.txt" 60
	check "  ... and tui1 is gone" sh -c "'$VMTUI' snapshot list s >'$T/list' && grep -q '^A \*' '$T/list' && ! grep -q tui1 '$T/list'"
else
	echo "Bail out! tmux is missing (./setup.sh test installs it)"
	exit 1
fi

# deleting the VM deletes its snapshots' data from the disk it keeps
expect 0 'Deleted [0-9]+ snapshots of VM "s"' "delete --force deletes the VM's snapshots first" delete s --force
check "  ... then the VM" grep -q 'Deleted VM "s"' "$T/out"
check "  ... and the kept disk holds no snapshot data" sh -c "[ -z \"\$('$QEMU_IMG' snapshot -l '$T/root.qcow2')\" ]"

done_testing

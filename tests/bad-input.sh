#!/bin/sh
# Bad input on the embedded engine: each mistake gets a specific message
# and a non-zero exit, and leaves nothing half-created (no definition, no
# disk file).
. "${top_srcdir:-.}/tests/lib.sh"

guest_kit
K=$GUEST_KERNEL
disks="$XDG_DATA_HOME/vmtui/disks"

# state_snapshot: the VM list and the disk files, to compare after errors
state_snapshot() {
	"$VMTUI" list --json | sed 's/"cpu_time_ns": [0-9]*//'
	ls -A "$disks" 2>/dev/null
}

expect 0 'Created VM "keep"' "a first VM to keep" create keep --disk-size 64M
before=$(state_snapshot)

expect 2 'The VM name is empty' "empty name" create ""
expect 2 'limit is 64' "overlong name" create "$(printf 'x%.0s' $(seq 65))"
expect 2 "contains '/'" "name with a slash" create "a/b"
expect 2 'control or invisible character \(U\+0009\)' "name with a tab" create "$(printf 'a\tb')"
expect 2 'control or invisible character \(U\+001B\)' "name with an escape" create "$(printf 'a\033b')"
expect 2 'must not start' "name starting with a dash" create -- "-x"
expect 2 'A VM named "keep" already exists' "duplicate name" create keep --disk-size 64M
expect 2 '"0" is not a size' "zero memory" create m0 --memory 0
expect 2 'is too little' "tiny memory" create m1 --memory 1M
expect 2 'more than the host has' "absurd memory" create m2 --memory 64T
expect 2 '--vcpus needs a whole number from 1 to 255, not "0"' "zero vCPUs" create c0 --vcpus 0
expect 2 '--vcpus needs a whole number from 1 to 255, not "100000"' "absurd vCPUs" create c1 --vcpus 100000
expect 2 'needs a whole number' "non-numeric vCPUs" create c2 --vcpus two
# every number an option takes is range-checked where it is parsed: none
# wraps around to a negative time or a huge count
expect 2 '--timeout needs a whole number from 1 to 3600, not "2147484"' \
	"a global --timeout past what a millisecond count holds" --timeout 2147484 list
expect 2 '--timeout needs a whole number from 1 to 3600, not "99999999999999999999"' \
	"  ... and one past what strtoll reads" --timeout 99999999999999999999 list
expect 2 '--timeout needs a whole number from 1 to 3600, not "-5"' "  ... and a negative one" --timeout -5 list
expect 2 '--timeout needs a whole number from 1 to 3600, not "4294967297"' \
	"shutdown --timeout that would wrap" shutdown keep --timeout 4294967297
expect 2 '--timeout needs a whole number from 1 to 604800' "events --timeout past a week" events --timeout 2147484
expect 2 '--vcpus needs a whole number from 1 to 255, not "4294967297"' \
	"a vCPU count that wraps to 1 in 32 bits" set keep --vcpus 4294967297
expect 2 '"12Q" is not a size' "bad disk size" create d0 --disk-size 12Q
expect 2 'at least 1 MiB' "disk too small" create d1 --disk-size 10K
expect 2 'ISO image /nonexistent/x.iso cannot be used: No such file' "missing ISO" create i0 --iso /nonexistent/x.iso
expect 2 'kernel /nonexistent/vmlinuz cannot be used: No such file' "missing kernel" create k0 --kernel /nonexistent/vmlinuz
expect 2 'initrd needs a kernel' "initrd without kernel" create k1 --initrd "$GUEST_INITRD"
expect 2 'disk image /nonexistent.qcow2 cannot be used' "missing disk image" create x0 --disk /nonexistent.qcow2
"${QEMU_IMG:-qemu-img}" create -q -f qcow2 -b /etc/shadow -F raw "$T/hostile.qcow2" 1M 2>/dev/null ||
	"${QEMU_IMG:-qemu-img}" create -q -f qcow2 -o backing_file=/etc/shadow,backing_fmt=raw "$T/hostile.qcow2" 1M
expect 2 'hostile.qcow2 has a backing file \(/etc/shadow\): refused' "image with a backing file to /etc/shadow" create x1 --disk "$T/hostile.qcow2"
expect 2 'hostile.qcow2 has a backing file \(/etc/shadow\): refused' "  ... also with --disk-format qcow2" create x1 --disk "$T/hostile.qcow2" --disk-format qcow2
"${QEMU_IMG:-qemu-img}" create -q -f qcow2 -o "data_file=$T/data.raw,data_file_raw=on" "$T/datafile.qcow2" 1M
expect 2 'datafile.qcow2 refers to an external data file' "image with an external data file" create x1 --disk "$T/datafile.qcow2"
expect 2 'datafile.qcow2 refers to an external data file' "  ... also with --disk-format qcow2" create x1 --disk "$T/datafile.qcow2" --disk-format qcow2
# a raw disk whose first bytes are a qcow2 image backed by /etc/shadow (what
# a guest can write to its own raw disk): told from its bytes it is that
# qcow2, refused; QEMU is never left to probe it
head -c 16M /dev/zero >"$T/hdr.img"
dd if="$T/hostile.qcow2" of="$T/hdr.img" conv=notrunc status=none
expect 2 'hdr.img has a backing file \(/etc/shadow\): refused' "a raw image starting with a qcow2 header naming /etc/shadow" create x1 --disk "$T/hdr.img"
expect 2 'hdr.img has a backing file \(/etc/shadow\): refused' "  ... also with --disk-format qcow2" create x1 --disk "$T/hdr.img" --disk-format qcow2
expect 2 '"vpc" is not a disk image format vmtui takes' "an unknown --disk-format" create x1 --disk "$T/hdr.img" --disk-format vpc
expect 2 'firmware must be bios or uefi' "bad firmware" create f0 --firmware coreboot
expect 2 'path contains a control character' "kernel path with a newline" create k2 --kernel "$(printf '/tmp/a\nb')"
expect 2 'Give either --disk or --disk-size' "conflicting disk options" create x2 --disk "$K" --disk-size 1G
expect 3 'There is no VM named "ghost"' "unknown VM: start" start ghost
expect 3 'There is no VM named "ghost"' "unknown VM: delete" delete ghost
expect 4 'is not running' "shutdown of a VM that is off" shutdown keep
expect 4 'is not running' "destroy of a VM that is off" destroy keep
expect 4 'is not (running|paused)' "resume of a VM that is off" resume keep
expect 2 'Nothing to change' "set without changes" set keep
expect 2 'A VM named "keep" already exists' "rename onto an existing name" rename keep keep
expect 2 "contains '/'" "rename to a bad name" rename keep "a/b"
after=$(state_snapshot)
check "failures left no VM definition or disk behind" [ "$before" = "$after" ]
[ "$before" = "$after" ] || diag "before: $before" "after: $after"

# The format of every disk is in the definition, as vmtui told it.
"${QEMU_IMG:-qemu-img}" create -q -f raw "$T/plain.img" 16M
expect 0 'Created VM "plain"' "create on a plain raw image" create plain --disk "$T/plain.img"
check "  ... its definition names the format raw" \
	sh -c "'$VMTUI' dumpxml plain | grep -q \"<driver name='qemu' type='raw'/>\""
# the same bytes as above, named raw: data for the guest, not a qcow2
expect 0 'Created VM "hdr"' "the raw image with a qcow2 header, given --disk-format raw" \
	create hdr --disk "$T/hdr.img" --disk-format raw
check "  ... its definition names the format raw" \
	sh -c "'$VMTUI' dumpxml hdr | grep -q \"<driver name='qemu' type='raw'/>\""
expect 0 'Deleted VM "plain"' "delete it" delete plain
expect 0 'Deleted VM "hdr"' "delete the other" delete hdr

# Engine roots that cannot work.
VMTUI_ENGINE_ROOT=relative/root expect 2 'is a relative path' "relative engine root" list
VMTUI_ENGINE_ROOT="/tmp/$(printf 'r%.0s' $(seq 60))" expect 2 '108-byte limit' "engine root too long for socket paths" list
: >"$T/plainfile"
VMTUI_ENGINE_ROOT="$T/plainfile/e" expect 5 'Cannot use .*plainfile/e as the engine root' "engine root under a file" list
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/ro" && chmod 755 "$T/ro" && chmod 711 "$T"
	VMTUI_ENGINE_ROOT="$T/ro/e" XDG_DATA_HOME="$T/ro/data" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMTUI" list >"$T/out" 2>"$T/err"
	rc=$?
	check "unwritable engine root: exit 5 naming the folder" \
		sh -c "[ $rc -eq 5 ] && grep -q 'Cannot use $T/ro/e as the engine root: Permission denied' '$T/err'"
	[ $rc -eq 5 ] || diag "exit $rc: $(cat "$T/err")"
fi
VMTUI_ACCEL=warp expect 2 'VMTUI_ACCEL="warp" must be auto, kvm or tcg' "bad VMTUI_ACCEL" list

# A kernel file that is not a kernel: QEMU refuses to start, vmtui says so.
# (its setup header claims 128 KiB of setup code in an 8 KiB file)
head -c 8192 /dev/zero >"$T/junk-kernel"
printf '\377' | dd of="$T/junk-kernel" bs=1 seek=497 conv=notrunc 2>/dev/null
expect 0 'Created' "a VM with a corrupt kernel is defined" create junk --kernel "$T/junk-kernel" --no-disk --memory 128M
expect 1 'Cannot start VM "junk"' "starting it fails with the reason" start junk
grep -qi 'kernel' "$T/err" && ok "the reason mentions the kernel" || { not_ok "the reason mentions the kernel"; diag "$(cat "$T/err")"; }
check "and it is left shut off" [ "$(state junk)" = shutoff ]

# A guest that never boots and ignores ACPI: shutdown times out clearly,
# then force off works.
create_guest hang hang vmtui.panic=1
expect 0 'Started' "a guest that never boots starts" start hang
expect 6 'did not power off within 3 s.*vmtui destroy hang' "its shutdown times out with advice" shutdown hang --timeout 3
check "it is still running after the timeout" [ "$(state hang)" = running ]
expect 0 'Forced VM "hang" off' "destroy forces it off" destroy hang
expect 0 'Deleted VM "hang"' "and it can be deleted" delete hang
done_testing

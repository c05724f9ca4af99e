#!/bin/sh
# A real guest on the embedded engine (TCG): create -> start -> marker on
# the serial console -> ACPI shutdown -> delete; guests outlive vmtui and
# the next vmtui controls them; set changes the definition (the boot
# order at the next power cycle); disks vmtui made go with --remove-disks;
# the same as an ordinary user.
. "${top_srcdir:-.}/tests/lib.sh"

# boot_is DESCRIPTION WANT DUMPXML-ARGS...: the <os><boot dev=…> values
# of the VM's XML, in order and space-separated, are WANT.
boot_is() {
	desc=$1 want=$2
	shift 2
	got=$("$VMTUI" dumpxml "$@" | sed -n "s/.*<boot dev='\([a-z]*\)'\/>.*/\1/p" | tr '\n' ' ')
	if [ "$got" = "$want " ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "dumpxml $*: <boot dev> values \"$got\", want \"$want\""
	fi
}

guest_kit
token=tok$$-$(date +%s)

check "create a guest that boots the kit's kernel" create_guest g1 "$token"
expect 0 'Started VM "g1"' "start it" start g1
log=$(serial_log g1)
check "it has a serial log ($log)" [ -n "$log" ]
if wait_for "$log" "VMTUI-MARKER $token" 30; then
	ok "the guest reaches its marker on the serial console"
else
	not_ok "the guest reaches its marker on the serial console"
	diag "serial log:" "$(tail -n 20 "$log" 2>/dev/null)"
fi
expect 0 '^g1 +running +1 +256 MiB' "list shows it running" list
check "list --json agrees" sh -c "'$VMTUI' list --json | grep -q '\"state\": \"running\"'"
expect 0 'Accelerator: +tcg' "info says TCG" info g1
expect 4 'is running; shut it down first' "delete refuses while it runs" delete g1
expect 4 'only be renamed while shut off' "rename refuses while it runs" rename g1 g2

# Guests outlive vmtui: each command above was its own vmtui process.
pid1=$(qemu_pid g1)
check "the guest has a QEMU process ($pid1)" kill -0 "$pid1"
expect 0 'Paused VM "g1"' "the next vmtui can pause it" suspend g1
expect 0 '^g1 +paused' "list shows paused" list
expect 0 'Resumed VM "g1"' "and resume it" resume g1
check "same QEMU process throughout" [ "$(qemu_pid g1)" = "$pid1" ]
expect 0 'Changed VM "g1"; the change takes effect at its next start' \
	"set on a running guest says when it applies" set g1 --vcpus 2
expect 0 'Changed VM "g1"; the change takes effect at its next start' \
	"set --boot on a running guest says it needs a power cycle" set g1 --boot network,cdrom,hd
boot_is "dumpxml --inactive has the new <os><boot> elements in order" \
	"network cdrom hd" g1 --inactive
boot_is "the running guest keeps the order it started with" hd g1

: >"$T/before"
cp "$log" "$T/before"
expect 0 'has powered off' "ACPI shutdown powers it off" shutdown g1 --timeout 30
check "the guest logged its power-off" grep -q VMTUI-GUEST-POWEROFF "$log"
check "its QEMU process is gone" sh -c "! kill -0 $pid1 2>/dev/null"
expect 0 '^g1 +shut off +2 ' "list shows it off with the new vCPU count" list

expect 0 'Renamed VM "g1" to "renamed"' "rename while off" rename g1 renamed
expect 0 'Changed VM "renamed"\.$' "set memory while off" set renamed --memory 300M
expect 0 'Memory \(MiB\): +300' "info shows the new memory" info renamed
expect 0 'Changed VM "renamed"' "set a description with markup characters" \
	set renamed --description 'web <1> & "db"'
expect 0 'Description: +web <1> & "db"' "info shows it exactly" info renamed
expect 0 'Boot order: +network \(PXE\), CD-ROM, hard disk$' \
	"the boot order set while it ran is there after the power cycle" info renamed
"$VMTUI" dumpxml --inactive renamed >"$T/xml-before"
expect 2 'The boot order "hd,cdrom,hd" names hd twice' "a boot order naming a device twice is refused" \
	set renamed --vcpus 3 --boot hd,cdrom,hd
expect 2 '"usb" is not a boot device' "  ... naming the unknown device" set renamed --vcpus 3 --boot hd,usb
"$VMTUI" dumpxml --inactive renamed >"$T/xml-after"
check "  ... and changes nothing, not even the vCPUs given with it" cmp -s "$T/xml-before" "$T/xml-after"
expect 0 'Changed VM "renamed"\.$' "set --boot on a shut-off guest" set renamed --boot cdrom,hd
boot_is "dumpxml --inactive shows the new order" "cdrom hd" renamed --inactive
expect 2 'description contains a control character' "a description with a control character is refused" \
	set renamed --description "$(printf 'bell\a')"
expect 0 'Deleted VM "renamed"' "delete" delete renamed
expect 3 'no VM named "renamed"' "it is gone" info renamed

# Disks: created with the VM, kept or removed on delete.
expect 0 'Created VM "d1"' "create with a new 64 MiB disk and a boot order" \
	create d1 --disk-size 64M --no-graphics --boot network,hd
boot_is "the boot order is in its definition" "network hd" d1 --inactive
disk=$("$VMTUI" info --json d1 | sed -n 's/.*"disks": \[{"path": "\([^"]*\)".*/\1/p')
check "the disk is a qcow2 file of 64 MiB" sh -c "'${QEMU_IMG:-qemu-img}' info '$disk' | grep -q 'virtual size: 64 MiB'"
expect 0 "Removed disk $disk" "delete --remove-disks removes it" delete d1 --remove-disks
check "the file is gone" [ ! -e "$disk" ]
expect 0 'Created VM "d2"' "create another" create d2 --disk-size 64M
disk2=$("$VMTUI" info --json d2 | sed -n 's/.*"disks": \[{"path": "\([^"]*\)".*/\1/p')
expect 0 "Kept disk $disk2" "plain delete keeps the disk" delete d2
check "the file is still there" [ -f "$disk2" ]
"${QEMU_IMG:-qemu-img}" create -q -f raw "$T/mine.img" 16M
expect 0 'Created VM "d3"' "create on an existing raw image" create d3 --disk "$T/mine.img"
expect 0 'Kept disk .*mine.img \(vmtui did not create it\)' \
	"--remove-disks keeps images vmtui did not create" delete d3 --remove-disks
check "the user's image is untouched" [ -f "$T/mine.img" ]

# A guest that powers itself off shows up as off; `events` reports it.
check "create a second guest" create_guest g3 "$token-3"
"$VMTUI" events --timeout 60 >"$T/events" 2>&1 &
BG_PIDS="$BG_PIDS $!"
ev=$!
sleep 1
expect 5 "in use by process $ev" "a second vmtui is told which process holds the engine" start g3
kill -TERM "$ev"
wait "$ev" 2>/dev/null
expect 0 'Started VM "g3"' "start it once the other vmtui left" start g3
wait_for "$(serial_log g3)" "VMTUI-MARKER $token-3" 30
expect 0 'Forced VM "g3" off' "force it off" destroy g3

# A guest that died while no vmtui ran is never shown as still running.
expect 0 'Started VM "g3"' "start it again" start g3
p3=$(qemu_pid g3)
kill -9 "$p3"
expect 0 '^g3 +(shut off|crashed)' "after its QEMU died behind vmtui's back, list shows it off" list

# UEFI firmware (OVMF) with direct kernel boot.
"$VMTUI" create u1 --firmware uefi --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests vmtui.marker=uefi-$token" \
	--memory 256M --no-disk --no-graphics >"$T/out" 2>&1
check "create a UEFI guest" grep -q 'Created VM "u1"' "$T/out"
expect 0 "<os firmware='efi'>" "its definition asks for EFI firmware" dumpxml u1
expect 0 'Firmware: +uefi' "info says UEFI" info u1
expect 0 'Started VM "u1"' "start it" start u1
expect 0 "<loader .*type='pflash'.*OVMF" "libvirt picked OVMF for it" dumpxml u1
check "the UEFI guest boots to its marker" wait_for "$(serial_log u1)" "VMTUI-MARKER uefi-$token" 120
expect 0 'Forced VM "u1" off' "force it off" destroy u1

# An ordinary user gets the embedded engine too.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	U="$T/user"
	mkdir -p "$U" && chown 65534:65534 "$U" && chmod 711 "$T"
	cp "$GUEST_KERNEL" "$GUEST_INITRD" "$U/" && chown 65534 "$U"/*
	as_user() {
		HOME="$U" XDG_DATA_HOME="$U/data" XDG_CONFIG_HOME="$U/config" \
		VMTUI_ENGINE_ROOT="$U/e" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$VMTUI" "$@" >"$T/out" 2>"$T/err"
	}
	as_user create ug --kernel "$U/vmlinuz" --initrd "$U/initrd.img" \
		--cmdline "console=ttyS0 quiet vmtui.marker=user-$token" --memory 256M --no-disk --no-graphics
	check "as an ordinary user: create" [ $? -eq 0 ]
	as_user start ug
	check "as an ordinary user: start" grep -q 'Started VM "ug"' "$T/out"
	[ -s "$T/err" ] && diag "$(cat "$T/err")"
	ulog=$(ls "$U"/data/vmtui/logs/*-serial.log 2>/dev/null | head -n 1)
	check "as an ordinary user: the guest boots" wait_for "$ulog" "VMTUI-MARKER user-$token" 30
	upid=$(cat "$U/e/run/qemu/ug.pid" 2>/dev/null)
	check "as an ordinary user: QEMU runs as that user" \
		[ "$(stat -c %u "/proc/$upid" 2>/dev/null)" = 65534 ]
	as_user destroy ug
	check "as an ordinary user: destroy" grep -q 'Forced VM "ug" off' "$T/out"
fi
done_testing

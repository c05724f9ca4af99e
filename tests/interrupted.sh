#!/bin/sh
# kill -9 in the middle of the runs that write hundreds of MB: an OVA
# export (a full-size VMDK in staging, a temporary .NAME.ova.* beside the
# target), an OVA import (a disk being converted into the disks folder,
# the staging folder) and an image import (a staging file being
# decompressed).  The next vmtui removes what the killed run left and
# says what it removed; a run whose VM may have been defined waits for a
# vmtui on its engine.  (Provisioning runs, which use the same journal,
# are killed in tests/templates.sh.)
. "${top_srcdir:-.}/tests/lib.sh"

QI=${QEMU_IMG:-qemu-img}
DATA="$XDG_DATA_HOME/vmtui"
mkdir -p "$T/src"

# size FILE: its size in bytes, 0 when it is not there
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# first GLOB: the first path GLOB names, or nothing
first() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done; }
# start_bg ARGS...: vmtui ARGS in the background, its pid in $bg
start_bg() {
	"$VMTUI" "$@" >"$T/bg.out" 2>&1 &
	bg=$!
	BG_PIDS="$BG_PIDS $bg"
}
# kill_when GLOB MIN: kill -9 the background vmtui once a file GLOB names
# exists with at least MIN bytes (within 120 s); the file in $victim
kill_when() {
	victim=
	i=0
	while [ $i -lt 6000 ] && kill -0 "$bg" 2>/dev/null; do
		# shellcheck disable=SC2086 # $1 is a glob
		victim=$(first $1)
		[ -n "$victim" ] && [ "$(size "$victim")" -ge "$2" ] && break
		victim=
		sleep 0.02
		i=$((i + 1))
	done
	kill -9 "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
}
# reported ARGS...: the next vmtui ARGS, its report (standard error) in
# $T/err
reported() {
	"$VMTUI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# says DESC PATTERN...: it succeeded and its report has a line matching
# each (basic) regex PATTERN
says() {
	desc=$1
	shift
	good=$([ "$rc" = 0 ] && echo yes)
	for p in "$@"; do grep -q -- "$p" "$T/err" || good=; done
	if [ -n "$good" ]; then ok "$desc"; else not_ok "$desc"; diag "exit $rc:" "$(cat "$T/out" "$T/err")"; fi
}

# ---- a VM with 300 MiB of data on its disk -----------------------------------
head -c 300M /dev/urandom >"$T/src/data.raw"
"$QI" convert -q -f raw -O qcow2 "$T/src/data.raw" "$T/src/big.qcow2"
expect 0 'Created VM "big"' "a VM whose disk holds 300 MiB of data" \
	create big --disk "$T/src/big.qcow2" --disk-format qcow2 --no-graphics

# ---- ova export -------------------------------------------------------------
start_bg ova export big "$T/big.ova"
kill_when "$DATA/staging/export-*/big-disk1.vmdk" $((20 << 20))
check "kill -9 while the export converts its disk (a VMDK of $(($(size "$victim") >> 20)) MiB in staging)" \
	[ -n "$victim" ] && [ -e "$victim" ]
staged=$(dirname "$victim")
reported image list
says "the next vmtui, even without an engine (image list), removes the staging folder and says so" \
	"^Removed what an interrupted ova export left: $staged ([0-9.]* MiB)\\.$"
check "  ... it is gone" [ ! -e "$staged" ]
check "  ... and so is the run's journal" [ -z "$(ls -A "$DATA/journal" 2>/dev/null)" ]
reported image list
check "  ... the vmtui after that has nothing to say" [ ! -s "$T/err" ]

start_bg ova export big "$T/big.ova"
kill_when "$T/.big.ova.*" 1
tmp=$victim
staged=$(first "$DATA"/staging/export-*)
check "kill -9 while the export writes the OVA beside its target ($(basename "$tmp"))" \
	[ -n "$tmp" ] && [ -e "$tmp" ] && [ -n "$staged" ]
check "  ... leaving no OVA at the target" [ ! -e "$T/big.ova" ]
reported image list
says "the next vmtui removes the temporary OVA and the full-size VMDK in staging, naming both" \
	"^Removed what an interrupted ova export left: " "$staged ([0-9.]* [MG]iB)" "$tmp ([0-9.]* [KMG]iB)"
diag "$(cat "$T/err")"
check "  ... both are gone" eval '[ ! -e "$tmp" ] && [ ! -e "$staged" ]'

# ---- ova import ---------------------------------------------------------------
expect 0 'Exported VM "big"' "an export that runs to its end" ova export big "$T/big.ova"
start_bg ova import "$T/big.ova" --name imp
kill_when "$DATA/disks/imp-disk1.qcow2" $((20 << 20))
disk=$victim
staged=$(first "$DATA"/staging/ova-*)
check "kill -9 while the import converts the disk ($(($(size "$disk") >> 20)) MiB in the disks folder)" \
	[ -n "$disk" ] && [ -e "$disk" ] && [ -n "$staged" ]
"$VMTUI" image list >"$T/out" 2>"$T/err"
check "a vmtui without the engine leaves them: the VM may have been defined there" \
	[ -e "$disk" ] && [ -e "$staged" ] && [ ! -s "$T/err" ]
"$VMTUI" -c test:///default list >"$T/out" 2>"$T/err"
check "  ... and so does one on another engine" eval '[ -e "$disk" ] && [ ! -s "$T/err" ]'
reported list
says "the next vmtui on the engine removes the disk and the staging folder, naming them" \
	"^Removed what an interrupted ova import left: " "$disk ([0-9.]* MiB)" "$staged ([0-9.]* MiB)"
diag "$(cat "$T/err")"
check "  ... they are gone" eval '[ ! -e "$disk" ] && [ ! -e "$staged" ]'
check "  ... and no VM imp is defined" sh -c "! grep -q '^imp ' '$T/out'"

# ---- image import -------------------------------------------------------------
gzip -1 -c "$T/src/data.raw" >"$T/src/data.raw.gz"
rm -f "$T/src/data.raw"
start_bg image import "$T/src/data.raw.gz" --name data
kill_when "$DATA/images/.staging/import-img-*" $((20 << 20))
check "kill -9 while an image import decompresses ($(($(size "$victim") >> 20)) MiB in staging)" \
	[ -n "$victim" ] && [ -e "$victim" ]
reported image list
says "the next vmtui removes the staging file and says so" \
	"^Removed what an interrupted image import left: $victim ([0-9.]* MiB)\\.$"
check "  ... it is gone" [ ! -e "$victim" ]
check "  ... and the store holds nothing" [ -z "$(ls -A "$DATA/images" | grep -v '^\.staging$')" ]
check "no journal is left" [ -z "$(ls -A "$DATA/journal" 2>/dev/null)" ]
done_testing

#!/bin/sh
# What a small hostile file can make vmtui write or define, bounded by
# the [limits] settings: a 20 KiB zstd image of 200 MiB of data, an OVA
# whose disk is a sparse tar entry of 3 GiB, an OVA of 600 blank 16 TiB
# disks, a streamOptimized VMDK that unpacks to a hundred times its size;
# and imports that would fill the file system stop before it is full.
# The data dir is a 64 MiB tmpfs the test mounts, configured with
# [limits] reserve = 8M: after every refusal nothing is left in it (no
# image, staging file, disk or journal) and no VM is defined, and while
# each import ran the file system kept its 8 MiB free (a watcher samples
# its free space as fast as it can).
. "${top_srcdir:-.}/tests/lib.sh"

QI=${QEMU_IMG:-qemu-img}
[ "$(id -u)" = 0 ] || skip_all "mounting a tmpfs needs root"
for tool in python3 zstd gzip; do
	command -v "$tool" >/dev/null || { echo "Bail out! $tool is missing"; exit 1; }
done
DATA="$XDG_DATA_HOME/vmtui"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/vmtui" "$T/src"
mount -t tmpfs -o size=64m vmtui-test "$XDG_DATA_HOME" ||
	skip_all "cannot mount a tmpfs here"
trap 'umount "$XDG_DATA_HOME" 2>/dev/null || umount -l "$XDG_DATA_HOME"; cleanup' EXIT
printf '[limits]\nreserve = 8M\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
RESERVE=$((8 << 20))

# watched ARGS...: run vmtui ARGS (as run does) while a watcher records
# the least free space the data dir had, in $least
watched() {
	rm -f "$T/watch.stop" "$T/watch.ready" "$T/least"
	python3 -c '
import os, sys
d, out, stop, ready = sys.argv[1:]
least = None
open(ready, "w").close()
while least is None or not os.path.exists(stop):
    v = os.statvfs(d)
    f = v.f_bavail * v.f_frsize
    if least is None or f < least:
        least = f
open(out, "w").write("%d\n" % least)' "$XDG_DATA_HOME" "$T/least" "$T/watch.stop" "$T/watch.ready" &
	wpid=$!
	BG_PIDS="$BG_PIDS $wpid"
	i=0
	while [ ! -e "$T/watch.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	run "$@"
	: >"$T/watch.stop"
	wait "$wpid"
	least=$(cat "$T/least" 2>/dev/null || echo 0)
}

# left: files in the data dir but the engine's logs
left() {
	find "$DATA" -path "$DATA/log" -prune -o -path "$DATA/logs" -prune -o -type f -print 2>/dev/null
}

# bounded RC PATTERN DESC ARGS...: vmtui ARGS exits RC saying PATTERN,
# the file system kept its reserve meanwhile, nothing is left in the data
# dir and no VM named evil is defined
bounded() {
	want=$1 pat=$2 desc=$3
	shift 3
	watched "$@"
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$pat" "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "vmtui $* -> exit $rc (want $want), output:" "$(cat "$T/out" "$T/err")"
	fi
	if [ "$least" -ge "$RESERVE" ]; then
		ok "  ... the file system kept its reserve (at least $((least >> 20)) MiB free)"
	else
		not_ok "  ... the file system kept its reserve (8 MiB)"
		diag "the least free space seen: $least bytes"
	fi
	l=$(left)
	"$VMTUI" list >"$T/list" 2>&1
	if [ -z "$l" ] && ! grep -q '^evil ' "$T/list"; then
		ok "  ... nothing is left: no image, staging file, disk or journal, no VM"
	else
		not_ok "  ... nothing is left"
		diag "left: $l" "$(cat "$T/list")"
	fi
}

# ---- a good OVA to start from --------------------------------------------
python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(7).randbytes(1 << 20))' >"$T/src/data.raw"
"$QI" convert -q -f raw -O qcow2 "$T/src/data.raw" "$T/src/orig.qcow2"
expect 0 'Created VM "orig"' "a VM with a small disk" \
	create orig --disk "$T/src/orig.qcow2" --disk-format qcow2 --no-graphics
expect 0 'Exported VM "orig"' "exported to an OVA" ova export orig "$T/src/orig.ova"
# a VMDK of 40 MiB of the same non-zero bytes: some 400 KiB
yes | head -c 40M >"$T/src/y.raw"
"$QI" convert -q -f raw -O vmdk -o subformat=streamOptimized "$T/src/y.raw" "$T/src/bomb.vmdk"
# and one of 96 MiB, more than the file system holds
yes | head -c 96M >"$T/src/y.raw"
"$QI" convert -q -f raw -O vmdk -o subformat=streamOptimized "$T/src/y.raw" "$T/src/big.vmdk"
rm -f "$T/src/y.raw"
: >"$T/canary"
python3 "$top_srcdir/tests/ova-craft.py" "$T/src/orig.ova" "$T/cases" "$T/canary" \
	"$T/src/orig.qcow2" "$T/src/bomb.vmdk" >"$T/craft.log" 2>&1
mkdir -p "$T/big" && python3 "$top_srcdir/tests/ova-craft.py" "$T/src/orig.ova" "$T/big" \
	"$T/canary" "$T/src/orig.qcow2" "$T/src/big.vmdk" >>"$T/craft.log" 2>&1
check "tests/ova-craft.py builds the cases" \
	[ -s "$T/cases/tar-sparse-gnu.ova" ] && [ -s "$T/cases/ovf-many-disks.ova" ] && [ -s "$T/big/disk-bomb.ova" ]
diag "sizes: $(cd "$T/cases" && ls -l tar-sparse-gnu.ova tar-sparse-pax.ova ovf-many-disks.ova disk-bomb.ova | awk '{print $9 " " $5}' | tr '\n' ' ')"
expect 0 'Deleted VM "orig"' "the VM goes (its disk stays outside the data dir)" delete orig
"$VMTUI" image list >/dev/null 2>&1 # the journal folder, made once
check "the data dir starts empty" [ -z "$(left)" ]

# ---- image import ----------------------------------------------------------
yes | head -c 200M | zstd -19 -q -c >"$T/src/bomb.raw.zst"
diag "the zstd bomb: $(stat -c %s "$T/src/bomb.raw.zst") bytes of 200 MiB"
bounded 1 'bomb\.raw\.zst unpacks to more than 100 times what was read of it \(.* of data from .*, \[limits\] expansion\): refused' \
	"a zstd image of 200 MiB of repeated bytes is refused past [limits] expansion" \
	image import "$T/src/bomb.raw.zst" --name evil
printf '[limits]\nreserve = 8M\nexpansion = 100000\n' >"$T/more.conf"
bounded 1 "Not enough free space in $DATA/images/\\.staging for .*bomb\\.raw\\.zst: it needs .* more, .* are free and vmtui keeps 8\\.0 MiB free \\(\\[limits\\] reserve\\)" \
	"  ... with a larger expansion, it stops before the file system is full" \
	--config "$T/more.conf" image import "$T/src/bomb.raw.zst" --name evil
head -c 80M /dev/urandom >"$T/src/big.raw"
bounded 1 "Not enough free space in $DATA/images/\\.staging for .*big\\.raw: it needs 80\\.0 MiB more" \
	"an 80 MiB image onto 64 MiB is refused before a byte is written" \
	image import "$T/src/big.raw" --name evil
gzip -1 -c "$T/src/big.raw" >"$T/src/big.raw.gz"
bounded 1 "Not enough free space in .* for .*big\\.raw\\.gz: .*vmtui keeps 8\\.0 MiB free \\(\\[limits\\] reserve\\)" \
	"  ... gzip-compressed (its size unknown), it stops as it grows, before the file system is full" \
	image import "$T/src/big.raw.gz" --name evil
rm -f "$T/src/big.raw" "$T/src/big.raw.gz"
printf '[limits]\nreserve = 8M\ndisk-size = 16M\n' >"$T/small.conf"
bounded 1 'bomb\.raw\.zst unpacks to more than 16\.0 MiB, the largest disk vmtui takes \(\[limits\] disk-size\): refused' \
	"an image that unpacks past [limits] disk-size is refused" \
	--config "$T/small.conf" image import "$T/src/bomb.raw.zst" --name evil

# ---- OVA import -------------------------------------------------------------
bounded 1 'OVA entry "orig-disk1\.vmdk": a sparse file \(an OVA is a plain ustar archive\): refused' \
	"an OVA whose disk is a GNU sparse entry of 3 GiB is refused, naming the entry" \
	ova import "$T/cases/tar-sparse-gnu.ova" --name evil
bounded 1 'OVA entry "orig-disk1\.vmdk": a sparse file' \
	"  ... and a pax sparse entry" ova import "$T/cases/tar-sparse-pax.ova" --name evil
bounded 1 'The OVF declares 601 disks; vmtui takes at most 16 \(\[limits\] disks\): refused' \
	"an OVA of 600 blank 16 TiB disks is refused past [limits] disks" \
	ova import "$T/cases/ovf-many-disks.ova" --name evil
bounded 1 'OVF disk capacity "18691697672192" \(units "byte"\): more than vmtui takes \(at most 16\.0 TiB, \[limits\] disk-size\): refused' \
	"a blank disk of 17 TiB is refused past [limits] disk-size" \
	ova import "$T/cases/ovf-huge-blank.ova" --name evil
printf '[limits]\nreserve = 8M\nexpansion = 20\n' >"$T/x20.conf"
bounded 1 'OVA disk "orig-disk1\.vmdk" unpacks to 40\.[0-9] MiB of data, more than 20 times the .* it takes \(\[limits\] expansion\): refused' \
	"a VMDK of 40 MiB of repeated bytes is refused past [limits] expansion = 20" \
	--config "$T/x20.conf" ova import "$T/cases/disk-bomb.ova" --name evil
printf '[limits]\nreserve = 8M\nexpansion = 1000\n' >"$T/x1000.conf"
bounded 1 "Not enough free space in $DATA/disks for OVA disk \"orig-disk1\\.vmdk\": it needs 9[0-9]\\.[0-9] MiB more" \
	"  ... one of 96 MiB, with expansion = 1000, is refused for the room it needs, before qemu-img writes" \
	--config "$T/x1000.conf" ova import "$T/big/disk-bomb.ova" --name evil
expect 0 'Imported VM "fits"' "  ... and the one of 40 MiB, with expansion = 1000, fits and is imported" \
	--config "$T/x1000.conf" ova import "$T/cases/disk-bomb.ova" --name fits
expect 0 'Deleted VM "fits"' "  ... (deleted with its disk)" delete fits --remove-disks
check "  ... nothing is left" [ -z "$(left)" ]
done_testing

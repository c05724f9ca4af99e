#!/bin/sh
# bench/snapshot-uefi.sh — vmtui's own revert of a UEFI VM's external
# snapshot (taken running: the guest comes back with its memory) against
# what a user does without one: a full power cycle, force off and start,
# to the guest's ready line again.  Same guest, same run.
#
#   sh bench/snapshot-uefi.sh [VMTUI]      (ROUNDS=3 by default)
#
# The guest is the test kit booting from an ext4 qcow2 disk through OVMF,
# 256 MiB, on a private embedded engine.  Each round, in alternating
# order:
#   revert  `vmtui snapshot revert g A --yes`, until it returns (the guest
#           runs again where it was when A was taken)
#   cycle   `vmtui destroy g` + `vmtui start g`, until the guest's serial
#           log has one more ready line
# Prints the medians and the ratio revert / cycle.  Exits 1 only when
# something does not work, never because of a time.
set -eu

BENCH=snapshot-uefi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
ROUNDS=${ROUNDS:-3}
positive ROUNDS "$ROUNDS"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI")
for p in mkfs.ext4 cpio qemu-img python3; do
	command -v $p >/dev/null 2>&1 || die "$p is missing"
done

tmp=$(mktemp -d /tmp/vb.XXXXXX)
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg
finish() {
	set +e
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f" 2>/dev/null)" 2>/dev/null
	done
	sleep 0.2
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sh "$here/../tests/guest/build.sh" "$tmp/kit" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
kit_disk "$tmp/kit" "$tmp/root.qcow2"

V() { "$VMTUI" "$@" >"$tmp/out" 2>&1 || die "vmtui $* failed: $(cat "$tmp/out")"; }
V create g --firmware uefi --kernel "$tmp/kit/vmlinuz" --initrd "$tmp/kit/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
	--memory 256M --disk "$tmp/root.qcow2" --no-graphics --no-network
V start g
log=$(ls "$XDG_DATA_HOME"/vmtui/logs/*-serial.log 2>/dev/null | head -n 1)
ready() { grep -c 'VMTUI-GUEST-READY' "$log" 2>/dev/null || true; }
# wait_ready N: until the log has more than N ready lines (2 min at most)
wait_ready() {
	i=0
	while [ "$(ready)" -le "$1" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || die "the guest did not boot"
		sleep 0.1
		[ -n "$log" ] || log=$(ls "$XDG_DATA_HOME"/vmtui/logs/*-serial.log 2>/dev/null | head -n 1)
	done
}
wait_ready 0
V snapshot create g A

: >"$tmp/raw"
now() { date +%s%N; }
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then order="revert cycle"; else order="cycle revert"; fi
	for op in $order; do
		n=$(ready)
		t0=$(now)
		if [ $op = revert ]; then
			V snapshot revert g A --yes
		else
			V destroy g
			V start g
			wait_ready "$n"
		fi
		echo "$op $((($(now) - t0) / 1000))" >>"$tmp/raw"
	done
	r=$((r + 1))
done

python3 - "$tmp/raw" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
m = {op: statistics.median(int(r[1]) / 1000 for r in rows if r[0] == op) for op in ("revert", "cycle")}
print("snapshot-uefi: %s rounds, median wall time, 256 MiB UEFI guest under TCG" % sys.argv[2])
print("  revert to a running snapshot (vmtui's own) %8.1f ms" % m["revert"])
print("  force off + start + boot to ready          %8.1f ms" % m["cycle"])
print("  ratio revert / power cycle %.3f" % (m["revert"] / m["cycle"]))
PY
printf 'snapshot-uefi: done%s\n' "$(load_average)"

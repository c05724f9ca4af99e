#!/bin/sh
# bench/snapshot.sh — `vmtui snapshot create` and `snapshot revert`
# against `virsh snapshot-create-as` and `snapshot-revert`, on the same
# guest in the same run.
#
#   sh bench/snapshot.sh [VMTUI]      (as root; ROUNDS=5 by default)
#
# The guest is the test kit booting from an ext4 qcow2 disk, 256 MiB,
# on qemu:///session as user 65534 (setpriv), so that both clients talk
# to the same libvirtd.  Each round, in alternating order:
#   A. create, VM running (disks and memory): vmtui, then virsh
#   B. revert to a running snapshot (QEMU restarts with the saved
#      memory): vmtui to its own snapshot, virsh to its own
#   C. create, VM shut off (disks only)
# Each figure is the wall time of the whole client process (both open a
# connection, look the VM up and make the same API calls; vmtui also
# reads the VM's definition to check what it can snapshot, and for a
# revert the saved one to say what it undoes).  Prints the medians per
# operation and client, and the ratios vmtui / virsh.  Exits 1 only when
# something does not work, never because of a time.
set -eu

BENCH=snapshot
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
ROUNDS=${ROUNDS:-5}
positive ROUNDS "$ROUNDS"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI")
[ "$(id -u)" = 0 ] || die "needs root: the guest and both clients run as user 65534 through setpriv"
for p in setpriv virsh mkfs.ext4 cpio qemu-img python3; do
	command -v $p >/dev/null 2>&1 || die "$p is missing"
done

tmp=$(mktemp -d /tmp/vb.XXXXXX)
U=$tmp/session
finish() {
	set +e
	session_stop "$U"
	sleep 0.2
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sh "$here/../tests/guest/build.sh" "$tmp/kit" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
session_user "$U"
kit_disk "$tmp/kit" "$U/root.qcow2"
cp "$tmp/kit/vmlinuz" "$tmp/kit/initrd.img" "$U/"
chown -R 65534:65534 "$U"

V() { "$tmp/as-user" "$VMTUI" -c qemu:///session "$@"; }
S() { "$tmp/as-user" virsh -q -c qemu:///session "$@"; }

V create g --kernel "$U/vmlinuz" --initrd "$U/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
	--memory 256M --disk "$U/root.qcow2" --no-graphics --no-network --start >"$tmp/out" 2>&1 ||
	die "cannot create and start the guest: $(cat "$tmp/out")"
# the session keeps no serial log: the kit boots in 3 to 7 s under TCG
sleep 15
S domstate g | grep -q running || die "the guest does not run"

# timed OP CLIENT CMD...: runs CMD, appends "OP CLIENT SECONDS" to the
# results; dies when CMD fails
timed() {
	op=$1 who=$2
	shift 2
	t0=$(date +%s%N)
	"$@" >"$tmp/out" 2>&1 || die "$op with $who failed: $(cat "$tmp/out")"
	t1=$(date +%s%N)
	echo "$op $who $(((t1 - t0) / 1000)) " >>"$tmp/raw"
}

# both OP VMTUI-ARGS VIRSH-ARGS: OP with each client, in this round's
# order (the arguments' words are split)
both() {
	for who in $order; do
		if [ $who = vmtui ]; then
			# shellcheck disable=SC2086
			timed "$1" vmtui V $2
		else
			# shellcheck disable=SC2086
			timed "$1" virsh S $3
		fi
	done
}

: >"$tmp/raw"
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then order="vmtui virsh"; else order="virsh vmtui"; fi
	both create-running "snapshot create g v$r" "snapshot-create-as g s$r"
	both revert-running "snapshot revert g v$r --yes" "snapshot-revert g s$r"
	S destroy g >/dev/null 2>&1 || die "cannot force the guest off"
	both create-off "snapshot create g vo$r" "snapshot-create-as g so$r"
	S start g >/dev/null 2>&1 || die "cannot start the guest again"
	sleep 3
	r=$((r + 1))
done

python3 - "$tmp/raw" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
ops = ("create-running", "revert-running", "create-off")
print("snapshot: %s rounds, median wall time of the client process, 256 MiB guest under TCG" % sys.argv[2])
for op in ops:
    m = {w: statistics.median(int(r[2]) / 1000 for r in rows if r[0] == op and r[1] == w)
         for w in ("vmtui", "virsh")}
    print("  %-15s vmtui %8.1f ms   virsh %8.1f ms   ratio %.3f" % (op, m["vmtui"], m["virsh"], m["vmtui"] / m["virsh"]))
PY
printf 'snapshot: done%s\n' "$(load_average)"

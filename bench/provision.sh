#!/bin/sh
# bench/provision.sh — 20 lab VMs from a 2 GiB template: vmtui linked
# clones against virt-clone full copies and against bare qemu-img.
#
# Usage: bench/provision.sh [PATH/TO/vmtui]      (default ./vmtui)
#        N=20 SIZE_MB=2048 bench/provision.sh ./vmtui
#
# Everything runs as user 65534 on its own qemu:///session daemon (libvirt
# starts it on the first connect; the script ends it by its pid file), so
# vmtui and virt-clone define their VMs through the same daemon:
#
#   A. vmtui provision big 'lab-{01..N}': one run, per VM a qcow2 overlay
#      on the template's base, a cloud-init seed ISO and a definition
#   B. virt-clone --original tpl --name vc-NN --file ...: N runs, each a
#      full copy of the same base (the clone's disk is removed after each
#      run, so N copies need only one copy's space)
#   C. qemu-img create -f qcow2 -F qcow2 -b BASE: N runs; the floor, the
#      overlay alone
#
# The template holds SIZE_MB (default 2048) of written data, not a sparse
# file, so a full copy copies all of it.  Prints per-VM milliseconds of
# each, vmtui's per VM also net of its start-up (a `vmtui list` on the
# same URI), and the ratios with their targets: at least 200x faster
# than virt-clone, within 3x of qemu-img.  Asserts no timing; exits 1
# if a tool did not make its VMs.  Needs root (for setpriv), virt-clone
# (Debian's virtinst), libvirt-daemon and about 3 x SIZE_MB of disk.
set -eu

BENCH=provision
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=$(cd "$(dirname "${1:-./vmtui}")" && pwd)/$(basename "${1:-./vmtui}")
N=${N:-20}
SIZE_MB=${SIZE_MB:-2048}
QEMU_IMG=${QEMU_IMG:-qemu-img}

[ "$(id -u)" = 0 ] || die "needs root, to run everything as user 65534 with setpriv"
command -v setpriv >/dev/null || die "setpriv (util-linux) is missing"
command -v virt-clone >/dev/null || die "virt-clone is missing (apt-get install virtinst)"
[ -x "$VMTUI" ] || die "no vmtui at $VMTUI"

T=$(mktemp -d /tmp/vb.XXXXXX)
chmod 711 "$T"
U=$T/u
mkdir -p "$U/img" "$U/vc" "$U/floor"
stop() {
	for f in "$U/run/libvirt/libvirtd.pid" "$U/run/libvirt/virtqemud.pid" \
		"$U/run/libvirt/virtlogd.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP

# as ARGS...: runs a program as user 65534 with the session's environment
as() {
	env -i PATH="$PATH" HOME="$U" XDG_RUNTIME_DIR="$U/run" \
		XDG_DATA_HOME="$U/data" XDG_CONFIG_HOME="$U/config" \
		XDG_CACHE_HOME="$U/cache" LC_ALL=C.UTF-8 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
URI=qemu:///session
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- the template: SIZE_MB of data in a qcow2 -------------------------------
printf 'provision: writing a %s MiB image\n' "$SIZE_MB" >&2
yes 'vmtui bench data, not zeros, so copies copy it' | head -c $((SIZE_MB * 1024 * 1024)) >"$T/data.raw"
"$QEMU_IMG" convert -f raw -O qcow2 "$T/data.raw" "$U/img/big.qcow2"
rm -f "$T/data.raw"
chown -R 65534:65534 "$U"
as "$VMTUI" -c "$URI" list >/dev/null || die "qemu:///session does not open"
as "$VMTUI" -c "$URI" template create big --from-image "$U/img/big.qcow2" >/dev/null 2>&1 ||
	die "vmtui template create failed"
BASE=$U/data/vmtui/templates/big/base.qcow2
[ -f "$BASE" ] || die "no template base at $BASE"
as "$VMTUI" -c "$URI" create tpl --disk "$BASE" --disk-format qcow2 --memory 256M \
	--no-graphics --no-network >/dev/null || die "cannot define the virt-clone original"

# --- A. vmtui ---------------------------------------------------------------
t0=$(now_ms)
as "$VMTUI" -c "$URI" list >/dev/null
t1=$(now_ms)
startup=$((t1 - t0))
t0=$(now_ms)
as "$VMTUI" -c "$URI" provision big "lab-{01..$N}" >"$T/vmtui.out" 2>&1 ||
	die "vmtui provision failed: $(tail -n 3 "$T/vmtui.out")"
t1=$(now_ms)
vmtui_total=$((t1 - t0))
made=$(as "$VMTUI" -c "$URI" list | grep -c '^lab-')
[ "$made" = "$N" ] || die "vmtui made $made VMs, not $N"

# --- C. qemu-img create -b, the floor --------------------------------------
# one shell runs the loop and times it, so only qemu-img's own runs count
floor_total=$(as sh -c '
	t0=$(date +%s%N)
	i=1
	while [ $i -le "$1" ]; do
		"$2" create -q -f qcow2 -F qcow2 -b "$3" "$4/f-$i.qcow2" || exit 1
		i=$((i + 1))
	done
	echo $((($(date +%s%N) - t0) / 1000000))' sh "$N" "$QEMU_IMG" "$BASE" "$U/floor") ||
	die "qemu-img create failed"

# --- B. virt-clone ----------------------------------------------------------
vc_total=0
i=1
while [ $i -le "$N" ]; do
	name=$(printf 'vc-%02d' $i)
	t0=$(now_ms)
	as virt-clone --connect "$URI" --original tpl --name "$name" \
		--file "$U/vc/$name.qcow2" >"$T/vc.out" 2>&1 ||
		die "virt-clone failed: $(tail -n 3 "$T/vc.out")"
	t1=$(now_ms)
	vc_total=$((vc_total + t1 - t0))
	[ -s "$U/vc/$name.qcow2" ] || die "virt-clone made no disk for $name"
	as virsh -c "$URI" undefine "$name" >/dev/null 2>&1 || true
	rm -f "$U/vc/$name.qcow2"
	i=$((i + 1))
done

awk -v n="$N" -v a="$vmtui_total" -v s="$startup" -v b="$vc_total" -v c="$floor_total" \
	-v mb="$SIZE_MB" 'BEGIN {
	va = a / n; vnet = (a - s) / n; vb = b / n; vc = c / n
	printf "provision: %d VMs from a %d MiB template (user 65534, qemu:///session)\n", n, mb
	printf "  %-44s %9.1f ms per VM (%d ms in all)\n", "vmtui provision (overlay + seed + define)", va, a
	printf "  %-44s %9.1f ms per VM (start-up %d ms taken off)\n", "  net of its start-up", vnet, s
	printf "  %-44s %9.1f ms per VM\n", "virt-clone (full copy + define)", vb
	printf "  %-44s %9.1f ms per VM\n", "qemu-img create -b (the floor)", vc
	printf "  virt-clone / vmtui: %.0fx (target >= 200x)   vmtui / qemu-img: %.2fx, net %.2fx (target <= 3x)\n",
		vb / va, va / vc, vnet / vc
	printf "bench provision: vmtui %.1f ms/VM, virt-clone %.1f ms/VM (ratio %.0f), qemu-img %.1f ms/VM (ratio %.2f)\n",
		va, vb, vb / va, vc, va / vc
}'

#!/bin/sh
# The same commands on a libvirt daemon URI: qemu:///session of an
# ordinary user (libvirt starts the user's daemon on first connect; this
# test ends it by the PID it wrote).  Storage pools and volumes: a pool
# made on a folder, new disks come from it, a volume a VM or an overlay
# uses is not deleted.
# The serial console through the daemon, in tmux: typing reaches the
# guest, a second client is refused, --force takes the console over, and
# a session whose guest powers off attaches again when `vmtui start`
# from another process starts it.
. "${top_srcdir:-.}/tests/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "Bail out! this test runs vmtui as user 65534 and needs root and setpriv"
	exit 1
fi
guest_kit
U="$T/session"
mkdir -p "$U" && chmod 711 "$T"
cp "$GUEST_KERNEL" "$GUEST_INITRD" "$U/"
chown -R 65534:65534 "$U"
daemon_pidfile="$U/run/libvirt/libvirtd.pid"
stop_daemon() {
	# the user's libvirtd and the virtlogd it started, by their pid files
	for f in "$daemon_pidfile" "$U/run/libvirt/virtlogd.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for f in "$U"/run/libvirt/qemu/run/*.pid "$U"/config/libvirt/qemu/run/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f" 2>/dev/null)" 2>/dev/null
	done
	cleanup
}
trap stop_daemon EXIT

# run ARGS...: lib.sh's runner, here as the session user on qemu:///session
run() {
	# env first: after setpriv nothing may need to enter the build
	# tree's parents (under /root they are mode 0700)
	env -i PATH="$PATH" \
		HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_DATA_HOME="$U/data" \
		XDG_CONFIG_HOME="$U/config" XDG_CACHE_HOME="$U/cache" LC_ALL=C.UTF-8 \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMTUI" -c qemu:///session "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

expect 0 'No VMs yet' "qemu:///session opens (the user's daemon starts)" list
check "libvirt started the session daemon" [ -s "$daemon_pidfile" ]
expect 0 'Created VM "s1"' "create a guest" create s1 --kernel "$U/vmlinuz" \
	--initrd "$U/initrd.img" --cmdline "console=ttyS0 quiet cryptomgr.notests" \
	--memory 256M --no-disk --no-graphics
expect 0 'Started VM "s1"' "start it" start s1
expect 0 '^s1 +running +1 +256 MiB' "list shows it running" list
expect 0 '"state": "running"' "info --json" info --json s1
expect 4 'already running' "state errors are the same" start s1

# ---- the serial console, through the daemon ------------------------------
command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
export TMUX_TMPDIR="$T"
# console SESSION ARGS...: `vmtui console ARGS` as the session user, in a
# new tmux session (the same environment as run's, plus the terminal's
# TERM), then its exit status on screen
console() {
	tmux new-session -d -s "$1" -x 100 -y 30 -c "$U" \
		"env -i PATH='$PATH' TERM=\"\$TERM\" \
		HOME='$U' XDG_RUNTIME_DIR='$U/run' XDG_DATA_HOME='$U/data' \
		XDG_CONFIG_HOME='$U/config' XDG_CACHE_HOME='$U/cache' LC_ALL=C.UTF-8 \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		'$VMTUI' -c qemu:///session console $2; echo VMTUI-EXITED \$?; sleep 60"
}
# tok: a random number; the guest answers tok + 1, which the typed
# command line does not contain
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
S1="vmtui-daemon-a-$$" S2="vmtui-daemon-b-$$" S3="vmtui-daemon-c-$$"
S=$S1
console "$S1" s1
see 'serial console of s1: Ctrl-] opens the menu' 15 "vmtui console attaches through the daemon"
type_until "^v-$((tok + 1))" "echo v-\$(($tok+1))" 20
see "^v-$((tok + 1))" 2 "a typed command runs in the guest and its output shows"
S=$S2
console "$S2" s1
see 'The serial console of s1 is in use by another client; take it over with --force' 15 "a second client is refused, told to use --force"
see 'VMTUI-EXITED 4' 3 "and exits 4"
S=$S3
console "$S3" "--force s1"
see 'serial console of s1: Ctrl-] opens the menu' 15 "console --force attaches"
S=$S1
see 'another client took over the console of s1' 10 "the first session says another client took over"
keys C-] q
see 'VMTUI-EXITED 0' 5 "which then leaves with Ctrl-] q (exit status 0)"
S=$S3
keys "echo f-\$(($tok+2))" Enter
see "^f-$((tok + 2))" 10 "typing reaches the guest from the session that took over"
keys 'poweroff -f' Enter
see 's1 shut down; the console comes back when it starts again' 30 "a guest that powers off from inside is reported"
expect 0 'Started VM "s1"' "vmtui start from another process starts it" start s1
see 'attached to s1 again' 20 "and the session attaches again by itself"
see 'VMTUI-GUEST-READY' 60 "and shows the guest's boot to its ready line"
keys "echo g-\$(($tok+3))" Enter
see "^g-$((tok + 3))" 10 "and typing reaches the new guest"
keys C-] q
see 'VMTUI-EXITED 0' 5 "Ctrl-] q leaves; exit status 0"
for s in "$S1" "$S2" "$S3"; do tmux kill-session -t "$s" 2>/dev/null; done
expect 0 'has powered off' "ACPI shutdown (proves the guest booted: its acpid answered)" shutdown s1 --timeout 40
expect 0 '^s1 +shut off' "list shows it off" list
expect 1 'No storage pool named "default"' "a new disk without a pool says what to set" create s2 --disk-size 64M
expect 3 'no VM named "s2"' "and nothing was defined" info s2
expect 0 'No storage pools: make one with vmtui storage create' "storage list says there is none yet" storage list
expect 2 'must be an absolute path' "storage create with a relative folder is refused" storage create default dir pool
expect 2 'pools of type dir' "  ... and another type than dir" storage create default logical "$U/pool"
expect 0 "Created storage pool \"default\" in $U/pool; it starts with the daemon" \
	"storage create default dir FOLDER" storage create default dir "$U/pool"
check "  ... the folder is made" [ -d "$U/pool" ]
expect 4 'exists already' "  ... a second one of that name is refused" storage create default dir "$U/pool2"
expect 0 '^default \* +running +yes .*0 +'"$U/pool"'$' "storage list shows it running, marked as the one for new disks" storage list
expect 0 '"autostart": true' "storage info --json" storage info default --json
expect 0 'Created VM "s2"' "a new disk comes from the pool" create s2 --disk-size 64M
check "the volume is a qcow2 file in the pool" sh -c "'${QEMU_IMG:-qemu-img}' info '$U/pool/s2.qcow2' 2>/dev/null | grep -q 'file format: qcow2'"
expect 0 '^s2\.qcow2 +qcow2 +64\.0 MiB .* VM "s2"' "volume list shows it, used by s2" volume list
expect 4 'Volume "s2.qcow2" is in use by VM "s2"; nothing was deleted' "volume delete of a VM's disk is refused" \
	volume delete s2.qcow2
expect 4 'disk resize' "  ... and volume resize says to use disk resize" volume resize s2.qcow2 128M
expect 0 'Created volume "base" in storage pool "default"' "volume create base 32M" volume create base 32M
expect 0 'Created volume "top"' "volume create top --backing base" volume create top 32M --backing base
expect 0 '"backing": "'"$U/pool/base"'"' "  ... it is an overlay on base" volume list --json
expect 4 'Volume "base" is in use by volume top of pool default \(its backing file\)' \
	"volume delete of an overlay's backing volume is refused (libvirt would delete it)" volume delete base
expect 2 'can only grow' "volume resize cannot shrink" volume resize base 16M
expect 0 'Volume "base" has 64\.0 MiB now' "volume resize grows" volume resize base 64M
expect 2 'is no volume name' "a bad volume name is refused" volume create ../x 1M
expect 3 'no volume "nosuch"' "an unknown volume" volume delete nosuch
expect 3 'no storage pool named "nopool"' "an unknown pool" volume list --pool nopool
expect 0 'Deleted volume "top"' "volume delete top" volume delete top
expect 0 'Deleted volume "base"' "  ... then base" volume delete base
had_volume=$([ -f "$U/pool/s2.qcow2" ] && echo yes)
expect 0 "Removed disk $U/pool/s2.qcow2" "delete --remove-disks deletes the volume" delete s2 --remove-disks
check "the volume file is gone" eval '[ "$had_volume" = yes ] && [ ! -e "$U/pool/s2.qcow2" ]'

# ---- names with ESC and BEL, which only a daemon holds -------------------
# another client (virsh) renames the VM: an OSC title change, a C1 CSI and
# a bidi override; everything vmtui prints of it is escaped
vsh() {
	env -i PATH="$PATH" HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_CONFIG_HOME="$U/config" \
		XDG_CACHE_HOME="$U/cache" setpriv --reuid=65534 --regid=65534 --clear-groups \
		virsh -q -c qemu:///session "$@"
}
evil=$(printf 'ev\033]0;PWNED\007il\302\23331m\342\200\256x')
shown='ev\\x1b]0;PWNED\\x07il\\u009b31m\\u202ex'
# events, while virsh renames it (undefined, defined)
env -i PATH="$PATH" HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_DATA_HOME="$U/data" \
	XDG_CONFIG_HOME="$U/config" XDG_CACHE_HOME="$U/cache" LC_ALL=C.UTF-8 \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VMTUI" -c qemu:///session events --timeout 8 >"$T/events" 2>&1 &
ev_pid=$!
BG_PIDS="$BG_PIDS $ev_pid"
sleep 3
check "virsh renames the VM to a name with ESC ] 0 ; ... BEL" vsh domrename s1 "$evil"
wait "$ev_pid"
check "events reports it under that name, escaped" grep -q "$shown defined" "$T/events"
check "  ... and prints no control byte" raw_free "$T/events"
run list
check "list shows it escaped" grep -q "^$shown " "$T/out"
check "  ... and prints none of its control bytes" raw_free "$T/out" "$T/err"
run list --json
check "list --json escapes them as JSON, the name exact" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert [r["name"] for r in rows] == [sys.argv[2]], rows' "$T/out" "$evil"
check "  ... with no raw control byte" raw_free "$T/out"
run info "$evil"
check "info of it names it escaped" grep -q "$shown" "$T/out" "$T/err"
check "  ... no raw byte" raw_free "$T/out" "$T/err"
# libvirt itself cannot start it (its XML cannot carry ESC): the error
# that says so is escaped too
expect 1 'Cannot start VM "ev\\x1b\]0;PWNED\\x07il\\u009b31m\\u202ex"' \
	"starting it fails, the error naming it escaped" start "$evil"
check "  ... libvirt's message in it escaped, no raw byte" raw_free "$T/out" "$T/err"
check "virsh renames it back" vsh domrename "$evil" s1
expect 0 'Deleted VM "s1"' "delete" delete s1
expect 0 "Deleted storage pool \"default\"; its folder $U/pool and the files in it are kept" \
	"storage delete keeps the folder" storage delete default
check "  ... the folder is still there" [ -d "$U/pool" ]
expect 0 'No storage pools' "  ... and the pool is gone" storage list
done_testing

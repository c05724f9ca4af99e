# lib.sh — shared by vmtui's TAP test scripts (sourced, POSIX sh).
#
# Each test gets a private, short temporary tree (the embedded engine's
# root must stay short for QEMU's socket paths) with its own XDG dirs, so
# it never touches the user's VMs.  On exit, whatever way it ends, the
# guests it started are killed by the PIDs their engine recorded, the
# vmtui processes it started in the background are ended by PID, and the
# tree is removed.
set -u

: "${VMTUI:=$(pwd)/vmtui}"
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(pwd)}"

T=$(mktemp -d /tmp/vt.XXXXXX)
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
export VMTUI_ENGINE_ROOT="$T/e" VMTUI_ACCEL=tcg
unset VMTUI_URI VMTUI_CONFIG
export LC_ALL=C.UTF-8 LANG=C.UTF-8
BG_PIDS=

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: one test from a command's success.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run ARGS...: runs vmtui, leaving stdout in $T/out, stderr in $T/err and
# the exit status in $rc.
run() {
	"$VMTUI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect RC PATTERN DESCRIPTION ARGS...: vmtui ARGS exits RC and its
# stdout+stderr matches the extended regex PATTERN.  It runs vmtui with
# the function named by $EXPECT_RUN (default: run).
expect() {
	want=$1 pat=$2 desc=$3
	shift 3
	"${EXPECT_RUN:-run}" "$@"
	if [ "$rc" -eq "$want" ] && cat "$T/out" "$T/err" | grep -Eq -- "$pat"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "vmtui $* -> exit $rc (want $want), output:" "$(cat "$T/out" "$T/err")"
	fi
}

# Kills the QEMU processes of this test's embedded engine (guests and
# capability probes), by the PIDs libvirt wrote for them.
kill_guests() {
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid "$T"/*/e/run/qemu/*.pid \
		"$VMTUI_ENGINE_ROOT"/lib/qemu/qmp-*/qmp.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null) || continue
		[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
}

cleanup() {
	for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
	# the test's own tmux server (its socket is under $T), with the
	# vmtui it runs
	case ${TMUX_TMPDIR:-} in
	"$T"*) tmux kill-server 2>/dev/null ;;
	esac
	kill_guests
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# guest_kit: builds (once, cached in the build tree) the test guest and
# sets GUEST_KERNEL and GUEST_INITRD.
guest_kit() {
	cache="$top_builddir/tests/guest-cache"
	if ! sh "$top_srcdir/tests/guest/build.sh" "$cache" >"$T/kit.log" 2>&1; then
		echo "Bail out! the test guest kit does not build: $(tail -n 3 "$T/kit.log")"
		exit 1
	fi
	GUEST_KERNEL="$cache/vmlinuz"
	GUEST_INITRD="$cache/initrd.img"
}

# kit_disk FILE.qcow2: an ext4 root disk made of the kit's initramfs
# (mkfs.ext4 -d), which the kit boots from with root=/dev/vda
kit_disk() {
	kd=$(mktemp -d "$T/kit.XXXXXX")
	mkdir "$kd/root"
	(cd "$kd/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
	: >"$kd/root/.vmtui-disk"
	mkfs.ext4 -q -F -d "$kd/root" "$kd/root.raw" 64M >/dev/null 2>&1 &&
		"${QEMU_IMG:-qemu-img}" convert -q -f raw -O qcow2 "$kd/root.raw" "$1"
	kd_rc=$?
	rm -rf "$kd"
	return $kd_rc
}

# create_guest NAME [MARKER] [EXTRA-CMDLINE] [CREATE-OPTIONS...]: defines
# a test guest that boots the kit's kernel (no disk, 256 MiB).
create_guest() {
	cg_name=$1 cg_marker=${2:-$1} cg_extra=${3:-}
	shift $(($# < 3 ? $# : 3))
	kit_create "$cg_name" "$cg_marker" "$cg_extra" --no-graphics "$@"
}

# screen_guest NAME [CREATE-OPTIONS...]: the same guest (its marker its
# name) with a VGA display and VNC instead of none
screen_guest() {
	sg_name=$1
	shift
	kit_create "$sg_name" "$sg_name" "" "$@"
}

# kit_create NAME MARKER EXTRA-CMDLINE [CREATE-OPTIONS...]
kit_create() {
	kc_name=$1 kc_marker=$2 kc_extra=$3
	shift 3
	"$VMTUI" create "$kc_name" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
		--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 vmtui.marker=$kc_marker $kc_extra" \
		--memory 256M --no-disk "$@" >"$T/out" 2>"$T/err"
}

# raw_free FILE...: no byte in FILE a terminal would obey or that hides
# text: C0 controls but newline and tab, DEL, C1 controls (UTF-8
# C2 80-9F), bidirectional overrides and isolates (E2 80 AA-AE,
# E2 81 A6-A9), bytes that are not UTF-8
raw_free() {
	for f in "$@"; do
		LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$f" && return 1
		LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$f" && return 1
		LC_ALL=C grep -q "$(printf '\342\200[\252-\256]')" "$f" && return 1
		LC_ALL=C grep -q "$(printf '\342\201[\246-\251]')" "$f" && return 1
		iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || return 1
	done
	return 0
}

# guest_type NAME COMMAND: types COMMAND and Enter on the guest's serial
# console (the pty of its running definition); the output goes to its
# serial log (takes 3 s)
guest_type() {
	pty=$("$VMTUI" dumpxml "$1" | sed -n "s/.*<source path='\(\/dev\/pts\/[0-9]*\)'.*/\1/p" | head -n 1)
	[ -n "$pty" ] || return 1
	python3 - "$pty" "$2" <<'PY'
import os, sys, time, tty
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
# QEMU polls a pty's other end once a second and reads nothing from it
# while it looks closed: stay long enough on both sides of the write
time.sleep(1.5)
os.write(fd, (sys.argv[2] + "\r").encode())
time.sleep(1.5)
os.close(fd)
PY
}

# on_guest NAME COMMAND TOKEN: types COMMAND on the guest's serial line
# (guest_type), then waits for the line TOKEN+1 it prints on success
on_guest() {
	guest_type "$1" "$2 && echo OK-\$(($3+1))" || return 1
	wait_for "$(serial_log "$1")" "^OK-$(($3 + 1))" "${4:-30}"
}

# tcp_get [-n NS] ADDR PORT [http]: connects to ADDR:PORT (from network
# namespace NS; 5 s at most), sends an HTTP request with "http", and
# prints what comes back, or REFUSED (status 1), or ERROR and why
# (status 1).  The guests' servers answer it; busybox wget cannot.
tcp_get() {
	tcp_ns=
	if [ "$1" = -n ]; then
		tcp_ns=$2
		shift 2
	fi
	${tcp_ns:+ip netns exec "$tcp_ns"} python3 - "$@" <<'PY'
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    if len(sys.argv) > 3:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    sys.stdout.write(data.decode("utf-8", "replace"))
except ConnectionRefusedError:
    print("REFUSED")
    sys.exit(1)
except Exception as e:
    print("ERROR", e)
    sys.exit(1)
PY
}

# serial_log NAME: path of a VM's serial log.
serial_log() {
	"$VMTUI" info --json "$1" | sed -n 's/.*"serial_log": "\(.*\)".*/\1/p'
}

# wait_for FILE REGEX SECONDS: waits until FILE has a line matching REGEX.
wait_for() {
	i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# bounded ARGS...: run's vmtui ARGS, with at most 4 GiB of address space
# and 20 s (a FIFO must not make vmtui wait, a device or a huge file must
# not make it allocate without end); its peak memory and its helpers', in
# KiB, goes to $T/rss.  Under AddressSanitizer (ASAN_OPTIONS set), whose
# shadow memory needs far more address space, only the time is bounded.
bounded() {
	python3 - "$T" "$VMTUI" "$@" <<'PY'
import os, resource, subprocess, sys
t, argv = sys.argv[1], sys.argv[2:]
def lim():
    if not os.environ.get("ASAN_OPTIONS"):
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
with open(t + "/out", "wb") as o, open(t + "/err", "wb") as e:
    try:
        rc = subprocess.run(argv, stdout=o, stderr=e, preexec_fn=lim, timeout=20).returncode
    except subprocess.TimeoutExpired:
        rc = 124
open(t + "/rss", "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
PY
	rc=$?
}

# bounded_expect RC PATTERN DESC ARGS...: expect, run bounded
bounded_expect() {
	EXPECT_RUN=bounded
	expect "$@"
	EXPECT_RUN=run
}

# small_rss KIB DESC: the last bounded run peaked under KIB KiB (four
# times that under AddressSanitizer)
small_rss() {
	limit=$1
	[ -n "${ASAN_OPTIONS:-}" ] && limit=$((limit * 4))
	rss=$(cat "$T/rss" 2>/dev/null)
	check "$2 (peak ${rss:-?} KiB)" [ "${rss:-999999999}" -lt "$limit" ]
}

# qemu_pid NAME: PID of a running VM's QEMU on this test's engine.
qemu_pid() {
	cat "$VMTUI_ENGINE_ROOT/run/qemu/$1.pid" 2>/dev/null
}

# state NAME: the VM's state id from `vmtui info --json`.
state() {
	"$VMTUI" info --json "$1" 2>/dev/null | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

# vmtui_session ARGS...: `vmtui ARGS` (plain words) in a fresh 100x30
# tmux session, in the foreground with its pid in $T/pid, the terminal's
# mode saved before and after it ($T/stty.before, $T/stty.after)
vmtui_session() {
	fresh_session -x 100 -y 30 \
		"stty -g >'$T/stty.before'; sh -c 'echo \$\$ >\"$T/pid\"; exec \"\$0\" \"\$@\"' '$VMTUI' $*; rc=\$?; stty -g >'$T/stty.after'; echo VMTUI-EXITED \$rc; sleep 60"
}

# shell_session CMD [TMUX-OPTIONS...]: CMD in a fresh tmux session, the
# terminal's mode saved before and after it (same_stty), then
# VMTUI-EXITED and its status
shell_session() {
	ss_cmd=$1
	shift
	fresh_session "$@" \
		"stty -g >'$T/stty.before'; $ss_cmd; rc=\$?; stty -g >'$T/stty.after'; echo VMTUI-EXITED \$rc; sleep 60"
}

# same_stty DESC: the terminal's mode saved in $T/stty.after is the one
# in $T/stty.before (each `stty -g` or `stty -a` of a test's shell)
same_stty() {
	if cmp -s "$T/stty.before" "$T/stty.after"; then
		ok "$1"
	else
		not_ok "$1"
		diag "before: $(cat "$T/stty.before" 2>/dev/null)" "after:  $(cat "$T/stty.after" 2>/dev/null)"
	fi
}

# ---- driving the TUI in tmux (session $S) --------------------------------

# fresh_session [NEW-SESSION-OPTIONS...] COMMAND: a new tmux session for
# the next steps, which becomes $S; the old one ends after the new one is
# up, so the tmux server (which leaves with its last session) never exits
# between them, where a new session could land on a server on its way out
fresh_session() {
	fresh_old=${S:-}
	fresh_n=$((${fresh_n:-0} + 1))
	S="vmtui-$$-$fresh_n"
	tmux new-session -d -s "$S" "$@"
	[ -n "$fresh_old" ] && tmux kill-session -t "$fresh_old" 2>/dev/null
	return 0
}

# tui_session [COLS]: vmtui on this test's embedded engine in a fresh
# COLS x 30 tmux session (default 100), LANG=C.UTF-8; the pane stays after
# it ends, showing VMTUI-EXITED and its status
tui_session() {
	fresh_session -x "${1:-100}" -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_DATA_HOME='$XDG_DATA_HOME' \
		XDG_CONFIG_HOME='$XDG_CONFIG_HOME' VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg \
		'$VMTUI'; echo VMTUI-EXITED \$?; sleep 60"
}

# screen: the visible pane
screen() { tmux capture-pane -p -t "$S"; }
# see REGEX SECONDS DESC: waits until the screen shows REGEX
see() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		screen | grep -Eq -- "$1" && { ok "$3"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	not_ok "$3"
	diag "screen:" "$(screen)"
	return 1
}
keys() { tmux send-keys -t "$S" "$@"; }
# type_until REGEX TEXT [TRIES]: types TEXT and Enter every 2 s until the
# screen shows REGEX, at most TRIES times (default 30): what is typed
# before the guest's shell runs may be lost
type_until() {
	tu_i=0
	until screen | grep -Eq -- "$1" || [ $tu_i -ge "${3:-30}" ]; do
		keys "$2" Enter
		sleep 2
		tu_i=$((tu_i + 1))
	done
}
# pane_bytes SECONDS [TEXT]: the bytes the pane's program writes in
# SECONDS, TEXT typed first (send-keys -l)
pane_bytes() {
	pb_file=$(mktemp "$T/pane.XXXXXX")
	tmux pipe-pane -t "$S" -o "cat >>'$pb_file'"
	[ $# -gt 1 ] && tmux send-keys -t "$S" -l "$2"
	sleep "$1"
	tmux pipe-pane -t "$S"
	stat -c %s "$pb_file"
}
# idle: waits until no job shows progress in the status line, so a late
# job report cannot replace the message the next step looks for
idle() {
	i=0
	while [ $i -lt 300 ] && screen | tail -n 1 | grep -Eq '^\[ *[0-9]+%\]'; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.3
}

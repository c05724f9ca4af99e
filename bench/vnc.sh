#!/bin/sh
# bench/vnc.sh — the graphical console (vmtui vnc) on a real guest's
# 1024×768 screen: what it writes, and what it costs, against a full
# redraw of every frame (what vmtui would write without its cell diff).
#
# Usage: bench/vnc.sh [PATH/TO/vmtui]             (default ./vmtui)
#        RUNS=50 IDLE_SECS=30 bench/vnc.sh ./vmtui
#        VNC_RENDER=PATH/TO/bench/vnc-render       (default: next to vmtui)
#        SAVE_SCREENS=DIR bench/vnc.sh ./vmtui      (keeps the guest's screens)
#
# Boots the test guest kit (tests/guest/) on a private embedded engine,
# with UEFI firmware and a VGA screen whose EDID offers 1024×768: the
# firmware sets that mode and the kernel's EFI framebuffer console (fbcon)
# draws tty1's shell on it.  Runs `vmtui vnc g1 --mode truecolor --text
# off` (the picture path; bench/text.sh has the text one, and this
# screen's figures for it at the end) in a
# detached tmux pane of 160×49, fills the guest's screen with text
# (dmesg, a coloured ls) and hides its cursor, then:
#
#   1. takes the screen through vmtui's own screenshot (Ctrl-] p, what it
#      got over VNC): TEXT;
#   2. types one character (x), recording vmtui's output with tmux
#      pipe-pane, then takes the screen again: TYPED;
#   3. records IDLE_SECS (default 10) of the still screen, with vmtui's
#      CPU time (utime + stime of /proc/PID/stat); then the same with
#      the guest's cursor blinking, the console's default;
#   4. stops the guest, and runs bench/vnc-render on TEXT and TYPED: every
#      output mode, full frames (ms and bytes), the typed character and
#      the still screen against a full redraw, RUNS rounds (default 30).
#
# Each recorded figure is printed next to a full redraw of every frame
# vmtui drew in that time (vnc-render full, at the pane's geometry), and
# the ratio; then the targets, printed, not asserted.
#
# A benchmark, never a test: it asserts no timing, since machines are
# noisy; it measures the peer (the full redraw) in the same run instead.
set -eu

BENCH=vnc
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
RUNS=${RUNS:-30}
IDLE_SECS=${IDLE_SECS:-10}
COLS=160
ROWS=49


for n in "RUNS=$RUNS" "IDLE_SECS=$IDLE_SECS"; do
	case ${n#*=} in
	'' | *[!0-9]* | 0) die "${n%%=*} must be a positive integer, not \"${n#*=}\"" ;;
	esac
done
case $VMTUI in
/*) ;;
*) VMTUI=$(pwd)/$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VNC_RENDER=${VNC_RENDER:-$(dirname "$VMTUI")/bench/vnc-render}
[ -x "$VNC_RENDER" ] || die "no $VNC_RENDER: build it with make bench/vnc-render (or make bench)"
command -v tmux >/dev/null 2>&1 || die "tmux is needed (it is the terminal)"
[ -r /usr/share/OVMF/OVMF_CODE_4M.fd ] || [ -d /usr/share/qemu/firmware ] ||
	die "UEFI firmware (the Debian package ovmf) is needed for a 1024×768 screen"
[ -r "$here/../tests/guest/build.sh" ] || die "no tests/guest/build.sh next to bench/"

# A short root: QEMU's sockets live under it.
tmp=$(mktemp -d /tmp/vb.XXXXXX)
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg TMUX_TMPDIR="$tmp"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset VMTUI_URI VMTUI_CONFIG TMUX 2>/dev/null || true
S=vncbench
shots=$XDG_DATA_HOME/vmtui/screenshots
tmux_pid=

# Ends what this run started, by pid: vmtui, the tmux server, the guest's
# QEMU (and libvirt's capability probe), as their pid files name them.
cleanup() {
	set +e # a process that is already gone must not stop the cleanup
	vpid=$(cat "$tmp/vnc.pid" 2>/dev/null)
	[ -n "$vpid" ] && kill "$vpid" 2>/dev/null
	[ -n "$tmux_pid" ] && kill "$tmux_pid" 2>/dev/null
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid "$VMTUI_ENGINE_ROOT"/lib/qemu/qmp-*/qmp.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null) || continue
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

screen() { tmux capture-pane -p -t "$S"; }
keys() { tmux send-keys -t "$S" "$@"; }
# see REGEX SECONDS: waits until the pane shows REGEX
see() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
rec_start() { tmux pipe-pane -t "$S" -o "cat >>'$1'"; }
rec_stop() { tmux pipe-pane -t "$S"; sleep 0.2; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# draws FILE: frames vmtui wrote (each is one write in synchronized output)
draws() { grep -ao "$(printf '\033')\\[?2026h" "$1" 2>/dev/null | wc -l; }
# cpu: vmtui's user + sys ticks, children included
cpu() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$vpid/stat"; }
# settle SECONDS: waits until vmtui has written nothing for 2 s (at most
# SECONDS); 1 if it never stopped
settle() {
	rec_start "$tmp/settle"
	last=-1 quiet=0 i=0
	while [ $i -lt $(($1 * 10)) ]; do
		sleep 0.1
		now=$(size "$tmp/settle")
		if [ "$now" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; fi
		last=$now
		[ $quiet -ge 20 ] && break
		i=$((i + 1))
	done
	rec_stop
	rm -f "$tmp/settle"
	[ $quiet -ge 20 ]
}
# shot NAME: vmtui's screenshot (Ctrl-] p) into $tmp/NAME.png
shot() {
	rm -f "$shots"/*.png 2>/dev/null || true
	keys C-] p
	i=0
	until see 'screenshot saved' 1 && ls "$shots"/*.png >/dev/null 2>&1; do
		[ $i -lt 20 ] || die "vmtui took no screenshot: $(screen | tail -n 1)"
		i=$((i + 1))
	done
	mv "$shots"/*.png "$tmp/$1.png" || die "the screenshot is not in $shots: $(screen | tail -n 1)"
	[ -z "${SAVE_SCREENS:-}" ] || cp "$tmp/$1.png" "$SAVE_SCREENS/$1.png"
	sleep 0.5
}

# ---- the guest -----------------------------------------------------------
sh "$here/../tests/guest/build.sh" "$tmp/kit" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
"$VMTUI" create g1 --firmware uefi --kernel "$tmp/kit/vmlinuz" --initrd "$tmp/kit/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1" \
	--memory 256M --no-disk --no-network >"$tmp/out" 2>&1 || die "vmtui create: $(cat "$tmp/out")"
"$VNC_RENDER" set-resolution g1 1024 768 || die "cannot give g1 a 1024×768 screen"
"$VMTUI" start g1 >"$tmp/out" 2>&1 || die "vmtui start: $(cat "$tmp/out")"
log=$("$VMTUI" info --json g1 | sed -n 's/.*"serial_log": "\(.*\)".*/\1/p')
i=0
until grep -q VMTUI-GUEST-READY "$log" 2>/dev/null; do
	[ $i -lt 1800 ] || die "the guest did not boot in 180 s: $(tail -n 5 "$log" 2>/dev/null)"
	sleep 0.1
	i=$((i + 1))
done

# ---- vmtui vnc in tmux ---------------------------------------------------
tmux new-session -d -s "$S" -x $COLS -y $ROWS \
	"sh -c 'echo \$\$ >\"$tmp/vnc.pid\"; exec \"$VMTUI\" vnc g1 --mode truecolor --text off'; sleep 600"
tmux_pid=$(tmux display -p -t "$S" '#{pid}')
see ' g1 · [0-9]+×[0-9]+ · fit · truecolor' 30 || die "vmtui vnc shows no screen: $(screen | tail -n 3)"
vpid=$(cat "$tmp/vnc.pid")
res=$(screen | sed -n 's/.* g1 · \([0-9]*×[0-9]*\) · fit.*/\1/p' | tail -n 1)
[ "$res" = "1024×768" ] || die "the guest's screen is $res, not 1024×768"
geom=$(tmux display -p -t "$S" '#{pane_width}x#{pane_height}')
[ "$geom" = "${COLS}x$ROWS" ] || die "the pane is $geom, not ${COLS}x$ROWS"
# vmtui's fit view of 1024×768 in 160×48 cells of 1×2 pixels: 128×48
# cells at column 16 (console/vnc.c, layout())
IW=128 IH=48 IX=16 IY=0

sleep 2
keys -l "dmesg; ls --color=always / /dev; printf '\\033[?25l'"
keys Enter
settle 120 || die "the screen never settled (vmtui kept writing for 120 s)"
shot text

# one typed character, as the user types it
rec_start "$tmp/typed.out"
keys -l x
i=0
while [ "$(size "$tmp/typed.out")" -eq 0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
rec_stop
shot typed

# a still screen
settle 60 || die "the screen never settled after the typed character"
c0=$(cpu)
rec_start "$tmp/still.out"
sleep "$IDLE_SECS"
rec_stop
c1=$(cpu)

# the cursor blinking
keys BSpace
keys -l "printf '\\033[?25h'"
keys Enter
sleep 3
shot cursor
b0=$(cpu)
rec_start "$tmp/blink.out"
sleep "$IDLE_SECS"
rec_stop
b1=$(cpu)

keys C-] C-]
i=0
while kill -0 "$vpid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$vpid" 2>/dev/null && die "vmtui vnc did not leave on Ctrl-] Ctrl-]"
"$VMTUI" destroy g1 >/dev/null 2>&1 || die "vmtui destroy g1 failed"

# ---- figures -------------------------------------------------------------
hz=$(getconf CLK_TCK)
load=$(load_average)
echo "vmtui vnc g1 --mode truecolor --text off, in a ${COLS}x$ROWS tmux pane: the guest's 1024×768 in ${IW}×$IH cells (fit view)$load"
echo "output recorded with tmux pipe-pane; a full redraw is render_frame(all=true) of the same screen at the same place, by vnc-render:"
"$VNC_RENDER" full truecolor $IW $IH $IX $IY "$tmp/typed.png" >"$tmp/full" || die "vnc-render full failed"
read -r full_t full_t_ms <"$tmp/full"
"$VNC_RENDER" full truecolor $IW $IH $IX $IY "$tmp/cursor.png" >"$tmp/full" || die "vnc-render full failed"
read -r full_c full_c_ms <"$tmp/full"
ty=$(size "$tmp/typed.out") tyd=$(draws "$tmp/typed.out")
st=$(size "$tmp/still.out") std=$(draws "$tmp/still.out")
bl=$(size "$tmp/blink.out") bld=$(draws "$tmp/blink.out")
awk -v ty="$ty" -v tyd="$tyd" -v ft="$full_t" -v ftm="$full_t_ms" \
	-v st="$st" -v std="$std" -v bl="$bl" -v bld="$bld" -v fc="$full_c" -v fcm="$full_c_ms" \
	-v sc="$((c1 - c0))" -v bc="$((b1 - b0))" -v hz="$hz" -v idle="$IDLE_SECS" '
	function r(a, b) { return b > 0 ? sprintf("%.5f", a / b) : "n/a (no frame drawn)" }
	BEGIN {
		printf "  %-22s %6s %10s %14s %22s %10s %16s\n", "case", "draws", "bytes", "full redraws B", "ratio", "vmtui CPU", "full render ms"
		printf "  %-22s %6d %10d %14d %22s %10s %16.1f\n", "typed character", tyd, ty, tyd * ft, r(ty, tyd * ft), "-", tyd * ftm
		printf "  %-22s %6d %10d %14d %22s %9.2fs %16.1f\n", "still, " idle " s", std, st, std * fc, r(st, std * fc), sc / hz, std * fcm
		printf "  %-22s %6d %10d %14d %22s %9.2fs %16.1f\n", "cursor blinking, " idle " s", bld, bl, bld * fc, r(bl, bld * fc), bc / hz, bld * fcm
		printf "  (full redraws B: one full frame per frame vmtui drew, %d B for this screen, %.2f ms to render each;\n", fc, fcm
		printf "   for scale, a viewer redrawing it at vmtui'"'"'s cap of 30 frames a second would write %.1f MB in %d s)\n", fc * 30 * idle / 1e6, idle
		printf "targets, printed, not asserted: <= 150 bytes per typed character: %d B, %s; zero bytes for a still screen: %d B, %s\n",
			ty, ty <= 150 ? "met" : "NOT met", st, st == 0 ? "met" : "NOT met"
		printf "  and < 0.5 %% CPU on a still screen: %.2f %%, %s\n", 100 * sc / hz / idle, 100 * sc / hz / idle < 0.5 ? "met" : "NOT met"
	}'
echo
echo "the renderer on the same screens (TEXT: filled, cursor hidden; TYPED: after the guest echoed x), vnc-render frames:"
"$VNC_RENDER" frames "$tmp/text.png" "$tmp/typed.png" "$RUNS" >"$tmp/frames" || die "vnc-render frames failed"
grep -v '^bench vnc-render:' "$tmp/frames"
echo
echo "the same TEXT screen read as text and drawn as characters, vnc-render text:"
"$VNC_RENDER" text "$tmp/text.png" "" "$RUNS" || die "vnc-render text failed"
echo
printf 'bench vnc: typed character %d B (full redraw %d B), still %d s %d B %.2f s CPU, cursor blinking %d B in %d draws (full redraws %d B); %s\n' \
	"$ty" "$((tyd * full_t))" "$IDLE_SECS" "$st" "$(awk -v c=$((c1 - c0)) -v h="$hz" 'BEGIN { print c / h }')" \
	"$bl" "$bld" "$((bld * full_c))" "$(sed -n 's/^bench vnc-render: //p' "$tmp/frames")"

#!/bin/sh
# The graphical console, end to end, on the embedded engine with a real
# guest on QEMU's VGA: the refusals (a VM that is off, one without
# graphics, a terminal too small or without colours, no terminal); the
# guest's screen drawn in tmux (coloured cells where it has text); keys
# typed through VNC on tty1 writing a token with shifted and special
# characters to the serial port, read back from the serial log; a still
# screen writing no byte (recorded by tmux pipe-pane); the menu (view,
# screenshot, switch to the serial console and back); resize; the
# terminal given back on leaving and after a crash signal; v in the TUI
# and the picture of the screen in its details pane.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
S=
export TMUX_TMPDIR="$T"

check "create guest v1 with a screen" screen_guest v1
check "create guest v2 without one" create_guest v2
log1=$(serial_log v1)

# ---- refusals ----------------------------------------------------------
expect 3 'no VM named "nosuch"' "vnc of an unknown VM" vnc nosuch
expect 4 'v1 is not running \(shut off\): start it first' "vnc of a VM that is off" vnc v1
expect 0 'Started VM "v1"' "start v1" start v1
expect 0 'Started VM "v2"' "start v2" start v2
expect 4 'v2 has no graphical display .*vmtui console v2' "vnc of a VM without graphics points to its serial console" vnc v2
expect 2 'needs a terminal' "vnc without a terminal" vnc v1 </dev/null
expect 2 '--mode "sixels" must be auto, kitty, sixel, truecolor, 256 or 16' "a bad --mode" vnc v1 --mode sixels
check "v1 boots to its shells" wait_for "$log1" 'VMTUI-GUEST-READY' 40
shell_session "'$VMTUI' vnc v1" -x 30 -y 8
see 'terminal is too sma' 10 "a terminal too small says so"
see '30×8 cells, it needs at least' 1 "and how small it is"
see 'VMTUI-EXITED 2' 2 "and exits 2"
shell_session "TERM=dumb '$VMTUI' vnc v1" -x 100 -y 30
see 'needs a terminal with colours; TERM=dumb has none' 10 "a terminal without colours says so"
see 'VMTUI-EXITED 2' 2 "and exits 2"
same_stty "the terminal's mode is given back after a refusal"

# ---- the screen ------------------------------------------------------------
# pictures (vnc-text.sh has the screen drawn as text)
shell_session "'$VMTUI' vnc v1 --text off" -x 160 -y 50
see ' v1 · 720×400 · fit · 256 · Ctrl-] menu' 15 "the status line: VM, guest resolution, view, output mode (256 colours in tmux)"
sleep 1
cells=$(screen | tr -cd '▄▀█' | wc -m)
check "the guest's text console shows as half blocks ($cells of them)" [ "$cells" -gt 200 ]
tmux capture-pane -e -p -t "$S" >"$T/pane"
check "in colour (256-colour SGR)" grep -q '38;5;[0-9]*m' "$T/pane"

tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
# typed as the user types it; the guest's shell on tty1 writes it to the
# serial port, so the serial log proves each key arrived as itself
keys -l "echo 'k-$tok-A_B!@#:\"~\$%^&*()<>?|{}+' >/dev/ttyS0"
keys Enter
want="k-$tok-A_B!@#:\"~\$%^&*()<>?|{}+"
i=0
until grep -qF -- "$want" "$log1" 2>/dev/null || [ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
check "keys typed through VNC reach the guest intact, shifted and special ones too" \
	grep -qF -- "$want" "$log1"
grep -qF -- "$want" "$log1" || diag "want: $want" "serial log:" "$(tail -n 5 "$log1")"

# a still screen: no byte once it has settled (the cursor, which blinks,
# hidden first)
keys -l "clear; printf '\\033[?25l'"
keys Enter
sleep 2
bytes=$(pane_bytes 5)
check "a still screen writes nothing over 5 s ($bytes bytes)" [ "$bytes" -eq 0 ]
bytes=$(pane_bytes 1 x)
check "one typed character redraws only its cells ($bytes bytes)" test "$bytes" -gt 0 -a "$bytes" -lt 1000
keys BSpace

keys C-]
see 'q leave · d Ctrl-Alt-Del · 1-9,0,F-keys Ctrl-Alt-Fn · t type text' 3 "Ctrl-] shows the menu in the status line"
keys v
see '720×400 · fill width ·' 3 "v changes the view (fill width)"
keys C-] v
see '720×400 · 1:1 ·' 3 "then 1:1"
sleep 0.5
screen | head -n 49 >"$T/view.a"
keys C-] Right
sleep 1
screen | head -n 49 >"$T/view.b"
check "the menu's arrows pan the 1:1 view" sh -c "! cmp -s '$T/view.a' '$T/view.b'"
keys Left
sleep 1
screen | head -n 49 >"$T/view.c"
check "and back" cmp -s "$T/view.a" "$T/view.c"
keys Escape
sleep 0.3 # a lone Esc is told from a sequence by the pause after it
keys C-] v
see '720×400 · text 80×25 ·' 3 "then text"
keys C-] v
see '720×400 · fit ·' 3 "then back to fit"
keys C-] p
see 'screenshot saved: .*v1-[0-9-]+\.png' 10 "p takes a screenshot"
png=$(ls "$XDG_DATA_HOME"/vmtui/screenshots/v1-*.png 2>/dev/null | head -n 1)
check "a 720x400 PNG whose pixels decode" python3 - "$png" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", d[16:24])
assert (w, h) == (720, 400), (w, h)
pos, idat = 8, b""
while pos < len(d):
    n, = struct.unpack(">I", d[pos:pos + 4]); t = d[pos + 4:pos + 8]
    body = d[pos + 8:pos + 8 + n]
    assert zlib.crc32(t + body) == struct.unpack(">I", d[pos + 8 + n:pos + 12 + n])[0]
    if t == b"IDAT": idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(raw) == h * (w * 3 + 1)
assert any(raw[i] != 0 for i in range(len(raw)) if i % (w * 3 + 1)), "all black"
EOF
keys C-] t
see 'Type into v1 \(Enter sends, Esc cancels\)' 3 "t asks for a text to type"
keys -l "echo typed-\$(($tok+5)) >/dev/ttyS0"
keys Enter Enter
check "and types it into the guest" wait_for "$log1" "^typed-$((tok + 5))" 20

tmux resize-window -t "$S" -x 120 -y 40
see ' v1 · 720×400 · fit · 256 · Ctrl-] menu' 5 "a resize redraws at the new size"
screen | tail -n 1 | grep -q ' v1 · 720×400'
check "with the status line on the new last row" [ $? -eq 0 ]

keys C-] s
see 'serial console of v1' 10 "the menu's s switches to the serial console"
keys "echo sv-\$(($tok+6))" Enter
see "^sv-$((tok + 6))" 10 "which works"
keys C-] g
see ' v1 · 720×400 · fit ·' 10 "and its g switches back to the screen"
keys C-] C-]
see 'VMTUI-EXITED 0' 5 "Ctrl-] Ctrl-] leaves; exit status 0"
same_stty "the terminal's mode is given back"
check "and its screen and mouse modes" sh -c \
	"[ \"\$(tmux display -p -t '$S' '#{alternate_on}#{mouse_any_flag}#{mouse_sgr_flag}#{cursor_flag}')\" = 0001 ]"

# a crash signal gives the terminal back too
vmtui_session vnc v1
see ' v1 · 720×400' 15 "the screen again"
kill -SEGV "$(cat "$T/pid")"
see 'VMTUI-EXITED 139' 5 "SIGSEGV ends it"
same_stty "and the terminal's mode is given back"
check "with its screen and mouse modes" sh -c \
	"[ \"\$(tmux display -p -t '$S' '#{alternate_on}#{mouse_any_flag}#{mouse_sgr_flag}#{cursor_flag}')\" = 0001 ]"

# ---- a desktop viewer, when there is a desktop ------------------------------
# a private X server (its display number written to a pipe by -displayfd);
# remote-viewer, started by vmtui, outlives it and is ended by its pid
command -v Xvfb >/dev/null && command -v remote-viewer >/dev/null ||
	{ echo "Bail out! Xvfb or remote-viewer is missing (./setup.sh test installs xvfb and virt-viewer)"; exit 1; }
Xvfb -displayfd 1 -nolisten tcp -screen 0 800x600x24 >"$T/xdisplay" 2>"$T/xvfb.log" &
BG_PIDS="$BG_PIDS $!"
i=0
until [ -s "$T/xdisplay" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
disp=:$(cat "$T/xdisplay")
shell_session "DISPLAY=$disp '$VMTUI' vnc v1" -x 160 -y 50
see 'Ctrl-] o opens it in remote-viewer on the desktop' 15 "with a desktop and remote-viewer, the screen offers to open there"
keys C-] o
see 'opened in remote-viewer \(vnc://127\.0\.0\.1:59[0-9][0-9]\)' 5 "Ctrl-] o opens it there"
port=$(screen | sed -n 's/.*vnc:\/\/127\.0\.0\.1:\(59[0-9][0-9]\).*/\1/p' | head -n 1)
viewer=
i=0
while [ -z "$viewer" ] && [ $i -lt 100 ]; do
	viewer=$(pgrep -f "^remote-viewer vnc://127.0.0.1:$port\$" | head -n 1)
	sleep 0.1; i=$((i + 1))
done
[ -n "$viewer" ] && BG_PIDS="$BG_PIDS $viewer"
i=0
until ss -tnpH state established "( dport = :$port )" 2>/dev/null | grep -q "pid=$viewer," || [ $i -ge 150 ]; do
	sleep 0.1; i=$((i + 1))
done
check "remote-viewer (pid ${viewer:-none}) is connected to the VM's VNC server on port ${port:-?}" \
	sh -c "[ -n '$viewer' ] && ss -tnpH state established '( dport = :$port )' | grep -q 'pid=$viewer,'"
keys C-] q
see 'VMTUI-EXITED 0' 5 "leaving the console"
check "leaves the viewer open" kill -0 "${viewer:-0}"
[ -n "$viewer" ] && kill "$viewer" 2>/dev/null
shell_session "env -u DISPLAY -u WAYLAND_DISPLAY '$VMTUI' vnc v1" -x 160 -y 50
see ' v1 · 720×400' 15 "without a desktop"
check "nothing offers a desktop viewer" sh -c "tmux capture-pane -p -t '$S' | grep -q ' v1 · 720×400' && ! tmux capture-pane -p -t '$S' | grep -q remote-viewer"
keys C-] q

# ---- from the full-screen interface -------------------------------------
shell_session "env XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'" -x 120 -y 40
see '^ . v1 +running' 10 "the list shows v1 running"
see ' v screen ' 2 "the hint line offers v for the screen"
keys Tab Tab Tab Tab Tab
see 'v: the screen, live' 15 "the Screen tab of the details pane shows a picture of v1's screen"
cells=$(screen | tail -n 12 | tr -cd '▄▀█' | wc -m)
check "drawn in half blocks ($cells of them, where its text is)" [ "$cells" -ge 5 ]
tmux capture-pane -e -p -t "$S" | tail -n 12 >"$T/pane"
check "in colour" grep -q '38;5;[0-9]*m' "$T/pane"
keys j
see 'No graphical display: the VM was created with --no-graphics' 5 "a VM without a display says so there"
keys k BTab BTab BTab BTab BTab
keys j v
see 'v2 has no graphical display' 10 "v on a VM without graphics says so"
keys k v
see ' v1 · 720×400 · text 80×25' 10 "v shows the selected VM's screen (as text: [console] text = auto)"
keys C-] q
see '^ . v1 +running' 5 "Ctrl-] q leaves to the list"
keys q
see 'VMTUI-EXITED 0' 10 "q quits"
done_testing

#!/bin/sh
# The graphical console reads text screens as text, end to end in tmux at
# 120×36: a BIOS guest on QEMU's VGA text mode shows the SeaBIOS banner
# and the kit's marker line as plain characters, with the guest's cursor
# as the terminal's; a token typed into tty1 appears as text; a still
# screen writes nothing and a typed character under 40 bytes; the view
# menu's fill width and 1:1 are pictures and its text view text again;
# --text off and [console] text = off draw pictures, --text on wins over
# the file, bad values are refused; a UEFI guest's Linux console on the
# EFI framebuffer (1280×800, 160×50 characters) is read too, the view
# following its cursor.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
S=
export TMUX_TMPDIR="$T"

check "create t1, a BIOS guest with a screen" screen_guest t1
expect 2 '--text "sometimes" must be auto, on or off' "a bad --text is refused" vnc t1 --text sometimes
expect 0 'Started VM "t1"' "start t1" start t1
check "t1 boots to its shells" wait_for "$(serial_log t1)" 'VMTUI-GUEST-READY' 40

halfblocks() { screen | tr -cd '▄▀█' | wc -m; }

shell_session "'$VMTUI' vnc t1" -x 120 -y 36
see ' t1 · 720×400 · text 80×25 · 256 · Ctrl-] menu' 15 "the status line says the screen is drawn as text (80×25)"
see '^ +SeaBIOS \(version [0-9][0-9.a-z-]*\)$' 2 "the SeaBIOS banner is plain text"
see '^ +VMTUI-MARKER t1$' 2 "  ... and so is the kit's marker line on tty1"
check "  ... with no half block on the screen ($(halfblocks))" [ "$(halfblocks)" -eq 0 ]
tmux capture-pane -e -p -t "$S" >"$T/pane"
check "  ... in the guest's colours as the terminal's own (light grey: SGR 37)" grep -q '\[[0-9;]*37[;m]' "$T/pane"
i=0 # it blinks: shown once seen
until [ "$(tmux display -p -t "$S" '#{cursor_flag}')" = 1 ] || [ $i -ge 30 ]; do sleep 0.1; i=$((i + 1)); done
cx=$(tmux display -p -t "$S" '#{cursor_x}')
cy=$(tmux display -p -t "$S" '#{cursor_y}')
row=$(screen | sed -n "$((cy + 1))p" | cut -c1-"$cx") # (trailing blanks cut)
if [ "$(tmux display -p -t "$S" '#{cursor_flag}')" = 1 ] && [ "$row" = "$(printf '%*s' $((cx - 2)) '')#" ]; then
	ok "the terminal's cursor is the guest's, after the prompt (column $cx, row $cy)"
else
	not_ok "the terminal's cursor is the guest's, after the prompt (column $cx, row $cy)"
	diag "row $cy up to the cursor: [$row]" "cursor shown: $(tmux display -p -t "$S" '#{cursor_flag}')"
fi

tok=t$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
keys -l "echo $tok"
see "^ +# echo $tok\$" 2 "a token typed into tty1 appears as text"
keys Enter
see "^ +$tok\$" 3 "  ... and the guest's answer to it"
sleep 2
bytes=$(pane_bytes 4)
check "a still text screen writes nothing over 4 s, its cursor blinking ($bytes bytes)" [ "$bytes" -eq 0 ]
bytes=$(pane_bytes 1 x)
check "a typed character writes under 40 bytes ($bytes)" test "$bytes" -gt 0 -a "$bytes" -lt 40
keys BSpace

keys C-] v
see ' t1 · 720×400 · fill width · 256' 3 "the view menu's fill width is a picture"
sleep 1
check "  ... in half blocks ($(halfblocks))" [ "$(halfblocks)" -gt 200 ]
keys C-] v
see ' t1 · 720×400 · 1:1 · 256' 3 "  ... and so is 1:1"
keys C-] v
see ' t1 · 720×400 · text 80×25 · .*view: text' 3 "its text view draws text"
keys C-] v
see ' t1 · 720×400 · text 80×25 · .*view: fit' 3 "  ... and back to fit, text again (auto)"
keys C-] q
see 'VMTUI-EXITED 0' 5 "leaving"

shell_session "'$VMTUI' vnc t1 --text off" -x 120 -y 36
see ' t1 · 720×400 · fit · 256' 15 "--text off draws the text screen as a picture"
sleep 1
check "  ... in half blocks ($(halfblocks))" [ "$(halfblocks)" -gt 200 ]
keys C-] q
mkdir -p "$XDG_CONFIG_HOME/vmtui"
printf '[console]\ntext = off\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
shell_session "'$VMTUI' vnc t1" -x 120 -y 36
see ' t1 · 720×400 · fit · 256' 15 "[console] text = off does too"
keys C-] q
shell_session "'$VMTUI' vnc t1 --text on" -x 120 -y 36
see ' t1 · 720×400 · text 80×25 · 256' 15 "--text on wins over the file"
keys C-] q
printf '[console]\ntext = maybe\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
expect 2 'text = "maybe" must be auto, on or off' "a bad [console] text is refused, naming the file" list
rm -f "$XDG_CONFIG_HOME/vmtui/vmtui.conf"
expect 0 'Forced VM "t1" off' "t1 off" destroy t1

# ---- UEFI: the Linux console on the EFI framebuffer -------------------------
check "create u1, a UEFI guest with a screen" screen_guest u1 --firmware uefi
expect 0 'Started VM "u1"' "start u1" start u1
check "u1 boots to its shells" wait_for "$(serial_log u1)" 'VMTUI-GUEST-READY' 120
shell_session "'$VMTUI' vnc u1" -x 120 -y 36
see ' u1 · 1280×800 · text 160×50 · 256' 20 "the EFI framebuffer's console is drawn as text (160×50 characters)"
see '^ *VMTUI-MARKER u1$' 5 "  ... the kit's marker line in it"
tok=u$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
keys -l "echo $tok"
keys Enter
see "^ *$tok\$" 5 "  ... a typed token and its echo"
# 36 lines: the guest's screen does not scroll yet, the terminal's view
# of it (35 rows of 50) must
keys -l "for i in \$(seq 36); do echo line-\$i; done"
keys Enter
see '^ *line-36$' 10 "the view follows the cursor down a screen taller than the terminal"
check "  ... the guest's first lines out of view now" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'VMTUI-MARKER u1'"
keys C-] q
see 'VMTUI-EXITED 0' 5 "leaving"
expect 0 'Forced VM "u1" off' "u1 off" destroy u1
done_testing

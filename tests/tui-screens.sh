#!/bin/sh
# The full-screen interface on libvirt's test driver (fast, no guests),
# driven through tmux: the columns from 80 to 200 cells, guest addresses,
# several hosts grouped under headings (one unreachable), the action menu
# (F2, m), the New VM form's OS picker, key bindings and colours from the
# config file, and the errors a bad config file gets.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
S=none
export TMUX_TMPDIR="$T"
conf="$XDG_CONFIG_HOME/vmtui/vmtui.conf"
mkdir -p "$XDG_CONFIG_HOME/vmtui"

# tui [ENV=VALUE...]: vmtui on test:///default in a new 100x30 pane
# (COLS, ROWS change it); the pane stays after vmtui ends, to read its
# status.  The previous session goes once the new one is up, so the tmux
# server never runs out of sessions in between.
n=0
tui() {
	old=$S
	n=$((n + 1))
	S="vmtui-screens-$$-$n"
	tmux new-session -d -s "$S" -x "${COLS:-100}" -y "${ROWS:-30}" \
		"env LANG=C.UTF-8 $* XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
		'$VMTUI' -c test:///default; echo VMTUI-EXITED \$?; sleep 60"
	tmux kill-session -t "$old" 2>/dev/null
}

# Columns give way on narrow terminals and all show on wide ones.
COLS=80 tui
see '^ . test +running' 10 "80 columns: the VM is listed"
see 'NAME.*STATE.*VCPUS.*MEMORY.*CPU.*IP ADDRESS.*UPTIME' 1 "80 columns: name, state, vCPUs, memory, CPU, address and uptime fit"
check "80 columns: the disk and network rates give way" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'DISK I/O'"
see '^ . test +running .*192\.168\.122\.[0-9]+' 5 "the guest's address (from libvirt) shows in its row"
see 'Address: +192\.168\.122\.' 5 "and in the details pane"
tmux resize-window -t "$S" -x 200 -y 30
see 'NAME.*STATE.*VCPUS.*MEMORY.*USED.*CPU.*DISK I/O.*NET I/O.*IP ADDRESS.*UPTIME' 5 "200 columns: every column shows"
keys Tab Tab Tab Tab
see 'No serial log: vmtui keeps one' 3 "the Console tab says when a VM has no serial log"
keys BTab BTab BTab BTab
keys F y Enter
see '^ . test +shut off' 5 "forced off"
idle
keys s
see '^ . test +running .* [0-9]{2}:[0-9]{2}:[0-9]{2} *$' 5 "a VM started while vmtui watches shows its uptime"

# The menu: every action with its key; choosing one runs it.
keys F2
see '│ +info +Enter │' 3 "F2 opens the menu of actions with their keys"
see '│ +force off +F │' 1 "it lists the destructive actions too"
keys Escape
see '^ . test +running' 3 "Esc closes it"
keys m Down Down Down Down Enter
see '^ . test +paused' 5 "m opens it too; choosing pause with the arrows and Enter pauses"
keys m F
see 'Force off VM "test"\?' 3 "an action's key in the menu runs it, and force off still asks"
keys n Enter
see 'Force off cancelled' 3 "and No keeps it running"
keys e
see 'The VM is running: changes marked "at next start"' 5 "Edit VM on a running VM says what waits"
keys Tab Tab Tab Tab BSpace BSpace BSpace BSpace BSpace BSpace BSpace cdrom,hd
see 'Boot order +\[cdrom,hd\] +at next start' 3 "a new boot order is marked: at next start"
keys BTab BTab BTab BSpace 4
see 'Max vCPUs +\[4\] +at next start' 3 "  ... and a new maximum of vCPUs"
keys Escape
see 'Nothing was changed' 3 "Esc leaves it unchanged"
keys F1
see 'n +F7 +Create a new VM' 3 "F1 shows the help, with the function keys"
keys ' '
see 'F2 +Show these actions as a menu' 3 "  ... on its pages (Space turns them)"
keys q q
see 'VMTUI-EXITED 0' 5 "F10/q quit"

# The New VM form: F2 on the OS field opens libosinfo's list; choosing
# fills in the recommended resources.
if "$VMTUI" os-list debian11 2>/dev/null | grep -q debian11; then
	tui
	see '^ . test +running' 10 "started for the form"
	keys n Tab
	see 'F2: choose from the list' 3 "the OS field says how to pick from the list"
	keys F2
	see '┌─ OS variant' 10 "F2 opens the OS picker"
	keys d e b i a n 1 1
	see '│ +Debian 11 +debian11 │' 5 "typing narrows it (name and id)"
	keys Enter
	see 'Recommended for Debian 11: [0-9]+ vCPUs' 5 "choosing fills in what libosinfo recommends"
	see 'OS variant +\[debian11\]' 1 "and the field holds the id"
	keys Escape
	see 'No VM was created' 3 "Esc leaves the form"
	keys q
	see 'VMTUI-EXITED 0' 5 "quits"
else
	ok "# SKIP OS picker: vmtui was built without libosinfo (configure --with-libosinfo)"
fi

# Several hosts: headings, grouping, an unreachable one, folding.
cat >"$T/other.xml" <<'EOF'
<?xml version="1.0"?>
<node>
  <domain type="test"><name>office-1</name><memory unit="KiB">1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
  <domain type="test"><name>office-2</name><memory unit="KiB">524288</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>
</node>
EOF
cat >"$conf" <<EOF
[hosts]
lab = test:///default
office = test://$T/other.xml
broken = qemu+unix:///system?socket=$T/no-such-socket
EOF
tui
see '3 hosts' 10 "the title counts the hosts"
see '^▾ lab +test:///default +1 VM, 1 running' 5 "the main engine's heading takes its [hosts] label"
see '^▾ office .*2 VMs, 2 running' 10 "another host's VMs come under its heading"
see '^ . office-2 +running' 1 "with their rows"
see '^▾ broken +unreachable, trying again in [0-9]+ s \(Enter: now\): Cannot open the engine qemu\+unix' 10 "an unreachable host says why"
keys G
see 'Error: .*no-such-socket' 3 "its heading's details give the whole error"
screen >"$T/screen"
check "hosts keep their order" sh -c "grep -n '^▾' '$T/screen' | cut -d: -f1 | tr '\n' ' ' | grep -Eq '^3 5 8 $'"
keys g j j j j
keys p
see '^ . office-2 +paused' 5 "an action runs on the VM's own host"
see '^ . test +running' 1 "and nothing else changes"
keys :
see '^\[office\] :' 3 "the : line names the host it runs on"
keys 'suspend office-1' Enter
see '^ . office-1 +paused' 5 "and runs the command there"
keys g Enter
see '^▸ lab' 3 "Enter on a heading folds its VMs away"
check "the folded host's VMs are hidden" sh -c "! tmux capture-pane -p -t '$S' | grep -q '^ . test '"
keys Enter
see '^ . test +running' 3 "Enter again shows them"
keys G Enter
see 'Connecting to broken' 3 "Enter on an unreachable host connects again"
keys q
see 'VMTUI-EXITED 0' 5 "quits"

# Key bindings from [keys]: the hint line, help and menu follow them.
printf '[keys]\nstart = ^T\npause = P\nmenu = none\n' >"$conf"
tui
see '\^T start' 10 "[keys]: the hint line shows the new key"
keys P
see '^ . test +paused' 5 "the rebound key runs its action"
keys p
see '^ . test +paused' 1 "the old key does nothing any more"
keys F2
see '│ +pause +P │' 3 "the menu shows the new key (F2 still opens it)"
keys Escape F1
see '\^T +Start the selected VM' 3 "the help shows it"
keys q q
see 'VMTUI-EXITED 0' 5 "quits"

bad_conf() {
	printf '%s\n' "$1" >"$conf"
	tui
	see "$2" 5 "$3"
	see 'VMTUI-EXITED 2' 1 "and exits with status 2"
}
bad_conf '[keys]
start = j' 'start = "j": that key moves in the list' "[keys]: a key the list uses is refused"
bad_conf '[keys]
pause = s' '"s" would be the key of both start and pause' "[keys]: one key for two actions is refused"
bad_conf '[keys]
launch = x' '"launch" is not an action' "[keys]: an unknown action is named"
bad_conf '[keys]
start = Ctrl+S' '"Ctrl\+S" is not a key' "[keys]: a bad key name says which are valid"
bad_conf '[colors]
running = purple' 'running = "purple" is not a colour' "[colors]: a bad colour says what is valid"
bad_conf '[colors]
theme = neon' 'theme = "neon" must be default, dark, light' "[colors]: an unknown theme lists the themes"

# Colours: 8, 256 and direct colour; the mono theme and NO_COLOR.
printf '[colors]\ntheme = dark\n' >"$conf"
tui TERM=xterm-256color
see '^ . test +running' 10 "256 colours: started"
check "256 colours: the dark theme's green is the palette's nearest (77)" \
	sh -c "tmux capture-pane -e -p -t '$S' | grep -q '38;5;77m'"
tui TERM=xterm-direct
see '^ . test +running' 10 "direct colour: started"
check "direct colour: the exact #5fd75f" \
	sh -c "tmux capture-pane -e -p -t '$S' | grep -q '38;2;95;215;95m'"
printf '[colors]\ntheme = dark\nrunning = #ff8700 on default\n' >"$conf"
tui TERM=xterm-direct
see '^ . test +running' 10 "an element's own colour: started"
check "an element set in [colors] wins over the theme" \
	sh -c "tmux capture-pane -e -p -t '$S' | grep -q '38;2;255;135;0m'"
tui TERM=xterm
see '^ . test +running' 10 "8 colours: started"
check "8 colours: the nearest basic colour (yellow for orange)" \
	sh -c "tmux capture-pane -e -p -t '$S' | grep -q '\[33m'"
printf '[colors]\ntheme = mono\n' >"$conf"
tui TERM=xterm-256color
see '^ . test +running' 10 "mono theme: started"
check "mono theme: no colour at all" \
	sh -c "! tmux capture-pane -e -p -t '$S' | grep -Eq '\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]'"
keys q
see 'VMTUI-EXITED 0' 5 "quits"
tmux kill-session -t "$S" 2>/dev/null

done_testing

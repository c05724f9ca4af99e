#!/bin/sh
# The full-screen interface, driven through tmux like a person would:
# the live list, start and ACPI shutdown by key (the state changes on
# screen with no keypress, from libvirt events), the `:` prompt, info,
# force off with a confirmation, delete that needs the typed name, help,
# resize, LANG=C and NO_COLOR, and the terminal given back on quit.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
S="vmtui-test-$$"
export TMUX_TMPDIR="$T"
check "create guest t1" create_guest t1
check "create guest t2" create_guest t2
check "create guest t3" create_guest t3
check "create a guest that ignores ACPI" create_guest th th vmtui.panic=1
check "create a guest that powers itself off" create_guest tp tp vmtui.poweroff=3
# short waits for the guest that ignores ACPI
mkdir -p "$XDG_CONFIG_HOME/vmtui"
printf '[engine]\nshutdown-timeout = 4\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
log1=$(serial_log t1)

start_tui() {
	fresh_session -x "${COLS:-100}" -y "${ROWS:-30}" \
		"env $* XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
		VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg '$VMTUI'; echo VMTUI-EXITED \$?; sleep 60"
}

start_tui LANG=C.UTF-8 LC_ALL=C.UTF-8
see '^ . t1 +shut off' 10 "the list shows the VMs"
see 'TCG \(software emulation: slow\)' 1 "the title warns about TCG"
see 's start +S shutdown' 1 "the hint line comes from the action table"
keys s
see '^ . t1 +running' 10 "s starts the selected VM; its row turns running"
see 'Started VM "t1"' 2 "the job's result shows in the status line"
see 'State: +running' 5 "the details pane shows the selected VM"
see '^ . t1 +running .* 00:00:[0-9]{2} *$' 5 "its uptime (from QEMU's pid file) shows in the row"
see 'Up for: +00:00:[0-9]{2}' 5 "and in the details pane"
keys Tab Tab Tab Tab Tab Tab
see '[0-9:]{8} started' 3 "its Events tab lists the lifecycle events"
keys BTab BTab
see 'VMTUI-MARKER t1' 30 "its Console tab shows the end of the serial log, live (the guest's marker)"
check "t1 boots (its acpid is up)" wait_for "$log1" 'VMTUI-GUEST-READY' 30
keys BTab BTab
see 'virtio|No disks' 3 "Shift-Tab goes back (Disks tab)"
keys Tab Tab Tab Tab Tab Tab
keys S
see '^ . t1 +shut off' 30 "S (ACPI) powers it off and the row follows without a keypress"
see 'VM "t1" has powered off' 10 "the shutdown job reports it"
keys j
keys Enter
see 'Name: +t2' 5 "Enter shows the selected VM's details"
keys q
keys x
see "<domain type='qemu'>" 5 "x shows the domain XML"
keys / memballoon Enter
sleep 0.5
check "/ in the XML viewer finds and highlights a line" \
	sh -c "tmux capture-pane -e -p -t '$S' | grep -q '7m.*<memballoon'"
keys / nosuchtext Enter
see '"nosuchtext" is not in this text' 3 "a search that finds nothing says so"
keys q
keys / t3
see '^ . t3 +shut off' 3 "/ filters as you type"
screen | grep -Eq '^ . t1 '
check "the filtered-out VMs are hidden" [ $? -ne 0 ]
keys Enter
see 'Showing VMs whose name contains "t3"' 3 "the filter stays after Enter"
keys / Escape
see '^ . t1 +shut off' 3 "/ then Esc shows all VMs again"
keys o
see 'STATE (▲|\^)' 3 "o sorts by the next column, marked in the heading"
keys O
see 'STATE (▼|v)' 3 "O reverses the order"
keys o o o o o o o o o O
see 'NAME (▲|\^)' 3 "and back to names"
keys g Space j Space
see '^\*. t3' 3 "space marks VMs"
keys s
see '^\*. t1 +running' 15 "s starts every marked VM (t1)"
see '^\*. t3 +running' 15 "s starts every marked VM (t3)"
keys F
see 'Force off these 2 VMs\?' 3 "F on marked VMs asks once for all of them"
keys y Enter
see '^\*. t3 +shut off' 15 "and forces them all off"
idle
keys Escape
see '^ . t3 +shut off' 3 "Esc drops the marks"
keys g j
keys : 'info nosuch' Enter
see 'There is no VM named "nosuch"' 5 "the : prompt runs commands and shows their errors"
keys : inf Tab
see '^:info ?$' 3 ": completes command names with Tab"
keys t Tab
see 't1 +t2 +t3 +th +tp' 3 "then VM names, listing the candidates"
keys 1 Enter
see 'Name: +t1' 5 "the completed command runs"
keys q : Up
see '^:info t1' 3 "Up recalls the last command"
keys Escape
keys : 'start t2' Enter
see '^ . t2 +running' 10 ":start t2 starts it"
idle
keys F
see 'Force off VM "t2"\? .*\[y/N\]' 3 "F asks before forcing off"
keys n Enter
see 'Force off cancelled' 3 "answering no keeps it running"
see '^ . t2 +running' 3 "t2 is still running"
keys F y Enter
see '^ . t2 +shut off' 10 "answering y forces it off"
idle
keys d
see "Type the VM's name to delete \"t2\"" 3 "d asks for the VM's name"
keys 'wrong' Enter
see 'does not match; nothing was deleted' 3 "a wrong name deletes nothing"
keys d t2 Enter
see 'Also remove the disks' 3 "then asks about disks"
keys n Enter
see 'Deleted VM "t2"' 10 "the typed name deletes it"
screen | grep -Eq '^ . t2 '
check "t2 is gone from the list" [ $? -ne 0 ]
keys / tp Enter s
see '^ . tp +running' 10 "start the guest that will power itself off"
see '^ . tp +shut off' 40 "when it powers itself off, the row follows with no keypress"
keys / th Enter
keys s
see '^ . th +running' 10 "start the guest that ignores ACPI"
keys S
see '"shutdown" timed out\. Run "destroy th" now\? \[y/N\]' 15 \
	"an ignored ACPI shutdown is reported and force off offered"
keys y Enter
see '^ . th +shut off' 10 "accepting the offer forces it off"
keys s
see '^ . th +running' 10 "start it again"
keys S
sleep 1
keys K
see 'Stopped waiting for VM "th" to power off' 5 "K stops the running shutdown job at once"
keys F y Enter
see '^ . th +shut off' 10 "force off"
keys / Escape
keys '?'
see 'Force the selected VM off \(asks first\)' 3 "? shows help generated from the bindings"
keys q

# The New VM form: inline errors with the command line's rules, a summary,
# a failed create that keeps the form, then a guest that boots.
keys n 'bad/name' Tab
see "contains '/', which is not allowed" 3 "the form shows a bad name inline"
keys Up BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace web1 Tab Tab Tab
keys BSpace BSpace 256M Tab Right Right Tab Right Right Tab /nonexistent/k Tab
see 'Kernel +\[/nonexistent/k\]' 3 "choices switch the fields shown (no disk, kernel boot)"
keys "$GUEST_INITRD" Tab
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
keys "console=ttyS0 quiet cryptomgr.notests vmtui.marker=form-$$" Tab Tab Tab "made by the form" Enter
see 'New VM: summary' 3 "Enter on the last field shows a summary"
keys Enter
see 'The kernel /nonexistent/k cannot be used: No such file' 10 "a failed create keeps the form and says why"
check "and nothing was created" sh -c "! ls '$XDG_DATA_HOME/vmtui/disks' 2>/dev/null | grep -q web1"
keys Up Up Up Up Up
for i in $(seq 20); do keys BSpace; done
keys "$GUEST_KERNEL"
keys Down Down Down Down Down Enter
see 'New VM: summary' 3 "the summary again"
keys Enter
see 'Created VM "web1"' 10 "the form creates the VM and closes"
keys / web1 Enter s
see '^ . web1 +running' 10 "the new VM starts"
booted=no
for i in $(seq 400); do
	grep -qs "VMTUI-MARKER form-$$" "$XDG_DATA_HOME"/vmtui/logs/*-serial.log && { booted=yes; break; }
	sleep 0.1
done
check "the VM made by the form boots to its marker" [ $booted = yes ]
keys F y Enter / Escape
idle

# The Edit VM form.
keys g e
see 'Edit VM "t1"' 3 "e opens the Edit VM form for the selected VM"
see 'Memory +\[256M\]' 3 "prefilled with its settings"
see 'Boot order +\[(hd)?\]' 3 "and its boot order (none set for a kernel boot)"
see 'Max vCPUs +\[1\]' 1 "  ... and the most vCPUs it can take"
keys BSpace 2 Tab BSpace 4 Tab BSpace BSpace BSpace BSpace 300M Tab Tab
keys BSpace BSpace usb Tab
see '"usb" is not a boot device: use hd, cdrom or network' 3 "a bad boot order is refused inline, with the CLI's message"
see 'Network +\[nat\]' 1 "  ... and its NICs' networks"
see 'vCPU pinning +\[\]' 1 "  ... and its tuning (no vCPU pinned)"
keys BTab BSpace BSpace BSpace cdrom,hd Tab ' nat,link=down' Tab Tab 0:0 Tab Tab "edited in the form" Enter
see 'Edit VM "t1": summary' 3 "Enter on the last field shows a summary"
keys Enter
see 'Changed VM "t1"' 20 "Enter applies the change with set"
see '^ . t1 +shut off +2 +300 MiB' 10 "the list shows the new vCPUs and memory"
see 'Description: +edited in the form' 10 "the details pane shows the new description"
keys Tab
see 'Boot order: +CD-ROM, hard disk' 5 "and the Hardware tab the new boot order"
see 'vCPUs: +2 \(max 4\)' 1 "  ... its room for 4 vCPUs"
see 'vCPU pinning: +0:0' 1 "  ... and vCPU 0 pinned to host CPU 0"
keys Tab Tab
see '^  nat +52:54:00:[0-9a-f:]+ +virtio +up +not known yet' 5 "  ... and the Network tab its NICs, one a line"
see '^  nat,link=down +52:54:00:[0-9a-f:]+ +virtio +down' 1 "  ... the second one with its cable out, as the form said"
keys BTab BTab
keys BTab
tmux resize-window -t "$S" -x 80 -y 24 2>/dev/null || tmux resize-pane -t "$S" -x 80 -y 24
see '^ . t1 +shut off' 3 "after resizing to 80x24 the list is redrawn"
keys q
see 'VMTUI-EXITED 0' 5 "q quits with status 0"
check "the terminal is back in normal mode (cursor shown, not in the alternate screen)" \
	sh -c "[ \"\$(tmux display -p -t '$S' '#{alternate_on}')\" = 0 ]"

# LANG=C: ASCII only; NO_COLOR: no colour attributes at all.
start_tui LANG=C LC_ALL=C NO_COLOR=1
see '^ \. t1 +shut off' 10 "under LANG=C the state glyph is ASCII"
check "no colour escape under NO_COLOR" sh -c "! tmux capture-pane -e -p -t '$S' | grep -q '\[3[1-7]m'"
keys q
see 'VMTUI-EXITED 0' 5 "quits"

# A crash signal still gives the terminal back.
fresh_session -x 100 -y 30 "env LANG=C.UTF-8 '$VMTUI' -c test:///default; echo VMTUI-EXITED \$?; sleep 60"
see '^ . test +running' 10 "started for the crash test"
pid=$(tmux display -p -t "$S" '#{pane_pid}')
vpid=$(pgrep -P "$pid" -f "$VMTUI" | head -n 1)
kill -SEGV "$vpid"
see 'VMTUI-EXITED 139' 5 "SIGSEGV ends vmtui with the signal's status"
check "and the terminal is back out of the full-screen mode" \
	sh -c "[ \"\$(tmux display -p -t '$S' '#{alternate_on}')\" = 0 ]"

# The same screens on libvirt's test driver (fast, no guests).
fresh_session -x 100 -y 30 "env LANG=C.UTF-8 '$VMTUI' -c test:///default; echo VMTUI-EXITED \$?; sleep 60"
see '^ . test +running' 10 "test:///default: the driver's domain is listed"
see 'test:///default' 1 "test:///default: the title names the URI"
keys p
see '^ . test +paused' 5 "test:///default: p pauses"
keys p
see '^ . test +running' 5 "test:///default: p resumes"
keys F y Enter
see '^ . test +shut off' 5 "test:///default: force off"
keys d test Enter n Enter
see 'Deleted VM "test"' 5 "test:///default: delete"
keys q
see 'VMTUI-EXITED 0' 5 "test:///default: quits"

# zh_CN
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	mkdir -p "$T/locale/zh_CN/LC_MESSAGES"
	msgfmt -o "$T/locale/zh_CN/LC_MESSAGES/vmtui.mo" "$top_srcdir/po/zh_CN.po"
	start_tui LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 VMTUI_LOCALEDIR="$T/locale"
	see '名称.*状态' 10 "zh_CN: translated headings"
	see 't1 +已关机' 2 "zh_CN: translated states, columns aligned"
	keys q
fi
done_testing

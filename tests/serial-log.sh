#!/bin/sh
# Guests' logs.  A guest that floods its serial line (vmtui.flood=1, as
# `yes > /dev/ttyS0` would) keeps its serial log under [console] log-size
# with no vmtui running, and again after a restart; the keeper that does
# it leaves when no guest runs; the Console tab follows the newest lines
# across the cuts.  The Console tab opens only regular files in vmtui's
# log folder, or one named in [console] log-folders: a definition that
# another client pointed at a FIFO, a symbolic link or someone else's file
# is refused with the reason, and the interface stays responsive.
. "${top_srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
guest_kit
export TMUX_TMPDIR="$T"
CAP=262144
mkdir -p "$XDG_CONFIG_HOME/vmtui"
conf="$XDG_CONFIG_HOME/vmtui/vmtui.conf"
printf '[console]\nlog-size = 256K\n' >"$conf"
LOGS="$XDG_DATA_HOME/vmtui/logs"

# disk_bytes FILE: what FILE takes on disk
disk_bytes() { echo $(($(stat -c %b "$1") * $(stat -c %B "$1"))); }
# last_line FILE: the number of the newest complete flood line in FILE
last_line() { tail -c 4096 "$1" | grep -ao 'VMTUI-FLOOD [0-9]* the quick' | tail -n 1 | cut -d' ' -f2; }
# keeper_pid: the pid the keeper wrote in its lock, if it runs
keeper_pid() {
	p=$(cat "$LOGS/.keeper" 2>/dev/null)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}
# gone_within PID SECONDS
gone_within() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# watch_log FILE SECONDS DESC: the guest prints more than four times the
# cap while FILE (sampled every 0.2 s) never takes more than the cap and
# what one second of flood adds (the keeper's slowest reaction)
watch_log() {
	first=$(last_line "$1")
	max=0
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		b=$(disk_bytes "$1")
		[ "$b" -gt "$max" ] && max=$b
		sleep 0.2
		i=$((i + 1))
	done
	last=$(last_line "$1")
	# a line is 63 bytes
	written=$(((${last:-0} - ${first:-0}) * 63))
	check "$3: the guest printed $written bytes in $2 s, more than 4 times the cap" \
		[ "$written" -gt $((4 * CAP)) ]
	check "  ... and the log never took more than the cap and a second of output (at most $max bytes)" \
		[ "$max" -le $((CAP + written / $2 + 65536)) ]
}

check "a guest that floods its serial line" create_guest flood flood vmtui.flood=1
log=$(serial_log flood)
expect 0 'Started VM "flood"' "starts (the command line exits at once)" start flood
check "the flood reaches the serial log" wait_for "$log" 'VMTUI-FLOOD [0-9]+ the quick' 60
keeper=$(keeper_pid)
[ -n "$keeper" ] && BG_PIDS="$BG_PIDS $keeper"
check "a keeper process watches the logs, though no vmtui runs" [ -n "$keeper" ]
check "  ... it is vmtui's keeper" grep -q '__keep-logs' "/proc/${keeper:-0}/cmdline"
watch_log "$log" 20 "with no vmtui running"
check "the log's end is the guest's newest output" \
	sh -c "tail -n 2 '$log' | grep -aq 'VMTUI-FLOOD [0-9]* the quick brown fox'"
check "  ... and it starts at a line the guest printed later than the first" \
	sh -c "! grep -aq 'VMTUI-FLOOD 0 the' '$log'"

# The Console tab shows the newest lines, across the cuts.
S=none
tui_session
see '^ . flood +running' 15 "the TUI lists the flooding guest"
keys Tab Tab Tab Tab
see 'VMTUI-FLOOD [0-9]+ the quick' 10 "its Console tab shows the flood"
n1=$(screen | grep -o 'VMTUI-FLOOD [0-9]*' | tail -n 1 | cut -d' ' -f2)
sleep 4
n2=$(screen | grep -o 'VMTUI-FLOOD [0-9]*' | tail -n 1 | cut -d' ' -f2)
check "  ... and follows it across the cuts (line ${n1:-?}, then ${n2:-?})" \
	[ "${n2:-0}" -gt "${n1:-0}" ]
check "  ... while the log stays under the cap" [ "$(disk_bytes "$log")" -le $((2 * CAP)) ]
keys q
see 'VMTUI-EXITED 0' 10 "the TUI quits; the guest runs on"

# The keeper leaves with the last guest, and comes back with the next.
old_last=$(last_line "$log")
expect 0 'Forced VM "flood" off' "the guest is forced off" destroy flood
check "the keeper leaves when no guest runs (within 20 s)" gone_within "${keeper:-0}" 20
expect 0 'Started VM "flood"' "the guest starts again, its log kept" start flood
# the new boot counts from 0 again
restarted() {
	i=0
	while [ $i -lt 600 ]; do
		n=$(last_line "$log")
		[ -n "$n" ] && [ "$n" -lt "${old_last:-0}" ] && [ "$n" -gt 1000 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check "the new boot's flood goes on in the same log" restarted
keeper=$(keeper_pid)
[ -n "$keeper" ] && BG_PIDS="$BG_PIDS $keeper"
check "a keeper watches again" [ -n "$keeper" ]
watch_log "$log" 10 "after a restart"
expect 0 'Forced VM "flood" off' "forced off again" destroy flood
check "  ... and the keeper leaves again" gone_within "${keeper:-0}" 20

# ---- what the Console tab opens ------------------------------------------
# Definitions as another libvirt client could write them: the serial log
# of each points elsewhere.
redefine() { # NAME LOGFILE
	"$VMTUI" create "$1" --no-disk --no-graphics >/dev/null &&
	"$VMTUI" dumpxml --inactive "$1" | sed "s#<log file='[^']*'#<log file='$2'#" >"$T/$1.xml" &&
	"$top_builddir/tests/virt-client" define "$T/$1.xml"
}
mkfifo "$T/fifo"
echo 'TOP-SECRET-CONTENT' >"$T/secret"
chmod 600 "$T/secret"
mkdir -p "$T/other" "$LOGS"
echo 'OTHER-FOLDER-LOG-LINE' >"$T/other/o-serial.log"
mkfifo "$T/other/p-serial.log"
ln -s "$T/secret" "$LOGS/evil-serial.log"
check "a VM whose serial log is a FIFO" redefine a-fifo "$T/fifo"
check "a VM whose serial log is another user's file" redefine b-secret "$T/secret"
check "a VM whose serial log is a symbolic link in vmtui's folder" redefine c-link "$LOGS/evil-serial.log"
check "a VM whose serial log is in a folder the user named" redefine d-other "$T/other/o-serial.log"
check "a VM whose serial log is a FIFO in that folder" redefine e-pipe "$T/other/p-serial.log"
printf '[console]\nlog-folders = %s\n' "$T/other" >"$conf"

tui_session 120
see '^ . a-fifo +shut off' 15 "the TUI lists them"
keys Tab Tab Tab Tab
see "serial log $T/fifo is not in vmtui's log folder" 5 "a FIFO elsewhere: not opened, with the reason"
keys j
see "serial log $T/secret is not in vmtui's log folder" 5 "another user's file elsewhere: not opened"
check "  ... its content never shows" sh -c "! tmux capture-pane -p -t '$S' | grep -q TOP-SECRET"
keys j
see 'evil-serial.log is a symbolic link: not opened' 5 "a symbolic link in vmtui's own folder: not followed"
keys j
see 'OTHER-FOLDER-LOG-LINE' 5 "a regular file in a folder of [console] log-folders is shown"
keys j
see 'p-serial.log is not a regular file' 5 "a FIFO there: refused, not waited on"
keys k
see 'OTHER-FOLDER-LOG-LINE' 5 "the tab still answers after the FIFO (nothing hangs)"
keys q
see 'VMTUI-EXITED 0' 10 "and the TUI quits"
done_testing

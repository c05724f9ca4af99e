#!/bin/sh
# Several hosts and live migration, against two real libvirt hosts on
# this machine (tests/hosts-lib.sh: each a network, mount and UTS
# namespace with its own libvirtd and sshd), reached as qemu+ssh:// from
# a third place (the first namespace, vmtui's embedded engine in it).
#   host add/list/remove and -c NAME; the full lifecycle over qemu+ssh;
#   the serial console through libvirt's stream; the graphical console
#   through an ssh tunnel vmtui opens itself; live migration both ways,
#   with the guest's own counter showing no gap and its state and
#   definition following, with shared storage and with --copy-storage;
#   from the embedded engine to a daemon; and the cases that are refused
#   or fail (into the embedded engine, a destination down, disks not on
#   shared storage, a file in the way, a cancelled migration), each
#   leaving the guest running where it was.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/hosts-lib.sh"

command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
hosts_up
guest_kit
export TMUX_TMPDIR="$T"
LOCAL=$VMTUI
VMTUI=$VMTUI_C

# ---- hosts ------------------------------------------------------------------
expect 0 '^It answers: hosta, libvirt [0-9.]+, QEMU [0-9.]+, [0-9]+ CPUs' \
	"host add reaches the host over ssh and says what it is" host add a "$URI_A"
check "  ... and that it was added" grep -q '^Added host "a" (qemu+ssh://root@10.201.0.1/system' "$T/out"
expect 0 'Added host "b"' "a second host" host add b "$URI_B"
check "  ... both are in [hosts] of vmtui.conf" grep -q '^b=qemu+ssh://root@10.201.0.2/system' "$XDG_CONFIG_HOME/vmtui/vmtui.conf"
expect 4 'There is a host named "a" already' "a name taken is refused" host add a "$URI_B"
expect 2 'cannot name a host' "a name with a space is refused" host add 'a b' "$URI_B"
expect 2 'choose another name' "\"local\" is refused" host add local "$URI_B"
expect 2 'is not a libvirt URI' "a URI that is none is refused" host add c nowhere
expect 0 '^It cannot be reached now: .*No route to host' "a host that does not answer is added, and said to be down" \
	host add down "qemu+ssh://root@10.201.0.9/system?keyfile=$T/ssh/user&no_verify=1"
expect 0 '^local +\(embedded\) +up ' "host list: local is up" host list
check "  ... a and b are up, with versions, CPUs, memory and VMs" eval 'grep -Eq "^a +qemu\+ssh://root@10\.201\.0\.1/system.* up +9\.[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+ .iB +[0-9.]+ .iB +0/0 +(tcg|kvm)" "$T/out" &&
	grep -Eq "^b +qemu\+ssh://root@10\.201\.0\.2/.* up " "$T/out"'
check "  ... down is down and says why" grep -Eq '^down .* down: .*No route to host' "$T/out"
expect 0 '"name": "b", .*"state": "up", .*"hostname": "hostb"' "host list --json names each host's own host name" host list --json
expect 0 'Removed host "down"' "host remove" host remove down
expect 3 'No host named "down": the hosts are local, a, b' "-c with a name that is no host says which there are" -c down list
expect 0 'No VMs yet' "-c b: the commands run on host b" -c b list

# ---- the full lifecycle on a remote host -----------------------------------
VMTUI=$T/vmtui-b
check "create a guest with a screen on b, over qemu+ssh" screen_guest r1
expect 0 'Started VM "r1"' "start it there" start r1
expect 0 '^r1 +running' "list on b shows it running" list
VMTUI=$T/vmtui-a
expect 0 'No VMs yet' "and a has none" list
VMTUI=$T/vmtui-b
expect 0 'State: +running' "info on b" info r1
expect 0 'Paused VM "r1"' "suspend, resume: first paused" suspend r1
expect 0 '^r1 +paused' "  ... list says paused" list
expect 0 'Resumed VM "r1"' "  ... resumed" resume r1
expect 2 '"provision" needs an engine on this machine .*templates it uses are files here' \
	"provisioning onto a remote host is refused: templates are this machine's files" provision tpl x1

# the serial console: libvirt's stream through the ssh link
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
shell_session "'$T/vmtui-b' console r1" -x 100 -y 30
see 'serial console of r1: Ctrl-] opens the menu' 20 "the serial console of a VM on b attaches over qemu+ssh"
type_until "^v-$((tok + 1))" "echo v-\$(($tok+1))"
see "^v-$((tok + 1))" 2 "  ... typing reaches the guest and its answer shows"
# the guest's own counter, one line a tick, which a migration must not break
keys 'i=0; while :; do i=$((i+1)); echo $i >>/cnt; sleep 0.2; done &' Enter
sleep 1
keys C-] q
see 'VMTUI-EXITED 0' 5 "  ... Ctrl-] q leaves it"

# the graphical console: vmtui's own ssh -W to the VNC server's loopback
# address on b; the kit's tty1 reads as text
shell_session "'$T/vmtui-b' vnc r1" -x 100 -y 30
see 'r1.*text 80×25|VMTUI-GUEST-READY' 30 "the graphical console of a VM on b comes through an ssh tunnel vmtui opens"
keys C-] q
see 'VMTUI-EXITED 0' 10 "  ... and leaves with Ctrl-] q"
sleep 1
check "  ... its ssh ended with it" sh -c "! pgrep -f 'ssh .*-W127.0.0.1:59[0-9][0-9] .*10.201.0.2' >/dev/null"

# ---- live migration ---------------------------------------------------------
# the counter's file, read on the guest's serial console wherever it runs
counter() {
	shell_session "'$T/vmtui-$1' console r1" -x 100 -y 30
	see 'serial console of r1' 20 "$2: the console attaches on $1" || return 1
	keys 'awk "NR!=\$1{g++} END{print \"gaps=\" g+0 \" n=\" NR}" /cnt; cut -d" " -f1 /proc/uptime' Enter
	i=0
	until screen | grep -Eq '^gaps=[0-9]+ n=[0-9]+' || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
	cnt=$(screen | grep -E '^gaps=[0-9]+ n=[0-9]+' | tail -n 1)
	keys C-] q
	sleep 0.5
}
counter b "before"
n0=${cnt#*n=}
expect 4 'Cannot migrate r1 to local: it is vmtui.s embedded engine.*It is still on b' \
	"into the embedded engine: refused before trying, and said where the VM is" migrate r1 local --live
expect 5 'Cannot open the engine qemu\+ssh://root@10.201.0.9.*No route to host' "to a host that is down: says it cannot reach it" \
	migrate r1 "qemu+ssh://root@10.201.0.9/system?keyfile=$T/ssh/user&no_verify=1" --live
expect 0 '^r1 +running' "  ... r1 still runs on b" list
expect 0 'Migrated r1 to a in [0-9.]+ s \(downtime [0-9]+ ms, [0-9.]+ [KMG]iB sent\); it runs there now' \
	"migrate r1 a --live --persistent --undefine-source" migrate r1 a --live --persistent --undefine-source
VMTUI=$T/vmtui-a
expect 0 '^r1 +running' "r1 runs on a now" list
expect 0 'Kernel: .*vmlinuz' "  ... with its definition (persistent on a)" info r1
check "  ... and a keeps it defined" sh -c "nsenter -t $HOST_PID_a -m -n virsh -c qemu:///system list --persistent --name | grep -qx r1"
VMTUI=$T/vmtui-b
expect 3 'no VM named "r1"|There is no VM named "r1"' "  ... and b has it no more" info r1
counter a "after"
n1=${cnt#*n=}
check "  ... the guest's counter went on without a gap ($cnt, $n0 lines before)" eval '[ "${cnt%% *}" = gaps=0 ] && [ "$n1" -gt "$n0" ]'

# back, to b, live, without a definition there; the counter still whole
VMTUI=$T/vmtui-a
expect 0 'Migrated r1 to b .*
b keeps no definition of it .*
Its definition stays on a too' "migrate back to b, live, transient there: says what stays where" migrate r1 b --live
expect 0 '^r1 +shut off' "  ... a keeps its definition, shut off" list
VMTUI=$T/vmtui-b
expect 0 '^r1 +running' "  ... and it runs on b" list
counter b "back"
check "  ... the counter still has no gap ($cnt)" eval '[ "${cnt%% *}" = gaps=0 ]'

# a cancelled migration: 1 MiB/s would take minutes; Ctrl-C aborts it
shell_session "'$T/vmtui-b' migrate r1 a --live --bandwidth 1" -x 150 -y 10
see 'Migrating r1 to a' 20 "a slow migration shows its progress"
keys C-c
see 'Cancelled the migration of r1 to a\. It is still on b' 20 "  ... Ctrl-C cancels it, and says where the VM is"
see 'VMTUI-EXITED 7' 5 "  ... exit status 7"
expect 0 '^r1 +running' "  ... r1 runs on b still" list

# ---- the full-screen list, over several hosts -------------------------------
# in_group HOST VM: the screen shows VM in the group under HOST's heading
in_group() {
	screen | awk -v h="$1" -v vm="$2" '
		/^ *(▾|▸) / { split($0, f, " "); g = f[2]; next }
		/^─/ { g = "" }
		g == h && $0 ~ ("(^| )" vm " ") { found = 1 }
		END { exit !found }'
}
fresh_session -x 120 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$T/vmtui-c'; echo VMTUI-EXITED \$?; sleep 60"
see '▾ b  qemu\+ssh://root@10\.201\.0\.2/system.*1 VM, 1 running' 30 "the TUI groups the VMs by host: b's heading counts its VM"
check "  ... r1 is under b" in_group b r1
see '▾ a  qemu\+ssh://root@10\.201\.0\.1/system  .*1 VM, 0 running' 10 "  ... and a's heading counts its shut-off copy"
keys /
keys r1 Enter
sleep 0.5
# the cursor to b's r1: the rows are a's r1, then b's
keys End
keys M
see 'Migrate r1 to' 5 "M on r1 (on b) offers the hosts to move it to"
check "  ... a, with or without copying its disks, and not b itself nor the embedded engine" eval 'screen | grep -q "a, copying its disks" && ! screen | grep -q "b, copying"'
keys Enter
see 'Migrat(ing|ed) r1' 10 "  ... Enter migrates it, and the status line says so"
i=0
until in_group a r1 && ! in_group b r1 || [ $i -ge 60 ]; do sleep 0.5; i=$((i + 1)); done
check "  ... r1 is under a now, and b has none" eval 'in_group a r1 && ! in_group b r1'
see '▾ a  .*1 VM, 1 running' 10 "  ... where it runs"
# b stops answering (its libvirtd stopped): the keepalive finds it out,
# the heading says so, and the other hosts go on
kill -STOP "$HOST_PID_b"
see '▾ b  not answering for [0-9]+ s' 20 "a host that stops answering shows as such"
see '▾ b  unreachable, trying again in [0-9]+ s' 40 "  ... its keepalive closes the connection, and a reconnect is due"
check "  ... a is still shown, with r1 running" eval 'screen | grep -Eq "▾ a  .*1 VM, 1 running"'
kill -CONT "$HOST_PID_b"
see '▾ b  qemu\+ssh://root@10\.201\.0\.2/system.*0 VMs' 90 "once it answers again, b is connected by itself"
keys q
see 'VMTUI-EXITED 0' 10 "q leaves the TUI"
shell_session "'$T/vmtui-a' console r1" -x 100 -y 30
see 'serial console of r1: Ctrl-] opens the menu' 20 "a serial console on r1, on a"
VMTUI=$T/vmtui-a
expect 0 'Migrated r1 to b' "r1 back to b, from under that console" migrate r1 b --live --persistent --undefine-source
see 'r1 migrated to another host; looking for it there' 10 "  ... the console open on a sees r1 leave"
see 'vmtui: r1 runs on b now; its console follows it' 15 "  ... finds it on b"
see 'serial console of r1: Ctrl-] opens the menu' 15 "  ... and attaches there"
type_until "^f-$((tok + 5))" "echo f-\$(($tok+5))"
see "^f-$((tok + 5))" 2 "  ... typing reaches r1 on b"
keys C-] q
see 'VMTUI-EXITED 0' 5 "  ... and Ctrl-] q leaves"
VMTUI=$T/vmtui-b

# ---- disks: shared storage and --copy-storage -------------------------------
expect 0 'Created storage pool "default"' "b gets a storage pool (its private /var)" storage create default dir /var/lib/libvirt/images
expect 0 'Created VM "d1"' "a guest with a qcow2 disk in it" create d1 --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 vmtui.marker=d1" --memory 256M --disk-size 64M --no-graphics
expect 0 'Started VM "d1"' "  ... started" start d1
mark="disk-$tok"
shell_session "'$T/vmtui-b' console d1" -x 100 -y 30
see 'serial console of d1' 20 "its console attaches"
type_until "^w-$((tok + 2))" "echo $mark | dd of=/dev/vda bs=512 conv=sync,fsync 2>/dev/null && echo w-\$(($tok+2))"
see "^w-$((tok + 2))" 2 "  ... the guest writes a mark on its disk"
keys C-] q
expect 4 'Cannot migrate d1 to a: libvirt cannot tell that a sees its disks \(/var/lib/libvirt/images/d1.*\) too.*--copy-storage.*--unsafe.*It is still on b' \
	"without --copy-storage, a disk that is not on shared storage is refused with what to do" migrate d1 a --live
expect 0 '^d1 +running' "  ... d1 still runs on b" list
expect 0 'Migrated d1 to a in [0-9.]+ s' "migrate d1 a --live --copy-storage --persistent --undefine-source" \
	migrate d1 a --live --copy-storage --persistent --undefine-source
VMTUI=$T/vmtui-a
expect 0 '^d1 +running' "d1 runs on a" list
check "  ... its disk was made on a, in a's own /var" sh -c "nsenter -t $HOST_PID_a -m test -s /var/lib/libvirt/images/d1.qcow2"
shell_session "'$T/vmtui-a' console d1" -x 100 -y 30
see 'serial console of d1' 20 "its console attaches on a"
keys "dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 32; echo" Enter
see "^$mark" 10 "  ... and the guest reads its mark from the copied disk"
keys C-] q
expect 4 'b already has a file at /var/lib/libvirt/images/d1.*overwrite' \
	"copying back onto the file b kept: refused, nothing overwritten" migrate d1 b --live --copy-storage
expect 0 '^d1 +running' "  ... d1 still runs on a" list
expect 0 'Forced VM "[a-z0-9]+" off' "d1 off" destroy d1

# ---- from vmtui's embedded engine to a daemon -------------------------------
VMTUI=$T/vmtui-c
check "a guest on the embedded engine" create_guest e1
expect 0 'Started VM "e1"' "  ... started" start e1
sleep 3
expect 0 'Migrated e1 to a in [0-9.]+ s .*it runs there now' "migrate e1 from the embedded engine to host a, live" \
	migrate e1 a --live --persistent --undefine-source
expect 3 'no VM named "e1"|There is no VM named "e1"' "  ... the embedded engine has it no more" info e1
VMTUI=$T/vmtui-a
expect 0 '^e1 +running' "  ... a runs it" list
expect 0 'Forced VM "[a-z0-9]+" off' "e1 off" destroy e1

# ---- a shut-off VM: its definition moves ------------------------------------
expect 0 'Moved the definition of e1 \(shut off\) to b' "a shut-off VM's definition moves with --undefine-source" migrate e1 b --undefine-source
VMTUI=$T/vmtui-b
expect 0 '^e1 +shut off' "  ... b has it, shut off" list
expect 0 'Deleted VM "e1"' "delete it on b" delete e1

done_testing

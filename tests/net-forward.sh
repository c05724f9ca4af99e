#!/bin/sh
# Port forwards of a nat NIC on the embedded engine, with the kit's guest
# (DHCP on QEMU's user-mode network, HTTP on 80, a hello line on 22): a
# forward stored while the VM is off works once it starts; one added live
# works at once; a removed one refuses connections; they come back after
# a destroy and start, and when another libvirt client started the VM, a
# new vmtui sets them up again; taken ports are refused naming who has
# them; bad input is refused and stores nothing.  Traffic stays on
# 127.0.0.1; the ports are picked free at run time.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is needed as the test's TCP client"
guest_kit
client="$top_builddir/tests/virt-client"

# free_port: a TCP port of 127.0.0.1 nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# answers PORT REGEX [http]: what 127.0.0.1:PORT answers matches REGEX
# (retried for up to 20 s: the guest's servers start after its DHCP)
answers() {
	port=$1 re=$2
	shift 2
	i=0
	while [ $i -lt 20 ]; do
		tcp_get 127.0.0.1 "$port" "$@" >"$T/tcp.out" 2>&1
		grep -Eq -- "$re" "$T/tcp.out" && return 0
		sleep 1
		i=$((i + 1))
	done
	diag "127.0.0.1:$port answered:" "$(cat "$T/tcp.out")"
	return 1
}
refused() {
	tcp_get 127.0.0.1 "$1" >"$T/tcp.out" 2>&1
	grep -q REFUSED "$T/tcp.out"
}
# net_lines: how many DHCP lines the guest's serial log has so far
net_lines() {
	grep -c 'VMTUI-GUEST-NET eth0 ip=10.0.2.15/24' "$log" 2>/dev/null || true
}
# wait_net N: waits until the serial log has more than N DHCP lines
wait_net() {
	i=0
	while [ $i -lt 600 ]; do
		[ "$(net_lines)" -gt "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# list_is DESC N: `forward list w1 --json` has N forwards
list_is() {
	n=$("$VMTUI" forward list w1 --json 2>/dev/null | grep -o '"host_port"' | wc -l)
	check "$1 (forward list has $n, want $2)" [ "$n" -eq "$2" ]
}

P1=$(free_port)
P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done

check "create a guest with a nat NIC" create_guest w1 w1 vmtui.hostname=w1
expect 0 "Forwarding 127.0.0.1:$P1 → 80 to VM \"w1\" \\(from its next start\\)" \
	"a forward added to a shut-off VM is stored" forward add w1 "$P1:80"
expect 0 "^tcp +127\\.0\\.0\\.1:$P1 +80 +52:54:00(:[0-9a-f]{2}){3} +at start" \
	"forward list shows it waiting for the start" forward list w1
expect 0 "<vmtui:forward proto=\"tcp\" address=\"127.0.0.1\" host=\"$P1\" guest=\"80\"" \
	"it is kept in vmtui's metadata of the definition" dumpxml --inactive w1
expect 0 'Started VM "w1"' "start the guest" start w1
log=$(serial_log w1)
if wait_net 0; then
	ok "the guest takes 10.0.2.15 by DHCP"
else
	not_ok "the guest takes 10.0.2.15 by DHCP"
	diag "serial log:" "$(tail -n 20 "$log" 2>/dev/null)"
fi
check "the guest's HTTP server answers through the forward" answers "$P1" 'VMTUI-HTTP w1' http
expect 0 "^tcp +127\\.0\\.0\\.1:$P1 +80 .* active" "forward list says it is active" forward list w1
expect 0 "Forwards: +127\\.0\\.0\\.1:$P1 → 80 \\(active\\)" "info shows it" info w1
check "info --json shows it" sh -c "'$VMTUI' info --json w1 | grep -q '\"forwards\": \\[{\"proto\": \"tcp\", \"address\": \"127.0.0.1\", \"host_port\": $P1, \"guest_port\": 80, .*\"active\": true}'"

expect 0 "Forwarding 127.0.0.1:$P2 → 22 to VM \"w1\" \\(live, and after each start\\)" \
	"a second forward is added live" forward add w1 "$P2:22"
check "  ... and the guest's port 22 answers through it" answers "$P2" 'VMTUI-HELLO w1'
list_is "both are listed" 2
expect 0 "Removed the forward of host port $P2 \\(tcp\\) from VM \"w1\" \\(live" \
	"remove it" forward remove w1 "$P2"
check "  ... its port refuses connections now" refused "$P2"
list_is "  ... and it is no longer stored" 1
expect 3 "has no forward of host port $P2" "removing it again says there is none" forward remove w1 "$P2"

# a guest restart: QEMU starts afresh and knows no forward
n=$(net_lines)
expect 0 'Forced VM "w1" off' "force the guest off" destroy w1
check "the forward's port is closed with it" refused "$P1"
expect 0 'Started VM "w1"' "start it again" start w1
wait_net "$n"
check "the forward works after the restart" answers "$P1" 'VMTUI-HTTP w1' http

# whoever starts it: another libvirt client, which knows nothing of
# forwards, starts it; a vmtui opened afterwards sets them up again
n=$(net_lines)
expect 0 'Forced VM "w1" off' "force it off again" destroy w1
check "another libvirt client starts it" "$client" start w1
wait_net "$n"
expect 0 "^tcp +127\\.0\\.0\\.1:$P1 +80 .* missing" \
	"forward list says the forward is missing in the QEMU it started" forward list w1
check "  ... and the port refuses connections" refused "$P1"
tui_session
see 'w1 .*running' 30 "the full-screen vmtui opens with the VM running"
check "  ... and meanwhile sets the forward up again" answers "$P1" 'VMTUI-HTTP w1' http
keys / w1 Enter Tab Tab Tab
see "Forwards: +127\.0\.0\.1:$P1 → 80" 10 "the details pane's Network tab shows the forward"
keys q
see 'VMTUI-EXITED 0' 20 "quit it"
expect 0 "^tcp +127\\.0\\.0\\.1:$P1 +80 .* active" "the forward stays after it quit" forward list w1

# taken ports
P3=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(120)' "$P3" &
lpid=$!
BG_PIDS="$BG_PIDS $lpid"
i=0
while [ $i -lt 50 ] && ! grep -q ":$(printf '%04X' "$P3") " /proc/net/tcp; do sleep 0.1; i=$((i + 1)); done
expect 4 "Host port $P3 \\(tcp\\) is in use by process $lpid \\([^)]*python3 -c +import socket" \
	"a port another program listens on is refused, naming the process" forward add w1 "$P3:80"
kill "$lpid" 2>/dev/null
check "create a second guest (not started)" create_guest w2 w2
expect 4 "Host port $P1 \\(tcp\\) is already forwarded to VM \"w1\"" \
	"a port another VM's forward has is refused, naming that VM" forward add w2 "0.0.0.0:$P1:22"
expect 0 "Warning: 0\\.0\\.0\\.0 is every address of this host: other machines can reach port $P2" \
	"a forward on 0.0.0.0 comes with a warning" forward add w2 "0.0.0.0:$P2:22"
expect 0 "Removed the forward of host port $P2" "  ... remove it" forward remove w2 "$P2"

# bad input: a clear message, nothing stored
expect 2 'host port needs a whole number from 1 to 65535, not "0"' "host port 0 is refused" forward add w1 0:80
expect 2 'guest port needs a whole number from 1 to 65535, not "70000"' "guest port 70000 is refused" forward add w1 "$P2:70000"
expect 2 '"300\.1\.1\.1" is not an IPv4 address' "a malformed address is refused" forward add w1 "300.1.1.1:$P2:80"
expect 2 '192\.0\.2\.7 is not an address of this host' "an address not of this host is refused" forward add w1 "192.0.2.7:$P2:80"
expect 2 'is not a forward: give \[ADDRESS:\]HOSTPORT:GUESTPORT' "a forward without a guest port is refused" forward add w1 "$P2"
expect 2 'the protocol after "/" is tcp or udp' "an unknown protocol is refused" forward add w1 "$P2:80/sctp"
"$VMTUI" create n1 --no-network --no-disk --no-graphics >/dev/null 2>&1
expect 2 'VM "n1" has no nat NIC: port forwards need one.*reachable at its own address' \
	"a VM without a nat NIC is told forwards need one" forward add n1 "$P2:80"
expect 3 'There is no VM named "nope"' "an unknown VM is named" forward add nope "$P2:80"
list_is "none of them stored anything" 1
expect 0 "^No port forwards\\.$" "  ... not even on the VM without a nat NIC" forward list n1

expect 0 'Forced VM "w1" off' "force the guest off" destroy w1

# provision --forward: a lab whose VMs each get a host port
if command -v mkfs.ext4 >/dev/null; then
	mkdir "$T/root"
	(cd "$T/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
	: >"$T/root/.vmtui-disk"
	mkfs.ext4 -q -F -d "$T/root" "$T/root.raw" 64M >/dev/null 2>&1 &&
		"$QEMU_IMG" convert -q -f raw -O qcow2 "$T/root.raw" "$T/root.qcow2"
	"$VMTUI" create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
		--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
		--memory 256M --disk "$T/root.qcow2" --no-graphics >/dev/null 2>&1
	expect 0 'Created template "kit"' "a template from the kit's disk" template create kit --from-vm src
	expect 2 '--forward needs a nat NIC' "provision --forward without a nat NIC is refused" \
		provision kit nonat --forward 22 --net none
	expect 0 'Started VM "lab-2"' "provision a lab of two with --forward 22 --forward 80 --start" \
		provision kit 'lab-{1..2}' --count 2 --forward 22 --forward 80 --start
	cp "$T/out" "$T/lab.out"
	p1=$(sed -n 's/^lab-1 127\.0\.0\.1:\([0-9]*\) → 22$/\1/p' "$T/lab.out")
	p2=$(sed -n 's/^lab-2 127\.0\.0\.1:\([0-9]*\) → 22$/\1/p' "$T/lab.out")
	h2=$(sed -n 's/^lab-2 127\.0\.0\.1:\([0-9]*\) → 80$/\1/p' "$T/lab.out")
	check "it prints each VM's forwards, from 2201 up for 22 and 3201 up for 80 ($p1 $p2 $h2)" \
		sh -c "[ ${p1:-0} -ge 2201 ] && [ ${p2:-0} -gt ${p1:-0} ] && [ ${h2:-0} -ge 3202 ]"
	expect 0 "^tcp +127\\.0\\.0\\.1:$p2 +22 .* active" "lab-2's forward is stored and active" forward list lab-2
	check "lab-1's hello server answers on its port" answers "$p1" 'VMTUI-HELLO lab-1'
	check "lab-2's HTTP server answers on its port" answers "$h2" 'VMTUI-HTTP lab-2' http
	"$VMTUI" lab delete 'lab-*' --yes >/dev/null 2>&1
fi
done_testing

#!/bin/sh
# Boot the test guest under QEMU/TCG and check its serial protocol:
# ready/hostname/marker lines, the serial shell (echo, Ctrl-C job control),
# the tty1 shell, ACPI power-button poweroff, disks/network devices,
# vmtui.ip=, DHCP, the guest's HTTP and hello servers, ping, the QEMU guest
# agent and vmtui.panic=1.
#
#   tests/guest/smoke.sh [OUTDIR]     (default: a temporary directory)
#
# Needs qemu-system-x86_64, mke2fs, GNU date/sleep and python3; talks to
# QEMU through FIFOs (-serial pipe:, -monitor pipe:).  The network is QEMU
# user-mode networking, forwarded to ports on 127.0.0.1 only; python3 is
# the client of those ports and of the guest agent's socket.
# Guest commands are typed unexpanded on purpose:
# shellcheck disable=SC2016
set -eu

kit=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtui-guest-smoke.XXXXXX")
out=${1:-$tmp/out}
qpid=
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$kit/build.sh" "$out"

ms() { echo $(($(date +%s%N) / 1000000)); }
fail() {
	echo "FAIL: $*" >&2
	echo "--- serial log:" >&2; cat -v "$tmp/ser.log" >&2
	echo "--- qemu stderr:" >&2; cat "$tmp/qemu.err" >&2
	exit 1
}

# wait_for REGEX TIMEOUT_S: wait until the serial log has a line matching REGEX.
wait_for() {
	deadline=$(($(ms) + $2 * 1000))
	until tr -d '\r' <"$tmp/ser.log" | grep -Eq "$1"; do
		[ "$(ms)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}
# qemu_exited TIMEOUT_S: wait for QEMU to exit by itself.
qemu_exited() {
	deadline=$(($(ms) + $1 * 1000))
	while kill -0 "$qpid" 2>/dev/null; do
		[ "$(ms)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
	wait "$qpid" || true
	qpid=
}

# boot APPEND [QEMU ARGS...]: start QEMU in the background, serial and
# monitor on FIFOs.
boot() {
	append=$1
	shift
	rm -f "$tmp"/ser.* "$tmp"/mon.*
	mkfifo "$tmp/ser.in" "$tmp/ser.out" "$tmp/mon.in" "$tmp/mon.out"
	cat "$tmp/ser.out" >"$tmp/ser.log" &
	cat "$tmp/mon.out" >/dev/null &
	exec 7<>"$tmp/ser.in" 8<>"$tmp/mon.in"   # never block, even if QEMU dies
	start=$(ms)
	qemu-system-x86_64 -accel tcg -m 256 -display none -nic none -no-reboot \
		-kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
		-append "console=ttyS0 quiet cryptomgr.notests panic=-1 $append" \
		-serial "pipe:$tmp/ser" -monitor "pipe:$tmp/mon" "$@" 2>"$tmp/qemu.err" &
	qpid=$!
}
type_line() { printf '%s\r' "$1" >&7; }
monitor() { printf '%s\n' "$1" >&8; }

# --- normal boot -------------------------------------------------------------
marker=smoke-$$
boot "vmtui.marker=$marker"
wait_for '^VMTUI-GUEST-READY$' 30 || fail "no ready line"
echo "boot to VMTUI-GUEST-READY: $(($(ms) - start)) ms"
wait_for "^VMTUI-MARKER $marker\$" 5 || fail "no marker line"
tr -d '\r' <"$tmp/ser.log" | grep -A2 -x VMTUI-GUEST-READY | tr '\n' '|' |
	grep -qx "VMTUI-GUEST-READY|VMTUI-GUEST-HOSTNAME vmtui-guest|VMTUI-MARKER $marker|" ||
	fail "ready/hostname/marker lines not in order"

# The command line as typed is echoed too; only the output has the sum.
type_line 'echo hi-$((1000+234))'
wait_for '^hi-1234$' 10 || fail "serial shell did not answer"
# Ctrl-C must reach the foreground job (the shell owns the tty).
type_line 'sleep 60'
sleep 0.5
printf '\003' >&7
type_line 'echo int-$((2+3))'
wait_for '^int-5$' 5 || fail "Ctrl-C did not interrupt (no job control?)"
type_line 'echo tty1-$(ls -l /proc/[0-9]*/fd/0 2>/dev/null | grep -c /dev/tty1)'
wait_for '^tty1-[1-9]' 5 || fail "no shell on tty1"
echo "serial shell: ok"

t=$(ms)
monitor system_powerdown
wait_for '^VMTUI-GUEST-POWEROFF$' 10 || fail "no poweroff line"
qemu_exited 10 || fail "QEMU still running after power button"
echo "power button to QEMU exit: $(($(ms) - t)) ms"

# --- devices: ext4 on virtio-blk, virtio-scsi disk, virtio-net; q35 -------------
mkdir "$tmp/fs"
echo ext4-ok >"$tmp/fs/hello"
mke2fs -q -t ext4 -d "$tmp/fs" "$tmp/disk.img" 16M >/dev/null
truncate -s 1M "$tmp/scsi.img"
boot "vmtui.hostname=box2 vmtui.ip=192.0.2.5/24" -machine q35 \
	-drive "file=$tmp/disk.img,format=raw,if=virtio" \
	-device virtio-scsi-pci,id=scsi0 -device scsi-hd,drive=hd1,bus=scsi0.0 \
	-drive "file=$tmp/scsi.img,format=raw,if=none,id=hd1" \
	-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0
wait_for '^VMTUI-GUEST-HOSTNAME box2$' 30 || fail "no hostname line"
type_line 'mount -t ext4 /dev/vda /mnt && cat /mnt/hello && umount /mnt'
wait_for '^ext4-ok$' 10 || fail "cannot read ext4 on virtio-blk"
type_line 'echo dev-$(ls -d /dev/sda /sys/class/net/eth0 | wc -l)'
wait_for '^dev-2$' 5 || fail "virtio-scsi disk or virtio-net missing"
wait_for '^VMTUI-GUEST-NET eth0 ip=192\.0\.2\.5/24 router=none mac=' 5 || fail "no vmtui.ip= line"
monitor system_powerdown
qemu_exited 10 || fail "QEMU still running after power button"
echo "devices: ok"

# --- user-mode network (DHCP), servers, ping, guest agent ---------------------
# py_client MODE ARG...: tcp PORT REQUEST (prints the reply) or qga SOCKET
# COMMAND (prints the first reply line); retried for up to 20 s while the
# guest's server or agent is not up yet.
py_client() {
	python3 - "$@" <<'EOF'
import socket, sys, time
mode, where = sys.argv[1], sys.argv[2]
req = sys.argv[3].encode().decode("unicode_escape").encode()  # \r \n
deadline = time.time() + 20
while time.time() < deadline:
    try:
        if mode == "tcp":
            s = socket.create_connection(("127.0.0.1", int(where)), timeout=3)
        else:
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(3)
            s.connect(where)
        s.sendall(req)
        data = b""
        while mode == "tcp" or b"\n" not in data:
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.close()
        if data:
            text = data.decode(errors="replace")
            sys.stdout.write(text.split("\n")[0] if mode == "qga" else text)
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit(1)
EOF
}
ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
http_port=${ports% *} hello_port=${ports#* }
boot "" \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$http_port-:80,hostfwd=tcp:127.0.0.1:$hello_port-:22" \
	-device virtio-net-pci,netdev=n0 \
	-device virtio-serial -device virtserialport,chardev=ga0,name=org.qemu.guest_agent.0 \
	-chardev "socket,path=$tmp/ga.sock,server=on,wait=off,id=ga0"
wait_for '^VMTUI-GUEST-READY$' 30 || fail "no ready line (network guest)"
t=$(ms)
echo "boot to VMTUI-GUEST-READY with a NIC and the agent: $((t - start)) ms"
wait_for '^VMTUI-GUEST-NET eth0 ip=10\.0\.2\.15/24 router=10\.0\.2\.2 mac=([0-9a-f]{2}:){5}[0-9a-f]{2}$' 20 ||
	fail "no VMTUI-GUEST-NET line for the DHCP lease"
echo "ready to VMTUI-GUEST-NET: $(($(ms) - t)) ms"
reply=$(py_client tcp "$http_port" 'GET / HTTP/1.0

' | tr -d '\r') ||
	fail "no answer from the guest's port 80"
printf '%s\n' "$reply" | grep -qx 'VMTUI-HTTP vmtui-guest' || fail "port 80 answered: $reply"
reply=$(py_client tcp "$hello_port" '' | tr -d '\r') || fail "no answer from the guest's port 22"
[ "$reply" = 'VMTUI-HELLO vmtui-guest' ] || fail "port 22 answered: $reply"
echo "http and hello servers: ok"
type_line 'ping -c 1 -W 5 10.0.2.2 >/dev/null && echo ping-$((40+2))'
wait_for '^ping-42$' 10 || fail "ping 10.0.2.2 failed"
reply=$(py_client qga "$tmp/ga.sock" '{"execute":"guest-ping"}') || fail "no answer from the guest agent"
[ "$reply" = '{"return": {}}' ] || fail "guest-ping answered: $reply"
reply=$(py_client qga "$tmp/ga.sock" '{"execute":"guest-network-get-interfaces"}') ||
	fail "no answer to guest-network-get-interfaces"
case $reply in *'"ip-address": "10.0.2.15"'*) ;; *) fail "guest-network-get-interfaces answered: $reply" ;; esac
echo "ping and guest agent: ok"
monitor system_powerdown
qemu_exited 10 || fail "QEMU still running after power button"

# --- vmtui.panic=1: never ready, ignores the power button ----------------------
boot vmtui.panic=1
sleep 5
monitor system_powerdown
! wait_for 'VMTUI-' 3 || fail "vmtui.panic=1 guest printed a marker"
kill -0 "$qpid" 2>/dev/null || fail "vmtui.panic=1 guest exited"
monitor quit
qemu_exited 10 || fail "QEMU did not quit"
echo "vmtui.panic=1: ok"
echo PASS

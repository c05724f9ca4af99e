#!/bin/sh
# bench/net.sh — TCP through a port forward vmtui set up against the same
# through one set up by hand with `virsh qemu-monitor-command`, on one
# guest in one run.
#
# Usage: bench/net.sh [PATH/TO/vmtui]     (default ./vmtui)
#        MIB=50 CONNECTS=100 ROUNDS=5 bench/net.sh
#                                        (default 20 MiB, 50 connects, 3 rounds)
#
# The guest is the test guest kit of tests/guest/ (busybox httpd on port
# 80) on the embedded engine with one nat NIC (QEMU's user-mode network),
# TCG.  Two forwards to its port 80, both on 127.0.0.1:
#
#   A. vmtui forward add g1 PORT:80 (set up by vmtui start)
#   B. virsh -c qemu:///embed?root=... qemu-monitor-command g1 --hmp
#      'hostfwd_add hostnet0 tcp:127.0.0.1:PORT-:80'
#
# virsh opens the embedded root between vmtui's commands (only one process
# may hold it).  As root it needs libvirt's "libvirt-qemu" account, which
# this host may not have: the benchmark then preloads a tiny getpwnam_r /
# getgrnam_r shim that answers root for it, as vmtui does for itself
# (core/account.c); without a C compiler it falls back to
# tests/virt-client's "hmp", the same libvirt call virsh makes.
#
# The guest gets a MIB MiB file in /www, written by dd typed on its serial
# console.  Then, per round and in alternating order: one HTTP GET of that
# file through each forward (throughput, MiB/s), and CONNECTS connects +
# "GET /" + read to the end through each (latency per connection, ms).
# A warm-up fetch of each comes first and is not counted.
# Both forwards run through the same QEMU slirp stack, so the ratio says
# whether vmtui's way of setting a forward up costs anything once it is
# there (it should be about 1.0); the figures themselves are TCG's and
# slirp's.  Prints medians, p95 and the ratios vmtui / by hand; asserts no
# timing.  Exits 1 only when something does not work.
set -eu

BENCH=net
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
MIB=${MIB:-20}
CONNECTS=${CONNECTS:-50}
ROUNDS=${ROUNDS:-3}
positive MIB "$MIB"
positive CONNECTS "$CONNECTS"
positive ROUNDS "$ROUNDS"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI")
[ -x "$VMTUI" ] || die "no vmtui at $VMTUI"
top=$(cd "$here/.." && pwd)
builddir=$(dirname "$VMTUI")
command -v python3 >/dev/null || die "python3 is needed as the client"

tmp=$(mktemp -d /tmp/vb.XXXXXX)
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg LC_ALL=C.UTF-8
unset VMTUI_URI VMTUI_CONFIG
cleanup() {
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${BENCH_KEEP:-}" ] && trap "echo kept \$tmp" EXIT
trap 'exit 130' INT TERM HUP

sh "$top/tests/guest/build.sh" "$builddir/tests/guest-cache" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
KIT=$builddir/tests/guest-cache

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PA=$(free_port)
PB=$(free_port)
while [ "$PB" = "$PA" ]; do PB=$(free_port); done

# --- the guest, and forward A ----------------------------------------------
"$VMTUI" create g1 --kernel "$KIT/vmlinuz" --initrd "$KIT/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 vmtui.hostname=bench" \
	--memory 256M --no-disk --no-graphics >/dev/null || die "cannot create the guest"
"$VMTUI" forward add g1 "$PA:80" >/dev/null || die "vmtui forward add failed"
"$VMTUI" start g1 >/dev/null || die "the guest does not start"
log=$("$VMTUI" info --json g1 | sed -n 's/.*"serial_log": "\([^"]*\)".*/\1/p')
pty=$("$VMTUI" dumpxml g1 | sed -n "s/.*<source path='\(\/dev\/pts\/[0-9]*\)'.*/\1/p" | head -n 1)
[ -n "$pty" ] || die "the guest has no serial pty"
i=0
until grep -q 'VMTUI-GUEST-NET eth0 ip=10.0.2.15' "$log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || die "the guest did not get its address in 60 s"
	sleep 0.1
done

# the file to fetch, written in the guest (the quotes keep the echoed
# command line from matching the end marker)
python3 - "$pty" "$log" "$MIB" <<'PY' || die "the guest did not write its file"
import os, sys, time
pty, log, mib = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
os.write(fd, ("dd if=/dev/zero of=/www/big bs=1M count=%s 2>/dev/null; echo BENCH-''DONE-%s\r" % (mib, mib)).encode())
end = time.time() + 60
while time.time() < end:
    if ("BENCH-DONE-%s" % mib) in open(log, errors="replace").read():
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY

# --- forward B, by hand ------------------------------------------------------
hand="tcp:127.0.0.1:$PB-:80"
how=
if [ "$(id -u)" = 0 ] && ! getent passwd libvirt-qemu >/dev/null && command -v cc >/dev/null; then
	cc -shared -fPIC -o "$tmp/shim.so" "$here/../tests/account-shim.c" -ldl 2>/dev/null && how=shim
fi
if command -v virsh >/dev/null && { [ "$how" = shim ] || [ "$(id -u)" != 0 ] || getent passwd libvirt-qemu >/dev/null; }; then
	pre=
	[ "$how" = shim ] && pre="$tmp/shim.so"
	LD_PRELOAD=$pre virsh -q -c "qemu:///embed?root=$VMTUI_ENGINE_ROOT" \
		qemu-monitor-command g1 --hmp "hostfwd_add hostnet0 $hand" >"$tmp/hand.out" 2>"$tmp/hand.err" &&
		! grep -q '[^[:space:]]' "$tmp/hand.out" && how="virsh qemu-monitor-command${pre:+ (with the account shim)}"
fi
case $how in
virsh*) ;;
*)
	[ -x "$builddir/tests/virt-client" ] || die "neither virsh nor tests/virt-client (make check builds it) can set the forward by hand"
	"$builddir/tests/virt-client" hmp g1 "hostfwd_add hostnet0 $hand" >"$tmp/hand.out" 2>&1 &&
		! grep -q '[^[:space:]]' "$tmp/hand.out" || die "the forward by hand failed: $(cat "$tmp/hand.out")"
	how="tests/virt-client hmp (virsh could not open the root)"
	;;
esac
"$VMTUI" forward list g1 | grep -q " active" || die "vmtui's forward is not active"

# --- the measurements --------------------------------------------------------
python3 - "$PA" "$PB" "$MIB" "$CONNECTS" "$ROUNDS" "$how" <<'PY'
import socket, sys, time
from stats import spread, p95
pa, pb, mib, n, rounds, how = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]

def get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
    got = 0
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got += len(b)
    s.close()
    return got

tput = {pa: [], pb: []}
lat = {pa: [], pb: []}
# a warm-up of each, not counted: the guest's first read of its file
for port in (pa, pb):
    get(port, "/big")
    get(port, "/")
per_round = -(-n // rounds)
for r in range(rounds):
    order = (pa, pb) if r % 2 == 0 else (pb, pa)
    for port in order:
        t0 = time.perf_counter()
        got = get(port, "/big")
        dt = time.perf_counter() - t0
        if got < mib << 20:
            sys.exit("net: port %d gave %d bytes, not %d MiB" % (port, got, mib))
        tput[port].append(got / dt / (1 << 20))
    for port in order:
        for _ in range(per_round):
            t0 = time.perf_counter()
            if get(port, "/") <= 0:
                sys.exit("net: port %d answered nothing" % port)
            lat[port].append((time.perf_counter() - t0) * 1000)

def line(label, port):
    tm, tmin, tmax = spread(tput[port])
    lm, lmin, lmax = spread(lat[port])
    print("  %-24s %7.1f MiB/s (min %.1f, max %.1f)   connect+GET / %6.2f ms median, p95 %.2f (min %.2f, max %.2f, %d)"
          % (label, tm, tmin, tmax, lm, p95(lat[port]), lmin, lmax, len(lat[port])))

print("net: %d MiB GET and %d connects per forward, %d rounds, TCG guest, slirp" % (mib, n, rounds))
line("A. vmtui forward", pa)
line("B. by hand", pb)
print("  (B set with %s)" % how)
ta, tb = spread(tput[pa])[0], spread(tput[pb])[0]
la, lb = spread(lat[pa])[0], spread(lat[pb])[0]
print("bench net: throughput vmtui %.1f MiB/s, by hand %.1f MiB/s (ratio %.3f); connect+GET median vmtui %.2f ms, by hand %.2f ms (ratio %.3f)"
      % (ta, tb, ta / tb, la, lb, la / lb))
PY
"$VMTUI" destroy g1 >/dev/null 2>&1 || true

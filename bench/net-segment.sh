#!/bin/sh
# bench/net-segment.sh — guest to guest across a lab network without root
# (a loopback segment: every frame through vmtui's hub, net/hub.c)
# against the same two guests across a bridge lab (the kernel's bridge),
# in the same run.
#
# Usage: bench/net-segment.sh [PATH/TO/vmtui]     (default ./vmtui)
#        MIB=16 PINGS=50 ROUNDS=5 bench/net-segment.sh
#                                        (default 32 MiB, 20 pings, 3 rounds)
#
# As root, in a network namespace the script makes and removes: the labs
# br (bridge, 10.77.10.0/24) and sg (segment, 10.77.11.0/24), and two
# test-kit guests a and b with a NIC on each (eth0 on br, eth1 on sg,
# both by DHCP).  b's busybox httpd serves a MIB MiB file.  Per round and
# in alternating order, typed on a's serial console: `time wget` of that
# file from b's address on each lab (throughput, MiB/s) and `ping -c
# PINGS -i 0.2` of it (the average round trip, ms).  Prints the medians
# and the ratios segment / bridge; the figures themselves are TCG's.
# Asserts no timing.  Exits 1 only when something does not work.
set -eu

BENCH=net-segment
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

VMTUI=$(cd "$(dirname "${1:-./vmtui}")" && pwd)/$(basename "${1:-./vmtui}")
builddir=$(dirname "$VMTUI")
MIB=${MIB:-32}
PINGS=${PINGS:-20}
ROUNDS=${ROUNDS:-3}
positive MIB "$MIB"
positive PINGS "$PINGS"
positive ROUNDS "$ROUNDS"
[ "$(id -u)" = 0 ] || die "needs root (the bridge lab it compares with)"
for p in ip dnsmasq nft python3; do
	command -v "$p" >/dev/null || die "$p is missing"
done
[ -x "$VMTUI" ] || die "no vmtui at $VMTUI (build it first)"

tmp=$(mktemp -d /tmp/vtb.XXXXXX)
NS="vtsb$$"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg LC_ALL=C.UTF-8
unset VMTUI_URI VMTUI_CONFIG
finish() {
	set +e
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	labs_stop "$tmp/data"
	ip netns del "$NS" 2>/dev/null || :
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT TERM HUP
ip netns add "$NS"
ip -n "$NS" link set lo up
V() { ip netns exec "$NS" "$VMTUI" "$@"; }

sh "$top/tests/guest/build.sh" "$builddir/tests/guest-cache" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
KIT=$builddir/tests/guest-cache

V net create br --subnet 10.77.10.0/24 >/dev/null || die "cannot make the bridge lab"
V net create sg --segment --subnet 10.77.11.0/24 >/dev/null || die "cannot make the segment"
for g in a b; do
	V create "$g" --kernel "$KIT/vmlinuz" --initrd "$KIT/initrd.img" \
		--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 vmtui.hostname=bench-$g" \
		--memory 256M --no-disk --no-graphics --net lab:br --net lab:sg >/dev/null ||
		die "cannot create guest $g"
	V start "$g" >/dev/null || die "guest $g does not start"
done
log_of() { V info --json "$1" | sed -n 's/.*"serial_log": "\([^"]*\)".*/\1/p'; }
pty_of() { V dumpxml "$1" | sed -n "s/.*<source path='\(\/dev\/pts\/[0-9]*\)'.*/\1/p" | head -n 1; }
# addr G IFACE NET: G's address on IFACE, once DHCP gave it (60 s at most)
addr() {
	i=0
	while [ $i -lt 600 ]; do
		a=$(tr -d '\r' <"$(log_of "$1")" 2>/dev/null |
			sed -n "s/^VMTUI-GUEST-NET $2 ip=\($3\.[0-9]*\)\/24.*/\1/p" | tail -n 1)
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
addr a eth0 10.77.10 >/dev/null && addr a eth1 10.77.11 >/dev/null || die "guest a got no addresses in 60 s"
BR=$(addr b eth0 10.77.10) || die "guest b got no address on the bridge lab"
SG=$(addr b eth1 10.77.11) || die "guest b got no address on the segment"

python3 - "$(pty_of b)" "$(log_of b)" "$(pty_of a)" "$(log_of a)" "$BR" "$SG" "$MIB" "$PINGS" "$ROUNDS" <<'PY'
import os, re, sys, time
from statistics import median

pty_b, log_b, pty_a, log_a, br, sg = sys.argv[1:7]
mib, pings, rounds = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
n = 0
# held open for the whole run: QEMU reads nothing from a pty whose other
# end looked closed at its last (once a second) look
fds = {}
for p in (pty_a, pty_b):
    fds[p] = os.open(p, os.O_RDWR | os.O_NOCTTY)
time.sleep(1.5)

def on(pty, log, cmd, timeout=120):
    """Types cmd on a guest's console; what it printed, up to its marker
    (split in the command, so the echoed line does not match)."""
    global n
    n += 1
    start = os.path.getsize(log)
    os.write(fds[pty], ("%s; echo BENCH-''END-%d\r" % (cmd, n)).encode())
    end = time.time() + timeout
    while time.time() < end:
        with open(log, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        m = text.find("BENCH-END-%d" % n)
        if m >= 0:
            return text[:m]
        time.sleep(0.1)
    sys.exit("net-segment: no answer from the guest to: %s" % cmd)

on(pty_b, log_b, "dd if=/dev/zero of=/www/big bs=1M count=%d 2>/dev/null" % mib)
tput = {"bridge": [], "segment": []}
rtt = {"bridge": [], "segment": []}
labs = [("bridge", br), ("segment", sg)]
on(pty_a, log_a, "wget -q -O /dev/null http://%s/big; wget -q -O /dev/null http://%s/big" % (br, sg))
for r in range(rounds):
    for label, ip in (labs if r % 2 == 0 else labs[::-1]):
        out = on(pty_a, log_a, "time wget -q -O /dev/null http://%s/big 2>&1" % ip)
        m = re.search(r"real\s+(\d+)m\s*([\d.]+)s", out)
        if not m or "wget:" in out:
            sys.exit("net-segment: the fetch from %s failed: %s" % (ip, out.strip()[-200:]))
        secs = int(m.group(1)) * 60 + float(m.group(2))
        tput[label].append(mib / max(secs, 0.01))
        out = on(pty_a, log_a, "ping -c %d -i 0.2 -W 2 %s" % (pings, ip))
        m = re.search(r"(\d+) packets received.*?round-trip min/avg/max = [\d.]+/([\d.]+)/", out, re.S)
        if not m or int(m.group(1)) != pings:
            sys.exit("net-segment: the pings of %s were lost: %s" % (ip, out.strip()[-200:]))
        rtt[label].append(float(m.group(2)))
print("net-segment: two guests, %d MiB by HTTP and %d pings per round, %d rounds (TCG)" % (mib, pings, rounds))
for label in ("bridge", "segment"):
    print("  %-8s %7.2f MiB/s  (%s)   ping %6.2f ms  (%s)" % (
        label, median(tput[label]), " ".join("%.2f" % x for x in tput[label]),
        median(rtt[label]), " ".join("%.2f" % x for x in rtt[label])))
print("  ratio segment/bridge: throughput %.3f, round trip %.3f" % (
    median(tput["segment"]) / median(tput["bridge"]), median(rtt["segment"]) / median(rtt["bridge"])))
PY
echo "net-segment: done$(load_average)"

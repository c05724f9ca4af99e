#!/bin/sh
# bench/serial-latency.sh — keystroke-to-echo latency of `vmtui console`
# against `virsh console`, on the same guest.
#
# Usage: bench/serial-latency.sh [PATH/TO/vmtui]     (default ./vmtui)
#        RUNS=8 KEYS=400 bench/serial-latency.sh     (default 5 rounds,
#                                                     200 keystrokes per client)
#
# Needs root (the guest and both clients run as user 65534 under
# setpriv), virsh and /usr/bin/python3.  virsh console needs a libvirt
# daemon, so the guest (the
# test guest kit of tests/guest/, a busybox shell on ttyS0) runs on a
# private qemu:///session daemon of user 65534 that libvirt starts on
# first connect, exactly as tests/daemon-uri.sh does; both clients run as
# that user with the same clean environment:
#
#   A. vmtui -c qemu:///session console g1
#   B. virsh -c qemu:///session console g1
#
# A python3 driver runs each client in a pty of its own (pty.fork), waits
# for its banner and for the pty to be in raw mode (so no echo comes from
# the host's line discipline), presses Enter and waits for the guest's
# prompt "# ".  Then per keystroke: it waits until the pty has been quiet
# for 30 ms, writes one lowercase letter (nothing in the shell reacts to
# it but line editing, which echoes it), and times from the write until
# that letter comes back.  Every 20 letters, Ctrl-U clears the line.  It
# leaves with Ctrl-] q (vmtui) or Ctrl-] (virsh) and waits for the client
# to exit before the next one attaches.  KEYS keystrokes per client are
# spread over RUNS rounds; each round runs both clients, one after the
# other, and the order alternates from round to round, so that noise
# falls on both alike.  A warm-up attach of each (10 keystrokes) comes
# first and is not counted.
#
# Both figures include the guest's own echo (TCG, slow) and libvirt's
# daemon, which relays the pty for both clients; the difference of the
# medians is what one client costs over the other.  Prints per client the
# median, p95, mean, min and max, a line per round, then the ratios and
# differences of the medians and p95s.  Exits 1 only when something does
# not work (the guest does not boot, a client does not attach or does not
# echo within 20 s), never because of a time.
#
# A benchmark, never a test: it asserts no timing, since machines are
# noisy; it runs the peer in the same run and prints the ratio instead.
set -eu

BENCH=serial-latency
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
RUNS=${RUNS:-5}
KEYS=${KEYS:-200}
PY=/usr/bin/python3

positive RUNS "$RUNS"
positive KEYS "$KEYS"
[ "$KEYS" -ge "$RUNS" ] || die "KEYS ($KEYS) must be at least RUNS ($RUNS)"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI")
[ "$(id -u)" = 0 ] || die "needs root: the guest and both clients run as user 65534 through setpriv"
command -v setpriv >/dev/null 2>&1 || die "setpriv (util-linux) is missing"
command -v virsh >/dev/null 2>&1 || die "virsh is not installed; it is the peer"
[ -x "$PY" ] || die "$PY is needed to drive the clients in ptys"
[ -r "$here/../tests/guest/build.sh" ] || die "no tests/guest/build.sh next to bench/: it builds the guest"

# Short: QEMU's and libvirt's sockets live under it.
tmp=$(mktemp -d /tmp/vb.XXXXXX)
U=$tmp/session
finish() {
	session_stop "$U"
	sleep 0.2
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

sh "$here/../tests/guest/build.sh" "$tmp/kit" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
session_user "$U"
cp "$tmp/kit/vmlinuz" "$tmp/kit/initrd.img" "$U/"
chown -R 65534:65534 "$U"

"$tmp/as-user" "$VMTUI" -c qemu:///session create g1 --kernel "$U/vmlinuz" --initrd "$U/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests" \
	--memory 256M --no-disk --no-graphics --start >"$tmp/out" 2>&1 ||
	die "cannot create and start the guest: $(cat "$tmp/out")"

cat >"$tmp/drive.py" <<'EOF'
import os, pty, select, signal, statistics, sys, termios, time
from stats import p95, spread

(vmtui, virsh, runs, keys, results, as_user) = sys.argv[1:7]
runs, keys = int(runs), int(keys)
URI, VM = "qemu:///session", "g1"
QUIET = 0.030                  # the pty is quiet after this long
TIMEOUT = 20.0
LETTERS = b"abcdefghijklmnopqrstuvwxyz"
CLIENTS = {
    # name: (argv, banner once attached, keys that leave)
    "vmtui": ([vmtui, "-c", URI, "console", VM], b"opens the menu", b"\x1dq"),
    "virsh": ([virsh, "-c", URI, "console", VM], b"Escape character is", b"\x1d"),
}

class Fail(Exception):
    pass

def say(*a):
    print(*a, flush=True)

def on_signal(sig, frame):
    raise SystemExit(128 + sig)
for s in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, on_signal)

def read_until(fd, want, timeout, seen=b""):
    """Reads fd until @want shows in what came since the call (or in
    @seen); returns all that was read.  Fail after @timeout s."""
    buf = seen
    end = time.monotonic() + timeout
    while want not in buf:
        left = end - time.monotonic()
        if left <= 0:
            raise Fail("waited %.0f s for %r; the client printed: %r" % (timeout, want, buf[-300:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                d = b""
            if not d:
                raise Fail("the client exited while waiting for %r; it printed: %r" % (want, buf[-300:]))
            buf += d
    return buf

def drain(fd):
    """Reads until the pty has been quiet for QUIET s."""
    while select.select([fd], [], [], QUIET)[0]:
        try:
            if not os.read(fd, 4096):
                return
        except OSError:
            return

class Client:
    def __init__(self, name):
        self.name = name
        argv, self.banner, self.leave_keys = CLIENTS[name]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execv(as_user, [as_user] + argv)
            finally:
                os._exit(127)

    def attach(self, boot_wait):
        out = read_until(self.fd, self.banner, TIMEOUT)
        # raw mode: the host's line discipline echoes nothing
        end = time.monotonic() + TIMEOUT
        while termios.tcgetattr(self.fd)[3] & (termios.ECHO | termios.ICANON):
            if time.monotonic() > end:
                raise Fail("%s did not put its terminal in raw mode" % self.name)
            time.sleep(0.005)
        # Enter until the guest's prompt comes (at first it may still boot)
        end = time.monotonic() + boot_wait
        while True:
            drain(self.fd)
            os.write(self.fd, b"\x15\r")
            try:
                read_until(self.fd, b"# ", min(2.0, max(0.1, end - time.monotonic())))
                break
            except Fail:
                if time.monotonic() > end:
                    raise Fail("%s: no shell prompt from the guest within %.0f s" % (self.name, boot_wait))

    def type(self, n, into):
        """n keystrokes, each one's echo time in ms appended to @into."""
        for i in range(n):
            if i and i % 20 == 0:
                os.write(self.fd, b"\x15")
                drain(self.fd)
            drain(self.fd)
            c = LETTERS[i % len(LETTERS):][:1]
            t0 = time.perf_counter()
            os.write(self.fd, c)
            buf = b""
            while c not in buf:
                r, _, _ = select.select([self.fd], [], [], TIMEOUT)
                if not r:
                    raise Fail("%s: no echo of %r within %.0f s" % (self.name, c, TIMEOUT))
                d = os.read(self.fd, 4096)
                if not d:
                    raise Fail("%s exited while typing" % self.name)
                buf += d
            into.append((time.perf_counter() - t0) * 1000)
        os.write(self.fd, b"\x15")
        drain(self.fd)

    def leave(self):
        if self.pid is None:
            return
        os.write(self.fd, self.leave_keys)
        st = 0
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                break
            drain(self.fd)
        self.close()
        if st and os.waitstatus_to_exitcode(st) != 0:
            raise Fail("%s exited with status %d" % (self.name, os.waitstatus_to_exitcode(st)))

    def close(self):
        if self.pid is not None:   # by its pid, if it did not leave
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

def session(name, n, into, boot_wait=10.0):
    # the daemon may not have let the last client go yet: a client
    # refused at once is tried again, up to 5 times
    for attempt in range(5):
        c = Client(name)
        try:
            try:
                c.attach(boot_wait)
            except Fail as e:
                if "exited" not in str(e) or attempt == 4:
                    raise
                time.sleep(0.5)
                continue
            c.type(n, into)
            c.leave()
            return
        finally:
            c.close()

try:
    say("warm-up (not counted): the guest boots; each client attaches and types 10 keys")
    session("vmtui", 10, [], boot_wait=90.0)
    session("virsh", 10, [])
    lat = {"vmtui": [], "virsh": []}
    done = 0
    for k in range(runs):
        n = (keys - done) // (runs - k)
        done += n
        order = ("vmtui", "virsh") if k % 2 == 0 else ("virsh", "vmtui")
        got = {}
        for name in order:
            got[name] = []
            session(name, n, got[name])
            lat[name] += got[name]
        say("round %d/%d (%s first, %d keys each): vmtui median %.2f ms, virsh median %.2f ms"
            % (k + 1, runs, order[0], n, statistics.median(got["vmtui"]), statistics.median(got["virsh"])))
    with open(results, "w") as f:
        for name, s in lat.items():
            median, lo, hi = spread(s)
            f.write("%s %d %.3f %.3f %.3f %.3f %.3f\n" % (name, len(s), median, p95(s),
                                                      statistics.mean(s), lo, hi))
except Fail as e:
    print("serial-latency: %s" % e, file=sys.stderr)
    sys.exit(1)
except KeyboardInterrupt:
    sys.exit(130)
EOF

load=$(load_average)
echo "guest g1 on a private qemu:///session daemon of user 65534 (TCG); $KEYS keystrokes per client over $RUNS rounds$load:"
"$PY" "$tmp/drive.py" "$VMTUI" "$(command -v virsh)" "$RUNS" "$KEYS" "$tmp/results" "$tmp/as-user" ||
	exit 1

awk '
	BEGIN { printf "  %-16s %6s %9s %9s %9s %9s %9s\n", "keystroke->echo", "keys", "median", "p95", "mean", "min", "max" }
	{ printf "  %-16s %6d %9.2f %9.2f %9.2f %9.2f %9.2f\n", ($1 == "virsh" ? "virsh console" : "vmtui console"), $2, $3, $4, $5, $6, $7 }' "$tmp/results"
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }
rm_=$(ratio "$(fig vmtui 3)" "$(fig virsh 3)")
rp=$(ratio "$(fig vmtui 4)" "$(fig virsh 4)")
dm=$(diff_ms "$(fig vmtui 3)" "$(fig virsh 3)")
dp=$(diff_ms "$(fig vmtui 4)" "$(fig virsh 4)")
echo "vmtui/virsh: median $rm_ ($dm ms), p95 $rp ($dp ms)"
printf 'bench serial-latency: keystroke->echo median vmtui %.2f ms, virsh %.2f ms (ratio %s, %s ms); p95 vmtui %.2f ms, virsh %.2f ms (ratio %s, %s ms)\n' \
	"$(fig vmtui 3)" "$(fig virsh 3)" "$rm_" "$dm" "$(fig vmtui 4)" "$(fig virsh 4)" "$rp" "$dp"

#!/bin/sh
# bench/tui-1000.sh — the interactive TUI against virt-manager, 1,000 domains.
#
# Usage: bench/tui-1000.sh [PATH/TO/vmtui]       (default ./vmtui)
#        RUNS=5 IDLE_SECS=30 bench/tui-1000.sh    (default 3 rounds, 10 s)
#        TIMEOUT=300 bench/tui-1000.sh            (give up on a launch, 120 s)
#
# Writes the node file of bench/node-xml.sh with 1,000 domains (the
# data of bench/list-1000.sh) into a temporary directory, launches each
# tool once to warm up, then runs RUNS rounds, each launching both in
# turn, and measures per launch:
#
#   1. wall time from launch to the first full screen;
#   2. CPU time (user + sys: utime + stime of /proc/PID/stat, children
#      included, ticks / getconf CLK_TCK) used while idle for IDLE_SECS
#      after that;
#   3. resident memory (VmRSS of /proc/PID/status, children included) at
#      the end of the idle period.
#
#   A. vmtui -c URI, run directly by a detached tmux session of 120x40 on
#      a private socket (tmux -L), without B's DISPLAY and bus in its
#      environment.  Full screen: `tmux capture-pane -p`,
#      polled every 10 ms, shows the row "vm-0001" and, at the bottom,
#      the line of key hints (the one that starts " n new  s start", in
#      one of the last 3 rows; at 120 columns it is cut before its end).  vmtui first draws its screen without rows (an
#      empty list: "No VMs yet", or a note that it is reading the list)
#      until its first refresh job lands; that does not count, and how
#      long a poll saw it is printed.
#   B. virt-manager --no-fork --connect URI under a private Xvfb
#      (1024x768, no window manager) and a private D-Bus session bus,
#      which starts dconf and the AT-SPI accessibility bus on demand as
#      a desktop would; default settings.  Full screen: a screenshot of
#      the window's area, polled every 10 ms, is pixel for pixel the
#      settled screen of the warm-up, left of the "CPU usage" column:
#      menus, toolbar, and the Name column with the connection and the
#      first VMs, vm-0001 first.  The CPU graphs move, so they are left
#      out, and so are the 2 px of the Name header's right edge (its
#      separator, drawn a moment after the rest).  The warm-up finds, in
#      the accessibility tree (AT-SPI), where the Name column ends and
#      that the list ("vm-list") holds the connection and the 1,000 VMs,
#      vm-0001 first, and takes the reference 3 s or more after its
#      window appears, once those pixels stay put for 1 s; every round
#      checks the list again, after its figures.  virt-manager maps its window
#      only once it has connected and listed the domains, so its first
#      frame is usually the full screen already; how long a poll saw
#      anything else is printed.  The warm-up is virt-manager's first
#      launch in the fresh settings (it stores the URI); the rounds are
#      later launches, as a user's would be.
#
# URI is test:///ABSOLUTE/PATH/node.xml: each process parses the whole
# file when it connects.  Both full-screen times are upper bounds, late
# by at most one poll, 10 ms and one capture (a few ms each, for tmux
# and for the screenshot): the clock starts before the launch (tmux
# new-session, or the spawn of virt-manager) and stops after the
# capture that showed the full screen.  The terminal and the display
# are not counted: the tmux server's CPU and memory are not vmtui's,
# nor are Xvfb's, the bus's, dconf's or AT-SPI's virt-manager's.
# Prints median, min and max of each figure per tool, then the ratios
# vmtui/virt-manager of the medians.  Exits 1 only if a tool does not
# show its list within TIMEOUT seconds (saying what it showed), dies,
# or, for virt-manager, if its accessibility tree does not hold the
# 1,000 VMs.
#
# A benchmark, never a test: it asserts no timing, since machines are
# noisy; it runs the peer in the same run and prints the ratio instead.
set -eu

BENCH=tui-1000
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
RUNS=${RUNS:-3}
IDLE_SECS=${IDLE_SECS:-10}
TIMEOUT=${TIMEOUT:-120}
N=1000

positive RUNS "$RUNS"
positive IDLE_SECS "$IDLE_SECS"
positive TIMEOUT "$TIMEOUT"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI") # tmux runs it elsewhere
[ -r "$here/node-xml.sh" ] || die "no $here/node-xml.sh next to this script: it writes the node file"

# What the script needs, by Debian package; it installs nothing.
missing=
need() { missing="$missing $1"; }
command -v tmux >/dev/null 2>&1 || need tmux
command -v virt-manager >/dev/null 2>&1 || need virt-manager
command -v Xvfb >/dev/null 2>&1 || need xvfb
command -v dbus-daemon >/dev/null 2>&1 || need dbus-daemon
[ -x /usr/libexec/at-spi-bus-launcher ] || [ -x /usr/lib/at-spi2-core/at-spi-bus-launcher ] ||
	need at-spi2-core
# One python for the driver, with GObject introspection for the
# screenshots (Gdk 3) and the accessibility tree (Atspi 2): python3 if
# it has them, else Debian's own (python3 may be another one on PATH).
probe='import gi; gi.require_version("Gdk", "3.0"); gi.require_version("Atspi", "2.0")'
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c "$probe" 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	command -v python3 >/dev/null 2>&1 || need python3
	for p in python3-gi gir1.2-gtk-3.0 gir1.2-atspi-2.0; do need "$p"; done
fi
[ -z "$missing" ] ||
	die "missing Debian packages:$missing (as root: apt-get install$missing)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtui-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(cd "$tmp" && pwd) # the URI needs an absolute path

# The same clean environment for both tools: no user config, no user
# home (nor ~/.tmux.conf), C locale, no display nor bus of the user's.
mkdir -m 700 "$tmp/config" "$tmp/data" "$tmp/cache" "$tmp/home" "$tmp/run"
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" LC_ALL=C
unset VMTUI_URI VMTUI_CONFIG LIBVIRT_DEFAULT_URI DISPLAY WAYLAND_DISPLAY \
	DBUS_SESSION_BUS_ADDRESS TMUX TMUX_PANE 2>/dev/null || true

node=$tmp/node.xml
sh "$here/node-xml.sh" "$N" >"$node" || die "cannot write the node file with $here/node-xml.sh"
URI=test://$node

# The driver: starts the tmux server, Xvfb and the D-Bus session bus,
# runs the warm-ups and the rounds, and stops all it started, by pid.
# It is the child subreaper of what it starts, so that the daemons the
# bus starts on demand (dconf, AT-SPI) are its children too, and stop
# with it.  Writes the figures to the file RESULTS, a line
# "tool figure median min max" each; says on stdout what it does.
cat >"$tmp/drive.py" <<'EOF'
import ctypes, os, select, signal, subprocess, sys, time
from stats import spread

(vmtui, uri, n, runs, idle, timeout, hz, tmp, results) = sys.argv[1:10]
n, runs, idle, timeout, HZ = int(n), int(runs), int(idle), int(timeout), int(hz)
COLS, LINES = 120, 40
SOCK = "vmtui-bench-%d" % os.getpid()   # the private tmux socket
POLL = 0.010
first, last = "vm-0001", "vm-%04d" % n

class Fail(Exception):
    pass

def say(*a):
    print(*a, flush=True)

def on_signal(sig, frame):
    raise SystemExit(128 + sig)

for s in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, on_signal)
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER

# ---- processes -------------------------------------------------------

def stat(pid):
    """(ppid, utime + stime + cutime + cstime) of a process, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()
    return int(f[1]), sum(int(x) for x in f[11:15])

def tree(pid):
    """pid and its descendants."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = stat(int(d))
            if st:
                kids.setdefault(st[0], []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out

def cpu_ticks(pid):
    return sum((stat(p) or (0, 0))[1] for p in tree(pid))

def rss_kib(pid):
    total = 0
    for p in tree(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total

def alive(pid):
    """Running, not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rindex(")") + 2] != "Z"
    except OSError:
        return False

def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return "?"

def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass

def stop(pid, grace=5.0):
    """SIGTERM, then SIGKILL after grace seconds; reaps if ours."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            reap()
            if not alive(pid):
                return
            time.sleep(0.02)

def read_fd_line(fd, what, secs=30):
    buf = b""
    end = time.monotonic() + secs
    while not buf.endswith(b"\n"):
        if not select.select([fd], [], [], max(0, end - time.monotonic()))[0]:
            raise Fail("%s did not say where it listens within %d s" % (what, secs))
        b = os.read(fd, 4096)
        if not b:
            raise Fail("%s exited at once" % what)
        buf += b
    os.close(fd)
    return buf.decode().strip()

def start_with_fd(argv, what, log):
    r, w = os.pipe()
    p = subprocess.Popen([a.replace("FD", str(w)) for a in argv], pass_fds=(w,),
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    os.close(w)
    return p, read_fd_line(r, what)

# The tmux client without virt-manager's display and bus: tmux copies
# DISPLAY (update-environment) from the client into each new session.
TMUX_ENV = None

def tmux(*args):
    p = subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null"] + list(args),
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, env=TMUX_ENV)
    if p.returncode != 0:
        raise Fail("tmux %s failed: %s" % (args[0], p.stderr.strip()))
    return p.stdout

# ---- vmtui in tmux -----------------------------------------------------

def vmtui_round(k):
    """One launch: (ms to full screen, idle CPU s, RSS KiB, ms the screen
    was there without rows or None, and what its list said then)."""
    sess = "r%d" % k
    t0 = time.monotonic()
    tmux("new-session", "-d", "-s", sess, "-x", str(COLS), "-y", str(LINES), vmtui, "-c", uri)
    pid = int(tmux("list-panes", "-t", sess, "-F", "#{pane_pid}").split()[0])
    early, said = None, ""
    while True:
        screen = tmux("capture-pane", "-p", "-t", sess)
        now = time.monotonic()
        rows = screen.split("\n")
        hints = any(r.startswith(" n new  s start") for r in rows[LINES - 3:LINES])
        if hints and any(first in r.split() for r in rows):
            break
        if hints and early is None:     # drawn, but no rows yet
            early = now
            said = next((r.strip() for r in rows[2:LINES // 2] if r.strip()), "(nothing)")
        if not alive(pid):
            time.sleep(0.2)     # for tmux to see it go, and its last words
            st = tmux("display-message", "-p", "-t", sess, "#{pane_dead_status}").strip()
            raise Fail("vmtui exited%s before it showed the list; its screen:\n%s"
                       % (st and " with status " + st, tmux("capture-pane", "-p", "-t", sess).rstrip() or "(blank)"))
        if now - t0 > timeout:
            raise Fail("vmtui did not show %s and its key hints within %d s; its screen:\n%s" % (first, timeout, screen))
        time.sleep(POLL)
    if comm(pid) != os.path.basename(vmtui)[:15]:
        raise Fail("the pane runs %s, not vmtui" % comm(pid))
    full = now
    c0 = cpu_ticks(pid)
    time.sleep(max(0, full + idle - time.monotonic()))
    c1 = cpu_ticks(pid)
    rss = rss_kib(pid)
    if not alive(pid):
        raise Fail("vmtui exited during the idle period")
    screen = tmux("capture-pane", "-p", "-t", sess)
    if not any(first in r.split() for r in screen.split("\n")):
        raise Fail("vmtui no longer shows %s after the idle period; its screen:\n%s" % (first, screen))
    stop(pid)
    tmux("kill-session", "-t", sess)
    return ((full - t0) * 1000, (c1 - c0) / HZ, rss,
            None if early is None else (full - early) * 1000, said)

# ---- virt-manager under Xvfb -----------------------------------------------

def grab(box):
    from gi.repository import Gdk
    pb = Gdk.pixbuf_get_from_window(Gdk.get_default_root_window(), *box)
    return bytes(pb.get_pixels()) if pb else b""

def atspi_check():
    """What the accessibility tree shows, in a short-lived process of its
    own (no stale cache from an earlier virt-manager): the window and
    the Name column's header, in screen pixels, and the list's rows."""
    code = r'''
import json, sys, gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi
S = Atspi.CoordType.SCREEN
def box(o):
    e = Atspi.Component.get_extents(o, S)
    return [e.x, e.y, e.width, e.height]
def find(o, role, name, depth=0):
    if o.get_role_name() == role and o.get_name() == name:
        return o
    for i in range(o.get_child_count() if depth < 12 else 0):
        r = find(o.get_child_at_index(i), role, name, depth + 1)
        if r:
            return r
desk = Atspi.get_desktop(0)
apps = [desk.get_child_at_index(i) for i in range(desk.get_child_count())]
apps = [a for a in apps if a and a.get_name() == "virt-manager"]
if not apps:
    sys.exit("no virt-manager in the accessibility tree")
app = apps[-1]
win = find(app, "frame", "Virtual Machine Manager")
tt = find(app, "tree table", "vm-list")
if not win or not tt:
    sys.exit("no main window with a VM list in the accessibility tree")
nrows = Atspi.Table.get_n_rows(tt)
def text(r):
    c = Atspi.Table.get_accessible_at(tt, r, 0)
    names = (c.get_child_at_index(i).get_name() for i in range(c.get_child_count()))
    return " ".join(x for x in names if x).replace("\n", " ")
print(json.dumps({"window": box(win), "name_header": box(Atspi.Table.get_column_header(tt, 0)), "rows": nrows,
                  "row": {str(r): text(r) for r in sorted({0, 1, nrows - 1}) if 0 <= r < nrows}}))
'''
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise Fail("cannot read virt-manager's accessibility tree (at-spi2-core): " + (p.stderr.strip() or "exit %d" % p.returncode))
    import json
    a = json.loads(p.stdout)
    r = a["row"]
    if a["rows"] != n + 1 or first not in r.get("1", "") or last not in r.get(str(n), ""):
        raise Fail("virt-manager's VM list holds %d rows (want %d: the connection, %s … %s); rows: %s" % (a["rows"], n + 1, first, last, r))
    return a

def log_tail(path, off):
    try:
        with open(path, errors="replace") as f:
            f.seek(off)
            lines = [l for l in f.read().splitlines() if "domain=vm-" not in l]
    except OSError:
        return "(no log)"
    return "\n".join(l[:200] for l in lines[-15:])

LOG = os.path.join(os.environ["XDG_CACHE_HOME"], "virt-manager", "virt-manager.log")
ref = None  # (box, pixels) of the settled screen, from the warm-up

def virt_manager_round(k, out):
    """One launch: (ms to full screen, idle CPU s, RSS KiB, ms the window
    was there before it matched, or None); the warm-up (ref None) takes
    the reference instead."""
    global ref
    from gi.repository import Gdk
    root = Gdk.get_default_root_window()
    screen = (0, 0, root.get_width(), root.get_height())
    off = os.path.getsize(LOG) if os.path.exists(LOG) else 0
    t0 = time.monotonic()
    p = subprocess.Popen(["virt-manager", "--no-fork", "--connect", uri],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    mapped = None
    try:
        while True:
            px = grab(screen if ref is None else ref[0])
            now = time.monotonic()
            if mapped is None and any(px):  # Xvfb's root is black (-br)
                mapped = now
            if ref is None and mapped or ref and px == ref[1]:
                break
            if p.poll() is not None:
                raise Fail("virt-manager exited %d before it showed its list; its log:\n%s" % (p.returncode, log_tail(LOG, off)))
            if now - t0 > timeout:
                what = ("showed no window" if not any(grab(screen)) else
                        "showed a window, but not the settled list of the warm-up,")
                try:
                    seen = "its accessibility tree: %s" % atspi_check()
                except Fail as e:
                    seen = str(e)
                raise Fail("virt-manager %s within %d s; read afterwards, %s; its log:\n%s"
                           % (what, timeout, seen, log_tail(LOG, off)))
            time.sleep(POLL)
        if comm(p.pid) != "virt-manager":
            raise Fail("pid %d is %s, not virt-manager" % (p.pid, comm(p.pid)))
        full = now
        if ref is None:
            # Let it settle, then take the window left of the CPU column,
            # less the 2 px of the Name header's right edge (its
            # separator, drawn a moment after the rest): once the
            # geometry makes sense and the pixels stay put for 1 s.
            time.sleep(3)
            for _ in range(10):
                a = atspi_check()
                wx, wy, ww, wh = a["window"]
                hx, hy, hw, hh = a["name_header"]
                box = (wx, wy, hx + hw - 2 - wx, wh)
                if wx >= 0 and wy >= 0 and 50 <= box[2] <= ww and 50 <= wh:
                    px = grab(box)
                    time.sleep(1)
                    if grab(box) == px and any(px):
                        break
                time.sleep(1)
            else:
                raise Fail("virt-manager's window did not settle: geometry %s" % a)
            ref = (box, px)
            say("  virt-manager warm-up: window %dx%d at %d,%d after %.0f ms; its list holds %d rows (%s);"
                " reference: its %dx%d px left of the CPU column, settled"
                % (ww, wh, wx, wy, (full - t0) * 1000, a["rows"],
                   ", ".join("%s: %s" % (r, a["row"][r]) for r in sorted(a["row"], key=int)), box[2], box[3]))
            return None
        c0 = cpu_ticks(p.pid)
        time.sleep(max(0, full + idle - time.monotonic()))
        c1 = cpu_ticks(p.pid)
        rss = rss_kib(p.pid)
        if p.poll() is not None:
            raise Fail("virt-manager exited during the idle period")
        atspi_check()   # after the figures: it costs virt-manager work
        if grab(ref[0]) != ref[1]:
            say("  note: virt-manager's screen changed left of the CPU column during the idle period")
        return ((full - t0) * 1000, (c1 - c0) / HZ, rss,
                None if mapped == full else (full - mapped) * 1000)
    finally:
        if p.poll() is None:
            stop(p.pid)
        p.wait()

# ---- the run ---------------------------------------------------------------

started = []
try:
    with open(os.path.join(tmp, "daemons.log"), "w") as log, \
         open(os.path.join(tmp, "virt-manager.out"), "w") as vmout:
        # The terminal first, with the clean environment and no display;
        # its clients keep that environment after DISPLAY is set below.
        TMUX_ENV = dict(os.environ)
        tmux("new-session", "-d", "-s", "hold", "-x", str(COLS), "-y", str(LINES), "cat")
        tmux("set-option", "-g", "remain-on-exit", "on")
        started.append(int(tmux("display-message", "-p", "-t", "hold", "#{pid}")))
        x, num = start_with_fd(["Xvfb", "-displayfd", "FD", "-screen", "0", "1024x768x24",
                                "-nolisten", "tcp", "-br"], "Xvfb", log)
        started.append(x.pid)
        os.environ["DISPLAY"] = ":" + num
        b, addr = start_with_fd(["dbus-daemon", "--session", "--nofork", "--print-address=FD"],
                                "dbus-daemon", log)
        started.append(b.pid)
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = addr
        import gi
        gi.require_version("Gdk", "3.0")
        from gi.repository import Gdk
        if Gdk.Display.get_default() is None:
            raise Fail("cannot open the Xvfb display :%s" % num)
        say("tmux socket %s, %dx%d; Xvfb :%s, 1024x768; D-Bus session %s" % (SOCK, COLS, LINES, num, addr.split(",")[0]))

        say("warm-up (not counted)")
        v = vmtui_round(0)
        say("  vmtui warm-up: full screen after %.0f ms" % v[0])
        virt_manager_round(0, vmout)

        fig = {"vmtui": ([], [], []), "virt-manager": ([], [], [])}
        early = {"vmtui": [], "virt-manager": []}
        said = set()
        for k in range(1, runs + 1):
            v = vmtui_round(k)
            m = virt_manager_round(k, vmout)
            for t, r in (("vmtui", v), ("virt-manager", m)):
                for i in range(3):
                    fig[t][i].append(r[i])
                if r[3] is not None:
                    early[t].append(r[3])
            if v[3] is not None:
                said.add(v[4])
            say("round %d/%d: vmtui %.0f ms, %.2f s CPU, %.1f MiB;  virt-manager %.0f ms, %.2f s CPU, %.1f MiB"
                % (k, runs, v[0], v[1], v[2] / 1024, m[0], m[1], m[2] / 1024))
        with open(results, "w") as f:
            for t in ("vmtui", "virt-manager"):
                for i, name in enumerate(("full", "cpu", "rss")):
                    s = fig[t][i]
                    if name == "rss":
                        s = [x / 1024 for x in s]
                    f.write("%s %s %.3f %.3f %.3f\n" % ((t, name) + spread(s)))
            for t, s in early.items():
                s = s or [0]
                f.write("%s early %.3f %.3f %.3f %d\n" % ((t,) + spread(s) + (len(early[t]),)))
        if said:
            say("  vmtui's list said, before its rows: %s" % " | ".join(sorted(said)))
except Fail as e:
    print("tui-1000: %s" % e, file=sys.stderr)
    sys.exit(1)
except KeyboardInterrupt:
    sys.exit(130)
finally:
    # Everything this process started, and what was left to it as the
    # subreaper (the daemons of the bus, the tmux server), by pid.
    try:
        tmux("kill-server")
    except Exception:
        pass
    for pid in reversed(started):
        stop(pid, 2.0)
    me = os.getpid()
    for _ in range(3):
        left = [int(d) for d in os.listdir("/proc") if d.isdigit() and (stat(int(d)) or (0,))[0] == me]
        if not left:
            break
        for pid in left:
            stop(pid, 2.0)
    reap()
EOF

load=$(load_average)
echo "$N domains in $node, $RUNS rounds after 1 warm-up, idle $IDLE_SECS s$load:"
hz=$(getconf CLK_TCK) || die "getconf CLK_TCK failed: no clock ticks per second"
"$PY" "$tmp/drive.py" "$VMTUI" "$URI" "$N" "$RUNS" "$IDLE_SECS" "$TIMEOUT" "$hz" "$tmp" "$tmp/results" ||
	exit 1

awk '
	BEGIN { printf "  %-34s %9s %9s %9s\n", "figure", "median", "min", "max" }
	$2 == "full" { printf "  %-34s %9.0f %9.0f %9.0f\n", $1 " launch->full screen, ms", $3, $4, $5 }
	$2 == "cpu" { printf "  %-34s %9.2f %9.2f %9.2f\n", $1 " idle CPU, s", $3, $4, $5 }
	$2 == "rss" { printf "  %-34s %9.1f %9.1f %9.1f\n", $1 " RSS, MiB", $3, $4, $5 }' "$tmp/results"
# How long each showed something short of the full screen first, in the
# rounds where a poll caught it (the others went to it within one poll).
early() {
	printf '  (%s first %s in %s of %s rounds' "$1" "$2" "$(fig "$1" early 6)" "$RUNS"
	if [ "$(fig "$1" early 6)" -gt 0 ]; then
		printf ', for %.0f ms median, %.0f … %.0f, before the full screen' \
			"$(fig "$1" early 3)" "$(fig "$1" early 4)" "$(fig "$1" early 5)"
	fi
	echo ')'
}
early vmtui "drew its screen without rows"
early virt-manager "showed its window but not yet the settled list"

rf=$(ratio "$(fig vmtui full 3)" "$(fig virt-manager full 3)")
rc=$(ratio "$(fig vmtui cpu 3)" "$(fig virt-manager cpu 3)")
rr=$(ratio "$(fig vmtui rss 3)" "$(fig virt-manager rss 3)")
echo "vmtui/virt-manager: launch->full screen $rf, idle CPU $rc, RSS $rr"
printf 'bench tui-1000: full screen vmtui %.0f ms, virt-manager %.0f ms (ratio %s); idle CPU over %s s vmtui %.2f s, virt-manager %.2f s (ratio %s); RSS vmtui %.1f MiB, virt-manager %.1f MiB (ratio %s)\n' \
	"$(fig vmtui full 3)" "$(fig virt-manager full 3)" "$rf" "$IDLE_SECS" \
	"$(fig vmtui cpu 3)" "$(fig virt-manager cpu 3)" "$rc" \
	"$(fig vmtui rss 3)" "$(fig virt-manager rss 3)" "$rr"

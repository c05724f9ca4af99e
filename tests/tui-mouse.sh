#!/bin/sh
# Mouse in the full-screen interface: a click selects a row, a double click
# opens it, the wheel moves, a right click opens the menu, a click on a
# heading sorts; in the templates view a click selects and a double click
# opens the lab wizard.  Driven through a pseudo-terminal with xterm's
# SGR mouse reports, as a terminal emulator would send them.
. "${top_srcdir:-.}/tests/lib.sh"

for n in ma mb mc; do
	"$VMTUI" create "$n" --no-disk >/dev/null || { echo "Bail out! create $n"; exit 1; }
done
qemu-img create -q -f qcow2 "$T/small.qcow2" 16M
for n in ta tb; do
	"$VMTUI" template create "$n" --from-image "$T/small.qcow2" >/dev/null ||
		{ echo "Bail out! template create $n"; exit 1; }
done
python3 - "$VMTUI" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
n = 0
def ok(cond, what):
    global n; n += 1
    print(("ok" if cond else "not ok"), n, "-", what); sys.stdout.flush()
pid, fd = pty.fork()
if pid == 0:
    os.environ.update(TERM="xterm-256color", LANG="C.UTF-8")
    os.execv(sys.argv[1], [sys.argv[1]])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
def drain(t):
    out, end = b"", time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: out += os.read(fd, 65536)
            except OSError: break
    return out
def until(want, t=30):
    # reads until @want (bytes, or a function of what came) shows, at
    # most @t seconds: the screen comes when vmtui is ready, not on time
    out, end = b"", time.time() + t
    test = want if callable(want) else (lambda o: want in o)
    while time.time() < end and not test(out):
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: out += os.read(fd, 65536)
            except OSError: break
    return out
def click(col, row, times=1):
    for _ in range(times):
        os.write(fd, b"\x1b[<0;%d;%dM" % (col, row)); time.sleep(0.02)
        os.write(fd, b"\x1b[<0;%d;%dm" % (col, row)); time.sleep(0.05)
def name_shown(out, name):
    return (b"Name:          " + name.encode()) in out
first = until(lambda o: b"1000h" in o or b"1002h" in o)
ok(b"1000h" in first or b"1002h" in first,
   "vmtui turns on mouse reporting")
first += until(b"mc")              # the list is drawn
click(6, 5, 2)                      # row 5 = third VM: mc
out = until(lambda o: name_shown(o, "mc"), 10)
ok(name_shown(out, "mc"), "a double click on a row opens that VM's details")
os.write(fd, b"q"); drain(0.5)
click(6, 4)                         # select mb
time.sleep(0.5)                     # past the double-click interval
os.write(fd, b"\r")
out = until(lambda o: name_shown(o, "mb"), 10)
ok(name_shown(out, "mb"), "a click selects the row (Enter then opens mb)")
os.write(fd, b"q"); drain(0.5)
os.write(fd, b"\x1b[<64;6;4M")      # wheel up: back to the first row
time.sleep(0.2)
os.write(fd, b"\r")
out = until(lambda o: name_shown(o, "ma"), 10)
ok(name_shown(out, "ma"), "the wheel moves the selection")
os.write(fd, b"q"); drain(0.5)
os.write(fd, b"\x1b[<2;6;5M"); time.sleep(0.05)   # right click on mc
os.write(fd, b"\x1b[<2;6;5m")
out = until(lambda o: b" mc " in o and b"force off" in o and b"reboot" in o, 10)
ok(b" mc " in out and b"force off" in out and b"reboot" in out,
   "a right click opens the menu of actions for that VM")
os.write(fd, b"\x1b"); drain(0.5)
click(21, 2)                        # the STATE heading
out = until(b"Sorted by STATE", 10)
ok(b"Sorted by STATE" in out, "a click on a heading sorts by that column")
os.write(fd, b"T")
until(b"tb", 10)
click(6, 4, 2)                      # row 4 = second template: tb
out = until(b'New VMs from template "tb"', 10)
ok(b'New VMs from template "tb"' in out,
   "in the templates view a double click opens the lab wizard for that template")
os.write(fd, b"\x1b"); drain(0.5)
click(6, 3)                         # select ta
time.sleep(0.5)
os.write(fd, b"\r")
out = until(b'New VMs from template "ta"', 10)
ok(b'New VMs from template "ta"' in out, "  ... and a click selects one (Enter then opens ta's)")
os.write(fd, b"\x1b"); drain(0.5)
os.write(fd, b"q"); drain(0.5)
os.write(fd, b"q"); time.sleep(0.2); os.write(fd, b"q")
drain(1.5)
_, status = os.waitpid(pid, 0)
ok(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "q quits cleanly")
print("1..%d" % n)
PY

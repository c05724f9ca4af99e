#!/bin/sh
# bench/vdi.sh — desktop pools and the broker, on the embedded engine
# with kit desktops (256 MiB, TCG), everything on loopback:
#
#   sh bench/vdi.sh [VMTUI]      (DESKTOPS=4 LOGINS=50 ROUNDS=3)
#
#   cold start   `pool create` of DESKTOPS desktops until all are ready
#                (clones made and booted, at most 2 at a time)
#   refresh      a released desktop back to ready: from its ready
#                snapshot (vmtui's refresh, no boot) against the overlay
#                path (the desktop deleted, a new linked clone, a boot to
#                the guest's ready marker), same pool, same run, ROUNDS
#                each; the ratio snapshot / overlay
#   refill       desktops made ready per minute after `pool grow`
#   logins       LOGINS concurrent logins (PAM, pam_userdb): p50/p95
#   time to desktop
#                DESKTOPS users at once, each: login, a desktop, its .vv
#                (the ticket set live on the display): p50/p95 (target
#                p95 <= 100 ms); against two plain requests to the same
#                broker by the same users at once (a static page and the
#                list of their desktops): what assigning a desktop and
#                minting its ticket add to HTTPS round trips
#
# Prints the figures; exits 1 only when something does not work, never
# because of a time.
set -eu

BENCH=vdi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
DESKTOPS=${DESKTOPS:-4}
LOGINS=${LOGINS:-50}
ROUNDS=${ROUNDS:-3}
positive DESKTOPS "$DESKTOPS"
positive LOGINS "$LOGINS"
positive ROUNDS "$ROUNDS"
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
VMTUI=$(cd "$(dirname "$VMTUI")" && pwd)/$(basename "$VMTUI")
for p in mkfs.ext4 cpio qemu-img python3 openssl db5.3_load curl; do
	command -v $p >/dev/null 2>&1 || die "$p is missing"
done

tmp=$(mktemp -d /tmp/vb.XXXXXX)
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg
unset VMTUI_URI VMTUI_CONFIG
BPID=
cleanup() {
	if [ -n "$BPID" ]; then
		kill "$BPID" 2>/dev/null || true
		wait "$BPID" 2>/dev/null || true
	fi
	for f in "$VMTUI_ENGINE_ROOT"/run/qemu/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
	done
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

sh "$here/../tests/guest/build.sh" "$tmp/kit" >"$tmp/kit.log" 2>&1 ||
	die "the test guest kit does not build: $(tail -n 3 "$tmp/kit.log")"
kit_disk "$tmp/kit" "$tmp/root.qcow2"
"$VMTUI" create src --kernel "$tmp/kit/vmlinuz" --initrd "$tmp/kit/initrd.img" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
	--memory 256M --disk "$tmp/root.qcow2" --no-graphics >/dev/null
"$VMTUI" template create kit --from-vm src >/dev/null

now() { python3 -c 'import time; print(time.monotonic())'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "vdi: $DESKTOPS desktops, $LOGINS logins, $ROUNDS rounds$(load_average)"

# --- cold start -------------------------------------------------------------
t0=$(now)
"$VMTUI" pool create bench --template kit --min "$DESKTOPS" --max $((DESKTOPS + 2)) --spares 1 \
	--ready-marker VMTUI-GUEST-READY --timeout 900 >"$tmp/create.log" 2>&1 ||
	die "pool create failed: $(tail -n 3 "$tmp/create.log")"
t1=$(now)
cold=$(ms "$t0" "$t1")
echo "cold start: $DESKTOPS desktops ready in $cold ms ($(awk -v t="$cold" -v n="$DESKTOPS" 'BEGIN { printf "%.0f", t / n }') ms each)"

# --- refresh: snapshot against overlay ---------------------------------------
snap= over=
d1=bench-01
for r in $(seq "$ROUNDS"); do
	"$VMTUI" desktop assign bench "u$r" >/dev/null
	t0=$(now)
	"$VMTUI" desktop kick "u$r" >"$tmp/kick.log" 2>&1 || die "kick failed: $(cat "$tmp/kick.log")"
	t1=$(now)
	grep -q 'refreshed from its ready snapshot' "$tmp/kick.log" || die "no snapshot refresh: $(cat "$tmp/kick.log")"
	snap="$snap $(ms "$t0" "$t1")"
	# the overlay path: the desktop deleted and made anew, until ready
	t0=$(now)
	"$VMTUI" delete "$d1" --force --remove-disks >/dev/null 2>&1 || "$VMTUI" delete "$d1" --force >/dev/null
	"$VMTUI" pool reconcile bench --wait --timeout 300 >"$tmp/rec.log" 2>&1 ||
		die "reconcile failed: $(tail -n 3 "$tmp/rec.log")"
	t1=$(now)
	over="$over $(ms "$t0" "$t1")"
done
ms_snap=$(echo "$snap" | median)
ms_over=$(echo "$over" | median)
echo "refresh: ready snapshot $ms_snap ms, overlay + boot $ms_over ms (medians of$snap /$over); snapshot / overlay $(ratio "$ms_snap" "$ms_over")"

# --- refill ------------------------------------------------------------------
t0=$(now)
"$VMTUI" pool grow bench 2 --wait --timeout 600 >"$tmp/grow.log" 2>&1 || die "grow failed: $(tail -n 3 "$tmp/grow.log")"
t1=$(now)
echo "refill: 2 desktops ready in $(ms "$t0" "$t1") ms ($(awk -v t="$(ms "$t0" "$t1")" 'BEGIN { printf "%.1f", 2 * 60000 / t }') per minute)"
"$VMTUI" pool shrink bench 2 >/dev/null

# --- the broker ----------------------------------------------------------------
mkdir "$tmp/pam"
i=0
: >"$tmp/users.txt"
while [ $i -lt "$LOGINS" ]; do printf 'u%d\npw-%d\n' "$i" "$i" >>"$tmp/users.txt"; i=$((i + 1)); done
db5.3_load -T -t hash "$tmp/users.db" <"$tmp/users.txt"
printf 'auth required pam_userdb.so db=%s\naccount required pam_userdb.so db=%s\n' \
	"$tmp/users" "$tmp/users" >"$tmp/pam/bench"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VMTUI" serve --listen "127.0.0.1:$port" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	--pam-service bench --pam-confdir "$tmp/pam" --max-failures-address 100000 >"$tmp/serve.log" 2>&1 &
BPID=$!
i=0
while ! grep -q 'Serving the desktop pools' "$tmp/serve.log" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 300 ] || die "the broker did not start: $(tail -n 3 "$tmp/serve.log")"
done
python3 - "https://127.0.0.1:$port" "$tmp/cert.pem" "$LOGINS" "$DESKTOPS" <<'PY'
import concurrent.futures, http.cookiejar, json, ssl, sys, time, urllib.request
url, ca, logins, desks = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
def opener():
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx),
                                       urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def req(o, method, path, body=None, csrf=None):
    h = {"Content-Type": "application/json"}
    if csrf:
        h["X-CSRF-Token"] = csrf
    r = urllib.request.Request(url + path, method=method, headers=h,
                               data=json.dumps(body).encode() if body is not None else None)
    with o.open(r, timeout=60) as resp:
        return resp.read()
def login(i):
    o = opener()
    t0 = time.monotonic()
    csrf = json.loads(req(o, "POST", "/api/login", {"user": "u%d" % i, "password": "pw-%d" % i}))["csrf"]
    return time.monotonic() - t0, o, csrf
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000
with concurrent.futures.ThreadPoolExecutor(logins) as ex:
    res = list(ex.map(login, range(logins)))
lt = [r[0] for r in res]
print("logins: %d at once, p50 %.0f ms, p95 %.0f ms (each waits for PAM; a failed one takes at least 250 ms)"
      % (logins, pct(lt, 50), pct(lt, 95)))
def desktop(r):
    _, o, csrf = r
    t0 = time.monotonic()
    d = json.loads(req(o, "POST", "/api/pools/bench/desktop", {}, csrf))["desktop"]
    vv = req(o, "GET", "/api/desktops/%s/console.vv" % d)
    assert b"password=" in vv
    return time.monotonic() - t0
with concurrent.futures.ThreadPoolExecutor(desks) as ex:
    tt = list(ex.map(desktop, res[:desks]))
def page(r):
    t0 = time.monotonic()
    req(r[1], "GET", "/novnc/vnc.html")
    req(r[1], "GET", "/api/desktops")
    return time.monotonic() - t0
with concurrent.futures.ThreadPoolExecutor(desks) as ex:
    bt = list(ex.map(page, res[:desks]))
print("time to desktop (a desktop and its .vv, %d users at once): p50 %.0f ms, p95 %.0f ms (target p95 <= 100 ms)"
      % (desks, pct(tt, 50), pct(tt, 95)))
print("peer: two plain requests to the same broker (a static page, the user's desktops), as many at once: p50 %.0f ms, p95 %.0f ms; time to desktop / plain p50 %.2f"
      % (pct(bt, 50), pct(bt, 95), pct(tt, 50) / max(pct(bt, 50), 0.001)))
PY
kill "$BPID"
wait "$BPID" 2>/dev/null || true
BPID=
"$VMTUI" pool delete bench --yes --force >/dev/null 2>&1 || true

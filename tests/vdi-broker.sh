#!/bin/sh
# The desktop broker (vmtui serve) with real clients on loopback: a pool
# of 3 kit desktops; logins through PAM (pam_userdb in the test's own
# folder, nothing in /etc touched) with curl over HTTPS; a desktop handed
# out; its .vv; vncsnapshot (another project's VNC client) through the
# broker's relay with the ticket gets the guest's screen (with
# --plain-vnc), the same ticket fails a second time and after it
# expires; without --plain-vnc the .vv port speaks VeNCrypt only:
# remote-viewer with the broker's CA certificate comes in over TLS, without
# it or without VeNCrypt a viewer is refused; another user's desktop is
# refused; the disconnect grace releases and refreshes a desktop; kill -9
# of the broker with a viewer connected, then a restart, leaves every
# desktop with its user; CSRF, cross-origin WebSockets, lockout, cookie
# flags and plain HTTP beyond loopback are refused; 50 concurrent logins
# leave no file descriptor behind.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/vdi-lib.sh"

for c in vncsnapshot vncpasswd ss Xvfb remote-viewer; do
	command -v "$c" >/dev/null || { echo "Bail out! $c is missing (./setup.sh test installs it)"; exit 1; }
done
guest_kit
check "a template of the kit" vdi_template
expect 0 'Created pool "lab"' "a pool of 3 kit desktops, ready" \
	pool create lab --template kit --min 3 --max 4 --spares 1 \
	--ready-marker VMTUI-GUEST-READY --disconnect-grace 6 --idle 20 --timeout 400
check "PAM users in the test's own folder" vdi_pam
check "a certificate for 127.0.0.1" vdi_cert
expect 2 'without TLS would send passwords in clear text' "plain HTTP beyond loopback is refused" \
	serve --listen "0.0.0.0:$PORT" --pam-service vmtui-test --pam-confdir "$T/pam"
broker() {
	start_broker --max-failures-account 5 --max-failures-address 40 --ticket-ttl 10 "$@"
}
check "vmtui serve starts with TLS (and --plain-vnc for vncsnapshot)" broker --plain-vnc

curl_as anon GET /
check "the portal page is served over HTTPS" sh -c "[ '$code' = 200 ] && grep -q '<title>vmtui desktops' '$T/body'"
curl_as anon GET /api/pools
check "the API wants a login first (401)" [ "$code" = 401 ]

login alice alice wrong-pw
c1=$code t1=$secs
cp "$T/body" "$T/wrong.body"
login alice nosuchuser wrong-pw
c2=$code t2=$secs
check "a wrong password is refused (401)" [ "$c1" = 401 ]
check "an unknown user gets the same answer" sh -c "[ '$c2' = 401 ] && cmp -s '$T/wrong.body' '$T/body'"
check "  ... in similar time (${t1} s and ${t2} s, both at least 0.25 s)" python3 -c "
a, b = $t1, $t2
assert a >= 0.25 and b >= 0.25 and abs(a - b) < 0.5"

login alice alice alice-pw
check "alice logs in (200)" [ "$code" = 200 ]
check "  ... her session cookie is Secure, HttpOnly and SameSite=Strict" \
	sh -c "grep -i '^set-cookie: vmtui_session=' '$T/head' | grep -q 'HttpOnly' &&
	       grep -i '^set-cookie: vmtui_session=' '$T/head' | grep -q 'SameSite=Strict' &&
	       grep -i '^set-cookie: vmtui_session=' '$T/head' | grep -q 'Secure'"
tok=$(sed -n 's/.*vmtui_session=\([0-9a-f]*\);.*/\1/p' "$T/head")
check "  ... a 128-bit token (${#tok} hex digits)" [ "${#tok}" = 32 ]
curl_as alice GET /api/pools
check "she sees the pool with ready desktops" grep -q '"name":"lab","ready":[1-9]' "$T/body"

NO_CSRF=1 curl_as alice POST /api/pools/lab/desktop
check "getting a desktop without the CSRF token is refused (403)" [ "$code" = 403 ]
curl_as alice POST /api/pools/lab/desktop '' -H 'Origin: https://evil.example'
check "  ... and from another origin (403)" [ "$code" = 403 ]
curl_as alice POST /api/pools/lab/desktop
D=$(json_get desktop)
check "with its CSRF token she gets a desktop ($D)" sh -c "[ '$code' = 200 ] && [ -n '$D' ]"

login bob bob bob-pw
curl_as bob GET "/api/desktops/$D/console.vv"
check "bob cannot get a ticket for alice's desktop (404)" [ "$code" = 404 ]

curl_as alice GET "/api/desktops/$D/console.vv"
cp "$T/body" "$T/d.vv"
check "alice gets a .vv for her desktop" grep -qi '^content-type: application/x-virt-viewer' "$T/head"
for k in 'type=vnc' 'host=127.0.0.1' 'port=[0-9]' 'password=.\{8\}$' 'fullscreen=1' 'delete-this-file=1'; do
	check "  ... with $k" grep -q "^$k" "$T/d.vv"
done
VPORT=$(sed -n 's/^port=//p' "$T/d.vv")
sed -n 's/^password=//p' "$T/d.vv" | vncpasswd -f >"$T/vncpw" 2>/dev/null
fails() { ! "$@"; }
shot() { # PORT FILE: vncsnapshot through the relay with the ticket, at most 20 s
	timeout 20 vncsnapshot -quiet -passwd "$T/vncpw" "127.0.0.1::$1" "$2" >"$T/shot.log" 2>&1
}
if shot "$VPORT" "$T/shot.jpg" && [ "$(wc -c <"$T/shot.jpg")" -gt 1000 ]; then
	ok "vncsnapshot through the broker's relay with the ticket gets the guest's screen"
else
	not_ok "vncsnapshot through the broker's relay with the ticket gets the guest's screen"
	diag "vncsnapshot:" "$(cat "$T/shot.log")" "broker:" "$(tail -n 20 "$T/serve.log")"
fi
check "the same ticket does not work a second time" fails shot "$VPORT" "$T/shot2.jpg"
audit="$XDG_DATA_HOME/vmtui/broker/audit.log"
check "the audit log records the ticket, the connection and its spending" \
	sh -c "grep -q 'ticket user=alice desktop=$D kind=vv' '$audit' &&
	       grep -q 'connect user=alice desktop=$D from=127.0.0.1' '$audit' &&
	       grep -q 'ticket-spent desktop=$D' '$audit'"
curl_as alice GET "/api/desktops/$D/console.vv"
VPORT2=$(sed -n 's/^port=//p' "$T/body")
sed -n 's/^password=//p' "$T/body" | vncpasswd -f >"$T/vncpw" 2>/dev/null
sleep 12
check "a fresh ticket fails once it has expired (10 s)" fails shot "$VPORT2" "$T/shot3.jpg"

# the display itself listens on loopback only, and takes no password
# but a ticket the broker set
ss -ltnp >"$T/ss"
check "QEMU's VNC listens on 127.0.0.1 only" sh -c "! grep qemu '$T/ss' | grep -v '127.0.0.1:' | grep -q ."
qport=$(grep qemu "$T/ss" | sed -n 's/.*127\.0\.0\.1:\(59[0-9][0-9]\) .*/\1/p' | head -n 1)
echo 'guessed1' | vncpasswd -f >"$T/guess" 2>/dev/null
check "QEMU's port ($qport) refuses a VNC client without the broker's ticket" \
	sh -c "! timeout 20 vncsnapshot -quiet -passwd '$T/guess' '127.0.0.1::$qport' '$T/direct.jpg' >/dev/null 2>&1"

# a WebSocket from another origin, or with a token nobody minted
ws() { # ORIGIN TOKEN
	curl -sS --cacert "$T/cert.pem" -b "$T/alice.jar" -o /dev/null -w '%{http_code}' \
		-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H "Origin: $1" \
		--max-time 5 "$URL/websockify?token=$2" 2>/dev/null
}
curl_as alice POST "/api/desktops/$D/web"
wtok=$(json_get token)
check "a cross-origin WebSocket is refused (403)" [ "$(ws https://evil.example "$wtok")" = 403 ]
check "a WebSocket with a token nobody minted is refused (403)" \
	[ "$(ws "$URL" 0123456789abcdef0123456789abcdef)" = 403 ]

# metrics, then the grace: her viewer is gone, the desktop goes back
metrics() { curl -sS --cacert "$T/cert.pem" "$URL/metrics" >"$T/metrics" 2>/dev/null; }
metrics
check "/metrics counts desktops by pool and state" grep -q '^vmtui_desktops{pool="lab",state="ready"} [0-9]' "$T/metrics"
check "  ... and logins, failures and the time to a desktop" sh -c \
	"grep -q '^vmtui_logins_total 2' '$T/metrics' && grep -q '^vmtui_login_failures_total 2' '$T/metrics' &&
	 grep -q '^vmtui_time_to_desktop_seconds_count 1' '$T/metrics'"
# released JAR DESKTOP SECONDS: within SECONDS, JAR's user no longer
# holds DESKTOP
released() {
	i=0
	while [ $i -lt "$3" ]; do
		curl_as "$1" GET /api/desktops
		grep -q "\"$2\"" "$T/body" || return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
check "after the disconnect grace (6 s) her desktop is released" released alice "$D" 40
check "  ... and refreshed from its ready snapshot" wait_for "$T/serve.log" "$D: refreshed from its ready snapshot" 20
metrics
check "  ... which /metrics counts with its time" grep -q '^vmtui_refresh_seconds_count{path="snapshot"} 1' "$T/metrics"

# kill -9 with a viewer connected; the restarted broker finds everyone
curl_as alice POST /api/pools/lab/desktop
DA=$(json_get desktop)
curl_as bob POST /api/pools/lab/desktop
DB=$(json_get desktop)
check "alice and bob hold two different desktops ($DA, $DB)" sh -c "[ -n '$DA' ] && [ -n '$DB' ] && [ '$DA' != '$DB' ]"
curl_as alice GET "/api/desktops/$DA/console.vv"
hport=$(sed -n 's/^port=//p' "$T/body")
python3 -c "
import socket, time, sys
s = socket.create_connection(('127.0.0.1', $hport), timeout=5)
s.recv(12)  # QEMU's RFB greeting, through the relay
time.sleep(60)" >/dev/null 2>&1 &
HOLD=$!
BG_PIDS="$BG_PIDS $HOLD"
i=0
while [ $i -lt 50 ]; do
	metrics
	grep -q '^vmtui_desktops{pool="lab",state="connected"} 1' "$T/metrics" && break
	sleep 0.2
	i=$((i + 1))
done
check "a viewer held open makes alice's desktop connected" grep -q '^vmtui_desktops{pool="lab",state="connected"} 1' "$T/metrics"
kill -9 "$BPID"
wait "$BPID" 2>/dev/null
kill "$HOLD" 2>/dev/null
check "the broker restarts after kill -9 (without --plain-vnc now)" broker
metrics
check "  ... alice's desktop is disconnected (no relay survived), still hers" \
	grep -q '^vmtui_desktops{pool="lab",state="disconnected"} 1' "$T/metrics"
login alice alice alice-pw
curl_as alice GET /api/desktops
check "  ... she finds her desktop $DA again" grep -q "\"desktop\":\"$DA\"" "$T/body"
login bob bob bob-pw
curl_as bob GET /api/desktops
check "  ... bob his, $DB" grep -q "\"desktop\":\"$DB\"" "$T/body"
curl_as bob POST /api/pools/lab/desktop
check "  ... asking again, bob gets his own back, nobody else's" [ "$(json_get desktop)" = "$DB" ]

# idle: a viewer whose user touches no key and no mouse for the pool's
# --idle (20 s) is let go, and the desktop goes back
login alice alice alice-pw
curl_as alice GET "/api/desktops/$DA/console.vv"
iport=$(sed -n 's/^port=//p' "$T/body")
python3 - "$iport" >"$T/idle" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.recv(12)                     # QEMU's greeting, through the relay
s.settimeout(60)
t0 = time.monotonic()
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print("closed after %.0f s" % (time.monotonic() - t0))
PY
check "a viewer idle for the pool's --idle is let go ($(cat "$T/idle"))" python3 -c "
import re
s = float(re.search(r'after (\d+)', open('$T/idle').read()).group(1))
assert 18 <= s <= 40, s"
check "  ... the audit log says so" grep -q "idle user=alice desktop=$DA seconds=20" "$audit"
check "  ... and her desktop is released" released alice "$DA" 30

# VeNCrypt: the broker has no --plain-vnc now; remote-viewer (gtk-vnc)
# finds the CA certificate in ~/.pki/CA/cacert.pem, ~ from the password
# file: the test's own folder is put over it in a mount namespace
Xvfb -displayfd 1 -nolisten tcp -screen 0 800x600x24 >"$T/xdisplay" 2>"$T/xvfb.log" &
BG_PIDS="$BG_PIDS $!"
i=0
until [ -s "$T/xdisplay" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p "$T/rv-ca/.pki/CA" "$T/rv-none"
cp "$T/cert.pem" "$T/rv-ca/.pki/CA/cacert.pem"
home=$(getent passwd "$(id -u)" | cut -d: -f6)
viewer() { # HOME FILE|-: remote-viewer on the .vv in $T/body (as a file,
	# or on its standard input), its pid in $RV
	cp "$T/body" "$T/rv.vv"
	DISPLAY=:$(cat "$T/xdisplay") unshare --mount --propagation private sh -c \
		'mount --bind "$1" "$2" && exec remote-viewer --debug --gtk-vnc-debug "$3"' \
		sh "$1" "$home" "$2" <"$T/rv.vv" >"$T/rv.log" 2>&1 &
	RV=$!
	BG_PIDS="$BG_PIDS $RV"
}
curl_as alice POST /api/pools/lab/desktop
DT=$(json_get desktop)
curl_as alice GET "/api/desktops/$DT/console.vv"
sed -n 's/^password=//p' "$T/body" | vncpasswd -f >"$T/vncpw" 2>/dev/null
check "a viewer without VeNCrypt (vncsnapshot) is refused ($DT)" fails shot "$(sed -n 's/^port=//p' "$T/body")" "$T/shot4.jpg"
check "  ... the audit log says at which step" \
	grep -q "connect-failed user=alice desktop=$DT from=127.0.0.1 reason=security" "$audit"
check "  ... and the broker's log why" wait_for "$T/serve.log" "desktop \"$DT\" .*RFB 3.3, without VeNCrypt" 5
curl_as alice GET "/api/desktops/$DT/console.vv"
viewer "$T/rv-none" "$T/rv.vv"
check "remote-viewer without the broker's CA certificate is refused at TLS" \
	wait_for "$audit" "connect-failed user=alice desktop=$DT from=127.0.0.1 reason=tls" 20
kill "$RV" 2>/dev/null
rvdiag() { diag "remote-viewer:" "$(grep -v "GLib-GIO-DEBUG" "$T/rv.log" | tail -n 40)" "broker:" "$(tail -n 5 "$T/serve.log")" "audit:" "$(tail -n 5 "$audit")"; }
grep -q "reason=tls" "$audit" || rvdiag
spent0=$(grep -c "ticket-spent desktop=$DT" "$audit")
curl_as alice GET "/api/desktops/$DT/console.vv"
viewer "$T/rv-ca" -
check "remote-viewer - (the .vv on its standard input) with it comes in over VeNCrypt (TLS, then the ticket)" \
	wait_for "$audit" "console user=alice desktop=$DT security=vencrypt-x509" 20
grep -q "security=vencrypt-x509" "$audit" || rvdiag
i=0
while [ "$(grep -c "ticket-spent desktop=$DT" "$audit")" = "$spent0" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
check "  ... QEMU took the ticket and the viewer's ClientInit (the ticket is spent)" \
	[ "$(grep -c "ticket-spent desktop=$DT" "$audit")" -gt "$spent0" ]
metrics
check "  ... the desktop is connected, the viewer still running" sh -c \
	"grep -q '^vmtui_desktops{pool=\"lab\",state=\"connected\"} 1' '$T/metrics' && kill -0 $RV"
kill "$RV" 2>/dev/null
check "  ... and released after the grace once remote-viewer is gone" released alice "$DT" 40

# 50, then 200 logins at once: no error, no descriptor or memory left
fds() { ls "/proc/$BPID/fd" 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$BPID/status"; }
fd0=$(fds)
rss0=$(rss)
for n in 50 200; do
	timeout 120 python3 - "$URL" "$T/cert.pem" "$n" >"$T/load" 2>&1 <<'PY'
import json, ssl, sys, urllib.request, concurrent.futures
url, ca, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
def one(i):
    req = urllib.request.Request(url + "/api/login", method="POST",
        data=json.dumps({"user": "dave", "password": "dave-pw"}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception as e:
        return str(e).replace(" ", "_")
with concurrent.futures.ThreadPoolExecutor(n) as ex:
    res = list(ex.map(one, range(n)))
print(" ".join(str(r) for r in res))
PY
	good=$(tr ' ' '\n' <"$T/load" | grep -cx 200)
	check "$n concurrent logins all succeed ($good)" [ "$good" = "$n" ]
	[ "$good" = "$n" ] || diag "answers: $(tr ' ' '\n' <"$T/load" | sort | uniq -c | tr '\n' ' ')"
done
sleep 1
fd1=$(fds)
rss1=$(rss)
check "  ... and leave no file descriptor open ($fd0 before, $fd1 after)" [ "$fd1" -le $((fd0 + 2)) ]
# AddressSanitizer keeps what is freed in quarantine (256 MiB)
slack=40960
[ -n "${ASAN_OPTIONS:-}" ] && slack=327680
check "  ... and memory near where it was (${rss0} KiB before, ${rss1} KiB after 250 sessions)" \
	[ "$rss1" -le $((rss0 + slack)) ]

# brute force: bob's account locks after 5 failures, even for his password
for i in 1 2 3 4 5; do login bob bob "guess-$i"; done
login bob bob guess-6
check "the 6th failure for bob's account is refused as locked (429)" \
	sh -c "[ '$code' = 429 ] && grep -q 'locked' '$T/body'"
login bob bob bob-pw
check "  ... and so is his right password while it is locked" [ "$code" = 429 ]
check "  ... the lockout is in the audit log" grep -q 'lockout user=bob' "$audit"

kill "$BPID"
wait "$BPID"
brc=$?
check "SIGTERM stops the broker (status $brc)" [ "$brc" = 0 ]
expect 0 "^$DA +lab +[a-z]+ " "the command line works on the engine again once the broker stopped" \
	desktop list
"$VMTUI" pool delete lab --yes --force >/dev/null 2>&1
done_testing

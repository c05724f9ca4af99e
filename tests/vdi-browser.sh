#!/bin/sh
# The broker's browser path in headless Chromium (Debian's, driven by
# Playwright from the npm registry, kept in the build tree): alice logs
# in on the portal, gets a desktop, opens it in the browser (noVNC over
# the broker's wss:// relay, its one-time token and ticket), the guest's
# screen shows on the canvas, and what she types reaches the guest (its
# tty1 shell writes it to the serial line).
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/vdi-lib.sh"

command -v chromium >/dev/null || { echo "Bail out! chromium is missing (./setup.sh test installs it)"; exit 1; }
command -v npm >/dev/null || { echo "Bail out! npm is missing (./setup.sh test installs it)"; exit 1; }
PW_DIR="$top_builddir/tests/node-cache"
if [ ! -d "$PW_DIR/node_modules/playwright-core" ]; then
	mkdir -p "$PW_DIR"
	npm install --prefix "$PW_DIR" --no-audit --no-fund --silent playwright-core@1.65 >"$T/npm.log" 2>&1 ||
		{ echo "Bail out! npm could not install playwright-core: $(tail -n 2 "$T/npm.log")"; exit 1; }
fi
export PW_DIR
guest_kit
check "a template of the kit" vdi_template
expect 0 'Created pool "web"' "a pool of one desktop, ready" \
	pool create web --template kit --min 1 --max 1 --spares 1 \
	--ready-marker VMTUI-GUEST-READY --timeout 300
check "PAM users in the test's own folder" vdi_pam
check "a certificate for 127.0.0.1" vdi_cert
check "vmtui serve starts with TLS" start_broker
log=$(grep -l 'hostname=web-01' "$XDG_DATA_HOME"/vmtui/logs/*-serial.log 2>/dev/null | head -n 1)
token=$(( $(date +%s) % 9000 + 1000 ))
timeout 120 node "$top_srcdir/tests/vdi-browser.js" "$URL" alice alice-pw \
	"echo web-\$((${token}+1)) >/dev/ttyS0" >"$T/browser.json" 2>"$T/browser.err"
diag "browser:" "$(cat "$T/browser.json" "$T/browser.err")"
check "the portal logs her in, hands her a desktop and opens it in noVNC" \
	sh -c "grep -q '\"typed\":true' '$T/browser.json'"
check "  ... the guest's screen is on the canvas" python3 -c "
import json
o = json.load(open('$T/browser.json'))
assert o['w'] > 100 and o['h'] > 100 and o['nonblack'] > 500, o"
check "  ... through the broker's relay (noVNC says connected)" grep -qi 'connected' "$T/browser.json"
check "what she typed reached the guest (Shift pressed for the symbols)" \
	wait_for "$log" "^web-$((token + 1))" 20
audit="$XDG_DATA_HOME/vmtui/broker/audit.log"
check "the audit log has her WebSocket ticket and connection" \
	sh -c "grep -q 'ticket user=alice desktop=web-01 kind=websocket' '$audit' &&
	       grep -q 'connect user=alice desktop=web-01' '$audit'"
kill "$BPID"
wait "$BPID"
done_testing

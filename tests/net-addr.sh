#!/bin/sh
# Guest addresses: a kit guest with a nat NIC and the agent channel shows
# 10.0.2.15 from its agent in `list` (text and JSON), `info` and the TUI's
# IP column and Network tab; a new vmtui process, which has not seen the
# agent connect yet, gets it too; a guest without the agent channel shows
# the nat NIC's fixed address at once, without waiting; a hung agent
# (qemu-ga stopped in the guest) makes no lookup wait past its bound.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/net-lib.sh"

guest_kit
token=addr$$

# source_of NAME: the source of NAME's 10.0.2.15 in `list --json` (run
# bounded), or nothing
source_of() {
	bounded list --json
	python3 - "$T/out" "$1" <<'PY'
import json, sys
for vm in json.load(open(sys.argv[1])):
    if vm["name"] == sys.argv[2]:
        for a in vm.get("addresses", []):
            if a["address"] == "10.0.2.15":
                print(a["source"])
                break
PY
}

check "create a kit guest with a nat NIC (the agent channel is the default)" create_guest a1 "$token"
expect 0 'org.qemu.guest_agent.0' "its definition has the agent channel" dumpxml a1
expect 0 'Started VM "a1"' "start it" start a1
log=$(serial_log a1)
check "it boots to its marker" wait_for "$log" "VMTUI-MARKER $token" 60
check "its DHCP client got QEMU's address" wait_for "$log" 'VMTUI-GUEST-NET eth0 ip=10.0.2.15/24' 60

# The first call of a new process: the agent connected while no vmtui held
# the engine (its status says disconnected), and libvirt refuses agent
# calls until it has seen the agent connect in this process; vmtui waits
# for that, bounded.  qemu-ga starts right after the ready line.
sleep 8
start=$(date +%s)
bounded info --json a1
took=$(($(date +%s) - start))
check "a new vmtui process gets the agent's address at its first look (info --json, ${took} s)" \
	grep -q '"address": "10.0.2.15", "prefix": 24, "family": "ipv4", "source": "agent"' "$T/out"
check "  ... within 12 s" [ "$took" -le 12 ]
grep -q '"source": "agent"' "$T/out" || diag "$(cat "$T/out" "$T/err")"

# Each `vmtui list` is a new process: bounded waits until the agent runs.
src=
i=0
while [ $i -lt 30 ]; do
	src=$(source_of a1)
	[ "$src" = agent ] && break
	sleep 2
	i=$((i + 1))
done
check "list --json: 10.0.2.15 comes from the guest agent within a bounded wait (last: ${src:-none})" \
	[ "$src" = agent ]
check "  ... each of those list runs ended in time (rc $rc)" [ "$rc" -eq 0 ]
mac=$("$VMTUI" nic list a1 --json | sed -n 's/.*"mac": "\([0-9a-f:]*\)".*/\1/p' | head -n 1)
check "  ... with the NIC's MAC ($mac), prefix and family" \
	grep -q "{\"mac\": \"$mac\", \"address\": \"10.0.2.15\", \"prefix\": 24, \"family\": \"ipv4\", \"source\": \"agent\"}" "$T/out"
check "  ... and as its \"ip\"" grep -q '"ip": "10.0.2.15"' "$T/out"
expect 0 '^a1 +running +1 +256 MiB +10\.0\.2\.15$' "list shows the address in its IP ADDRESS column" list

bounded info a1
check "info: an Addresses: line for the NIC, with the source" \
	grep -Eq '^Addresses: +10\.0\.2\.15/24 \(guest agent\)' "$T/out"
[ "$rc" -eq 0 ] || diag "$(cat "$T/out" "$T/err")"

# Without the agent channel: the nat NIC's fixed address, no waiting.
create_guest n1 "n1-$token" '' --no-agent
check "create a guest with --no-agent" grep -q 'Created VM "n1"' "$T/out"
check "  ... its definition has no agent channel" \
	sh -c "! '$VMTUI' dumpxml n1 | grep -q org.qemu.guest_agent.0"
expect 0 'Started VM "n1"' "start it" start n1
check "it boots to its marker" wait_for "$(serial_log n1)" "VMTUI-MARKER n1-$token" 60
start=$(date +%s)
bounded info --json n1
took=$(($(date +%s) - start))
check "info --json of the guest without agent: source nat (${took} s)" \
	grep -q '"address": "10.0.2.15", "prefix": 24, "family": "ipv4", "source": "nat"' "$T/out"
check "  ... without waiting for an agent (at most 4 s)" [ "$took" -le 4 ]
bounded info n1
check "info says the nat address is not reachable from the host" \
	grep -Eq '^Addresses: +10\.0\.2\.15/24 \(nat \(user-mode\), not reachable from the host\)' "$T/out"
expect 0 '^n1 +running .* 10\.0\.2\.15 \(nat\)$' "list marks it (nat)" list
check "list --json: source nat" [ "$(source_of n1)" = nat ]

# The TUI: the IP column and the Network tab, on the same two guests.
tui_session 120
see '^ . a1 +running .*10\.0\.2\.15 ' 30 "TUI: the IP column shows the agent's address"
see '^ . n1 +running .*10\.0\.2\.15 \(nat\)' 10 "TUI: and the nat address of the guest without agent, marked"
keys Tab Tab Tab
see "^  nat .*$mac +virtio +up +10\\.0\\.2\\.15/24 \\(guest agent\\)" 15 "TUI: the Network tab shows the NIC's address and its source"
keys q
see 'VMTUI-EXITED 0' 10 "TUI: q quits"

# A hung agent: connected, never answering.  Lookups end after the agent
# timeout and fall back to the nat address; the TUI stays responsive.
guest_type a1 'kill -STOP $(cat /run/qemu-ga.pid)'
start=$(date +%s)
bounded info --json a1
took=$(($(date +%s) - start))
check "with the guest's agent stopped, info ends in time (${took} s, rc $rc)" \
	[ "$rc" -eq 0 ] && [ "$took" -le 12 ]
check "  ... showing the nat address instead" \
	grep -q '"address": "10.0.2.15", "prefix": 24, "family": "ipv4", "source": "nat"' "$T/out"
start=$(date +%s)
bounded list --json
took=$(($(date +%s) - start))
check "  ... and so does list (${took} s, rc $rc)" eval '[ "$rc" -eq 0 ] && [ "$took" -le 12 ]'
tui_session 120
see '^ . a1 +running' 20 "TUI with a hung agent: the list shows"
keys Tab Tab Tab
see 'MODE +MAC +MODEL +LINK +ADDRESS' 3 "  ... and keys still work at once (Tab to the Network tab)"
keys q
see 'VMTUI-EXITED 0' 15 "  ... and q quits"
guest_type a1 'kill -CONT $(cat /run/qemu-ga.pid)'

"$VMTUI" destroy a1 >/dev/null 2>&1
"$VMTUI" destroy n1 >/dev/null 2>&1
expect 0 '^a1 +shut off +1 +256 MiB *$' "a stopped guest has no address" list
done_testing

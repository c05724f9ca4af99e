#!/bin/sh
# Desktop pools with real guests (TCG) on the embedded engine: a pool of
# kit desktops (linked clones of a template made from the kit's disk,
# each with its own seed) is made and kept at its spares; a desktop is
# ready when its guest prints the kit's marker; its state lives in the
# domain's metadata and survives a new vmtui; a desktop handed to a user
# and released is refreshed from its ready snapshot (a file written in
# the guest is gone); a kicked user's desktop goes back among the
# spares; a guest that never gets ready is retried and quarantined with
# the reason; grow, shrink, drain and delete; bad input is refused and
# changes nothing.
. "${top_srcdir:-.}/tests/lib.sh"

guest_kit
DISKS="$XDG_DATA_HOME/vmtui/disks"
POOLS="$XDG_DATA_HOME/vmtui/pools"
CMDLINE="console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda"

check "an ext4 root disk made of the kit" kit_disk "$T/root.qcow2"
expect 0 'Created VM "src"' "a VM on that disk, booted with the kit's kernel" \
	create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" \
	--memory 256M --disk "$T/root.qcow2" --no-graphics
expect 0 'Created template "kit"' "a template of it" template create kit --from-vm src

# --- bad input changes nothing --------------------------------------------
expect 2 'is not a pool name' "a bad pool name is refused" pool create '../x' --template kit
expect 3 'no template named "nosuch"|There is no template' "an unknown template is refused" \
	pool create p1 --template nosuch --no-wait
expect 2 '[-]-min 5 is more than [-]-max 2' "min above max is refused" \
	pool create p1 --template kit --min 5 --max 2 --no-wait
expect 2 'no way of assigning' "an unknown assignment is refused" \
	pool create p1 --template kit --assign sometimes --no-wait
check "  ... and no pool file was written" [ -z "$(ls -A "$POOLS" 2>/dev/null)" ]
expect 3 'There is no pool named "nope"' "info of an unknown pool says so" pool info nope

# --- a pool of 2, 1 spare ---------------------------------------------------
expect 0 'Created pool "desk" of template "kit": 2 to 4 desktops, 1 spare' \
	"pool create makes the pool and waits for its desktops" \
	pool create desk --template kit --min 2 --max 4 --spares 1 \
	--ready-marker VMTUI-GUEST-READY --timeout 300
check "  ... desk-01 and desk-02 went booting → ready" \
	sh -c "grep -q 'desk-01: booting → ready' '$T/out' && grep -q 'desk-02: booting → ready' '$T/out'"
expect 0 '^desk-01 +desk +ready' "desktop list shows desk-01 ready" desktop list
expect 0 '^desk-02 +desk +ready' "  ... and desk-02" desktop list --pool desk
expect 0 '"state": "ready"' "desktop list --json gives the states" desktop list --json
check "each desktop took its ready snapshot" sh -c \
	"'$VMTUI' desktop list --json | grep -c '\"ready_snapshot\": true' | grep -qx 2"
for n in 01 02; do
	log=$(serial_log "desk-$n")
	if wait_for "$log" "VMTUI-GUEST-NOCLOUD hostname=desk-$n" 5; then
		ok "desk-$n booted with its own host name from its seed"
	else
		not_ok "desk-$n booted with its own host name from its seed"
		diag "serial log:" "$(tail -n 15 "$log" 2>/dev/null)"
	fi
done
expect 0 '<vdi:desktop xmlns:vdi="https://vmtui.org/xmlns/desktop/1" pool="desk" state="ready"' \
	"the state is in the domain's metadata" dumpxml desk-01
expect 0 '<vdi:desktop .*state="ready"' "  ... of the definition too" dumpxml --inactive desk-01
expect 0 '^desk +kit +2-4/1 +2 +ready 2' "pool list counts the desktops by state" pool list
expect 0 'desk-02: booting -> ready' "pool info shows the last actions" pool info desk

# --- users get desktops; the pool keeps its spare --------------------------
expect 0 'Desktop "desk-01" is alice'"'"'s' "desktop assign hands the first ready desktop to alice" \
	desktop assign desk alice
expect 0 'Desktop "desk-01" is alice' "  ... and the same one again when she asks twice" \
	desktop assign desk alice
expect 0 '^desk-01 +desk +assigned +alice' "desktop list shows it assigned to alice" desktop list
check "with one desktop still free, a pass makes none" "$VMTUI" pool reconcile desk --wait
expect 0 '"desktops": 2,' "  ... the pool still has 2" pool info desk --json
expect 0 'Desktop "desk-02" is bob' "bob gets the other" desktop assign desk bob
expect 0 'desk-03: booting → ready' "pool reconcile --wait makes a third desktop as the spare" \
	pool reconcile desk --wait --timeout 300
expect 0 '"states": \{[^}]*"ready": 1, "assigned": 2' "  ... one ready, two assigned" \
	pool info desk --json
expect 0 '"users": \[\]' "  ... its users in JSON as an array (empty: everyone)" pool info desk --json

# --- the user writes a file; a release refreshes the desktop -------------
check "alice writes a file in her desktop" \
	on_guest desk-01 'echo alice-was-here >/vmtui-alice && sync && test -s /vmtui-alice' 4100
expect 0 'Released desktop "desk-01" of alice' "desktop kick alice releases her desktop" \
	desktop kick alice
check "  ... which is refreshed from its ready snapshot" grep -q 'desk-01: refreshed from its ready snapshot' "$T/out"
check "  ... and the spare beyond the pool's one is deleted" grep -q 'desk-03: deleted (more spares than the pool keeps)' "$T/out"
expect 0 '^desk-01 +desk +ready' "  ... desk-01 ready again, nobody's" desktop list
check "the file she wrote is gone, also from the disk (caches dropped)" \
	on_guest desk-01 'echo 3 >/proc/sys/vm/drop_caches && test ! -e /vmtui-alice' 4200
expect 4 'Desktop "desk-01" is ready: nobody holds it' "kicking a free desktop says nobody holds it" \
	desktop kick desk-01
expect 3 'No desktop is held by or named "carol"' "kicking a user without a desktop says so" \
	desktop kick carol

# --- the timers: a desktop nobody connects to goes back ------------------
expect 0 'Changed pool "desk"' "pool edit shortens the disconnect grace to 3 s" \
	pool edit desk --disconnect-grace 3
sleep 4
expect 0 'desk-02: assigned → releasing' "after the grace without a connection, a pass releases bob's desktop" \
	pool reconcile desk
check "  ... and refreshes it at once" grep -q 'desk-02: refreshed from its ready snapshot' "$T/out"
expect 0 'Changed pool "desk"' "  ... grace back to 300 s" pool edit desk --disconnect-grace 300

# --- grow, shrink ------------------------------------------------------------
expect 0 'is carol' "carol gets a desktop" desktop assign desk carol
expect 0 'Pool "desk" now keeps 3 to 4 desktops' "pool grow raises the minimum" pool grow desk 1
expect 0 'Pool "desk" now keeps 1 to 2 desktops' "pool shrink lowers the minimum and the maximum" \
	pool shrink desk 2
expect 0 '"desktops": 2,' "  ... leaving carol's and one spare" pool info desk --json

# --- the TUI's pools view -------------------------------------------------
command -v tmux >/dev/null || { echo "Bail out! tmux is missing (./setup.sh test installs it)"; exit 1; }
export TMUX_TMPDIR="$T"
"$VMTUI" pool reconcile desk --wait --timeout 300 >"$T/steady" 2>&1
check "the pool is steady first (its spare ready)" [ $? = 0 ]
carols=$("$VMTUI" desktop list --json | python3 -c '
import json, sys
print([d["name"] for d in json.load(sys.stdin) if d["user"] == "carol"][0])')
free=$("$VMTUI" desktop list --json | python3 -c '
import json, sys
print([d["name"] for d in json.load(sys.stdin) if not d["user"]][0])')
# row_of NAME: how many rows below the pool's its desktop is (by name)
row_of() { "$VMTUI" desktop list --pool desk | sed 1d | awk -v n="$1" '$1 == n { print NR }'; }
rc_row=$(row_of "$carols")
free_row=$(row_of "$free")
tui_session 120
see ' src +shut off' 15 "the TUI starts"
keys W
see 'Desktop pools \(1\)' 5 "W opens the pools view"
see '^ desk +kit +.*1-2 desktops, 1 spare · ready 1, assigned 1' 5 "  ... the pool's row: template, size, desktops by state"
see "^ +$carols +assigned +carol +20[0-9-]+ [0-9:]+" 5 "  ... each desktop with its state, its user and since when"
see 'Last actions of pool "desk":' 3 "  ... and the pool's last actions below"
see '\+ grow +- shrink +D drain' 3 "  ... its hint line from the action table"
i=0; while [ $i -lt "$rc_row" ]; do keys j; i=$((i + 1)); done
keys X
see "Take desktop \"$carols\" back from carol\? \[y/N\]" 5 "X asks before taking carol's desktop back"
keys n Enter
see 'Nothing was taken back' 3 "  ... and no keeps it hers"
keys g
i=0; while [ $i -lt "$free_row" ]; do keys j; i=$((i + 1)); done
keys R
see "Refresh desktop \"$free\"\? \[y/N\]" 5 "R asks before refreshing the free desktop"
keys y Enter
see "Refreshed desktop \"$free\"" 30 "  ... and refreshes it"
see "^ +$free +(ready|booting|provisioning) " 20 "  ... which shows again, ready (from its snapshot) or booting (made anew)"
keys g +
see 'Grow pool "desk" by how many desktops\?' 3 "+ asks how many desktops to add"
keys Escape q
see ' src +shut off' 5 "q goes back to the VMs"
keys q
see 'VMTUI-EXITED 0' 10 "and q quits"

# --- drain, then delete ------------------------------------------------------
expect 4 '1 desktop of pool "desk" is in use' "pool delete is refused while carol holds one" \
	pool delete desk --yes
expect 0 'Pool "desk" drains' "pool drain" pool drain desk
check "  ... deletes the free desktop at once" grep -q ': deleted (the pool drains)' "$T/out"
expect 4 'Pool "desk" drains: it hands out no desktop' "a draining pool hands out nothing" \
	desktop assign desk dave
expect 0 'Released desktop .* of carol' "carol's desktop is released" desktop kick carol
check "  ... and deleted, the pool draining" grep -q ': deleted (the pool drains)' "$T/out"
expect 0 'No desktops\.' "the drained pool has no desktop left" desktop list --pool desk
expect 2 'add --yes' "pool delete without --yes deletes nothing" pool delete desk
expect 0 'Deleted pool "desk"' "pool delete --yes" pool delete desk --yes
check "  ... its file is gone" [ ! -e "$POOLS/desk.conf" ]
nothing_left() {
	for f in "$DISKS"/desk-*; do [ -e "$f" ] && return 1; done
	! "$VMTUI" list | grep -q desk-
}
check "  ... and no desk VM, disk or seed is left" nothing_left

# --- a guest that never gets ready is quarantined --------------------------
expect 1 'bad-01: booting → quarantined' "a pool whose guest never prints the marker quarantines it" \
	pool create bad --template kit --min 1 --max 1 --spares 0 --ready-marker NEVER-PRINTED \
	--boot-timeout 10 --timeout 200
check "  ... after three starts" [ "$(grep -c 'bad-01: started' "$T/out")" = 3 ]
check "  ... and pool create fails, saying so" grep -q '1 desktop of pool "bad" is quarantined (bad-01: not ready 10 s after its start)' "$T/err"
expect 0 '^bad-01 +bad +quarantined .*not ready 10 s after its start' \
	"after 3 failures its desktop is quarantined with the reason" desktop list
expect 0 'State: +shut off' "  ... and powered off" info bad-01
expect 0 'Deleted pool "bad"' "pool delete removes the pool with its quarantined desktop" pool delete bad --yes

done_testing

#!/bin/sh
# NICs of a VM, as a user changes them: a kit guest on nat gets a second
# NIC plugged in live (the guest brings it up and gets DHCP), its cable
# pulled out and plugged in (the guest sees the carrier go and come
# back), and the NIC unplugged again; `set --net` replaces the NICs of a
# VM that is off, keeping their MACs; MACs stay unique per engine; and
# every mode that cannot work here is refused with its reason before
# anything is defined.
. "$srcdir/lib.sh"

guest_kit
tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')

# nics NAME: "MAC MODE MODEL LINK" per NIC, from nic list --json
nics() {
	"$VMTUI" nic list "$1" --json | python3 -c '
import json, sys
for n in json.load(sys.stdin):
    print(n["mac"], n["mode"], n["model"], "up" if n["link_up"] else "down")'
}
# console_says CMD REGEX DESC: types CMD on g1's serial line and waits
# for REGEX in its serial log
console_says() {
	# typed again if the first one was lost (the token makes one answer
	# as good as the other)
	if { guest_type g1 "$1" && wait_for "$log" "$2" 8; } ||
		{ guest_type g1 "$1" && wait_for "$log" "$2" 15; }; then
		ok "$3"
	else
		not_ok "$3"
		diag "log:" "$(tail -n 5 "$log" | cat -v)"
	fi
}

create_guest g1
expect 0 'nat +virtio +up' "a new VM has one nat NIC" nic list g1
check "  ... and the guest agent's channel" sh -c "'$VMTUI' dumpxml g1 | grep -q org.qemu.guest_agent.0"
mac1=$(nics g1 | awk 'NR == 1 { print $1 }')
log=$(serial_log g1)
expect 0 'Started' "start it" start g1
check "the guest gets 10.0.2.15 on eth0 by DHCP" wait_for "$log" "VMTUI-GUEST-NET eth0 ip=10.0.2.15/24 router=10.0.2.2 mac=$mac1" 60

# --- hot-plug, link state, unplug ---------------------------------------------
expect 0 'Added NIC 52:54:00:[0-9a-f:]+ on nat to VM "g1" \(live' "nic add plugs a NIC in while the guest runs" nic add g1 nat
mac2=$(sed -n 's/^Added NIC \([0-9a-f:]*\) .*/\1/p' "$T/out")
check "  ... the guest sees eth1 and gets its address" wait_for "$log" "VMTUI-GUEST-NET eth1 ip=10.0.2.15/24 .*mac=$mac2" 60
check "  ... and nic list shows it, also in the definition for the next start" \
	sh -c "'$VMTUI' nic list g1 | grep -q '^$mac2 ' && '$VMTUI' dumpxml --inactive g1 | grep -q '$mac2'"
expect 0 "The link of NIC $mac2 of VM \"g1\" is down" "nic link down pulls the cable" nic link g1 "$mac2" down
check "  ... nic list says so" sh -c "'$VMTUI' nic list g1 | grep -Eq '^$mac2 +nat +virtio +down'"
console_says "echo c-\$(($tok+1)) \$(cat /sys/class/net/eth1/carrier)" "^c-$((tok + 1)) 0" "  ... the guest sees no carrier on eth1"
expect 0 "is up" "nic link up plugs it back" nic link g1 "$mac2" up
console_says "echo c-\$(($tok+2)) \$(cat /sys/class/net/eth1/carrier)" "^c-$((tok + 2)) 1" "  ... the guest sees the carrier again"
expect 0 "Removed NIC $mac2 from VM \"g1\"" "nic remove unplugs it live" nic remove g1 "$mac2"
console_says "echo c-\$(($tok+3)) \$(ls /sys/class/net | tr '\\n' ' ')" "^c-$((tok + 3)) eth0 lo" "  ... the guest has only eth0 left"
check "  ... and the definition has it no more" sh -c "! '$VMTUI' dumpxml --inactive g1 | grep -q '$mac2'"
expect 3 "VM \"g1\" has no NIC with the MAC $mac2 \\(\`vmtui nic list g1\` lists them\\)" \
	"removing it again says there is none" nic remove g1 "$mac2"

# --- set --net on a VM that is off ----------------------------------------------
expect 0 'Forced' "force g1 off" destroy g1
expect 0 'Changed VM "g1"\.$' "set --net replaces the NICs of a shut-off VM" \
	set g1 --net nat,model=e1000 --net nat,link=down
nics g1 >"$T/nics"
check "  ... the first keeps its MAC, takes the model; the second is new, its cable out" \
	sh -c "sed -n 1p '$T/nics' | grep -qx '$mac1 nat e1000 up' && sed -n 2p '$T/nics' | grep -Eq '^52:54:00:.* nat virtio down$' && [ \$(wc -l <'$T/nics') -eq 2 ]"
expect 0 'Changed VM "g1"' "set --net none takes them all away" set g1 --net none
expect 0 'Network: +none' "  ... info says so" info g1
expect 0 'Changed' "and one nat NIC again" set g1 --net nat
mac3=$(nics g1 | awk 'NR == 1 { print $1 }')
check "  ... with a new MAC (the old one went with its NIC)" sh -c "[ -n '$mac3' ] && [ '$mac3' != '$mac1' ]"
mac1=$mac3

# --- the same from the TUI's actions ---------------------------------------------
tui_session 120
see '^ . g1 +shut off' 10 "the TUI lists g1"
keys / g1 Enter
keys N
see 'nat +NAT: reaches out' 10 "N lists the networks a NIC can be on"
keys Enter
see 'Added NIC 52:54:00:[0-9a-f:]+ on nat to VM "g1"' 10 "  ... and Enter on nat adds one"
keys Tab Tab Tab
see 'nat +52:54:00:[0-9a-f:]+ +virtio +up' 5 "  ... which the Network tab shows"
keys L
see 'Pull or plug the cable of' 5 "L asks which NIC's cable"
keys Down Enter
see 'The link of NIC 52:54:00:[0-9a-f:]+ of VM "g1" is down' 10 "  ... and pulls it out"
keys U
see 'Unplug' 5 "U asks which NIC to unplug"
keys Down Enter
see 'Unplug NIC 52:54:00:[0-9a-f:]+ of VM "g1"\? \[y/N\]' 5 "  ... then asks before it does"
keys y Enter
see 'Removed NIC 52:54:00:[0-9a-f:]+ from VM "g1"' 10 "  ... and y unplugs it"
keys q
see 'VMTUI-EXITED 0' 5 "the TUI quits"
check "g1 has one NIC again" sh -c "[ \$('$VMTUI' nic list g1 --json | grep -c '\"mac\"') -eq 1 ]"

# --- MACs unique per engine ----------------------------------------------------
expect 4 "The MAC $mac1 is in use by another NIC of this engine" "a MAC another VM has is refused" \
	create g2 --no-disk --net "nat,mac=$mac1"
expect 4 "in use" "  ... also when plugged in" nic add g1 "nat,mac=$mac1"
expect 3 'no VM named "g2"|not found|No VM' "  ... and nothing was defined" info g2

# --- what is refused, and nothing made ----------------------------------------
before=$("$VMTUI" list | wc -l)
expect 2 '"wifi" is not a network mode: use nat, lab:NAME, bridge:BRIDGE, macvtap:DEVICE, network:NAME or none' \
	"an unknown mode" create b1 --no-disk --net wifi
expect 2 'mtu= works on bridge, lab, macvtap and network NICs' "mtu on a nat NIC" create b1 --no-disk --net nat,mtu=9000
expect 2 '"mtu" must be|mtu' "an MTU out of range" create b1 --no-disk --net bridge:x,mtu=50
expect 2 'bandwidth= works on bridge, lab, macvtap and network NICs: a nat NIC has no device on the host to shape' \
	"bandwidth on a nat NIC" create b1 --no-disk --net nat,bandwidth=100
expect 2 '"speed=10" in "nat,speed=10" is no NIC setting' "an unknown setting" create b1 --no-disk --net nat,speed=10
expect 2 'not a MAC address a NIC can have' "a multicast MAC" create b1 --no-disk --net nat,mac=01:00:5e:00:00:01
expect 3 'There is no network device "vtt-nosuch" on this host' "a bridge that does not exist" \
	create b1 --no-disk --net bridge:vtt-nosuch
expect 2 '"lo" is not a bridge' "a device that is no bridge" create b1 --no-disk --net bridge:lo
expect 2 'network:default needs a libvirt daemon: the embedded engine has no network driver' \
	"a libvirt network on the embedded engine" create b1 --no-disk --net network:default
expect 3 'There is no lab network "nolab"' "a lab that does not exist" create b1 --no-disk --net lab:nolab
expect 2 '--net none means no NIC at all: give it alone' "none with another NIC" create b1 --no-disk --net none --net nat
expect 2 'Give either --net or --no-network, not both' "--net with --no-network" create b1 --no-disk --net nat --no-network
# shellcheck disable=SC2046
expect 2 'A VM has at most 16 NICs' "seventeen NICs" create b1 --no-disk $(printf -- '--net nat %.0s' $(seq 17))
expect 2 '"none" is no NIC to add' "nic add none" nic add g1 none
expect 2 'The link is up or down, not "sideways"' "a link state that is none" nic link g1 "$mac1" sideways
expect 2 'is not a MAC address' "nic remove with no MAC" nic remove g1 nonsense
check "after all of them no VM was defined" [ "$("$VMTUI" list | wc -l)" -eq "$before" ]

# Root only: a VLAN tag on a Linux bridge, in a namespace of this test's
# own (its bridge is the only one there); macvtap and bridge as another user.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
	ns="vtt-nic-$$"
	ip netns add "$ns"
	ip -n "$ns" link add vtt-br0 type bridge
	VMTUI_ENGINE_ROOT="$T/ns-e" ip netns exec "$ns" "$VMTUI" create b1 --no-disk --net bridge:vtt-br0,vlan=10 >"$T/out" 2>"$T/err"
	rc=$?
	check "a VLAN tag on a Linux bridge is refused with the reason" \
		sh -c "[ $rc -eq 1 ] && grep -q 'vlan= needs an Open vSwitch bridge: libvirt refuses VLAN tags on a Linux bridge' '$T/err'"
	[ $rc -eq 1 ] || diag "exit $rc: $(cat "$T/out" "$T/err")"
	# bandwidth= is shaped by tc: where this kernel lacks its modules,
	# refused naming them
	have_tc=yes
	for m in sch_htb sch_sfq sch_ingress cls_u32 act_police; do
		[ -d "/sys/module/$m" ] || grep -qs "/$m.ko" "/lib/modules/$(uname -r)/modules.builtin" \
			"/lib/modules/$(uname -r)/modules.dep" || have_tc=no
	done
	VMTUI_ENGINE_ROOT="$T/ns-e" ip netns exec "$ns" "$VMTUI" create b1 --no-disk --net bridge:vtt-br0,bandwidth=500 >"$T/out" 2>"$T/err"
	rc=$?
	if [ $have_tc = no ]; then
		check "bandwidth= where the kernel cannot shape is refused, naming what it lacks" \
			sh -c "[ $rc -eq 1 ] && grep -q 'bandwidth= cannot be applied on this host: libvirt shapes a NIC with tc, and this kernel lacks .*sch_sfq' '$T/err'"
	else
		check "bandwidth= is kept in the definition where tc can shape" \
			sh -c "[ $rc -eq 0 ] && VMTUI_ENGINE_ROOT='$T/ns-e' ip netns exec '$ns' '$VMTUI' nic list b1 | grep -q 'bridge:vtt-br0'" &&
			VMTUI_ENGINE_ROOT="$T/ns-e" ip netns exec "$ns" "$VMTUI" delete b1 >/dev/null 2>&1
	fi
	VMTUI_ENGINE_ROOT="$T/ns-e" ip netns exec "$ns" "$VMTUI" list --json >"$T/out" 2>&1
	check "  ... and nothing was defined" grep -qx '\[\]' "$T/out"
	ip netns del "$ns"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/u" && chown 65534:65534 "$T/u" && chmod 711 "$T"
	VMTUI_ENGINE_ROOT="$T/u/e" XDG_DATA_HOME="$T/u/data" XDG_CONFIG_HOME="$T/u/config" HOME="$T/u" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMTUI" create u1 --no-disk --net macvtap:lo >"$T/out" 2>"$T/err"
	rc=$?
	check "macvtap as another user than root is refused with the reason" \
		sh -c "[ $rc -eq 2 ] && grep -q 'A macvtap NIC needs root with the embedded engine' '$T/err'"
	[ $rc -eq 2 ] || diag "exit $rc: $(cat "$T/out" "$T/err")"
fi

done_testing

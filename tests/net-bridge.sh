#!/bin/sh
# Bridged NICs (root): in a network namespace the test makes, a bridge
# with no physical port and a dnsmasq pinned to the VM's MACs.  A kit VM
# with --net bridge:BR gets its address by DHCP, the namespace reaches its
# web server, and vmtui shows that address; a second NIC added live gets
# eth1 and its own address; link down cuts it off, up brings it back;
# a live remove takes eth1 away.  Refused: a bridge that does not exist,
# a VLAN tag on a Linux bridge, a bridge without root.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/net-lib.sh"

need_net_root
guest_kit

NS=vtt-nb$$
BR=vtt-br0
NET=10.213.9
MAC1=52:54:00:7e:09:11
MAC2=52:54:00:7e:09:12
netns_add "$NS" || { echo "Bail out! cannot make the namespace $NS"; exit 1; }
ip -n "$NS" link add "$BR" type bridge &&
	ip -n "$NS" addr add "$NET.1/24" dev "$BR" &&
	ip -n "$NS" link set "$BR" up
check "a bridge $BR with no port in namespace $NS" [ $? -eq 0 ]
check "dnsmasq serves DHCP on it, pinned per MAC" \
	dnsmasq_on "$NS" "$BR" "$NET" --dhcp-host="$MAC1,$NET.11,b1" --dhcp-host="$MAC2,$NET.12,b1b"
vmtui_in_ns "$NS"

# Refusals first: nothing may be defined by them.
expect 3 'There is no network device "nosuch" on this host' "a bridge that does not exist is refused" \
	create bad1 --no-disk --no-graphics --net bridge:nosuch
expect 3 'no VM named "bad1"' "  ... and nothing was defined" info bad1
expect 1 'vlan= needs an Open vSwitch bridge: libvirt refuses VLAN tags on a Linux bridge' \
	"a VLAN tag on a Linux bridge is refused, saying why" \
	create bad2 --no-disk --no-graphics --net "bridge:$BR,vlan=5"
expect 3 'no VM named "bad2"' "  ... and nothing was defined" info bad2
as_nobody "$NS" create bad3 --no-disk --no-graphics --net "bridge:$BR"
check "as an ordinary user a bridged NIC is refused: it needs root (rc $rc)" \
	grep -q 'A bridged NIC needs root with the embedded engine' "$T/err"
[ "$rc" -ne 0 ] || diag "$(cat "$T/out" "$T/err")"
as_nobody "$NS" list
check "  ... and nothing was defined for that user" grep -q 'No VMs yet' "$T/out"

create_guest b1 "b1-$$" vmtui.hostname=b1 --net "bridge:$BR,mac=$MAC1"
check "create a kit VM with --net bridge:$BR" grep -q 'Created VM "b1"' "$T/out"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
expect 0 "<source bridge='$BR'/>" "its NIC is on the bridge" dumpxml b1
expect 0 'Started VM "b1"' "start it" start b1
log=$(serial_log b1)
check "it boots" wait_for "$log" "VMTUI-MARKER b1-$$" 60
check "the guest gets its address from the test's dnsmasq" \
	wait_for "$log" "VMTUI-GUEST-NET eth0 ip=$NET.11/24 router=none mac=$MAC1" 60
check "the namespace reaches the guest's web server" reaches "$NS" "$NET.11" 20
found=
i=0
while [ $i -lt 30 ]; do
	bounded list --json
	grep -q "\"mac\": \"$MAC1\", \"address\": \"$NET.11\", \"prefix\": 24, \"family\": \"ipv4\", \"source\": \"agent\"" "$T/out" &&
		{ found=1; break; }
	sleep 2
	i=$((i + 1))
done
check "list --json shows the bridged address, from the agent" [ -n "$found" ]
expect 0 "^b1 +running .* $NET\\.11\$" "list shows it in the IP ADDRESS column" list

# A second NIC, live.
expect 0 "Added NIC $MAC2 on bridge:$BR to VM \"b1\" \\(live" "nic add bridge:$BR live" nic add b1 "bridge:$BR,mac=$MAC2"
expect 0 "$MAC2" "nic list shows it" nic list b1
# the kit brings up NICs plugged in later and runs DHCP on them
check "the guest has eth1 and gets its address by DHCP" \
	wait_for "$log" "VMTUI-GUEST-NET eth1 ip=$NET.12/24 router=none mac=$MAC2" 40
check "the namespace reaches the guest on the second NIC" reaches "$NS" "$NET.12" 20

# Link state.
expect 0 "The link of NIC $MAC2 of VM \"b1\" is down" "nic link down" nic link b1 "$MAC2" down
expect 0 "$MAC2 +bridge:$BR +virtio +down" "nic list says down" nic list b1
check "no connectivity with the link down" sh -c "! ip netns exec '$NS' ping -c 2 -W 1 -q $NET.12 >/dev/null 2>&1"
check "  ... the first NIC still answers" reaches "$NS" "$NET.11" 5
expect 0 "The link of NIC $MAC2 of VM \"b1\" is up" "nic link up" nic link b1 "$MAC2" up
check "connectivity is back with the link up" reaches "$NS" "$NET.12" 20

# Live remove.
expect 0 "Removed NIC $MAC2 from VM \"b1\"" "nic remove live" nic remove b1 "$MAC2"
check "nic list no longer has it" sh -c "! '$VMTUI' nic list b1 | grep -q '$MAC2'"
guest_type b1 'echo "NI""CS $(ls /sys/class/net | tr "\n" " ")"'
check "the guest no longer has eth1" wait_for "$log" '^NICS eth0 lo ' 20
check "the first NIC still works" reaches "$NS" "$NET.11" 10

expect 0 'Forced VM "b1" off' "destroy it" destroy b1
done_testing

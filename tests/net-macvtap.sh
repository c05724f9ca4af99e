#!/bin/sh
# macvtap NICs (root): a veth pair the test makes between two network
# namespaces, vmtui in one, a dnsmasq on the far end in the other.  A kit
# VM with --net macvtap:VETH gets its address from that dnsmasq and pings
# it; stopping the VM and opening the engine again does not crash (libvirt
# needs its netlink event service in the embedding process, which vmtui
# starts); the same VM starts and stops twice more.  Without root vmtui
# refuses macvtap before libvirt could crash on it.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/net-lib.sh"

need_net_root
guest_kit

NSA=vtt-ma$$
NSB=vtt-mb$$
DEV=vtt-mv0
PEER=vtt-mv1
NET=10.213.10
MAC=52:54:00:7e:0a:21
netns_add "$NSA" && netns_add "$NSB" || { echo "Bail out! cannot make the namespaces"; exit 1; }
ip link add "$DEV" netns "$NSA" type veth peer name "$PEER" netns "$NSB" &&
	ip -n "$NSA" link set "$DEV" up &&
	ip -n "$NSB" addr add "$NET.1/24" dev "$PEER" && ip -n "$NSB" link set "$PEER" up
check "a veth pair $DEV ($NSA) - $PEER ($NSB)" [ $? -eq 0 ]
check "dnsmasq serves DHCP on the far end" dnsmasq_on "$NSB" "$PEER" "$NET" --dhcp-host="$MAC,$NET.21,m1"
vmtui_in_ns "$NSA"

as_nobody "$NSA" create bad --no-disk --no-graphics --net "macvtap:$DEV"
check "as an ordinary user macvtap is refused: it needs root (rc $rc)" \
	grep -q 'A macvtap NIC needs root with the embedded engine' "$T/err"
[ "$rc" -ne 0 ] || diag "$(cat "$T/out" "$T/err")"
as_nobody "$NSA" list
check "  ... and nothing was defined for that user" grep -q 'No VMs yet' "$T/out"
expect 3 'There is no network device "nosuch" on this host' "macvtap on a device that does not exist is refused" \
	create bad2 --no-disk --no-graphics --net macvtap:nosuch

create_guest m1 "m1-$$" vmtui.hostname=m1 --net "macvtap:$DEV,mac=$MAC"
check "create a kit VM with --net macvtap:$DEV" grep -q 'Created VM "m1"' "$T/out"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
expect 0 "<interface type='direct'>" "its NIC is a macvtap (type direct)" dumpxml m1
expect 0 'Started VM "m1"' "start it" start m1
check "a macvtap device sits on $DEV" sh -c "ip -n '$NSA' -d link show type macvtap | grep -q '@$DEV'"
log=$(serial_log m1)
check "it boots" wait_for "$log" "VMTUI-MARKER m1-$$" 60
check "the guest gets its address from the dnsmasq on the far end" \
	wait_for "$log" "VMTUI-GUEST-NET eth0 ip=$NET.21/24 router=none mac=$MAC" 60
guest_type m1 "ping -c 3 -W 2 $NET.1 >/dev/null && echo \"PI\"\"NG-OK\""
check "the guest pings the far end from its serial console" wait_for "$log" '^PING-OK' 20
check "the far end reaches the guest's web server" reaches "$NSB" "$NET.21" 20

# Stop, then a new vmtui process opens the engine (its status files had
# the macvtap): no crash, the VM is off, the device is gone.
expect 0 'Forced VM "m1" off' "destroy it" destroy m1
expect 0 '^m1 +shut off' "the engine opens again after the stop (no crash) and shows it off" list
check "the macvtap device is gone" sh -c "! ip -n '$NSA' -d link show type macvtap | grep -q '@$DEV'"
for n in 2 3; do
	off=$(wc -c <"$log")
	expect 0 'Started VM "m1"' "start $n" start m1
	check "  ... it gets its address again" wait_after "$log" "$off" "VMTUI-GUEST-NET eth0 ip=$NET.21/24" 60
	expect 0 'Forced VM "m1" off' "  ... destroy $n" destroy m1
	expect 0 '^m1 +shut off' "  ... and the next vmtui opens the engine" list
done
check "no macvtap device is left" sh -c "! ip -n '$NSA' -d link show type macvtap | grep -q ."
done_testing

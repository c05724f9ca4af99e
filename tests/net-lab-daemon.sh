#!/bin/sh
# Lab networks on a daemon URI: a libvirtd of this test's own, confined to
# a private mount and network namespace (its /etc/libvirt, /run/libvirt
# and /var/lib on tmpfs), reached as qemu:///system from inside them.
# `net create` defines and starts the libvirt network vmtui-NAME
# (isolated, or NAT), provisioning registers each VM's address as a
# <dhcp><host/> with virNetworkUpdate, the VM's NIC is on that network,
# and net list/info/stop/start/delete map to libvirt's network API.  No
# guest boots.
. "${top_srcdir:-.}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "the test's libvirtd runs as root in namespaces"
for p in libvirtd unshare nsenter cc dnsmasq; do
	command -v "$p" >/dev/null || skip_all "$p is not installed"
done
QEMU_IMG=${QEMU_IMG:-qemu-img}

# libvirtd resolves "libvirt-qemu" before reading qemu.conf; a host
# without libvirt-daemon-system has no such account
cc -shared -fPIC -o "$T/shim.so" "$top_srcdir/tests/account-shim.c" -ldl || { echo "Bail out! cannot build the account shim"; exit 1; }

NS="vtld$$"
ip netns add "$NS" || { echo "Bail out! cannot make a network namespace"; exit 1; }
ip -n "$NS" link set lo up
ip netns exec "$NS" unshare -m --propagation private sh -c "
	for d in /var/lib /var/log /var/cache /etc/libvirt /run/libvirt; do mount -t tmpfs -o mode=0755 tmpfs \$d || exit 1; done
	mkdir -p /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /etc/libvirt/qemu/networks
	printf 'user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\nremember_owner = 0\nsecurity_driver = \"none\"\nnamespaces = [ ]\ncgroup_controllers = [ ]\nstdio_handler = \"file\"\n' >/etc/libvirt/qemu.conf
	exec env LD_PRELOAD='$T/shim.so' libvirtd --pid-file '$T/libvirtd.pid'" >"$T/libvirtd.log" 2>&1 &
DPID=$!
teardown() {
	kill "$DPID" 2>/dev/null
	sleep 0.5
	# the networks' dnsmasq, by the pid files of this daemon (in its mounts)
	for p in $(pgrep -f "dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/vmtui-" 2>/dev/null); do
		[ "$(readlink /proc/$p/ns/net)" = "$(ip netns exec "$NS" readlink /proc/self/ns/net)" ] && kill "$p"
	done
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
i=0
until [ -S "/proc/$DPID/root/run/libvirt/libvirt-sock" ] || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
[ -S "/proc/$DPID/root/run/libvirt/libvirt-sock" ] || { echo "Bail out! the test's libvirtd did not start: $(tail -n 3 "$T/libvirtd.log")"; exit 1; }

REAL_VMTUI=$VMTUI
cat >"$T/vmtui-d" <<EOF
#!/bin/sh
exec nsenter -t $DPID -m -n "$REAL_VMTUI" -c qemu:///system "\$@"
EOF
chmod +x "$T/vmtui-d"
VMTUI="$T/vmtui-d"
virsh_d() { nsenter -t "$DPID" -m -n virsh -c qemu:///system "$@"; }

expect 0 'No lab networks' "net list on the daemon, before any" net list
expect 0 'Created lab network "d1" \(10.77.0.0/24, isolated\), running' "net create defines and starts a libvirt network" net create d1
check "  ... named vmtui-d1, active and autostarted" sh -c "nsenter -t $DPID -m -n virsh -c qemu:///system net-info vmtui-d1 | grep -Eq '^Active: +yes' &&
	nsenter -t $DPID -m -n virsh -c qemu:///system net-info vmtui-d1 | grep -Eq '^Autostart: +yes'"
check "  ... isolated: no <forward>" sh -c "! nsenter -t $DPID -m -n virsh -c qemu:///system net-dumpxml vmtui-d1 | grep -q '<forward'"
expect 0 'Created lab network "d2" \(10.77.1.0/24, NAT\)' "a --nat lab takes the next free 10.77.N.0/24" net create d2 --nat
check "  ... with <forward mode='nat'/>" sh -c "nsenter -t $DPID -m -n virsh -c qemu:///system net-dumpxml vmtui-d2 | grep -q \"<forward mode='nat'\""
expect 4 'already exists' "a second d1 is refused" net create d1
expect 0 '^d1 +10\.77\.0\.0/24 +isolated +running' "net list shows both" net list
expect 0 '"network": "vmtui-d2"' "net list --json names the libvirt network" net list --json

"$QEMU_IMG" create -q -f qcow2 "$T/base.qcow2" 16M
expect 0 'Created template "tpl"' "a template" template create tpl --from-image "$T/base.qcow2"
expect 0 'Created VM "v2" \(address 10\.77\.0\.3 on lab network "d1"\)' "two VMs provisioned on the lab get addresses from its subnet" \
	provision tpl 'v{1..2}' --net lab:d1
mac1=$(nsenter -t "$DPID" -m -n virsh -c qemu:///system domiflist v1 | awk '/vmtui-d1/ { print $5 }')
check "  ... v1's NIC is on the network vmtui-d1 ($mac1)" [ -n "$mac1" ]
check "  ... and its address is registered as a DHCP host of the network" \
	sh -c "nsenter -t $DPID -m -n virsh -c qemu:///system net-dumpxml vmtui-d1 | grep -q \"<host mac='$mac1' name='v1' ip='10.77.0.2'/>\""
expect 0 '"vms": \[ *"v1", *"v2" *\]' "net info --json lists the VMs" net info --json d1
expect 3 'There is no lab network "nosuch"' "an unknown lab is refused" provision tpl v3 --net lab:nosuch
expect 4 'in use by VMs: "v1", "v2"' "net delete is refused while VMs are on it" net delete d1
expect 0 'Stopped lab network "d1"' "net stop destroys the network (no VM runs)" net stop d1
expect 0 '^d1 .* stopped' "  ... net list says it is stopped" net list
expect 0 'Lab network "d1" is running' "net start starts it again" net start d1
"$VMTUI" lab delete 'v*' --yes >/dev/null 2>&1
expect 0 'Deleted lab network "d1"' "with the VMs gone, net delete undefines it" net delete d1
expect 0 'Deleted lab network "d2"' "  ... and d2" net delete d2
check "  ... the daemon has no vmtui network left" sh -c "! nsenter -t $DPID -m -n virsh -c qemu:///system net-list --all --name | grep -q vmtui-"

done_testing

#!/bin/sh
# Lab networks without root: loopback segments, with real guests (TCG).
# vmtui runs as an ordinary user (uid 65534) on its own embedded engine,
# inside a network namespace this test makes (its hubs and QEMUs inherit
# it): the segments' traffic is UDP on that namespace's loopback only.
#
# `net create` as that user makes a segment; three VMs provisioned on it
# from a kit template get the addresses vmtui recorded from its hub's
# DHCP and ping each other; `net info` lists the leases and `info` the
# addresses.  A killed hub shows in `net list` and `net start` repairs
# it, the VMs reaching each other again.  A socket of another user (root
# here) neither joins the segment nor sees its frames, while one of the
# user's own does.  A NIC added to a running VM waits for its next start
# and then gets its address.  Bad input (--nat, a second NIC on the same
# segment, mtu=) is refused clearly; `net delete` is refused while VMs
# use the segment, and then leaves no hub and no file behind.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/net-lib.sh"

need_net_root
for p in mkfs.ext4 cpio; do
	command -v "$p" >/dev/null || skip_all "needs $p"
done
QEMU_IMG=${QEMU_IMG:-qemu-img}
guest_kit

NS="vtsg$$"
U="$T/u"
NETS="$U/data/vmtui/networks"
netns_add "$NS" || { echo "Bail out! cannot make a network namespace"; exit 1; }
mkdir -p "$U" && chmod 711 "$T"
cp "$GUEST_KERNEL" "$GUEST_INITRD" "$U/" && chown -R 65534:65534 "$U"
GUEST_KERNEL="$U/vmlinuz" GUEST_INITRD="$U/initrd.img"

# as_user ARGS...: ARGS run as uid 65534 in the namespace, with its
# own data, config and engine
printf '#!/bin/sh\nexec ip netns exec %s env HOME=%s XDG_DATA_HOME=%s/data XDG_CONFIG_HOME=%s/config XDG_RUNTIME_DIR=%s/run VMTUI_ENGINE_ROOT=%s/e setpriv --reuid=65534 --regid=65534 --clear-groups "$@"\n' \
	"$NS" "$U" "$U" "$U" "$U" "$U" >"$T/as-user"
chmod 755 "$T/as-user"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$T/as-user" "$VMTUI" >"$T/vmtui-user"
chmod 755 "$T/vmtui-user"
VMTUI="$T/vmtui-user"

# the hubs, by their pid files, checked to be a vmtui hub
hubs_stop() {
	for f in "$NETS"/*/hub.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "__net-hub --pid-file=$f" &&
			kill "$pid"
	done
}
trap 'hubs_stop; net_cleanup' EXIT

# hubs: the labs whose hub runs, by the pid file on their command line
hubs() {
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -o -- "__net-hub --pid-file=$NETS/[^/]*" | sed 's|.*/||'
	done | sort | tr '\n' ' '
}

# ---- a segment, as an ordinary user ------------------------------------
expect 0 'Created lab network "seg" \(10\.77\.0\.0/24, a loopback segment: its VMs reach each other, the host has no address on it\), running' \
	"as an ordinary user, net create makes a loopback segment" net create seg
check "  ... its hub runs, as that user" sh -c "[ '$(hubs)' = 'seg ' ] && [ \"\$(stat -c %u /proc/\$(cat '$NETS/seg/hub.pid'))\" = 65534 ]"
check "  ... and no bridge was made" sh -c "! ip -n '$NS' link show vtl-seg >/dev/null 2>&1"
expect 0 '^seg +10\.77\.0\.0/24 +segment +running' "net list shows it as a segment" net list
expect 0 'Kind: +a loopback segment: its hub switches on 127\.0\.0\.1:4[0-9]{4}' "net info says what it is" net info seg
expect 0 'Lab networks +loopback segments' "doctor says what an ordinary user's labs are" doctor
expect 2 'Without root a lab is a loopback segment, which has no --nat' "--nat is refused without root, saying why and what to do" \
	net create bad --nat
expect 4 'overlaps 10\.77\.0\.0/24 of lab network "seg"' "a subnet overlapping another lab is refused" \
	net create bad --subnet 10.77.0.0/16
check "  ... neither left a hub or a record" sh -c "[ '$(hubs)' = 'seg ' ] && [ ! -e '$NETS/bad' ]"
expect 2 'a loopback segment: a NIC on it takes no mtu=' "mtu= on a segment NIC is refused" \
	create bad --no-disk --net lab:seg,mtu=9000
expect 3 'There is no lab network "nosuch"' "an unknown lab is refused" create bad --no-disk --net lab:nosuch
expect 0 '^\[\]$' "  ... and no VM was defined" list --json

# ---- three VMs on it ----------------------------------------------------
mkdir "$T/root"
(cd "$T/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
: >"$T/root/.vmtui-disk"
mkfs.ext4 -q -F -d "$T/root" "$T/root.raw" 64M && "$QEMU_IMG" convert -q -f raw -O qcow2 "$T/root.raw" "$U/root.qcow2"
chown -R 65534:65534 "$U"
expect 0 'Created VM "src"' "a VM on a kit disk" create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" --memory 256M \
	--disk "$U/root.qcow2" --no-graphics --no-network
expect 0 'Created template "kit"' "a template of it" template create kit --from-vm src
expect 0 'Started VM "s3"' "three VMs provisioned on the segment start" provision kit 's{1..3}' --net lab:seg --start
cp "$T/out" "$T/prov.out"
for n in 1 2 3; do
	eval "addr$n=\$(sed -n 's/^Created VM \"s$n\" (address \\([0-9.]*\\) on lab network \"seg\")\\./\\1/p' '$T/prov.out')"
done
check "  ... each with its own address on the segment ($addr1 $addr2 $addr3)" \
	sh -c "[ '$addr1' = 10.77.0.2 ] && [ '$addr2' = 10.77.0.3 ] && [ '$addr3' = 10.77.0.4 ]"
expect 0 "<interface type='udp'>" "  ... each NIC a UDP socket on loopback" dumpxml s1
check "  ... sending to the hub, named after the lab" sh -c \
	"grep -q \"<source address='127.0.0.1' port='\$(sed -n 's/^hub-port=//p' '$NETS/seg/lab.conf')'>\" '$T/out' && grep -q \"<alias name='ua-vtl-seg'/>\" '$T/out'"
for n in 1 2 3; do
	eval "a=\$addr$n"
	log=$(serial_log "s$n")
	if wait_for "$log" "VMTUI-GUEST-NET eth0 ip=$a/24 router=none" 90; then
		ok "s$n got its recorded address $a from the hub's DHCP"
	else
		not_ok "s$n got its recorded address $a from the hub's DHCP"
		diag "serial log:" "$(tail -n 5 "$log" 2>/dev/null)" "hub log:" "$(tail -n 20 "$NETS/seg/hub.log" 2>/dev/null)" "ports:" "$(grep -h "port=" "$U"/e/etc/qemu/*.xml 2>/dev/null | tr -s " ")"
	fi
done

tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
check "s1 pings s2 at $addr2" on_guest s1 "ping -c 2 -W 3 $addr2 >/dev/null" "$tok"
check "s2 pings s3 at $addr3" on_guest s2 "ping -c 2 -W 3 $addr3 >/dev/null" "$((tok + 10))"
check "s3 pings s1 at $addr1" on_guest s3 "ping -c 2 -W 3 $addr1 >/dev/null" "$((tok + 20))"
run net info --json seg
leases_ok=1
for n in 1 2 3; do
	eval "a=\$addr$n"
	grep -q "\"address\": \"$a\"" "$T/out" || leases_ok=0
done
check "net info --json lists the three leases the hub wrote" [ "$leases_ok" = 1 ]
check "  ... and the VMs on the segment" grep -q '"vms": \[ *"s1", *"s2", *"s3" *\]' "$T/out"
expect 0 "^s2 .*$addr2" "the IP column of list shows their addresses" list

# ---- the hub: killed, repaired; members only ----------------------------
kill "$(cat "$NETS/seg/hub.pid")"
sleep 0.5
expect 0 '^seg .*stopped \(its hub is not running\)' "a killed hub shows in net list" net list
expect 0 'Lab network "seg" is running' "net start starts it again" net start seg
check "  ... s2 reaches s1 again" on_guest s2 "ping -c 2 -W 3 $addr1 >/dev/null" "$((tok + 30))"

# listen AS WHO: a socket of the user AS ("root" or "user") sends an ARP
# request to the hub, then counts the frames that reach it in 8 s while
# s1 looks for an address nobody has (ARP broadcasts, flooded to members)
hub_port=$(sed -n 's/^hub-port=//p' "$NETS/seg/lab.conf")
listen() {
	prog="$T/listen.py"
	cat >"$prog" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
arp = (b"\xff" * 6 + bytes.fromhex("0a0000000001") + b"\x08\x06" +
       bytes.fromhex("0001080006040001") + bytes.fromhex("0a0000000001") +
       socket.inet_aton("10.77.0.250") + b"\0" * 6 + socket.inet_aton("10.77.0.2"))
s.sendto(arp, ("127.0.0.1", port))
s.settimeout(0.5)
n, end = 0, time.time() + 8
while time.time() < end:
    try:
        s.recv(65536)
        n += 1
    except socket.timeout:
        pass
print(n)
PY
	if [ "$1" = root ]; then
		ip netns exec "$NS" python3 "$prog" "$hub_port" >"$T/heard" &
	else
		"$T/as-user" /usr/bin/python3 "$prog" "$hub_port" >"$T/heard" &
	fi
	lpid=$!
	sleep 0.5
	guest_type s1 "ping -c 4 -W 1 10.77.0.250 >/dev/null"
	wait "$lpid"
	heard=$(cat "$T/heard")
}
listen root
check "a socket of another user hears nothing on the segment ($heard frames)" [ "$heard" = 0 ]
check "  ... the hub says it ignored it" grep -q 'ignoring 127\.0\.0\.1:[0-9]*: not a socket of this user' "$NETS/seg/hub.log"
listen user
check "  ... while one of the user's own hears the broadcasts ($heard frames)" [ "$heard" -gt 0 ]

# ---- NICs ------------------------------------------------------------------
expect 2 'has a NIC on lab network "seg" already .*one NIC on a loopback segment' \
	"a second NIC on the same segment is refused" nic add s1 lab:seg
expect 0 'Created lab network "seg2" \(10\.77\.1\.0/24' "a second segment" net create seg2
expect 0 'Added NIC .* on lab:seg2 to VM "s1" from its next start: libvirt cannot plug a NIC on a loopback segment into a running VM' \
	"a NIC on a segment added to a running VM waits for its next start, saying why" nic add s1 lab:seg2
log=$(serial_log s1)
off=$(wc -c <"$log")
run destroy s1
expect 0 'Started VM "s1"' "  ... s1 started again" start s1
if wait_after "$log" "$off" "VMTUI-GUEST-NET eth1 ip=10\.77\.1\.[0-9]+/24" 90; then
	ok "  ... and its new NIC gets an address on the second segment"
else
	not_ok "  ... and its new NIC gets an address on the second segment"
	diag "$(tail -c +$((off + 1)) "$log" | tail -n 5)"
fi
expect 0 'lab:seg2' "  ... which nic list shows" nic list s1

# ---- deleting ----------------------------------------------------------------
expect 4 'in use by VMs: "s1", "s2", "s3"' "net delete is refused while VMs have NICs on the segment" net delete seg
expect 4 'in use by running VMs: "s1", "s2", "s3"' "so is net stop while they run" net stop seg
for n in 1 2 3; do
	"$VMTUI" delete "s$n" --force >/dev/null 2>&1
done
expect 0 'Deleted lab network "seg"' "net delete once they are gone" net delete seg
expect 0 'Deleted lab network "seg2"' "  ... and the second" net delete seg2
check "  ... no hub is left, and no file" sh -c "[ -z '$(hubs)' ] && [ -z \"\$(ls '$NETS')\" ]"
done_testing

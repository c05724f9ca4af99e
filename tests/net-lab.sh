#!/bin/sh
# Lab networks on the embedded engine, as root, with real guests (TCG).
# Everything runs in a network namespace this test makes (vmtui, its
# dnsmasq and QEMU inherit it), with a veth "uplink" into a second one
# acting as upstream (TEST-NET 198.51.100.0/24): the host's interfaces,
# routes and firewall are never touched.
#
# Three VMs provisioned from a kit template on one lab each get the
# address vmtui recorded (their serial VMTUI-GUEST-NET line), ping each
# other at those addresses, and `net info --json` lists their leases;
# `net delete` is refused while they exist and removes bridge, dnsmasq,
# table and files after.  A killed dnsmasq shows in `net list` and `net
# start` repairs it.  A --nat lab lets a guest reach a server upstream,
# masqueraded; an isolated lab does not.  Bad input (overlaps, bad CIDR,
# long names, unknown labs) is refused clearly, leaving nothing behind.
. "${top_srcdir:-.}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "lab networks on the embedded engine need root (bridges, dnsmasq, nftables)"
for p in dnsmasq nft ip mkfs.ext4 cpio xorriso python3; do
	command -v "$p" >/dev/null || skip_all "$p is not installed"
done
QEMU_IMG=${QEMU_IMG:-qemu-img}
guest_kit

NS="vtlt$$" UP="vtlu$$"
REAL_VMTUI=$VMTUI
cat >"$T/vmtui-ns" <<EOF
#!/bin/sh
exec ip netns exec $NS "$REAL_VMTUI" "\$@"
EOF
chmod +x "$T/vmtui-ns"
VMTUI="$T/vmtui-ns"
NETS="$XDG_DATA_HOME/vmtui/networks"

teardown() {
	# the labs' dnsmasq by their pid files, checked to be dnsmasq
	for f in "$NETS"/*/dnsmasq.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && grep -q dnsmasq "/proc/$pid/comm" 2>/dev/null && kill "$pid"
	done
	[ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null
	kill_guests
	ip netns del "$NS" 2>/dev/null
	ip netns del "$UP" 2>/dev/null
	cleanup
}
trap teardown EXIT

ip netns add "$NS" && ip netns add "$UP" || { echo "Bail out! cannot make network namespaces"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$UP" link set lo up
ip link add vtu0 netns "$NS" type veth peer name vtu1 netns "$UP"
ip -n "$NS" addr add 198.51.100.2/24 dev vtu0
ip -n "$UP" addr add 198.51.100.1/24 dev vtu1
ip -n "$NS" link set vtu0 up
ip -n "$UP" link set vtu1 up
ip -n "$NS" route add default via 198.51.100.1
# a route of "the host" a lab must not take
ip -n "$NS" link add vtr0 type veth peer name vtr1
ip -n "$NS" addr add 10.99.0.1/24 dev vtr0

# nothing_left DESC: no lab bridge, dnsmasq, nft table or record but those of
# the labs named after DESC
nothing_left() {
	desc=$1
	shift
	want=$(for x in "$@"; do echo "$x"; done | sort | tr '\n' ' ')
	br=$(ip -n "$NS" -o link show type bridge | sed -n 's/^[0-9]*: vtl-\([^:@]*\).*/\1/p' | sort | tr '\n' ' ')
	tb=$(ip netns exec "$NS" nft list tables | sed -n 's/^table ip vmtui-//p' | sort | tr '\n' ' ')
	rec=$(ls "$NETS" 2>/dev/null | sort | tr '\n' ' ')
	[ -n "${NL_RECORDS:-}" ] && [ "$rec" = "$NL_RECORDS " ] && rec=$want
	dq=$(for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$f" 2>/dev/null | grep -o "^dnsmasq .*--pid-file=$NETS/[^/]*" ; done |
		sed 's|.*/||' | sort | tr '\n' ' ')
	if [ "$br" = "$want" ] && [ "$tb" = "$want" ] && [ "$rec" = "$want" ] && [ "$dq" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "want: [$want]" "bridges: [$br]" "tables: [$tb]" "records: [$rec]" "dnsmasq: [$dq]"
	fi
}

# ---- bad input -------------------------------------------------------------
expect 2 'not a lab network name: 1 to 11 characters' "a name too long for a bridge is refused" \
	net create averylongname
expect 2 'not a subnet: write it as an IPv4 network and prefix' "a bad CIDR is refused" \
	net create bad --subnet 10.1.2/24
expect 2 'has host bits set: the network is 10.5.0.0/24' "a subnet with host bits is refused" \
	net create bad --subnet 10.5.0.7/24
expect 4 "overlaps the host's route 10\.99\.0\.[0-9/]* dev vtr0" "a subnet overlapping a host route is refused, naming it" \
	net create bad --subnet 10.99.0.0/16
expect 2 'is not a subnet a lab can have' "a loopback subnet is refused" net create bad --subnet 127.1.0.0/24
expect 3 'no network device "nosuch0" to be the uplink' "an uplink that does not exist is refused" \
	net create bad --nat --uplink nosuch0
nothing_left "  ... and none of them left a bridge, dnsmasq, nft table or record"
# (without root, `net create` makes a loopback segment: tests/net-segment.sh)

# ---- a lab of three VMs ----------------------------------------------------
expect 0 'Created lab network "lab1" \(10.77.0.0/24, isolated\), running' "net create makes a lab on the first free 10.77.N.0/24" \
	net create lab1
nothing_left "  ... with its bridge, dnsmasq, nft table and record" lab1
expect 4 'overlaps 10.77.0.0/24 of lab network "lab1"' "a subnet overlapping another lab is refused" \
	net create lab2 --subnet 10.77.0.128/25
nothing_left "  ... leaving nothing of it" lab1
expect 4 'already exists' "a second lab of the same name is refused" net create lab1
expect 0 '^lab1 +10\.77\.0\.0/24 +isolated +running' "net list shows it" net list
expect 0 '"name": "lab1".*"state": "running"' "net list --json" net list --json

mkdir "$T/root"
(cd "$T/root" && gzip -dc "$GUEST_INITRD" | cpio -id --quiet 2>/dev/null)
: >"$T/root/.vmtui-disk"
mkfs.ext4 -q -F -d "$T/root" "$T/root.raw" 64M && "$QEMU_IMG" convert -q -f raw -O qcow2 "$T/root.raw" "$T/root.qcow2"
expect 0 'Created VM "src"' "a VM on a kit disk" create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" --memory 256M \
	--disk "$T/root.qcow2" --no-graphics --no-network
expect 0 'Created template "kit"' "a template of it" template create kit --from-vm src

expect 3 'There is no lab network "nosuch"' "provisioning on an unknown lab is refused" \
	provision kit x1 --net lab:nosuch
expect 0 'Created VM "nat1"\.$' "a VM provisioned on nat gets no lab address" provision kit nat1 --net nat
check "  ... and the report does not claim one" sh -c "! grep -q 'address' '$T/out'"
"$VMTUI" delete nat1 --remove-disks >/dev/null 2>&1

expect 0 'Started VM "n3"' "three VMs provisioned on the lab start" provision kit 'n{1..3}' --net lab:lab1 --start
cp "$T/out" "$T/prov.out"
for n in 1 2 3; do
	eval "addr$n=\$(sed -n 's/^Created VM \"n$n\" (address \\([0-9.]*\\) on lab network \"lab1\")\\./\\1/p' '$T/prov.out')"
done
check "  ... each with its own address on the lab ($addr1 $addr2 $addr3)" \
	sh -c "[ -n '$addr1' ] && [ -n '$addr2' ] && [ -n '$addr3' ] && [ '$addr1' != '$addr2' ] && [ '$addr2' != '$addr3' ] && [ '$addr1' = 10.77.0.2 ]"
check "  ... registered with the lab's dnsmasq" grep -q "$addr3,n3" "$NETS/lab1/hosts"
for n in 1 2 3; do
	eval "a=\$addr$n"
	log=$(serial_log "n$n")
	if wait_for "$log" "VMTUI-GUEST-NET eth0 ip=$a/24 router=none" 90; then
		ok "n$n got its recorded address $a by DHCP"
	else
		not_ok "n$n got its recorded address $a by DHCP"
		diag "serial log:" "$(tail -n 5 "$log" 2>/dev/null)"
	fi
done

tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
check "n1 pings n2 at $addr2" on_guest n1 "ping -c 2 -W 3 $addr2 >/dev/null" "$tok"
check "n2 pings n3 at $addr3" on_guest n2 "ping -c 2 -W 3 $addr3 >/dev/null" "$((tok + 10))"
check "n3 pings n1 at $addr1" on_guest n3 "ping -c 2 -W 3 $addr1 >/dev/null" "$((tok + 20))"
run net info --json lab1
leases_ok=1
for n in 1 2 3; do
	eval "a=\$addr$n"
	grep -q "\"address\": \"$a\"" "$T/out" || leases_ok=0
done
check "net info --json lists the three leases from dnsmasq's lease file" [ "$leases_ok" = 1 ]
check "  ... and the VMs on the lab" grep -q '"vms": \[ *"n1", *"n2", *"n3" *\]' "$T/out"

# the TUI's list of networks for a NIC offers the lab
tui_session 120
see '^ . n1 ' 20 "the TUI lists the lab's VMs"
keys / n1 Enter N
see 'lab:lab1 +lab network: between VMs' 10 "N on n1 lists the lab among the networks"
keys Escape q
see 'VMTUI-EXITED 0' 10 "  ... and the TUI quits"

# the address a VM on the lab shows: the agent's when the guest has one,
# else the lab's lease
run info --json n1
check "info shows n1's address on the lab" grep -q "\"address\": \"$addr1\", \"prefix\": 24" "$T/out"
create_guest nl nl '' --no-agent --net lab:lab1 --start
check "a VM on the lab without the guest agent" grep -q 'Started VM "nl"' "$T/out"
if wait_for "$(serial_log nl)" "VMTUI-GUEST-NET eth0 ip=10\.77\.0\.[0-9]+/24" 90; then
	nl_addr=$(tr -d '\r' <"$(serial_log nl)" | sed -n 's/^VMTUI-GUEST-NET eth0 ip=\([0-9.]*\)\/24.*/\1/p' | tail -n 1)
	ok "  ... gets an address from the lab's pool ($nl_addr)"
else
	nl_addr=none
	not_ok "  ... gets an address from the lab's pool"
fi
run info --json nl
check "  ... which info shows from the lab's lease" \
	grep -q "\"address\": \"$nl_addr\", \"prefix\": 24, \"family\": \"ipv4\", \"source\": \"lab\"" "$T/out"
expect 0 "^nl .*$nl_addr" "  ... and the IP column of list" list
"$VMTUI" delete nl --force >/dev/null 2>&1

expect 4 'in use by VMs: "n1", "n2", "n3"' "net delete is refused while VMs have NICs on the lab" net delete lab1
expect 4 'in use by running VMs: "n1", "n2", "n3"' "so is net stop while they run" net stop lab1

# ---- a dnsmasq that died ------------------------------------------------------
kill -9 "$(cat "$NETS/lab1/dnsmasq.pid")"
sleep 0.5
expect 0 '^lab1 .*dnsmasq not running \(vmtui net start repairs it\)' "net list shows a lab whose dnsmasq died" net list
expect 0 'Lab network "lab1" is running' "net start repairs it" net start lab1
expect 0 '^lab1 .* running$' "  ... net list says so" net list
nothing_left "  ... with one dnsmasq again" lab1
# so does any start of a VM on it (vm_start's hook, whatever path starts it)
kill -9 "$(cat "$NETS/lab1/dnsmasq.pid")"
sleep 0.5
expect 0 'Forced VM "n1" off' "with the dnsmasq dead again, n1 is forced off" destroy n1
expect 0 'Started VM "n1"' "  ... and started" start n1
expect 0 '^lab1 .* running$' "  ... which brought its lab up first" net list
nothing_left "  ... with one dnsmasq" lab1

# ---- NAT out of a lab -------------------------------------------------------------
mkdir "$T/www" && echo VMTUI-UPSTREAM >"$T/www/index.html"
ip netns exec "$UP" python3 -m http.server 8080 --bind 198.51.100.1 --directory "$T/www" >"$T/http.log" 2>&1 &
HTTP_PID=$!
expect 0 'Created lab network "out" \(10.78.0.0/24, NAT\)' "a --nat lab with an uplink" \
	net create out --subnet 10.78.0.0/24 --nat --uplink vtu0
check "  ... its table masquerades out of the uplink" \
	sh -c "ip netns exec '$NS' nft list table ip vmtui-out | grep -q 'oifname \"vtu0\" masquerade'"
expect 0 'Started VM "w1"' "a VM on it" provision kit w1 --net lab:out --start
if wait_for "$(serial_log w1)" "VMTUI-GUEST-NET eth0 ip=10.78.0.2/24 router=10.78.0.1" 90; then
	ok "  ... gets its address and the lab's gateway as router"
else
	not_ok "  ... gets its address and the lab's gateway as router"
	diag "$(tail -n 5 "$(serial_log w1)")"
fi
check "the guest reaches the server upstream" \
	on_guest w1 "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 198.51.100.1 8080 | grep -q VMTUI-UPSTREAM" "$((tok + 30))"
check "  ... masqueraded: the server saw the uplink's address" grep -q '^198\.51\.100\.2 ' "$T/http.log"
check "a guest on the isolated lab does not" \
	on_guest n1 "! printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc 198.51.100.1 8080 | grep -q VMTUI" "$((tok + 40))"

# ---- taking it all down -------------------------------------------------------------
for v in n1 n2 n3 w1; do "$VMTUI" delete "$v" --force --remove-disks >/dev/null 2>&1; done
expect 0 'Deleted lab network "lab1"' "with its VMs gone, net delete removes the lab" net delete lab1
expect 0 'Stopped lab network "out"' "net stop takes a lab down" net stop out
expect 0 '^out .*stopped' "  ... net list says it is stopped" net list
NL_RECORDS=out nothing_left "  ... leaving its record only: no bridge, dnsmasq or nft table"
expect 0 'Deleted lab network "out"' "net delete removes it" net delete out
nothing_left "no bridge, dnsmasq, nft table or lab file is left"
expect 3 'There is no lab network "out"' "a deleted lab is gone" net info out

# ---- a create that did not finish ------------------------------------------------
"$VMTUI" net create k1 >/dev/null 2>&1
sed -i 's/^complete=true/complete=false/' "$NETS/k1/lab.conf"
expect 0 '^k1 .*incomplete \(vmtui net delete removes it\)' "net list shows a lab whose create did not finish" net list
expect 0 'Deleted lab network "k1"' "  ... net delete removes it" net delete k1
nothing_left "  ... with all it had"
# vmtui killed at some point of a create: whatever it left, net delete sweeps
"$VMTUI" net create k2 >/dev/null 2>&1 &
kpid=$!
sleep 0.8
kill -9 "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
if [ -e "$NETS/k2" ]; then
	"$VMTUI" net delete k2 >"$T/out" 2>&1
	diag "killed create left a record: $(cat "$T/out")"
else
	ip -n "$NS" link del vtl-k2 2>/dev/null && diag "killed create left a bridge without a record"
fi
nothing_left "a create killed midway leaves nothing after net delete"

done_testing

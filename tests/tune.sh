#!/bin/sh
# Tuning a running kit guest with `set`, seen from inside it over the
# serial line: I/O limits on a disk (a direct read is throttled, the
# limit is live and in the definition, kept across a restart), the
# balloon down and up in /proc/meminfo, a vCPU hot-plugged up to the
# maximum and unplugged, pinning, NUMA binding; huge pages refused with
# what to do when the host has none; shares and quotas refused on the
# embedded engine; bad input refused with nothing changed.
. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null || { echo "Bail out! python3 is missing (./setup.sh test installs it)"; exit 1; }
guest_kit

check "create guest u with 1 vCPU of at most 2" create_guest u u "" --vcpus 1
expect 0 'Changed VM "u"\.' "set --max-vcpus 2, shut off" set u --max-vcpus 2
expect 0 '^vCPUs: +1$' "  ... it keeps 1 vCPU" info u
expect 0 '^Max vCPUs: +2$' "  ... with room for 2" info u
expect 0 'Added disk vda' "a data disk to limit" disk add u --size 16M
expect 0 'Started VM "u"' "it starts" start u
log=$(serial_log u)
check "  ... and boots" wait_for "$log" 'VMTUI-GUEST-READY' 60

# I/O limits: 4 MiB read with O_DIRECT at 1 MiB/s takes about 4 s
# (0.03 s without); the guest prints how long it took, in 1/100 s
read_time() {
	tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
	guest_type u "s=\$(cut -d' ' -f1 /proc/uptime); dd if=/dev/vda of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null; e=\$(cut -d' ' -f1 /proc/uptime); echo READ-$tok \$s \$e" || return 1
	wait_for "$log" "^READ-$tok " 40 || return 1
	sed -n "s/^READ-$tok \\([0-9.]*\\) \\([0-9.]*\\).*/\\1 \\2/p" "$log" | tail -n 1 |
		awk '{ printf "%d\n", ($2 - $1) * 100 }'
}
expect 0 'Changed VM "u"\.' "set --iotune vda:total-bytes=1M, live" set u --iotune vda:total-bytes=1M
expect 0 '^I/O limits: +vda total-bytes=1\.0 MiB/s$' "info shows the limit" info u
t=$(read_time)
check "  ... a 4 MiB direct read in the guest takes over 2 s (took ${t:-?}/100 s)" [ "${t:-0}" -gt 200 ]
expect 0 'Changed VM "u"\.' "set --iotune vda:read-iops=50 keeps the byte limit" set u --iotune vda:read-iops=50
expect 0 '^I/O limits: +vda total-bytes=1\.0 MiB/s read-iops=50/s$' "  ... both are live" info u
check "  ... and both in the definition" sh -c "'$VMTUI' dumpxml u --inactive | tr -d ' \n' | grep -q '<iotune><total_bytes_sec>1048576</total_bytes_sec><read_iops_sec>50</read_iops_sec></iotune>'"

# the balloon: the guest's MemTotal follows
memtotal() {
	tok=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
	guest_type u "echo MEM-$tok \$(sed -n 's/^MemTotal: *\\([0-9]*\\).*/\\1/p' /proc/meminfo)" || return 1
	wait_for "$log" "^MEM-$tok " 30 || return 1
	sed -n "s/^MEM-$tok \\([0-9]*\\).*/\\1/p" "$log" | tail -n 1
}
m0=$(memtotal)
expect 0 'Changed VM "u"\.' "set --memory 128M, running: the balloon" set u --memory 128M
sleep 2
m1=$(memtotal)
check "  ... the guest's MemTotal drops by about 128 MiB (${m0:-?} -> ${m1:-?} KiB)" \
	[ -n "$m0" ] && [ -n "$m1" ] && [ $((m0 - m1)) -gt 120000 ]
expect 0 '^Balloon: +128\.0 MiB' "info shows the balloon" info u
expect 0 '"actual_kib": 131072' "  ... and info --json" info u --json
expect 2 'more than the maximum of 256 MiB' "more than the maximum while running is refused" set u --memory 512M --max-memory 256M
expect 0 'Changed VM "u"\.' "set --memory 256M gives it back" set u --memory 256M
sleep 2
m2=$(memtotal)
check "  ... MemTotal is back (${m2:-?} KiB)" eval '[ -n "$m2" ] && [ "$m2" -gt $((m1 + 120000)) ]'

# vCPU hot-plug: the guest sees the new vCPU and takes it online
expect 0 'Changed VM "u"\.' "set --vcpus 2, running: hot-plug" set u --vcpus 2
check "  ... the guest has a second CPU and takes it online" \
	on_guest u "[ -e /sys/devices/system/cpu/cpu1 ] && echo 1 >/sys/devices/system/cpu/cpu1/online && grep -q '^0-1\$' /sys/devices/system/cpu/online" 41
expect 0 '^vCPUs: +2$' "info shows 2 vCPUs" info u
expect 0 'takes effect at its next start' "set --vcpus 3 (above the maximum) waits for a restart" set u --vcpus 3 --max-vcpus 3
expect 0 '^vCPUs: +2$' "  ... the running guest keeps 2" info u
# an unplug the guest finishes after libvirt's 5 s fails with status 6
# and says to ask again, which then settles it
"$VMTUI" set u --vcpus 1 --max-vcpus 2 >"$T/out" 2>&1
rc=$?
check "set --vcpus 1 --max-vcpus 2: unplug (status $rc: 0, or 6 saying to ask again)" \
	sh -c "[ $rc = 0 ] || { [ $rc = 6 ] && grep -q 'did not release its vCPU within 5 seconds.*again tells' '$T/out'; }"
expect 0 'Changed VM "u"\.' "  ... asked again, it is done" set u --vcpus 1
expect 0 '^vCPUs: +1$' "  ... info shows 1 vCPU" info u
check "  ... the guest has one CPU again" on_guest u "[ \$(cat /sys/devices/system/cpu/online) = 0 ]" 43

# pinning and NUMA
last=$(($(nproc) - 1))
expect 0 'Changed VM "u"\.' "set --vcpupin 0:$last --emulatorpin 0, live" set u --vcpupin "0:$last" --emulatorpin 0
expect 0 "^vCPU pinning: +0:$last\$" "  ... info shows the vCPU's pin" info u
expect 0 '^Emulator pin: +0$' "  ... and the emulator's" info u
qpid=$(qemu_pid u)
check "  ... QEMU's vCPU thread runs on CPU $last only" sh -c "
	for t in /proc/$qpid/task/*; do
		grep -q 'CPU 0/TCG' \$t/comm 2>/dev/null || continue
		grep -q '^Cpus_allowed_list:[[:space:]]*$last\$' \$t/status && exit 0
	done; exit 1"
expect 0 'Changed VM "u"\.' "set --vcpupin 0:all unpins it, live" set u --vcpupin 0:all
check "  ... info shows no pin" sh -c "! '$VMTUI' info u | grep -q 'vCPU pinning'"
expect 0 'Changed VM "u"\.' "  ... pinned again" set u --vcpupin "0:$last"
expect 2 'CPU 999 does not exist' "a host CPU that does not exist is refused" set u --vcpupin 0:999
expect 2 'has no vCPU 5' "a vCPU that does not exist is refused" set u --vcpupin 5:0
expect 2 'no CPU list' "a bad CPU list is refused" set u --emulatorpin 1-x
expect 0 'takes effect at its next start' "set --numa 0 binds its memory from the next start" set u --numa 0
check "  ... in the definition" sh -c "'$VMTUI' dumpxml u --inactive | grep -q \"<memory mode='strict' nodeset='0'/>\""
expect 2 'NUMA node 7 does not exist' "a NUMA node that does not exist is refused" set u --numa 7

# a restart keeps it all
expect 0 'Forced VM "u" off' "force it off" destroy u
expect 0 'Started VM "u"' "start it again" start u
check "  ... and it boots" wait_for "$log" 'VMTUI-GUEST-READY' 60
expect 0 '^I/O limits: +vda total-bytes=1\.0 MiB/s read-iops=50/s$' "the I/O limits are live again" info u
expect 0 "^vCPU pinning: +0:$last\$" "  ... and the pin" info u
expect 0 '^NUMA nodes: +0$' "  ... and the NUMA binding" info u
check "  ... and QEMU's memory is bound to node 0" sh -c "grep -q 'host-nodes.:\\[0\\],.policy.:.bind' '$VMTUI_ENGINE_ROOT'/log/qemu/u.log"
expect 0 'Changed VM "u"\.' "set --iotune vda:read-bytes=2M replaces the total (libvirt takes one or the other)" \
	set u --iotune vda:read-bytes=2M
expect 0 '^I/O limits: +vda read-bytes=2\.0 MiB/s read-iops=50/s$' "  ... info shows the read limit alone" info u
expect 0 'Changed VM "u"\.' "set --iotune vda:none lifts the limits" set u --iotune vda:none
check "  ... info shows none" sh -c "! '$VMTUI' info u | grep -q 'I/O limits'"

# huge pages: the preflight says what is missing
if grep -q hugetlbfs /proc/mounts; then
	ok "# SKIP hugetlbfs is mounted on this machine: the not-mounted message cannot be seen"
else
	expect 4 'Huge pages need a hugetlbfs file system, and none is mounted.*mount -t hugetlbfs' \
		"set --hugepages on without hugetlbfs says how to mount one" set u --hugepages on
fi
check "  ... nothing changed" sh -c "! '$VMTUI' dumpxml u --inactive | grep -q hugepages"

# huge pages for real, as root: a hugetlbfs in mount namespaces of the
# test's own (each vmtui through a wrapper; a guest's QEMU keeps its
# namespace) and pages reserved for the time of the test only
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	ok "# SKIP huge pages need root to reserve pages and mount a hugetlbfs (unshare from util-linux)"
else
	pages0=$(cat /proc/sys/vm/nr_hugepages)
	trap 'echo "$pages0" >/proc/sys/vm/nr_hugepages; cleanup' EXIT
	hfree() { sed -n 's/^HugePages_Free: *//p' /proc/meminfo; }
	mkdir "$T/huge"
	cat >"$T/vmtui-huge" <<HUGE
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t hugetlbfs -o pagesize=2M hugetlbfs "\$0" && exec "\$@"' '$T/huge' '$VMTUI' "\$@"
HUGE
	chmod +x "$T/vmtui-huge"
	plain=$VMTUI
	VMTUI=$T/vmtui-huge
	if [ "$(hfree)" -lt 128 ]; then
		expect 4 'needs 128 free pages of 2048 KiB, and the host has [0-9]+ free.*nr_hugepages' \
			"set --hugepages on with too few free pages says how many" set u --hugepages on
	else
		ok "# SKIP this host has $(hfree) free huge pages already: too few cannot be shown"
	fi
	echo $((pages0 + 140)) >/proc/sys/vm/nr_hugepages
	expect 0 'takes effect at its next start' "with 140 pages reserved, set --hugepages on" set u --hugepages on
	expect 0 'Forced VM "u" off' "force it off" destroy u
	echo "$pages0" >/proc/sys/vm/nr_hugepages
	if [ "$(hfree)" -lt 128 ]; then
		expect 4 'VM "u" cannot start: Huge pages: the VM needs 128 free pages' \
			"a start without the pages is refused by the preflight, saying why" start u
	fi
	echo $((pages0 + 140)) >/proc/sys/vm/nr_hugepages
	f0=$(hfree)
	expect 0 'Started VM "u"' "with the pages back, it starts" start u
	check "  ... and boots" wait_for "$log" 'VMTUI-GUEST-READY' 60
	f1=$(hfree)
	check "  ... on 128 huge pages (free: $f0 -> $f1)" [ $((f0 - f1)) -ge 128 ]
	VMTUI=$plain
	expect 0 '^Huge pages: +yes$' "info shows it" info u
	expect 0 'Forced VM "u" off' "force it off" destroy u
	sleep 0.5
	check "  ... the pages are free again ($(hfree))" [ "$(hfree)" -ge "$f0" ]
	expect 0 'Changed VM "u"\.' "set --hugepages off" set u --hugepages off
	echo "$pages0" >/proc/sys/vm/nr_hugepages
	expect 0 'Started VM "u"' "  ... it starts without them" start u
fi

# shares and quotas need cgroups
expect 4 'CPU shares and quotas need cgroups.*embedded engine' "set --cpu-shares on the embedded engine says why not" \
	set u --cpu-shares 512
expect 2 'from 1 to 100, not "150"' "a quota above 100 % is refused" set u --cpu-quota 150

# bad input: refused, nothing changed
"$VMTUI" dumpxml u --inactive >"$T/before.xml"
expect 3 'has no disk vdz' "--iotune on a disk it does not have" set u --iotune vdz:read-iops=5
expect 2 'is no I/O limit' "--iotune without a limit" set u --iotune vda
expect 2 '"speed=5" is no I/O limit' "--iotune with an unknown limit" set u --iotune vda:speed=5
expect 2 'on or off' "--hugepages maybe" set u --hugepages maybe
check "  ... the definition is unchanged" sh -c "'$VMTUI' dumpxml u --inactive | cmp -s - '$T/before.xml'"

expect 0 'Forced VM "u" off' "force it off" destroy u
done_testing

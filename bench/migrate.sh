#!/bin/sh
# bench/migrate.sh — live migration of a running 256 MiB guest between two
# libvirt hosts: `vmtui migrate VM HOST --live` against `virsh migrate
# --live` with the same flags and the same data address, in the same run.
#
# Usage: bench/migrate.sh [PATH/TO/vmtui]      (default ./vmtui)
#        RUNS=5 bench/migrate.sh ./vmtui
#
# The two hosts are those of the tests (tests/hosts-lib.sh): network,
# mount and UTS namespaces joined by a veth pair, each with its own
# libvirtd and sshd, reached as qemu+ssh:// from the first namespace.
# The guest is the test kit (kernel and initramfs, no disk: shared
# storage).  Each round moves it there and back, once with each tool, so
# both go both ways; the tool that starts alternates.  Both open their two
# connections over ssh and manage the migration themselves (no --p2p).
#
# Prints the median of the RUNS rounds' wall time (the command, its ssh
# connections included), libvirt's own elapsed time and the guest's
# downtime (domjobinfo --completed on the destination, for both), and the
# ratios vmtui / virsh.  Asserts no timing.  Needs root.
set -eu

BENCH=migrate
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

BIN=$(cd "$(dirname "${1:-./vmtui}")" && pwd)/$(basename "${1:-./vmtui}")
RUNS=${RUNS:-5}
positive RUNS "$RUNS"
[ "$(id -u)" = 0 ] || die "needs root (namespaces, libvirtd)"
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$(dirname "$BIN")
VMTUI=$BIN
# the tests' helpers run without -e: their clean-up on exit goes on
# past a kill that finds nothing
set +eu
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hosts-lib.sh"
set -u
hosts_up >/dev/null
guest_kit
tmp=$T
"$T/vmtui-c" host add a "$URI_A" --no-check >/dev/null
"$T/vmtui-c" host add b "$URI_B" --no-check >/dev/null
VMTUI=$T/vmtui-a
kit_create m m "" --no-graphics || die "cannot create the guest: $(cat "$T/err")"
"$T/vmtui-a" start m >/dev/null || die "cannot start the guest"
sleep 10
# virsh from where vmtui runs (the first namespace, /root bound as for it)
cat >"$T/virsh-c" <<EOF
#!/bin/sh
exec ip netns exec ${HOSTS_NS}a unshare -m --propagation private sh -c 'mount --bind "\$0" /root && exec virsh "\$@"' "$T/home" "\$@"
EOF
chmod +x "$T/virsh-c"

now_ms() { date +%s%3N; }
# one TOOL FROM TO: one migration of m; appends "TOOL wall elapsed downtime"
one() {
	eval "src=\$URI_$(echo "$2" | tr a-z A-Z)"
	eval "dst=\$URI_$(echo "$3" | tr a-z A-Z)"
	addr=10.201.0.$([ "$3" = a ] && echo 1 || echo 2)
	t0=$(now_ms)
	if [ "$1" = vmtui ]; then
		"$T/vmtui-$2" migrate m "$3" --live --persistent --undefine-source >/dev/null ||
			die "vmtui migrate $2 -> $3 failed"
	else
		"$T/virsh-c" -q -c "$src" migrate --live --persistent --undefinesource m "$dst" \
			"tcp://$addr" --listen-address "$addr" >/dev/null || die "virsh migrate $2 -> $3 failed"
	fi
	t1=$(now_ms)
	info=$(virsh_on "$3" domjobinfo --completed m)
	el=$(echo "$info" | awk -F: '/^Time elapsed:/ { print $2 + 0 }')
	dt=$(echo "$info" | awk -F: '/^Total downtime:/ { print $2 + 0 }')
	echo "$1 $((t1 - t0)) $el $dt" >>"$T/runs"
}
: >"$T/runs"
r=0
while [ $r -lt "$RUNS" ]; do
	if [ $((r % 2)) = 0 ]; then
		one vmtui a b; one virsh b a; one virsh a b; one vmtui b a
	else
		one virsh a b; one vmtui b a; one vmtui a b; one virsh b a
	fi
	r=$((r + 1))
done
med() {
	awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$T/runs" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
printf '%s: %s rounds of 2 migrations each way per tool, a 256 MiB guest over ssh%s\n' "$BENCH" "$RUNS" "$(load_average)"
printf '%-24s %10s %10s %8s\n' "median of" vmtui virsh ratio
for c in "2 wall time (ms)" "3 libvirt elapsed (ms)" "4 downtime (ms)"; do
	col=${c%% *} what=${c#* }
	a=$(med vmtui "$col") b=$(med virsh "$col")
	printf '%-24s %10s %10s %8s\n' "$what" "$a" "$b" "$(ratio "$a" "$b")"
done

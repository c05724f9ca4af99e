#!/bin/sh
# bench/net-lab.sh — bringing up a lab network for 20 VMs: vmtui against
# the same done by hand with ip and dnsmasq, in the same run.
#
# Usage: bench/net-lab.sh [PATH/TO/vmtui]      (default ./vmtui)
#        N=20 RUNS=5 bench/net-lab.sh ./vmtui
#
# Everything runs as root in a network namespace the script makes and
# removes (vmtui, dnsmasq and the bridges live there only):
#
#   A. vmtui net create: bridge vtl-NAME, its address, the nftables
#      table, the hosts file and dnsmasq, until dnsmasq has bound
#   B. vmtui registering N VMs: `provision TPL 'b-{01..N}' --net lab:NAME`
#      less the same provisioning on nat (`--net nat`), i.e. what the lab
#      adds: the address plan and the hosts file with one SIGHUP
#   C. by hand: ip link add/addr/up, dnsmasq with the same options and a
#      hosts file of N lines written by the shell, a SIGHUP
#
# Prints the median of RUNS rounds of A, B, A+B and C in milliseconds
# and the ratio (A+B)/C.  Asserts no timing.  Needs root, dnsmasq, nft,
# qemu-img.
set -eu

BENCH=net-lab
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=$(cd "$(dirname "${1:-./vmtui}")" && pwd)/$(basename "${1:-./vmtui}")
N=${N:-20}
RUNS=${RUNS:-5}
QEMU_IMG=${QEMU_IMG:-qemu-img}
positive N "$N"
positive RUNS "$RUNS"
[ "$(id -u)" = 0 ] || die "needs root (bridges, dnsmasq, nftables)"
for p in dnsmasq nft ip "$QEMU_IMG" python3; do
	command -v "$p" >/dev/null || die "$p is missing"
done

tmp=$(mktemp -d /tmp/vtb.XXXXXX)
NS="vtlb$$"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" VMTUI_ENGINE_ROOT="$tmp/e" VMTUI_ACCEL=tcg
unset VMTUI_URI VMTUI_CONFIG
finish() {
	set +e
	labs_stop "$tmp/data"
	pid=$(cat "$tmp/hand/pid" 2>/dev/null)
	[ -n "$pid" ] && grep -q dnsmasq "/proc/$pid/comm" 2>/dev/null && kill "$pid"
	ip netns del "$NS" 2>/dev/null || :
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT TERM HUP
ip netns add "$NS"
ip -n "$NS" link set lo up
V() { ip netns exec "$NS" "$VMTUI" "$@"; }
now() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }

"$QEMU_IMG" create -q -f qcow2 "$tmp/base.qcow2" 16M
V template create tpl --from-image "$tmp/base.qcow2" >/dev/null || die "cannot make a template"

: >"$tmp/results"
for r in $(seq 1 "$RUNS"); do
	t0=$(now)
	V net create bl --subnet 10.77.9.0/24 >/dev/null || die "net create failed"
	t1=$(now)
	V provision tpl "b-{01..$N}" --net lab:bl >/dev/null || die "provision on the lab failed"
	t2=$(now)
	V provision tpl "c-{01..$N}" --net nat >/dev/null || die "provision on nat failed"
	t3=$(now)
	[ "$(wc -l <"$XDG_DATA_HOME/vmtui/networks/bl/hosts")" = "$N" ] || die "the hosts file lacks VMs"
	V lab delete 'b-*' --yes >/dev/null
	V lab delete 'c-*' --yes >/dev/null
	V net delete bl >/dev/null || die "net delete failed"

	# the same by hand
	h="$tmp/hand"
	mkdir -p "$h"
	t4=$(now)
	ip netns exec "$NS" sh -c "
		ip link add vtl-hand type bridge && ip addr add 10.77.9.1/24 dev vtl-hand && ip link set vtl-hand up &&
		: >'$h/hosts' &&
		dnsmasq --conf-file=/dev/null --port=0 --no-resolv --no-hosts --bind-interfaces --interface=vtl-hand \
			--except-interface=lo --dhcp-range=10.77.9.192,10.77.9.254,255.255.255.0,1h --dhcp-authoritative \
			--dhcp-leasefile='$h/leases' --pid-file='$h/pid' --log-facility='$h/log' \
			--dhcp-hostsfile='$h/hosts' --user=root --group=root --dhcp-option=3 &&
		i=1; while [ \$i -le $N ]; do printf '52:54:00:00:09:%02x,10.77.9.%d,h-%d\n' \$i \$((i + 1)) \$i; i=\$((i + 1)); done >'$h/hosts' &&
		kill -HUP \$(cat '$h/pid')" || die "the hand-made lab failed"
	t5=$(now)
	kill "$(cat "$h/pid")"
	ip -n "$NS" link del vtl-hand
	rm -rf "$h"
	echo "$r $((t1 - t0)) $((t2 - t1 - (t3 - t2))) $((t2 - t0 - (t3 - t2))) $((t5 - t4)) $((t3 - t2))" >>"$tmp/results"
done

median() { # COLUMN
	awk -v c="$1" '{ print $c }' "$tmp/results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
A=$(median 2) B=$(median 3) AB=$(median 4) C=$(median 5) P=$(median 6)
echo "net-lab: a lab for $N VMs, median of $RUNS rounds$(load_average)"
printf '  %-52s %6s ms\n' "A. vmtui net create (bridge, rules, dnsmasq)" "$A" \
	"B. vmtui registering $N VMs (lab less nat provision)" "$B" \
	"   (provisioning $N VMs on nat, for reference)" "$P" \
	"A+B. vmtui, lab up with $N hosts" "$AB" \
	"C. by hand: ip link + dnsmasq + $N-line hosts file + HUP" "$C"
printf '  ratio (A+B)/C: %s\n' "$(ratio "$AB" "$C" 2)"

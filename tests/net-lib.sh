# net-lib.sh — sourced by the network tests after lib.sh (POSIX sh).
#
# The tests run vmtui, and so its embedded engine and every QEMU, inside
# a network namespace they make (QEMU inherits it): bridges, veths, taps
# and macvtaps exist only there, and so does all traffic.  No physical
# port is ever involved.  On exit, however the test ends, the guests are
# killed by the PIDs their engine wrote, the daemons the test started by
# their PIDs, and the namespaces by name (which takes every device in
# them along), before lib.sh removes the test's tree.

# need_net_root: skips the whole test unless it can make namespaces
need_net_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root: it makes network namespaces, bridges and veths"
	for p in ip dnsmasq setpriv python3; do
		command -v "$p" >/dev/null || skip_all "needs $p"
	done
}

NET_NS=
# netns_add NAME: a new network namespace with lo up, deleted on exit
netns_add() {
	ip netns add "$1" || return 1
	NET_NS="$NET_NS $1"
	ip -n "$1" link set lo up
}

net_cleanup() {
	kill_guests
	for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	for ns in $NET_NS; do ip netns del "$ns" 2>/dev/null; done
	cleanup
}
trap net_cleanup EXIT

# vmtui_in_ns NS: from now on $VMTUI is vmtui run inside namespace NS
vmtui_in_ns() {
	real=${VMTUI_REAL:-$VMTUI}
	VMTUI_REAL=$real
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$1" "$real" >"$T/vmtui-$1"
	chmod 755 "$T/vmtui-$1"
	VMTUI="$T/vmtui-$1"
}

# dnsmasq_on NS IFACE PREFIX [--dhcp-host=... ...]: a DHCP server (no DNS)
# on IFACE in NS for PREFIX.100-199 (PREFIX is "10.213.9"), its lease file,
# log and pid file in $T/dnsmasq-IFACE.*
dnsmasq_on() {
	ns=$1 ifc=$2 net=$3
	shift 3
	ip netns exec "$ns" dnsmasq --conf-file=/dev/null --keep-in-foreground --port=0 \
		--no-resolv --no-hosts --interface="$ifc" --bind-interfaces --except-interface=lo \
		--dhcp-range="$net.100,$net.199,255.255.255.0,1h" --dhcp-authoritative \
		--dhcp-option=3 --user=root --group=root "$@" \
		--dhcp-leasefile="$T/dnsmasq-$ifc.leases" --pid-file="$T/dnsmasq-$ifc.pid" \
		--log-dhcp --log-facility="$T/dnsmasq-$ifc.log" &
	BG_PIDS="$BG_PIDS $!"
	i=0
	while [ $i -lt 50 ] && [ ! -s "$T/dnsmasq-$ifc.pid" ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T/dnsmasq-$ifc.pid" ]
}

# http_get NS ADDR: the guest's web page at ADDR:80, fetched from NS
http_get() {
	tcp_get -n "$1" "$2" 80 http
}

# reaches NS ADDR SECONDS: the guest's httpd at ADDR answers from NS
# within SECONDS
reaches() {
	i=0
	while [ $i -lt "$3" ]; do
		http_get "$1" "$2" 2>/dev/null | grep -q VMTUI-HTTP && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# as_nobody NS ARGS...: vmtui ARGS in NS as uid 65534 with its own
# engine, output in $T/out and $T/err, status in $rc
as_nobody() {
	ns=$1
	shift
	U="$T/nobody"
	mkdir -p "$U" && chown 65534:65534 "$U" && chmod 711 "$T"
	ip netns exec "$ns" env HOME="$U" XDG_DATA_HOME="$U/data" XDG_CONFIG_HOME="$U/config" \
		VMTUI_ENGINE_ROOT="$U/e" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"${VMTUI_REAL:-$VMTUI}" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# wait_after FILE OFFSET REGEX SECONDS: waits until FILE has a line
# matching REGEX after its first OFFSET bytes (a serial log appended to
# at each start)
wait_after() {
	i=0
	while [ "$i" -lt $(($4 * 10)) ]; do
		tail -c +$(($2 + 1)) "$1" 2>/dev/null | grep -Eq -- "$3" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# hosts-lib.sh — two more libvirt hosts on this machine, for the tests and
# benchmarks of several hosts and migration (sourced after lib.sh).
#
# Each host is a network namespace, joined to the other by a veth pair
# (10.201.0.1 and 10.201.0.2, nothing else in them), and a private mount
# and UTS namespace (its own /etc/libvirt, /run, /var/lib, /var/log and
# /var/cache on tmpfs, host name hosta or hostb) with a root libvirtd of
# its own (host_uuid of its own, the test's qemu.conf) and an sshd on
# port 22 that lets in this test's key.  vmtui reaches them as
# qemu+ssh://root@10.201.0.N/system, from inside the first namespace,
# with /root bound to a folder of the test (ssh writes its known_hosts
# there).  Everything is ended by its pid, the namespaces deleted, on exit.
#
# hosts_up: sets HOSTS_NS (namespace prefix), URI_A, URI_B, and
# VMTUI_C (runs vmtui as the client, from the first namespace)
# hosts_down: ends it all (lib.sh's cleanup calls it through the trap)

HOSTS_NS="vth$$"

hosts_up() {
	for p in libvirtd /usr/sbin/sshd ssh ssh-keygen unshare ip cc virt-ssh-helper; do
		command -v "$p" >/dev/null || { echo "Bail out! $p is missing (./setup.sh test installs it)"; exit 1; }
	done
	[ "$(id -u)" = 0 ] || { echo "Bail out! the test's libvirt hosts run as root in namespaces"; exit 1; }
	cc -shared -fPIC -o "$T/shim.so" "$top_srcdir/tests/account-shim.c" -ldl ||
		{ echo "Bail out! cannot build the account shim"; exit 1; }
	mkdir -p "$T/ssh" "$T/home/.ssh" && chmod 700 "$T/ssh" "$T/home" "$T/home/.ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user" ||
		{ echo "Bail out! ssh-keygen failed"; exit 1; }
	cp "$T/ssh/user.pub" "$T/ssh/authorized_keys"
	ip netns add "${HOSTS_NS}a" && ip netns add "${HOSTS_NS}b" &&
		ip link add "${HOSTS_NS}a0" netns "${HOSTS_NS}a" type veth peer name "${HOSTS_NS}b0" netns "${HOSTS_NS}b" ||
		{ echo "Bail out! cannot make the hosts' namespaces"; exit 1; }
	ip -n "${HOSTS_NS}a" addr add 10.201.0.1/24 dev "${HOSTS_NS}a0"
	ip -n "${HOSTS_NS}b" addr add 10.201.0.2/24 dev "${HOSTS_NS}b0"
	for n in a b; do
		ip -n "$HOSTS_NS$n" link set lo up
		ip -n "$HOSTS_NS$n" link set "$HOSTS_NS${n}0" up
	done
	host_start a 10.201.0.1 0b2c1f6e-0000-4000-8000-00000000000a
	host_start b 10.201.0.2 0b2c1f6e-0000-4000-8000-00000000000b
	URI_A="qemu+ssh://root@10.201.0.1/system?keyfile=$T/ssh/user&no_verify=1"
	URI_B="qemu+ssh://root@10.201.0.2/system?keyfile=$T/ssh/user&no_verify=1"
	cat >"$T/vmtui-c" <<EOF
#!/bin/sh
exec ip netns exec ${HOSTS_NS}a unshare -m --propagation private sh -c 'mount --bind "\$0" /root && exec "\$@"' "$T/home" "$VMTUI" "\$@"
EOF
	VMTUI_C="$T/vmtui-c"
	# vmtui-a, vmtui-b: the client on one host (-c a, -c b: after host add)
	for n in a b; do
		printf '#!/bin/sh\nexec "%s" -c %s "$@"\n' "$VMTUI_C" "$n" >"$T/vmtui-$n"
	done
	chmod +x "$T/vmtui-c" "$T/vmtui-a" "$T/vmtui-b"
	trap 'hosts_down; cleanup' EXIT
}

# host_start N ADDRESS HOST-UUID
host_start() {
	d="$T/h$1"
	mkdir -p "$d/etc"
	printf 'host_uuid = "%s"\nauth_unix_rw = "none"\nlog_outputs = "3:file:%s/libvirtd.log"\n' "$3" "$d" >"$d/etc/libvirtd.conf"
	printf 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\nsecurity_driver = "none"\nnamespaces = [ ]\ncgroup_controllers = [ ]\nstdio_handler = "file"\nmigration_port_min = 49152\nmigration_port_max = 49215\n' >"$d/etc/qemu.conf"
	cat >"$d/sshd_config" <<CONF
ListenAddress $2
Port 22
HostKey $T/ssh/host
PidFile $d/sshd.pid
AuthorizedKeysFile $T/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF
	ip netns exec "$HOSTS_NS$1" unshare -m -u --propagation private sh -c "
		for m in /var/lib /var/log /var/cache /etc/libvirt /run; do mount -t tmpfs -o mode=0755 tmpfs \$m || exit 1; done
		mkdir -p /var/lib/libvirt/images /var/log/libvirt /var/cache/libvirt /run/sshd /run/libvirt /run/lock
		cp '$d/etc/libvirtd.conf' '$d/etc/qemu.conf' /etc/libvirt/
		hostname host$1
		/usr/sbin/sshd -f '$d/sshd_config' -E '$d/sshd.log' || exit 1
		exec env LD_PRELOAD='$T/shim.so' libvirtd -f /etc/libvirt/libvirtd.conf --pid-file '$d/libvirtd.pid'" \
		>"$d/daemon.log" 2>&1 &
	eval "HOST_PID_$1=\$!"
	i=0
	until [ -S "/proc/$!/root/run/libvirt/libvirt-sock" ] || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
	[ -S "/proc/$!/root/run/libvirt/libvirt-sock" ] ||
		{ echo "Bail out! the libvirtd of host $1 did not start: $(tail -n 3 "$d/daemon.log" "$d/libvirtd.log" 2>/dev/null)"; exit 1; }
}

# virsh_on N ARGS...: virsh on host N's daemon, from inside it
virsh_on() {
	vo_host=$1
	shift
	eval "vo_pid=\$HOST_PID_$vo_host"
	nsenter -t "$vo_pid" -m -n -u virsh -c qemu:///system "$@"
}

hosts_down() {
	for n in a b; do
		eval "hp=\${HOST_PID_$n:-}"
		[ -n "$hp" ] || continue
		# the guests of its daemon, by the pid files it wrote (read
		# while it runs: they are seen through it), not the daemon's
		# own driver.pid
		gp=
		for f in /proc/"$hp"/root/run/libvirt/qemu/*.pid; do
			case $f in */driver.pid) continue ;; esac
			[ -f "$f" ] && gp="$gp $(cat "$f" 2>/dev/null)"
		done
		for p in $gp; do kill -9 "$p" 2>/dev/null; done
		[ -f "$T/h$n/sshd.pid" ] && kill "$(cat "$T/h$n/sshd.pid")" 2>/dev/null
		kill "$hp" 2>/dev/null
	done
	sleep 0.3
	for n in a b; do ip netns del "$HOSTS_NS$n" 2>/dev/null; done
}

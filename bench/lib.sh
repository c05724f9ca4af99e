# bench/lib.sh — what the benchmarks share (sourced, POSIX sh).  Each
# sets BENCH to its name and here to its folder, absolute, first:
#
#   BENCH=list-1000
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
#
# Their Python drivers find bench/stats.py through PYTHONPATH.
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

# die MESSAGE...: says MESSAGE as the benchmark's and exits 1
die() {
	printf '%s: %s\n' "$BENCH" "$*" >&2
	exit 1
}

# positive NAME VALUE: dies unless VALUE is a whole number above 0
positive() {
	case $2 in
	'' | *[!0-9]* | 0) die "$1 must be a positive integer, not \"$2\"" ;;
	esac
}

# load_average: ", load average N" where the kernel tells it, else nothing
load_average() {
	if [ -r /proc/loadavg ]; then
		printf ', load average %s' "$(cut -d' ' -f1 /proc/loadavg)"
	fi
}

# fig KEY... COLUMN: field COLUMN of the line of $tmp/results whose first
# fields are the KEYs
fig() {
	awk -v want="$*" 'BEGIN { n = split(want, k, " ") }
		{ for (i = 1; i < n; i++) if ($i != k[i]) next; print $(k[n]) }' "$tmp/results"
}

# ratio A B [DIGITS]: A / B with DIGITS decimals (default 3), n/a when B
# is not above 0
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { if (b > 0) printf "%." d "f", a / b; else print "n/a" }'
}

# labs_stop DATA: ends the DHCP servers and hubs of the lab networks under
# DATA/vmtui/networks, by their pid files, each checked to name its pid
# file on its command line
labs_stop() {
	for f in "$1"/vmtui/networks/*/dnsmasq.pid "$1"/vmtui/networks/*/hub.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--pid-file=$f" &&
			kill "$pid"
	done
	return 0
}

# session_user U: makes $tmp/as-user, which runs a command as user 65534
# with U as its home and private XDG folders (a clean environment; env
# first, since after setpriv nothing may need to enter the build tree's
# parents, which may be mode 0700), so that its libvirt is U's own
# qemu:///session; U is made and given to that user
session_user() {
	mkdir -p "$1" && chmod 711 "$(dirname "$1")" && chown 65534:65534 "$1"
	cat >"$tmp/as-user" <<END
#!/bin/sh
exec env -i PATH='$PATH' TERM=xterm \\
	HOME='$1' XDG_RUNTIME_DIR='$1/run' XDG_DATA_HOME='$1/data' \\
	XDG_CONFIG_HOME='$1/config' XDG_CACHE_HOME='$1/cache' LC_ALL=C.UTF-8 \\
	setpriv --reuid=65534 --regid=65534 --clear-groups "\$@"
END
	chmod 700 "$tmp/as-user"
}

# session_stop U: ends what the libvirt of session_user's user started
# under U: the guests' QEMU, then that libvirtd and the virtlogd it
# started, by their pid files
session_stop() {
	for f in "$1"/run/libvirt/qemu/run/*.pid "$1"/config/libvirt/qemu/run/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f" 2>/dev/null)" 2>/dev/null
	done
	for f in "$1/run/libvirt/libvirtd.pid" "$1/run/libvirt/virtlogd.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# kit_disk KIT OUT.qcow2: an ext4 root disk made of the test kit's
# initramfs in KIT (mkfs.ext4 -d), which the kit boots from with
# root=/dev/vda; dies when it cannot be made
kit_disk() {
	rm -rf "$tmp/root"
	mkdir "$tmp/root"
	(cd "$tmp/root" && gzip -dc "$1/initrd.img" | cpio -id --quiet 2>/dev/null)
	: >"$tmp/root/.vmtui-disk"
	mkfs.ext4 -q -F -d "$tmp/root" "$tmp/root.raw" 64M >/dev/null 2>&1 ||
		die "mkfs.ext4 -d cannot make the guest's disk"
	qemu-img convert -q -f raw -O qcow2 "$tmp/root.raw" "$2"
	rm -rf "$tmp/root" "$tmp/root.raw"
}


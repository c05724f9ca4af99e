#!/bin/sh
# Build the vmtui test guest (kernel + initramfs) into OUTDIR.
#
#   tests/guest/build.sh OUTDIR
#
# Inputs are Debian packages only: linux-image-*-cloud-amd64 (kernel and
# modules), busybox-static and qemu-guest-agent (qemu-ga and the shared
# libraries it needs).  The result is cached: a second run with
# unchanged inputs is a no-op.  Safe to run concurrently (flock on
# OUTDIR/.lock); outputs are replaced atomically by rename.
#
# Environment: VMTUI_GUEST_KVER=<version> picks the kernel
# (default: the newest installed *-cloud-amd64).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
kit=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C

# Modules the guest needs (dependencies are added from modules.dep).
# Built into the cloud kernel, hence skipped: ext4 jbd2 mbcache crc16 crc32c.
# Note: the cloud kernel has no AHCI, so CD-ROMs must be IDE (i440fx
# machine, ata_piix) or virtio-scsi (sr_mod).
MODULES="virtio_pci virtio_blk virtio_net virtio_console virtio_scsi sd_mod
ata_piix sr_mod cdrom isofs ext4 jbd2 mbcache crc16 crc32c_generic
button evdev virtio_balloon"

KVER=${VMTUI_GUEST_KVER:-}
if [ -z "$KVER" ]; then
	KVER=$(ls /boot/ | sed -n 's/^vmlinuz-\(.*-cloud-amd64\)$/\1/p' | sort -V | tail -n 1)
fi
kernel=/boot/vmlinuz-$KVER
moddir=/lib/modules/$KVER
busybox=/bin/busybox
qga=/usr/sbin/qemu-ga
for f in "$kernel" "$moddir/modules.dep" "$busybox"; do
	[ -r "$f" ] || { echo "build.sh: missing $f (install linux-image-cloud-amd64 busybox-static)" >&2; exit 1; }
done
[ -x "$qga" ] || { echo "build.sh: missing $qga (install qemu-guest-agent)" >&2; exit 1; }
# The shared libraries of qemu-ga as ldd resolves them, the dynamic loader
# included (its line has no "=>").
qga_libs=$(ldd "$qga" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$qga_libs" ] || { echo "build.sh: ldd $qga found no libraries" >&2; exit 1; }

# Cache key: kernel version plus the hashes of the kernel, busybox,
# qemu-ga and its libraries, and the kit's own files.
# shellcheck disable=SC2086
stamp=$(echo "kver=$KVER"; sha256sum "$kernel" "$busybox" "$qga" $qga_libs; cd "$kit" && sha256sum build.sh init)
uptodate() {
	[ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ] &&
		[ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]
}
uptodate && exit 0

exec 9>"$out/.lock"
flock 9
uptodate && exit 0    # somebody else built it while we waited

rm -rf "$out"/.build.*    # left over by a killed build
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
root=$tmp/root
mkdir -p "$root" && cd "$root"

# --- busybox, with one symlink per applet at its usual place -------------
mkdir -p bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt etc/acpi/PWRF
cp "$busybox" bin/busybox
"$busybox" --list-full | while read -r applet; do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
# The kernel opens /dev/console before /init runs; only root can mknod
# (/init copes without it).
mknod -m 600 dev/console c 5 1 2>/dev/null || true

# --- kernel modules, in load order ----------------------------------------
# Prints the module paths (relative to $moddir), dependencies first.
# Built-in modules are skipped; unknown ones are an error.
order=$(awk -v want="$MODULES" '
	function name(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
	function visit(n,   d, i, k) {
		if (n in done) return
		done[n] = 1
		k = split(deps[n], d, " ")
		for (i = k; i >= 1; i--) visit(name(d[i]))
		print path[n]
	}
	FILENAME ~ /builtin$/ { builtin[name($0)] = 1; next }
	{ p = $1; sub(/:$/, "", p); n = name(p); path[n] = p; $1 = ""; deps[n] = $0 }
	END {
		k = split(want, w, /[ \n]+/)
		for (i = 1; i <= k; i++) {
			if (w[i] == "" || w[i] in builtin) continue
			if (!(w[i] in path)) { print "unknown module " w[i] > "/dev/stderr"; exit 1 }
			visit(w[i])
		}
	}' "$moddir/modules.builtin" "$moddir/modules.dep")
mdir=lib/modules/$KVER
mkdir -p "$mdir"
for m in $order; do
	mkdir -p "$mdir/${m%/*}"
	# Decompress at build time so plain busybox insmod can load them.
	case $m in
	*.ko) cp "$moddir/$m" "$mdir/$m" ;;
	*.ko.xz) xz -dc "$moddir/$m" >"$mdir/${m%.xz}" ;;
	*.ko.zst) zstd -qdc "$moddir/$m" >"$mdir/${m%.zst}" ;;
	*.ko.gz) gzip -dc "$moddir/$m" >"$mdir/${m%.gz}" ;;
	esac
	echo "${m%.ko*}.ko"
done >"$mdir/modules.load"

# --- QEMU guest agent: qemu-ga and its libraries, at the same paths ------
mkdir -p usr/sbin
cp "$qga" usr/sbin/qemu-ga
for lib in $qga_libs; do
	mkdir -p "./${lib%/*}"
	cp -L "$lib" "./$lib"
done

# --- configuration ----------------------------------------------------------
cp "$kit/init" init
chmod 755 init
# busybox acpid runs /etc/acpi/PWRF/00000080 on a power-button press.
# The leading newline ends a pending shell prompt line.
cat >etc/acpi/PWRF/00000080 <<'EOF'
#!/bin/sh
printf '\nVMTUI-GUEST-POWEROFF\n' >/dev/ttyS0
sync
poweroff -f
EOF
chmod 755 etc/acpi/PWRF/00000080
cat >etc/profile <<'EOF'
export HOME=/root PS1='# '
# The serial line has no size; a wide one keeps the line editor from
# emitting cursor-movement sequences when long commands are typed.
case $(tty) in /dev/ttyS*) stty cols 1024 rows 50 2>/dev/null ;; esac
cd
EOF
# busybox udhcpc has no lease script of its own: configure the address,
# the default route and resolv.conf, and tell the serial line.
mkdir -p usr/share/udhcpc etc/udhcpc
cat >usr/share/udhcpc/default.script <<'EOF'
#!/bin/sh
# udhcpc event script of the vmtui test guest: $1 is the event, the lease
# is in the environment (interface ip mask subnet router dns domain).
[ -n "$SERIAL" ] || { SERIAL=/dev/console; { : >/dev/ttyS0; } 2>/dev/null && SERIAL=/dev/ttyS0; }
case $1 in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	prefix=$mask
	[ -n "$prefix" ] || prefix=$(ipcalc -p "$ip" "${subnet:-255.255.255.0}" | sed 's/.*=//')
	[ "$1" = bound ] && ip -4 addr flush dev "$interface"
	ip addr replace "$ip/$prefix" broadcast + dev "$interface"
	gw=none
	for r in $router; do gw=$r; break; done
	[ "$gw" = none ] || ip route replace default via "$gw" dev "$interface"
	{
		[ -n "$domain" ] && echo "search $domain"
		for d in $dns; do echo "nameserver $d"; done
	} >"/run/resolv.conf.$interface"
	cat /run/resolv.conf.* >/etc/resolv.conf 2>/dev/null
	printf '\nVMTUI-GUEST-NET %s ip=%s/%s router=%s mac=%s\n' "$interface" "$ip" \
		"$prefix" "$gw" "$(cat "/sys/class/net/$interface/address")" >"$SERIAL"
	;;
esac
exit 0
EOF
chmod 755 usr/share/udhcpc/default.script
ln -s /usr/share/udhcpc/default.script etc/udhcpc/default.script
# The port 22 server (nc -ll -e) runs this for each connection.
cat >bin/vmtui-hello <<'EOF'
#!/bin/sh
echo "VMTUI-HELLO $(hostname)"
EOF
chmod 755 bin/vmtui-hello
echo 'root:x:0:0:root:/root:/bin/sh' >etc/passwd
echo 'root:x:0:' >etc/group

# --- assemble ---------------------------------------------------------------
find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -n -6 >"$tmp/initrd.img"
cp "$kernel" "$tmp/vmlinuz"
printf '%s\n' "$stamp" >"$tmp/stamp"
mv -f "$tmp/initrd.img" "$out/initrd.img"
mv -f "$tmp/vmlinuz" "$out/vmlinuz"
mv -f "$tmp/stamp" "$out/.stamp"

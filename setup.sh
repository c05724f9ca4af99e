#!/bin/sh
# setup.sh — gets vmtui going on a Debian 12 machine, as root.
#
#   ./setup.sh run    install what is missing, build, start vmtui
#   ./setup.sh test   the same plus the test dependencies, then the whole
#                     test suite; the last line is "N passed, N failed"
#
# Both are idempotent: packages are only installed when missing and the
# build is incremental, so a second run is quick.
set -eu
cd "$(dirname "$0")"

# Build and run-time dependencies (Debian 12 package names); ncurses-term
# has the terminfo entries of less common terminals, direct colour ones
# (xterm-direct, tmux-direct) among them.  libyaml checks the cloud-init
# seeds; template create reads a base through qemu-storage-daemon's FUSE
# export (fusermount3, from fuse3, mounts it for users other than root)
# with debugfs (e2fsprogs).  Lab networks run one dnsmasq each, and NAT
# out of a lab is a table of nftables rules.  The desktop broker (vmtui
# serve) is libsoup 3 with glib-networking's TLS, PAM for its logins, and
# serves Debian's noVNC to browsers.  A libvirt daemon's own networks
# (lab networks on qemu:///system) need iptables, which libvirt 9.0 runs.
# The graphical console reads text screens with the glyphs of the console
# fonts (console-setup-linux) and of QEMU's VGA BIOS (seabios).
RUN_DEPS="build-essential autoconf automake autopoint gettext pkg-config
libncurses-dev libvirt-dev libxml2-dev libarchive-dev libvncserver-dev
libchafa-dev libpng-dev libjson-glib-dev libcurl4-gnutls-dev
libglib2.0-dev libcrypt-dev libosinfo-1.0-dev osinfo-db libvirt-daemon-driver-qemu
libvirt-daemon libyaml-dev fuse3 e2fsprogs dnsmasq-base nftables iproute2
qemu-system-x86 qemu-utils ovmf locales ncurses-term
libsoup-3.0-dev libpam0g-dev glib-networking novnc iptables console-setup-linux"
# What the test suite and the benchmarks use on top: the test guest is
# built from the cloud kernel and busybox; tmux drives the TUI; virsh is
# the benchmark's peer; python3 checks JSON; setpriv runs unprivileged
# cases; man and col check the man page; a private sshd on 127.0.0.1
# carries the over-SSH test; Xvfb and remote-viewer, the desktop viewer
# the graphical console offers when there is a desktop; xz, zstd, bzip2
# and gzip compress the images the image store tests import, over https
# with a certificate authority openssl makes; xorriso reads the
# cloud-init seeds provisioning writes; strace watches the system calls
# of a hostile OVA import; qemu-guest-agent's qemu-ga goes into the test
# guest, which answers the agent's commands (domifaddr --source agent).
# The broker's tests log in with curl against a pam_userdb database made
# by db5.3_load, and take the desktop's screen with vncsnapshot, a VNC
# client of another project, through the broker's relay, its password
# file made by vncpasswd (tigervnc-tools); the browser's path runs in
# Debian's Chromium, driven by Playwright from the npm registry (Node.js
# and npm: the machine's own, else Debian's).
TEST_DEPS="linux-image-cloud-amd64 busybox-static cpio e2fsprogs tmux
libvirt-clients python3 util-linux procps man-db bsdextrautils
openssh-server openssh-client xvfb virt-viewer xz-utils zstd bzip2 gzip
xorriso openssl strace qemu-guest-agent curl db5.3-util vncsnapshot
tigervnc-tools chromium"

say() { printf '%s\n' "setup: $*" >&2; }

install_missing() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing packages:$missing — run this as root, or install them with apt-get"
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The zh_CN catalog can only show where the locale exists.
ensure_locales() {
	for l in zh_CN en_US; do
		locale -a 2>/dev/null | grep -qi "^$l\.utf-\?8$" && continue
		[ "$(id -u)" = 0 ] || { say "locale $l.UTF-8 is missing (localedef needs root)"; continue; }
		localedef -i "$l" -f UTF-8 "$l.UTF-8"
	done
}

build() {
	[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	[ -f Makefile ] || ./configure -q --enable-werror
	make -s -j"$(nproc)" >/dev/null
}

case "${1:-}" in
run)
	# shellcheck disable=SC2086
	install_missing $RUN_DEPS
	ensure_locales
	build
	shift
	exec ./vmtui "$@"
	;;
test)
	# shellcheck disable=SC2086
	install_missing $RUN_DEPS $TEST_DEPS
	command -v npm >/dev/null || install_missing nodejs npm
	ensure_locales
	build
	make -s -j"$(nproc)" check TESTS= >/dev/null   # build the test programs
	status=0
	make -s check >/dev/null 2>&1 || status=1
	sh tests/summary.sh tests
	exit $status
	;;
*)
	echo "usage: $0 run|test" >&2
	exit 2
	;;
esac

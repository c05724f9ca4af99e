#!/bin/sh
# Files that are not small regular files, wherever vmtui reads one whole:
# a checksum file (--sums), the image store's metadata, SSH keys
# (--ssh-key), user-data (--user-data), a template's kernel and initrd
# (template edit --kernel/--initrd, template create --from-vm).  /dev/zero,
# a FIFO, a 10 GiB sparse file and a file that holds more than its size
# says are each refused at once, before anything is read, with vmtui
# bounded to 20 s and 4 GiB of address space and peaking far below that;
# nothing is left changed.  (tests/sanitized.sh runs this under ASan.)
. "${top_srcdir:-.}/tests/lib.sh"

QI=${QEMU_IMG:-qemu-img}
STORE="$XDG_DATA_HOME/vmtui/images"
TPLS="$XDG_DATA_HOME/vmtui/templates"
mkfifo "$T/fifo"
truncate -s 10G "$T/sparse10g"

# refused_at_once PATTERN DESC ARGS...: bounded vmtui ARGS exits 2 with
# PATTERN in its message, and stayed small doing so
refused_at_once() {
	bounded_expect 2 "$@"
	small_rss 65536 "  ... in little memory"
}

"$QI" create -q -f qcow2 "$T/small.qcow2" 64M
expect 0 'Imported image "small"' "an image in the store" image import "$T/small.qcow2" --name small
expect 0 'Created template "img"' "a template" template create img --from-image small

# --- the image store ----------------------------------------------------------
refused_at_once 'The checksum file /dev/zero is not a regular file \(a folder, a device or a FIFO\): refused' \
	"--sums /dev/zero" image import "$T/small.qcow2" --name z --sums /dev/zero
refused_at_once 'The checksum file .*/fifo is not a regular file' \
	"--sums of a FIFO, never waited on" image import "$T/small.qcow2" --name z --sums "$T/fifo"
refused_at_once 'The checksum file .*/sparse10g is 10\.0 GiB \(10737418240 bytes\); at most 1\.0 MiB \(1048576 bytes\) is taken' \
	"--sums of a 10 GiB file" image import "$T/small.qcow2" --name z --sums "$T/sparse10g"
refused_at_once 'The checksum file /proc/kallsyms grew past' \
	"--sums of a file that holds more than its size says (/proc/kallsyms)" \
	image import "$T/small.qcow2" --name z --sums /proc/kallsyms
truncate -s 10G "$STORE/huge.json"
mkfifo "$STORE/pipe.json"
refused_at_once 'The image metadata .*/huge\.json is 10\.0 GiB \(10737418240 bytes\); at most 1\.0 MiB \(1048576 bytes\) is taken' \
	"a 10 GiB metadata file in the store" image info huge
refused_at_once 'The image metadata .*/pipe\.json is not a regular file' \
	"a FIFO as metadata in the store, never waited on" image info pipe
bounded image list
check "  ... and image list still lists the others, saying which metadata it skipped" \
	sh -c "[ $rc = 0 ] && grep -q '^small ' '$T/out' && grep -q 'huge.json is 10.0 GiB' '$T/err' &&
		grep -q 'pipe.json is not a regular file' '$T/err'"
rm -f "$STORE/huge.json" "$STORE/pipe.json"

# --- cloud-init input -----------------------------------------------------------
for opt in ssh-key user-data; do
	refused_at_once "The (SSH key|user-data) file /dev/zero is not a regular file \(a folder, a device or a FIFO\): refused" \
		"provision --$opt /dev/zero" provision img bad --$opt /dev/zero
	refused_at_once "The (SSH key|user-data) file $T/fifo is not a regular file" \
		"provision --$opt of a FIFO, never waited on" provision img bad --$opt "$T/fifo"
	refused_at_once "The (SSH key|user-data) file $T/sparse10g is 10.0 GiB \(10737418240 bytes\); at most" \
		"provision --$opt of a 10 GiB sparse file" provision img bad --$opt "$T/sparse10g"
	refused_at_once "The (SSH key|user-data) file /proc/kallsyms grew past" \
		"provision --$opt of a file bigger than its size says (/proc/kallsyms)" \
		provision img bad --$opt /proc/kallsyms
done
check "  ... none made a VM" sh -c "! '$VMTUI' list | grep -q '^bad '"

# --- kernels and initrds copied into a template --------------------------------
head -c 65536 /dev/urandom >"$T/kernel"
for opt in kernel initrd; do
	k=; [ $opt = initrd ] && k="--kernel $T/kernel"
	# shellcheck disable=SC2086 # $k is an option and its value, or nothing
	refused_at_once "The $opt /dev/zero is not a regular file" "template edit --$opt /dev/zero" \
		template edit img $k --$opt /dev/zero
	# shellcheck disable=SC2086
	refused_at_once "The $opt $T/fifo is not a regular file" "template edit --$opt of a FIFO, never waited on" \
		template edit img $k --$opt "$T/fifo"
	# shellcheck disable=SC2086
	refused_at_once "The $opt $T/sparse10g is 10.0 GiB .*; at most 1.0 GiB .*is taken" \
		"template edit --$opt of a 10 GiB file ([limits] boot-file)" \
		template edit img $k --$opt "$T/sparse10g"
done
expect 0 'Version: +1$' "  ... none of them changed the template" template info img
check "  ... nor left a copy in it" sh -c "! ls '$TPLS/img' | grep -q '^vmlinuz\|^initrd'"
cp "$T/kernel" "$T/kernel-later"
expect 0 'Created VM "kvm"' "a VM that boots a kernel directly" \
	create kvm --kernel "$T/kernel-later" --disk "$T/small.qcow2" --no-graphics --memory 128M
rm -f "$T/kernel-later" && truncate -s 10G "$T/kernel-later"
refused_at_once "The kernel $T/kernel-later is 10.0 GiB" \
	"template create --from-vm of a VM whose kernel became 10 GiB" template create kvm --from-vm kvm
check "  ... leaving no template" [ ! -e "$TPLS/kvm" ]
done_testing

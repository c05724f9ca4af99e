#!/bin/sh
# bench/node-xml.sh — a libvirt test-driver node file with N domains.
#
# Usage: sh bench/node-xml.sh N >node.xml
#
# Writes to standard output a node file for test:///ABSOLUTE/PATH/node.xml
# with N domains, vm-0001 … vm-NNNN: half shut off, a few paused, the
# rest running; varied vCPUs and memory, one disk and one interface
# each.  Shared by the benchmarks, so that they all run on the same data.
set -eu

n=${1:-}
case $n in
'' | *[!0-9]* | 0)
	printf 'node-xml: N must be a positive integer, not "%s"\n' "$n" >&2
	exit 1
	;;
esac

# A domain's <test:runstate> is its virDomainState: 1 running, 3 paused,
# 5 shut off (without one, the domain runs).
awk -v n="$n" 'BEGIN {
	print "<?xml version=\"1.0\"?>"
	print "<node>"
	print "  <cpu><mhz>2400</mhz><model>x86_64</model><active>64</active><nodes>2</nodes><sockets>2</sockets><cores>16</cores><threads>2</threads></cpu>"
	print "  <memory>536870912</memory>"
	split("1 2 2 4 4 8 16", vc, " ")
	split("524288 1048576 2097152 4194304 8388608 16777216", mem, " ")
	for (i = 1; i <= n; i++) {
		v = vc[i % 7 + 1]
		m = mem[i % 6 + 1]
		cur = (i % 3 == 0) ? m / 2 : m
		state = (i % 2 == 0) ? 5 : (i % 25 == 1 ? 3 : 1)
		printf "  <domain type=\"test\" xmlns:test=\"http://libvirt.org/schemas/domain/test/1.0\">\n"
		printf "    <name>vm-%04d</name>\n", i
		printf "    <uuid>6b1e0000-0000-4000-8000-%012d</uuid>\n", i
		printf "    <memory unit=\"KiB\">%d</memory>\n", m
		printf "    <currentMemory unit=\"KiB\">%d</currentMemory>\n", cur
		printf "    <vcpu placement=\"static\">%d</vcpu>\n", v
		printf "    <os><type arch=\"x86_64\">hvm</type><boot dev=\"hd\"/></os>\n"
		printf "    <devices>\n"
		printf "      <disk type=\"file\" device=\"disk\"><driver name=\"qemu\" type=\"qcow2\"/><source file=\"/var/lib/libvirt/images/vm-%04d.qcow2\"/><target dev=\"vda\" bus=\"virtio\"/></disk>\n", i
		printf "      <interface type=\"network\"><mac address=\"52:54:00:6b:%02x:%02x\"/><source network=\"default\"/><model type=\"virtio\"/></interface>\n", int(i / 256), i % 256
		printf "    </devices>\n"
		printf "    <test:runstate>%d</test:runstate>\n", state
		printf "  </domain>\n"
	}
	print "</node>"
}'

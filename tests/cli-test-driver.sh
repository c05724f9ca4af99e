#!/bin/sh
# The command line against libvirt's test:///default driver: the same
# commands as on the embedded engine, tables and JSON, exit codes.
. "${top_srcdir:-.}/tests/lib.sh"

U=test:///default

expect 0 '^test +running +2 +2 GiB' "list shows the test driver's domain" -c "$U" list
expect 0 '"name": "test".*"state": "running"' "list --json names it running" -c "$U" list --json
check "list --json is valid JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[0]["vcpus"]==2' "$T/out"
VMTUI_URI=$U expect 0 '^test ' "VMTUI_URI selects the driver" list
mkdir -p "$XDG_CONFIG_HOME/vmtui"
printf '[engine]\nuri = %s\n' "$U" >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
expect 0 '^test ' "the config file selects the driver" list
rm "$XDG_CONFIG_HOME/vmtui/vmtui.conf"

expect 0 'State: +running' "info shows the state" -c "$U" info test
expect 0 '"uuid": "6695eb01-f6a4-8304-79aa-97f2502e193f"' "info --json has the UUID" -c "$U" info --json test
check "info --json is valid JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["memory_mib"]==2048 and len(d["disks"])==1' "$T/out"
expect 0 'Name: +test' "info accepts a UUID" -c "$U" info 6695eb01-f6a4-8304-79aa-97f2502e193f
expect 0 "<domain type='test'" "dumpxml prints the XML" -c "$U" dumpxml test
expect 3 'There is no VM named "nope"' "unknown VM: exit 3" -c "$U" info nope
expect 4 'already running' "starting a running VM: exit 4" -c "$U" start test
expect 0 'Paused VM "test"' "suspend" -c "$U" suspend test
expect 0 'powered off' "shutdown on the test driver" -c "$U" shutdown test
expect 4 'is running; shut it down first' "delete refuses a running VM" -c "$U" delete test
expect 0 'Deleted VM "test"' "delete --force" -c "$U" delete --force test
expect 4 'only be renamed while shut off' "rename refuses a running VM" -c "$U" rename test test2
expect 0 'Changed VM "test"' "set memory" -c "$U" set test --memory 1G
expect 0 'Created VM "new vm"' "create with a new disk in the driver's pool" -c "$U" create "new vm" --disk-size 2G --vcpus 2 --memory 512
expect 2 'already exists' "create refuses a duplicate name" -c "$U" create test --no-disk
expect 0 'Started VM "started"' "create --start" -c "$U" create started --no-disk --start

# Boot order.  The test driver keeps no state between connections, so a
# change cannot be read back by the next vmtui here (guest-lifecycle.sh
# does that on the embedded engine); the domain in boot-order-node.xml
# has per-device <boot order='N'/> instead of <os><boot>.
P="test://$top_srcdir/tests/data/cli/boot-order-node.xml"
expect 0 'Boot order: +hard disk$' "info shows the boot order" -c "$U" info test
expect 0 '"boot": \["hd"\]' "info --json has it as an array" -c "$U" info --json test
check "info --json with the boot order is valid JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["boot"]==["hd"]' "$T/out"
expect 0 'Boot order: +CD-ROM, network \(PXE\), hard disk$' \
	"per-device <boot order> is shown in the devices' order" -c "$P" info pxe
expect 0 '"boot": \["cdrom", "network", "hd"\]' "and in JSON" -c "$P" info --json pxe
expect 0 'Changed VM "test"; the change takes effect at its next start' \
	"set --boot on a running VM says it waits for a power cycle" -c "$U" set test --boot cdrom,hd
expect 0 'Changed VM "pxe"; the change takes effect' "also when rewriting the per-device form" -c "$P" set pxe --boot net,hd
expect 0 'Changed VM "pxe"\.$' "the order it already boots in needs no power cycle, aliases and case aside" \
	-c "$P" set pxe --boot ' CD , pxe , Disk '
expect 2 '"floppy" is not a boot device: use hd, cdrom or network' "unknown boot device: exit 2 naming it" \
	-c "$U" set test --boot cdrom,floppy
expect 2 'The boot order "hd,cdrom,disk" names hd twice' "a device named twice: exit 2" \
	-c "$U" set test --boot hd,cdrom,disk
expect 2 'The boot order is empty' "an empty boot order: exit 2" -c "$U" set test --boot ''
expect 2 'The boot order "cdrom,,hd" has an empty item' "an empty item: exit 2" -c "$U" set test --boot cdrom,,hd
expect 0 'Created VM "pxe-boot"' "create --boot" -c "$U" create pxe-boot --no-disk --boot network,hd
expect 2 '"tape" is not a boot device' "create refuses a bad --boot" -c "$U" create bad-boot --no-disk --boot tape
expect 0 '^  --boot LIST' "help set lists --boot" set --help

expect 2 'Usage: vmtui info NAME' "missing argument: usage, exit 2" -c "$U" info
expect 2 'Unknown option --bogus' "unknown option: exit 2" -c "$U" list --bogus
expect 2 'unknown command "frobnicate"' "unknown command: exit 2" frobnicate
expect 0 'Usage: vmtui create NAME' "help for one command" help create
expect 0 '^  --memory SIZE' "help lists the command's options" create --help
expect 0 'vmtui 0\.' "version" --version
done_testing

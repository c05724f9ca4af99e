/*
 * table.c — the command table: each command's name, synopsis, summary,
 * flags, options and exec function, and finding a command by name.
 */
#include "config.h"

#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "core/names.h"

/* ---- the table ----------------------------------------------------------- */

static const struct cmd_opt create_opts[] = {
	{ "os", OPT_STRING, "VARIANT", N_("OS variant (libosinfo short id, e.g. debian11) for defaults") },
	{ "vcpus", OPT_NUMBER, "N", N_("number of virtual CPUs"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory, e.g. 2G or 512M (default unit MiB)") },
	{ "disk-size", OPT_SIZE, "SIZE", N_("size of a new qcow2 disk, e.g. 20G (default unit GiB)") },
	{ "disk", OPT_PATH, "PATH", N_("use an existing disk image instead of a new disk") },
	{ "disk-format", OPT_STRING, "FMT", N_("format of --disk (default: told from its first bytes)") },
	{ "no-disk", OPT_FLAG, NULL, N_("create the VM without a disk") },
	{ "iso", OPT_PATH, "PATH", N_("attach an ISO image as CD-ROM and boot from it") },
	{ "kernel", OPT_PATH, "PATH", N_("boot this kernel directly") },
	{ "initrd", OPT_PATH, "PATH", N_("initrd for --kernel") },
	{ "cmdline", OPT_STRING, "TEXT", N_("kernel command line for --kernel") },
	{ "firmware", OPT_STRING, "bios|uefi", N_("firmware (default bios)") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description") },
	{ "boot", OPT_STRING, "LIST", N_("boot order, e.g. cdrom,hd (devices: hd, cdrom, network)") },
	{ "net", OPT_LIST, "MODE", N_("a NIC on MODE: nat (the default), lab:NAME, bridge:BRIDGE, macvtap:DEVICE, network:NAME or none; again for more NICs; settings after commas: mtu=N, queues=N, vlan=N, bandwidth=KIB/S, mac=MAC, model=MODEL, link=down") },
	{ "no-network", OPT_FLAG, NULL, N_("no network interface (as --net none)") },
	{ "no-agent", OPT_FLAG, NULL, N_("no guest agent channel (it tells vmtui the guest's addresses)") },
	{ "no-graphics", OPT_FLAG, NULL, N_("no VNC display (default: VNC on 127.0.0.1)") },
	{ "start", OPT_FLAG, NULL, N_("start the VM once created") },
	{ 0 }
};

static const struct cmd_opt host_add_opts[] = {
	{ "no-check", OPT_FLAG, NULL, N_("add it without trying to reach it") },
	{ 0 }
};

static const struct cmd_opt migrate_opts[] = {
	{ "live", OPT_FLAG, NULL, N_("keep the guest running while its memory is copied (else it is paused until it has moved)") },
	{ "copy-storage", OPT_FLAG, NULL, N_("copy its disks too, into the same paths on the destination (else both hosts must see them: shared storage)") },
	{ "persistent", OPT_FLAG, NULL, N_("define it on the destination (else it is gone there once it stops)") },
	{ "undefine-source", OPT_FLAG, NULL, N_("remove its definition from this host") },
	{ "unsafe", OPT_FLAG, NULL, N_("migrate although libvirt cannot tell that the destination sees the same disk files (you know it does)") },
	{ "bandwidth", OPT_NUMBER, "MIB/S", N_("the most the copy may send per second, in MiB"), 1, 1000000 },
	{ "timeout", OPT_NUMBER, "SECONDS", N_("with --live: pause the guest after this long so that the copy ends"), 1, CORE_TIMEOUT_MAX },
	{ "address", OPT_STRING, "ADDRESS", N_("the destination's address for the data (default: the host of its URI, 127.0.0.1 for a local one)") },
	{ 0 }
};

static const struct cmd_opt shutdown_opts[] = {
	{ "timeout", OPT_NUMBER, "SECONDS", N_("how long to wait for the guest to power off (default 60)"),
	  1, CORE_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt events_opts[] = {
	{ "timeout", OPT_NUMBER, "SECONDS", N_("stop after this many seconds (default: run until Ctrl-C)"),
	  1, EVENTS_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt delete_opts[] = {
	{ "remove-disks", OPT_FLAG, NULL, N_("also remove the disks vmtui created for it") },
	{ "force", OPT_FLAG, NULL, N_("force a running VM off first") },
	{ 0 }
};

static const struct cmd_opt set_opts[] = {
	{ "vcpus", OPT_NUMBER, "N", N_("number of virtual CPUs; a running VM gets them hot-plugged, up to its maximum"), 1, VM_MAX_VCPUS },
	{ "max-vcpus", OPT_NUMBER, "N", N_("the most vCPUs it can have without a restart (from its next start)"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory, e.g. 2G or 512M; a running VM's balloon moves to it, up to its maximum") },
	{ "max-memory", OPT_SIZE, "SIZE", N_("the most memory it can have without a restart (from its next start)") },
	{ "iotune", OPT_LIST, "TARGET:LIMIT=VALUE,...", N_("I/O limits of a disk: total-bytes, read-bytes, write-bytes (per second, e.g. 10M), total-iops, read-iops, write-iops; 0 lifts one, TARGET:none all (again for each disk)") },
	{ "vcpupin", OPT_LIST, "VCPU:CPUS", N_("run vCPU VCPU on host CPUs CPUS only, e.g. 0:2 or 1:0-1 (all: on any; again for each vCPU)") },
	{ "emulatorpin", OPT_STRING, "CPUS", N_("run QEMU's own threads on host CPUs CPUS only (all: on any)") },
	{ "numa", OPT_STRING, "NODES", N_("take the VM's memory from host NUMA nodes NODES only (none: from any), from its next start") },
	{ "hugepages", OPT_STRING, "on|off", N_("back the VM's memory with huge pages (checked: hugetlbfs mounted, enough free pages), from its next start") },
	{ "cpu-shares", OPT_NUMBER, "N", N_("its weight against other VMs for host CPU time (daemon URIs only: needs cgroups)"), 2, 262144 },
	{ "cpu-quota", OPT_STRING, "PERCENT|none", N_("the most host CPU time each vCPU gets, in percent of one CPU (daemon URIs only: needs cgroups)") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description (\"\" removes it)") },
	{ "boot", OPT_STRING, "LIST", N_("boot order from the next start, e.g. cdrom,hd (hd, cdrom, network)") },
	{ "net", OPT_LIST, "MODE", N_("the NICs from the next start, each as for create --net (again for each NIC; none: no NIC); a NIC keeps the MAC of the one at its place") },
	{ 0 }
};

static const struct cmd_opt console_opts[] = {
	{ "force", OPT_FLAG, NULL, N_("take the console over from another client") },
	{ 0 }
};

static const struct cmd_opt vnc_opts[] = {
	{ "mode", OPT_STRING, "MODE", N_("output: auto, kitty, sixel, truecolor, 256 or 16 (default: [console] graphics, else what the terminal can)") },
	{ "text", OPT_STRING, "WHEN", N_("draw text screens as characters: auto (when nearly all of the screen reads as text), on or off (default: [console] text, else auto)") },
	{ 0 }
};

static const struct cmd_opt dumpxml_opts[] = {
	{ "inactive", OPT_FLAG, NULL, N_("show the definition used at the next start") },
	{ 0 }
};

static const struct cmd_opt image_import_opts[] = {
	{ "name", OPT_STRING, "NAME", N_("name in the store (default: the file name without its suffixes)") },
	{ "format", OPT_STRING, "FMT", N_("qcow2, raw, vmdk, vdi or vhdx (default: told from the image's first bytes)") },
	{ "convert", OPT_STRING, "qcow2", N_("convert the image to qcow2 with qemu-img") },
	{ "sha256", OPT_STRING, "HEX", N_("refuse the source unless its SHA-256 is HEX") },
	{ "sums", OPT_STRING, "SUMS", N_("a SHA256SUMS file (path or URL) with the source's SHA-256") },
	{ "backing", OPT_STRING, "NAME", N_("the source is a qcow2 overlay of the store's image NAME") },
	{ 0 }
};

static const struct cmd_opt ova_import_opts[] = {
	{ "name", OPT_STRING, "NAME", N_("name of the new VM (default: the name in the OVF)") },
	{ 0 }
};

static const struct cmd_opt ova_export_opts[] = {
	{ "template", OPT_FLAG, NULL, N_("NAME is a template: its hardware and base (an OVF cannot carry a kernel booted directly: then only the disk and hardware, with a warning)") },
	{ "force", OPT_FLAG, NULL, N_("replace FILE.ova when it is a regular file that exists (anything else there is never replaced)") },
	{ 0 }
};

static const struct cmd_opt template_create_opts[] = {
	{ "from-vm", OPT_STRING, "VM", N_("copy the disk of this shut-off VM") },
	{ "from-image", OPT_STRING, "IMAGE", N_("copy this image of the store, or this disk image file (checked first)") },
	{ "from-ova", OPT_PATH, "FILE.ova", N_("copy the one disk of this OVA (checked as ova import does) with its hardware") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description") },
	{ 0 }
};

static const struct cmd_opt template_edit_opts[] = {
	{ "description", OPT_STRING, "TEXT", N_("free-text description (\"\" removes it)") },
	{ "vcpus", OPT_NUMBER, "N", N_("vCPUs of new VMs"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory of new VMs, e.g. 1G") },
	{ "os", OPT_STRING, "VARIANT", N_("OS variant (libosinfo short id)") },
	{ "kernel", OPT_PATH, "FILE", N_("kernel new VMs boot directly (copied into the template)") },
	{ "initrd", OPT_PATH, "FILE", N_("initrd for that kernel (copied into the template)") },
	{ "cmdline", OPT_STRING, "TEXT", N_("kernel command line (templates that boot a kernel directly)") },
	{ "user", OPT_STRING, "USER", N_("default cloud-init user (\"\" removes it)") },
	{ "ssh-key", OPT_PATH, "FILE", N_("default SSH public keys, one per line") },
	{ "packages", OPT_STRING, "LIST", N_("default packages, comma-separated") },
	{ "sudo", OPT_STRING, "yes|no", N_("whether that user gets administrator rights (sudo) by default (default no)") },
	{ 0 }
};

static const struct cmd_opt provision_opts[] = {
	{ "count", OPT_NUMBER, "N", N_("make N VMs; NAME is a pattern such as 'lab-{01..20}'"),
	  1, LAB_MAX_VMS },
	{ "full", OPT_FLAG, NULL, N_("full copies of the base instead of linked clones") },
	{ "hostname", OPT_STRING, "HOST", N_("host name of a single VM (default: its VM name)") },
	{ "user", OPT_STRING, "USER", N_("user cloud-init creates (default: the template's)") },
	{ "password-hash", OPT_STRING, "HASH", N_("crypt(3) password hash for that user") },
	{ "ssh-key", OPT_PATH, "FILE", N_("SSH public keys for that user, one per line") },
	{ "packages", OPT_STRING, "LIST", N_("packages to install, comma-separated") },
	{ "user-data", OPT_PATH, "FILE", N_("your own #cloud-config (at most 1 MiB), merged in") },
	{ "sudo", OPT_FLAG, NULL, N_("give that user administrator rights (sudo without a password)") },
	{ "no-sudo", OPT_FLAG, NULL, N_("no administrator rights, even when the template gives them") },
	{ "net", OPT_LIST, "MODE", N_("each VM's NICs, as for create (default: the template's NIC on nat)") },
	{ "forward", OPT_LIST, "GUESTPORT", N_("forward a host port on 127.0.0.1 to this port of each VM's nat NIC: the first GUESTPORT gets 2201 and up, one per VM, the next 3201 and up (ports in use are skipped); again for more") },
	{ "start", OPT_FLAG, NULL, N_("start the VMs once made") },
	{ 0 }
};

/* what `pool create` and `pool edit` set */
#define POOL_OPTS \
	{ "template", OPT_STRING, "TEMPLATE", N_("the template its desktops are linked clones of") }, \
	{ "min", OPT_NUMBER, "N", N_("desktops it keeps at least (default 1)"), 0, 200 }, \
	{ "max", OPT_NUMBER, "N", N_("desktops it makes at most (default 10)"), 1, 200 }, \
	{ "spares", OPT_NUMBER, "N", N_("free desktops it keeps ready for the next users (default 1)"), 0, 200 }, \
	{ "assign", OPT_STRING, "floating|dedicated", N_("floating: any free desktop at each login (the default); dedicated: the same desktop each time") }, \
	{ "on-release", OPT_STRING, "refresh|keep", N_("refresh: a released desktop loses the user's changes (the default); keep: it is left as it is") }, \
	{ "max-per-user", OPT_NUMBER, "N", N_("desktops one user may hold at once (default 1)"), 1, 200 }, \
	{ "users", OPT_STRING, "LIST", N_("users who may use it, comma-separated (with neither --users nor --groups: everyone who logs in)") }, \
	{ "groups", OPT_STRING, "LIST", N_("groups whose members may use it, comma-separated") }, \
	{ "disconnect-grace", OPT_NUMBER, "SECONDS", N_("how long a desktop stays its user's after they disconnect, or before they first connect (default 300)"), 0, 7 * 86400 }, \
	{ "idle", OPT_NUMBER, "SECONDS", N_("release a connected desktop idle this long (default 0: never)"), 0, 7 * 86400 }, \
	{ "max-session", OPT_NUMBER, "SECONDS", N_("release a desktop held this long (default 0: no limit)"), 0, 30 * 86400 }, \
	{ "ready-marker", OPT_STRING, "TEXT", N_("a desktop is ready when its guest prints this on its serial console (default: when its guest agent answers; \"\" goes back to that)") }, \
	{ "boot-timeout", OPT_NUMBER, "SECONDS", N_("a desktop not ready this long after its start failed (default 300)"), 10, 86400 },

static const struct cmd_opt pool_create_opts[] = {
	POOL_OPTS
	{ "no-wait", OPT_FLAG, NULL, N_("only define the pool; its desktops are made by pool reconcile or serve") },
	{ "timeout", OPT_NUMBER, "SECONDS", N_("how long to wait for the desktops (default 600)"), 1, CORE_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt pool_edit_opts[] = {
	POOL_OPTS
	{ "wait", OPT_FLAG, NULL, N_("wait until the pool is as it says") },
	{ "timeout", OPT_NUMBER, "SECONDS", N_("how long to wait (default 600)"), 1, CORE_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt pool_wait_opts[] = {
	{ "wait", OPT_FLAG, NULL, N_("wait until every desktop the pool should have is ready") },
	{ "timeout", OPT_NUMBER, "SECONDS", N_("how long to wait (default 600)"), 1, CORE_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt pool_drain_opts[] = {
	{ "stop", OPT_FLAG, NULL, N_("stop draining: the pool makes and hands out desktops again") },
	{ 0 }
};

static const struct cmd_opt pool_delete_opts[] = {
	{ "yes", OPT_FLAG, NULL, N_("delete without asking (the command line only says what would go without it)") },
	{ "force", OPT_FLAG, NULL, N_("also delete desktops users hold") },
	{ 0 }
};

static const struct cmd_opt serve_opts[] = {
	{ "listen", OPT_STRING, "ADDRESS:PORT", N_("where the portal and its API listen (default 127.0.0.1:8443)") },
	{ "cert", OPT_PATH, "FILE", N_("the TLS certificate (PEM) for HTTPS") },
	{ "key", OPT_PATH, "FILE", N_("its private key (PEM)") },
	{ "insecure-http", OPT_FLAG, NULL, N_("serve plain HTTP beyond this machine (passwords in clear text)") },
	{ "plain-vnc", OPT_FLAG, NULL, N_("with --cert, also let .vv viewers without VeNCrypt in (their screens in clear text)") },
	{ "pam-service", OPT_STRING, "NAME", N_("the PAM service logins are checked with (default vmtui)") },
	{ "pam-confdir", OPT_PATH, "DIR", N_("read the PAM service from this folder instead of /etc/pam.d") },
	{ "public-host", OPT_STRING, "ADDRESS", N_("the address thin clients reach the console relays at (default: the listen address)") },
	{ "novnc", OPT_PATH, "DIR", N_("noVNC's files (default /usr/share/novnc)") },
	{ "audit-log", OPT_PATH, "FILE", N_("the audit log (default DATA/broker/audit.log)") },
	{ "ticket-ttl", OPT_NUMBER, "SECONDS", N_("how long a console ticket is valid (default 90)"), 10, 600 },
	{ "max-failures-account", OPT_NUMBER, "N", N_("failed logins an account may have in an hour before it is locked (default and at most 100)"), 1, 100 },
	{ "max-failures-address", OPT_NUMBER, "N", N_("failed logins from one address in 10 minutes before it must wait (default 30)"), 1, 100000 },
	{ "reconcile-every", OPT_NUMBER, "SECONDS", N_("seconds between the pools' reconcile passes (default 5)"), 1, 3600 },
	{ 0 }
};

static const struct cmd_opt desktop_list_opts[] = {
	{ "pool", OPT_STRING, "POOL", N_("only the desktops of this pool") },
	{ 0 }
};

static const struct cmd_opt lab_delete_opts[] = {
	{ "yes", OPT_FLAG, NULL, N_("delete without asking (the command line only lists them without it)") },
	{ 0 }
};

static const struct cmd_opt net_create_opts[] = {
	{ "subnet", OPT_STRING, "CIDR", N_("the lab's IPv4 subnet, /16 to /29, e.g. 10.77.5.0/24 (default: the first free 10.77.N.0/24); refused when it overlaps a route of this host or another lab") },
	{ "nat", OPT_FLAG, NULL, N_("let the VMs reach beyond the lab through this host (masquerade; turns on the host's IP forwarding)") },
	{ "uplink", OPT_STRING, "DEV", N_("with --nat: the device their traffic leaves by (default: any)") },
	{ "segment", OPT_FLAG, NULL, N_("a loopback segment instead of a bridge: the kind a user without root gets, with no host address and no --nat") },
	{ 0 }
};

static const struct cmd_opt snapshot_create_opts[] = {
	{ "description", OPT_STRING, "TEXT", N_("what the snapshot is for") },
	{ "disk-only", OPT_FLAG, NULL, N_("a running UEFI VM's disks alone, without its memory (crash-consistent)") },
	{ "quiesce", OPT_FLAG, NULL, N_("with --disk-only: the guest agent freezes the file systems first") },
	{ 0 }
};

static const struct cmd_opt snapshot_list_opts[] = {
	{ "tree", OPT_FLAG, NULL, N_("draw the snapshots as a tree of parents and children") },
	{ 0 }
};

static const struct cmd_opt snapshot_revert_opts[] = {
	{ "yes", OPT_FLAG, NULL, N_("revert (without it, only say what a revert undoes)") },
	{ "running", OPT_FLAG, NULL, N_("start the VM after reverting to a snapshot taken shut off") },
	{ "paused", OPT_FLAG, NULL, N_("leave the VM paused after the revert") },
	{ 0 }
};

static const struct cmd_opt snapshot_delete_opts[] = {
	{ "children", OPT_FLAG, NULL, N_("also delete the snapshots taken after it on its branch") },
	{ 0 }
};

static const struct cmd_opt disk_add_opts[] = {
	{ "size", OPT_STRING, "SIZE", N_("a new qcow2 disk of SIZE, e.g. 20G (default unit GiB)") },
	{ "image", OPT_PATH, "PATH", N_("an existing disk image instead (checked like every image from elsewhere)") },
	{ "bus", OPT_STRING, "virtio|scsi|sata", N_("the bus (default virtio; scsi needs no PCI slot; sata only while shut off)") },
	{ "cache", OPT_STRING, "MODE", N_("QEMU's cache mode: none, writeback, writethrough, directsync or unsafe") },
	{ "discard", OPT_FLAG, NULL, N_("let the guest's discards (TRIM) free space in the file") },
	{ 0 }
};

static const struct cmd_opt volume_opts[] = {
	{ "pool", OPT_STRING, "POOL", N_("the storage pool (default: [engine] pool, \"default\")") },
	{ 0 }
};

static const struct cmd_opt volume_create_opts[] = {
	{ "pool", OPT_STRING, "POOL", N_("the storage pool (default: [engine] pool, \"default\")") },
	{ "format", OPT_STRING, "qcow2|raw", N_("the volume's format (default qcow2)") },
	{ "backing", OPT_STRING, "VOLUME", N_("a qcow2 overlay on this volume of the same pool") },
	{ 0 }
};

static const struct cmd_opt disk_remove_opts[] = {
	{ "delete-file", OPT_FLAG, NULL, N_("also delete the disk's file (only one vmtui created)") },
	{ 0 }
};

static const struct cmd_opt cdrom_insert_opts[] = {
	{ "target", OPT_STRING, "TARGET", N_("the CD-ROM, e.g. sda (default: the first empty one)") },
	{ 0 }
};

static const struct cmd_opt cdrom_eject_opts[] = {
	{ "target", OPT_STRING, "TARGET", N_("the CD-ROM, e.g. sda (default: the first with a disc)") },
	{ "force", OPT_FLAG, NULL, N_("open the tray even when the guest holds it shut") },
	{ 0 }
};

const struct command commands[] = {
	{ "list", "", N_("List VMs with their state, vCPUs and memory"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_list },
	{ "info", "NAME", N_("Show a VM's settings and state"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_info },
	{ "create", "NAME [OPTIONS]", N_("Create a VM"),
	  CMD_ENGINE, 1, 1, create_opts, exec_create },
	{ "start", "NAME", N_("Start a VM"), CMD_ENGINE, 1, 1, NULL, exec_start },
	{ "shutdown", "NAME [--timeout SECONDS]", N_("Ask a VM to power off (ACPI) and wait for it"),
	  CMD_ENGINE | CMD_LONG, 1, 1, shutdown_opts, exec_shutdown, "destroy" },
	{ "destroy", "NAME", N_("Force a VM off at once, like pulling the plug"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_LONG, 1, 1, NULL, exec_destroy },
	{ "reboot", "NAME", N_("Ask a VM to reboot"), CMD_ENGINE, 1, 1, NULL, exec_reboot },
	{ "reset", "NAME", N_("Reset a VM at once, like the reset button"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, NULL, exec_reset },
	{ "suspend", "NAME", N_("Pause a running VM"), CMD_ENGINE, 1, 1, NULL, exec_suspend },
	{ "resume", "NAME", N_("Resume a paused VM"), CMD_ENGINE, 1, 1, NULL, exec_resume },
	{ "delete", "NAME [--remove-disks] [--force]", N_("Delete a VM"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, delete_opts, exec_delete },
	{ "rename", "NAME NEW-NAME", N_("Rename a shut-off VM"), CMD_ENGINE, 2, 2, NULL, exec_rename },
	{ "set", "NAME [--vcpus N] [--memory SIZE] [--description TEXT] [--boot LIST] [--net MODE]... [--iotune TARGET:LIMITS]... [--vcpupin VCPU:CPUS]... ...",
	  N_("Change a VM's vCPUs, memory, description, boot order, NICs or tuning"),
	  CMD_ENGINE, 1, 1, set_opts, exec_set },
	{ "dumpxml", "NAME [--inactive]", N_("Print a VM's libvirt domain XML"),
	  CMD_ENGINE | CMD_READ_ONLY, 1, 1, dumpxml_opts, exec_dumpxml },
	{ "console", "NAME [--force]", N_("Attach this terminal to a VM's serial console"),
	  CMD_ENGINE | CMD_TERMINAL, 1, 1, console_opts, exec_console },
	{ "vnc", "NAME [--mode MODE]", N_("Show a VM's screen in this terminal, with its keyboard and mouse"),
	  CMD_ENGINE | CMD_TERMINAL, 1, 1, vnc_opts, exec_vnc },
	{ "events", "[--timeout SECONDS]", N_("Print VM lifecycle events as they happen"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_STREAM, 0, 0, events_opts, exec_events },
	{ "image import", "SOURCE [--name NAME] [--format F] [--convert qcow2] [--sha256 HEX] [--sums SUMS] [--backing NAME]",
	  N_("Add a disk image from a file or an http(s) URL to the image store"),
	  CMD_UNTIMED, 1, 1, image_import_opts, exec_image_import },
	{ "image list", "", N_("List the images in the image store"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_image_list },
	{ "image info", "NAME-or-PATH", N_("Show an image's format, sizes and backing chain"),
	  CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_image_info },
	{ "image delete", "NAME", N_("Delete an image from the image store no VM uses"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_HOST_FILES, 1, 1, NULL, exec_image_delete },
	{ "ova import", "FILE.ova [--name NAME]", N_("Create a VM from an OVA (OVF 1.x or 2.x) made by VirtualBox, VMware or vmtui"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, ova_import_opts, exec_ova_import },
	{ "ova export", "[--template] [--force] NAME FILE.ova", N_("Write a shut-off VM or a template to an OVA other hypervisors can import"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, ova_export_opts, exec_ova_export },
	{ "template create", "NAME --from-vm VM | --from-image IMAGE | --from-ova FILE.ova [--description TEXT]",
	  N_("Make a template (read-only base image + manifest) from a VM, an image or an OVA"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, template_create_opts, exec_template_create },
	{ "template list", "", N_("List templates"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_template_list },
	{ "template info", "NAME", N_("Show a template's manifest and the VMs using it"),
	  CMD_ENGINE | CMD_READ_ONLY, 1, 1, NULL, exec_template_info },
	{ "template edit", "NAME [OPTIONS]", N_("Change a template's hardware or cloud-init defaults"),
	  CMD_ENGINE | CMD_HOST_FILES, 1, 1, template_edit_opts, exec_template_edit },
	{ "template delete", "NAME", N_("Delete a template no VM depends on"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_HOST_FILES, 1, 1, NULL, exec_template_delete },
	{ "provision", "TEMPLATE NAME [--count N] [OPTIONS]",
	  N_("Make VMs from a template, each with its own cloud-init seed"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, provision_opts, exec_provision },
	{ "pool create", "NAME --template TEMPLATE [OPTIONS]",
	  N_("Define a pool of desktops, linked clones of a template, and make its first desktops"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, pool_create_opts, exec_pool_create },
	{ "pool list", "", N_("List the desktop pools with their desktops by state"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_pool_list },
	{ "pool info", "NAME", N_("Show a pool: its settings, its desktops by state, its last actions"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_pool_info },
	{ "pool edit", "NAME [OPTIONS]", N_("Change a pool's settings (those given)"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, pool_edit_opts, exec_pool_edit },
	{ "pool grow", "NAME N [--wait]", N_("Keep N more desktops in a pool (its minimum, and its maximum if needed)"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, pool_wait_opts, exec_pool_grow },
	{ "pool shrink", "NAME N [--wait]", N_("Keep N fewer desktops in a pool; free ones above it are deleted"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, pool_wait_opts, exec_pool_shrink },
	{ "pool drain", "NAME [--stop]", N_("Stop handing out a pool's desktops and delete them as they become free"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, pool_drain_opts, exec_pool_drain },
	{ "pool reconcile", "NAME [--wait]", N_("Bring a pool to what it says: start, check, refresh, make and delete its desktops"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, pool_wait_opts, exec_pool_reconcile },
	{ "pool delete", "NAME --yes [--force]", N_("Delete a pool with all its desktops"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED, 1, 1, pool_delete_opts, exec_pool_delete },
	{ "desktop list", "[--pool POOL]", N_("List the desktops of the pools: state, user, since when"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, desktop_list_opts, exec_desktop_list },
	{ "desktop assign", "POOL USER", N_("Hand a ready desktop of a pool to a user (what the broker does at login)"),
	  CMD_ENGINE, 2, 2, NULL, exec_desktop_assign },
	{ "desktop kick", "USER|DESKTOP", N_("Take a user's desktops back (or one desktop): they are released and refreshed"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, NULL, exec_desktop_kick },
	{ "desktop refresh", "DESKTOP", N_("Throw a desktop's changes away now (a quarantined one gets a fresh start)"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, NULL, exec_desktop_refresh },
	{ "serve", "[--listen ADDRESS:PORT] [--cert FILE --key FILE] [OPTIONS]",
	  N_("Serve the desktop pools to users: the web portal, .vv files and console relays, the pools' reconcile loop"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES | CMD_STREAM, 0, 0, serve_opts, exec_serve },
	{ "lab delete", "PATTERN [--yes]", N_("Delete the VMs matching a pattern, with their disks and seeds"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED, 1, 1, lab_delete_opts, exec_lab_delete },
	{ "nic list", "VM", N_("List a VM's network interfaces (NICs)"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_nic_list },
	{ "nic add", "VM MODE", N_("Add a NIC (MODE as for create --net), live when the VM runs"),
	  CMD_ENGINE, 2, 2, NULL, exec_nic_add },
	{ "nic remove", "VM MAC", N_("Remove a NIC, live when the VM runs"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 2, 2, NULL, exec_nic_remove },
	{ "nic link", "VM MAC up|down", N_("Plug a NIC's cable in or pull it out"),
	  CMD_ENGINE, 3, 3, NULL, exec_nic_link },
	{ "forward list", "VM", N_("List a VM's port forwards and whether they are set up"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_forward_list },
	{ "forward add", "VM [ADDRESS:]HOSTPORT:GUESTPORT[/udp]",
	  N_("Forward a host port (127.0.0.1 unless ADDRESS) to a guest port, live and after each start"),
	  CMD_ENGINE, 2, 2, NULL, exec_forward_add },
	{ "forward remove", "VM HOSTPORT[/udp]", N_("Remove a port forward, live too"),
	  CMD_ENGINE, 2, 2, NULL, exec_forward_remove },
	{ "net create", "NAME [--subnet CIDR] [--nat [--uplink DEV] | --segment]",
	  N_("Make a lab network between VMs (a bridge with its own DHCP server, a loopback segment without root, or a daemon's libvirt network) and start it"),
	  CMD_ENGINE, 1, 1, net_create_opts, exec_net_create },
	{ "net list", "", N_("List lab networks with their subnet and state"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_net_list },
	{ "net info", "NAME", N_("Show a lab network: addresses, VMs on it, DHCP leases"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_net_info },
	{ "net start", "NAME", N_("Start a lab network, or repair the parts that are down"),
	  CMD_ENGINE, 1, 1, NULL, exec_net_start },
	{ "net stop", "NAME", N_("Stop a lab network no running VM uses"),
	  CMD_ENGINE, 1, 1, NULL, exec_net_stop },
	{ "net delete", "NAME", N_("Delete a lab network no VM has a NIC on"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, NULL, exec_net_delete },
	{ "disk list", "VM", N_("List a VM's disks and CD-ROMs with their targets and sizes"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_disk_list },
	{ "disk add", "VM --size SIZE | --image PATH [--bus virtio|scsi|sata] [--cache MODE] [--discard]",
	  N_("Add a disk to a VM, live when it runs"),
	  CMD_ENGINE, 1, 1, disk_add_opts, exec_disk_add },
	{ "disk remove", "VM TARGET [--delete-file]", N_("Remove a disk from a VM, live when it runs"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 2, 2, disk_remove_opts, exec_disk_remove },
	{ "disk resize", "VM TARGET SIZE", N_("Grow a disk, live when the VM runs (the guest grows its file system)"),
	  CMD_ENGINE, 3, 3, NULL, exec_disk_resize },
	{ "disk convert", "VM TARGET", N_("Copy a shut-off VM's raw (or other) disk to a new qcow2, which snapshots need, and use that"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, NULL, exec_disk_convert },
	{ "cdrom insert", "VM ISO [--target TARGET]", N_("Put an ISO image into a VM's CD-ROM drive, live when it runs"),
	  CMD_ENGINE, 2, 2, cdrom_insert_opts, exec_cdrom_insert },
	{ "cdrom eject", "VM [--target TARGET] [--force]", N_("Take the disc out of a VM's CD-ROM drive"),
	  CMD_ENGINE, 1, 1, cdrom_eject_opts, exec_cdrom_eject },
	{ "storage list", "", N_("List a libvirt daemon's storage pools (the embedded engine keeps disks as files)"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_storage_list },
	{ "storage info", "NAME", N_("Show a storage pool: its type, folder, sizes and volumes"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_storage_info },
	{ "storage create", "NAME dir PATH", N_("Make a storage pool on a folder, started with the daemon"),
	  CMD_ENGINE, 3, 3, NULL, exec_storage_create },
	{ "storage delete", "NAME", N_("Delete a storage pool's definition (its folder and files are kept)"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, NULL, exec_storage_delete },
	{ "volume list", "[--pool POOL]", N_("List a storage pool's volumes and what uses each"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, volume_opts, exec_volume_list },
	{ "volume create", "NAME SIZE [--pool POOL] [--format qcow2|raw] [--backing VOLUME]",
	  N_("Make a volume in a storage pool"),
	  CMD_ENGINE, 2, 2, volume_create_opts, exec_volume_create },
	{ "volume resize", "NAME SIZE [--pool POOL]", N_("Grow a volume no VM uses (disk resize grows a VM's disk)"),
	  CMD_ENGINE, 2, 2, volume_opts, exec_volume_resize },
	{ "volume delete", "NAME [--pool POOL]", N_("Delete a volume no VM and no other volume uses"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, volume_opts, exec_volume_delete },
	{ "snapshot create", "VM [NAME] [--description TEXT] [--disk-only [--quiesce]]",
	  N_("Take a snapshot of a VM: its disks, and its memory when it runs (NAME: the time by default)"),
	  CMD_ENGINE | CMD_UNTIMED, 1, 2, snapshot_create_opts, exec_snapshot_create },
	{ "snapshot list", "VM [--tree]", N_("List a VM's snapshots, the current one marked"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, snapshot_list_opts, exec_snapshot_list },
	{ "snapshot info", "VM NAME", N_("Show a snapshot and the hardware changes a revert to it undoes"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 2, 2, NULL, exec_snapshot_info },
	{ "snapshot revert", "VM NAME [--running|--paused] [--yes]",
	  N_("Put a VM back to a snapshot: its disks, its hardware and, when taken running, the running guest"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED, 2, 2, snapshot_revert_opts, exec_snapshot_revert },
	{ "snapshot delete", "VM NAME [--children]",
	  N_("Delete a snapshot (its children move up to its parent)"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 2, 2, snapshot_delete_opts, exec_snapshot_delete },
	{ "snapshot rename", "VM NAME NEW-NAME", N_("Rename a UEFI VM's (external) snapshot"),
	  CMD_ENGINE, 3, 3, NULL, exec_snapshot_rename },
	{ "snapshot describe", "VM NAME TEXT", N_("Change a snapshot's description (\"\" removes it)"),
	  CMD_ENGINE, 3, 3, NULL, exec_snapshot_describe },
	{ "host list", "", N_("List the hosts: local and those of [hosts], with their state, versions, CPUs, memory and VMs"),
	  CMD_READ_ONLY | CMD_JSON | CMD_NO_DATA, 0, 0, NULL, exec_host_list },
	{ "host add", "NAME URI [--no-check]", N_("Add a host to [hosts] (then -c NAME, migrate VM NAME, and the list shows its VMs)"),
	  CMD_NO_DATA, 2, 2, host_add_opts, exec_host_add },
	{ "host remove", "NAME", N_("Remove a host from [hosts] (its VMs are not touched)"),
	  CMD_NO_DATA, 1, 1, NULL, exec_host_remove },
	{ "migrate", "VM HOST [--live] [--copy-storage] [--persistent] [--undefine-source] [OPTIONS]",
	  N_("Move a VM to another host: a running one live, with its disks or on shared storage; a shut-off one's definition"),
	  CMD_ENGINE | CMD_UNTIMED, 2, 2, migrate_opts, exec_migrate },
	{ "doctor", "", N_("Check this host for running VMs and say what to fix"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_doctor },
	{ "os-list", "[SEARCH]", N_("List the OS variants known for --os"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 1, NULL, exec_os_list },
	{ "help", "[COMMAND]", N_("Show help for vmtui or one command"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 2, NULL, exec_help },
	{ "version", "", N_("Show the versions of vmtui and libvirt"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 0, NULL, exec_version },
	{ 0 }
};


const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Parses @argv against @cmd's options into @ctx; -1 on a usage error. */

const struct command *command_find_argv(int argc, char **argv, int *words)
{
	const struct command *cmd;
	g_autofree char *two = argc > 1 ? g_strdup_printf("%s %s", argv[0], argv[1]) : NULL;
	g_autoptr(GString) subs = g_string_new(NULL);
	size_t len = strlen(argv[0]);

	if (two && (cmd = command_find(two))) {
		*words = 2;
		return cmd;
	}
	*words = 1;
	if ((cmd = command_find(argv[0])))
		return cmd;
	for (const struct command *c = commands; c->name; c++)
		if (strncmp(c->name, argv[0], len) == 0 && c->name[len] == ' ')
			g_string_append_printf(subs, "%s%s", subs->len ? ", " : "", c->name + len + 1);
	if (subs->len)
		core_error(CORE_ERR_USAGE, _("\"%s\" needs one of: %s; `vmtui help %s` tells more."),
			   argv[0], subs->str, argv[0]);
	else
		core_error(CORE_ERR_USAGE,
			   _("unknown command \"%s\"; `vmtui help` lists the commands."),
			   argv[0]);
	return NULL;
}


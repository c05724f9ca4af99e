/*
 * vm.h — what a VM is (its spec, disks, boot order; domain XML built and
 * read with libxml2), the OS defaults, and the VM operations.  The
 * operations block on libvirt: run them as jobs.
 */
#pragma once

#include <libvirt/libvirt.h>

#include "core/error.h"

struct engine;
struct job;

/* ---- VM description ---------------------------------------------------- */

enum vm_firmware { FIRMWARE_BIOS, FIRMWARE_UEFI };

struct vm_disk {
	char *path;
	char *format;     /* "qcow2", "raw", ... never probed */
	char *bus;        /* "virtio", "sata", "ide" */
	bool cdrom;
	bool readonly;
	bool owned;       /* created by vmtui: removed with the VM */
	uint64_t capacity; /* bytes, when known */
	char *backing;    /* qcow2 overlay: its backing image (a template's
			   * base), written as an explicit <backingStore>
			   * so libvirt never probes the chain */
	char *backing_format;
	char *target;     /* as read: the device name, e.g. "vda", "sdb" */
	char *cache;      /* QEMU's cache mode ("none", "writeback", ...);
			   * NULL: libvirt's default */
	bool discard;     /* the guest's discards free space in the file */
};

/* How a NIC reaches a network (net/ parses and checks the modes). */
enum vm_net_mode {
	NET_NAT,      /* QEMU's user-mode network: <interface type='user'> */
	NET_LAB,      /* a vmtui lab network: its bridge, or on a daemon URI
		       * the libvirt network of the same name */
	NET_BRIDGE,   /* an existing host bridge: type='bridge' */
	NET_MACVTAP,  /* type='direct' on a host device, mode bridge */
	NET_NETWORK,  /* a libvirt network of a daemon: type='network' */
	NET_OTHER,    /* anything else another client defined */
};

struct vm_nic {
	enum vm_net_mode mode;
	char *source;     /* lab, bridge, device or network name; NULL for nat */
	char *type;       /* libvirt's interface type as read ("user", ...) */
	char *mac;
	char *model;      /* "virtio", "e1000e", ... */
	unsigned mtu;     /* 0: the default */
	unsigned queues;  /* multiqueue virtio-net; 0: one queue */
	unsigned vlan;    /* 802.1Q tag; 0: none */
	unsigned bandwidth; /* KiB/s each way (libvirt's average); 0: none */
	bool link_down;
	/* lab:NAME on a loopback segment (a lab without root: see net/hub.c):
	 * the lab's hub and this NIC's own UDP port on 127.0.0.1; 0 on a
	 * bridge lab */
	unsigned hub_port, port;
	char *target;     /* live: the host side, e.g. vnet0 */
	char *alias;      /* live: libvirt's device alias, e.g. net0 (its
			   * QEMU netdev is "host" and the alias) */
};

/* Where a guest address was learnt (net/ finds them; the model keeps
 * them).  In the order they are asked: the first source that knows a
 * NIC's addresses gives them. */
enum vm_addr_source {
	VM_ADDR_AGENT,   /* the guest agent: what the guest has configured */
	VM_ADDR_LAB,     /* the DHCP leases of vmtui's lab network */
	VM_ADDR_LEASE,   /* a libvirt daemon's DHCP leases */
	VM_ADDR_NAT,     /* a nat NIC: QEMU's user-mode network always gives
			  * 10.0.2.15, which the host cannot reach */
};
#define VM_ADDR_SOURCE_COUNT 4

/* One address of one NIC of a running guest.  Every field was checked:
 * @addr is an IPv4 or IPv6 address in its canonical text form, whatever
 * the guest sent. */
struct vm_addr {
	char *mac;        /* the NIC's, lower case */
	char *addr;
	unsigned prefix;  /* 0 to 32, or 0 to 128 for IPv6 */
	bool ipv6;
	enum vm_addr_source source;
};

void vm_addr_free(struct vm_addr *a);
struct vm_addr *vm_addr_copy(const struct vm_addr *a);
/* A copy of @addrs (struct vm_addr, may be NULL: NULL); caller unrefs. */
GPtrArray *vm_addrs_copy(const GPtrArray *addrs);
/* The address of @addrs worth showing in one column: the first IPv4 one
 * the host can reach, else such an IPv6 one, else a nat NIC's; NULL when
 * there is none.  Points into @addrs. */
const struct vm_addr *vm_addrs_best(const GPtrArray *addrs);
/* The source's id for JSON and scripts ("agent", "lab", "lease", "nat");
 * static, never translated. */
const char *vm_addr_source_id(enum vm_addr_source source);
/* The source for people ("guest agent", ...), translated; static. */
const char *vm_addr_source_label(enum vm_addr_source source);

/* The bridge of lab network @lab on an engine of this host ("vtl-" and
 * the name: lab names are short enough for a network interface name). */
#define NET_LAB_BRIDGE_PREFIX "vtl-"
/* The libvirt network of lab @lab on a daemon URI. */
#define NET_LAB_NETWORK_PREFIX "vmtui-"
/* A NIC on lab @lab's loopback segment: a udp interface with the user
 * alias "ua-vtl-" and the name (the lab's name chars are all allowed in
 * an alias; one NIC per segment and VM). */
#define NET_LAB_SEGMENT_ALIAS "ua-vtl-"

/* vmtui's XML namespace: its facts about a VM in the domain's <metadata>. */
#define VMTUI_NS "https://vmtui.org/xmlns/vm/1"

/* A port forward of a nat NIC: QEMU's user-mode network listens on
 * @address:@host_port of the host and connects to @guest_port of the
 * guest.  Kept in vmtui's metadata; net/forward.c sets them up live after
 * every start (QEMU forgets them when it exits). */
struct vm_forward {
	bool udp;
	char *address;        /* host address it binds, e.g. "127.0.0.1" */
	unsigned host_port;
	unsigned guest_port;
	char *nic;            /* MAC of the nat NIC it belongs to */
	int live;             /* set by net_forward_list: 1 set up in the
			       * running QEMU, 0 missing there, -1 the VM
			       * does not run (or it cannot be told) */
};

void vm_forward_free(struct vm_forward *f);
struct vm_forward *vm_forward_copy(const struct vm_forward *f);
DEFINE_AUTOPTR(vm_forward, vm_forward_free)

void vm_disk_free(struct vm_disk *d);
struct vm_disk *vm_disk_copy(const struct vm_disk *d);

void vm_nic_free(struct vm_nic *nic);
struct vm_nic *vm_nic_copy(const struct vm_nic *nic);
DEFINE_AUTOPTR(vm_nic, vm_nic_free)

/* Devices the firmware can boot from, as in libvirt's <os><boot dev=…>. */
enum vm_boot_dev { BOOT_HD, BOOT_CDROM, BOOT_NETWORK, BOOT_FD };
#define BOOT_DEV_COUNT 4

/* A boot order: @dev[0] is tried first; each device appears at most once.
 * n == 0 means "not set" (libvirt's or domxml_build's default). */
struct vm_boot {
	unsigned n;
	enum vm_boot_dev dev[BOOT_DEV_COUNT];
};

/* libvirt's name of a boot device ("hd", "cdrom", "network", "fd"), for
 * XML and JSON; static, never translated. */
const char *vm_boot_dev_id(enum vm_boot_dev dev);
/* The device's name for people ("hard disk", ...), translated; static. */
const char *vm_boot_dev_label(enum vm_boot_dev dev);

/* What `create` builds and what `info` shows. */
struct vm_spec {
	char *name;
	char *uuid;        /* set after define or parse */
	char *description;
	char *os_variant;  /* libosinfo short id, e.g. "debian12" */
	char *domain_type; /* "kvm", "qemu" or "test" */
	unsigned vcpus;
	unsigned max_vcpus;
	uint64_t memory_mib;
	uint64_t max_memory_mib;
	enum vm_firmware firmware;
	GPtrArray *disks;  /* of struct vm_disk */
	char *kernel, *initrd, *cmdline;
	GPtrArray *nics;   /* of struct vm_nic, in the guest's order */
	bool agent;        /* a guest agent channel (org.qemu.guest_agent.0) */
	bool agent_connected; /* live: something in the guest has that port
			       * open (QEMU's view, which libvirt keeps) */
	bool graphics;     /* VNC on 127.0.0.1 */
	int vnc_port;      /* live port, -1 if none */
	char *vnc_listen;  /* address it listens on, when known */
	char *serial_log;  /* file the serial console is copied to */
	char *disk_bus;    /* default bus for new disks */
	char *numa_nodeset; /* host NUMA nodes its memory is bound to, or NULL */
	char *nvram;       /* a UEFI VM's variables file, when the XML names it */
	bool hugepages;    /* its memory is backed by huge pages */
	struct vm_boot boot; /* read from <os><boot> or derived from the
			      * devices' <boot order>; n == 0 when unset */
	char *template_name; /* <metadata>: the template it was provisioned
			      * from (its disk is an overlay on that base) */
	char *lab_address;   /* <metadata>: its intended lab address */
	GPtrArray *forwards; /* <metadata>: struct vm_forward, its port
			      * forwards (net/forward.c) */
};

struct vm_spec *vm_spec_new(void);
void vm_spec_free(struct vm_spec *spec);
DEFINE_AUTOPTR(vm_spec, vm_spec_free)
struct vm_disk *vm_spec_add_disk(struct vm_spec *spec, const char *path,
				 const char *format, bool cdrom);
/* Adds a NIC of @mode on @source (copied; NULL for nat) with @model. */
struct vm_nic *vm_spec_add_nic(struct vm_spec *spec, enum vm_net_mode mode,
			       const char *source, const char *model);
/* The first NIC, or NULL when the VM has none. */
const struct vm_nic *vm_spec_nic(const struct vm_spec *spec);

/* Builds domain XML for @spec with libxml2 (every user value goes in as a
 * text node or attribute).  Returns the XML (caller frees) or NULL with an
 * error recorded. */
char *domxml_build(const struct vm_spec *spec);
/* Free PCIe root ports every q35 VM vmtui defines has: one per device
 * that can be hot-plugged later (libvirt leaves one free). */
#define DOMXML_SPARE_PORTS 6
/* Domain XML @xml as libvirt wrote it (PCI addresses given) with more
 * PCIe root ports when fewer than @want are free, or NULL when @want
 * are (or it has no PCIe root ports: not q35). */
char *domxml_spare_ports(const char *xml, int want);
/* The <disk> element of @d alone, as @d->target on @d->bus (default
 * virtio), for hot-plug; caller frees. */
char *domxml_disk(const struct vm_disk *d);
/* Domain XML @xml with its disk @target on the file @path of @format
 * (its <backingStore> dropped).  Caller frees; NULL with an error. */
char *domxml_set_disk_file(const char *xml, const char *target, const char *path,
			   const char *format);
/* Domain XML @xml with @path recorded (@owned) as a disk vmtui created,
 * which `delete --remove-disks` removes, or no longer recorded.  Caller
 * frees; NULL with an error. */
char *domxml_set_disk_owned(const char *xml, const char *path, bool owned);
/* Domain XML @xml with its memory bound to the host NUMA nodes @nodeset
 * ("0-1,3"; "" removes the binding; NULL leaves it) and backed by huge
 * pages or not (@hugepages 1 or 0; -1 leaves it).  Caller frees; NULL
 * with an error. */
char *domxml_set_memory_tuning(const char *xml, const char *nodeset, int hugepages);
/* The <interface> element of @nic alone (for hot-plug); caller frees. */
char *domxml_nic(const struct vm_nic *nic);
/* The <interface> element of the NIC with @mac in domain XML @xml, as
 * libvirt wrote it (for detach and update); NULL when there is none. */
char *domxml_find_nic(const char *xml, const char *mac);
/* Domain XML @xml with its NICs replaced by @nics (struct vm_nic, in
 * order, where the old ones were; a boot order on the old NIC at the same
 * place is kept).  NULL with an error. */
char *domxml_set_nics(const char *xml, const GPtrArray *nics);
/* @nic_xml (one <interface>) with its link state set; caller frees. */
char *domxml_nic_set_link(const char *nic_xml, bool up);
/* Domain XML @xml with the forwards in vmtui's metadata replaced by
 * @forwards (struct vm_forward); everything else is kept, and vmtui's
 * metadata element is made when another client defined the VM.  Caller
 * frees; NULL with an error. */
char *domxml_set_forwards(const char *xml, const GPtrArray *forwards);
/* Parses libvirt domain XML into a new spec.  NULL with an error on
 * malformed XML. */
struct vm_spec *domxml_parse(const char *xml);

/* ---- OS defaults ------------------------------------------------------- */

struct os_defaults {
	unsigned vcpus;
	uint64_t memory_mib;
	uint64_t disk_bytes;
	const char *disk_bus;
	const char *nic_model;
	char *name;        /* human name of the OS, caller frees via fini */
};
/* Fills @out for @variant (NULL: generic Linux).  Returns 0, or -1 with a
 * usage error when @variant is no short id (1 to 64 letters, digits, '.',
 * '-', '_' or '+') or libosinfo does not know it.  Falls back to built-in
 * defaults when vmtui was built without libosinfo. */
int os_defaults_get(const char *variant, struct os_defaults *out);
void os_defaults_fini(struct os_defaults *out);
/* "short-id\tName" for each OS libosinfo knows whose id or name contains
 * @search (NULL: all), sorted; empty without libosinfo. */
GPtrArray *os_list(const char *search);

/* ---- VM operations (blocking; run them as jobs) ------------------------- */

/* A new qcow2 disk of @bytes for VM @name: a file in vmtui's disks
 * folder on the embedded engine, a volume of the engine's pool on a
 * daemon URI.  Its path (caller frees), or NULL with an error. */
char *disk_create(struct engine *eng, const char *name, uint64_t bytes);
/* Removes the disk at @path (the file, or the pool's volume). */
int disk_remove(struct engine *eng, const char *path);

/* Looks up a VM by name or UUID.  NULL with CORE_ERR_NOT_FOUND. */
virDomainPtr vm_lookup(struct engine *eng, const char *name);
/* The same, once libvirt is done reconnecting to it (the first calls of
 * a new process on the embedded engine otherwise race that reconnect):
 * what every call that changes a VM looks it up with. */
virDomainPtr vm_lookup_settled(struct engine *eng, const char *name);
/* Every VM of @eng, as its definition for the next start says (one whose
 * definition cannot be read has only its name and UUID), sorted by name:
 * struct vm_spec (caller unrefs).  NULL with an error when the engine
 * cannot list them, never an empty list in its stead. */
GPtrArray *vm_list(struct engine *eng);
/* Whether a VM named (or with the UUID) @name exists; the error of the
 * lookup stays recorded when not. */
bool vm_exists(struct engine *eng, const char *name);
/* The name of the VM with @uuid (caller frees), or NULL. */
char *vm_name_by_uuid(struct engine *eng, const char *uuid);

/* Creates the disks @spec asks for (entries with owned set and no file yet
 * get a new qcow2 of their capacity) and defines the VM.  On any failure
 * nothing is left behind.  Returns 0 or -1. */
int vm_create(struct engine *eng, struct vm_spec *spec, struct job *job);
int vm_start(struct engine *eng, const char *name);
/* Sends an ACPI power-button request and waits up to @timeout_s for the
 * guest to power off; CORE_ERR_TIMEOUT when it ignores the request. */
int vm_shutdown(struct engine *eng, const char *name, int timeout_s,
		struct job *job);
int vm_destroy(struct engine *eng, const char *name);
int vm_reboot(struct engine *eng, const char *name);
int vm_reset(struct engine *eng, const char *name);
int vm_suspend(struct engine *eng, const char *name);
int vm_resume(struct engine *eng, const char *name);
/* Removes the definition; with @remove_disks also the disks vmtui created
 * (other images are kept and listed in the result).  A running VM is
 * refused unless @force, which powers it off first. */
int vm_delete(struct engine *eng, const char *name, bool remove_disks,
	      bool force, char **report);
int vm_rename(struct engine *eng, const char *name, const char *new_name);
/* Checks @vcpus and @mem_mib (0: not given) against vmtui's limits and
 * @eng's host (NULL: vmtui's limits only), as create and vm_set do, for
 * anything that will make VMs of that size.  0, or -1 with a usage error
 * saying which limit. */
int vm_check_resources(struct engine *eng, unsigned vcpus, uint64_t mem_mib);
/* Whether a VM of @mib MiB backed by huge pages can start on @eng's
 * machine now: a hugetlbfs mounted and enough free pages (libvirt's own
 * error says neither).  0 (also for a remote engine), or -1 with an
 * error saying what to do. */
int vm_hugepages_check(struct engine *eng, uint64_t mib);
/* What vm_set changes; 0 and NULL leave a field as it is. */
struct vm_change {
	unsigned vcpus, max_vcpus;
	uint64_t memory_mib, max_memory_mib;
	const char *description;     /* "" removes it */
	const struct vm_boot *boot;  /* see core_parse_boot */
};
/* Changes what @c gives, live when the VM runs and the change can be
 * made live, and always in the persistent definition.
 * - vCPUs and memory: a running VM gets vCPUs hot-plugged (or unplugged)
 *   and its memory ballooned, up to its maximum; the maximum (the
 *   max_ fields) changes from the next start only.  Without a max_
 *   field, a maximum equal to the old value follows the new one, and a
 *   larger one (room for hot-plug) stays unless the new value exceeds it.
 * - A new boot order replaces both forms libvirt knows (the devices'
 *   <boot order> and <os><boot>) with <os><boot> elements, and only
 *   reaches a running guest at its next power cycle.
 * *@needs_restart tells whether part of it waits for one. */
int vm_set(struct engine *eng, const char *name, const struct vm_change *c,
	   bool *needs_restart);
/* Parsed description of a VM (live when running).  Caller frees. */
struct vm_spec *vm_describe(struct engine *eng, const char *name,
			    int *state, int *reason);
/* Domain XML; caller frees. */
char *vm_dumpxml(struct engine *eng, const char *name, bool inactive);

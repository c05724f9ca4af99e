/*
 * domxml.c — domain XML written with libxml2's tree API and read back with
 * XPath.  User values (names, paths, descriptions, command lines) only ever
 * enter the document as text nodes or attribute values, so quotes, '<',
 * '&', "]]>" and non-ASCII text are escaped by libxml2, not by us.
 *
 * vmtui's own facts about a VM (its OS variant, which disks it created)
 * live in <metadata> under its namespace, so they survive define/dumpxml
 * and travel with the domain to any other libvirt client.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/vm.h"
#include "core/i18n.h"

/* ---- spec objects -------------------------------------------------------- */

void vm_disk_free(struct vm_disk *d)
{

	if (!d)
		return;
	g_free(d->path);
	g_free(d->format);
	g_free(d->bus);
	g_free(d->backing);
	g_free(d->backing_format);
	g_free(d->target);
	g_free(d->cache);
	g_free(d);
}

struct vm_disk *vm_disk_copy(const struct vm_disk *d)
{
	struct vm_disk *c = g_memdup2(d, sizeof *d);

	c->path = g_strdup(d->path);
	c->format = g_strdup(d->format);
	c->bus = g_strdup(d->bus);
	c->backing = g_strdup(d->backing);
	c->backing_format = g_strdup(d->backing_format);
	c->target = g_strdup(d->target);
	c->cache = g_strdup(d->cache);
	return c;
}

struct vm_spec *vm_spec_new(void)
{
	struct vm_spec *spec = g_new0(struct vm_spec, 1);

	spec->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vm_disk_free);
	spec->nics = g_ptr_array_new_with_free_func((GDestroyNotify)vm_nic_free);
	spec->forwards = g_ptr_array_new_with_free_func((GDestroyNotify)vm_forward_free);
	spec->vnc_port = -1;
	return spec;
}

void vm_spec_free(struct vm_spec *spec)
{
	if (!spec)
		return;
	g_free(spec->name);
	g_free(spec->uuid);
	g_free(spec->description);
	g_free(spec->os_variant);
	g_free(spec->domain_type);
	g_ptr_array_unref(spec->disks);
	g_free(spec->kernel);
	g_free(spec->initrd);
	g_free(spec->cmdline);
	g_ptr_array_unref(spec->nics);
	g_free(spec->serial_log);
	g_free(spec->vnc_listen);
	g_free(spec->disk_bus);
	g_free(spec->template_name);
	g_free(spec->lab_address);
	g_free(spec->numa_nodeset);
	g_free(spec->nvram);
	g_ptr_array_unref(spec->forwards);
	g_free(spec);
}

struct vm_disk *vm_spec_add_disk(struct vm_spec *spec, const char *path,
				 const char *format, bool cdrom)
{
	struct vm_disk *d = g_new0(struct vm_disk, 1);

	d->path = g_strdup(path);
	d->format = g_strdup(format);
	d->cdrom = cdrom;
	d->readonly = cdrom;
	g_ptr_array_add(spec->disks, d);
	return d;
}

void vm_nic_free(struct vm_nic *nic)
{
	if (!nic)
		return;
	g_free(nic->source);
	g_free(nic->type);
	g_free(nic->mac);
	g_free(nic->model);
	g_free(nic->target);
	g_free(nic->alias);
	g_free(nic);
}

void vm_forward_free(struct vm_forward *f)
{
	if (!f)
		return;
	g_free(f->address);
	g_free(f->nic);
	g_free(f);
}

struct vm_forward *vm_forward_copy(const struct vm_forward *f)
{
	struct vm_forward *c = g_memdup2(f, sizeof *f);

	c->address = g_strdup(f->address);
	c->nic = g_strdup(f->nic);
	return c;
}

struct vm_nic *vm_nic_copy(const struct vm_nic *nic)
{
	struct vm_nic *c = g_memdup2(nic, sizeof *nic);

	c->source = g_strdup(nic->source);
	c->type = g_strdup(nic->type);
	c->mac = g_strdup(nic->mac);
	c->model = g_strdup(nic->model);
	c->target = g_strdup(nic->target);
	c->alias = g_strdup(nic->alias);
	return c;
}

void vm_addr_free(struct vm_addr *a)
{
	if (!a)
		return;
	g_free(a->mac);
	g_free(a->addr);
	g_free(a);
}

struct vm_addr *vm_addr_copy(const struct vm_addr *a)
{
	struct vm_addr *c = g_memdup2(a, sizeof *a);

	c->mac = g_strdup(a->mac);
	c->addr = g_strdup(a->addr);
	return c;
}

GPtrArray *vm_addrs_copy(const GPtrArray *addrs)
{
	GPtrArray *c;

	if (!addrs)
		return NULL;
	c = g_ptr_array_new_full(addrs->len, (GDestroyNotify)vm_addr_free);
	for (guint i = 0; i < addrs->len; i++)
		g_ptr_array_add(c, vm_addr_copy(addrs->pdata[i]));
	return c;
}

const struct vm_addr *vm_addrs_best(const GPtrArray *addrs)
{
	/* reachable IPv4, reachable IPv6, then what a nat NIC has */
	for (int pass = 0; addrs && pass < 3; pass++)
		for (guint i = 0; i < addrs->len; i++) {
			const struct vm_addr *a = addrs->pdata[i];
			bool nat = a->source == VM_ADDR_NAT;

			if ((pass == 0 && !nat && !a->ipv6) ||
			    (pass == 1 && !nat && a->ipv6) || (pass == 2 && nat))
				return a;
		}
	return NULL;
}

/* Ids and labels of enum vm_addr_source, in its order. */
static const struct {
	const char *id, *label;
} addr_sources[VM_ADDR_SOURCE_COUNT] = {
	[VM_ADDR_AGENT] = { "agent", N_("guest agent") },
	[VM_ADDR_LAB] = { "lab", N_("lab DHCP") },
	[VM_ADDR_LEASE] = { "lease", N_("DHCP lease") },
	/* TRANSLATORS: the source of 10.0.2.15, which the host cannot reach */
	[VM_ADDR_NAT] = { "nat", N_("nat (user-mode), not reachable from the host") },
};

const char *vm_addr_source_id(enum vm_addr_source source)
{
	switch (source) {
	case VM_ADDR_AGENT:
	case VM_ADDR_LAB:
	case VM_ADDR_LEASE:
	case VM_ADDR_NAT:
		return addr_sources[source].id;
	}
	return "?";
}

const char *vm_addr_source_label(enum vm_addr_source source)
{
	switch (source) {
	case VM_ADDR_AGENT:
	case VM_ADDR_LAB:
	case VM_ADDR_LEASE:
	case VM_ADDR_NAT:
		return _(addr_sources[source].label);
	}
	return "?";
}

struct vm_nic *vm_spec_add_nic(struct vm_spec *spec, enum vm_net_mode mode,
			       const char *source, const char *model)
{
	struct vm_nic *nic = g_new0(struct vm_nic, 1);

	nic->mode = mode;
	nic->source = g_strdup(source);
	nic->model = g_strdup(model);
	g_ptr_array_add(spec->nics, nic);
	return nic;
}

const struct vm_nic *vm_spec_nic(const struct vm_spec *spec)
{
	return spec->nics->len ? g_ptr_array_index(spec->nics, 0) : NULL;
}

/* ---- writing ----------------------------------------------------------- */

/* Adds <name>text</name> under @parent; text is escaped by libxml2. */
static xmlNodePtr add_text(xmlNodePtr parent, const char *name,
			   const char *text)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);

	if (text)
		xmlAddChild(n, xmlNewText(BAD_CAST text));
	return n;
}

static void set_attr(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static xmlNodePtr add_uint(xmlNodePtr parent, const char *name, uint64_t v,
			   const char *unit)
{
	char buf[32];
	xmlNodePtr n;

	g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
	n = add_text(parent, name, buf);
	if (unit)
		set_attr(n, "unit", unit);
	return n;
}

/* Target device name for the @index-th disk on @bus: vda, sdb, ... */
static char *target_name(const char *bus, unsigned index)
{
	const char *prefix = strcmp(bus, "virtio") == 0 ? "vd" : "sd";

	if (index < 26)
		return g_strdup_printf("%s%c", prefix, 'a' + index);
	return g_strdup_printf("%s%c%c", prefix, 'a' + index / 26 - 1,
			       'a' + index % 26);
}

/* One <disk> of @d as @dev on @bus under @parent. */
static void add_disk(xmlNodePtr parent, const struct vm_disk *d, const char *dev, const char *bus)
{
	xmlNodePtr disk = xmlNewChild(parent, NULL, BAD_CAST "disk", NULL);
	xmlNodePtr n;

	set_attr(disk, "type", "file");
	set_attr(disk, "device", d->cdrom ? "cdrom" : "disk");
	n = xmlNewChild(disk, NULL, BAD_CAST "driver", NULL);
	set_attr(n, "name", "qemu");
	/* Always name the format: QEMU must never probe it. */
	set_attr(n, "type", d->format ? d->format : "raw");
	if (d->cache)
		set_attr(n, "cache", d->cache);
	if (d->discard)
		set_attr(n, "discard", "unmap");
	if (d->path) {
		n = xmlNewChild(disk, NULL, BAD_CAST "source", NULL);
		set_attr(n, "file", d->path);
	}
	n = xmlNewChild(disk, NULL, BAD_CAST "target", NULL);
	set_attr(n, "dev", dev);
	set_attr(n, "bus", bus);
	if (d->backing) {
		/* the whole chain, formats named: nothing probed */
		xmlNodePtr b = xmlNewChild(disk, NULL, BAD_CAST "backingStore", NULL);

		set_attr(b, "type", "file");
		set_attr(xmlNewChild(b, NULL, BAD_CAST "format", NULL), "type",
			 d->backing_format ? d->backing_format : "qcow2");
		set_attr(xmlNewChild(b, NULL, BAD_CAST "source", NULL), "file",
			 d->backing);
		xmlNewChild(b, NULL, BAD_CAST "backingStore", NULL);
	}
	if (d->readonly)
		xmlNewChild(disk, NULL, BAD_CAST "readonly", NULL);
}

char *domxml_disk(const struct vm_disk *d)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "devices");
	xmlBufferPtr buf = xmlBufferCreate();
	char *out = NULL;

	xmlDocSetRootElement(doc, root);
	add_disk(root, d, d->target, d->bus ? d->bus : "virtio");
	if (xmlNodeDump(buf, doc, root->children, 0, 0) > 0)
		out = g_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

/* A virtio-scsi controller: libvirt would otherwise pick an LSI one for
 * a SCSI disk, which the guest kernels we care about (cloud kernels)
 * lack. */
static void add_scsi_controller(xmlNodePtr devices)
{
	xmlNodePtr c = xmlNewChild(devices, NULL, BAD_CAST "controller", NULL);

	set_attr(c, "type", "scsi");
	set_attr(c, "index", "0");
	set_attr(c, "model", "virtio-scsi");
}

static void build_disks(xmlNodePtr devices, const struct vm_spec *spec, bool test)
{
	unsigned virtio_n = 0, scsi_n = 0;
	bool scsi = false;

	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);
		const char *bus = d->bus ? d->bus :
			d->cdrom ? "sata" :
			spec->disk_bus ? spec->disk_bus : "virtio";
		g_autofree char *dev = NULL;

		if (strcmp(bus, "virtio") == 0)
			dev = target_name(bus, virtio_n++);
		else
			dev = target_name(bus, scsi_n++);
		add_disk(devices, d, dev, bus);
		scsi |= strcmp(bus, "scsi") == 0;
	}
	/* every VM on q35 gets one, so that SCSI disks can be added later,
	 * live and without a PCI slot */
	if (scsi || !test)
		add_scsi_controller(devices);

}

static void set_uint_attr(xmlNodePtr n, const char *name, unsigned v)
{
	char buf[16];

	g_snprintf(buf, sizeof buf, "%u", v);
	set_attr(n, name, buf);
}

/* <interface> for @nic under @parent; false for a mode vmtui cannot write
 * (NET_OTHER: another client's device, kept as libvirt has it). */
static bool build_nic(xmlNodePtr parent, const struct vm_nic *nic)
{
	xmlNodePtr n, c;
	g_autofree char *bridge = NULL;

	switch (nic->mode) {
	case NET_NAT:
		/* user-mode NAT: works without a network driver or root */
		n = xmlNewChild(parent, NULL, BAD_CAST "interface", NULL);
		set_attr(n, "type", "user");
		break;
	case NET_LAB:
		if (nic->hub_port) {
			/* a segment: frames in UDP datagrams to the lab's hub,
			 * the lab named by the device's user alias */
			g_autofree char *alias = g_strconcat(NET_LAB_SEGMENT_ALIAS, nic->source, NULL);

			n = xmlNewChild(parent, NULL, BAD_CAST "interface", NULL);
			set_attr(n, "type", "udp");
			c = xmlNewChild(n, NULL, BAD_CAST "source", NULL);
			set_attr(c, "address", "127.0.0.1");
			set_uint_attr(c, "port", nic->hub_port);
			c = xmlNewChild(c, NULL, BAD_CAST "local", NULL);
			set_attr(c, "address", "127.0.0.1");
			set_uint_attr(c, "port", nic->port);
			set_attr(xmlNewChild(n, NULL, BAD_CAST "alias", NULL), "name", alias);
			break;
		}
		/* fall through */
	case NET_BRIDGE:
		n = xmlNewChild(parent, NULL, BAD_CAST "interface", NULL);
		set_attr(n, "type", "bridge");
		if (nic->mode == NET_LAB)
			bridge = g_strconcat(NET_LAB_BRIDGE_PREFIX, nic->source, NULL);
		set_attr(xmlNewChild(n, NULL, BAD_CAST "source", NULL), "bridge",
			 bridge ? bridge : nic->source);
		break;
	case NET_MACVTAP:
		n = xmlNewChild(parent, NULL, BAD_CAST "interface", NULL);
		set_attr(n, "type", "direct");
		c = xmlNewChild(n, NULL, BAD_CAST "source", NULL);
		set_attr(c, "dev", nic->source);
		set_attr(c, "mode", "bridge");
		break;
	case NET_NETWORK:
		n = xmlNewChild(parent, NULL, BAD_CAST "interface", NULL);
		set_attr(n, "type", "network");
		set_attr(xmlNewChild(n, NULL, BAD_CAST "source", NULL), "network",
			 nic->source);
		break;
	default:
		return false;
	}
	if (nic->mac)
		set_attr(xmlNewChild(n, NULL, BAD_CAST "mac", NULL), "address", nic->mac);
	set_attr(xmlNewChild(n, NULL, BAD_CAST "model", NULL), "type",
		 nic->model ? nic->model : "virtio");
	if (nic->queues > 1)
		set_uint_attr(xmlNewChild(n, NULL, BAD_CAST "driver", NULL), "queues",
			      nic->queues);
	if (nic->mtu)
		set_uint_attr(xmlNewChild(n, NULL, BAD_CAST "mtu", NULL), "size", nic->mtu);
	if (nic->vlan) {
		c = xmlNewChild(n, NULL, BAD_CAST "vlan", NULL);
		set_uint_attr(xmlNewChild(c, NULL, BAD_CAST "tag", NULL), "id", nic->vlan);
	}
	if (nic->bandwidth) {
		c = xmlNewChild(n, NULL, BAD_CAST "bandwidth", NULL);
		set_uint_attr(xmlNewChild(c, NULL, BAD_CAST "inbound", NULL), "average", nic->bandwidth);
		set_uint_attr(xmlNewChild(c, NULL, BAD_CAST "outbound", NULL), "average", nic->bandwidth);
	}
	if (nic->link_down)
		set_attr(xmlNewChild(n, NULL, BAD_CAST "link", NULL), "state", "down");
	return true;
}

char *domxml_nic(const struct vm_nic *nic)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "devices");
	xmlBufferPtr buf;
	char *out = NULL;

	xmlDocSetRootElement(doc, root);
	if (!build_nic(root, nic)) {
		core_error(CORE_ERR_USAGE, _("vmtui cannot write a network interface of this kind."));
		xmlFreeDoc(doc);
		return NULL;
	}
	buf = xmlBufferCreate();
	if (xmlNodeDump(buf, doc, root->children, 0, 0) > 0)
		out = g_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

static void build_devices(xmlNodePtr dom, const struct vm_spec *spec, bool test)
{
	xmlNodePtr devices = xmlNewChild(dom, NULL, BAD_CAST "devices", NULL);
	xmlNodePtr n, c;

	build_disks(devices, spec, test);
	for (guint i = 0; i < spec->nics->len; i++)
		build_nic(devices, g_ptr_array_index(spec->nics, i));
	if (spec->agent) {
		/* the guest agent: addresses, host name, quiesced snapshots */
		n = xmlNewChild(devices, NULL, BAD_CAST "channel", NULL);
		set_attr(n, "type", "unix");
		c = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
		set_attr(c, "type", "virtio");
		set_attr(c, "name", "org.qemu.guest_agent.0");
	}
	n = xmlNewChild(devices, NULL, BAD_CAST "serial", NULL);
	set_attr(n, "type", "pty");
	if (spec->serial_log) {
		c = xmlNewChild(n, NULL, BAD_CAST "log", NULL);
		set_attr(c, "file", spec->serial_log);
		set_attr(c, "append", "on");
	}
	c = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
	set_attr(c, "port", "0");
	n = xmlNewChild(devices, NULL, BAD_CAST "console", NULL);
	set_attr(n, "type", "pty");
	c = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
	set_attr(c, "type", "serial");
	set_attr(c, "port", "0");
	if (spec->graphics) {
		n = xmlNewChild(devices, NULL, BAD_CAST "input", NULL);
		set_attr(n, "type", "tablet");
		set_attr(n, "bus", "usb");
		n = xmlNewChild(devices, NULL, BAD_CAST "graphics", NULL);
		set_attr(n, "type", "vnc");
		set_attr(n, "autoport", "yes");
		c = xmlNewChild(n, NULL, BAD_CAST "listen", NULL);
		set_attr(c, "type", "address");
		set_attr(c, "address", "127.0.0.1");
		n = xmlNewChild(devices, NULL, BAD_CAST "video", NULL);
		c = xmlNewChild(n, NULL, BAD_CAST "model", NULL);
		set_attr(c, "type", "vga");
	}
	n = xmlNewChild(devices, NULL, BAD_CAST "memballoon", NULL);
	set_attr(n, "model", "virtio");
	/* the guest's own figures (free, usable) for info, every 5 s */
	if (!test)
		set_attr(xmlNewChild(n, NULL, BAD_CAST "stats", NULL), "period", "5");
}

/* Appends <boot dev=…/> to <os> for each device of @boot, in order. */
static void add_boot(xmlNodePtr os, const struct vm_boot *boot)
{
	for (unsigned i = 0; i < boot->n; i++)
		set_attr(xmlNewChild(os, NULL, BAD_CAST "boot", NULL), "dev",
			 vm_boot_dev_id(boot->dev[i]));
}

/* Serialises @doc without an XML declaration; caller frees. */
static char *doc_to_string(xmlDocPtr doc)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *out;

	xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
	out = g_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

/* <vmtui:forward proto= address= host= guest= nic=/> for each of
 * @forwards under @vm. */
static void add_forwards(xmlNodePtr vm, xmlNsPtr ns, const GPtrArray *forwards)
{
	for (guint i = 0; forwards && i < forwards->len; i++) {
		const struct vm_forward *f = forwards->pdata[i];
		xmlNodePtr n = xmlNewChild(vm, ns, BAD_CAST "forward", NULL);

		set_attr(n, "proto", f->udp ? "udp" : "tcp");
		set_attr(n, "address", f->address ? f->address : "127.0.0.1");
		set_uint_attr(n, "host", f->host_port);
		set_uint_attr(n, "guest", f->guest_port);
		if (f->nic)
			set_attr(n, "nic", f->nic);
	}
}

char *domxml_build(const struct vm_spec *spec)
{
	xmlDocPtr doc;
	xmlNodePtr dom, n, os, meta, vm;
	xmlNsPtr ns;
	bool test = spec->domain_type && strcmp(spec->domain_type, "test") == 0;
	char *out;

	if (!spec->name || !spec->vcpus || !spec->memory_mib) {
		core_error(CORE_ERR_USAGE,
			   _("A VM needs a name, vCPUs and memory."));
		return NULL;
	}
	doc = xmlNewDoc(BAD_CAST "1.0");
	dom = xmlNewNode(NULL, BAD_CAST "domain");
	xmlDocSetRootElement(doc, dom);
	set_attr(dom, "type", spec->domain_type ? spec->domain_type : "qemu");
	add_text(dom, "name", spec->name);
	if (spec->uuid)
		add_text(dom, "uuid", spec->uuid);
	if (spec->description && *spec->description)
		add_text(dom, "description", spec->description);

	meta = xmlNewChild(dom, NULL, BAD_CAST "metadata", NULL);
	vm = xmlNewChild(meta, NULL, BAD_CAST "vm", NULL);
	ns = xmlNewNs(vm, BAD_CAST VMTUI_NS, BAD_CAST "vmtui");
	xmlSetNs(vm, ns);
	if (spec->os_variant)
		xmlNewTextChild(vm, ns, BAD_CAST "os", BAD_CAST spec->os_variant);
	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (d->owned && d->path) {
			n = xmlNewChild(vm, ns, BAD_CAST "disk", NULL);
			set_attr(n, "path", d->path);
		}
	}
	if (spec->template_name)
		set_attr(xmlNewChild(vm, ns, BAD_CAST "template", NULL), "name",
			 spec->template_name);
	if (spec->lab_address)
		set_attr(xmlNewChild(vm, ns, BAD_CAST "lab", NULL), "address",
			 spec->lab_address);
	add_forwards(vm, ns, spec->forwards);

	add_uint(dom, "memory", spec->max_memory_mib > spec->memory_mib ?
		 spec->max_memory_mib : spec->memory_mib, "MiB");
	add_uint(dom, "currentMemory", spec->memory_mib, "MiB");
	n = add_uint(dom, "vcpu", spec->max_vcpus > spec->vcpus ?
		     spec->max_vcpus : spec->vcpus, NULL);
	set_attr(n, "placement", "static");
	if (spec->max_vcpus > spec->vcpus) {
		char buf[16];

		g_snprintf(buf, sizeof buf, "%u", spec->vcpus);
		set_attr(n, "current", buf);
	}

	os = xmlNewChild(dom, NULL, BAD_CAST "os", NULL);
	if (spec->firmware == FIRMWARE_UEFI && !test)
		set_attr(os, "firmware", "efi");
	n = add_text(os, "type", "hvm");
	set_attr(n, "arch", "x86_64");
	if (!test)
		set_attr(n, "machine", "q35");
	if (spec->kernel)
		add_text(os, "kernel", spec->kernel);
	if (spec->initrd)
		add_text(os, "initrd", spec->initrd);
	if (spec->cmdline && *spec->cmdline)
		add_text(os, "cmdline", spec->cmdline);
	if (spec->boot.n) {
		add_boot(os, &spec->boot);
	} else if (!spec->kernel) {
		/* default: the installer CD first when there is one */
		for (guint i = 0; i < spec->disks->len; i++) {
			const struct vm_disk *d = g_ptr_array_index(spec->disks, i);

			if (d->cdrom) {
				set_attr(xmlNewChild(os, NULL, BAD_CAST "boot", NULL),
					 "dev", "cdrom");
				break;
			}
		}
		set_attr(xmlNewChild(os, NULL, BAD_CAST "boot", NULL), "dev", "hd");
	}

	n = xmlNewChild(dom, NULL, BAD_CAST "features", NULL);
	xmlNewChild(n, NULL, BAD_CAST "acpi", NULL);
	xmlNewChild(n, NULL, BAD_CAST "apic", NULL);
	if (spec->domain_type && strcmp(spec->domain_type, "kvm") == 0)
		set_attr(xmlNewChild(dom, NULL, BAD_CAST "cpu", NULL), "mode",
			 "host-passthrough");
	set_attr(xmlNewChild(dom, NULL, BAD_CAST "clock", NULL), "offset", "utc");
	add_text(dom, "on_poweroff", "destroy");
	add_text(dom, "on_reboot", "restart");
	add_text(dom, "on_crash", "destroy");
	build_devices(dom, spec, test);

	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

/* ---- reading ----------------------------------------------------------- */

struct xpath {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

/* Reads domain XML: no network, no DTD loading, no entity substitution.
 * NULL when it is not well-formed or not a domain. */
static xmlDocPtr read_domain(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

	if (!root || strcmp((const char *)root->name, "domain") != 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* String value of @expr relative to @node (NULL: document); NULL if empty. */
static char *xp_string(struct xpath *xp, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr obj;
	char *out = NULL;

	xp->ctx->node = node ? node : xmlDocGetRootElement(xp->doc);
	obj = xmlXPathEvalExpression(BAD_CAST expr, xp->ctx);
	if (obj && obj->type == XPATH_NODESET && obj->nodesetval &&
	    obj->nodesetval->nodeNr > 0) {
		xmlChar *s = xmlNodeGetContent(obj->nodesetval->nodeTab[0]);

		if (s)
			out = g_strdup((const char *)s);
		xmlFree(s);
	}
	xmlXPathFreeObject(obj);
	return out;
}

static xmlXPathObjectPtr xp_nodes(struct xpath *xp, const char *expr)
{
	xp->ctx->node = xmlDocGetRootElement(xp->doc);
	return xmlXPathEvalExpression(BAD_CAST expr, xp->ctx);
}

/* Memory element in MiB, honouring its unit attribute. */
static uint64_t xp_mem_mib(struct xpath *xp, const char *elem)
{
	g_autofree char *expr = g_strdup_printf("/domain/%s", elem);
	g_autofree char *uexpr = g_strdup_printf("/domain/%s/@unit", elem);
	g_autofree char *v = xp_string(xp, NULL, expr);
	g_autofree char *unit = xp_string(xp, NULL, uexpr);
	uint64_t n;

	if (!v)
		return 0;
	n = g_ascii_strtoull(v, NULL, 10);
	if (!unit || strcmp(unit, "KiB") == 0 || strcmp(unit, "k") == 0)
		return n / 1024;
	if (strcmp(unit, "MiB") == 0 || strcmp(unit, "M") == 0)
		return n;
	if (strcmp(unit, "GiB") == 0 || strcmp(unit, "G") == 0)
		return n * 1024;
	if (strcmp(unit, "b") == 0 || strcmp(unit, "bytes") == 0)
		return n / (1024 * 1024);
	return n / 1024;
}

static void parse_disks(struct xpath *xp, struct vm_spec *spec)
{
	xmlXPathObjectPtr obj = xp_nodes(xp, "/domain/devices/disk");
	xmlXPathObjectPtr owned = xp_nodes(xp, "/domain/metadata/vmtui:vm/vmtui:disk/@path");

	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];
		g_autofree char *device = xp_string(xp, n, "@device");
		g_autofree char *path = xp_string(xp, n, "source/@file");
		g_autofree char *fmt = xp_string(xp, n, "driver/@type");
		g_autofree char *ro = xp_string(xp, n, "readonly");
		xmlXPathObjectPtr r;
		struct vm_disk *d;

		if (!path)
			path = xp_string(xp, n, "source/@dev");
		d = vm_spec_add_disk(spec, path, fmt,
				     device && strcmp(device, "cdrom") == 0);
		d->bus = xp_string(xp, n, "target/@bus");
		d->target = xp_string(xp, n, "target/@dev");
		d->cache = xp_string(xp, n, "driver/@cache");
		g_free(ro);
		ro = xp_string(xp, n, "driver/@discard");
		d->discard = ro && strcmp(ro, "unmap") == 0;
		d->backing = xp_string(xp, n, "backingStore/source/@file");
		d->backing_format = xp_string(xp, n, "backingStore/format/@type");
		xp->ctx->node = n;
		r = xmlXPathEvalExpression(BAD_CAST "readonly", xp->ctx);
		d->readonly = r && r->nodesetval && r->nodesetval->nodeNr > 0;
		xmlXPathFreeObject(r);
		for (int k = 0; path && owned && owned->nodesetval &&
		     k < owned->nodesetval->nodeNr; k++) {
			xmlChar *p = xmlNodeGetContent(owned->nodesetval->nodeTab[k]);

			if (p && strcmp((const char *)p, path) == 0)
				d->owned = true;
			xmlFree(p);
		}
	}
	xmlXPathFreeObject(owned);
	xmlXPathFreeObject(obj);
}

static unsigned xp_uint(struct xpath *xp, xmlNodePtr node, const char *expr)
{
	g_autofree char *v = xp_string(xp, node, expr);
	guint64 n = v ? g_ascii_strtoull(v, NULL, 10) : 0;

	return n > G_MAXUINT ? 0 : (unsigned)n;
}

static void parse_nics(struct xpath *xp, struct vm_spec *spec)
{
	xmlXPathObjectPtr obj = xp_nodes(xp, "/domain/devices/interface");

	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];
		struct vm_nic *nic = g_new0(struct vm_nic, 1);
		g_autofree char *link = xp_string(xp, n, "link/@state");
		g_autofree char *alias = NULL;

		nic->type = xp_string(xp, n, "@type");
		nic->mode = NET_OTHER;
		if (g_strcmp0(nic->type, "user") == 0) {
			nic->mode = NET_NAT;
		} else if (g_strcmp0(nic->type, "bridge") == 0) {
			nic->source = xp_string(xp, n, "source/@bridge");
			nic->mode = NET_BRIDGE;
			if (nic->source && g_str_has_prefix(nic->source, NET_LAB_BRIDGE_PREFIX) &&
			    nic->source[strlen(NET_LAB_BRIDGE_PREFIX)]) {
				char *lab = g_strdup(nic->source + strlen(NET_LAB_BRIDGE_PREFIX));

				g_free(nic->source);
				nic->source = lab;
				nic->mode = NET_LAB;
			}
		} else if (g_strcmp0(nic->type, "network") == 0) {
			nic->source = xp_string(xp, n, "source/@network");
			nic->mode = NET_NETWORK;
			if (nic->source && g_str_has_prefix(nic->source, NET_LAB_NETWORK_PREFIX) &&
			    nic->source[strlen(NET_LAB_NETWORK_PREFIX)]) {
				char *lab = g_strdup(nic->source + strlen(NET_LAB_NETWORK_PREFIX));

				g_free(nic->source);
				nic->source = lab;
				nic->mode = NET_LAB;
			}
		} else if (g_strcmp0(nic->type, "direct") == 0) {
			nic->source = xp_string(xp, n, "source/@dev");
			nic->mode = NET_MACVTAP;
		} else if (g_strcmp0(nic->type, "udp") == 0 &&
			   (alias = xp_string(xp, n, "alias/@name")) &&
			   g_str_has_prefix(alias, NET_LAB_SEGMENT_ALIAS) &&
			   alias[strlen(NET_LAB_SEGMENT_ALIAS)]) {
			nic->source = g_strdup(alias + strlen(NET_LAB_SEGMENT_ALIAS));
			nic->mode = NET_LAB;
			nic->hub_port = xp_uint(xp, n, "source/@port");
			nic->port = xp_uint(xp, n, "source/local/@port");
		} else {
			nic->source = xp_string(xp, n, "source/@bridge");
		}
		nic->mac = xp_string(xp, n, "mac/@address");
		nic->model = xp_string(xp, n, "model/@type");
		nic->mtu = xp_uint(xp, n, "mtu/@size");
		nic->queues = xp_uint(xp, n, "driver/@queues");
		nic->vlan = xp_uint(xp, n, "vlan/tag[1]/@id");
		nic->bandwidth = xp_uint(xp, n, "bandwidth/inbound/@average");
		if (!nic->bandwidth)
			nic->bandwidth = xp_uint(xp, n, "bandwidth/outbound/@average");
		nic->link_down = g_strcmp0(link, "down") == 0;
		nic->target = xp_string(xp, n, "target/@dev");
		nic->alias = xp_string(xp, n, "alias/@name");
		g_ptr_array_add(spec->nics, nic);
	}
	xmlXPathFreeObject(obj);
}

/* The forwards @expr selects (vmtui:forward elements) into @out; one
 * with a port out of range or an unknown protocol is left out, as
 * another client may have written it. */
static void parse_forwards(struct xpath *xp, GPtrArray *out, const char *expr)
{
	xmlXPathObjectPtr obj = xp_nodes(xp, expr);

	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];
		g_autofree char *proto = xp_string(xp, n, "@proto");
		struct vm_forward *f = g_new0(struct vm_forward, 1);

		f->udp = g_strcmp0(proto, "udp") == 0;
		f->address = xp_string(xp, n, "@address");
		f->host_port = xp_uint(xp, n, "@host");
		f->guest_port = xp_uint(xp, n, "@guest");
		f->nic = xp_string(xp, n, "@nic");
		f->live = -1;
		if (!f->address)
			f->address = g_strdup("127.0.0.1");
		if ((proto && strcmp(proto, "tcp") != 0 && !f->udp) ||
		    !f->host_port || f->host_port > 65535 ||
		    !f->guest_port || f->guest_port > 65535) {
			vm_forward_free(f);
			continue;
		}
		g_ptr_array_add(out, f);
	}
	xmlXPathFreeObject(obj);
}

/* Adds @dev to @boot unless it is there already (two disks with a boot
 * order both mean "hd" at the first one's place). */
static void boot_add(struct vm_boot *boot, enum vm_boot_dev dev)
{
	for (unsigned i = 0; i < boot->n; i++)
		if (boot->dev[i] == dev)
			return;
	if (boot->n < BOOT_DEV_COUNT)
		boot->dev[boot->n++] = dev;
}

/* The boot device libvirt's @id names ("hd", ...); -1 if none. */
static int boot_dev_from_id(const char *id)
{
	for (int d = 0; id && d < BOOT_DEV_COUNT; d++)
		if (strcmp(id, vm_boot_dev_id(d)) == 0)
			return d;
	return -1;
}

struct boot_entry {
	unsigned long order;
	enum vm_boot_dev dev;
};

static gint boot_entry_cmp(gconstpointer a, gconstpointer b)
{
	const struct boot_entry *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Reads the boot order: <os><boot dev=…> when present, otherwise the
 * equivalent of the devices' <boot order='N'/> (libvirt refuses a domain
 * that has both).  Devices without a <os><boot> equivalent (host
 * devices, redirected USB) are left out of the derived list. */
static void parse_boot(struct xpath *xp, struct vm_spec *spec)
{
	xmlXPathObjectPtr obj = xp_nodes(xp, "/domain/os/boot/@dev");
	g_autoptr(GArray) entries = NULL;

	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlChar *id = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
		int dev = boot_dev_from_id((const char *)id);

		if (dev >= 0)
			boot_add(&spec->boot, dev);
		xmlFree(id);
	}
	xmlXPathFreeObject(obj);
	if (spec->boot.n)
		return;

	entries = g_array_new(FALSE, FALSE, sizeof(struct boot_entry));
	obj = xp_nodes(xp, "/domain/devices/disk[boot/@order] | "
		       "/domain/devices/interface[boot/@order]");
	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];
		g_autofree char *order = xp_string(xp, n, "boot/@order");
		g_autofree char *device = xp_string(xp, n, "@device");
		struct boot_entry e = {
			order ? g_ascii_strtoull(order, NULL, 10) : 0, BOOT_HD
		};

		if (strcmp((const char *)n->name, "interface") == 0)
			e.dev = BOOT_NETWORK;
		else if (g_strcmp0(device, "cdrom") == 0)
			e.dev = BOOT_CDROM;
		else if (g_strcmp0(device, "floppy") == 0)
			e.dev = BOOT_FD;
		/* device='disk' (the default) and 'lun' boot as hd */
		g_array_append_val(entries, e);
	}
	xmlXPathFreeObject(obj);
	g_array_sort(entries, boot_entry_cmp);
	for (guint i = 0; i < entries->len; i++)
		boot_add(&spec->boot, g_array_index(entries, struct boot_entry, i).dev);
}

struct vm_spec *domxml_parse(const char *xml)
{
	autoptr(vm_spec) spec = vm_spec_new();
	struct xpath xp = { 0 };
	g_autofree char *s = NULL;

	xp.doc = read_domain(xml);
	if (!xp.doc) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	xp.ctx = xmlXPathNewContext(xp.doc);
	xmlXPathRegisterNs(xp.ctx, BAD_CAST "vmtui", BAD_CAST VMTUI_NS);

	spec->domain_type = xp_string(&xp, NULL, "/domain/@type");
	spec->name = xp_string(&xp, NULL, "/domain/name");
	spec->uuid = xp_string(&xp, NULL, "/domain/uuid");
	spec->description = xp_string(&xp, NULL, "/domain/description");
	spec->os_variant = xp_string(&xp, NULL, "/domain/metadata/vmtui:vm/vmtui:os");
	spec->template_name = xp_string(&xp, NULL, "/domain/metadata/vmtui:vm/vmtui:template/@name");
	spec->lab_address = xp_string(&xp, NULL, "/domain/metadata/vmtui:vm/vmtui:lab/@address");
	spec->max_memory_mib = xp_mem_mib(&xp, "memory");
	spec->memory_mib = xp_mem_mib(&xp, "currentMemory");
	if (!spec->memory_mib)
		spec->memory_mib = spec->max_memory_mib;
	s = xp_string(&xp, NULL, "/domain/vcpu");
	spec->max_vcpus = s ? (unsigned)g_ascii_strtoull(s, NULL, 10) : 1;
	g_free(s);
	s = xp_string(&xp, NULL, "/domain/vcpu/@current");
	spec->vcpus = s ? (unsigned)g_ascii_strtoull(s, NULL, 10) : spec->max_vcpus;
	g_free(s);
	spec->numa_nodeset = xp_string(&xp, NULL, "/domain/numatune/memory/@nodeset");
	spec->nvram = xp_string(&xp, NULL, "/domain/os/nvram");
	{
		xmlXPathObjectPtr o = xp_nodes(&xp, "/domain/memoryBacking/hugepages");

		spec->hugepages = o && o->nodesetval && o->nodesetval->nodeNr > 0;
		xmlXPathFreeObject(o);
	}
	s = xp_string(&xp, NULL, "/domain/os/@firmware");
	if (s && strcmp(s, "efi") == 0)
		spec->firmware = FIRMWARE_UEFI;
	g_free(s);
	s = xp_string(&xp, NULL, "/domain/os/loader/@type");
	if (s && strcmp(s, "pflash") == 0)
		spec->firmware = FIRMWARE_UEFI;
	spec->kernel = xp_string(&xp, NULL, "/domain/os/kernel");
	spec->initrd = xp_string(&xp, NULL, "/domain/os/initrd");
	spec->cmdline = xp_string(&xp, NULL, "/domain/os/cmdline");
	parse_disks(&xp, spec);
	parse_nics(&xp, spec);
	parse_forwards(&xp, spec->forwards, "/domain/metadata/vmtui:vm/vmtui:forward");
	g_free(s);
	s = xp_string(&xp, NULL, "/domain/devices/channel/target[@name='org.qemu.guest_agent.0']/@name");
	spec->agent = s != NULL;
	g_free(s);
	/* live XML only: whether the guest side of the port is open */
	s = xp_string(&xp, NULL, "/domain/devices/channel/target[@name='org.qemu.guest_agent.0']/@state");
	spec->agent_connected = s && strcmp(s, "connected") == 0;
	g_free(s);
	s = xp_string(&xp, NULL, "/domain/devices/graphics[@type='vnc']/@type");
	spec->graphics = s != NULL;
	g_free(s);
	s = xp_string(&xp, NULL, "/domain/devices/graphics[@type='vnc']/@port");
	if (s)
		spec->vnc_port = atoi(s);
	spec->vnc_listen = xp_string(&xp, NULL, "/domain/devices/graphics[@type='vnc']/@listen");
	spec->serial_log = xp_string(&xp, NULL, "/domain/devices/serial[1]/log/@file");
	parse_boot(&xp, spec);

	xmlXPathFreeContext(xp.ctx);
	xmlFreeDoc(xp.doc);
	return g_steal_pointer(&spec);
}

char *domxml_find_nic(const char *xml, const char *mac)
{
	struct xpath xp = { 0 };
	xmlXPathObjectPtr obj;
	char *out = NULL;

	xp.doc = read_domain(xml);
	if (!xp.doc)
		return NULL;
	xp.ctx = xmlXPathNewContext(xp.doc);
	obj = xp_nodes(&xp, "/domain/devices/interface");
	for (int i = 0; !out && obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];
		g_autofree char *m = xp_string(&xp, n, "mac/@address");

		if (m && g_ascii_strcasecmp(m, mac) == 0) {
			xmlBufferPtr buf = xmlBufferCreate();

			if (xmlNodeDump(buf, xp.doc, n, 0, 0) > 0)
				out = g_strdup((const char *)xmlBufferContent(buf));
			xmlBufferFree(buf);
		}
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(xp.ctx);
	xmlFreeDoc(xp.doc);
	return out;
}

char *domxml_nic_set_link(const char *nic_xml, bool up)
{
	xmlDocPtr doc = xmlReadMemory(nic_xml, (int)strlen(nic_xml), "nic.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr link = NULL;
	xmlBufferPtr buf;
	char *out = NULL;

	if (!root || strcmp((const char *)root->name, "interface") != 0) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		xmlFreeDoc(doc);
		return NULL;
	}
	for (xmlNodePtr n = root->children; n && !link; n = n->next)
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "link") == 0)
			link = n;
	if (!link)
		link = xmlNewChild(root, NULL, BAD_CAST "link", NULL);
	xmlSetProp(link, BAD_CAST "state", BAD_CAST (up ? "up" : "down"));
	buf = xmlBufferCreate();
	if (xmlNodeDump(buf, doc, root, 0, 0) > 0)
		out = g_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_type(const char *xml, const char *type)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
	bool kvm = strcmp(type, "kvm") == 0;
	char *out;

	if (!dom)
		return NULL;
	xmlSetProp(dom, BAD_CAST "type", BAD_CAST type);
	for (xmlNodePtr n = dom->children; n; n = n->next) {
		xmlChar *mode;

		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "cpu") != 0)
			continue;
		/* host-passthrough only exists under KVM */
		mode = xmlGetProp(n, BAD_CAST "mode");
		if (!kvm && mode && strcmp((const char *)mode, "host-passthrough") == 0) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			xmlFree(mode);
			break;
		}
		xmlFree(mode);
	}
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_nics(const char *xml, const GPtrArray *nics)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr devices = NULL, first = NULL, holder;
	GPtrArray *old;
	char *out = NULL;

	if (!doc) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n && !devices; n = n->next)
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "devices") == 0)
			devices = n;
	if (!devices)
		devices = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST "devices", NULL);
	/* freed before the document, whose dictionary holds their names */
	old = g_ptr_array_new_with_free_func((GDestroyNotify)xmlFreeNode);
	for (xmlNodePtr n = devices->children, next; n; n = next) {
		next = n->next;
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "interface") == 0) {
			if (!first) {
				/* the new NICs go where the old ones were */
				first = xmlNewComment(BAD_CAST "nics");
				xmlAddPrevSibling(n, first);
			}
			xmlUnlinkNode(n);
			g_ptr_array_add(old, n);
		}
	}
	holder = xmlNewNode(NULL, BAD_CAST "devices");
	for (guint i = 0; i < nics->len; i++) {
		if (!build_nic(holder, nics->pdata[i])) {
			core_error(CORE_ERR_USAGE, _("vmtui cannot write a network interface of this kind."));
			goto out;
		}
		/* a NIC the firmware boots from keeps its place in the order */
		for (xmlNodePtr c = i < old->len ? ((xmlNodePtr)old->pdata[i])->children : NULL;
		     c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "boot") == 0)
				xmlAddChild(holder->last, xmlCopyNode(c, 1));
	}
	while (holder->children) {
		xmlNodePtr n = holder->children;

		xmlUnlinkNode(n);
		if (first)
			xmlAddPrevSibling(first, n);
		else
			xmlAddChild(devices, n);
	}
	if (first) {
		xmlUnlinkNode(first);
		xmlFreeNode(first);
	}
	out = doc_to_string(doc);
out:
	xmlFreeNode(holder);
	g_ptr_array_unref(old);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_boot(const char *xml, const struct vm_boot *boot)
{
	xmlDocPtr doc = read_domain(xml);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;
	xmlNodePtr os = NULL;
	GPtrArray *gone;
	char *out;

	if (!doc) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	ctx = xmlXPathNewContext(doc);
	/* Both forms go: libvirt refuses <os><boot> next to a device's
	 * <boot order>, and the old <os><boot> list is being replaced.
	 * The nodes are freed only after the node set that still points at
	 * them, and before the document whose dictionary holds their names. */
	gone = g_ptr_array_new_with_free_func((GDestroyNotify)xmlFreeNode);
	obj = xmlXPathEvalExpression(BAD_CAST "/domain/devices/*/boot | /domain/os/boot",
				     ctx);
	for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
		xmlNodePtr n = obj->nodesetval->nodeTab[i];

		xmlUnlinkNode(n);
		g_ptr_array_add(gone, n);
	}
	xmlXPathFreeObject(obj);
	g_ptr_array_unref(gone);
	obj = xmlXPathEvalExpression(BAD_CAST "/domain/os", ctx);
	if (obj && obj->nodesetval && obj->nodesetval->nodeNr > 0)
		os = obj->nodesetval->nodeTab[0];
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	if (!os) {
		core_error(CORE_ERR_FAILED, _("The domain XML has no <os> element."));
		xmlFreeDoc(doc);
		return NULL;
	}
	add_boot(os, boot);
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

/* The first child element of @parent named @name in namespace @href
 * (NULL: none), or NULL. */
static xmlNodePtr child_element(xmlNodePtr parent, const char *name, const char *href)
{
	for (xmlNodePtr n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 &&
		    (href ? n->ns && n->ns->href && strcmp((const char *)n->ns->href, href) == 0 :
		     !n->ns))
			return n;
	return NULL;
}

/* vmtui's element in the <metadata> of domain @dom, made when another
 * client defined the VM; *@ns is its namespace. */
static xmlNodePtr vmtui_element(xmlNodePtr dom, xmlNsPtr *ns)
{
	xmlNodePtr meta = child_element(dom, "metadata", NULL), vm;

	if (!meta)
		meta = xmlNewChild(dom, NULL, BAD_CAST "metadata", NULL);
	if ((vm = child_element(meta, "vm", VMTUI_NS))) {
		*ns = vm->ns;
		return vm;
	}
	vm = xmlNewChild(meta, NULL, BAD_CAST "vm", NULL);
	*ns = xmlNewNs(vm, BAD_CAST VMTUI_NS, BAD_CAST "vmtui");
	xmlSetNs(vm, *ns);
	return vm;
}

/* Removes the children of vmtui's element @vm named @name for which
 * @attr (NULL: any) has the value @value. */
static void drop_children(xmlNodePtr vm, const char *name, const char *attr, const char *value)
{
	for (xmlNodePtr n = vm->children, next; n; n = next) {
		xmlChar *v = NULL;
		bool match;

		next = n->next;
		if (n->type != XML_ELEMENT_NODE || !n->ns || !n->ns->href ||
		    strcmp((const char *)n->ns->href, VMTUI_NS) != 0 ||
		    strcmp((const char *)n->name, name) != 0)
			continue;
		v = attr ? xmlGetProp(n, BAD_CAST attr) : NULL;
		match = !attr || (v && strcmp((const char *)v, value) == 0);
		xmlFree(v);
		if (match) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
}

/* Removes @n when it has no element child left. */
static void drop_if_empty(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

char *domxml_set_memory_tuning(const char *xml, const char *nodeset, int hugepages)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr holder, n;
	char *out;

	if (!dom) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	if (nodeset) {
		if (!(holder = child_element(dom, "numatune", NULL)))
			holder = xmlNewChild(dom, NULL, BAD_CAST "numatune", NULL);
		if ((n = child_element(holder, "memory", NULL))) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		if (*nodeset) {
			n = xmlNewChild(holder, NULL, BAD_CAST "memory", NULL);
			xmlSetProp(n, BAD_CAST "mode", BAD_CAST "strict");
			xmlSetProp(n, BAD_CAST "nodeset", BAD_CAST nodeset);
		}
		drop_if_empty(holder);
	}
	if (hugepages >= 0) {
		if (!(holder = child_element(dom, "memoryBacking", NULL)))
			holder = xmlNewChild(dom, NULL, BAD_CAST "memoryBacking", NULL);
		if ((n = child_element(holder, "hugepages", NULL))) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		if (hugepages)
			xmlNewChild(holder, NULL, BAD_CAST "hugepages", NULL);
		drop_if_empty(holder);
	}
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_forwards(const char *xml, const GPtrArray *forwards)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr vm;
	xmlNsPtr ns;
	char *out;

	if (!dom) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	vm = vmtui_element(dom, &ns);
	/* the old forwards go, everything else stays as it was */
	drop_children(vm, "forward", NULL, NULL);
	add_forwards(vm, ns, forwards);
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_spare_ports(const char *xml, int want)
{
	xmlDocPtr doc = read_domain(xml);
	struct xpath xp = { doc, doc ? xmlXPathNewContext(doc) : NULL };
	xmlXPathObjectPtr ports = NULL, addrs = NULL;
	xmlNodePtr devices;
	int free_ports = 0;
	char *out = NULL;

	if (!doc || !xp.ctx)
		goto out;
	ports = xp_nodes(&xp, "/domain/devices/controller[@type='pci'][@model='pcie-root-port']/@index");
	addrs = xp_nodes(&xp, "/domain/devices//address[@type='pci']/@bus");
	for (int i = 0; ports && ports->nodesetval && i < ports->nodesetval->nodeNr; i++) {
		xmlChar *idx = xmlNodeGetContent(ports->nodesetval->nodeTab[i]);
		long index = idx ? strtol((const char *)idx, NULL, 0) : -1;
		bool used = false;

		for (int k = 0; addrs && addrs->nodesetval && k < addrs->nodesetval->nodeNr && !used; k++) {
			xmlChar *bus = xmlNodeGetContent(addrs->nodesetval->nodeTab[k]);

			used = bus && strtol((const char *)bus, NULL, 0) == index;
			xmlFree(bus);
		}
		free_ports += !used;
		xmlFree(idx);
	}
	devices = child_element(xmlDocGetRootElement(doc), "devices", NULL);
	if (free_ports >= want || !devices)
		goto out;
	for (int i = free_ports; i < want; i++) {
		xmlNodePtr c = xmlNewChild(devices, NULL, BAD_CAST "controller", NULL);

		set_attr(c, "type", "pci");
		set_attr(c, "model", "pcie-root-port");
	}
	out = doc_to_string(doc);
out:
	xmlXPathFreeObject(ports);
	xmlXPathFreeObject(addrs);
	if (xp.ctx)
		xmlXPathFreeContext(xp.ctx);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_disk_file(const char *xml, const char *target, const char *path,
			   const char *format)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr devices = doc ? child_element(xmlDocGetRootElement(doc), "devices", NULL) : NULL;
	xmlNodePtr disk = NULL;
	char *out = NULL;

	for (xmlNodePtr n = devices ? devices->children : NULL; n && !disk; n = n->next) {
		xmlNodePtr t = n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "disk") == 0 ?
			child_element(n, "target", NULL) : NULL;
		xmlChar *dev = t ? xmlGetProp(t, BAD_CAST "dev") : NULL;

		if (dev && strcmp((const char *)dev, target) == 0)
			disk = n;
		xmlFree(dev);
	}
	if (!disk) {
		core_error(CORE_ERR_NOT_FOUND, _("The VM has no disk \"%s\"."), target);
		xmlFreeDoc(doc);
		return NULL;
	}
	{
		xmlNodePtr driver = child_element(disk, "driver", NULL);
		xmlNodePtr source = child_element(disk, "source", NULL);
		xmlNodePtr chain = child_element(disk, "backingStore", NULL);

		if (!driver) {
			driver = xmlNewChild(disk, NULL, BAD_CAST "driver", NULL);
			set_attr(driver, "name", "qemu");
		}
		xmlSetProp(driver, BAD_CAST "type", BAD_CAST format);
		if (!source)
			source = xmlNewChild(disk, NULL, BAD_CAST "source", NULL);
		xmlSetProp(source, BAD_CAST "file", BAD_CAST path);
		/* the old file's chain would be taken for the new one's */
		if (chain) {
			xmlUnlinkNode(chain);
			xmlFreeNode(chain);
		}
	}
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

char *domxml_set_disk_owned(const char *xml, const char *path, bool owned)
{
	xmlDocPtr doc = read_domain(xml);
	xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr vm;
	xmlNsPtr ns;
	char *out;

	if (!dom) {
		core_error(CORE_ERR_FAILED, _("The domain XML could not be read."));
		return NULL;
	}
	vm = vmtui_element(dom, &ns);
	drop_children(vm, "disk", "path", path);
	if (owned)
		set_attr(xmlNewChild(vm, ns, BAD_CAST "disk", NULL), "path", path);
	out = doc_to_string(doc);
	xmlFreeDoc(doc);
	return out;
}

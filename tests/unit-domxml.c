/*
 * unit-domxml.c — domain XML built from user values and read back:
 * hostile characters escaped, every field kept, the boot order written,
 * rewritten and read in both of libvirt's forms, and real libvirt output
 * (tests/data/domxml/) parsed as expected.
 */
#include "config.h"

#include <string.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/vm.h"
#include "tests/tap.h"

static const char *const nasty[] = {
	"plain",
	"quote \" apostrophe ' amp & lt < gt >",
	"cdata end ]]> and <!-- comment -->",
	"<domain type='kvm'><name>evil</name></domain>",
	"&amp; &#x41; &unknown;",
	"spaces   and\ttab",
	"non-ASCII: Grüße, 测试, עברית, emoji \xf0\x9f\x98\x80",
};

static struct vm_spec *make_spec(const char *text)
{
	struct vm_spec *s = vm_spec_new();
	struct vm_disk *d;

	s->name = g_strdup(text);
	s->description = g_strdup_printf("line one\n%s\nline three", text);
	s->os_variant = g_strdup("debian12");
	s->domain_type = g_strdup("qemu");
	s->vcpus = 2;
	s->memory_mib = 768;
	s->kernel = g_strdup_printf("/boot/%s/vmlinuz", text);
	s->cmdline = g_strdup_printf("console=ttyS0 x=\"%s\"", text);
	d = vm_spec_add_disk(s, NULL, "qcow2", false);
	d->path = g_strdup_printf("/var/lib/%s.qcow2", text);
	d->owned = true;
	vm_spec_add_disk(s, "/iso/a & b.iso", "raw", true);
	vm_spec_add_nic(s, NET_NAT, NULL, "virtio");
	s->graphics = true;
	s->serial_log = g_strdup("/tmp/serial <log>.txt");
	return s;
}

static void check_roundtrip(const char *text)
{
	autoptr(vm_spec) in = make_spec(text);
	autoptr(vm_spec) out = NULL;
	g_autofree char *xml = domxml_build(in);
	struct vm_disk *d0, *d1;

	tap_ok(xml != NULL, "builds XML for \"%s\"", text);
	out = xml ? domxml_parse(xml) : NULL;
	if (!tap_ok(out != NULL, "parses it back"))
		return;
	tap_is_str(out->name, in->name, "name kept");
	tap_is_str(out->description, in->description, "description kept");
	tap_is_str(out->kernel, in->kernel, "kernel path kept");
	tap_is_str(out->cmdline, in->cmdline, "command line kept");
	tap_is_str(out->serial_log, in->serial_log, "serial log path kept");
	tap_is_str(out->os_variant, "debian12", "OS variant kept in metadata");
	tap_ok(out->vcpus == 2 && out->memory_mib == 768, "vCPUs and memory kept");
	d0 = out->disks->len > 0 ? g_ptr_array_index(out->disks, 0) : NULL;
	d1 = out->disks->len > 1 ? g_ptr_array_index(out->disks, 1) : NULL;
	tap_ok(d0 && d1 && g_strcmp0(d0->path, ((struct vm_disk *)in->disks->pdata[0])->path) == 0 &&
	       d0->owned && !d0->cdrom && g_strcmp0(d0->format, "qcow2") == 0 &&
	       d1->cdrom && d1->readonly && !d1->owned &&
	       g_strcmp0(d1->path, "/iso/a & b.iso") == 0,
	       "disks kept, with format, ownership and CD-ROM");
	/* the raw text never appears unescaped inside markup */
	tap_ok(strchr(text, '<') == NULL || strstr(xml, text) == NULL,
	       "markup in user text is escaped");
}

/* "cdrom,hd" for a boot order; caller frees. */
static char *boot_str(const struct vm_boot *b)
{
	GString *o = g_string_new(NULL);

	for (unsigned i = 0; i < b->n; i++)
		g_string_append_printf(o, "%s%s", i ? "," : "", vm_boot_dev_id(b->dev[i]));
	return g_string_free(o, FALSE);
}

/* The boot order domxml_build() writes, as read back. */
static char *built_boot(const struct vm_spec *spec)
{
	g_autofree char *xml = domxml_build(spec);
	autoptr(vm_spec) back = xml ? domxml_parse(xml) : NULL;

	return back ? boot_str(&back->boot) : g_strdup("(none)");
}

/* What domxml_build() writes for the boot order, with and without one. */
static void check_boot_build(void)
{
	autoptr(vm_spec) s = make_spec("boot");
	g_autofree char *got = NULL;

	/* make_spec boots a kernel directly: no default boot list */
	got = built_boot(s);
	tap_is_str(got, "", "direct kernel boot writes no <boot> by default");
	g_clear_pointer(&s->kernel, g_free);
	g_free(got);
	got = built_boot(s);
	tap_is_str(got, "cdrom,hd", "default with an ISO: CD-ROM, then disk");
	s->boot = (struct vm_boot){ 3, { BOOT_NETWORK, BOOT_HD, BOOT_CDROM } };
	g_free(got);
	got = built_boot(s);
	tap_is_str(got, "network,hd,cdrom", "a set boot order is written as given");
	s->kernel = g_strdup("/boot/vmlinuz");
	s->boot = (struct vm_boot){ 1, { BOOT_CDROM } };
	g_free(got);
	got = built_boot(s);
	tap_is_str(got, "cdrom", "and also next to a kernel");
}

/* domxml_set_boot: both old forms go, the new list is there in order,
 * the rest of the definition is kept. */
static void check_set_boot(void)
{
	static const char per_device[] =
		"<domain type='kvm'><name>pd</name><os><type>hvm</type></os>"
		"<devices>"
		"<disk type='file' device='disk'><source file='/a &amp; b.img'/><boot order='2'/></disk>"
		"<disk type='file' device='cdrom'><boot order='1'/><readonly/></disk>"
		"<interface type='user'><mac address='52:54:00:00:00:09'/><boot order='3'/></interface>"
		"<hostdev mode='subsystem' type='usb'><boot order='4'/></hostdev>"
		"</devices></domain>";
	static const char os_boot[] =
		"<domain type='kvm'><name>ob</name><os><type>hvm</type>"
		"<boot dev='hd'/><boot dev='cdrom'/><bootmenu enable='yes'/></os>"
		"<devices/></domain>";
	struct vm_boot want = { 2, { BOOT_NETWORK, BOOT_HD } };
	g_autofree char *a = domxml_set_boot(per_device, &want);
	g_autofree char *b = domxml_set_boot(os_boot, &want);
	g_autofree char *ga = NULL, *gb = NULL;
	autoptr(vm_spec) pa = a ? domxml_parse(a) : NULL;
	autoptr(vm_spec) pb = b ? domxml_parse(b) : NULL;

	if (!tap_ok(pa && pb, "domxml_set_boot rewrites both forms"))
		return;
	{
		autoptr(vm_spec) before = domxml_parse(per_device);

		ga = boot_str(&before->boot);
		tap_is_str(ga, "cdrom,hd,network", "per-device order read before the rewrite");
		g_free(ga);
	}
	ga = boot_str(&pa->boot);
	gb = boot_str(&pb->boot);
	tap_is_str(ga, "network,hd", "per-device form: the new order is read back");
	tap_is_str(gb, "network,hd", "<os><boot> form: the new order is read back");
	tap_ok(!strstr(a, "order="), "every per-device <boot order> is gone, host devices too");
	tap_ok(strstr(b, "dev=\"hd\"") && !strstr(b, "cdrom") && strstr(b, "<bootmenu"),
	       "the old <os><boot> list is replaced, <bootmenu> kept");
	tap_ok(strstr(a, "<boot dev=\"network\"/>") &&
	       strstr(a, "<boot dev=\"network\"/>") < strstr(a, "<boot dev=\"hd\"/>"),
	       "<os><boot> elements are written in order");
	tap_ok(pa->disks->len == 2 && vm_spec_nic(pa) && vm_spec_nic(pa)->mac &&
	       g_strcmp0(((struct vm_disk *)pa->disks->pdata[0])->path, "/a & b.img") == 0,
	       "the rest of the definition is kept");
	tap_ok(domxml_set_boot("<domain><name>x</name></domain>", &want) == NULL &&
	       strstr(core_error_message(), "no <os>"), "a domain without <os> is refused");
	tap_ok(domxml_set_boot("<domain><os>", &want) == NULL &&
	       core_error_code() == CORE_ERR_FAILED, "malformed XML is refused");
}

static void check_data_files(void)
{
	g_autofree char *dir = g_build_filename(g_getenv("srcdir") ? g_getenv("srcdir") : ".",
						"data", "domxml", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *entry;

	if (!tap_ok(d != NULL, "data folder %s exists", dir))
		return;
	while ((entry = g_dir_read_name(d))) {
		g_autofree char *xmlpath = NULL, *exppath = NULL, *xml = NULL, *exp = NULL;
		g_auto(GStrv) lines = NULL;
		autoptr(vm_spec) s = NULL;

		if (!g_str_has_suffix(entry, ".xml"))
			continue;
		xmlpath = g_build_filename(dir, entry, NULL);
		exppath = g_strdup_printf("%.*s.expected", (int)strlen(xmlpath) - 4, xmlpath);
		g_file_get_contents(xmlpath, &xml, NULL, NULL);
		g_file_get_contents(exppath, &exp, NULL, NULL);
		s = xml ? domxml_parse(xml) : NULL;
		if (!tap_ok(s && exp, "%s parses and has expectations", entry))
			continue;
		lines = g_strsplit(exp, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			g_auto(GStrv) kv = g_strsplit(lines[i], "=", 2);
			g_autofree char *got = NULL;

			if (!kv[0] || !kv[1] || kv[0][0] == '#')
				continue;
			if (!strcmp(kv[0], "name")) got = g_strdup(s->name);
			else if (!strcmp(kv[0], "vcpus")) got = g_strdup_printf("%u", s->vcpus);
			else if (!strcmp(kv[0], "max_vcpus")) got = g_strdup_printf("%u", s->max_vcpus);
			else if (!strcmp(kv[0], "memory_mib")) got = g_strdup_printf("%" G_GUINT64_FORMAT, s->memory_mib);
			else if (!strcmp(kv[0], "max_memory_mib")) got = g_strdup_printf("%" G_GUINT64_FORMAT, s->max_memory_mib);
			else if (!strcmp(kv[0], "firmware")) got = g_strdup(s->firmware == FIRMWARE_UEFI ? "uefi" : "bios");
			else if (!strcmp(kv[0], "disks")) got = g_strdup_printf("%u", s->disks->len);
			else if (!strcmp(kv[0], "owned")) {
				GString *o = g_string_new(NULL);
				for (guint k = 0; k < s->disks->len; k++)
					g_string_append_c(o, ((struct vm_disk *)s->disks->pdata[k])->owned ? 'y' : 'n');
				got = g_string_free(o, FALSE);
			}
			else if (!strcmp(kv[0], "vnc_port")) got = g_strdup_printf("%d", s->vnc_port);
			else if (!strcmp(kv[0], "serial_log")) got = g_strdup(s->serial_log);
			else if (!strcmp(kv[0], "os")) got = g_strdup(s->os_variant);
			else if (!strcmp(kv[0], "type")) got = g_strdup(s->domain_type);
			else if (!strcmp(kv[0], "mac")) got = g_strdup(vm_spec_nic(s) ? vm_spec_nic(s)->mac : NULL);
			else if (!strcmp(kv[0], "boot")) got = boot_str(&s->boot);
			tap_is_str(got, kv[1], "%s: %s", entry, kv[0]);
		}
	}
}

/* A provisioned VM: an overlay whose backing chain is written out with
 * its formats, a seed CD-ROM on virtio-scsi, template and lab metadata. */
static void check_clone(void)
{
	autoptr(vm_spec) in = vm_spec_new();
	autoptr(vm_spec) out = NULL;
	g_autofree char *xml = NULL;
	struct vm_disk *d;

	in->name = g_strdup("lab-01");
	in->domain_type = g_strdup("qemu");
	in->vcpus = 1;
	in->memory_mib = 256;
	in->template_name = g_strdup("kit <&> \"x\"");
	in->lab_address = g_strdup("10.77.0.10");
	d = vm_spec_add_disk(in, "/d/lab-01.qcow2", "qcow2", false);
	d->owned = true;
	d->backing = g_strdup("/t/kit/base.qcow2");
	d->backing_format = g_strdup("qcow2");
	d = vm_spec_add_disk(in, "/d/lab-01-seed.iso", "raw", true);
	d->owned = true;
	d->bus = g_strdup("scsi");
	xml = domxml_build(in);
	tap_ok(xml && strstr(xml, "<backingStore type=\"file\">") &&
	       strstr(xml, "<format type=\"qcow2\"/>") &&
	       strstr(xml, "<source file=\"/t/kit/base.qcow2\"/>") &&
	       strstr(xml, "<backingStore/>"),
	       "an overlay names its backing file and format, and the chain's end");
	tap_ok(xml && strstr(xml, "<controller type=\"scsi\" index=\"0\" model=\"virtio-scsi\"/>"),
	       "a scsi CD-ROM brings a virtio-scsi controller");
	tap_ok(xml && strstr(xml, "bus=\"scsi\""), "the seed is on the scsi bus");
	out = xml ? domxml_parse(xml) : NULL;
	if (!tap_ok(out != NULL, "a clone's XML parses back"))
		return;
	tap_is_str(out->template_name, in->template_name, "template name kept in the metadata");
	tap_is_str(out->lab_address, "10.77.0.10", "lab address kept in the metadata");
	d = g_ptr_array_index(out->disks, 0);
	tap_is_str(d->backing, "/t/kit/base.qcow2", "backing file read back");
	tap_is_str(d->backing_format, "qcow2", "backing format read back");
	d = g_ptr_array_index(out->disks, 1);
	tap_ok(d->cdrom && d->owned, "the seed is a CD-ROM vmtui owns");
}

/* What the disk commands edit: a disk's file, vmtui's record of the
 * disks it made, the spare PCIe root ports. */
static void check_disk_edits(void)
{
	static const char xml[] =
		"<domain type='qemu'><name>d</name><memory>262144</memory><vcpu>1</vcpu>"
		"<metadata><vmtui:vm xmlns:vmtui='" VMTUI_NS "'><vmtui:os>x</vmtui:os></vmtui:vm></metadata>"
		"<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
		"<source file='/d/old.raw'/><backingStore type='file'><format type='raw'/>"
		"<source file='/d/b'/></backingStore><target dev='vda' bus='virtio'/></disk>"
		"<controller type='pci' index='0' model='pcie-root'/>"
		"<controller type='pci' index='1' model='pcie-root-port'/>"
		"<controller type='pci' index='2' model='pcie-root-port'/>"
		"<memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></memballoon>"
		"</devices></domain>";
	g_autofree char *a = domxml_set_disk_file(xml, "vda", "/d/new.qcow2", "qcow2");
	g_autofree char *b = a ? domxml_set_disk_owned(a, "/d/new.qcow2", true) : NULL;
	g_autofree char *c = b ? domxml_set_disk_owned(b, "/d/new.qcow2", false) : NULL;
	g_autofree char *ports = domxml_spare_ports(xml, 3);
	autoptr(vm_spec) pa = a ? domxml_parse(a) : NULL;
	autoptr(vm_spec) pb = b ? domxml_parse(b) : NULL;
	autoptr(vm_spec) pc = c ? domxml_parse(c) : NULL;
	const struct vm_disk *d = pa && pa->disks->len ? pa->disks->pdata[0] : NULL;

	tap_ok(d && g_strcmp0(d->path, "/d/new.qcow2") == 0 && g_strcmp0(d->format, "qcow2") == 0 &&
	       !d->backing && g_strcmp0(d->target, "vda") == 0,
	       "domxml_set_disk_file points the disk at the new file and format, without the old chain");
	tap_ok(pb && ((struct vm_disk *)pb->disks->pdata[0])->owned && g_strcmp0(pb->os_variant, "x") == 0,
	       "domxml_set_disk_owned records it, keeping the rest of the metadata");
	tap_ok(pc && !((struct vm_disk *)pc->disks->pdata[0])->owned, "  ... and forgets it");
	tap_ok(domxml_set_disk_file(xml, "vdz", "/x", "raw") == NULL && core_error_code() == CORE_ERR_NOT_FOUND,
	       "an unknown target is an error");
	tap_ok(ports && g_strstr_len(ports, -1, "pcie-root-port") &&
	       g_regex_match_simple("(model=\"pcie-root-port\".*){4}", ports, G_REGEX_DOTALL, 0),
	       "domxml_spare_ports adds ports until 3 are free (1 of 2 is used)");
	tap_ok(domxml_spare_ports(xml, 1) == NULL, "  ... and nothing when enough are");
}

int main(void)
{
	autoptr(vm_spec) s = vm_spec_new();
	g_autofree char *xml = NULL, *fixed = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(nasty); i++)
		check_roundtrip(nasty[i]);

	tap_ok(domxml_build(s) == NULL && core_error_code() == CORE_ERR_USAGE,
	       "a spec without name, vCPUs or memory is refused");
	tap_ok(domxml_parse("<domain><name>x</name>") == NULL,
	       "truncated XML is refused");
	{
		autoptr(vm_spec) x = domxml_parse("<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/hostname\">]><domain><name>&e;</name></domain>");

		tap_ok(!x || !x->name || !*x->name, "an external entity does not pull in a host file");
	}

	xml = g_strdup("<domain type='kvm'><name>k</name><cpu mode='host-passthrough'/></domain>");
	fixed = domxml_set_type(xml, "qemu");
	tap_ok(fixed && strstr(fixed, "type=\"qemu\"") && !strstr(fixed, "host-passthrough"),
	       "switching to TCG drops host-passthrough");
	check_boot_build();
	check_set_boot();
	check_data_files();
	check_clone();
	check_disk_edits();
	return tap_done();
}

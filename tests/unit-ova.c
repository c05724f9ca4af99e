/*
 * unit-ova.c — what vmtui reads from OVF descriptors other tools wrote
 * (the good seeds of the fuzz corpus: vmtui's own, OVF 2.0, VirtualBox-
 * and VMware-shaped), the tar entry checks one by one, the manifest
 * parser, and an OVF that vmtui writes reading back to the same VM.
 */
#include "config.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "images/ova.h"
#include "tests/tap.h"

static struct ovf_desc *parse_seed(const char *name)
{
	const char *src = getenv("srcdir");
	g_autofree char *path = g_build_filename(src ? src : "tests", "fuzz", "ova-corpus", name, NULL);
	g_autofree char *data = NULL;
	gsize len;
	struct ovf_desc *d;

	if (!g_file_get_contents(path, &data, &len, NULL)) {
		tap_ok(false, "read %s", path);
		return NULL;
	}
	d = ovf_parse(data, len);
	tap_ok(d != NULL, "%s parses%s%s", name, d ? "" : ": ", d ? "" : core_error_message());
	return d;
}

static const char *disk_bus(struct ovf_desc *d, guint i)
{
	return i < d->disks->len ? ((struct ovf_disk *)d->disks->pdata[i])->bus : NULL;
}

static void check_seeds(void)
{
	struct ovf_desc *d;

	if ((d = parse_seed("good-ovf2.ovf"))) {
		tap_ok(d->version == 2, "OVF 2.0 is recognised as such");
		tap_is_str(d->name, "web", "its name is VirtualSystem/Name");
		tap_is_str(d->description, "Front end", "its description is the Annotation");
		tap_ok(d->vcpus == 4 && d->memory_mib == 2048, "4 CPUs, 2 GiB (byte * 2^30)");
		tap_ok(d->firmware == FIRMWARE_UEFI, "firmware efi");
		tap_ok(d->disks->len == 2, "two disks (StorageItem)");
		if (d->disks->len == 2) {
			struct ovf_disk *a = d->disks->pdata[0], *b = d->disks->pdata[1];

			tap_ok(a->capacity == (UINT64_C(8) << 30) && g_strcmp0(a->href, "web-1.vmdk") == 0,
			       "the first is web-1.vmdk of 8 GiB");
			tap_ok(!b->href && b->capacity == (UINT64_C(512) << 20),
			       "the second is a blank disk of 512 MiB");
			tap_is_str(disk_bus(d, 0), "sata", "on SATA");
		}
		tap_ok(d->nics == 1 && g_strcmp0(d->nic_model, "vmxnet3") == 0,
		       "one VmxNet3 NIC (EthernetPortItem)");
		ovf_desc_free(d);
	}
	if ((d = parse_seed("good-virtualbox.ovf"))) {
		tap_ok(d->version == 1, "VirtualBox writes OVF 1.0");
		tap_is_str(d->name, "Debian", "no Name: the VirtualSystem id");
		tap_ok(d->vcpus == 1 && d->memory_mib == 2048, "1 CPU, 2048 MegaBytes");
		tap_ok(d->firmware == FIRMWARE_BIOS, "BIOS by default");
		tap_ok(d->disks->len == 1 && ((struct ovf_disk *)d->disks->pdata[0])->capacity ==
		       UINT64_C(21474836480), "one disk of 20 GiB, HostResource /disk/vmdisk1");
		tap_is_str(disk_bus(d, 0), "sata", "on the AHCI controller");
		tap_is_str(d->nic_model, "e1000", "an E1000 NIC");
		ovf_desc_free(d);
	}
	if ((d = parse_seed("good-vmware.ovf"))) {
		tap_ok(d->vcpus == 2 && d->memory_mib == 2048, "2 CPUs, 2048 MiB");
		tap_ok(d->firmware == FIRMWARE_UEFI, "vmw:Config firmware efi");
		tap_is_str(disk_bus(d, 0), "sata", "an lsilogic disk becomes SATA");
		tap_ok(d->nics == 2 && g_strcmp0(d->nic_model, "vmxnet3") == 0,
		       "two NICs, the first VmxNet3");
		ovf_desc_free(d);
	}
}

static void check_entries(void)
{
	static const struct {
		const char *name;
		unsigned type;
		const char *link;
		const char *want; /* NULL: accepted */
	} cases[] = {
		{ "vm.ovf", AE_IFREG, NULL, NULL },
		{ "disk-1_a.vmdk", AE_IFREG, NULL, NULL },
		{ "../x", AE_IFREG, NULL, "OVA entry \"../x\": a path outside the archive: refused" },
		{ "a/../../x", AE_IFREG, NULL, "a path outside the archive" },
		{ "..", AE_IFREG, NULL, "a path outside the archive" },
		{ "/etc/passwd", AE_IFREG, NULL, "an absolute path" },
		{ "dir/disk.vmdk", AE_IFREG, NULL, "a file in a folder" },
		{ "./disk.vmdk", AE_IFREG, NULL, "a file in a folder" },
		{ ".hidden", AE_IFREG, NULL, "a hidden file" },
		{ "disk\n.vmdk", AE_IFREG, NULL, "OVA entry \"disk\\n.vmdk\": a name with control characters" },
		{ "disk\t", AE_IFREG, NULL, "control characters" },
		{ "disk vmdk", AE_IFREG, NULL, "characters other than" },
		{ "", AE_IFREG, NULL, "an empty name" },
		{ "file:x", AE_IFREG, NULL, "a URL" },
		{ "disk.vmdk", AE_IFLNK, NULL, "a symbolic link" },
		{ "disk.vmdk", AE_IFREG, "/etc/shadow", "a hard link to \"/etc/shadow\"" },
		{ "sda", AE_IFBLK, NULL, "a device node" },
		{ "null", AE_IFCHR, NULL, "a device node" },
		{ "d", AE_IFDIR, NULL, "a folder" },
		{ "p", AE_IFIFO, NULL, "a FIFO" },
	};
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool ok = ova_entry_check(cases[i].name, cases[i].type, cases[i].link, 10, NULL);
		g_autofree char *shown = g_strescape(cases[i].name, NULL);

		if (!cases[i].want)
			tap_ok(ok, "entry \"%s\" is accepted", shown);
		else
			tap_ok(!ok && strstr(core_error_message(), cases[i].want),
			       "entry \"%s\" is refused: %s", shown, core_error_message());
	}
	tap_ok(ova_entry_check("a.vmdk", AE_IFREG, NULL, 1, seen), "a first a.vmdk is fine");
	tap_ok(!ova_entry_check("a.vmdk", AE_IFREG, NULL, 1, seen) &&
	       strstr(core_error_message(), "a name that appears twice"),
	       "a second a.vmdk is refused: %s", core_error_message());
}

static void check_manifest(void)
{
	static const char good[] =
		"SHA1(a.ovf)= 0123456789abcdef0123456789abcdef01234567\r\n"
		"SHA256(a-disk1.vmdk) = 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n\n";
	static const char *const bad[] = {
		"MD5(a.ovf)= 0123456789abcdef0123456789abcdef\n",
		"SHA1(a.ovf)= 0123\n",
		"SHA256(a.ovf)= zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		"SHA1(../a.ovf)= 0123456789abcdef0123456789abcdef01234567\n",
		"garbage\n",
	};
	g_autoptr(GPtrArray) m = ova_manifest_parse(good, sizeof(good) - 1);

	tap_ok(m && m->len == 2, "a manifest with SHA1 and SHA256 lines, CRLF and spaces parses");
	if (m && m->len == 2)
		tap_is_str(((struct ova_digest *)m->pdata[1])->hex,
			   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			   "digests are kept in lower case");
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GPtrArray *b = ova_manifest_parse(bad[i], strlen(bad[i]));

		tap_ok(!b, "manifest line %zu is refused: %s", i + 1, core_error_message());
		if (b)
			g_ptr_array_unref(b);
	}
}

static void check_build(void)
{
	autoptr(vm_spec) s = vm_spec_new();
	char *hrefs[] = { (char *)"x-disk1.vmdk", NULL };
	uint64_t sizes[] = { 1000 }, caps[] = { UINT64_C(10) << 30 };
	g_autofree char *xml = NULL;
	struct vm_disk *d;
	struct ovf_desc *back;

	s->name = g_strdup("x <&> \"y\"");
	s->description = g_strdup("a ]]> b");
	s->vcpus = 3;
	s->memory_mib = 768;
	s->firmware = FIRMWARE_UEFI;
	vm_spec_add_nic(s, NET_NAT, NULL, "e1000");
	d = vm_spec_add_disk(s, "/x.qcow2", "qcow2", false);
	d->bus = g_strdup("virtio");
	vm_spec_add_disk(s, "/y.iso", "raw", true);
	xml = ovf_build(s, hrefs, sizes, caps);
	back = ovf_parse(xml, strlen(xml));
	tap_ok(back != NULL, "an OVF vmtui writes parses back");
	if (!back)
		return;
	tap_is_str(back->name, "x <&> \"y\"", "with the VM's name, markup and all");
	tap_is_str(back->description, "a ]]> b", "and its description");
	tap_ok(back->vcpus == 3 && back->memory_mib == 768 && back->firmware == FIRMWARE_UEFI,
	       "3 vCPUs, 768 MiB, UEFI");
	tap_ok(back->disks->len == 1 && ((struct ovf_disk *)back->disks->pdata[0])->capacity ==
	       caps[0], "one disk (the CD-ROM is not exported) of 10 GiB");
	tap_is_str(disk_bus(back, 0), "virtio", "a virtio disk stays virtio");
	tap_is_str(back->nic_model, "e1000", "the NIC model stays");
	ovf_desc_free(back);
}

/* A descriptor in an encoding whose bytes do not convert: refused, and
 * libxml2 prints nothing on stderr (in the TUI it would land on the
 * screen). */
static void check_quiet(void)
{
	static const char bad[] = "<?xml version=\"1.0\" encoding=\"SHIFT_JIS\"?>\n"
				  "<Envelope>?+\0(\377\376\200\201</Envelope>";
	g_autofree char *path = g_build_filename(g_get_tmp_dir(), "unit-ova-stderr-XXXXXX", NULL);
	int fd = g_mkstemp(path), saved = dup(2);
	struct ovf_desc *d;
	struct stat sb;

	fflush(stderr);
	dup2(fd, 2);
	d = ovf_parse(bad, sizeof(bad) - 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	tap_ok(!d, "an OVF whose bytes do not fit its encoding is refused: %s", core_error_message());
	if (fstat(fd, &sb) < 0)
		sb.st_size = -1;
	tap_ok(sb.st_size == 0, "and libxml2 wrote nothing on stderr (%lld bytes)",
	       (long long)sb.st_size);
	close(fd);
	unlink(path);
	ovf_desc_free(d);
}

int main(void)
{
	check_quiet();
	check_seeds();
	check_entries();
	check_manifest();
	check_build();
	return tap_done();
}

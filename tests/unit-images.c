/*
 * unit-images.c — telling what a disk image is, safely: formats from
 * their magic bytes, qemu-img's account of real images made here, and the
 * refusals every foreign image must pass (backing file, data file, bad
 * format, absurd size, not an image at all); and the image store's
 * parts: SHA256SUMS lines, names from sources, the list of dependants
 * that keeps an image in use from being deleted.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "images/images-priv.h"
#include "tests/tap.h"

static char *dir;

static bool qemu_img(const char *args)
{
	g_autofree char *cmd = g_strdup_printf("cd '%s' && '%s' %s >/dev/null 2>&1", dir,
					       QEMU_IMG_PATH, args);

	return system(cmd) == 0;
}

/* Runs a shell command line; true when it succeeds. */
static bool sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static bool sh(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *cmd = NULL;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

static char *in_dir(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static void check_formats(void)
{
	static const char *const made[] = { "qcow2", "raw", "vmdk", "vdi", "vhdx" };

	for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
		g_autofree char *args = g_strdup_printf("create -f %s d.%s 4M", made[i], made[i]);
		g_autofree char *name = g_strdup_printf("d.%s", made[i]);
		g_autofree char *path = in_dir(name);
		autoptr(image_info) info = NULL;

		tap_ok(qemu_img(args), "qemu-img makes a %s image", made[i]);
		tap_is_str(image_detect_format(path), made[i], "its format is told from its bytes: %s", made[i]);
		info = image_inspect(path, NULL);
		if (!tap_ok(info && strcmp(info->format, made[i]) == 0 &&
			    info->virtual_size == 4u << 20, "inspect %s: format and size", made[i]))
			tap_diag("%s", core_error_message());
	}
}

static void check_refusals(void)
{
	char *p;
	struct image_info *info;

	tap_ok(qemu_img("create -f qcow2 -F raw -b /etc/shadow -u shadow.qcow2 1G"),
	       "a qcow2 whose backing file is /etc/shadow");
	p = in_dir("shadow.qcow2");
	info = image_inspect_safe(p, "qcow2", NULL);
	tap_ok(!info && strstr(core_error_message(), "has a backing file (/etc/shadow): refused"),
	       "is refused, naming the backing file");
	g_free(p);

	tap_ok(qemu_img("create -f qcow2 -o data_file=data.raw,data_file_raw=on datafile.qcow2 1M"),
	       "a qcow2 with an external data file");
	p = in_dir("datafile.qcow2");
	info = image_inspect_safe(p, "qcow2", NULL);
	tap_ok(!info && strstr(core_error_message(), "external data file"),
	       "is refused: %s", core_error_message());
	g_free(p);

	p = in_dir("d.qcow2");
	info = image_inspect(p, "raw");
	tap_ok(info && strcmp(info->format, "raw") == 0,
	       "a qcow2 read as raw stays raw: the format given wins, nothing is probed");
	image_info_free(info);
	info = image_inspect(p, "iso");
	tap_ok(!info && core_error_code() == CORE_ERR_USAGE, "an unknown format is refused");
	g_free(p);

	p = in_dir("d.raw");
	info = image_inspect(p, "qcow2");
	tap_ok(!info && strstr(core_error_message(), "is not a readable qcow2 image"),
	       "a raw file read as qcow2 is refused");
	g_free(p);

	p = in_dir("none");
	info = image_inspect(p, NULL);
	tap_ok(!info && core_error_code() == CORE_ERR_NOT_FOUND, "a missing file is not found");
	g_free(p);

	/* more than any disk: qemu-img takes it, vmtui does not */
	p = in_dir("huge.qcow2");
	tap_ok(qemu_img("create -f qcow2 huge.qcow2 2P"), "a qcow2 of 2 PiB");
	info = image_inspect(p, "qcow2");
	tap_ok(!info && strstr(core_error_message(), "bytes: refused"), "is refused: %s",
	       core_error_message());
	g_free(p);
	/* a qcow2 header claiming a size past what qcow2 allows */
	p = in_dir("broken.qcow2");
	tap_ok(qemu_img("create -f qcow2 broken.qcow2 1M") &&
	       sh("printf '\\177' | dd of='%s' bs=1 seek=24 conv=notrunc status=none", p),
	       "a qcow2 header with a broken size");
	info = image_inspect(p, "qcow2");
	tap_ok(!info && strstr(core_error_message(), "is not a readable qcow2 image"),
	       "is refused with qemu-img's reason");
	g_free(p);
}

static void check_sums(void)
{
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	g_autofree char *gnu = g_strdup_printf("%s  other.img\n%s  debian.qcow2.xz\n", "00000000000000000000000000000000000000000000000000000000000000ff", hex);
	g_autofree char *bin = g_strdup_printf("%s *debian.qcow2.xz\r\n", hex);
	g_autofree char *bsd = g_strdup_printf("SHA256 (debian.qcow2.xz) = %s\n", hex);
	g_autofree char *dot = g_strdup_printf("%s  ./debian.qcow2.xz\n", hex);
	g_autofree char *upper = g_ascii_strup(hex, -1);
	g_autofree char *upper_line = g_strdup_printf("%.64s  debian.qcow2.xz\n", upper);
	g_autofree char *shortl = g_strdup_printf("%.63s  debian.qcow2.xz\n", hex);
	g_autofree char *notHex = g_strdup_printf("%.63sg  debian.qcow2.xz\n", hex);
	char *r;

	tap_is_str(r = image_sums_lookup(gnu, "debian.qcow2.xz"), hex,
		   "SHA256SUMS: the line for the file, not another's");
	g_free(r);
	tap_is_str(r = image_sums_lookup(bin, "debian.qcow2.xz"), hex, "SHA256SUMS: binary mode \"*NAME\", CRLF");
	g_free(r);
	tap_is_str(r = image_sums_lookup(bsd, "debian.qcow2.xz"), hex, "SHA256SUMS: BSD style");
	g_free(r);
	tap_is_str(r = image_sums_lookup(dot, "debian.qcow2.xz"), hex, "SHA256SUMS: \"./NAME\"");
	g_free(r);
	tap_is_str(r = image_sums_lookup(upper_line, "debian.qcow2.xz"), hex,
		   "SHA256SUMS: upper-case digits, given back in lower case");
	g_free(r);
	tap_ok(!image_sums_lookup(gnu, "debian.qcow2"), "SHA256SUMS: no line for another name");
	tap_ok(!image_sums_lookup(shortl, "debian.qcow2.xz"), "SHA256SUMS: 63 digits are no checksum");
	tap_ok(!image_sums_lookup(notHex, "debian.qcow2.xz"), "SHA256SUMS: nor a non-hex digit");
	tap_ok(!image_sums_lookup("", "debian.qcow2.xz"), "SHA256SUMS: empty");
}

static void check_names(void)
{
	static const char *const cases[][2] = {
		{ "/srv/debian-12.qcow2.xz", "debian-12" },
		{ "http://127.0.0.1:8000/a/b/win.vmdk.gz?token=1#x", "win" },
		{ "disk.IMG", "disk" },
		{ "rootfs.raw.zst", "rootfs" },
		{ "plain", "plain" },
		{ "x.tar.bz2", "x.tar" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *n = image_name_from_source(cases[i][0]);

		tap_is_str(n, cases[i][1], "name from %s", cases[i][0]);
	}
	tap_ok(image_source_is_url("https://x/y") && image_source_is_url("http://x/y") &&
	       !image_source_is_url("ftp://x/y") && !image_source_is_url("/http://x"),
	       "http and https are URLs, ftp and paths are not");
}

static void check_store(void)
{
	/* what image_delete asks which VMs use an image */
	struct core_config cfg = { .uri = (char *)"test:///default", .op_timeout = 30 };
	struct engine *eng = engine_open(&cfg);
	struct image_import_opts o = { .name = "base" };
	g_autofree char *src = in_dir("d.qcow2");
	autoptr(image_entry) e = image_import(src, &o, NULL);
	g_autoptr(GPtrArray) list = NULL;
	g_autofree char *users = NULL;
	char **deps;

	if (!tap_ok(e && strcmp(e->format, "qcow2") == 0 && e->virtual_size == 4u << 20,
		    "import into the store"))
		tap_diag("%s", core_error_message());
	tap_ok(image_import(src, &o, NULL) == NULL && core_error_code() == CORE_ERR_USAGE &&
	       strstr(core_error_message(), "already in the store"), "a second \"base\" is refused");
	/* an overlay of it, imported with --backing base */
	{
		struct image_import_opts ov = { .name = "over", .backing = "base" };
		g_autofree char *over = in_dir("over.qcow2");
		autoptr(image_entry) oe = NULL;

		sh("'%s' create -q -f qcow2 -F qcow2 -b '%s' '%s' >/dev/null 2>&1", QEMU_IMG_PATH,
		   e->path, over);
		oe = image_import(over, &ov, NULL);
		tap_ok(oe != NULL, "an overlay of it is imported");
	}
	deps = image_dependants("base");
	tap_ok(deps && g_strv_length(deps) == 1 && strcmp(deps[0], "image:over") == 0,
	       "image_dependants lists the overlay");
	g_strfreev(deps);
	tap_ok(image_delete(eng, "base") < 0 && core_error_code() == CORE_ERR_STATE &&
	       strstr(core_error_message(), "in use by image:over"),
	       "delete is refused, naming what uses it: %s", core_error_message());
	tap_ok(image_delete(eng, "over") == 0, "the overlay goes");
	users = g_strdup_printf("%s.users", e->path);
	tap_ok(g_file_test(e->path, G_FILE_TEST_EXISTS) && g_file_test(users, G_FILE_TEST_IS_DIR),
	       "the store records the users of an image beside it");
	tap_ok(image_delete(eng, "base") == 0, "then delete works");
	tap_ok(!g_file_test(e->path, G_FILE_TEST_EXISTS), "and removes the file");
	tap_ok(!g_file_test(users, G_FILE_TEST_EXISTS),
	       "  ... and its users' records");
	list = image_list();
	tap_ok(list && list->len == 0, "the store is empty again");
	tap_ok(image_dependants("base") == NULL && core_error_code() == CORE_ERR_NOT_FOUND,
	       "dependants of an image that is not there: not found");
	tap_ok(image_lookup("../etc") == NULL && core_error_code() == CORE_ERR_USAGE,
	       "a name with a slash is no image name");
	engine_close(eng);
}

/* Writes @n bytes of zeros to @name in the test's folder with @len bytes
 * of @bytes at @offset; returns its path (caller frees). */
static char *crafted(const char *name, size_t n, size_t offset, const char *bytes, size_t len)
{
	g_autofree char *buf = g_malloc0(n);
	char *path = in_dir(name);

	memcpy(buf + offset, bytes, len);
	if (!g_file_set_contents(path, buf, (gssize)n, NULL))
		tap_diag("cannot write %s", path);
	return path;
}

/* What a file is, from its bytes: archives another command takes. */
static void check_kinds(void)
{
	static const struct {
		const char *name;
		size_t size, offset;
		const char *bytes;
		size_t len;
		enum image_kind want;
		const char *what;
	} cases[] = {
		{ "zeros.img", 65536, 0, "", 0, IMAGE_KIND_DISK, "zeros are a (raw) disk" },
		{ "short.img", 100, 0, "x", 1, IMAGE_KIND_DISK, "a file shorter than a tar header is a disk" },
		{ "cd.img", 40960, 32769, "CD001", 5, IMAGE_KIND_ISO, "\"CD001\" at byte 32769 is an ISO" },
		{ "cd-early.img", 40960, 32768, "CD001", 5, IMAGE_KIND_DISK, "  ... one byte off is not" },
		{ "cd-cut.img", 32770, 32769, "C", 1, IMAGE_KIND_DISK, "  ... nor a file that ends before it" },
		{ "a.img", 1024, 257, "ustar", 5, IMAGE_KIND_TAR, "\"ustar\" at byte 257 is a tar" },
	};
	g_autofree char *ova = NULL, *upper = NULL, *gnu = NULL, *disk = NULL;
	char hdr[1024] = "app.ovf";

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *p = crafted(cases[i].name, cases[i].size, cases[i].offset,
					     cases[i].bytes, cases[i].len);

		tap_ok(image_kind_of(p) == cases[i].want, "%s", cases[i].what);
	}
	memcpy(hdr + 257, "ustar  ", 8);
	ova = crafted("x.tar", sizeof(hdr), 0, hdr, sizeof(hdr));
	tap_ok(image_kind_of(ova) == IMAGE_KIND_OVA, "a tar whose first entry is an .ovf is an OVA");
	memcpy(hdr, "APP.OVF", 7);
	upper = crafted("y.tar", sizeof(hdr), 0, hdr, sizeof(hdr));
	tap_ok(image_kind_of(upper) == IMAGE_KIND_OVA, "  ... in capitals too");
	/* GNU long name: "././@LongLink" of type 'L', the name in the next block */
	memset(hdr, 0, 512);
	memcpy(hdr, "././@LongLink", 13);
	hdr[156] = 'L';
	memcpy(hdr + 257, "ustar  ", 8);
	memcpy(hdr + 512, "a-very-long-name.ovf", 20);
	gnu = crafted("z.tar", sizeof(hdr), 0, hdr, sizeof(hdr));
	tap_ok(image_kind_of(gnu) == IMAGE_KIND_OVA, "  ... also when it has a GNU long name");
	disk = in_dir("kind.qcow2");
	tap_ok(qemu_img("create -q -f qcow2 kind.qcow2 1M") && image_kind_of(disk) == IMAGE_KIND_DISK,
	       "a qcow2 is a disk");
	tap_ok(image_check_not_archive(disk, "kind.qcow2") == 0, "  ... which an import takes");
	tap_ok(image_check_not_archive(gnu, "z.tar") < 0 && core_error_code() == CORE_ERR_USAGE &&
	       strstr(core_error_message(), "vmtui ova import z.tar"),
	       "an OVA is refused as bad input, naming ova import");
}

int main(void)
{
	char tmpl[] = "/tmp/vmtui-images-XXXXXX";
	g_autofree char *data = NULL;

	dir = g_mkdtemp(tmpl);
	/* the store under the test's folder, set before GLib caches it */
	data = g_build_filename(dir, "data", NULL);
	g_setenv("XDG_DATA_HOME", data, TRUE);
	check_formats();
	check_refusals();
	check_sums();
	check_names();
	check_store();
	check_kinds();
	sh("rm -rf '%s'", dir);
	return tap_done();
}

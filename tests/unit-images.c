/*
 * unit-images.c — telling what a disk image is, safely: formats from
 * their magic bytes, qemu-img's account of real images made here, and the
 * refusals every foreign image must pass (backing file, data file, bad
 * format, absurd size, not an image at all).
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "images.h"
#include "tap.h"

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

int main(void)
{
	char tmpl[] = "/tmp/vmtui-images-XXXXXX";

	dir = g_mkdtemp(tmpl);
	check_formats();
	check_refusals();
	sh("rm -rf '%s'", dir);
	return tap_done();
}

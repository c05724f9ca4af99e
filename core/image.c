/*
 * image.c — what a disk image from elsewhere is, told safely: its format
 * from its magic bytes, the rest from `qemu-img info -f FORMAT
 * --output=json` (through core_qemu_img's runner, under resource limits:
 * a hostile image must not hang or exhaust the host), parsed with
 * json-glib.  Every image vmtui did not make passes through here before
 * a VM, the image store or a template uses it, so QEMU never probes one.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/run.h"
#include "core/image.h"
#include "core/i18n.h"

#define INFO_CPU_SECONDS 30
#define INFO_MEMORY (UINT64_C(1) << 30)
/* an image claiming more than 1 PiB is hostile or broken */
#define MAX_VIRTUAL_SIZE (UINT64_C(1) << 50)

/* the formats vmtui takes in */
static const char *const image_formats[] = { "qcow2", "raw", "vmdk", "vdi", "vhdx" };

void image_info_free(struct image_info *info)
{
	if (!info)
		return;
	g_free(info->path);
	g_free(info->format);
	g_free(info->backing);
	g_free(info->backing_format);
	g_free(info->data_file);
	g_free(info->subformat);
	g_free(info->other_extent);
	g_free(info);
}

const char *image_detect_format(const char *path)
{
	unsigned char b[512] = { 0 };
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot read %s: %s"), path, g_strerror(errno));
		return NULL;
	}
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), path, g_strerror(errno));
		return NULL;
	}
	if (n >= 4 && memcmp(b, "QFI\xfb", 4) == 0)
		return "qcow2";
	if (n >= 4 && memcmp(b, "KDMV", 4) == 0)
		return "vmdk";
	if (n >= 21 && memcmp(b, "# Disk DescriptorFile", 21) == 0)
		return "vmdk";
	if (n >= 0x44 && memcmp(b + 0x40, "\x7f\x10\xda\xbe", 4) == 0)
		return "vdi";
	if (n >= 8 && memcmp(b, "vhdxfile", 8) == 0)
		return "vhdx";
	return "raw";
}

enum vmdk_kind image_vmdk_kind(const char *path)
{
	unsigned char h[512] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, h, sizeof(h));
	uint64_t capacity;

	if (fd >= 0)
		close(fd);
	if (n >= 4 && memcmp(h, "COWD", 4) == 0)
		return VMDK_SINGLE_FILE;
	if (n < 64 || memcmp(h, "KDMV", 4) != 0)
		return VMDK_DESCRIPTOR;
	/* a sparse header without a capacity makes QEMU read the
	 * descriptor embedded in the file, which may name extents */
	memcpy(&capacity, h + 12, sizeof(capacity));
	return GUINT64_FROM_LE(capacity) ? VMDK_SINGLE_FILE : VMDK_EMBEDDED_DESCRIPTOR;
}

bool image_format_known(const char *format)
{
	for (size_t i = 0; i < G_N_ELEMENTS(image_formats); i++)
		if (strcmp(format, image_formats[i]) == 0)
			return true;
	return false;
}

static char *member_string(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
		g_strdup(json_node_get_string(n)) : NULL;
}

static bool member_size(JsonObject *o, const char *name, uint64_t *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    json_node_get_int(n) < 0)
		return false;
	*out = (uint64_t)json_node_get_int(n);
	return true;
}

/* The first of the vmdk @extents whose file is not @path itself (caller
 * frees), or NULL. */
static char *other_extent(JsonArray *extents, const char *path)
{
	g_autofree char *abs = g_canonicalize_filename(path, NULL);

	for (guint i = 0; i < json_array_get_length(extents); i++) {
		JsonNode *n = json_array_get_element(extents, i);
		g_autofree char *file = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		file = member_string(json_node_get_object(n), "filename");
		if (!file || strcmp(file, abs) != 0)
			return file ? g_steal_pointer(&file) : g_strdup("?");
	}
	return NULL;
}

static struct image_info *parse_info(const char *path, const char *json)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;
	autoptr(image_info) info = g_new0(struct image_info, 1);
	JsonObject *o, *spec, *data;
	JsonNode *root, *n;

	if (!json_parser_load_from_data(parser, json, -1, &err) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
		core_error(CORE_ERR_FAILED, _("qemu-img said something unreadable about %s"), path);
		return NULL;
	}
	o = json_node_get_object(root);
	info->path = g_strdup(path);
	info->format = member_string(o, "format");
	if (!info->format || !member_size(o, "virtual-size", &info->virtual_size)) {
		core_error(CORE_ERR_FAILED, _("qemu-img gave no format or size for %s"), path);
		return NULL;
	}
	member_size(o, "actual-size", &info->actual_size);
	info->backing = member_string(o, "backing-filename");
	info->backing_format = member_string(o, "backing-filename-format");
	n = json_object_get_member(o, "encrypted");
	info->encrypted = n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_boolean(n);
	n = json_object_get_member(o, "format-specific");
	if (n && JSON_NODE_HOLDS_OBJECT(n)) {
		spec = json_node_get_object(n);
		n = json_object_get_member(spec, "data");
		if (n && JSON_NODE_HOLDS_OBJECT(n)) {
			data = json_node_get_object(n);
			info->data_file = member_string(data, "data-file");
			info->subformat = member_string(data, "create-type");
			n = json_object_get_member(data, "extents");
			if (n && JSON_NODE_HOLDS_ARRAY(n))
				info->other_extent = other_extent(json_node_get_array(n), path);
			n = json_object_get_member(data, "encrypt");
			if (n && JSON_NODE_HOLDS_OBJECT(n))
				info->encrypted = true;
		}
	}
	if (info->virtual_size == 0 || info->virtual_size > MAX_VIRTUAL_SIZE) {
		core_error(CORE_ERR_FAILED, _("%s claims a disk of %" PRIu64 " bytes: refused"),
			   path, info->virtual_size);
		return NULL;
	}
	return g_steal_pointer(&info);
}

struct image_info *image_inspect(const char *path, const char *format)
{
	static const struct run_opts limits = {
		.max_memory = INFO_MEMORY, .max_cpu_s = INFO_CPU_SECONDS,
		.max_wall_s = 2 * INFO_CPU_SECONDS,
	};
	g_autofree char *out = NULL;
	g_autofree char *abs = NULL;
	g_autoptr(GString) errout = g_string_new(NULL);
	int status = 0;

	if (!format && !(format = image_detect_format(path)))
		return NULL;
	if (!image_format_known(format)) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a disk image format vmtui takes (qcow2, raw, vmdk, vdi, vhdx)"),
			   format);
		return NULL;
	}
	if (access(path, R_OK) < 0) {
		core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot read %s: %s"), path, g_strerror(errno));
		return NULL;
	}
	/* a VMDK descriptor is text naming the files that hold the data:
	 * qemu-img info would open them, whatever they are (a device, a
	 * FIFO that never answers).  Only the single-file kinds are read. */
	if (strcmp(format, "vmdk") == 0) {
		switch (image_vmdk_kind(path)) {
		case VMDK_SINGLE_FILE:
			break;
		case VMDK_DESCRIPTOR:
			core_error(CORE_ERR_FAILED, _("%s is not a single-file VMDK (a descriptor, whose data would live in other files): refused; import a monolithicSparse or streamOptimized VMDK"),
				   path);
			return NULL;
		case VMDK_EMBEDDED_DESCRIPTOR:
			core_error(CORE_ERR_FAILED, _("%s is a VMDK whose embedded descriptor may refer to other files: refused"),
				   path);
			return NULL;
		}
	}
	/* "--" and a path qemu-img cannot take for an option or a protocol
	 * ("nbd:...", "json:{...}"): make it absolute */
	abs = g_canonicalize_filename(path, NULL);
	{
		const char *argv[] = { "info", "-f", format, "--output=json", "-U", "--", abs, NULL };

		out = qemu_img_run(argv, path, &limits, &status, errout);
	}
	if (!out)
		return NULL;
	if (WIFSIGNALED(status)) {
		core_error(CORE_ERR_FAILED, _("qemu-img was stopped reading %s (signal %d): it took more than %d s of CPU or %" PRIu64 " MiB of memory"),
			   path, WTERMSIG(status), INFO_CPU_SECONDS, INFO_MEMORY >> 20);
		return NULL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_strstrip(errout->str);
		core_error(CORE_ERR_FAILED, _("%s is not a readable %s image: %s"), path, format,
			   *errout->str ? errout->str : _("qemu-img failed"));
		return NULL;
	}
	return parse_info(path, out);
}

int image_info_check(const struct image_info *info, const char *allowed_backing)
{
	const char *path = info->path;

	if (info->other_extent) {
		core_error(CORE_ERR_FAILED, _("%s keeps its data in another file (%s): refused"),
			   path, info->other_extent);
		return -1;
	}
	if (info->data_file) {
		core_error(CORE_ERR_FAILED, _("%s refers to an external data file (%s): refused"),
			   path, info->data_file);
		return -1;
	}
	if (info->encrypted) {
		core_error(CORE_ERR_FAILED, _("%s is encrypted: vmtui cannot use it"), path);
		return -1;
	}
	/* the more specific problem first: a backing file that QEMU would
	 * have to probe */
	if (info->backing && !info->backing_format) {
		core_error(CORE_ERR_FAILED, _("%s has a backing file (%s) without a format: refused"),
			   path, info->backing);
		return -1;
	}
	if (info->backing && (!allowed_backing || strcmp(info->backing, allowed_backing) != 0)) {
		core_error(CORE_ERR_FAILED, _("%s has a backing file (%s): refused; an image that builds on another can only be used when that one is in the image store (vmtui image import it, then this one with --backing NAME)"),
			   path, info->backing);
		return -1;
	}
	return 0;
}

struct image_info *image_inspect_safe(const char *path, const char *format,
				      const char *allowed_backing)
{
	autoptr(image_info) info = image_inspect(path, format);

	if (!info || image_info_check(info, allowed_backing) < 0)
		return NULL;
	return g_steal_pointer(&info);
}

/* The "required" bytes `qemu-img measure @argv` gives, under the limits
 * info runs with.  0, or -1 with an error naming @what. */
static int measure_required(const char *const *argv, const char *what, uint64_t *out)
{
	static const struct run_opts limits = {
		.max_memory = INFO_MEMORY, .max_cpu_s = INFO_CPU_SECONDS,
		.max_wall_s = 2 * INFO_CPU_SECONDS,
	};
	g_autofree char *json = core_qemu_img(argv, what, &limits);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;

	if (!json)
		return -1;
	if (!json_parser_load_from_data(parser, json, -1, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root) ||
	    !member_size(json_node_get_object(root), "required", out)) {
		core_error(CORE_ERR_FAILED, _("qemu-img said something unreadable about %s"), what);
		return -1;
	}
	return 0;
}

int image_data_size(const struct image_info *info, uint64_t *data)
{
	g_autofree char *abs = g_canonicalize_filename(info->path, NULL);
	g_autofree char *size = g_strdup_printf("%" PRIu64, info->virtual_size);
	const char *image[] = { "measure", "-f", info->format, "-O", "qcow2", "--output=json",
				"--", abs, NULL };
	const char *empty[] = { "measure", "-O", "qcow2", "--size", size, "--output=json", NULL };
	uint64_t all, tables;

	/* what a qcow2 of the data needs, less what an empty one of that
	 * size needs: its tables (gigabytes for a disk of 16 TiB, most of
	 * which a conversion never writes) */
	if (measure_required(image, info->path, &all) < 0 ||
	    measure_required(empty, info->path, &tables) < 0)
		return -1;
	*data = all > tables ? all - tables : 0;
	return 0;
}

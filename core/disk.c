/*
 * disk.c — the disks a VM owns: creating a new qcow2 for `create`, checking
 * an existing image before a VM uses it, removing disks with their VM.
 *
 * Embedded engine: files under the data dir, made with qemu-img (run from
 * an argv array).  Daemon URIs: volumes in a libvirt storage pool, because
 * the files live on the daemon's host, not ours.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core-priv.h"
#include "i18n.h"

/* Runs qemu-img with @argv (NULL-terminated, without the program), up to
 * @timeout_s seconds.  Returns its stdout (caller frees) or NULL with an
 * error naming @what. */
static char *qemu_img(const char *const *argv, const char *what)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autofree char *out = NULL;
	g_autofree char *err = NULL;
	g_autoptr(GError) gerr = NULL;
	int status = 0;

	g_ptr_array_add(args, (gpointer)QEMU_IMG_PATH);
	for (; *argv; argv++)
		g_ptr_array_add(args, (gpointer)*argv);
	g_ptr_array_add(args, NULL);
	if (!g_spawn_sync(NULL, (char **)args->pdata, NULL,
			  G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
			  &gerr)) {
		core_error(CORE_ERR_FAILED, _("Cannot run qemu-img for %s: %s"),
			   what, gerr->message);
		return NULL;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_strstrip(err);
		core_error(CORE_ERR_FAILED, _("qemu-img failed for %s: %s"), what,
			   err && *err ? err : _("no message"));
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* A file name made of @name's safe characters; caller frees. */
static char *safe_stem(const char *name)
{
	GString *s = g_string_new(NULL);

	for (const char *p = name; *p; p++)
		g_string_append_c(s, g_ascii_isalnum(*p) || *p == '-' ||
				  *p == '_' || *p == '.' ? *p : '_');
	return g_string_free(s, FALSE);
}

/* Creates a qcow2 file of @bytes for VM @name in the data dir. */
static char *create_local(const char *name, uint64_t bytes)
{
	g_autofree char *data = core_data_dir();
	g_autofree char *dir = g_build_filename(data, "disks", NULL);
	g_autofree char *stem = safe_stem(name);
	g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, bytes);
	g_autofree char *out = NULL;
	char *path = NULL;
	int fd;

	if (core_mkdir_p(dir, 0700) < 0)
		return NULL;
	/* reserve a unique name atomically, then let qemu-img fill it */
	for (int i = 0; i < 1000 && !path; i++) {
		g_autofree char *p = i ? g_strdup_printf("%s/%s-%d.qcow2", dir, stem, i)
				      : g_strdup_printf("%s/%s.qcow2", dir, stem);

		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			path = g_steal_pointer(&p);
		} else if (errno != EEXIST) {
			core_error(CORE_ERR_FAILED, _("Cannot create disk %s: %s"),
				   p, g_strerror(errno));
			return NULL;
		}
	}
	if (!path) {
		core_error(CORE_ERR_FAILED, _("Cannot find a free disk name in %s."), dir);
		return NULL;
	}
	{
		const char *argv[] = { "create", "-q", "-f", "qcow2", path, size, NULL };

		out = qemu_img(argv, path);
	}
	if (!out) {
		unlink(path);
		g_free(path);
		return NULL;
	}
	return path;
}

/* The pool new volumes go to: @name, or the only active pool. */
static virStoragePoolPtr find_pool(virConnectPtr conn, const char *name)
{
	virStoragePoolPtr *pools = NULL;
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name);
	int n;

	if (pool)
		return pool;
	n = virConnectListAllStoragePools(conn, &pools,
					  VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
	if (n == 1)
		pool = pools[0];
	else
		for (int i = 0; i < n; i++)
			virStoragePoolFree(pools[i]);
	free(pools);
	if (!pool)
		core_error(CORE_ERR_FAILED,
			   _("No storage pool named \"%s\" for the new disk; name one with [engine] pool in the config file."),
			   name);
	return pool;
}

/* Creates a qcow2 volume of @bytes in the engine's pool. */
static char *create_volume(struct engine *eng, const char *name, uint64_t bytes)
{
	virStoragePoolPtr pool = find_pool(engine_conn(eng), engine_pool(eng));
	g_autofree char *stem = safe_stem(name);
	g_autofree char *vol_name = g_strdup_printf("%s.qcow2", stem);
	g_autofree char *xml = NULL;
	virStorageVolPtr vol;
	char *path;

	if (!pool)
		return NULL;
	xml = g_markup_printf_escaped(
		"<volume><name>%s</name>"
		"<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
		"<target><format type='qcow2'/></target></volume>",
		vol_name, bytes);
	vol = virStorageVolCreateXML(pool, xml, 0);
	virStoragePoolFree(pool);
	if (!vol) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot create the disk volume %s"),
				vol_name);
		return NULL;
	}
	path = virStorageVolGetPath(vol);
	virStorageVolFree(vol);
	if (!path)
		core_error_virt(CORE_ERR_FAILED, _("Cannot create the disk volume %s"),
				vol_name);
	return path;
}

char *disk_create(struct engine *eng, const char *name, uint64_t bytes)
{
	if (engine_is_embedded(eng))
		return create_local(name, bytes);
	return create_volume(eng, name, bytes);
}

int disk_remove(struct engine *eng, const char *path)
{
	virStorageVolPtr vol;

	if (engine_is_embedded(eng)) {
		if (unlink(path) < 0 && errno != ENOENT) {
			core_error(CORE_ERR_FAILED, _("Cannot remove disk %s: %s"),
				   path, g_strerror(errno));
			return -1;
		}
		return 0;
	}
	vol = virStorageVolLookupByPath(engine_conn(eng), path);
	if (!vol)
		return 0;
	if (virStorageVolDelete(vol, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot remove disk %s"), path);
		virStorageVolFree(vol);
		return -1;
	}
	virStorageVolFree(vol);
	return 0;
}

char *disk_image_format(const char *path)
{
	const char *argv[] = { "info", "--output=json", "-U", path, NULL };
	g_autofree char *json = NULL;
	g_autoptr(GRegex) fmt_re = g_regex_new("\"format\":\\s*\"([a-z0-9]+)\"",
					       0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	struct stat st;

	if (stat(path, &st) < 0) {
		core_error(CORE_ERR_USAGE, _("The disk image %s cannot be used: %s."),
			   path, g_strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		core_error(CORE_ERR_USAGE,
			   _("The disk image %s is not a file or block device."), path);
		return NULL;
	}
	json = qemu_img(argv, path);
	if (!json)
		return NULL;
	/* Images vmtui did not make may point QEMU at other host files:
	 * refuse them until the image store (vmtui import) vets them. */
	if (strstr(json, "\"backing-filename\"") || strstr(json, "\"data-file\"")) {
		core_error(CORE_ERR_USAGE,
			   _("The disk image %s refers to another file (backing or data file); vmtui refuses such images for safety."),
			   path);
		return NULL;
	}
	if (!g_regex_match(fmt_re, json, 0, &m)) {
		core_error(CORE_ERR_USAGE, _("Cannot tell the format of %s."), path);
		return NULL;
	}
	return g_match_info_fetch(m, 1);
}

int file_check_readable(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		core_error(CORE_ERR_USAGE, _("The %s %s cannot be used: %s."), what,
			   path, g_strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		core_error(CORE_ERR_USAGE, _("The %s %s is not a regular file."),
			   what, path);
		return -1;
	}
	if (access(path, R_OK) < 0) {
		core_error(CORE_ERR_USAGE, _("The %s %s cannot be read: %s."), what,
			   path, g_strerror(errno));
		return -1;
	}
	return 0;
}

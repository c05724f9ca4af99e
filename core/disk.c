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

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/engine.h"
#include "core/run.h"
#include "core/i18n.h"

char *core_file_stem(const char *name)
{
	GString *s = g_string_new(NULL);

	for (const char *p = name; *p && s->len < 64; p++)
		g_string_append_c(s, g_ascii_isalnum(*p) || *p == '-' || *p == '_' ||
				  (*p == '.' && s->len) ? *p : '_');
	return g_string_free(s, FALSE);
}

char *disk_new_path(const char *name, const char *tag, const char *ext, bool reserve)
{
	g_autofree char *data = core_data_dir();
	g_autofree char *dir = g_build_filename(data, "disks", NULL);
	g_autofree char *stem = core_file_stem(name);
	g_autofree char *head = tag ? g_strdup_printf("%s/%s-%s", dir, stem, tag) :
			       g_strdup_printf("%s/%s", dir, stem);

	if (core_mkdir_p(dir, 0700) < 0)
		return NULL;
	if (!reserve)
		return g_strdup_printf("%s.%s", head, ext);
	for (int i = 0; i < 1000; i++) {
		g_autofree char *p = i ? g_strdup_printf("%s-%d.%s", head, i, ext) :
				     g_strdup_printf("%s.%s", head, ext);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0) {
			close(fd);
			return g_steal_pointer(&p);
		}
		if (errno != EEXIST) {
			core_error(CORE_ERR_FAILED, _("Cannot create disk %s: %s"), p, g_strerror(errno));
			return NULL;
		}
	}
	core_error(CORE_ERR_FAILED, _("Cannot find a free disk name in %s."), dir);
	return NULL;
}

char *disk_snapshot_file(const char *vm, const char *snap, const char *what)
{
	bool file = strcmp(what, "mem") == 0 || strcmp(what, "nvram") == 0;
	g_autofree char *tag = file ? g_strdup_printf("snap-%s", snap) :
			       g_strdup_printf("snap-%s-%s", snap, what);

	return disk_new_path(vm, tag, file ? what : "qcow2", false);
}

/* Creates a qcow2 file of @bytes for VM @name in the data dir. */
static char *create_local(const char *name, uint64_t bytes)
{
	g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, bytes);
	g_autofree char *out = NULL;
	/* a unique name reserved atomically, then qemu-img fills it */
	char *path = disk_new_path(name, NULL, "qcow2", true);

	if (!path)
		return NULL;
	{
		const char *argv[] = { "create", "-q", "-f", "qcow2", path, size, NULL };

		out = core_qemu_img(argv, path, NULL);
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
	g_autofree char *stem = core_file_stem(name);
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

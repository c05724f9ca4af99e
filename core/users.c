/*
 * users.c — which VMs use a file that vmtui keeps for VMs to share (an
 * image of the store, a template's base), on every engine.
 *
 * Asking the engine at hand finds its own VMs only: a linked clone made
 * with -c qemu:///session, or on another embedded root, is invisible to
 * it, and deleting its base would break it.  So such a file has a folder
 * of user records beside it, FILE.users/, which its owner makes
 * (file_users_track).  vm_create writes one record per VM that uses the
 * file, as its disk or as its disk's backing file, named by the VM's
 * UUID and holding the engine's URI, the VM's name and its disk; vm_delete
 * removes it.  Core knows nothing of images or templates: a file is in or
 * out by whether its folder exists.
 *
 * A record is trusted only as far as it cannot be checked: one of the
 * engine asked is checked against its VMs (a VM deleted by another client,
 * or that no longer uses the file, drops it), one of another engine counts
 * while its disk exists.  VMs of the engine asked that use the file count
 * whether recorded or not.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/engine.h"
#include "core/vm.h"
#include "core/users.h"
#include "core/i18n.h"

#define RECORD_MAX 4096

void file_user_free(struct file_user *u)
{
	if (!u)
		return;
	g_free(u->uri);
	g_free(u->name);
	g_free(u->uuid);
	g_free(u);
}

/* @path resolved (links, "..") when it exists, else as given; caller
 * frees. */
static char *canonical(const char *path)
{
	char *real = realpath(path, NULL);
	char *out = g_strdup(real ? real : path);

	free(real);
	return out;
}

/* The folder of user records of @file, whether it exists or not; caller
 * frees. */
static char *users_dir(const char *file)
{
	g_autofree char *real = canonical(file);

	return g_strdup_printf("%s.users", real);
}

int file_users_track(const char *file)
{
	g_autofree char *dir = users_dir(file);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		core_error(CORE_ERR_FAILED, _("Cannot create folder %s: %s"), dir, g_strerror(errno));
		return -1;
	}
	return 0;
}

void file_users_untrack(const char *file)
{
	g_autofree char *dir = users_dir(file);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, e, NULL);

		unlink(p);
	}
	if (d)
		g_dir_close(d);
	rmdir(dir);
}

/* The files the disk @d uses that are tracked (their records' folders,
 * canonical), added to @dirs. */
static void tracked_dirs(const struct vm_disk *d, GPtrArray *dirs)
{
	const char *files[] = { d->path, d->backing };

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *dir = files[i] ? users_dir(files[i]) : NULL;

		if (dir && g_file_test(dir, G_FILE_TEST_IS_DIR))
			g_ptr_array_add(dirs, g_steal_pointer(&dir));
	}
}

void users_forget(const struct vm_spec *spec)
{
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);

	if (!spec->uuid || !g_uuid_string_is_valid(spec->uuid))
		return;
	for (guint i = 0; i < spec->disks->len; i++)
		tracked_dirs(spec->disks->pdata[i], dirs);
	for (guint i = 0; i < dirs->len; i++) {
		g_autofree char *rec = g_build_filename(dirs->pdata[i], spec->uuid, NULL);

		unlink(rec);
	}
}

int users_record(struct engine *eng, const struct vm_spec *spec)
{
	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = spec->disks->pdata[i];
		g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);

		tracked_dirs(d, dirs);
		for (guint k = 0; k < dirs->len; k++) {
			g_autoptr(GKeyFile) kf = g_key_file_new();
			g_autofree char *rec = g_build_filename(dirs->pdata[k], spec->uuid, NULL);
			g_autofree char *text = NULL;
			gsize len;

			g_key_file_set_string(kf, "user", "uri", engine_uri(eng));
			g_key_file_set_string(kf, "user", "name", spec->name);
			g_key_file_set_string(kf, "user", "disk", d->path);
			text = g_key_file_to_data(kf, &len, NULL);
			if (core_write_file_atomic(rec, text, len, 0600) < 0) {
				g_autofree char *why = g_strdup(core_error_message());

				users_forget(spec);
				core_error(CORE_ERR_FAILED, "%s", why);
				return -1;
			}
		}
	}
	return 0;
}

/* Whether the VM described by @s uses @file (canonical) as a disk or as
 * a disk's backing file. */
static bool uses(const struct vm_spec *s, const char *file)
{
	for (guint i = 0; i < s->disks->len; i++) {
		const struct vm_disk *d = s->disks->pdata[i];
		const char *paths[] = { d->path, d->backing };

		for (size_t k = 0; k < G_N_ELEMENTS(paths); k++) {
			g_autofree char *real = paths[k] ? canonical(paths[k]) : NULL;

			if (real && strcmp(real, file) == 0)
				return true;
		}
	}
	return false;
}

static struct file_user *user_new(const char *uri, const char *name, const char *uuid,
				  bool here)
{
	struct file_user *u = g_new0(struct file_user, 1);

	u->uri = g_strdup(uri);
	u->name = g_strdup(name);
	u->uuid = g_strdup(uuid);
	u->here = here;
	return u;
}

/* The engine asked first, then by URI, then by name. */
static gint user_cmp(gconstpointer a, gconstpointer b)
{
	const struct file_user *x = *(struct file_user *const *)a;
	const struct file_user *y = *(struct file_user *const *)b;
	int c = (int)y->here - (int)x->here;

	if (!c)
		c = strcmp(x->uri, y->uri);
	return c ? c : strcmp(x->name, y->name);
}

/* Adds to @out the users recorded for @file (canonical) on engines other
 * than @eng whose disk still exists, and drops the records that no longer
 * hold: of @eng's VMs that are not in @out already (gone, or no longer
 * using it), of a disk that is gone, and those that cannot be read. */
static void add_recorded(struct engine *eng, const char *file, GPtrArray *out)
{
	g_autofree char *dir = g_strdup_printf("%s.users", file);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *rec = g_build_filename(dir, e, NULL);
		g_autofree char *text = NULL;
		g_autofree char *uri = NULL, *name = NULL, *disk = NULL;
		g_autoptr(GKeyFile) kf = g_key_file_new();
		bool keep = false;

		if (!g_uuid_string_is_valid(e))
			continue; /* not ours: a temporary file, say */
		text = core_read_file(rec, RECORD_MAX, CORE_READ_NOFOLLOW, _("user record"), NULL);
		if (text && g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
			uri = g_key_file_get_string(kf, "user", "uri", NULL);
			name = g_key_file_get_string(kf, "user", "name", NULL);
			disk = g_key_file_get_string(kf, "user", "disk", NULL);
		}
		if (uri && name && disk && strcmp(uri, engine_uri(eng)) != 0 &&
		    (access(disk, F_OK) == 0 || errno != ENOENT)) {
			g_ptr_array_add(out, user_new(uri, name, e, false));
			keep = true;
		}
		/* one of this engine's VMs that uses the file is in @out */
		for (guint i = 0; !keep && i < out->len; i++)
			keep = strcmp(((struct file_user *)out->pdata[i])->uuid, e) == 0;
		if (!keep)
			unlink(rec);
	}
	if (d)
		g_dir_close(d);
	core_error_clear();
}

int file_users(struct engine *eng, const char *const *files, guint n, GPtrArray **users)
{
	g_autoptr(GPtrArray) real = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) vms = vm_list(eng);

	if (!vms)
		return -1;
	for (guint k = 0; k < n; k++) {
		g_ptr_array_add(real, canonical(files[k]));
		users[k] = g_ptr_array_new_with_free_func((GDestroyNotify)file_user_free);
	}
	/* each VM's description is read once, whatever the files */
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		for (guint k = 0; k < n; k++)
			if (uses(s, real->pdata[k]))
				g_ptr_array_add(users[k], user_new(engine_uri(eng), s->name,
								   s->uuid ? s->uuid : "", true));
	}
	core_error_clear();
	for (guint k = 0; k < n; k++) {
		if (engine_is_local(eng))
			add_recorded(eng, real->pdata[k], users[k]);
		g_ptr_array_sort(users[k], user_cmp);
	}
	return 0;
}

char *file_users_text(const GPtrArray *users)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < users->len; i++) {
		const struct file_user *u = users->pdata[i];
		const struct file_user *next = i + 1 < users->len ? users->pdata[i + 1] : NULL;

		g_string_append(s, u->name);
		if (next && strcmp(next->uri, u->uri) == 0) {
			g_string_append(s, ", ");
			continue;
		}
		/* TRANSLATORS: after the VMs of one engine: "lab-1, lab-2 on qemu:///session" */
		g_string_append_printf(s, _(" on %s"), u->uri);
		if (next)
			g_string_append(s, "; ");
	}
	return g_string_free(s, FALSE);
}

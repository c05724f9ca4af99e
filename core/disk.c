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
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core-priv.h"
#include "i18n.h"

/* In the child, before qemu-img runs: the limits asked for, and death
 * with the thread that started it, so a killed vmtui leaves no qemu-img
 * writing a file that recovery has just removed. */
static void qemu_img_child(gpointer data)
{
	const struct qemu_img_opts *o = data;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (o && o->max_memory) {
		struct rlimit as = { o->max_memory, o->max_memory };

		setrlimit(RLIMIT_AS, &as);
	}
	if (o && o->max_cpu_s) {
		struct rlimit cpu = { (rlim_t)o->max_cpu_s, (rlim_t)o->max_cpu_s };

		setrlimit(RLIMIT_CPU, &cpu);
	}
}

/* Appends what @fd has to @buf; false at its end. */
static bool read_some(int fd, GString *buf)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	g_string_append_len(buf, chunk, n);
	return true;
}

char *qemu_img_run(const char *const *argv, const char *what,
		   const struct qemu_img_opts *o, int *status, GString *err)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GError) gerr = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	struct pollfd p[2];
	GPid pid;

	g_ptr_array_add(args, (gpointer)QEMU_IMG_PATH);
	for (; *argv; argv++)
		g_ptr_array_add(args, (gpointer)*argv);
	g_ptr_array_add(args, NULL);
	if (!g_spawn_async_with_pipes(NULL, (char **)args->pdata, NULL,
				      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
				      qemu_img_child, (gpointer)o, &pid, NULL,
				      &p[0].fd, &p[1].fd, &gerr)) {
		core_error(CORE_ERR_FAILED, _("Cannot run qemu-img for %s: %s"),
			   what, gerr->message);
		return NULL;
	}
	p[0].events = p[1].events = POLLIN;
	/* read both pipes to their end, looking at the job now and then */
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (o && o->job && job_cancelled(o->job)) {
			kill(pid, SIGTERM);
			break;
		}
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd >= 0 && p[i].revents && !read_some(p[i].fd, i ? err : out)) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	*status = 0;
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	if (o && o->job && job_cancelled(o->job)) {
		core_error(CORE_ERR_CANCELLED, _("Cancelled."));
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

char *core_qemu_img(const char *const *argv, const char *what,
		    const struct qemu_img_opts *o)
{
	g_autoptr(GString) err = g_string_new(NULL);
	g_autofree char *out = NULL;
	int status;

	out = qemu_img_run(argv, what, o, &status, err);
	if (!out)
		return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_strstrip(err->str);
		core_error(CORE_ERR_FAILED, _("qemu-img failed for %s: %s"), what,
			   *err->str ? err->str : WIFSIGNALED(status) ?
			   g_strsignal(WTERMSIG(status)) : _("no message"));
		return NULL;
	}
	return g_steal_pointer(&out);
}

static char *qemu_img(const char *const *argv, const char *what)
{
	return core_qemu_img(argv, what, NULL);
}

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

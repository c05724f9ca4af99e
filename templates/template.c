/*
 * template.c — making a template from a shut-off VM or an image file,
 * checking its base for identity that clones would share, and deleting
 * it once no VM depends on it.
 *
 * A template is assembled in a staging folder (DATA/templates/.staging-*)
 * and renamed into place, so a crash leaves either nothing or a whole
 * template; staging folders left by a crash are removed by the next
 * template_create.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/vm.h"
#include "core/model.h"
#include "core/users.h"
#include "core/run.h"
#include "core/image.h"
#include "images/images.h"
#include "images/ova.h"
#include "templates/templates-priv.h"

int tpl_qemu_img(const char *const *argv, const char *what)
{
	g_autofree char *out = core_qemu_img(argv, what, NULL);

	return out ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tpl_rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Copies the kernel or initrd @src (@what) into the template as @dst, a
 * new file of mode 0444, at most [limits] boot-file bytes.  0 or -1. */
static int copy_boot_file(const char *src, const char *dst, const char *what)
{
	return core_copy_file(src, dst, core_limits()->boot_file, what, 0444);
}

/* ---- identity check ------------------------------------------------------
 *
 * The base is read in place: qemu-storage-daemon exports it read-only as a
 * raw file over FUSE (on an empty file in the staging folder) and debugfs
 * reads the ext file system on it, both under limits.  Nothing is copied,
 * and nothing of the guest's files is read before debugfs has said what
 * it is: a hostile image whose /etc/machine-id is a 4 TiB sparse file, or
 * whose /etc/ssh holds a million names, costs a few kilobytes.  The
 * export is for the user who made it only (allow-other=off), even as
 * root. */

/* What one debugfs request may spend. */
#define DEBUGFS_MEMORY (UINT64_C(256) << 20)
#define DEBUGFS_STAT_MAX (64u << 10)
/* the largest /etc/machine-id that is read: a real one has 33 bytes */
#define MACHINE_ID_MAX 4096
/* the most an `ls` of /etc/ssh may print: a real one lists a dozen files */
#define SSH_LS_MAX (256u << 10)
/* what the FUSE export may spend */
#define EXPORT_MEMORY (UINT64_C(512) << 20)

/* The path of debugfs (caller frees): in PATH, else where e2fsprogs puts
 * it (/usr/sbin is not in every user's PATH); NULL when not installed. */
static char *debugfs_path(void)
{
	char *p = g_find_program_in_path("debugfs");

	if (!p && access("/usr/sbin/debugfs", X_OK) == 0)
		p = g_strdup("/usr/sbin/debugfs");
	return p;
}

/* Runs `debugfs -c -R @request @raw` (catastrophic mode: no bitmaps read)
 * under limits, taking at most @max bytes of output, about @what.  Its
 * output (caller frees), or NULL with an error; *@not_ext tells that the
 * file holds no ext file system (debugfs says so and still exits 0). */
static char *debugfs(const char *prog, const char *raw, const char *request, size_t max,
		     const char *what, bool *not_ext)
{
	const char *argv[] = { prog, "-c", "-R", request, raw, NULL };
	struct run_opts o = { .max_memory = DEBUGFS_MEMORY, .max_cpu_s = 20,
			      .max_wall_s = 30, .max_output = max };
	g_autoptr(GString) err = g_string_new(NULL);
	g_autofree char *out = NULL;
	const char *open_error;
	int status;

	*not_ext = false;
	out = core_run_status(argv, what, &o, &status, err);
	if (!out)
		return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		core_error(CORE_ERR_FAILED, _("debugfs failed for %s (it may have met its limits)."),
			   what);
		return NULL;
	}
	/* "debugfs: Bad magic number in super-block while trying to open F" */
	if ((open_error = strstr(err->str, " while trying to open "))) {
		const char *line = open_error;
		g_autofree char *reason = NULL;

		while (line > err->str && line[-1] != '\n')
			line--;
		if (g_str_has_prefix(line, "debugfs: "))
			line += strlen("debugfs: ");
		reason = g_strndup(line, (gsize)(open_error - line));
		*not_ext = true;
		core_error(CORE_ERR_FAILED, "%s", reason);
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* The value after "@key: " in debugfs's `stat` output @out, or NULL. */
static const char *stat_field(const char *out, const char *key, char *buf, size_t len)
{
	g_autofree char *k = g_strdup_printf("%s: ", key);
	const char *p = strstr(out, k);
	size_t n;

	if (!p)
		return NULL;
	p += strlen(k);
	n = strcspn(p, " \t\n");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* Adds to @w what /etc/machine-id on @raw says: only a regular file of at
 * most MACHINE_ID_MAX bytes is read.  false when @raw is no ext file
 * system (the error says why). */
static bool check_machine_id(const char *prog, const char *raw, GString *w)
{
	const char *what = _("the base's /etc/machine-id");
	g_autofree char *st = NULL;
	g_autofree char *id = NULL;
	char type[32], size[32];
	guint64 bytes;
	bool not_ext;

	st = debugfs(prog, raw, "stat /etc/machine-id", DEBUGFS_STAT_MAX, what, &not_ext);
	if (!st) {
		if (!not_ext)
			g_string_append_printf(w, _("Not checked for a machine-id: %s"),
					       core_error_message());
		return !not_ext;
	}
	/* no such file, or not a regular one (a link is not followed) */
	if (!stat_field(st, "Type", type, sizeof type) || strcmp(type, "regular") != 0 ||
	    !stat_field(st, "Size", size, sizeof size))
		return true;
	bytes = g_ascii_strtoull(size, NULL, 10);
	if (bytes > MACHINE_ID_MAX) {
		g_autofree char *h = core_format_size(bytes);

		g_string_append_printf(w, _("The base's /etc/machine-id is %s (%" PRIu64 " bytes), not a machine-id: a suspicious file, not read."),
				       h, bytes);
		return true;
	}
	id = debugfs(prog, raw, "cat /etc/machine-id", MACHINE_ID_MAX, what, &not_ext);
	if (!id) {
		g_string_append_printf(w, _("Not checked for a machine-id: %s"), core_error_message());
		return true;
	}
	if (*g_strstrip(id) && strcmp(id, "uninitialized") != 0) {
		/* the guest's bytes: shown made printable (also for XML) */
		g_autofree char *cut = g_strndup(id, 32);
		g_autofree char *shown = core_printable(cut, false);

		g_string_append_printf(w, _("The base has a machine-id (/etc/machine-id = %s): every clone would share it. Empty the file in the source VM first."),
				       shown);
	}
	return true;
}

/* Adds to @w the SSH host keys in /etc/ssh on @raw. */
static void check_host_keys(const char *prog, const char *raw, GString *w)
{
	g_autofree char *ls = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GString) keys = g_string_new(NULL);
	bool not_ext;

	ls = debugfs(prog, raw, "ls -p /etc/ssh", SSH_LS_MAX, _("the base's /etc/ssh"), &not_ext);
	if (!ls) {
		if (w->len)
			g_string_append_c(w, '\n');
		g_string_append_printf(w, _("Not checked for SSH host keys: %s (a real /etc/ssh holds a few files: this one is suspicious)."),
				       core_error_message());
		return;
	}
	lines = g_strsplit(ls, "\n", -1);
	/* "/inode/mode/uid/gid/name/size/" */
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, "/", -1);

		if (g_strv_length(f) >= 6 && g_str_has_prefix(f[5], "ssh_host_") &&
		    g_str_has_suffix(f[5], "_key")) {
			g_autofree char *name = core_printable(f[5], false);

			g_string_append_printf(keys, "%s%s", keys->len ? ", " : "", name);
		}
	}
	if (keys->len) {
		if (w->len)
			g_string_append_c(w, '\n');
		g_string_append_printf(w, _("The base has SSH host keys (/etc/ssh: %s): every clone would have the same host identity. Remove them in the source VM first."),
				       keys->str);
	}
}

/* @s with every ',' doubled, as QEMU's option syntax wants; caller frees. */
static char *qemu_opt_escape(const char *s)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);

	return g_strjoinv(",,", parts);
}

/* Exports the qcow2 @base read-only as the raw file @raw (made empty
 * first) with qemu-storage-daemon over FUSE.  The running export, or NULL
 * with an error. */
static struct run_mount *export_raw(const char *base, const char *raw)
{
	g_autofree char *b = qemu_opt_escape(base);
	g_autofree char *r = qemu_opt_escape(raw);
	g_autofree char *file = g_strdup_printf("driver=file,node-name=f,filename=%s,read-only=on", b);
	g_autofree char *export = g_strdup_printf("type=fuse,id=e,node-name=q,mountpoint=%s,writable=off,allow-other=off", r);
	const char *argv[] = { QEMU_STORAGE_DAEMON_PATH, "--blockdev", file, "--blockdev",
			       "driver=qcow2,node-name=q,file=f,read-only=on", "--export", export,
			       NULL };
	struct run_opts o = { .max_memory = EXPORT_MEMORY, .max_cpu_s = 60, .max_wall_s = 30 };
	int fd = open(raw, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot create %s: %s"), raw, g_strerror(errno));
		return NULL;
	}
	close(fd);
	return core_run_mount(argv, _("reading the base in place"), &o, raw);
}

/* Why the base cannot be read in place here (static, translated), or
 * NULL when it can. */
static const char *no_export(const char *debugfs_prog)
{
	g_autofree char *fusermount = NULL;

	if (!debugfs_prog)
		return _("debugfs (e2fsprogs) is not installed");
	if (access(QEMU_STORAGE_DAEMON_PATH, X_OK) < 0)
		return _("qemu-storage-daemon (package qemu-system-common) is not installed");
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return _("FUSE (/dev/fuse) is not available");
	fusermount = g_find_program_in_path("fusermount3");
	if (geteuid() != 0 && !fusermount)
		return _("fusermount3 (package fuse3), which mounts FUSE for users other than root, is not installed");
	return NULL;
}

char *template_check_identity(const char *base, const char *staging)
{
	g_autofree char *raw = g_build_filename(staging, "probe.raw", NULL);
	g_autofree char *prog = debugfs_path();
	const char *why = no_export(prog);
	GString *w = g_string_new(NULL);
	struct run_mount *m;

	if (why) {
		g_string_append_printf(w, _("Not checked for a machine-id or SSH host keys: %s (vmtui reads the base in place through a FUSE export of qemu-storage-daemon, never as a copy)."),
				       why);
		return g_string_free(w, FALSE);
	}
	core_error_clear();
	m = export_raw(base, raw);
	if (!m) {
		g_string_append_printf(w, _("Not checked for a machine-id or SSH host keys: the base could not be read in place: %s"),
				       core_error_message());
	} else if (!check_machine_id(prog, raw, w)) {
		g_string_append_printf(w, _("Not checked for a machine-id or SSH host keys: the image does not start with an ext2/3/4 file system (debugfs: %s; partitioned disks and other file systems are not looked into)."),
				       core_error_message());
	} else {
		check_host_keys(prog, raw, w);
	}
	core_run_unmount(m);
	core_error_clear();
	unlink(raw);
	return g_string_free(w, FALSE);
}

/* ---- create ------------------------------------------------------------- */

/* Whether @path is the base image of some template. */
static bool is_template_base(const char *path)
{
	g_autofree char *top = templates_dir();
	g_autofree char *real = realpath(path, NULL);
	g_autofree char *rtop = realpath(top, NULL);
	size_t n;

	if (!real || !rtop)
		return false;
	n = strlen(rtop);
	return strncmp(real, rtop, n) == 0 && real[n] == '/' &&
	       g_str_has_suffix(real, "/base.qcow2");
}

/* Removes staging folders left by a crashed template_create. */
static void clean_staging(const char *top)
{
	GDir *d = g_dir_open(top, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(top, e, NULL);
		g_autofree char *pidfile = g_build_filename(p, "pid", NULL);
		g_autofree char *pid = NULL;

		if (!g_str_has_prefix(e, ".staging-") && !g_str_has_prefix(e, ".deleting-"))
			continue;
		if (g_file_get_contents(pidfile, &pid, NULL, NULL) &&
		    kill((pid_t)atol(pid), 0) == 0 && atol(pid) != getpid())
			continue; /* another vmtui is working on it */
		{
			/* a killed vmtui's export of the base, stale: it must
			 * go before its file can */
			g_autofree char *probe = g_build_filename(p, "probe.raw", NULL);

			core_unmount(probe);
		}
		tpl_rm_rf(p);
	}
	if (d)
		g_dir_close(d);
}

/* Fills @t's hardware from the shut-off VM @vm and converts its first
 * disk into @t->base.  0 or -1. */
static int from_vm(struct engine *eng, struct template *t, const char *vm)
{
	int state, reason;
	autoptr(vm_spec) s = vm_describe(eng, vm, &state, &reason);
	struct vm_disk *disk = NULL;

	if (!s)
		return -1;
	if (state != VIR_DOMAIN_SHUTOFF) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is %s; shut it down before making a template of it."),
			   vm, vm_state_label(state));
		return -1;
	}
	for (guint i = 0; i < s->disks->len && !disk; i++) {
		struct vm_disk *d = g_ptr_array_index(s->disks, i);

		if (!d->cdrom && d->path)
			disk = d;
	}
	if (!disk) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" has no disk to make a template of."), vm);
		return -1;
	}
	{
		const char *fmt = disk->format ? disk->format : "raw";
		autoptr(image_info) info = image_inspect(disk->path, fmt);
		const char *argv[] = { "convert", "-f", fmt, "-O", "qcow2", "--",
				       disk->path, t->base, NULL };

		if (!info)
			return -1;
		if (info->data_file) {
			core_error(CORE_ERR_FAILED, _("The disk %s of VM \"%s\" has an external data file (%s); vmtui does not copy such disks."),
				   disk->path, vm, info->data_file);
			return -1;
		}
		if (info->backing && !is_template_base(info->backing)) {
			core_error(CORE_ERR_FAILED, _("The disk %s of VM \"%s\" has a backing file (%s) that is not a vmtui template."),
				   disk->path, vm, info->backing);
			return -1;
		}
		if (tpl_qemu_img(argv, disk->path) < 0)
			return -1;
		t->disk_bytes = info->virtual_size;
	}
	t->source = g_strdup_printf("vm:%s", vm);
	t->os_variant = g_strdup(s->os_variant);
	t->vcpus = s->vcpus;
	t->memory_mib = s->memory_mib;
	t->firmware = s->firmware;
	t->disk_bus = g_strdup(disk->bus ? disk->bus : "virtio");
	t->nic_model = vm_spec_nic(s) ? g_strdup(vm_spec_nic(s)->model) : NULL;
	if (!t->description && s->description)
		t->description = g_strdup(s->description);
	if (s->kernel) {
		/* the template carries its own copies: the VM's may go */
		t->kernel = g_build_filename(t->dir, "vmlinuz", NULL);
		if (copy_boot_file(s->kernel, t->kernel, _("kernel")) < 0)
			return -1;
		if (s->initrd) {
			t->initrd = g_build_filename(t->dir, "initrd.img", NULL);
			if (copy_boot_file(s->initrd, t->initrd, _("initrd")) < 0)
				return -1;
		}
		t->cmdline = g_strdup(s->cmdline);
	}
	return 0;
}

/* Converts the image file @path into @t->base after the safety checks
 * every foreign image passes; generic hardware defaults.  0 or -1. */
/* @image: a name of the image store (its images were checked on import
 * and may build on another of them), else a file from elsewhere, checked
 * here. */
static int from_image(struct template *t, const char *image)
{
	autoptr(image_entry) e = strchr(image, '/') ? NULL : image_lookup(image);
	g_autofree char *path = e ? g_strdup(e->path) : g_canonicalize_filename(image, NULL);
	autoptr(image_info) info = NULL;
	struct os_defaults def = { 0 };
	const char *argv[] = { "convert", "-f", NULL, "-O", "qcow2", "--", path,
			       t->base, NULL };

	core_error_clear();
	if (!e && !strchr(image, '/') && access(path, F_OK) < 0) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no image named \"%s\" in the store, and no such file."),
			   image);
		return -1;
	}
	info = e ? image_inspect(path, e->format) : image_inspect_safe(path, NULL, NULL);
	if (!info)
		return -1;
	argv[2] = info->format;
	if (tpl_qemu_img(argv, path) < 0)
		return -1;
	t->disk_bytes = info->virtual_size;
	t->source = e ? g_strdup_printf("store:%s", e->name) : g_strdup_printf("image:%s", path);
	if (os_defaults_get(NULL, &def) < 0)
		return -1;
	t->vcpus = def.vcpus;
	t->memory_mib = def.memory_mib;
	t->disk_bus = g_strdup(def.disk_bus);
	t->nic_model = g_strdup(def.nic_model);
	os_defaults_fini(&def);
	return 0;
}

/* Converts the only disk of the OVA at @path into @t->base after the
 * checks every OVA passes; the hardware is the OVF's.  0 or -1. */
static int from_ova(struct template *t, const char *path, struct job *job)
{
	autoptr(vm_spec) s = ova_unpack(path, NULL, t->base, job);
	struct vm_disk *d;

	if (!s)
		return -1;
	d = s->disks->pdata[0];
	t->disk_bytes = d->capacity;
	t->disk_bus = g_strdup(d->bus ? d->bus : "virtio");
	t->source = g_strdup_printf("ova:%s", path);
	t->vcpus = s->vcpus;
	t->memory_mib = s->memory_mib;
	t->firmware = s->firmware;
	t->nic_model = vm_spec_nic(s) ? g_strdup(vm_spec_nic(s)->model) : NULL;
	if (!t->description && s->description)
		t->description = g_strdup(s->description);
	return 0;
}

struct template *template_create(struct engine *eng, const char *name,
				 const struct template_source *src,
				 struct job *job, char **report)
{
	autoptr(template) t = NULL;
	g_autofree char *top = templates_dir();
	g_autofree char *final = NULL;
	g_autofree char *staging = NULL;
	g_autofree char *pid = g_strdup_printf("%ld\n", (long)getpid());
	g_autofree char *pidfile = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	int rc;

	*report = NULL;
	if (!template_name_valid(name))
		return NULL;
	if (src->description && !core_text_valid(_("description"), src->description))
		return NULL;
	if (core_mkdir_p(top, 0700) < 0)
		return NULL;
	clean_staging(top);
	final = g_build_filename(top, name, NULL);
	if (g_file_test(final, G_FILE_TEST_EXISTS)) {
		core_error(CORE_ERR_STATE, _("A template named \"%s\" already exists."), name);
		return NULL;
	}
	staging = g_strdup_printf("%s/.staging-%s-XXXXXX", top, name);
	if (!g_mkdtemp_full(staging, 0700)) {
		core_error(CORE_ERR_FAILED, _("Cannot create %s: %s"), staging, g_strerror(errno));
		return NULL;
	}
	pidfile = g_build_filename(staging, "pid", NULL);
	g_file_set_contents(pidfile, pid, -1, NULL);

	/* built in staging, renamed into place at the end */
	t = template_alloc(name);
	g_free(t->dir);
	t->dir = g_strdup(staging);
	g_free(t->base);
	t->base = g_build_filename(staging, "base.qcow2", NULL);
	t->description = g_strdup(src->description);
	t->created = g_date_time_format_iso8601(now);
	t->network = g_strdup("nat");

	job_progress(job, 0.1, _("Copying the disk into template \"%s\""), name);
	rc = src->vm ? from_vm(eng, t, src->vm) :
	     src->ova ? from_ova(t, src->ova, job) : from_image(t, src->image);
	if (rc < 0)
		goto fail;
	if (job_cancelled(job)) {
		core_error(CORE_ERR_CANCELLED, _("Cancelled."));
		goto fail;
	}
	chmod(t->base, 0444);
	/* its linked clones are recorded with it, on every engine */
	if (file_users_track(t->base) < 0)
		goto fail;
	job_progress(job, 0.7, _("Looking for a machine-id and SSH host keys"));
	t->warnings = template_check_identity(t->base, staging);
	if (t->warnings && !*t->warnings)
		g_clear_pointer(&t->warnings, g_free);
	if (template_save(t) < 0)
		goto fail;
	unlink(pidfile);
	if (rename(staging, final) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot move the template into %s: %s"), final,
			   g_strerror(errno));
		goto fail;
	}
	{
		/* the paths now point into the final folder */
		struct template *done = template_load(name);

		if (!done)
			return NULL;
		template_free(g_steal_pointer(&t));
		t = done;
	}
	if (t->warnings) {
		g_autofree char *sysprep = g_find_program_in_path("virt-sysprep");
		GString *r = g_string_new(NULL);

		g_string_append_printf(r, _("Warning: %s"), t->warnings);
		g_string_append_c(r, '\n');
		if (sysprep && src->vm)
			g_string_append_printf(r, _("virt-sysprep is installed: `virt-sysprep -d %s` (or -a on its disk) clears these; then make the template again."),
					       src->vm);
		else if (sysprep && src->image)
			g_string_append_printf(r, _("virt-sysprep is installed: `virt-sysprep -a %s` clears these; then make the template again."),
					       src->image);
		else if (sysprep)
			g_string_append(r, _("virt-sysprep is installed: run it on the VM or disk the OVA was made from (`virt-sysprep -d VM` or -a DISK), export it again and make the template again."));
		else
			g_string_append(r, _("virt-sysprep (package guestfs-tools) would clear these; it is not installed."));
		g_string_append_c(r, '\n');
		*report = g_string_free(r, FALSE);
	}
	job_progress(job, 1.0, _("Template \"%s\" is ready"), name);
	return g_steal_pointer(&t);
fail:
	tpl_rm_rf(staging);
	return NULL;
}

int template_set_kernel(struct template *t, const char *kernel, const char *initrd)
{
	/* new names: VMs made from the template boot the files it had */
	g_autofree char *k = g_strdup_printf("%s/vmlinuz-%u", t->dir, t->version + 1);
	g_autofree char *i = initrd ? g_strdup_printf("%s/initrd-%u.img", t->dir, t->version + 1) :
			     NULL;

	unlink(k);
	if (copy_boot_file(kernel, k, _("kernel")) < 0)
		return -1;
	if (i) {
		unlink(i);
		if (copy_boot_file(initrd, i, _("initrd")) < 0) {
			unlink(k);
			return -1;
		}
	}
	g_free(t->kernel);
	t->kernel = g_steal_pointer(&k);
	g_free(t->initrd);
	t->initrd = g_steal_pointer(&i);
	return 0;
}

int template_export_ova(const char *name, const char *path, bool replace, struct job *job,
			char **report)
{
	autoptr(template) t = template_load(name);
	autoptr(vm_spec) spec = NULL;
	struct vm_disk *d;

	*report = NULL;
	if (!t)
		return -1;
	/* the OVF has no place for the kernel tpl_vm_spec gives */
	spec = tpl_vm_spec(t);
	spec->name = g_strdup(t->name);
	spec->description = g_strdup(t->description);
	d = vm_spec_add_disk(spec, t->base, "qcow2", false);
	d->bus = g_strdup(t->disk_bus);
	if (ova_write(spec, path, replace, job) < 0)
		return -1;
	if (t->kernel)
		*report = g_strdup_printf(_("Warning: template \"%s\" boots a kernel directly (%s, command line \"%s\"); an OVF cannot carry a kernel, so the OVA holds its disk and hardware only. Give the kernel again after the import (vmtui template edit NAME --kernel FILE --initrd FILE --cmdline TEXT).\n"),
					  t->name, t->kernel, t->cmdline ? t->cmdline : "");
	return 0;
}

/* ---- dependants and delete --------------------------------------------- */

int template_users(struct engine *eng, const GPtrArray *list, GPtrArray *users)
{
	g_autofree const char **bases = g_new0(const char *, list->len + 1);
	g_autofree GPtrArray **found = g_new0(GPtrArray *, list->len + 1);

	/* linked clones have the base as backing file; full copies do not
	 * depend on it */
	for (guint k = 0; k < list->len; k++)
		bases[k] = ((struct template *)list->pdata[k])->base;
	if (file_users(eng, bases, list->len, found) < 0)
		return -1;
	for (guint k = 0; k < list->len; k++) {
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

		for (guint i = 0; i < found[k]->len; i++) {
			const struct file_user *u = found[k]->pdata[i];

			g_ptr_array_add(names, u->here ? g_strdup(u->name) :
					g_strdup_printf(_("%s on %s"), u->name, u->uri));
		}
		g_ptr_array_add(users, names);
		g_ptr_array_unref(found[k]);
	}
	return 0;
}

GPtrArray *template_dependants(struct engine *eng, const char *name)
{
	autoptr(template) t = template_load(name);
	g_autoptr(GPtrArray) one = g_ptr_array_new();
	g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);

	if (!t)
		return NULL;
	g_ptr_array_add(one, t);
	if (template_users(eng, one, users) < 0)
		return NULL;
	return g_ptr_array_ref(users->pdata[0]);
}

int template_delete(struct engine *eng, const char *name)
{
	/* also one whose manifest cannot be read: its base is where the
	 * template's folder says */
	autoptr(template) t = tpl_load_any(name);
	g_autoptr(GPtrArray) deps = NULL;
	g_autofree char *gone = NULL;
	const char *base;

	if (!t)
		return -1;
	base = t->base;
	if (file_users(eng, &base, 1, &deps) < 0)
		return -1;
	if (deps->len) {
		g_autofree char *list = file_users_text(deps);

		core_error(CORE_ERR_STATE,
			   P_("Template \"%s\" is in use by %u VM: %s. Delete it first (vmtui lab delete, with -c URI for another engine).",
			      "Template \"%s\" is in use by %u VMs: %s. Delete them first (vmtui lab delete, with -c URI for another engine).",
			      deps->len),
			   name, deps->len, list);
		return -1;
	}
	/* out of sight at once, then removed */
	{
		g_autofree char *top = templates_dir();

		gone = g_strdup_printf("%s/.deleting-%s-%ld", top, name, (long)getpid());
	}
	if (rename(t->dir, gone) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot remove template \"%s\": %s"), name,
			   g_strerror(errno));
		return -1;
	}
	tpl_rm_rf(gone);
	return 0;
}

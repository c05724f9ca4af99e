/*
 * ova.c — OVA import and export, the half that touches files, qemu-img
 * and the engine.  ovf.c checks; this file stages, converts and defines.
 *
 * Import reads the tar twice: a first pass (ova_scan_fd) checks every
 * entry and reads the OVF and manifest; the second streams only the disk
 * files the OVF references into a private staging folder, each opened by
 * vmtui with openat(O_CREAT|O_EXCL|O_NOFOLLOW) under a flat name, checking
 * the entries again (the file may have changed in between) and computing
 * the manifest digests on the way.  Nothing from the archive is ever
 * extracted by libarchive itself.  What a staged disk unpacks to is
 * measured before qemu-img converts it, against the [limits] settings.
 *
 * Every folder and file an import or an export makes (staging, the disks,
 * the temporary OVA) is in the run's journal (core's journal_add) before
 * data goes into it, so what a killed run left is removed by the next
 * vmtui; an import's disks stay when its VM got defined.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/journal.h"
#include "core/jobs.h"
#include "core/run.h"
#include "core/image.h"
#include "images/images-priv.h"
#include "images/ova.h"

#define CHUNK (1 << 20)
/* qemu-img converting a disk from elsewhere: a hostile image must not
 * make it take the host's memory (no CPU limit: a large disk takes its
 * time, and the job can be cancelled) */
#define CONVERT_MEMORY (UINT64_C(2) << 30)

/* Runs qemu-img with @argv (without the program) under the memory limit,
 * stopping it when the job is cancelled.  0, or -1 with an error naming
 * @what. */
static int run_qemu_img(const char *const *argv, const char *what, struct job *job)
{
	const struct run_opts o = { .job = job, .max_memory = CONVERT_MEMORY };
	g_autofree char *out = core_qemu_img(argv, what, &o);

	return out ? 0 : -1;
}

/* Digests of one streamed entry. */
struct sums {
	GChecksum *sha1, *sha256, *sha512;
};

/* Starts the three digests a manifest may name. */
static void sums_init(struct sums *s)
{
	s->sha1 = g_checksum_new(G_CHECKSUM_SHA1);
	s->sha256 = g_checksum_new(G_CHECKSUM_SHA256);
	s->sha512 = g_checksum_new(G_CHECKSUM_SHA512);
}

/* Feeds @len bytes to every digest. */
static void sums_update(struct sums *s, const void *buf, size_t len)
{
	g_checksum_update(s->sha1, buf, (gssize)len);
	g_checksum_update(s->sha256, buf, (gssize)len);
	g_checksum_update(s->sha512, buf, (gssize)len);
}

/* Frees a struct sums (a hash table value). */
static void sums_free(gpointer p)
{
	struct sums *s = p;

	g_checksum_free(s->sha1);
	g_checksum_free(s->sha256);
	g_checksum_free(s->sha512);
	g_free(s);
}

/* The hex digest for @algo ("SHA1", "SHA256", "SHA512"); owned by @s. */
static const char *sums_get(struct sums *s, const char *algo)
{
	return strcmp(algo, "SHA1") == 0 ? g_checksum_get_string(s->sha1) :
	       strcmp(algo, "SHA256") == 0 ? g_checksum_get_string(s->sha256) :
	       g_checksum_get_string(s->sha512);
}

/* Whether the manifest has a line for @name. */
static bool in_manifest(struct ova_scan *s, const char *name)
{
	for (guint i = 0; s->digests && i < s->digests->len; i++)
		if (strcmp(((struct ova_digest *)s->digests->pdata[i])->file, name) == 0)
			return true;
	return false;
}

/* What an import has made so far, to undo on failure. */
struct staging {
	char *dir;
	int dirfd;
	GPtrArray *files; /* names created in dir */
};

/* Removes the files an import or export staged, then the folder (and
 * DATA/staging when it is left empty). */
static void staging_remove(struct staging *st)
{
	if (st->dirfd >= 0) {
		for (guint i = 0; st->files && i < st->files->len; i++)
			unlinkat(st->dirfd, st->files->pdata[i], 0);
		close(st->dirfd);
	}
	if (st->dir) {
		g_autofree char *parent = g_path_get_dirname(st->dir);

		rmdir(st->dir);
		rmdir(parent); /* only when empty */
	}
	g_free(st->dir);
	if (st->files)
		g_ptr_array_unref(st->files);
}

/* Makes a private folder DATA/staging/KIND-XXXXXX (mode 0700) and opens
 * it; 0, or -1 with an error. */
static int staging_make(struct staging *st, const char *kind)
{
	g_autofree char *data = core_data_dir();
	g_autofree char *parent = g_build_filename(data, "staging", NULL);

	st->dirfd = -1;
	st->files = g_ptr_array_new_with_free_func(g_free);
	if (core_mkdir_p(parent, 0700) < 0)
		return -1;
	st->dir = g_strdup_printf("%s/%s-XXXXXX", parent, kind);
	if (!g_mkdtemp_full(st->dir, 0700)) {
		core_error(CORE_ERR_FAILED, _("Cannot make a staging folder in %s: %s"), parent,
			   g_strerror(errno));
		g_clear_pointer(&st->dir, g_free);
		return -1;
	}
	st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dirfd < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot open %s: %s"), st->dir, g_strerror(errno));
		return -1;
	}
	return 0;
}

/* The second pass: streams the disk files of @s into @st, computing the
 * digests the manifest asks for into @sums (name -> struct sums). */
static int stage_files(int ovafd, const char *path, struct ova_scan *s, struct staging *st,
		       GHashTable *wanted, GHashTable *sums, struct job *job)
{
	struct archive *a = archive_read_new();
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *buf = g_malloc(CHUNK);
	struct archive_entry *e;
	uint64_t total = 0, done = 0;
	int r, rc = -1;
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, wanted);
	while (g_hash_table_iter_next(&it, &k, NULL))
		total += (uint64_t)*(gint64 *)g_hash_table_lookup(s->sizes, k);
	archive_read_support_format_tar(a);
	if (lseek(ovafd, 0, SEEK_SET) != 0 || archive_read_open_fd(a, ovafd, 1 << 16) != ARCHIVE_OK) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), path, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int64_t size = archive_entry_size(e);
		gint64 *was;
		bool want, sum;
		struct sums *sm = NULL;
		struct sparse_file out = { .fd = -1, .dir = st->dir, .what = name };
		int64_t got = 0;

		if (!ova_archive_entry_check(e, seen))
			goto out;
		was = g_hash_table_lookup(s->sizes, name);
		if (!was || *was != size) {
			core_error(CORE_ERR_FAILED, _("%s changed while it was read: refused"), path);
			goto out;
		}
		want = g_hash_table_contains(wanted, name);
		sum = in_manifest(s, name) && strcmp(name, s->ovf_name) != 0;
		if (!want && !sum) {
			if (archive_read_data_skip(a) != ARCHIVE_OK)
				goto read_error;
			continue;
		}
		if (sum) {
			sm = g_new0(struct sums, 1);
			sums_init(sm);
			g_hash_table_insert(sums, g_strdup(name), sm);
		}
		if (want) {
			out.fd = openat(st->dirfd, name,
					O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (out.fd < 0) {
				core_error(CORE_ERR_FAILED, _("Cannot write %s/%s: %s"), st->dir, name,
					   g_strerror(errno));
				goto out;
			}
			g_ptr_array_add(st->files, g_strdup(name));
		}
		for (;;) {
			la_ssize_t n = archive_read_data(a, buf, CHUNK);

			if (n == 0)
				break;
			if (n < 0) {
				if (out.fd >= 0)
					close(out.fd);
				goto read_error;
			}
			got += n;
			if (sm)
				sums_update(sm, buf, (size_t)n);
			if (out.fd >= 0) {
				/* sparse, and the file system keeps its reserve */
				if (sparse_write(&out, buf, (size_t)n) < 0) {
					close(out.fd);
					goto out;
				}
				done += (uint64_t)n;
				job_progress(job, 0.1 + 0.4 * ((double)done / (double)MAX(total, 1)),
					     _("Reading %s"), name);
			}
			if (job_cancelled(job)) {
				if (out.fd >= 0)
					close(out.fd);
				core_error(CORE_ERR_CANCELLED, _("Cancelled."));
				goto out;
			}
		}
		if (out.fd >= 0) {
			int done_rc = sparse_finish(&out, false);

			if (close(out.fd) < 0 && done_rc == 0) {
				core_error(CORE_ERR_FAILED, _("Cannot write %s/%s: %s"), st->dir,
					   name, g_strerror(errno));
				done_rc = -1;
			}
			if (done_rc < 0)
				goto out;
		}
		if (got != size) {
			core_error(CORE_ERR_FAILED, _("OVA entry \"%s\" ends early: refused"), name);
			goto out;
		}
	}
	if (r != ARCHIVE_EOF)
		goto read_error;
	rc = 0;
	goto out;
read_error:
	core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), path,
		   archive_error_string(a) ? archive_error_string(a) : _("unknown error"));
out:
	archive_read_free(a);
	return rc;
}

/* Checks every manifest digest against what was read. */
static int check_manifest(struct ova_scan *s, GHashTable *sums)
{
	struct sums ovf;

	sums_init(&ovf);
	sums_update(&ovf, s->ovf, s->ovf_len);
	for (guint i = 0; s->digests && i < s->digests->len; i++) {
		struct ova_digest *g = s->digests->pdata[i];
		struct sums *sm = strcmp(g->file, s->ovf_name) == 0 ? &ovf :
				  g_hash_table_lookup(sums, g->file);

		if (!sm || strcmp(sums_get(sm, g->algo), g->hex) != 0) {
			core_error(CORE_ERR_FAILED, _("Manifest: the %s digest of \"%s\" does not match: refused"),
				   g->algo, g->file);
			g_checksum_free(ovf.sha1);
			g_checksum_free(ovf.sha256);
			g_checksum_free(ovf.sha512);
			return -1;
		}
	}
	g_checksum_free(ovf.sha1);
	g_checksum_free(ovf.sha256);
	g_checksum_free(ovf.sha512);
	return 0;
}

/* Removes the files of @spec's owned disks, keeping the error recorded. */
static void remove_disks(const struct vm_spec *spec)
{
	g_autofree char *msg = g_strdup(core_error_message());
	enum core_err code = core_error_code();

	for (guint i = 0; spec && i < spec->disks->len; i++) {
		struct vm_disk *d = spec->disks->pdata[i];

		if (d->owned && d->path)
			unlink(d->path);
	}
	core_error_restore(code, msg);
}

/* Refuses an OVA that cannot become a template: one disk, with data. */
static int check_one_disk(const struct ova_scan *s)
{
	guint n = s->desc->disks->len;

	if (n > 1) {
		core_error(CORE_ERR_USAGE,
			   P_("The OVA holds %u disk; a template is made of one (its base): import it as a VM (vmtui ova import) and make the template from that VM.",
			      "The OVA holds %u disks; a template is made of one (its base): import it as a VM (vmtui ova import) and make the template from that VM.",
			      n),
			   n);
		return -1;
	}
	if (n == 0 || !((struct ovf_disk *)s->desc->disks->pdata[0])->href) {
		core_error(CORE_ERR_USAGE, _("The OVA holds no disk image: a template needs one as its base."));
		return -1;
	}
	return 0;
}

/* ova_unpack, recording what it makes in @j (staging, and the disks as
 * files of the VM @uuid). */
static struct vm_spec *unpack(const char *path, const char *name, const char *base,
			      const char *uuid, struct journal *j, struct job *job)
{
	const struct core_limits *lim = core_limits();
	autoptr(ova_scan) s = NULL;
	autoptr(vm_spec) spec = NULL;
	struct staging st = { NULL, -1, NULL };
	g_autoptr(GHashTable) wanted = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) sums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, sums_free);
	uint64_t need = 0;
	struct stat sb;
	int fd = -1;
	bool ok = false;

	job_progress(job, 0.0, _("Checking %s"), path);
	/* one open file for both passes: the path cannot be swapped under
	 * us between them, and a FIFO or a device is no OVA */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot read %s: %s"), path, g_strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		core_error(CORE_ERR_USAGE, _("%s is not a regular file: an OVA is read twice, from a file"),
			   path);
		goto out;
	}
	if (!(s = ova_scan_fd(fd, path)))
		goto out;
	if (base && check_one_disk(s) < 0)
		goto out;
	if (!name)
		name = s->desc->name;
	if (!base && !name) {
		core_error(CORE_ERR_USAGE, _("The OVF gives the VM no name: give one with --name."));
		goto out;
	}
	if (!base && !core_name_valid(name))
		goto out;
	for (guint i = 0; i < s->desc->disks->len; i++) {
		struct ovf_disk *k = s->desc->disks->pdata[i];

		if (k->href && !g_hash_table_contains(wanted, k->href)) {
			g_hash_table_add(wanted, k->href);
			need += (uint64_t)*(gint64 *)g_hash_table_lookup(s->sizes, k->href);
		}
	}
	if (staging_make(&st, "ova") < 0)
		goto out;
	journal_add(j, NULL, st.dir);
	if (journal_save(j) < 0 || core_space_check(st.dir, need, path) < 0)
		goto out;
	if (stage_files(fd, path, s, &st, wanted, sums, job) < 0)
		goto out;
	if (check_manifest(s, sums) < 0)
		goto out;

	spec = vm_spec_new();
	spec->name = g_strdup(name);
	spec->description = g_strdup(s->desc->description);
	spec->vcpus = s->desc->vcpus;
	spec->memory_mib = s->desc->memory_mib;
	spec->firmware = s->desc->firmware;
	if (s->desc->nics)
		vm_spec_add_nic(spec, NET_NAT, NULL, s->desc->nic_model);
	for (guint i = 0; i < s->desc->disks->len; i++) {
		struct ovf_disk *k = s->desc->disks->pdata[i];
		g_autofree char *staged = NULL, *tag = NULL;
		autoptr(image_info) info = NULL;
		struct vm_disk *d;
		const char *fmt;
		enum vmdk_kind kind;

		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, _("Cancelled."));
			goto out;
		}
		if (!k->href) {
			/* a blank disk: vm_create makes it */
			d = vm_spec_add_disk(spec, NULL, "qcow2", false);
			d->owned = true;
			d->capacity = k->capacity;
			d->bus = g_strdup(k->bus);
			continue;
		}
		staged = g_build_filename(st.dir, k->href, NULL);
		job_progress(job, 0.5 + 0.4 * i / s->desc->disks->len, _("Checking disk %s"), k->href);
		if (!(fmt = image_detect_format(staged)))
			goto out;
		/* named by the disk's place in the OVA, before the checks
		 * image_inspect_safe makes (again) */
		if (strcmp(fmt, "vmdk") == 0 && (kind = image_vmdk_kind(staged)) != VMDK_SINGLE_FILE) {
			core_error(CORE_ERR_FAILED, kind == VMDK_DESCRIPTOR ?
				   _("OVA disk \"%s\": a VMDK descriptor that refers to other files: refused (only single-file VMDKs are taken)") :
				   _("OVA disk \"%s\": a VMDK whose embedded descriptor may refer to other files: refused"),
				   k->href);
			goto out;
		}
		if (!(info = image_inspect_safe(staged, fmt, NULL))) {
			g_autofree char *msg = g_strdup(core_error_message());

			core_error(core_error_code(), _("OVA disk \"%s\": %s"), k->href, msg);
			goto out;
		}
		if (info->virtual_size > lim->disk_size) {
			g_autofree char *v = core_format_size(info->virtual_size);
			g_autofree char *l = core_format_size(lim->disk_size);

			core_error(CORE_ERR_FAILED, _("OVA disk \"%s\" is a disk of %s, more than vmtui takes (at most %s, [limits] disk-size): refused"),
				   k->href, v, l);
			goto out;
		}
		tag = g_strdup_printf("disk%u", i + 1);
		d = vm_spec_add_disk(spec, NULL, "qcow2", false);
		d->owned = true;
		d->capacity = info->virtual_size;
		d->bus = g_strdup(k->bus);
		/* the disk (made empty, or @base, a name of its caller's
		 * staging) is in the journal before qemu-img fills it */
		if (!(d->path = base ? g_strdup(base) : disk_new_path(name, tag, "qcow2", true)))
			goto out;
		journal_add(j, uuid, d->path);
		{
			g_autofree char *dir = g_path_get_dirname(d->path);
			g_autofree char *what = g_strdup_printf(_("OVA disk \"%s\""), k->href);

			if (journal_save(j) < 0 || image_check_unpacked(info, what, dir) < 0)
				goto out;
		}
		job_progress(job, 0.5 + 0.4 * (i + 0.5) / s->desc->disks->len,
			     _("Converting disk %s to qcow2"), k->href);
		{
			const char *argv[] = { "convert", "-q", "-f", fmt, "-O", "qcow2", "--",
					       staged, d->path, NULL };

			if (run_qemu_img(argv, k->href, job) < 0)
				goto out;
		}
	}
	ok = true;
out:
	if (!ok)
		remove_disks(spec);
	if (fd >= 0)
		close(fd);
	staging_remove(&st);
	return ok ? g_steal_pointer(&spec) : NULL;
}

struct vm_spec *ova_unpack(const char *path, const char *name, const char *base,
			   struct job *job)
{
	autoptr(journal) j = journal_new(N_("ova import"), NULL);

	return unpack(path, name, base, NULL, j, job);
}

/* Whether a VM named @name exists (then an error says so). */
static bool name_taken(struct engine *eng, const char *name)
{
	if (vm_exists(eng, name)) {
		core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists: choose another with --name."),
			   name);
		return true;
	}
	core_error_clear();
	return false;
}

int ova_import(struct engine *eng, const char *path, const char *name,
	       struct job *job, char **made_name)
{
	autoptr(vm_spec) spec = NULL;
	g_autofree char *uuid = g_uuid_string_random();
	/* the disks stay when the VM got defined */
	autoptr(journal) j = journal_new(N_("ova import"), engine_uri(eng));

	/* a name given is checked before the work, the OVF's after it */
	if (name && (!core_name_valid(name) || name_taken(eng, name)))
		return -1;
	if (!(spec = unpack(path, name, NULL, uuid, j, job)))
		return -1;
	spec->uuid = g_steal_pointer(&uuid);
	spec->graphics = true;
	if (!name && name_taken(eng, spec->name))
		goto fail;
	job_progress(job, 0.9, _("Defining the VM"));
	if (vm_create(eng, spec, job) < 0)
		goto fail;
	*made_name = g_strdup(spec->name);
	return 0;
fail:
	remove_disks(spec);
	return -1;
}

/* ---- export --------------------------------------------------------------- */

/* Adds a regular file entry @name of @size to @a, its data read from @fd
 * (or @mem when @fd < 0), computing its SHA256 into @sum. */
static int tar_add(struct archive *a, const char *name, int fd, const char *mem,
		   uint64_t size, GChecksum *sum, struct job *job, double from, double to)
{
	struct archive_entry *e = archive_entry_new();
	g_autofree char *buf = fd >= 0 ? g_malloc(CHUNK) : NULL;
	uint64_t done = 0;
	int rc = -1;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto fail;
	while (done < size) {
		const char *p;
		size_t n;

		if (fd >= 0) {
			ssize_t r = read(fd, buf, MIN((uint64_t)CHUNK, size - done));

			if (r <= 0) {
				core_error(CORE_ERR_FAILED, _("Cannot read %s for the OVA: %s"), name,
					   r < 0 ? g_strerror(errno) : _("it ends early"));
				goto out;
			}
			p = buf;
			n = (size_t)r;
		} else {
			p = mem + done;
			n = (size_t)(size - done);
		}
		if (archive_write_data(a, p, n) != (la_ssize_t)n)
			goto fail;
		g_checksum_update(sum, (const guchar *)p, (gssize)n);
		done += n;
		job_progress(job, from + (to - from) * ((double)done / (double)size),
			     _("Writing %s"), name);
		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, _("Cancelled."));
			goto out;
		}
	}
	rc = 0;
	goto out;
fail:
	core_error(CORE_ERR_FAILED, _("Cannot write the OVA: %s"), archive_error_string(a));
out:
	archive_entry_free(e);
	return rc;
}

/* Whether an export may write @path: nothing is there, or (with
 * @replace) a regular file.  A symbolic link is never followed nor
 * replaced, nor is a device, a FIFO or a folder.  0, or -1 with an error
 * (CORE_ERR_USAGE for what is there). */
static int target_check(const char *path, bool replace)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		core_error(CORE_ERR_USAGE, _("%s is a symbolic link: an OVA is written neither through one nor over it; nothing was written."),
			   path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		core_error(CORE_ERR_USAGE, _("%s exists and is not a regular file (a folder, a device or a FIFO): nothing was written."),
			   path);
		return -1;
	}
	if (!replace) {
		core_error(CORE_ERR_USAGE, _("%s exists: give --force to replace it; nothing was written."),
			   path);
		return -1;
	}
	return 0;
}

/* Moves the finished OVA @tmp to @path: over a regular file there only
 * with @replace (checked again: it may have changed during the export),
 * else only where nothing is.  0, or -1 with an error. */
static int put_in_place(const char *tmp, const char *path, bool replace)
{
	int r;

	if (replace) {
		if (target_check(path, true) < 0)
			return -1;
		r = rename(tmp, path);
	} else if ((r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)) < 0 &&
		   errno == EINVAL && (r = link(tmp, path)) == 0) {
		/* a file system without RENAME_NOREPLACE: link() never
		 * replaces anything either */
		unlink(tmp);
	}
	if (r == 0)
		return 0;
	if (errno == EEXIST) {
		/* something came there meanwhile */
		if (target_check(path, false) == 0)
			core_error(CORE_ERR_USAGE, _("%s exists: give --force to replace it; nothing was written."),
				   path);
		return -1;
	}
	core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
	return -1;
}

int ova_write(const struct vm_spec *spec, const char *path, bool replace, struct job *job)
{
	/* what a killed export leaves: its staging and its temporary file */
	autoptr(journal) j = journal_new(N_("ova export"), NULL);
	int fd = -1, rc = -1;
	struct staging st = { NULL, -1, NULL };
	g_autoptr(GPtrArray) hrefs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) sizes = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	g_autoptr(GArray) caps = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	g_autoptr(GString) mf = g_string_new(NULL);
	g_autofree char *stem = NULL, *ovf = NULL, *ovf_name = NULL, *mf_name = NULL;
	g_autofree char *dir = NULL, *base = NULL, *tmp = NULL;
	struct archive *a = NULL;
	unsigned n = 0;

	dir = g_path_get_dirname(path);
	base = g_path_get_basename(path);
	stem = core_file_stem(spec->name);
	/* before the work: a target that cannot be written is said at once */
	if (target_check(path, replace) < 0 || staging_make(&st, "export") < 0)
		goto out;
	journal_add(j, NULL, st.dir);
	if (journal_save(j) < 0)
		goto out;
	for (guint i = 0; i < spec->disks->len; i++) {
		struct vm_disk *d = spec->disks->pdata[i];
		g_autofree char *vmdk = NULL, *out = NULL;
		autoptr(image_info) info = NULL;
		const char *fmt;
		struct stat sb;
		uint64_t v;

		if (d->cdrom || !d->path)
			continue;
		fmt = d->format ? d->format : image_detect_format(d->path);
		if (!fmt || !(info = image_inspect(d->path, fmt)))
			goto out;
		vmdk = g_strdup_printf("%s-disk%u.vmdk", stem, ++n);
		out = g_build_filename(st.dir, vmdk, NULL);
		g_ptr_array_add(st.files, g_strdup(vmdk));
		job_progress(job, 0.05 + 0.45 * (n - 1) / spec->disks->len,
			     _("Converting %s to streamOptimized VMDK"), d->path);
		{
			/* the VM's own disk: a backing file (a linked clone) is
			 * its own and is folded into the copy */
			const char *argv[] = { "convert", "-q", "-f", fmt, "-O", "vmdk", "-o",
					       "subformat=streamOptimized", "--", d->path, out, NULL };

			if (run_qemu_img(argv, d->path, job) < 0)
				goto out;
		}
		if (stat(out, &sb) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), out, g_strerror(errno));
			goto out;
		}
		v = (uint64_t)sb.st_size;
		g_array_append_val(sizes, v);
		g_array_append_val(caps, info->virtual_size);
		g_ptr_array_add(hrefs, g_steal_pointer(&vmdk));
	}
	g_ptr_array_add(hrefs, NULL);
	ovf = ovf_build(spec, (char *const *)hrefs->pdata, (const uint64_t *)(void *)sizes->data,
			(const uint64_t *)(void *)caps->data);
	ovf_name = g_strdup_printf("%s.ovf", stem);
	mf_name = g_strdup_printf("%s.mf", stem);

	tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
		g_clear_pointer(&tmp, g_free);
		goto out;
	}
	journal_add(j, NULL, tmp);
	if (journal_save(j) < 0)
		goto out;
	a = archive_write_new();
	/* ustar, with a pax header only for what ustar cannot say (a disk
	 * over 8 GiB) */
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		core_error(CORE_ERR_FAILED, _("Cannot write the OVA: %s"), archive_error_string(a));
		goto out;
	}
	{
		/* the descriptor first, as the OVF specification asks */
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

		if (tar_add(a, ovf_name, -1, ovf, strlen(ovf), sum, job, 0.5, 0.5) < 0)
			goto out;
		g_string_append_printf(mf, "SHA256(%s)= %s\n", ovf_name, g_checksum_get_string(sum));
	}
	for (unsigned i = 0; i < n; i++) {
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
		const char *h = hrefs->pdata[i];
		int dfd = openat(st.dirfd, h, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		int r;

		if (dfd < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), h, g_strerror(errno));
			goto out;
		}
		r = tar_add(a, h, dfd, NULL, g_array_index(sizes, uint64_t, i), sum, job,
			    0.5 + 0.45 * i / n, 0.5 + 0.45 * (i + 1) / n);
		close(dfd);
		if (r < 0)
			goto out;
		g_string_append_printf(mf, "SHA256(%s)= %s\n", h, g_checksum_get_string(sum));
	}
	{
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

		if (tar_add(a, mf_name, -1, mf->str, mf->len, sum, job, 0.95, 0.95) < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		core_error(CORE_ERR_FAILED, _("Cannot write the OVA: %s"), archive_error_string(a));
		goto out;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
		goto out;
	}
	fd = -1;
	if (put_in_place(tmp, path, replace) < 0)
		goto out;
	g_clear_pointer(&tmp, g_free);
	{
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	job_progress(job, 1.0, _("Exported"));
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	staging_remove(&st);
	return rc;
}

int ova_export(struct engine *eng, const char *name, const char *path, bool replace,
	       struct job *job)
{
	int state = 0, reason = 0;
	autoptr(vm_spec) spec = vm_describe(eng, name, &state, &reason);

	if (!spec)
		return -1;
	if (state != VIR_DOMAIN_SHUTOFF) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is not shut off: shut it down before exporting it."),
			   name);
		return -1;
	}
	return ova_write(spec, path, replace, job);
}

/*
 * store.c — the per-user image store: importing a disk image from a path
 * or a URL (compressed or not), checking it, keeping it with its metadata,
 * listing, telling and deleting.
 *
 * An import goes: (download into .staging/, resumable) → checksum of the
 * source → decompress or copy into a staging file (libarchive's raw format
 * with only the four compression filters, as a stream, never the whole
 * image in memory, written sparse, bounded by the [limits] settings as it
 * grows) → image_inspect_safe with an explicit format → optional
 * conversion to qcow2 → link into place as NAME.FORMAT → metadata written
 * atomically.  The metadata is what makes an image part of the store; the
 * staging files are named in the import's journal, so a crash before it
 * leaves nothing the next vmtui does not remove.
 */
#include "config.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/journal.h"
#include "core/users.h"
#include "core/run.h"
#include "core/image.h"
#include "images/images-priv.h"

#define BLOCK (256 * 1024)
/* the unit of the holes left in files written sparse */
#define PAGE 4096
/* free space is checked again after this much data (or a larger write) */
#define SPACE_STEP (4u << 20)
/* a SHA256SUMS file larger than this is not one */
#define SUMS_MAX (1024 * 1024)
/* nor an image's metadata (a thousand dependants take ~80 KiB) */
#define META_MAX (1024 * 1024)
/* a cut-off download nobody resumed for this long is given up */
#define STALE_DOWNLOAD_SECONDS (14 * 24 * 3600)

static const char *const compress_suffixes[] = { ".xz", ".gz", ".zst", ".bz2", NULL };
static const char *const image_suffixes[] = { ".qcow2", ".img", ".raw", ".vmdk", ".vdi",
					      ".vhdx", ".qcow", NULL };

void image_entry_free(struct image_entry *e)
{
	if (!e)
		return;
	g_free(e->name);
	g_free(e->path);
	g_free(e->format);
	g_free(e->source);
	g_free(e->sha256);
	g_free(e->source_sha256);
	g_free(e->backing);
	g_strfreev(e->dependants);
	g_free(e);
}

char *image_store_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "images", NULL);
}

bool image_source_is_url(const char *source)
{
	return g_str_has_prefix(source, "http://") || g_str_has_prefix(source, "https://");
}

/* The last path component of @source (a URL without its query). */
static char *source_basename(const char *source)
{
	if (image_source_is_url(source)) {
		const char *p = strstr(source, "://") + 3;
		size_t len = strcspn(p, "?#");
		g_autofree char *path = g_strndup(p, len);
		const char *slash = strrchr(path, '/');

		return g_strdup(slash ? slash + 1 : "");
	}
	return g_path_get_basename(source);
}

/* @s without the first suffix of @list it ends with (in place). */
static void strip_suffix(char *s, const char *const *list)
{
	size_t len = strlen(s);

	for (; *list; list++) {
		size_t n = strlen(*list);

		if (len > n && g_ascii_strcasecmp(s + len - n, *list) == 0) {
			s[len - n] = '\0';
			return;
		}
	}
}

char *image_name_from_source(const char *source)
{
	char *name = source_basename(source);

	strip_suffix(name, compress_suffixes);
	strip_suffix(name, image_suffixes);
	return name;
}

char *image_sums_lookup(const char *sums, const char *file)
{
	g_auto(GStrv) lines = g_strsplit(sums, "\n", -1);
	g_autofree char *bsd = g_strdup_printf("SHA256 (%s) = ", file);

	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l);
		const char *hex = NULL, *name = NULL;

		if (g_str_has_prefix(line, bsd)) {
			hex = line + strlen(bsd);
			name = file;
		} else if (strlen(line) > 66 && (line[64] == ' ' || line[64] == '\t')) {
			line[64] = '\0';
			hex = line;
			name = line + 65;
			while (*name == ' ' || *name == '\t')
				name++;
			if (*name == '*')
				name++;
			if (g_str_has_prefix(name, "./"))
				name += 2;
		}
		if (!hex || strcmp(name, file) != 0 || strlen(hex) != 64)
			continue;
		for (const char *h = hex; *h; h++)
			if (!g_ascii_isxdigit(*h))
				goto next;
		return g_ascii_strdown(hex, -1);
next:;
	}
	return NULL;
}

/* ---- metadata ----------------------------------------------------------- */

static char *meta_path(const char *dir, const char *name)
{
	g_autofree char *file = g_strdup_printf("%s.json", name);

	return g_build_filename(dir, file, NULL);
}

static const char *obj_string(JsonObject *o, const char *member)
{
	JsonNode *n = json_object_get_member(o, member);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
		json_node_get_string(n) : NULL;
}

static uint64_t obj_uint(JsonObject *o, const char *member)
{
	JsonNode *n = json_object_get_member(o, member);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64 &&
	       json_node_get_int(n) > 0 ? (uint64_t)json_node_get_int(n) : 0;
}

/* Reads the metadata file @path of the store in @dir (a regular file of
 * at most META_MAX bytes). */
static struct image_entry *meta_read(const char *dir, const char *path)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;
	autoptr(image_entry) e = g_new0(struct image_entry, 1);
	g_autofree char *text = NULL;
	const char *file;
	JsonObject *o;
	JsonNode *root, *n;
	size_t len;

	text = core_read_file(path, META_MAX, CORE_READ_NOFOLLOW, _("image metadata"), &len);
	if (!text)
		return NULL;
	if (!json_parser_load_from_data(parser, text, (gssize)len, &err)) {
		core_error(CORE_ERR_FAILED, _("Cannot read the image metadata %s: %s"), path,
			   err->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		core_error(CORE_ERR_FAILED, _("The image metadata %s is damaged."), path);
		return NULL;
	}
	o = json_node_get_object(root);
	e->name = g_strdup(obj_string(o, "name"));
	file = obj_string(o, "file");
	e->format = g_strdup(obj_string(o, "format"));
	/* the file must be a plain name inside the store */
	if (!e->name || !file || !e->format || strchr(file, '/') || file[0] == '.') {
		core_error(CORE_ERR_FAILED, _("The image metadata %s is damaged."), path);
		return NULL;
	}
	e->path = g_build_filename(dir, file, NULL);
	e->source = g_strdup(obj_string(o, "source"));
	e->sha256 = g_strdup(obj_string(o, "sha256"));
	e->source_sha256 = g_strdup(obj_string(o, "source_sha256"));
	e->backing = g_strdup(obj_string(o, "backing"));
	e->virtual_size = obj_uint(o, "virtual_size");
	e->actual_size = obj_uint(o, "actual_size");
	e->file_size = obj_uint(o, "file_size");
	e->imported = (gint64)obj_uint(o, "imported");
	n = json_object_get_member(o, "dependants");
	{
		GPtrArray *deps = g_ptr_array_new();

		if (n && JSON_NODE_HOLDS_ARRAY(n)) {
			JsonArray *a = json_node_get_array(n);

			for (guint i = 0; i < json_array_get_length(a); i++) {
				const char *s = json_array_get_string_element(a, i);

				if (s)
					g_ptr_array_add(deps, g_strdup(s));
			}
		}
		g_ptr_array_add(deps, NULL);
		e->dependants = (char **)g_ptr_array_free(deps, FALSE);
	}
	return g_steal_pointer(&e);
}

/* Writes @e's metadata atomically into the store at @dir. */
static int meta_write(const char *dir, const struct image_entry *e)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *file = g_path_get_basename(e->path);
	g_autofree char *text = NULL, *path = meta_path(dir, e->name);
	gsize len;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, e->name);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, file);
	json_builder_set_member_name(b, "format");
	json_builder_add_string_value(b, e->format);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, e->source);
	json_builder_set_member_name(b, "sha256");
	json_builder_add_string_value(b, e->sha256);
	if (e->source_sha256) {
		json_builder_set_member_name(b, "source_sha256");
		json_builder_add_string_value(b, e->source_sha256);
	}
	if (e->backing) {
		json_builder_set_member_name(b, "backing");
		json_builder_add_string_value(b, e->backing);
	}
	json_builder_set_member_name(b, "virtual_size");
	json_builder_add_int_value(b, (gint64)e->virtual_size);
	json_builder_set_member_name(b, "actual_size");
	json_builder_add_int_value(b, (gint64)e->actual_size);
	json_builder_set_member_name(b, "file_size");
	json_builder_add_int_value(b, (gint64)e->file_size);
	json_builder_set_member_name(b, "imported");
	json_builder_add_int_value(b, e->imported);
	json_builder_set_member_name(b, "dependants");
	json_builder_begin_array(b);
	for (char **d = e->dependants; d && *d; d++)
		json_builder_add_string_value(b, *d);
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, &len);
	return core_write_file_atomic(path, text, len, 0600);
}

/* Checks @name can name an image: the rules of VM names, said of an
 * image. */
static bool name_ok(const char *name)
{
	g_autofree char *why = NULL;

	if (core_name_valid(name))
		return true;
	why = g_strdup(core_error_message());
	core_error(CORE_ERR_USAGE, _("\"%s\" cannot name an image (image names follow the rules of VM names): %s"),
		   name ? name : "", why);
	return false;
}

struct image_entry *image_lookup(const char *name)
{
	g_autofree char *dir = image_store_dir();
	g_autofree char *path = NULL;
	struct image_entry *e;

	if (!name_ok(name))
		return NULL;
	path = meta_path(dir, name);
	if (access(path, F_OK) < 0) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no image named \"%s\" in the store."), name);
		return NULL;
	}
	e = meta_read(dir, path);
	if (e && strcmp(e->name, name) != 0) {
		core_error(CORE_ERR_FAILED, _("The image metadata %s is damaged."), path);
		image_entry_free(e);
		return NULL;
	}
	return e;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct image_entry *x = *(struct image_entry *const *)a;
	const struct image_entry *y = *(struct image_entry *const *)b;

	return g_utf8_collate(x->name, y->name);
}

GPtrArray *image_list(void)
{
	g_autofree char *dir = image_store_dir();
	g_autoptr(GError) err = NULL;
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)image_entry_free);
	GDir *d = g_dir_open(dir, 0, &err);
	const char *f;

	if (!d) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return list; /* no store yet: no images */
		core_error(CORE_ERR_FAILED, _("Cannot read the image store %s: %s"), dir,
			   err->message);
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((f = g_dir_read_name(d))) {
		g_autofree char *path = NULL;
		struct image_entry *e;

		if (f[0] == '.' || !g_str_has_suffix(f, ".json"))
			continue;
		path = g_build_filename(dir, f, NULL);
		e = meta_read(dir, path);
		if (e)
			g_ptr_array_add(list, e);
		else
			g_warning("%s", core_error_message());
	}
	g_dir_close(d);
	g_ptr_array_sort(list, by_name);
	return list;
}

/* ---- dependants --------------------------------------------------------- */

char **image_dependants(const char *name)
{
	autoptr(image_entry) e = image_lookup(name);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GPtrArray) all = NULL;

	if (!e)
		return NULL;
	list = g_ptr_array_new_with_free_func(g_free);
	for (char **d = e->dependants; d && *d; d++)
		g_ptr_array_add(list, g_strdup(*d));
	/* images of the store that build on this one */
	all = image_list();
	for (guint i = 0; all && i < all->len; i++) {
		struct image_entry *o = g_ptr_array_index(all, i);

		if (o->backing && strcmp(o->backing, name) == 0)
			g_ptr_array_add(list, g_strdup_printf("image:%s", o->name));
	}
	g_ptr_array_add(list, NULL);
	return (char **)g_ptr_array_steal(list, NULL);
}

int image_delete(struct engine *eng, const char *name)
{
	g_autofree char *dir = image_store_dir();
	autoptr(image_entry) e = image_lookup(name);
	g_auto(GStrv) deps = NULL;
	g_autoptr(GPtrArray) users = NULL;
	g_autofree char *meta = NULL;
	const char *file;

	if (!e)
		return -1;
	deps = image_dependants(name);
	file = e->path;
	/* the VMs whose disk it is, on this engine and recorded on others */
	if (!deps || file_users(eng, &file, 1, &users) < 0)
		return -1;
	if (deps[0] || users->len) {
		g_autoptr(GString) list = g_string_new(NULL);
		g_autofree char *vms = file_users_text(users);

		for (char **d = deps; *d; d++)
			g_string_append_printf(list, "%s%s", list->len ? ", " : "", *d);
		if (users->len) {
			g_string_append(list, list->len ? "; " : "");
			/* TRANSLATORS: "VMs lab-1, lab-2 on URI" */
			g_string_append_printf(list, P_("VM %s", "VMs %s", users->len), vms);
		}
		core_error(CORE_ERR_STATE, _("The image \"%s\" is in use by %s; delete those first."),
			   name, list->str);
		return -1;
	}
	/* the metadata first: from then on the image is out of the store */
	meta = meta_path(dir, name);
	if (unlink(meta) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot delete the image \"%s\": %s"), name,
			   g_strerror(errno));
		return -1;
	}
	file_users_untrack(e->path);
	if (unlink(e->path) < 0 && errno != ENOENT) {
		core_error(CORE_ERR_FAILED, _("Cannot delete the image file %s: %s"), e->path,
			   g_strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- import --------------------------------------------------------------- */

/* The hex SHA-256 of the file @path (caller frees), reporting progress
 * from @p0 to @p1.  NULL with an error. */
static char *hash_file(const char *path, const char *what, struct job *job,
		       double p0, double p1)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree char *buf = g_malloc(BLOCK);
	struct stat st;
	uint64_t done = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot read %s: %s"), what, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf, BLOCK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), what, g_strerror(errno));
			close(fd);
			return NULL;
		}
		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, _("Import cancelled."));
			close(fd);
			return NULL;
		}
		g_checksum_update(sum, (const guchar *)buf, n);
		done += (uint64_t)n;
		if (st.st_size > 0)
			job_progress(job, p0 + (p1 - p0) * (double)done / (double)st.st_size,
				     _("Checking the SHA-256 of %s"), what);
	}
	close(fd);
	return g_strdup(g_checksum_get_string(sum));
}

static bool all_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Records why a write to @f failed (errno); -1. */
static int write_failed(const struct sparse_file *f)
{
	core_error(CORE_ERR_FAILED, errno == ENOSPC || errno == EDQUOT ?
		   _("Not enough space in %s for %s: %s") : _("Cannot write %s in %s: %s"),
		   f->dir, f->what, g_strerror(errno));
	return -1;
}

/* Writes the @n bytes at @p to @f at @offset, checking first, when what
 * was written since the last check used up the room it found, that the
 * file system has SPACE_STEP (or @n) more beside [limits] reserve. */
static int write_data(struct sparse_file *f, const char *p, size_t n, uint64_t offset)
{
	if (f->room < n) {
		uint64_t want = MAX((uint64_t)n, SPACE_STEP);

		if (core_space_check(f->dir, want, f->what) < 0)
			return -1;
		f->room = want;
	}
	if (lseek(f->fd, (off_t)offset, SEEK_SET) < 0 || core_write_all(f->fd, p, n) < 0)
		return write_failed(f);
	f->room -= n;
	f->data += n;
	return 0;
}

int sparse_write(struct sparse_file *f, const void *buf, size_t n)
{
	const char *p = buf;
	size_t run = 0; /* start of the pages with data not written yet */

	for (size_t off = 0; off < n; off += PAGE) {
		size_t len = MIN(PAGE, n - off);

		if (!all_zero(p + off, len))
			continue;
		if (off > run && write_data(f, p + run, off - run, f->size + run) < 0)
			return -1;
		run = off + len;
	}
	if (n > run && write_data(f, p + run, n - run, f->size + run) < 0)
		return -1;
	f->size += n;
	return 0;
}

int sparse_finish(struct sparse_file *f, bool sync)
{
	if (ftruncate(f->fd, (off_t)f->size) < 0 || (sync && fsync(f->fd) < 0))
		return write_failed(f);
	return 0;
}

/* Unpacks (or copies, when it is not compressed) @src into @fd, a new
 * file in the folder @dir, as a stream, through libarchive's raw format
 * and the four compression filters only.  Bounded as it goes: the file
 * system keeps [limits] reserve free, the image is at most [limits]
 * disk-size long, and the data a compressed image unpacks to is at most
 * [limits] expansion times what was read of it.  @what names the source
 * in messages.  Progress from @p0 to @p1.  0 or -1. */
static int unpack(const char *src, int fd, const char *dir, const char *what,
		  struct job *job, double p0, double p1)
{
	const struct core_limits *lim = core_limits();
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	struct sparse_file out = { .fd = fd, .dir = dir, .what = what };
	g_autofree char *buf = g_malloc(BLOCK);
	struct stat st;
	bool compressed;
	int rc = -1;
	la_ssize_t n;

	archive_read_support_filter_xz(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_raw(a);
	if (stat(src, &st) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), what, g_strerror(errno));
		goto out;
	}
	if (st.st_size == 0) {
		core_error(CORE_ERR_FAILED, _("%s is empty: not a disk image."), what);
		goto out;
	}
	if (archive_read_open_filename(a, src, BLOCK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), what,
			   archive_error_string(a) ? archive_error_string(a) :
			   _("it is empty"));
		goto out;
	}
	/* a plain copy says how much data it brings: at most what the
	 * source holds */
	compressed = archive_filter_count(a) > 1;
	if (!compressed &&
	    core_space_check(dir, MIN((uint64_t)st.st_size, (uint64_t)st.st_blocks * 512), what) < 0)
		goto out;
	while ((n = archive_read_data(a, buf, BLOCK)) > 0) {
		uint64_t read = (uint64_t)archive_filter_bytes(a, -1);

		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, _("Import cancelled."));
			goto out;
		}
		if (out.size + (uint64_t)n > lim->disk_size) {
			g_autofree char *l = core_format_size(lim->disk_size);

			core_error(CORE_ERR_FAILED, _("%s unpacks to more than %s, the largest disk vmtui takes ([limits] disk-size): refused."),
				   what, l);
			goto out;
		}
		if (sparse_write(&out, buf, (size_t)n) < 0)
			goto out;
		/* counted from one block of input: a first block of a
		 * real image may be far denser than the whole */
		if (compressed && out.data / lim->expansion > MAX(read, BLOCK)) {
			g_autofree char *r = core_format_size(read);
			g_autofree char *d = core_format_size(out.data);

			core_error(CORE_ERR_FAILED, _("%s unpacks to more than %u times what was read of it (%s of data from %s, [limits] expansion): refused."),
				   what, lim->expansion, d, r);
			goto out;
		}
		job_progress(job, p0 + (p1 - p0) * (double)read / (double)st.st_size,
			     compressed ? _("Decompressing %s") : _("Copying %s"), what);
	}
	if (n < 0) {
		core_error(CORE_ERR_FAILED, _("%s is damaged: %s"), what, archive_error_string(a));
		goto out;
	}
	if (out.size == 0) {
		core_error(CORE_ERR_FAILED, _("%s is empty: not a disk image."), what);
		goto out;
	}
	/* a sparse tail: the size comes from where the stream ended */
	if (sparse_finish(&out, true) < 0)
		goto out;
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

int image_check_unpacked(const struct image_info *info, const char *what, const char *dir)
{
	const struct core_limits *lim = core_limits();
	struct stat st;
	uint64_t data, here;

	if (stat(info->path, &st) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), what, g_strerror(errno));
		return -1;
	}
	if (image_data_size(info, &data) < 0)
		return -1;
	/* at least 1 MiB: a qcow2 of a few bytes of data has tables that
	 * are many times as large */
	here = MAX((uint64_t)st.st_blocks * 512, UINT64_C(1) << 20);
	if (data / lim->expansion > here) {
		g_autofree char *d = core_format_size(data);
		g_autofree char *f = core_format_size((uint64_t)st.st_blocks * 512);

		core_error(CORE_ERR_FAILED, _("%s unpacks to %s of data, more than %u times the %s it takes ([limits] expansion): refused"),
			   what, d, lim->expansion, f);
		return -1;
	}
	/* and the header, the L1 table (8 bytes per 512 MiB), refcounts */
	return core_space_check(dir, data + (info->virtual_size >> 26) + (UINT64_C(1) << 20), what);
}

/* Replaces the staging path @from in the error message with @to, so the
 * user reads the name of what they imported. */
static void error_rename(const char *from, const char *to)
{
	enum core_err code = core_error_code();
	g_auto(GStrv) parts = g_strsplit(core_error_message(), from, -1);
	g_autofree char *msg = g_strjoinv(to, parts);

	core_error(code, "%s", msg);
}

/* Converts @src (@format) into a new qcow2 @dst with qemu-img. */
static int convert_qcow2(const char *src, const char *format, const char *dst,
			 const char *what)
{
	const char *argv[] = { "convert", "-q", "-f", format, "-O", "qcow2", "--", src, dst, NULL };
	g_autofree char *out = core_qemu_img(argv, what, NULL);

	if (!out)
		unlink(dst);
	return out ? 0 : -1;
}

/* Makes the store image @base the backing file of the qcow2 @path, with
 * its format, rewriting only the header (qemu-img rebase -u). */
static int rebase(const char *path, const struct image_entry *base, const char *what)
{
	const char *argv[] = { "rebase", "-q", "-u", "-f", "qcow2", "-F", base->format,
			       "-b", base->path, "--", path, NULL };
	g_autofree char *out = core_qemu_img(argv, what, NULL);

	return out ? 0 : -1;
}

/* Removes downloads nobody resumed for two weeks (what imports that died
 * left is in their journals). */
static void sweep_staging(const char *staging)
{
	GDir *d = g_dir_open(staging, 0, NULL);
	const char *f;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	if (!d)
		return;
	while ((f = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(staging, f, NULL);
		struct stat st;

		if (lstat(p, &st) < 0)
			continue;
		if (g_str_has_prefix(f, "download-") && now - st.st_mtime > STALE_DOWNLOAD_SECONDS)
			unlink(p);
	}
	g_dir_close(d);
}

/* The expected SHA-256 of the source from the options; NULL and no error
 * when none was asked for, NULL with an error when it cannot be had. */
static char *expected_sum(const char *source, const struct image_import_opts *o,
			  bool *failed)
{
	g_autofree char *text = NULL, *file = NULL;
	char *hex;

	*failed = true;
	if (o->sha256 && o->sums) {
		core_error(CORE_ERR_USAGE, _("Give either --sha256 or --sums, not both."));
		return NULL;
	}
	if (o->sha256) {
		if (strlen(o->sha256) != 64 || strspn(o->sha256, "0123456789abcdefABCDEF") != 64) {
			core_error(CORE_ERR_USAGE, _("--sha256 needs 64 hexadecimal digits, not \"%s\"."),
				   o->sha256);
			return NULL;
		}
		*failed = false;
		return g_ascii_strdown(o->sha256, -1);
	}
	if (!o->sums) {
		*failed = false;
		return NULL;
	}
	if (image_source_is_url(o->sums)) {
		if (!(text = fetch_to_memory(o->sums, SUMS_MAX)))
			return NULL;
	} else if (!(text = core_read_file(o->sums, SUMS_MAX, 0, _("checksum file"), NULL))) {
		return NULL;
	}
	file = source_basename(source);
	hex = image_sums_lookup(text, file);
	if (!hex) {
		core_error(CORE_ERR_FAILED, _("The checksum file %s has no SHA-256 line for %s."),
			   o->sums, file);
		return NULL;
	}
	*failed = false;
	return hex;
}

/* Scoped close of a descriptor (GLib 2.74 has no g_autofd). */
static void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

struct image_entry *image_import(const char *source, const struct image_import_opts *o,
				 struct job *job)
{
	g_autofree char *dir = image_store_dir();
	g_autofree char *staging = g_build_filename(dir, ".staging", NULL);
	g_autofree char *name = o->name ? g_strdup(o->name) : image_name_from_source(source);
	g_autofree char *want = NULL, *got = NULL, *download = NULL, *unpacked = NULL;
	g_autofree char *converted = NULL, *final = NULL, *meta = NULL, *file = NULL;
	g_autofree char *local = NULL;
	autoptr(image_info) info = NULL;
	autoptr(image_entry) e = NULL;
	autoptr(image_entry) base = NULL;
	const char *format = o->format, *input;
	bool url = image_source_is_url(source), failed;
	__attribute__((cleanup(close_fdp))) int lock_fd = -1;
	autoptr(journal) j = NULL;
	struct stat st;

	if (!name_ok(name))
		return NULL;
	if (format && !image_format_known(format)) {
		core_error(CORE_ERR_USAGE, _("--format must be qcow2, raw, vmdk, vdi or vhdx, not \"%s\"."),
			   format);
		return NULL;
	}
	if (o->convert && strcmp(o->convert, "qcow2") != 0) {
		core_error(CORE_ERR_USAGE, _("--convert can only make qcow2, not \"%s\"."), o->convert);
		return NULL;
	}
	if (o->backing && o->convert) {
		core_error(CORE_ERR_USAGE, _("Give either --backing or --convert, not both: converting would not keep the link to the backing image."));
		return NULL;
	}
	if (o->backing && !(base = image_lookup(o->backing)))
		return NULL;
	if (!url && strstr(source, "://")) {
		core_error(CORE_ERR_USAGE, _("%s: only http:// and https:// URLs can be imported."),
			   source);
		return NULL;
	}
	meta = meta_path(dir, name);
	if (access(meta, F_OK) == 0) {
		core_error(CORE_ERR_USAGE, _("An image named \"%s\" is already in the store; choose another with --name."),
			   name);
		return NULL;
	}
	if (!url) {
		local = g_canonicalize_filename(source, NULL);
		if (stat(local, &st) < 0) {
			core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
				   _("Cannot read %s: %s"), source, g_strerror(errno));
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			core_error(CORE_ERR_USAGE, _("%s is not a regular file."), source);
			return NULL;
		}
	}
	/* an archive on disk is refused before it is copied */
	if (local && image_check_not_archive(local, source) < 0)
		return NULL;
	want = expected_sum(source, o, &failed);
	if (failed)
		return NULL;
	if (core_mkdir_p(staging, 0700) < 0)
		return NULL;
	sweep_staging(staging);
	/* the staging files a killed import leaves are the next vmtui's
	 * to remove; a download is kept to resume */
	j = journal_new(N_("image import"), NULL);

	/* 1. the source's bytes, here */
	if (url) {
		g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, source, -1);

		key[16] = '\0';
		download = g_strdup_printf("%s/download-%s.part", staging, key);
		/* two imports of one URL would write one file: the second
		 * waits for nobody, it says so */
		lock_fd = open(download, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lock_fd < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), download, g_strerror(errno));
			return NULL;
		}
		if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
			close(lock_fd);
			core_error(CORE_ERR_STATE, _("%s is being imported by another vmtui already."),
				   source);
			return NULL;
		}
		job_progress(job, 0, _("Downloading %s"), source);
		if (fetch_to_file(source, download, job, 0, want ? 0.5 : 0.6) < 0)
			return NULL;
		input = download;
	} else {
		input = local;
	}
	/* 2. its checksum */
	if (want) {
		got = hash_file(input, source, job, url ? 0.5 : 0, 0.6);
		if (!got)
			goto fail;
		if (strcmp(got, want) != 0) {
			core_error(CORE_ERR_FAILED, _("The SHA-256 of %s is %s, not the expected %s: refused, nothing was imported."),
				   source, got, want);
			goto fail;
		}
	}
	/* 3. decompressed or copied into staging, in a file the journal
	 * names before it holds anything */
	unpacked = g_strdup_printf("%s/import-%s-XXXXXX", staging, "img");
	{
		__attribute__((cleanup(close_fdp))) int fd =
			g_mkstemp_full(unpacked, O_RDWR | O_CLOEXEC, 0600);

		if (fd < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), staging, g_strerror(errno));
			g_clear_pointer(&unpacked, g_free);
			goto fail;
		}
		journal_add(j, NULL, unpacked);
		if (journal_save(j) < 0 || unpack(input, fd, staging, source, job, 0.6, 0.9) < 0)
			goto fail;
	}
	/* 4. what it is, told safely; an archive, once decompressed, is
	 * for another command */
	job_progress(job, 0.9, _("Checking %s"), source);
	if (image_check_not_archive(unpacked, source) < 0)
		goto fail;
	if (!format && !(format = image_detect_format(unpacked)))
		goto fail;
	if (base) {
		/* an overlay of a store image: checked for everything but its
		 * backing file, which is then set to the store's image with
		 * its format (the header only: nothing is opened) */
		if (strcmp(format, "qcow2") != 0) {
			core_error(CORE_ERR_USAGE, _("%s is a %s image: --backing takes a qcow2 that builds on another image."),
				   source, format);
			goto fail;
		}
		info = image_inspect(unpacked, format);
		if (info && !info->backing) {
			core_error(CORE_ERR_USAGE, _("%s has no backing file: --backing is for an image that builds on another."),
				   source);
			goto fail;
		}
		if (!info || image_info_check(info, info->backing) < 0 ||
		    rebase(unpacked, base, source) < 0) {
			error_rename(unpacked, source);
			goto fail;
		}
		/* what rebase -u wrote in the header */
		g_free(info->backing);
		g_free(info->backing_format);
		info->backing = g_strdup(base->path);
		info->backing_format = g_strdup(base->format);
	} else {
		info = image_inspect_safe(unpacked, format, NULL);
	}
	if (!info) {
		error_rename(unpacked, source);
		goto fail;
	}
	/* 5. converted, when asked */
	if (o->convert && strcmp(format, "qcow2") != 0) {
		job_progress(job, 0.93, _("Converting %s to qcow2"), source);
		converted = g_strdup_printf("%s.qcow2", unpacked);
		/* a name of our own (after the staging file's): recorded
		 * before qemu-img makes it */
		journal_add(j, NULL, converted);
		if (journal_save(j) < 0 || image_check_unpacked(info, source, staging) < 0 ||
		    convert_qcow2(unpacked, format, converted, source) < 0) {
			g_clear_pointer(&converted, g_free);
			goto fail;
		}
		unlink(unpacked);
		g_free(unpacked);
		unpacked = g_steal_pointer(&converted);
		format = "qcow2";
		image_info_free(info);
		info = image_inspect_safe(unpacked, format, NULL);
		if (!info) {
			error_rename(unpacked, source);
			goto fail;
		}
	}
	/* 6. into place: link() never replaces an image another import
	 * finished meanwhile */
	e = g_new0(struct image_entry, 1);
	e->sha256 = hash_file(unpacked, source, job, 0.95, 0.99);
	if (!e->sha256)
		goto fail;
	file = g_strdup_printf("%s.%s", name, format);
	final = g_build_filename(dir, file, NULL);
	if (link(unpacked, final) < 0) {
		core_error(errno == EEXIST ? CORE_ERR_USAGE : CORE_ERR_FAILED,
			   errno == EEXIST ? _("An image named \"%s\" is already in the store; choose another with --name.") :
			   _("Cannot add the image \"%s\" to the store: %s"), name, g_strerror(errno));
		goto fail;
	}
	unlink(unpacked);
	/* the VMs made on it are recorded beside it, on every engine */
	if (file_users_track(final) < 0) {
		unlink(final);
		goto fail;
	}
	e->name = g_strdup(name);
	e->path = g_steal_pointer(&final);
	e->format = g_strdup(format);
	e->source = g_strdup(url ? source : local);
	e->source_sha256 = g_steal_pointer(&got);
	e->backing = base ? g_strdup(base->name) : NULL;
	e->virtual_size = info->virtual_size;
	if (stat(e->path, &st) == 0) {
		e->file_size = (uint64_t)st.st_size;
		e->actual_size = (uint64_t)st.st_blocks * 512;
	}
	e->imported = g_get_real_time() / G_USEC_PER_SEC;
	e->dependants = g_new0(char *, 1);
	if (meta_write(dir, e) < 0) {
		unlink(e->path);
		goto fail;
	}
	if (download)
		unlink(download);
	job_progress(job, 1, _("Imported %s"), name);
	return g_steal_pointer(&e);

fail:
	/* nothing stays behind but a download that was cut off (fetch keeps
	 * it there and returns before this); a failed check condemns it */
	if (unpacked)
		unlink(unpacked);
	if (download)
		unlink(download);
	return NULL;
}

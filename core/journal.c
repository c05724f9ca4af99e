/*
 * journal.c — what a run that makes large files has made so far, so that
 * the next vmtui removes what a killed run left behind.
 *
 * A run (an OVA import or export, an image import, a provisioning run)
 * keeps one journal, DATA/journal/PID-START-N.journal, written atomically
 * and synced (core_write_file_atomic).  Each file or folder it makes is
 * recorded before any data goes into it: created empty under a unique
 * name, recorded, then filled, so a run killed at any point leaves at most
 * an empty file or folder the journal does not name, and never a journal
 * naming something another run made.  The run is named by its pid and the
 * start time of that process (/proc/PID/stat), so a later process that
 * got the same pid is not taken for it.
 *
 * The paths are kept in groups: a group with a VM's UUID is what that VM
 * is made of, kept when the VM got defined on the run's engine; only that
 * engine can tell, so a journal with an engine waits for a vmtui on it.
 * A run that ends, whatever way, removes its journal (journal_end) after
 * it removed or kept its files itself.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/files.h"
#include "core/engine.h"
#include "core/journal.h"
#include "core/i18n.h"

/* a journal larger than this is not one of ours (a 1000-VM lab is ~300 KiB) */
#define JOURNAL_MAX (4u << 20)

struct journal_group {
	char *uuid;       /* NULL: removed whenever the run died */
	GPtrArray *paths; /* char * */
};

struct journal {
	char *path;       /* the journal file */
	char *kind;       /* N_() phrase, e.g. "ova import" */
	char *uri;        /* engine the run defines VMs on, or NULL */
	GPtrArray *groups;
	bool written;
};

static void group_free(gpointer p)
{
	struct journal_group *g = p;

	g_free(g->uuid);
	g_ptr_array_unref(g->paths);
	g_free(g);
}

static char *journal_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "journal", NULL);
}

struct journal *journal_new(const char *kind, const char *uri)
{
	static gint seq;
	struct journal *j = g_new0(struct journal, 1);
	g_autofree char *dir = journal_dir();
	long pid = (long)getpid();

	j->path = g_strdup_printf("%s/%ld-%" G_GUINT64_FORMAT "-%d.journal", dir, pid,
				  core_process_start(pid), g_atomic_int_add(&seq, 1));
	j->kind = g_strdup(kind);
	j->uri = g_strdup(uri);
	j->groups = g_ptr_array_new_with_free_func(group_free);
	return j;
}

void journal_add(struct journal *j, const char *uuid, const char *path)
{
	struct journal_group *g = NULL;

	for (guint i = 0; i < j->groups->len && !g; i++)
		if (g_strcmp0(((struct journal_group *)j->groups->pdata[i])->uuid, uuid) == 0)
			g = j->groups->pdata[i];
	if (!g) {
		g = g_new0(struct journal_group, 1);
		g->uuid = g_strdup(uuid);
		g->paths = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(j->groups, g);
	}
	g_ptr_array_add(g->paths, g_strdup(path));
}

int journal_save(struct journal *j)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *text = NULL;
	long pid = (long)getpid();
	gsize len;

	/* a key file: its values may hold any byte a path can (escaped) */
	g_key_file_set_string(kf, "run", "kind", j->kind);
	g_key_file_set_int64(kf, "run", "pid", pid);
	g_key_file_set_uint64(kf, "run", "start", core_process_start(pid));
	if (j->uri)
		g_key_file_set_string(kf, "run", "uri", j->uri);
	for (guint i = 0; i < j->groups->len; i++) {
		struct journal_group *g = j->groups->pdata[i];
		g_autofree char *name = g_strdup_printf("group %u", i);

		if (g->uuid)
			g_key_file_set_string(kf, name, "uuid", g->uuid);
		g_key_file_set_string_list(kf, name, "paths", (const char *const *)g->paths->pdata,
					   g->paths->len);
	}
	text = g_key_file_to_data(kf, &len, NULL);
	if (core_write_file_atomic(j->path, text, len, 0600) < 0)
		return -1;
	j->written = true;
	return 0;
}

void journal_end(struct journal *j)
{
	if (!j)
		return;
	if (j->written)
		unlink(j->path);
	g_free(j->path);
	g_free(j->kind);
	g_free(j->uri);
	g_ptr_array_unref(j->groups);
	g_free(j);
}

/* ---- recovery ------------------------------------------------------------ */

/* Removes the file or the (flat) folder @path, never following a symbolic
 * link, adding the bytes it took on its file system to *@freed.  Whether
 * there was something to remove. */
static bool remove_path(const char *path, uint64_t *freed)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return false;
	*freed += (uint64_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				*freed += (uint64_t)st.st_blocks * 512;
			if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno == EISDIR)
				unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	return rmdir(path) == 0;
}

/* Whether the run that wrote @kf still runs: its pid, with the same start
 * time (older journals without one: any process of that pid). */
static bool run_alive(GKeyFile *kf)
{
	long pid = (long)g_key_file_get_int64(kf, "run", "pid", NULL);
	guint64 start = g_key_file_get_uint64(kf, "run", "start", NULL);

	if (pid <= 0)
		return false;
	if (start)
		return core_process_start(pid) == start;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Removes what the dead run of @kf left (keeping the groups of VMs @eng
 * has), saying so in @r.  false when the journal is not this vmtui's to
 * handle: its run goes on, or its VMs are on another engine. */
static bool recover_one(struct engine *eng, GKeyFile *kf, GString *r)
{
	g_autofree char *kind = g_key_file_get_string(kf, "run", "kind", NULL);
	g_autofree char *uri = g_key_file_get_string(kf, "run", "uri", NULL);
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	g_autoptr(GString) removed = g_string_new(NULL);
	const char *what;
	unsigned kept = 0;

	if (run_alive(kf) || (uri && (!eng || strcmp(uri, engine_uri(eng)) != 0)))
		return false;
	what = kind ? _(kind) : _("run");
	for (char **g = groups; *g; g++) {
		g_autofree char *uuid = g_key_file_get_string(kf, *g, "uuid", NULL);
		g_auto(GStrv) paths = g_key_file_get_string_list(kf, *g, "paths", NULL, NULL);

		if (!paths)
			continue;
		if (uuid && eng) {
			virDomainPtr dom = virDomainLookupByUUIDString(engine_conn(eng), uuid);

			if (dom) {
				virDomainFree(dom);
				kept++;
				continue;
			}
		}
		for (char **p = paths; *p; p++) {
			uint64_t freed = 0;

			if (remove_path(*p, &freed)) {
				g_autofree char *size = core_format_size(freed);

				g_string_append_printf(removed, "%s%s (%s)", removed->len ? ", " : "",
						       *p, size);
			}
		}
	}
	core_error_clear();
	if (removed->len) {
		/* TRANSLATORS: e.g. Removed what an interrupted ova import left:
		 * /path (420.0 MiB), /other (4.0 KiB). */
		g_string_append_printf(r, _("Removed what an interrupted %s left: %s."), what,
				       removed->str);
		g_string_append_c(r, '\n');
	}
	if (kept) {
		g_string_append_printf(r, P_("Kept %u VM that an interrupted %s had finished.",
					     "Kept %u VMs that an interrupted %s had finished.", kept),
				       kept, what);
		g_string_append_c(r, '\n');
	}
	return true;
}

int journal_recover(struct engine *eng, char **report)
{
	g_autofree char *dir = journal_dir();
	g_autoptr(GString) r = g_string_new(NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	int handled = 0;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *path = NULL, *text = NULL;
		g_autoptr(GKeyFile) kf = g_key_file_new();
		struct stat a, b;
		size_t len;
		int fd;

		if (!g_str_has_suffix(e, ".journal"))
			continue;
		path = g_build_filename(dir, e, NULL);
		/* two vmtuis starting at once: one of them takes it, and
		 * only while it is still there (not handled meanwhile) */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &a) < 0 || lstat(path, &b) < 0 ||
		    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		text = core_read_file(path, JOURNAL_MAX, CORE_READ_NOFOLLOW, _("journal"), &len);
		/* one that cannot be read names nothing anyone can remove */
		if (!text || !g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL) ||
		    recover_one(eng, kf, r)) {
			unlink(path);
			handled++;
		}
		close(fd);
	}
	if (d)
		g_dir_close(d);
	core_error_clear();
	if (report)
		*report = r->len ? g_strdup(r->str) : NULL;
	return handled;
}

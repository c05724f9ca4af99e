/*
 * unit-journal.c — the journal of runs that make files (core/journal.c):
 * a live run's files stay, a dead run's are removed and named with their
 * sizes, a process that got the dead run's pid is not taken for it, a
 * run on an engine waits for a vmtui on that engine, which keeps the
 * files of the VMs it has.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/settings.h"
#include "core/engine.h"
#include "core/journal.h"
#include "tests/tap.h"

/* the test driver's own domain */
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

/* Makes the file @path with @len bytes of data. */
static void make_file(const char *path, size_t len)
{
	g_autofree char *buf = g_malloc(len);

	memset(buf, 'x', len);
	g_file_set_contents(path, buf, (gssize)len, NULL);
}

/* The one journal file in @dir, or NULL (caller frees). */
static char *the_journal(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	char *found = NULL;

	while (d && (e = g_dir_read_name(d)))
		if (g_str_has_suffix(e, ".journal") && !found)
			found = g_build_filename(dir, e, NULL);
	if (d)
		g_dir_close(d);
	return found;
}

/* Rewrites the journal @path as if a process other than its run had
 * the run's pid now: its start time changed. */
static void age(const char *path)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *text = NULL;

	g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
	g_key_file_set_uint64(kf, "run", "start",
			      g_key_file_get_uint64(kf, "run", "start", NULL) + 1);
	text = g_key_file_to_data(kf, NULL, NULL);
	g_file_set_contents(path, text, -1, NULL);
}

int main(void)
{
	g_autofree char *top = g_dir_make_tmp("unit-journal-XXXXXX", NULL);
	g_autofree char *jdir = NULL, *file = NULL, *folder = NULL, *inner = NULL;
	g_autofree char *kept = NULL, *gone = NULL, *path = NULL, *report = NULL;
	struct core_config cfg = { .uri = (char *)"test:///default", .accel = ACCEL_TCG,
				   .op_timeout = 30, .pool = (char *)"default" };
	struct journal *j;
	struct engine *eng;

	g_setenv("XDG_DATA_HOME", top, TRUE);
	jdir = g_build_filename(top, "vmtui", "journal", NULL);
	file = g_build_filename(top, "staged.vmdk", NULL);
	folder = g_build_filename(top, "staging", NULL);
	inner = g_build_filename(folder, "disk.vmdk", NULL);
	make_file(file, 8192);
	mkdir(folder, 0700);
	make_file(inner, 65536);

	j = journal_new("ova export", NULL);
	journal_add(j, NULL, file);
	journal_add(j, NULL, folder);
	tap_ok(journal_save(j) == 0 && (path = the_journal(jdir)) != NULL,
	       "a run's journal is written in DATA/journal");
	tap_ok(journal_recover(NULL, &report) == 0 && !report && access(file, F_OK) == 0 &&
	       access(inner, F_OK) == 0, "while the run goes on, its files stay");
	age(path);
	tap_ok(journal_recover(NULL, &report) == 1 && access(file, F_OK) < 0 &&
	       access(folder, F_OK) < 0 && access(path, F_OK) < 0,
	       "a process that took the run's pid is not the run: its file and folder are removed, and the journal");
	{
		/* the folder's own block depends on the file system */
		g_autofree char *want = g_strdup_printf("Removed what an interrupted ova export left: %s (8.0 KiB), %s (6",
							file, folder);

		tap_ok(report && g_str_has_prefix(report, want) && g_str_has_suffix(report, " KiB).\n"),
		       "the report names them with the space they took");
		tap_diag("%s", report ? report : "(none)");
	}
	g_clear_pointer(&report, g_free);
	journal_end(j);

	/* a run that defines VMs on an engine */
	kept = g_build_filename(top, "kept.qcow2", NULL);
	gone = g_build_filename(top, "gone.qcow2", NULL);
	make_file(kept, 4096);
	make_file(gone, 4096);
	j = journal_new("ova import", "test:///default");
	journal_add(j, TEST_UUID, kept);
	journal_add(j, "00000000-0000-4000-8000-000000000001", gone);
	journal_save(j);
	g_free(path);
	path = the_journal(jdir);
	age(path);
	tap_ok(journal_recover(NULL, NULL) == 0 && access(gone, F_OK) == 0 && access(path, F_OK) == 0,
	       "a vmtui without the run's engine leaves its journal and files alone");
	eng = engine_open(&cfg);
	tap_ok(eng != NULL, "the test driver opens (%s)", eng ? "" : core_error_message());
	if (eng) {
		tap_ok(journal_recover(eng, &report) == 1 && access(kept, F_OK) == 0 &&
		       access(gone, F_OK) < 0 && access(path, F_OK) < 0,
		       "one with it keeps the files of the VM it has and removes the others'");
		tap_ok(report && strstr(report, "Kept 1 VM that an interrupted ova import had finished.") &&
		       strstr(report, gone) && !strstr(report, kept), "  ... and says which");
		if (report)
			tap_diag("%s", report);
		engine_close(eng);
	}
	journal_end(j);
	{
		const char *argv[] = { "rm", "-rf", top, NULL };

		g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			     NULL, NULL);
	}
	return tap_done();
}

/*
 * logs.c — the logs a guest writes to on the host: its serial log (QEMU
 * copies everything the guest prints on its first serial port there) and
 * QEMU's own output of the embedded engine.
 *
 * A guest controls how much it prints: `yes > /dev/ttyS0` writes tens of
 * megabytes a minute, for as long as the guest runs, whether vmtui runs or
 * not.  So a small keeper process, started by whoever starts a guest of
 * the embedded engine, keeps every such log under [console] log-size while
 * any guest of that engine runs, and then leaves.  QEMU appends (O_APPEND),
 * so the keeper can cut the oldest part off in place: the file system
 * collapses the range (ext4, XFS), or punches a hole in it (tmpfs, btrfs:
 * the file keeps its length but not the disk space), or, failing both,
 * the file is emptied.  Readers look only at the end of the file, so the
 * Console tab and `vmtui console` work across a cut.
 *
 * The other half: a log is a file the domain's XML names, and another
 * client of a daemon can point it at any path.  serial_log_open() opens
 * only a regular file, without following a symbolic link or waiting on a
 * FIFO, in vmtui's log folder or one the user named.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/engine.h"
#include "core/logs.h"
#include "core/i18n.h"

#define KEEPER_LOCK ".keeper"
/* the keeper looks at least this often, and at most ten times a second */
#define KEEPER_TICK_MS 1000
#define KEEPER_MIN_GAP_US (100 * 1000)
/* after its last guest, the keeper stays this long (a restart, a reboot) */
#define KEEPER_LINGER_S 10

static int keeper_enabled;

void logs_keeper_enable(void)
{
	g_atomic_int_set(&keeper_enabled, 1);
}

char *logs_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "logs", NULL);
}

/* ---- cutting a log ------------------------------------------------------- */

int logs_trim(int fd, uint64_t cap)
{
	struct stat st;
	uint64_t used, keep = cap / 2, cut;
	blksize_t blk;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	/* what the file takes on disk: after a punched hole its length
	 * overstates it */
	used = MIN((uint64_t)st.st_size, (uint64_t)st.st_blocks * 512);
	if (used <= cap)
		return 0;
	blk = st.st_blksize > 0 ? st.st_blksize : 4096;
	/* whole blocks, leaving the newest @keep bytes */
	cut = ((uint64_t)st.st_size - keep) / (uint64_t)blk * (uint64_t)blk;
	if (cut == 0)
		return 0;
	if (fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)cut) == 0)
		return 1;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)cut) == 0)
		return 1;
	/* neither: lose the old output rather than the host's disk */
	return ftruncate(fd, 0) == 0 ? 1 : -1;
}

/* Trims the log @dir/@name if it is a regular file over @cap. */
static void trim_path(const char *dir, const char *name, uint64_t cap)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return;
	logs_trim(fd, cap);
	close(fd);
}

/* Trims every log of @dir whose name ends with @suffix. */
static void trim_dir(const char *dir, const char *suffix, uint64_t cap)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d)))
		if (g_str_has_suffix(e, suffix))
			trim_path(dir, e, cap);
}

/* ---- the keeper ------------------------------------------------------- */

/* Whether a guest of the embedded engine at @root runs: a QEMU whose pid
 * its pid file names is alive. */
static bool guests_run(const char *root)
{
	g_autofree char *run = g_build_filename(root, "run", "qemu", NULL);
	g_autoptr(GDir) d = g_dir_open(run, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *path = NULL, *text = NULL, *cmdpath = NULL, *cmd = NULL;
		size_t len = 0;
		long pid;

		if (!g_str_has_suffix(e, ".pid") || strcmp(e, "driver.pid") == 0)
			continue;
		path = g_build_filename(run, e, NULL);
		text = core_read_file(path, 64, CORE_READ_NOFOLLOW, "pid file", NULL);
		pid = text ? atol(text) : 0;
		if (pid <= 1 || kill((pid_t)pid, 0) < 0)
			continue;
		cmdpath = g_strdup_printf("/proc/%ld/cmdline", pid);
		cmd = core_read_file(cmdpath, 1 << 16, 0, "command line", &len);
		if (cmd && len && strstr(cmd, "qemu"))
			return true;
	}
	return false;
}

/* Takes the keeper's lock of @dir: the descriptor, or -1 when another
 * keeper holds it. */
static int keeper_lock(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, KEEPER_LOCK, NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int logs_keeper_main(int argc, char **argv)
{
	const char *dir, *root;
	g_autofree char *qemu_logs = NULL;
	uint64_t cap;
	gint64 idle_since = 0, last = 0;
	int lock, in;

	if (argc != 4)
		return CORE_ERR_USAGE;
	dir = argv[1];
	root = argv[2];
	cap = g_ascii_strtoull(argv[3], NULL, 10);
	if (!cap)
		return CORE_ERR_USAGE;
	qemu_logs = g_build_filename(root, "log", "qemu", NULL);
	/* its own session: no terminal's hang-up reaches it */
	setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((lock = keeper_lock(dir)) < 0)
		return 0; /* another keeper does the work */
	{
		g_autofree char *pid = g_strdup_printf("%ld\n", (long)getpid());

		/* for people (and tests) only: the lock is what counts */
		if (ftruncate(lock, 0) < 0 || pwrite(lock, pid, strlen(pid), 0) < 0)
			pid[0] = '\0';
	}
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in >= 0) {
		inotify_add_watch(in, dir, IN_MODIFY);
		inotify_add_watch(in, qemu_logs, IN_MODIFY);
	}
	for (;;) {
		struct pollfd p = { in, POLLIN, 0 };
		gint64 now;

		if (poll(&p, in >= 0 ? 1 : 0, KEEPER_TICK_MS) > 0) {
			char buf[4096];

			while (read(in, buf, sizeof buf) > 0)
				;
		}
		now = g_get_monotonic_time();
		if (now - last < KEEPER_MIN_GAP_US) {
			g_usleep((gulong)(KEEPER_MIN_GAP_US - (now - last)));
			now = g_get_monotonic_time();
		}
		last = now;
		if (access(dir, F_OK) < 0)
			break; /* the data folder went */
		trim_dir(dir, "-serial.log", cap);
		trim_dir(qemu_logs, ".log", cap);
		if (guests_run(root)) {
			idle_since = 0;
			continue;
		}
		if (!idle_since)
			idle_since = now;
		if (now - idle_since < KEEPER_LINGER_S * G_USEC_PER_SEC)
			continue;
		/* Leaving: let go first, then look once more.  A vmtui that
		 * started a guest and found the lock held relies on this
		 * keeper seeing that guest; after the lock is free it starts
		 * its own keeper instead. */
		close(lock);
		if (!guests_run(root) || (lock = keeper_lock(dir)) < 0)
			break;
		idle_since = 0;
	}
	return 0;
}

int logs_keeper_ensure(struct engine *eng)
{
	g_autofree char *dir = NULL, *cap = NULL;
	int lock;

	if (!engine_is_embedded(eng) || !g_atomic_int_get(&keeper_enabled) ||
	    !guests_run(engine_root(eng)))
		return 0;
	dir = logs_dir();
	if (core_mkdir_p(dir, 0700) < 0)
		return -1;
	if ((lock = keeper_lock(dir)) < 0)
		return 0; /* one runs, and will see the new guest */
	close(lock);
	cap = g_strdup_printf("%" G_GUINT64_FORMAT, core_limits()->log_size);
	{
		/* this very program (also when its file was replaced since),
		 * under its own name */
		const char *argv[] = { "/proc/self/exe", "vmtui", LOGS_KEEPER_COMMAND, dir,
				       engine_root(eng), cap, NULL };
		g_autoptr(GError) err = NULL;

		/* not reaped here: GLib's intermediate child makes it an
		 * orphan at once, so it outlives this process */
		if (!g_spawn_async(NULL, (char **)argv, NULL,
				   G_SPAWN_FILE_AND_ARGV_ZERO | G_SPAWN_STDIN_FROM_DEV_NULL |
				   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
				   NULL, NULL, NULL, &err)) {
			core_error(CORE_ERR_FAILED, _("Cannot start the serial log keeper: %s"),
				   err->message);
			return -1;
		}
	}
	return 0;
}

/* ---- reading a log ---------------------------------------------------- */

/* Whether the folder of @path is @dir, both taken as the file system
 * sees them (symbolic links in the folders resolved). */
static bool in_folder(const char *path, const char *dir)
{
	g_autofree char *parent = g_path_get_dirname(path);
	g_autofree char *a = realpath(parent, NULL);
	g_autofree char *b = realpath(dir, NULL);

	return a && b && strcmp(a, b) == 0;
}

int serial_log_open(const char *path, char *const *folders)
{
	g_autofree char *own = logs_dir();
	bool allowed = g_path_is_absolute(path) && in_folder(path, own);
	struct stat st;
	int fd;

	for (char *const *f = folders; !allowed && f && *f; f++)
		allowed = g_path_is_absolute(path) && in_folder(path, *f);
	if (!allowed) {
		core_error(CORE_ERR_USAGE,
			   _("The serial log %s is not in vmtui's log folder (%s); vmtui opens other folders only when they are named in [console] log-folders."),
			   path, own);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		core_error(errno == ENOENT ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   errno == ELOOP ? _("The serial log %s is a symbolic link: not opened.") :
			   _("Cannot read %s: %s"), path, g_strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		core_error(CORE_ERR_USAGE, _("The serial log %s is not a regular file (a device, a FIFO or a folder): not opened."),
			   path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * files.c — where vmtui keeps its files, and how it writes them.
 *
 * User state is written atomically: a temporary file beside the target,
 * fsync, rename over the target, fsync of the directory, so a crash at any
 * point leaves either the old or the new content, never a mix.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/i18n.h"

char *core_data_dir(void)
{
	if (geteuid() == 0 && !g_getenv("XDG_DATA_HOME"))
		return g_strdup("/var/lib/vmtui");
	return g_build_filename(g_get_user_data_dir(), "vmtui", NULL);
}

char *core_config_dir(void)
{
	return g_build_filename(g_get_user_config_dir(), "vmtui", NULL);
}

int core_mkdir_p(const char *path, mode_t mode)
{
	if (g_mkdir_with_parents(path, mode) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot create folder %s: %s"),
			   path, g_strerror(errno));
		return -1;
	}
	return 0;
}

int core_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int core_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *tmp = NULL;
	int fd, dfd, saved;

	if (core_mkdir_p(dir, 0700) < 0)
		return -1;
	tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, mode);
	if (fd < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path,
			   g_strerror(errno));
		return -1;
	}
	if (core_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path,
			   g_strerror(saved));
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path,
			   g_strerror(saved));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Opens @path for reading as a regular file of at most @max bytes (@what
 * names it in messages): the type and size are those of the open file,
 * and a FIFO or a device is refused, never waited on.  The descriptor
 * (its stat in *@st), or -1 with an error. */
static int open_regular(const char *path, unsigned flags, uint64_t max,
			const char *what, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		      (flags & CORE_READ_NOFOLLOW ? O_NOFOLLOW : 0));

	if (fd < 0) {
		int e = errno;

		core_error(e == ENOENT ? CORE_ERR_NOT_FOUND : e == ELOOP ? CORE_ERR_USAGE :
			   CORE_ERR_FAILED, e == ELOOP ?
			   _("The %s %s is a symbolic link: refused.") :
			   _("Cannot read the %s %s: %s"), what, path, g_strerror(e));
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		core_error(CORE_ERR_USAGE, _("The %s %s is not a regular file (a folder, a device or a FIFO): refused."),
			   what, path);
		close(fd);
		return -1;
	}
	if ((uint64_t)st->st_size > max) {
		g_autofree char *has = core_format_size((uint64_t)st->st_size);
		g_autofree char *lim = core_format_size(max);

		core_error(CORE_ERR_USAGE, _("The %s %s is %s (%" PRIu64 " bytes); at most %s (%" PRIu64 " bytes) is taken."),
			   what, path, has, (uint64_t)st->st_size, lim, max);
		close(fd);
		return -1;
	}
	return fd;
}

char *core_read_file(const char *path, size_t max, unsigned flags, const char *what,
		     size_t *len)
{
	struct stat st;
	g_autofree char *buf = NULL;
	size_t got = 0, cap;
	int fd = open_regular(path, flags, max, what, &st);

	if (fd < 0)
		return NULL;
	/* as large as it is now, and one byte to see it grew past @max */
	cap = MIN((size_t)st.st_size, max) + 1;
	buf = g_malloc(cap + 1);
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot read the %s %s: %s"), what, path,
				   g_strerror(errno));
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == cap) {
			if (got > max) {
				g_autofree char *lim = core_format_size(max);

				core_error(CORE_ERR_USAGE, _("The %s %s grew past %s while it was read: refused."),
					   what, path, lim);
				close(fd);
				return NULL;
			}
			cap = MIN(cap * 2, max + 1);
			buf = g_realloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return g_steal_pointer(&buf);
}

int core_copy_file(const char *src, const char *dst, uint64_t max, const char *what,
		   mode_t mode)
{
	struct stat st;
	g_autofree char *buf = g_malloc(1 << 20);
	uint64_t done = 0;
	int in = open_regular(src, 0, max, what, &st), out, saved;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), dst, g_strerror(errno));
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, buf, 1 << 20);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				core_error(CORE_ERR_FAILED, _("Cannot read the %s %s: %s"), what,
					   src, g_strerror(errno));
				goto fail;
			}
			break;
		}
		done += (uint64_t)n;
		if (done > max) {
			g_autofree char *lim = core_format_size(max);

			core_error(CORE_ERR_USAGE, _("The %s %s grew past %s while it was read: refused."),
				   what, src, lim);
			goto fail;
		}
		if (core_write_all(out, buf, (size_t)n) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), dst, g_strerror(errno));
			goto fail;
		}
	}
	if (fchmod(out, mode) < 0 || fsync(out) < 0 || close(out) < 0) {
		saved = errno;
		out = -1;
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), dst, g_strerror(saved));
		goto fail;
	}
	close(in);
	return 0;
fail:
	if (out >= 0)
		close(out);
	close(in);
	unlink(dst);
	return -1;
}

char *core_format_size(uint64_t bytes)
{
	char *s = g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
	char *nbsp;

	/* GLib puts a no-break space between number and unit, which
	 * scripts reading vmtui's output do not expect */
	while ((nbsp = strstr(s, "\u00a0"))) {
		nbsp[0] = ' ';
		memmove(nbsp + 1, nbsp + 2, strlen(nbsp + 2) + 1);
	}
	return s;
}

char *core_format_size_exact(uint64_t bytes)
{
	if (bytes && bytes % (UINT64_C(1) << 30) == 0)
		return g_strdup_printf("%" PRIu64 " GiB", bytes >> 30);
	if (bytes % (UINT64_C(1) << 20) == 0)
		return g_strdup_printf("%" PRIu64 " MiB", bytes >> 20);
	return core_format_size(bytes);
}

int core_space_check(const char *dir, uint64_t need, const char *what)
{
	struct statvfs v;
	uint64_t avail, reserve = core_limits()->reserve;

	if (statvfs(dir, &v) < 0)
		return 0; /* nothing known: the writes will tell */
	avail = (uint64_t)v.f_bavail * v.f_frsize;
	if (avail < reserve || avail - reserve < need) {
		g_autofree char *n = core_format_size(need);
		g_autofree char *a = core_format_size(avail);
		g_autofree char *r = core_format_size(reserve);

		core_error(CORE_ERR_FAILED,
			   _("Not enough free space in %s for %s: it needs %s more, %s are free and vmtui keeps %s free ([limits] reserve)."),
			   dir, what, n, a, r);
		return -1;
	}
	return 0;
}

/* The start time of process @pid in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it is not running or cannot be read. */
guint64 core_process_start(long pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%ld/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* the command name (field 2) may hold spaces and parentheses */
	p = strrchr(text, ')');
	if (!p)
		return 0;
	f = g_strsplit(p + 1, " ", 22);
	/* f[0] is empty, f[1] is field 3 (the state): field 22 is f[20] */
	return g_strv_length(f) > 20 ? g_ascii_strtoull(f[20], NULL, 10) : 0;
}

/*
 * files.c — where vmtui keeps its files, and how it writes them.
 *
 * User state is written atomically: a temporary file beside the target,
 * fsync, rename over the target, fsync of the directory, so a crash at any
 * point leaves either the old or the new content, never a mix.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "i18n.h"

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

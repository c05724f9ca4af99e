/*
 * files.h — where vmtui keeps its files and how it reads and writes them:
 * atomic writes, bounded reads of files from elsewhere, free space.
 */
#pragma once

#include "core/error.h"

/* ---- files and paths ------------------------------------------------- */

/* $XDG_DATA_HOME/vmtui, or /var/lib/vmtui for root.  Caller frees. */
char *core_data_dir(void);
/* $XDG_CONFIG_HOME/vmtui.  Caller frees. */
char *core_config_dir(void);
/* Writes @len bytes to @path atomically: temporary file in the same
 * directory, fsync, rename, fsync of the directory.  Creates missing parent
 * directories (mode 0700).  Returns 0, or -1 with an error recorded. */
int core_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode);
/* Writes all @len bytes to @fd, retrying short and interrupted writes.
 * 0, or -1 with errno set (nothing recorded). */
int core_write_all(int fd, const void *data, size_t len);
/* Creates @path and its parents with @mode; 0 or -1 with an error. */
int core_mkdir_p(const char *path, mode_t mode);
/* A file name made of @name's plain characters (letters, digits, '-',
 * '_', '.' not leading; others become '_'), at most 64 bytes: for the
 * files vmtui names after a VM or template.  Caller frees. */
char *core_file_stem(const char *name);
/* A path for a new file of @name in DATA/disks (made if missing):
 * "STEM[-TAG].EXT", STEM from core_file_stem.  With @reserve the file is
 * created empty (O_EXCL, O_NOFOLLOW, 0600) so the name is the caller's,
 * "-N" added before the extension while a name is taken; without, the
 * path is only named (the caller's @tag makes it unique).  Caller frees;
 * NULL with an error. */
char *disk_new_path(const char *name, const char *tag, const char *ext, bool reserve);
/* The file of snapshot @snap of VM @vm holding @what, in vmtui's disks
 * folder: "mem" (its memory), "nvram" (a copy of the UEFI variables) or
 * a disk's target (its overlay).  Caller frees; NULL with an error. */
char *disk_snapshot_file(const char *vm, const char *snap, const char *what);

/* Bounded reads: core_read_file's @flags. */
enum { CORE_READ_NOFOLLOW = 1 << 0 /* refuse a symbolic link */ };
/* Reads the regular file @path whole when it holds at most @max bytes
 * (@what names it in messages, e.g. _("SSH key file")).  Type and size
 * are checked on the open file before anything is read: a folder, a FIFO
 * or a device is refused (never waited on), and a file that grows past
 * @max while it is read is refused too.  Returns its bytes with a NUL
 * after them (caller frees; their number in *@len, may be NULL), or NULL
 * with an error: CORE_ERR_NOT_FOUND when it does not exist,
 * CORE_ERR_USAGE when it is not a regular file or too large. */
char *core_read_file(const char *path, size_t max, unsigned flags, const char *what,
		     size_t *len);
/* Copies the regular file @src (at most @max bytes, checked as
 * core_read_file does, streamed) to the new file @dst (O_EXCL, never
 * through a symbolic link), synced, with @mode.  0, or -1 with an error
 * and @dst removed. */
int core_copy_file(const char *src, const char *dst, uint64_t max, const char *what,
		   mode_t mode);
/* The start time of process @pid in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it is not running: with the pid, it names a
 * process that a later one reusing the pid is not taken for. */
guint64 core_process_start(long pid);
/* "4.0 MiB", "16.0 TiB" (IEC units, a plain space); caller frees. */
char *core_format_size(uint64_t bytes);
/* A size set in whole units, shown exactly: "2 GiB", "256 MiB", else as
 * core_format_size() (memory of VMs and templates, disks made in MiB);
 * caller frees. */
char *core_format_size_exact(uint64_t bytes);
/* Whether the file system of @dir has room for @need more bytes while
 * keeping [limits] reserve free.  0, or -1 with an error naming @what
 * (what is being written), what it needs and what is free. */
int core_space_check(const char *dir, uint64_t need, const char *what);

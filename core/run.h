/*
 * run.h — helper programs, run one way, under limits.
 */
#pragma once

#include "core/error.h"

struct job;

/* ---- helper programs ----------------------------------------------------
 *
 * Every program vmtui runs (qemu-img, qemu-storage-daemon, debugfs) goes
 * through core_run: an argv array, never a shell; limits on memory
 * (always), CPU and wall time; a bounded amount of its output kept; it
 * dies with the thread that started it and stops when its job is
 * cancelled.  Blocking: call it from a job. */

struct run_opts {
	struct job *job;     /* cancelling it stops the program (SIGTERM,
			      * then SIGKILL) */
	uint64_t max_memory; /* bytes of address space; 0: 1 GiB */
	int max_cpu_s;       /* seconds of CPU; 0: no limit */
	int max_wall_s;      /* seconds before it is killed; 0: no limit */
	size_t max_output;   /* bytes of standard output taken; 0: 1 MiB.
			      * A program that prints more is killed and
			      * the run fails */
};

/* Runs @argv (argv[0] the program, looked up in PATH without a '/';
 * NULL-terminated) under @o (NULL: the defaults).  Returns its standard
 * output (caller frees), its wait status in *@status and the first 64 KiB
 * of its standard error appended to @err (may be NULL); NULL with an
 * error when it could not start, was cancelled (CORE_ERR_CANCELLED),
 * printed too much or ran out of time (CORE_ERR_TIMEOUT).  How it exited
 * is the caller's to judge. */
char *core_run_status(const char *const *argv, const char *what,
		      const struct run_opts *o, int *status, GString *err);
/* The same, and a program that did not exit with 0 is an error naming
 * @what and what it said on standard error.  Caller frees. */
char *core_run(const char *const *argv, const char *what, const struct run_opts *o);
/* A helper that serves a mount while vmtui works with it
 * (qemu-storage-daemon exporting an image as a file over FUSE). */
struct run_mount;
/* Starts @argv under @o's limits on memory and CPU and its job, as
 * core_run does, and waits until it has mounted something on
 * @mountpoint (as /proc/self/mountinfo says: the path itself is not
 * asked, which would wait on the helper), at most @o->max_wall_s seconds
 * (0: 30).  Returns the running helper (stop it with core_run_unmount),
 * or NULL with an error: it could not start, ended first (what it said
 * on standard error), took too long or was cancelled. */
struct run_mount *core_run_mount(const char *const *argv, const char *what,
				 const struct run_opts *o, const char *mountpoint);
/* Stops the helper (SIGTERM, then SIGKILL after 2 s), waits for it and
 * detaches its mount if it left it behind; NULL is fine. */
void core_run_unmount(struct run_mount *m);
/* Detaches whatever is mounted on @path, lazily (a FUSE mount whose
 * helper died answers nothing but must go before its file can): with
 * umount2 as root, with fusermount3 -u -z otherwise.  Nothing when
 * nothing is mounted there. */
void core_unmount(const char *path);
/* A helper whose standard input and output are a socket of vmtui's: a
 * tunnel (ssh -W HOST:PORT) to what it reaches. */
struct run_socket;
/* Starts @argv under @o's limit on memory (no time limit: it ends when
 * its socket closes, or with core_run_socket_end) and gives the socket's
 * other end in *@fd (the caller closes it).  NULL with an error when it
 * cannot start. */
struct run_socket *core_run_socket(const char *const *argv, const char *what,
				   const struct run_opts *o, int *fd);
/* What it has written on standard error so far (at most 4 KiB, without
 * waiting); owned by @rs. */
const char *core_run_socket_said(struct run_socket *rs);
/* Stops it (SIGTERM, then SIGKILL after 2 s) and waits; NULL is fine. */
void core_run_socket_end(struct run_socket *rs);
/* core_run for qemu-img (@argv without the program's name). */
char *core_qemu_img(const char *const *argv, const char *what,
		    const struct run_opts *o);

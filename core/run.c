/*
 * run.c — helper programs (qemu-img, qemu-storage-daemon, debugfs, ...),
 * each run the one way: from an argv array, never a shell; under limits on
 * memory (always), CPU and wall time; with a bounded amount of its output
 * kept; dying with the thread that started it; stopped when its job is
 * cancelled.  A program fed a hostile image may loop, allocate without end
 * or print gigabytes: none of that may reach vmtui.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/jobs.h"
#include "core/run.h"
#include "core/i18n.h"

#define DEFAULT_MEMORY (UINT64_C(1) << 30)
#define DEFAULT_OUTPUT (1u << 20)
#define ERROR_OUTPUT (64u << 10)
/* after SIGTERM (a cancelled job), how long a program may take to end */
#define TERM_GRACE_US (2 * G_USEC_PER_SEC)

/* The limits in effect: @o's, with the defaults for what it leaves 0. */
struct limits {
	uint64_t memory;
	int cpu_s;
	size_t output;
};

/* In the child, before exec: the limits, and death with the thread that
 * started it, so a killed vmtui leaves no helper behind writing a file that
 * recovery has just removed. */
static void child_setup(gpointer data)
{
	const struct limits *l = data;
	struct rlimit as = { l->memory, l->memory };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setrlimit(RLIMIT_AS, &as);
	if (l->cpu_s > 0) {
		struct rlimit cpu = { (rlim_t)l->cpu_s, (rlim_t)l->cpu_s };

		setrlimit(RLIMIT_CPU, &cpu);
	}
	/* a core dump of a program that met a hostile image is no use */
	struct rlimit core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &core);
}

/* Appends what @fd has to @buf, keeping at most @max bytes (the rest is
 * read and dropped; *@over says so).  false at the end of @fd. */
static bool read_some(int fd, GString *buf, size_t max, bool *over)
{
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (buf->len + (size_t)n > max) {
		*over = true;
		n = (ssize_t)(max - MIN(max, buf->len));
	}
	g_string_append_len(buf, chunk, n);
	return true;
}

/* Waits for @pid; its wait status. */
static int reap(GPid pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	return status;
}

static const struct run_opts no_opts = { 0 };

/* Starts @argv under the limits of @o (NULL: the defaults), filled into
 * *@l, which must last until it returns: standard input from /dev/null,
 * standard output on the pipe *@out (NULL: to /dev/null), standard error
 * on the pipe *@err.  Its pid, or 0 with an error naming @what. */
static GPid spawn(const char *const *argv, const char *what, const struct run_opts *o,
		  struct limits *l, int *out, int *err)
{
	g_autoptr(GError) gerr = NULL;
	g_autofree char *prog = g_path_get_basename(argv[0]);
	g_auto(GStrv) env = g_get_environ();
	GPid pid;

	/* glibc gives each thread of a program its own malloc arena of 64 MiB
	 * of address space: qemu-img convert, 12 threads, reached 924 MB under
	 * the 1 GiB limit (179 MB with two arenas) and died of it on a busy
	 * machine.  The limit is meant for what a program stores, not for
	 * how its allocator reserves. */
	env = g_environ_setenv(env, "MALLOC_ARENA_MAX", "2", FALSE);
	l->memory = o->max_memory ? o->max_memory : DEFAULT_MEMORY;
	l->cpu_s = o->max_cpu_s;
	l->output = o->max_output ? o->max_output : DEFAULT_OUTPUT;
	if (!g_spawn_async_with_pipes(NULL, (char **)argv, env,
				      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
				      (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL) |
				      (strchr(argv[0], '/') ? 0 : G_SPAWN_SEARCH_PATH),
				      child_setup, l, &pid, NULL, out, err, &gerr)) {
		core_error(CORE_ERR_FAILED, _("Cannot run %s for %s: %s"), prog, what,
			   gerr->message);
		return 0;
	}
	return pid;
}

char *core_run_status(const char *const *argv, const char *what,
		      const struct run_opts *o, int *status, GString *err)
{
	struct limits l;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) errbuf = g_string_new(NULL);
	struct pollfd p[2];
	gint64 deadline, term_at = 0;
	bool out_over = false, err_over = false, timed_out = false, cancelled = false;
	g_autofree char *prog = g_path_get_basename(argv[0]);
	GPid pid;

	if (!o)
		o = &no_opts;
	deadline = o->max_wall_s > 0 ?
		g_get_monotonic_time() + (gint64)o->max_wall_s * G_USEC_PER_SEC : G_MAXINT64;
	if (!(pid = spawn(argv, what, o, &l, &p[0].fd, &p[1].fd)))
		return NULL;
	p[0].events = p[1].events = POLLIN;
	/* both pipes read to their end, the job and the clock looked at
	 * every 100 ms */
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		gint64 now = g_get_monotonic_time();

		if (!term_at && o->job && job_cancelled(o->job)) {
			cancelled = true;
			kill(pid, SIGTERM);
			term_at = now;
		}
		if (!timed_out && !cancelled && now > deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
		}
		if (term_at && now - term_at > TERM_GRACE_US)
			kill(pid, SIGKILL);
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (!read_some(p[i].fd, i ? errbuf : out, i ? ERROR_OUTPUT : l.output,
				       i ? &err_over : &out_over)) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
		if (out_over) {
			/* what it says past the bound is not read: it ends now */
			kill(pid, SIGKILL);
			break;
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	*status = reap(pid);
	if (err)
		g_string_append_len(err, errbuf->str, (gssize)errbuf->len);
	if (cancelled) {
		core_error(CORE_ERR_CANCELLED, _("Cancelled."));
		return NULL;
	}
	if (out_over) {
		core_error(CORE_ERR_FAILED, _("%s printed more than %zu KiB for %s: stopped"),
			   prog, l.output >> 10, what);
		return NULL;
	}
	if (timed_out) {
		core_error(CORE_ERR_TIMEOUT, _("%s took more than %d s for %s: stopped"),
			   prog, o->max_wall_s, what);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

char *core_run(const char *const *argv, const char *what, const struct run_opts *o)
{
	g_autoptr(GString) err = g_string_new(NULL);
	g_autofree char *prog = g_path_get_basename(argv[0]);
	g_autofree char *out = NULL;
	int status;

	out = core_run_status(argv, what, o, &status, err);
	if (!out)
		return NULL;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		/* the limits end a program with SIGKILL (memory: an
		 * allocation fails first, often SIGSEGV or SIGABRT) or SIGXCPU */
		core_error(CORE_ERR_FAILED, sig == SIGXCPU ?
			   _("%s was stopped for %s: it used more than its %d s of CPU") :
			   _("%s ended for %s with signal %d (it may have met its memory limit)"),
			   prog, what, sig == SIGXCPU && o ? o->max_cpu_s : sig);
		return NULL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_strstrip(err->str);
		core_error(CORE_ERR_FAILED, _("%s failed for %s: %s"), prog, what,
			   *err->str ? err->str : _("no message"));
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* ---- helpers that serve a mount ------------------------------------------ */

struct run_mount {
	GPid pid;
	char *path; /* its mount point */
	int err; /* its standard error, open while it runs: a helper that
		  * writes there must not meet a closed pipe */
};

/* @path as /proc/self/mountinfo writes a mount point: space, tab,
 * newline and backslash as octal escapes.  Caller frees. */
static char *mountinfo_escape(const char *path)
{
	GString *s = g_string_new(NULL);

	for (const char *p = path; *p; p++) {
		if (strchr(" \t\n\\", *p))
			g_string_append_printf(s, "\\%03o", (unsigned char)*p);
		else
			g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

/* Whether something is mounted on @escaped (mountinfo_escape), read from
 * /proc/self/mountinfo: asking the path itself would wait on the very
 * helper that serves it, and it may hang. */
static bool is_mounted(const char *escaped)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
		return false;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, " ", 6);

		if (g_strv_length(f) >= 5 && strcmp(f[4], escaped) == 0)
			return true;
	}
	return false;
}

/* Ends @pid: SIGTERM, SIGKILL after TERM_GRACE_US, reaped. */
static void end_child(GPid pid)
{
	gint64 until = g_get_monotonic_time() + TERM_GRACE_US;
	int status;

	kill(pid, SIGTERM);
	while (g_get_monotonic_time() < until) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			g_spawn_close_pid(pid);
			return;
		}
		g_usleep(10 * 1000);
	}
	kill(pid, SIGKILL);
	reap(pid);
}

struct run_mount *core_run_mount(const char *const *argv, const char *what,
				 const struct run_opts *o, const char *mountpoint)
{
	struct limits l;
	g_autofree char *prog = g_path_get_basename(argv[0]);
	g_autofree char *escaped = mountinfo_escape(mountpoint);
	g_autoptr(GString) err = g_string_new(NULL);
	struct pollfd p = { .events = POLLIN };
	bool over = false, eof = false;
	gint64 deadline;
	GPid pid;
	int status;

	if (!o)
		o = &no_opts;
	deadline = g_get_monotonic_time() +
		   (gint64)(o->max_wall_s > 0 ? o->max_wall_s : 30) * G_USEC_PER_SEC;
	if (!(pid = spawn(argv, what, o, &l, NULL, &p.fd)))
		return NULL;
	while (!is_mounted(escaped)) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* what it said before it ended (a child of its own
			 * may hold the pipe: not waited on for long) */
			for (int i = 0; !eof && i < 10 && poll(&p, 1, 100) > 0; i++)
				eof = !read_some(p.fd, err, ERROR_OUTPUT, &over);
			close(p.fd);
			g_spawn_close_pid(pid);
			g_strstrip(err->str);
			core_error(CORE_ERR_FAILED, _("%s failed for %s: %s"), prog, what,
				   *err->str ? err->str : _("no message"));
			return NULL;
		}
		if (o->job && job_cancelled(o->job)) {
			close(p.fd);
			end_child(pid);
			core_error(CORE_ERR_CANCELLED, _("Cancelled."));
			return NULL;
		}
		if (g_get_monotonic_time() > deadline) {
			close(p.fd);
			end_child(pid);
			core_error(CORE_ERR_TIMEOUT, _("%s did not mount %s within %d s for %s: stopped"),
				   prog, mountpoint, o->max_wall_s > 0 ? o->max_wall_s : 30, what);
			return NULL;
		}
		if (eof)
			g_usleep(20 * 1000);
		else if (poll(&p, 1, 20) > 0)
			eof = !read_some(p.fd, err, ERROR_OUTPUT, &over);
	}
	/* from here on its standard error is not read: it talks there only
	 * when something fails, and is then stopped anyway */
	{
		struct run_mount *m = g_new0(struct run_mount, 1);

		m->pid = pid;
		m->path = g_strdup(mountpoint);
		m->err = p.fd;
		return m;
	}
}

void core_run_unmount(struct run_mount *m)
{
	if (!m)
		return;
	end_child(m->pid);
	close(m->err);
	core_unmount(m->path); /* left behind when it had to be killed */
	g_free(m->path);
	g_free(m);
}

void core_unmount(const char *path)
{
	g_autofree char *escaped = mountinfo_escape(path);

	if (!is_mounted(escaped))
		return;
	if (umount2(path, MNT_DETACH) < 0 && errno == EPERM) {
		/* a user's own FUSE mount: fusermount3 is allowed to; a
		 * failure is not the caller's error */
		const char *argv[] = { "fusermount3", "-u", "-z", path, NULL };
		struct run_opts o = { .max_wall_s = 10, .max_cpu_s = 5 };
		g_autofree char *msg = g_strdup(core_error_message());
		enum core_err code = core_error_code();
		g_autofree char *out = core_run(argv, _("a stale FUSE mount"), &o);

		core_error_restore(code, msg);
	}
}

/* ---- a helper on a socket ------------------------------------------------ */

struct run_socket {
	GPid pid;
	int err;            /* its standard error, non-blocking */
	GString *said;      /* what it wrote there so far, bounded */
};

/* The limits alone: a tunnel outlives the job thread that starts it, and
 * ends with its socket instead. */
static void socket_child_setup(gpointer data)
{
	const struct limits *l = data;
	struct rlimit as = { l->memory, l->memory }, core = { 0, 0 };

	setrlimit(RLIMIT_AS, &as);
	setrlimit(RLIMIT_CORE, &core);
}

struct run_socket *core_run_socket(const char *const *argv, const char *what,
				   const struct run_opts *o, int *fd)
{
	g_autoptr(GError) gerr = NULL;
	g_autofree char *prog = g_path_get_basename(argv[0]);
	struct limits l = { o && o->max_memory ? o->max_memory : DEFAULT_MEMORY, 0, 0 };
	struct run_socket *rs;
	int sv[2], err = -1;
	GPid pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot run %s for %s: %s"), prog, what,
			   g_strerror(errno));
		return NULL;
	}
	if (!g_spawn_async_with_pipes_and_fds(NULL, argv, NULL,
					      G_SPAWN_DO_NOT_REAP_CHILD |
					      (strchr(argv[0], '/') ? 0 : G_SPAWN_SEARCH_PATH),
					      socket_child_setup, &l, sv[1], sv[1], -1, NULL, NULL, 0,
					      &pid, NULL, NULL, &err, &gerr)) {
		core_error(CORE_ERR_FAILED, _("Cannot run %s for %s: %s"), prog, what,
			   gerr->message);
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	close(sv[1]);
	g_unix_set_fd_nonblocking(err, TRUE, NULL);
	rs = g_new0(struct run_socket, 1);
	rs->pid = pid;
	rs->err = err;
	rs->said = g_string_new(NULL);
	*fd = sv[0];
	return rs;
}

const char *core_run_socket_said(struct run_socket *rs)
{
	bool over = false;

	for (int i = 0; i < 4 && read_some(rs->err, rs->said, 4096, &over) && !over; i++)
		;
	g_strchomp(rs->said->str);
	rs->said->len = strlen(rs->said->str);
	return rs->said->str;
}

void core_run_socket_end(struct run_socket *rs)
{
	if (!rs)
		return;
	end_child(rs->pid);
	close(rs->err);
	g_string_free(rs->said, TRUE);
	g_free(rs);
}

/* @argv with qemu-img's path in front; free with g_free (not the strings). */
static const char **qemu_img_argv(const char *const *argv)
{
	guint n = g_strv_length((char **)argv);
	const char **full = g_new0(const char *, n + 2);

	full[0] = QEMU_IMG_PATH;
	memcpy(full + 1, argv, n * sizeof(*argv));
	return full;
}

char *qemu_img_run(const char *const *argv, const char *what,
		   const struct run_opts *o, int *status, GString *err)
{
	g_autofree const char **full = qemu_img_argv(argv);

	return core_run_status(full, what, o, status, err);
}

char *core_qemu_img(const char *const *argv, const char *what, const struct run_opts *o)
{
	g_autofree const char **full = qemu_img_argv(argv);

	return core_run(full, what, o);
}

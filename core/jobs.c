/*
 * jobs.c — the job runner: long work on worker threads, with progress,
 * cancellation and a result, none of which blocks the caller.
 *
 * A job is reference counted: the runner holds one reference while it is
 * queued or running, the submitter holds another.  Every change of state or
 * progress writes a byte to a shared notification pipe, which a UI loop
 * polls beside the terminal; job_wait() is for the command line and tests.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/model.h"
#include "core/i18n.h"

#define JOB_WORKERS 4

struct job {
	gint refs;
	char *title;
	job_fn fn;
	void *data;
	GDestroyNotify free_data;
	bool cancellable;
	gint cancel;

	GMutex lock;        /* guards everything below */
	GCond done_cond;
	enum job_state state;
	double progress;
	char *message;
	char *result;
	enum core_err err_code;
	char *err_message;
};

static GThreadPool *pool;
static int notify_pipe[2] = { -1, -1 };

/* Wakes whoever polls job_notify_fd(); a full pipe already means "wake". */
static void notify(void)
{
	char c = 1;
	ssize_t n;

	do {
		n = write(notify_pipe[1], &c, 1);
	} while (n < 0 && errno == EINTR);
}

static void run_job(gpointer data, gpointer user_data)
{
	struct job *job = data;
	enum job_state end;
	int rc;

	g_mutex_lock(&job->lock);
	if (job_cancelled(job)) {
		job->state = JOB_CANCELLED;
		job->err_code = CORE_ERR_CANCELLED;
		job->err_message = g_strdup(_("Cancelled before it started."));
		g_cond_broadcast(&job->done_cond);
		g_mutex_unlock(&job->lock);
		notify();
		job_unref(job);
		return;
	}
	job->state = JOB_RUNNING;
	g_mutex_unlock(&job->lock);
	notify();

	core_error_clear();
	rc = job->fn(job, job->data);

	g_mutex_lock(&job->lock);
	if (rc == 0) {
		end = JOB_DONE;
		job->progress = 1.0;
	} else if (core_error_code() == CORE_ERR_CANCELLED ||
		   (g_atomic_int_get(&job->cancel) && job->cancellable)) {
		end = JOB_CANCELLED;
		job->err_code = CORE_ERR_CANCELLED;
		job->err_message = g_strdup(*core_error_message() ?
					    core_error_message() : _("Cancelled."));
	} else {
		end = JOB_FAILED;
		job->err_code = core_error_code() ? core_error_code() : CORE_ERR_FAILED;
		job->err_message = g_strdup(*core_error_message() ?
					    core_error_message() :
					    _("The operation failed for an unknown reason."));
	}
	job->state = end;
	g_cond_broadcast(&job->done_cond);
	g_mutex_unlock(&job->lock);
	notify();
	job_unref(job);
}

/* Creates the pool and pipe on first use. */
static void runner_init(void)
{
	static gsize done;

	if (!g_once_init_enter(&done))
		return;
	if (!g_unix_open_pipe(notify_pipe, FD_CLOEXEC, NULL))
		g_error("cannot create the job notification pipe");
	g_unix_set_fd_nonblocking(notify_pipe[0], TRUE, NULL);
	g_unix_set_fd_nonblocking(notify_pipe[1], TRUE, NULL);
	pool = g_thread_pool_new(run_job, NULL, JOB_WORKERS, FALSE, NULL);
	g_once_init_leave(&done, 1);
}

struct job *job_submit(const char *title, job_fn fn, void *data,
		       GDestroyNotify free_data, bool cancellable)
{
	struct job *job = g_new0(struct job, 1);

	runner_init();
	job->refs = 2; /* the runner's and the caller's */
	job->title = g_strdup(title);
	job->fn = fn;
	job->data = data;
	job->free_data = free_data;
	job->cancellable = cancellable;
	job->state = JOB_QUEUED;
	g_mutex_init(&job->lock);
	g_cond_init(&job->done_cond);
	g_thread_pool_push(pool, job, NULL);
	notify();
	return job;
}

struct job *job_ref(struct job *job)
{
	g_atomic_int_inc(&job->refs);
	return job;
}

void job_unref(struct job *job)
{
	if (!job || !g_atomic_int_dec_and_test(&job->refs))
		return;
	if (job->free_data)
		job->free_data(job->data);
	g_free(job->title);
	g_free(job->message);
	g_free(job->result);
	g_free(job->err_message);
	g_mutex_clear(&job->lock);
	g_cond_clear(&job->done_cond);
	g_free(job);
}

void job_progress(struct job *job, double fraction, const char *fmt, ...)
{
	va_list ap;

	if (!job)
		return;
	va_start(ap, fmt);
	g_mutex_lock(&job->lock);
	job->progress = CLAMP(fraction, 0.0, 1.0);
	g_free(job->message);
	job->message = g_strdup_vprintf(fmt, ap);
	g_mutex_unlock(&job->lock);
	va_end(ap);
	notify();
}

bool job_cancelled(struct job *job)
{
	return job && job->cancellable && g_atomic_int_get(&job->cancel);
}

void job_set_result(struct job *job, char *result)
{
	g_mutex_lock(&job->lock);
	g_free(job->result);
	job->result = result;
	g_mutex_unlock(&job->lock);
}

void job_cancel(struct job *job)
{
	g_atomic_int_set(&job->cancel, 1);
	notify();
}

/* True when @state is final. */
static bool finished(enum job_state state)
{
	switch (state) {
	case JOB_QUEUED:
	case JOB_RUNNING:
		return false;
	case JOB_DONE:
	case JOB_FAILED:
	case JOB_CANCELLED:
		return true;
	}
	return true;
}

bool job_wait(struct job *job, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	bool done;

	g_mutex_lock(&job->lock);
	while (!finished(job->state)) {
		if (timeout_ms < 0)
			g_cond_wait(&job->done_cond, &job->lock);
		else if (!g_cond_wait_until(&job->done_cond, &job->lock, deadline))
			break;
	}
	done = finished(job->state);
	g_mutex_unlock(&job->lock);
	return done;
}

enum job_state job_get_state(struct job *job)
{
	enum job_state s;

	g_mutex_lock(&job->lock);
	s = job->state;
	g_mutex_unlock(&job->lock);
	return s;
}

double job_get_progress(struct job *job, char **message)
{
	double p;

	g_mutex_lock(&job->lock);
	p = job->progress;
	if (message)
		*message = g_strdup(job->message);
	g_mutex_unlock(&job->lock);
	return p;
}

char *job_get_result(struct job *job)
{
	char *r;

	g_mutex_lock(&job->lock);
	r = g_strdup(job->result);
	g_mutex_unlock(&job->lock);
	return r;
}

enum core_err job_get_error(struct job *job, char **message)
{
	enum core_err code;

	g_mutex_lock(&job->lock);
	code = job->err_code;
	if (message)
		*message = g_strdup(job->err_message);
	g_mutex_unlock(&job->lock);
	return code;
}

const char *job_title(struct job *job)
{
	return job->title;
}

void *job_data(struct job *job)
{
	return job->data;
}

int job_notify_fd(void)
{
	runner_init();
	return notify_pipe[0];
}

void job_notify_drain(void)
{
	char buf[256];

	while (read(notify_pipe[0], buf, sizeof buf) > 0)
		;
}

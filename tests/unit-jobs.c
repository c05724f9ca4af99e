/*
 * unit-jobs.c — the job runner: results, errors, progress, cancellation,
 * parallel workers, and the notification descriptor a UI polls.
 */
#include "config.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/jobs.h"
#include "tests/tap.h"

static int job_ok(struct job *job, void *data)
{
	job_progress(job, 0.5, "half way through %s", (const char *)data);
	job_set_result(job, g_strdup_printf("done %s", (const char *)data));
	return 0;
}

static int job_fail(struct job *job, void *data)
{
	core_error(CORE_ERR_NOT_FOUND, "There is no VM named \"%s\".", (const char *)data);
	return -1;
}

static int job_spin(struct job *job, void *data)
{
	gint *started = data;

	g_atomic_int_inc(started);
	for (int i = 0; i < 500; i++) {
		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, "Cancelled at step %d.", i);
			return -1;
		}
		job_progress(job, i / 500.0, "step %d", i);
		g_usleep(10 * 1000);
	}
	return 0;
}

static int job_sleep(struct job *job, void *data)
{
	g_usleep(GPOINTER_TO_INT(data) * 1000);
	return 0;
}

static gint running, most_running;

/* Records how many of these run at the same time. */
static int job_overlap(struct job *job, void *data)
{
	int now = g_atomic_int_add(&running, 1) + 1;
	int seen;

	while ((seen = g_atomic_int_get(&most_running)) < now &&
	       !g_atomic_int_compare_and_exchange(&most_running, seen, now))
		;
	g_usleep(300 * 1000);
	g_atomic_int_add(&running, -1);
	return 0;
}

static gint freed;
static void count_free(gpointer p)
{
	g_atomic_int_inc(&freed);
	g_free(p);
}

int main(void)
{
	struct job *j, *jobs[4];
	g_autofree char *res = NULL, *msg = NULL;
	struct pollfd pfd = { .fd = job_notify_fd(), .events = POLLIN };
	gint started = 0;
	gint64 t0;

	j = job_submit("ok", job_ok, g_strdup("alpha"), count_free, false);
	tap_ok(job_wait(j, 5000), "a job finishes");
	tap_ok(job_get_state(j) == JOB_DONE, "its state is done");
	res = job_get_result(j);
	tap_is_str(res, "done alpha", "its result is handed back");
	tap_ok(job_get_progress(j, &msg) == 1.0 && strstr(msg, "alpha"),
	       "progress ends at 1 with the last message");
	tap_ok(poll(&pfd, 1, 0) == 1, "the notification fd became readable");
	job_notify_drain();
	tap_ok(poll(&pfd, 1, 0) == 0, "draining empties it");
	job_unref(j);
	/* the runner drops its own reference just after waking waiters */
	for (int i = 0; i < 100 && !g_atomic_int_get(&freed); i++)
		g_usleep(10 * 1000);
	tap_ok(g_atomic_int_get(&freed) == 1, "data freed with the last reference");

	j = job_submit("fail", job_fail, (gpointer) "ghost", NULL, false);
	job_wait(j, 5000);
	g_clear_pointer(&msg, g_free);
	tap_ok(job_get_state(j) == JOB_FAILED &&
	       job_get_error(j, &msg) == CORE_ERR_NOT_FOUND &&
	       strstr(msg, "ghost"),
	       "a failing job hands back its error class and message");
	job_unref(j);

	j = job_submit("spin", job_spin, &started, NULL, true);
	while (!g_atomic_int_get(&started))
		g_usleep(1000);
	g_usleep(50 * 1000);
	t0 = g_get_monotonic_time();
	job_cancel(j);
	tap_ok(job_wait(j, 5000), "a cancelled job stops");
	tap_ok(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC,
	       "it stops promptly (%.0f ms)", (g_get_monotonic_time() - t0) / 1000.0);
	tap_ok(job_get_state(j) == JOB_CANCELLED &&
	       job_get_error(j, NULL) == CORE_ERR_CANCELLED, "state is cancelled");
	job_unref(j);

	j = job_submit("uncancellable", job_sleep, GINT_TO_POINTER(100), NULL, false);
	job_cancel(j);
	job_wait(j, 5000);
	tap_ok(job_get_state(j) == JOB_DONE,
	       "cancel is ignored by a job that cannot be cancelled");
	job_unref(j);

	j = job_submit("slow", job_sleep, GINT_TO_POINTER(400), NULL, false);
	tap_ok(!job_wait(j, 50), "job_wait times out on a slow job without blocking");
	tap_ok(job_wait(j, 5000), "and the job still finishes");
	job_unref(j);

	/* four jobs of 300 ms overlap on the worker pool */
	for (int i = 0; i < 4; i++)
		jobs[i] = job_submit("par", job_overlap, NULL, NULL, false);
	for (int i = 0; i < 4; i++) {
		job_wait(jobs[i], 10000);
		job_unref(jobs[i]);
	}
	tap_ok(g_atomic_int_get(&most_running) >= 2,
	       "jobs run in parallel (%d at once)", g_atomic_int_get(&most_running));
	return tap_done();
}

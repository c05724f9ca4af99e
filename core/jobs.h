/*
 * jobs.h — the job runner: long work on worker threads, with progress,
 * cancellation and a result.
 */
#pragma once

#include "core/error.h"

/* ---- job runner -------------------------------------------------------- */

struct job;
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

/* A job's work; runs on a worker thread.  Returns 0, or -1 with an error
 * recorded (core_error).  It polls job_cancelled() where it can stop. */
typedef int (*job_fn)(struct job *job, void *data);

/* Queues @fn(@data) on a worker.  @free_data (may be NULL) frees @data when
 * the job is released.  Returns a reference the caller releases with
 * job_unref(). */
struct job *job_submit(const char *title, job_fn fn, void *data,
		       GDestroyNotify free_data, bool cancellable);
struct job *job_ref(struct job *job);
void job_unref(struct job *job);
DEFINE_AUTOPTR(job, job_unref)

/* From inside the job: report progress (0..1) and a short message. */
void job_progress(struct job *job, double fraction, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
bool job_cancelled(struct job *job);
/* Sets a result string the job hands back (taken over). */
void job_set_result(struct job *job, char *result);

/* From the owner: request cancellation (ignored when not cancellable). */
void job_cancel(struct job *job);
/* Waits up to @timeout_ms (-1: forever) for the job to finish.  Returns
 * true when it finished. */
bool job_wait(struct job *job, int timeout_ms);
enum job_state job_get_state(struct job *job);
/* Copies of the progress message and the result/error; caller frees. */
double job_get_progress(struct job *job, char **message);
char *job_get_result(struct job *job);
enum core_err job_get_error(struct job *job, char **message);
const char *job_title(struct job *job);
/* The data given to job_submit(); owned by the job. */
void *job_data(struct job *job);
/* A descriptor that becomes readable whenever any job changes state or
 * progress; drain it with job_notify_drain(). */
int job_notify_fd(void);
void job_notify_drain(void);

/*
 * jobs.c — commands the TUI runs: each a job of the command layer whose
 * end becomes a message, a text in the pager or a follow-up question.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

int tui_run_command(struct tui *t, struct host *h, char **argv,
		    const char *vm, bool show_output)
{
	tui_start_command(t, h, argv, vm, show_output);
	return TUI_REDRAW;
}

static int command_done(struct tui *t, struct job *job, void *data);
static void take_terminal(struct tui *t, struct cmd_ctx *ctx);

struct tui_job *tui_start_command(struct tui *t, struct host *h, char **argv,
				  const char *vm, bool show_output)
{
	int argc = (int)g_strv_length(argv);
	struct tui_job *tj;
	struct cmd_ctx *ctx;
	bool help_only;

	if (!h)
		h = tui_host(t, NULL);
	ctx = command_parse(t->cfg, argc, argv, &help_only);
	if (!ctx) {
		tui_message(t, true, "%s", core_error_message());
		return NULL;
	}
	if (help_only || ctx->cmd->flags & CMD_STREAM) {
		if (help_only)
			tui_pager(t, argv[0], ctx->out->str);
		else
			tui_message(t, true, _("\"%s\" runs until stopped; use it from a shell."),
				    argv[0]);
		command_ctx_free(ctx);
		return NULL;
	}
	if (!h->eng && ctx->cmd->flags & CMD_ENGINE) {
		tui_message(t, true, _("Host %s is not connected."), h->label);
		command_ctx_free(ctx);
		return NULL;
	}
	ctx->eng = h->eng;
	if (ctx->cmd->flags & CMD_TERMINAL) {
		take_terminal(t, ctx);
		command_ctx_free(ctx);
		return NULL;
	}
	tj = g_new0(struct tui_job, 1);
	tj->ctx = ctx;
	tj->vm = g_strdup(vm);
	tj->host = h;
	tj->show_output = show_output;
	tj->started = g_get_monotonic_time();
	tj->job = command_submit(ctx);
	g_ptr_array_add(t->jobs, tj);
	tui_watch(t, tj->job, command_done, tj);
	return tj;
}

/* Leaves the screen to a CMD_TERMINAL command (a console) until it
 * returns, then takes it back whole, at whatever size it has now. */
static void take_terminal(struct tui *t, struct cmd_ctx *ctx)
{
	int rc;

	def_prog_mode();
	endwin();
	rc = ctx->cmd->exec(ctx);
	reset_prog_mode();
	refresh(); /* after endwin: also picks up a new terminal size */
	clearok(curscr, TRUE);
	if (rc < 0)
		tui_message(t, true, "%s", core_error_message());
	else if (ctx->out->len)
		tui_message(t, false, "%s", g_strchomp(ctx->out->str));
}

static void tui_job_free(gpointer p)
{
	struct tui_job *tj = p;

	job_unref(tj->job);
	command_ctx_free(tj->ctx);
	g_free(tj->vm);
	g_free(tj);
}


/* A command ended: its outcome becomes a message, a text in the pager or
 * the follow-up the command table names, and every view re-reads what it
 * shows. */
static int command_done(struct tui *t, struct job *job, void *data)
{
	struct tui_job *tj = data;
	g_autofree char *err = NULL;
	enum core_err code = job_get_error(job, &err);

	if (tj->ended && tj->ended(t, tj, code == CORE_OK, err)) {
		/* who started it showed the outcome itself */
	} else if (code == CORE_ERR_TIMEOUT && tj->vm && tj->ctx->cmd->on_timeout &&
		   t->overlay == OVERLAY_NONE) {
		tui_message(t, true, "%s", err);
		actions_offer(t, tj->ctx->cmd, tj->host->id, tj->vm);
	} else if (code != CORE_OK) {
		tui_message(t, true, "%s", err);
	} else if (tj->show_output && t->overlay == OVERLAY_NONE &&
		   strchr(tj->ctx->out->str, '\n') != strrchr(tj->ctx->out->str, '\n')) {
		/* a report of several lines, unless the user is busy with a
		 * form, a prompt or another text */
		tui_pager(t, tj->ctx->cmd->name, tj->ctx->out->str);
	} else if (!t->message_job || t->message_job <= tj->started) {
		/* a job that ended late does not hide what a newer one said
		 * (its row shows what it did); failures always show */
		g_strchomp(tj->ctx->out->str);
		tui_message(t, false, "%s", g_strdelimit(tj->ctx->out->str, "\n", ' '));
		t->message_job = tj->started;
	}
	g_ptr_array_remove(t->jobs, tj);
	hosts_refresh(t);
	for (int v = 0; v < VIEW_COUNT; v++)
		if (views[v]->changed)
			views[v]->changed(t);
	return TUI_REDRAW;
}

struct watch {
	struct job *job;
	tui_job_done_fn done;
	void *data;
};

static void watch_free(gpointer p)
{
	struct watch *w = p;

	job_unref(w->job);
	g_free(w);
}

void tui_watch(struct tui *t, struct job *job, tui_job_done_fn done, void *data)
{
	struct watch *w = g_new0(struct watch, 1);

	w->job = job_ref(job);
	w->done = done;
	w->data = data;
	g_ptr_array_add(t->watched, w);
}

int tui_reap(struct tui *t)
{
	int res = TUI_NONE;

	/* a callback may watch new jobs: they are appended */
	for (guint i = 0; i < t->watched->len;) {
		struct watch *w = g_ptr_array_index(t->watched, i);

		if (!job_wait(w->job, 0)) {
			i++;
			continue;
		}
		g_ptr_array_steal_index(t->watched, i);
		res |= w->done(t, w->job, w->data);
		watch_free(w);
	}
	return res;
}

bool tui_finish_jobs(struct tui *t)
{
	bool all = true;

	for (guint i = 0; i < t->jobs->len; i++)
		job_cancel(((struct tui_job *)g_ptr_array_index(t->jobs, i))->job);
	/* every job the TUI waits for: commands, refreshes, reads */
	for (guint i = 0; i < t->watched->len; i++)
		all &= job_wait(((struct watch *)g_ptr_array_index(t->watched, i))->job, 2000);
	return all;
}

void tui_jobs_init(struct tui *t)
{
	t->jobs = g_ptr_array_new_with_free_func(tui_job_free);
	t->watched = g_ptr_array_new_with_free_func(watch_free);
}

void tui_jobs_fini(struct tui *t)
{
	g_ptr_array_unref(t->watched);
	g_ptr_array_unref(t->jobs);
}

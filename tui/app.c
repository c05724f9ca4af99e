/*
 * app.c — the full-screen interface's loop.
 *
 * poll() waits on the terminal, a self-pipe (signals and lifecycle events)
 * and the job notification pipe, with a timeout for the next stats
 * refresh.  Handlers only change state and return TUI_* flags; the screen
 * is redrawn once per pass, and curses sends only the cells that changed.
 * Nothing here calls libvirt: commands and refreshes are jobs.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "tui/tui.h"

static int wake_pipe[2] = { -1, -1 };

/* Signal handlers and the event thread only write a byte naming why. */
static void wake(char why)
{
	ssize_t n;

	do {
		n = write(wake_pipe[1], &why, 1);
	} while (n < 0 && errno == EINTR);
}

static void on_signal(int sig)
{
	wake(sig == SIGWINCH ? 'w' : 'q');
}

void tui_wake_model(void *opaque)
{
	wake('e');
}

/* A crash must not leave the terminal in raw mode. */
static void on_fatal(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

const struct view *const views[VIEW_COUNT] = {
	[VIEW_DOMAINS] = &view_domains,
	[VIEW_TEMPLATES] = &view_templates,
	[VIEW_POOLS] = &view_pools,
};

static void draw(struct tui *t)
{
	enum overlay under = t->overlay == OVERLAY_PICKER ? picker_under(t->picker) : t->overlay;
	int lines, cols;

	getmaxyx(stdscr, lines, cols);
	if (under == OVERLAY_PAGER)
		tui_pager_draw(t, lines, cols);
	else if (under == OVERLAY_FORM)
		form_draw(t, lines, cols);
	else /* the prompt is the view's bottom line */
		views[t->view]->draw(t, lines, cols);
	if (t->overlay == OVERLAY_PICKER)
		picker_draw(t, lines, cols);
	refresh();
}

/* Reads every pending key and hands it to the overlay, else to the
 * view. */
static int read_keys(struct tui *t)
{
	int res = TUI_NONE;
	wint_t ch;
	int kind;

	while ((kind = get_wch(&ch)) != ERR) {
		bool is_key = kind == KEY_CODE_YES;

		switch (t->overlay) {
		case OVERLAY_PROMPT:
			res |= tui_prompt_key(t, ch, is_key);
			break;
		case OVERLAY_PAGER:
			res |= tui_pager_key(t, ch, is_key);
			break;
		case OVERLAY_FORM:
			res |= form_key(t, ch, is_key);
			break;
		case OVERLAY_PICKER:
			res |= picker_key(t, ch, is_key);
			break;
		case OVERLAY_NONE: {
			/* a typed character past KEY_MIN is no key code */
			int key = !is_key && ch >= KEY_MIN ? 0 : (int)ch;
			int r = views[t->view]->key(t, key);

			if (r == TUI_NONE) {
				g_clear_pointer(&t->message, g_free);
				r = actions_dispatch(t, key) | TUI_REDRAW;
			}
			res |= r;
			break;
		}
		}
		if (res & TUI_QUIT)
			break;
	}
	return res;
}

int tui_show_view(struct tui *t, enum view_id view)
{
	enum view_id was = t->view;
	int res;

	t->view = view;
	t->overlay = OVERLAY_NONE;
	g_clear_pointer(&t->message, g_free);
	res = views[view]->open ? views[view]->open(t) : TUI_REDRAW;
	if (t->view == view && res == TUI_NONE)
		t->view = was; /* it refused, and said why */
	return res | TUI_REDRAW;
}

/* ---- set-up and the loop ------------------------------------------------ */

static void setup_terminal(struct tui *t)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++)
		signal(fatal[i], on_fatal);

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (t->cfg->mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
			  BUTTON1_PRESSED | BUTTON3_PRESSED | BUTTON3_CLICKED |
			  BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(250);
	}
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	theme_apply(t);
}


int tui_main(struct core_config *cfg)
{
	struct tui t = { .cfg = cfg, .refresh_ms = cfg->refresh * 1000 };
	struct engine *eng;
	int res = TUI_REDRAW;
	g_autofree char *report = NULL;

	if (actions_configure(cfg) < 0 || theme_configure(cfg) < 0) {
		cli_error("%s", core_error_message());
		return CORE_ERR_USAGE;
	}
	/* the main engine opens before the screen does, so a locked or
	 * unreachable one is reported like the command line does */
	eng = engine_open(cfg);
	if (!eng) {
		cli_error("%s", core_error_message());
		return core_error_code() ? (int)core_error_code() : CORE_ERR_ENGINE;
	}
	engine_accel(eng); /* a remote host is asked here, not by a draw */
	/* a provisioning run a killed vmtui left half done is finished
	 * or rolled back before the list shows anything; said once the
	 * screen is up */
	report = command_recover(eng);
	if (!g_unix_open_pipe(wake_pipe, FD_CLOEXEC, NULL))
		g_error("cannot create a pipe");
	g_unix_set_fd_nonblocking(wake_pipe[0], TRUE, NULL);
	g_unix_set_fd_nonblocking(wake_pipe[1], TRUE, NULL);
	tui_jobs_init(&t);
	hosts_add(&t, eng);
	t.all = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	tui_prompt_init(&t);
	tui_show_view(&t, VIEW_DOMAINS);
	hosts_refresh(&t);
	setup_terminal(&t);
	if (report)
		tui_message(&t, false, "%s", g_strdelimit(g_strchomp(report), "\n", ' '));

	while (!(res & TUI_QUIT)) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
			{ .fd = job_notify_fd(), .events = POLLIN },
		};
		gint64 now = g_get_monotonic_time();
		int timeout = (int)MAX(0, (t.next_refresh - now) / 1000);
		char why[64];
		ssize_t n;

		if (res & TUI_REDRAW)
			draw(&t);
		res = TUI_NONE;
		/* wake at least once a second while jobs show progress */
		if (t.jobs->len)
			timeout = MIN(timeout, 500);
		for (int v = 0; v < VIEW_COUNT; v++)
			if (views[v]->live && views[v]->live(&t))
				timeout = MIN(timeout, 1000);
		if (poll(fds, 3, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & (POLLHUP | POLLERR))
			break;
		if (fds[0].revents & POLLIN)
			res |= read_keys(&t);
		while ((n = read(wake_pipe[0], why, sizeof why)) > 0) {
			for (ssize_t i = 0; i < n; i++) {
				if (why[i] == 'q')
					res |= TUI_QUIT;
				else if (why[i] == 'w') {
					endwin();
					refresh();
					res |= TUI_REDRAW;
				}
			}
		}
		if (fds[2].revents & POLLIN)
			job_notify_drain();
		/* a finished refresh takes the rows itself; what is left to
		 * notice is a lifecycle event between refreshes */
		res |= tui_reap(&t);
		res |= tui_take_rows(&t);
		for (int v = 0; v < VIEW_COUNT; v++)
			if (views[v]->idle)
				views[v]->idle(&t);
		if (t.jobs->len)
			res |= TUI_REDRAW;
		if (g_get_monotonic_time() >= t.next_refresh)
			res |= hosts_refresh(&t);
	}

	endwin();
	if (!tui_finish_jobs(&t)) {
		/* a job is stuck on an unresponsive guest: leave at once,
		 * guests are not affected */
		fflush(NULL);
		_exit(0);
	}
	for (int v = 0; v < VIEW_COUNT; v++) {
		if (views[v]->close && !views[v]->close(&t)) {
			/* a job of it still uses an engine: leave it be */
			fflush(NULL);
			_exit(0);
		}
	}
	if (hosts_close(&t) < 0) {
		fflush(NULL);
		_exit(0);
	}
	tui_jobs_fini(&t);
	g_ptr_array_unref(t.all);
	form_free(t.form);
	picker_free(t.picker);
	tui_prompt_fini(&t);
	tui_pager_free(t.pager);
	g_free(t.message);
	return 0;
}


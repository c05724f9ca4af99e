/*
 * status.c — the two bottom lines (the hints, then the prompt, the jobs'
 * progress and the last message) and the text helpers every screen uses.
 */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <string.h>

#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "tui/tui.h"

bool tui_is_enter(wint_t ch, bool is_key)
{
	return is_key ? ch == KEY_ENTER : ch == '\n' || ch == '\r';
}

char *tui_expand_home(const char *path)
{
	if (path[0] == '~' && path[1] == '/')
		return g_build_filename(g_get_home_dir(), path + 2, NULL);
	return g_strdup(path);
}

int tui_put_cells(const char *s, int cells, bool pad)
{
	g_autofree char *safe = core_printable(s, false);
	GString *g = g_string_new(NULL);
	int w = 0;

	for (const char *p = safe; *p && w < cells; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		int cw = g_unichar_iswide(c) ? 2 : 1;

		if (w + cw > cells)
			break;
		g_string_append_unichar(g, c);
		w += cw;
	}
	for (; pad && w < cells; w++)
		g_string_append_c(g, ' ');
	addstr(g->str);
	g_string_free(g, TRUE);
	return w;
}

void tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_free(t->message);
	/* one line (a report's lines side by side), and made printable: it
	 * names VMs, images, templates, things from elsewhere */
	g_strdelimit(g_strchomp(msg), "\n", ' ');
	t->message = core_printable(msg, false);
	t->message_is_error = error;
	t->message_job = 0;
}

/* ---- drawing ------------------------------------------------------------ */

void tui_draw_bottom(struct tui *t, int lines, int cols)
{
	g_autofree char *hints = actions_hints(t->view);
	bool prompt = t->overlay == OVERLAY_PROMPT;
	/* while a command is typed, the line above shows the candidates */
	const char *candidates = prompt ? tui_prompt_candidates(t) : NULL;
	int running;

	move(lines - 2, 0);
	clrtoeol();
	attron(A_DIM);
	addnstr(candidates ? candidates : hints, cols);
	attroff(A_DIM);
	move(lines - 1, 0);
	clrtoeol();
	if (prompt) {
		tui_prompt_draw(t);
		return;
	}
	curs_set(0);
	running = (int)t->jobs->len;
	if (running) {
		struct tui_job *tj = g_ptr_array_index(t->jobs, 0);
		g_autofree char *msg = NULL;
		double p = job_get_progress(tj->job, &msg);

		printw("[%3.0f%%] %s ", p * 100, msg ? msg : job_title(tj->job));
	}
	if (running > 1)
		printw(P_("(+%d more job) ", "(+%d more jobs) ", running - 1),
		       running - 1);
	if (t->message) {
		if (t->message_is_error && t->color)
			attron(COLOR_PAIR(PAIR_ERROR));
		if (t->message_is_error)
			attron(A_BOLD);
		addnstr(t->message, MAX(0, cols - getcurx(stdscr) - 1));
		attroff(A_BOLD);
		if (t->color)
			attroff(COLOR_PAIR(PAIR_ERROR));
	}
}

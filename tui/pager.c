/*
 * pager.c — a full-screen text (help, info, XML) with scrolling and
 * search.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "tui/tui.h"

struct pager {
	char *title;
	gchar **lines;
	int top;
	GString *search;        /* text searched for with "/" */
	bool typing;            /* the search text is being typed */
	int hit;                /* line of the last match, or -1 */
};

void tui_pager_free(struct pager *p)
{
	if (!p)
		return;
	g_free(p->title);
	g_strfreev(p->lines);
	g_string_free(p->search, TRUE);
	g_free(p);
}

void tui_pager(struct tui *t, const char *title, const char *text)
{
	g_autofree char *safe = core_printable(text, true);

	if (!t->pager) {
		t->pager = g_new0(struct pager, 1);
		t->pager->search = g_string_new(NULL);
	}
	g_free(t->pager->title);
	g_strfreev(t->pager->lines);

	t->pager->title = core_printable(title, false);
	t->pager->lines = g_strsplit(safe, "\n", -1);
	t->pager->top = 0;
	t->pager->hit = -1;
	t->pager->typing = false;
	t->overlay = OVERLAY_PAGER;
}

void tui_pager_draw(struct tui *t, int lines, int cols)
{
	int n = (int)g_strv_length(t->pager->lines);

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, " %s", t->pager->title);
	attroff(A_BOLD);
	t->pager->top = CLAMP(t->pager->top, 0, MAX(0, n - (lines - 2)));
	for (int i = 0; i < lines - 2 && t->pager->top + i < n; i++) {
		bool hit = t->pager->top + i == t->pager->hit;

		if (hit)
			attron(A_REVERSE);
		mvaddnstr(1 + i, 0, t->pager->lines[t->pager->top + i], cols);
		if (hit)
			attroff(A_REVERSE);
	}
	move(lines - 1, 0);
	if (t->pager->typing) {
		printw("/%s", t->pager->search->str);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (t->message) {
		attron(A_BOLD);
		addnstr(t->message, cols);
		attroff(A_BOLD);
		return;
	}
	attron(A_DIM);
	addstr(_(" q: back  j/k, PgUp/PgDn: scroll  /: search  n: next match"));
	attroff(A_DIM);
}

static void pager_find(struct tui *t, int from)
{
	int n = (int)g_strv_length(t->pager->lines);
	g_autofree char *needle = g_utf8_casefold(t->pager->search->str, -1);

	if (!*needle)
		return;
	for (int k = 1; k <= n; k++) {
		int i = (from + k) % n;
		g_autofree char *line = g_utf8_casefold(t->pager->lines[i], -1);

		if (strstr(line, needle)) {
			t->pager->hit = i;
			t->pager->top = MAX(0, i - 2);
			return;
		}
	}
	t->pager->hit = -1;
	tui_message(t, true, _("\"%s\" is not in this text."), t->pager->search->str);
}

/* Keys while typing a search in the pager. */
static int pager_search_key(struct tui *t, wint_t ch, bool is_key)
{
	if (tui_is_enter(ch, is_key)) {
		t->pager->typing = false;
		pager_find(t, t->pager->top - 1);
	} else if (!is_key && ch == 27) {
		t->pager->typing = false;
	} else {
		tui_edit_text(t->pager->search, ch, is_key);
	}
	return TUI_REDRAW;
}

static int pager_key(struct tui *t, int key)
{
	int page = MAX(1, LINES - 3);

	g_clear_pointer(&t->message, g_free);
	switch (key) {
	case '/':
		t->pager->typing = true;
		g_string_truncate(t->pager->search, 0);
		break;
	case 'n':
		pager_find(t, t->pager->hit >= 0 ? t->pager->hit : t->pager->top - 1);
		break;
	case 'q':
	case 27:
	case KEY_LEFT:
		t->overlay = OVERLAY_NONE;
		break;
	case 'j':
	case KEY_DOWN:
	case '\n':
		t->pager->top++;
		break;
	case 'k':
	case KEY_UP:
		t->pager->top--;
		break;
	case ' ':
	case KEY_NPAGE:
		t->pager->top += page;
		break;
	case 'b':
	case KEY_PPAGE:
		t->pager->top -= page;
		break;
	case 'g':
	case KEY_HOME:
		t->pager->top = 0;
		break;
	case 'G':
	case KEY_END:
		t->pager->top = G_MAXINT / 2;
		break;
	}
	return TUI_REDRAW;
}


int tui_pager_key(struct tui *t, wint_t ch, bool is_key)
{
	return t->pager->typing ? pager_search_key(t, ch, is_key) : pager_key(t, (int)ch);
}

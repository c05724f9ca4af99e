/*
 * list.c — the one list widget: a cursor and scrolling over rows that are
 * rebuilt under the user (a refresh, a filter, a sort), keeping the row the
 * cursor is on by a stable key; keys and the mouse move it; rows are drawn
 * as cells measured in terminal cells, so CJK text keeps columns aligned.
 * The VM list, the templates view and the pop-up lists use it.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "tui/tui.h"

void list_remember(struct tui_list *l, char *key)
{
	g_free(l->key);
	l->key = key;
}

void list_rebuild(struct tui_list *l, guint n, list_key_fn key_of, void *data)
{
	l->cursor = CLAMP(l->cursor, 0, MAX(0, (int)n - 1));
	/* when the row has gone (a filter hides it), its key stays: the
	 * cursor goes back to it when it comes back */
	for (guint i = 0; l->key && i < n; i++) {
		g_autofree char *k = key_of(i, data);

		if (k && strcmp(k, l->key) == 0) {
			l->cursor = (int)i;
			return;
		}
	}
}

bool list_key(struct tui_list *l, guint n, int key)
{
	int last = (int)n - 1, page = MAX(1, l->rows - 1);

	switch (key) {
	case KEY_DOWN:
	case 'j':
		l->cursor = MIN(l->cursor + 1, last);
		break;
	case KEY_UP:
	case 'k':
		l->cursor--;
		break;
	case KEY_NPAGE:
		l->cursor = MIN(l->cursor + page, last);
		break;
	case KEY_PPAGE:
		l->cursor -= page;
		break;
	case KEY_HOME:
	case 'g':
		l->cursor = 0;
		break;
	case KEY_END:
	case 'G':
		l->cursor = last;
		break;
	default:
		return false;
	}
	l->cursor = MAX(l->cursor, 0);
	return true;
}

enum list_hit list_mouse(struct tui_list *l, guint n, const MEVENT *ev)
{
	int row = l->top + ev->y - l->y;
	bool on_row = ev->y >= l->y && ev->y < l->y + l->rows && row < (int)n;

	if (ev->bstate & BUTTON4_PRESSED) {
		l->cursor = MAX(l->cursor - 3, 0);
		return LIST_MOVED;
	}
	if (ev->bstate & BUTTON5_PRESSED) {
		l->cursor = MAX(MIN(l->cursor + 3, (int)n - 1), 0);
		return LIST_MOVED;
	}
	if (ev->bstate & (BUTTON3_PRESSED | BUTTON3_CLICKED)) {
		/* a right click: the menu of the row clicked */
		if (on_row)
			l->cursor = row;
		return LIST_MENU;
	}
	if (!on_row || !(ev->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED |
					BUTTON1_DOUBLE_CLICKED)))
		return LIST_MISS;
	l->cursor = row;
	return ev->bstate & BUTTON1_DOUBLE_CLICKED ? LIST_OPEN : LIST_MOVED;
}

void list_scroll(struct tui_list *l, guint n, int y, int rows)
{
	l->y = y;
	l->rows = MAX(rows, 1);
	l->cursor = CLAMP(l->cursor, 0, MAX(0, (int)n - 1));
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + l->rows)
		l->top = l->cursor - l->rows + 1;
	l->top = CLAMP(l->top, 0, MAX(0, (int)n - l->rows));
}

void list_fini(struct tui_list *l)
{
	g_clear_pointer(&l->key, g_free);
}

void list_draw_cells(const char *const *text, const int *widths, guint n, int cols)
{
	int used = 0;

	for (guint i = 0; i < n && used < cols; i++) {
		int w = widths[i] ? MIN(widths[i], cols - used) : cols - used;
		int cut = widths[i] && w > 1 ? w - 1 : w; /* a space between */

		used += tui_put_cells(text[i] ? text[i] : "", cut, true);
		if (cut < w) {
			addch(' ');
			used++;
		}
	}
}

/*
 * picker.c — a pop-up list to choose one item from, drawn over the screen
 * that opened it: arrows, PgUp/PgDn and the mouse move, typing narrows the
 * list (any case, label or hint), Enter or a click chooses, Esc cancels.
 * The context menu and the OS picker of the New VM form are pickers.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "tui/tui.h"

struct picker {
	char *title;
	GPtrArray *items;      /* struct picker_item */
	GPtrArray *shown;      /* the items the filter lets through */
	GString *filter;
	bool filterable;
	struct tui_list list;  /* cursor and scrolling */
	int y, x, h, w;        /* the box, set by the last draw */
	enum overlay back;    /* the mode to return to */
	picker_done_fn done;
};

static void item_free(gpointer p)
{
	struct picker_item *it = p;

	g_free(it->label);
	g_free(it->hint);
	g_free(it->value);
	g_free(it);
}

GPtrArray *picker_items_new(void)
{
	return g_ptr_array_new_with_free_func(item_free);
}

void picker_add(GPtrArray *items, const char *label, const char *hint,
		const char *value)
{
	struct picker_item *it = g_new0(struct picker_item, 1);

	it->label = g_strdup(label);
	it->hint = g_strdup(hint);
	it->value = g_strdup(value);
	g_ptr_array_add(items, it);
}

enum overlay picker_under(const struct picker *p)
{
	return p->back;
}

void picker_free(struct picker *p)
{
	if (!p)
		return;
	g_free(p->title);
	g_ptr_array_unref(p->items);
	g_ptr_array_unref(p->shown);
	g_string_free(p->filter, TRUE);
	g_free(p);
}

static bool contains(const char *hay, const char *needle)
{
	g_autofree char *folded = hay ? g_utf8_casefold(hay, -1) : NULL;

	return folded && strstr(folded, needle);
}

static void apply_filter(struct picker *p)
{
	g_autofree char *needle = g_utf8_casefold(p->filter->str, -1);

	g_ptr_array_set_size(p->shown, 0);
	for (guint i = 0; i < p->items->len; i++) {
		struct picker_item *it = g_ptr_array_index(p->items, i);

		if (!*needle || contains(it->label, needle) || contains(it->hint, needle))
			g_ptr_array_add(p->shown, it);
	}
	p->list.cursor = 0;
	p->list.top = 0;
}

void picker_open(struct tui *t, const char *title, GPtrArray *items,
		 bool filterable, picker_done_fn done)
{
	struct picker *p = g_new0(struct picker, 1);

	picker_free(t->picker);
	p->title = g_strdup(title);
	p->items = items;
	p->shown = g_ptr_array_new();
	p->filter = g_string_new(NULL);
	p->filterable = filterable;
	p->back = t->overlay == OVERLAY_PICKER ? OVERLAY_NONE : t->overlay;
	p->done = done;
	apply_filter(p);
	t->picker = p;
	t->overlay = OVERLAY_PICKER;
}

/* Leaves the picker and calls its done function with @value (NULL when
 * cancelled). */
static int finish(struct tui *t, const struct picker_item *it)
{
	struct picker *p = t->picker;
	g_autofree char *value = it ? g_strdup(it->value) : NULL;
	picker_done_fn done = p->done;

	t->overlay = p->back;
	t->picker = NULL;
	picker_free(p);
	return done(t, value) | TUI_REDRAW;
}

static int picker_mouse(struct tui *t)
{
	struct picker *p = t->picker;
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return TUI_NONE;
	/* a click outside the box cancels, on an item chooses it */
	if ((ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) &&
	    (ev.y < p->y || ev.y >= p->y + p->h || ev.x < p->x || ev.x >= p->x + p->w))
		return finish(t, NULL);
	switch (list_mouse(&p->list, p->shown->len, &ev)) {
	case LIST_OPEN:
		return finish(t, g_ptr_array_index(p->shown, p->list.cursor));
	case LIST_MOVED:
		if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
			return finish(t, g_ptr_array_index(p->shown, p->list.cursor));
		return TUI_REDRAW;
	default:
		return TUI_NONE;
	}
}

int picker_key(struct tui *t, wint_t ch, bool is_key)
{
	struct picker *p = t->picker;
	int n = (int)p->shown->len;

	if (tui_is_enter(ch, is_key))
		return finish(t, n ? g_ptr_array_index(p->shown, p->list.cursor) : NULL);
	if (!is_key && ch == 27)
		return finish(t, NULL);
	if (is_key) {
		if (ch == KEY_MOUSE)
			return picker_mouse(t);
		list_key(&p->list, p->shown->len, (int)ch);
		if (!(p->filterable && ch == KEY_BACKSPACE))
			return TUI_REDRAW;
	}
	if (!p->filterable) {
		/* a menu: an item's key (its hint) chooses it at once */
		for (int i = 0; i < n; i++) {
			struct picker_item *it = g_ptr_array_index(p->shown, i);
			char key[8] = "";

			g_unichar_to_utf8((gunichar)ch, key);
			if (it->hint && strcmp(it->hint, key) == 0)
				return finish(t, it);
		}
		if (ch == 'j' || ch == 'k')
			list_key(&p->list, p->shown->len, (int)ch);
		return TUI_REDRAW;
	}
	if (tui_edit_text(p->filter, ch, is_key))
		apply_filter(p);
	return TUI_REDRAW;
}

void picker_draw(struct tui *t, int lines, int cols)
{
	struct picker *p = t->picker;
	int label_w = cli_width(p->title) + 2, hint_w = 0, body;
	const char *more = p->filterable ? _("type to search, Enter chooses, Esc cancels") :
		_("Enter or the key chooses, Esc cancels");

	for (guint i = 0; i < p->items->len; i++) {
		struct picker_item *it = g_ptr_array_index(p->items, i);

		label_w = MAX(label_w, cli_width(it->label));
		hint_w = MAX(hint_w, cli_width(it->hint ? it->hint : ""));
	}
	p->w = MIN(cols - 2, MAX(label_w + hint_w + 5, cli_width(more) + 4));
	p->h = MIN(lines - 2, (int)p->items->len + 2 + (p->filterable ? 1 : 0));
	p->h = MAX(p->h, 5);
	p->y = (lines - p->h) / 2;
	p->x = (cols - p->w) / 2;
	body = p->h - 2 - (p->filterable ? 1 : 0);
	list_scroll(&p->list, p->shown->len, p->y + 1, body);

	/* frame and title */
	attron(A_BOLD);
	for (int y = p->y; y < p->y + p->h; y++) {
		move(y, p->x);
		for (int x = 0; x < p->w; x++)
			addch(' ');
	}
	attroff(A_BOLD);
	if (t->utf8) {
		mvhline(p->y, p->x + 1, ACS_HLINE, p->w - 2);
		mvhline(p->y + p->h - 1, p->x + 1, ACS_HLINE, p->w - 2);
		mvvline(p->y + 1, p->x, ACS_VLINE, p->h - 2);
		mvvline(p->y + 1, p->x + p->w - 1, ACS_VLINE, p->h - 2);
		mvaddch(p->y, p->x, ACS_ULCORNER);
		mvaddch(p->y, p->x + p->w - 1, ACS_URCORNER);
		mvaddch(p->y + p->h - 1, p->x, ACS_LLCORNER);
		mvaddch(p->y + p->h - 1, p->x + p->w - 1, ACS_LRCORNER);
	} else {
		mvhline(p->y, p->x, '-', p->w);
		mvhline(p->y + p->h - 1, p->x, '-', p->w);
		mvvline(p->y + 1, p->x, '|', p->h - 2);
		mvvline(p->y + 1, p->x + p->w - 1, '|', p->h - 2);
	}
	attron(A_BOLD);
	move(p->y, p->x + 2);
	addch(' ');
	tui_put_cells(p->title, p->w - 6, false);
	addch(' ');
	attroff(A_BOLD);

	for (int i = 0; i < body; i++) {
		int k = p->list.top + i, used;
		struct picker_item *it;

		if (k >= (int)p->shown->len) {
			if (!p->shown->len && i == 0)
				mvaddnstr(p->y + 1, p->x + 2, _("Nothing matches."), p->w - 4);
			break;
		}
		it = g_ptr_array_index(p->shown, k);
		if (k == p->list.cursor)
			attron(A_REVERSE);
		move(p->y + 1 + i, p->x + 1);
		addch(' ');
		used = tui_put_cells(it->label, p->w - 4 - (hint_w ? hint_w + 1 : 0), false);
		for (; used < p->w - 4 - cli_width(it->hint ? it->hint : ""); used++)
			addch(' ');
		attron(A_DIM);
		tui_put_cells(it->hint ? it->hint : "", hint_w, false);
		attroff(A_DIM);
		addch(' ');
		if (k == p->list.cursor)
			attroff(A_REVERSE);
	}
	move(p->y + p->h - 1, p->x + 2);
	attron(A_DIM);
	tui_put_cells(more, p->w - 4, false);
	attroff(A_DIM);
	if (p->filterable) {
		move(p->y + p->h - 2, p->x + 2);
		addstr("> ");
		tui_put_cells(p->filter->str, p->w - 6, false);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

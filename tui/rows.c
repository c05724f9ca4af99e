/*
 * rows.c — the VM list's rows: the models' rows taken on each change,
 * filtered, sorted and grouped by host, with the cursor kept on the same
 * VM and the marks kept by VM across rebuilds.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

const struct vm_row *tui_cursor_row(struct tui *t)
{
	if (t->dv.list.cursor < 0 || t->dv.list.cursor >= (int)t->dv.rows->len)
		return NULL;
	return g_ptr_array_index(t->dv.rows, t->dv.list.cursor);
}

const struct vm_row *tui_selected(struct tui *t)
{
	const struct vm_row *r = tui_cursor_row(t);

	return r && !tui_row_is_group(r) ? r : NULL;
}

static char *key_of_row(const struct vm_row *r)
{
	return g_strdup_printf("%u/%s", r->host, r->uuid);
}

bool tui_row_marked(struct tui *t, const struct vm_row *r)
{
	g_autofree char *key = key_of_row(r);

	return g_hash_table_contains(t->dv.marked, key);
}

void tui_toggle_mark(struct tui *t, const struct vm_row *r)
{
	char *key = key_of_row(r);

	if (g_hash_table_remove(t->dv.marked, key))
		g_free(key);
	else
		g_hash_table_add(t->dv.marked, key);
}

/* Remembers which row the cursor is on, so it stays there as rows come,
 * go and move. */
void tui_keep_cursor(struct tui *t)
{
	if (tui_cursor_row(t))
		list_remember(&t->dv.list, key_of_row(tui_cursor_row(t)));
}

static int compare_visible(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct vm_row *x = *(struct vm_row *const *)a;
	const struct vm_row *y = *(struct vm_row *const *)b;

	/* grouped by host, in the order of the hosts */
	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return view_domains_compare(data, x, y);
}

static bool row_matches(struct tui *t, const struct vm_row *r)
{
	g_autofree char *folded = NULL;

	if (!t->dv.filter || !*t->dv.filter)
		return true;
	folded = g_utf8_casefold(r->name, -1);
	return strstr(folded, t->dv.filter) != NULL;
}

static char *row_key(guint i, void *data)
{
	return key_of_row(g_ptr_array_index((GPtrArray *)data, i));
}

void tui_rebuild_rows(struct tui *t)
{
	g_autoptr(GPtrArray) vms = g_ptr_array_new();
	bool grouped = t->hosts->len > 1;
	guint k = 0;

	for (guint i = 0; i < t->all->len; i++) {
		struct vm_row *r = g_ptr_array_index(t->all, i);
		struct host *h = g_ptr_array_index(t->hosts, r->host);

		if (row_matches(t, r) && !(grouped && h->collapsed))
			g_ptr_array_add(vms, r);
	}
	g_ptr_array_sort_with_data(vms, compare_visible, t);
	/* with several hosts, each group opens with its host's heading */
	g_ptr_array_unref(t->dv.rows);
	t->dv.rows = g_ptr_array_new();
	for (guint hi = 0; hi < t->hosts->len; hi++) {
		if (grouped)
			g_ptr_array_add(t->dv.rows, g_ptr_array_index(t->dv.groups, hi));
		for (; k < vms->len && ((struct vm_row *)vms->pdata[k])->host == hi; k++)
			g_ptr_array_add(t->dv.rows, vms->pdata[k]);
	}
	/* keep the cursor on the same row as rows come and go; at first,
	 * on the first VM rather than its host's heading */
	for (guint i = 0; !t->dv.list.key && i < t->dv.rows->len; i++) {
		if (!tui_row_is_group(g_ptr_array_index(t->dv.rows, i))) {
			t->dv.list.cursor = (int)i;
			break;
		}
	}
	list_rebuild(&t->dv.list, t->dv.rows->len, row_key, t->dv.rows);
}

/* Takes fresh copies of the models' rows when one of them changed. */
int tui_take_rows(struct tui *t)
{
	GPtrArray *old = t->all;
	bool changed = false;

	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		changed |= h->model && model_generation(h->model) != h->model_gen;
		/* a host whose connection was lost: its rows go */
		for (guint j = 0; !h->model && !changed && j < old->len; j++)
			changed = ((struct vm_row *)old->pdata[j])->host == i;
	}
	if (!changed)
		return TUI_NONE;
	t->all = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);
		GPtrArray *rows;

		if (!h->model)
			continue;
		h->model_gen = model_generation(h->model);
		rows = model_rows(h->model);
		for (guint j = 0; j < rows->len; j++)
			((struct vm_row *)rows->pdata[j])->host = i;
		g_ptr_array_extend_and_steal(t->all, rows);
	}
	tui_rebuild_rows(t);
	g_ptr_array_unref(old);
	return TUI_REDRAW;
}

GPtrArray *tui_targets(struct tui *t)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < t->dv.rows->len; i++) {
		struct vm_row *r = g_ptr_array_index(t->dv.rows, i);

		if (!tui_row_is_group(r) && tui_row_marked(t, r))
			g_ptr_array_add(out, r);
	}
	if (!out->len && tui_selected(t))
		g_ptr_array_add(out, (gpointer)tui_selected(t));
	return out;
}

void tui_set_filter(struct tui *t, const char *text)
{
	g_free(t->dv.filter);
	t->dv.filter = text && *text ? g_utf8_casefold(text, -1) : NULL;
	tui_rebuild_rows(t);
}

void tui_sort_by(struct tui *t, int col, bool desc)
{
	t->dv.sort = col;
	t->dv.sort_desc = desc;
	tui_rebuild_rows(t);
	tui_message(t, false, _("Sorted by %s."), _(columns[col].heading));
}

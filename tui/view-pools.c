/*
 * view-pools.c — the desktop pools view (W): each pool with its desktops
 * by state, and under it each desktop with who holds it since when (or
 * why it is quarantined); below, the selected pool's last actions.  +
 * and - grow and shrink the pool, D drains it, R refreshes a desktop, X
 * takes it back from its user; all of them are commands (`pool grow`,
 * `desktop kick`, ...) run as jobs.  What is shown is read by a job,
 * never on the UI thread, and again every few seconds while it is open.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/engine.h"
#include "core/i18n.h"
#include "tui/tui.h"
#include "vdi/vdi.h"

#define REREAD_EVERY_US (3 * G_USEC_PER_SEC)
#define LOG_LINES 6

/* A row: a pool, or one of its desktops. */
struct pool_row {
	const struct pool *pool;
	const struct desktop *desktop; /* NULL on the pool's row */
};

struct pools_view {
	struct host *host;
	GPtrArray *pools;      /* struct pool, as last read; NULL before */
	GPtrArray *desktops;   /* struct desktop */
	GArray *rows;          /* struct pool_row */
	GHashTable *logs;      /* pool name -> its last actions */
	char *error;
	struct job *job;
	gint64 read_at;
	struct tui_list list;
};

struct read_data {
	struct engine *eng;
	GPtrArray *pools, *desktops;
	GHashTable *logs;
	char *error;
};

static int read_job(struct job *job, void *data)
{
	struct read_data *d = data;

	(void)job;
	d->pools = pool_list();
	d->logs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; i < d->pools->len; i++) {
		const struct pool *p = d->pools->pdata[i];
		char *log = pool_log_tail(p->name, LOG_LINES);

		if (log)
			g_hash_table_insert(d->logs, g_strdup(p->name), log);
	}
	if (!(d->desktops = desktop_list(d->eng, NULL))) {
		d->error = g_strdup(core_error_message());
		d->desktops = g_ptr_array_new();
	}
	core_error_clear();
	return 0;
}

static void read_data_free(gpointer p)
{
	struct read_data *d = p;

	if (d->pools)
		g_ptr_array_unref(d->pools);
	if (d->desktops)
		g_ptr_array_unref(d->desktops);
	if (d->logs)
		g_hash_table_unref(d->logs);
	g_free(d->error);
	g_free(d);
}

static int read_done(struct tui *t, struct job *job, void *data);

static void start_read(struct tui *t, struct pools_view *v)
{
	struct read_data *d;

	if (v->job)
		return;
	d = g_new0(struct read_data, 1);
	d->eng = v->host->eng;
	v->read_at = g_get_monotonic_time();
	v->job = job_submit("pools", read_job, d, read_data_free, false);
	tui_watch(t, v->job, read_done, NULL);
}

static char *row_key(guint i, void *data)
{
	const GArray *rows = data;
	const struct pool_row *r = &g_array_index(rows, struct pool_row, i);

	return r->desktop ? g_strdup(r->desktop->name) : g_strconcat("pool:", r->pool->name, NULL);
}

static int read_done(struct tui *t, struct job *job, void *data)
{
	struct pools_view *v = t->pv;
	struct read_data *d = job_data(job);

	(void)data;
	if (!v || v->job != job)
		return TUI_NONE;
	g_clear_pointer(&v->pools, g_ptr_array_unref);
	g_clear_pointer(&v->desktops, g_ptr_array_unref);
	g_clear_pointer(&v->logs, g_hash_table_unref);
	v->pools = g_steal_pointer(&d->pools);
	v->desktops = g_steal_pointer(&d->desktops);
	v->logs = g_steal_pointer(&d->logs);
	g_free(v->error);
	v->error = g_steal_pointer(&d->error);
	g_clear_pointer(&v->job, job_unref);
	g_array_set_size(v->rows, 0);
	for (guint i = 0; i < v->pools->len; i++) {
		struct pool_row r = { v->pools->pdata[i], NULL };

		g_array_append_val(v->rows, r);
		for (guint j = 0; j < v->desktops->len; j++) {
			const struct desktop *dt = v->desktops->pdata[j];

			if (strcmp(dt->pool, r.pool->name) == 0) {
				struct pool_row dr = { r.pool, dt };

				g_array_append_val(v->rows, dr);
			}
		}
	}
	list_rebuild(&v->list, v->rows->len, row_key, v->rows);
	return TUI_REDRAW;
}

static int view_open(struct tui *t)
{
	struct host *h = tui_host(t, NULL);

	for (guint i = 0; !(h->eng && engine_is_local(h->eng)) && i < t->hosts->len; i++)
		h = t->hosts->pdata[i];
	if (!h->eng || !engine_is_local(h->eng)) {
		tui_message(t, true, _("Desktop pools are kept on this machine, and no engine on it is connected."));
		return TUI_NONE;
	}
	if (!t->pv) {
		t->pv = g_new0(struct pools_view, 1);
		t->pv->rows = g_array_new(FALSE, FALSE, sizeof(struct pool_row));
	}
	t->pv->host = h;
	start_read(t, t->pv);
	return TUI_REDRAW;
}

static void view_changed(struct tui *t)
{
	if (t->pv && t->view == VIEW_POOLS)
		start_read(t, t->pv);
}

/* Desktops change by themselves (the broker, the guests): read again
 * every few seconds while the view is on screen. */
static void view_idle(struct tui *t)
{
	if (t->pv && g_get_monotonic_time() - t->pv->read_at > REREAD_EVERY_US)
		start_read(t, t->pv);
}

static bool view_live(const struct tui *t)
{
	return t->pv != NULL;
}

static const struct pool_row *selected(const struct pools_view *v)
{
	if (!v || !v->rows || v->list.cursor >= (int)v->rows->len)
		return NULL;
	return &g_array_index(v->rows, struct pool_row, v->list.cursor);
}

static const char *view_selected(struct tui *t)
{
	const struct pool_row *r = selected(t->pv);

	return r ? (r->desktop ? r->desktop->name : r->pool->name) : NULL;
}

static void none_selected(struct tui *t)
{
	tui_message(t, true, _("No pool yet: \"vmtui pool create NAME --template TEMPLATE\" makes one."));
}

static bool view_close(struct tui *t)
{
	struct pools_view *v = t->pv;

	if (!v)
		return true;
	if (v->job && !job_wait(v->job, 2000))
		return false;
	g_clear_pointer(&v->job, job_unref);
	g_clear_pointer(&v->pools, g_ptr_array_unref);
	g_clear_pointer(&v->desktops, g_ptr_array_unref);
	g_clear_pointer(&v->logs, g_hash_table_unref);
	g_array_unref(v->rows);
	g_free(v->error);
	list_fini(&v->list);
	g_clear_pointer(&t->pv, g_free);
	return true;
}

static int run(struct tui *t, char **argv, bool show)
{
	return tui_run_command(t, t->pv->host, argv, NULL, show);
}

/* ---- the actions ----------------------------------------------------------- */

static int resize_to(struct tui *t, const char *text, void *data, const char *word)
{
	char *argv[] = { (char *)"pool", (char *)word, data, (char *)text, NULL };

	if (!*text) {
		tui_message(t, false, _("Nothing was changed."));
		return TUI_REDRAW;
	}
	return run(t, argv, false);
}

static int grow_to(struct tui *t, const char *text, void *data)
{
	return resize_to(t, text, data, "grow");
}

static int shrink_to(struct tui *t, const char *text, void *data)
{
	return resize_to(t, text, data, "shrink");
}

int view_pools_grow(struct tui *t, const struct action *a)
{
	const struct pool_row *r = selected(t->pv);
	g_autofree char *q = g_strdup_printf(_("Grow pool \"%s\" by how many desktops? "), r->pool->name);

	(void)a;
	tui_prompt(t, q, "1", grow_to, g_strdup(r->pool->name), g_free);
	return TUI_REDRAW;
}

int view_pools_shrink(struct tui *t, const struct action *a)
{
	const struct pool_row *r = selected(t->pv);
	g_autofree char *q = g_strdup_printf(_("Shrink pool \"%s\" by how many desktops? "), r->pool->name);

	(void)a;
	tui_prompt(t, q, "1", shrink_to, g_strdup(r->pool->name), g_free);
	return TUI_REDRAW;
}

static int drain_yes(struct tui *t, void *data)
{
	char *argv[] = { (char *)"pool", (char *)"drain", data, NULL };

	return run(t, argv, false);
}

int view_pools_drain(struct tui *t, const struct action *a)
{
	const struct pool_row *r = selected(t->pv);
	g_autofree char *q = g_strdup_printf(_("Drain pool \"%s\": hand out no desktop, delete the free ones? [y/N] "),
					     r->pool->name);

	(void)a;
	tui_confirm(t, q, _("The pool was left as it is."), drain_yes, g_strdup(r->pool->name), g_free);
	return TUI_REDRAW;
}

/* The selected desktop; NULL with a message on a pool's row. */
static const struct desktop *desktop_of_row(struct tui *t)
{
	const struct pool_row *r = selected(t->pv);

	if (!r->desktop)
		tui_message(t, true, _("Select one of the pool's desktops (the rows under it)."));
	return r->desktop;
}

static int refresh_yes(struct tui *t, void *data)
{
	char *argv[] = { (char *)"desktop", (char *)"refresh", data, NULL };

	return run(t, argv, false);
}

int view_pools_refresh(struct tui *t, const struct action *a)
{
	const struct desktop *d = desktop_of_row(t);
	g_autofree char *q = NULL;

	(void)a;
	if (!d)
		return TUI_REDRAW;
	q = d->user ? g_strdup_printf(_("Refresh desktop \"%s\", throwing %s's changes away? [y/N] "),
				      d->name, d->user) :
		      g_strdup_printf(_("Refresh desktop \"%s\"? [y/N] "), d->name);
	tui_confirm(t, q, _("Nothing was refreshed."), refresh_yes, g_strdup(d->name), g_free);
	return TUI_REDRAW;
}

static int kick_yes(struct tui *t, void *data)
{
	char *argv[] = { (char *)"desktop", (char *)"kick", data, NULL };

	return run(t, argv, false);
}

int view_pools_kick(struct tui *t, const struct action *a)
{
	const struct desktop *d = desktop_of_row(t);
	g_autofree char *q = NULL;

	(void)a;
	if (!d)
		return TUI_REDRAW;
	if (!d->user) {
		tui_message(t, true, _("Nobody holds desktop \"%s\"."), d->name);
		return TUI_REDRAW;
	}
	q = g_strdup_printf(_("Take desktop \"%s\" back from %s? [y/N] "), d->name, d->user);
	tui_confirm(t, q, _("Nothing was taken back."), kick_yes, g_strdup(d->name), g_free);
	return TUI_REDRAW;
}

int view_pools_info(struct tui *t, const struct action *a)
{
	const struct pool_row *r = selected(t->pv);
	char *pool_argv[] = { (char *)"pool", (char *)"info", (char *)r->pool->name, NULL };
	char *vm_argv[] = { (char *)"info", r->desktop ? r->desktop->name : NULL, NULL };

	(void)a;
	return run(t, r->desktop ? vm_argv : pool_argv, true);
}

int view_pools_reload(struct tui *t, const struct action *a)
{
	(void)a;
	start_read(t, t->pv);
	return TUI_REDRAW;
}

/* ---- keys and drawing -------------------------------------------------------- */

static int view_key(struct tui *t, int key)
{
	struct pools_view *v = t->pv;
	guint n = v->rows->len;
	MEVENT ev;

	if (key == 27)
		return tui_show_view(t, VIEW_DOMAINS);
	if (key == KEY_MOUSE && getmouse(&ev) == OK) {
		switch (list_mouse(&v->list, n, &ev)) {
		case LIST_OPEN:
			return actions_dispatch(t, '\n');
		case LIST_MENU:
			return actions_menu(t);
		default:
			break;
		}
	} else if (!list_key(&v->list, n, key)) {
		return TUI_NONE;
	}
	list_remember(&v->list, n ? row_key((guint)v->list.cursor, v->rows) : NULL);
	return TUI_REDRAW;
}

static const int widths[] = { 1, 16, 14, 12, 21, 0 };

static void view_draw(struct tui *t, int lines, int cols)
{
	struct pools_view *v = t->pv;
	guint n = v->rows->len;
	int avail = lines - 3, pane = avail >= 16 ? LOG_LINES + 2 : 0;
	int rows = MAX(1, avail - pane - 1);
	g_autofree char *title = g_strdup_printf(_("Desktop pools (%u)"), v->pools ? v->pools->len : 0);
	/* TRANSLATORS: column headings of the pools view */
	const char *head[] = { "", _("POOL / DESKTOP"), _("STATE"), _("USER"), _("SINCE"), _("DETAILS") };
	const struct pool_row *sel = selected(v);

	erase();
	attron(A_BOLD);
	move(0, 1);
	tui_put_cells(title, cols - 2, false);
	attroff(A_BOLD);
	if (t->color)
		attron(COLOR_PAIR(PAIR_BAR));
	move(1, 0);
	list_draw_cells(head, widths, G_N_ELEMENTS(head), cols);
	if (t->color)
		attroff(COLOR_PAIR(PAIR_BAR));
	if (!v->pools) {
		mvaddnstr(3, 2, _("Reading the pools..."), cols - 3);
	} else if (!n) {
		move(3, 2);
		tui_put_cells(_("No desktop pools yet: \"vmtui pool create NAME --template TEMPLATE\" makes one."),
			      cols - 3, false);
	}
	list_scroll(&v->list, n, 2, rows);
	for (int i = 0; i < rows && v->list.top + i < (int)n; i++) {
		int k = v->list.top + i;
		const struct pool_row *r = &g_array_index(v->rows, struct pool_row, k);
		g_autofree char *a = NULL, *b = NULL, *c = NULL;
		const char *row[6] = { "" };

		if (!r->desktop) {
			a = g_strdup_printf(_("%u-%u desktops, %u spare%s"), r->pool->min, r->pool->max,
					    r->pool->spares, r->pool->draining ? _(", draining") : "");
			unsigned counts[DESKTOP_STATE_COUNT];

			pool_count(v->desktops, r->pool->name, counts);
			b = pool_states_text(counts, _("no desktops"));
			c = g_strdup_printf("%s · %s", a, b);
			row[1] = r->pool->name;
			row[2] = r->pool->template_name;
			row[5] = c;
			attron(A_BOLD);
		} else {
			g_autoptr(GDateTime) when = r->desktop->since ?
				g_date_time_new_from_unix_local(r->desktop->since) : NULL;

			a = g_strconcat("  ", r->desktop->name, NULL);
			b = when ? g_date_time_format(when, "%Y-%m-%d %H:%M:%S") : NULL;
			row[1] = a;
			row[2] = desktop_state_label(r->desktop->state);
			row[3] = r->desktop->user;
			row[4] = b;
			row[5] = r->desktop->reason;
		}
		if (k == v->list.cursor)
			attron(A_REVERSE);
		move(2 + i, 0);
		list_draw_cells(row, widths, G_N_ELEMENTS(row), cols);
		if (k == v->list.cursor)
			attroff(A_REVERSE);
		attroff(A_BOLD);
	}
	if (pane && sel) {
		const char *log = v->logs ? g_hash_table_lookup(v->logs, sel->pool->name) : NULL;
		g_auto(GStrv) lines_of = g_strsplit(log ? log : "", "\n", -1);
		int y = avail - pane + 2;
		g_autofree char *head_line = g_strdup_printf(_("Last actions of pool \"%s\":"), sel->pool->name);

		move(avail - pane + 1, 0);
		hline(t->utf8 ? ACS_HLINE : '-', cols);
		move(y++, 1);
		tui_put_cells(head_line, cols - 2, false);
		for (unsigned i = 0; lines_of[i] && y <= avail; i++) {
			move(y++, 2);
			tui_put_cells(lines_of[i], cols - 3, false);
		}
	}
	if (v->error) {
		move(avail, 1);
		tui_put_cells(v->error, cols - 2, false);
	}
	tui_draw_bottom(t, lines, cols);
}

const struct view view_pools = {
	.title = N_("Desktop pools"),
	.open = view_open,
	.draw = view_draw,
	.key = view_key,
	.selected = view_selected,
	.none_selected = none_selected,
	.changed = view_changed,
	.idle = view_idle,
	.live = view_live,
	.close = view_close,
};

/*
 * view-templates.c — the templates view (T): each template with its
 * hardware, disk and the VMs made from it.  Enter opens the Provision
 * form (the lab wizard), n the New template form, e the Edit template
 * form; x exports an OVA, d deletes after a y/N.  The manifests and the
 * VMs that depend on each template are read by a job, never on the UI
 * thread.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "core/files.h"
#include "core/i18n.h"
#include "core/engine.h"
#include "templates/templates.h"
#include "tui/tui.h"

struct templates_view {
	struct host *host;     /* whose VMs are counted; where commands run */
	GPtrArray *list;       /* struct template, as last read; NULL before */
	GPtrArray *users;      /* per template: GPtrArray of VM names or NULL */
	char *error;           /* why the VMs using them are not known */
	struct job *job;       /* the read in flight */
	bool again;            /* read again once it ends */
	struct tui_list rows;  /* cursor and scrolling, kept by name */
};

struct read_data {
	struct engine *eng;
	GPtrArray *list;
	GPtrArray *users;
	char *error;
};

static void users_free(gpointer p)
{
	if (p)
		g_ptr_array_unref(p);
}

static int read_job(struct job *job, void *data)
{
	struct read_data *d = data;

	d->list = template_list();
	d->users = g_ptr_array_new_with_free_func(users_free);
	if (d->eng && template_users(d->eng, d->list, d->users) < 0)
		d->error = g_strdup(core_error_message());
	/* unknown: NULL for each */
	while (d->users->len < d->list->len)
		g_ptr_array_add(d->users, NULL);
	core_error_clear();
	return 0;
}

static void read_data_free(gpointer p)
{
	struct read_data *d = p;

	if (d->list)
		g_ptr_array_unref(d->list);
	if (d->users)
		g_ptr_array_unref(d->users);
	g_free(d->error);
	g_free(d);
}

static int read_done(struct tui *t, struct job *job, void *data);

static void start_read(struct tui *t, struct templates_view *v)
{
	struct read_data *d;

	if (v->job) {
		v->again = true;
		return;
	}
	d = g_new0(struct read_data, 1);
	d->eng = v->host->eng;
	v->again = false;
	v->job = job_submit("templates", read_job, d, read_data_free, false);
	tui_watch(t, v->job, read_done, NULL);
}

/* The host whose VMs the templates serve: the selected VM's when it runs
 * on this machine (templates are files here), else the first that does;
 * NULL with a message when none does. */
static struct host *local_host(struct tui *t)
{
	struct host *h = tui_host(t, NULL);

	for (guint i = 0; !(h->eng && engine_is_local(h->eng)) && i < t->hosts->len; i++)
		h = t->hosts->pdata[i];
	if (h->eng && engine_is_local(h->eng))
		return h;
	tui_message(t, true, _("Templates are files of this machine, and no engine on it is connected."));
	return NULL;
}

static int view_open(struct tui *t)
{
	struct templates_view *v = t->tv;
	struct host *h = local_host(t);

	if (!h)
		return TUI_NONE;
	if (!v)
		v = t->tv = g_new0(struct templates_view, 1);
	v->host = h;
	start_read(t, v);
	return TUI_REDRAW;
}

/* A command ended: what it did may show here. */
static void view_changed(struct tui *t)
{
	if (t->tv && t->view == VIEW_TEMPLATES)
		start_read(t, t->tv);
}

/* The template under the cursor, or NULL. */
static struct template *selected(struct templates_view *v)
{
	if (!v || !v->list || v->rows.cursor >= (int)v->list->len)
		return NULL;
	return v->list->pdata[v->rows.cursor];
}

static char *template_key(guint i, void *data)
{
	const GPtrArray *list = data;

	return g_strdup(((const struct template *)list->pdata[i])->name);
}

static int read_done(struct tui *t, struct job *job, void *data)
{
	struct templates_view *v = t->tv;
	struct read_data *d = job_data(job);

	if (!v || v->job != job)
		return TUI_NONE;
	if (v->list)
		g_ptr_array_unref(v->list);
	if (v->users)
		g_ptr_array_unref(v->users);
	v->list = g_steal_pointer(&d->list);
	v->users = g_steal_pointer(&d->users);
	g_free(v->error);
	v->error = g_steal_pointer(&d->error);
	g_clear_pointer(&v->job, job_unref);
	/* the cursor stays on the template it was on */
	list_rebuild(&v->rows, v->list->len, template_key, v->list);
	if (v->again)
		start_read(t, v);
	return TUI_REDRAW;
}

static bool view_close(struct tui *t)
{
	struct templates_view *v = t->tv;

	if (!v)
		return true;
	if (v->job && !job_wait(v->job, 2000))
		return false; /* it still uses the engine: leave it be */
	g_clear_pointer(&v->job, job_unref);
	if (v->list)
		g_ptr_array_unref(v->list);
	if (v->users)
		g_ptr_array_unref(v->users);
	g_free(v->error);
	list_fini(&v->rows);
	g_clear_pointer(&t->tv, g_free);
	return true;
}

static const char *view_selected(struct tui *t)
{
	const struct template *tp = selected(t->tv);

	return tp ? tp->name : NULL;
}

static void none_selected(struct tui *t)
{
	tui_message(t, true, _("No template yet: %s makes one."), actions_key_of("new template"));
}

/* Runs `template WORD NAME` on the view's host. */
static int run(struct tui *t, const char *word, const char *name, bool show)
{
	char *argv[] = { (char *)"template", (char *)word, (char *)name, NULL };

	return tui_run_command(t, t->tv->host, argv, NULL, show);
}

/* The selected template, if it can be used: a template whose manifest
 * is broken can only be deleted, and the message says why. */
static const struct template *usable(struct tui *t)
{
	const struct template *tp = selected(t->tv);

	if (tp && tp->broken) {
		tui_message(t, true, "%s", tp->broken);
		return NULL;
	}
	return tp;
}

int view_templates_provision(struct tui *t, const struct action *a)
{
	const struct template *tp = usable(t);

	return tp ? form_provision_open(t, t->tv->host, tp) : TUI_REDRAW;
}

int view_templates_new(struct tui *t, const struct action *a)
{
	return form_template_open(t, t->tv->host, NULL, t->tv->list);
}

int view_templates_edit(struct tui *t, const struct action *a)
{
	const struct template *tp = usable(t);

	return tp ? form_template_edit_open(t, t->tv->host, tp) : TUI_REDRAW;
}

int view_templates_info(struct tui *t, const struct action *a)
{
	const struct template *tp = usable(t);

	return tp ? run(t, "info", tp->name, true) : TUI_REDRAW;
}

int view_templates_reload(struct tui *t, const struct action *a)
{
	start_read(t, t->tv);
	return TUI_REDRAW;
}

static int delete_yes(struct tui *t, void *data)
{
	return run(t, "delete", data, false);
}

int view_templates_delete(struct tui *t, const struct action *a)
{
	const struct template *tp = selected(t->tv);
	g_autofree char *q = g_strdup_printf(_("Delete template \"%s\" and its base image? [y/N] "),
					     tp->name);

	tui_confirm(t, q, _("Nothing was deleted."), delete_yes, g_strdup(tp->name), g_free);
	return TUI_REDRAW;
}

/* An OVA export: the template and where to. */
struct export {
	char *name, *path;
};

static void export_free(gpointer p)
{
	struct export *e = p;

	g_free(e->name);
	g_free(e->path);
	g_free(e);
}

/* Runs `ova export --template NAME PATH`, with --force when @replace. */
static int export_run(struct tui *t, const char *name, const char *path, bool replace)
{
	char *argv[] = { (char *)"ova", (char *)"export", (char *)"--template", (char *)name,
			 (char *)path, replace ? (char *)"--force" : NULL, NULL };

	return tui_run_command(t, t->tv->host, argv, NULL, true);
}

static int replace_yes(struct tui *t, void *data)
{
	struct export *e = data;

	return export_run(t, e->name, e->path, true);
}

/* An OVA replaces a file only after a y; what is not a regular file (a
 * link, a FIFO, a device) the command itself refuses, and says why. */
static int export_to(struct tui *t, const char *text, void *data)
{
	struct export *e;
	struct stat st;

	if (!*text) {
		tui_message(t, false, _("Nothing was exported."));
		return TUI_REDRAW;
	}
	e = g_new0(struct export, 1);
	e->name = g_strdup(data);
	e->path = tui_expand_home(text);
	if (lstat(e->path, &st) == 0 && S_ISREG(st.st_mode)) {
		g_autofree char *q = g_strdup_printf(_("%s exists. Replace it? [y/N] "), e->path);

		tui_confirm(t, q, _("Nothing was exported."), replace_yes, e, export_free);
		return TUI_REDRAW;
	}
	export_run(t, e->name, e->path, false);
	export_free(e);
	return TUI_REDRAW;
}

int view_templates_export(struct tui *t, const struct action *a)
{
	const struct template *tp = usable(t);
	g_autofree char *path = NULL;

	if (!tp)
		return TUI_REDRAW;
	path = g_strdup_printf("~/%s.ova", tp->name);
	tui_prompt(t, _("Export as OVA to: "), path, export_to, g_strdup(tp->name), g_free);
	return TUI_REDRAW;
}

/* Keys no action took: moving, the mouse (a double click provisions from
 * the template, a right click opens the menu), Esc goes back. */
static int view_key(struct tui *t, int key)
{
	struct templates_view *v = t->tv;
	guint n = v->list ? v->list->len : 0;
	MEVENT ev;

	if (key == 27)
		return tui_show_view(t, VIEW_DOMAINS);
	if (key == KEY_MOUSE && getmouse(&ev) == OK) {
		switch (list_mouse(&v->rows, n, &ev)) {
		case LIST_OPEN:
			return actions_dispatch(t, '\n');
		case LIST_MENU:
			return actions_menu(t);
		default:
			break;
		}
	} else if (!list_key(&v->rows, n, key)) {
		return TUI_NONE;
	}
	if (selected(v))
		list_remember(&v->rows, g_strdup(selected(v)->name));
	return TUI_REDRAW;
}


/* "Label:  value" at row @y, if @value; returns the next row. */
static int detail(int y, int cols, const char *label, const char *value)
{
	if (!value || !*value)
		return y;
	mvaddnstr(y, 1, label, cols - 2);
	mvaddnstr(y, 15, value, MAX(0, cols - 16));
	return y + 1;
}

/* The selected template's details in rows [y, end). */
static void draw_details(struct tui *t, const struct template *tp,
			 const GPtrArray *users, int y, int end, int cols)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *hw = template_hardware_text(tp);

	if (y >= end)
		return;
	attron(A_BOLD);
	mvaddnstr(y++, 1, tp->name, cols - 2);
	attroff(A_BOLD);
	if (tp->broken) {
		mvaddnstr(y, 1, tp->broken, MAX(0, (end - y) * cols - 2));
		return;
	}
	y = detail(y, cols, _("Description:"), tp->description);
	y = detail(y, cols, _("Hardware:"), hw);
	cli_join(s, users, ", ");
	y = detail(y, cols, _("Used by:"), s->str);
	g_string_truncate(s, 0);
	if (tp->warnings && y < end) {
		g_autofree char *w = g_strdelimit(g_strdup(tp->warnings), "\n", ' ');

		attron(A_BOLD);
		if (t->color)
			attron(COLOR_PAIR(PAIR_ERROR));
		y = detail(y, cols, _("Warning:"), w);
		if (t->color)
			attroff(COLOR_PAIR(PAIR_ERROR));
		attroff(A_BOLD);
	}
	if (y < end)
		y = detail(y, cols, _("OS:"), tp->os_variant);
	if (y < end)
		y = detail(y, cols, _("Source:"), tp->source);
	if (y < end)
		y = detail(y, cols, _("Created:"), tp->created);
	if (tp->user)
		g_string_append_printf(s, _("user %s"), tp->user);
	if (tp->ssh_keys->len)
		g_string_append_printf(s, P_("%s%u SSH key", "%s%u SSH keys", tp->ssh_keys->len),
				       s->len ? ", " : "", tp->ssh_keys->len);
	for (guint i = 0; i < tp->packages->len; i++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", (char *)tp->packages->pdata[i]);
	if (y < end)
		detail(y, cols, _("Cloud-init:"), s->str);
}

/* The widths of the columns, the separating space included; the last
 * takes the rest of the line. */
static const int widths[] = { 1, 21, 5, 7, 11, 11, 6, 0 };

static void view_draw(struct tui *t, int lines, int cols)
{
	struct templates_view *v = t->tv;
	guint n = v->list ? v->list->len : 0;
	/* rows 0-1 title and headings, then the list, a rule and the
	 * details down to lines - 3; the hint and status lines below */
	int avail = lines - 3, pane = avail >= 16 ? 9 : 0, rows = MAX(1, avail - pane - 1);
	g_autofree char *title = t->hosts->len > 1 ?
		g_strdup_printf(_("Templates (%u) on %s"), n, v->host->label) :
		g_strdup_printf(_("Templates (%u)"), n);
	/* TRANSLATORS: column headings of the templates view */
	const char *head[] = { "", _("NAME"), _("VER"), _("VCPUS"), _("MEMORY"),
			       _("DISK"), _("VMS"), _("DESCRIPTION") };

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
	if (!v->list) {
		mvaddnstr(3, 2, _("Reading the templates..."), cols - 3);
	} else if (!n) {
		g_autofree char *l1 = g_strdup_printf(_("No templates yet. %s makes one from a shut-off VM, a disk image or an OVA;"),
						      actions_key_of("new template"));
		g_autofree char *l2 = g_strdup_printf(_("%s on a VM in the list does the same for that VM."),
						      actions_key_of("make template"));

		move(3, 2);
		tui_put_cells(l1, cols - 3, false);
		move(4, 2);
		tui_put_cells(l2, cols - 3, false);
	}
	list_scroll(&v->rows, n, 2, rows);
	for (int i = 0; i < rows && v->rows.top + i < (int)n; i++) {
		int k = v->rows.top + i;
		const struct template *tp = v->list->pdata[k];
		const GPtrArray *users = v->users->pdata[k];
		g_autofree char *ver = g_strdup_printf("%u", tp->version);
		g_autofree char *vcpus = g_strdup_printf("%u", tp->vcpus);
		g_autofree char *mem = core_format_size_exact(tp->memory_mib << 20);
		g_autofree char *disk = core_format_size(tp->disk_bytes);
		g_autofree char *count = users ? g_strdup_printf("%u", users->len) : g_strdup("?");
		g_autofree char *broken = g_strdup_printf(_("(broken: %s deletes it)"),
							  actions_key_of("delete template"));
		const char *row[] = { "", tp->name, ver, vcpus, mem, disk, count,
				      tp->broken ? broken : tp->description };

		if (k == v->rows.cursor)
			attron(A_REVERSE);
		move(2 + i, 0);
		list_draw_cells(row, widths, G_N_ELEMENTS(row), cols);
		if (k == v->rows.cursor)
			attroff(A_REVERSE);
	}
	if (pane) {
		move(avail - pane + 1, 0);
		hline(t->utf8 ? ACS_HLINE : '-', cols);
		if (selected(v))
			draw_details(t, selected(v), v->users->pdata[v->rows.cursor],
				     avail - pane + 2, avail + (v->error ? 0 : 1), cols);
		if (v->error) {
			move(avail, 1);
			tui_put_cells(v->error, cols - 2, false);
		}
	}
	tui_draw_bottom(t, lines, cols);
}

const struct view view_templates = {
	.title = N_("Templates"),
	.open = view_open,
	.draw = view_draw,
	.key = view_key,
	.selected = view_selected,
	.none_selected = none_selected,
	.changed = view_changed,
	.close = view_close,
};

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
	int cursor, top;
	int rows;              /* list rows on screen, set by draw */
	char *selected;        /* the name under the cursor, across reads */
	char *pending;         /* the template a y/N is about */
	char *pending_path;    /* the OVA a y/N about replacing it is about */
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

static void start_read(struct templates_view *v)
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
}

/* The host whose VMs the templates serve: the selected VM's when it runs
 * on this machine (templates are files here), else the first that does;
 * NULL with a message when none does. */
struct host *tui_local_host(struct tui *t)
{
	struct host *h = tui_host(t, NULL);

	for (guint i = 0; !(h->eng && engine_is_local(h->eng)) && i < t->hosts->len; i++)
		h = t->hosts->pdata[i];
	if (h->eng && engine_is_local(h->eng))
		return h;
	tui_message(t, true, _("Templates are files of this machine, and no engine on it is connected."));
	return NULL;
}

int view_templates_open(struct tui *t)
{
	struct templates_view *v = t->tv;
	struct host *h = tui_local_host(t);

	if (!h)
		return TUI_REDRAW;
	if (!v)
		v = t->tv = g_new0(struct templates_view, 1);
	v->host = h;
	t->mode = t->view = MODE_TEMPLATES;
	g_clear_pointer(&t->message, g_free);
	start_read(v);
	return TUI_REDRAW;
}

void view_templates_reload(struct tui *t)
{
	if (t->tv && t->view == MODE_TEMPLATES)
		start_read(t->tv);
}

/* The template under the cursor, or NULL. */
static struct template *selected(struct templates_view *v)
{
	if (!v->list || v->cursor < 0 || v->cursor >= (int)v->list->len)
		return NULL;
	return v->list->pdata[v->cursor];
}

int view_templates_reap(struct tui *t)
{
	struct templates_view *v = t->tv;
	struct read_data *d;

	if (!v || !v->job || !job_wait(v->job, 0))
		return TUI_NONE;
	d = job_data(v->job);
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
	for (guint i = 0; v->selected && i < v->list->len; i++)
		if (strcmp(((struct template *)v->list->pdata[i])->name, v->selected) == 0)
			v->cursor = (int)i;
	v->cursor = CLAMP(v->cursor, 0, MAX(0, (int)v->list->len - 1));
	if (v->again)
		start_read(v);
	return TUI_REDRAW;
}

bool view_templates_free(struct tui *t)
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
	g_free(v->selected);
	g_free(v->pending);
	g_free(v->pending_path);
	g_clear_pointer(&t->tv, g_free);
	return true;
}

/* Runs `WORD1 WORD2 NAME [EXTRA...]` on the view's host. */
static int run(struct tui *t, const char *w1, const char *w2, const char *name,
	       const char *extra1, const char *extra2, bool show)
{
	char *argv[] = { (char *)w1, (char *)w2, (char *)name, (char *)extra1,
			 (char *)extra2, NULL };

	return tui_run_command(t, t->tv->host, argv, NULL, show);
}

static int confirm_delete(struct tui *t, const char *text)
{
	g_autofree char *name = g_steal_pointer(&t->tv->pending);

	if (g_ascii_strcasecmp(text, "y") != 0 || !name) {
		tui_message(t, false, _("Nothing was deleted."));
		return TUI_REDRAW;
	}
	return run(t, "template", "delete", name, NULL, NULL, false);
}

/* Runs `ova export --template NAME PATH`, with --force when @replace. */
static int export_run(struct tui *t, const char *name, const char *path, bool replace)
{
	char *argv[] = { (char *)"ova", (char *)"export", (char *)"--template", (char *)name,
			 (char *)path, replace ? (char *)"--force" : NULL, NULL };

	return tui_run_command(t, t->tv->host, argv, NULL, true);
}

static int confirm_replace(struct tui *t, const char *text)
{
	g_autofree char *name = g_steal_pointer(&t->tv->pending);
	g_autofree char *path = g_steal_pointer(&t->tv->pending_path);

	if (g_ascii_strcasecmp(text, "y") != 0 || !name || !path) {
		tui_message(t, false, _("Nothing was exported."));
		return TUI_REDRAW;
	}
	return export_run(t, name, path, true);
}

/* An OVA replaces a file only after a y; what is not a regular file (a
 * link, a FIFO, a device) the command itself refuses, and says why. */
static int export_to(struct tui *t, const char *text)
{
	g_autofree char *name = g_steal_pointer(&t->tv->pending);
	g_autofree char *path = NULL;
	struct stat st;

	if (!*text || !name) {
		tui_message(t, false, _("Nothing was exported."));
		return TUI_REDRAW;
	}
	path = tui_expand_home(text);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		g_autofree char *q = g_strdup_printf(_("%s exists. Replace it? [y/N] "), path);

		t->tv->pending = g_steal_pointer(&name);
		g_free(t->tv->pending_path);
		t->tv->pending_path = g_steal_pointer(&path);
		tui_prompt(t, q, "", confirm_replace);
		return TUI_REDRAW;
	}
	return export_run(t, name, path, false);
}

/* A click selects a template, a double click opens the Provision form
 * for it, the wheel moves; anything else is a key's doing. */
static int mouse(struct tui *t, int *key)
{
	struct templates_view *v = t->tv;
	int n = v->list ? (int)v->list->len : 0, row;
	MEVENT ev;

	*key = KEY_RESIZE; /* nothing more to do but remember the cursor */
	if (getmouse(&ev) != OK)
		return TUI_NONE;
	row = v->top + ev.y - 2; /* below the title and the headings */
	if (ev.bstate & BUTTON4_PRESSED) {
		v->cursor = MAX(v->cursor - 3, 0);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		v->cursor = MAX(MIN(v->cursor + 3, n - 1), 0);
	} else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
		if (ev.y < 2 || ev.y >= 2 + v->rows || row >= n)
			return TUI_NONE;
		v->cursor = row;
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			*key = '\n';
	}
	return TUI_REDRAW;
}

int view_templates_key(struct tui *t, int key)
{
	struct templates_view *v = t->tv;
	struct template *tp;
	int n = v->list ? (int)v->list->len : 0, page = MAX(1, LINES - 15);

	g_clear_pointer(&t->message, g_free);
	if (tui_is_enter((wint_t)key, key >= KEY_MIN))
		key = '\n';
	if (key == KEY_MOUSE && mouse(t, &key) == TUI_NONE)
		return TUI_NONE;
	tp = selected(v);
	if (tui_move_cursor(&v->cursor, n, page, key, true))
		key = KEY_RESIZE; /* moved: only remember where */
	switch (key) {
	case 'q':
	case 'T':
	case 27:
		t->mode = t->view = MODE_LIST;
		break;
	case 'r':
		start_read(v);
		break;
	case 'n':
		return form_template_open(t, v->host, NULL, v->list);
	case KEY_RESIZE:
		break;
	default:
		if (!tp) {
			int res = actions_dispatch_global(t, key);

			if (res == TUI_NONE && strchr("\npeixd", key))
				tui_message(t, true, _("No template yet: n makes one."));
			return TUI_REDRAW;
		}
		/* a template whose manifest cannot be used can only go */
		if (tp->broken && strchr("\npex", key)) {
			tui_message(t, true, "%s", tp->broken);
			return TUI_REDRAW;
		}
		switch (key) {
		case '\n':
		case 'p':
			return form_provision_open(t, v->host, tp);
		case 'e':
			return form_template_edit_open(t, v->host, tp);
		case 'i':
			return run(t, "template", "info", tp->name, NULL, NULL, true);
		case 'x': {
			g_autofree char *path = g_strdup_printf("~/%s.ova", tp->name);

			g_free(v->pending);
			v->pending = g_strdup(tp->name);
			tui_prompt(t, _("Export as OVA to: "), path, export_to);
			return TUI_REDRAW;
		}
		case 'd':
		case KEY_DC: {
			g_autofree char *q = g_strdup_printf(_("Delete template \"%s\" and its base image? [y/N] "),
							     tp->name);

			g_free(v->pending);
			v->pending = g_strdup(tp->name);
			tui_prompt(t, q, "", confirm_delete);
			return TUI_REDRAW;
		}
		default:
			return actions_dispatch_global(t, key) | TUI_REDRAW;
		}
	}
	v->cursor = MAX(v->cursor, 0);
	if ((tp = selected(v))) {
		g_free(v->selected);
		v->selected = g_strdup(tp->name);
	}
	return TUI_REDRAW;
}

/* "1.5 GiB", "300 MiB" */
static char *size_text(uint64_t bytes)
{
	return bytes >= (UINT64_C(1) << 30) ?
		g_strdup_printf("%.1f GiB", (double)bytes / (double)(UINT64_C(1) << 30)) :
		g_strdup_printf("%" PRIu64 " MiB", bytes >> 20);
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

void view_templates_draw(struct tui *t, int lines, int cols)
{
	struct templates_view *v = t->tv;
	int n = v->list ? (int)v->list->len : 0;
	/* rows 0-1 title and headings, then the list, a rule and the
	 * details down to lines - 3; the hint and status lines below */
	int avail = lines - 3, pane = avail >= 16 ? 9 : 0, rows = MAX(1, avail - pane - 1);
	g_autoptr(GString) head = g_string_new(" ");
	g_autofree char *title = t->hosts->len > 1 ?
		g_strdup_printf(_("Templates (%d) on %s"), n, v->host->label) :
		g_strdup_printf(_("Templates (%d)"), n);

	erase();
	attron(A_BOLD);
	mvaddnstr(0, 1, title, cols - 2);
	attroff(A_BOLD);
	if (t->color)
		attron(COLOR_PAIR(PAIR_BAR));
	move(1, 0);
	hline(' ', cols);
	/* TRANSLATORS: column headings of the templates view */
	cli_pad(head, _("NAME"), 21);
	cli_pad(head, _("VER"), 5);
	cli_pad(head, _("VCPUS"), 7);
	cli_pad(head, _("MEMORY"), 11);
	cli_pad(head, _("DISK"), 11);
	cli_pad(head, _("VMS"), 6);
	g_string_append(head, _("DESCRIPTION"));
	move(1, 0);
	tui_put_cells(head->str, cols, false);
	if (t->color)
		attroff(COLOR_PAIR(PAIR_BAR));
	if (!v->list) {
		mvaddnstr(3, 2, _("Reading the templates..."), cols - 3);
	} else if (!n) {
		mvaddnstr(3, 2, _("No templates yet. n makes one from a shut-off VM, a disk image or an OVA;"),
			  cols - 3);
		mvaddnstr(4, 2, _("t on a VM in the list does the same for that VM."), cols - 3);
	}
	v->rows = rows;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + rows)
		v->top = v->cursor - rows + 1;
	for (int i = 0; i < rows && v->top + i < n; i++) {
		int k = v->top + i;
		const struct template *tp = v->list->pdata[k];
		const GPtrArray *users = v->users->pdata[k];
		g_autofree char *mem = g_strdup_printf("%" PRIu64 " MiB", tp->memory_mib);
		g_autofree char *disk = size_text(tp->disk_bytes);
		g_autofree char *count = users ? g_strdup_printf("%u", users->len) : g_strdup("?");
		g_autofree char *line = g_strdup_printf(" %-20.20s %-4u %-6u %-10s %-10s %-4s  %s",
							tp->name, tp->version, tp->vcpus, mem,
							disk, count,
							tp->broken ? _("(broken: d deletes it)") :
							tp->description ? tp->description : "");

		if (k == v->cursor)
			attron(A_REVERSE);
		move(2 + i, 0);
		tui_put_cells(line, cols, k == v->cursor);
		if (k == v->cursor)
			attroff(A_REVERSE);
	}
	if (pane) {
		move(avail - pane + 1, 0);
		hline(t->utf8 ? ACS_HLINE : '-', cols);
		if (selected(v))
			draw_details(t, selected(v), v->users->pdata[v->cursor],
				     avail - pane + 2, avail + (v->error ? 0 : 1), cols);
		if (v->error)
			mvaddnstr(avail, 1, v->error, cols - 2);
	}
	tui_draw_bottom(t, lines, cols,
			_(" Enter provision VMs  n new  e edit  i info  x export OVA  d delete  r reload  : command  q back"));
}

/*
 * view-domains.c — draws the VM list from a table of columns: each has a
 * heading, a width, how early it gives way on a narrow terminal, how to
 * print a row's cell and how to order rows by it.  The state glyph keeps
 * the list readable without colour.  Widths are measured in terminal
 * cells, so CJK names keep the columns aligned.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <string.h>

#include "core/files.h"
#include "core/i18n.h"
#include "core/engine.h"
#include "net/net.h"
#include "tui/tui.h"

/* Glyph for a state: Unicode where the terminal has it, ASCII otherwise. */
static const char *state_glyph(const struct tui *t, int state)
{
	switch ((virDomainState)state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return t->utf8 ? "\u25b6" : ">";
	case VIR_DOMAIN_PAUSED:
	case VIR_DOMAIN_PMSUSPENDED:
		return t->utf8 ? "\u2016" : "|";
	case VIR_DOMAIN_SHUTDOWN:
		return t->utf8 ? "\u25bd" : "v";
	case VIR_DOMAIN_CRASHED:
		return "!";
	case VIR_DOMAIN_SHUTOFF:
	case VIR_DOMAIN_NOSTATE:
		break;
	}
	return t->utf8 ? "\u25a0" : ".";
}

static int state_pair(int state)
{
	switch ((virDomainState)state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return PAIR_RUNNING;
	case VIR_DOMAIN_PAUSED:
	case VIR_DOMAIN_PMSUSPENDED:
	case VIR_DOMAIN_SHUTDOWN:
		return PAIR_PAUSED;
	case VIR_DOMAIN_CRASHED:
		return PAIR_ERROR;
	case VIR_DOMAIN_SHUTOFF:
	case VIR_DOMAIN_NOSTATE:
		break;
	}
	return PAIR_OFF;
}

/* "12.3M/s" for a running VM's byte rate, "" otherwise. */
static void rate_text(char *buf, size_t len, const struct vm_row *row, double rate)
{
	static const char units[] = "BKMGT";
	int u = 0;

	if (row->state != VIR_DOMAIN_RUNNING) {
		buf[0] = '\0';
		return;
	}
	while (rate >= 1000 && u < 4) {
		rate /= 1024;
		u++;
	}
	g_snprintf(buf, len, rate < 10 && u ? "%.1f%c/s" : "%.0f%c/s", rate, units[u]);
}

/* @kib as core_format_size() or, when @exact, core_format_size_exact()
 * does; "" for 0. */
static void size_text(char *buf, size_t len, uint64_t kib, bool exact)
{
	g_autofree char *s = !kib ? g_strdup("") : exact ? core_format_size_exact(kib * 1024) :
		core_format_size(kib * 1024);

	g_strlcpy(buf, s, len);
}

static bool running(const struct vm_row *r)
{
	return r->state == VIR_DOMAIN_RUNNING;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_double(double a, double b)
{
	return (a > b) - (a < b);
}

static void cell_name(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	g_strlcpy(buf, r->name, len);
}

static int cmp_name(const struct vm_row *a, const struct vm_row *b)
{
	return g_utf8_collate(a->name, b->name);
}

static void cell_state(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	g_strlcpy(buf, r->settling ? _("not responding") : vm_state_label(r->state), len);
}

static int cmp_state(const struct vm_row *a, const struct vm_row *b)
{
	return a->state - b->state;
}

static void cell_vcpus(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	g_snprintf(buf, len, "%u", r->vcpus);
}

static int cmp_vcpus(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_u64(a->vcpus, b->vcpus);
}

/* The balloon's current size while running, else the configured size. */
static uint64_t memory_kib(const struct vm_row *r)
{
	return running(r) && r->mem_kib ? r->mem_kib : r->max_mem_kib;
}

static void cell_memory(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	size_text(buf, len, memory_kib(r), true);
}

static int cmp_memory(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_u64(memory_kib(a), memory_kib(b));
}

static void cell_used(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	size_text(buf, len, running(r) ? r->used_kib : 0, false);
}

static int cmp_used(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_u64(running(a) ? a->used_kib : 0, running(b) ? b->used_kib : 0);
}

static void cell_cpu(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	if (running(r))
		g_snprintf(buf, len, "%5.1f%%", r->cpu_pct);
	else
		buf[0] = '\0';
}

static int cmp_cpu(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_double(running(a) ? a->cpu_pct : -1, running(b) ? b->cpu_pct : -1);
}

static void cell_disk(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	rate_text(buf, len, r, r->rd_rate + r->wr_rate);
}

static int cmp_disk(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_double(a->rd_rate + a->wr_rate, b->rd_rate + b->wr_rate);
}

static void cell_net(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	rate_text(buf, len, r, r->rx_rate + r->tx_rate);
}

static int cmp_net(const struct vm_row *a, const struct vm_row *b)
{
	return cmp_double(a->rx_rate + a->tx_rate, b->rx_rate + b->tx_rate);
}

static void cell_ip(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	g_autofree char *ip = running(r) ? net_addr_short(r->addrs) : NULL;

	g_strlcpy(buf, ip ? ip : "", len);
}

static int cmp_ip(const struct vm_row *a, const struct vm_row *b)
{
	return g_strcmp0(a->ip, b->ip);
}

void tui_uptime_text(char *buf, size_t len, const struct vm_row *r)
{
	gint64 secs = (g_get_real_time() - r->started) / G_USEC_PER_SEC;

	if (!r->started || r->state == VIR_DOMAIN_SHUTOFF || secs < 0)
		buf[0] = '\0';
	else if (secs >= 86400)
		g_snprintf(buf, len, "%" G_GINT64_FORMAT "d %02d:%02d", secs / 86400,
			   (int)(secs % 86400 / 3600), (int)(secs % 3600 / 60));
	else
		g_snprintf(buf, len, "%02d:%02d:%02d", (int)(secs / 3600),
			   (int)(secs % 3600 / 60), (int)(secs % 60));
}

static void cell_uptime(const struct tui *t, const struct vm_row *r, char *buf, size_t len)
{
	tui_uptime_text(buf, len, r);
}

static int cmp_uptime(const struct vm_row *a, const struct vm_row *b)
{
	/* the longest running first when ascending; unknown last */
	return cmp_u64(a->started ? (uint64_t)a->started : G_MAXUINT64,
		       b->started ? (uint64_t)b->started : G_MAXUINT64);
}

/* TRANSLATORS: column headings of the VM list */
const struct column columns[] = {
	{ "name", N_("NAME"), 0, 0, cell_name, cmp_name },
	{ "state", N_("STATE"), 15, 0, cell_state, cmp_state },
	{ "vcpus", N_("VCPUS"), 6, 2, cell_vcpus, cmp_vcpus },
	{ "memory", N_("MEMORY"), 10, 0, cell_memory, cmp_memory },
	{ "used", N_("USED"), 10, 4, cell_used, cmp_used },
	{ "cpu", N_("CPU"), 8, 0, cell_cpu, cmp_cpu },
	{ "disk", N_("DISK I/O"), 10, 6, cell_disk, cmp_disk },
	{ "net", N_("NET I/O"), 10, 5, cell_net, cmp_net },
	{ "ip", N_("IP ADDRESS"), 16, 1, cell_ip, cmp_ip },
	{ "uptime", N_("UPTIME"), 10, 3, cell_uptime, cmp_uptime },
	{ 0 }
};

int view_domains_compare(const struct tui *t, const struct vm_row *a,
			 const struct vm_row *b)
{
	int c = columns[t->dv.sort].compare(a, b);

	if (c == 0)
		c = cmp_name(a, b);
	return t->dv.sort_desc ? -c : c;
}

#define MARK_CELLS 3  /* mark and state glyph before the first column */
#define NAME_CELLS_MIN 11
#define NAME_CELLS_MAX 32

/* Which columns fit in @cols cells and how wide the name is: columns give
 * way in order of their drop rank.  Returns the name's width. */
static int layout(int cols, bool shown[])
{
	int used = MARK_CELLS + NAME_CELLS_MIN + 1;

	for (int i = 0; columns[i].id; i++) {
		shown[i] = true;
		used += columns[i].width;
	}
	while (used > cols) {
		int worst = -1;

		for (int i = 0; columns[i].id; i++)
			if (shown[i] && columns[i].drop &&
			    (worst < 0 || columns[i].drop > columns[worst].drop))
				worst = i;
		if (worst < 0)
			break;
		shown[worst] = false;
		used -= columns[worst].width;
	}
	return MIN(NAME_CELLS_MAX, NAME_CELLS_MIN + MAX(0, cols - used));
}

/* The column under cell @x of a @cols wide list, or -1. */
static int column_at(int cols, int x)
{
	bool shown[G_N_ELEMENTS(columns)];
	int name_w = layout(cols, shown), at = MARK_CELLS;

	for (int i = 0; columns[i].id; i++) {
		int w = columns[i].width ? columns[i].width : name_w + 1;

		if (!shown[i])
			continue;
		if (x >= at && x < at + w)
			return i;
		at += w;
	}
	return -1;
}

/* "URI  KVM" or "URI  TCG (software emulation: slow)", the URI without
 * its parameters (a key file, ...) but an embedded root's; caller frees. */
static char *engine_text(struct engine *eng)
{
	const char *uri = engine_uri(eng);
	int n = engine_is_embedded(eng) ? (int)strlen(uri) : (int)strcspn(uri, "?");

	if (engine_is_test(eng))
		return g_strdup(uri);
	return g_strdup_printf("%.*s  %s%s", n, uri,
			       engine_accel(eng) == ACCEL_KVM ? "KVM" : "TCG",
			       engine_accel(eng) == ACCEL_KVM ? "" :
			       _(" (software emulation: slow)"));
}

/* The title line: engine, URI and accelerator, or how many hosts. */
static void draw_title(struct tui *t, int top, int cols)
{
	struct host *main = g_ptr_array_index(t->hosts, 0);
	g_autofree char *eng = engine_text(main->eng);
	g_autofree char *title = t->hosts->len > 1 ?
		g_strdup_printf(P_(" vmtui  %u host", " vmtui  %u hosts", t->hosts->len),
				t->hosts->len) :
		g_strdup_printf(" vmtui  %s", eng);

	move(top, 0);
	if (t->color)
		attron(COLOR_PAIR(PAIR_BAR));
	attron(A_BOLD);
	tui_put_cells(title, cols, true);
	attroff(A_BOLD);
	if (t->color)
		attroff(COLOR_PAIR(PAIR_BAR));
}

/* A host's heading: label, engine, and how many VMs run, or why it
 * cannot be reached. */
static void draw_group(struct tui *t, const struct vm_row *g, int cols)
{
	struct host *h = tui_host(t, g);
	g_autofree char *what = NULL, *line = NULL;
	unsigned n = 0, up = 0;

	for (guint i = 0; i < t->all->len; i++) {
		const struct vm_row *r = g_ptr_array_index(t->all, i);

		if (r->host == g->host) {
			n++;
			up += r->state == VIR_DOMAIN_RUNNING;
		}
	}
	if (h->error) {
		/* every failed connect schedules the next */
		what = g_strdup_printf(_("unreachable, trying again in %d s (Enter: now): %s"),
				       (int)MAX(1, (h->retry_at - g_get_monotonic_time()) / G_USEC_PER_SEC),
				       h->error);
	} else if (h->eng && hosts_slow(h)) {
		what = g_strdup_printf(_("not answering for %d s"), hosts_slow(h));
	} else if (!h->eng || !h->loaded) {
		what = g_strdup(_("connecting..."));
	} else {
		g_autofree char *eng = engine_text(h->eng);

		what = g_strdup_printf(P_("%s  %u VM, %u running", "%s  %u VMs, %u running", n),
				       eng, n, up);
	}
	line = g_strdup_printf("%s %s  %s", h->collapsed ? (t->utf8 ? "\u25b8" : "+") :
			       (t->utf8 ? "\u25be" : "-"), h->label, what);
	attron(A_BOLD);
	if ((h->error || hosts_slow(h)) && t->color)
		attron(COLOR_PAIR(PAIR_ERROR));
	tui_put_cells(line, cols, true);
	if ((h->error || hosts_slow(h)) && t->color)
		attroff(COLOR_PAIR(PAIR_ERROR));
	attroff(A_BOLD);
}

/* The list in rows [top, top + height). */
static void draw_list(struct tui *t, int top, int height, int cols)
{
	struct host *main = g_ptr_array_index(t->hosts, 0);
	bool shown[G_N_ELEMENTS(columns)];
	int name_w = layout(cols, shown), last = 0;
	int body = height - 1; /* below the title */

	draw_title(t, top, cols);
	for (int i = 0; columns[i].id; i++)
		if (shown[i])
			last = i;

	/* header; the last column takes what is left of the line */
	move(top + 1, 0);
	attron(A_UNDERLINE);
	tui_put_cells("", MARK_CELLS, true);
	for (int i = 0; columns[i].id; i++) {
		const char *label = _(columns[i].heading);
		g_autofree char *s = t->dv.sort != i ? g_strdup(label) :
			g_strdup_printf("%s %s", label, t->utf8 ?
					(t->dv.sort_desc ? "\u25bc" : "\u25b2") :
					(t->dv.sort_desc ? "v" : "^"));

		if (shown[i])
			tui_put_cells(s, i == last ? MAX(0, cols - getcurx(stdscr)) :
				  columns[i].width ? columns[i].width : name_w + 1, true);
	}
	attroff(A_UNDERLINE);

	list_scroll(&t->dv.list, t->dv.rows->len, top + 2, body - 1);
	for (int i = 0; i < body - 1; i++) {
		int r = t->dv.list.top + i;
		const struct vm_row *row;

		move(top + 2 + i, 0);
		clrtoeol();
		if (r >= (int)t->dv.rows->len) {
			if (t->dv.rows->len == 0 && i == 1) {
				g_autofree char *empty = !main->loaded ? g_strdup(_("Reading the VM list...")) :
					t->dv.filter ?
					g_strdup_printf(_("No VM name contains the filter text (%s then Esc shows all)."),
							actions_key_of("filter")) :
					g_strdup_printf(_("No VMs yet: press %s to create one."),
							actions_key_of("new"));

				move(top + 3, 2);
				tui_put_cells(empty, MAX(0, cols - 3), false);
			}
			continue;
		}
		row = g_ptr_array_index(t->dv.rows, r);
		if (r == t->dv.list.cursor)
			attron(A_REVERSE);
		if (tui_row_is_group(row)) {
			draw_group(t, row, cols);
			attroff(A_REVERSE);
			continue;
		}
		if (t->color)
			attron(COLOR_PAIR(state_pair(row->state)));
		tui_put_cells(tui_row_marked(t, row) ? "*" : " ", 1, true);
		tui_put_cells(state_glyph(t, row->state), MARK_CELLS - 1, true);
		if (t->color)
			attroff(COLOR_PAIR(state_pair(row->state)));
		for (int c = 0; columns[c].id; c++) {
			char buf[128];

			if (!shown[c])
				continue;
			columns[c].text(t, row, buf, sizeof buf);
			tui_put_cells(buf, c == last ? MAX(0, cols - getcurx(stdscr)) :
				  columns[c].width ? columns[c].width : name_w + 1, true);
		}
		if (r == t->dv.list.cursor)
			attroff(A_REVERSE);
	}
}
static void view_draw(struct tui *t, int lines, int cols)
{
	/* the details pane takes the lower part of tall enough terminals;
	 * the list keeps at least 6 rows */
	int avail = lines - 2, pane = avail >= 20 ? MIN(10, avail - 10) : 0;

	erase();
	draw_list(t, 0, avail - pane, cols);
	if (pane) {
		move(avail - pane, 0);
		hline(t->utf8 ? ACS_HLINE : '-', cols);
		view_details_draw(t, avail - pane + 1, pane - 1, cols);
	}
	tui_draw_bottom(t, lines, cols);
}

/* ---- keys ----------------------------------------------------------------- */

/* Enter on a host's heading: fold or unfold its group, or connect again
 * when it could not be reached. */
static int group_activate(struct tui *t, const struct vm_row *g)
{
	struct host *h = tui_host(t, g);

	if (h->error) {
		hosts_reconnect(t, h);
		tui_message(t, false, _("Connecting to %s..."), h->label);
	} else {
		h->collapsed = !h->collapsed;
		tui_rebuild_rows(t);
	}
	return TUI_REDRAW;
}

/* Enter, or a double click: a heading's group, else the Enter action. */
static int activate(struct tui *t)
{
	const struct vm_row *cur = tui_cursor_row(t);

	if (cur && tui_row_is_group(cur))
		return group_activate(t, cur);
	return actions_dispatch(t, '\n') | TUI_REDRAW;
}

/* A click selects a row, a double click opens it, a right click opens
 * the menu, the wheel scrolls, a click on a heading sorts by it. */
static int mouse(struct tui *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return TUI_REDRAW;
	if (ev.y == t->dv.list.y - 1 && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
		/* a heading: sort by it, a second click reverses */
		int col = column_at(COLS, ev.x);

		if (col < 0)
			return TUI_REDRAW;
		tui_sort_by(t, col, col == t->dv.sort && !t->dv.sort_desc);
		return TUI_REDRAW;
	}
	switch (list_mouse(&t->dv.list, t->dv.rows->len, &ev)) {
	case LIST_MISS:
		return TUI_REDRAW;
	case LIST_MENU:
		tui_keep_cursor(t);
		return actions_menu(t);
	case LIST_OPEN:
		tui_keep_cursor(t);
		return activate(t);
	case LIST_MOVED:
		break;
	}
	tui_keep_cursor(t);
	return TUI_REDRAW;
}

/* Keys no action took: moving, marking, the details' tabs; TUI_NONE
 * leaves the key to the actions. */
static int view_key(struct tui *t, int key)
{
	const struct vm_row *cur = tui_cursor_row(t);

	if (key == KEY_MOUSE)
		return mouse(t);
	if (list_key(&t->dv.list, t->dv.rows->len, key)) {
		tui_keep_cursor(t);
		return TUI_REDRAW;
	}
	switch (key) {
	case KEY_RESIZE:
		return TUI_REDRAW;
	case '\t':
		return view_details_next_tab(t, 1);
	case KEY_BTAB:
		return view_details_next_tab(t, -1);
	case 27: /* Esc: drop the marks */
		g_hash_table_remove_all(t->dv.marked);
		return TUI_REDRAW;
	case ' ':
		if (tui_selected(t)) {
			tui_toggle_mark(t, tui_selected(t));
			list_key(&t->dv.list, t->dv.rows->len, KEY_DOWN);
			tui_keep_cursor(t);
		}
		return TUI_REDRAW;
	default:
		if (cur && tui_row_is_group(cur) && tui_is_enter((wint_t)key, key >= KEY_MIN))
			return group_activate(t, cur);
		return TUI_NONE;
	}
}

static const char *view_selected(struct tui *t)
{
	const struct vm_row *vm = tui_selected(t);

	return vm ? vm->name : NULL;
}

static void none_selected(struct tui *t)
{
	tui_message(t, true, _("No VM is selected."));
}

static void view_changed(struct tui *t)
{
	view_details_update(t, true);
}

static void view_idle(struct tui *t)
{
	view_details_update(t, false);
}

static bool view_close(struct tui *t)
{
	view_details_free(t);
	g_clear_pointer(&t->dv.rows, g_ptr_array_unref);
	g_clear_pointer(&t->dv.marked, g_hash_table_unref);
	g_clear_pointer(&t->dv.filter, g_free);
	list_fini(&t->dv.list);
	return true;
}

static int view_open(struct tui *t)
{
	if (!t->dv.rows) {
		t->dv.rows = g_ptr_array_new();
		t->dv.marked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	}
	view_details_init(t);
	return TUI_REDRAW;
}

const struct view view_domains = {
	.title = N_("The VM list"),
	.open = view_open,
	.draw = view_draw,
	.key = view_key,
	.selected = view_selected,
	.none_selected = none_selected,
	.changed = view_changed,
	.idle = view_idle,
	.live = view_details_live,
	.close = view_close,
};

/*
 * view-domains.c — draws the VM list: one row per VM with a state glyph
 * (readable without colour), vCPUs, memory and CPU use.  Widths are
 * measured in terminal cells, so CJK names keep the columns aligned.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

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

/* Writes @s at the cursor, cut to @cells cells and padded with spaces. */
static void put_cells(const char *s, int cells)
{
	GString *g = g_string_new(NULL);
	int w = 0;

	for (const char *p = s; *p && w < cells; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		int cw = g_unichar_iswide(c) ? 2 : 1;

		if (w + cw > cells)
			break;
		g_string_append_unichar(g, c);
		w += cw;
	}
	for (; w < cells; w++)
		g_string_append_c(g, ' ');
	addstr(g->str);
	g_string_free(g, TRUE);
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

/* A column heading, with an arrow on the sort column. */
static void heading(const struct tui *t, const char *label, enum sort_key key,
		    int cells)
{
	g_autofree char *s = t->sort != key ? g_strdup(label) :
		g_strdup_printf("%s %s", label, t->utf8 ?
				(t->sort_desc ? "\u25bc" : "\u25b2") :
				(t->sort_desc ? "v" : "^"));

	put_cells(s, cells);
}

void view_domains_draw(struct tui *t, int top, int height, int cols)
{
	int name_w = MAX(12, MIN(32, cols - 67));
	int body = height - 1; /* below the title */
	g_autofree char *title = NULL;

	/* title line */
	move(top, 0);
	if (t->color)
		attron(COLOR_PAIR(PAIR_BAR));
	attron(A_BOLD);
	title = engine_is_test(t->eng) ? g_strdup_printf(" vmtui  %s", engine_uri(t->eng)) :
		g_strdup_printf(" vmtui  %s  %s%s", engine_uri(t->eng),
				engine_accel(t->eng) == ACCEL_KVM ? "KVM" : "TCG",
				engine_accel(t->eng) == ACCEL_KVM ? "" :
				_(" (software emulation: slow)"));
	put_cells(title, cols);
	attroff(A_BOLD);
	if (t->color)
		attroff(COLOR_PAIR(PAIR_BAR));

	/* header */
	move(top + 1, 0);
	attron(A_UNDERLINE);
	put_cells("   ", 3);
	/* TRANSLATORS: column headings of the VM list */
	heading(t, _("NAME"), SORT_NAME, name_w + 1);
	heading(t, _("STATE"), SORT_STATE, 16);
	put_cells(_("VCPUS"), 8);
	heading(t, _("MEMORY"), SORT_MEMORY, 10);
	heading(t, _("CPU"), SORT_CPU, 8);
	put_cells(_("DISK I/O"), 10);
	put_cells(_("NET I/O"), MAX(0, cols - name_w - 56));
	attroff(A_UNDERLINE);

	t->list_rows = body - 1;
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + body - 1)
		t->top = t->cursor - (body - 2);
	if (t->top < 0)
		t->top = 0;
	for (int i = 0; i < body - 1; i++) {
		int r = t->top + i;
		const struct vm_row *row;
		char buf[64];

		move(top + 2 + i, 0);
		clrtoeol();
		if (r >= (int)t->rows->len) {
			if (t->rows->len == 0 && i == 1) {
				move(top + 3, 2);
				addstr(_("No VMs yet: press : and type create NAME ..."));
			}
			continue;
		}
		row = g_ptr_array_index(t->rows, r);
		if (r == t->cursor)
			attron(A_REVERSE);
		if (t->color)
			attron(COLOR_PAIR(state_pair(row->state)));
		put_cells(g_hash_table_contains(t->marked, row->uuid) ? "*" : " ", 1);
		put_cells(state_glyph(t, row->state), 2);
		if (t->color)
			attroff(COLOR_PAIR(state_pair(row->state)));
		put_cells(row->name, name_w + 1);
		put_cells(row->settling ? _("not responding") :
			  vm_state_label(row->state), 16);
		g_snprintf(buf, sizeof buf, "%u", row->vcpus);
		put_cells(buf, 8);
		g_snprintf(buf, sizeof buf, "%" PRIu64 " MiB",
			   (row->state == VIR_DOMAIN_RUNNING && row->mem_kib ?
			    row->mem_kib : row->max_mem_kib) / 1024);
		put_cells(buf, 10);
		if (row->state == VIR_DOMAIN_RUNNING)
			g_snprintf(buf, sizeof buf, "%5.1f%%", row->cpu_pct);
		else
			buf[0] = '\0';
		put_cells(buf, 8);
		rate_text(buf, sizeof buf, row, row->rd_rate + row->wr_rate);
		put_cells(buf, 10);
		rate_text(buf, sizeof buf, row, row->rx_rate + row->tx_rate);
		put_cells(buf, MAX(0, cols - name_w - 56));
		if (r == t->cursor)
			attroff(A_REVERSE);
	}
}

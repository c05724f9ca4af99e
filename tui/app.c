/*
 * app.c — the full-screen interface's loop.
 *
 * poll() waits on the terminal, a self-pipe (signals and lifecycle events)
 * and the job notification pipe, with a timeout for the next stats
 * refresh.  Handlers only change state and return TUI_* flags; the screen
 * is redrawn once per pass, and curses sends only the cells that changed.
 * Nothing here calls libvirt: commands and refreshes are jobs.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "tui/tui.h"

static int wake_pipe[2] = { -1, -1 };

/* Signal handlers and the event thread only write a byte naming why. */
static void wake(char why)
{
	ssize_t n;

	do {
		n = write(wake_pipe[1], &why, 1);
	} while (n < 0 && errno == EINTR);
}

static void on_signal(int sig)
{
	wake(sig == SIGWINCH ? 'w' : 'q');
}

static void on_model_event(void *opaque)
{
	wake('e');
}

/* A crash must not leave the terminal in raw mode. */
static void on_fatal(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

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

bool tui_edit_text(GString *text, wint_t ch, bool is_key)
{
	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		const char *prev = text->len ?
			g_utf8_find_prev_char(text->str, text->str + text->len) : NULL;

		g_string_truncate(text, prev ? (gsize)(prev - text->str) : 0);
		return true;
	}
	if (!is_key && ch >= 32) {
		g_string_append_unichar(text, (gunichar)ch);
		return true;
	}
	return false;
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
}

const struct vm_row *tui_cursor_row(struct tui *t)
{
	if (t->cursor < 0 || t->cursor >= (int)t->rows->len)
		return NULL;
	return g_ptr_array_index(t->rows, t->cursor);
}

const struct vm_row *tui_selected(struct tui *t)
{
	const struct vm_row *r = tui_cursor_row(t);

	return r && !tui_row_is_group(r) ? r : NULL;
}

struct host *tui_host(struct tui *t, const struct vm_row *row)
{
	if (!row)
		row = tui_cursor_row(t);
	return g_ptr_array_index(t->hosts, row ? row->host : 0);
}

void tui_row_key(const struct vm_row *r, char key[ROW_KEY_LEN])
{
	g_snprintf(key, ROW_KEY_LEN, "%u/%s", r->host, r->uuid);
}

bool tui_row_marked(struct tui *t, const struct vm_row *r)
{
	char key[ROW_KEY_LEN];

	tui_row_key(r, key);
	return g_hash_table_contains(t->marked, key);
}

/* Remembers which row the cursor is on, so it stays there as rows come,
 * go and move. */
static void keep_cursor(struct tui *t)
{
	if (tui_cursor_row(t))
		tui_row_key(tui_cursor_row(t), t->cursor_key);
}

void tui_prompt(struct tui *t, const char *label, const char *initial,
		prompt_done_fn done)
{
	g_free(t->prompt_label);
	t->prompt_label = g_strdup(label);
	g_string_assign(t->input, initial);
	t->prompt_done = done;
	t->prompt_changed = NULL;
	t->prompt_is_command = false;
	t->history_pos = (int)t->history->len;
	t->mode = MODE_PROMPT;
}

void tui_pager(struct tui *t, const char *title, const char *text)
{
	g_free(t->pager_title);
	g_strfreev(t->pager_lines);
	g_autofree char *safe = core_printable(text, true);

	t->pager_title = core_printable(title, false);
	t->pager_lines = g_strsplit(safe, "\n", -1);
	t->pager_top = 0;
	t->pager_hit = -1;
	t->pager_typing = false;
	t->mode = MODE_PAGER;
}

int tui_run_command(struct tui *t, struct host *h, char **argv,
		    const char *vm, bool show_output)
{
	tui_start_command(t, h, argv, vm, show_output);
	return TUI_REDRAW;
}

struct tui_job *tui_start_command(struct tui *t, struct host *h, char **argv,
				  const char *vm, bool show_output)
{
	int argc = (int)g_strv_length(argv);
	struct tui_job *tj;
	struct cmd_ctx *ctx;
	bool help_only;

	if (!h)
		h = tui_host(t, NULL);
	ctx = command_parse(t->cfg, argc, argv, &help_only);
	if (!ctx) {
		tui_message(t, true, "%s", core_error_message());
		return NULL;
	}
	if (help_only || ctx->cmd->flags & CMD_STREAM) {
		if (help_only)
			tui_pager(t, argv[0], ctx->out->str);
		else
			tui_message(t, true, _("\"%s\" runs until stopped; use it from a shell."),
				    argv[0]);
		command_ctx_free(ctx);
		return NULL;
	}
	if (!h->eng && ctx->cmd->flags & CMD_ENGINE) {
		tui_message(t, true, _("Host %s is not connected."), h->label);
		command_ctx_free(ctx);
		return NULL;
	}
	ctx->eng = h->eng;
	if (ctx->cmd->flags & CMD_TERMINAL) {
		tui_take_terminal(t, ctx);
		command_ctx_free(ctx);
		return NULL;
	}
	tj = g_new0(struct tui_job, 1);
	tj->ctx = ctx;
	tj->vm = g_strdup(vm);
	tj->host = h;
	tj->show_output = show_output;
	tj->job = command_submit(ctx);
	g_ptr_array_add(t->jobs, tj);
	return tj;
}

/* Leaves the screen to a CMD_TERMINAL command (a console) until it
 * returns, then takes it back whole, at whatever size it has now. */
void tui_take_terminal(struct tui *t, struct cmd_ctx *ctx)
{
	int rc;

	def_prog_mode();
	endwin();
	rc = ctx->cmd->exec(ctx);
	reset_prog_mode();
	refresh(); /* after endwin: also picks up a new terminal size */
	clearok(curscr, TRUE);
	if (rc < 0)
		tui_message(t, true, "%s", core_error_message());
	else if (ctx->out->len)
		tui_message(t, false, "%s", g_strchomp(ctx->out->str));
}

static void tui_job_free(gpointer p)
{
	struct tui_job *tj = p;

	job_unref(tj->job);
	command_ctx_free(tj->ctx);
	g_free(tj->vm);
	g_free(tj);
}

/* Longest common prefix of @cands; caller frees. */
static char *common_prefix(GPtrArray *cands)
{
	gsize len = strlen(cands->pdata[0]);

	for (guint i = 1; i < cands->len; i++) {
		const char *c = cands->pdata[i];
		gsize k = 0;

		while (k < len && c[k] == ((const char *)cands->pdata[0])[k])
			k++;
		len = k;
	}
	return g_strndup(cands->pdata[0], len);
}

void tui_complete(struct tui *t)
{
	const char *text = t->input->str;
	const char *word = strrchr(text, ' ');
	bool first = word == NULL;
	g_autoptr(GPtrArray) cands = g_ptr_array_new();
	g_autofree char *prefix = NULL;
	GString *list;

	word = word ? word + 1 : text;
	if (first) {
		for (const struct command *c = commands; c->name; c++)
			if (g_str_has_prefix(c->name, word))
				g_ptr_array_add(cands, (gpointer)c->name);
	} else {
		for (guint i = 0; i < t->all->len; i++) {
			const struct vm_row *r = g_ptr_array_index(t->all, i);

			if (g_str_has_prefix(r->name, word) &&
			    !g_ptr_array_find_with_equal_func(cands, r->name, g_str_equal, NULL))
				g_ptr_array_add(cands, r->name);
		}
	}
	if (!cands->len) {
		tui_message(t, true, _("Nothing matches \"%s\"."), word);
		return;
	}
	prefix = common_prefix(cands);
	g_string_truncate(t->input, (gsize)(word - text));
	g_string_append(t->input, prefix);
	if (cands->len == 1) {
		g_string_append_c(t->input, ' ');
		return;
	}
	list = g_string_new(NULL);
	for (guint i = 0; i < cands->len; i++)
		g_string_append_printf(list, "%s%s", i ? "  " : "", (char *)cands->pdata[i]);
	tui_message(t, false, "%s", list->str);
	g_string_free(list, TRUE);
}

/* ---- hosts and their models ------------------------------------------- */

static int refresh_job(struct job *job, void *data)
{
	struct host *h = data;

	/* right after start-up libvirt may still reconnect to guests; later
	 * refreshes mark a guest that stops answering as "not responding"
	 * instead of waiting for it */
	if (!h->settled) {
		engine_wait_all_settled(h->eng, 3000);
		h->settled = true;
	}
	return model_refresh(h->model);
}

static void start_refresh(struct tui *t)
{
	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		if (h->eng && !h->refresh)
			h->refresh = job_submit("refresh", refresh_job, h, NULL, false);
	}
	t->next_refresh = g_get_monotonic_time() + (gint64)t->refresh_ms * 1000;
}

static void host_connected(struct host *h, struct engine *eng)
{
	h->eng = eng;
	h->model = model_new(eng);
	model_set_notify(h->model, on_model_event, NULL);
}

struct open_data {
	const struct core_config *cfg;
	char *uri;
	struct engine *eng;
};

static void open_data_free(gpointer p)
{
	struct open_data *d = p;

	if (d->eng && engine_close(d->eng) < 0)
		g_warning("engine left open"); /* only embedded engines refuse */
	g_free(d->uri);
	g_free(d);
}

static int open_job(struct job *job, void *data)
{
	struct open_data *d = data;

	d->eng = engine_open_uri(d->cfg, d->uri, false);
	return d->eng ? 0 : -1;
}

/* Connects to [hosts] entry @h in the background. */
static void host_open(struct tui *t, struct host *h)
{
	struct open_data *d = g_new0(struct open_data, 1);

	d->cfg = t->cfg;
	d->uri = g_strdup(h->uri);
	g_clear_pointer(&h->error, g_free);
	h->open = job_submit("connect", open_job, d, open_data_free, false);
}

/* Collects finished connections and refreshes; TUI_REDRAW on news. */
static int reap_hosts(struct tui *t)
{
	int res = TUI_NONE;

	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);
		g_autofree char *err = NULL;

		if (h->open && job_wait(h->open, 0)) {
			struct open_data *d = job_data(h->open);

			if (job_get_error(h->open, &err) == CORE_OK) {
				host_connected(h, g_steal_pointer(&d->eng));
				start_refresh(t);
			} else {
				h->error = g_steal_pointer(&err);
			}
			g_clear_pointer(&h->open, job_unref);
			res |= TUI_REDRAW;
		}
		if (h->refresh && job_wait(h->refresh, 0)) {
			if (job_get_error(h->refresh, &err) != CORE_OK)
				tui_message(t, true, "%s", err);
			g_clear_pointer(&h->refresh, job_unref);
			h->loaded = true;
			h->model_gen = ~model_generation(h->model); /* take rows */
			res |= TUI_REDRAW;
		}
	}
	return res;
}

static void host_free(gpointer p)
{
	struct host *h = p;

	g_free(h->label);
	g_free(h->uri);
	g_free(h->error);
	g_free(h);
}

static struct host *host_new(struct tui *t, const char *label, const char *uri)
{
	struct host *h = g_new0(struct host, 1);
	struct vm_row *heading = g_new0(struct vm_row, 1);

	h->id = t->hosts->len;
	h->label = g_strdup(label);
	h->uri = g_strdup(uri);
	heading->name = g_strdup(label);
	heading->host = h->id;
	g_ptr_array_add(t->hosts, h);
	g_ptr_array_add(t->groups, heading);
	return h;
}

/* The main engine @eng, then each of [hosts] (connected in the
 * background); an entry naming the main engine's URI only gives it its
 * label. */
static void add_hosts(struct tui *t, struct engine *eng)
{
	const char *label = engine_is_embedded(eng) ? _("local") : engine_uri(eng);
	struct host *h;

	t->hosts = g_ptr_array_new_with_free_func(host_free);
	t->groups = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	for (guint i = 0; i < t->cfg->hosts->len; i++) {
		const struct core_pair *p = t->cfg->hosts->pdata[i];

		if (strcmp(p->value, engine_uri(eng)) == 0)
			label = p->key;
	}
	h = host_new(t, label, t->cfg->uri);
	host_connected(h, eng);
	for (guint i = 0; i < t->cfg->hosts->len; i++) {
		const struct core_pair *p = t->cfg->hosts->pdata[i];

		if (strcmp(p->value, engine_uri(eng)) != 0)
			host_open(t, host_new(t, p->key, p->value));
	}
}

/* -1 when the main engine must be left open (see engine_close). */
static int close_hosts(struct tui *t)
{
	int ret = 0;

	for (guint i = t->hosts->len; i-- > 0;) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		g_clear_pointer(&h->refresh, job_unref);
		g_clear_pointer(&h->open, job_unref);
		model_free(h->model);
		if (engine_close(h->eng) < 0)
			ret = -1;
	}
	g_ptr_array_unref(t->hosts);
	g_ptr_array_unref(t->groups);
	return ret;
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

	if (!t->filter || !*t->filter)
		return true;
	folded = g_utf8_casefold(r->name, -1);
	return strstr(folded, t->filter) != NULL;
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
	g_ptr_array_unref(t->rows);
	t->rows = g_ptr_array_new();
	for (guint hi = 0; hi < t->hosts->len; hi++) {
		if (grouped)
			g_ptr_array_add(t->rows, g_ptr_array_index(t->groups, hi));
		for (; k < vms->len && ((struct vm_row *)vms->pdata[k])->host == hi; k++)
			g_ptr_array_add(t->rows, vms->pdata[k]);
	}
	/* keep the cursor on the same row as rows come and go */
	t->cursor = MIN(t->cursor, (int)t->rows->len - 1);
	for (guint i = 0; i < t->rows->len; i++) {
		char key[ROW_KEY_LEN];

		tui_row_key(g_ptr_array_index(t->rows, i), key);
		if (strcmp(key, t->cursor_key) == 0)
			t->cursor = (int)i;
	}
	if (t->cursor < 0)
		t->cursor = 0;
	/* at first, on the first VM rather than its host's heading */
	for (guint i = t->cursor; !t->cursor_key[0] && i < t->rows->len; i++) {
		if (!tui_row_is_group(g_ptr_array_index(t->rows, i))) {
			t->cursor = (int)i;
			break;
		}
	}
}

/* Takes fresh copies of the models' rows when one of them changed. */
static int take_rows(struct tui *t)
{
	GPtrArray *old = t->all;
	bool changed = false;

	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		changed |= h->model && model_generation(h->model) != h->model_gen;
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

	for (guint i = 0; i < t->rows->len; i++) {
		struct vm_row *r = g_ptr_array_index(t->rows, i);

		if (!tui_row_is_group(r) && tui_row_marked(t, r))
			g_ptr_array_add(out, r);
	}
	if (!out->len && tui_selected(t))
		g_ptr_array_add(out, (gpointer)tui_selected(t));
	return out;
}

/* Collects finished jobs; returns TUI_REDRAW when something changed. */
static int reap_jobs(struct tui *t)
{
	int res = TUI_NONE;

	for (guint i = 0; i < t->jobs->len;) {
		struct tui_job *tj = g_ptr_array_index(t->jobs, i);
		g_autofree char *err = NULL;
		enum core_err code;

		if (!job_wait(tj->job, 0)) {
			i++;
			continue;
		}
		code = job_get_error(tj->job, &err);
		if (form_job_done(t, tj, code == CORE_OK, err)) {
			/* the form shows its own failure */
		} else if (code == CORE_ERR_TIMEOUT && tj->vm && t->mode == MODE_LIST &&
		    strcmp(tj->ctx->cmd->name, "shutdown") == 0) {
			/* the guest ignored ACPI: offer the way out */
			tui_message(t, true, "%s", err);
			actions_offer_force_off(t, tj->host->id, tj->vm,
						_("The guest ignored the shutdown request."));
		} else if (code != CORE_OK) {
			tui_message(t, true, "%s", err);
		} else if (tj->show_output && t->mode == t->view &&
			   strchr(tj->ctx->out->str, '\n') != strrchr(tj->ctx->out->str, '\n')) {
			/* a report of several lines, unless the user is busy
			 * with a form, a prompt or another text */
			tui_pager(t, tj->ctx->cmd->name, tj->ctx->out->str);
		} else {
			g_strchomp(tj->ctx->out->str);
			tui_message(t, false, "%s", g_strdelimit(tj->ctx->out->str, "\n", ' '));
		}
		g_ptr_array_remove_index(t->jobs, i);
		start_refresh(t);
		view_details_update(t, true);
		view_templates_reload(t);
		res |= TUI_REDRAW;
	}
	return res;
}

/* ---- drawing ------------------------------------------------------------ */

void tui_draw_bottom(struct tui *t, int lines, int cols, const char *hint_text)
{
	GString *hint = g_string_new(hint_text ? hint_text : " ");
	int running;

	for (const struct action *a = actions; !hint_text && a->name; a++)
		if (a->flags & ACT_HINT)
			g_string_append_printf(hint, "%s %s  ", actions_key_label(a), _(a->name));
	move(lines - 2, 0);
	clrtoeol();
	attron(A_DIM);
	/* while typing a command, the line above shows the candidates */
	addnstr(t->mode == MODE_PROMPT && t->prompt_is_command && t->message ?
		t->message : hint->str, cols);
	attroff(A_DIM);
	g_string_free(hint, TRUE);

	move(lines - 1, 0);
	clrtoeol();
	if (t->mode == MODE_PROMPT) {
		addstr(t->prompt_label);
		addstr(t->input->str);
		curs_set(1);
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

static void draw_pager(struct tui *t, int lines, int cols)
{
	int n = (int)g_strv_length(t->pager_lines);

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, " %s", t->pager_title);
	attroff(A_BOLD);
	t->pager_top = CLAMP(t->pager_top, 0, MAX(0, n - (lines - 2)));
	for (int i = 0; i < lines - 2 && t->pager_top + i < n; i++) {
		bool hit = t->pager_top + i == t->pager_hit;

		if (hit)
			attron(A_REVERSE);
		mvaddnstr(1 + i, 0, t->pager_lines[t->pager_top + i], cols);
		if (hit)
			attroff(A_REVERSE);
	}
	move(lines - 1, 0);
	if (t->pager_typing) {
		printw("/%s", t->pager_search->str);
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

static void draw(struct tui *t)
{
	enum tui_mode mode = t->mode == MODE_PICKER ? picker_under(t->picker) : t->mode;
	int lines, cols;

	if (mode == MODE_PROMPT)
		mode = t->view;
	getmaxyx(stdscr, lines, cols);
	if (mode == MODE_PAGER) {
		draw_pager(t, lines, cols);
	} else if (mode == MODE_FORM) {
		form_draw(t, lines, cols);
	} else if (mode == MODE_TEMPLATES) {
		view_templates_draw(t, lines, cols);
	} else {
		/* the details pane takes the lower part of tall enough
		 * terminals; the list keeps at least 6 rows */
		int avail = lines - 2, pane = avail >= 20 ? MIN(10, avail - 10) : 0;

		erase();
		view_domains_draw(t, 0, avail - pane, cols);
		if (pane) {
			move(avail - pane, 0);
			hline(t->utf8 ? ACS_HLINE : '-', cols);
			view_details_draw(t, avail - pane + 1, pane - 1, cols);
		}
		tui_draw_bottom(t, lines, cols, NULL);
	}
	if (t->mode == MODE_PICKER)
		picker_draw(t, lines, cols);
	refresh();
}

/* ---- keys ----------------------------------------------------------------- */

static int key_list(struct tui *t, int key);

/* Click selects a row, double click opens it, the wheel scrolls. */
static int mouse_list(struct tui *t)
{
	MEVENT ev;
	int n = (int)t->rows->len, row;

	if (getmouse(&ev) != OK)
		return TUI_NONE;
	if (ev.bstate & (BUTTON3_PRESSED | BUTTON3_CLICKED)) {
		/* a right click: the menu of the row clicked */
		row = t->top + ev.y - 2;
		if (ev.y >= 2 && ev.y < 2 + t->list_rows && row < n) {
			t->cursor = row;
			keep_cursor(t);
		}
		return actions_menu(t);
	} else if (ev.bstate & BUTTON4_PRESSED) {
		t->cursor = MAX(t->cursor - 3, 0);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		t->cursor = MAX(MIN(t->cursor + 3, n - 1), 0);
	} else if (ev.y == 1 && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
		/* a heading: sort by it, a second click reverses */
		int col = view_domains_column_at(COLS, ev.x);

		if (col < 0)
			return TUI_NONE;
		t->sort_desc = col == t->sort && !t->sort_desc;
		t->sort = col;
		tui_rebuild_rows(t);
		tui_message(t, false, _("Sorted by %s."), _(columns[col].heading));
	} else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
		row = t->top + ev.y - 2; /* below the title and the header */
		if (ev.y < 2 || ev.y >= 2 + t->list_rows || row >= n)
			return TUI_NONE;
		t->cursor = row;
		keep_cursor(t);
		if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
			return key_list(t, '\n');
	}
	keep_cursor(t);
	return TUI_REDRAW;
}

/* Enter on a host's heading: fold or unfold its group, or connect again
 * when it could not be reached. */
static int group_activate(struct tui *t, const struct vm_row *g)
{
	struct host *h = tui_host(t, g);

	if (h->error) {
		host_open(t, h);
		tui_message(t, false, _("Connecting to %s..."), h->label);
	} else {
		h->collapsed = !h->collapsed;
		tui_rebuild_rows(t);
	}
	return TUI_REDRAW;
}

bool tui_move_cursor(int *cursor, int n, int page, int key, bool letters)
{
	if (letters)
		key = key == 'j' ? KEY_DOWN : key == 'k' ? KEY_UP :
		      key == 'g' ? KEY_HOME : key == 'G' ? KEY_END : key;
	switch (key) {
	case KEY_DOWN:
		*cursor = MIN(*cursor + 1, n - 1);
		break;
	case KEY_UP:
		*cursor = *cursor - 1;
		break;
	case KEY_NPAGE:
		*cursor = MIN(*cursor + page, n - 1);
		break;
	case KEY_PPAGE:
		*cursor = *cursor - page;
		break;
	case KEY_HOME:
		*cursor = 0;
		break;
	case KEY_END:
		*cursor = n - 1;
		break;
	default:
		return false;
	}
	*cursor = MAX(*cursor, 0);
	return true;
}

static int key_list(struct tui *t, int key)
{
	int n = (int)t->rows->len, page = MAX(1, LINES - 4);
	int res = TUI_REDRAW;

	if (tui_move_cursor(&t->cursor, n, page, key, true)) {
		keep_cursor(t);
		return TUI_REDRAW;
	}
	switch (key) {
	case KEY_RESIZE:
		break;
	case KEY_MOUSE:
		return mouse_list(t);
	case '\t':
		return view_details_next_tab(t, 1);
	case KEY_BTAB:
		return view_details_next_tab(t, -1);
	case 27: /* Esc: drop the marks */
		g_hash_table_remove_all(t->marked);
		break;
	case ' ':
		if (tui_selected(t)) {
			char k[ROW_KEY_LEN];

			tui_row_key(tui_selected(t), k);
			if (!g_hash_table_remove(t->marked, k))
				g_hash_table_add(t->marked, g_strdup(k));
			t->cursor = MIN(t->cursor + 1, n - 1);
		}
		break;
	default:
		if (tui_cursor_row(t) && tui_row_is_group(tui_cursor_row(t)) &&
		    tui_is_enter((wint_t)key, key >= KEY_MIN))
			return group_activate(t, tui_cursor_row(t));
		g_clear_pointer(&t->message, g_free);
		res = actions_dispatch(t, key);
		if (res == TUI_NONE)
			res = TUI_REDRAW;
		break;
	}
	if (t->cursor < 0)
		t->cursor = 0;
	keep_cursor(t);
	return res;
}

static int key_prompt(struct tui *t, wint_t ch, bool is_key)
{
	if (is_key && ch == KEY_RESIZE)
		return TUI_REDRAW;
	if (t->prompt_is_command && is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
		int n = (int)t->history->len;

		t->history_pos = CLAMP(t->history_pos + (ch == KEY_UP ? -1 : 1), 0, n);
		g_string_assign(t->input, t->history_pos < n ?
				(const char *)t->history->pdata[t->history_pos] : "");
		return TUI_REDRAW;
	}
	if (t->prompt_is_command && !is_key && ch == '\t') {
		tui_complete(t);
		return TUI_REDRAW;
	}
	if (tui_is_enter(ch, is_key)) {
		g_autofree char *text = g_strdup(t->input->str);

		if (t->prompt_is_command && *text &&
		    (!t->history->len ||
		     strcmp(g_ptr_array_index(t->history, t->history->len - 1), text) != 0))
			g_ptr_array_add(t->history, g_strdup(text));
		t->mode = t->view;
		return t->prompt_done(t, text) | TUI_REDRAW;
	}
	if (!is_key && ch == 27) {
		t->mode = t->view;
		if (t->prompt_changed)
			t->prompt_changed(t, "");
		else
			tui_message(t, false, _("Cancelled."));
		return TUI_REDRAW;
	}
	tui_edit_text(t->input, ch, is_key);
	if (t->prompt_changed)
		t->prompt_changed(t, t->input->str);
	return TUI_REDRAW;
}

/* Finds the next line after @from containing the search text (any case). */
static void pager_find(struct tui *t, int from)
{
	int n = (int)g_strv_length(t->pager_lines);
	g_autofree char *needle = g_utf8_casefold(t->pager_search->str, -1);

	if (!*needle)
		return;
	for (int k = 1; k <= n; k++) {
		int i = (from + k) % n;
		g_autofree char *line = g_utf8_casefold(t->pager_lines[i], -1);

		if (strstr(line, needle)) {
			t->pager_hit = i;
			t->pager_top = MAX(0, i - 2);
			return;
		}
	}
	t->pager_hit = -1;
	tui_message(t, true, _("\"%s\" is not in this text."), t->pager_search->str);
}

/* Keys while typing a search in the pager. */
static int key_pager_search(struct tui *t, wint_t ch, bool is_key)
{
	if (tui_is_enter(ch, is_key)) {
		t->pager_typing = false;
		pager_find(t, t->pager_top - 1);
	} else if (!is_key && ch == 27) {
		t->pager_typing = false;
	} else {
		tui_edit_text(t->pager_search, ch, is_key);
	}
	return TUI_REDRAW;
}

static int key_pager(struct tui *t, int key)
{
	int page = MAX(1, LINES - 3);

	g_clear_pointer(&t->message, g_free);
	switch (key) {
	case '/':
		t->pager_typing = true;
		g_string_truncate(t->pager_search, 0);
		break;
	case 'n':
		pager_find(t, t->pager_hit >= 0 ? t->pager_hit : t->pager_top - 1);
		break;
	case 'q':
	case 27:
	case KEY_LEFT:
		t->mode = t->view;
		break;
	case 'j':
	case KEY_DOWN:
	case '\n':
		t->pager_top++;
		break;
	case 'k':
	case KEY_UP:
		t->pager_top--;
		break;
	case ' ':
	case KEY_NPAGE:
		t->pager_top += page;
		break;
	case 'b':
	case KEY_PPAGE:
		t->pager_top -= page;
		break;
	case 'g':
	case KEY_HOME:
		t->pager_top = 0;
		break;
	case 'G':
	case KEY_END:
		t->pager_top = G_MAXINT / 2;
		break;
	}
	return TUI_REDRAW;
}

/* Reads every pending key and hands it to the mode's handler. */
static int read_keys(struct tui *t)
{
	int res = TUI_NONE;
	wint_t ch;
	int kind;

	while ((kind = get_wch(&ch)) != ERR) {
		bool is_key = kind == KEY_CODE_YES;

		switch (t->mode) {
		case MODE_PROMPT:
			res |= key_prompt(t, ch, is_key);
			break;
		case MODE_PAGER:
			res |= t->pager_typing ? key_pager_search(t, ch, is_key) :
				key_pager(t, (int)ch);
			break;
		case MODE_FORM:
			res |= form_key(t, ch, is_key);
			break;
		case MODE_PICKER:
			res |= picker_key(t, ch, is_key);
			break;
		case MODE_TEMPLATES:
			/* a typed character past KEY_MIN is no key code */
			res |= view_templates_key(t, !is_key && ch >= KEY_MIN ? 0 : (int)ch);
			break;
		case MODE_LIST:
			res |= key_list(t, (int)ch);
			break;
		}
		if (res & TUI_QUIT)
			break;
	}
	return res;
}

/* ---- set-up and the loop ------------------------------------------------ */

static void setup_terminal(struct tui *t)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++)
		signal(fatal[i], on_fatal);

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (t->cfg->mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
			  BUTTON1_PRESSED | BUTTON3_PRESSED | BUTTON3_CLICKED |
			  BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(250);
	}
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	theme_apply(t);
}

/* Cancels jobs and waits briefly; false if one is stuck (frozen guest). */
static bool finish_jobs(struct tui *t)
{
	bool all = true;

	for (guint i = 0; i < t->jobs->len; i++)
		job_cancel(((struct tui_job *)g_ptr_array_index(t->jobs, i))->job);
	for (guint i = 0; i < t->jobs->len; i++)
		all &= job_wait(((struct tui_job *)g_ptr_array_index(t->jobs, i))->job, 2000);
	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		if (h->refresh)
			all &= job_wait(h->refresh, 2000);
		if (h->open)
			all &= job_wait(h->open, 2000);
	}
	return all;
}

int tui_main(struct core_config *cfg)
{
	struct tui t = { .cfg = cfg, .refresh_ms = cfg->refresh * 1000 };
	struct engine *eng;
	int res = TUI_REDRAW;
	g_autofree char *report = NULL;

	if (actions_configure(cfg) < 0 || theme_configure(cfg) < 0) {
		cli_error("%s", core_error_message());
		return CORE_ERR_USAGE;
	}
	/* the main engine opens before the screen does, so a locked or
	 * unreachable one is reported like the command line does */
	eng = engine_open(cfg);
	if (!eng) {
		cli_error("%s", core_error_message());
		return core_error_code() ? (int)core_error_code() : CORE_ERR_ENGINE;
	}
	/* a provisioning run a killed vmtui left half done is finished
	 * or rolled back before the list shows anything; said once the
	 * screen is up */
	report = command_recover(eng);
	if (!g_unix_open_pipe(wake_pipe, FD_CLOEXEC, NULL))
		g_error("cannot create a pipe");
	g_unix_set_fd_nonblocking(wake_pipe[0], TRUE, NULL);
	g_unix_set_fd_nonblocking(wake_pipe[1], TRUE, NULL);
	add_hosts(&t, eng);
	t.rows = g_ptr_array_new();
	t.all = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	t.pending = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	t.marked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	t.jobs = g_ptr_array_new_with_free_func(tui_job_free);
	t.input = g_string_new(NULL);
	t.history = g_ptr_array_new_with_free_func(g_free);
	t.pager_search = g_string_new(NULL);
	start_refresh(&t);
	setup_terminal(&t);
	if (report)
		tui_message(&t, false, "%s", g_strdelimit(g_strchomp(report), "\n", ' '));

	while (!(res & TUI_QUIT)) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
			{ .fd = job_notify_fd(), .events = POLLIN },
		};
		gint64 now = g_get_monotonic_time();
		int timeout = (int)MAX(0, (t.next_refresh - now) / 1000);
		char why[64];
		ssize_t n;

		if (res & TUI_REDRAW)
			draw(&t);
		res = TUI_NONE;
		/* wake at least once a second while jobs show progress */
		if (t.jobs->len)
			timeout = MIN(timeout, 500);
		if (view_details_live(&t))
			timeout = MIN(timeout, 1000);
		if (poll(fds, 3, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & (POLLHUP | POLLERR))
			break;
		if (fds[0].revents & POLLIN)
			res |= read_keys(&t);
		while ((n = read(wake_pipe[0], why, sizeof why)) > 0) {
			for (ssize_t i = 0; i < n; i++) {
				if (why[i] == 'q')
					res |= TUI_QUIT;
				else if (why[i] == 'w') {
					endwin();
					refresh();
					res |= TUI_REDRAW;
				}
			}
		}
		if (fds[2].revents & POLLIN)
			job_notify_drain();
		/* a finished refresh takes the rows itself; what is left to
		 * notice is a lifecycle event between refreshes */
		res |= reap_jobs(&t);
		res |= reap_hosts(&t);
		res |= take_rows(&t);
		res |= view_details_reap(&t);
		res |= form_poll(&t);
		res |= view_templates_reap(&t);
		view_details_update(&t, false);
		if (t.jobs->len)
			res |= TUI_REDRAW;
		if (g_get_monotonic_time() >= t.next_refresh)
			start_refresh(&t);
	}

	endwin();
	if (!finish_jobs(&t)) {
		/* a job is stuck on an unresponsive guest: leave at once,
		 * guests are not affected */
		fflush(NULL);
		_exit(0);
	}
	view_details_free(&t);
	if (!view_templates_free(&t) || close_hosts(&t) < 0) {
		fflush(NULL);
		_exit(0);
	}
	g_ptr_array_unref(t.jobs);
	g_ptr_array_unref(t.rows);
	g_ptr_array_unref(t.all);
	g_hash_table_unref(t.marked);
	g_free(t.filter);
	form_free(t.form);
	picker_free(t.picker);
	g_string_free(t.input, TRUE);
	g_ptr_array_unref(t.history);
	g_string_free(t.pager_search, TRUE);
	g_free(t.message);
	g_free(t.prompt_label);
	g_ptr_array_unref(t.pending);
	g_free(t.pager_title);
	g_strfreev(t.pager_lines);
	return 0;
}

/*
 * prompt.c — the prompt line: a question, the "/" filter or the ":"
 * command line with its history and completion.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

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

struct prompt {
	GString *input;
	char *label;
	prompt_done_fn done;
	void *data;               /* handed to done */
	GDestroyNotify free;      /* frees it once the prompt is over */
	prompt_changed_fn changed; /* after each edit (live filtering) */
	bool is_command;          /* ":" prompt: history and completion */
	GPtrArray *history;       /* earlier ":" lines, oldest first */
	int history_pos;
};

void tui_prompt_init(struct tui *t)
{
	t->prompt = g_new0(struct prompt, 1);
	t->prompt->input = g_string_new(NULL);
	t->prompt->history = g_ptr_array_new_with_free_func(g_free);
}

static void prompt_drop(struct tui *t);

void tui_prompt_fini(struct tui *t)
{
	prompt_drop(t);
	g_string_free(t->prompt->input, TRUE);
	g_ptr_array_unref(t->prompt->history);
	g_free(t->prompt->label);
	g_clear_pointer(&t->prompt, g_free);
}

void tui_prompt_set_changed(struct tui *t, prompt_changed_fn changed)
{
	t->prompt->changed = changed;
}

void tui_prompt_command(struct tui *t, const char *label, prompt_done_fn done)
{
	tui_prompt(t, label, "", done, NULL, NULL);
	t->prompt->is_command = true;
}

const char *tui_prompt_candidates(struct tui *t)
{
	/* complete() says them as the message */
	return t->prompt->is_command ? t->message : NULL;
}

void tui_prompt_draw(struct tui *t)
{
	addstr(t->prompt->label);
	addstr(t->prompt->input->str);
	curs_set(1);
}

/* Ends the prompt; its data goes to the caller, who frees it with the
 * function returned in *@free_data. */
static void *prompt_end(struct tui *t, GDestroyNotify *free_data)
{
	*free_data = t->prompt->free;
	t->prompt->free = NULL;
	t->overlay = OVERLAY_NONE;
	return g_steal_pointer(&t->prompt->data);
}

static void prompt_drop(struct tui *t)
{
	GDestroyNotify free_data;
	void *data = prompt_end(t, &free_data);

	if (free_data)
		free_data(data);
}

void tui_prompt(struct tui *t, const char *label, const char *initial,
		prompt_done_fn done, void *data, GDestroyNotify free_data)
{
	prompt_drop(t);
	t->prompt->data = data;
	t->prompt->free = free_data;
	g_free(t->prompt->label);
	t->prompt->label = g_strdup(label);
	g_string_assign(t->prompt->input, initial);
	t->prompt->done = done;
	t->prompt->changed = NULL;
	t->prompt->is_command = false;
	t->prompt->history_pos = (int)t->prompt->history->len;
	t->overlay = OVERLAY_PROMPT;
}

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

static void complete(struct tui *t)
{
	const char *text = t->prompt->input->str;
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
	g_string_truncate(t->prompt->input, (gsize)(word - text));
	g_string_append(t->prompt->input, prefix);
	if (cands->len == 1) {
		g_string_append_c(t->prompt->input, ' ');
		return;
	}
	list = g_string_new(NULL);
	for (guint i = 0; i < cands->len; i++)
		g_string_append_printf(list, "%s%s", i ? "  " : "", (char *)cands->pdata[i]);
	tui_message(t, false, "%s", list->str);
	g_string_free(list, TRUE);
}

int tui_prompt_key(struct tui *t, wint_t ch, bool is_key)
{
	if (is_key && ch == KEY_RESIZE)
		return TUI_REDRAW;
	if (t->prompt->is_command && is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
		int n = (int)t->prompt->history->len;

		t->prompt->history_pos = CLAMP(t->prompt->history_pos + (ch == KEY_UP ? -1 : 1), 0, n);
		g_string_assign(t->prompt->input, t->prompt->history_pos < n ?
				(const char *)t->prompt->history->pdata[t->prompt->history_pos] : "");
		return TUI_REDRAW;
	}
	if (t->prompt->is_command && !is_key && ch == '\t') {
		complete(t);
		return TUI_REDRAW;
	}
	if (tui_is_enter(ch, is_key)) {
		g_autofree char *text = g_strdup(t->prompt->input->str);

		GDestroyNotify free_data;
		void *data;
		int res;

		if (t->prompt->is_command && *text &&
		    (!t->prompt->history->len ||
		     strcmp(g_ptr_array_index(t->prompt->history, t->prompt->history->len - 1), text) != 0))
			g_ptr_array_add(t->prompt->history, g_strdup(text));
		/* @done may open the next question */
		data = prompt_end(t, &free_data);
		res = t->prompt->done(t, text, data);
		if (free_data)
			free_data(data);
		return res | TUI_REDRAW;
	}
	if (!is_key && ch == 27) {
		prompt_drop(t);
		if (t->prompt->changed)
			t->prompt->changed(t, "");
		else
			tui_message(t, false, _("Cancelled."));
		return TUI_REDRAW;
	}
	tui_edit_text(t->prompt->input, ch, is_key);
	if (t->prompt->changed)
		t->prompt->changed(t, t->prompt->input->str);
	return TUI_REDRAW;
}


/* A y/N question: what y runs, and what is said otherwise. */
struct confirm {
	confirm_fn yes;
	char *no;
	void *data;
	GDestroyNotify free_data;
};

static void confirm_free(gpointer p)
{
	struct confirm *c = p;

	if (c->free_data)
		c->free_data(c->data);
	g_free(c->no);
	g_free(c);
}

static int confirm_done(struct tui *t, const char *text, void *data)
{
	struct confirm *c = data;

	if (g_ascii_strcasecmp(text, "y") != 0) {
		tui_message(t, false, "%s", c->no);
		return TUI_REDRAW;
	}
	return c->yes(t, c->data);
}

void tui_confirm(struct tui *t, const char *question, const char *no,
		 confirm_fn yes, void *data, GDestroyNotify free_data)
{
	struct confirm *c = g_new0(struct confirm, 1);

	c->yes = yes;
	c->no = g_strdup(no);
	c->data = data;
	c->free_data = free_data;
	tui_prompt(t, question, "", confirm_done, c, confirm_free);
}

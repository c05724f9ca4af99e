/*
 * output.c — what the commands print goes through here: text made
 * printable, padding in terminal cells, the "Label: value" lines of the
 * info commands and their JSON members.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/names.h"

int cli_width(const char *s)
{
	int w = 0;

	if (!g_utf8_validate(s, -1, NULL))
		return (int)strlen(s);
	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);

		if (g_unichar_iszerowidth(c))
			continue;
		w += g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}

void cli_pad(GString *out, const char *s, int cells)
{
	int w = cli_width(s);

	g_string_append(out, s);
	for (; w < cells; w++)
		g_string_append_c(out, ' ');
}

void cli_join(GString *out, const GPtrArray *list, const char *sep)
{
	for (guint i = 0; list && i < list->len; i++)
		g_string_append_printf(out, "%s%s", i ? sep : "", (char *)list->pdata[i]);
}

void cli_print(FILE *f, const char *text)
{
	g_autofree char *safe = core_printable(text, true);

	fputs(safe, f);
}

void cli_error(const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fputs("vmtui: ", stderr);
	cli_print(stderr, msg);
	fputc('\n', stderr);
}


void cli_line(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(ctx->out, fmt, ap);
	va_end(ap);
	g_string_append_c(ctx->out, '\n');
}

int cli_done(struct cmd_ctx *ctx, int rc, const char *fmt)
{
	if (rc == 0)
		cli_line(ctx, fmt, ctx->args[0]);
	return rc;
}

/* ---- info commands ------------------------------------------------------ */

JsonBuilder *info_begin(struct cmd_ctx *ctx)
{
	JsonBuilder *b;

	if (!ctx->json)
		return NULL;
	b = json_builder_new();
	json_builder_begin_object(b);
	return b;
}

void info_end(struct cmd_ctx *ctx, JsonBuilder *b)
{
	if (!b)
		return;
	json_builder_end_object(b);
	cli_json_out(ctx, b);
}

void info_field(struct cmd_ctx *ctx, JsonBuilder *b, const char *key,
		const char *label, const char *value)
{
	if (b) {
		cli_json_str(b, key, value);
	} else if (value) {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %s\n", value);
	}
}

void info_number(struct cmd_ctx *ctx, JsonBuilder *b, const char *key,
		 const char *label, uint64_t v)
{
	if (b) {
		cli_json_int(b, key, (gint64)v);
	} else {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %" PRIu64 "\n", v);
	}
}

/* ---- JSON ----------------------------------------------------------------- */

/* Appends @n as JSON: strings through json_escape (so C1 and bidi
 * controls come out as \u escapes and bytes that are not UTF-8 as
 * U+FFFD, as everywhere else vmtui writes JSON); the top-level container
 * has a member or element per line, what it holds stays on that line. */
static void json_write(GString *out, JsonNode *n, int depth)
{
	switch (json_node_get_node_type(n)) {
	case JSON_NODE_NULL:
		g_string_append(out, "null");
		return;
	case JSON_NODE_VALUE:
		if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
			g_string_append(out, json_node_get_boolean(n) ? "true" : "false");
		else if (json_node_get_value_type(n) == G_TYPE_INT64)
			g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(n));
		else if (json_node_get_value_type(n) == G_TYPE_DOUBLE)
			g_string_append_printf(out, "%.17g", json_node_get_double(n));
		else
			json_escape(out, json_node_get_string(n));
		return;
	case JSON_NODE_ARRAY: {
		JsonArray *a = json_node_get_array(n);
		guint len = json_array_get_length(a);

		g_string_append_c(out, '[');
		for (guint i = 0; i < len; i++) {
			g_string_append(out, depth ? (i ? ", " : "") : (i ? ",\n " : "\n "));
			json_write(out, json_array_get_element(a, i), depth + 1);
		}
		g_string_append(out, depth || !len ? "]" : "\n]");
		return;
	}
	case JSON_NODE_OBJECT: {
		JsonObjectIter it;
		const char *key;
		JsonNode *member;
		bool any = false;

		g_string_append_c(out, '{');
		json_object_iter_init_ordered(&it, json_node_get_object(n));
		while (json_object_iter_next_ordered(&it, &key, &member)) {
			g_string_append(out, depth ? (any ? ", " : "") : (any ? ",\n  " : "\n  "));
			json_escape(out, key);
			g_string_append(out, ": ");
			json_write(out, member, depth + 1);
			any = true;
		}
		g_string_append(out, depth || !any ? "}" : "\n}");
		return;
	}
	}
}

void cli_json_out(struct cmd_ctx *ctx, JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	if (root)
		json_write(ctx->out, root, 0);
	g_string_append_c(ctx->out, '\n');
}

void cli_json_str(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

void cli_json_text(JsonBuilder *b, const char *key, const char *value)
{
	cli_json_str(b, key, value ? value : "");
}

void cli_json_int(JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}

void cli_json_bool(JsonBuilder *b, const char *key, bool value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_boolean_value(b, value);
}

/* ---- tables --------------------------------------------------------------- */

void cli_table(GString *out, const struct cli_column *cols, int ncols,
	       const GPtrArray *rows, const char *empty)
{
	g_autofree int *w = g_new0(int, ncols);

	if (!rows->len) {
		g_string_append_printf(out, "%s\n", empty);
		return;
	}
	/* each column as wide as its widest cell or heading and a gap of
	 * two, counted in terminal cells; the last one is not padded */
	for (int c = 0; c < ncols; c++) {
		w[c] = MAX(cols[c].min_cells, cli_width(cols[c].heading) + 2);
		for (guint r = 0; r < rows->len; r++) {
			const char *cell = ((char **)rows->pdata[r])[c];

			w[c] = MAX(w[c], cli_width(cell ? cell : "") + 2);
		}
	}
	for (int c = 0; c < ncols; c++)
		cli_pad(out, cols[c].heading, c + 1 < ncols ? w[c] : 0);
	g_string_append_c(out, '\n');
	for (guint r = 0; r < rows->len; r++) {
		char **cells = rows->pdata[r];

		for (int c = 0; c < ncols; c++)
			cli_pad(out, cells[c] ? cells[c] : "", c + 1 < ncols ? w[c] : 0);
		g_string_append_c(out, '\n');
	}
}

char **cli_row(int n, ...)
{
	char **row = g_new0(char *, n + 1);
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		row[i] = g_strdup(va_arg(ap, const char *));
	va_end(ap);
	return row;
}

void cli_list(struct cmd_ctx *ctx, const struct cli_list *l, const GPtrArray *items)
{
	g_autoptr(GPtrArray) rows = NULL;

	if (ctx->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_array(b);
		for (guint i = 0; i < items->len; i++) {
			json_builder_begin_object(b);
			l->json(b, items->pdata[i]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		cli_json_out(ctx, b);
		return;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	for (guint i = 0; i < items->len; i++)
		g_ptr_array_add(rows, l->row(items->pdata[i]));
	cli_table(ctx->out, l->cols, l->ncols, rows, l->empty);
}

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



void info_field(struct cmd_ctx *ctx, bool *first, const char *key,
		       const char *label, const char *value)
{
	if (ctx->json) {
		g_string_append(ctx->out, *first ? "{\n  " : ",\n  ");
		json_escape(ctx->out, key);
		g_string_append(ctx->out, ": ");
		if (value)
			json_escape(ctx->out, value);
		else
			g_string_append(ctx->out, "null");
	} else if (value) {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %s\n", value);
	}
	*first = false;
}

void info_number(struct cmd_ctx *ctx, bool *first, const char *key,
			const char *label, uint64_t v)
{
	g_autofree char *s = g_strdup_printf("%" PRIu64, v);

	if (ctx->json) {
		g_string_append(ctx->out, *first ? "{\n  " : ",\n  ");
		json_escape(ctx->out, key);
		g_string_append_printf(ctx->out, ": %s", s);
	} else {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %s\n", s);
	}
	*first = false;
}

/*
 * ova.c — the exec functions of `ova import` and `ova export`.  Like
 * every exec they run on a job worker, write to ctx->out and leave the
 * work to images/ova.c (and templates/ for a template's export).
 */
#include "config.h"

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "images/ova.h"
#include "templates/templates.h"

int exec_ova_import(struct cmd_ctx *ctx)
{
	g_autofree char *made = NULL;

	if (ova_import(ctx->eng, ctx->args[0], cmd_opt_str(ctx, "name"), ctx->job, &made) < 0)
		return -1;
	cli_line(ctx, _("Imported VM \"%s\" from %s."), made, ctx->args[0]);
	return 0;
}

int exec_ova_export(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;
	bool force = cmd_opt_flag(ctx, "force");

	if (cmd_opt_flag(ctx, "template")) {
		if (template_export_ova(ctx->args[0], ctx->args[1], force, ctx->job, &report) < 0)
			return -1;
		cli_line(ctx, _("Exported template \"%s\" to %s."), ctx->args[0], ctx->args[1]);
	} else {
		if (ova_export(ctx->eng, ctx->args[0], ctx->args[1], force, ctx->job) < 0)
			return -1;
		cli_line(ctx, _("Exported VM \"%s\" to %s."), ctx->args[0], ctx->args[1]);
	}
	if (report)
		g_string_append(ctx->out, report);
	return 0;
}


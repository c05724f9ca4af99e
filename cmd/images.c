/*
 * images.c — the exec functions of `image ...`: import, list, info and
 * delete in the image store.  Like every exec they run on a job worker,
 * write to ctx->out and leave the work to images/.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd-priv.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/image.h"
#include "core/names.h"
#include "images/images.h"

/* "4.0 MiB (4194304 bytes)" */
static char *size_text(uint64_t bytes)
{
	g_autofree char *h = core_format_size(bytes);

	return g_strdup_printf(_("%s (%" PRIu64 " bytes)"), h, bytes);
}


int exec_image_import(struct cmd_ctx *ctx)
{
	struct image_import_opts o = {
		.name = cmd_opt_str(ctx, "name"),
		.format = cmd_opt_str(ctx, "format"),
		.convert = cmd_opt_str(ctx, "convert"),
		.sha256 = cmd_opt_str(ctx, "sha256"),
		.sums = cmd_opt_str(ctx, "sums"),
		.backing = cmd_opt_str(ctx, "backing"),
	};
	autoptr(image_entry) e = image_import(ctx->args[0], &o, ctx->job);
	g_autofree char *vsize = NULL;

	if (!e)
		return -1;
	vsize = size_text(e->virtual_size);
	cli_line(ctx, _("Imported image \"%s\" (%s, %s)."), e->name,
			       e->format, vsize);
	return 0;
}

/* `image list --json`: one image. */
static void image_list_json(JsonBuilder *b, const void *item)
{
	const struct image_entry *e = item;

	cli_json_text(b, "name", e->name);
	cli_json_text(b, "format", e->format);
	cli_json_text(b, "path", e->path);
	cli_json_int(b, "virtual_size", (gint64)e->virtual_size);
	cli_json_int(b, "actual_size", (gint64)e->actual_size);
	cli_json_text(b, "source", e->source);
	cli_json_text(b, "sha256", e->sha256);
	cli_json_str(b, "backing", e->backing);
	cli_json_int(b, "imported", e->imported);
}

/* `image list`: one image's row. */
static char **image_list_row(const void *item)
{
	const struct image_entry *e = item;
	g_autofree char *v = core_format_size(e->virtual_size);
	g_autofree char *a = core_format_size(e->actual_size);

	return cli_row(4, e->name, e->format, v, a);
}

int exec_image_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) list = image_list();
	/* TRANSLATORS: column headings of `vmtui image list` */
	const struct cli_column cols[] = {
		{ _("NAME"), 0 }, { _("FORMAT"), 8 }, { _("VIRTUAL"), 12 }, { _("ON DISK"), 0 },
	};
	const struct cli_list l = { cols, G_N_ELEMENTS(cols),
		_("No images yet: add one with `vmtui image import PATH-or-URL`."),
		image_list_json, image_list_row };

	if (!list)
		return -1;
	cli_list(ctx, &l, list);
	return 0;
}

/* The backing chain of the store image @e: its name, then what it builds
 * on, each through the store's own records (never by opening a file an
 * image names). */
static char *store_chain(const struct image_entry *e)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *next = g_strdup(e->backing);

	for (int depth = 0; next && depth < 16; depth++) {
		autoptr(image_entry) b = image_lookup(next);

		g_string_append_printf(s, "%s%s", s->len ? " -> " : "", next);
		g_free(next);
		next = b && b->backing ? g_strdup(b->backing) : NULL;
	}
	return s->len ? g_string_free(g_steal_pointer(&s), FALSE) : NULL;
}

int exec_image_info(struct cmd_ctx *ctx)
{
	const char *arg = ctx->args[0];
	autoptr(image_entry) e = NULL;
	autoptr(image_info) info = NULL;
	g_autofree char *chain = NULL, *vsize = NULL, *asize = NULL, *when = NULL;
	g_autofree char *deps = NULL;

	/* a name in the store, else a file */
	if (!strchr(arg, '/') && (e = image_lookup(arg))) {
		info = image_inspect(e->path, e->format);
		if (!info)
			return -1;
		chain = store_chain(e);
		if (e->dependants && e->dependants[0])
			deps = g_strjoinv(", ", e->dependants);
	} else if (!strchr(arg, '/') && core_error_code() != CORE_ERR_NOT_FOUND &&
		   access(arg, F_OK) < 0) {
		return -1; /* not a valid name and no such file */
	} else if (access(arg, F_OK) < 0) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no image named \"%s\" in the store, and no such file."),
			   arg);
		return -1;
	} else {
		g_autofree char *abs = g_canonicalize_filename(arg, NULL);

		/* a foreign file: told, not trusted; its backing file is
		 * shown as written and never opened */
		info = image_inspect(abs, NULL);
		if (!info)
			return -1;
		if (info->backing)
			chain = g_strdup_printf(_("%s (format %s; not opened)"), info->backing,
						info->backing_format ? info->backing_format :
						_("not recorded"));
	}
	if (ctx->json) {
		g_autoptr(JsonBuilder) b = info_begin(ctx);

		info_field(ctx, b, "name", NULL, e ? e->name : NULL);
		info_field(ctx, b, "path", NULL, info->path);
		info_field(ctx, b, "format", NULL, info->format);
		info_field(ctx, b, "subformat", NULL, info->subformat);
		info_number(ctx, b, "virtual_size", NULL, info->virtual_size);
		info_number(ctx, b, "actual_size", NULL, info->actual_size);
		info_field(ctx, b, "backing", NULL, e ? e->backing : info->backing);
		info_field(ctx, b, "backing_format", NULL, info->backing_format);
		info_field(ctx, b, "data_file", NULL, info->data_file);
		cli_json_bool(b, "encrypted", info->encrypted);
		info_field(ctx, b, "source", NULL, e ? e->source : NULL);
		info_field(ctx, b, "sha256", NULL, e ? e->sha256 : NULL);
		if (e)
			info_number(ctx, b, "imported", NULL, (uint64_t)e->imported);
		json_builder_set_member_name(b, "dependants");
		json_builder_begin_array(b);
		for (char **d = e ? e->dependants : NULL; d && *d; d++)
			json_builder_add_string_value(b, *d);
		json_builder_end_array(b);
		info_end(ctx, b);
		return 0;
	}
	vsize = size_text(info->virtual_size);
	asize = size_text(info->actual_size);
	if (e) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(e->imported);

		when = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S") : NULL;
	}
	info_field(ctx, NULL, "name", _("Name:"), e ? e->name : NULL);
	info_field(ctx, NULL, "path", _("File:"), info->path);
	info_field(ctx, NULL, "format", _("Format:"), info->format);
	info_field(ctx, NULL, "subformat", _("Subformat:"), info->subformat);
	info_field(ctx, NULL, "virtual_size", _("Virtual size:"), vsize);
	info_field(ctx, NULL, "actual_size", _("On disk:"), asize);
	info_field(ctx, NULL, "backing", _("Backing chain:"), chain ? chain : _("none"));
	info_field(ctx, NULL, "data_file", _("Data file:"), info->data_file);
	if (info->encrypted)
		info_field(ctx, NULL, "encrypted", _("Encrypted:"), _("yes"));
	info_field(ctx, NULL, "source", _("Source:"), e ? e->source : NULL);
	info_field(ctx, NULL, "sha256", _("SHA-256:"), e ? e->sha256 : NULL);
	info_field(ctx, NULL, "imported", _("Imported:"), when);
	info_field(ctx, NULL, "dependants", _("Used by:"), deps);
	return 0;
}

int exec_image_delete(struct cmd_ctx *ctx)
{
	return cli_done(ctx, image_delete(ctx->eng, ctx->args[0]), _("Deleted image \"%s\"."));
}


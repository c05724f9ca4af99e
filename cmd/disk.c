/*
 * disk.c — `vmtui disk ...` and `vmtui cdrom ...`: a VM's disks and
 * CD-ROMs after create, live when it runs.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/vm.h"
#include "storage/storage.h"

/* "64.0 MiB", or NULL for an empty CD-ROM */
static char *size_text(uint64_t bytes)
{
	return bytes ? core_format_size(bytes) : NULL;
}

static void disk_json(JsonBuilder *b, const void *item)
{
	const struct vm_disk *d = item;

	cli_json_str(b, "target", d->target);
	cli_json_str(b, "device", d->cdrom ? "cdrom" : "disk");
	cli_json_str(b, "bus", d->bus);
	cli_json_str(b, "format", d->format);
	cli_json_int(b, "capacity", (gint64)d->capacity);
	cli_json_str(b, "path", d->path);
	cli_json_bool(b, "readonly", d->readonly);
	cli_json_bool(b, "owned", d->owned);
	cli_json_str(b, "cache", d->cache);
	cli_json_bool(b, "discard", d->discard);
}

static char **disk_row(const void *item)
{
	const struct vm_disk *d = item;
	g_autofree char *size = size_text(d->capacity);

	return cli_row(6, d->target, d->cdrom ? _("cdrom") : _("disk"), d->bus, d->format, size,
		       d->path ? d->path : _("(empty)"));
}

static const struct cli_column disk_cols[] = {
	{ N_("TARGET"), 8 }, { N_("DEVICE"), 8 }, { N_("BUS"), 8 }, { N_("FORMAT"), 8 },
	{ N_("SIZE"), 11 }, { N_("PATH"), 0 },
};

int exec_disk_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) disks = disk_list(ctx->eng, ctx->args[0]);
	struct cli_column cols[G_N_ELEMENTS(disk_cols)];
	struct cli_list l = { cols, G_N_ELEMENTS(disk_cols), NULL, disk_json, disk_row };

	if (!disks)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(disk_cols); i++) {
		cols[i] = disk_cols[i];
		cols[i].heading = _(disk_cols[i].heading);
	}
	l.empty = _("No disks.");
	cli_list(ctx, &l, disks);
	return 0;
}

/* A size in bytes (a number of GiB by default); -1 with an error. */
static int parse_bytes(const char *text, uint64_t *out)
{
	*out = core_parse_size(text, 'G');
	return *out ? 0 : -1;
}

int exec_disk_add(struct cmd_ctx *ctx)
{
	struct disk_new n = {
		.image = cmd_opt_str(ctx, "image"), .bus = cmd_opt_str(ctx, "bus"),
		.cache = cmd_opt_str(ctx, "cache"), .discard = cmd_opt_flag(ctx, "discard"),
	};
	const char *size = cmd_opt_str(ctx, "size");
	g_autofree char *target = NULL;

	if (!n.image == !size) {
		core_error(CORE_ERR_USAGE, _("Give --size for a new disk or --image for an existing one."));
		return -1;
	}
	if (size && parse_bytes(size, &n.bytes) < 0)
		return -1;
	if (disk_add(ctx->eng, ctx->args[0], &n, &target) < 0)
		return -1;
	cli_line(ctx, _("Added disk %s to VM \"%s\"."), target, ctx->args[0]);
	return 0;
}

int exec_disk_remove(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;

	if (disk_detach(ctx->eng, ctx->args[0], ctx->args[1], cmd_opt_flag(ctx, "delete-file"),
			&report) < 0)
		return -1;
	cli_line(ctx, _("Removed disk %s from VM \"%s\"."), ctx->args[1], ctx->args[0]);
	if (report)
		cli_line(ctx, "%s", report);
	return 0;
}

int exec_disk_resize(struct cmd_ctx *ctx)
{
	uint64_t bytes;
	g_autofree char *text = NULL;

	if (parse_bytes(ctx->args[2], &bytes) < 0 ||
	    disk_resize(ctx->eng, ctx->args[0], ctx->args[1], bytes) < 0)
		return -1;
	text = size_text(bytes);
	cli_line(ctx, _("Disk %s of VM \"%s\" has %s now; growing its partition and file system is "
			"the guest's part."), ctx->args[1], ctx->args[0], text);
	return 0;
}

int exec_cdrom_insert(struct cmd_ctx *ctx)
{
	g_autofree char *target = NULL;

	if (cdrom_change(ctx->eng, ctx->args[0], cmd_opt_str(ctx, "target"), ctx->args[1], false,
			 &target) < 0)
		return -1;
	cli_line(ctx, _("Inserted %s into CD-ROM %s of VM \"%s\"."), ctx->args[1], target, ctx->args[0]);
	return 0;
}

int exec_cdrom_eject(struct cmd_ctx *ctx)
{
	g_autofree char *target = NULL;

	if (cdrom_change(ctx->eng, ctx->args[0], cmd_opt_str(ctx, "target"), NULL,
			 cmd_opt_flag(ctx, "force"), &target) < 0)
		return -1;
	cli_line(ctx, _("Ejected the disc of CD-ROM %s of VM \"%s\"."), target, ctx->args[0]);
	return 0;
}

int exec_disk_convert(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;

	if (disk_convert(ctx->eng, ctx->args[0], ctx->args[1], ctx->job, &report) < 0)
		return -1;
	cli_line(ctx, "%s", report);
	return 0;
}

/*
 * disk.c — `vmtui disk ...` and `vmtui cdrom ...`: a VM's disks and
 * CD-ROMs after create, live when it runs.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/engine.h"
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

/* ---- storage pools and volumes (daemon URIs) -------------------------------- */

static void pool_json(JsonBuilder *b, const void *item)
{
	const struct storage_pool *p = item;

	cli_json_str(b, "name", p->name);
	cli_json_str(b, "type", p->type);
	cli_json_str(b, "path", p->path);
	cli_json_bool(b, "active", p->active);
	cli_json_bool(b, "autostart", p->autostart);
	cli_json_int(b, "capacity", (gint64)p->capacity);
	cli_json_int(b, "allocation", (gint64)p->allocation);
	cli_json_int(b, "available", (gint64)p->available);
	cli_json_int(b, "volumes", p->volumes);
}

static const char *pool_state(const struct storage_pool *p)
{
	return p->active ? _("running") : _("stopped");
}

static char **pool_row(const void *item)
{
	const struct storage_pool *p = item;
	g_autofree char *name = g_strdup_printf("%s%s", p->name,
						p->is_default ? " *" : "");
	g_autofree char *size = size_text(p->capacity);
	g_autofree char *avail = size_text(p->available);
	g_autofree char *vols = p->volumes >= 0 ? g_strdup_printf("%d", p->volumes) : NULL;

	return cli_row(7, name, pool_state(p), p->autostart ? _("yes") : _("no"), size, avail,
		       vols, p->path);
}

int exec_storage_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) pools = NULL;
	/* TRANSLATORS: column headings of `vmtui storage list` */
	const struct cli_column cols[] = {
		{ _("NAME"), 0 }, { _("STATE"), 9 }, { _("AUTOSTART"), 10 }, { _("SIZE"), 11 },
		{ _("FREE"), 11 }, { _("VOLUMES"), 8 }, { _("PATH"), 0 },
	};
	const struct cli_list l = { cols, G_N_ELEMENTS(cols),
		_("No storage pools: make one with vmtui storage create NAME dir PATH."), pool_json, pool_row };

	if (engine_is_embedded(ctx->eng)) {
		g_autofree char *data = core_data_dir();
		g_autofree char *dir = g_build_filename(data, "disks", NULL);

		if (ctx->json)
			g_string_append(ctx->out, "[]\n");
		else
			cli_line(ctx, _("The embedded engine has no storage pools: vmtui keeps new disks as files in %s."),
				 dir);
		return 0;
	}
	if (!(pools = storage_pool_list(ctx->eng)))
		return -1;
	/* the pool new disks go to is marked */
	for (guint i = 0; i < pools->len; i++) {
		struct storage_pool *p = pools->pdata[i];

		p->is_default = g_strcmp0(p->name, ctx->cfg->pool) == 0;
	}
	cli_list(ctx, &l, pools);
	if (!ctx->json && pools->len)
		cli_line(ctx, _("* new disks go to this pool ([engine] pool)."));
	return 0;
}

int exec_storage_info(struct cmd_ctx *ctx)
{
	autoptr(storage_pool) p = storage_pool_get(ctx->eng, ctx->args[0]);
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *size = NULL, *used = NULL, *avail = NULL;

	if (!p)
		return -1;
	b = info_begin(ctx);
	if (b) {
		pool_json(b, p);
		info_end(ctx, b);
		return 0;
	}
	size = size_text(p->capacity);
	used = size_text(p->allocation);
	avail = size_text(p->available);
	info_field(ctx, b, "name", _("Name:"), p->name);
	info_field(ctx, b, "type", _("Type:"), p->type);
	info_field(ctx, b, "path", _("Path:"), p->path);
	info_field(ctx, b, "state", _("State:"), pool_state(p));
	info_field(ctx, b, "autostart", _("Autostart:"), p->autostart ? _("yes") : _("no"));
	info_field(ctx, b, "capacity", _("Size:"), size);
	info_field(ctx, b, "allocation", _("Used:"), used);
	info_field(ctx, b, "available", _("Free:"), avail);
	if (p->volumes >= 0)
		info_number(ctx, b, "volumes", _("Volumes:"), (uint64_t)p->volumes);
	return 0;
}

int exec_storage_create(struct cmd_ctx *ctx)
{
	if (storage_pool_create(ctx->eng, ctx->args[0], ctx->args[1], ctx->args[2]) < 0)
		return -1;
	cli_line(ctx, _("Created storage pool \"%s\" in %s; it starts with the daemon."),
		 ctx->args[0], ctx->args[2]);
	return 0;
}

int exec_storage_delete(struct cmd_ctx *ctx)
{
	autoptr(storage_pool) p = storage_pool_get(ctx->eng, ctx->args[0]);

	if (!p || storage_pool_delete(ctx->eng, ctx->args[0]) < 0)
		return -1;
	cli_line(ctx, _("Deleted storage pool \"%s\"; its folder %s and the files in it are kept."),
		 p->name, p->path ? p->path : "?");
	return 0;
}

static void vol_json(JsonBuilder *b, const void *item)
{
	const struct storage_vol *v = item;

	cli_json_str(b, "name", v->name);
	cli_json_str(b, "format", v->format);
	cli_json_int(b, "capacity", (gint64)v->capacity);
	cli_json_int(b, "allocation", (gint64)v->allocation);
	cli_json_str(b, "path", v->path);
	cli_json_str(b, "backing", v->backing);
	cli_json_str(b, "used_by", v->used_by);
}

static char **vol_row(const void *item)
{
	const struct storage_vol *v = item;
	g_autofree char *size = size_text(v->capacity);
	g_autofree char *alloc = size_text(v->allocation);

	return cli_row(6, v->name, v->format, size, alloc, v->used_by ? v->used_by : "-", v->path);
}

static const char *pool_opt(struct cmd_ctx *ctx)
{
	const char *p = cmd_opt_str(ctx, "pool");

	return p ? p : ctx->cfg->pool;
}

int exec_volume_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) vols = storage_volume_list(ctx->eng, pool_opt(ctx));
	/* TRANSLATORS: column headings of `vmtui volume list` */
	const struct cli_column cols[] = {
		{ _("NAME"), 0 }, { _("FORMAT"), 7 }, { _("SIZE"), 11 }, { _("ON DISK"), 11 },
		{ _("USED BY"), 0 }, { _("PATH"), 0 },
	};
	const struct cli_list l = { cols, G_N_ELEMENTS(cols), _("No volumes."), vol_json, vol_row };

	if (!vols)
		return -1;
	cli_list(ctx, &l, vols);
	return 0;
}

int exec_volume_create(struct cmd_ctx *ctx)
{
	g_autofree char *path = NULL;
	uint64_t bytes;

	if (parse_bytes(ctx->args[1], &bytes) < 0 ||
	    storage_volume_create(ctx->eng, pool_opt(ctx), ctx->args[0], bytes,
				  cmd_opt_str(ctx, "format"), cmd_opt_str(ctx, "backing"), &path) < 0)
		return -1;
	cli_line(ctx, _("Created volume \"%s\" in storage pool \"%s\": %s"), ctx->args[0],
		 pool_opt(ctx), path ? path : "?");
	return 0;
}

int exec_volume_resize(struct cmd_ctx *ctx)
{
	uint64_t bytes;
	g_autofree char *text = NULL;

	if (parse_bytes(ctx->args[1], &bytes) < 0 ||
	    storage_volume_resize(ctx->eng, pool_opt(ctx), ctx->args[0], bytes) < 0)
		return -1;
	text = size_text(bytes);
	cli_line(ctx, _("Volume \"%s\" has %s now."), ctx->args[0], text);
	return 0;
}

int exec_volume_delete(struct cmd_ctx *ctx)
{
	if (storage_volume_delete(ctx->eng, pool_opt(ctx), ctx->args[0]) < 0)
		return -1;
	cli_line(ctx, _("Deleted volume \"%s\" of storage pool \"%s\"."), ctx->args[0], pool_opt(ctx));
	return 0;
}

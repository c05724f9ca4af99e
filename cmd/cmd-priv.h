/*
 * cmd-priv.h — what the files of cmd/ share and nothing outside uses:
 * the exec functions the table points at, option and output helpers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cmd/cmd.h"

struct vm_spec;

#define MIB (UINT64_C(1) << 20)

/* run.c */
/* Reads the size option @name (a number of MiB by default, or with a
 * unit) into *@mib when given.  0, or -1 with an error. */
int opt_size_mib(struct cmd_ctx *ctx, const char *name, uint64_t *mib);

/* output.c */
/* Appends a line of output, made of @fmt and a newline, to ctx->out. */
void cli_line(struct cmd_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* After a simple operation that returned @rc: on success the line @fmt
 * with the command's first argument ("Deleted image \"%s\"."); @rc. */
int cli_done(struct cmd_ctx *ctx, int rc, const char *fmt);
/* The object an info command prints: with --json a new builder with the
 * object opened (caller frees, after info_end), else NULL. */
JsonBuilder *info_begin(struct cmd_ctx *ctx);
/* Closes @b's object and writes it to ctx->out; nothing when @b is NULL. */
void info_end(struct cmd_ctx *ctx, JsonBuilder *b);
/* A "Label: value" line of an info command (nothing for a NULL value),
 * or the member @key of @b with --json (null for a NULL value). */
void info_field(struct cmd_ctx *ctx, JsonBuilder *b, const char *key,
		const char *label, const char *value);
/* The same for a number. */
void info_number(struct cmd_ctx *ctx, JsonBuilder *b, const char *key,
		 const char *label, uint64_t v);
/* Writes the value @b built to ctx->out as JSON, then a newline: the one
 * place the commands' JSON is written. */
void cli_json_out(struct cmd_ctx *ctx, JsonBuilder *b);
/* Members of the object @b is building: a string (null for NULL), a
 * number, a boolean. */
void cli_json_str(JsonBuilder *b, const char *key, const char *value);
/* A string member that is "" when @value is NULL (never null). */
void cli_json_text(JsonBuilder *b, const char *key, const char *value);
void cli_json_int(JsonBuilder *b, const char *key, gint64 value);
void cli_json_bool(JsonBuilder *b, const char *key, bool value);

/* A column of cli_table(). */
struct cli_column {
	const char *heading; /* translated */
	int min_cells;       /* at least this wide, the gap after it included */
};
/* Appends a table of the @ncols columns @cols to @out: the headings, then
 * each row of @rows (a GStrv of @ncols cells, NULL for an empty one);
 * only the line @empty when @rows has none. */
void cli_table(GString *out, const struct cli_column *cols, int ncols,
	       const GPtrArray *rows, const char *empty);
/* A new row for cli_table(): the @n cells given (copied). */
char **cli_row(int n, ...);
/* What a list command prints of its items. */
struct cli_list {
	const struct cli_column *cols;
	int ncols;
	const char *empty;  /* the line shown when there is no item */
	/* the members of one item's JSON object */
	void (*json)(JsonBuilder *b, const void *item);
	/* one item's row of @ncols cells (see cli_row) */
	char **(*row)(const void *item);
};
/* Appends @items as a table, or with --json as an array of objects. */
void cli_list(struct cmd_ctx *ctx, const struct cli_list *l, const GPtrArray *items);

/* vm.c: the VM commands */
int exec_list(struct cmd_ctx *ctx);
int exec_info(struct cmd_ctx *ctx);
int exec_create(struct cmd_ctx *ctx);
int exec_start(struct cmd_ctx *ctx);
int exec_shutdown(struct cmd_ctx *ctx);
int exec_destroy(struct cmd_ctx *ctx);
int exec_reboot(struct cmd_ctx *ctx);
int exec_reset(struct cmd_ctx *ctx);
int exec_suspend(struct cmd_ctx *ctx);
int exec_resume(struct cmd_ctx *ctx);
int exec_delete(struct cmd_ctx *ctx);
int exec_rename(struct cmd_ctx *ctx);
int exec_set(struct cmd_ctx *ctx);
int exec_dumpxml(struct cmd_ctx *ctx);
int exec_console(struct cmd_ctx *ctx);
int exec_vnc(struct cmd_ctx *ctx);
int exec_os_list(struct cmd_ctx *ctx);

/* The NICs --net (and --no-network) ask for, added to @spec with
 * @model as the default model: one nat NIC when neither is given.  0, or
 * -1 with a usage error. */
int cmd_opt_nics(struct cmd_ctx *ctx, struct vm_spec *spec, const char *model);

/* net.c: `nic ...`; the NICs of `info`, each with its addresses from
 * @addrs (struct vm_addr of net_addresses, may be NULL) */
void info_nics(struct cmd_ctx *ctx, JsonBuilder *b, const GPtrArray *nics,
	       const GPtrArray *addrs);
int exec_nic_list(struct cmd_ctx *ctx);
int exec_nic_add(struct cmd_ctx *ctx);
int exec_nic_remove(struct cmd_ctx *ctx);
int exec_nic_link(struct cmd_ctx *ctx);
/* net.c: `forward ...`; the forwards of `info` (@forwards may be NULL) */
void info_forwards(struct cmd_ctx *ctx, JsonBuilder *b, const GPtrArray *forwards);
int exec_forward_list(struct cmd_ctx *ctx);
int exec_forward_add(struct cmd_ctx *ctx);
int exec_forward_remove(struct cmd_ctx *ctx);
int exec_net_create(struct cmd_ctx *ctx);
int exec_net_list(struct cmd_ctx *ctx);
int exec_net_info(struct cmd_ctx *ctx);
int exec_net_start(struct cmd_ctx *ctx);
int exec_net_stop(struct cmd_ctx *ctx);
int exec_net_delete(struct cmd_ctx *ctx);

/* disk.c: `disk ...`, `cdrom ...`, `storage ...`, `volume ...` */
int exec_disk_list(struct cmd_ctx *ctx);
int exec_disk_add(struct cmd_ctx *ctx);
int exec_disk_remove(struct cmd_ctx *ctx);
int exec_disk_resize(struct cmd_ctx *ctx);
int exec_disk_convert(struct cmd_ctx *ctx);
int exec_cdrom_insert(struct cmd_ctx *ctx);
int exec_cdrom_eject(struct cmd_ctx *ctx);
int exec_storage_list(struct cmd_ctx *ctx);
int exec_storage_info(struct cmd_ctx *ctx);
int exec_storage_create(struct cmd_ctx *ctx);
int exec_storage_delete(struct cmd_ctx *ctx);
int exec_volume_list(struct cmd_ctx *ctx);
int exec_volume_create(struct cmd_ctx *ctx);
int exec_volume_resize(struct cmd_ctx *ctx);
int exec_volume_delete(struct cmd_ctx *ctx);

/* hosts.c: `host ...`, `migrate` */
int exec_host_list(struct cmd_ctx *ctx);
int exec_host_add(struct cmd_ctx *ctx);
int exec_host_remove(struct cmd_ctx *ctx);
int exec_migrate(struct cmd_ctx *ctx);

/* snapshot.c: `snapshot ...` */
int exec_snapshot_create(struct cmd_ctx *ctx);
int exec_snapshot_list(struct cmd_ctx *ctx);
int exec_snapshot_info(struct cmd_ctx *ctx);
int exec_snapshot_revert(struct cmd_ctx *ctx);
int exec_snapshot_delete(struct cmd_ctx *ctx);
int exec_snapshot_rename(struct cmd_ctx *ctx);
int exec_snapshot_describe(struct cmd_ctx *ctx);

/* images.c: `image ...` */
int exec_image_import(struct cmd_ctx *ctx);
int exec_image_list(struct cmd_ctx *ctx);
int exec_image_info(struct cmd_ctx *ctx);
int exec_image_delete(struct cmd_ctx *ctx);

/* ova.c: `ova import`, `ova export` */
int exec_ova_import(struct cmd_ctx *ctx);
int exec_ova_export(struct cmd_ctx *ctx);

/* templates.c: `template ...`, `provision`, `lab delete` */
int exec_template_create(struct cmd_ctx *ctx);
int exec_template_list(struct cmd_ctx *ctx);
int exec_template_info(struct cmd_ctx *ctx);
int exec_template_edit(struct cmd_ctx *ctx);
int exec_template_delete(struct cmd_ctx *ctx);
int exec_provision(struct cmd_ctx *ctx);
int exec_lab_delete(struct cmd_ctx *ctx);

/* vdi.c: `pool ...`, `desktop ...` */
int exec_pool_create(struct cmd_ctx *ctx);
int exec_pool_edit(struct cmd_ctx *ctx);
int exec_pool_grow(struct cmd_ctx *ctx);
int exec_pool_shrink(struct cmd_ctx *ctx);
int exec_pool_drain(struct cmd_ctx *ctx);
int exec_pool_reconcile(struct cmd_ctx *ctx);
int exec_pool_delete(struct cmd_ctx *ctx);
int exec_pool_list(struct cmd_ctx *ctx);
int exec_pool_info(struct cmd_ctx *ctx);
int exec_desktop_list(struct cmd_ctx *ctx);
int exec_desktop_assign(struct cmd_ctx *ctx);
int exec_desktop_kick(struct cmd_ctx *ctx);
int exec_desktop_refresh(struct cmd_ctx *ctx);
int exec_serve(struct cmd_ctx *ctx);

/* host.c: events, doctor, help, version */
int exec_events(struct cmd_ctx *ctx);
int exec_doctor(struct cmd_ctx *ctx);
int exec_help(struct cmd_ctx *ctx);
int exec_version(struct cmd_ctx *ctx);

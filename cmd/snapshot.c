/*
 * snapshot.c — `vmtui snapshot ...`: take, list (as a tree), show,
 * revert (saying first what it undoes), delete and describe a VM's
 * snapshots.
 */
#include "config.h"

#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "storage/storage.h"

static char *when_text(gint64 t)
{
	g_autoptr(GDateTime) d = t ? g_date_time_new_from_unix_local(t) : NULL;

	return d ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S") : NULL;
}

/* What the VM was doing when @s was taken, for people. */
static const char *state_label(const struct snapshot *s)
{
	if (!s->state)
		return NULL;
	if (strcmp(s->state, "running") == 0)
		return _("running (disks and memory)");
	if (strcmp(s->state, "paused") == 0)
		return _("paused (disks and memory)");
	if (strcmp(s->state, "shutoff") == 0)
		return _("shut off (disks)");
	if (strcmp(s->state, "disk-snapshot") == 0)
		return _("disks only");
	return s->state;
}

int exec_snapshot_create(struct cmd_ctx *ctx)
{
	g_autofree char *taken = NULL;
	bool memory = false, ran = false;
	unsigned flags = (cmd_opt_flag(ctx, "disk-only") ? SNAPSHOT_DISK_ONLY : 0) |
			 (cmd_opt_flag(ctx, "quiesce") ? SNAPSHOT_QUIESCE : 0);

	/* what it holds is known from the VM's state: no second lookup */
	if (snapshot_create(ctx->eng, ctx->args[0], ctx->nargs > 1 ? ctx->args[1] : NULL,
			    cmd_opt_str(ctx, "description"), flags, ctx->job, &taken, &memory,
			    &ran) < 0)
		return -1;
	cli_line(ctx, memory ? _("Took snapshot \"%s\" of VM \"%s\" (its disks and memory).") :
		 _("Took snapshot \"%s\" of VM \"%s\" (its disks).") , taken, ctx->args[0]);
	if (!ran)
		; /* a shut-off VM's disks are at rest */
	else if ((flags & SNAPSHOT_DISK_ONLY) && !(flags & SNAPSHOT_QUIESCE))
		cli_line(ctx, "%s", _("Taken while the guest ran without freezing its file systems, it is crash-consistent: as after a power cut. --quiesce has the guest agent freeze them first."));
	else if (flags & SNAPSHOT_QUIESCE)
		cli_line(ctx, "%s", _("The guest agent froze the guest's file systems for it: they are consistent."));
	return 0;
}

static void snapshot_json(JsonBuilder *b, const void *item)
{
	const struct snapshot *s = item;
	g_autoptr(GDateTime) d = s->created ? g_date_time_new_from_unix_utc(s->created) : NULL;
	g_autofree char *when = d ? g_date_time_format_iso8601(d) : NULL;

	cli_json_str(b, "name", s->name);
	cli_json_str(b, "parent", s->parent);
	cli_json_str(b, "created", when);
	cli_json_str(b, "state", s->state);
	cli_json_bool(b, "memory", s->memory);
	cli_json_bool(b, "current", s->current);
	cli_json_str(b, "description", s->description);
}

/* The name cell of item @i of @list: with a tree, the branches in front;
 * the current one marked. */
static char *name_cell(const GPtrArray *list, guint i, bool tree)
{
	const struct snapshot *s = list->pdata[i];
	g_autofree char *branch = tree ? snapshot_branch(list, i, g_get_charset(NULL)) : NULL;

	return g_strconcat(branch ? branch : "", s->name, s->current ? " *" : "", NULL);
}

static const struct cli_column snapshot_cols[] = {
	{ N_("NAME"), 20 }, { N_("TAKEN"), 21 }, { N_("STATE"), 28 }, { N_("PARENT"), 16 },
	{ N_("DESCRIPTION"), 0 },
};

int exec_snapshot_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) snaps = snapshot_list(ctx->eng, ctx->args[0]);
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	bool tree = cmd_opt_flag(ctx, "tree");
	struct cli_column cols[G_N_ELEMENTS(snapshot_cols)];
	int n = 0;

	if (!snaps)
		return -1;
	if (ctx->json) {
		struct cli_list l = { cols, 0, NULL, snapshot_json, NULL };

		cli_list(ctx, &l, snaps);
		return 0;
	}
	for (guint i = 0; i < G_N_ELEMENTS(snapshot_cols); i++) {
		if (tree && i == 3)
			continue; /* the tree shows the parents */
		cols[n] = snapshot_cols[i];
		cols[n++].heading = _(snapshot_cols[i].heading);
	}
	for (guint i = 0; i < snaps->len; i++) {
		const struct snapshot *s = snaps->pdata[i];
		g_autofree char *name = name_cell(snaps, i, tree);
		g_autofree char *when = when_text(s->created);
		g_autofree char *first = s->description ?
			g_strndup(s->description, strcspn(s->description, "\n")) : NULL;

		g_ptr_array_add(rows, tree ? cli_row(4, name, when, state_label(s), first) :
				cli_row(5, name, when, state_label(s), s->parent, first));
	}
	cli_table(ctx->out, cols, n, rows, _("No snapshots."));
	if (snaps->len)
		cli_line(ctx, _("* the current snapshot: the VM's disks descend from it."));
	return 0;
}

int exec_snapshot_info(struct cmd_ctx *ctx)
{
	autoptr(snapshot) s = snapshot_get(ctx->eng, ctx->args[0], ctx->args[1]);
	g_autoptr(GPtrArray) changes = NULL;
	JsonBuilder *b;

	if (!s)
		return -1;
	changes = snapshot_changes(ctx->eng, ctx->args[0], ctx->args[1]);
	if (!changes)
		return -1;
	b = info_begin(ctx);
	if (b) {
		snapshot_json(b, s);
		cli_json_str(b, "vm", ctx->args[0]);
	} else {
		g_autofree char *when = when_text(s->created);

		info_field(ctx, b, "name", _("Name:"), s->name);
		info_field(ctx, b, "vm", _("VM:"), ctx->args[0]);
		info_field(ctx, b, "parent", _("Parent:"), s->parent);
		info_field(ctx, b, "created", _("Taken:"), when);
		info_field(ctx, b, "state", _("State:"), state_label(s));
		info_field(ctx, b, "current", _("Current:"), s->current ? _("yes") : _("no"));
		info_field(ctx, b, "description", _("Description:"), s->description);
	}
	if (b) {
		json_builder_set_member_name(b, "changes_undone_by_revert");
		json_builder_begin_array(b);
		for (guint i = 0; i < changes->len; i++)
			json_builder_add_string_value(b, changes->pdata[i]);
		json_builder_end_array(b);
	} else {
		cli_line(ctx, "%s", changes->len ? _("A revert undoes these hardware changes:") :
			 _("A revert undoes no hardware change."));
		for (guint i = 0; i < changes->len; i++)
			cli_line(ctx, "  %s", (char *)changes->pdata[i]);
	}
	info_end(ctx, b);
	return 0;
}

/* "A, B, C" (for messages; the pointer stays valid until the next call) */
static const char *joined(GPtrArray *names)
{
	static char *text;

	g_free(text);
	g_ptr_array_add(names, NULL);
	text = g_strjoinv(", ", (char **)names->pdata);
	g_ptr_array_set_size(names, names->len - 1);
	return text;
}

int exec_snapshot_revert(struct cmd_ctx *ctx)
{
	const char *vm = ctx->args[0], *name = ctx->args[1];
	autoptr(snapshot) s = snapshot_get(ctx->eng, vm, name);
	g_autoptr(GPtrArray) changes = NULL;
	g_autoptr(GPtrArray) dropped = NULL;
	bool paused = cmd_opt_flag(ctx, "paused"), running = cmd_opt_flag(ctx, "running");
	enum snapshot_revert_state as = paused ? SNAPSHOT_PAUSED :
					running ? SNAPSHOT_RUNNING : SNAPSHOT_AS_TAKEN;

	if (paused && running) {
		core_error(CORE_ERR_USAGE, _("--paused and --running exclude each other."));
		return -1;
	}
	if (!s || !(changes = snapshot_changes(ctx->eng, vm, name)) ||
	    !(dropped = snapshot_dropped_by_revert(ctx->eng, vm, name)))
		return -1;
	if (!cmd_opt_flag(ctx, "yes")) {
		if (dropped->len)
			cli_line(ctx, _("The snapshots taken after it go (the external snapshots of a UEFI VM form a chain): %s."),
				 joined(dropped));
		cli_line(ctx, s->memory ?
			 _("Reverting VM \"%s\" to \"%s\" throws away what happened since on its disks and in its memory: "
			   "QEMU restarts with the saved guest (consoles reconnect by themselves).") :
			 _("Reverting VM \"%s\" to \"%s\" throws away what happened since on its disks; a running VM "
			   "is powered off (it was shut off then)."), vm, name);
		if (changes->len)
			cli_line(ctx, "%s", _("These hardware changes made since are undone:"));
		for (guint i = 0; i < changes->len; i++)
			cli_line(ctx, "  %s", (char *)changes->pdata[i]);
		core_error(CORE_ERR_USAGE, _("Nothing was reverted: add --yes to revert."));
		return -1;
	}
	if (snapshot_revert(ctx->eng, vm, name, as, ctx->job) < 0)
		return -1;
	cli_line(ctx, _("Reverted VM \"%s\" to snapshot \"%s\"."), vm, name);
	if (dropped->len)
		cli_line(ctx, _("Dropped the snapshots taken after it: %s."), joined(dropped));
	if (changes->len)
		cli_line(ctx, "%s", _("Undone hardware changes:"));
	for (guint i = 0; i < changes->len; i++)
		cli_line(ctx, "  %s", (char *)changes->pdata[i]);
	return 0;
}

int exec_snapshot_delete(struct cmd_ctx *ctx)
{
	unsigned n = 0;

	if (snapshot_delete(ctx->eng, ctx->args[0], ctx->args[1], cmd_opt_flag(ctx, "children"), &n) < 0)
		return -1;
	if (n > 1)
		cli_line(ctx, P_("Deleted snapshot \"%s\" of VM \"%s\" and its %u descendant.",
				 "Deleted snapshot \"%s\" of VM \"%s\" and its %u descendants.", n - 1),
			 ctx->args[1], ctx->args[0], n - 1);
	else
		cli_line(ctx, _("Deleted snapshot \"%s\" of VM \"%s\"."), ctx->args[1], ctx->args[0]);
	return 0;
}

int exec_snapshot_rename(struct cmd_ctx *ctx)
{
	if (snapshot_rename(ctx->eng, ctx->args[0], ctx->args[1], ctx->args[2]) < 0)
		return -1;
	cli_line(ctx, _("Renamed snapshot \"%s\" of VM \"%s\" to \"%s\"."), ctx->args[1], ctx->args[0],
		 ctx->args[2]);
	return 0;
}

int exec_snapshot_describe(struct cmd_ctx *ctx)
{
	if (snapshot_describe(ctx->eng, ctx->args[0], ctx->args[1], ctx->args[2]) < 0)
		return -1;
	cli_line(ctx, *ctx->args[2] ? _("Changed the description of snapshot \"%s\".") :
		 _("Removed the description of snapshot \"%s\"."), ctx->args[1]);
	return 0;
}

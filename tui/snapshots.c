/*
 * snapshots.c — the actions on the selected VM's snapshots: take one
 * (its name typed, the time by default), revert to one (chosen from the
 * tree, then its name typed, since a revert throws away what happened
 * since), delete one.  Each runs the `snapshot` command of the same name.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "storage/storage.h"
#include "tui/tui.h"

/* The VM (and its host) the question or the picker is about. */
struct about_vm {
	char *vm;
	unsigned host;
	char *snapshot;
};

static struct about_vm pending;

static void about_clear(void)
{
	g_clear_pointer(&pending.vm, g_free);
	g_clear_pointer(&pending.snapshot, g_free);
}

static bool pending_set(struct tui *t)
{
	const struct vm_row *vm = tui_selected(t);

	if (!vm)
		return false;
	about_clear();
	pending.vm = g_strdup(vm->name);
	pending.host = tui_host(t, vm)->id;
	return true;
}

static int run_snapshot(struct tui *t, const char *sub, const char *arg, const char *flag)
{
	struct host *h = pending.host < t->hosts->len ? t->hosts->pdata[pending.host] : NULL;
	g_autofree char *cmd = g_strconcat("snapshot ", sub, NULL);
	char *argv[] = { cmd, pending.vm, (char *)arg, (char *)flag, NULL };

	if (!h || !pending.vm)
		return TUI_REDRAW;
	return tui_run_command(t, h, argv, pending.vm, false);
}

static int name_typed(struct tui *t, const char *text, void *data)
{
	g_autofree char *name = g_strstrip(g_strdup(text));

	return run_snapshot(t, "create", *name ? name : NULL, NULL);
}

int act_snapshot_take(struct tui *t, const struct action *a)
{
	const struct vm_row *vm = tui_selected(t);
	g_autofree char *q = NULL;

	if (!pending_set(t))
		return TUI_REDRAW;
	q = g_strdup_printf(vm->state == VIR_DOMAIN_RUNNING || vm->state == VIR_DOMAIN_PAUSED ?
			    _("Snapshot of \"%s\" (its disks and memory); name (Enter: the time): ") :
			    _("Snapshot of \"%s\" (its disks); name (Enter: the time): "), vm->name);
	tui_prompt(t, q, "", name_typed, NULL, NULL);
	return TUI_REDRAW;
}

/* A picker of the selected VM's snapshots, the tree drawn; false with a
 * message when there is none to choose. */
static bool pick_snapshot(struct tui *t, const char *title, picker_done_fn done)
{
	const struct vm_row *vm = tui_selected(t);
	const GPtrArray *snaps = vm ? view_details_snapshots(t, vm) : NULL;
	GPtrArray *items;

	if (!vm)
		return false;
	if (!snaps) {
		tui_message(t, true, _("The snapshots of %s are not read yet; try again in a moment."), vm->name);
		return false;
	}
	if (!snaps->len) {
		tui_message(t, true, _("%s has no snapshot; %s takes one."), vm->name,
			    actions_key_of("snapshot"));
		return false;
	}
	pending_set(t);
	items = picker_items_new();
	for (guint i = 0; i < snaps->len; i++) {
		const struct snapshot *s = snaps->pdata[i];
		g_autofree char *branch = snapshot_branch(snaps, i, t->utf8);
		g_autofree char *label = g_strconcat(branch, s->name, s->current ? " *" : "", NULL);

		picker_add(items, label, s->memory ? _("running") : _("shut off"), s->name);
	}
	picker_open(t, title, items, true, done);
	return true;
}

static int revert_typed(struct tui *t, const char *text, void *data)
{
	if (!pending.snapshot || strcmp(text, pending.snapshot) != 0) {
		tui_message(t, true, _("What was typed does not match; nothing was reverted."));
		return TUI_REDRAW;
	}
	return run_snapshot(t, "revert", pending.snapshot, "--yes");
}

/* What a revert to the chosen snapshot undoes, read on a job. */
struct changes {
	struct engine *eng;
	char *vm, *snapshot;
	GPtrArray *lines;
	GPtrArray *dropped;  /* the snapshots it drops (a UEFI VM's chain) */
};

static int changes_job(struct job *job, void *data)
{
	struct changes *c = data;

	c->lines = snapshot_changes(c->eng, c->vm, c->snapshot);
	c->dropped = c->lines ? snapshot_dropped_by_revert(c->eng, c->vm, c->snapshot) : NULL;
	return c->dropped ? 0 : -1;
}

static void changes_free(gpointer data)
{
	struct changes *c = data;

	g_free(c->vm);
	g_free(c->snapshot);
	if (c->lines)
		g_ptr_array_unref(c->lines);
	if (c->dropped)
		g_ptr_array_unref(c->dropped);
	g_free(c);
}

/* The changes are known: the question says them, and the answer is the
 * snapshot's name typed. */
static int changes_read(struct tui *t, struct job *job, void *data)
{
	struct changes *c = job_data(job);
	g_autofree char *err = NULL;
	g_autoptr(GString) q = g_string_new(NULL);

	if (job_get_error(job, &err) != CORE_OK || g_strcmp0(c->vm, pending.vm) != 0) {
		tui_message(t, true, "%s", err ? err : _("The VM changed meanwhile; nothing was reverted."));
		return TUI_REDRAW;
	}
	g_string_printf(q, _("Revert \"%s\" to \"%s\"? What happened since is lost and the VM restarts."),
			c->vm, c->snapshot);
	if (c->lines->len) {
		g_string_append_c(q, ' ');
		g_string_append(q, _("Undone:"));
		for (guint i = 0; i < c->lines->len; i++)
			g_string_append_printf(q, "%s %s", i ? ";" : "", (char *)c->lines->pdata[i]);
		g_string_append_c(q, '.');
	}
	if (c->dropped->len) {
		g_string_append_c(q, ' ');
		g_string_append(q, _("Dropped (taken after it):"));
		for (guint i = 0; i < c->dropped->len; i++)
			g_string_append_printf(q, "%s %s", i ? "," : "", (char *)c->dropped->pdata[i]);
		g_string_append_c(q, '.');
	}
	g_string_append_c(q, ' ');
	g_string_append(q, _("Type the snapshot's name: "));
	tui_prompt(t, q->str, "", revert_typed, NULL, NULL);
	return TUI_REDRAW;
}

static int revert_chosen(struct tui *t, const char *value)
{
	struct host *h = pending.host < t->hosts->len ? t->hosts->pdata[pending.host] : NULL;
	struct changes *c;
	struct job *job;

	if (!value || !h || !h->eng)
		return TUI_REDRAW;
	g_free(pending.snapshot);
	pending.snapshot = g_strdup(value);
	c = g_new0(struct changes, 1);
	c->eng = h->eng;
	c->vm = g_strdup(pending.vm);
	c->snapshot = g_strdup(value);
	job = job_submit("snapshot changes", changes_job, c, changes_free, false);
	tui_watch(t, job, changes_read, NULL);
	job_unref(job);
	return TUI_REDRAW;
}

int act_snapshot_revert(struct tui *t, const struct action *a)
{
	pick_snapshot(t, _("Revert to"), revert_chosen);
	return TUI_REDRAW;
}

static int delete_confirmed(struct tui *t, void *data)
{
	return run_snapshot(t, "delete", data, NULL);
}

static int delete_chosen(struct tui *t, const char *value)
{
	g_autofree char *q = NULL;

	if (!value)
		return TUI_REDRAW;
	q = g_strdup_printf(_("Delete snapshot \"%s\" of VM \"%s\"? Its children move up to its parent. [y/N] "),
			    value, pending.vm);
	tui_confirm(t, q, _("Nothing was deleted."), delete_confirmed, g_strdup(value), g_free);
	return TUI_REDRAW;
}

int act_snapshot_delete(struct tui *t, const struct action *a)
{
	pick_snapshot(t, _("Delete snapshot"), delete_chosen);
	return TUI_REDRAW;
}

/*
 * disks.c — the actions on the selected VM's disks and CD-ROMs: add a
 * disk (a size or an image's path typed), remove one (chosen, then y/N),
 * grow one (chosen, then its new size typed), insert an ISO (its path
 * typed) and eject a disc.  Each runs the `disk` or `cdrom` command of
 * the same name, live when the VM runs.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/vm.h"
#include "tui/tui.h"

/* The VM (and its host) and the disk the question is about. */
static struct {
	char *vm;
	unsigned host;
	char *target;
} pending;

static bool pending_set(struct tui *t)
{
	const struct vm_row *vm = tui_selected(t);

	if (!vm)
		return false;
	g_free(pending.vm);
	pending.vm = g_strdup(vm->name);
	pending.host = tui_host(t, vm)->id;
	return true;
}

/* Runs `WORDS VM ARGS...` on the pending VM's host. */
static int run(struct tui *t, const char *words, const char *a1, const char *a2, const char *a3)
{
	struct host *h = pending.host < t->hosts->len ? t->hosts->pdata[pending.host] : NULL;
	char *argv[] = { (char *)words, pending.vm, (char *)a1, (char *)a2, (char *)a3, NULL };

	if (!h || !pending.vm)
		return TUI_REDRAW;
	return tui_run_command(t, h, argv, pending.vm, false);
}

static int add_typed(struct tui *t, const char *text, void *data)
{
	g_autofree char *v = g_strstrip(g_strdup(text));
	g_autofree char *path = NULL;

	if (!*v)
		return TUI_REDRAW;
	/* a size starts with a digit; anything else is an image's path */
	if (g_ascii_isdigit(v[0]))
		return run(t, "disk add", "--size", v, NULL);
	path = tui_expand_home(v);
	return run(t, "disk add", "--image", path, NULL);
}

int act_disk_add(struct tui *t, const struct action *a)
{
	if (pending_set(t))
		tui_prompt(t, _("New disk: its size (e.g. 20G), or the path of an image to add: "), "",
			   add_typed, NULL, NULL);
	return TUI_REDRAW;
}

/* A picker of the selected VM's disks (@cdrom: its CD-ROMs) as the
 * details pane read them; false with a message when there is none. */
static bool pick_disk(struct tui *t, bool cdrom, const char *title, picker_done_fn done)
{
	const struct vm_row *vm = tui_selected(t);
	const struct vm_spec *s = vm ? view_details_spec(t, vm) : NULL;
	GPtrArray *items;

	if (!vm)
		return false;
	if (!s) {
		tui_message(t, true, _("The disks of %s are not read yet; try again in a moment."), vm->name);
		return false;
	}
	items = picker_items_new();
	for (guint i = 0; i < s->disks->len; i++) {
		const struct vm_disk *d = s->disks->pdata[i];
		g_autofree char *label = NULL;

		if (d->cdrom != cdrom || !d->target || (cdrom && !d->path))
			continue;
		label = g_strdup_printf("%-5s %s", d->target, d->path ? d->path : _("(empty)"));
		picker_add(items, label, NULL, d->target);
	}
	if (!items->len) {
		g_ptr_array_unref(items);
		tui_message(t, true, cdrom ? _("%s has no disc in a CD-ROM drive.") : _("%s has no disk."),
			    vm->name);
		return false;
	}
	pending_set(t);
	picker_open(t, title, items, false, done);
	return true;
}

static int remove_confirmed(struct tui *t, void *data)
{
	return run(t, "disk remove", data, NULL, NULL);
}

static int remove_chosen(struct tui *t, const char *value)
{
	g_autofree char *q = NULL;

	if (!value)
		return TUI_REDRAW;
	q = g_strdup_printf(_("Remove disk %s from VM \"%s\"? Its file is kept. [y/N] "), value, pending.vm);
	tui_confirm(t, q, _("Nothing was removed."), remove_confirmed, g_strdup(value), g_free);
	return TUI_REDRAW;
}

int act_disk_remove(struct tui *t, const struct action *a)
{
	pick_disk(t, false, _("Remove disk"), remove_chosen);
	return TUI_REDRAW;
}

static int size_typed(struct tui *t, const char *text, void *data)
{
	g_autofree char *v = g_strstrip(g_strdup(text));

	if (!*v || !pending.target)
		return TUI_REDRAW;
	return run(t, "disk resize", pending.target, v, NULL);
}

static int resize_chosen(struct tui *t, const char *value)
{
	g_autofree char *q = NULL;

	if (!value)
		return TUI_REDRAW;
	g_free(pending.target);
	pending.target = g_strdup(value);
	q = g_strdup_printf(_("Grow disk %s of \"%s\" to (e.g. 40G; the guest grows its file system): "),
			    value, pending.vm);
	tui_prompt(t, q, "", size_typed, NULL, NULL);
	return TUI_REDRAW;
}

int act_disk_resize(struct tui *t, const struct action *a)
{
	pick_disk(t, false, _("Grow disk"), resize_chosen);
	return TUI_REDRAW;
}

static int iso_typed(struct tui *t, const char *text, void *data)
{
	g_autofree char *v = g_strstrip(g_strdup(text));
	g_autofree char *path = NULL;

	if (!*v)
		return TUI_REDRAW;
	path = tui_expand_home(v);
	return run(t, "cdrom insert", path, NULL, NULL);
}

int act_cdrom_insert(struct tui *t, const struct action *a)
{
	if (pending_set(t))
		tui_prompt(t, _("ISO image to insert: "), "", iso_typed, NULL, NULL);
	return TUI_REDRAW;
}

static int eject_chosen(struct tui *t, const char *value)
{
	return value ? run(t, "cdrom eject", "--target", value, NULL) : TUI_REDRAW;
}

int act_cdrom_eject(struct tui *t, const struct action *a)
{
	pick_disk(t, true, _("Eject"), eject_chosen);
	return TUI_REDRAW;
}

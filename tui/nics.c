/*
 * nics.c — the networks a NIC can be on, listed off the UI thread for a
 * picker (the forms' Network field, the add-NIC action), and the actions
 * on the selected VM's NICs: add one, pull or plug a cable, unplug one.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "net/net.h"
#include "tui/tui.h"

/* The pending pick: which VM of which host the chosen network or NIC is
 * for (the picker's done function gets only the value). */
static struct {
	char *vm;
	unsigned host;
	void (*then)(struct tui *t, const char *value);
} pending;

struct nets_list {
	struct engine *eng;
	GPtrArray *list;     /* "MODE\tWHAT" (net_choices) */
	picker_done_fn done;
};

static int nets_job(struct job *job, void *data)
{
	struct nets_list *l = data;

	l->list = net_choices(l->eng);
	return 0;
}

static void nets_free(gpointer data)
{
	struct nets_list *l = data;

	if (l->list)
		g_ptr_array_unref(l->list);
	g_free(l);
}

static struct job *listing;

/* The host's networks were listed: the picker opens with them. */
static int nets_read(struct tui *t, struct job *job, void *data)
{
	struct nets_list *l = job_data(job);
	GPtrArray *items = picker_items_new();

	if (job != listing)
		return TUI_NONE;
	for (guint i = 0; l->list && i < l->list->len; i++) {
		g_auto(GStrv) mode_what = g_strsplit(l->list->pdata[i], "\t", 2);
		g_autofree char *label = g_strdup_printf("%-16s %s", mode_what[0],
							 mode_what[1] ? mode_what[1] : "");

		picker_add(items, label, NULL, mode_what[0]);
	}
	g_clear_pointer(&listing, job_unref);
	picker_open(t, _("Networks"), items, true, l->done);
	return TUI_REDRAW;
}

bool tui_pick_network(struct tui *t, struct host *h, picker_done_fn done)
{
	struct nets_list *l;

	if (listing || !h->eng)
		return false;
	l = g_new0(struct nets_list, 1);
	l->eng = h->eng;
	l->done = done;
	listing = job_submit("networks", nets_job, l, nets_free, false);
	tui_watch(t, listing, nets_read, NULL);
	return true;
}

bool tui_picking_network(void)
{
	return listing != NULL;
}

/* ---- actions on the selected VM's NICs --------------------------------- */

static void pending_set(struct tui *t, const struct vm_row *vm)
{
	g_free(pending.vm);
	pending.vm = g_strdup(vm->name);
	pending.host = tui_host(t, vm)->id;
}

static int run_nic(struct tui *t, const char *sub, const char *arg, const char *arg2)
{
	struct host *h = pending.host < t->hosts->len ? t->hosts->pdata[pending.host] : NULL;
	g_autofree char *cmd = g_strconcat("nic ", sub, NULL);
	char *argv[] = { cmd, pending.vm, (char *)arg, (char *)arg2, NULL };

	if (!h || !pending.vm)
		return TUI_REDRAW;
	return tui_run_command(t, h, argv, pending.vm, false);
}

static int network_chosen(struct tui *t, const char *value)
{
	if (!value)
		return TUI_REDRAW;
	if (strcmp(value, "none") == 0) {
		tui_message(t, true, _("\"none\" is no NIC to add; U unplugs one."));
		return TUI_REDRAW;
	}
	return run_nic(t, "add", value, NULL);
}

int act_nic_add(struct tui *t, const struct action *a)
{
	const struct vm_row *vm = tui_selected(t);

	pending_set(t, vm);
	if (!tui_pick_network(t, tui_host(t, vm), network_chosen))
		tui_message(t, true, _("Still listing the networks..."));
	return TUI_REDRAW;
}

/* A picker of the selected VM's NICs as the details pane read them; false
 * with a message when there is none to choose. */
static bool pick_nic(struct tui *t, const char *title, picker_done_fn done)
{
	const struct vm_row *vm = tui_selected(t);
	const struct vm_spec *s = view_details_spec(t, vm);
	GPtrArray *items;

	if (!s) {
		tui_message(t, true, _("The NICs of %s are not read yet; try again in a moment."), vm->name);
		return false;
	}
	if (!s->nics->len) {
		tui_message(t, true, _("%s has no NIC; N adds one."), vm->name);
		return false;
	}
	pending_set(t, vm);
	items = picker_items_new();
	for (guint i = 0; i < s->nics->len; i++) {
		const struct vm_nic *nic = s->nics->pdata[i];
		g_autofree char *mode = net_nic_text(nic);
		g_autofree char *label = g_strdup_printf("%s  %-20s %s", nic->mac ? nic->mac : "?", mode,
							 nic->link_down ? _("link down") : _("link up"));
		/* the value says the link state too, for the link action */
		g_autofree char *value = g_strdup_printf("%s %s", nic->mac ? nic->mac : "",
							 nic->link_down ? "down" : "up");

		picker_add(items, label, NULL, value);
	}
	picker_open(t, title, items, false, done);
	return true;
}

static int link_chosen(struct tui *t, const char *value)
{
	g_auto(GStrv) mac_state = value ? g_strsplit(value, " ", 2) : NULL;

	if (!mac_state || !mac_state[0] || !mac_state[1])
		return TUI_REDRAW;
	return run_nic(t, "link", mac_state[0], strcmp(mac_state[1], "up") == 0 ? "down" : "up");
}

int act_nic_link(struct tui *t, const struct action *a)
{
	pick_nic(t, _("Pull or plug the cable of"), link_chosen);
	return TUI_REDRAW;
}

static int unplug_confirmed(struct tui *t, void *data)
{
	return run_nic(t, "remove", data, NULL);
}

static int unplug_chosen(struct tui *t, const char *value)
{
	g_auto(GStrv) mac_state = value ? g_strsplit(value, " ", 2) : NULL;
	g_autofree char *q = NULL;

	if (!mac_state || !mac_state[0])
		return TUI_REDRAW;
	q = g_strdup_printf(_("Unplug NIC %s of VM \"%s\"? [y/N] "), mac_state[0], pending.vm);
	tui_confirm(t, q, _("Nothing was unplugged."), unplug_confirmed, g_strdup(mac_state[0]), g_free);
	return TUI_REDRAW;
}

int act_nic_remove(struct tui *t, const struct action *a)
{
	pick_nic(t, _("Unplug"), unplug_chosen);
	return TUI_REDRAW;
}

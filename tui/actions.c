/*
 * actions.c — what each key does, as one table: key, help, guards and the
 * function to run.  The help screen and the hint line are generated from
 * it, so they never drift from the bindings.  Actions that change a VM run
 * the same commands as the command line (commands.c) as jobs.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

/* Runs "CMD NAME [EXTRA]" on the VM @vm, on its host. */
static int run_cmd(struct tui *t, const char *cmd, const struct vm_row *vm,
		   const char *extra, bool show)
{
	char *argv[] = { (char *)cmd, vm->name, (char *)extra, NULL };

	return tui_run_command(t, tui_host(t, vm), argv, vm->name, show);
}

/* Runs CMD on every target (the marked VMs, else the selected one). */
static int run_targets(struct tui *t, const char *cmd)
{
	g_autoptr(GPtrArray) targets = tui_targets(t);

	for (guint i = 0; i < targets->len; i++)
		run_cmd(t, cmd, targets->pdata[i], NULL, false);
	return TUI_REDRAW;
}

static void add_pending(struct tui *t, unsigned host, const char *name)
{
	struct vm_row *r = g_new0(struct vm_row, 1);

	r->host = host;
	r->name = g_strdup(name);
	g_ptr_array_add(t->pending, r);
}

/* Remembers the targets (name and host) for a confirmation; returns how
 * many. */
static guint set_pending(struct tui *t)
{
	g_autoptr(GPtrArray) targets = tui_targets(t);

	g_ptr_array_set_size(t->pending, 0);
	for (guint i = 0; i < targets->len; i++) {
		const struct vm_row *r = targets->pdata[i];

		add_pending(t, r->host, r->name);
	}
	return t->pending->len;
}

static const char *pending_name(struct tui *t)
{
	return t->pending->len ? ((struct vm_row *)t->pending->pdata[0])->name : "";
}

static int act_start(struct tui *t, const struct vm_row *vm)
{
	return run_targets(t, "start");
}

static int act_shutdown(struct tui *t, const struct vm_row *vm)
{
	return run_targets(t, "shutdown");
}

static int act_reboot(struct tui *t, const struct vm_row *vm)
{
	return run_targets(t, "reboot");
}

static int act_pause(struct tui *t, const struct vm_row *vm)
{
	g_autoptr(GPtrArray) targets = tui_targets(t);

	for (guint i = 0; i < targets->len; i++) {
		struct vm_row *r = targets->pdata[i];

		run_cmd(t, r->state == VIR_DOMAIN_PAUSED ? "resume" : "suspend",
			r, NULL, false);
	}
	return TUI_REDRAW;
}

static int act_info(struct tui *t, const struct vm_row *vm)
{
	return run_cmd(t, "info", vm, NULL, true);
}

static int act_xml(struct tui *t, const struct vm_row *vm)
{
	return run_cmd(t, "dumpxml", vm, NULL, true);
}

static int confirm_destroy(struct tui *t, const char *text);

void actions_offer_force_off(struct tui *t, unsigned host, const char *name,
			     const char *why)
{
	g_autofree char *q = g_strdup_printf(_("%s Force it off now? [y/N] "), why);

	g_ptr_array_set_size(t->pending, 0);
	add_pending(t, host, name);
	tui_prompt(t, q, "", confirm_destroy);
}

static int act_cancel(struct tui *t, const struct vm_row *vm)
{
	guint n = 0;

	for (guint i = 0; i < t->jobs->len; i++) {
		struct tui_job *tj = g_ptr_array_index(t->jobs, i);

		job_cancel(tj->job);
		n++;
	}
	if (n)
		tui_message(t, false, P_("Asked %u job to stop.", "Asked %u jobs to stop.", n), n);
	else
		tui_message(t, false, _("No job is running."));
	return TUI_REDRAW;
}

static int confirm_destroy(struct tui *t, const char *text)
{
	if (g_ascii_strcasecmp(text, "y") != 0) {
		tui_message(t, false, _("Force off cancelled."));
		return TUI_REDRAW;
	}
	for (guint i = 0; i < t->pending->len; i++)
		run_cmd(t, "destroy", t->pending->pdata[i], NULL, false);
	return TUI_REDRAW;
}

static int act_destroy(struct tui *t, const struct vm_row *vm)
{
	guint n = set_pending(t);
	g_autofree char *q = n == 1 ?
		g_strdup_printf(_("Force off VM \"%s\"? Unsaved work in the guest is lost. [y/N] "),
				pending_name(t)) :
		g_strdup_printf(_("Force off these %u VMs? Unsaved work in the guests is lost. [y/N] "), n);

	tui_prompt(t, q, "", confirm_destroy);
	return TUI_REDRAW;
}

static int confirm_delete_disks(struct tui *t, const char *text)
{
	bool disks = g_ascii_strcasecmp(text, "y") == 0;

	for (guint i = 0; i < t->pending->len; i++)
		run_cmd(t, "delete", t->pending->pdata[i],
			disks ? "--remove-disks" : NULL, false);
	g_hash_table_remove_all(t->marked);
	return TUI_REDRAW;
}

static int confirm_delete_name(struct tui *t, const char *text)
{
	g_autofree char *want = t->pending->len == 1 ? g_strdup(pending_name(t)) :
		g_strdup_printf("%u", t->pending->len);

	if (strcmp(text, want) != 0) {
		tui_message(t, true, _("What was typed does not match; nothing was deleted."));
		return TUI_REDRAW;
	}
	tui_prompt(t, _("Also remove the disks vmtui created for it? [y/N] "), "",
		   confirm_delete_disks);
	return TUI_REDRAW;
}

static int act_delete(struct tui *t, const struct vm_row *vm)
{
	guint n = set_pending(t);
	g_autofree char *q = n == 1 ?
		g_strdup_printf(_("Type the VM's name to delete \"%s\": "), pending_name(t)) :
		g_strdup_printf(_("Type %u to delete these %u VMs: "), n, n);

	tui_prompt(t, q, "", confirm_delete_name);
	return TUI_REDRAW;
}

/* Live filter: each edit of the "/" prompt narrows the list. */
static void filter_changed(struct tui *t, const char *text)
{
	g_free(t->filter);
	t->filter = *text ? g_utf8_casefold(text, -1) : NULL;
	tui_rebuild_rows(t);
}

static int filter_done(struct tui *t, const char *text)
{
	filter_changed(t, text);
	if (*text)
		tui_message(t, false, _("Showing VMs whose name contains \"%s\" (/ then Esc shows all)."),
			    text);
	return TUI_REDRAW;
}

static int act_filter(struct tui *t, const struct vm_row *vm)
{
	tui_prompt(t, "/", "", filter_done);
	t->prompt_changed = filter_changed;
	return TUI_REDRAW;
}

static int act_sort(struct tui *t, const struct vm_row *vm)
{
	if (!columns[++t->sort].id)
		t->sort = 0;
	tui_rebuild_rows(t);
	tui_message(t, false, _("Sorted by %s."), _(columns[t->sort].heading));
	return TUI_REDRAW;
}

static int act_sort_reverse(struct tui *t, const struct vm_row *vm)
{
	t->sort_desc = !t->sort_desc;
	tui_rebuild_rows(t);
	return TUI_REDRAW;
}

static int run_prompt(struct tui *t, const char *text)
{
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) err = NULL;

	if (!*text)
		return TUI_REDRAW;
	if (!g_shell_parse_argv(text, NULL, &argv, &err)) {
		tui_message(t, true, "%s", err->message);
		return TUI_REDRAW;
	}
	return tui_run_command(t, NULL, argv, NULL, true);
}

static int act_command(struct tui *t, const struct vm_row *vm)
{
	tui_prompt(t, ":", "", run_prompt);
	t->prompt_is_command = true;
	g_clear_pointer(&t->message, g_free);
	return TUI_REDRAW;
}

static int act_new(struct tui *t, const struct vm_row *vm)
{
	return form_create_open(t);
}

static int act_edit(struct tui *t, const struct vm_row *vm)
{
	return form_edit_open(t, vm);
}

static int act_help(struct tui *t, const struct vm_row *vm)
{
	g_autofree char *text = actions_help();

	tui_pager(t, _("Keys"), text);
	return TUI_REDRAW;
}

static int act_quit(struct tui *t, const struct vm_row *vm)
{
	return TUI_QUIT;
}

/* TRANSLATORS: the short names are shown in the hint line */
const struct action actions[] = {
	{ N_("new"), 'n', "n", N_("Create a new VM (a form, then a summary)"), ACT_HINT, act_new },
	{ N_("start"), 's', "s", N_("Start the selected VM (or the marked ones)"), ACT_VM | ACT_HINT, act_start },
	{ N_("shutdown"), 'S', "S", N_("Ask the selected VM to power off (ACPI)"), ACT_VM | ACT_HINT, act_shutdown },
	{ N_("force off"), 'F', "F", N_("Force the selected VM off (asks first)"), ACT_VM | ACT_HINT, act_destroy },
	{ N_("pause"), 'p', "p", N_("Pause or resume the selected VM"), ACT_VM | ACT_HINT, act_pause },
	{ N_("reboot"), 'R', "R", N_("Ask the selected VM to reboot"), ACT_VM, act_reboot },
	{ N_("info"), '\n', "Enter", N_("Show the selected VM's settings"), ACT_VM | ACT_HINT, act_info },
	{ N_("edit"), 'e', "e", N_("Edit the selected VM's vCPUs, memory and description"), ACT_VM, act_edit },
	{ N_("xml"), 'x', "x", N_("Show the selected VM's domain XML"), ACT_VM, act_xml },
	{ N_("delete"), 'd', "d", N_("Delete the selected VM (type its name to confirm)"), ACT_VM | ACT_HINT, act_delete },
	{ N_("filter"), '/', "/", N_("Show only VMs whose name contains the text typed (Esc shows all)"), ACT_HINT, act_filter },
	{ N_("sort"), 'o', "o", N_("Sort by the next column (or click its heading)"), 0, act_sort },
	{ N_("reverse"), 'O', "O", N_("Reverse the sort order"), 0, act_sort_reverse },
	{ N_("cancel"), 'K', "K", N_("Stop the running jobs (e.g. stop waiting for a shutdown)"), 0, act_cancel },
	{ N_("command"), ':', ":", N_("Run a vmtui command, e.g. :create web --memory 2G (Tab completes, Up/Down recall)"), ACT_HINT, act_command },
	{ N_("help"), '?', "?", N_("Show this help"), ACT_HINT, act_help },
	{ N_("quit"), 'q', "q", N_("Quit (VMs keep running)"), ACT_HINT, act_quit },
	{ 0 }
};

int actions_dispatch(struct tui *t, int key)
{
	if (tui_is_enter((wint_t)key, key >= KEY_MIN))
		key = '\n';
	for (const struct action *a = actions; a->name; a++) {
		const struct vm_row *vm;

		if (a->key != key)
			continue;
		vm = tui_selected(t);
		if ((a->flags & ACT_VM) && !vm) {
			tui_message(t, true, _("No VM is selected."));
			return TUI_REDRAW;
		}
		return a->exec(t, vm);
	}
	return TUI_NONE;
}

char *actions_help(void)
{
	GString *s = g_string_new(NULL);

	for (const struct action *a = actions; a->name; a++) {
		g_string_append(s, "  ");
		cli_pad(s, a->key_label, 8);
		g_string_append_printf(s, "%s\n", _(a->help));
	}
	g_string_append_printf(s, "\n  ");
	cli_pad(s, "j k", 8);
	g_string_append_printf(s, "%s\n  ", _("Move the selection (also the arrow keys, Home, End, PgUp, PgDn)"));
	cli_pad(s, "Space", 8);
	g_string_append_printf(s, "%s\n  ", _("Mark or unmark a VM; s, S, F, p, R and d then act on all marked VMs"));
	cli_pad(s, "Tab", 8);
	g_string_append_printf(s, "%s\n  ", _("Next tab of the details pane (Shift-Tab: previous)"));
	cli_pad(s, "Esc", 8);
	g_string_append_printf(s, "%s\n  ", _("Unmark all VMs"));
	cli_pad(s, "q", 8);
	g_string_append_printf(s, "%s\n", _("Leave this text"));
	return g_string_free(s, FALSE);
}

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

/* Runs "CMD NAME [EXTRA]" on the selected VM. */
static int run_on(struct tui *t, const char *cmd, const struct vm_row *vm,
		  const char *extra, bool show)
{
	char *argv[] = { (char *)cmd, vm->name, (char *)extra, NULL };

	return tui_run_command(t, argv, vm->name, show);
}

static int act_start(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, "start", vm, NULL, false);
}

static int act_shutdown(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, "shutdown", vm, NULL, false);
}

static int act_reboot(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, "reboot", vm, NULL, false);
}

static int act_pause(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, vm->state == VIR_DOMAIN_PAUSED ? "resume" : "suspend",
		      vm, NULL, false);
}

static int act_info(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, "info", vm, NULL, true);
}

static int act_xml(struct tui *t, const struct vm_row *vm)
{
	return run_on(t, "dumpxml", vm, NULL, true);
}

static int confirm_destroy(struct tui *t, const char *text)
{
	char *argv[] = { (char *)"destroy", t->pending_vm, NULL };

	if (g_ascii_strcasecmp(text, "y") != 0) {
		tui_message(t, false, _("Force off cancelled."));
		return TUI_REDRAW;
	}
	return tui_run_command(t, argv, t->pending_vm, false);
}

static int act_destroy(struct tui *t, const struct vm_row *vm)
{
	g_autofree char *q = g_strdup_printf(
		_("Force off VM \"%s\"? Unsaved work in the guest is lost. [y/N] "),
		vm->name);

	g_free(t->pending_vm);
	t->pending_vm = g_strdup(vm->name);
	tui_prompt(t, q, "", confirm_destroy);
	return TUI_REDRAW;
}

static int confirm_delete_disks(struct tui *t, const char *text)
{
	bool disks = g_ascii_strcasecmp(text, "y") == 0;
	char *argv[] = { (char *)"delete", t->pending_vm,
			 disks ? (char *)"--remove-disks" : NULL, NULL };

	return tui_run_command(t, argv, t->pending_vm, false);
}

static int confirm_delete_name(struct tui *t, const char *text)
{
	if (strcmp(text, t->pending_vm) != 0) {
		tui_message(t, true, _("The name typed does not match; VM \"%s\" was not deleted."),
			    t->pending_vm);
		return TUI_REDRAW;
	}
	tui_prompt(t, _("Also remove the disks vmtui created for it? [y/N] "), "",
		   confirm_delete_disks);
	return TUI_REDRAW;
}

static int act_delete(struct tui *t, const struct vm_row *vm)
{
	g_autofree char *q = g_strdup_printf(
		_("Type the VM's name to delete \"%s\": "), vm->name);

	g_free(t->pending_vm);
	t->pending_vm = g_strdup(vm->name);
	tui_prompt(t, q, "", confirm_delete_name);
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
	return tui_run_command(t, argv, NULL, true);
}

static int act_command(struct tui *t, const struct vm_row *vm)
{
	tui_prompt(t, ":", "", run_prompt);
	return TUI_REDRAW;
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
	{ N_("start"), 's', "s", N_("Start the selected VM"), ACT_VM | ACT_HINT, act_start },
	{ N_("shutdown"), 'S', "S", N_("Ask the selected VM to power off (ACPI)"), ACT_VM | ACT_HINT, act_shutdown },
	{ N_("force off"), 'F', "F", N_("Force the selected VM off (asks first)"), ACT_VM | ACT_HINT, act_destroy },
	{ N_("pause"), 'p', "p", N_("Pause or resume the selected VM"), ACT_VM | ACT_HINT, act_pause },
	{ N_("reboot"), 'R', "R", N_("Ask the selected VM to reboot"), ACT_VM, act_reboot },
	{ N_("info"), '\n', "Enter", N_("Show the selected VM's settings"), ACT_VM | ACT_HINT, act_info },
	{ N_("xml"), 'x', "x", N_("Show the selected VM's domain XML"), ACT_VM, act_xml },
	{ N_("delete"), 'd', "d", N_("Delete the selected VM (type its name to confirm)"), ACT_VM | ACT_HINT, act_delete },
	{ N_("command"), ':', ":", N_("Run a vmtui command, e.g. :create web --memory 2G"), ACT_HINT, act_command },
	{ N_("help"), '?', "?", N_("Show this help"), ACT_HINT, act_help },
	{ N_("quit"), 'q', "q", N_("Quit (VMs keep running)"), ACT_HINT, act_quit },
	{ 0 }
};

int actions_dispatch(struct tui *t, int key)
{
	if (key == KEY_ENTER || key == '\r')
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
	cli_pad(s, "q", 8);
	g_string_append_printf(s, "%s\n", _("Leave this text"));
	return g_string_free(s, FALSE);
}

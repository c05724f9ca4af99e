/*
 * actions.c — what each key does, as one table: key, help, guards and the
 * function to run.  The help screen and the hint line are generated from
 * it, so they never drift from the bindings.  Actions that change a VM run
 * the same commands as the command line (commands.c) as jobs.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

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

/* Runs console command @cmd on @vm, or says why not (@off_fmt). */
static int run_console(struct tui *t, const struct vm_row *vm, const char *cmd,
		       const char *off_fmt)
{
	if (!vm_state_active(vm->state)) {
		tui_message(t, true, off_fmt, vm->name);
		return TUI_REDRAW;
	}
	return run_cmd(t, cmd, vm, NULL, false);
}

static int act_console(struct tui *t, const struct vm_row *vm)
{
	return run_console(t, vm, "console",
			   _("%s is not running: start it first (s), then attach to its console."));
}

static int act_screen(struct tui *t, const struct vm_row *vm)
{
	return run_console(t, vm, "vnc",
			   _("%s is not running: start it first (s), then open its screen."));
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

/* The ":" line waiting for its [y/N] (UI thread only), and whether it
 * gets --yes once confirmed. */
static char *confirm_line;
static bool confirm_adds_yes;

static int run_prompt(struct tui *t, const char *text);
static int run_line(struct tui *t, const char *text, bool confirmed);

static int confirm_yes(struct tui *t, const char *text)
{
	g_autofree char *line = g_steal_pointer(&confirm_line);
	g_autofree char *full = NULL;

	if (!line || (*text != 'y' && *text != 'Y')) {
		tui_message(t, false, _("Cancelled; nothing was done."));
		return TUI_REDRAW;
	}
	full = confirm_adds_yes ? g_strdup_printf("%s --yes", line) : g_strdup(line);
	return run_line(t, full, true);
}

/* Whether @cmd takes --yes, and whether @argv already gives it. */
static bool takes_yes(const struct command *cmd, char **argv, bool *given)
{
	bool takes = false;

	*given = false;
	for (const struct cmd_opt *o = cmd->opts; o && o->name; o++)
		takes |= strcmp(o->name, "yes") == 0;
	for (char **a = argv; takes && *a; a++)
		*given |= strcmp(*a, "--yes") == 0;
	return takes;
}

/* Runs a ":" line; a destructive command (delete, destroy, reset, ...)
 * asks [y/N] first unless @confirmed or it already says --yes. */
static int run_line(struct tui *t, const char *text, bool confirmed)
{
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) err = NULL;
	const struct command *cmd;
	bool given;
	int words;

	if (!*text)
		return TUI_REDRAW;
	if (!g_shell_parse_argv(text, NULL, &argv, &err)) {
		tui_message(t, true, "%s", err->message);
		return TUI_REDRAW;
	}
	cmd = argv[0] ? command_find_argv((int)g_strv_length(argv), argv, &words) : NULL;
	core_error_clear(); /* an unknown command is told when it runs */
	if (!confirmed && cmd && (cmd->flags & CMD_DESTRUCTIVE)) {
		bool adds = takes_yes(cmd, argv, &given);
		g_autofree char *q = NULL;

		if (!given) {
			q = g_strdup_printf(adds ? _("Run \"%s\"? It deletes what it names. [y/N] ") :
					    _("Run \"%s\"? It cannot be undone. [y/N] "), text);
			g_free(confirm_line);
			confirm_line = g_strdup(text);
			confirm_adds_yes = adds;
			tui_prompt(t, q, "", confirm_yes);
			return TUI_REDRAW;
		}
	}
	return tui_run_command(t, NULL, argv, NULL, true);
}

static int run_prompt(struct tui *t, const char *text)
{
	return run_line(t, text, false);
}

static int act_command(struct tui *t, const struct vm_row *vm)
{
	/* with several hosts, the line says which one it runs on */
	g_autofree char *label = t->hosts->len > 1 ?
		g_strdup_printf("[%s] :", tui_host(t, NULL)->label) : g_strdup(":");

	tui_prompt(t, label, "", run_prompt);
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

static int act_templates(struct tui *t, const struct vm_row *vm)
{
	return view_templates_open(t);
}

/* t: the New template form, made from the selected VM. */
static int act_template(struct tui *t, const struct vm_row *vm)
{
	struct host *h = tui_host(t, vm);

	if (!h->eng || !engine_is_local(h->eng)) {
		tui_message(t, true, _("%s is on %s: templates are made of VMs on this machine."),
			    vm->name, h->label);
		return TUI_REDRAW;
	}
	return form_template_open(t, h, vm->name, NULL);
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

static int act_menu(struct tui *t, const struct vm_row *vm)
{
	return actions_menu(t);
}

/* TRANSLATORS: the short names are shown in the hint line and the menu */
const struct action actions[] = {
	{ N_("new"), 'n', KEY_F(7), N_("Create a new VM (a form, then a summary)"), ACT_HINT, act_new },
	{ N_("start"), 's', 0, N_("Start the selected VM (or the marked ones)"), ACT_VM | ACT_HINT, act_start },
	{ N_("shutdown"), 'S', 0, N_("Ask the selected VM to power off (ACPI)"), ACT_VM | ACT_HINT, act_shutdown },
	{ N_("force off"), 'F', 0, N_("Force the selected VM off (asks first)"), ACT_VM | ACT_HINT, act_destroy },
	{ N_("pause"), 'p', 0, N_("Pause or resume the selected VM"), ACT_VM | ACT_HINT, act_pause },
	{ N_("reboot"), 'R', 0, N_("Ask the selected VM to reboot"), ACT_VM, act_reboot },
	{ N_("info"), '\n', KEY_F(3), N_("Show the selected VM's settings"), ACT_VM | ACT_HINT, act_info },
	{ N_("console"), 'c', 0, N_("Attach to the selected VM's serial console (Ctrl-] opens its menu)"), ACT_VM | ACT_HINT, act_console },
	{ N_("screen"), 'v', 0, N_("Show the selected VM's screen (VNC) in the terminal, with keyboard and mouse"), ACT_VM | ACT_HINT, act_screen },
	{ N_("edit"), 'e', KEY_F(4), N_("Edit the selected VM's vCPUs, memory, boot order and description"), ACT_VM, act_edit },
	{ N_("xml"), 'x', 0, N_("Show the selected VM's domain XML"), ACT_VM, act_xml },
	{ N_("delete"), 'd', KEY_F(8), N_("Delete the selected VM (type its name to confirm)"), ACT_VM | ACT_HINT, act_delete },
	{ N_("templates"), 'T', KEY_F(9), N_("Show the templates: provision lab VMs from one, make, edit, export or delete them"), ACT_HINT, act_templates },
	{ N_("make template"), 't', 0, N_("Make a template from the selected VM (shut off)"), ACT_VM, act_template },
	{ N_("filter"), '/', 0, N_("Show only VMs whose name contains the text typed (Esc shows all)"), ACT_HINT, act_filter },
	{ N_("sort"), 'o', 0, N_("Sort by the next column (or click its heading)"), 0, act_sort },
	{ N_("reverse"), 'O', 0, N_("Reverse the sort order"), 0, act_sort_reverse },
	{ N_("cancel"), 'K', 0, N_("Stop the running jobs (e.g. stop waiting for a shutdown or a lab being made)"), ACT_GLOBAL, act_cancel },
	{ N_("command"), ':', 0, N_("Run a vmtui command, e.g. :create web --memory 2G (Tab completes, Up/Down recall)"), ACT_HINT | ACT_GLOBAL, act_command },
	{ N_("menu"), 'm', KEY_F(2), N_("Show these actions as a menu (also a right click on a VM)"), ACT_HINT, act_menu },
	{ N_("help"), '?', KEY_F(1), N_("Show this help"), ACT_HINT | ACT_GLOBAL, act_help },
	{ N_("quit"), 'q', KEY_F(10), N_("Quit (VMs keep running)"), ACT_HINT, act_quit },
	{ 0 }
};

#define N_ACTIONS (G_N_ELEMENTS(actions) - 1)

/* The keys in force: the table's, changed by [keys]. */
static int bound[N_ACTIONS];
static bool bound_set;

static void default_bindings(void)
{
	for (size_t i = 0; i < N_ACTIONS; i++)
		bound[i] = actions[i].key;
	bound_set = true;
}

/* Keys the list itself uses; an action bound to one would never run. */
static bool key_reserved(int key)
{
	return strchr("jkgG \t\x1b", key) || key == KEY_UP || key == KEY_DOWN ||
	       key == KEY_NPAGE || key == KEY_PPAGE || key == KEY_HOME ||
	       key == KEY_END || key == KEY_BTAB;
}

/* "s", "^X", "F5", "Enter", "Delete", "Insert", "none" → key (0: none),
 * -1 when not a key name. */
static int parse_key(const char *s)
{
	gunichar c;

	if (strcmp(s, "none") == 0)
		return 0;
	if (g_ascii_strcasecmp(s, "Enter") == 0)
		return '\n';
	if (g_ascii_strcasecmp(s, "Delete") == 0 || g_ascii_strcasecmp(s, "Del") == 0)
		return KEY_DC;
	if (g_ascii_strcasecmp(s, "Insert") == 0 || g_ascii_strcasecmp(s, "Ins") == 0)
		return KEY_IC;
	if ((s[0] == 'F' || s[0] == 'f') && g_ascii_isdigit(s[1])) {
		char *end;
		long n = strtol(s + 1, &end, 10);

		return !*end && n >= 1 && n <= 12 ? KEY_F(n) : -1;
	}
	if (s[0] == '^' && g_ascii_isalpha(s[1]) && !s[2])
		return g_ascii_toupper(s[1]) - '@';
	c = g_utf8_get_char_validated(s, -1);
	if (c == (gunichar)-1 || c == (gunichar)-2 || c < 33 ||
	    *g_utf8_next_char(s))
		return -1;
	return (int)c;
}

static void key_text(int key, char *buf, size_t len)
{
	if (key == '\n')
		g_strlcpy(buf, "Enter", len);
	else if (key == KEY_DC)
		g_strlcpy(buf, "Delete", len);
	else if (key == KEY_IC)
		g_strlcpy(buf, "Insert", len);
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		g_snprintf(buf, len, "F%d", key - KEY_F0);
	else if (key > 0 && key < 27)
		g_snprintf(buf, len, "^%c", key + '@');
	else if (key > 0) {
		memset(buf, 0, len);
		g_unichar_to_utf8((gunichar)key, buf);
	} else
		buf[0] = '\0';
}

/* The action's name as [keys] spells it: "force off" → "force-off". */
static char *action_id(const struct action *a)
{
	return g_strdelimit(g_strdup(a->name), " ", '-');
}

int actions_configure(const struct core_config *cfg)
{
	default_bindings();
	for (guint i = 0; i < cfg->keys->len; i++) {
		const struct core_pair *p = cfg->keys->pdata[i];
		int key = parse_key(p->value);
		size_t k;

		for (k = 0; k < N_ACTIONS; k++) {
			g_autofree char *id = action_id(&actions[k]);

			if (strcmp(id, p->key) == 0)
				break;
		}
		if (k == N_ACTIONS) {
			core_error(CORE_ERR_USAGE, _("%s: [keys] \"%s\" is not an action; the actions are listed by ? in vmtui"),
				   cfg->path, p->key);
			return -1;
		}
		if (key < 0) {
			core_error(CORE_ERR_USAGE, _("%s: [keys] %s = \"%s\" is not a key; give a character, ^X, F1 to F12, Enter, Delete, Insert or none"),
				   cfg->path, p->key, p->value);
			return -1;
		}
		if (key && key_reserved(key)) {
			core_error(CORE_ERR_USAGE, _("%s: [keys] %s = \"%s\": that key moves in the list; choose another"),
				   cfg->path, p->key, p->value);
			return -1;
		}
		bound[k] = key;
	}
	/* two actions on one key: the second would never run */
	for (size_t a = 0; a < N_ACTIONS; a++) {
		for (size_t b = a + 1; b < N_ACTIONS; b++) {
			if (bound[a] && (bound[a] == bound[b] || bound[a] == actions[b].fkey)) {
				char name[16];

				key_text(bound[a], name, sizeof name);
				core_error(CORE_ERR_USAGE, _("%s: [keys] \"%s\" would be the key of both %s and %s"),
					   cfg->path, name, actions[a].name, actions[b].name);
				return -1;
			}
		}
	}
	return 0;
}

const char *actions_key_label(const struct action *a)
{
	static char labels[N_ACTIONS][16];
	size_t i = (size_t)(a - actions);

	if (!bound_set)
		default_bindings();
	key_text(bound[i] ? bound[i] : a->fkey, labels[i], sizeof labels[i]);
	return labels[i];
}

int actions_dispatch(struct tui *t, int key)
{
	if (!bound_set)
		default_bindings();
	if (tui_is_enter((wint_t)key, key >= KEY_MIN))
		key = '\n';
	for (size_t i = 0; i < N_ACTIONS; i++) {
		const struct action *a = &actions[i];
		const struct vm_row *vm;

		if (!key || (bound[i] != key && a->fkey != key))
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

int actions_dispatch_global(struct tui *t, int key)
{
	if (!bound_set)
		default_bindings();
	for (size_t i = 0; i < N_ACTIONS; i++)
		if (key && (actions[i].flags & ACT_GLOBAL) &&
		    (bound[i] == key || actions[i].fkey == key))
			return actions[i].exec(t, NULL);
	return TUI_NONE;
}

static int menu_done(struct tui *t, const char *value)
{
	for (size_t i = 0; value && i < N_ACTIONS; i++)
		if (strcmp(actions[i].name, value) == 0)
			return actions[i].exec(t, tui_selected(t));
	return TUI_REDRAW;
}

int actions_menu(struct tui *t)
{
	const struct vm_row *vm = tui_selected(t);
	GPtrArray *items = picker_items_new();
	g_autoptr(GPtrArray) targets = tui_targets(t);
	g_autofree char *title = targets->len > 1 ?
		g_strdup_printf(P_("%u marked VM", "%u marked VMs", targets->len), targets->len) :
		g_strdup(vm ? vm->name : "vmtui");

	for (size_t i = 0; i < N_ACTIONS; i++) {
		const struct action *a = &actions[i];

		if ((a->flags & ACT_VM) && !vm)
			continue;
		if (a->exec == act_menu)
			continue;
		picker_add(items, _(a->name), actions_key_label(a), a->name);
	}
	picker_open(t, title, items, false, menu_done);
	return TUI_REDRAW;
}

char *actions_help(void)
{
	GString *s = g_string_new(NULL);

	for (const struct action *a = actions; a->name; a++) {
		char fkey[8];

		key_text(a->fkey, fkey, sizeof fkey);
		g_string_append(s, "  ");
		cli_pad(s, actions_key_label(a), 8);
		cli_pad(s, *fkey && strcmp(fkey, actions_key_label(a)) ? fkey : "", 5);
		g_string_append_printf(s, "%s\n", _(a->help));
	}
	g_string_append_printf(s, "\n  ");
	cli_pad(s, "j k", 13);
	g_string_append_printf(s, "%s\n  ", _("Move the selection (also the arrow keys, Home, End, PgUp, PgDn)"));
	cli_pad(s, "Space", 13);
	g_string_append_printf(s, "%s\n  ", _("Mark or unmark a VM; s, S, F, p, R and d then act on all marked VMs"));
	cli_pad(s, "Tab", 13);
	g_string_append_printf(s, "%s\n  ", _("Next tab of the details pane (Shift-Tab: previous)"));
	cli_pad(s, "Esc", 13);
	g_string_append_printf(s, "%s\n  ", _("Unmark all VMs"));
	cli_pad(s, "q", 13);
	g_string_append_printf(s, "%s\n\n  ", _("Leave this text"));
	g_string_append_printf(s, "%s\n", _("Keys can be changed in the [keys] part of the config file, e.g. start = ^S (see vmtui(1))."));
	return g_string_free(s, FALSE);
}

/*
 * actions.c — what each key does, in every view, as one table: key, help,
 * the views it works in, the command it runs and the function that runs
 * it.  The help screen, the menus and the hint lines are generated from
 * it, so they never drift from the bindings, and [keys] rebinds any of
 * them.  Actions that change something run the same commands as the
 * command line (cmd/) as jobs.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

#define DOMAINS VIEW_BIT(VIEW_DOMAINS)
#define TEMPLATES VIEW_BIT(VIEW_TEMPLATES)
#define POOLS VIEW_BIT(VIEW_POOLS)

/* Runs "CMD NAME [EXTRA]" on the VM @vm, on its host. */
static int run_cmd(struct tui *t, const char *cmd, const struct vm_row *vm,
		   const char *extra, bool show)
{
	char *argv[] = { (char *)cmd, vm->name, (char *)extra, NULL };

	return tui_run_command(t, tui_host(t, vm), argv, vm->name, show);
}

/* Runs the action's command on every target (the marked VMs, else the
 * selected one). */
static int act_targets(struct tui *t, const struct action *a)
{
	g_autoptr(GPtrArray) targets = tui_targets(t);

	for (guint i = 0; i < targets->len; i++)
		run_cmd(t, a->command, targets->pdata[i], NULL, false);
	return TUI_REDRAW;
}

/* Runs the action's command on the selected VM and shows its report. */
static int act_report(struct tui *t, const struct action *a)
{
	return run_cmd(t, a->command, tui_selected(t), NULL, true);
}

static int act_pause(struct tui *t, const struct action *a)
{
	g_autoptr(GPtrArray) targets = tui_targets(t);

	for (guint i = 0; i < targets->len; i++) {
		struct vm_row *r = targets->pdata[i];

		run_cmd(t, r->state == VIR_DOMAIN_PAUSED ? "resume" : a->command,
			r, NULL, false);
	}
	return TUI_REDRAW;
}

/* Runs a console command on the selected VM, or says why not (@off_fmt,
 * with the VM's name and the key that starts it). */
static int run_console(struct tui *t, const struct action *a, const char *off_fmt)
{
	const struct vm_row *vm = tui_selected(t);

	if (!vm_state_active(vm->state)) {
		tui_message(t, true, off_fmt, vm->name, actions_key_of("start"));
		return TUI_REDRAW;
	}
	return run_cmd(t, a->command, vm, NULL, false);
}

static int act_console(struct tui *t, const struct action *a)
{
	return run_console(t, a, _("%s is not running: start it first (%s), then attach to its console."));
}

static int act_screen(struct tui *t, const struct action *a)
{
	return run_console(t, a, _("%s is not running: start it first (%s), then open its screen."));
}

/* What a confirmation of a command on VMs is about: the command, its
 * extra argument, and the VMs (name and host). */
struct about {
	char *command, *extra;
	GPtrArray *vms;        /* struct vm_row with only name and host */
};

static void about_free(gpointer p)
{
	struct about *ab = p;

	g_free(ab->command);
	g_free(ab->extra);
	if (ab->vms)
		g_ptr_array_unref(ab->vms);
	g_free(ab);
}

static void about_add(struct about *ab, unsigned host, const char *name)
{
	struct vm_row *r = g_new0(struct vm_row, 1);

	r->host = host;
	r->name = g_strdup(name);
	g_ptr_array_add(ab->vms, r);
}

/* @command on the targets (the marked VMs, else the selected one). */
static struct about *about_targets(struct tui *t, const char *command)
{
	struct about *ab = g_new0(struct about, 1);
	g_autoptr(GPtrArray) targets = tui_targets(t);

	ab->command = g_strdup(command);
	ab->vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	for (guint i = 0; i < targets->len; i++) {
		const struct vm_row *r = targets->pdata[i];

		about_add(ab, r->host, r->name);
	}
	return ab;
}

static const char *about_name(const struct about *ab)
{
	return ab->vms->len ? ((struct vm_row *)ab->vms->pdata[0])->name : "";
}

static int about_run(struct tui *t, void *data)
{
	struct about *ab = data;

	for (guint i = 0; i < ab->vms->len; i++)
		run_cmd(t, ab->command, ab->vms->pdata[i], ab->extra, false);
	return TUI_REDRAW;
}

void actions_offer(struct tui *t, const struct command *cmd, unsigned host,
		   const char *vm)
{
	struct about *ab = g_new0(struct about, 1);
	g_autofree char *q = NULL;

	ab->command = g_strdup(cmd->on_timeout);
	ab->vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	about_add(ab, host, vm);
	/* TRANSLATORS: a command (shutdown) timed out; the second is the
	 * one offered instead (destroy), the third a VM */
	q = g_strdup_printf(_("\"%s\" timed out. Run \"%s %s\" now? [y/N] "), cmd->name,
			    cmd->on_timeout, vm);
	tui_confirm(t, q, _("Nothing was done."), about_run, ab, about_free);
}

static int act_cancel(struct tui *t, const struct action *a)
{
	guint n = t->jobs->len;

	for (guint i = 0; i < n; i++)
		job_cancel(((struct tui_job *)g_ptr_array_index(t->jobs, i))->job);
	if (n)
		tui_message(t, false, P_("Asked %u job to stop.", "Asked %u jobs to stop.", n), n);
	else
		tui_message(t, false, _("No job is running."));
	return TUI_REDRAW;
}

static int act_destroy(struct tui *t, const struct action *a)
{
	struct about *ab = about_targets(t, a->command);
	guint n = ab->vms->len;
	g_autofree char *q = n == 1 ?
		g_strdup_printf(_("Force off VM \"%s\"? Unsaved work in the guest is lost. [y/N] "),
				about_name(ab)) :
		g_strdup_printf(_("Force off these %u VMs? Unsaved work in the guests is lost. [y/N] "), n);

	tui_confirm(t, q, _("Force off cancelled."), about_run, ab, about_free);
	return TUI_REDRAW;
}

static int delete_disks(struct tui *t, const char *text, void *data)
{
	struct about *ab = data;

	if (g_ascii_strcasecmp(text, "y") == 0)
		ab->extra = g_strdup("--remove-disks");
	about_run(t, ab);
	g_hash_table_remove_all(t->dv.marked);
	return TUI_REDRAW;
}

static int delete_name(struct tui *t, const char *text, void *data)
{
	struct about *ab = data;
	g_autofree char *want = ab->vms->len == 1 ? g_strdup(about_name(ab)) :
		g_strdup_printf("%u", ab->vms->len);

	if (strcmp(text, want) != 0) {
		tui_message(t, true, _("What was typed does not match; nothing was deleted."));
		return TUI_REDRAW;
	}
	/* the next question takes the VMs over */
	tui_prompt(t, _("Also remove the disks vmtui created for it? [y/N] "), "",
		   delete_disks, g_memdup2(ab, sizeof *ab), about_free);
	memset(ab, 0, sizeof *ab);
	return TUI_REDRAW;
}

static int act_delete(struct tui *t, const struct action *a)
{
	struct about *ab = about_targets(t, a->command);
	guint n = ab->vms->len;
	g_autofree char *q = n == 1 ?
		g_strdup_printf(_("Type the VM's name to delete \"%s\": "), about_name(ab)) :
		g_strdup_printf(_("Type %u to delete these %u VMs: "), n, n);

	tui_prompt(t, q, "", delete_name, ab, about_free);
	return TUI_REDRAW;
}

static int filter_done(struct tui *t, const char *text, void *data)
{
	tui_set_filter(t, text);
	if (*text)
		tui_message(t, false, _("Showing VMs whose name contains \"%s\" (%s then Esc shows all)."),
			    text, actions_key_of("filter"));
	return TUI_REDRAW;
}

static int act_filter(struct tui *t, const struct action *a)
{
	tui_prompt(t, "/", "", filter_done, NULL, NULL);
	/* live: each edit of the "/" prompt narrows the list */
	tui_prompt_set_changed(t, tui_set_filter);
	return TUI_REDRAW;
}

static int act_sort(struct tui *t, const struct action *a)
{
	tui_sort_by(t, columns[t->dv.sort + 1].id ? t->dv.sort + 1 : 0, t->dv.sort_desc);
	return TUI_REDRAW;
}

static int act_sort_reverse(struct tui *t, const struct action *a)
{
	tui_sort_by(t, t->dv.sort, !t->dv.sort_desc);
	return TUI_REDRAW;
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

static int run_line(struct tui *t, const char *text, bool confirmed);

/* A confirmed ":" line, with the --yes it then gets when it takes one. */
static int line_yes(struct tui *t, void *data)
{
	return run_line(t, data, true);
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
			tui_confirm(t, q, _("Cancelled; nothing was done."), line_yes,
				    adds ? g_strdup_printf("%s --yes", text) : g_strdup(text), g_free);
			return TUI_REDRAW;
		}
	}
	return tui_run_command(t, NULL, argv, NULL, true);
}

static int run_prompt(struct tui *t, const char *text, void *data)
{
	return run_line(t, text, false);
}

static int act_command(struct tui *t, const struct action *a)
{
	/* with several hosts, the line says which one it runs on */
	g_autofree char *label = t->hosts->len > 1 && t->view == VIEW_DOMAINS ?
		g_strdup_printf("[%s] :", tui_host(t, NULL)->label) : g_strdup(":");

	tui_prompt_command(t, label, run_prompt);
	g_clear_pointer(&t->message, g_free);
	return TUI_REDRAW;
}

static int act_new(struct tui *t, const struct action *a)
{
	return form_create_open(t);
}

static int act_edit(struct tui *t, const struct action *a)
{
	return form_edit_open(t, tui_selected(t));
}

static int act_templates(struct tui *t, const struct action *a)
{
	return tui_show_view(t, VIEW_TEMPLATES);
}

static int act_pools(struct tui *t, const struct action *a)
{
	return tui_show_view(t, VIEW_POOLS);
}

static int act_back(struct tui *t, const struct action *a)
{
	return tui_show_view(t, VIEW_DOMAINS);
}

/* The New template form, made from the selected VM. */
static int act_template(struct tui *t, const struct action *a)
{
	const struct vm_row *vm = tui_selected(t);
	struct host *h = tui_host(t, vm);

	if (!h->eng || !engine_is_local(h->eng)) {
		tui_message(t, true, _("%s is on %s: templates are made of VMs on this machine."),
			    vm->name, h->label);
		return TUI_REDRAW;
	}
	return form_template_open(t, h, vm->name, NULL);
}

static int act_help(struct tui *t, const struct action *a)
{
	g_autofree char *text = actions_help(t->view);

	tui_pager(t, _("Keys"), text);
	return TUI_REDRAW;
}

static int act_quit(struct tui *t, const struct action *a)
{
	return TUI_QUIT;
}

static int act_menu(struct tui *t, const struct action *a)
{
	return actions_menu(t);
}

/* TRANSLATORS: the short names are shown in the hint line and the menu */
const struct action actions[] = {
	{ N_("new"), 'n', KEY_F(7), N_("Create a new VM (a form, then a summary)"), DOMAINS, ACT_HINT, "create", act_new },
	{ N_("start"), 's', 0, N_("Start the selected VM (or the marked ones)"), DOMAINS, ACT_MARKED | ACT_SELECTION | ACT_HINT, "start", act_targets },
	{ N_("shutdown"), 'S', 0, N_("Ask the selected VM to power off (ACPI)"), DOMAINS, ACT_MARKED | ACT_SELECTION | ACT_HINT, "shutdown", act_targets },
	{ N_("force off"), 'F', 0, N_("Force the selected VM off (asks first)"), DOMAINS, ACT_MARKED | ACT_SELECTION | ACT_HINT, "destroy", act_destroy },
	{ N_("pause"), 'p', 0, N_("Pause or resume the selected VM"), DOMAINS, ACT_MARKED | ACT_SELECTION | ACT_HINT, "suspend", act_pause },
	{ N_("reboot"), 'R', 0, N_("Ask the selected VM to reboot"), DOMAINS, ACT_MARKED | ACT_SELECTION, "reboot", act_targets },
	{ N_("info"), '\n', KEY_F(3), N_("Show the selected VM's settings"), DOMAINS, ACT_SELECTION | ACT_HINT, "info", act_report },
	{ N_("console"), 'c', 0, N_("Attach to the selected VM's serial console (Ctrl-] opens its menu)"), DOMAINS, ACT_SELECTION | ACT_HINT, "console", act_console },
	{ N_("screen"), 'v', 0, N_("Show the selected VM's screen (VNC) in the terminal, with keyboard and mouse"), DOMAINS, ACT_SELECTION | ACT_HINT, "vnc", act_screen },
	{ N_("edit"), 'e', KEY_F(4), N_("Edit the selected VM's vCPUs, memory, boot order, NICs and description"), DOMAINS, ACT_SELECTION, "set", act_edit },
	{ N_("add NIC"), 'N', 0, N_("Plug a network interface into the selected VM (live when it runs), on a network from a list"), DOMAINS, ACT_SELECTION, "nic add", act_nic_add },
	{ N_("NIC cable"), 'L', 0, N_("Pull out or plug in the cable of one of the selected VM's NICs"), DOMAINS, ACT_SELECTION, "nic link", act_nic_link },
	{ N_("unplug NIC"), 'U', 0, N_("Unplug one of the selected VM's NICs (asks first)"), DOMAINS, ACT_SELECTION, "nic remove", act_nic_remove },
	{ N_("add disk"), 'a', 0, N_("Add a disk to the selected VM (a new one of a size, or an image), live when it runs"), DOMAINS, ACT_SELECTION, "disk add", act_disk_add },
	{ N_("grow disk"), 'r', 0, N_("Grow one of the selected VM's disks, live when it runs"), DOMAINS, ACT_SELECTION, "disk resize", act_disk_resize },
	{ N_("remove disk"), 'D', 0, N_("Remove one of the selected VM's disks, keeping its file (asks first)"), DOMAINS, ACT_SELECTION, "disk remove", act_disk_remove },
	{ N_("insert ISO"), 'i', 0, N_("Put an ISO image into the selected VM's CD-ROM drive (one is added when it has none)"), DOMAINS, ACT_SELECTION, "cdrom insert", act_cdrom_insert },
	{ N_("eject"), 'E', 0, N_("Take the disc out of one of the selected VM's CD-ROM drives"), DOMAINS, ACT_SELECTION, "cdrom eject", act_cdrom_eject },
	{ N_("snapshot"), 'z', 0, N_("Take a snapshot of the selected VM: its disks, and its memory when it runs"), DOMAINS, ACT_SELECTION, "snapshot create", act_snapshot_take },
	{ N_("revert"), 'Z', 0, N_("Revert the selected VM to one of its snapshots (from its tree; type its name to confirm)"), DOMAINS, ACT_SELECTION, "snapshot revert", act_snapshot_revert },
	{ N_("delete snapshot"), 'X', 0, N_("Delete one of the selected VM's snapshots (asks first)"), DOMAINS, ACT_SELECTION, "snapshot delete", act_snapshot_delete },
	{ N_("xml"), 'x', 0, N_("Show the selected VM's domain XML"), DOMAINS, ACT_SELECTION, "dumpxml", act_report },
	{ N_("delete"), 'd', KEY_F(8), N_("Delete the selected VM (type its name to confirm)"), DOMAINS, ACT_MARKED | ACT_SELECTION | ACT_HINT, "delete", act_delete },
	{ N_("templates"), 'T', KEY_F(9), N_("Show the templates: provision lab VMs from one, make, edit, export or delete them"), DOMAINS, ACT_HINT, NULL, act_templates },
	{ N_("pools"), 'W', KEY_F(6), N_("Show the desktop pools: their desktops, who holds which since when; grow, shrink, drain, refresh, kick"), DOMAINS, 0, NULL, act_pools },
	{ N_("migrate"), 'M', 0, N_("Move the selected VM to another host (live when it runs), its disks copied or on shared storage"), DOMAINS, ACT_SELECTION, "migrate", act_migrate },
	{ N_("make template"), 't', 0, N_("Make a template from the selected VM (shut off)"), DOMAINS, ACT_SELECTION, "template create", act_template },
	{ N_("filter"), '/', 0, N_("Show only VMs whose name contains the text typed (Esc shows all)"), DOMAINS, ACT_HINT, NULL, act_filter },
	{ N_("sort"), 'o', 0, N_("Sort by the next column (or click its heading)"), DOMAINS, 0, NULL, act_sort },
	{ N_("reverse"), 'O', 0, N_("Reverse the sort order"), DOMAINS, 0, NULL, act_sort_reverse },
	{ N_("provision"), '\n', 'p', N_("Make lab VMs from the selected template (the Provision form)"), TEMPLATES, ACT_SELECTION | ACT_HINT, "provision", view_templates_provision },
	{ N_("new template"), 'n', 0, N_("Make a new template from a shut-off VM, a disk image or an OVA"), TEMPLATES, ACT_HINT, "template create", view_templates_new },
	{ N_("edit template"), 'e', 0, N_("Edit the selected template (a new version)"), TEMPLATES, ACT_SELECTION | ACT_HINT, "template edit", view_templates_edit },
	{ N_("template info"), 'i', 0, N_("Show the selected template's settings"), TEMPLATES, ACT_SELECTION | ACT_HINT, "template info", view_templates_info },
	{ N_("export"), 'x', 0, N_("Export the selected template as an OVA"), TEMPLATES, ACT_SELECTION | ACT_HINT, "ova export", view_templates_export },
	{ N_("delete template"), 'd', KEY_DC, N_("Delete the selected template and its base image (asks first)"), TEMPLATES, ACT_SELECTION | ACT_HINT, "template delete", view_templates_delete },
	{ N_("reload"), 'r', 0, N_("Read the templates again"), TEMPLATES, ACT_HINT, NULL, view_templates_reload },
	{ N_("pool info"), '\n', 'i', N_("Show the selected pool's settings and last actions, or the selected desktop's VM"), POOLS, ACT_SELECTION | ACT_HINT, "pool info", view_pools_info },
	{ N_("grow"), '+', 0, N_("Keep more desktops in the selected pool"), POOLS, ACT_SELECTION | ACT_HINT, "pool grow", view_pools_grow },
	{ N_("shrink"), '-', 0, N_("Keep fewer desktops in the selected pool (free ones go)"), POOLS, ACT_SELECTION | ACT_HINT, "pool shrink", view_pools_shrink },
	{ N_("drain"), 'D', 0, N_("Stop handing out the selected pool's desktops and delete them as they become free (asks first)"), POOLS, ACT_SELECTION | ACT_HINT, "pool drain", view_pools_drain },
	{ N_("refresh"), 'R', 0, N_("Throw the selected desktop's changes away now (asks first)"), POOLS, ACT_SELECTION | ACT_HINT, "desktop refresh", view_pools_refresh },
	{ N_("kick"), 'X', 0, N_("Take the selected desktop back from its user (asks first)"), POOLS, ACT_SELECTION | ACT_HINT, "desktop kick", view_pools_kick },
	{ N_("reload"), 'r', 0, N_("Read the pools again"), POOLS, 0, NULL, view_pools_reload },
	{ N_("cancel"), 'K', 0, N_("Stop the running jobs (e.g. stop waiting for a shutdown or a lab being made)"), DOMAINS | TEMPLATES | POOLS, 0, NULL, act_cancel },
	{ N_("command"), ':', 0, N_("Run a vmtui command, e.g. :create web --memory 2G (Tab completes, Up/Down recall)"), DOMAINS | TEMPLATES | POOLS, ACT_HINT, NULL, act_command },
	{ N_("menu"), 'm', KEY_F(2), N_("Show these actions as a menu (also a right click)"), DOMAINS | TEMPLATES | POOLS, ACT_HINT, NULL, act_menu },
	{ N_("help"), '?', KEY_F(1), N_("Show this help"), DOMAINS | TEMPLATES | POOLS, ACT_HINT, NULL, act_help },
	{ N_("back"), 'q', 'T', N_("Back to the VMs (also Esc)"), TEMPLATES | POOLS, ACT_HINT, NULL, act_back },
	{ N_("quit"), 'q', KEY_F(10), N_("Quit (VMs keep running)"), DOMAINS, ACT_HINT, NULL, act_quit },
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
	/* two actions of one view on one key: the second would never run */
	for (size_t a = 0; a < N_ACTIONS; a++) {
		for (size_t b = a + 1; b < N_ACTIONS; b++) {
			if (!(actions[a].views & actions[b].views))
				continue;
			if (bound[a] && (bound[a] == bound[b] || bound[a] == actions[b].fkey ||
					 (bound[b] && bound[b] == actions[a].fkey))) {
				char name[16];

				key_text(bound[a] == bound[b] || bound[a] == actions[b].fkey ?
					 bound[a] : bound[b], name, sizeof name);
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

const char *actions_key_of(const char *name)
{
	for (const struct action *a = actions; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return actions_key_label(a);
	g_return_val_if_reached("?");
}

/* Runs @a in the view on screen, if what it needs is there. */
static int run_action(struct tui *t, const struct action *a)
{
	const struct view *v = views[t->view];

	if ((a->flags & ACT_SELECTION) && !v->selected(t)) {
		v->none_selected(t);
		return TUI_REDRAW;
	}
	return a->exec(t, a) | TUI_REDRAW;
}

int actions_dispatch(struct tui *t, int key)
{
	if (!bound_set)
		default_bindings();
	if (tui_is_enter((wint_t)key, key >= KEY_MIN))
		key = '\n';
	for (size_t i = 0; key && i < N_ACTIONS; i++) {
		const struct action *a = &actions[i];

		if ((a->views & VIEW_BIT(t->view)) && (bound[i] == key || a->fkey == key))
			return run_action(t, a);
	}
	return TUI_NONE;
}

static int menu_done(struct tui *t, const char *value)
{
	for (size_t i = 0; value && i < N_ACTIONS; i++)
		if ((actions[i].views & VIEW_BIT(t->view)) && strcmp(actions[i].name, value) == 0)
			return run_action(t, &actions[i]);
	return TUI_REDRAW;
}

int actions_menu(struct tui *t)
{
	const char *selected = views[t->view]->selected(t);
	GPtrArray *items = picker_items_new();
	g_autoptr(GPtrArray) targets = t->view == VIEW_DOMAINS ? tui_targets(t) : NULL;
	g_autofree char *title = targets && targets->len > 1 ?
		g_strdup_printf(P_("%u marked VM", "%u marked VMs", targets->len), targets->len) :
		g_strdup(selected ? selected : "vmtui");

	for (size_t i = 0; i < N_ACTIONS; i++) {
		const struct action *a = &actions[i];

		if (!(a->views & VIEW_BIT(t->view)) || ((a->flags & ACT_SELECTION) && !selected) ||
		    a->exec == act_menu)
			continue;
		picker_add(items, _(a->name), actions_key_label(a), a->name);
	}
	picker_open(t, title, items, false, menu_done);
	return TUI_REDRAW;
}

char *actions_hints(enum view_id view)
{
	GString *hint = g_string_new(" ");

	for (const struct action *a = actions; a->name; a++)
		if ((a->views & VIEW_BIT(view)) && (a->flags & ACT_HINT))
			g_string_append_printf(hint, "%s %s  ", actions_key_label(a), _(a->name));
	return g_string_free(hint, FALSE);
}

/* A line of the help: @keys, then @text. */
static void help_line(GString *s, const char *keys, const char *text)
{
	g_string_append(s, "  ");
	cli_pad(s, keys, 16);
	g_string_append_printf(s, "%s\n", text);
}

char *actions_help(enum view_id view)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, " %s\n\n", _(views[view]->title));
	for (const struct action *a = actions; a->name; a++) {
		char fkey[8];

		if (!(a->views & VIEW_BIT(view)))
			continue;
		key_text(a->fkey, fkey, sizeof fkey);
		g_string_append(s, "  ");
		cli_pad(s, actions_key_label(a), 8);
		cli_pad(s, *fkey && strcmp(fkey, actions_key_label(a)) ? fkey : "", 8);
		g_string_append_printf(s, "%s\n", _(a->help));
	}
	g_string_append_c(s, '\n');
	help_line(s, "j k", _("Move the selection (also the arrow keys, Home, End, PgUp, PgDn)"));
	if (view == VIEW_DOMAINS) {
		g_autoptr(GString) keys = g_string_new(NULL);
		g_autofree char *mark = NULL;

		for (const struct action *a = actions; a->name; a++)
			if (a->flags & ACT_MARKED)
				g_string_append_printf(keys, "%s%s", keys->len ? ", " : "",
						       actions_key_label(a));
		mark = g_strdup_printf(_("Mark or unmark a VM; %s then act on all marked VMs"), keys->str);
		help_line(s, "Space", mark);
		help_line(s, "Tab", _("Next tab of the details pane (Shift-Tab: previous)"));
		help_line(s, "Esc", _("Unmark all VMs"));
	} else {
		help_line(s, "Esc", _("Back to the VMs"));
	}
	help_line(s, "q", _("Leave this text"));
	g_string_append_printf(s, "\n  %s\n", _("Keys can be changed in the [keys] part of the config file, e.g. start = ^S (see vmtui(1))."));
	return g_string_free(s, FALSE);
}

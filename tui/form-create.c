/*
 * form-create.c — the New VM and Edit VM forms: fields with inline
 * validation by the same rules as the command line (core/names.c), a
 * summary page, then the `create` or `set` command as a job.  A failed
 * command leaves the form open with the message; a failed create leaves
 * nothing behind (vm_create rolls back).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

enum field_id {
	F_NAME, F_OS, F_VCPUS, F_MEMORY, F_DISK, F_DISK_SIZE, F_DISK_PATH,
	F_BOOT, F_ISO, F_KERNEL, F_INITRD, F_CMDLINE, F_FIRMWARE, F_NETWORK,
	F_BOOT_ORDER, F_DESCRIPTION, F_COUNT
};

static const char *const disk_choices[] = { N_("new"), N_("existing image"), N_("none"), NULL };
static const char *const boot_choices[] = { N_("disk"), N_("ISO image"), N_("kernel"), NULL };
static const char *const fw_choices[] = { "BIOS", "UEFI", NULL };
static const char *const net_choices[] = { N_("NAT"), N_("none"), NULL };

static const struct {
	const char *label;
	const char *const *choices; /* NULL: free text */
	const char *initial;
} fields[F_COUNT] = {
	/* TRANSLATORS: labels of the New VM form */
	[F_NAME] = { N_("Name"), NULL, "" },
	[F_OS] = { N_("OS variant"), NULL, "" },
	[F_VCPUS] = { N_("vCPUs"), NULL, "1" },
	[F_MEMORY] = { N_("Memory"), NULL, "1G" },
	[F_DISK] = { N_("Disk"), disk_choices, NULL },
	[F_DISK_SIZE] = { N_("Disk size"), NULL, "16G" },
	[F_DISK_PATH] = { N_("Disk image"), NULL, "" },
	[F_BOOT] = { N_("Boot from"), boot_choices, NULL },
	[F_ISO] = { N_("ISO image"), NULL, "" },
	[F_KERNEL] = { N_("Kernel"), NULL, "" },
	[F_INITRD] = { N_("Initrd"), NULL, "" },
	[F_CMDLINE] = { N_("Command line"), NULL, "console=ttyS0" },
	[F_FIRMWARE] = { N_("Firmware"), fw_choices, NULL },
	[F_NETWORK] = { N_("Network"), net_choices, NULL },
	[F_BOOT_ORDER] = { N_("Boot order"), NULL, "" },
	[F_DESCRIPTION] = { N_("Description"), NULL, "" },
};

struct form {
	char *edit;          /* the VM the Edit form changes, NULL: New VM */
	struct host *host;   /* where it creates or edits */
	bool running;        /* (edit) the VM runs: some changes wait */
	unsigned max_vcpus;  /* (edit) what it can take while running */
	uint64_t max_memory_mib;
	char *boot;          /* (edit) its boot order as read: "hd,cdrom" */
	GString *value[F_COUNT];
	int choice[F_COUNT];
	char *error[F_COUNT];
	int current;
	bool summary;
	char *failure;       /* message of a create that failed */
	char *notice;        /* what choosing an OS filled in */
	bool touched[F_COUNT]; /* edited by the user: an OS choice keeps it */
	struct tui_job *job; /* create in flight */
	struct job *os_job;  /* reading libosinfo's list for the picker */
};

/* Whether field @f applies with the choices made so far. */
static bool visible(const struct form *f, int id)
{
	if (f->edit)
		return id == F_VCPUS || id == F_MEMORY || id == F_BOOT_ORDER ||
		       id == F_DESCRIPTION;
	switch ((enum field_id)id) {
	case F_DISK_SIZE:
		return f->choice[F_DISK] == 0;
	case F_DISK_PATH:
		return f->choice[F_DISK] == 1;
	case F_ISO:
		return f->choice[F_BOOT] == 1;
	case F_KERNEL:
	case F_INITRD:
	case F_CMDLINE:
		return f->choice[F_BOOT] == 2;
	case F_BOOT_ORDER:
		return false; /* "Boot from" sets it for a new VM */
	case F_NAME: case F_OS: case F_VCPUS: case F_MEMORY: case F_DISK:
	case F_BOOT: case F_FIRMWARE: case F_NETWORK: case F_DESCRIPTION:
	case F_COUNT:
		break;
	}
	return true;
}

/* Checks one field with core's rules; sets or clears its error. */
static bool check(struct tui *t, struct form *f, int id)
{
	const char *v = f->value[id] ? f->value[id]->str : "";
	bool ok = true;

	g_clear_pointer(&f->error[id], g_free);
	if (!visible(f, id) || fields[id].choices)
		return true;
	switch ((enum field_id)id) {
	case F_NAME:
		ok = core_name_valid(v);
		for (guint i = 0; ok && i < t->all->len; i++)
			if (strcmp(((struct vm_row *)t->all->pdata[i])->name, v) == 0) {
				core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists."), v);
				ok = false;
			}
		break;
	case F_VCPUS: {
		char *end;
		long n = strtol(v, &end, 10);

		ok = *v && !*end && n >= 1 && n <= 255;
		if (!ok)
			core_error(CORE_ERR_USAGE, _("Give a whole number of vCPUs from 1 to 255."));
		break;
	}
	case F_MEMORY:
		ok = core_parse_size(v, 'M') >= (16u << 20);
		if (ok == false && core_error_code() == CORE_OK)
			core_error(CORE_ERR_USAGE, _("A VM needs at least 16 MiB of memory."));
		break;
	case F_DISK_SIZE:
		ok = core_parse_size(v, 'G') >= (1u << 20);
		break;
	case F_DISK_PATH:
	case F_ISO:
	case F_KERNEL:
		ok = *v != '\0';
		if (!ok)
			core_error(CORE_ERR_USAGE, _("Give a path."));
		else
			ok = core_path_valid(_(fields[id].label), v);
		break;
	case F_INITRD:
		ok = core_path_valid(_(fields[id].label), *v ? v : NULL);
		break;
	case F_CMDLINE:
		ok = core_text_valid(_("kernel command line"), v);
		break;
	case F_DESCRIPTION:
		ok = core_text_valid(_("description"), v);
		break;
	case F_BOOT_ORDER: {
		struct vm_boot boot;

		ok = !*v || core_parse_boot(v, &boot);
		break;
	}
	case F_OS:
		ok = !*v || g_regex_match_simple("^[a-z0-9.-]+$", v, 0, 0);
		if (!ok)
			core_error(CORE_ERR_USAGE, _("An OS variant is a short id such as debian11 (vmtui os-list)."));
		break;
	case F_DISK: case F_BOOT: case F_FIRMWARE: case F_NETWORK: case F_COUNT:
		break;
	}
	if (!ok)
		f->error[id] = g_strdup(core_error_message());
	core_error_clear();
	return ok;
}

static struct form *form_new(void)
{
	struct form *f = g_new0(struct form, 1);

	for (int i = 0; i < F_COUNT; i++)
		if (!fields[i].choices)
			f->value[i] = g_string_new(fields[i].initial);
	return f;
}

void form_create_free(struct form *f)
{
	if (!f)
		return;
	for (int i = 0; i < F_COUNT; i++) {
		if (f->value[i])
			g_string_free(f->value[i], TRUE);
		g_free(f->error[i]);
	}
	g_free(f->failure);
	g_free(f->notice);
	g_free(f->edit);
	g_free(f->boot);
	if (f->os_job)
		job_wait(f->os_job, -1); /* reads only libosinfo's files */
	g_clear_pointer(&f->os_job, job_unref);
	g_free(f);
}

static int os_list_job(struct job *job, void *data)
{
	GPtrArray **list = data;

	*list = os_list(NULL);
	return 0;
}

static void os_list_free(gpointer data)
{
	GPtrArray **list = data;

	if (*list)
		g_ptr_array_unref(*list);
	g_free(list);
}

/* An OS was chosen in the picker: fill in what libosinfo recommends for
 * it, except in the fields the user changed. */
static int os_chosen(struct tui *t, const char *value)
{
	struct form *f = t->form;
	struct os_defaults d;

	if (!f || !value)
		return TUI_REDRAW;
	g_string_assign(f->value[F_OS], value);
	g_clear_pointer(&f->error[F_OS], g_free);
	g_clear_pointer(&f->notice, g_free);
	if (os_defaults_get(value, &d) < 0) {
		f->error[F_OS] = g_strdup(core_error_message());
		core_error_clear();
		return TUI_REDRAW;
	}
	if (!f->touched[F_VCPUS])
		g_string_printf(f->value[F_VCPUS], "%u", d.vcpus);
	if (!f->touched[F_MEMORY])
		g_string_printf(f->value[F_MEMORY], "%" PRIu64 "M", d.memory_mib);
	if (!f->touched[F_DISK_SIZE])
		g_string_printf(f->value[F_DISK_SIZE], "%" PRIu64 "G", d.disk_bytes >> 30);
	f->notice = g_strdup_printf(_("Recommended for %s: %u vCPUs, %" PRIu64 " MiB of memory, a %" PRIu64 " GiB disk."),
				    d.name ? d.name : value, d.vcpus, d.memory_mib,
				    d.disk_bytes >> 30);
	os_defaults_fini(&d);
	return TUI_REDRAW;
}

int form_create_poll(struct tui *t)
{
	struct form *f = t->form;
	GPtrArray **list, *items;

	if (!f || !f->os_job || !job_wait(f->os_job, 0))
		return TUI_NONE;
	list = job_data(f->os_job);
	if (!*list || !(*list)->len) {
		f->notice = g_strdup(_("No OS list: vmtui was built without libosinfo. Type a variant, or leave it empty."));
		g_clear_pointer(&f->os_job, job_unref);
		return TUI_REDRAW;
	}
	items = picker_items_new();
	for (guint i = 0; i < (*list)->len; i++) {
		g_auto(GStrv) id_name = g_strsplit((*list)->pdata[i], "\t", 2);

		picker_add(items, id_name[1] ? id_name[1] : id_name[0], id_name[0], id_name[0]);
	}
	g_clear_pointer(&f->os_job, job_unref);
	picker_open(t, _("OS variant"), items, true, os_chosen);
	return TUI_REDRAW;
}

int form_create_open(struct tui *t)
{
	form_create_free(t->form);
	t->form = form_new();
	t->form->host = tui_host(t, NULL);
	t->mode = MODE_FORM;
	return TUI_REDRAW;
}

int form_edit_open(struct tui *t, const struct vm_row *vm)
{
	struct form *f;

	form_create_free(t->form);
	f = t->form = form_new();
	f->edit = g_strdup(vm->name);
	f->host = tui_host(t, vm);
	f->running = vm->state != VIR_DOMAIN_SHUTOFF && vm->state != VIR_DOMAIN_CRASHED;
	f->current = F_VCPUS;
	g_string_printf(f->value[F_VCPUS], "%u", vm->vcpus);
	g_string_printf(f->value[F_MEMORY], "%" G_GUINT64_FORMAT "M", vm->max_mem_kib / 1024);
	f->max_memory_mib = vm->max_mem_kib / 1024;
	f->boot = g_strdup("");
	/* the details pane read the description, if it is about this VM */
	if (t->detail && strcmp(t->detail_uuid, vm->uuid) == 0 &&
	    t->detail_host == vm->host) {
		const struct vm_boot *b = &t->detail->boot;
		GString *boot = g_string_new(NULL);

		g_string_printf(f->value[F_VCPUS], "%u", t->detail->vcpus);
		g_string_printf(f->value[F_MEMORY], "%" G_GUINT64_FORMAT "M",
				t->detail->memory_mib);
		g_string_assign(f->value[F_DESCRIPTION],
				t->detail->description ? t->detail->description : "");
		for (unsigned i = 0; i < b->n; i++)
			g_string_append_printf(boot, "%s%s", i ? "," : "",
					       vm_boot_dev_id(b->dev[i]));
		g_free(f->boot);
		f->boot = g_string_free(boot, FALSE);
		g_string_assign(f->value[F_BOOT_ORDER], f->boot);
		f->max_vcpus = t->detail->max_vcpus;
		f->max_memory_mib = t->detail->max_memory_mib;
	}
	t->mode = MODE_FORM;
	return TUI_REDRAW;
}

/* Adds "OPTION VALUE" to @a, unless @value is empty and not @keep_empty. */
static void add_opt(GPtrArray *a, const char *option, const char *value,
		    bool keep_empty)
{
	if (!*value && !keep_empty)
		return;
	g_ptr_array_add(a, g_strdup(option));
	g_ptr_array_add(a, g_strdup(value));
}

/* The `create` or `set` command line for the form; caller frees with
 * g_strfreev. */
static char **build_argv(struct form *f)
{
	GPtrArray *a = g_ptr_array_new();
	const char *v[F_COUNT];

	for (int i = 0; i < F_COUNT; i++)
		v[i] = f->value[i] ? f->value[i]->str : "";
	g_ptr_array_add(a, g_strdup(f->edit ? "set" : "create"));
	g_ptr_array_add(a, g_strdup(f->edit ? f->edit : v[F_NAME]));
	add_opt(a, "--vcpus", v[F_VCPUS], false);
	add_opt(a, "--memory", v[F_MEMORY], false);
	/* an emptied description removes it when editing */
	add_opt(a, "--description", v[F_DESCRIPTION], f->edit != NULL);
	if (f->edit && strcmp(v[F_BOOT_ORDER], f->boot) != 0)
		add_opt(a, "--boot", v[F_BOOT_ORDER], false);
	if (!f->edit) {
		add_opt(a, "--os", v[F_OS], false);
		if (f->choice[F_DISK] == 0)
			add_opt(a, "--disk-size", v[F_DISK_SIZE], true);
		else if (f->choice[F_DISK] == 1)
			add_opt(a, "--disk", v[F_DISK_PATH], true);
		else
			g_ptr_array_add(a, g_strdup("--no-disk"));
		if (f->choice[F_BOOT] == 1)
			add_opt(a, "--iso", v[F_ISO], true);
		if (f->choice[F_BOOT] == 2) {
			add_opt(a, "--kernel", v[F_KERNEL], true);
			add_opt(a, "--initrd", v[F_INITRD], false);
			add_opt(a, "--cmdline", v[F_CMDLINE], false);
		}
		if (f->choice[F_FIRMWARE] == 1)
			add_opt(a, "--firmware", "uefi", true);
		if (f->choice[F_NETWORK] == 1)
			g_ptr_array_add(a, g_strdup("--no-network"));
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* Moves to the next visible field in direction @step. */
static void move_field(struct form *f, int step)
{
	int i = f->current;

	do {
		i = (i + step + F_COUNT) % F_COUNT;
	} while (!visible(f, i));
	f->current = i;
}

/* Validates every visible field; true if all pass. */
static bool check_all(struct tui *t, struct form *f)
{
	bool ok = true;

	for (int i = F_COUNT - 1; i >= 0; i--)
		if (!check(t, f, i)) {
			ok = false;
			f->current = i;
		}
	return ok;
}

static int submit(struct tui *t, struct form *f)
{
	g_auto(GStrv) argv = build_argv(f);

	g_clear_pointer(&f->failure, g_free);
	/* the loop tells us how it ends (form_create_job_done) */
	f->job = tui_start_command(t, f->host, argv, f->edit ? f->edit : f->value[F_NAME]->str,
				   false);
	if (!f->job) {
		f->summary = false;
		f->failure = g_strdup(t->message);
	}
	return TUI_REDRAW;
}

int form_create_job_done(struct tui *t, struct tui_job *tj, bool ok,
			 const char *message)
{
	struct form *f = t->form;

	if (!f || f->job != tj)
		return false;
	f->job = NULL;
	if (ok) {
		t->mode = MODE_LIST;
		g_clear_pointer(&t->form, form_create_free);
		return false; /* let the loop show the result as usual */
	}
	f->summary = false;
	g_free(f->failure);
	f->failure = g_strdup(message);
	return true;
}

int form_create_key(struct tui *t, wint_t ch, bool is_key)
{
	struct form *f = t->form;
	int id = f->current;

	if (f->job)
		return TUI_NONE; /* creating: wait */
	if (!is_key && ch == 27) {
		if (f->summary) {
			f->summary = false;
		} else {
			t->mode = MODE_LIST;
			tui_message(t, false, t->form->edit ? _("Nothing was changed.") :
				    _("No VM was created."));
			g_clear_pointer(&t->form, form_create_free);
		}
		return TUI_REDRAW;
	}
	if (f->summary) {
		if (tui_is_enter(ch, is_key))
			return submit(t, f);
		return TUI_NONE;
	}
	if (tui_is_enter(ch, is_key) || (!is_key && ch == '\t') ||
	    (is_key && ch == KEY_DOWN)) {
		bool enter = tui_is_enter(ch, is_key);
		int last = F_COUNT - 1;

		check(t, f, id);
		if (enter && id == last) {
			if (check_all(t, f))
				f->summary = true;
			return TUI_REDRAW;
		}
		move_field(f, 1);
		if (f->current < id && !enter)
			f->current = id < last ? f->current : 0;
		return TUI_REDRAW;
	}
	if ((is_key && (ch == KEY_UP || ch == KEY_BTAB))) {
		check(t, f, id);
		move_field(f, -1);
		return TUI_REDRAW;
	}
	if (fields[id].choices) {
		int n = (int)g_strv_length((char **)fields[id].choices);

		if ((is_key && ch == KEY_RIGHT) || (!is_key && ch == ' '))
			f->choice[id] = (f->choice[id] + 1) % n;
		else if (is_key && ch == KEY_LEFT)
			f->choice[id] = (f->choice[id] + n - 1) % n;
		return TUI_REDRAW;
	}
	if (id == F_OS && is_key && ch == KEY_F(2)) {
		if (!f->os_job)
			f->os_job = job_submit("os-list", os_list_job,
					       g_new0(GPtrArray *, 1), os_list_free, false);
		return TUI_REDRAW;
	}
	if (tui_edit_text(f->value[id], ch, is_key))
		f->touched[id] = true;
	return TUI_REDRAW;
}

/* Whether the change in field @id waits for the running VM's next start:
 * more vCPUs or memory than it started with room for, a new boot order. */
static bool waits_for_restart(const struct form *f, int id)
{
	const char *v = f->value[id] ? f->value[id]->str : "";

	if (!f->edit || !f->running)
		return false;
	switch (id) {
	case F_VCPUS:
		return f->max_vcpus && strtoul(v, NULL, 10) > f->max_vcpus;
	case F_MEMORY:
		return f->max_memory_mib &&
		       core_parse_size(v, 'M') > (f->max_memory_mib << 20);
	case F_BOOT_ORDER:
		return strcmp(v, f->boot) != 0;
	}
	return false;
}

/* Text of a field's current value for display; caller frees. */
static char *shown(const struct form *f, int i)
{
	if (fields[i].choices)
		return g_strdup(_(fields[i].choices[f->choice[i]]));
	return g_strdup(f->value[i]->str);
}

void form_create_draw(struct tui *t, int lines, int cols)
{
	struct form *f = t->form;
	int y = 2, cy = -1, cx = 0;

	erase();
	attron(A_BOLD);
	if (f->edit) {
		g_autofree char *title = g_strdup_printf(f->summary ?
			_("Edit VM \"%s\": summary") : _("Edit VM \"%s\""), f->edit);

		mvaddnstr(0, 1, title, cols - 2);
	} else if (t->hosts->len > 1) {
		g_autofree char *title = g_strdup_printf(f->summary ?
			_("New VM on %s: summary") : _("New VM on %s"), f->host->label);

		mvaddnstr(0, 1, title, cols - 2);
	} else {
		mvaddstr(0, 1, f->summary ? _("New VM: summary") : _("New VM"));
	}
	attroff(A_BOLD);
	if (f->edit && f->running)
		mvaddnstr(1, 1, _("The VM is running: changes marked \"at next start\" wait for it to power off and start again."),
			  cols - 2);
	for (int i = 0; i < F_COUNT && y < lines - 3; i++) {
		g_autofree char *v = NULL;

		if (!visible(f, i))
			continue;
		v = shown(f, i);
		mvaddnstr(y, 2, _(fields[i].label), 16);
		move(y, 20);
		if (!f->summary && i == f->current) {
			attron(A_REVERSE);
			cy = y;
			cx = 21 + cli_width(v);
		}
		if (fields[i].choices && !f->summary)
			printw("< %s >", v);
		else
			printw("[%s]", v);
		if (!f->summary && i == f->current)
			attroff(A_REVERSE);
		if (f->error[i] && !f->summary) {
			attron(A_BOLD);
			if (t->color)
				attron(COLOR_PAIR(PAIR_ERROR));
			addstr("  ");
			addnstr(f->error[i], MAX(0, cols - getcurx(stdscr) - 1));
			if (t->color)
				attroff(COLOR_PAIR(PAIR_ERROR));
			attroff(A_BOLD);
		} else if (waits_for_restart(f, i)) {
			attron(A_BOLD);
			addstr("  ");
			addnstr(_("at next start"), MAX(0, cols - getcurx(stdscr) - 1));
			attroff(A_BOLD);
		} else if (i == F_BOOT_ORDER && i == f->current && !f->summary) {
			attron(A_DIM);
			addstr("  ");
			addnstr(_("e.g. cdrom,hd,network"), MAX(0, cols - getcurx(stdscr) - 1));
			attroff(A_DIM);
		} else if (i == F_OS && i == f->current && !f->summary) {
			attron(A_DIM);
			addstr("  ");
			addnstr(f->os_job ? _("reading the list...") : _("F2: choose from the list"),
				MAX(0, cols - getcurx(stdscr) - 1));
			attroff(A_DIM);
		}
		y++;
	}
	if (f->failure) {
		attron(A_BOLD);
		mvaddnstr(lines - 3, 1, f->failure, cols - 2);
		attroff(A_BOLD);
	} else if (f->notice && !f->summary) {
		mvaddnstr(lines - 3, 1, f->notice, cols - 2);
	}
	attron(A_DIM);
	mvaddnstr(lines - 1, 1, f->job ? _("Creating...") : f->summary ?
		  f->edit ? _("Enter: apply these changes   Esc: back to the form") :
		  _("Enter: create this VM   Esc: back to the form") :
		  _("Tab/Down: next  Up: previous  Left/Right/Space: change a choice  Enter on the last field: summary  Esc: cancel"),
		  cols - 2);
	attroff(A_DIM);
	if (!f->summary && !fields[f->current].choices && cy >= 0) {
		move(cy, cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

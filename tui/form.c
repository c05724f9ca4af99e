/*
 * form.c — the full-screen forms: New VM, Edit VM, New template, Edit
 * template and Provision (the lab wizard).  Fields are validated inline by
 * the same rules as the command line (core/names.c, templates/seed.c); a
 * summary page comes before the command (`create`, `set`, `template
 * create`, `template edit`, `provision`) runs as a job.  A failed create or
 * edit of a VM leaves the form open with the message (vm_create rolls
 * back); the template forms hand their longer jobs to the status line,
 * where K cancels them.
 */
#include "config.h"

#include <crypt.h>
#include <curses.h>
#include <inttypes.h>
#include <string.h>

#include "core/i18n.h"
#include "core/names.h"
#include "net/net.h"
#include "storage/storage.h"
#include "templates/templates.h"
#include "tui/tui.h"

/* Every field of every form; a form shows those visible() lets through,
 * in this order. */
enum field_id {
	F_NAME, F_SOURCE, F_SOURCE_VM, F_SOURCE_PATH,
	F_COUNT_VMS, F_NAMES, F_CLONE,
	F_OS, F_VCPUS, F_MAX_VCPUS, F_MEMORY, F_MAX_MEMORY, F_DISK, F_DISK_SIZE, F_DISK_PATH,
	F_BOOT, F_ISO, F_KERNEL, F_INITRD, F_CMDLINE, F_FIRMWARE,
	F_BOOT_ORDER, F_USER, F_PASSWORD, F_SSH_KEY, F_PACKAGES, F_USER_DATA,
	F_SUDO, F_NETWORK, F_IOTUNE, F_VCPUPIN, F_NUMA, F_START, F_DESCRIPTION, F_COUNT
};

enum form_kind { FORM_NEW_VM, FORM_EDIT_VM, FORM_NEW_TEMPLATE, FORM_EDIT_TEMPLATE,
		 FORM_PROVISION };

static const char *const disk_choices[] = { N_("new"), N_("existing image"), N_("none"), NULL };
static const char *const boot_choices[] = { N_("disk"), N_("ISO image"), N_("kernel"), NULL };
static const char *const fw_choices[] = { "BIOS", "UEFI", NULL };
static const char *const source_choices[] = { N_("a shut-off VM"), N_("a disk image"), N_("an OVA"), NULL };
static const char *const clone_choices[] = { N_("linked clones"), N_("full copies"), NULL };
static const char *const start_choices[] = { N_("no"), N_("yes"), NULL };

static const struct {
	const char *label;
	const char *const *choices; /* NULL: free text */
	const char *initial;
} fields[F_COUNT] = {
	/* TRANSLATORS: labels of the New VM, template and Provision forms */
	[F_NAME] = { N_("Name"), NULL, "" },
	[F_SOURCE] = { N_("Made from"), source_choices, NULL },
	[F_SOURCE_VM] = { N_("VM"), NULL, "" },
	[F_SOURCE_PATH] = { N_("File"), NULL, "" },
	[F_COUNT_VMS] = { N_("How many VMs"), NULL, "1" },
	[F_NAMES] = { N_("Names"), NULL, "" },
	[F_CLONE] = { N_("Disks"), clone_choices, NULL },
	[F_OS] = { N_("OS variant"), NULL, "" },
	[F_VCPUS] = { N_("vCPUs"), NULL, "1" },
	[F_MAX_VCPUS] = { N_("Max vCPUs"), NULL, "" },
	[F_MEMORY] = { N_("Memory"), NULL, "1G" },
	[F_MAX_MEMORY] = { N_("Max memory"), NULL, "" },
	[F_DISK] = { N_("Disk"), disk_choices, NULL },
	[F_DISK_SIZE] = { N_("Disk size"), NULL, "16G" },
	[F_DISK_PATH] = { N_("Disk image"), NULL, "" },
	[F_BOOT] = { N_("Boot from"), boot_choices, NULL },
	[F_ISO] = { N_("ISO image"), NULL, "" },
	[F_KERNEL] = { N_("Kernel"), NULL, "" },
	[F_INITRD] = { N_("Initrd"), NULL, "" },
	[F_CMDLINE] = { N_("Command line"), NULL, "console=ttyS0" },
	[F_FIRMWARE] = { N_("Firmware"), fw_choices, NULL },
	[F_NETWORK] = { N_("Network"), NULL, "nat" },
	[F_IOTUNE] = { N_("I/O limits"), NULL, "" },
	[F_VCPUPIN] = { N_("vCPU pinning"), NULL, "" },
	[F_NUMA] = { N_("NUMA nodes"), NULL, "" },
	[F_BOOT_ORDER] = { N_("Boot order"), NULL, "" },
	[F_USER] = { N_("User"), NULL, "" },
	[F_PASSWORD] = { N_("Password"), NULL, "" },
	[F_SSH_KEY] = { N_("SSH key file"), NULL, "" },
	[F_PACKAGES] = { N_("Packages"), NULL, "" },
	[F_USER_DATA] = { N_("User-data file"), NULL, "" },
	[F_SUDO] = { N_("Administrator"), start_choices, NULL },
	[F_START] = { N_("Start them"), start_choices, NULL },
	[F_DESCRIPTION] = { N_("Description"), NULL, "" },
};

struct form {
	enum form_kind kind;
	char *edit;          /* the VM or template edited, the template
			      * provisioned from; NULL for a new one */
	struct host *host;   /* where it creates or edits */
	bool running;        /* (edit) the VM runs: some changes wait */
	unsigned max_vcpus;  /* (edit) what it can take while running */
	uint64_t max_memory_mib;
	char *was[F_COUNT];  /* (edit) the values read: only changes are sent */
	char **existing;     /* (template forms) the template names known */
	bool template_sudo;  /* (provision) the template gives its user sudo */
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

/* Whether field @id applies to the form with the choices made so far. */
static bool visible(const struct form *f, int id)
{
	switch (f->kind) {
	case FORM_EDIT_VM:
		return id == F_VCPUS || id == F_MAX_VCPUS || id == F_MEMORY || id == F_MAX_MEMORY ||
		       id == F_BOOT_ORDER || id == F_NETWORK || id == F_IOTUNE || id == F_VCPUPIN ||
		       id == F_NUMA || id == F_DESCRIPTION;
	case FORM_NEW_TEMPLATE:
		return id == F_NAME || id == F_SOURCE || id == F_DESCRIPTION ||
		       (id == F_SOURCE_VM && f->choice[F_SOURCE] == 0) ||
		       (id == F_SOURCE_PATH && f->choice[F_SOURCE] != 0);
	case FORM_EDIT_TEMPLATE:
		return id == F_OS || id == F_VCPUS || id == F_MEMORY || id == F_USER ||
		       id == F_SSH_KEY || id == F_PACKAGES || id == F_DESCRIPTION;
	case FORM_PROVISION:
		return id == F_COUNT_VMS || id == F_NAMES || id == F_CLONE ||
		       id == F_USER || id == F_PASSWORD || id == F_SSH_KEY ||
		       id == F_PACKAGES || id == F_USER_DATA || id == F_SUDO || id == F_START ||
		       id == F_NETWORK;
	case FORM_NEW_VM:
		break;
	}
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
	case F_NAME: case F_OS: case F_VCPUS: case F_MEMORY: case F_DISK:
	case F_BOOT: case F_FIRMWARE: case F_NETWORK: case F_DESCRIPTION:
		return true;
	default:
		return false; /* "Boot from" sets the boot order of a new VM */
	}
}

/* The VM named @name in the list, or NULL. */
static const struct vm_row *find_vm(struct tui *t, const struct form *f, const char *name)
{
	for (guint i = 0; i < t->all->len; i++) {
		const struct vm_row *r = t->all->pdata[i];

		if (r->host == f->host->id && strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

/* The VM names the Provision form would make; NULL with an error. */
static GPtrArray *planned_names(struct tui *t, const struct form *f)
{
	unsigned count = (unsigned)strtoul(f->value[F_COUNT_VMS]->str, NULL, 10);
	GPtrArray *names = provision_expand_names(f->value[F_NAMES]->str,
						  strchr(f->value[F_NAMES]->str, '{') ? 0 : count);

	for (guint i = 0; names && i < names->len; i++)
		if (!seed_hostname_valid(names->pdata[i])) {
			g_clear_pointer(&names, g_ptr_array_unref);
		} else if (find_vm(t, f, names->pdata[i])) {
			core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists."),
				   (char *)names->pdata[i]);
			g_clear_pointer(&names, g_ptr_array_unref);
		}
	if (names && names->len != count) {
		core_error(CORE_ERR_USAGE, P_("The names make %u VM, not %u.", "The names make %u VMs, not %u.",
					     names->len), names->len, count);
		g_clear_pointer(&names, g_ptr_array_unref);
	}
	return names;
}

static bool changed(const struct form *f, int id);

/* The Network field: modes as --net takes them, separated by spaces. */
static bool nics_valid(const char *v)
{
	g_auto(GStrv) words = g_strsplit_set(v, " ", -1);
	g_autoptr(GPtrArray) modes = g_ptr_array_new();
	g_autoptr(GPtrArray) nics = g_ptr_array_new_with_free_func((GDestroyNotify)vm_nic_free);

	for (int i = 0; words[i]; i++)
		if (*words[i])
			g_ptr_array_add(modes, words[i]);
	if (!modes->len) {
		core_error(CORE_ERR_USAGE, _("Give nat, none, or the networks of the NICs separated by spaces (F2 lists them)."));
		return false;
	}
	return net_parse_list(modes, NULL, nics);
}

/* Adds --net for each word of the Network field. */
static void add_nets(GPtrArray *a, const char *v)
{
	g_auto(GStrv) words = g_strsplit_set(v, " ", -1);

	for (int i = 0; words[i]; i++)
		if (*words[i]) {
			g_ptr_array_add(a, g_strdup("--net"));
			g_ptr_array_add(a, g_strdup(words[i]));
		}
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
		if (f->kind == FORM_NEW_TEMPLATE) {
			ok = template_name_valid(v);
			if (ok && f->existing && g_strv_contains((const char *const *)f->existing, v)) {
				core_error(CORE_ERR_USAGE, _("A template named \"%s\" already exists."), v);
				ok = false;
			}
			break;
		}
		ok = core_name_valid(v);
		if (ok && find_vm(t, f, v)) {
			core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists."), v);
			ok = false;
		}
		break;
	case F_SOURCE_VM: {
		const struct vm_row *r = *v ? find_vm(t, f, v) : NULL;

		ok = r && r->state == VIR_DOMAIN_SHUTOFF;
		if (r && !ok)
			core_error(CORE_ERR_USAGE, _("Shut %s down first: a template copies a disk at rest."), v);
		else if (!ok)
			core_error(CORE_ERR_USAGE, _("Give the name of a shut-off VM (F2 lists them)."));
		break;
	}
	case F_COUNT_VMS:
	case F_VCPUS:
	case F_MAX_VCPUS: {
		char *end;
		long n = strtol(v, &end, 10);
		long max = id == F_COUNT_VMS ? LAB_MAX_VMS : VM_MAX_VCPUS;

		ok = *v && !*end && n >= 1 && n <= max;
		if (!ok)
			core_error(CORE_ERR_USAGE, id != F_COUNT_VMS ? _("Give a whole number of vCPUs from 1 to %ld.") :
				   _("Give a whole number of VMs from 1 to %ld."), max);
		break;
	}
	case F_IOTUNE:
	case F_VCPUPIN: {
		g_auto(GStrv) words = g_strsplit(v, " ", -1);

		for (guint i = 0; ok && words[i]; i++) {
			if (!*words[i])
				continue;
			if (id == F_IOTUNE) {
				autoptr(disk_iotune) io = iotune_parse(words[i]);

				ok = io != NULL;
			} else {
				autoptr(vcpu_pin) p = vcpu_pin_parse(words[i]);

				ok = p != NULL;
			}
		}
		break;
	}
	case F_NAMES: {
		g_autoptr(GPtrArray) names = planned_names(t, f);

		ok = names != NULL;
		break;
	}
	case F_MEMORY:
	case F_MAX_MEMORY:
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
	case F_SOURCE_PATH:
		ok = *v != '\0';
		if (!ok)
			core_error(CORE_ERR_USAGE, _("Give a path."));
		else
			ok = core_path_valid(_(fields[id].label), v);
		break;
	case F_INITRD:
	case F_SSH_KEY:
	case F_USER_DATA:
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
	case F_USER:
		ok = !*v || seed_user_valid(v);
		break;
	case F_PASSWORD:
		ok = !*v || (strlen(v) >= 8 && strlen(v) <= CRYPT_MAX_PASSPHRASE_SIZE);
		if (!ok)
			core_error(CORE_ERR_USAGE, _("Give 8 to 512 characters, or leave it empty for SSH keys only."));
		break;
	case F_PACKAGES:
		ok = seed_packages_parse(v, NULL);
		break;
	case F_NETWORK:
		/* another client's NIC kind stays as it is unless changed */
		ok = (f->kind == FORM_EDIT_VM && !changed(f, id)) || nics_valid(v);
		break;
	default:
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
	/* the password's buffer is never moved (no copy left behind) and is
	 * wiped when the form goes */
	g_string_free(f->value[F_PASSWORD], TRUE);
	f->value[F_PASSWORD] = g_string_sized_new(CRYPT_MAX_PASSPHRASE_SIZE + 8);
	return f;
}

void form_free(struct form *f)
{
	if (!f)
		return;
	explicit_bzero(f->value[F_PASSWORD]->str, f->value[F_PASSWORD]->allocated_len);
	for (int i = 0; i < F_COUNT; i++) {
		if (f->value[i])
			g_string_free(f->value[i], TRUE);
		g_free(f->error[i]);
		g_free(f->was[i]);
	}
	g_free(f->failure);
	g_free(f->notice);
	g_free(f->edit);
	g_strfreev(f->existing);
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
	if (f->kind != FORM_NEW_VM)
		f->touched[F_VCPUS] = f->touched[F_MEMORY] = f->touched[F_DISK_SIZE] = true;
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

/* libosinfo's list was read: the OS picker opens with it. */
static int os_list_read(struct tui *t, struct job *job, void *data)
{
	struct form *f = t->form;
	GPtrArray **list, *items;

	if (!f || f->os_job != job)
		return TUI_NONE; /* the form has gone */
	list = job_data(f->os_job);
	if (!*list || !(*list)->len) {
		g_free(f->notice);
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

/* Keeps the values an edit form opened with. */
static void remember(struct form *f)
{
	for (int i = 0; i < F_COUNT; i++)
		if (f->value[i])
			f->was[i] = g_strdup(f->value[i]->str);
}

/* Whether the edit form's field @id differs from what was read. */
static bool changed(const struct form *f, int id)
{
	return g_strcmp0(f->value[id]->str, f->was[id]) != 0;
}

/* A new form of @kind about @subject (or NULL) on @h, in OVERLAY_FORM. */
static struct form *form_open(struct tui *t, enum form_kind kind, const char *subject,
			      struct host *h)
{
	struct form *f;

	form_free(t->form);
	f = t->form = form_new();
	f->kind = kind;
	f->edit = g_strdup(subject);
	f->host = h ? h : tui_host(t, NULL);
	while (!visible(f, f->current))
		f->current++;
	t->overlay = OVERLAY_FORM;
	return f;
}

int form_create_open(struct tui *t)
{
	form_open(t, FORM_NEW_VM, NULL, NULL);
	return TUI_REDRAW;
}

int form_edit_open(struct tui *t, const struct vm_row *vm)
{
	struct form *f = form_open(t, FORM_EDIT_VM, vm->name, tui_host(t, vm));
	/* the details pane read the description, if it is about this VM */
	const struct vm_spec *spec = view_details_spec(t, vm);
	const struct vm_tuning *tn = view_details_tuning(t, vm);
	char *pins = NULL;

	f->running = vm->state != VIR_DOMAIN_SHUTOFF && vm->state != VIR_DOMAIN_CRASHED;
	g_string_printf(f->value[F_VCPUS], "%u", vm->vcpus);
	g_string_printf(f->value[F_MEMORY], "%" G_GUINT64_FORMAT "M", vm->max_mem_kib / 1024);
	f->max_memory_mib = vm->max_mem_kib / 1024;
	if (spec) {
		const struct vm_boot *b = &spec->boot;
		GString *boot = g_string_new(NULL);

		g_string_printf(f->value[F_VCPUS], "%u", spec->vcpus);
		g_string_printf(f->value[F_MEMORY], "%" G_GUINT64_FORMAT "M",
				spec->memory_mib);
		g_string_assign(f->value[F_DESCRIPTION],
				spec->description ? spec->description : "");
		for (unsigned i = 0; i < b->n; i++)
			g_string_append_printf(boot, "%s%s", i ? "," : "",
					       vm_boot_dev_id(b->dev[i]));
		g_string_assign(f->value[F_BOOT_ORDER], boot->str);
		g_string_free(boot, TRUE);
		g_string_truncate(f->value[F_NETWORK], 0);
		for (guint i = 0; i < spec->nics->len; i++) {
			g_autofree char *text = net_nic_text(spec->nics->pdata[i]);

			g_string_append_printf(f->value[F_NETWORK], "%s%s", i ? " " : "", text);
		}
		if (!spec->nics->len)
			g_string_assign(f->value[F_NETWORK], "none");
		f->max_vcpus = spec->max_vcpus;
		f->max_memory_mib = spec->max_memory_mib;
		g_string_printf(f->value[F_MAX_VCPUS], "%u", spec->max_vcpus);
		g_string_printf(f->value[F_MAX_MEMORY], "%" G_GUINT64_FORMAT "M", spec->max_memory_mib);
	} else {
		g_string_assign(f->value[F_MAX_VCPUS], f->value[F_VCPUS]->str);
		g_string_assign(f->value[F_MAX_MEMORY], f->value[F_MEMORY]->str);
	}
	if (tn) {
		for (guint i = 0; i < tn->iotune->len; i++) {
			g_autofree char *arg = iotune_arg(tn->iotune->pdata[i]);

			g_string_append_printf(f->value[F_IOTUNE], "%s%s", i ? " " : "", arg);
		}
		g_free(pins);
		pins = vcpupin_text(tn->vcpupin);
		g_string_assign(f->value[F_VCPUPIN], pins ? pins : "");
		g_string_assign(f->value[F_NUMA], tn->numa ? tn->numa : "");
	}
	remember(f);
	g_free(pins);
	return TUI_REDRAW;
}

int form_template_open(struct tui *t, struct host *h, const char *vm,
		       const GPtrArray *templates)
{
	struct form *f = form_open(t, FORM_NEW_TEMPLATE, NULL, h);
	GPtrArray *names = g_ptr_array_new();

	for (guint i = 0; templates && i < templates->len; i++)
		g_ptr_array_add(names, g_strdup(((struct template *)templates->pdata[i])->name));
	g_ptr_array_add(names, NULL);
	f->existing = (char **)g_ptr_array_free(names, FALSE);
	if (vm) {
		g_string_assign(f->value[F_SOURCE_VM], vm);
		g_string_printf(f->value[F_NAME], "%s-template", vm);
	}
	return TUI_REDRAW;
}

int form_template_edit_open(struct tui *t, struct host *h, const struct template *tp)
{
	struct form *f = form_open(t, FORM_EDIT_TEMPLATE, tp->name, h);

	g_string_assign(f->value[F_OS], tp->os_variant ? tp->os_variant : "");
	g_string_printf(f->value[F_VCPUS], "%u", tp->vcpus);
	g_string_printf(f->value[F_MEMORY], "%" PRIu64 "M", tp->memory_mib);
	g_string_assign(f->value[F_USER], tp->user ? tp->user : "");
	cli_join(f->value[F_PACKAGES], tp->packages, ", ");
	g_string_assign(f->value[F_DESCRIPTION], tp->description ? tp->description : "");
	remember(f);
	return TUI_REDRAW;
}

/* A name pattern for @count VMs: "lab-{01..20}", or "lab-1" for one. */
static void default_names(struct form *f)
{
	unsigned n = (unsigned)strtoul(f->value[F_COUNT_VMS]->str, NULL, 10);
	int width = (int)strlen(f->value[F_COUNT_VMS]->str);

	if (f->touched[F_NAMES] || !n || n > LAB_MAX_VMS)
		return;
	if (n == 1)
		g_string_assign(f->value[F_NAMES], "lab-1");
	else
		g_string_printf(f->value[F_NAMES], "lab-{%0*u..%u}", width, 1, n);
}

int form_provision_open(struct tui *t, struct host *h, const struct template *tp)
{
	struct form *f = form_open(t, FORM_PROVISION, tp->name, h);

	g_string_assign(f->value[F_USER], tp->user ? tp->user : "");
	cli_join(f->value[F_PACKAGES], tp->packages, ", ");
	/* administrator rights as the template says: no unless it gives them */
	f->template_sudo = tp->sudo;
	f->choice[F_SUDO] = tp->sudo;
	default_names(f);
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

/* Adds the path option @option unless @value is empty. */
static void add_path(GPtrArray *a, const char *option, const char *value)
{
	g_autofree char *path = tui_expand_home(value);

	add_opt(a, option, path, false);
}

/* Adds "OPTION VALUE" to an edit's command line when field @id changed. */
static void add_change(GPtrArray *a, const struct form *f, const char *option, int id)
{
	if (changed(f, id))
		add_opt(a, option, f->value[id]->str, true);
}

/* The word of @words (KEY:VALUE, separated by spaces) whose key is that
 * of @word, or NULL. */
static const char *word_of(char **words, const char *word)
{
	size_t n = strcspn(word, ":");

	for (guint i = 0; words[i]; i++)
		if (strncmp(words[i], word, n) == 0 && words[i][n] == ':')
			return words[i];
	return NULL;
}

/* @option KEY:@lift for the key of @word (KEY:VALUE). */
static void add_lift(GPtrArray *a, const char *option, const char *word, const char *lift)
{
	g_ptr_array_add(a, g_strdup(option));
	g_ptr_array_add(a, g_strdup_printf("%.*s:%s", (int)strcspn(word, ":"), word, lift));
}

/* @option for each KEY:VALUE word of @now that @was (the value read) did
 * not have: KEY:@lift for a key gone, and also before a changed word
 * when @replace (the option merges what it is given with what is set). */
static void add_words_changed(GPtrArray *a, const char *option, const char *was,
			      const char *now, const char *lift, bool replace)
{
	g_auto(GStrv) old = g_strsplit(was ? was : "", " ", -1);
	g_auto(GStrv) new = g_strsplit(now, " ", -1);

	for (guint i = 0; old[i]; i++)
		if (*old[i] && !word_of(new, old[i]))
			add_lift(a, option, old[i], lift);
	for (guint i = 0; new[i]; i++) {
		const char *before;

		if (!*new[i] || g_strv_contains((const char *const *)old, new[i]))
			continue;
		if (replace && (before = word_of(old, new[i])))
			add_lift(a, option, before, lift);
		add_opt(a, option, new[i], false);
	}
}

static void argv_vm(GPtrArray *a, const struct form *f, const char **v)
{
	g_ptr_array_add(a, g_strdup(f->edit ? "set" : "create"));
	g_ptr_array_add(a, g_strdup(f->edit ? f->edit : v[F_NAME]));
	add_opt(a, "--vcpus", v[F_VCPUS], false);
	add_opt(a, "--memory", v[F_MEMORY], false);
	/* an emptied description removes it when editing */
	add_opt(a, "--description", v[F_DESCRIPTION], f->edit != NULL);
	if (f->edit) {
		if (*v[F_BOOT_ORDER])
			add_change(a, f, "--boot", F_BOOT_ORDER);
		if (changed(f, F_NETWORK))
			add_nets(a, v[F_NETWORK]);
		add_change(a, f, "--max-vcpus", F_MAX_VCPUS);
		add_change(a, f, "--max-memory", F_MAX_MEMORY);
		if (changed(f, F_NUMA))
			add_opt(a, "--numa", *v[F_NUMA] ? v[F_NUMA] : "none", true);
		add_words_changed(a, "--iotune", f->was[F_IOTUNE], v[F_IOTUNE], "none", true);
		add_words_changed(a, "--vcpupin", f->was[F_VCPUPIN], v[F_VCPUPIN], "all", false);
		return;
	}
	add_opt(a, "--os", v[F_OS], false);
	if (f->choice[F_DISK] == 0)
		add_opt(a, "--disk-size", v[F_DISK_SIZE], true);
	else if (f->choice[F_DISK] == 1)
		add_path(a, "--disk", v[F_DISK_PATH]);
	else
		g_ptr_array_add(a, g_strdup("--no-disk"));
	if (f->choice[F_BOOT] == 1)
		add_path(a, "--iso", v[F_ISO]);
	if (f->choice[F_BOOT] == 2) {
		add_path(a, "--kernel", v[F_KERNEL]);
		add_path(a, "--initrd", v[F_INITRD]);
		add_opt(a, "--cmdline", v[F_CMDLINE], false);
	}
	if (f->choice[F_FIRMWARE] == 1)
		add_opt(a, "--firmware", "uefi", true);
	add_nets(a, v[F_NETWORK]);
}

static void argv_template(GPtrArray *a, const struct form *f, const char **v)
{
	static const char *const source_opts[] = { "--from-vm", "--from-image", "--from-ova" };

	g_ptr_array_add(a, g_strdup("template"));
	if (f->kind == FORM_NEW_TEMPLATE) {
		int src = f->choice[F_SOURCE];

		g_ptr_array_add(a, g_strdup("create"));
		g_ptr_array_add(a, g_strdup(v[F_NAME]));
		if (src == 0)
			add_opt(a, source_opts[0], v[F_SOURCE_VM], true);
		else
			add_path(a, source_opts[src], v[F_SOURCE_PATH]);
		add_opt(a, "--description", v[F_DESCRIPTION], false);
		return;
	}
	g_ptr_array_add(a, g_strdup("edit"));
	g_ptr_array_add(a, g_strdup(f->edit));
	add_change(a, f, "--os", F_OS);
	add_change(a, f, "--vcpus", F_VCPUS);
	add_change(a, f, "--memory", F_MEMORY);
	add_change(a, f, "--user", F_USER);
	add_change(a, f, "--packages", F_PACKAGES);
	add_change(a, f, "--description", F_DESCRIPTION);
	add_path(a, "--ssh-key", v[F_SSH_KEY]);
}

static bool argv_provision(GPtrArray *a, const struct form *f, const char **v)
{
	g_ptr_array_add(a, g_strdup("provision"));
	g_ptr_array_add(a, g_strdup(f->edit));
	g_ptr_array_add(a, g_strdup(v[F_NAMES]));
	if (!strchr(v[F_NAMES], '{'))
		add_opt(a, "--count", v[F_COUNT_VMS], false);
	if (f->choice[F_CLONE] == 1)
		g_ptr_array_add(a, g_strdup("--full"));
	add_opt(a, "--user", v[F_USER], false);
	if (*v[F_PASSWORD]) {
		g_autofree char *hash = seed_hash_password(v[F_PASSWORD]);

		if (!hash)
			return false;
		add_opt(a, "--password-hash", hash, true);
	}
	add_path(a, "--ssh-key", v[F_SSH_KEY]);
	add_opt(a, "--packages", v[F_PACKAGES], false);
	add_path(a, "--user-data", v[F_USER_DATA]);
	if (f->choice[F_SUDO] == 1)
		g_ptr_array_add(a, g_strdup("--sudo"));
	else if (f->template_sudo)
		g_ptr_array_add(a, g_strdup("--no-sudo"));
	/* "nat" alone is the template's NIC as it is */
	if (!g_regex_match_simple("^ *nat *$", v[F_NETWORK], 0, 0))
		add_nets(a, v[F_NETWORK]);
	if (f->choice[F_START] == 1)
		g_ptr_array_add(a, g_strdup("--start"));
	return true;
}

/* The command line of the form; caller frees with g_strfreev.  NULL with
 * an error when the password cannot be hashed. */
static char **build_argv(struct form *f)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	const char *v[F_COUNT];

	for (int i = 0; i < F_COUNT; i++)
		v[i] = f->value[i] ? f->value[i]->str : "";
	switch (f->kind) {
	case FORM_NEW_VM:
	case FORM_EDIT_VM:
		argv_vm(a, f, v);
		break;
	case FORM_NEW_TEMPLATE:
	case FORM_EDIT_TEMPLATE:
		argv_template(a, f, v);
		break;
	case FORM_PROVISION:
		if (!argv_provision(a, f, v)) {
			g_ptr_array_unref(a);
			return NULL;
		}
		break;
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_steal(a, NULL);
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

/* The last field the form shows. */
static int last_field(const struct form *f)
{
	int i = F_COUNT - 1;

	while (!visible(f, i))
		i--;
	return i;
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

/* The VM forms wait for their command and show its failure; the template
 * forms leave their longer work to the status line, where K cancels it. */
static bool form_job_done(struct tui *t, struct tui_job *tj, bool ok, const char *message);

static int submit(struct tui *t, struct form *f)
{
	g_auto(GStrv) argv = build_argv(f);
	bool vm_form = f->kind == FORM_NEW_VM || f->kind == FORM_EDIT_VM;
	struct tui_job *tj;

	g_clear_pointer(&f->failure, g_free);
	if (!argv) {
		f->failure = g_strdup(core_error_message());
		core_error_clear();
		f->summary = false;
		return TUI_REDRAW;
	}
	if (f->kind == FORM_EDIT_TEMPLATE && g_strv_length(argv) == 3) {
		t->overlay = OVERLAY_NONE;
		tui_message(t, false, _("Nothing was changed."));
		g_clear_pointer(&t->form, form_free);
		return TUI_REDRAW;
	}
	tj = tui_start_command(t, f->host, argv, vm_form ? argv[1] : NULL,
			       !vm_form && f->kind != FORM_EDIT_TEMPLATE);
	if (!tj) {
		f->summary = false;
		f->failure = g_strdup(t->message);
	} else if (vm_form) {
		f->job = tj;
		tj->ended = form_job_done;
	} else {
		t->overlay = OVERLAY_NONE;
		g_clear_pointer(&t->form, form_free);
	}
	return TUI_REDRAW;
}

/* How the form's create ended: a failure is shown in the form. */
static bool form_job_done(struct tui *t, struct tui_job *tj, bool ok, const char *message)
{
	struct form *f = t->form;

	if (!f || f->job != tj)
		return false;
	f->job = NULL;
	if (ok) {
		t->overlay = OVERLAY_NONE;
		g_clear_pointer(&t->form, form_free);
		return false; /* let the loop show the result as usual */
	}
	f->summary = false;
	g_free(f->failure);
	f->failure = g_strdup(message);
	return true;
}

/* A VM was chosen in the picker of the New template form. */
static int vm_chosen(struct tui *t, const char *value)
{
	if (t->form && value) {
		g_string_assign(t->form->value[F_SOURCE_VM], value);
		check(t, t->form, F_SOURCE_VM);
	}
	return TUI_REDRAW;
}

/* A network was chosen: it replaces the field, or joins the NICs there
 * when the field ends in a space. */
static int net_chosen(struct tui *t, const char *value)
{
	struct form *f = t->form;

	if (!f || !value)
		return TUI_REDRAW;
	if (!f->value[F_NETWORK]->len ||
	    f->value[F_NETWORK]->str[f->value[F_NETWORK]->len - 1] != ' ')
		g_string_truncate(f->value[F_NETWORK], 0);
	g_string_append(f->value[F_NETWORK], value);
	f->touched[F_NETWORK] = true;
	check(t, f, F_NETWORK);
	return TUI_REDRAW;
}

/* F2: a list to choose the field's value from. */
static int choose(struct tui *t, struct form *f)
{
	GPtrArray *items;

	if (f->current == F_NETWORK) {
		tui_pick_network(t, f->host, net_chosen);
		return TUI_REDRAW;
	}

	if (f->current == F_OS) {
		if (!f->os_job) {
			f->os_job = job_submit("os-list", os_list_job,
					       g_new0(GPtrArray *, 1), os_list_free, false);
			tui_watch(t, f->os_job, os_list_read, NULL);
		}
		return TUI_REDRAW;
	}
	if (f->current != F_SOURCE_VM)
		return TUI_NONE;
	items = picker_items_new();
	for (guint i = 0; i < t->all->len; i++) {
		const struct vm_row *r = t->all->pdata[i];

		if (r->host == f->host->id && r->state == VIR_DOMAIN_SHUTOFF)
			picker_add(items, r->name, NULL, r->name);
	}
	if (!items->len) {
		g_ptr_array_unref(items);
		g_free(f->error[F_SOURCE_VM]);
		f->error[F_SOURCE_VM] = g_strdup(_("No VM is shut off."));
		return TUI_REDRAW;
	}
	picker_open(t, _("Shut-off VMs"), items, true, vm_chosen);
	return TUI_REDRAW;
}

int form_key(struct tui *t, wint_t ch, bool is_key)
{
	struct form *f = t->form;
	int id = f->current;

	if (f->job)
		return TUI_NONE; /* creating: wait */
	if (!is_key && ch == 27) {
		if (f->summary) {
			f->summary = false;
		} else {
			t->overlay = OVERLAY_NONE;
			tui_message(t, false, f->kind == FORM_EDIT_VM || f->kind == FORM_EDIT_TEMPLATE ?
				    _("Nothing was changed.") : f->kind == FORM_NEW_TEMPLATE ?
				    _("No template was made.") : f->kind == FORM_PROVISION ?
				    _("No VM was made.") : _("No VM was created."));
			g_clear_pointer(&t->form, form_free);
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
		int last = last_field(f);

		check(t, f, id);
		if (enter && id == last) {
			if (check_all(t, f))
				f->summary = true;
			return TUI_REDRAW;
		}
		move_field(f, 1);
		if (f->current < id && !enter)
			f->current = id < last ? f->current : 0;
		while (!visible(f, f->current))
			f->current++;
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
	if (is_key && ch == KEY_F(2))
		return choose(t, f);
	if (id == F_PASSWORD && f->value[id]->len + 8 > f->value[id]->allocated_len)
		return TUI_NONE; /* full: the buffer must not move */
	if (tui_edit_text(f->value[id], ch, is_key)) {
		f->touched[id] = true;
		if (id == F_COUNT_VMS)
			default_names(f);
	}
	return TUI_REDRAW;
}

/* Whether the change in field @id waits for the running VM's next start:
 * more vCPUs or memory than it started with room for, a new boot order. */
static bool waits_for_restart(const struct form *f, int id)
{
	const char *v = f->value[id] ? f->value[id]->str : "";

	if (f->kind != FORM_EDIT_VM || !f->running)
		return false;
	switch (id) {
	case F_VCPUS:
		return f->max_vcpus && strtoul(v, NULL, 10) > f->max_vcpus;
	case F_MEMORY:
		return f->max_memory_mib &&
		       core_parse_size(v, 'M') > (f->max_memory_mib << 20);
	case F_BOOT_ORDER:
	case F_NETWORK:
	case F_MAX_VCPUS:
	case F_MAX_MEMORY:
	case F_NUMA:
		return changed(f, id);
	}
	return false;
}

/* Text of a field's current value for display; caller frees. */
static char *shown(const struct form *f, int i)
{
	if (fields[i].choices)
		return g_strdup(_(fields[i].choices[f->choice[i]]));
	if (i == F_PASSWORD) {
		GString *stars = g_string_new(NULL);

		for (glong n = g_utf8_strlen(f->value[i]->str, -1); n > 0; n--)
			g_string_append_c(stars, '*');
		return g_string_free(stars, FALSE);
	}
	return g_strdup(f->value[i]->str);
}

/* The dim hint after the field being edited, or NULL. */
static const char *field_hint(const struct form *f, int id)
{
	switch (id) {
	case F_BOOT_ORDER:
		return _("e.g. cdrom,hd,network");
	case F_MAX_VCPUS:
	case F_MAX_MEMORY:
		return _("room to add while it runs; from its next start");
	case F_IOTUNE:
		return _("e.g. vda:read-bytes=50M,write-iops=500 (a space between disks)");
	case F_VCPUPIN:
		return _("VCPU:HOST-CPUS, e.g. 0:2 1:3");
	case F_NUMA:
		return _("host NUMA nodes for its memory, e.g. 0; empty: any");
	case F_OS:
		return f->os_job ? _("reading the list...") : _("F2: choose from the list");
	case F_SOURCE_VM:
		return _("F2: choose from the shut-off VMs");
	case F_NETWORK:
		return tui_picking_network() ? _("reading the list...") :
		       _("F2: choose; a space, then F2, adds another NIC");
	case F_SOURCE_PATH:
		return f->choice[F_SOURCE] == 2 ? _("an .ova file") :
		       _("an image of the store (vmtui image list) or a qcow2, raw, vmdk, vdi or vhdx file");
	case F_NAMES:
		return _("e.g. lab-{01..20}: one VM per number");
	case F_USER:
		return f->kind == FORM_PROVISION ? _("cloud-init creates it; empty: the template's") :
		       _("the user cloud-init creates; empty: none");
	case F_PASSWORD:
		return _("stored hashed (SHA-512); empty: keys only");
	case F_SSH_KEY:
		return f->kind == FORM_EDIT_TEMPLATE ? _("replaces the template's keys; empty: keeps them") :
		       _("e.g. ~/.ssh/id_ed25519.pub; empty: the template's");
	case F_PACKAGES:
		return _("comma-separated");
	case F_USER_DATA:
		return _("your own #cloud-config, merged in");
	case F_SUDO:
		return _("yes: the user may run anything as root (sudo, no password)");
	}
	return NULL;
}

static char *form_title(struct tui *t, const struct form *f)
{
	const char *title = NULL;

	switch (f->kind) {
	case FORM_EDIT_VM:
		return g_strdup_printf(f->summary ? _("Edit VM \"%s\": summary") :
				       _("Edit VM \"%s\""), f->edit);
	case FORM_EDIT_TEMPLATE:
		return g_strdup_printf(f->summary ? _("Edit template \"%s\": summary") :
				       _("Edit template \"%s\""), f->edit);
	case FORM_PROVISION:
		return g_strdup_printf(f->summary ? _("New VMs from template \"%s\": summary") :
				       _("New VMs from template \"%s\""), f->edit);
	case FORM_NEW_TEMPLATE:
		title = f->summary ? _("New template: summary") : _("New template");
		break;
	case FORM_NEW_VM:
		if (t->hosts->len > 1)
			return g_strdup_printf(f->summary ? _("New VM on %s: summary") :
					       _("New VM on %s"), f->host->label);
		title = f->summary ? _("New VM: summary") : _("New VM");
		break;
	}
	return g_strdup(title);
}

/* The summary's line about what a Provision form makes. */
static char *planned_text(struct tui *t, const struct form *f)
{
	g_autoptr(GPtrArray) names = planned_names(t, f);
	const char *first, *last;

	core_error_clear();
	if (!names)
		return NULL;
	first = names->pdata[0];
	last = names->pdata[names->len - 1];
	if (names->len == 1)
		return g_strdup_printf(_("Makes VM %s."), first);
	return g_strdup_printf(P_("Makes %u VM: %s to %s.", "Makes %u VMs: %s to %s.", names->len),
			       names->len, first, last);
}

/* The bottom line's keys. */
static const char *form_keys(const struct form *f)
{
	bool edit = f->kind == FORM_EDIT_VM || f->kind == FORM_EDIT_TEMPLATE;

	if (f->job)
		return _("Creating...");
	if (!f->summary)
		return _("Tab/Down: next  Up: previous  Left/Right/Space: change a choice  Enter on the last field: summary  Esc: cancel");
	if (edit)
		return _("Enter: apply these changes   Esc: back to the form");
	if (f->kind == FORM_PROVISION)
		return _("Enter: make these VMs (K cancels)   Esc: back to the form");
	if (f->kind == FORM_NEW_TEMPLATE)
		return _("Enter: make this template   Esc: back to the form");
	return _("Enter: create this VM   Esc: back to the form");
}

void form_draw(struct tui *t, int lines, int cols)
{
	struct form *f = t->form;
	int y = 2, cy = -1, cx = 0;
	g_autofree char *title = form_title(t, f);

	erase();
	attron(A_BOLD);
	mvaddnstr(0, 1, title, cols - 2);
	attroff(A_BOLD);
	if (f->kind == FORM_EDIT_VM && f->running)
		mvaddnstr(1, 1, _("The VM is running: changes marked \"at next start\" wait for it to power off and start again."),
			  cols - 2);
	for (int i = 0; i < F_COUNT && y < lines - 3; i++) {
		g_autofree char *v = NULL;
		const char *hint = NULL;

		if (!visible(f, i))
			continue;
		v = shown(f, i);
		mvaddnstr(y, 2, _(fields[i].label), 16);
		move(y, 20);
		if (!f->summary && i == f->current) {
			attron(A_REVERSE);
			cy = y;
			cx = 21 + cli_width(v);
			hint = field_hint(f, i);
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
		} else if (hint) {
			attron(A_DIM);
			addstr("  ");
			addnstr(hint, MAX(0, cols - getcurx(stdscr) - 1));
			attroff(A_DIM);
		}
		y++;
	}
	if (f->summary && f->kind == FORM_PROVISION) {
		g_autofree char *plan = planned_text(t, f);

		if (plan)
			mvaddnstr(MIN(y + 1, lines - 4), 2, plan, cols - 3);
	}
	if (f->failure) {
		attron(A_BOLD);
		mvaddnstr(lines - 3, 1, f->failure, cols - 2);
		attroff(A_BOLD);
	} else if (f->notice && !f->summary) {
		mvaddnstr(lines - 3, 1, f->notice, cols - 2);
	}
	attron(A_DIM);
	mvaddnstr(lines - 1, 1, form_keys(f), cols - 2);
	attroff(A_DIM);
	if (!f->summary && !fields[f->current].choices && cy >= 0) {
		move(cy, cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/*
 * commands.c — the command table and each command's exec function.
 *
 * Exec functions run on a job worker: they call core, write their output
 * to ctx->out and return 0 or -1 with an error recorded.  They never print
 * directly and never prompt, so the TUI's `:` prompt can run them too.
 * The exception are CMD_TERMINAL commands (the consoles): they run on the
 * calling thread and own the terminal until the user leaves them.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "console/console.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/vm.h"
#include "core/model.h"
#include "core/image.h"
#include "core/doctor.h"
#include "images/images.h"
#include "images/ova.h"
#include "templates/templates.h"

#define MIB (UINT64_C(1) << 20)

/* ---- list / info -------------------------------------------------------- */

static void human_size(GString *out, uint64_t bytes)
{
	if (bytes >= (UINT64_C(1) << 30) && bytes % (UINT64_C(1) << 30) == 0)
		g_string_append_printf(out, "%" PRIu64 " GiB", bytes >> 30);
	else
		g_string_append_printf(out, "%" PRIu64 " MiB", bytes >> 20);
}

static int exec_list(struct cmd_ctx *ctx)
{
	struct model *m = model_new(ctx->eng);
	g_autoptr(GPtrArray) rows = NULL;
	int name_w = cli_width(_("NAME"));

	/* right after the embedded engine opens, libvirt still reconnects to
	 * running guests: wait (bounded) so no state shown is stale */
	engine_wait_all_settled(ctx->eng, MIN(ctx->cfg->op_timeout * 1000 / 2, 3000));
	if (model_refresh(m) < 0) {
		model_free(m);
		return -1;
	}
	rows = model_rows(m);
	model_free(m);
	if (ctx->json) {
		g_string_append_c(ctx->out, '[');
		for (guint i = 0; i < rows->len; i++) {
			struct vm_row *r = g_ptr_array_index(rows, i);

			g_string_append(ctx->out, i ? ",\n {" : "\n {");
			g_string_append(ctx->out, "\"name\": ");
			json_escape(ctx->out, r->name);
			g_string_append_printf(ctx->out, ", \"uuid\": \"%s\", \"state\": ", r->uuid);
			json_escape(ctx->out, r->settling ? "settling" :
				    vm_state_id(r->state));
			g_string_append_printf(ctx->out,
				", \"vcpus\": %u, \"memory_kib\": %" PRIu64
				", \"max_memory_kib\": %" PRIu64 ", \"cpu_time_ns\": %" PRIu64
				", \"persistent\": %s, \"autostart\": %s, \"ip\": ",
				r->vcpus, r->mem_kib, r->max_mem_kib, r->cpu_ns,
				r->persistent ? "true" : "false",
				r->autostart ? "true" : "false");
			/* both known while it runs, where they can be read */
			if (r->ip)
				json_escape(ctx->out, r->ip);
			else
				g_string_append(ctx->out, "null");
			if (r->started)
				g_string_append_printf(ctx->out, ", \"started\": %" G_GINT64_FORMAT "}",
						       r->started / G_USEC_PER_SEC);
			else
				g_string_append(ctx->out, ", \"started\": null}");
		}
		g_string_append(ctx->out, rows->len ? "\n]\n" : "]\n");
		return 0;
	}
	for (guint i = 0; i < rows->len; i++)
		name_w = MAX(name_w, cli_width(((struct vm_row *)rows->pdata[i])->name));
	/* TRANSLATORS: column headings of `vmtui list` */
	cli_pad(ctx->out, _("NAME"), name_w + 2);
	cli_pad(ctx->out, _("STATE"), 16);
	cli_pad(ctx->out, _("VCPUS"), 8);
	g_string_append_printf(ctx->out, "%s\n", _("MEMORY"));
	for (guint i = 0; i < rows->len; i++) {
		struct vm_row *r = g_ptr_array_index(rows, i);

		cli_pad(ctx->out, r->name, name_w + 2);
		cli_pad(ctx->out, r->settling ? _("not responding") :
			vm_state_label(r->state), 16);
		g_string_append_printf(ctx->out, "%-8u", r->vcpus);
		human_size(ctx->out, (r->state == VIR_DOMAIN_RUNNING && r->mem_kib ?
				      r->mem_kib : r->max_mem_kib) * 1024);
		g_string_append_c(ctx->out, '\n');
	}
	if (!rows->len)
		g_string_append_printf(ctx->out, "%s\n",
				       _("No VMs yet: create one with `vmtui create NAME`."));
	return 0;
}

void info_field(struct cmd_ctx *ctx, bool *first, const char *key,
		       const char *label, const char *value)
{
	if (ctx->json) {
		g_string_append(ctx->out, *first ? "{\n  " : ",\n  ");
		json_escape(ctx->out, key);
		g_string_append(ctx->out, ": ");
		if (value)
			json_escape(ctx->out, value);
		else
			g_string_append(ctx->out, "null");
	} else if (value) {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %s\n", value);
	}
	*first = false;
}

static void info_number(struct cmd_ctx *ctx, bool *first, const char *key,
			const char *label, uint64_t v)
{
	g_autofree char *s = g_strdup_printf("%" PRIu64, v);

	if (ctx->json) {
		g_string_append(ctx->out, *first ? "{\n  " : ",\n  ");
		json_escape(ctx->out, key);
		g_string_append_printf(ctx->out, ": %s", s);
	} else {
		cli_pad(ctx->out, label, 14);
		g_string_append_printf(ctx->out, " %s\n", s);
	}
	*first = false;
}

/* The boot order: labels joined by commas, or a JSON array of libvirt's
 * device names.  Nothing (an empty array) when the VM has none. */
static void info_boot(struct cmd_ctx *ctx, bool *first, const struct vm_boot *boot)
{
	g_autoptr(GString) line = g_string_new(NULL);

	if (ctx->json) {
		g_string_append(ctx->out, *first ? "{\n  \"boot\": [" : ",\n  \"boot\": [");
		for (unsigned i = 0; i < boot->n; i++) {
			if (i)
				g_string_append(ctx->out, ", ");
			json_escape(ctx->out, vm_boot_dev_id(boot->dev[i]));
		}
		g_string_append_c(ctx->out, ']');
		*first = false;
		return;
	}
	for (unsigned i = 0; i < boot->n; i++) {
		/* TRANSLATORS: separates the devices of the "Boot order:" line */
		g_string_append(line, i ? _(", ") : "");
		g_string_append(line, vm_boot_dev_label(boot->dev[i]));
	}
	info_field(ctx, first, "boot", _("Boot order:"), boot->n ? line->str : NULL);
}

static int exec_info(struct cmd_ctx *ctx)
{
	int state, reason;
	autoptr(vm_spec) s = vm_describe(ctx->eng, ctx->args[0], &state, &reason);
	bool first = true;
	g_autofree char *vnc = NULL;

	if (!s)
		return -1;
	info_field(ctx, &first, "name", _("Name:"), s->name);
	info_field(ctx, &first, "uuid", _("UUID:"), s->uuid);
	info_field(ctx, &first, "state", _("State:"), ctx->json ?
		   vm_state_id(state) : vm_state_label(state));
	info_field(ctx, &first, "description", _("Description:"), s->description);
	info_field(ctx, &first, "os", _("OS:"), s->os_variant);
	info_field(ctx, &first, "type", _("Accelerator:"),
		   s->domain_type && strcmp(s->domain_type, "kvm") == 0 ? "kvm" :
		   s->domain_type && strcmp(s->domain_type, "qemu") == 0 ? "tcg" :
		   s->domain_type);
	info_number(ctx, &first, "vcpus", _("vCPUs:"), s->vcpus);
	info_number(ctx, &first, "memory_mib", _("Memory (MiB):"), s->memory_mib);
	info_field(ctx, &first, "firmware", _("Firmware:"),
		   s->firmware == FIRMWARE_UEFI ? "uefi" : "bios");
	info_boot(ctx, &first, &s->boot);
	info_field(ctx, &first, "kernel", _("Kernel:"), s->kernel);
	info_field(ctx, &first, "initrd", _("Initrd:"), s->initrd);
	info_field(ctx, &first, "cmdline", _("Command line:"), s->cmdline);
	info_field(ctx, &first, "nic_model", _("Network:"), s->nic_model);
	info_field(ctx, &first, "mac", _("MAC:"), s->mac);
	if (s->vnc_port > 0)
		vnc = g_strdup_printf("127.0.0.1:%d", s->vnc_port);
	info_field(ctx, &first, "vnc", _("VNC:"), vnc);
	info_field(ctx, &first, "serial_log", _("Serial log:"), s->serial_log);
	if (ctx->json) {
		g_string_append(ctx->out, ",\n  \"disks\": [");
		for (guint i = 0; i < s->disks->len; i++) {
			struct vm_disk *d = g_ptr_array_index(s->disks, i);

			g_string_append(ctx->out, i ? ", {\"path\": " : "{\"path\": ");
			json_escape(ctx->out, d->path);
			g_string_append(ctx->out, ", \"format\": ");
			json_escape(ctx->out, d->format);
			g_string_append_printf(ctx->out,
					       ", \"cdrom\": %s, \"owned\": %s}",
					       d->cdrom ? "true" : "false",
					       d->owned ? "true" : "false");
		}
		g_string_append(ctx->out, "]\n}\n");
		return 0;
	}
	for (guint i = 0; i < s->disks->len; i++) {
		struct vm_disk *d = g_ptr_array_index(s->disks, i);
		g_autofree char *line = g_strdup_printf("%s (%s%s)",
			d->path ? d->path : _("(empty)"), d->format ? d->format : "?",
			d->cdrom ? ", cdrom" : "");

		cli_pad(ctx->out, i ? "" : _("Disks:"), 14);
		g_string_append_printf(ctx->out, " %s\n", line);
	}
	return 0;
}

/* ---- create ------------------------------------------------------------- */

int opt_size_mib(struct cmd_ctx *ctx, const char *name, uint64_t *mib)
{
	const char *v = cmd_opt_str(ctx, name);
	uint64_t bytes;

	if (!v)
		return 0;
	bytes = core_parse_size(v, 'M');
	if (!bytes)
		return -1;
	*mib = bytes / MIB;
	return 0;
}

static int exec_create(struct cmd_ctx *ctx)
{
	autoptr(vm_spec) spec = vm_spec_new();
	struct os_defaults def = { 0 };
	const char *v;
	uint64_t disk_bytes;
	bool start = cmd_opt_flag(ctx, "start");
	int rc = -1;

	spec->name = g_strdup(ctx->args[0]);
	if (!core_name_valid(spec->name))
		return -1;
	if (os_defaults_get(cmd_opt_str(ctx, "os"), &def) < 0)
		return -1;
	spec->os_variant = g_strdup(cmd_opt_str(ctx, "os"));
	spec->vcpus = def.vcpus;
	spec->memory_mib = def.memory_mib;
	disk_bytes = def.disk_bytes;
	spec->disk_bus = g_strdup(def.disk_bus);
	spec->nic_model = cmd_opt_flag(ctx, "no-network") ? NULL : g_strdup(def.nic_model);
	spec->graphics = !cmd_opt_flag(ctx, "no-graphics");
	os_defaults_fini(&def);

	spec->vcpus = (unsigned)cmd_opt_number(ctx, "vcpus", spec->vcpus);
	if (opt_size_mib(ctx, "memory", &spec->memory_mib) < 0)
		goto out;
	if ((v = cmd_opt_str(ctx, "firmware"))) {
		if (strcmp(v, "uefi") == 0)
			spec->firmware = FIRMWARE_UEFI;
		else if (strcmp(v, "bios") != 0) {
			core_error(CORE_ERR_USAGE, _("--firmware must be bios or uefi, not \"%s\"."), v);
			goto out;
		}
	}
	if ((v = cmd_opt_str(ctx, "description")))
		spec->description = g_strdup(v);
	if ((v = cmd_opt_str(ctx, "boot")) && !core_parse_boot(v, &spec->boot))
		goto out;
	spec->kernel = g_strdup(cmd_opt_str(ctx, "kernel"));
	spec->initrd = g_strdup(cmd_opt_str(ctx, "initrd"));
	spec->cmdline = g_strdup(cmd_opt_str(ctx, "cmdline"));
	if (spec->cmdline && !spec->kernel) {
		core_error(CORE_ERR_USAGE, _("--cmdline needs --kernel."));
		goto out;
	}
	if ((v = cmd_opt_str(ctx, "disk"))) {
		if (cmd_opt_str(ctx, "disk-size")) {
			core_error(CORE_ERR_USAGE, _("Give either --disk or --disk-size, not both."));
			goto out;
		}
		/* vm_create checks it as every image from elsewhere */
		vm_spec_add_disk(spec, v, cmd_opt_str(ctx, "disk-format"), false);
	} else if (!cmd_opt_flag(ctx, "no-disk")) {
		struct vm_disk *d;

		if ((v = cmd_opt_str(ctx, "disk-size"))) {
			disk_bytes = core_parse_size(v, 'G');
			if (!disk_bytes)
				goto out;
			if (disk_bytes < MIB) {
				core_error(CORE_ERR_USAGE, _("A disk must be at least 1 MiB."));
				goto out;
			}
		}
		d = vm_spec_add_disk(spec, NULL, "qcow2", false);
		d->owned = true;
		d->capacity = disk_bytes;
	}
	if ((v = cmd_opt_str(ctx, "iso")))
		vm_spec_add_disk(spec, v, "raw", true);

	if (vm_create(ctx->eng, spec, ctx->job) < 0)
		goto out;
	g_string_append_printf(ctx->out, _("Created VM \"%s\"."), spec->name);
	g_string_append_c(ctx->out, '\n');
	if (start) {
		if (vm_start(ctx->eng, spec->name) < 0)
			goto out;
		g_string_append_printf(ctx->out, _("Started VM \"%s\"."), spec->name);
		g_string_append_c(ctx->out, '\n');
	}
	rc = 0;
out:
	return rc;
}

/* ---- power and lifecycle ----------------------------------------------- */

/* Prints "<verb> VM "x"." after a successful simple operation. */
static int done(struct cmd_ctx *ctx, int rc, const char *fmt)
{
	if (rc == 0) {
		g_string_append_printf(ctx->out, fmt, ctx->args[0]);
		g_string_append_c(ctx->out, '\n');
	}
	return rc;
}

static int exec_start(struct cmd_ctx *ctx)
{
	return done(ctx, vm_start(ctx->eng, ctx->args[0]), _("Started VM \"%s\"."));
}

static int exec_shutdown(struct cmd_ctx *ctx)
{
	int timeout = (int)cmd_opt_number(ctx, "timeout", ctx->cfg->shutdown_timeout);

	return done(ctx, vm_shutdown(ctx->eng, ctx->args[0], timeout, ctx->job),
		    _("VM \"%s\" has powered off."));
}

static int exec_destroy(struct cmd_ctx *ctx)
{
	return done(ctx, vm_destroy(ctx->eng, ctx->args[0]), _("Forced VM \"%s\" off."));
}

static int exec_reboot(struct cmd_ctx *ctx)
{
	return done(ctx, vm_reboot(ctx->eng, ctx->args[0]),
		    _("Asked VM \"%s\" to reboot."));
}

static int exec_reset(struct cmd_ctx *ctx)
{
	return done(ctx, vm_reset(ctx->eng, ctx->args[0]), _("Reset VM \"%s\"."));
}

static int exec_suspend(struct cmd_ctx *ctx)
{
	return done(ctx, vm_suspend(ctx->eng, ctx->args[0]), _("Paused VM \"%s\"."));
}

static int exec_resume(struct cmd_ctx *ctx)
{
	return done(ctx, vm_resume(ctx->eng, ctx->args[0]), _("Resumed VM \"%s\"."));
}

static int exec_delete(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;
	int rc = vm_delete(ctx->eng, ctx->args[0], cmd_opt_flag(ctx, "remove-disks"),
			   cmd_opt_flag(ctx, "force"), &report);

	if (report)
		g_string_append(ctx->out, report);
	return rc;
}

static int exec_rename(struct cmd_ctx *ctx)
{
	if (vm_rename(ctx->eng, ctx->args[0], ctx->args[1]) < 0)
		return -1;
	g_string_append_printf(ctx->out, _("Renamed VM \"%s\" to \"%s\"."),
			       ctx->args[0], ctx->args[1]);
	g_string_append_c(ctx->out, '\n');
	return 0;
}

static int exec_set(struct cmd_ctx *ctx)
{
	const char *boot_text = cmd_opt_str(ctx, "boot");
	struct vm_boot boot;
	unsigned vcpus = (unsigned)cmd_opt_number(ctx, "vcpus", 0);
	uint64_t mem = 0;
	bool restart;

	if (opt_size_mib(ctx, "memory", &mem) < 0)
		return -1;
	if (!vcpus && cmd_opt_str(ctx, "memory") && !mem) {
		core_error(CORE_ERR_USAGE, _("A VM needs at least 16 MiB of memory."));
		return -1;
	}
	if (boot_text && !core_parse_boot(boot_text, &boot))
		return -1;
	if (vm_set(ctx->eng, ctx->args[0], vcpus, mem,
		   cmd_opt_str(ctx, "description"), boot_text ? &boot : NULL,
		   &restart) < 0)
		return -1;
	g_string_append_printf(ctx->out, restart ?
			       _("Changed VM \"%s\"; the change takes effect at its next start.") :
			       _("Changed VM \"%s\"."), ctx->args[0]);
	g_string_append_c(ctx->out, '\n');
	return 0;
}

static int exec_dumpxml(struct cmd_ctx *ctx)
{
	g_autofree char *xml = vm_dumpxml(ctx->eng, ctx->args[0],
					  cmd_opt_flag(ctx, "inactive"));

	if (!xml)
		return -1;
	g_string_append(ctx->out, xml);
	return 0;
}

/* ---- console ------------------------------------------------------------ */

static int exec_console(struct cmd_ctx *ctx)
{
	struct console_opts o;

	console_opts_init(&o, ctx->cfg);
	o.force = cmd_opt_flag(ctx, "force");
	return console_run(ctx->eng, ctx->args[0], CONSOLE_SERIAL, &o);
}

static int exec_vnc(struct cmd_ctx *ctx)
{
	struct console_opts o;
	const char *mode = cmd_opt_str(ctx, "mode");

	console_opts_init(&o, ctx->cfg);
	if (mode) {
		if (graphics_mode_parse(mode) < 0) {
			core_error(CORE_ERR_USAGE, _("--mode \"%s\" must be auto, kitty, sixel, truecolor, 256 or 16"),
				   mode);
			return -1;
		}
		o.graphics = mode;
	}
	return console_run(ctx->eng, ctx->args[0], CONSOLE_GRAPHICAL, &o);
}

/* ---- the image store ------------------------------------------------------ */

/* "4.0 MiB": GLib's size with a plain space (it puts a no-break space
 * between number and unit, which scripts reading us do not expect). */
static char *size_short(uint64_t bytes)
{
	char *s = g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
	char *nbsp = strstr(s, "\u00a0");

	if (nbsp) {
		nbsp[0] = ' ';
		memmove(nbsp + 1, nbsp + 2, strlen(nbsp + 2) + 1);
	}
	return s;
}

/* "4.0 MiB (4194304 bytes)" */
static char *size_text(uint64_t bytes)
{
	g_autofree char *h = size_short(bytes);

	return g_strdup_printf(_("%s (%" PRIu64 " bytes)"), h, bytes);
}

static int exec_image_import(struct cmd_ctx *ctx)
{
	struct image_import_opts o = {
		.name = cmd_opt_str(ctx, "name"),
		.format = cmd_opt_str(ctx, "format"),
		.convert = cmd_opt_str(ctx, "convert"),
		.sha256 = cmd_opt_str(ctx, "sha256"),
		.sums = cmd_opt_str(ctx, "sums"),
		.backing = cmd_opt_str(ctx, "backing"),
	};
	autoptr(image_entry) e = image_import(ctx->args[0], &o, ctx->job);
	g_autofree char *vsize = NULL;

	if (!e)
		return -1;
	vsize = size_text(e->virtual_size);
	g_string_append_printf(ctx->out, _("Imported image \"%s\" (%s, %s)."), e->name,
			       e->format, vsize);
	g_string_append_c(ctx->out, '\n');
	return 0;
}

static int exec_image_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) list = image_list();
	int name_w = cli_width(_("NAME"));

	if (!list)
		return -1;
	if (ctx->json) {
		g_string_append_c(ctx->out, '[');
		for (guint i = 0; i < list->len; i++) {
			struct image_entry *e = g_ptr_array_index(list, i);

			g_string_append(ctx->out, i ? ",\n {\"name\": " : "\n {\"name\": ");
			json_escape(ctx->out, e->name);
			g_string_append(ctx->out, ", \"format\": ");
			json_escape(ctx->out, e->format);
			g_string_append(ctx->out, ", \"path\": ");
			json_escape(ctx->out, e->path);
			g_string_append_printf(ctx->out, ", \"virtual_size\": %" PRIu64
					       ", \"actual_size\": %" PRIu64 ", \"source\": ",
					       e->virtual_size, e->actual_size);
			json_escape(ctx->out, e->source);
			g_string_append(ctx->out, ", \"sha256\": ");
			json_escape(ctx->out, e->sha256);
			g_string_append(ctx->out, ", \"backing\": ");
			if (e->backing)
				json_escape(ctx->out, e->backing);
			else
				g_string_append(ctx->out, "null");
			g_string_append_printf(ctx->out, ", \"imported\": %" G_GINT64_FORMAT "}",
					       e->imported);
		}
		g_string_append(ctx->out, list->len ? "\n]\n" : "]\n");
		return 0;
	}
	if (!list->len) {
		g_string_append_printf(ctx->out, "%s\n",
				       _("No images yet: add one with `vmtui image import PATH-or-URL`."));
		return 0;
	}
	for (guint i = 0; i < list->len; i++)
		name_w = MAX(name_w, cli_width(((struct image_entry *)list->pdata[i])->name));
	/* TRANSLATORS: column headings of `vmtui image list` */
	cli_pad(ctx->out, _("NAME"), name_w + 2);
	cli_pad(ctx->out, _("FORMAT"), 8);
	cli_pad(ctx->out, _("VIRTUAL"), 12);
	g_string_append_printf(ctx->out, "%s\n", _("ON DISK"));
	for (guint i = 0; i < list->len; i++) {
		struct image_entry *e = g_ptr_array_index(list, i);
		g_autofree char *v = size_short(e->virtual_size);
		g_autofree char *a = size_short(e->actual_size);

		cli_pad(ctx->out, e->name, name_w + 2);
		cli_pad(ctx->out, e->format, 8);
		cli_pad(ctx->out, v, 12);
		g_string_append_printf(ctx->out, "%s\n", a);
	}
	return 0;
}

/* The backing chain of the store image @e: its name, then what it builds
 * on, each through the store's own records (never by opening a file an
 * image names). */
static char *store_chain(const struct image_entry *e)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *next = g_strdup(e->backing);

	for (int depth = 0; next && depth < 16; depth++) {
		autoptr(image_entry) b = image_lookup(next);

		g_string_append_printf(s, "%s%s", s->len ? " -> " : "", next);
		g_free(next);
		next = b && b->backing ? g_strdup(b->backing) : NULL;
	}
	return s->len ? g_string_free(g_steal_pointer(&s), FALSE) : NULL;
}

static int exec_image_info(struct cmd_ctx *ctx)
{
	const char *arg = ctx->args[0];
	autoptr(image_entry) e = NULL;
	autoptr(image_info) info = NULL;
	g_autofree char *chain = NULL, *vsize = NULL, *asize = NULL, *when = NULL;
	g_autofree char *deps = NULL;
	bool first = true;

	/* a name in the store, else a file */
	if (!strchr(arg, '/') && (e = image_lookup(arg))) {
		info = image_inspect(e->path, e->format);
		if (!info)
			return -1;
		chain = store_chain(e);
		if (e->dependants && e->dependants[0])
			deps = g_strjoinv(", ", e->dependants);
	} else if (!strchr(arg, '/') && core_error_code() != CORE_ERR_NOT_FOUND &&
		   access(arg, F_OK) < 0) {
		return -1; /* not a valid name and no such file */
	} else if (access(arg, F_OK) < 0) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no image named \"%s\" in the store, and no such file."),
			   arg);
		return -1;
	} else {
		g_autofree char *abs = g_canonicalize_filename(arg, NULL);

		/* a foreign file: told, not trusted; its backing file is
		 * shown as written and never opened */
		info = image_inspect(abs, NULL);
		if (!info)
			return -1;
		if (info->backing)
			chain = g_strdup_printf(_("%s (format %s; not opened)"), info->backing,
						info->backing_format ? info->backing_format :
						_("not recorded"));
	}
	if (ctx->json) {
		info_field(ctx, &first, "name", NULL, e ? e->name : NULL);
		info_field(ctx, &first, "path", NULL, info->path);
		info_field(ctx, &first, "format", NULL, info->format);
		info_field(ctx, &first, "subformat", NULL, info->subformat);
		info_number(ctx, &first, "virtual_size", NULL, info->virtual_size);
		info_number(ctx, &first, "actual_size", NULL, info->actual_size);
		info_field(ctx, &first, "backing", NULL, e ? e->backing : info->backing);
		info_field(ctx, &first, "backing_format", NULL, info->backing_format);
		info_field(ctx, &first, "data_file", NULL, info->data_file);
		g_string_append_printf(ctx->out, ",\n  \"encrypted\": %s",
				       info->encrypted ? "true" : "false");
		info_field(ctx, &first, "source", NULL, e ? e->source : NULL);
		info_field(ctx, &first, "sha256", NULL, e ? e->sha256 : NULL);
		if (e)
			info_number(ctx, &first, "imported", NULL, (uint64_t)e->imported);
		g_string_append(ctx->out, ",\n  \"dependants\": [");
		for (char **d = e ? e->dependants : NULL; d && *d; d++) {
			if (d != e->dependants)
				g_string_append(ctx->out, ", ");
			json_escape(ctx->out, *d);
		}
		g_string_append(ctx->out, "]\n}\n");
		return 0;
	}
	vsize = size_text(info->virtual_size);
	asize = size_text(info->actual_size);
	if (e) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(e->imported);

		when = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S") : NULL;
	}
	info_field(ctx, &first, "name", _("Name:"), e ? e->name : NULL);
	info_field(ctx, &first, "path", _("File:"), info->path);
	info_field(ctx, &first, "format", _("Format:"), info->format);
	info_field(ctx, &first, "subformat", _("Subformat:"), info->subformat);
	info_field(ctx, &first, "virtual_size", _("Virtual size:"), vsize);
	info_field(ctx, &first, "actual_size", _("On disk:"), asize);
	info_field(ctx, &first, "backing", _("Backing chain:"), chain ? chain : _("none"));
	info_field(ctx, &first, "data_file", _("Data file:"), info->data_file);
	if (info->encrypted)
		info_field(ctx, &first, "encrypted", _("Encrypted:"), _("yes"));
	info_field(ctx, &first, "source", _("Source:"), e ? e->source : NULL);
	info_field(ctx, &first, "sha256", _("SHA-256:"), e ? e->sha256 : NULL);
	info_field(ctx, &first, "imported", _("Imported:"), when);
	info_field(ctx, &first, "dependants", _("Used by:"), deps);
	return 0;
}

static int exec_image_delete(struct cmd_ctx *ctx)
{
	if (image_delete(ctx->eng, ctx->args[0]) < 0)
		return -1;
	g_string_append_printf(ctx->out, _("Deleted image \"%s\"."), ctx->args[0]);
	g_string_append_c(ctx->out, '\n');
	return 0;
}

/* ---- events ------------------------------------------------------------ */

struct event_msg {
	char uuid[VIR_UUID_STRING_BUFLEN];
	int event, detail;
};

/* Event-loop thread: queue the event for the command's worker. */
static void queue_event(const char *uuid, int event, int detail, void *opaque)
{
	struct event_msg *m = g_new0(struct event_msg, 1);

	g_strlcpy(m->uuid, uuid, sizeof m->uuid);
	m->event = event;
	m->detail = detail;
	g_async_queue_push(opaque, m);
}

static int exec_events(struct cmd_ctx *ctx)
{
	GAsyncQueue *q = g_async_queue_new_full(g_free);
	long long t = cmd_opt_number(ctx, "timeout", 0);
	gint64 end = t ? g_get_monotonic_time() + t * G_USEC_PER_SEC : 0;

	engine_set_event_cb(ctx->eng, queue_event, q);
	ctx->emit(ctx, _("Watching VM events; Ctrl-C stops."));
	while (!job_cancelled(ctx->job) && (!end || g_get_monotonic_time() < end)) {
		struct event_msg *m = g_async_queue_timeout_pop(q, 200 * 1000);
		g_autoptr(GDateTime) now = NULL;
		g_autofree char *stamp = NULL, *line = NULL, *name = NULL;

		if (!m)
			continue;
		name = vm_name_by_uuid(ctx->eng, m->uuid);
		now = g_date_time_new_now_local();
		stamp = g_date_time_format(now, "%H:%M:%S");
		line = g_strdup_printf("%s %s %s", stamp, name ? name : m->uuid,
				       vm_event_id(m->event, m->detail));
		ctx->emit(ctx, line);
		g_free(m);
	}
	engine_set_event_cb(ctx->eng, NULL, NULL);
	g_async_queue_unref(q);
	return 0;
}

/* ---- host ---------------------------------------------------------------- */

static int exec_doctor(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) checks = doctor_run(ctx->cfg);
	int fails = 0;

	if (ctx->json)
		g_string_append_c(ctx->out, '[');
	for (guint i = 0; i < checks->len; i++) {
		struct check *c = g_ptr_array_index(checks, i);
		static const char *const tag[] = { "ok", "warn", "fail" };

		fails += c->status == CHECK_FAIL;
		if (ctx->json) {
			g_string_append(ctx->out, i ? ",\n {\"check\": " : "\n {\"check\": ");
			json_escape(ctx->out, c->title);
			g_string_append_printf(ctx->out, ", \"status\": \"%s\", \"detail\": ",
					       tag[c->status]);
			json_escape(ctx->out, c->detail);
			g_string_append_c(ctx->out, '}');
			continue;
		}
		/* TRANSLATORS: status tags of `vmtui doctor`, keep them short */
		cli_pad(ctx->out, c->status == CHECK_OK ? _("[ok]") :
			c->status == CHECK_WARN ? _("[warn]") : _("[FAIL]"), 7);
		cli_pad(ctx->out, c->title, 15);
		g_string_append_printf(ctx->out, " %s\n", c->detail);
	}
	if (ctx->json)
		g_string_append(ctx->out, "\n]\n");
	if (fails) {
		core_error(CORE_ERR_FAILED, P_("%d check failed.", "%d checks failed.",
					       fails), fails);
		return -1;
	}
	return 0;
}

static int exec_os_list(struct cmd_ctx *ctx)
{
	g_autofree char *search = ctx->nargs ? g_utf8_casefold(ctx->args[0], -1) : NULL;
	g_autoptr(GPtrArray) list = os_list(search);

	for (guint i = 0; i < list->len; i++) {
		g_auto(GStrv) f = g_strsplit(list->pdata[i], "\t", 2);

		cli_pad(ctx->out, f[0], 20);
		g_string_append_printf(ctx->out, " %s\n", f[1] ? f[1] : "");
	}
	if (!list->len) {
		core_error(CORE_ERR_NOT_FOUND, _("No OS variant matches."));
		return -1;
	}
	return 0;
}

/* ---- OVA ------------------------------------------------------------------ */

static int exec_ova_import(struct cmd_ctx *ctx)
{
	g_autofree char *made = NULL;

	if (ova_import(ctx->eng, ctx->args[0], cmd_opt_str(ctx, "name"), ctx->job, &made) < 0)
		return -1;
	g_string_append_printf(ctx->out, _("Imported VM \"%s\" from %s."), made, ctx->args[0]);
	g_string_append_c(ctx->out, '\n');
	return 0;
}

static int exec_ova_export(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;
	bool force = cmd_opt_flag(ctx, "force");

	if (cmd_opt_flag(ctx, "template")) {
		if (template_export_ova(ctx->args[0], ctx->args[1], force, ctx->job, &report) < 0)
			return -1;
		g_string_append_printf(ctx->out, _("Exported template \"%s\" to %s."), ctx->args[0],
				       ctx->args[1]);
	} else {
		if (ova_export(ctx->eng, ctx->args[0], ctx->args[1], force, ctx->job) < 0)
			return -1;
		g_string_append_printf(ctx->out, _("Exported VM \"%s\" to %s."), ctx->args[0],
				       ctx->args[1]);
	}
	g_string_append_c(ctx->out, '\n');
	if (report)
		g_string_append(ctx->out, report);
	return 0;
}

static int exec_help(struct cmd_ctx *ctx)
{
	g_autofree char *name = ctx->nargs ? g_strjoinv(" ", ctx->args) : NULL;
	const struct command *c = name ? command_find(name) : NULL;

	if (name && !c) {
		/* a group of commands ("image"): their help in turn */
		size_t len = strlen(name);

		for (const struct command *k = commands; k->name; k++) {
			if (strncmp(k->name, name, len) == 0 && k->name[len] == ' ') {
				if (c)
					g_string_append_c(ctx->out, '\n');
				command_help(k, ctx->out);
				c = k;
			}
		}
		if (c)
			return 0;
		core_error(CORE_ERR_USAGE, _("Unknown command \"%s\"."), name);
		return -1;
	}
	command_help(c, ctx->out);
	return 0;
}

static int exec_version(struct cmd_ctx *ctx)
{
	unsigned long lv = engine_libvirt_version();
	g_string_append_printf(ctx->out, "vmtui %s (libvirt %lu.%lu.%lu)\n",
			       PACKAGE_VERSION, lv / 1000000, lv / 1000 % 1000,
			       lv % 1000);
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

static const struct cmd_opt create_opts[] = {
	{ "os", OPT_STRING, "VARIANT", N_("OS variant (libosinfo short id, e.g. debian11) for defaults") },
	{ "vcpus", OPT_NUMBER, "N", N_("number of virtual CPUs"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory, e.g. 2G or 512M (default unit MiB)") },
	{ "disk-size", OPT_SIZE, "SIZE", N_("size of a new qcow2 disk, e.g. 20G (default unit GiB)") },
	{ "disk", OPT_PATH, "PATH", N_("use an existing disk image instead of a new disk") },
	{ "disk-format", OPT_STRING, "FMT", N_("format of --disk (default: told from its first bytes)") },
	{ "no-disk", OPT_FLAG, NULL, N_("create the VM without a disk") },
	{ "iso", OPT_PATH, "PATH", N_("attach an ISO image as CD-ROM and boot from it") },
	{ "kernel", OPT_PATH, "PATH", N_("boot this kernel directly") },
	{ "initrd", OPT_PATH, "PATH", N_("initrd for --kernel") },
	{ "cmdline", OPT_STRING, "TEXT", N_("kernel command line for --kernel") },
	{ "firmware", OPT_STRING, "bios|uefi", N_("firmware (default bios)") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description") },
	{ "boot", OPT_STRING, "LIST", N_("boot order, e.g. cdrom,hd (devices: hd, cdrom, network)") },
	{ "no-network", OPT_FLAG, NULL, N_("no network interface (default: one NAT interface)") },
	{ "no-graphics", OPT_FLAG, NULL, N_("no VNC display (default: VNC on 127.0.0.1)") },
	{ "start", OPT_FLAG, NULL, N_("start the VM once created") },
	{ 0 }
};

static const struct cmd_opt shutdown_opts[] = {
	{ "timeout", OPT_NUMBER, "SECONDS", N_("how long to wait for the guest to power off (default 60)"),
	  1, CORE_TIMEOUT_MAX },
	{ 0 }
};

static const struct cmd_opt events_opts[] = {
	{ "timeout", OPT_NUMBER, "SECONDS", N_("stop after this many seconds (default: run until Ctrl-C)"),
	  1, 7 * 24 * 3600 },
	{ 0 }
};

static const struct cmd_opt delete_opts[] = {
	{ "remove-disks", OPT_FLAG, NULL, N_("also remove the disks vmtui created for it") },
	{ "force", OPT_FLAG, NULL, N_("force a running VM off first") },
	{ 0 }
};

static const struct cmd_opt set_opts[] = {
	{ "vcpus", OPT_NUMBER, "N", N_("number of virtual CPUs"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory, e.g. 2G or 512M") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description (\"\" removes it)") },
	{ "boot", OPT_STRING, "LIST", N_("boot order from the next start, e.g. cdrom,hd (hd, cdrom, network)") },
	{ 0 }
};

static const struct cmd_opt console_opts[] = {
	{ "force", OPT_FLAG, NULL, N_("take the console over from another client") },
	{ 0 }
};

static const struct cmd_opt vnc_opts[] = {
	{ "mode", OPT_STRING, "MODE", N_("output: auto, kitty, sixel, truecolor, 256 or 16 (default: [console] graphics, else what the terminal can)") },
	{ 0 }
};

static const struct cmd_opt dumpxml_opts[] = {
	{ "inactive", OPT_FLAG, NULL, N_("show the definition used at the next start") },
	{ 0 }
};

static const struct cmd_opt image_import_opts[] = {
	{ "name", OPT_STRING, "NAME", N_("name in the store (default: the file name without its suffixes)") },
	{ "format", OPT_STRING, "FMT", N_("qcow2, raw, vmdk, vdi or vhdx (default: told from the image's first bytes)") },
	{ "convert", OPT_STRING, "qcow2", N_("convert the image to qcow2 with qemu-img") },
	{ "sha256", OPT_STRING, "HEX", N_("refuse the source unless its SHA-256 is HEX") },
	{ "sums", OPT_STRING, "SUMS", N_("a SHA256SUMS file (path or URL) with the source's SHA-256") },
	{ "backing", OPT_STRING, "NAME", N_("the source is a qcow2 overlay of the store's image NAME") },
	{ 0 }
};

static const struct cmd_opt ova_import_opts[] = {
	{ "name", OPT_STRING, "NAME", N_("name of the new VM (default: the name in the OVF)") },
	{ 0 }
};

static const struct cmd_opt ova_export_opts[] = {
	{ "template", OPT_FLAG, NULL, N_("NAME is a template: its hardware and base (an OVF cannot carry a kernel booted directly: then only the disk and hardware, with a warning)") },
	{ "force", OPT_FLAG, NULL, N_("replace FILE.ova when it is a regular file that exists (anything else there is never replaced)") },
	{ 0 }
};

static const struct cmd_opt template_create_opts[] = {
	{ "from-vm", OPT_STRING, "VM", N_("copy the disk of this shut-off VM") },
	{ "from-image", OPT_STRING, "IMAGE", N_("copy this image of the store, or this disk image file (checked first)") },
	{ "from-ova", OPT_PATH, "FILE.ova", N_("copy the one disk of this OVA (checked as ova import does) with its hardware") },
	{ "description", OPT_STRING, "TEXT", N_("free-text description") },
	{ 0 }
};

static const struct cmd_opt template_edit_opts[] = {
	{ "description", OPT_STRING, "TEXT", N_("free-text description (\"\" removes it)") },
	{ "vcpus", OPT_NUMBER, "N", N_("vCPUs of new VMs"), 1, VM_MAX_VCPUS },
	{ "memory", OPT_SIZE, "SIZE", N_("memory of new VMs, e.g. 1G") },
	{ "os", OPT_STRING, "VARIANT", N_("OS variant (libosinfo short id)") },
	{ "kernel", OPT_PATH, "FILE", N_("kernel new VMs boot directly (copied into the template)") },
	{ "initrd", OPT_PATH, "FILE", N_("initrd for that kernel (copied into the template)") },
	{ "cmdline", OPT_STRING, "TEXT", N_("kernel command line (templates that boot a kernel directly)") },
	{ "user", OPT_STRING, "USER", N_("default cloud-init user (\"\" removes it)") },
	{ "ssh-key", OPT_PATH, "FILE", N_("default SSH public keys, one per line") },
	{ "packages", OPT_STRING, "LIST", N_("default packages, comma-separated") },
	{ "sudo", OPT_STRING, "yes|no", N_("whether that user gets administrator rights (sudo) by default (default no)") },
	{ 0 }
};

static const struct cmd_opt provision_opts[] = {
	{ "count", OPT_NUMBER, "N", N_("make N VMs; NAME is a pattern such as 'lab-{01..20}'"),
	  1, LAB_MAX_VMS },
	{ "full", OPT_FLAG, NULL, N_("full copies of the base instead of linked clones") },
	{ "hostname", OPT_STRING, "HOST", N_("host name of a single VM (default: its VM name)") },
	{ "user", OPT_STRING, "USER", N_("user cloud-init creates (default: the template's)") },
	{ "password-hash", OPT_STRING, "HASH", N_("crypt(3) password hash for that user") },
	{ "ssh-key", OPT_PATH, "FILE", N_("SSH public keys for that user, one per line") },
	{ "packages", OPT_STRING, "LIST", N_("packages to install, comma-separated") },
	{ "user-data", OPT_PATH, "FILE", N_("your own #cloud-config (at most 1 MiB), merged in") },
	{ "sudo", OPT_FLAG, NULL, N_("give that user administrator rights (sudo without a password)") },
	{ "no-sudo", OPT_FLAG, NULL, N_("no administrator rights, even when the template gives them") },
	{ "start", OPT_FLAG, NULL, N_("start the VMs once made") },
	{ 0 }
};

static const struct cmd_opt lab_delete_opts[] = {
	{ "yes", OPT_FLAG, NULL, N_("delete without asking (the command line only lists them without it)") },
	{ 0 }
};

const struct command commands[] = {
	{ "list", "", N_("List VMs with their state, vCPUs and memory"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_list },
	{ "info", "NAME", N_("Show a VM's settings and state"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_info },
	{ "create", "NAME [OPTIONS]", N_("Create a VM"),
	  CMD_ENGINE, 1, 1, create_opts, exec_create },
	{ "start", "NAME", N_("Start a VM"), CMD_ENGINE, 1, 1, NULL, exec_start },
	{ "shutdown", "NAME [--timeout SECONDS]", N_("Ask a VM to power off (ACPI) and wait for it"),
	  CMD_ENGINE | CMD_LONG, 1, 1, shutdown_opts, exec_shutdown, "destroy" },
	{ "destroy", "NAME", N_("Force a VM off at once, like pulling the plug"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_LONG, 1, 1, NULL, exec_destroy },
	{ "reboot", "NAME", N_("Ask a VM to reboot"), CMD_ENGINE, 1, 1, NULL, exec_reboot },
	{ "reset", "NAME", N_("Reset a VM at once, like the reset button"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, NULL, exec_reset },
	{ "suspend", "NAME", N_("Pause a running VM"), CMD_ENGINE, 1, 1, NULL, exec_suspend },
	{ "resume", "NAME", N_("Resume a paused VM"), CMD_ENGINE, 1, 1, NULL, exec_resume },
	{ "delete", "NAME [--remove-disks] [--force]", N_("Delete a VM"),
	  CMD_ENGINE | CMD_DESTRUCTIVE, 1, 1, delete_opts, exec_delete },
	{ "rename", "NAME NEW-NAME", N_("Rename a shut-off VM"), CMD_ENGINE, 2, 2, NULL, exec_rename },
	{ "set", "NAME [--vcpus N] [--memory SIZE] [--description TEXT] [--boot LIST]",
	  N_("Change a VM's vCPUs, memory, description or boot order"),
	  CMD_ENGINE, 1, 1, set_opts, exec_set },
	{ "dumpxml", "NAME [--inactive]", N_("Print a VM's libvirt domain XML"),
	  CMD_ENGINE | CMD_READ_ONLY, 1, 1, dumpxml_opts, exec_dumpxml },
	{ "console", "NAME [--force]", N_("Attach this terminal to a VM's serial console"),
	  CMD_ENGINE | CMD_TERMINAL, 1, 1, console_opts, exec_console },
	{ "vnc", "NAME [--mode MODE]", N_("Show a VM's screen in this terminal, with its keyboard and mouse"),
	  CMD_ENGINE | CMD_TERMINAL, 1, 1, vnc_opts, exec_vnc },
	{ "events", "[--timeout SECONDS]", N_("Print VM lifecycle events as they happen"),
	  CMD_ENGINE | CMD_READ_ONLY | CMD_STREAM, 0, 0, events_opts, exec_events },
	{ "image import", "SOURCE [--name NAME] [--format F] [--convert qcow2] [--sha256 HEX] [--sums SUMS] [--backing NAME]",
	  N_("Add a disk image from a file or an http(s) URL to the image store"),
	  CMD_UNTIMED, 1, 1, image_import_opts, exec_image_import },
	{ "image list", "", N_("List the images in the image store"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_image_list },
	{ "image info", "NAME-or-PATH", N_("Show an image's format, sizes and backing chain"),
	  CMD_READ_ONLY | CMD_JSON, 1, 1, NULL, exec_image_info },
	{ "image delete", "NAME", N_("Delete an image from the image store no VM uses"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_HOST_FILES, 1, 1, NULL, exec_image_delete },
	{ "ova import", "FILE.ova [--name NAME]", N_("Create a VM from an OVA (OVF 1.x or 2.x) made by VirtualBox, VMware or vmtui"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, ova_import_opts, exec_ova_import },
	{ "ova export", "[--template] [--force] NAME FILE.ova", N_("Write a shut-off VM or a template to an OVA other hypervisors can import"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, ova_export_opts, exec_ova_export },
	{ "template create", "NAME --from-vm VM | --from-image IMAGE | --from-ova FILE.ova [--description TEXT]",
	  N_("Make a template (read-only base image + manifest) from a VM, an image or an OVA"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 1, 1, template_create_opts, exec_template_create },
	{ "template list", "", N_("List templates"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_template_list },
	{ "template info", "NAME", N_("Show a template's manifest and the VMs using it"),
	  CMD_ENGINE | CMD_READ_ONLY, 1, 1, NULL, exec_template_info },
	{ "template edit", "NAME [OPTIONS]", N_("Change a template's hardware or cloud-init defaults"),
	  CMD_ENGINE | CMD_HOST_FILES, 1, 1, template_edit_opts, exec_template_edit },
	{ "template delete", "NAME", N_("Delete a template no VM depends on"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_HOST_FILES, 1, 1, NULL, exec_template_delete },
	{ "provision", "TEMPLATE NAME [--count N] [OPTIONS]",
	  N_("Make VMs from a template, each with its own cloud-init seed"),
	  CMD_ENGINE | CMD_UNTIMED | CMD_HOST_FILES, 2, 2, provision_opts, exec_provision },
	{ "lab delete", "PATTERN [--yes]", N_("Delete the VMs matching a pattern, with their disks and seeds"),
	  CMD_ENGINE | CMD_DESTRUCTIVE | CMD_UNTIMED, 1, 1, lab_delete_opts, exec_lab_delete },
	{ "doctor", "", N_("Check this host for running VMs and say what to fix"),
	  CMD_READ_ONLY | CMD_JSON, 0, 0, NULL, exec_doctor },
	{ "os-list", "[SEARCH]", N_("List the OS variants known for --os"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 1, NULL, exec_os_list },
	{ "help", "[COMMAND]", N_("Show help for vmtui or one command"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 2, NULL, exec_help },
	{ "version", "", N_("Show the versions of vmtui and libvirt"),
	  CMD_READ_ONLY | CMD_NO_DATA, 0, 0, NULL, exec_version },
	{ 0 }
};

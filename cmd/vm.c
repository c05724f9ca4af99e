/*
 * vm.c — the exec functions of the VM commands: list, info, create, the
 * power and lifecycle commands, set, dumpxml, the consoles and os-list.
 *
 * Exec functions run on a job worker: they call core, write their output
 * to ctx->out and return 0 or -1 with an error recorded.  They never print
 * directly and never prompt, so the TUI's `:` prompt can run them too.
 * The exception are CMD_TERMINAL commands (the consoles): they run on the
 * calling thread and own the terminal until the user leaves them.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "cmd/cmd-priv.h"
#include "console/console.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/vm.h"
#include "core/model.h"
#include "net/net.h"
#include "storage/storage.h"

/* The "addresses" array of `list --json` and `info --json`. */
static void addrs_json(JsonBuilder *b, const GPtrArray *addrs)
{
	json_builder_set_member_name(b, "addresses");
	json_builder_begin_array(b);
	for (guint i = 0; addrs && i < addrs->len; i++) {
		const struct vm_addr *a = addrs->pdata[i];

		json_builder_begin_object(b);
		cli_json_str(b, "mac", a->mac);
		cli_json_str(b, "address", a->addr);
		cli_json_int(b, "prefix", a->prefix);
		cli_json_str(b, "family", a->ipv6 ? "ipv6" : "ipv4");
		cli_json_str(b, "source", vm_addr_source_id(a->source));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* `list --json`: one VM. */
static void list_json(JsonBuilder *b, const void *item)
{
	const struct vm_row *r = item;

	cli_json_str(b, "name", r->name);
	cli_json_str(b, "uuid", r->uuid);
	cli_json_str(b, "state", r->settling ? "settling" : vm_state_id(r->state));
	cli_json_int(b, "vcpus", r->vcpus);
	cli_json_int(b, "memory_kib", (gint64)r->mem_kib);
	cli_json_int(b, "max_memory_kib", (gint64)r->max_mem_kib);
	cli_json_int(b, "cpu_time_ns", (gint64)r->cpu_ns);
	cli_json_bool(b, "persistent", r->persistent);
	cli_json_bool(b, "autostart", r->autostart);
	/* both known while it runs, where they can be read */
	cli_json_str(b, "ip", r->ip);
	addrs_json(b, r->addrs);
	json_builder_set_member_name(b, "started");
	if (r->started)
		json_builder_add_int_value(b, r->started / G_USEC_PER_SEC);
	else
		json_builder_add_null_value(b);
}

/* `list`: one VM's row. */
static char **list_row(const void *item)
{
	const struct vm_row *r = item;
	g_autofree char *vcpus = g_strdup_printf("%u", r->vcpus);
	g_autofree char *mem = core_format_size_exact(
		(r->state == VIR_DOMAIN_RUNNING && r->mem_kib ? r->mem_kib : r->max_mem_kib) * 1024);
	g_autofree char *ip = vm_state_active(r->state) ? net_addr_short(r->addrs) : NULL;

	return cli_row(5, r->name, r->settling ? _("not responding") : vm_state_label(r->state),
		       vcpus, mem, ip);
}

/* How long `list` and `info` wait, at most, for guest agents to connect. */
#define LIST_AGENT_WAIT_MS 5000

int exec_list(struct cmd_ctx *ctx)
{
	struct model *m = model_new(ctx->eng);
	g_autoptr(GPtrArray) rows = NULL;
	/* TRANSLATORS: column headings of `vmtui list` */
	const struct cli_column cols[] = {
		{ _("NAME"), 0 }, { _("STATE"), 16 }, { _("VCPUS"), 8 }, { _("MEMORY"), 12 },
		{ _("IP ADDRESS"), 0 },
	};
	const struct cli_list l = { cols, G_N_ELEMENTS(cols),
		_("No VMs yet: create one with `vmtui create NAME`."), list_json, list_row };

	/* right after the embedded engine opens, libvirt still reconnects to
	 * running guests: wait (bounded) so no state shown is stale */
	engine_wait_all_settled(ctx->eng, MIN(ctx->cfg->op_timeout * 1000 / 2, 3000));
	/* one look: give agents that connect just now a moment (a new vmtui
	 * on the embedded engine sees them connect only after it opened) */
	model_set_address_wait(m, MIN(ctx->cfg->op_timeout * 1000 / 4, LIST_AGENT_WAIT_MS));
	if (model_refresh(m) < 0) {
		model_free(m);
		return -1;
	}
	rows = model_rows(m);
	model_free(m);
	cli_list(ctx, &l, rows);
	return 0;
}

/* The boot order: labels joined by commas, or a JSON array of libvirt's
 * device names.  Nothing (an empty array) when the VM has none. */
static void info_boot(struct cmd_ctx *ctx, JsonBuilder *b, const struct vm_boot *boot)
{
	g_autoptr(GString) line = g_string_new(NULL);

	if (b) {
		json_builder_set_member_name(b, "boot");
		json_builder_begin_array(b);
		for (unsigned i = 0; i < boot->n; i++)
			json_builder_add_string_value(b, vm_boot_dev_id(boot->dev[i]));
		json_builder_end_array(b);
		return;
	}
	for (unsigned i = 0; i < boot->n; i++) {
		/* TRANSLATORS: separates the devices of the "Boot order:" line */
		g_string_append(line, i ? _(", ") : "");
		g_string_append(line, vm_boot_dev_label(boot->dev[i]));
	}
	info_field(ctx, b, "boot", _("Boot order:"), boot->n ? line->str : NULL);
}

/* The sizes and tuning of `info`: maximums where they differ, the
 * balloon of a running VM, I/O limits, pinning, NUMA and huge pages. */
static void info_tuning(struct cmd_ctx *ctx, JsonBuilder *b, const struct vm_spec *s,
			const struct vm_tuning *t)
{
	g_autoptr(GString) line = g_string_new(NULL);

	if (b) {
		cli_json_int(b, "max_vcpus", s->max_vcpus);
		cli_json_int(b, "max_memory_mib", (gint64)s->max_memory_mib);
	} else {
		if (s->max_vcpus > s->vcpus)
			info_number(ctx, b, "max_vcpus", _("Max vCPUs:"), s->max_vcpus);
		if (s->max_memory_mib > s->memory_mib)
			info_number(ctx, b, "max_memory_mib", _("Max memory:"), s->max_memory_mib);
	}
	if (!t)
		return;
	if (b) {
		json_builder_set_member_name(b, "balloon");
		json_builder_begin_object(b);
		cli_json_int(b, "actual_kib", (gint64)t->balloon_kib);
		cli_json_int(b, "usable_kib", (gint64)t->usable_kib);
		cli_json_int(b, "available_kib", (gint64)t->available_kib);
		cli_json_int(b, "rss_kib", (gint64)t->rss_kib);
		json_builder_end_object(b);
		json_builder_set_member_name(b, "iotune");
		json_builder_begin_array(b);
		for (guint i = 0; i < t->iotune->len; i++) {
			const struct disk_iotune *io = t->iotune->pdata[i];

			json_builder_begin_object(b);
			cli_json_str(b, "target", io->target);
			for (int f = 0; f < IOTUNE_FIELDS; f++)
				cli_json_int(b, iotune_key(f), (gint64)io->value[f]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_set_member_name(b, "vcpupin");
		json_builder_begin_array(b);
		for (guint i = 0; i < t->vcpupin->len; i++) {
			const struct vcpu_pin *p = t->vcpupin->pdata[i];

			json_builder_begin_object(b);
			cli_json_int(b, "vcpu", p->vcpu);
			cli_json_str(b, "cpus", p->cpus);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		cli_json_str(b, "emulatorpin", t->emulatorpin);
		cli_json_str(b, "numa", t->numa);
		cli_json_bool(b, "hugepages", t->hugepages);
		return;
	}
	if (t->balloon_kib) {
		g_autofree char *now = core_format_size(t->balloon_kib * 1024);
		g_autofree char *usable = t->usable_kib ? core_format_size(t->usable_kib * 1024) : NULL;
		g_autofree char *rss = t->rss_kib ? core_format_size(t->rss_kib * 1024) : NULL;

		g_string_assign(line, now);
		if (usable)
			/* TRANSLATORS: the balloon line of info: "256 MiB, 180 MiB of it usable" */
			g_string_append_printf(line, _(", %s of it usable"), usable);
		if (rss)
			g_string_append_printf(line, _("; QEMU holds %s of the host"), rss);
		info_field(ctx, b, "balloon", _("Balloon:"), line->str);
	}
	for (guint i = 0; i < t->iotune->len; i++) {
		g_autofree char *io = iotune_text(t->iotune->pdata[i]);

		cli_pad(ctx->out, i ? "" : _("I/O limits:"), 14);
		g_string_append_printf(ctx->out, " %s\n", io);
	}
	{
		g_autofree char *pins = vcpupin_text(t->vcpupin);

		info_field(ctx, b, "vcpupin", _("vCPU pinning:"), pins);
	}
	info_field(ctx, b, "emulatorpin", _("Emulator pin:"), t->emulatorpin);
	info_field(ctx, b, "numa", _("NUMA nodes:"), t->numa);
	info_field(ctx, b, "hugepages", _("Huge pages:"), t->hugepages ? _("yes") : NULL);
}

int exec_info(struct cmd_ctx *ctx)
{
	int state, reason;
	autoptr(vm_spec) s = vm_describe(ctx->eng, ctx->args[0], &state, &reason);
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *vnc = NULL;
	g_autoptr(GPtrArray) addrs = NULL;

	if (!s)
		return -1;
	if (vm_state_active(state)) {
		virDomainPtr dom = vm_lookup(ctx->eng, ctx->args[0]);

		if (dom) {
			engine_wait_settled(ctx->eng, dom, MIN(ctx->cfg->op_timeout * 1000 / 2, 3000));
			addrs = net_addresses(ctx->eng, dom,
					      MIN(ctx->cfg->op_timeout * 1000 / 4, LIST_AGENT_WAIT_MS));
			virDomainFree(dom);
		}
		core_error_clear();
	}
	b = info_begin(ctx);
	info_field(ctx, b, "name", _("Name:"), s->name);
	info_field(ctx, b, "uuid", _("UUID:"), s->uuid);
	info_field(ctx, b, "state", _("State:"), ctx->json ?
		   vm_state_id(state) : vm_state_label(state));
	info_field(ctx, b, "description", _("Description:"), s->description);
	info_field(ctx, b, "os", _("OS:"), s->os_variant);
	info_field(ctx, b, "type", _("Accelerator:"),
		   s->domain_type && strcmp(s->domain_type, "kvm") == 0 ? "kvm" :
		   s->domain_type && strcmp(s->domain_type, "qemu") == 0 ? "tcg" :
		   s->domain_type);
	info_number(ctx, b, "vcpus", _("vCPUs:"), s->vcpus);
	info_number(ctx, b, "memory_mib", _("Memory (MiB):"), s->memory_mib);
	{
		autoptr(vm_tuning) t = vm_tuning_read(ctx->eng, ctx->args[0], s, state);

		if (!t)
			core_error_clear();
		info_tuning(ctx, b, s, t);
	}
	info_field(ctx, b, "firmware", _("Firmware:"),
		   s->firmware == FIRMWARE_UEFI ? "uefi" : "bios");
	info_boot(ctx, b, &s->boot);
	info_field(ctx, b, "kernel", _("Kernel:"), s->kernel);
	info_field(ctx, b, "initrd", _("Initrd:"), s->initrd);
	info_field(ctx, b, "cmdline", _("Command line:"), s->cmdline);
	info_nics(ctx, b, s->nics, addrs);
	if (b)
		addrs_json(b, addrs);
	{
		/* with their state in the running QEMU; the stored ones
		 * when that cannot be asked */
		g_autoptr(GPtrArray) fwds = net_forward_list(ctx->eng, ctx->args[0]);

		if (!fwds)
			core_error_clear();
		info_forwards(ctx, b, fwds ? fwds : s->forwards);
	}
	if (s->vnc_port > 0)
		vnc = g_strdup_printf("127.0.0.1:%d", s->vnc_port);
	info_field(ctx, b, "vnc", _("VNC:"), vnc);
	info_field(ctx, b, "serial_log", _("Serial log:"), s->serial_log);
	if (b) {
		json_builder_set_member_name(b, "disks");
		json_builder_begin_array(b);
		for (guint i = 0; i < s->disks->len; i++) {
			struct vm_disk *d = g_ptr_array_index(s->disks, i);

			json_builder_begin_object(b);
			cli_json_text(b, "path", d->path);
			cli_json_text(b, "format", d->format);
			cli_json_bool(b, "cdrom", d->cdrom);
			cli_json_bool(b, "owned", d->owned);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		info_end(ctx, b);
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

int cmd_opt_nics(struct cmd_ctx *ctx, struct vm_spec *spec, const char *model)
{
	GPtrArray *nets = cmd_opt_list(ctx, "net");

	if (nets && cmd_opt_flag(ctx, "no-network")) {
		core_error(CORE_ERR_USAGE, _("Give either --net or --no-network, not both."));
		return -1;
	}
	if (!nets) {
		if (!cmd_opt_flag(ctx, "no-network"))
			vm_spec_add_nic(spec, NET_NAT, NULL, model);
		return 0;
	}
	return net_parse_list(nets, model, spec->nics) ? 0 : -1;
}

int exec_create(struct cmd_ctx *ctx)
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
	spec->graphics = !cmd_opt_flag(ctx, "no-graphics");
	if (cmd_opt_nics(ctx, spec, def.nic_model) < 0) {
		os_defaults_fini(&def);
		return -1;
	}
	os_defaults_fini(&def);
	/* the guest agent tells vmtui the guest's addresses */
	spec->agent = !engine_is_test(ctx->eng) && !cmd_opt_flag(ctx, "no-agent");

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

	if (!net_prepare(ctx->eng, spec, NULL) || vm_create(ctx->eng, spec, ctx->job) < 0)
		goto out;
	cli_line(ctx, _("Created VM \"%s\"."), spec->name);
	if (start) {
		if (vm_start(ctx->eng, spec->name) < 0)
			goto out;
		cli_line(ctx, _("Started VM \"%s\"."), spec->name);
	}
	rc = 0;
out:
	return rc;
}

/* ---- power and lifecycle ----------------------------------------------- */

int exec_start(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_start(ctx->eng, ctx->args[0]), _("Started VM \"%s\"."));
}

int exec_shutdown(struct cmd_ctx *ctx)
{
	int timeout = (int)cmd_opt_number(ctx, "timeout", ctx->cfg->shutdown_timeout);

	return cli_done(ctx, vm_shutdown(ctx->eng, ctx->args[0], timeout, ctx->job),
		    _("VM \"%s\" has powered off."));
}

int exec_destroy(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_destroy(ctx->eng, ctx->args[0]), _("Forced VM \"%s\" off."));
}

int exec_reboot(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_reboot(ctx->eng, ctx->args[0]),
		    _("Asked VM \"%s\" to reboot."));
}

int exec_reset(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_reset(ctx->eng, ctx->args[0]), _("Reset VM \"%s\"."));
}

int exec_suspend(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_suspend(ctx->eng, ctx->args[0]), _("Paused VM \"%s\"."));
}

int exec_resume(struct cmd_ctx *ctx)
{
	return cli_done(ctx, vm_resume(ctx->eng, ctx->args[0]), _("Resumed VM \"%s\"."));
}

int exec_delete(struct cmd_ctx *ctx)
{
	g_autofree char *report = NULL;
	int rc = vm_delete(ctx->eng, ctx->args[0], cmd_opt_flag(ctx, "remove-disks"),
			   cmd_opt_flag(ctx, "force"), &report);

	if (report)
		g_string_append(ctx->out, report);
	return rc;
}

int exec_rename(struct cmd_ctx *ctx)
{
	if (vm_rename(ctx->eng, ctx->args[0], ctx->args[1]) < 0)
		return -1;
	cli_line(ctx, _("Renamed VM \"%s\" to \"%s\"."),
			       ctx->args[0], ctx->args[1]);
	return 0;
}

/* The tuning options of `set`, parsed; -1 with a usage error. */
static int tune_opts(struct cmd_ctx *ctx, struct vm_tune *t)
{
	GPtrArray *list;
	const char *v;

	t->hugepages = -1;
	if ((list = cmd_opt_list(ctx, "iotune"))) {
		t->iotune = g_ptr_array_new_with_free_func((GDestroyNotify)disk_iotune_free);
		for (guint i = 0; i < list->len; i++) {
			struct disk_iotune *io = iotune_parse(list->pdata[i]);

			if (!io)
				return -1;
			g_ptr_array_add(t->iotune, io);
		}
	}
	if ((list = cmd_opt_list(ctx, "vcpupin"))) {
		t->vcpupin = g_ptr_array_new_with_free_func((GDestroyNotify)vcpu_pin_free);
		for (guint i = 0; i < list->len; i++) {
			struct vcpu_pin *p = vcpu_pin_parse(list->pdata[i]);

			if (!p)
				return -1;
			g_ptr_array_add(t->vcpupin, p);
		}
	}
	t->emulatorpin = cmd_opt_str(ctx, "emulatorpin");
	t->numa = cmd_opt_str(ctx, "numa");
	if ((v = cmd_opt_str(ctx, "hugepages"))) {
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			core_error(CORE_ERR_USAGE, _("--hugepages takes on or off, not \"%s\"."), v);
			return -1;
		}
		t->hugepages = strcmp(v, "on") == 0;
	}
	t->cpu_shares = (int)cmd_opt_number(ctx, "cpu-shares", 0);
	if ((v = cmd_opt_str(ctx, "cpu-quota"))) {
		long long pct;

		if (strcmp(v, "none") == 0)
			t->cpu_quota = -1;
		else if (core_parse_int("--cpu-quota", v, 1, 100, &pct))
			t->cpu_quota = (int)pct;
		else
			return -1;
	}
	return 0;
}

int exec_set(struct cmd_ctx *ctx)
{
	const char *boot_text = cmd_opt_str(ctx, "boot");
	struct vm_boot boot;
	struct vm_change c = {
		.vcpus = (unsigned)cmd_opt_number(ctx, "vcpus", 0),
		.max_vcpus = (unsigned)cmd_opt_number(ctx, "max-vcpus", 0),
		.description = cmd_opt_str(ctx, "description"),
	};
	struct vm_tune t = { 0 };
	GPtrArray *nets = cmd_opt_list(ctx, "net");
	autoptr(vm_spec) nics = vm_spec_new();
	bool restart = false, part_restart = false, tune;
	int rc = -1;

	if (opt_size_mib(ctx, "memory", &c.memory_mib) < 0 ||
	    opt_size_mib(ctx, "max-memory", &c.max_memory_mib) < 0)
		return -1;
	if ((cmd_opt_str(ctx, "memory") && !c.memory_mib) ||
	    (cmd_opt_str(ctx, "max-memory") && !c.max_memory_mib)) {
		core_error(CORE_ERR_USAGE, _("A VM needs at least %d MiB of memory."), VM_MIN_MEMORY_MIB);
		return -1;
	}
	if (boot_text) {
		if (!core_parse_boot(boot_text, &boot))
			return -1;
		c.boot = &boot;
	}
	/* every option is checked before anything changes */
	if ((nets && cmd_opt_nics(ctx, nics, NULL) < 0) || tune_opts(ctx, &t) < 0)
		goto out;
	tune = vm_tune_given(&t);
	/* vm_set says so when no option at all is given */
	if (((!nets && !tune) || c.vcpus || c.max_vcpus || c.memory_mib || c.max_memory_mib ||
	     c.boot || c.description) &&
	    vm_set(ctx->eng, ctx->args[0], &c, &restart) < 0)
		goto out;
	if (tune && vm_tune(ctx->eng, ctx->args[0], &t, &part_restart) < 0)
		goto out;
	restart |= part_restart;
	if (nets && net_set_nics(ctx->eng, ctx->args[0], nics->nics, &part_restart) < 0)
		goto out;
	restart |= part_restart;
	cli_line(ctx, restart ? _("Changed VM \"%s\"; the change takes effect at its next start.") :
		 _("Changed VM \"%s\"."), ctx->args[0]);
	rc = 0;
out:
	g_clear_pointer(&t.iotune, g_ptr_array_unref);
	g_clear_pointer(&t.vcpupin, g_ptr_array_unref);
	return rc;
}

int exec_dumpxml(struct cmd_ctx *ctx)
{
	g_autofree char *xml = vm_dumpxml(ctx->eng, ctx->args[0],
					  cmd_opt_flag(ctx, "inactive"));

	if (!xml)
		return -1;
	g_string_append(ctx->out, xml);
	return 0;
}

/* ---- console ------------------------------------------------------------ */

int exec_console(struct cmd_ctx *ctx)
{
	struct console_opts o;

	console_opts_init(&o, ctx->cfg);
	o.force = cmd_opt_flag(ctx, "force");
	return console_run(ctx->eng, ctx->args[0], CONSOLE_SERIAL, &o);
}

int exec_vnc(struct cmd_ctx *ctx)
{
	struct console_opts o;
	const char *mode = cmd_opt_str(ctx, "mode"), *text = cmd_opt_str(ctx, "text");

	console_opts_init(&o, ctx->cfg);
	if (mode) {
		if (graphics_mode_parse(mode) < 0) {
			core_error(CORE_ERR_USAGE, _("--mode \"%s\" must be auto, kitty, sixel, truecolor, 256 or 16"),
				   mode);
			return -1;
		}
		o.graphics = mode;
	}
	if (text) {
		if ((o.text = console_text_parse(text)) < 0) {
			core_error(CORE_ERR_USAGE, _("--text \"%s\" must be auto, on or off"), text);
			return -1;
		}
	}
	return console_run(ctx->eng, ctx->args[0], CONSOLE_GRAPHICAL, &o);
}

/* ---- OS variants --------------------------------------------------------- */

int exec_os_list(struct cmd_ctx *ctx)
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


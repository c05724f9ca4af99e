/*
 * templates.c — the exec functions of `template ...`, `provision` and
 * `lab delete`.  Like every exec they run on a job worker, write to
 * ctx->out and leave the work to templates/.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "templates/templates.h"

int exec_template_create(struct cmd_ctx *ctx)
{
	struct template_source src = {
		.vm = cmd_opt_str(ctx, "from-vm"),
		.image = cmd_opt_str(ctx, "from-image"),
		.ova = cmd_opt_str(ctx, "from-ova"),
		.description = cmd_opt_str(ctx, "description"),
	};
	autoptr(template) t = NULL;
	g_autofree char *report = NULL;

	if (!!src.vm + !!src.image + !!src.ova != 1) {
		core_error(CORE_ERR_USAGE, _("Give one of --from-vm VM, --from-image IMAGE or --from-ova FILE.ova."));
		return -1;
	}
	t = template_create(ctx->eng, ctx->args[0], &src, ctx->job, &report);
	if (!t)
		return -1;
	cli_line(ctx, _("Created template \"%s\" from %s."), t->name,
			       src.vm ? src.vm : src.image ? src.image : src.ova);
	if (report)
		g_string_append(ctx->out, report);
	return 0;
}

/* `template list --json`: one template. */
static void template_list_json(JsonBuilder *b, const void *item)
{
	const struct template *t = item;

	cli_json_text(b, "name", t->name);
	/* a broken manifest's numbers are not known */
	if (t->broken) {
		cli_json_str(b, "version", NULL);
		cli_json_str(b, "vcpus", NULL);
		cli_json_str(b, "memory_mib", NULL);
		cli_json_str(b, "disk_bytes", NULL);
		cli_json_str(b, "description", NULL);
	} else {
		cli_json_int(b, "version", t->version);
		cli_json_int(b, "vcpus", t->vcpus);
		cli_json_int(b, "memory_mib", (gint64)t->memory_mib);
		cli_json_int(b, "disk_bytes", (gint64)t->disk_bytes);
		cli_json_text(b, "description", t->description);
	}
	cli_json_text(b, "base", t->base);
	cli_json_str(b, "broken", t->broken);
}

/* `template list`: one template's row. */
static char **template_list_row(const void *item)
{
	const struct template *t = item;
	g_autofree char *ver = g_strdup_printf("%u", t->version);
	g_autofree char *vcpus = g_strdup_printf("%u", t->vcpus);
	g_autofree char *mem = core_format_size_exact(t->memory_mib * MIB);
	g_autofree char *broken = NULL;

	if (!t->broken)
		return cli_row(5, t->name, ver, vcpus, mem, t->description);
	/* TRANSLATORS: a template list row whose manifest cannot be used */
	broken = g_strdup_printf("%s %s", _("BROKEN:"), t->broken);
	return cli_row(5, t->name, "-", "-", "-", broken);
}

int exec_template_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) list = template_list();
	/* TRANSLATORS: column headings of `vmtui template list` */
	const struct cli_column cols[] = {
		{ _("NAME"), 0 }, { _("VERSION"), 9 }, { _("VCPUS"), 7 }, { _("MEMORY"), 10 },
		{ _("DESCRIPTION"), 0 },
	};
	const struct cli_list l = { cols, G_N_ELEMENTS(cols),
		_("No templates yet: make one with `vmtui template create NAME --from-vm VM`."),
		template_list_json, template_list_row };

	cli_list(ctx, &l, list);
	return 0;
}

int exec_template_info(struct cmd_ctx *ctx)
{
	autoptr(template) t = template_load(ctx->args[0]);
	g_autoptr(GPtrArray) deps = NULL;
	g_autofree char *ver = NULL, *hw = NULL, *size = NULL;
	g_autoptr(GString) keys = g_string_new(NULL);
	g_autoptr(JsonBuilder) b = NULL;

	if (!t)
		return -1;
	b = info_begin(ctx);
	deps = template_dependants(ctx->eng, t->name);
	ver = g_strdup_printf("%u", t->version);
	hw = template_hardware_text(t);
	size = core_format_size_exact(t->disk_bytes);
	info_field(ctx, b, "name", _("Name:"), t->name);
	info_field(ctx, b, "version", _("Version:"), ver);
	info_field(ctx, b, "description", _("Description:"), t->description);
	info_field(ctx, b, "created", _("Created:"), t->created);
	info_field(ctx, b, "source", _("Source:"), t->source);
	info_field(ctx, b, "os", _("OS:"), t->os_variant);
	info_field(ctx, b, "hardware", _("Hardware:"), hw);
	info_field(ctx, b, "base_image", _("Base image:"), t->base);
	info_field(ctx, b, "disk_size", _("Disk size:"), size);
	info_field(ctx, b, "kernel", _("Kernel:"), t->kernel);
	info_field(ctx, b, "initrd", _("Initrd:"), t->initrd);
	info_field(ctx, b, "command_line", _("Command line:"), t->cmdline);
	info_field(ctx, b, "network", _("Network:"), t->network);
	info_field(ctx, b, "user", _("User:"), t->user);
	for (guint i = 0; i < t->ssh_keys->len; i++)
		g_string_append_printf(keys, "%s%.50s", i ? "; " : "", (char *)t->ssh_keys->pdata[i]);
	info_field(ctx, b, "ssh_keys", _("SSH keys:"), keys->len ? keys->str : NULL);
	g_string_truncate(keys, 0);
	cli_join(keys, t->packages, ", ");
	info_field(ctx, b, "packages", _("Packages:"), keys->len ? keys->str : NULL);
	info_field(ctx, b, "warnings", _("Warnings:"), t->warnings);
	g_string_truncate(keys, 0);
	cli_join(keys, deps, ", ");
	info_field(ctx, b, "used_by", _("Used by:"), keys->len ? keys->str : NULL);
	info_end(ctx, b);
	return 0;
}

int exec_template_edit(struct cmd_ctx *ctx)
{
	autoptr(template) t = template_load(ctx->args[0]);
	const char *v;
	bool changed = false;

	if (!t)
		return -1;
	if ((v = cmd_opt_str(ctx, "description"))) {
		if (*v && !core_text_valid(_("description"), v))
			return -1;
		g_free(t->description);
		t->description = *v ? g_strdup(v) : NULL;
		changed = true;
	}
	if (cmd_opt_str(ctx, "vcpus")) {
		t->vcpus = (unsigned)cmd_opt_number(ctx, "vcpus", t->vcpus);
		changed = true;
	}
	if (cmd_opt_str(ctx, "memory")) {
		if (opt_size_mib(ctx, "memory", &t->memory_mib) < 0)
			return -1;
		changed = true;
	}
	/* the VMs it makes get these: the limits of `vmtui create` */
	if (changed && vm_check_resources(ctx->eng, t->vcpus, MAX(t->memory_mib, 1)) < 0)
		return -1;
	if (!cmd_opt_str(ctx, "kernel") && cmd_opt_str(ctx, "initrd")) {
		core_error(CORE_ERR_USAGE, _("--initrd goes with --kernel."));
		return -1;
	}
	if ((v = cmd_opt_str(ctx, "os"))) {
		g_free(t->os_variant);
		t->os_variant = *v ? g_strdup(v) : NULL;
		changed = true;
	}
	if ((v = cmd_opt_str(ctx, "cmdline"))) {
		if (!t->kernel && !cmd_opt_str(ctx, "kernel")) {
			core_error(CORE_ERR_USAGE, _("Template \"%s\" boots no kernel directly; --cmdline does not apply."),
				   t->name);
			return -1;
		}
		if (!core_text_valid(_("kernel command line"), v))
			return -1;
		g_free(t->cmdline);
		t->cmdline = g_strdup(v);
		changed = true;
	}
	if ((v = cmd_opt_str(ctx, "user"))) {
		if (*v && !seed_user_valid(v))
			return -1;
		g_free(t->user);
		t->user = *v ? g_strdup(v) : NULL;
		changed = true;
	}
	if ((v = cmd_opt_str(ctx, "ssh-key"))) {
		g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);

		if (!seed_read_ssh_keys(v, keys))
			return -1;
		g_ptr_array_unref(t->ssh_keys);
		t->ssh_keys = g_steal_pointer(&keys);
		changed = true;
	}
	if ((v = cmd_opt_str(ctx, "packages"))) {
		g_autoptr(GPtrArray) p = g_ptr_array_new_with_free_func(g_free);

		if (!seed_packages_parse(v, p))
			return -1;
		g_ptr_array_unref(t->packages);
		t->packages = g_steal_pointer(&p);
		changed = true;
	}
	if ((v = cmd_opt_str(ctx, "sudo"))) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			core_error(CORE_ERR_USAGE, _("--sudo takes yes or no, not \"%s\"."), v);
			return -1;
		}
		t->sudo = strcmp(v, "yes") == 0;
		changed = true;
	}
	if (!changed && !cmd_opt_str(ctx, "kernel")) {
		core_error(CORE_ERR_USAGE, _("Nothing to change; see vmtui help template edit."));
		return -1;
	}
	/* every value checked before the kernel is copied (under the next
	 * version's name): a refused edit leaves nothing behind */
	if (template_check(t) < 0)
		return -1;
	if ((v = cmd_opt_str(ctx, "kernel")) &&
	    template_set_kernel(t, v, cmd_opt_str(ctx, "initrd")) < 0)
		return -1;
	t->version++;
	if (template_save(t) < 0)
		return -1;
	cli_line(ctx, _("Changed template \"%s\" (now version %u)."), t->name, t->version);
	return 0;
}

int exec_template_delete(struct cmd_ctx *ctx)
{
	return cli_done(ctx, template_delete(ctx->eng, ctx->args[0]),
			_("Deleted template \"%s\"."));
}

int exec_provision(struct cmd_ctx *ctx)
{
	struct provision_opts o = { 0 };
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) pkgs = NULL;
	g_autofree char *user_data = NULL;
	g_autofree char *report = NULL;
	const char *v;
	unsigned count = (unsigned)cmd_opt_number(ctx, "count", 0);
	int rc;

	names = provision_expand_names(ctx->args[1], count);
	if (!names)
		return -1;
	o.template_name = ctx->args[0];
	o.names = names;
	o.nets = cmd_opt_list(ctx, "net");
	o.forwards = cmd_opt_list(ctx, "forward");
	o.full = cmd_opt_flag(ctx, "full");
	o.start = cmd_opt_flag(ctx, "start");
	if (cmd_opt_flag(ctx, "sudo") && cmd_opt_flag(ctx, "no-sudo")) {
		core_error(CORE_ERR_USAGE, _("Give either --sudo or --no-sudo, not both."));
		return -1;
	}
	o.sudo = cmd_opt_flag(ctx, "sudo") ? 1 : cmd_opt_flag(ctx, "no-sudo") ? 0 : -1;
	o.hostname = cmd_opt_str(ctx, "hostname");
	if (o.hostname && !seed_hostname_valid(o.hostname))
		return -1;
	o.user = cmd_opt_str(ctx, "user");
	if (o.user && !seed_user_valid(o.user))
		return -1;
	o.password_hash = cmd_opt_str(ctx, "password-hash");
	if (o.password_hash && !seed_password_hash_valid(o.password_hash))
		return -1;
	if ((v = cmd_opt_str(ctx, "ssh-key")) && !seed_read_ssh_keys(v, keys))
		return -1;
	o.ssh_keys = keys;
	if ((v = cmd_opt_str(ctx, "packages"))) {
		pkgs = g_ptr_array_new_with_free_func(g_free);
		if (!seed_packages_parse(v, pkgs))
			return -1;
		o.packages = pkgs;
	}
	if ((v = cmd_opt_str(ctx, "user-data")) && !(user_data = seed_read_user_data(v)))
		return -1;
	o.user_data = user_data;
	rc = provision_run(ctx->eng, &o, ctx->job, &report);
	if (report)
		g_string_append(ctx->out, report);
	return rc;
}

int exec_lab_delete(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) names = lab_match(ctx->eng, ctx->args[0]);
	g_autofree char *report = NULL;
	int rc;

	if (!names)
		return -1;
	if (!names->len) {
		core_error(CORE_ERR_NOT_FOUND, _("No VM matches \"%s\"."), ctx->args[0]);
		return -1;
	}
	g_string_append_printf(ctx->out,
			       P_("%u VM matches \"%s\":", "%u VMs match \"%s\":", names->len),
			       names->len, ctx->args[0]);
	for (guint i = 0; i < names->len; i++)
		g_string_append_printf(ctx->out, " %s", (char *)names->pdata[i]);
	g_string_append_c(ctx->out, '\n');
	if (!cmd_opt_flag(ctx, "yes")) {
		core_error(CORE_ERR_USAGE,
			   _("Nothing deleted: add --yes to delete these VMs with their disks and seeds."));
		return -1;
	}
	rc = lab_delete(ctx->eng, names, ctx->job, &report);
	if (report)
		g_string_append(ctx->out, report);
	return rc;
}

/*
 * host.c — the exec functions of the commands about this host and vmtui
 * itself: events, doctor, help and version.
 */
#include "config.h"

#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/vm.h"
#include "core/model.h"
#include "core/doctor.h"

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

int exec_events(struct cmd_ctx *ctx)
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

int exec_doctor(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) checks = doctor_run(ctx->cfg);
	g_autoptr(JsonBuilder) b = ctx->json ? json_builder_new() : NULL;
	int fails = 0;

	if (b)
		json_builder_begin_array(b);
	for (guint i = 0; i < checks->len; i++) {
		struct check *c = g_ptr_array_index(checks, i);
		static const char *const tag[] = { "ok", "warn", "fail" };

		fails += c->status == CHECK_FAIL;
		if (b) {
			json_builder_begin_object(b);
			cli_json_text(b, "check", c->title);
			cli_json_str(b, "status", tag[c->status]);
			cli_json_text(b, "detail", c->detail);
			json_builder_end_object(b);
			continue;
		}
		/* TRANSLATORS: status tags of `vmtui doctor`, keep them short */
		cli_pad(ctx->out, c->status == CHECK_OK ? _("[ok]") :
			c->status == CHECK_WARN ? _("[warn]") : _("[FAIL]"), 7);
		cli_pad(ctx->out, c->title, 15);
		g_string_append_printf(ctx->out, " %s\n", c->detail);
	}
	if (b) {
		json_builder_end_array(b);
		cli_json_out(ctx, b);
	}
	if (fails) {
		core_error(CORE_ERR_FAILED, P_("%d check failed.", "%d checks failed.",
					       fails), fails);
		return -1;
	}
	return 0;
}


int exec_help(struct cmd_ctx *ctx)
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

int exec_version(struct cmd_ctx *ctx)
{
	unsigned long lv = engine_libvirt_version();
	g_string_append_printf(ctx->out, "vmtui %s (libvirt %lu.%lu.%lu)\n",
			       PACKAGE_VERSION, lv / 1000000, lv / 1000 % 1000,
			       lv % 1000);
	return 0;
}


/* ---- help ------------------------------------------------------------- */

/* How to read the manual page: from the build folder when vmtui runs
 * from one (not installed), else the installed page.  Caller frees. */
static char *man_command(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	g_autofree char *page = dir ? g_build_filename(dir, "doc", "vmtui.1", NULL) : NULL;

	if (page && g_file_test(page, G_FILE_TEST_IS_REGULAR))
		return g_strdup_printf("man -l %s", page);
	return g_strdup("man vmtui");
}

void command_help(const struct command *cmd, GString *out)
{
	g_autofree char *man = NULL;

	if (!cmd) {
		g_string_append_printf(out, "%s\n\n", _("Usage: vmtui [-c URI] [--config FILE] COMMAND [OPTIONS] [ARGS]"));
		g_string_append_printf(out, "%s\n", _("Commands:"));
		for (const struct command *c = commands; c->name; c++) {
			g_string_append(out, "  ");
			cli_pad(out, c->name, 16);
			g_string_append_printf(out, " %s\n", _(c->summary));
		}
		g_string_append_printf(out, "\n%s\n", _("Global options:"));
		g_string_append_printf(out, "  -c, --connect URI  %s\n",
				       _("use this libvirt URI instead of the embedded engine"));
		g_string_append_printf(out, "  --config FILE      %s\n",
				       _("read this config file"));
		g_string_append_printf(out, "  --timeout SECONDS  %s\n",
				       _("how long to wait for an unresponsive engine or guest"));
		g_string_append_printf(out, "  -V, --version      %s\n", _("show the version"));
		man = man_command();
		/* TRANSLATORS: %s is a command reading the manual page, "man vmtui"
		 * or "man -l /path/doc/vmtui.1" */
		g_string_append_c(out, '\n');
		g_string_append_printf(out, _("`vmtui help COMMAND` describes one command; `%s` has the rest."),
				       man);
		g_string_append_c(out, '\n');
		return;
	}
	g_string_append_printf(out, "%s: vmtui %s %s\n", _("Usage"), cmd->name,
			       cmd->args ? cmd->args : "");
	g_string_append_printf(out, "%s\n", _(cmd->summary));
	if ((cmd->opts && cmd->opts->name) || (cmd->flags & CMD_JSON))
		g_string_append_printf(out, "\n%s\n", _("Options:"));
	for (const struct cmd_opt *o = cmd->opts; o && o->name; o++) {
		g_autofree char *left = o->metavar ?
			g_strdup_printf("--%s %s", o->name, o->metavar) :
			g_strdup_printf("--%s", o->name);

		g_string_append(out, "  ");
		cli_pad(out, left, 24);
		g_string_append_printf(out, " %s\n", _(o->help));
	}
	if (cmd->flags & CMD_JSON) {
		g_string_append(out, "  ");
		cli_pad(out, "--json", 24);
		g_string_append_printf(out, " %s\n", _("print JSON instead of text"));
	}
}


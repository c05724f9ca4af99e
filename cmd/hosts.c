/*
 * hosts.c — the exec functions of the commands about several hosts:
 * host list, add and remove, and migrate.
 */
#include "config.h"

#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/migrate.h"

/* How long `host list` and `host add` wait for a host to answer: the
 * engine's timeout (a first open of a daemon, or of a fresh embedded
 * root, asks QEMU for its capabilities, which takes seconds). */
static int answer_s(const struct core_config *cfg)
{
	return cfg->op_timeout > 0 ? cfg->op_timeout : 30;
}

/* ---- reaching a host ------------------------------------------------------ */

struct probe {
	char *label;
	char *uri;          /* NULL: the embedded engine */
	struct engine_host_info info;
	char *error;        /* why it is down, or NULL */
};

/* What a probe's job works on: its own, so that a job that never ends
 * writes nothing the command frees. */
struct probe_run {
	const struct core_config *cfg;
	char *uri;
	struct engine_host_info info;
};

static void probe_free(gpointer p)
{
	struct probe *h = p;

	g_free(h->label);
	g_free(h->uri);
	g_free(h->error);
	g_free(h);
}

static void probe_run_free(gpointer p)
{
	struct probe_run *r = p;

	g_free(r->uri);
	g_free(r);
}

static int probe_job(struct job *job, void *data)
{
	struct probe_run *r = data;
	struct engine *eng = engine_open_uri(r->cfg, r->uri, false);
	int rc;

	(void)job;
	if (!eng)
		return -1;
	rc = engine_host_info(eng, &r->info);
	if (engine_close(eng) < 0)
		g_warning("engine left open");
	return rc;
}

/* Opens every host of @hosts at once, each on a job of its own, and waits
 * at most @wait_s for them all: one that has not answered by then is
 * down, and its job is left to end by itself. */
static void probe_all(const struct core_config *cfg, GPtrArray *hosts, int wait_s)
{
	gint64 end = g_get_monotonic_time() + (gint64)wait_s * G_USEC_PER_SEC;
	g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_unref);

	for (guint i = 0; i < hosts->len; i++) {
		struct probe *h = hosts->pdata[i];
		struct probe_run *r = g_new0(struct probe_run, 1);

		r->cfg = cfg;
		r->uri = g_strdup(h->uri);
		g_ptr_array_add(jobs, job_submit("host", probe_job, r, probe_run_free, false));
	}
	for (guint i = 0; i < hosts->len; i++) {
		struct probe *h = hosts->pdata[i];
		gint64 left = MAX(0, end - g_get_monotonic_time()) / 1000;
		g_autofree char *err = NULL;

		if (!job_wait(jobs->pdata[i], (int)left))
			h->error = g_strdup_printf(_("no answer in %d s"), wait_s);
		else if (job_get_error(jobs->pdata[i], &err) != CORE_OK)
			h->error = g_steal_pointer(&err);
		else
			h->info = ((struct probe_run *)job_data(jobs->pdata[i]))->info;
	}
}

static struct probe *probe_new(const char *label, const char *uri)
{
	struct probe *h = g_new0(struct probe, 1);

	h->label = g_strdup(label);
	h->uri = g_strdup(uri);
	return h;
}

static char *version_str(unsigned long v)
{
	return v ? g_strdup_printf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000) :
		   g_strdup("?");
}

/* ---- host list, add, remove ------------------------------------------------ */

static void host_json(JsonBuilder *b, const void *item)
{
	const struct probe *h = item;
	g_autofree char *lv = version_str(h->info.libvirt), *qv = version_str(h->info.qemu);

	cli_json_str(b, "name", h->label);
	cli_json_str(b, "uri", h->uri);
	cli_json_str(b, "state", h->error ? "down" : "up");
	cli_json_str(b, "error", h->error);
	if (h->error)
		return;
	cli_json_str(b, "hostname", h->info.hostname);
	cli_json_str(b, "libvirt", lv);
	cli_json_str(b, "qemu", qv);
	cli_json_int(b, "cpus", h->info.cpus);
	cli_json_int(b, "memory", (gint64)h->info.memory);
	cli_json_int(b, "free_memory", (gint64)h->info.free);
	cli_json_int(b, "running", h->info.running);
	cli_json_int(b, "vms", h->info.vms);
	cli_json_str(b, "accel", accel_mode_name(h->info.accel));
}

static char **host_row(const void *item)
{
	const struct probe *h = item;
	g_autofree char *lv = NULL, *qv = NULL, *mem = NULL, *fr = NULL, *cpus = NULL,
			*vms = NULL, *state = NULL;

	if (h->error) {
		state = g_strdup_printf(_("down: %s"), h->error);
		return cli_row(10, h->label, h->uri ? h->uri : _("(embedded)"), state, NULL, NULL,
			       NULL, NULL, NULL, NULL, NULL);
	}
	lv = version_str(h->info.libvirt);
	qv = version_str(h->info.qemu);
	mem = core_format_size(h->info.memory);
	fr = core_format_size(h->info.free);
	cpus = g_strdup_printf("%u", h->info.cpus);
	vms = g_strdup_printf("%d/%d", h->info.running, h->info.vms);
	return cli_row(10, h->label, h->uri ? h->uri : _("(embedded)"), _("up"), lv, qv,
		       cpus, mem, fr, vms, accel_mode_name(h->info.accel));
}

int exec_host_list(struct cmd_ctx *ctx)
{
	static const struct cli_column cols[] = {
		{ N_("NAME"), 8 }, { N_("URI"), 12 }, { N_("STATE"), 7 }, { N_("LIBVIRT"), 9 },
		{ N_("QEMU"), 8 }, { N_("CPUS"), 6 }, { N_("MEMORY"), 10 }, { N_("FREE"), 10 },
		{ N_("VMS"), 6 }, { N_("ACCEL"), 6 },
	};
	struct cli_column tr[G_N_ELEMENTS(cols)];
	const struct cli_list l = { tr, G_N_ELEMENTS(cols), NULL, host_json, host_row };
	g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func(probe_free);

	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++)
		tr[i] = (struct cli_column){ _(cols[i].heading), cols[i].min_cells };
	g_ptr_array_add(hosts, probe_new(CORE_LOCAL_HOST, ctx->cfg->local_uri));
	for (guint i = 0; i < ctx->cfg->hosts->len; i++) {
		const struct core_pair *p = ctx->cfg->hosts->pdata[i];

		g_ptr_array_add(hosts, probe_new(p->key, p->value));
	}
	probe_all(ctx->cfg, hosts, answer_s(ctx->cfg));
	cli_list(ctx, &l, hosts);
	return 0;
}

int exec_host_add(struct cmd_ctx *ctx)
{
	const char *label = ctx->args[0], *uri = ctx->args[1];
	g_autofree char *known = NULL;
	g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(probe_free);
	struct probe *h;

	if (!core_host_label_ok(label))
		return -1;
	if (!strchr(uri, ':')) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not a libvirt URI (e.g. qemu+ssh://admin@lab1/system)"), uri);
		return -1;
	}
	if (core_config_host(ctx->cfg, label, &known, NULL) == 0) {
		core_error(CORE_ERR_STATE, _("There is a host named \"%s\" already (%s): host remove %s first."),
			   label, known, label);
		return -1;
	}
	core_error_clear();
	if (core_config_set_host(ctx->cfg, label, uri) < 0)
		return -1;
	cli_line(ctx, _("Added host \"%s\" (%s) to %s."), label, uri, ctx->cfg->path);
	if (cmd_opt_flag(ctx, "no-check"))
		return 0;
	g_ptr_array_add(one, probe_new(label, uri));
	probe_all(ctx->cfg, one, answer_s(ctx->cfg));
	h = one->pdata[0];
	if (h->error) {
		cli_line(ctx, _("It cannot be reached now: %s"), h->error);
	} else {
		g_autofree char *lv = version_str(h->info.libvirt), *qv = version_str(h->info.qemu);
		g_autofree char *mem = core_format_size(h->info.memory);

		cli_line(ctx, _("It answers: %s, libvirt %s, QEMU %s, %u CPUs, %s, %d of %d VMs running."),
			 h->info.hostname, lv, qv, h->info.cpus, mem, h->info.running, h->info.vms);
	}
	return 0;
}

int exec_host_remove(struct cmd_ctx *ctx)
{
	const char *label = ctx->args[0];

	if (strcmp(label, CORE_LOCAL_HOST) == 0) {
		core_error(CORE_ERR_USAGE,
			   _("\"local\" is the engine vmtui uses without -c, not an entry of [hosts]"));
		return -1;
	}
	if (core_config_set_host(ctx->cfg, label, NULL) < 0)
		return -1;
	cli_line(ctx, _("Removed host \"%s\" from %s (its VMs are not touched)."), label,
		 ctx->cfg->path);
	return 0;
}

/* ---- migrate ---------------------------------------------------------------- */

int exec_migrate(struct cmd_ctx *ctx)
{
	const char *name = ctx->args[0];
	g_autofree char *uri = NULL, *label = NULL, *src_label = NULL;
	struct migrate_opts o = {
		.live = cmd_opt_flag(ctx, "live"),
		.copy_storage = cmd_opt_flag(ctx, "copy-storage"),
		.persistent = cmd_opt_flag(ctx, "persistent"),
		.undefine_source = cmd_opt_flag(ctx, "undefine-source"),
		.unsafe = cmd_opt_flag(ctx, "unsafe"),
		.bandwidth = (unsigned)cmd_opt_number(ctx, "bandwidth", 0),
		.timeout_s = (int)cmd_opt_number(ctx, "timeout", 0),
		.address = cmd_opt_str(ctx, "address"),
	};
	struct migrate_result res;
	struct engine *dst = NULL;
	int rc;

	if (core_config_host(ctx->cfg, ctx->args[1], &uri, &label) < 0)
		return -1;
	if (engine_is_embedded(ctx->eng) ||
	    g_strcmp0(engine_uri(ctx->eng), ctx->cfg->local_uri) == 0)
		src_label = g_strdup(CORE_LOCAL_HOST);
	else if (core_config_host(ctx->cfg, engine_uri(ctx->eng), NULL, &src_label) < 0)
		src_label = g_strdup(engine_uri(ctx->eng));
	core_error_clear();
	o.dst_label = label;
	if (o.timeout_s && !o.live) {
		core_error(CORE_ERR_USAGE, _("--timeout pauses a live migration that takes too long: it needs --live"));
		return -1;
	}
	/* the embedded engine is refused before it is opened (this process
	 * may hold it) */
	if (uri) {
		job_progress(ctx->job, 0, _("Connecting to %s..."), label);
		dst = engine_open_uri(ctx->cfg, uri, false);
		if (!dst)
			return -1;
	}
	rc = vm_migrate(ctx->eng, dst, name, &o, ctx->job, &res);
	if (dst && engine_close(dst) < 0)
		g_warning("engine left open");
	if (rc < 0) {
		/* say where the VM is now: still on the source */
		g_autofree char *why = g_strdup(core_error_message());
		enum core_err code = core_error_code();

		if (code != CORE_ERR_NOT_FOUND && code != CORE_ERR_USAGE)
			core_error(code, _("%s It is still on %s."), why, src_label);
		return -1;
	}
	if (res.offline) {
		cli_line(ctx, o.undefine_source ? _("Moved the definition of %s (shut off) to %s.") :
			 _("Copied the definition of %s (shut off) to %s."), name, label);
	} else {
		g_autofree char *sent = core_format_size(res.data_bytes);

		if (res.downtime_ms >= 0)
			cli_line(ctx, _("Migrated %s to %s in %.1f s (downtime %lld ms, %s sent); it runs there now."),
				 name, label, (double)res.elapsed_ms / 1000, (long long)res.downtime_ms, sent);
		else
			cli_line(ctx, _("Migrated %s to %s in %.1f s; it runs there now."), name, label,
				 (double)res.elapsed_ms / 1000);
		if (res.paused_by_timeout)
			cli_line(ctx, _("It was paused after %d s so that the copy could end, and runs again."),
				 o.timeout_s);
		if (!o.persistent)
			cli_line(ctx, _("%s keeps no definition of it (--persistent gives it one): once it stops, it is gone there."),
				 label);
	}
	if (!o.undefine_source)
		cli_line(ctx, _("Its definition stays on %s too (--undefine-source removes it)."), src_label);
	return 0;
}

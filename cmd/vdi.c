/*
 * vdi.c — `vmtui pool ...` and `vmtui desktop ...`: define, size, drain
 * and delete desktop pools, run their reconcile loop, list desktops,
 * hand one out, kick a user, refresh a desktop.  The work is vdi/'s.
 */
#include "config.h"

#include <string.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "core/files.h"
#include "core/names.h"
#include "templates/templates.h"
#include "vdi/vdi.h"

#define WAIT_DEFAULT_S 600
#define PASS_EVERY_MS 2000

/* Splits the comma-separated option @name into @list (replacing it). */
static void opt_names(struct cmd_ctx *ctx, const char *name, GPtrArray *list)
{
	const char *v = cmd_opt_str(ctx, name);
	g_auto(GStrv) parts = NULL;

	if (!v)
		return;
	g_ptr_array_set_size(list, 0);
	parts = g_strsplit(v, ",", -1);
	for (unsigned i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (*parts[i])
			g_ptr_array_add(list, g_strdup(parts[i]));
	}
}

static void opt_uint(struct cmd_ctx *ctx, const char *name, unsigned *field)
{
	*field = (unsigned)cmd_opt_number(ctx, name, *field);
}

/* What the options of `pool create` and `pool edit` set, on @p. */
static int apply_opts(struct cmd_ctx *ctx, struct pool *p)
{
	const char *v;

	if ((v = cmd_opt_str(ctx, "template"))) {
		g_free(p->template_name);
		p->template_name = g_strdup(v);
	}
	opt_uint(ctx, "min", &p->min);
	opt_uint(ctx, "max", &p->max);
	opt_uint(ctx, "spares", &p->spares);
	opt_uint(ctx, "max-per-user", &p->max_per_user);
	opt_uint(ctx, "disconnect-grace", &p->disconnect_grace);
	opt_uint(ctx, "idle", &p->idle);
	opt_uint(ctx, "max-session", &p->max_session);
	opt_uint(ctx, "boot-timeout", &p->boot_timeout);
	if ((v = cmd_opt_str(ctx, "assign")) && !pool_assign_parse(v, &p->assign))
		return -1;
	if ((v = cmd_opt_str(ctx, "on-release")) && !pool_release_parse(v, &p->on_release))
		return -1;
	opt_names(ctx, "users", p->users);
	opt_names(ctx, "groups", p->groups);
	if ((v = cmd_opt_str(ctx, "ready-marker"))) {
		g_free(p->ready_marker);
		p->ready_marker = *v ? g_strdup(v) : NULL;
	}
	return pool_check(p);
}

/* 0 when no desktop of pool @name is quarantined; else -1 with an error
 * giving their number and the first one's reason. */
static int quarantined(struct cmd_ctx *ctx, const char *name)
{
	g_autoptr(GPtrArray) list = desktop_list(ctx->eng, name);
	const struct desktop *first = NULL;
	unsigned n = 0;

	for (guint i = 0; list && i < list->len; i++) {
		const struct desktop *d = list->pdata[i];

		if (d->state == DESKTOP_QUARANTINED && !n++)
			first = d;
	}
	if (!n)
		return list ? 0 : -1;
	core_error(CORE_ERR_FAILED, P_("%u desktop of pool \"%s\" is quarantined (%s: %s); \"vmtui desktop refresh DESKTOP\" gives it a fresh start.",
				       "%u desktops of pool \"%s\" are quarantined (%s: %s); \"vmtui desktop refresh DESKTOP\" gives them a fresh start.",
				       n), n, name, first->name, first->reason ? first->reason : "?");
	return -1;
}

/* Runs reconcile passes over pool @name until it is steady, or once
 * without --wait; the passes' lines go to the output.  0 or -1. */
static int reconcile(struct cmd_ctx *ctx, const char *name, bool wait)
{
	gint64 limit = g_get_monotonic_time() +
		       cmd_opt_number(ctx, "timeout", WAIT_DEFAULT_S) * G_USEC_PER_SEC;

	for (;;) {
		autoptr(pool) p = pool_load(name);
		g_autoptr(GString) log = g_string_new(NULL);

		if (!p || pool_reconcile(ctx->eng, p, ctx->job, log) < 0)
			return -1;
		g_string_append(ctx->out, log->str);
		if (!wait)
			return 0;
		if (pool_steady(ctx->eng, p))
			return quarantined(ctx, p->name);
		if (job_cancelled(ctx->job)) {
			core_error(CORE_ERR_CANCELLED, _("Stopped waiting for pool \"%s\"."), name);
			return -1;
		}
		if (g_get_monotonic_time() > limit) {
			core_error(CORE_ERR_TIMEOUT, _("Pool \"%s\" is not steady yet (see \"vmtui pool info %s\")."),
				   name, name);
			return -1;
		}
		job_progress(ctx->job, -1, _("Waiting for the desktops of pool \"%s\""), name);
		g_usleep(PASS_EVERY_MS * 1000);
	}
}

int exec_pool_create(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_new(ctx->args[0], NULL);
	autoptr(template) t = NULL;

	if (!pool_name_valid(ctx->args[0]) || apply_opts(ctx, p) < 0)
		return -1;
	if (!(t = template_load(p->template_name)))
		return -1;
	if (pool_save(p, true) < 0)
		return -1;
	cli_line(ctx, _("Created pool \"%s\" of template \"%s\": %u to %u desktops, %u spare."),
		 p->name, p->template_name, p->min, p->max, p->spares);
	if (cmd_opt_flag(ctx, "no-wait")) {
		cli_line(ctx, _("Its desktops are made by \"vmtui pool reconcile %s\" or \"vmtui serve\"."),
			 p->name);
		return 0;
	}
	return reconcile(ctx, p->name, true);
}

int exec_pool_edit(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_load(ctx->args[0]);
	autoptr(template) t = NULL;

	if (!p || apply_opts(ctx, p) < 0)
		return -1;
	if (cmd_opt_str(ctx, "template") && !(t = template_load(p->template_name)))
		return -1;
	if (pool_save(p, false) < 0)
		return -1;
	cli_line(ctx, _("Changed pool \"%s\"."), p->name);
	return cmd_opt_flag(ctx, "wait") ? reconcile(ctx, p->name, true) : 0;
}

/* grow and shrink: the pool's minimum by N (its maximum follows). */
static int resize(struct cmd_ctx *ctx, bool grow)
{
	autoptr(pool) p = pool_load(ctx->args[0]);
	long long n = 0;

	if (!p || !core_parse_int("N", ctx->args[1], 1, 200, &n))
		return -1;
	if (grow) {
		p->min += (unsigned)n;
		p->max = MAX(p->max, p->min);
	} else {
		p->min = p->min > n ? p->min - (unsigned)n : 0;
		p->max = MAX(p->max > n ? p->max - (unsigned)n : 1, MAX(p->min, 1));
		p->spares = MIN(p->spares, p->max);
	}
	if (pool_save(p, false) < 0)
		return -1;
	cli_line(ctx, _("Pool \"%s\" now keeps %u to %u desktops."), p->name, p->min, p->max);
	return reconcile(ctx, p->name, cmd_opt_flag(ctx, "wait"));
}

int exec_pool_grow(struct cmd_ctx *ctx) { return resize(ctx, true); }
int exec_pool_shrink(struct cmd_ctx *ctx) { return resize(ctx, false); }

int exec_pool_drain(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_load(ctx->args[0]);

	if (!p)
		return -1;
	p->draining = !cmd_opt_flag(ctx, "stop");
	if (pool_save(p, false) < 0)
		return -1;
	cli_line(ctx, p->draining ?
		 _("Pool \"%s\" drains: no desktop is handed out or made; free ones are deleted now, the others when their users are done.") :
		 _("Pool \"%s\" no longer drains."), p->name);
	return reconcile(ctx, p->name, false);
}

int exec_pool_reconcile(struct cmd_ctx *ctx)
{
	return reconcile(ctx, ctx->args[0], cmd_opt_flag(ctx, "wait"));
}

int exec_pool_delete(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_load(ctx->args[0]);
	g_autoptr(GPtrArray) list = NULL;
	unsigned held = 0;
	int rc = 0;

	if (!p || !(list = desktop_list(ctx->eng, p->name)))
		return -1;
	for (guint i = 0; i < list->len; i++)
		held += ((struct desktop *)list->pdata[i])->user != NULL;
	if (held && !cmd_opt_flag(ctx, "force")) {
		core_error(CORE_ERR_STATE, P_("%u desktop of pool \"%s\" is in use: drain the pool first (\"vmtui pool drain %s\"), or add --force to delete it anyway.",
					      "%u desktops of pool \"%s\" are in use: drain the pool first (\"vmtui pool drain %s\"), or add --force to delete them anyway.",
					      held), held, p->name, p->name);
		return -1;
	}
	if (!cmd_opt_flag(ctx, "yes")) {
		core_error(CORE_ERR_USAGE, P_("Nothing deleted: add --yes to delete pool \"%s\" and its %u desktop.",
					      "Nothing deleted: add --yes to delete pool \"%s\" and its %u desktops.",
					      list->len), p->name, list->len);
		return -1;
	}
	for (guint i = 0; i < list->len; i++) {
		const struct desktop *d = list->pdata[i];

		job_progress(ctx->job, (double)i / list->len, _("Deleting %s (%u of %u)"), d->name,
			     i + 1, list->len);
		if (desktop_delete(ctx->eng, d->name) < 0) {
			cli_line(ctx, "%s", core_error_message());
			rc = -1;
			continue;
		}
		cli_line(ctx, _("Deleted desktop \"%s\"."), d->name);
	}
	if (rc < 0) {
		core_error(CORE_ERR_FAILED, _("Some desktops could not be deleted (see above); pool \"%s\" is kept."),
			   p->name);
		return -1;
	}
	if (pool_remove(p->name) < 0)
		return -1;
	cli_line(ctx, _("Deleted pool \"%s\"."), p->name);
	return 0;
}

/* The member @key of @b: an array of the strings of @list. */
static void json_array(JsonBuilder *b, const char *key, const GPtrArray *list)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++)
		json_builder_add_string_value(b, list->pdata[i]);
	json_builder_end_array(b);
}

struct pool_row {
	const struct pool *p;
	unsigned counts[DESKTOP_STATE_COUNT];
	unsigned total;
};

static void pool_json(JsonBuilder *b, const void *item)
{
	const struct pool_row *r = item;

	cli_json_str(b, "name", r->p->name);
	cli_json_str(b, "template", r->p->template_name);
	cli_json_int(b, "min", r->p->min);
	cli_json_int(b, "max", r->p->max);
	cli_json_int(b, "spares", r->p->spares);
	cli_json_str(b, "assign", pool_assign_id(r->p->assign));
	cli_json_str(b, "on_release", pool_release_id(r->p->on_release));
	cli_json_bool(b, "draining", r->p->draining);
	cli_json_int(b, "desktops", r->total);
	json_builder_set_member_name(b, "states");
	json_builder_begin_object(b);
	for (unsigned i = 0; i < DESKTOP_STATE_COUNT; i++)
		cli_json_int(b, desktop_state_id(i), r->counts[i]);
	json_builder_end_object(b);
}

static char **pool_row(const void *item)
{
	const struct pool_row *r = item;
	g_autofree char *size = g_strdup_printf("%u-%u/%u", r->p->min, r->p->max, r->p->spares);
	g_autofree char *n = g_strdup_printf("%u", r->total);
	g_autofree char *states = pool_states_text(r->counts, "");

	return cli_row(5, r->p->name, r->p->template_name, size, n,
		       r->p->draining ? _("draining") : states);
}

/* Rows of @pools with their desktops counted from @all. */
static GPtrArray *pool_rows(const GPtrArray *pools, const GPtrArray *all)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < pools->len; i++) {
		struct pool_row *r = g_new0(struct pool_row, 1);

		r->p = pools->pdata[i];
		r->total = pool_count(all, r->p->name, r->counts);
		g_ptr_array_add(rows, r);
	}
	return rows;
}

int exec_pool_list(struct cmd_ctx *ctx)
{
	static const struct cli_column cols[] = {
		{ N_("NAME"), 12 }, { N_("TEMPLATE"), 12 }, { N_("MIN-MAX/SPARES"), 16 },
		{ N_("DESKTOPS"), 10 }, { N_("STATES"), 0 },
	};
	struct cli_column c[G_N_ELEMENTS(cols)];
	const struct cli_list l = { c, G_N_ELEMENTS(c), _("No pools."), pool_json, pool_row };
	g_autoptr(GPtrArray) pools = pool_list();
	g_autoptr(GPtrArray) all = desktop_list(ctx->eng, NULL);
	g_autoptr(GPtrArray) rows = NULL;

	if (!all)
		return -1;
	for (unsigned i = 0; i < G_N_ELEMENTS(cols); i++)
		c[i] = (struct cli_column){ _(cols[i].heading), cols[i].min_cells };
	rows = pool_rows(pools, all);
	cli_list(ctx, &l, rows);
	return 0;
}

int exec_pool_info(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_load(ctx->args[0]);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *states = NULL, *log = NULL;
	struct pool_row row = { 0 }, *r = &row;

	if (!p || !(list = desktop_list(ctx->eng, p->name)))
		return -1;
	row.p = p;
	row.total = pool_count(list, NULL, row.counts);
	b = info_begin(ctx);
	if (b)
		pool_json(b, r);
	else {
		info_field(ctx, b, "name", _("Name:"), p->name);
		info_field(ctx, b, "template", _("Template:"), p->template_name);
		g_string_printf(s, _("%u to %u desktops, %u spare"), p->min, p->max, p->spares);
		info_field(ctx, b, "size", _("Size:"), s->str);
		info_field(ctx, b, "assign", _("Assignment:"), pool_assign_id(p->assign));
		info_field(ctx, b, "on_release", _("On release:"), pool_release_id(p->on_release));
		states = pool_states_text(r->counts, _("none"));
		info_field(ctx, b, "states", _("Desktops:"), states);
		if (p->draining)
			info_field(ctx, b, "draining", _("Draining:"), _("yes"));
	}
	if (b) {
		json_array(b, "users", p->users);
		json_array(b, "groups", p->groups);
	} else {
		g_string_truncate(s, 0);
		cli_join(s, p->users, ", ");
		info_field(ctx, b, "users", _("Users:"), s->len ? s->str : _("everyone who logs in"));
		g_string_truncate(s, 0);
		cli_join(s, p->groups, ", ");
		info_field(ctx, b, "groups", _("Groups:"), s->len ? s->str : NULL);
	}
	info_number(ctx, b, "max_per_user", _("Desktops per user:"), p->max_per_user);
	info_number(ctx, b, "disconnect_grace", _("Disconnect grace (s):"), p->disconnect_grace);
	info_number(ctx, b, "idle", _("Idle limit (s):"), p->idle);
	info_number(ctx, b, "max_session", _("Session limit (s):"), p->max_session);
	info_number(ctx, b, "boot_timeout", _("Boot timeout (s):"), p->boot_timeout);
	if (b)
		cli_json_str(b, "ready_marker", p->ready_marker);
	else
		info_field(ctx, b, "ready_marker", _("Ready when:"), p->ready_marker ? p->ready_marker :
			   _("the guest agent answers"));
	log = pool_log_tail(p->name, 10);
	info_field(ctx, b, "last_actions", _("Last actions:"), log);
	info_end(ctx, b);
	return 0;
}

static void desktop_json(JsonBuilder *b, const void *item)
{
	const struct desktop *d = item;

	cli_json_str(b, "name", d->name);
	cli_json_str(b, "pool", d->pool);
	cli_json_str(b, "state", desktop_state_id(d->state));
	cli_json_str(b, "user", d->user);
	cli_json_int(b, "since", d->since);
	cli_json_int(b, "assigned", d->assigned);
	cli_json_int(b, "failures", d->failures);
	cli_json_str(b, "reason", d->reason);
	cli_json_bool(b, "running", d->running);
	cli_json_bool(b, "ready_snapshot", d->snapshot);
}

static char **desktop_row(const void *item)
{
	const struct desktop *d = item;
	g_autoptr(GDateTime) t = d->since ? g_date_time_new_from_unix_local(d->since) : NULL;
	g_autofree char *since = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S") : NULL;

	return cli_row(6, d->name, d->pool, desktop_state_label(d->state), d->user, since,
		       d->reason);
}

int exec_desktop_list(struct cmd_ctx *ctx)
{
	static const struct cli_column cols[] = {
		{ N_("NAME"), 12 }, { N_("POOL"), 10 }, { N_("STATE"), 14 }, { N_("USER"), 10 },
		{ N_("SINCE"), 21 }, { N_("WHY"), 0 },
	};
	struct cli_column c[G_N_ELEMENTS(cols)];
	const struct cli_list l = { c, G_N_ELEMENTS(c), _("No desktops."), desktop_json, desktop_row };
	const char *pool = cmd_opt_str(ctx, "pool");
	autoptr(pool) p = pool ? pool_load(pool) : NULL;
	g_autoptr(GPtrArray) list = NULL;

	if (pool && !p)
		return -1;
	if (!(list = desktop_list(ctx->eng, pool)))
		return -1;
	for (unsigned i = 0; i < G_N_ELEMENTS(cols); i++)
		c[i] = (struct cli_column){ _(cols[i].heading), cols[i].min_cells };
	cli_list(ctx, &l, list);
	return 0;
}

int exec_desktop_assign(struct cmd_ctx *ctx)
{
	autoptr(pool) p = pool_load(ctx->args[0]);
	g_autofree char *name = NULL;

	if (!p)
		return -1;
	if (p->draining) {
		core_error(CORE_ERR_STATE, _("Pool \"%s\" drains: it hands out no desktop."), p->name);
		return -1;
	}
	if (!(name = pool_assign(ctx->eng, p, ctx->args[1])))
		return -1;
	cli_line(ctx, _("Desktop \"%s\" is %s's."), name, ctx->args[1]);
	return 0;
}

int exec_desktop_kick(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) list = desktop_list(ctx->eng, NULL);
	g_autoptr(GPtrArray) pools = g_ptr_array_new_with_free_func(g_free);
	const char *who = ctx->args[0];
	unsigned n = 0;

	if (!list)
		return -1;
	for (guint i = 0; i < list->len; i++) {
		const struct desktop *d = list->pdata[i];

		if (strcmp(d->name, who) != 0 && (!d->user || strcmp(d->user, who) != 0))
			continue;
		if (!d->user || d->state == DESKTOP_READY) {
			if (strcmp(d->name, who) == 0) {
				core_error(CORE_ERR_STATE, _("Desktop \"%s\" is %s: nobody holds it."),
					   d->name, desktop_state_label(d->state));
				return -1;
			}
			continue;
		}
		if (desktop_release(ctx->eng, d->name) < 0)
			return -1;
		cli_line(ctx, _("Released desktop \"%s\" of %s."), d->name, d->user);
		if (!g_ptr_array_find_with_equal_func(pools, d->pool, g_str_equal, NULL))
			g_ptr_array_add(pools, g_strdup(d->pool));
		n++;
	}
	if (!n) {
		core_error(CORE_ERR_NOT_FOUND, _("No desktop is held by or named \"%s\"."), who);
		return -1;
	}
	/* its refresh (or keep) happens now, not at the broker's next pass */
	for (guint i = 0; i < pools->len; i++)
		if (reconcile(ctx, pools->pdata[i], false) < 0)
			return -1;
	return 0;
}

int exec_desktop_refresh(struct cmd_ctx *ctx)
{
	g_autoptr(GString) log = g_string_new(NULL);
	autoptr(desktop) d = desktop_get(ctx->eng, ctx->args[0]);
	int rc;

	if (!d)
		return -1;
	rc = desktop_refresh(ctx->eng, d->name, ctx->job, log);
	/* the outcome first: a UI's status line shows the start */
	if (rc == 0)
		cli_line(ctx, _("Refreshed desktop \"%s\"."), d->name);
	g_string_append(ctx->out, log->str);
	/* one made anew starts now, not at the broker's next pass */
	return rc < 0 ? -1 : reconcile(ctx, d->pool, false);
}

static void serving(const char *url, void *data)
{
	struct cmd_ctx *ctx = data;
	g_autofree char *line = g_strdup_printf(_("Serving the desktop pools at %s (Ctrl-C stops)."), url);

	if (ctx->emit)
		ctx->emit(ctx, line);
	else
		cli_line(ctx, "%s", line);
}

int exec_serve(struct cmd_ctx *ctx)
{
	struct broker_opts o = {
		.listen = cmd_opt_str(ctx, "listen") ? cmd_opt_str(ctx, "listen") : "127.0.0.1:8443",
		.cert = cmd_opt_str(ctx, "cert"),
		.key = cmd_opt_str(ctx, "key"),
		.insecure_http = cmd_opt_flag(ctx, "insecure-http"),
		.plain_vnc = cmd_opt_flag(ctx, "plain-vnc"),
		.pam_service = cmd_opt_str(ctx, "pam-service") ? cmd_opt_str(ctx, "pam-service") : "vmtui",
		.pam_confdir = cmd_opt_str(ctx, "pam-confdir"),
		.public_host = cmd_opt_str(ctx, "public-host"),
		.novnc_dir = cmd_opt_str(ctx, "novnc"),
		.audit_log = cmd_opt_str(ctx, "audit-log"),
		.ticket_ttl = (unsigned)cmd_opt_number(ctx, "ticket-ttl", 90),
		.max_failures_account = (unsigned)cmd_opt_number(ctx, "max-failures-account", 100),
		.max_failures_address = (unsigned)cmd_opt_number(ctx, "max-failures-address", 30),
		.reconcile_every = (unsigned)cmd_opt_number(ctx, "reconcile-every", 5),
	};

	return broker_run(ctx->eng, &o, ctx->job, serving, ctx);
}

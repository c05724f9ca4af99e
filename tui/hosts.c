/*
 * hosts.c — the libvirt hosts on screen: the main engine, then each of
 * [hosts], connected in the background, each with its model refreshed by
 * jobs.
 */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "core/i18n.h"
#include "core/engine.h"
#include "tui/tui.h"

struct host *tui_host(struct tui *t, const struct vm_row *row)
{
	if (!row)
		row = tui_cursor_row(t);
	return g_ptr_array_index(t->hosts, row ? row->host : 0);
}

/* ---- hosts and their models ------------------------------------------- */

static int refresh_job(struct job *job, void *data)
{
	struct host *h = data;

	/* right after start-up libvirt may still reconnect to guests; later
	 * refreshes mark a guest that stops answering as "not responding"
	 * instead of waiting for it */
	if (!h->settled) {
		engine_wait_all_settled(h->eng, 3000);
		h->settled = true;
	}
	return model_refresh(h->model);
}

static int refreshed(struct tui *t, struct job *job, void *data)
{
	struct host *h = data;
	g_autofree char *err = NULL;

	if (job_get_error(job, &err) != CORE_OK)
		tui_message(t, true, "%s", err);
	else if ((err = engine_take_hook_error(h->eng)))
		tui_message(t, true, "%s", err); /* a forward set up behind the list */
	g_clear_pointer(&h->refresh, job_unref);
	h->loaded = true;
	h->model_gen = ~model_generation(h->model); /* take rows */
	return TUI_REDRAW;
}

/* A refresh waiting longer than this shows its host as slow. */
#define SLOW_S 5
#define BACKOFF_MAX_S 60

int hosts_slow(const struct host *h)
{
	gint64 s = h->refresh ? (g_get_monotonic_time() - h->refresh_at) / G_USEC_PER_SEC : 0;

	return s >= SLOW_S ? (int)s : 0;
}

/* The next connect to @h, after a wait that doubles each time. */
static void schedule_retry(struct host *h)
{
	h->backoff_s = h->backoff_s ? MIN(h->backoff_s * 2, BACKOFF_MAX_S) : 2;
	h->retry_at = g_get_monotonic_time() + (gint64)h->backoff_s * G_USEC_PER_SEC;
}

/* libvirt closed @h's connection: its rows go, the heading says so, and
 * it is connected again later. */
static void host_lost(struct tui *t, struct host *h)
{
	g_clear_pointer(&h->model, model_free);
	/* commands and views started on it may still hold it: its calls
	 * fail from now on, and it is closed with the others at the end */
	if (!h->dead)
		h->dead = g_ptr_array_new();
	g_ptr_array_add(h->dead, g_steal_pointer(&h->eng));
	h->loaded = h->settled = false;
	g_free(h->error);
	h->error = g_strdup(_("the connection was lost (the host stopped answering)"));
	schedule_retry(h);
	tui_message(t, true, _("Lost the connection to %s; connecting again in %d s."),
		    h->label, h->backoff_s);
}

int hosts_refresh(struct tui *t)
{
	gint64 now = g_get_monotonic_time();
	int res = 0;

	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		if (h->eng && !h->refresh && !engine_alive(h->eng) && h->uri) {
			host_lost(t, h);
			res = TUI_REDRAW;
		}
		if (!h->eng && !h->open && h->retry_at && now >= h->retry_at)
			hosts_reconnect(t, h);
		if (h->eng && !h->refresh) {
			h->refresh = job_submit("refresh", refresh_job, h, NULL, false);
			h->refresh_at = now;
			tui_watch(t, h->refresh, refreshed, h);
		}
		if (hosts_slow(h) || h->retry_at)
			res = TUI_REDRAW; /* its heading counts the seconds */
	}
	t->next_refresh = now + (gint64)t->refresh_ms * 1000;
	return res;
}

static void host_connected(struct host *h, struct engine *eng)
{
	h->eng = eng;
	h->model = model_new(eng);
	model_set_notify(h->model, tui_wake_model, NULL);
	/* a long-running vmtui also sets up the port forwards of VMs other
	 * clients start, and of those running now (as jobs, never here) */
	engine_watch_starts(eng);
}

struct open_data {
	const struct core_config *cfg;
	char *uri;
	struct engine *eng;
};

static void open_data_free(gpointer p)
{
	struct open_data *d = p;

	if (d->eng && engine_close(d->eng) < 0)
		g_warning("engine left open"); /* only embedded engines refuse */
	g_free(d->uri);
	g_free(d);
}

static int open_job(struct job *job, void *data)
{
	struct open_data *d = data;

	d->eng = engine_open_uri(d->cfg, d->uri, false);
	if (d->eng)
		engine_accel(d->eng); /* asked here, where it may block */
	return d->eng ? 0 : -1;
}

static int opened(struct tui *t, struct job *job, void *data)
{
	struct host *h = data;
	struct open_data *d = job_data(job);
	g_autofree char *err = NULL;

	if (job_get_error(job, &err) == CORE_OK) {
		host_connected(h, g_steal_pointer(&d->eng));
		h->backoff_s = 0;
		h->retry_at = 0;
		hosts_refresh(t);
	} else {
		h->error = g_steal_pointer(&err);
		schedule_retry(h);
	}
	g_clear_pointer(&h->open, job_unref);
	return TUI_REDRAW;
}

void hosts_reconnect(struct tui *t, struct host *h)
{
	struct open_data *d = g_new0(struct open_data, 1);

	d->cfg = t->cfg;
	d->uri = g_strdup(h->uri);
	g_clear_pointer(&h->error, g_free);
	h->retry_at = 0;
	h->open = job_submit("connect", open_job, d, open_data_free, false);
	tui_watch(t, h->open, opened, h);
}

static void host_free(gpointer p)
{
	struct host *h = p;

	g_free(h->label);
	g_free(h->uri);
	g_free(h->error);
	g_free(h);
}

static struct host *host_new(struct tui *t, const char *label, const char *uri)
{
	struct host *h = g_new0(struct host, 1);
	struct vm_row *heading = g_new0(struct vm_row, 1);

	h->id = t->hosts->len;
	h->label = g_strdup(label);
	h->uri = g_strdup(uri);
	heading->name = g_strdup(label);
	heading->host = h->id;
	g_ptr_array_add(t->hosts, h);
	g_ptr_array_add(t->dv.groups, heading);
	return h;
}

/* The main engine @eng, then each of [hosts] (connected in the
 * background); an entry naming the main engine's URI only gives it its
 * label. */
void hosts_add(struct tui *t, struct engine *eng)
{
	const char *label = engine_is_embedded(eng) ? _("local") : engine_uri(eng);
	struct host *h;

	t->hosts = g_ptr_array_new_with_free_func(host_free);
	t->dv.groups = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	for (guint i = 0; i < t->cfg->hosts->len; i++) {
		const struct core_pair *p = t->cfg->hosts->pdata[i];

		if (strcmp(p->value, engine_uri(eng)) == 0)
			label = p->key;
	}
	h = host_new(t, label, t->cfg->uri);
	host_connected(h, eng);
	for (guint i = 0; i < t->cfg->hosts->len; i++) {
		const struct core_pair *p = t->cfg->hosts->pdata[i];

		if (strcmp(p->value, engine_uri(eng)) != 0)
			hosts_reconnect(t, host_new(t, p->key, p->value));
	}
}

/* -1 when the main engine must be left open (see engine_close). */
int hosts_close(struct tui *t)
{
	int ret = 0;

	for (guint i = t->hosts->len; i-- > 0;) {
		struct host *h = g_ptr_array_index(t->hosts, i);

		g_clear_pointer(&h->refresh, job_unref);
		g_clear_pointer(&h->open, job_unref);
		model_free(h->model);
		if (engine_close(h->eng) < 0)
			ret = -1;
		for (guint j = 0; h->dead && j < h->dead->len; j++)
			if (engine_close(h->dead->pdata[j]) < 0)
				ret = -1;
		if (h->dead)
			g_ptr_array_unref(h->dead);
	}
	g_ptr_array_unref(t->hosts);
	g_ptr_array_unref(t->dv.groups);
	return ret;
}

/* ---- migrate ---------------------------------------------------------------- */

/* The VM the destination is chosen for, and its host. */
static struct {
	char *vm;
	unsigned host;
	bool running;
} moving;

static int migrate_chosen(struct tui *t, const char *value)
{
	struct host *h = moving.host < t->hosts->len ? t->hosts->pdata[moving.host] : NULL;
	g_auto(GStrv) v = value ? g_strsplit(value, "\t", 2) : NULL;
	char *argv[8] = { (char *)"migrate", moving.vm, NULL };
	int n = 2;

	if (!h || !v || !v[0])
		return TUI_REDRAW;
	argv[n++] = v[0];
	/* what moving a VM means to its user: it is there, and only there */
	argv[n++] = (char *)"--persistent";
	argv[n++] = (char *)"--undefine-source";
	if (moving.running)
		argv[n++] = (char *)"--live";
	if (v[1])
		argv[n++] = (char *)"--copy-storage";
	if (tui_start_command(t, h, argv, moving.vm, false))
		tui_message(t, false, _("Migrating %s; %s stops it."), moving.vm,
			    actions_key_of("cancel"));
	return TUI_REDRAW;
}

int act_migrate(struct tui *t, const struct action *a)
{
	const struct vm_row *vm = tui_selected(t);
	struct host *src = tui_host(t, vm);
	GPtrArray *items;
	g_autofree char *title = NULL;

	(void)a;
	if (!vm)
		return TUI_REDRAW;
	items = picker_items_new();
	for (guint i = 0; i < t->hosts->len; i++) {
		struct host *h = t->hosts->pdata[i];
		g_autofree char *copy = NULL, *copy_value = NULL;
		const char *state = h->error ? _("down") : !h->eng ? _("connecting") : "";

		/* an embedded engine takes no migrating VM (libvirt 9.0) */
		if (h == src || !h->uri)
			continue;
		copy = g_strdup_printf(_("%s, copying its disks"), h->label);
		copy_value = g_strdup_printf("%s\tcopy", h->uri);
		picker_add(items, h->label, state, h->uri);
		picker_add(items, copy, state, copy_value);
	}
	if (!items->len) {
		g_ptr_array_unref(items);
		tui_message(t, true, _("There is no other host to move %s to: add one with `vmtui host add NAME URI` (a libvirt daemon; the embedded engine takes none), then start vmtui again."),
			    vm->name);
		return TUI_REDRAW;
	}
	g_free(moving.vm);
	moving.vm = g_strdup(vm->name);
	moving.host = src->id;
	moving.running = vm_state_active(vm->state);
	title = g_strdup_printf(_("Migrate %s to"), vm->name);
	picker_open(t, title, items, true, migrate_chosen);
	return TUI_REDRAW;
}

/*
 * model.c — the domain model the UI reads: one row per VM with its state
 * and resource figures.
 *
 * Rows change two ways: lifecycle events from the event-loop thread update
 * the state at once, and model_refresh() re-reads everything with one
 * virConnectGetAllDomainStats() call (plus two list calls for persistence
 * and autostart), never one call per domain, except for the guest
 * addresses of at most a few guests per refresh, through the lookup the
 * program set (model_set_address_lookup).  A mutex guards the rows; the
 * UI takes copies with model_rows().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/engine.h"
#include "core/model.h"
#include "core/vm.h"
#include "core/i18n.h"

struct model {
	struct engine *eng;
	GMutex lock;
	GHashTable *rows;  /* uuid -> struct vm_row */
	unsigned gen;
	gint64 stamp;      /* monotonic time of the last refresh */
	void (*notify)(void *opaque);
	void *notify_opaque;
	GQueue events;     /* struct model_event, newest last */
	int addr_wait_ms;  /* see model_set_address_wait */
};

/* Set once at start, before any model exists; read by refresh workers. */
static model_address_fn address_lookup;

void model_set_address_lookup(model_address_fn fn)
{
	address_lookup = fn;
}

void model_set_address_wait(struct model *m, int wait_ms)
{
	m->addr_wait_ms = MAX(wait_ms, 0);
}

#define MODEL_EVENTS_MAX 500

struct model_event {
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *text;        /* "HH:MM:SS event" */
};

static void model_event_free(gpointer p)
{
	struct model_event *e = p;

	g_free(e->text);
	g_free(e);
}

char **model_events(struct model *m, const char *uuid)
{
	GPtrArray *out = g_ptr_array_new();

	g_mutex_lock(&m->lock);
	for (GList *l = m->events.head; l; l = l->next) {
		struct model_event *e = l->data;

		if (strcmp(e->uuid, uuid) == 0)
			g_ptr_array_add(out, g_strdup(e->text));
	}
	g_mutex_unlock(&m->lock);
	while (out->len > 50)
		g_free(g_ptr_array_steal_index(out, 0));
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

void model_set_notify(struct model *m, void (*notify)(void *opaque),
		      void *opaque)
{
	g_mutex_lock(&m->lock);
	m->notify = notify;
	m->notify_opaque = opaque;
	g_mutex_unlock(&m->lock);
}

void vm_row_free(struct vm_row *row)
{
	if (!row)
		return;
	g_free(row->name);
	g_free(row->ip);
	if (row->addrs)
		g_ptr_array_unref(row->addrs);
	g_free(row);
}

static struct vm_row *row_copy(const struct vm_row *r)
{
	struct vm_row *c = g_memdup2(r, sizeof *r);

	c->name = g_strdup(r->name);
	c->ip = g_strdup(r->ip);
	c->addrs = vm_addrs_copy(r->addrs);
	return c;
}

/* Event-loop thread: apply a lifecycle event to the row it concerns. */
static void on_event(const char *uuid, int event, int detail, void *opaque)
{
	struct model *m = opaque;
	struct vm_row *row;
	int state = -1;

	switch ((virDomainEventType)event) {
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		state = VIR_DOMAIN_RUNNING;
		break;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		state = VIR_DOMAIN_PAUSED;
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		state = detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED ?
			VIR_DOMAIN_CRASHED : VIR_DOMAIN_SHUTOFF;
		break;
	case VIR_DOMAIN_EVENT_SHUTDOWN:
		state = VIR_DOMAIN_SHUTDOWN;
		break;
	case VIR_DOMAIN_EVENT_CRASHED:
		state = VIR_DOMAIN_CRASHED;
		break;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		state = VIR_DOMAIN_PMSUSPENDED;
		break;
	case VIR_DOMAIN_EVENT_DEFINED:
	case VIR_DOMAIN_EVENT_UNDEFINED:
		break; /* the next refresh adds or drops the row */
	}
	g_mutex_lock(&m->lock);
	{
		struct model_event *e = g_new0(struct model_event, 1);
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree char *stamp = g_date_time_format(now, "%H:%M:%S");

		g_strlcpy(e->uuid, uuid, sizeof e->uuid);
		e->text = g_strdup_printf("%s %s", stamp, vm_event_id(event, detail));
		g_queue_push_tail(&m->events, e);
		if (m->events.length > MODEL_EVENTS_MAX)
			model_event_free(g_queue_pop_head(&m->events));
	}
	row = g_hash_table_lookup(m->rows, uuid);
	if (row && state >= 0)
		row->state = state;
	if (row && event == VIR_DOMAIN_EVENT_STARTED)
		row->started = g_get_real_time();
	if (row && event == VIR_DOMAIN_EVENT_STOPPED) {
		row->started = 0;
		g_clear_pointer(&row->ip, g_free);
		g_clear_pointer(&row->addrs, g_ptr_array_unref);
		row->ip_checked = 0;
	}
	if (row && event == VIR_DOMAIN_EVENT_UNDEFINED)
		g_hash_table_remove(m->rows, uuid);
	m->gen++;
	if (m->notify)
		m->notify(m->notify_opaque);
	g_mutex_unlock(&m->lock);
}

/* Event-loop thread: an agent came or went; its VM's addresses are asked
 * again at the next refresh instead of after the usual pause. */
static void on_agent(const char *uuid, bool connected, void *opaque)
{
	struct model *m = opaque;
	struct vm_row *row;

	g_mutex_lock(&m->lock);
	row = g_hash_table_lookup(m->rows, uuid);
	if (row) {
		row->ip_checked = 0;
		row->ip_slow = false;
		m->gen++;
		if (m->notify)
			m->notify(m->notify_opaque);
	}
	g_mutex_unlock(&m->lock);
}

struct model *model_new(struct engine *eng)
{
	struct model *m = g_new0(struct model, 1);

	m->eng = eng;
	g_mutex_init(&m->lock);
	m->rows = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					(GDestroyNotify)vm_row_free);
	engine_set_event_cb(eng, on_event, m);
	engine_set_agent_cb(eng, on_agent, m);
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	engine_set_event_cb(m->eng, NULL, NULL);
	engine_set_agent_cb(m->eng, NULL, NULL);
	g_queue_clear_full(&m->events, model_event_free);
	g_hash_table_unref(m->rows);
	g_mutex_clear(&m->lock);
	g_free(m);
}

/* Set of UUIDs of the domains listed with @flags. */
static GHashTable *uuid_set(virConnectPtr conn, unsigned flags)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, flags);

	for (int i = 0; i < n; i++) {
		char uuid[VIR_UUID_STRING_BUFLEN];

		if (virDomainGetUUIDString(doms[i], uuid) == 0)
			g_hash_table_add(set, g_strdup(uuid));
		virDomainFree(doms[i]);
	}
	free(doms);
	return set;
}

/* Fills @row from one domain's typed-parameter stats. */
static void apply_stats(struct vm_row *row, virDomainStatsRecordPtr rec)
{
	uint64_t available = 0, unused = 0, rss = 0;
	bool net_seen = false;

	for (int i = 0; i < rec->nparams; i++) {
		virTypedParameterPtr p = &rec->params[i];
		const char *f = p->field;
		unsigned long long v;

		switch ((virTypedParameterType)p->type) {
		case VIR_TYPED_PARAM_INT:
			v = (unsigned long long)p->value.i;
			break;
		case VIR_TYPED_PARAM_UINT:
			v = p->value.ui;
			break;
		case VIR_TYPED_PARAM_LLONG:
			v = (unsigned long long)p->value.l;
			break;
		case VIR_TYPED_PARAM_ULLONG:
			v = p->value.ul;
			break;
		case VIR_TYPED_PARAM_DOUBLE:
		case VIR_TYPED_PARAM_BOOLEAN:
		case VIR_TYPED_PARAM_STRING:
		default:
			continue;
		}
		if (strcmp(f, "state.state") == 0)
			row->state = (int)v;
		else if (strcmp(f, "state.reason") == 0)
			row->reason = (int)v;
		else if (strcmp(f, "cpu.time") == 0)
			row->cpu_ns = v;
		else if (strcmp(f, "balloon.current") == 0)
			row->mem_kib = v;
		else if (strcmp(f, "balloon.maximum") == 0)
			row->max_mem_kib = v;
		else if (strcmp(f, "balloon.rss") == 0)
			rss = v;
		else if (strcmp(f, "balloon.available") == 0)
			available = v;
		else if (strcmp(f, "balloon.unused") == 0)
			unused = v;
		else if (strcmp(f, "net.count") == 0)
			row->nics = (unsigned)v, net_seen = true;
		else if (strcmp(f, "vcpu.current") == 0)
			row->vcpus = (unsigned)v;
		else if (g_str_has_prefix(f, "block.") && g_str_has_suffix(f, ".rd.bytes"))
			row->rd_bytes += v;
		else if (g_str_has_prefix(f, "block.") && g_str_has_suffix(f, ".wr.bytes"))
			row->wr_bytes += v;
		else if (g_str_has_prefix(f, "net.") && g_str_has_suffix(f, ".rx.bytes"))
			row->rx_bytes += v;
		else if (g_str_has_prefix(f, "net.") && g_str_has_suffix(f, ".tx.bytes"))
			row->tx_bytes += v;
	}
	/* the guest's own figure needs its balloon driver; QEMU's resident
	 * size also counts QEMU itself and pages the guest freed */
	row->used_kib = available > unused ? available - unused : rss;
	/* drivers with partial stats (test:///): it may have interfaces */
	if (!net_seen)
		row->nics = 1;
}

static bool state_active(int state)
{
	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED &&
	       state != VIR_DOMAIN_NOSTATE;
}

/* Looks up the addresses of a few running guests per refresh (one lookup
 * each), those asked longest ago first, and stops once the lookups took
 * ADDR_BUDGET_US, so a refresh stays bounded with many guests or a hung
 * agent.  Guests with an address the host can reach are asked again
 * after 30 s, others (nothing yet, or only a nat NIC's fixed address
 * while the agent starts) after 5 s, those whose lookup was slow after
 * 60 s. */
#define ADDR_LOOKUPS_PER_REFRESH 16
#define ADDR_BUDGET_US (2 * G_USEC_PER_SEC)
#define ADDR_SLOW_US (G_USEC_PER_SEC)

struct addr_lookup {
	char uuid[VIR_UUID_STRING_BUFLEN];
	virDomainPtr dom;  /* held by the stats records */
	gint64 checked;
	bool done, slow;
	GPtrArray *addrs;
};

static int compare_checked(gconstpointer a, gconstpointer b)
{
	const struct addr_lookup *x = a, *y = b;

	return (x->checked > y->checked) - (x->checked < y->checked);
}

static bool address_due(const struct vm_row *row, gint64 now)
{
	const struct vm_addr *best = vm_addrs_best(row->addrs);
	int secs = row->ip_slow ? 60 : best && best->source != VM_ADDR_NAT ? 30 : 5;

	return row->state == VIR_DOMAIN_RUNNING && row->nics > 0 &&
	       (!row->ip_checked || now - row->ip_checked > secs * G_USEC_PER_SEC);
}

static void lookup_addresses(struct model *m, GArray *todo)
{
	gint64 start = g_get_monotonic_time();
	gint64 wait_end = start + (gint64)m->addr_wait_ms * 1000;

	if (!address_lookup)
		return;
	g_array_sort(todo, compare_checked);
	g_array_set_size(todo, MIN(todo->len, ADDR_LOOKUPS_PER_REFRESH));
	for (guint i = 0; i < todo->len; i++) {
		struct addr_lookup *l = &g_array_index(todo, struct addr_lookup, i);
		gint64 t0 = g_get_monotonic_time();
		gint64 wait = MAX(wait_end - t0, 0) / 1000;

		/* a command waiting for agents may spend its wait */
		if (t0 - start > ADDR_BUDGET_US && t0 >= wait_end)
			break;
		l->addrs = address_lookup(m->eng, l->dom, (int)wait);
		l->slow = g_get_monotonic_time() - t0 > ADDR_SLOW_US + wait * 1000;
		l->done = true;
	}
	g_mutex_lock(&m->lock);
	for (guint i = 0; i < todo->len; i++) {
		struct addr_lookup *l = &g_array_index(todo, struct addr_lookup, i);
		struct vm_row *row = l->done ? g_hash_table_lookup(m->rows, l->uuid) : NULL;

		if (row) {
			const struct vm_addr *best = vm_addrs_best(l->addrs);
			g_autofree char *ip = best ? g_strdup(best->addr) : NULL;

			if (g_strcmp0(row->ip, ip) != 0 ||
			    (row->addrs ? row->addrs->len : 0) != (l->addrs ? l->addrs->len : 0))
				m->gen++;
			g_free(row->ip);
			row->ip = g_steal_pointer(&ip);
			if (row->addrs)
				g_ptr_array_unref(row->addrs);
			row->addrs = g_steal_pointer(&l->addrs);
			row->ip_checked = g_get_monotonic_time();
			row->ip_slow = l->slow;
		}
		if (l->addrs)
			g_ptr_array_unref(l->addrs);
	}
	g_mutex_unlock(&m->lock);
}

/* Per-second rate of a counter that went from @old to @now in @secs. */
static double rate(uint64_t old, uint64_t now, double secs)
{
	return secs > 0 && now >= old ? (double)(now - old) / secs : 0.0;
}

int model_refresh(struct model *m)
{
	virConnectPtr conn = engine_conn(m->eng);
	virDomainStatsRecordPtr *recs = NULL;
	g_autoptr(GHashTable) persistent = NULL;
	g_autoptr(GHashTable) autostart = NULL;
	g_autoptr(GArray) todo = g_array_new(FALSE, TRUE, sizeof(struct addr_lookup));
	GHashTable *rows;
	gint64 now;
	double secs;
	int n;

	/* NOWAIT: a guest whose QEMU is busy or frozen gets fewer figures
	 * instead of stalling the whole list */
	n = virConnectGetAllDomainStats(conn, 0, &recs,
					VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
	if (n < 0)
		n = virConnectGetAllDomainStats(conn, 0, &recs, 0);
	if (n < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read the VM list"));
		return -1;
	}
	persistent = uuid_set(conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
	autostart = uuid_set(conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART);
	now = g_get_monotonic_time();
	rows = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
				     (GDestroyNotify)vm_row_free);

	g_mutex_lock(&m->lock);
	secs = m->stamp ? (now - m->stamp) / 1e6 : 0;
	for (int i = 0; i < n; i++) {
		struct vm_row *row = g_new0(struct vm_row, 1);
		const struct vm_row *old;

		if (virDomainGetUUIDString(recs[i]->dom, row->uuid) < 0) {
			g_free(row);
			continue;
		}
		row->name = g_strdup(virDomainGetName(recs[i]->dom));
		row->state = VIR_DOMAIN_NOSTATE;
		apply_stats(row, recs[i]);
		if (!row->max_mem_kib) {
			/* drivers with partial bulk stats (test:///) */
			virDomainInfo info;

			if (virDomainGetInfo(recs[i]->dom, &info) == 0) {
				row->max_mem_kib = info.maxMem;
				row->mem_kib = info.memory;
				row->vcpus = info.nrVirtCpu;
				row->cpu_ns = info.cpuTime;
			}
		}
		row->persistent = g_hash_table_contains(persistent, row->uuid);
		row->autostart = g_hash_table_contains(autostart, row->uuid);
		if (engine_is_embedded(m->eng) && row->state != VIR_DOMAIN_SHUTOFF) {
			virDomainControlInfo ci;

			row->settling = virDomainGetControlInfo(recs[i]->dom, &ci, 0) == 0 &&
					(ci.state == VIR_DOMAIN_CONTROL_JOB ||
					 ci.state == VIR_DOMAIN_CONTROL_OCCUPIED);
		}
		old = g_hash_table_lookup(m->rows, row->uuid);
		if (state_active(row->state)) {
			if (old && old->started)
				row->started = old->started;
			else if (old && !state_active(old->state))
				row->started = g_get_real_time();
			else
				row->started = engine_vm_started(m->eng, row->name);
			if (old) {
				row->ip = g_strdup(old->ip);
				row->addrs = vm_addrs_copy(old->addrs);
				row->ip_checked = old->ip_checked;
				row->ip_slow = old->ip_slow;
			}
			if (address_due(row, now)) {
				struct addr_lookup l = { .dom = recs[i]->dom,
							 .checked = row->ip_checked };

				g_strlcpy(l.uuid, row->uuid, sizeof l.uuid);
				g_array_append_val(todo, l);
			}
		}
		if (old && secs > 0) {
			row->cpu_pct = rate(old->cpu_ns, row->cpu_ns, secs) / 1e7;
			row->rd_rate = rate(old->rd_bytes, row->rd_bytes, secs);
			row->wr_rate = rate(old->wr_bytes, row->wr_bytes, secs);
			row->rx_rate = rate(old->rx_bytes, row->rx_bytes, secs);
			row->tx_rate = rate(old->tx_bytes, row->tx_bytes, secs);
		}
		g_hash_table_replace(rows, row->uuid, row);
	}
	g_hash_table_unref(m->rows);
	m->rows = rows;
	m->stamp = now;
	m->gen++;
	g_mutex_unlock(&m->lock);
	lookup_addresses(m, todo);
	virDomainStatsRecordListFree(recs);
	return 0;
}

static gint compare_rows(gconstpointer a, gconstpointer b)
{
	const struct vm_row *x = *(struct vm_row *const *)a;
	const struct vm_row *y = *(struct vm_row *const *)b;
	int c = g_utf8_collate(x->name, y->name);

	return c ? c : strcmp(x->uuid, y->uuid);
}

GPtrArray *model_rows(struct model *m)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_row_free);
	GHashTableIter it;
	gpointer value;

	g_mutex_lock(&m->lock);
	g_hash_table_iter_init(&it, m->rows);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(out, row_copy(value));
	g_mutex_unlock(&m->lock);
	g_ptr_array_sort(out, compare_rows);
	return out;
}

unsigned model_generation(struct model *m)
{
	unsigned g;

	g_mutex_lock(&m->lock);
	g = m->gen;
	g_mutex_unlock(&m->lock);
	return g;
}

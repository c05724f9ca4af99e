/*
 * reconcile.c — the loop that keeps a pool as its definition says: one
 * pass looks at every desktop, moves it on (starts it, sees that it is
 * ready, takes its ready snapshot, releases it when its timers run out,
 * refreshes it), then makes or deletes desktops so that the pool has its
 * spares within its minimum and maximum.
 *
 * A pass starts at most VDI_OPS_PER_PASS clones or starts, so a pool of
 * 50 never boots 50 guests at once.  A desktop that fails (does not
 * start, is not ready within the pool's boot timeout, cannot be
 * refreshed) waits longer before each try (10 s, 20 s, ...), and after
 * VDI_FAILURES_MAX failures in a row it is quarantined, powered off with
 * the reason, until the admin refreshes it.
 *
 * Refresh: back to the desktop's ready snapshot (an internal snapshot of
 * the running guest taken when it was first ready: no boot) where its
 * disks allow one, else a new overlay on the template's base and a boot.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "core/engine.h"
#include "core/i18n.h"
#include "core/logs.h"
#include "core/vm.h"
#include "storage/storage.h"
#include "templates/templates.h"
#include "vdi/vdi-priv.h"

#define VDI_OPS_PER_PASS 2
#define VDI_FAILURES_MAX 3
#define READY_SCAN_MAX (4 * 1024 * 1024)

/* Refreshes done by this process: by their path, how many, how long. */
static GMutex refresh_lock;
static guint64 refresh_count[2];
static double refresh_seconds[2];

static void refresh_done(int path, gint64 t0)
{
	g_mutex_lock(&refresh_lock);
	refresh_count[path]++;
	refresh_seconds[path] += (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	g_mutex_unlock(&refresh_lock);
}

void vdi_refresh_stats(guint64 *count, double *seconds)
{
	g_mutex_lock(&refresh_lock);
	memcpy(count, refresh_count, sizeof refresh_count);
	memcpy(seconds, refresh_seconds, sizeof refresh_seconds);
	g_mutex_unlock(&refresh_lock);
}

static gint64 now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void logf_line(GString *log, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void logf_line(GString *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(log, fmt, ap);
	va_end(ap);
	g_string_append_c(log, '\n');
}

/* A line of what a pass did that is not a move (desktop_move logs
 * those): to @log, and to the pool's log for the admin. */
static void note(GString *log, const char *pool, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void note(GString *log, const char *pool, const char *fmt, ...)
{
	g_autofree char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_string_append_printf(log, "%s\n", line);
	vdi_pool_log(pool, line);
}

/* Moves @d and logs it in @log. */
static void move(struct engine *eng, struct desktop *d, enum desktop_state to, GString *log)
{
	enum desktop_state was = d->state;

	if (desktop_move(eng, d, to) == 0)
		logf_line(log, "%s: %s → %s", d->name, desktop_state_id(was), desktop_state_id(to));
	else
		logf_line(log, "%s: %s", d->name, core_error_message());
}

/* The size of @d's serial log now (0 when it has none yet). */
static uint64_t serial_size(struct engine *eng, const char *name)
{
	int state, reason;
	autoptr(vm_spec) spec = vm_describe(eng, name, &state, &reason);
	struct stat st;

	if (!spec || !spec->serial_log || stat(spec->serial_log, &st) < 0) {
		core_error_clear();
		return 0;
	}
	return (uint64_t)st.st_size;
}

/* Whether @d's guest said it is ready since its start: @p's marker on
 * its serial console after d->mark, or its guest agent connected. */
static bool guest_ready(struct engine *eng, const struct pool *p, const struct desktop *d)
{
	int state, reason;
	autoptr(vm_spec) spec = vm_describe(eng, d->name, &state, &reason);
	g_autofree char *buf = NULL;
	struct stat st;
	off_t from;
	ssize_t n;
	int fd;

	if (!spec) {
		core_error_clear();
		return false;
	}
	if (!p->ready_marker)
		return spec->agent_connected;
	if (!spec->serial_log || (fd = serial_log_open(spec->serial_log, NULL)) < 0) {
		core_error_clear();
		return false;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return false;
	}
	/* a log the keeper cut is read from its start */
	from = (uint64_t)st.st_size >= d->mark ? (off_t)d->mark : 0;
	if (st.st_size - from > READY_SCAN_MAX)
		from = st.st_size - READY_SCAN_MAX;
	buf = g_malloc((size_t)(st.st_size - from) + 1);
	n = pread(fd, buf, (size_t)(st.st_size - from), from);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return g_strstr_len(buf, n, p->ready_marker) != NULL;
}

/* Counts a failure of @d: powers it off and waits for the next try, or
 * quarantines it after VDI_FAILURES_MAX in a row. */
static void fail(struct engine *eng, struct desktop *d, const char *why, GString *log)
{
	g_free(d->reason);
	d->reason = g_strdup(why);
	d->failures++;
	note(log, d->pool, "%s: %s", d->name, why);
	if (d->running && vm_destroy(eng, d->name) < 0)
		core_error_clear();
	d->running = false;
	move(eng, d, d->failures >= VDI_FAILURES_MAX ? DESKTOP_QUARANTINED : DESKTOP_BOOTING, log);
}

/* Starts @d's guest (counted in *@ops) and moves it to booting. */
static void start(struct engine *eng, struct desktop *d, unsigned *ops, GString *log)
{
	(*ops)++;
	d->mark = serial_size(eng, d->name);
	if (vm_start(eng, d->name) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		fail(eng, d, why, log);
		return;
	}
	d->running = true;
	logf_line(log, "%s: started", d->name);
	/* its display opens to the broker's tickets only */
	if (vdi_console_lock(eng, d->name) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		fail(eng, d, why, log);
		return;
	}
	move(eng, d, DESKTOP_BOOTING, log);
}

/* The seconds a desktop with @failures failures waits before the next
 * try: 10, 20, 40 ... */
static gint64 backoff(unsigned failures)
{
	return failures ? (gint64)10 << MIN(failures - 1, 6) : 0;
}

/* Makes desktop @name of @p: a linked clone of the template with its own
 * seed, marked as a desktop, and started.  0 or -1 (nothing left). */
static int make_desktop(struct engine *eng, const struct pool *p, const char *name,
			struct job *job, GString *log)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	struct provision_opts o = { 0 };
	g_autofree char *report = NULL;
	struct desktop d = { 0 };

	g_ptr_array_add(names, g_strdup(name));
	o.template_name = p->template_name;
	o.names = names;
	o.hostname = name;
	o.sudo = -1;
	o.graphics = true;
	if (provision_run(eng, &o, job, &report) < 0) {
		note(log, p->name, "%s: %s", name, core_error_message());
		return -1;
	}
	d.name = (char *)name;
	d.pool = p->name;
	d.state = DESKTOP_PROVISIONING;
	/* its definition gets the password QEMU needs to take tickets later:
	 * once, here, and every start (or revert) keeps it */
	if (vdi_console_prepare(eng, name) < 0 || desktop_move(eng, &d, DESKTOP_PROVISIONING) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		if (desktop_delete(eng, name) < 0)
			core_error_clear();
		core_error(CORE_ERR_FAILED, "%s", why);
		logf_line(log, "%s: %s", name, why);
		return -1;
	}
	logf_line(log, "%s: made from template \"%s\"", name, p->template_name);
	return 0;
}

/* A desktop name of @p that no VM of @eng has: POOL-NN, the lowest NN. */
static char *free_name(struct engine *eng, const struct pool *p)
{
	for (unsigned i = 1; i < 1000; i++) {
		g_autofree char *name = g_strdup_printf(p->max > 99 ? "%s-%03u" : "%s-%02u",
							p->name, i);

		if (!vm_exists(eng, name)) {
			core_error_clear();
			return g_steal_pointer(&name);
		}
	}
	core_error(CORE_ERR_STATE, _("Pool \"%s\" has no free desktop name left."), p->name);
	return NULL;
}

/* Puts @d back to a ready desktop: its ready snapshot, else a new
 * overlay and a boot.  0 or -1 (a failure counted on it). */
static int refresh(struct engine *eng, const struct pool *p, struct desktop *d,
		   struct job *job, GString *log)
{
	gint64 t0 = g_get_monotonic_time();

	g_clear_pointer(&d->user, g_free);
	d->assigned = 0;
	if (d->snapshot) {
		if (snapshot_revert(eng, d->name, DESKTOP_READY_SNAPSHOT, SNAPSHOT_RUNNING, job) == 0) {
			/* the revert brought back the definition saved with the
			 * snapshot, and with it the state of that moment */
			d->running = true;
			if (vdi_console_lock(eng, d->name) < 0) {
				g_autofree char *why = g_strdup(core_error_message());

				fail(eng, d, why, log);
				return -1;
			}
			d->failures = 0;
			g_clear_pointer(&d->reason, g_free);
			move(eng, d, DESKTOP_READY, log);
			refresh_done(0, t0);
			note(log, d->pool, "%s: refreshed from its ready snapshot in %" G_GINT64_FORMAT " ms",
			     d->name, (g_get_monotonic_time() - t0) / 1000);
			return 0;
		}
		note(log, d->pool, "%s: %s; making it anew", d->name, core_error_message());
		core_error_clear();
	}
	if (desktop_delete(eng, d->name) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		fail(eng, d, why, log);
		return -1;
	}
	if (make_desktop(eng, p, d->name, job, log) < 0)
		return -1;
	refresh_done(1, t0);
	note(log, d->pool, "%s: made anew in %" G_GINT64_FORMAT " ms", d->name,
	     (g_get_monotonic_time() - t0) / 1000);
	return 0;
}

/* The timers of a desktop in use: disconnect grace, max session (the
 * idle timer is the broker's, which sees the viewer's input). */
static bool timed_out(const struct pool *p, const struct desktop *d, gint64 now)
{
	if (p->max_session && d->assigned && now - d->assigned >= p->max_session)
		return true;
	return (d->state == DESKTOP_DISCONNECTED || d->state == DESKTOP_ASSIGNED) &&
	       now - d->since >= p->disconnect_grace;
}

/* Moves @d on by one step; *@ops counts the clones and starts. */
static void step(struct engine *eng, const struct pool *p, struct desktop *d, unsigned *ops,
		 struct job *job, GString *log)
{
	gint64 now = now_s();

	if (p->draining && !d->user) {
		/* nobody holds it: a draining pool deletes it, whatever it does */
		if (desktop_delete(eng, d->name) == 0) {
			note(log, d->pool, "%s: deleted (the pool drains)", d->name);
		} else {
			logf_line(log, "%s: %s", d->name, core_error_message());
			core_error_clear();
		}
		return;
	}
	switch (d->state) {
	case DESKTOP_PROVISIONING:
	case DESKTOP_BOOTING:
		if (!d->running) {
			if (*ops < VDI_OPS_PER_PASS && now - d->since >= backoff(d->failures))
				start(eng, d, ops, log);
		} else if (guest_ready(eng, p, d)) {
			if (!d->snapshot && p->on_release == POOL_REFRESH) {
				autoptr(snapshot) s = snapshot_get(eng, d->name, DESKTOP_READY_SNAPSHOT);
				g_autofree char *no = s ? NULL : snapshot_refusal(eng, d->name);

				core_error_clear();
				if (!s && !no &&
				    snapshot_create(eng, d->name, DESKTOP_READY_SNAPSHOT,
						    _("The desktop booted and ready: what a refresh goes back to."),
						    0, job, NULL, NULL, NULL) < 0) {
					note(log, d->pool, "%s: no ready snapshot: %s", d->name,
					     core_error_message());
					core_error_clear();
				} else if (!no) {
					d->snapshot = true;
				}
			}
			d->failures = 0;
			g_clear_pointer(&d->reason, g_free);
			move(eng, d, DESKTOP_READY, log);
		} else if (now - d->since >= p->boot_timeout) {
			g_autofree char *why = g_strdup_printf(_("not ready %u s after its start"),
							       p->boot_timeout);

			fail(eng, d, why, log);
		}
		break;
	case DESKTOP_READY:
		if (!d->running && *ops < VDI_OPS_PER_PASS) {
			start(eng, d, ops, log);
		}
		break;
	case DESKTOP_ASSIGNED:
	case DESKTOP_CONNECTED:
	case DESKTOP_DISCONNECTED:
		if (timed_out(p, d, now)) {
			move(eng, d, DESKTOP_RELEASING, log);
			if (d->state == DESKTOP_RELEASING)
				step(eng, p, d, ops, job, log);
		}
		break;
	case DESKTOP_RELEASING:
		if (p->draining) {
			g_clear_pointer(&d->user, g_free);
			step(eng, p, d, ops, job, log);
		} else if (p->on_release == POOL_KEEP) {
			if (p->assign == POOL_FLOATING)
				g_clear_pointer(&d->user, g_free);
			d->assigned = 0;
			move(eng, d, DESKTOP_READY, log);
		} else {
			move(eng, d, DESKTOP_REFRESHING, log);
			refresh(eng, p, d, job, log);
		}
		break;
	case DESKTOP_REFRESHING:
		refresh(eng, p, d, job, log);
		break;
	case DESKTOP_QUARANTINED:
		break;
	}
}

unsigned pool_count(const GPtrArray *desktops, const char *pool, unsigned *counts)
{
	unsigned n = 0;

	memset(counts, 0, sizeof(unsigned) * DESKTOP_STATE_COUNT);
	for (guint i = 0; desktops && i < desktops->len; i++) {
		const struct desktop *d = desktops->pdata[i];

		if (!pool || strcmp(d->pool, pool) == 0) {
			counts[d->state]++;
			n++;
		}
	}
	return n;
}

char *pool_states_text(const unsigned *counts, const char *none)
{
	GString *s = g_string_new(NULL);

	for (unsigned i = 0; i < DESKTOP_STATE_COUNT; i++)
		if (counts[i])
			g_string_append_printf(s, "%s%s %u", s->len ? ", " : "",
					       desktop_state_label(i), counts[i]);
	if (!s->len)
		g_string_append(s, none);
	return g_string_free(s, FALSE);
}

/* The desktops of @list a user could get now or soon: not held, not
 * quarantined. */
static unsigned free_count(const GPtrArray *list)
{
	unsigned n = 0;

	for (guint i = 0; i < list->len; i++) {
		const struct desktop *d = list->pdata[i];

		n += !d->user && (d->state == DESKTOP_PROVISIONING || d->state == DESKTOP_BOOTING ||
				  d->state == DESKTOP_READY || d->state == DESKTOP_REFRESHING);
	}
	return n;
}

int pool_reconcile(struct engine *eng, const struct pool *p, struct job *job, GString *log)
{
	g_autoptr(GPtrArray) list = desktop_list(eng, p->name);
	unsigned ops = 0, spare, total, active;
	unsigned counts[DESKTOP_STATE_COUNT];

	if (!list)
		return -1;
	for (guint i = 0; i < list->len && !job_cancelled(job); i++)
		step(eng, p, list->pdata[i], &ops, job, log);
	g_ptr_array_unref(list);
	if (!(list = desktop_list(eng, p->name)))
		return -1;
	pool_count(list, NULL, counts);
	total = list->len;
	active = total - counts[DESKTOP_QUARANTINED];
	spare = free_count(list);
	if (!p->draining) {
		/* grow: up to the minimum, and up to the spares wanted */
		unsigned want = MAX(active < p->min ? p->min - active : 0,
				    spare < p->spares ? p->spares - spare : 0);

		want = MIN(want, p->max > total ? p->max - total : 0);
		while (want-- > 0 && ops < VDI_OPS_PER_PASS && !job_cancelled(job)) {
			g_autofree char *name = free_name(eng, p);

			ops++;
			if (!name || make_desktop(eng, p, name, job, log) < 0) {
				logf_line(log, "%s: %s", p->name, core_error_message());
				break;
			}
		}
	}
	/* shrink: ready desktops beyond the spares, above the minimum (or
	 * above the maximum, after an edit), the last ones first */
	for (guint i = list->len; i-- > 0 && !job_cancelled(job);) {
		struct desktop *d = list->pdata[i];

		if ((spare <= p->spares || active <= p->min) && active <= p->max)
			break;
		if (d->state != DESKTOP_READY || d->user)
			continue;
		if (desktop_delete(eng, d->name) < 0) {
			logf_line(log, "%s: %s", d->name, core_error_message());
			core_error_clear();
			continue;
		}
		note(log, d->pool, "%s: deleted (more spares than the pool keeps)", d->name);
		spare--;
		active--;
	}
	return 0;
}

bool pool_steady(struct engine *eng, const struct pool *p)
{
	g_autoptr(GPtrArray) list = desktop_list(eng, p->name);
	unsigned counts[DESKTOP_STATE_COUNT], active, spare;

	if (!list) {
		core_error_clear();
		return false;
	}
	pool_count(list, NULL, counts);
	if (counts[DESKTOP_PROVISIONING] || counts[DESKTOP_BOOTING] ||
	    counts[DESKTOP_RELEASING] || counts[DESKTOP_REFRESHING])
		return false;
	active = list->len - counts[DESKTOP_QUARANTINED];
	spare = free_count(list);
	if (p->draining)
		return spare == 0;
	if (list->len >= p->max)
		return true; /* nothing more can be made */
	/* enough, and no free one the shrink would delete */
	return active >= p->min && spare >= p->spares && (spare == p->spares || active <= p->min);
}

int desktop_release(struct engine *eng, const char *name)
{
	autoptr(desktop) d = desktop_get(eng, name);

	if (!d)
		return -1;
	if (d->state != DESKTOP_ASSIGNED && d->state != DESKTOP_CONNECTED &&
	    d->state != DESKTOP_DISCONNECTED) {
		core_error(CORE_ERR_STATE, _("Desktop \"%s\" is %s: nobody holds it."), name,
			   desktop_state_label(d->state));
		return -1;
	}
	return desktop_move(eng, d, DESKTOP_RELEASING);
}

int desktop_refresh(struct engine *eng, const char *name, struct job *job, GString *log)
{
	autoptr(desktop) d = desktop_get(eng, name);
	autoptr(pool) p = NULL;

	if (!d || !(p = pool_load(d->pool)))
		return -1;
	if (d->state == DESKTOP_QUARANTINED) {
		/* a fresh start: new overlay, new boot, failures forgotten */
		d->snapshot = false;
		d->failures = 0;
		g_clear_pointer(&d->reason, g_free);
	}
	if (desktop_move(eng, d, DESKTOP_REFRESHING) < 0)
		return -1;
	return refresh(eng, p, d, job, log);
}

char *pool_assign(struct engine *eng, const struct pool *p, const char *user)
{
	g_autoptr(GPtrArray) list = desktop_list(eng, p->name);
	struct desktop *pick = NULL;
	unsigned held = 0;

	if (!list)
		return NULL;
	for (guint i = 0; i < list->len; i++) {
		struct desktop *d = list->pdata[i];

		if (!d->user || strcmp(d->user, user) != 0)
			continue;
		if (d->state == DESKTOP_ASSIGNED || d->state == DESKTOP_CONNECTED ||
		    d->state == DESKTOP_DISCONNECTED || (d->state == DESKTOP_READY &&
							   p->assign == POOL_DEDICATED)) {
			/* the user's own desktop comes back to them */
			if (d->state != DESKTOP_CONNECTED && !pick)
				pick = d;
			held++;
		}
	}
	if (!pick && held >= p->max_per_user) {
		core_error(CORE_ERR_STATE, _("%s holds %u desktops of pool \"%s\" already, as many as it allows."),
			   user, held, p->name);
		return NULL;
	}
	for (guint i = 0; !pick && i < list->len; i++) {
		struct desktop *d = list->pdata[i];

		if (d->state == DESKTOP_READY && !d->user && d->running)
			pick = d;
	}
	if (!pick) {
		core_error(CORE_ERR_STATE, _("Pool \"%s\" has no desktop ready; try again in a moment."),
			   p->name);
		return NULL;
	}
	if (!pick->user)
		pick->user = g_strdup(user);
	if (pick->state != DESKTOP_ASSIGNED || !pick->assigned)
		pick->assigned = now_s();
	if (desktop_move(eng, pick, DESKTOP_ASSIGNED) < 0)
		return NULL;
	return g_strdup(pick->name);
}

int desktop_delete(struct engine *eng, const char *name)
{
	g_autofree char *report = NULL;

	return vm_delete(eng, name, true, true, &report);
}

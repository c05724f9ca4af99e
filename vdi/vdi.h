/*
 * vdi.h — desktop pools: pooled desktop VMs kept ready for users.
 *
 * A pool is a definition under DATA/pools/NAME.conf (what the admin
 * chose: its template, its size, who may use it, its timers).  Its
 * desktops are linked clones of the template, each with its own
 * cloud-init seed (host name = desktop name), named POOL-NN.  A desktop's
 * state (who holds it, since when, its failures) lives in the domain's
 * own metadata, in vmtui's desktop namespace: libvirt stays the source of
 * truth, and a vmtui started later finds every desktop where it was.
 *
 * pool_reconcile() is one pass of the loop that keeps a pool's spare
 * count, minimum and maximum: it starts, checks, refreshes and makes
 * desktops, at most a few at a time, and quarantines one that failed
 * three times in a row.
 *
 * Everything here blocks (libvirt, qemu-img, disk): call it from a job.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/error.h"
#include "core/jobs.h"

struct engine;

/* vmtui's XML namespace of a desktop's state in the domain <metadata>. */
#define VDI_NS "https://vmtui.org/xmlns/desktop/1"

/* ---- pools ---------------------------------------------------------------- */

enum pool_assign { POOL_FLOATING, POOL_DEDICATED };
enum pool_release { POOL_REFRESH, POOL_KEEP };

struct pool {
	char *name;
	char *template_name;
	unsigned min, max, spares;
	enum pool_assign assign;
	enum pool_release on_release;
	unsigned max_per_user;
	GPtrArray *users;         /* of char *: who may use it (empty: all) */
	GPtrArray *groups;        /* of char *: or members of these groups */
	unsigned disconnect_grace; /* seconds; 0: released at once */
	unsigned idle;             /* seconds without input; 0: never */
	unsigned max_session;      /* seconds; 0: unlimited */
	char *ready_marker;        /* a line the guest prints on its serial
				    * console when it is ready; NULL: the
				    * guest agent answering says so */
	unsigned boot_timeout;     /* seconds a desktop may take to be ready */
	bool draining;             /* makes no desktop, deletes free ones */
};

void pool_free(struct pool *p);
DEFINE_AUTOPTR(pool, pool_free)

/* A pool name: letters, digits, '-' and '_', starting with a letter, at
 * most 24 (its desktops are named after it).  false with a usage error. */
bool pool_name_valid(const char *name);
/* A new pool with the defaults (min 1, max 10, spares 1, floating,
 * refresh, 1 per user, grace 300 s, boot timeout 300 s). */
struct pool *pool_new(const char *name, const char *template_name);
/* Checks @p's fields (name, template name, min ≤ max, spares ≤ max,
 * users and groups, marker).  0, or -1 with a usage error. */
int pool_check(const struct pool *p);
/* Pool @name; NULL with CORE_ERR_NOT_FOUND, or an error saying what is
 * wrong with its file. */
struct pool *pool_load(const char *name);
/* Checks @p and writes its file atomically; with @create, refuses a pool
 * that exists already (CORE_ERR_STATE).  0 or -1. */
int pool_save(const struct pool *p, bool create);
/* Every pool, sorted by name (struct pool; caller unrefs). */
GPtrArray *pool_list(void);
/* Removes pool @name's file (its desktops must be gone). */
int pool_remove(const char *name);
/* The id of @a, @r ("floating", "refresh"): static, never translated. */
const char *pool_assign_id(enum pool_assign a);
const char *pool_release_id(enum pool_release r);
/* Parses an id; false with a usage error. */
bool pool_assign_parse(const char *s, enum pool_assign *out);
bool pool_release_parse(const char *s, enum pool_release *out);
/* Whether @user (with its groups, NULL-terminated) may use @p. */
bool pool_entitled(const struct pool *p, const char *user, const char *const *groups);

/* ---- desktops ------------------------------------------------------------- */

enum desktop_state {
	DESKTOP_PROVISIONING,
	DESKTOP_BOOTING,
	DESKTOP_READY,
	DESKTOP_ASSIGNED,
	DESKTOP_CONNECTED,
	DESKTOP_DISCONNECTED,
	DESKTOP_RELEASING,
	DESKTOP_REFRESHING,
	DESKTOP_QUARANTINED,
};
#define DESKTOP_STATE_COUNT 9

/* The state's id ("ready"), static and never translated; its label for
 * people, translated. */
const char *desktop_state_id(enum desktop_state s);
const char *desktop_state_label(enum desktop_state s);

/* The snapshot of a booted, ready desktop a refresh reverts to. */
#define DESKTOP_READY_SNAPSHOT "vmtui-ready"

struct desktop {
	char *name;             /* the VM's */
	char *pool;
	enum desktop_state state;
	char *user;             /* who holds it, or NULL */
	gint64 since;           /* when it entered its state (Unix time) */
	gint64 assigned;        /* when its user got it, or 0 */
	unsigned failures;      /* in a row */
	char *reason;           /* the last failure, or NULL */
	uint64_t mark;          /* serial log size when it was started */
	bool snapshot;          /* it has its ready snapshot */
	bool running;           /* the VM runs (not kept in the metadata) */
};

void desktop_free(struct desktop *d);
DEFINE_AUTOPTR(desktop, desktop_free)

/* The desktops on @eng, of pool @pool or of all pools (NULL), sorted by
 * name (struct desktop; caller unrefs).  NULL with an error. */
GPtrArray *desktop_list(struct engine *eng, const char *pool);
/* Desktop @name; NULL with CORE_ERR_NOT_FOUND when no VM of that name is
 * a desktop. */
struct desktop *desktop_get(struct engine *eng, const char *name);
/* Writes @d's state into its VM's metadata (the running guest's and the
 * definition's).  0 or -1. */
int desktop_save(struct engine *eng, const struct desktop *d);
/* The last @n lines of pool @pool's log of moves and actions (caller
 * frees), or NULL when it has none. */
char *pool_log_tail(const char *pool, unsigned n);
/* Moves @d to @state now (since = now), logging the move.  0 or -1. */
int desktop_move(struct engine *eng, struct desktop *d, enum desktop_state state);

/* ---- the reconcile loop --------------------------------------------------- */

/* One reconcile pass over pool @p: what it did goes to @log, one line
 * each ("web-03: booting → ready").  0, or -1 when the engine could not
 * be read (a desktop's failure is counted on it, not returned). */
int pool_reconcile(struct engine *eng, const struct pool *p, struct job *job, GString *log);
/* Whether @p is steady: every desktop it should have exists, and none is
 * provisioning, booting, releasing or refreshing. */
bool pool_steady(struct engine *eng, const struct pool *p);

/* Counts the desktops of @desktops that are pool @pool's (all of them
 * when NULL) by state, into @counts[DESKTOP_STATE_COUNT]; returns how
 * many there are. */
unsigned pool_count(const GPtrArray *desktops, const char *pool, unsigned *counts);
/* "ready 2, assigned 1" of @counts: the states with desktops, their
 * labels translated; @none when there is none.  Caller frees. */
char *pool_states_text(const unsigned *counts, const char *none);

/* Asks for desktop @name to be released (its user is done or kicked):
 * it moves to releasing, and the next pass refreshes or keeps it as its
 * pool says.  0 or -1. */
int desktop_release(struct engine *eng, const char *name);
/* Refreshes desktop @name now: back to its ready snapshot, or a new
 * overlay and a boot; what it did goes to @log.  A quarantined one gets
 * a fresh start.  0 or -1. */
int desktop_refresh(struct engine *eng, const char *name, struct job *job, GString *log);
/* Hands a ready desktop of @p to @user (one the user holds already when
 * the pool is dedicated, or within max_per_user).  Its name (caller
 * frees), or NULL with CORE_ERR_STATE when none is ready. */
char *pool_assign(struct engine *eng, const struct pool *p, const char *user);
/* Deletes desktop @name with its disks and seed. */
int desktop_delete(struct engine *eng, const char *name);

/* ---- the broker: vmtui serve --------------------------------------------- */

struct broker_opts {
	const char *listen;        /* ADDRESS:PORT of the portal and API */
	const char *cert, *key;    /* PEM files for HTTPS; NULL: plain HTTP */
	bool insecure_http;        /* plain HTTP beyond loopback */
	bool plain_vnc;            /* with a certificate, .vv viewers may
				    * also come in without VeNCrypt */
	const char *pam_service;   /* "vmtui" */
	const char *pam_confdir;   /* NULL: /etc/pam.d */
	const char *public_host;   /* the host name thin clients reach the
				    * console relays at (NULL: the listen
				    * address) */
	const char *novnc_dir;     /* noVNC's files (NULL: Debian's) */
	const char *audit_log;     /* NULL: DATA/broker/audit.log */
	unsigned ticket_ttl;       /* seconds a console ticket is valid */
	unsigned max_failures_account; /* per hour, at most 100 */
	unsigned max_failures_address; /* per 10 minutes */
	unsigned reconcile_every;  /* seconds between reconcile passes */
};

/* Serves the desktop pools until @job is cancelled: the portal and JSON
 * API over HTTPS (PAM logins, sessions, CSRF tokens), one-time console
 * tickets relayed to the desktops' displays (.vv for remote-viewer, a
 * WebSocket for noVNC), the reconcile loop of every pool, the audit log
 * and /metrics.  @started (may be NULL) gets the address it listens on
 * once it does.  0, or -1 with an error (nothing listens then). */
int broker_run(struct engine *eng, const struct broker_opts *o, struct job *job,
	       void (*started)(const char *url, void *data), void *data);

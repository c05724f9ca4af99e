/*
 * engine.c — the connection to libvirt: the embedded QEMU driver by
 * default, any libvirt URI on request.
 *
 * Three rules shape this file:
 *  - libvirt's event loop runs on its own thread from before the first
 *    connect: the embedded driver reconnects to running guests through it.
 *  - Right after the embedded driver opens, it is still reconnecting to the
 *    guests that outlived the previous vmtui, one thread per guest, each
 *    holding that guest's job.  Acting on a guest then would wait or report
 *    a stale state, and closing the driver then makes libvirt give up on
 *    the reconnect and kill the guest ("reason=daemon").  So callers wait
 *    with engine_wait_settled(), and engine_close() never closes the
 *    driver under a reconnect still in flight.
 *  - libvirt never prints: errors go through our handler into core_error,
 *    its log goes to a file.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/engine.h"
#include "core/logs.h"
#include "core/i18n.h"
#include "core/jobs.h"

struct engine {
	virConnectPtr conn;
	char *uri;
	char *root;         /* embedded root, or NULL */
	bool test;
	gint accel;          /* an enum accel_mode; ACCEL_AUTO until asked */
	char *pool;
	int op_timeout_ms;
	bool loop;          /* holds the shared event loop */
	int lifecycle_id;
	engine_event_cb cb;
	void *cb_opaque;
	GMutex lock;        /* guards cb, watch, hook_jobs, agent_cb and agents */
	bool watch;         /* run the start hook on "started" events */
	GPtrArray *hook_jobs; /* struct job: start hook runs in flight */
	char *hook_error;   /* what the last failed run said, until taken */
	int agent_id;       /* agent-lifecycle registration */
	engine_agent_cb agent_cb;
	void *agent_opaque;
	GHashTable *agents; /* uuid -> enum engine_agent, as last seen */
	GCond agent_cond;   /* signalled at each agent event */
	gint closed;        /* libvirt closed the connection (keepalive, EOF) */
	bool close_cb;      /* on_close is registered */
};

static engine_start_hook prestart_hook, start_hook;

void engine_set_start_hooks(engine_start_hook before, engine_start_hook after)
{
	g_atomic_pointer_set(&prestart_hook, before);
	g_atomic_pointer_set(&start_hook, after);
}

int engine_run_prestart_hook(struct engine *eng, virDomainPtr dom)
{
	engine_start_hook hook = g_atomic_pointer_get(&prestart_hook);

	return hook ? hook(eng, dom) : 0;
}

int engine_run_start_hook(struct engine *eng, virDomainPtr dom)
{
	engine_start_hook hook = g_atomic_pointer_get(&start_hook);

	return hook ? hook(eng, dom) : 0;
}

/* What a start hook job works on: one VM (by UUID), or all running
 * VMs once libvirt has reconnected to them (uuid empty). */
struct hook_run {
	struct engine *eng;
	char uuid[VIR_UUID_STRING_BUFLEN];
};

/* Keeps what a hook run on @dom failed with for engine_take_hook_error
 * (nobody waits for these runs to tell them). */
static void hook_failed(struct engine *eng, virDomainPtr dom)
{
	char *msg;

	/* a VM stopped meanwhile: what failed on it no longer matters, and
	 * "runs, but" would be untrue */
	if (virDomainIsActive(dom) != 1)
		return;
	msg = g_strdup_printf(_("VM \"%s\" runs, but %s"), virDomainGetName(dom),
			      core_error_message());
	g_mutex_lock(&eng->lock);
	g_free(eng->hook_error);
	eng->hook_error = msg;
	g_mutex_unlock(&eng->lock);
}

char *engine_take_hook_error(struct engine *eng)
{
	char *msg;

	g_mutex_lock(&eng->lock);
	msg = g_steal_pointer(&eng->hook_error);
	g_mutex_unlock(&eng->lock);
	return msg;
}

static int hook_job(struct job *job, void *data)
{
	struct hook_run *r = data;
	virDomainPtr *doms = NULL;
	int n, rc = 0;

	if (r->uuid[0]) {
		virDomainPtr dom = virDomainLookupByUUIDString(r->eng->conn, r->uuid);

		if (!dom)
			return 0; /* gone again */
		if (engine_wait_settled(r->eng, dom, r->eng->op_timeout_ms) == 0 &&
		    virDomainIsActive(dom) == 1 &&
		    (rc = engine_run_start_hook(r->eng, dom)) < 0)
			hook_failed(r->eng, dom);
		virDomainFree(dom);
		return rc;
	}
	/* the guests of a previous run: only once libvirt is done
	 * reconnecting, or their monitors are not ours yet */
	engine_wait_all_settled(r->eng, r->eng->op_timeout_ms);
	n = virConnectListAllDomains(r->eng->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	for (int i = 0; i < n; i++) {
		if (engine_run_start_hook(r->eng, doms[i]) < 0) {
			hook_failed(r->eng, doms[i]);
			rc = -1;
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	return rc;
}

/* Queues a hook run for @uuid (NULL: every running VM).  Called with
 * eng->lock held, also on the event-loop thread: it only queues. */
static void queue_hook_run(struct engine *eng, const char *uuid)
{
	struct hook_run *r = g_new0(struct hook_run, 1);

	r->eng = eng;
	if (uuid)
		g_strlcpy(r->uuid, uuid, sizeof r->uuid);
	/* finished runs leave the list as new ones come */
	for (guint i = eng->hook_jobs->len; i-- > 0;) {
		enum job_state st = job_get_state(eng->hook_jobs->pdata[i]);

		if (st == JOB_DONE || st == JOB_FAILED || st == JOB_CANCELLED)
			g_ptr_array_remove_index_fast(eng->hook_jobs, i);
	}
	g_ptr_array_add(eng->hook_jobs, job_submit("after start", hook_job, r, g_free, false));
}

void engine_watch_starts(struct engine *eng)
{
	if (!g_atomic_pointer_get(&start_hook) || eng->test)
		return;
	g_mutex_lock(&eng->lock);
	if (!eng->watch) {
		eng->watch = true;
		queue_hook_run(eng, NULL);
	}
	g_mutex_unlock(&eng->lock);
}

/* libvirt calls this for every error; recording happens in core_error_virt
 * from virGetLastError, so all this does is keep libvirt off the screen. */
static void quiet_error(void *opaque, virErrorPtr err)
{
}

void engine_init_libvirt(void)
{
	static gsize done;

	if (!g_once_init_enter(&done))
		return;
	/* a remote host's connection runs through a pipe to ssh: when that
	 * ssh dies (the link broke), libvirt's next write must fail, not
	 * kill vmtui */
	signal(SIGPIPE, SIG_IGN);
	if (!g_getenv("LIBVIRT_LOG_OUTPUTS")) {
		g_autofree char *data = core_data_dir();
		g_autofree char *logdir = g_build_filename(data, "log", NULL);
		g_autofree char *out = NULL;

		if (g_mkdir_with_parents(logdir, 0700) == 0) {
			out = g_strdup_printf("3:file:%s/libvirt.log", logdir);
			g_setenv("LIBVIRT_LOG_OUTPUTS", out, TRUE);
		} else {
			/* no writable data dir: drop libvirt's log; its
			 * errors reach the user through core_error anyway */
			g_setenv("LIBVIRT_LOG_OUTPUTS", "1:file:/dev/null", TRUE);
		}
	}
	virSetErrorFunc(NULL, quiet_error);
	virInitialize();
	virEventRegisterDefaultImpl();
	g_once_init_leave(&done, 1);
}

unsigned long engine_libvirt_version(void)
{
	unsigned long v = 0;

	engine_init_libvirt();
	virGetVersion(&v, NULL, NULL);
	return v;
}

/* libvirt's event loop runs on one thread for the whole process, shared
 * by every open engine (the TUI may watch several hosts at once). */
static struct {
	GMutex lock;
	GThread *thread;
	unsigned users;
	int quit;
} loop;

static gpointer event_loop(gpointer opaque)
{
	while (!g_atomic_int_get(&loop.quit))
		virEventRunDefaultImpl();
	return NULL;
}

static void wake_loop(int timer, void *opaque)
{
	virEventRemoveTimeout(timer);
}

static void loop_hold(void)
{
	g_mutex_lock(&loop.lock);
	if (!loop.users++) {
		g_atomic_int_set(&loop.quit, 0);
		loop.thread = g_thread_new("vmtui-events", event_loop, NULL);
	}
	g_mutex_unlock(&loop.lock);
}

static void loop_release(void)
{
	g_mutex_lock(&loop.lock);
	if (!--loop.users) {
		g_atomic_int_set(&loop.quit, 1);
		virEventAddTimeout(0, wake_loop, NULL, NULL);
		g_thread_join(loop.thread);
		loop.thread = NULL;
	}
	g_mutex_unlock(&loop.lock);
}

static int lifecycle_event(virConnectPtr conn, virDomainPtr dom, int event,
			   int detail, void *opaque)
{
	struct engine *eng = opaque;
	char uuid[VIR_UUID_STRING_BUFLEN];

	if (virDomainGetUUIDString(dom, uuid) < 0)
		return 0;
	g_mutex_lock(&eng->lock);
	if (eng->cb)
		eng->cb(uuid, event, detail, eng->cb_opaque);
	/* started by anyone, this process included: the hook is idempotent */
	if (eng->watch && event == VIR_DOMAIN_EVENT_STARTED)
		queue_hook_run(eng, uuid);
	g_mutex_unlock(&eng->lock);
	return 0;
}

void engine_set_event_cb(struct engine *eng, engine_event_cb cb, void *opaque)
{
	g_mutex_lock(&eng->lock);
	eng->cb = cb;
	eng->cb_opaque = opaque;
	g_mutex_unlock(&eng->lock);
}

/* Event-loop thread: an agent connected or went away. */
static int agent_event(virConnectPtr conn, virDomainPtr dom, int state,
		       int reason, void *opaque)
{
	struct engine *eng = opaque;
	char uuid[VIR_UUID_STRING_BUFLEN];
	bool connected = state == VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED;

	if (virDomainGetUUIDString(dom, uuid) < 0)
		return 0;
	g_mutex_lock(&eng->lock);
	g_hash_table_replace(eng->agents, g_strdup(uuid),
			     GINT_TO_POINTER(connected ? ENGINE_AGENT_CONNECTED :
					     ENGINE_AGENT_DISCONNECTED));
	g_cond_broadcast(&eng->agent_cond);
	if (eng->agent_cb)
		eng->agent_cb(uuid, connected, eng->agent_opaque);
	g_mutex_unlock(&eng->lock);
	return 0;
}

void engine_set_agent_cb(struct engine *eng, engine_agent_cb cb, void *opaque)
{
	g_mutex_lock(&eng->lock);
	eng->agent_cb = cb;
	eng->agent_opaque = opaque;
	g_mutex_unlock(&eng->lock);
}

enum engine_agent engine_agent_state(struct engine *eng, const char *uuid)
{
	enum engine_agent st;

	g_mutex_lock(&eng->lock);
	st = (enum engine_agent)GPOINTER_TO_INT(g_hash_table_lookup(eng->agents, uuid));
	g_mutex_unlock(&eng->lock);
	return st;
}

bool engine_agent_wait(struct engine *eng, const char *uuid, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)MAX(timeout_ms, 0) * 1000;
	bool connected;

	g_mutex_lock(&eng->lock);
	while (!(connected = GPOINTER_TO_INT(g_hash_table_lookup(eng->agents, uuid)) ==
			     ENGINE_AGENT_CONNECTED) &&
	       g_cond_wait_until(&eng->agent_cond, &eng->lock, deadline))
		;
	g_mutex_unlock(&eng->lock);
	return connected;
}

char *engine_qemu_conf(void)
{
	GString *s = g_string_new(
		"# Written by vmtui for its embedded engine; edits are replaced.\n"
		"# QEMU's output goes to files: there is no virtlogd.\n"
		"stdio_handler = \"file\"\n"
		"# vmtui confines guests by running them as you; no MAC policy.\n"
		"security_driver = \"none\"\n"
		"vnc_listen = \"127.0.0.1\"\n"
		"vnc_auto_unix_socket = 0\n");

	if (geteuid() == 0)
		g_string_append(s,
			"# As root, QEMU runs as root: no libvirt-qemu account is\n"
			"# needed, and no image is chowned.\n"
			"user = \"root\"\n"
			"group = \"root\"\n"
			"dynamic_ownership = 0\n"
			"remember_owner = 0\n"
			"namespaces = [ ]\n"
			"cgroup_controllers = [ ]\n");
	return g_string_free(s, FALSE);
}

int engine_check_root(const char *root)
{
	if (!g_path_is_absolute(root)) {
		core_error(CORE_ERR_USAGE,
			   _("The engine root \"%s\" is a relative path; give an absolute one."),
			   root);
		return -1;
	}
	if (strlen(root) > ENGINE_ROOT_MAX) {
		core_error(CORE_ERR_USAGE,
			   _("The engine root \"%s\" is %zu bytes long: QEMU's sockets under it would not fit the 108-byte limit of socket paths. Use a root of at most %d bytes."),
			   root, strlen(root), ENGINE_ROOT_MAX);
		return -1;
	}
	return 0;
}

long engine_lock_holder(const char *root)
{
	g_autofree char *pidfile = g_build_filename(root, "run", "qemu",
						    "driver.pid", NULL);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	long pid = 0;

	if (fd < 0)
		return 0;
	/* libvirt holds a write lock on the first byte of driver.pid */
	fl.l_len = 1;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		pid = fl.l_pid;
	close(fd);
	return pid;
}

/* "1234 (vmtui list --json)" for the lock message; caller frees. */
static char *describe_process(long pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%ld/cmdline", pid);
	g_autofree char *cmd = NULL;
	gsize len = 0;

	if (g_file_get_contents(path, &cmd, &len, NULL) && len > 0) {
		for (gsize i = 0; i + 1 < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		return g_strdup_printf("%ld (%s)", pid, cmd);
	}
	return g_strdup_printf("%ld", pid);
}

static void lock_error(const char *root, long pid)
{
	g_autofree char *who = describe_process(pid);

	if (strstr(who, " serve"))
		/* the broker runs for good: the way forward is a daemon */
		core_error(CORE_ERR_ENGINE,
			   _("The engine at %s is in use by the desktop broker, process %s. An embedded engine serves one vmtui at a time: to manage the desktops while the broker runs, run the broker and vmtui on one libvirt daemon (vmtui -c qemu:///system serve ..., and vmtui -c qemu:///system), or stop the broker (its desktops keep running)."),
			   root, who);
	else
		core_error(CORE_ERR_ENGINE,
			   _("The engine at %s is in use by process %s. Only one vmtui can use an embedded engine at a time: quit the other one (its VMs keep running), or run this one with another engine root (VMTUI_ENGINE_ROOT) or a libvirt URI (-c)."),
			   root, who);
}

/* Creates the embedded root and writes its qemu.conf if it changed. */
static int prepare_root(const char *root)
{
	g_autofree char *etc = g_build_filename(root, "etc", NULL);
	g_autofree char *conf = g_build_filename(etc, "qemu.conf", NULL);
	g_autofree char *want = engine_qemu_conf();
	g_autofree char *have = NULL;

	if (engine_check_root(root) < 0)
		return -1;
	if (g_mkdir_with_parents(etc, 0700) < 0 || access(root, W_OK) < 0) {
		core_error(CORE_ERR_ENGINE,
			   _("Cannot use %s as the engine root: %s. Choose a folder you can write (VMTUI_ENGINE_ROOT)."),
			   root, g_strerror(errno));
		return -1;
	}
	if (g_file_get_contents(conf, &have, NULL, NULL) && strcmp(have, want) == 0)
		return 0;
	return core_write_file_atomic(conf, want, strlen(want), 0600);
}

/* libvirt probes each QEMU binary once per engine root by running it
 * daemonized (ROOT/lib/qemu/qmp-XXXXXX/qmp.pid).  A vmtui killed during
 * that probe leaves the QEMU behind for good.  Now that this process holds
 * the root, end such leftovers: QEMUs started before us from a probe folder
 * of this root, whose command line names that folder. */
static void reap_stale_probes(const char *root)
{
	g_autofree char *dir = g_build_filename(root, "lib", "qemu", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint64 self = core_process_start(getpid());
	const char *entry;

	while (d && (entry = g_dir_read_name(d))) {
		g_autofree char *probe = NULL, *pidfile = NULL, *text = NULL;
		g_autofree char *cmdpath = NULL, *cmd = NULL;
		gsize len = 0;
		long pid;

		if (!g_str_has_prefix(entry, "qmp-"))
			continue;
		probe = g_build_filename(dir, entry, NULL);
		pidfile = g_build_filename(probe, "qmp.pid", NULL);
		if (!g_file_get_contents(pidfile, &text, NULL, NULL))
			continue;
		pid = atol(text);
		cmdpath = g_strdup_printf("/proc/%ld/cmdline", pid);
		if (pid <= 1 || !g_file_get_contents(cmdpath, &cmd, &len, NULL) ||
		    !memmem(cmd, len, probe, strlen(probe)) ||
		    core_process_start(pid) >= self)
			continue;
		kill((pid_t)pid, SIGKILL);
		unlink(pidfile);
		g_autofree char *mon = g_build_filename(probe, "qmp.monitor", NULL);
		unlink(mon);
		rmdir(probe);
	}
}

/* Which accelerator this engine gives new and started guests. */
static enum accel_mode pick_accel(struct engine *eng, enum accel_mode asked)
{
	g_autofree char *caps = NULL;

	if (asked != ACCEL_AUTO)
		return asked;
	if (eng->root || g_str_has_prefix(eng->uri, "qemu:///"))
		return kvm_probe()->runs_guest ? ACCEL_KVM : ACCEL_TCG;
	/* remote host: trust what its libvirt reports */
	caps = virConnectGetDomainCapabilities(eng->conn, NULL, "x86_64", NULL,
					       "kvm", 0);
	return caps ? ACCEL_KVM : ACCEL_TCG;
}

struct engine *engine_open(const struct core_config *cfg)
{
	return engine_open_uri(cfg, cfg->uri, true);
}

/* libvirt's netlink event service, which its macvtap code needs when a
 * VM stops.  A daemon starts it; a process embedding the driver must do
 * it itself, or the first stop of a VM with a macvtap NIC crashes it (and
 * every later open of that root, while the VM's status file says
 * macvtap).  The calls are libvirt's private exports (LIBVIRT_PRIVATE_*),
 * found at run time so that vmtui still runs where they are gone. */
static bool netlink_ready;

static void netlink_start(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		int (*startup)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "virNetlinkStartup");
		int (*start)(unsigned, unsigned) =
			(int (*)(unsigned, unsigned))dlsym(RTLD_DEFAULT, "virNetlinkEventServiceStart");
		bool (*running)(unsigned) =
			(bool (*)(unsigned))dlsym(RTLD_DEFAULT, "virNetlinkEventServiceIsRunning");

		/* NETLINK_ROUTE is 0; one group, as libvirtd asks */
		if (startup && start && running && startup() == 0 &&
		    (running(0) || start(0, 1) == 0))
			netlink_ready = running(0);
		virResetLastError();
		g_once_init_leave(&once, 1);
	}
}

bool engine_netlink_ready(void)
{
	return netlink_ready;
}

/* Event-loop thread: the connection is gone (the host stopped answering
 * its keepalive, its daemon ended, the SSH link broke). */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct engine *eng = opaque;

	(void)conn;
	(void)reason;
	g_atomic_int_set(&eng->closed, 1);
}

bool engine_alive(struct engine *eng)
{
	return !g_atomic_int_get(&eng->closed);
}

struct engine *engine_open_uri(const struct core_config *cfg, const char *uri,
			       bool may_ask)
{
	struct engine *eng;

	engine_init_libvirt();
	eng = g_new0(struct engine, 1);
	g_mutex_init(&eng->lock);
	eng->hook_jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_unref);
	g_cond_init(&eng->agent_cond);
	eng->agents = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	eng->lifecycle_id = -1;
	eng->agent_id = -1;
	eng->pool = g_strdup(cfg->pool);
	eng->op_timeout_ms = cfg->op_timeout * 1000;
	if (uri) {
		eng->uri = g_strdup(uri);
	} else {
		eng->root = g_strdup(cfg->engine_root);
		if (prepare_root(eng->root) < 0)
			goto error;
		eng->uri = g_strdup_printf("qemu:///embed?root=%s", eng->root);
		long holder = engine_lock_holder(eng->root);

		if (holder > 0) {
			lock_error(eng->root, holder);
			goto error;
		}
		if (geteuid() == 0)
			account_fallback_enable(true);
	}
	eng->test = g_str_has_prefix(eng->uri, "test:");
	if (eng->root)
		netlink_start();
	loop_hold();
	eng->loop = true;

	eng->conn = virConnectOpenAuth(eng->uri, may_ask ? virConnectAuthPtrDefault : NULL, 0);
	if (!eng->conn) {
		long holder = eng->root ? engine_lock_holder(eng->root) : 0;

		if (holder > 0)
			lock_error(eng->root, holder);
		else
			core_error_virt(CORE_ERR_ENGINE,
					_("Cannot open the engine %s"), eng->uri);
		goto error;
	}
	if (eng->root) {
		reap_stale_probes(eng->root);
		/* guests that outlived a vmtui get their logs kept too */
		if (logs_keeper_ensure(eng) < 0)
			core_error_clear();
	}
	/* a remote host that stops answering is told within about 20 s, and
	 * its calls fail instead of waiting for TCP to give up */
	if (!engine_is_local(eng) && !eng->test) {
		if (virConnectSetKeepAlive(eng->conn, ENGINE_KEEPALIVE_S, 3) < 0)
			virResetLastError();
		eng->close_cb = virConnectRegisterCloseCallback(eng->conn, on_close, eng,
								NULL) == 0;
		if (!eng->close_cb)
			virResetLastError();
	}
	eng->lifecycle_id = virConnectDomainEventRegisterAny(
		eng->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(lifecycle_event), eng, NULL);
	/* drivers without agents (test:///) refuse it: nothing to track */
	eng->agent_id = virConnectDomainEventRegisterAny(
		eng->conn, NULL, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(agent_event), eng, NULL);
	if (eng->agent_id < 0)
		virResetLastError();
	/* asking a remote host for its capabilities takes seconds on its
	 * daemon's first call: engine_accel asks when it is first needed */
	eng->accel = eng->test ? ACCEL_TCG :
		engine_is_local(eng) ? pick_accel(eng, cfg->accel) : cfg->accel;
	return eng;

error:
	engine_close(eng);
	return NULL;
}

int engine_host_info(struct engine *eng, struct engine_host_info *info)
{
	virNodeInfo node;
	virDomainPtr *doms = NULL;
	g_autofree char *name = virConnectGetHostname(eng->conn);
	int n;

	*info = (struct engine_host_info){ .accel = engine_accel(eng) };
	if (virNodeGetInfo(eng->conn, &node) < 0 ||
	    virConnectGetLibVersion(eng->conn, &info->libvirt) < 0 ||
	    (n = virConnectListAllDomains(eng->conn, &doms, 0)) < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read what %s has"), eng->uri);
		return -1;
	}
	g_strlcpy(info->hostname, name ? name : "", sizeof info->hostname);
	if (virConnectGetVersion(eng->conn, &info->qemu) < 0)
		info->qemu = 0;
	info->cpus = node.cpus;
	info->memory = (uint64_t)node.memory * 1024;
	info->free = virNodeGetFreeMemory(eng->conn);
	info->vms = n;
	for (int i = 0; i < n; i++) {
		info->running += virDomainIsActive(doms[i]) == 1;
		virDomainFree(doms[i]);
	}
	free(doms);
	virResetLastError();
	return 0;
}

/* Stops the event-loop thread. */
static void stop_loop(struct engine *eng)
{
	if (!eng->loop)
		return;
	loop_release();
	eng->loop = false;
}

int engine_close(struct engine *eng)
{
	if (!eng)
		return 0;
	if (eng->conn) {
		if (eng->lifecycle_id >= 0)
			virConnectDomainEventDeregisterAny(eng->conn,
							   eng->lifecycle_id);
		eng->lifecycle_id = -1;
		/* hook runs use the connection; one stuck on a frozen QEMU
		 * keeps it open, as a reconnect in flight does */
		g_mutex_lock(&eng->lock);
		eng->watch = false;
		g_mutex_unlock(&eng->lock);
		for (guint i = 0; i < eng->hook_jobs->len; i++)
			if (!job_wait(eng->hook_jobs->pdata[i], 3000))
				return -1;
		if (eng->agent_id >= 0)
			virConnectDomainEventDeregisterAny(eng->conn, eng->agent_id);
		if (eng->close_cb)
			virConnectUnregisterCloseCallback(eng->conn, on_close);
		/* A guest whose reconnect is still running would be killed
		 * by the driver's shutdown: leave the driver open instead and
		 * let process exit drop it, which does not touch guests.  So
		 * waiting here is only a courtesy, and kept short. */
		if (eng->root && engine_wait_all_settled(eng, 500) < 0)
			return -1; /* the event thread still uses eng: keep it */
		virConnectClose(eng->conn);
	}
	stop_loop(eng);
	g_ptr_array_unref(eng->hook_jobs);
	g_free(eng->hook_error);
	g_hash_table_unref(eng->agents);
	g_cond_clear(&eng->agent_cond);
	g_mutex_clear(&eng->lock);
	g_free(eng->pool);
	g_free(eng->uri);
	g_free(eng->root);
	g_free(eng);
	return 0;
}

virConnectPtr engine_conn(struct engine *eng)
{
	return eng->conn;
}

const char *engine_uri(struct engine *eng)
{
	return eng->uri;
}

bool engine_is_embedded(struct engine *eng)
{
	return eng->root != NULL;
}

bool engine_is_test(struct engine *eng)
{
	return eng->test;
}

const char *engine_root(struct engine *eng)
{
	return eng->root;
}

const char *engine_pool(struct engine *eng)
{
	return eng->pool;
}

bool engine_is_local(struct engine *eng)
{
	return eng->root || g_str_has_prefix(eng->uri, "qemu:///");
}

gint64 engine_vm_started(struct engine *eng, const char *name)
{
	g_autofree char *file = g_strconcat(name, ".pid", NULL);
	g_autofree char *path = NULL;
	struct stat st;

	/* QEMU's pid file is written as it starts and kept while it runs */
	if (eng->root)
		path = g_build_filename(eng->root, "run", "qemu", file, NULL);
	else if (strcmp(eng->uri, "qemu:///session") == 0)
		path = g_build_filename(g_get_user_runtime_dir(), "libvirt", "qemu",
					"run", file, NULL);
	else if (strcmp(eng->uri, "qemu:///system") == 0)
		path = g_build_filename("/run/libvirt/qemu", file, NULL);
	if (!path || stat(path, &st) < 0)
		return 0;
	return (gint64)st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

int engine_op_timeout_ms(struct engine *eng)
{
	return eng->op_timeout_ms;
}

enum accel_mode engine_accel(struct engine *eng)
{
	enum accel_mode a = (enum accel_mode)g_atomic_int_get(&eng->accel);

	if (a == ACCEL_AUTO) {
		a = pick_accel(eng, ACCEL_AUTO);
		g_atomic_int_set(&eng->accel, (int)a);
	}
	return a;
}

/* True while libvirt still holds @dom's job or monitor for its reconnect
 * (or any other job). */
static bool domain_busy(virDomainPtr dom)
{
	virDomainControlInfo info;

	if (virDomainIsActive(dom) != 1)
		return false;
	if (virDomainGetControlInfo(dom, &info, 0) < 0)
		return false;
	switch ((virDomainControlState)info.state) {
	case VIR_DOMAIN_CONTROL_OK:
		return false;
	case VIR_DOMAIN_CONTROL_ERROR:
		/* a broken monitor is final; "internal" is the short window
		 * where a job runs outside the monitor */
		return info.details == VIR_DOMAIN_CONTROL_ERROR_REASON_INTERNAL;
	case VIR_DOMAIN_CONTROL_JOB:
	case VIR_DOMAIN_CONTROL_OCCUPIED:
		return true;
	}
	return false;
}

int engine_wait_settled(struct engine *eng, virDomainPtr dom, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	if (!eng->root)
		return 0; /* daemons finish reconnecting before they answer */
	while (domain_busy(dom)) {
		if (g_get_monotonic_time() > deadline) {
			core_error(CORE_ERR_TIMEOUT,
				   _("VM \"%s\" is not responding: its QEMU process has not answered for %d s. It may be stopped (SIGSTOP) or overloaded; other VMs are not affected."),
				   virDomainGetName(dom), timeout_ms / 1000);
			return -1;
		}
		g_usleep(20 * 1000);
	}
	return 0;
}

int engine_wait_all_settled(struct engine *eng, int timeout_ms)
{
	virDomainPtr *doms = NULL;
	int n, rc = 0;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	if (!eng->root)
		return 0;
	n = virConnectListAllDomains(eng->conn, &doms,
				     VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	for (int i = 0; i < n; i++) {
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;

		if (rc == 0 &&
		    engine_wait_settled(eng, doms[i], left > 0 ? (int)left : 0) < 0)
			rc = -1;
		virDomainFree(doms[i]);
	}
	free(doms);
	return rc;
}

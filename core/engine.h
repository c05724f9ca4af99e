/*
 * engine.h — the connection to libvirt (the embedded QEMU driver or any
 * URI), its event loop, and the accelerator probe.
 *
 * Threading: engine_open() starts libvirt's event loop on its own thread.
 * Every function that calls libvirt may block on a guest's QEMU monitor and
 * belongs on a job worker (jobs.h), never on a UI thread.
 */
#pragma once

#include <libvirt/libvirt.h>

#include "core/error.h"
#include "core/settings.h"

struct core_config;

/* ---- accelerator probe ------------------------------------------------- */

struct kvm_probe {
	bool dev_present;   /* /dev/kvm exists */
	bool dev_usable;    /* it opened read-write */
	bool runs_guest;    /* a tiny guest ran to its HLT in time */
	char detail[256];   /* what failed, for doctor */
};

/* Runs a few instructions in a real KVM vCPU, with a 2 s watchdog, to tell
 * whether KVM works here (on some nested hosts it hangs).  Result cached
 * for the process. */
const struct kvm_probe *kvm_probe(void);

/* ---- engine ------------------------------------------------------------ */

struct engine;

/* Process-wide libvirt set-up, once: error handler, log file, event loop
 * implementation.  Call before any other libvirt function (engine_open
 * does), or libvirt starts logging to stderr. */
void engine_init_libvirt(void);

/* The libvirt library's version, major * 1000000 + minor * 1000 + micro. */
unsigned long engine_libvirt_version(void);

/* Opens the engine named by @cfg: the embedded QEMU driver (writing its
 * qemu.conf first) unless cfg->uri names another.  Starts the event loop
 * thread.  Returns NULL with a specific error (a locked embedded root names
 * the process holding it).  Free with engine_close(). */
struct engine *engine_open(const struct core_config *cfg);
/* The same for @uri (NULL: the embedded engine).  Without @may_ask, libvirt
 * asks no credentials on the terminal (the TUI owns it). */
struct engine *engine_open_uri(const struct core_config *cfg, const char *uri,
			       bool may_ask);
/* Waits until libvirt has finished reconnecting to running guests (closing
 * the embedded driver earlier would make it kill them), then closes.
 * Returns -1 when a guest never settled (a frozen QEMU): the driver is then
 * left open and the caller should leave the process with _exit(). */
int engine_close(struct engine *eng);
virConnectPtr engine_conn(struct engine *eng);
const char *engine_uri(struct engine *eng);
bool engine_is_embedded(struct engine *eng);
bool engine_is_test(struct engine *eng);
/* Seconds between the keepalive messages of a remote host's connection
 * (three missed ones close it). */
#define ENGINE_KEEPALIVE_S 5
/* false once libvirt has closed the connection: a remote host that missed
 * its keepalives, a daemon that ended.  Never blocks. */
bool engine_alive(struct engine *eng);
/* True when the engine's guests run on this host (embedded, qemu:///). */
bool engine_is_local(struct engine *eng);
/* Whether VMs with macvtap NICs can stop safely in an embedded engine of
 * this process (libvirt's netlink event service runs). */
bool engine_netlink_ready(void);
/* The accelerator new and started guests use on this engine.  On a
 * remote host the first call asks its libvirt (blocks: not on a UI
 * thread before a job has asked). */
enum accel_mode engine_accel(struct engine *eng);
/* Embedded root directory, or NULL for other URIs. */
const char *engine_root(struct engine *eng);
/* Milliseconds a caller waits for a guest's QEMU to answer. */
int engine_op_timeout_ms(struct engine *eng);
/* Waits until libvirt is done reconnecting to @dom (its monitor is free);
 * returns 0, or -1 with CORE_ERR_TIMEOUT after @timeout_ms. */
int engine_wait_settled(struct engine *eng, virDomainPtr dom, int timeout_ms);
/* Same for every running domain. */
int engine_wait_all_settled(struct engine *eng, int timeout_ms);
/* Wall-clock µs at which the running VM @name was started, read from its
 * QEMU pid file on a local engine; 0 when that cannot be known. */
gint64 engine_vm_started(struct engine *eng, const char *name);

/* What a host says of itself, for `host list` and the TUI's headings. */
struct engine_host_info {
	char hostname[256];
	unsigned long libvirt;  /* its libvirt's version, as engine_libvirt_version */
	unsigned long qemu;     /* its QEMU's, 0 when unknown */
	unsigned cpus;
	uint64_t memory, free;  /* bytes */
	int running, vms;       /* VMs running, and in all */
	enum accel_mode accel;
};
/* Fills *@info from @eng's host.  Blocks.  0, or -1 with an error. */
int engine_host_info(struct engine *eng, struct engine_host_info *info);

/* Callback for domain lifecycle events; runs on the event-loop thread and
 * must only record state and wake its owner. */
typedef void (*engine_event_cb)(const char *uuid, int event, int detail,
				void *opaque);
void engine_set_event_cb(struct engine *eng, engine_event_cb cb, void *opaque);

/* ---- work before and after every start -------------------------------- */

/* What every start of a VM needs: before it, net/ brings up the VM's lab
 * networks (a bridge gone since the host booted, a dnsmasq that died);
 * after it, whoever started the VM, net/ sets up its port forwards (QEMU
 * forgets them when it exits).  Core calls them and does not know what
 * they do; they block on libvirt, so they run on the thread of vm_start
 * or on a job worker.  0, or -1 with an error. */
typedef int (*engine_start_hook)(struct engine *eng, virDomainPtr dom);
/* Sets the process's hooks (NULL: none); the program sets them once,
 * before it opens an engine. */
void engine_set_start_hooks(engine_start_hook before, engine_start_hook after);
/* Runs the before hook for @dom, about to be started by vm_start: a
 * failure keeps it from starting. */
int engine_run_prestart_hook(struct engine *eng, virDomainPtr dom);
/* Runs the after hook for @dom, which has just started (vm_start calls it). */
int engine_run_start_hook(struct engine *eng, virDomainPtr dom);
/* For a long-running process (the TUI): from now on also runs the hook
 * for each VM another client starts (lifecycle event "started"), and once
 * for every VM running now, after libvirt has reconnected to them.  Each
 * run is a job, so the caller never waits; engine_close waits for them.
 * Never blocks. */
void engine_watch_starts(struct engine *eng);
/* What the last of those runs that failed said ("VM "x" runs, but its
 * port forward ... could not be set up: ..."), once: caller frees; NULL
 * when none failed since the last call.  Never blocks. */
char *engine_take_hook_error(struct engine *eng);
/* What this process has seen of a VM's guest agent: libvirt talks to the
 * agent only after its channel connected while this process held the
 * engine (an agent-lifecycle event), so before that agent calls fail. */
enum engine_agent {
	ENGINE_AGENT_UNKNOWN,      /* no agent event for it yet */
	ENGINE_AGENT_CONNECTED,
	ENGINE_AGENT_DISCONNECTED,
};
/* The last agent state this process saw for the VM @uuid. */
enum engine_agent engine_agent_state(struct engine *eng, const char *uuid);
/* Waits at most @timeout_ms for an agent-lifecycle event of @uuid saying
 * connected (returns at once when the last one did).  Blocks: job workers
 * only.  Whether the agent is connected by then. */
bool engine_agent_wait(struct engine *eng, const char *uuid, int timeout_ms);
/* Callback for agent-lifecycle events, on the event-loop thread: the same
 * rules as engine_event_cb. */
typedef void (*engine_agent_cb)(const char *uuid, bool connected, void *opaque);
void engine_set_agent_cb(struct engine *eng, engine_agent_cb cb, void *opaque);

/* PID of the process holding the embedded root at @root, or 0 if free. */
long engine_lock_holder(const char *root);

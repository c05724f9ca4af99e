/*
 * model.h — the engine's domains as rows, kept current by lifecycle events
 * and bulk stats, and the names of their states.
 */
#pragma once

#include <libvirt/libvirt.h>

#include "core/error.h"

struct engine;

/* ---- domain model ------------------------------------------------------ */

struct vm_row {
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *name;
	int state;           /* virDomainState */
	int reason;
	bool settling;       /* libvirt still reconnecting to it */
	bool persistent;
	bool autostart;
	unsigned vcpus;
	uint64_t mem_kib;     /* current balloon */
	uint64_t max_mem_kib;
	uint64_t used_kib;    /* guest memory in use: what the guest's balloon
			       * driver reports, else QEMU's resident size */
	unsigned nics;        /* network interfaces */
	char *ip;             /* the guest address worth showing (see
			       * vm_addrs_best), or NULL */
	GPtrArray *addrs;     /* every guest address known: struct vm_addr,
			       * NULL while none is */
	gint64 ip_checked;    /* monotonic µs of the last address lookup */
	bool ip_slow;         /* that lookup took long (a hung agent): the
			       * next one waits longer */
	gint64 started;       /* wall-clock µs it started, 0 if unknown */
	unsigned host;        /* for a UI showing several hosts: which one */
	uint64_t cpu_ns;
	double cpu_pct;       /* of one host CPU, since the last refresh */
	uint64_t rd_bytes, wr_bytes, rx_bytes, tx_bytes;
	double rd_rate, wr_rate, rx_rate, tx_rate; /* bytes per second */
};

struct model;
/* A model of the engine's domains, kept current by lifecycle events and
 * model_refresh().  Free with model_free(). */
struct model *model_new(struct engine *eng);
void model_free(struct model *m);
/* Re-reads all domains and their stats in one bulk call.  Blocking: call it
 * from a worker.  0, or -1 with an error. */
int model_refresh(struct model *m);
/* Copy of the rows, sorted by name; free with g_ptr_array_unref(). */
GPtrArray *model_rows(struct model *m);
/* Where the model gets guest addresses from: the lookup of running VM
 * @dom on @eng, giving struct vm_addr (caller unrefs) or NULL when none is
 * known, waiting at most @wait_ms for a guest agent that is connecting.
 * It runs on the worker of model_refresh() and must bound its own time.
 * core knows no network modes, so the program sets it (net_addresses)
 * once at start; without it rows have no addresses. */
typedef GPtrArray *(*model_address_fn)(struct engine *eng, virDomainPtr dom,
				       int wait_ms);
void model_set_address_lookup(model_address_fn fn);
/* How long model_refresh() may wait for agents that are connecting, all
 * VMs together (default 0: a UI refreshes again soon, and an agent that
 * connects makes the next refresh ask at once).  A command that reads
 * the list once wants a few seconds. */
void model_set_address_wait(struct model *m, int wait_ms);
/* Calls @notify (on the event-loop thread, so it must only wake its
 * owner, e.g. write to a pipe) after a lifecycle event changed the rows. */
void model_set_notify(struct model *m, void (*notify)(void *opaque),
		      void *opaque);
/* The last lifecycle events of the VM @uuid, oldest first, as
 * "HH:MM:SS event" lines (at most 50); caller frees with g_strfreev. */
char **model_events(struct model *m, const char *uuid);
/* Generation counter: changes whenever rows change. */
unsigned model_generation(struct model *m);
void vm_row_free(struct vm_row *row);

/* True for the states in which a VM has a QEMU (running, paused,
 * blocked): it has consoles, a screen, a live definition. */
bool vm_state_active(int state);
/* Label of a libvirt domain state, translated. */
const char *vm_state_label(int state);
/* Stable English id of a state for JSON and scripts ("running", ...). */
const char *vm_state_id(int state);
/* Stable English id of a lifecycle event ("started", "stopped shutdown"). */
const char *vm_event_id(int event, int detail);

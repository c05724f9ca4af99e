/*
 * migrate.h — moving a VM to another libvirt host: a running one live
 * (its memory copied while it runs) or paused, its disks copied or left
 * on storage both hosts share; a shut-off one's definition.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct engine;
struct job;

struct migrate_opts {
	bool live;            /* the guest runs while its memory is copied */
	bool copy_storage;    /* its writable disks are copied too */
	bool persistent;      /* the destination keeps a definition */
	bool undefine_source; /* the source's definition goes */
	bool unsafe;          /* disks libvirt does not know to be shared are */
	unsigned bandwidth;   /* MiB/s the copy may use; 0: no limit */
	int timeout_s;        /* live: pause the guest after this many seconds
			       * so that the copy ends; 0: never */
	const char *address;  /* where the destination takes the data; NULL:
			       * its URI's host (127.0.0.1 for a local one) */
	const char *dst_label; /* the destination's name, for messages */
};

struct migrate_result {
	gint64 elapsed_ms;    /* the migration, as libvirt timed it (else ours) */
	gint64 downtime_ms;   /* the guest stood still this long; -1: unknown */
	uint64_t data_bytes;  /* memory and disks sent */
	bool paused_by_timeout;
	bool offline;         /* a shut-off VM: only its definition moved */
};

/* Moves the VM @name from @src to @dst under @o, reporting progress on
 * @job (data left, dirty rate, expected downtime) and stopping when it is
 * cancelled.  Refuses what cannot work before trying (a destination that
 * is an embedded engine, the same host, a name taken there) and turns
 * libvirt's failures into what to do; the VM keeps running on @src when
 * it fails.  @dst NULL stands for an embedded engine (refused).  Blocks:
 * job workers only.  0, or -1 with an error. */
int vm_migrate(struct engine *src, struct engine *dst, const char *name,
	       const struct migrate_opts *o, struct job *job,
	       struct migrate_result *res);
/* The data address a migration to @uri uses by default: the URI's host,
 * or 127.0.0.1 when it names none (a local daemon).  Caller frees. */
char *migrate_default_address(const char *uri);

/*
 * storage.h — what a VM's disks hold over time (snapshots), its disks and
 * CD-ROMs after create, and what it may take of the host (tuning).
 * Everything here blocks on libvirt or on qemu-img: run it as a job.
 *
 * Snapshots are libvirt's internal ones (disk, and memory when the VM
 * runs, kept inside each qcow2 file) for VMs whose writable disks are all
 * qcow2 and whose firmware is BIOS: the only kind libvirt 9.0 can revert.
 * A VM with a raw disk gets none, with a message saying what to do.  A
 * UEFI VM (pflash firmware) gets external snapshots vmtui manages on the
 * embedded engine (external.c): a linear chain, where a revert drops the
 * snapshots taken after the one it goes back to.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/error.h"

struct engine;
struct vm_spec;
struct job;

/* A snapshot name: 1 to 64 letters, digits, '.', '_', '-' and '+', not
 * starting with '-' or '.' (it is also the snapshot's tag inside each
 * qcow2 file).  false with a usage error. */
bool snapshot_name_valid(const char *name);

/* One snapshot of a VM, as libvirt keeps it. */
struct snapshot {
	char *name;
	char *parent;       /* NULL for a root */
	char *description;  /* NULL when none */
	gint64 created;     /* Unix time */
	char *state;        /* the VM's state then: "running", "shutoff",
			     * "paused", ... (libvirt's words, never
			     * translated) */
	bool current;       /* the one the VM's disks descend from now */
	bool memory;        /* holds the guest's memory: a revert resumes */
	unsigned depth;     /* in the tree: 0 for a root (snapshot_list) */
	bool last_child;    /* the last child of its parent (snapshot_list) */
};
void snapshot_free(struct snapshot *s);
DEFINE_AUTOPTR(snapshot, snapshot_free)

/* What a VM's snapshot would be, or why it cannot have one: NULL when it
 * can, else a message saying why and what to do (caller frees).  @vm
 * must exist. */
char *snapshot_refusal(struct engine *eng, const char *vm);

enum snapshot_create_flags {
	SNAPSHOT_DISK_ONLY = 1 << 0, /* a running VM's disks alone (crash-consistent) */
	SNAPSHOT_QUIESCE = 1 << 1,   /* its file systems frozen by its guest agent */
};
/* Takes snapshot @name (NULL: a name from the time, "20261203-065501")
 * of VM @vm with @description (may be NULL): disk and memory when the VM
 * runs, disk when it is shut off or with SNAPSHOT_DISK_ONLY (a UEFI VM's
 * only: an internal snapshot of a running VM holds its memory).  *@taken
 * is the name it got (caller frees; may be NULL), *@memory whether it
 * holds memory, *@ran whether the VM ran (both may be NULL).  0, or -1
 * with an error. */
int snapshot_create(struct engine *eng, const char *vm, const char *name,
		    const char *description, unsigned flags, struct job *job, char **taken,
		    bool *memory, bool *ran);
/* @vm's snapshots in tree order (each parent before its children, the
 * children oldest first), depth and last_child set: struct snapshot
 * (caller unrefs).  NULL with an error. */
GPtrArray *snapshot_list(struct engine *eng, const char *vm);

/* The branches drawn before item @i of a snapshot_list() result in a
 * tree ("│  └─ "), in line characters, or ASCII ("|  `- ") unless @utf8;
 * "" for a root.  Caller frees. */
char *snapshot_branch(const GPtrArray *list, guint i, bool utf8);

/* Snapshot @name of @vm; NULL with CORE_ERR_NOT_FOUND. */
struct snapshot *snapshot_get(struct engine *eng, const char *vm, const char *name);

/* What reverting @vm to @name undoes in its hardware: one line per
 * change ("vCPUs: 2, back to 1"), from the definition saved with the
 * snapshot against the one now (caller unrefs; empty when nothing).
 * NULL with an error. */
GPtrArray *snapshot_changes(struct engine *eng, const char *vm, const char *name);

enum snapshot_revert_state {
	SNAPSHOT_AS_TAKEN,   /* running if it was taken running, else off */
	SNAPSHOT_RUNNING,    /* start it after a revert to a shut-off one */
	SNAPSHOT_PAUSED,     /* leave it paused */
};
/* Reverts @vm to snapshot @name: its disks, its definition and, when the
 * snapshot holds memory, the running guest (QEMU restarts).  0, or -1
 * with an error. */
int snapshot_revert(struct engine *eng, const char *vm, const char *name,
		    enum snapshot_revert_state as, struct job *job);

/* The snapshots a revert of @vm to @name drops (caller unrefs; empty but
 * for a UEFI VM, whose external chain does not branch: the ones taken
 * after it).  NULL with an error. */
GPtrArray *snapshot_dropped_by_revert(struct engine *eng, const char *vm, const char *name);
/* Deletes snapshot @name of @vm (its children move up to its parent),
 * or with @children the whole subtree.  *@count is how many went.  0, or
 * -1 with an error. */
int snapshot_delete(struct engine *eng, const char *vm, const char *name,
		    bool children, unsigned *count);

/* Renames snapshot @name of @vm to @to: a UEFI VM's (external) only; an
 * internal snapshot's name is its tag in each qcow2 file, which QEMU
 * cannot rename (refused, saying so). */
int snapshot_rename(struct engine *eng, const char *vm, const char *name, const char *to);
/* Changes snapshot @name's description (NULL or "": none). */
int snapshot_describe(struct engine *eng, const char *vm, const char *name,
		      const char *description);

/* ---- disks and CD-ROMs (disk.c) ------------------------------------------ */

struct vm_disk;

#define DISK_MIN_BYTES (UINT64_C(1) << 20)
#define DISK_MAX_BYTES (UINT64_C(16) << 40)

/* A disk to add: a new qcow2 of @bytes, or the image at @image. */
struct disk_new {
	uint64_t bytes;
	const char *image;  /* checked like every image from elsewhere */
	const char *bus;    /* "virtio" (NULL), "scsi" or "sata" */
	const char *cache;  /* NULL: libvirt's default */
	bool discard;
};

/* @vm's disks and CD-ROMs as they are now (live when it runs), each
 * with its target and the size the guest sees: struct vm_disk (caller
 * unrefs).  NULL with an error. */
GPtrArray *disk_list(struct engine *eng, const char *vm);
/* Adds disk @n to @vm, live when it runs and in its definition; a new
 * disk is vmtui's (removed with the VM's --remove-disks).  *@target is
 * its device name (caller frees).  Nothing is left behind on failure. */
int disk_add(struct engine *eng, const char *vm, const struct disk_new *n, char **target);
/* Removes disk @target from @vm; with @delete_file also the file, which
 * vmtui must have created.  *@report says what became of the file. */
int disk_detach(struct engine *eng, const char *vm, const char *target, bool delete_file,
		char **report);
/* Grows disk @target of @vm to @bytes (never shrinks), live when it
 * runs; the guest's partitions and file systems are left as they are. */
int disk_resize(struct engine *eng, const char *vm, const char *target, uint64_t bytes);
/* Puts ISO image @iso into a CD-ROM of @vm (NULL: ejects), the one named
 * @target or the first that fits; @force opens a tray the guest holds
 * shut.  *@changed is the CD-ROM's target (caller frees). */
int cdrom_change(struct engine *eng, const char *vm, const char *target, const char *iso,
		 bool force, char **changed);
/* Converts disk @target of the shut-off @vm to a new qcow2 file in
 * vmtui's disks folder (embedded engine) and points the VM at it; the
 * old file is kept.  *@report says both paths. */
int disk_convert(struct engine *eng, const char *vm, const char *target, struct job *job,
		 char **report);

/* ---- tuning (tune.c) ------------------------------------------------------ */

/* The I/O limits of a disk, as `set --iotune` names them. */
enum iotune_field {
	IOTUNE_TOTAL_BYTES, IOTUNE_READ_BYTES, IOTUNE_WRITE_BYTES, /* per second */
	IOTUNE_TOTAL_IOPS, IOTUNE_READ_IOPS, IOTUNE_WRITE_IOPS,
	IOTUNE_FIELDS
};
/* "read-bytes", ...: the name in --iotune and in JSON; static. */
const char *iotune_key(enum iotune_field f);
struct disk_iotune {
	char *target;
	uint64_t value[IOTUNE_FIELDS]; /* 0: no limit */
	bool given[IOTUNE_FIELDS];
};
void disk_iotune_free(struct disk_iotune *t);
DEFINE_AUTOPTR(disk_iotune, disk_iotune_free)
/* Parses "vda:read-bytes=10M,write-iops=200" (sizes per second, 0 for no
 * limit; "vda:none" lifts them all).  NULL with a usage error. */
struct disk_iotune *iotune_parse(const char *text);

struct vcpu_pin {
	unsigned vcpu;
	char *cpus;  /* host CPUs, "0-1,3" */
};
void vcpu_pin_free(struct vcpu_pin *p);
DEFINE_AUTOPTR(vcpu_pin, vcpu_pin_free)
/* Parses "VCPU:CPUS" ("1:0-1").  NULL with a usage error. */
struct vcpu_pin *vcpu_pin_parse(const char *text);

/* What vm_tune changes; NULL, 0 and -1 leave a field as it is. */
struct vm_tune {
	GPtrArray *iotune;       /* struct disk_iotune */
	GPtrArray *vcpupin;      /* struct vcpu_pin */
	const char *emulatorpin; /* host CPUs of QEMU's own threads */
	const char *numa;        /* host NUMA nodes for its memory; "none" */
	int hugepages;           /* 1 on, 0 off, -1 leave */
	int cpu_shares;          /* relative weight; 0 leave */
	int cpu_quota;           /* % of a host CPU per vCPU; 0 leave, -1 none */
};
bool vm_tune_given(const struct vm_tune *t);
/* Applies @t to @vm: live where it runs and libvirt can (I/O limits,
 * pinning, shares and quotas), always in its definition; NUMA binding
 * and huge pages wait for its next start (*@needs_restart).  Every value
 * is checked first (disks, vCPUs and host CPUs and nodes that exist, huge
 * pages free, cgroups for shares and quotas), so a refusal changes
 * nothing.  0, or -1 with an error. */
int vm_tune(struct engine *eng, const char *vm, const struct vm_tune *t, bool *needs_restart);

/* A VM's tuning and, when it runs, its balloon (live values then). */
struct vm_tuning {
	GPtrArray *iotune;     /* struct disk_iotune: disks with a limit */
	GPtrArray *vcpupin;    /* struct vcpu_pin: pinned vCPUs only */
	char *emulatorpin;     /* NULL: not pinned */
	char *numa;            /* NULL: not bound */
	bool hugepages;
	uint64_t balloon_kib;  /* what the guest has now; 0: not known */
	uint64_t usable_kib, available_kib; /* the guest's figures; 0 */
	uint64_t rss_kib;      /* what QEMU takes of the host */
};
void vm_tuning_free(struct vm_tuning *t);
DEFINE_AUTOPTR(vm_tuning, vm_tuning_free)
/* The tuning of @vm, whose description @s (vm_describe's: live while it
 * runs) and @state the caller read already.  NULL with an error when @vm
 * is gone. */
struct vm_tuning *vm_tuning_read(struct engine *eng, const char *vm, const struct vm_spec *s,
				 int state);
/* "vda total-bytes=1.0 MiB/s read-iops=50/s" (caller frees). */
char *iotune_text(const struct disk_iotune *io);
/* "vda:total-bytes=1M,read-iops=50": as --iotune takes it (caller
 * frees). */
char *iotune_arg(const struct disk_iotune *io);
/* "0:2 1:0-1", or NULL when @pins is empty (caller frees). */
char *vcpupin_text(const GPtrArray *pins);

/* ---- storage pools and volumes of a libvirt daemon (pool.c) ---------------- */

/* The embedded engine has none: every call there fails with a message
 * saying that vmtui keeps disks as files (CORE_ERR_STATE). */
struct storage_pool {
	char *name;
	char *type;          /* libvirt's: "dir", "logical", ... */
	char *path;          /* its target folder or device */
	bool active, autostart;
	uint64_t capacity, allocation, available; /* bytes */
	int volumes;         /* -1 while it is not running */
	bool is_default;     /* the caller's mark: where new disks go */
};
void storage_pool_free(struct storage_pool *p);
DEFINE_AUTOPTR(storage_pool, storage_pool_free)
/* Every pool, by name (struct storage_pool; caller unrefs), or NULL. */
GPtrArray *storage_pool_list(struct engine *eng);
struct storage_pool *storage_pool_get(struct engine *eng, const char *name);
/* Defines pool @name of @type ("dir" only) on folder @path, makes the
 * folder, starts it and marks it to start with the daemon; nothing is
 * left defined on failure. */
int storage_pool_create(struct engine *eng, const char *name, const char *type, const char *path);
/* Stops and undefines pool @name; its folder and files stay. */
int storage_pool_delete(struct engine *eng, const char *name);

struct storage_vol {
	char *name;
	char *path;
	char *format;        /* "qcow2", "raw", ... */
	uint64_t capacity, allocation;
	char *backing;       /* its backing file, or NULL */
	char *used_by;       /* "VM "web"", "volume X of pool P (...)", or NULL */
};
void storage_vol_free(struct storage_vol *v);
/* @pool's volumes by name, each with who uses it (struct storage_vol;
 * caller unrefs), after a refresh (files put there by hand count). */
GPtrArray *storage_volume_list(struct engine *eng, const char *pool);
/* Creates volume @name of @bytes in @pool, @format "qcow2" (NULL) or
 * "raw", on the volume @backing of the same pool (NULL: none; qcow2
 * only).  *@path is its file (caller frees). */
int storage_volume_create(struct engine *eng, const char *pool, const char *name,
			  uint64_t bytes, const char *format, const char *backing, char **path);
/* Grows volume @name to @bytes; a VM's disk is refused (disk resize
 * grows it where the guest sees it). */
int storage_volume_resize(struct engine *eng, const char *pool, const char *name, uint64_t bytes);
/* Deletes volume @name unless a VM or another volume (an overlay on it)
 * uses it, which libvirt does not check. */
int storage_volume_delete(struct engine *eng, const char *pool, const char *name);

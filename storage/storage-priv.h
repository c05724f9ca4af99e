/*
 * storage-priv.h — what the files of storage/ share: reading libvirt's
 * XML (snapshot.c), the external snapshots vmtui keeps for UEFI VMs
 * (external.c).
 */
#pragma once
#include <libvirt/libvirt.h>
#include <libxml/tree.h>
#include "storage/storage.h"

/* libvirt XML @xml as a document (never from the network, quietly), or
 * NULL when it is not well-formed or empty. */
xmlDocPtr xml_read(const char *xml);
/* In libvirt's snapshot XML: the first child element @name of @node (or
 * NULL), and the value of attribute @name (caller frees; NULL). */
xmlNodePtr xml_child(xmlNodePtr node, const char *name);
char *xml_attr(xmlNodePtr node, const char *name);

struct vm_spec;
/* Why UEFI VM @dom (its definition @spec) gets no snapshot, or NULL. */
char *external_refusal(struct engine *eng, virDomainPtr dom, const struct vm_spec *spec);
/* Takes external snapshot @name: disks, memory when it runs (unless
 * SNAPSHOT_DISK_ONLY), a copy of the NVRAM. */
int external_create(struct engine *eng, virDomainPtr dom, const struct vm_spec *spec,
		    const char *name, const char *description, unsigned flags);
/* Deletes external snapshot @snap with libvirt, then the files libvirt
 * leaves. */
int external_delete(virDomainPtr dom, virDomainSnapshotPtr snap);
/* Reverts to @snap as external.c's head comment says. */
int external_revert(struct engine *eng, virDomainPtr dom, virDomainSnapshotPtr snap,
		    enum snapshot_revert_state as, struct job *job);
/* Snapshot @name of @vm and its descendants, in the tree's order (each
 * before its children), from vmtui's own walk of the snapshots' parents
 * (libvirt's was seen to crash): names, caller unrefs.  NULL with an
 * error. */
GPtrArray *snapshot_subtree(struct engine *eng, const char *vm, const char *name);
/* Renames external snapshot @snap to @to: its metadata, the parent of
 * its @children (names), its memory and NVRAM files (its overlays keep
 * their names). */
int external_rename(virDomainPtr dom, virDomainSnapshotPtr snap, const char *to,
		    const GPtrArray *children);

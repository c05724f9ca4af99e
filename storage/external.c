/*
 * external.c — snapshots of UEFI VMs: external ones that vmtui manages.
 *
 * libvirt 9.0 takes no internal snapshot of a VM with pflash firmware,
 * creates and deletes external ones (a new qcow2 overlay per disk, and a
 * memory file when the VM runs), but cannot revert to them ("revert to
 * external snapshot not supported yet"), and keeps the VM's NVRAM (its
 * UEFI variables) with neither kind.  So vmtui:
 *  - takes the snapshot with libvirt, its files in vmtui's disks folder,
 *    and a copy of the NVRAM beside them at the same moment;
 *  - reverts itself: the VM off, the snapshots taken after this one
 *    dropped (an external chain does not branch), each disk's overlay of
 *    this snapshot made anew and empty on the image it froze, the
 *    definition saved with the snapshot defined again on those overlays,
 *    the NVRAM copy put back, and the saved memory restored with that
 *    definition (libvirt's restore would otherwise run the guest on the
 *    frozen image, which the memory file names);
 *  - deletes with libvirt (9.0 merges an overlay into its neighbour, live
 *    or with a paused QEMU when shut off) and then the memory and NVRAM
 *    files libvirt leaves.
 * Only on the embedded engine, whose files are vmtui's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/run.h"
#include "core/vm.h"
#include "storage/storage.h"
#include "storage/storage-priv.h"

/* ---- files ------------------------------------------------------------------- */

/* Where the VM's UEFI variables live: the live definition names the file;
 * shut off, the embedded driver's own place for it. */
static char *nvram_path(struct engine *eng, virDomainPtr dom)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
	autoptr(vm_spec) s = xml ? domxml_parse(xml) : NULL;

	if (s && s->nvram)
		return g_strdup(s->nvram);
	return g_strdup_printf("%s/lib/qemu/nvram/%s_VARS.fd", engine_root(eng), virDomainGetName(dom));
}

static void remove_file(const char *path);

/* A new empty file @path (replaced); -1 with an error. */
static int write_empty(const char *path)
{
	g_autoptr(GError) err = NULL;

	if (!g_file_set_contents(path, "", 0, &err)) {
		core_error(CORE_ERR_FAILED, "%s", err->message);
		return -1;
	}
	return 0;
}

/* Copies the NVRAM file @from to @to (replaced); -1 with an error.  Such
 * a file is a few MiB at most. */
static int copy_file(const char *from, const char *to)
{
	remove_file(to);
	return core_copy_file(from, to, 64u << 20, _("the NVRAM"), 0600);
}

static void remove_file(const char *path)
{
	if (path && unlink(path) < 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", path, g_strerror(errno));
}

/* ---- what a snapshot holds ------------------------------------------------------ */

struct ext_snap {
	char *mem;           /* its memory file, or NULL */
	GPtrArray *targets;  /* the disks it made overlays for... */
	GPtrArray *overlays; /* ...and those overlays, at the same index */
	char *domain_xml;    /* the definition saved with it (<domain>) */
};

static void ext_snap_fini(struct ext_snap *e)
{
	g_free(e->mem);
	if (e->targets)
		g_ptr_array_unref(e->targets);
	if (e->overlays)
		g_ptr_array_unref(e->overlays);
	g_free(e->domain_xml);
}

/* Reads snapshot @snap's files and saved definition; -1 with an error. */
static int ext_snap_read(virDomainSnapshotPtr snap, struct ext_snap *e)
{
	g_autofree char *xml = virDomainSnapshotGetXMLDesc(snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
	xmlDocPtr doc = xml ? xml_read(xml) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	/* the definition for the next start, which 9.0 keeps beside the
	 * live one of a running VM */
	xmlNodePtr mem = xml_child(root, "memory"), dom = xml_child(root, "inactiveDomain");
	g_autofree char *kind = xml_attr(mem, "snapshot");

	memset(e, 0, sizeof *e);
	if (!dom)
		dom = xml_child(root, "domain");
	if (!root || !dom) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read snapshot \"%s\""), virDomainSnapshotGetName(snap));
		xmlFreeDoc(doc);
		return -1;
	}
	if (kind && strcmp(kind, "external") == 0)
		e->mem = xml_attr(mem, "file");
	e->targets = g_ptr_array_new_with_free_func(g_free);
	e->overlays = g_ptr_array_new_with_free_func(g_free);
	for (xmlNodePtr d = xml_child(root, "disks") ? xml_child(root, "disks")->children : NULL; d; d = d->next) {
		g_autofree char *how = d->type == XML_ELEMENT_NODE ? xml_attr(d, "snapshot") : NULL;
		char *file = how && strcmp(how, "external") == 0 ? xml_attr(xml_child(d, "source"), "file") : NULL;

		if (file) {
			g_ptr_array_add(e->targets, xml_attr(d, "name"));
			g_ptr_array_add(e->overlays, file);
		}
	}
	{
		/* the saved <domain> alone, as a document of its own */
		xmlDocPtr one = xmlNewDoc(BAD_CAST "1.0");
		xmlChar *text = NULL;
		int len = 0;

		xmlNodePtr copy = xmlDocCopyNode(dom, one, 1);

		xmlNodeSetName(copy, BAD_CAST "domain");
		xmlDocSetRootElement(one, copy);
		xmlDocDumpMemory(one, &text, &len);
		e->domain_xml = g_strdup((const char *)text);
		xmlFree(text);
		xmlFreeDoc(one);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- taking one ------------------------------------------------------------------ */

char *external_refusal(struct engine *eng, virDomainPtr dom, const struct vm_spec *spec)
{
	const char *name = virDomainGetName(dom);
	unsigned disks = 0;

	if (!engine_is_embedded(eng))
		return g_strdup_printf(_("VM \"%s\" boots with UEFI firmware: libvirt 9.0 takes no internal snapshot "
					 "of it, and vmtui keeps the external ones it takes instead (with a copy of "
					 "the NVRAM) on the embedded engine only."), name);
	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (!d->cdrom && !d->readonly && d->path)
			disks++;
	}
	if (!disks)
		return g_strdup_printf(_("VM \"%s\" has no writable disk to keep a snapshot in."), name);
	return NULL;
}

int external_create(struct engine *eng, virDomainPtr dom, const struct vm_spec *spec,
		    const char *name, const char *description, unsigned flags)
{
	const char *vm = virDomainGetName(dom);
	bool running = virDomainIsActive(dom) == 1;
	bool memory = running && !(flags & SNAPSHOT_DISK_ONLY);
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "domainsnapshot", NULL);
	xmlNodePtr disks, n;
	g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *mem = NULL, *nvram = NULL, *copy = NULL;
	virDomainSnapshotPtr snap = NULL;
	xmlChar *text = NULL;
	int len = 0, rc = -1;

	xmlDocSetRootElement(doc, root);
	xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST name);
	if (description && *description)
		xmlNewTextChild(root, NULL, BAD_CAST "description", BAD_CAST description);
	n = xmlNewChild(root, NULL, BAD_CAST "memory", NULL);
	if (memory) {
		if (!(mem = disk_snapshot_file(vm, name, "mem")))
			goto out;
		xmlSetProp(n, BAD_CAST "snapshot", BAD_CAST "external");
		xmlSetProp(n, BAD_CAST "file", BAD_CAST mem);
		g_ptr_array_add(made, g_strdup(mem));
	} else {
		xmlSetProp(n, BAD_CAST "snapshot", BAD_CAST "no");
	}
	disks = xmlNewChild(root, NULL, BAD_CAST "disks", NULL);
	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);
		bool writable = !d->cdrom && !d->readonly && d->path && d->target;
		g_autofree char *overlay = writable ? disk_snapshot_file(vm, name, d->target) : NULL;

		if (!d->target)
			continue;
		if (writable && !overlay)
			goto out;
		n = xmlNewChild(disks, NULL, BAD_CAST "disk", NULL);
		xmlSetProp(n, BAD_CAST "name", BAD_CAST d->target);
		xmlSetProp(n, BAD_CAST "snapshot", BAD_CAST(writable ? "external" : "no"));
		if (writable) {
			if (g_file_test(overlay, G_FILE_TEST_EXISTS)) {
				core_error(CORE_ERR_STATE, _("%s is in the way of the snapshot's overlay; move it away first."),
					   overlay);
				goto out;
			}
			xmlSetProp(xmlNewChild(n, NULL, BAD_CAST "driver", NULL), BAD_CAST "type", BAD_CAST "qcow2");
			xmlSetProp(xmlNewChild(n, NULL, BAD_CAST "source", NULL), BAD_CAST "file", BAD_CAST overlay);
			g_ptr_array_add(made, g_steal_pointer(&overlay));
		}
	}
	xmlDocDumpMemory(doc, &text, &len);
	snap = virDomainSnapshotCreateXML(dom, (const char *)text, VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC |
					  (memory ? 0 : VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY) |
					  (running && (flags & SNAPSHOT_QUIESCE) ?
					   VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE : 0));
	if (!snap) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot take snapshot \"%s\" of VM \"%s\""), name, vm);
		for (guint i = 0; i < made->len; i++)
			remove_file(made->pdata[i]); /* atomic: nothing of it is in use */
		goto out;
	}
	/* the NVRAM as it is now; a VM never started has none yet, which an
	 * empty copy records (a revert then lets libvirt make it afresh) */
	nvram = nvram_path(eng, dom);
	copy = disk_snapshot_file(vm, name, "nvram");
	if (!copy || (g_file_test(nvram, G_FILE_TEST_IS_REGULAR) ? copy_file(nvram, copy) < 0 :
		      write_empty(copy) < 0)) {
		g_autofree char *why = g_strdup(core_error_message());

		virDomainSnapshotDelete(snap, 0);
		core_error(CORE_ERR_FAILED, _("Snapshot \"%s\" was not kept: its NVRAM copy failed (%s)."), name, why);
		goto out;
	}
	rc = 0;
out:
	if (snap)
		virDomainSnapshotFree(snap);
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- deleting ---------------------------------------------------------------------- */

/* Removes what libvirt leaves of deleted snapshot @name of @vm. */
static void remove_leftovers(const char *vm, const char *name, const char *mem)
{
	g_autofree char *nvram = disk_snapshot_file(vm, name, "nvram");

	remove_file(mem);
	remove_file(nvram);
}

int external_delete(virDomainPtr dom, virDomainSnapshotPtr snap)
{
	const char *vm = virDomainGetName(dom);
	g_autofree char *name = g_strdup(virDomainSnapshotGetName(snap));
	struct ext_snap e;
	int rc = 0;

	if (ext_snap_read(snap, &e) < 0)
		return -1;
	if (virDomainSnapshotDelete(snap, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot delete snapshot \"%s\" of VM \"%s\""), name, vm);
		rc = -1;
	} else {
		remove_leftovers(vm, name, e.mem);
	}
	ext_snap_fini(&e);
	return rc;
}

/* ---- reverting ---------------------------------------------------------------------- */

/* Drops the snapshots @later (names, the tree's order) after the one a
 * revert goes to: their metadata and files (the chain they sat on is
 * remade), leaves first. */
static int drop_later(virDomainPtr dom, GPtrArray *later)
{
	for (guint i = later->len; i-- > 0;) {
		const char *name = later->pdata[i];
		virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);
		struct ext_snap e;
		int rc = -1;

		if (snap && ext_snap_read(snap, &e) == 0) {
			if (virDomainSnapshotDelete(snap, VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) == 0) {
				for (guint k = 0; k < e.overlays->len; k++)
					remove_file(e.overlays->pdata[k]);
				remove_leftovers(virDomainGetName(dom), name, e.mem);
				rc = 0;
			}
			ext_snap_fini(&e);
		}
		if (snap)
			virDomainSnapshotFree(snap);
		if (rc < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot drop snapshot \"%s\""), name);
			return -1;
		}
	}
	return 0;
}

/* @xml with every disk of @e on its overlay; caller frees, NULL with an
 * error. */
static char *on_overlays(const char *xml, const struct ext_snap *e)
{
	char *out = g_strdup(xml);

	for (guint i = 0; out && i < e->targets->len; i++) {
		char *next = domxml_set_disk_file(out, e->targets->pdata[i], e->overlays->pdata[i], "qcow2");

		g_free(out);
		out = next;
	}
	return out;
}

/* The disk @target of definition @spec, or NULL. */
static const struct vm_disk *saved_disk(const struct vm_spec *spec, const char *target)
{
	for (guint k = 0; k < spec->disks->len; k++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, k);

		if (g_strcmp0(d->target, target) == 0)
			return d;
	}
	return NULL;
}

int external_revert(struct engine *eng, virDomainPtr dom, virDomainSnapshotPtr snap,
		    enum snapshot_revert_state as, struct job *job)
{
	const char *vm = virDomainGetName(dom);
	const char *name = virDomainSnapshotGetName(snap);
	struct ext_snap e;
	autoptr(vm_spec) then = NULL;
	g_autoptr(GPtrArray) later = NULL;
	g_autofree char *def = NULL, *nvram = NULL, *copy = NULL, *snap_xml = NULL;
	virDomainPtr redefined;
	virDomainSnapshotPtr again;
	int rc = -1;

	if (ext_snap_read(snap, &e) < 0)
		return -1;
	if (!(then = domxml_parse(e.domain_xml))) {
		core_error(CORE_ERR_FAILED, _("Snapshot \"%s\" holds no definition of its VM."), name);
		goto out;
	}
	/* every image the overlays go back onto must be there before
	 * anything changes */
	for (guint i = 0; i < e.targets->len; i++) {
		const struct vm_disk *base = saved_disk(then, e.targets->pdata[i]);

		if (!base || !base->path || !g_file_test(base->path, G_FILE_TEST_IS_REGULAR)) {
			core_error(CORE_ERR_FAILED, _("Snapshot \"%s\" cannot be reverted to: the image disk %s was on then (%s) is gone."),
				   name, (char *)e.targets->pdata[i], base && base->path ? base->path : "?");
			goto out;
		}
	}
	/* 1. the VM off: its disks are about to be remade */
	if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot power VM \"%s\" off for the revert"), vm);
		goto out;
	}
	if (job)
		job_progress(job, 0.3, _("Putting the disks of %s back to %s"), vm, name);
	/* 2. what came after is dropped */
	if (!(later = snapshot_subtree(eng, vm, name)))
		goto out;
	g_ptr_array_remove_index(later, 0); /* itself */
	if (drop_later(dom, later) < 0)
		goto out;
	/* 3. each overlay anew, empty, on the image the snapshot froze (the
	 * disk's file in the definition saved with it), made beside it and
	 * moved into place once made */
	for (guint i = 0; i < e.targets->len; i++) {
		const char *overlay = e.overlays->pdata[i];
		const struct vm_disk *base = saved_disk(then, e.targets->pdata[i]);
		g_autofree char *fresh = g_strconcat(overlay, ".new", NULL);
		const char *argv[] = { "create", "-q", "-f", "qcow2", "-b", base->path, "-F",
				       base->format ? base->format : "raw", fresh, NULL };
		g_autofree char *done = NULL;

		remove_file(fresh);
		if (!(done = core_qemu_img(argv, _("qemu-img create"), NULL)))
			goto out;
		if (rename(fresh, overlay) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot put %s in place: %s"), overlay, g_strerror(errno));
			remove_file(fresh);
			goto out;
		}
	}
	/* 4. the definition of then, on those overlays */
	if (!(def = on_overlays(e.domain_xml, &e)))
		goto out;
	if (!(redefined = virDomainDefineXML(engine_conn(eng), def))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot define VM \"%s\" as it was at snapshot \"%s\""), vm, name);
		goto out;
	}
	virDomainFree(redefined);
	/* 5. the UEFI variables of then */
	nvram = nvram_path(eng, dom);
	copy = disk_snapshot_file(vm, name, "nvram");
	if (copy && g_file_test(copy, G_FILE_TEST_IS_REGULAR)) {
		struct stat st;

		if (stat(copy, &st) == 0 && st.st_size == 0)
			remove_file(nvram); /* none then: made from its template at the next start */
		else if (copy_file(copy, nvram) < 0)
			goto out;
	}
	/* 6. it is the current snapshot again */
	snap_xml = virDomainSnapshotGetXMLDesc(snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
	again = snap_xml ? virDomainSnapshotCreateXML(dom, snap_xml, VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE |
						      VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT) : NULL;
	if (!again) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot mark snapshot \"%s\" current"), name);
		goto out;
	}
	virDomainSnapshotFree(again);
	/* 7. the guest of then: its memory on the new overlays, or a start */
	if (job)
		job_progress(job, 0.6, _("Starting %s from snapshot %s"), vm, name);
	if (e.mem) {
		g_autofree char *saved = virDomainSaveImageGetXMLDesc(engine_conn(eng), e.mem,
								      VIR_DOMAIN_SAVE_IMAGE_XML_SECURE);
		g_autofree char *fixed = saved ? on_overlays(saved, &e) : NULL;

		if (!fixed) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot read the memory of snapshot \"%s\""), name);
			goto out;
		}
		if (engine_run_prestart_hook(eng, dom) < 0)
			goto out;
		/* as taken: the state the memory file saved */
		if (virDomainRestoreFlags(engine_conn(eng), e.mem, fixed,
					  as == SNAPSHOT_PAUSED ? VIR_DOMAIN_SAVE_PAUSED :
					  as == SNAPSHOT_RUNNING ? VIR_DOMAIN_SAVE_RUNNING : 0) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot restore the memory of snapshot \"%s\""), name);
			goto out;
		}
		if (engine_run_start_hook(eng, dom) < 0) {
			core_error(CORE_ERR_FAILED, _("VM \"%s\" was reverted to \"%s\", but %s"), vm, name,
				   core_error_message());
			goto out;
		}
	} else if (as != SNAPSHOT_AS_TAKEN &&
		   (vm_start(eng, vm) < 0 || (as == SNAPSHOT_PAUSED && vm_suspend(eng, vm) < 0))) {
		goto out;
	}
	rc = 0;
out:
	ext_snap_fini(&e);
	return rc;
}

/* ---- renaming -------------------------------------------------------------------- */

/* @xml (a snapshot's) with its name @name, and its parent @parent when
 * not NULL, and its memory file @mem when not NULL.  Caller frees. */
static char *renamed_xml(const char *xml, const char *name, const char *parent, const char *mem)
{
	xmlDocPtr doc = xml_read(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr n;
	xmlChar *text = NULL;
	int len = 0;
	char *out = NULL;

	if (!root) {
		xmlFreeDoc(doc);
		return NULL;
	}
	if (name && (n = xml_child(root, "name")))
		xmlNodeSetContent(n, BAD_CAST name);
	if (parent && (n = xml_child(xml_child(root, "parent"), "name")))
		xmlNodeSetContent(n, BAD_CAST parent);
	if (mem && (n = xml_child(root, "memory")))
		xmlSetProp(n, BAD_CAST "file", BAD_CAST mem);
	xmlDocDumpMemory(doc, &text, &len);
	out = text ? g_strdup((const char *)text) : NULL;
	xmlFree(text);
	xmlFreeDoc(doc);
	return out;
}

/* Redefines snapshot XML @xml on @dom (@current: as the current one). */
static int redefine(virDomainPtr dom, const char *xml, bool current)
{
	virDomainSnapshotPtr s = xml ? virDomainSnapshotCreateXML(dom, xml, VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE |
								  (current ? VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT : 0)) : NULL;

	if (!s)
		return -1;
	virDomainSnapshotFree(s);
	return 0;
}

int external_rename(virDomainPtr dom, virDomainSnapshotPtr snap, const char *to,
		    const GPtrArray *children)
{
	const char *vm = virDomainGetName(dom);
	g_autofree char *from = g_strdup(virDomainSnapshotGetName(snap));
	g_autofree char *xml = virDomainSnapshotGetXMLDesc(snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
	g_autofree char *nv_from = disk_snapshot_file(vm, from, "nvram");
	g_autofree char *nv_to = disk_snapshot_file(vm, to, "nvram");
	g_autofree char *mem_to = disk_snapshot_file(vm, to, "mem");
	g_autofree char *copy = NULL;
	bool current = virDomainSnapshotIsCurrent(snap, 0) == 1;
	struct ext_snap e;
	int rc = -1;

	if (!xml || !nv_from || !nv_to || !mem_to || ext_snap_read(snap, &e) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read snapshot \"%s\""), from);
		return -1;
	}
	/* the files named after it follow; its overlays are in use by the
	 * chain (named in their neighbours' headers) and keep their names */
	if ((e.mem && rename(e.mem, mem_to) < 0) ||
	    (g_file_test(nv_from, G_FILE_TEST_IS_REGULAR) && rename(nv_from, nv_to) < 0)) {
		core_error(CORE_ERR_FAILED, _("Cannot rename the files of snapshot \"%s\": %s"), from, g_strerror(errno));
		goto out;
	}
	copy = renamed_xml(xml, to, NULL, e.mem ? mem_to : NULL);
	if (redefine(dom, copy, current) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot rename snapshot \"%s\""), from);
		goto undo;
	}
	/* the children first, while the old one is still their parent */
	for (guint i = 0; i < children->len; i++) {
		virDomainSnapshotPtr kid = virDomainSnapshotLookupByName(dom, children->pdata[i], 0);
		g_autofree char *kxml = kid ? virDomainSnapshotGetXMLDesc(kid, VIR_DOMAIN_SNAPSHOT_XML_SECURE) : NULL;
		g_autofree char *moved = kxml ? renamed_xml(kxml, NULL, to, NULL) : NULL;

		int moved_rc = redefine(dom, moved, kid && virDomainSnapshotIsCurrent(kid, 0) == 1);

		if (kid)
			virDomainSnapshotFree(kid);
		if (moved_rc < 0) {
			/* the old one stays the parent: leave the tree as it was */
			core_error_virt(CORE_ERR_FAILED, _("Cannot move snapshot \"%s\" under \"%s\""),
					(char *)children->pdata[i], to);
			goto out;
		}
	}
	if (virDomainSnapshotDelete(snap, VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot rename snapshot \"%s\""), from);
		goto out;
	}
	rc = 0;
	goto out;
undo:
	if (e.mem)
		rename(mem_to, e.mem);
	if (g_file_test(nv_to, G_FILE_TEST_IS_REGULAR))
		rename(nv_to, nv_from);
out:
	ext_snap_fini(&e);
	return rc;
}


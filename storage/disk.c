/*
 * disk.c — a VM's disks and CD-ROMs after `create`: list, add (a new
 * qcow2 or an image from elsewhere, checked like every foreign image),
 * remove, grow, insert and eject media.  Live when the VM runs and in its
 * definition at once.
 *
 * Facts this rests on (libvirt 9.0, QEMU 7.2): a virtio disk hot-plugged
 * on q35 takes a free PCIe root port (vmtui's VMs have spares; libvirt's
 * error when none is left is "No more available PCI slots"); a SCSI disk
 * takes none but needs a virtio-scsi controller, or libvirt adds an LSI
 * one the guest cannot see; SATA cannot be hot-plugged; the guest sees a
 * resize at once; an eject while the guest holds the tray times out
 * after 5 s ("timed out waiting to open tray"), and forced works.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/files.h"
#include "core/image.h"
#include "core/journal.h"
#include "core/jobs.h"
#include "core/names.h"
#include "core/run.h"
#include "core/vm.h"
#include "storage/storage.h"

/* The VM, settled, with its definitions: @live is the running one (or
 * the persistent one when shut off). */
struct vm_disks {
	virDomainPtr dom;
	bool active;
	char *xml;                /* persistent */
	struct vm_spec *config;   /* parsed @xml */
	struct vm_spec *live;
};

static void vm_disks_fini(struct vm_disks *v)
{
	g_free(v->xml);
	vm_spec_free(v->config);
	vm_spec_free(v->live);
	if (v->dom)
		virDomainFree(v->dom);
}

static int vm_disks_read(struct engine *eng, const char *vm, struct vm_disks *v)
{
	g_autofree char *live = NULL;

	memset(v, 0, sizeof *v);
	if (!(v->dom = vm_lookup_settled(eng, vm)))
		return -1;
	v->active = virDomainIsActive(v->dom) == 1;
	v->xml = virDomainGetXMLDesc(v->dom, VIR_DOMAIN_XML_INACTIVE);
	live = v->active ? virDomainGetXMLDesc(v->dom, 0) : NULL;
	v->config = v->xml ? domxml_parse(v->xml) : NULL;
	v->live = live ? domxml_parse(live) : NULL;
	if (!v->config || (v->active && !v->live)) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), vm);
		return -1;
	}
	return 0;
}

static unsigned affect(const struct vm_disks *v)
{
	return VIR_DOMAIN_AFFECT_CONFIG | (v->active ? VIR_DOMAIN_AFFECT_LIVE : 0);
}

/* The disk @target of @spec, or NULL. */
static struct vm_disk *find(const struct vm_spec *spec, const char *target)
{
	for (guint i = 0; spec && i < spec->disks->len; i++) {
		struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (g_strcmp0(d->target, target) == 0)
			return d;
	}
	return NULL;
}

/* The disk @target of the VM as it is now (live when it runs), with an
 * error naming the VM's targets when there is none. */
static struct vm_disk *find_or_say(const struct vm_disks *v, const char *vm, const char *target)
{
	const struct vm_spec *now = v->active ? v->live : v->config;
	struct vm_disk *d = find(now, target);
	g_autoptr(GString) all = g_string_new(NULL);

	if (d)
		return d;
	for (guint i = 0; i < now->disks->len; i++) {
		const struct vm_disk *e = g_ptr_array_index(now->disks, i);

		g_string_append_printf(all, "%s%s", all->len ? ", " : "", e->target ? e->target : "?");
	}
	core_error(CORE_ERR_NOT_FOUND, all->len ? _("VM \"%s\" has no disk \"%s\" (it has %s).") :
		   _("VM \"%s\" has no disk \"%s\" (it has none)."), vm, target, all->str);
	return NULL;
}

/* ---- list ------------------------------------------------------------------ */

GPtrArray *disk_list(struct engine *eng, const char *vm)
{
	struct vm_disks v;
	GPtrArray *out = NULL;

	if (vm_disks_read(eng, vm, &v) == 0) {
		struct vm_spec *now = v.active ? v.live : v.config;

		out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_disk_free);
		for (guint i = 0; i < now->disks->len; i++) {
			struct vm_disk *d = vm_disk_copy(g_ptr_array_index(now->disks, i));
			const struct vm_disk *c = find(v.config, d->target);
			virDomainBlockInfo info;

			/* vmtui's records are in the definition */
			d->owned = c && g_strcmp0(c->path, d->path) == 0 && c->owned;
			/* what the guest sees; an empty CD-ROM has none */
			if (d->target && d->path && virDomainGetBlockInfo(v.dom, d->target, &info, 0) == 0)
				d->capacity = info.capacity;
			g_ptr_array_add(out, d);
		}
		core_error_clear();
	}
	vm_disks_fini(&v);
	return out;
}

/* ---- add -------------------------------------------------------------------- */

/* The first free target name on @bus: vdX for virtio, sdX for SCSI and
 * SATA (one name space), among the targets of both definitions. */
static char *free_target(const struct vm_disks *v, const char *bus)
{
	const char *prefix = strcmp(bus, "virtio") == 0 ? "vd" : "sd";

	for (int i = 0; i < 26 * 27; i++) {
		g_autofree char *name = i < 26 ? g_strdup_printf("%s%c", prefix, 'a' + i) :
					g_strdup_printf("%s%c%c", prefix, 'a' + i / 26 - 1, 'a' + i % 26);

		if (!find(v->config, name) && !find(v->live, name))
			return g_steal_pointer(&name);
	}
	return NULL;
}

/* The VM of @eng whose disk (or its backing file) @path is, or NULL. */
static char *user_of(struct engine *eng, const char *path)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);

	for (guint i = 0; vms && i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		for (guint k = 0; s->disks && k < s->disks->len; k++) {
			const struct vm_disk *d = g_ptr_array_index(s->disks, k);

			if (g_strcmp0(d->path, path) == 0 || g_strcmp0(d->backing, path) == 0)
				return g_strdup(s->name);
		}
	}
	return NULL;
}

/* Whether the VM has a virtio-scsi controller; -1 (with an error) when it
 * has another SCSI model, which the guest may not see. */
static int has_virtio_scsi(const char *xml)
{
	const char *c = strstr(xml, "<controller type='scsi'");
	const char *model = c ? strstr(c, "model='virtio-scsi'") : NULL;

	if (!c)
		return 0;
	return model && model < strchr(c, '>') ? 1 : -1;
}

/* Turns libvirt's error of an attach into what the user can do. */
static void attach_failed(const char *vm, const char *bus)
{
	g_autofree char *msg = g_strdup(core_error_message());

	if (strstr(msg, "No more available PCI slots"))
		core_error(CORE_ERR_STATE,
			   _("VM \"%s\" has no free PCI slot left for a %s disk: add it with --bus scsi, which "
			     "needs none, or shut the VM down and add it then (libvirt: %s)"), vm, bus, msg);
	else if (strstr(msg, "cannot be hotplugged") || strstr(msg, "hotplug"))
		core_error(CORE_ERR_STATE,
			   _("A %s disk cannot be added to running VM \"%s\": use --bus virtio or scsi, or "
			     "shut the VM down first (libvirt: %s)"), bus, vm, msg);
	else
		core_error(CORE_ERR_FAILED, _("Cannot add the disk to VM \"%s\": %s"), vm, msg);
}

/* Attaches @d (its target chosen here) to the VM of @v, live when it
 * runs and in its definition; a SCSI one gets the virtio-scsi controller
 * first when the VM has none. */
static int attach(struct vm_disks *v, const char *vm, struct vm_disk *d)
{
	g_autofree char *xml = NULL;
	int scsi;

	if (strcmp(d->bus, "scsi") == 0 && (scsi = has_virtio_scsi(v->xml)) <= 0) {
		const char *ctl = "<controller type='scsi' model='virtio-scsi'/>";

		if (scsi < 0) {
			core_error(CORE_ERR_STATE, _("VM \"%s\" has a SCSI controller of another model than "
						     "virtio-scsi: vmtui adds no SCSI disk to it."), vm);
			return -1;
		}
		if (virDomainAttachDeviceFlags(v->dom, ctl, affect(v)) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot add a SCSI controller to VM \"%s\""), vm);
			attach_failed(vm, d->bus);
			return -1;
		}
	}
	g_free(d->target);
	d->target = free_target(v, d->bus);
	xml = domxml_disk(d);
	if (!xml || virDomainAttachDeviceFlags(v->dom, xml, affect(v)) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot add the disk to VM \"%s\""), vm);
		attach_failed(vm, d->bus);
		return -1;
	}
	return 0;
}

int disk_add(struct engine *eng, const char *vm, const struct disk_new *n, char **target)
{
	struct vm_disks v;
	autoptr(image_info) info = NULL;
	g_autofree char *user = NULL, *owned_xml = NULL, *made = NULL;
	struct vm_disk d = { 0 };
	const char *bus = n->bus ? n->bus : "virtio";

	int rc = -1;

	if (vm_disks_read(eng, vm, &v) < 0)
		goto out;
	if (strcmp(bus, "virtio") != 0 && strcmp(bus, "scsi") != 0 && strcmp(bus, "sata") != 0) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is no disk bus: use virtio, scsi or sata."), bus);
		goto out;
	}
	if (n->cache && !g_strv_contains((const char *const[]){ "none", "writeback", "writethrough",
								   "directsync", "unsafe", NULL }, n->cache)) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is no cache mode: use none, writeback, writethrough, directsync or unsafe."),
			   n->cache);
		goto out;
	}
	if (!n->image && (n->bytes < DISK_MIN_BYTES || n->bytes > DISK_MAX_BYTES)) {
		core_error(CORE_ERR_USAGE, _("A new disk has 1 MiB to 16 TiB."));
		goto out;
	}
	if (n->image) {
		if (!core_path_valid(_("the image"), n->image))
			goto out;
		if ((user = user_of(eng, n->image))) {
			core_error(CORE_ERR_STATE, _("%s is already a disk of VM \"%s\" (or its backing file): "
						     "two VMs writing one image corrupt it."), n->image, user);
			goto out;
		}
		if (!(info = image_inspect_safe(n->image, NULL, NULL)))
			goto out;
	}
	d.bus = (char *)bus;
	d.cache = (char *)n->cache;
	d.discard = n->discard;
	if (info) {
		d.path = info->path;
		d.format = info->format;
	} else {
		if (!(made = disk_create(eng, vm, n->bytes)))
			goto out;
		d.path = made;
		d.format = (char *)"qcow2";
	}
	if (attach(&v, vm, &d) < 0)
		goto out;
	if (made) {
		/* recorded as vmtui's, for delete --remove-disks */
		g_autofree char *now = virDomainGetXMLDesc(v.dom, VIR_DOMAIN_XML_INACTIVE);
		virDomainPtr again;

		owned_xml = now ? domxml_set_disk_owned(now, made, true) : NULL;
		again = owned_xml ? virDomainDefineXML(engine_conn(eng), owned_xml) : NULL;
		if (again)
			virDomainFree(again);
		g_clear_pointer(&made, g_free); /* the VM has it now */
	}
	if (target)
		*target = g_strdup(d.target);
	rc = 0;
out:
	if (made)
		disk_remove(eng, made);
	g_free(d.target);
	vm_disks_fini(&v);
	return rc;
}

/* ---- remove ------------------------------------------------------------------ */

int disk_detach(struct engine *eng, const char *vm, const char *target, bool delete_file,
		char **report)
{
	struct vm_disks v;
	struct vm_disk *d;
	g_autofree char *xml = NULL, *path = NULL;
	bool owned;
	int rc = -1;

	if (vm_disks_read(eng, vm, &v) < 0 || !(d = find_or_say(&v, vm, target)))
		goto out;
	path = g_strdup(d->path);
	owned = find(v.config, target) ? find(v.config, target)->owned : false;
	if (delete_file && path && !owned) {
		core_error(CORE_ERR_USAGE, _("vmtui did not create %s, so it does not delete it: remove the "
					     "disk without --delete-file, then the file yourself."), path);
		goto out;
	}
	xml = domxml_disk(d);
	if (!xml || virDomainDetachDeviceFlags(v.dom, xml, affect(&v)) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot remove disk %s from VM \"%s\""), target, vm);
		goto out;
	}
	rc = 0;
	if (path && owned) {
		g_autofree char *now = virDomainGetXMLDesc(v.dom, VIR_DOMAIN_XML_INACTIVE);
		g_autofree char *edited = now ? domxml_set_disk_owned(now, path, false) : NULL;
		virDomainPtr again = edited ? virDomainDefineXML(engine_conn(eng), edited) : NULL;

		if (again)
			virDomainFree(again);
	}
	if (report)
		*report = delete_file && path ? NULL : path ?
			g_strdup_printf(_("Kept %s."), path) : NULL;
	if (delete_file && path) {
		if (disk_remove(eng, path) < 0)
			rc = -1;
		else if (report)
			*report = g_strdup_printf(_("Deleted %s."), path);
	}
out:
	vm_disks_fini(&v);
	return rc;
}

/* ---- resize ------------------------------------------------------------------ */

int disk_resize(struct engine *eng, const char *vm, const char *target, uint64_t bytes)
{
	struct vm_disks v;
	struct vm_disk *d;
	virDomainBlockInfo info;
	int rc = -1;

	if (vm_disks_read(eng, vm, &v) < 0 || !(d = find_or_say(&v, vm, target)))
		goto out;
	if (d->cdrom || d->readonly) {
		core_error(CORE_ERR_USAGE, _("%s of VM \"%s\" is read-only: it cannot grow."), target, vm);
		goto out;
	}
	if (bytes > DISK_MAX_BYTES) {
		core_error(CORE_ERR_USAGE, _("A disk has at most 16 TiB."));
		goto out;
	}
	if (virDomainGetBlockInfo(v.dom, target, &info, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read the size of disk %s"), target);
		goto out;
	}
	if (bytes <= info.capacity) {
		core_error(CORE_ERR_USAGE, bytes == info.capacity ?
			   _("Disk %s already has %" PRIu64 " MiB.") :
			   _("Disk %s has %" PRIu64 " MiB: vmtui only grows disks (shrinking loses what the "
			     "guest keeps at the end)."), target, (uint64_t)(info.capacity >> 20));
		goto out;
	}
	if (v.active) {
		if (virDomainBlockResize(v.dom, target, bytes, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot grow disk %s"), target);
			goto out;
		}
	} else if (engine_is_embedded(eng)) {
		g_autofree char *size = g_strdup_printf("%" PRIu64, bytes);
		const char *argv[] = { "resize", "-q", "-f", d->format ? d->format : "raw", d->path, size, NULL };
		g_autofree char *out = core_qemu_img(argv, _("qemu-img resize"), NULL);

		if (!out)
			goto out;
	} else {
		virStorageVolPtr vol = virStorageVolLookupByPath(engine_conn(eng), d->path);

		if (!vol || virStorageVolResize(vol, bytes, 0) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot grow disk %s"), target);
			if (vol)
				virStorageVolFree(vol);
			goto out;
		}
		virStorageVolFree(vol);
	}
	rc = 0;
out:
	vm_disks_fini(&v);
	return rc;
}

/* ---- CD-ROMs ----------------------------------------------------------------- */

int cdrom_change(struct engine *eng, const char *vm, const char *target, const char *iso,
		 bool force, char **changed)
{
	struct vm_disks v;
	const struct vm_spec *now;
	struct vm_disk *cd = NULL;
	autoptr(image_info) info = NULL;
	struct vm_disk d;
	g_autofree char *xml = NULL;
	int rc = -1;

	if (vm_disks_read(eng, vm, &v) < 0)
		goto out;
	now = v.active ? v.live : v.config;
	/* the CD-ROM named, else the first one that is empty (to insert)
	 * or holds a disc (to eject), else the first one */
	for (guint i = 0; i < now->disks->len; i++) {
		struct vm_disk *e = g_ptr_array_index(now->disks, i);

		if (!e->cdrom || (target && g_strcmp0(e->target, target) != 0))
			continue;
		/* fits: empty to insert into, holding a disc to eject */
		if (!cd || (!target && (iso ? cd->path && !e->path : !cd->path && e->path)))
			cd = e;
	}
	if (!cd && (target || !iso)) {
		core_error(CORE_ERR_STATE, target ? _("VM \"%s\" has no CD-ROM \"%s\".") :
			   _("VM \"%s\" has no CD-ROM drive."), vm, target);
		goto out;
	}
	if (iso && (!core_path_valid(_("the ISO image"), iso) || !(info = image_inspect(iso, "raw"))))
		goto out;
	if (!cd) {
		/* a drive for it, on virtio-scsi: every guest kernel vmtui
		 * boots has that driver, and it takes no PCI slot */
		struct vm_disk nd = { .path = info->path, .format = (char *)"raw", .bus = (char *)"scsi",
				      .cdrom = true, .readonly = true };

		rc = attach(&v, vm, &nd);
		if (rc == 0 && changed)
			*changed = nd.target;
		else
			g_free(nd.target);
		goto out;
	}
	if (!iso && !cd->path) {
		core_error(CORE_ERR_STATE, _("The CD-ROM %s of VM \"%s\" is empty already."), cd->target, vm);
		goto out;
	}
	d = *cd;
	d.path = info ? info->path : NULL;
	d.format = (char *)"raw";
	d.backing = NULL;
	xml = domxml_disk(&d);
	if (!xml || virDomainUpdateDeviceFlags(v.dom, xml, affect(&v) |
					       (force ? VIR_DOMAIN_DEVICE_MODIFY_FORCE : 0)) < 0) {
		g_autofree char *msg = NULL;

		core_error_virt(CORE_ERR_FAILED, iso ? _("Cannot insert %s into VM \"%s\"") :
				_("Cannot eject the CD-ROM of VM \"%s\""), iso ? iso : vm, vm);
		msg = g_strdup(core_error_message());
		if (strstr(msg, "tray"))
			core_error(CORE_ERR_STATE,
				   _("The guest of VM \"%s\" holds the tray of %s shut (a mounted disc?): unmount it "
				     "in the guest, or eject with --force (libvirt: %s)"), vm, cd->target, msg);
		goto out;
	}
	if (changed)
		*changed = g_strdup(cd->target);
	rc = 0;
out:
	vm_disks_fini(&v);
	return rc;
}

/* ---- convert ------------------------------------------------------------------- */

int disk_convert(struct engine *eng, const char *vm, const char *target, struct job *job,
		 char **report)
{
	struct vm_disks v;
	struct vm_disk *d;
	struct run_opts opts = { .job = job };
	autoptr(journal) j = NULL;
	g_autofree char *made = NULL, *out = NULL, *xml = NULL, *owned = NULL;
	virDomainPtr again = NULL;
	int rc = -1;

	if (vm_disks_read(eng, vm, &v) < 0 || !(d = find_or_say(&v, vm, target)))
		goto out;
	if (!engine_is_embedded(eng)) {
		core_error(CORE_ERR_STATE, _("On %s the disk is a file of the daemon's host: convert it there."),
			   engine_uri(eng));
		goto out;
	}
	if (v.active) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is running; shut it down to convert its disk."), vm);
		goto out;
	}
	if (d->cdrom || d->readonly || !d->path) {
		core_error(CORE_ERR_USAGE, _("%s of VM \"%s\" is no writable disk."), target, vm);
		goto out;
	}
	if (g_strcmp0(d->format, "qcow2") == 0) {
		core_error(CORE_ERR_USAGE, _("Disk %s of VM \"%s\" is qcow2 already."), target, vm);
		goto out;
	}
	if (!(made = disk_new_path(vm, target, "qcow2", true)))
		goto out;
	/* a killed run leaves no half-written copy behind */
	j = journal_new(N_("disk convert"), NULL);
	journal_add(j, NULL, made);
	if (journal_save(j) < 0)
		goto out;
	if (job)
		job_progress(job, 0.1, _("Converting %s to qcow2"), d->path);
	{
		const char *argv[] = { "convert", "-q", "-f", d->format ? d->format : "raw", "-O", "qcow2",
				       "--", d->path, made, NULL };

		if (!(out = core_qemu_img(argv, _("qemu-img convert"), &opts)))
			goto out;
	}
	xml = domxml_set_disk_file(v.xml, target, made, "qcow2");
	owned = xml ? domxml_set_disk_owned(xml, made, true) : NULL;
	if (owned && d->owned) {
		g_autofree char *was = owned;

		owned = domxml_set_disk_owned(was, d->path, false);
	}
	if (!owned)
		goto out;
	if (!(again = virDomainDefineXML(engine_conn(eng), owned))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot point VM \"%s\" at the converted disk"), vm);
		goto out;
	}
	virDomainFree(again);
	if (report)
		*report = g_strdup_printf(_("Converted disk %s of VM \"%s\" to qcow2: %s.\nKept the %s file %s: "
					    "delete it once the VM works."), target, vm, made,
					  d->format ? d->format : "raw", d->path);
	g_clear_pointer(&made, g_free); /* the VM's now */
	rc = 0;
out:
	if (made)
		unlink(made);
	vm_disks_fini(&v);
	return rc;
}

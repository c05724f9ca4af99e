/*
 * snapshot.c — a VM's snapshots: take, list as a tree, revert (saying
 * first what the revert undoes), delete, describe.
 *
 * Facts this rests on (libvirt 9.0, QEMU 7.2): an internal snapshot of a
 * running VM holds its memory too, and a revert to it restarts QEMU with
 * the saved state (the domain id changes); a revert also puts back the
 * definition saved with the snapshot, so hardware changed since is
 * undone; internal snapshots are refused with pflash firmware and on raw
 * disks; a VM's CD-ROMs are skipped by themselves.  Libvirt keeps the
 * tree across processes under the engine's root.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/names.h"
#include "core/vm.h"
#include "storage/storage.h"
#include "storage/storage-priv.h"

#define SNAPSHOT_NAME_MAX 64

bool snapshot_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > SNAPSHOT_NAME_MAX) {
		core_error(CORE_ERR_USAGE, _("A snapshot name has 1 to %d characters."),
			   SNAPSHOT_NAME_MAX);
		return false;
	}
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("._-+", *p)) {
			core_error(CORE_ERR_USAGE,
				   _("A snapshot name has only letters, digits, '.', '_', '-' and '+'."));
			return false;
		}
	if (name[0] == '-' || name[0] == '.') {
		core_error(CORE_ERR_USAGE, _("A snapshot name does not start with '-' or '.'."));
		return false;
	}
	return true;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	g_free(s->name);
	g_free(s->parent);
	g_free(s->description);
	g_free(s->state);
	g_free(s);
}

/* ---- reading libvirt's snapshot XML ---------------------------------------- */

xmlDocPtr xml_read(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "snapshot.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);

	if (doc && !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

xmlNodePtr xml_child(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static char *child_text(xmlNodePtr node, const char *name)
{
	xmlNodePtr c = xml_child(node, name);
	xmlChar *s = c ? xmlNodeGetContent(c) : NULL;
	char *out = s && *s ? g_strdup((const char *)s) : NULL;

	xmlFree(s);
	return out;
}

char *xml_attr(xmlNodePtr node, const char *name)
{
	xmlChar *s = node ? xmlGetProp(node, BAD_CAST name) : NULL;
	char *out = s ? g_strdup((const char *)s) : NULL;

	xmlFree(s);
	return out;
}

/* Whether snapshot XML @root keeps anything outside the disks' qcow2
 * files: a memory file or an overlay (another client's external one). */
static bool is_external(xmlNodePtr root)
{
	g_autofree char *mem = xml_attr(xml_child(root, "memory"), "snapshot");

	if (mem && strcmp(mem, "external") == 0)
		return true;
	for (xmlNodePtr d = xml_child(root, "disks") ? xml_child(root, "disks")->children : NULL; d; d = d->next) {
		g_autofree char *kind = d->type == XML_ELEMENT_NODE ? xml_attr(d, "snapshot") : NULL;

		if (kind && strcmp(kind, "external") == 0)
			return true;
	}
	return false;
}

/* A snapshot from its libvirt handle; NULL with an error. */
static struct snapshot *snapshot_read(virDomainSnapshotPtr snap, bool *external)
{
	g_autofree char *xml = virDomainSnapshotGetXMLDesc(snap, 0);
	xmlDocPtr doc = xml ? xml_read(xml) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	struct snapshot *s;
	g_autofree char *created = NULL, *mem = NULL;

	if (!root) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read snapshot \"%s\""),
				virDomainSnapshotGetName(snap));
		xmlFreeDoc(doc);
		return NULL;
	}
	s = g_new0(struct snapshot, 1);
	s->name = g_strdup(virDomainSnapshotGetName(snap));
	s->description = child_text(root, "description");
	s->state = child_text(root, "state");
	s->parent = child_text(xml_child(root, "parent"), "name");
	created = child_text(root, "creationTime");
	s->created = created ? g_ascii_strtoll(created, NULL, 10) : 0;
	mem = xml_attr(xml_child(root, "memory"), "snapshot");
	s->memory = mem ? strcmp(mem, "no") != 0 :
		    s->state && strcmp(s->state, "shutoff") != 0 && strcmp(s->state, "disk-snapshot") != 0;
	s->current = virDomainSnapshotIsCurrent(snap, 0) == 1;
	if (external)
		*external = is_external(root);
	xmlFreeDoc(doc);
	return s;
}

/* The definition saved with snapshot @snap, for the next start (the
 * inactive one when the VM ran, which 9.0 keeps beside the live one). */
static struct vm_spec *saved_spec(virDomainSnapshotPtr snap)
{
	g_autofree char *xml = virDomainSnapshotGetXMLDesc(snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
	xmlDocPtr doc = xml ? xml_read(xml) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr dom = xml_child(root, "inactiveDomain");
	struct vm_spec *spec = NULL;

	if (!dom)
		dom = xml_child(root, "domain");
	if (dom) {
		xmlDocPtr one = xmlNewDoc(BAD_CAST "1.0");
		xmlNodePtr copy = xmlDocCopyNode(dom, one, 1);
		xmlChar *text = NULL;
		int len = 0;

		xmlNodeSetName(copy, BAD_CAST "domain");
		xmlDocSetRootElement(one, copy);
		xmlDocDumpMemory(one, &text, &len);
		if (text)
			spec = domxml_parse((const char *)text);
		xmlFree(text);
		xmlFreeDoc(one);
	}
	xmlFreeDoc(doc);
	if (!spec)
		core_error(CORE_ERR_FAILED, _("Snapshot \"%s\" holds no definition of its VM."),
			   virDomainSnapshotGetName(snap));
	return spec;
}

/* ---- looking things up ------------------------------------------------------ */

static virDomainSnapshotPtr lookup(virDomainPtr dom, const char *name)
{
	virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);

	if (!snap)
		core_error(CORE_ERR_NOT_FOUND, _("VM \"%s\" has no snapshot \"%s\"."),
			   virDomainGetName(dom), name);
	return snap;
}

static void free_snaps(virDomainSnapshotPtr *snaps, int n)
{
	for (int i = 0; i < n; i++)
		virDomainSnapshotFree(snaps[i]);
	free(snaps);
}

/* A VM and one of its snapshots, looked up together. */
struct snap_ref {
	virDomainPtr dom;
	virDomainSnapshotPtr snap;
};

/* Looks up snapshot @name of @vm (@settled: once libvirt is done
 * reconnecting to the VM, for calls that change it); false with an
 * error.  snap_close() either way. */
static bool snap_open(struct engine *eng, const char *vm, const char *name, bool settled,
		      struct snap_ref *r)
{
	r->dom = settled ? vm_lookup_settled(eng, vm) : vm_lookup(eng, vm);
	r->snap = r->dom ? lookup(r->dom, name) : NULL;
	return r->snap != NULL;
}

static void snap_close(struct snap_ref *r)
{
	if (r->snap)
		virDomainSnapshotFree(r->snap);
	if (r->dom)
		virDomainFree(r->dom);
}

/* Whether any of @dom's snapshots keeps data outside its qcow2 files;
 * -1 with an error when they cannot be read. */
static int has_external(virDomainPtr dom)
{
	virDomainSnapshotPtr *snaps = NULL;
	int n = virDomainListAllSnapshots(dom, &snaps, 0), found = 0;

	if (n < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot list the snapshots of VM \"%s\""),
				virDomainGetName(dom));
		return -1;
	}
	for (int i = 0; i < n && !found; i++) {
		bool external = false;
		struct snapshot *s = snapshot_read(snaps[i], &external);

		if (!s)
			found = -1;
		else if (external)
			found = 1;
		snapshot_free(s);
	}
	free_snaps(snaps, n);
	return found;
}

/* Whether @dom boots with UEFI firmware: its snapshots are external. */
static bool is_uefi(virDomainPtr dom)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	autoptr(vm_spec) spec = xml ? domxml_parse(xml) : NULL;

	return spec && spec->firmware == FIRMWARE_UEFI;
}

/* The kind of @dom's snapshots: 0 internal, 1 external (a UEFI VM's,
 * vmtui's, whose files only the embedded engine's are), -1 with an
 * error for a UEFI VM elsewhere. */
static int external_kind(struct engine *eng, virDomainPtr dom)
{
	if (!is_uefi(dom))
		return 0;
	if (engine_is_embedded(eng))
		return 1;
	core_error(CORE_ERR_STATE, _("VM \"%s\" boots with UEFI firmware: vmtui keeps the snapshots of such a VM, with their files, on the embedded engine only."),
		   virDomainGetName(dom));
	return -1;
}

/* Why @dom, defined as @spec, gets no snapshot, or NULL. */
static char *why_not(struct engine *eng, virDomainPtr dom, const struct vm_spec *spec)
{
	const char *name = virDomainGetName(dom);
	unsigned disks = 0;
	int ext;

	if (spec->firmware == FIRMWARE_UEFI) {
		char *why = external_refusal(eng, dom, spec);

		if (why)
			return why;
		ext = has_external(dom);
		if (ext < 0)
			return g_strdup(core_error_message());
		if (!ext && virDomainSnapshotNum(dom, 0) > 0)
			return g_strdup_printf(_("VM \"%s\" has internal snapshots (made by another libvirt client): "
						 "external ones beside them would be orphaned by a revert to those, so "
						 "vmtui takes none. Delete those first."), name);
		return NULL;
	}
	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (d->cdrom || d->readonly || !d->path)
			continue;
		if (!d->format || strcmp(d->format, "qcow2") != 0)
			return g_strdup_printf(_("Disk %s (%s) of VM \"%s\" is %s: only qcow2 disks hold snapshots. "
						 "Convert it while the VM is shut off: vmtui disk convert %s %s"),
					       d->target ? d->target : "?", d->path, name,
					       d->format ? d->format : _("of no known format"), name,
					       d->target ? d->target : "TARGET");
		disks++;
	}
	if (!disks)
		return g_strdup_printf(_("VM \"%s\" has no writable disk to keep a snapshot in."), name);
	ext = has_external(dom);
	if (ext < 0)
		return g_strdup(core_error_message());
	if (ext)
		return g_strdup_printf(_("VM \"%s\" has external snapshots (made by another libvirt client): "
					 "internal ones beside them would orphan their overlays, so vmtui takes none. "
					 "Delete those first."), name);
	return NULL;
}

/* Why @dom gets no snapshot, or NULL; its definition in *@def when @def
 * is not NULL (caller frees; NULL when it could not be read). */
static char *refusal_of(struct engine *eng, virDomainPtr dom, struct vm_spec **def)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	struct vm_spec *spec = xml ? domxml_parse(xml) : NULL;
	char *why;

	if (!spec) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), virDomainGetName(dom));
		return g_strdup(core_error_message());
	}
	why = why_not(eng, dom, spec);
	if (def)
		*def = spec;
	else
		vm_spec_free(spec);
	return why;
}

char *snapshot_refusal(struct engine *eng, const char *vm)
{
	virDomainPtr dom = vm_lookup_settled(eng, vm);
	char *why;

	if (!dom)
		return g_strdup(core_error_message());
	why = refusal_of(eng, dom, NULL);
	virDomainFree(dom);
	return why;
}

/* ---- taking one --------------------------------------------------------- */

/* A free name from the time: "20261203-065501", then "-2", "-3", ... */
static char *time_name(virDomainPtr dom)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *base = g_date_time_format(now, "%Y%m%d-%H%M%S");

	for (int i = 1; i < 100; i++) {
		char *name = i == 1 ? g_strdup(base) : g_strdup_printf("%s-%d", base, i);
		virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);

		if (!snap)
			return name;
		virDomainSnapshotFree(snap);
		g_free(name);
	}
	return g_strdup_printf("%s-%u", base, g_random_int());
}

static char *create_xml(const char *name, const char *description)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "domainsnapshot", NULL);
	xmlChar *text = NULL;
	int len = 0;
	char *out;

	xmlDocSetRootElement(doc, root);
	xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST name);
	if (description && *description)
		xmlNewTextChild(root, NULL, BAD_CAST "description", BAD_CAST description);
	xmlDocDumpMemory(doc, &text, &len);
	out = g_strdup((const char *)text);
	xmlFree(text);
	xmlFreeDoc(doc);
	return out;
}

int snapshot_create(struct engine *eng, const char *vm, const char *name,
		    const char *description, unsigned flags, struct job *job, char **taken,
		    bool *memory, bool *ran)
{
	virDomainPtr dom = vm_lookup_settled(eng, vm);
	virDomainSnapshotPtr snap = NULL;
	g_autofree char *why = NULL, *own = NULL, *xml = NULL;
	autoptr(vm_spec) spec = NULL;
	bool running, uefi;
	int rc = -1;

	if (!dom)
		return -1;
	if (name && !snapshot_name_valid(name))
		goto out;
	if (description && !core_text_valid(_("the description"), description))
		goto out;
	if ((why = refusal_of(eng, dom, &spec))) {
		core_error(CORE_ERR_STATE, "%s", why);
		goto out;
	}
	if (name && (snap = virDomainSnapshotLookupByName(dom, name, 0))) {
		core_error(CORE_ERR_USAGE, _("VM \"%s\" already has a snapshot \"%s\"."), vm, name);
		goto out;
	}
	core_error_clear();
	running = virDomainIsActive(dom) == 1;
	uefi = spec->firmware == FIRMWARE_UEFI;
	if ((flags & SNAPSHOT_QUIESCE) && !(flags & SNAPSHOT_DISK_ONLY)) {
		core_error(CORE_ERR_USAGE, _("--quiesce goes with --disk-only: a snapshot with the memory needs no frozen file systems."));
		goto out;
	}
	if ((flags & SNAPSHOT_DISK_ONLY) && running && !uefi) {
		core_error(CORE_ERR_STATE, _("An internal snapshot of a running VM holds its memory too (libvirt 9.0 takes no internal one of its disks alone): leave out --disk-only, or shut VM \"%s\" down first."),
			   vm);
		goto out;
	}
	own = name ? g_strdup(name) : time_name(dom);
	xml = create_xml(own, description);
	if (memory)
		*memory = running && !(flags & SNAPSHOT_DISK_ONLY);
	if (ran)
		*ran = running;
	if (job)
		job_progress(job, 0.1, virDomainIsActive(dom) == 1 ?
			     _("Saving the disks and memory of %s") : _("Saving the disks of %s"), vm);
	if (uefi) {
		if (external_create(eng, dom, spec, own, description, flags) < 0)
			goto out;
	} else if (!(snap = virDomainSnapshotCreateXML(dom, xml, 0))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot take snapshot \"%s\" of VM \"%s\""), own, vm);
		goto out;
	}
	if (taken)
		*taken = g_steal_pointer(&own);
	rc = 0;
out:
	if (snap)
		virDomainSnapshotFree(snap);
	virDomainFree(dom);
	return rc;
}

/* ---- the tree --------------------------------------------------------------- */

static gint by_created(gconstpointer a, gconstpointer b)
{
	const struct snapshot *x = *(struct snapshot *const *)a, *y = *(struct snapshot *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Appends the children of @parent (NULL: the roots) from @all to @out,
 * depth first. */
static void walk(GPtrArray *all, const char *parent, unsigned depth, GPtrArray *out)
{
	struct snapshot *last = NULL;

	for (guint i = 0; i < all->len; i++) {
		struct snapshot *s = all->pdata[i];

		if (!s || g_strcmp0(s->parent, parent) != 0)
			continue;
		all->pdata[i] = NULL;
		s->depth = depth;
		last = s;
		g_ptr_array_add(out, s);
		walk(all, s->name, depth + 1, out);
	}
	if (last)
		last->last_child = true;
}

GPtrArray *snapshot_list(struct engine *eng, const char *vm)
{
	virDomainPtr dom = vm_lookup(eng, vm);
	virDomainSnapshotPtr *snaps = NULL;
	g_autoptr(GPtrArray) all = NULL;
	GPtrArray *out;
	int n;

	if (!dom)
		return NULL;
	n = virDomainListAllSnapshots(dom, &snaps, 0);
	if (n < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot list the snapshots of VM \"%s\""), vm);
		virDomainFree(dom);
		return NULL;
	}
	all = g_ptr_array_new_with_free_func((GDestroyNotify)snapshot_free);
	for (int i = 0; i < n; i++) {
		struct snapshot *s = snapshot_read(snaps[i], NULL);

		if (s)
			g_ptr_array_add(all, s);
	}
	free_snaps(snaps, n);
	virDomainFree(dom);
	g_ptr_array_sort(all, by_created);
	out = g_ptr_array_new_with_free_func((GDestroyNotify)snapshot_free);
	walk(all, NULL, 0, out);
	/* a parent libvirt no longer has: its children become roots */
	for (guint i = 0; i < all->len; i++)
		if (all->pdata[i]) {
			struct snapshot *s = all->pdata[i];

			all->pdata[i] = NULL;
			s->last_child = true;
			g_ptr_array_add(out, s);
			walk(all, s->name, 1, out);
		}
	return out;
}

GPtrArray *snapshot_subtree(struct engine *eng, const char *vm, const char *name)
{
	g_autoptr(GPtrArray) list = snapshot_list(eng, vm);
	GPtrArray *out;
	guint i;

	if (!list)
		return NULL;
	for (i = 0; i < list->len; i++)
		if (strcmp(((struct snapshot *)list->pdata[i])->name, name) == 0)
			break;
	if (i == list->len) {
		core_error(CORE_ERR_NOT_FOUND, _("VM \"%s\" has no snapshot \"%s\"."), vm, name);
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(out, g_strdup(name));
	/* tree order: its descendants follow it, deeper than it */
	for (guint k = i + 1; k < list->len; k++) {
		const struct snapshot *s = list->pdata[k];

		if (s->depth <= ((struct snapshot *)list->pdata[i])->depth)
			break;
		g_ptr_array_add(out, g_strdup(s->name));
	}
	return out;
}

char *snapshot_branch(const GPtrArray *list, guint i, bool utf8)
{
	const struct snapshot *s = list->pdata[i];
	GString *out = g_string_new(NULL);

	for (unsigned l = 1; l < s->depth; l++) {
		/* the ancestor at depth l: the nearest item above at that depth */
		const struct snapshot *a = NULL;

		for (guint j = i; j-- > 0 && !a;)
			if (((const struct snapshot *)list->pdata[j])->depth == l)
				a = list->pdata[j];
		g_string_append(out, a && !a->last_child ? (utf8 ? "\u2502  " : "|  ") : "   ");
	}
	if (s->depth)
		g_string_append(out, s->last_child ? (utf8 ? "\u2514\u2500 " : "`- ") :
				(utf8 ? "\u251c\u2500 " : "|- "));
	return g_string_free(out, FALSE);
}

struct snapshot *snapshot_get(struct engine *eng, const char *vm, const char *name)
{
	struct snap_ref r = { 0 };
	struct snapshot *s = snap_open(eng, vm, name, false, &r) ? snapshot_read(r.snap, NULL) : NULL;

	snap_close(&r);
	return s;
}

/* ---- what a revert undoes ------------------------------------------------------ */

static char *mib_text(uint64_t mib)
{
	return mib % 1024 == 0 ? g_strdup_printf("%" G_GUINT64_FORMAT " GiB", mib / 1024) :
	       g_strdup_printf("%" G_GUINT64_FORMAT " MiB", mib);
}

/* The paths of @spec's disks (@cdrom: its CD-ROMs' media) in order, as
 * one text ("none" when there is none). */
static char *disks_text(const struct vm_spec *spec, bool cdrom)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (guint i = 0; i < spec->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (d->cdrom != cdrom || !d->path)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", d->path);
	}
	return s->len ? g_strdup(s->str) : g_strdup(_("none"));
}

static char *nics_text(const struct vm_spec *spec)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (guint i = 0; spec->nics && i < spec->nics->len; i++) {
		const struct vm_nic *n = g_ptr_array_index(spec->nics, i);
		g_string_append_printf(s, "%s%s (%s)", s->len ? ", " : "", n->mac ? n->mac : "?",
				       n->source ? n->source : n->type ? n->type : "?");
	}
	return s->len ? g_strdup(s->str) : g_strdup(_("none"));
}

static char *boot_text(const struct vm_boot *b)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (unsigned i = 0; i < b->n; i++)
		g_string_append_printf(s, "%s%s", i ? "," : "", vm_boot_dev_id(b->dev[i]));
	return s->len ? g_strdup(s->str) : g_strdup(_("not set"));
}

/* Adds "WHAT: NOW, back to THEN" to @out when the two differ (both
 * taken over). */
static void change(GPtrArray *out, const char *what, char *now, char *then)
{
	if (g_strcmp0(now, then) != 0)
		g_ptr_array_add(out, g_strdup_printf(_("%s: %s, back to %s"), what, now, then));
	g_free(now);
	g_free(then);
}

/* The lines of snapshot_changes for @then (saved) against @now. */
static GPtrArray *spec_changes(const struct vm_spec *now, const struct vm_spec *then)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	change(out, _("vCPUs"), g_strdup_printf("%u", now->vcpus), g_strdup_printf("%u", then->vcpus));
	/* the maxima only where one of them is not the current value */
	if (now->max_vcpus != now->vcpus || then->max_vcpus != then->vcpus)
		change(out, _("Maximum vCPUs"), g_strdup_printf("%u", now->max_vcpus),
		       g_strdup_printf("%u", then->max_vcpus));
	change(out, _("Memory"), mib_text(now->memory_mib), mib_text(then->memory_mib));
	if (now->max_memory_mib != now->memory_mib || then->max_memory_mib != then->memory_mib)
		change(out, _("Maximum memory"), mib_text(now->max_memory_mib),
		       mib_text(then->max_memory_mib));
	change(out, _("Firmware"), g_strdup(now->firmware == FIRMWARE_UEFI ? "UEFI" : "BIOS"),
	       g_strdup(then->firmware == FIRMWARE_UEFI ? "UEFI" : "BIOS"));
	change(out, _("Disks"), disks_text(now, false), disks_text(then, false));
	change(out, _("CD-ROMs"), disks_text(now, true), disks_text(then, true));
	change(out, _("NICs"), nics_text(now), nics_text(then));
	change(out, _("Boot order"), boot_text(&now->boot), boot_text(&then->boot));
	change(out, _("Kernel command line"), g_strdup(now->cmdline ? now->cmdline : _("none")),
	       g_strdup(then->cmdline ? then->cmdline : _("none")));
	return out;
}

GPtrArray *snapshot_changes(struct engine *eng, const char *vm, const char *name)
{
	struct snap_ref r = { 0 };
	g_autofree char *xml = NULL;
	autoptr(vm_spec) now = NULL;
	autoptr(vm_spec) then = NULL;
	GPtrArray *out = NULL;

	if (!snap_open(eng, vm, name, false, &r))
		goto out;
	xml = virDomainGetXMLDesc(r.dom, VIR_DOMAIN_XML_INACTIVE);
	now = xml ? domxml_parse(xml) : NULL;
	if (!now) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), vm);
		goto out;
	}
	then = saved_spec(r.snap);
	if (then)
		out = spec_changes(now, then);
out:
	snap_close(&r);
	return out;
}

/* ---- revert, delete, describe -------------------------------------------------- */

int snapshot_revert(struct engine *eng, const char *vm, const char *name,
		    enum snapshot_revert_state as, struct job *job)
{
	struct snap_ref r = { 0 };
	unsigned flags = as == SNAPSHOT_RUNNING ? VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING :
			 as == SNAPSHOT_PAUSED ? VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED : 0;
	int rc = -1;

	if (!snap_open(eng, vm, name, true, &r))
		goto out;
	switch (external_kind(eng, r.dom)) {
	case -1:
		goto out;
	case 1:
		rc = external_revert(eng, r.dom, r.snap, as, job);
		goto out;
	}
	/* an internal revert under another client's external overlays
	 * would run the VM on their frozen base and orphan them */
	switch (has_external(r.dom)) {
	case -1:
		goto out;
	case 1:
		core_error(CORE_ERR_STATE,
			   _("VM \"%s\" has external snapshots (made by another libvirt client): a revert "
			     "would orphan their overlays, so vmtui does not revert it."), vm);
		goto out;
	}
	if (job)
		job_progress(job, 0.1, _("Reverting %s to snapshot %s"), vm, name);
	/* the snapshot may start the VM: its lab networks first */
	if (engine_run_prestart_hook(eng, r.dom) < 0)
		goto out;
	if (virDomainRevertToSnapshot(r.snap, flags) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot revert VM \"%s\" to snapshot \"%s\""), vm, name);
		goto out;
	}
	rc = 0;
	/* a new QEMU: what vmtui sets up after each start (port forwards) */
	if (virDomainIsActive(r.dom) == 1 && engine_run_start_hook(eng, r.dom) < 0) {
		core_error(CORE_ERR_FAILED, _("VM \"%s\" was reverted to \"%s\", but %s"), vm, name,
			   core_error_message());
		rc = -1;
	}
out:
	snap_close(&r);
	return rc;
}

GPtrArray *snapshot_dropped_by_revert(struct engine *eng, const char *vm, const char *name)
{
	struct snap_ref r = { 0 };
	GPtrArray *out = NULL;

	if (snap_open(eng, vm, name, false, &r))
		out = is_uefi(r.dom) ? snapshot_subtree(eng, vm, name) : g_ptr_array_new_with_free_func(g_free);
	if (out && out->len)
		g_ptr_array_remove_index(out, 0); /* itself */
	snap_close(&r);
	return out;
}

int snapshot_delete(struct engine *eng, const char *vm, const char *name,
		    bool children, unsigned *count)
{
	struct snap_ref r = { 0 };
	g_autoptr(GPtrArray) names = NULL;
	int uefi, rc = 0;

	if (count)
		*count = 0;
	if (!snap_open(eng, vm, name, true, &r)) {
		snap_close(&r);
		return -1;
	}
	if ((uefi = external_kind(eng, r.dom)) < 0) {
		snap_close(&r);
		return -1;
	}
	if (children) {
		names = snapshot_subtree(eng, vm, name);
	} else {
		names = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(names, g_strdup(name));
	}
	/* the leaves first, one at a time: libvirt 9.0 deletes no subtree of
	 * external snapshots, and its own subtree walk (DELETE_CHILDREN) was
	 * seen to crash the process (virDomainMomentForEachChild) */
	for (guint i = names ? names->len : 0; rc == 0 && i-- > 0;) {
		virDomainSnapshotPtr snap = lookup(r.dom, names->pdata[i]);

		if (!snap)
			rc = -1;
		else if (uefi)
			rc = external_delete(r.dom, snap);
		else if (virDomainSnapshotDelete(snap, 0) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot delete snapshot \"%s\" of VM \"%s\""),
					(char *)names->pdata[i], vm);
			rc = -1;
		}
		if (snap)
			virDomainSnapshotFree(snap);
		if (rc == 0 && count)
			(*count)++;
	}
	if (!names)
		rc = -1;
	snap_close(&r);
	return rc;
}

int snapshot_rename(struct engine *eng, const char *vm, const char *name, const char *to)
{
	struct snap_ref r = { 0 };
	virDomainSnapshotPtr there;
	int rc = -1;

	if (!snapshot_name_valid(to) || !snap_open(eng, vm, name, true, &r))
		goto out;
	if ((there = virDomainSnapshotLookupByName(r.dom, to, 0))) {
		virDomainSnapshotFree(there);
		core_error(CORE_ERR_USAGE, _("VM \"%s\" already has a snapshot \"%s\"."), vm, to);
		goto out;
	}
	core_error_clear();
	switch (external_kind(eng, r.dom)) {
	case -1:
		goto out;
	case 0:
		core_error(CORE_ERR_STATE, _("An internal snapshot's name is its tag inside each of the VM's qcow2 disks, which QEMU cannot rename, so \"%s\" keeps its name; a description says more (vmtui snapshot describe %s %s TEXT)."),
			   name, vm, name);
		goto out;
	}
	{
		/* its children, from vmtui's own walk (not libvirt's) */
		g_autoptr(GPtrArray) list = snapshot_list(eng, vm);
		g_autoptr(GPtrArray) kids = g_ptr_array_new();

		for (guint i = 0; list && i < list->len; i++) {
			const struct snapshot *s = list->pdata[i];

			if (g_strcmp0(s->parent, name) == 0)
				g_ptr_array_add(kids, s->name);
		}
		rc = list ? external_rename(r.dom, r.snap, to, kids) : -1;
	}
out:
	snap_close(&r);
	return rc;
}

int snapshot_describe(struct engine *eng, const char *vm, const char *name,
		      const char *description)
{
	struct snap_ref r = { 0 };
	virDomainSnapshotPtr again = NULL;
	g_autofree char *xml = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, old;
	xmlChar *text = NULL;
	int len = 0, rc = -1;
	unsigned flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;

	if (!snap_open(eng, vm, name, true, &r))
		goto out;
	if (description && !core_text_valid(_("the description"), description))
		goto out;
	xml = virDomainSnapshotGetXMLDesc(r.snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
	doc = xml ? xml_read(xml) : NULL;
	if (!doc) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read snapshot \"%s\""), name);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if ((old = xml_child(root, "description"))) {
		xmlUnlinkNode(old);
		xmlFreeNode(old);
	}
	if (description && *description)
		xmlNewTextChild(root, NULL, BAD_CAST "description", BAD_CAST description);
	xmlDocDumpMemory(doc, &text, &len);
	if (virDomainSnapshotIsCurrent(r.snap, 0) == 1)
		flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
	again = text ? virDomainSnapshotCreateXML(r.dom, (const char *)text, flags) : NULL;
	if (!again) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot change the description of snapshot \"%s\""), name);
		goto out;
	}
	rc = 0;
out:
	xmlFree(text);
	xmlFreeDoc(doc);
	if (again)
		virDomainSnapshotFree(again);
	snap_close(&r);
	return rc;
}

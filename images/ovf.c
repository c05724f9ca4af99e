/*
 * ovf.c — the checking half of OVA import, on buffers and without an
 * engine: tar entry checks, the OVF descriptor parser (OVF 1.x and 2.x),
 * the manifest parser, the first pass over an archive, and the OVF
 * writer used by export.  The fuzz target (tests/fuzz/) drives
 * ova_scan_memory() and ovf_parse() directly.
 *
 * The OVF is read with libxml2's tree parser with XML_PARSE_NONET and
 * without XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE; a DOCTYPE
 * is refused before libxml2 sees the bytes, so no entity is ever declared
 * (no XXE, no billion laughs) and no file or URL is opened.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/settings.h"
#include "images/ova.h"

#define NS_OVF1 "http://schemas.dmtf.org/ovf/envelope/1"
#define NS_OVF2 "http://schemas.dmtf.org/ovf/envelope/2"
#define NS_RASD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
#define NS_VSSD "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
#define NS_VMW "http://www.vmware.com/schema/ovf"
#define NAME_MAX_LEN 128

/* ---- names --------------------------------------------------------------- */

/* What is wrong with @name as a file of an OVA, or NULL when it is fine.
 * Static, translated. */
static const char *name_problem(const char *name)
{
	size_t len = strlen(name);

	if (!len)
		return _("an empty name");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return _("a name with control characters");
	if (strstr(name, "://") || g_str_has_prefix(name, "file:"))
		return _("a URL (vmtui reads only files inside the OVA)");
	if (name[0] == '/')
		return _("an absolute path");
	{
		g_auto(GStrv) parts = g_strsplit(name, "/", -1);

		for (char **p = parts; *p; p++)
			if (strcmp(*p, "..") == 0)
				return _("a path outside the archive");
	}
	if (strchr(name, '/'))
		return _("a file in a folder (the files of an OVA are side by side)");
	if (name[0] == '.')
		return _("a hidden file");
	if (len > NAME_MAX_LEN)
		return _("a name longer than 128 characters");
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return _("a name with characters other than letters, digits, '.', '_' and '-'");
	return NULL;
}

bool ova_name_check(const char *what, const char *name)
{
	const char *problem = name_problem(name);
	g_autofree char *shown = NULL;

	if (!problem)
		return true;
	shown = g_strescape(name, NULL);
	/* TRANSLATORS: e.g. OVF file reference "../x": a path outside the
	 * archive: refused */
	core_error(CORE_ERR_FAILED, _("%s \"%s\": %s: refused"), what, shown, problem);
	return false;
}

bool ova_entry_check(const char *name, unsigned type, const char *hardlink,
		     int64_t size, GHashTable *seen)
{
	g_autofree char *shown = g_strescape(name ? name : "", NULL);
	g_autofree char *link = NULL;
	const char *problem = NULL;

	if (seen && g_hash_table_size(seen) >= OVA_MAX_ENTRIES) {
		core_error(CORE_ERR_FAILED, _("The OVA has more than %d entries: refused"),
			   OVA_MAX_ENTRIES);
		return false;
	}
	if (!name || !(problem = name_problem(name))) {
		if (hardlink) {
			link = g_strescape(hardlink, NULL);
			core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a hard link to \"%s\": refused"),
				   shown, link);
			return false;
		}
		switch (type) {
		case AE_IFREG:
			break;
		case AE_IFLNK:
			problem = _("a symbolic link");
			break;
		case AE_IFDIR:
			problem = _("a folder");
			break;
		case AE_IFCHR:
		case AE_IFBLK:
			problem = _("a device node");
			break;
		case AE_IFIFO:
			problem = _("a FIFO");
			break;
		default:
			problem = _("not a regular file");
			break;
		}
	}
	if (!problem && size < 0)
		problem = _("a negative size");
	if (!problem && seen && g_hash_table_contains(seen, name))
		problem = _("a name that appears twice");
	if (problem) {
		/* TRANSLATORS: OVA entry "NAME": WHAT IS WRONG: refused */
		core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": %s: refused"), shown, problem);
		return false;
	}
	if (seen)
		g_hash_table_add(seen, g_strdup(name));
	return true;
}

bool ova_archive_entry_check(struct archive_entry *e, GHashTable *seen)
{
	const char *name = archive_entry_pathname(e);

	if (!ova_entry_check(name, archive_entry_filetype(e), archive_entry_hardlink(e),
			     archive_entry_size(e), seen))
		return false;
	/* holes a 20 KiB archive unpacks to gigabytes of; no tool writes
	 * an OVA so (it is a plain ustar) */
	if (archive_entry_sparse_count(e) > 0) {
		g_autofree char *shown = g_strescape(name, NULL);

		core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a sparse file (an OVA is a plain ustar archive): refused"),
			   shown);
		return false;
	}
	return true;
}

/* ---- OVF ------------------------------------------------------------------ */

void ovf_desc_free(struct ovf_desc *d)
{
	if (!d)
		return;
	g_free(d->name);
	g_free(d->description);
	if (d->files)
		g_ptr_array_unref(d->files);
	if (d->disks)
		g_ptr_array_unref(d->disks);
	g_free(d->nic_model);
	g_free(d);
}

/* Frees a struct ovf_disk. */
static void ovf_disk_free(gpointer p)
{
	struct ovf_disk *k = p;

	g_free(k->id);
	g_free(k->href);
	g_free(k->bus);
	g_free(k);
}

/* Whether @n is an element named @local, in any namespace. */
static bool is_elem(xmlNodePtr n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

/* First child element of @parent with local name @local, any namespace. */
static xmlNodePtr child(xmlNodePtr parent, const char *local)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_elem(c, local))
			return c;
	return NULL;
}

/* Text of child @local of @parent, stripped; NULL when absent.  Caller
 * frees. */
static char *child_text(xmlNodePtr parent, const char *local)
{
	xmlNodePtr c = child(parent, local);
	xmlChar *t;
	char *s;

	if (!c || !(t = xmlNodeGetContent(c)))
		return NULL;
	s = g_strstrip(g_strdup((const char *)t));
	xmlFree(t);
	return s;
}

/* Attribute @local of @n in any namespace (ovf:href, vmw:key...).  Caller
 * frees. */
static char *attr(xmlNodePtr n, const char *local)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, local) == 0) {
			xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
			char *s = g_strdup(v ? (const char *)v : "");

			xmlFree(v);
			return s;
		}
	}
	return NULL;
}

/* A decimal number of the OVF, or false with an error naming @what. */
static bool parse_u64(const char *what, const char *s, uint64_t *out)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *shown = g_strescape(s ? s : "", NULL);

	if (!s || !g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, out, &err)) {
		core_error(CORE_ERR_FAILED, _("OVF %s \"%s\" is not a number: refused"), what, shown);
		return false;
	}
	return true;
}

/* Multiplier of CIM allocation units ("byte", "byte * 2^20", "MegaBytes");
 * @dflt when @units is NULL or empty, 0 when unknown. */
static uint64_t unit_multiplier(const char *units, uint64_t dflt)
{
	g_autofree char *u = NULL;
	unsigned exp;
	char *end;

	if (!units || !*units)
		return dflt;
	u = g_ascii_strdown(units, -1);
	g_strdelimit(u, " \t\n", ' ');
	{
		/* drop spaces: "byte * 2^20" -> "byte*2^20" */
		char *w = u;

		for (char *r = u; *r; r++)
			if (*r != ' ')
				*w++ = *r;
		*w = 0;
	}
	if (strcmp(u, "byte") == 0 || strcmp(u, "bytes") == 0)
		return 1;
	if (strcmp(u, "kilobytes") == 0 || strcmp(u, "kb") == 0)
		return UINT64_C(1) << 10;
	if (strcmp(u, "megabytes") == 0 || strcmp(u, "mb") == 0)
		return UINT64_C(1) << 20;
	if (strcmp(u, "gigabytes") == 0 || strcmp(u, "gb") == 0)
		return UINT64_C(1) << 30;
	if (g_str_has_prefix(u, "byte*2^")) {
		exp = (unsigned)strtoul(u + 7, &end, 10);
		if (*end || end == u + 7 || exp > 60)
			return 0;
		return UINT64_C(1) << exp;
	}
	return 0;
}

/* @value * units in bytes, refused above @max (bytes; the [limits]
 * @setting when non-NULL). */
static bool scaled(const char *what, const char *value, const char *units,
		   uint64_t dflt, uint64_t max, const char *setting, uint64_t *out)
{
	uint64_t v, m = unit_multiplier(units, dflt);
	g_autofree char *shown = g_strescape(units ? units : "", NULL);

	if (!m) {
		core_error(CORE_ERR_FAILED, _("OVF %s: unknown units \"%s\": refused"), what, shown);
		return false;
	}
	if (!parse_u64(what, value, &v))
		return false;
	if (v > max / m) {
		g_autofree char *v_shown = g_strescape(value, NULL);

		g_autofree char *at_most = core_format_size(max);

		if (setting)
			/* TRANSLATORS: e.g. OVF disk capacity "1152921504606846976"
			 * (units "byte"): more than vmtui takes (at most 16.0 TiB,
			 * [limits] disk-size) */
			core_error(CORE_ERR_FAILED, _("OVF %s \"%s\" (units \"%s\"): more than vmtui takes (at most %s, [limits] %s): refused"),
				   what, v_shown, *shown ? shown : _("default"), at_most, setting);
		else
			/* TRANSLATORS: e.g. OVF disk capacity "1152921504606846976"
			 * (units "byte"): more than vmtui takes (at most 16384 GiB) */
			core_error(CORE_ERR_FAILED, _("OVF %s \"%s\" (units \"%s\"): more than vmtui takes (at most %" PRIu64 " GiB): refused"),
				   what, v_shown, *shown ? shown : _("default"), max >> 30);
		return false;
	}
	*out = v * m;
	return true;
}

/* libvirt's model for an OVF NIC subtype. */
static const char *nic_model(const char *subtype)
{
	if (!subtype || !*subtype)
		return "e1000";
	if (g_ascii_strncasecmp(subtype, "virtio", 6) == 0)
		return "virtio";
	if (g_ascii_strcasecmp(subtype, "vmxnet3") == 0)
		return "vmxnet3";
	if (g_ascii_strcasecmp(subtype, "e1000e") == 0)
		return "e1000e";
	if (g_ascii_strncasecmp(subtype, "pcnet", 5) == 0)
		return "pcnet";
	if (g_ascii_strcasecmp(subtype, "rtl8139") == 0)
		return "rtl8139";
	return "e1000";
}

/* Disk id in a HostResource "ovf:/disk/ID" (or "/disk/ID"); NULL if not a
 * disk.  Points into @res. */
static const char *host_disk_id(const char *res)
{
	if (!res)
		return NULL;
	if (g_str_has_prefix(res, "ovf:"))
		res += 4;
	return g_str_has_prefix(res, "/disk/") ? res + 6 : NULL;
}

/* The hardware items: CPUs, memory, disks (in order, with their bus from
 * their controller), NICs, firmware. */
static bool parse_hardware(xmlNodePtr vhs, struct ovf_desc *d, GHashTable *disks_by_id)
{
	g_autoptr(GHashTable) controllers = g_hash_table_new_full(g_str_hash, g_str_equal,
								  g_free, NULL);

	/* controllers first: disks name them by InstanceID */
	for (xmlNodePtr it = vhs->children; it; it = it->next) {
		g_autofree char *type = NULL, *iid = NULL, *sub = NULL;
		const char *bus;

		if (it->type != XML_ELEMENT_NODE || !g_str_has_suffix((const char *)it->name, "Item"))
			continue;
		type = child_text(it, "ResourceType");
		iid = child_text(it, "InstanceID");
		sub = child_text(it, "ResourceSubType");
		if (!type || !iid)
			continue;
		if (strcmp(type, "6") == 0 && sub && g_ascii_strncasecmp(sub, "virtio", 6) == 0)
			bus = "virtio";
		else if (strcmp(type, "5") == 0 || strcmp(type, "6") == 0 || strcmp(type, "20") == 0)
			/* IDE, SCSI or SATA: AHCI, which every OS drives, and
			 * q35 has no IDE */
			bus = "sata";
		else
			continue;
		g_hash_table_insert(controllers, g_steal_pointer(&iid), (gpointer)bus);
	}
	for (xmlNodePtr it = vhs->children; it; it = it->next) {
		g_autofree char *type = NULL, *qty = NULL, *units = NULL, *res = NULL;
		g_autofree char *parent = NULL, *sub = NULL, *key = NULL, *value = NULL;
		const char *id;
		uint64_t v;

		if (is_elem(it, "Config")) {
			key = attr(it, "key");
			value = attr(it, "value");
			if (key && value && strcmp(key, "firmware") == 0)
				d->firmware = g_ascii_strcasecmp(value, "efi") == 0 ?
					FIRMWARE_UEFI : FIRMWARE_BIOS;
			continue;
		}
		if (it->type != XML_ELEMENT_NODE || !g_str_has_suffix((const char *)it->name, "Item"))
			continue;
		if (!(type = child_text(it, "ResourceType")))
			continue;
		qty = child_text(it, "VirtualQuantity");
		units = child_text(it, "AllocationUnits");
		if (strcmp(type, "3") == 0) {
			if (!parse_u64(_("number of CPUs"), qty, &v))
				return false;
			if (v < 1 || v > OVF_MAX_VCPUS) {
				core_error(CORE_ERR_FAILED, _("OVF asks for %" PRIu64 " CPUs: refused (1 to %d)"),
					   v, OVF_MAX_VCPUS);
				return false;
			}
			d->vcpus = (unsigned)v;
		} else if (strcmp(type, "4") == 0) {
			if (!scaled(_("memory"), qty, units, UINT64_C(1) << 20,
				    OVF_MAX_MEMORY_MIB << 20, NULL, &v))
				return false;
			if (v < (UINT64_C(1) << 20)) {
				core_error(CORE_ERR_FAILED, _("OVF asks for less than 1 MiB of memory: refused"));
				return false;
			}
			d->memory_mib = v >> 20;
		} else if (strcmp(type, "10") == 0) {
			if (!d->nics++) {
				sub = child_text(it, "ResourceSubType");
				d->nic_model = g_strdup(nic_model(sub));
			}
		} else if (strcmp(type, "17") == 0) {
			struct ovf_disk *k;

			res = child_text(it, "HostResource");
			if (!(id = host_disk_id(res)))
				continue;
			k = g_hash_table_lookup(disks_by_id, id);
			if (!k) {
				g_autofree char *shown = g_strescape(res, NULL);

				core_error(CORE_ERR_FAILED, _("OVF disk drive names \"%s\", which the DiskSection does not have: refused"),
					   shown);
				return false;
			}
			if (g_ptr_array_find(d->disks, k, NULL)) {
				core_error(CORE_ERR_FAILED, _("OVF disk \"%s\" is attached twice: refused"), k->id);
				return false;
			}
			parent = child_text(it, "Parent");
			g_free(k->bus);
			k->bus = g_strdup(parent && g_hash_table_lookup(controllers, parent) ?
					  g_hash_table_lookup(controllers, parent) : "sata");
			g_ptr_array_add(d->disks, k);
			g_hash_table_steal(disks_by_id, id);
		}
	}
	return true;
}

/* libxml2's generic error handler while vmtui parses: silent (the error
 * is read back with xmlGetLastError). */
static void G_GNUC_PRINTF(2, 3) quiet_xml_error(void *ctx, const char *msg, ...)
{
}

struct ovf_desc *ovf_parse(const char *buf, size_t len)
{
	autoptr(ovf_desc) d = g_new0(struct ovf_desc, 1);
	g_autoptr(GHashTable) file_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) disks_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
								  ovf_disk_free);
	g_autoptr(GPtrArray) disk_order = g_ptr_array_new();
	xmlDocPtr doc = NULL;
	xmlNodePtr root, refs, ds, vs, vhs;
	const char *ns;

	if (len > OVF_MAX_BYTES) {
		core_error(CORE_ERR_FAILED, _("The OVF descriptor is larger than %d KiB: refused"),
			   OVF_MAX_BYTES >> 10);
		return NULL;
	}
	/* no DTD at all: no entity can be declared, no external subset named */
	for (size_t i = 0; i + 2 <= len; i++) {
		if (buf[i] == '<' && buf[i + 1] == '!' &&
		    (i + 9 > len || g_ascii_strncasecmp(buf + i + 2, "[CDATA[", 7) != 0) &&
		    (i + 4 > len || strncmp(buf + i + 2, "--", 2) != 0)) {
			core_error(CORE_ERR_FAILED, _("The OVF descriptor has a DOCTYPE or an entity declaration: refused"));
			return NULL;
		}
	}
	{
		/* errors without a parser context (a bad encoding) go to
		 * libxml2's generic handler, stderr by default: that would
		 * draw over the TUI.  The handler is per thread. */
		xmlGenericErrorFunc old = xmlGenericError;
		void *old_ctx = xmlGenericErrorContext;

		xmlSetGenericErrorFunc(NULL, quiet_xml_error);
		doc = xmlReadMemory(buf, (int)len, "descriptor.ovf", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				    XML_PARSE_NOCDATA);
		xmlSetGenericErrorFunc(old_ctx, old);
	}
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		g_autofree char *msg = g_strdup(e && e->message ? e->message : "");

		core_error(CORE_ERR_FAILED, _("The OVF descriptor is not well-formed XML: %s"),
			   g_strstrip(msg));
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		core_error(CORE_ERR_FAILED, _("The OVF descriptor has a DOCTYPE or an entity declaration: refused"));
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	ns = root && root->ns && root->ns->href ? (const char *)root->ns->href : "";
	if (!is_elem(root, "Envelope") ||
	    (strcmp(ns, NS_OVF1) != 0 && strcmp(ns, NS_OVF2) != 0)) {
		xmlFreeDoc(doc);
		core_error(CORE_ERR_FAILED, _("This is not an OVF 1.x or 2.x descriptor (no Envelope in the DMTF OVF namespace)"));
		return NULL;
	}
	d->version = strcmp(ns, NS_OVF2) == 0 ? 2 : 1;
	d->files = g_ptr_array_new_with_free_func(g_free);
	d->disks = g_ptr_array_new_with_free_func(ovf_disk_free);
	d->vcpus = 1;
	d->memory_mib = 1024;

	if ((refs = child(root, "References"))) {
		for (xmlNodePtr f = refs->children; f; f = f->next) {
			g_autofree char *id = NULL, *href = NULL, *comp = NULL, *chunk = NULL;

			if (!is_elem(f, "File"))
				continue;
			id = attr(f, "id");
			href = attr(f, "href");
			comp = attr(f, "compression");
			chunk = attr(f, "chunkSize");
			if (!id || !href) {
				core_error(CORE_ERR_FAILED, _("OVF References has a File without an id or an href: refused"));
				goto fail;
			}
			if (!ova_name_check(_("OVF file reference"), href))
				goto fail;
			if ((comp && *comp && strcmp(comp, "identity") != 0) || chunk) {
				core_error(CORE_ERR_FAILED, _("OVF file reference \"%s\" is compressed or split in chunks, which vmtui does not read: refused"),
					   href);
				goto fail;
			}
			if (g_hash_table_contains(file_ids, id)) {
				core_error(CORE_ERR_FAILED, _("OVF file id \"%s\" appears twice: refused"), id);
				goto fail;
			}
			g_ptr_array_add(d->files, g_strdup(href));
			g_hash_table_insert(file_ids, g_steal_pointer(&id), g_steal_pointer(&href));
		}
	}
	ds = child(root, "DiskSection");
	if (!ds && d->version == 1)
		ds = child(root, "VirtualDiskDesc");
	{
		/* each disk becomes a file (a blank one too): a VM of
		 * hundreds is no appliance */
		unsigned n = 0, max = core_limits()->disks;

		for (xmlNodePtr c = ds ? ds->children : NULL; c; c = c->next)
			n += is_elem(c, "Disk");
		if (n > max) {
			core_error(CORE_ERR_FAILED,
				   P_("The OVF declares %u disk; vmtui takes at most %u ([limits] disks): refused",
				      "The OVF declares %u disks; vmtui takes at most %u ([limits] disks): refused",
				      n), n, max);
			goto fail;
		}
	}
	for (xmlNodePtr n = ds ? ds->children : NULL; n; n = n->next) {
		g_autofree char *id = NULL, *ref = NULL, *cap = NULL, *units = NULL;
		struct ovf_disk *k;

		if (!is_elem(n, "Disk"))
			continue;
		id = attr(n, "diskId");
		ref = attr(n, "fileRef");
		cap = attr(n, "capacity");
		units = attr(n, "capacityAllocationUnits");
		if (!id || g_hash_table_contains(disks_by_id, id)) {
			core_error(CORE_ERR_FAILED, _("OVF DiskSection has a Disk without an id, or twice the same id: refused"));
			goto fail;
		}
		k = g_new0(struct ovf_disk, 1);
		k->id = g_steal_pointer(&id);
		g_hash_table_insert(disks_by_id, k->id, k);
		g_ptr_array_add(disk_order, k);
		if (ref && *ref) {
			const char *href = g_hash_table_lookup(file_ids, ref);

			if (!href) {
				core_error(CORE_ERR_FAILED, _("OVF disk \"%s\" is stored in file \"%s\", which References does not list: refused"),
					   k->id, ref);
				goto fail;
			}
			k->href = g_strdup(href);
		}
		if (cap && !scaled(_("disk capacity"), cap, units, 1, core_limits()->disk_size,
				   "disk-size", &k->capacity))
			goto fail;
		if (!k->href && !k->capacity) {
			core_error(CORE_ERR_FAILED, _("OVF disk \"%s\" has neither a file nor a capacity: refused"),
				   k->id);
			goto fail;
		}
	}

	vs = child(root, "VirtualSystem");
	if (!vs) {
		xmlNodePtr coll = child(root, "VirtualSystemCollection");

		vs = coll ? child(coll, "VirtualSystem") : NULL;
	}
	if (!vs) {
		core_error(CORE_ERR_FAILED, _("The OVF descriptor has no VirtualSystem"));
		goto fail;
	}
	d->name = child_text(vs, "Name");
	if (!d->name || !*d->name) {
		g_free(d->name);
		d->name = attr(vs, "id");
	}
	{
		xmlNodePtr ann = child(vs, "AnnotationSection");

		d->description = ann ? child_text(ann, "Annotation") : NULL;
	}
	vhs = child(vs, "VirtualHardwareSection");
	if (vhs && !parse_hardware(vhs, d, disks_by_id))
		goto fail;
	/* disks no drive names: after the others, in DiskSection order */
	for (guint i = 0; i < disk_order->len; i++) {
		struct ovf_disk *k = disk_order->pdata[i];

		if (g_hash_table_steal(disks_by_id, k->id)) {
			k->bus = g_strdup("sata");
			g_ptr_array_add(d->disks, k);
		}
	}
	xmlFreeDoc(doc);
	return g_steal_pointer(&d);
fail:
	xmlFreeDoc(doc);
	return NULL;
}

/* ---- manifest ------------------------------------------------------------ */

/* Frees a struct ova_digest. */
static void digest_free(gpointer p)
{
	struct ova_digest *g = p;

	g_free(g->file);
	g_free(g->algo);
	g_free(g->hex);
	g_free(g);
}

GPtrArray *ova_manifest_parse(const char *buf, size_t len)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(digest_free);
	g_autofree char *text = g_strndup(buf, len);
	g_auto(GStrv) lines = NULL;
	unsigned lineno = 0;

	if (len > OVA_MAX_MANIFEST || strlen(text) != len) {
		core_error(CORE_ERR_FAILED, _("The manifest is not a small text file: refused"));
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l), *open, *close, *eq, *hex;
		size_t want;
		struct ova_digest *g;

		lineno++;
		if (!*line)
			continue;
		open = strchr(line, '(');
		close = strrchr(line, ')');
		eq = close ? strchr(close, '=') : NULL;
		if (!open || !close || close < open || !eq)
			goto bad;
		*open = 0;
		*close = 0;
		g_strstrip(line);
		if (strcmp(line, "SHA1") == 0)
			want = 40;
		else if (strcmp(line, "SHA256") == 0)
			want = 64;
		else if (strcmp(line, "SHA512") == 0)
			want = 128;
		else
			goto bad;
		for (char *p = close + 1; p < eq; p++)
			if (*p != ' ' && *p != '\t')
				goto bad;
		hex = g_strstrip(eq + 1);
		if (strlen(hex) != want)
			goto bad;
		for (char *p = hex; *p; p++)
			if (!g_ascii_isxdigit(*p))
				goto bad;
		if (!ova_name_check(_("Manifest entry"), open + 1))
			return NULL;
		g = g_new0(struct ova_digest, 1);
		g->algo = g_strdup(line);
		g->file = g_strdup(open + 1);
		g->hex = g_ascii_strdown(hex, -1);
		g_ptr_array_add(out, g);
		continue;
bad:
		core_error(CORE_ERR_FAILED, _("Manifest line %u is not \"SHA1(FILE)= DIGEST\" or \"SHA256(FILE)= DIGEST\": refused"),
			   lineno);
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* ---- the first pass over an archive -------------------------------------- */

void ova_scan_free(struct ova_scan *s)
{
	if (!s)
		return;
	g_free(s->ovf_name);
	g_free(s->ovf);
	g_free(s->mf_name);
	g_free(s->mf);
	if (s->sizes)
		g_hash_table_unref(s->sizes);
	ovf_desc_free(s->desc);
	if (s->digests)
		g_ptr_array_unref(s->digests);
	g_free(s);
}

/* Reads the data of the current entry (@size bytes, already bounded). */
static char *read_small(struct archive *a, const char *name, int64_t size, size_t *len)
{
	g_autofree char *buf = g_malloc((size_t)size + 1);
	size_t got = 0;

	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, buf + got, (size_t)size - got);

		if (n <= 0) {
			core_error(CORE_ERR_FAILED, _("Cannot read OVA entry \"%s\": %s"), name,
				   n < 0 ? archive_error_string(a) : _("it ends early"));
			return NULL;
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	*len = got;
	return g_steal_pointer(&buf);
}

/* The first pass over an open archive of @total bytes: every entry
 * checked, the OVF and the manifest read (bounded) and parsed, their
 * names cross-checked with the entries.  NULL with an error naming the
 * bad entry or field. */
static struct ova_scan *scan_archive(struct archive *a, uint64_t total)
{
	autoptr(ova_scan) s = g_new0(struct ova_scan, 1);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct archive_entry *e;
	g_autofree char *last = NULL;
	uint64_t sum = 0;
	int r;

	s->sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int64_t size = archive_entry_size(e);

		g_free(last);
		last = g_strescape(name ? name : "", NULL);

		if (!ova_archive_entry_check(e, seen))
			return NULL;
		/* what the entries hold is in the archive: more is a header
		 * that lies (or holes) */
		sum += (uint64_t)size;
		if (sum > total) {
			g_autofree char *has = core_format_size((uint64_t)size);

			core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": %s of data, more than the whole archive holds: refused"),
				   last, has);
			return NULL;
		}
		g_hash_table_insert(s->sizes, g_strdup(name), g_memdup2(&size, sizeof(size)));
		if (g_str_has_suffix(name, ".ovf")) {
			if (s->ovf_name) {
				core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a second OVF descriptor: refused"), name);
				return NULL;
			}
			if (size > OVF_MAX_BYTES) {
				core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a descriptor larger than %d KiB: refused"),
					   name, OVF_MAX_BYTES >> 10);
				return NULL;
			}
			s->ovf_name = g_strdup(name);
			if (!(s->ovf = read_small(a, name, size, &s->ovf_len)))
				return NULL;
		} else if (g_str_has_suffix(name, ".mf")) {
			if (s->mf_name) {
				core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a second manifest: refused"), name);
				return NULL;
			}
			if (size > OVA_MAX_MANIFEST) {
				core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": a manifest larger than %d KiB: refused"),
					   name, OVA_MAX_MANIFEST >> 10);
				return NULL;
			}
			s->mf_name = g_strdup(name);
			if (!(s->mf = read_small(a, name, size, &s->mf_len)))
				return NULL;
		} else if (archive_read_data_skip(a) != ARCHIVE_OK) {
			core_error(CORE_ERR_FAILED, _("Cannot read OVA entry \"%s\": %s"), name,
				   archive_error_string(a));
			return NULL;
		}
	}
	if (r != ARCHIVE_EOF) {
		const char *why = archive_error_string(a) ? archive_error_string(a) :
				  _("unknown error");

		if (last)
			/* a header claiming more data than the file has ends here */
			core_error(CORE_ERR_FAILED, _("OVA entry \"%s\": the archive ends or breaks after it (%s): refused"),
				   last, why);
		else
			core_error(CORE_ERR_FAILED, _("This is not a readable OVA (a tar archive): %s"), why);
		return NULL;
	}
	if (!s->ovf_name) {
		core_error(CORE_ERR_FAILED, _("The OVA has no .ovf descriptor"));
		return NULL;
	}
	if (!(s->desc = ovf_parse(s->ovf, s->ovf_len)))
		return NULL;
	for (guint i = 0; i < s->desc->files->len; i++) {
		const char *href = s->desc->files->pdata[i];

		if (!g_hash_table_contains(s->sizes, href) || strcmp(href, s->ovf_name) == 0 ||
		    (s->mf_name && strcmp(href, s->mf_name) == 0)) {
			core_error(CORE_ERR_FAILED, _("OVF file reference \"%s\": no such file in the OVA: refused"),
				   href);
			return NULL;
		}
	}
	if (s->mf) {
		if (!(s->digests = ova_manifest_parse(s->mf, s->mf_len)))
			return NULL;
		for (guint i = 0; i < s->digests->len; i++) {
			struct ova_digest *g = s->digests->pdata[i];

			if (!g_hash_table_contains(s->sizes, g->file) ||
			    strcmp(g->file, s->mf_name) == 0) {
				core_error(CORE_ERR_FAILED, _("Manifest entry \"%s\": no such file in the OVA: refused"),
					   g->file);
				return NULL;
			}
		}
	}
	return g_steal_pointer(&s);
}

/* An archive reader that takes tar and nothing else (no compression
 * filters, no other formats: the smallest parser surface). */
static struct archive *tar_reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		g_error("out of memory");
	archive_read_support_format_tar(a);
	return a;
}

struct ova_scan *ova_scan_memory(const void *buf, size_t len)
{
	struct archive *a = tar_reader();
	struct ova_scan *s = NULL;

	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK)
		core_error(CORE_ERR_FAILED, _("This is not a readable OVA (a tar archive): %s"),
			   archive_error_string(a));
	else
		s = scan_archive(a, len);
	archive_read_free(a);
	return s;
}

struct ova_scan *ova_scan_fd(int fd, const char *path)
{
	struct archive *a = tar_reader();
	struct ova_scan *s = NULL;
	struct stat st;

	if (fstat(fd, &st) < 0 || archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK)
		core_error(CORE_ERR_FAILED, _("%s is not a readable OVA (a tar archive): %s"), path,
			   archive_error_string(a) ? archive_error_string(a) : g_strerror(errno));
	else
		s = scan_archive(a, (uint64_t)st.st_size);
	archive_read_free(a);
	return s;
}

/* ---- writing an OVF 1.0 descriptor --------------------------------------- */

/* Adds <ns:name>text</ns:name> (escaped by libxml2) to @parent. */
static xmlNodePtr text_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

/* One hardware Item, its rasd elements given in schema (alphabetical)
 * order as name/value pairs ending with NULL. */
static void item(xmlNodePtr vhs, xmlNsPtr ovf, xmlNsPtr rasd, ...)
{
	xmlNodePtr it = xmlNewChild(vhs, ovf, BAD_CAST "Item", NULL);
	va_list ap;
	const char *k, *v;

	va_start(ap, rasd);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (v)
			text_child(it, rasd, k, v);
	}
	va_end(ap);
}

char *ovf_build(const struct vm_spec *spec, char *const *hrefs,
		const uint64_t *sizes, const uint64_t *capacities)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr env = xmlNewNode(NULL, BAD_CAST "Envelope");
	xmlNsPtr ovf, rasd, vssd, vmw;
	xmlNodePtr refs, ds, ns, vs, n, vhs, sys;
	xmlChar *mem = NULL;
	int size = 0;
	unsigned k = 0, iid = 1;
	char *out;
	g_autofree char *cpus = g_strdup_printf("%u", spec->vcpus);
	g_autofree char *memory = g_strdup_printf("%" PRIu64, spec->memory_mib);
	g_autofree char *cpu_label = g_strdup_printf("%u virtual CPU(s)", spec->vcpus);
	g_autofree char *mem_label = g_strdup_printf("%" PRIu64 " MB of memory", spec->memory_mib);

	xmlDocSetRootElement(doc, env);
	xmlNewNs(env, BAD_CAST NS_OVF1, NULL);
	ovf = xmlNewNs(env, BAD_CAST NS_OVF1, BAD_CAST "ovf");
	rasd = xmlNewNs(env, BAD_CAST NS_RASD, BAD_CAST "rasd");
	vssd = xmlNewNs(env, BAD_CAST NS_VSSD, BAD_CAST "vssd");
	vmw = xmlNewNs(env, BAD_CAST NS_VMW, BAD_CAST "vmw");
	xmlSetNs(env, ovf);
	xmlNewNsProp(env, ovf, BAD_CAST "version", BAD_CAST "1.0");

	refs = xmlNewChild(env, ovf, BAD_CAST "References", NULL);
	ds = xmlNewChild(env, ovf, BAD_CAST "DiskSection", NULL);
	text_child(ds, ovf, "Info", "Virtual disk information");
	for (guint i = 0; i < spec->disks->len; i++) {
		struct vm_disk *d = spec->disks->pdata[i];
		g_autofree char *fid = NULL, *did = NULL, *sz = NULL, *cap = NULL;

		if (d->cdrom)
			continue;
		fid = g_strdup_printf("file%u", k + 1);
		did = g_strdup_printf("vmdisk%u", k + 1);
		sz = g_strdup_printf("%" PRIu64, sizes[k]);
		cap = g_strdup_printf("%" PRIu64, capacities[k]);
		n = xmlNewChild(refs, ovf, BAD_CAST "File", NULL);
		xmlNewNsProp(n, ovf, BAD_CAST "href", BAD_CAST hrefs[k]);
		xmlNewNsProp(n, ovf, BAD_CAST "id", BAD_CAST fid);
		xmlNewNsProp(n, ovf, BAD_CAST "size", BAD_CAST sz);
		n = xmlNewChild(ds, ovf, BAD_CAST "Disk", NULL);
		xmlNewNsProp(n, ovf, BAD_CAST "capacity", BAD_CAST cap);
		xmlNewNsProp(n, ovf, BAD_CAST "capacityAllocationUnits", BAD_CAST "byte");
		xmlNewNsProp(n, ovf, BAD_CAST "diskId", BAD_CAST did);
		xmlNewNsProp(n, ovf, BAD_CAST "fileRef", BAD_CAST fid);
		xmlNewNsProp(n, ovf, BAD_CAST "format",
			     BAD_CAST "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized");
		k++;
	}
	if (vm_spec_nic(spec)) {
		/* the schema wants a Network in every NetworkSection */
		ns = xmlNewChild(env, ovf, BAD_CAST "NetworkSection", NULL);
		text_child(ns, ovf, "Info", "The networks the VM connects to");
		n = xmlNewChild(ns, ovf, BAD_CAST "Network", NULL);
		xmlNewNsProp(n, ovf, BAD_CAST "name", BAD_CAST "nat");
		text_child(n, ovf, "Description", "NAT network");
	}

	vs = xmlNewChild(env, ovf, BAD_CAST "VirtualSystem", NULL);
	xmlNewNsProp(vs, ovf, BAD_CAST "id", BAD_CAST spec->name);
	text_child(vs, ovf, "Info", "A virtual machine exported by vmtui");
	text_child(vs, ovf, "Name", spec->name);
	if (spec->description) {
		n = xmlNewChild(vs, ovf, BAD_CAST "AnnotationSection", NULL);
		text_child(n, ovf, "Info", "A description of the VM");
		text_child(n, ovf, "Annotation", spec->description);
	}
	n = xmlNewChild(vs, ovf, BAD_CAST "OperatingSystemSection", NULL);
	/* CIM_OperatingSystem 1: "Other" */
	xmlNewNsProp(n, ovf, BAD_CAST "id", BAD_CAST (spec->os_variant ? "1" : "0"));
	text_child(n, ovf, "Info", "The guest operating system");
	if (spec->os_variant)
		text_child(n, ovf, "Description", spec->os_variant);

	vhs = xmlNewChild(vs, ovf, BAD_CAST "VirtualHardwareSection", NULL);
	text_child(vhs, ovf, "Info", "Virtual hardware requirements");
	sys = xmlNewChild(vhs, ovf, BAD_CAST "System", NULL);
	text_child(sys, vssd, "ElementName", "Virtual Hardware Family");
	text_child(sys, vssd, "InstanceID", "0");
	text_child(sys, vssd, "VirtualSystemIdentifier", spec->name);
	text_child(sys, vssd, "VirtualSystemType", "vmx-07");
	{
		g_autofree char *cpu_iid = g_strdup_printf("%u", iid++);
		g_autofree char *mem_iid = g_strdup_printf("%u", iid++);
		g_autofree char *ctl_iid = g_strdup_printf("%u", iid++);
		g_autofree char *nic_iid = g_strdup_printf("%u", iid++);
		bool virtio = !spec->disk_bus || strcmp(spec->disk_bus, "virtio") == 0;

		item(vhs, ovf, rasd, "AllocationUnits", "hertz * 10^6",
		     "Description", "Number of virtual CPUs", "ElementName", cpu_label,
		     "InstanceID", cpu_iid, "ResourceType", "3", "VirtualQuantity", cpus, NULL);
		item(vhs, ovf, rasd, "AllocationUnits", "byte * 2^20",
		     "Description", "Memory size", "ElementName", mem_label,
		     "InstanceID", mem_iid, "ResourceType", "4", "VirtualQuantity", memory, NULL);
		for (guint i = 0; i < spec->disks->len; i++) {
			struct vm_disk *d = spec->disks->pdata[i];

			if (!d->cdrom && d->bus)
				virtio = strcmp(d->bus, "virtio") == 0;
		}
		/* virtio disks: a SCSI controller of subtype "virtio", which
		 * vmtui (and virt-v2v) read back as virtio; else SATA */
		if (virtio)
			item(vhs, ovf, rasd, "Description", "Virtio disk controller",
			     "ElementName", "virtio0", "InstanceID", ctl_iid,
			     "ResourceSubType", "virtio", "ResourceType", "6", NULL);
		else
			item(vhs, ovf, rasd, "Description", "SATA controller",
			     "ElementName", "sata0", "InstanceID", ctl_iid,
			     "ResourceSubType", "AHCI", "ResourceType", "20", NULL);
		for (unsigned i = 0; i < k; i++) {
			g_autofree char *addr = g_strdup_printf("%u", i);
			g_autofree char *host = g_strdup_printf("ovf:/disk/vmdisk%u", i + 1);
			g_autofree char *did = g_strdup_printf("%u", iid++);
			g_autofree char *label = g_strdup_printf("disk%u", i + 1);

			item(vhs, ovf, rasd, "AddressOnParent", addr, "ElementName", label,
			     "HostResource", host, "InstanceID", did, "Parent", ctl_iid,
			     "ResourceType", "17", NULL);
		}
		if (vm_spec_nic(spec))
			item(vhs, ovf, rasd, "AutomaticAllocation", "true", "Connection", "nat",
			     "ElementName", "ethernet0", "InstanceID", nic_iid,
			     "ResourceSubType", vm_spec_nic(spec)->model ? vm_spec_nic(spec)->model : "virtio",
			     "ResourceType", "10", NULL);
	}
	n = xmlNewChild(vhs, vmw, BAD_CAST "Config", NULL);
	xmlNewNsProp(n, ovf, BAD_CAST "required", BAD_CAST "false");
	xmlNewNsProp(n, vmw, BAD_CAST "key", BAD_CAST "firmware");
	xmlNewNsProp(n, vmw, BAD_CAST "value",
		     BAD_CAST (spec->firmware == FIRMWARE_UEFI ? "efi" : "bios"));

	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (!mem)
		g_error("out of memory");
	out = g_strndup((const char *)mem, (gsize)size);
	xmlFree(mem);
	return out;
}

/*
 * pool.c — a libvirt daemon's storage pools and their volumes, for
 * `vmtui storage` and `vmtui volume`.  The embedded engine has no storage
 * driver: there vmtui keeps disks as files itself (core/disk.c), and
 * these calls say so.  Deleting a volume checks what libvirt does not:
 * that no VM and no other volume (an overlay) uses it.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/vm.h"
#include "storage/storage.h"
#include "storage/storage-priv.h"

/* Pool and volume names: 1 to 64 letters, digits, '.', '_', '-' and '+',
 * not starting with '.' or '-' (they name files and folders). */
static bool store_name_valid(const char *what, const char *name)
{
	size_t n = strlen(name);

	if (n >= 1 && n <= 64 && name[0] != '.' && name[0] != '-' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+") == n)
		return true;
	core_error(CORE_ERR_USAGE, _("\"%s\" is no %s name: use 1 to 64 letters, digits, '.', '_', '-' and '+', not starting with '.' or '-'."),
		   name, what);
	return false;
}

/* A refusal on the embedded engine: 0 when @eng has storage pools. */
static int need_pools(struct engine *eng)
{
	if (!engine_is_embedded(eng))
		return 0;
	core_error(CORE_ERR_STATE, _("The embedded engine has no storage pools: vmtui keeps each VM's disks as files in its disks folder (disk list, disk add). Storage pools are a libvirt daemon's (vmtui -c qemu:///system ...)."));
	return -1;
}

/* One string from libvirt XML @xml at XPath @expr, or NULL. */
static char *xml_value(const char *xml, const char *expr)
{
	xmlDocPtr doc = xml ? xml_read(xml) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
	char *out = NULL;

	if (obj && obj->type == XPATH_NODESET && obj->nodesetval && obj->nodesetval->nodeNr > 0) {
		xmlChar *s = xmlNodeGetContent(obj->nodesetval->nodeTab[0]);

		if (s && *s)
			out = g_strdup((const char *)s);
		xmlFree(s);
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

void storage_pool_free(struct storage_pool *p)
{
	if (!p)
		return;
	g_free(p->name);
	g_free(p->type);
	g_free(p->path);
	g_free(p);
}

void storage_vol_free(struct storage_vol *v)
{
	if (!v)
		return;
	g_free(v->name);
	g_free(v->path);
	g_free(v->format);
	g_free(v->backing);
	g_free(v->used_by);
	g_free(v);
}

static struct storage_pool *pool_read(virStoragePoolPtr pool)
{
	struct storage_pool *p = g_new0(struct storage_pool, 1);
	g_autofree char *xml = virStoragePoolGetXMLDesc(pool, 0);
	virStoragePoolInfo info;
	int autostart = 0;

	p->name = g_strdup(virStoragePoolGetName(pool));
	p->type = xml_value(xml, "/pool/@type");
	p->path = xml_value(xml, "/pool/target/path");
	if (virStoragePoolGetInfo(pool, &info) == 0) {
		p->active = info.state == VIR_STORAGE_POOL_RUNNING ||
			    info.state == VIR_STORAGE_POOL_DEGRADED;
		p->capacity = info.capacity;
		p->allocation = info.allocation;
		p->available = info.available;
	}
	if (virStoragePoolGetAutostart(pool, &autostart) == 0)
		p->autostart = autostart;
	p->volumes = p->active ? virStoragePoolNumOfVolumes(pool) : -1;
	virResetLastError();
	return p;
}

/* Orders pools and volumes (both start with their name) by name. */
G_STATIC_ASSERT(G_STRUCT_OFFSET(struct storage_pool, name) == 0);
G_STATIC_ASSERT(G_STRUCT_OFFSET(struct storage_vol, name) == 0);
static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

GPtrArray *storage_pool_list(struct engine *eng)
{
	virStoragePoolPtr *pools = NULL;
	GPtrArray *out;
	int n;

	if (need_pools(eng) < 0)
		return NULL;
	n = virConnectListAllStoragePools(engine_conn(eng), &pools, 0);
	if (n < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot list the storage pools"));
		return NULL;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_free);
	for (int i = 0; i < n; i++) {
		g_ptr_array_add(out, pool_read(pools[i]));
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	g_ptr_array_sort(out, by_name);
	return out;
}

static virStoragePoolPtr pool_open(struct engine *eng, const char *name)
{
	virStoragePoolPtr pool;

	if (need_pools(eng) < 0)
		return NULL;
	if (!(pool = virStoragePoolLookupByName(engine_conn(eng), name)))
		core_error(CORE_ERR_NOT_FOUND, _("There is no storage pool named \"%s\" (storage list shows them)."),
			   name);
	return pool;
}

struct storage_pool *storage_pool_get(struct engine *eng, const char *name)
{
	virStoragePoolPtr pool = pool_open(eng, name);
	struct storage_pool *p;

	if (!pool)
		return NULL;
	p = pool_read(pool);
	virStoragePoolFree(pool);
	return p;
}

int storage_pool_create(struct engine *eng, const char *name, const char *type, const char *path)
{
	g_autofree char *xml = NULL;
	virStoragePoolPtr pool;

	if (need_pools(eng) < 0 || !store_name_valid(_("storage pool"), name))
		return -1;
	if (strcmp(type, "dir") != 0) {
		core_error(CORE_ERR_USAGE, _("vmtui makes storage pools of type dir (a folder); \"%s\" pools are made with virsh pool-define-as and then listed here."),
			   type);
		return -1;
	}
	if (!core_path_valid(_("pool folder"), path))
		return -1;
	if (path[0] != '/') {
		core_error(CORE_ERR_USAGE, _("The pool's folder must be an absolute path, not \"%s\"."), path);
		return -1;
	}
	if ((pool = virStoragePoolLookupByName(engine_conn(eng), name))) {
		virStoragePoolFree(pool);
		core_error(CORE_ERR_STATE, _("A storage pool named \"%s\" exists already."), name);
		return -1;
	}
	virResetLastError();
	xml = g_markup_printf_escaped("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
				      name, path);
	if (!(pool = virStoragePoolDefineXML(engine_conn(eng), xml, 0))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot define storage pool \"%s\""), name);
		return -1;
	}
	/* the folder, then the pool running and back at each daemon start;
	 * a failure takes the definition away again */
	if (virStoragePoolBuild(pool, 0) < 0 || virStoragePoolCreate(pool, 0) < 0 ||
	    virStoragePoolSetAutostart(pool, 1) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot set up storage pool \"%s\" in %s"), name, path);
		if (virStoragePoolIsActive(pool) == 1)
			virStoragePoolDestroy(pool);
		virStoragePoolUndefine(pool);
		virStoragePoolFree(pool);
		return -1;
	}
	virStoragePoolFree(pool);
	return 0;
}

int storage_pool_delete(struct engine *eng, const char *name)
{
	virStoragePoolPtr pool = pool_open(eng, name);
	int rc = -1;

	if (!pool)
		return -1;
	/* the folder and its files stay: they may be disks of VMs */
	if ((virStoragePoolIsActive(pool) == 1 && virStoragePoolDestroy(pool) < 0) ||
	    virStoragePoolUndefine(pool) < 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot delete storage pool \"%s\""), name);
	else
		rc = 0;
	virStoragePoolFree(pool);
	return rc;
}

/* ---- volumes -------------------------------------------------------------- */

static struct storage_vol *vol_read(virStorageVolPtr vol)
{
	struct storage_vol *v = g_new0(struct storage_vol, 1);
	g_autofree char *xml = virStorageVolGetXMLDesc(vol, 0);
	virStorageVolInfo info;

	v->name = g_strdup(virStorageVolGetName(vol));
	v->path = virStorageVolGetPath(vol);
	v->format = xml_value(xml, "/volume/target/format/@type");
	v->backing = xml_value(xml, "/volume/backingStore/path");
	if (virStorageVolGetInfo(vol, &info) == 0) {
		v->capacity = info.capacity;
		v->allocation = info.allocation;
	}
	virResetLastError();
	return v;
}

/* Every path a VM's disks (their files and backing files) use, in both
 * its definitions, mapped to "VM NAME".  NULL with an error. */
static GHashTable *vm_paths(struct engine *eng)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(engine_conn(eng), &doms, 0);
	GHashTable *out;

	if (n < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot list the VMs"));
		return NULL;
	}
	out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (int i = 0; i < n; i++) {
		for (int live = 0; live < 2; live++) {
			g_autofree char *xml = virDomainGetXMLDesc(doms[i], live ? 0 : VIR_DOMAIN_XML_INACTIVE);
			autoptr(vm_spec) s = xml ? domxml_parse(xml) : NULL;

			for (guint k = 0; s && k < s->disks->len; k++) {
				const struct vm_disk *d = g_ptr_array_index(s->disks, k);
				const char *paths[] = { d->path, d->backing };

				for (guint p = 0; p < G_N_ELEMENTS(paths); p++)
					if (paths[p] && !g_hash_table_contains(out, paths[p]))
						g_hash_table_insert(out, g_strdup(paths[p]),
								    g_strdup_printf(_("VM \"%s\""),
										    virDomainGetName(doms[i])));
			}
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virResetLastError();
	core_error_clear();
	return out;
}

/* Who uses @path: a VM, or a volume of any pool whose backing file it
 * is; NULL when nobody (caller frees). */
static char *path_user(struct engine *eng, GHashTable *vms, const char *path)
{
	virStoragePoolPtr *pools = NULL;
	int n;
	char *who = NULL;
	const char *vm = g_hash_table_lookup(vms, path);

	if (vm)
		return g_strdup(vm);
	n = virConnectListAllStoragePools(engine_conn(eng), &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
	for (int i = 0; i < n; i++) {
		virStorageVolPtr *vols = NULL;
		int m = who ? 0 : virStoragePoolListAllVolumes(pools[i], &vols, 0);

		for (int k = 0; k < m; k++) {
			if (!who) {
				g_autofree char *xml = virStorageVolGetXMLDesc(vols[k], 0);
				g_autofree char *backing = xml_value(xml, "/volume/backingStore/path");

				if (backing && strcmp(backing, path) == 0)
					who = g_strdup_printf(_("volume %s of pool %s (its backing file)"),
							      virStorageVolGetName(vols[k]),
							      virStoragePoolGetName(pools[i]));
			}
			virStorageVolFree(vols[k]);
		}
		free(vols);
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
	return who;
}

GPtrArray *storage_volume_list(struct engine *eng, const char *pool_name)
{
	virStoragePoolPtr pool = pool_open(eng, pool_name);
	virStorageVolPtr *vols = NULL;
	g_autoptr(GHashTable) vms = NULL;
	GPtrArray *out = NULL;
	int n;

	if (!pool)
		return NULL;
	/* files put there by hand count too */
	virStoragePoolRefresh(pool, 0);
	n = virStoragePoolListAllVolumes(pool, &vols, 0);
	if (n < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot list the volumes of storage pool \"%s\""), pool_name);
		goto out;
	}
	if (!(vms = vm_paths(eng)))
		goto out;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)storage_vol_free);
	for (int i = 0; i < n; i++) {
		struct storage_vol *v = vol_read(vols[i]);

		if (v->path)
			v->used_by = path_user(eng, vms, v->path);
		g_ptr_array_add(out, v);
	}
	g_ptr_array_sort(out, by_name);
out:
	for (int i = 0; i < MAX(n, 0); i++)
		virStorageVolFree(vols[i]);
	free(vols);
	virStoragePoolFree(pool);
	return out;
}

static virStorageVolPtr vol_open(virStoragePoolPtr pool, const char *name)
{
	virStorageVolPtr vol = virStorageVolLookupByName(pool, name);

	if (!vol)
		core_error(CORE_ERR_NOT_FOUND, _("Storage pool \"%s\" has no volume \"%s\" (volume list %s shows them)."),
			   virStoragePoolGetName(pool), name, virStoragePoolGetName(pool));
	return vol;
}

int storage_volume_create(struct engine *eng, const char *pool_name, const char *name,
			  uint64_t bytes, const char *format, const char *backing, char **path)
{
	virStoragePoolPtr pool;
	virStorageVolPtr vol, base = NULL;
	g_autofree char *base_path = NULL;
	g_autofree char *base_format = NULL;
	g_autoptr(GString) xml = g_string_new(NULL);
	g_autofree char *head = NULL;

	*path = NULL;
	if (!format)
		format = "qcow2";
	if (!store_name_valid(_("volume"), name))
		return -1;
	if (strcmp(format, "qcow2") != 0 && strcmp(format, "raw") != 0) {
		core_error(CORE_ERR_USAGE, _("A volume's format is qcow2 or raw, not \"%s\"."), format);
		return -1;
	}
	if (backing && strcmp(format, "qcow2") != 0) {
		core_error(CORE_ERR_USAGE, _("Only a qcow2 volume can have a backing volume."));
		return -1;
	}
	if (bytes < DISK_MIN_BYTES || bytes > DISK_MAX_BYTES) {
		core_error(CORE_ERR_USAGE, _("A volume is 1 MiB to 16 TiB."));
		return -1;
	}
	if (!(pool = pool_open(eng, pool_name)))
		return -1;
	if ((vol = virStorageVolLookupByName(pool, name))) {
		virStorageVolFree(vol);
		virStoragePoolFree(pool);
		core_error(CORE_ERR_STATE, _("Storage pool \"%s\" has a volume \"%s\" already."), pool_name, name);
		return -1;
	}
	virResetLastError();
	if (backing) {
		g_autofree char *bxml = NULL;

		if (!(base = vol_open(pool, backing))) {
			virStoragePoolFree(pool);
			return -1;
		}
		base_path = virStorageVolGetPath(base);
		bxml = virStorageVolGetXMLDesc(base, 0);
		base_format = xml_value(bxml, "/volume/target/format/@type");
		virStorageVolFree(base);
	}
	head = g_markup_printf_escaped("<volume><name>%s</name><capacity unit='bytes'>%" PRIu64
				       "</capacity><target><format type='%s'/></target>",
				       name, bytes, format);
	g_string_append(xml, head);
	if (base_path) {
		g_autofree char *b = g_markup_printf_escaped(
			"<backingStore><path>%s</path><format type='%s'/></backingStore>",
			base_path, base_format ? base_format : "raw");

		g_string_append(xml, b);
	}
	g_string_append(xml, "</volume>");
	vol = virStorageVolCreateXML(pool, xml->str, 0);
	virStoragePoolFree(pool);
	if (!vol) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot create volume \"%s\" in storage pool \"%s\""),
				name, pool_name);
		return -1;
	}
	*path = virStorageVolGetPath(vol);
	virStorageVolFree(vol);
	return 0;
}

int storage_volume_resize(struct engine *eng, const char *pool_name, const char *name,
			  uint64_t bytes)
{
	virStoragePoolPtr pool = pool_open(eng, pool_name);
	virStorageVolPtr vol = pool ? vol_open(pool, name) : NULL;
	virStorageVolInfo info;
	g_autoptr(GHashTable) vms = NULL;
	g_autofree char *vpath = NULL;
	int rc = -1;

	if (!vol)
		goto out;
	if (virStorageVolGetInfo(vol, &info) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read volume \"%s\""), name);
		goto out;
	}
	if (bytes <= info.capacity || bytes > DISK_MAX_BYTES) {
		g_autofree char *now = core_format_size(info.capacity);

		core_error(CORE_ERR_USAGE, _("Volume \"%s\" has %s; it can only grow, to at most 16 TiB (a shrink would cut off what its guest wrote at the end)."),
			   name, now);
		goto out;
	}
	/* a running VM's disk grows through its VM (disk resize), where the
	 * guest sees it */
	vpath = virStorageVolGetPath(vol);
	if ((vms = vm_paths(eng)) && vpath && g_hash_table_lookup(vms, vpath)) {
		core_error(CORE_ERR_STATE, _("Volume \"%s\" is a disk of %s: grow it with vmtui disk resize, which tells the VM."),
			   name, (const char *)g_hash_table_lookup(vms, vpath));
		goto out;
	}
	if (virStorageVolResize(vol, bytes, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot resize volume \"%s\""), name);
		goto out;
	}
	rc = 0;
out:
	if (vol)
		virStorageVolFree(vol);
	if (pool)
		virStoragePoolFree(pool);
	return rc;
}

int storage_volume_delete(struct engine *eng, const char *pool_name, const char *name)
{
	virStoragePoolPtr pool = pool_open(eng, pool_name);
	virStorageVolPtr vol = pool ? vol_open(pool, name) : NULL;
	g_autoptr(GHashTable) vms = NULL;
	g_autofree char *vpath = NULL, *who = NULL;
	int rc = -1;

	if (!vol)
		goto out;
	vpath = virStorageVolGetPath(vol);
	if (!(vms = vm_paths(eng)))
		goto out;
	/* libvirt deletes a volume an overlay or a VM still uses */
	if (vpath && (who = path_user(eng, vms, vpath))) {
		core_error(CORE_ERR_STATE, _("Volume \"%s\" is in use by %s; nothing was deleted."), name, who);
		goto out;
	}
	if (virStorageVolDelete(vol, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot delete volume \"%s\""), name);
		goto out;
	}
	rc = 0;
out:
	if (vol)
		virStorageVolFree(vol);
	if (pool)
		virStoragePoolFree(pool);
	return rc;
}

/*
 * osinfo.c — per-OS defaults for new VMs (memory, vCPUs, disk size, disk
 * and NIC models) from libosinfo's database when vmtui is built with it,
 * and plain built-in defaults otherwise.
 */
#include "config.h"

#include <string.h>

#ifdef WITH_LIBOSINFO
#include <osinfo/osinfo.h>
#endif

#include "core/error.h"
#include "core/vm.h"
#include "core/i18n.h"

#define DEFAULT_VCPUS 1
#define DEFAULT_MEMORY_MIB 1024
#define DEFAULT_DISK_BYTES (UINT64_C(16) << 30)

/* Whether @variant can be a short id: what libosinfo's are made of (and
 * all that XML, a terminal and a file name may carry). */
static bool variant_valid(const char *variant)
{
	size_t len = strlen(variant);

	if (len >= 1 && len <= 64 &&
	    strspn(variant, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+") == len)
		return true;
	core_error(CORE_ERR_USAGE,
		   _("An OS variant is a short id such as debian11 (vmtui os-list): 1 to 64 letters, digits, \".\", \"-\", \"_\" or \"+\"."));
	return false;
}

static void builtin(struct os_defaults *out)
{
	out->vcpus = DEFAULT_VCPUS;
	out->memory_mib = DEFAULT_MEMORY_MIB;
	out->disk_bytes = DEFAULT_DISK_BYTES;
	out->disk_bus = "virtio";
	out->nic_model = "virtio";
	out->name = NULL;
}

void os_defaults_fini(struct os_defaults *out)
{
	g_clear_pointer(&out->name, g_free);
}

#ifdef WITH_LIBOSINFO
/* The loaded database, once per process (loading takes ~0.1 s). */
static OsinfoDb *osinfo_db(void)
{
	static OsinfoDb *db;
	static gsize done;

	if (g_once_init_enter(&done)) {
		OsinfoLoader *loader = osinfo_loader_new();

		osinfo_loader_process_default_path(loader, NULL);
		db = g_object_ref(osinfo_loader_get_db(loader));
		g_object_unref(loader);
		g_once_init_leave(&done, 1);
	}
	return db;
}

static OsinfoOs *find_os(const char *short_id)
{
	OsinfoOsList *all = osinfo_db_get_os_list(osinfo_db());
	OsinfoOs *found = NULL;

	for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(all)); i++) {
		OsinfoOs *os = OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(all), i));
		g_autoptr(GList) ids = osinfo_entity_get_param_value_list(
			OSINFO_ENTITY(os), OSINFO_PRODUCT_PROP_SHORT_ID);

		for (GList *l = ids; l; l = l->next)
			if (strcmp(l->data, short_id) == 0)
				found = os;
		if (found)
			break;
	}
	if (found)
		g_object_ref(found);
	g_object_unref(all);
	return found;
}

/* Copies recommended (else minimum) resources for x86_64 into @out. */
static void apply_resources(OsinfoResourcesList *list, struct os_defaults *out)
{
	for (int i = 0; list && i < osinfo_list_get_length(OSINFO_LIST(list)); i++) {
		OsinfoResources *r = OSINFO_RESOURCES(
			osinfo_list_get_nth(OSINFO_LIST(list), i));
		const char *arch = osinfo_resources_get_architecture(r);
		gint n = osinfo_resources_get_n_cpus(r);
		gint64 ram = osinfo_resources_get_ram(r);
		gint64 storage = osinfo_resources_get_storage(r);

		if (arch && strcmp(arch, "x86_64") != 0 && strcmp(arch, "all") != 0)
			continue;
		if (n > 0)
			out->vcpus = (unsigned)n;
		if (ram > 0)
			out->memory_mib = (uint64_t)ram >> 20;
		if (storage > 0)
			out->disk_bytes = (uint64_t)storage;
	}
}

/* True when @os lists a virtio device of @class ("block", "net"). */
static bool os_has_virtio(OsinfoOs *os, const char *cls)
{
	OsinfoDeviceList *devs = osinfo_os_get_all_devices(os, NULL);
	bool yes = false;

	for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(devs)); i++) {
		OsinfoDevice *d = OSINFO_DEVICE(osinfo_list_get_nth(OSINFO_LIST(devs), i));
		const char *name = osinfo_device_get_name(d);
		const char *c = osinfo_device_get_class(d);

		if (name && c && strstr(name, "virtio") && strcmp(c, cls) == 0)
			yes = true;
	}
	g_object_unref(devs);
	return yes;
}

int os_defaults_get(const char *variant, struct os_defaults *out)
{
	OsinfoOs *os;
	OsinfoResourcesList *res;

	builtin(out);
	if (!variant)
		return 0;
	if (!variant_valid(variant))
		return -1;
	os = find_os(variant);
	if (!os) {
		core_error(CORE_ERR_USAGE,
			   _("Unknown OS variant \"%s\"; `vmtui os-list` shows the known ones."),
			   variant);
		return -1;
	}
	out->name = g_strdup(osinfo_product_get_name(OSINFO_PRODUCT(os)));
	res = osinfo_os_get_minimum_resources(os);
	apply_resources(res, out);
	g_object_unref(res);
	res = osinfo_os_get_recommended_resources(os);
	apply_resources(res, out);
	g_object_unref(res);
	if (!os_has_virtio(os, "block"))
		out->disk_bus = "sata";
	if (!os_has_virtio(os, "net"))
		out->nic_model = "e1000e";
	g_object_unref(os);
	return 0;
}

/* g_ptr_array_sort() comparator for an array of strings. */
static gint compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *os_list(const char *search)
{
	OsinfoOsList *all = osinfo_db_get_os_list(osinfo_db());
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(all)); i++) {
		OsinfoProduct *p = OSINFO_PRODUCT(osinfo_list_get_nth(OSINFO_LIST(all), i));
		const char *id = osinfo_product_get_short_id(p);
		const char *name = osinfo_product_get_name(p);

		if (!id || !name)
			continue;
		if (search) {
			g_autofree char *folded = g_utf8_casefold(name, -1);

			if (!strstr(id, search) && !strstr(folded, search))
				continue;
		}
		g_ptr_array_add(out, g_strdup_printf("%s\t%s", id, name));
	}
	g_object_unref(all);
	g_ptr_array_sort(out, compare_strings);
	return out;
}
#else
int os_defaults_get(const char *variant, struct os_defaults *out)
{
	builtin(out);
	if (variant && !variant_valid(variant))
		return -1;
	if (variant)
		out->name = g_strdup(variant);
	return 0;
}

GPtrArray *os_list(const char *search)
{
	return g_ptr_array_new_with_free_func(g_free);
}
#endif

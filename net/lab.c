/*
 * lab.c — lab networks: a network between VMs, with addresses vmtui
 * hands out.  On an engine of this host a bridge vmtui owns; on a daemon
 * URI a libvirt network of the same name.
 */
#include "config.h"

#include <string.h>

#include "core/engine.h"
#include "core/i18n.h"
#include "net/net.h"

GPtrArray *net_lab_names(struct engine *eng)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) d = NULL;
	const char *n;

	if (engine_is_test(eng))
		return out;
	if (!engine_is_embedded(eng)) {
		virNetworkPtr *nets = NULL;
		int k = virConnectListAllNetworks(engine_conn(eng), &nets, 0);

		for (int i = 0; i < k; i++) {
			const char *name = virNetworkGetName(nets[i]);

			if (name && g_str_has_prefix(name, NET_LAB_NETWORK_PREFIX))
				g_ptr_array_add(out, g_strdup(name + strlen(NET_LAB_NETWORK_PREFIX)));
			virNetworkFree(nets[i]);
		}
		free(nets);
		core_error_clear();
	} else if ((d = g_dir_open("/sys/class/net", 0, NULL))) {
		while ((n = g_dir_read_name(d)))
			if (g_str_has_prefix(n, NET_LAB_BRIDGE_PREFIX) && n[strlen(NET_LAB_BRIDGE_PREFIX)])
				g_ptr_array_add(out, g_strdup(n + strlen(NET_LAB_BRIDGE_PREFIX)));
	}
	g_ptr_array_sort(out, (GCompareFunc)g_strcmp0);
	return out;
}

bool net_lab_prepare(struct engine *eng, struct vm_nic *nic)
{
	g_autofree char *dev = NULL;

	if (engine_is_test(eng))
		return true;
	if (!engine_is_embedded(eng)) {
		g_autofree char *name = g_strconcat(NET_LAB_NETWORK_PREFIX, nic->source, NULL);
		virNetworkPtr n = virNetworkLookupByName(engine_conn(eng), name);

		if (!n) {
			core_error_virt(CORE_ERR_NOT_FOUND,
					_("There is no lab network \"%s\" on %s (`vmtui net create %s` makes one)"),
					nic->source, engine_uri(eng), nic->source);
			return false;
		}
		virNetworkFree(n);
		nic->mode = NET_NETWORK;
		g_free(nic->source);
		nic->source = g_steal_pointer(&name);
		return true;
	}
	dev = g_strdup_printf("/sys/class/net/%s%s", NET_LAB_BRIDGE_PREFIX, nic->source);
	if (!g_file_test(dev, G_FILE_TEST_EXISTS)) {
		core_error(CORE_ERR_NOT_FOUND,
			   _("There is no lab network \"%s\" (`vmtui net create %s` makes one)."),
			   nic->source, nic->source);
		return false;
	}
	return true;
}

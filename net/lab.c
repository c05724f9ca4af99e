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

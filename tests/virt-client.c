/*
 * virt-client.c — another libvirt client of a test's engine, for tests of
 * what such a client can do to what vmtui shows: it opens the engine the
 * environment names (VMTUI_ENGINE_ROOT / VMTUI_URI, as vmtui does) and
 *
 *   virt-client rename NAME NEW-NAME      renames a shut-off domain
 *   virt-client describe NAME TEXT        sets its description
 *   virt-client define FILE.xml           defines a domain from XML
 *   virt-client start NAME                starts it (no vmtui code runs:
 *                                         what only vmtui does after a
 *                                         start, it does not)
 *   virt-client hmp NAME COMMAND          runs a QEMU monitor command, as
 *                                         `virsh qemu-monitor-command --hmp`
 *                                         would, and prints its answer
 *
 * NEW-NAME and TEXT are taken as bytes, escapes and all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "core/error.h"
#include "core/settings.h"
#include "core/engine.h"

int main(int argc, char **argv)
{
	autoptr(core_config) cfg = core_config_load(NULL);
	struct engine *eng;
	virDomainPtr dom = NULL;
	int rc = 1;

	if (argc < 3 || !cfg) {
		fprintf(stderr, "usage: virt-client rename NAME NEW | describe NAME TEXT | define FILE | start NAME | hmp NAME COMMAND\n");
		return 2;
	}
	eng = engine_open(cfg);
	if (!eng) {
		fprintf(stderr, "virt-client: %s\n", core_error_message());
		return 1;
	}
	if (strcmp(argv[1], "define") == 0) {
		g_autofree char *xml = NULL;

		if (g_file_get_contents(argv[2], &xml, NULL, NULL))
			dom = virDomainDefineXML(engine_conn(eng), xml);
		rc = dom ? 0 : 1;
	} else if (strcmp(argv[1], "start") == 0 &&
		   (dom = virDomainLookupByName(engine_conn(eng), argv[2]))) {
		engine_wait_settled(eng, dom, 10000);
		rc = virDomainCreate(dom) == 0 ? 0 : 1;
	} else if (argc == 4 && strcmp(argv[1], "hmp") == 0 &&
		   (dom = virDomainLookupByName(engine_conn(eng), argv[2]))) {
		char *out = NULL;

		engine_wait_settled(eng, dom, 10000);
		rc = virDomainQemuMonitorCommand(dom, argv[3], &out,
						 VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) == 0 ? 0 : 1;
		if (out)
			fputs(out, stdout);
		free(out);
	} else if (argc == 4 && (dom = virDomainLookupByName(engine_conn(eng), argv[2]))) {
		if (strcmp(argv[1], "rename") == 0)
			rc = virDomainRename(dom, argv[3], 0) == 0 ? 0 : 1;
		else if (strcmp(argv[1], "describe") == 0)
			rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, argv[3],
						  NULL, NULL, VIR_DOMAIN_AFFECT_CONFIG) == 0 ? 0 : 1;
	}
	if (rc) {
		virErrorPtr e = virGetLastError();

		fprintf(stderr, "virt-client: %s\n", e && e->message ? e->message : "failed");
	}
	if (dom)
		virDomainFree(dom);
	engine_close(eng);
	return rc;
}

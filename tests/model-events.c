/*
 * model-events.c — the domain model follows a real guest through libvirt
 * lifecycle events alone (no refresh between), and the bulk refresh sees
 * its figures; the guest agent's connect event reaches the engine, and
 * the model takes addresses from the lookup the program sets.  Run by
 * model-events.sh, which provides the guest kit and
 * a private engine root (VMTUI_ENGINE_ROOT):
 *   model-events KERNEL INITRD
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/settings.h"
#include "core/engine.h"
#include "core/vm.h"
#include "core/model.h"
#include "tests/tap.h"

/* State of @name in the model's rows, or -1 if absent. */
static int row_state(struct model *m, const char *name)
{
	g_autoptr(GPtrArray) rows = model_rows(m);

	for (guint i = 0; i < rows->len; i++) {
		struct vm_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->name, name) == 0)
			return r->state;
	}
	return -1;
}

/* The address lookup a program sets (net_addresses in vmtui): one made-up
 * address, and a count of the calls. */
static gint lookups;

static GPtrArray *fake_lookup(struct engine *eng, virDomainPtr dom, int wait_ms)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_addr_free);
	struct vm_addr *a = g_new0(struct vm_addr, 1);

	g_atomic_int_inc(&lookups);
	a->mac = g_strdup("52:54:00:00:00:01");
	a->addr = g_strdup("192.0.2.7");
	a->prefix = 24;
	a->source = VM_ADDR_AGENT;
	g_ptr_array_add(out, a);
	return out;
}

/* Waits up to @ms for the model (events only) to show @state. */
static bool wait_state(struct model *m, const char *name, int state, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (row_state(m, name) == state)
			return true;
		g_usleep(20 * 1000);
	}
	return false;
}

int main(int argc, char **argv)
{
	autoptr(core_config) cfg = core_config_load(NULL);
	autoptr(vm_spec) spec = vm_spec_new();
	struct engine *eng;
	struct model *m;
	unsigned gen;
	bool restart;

	if (argc != 3) {
		printf("Bail out! usage: %s KERNEL INITRD\n", argv[0]);
		return 1;
	}
	if (!cfg) {
		printf("Bail out! %s\n", core_error_message());
		return 1;
	}
	eng = engine_open(cfg);
	if (!tap_ok(eng != NULL, "engine opens %s", eng ? "" : core_error_message()))
		return tap_done();
	model_set_address_lookup(fake_lookup);
	m = model_new(eng);
	spec->name = g_strdup("ev");
	spec->agent = true;
	vm_spec_add_nic(spec, NET_NAT, NULL, "virtio");
	spec->vcpus = 1;
	spec->memory_mib = 256;
	spec->kernel = g_strdup(argv[1]);
	spec->initrd = g_strdup(argv[2]);
	spec->cmdline = g_strdup("console=ttyS0 quiet cryptomgr.notests");
	tap_ok(vm_create(eng, spec, NULL) == 0, "create %s", core_error_message());
	tap_ok(model_refresh(m) == 0 && row_state(m, "ev") == VIR_DOMAIN_SHUTOFF,
	       "a refresh shows the new VM shut off");

	gen = model_generation(m);
	tap_ok(vm_start(eng, "ev") == 0, "start");
	tap_ok(wait_state(m, "ev", VIR_DOMAIN_RUNNING, 5000),
	       "the start event alone marks it running");
	tap_ok(model_generation(m) != gen, "the generation changed, so a UI knows to redraw");
	tap_ok(vm_suspend(eng, "ev") == 0 && wait_state(m, "ev", VIR_DOMAIN_PAUSED, 5000),
	       "suspend shows as paused");
	tap_ok(vm_resume(eng, "ev") == 0 && wait_state(m, "ev", VIR_DOMAIN_RUNNING, 5000),
	       "resume shows as running");
	g_usleep(500 * 1000);
	tap_ok(model_refresh(m) == 0, "bulk refresh");
	{
		g_autoptr(GPtrArray) rows = model_rows(m);
		struct vm_row *r = rows->len ? g_ptr_array_index(rows, 0) : NULL;

		tap_ok(r && r->vcpus == 1 && r->max_mem_kib == 256 * 1024 &&
		       r->cpu_ns > 0 && r->persistent,
		       "bulk stats give vCPUs, memory, CPU time and persistence");
		/* the first figure libvirt gives for a young guest can lag (it
		 * reads /proc without cgroups); rates use later pairs */
		for (int i = 0; i < 2; i++) {
			g_usleep(700 * 1000);
			model_refresh(m);
		}
	}
	{
		g_autoptr(GPtrArray) rows = model_rows(m);
		struct vm_row *r = g_ptr_array_index(rows, 0);
		double most = 100.0 * g_get_num_processors() + 10;

		/* an idle guest may use less than one 10 ms tick between two
		 * refreshes, so 0 is a fair figure; above 100% per host CPU
		 * is not */
		tap_ok(r->cpu_pct >= 0 && r->cpu_pct <= most,
		       "refreshes give a plausible CPU figure (%.1f%%, at most %.0f)",
		       r->cpu_pct, most);
	}
	{
		g_autoptr(GPtrArray) rows = model_rows(m);
		struct vm_row *r = g_ptr_array_index(rows, 0);

		tap_ok(g_atomic_int_get(&lookups) > 0 && g_strcmp0(r->ip, "192.0.2.7") == 0 &&
		       r->addrs && r->addrs->len == 1,
		       "the model takes a running guest's addresses from the lookup the program set (%d calls)",
		       g_atomic_int_get(&lookups));
		tap_ok(engine_agent_wait(eng, r->uuid, 60000) &&
		       engine_agent_state(eng, r->uuid) == ENGINE_AGENT_CONNECTED,
		       "the guest agent's connect event reaches the engine");
	}
	tap_ok(vm_set(eng, "ev", &(struct vm_change){ .memory_mib = 200 }, &restart) == 0,
	       "memory can be lowered on the running guest (restart: %d)", restart);
	tap_ok(vm_destroy(eng, "ev") == 0 && wait_state(m, "ev", VIR_DOMAIN_SHUTOFF, 5000),
	       "force off shows as shut off");
	tap_ok(vm_delete(eng, "ev", true, false, NULL) == 0, "delete");
	g_usleep(200 * 1000);
	tap_ok(row_state(m, "ev") == -1, "the undefine event drops the row");
	model_free(m);
	engine_close(eng);
	return tap_done();
}

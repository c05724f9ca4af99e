/*
 * vm.c — VM operations: create, power, delete, rename, set, describe.
 *
 * Every function here blocks on libvirt (and maybe on a guest's QEMU), so
 * callers run them as jobs.  Each checks its inputs first and records one
 * specific error; create and delete leave nothing half-done.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/logs.h"
#include "core/jobs.h"
#include "core/vm.h"
#include "core/model.h"
#include "core/image.h"
#include "core/i18n.h"

bool vm_state_active(int state)
{
	return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED ||
	       state == VIR_DOMAIN_BLOCKED;
}

const char *vm_state_label(int state)
{
	switch ((virDomainState)state) {
	case VIR_DOMAIN_NOSTATE:
		return _("unknown");
	case VIR_DOMAIN_RUNNING:
		return _("running");
	case VIR_DOMAIN_BLOCKED:
		return _("blocked");
	case VIR_DOMAIN_PAUSED:
		return _("paused");
	case VIR_DOMAIN_SHUTDOWN:
		return _("shutting down");
	case VIR_DOMAIN_SHUTOFF:
		return _("shut off");
	case VIR_DOMAIN_CRASHED:
		return _("crashed");
	case VIR_DOMAIN_PMSUSPENDED:
		return _("suspended");
	}
	return _("unknown");
}

const char *vm_state_id(int state)
{
	switch ((virDomainState)state) {
	case VIR_DOMAIN_NOSTATE:
		return "nostate";
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutdown";
	case VIR_DOMAIN_SHUTOFF:
		return "shutoff";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "pmsuspended";
	}
	return "nostate";
}

const char *vm_event_id(int event, int detail)
{
	switch ((virDomainEventType)event) {
	case VIR_DOMAIN_EVENT_DEFINED:
		return "defined";
	case VIR_DOMAIN_EVENT_UNDEFINED:
		return "undefined";
	case VIR_DOMAIN_EVENT_STARTED:
		return "started";
	case VIR_DOMAIN_EVENT_SUSPENDED:
		return "suspended";
	case VIR_DOMAIN_EVENT_RESUMED:
		return "resumed";
	case VIR_DOMAIN_EVENT_STOPPED:
		switch ((virDomainEventStoppedDetailType)detail) {
		case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
			return "stopped shutdown";
		case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
			return "stopped destroyed";
		case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
			return "stopped crashed";
		case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
		case VIR_DOMAIN_EVENT_STOPPED_SAVED:
		case VIR_DOMAIN_EVENT_STOPPED_FAILED:
		case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
			break;
		}
		return "stopped";
	case VIR_DOMAIN_EVENT_SHUTDOWN:
		return "shutdown";
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		return "pmsuspended";
	case VIR_DOMAIN_EVENT_CRASHED:
		return "crashed";
	}
	return "unknown";
}

virDomainPtr vm_lookup(struct engine *eng, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(engine_conn(eng), name);

	if (!dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
		dom = virDomainLookupByUUIDString(engine_conn(eng), name);
	if (!dom) {
		virErrorPtr e = virGetLastError();

		if (!e || e->code == VIR_ERR_NO_DOMAIN)
			core_error(CORE_ERR_NOT_FOUND, _("There is no VM named \"%s\"."),
				   name);
		else
			core_error_virt(CORE_ERR_ENGINE, _("Cannot look up VM \"%s\""),
					name);
	}
	return dom;
}

static gint by_spec_name(gconstpointer a, gconstpointer b)
{
	const struct vm_spec *x = *(struct vm_spec *const *)a;
	const struct vm_spec *y = *(struct vm_spec *const *)b;

	return g_strcmp0(x->name, y->name);
}

GPtrArray *vm_list(struct engine *eng)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(engine_conn(eng), &doms, 0);
	GPtrArray *out;

	if (n < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot list the VMs"));
		return NULL;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_spec_free);
	for (int i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
		struct vm_spec *s = xml ? domxml_parse(xml) : NULL;
		char uuid[VIR_UUID_STRING_BUFLEN] = "";

		free(xml);
		/* a definition that cannot be read still names a VM */
		if (!s)
			s = vm_spec_new();
		g_free(s->name);
		s->name = g_strdup(virDomainGetName(doms[i]));
		if (!s->uuid && virDomainGetUUIDString(doms[i], uuid) == 0)
			s->uuid = g_strdup(uuid);
		g_ptr_array_add(out, s);
		virDomainFree(doms[i]);
	}
	free(doms);
	core_error_clear();
	g_ptr_array_sort(out, by_spec_name);
	return out;
}

bool vm_exists(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup(eng, name);

	if (!dom)
		return false;
	virDomainFree(dom);
	return true;
}

char *vm_name_by_uuid(struct engine *eng, const char *uuid)
{
	virDomainPtr dom = virDomainLookupByUUIDString(engine_conn(eng), uuid);
	char *name = dom ? g_strdup(virDomainGetName(dom)) : NULL;

	if (dom)
		virDomainFree(dom);
	return name;
}

/* Looks @name up and waits until libvirt is done reconnecting to it. */
virDomainPtr vm_lookup_settled(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup(eng, name);

	if (dom && engine_wait_settled(eng, dom, engine_op_timeout_ms(eng)) < 0) {
		virDomainFree(dom);
		return NULL;
	}
	return dom;
}

static int dom_state(virDomainPtr dom)
{
	int state = VIR_DOMAIN_NOSTATE, reason;

	virDomainGetState(dom, &state, &reason, 0);
	return state;
}

static bool is_active_state(int state)
{
	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED &&
	       state != VIR_DOMAIN_NOSTATE;
}

int vm_check_resources(struct engine *eng, unsigned vcpus, uint64_t mem_mib)
{
	virNodeInfo node;

	if (vcpus && vcpus > VM_MAX_VCPUS) {
		core_error(CORE_ERR_USAGE,
			   _("%u vCPUs is more than vmtui supports (%d)."), vcpus,
			   VM_MAX_VCPUS);
		return -1;
	}
	if (mem_mib && mem_mib < VM_MIN_MEMORY_MIB) {
		core_error(CORE_ERR_USAGE,
			   _("%" PRIu64 " MiB of memory is too little; a VM needs at least %d MiB."),
			   mem_mib, VM_MIN_MEMORY_MIB);
		return -1;
	}
	if (eng && virNodeGetInfo(engine_conn(eng), &node) == 0) {
		if (mem_mib && mem_mib > node.memory / 1024) {
			core_error(CORE_ERR_USAGE,
				   _("%" PRIu64 " MiB of memory is more than the host has (%lu MiB)."),
				   mem_mib, node.memory / 1024);
			return -1;
		}
		if (vcpus && node.cpus && vcpus > node.cpus * 8) {
			core_error(CORE_ERR_USAGE,
				   _("%u vCPUs is far more than the host's %u CPUs."),
				   vcpus, node.cpus);
			return -1;
		}
	}
	return 0;
}

/* Domain type for new guests on @eng. */
static const char *domain_type(struct engine *eng)
{
	if (engine_is_test(eng))
		return "test";
	return engine_accel(eng) == ACCEL_KVM ? "kvm" : "qemu";
}

/* Validates a spec's user input before anything is created. */
/* Checks the existing image @d names, made elsewhere, as every image from
 * elsewhere is (image_inspect_safe: its format told from its bytes or the
 * one given, never probed by QEMU; no backing or data file, no other VMDK
 * extent), and records its format.  0, or -1 with CORE_ERR_USAGE: the
 * user named a bad disk. */
static int check_image(struct vm_disk *d)
{
	autoptr(image_info) info = NULL;

	if (file_check_readable(_("disk image"), d->path) < 0)
		return -1;
	info = image_inspect_safe(d->path, d->format, NULL);
	if (!info) {
		g_autofree char *msg = g_strdup(core_error_message());

		core_error(CORE_ERR_USAGE, "%s", msg);
		return -1;
	}
	g_free(d->format);
	d->format = g_strdup(info->format);
	return 0;
}

static int check_spec(struct engine *eng, struct vm_spec *spec)
{
	virDomainPtr dom;

	if (!core_name_valid(spec->name))
		return -1;
	if (spec->description && !core_text_valid(_("description"), spec->description))
		return -1;
	if (spec->cmdline && !core_text_valid(_("kernel command line"), spec->cmdline))
		return -1;
	if (!spec->vcpus) {
		core_error(CORE_ERR_USAGE, _("A VM needs at least 1 vCPU."));
		return -1;
	}
	if (vm_check_resources(eng, spec->vcpus, spec->memory_mib) < 0)
		return -1;
	if (!core_path_valid(_("kernel"), spec->kernel) ||
	    !core_path_valid(_("initrd"), spec->initrd))
		return -1;
	for (guint i = 0; i < spec->disks->len; i++) {
		struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (!core_path_valid(d->cdrom ? _("ISO image") : _("disk image"), d->path))
			return -1;
	}
	if (spec->initrd && !spec->kernel) {
		core_error(CORE_ERR_USAGE, _("An initrd needs a kernel (--kernel)."));
		return -1;
	}
	if (engine_is_local(eng)) {
		if (spec->kernel && file_check_readable(_("kernel"), spec->kernel) < 0)
			return -1;
		if (spec->initrd && file_check_readable(_("initrd"), spec->initrd) < 0)
			return -1;
		for (guint i = 0; i < spec->disks->len; i++) {
			struct vm_disk *d = g_ptr_array_index(spec->disks, i);

			if (d->owned || !d->path)
				continue;
			if (d->cdrom) {
				if (file_check_readable(_("ISO image"), d->path) < 0)
					return -1;
				if (!d->format)
					d->format = g_strdup("raw");
			} else if (!engine_is_test(eng) && check_image(d) < 0) {
				return -1;
			}
		}
	}
	dom = virDomainLookupByName(engine_conn(eng), spec->name);
	if (dom) {
		virDomainFree(dom);
		core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists."),
			   spec->name);
		return -1;
	}
	return 0;
}

/* Removes the disks of @spec that create made, after a failure. */
static void rollback_disks(struct engine *eng, struct vm_spec *spec, guint made)
{
	g_autofree char *msg = g_strdup(core_error_message());
	enum core_err code = core_error_code();

	for (guint i = 0; i < made; i++) {
		struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		if (d->owned && d->path)
			disk_remove(eng, d->path);
	}
	core_error_restore(code, msg);
}

/* Gives @dom DOMXML_SPARE_PORTS free PCIe root ports, for devices added
 * while it runs: libvirt puts its devices on the ports a definition
 * names and leaves one free.  Best effort: the VM works without. */
static void add_spare_ports(struct engine *eng, virDomainPtr dom)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	g_autofree char *more = xml && !engine_is_test(eng) ? domxml_spare_ports(xml, DOMXML_SPARE_PORTS) : NULL;
	virDomainPtr again = more ? virDomainDefineXML(engine_conn(eng), more) : NULL;

	if (again)
		virDomainFree(again);
	core_error_clear();
}

int vm_create(struct engine *eng, struct vm_spec *spec, struct job *job)
{
	g_autofree char *xml = NULL;
	virDomainPtr dom;
	guint made = 0;

	job_progress(job, 0.0, _("Checking the settings"));
	if (check_spec(eng, spec) < 0)
		return -1;
	if (!spec->uuid)
		spec->uuid = g_uuid_string_random();
	g_free(spec->domain_type);
	spec->domain_type = g_strdup(domain_type(eng));
	if (engine_is_embedded(eng) && !spec->serial_log) {
		g_autofree char *data = core_data_dir();

		spec->serial_log = g_strdup_printf("%s/logs/%s-serial.log", data,
						   spec->uuid);
		if (core_mkdir_p(data, 0700) < 0)
			return -1;
		g_autofree char *logs = g_build_filename(data, "logs", NULL);
		if (core_mkdir_p(logs, 0700) < 0)
			return -1;
	}

	for (; made < spec->disks->len; made++) {
		struct vm_disk *d = g_ptr_array_index(spec->disks, made);

		if (!d->owned || d->path)
			continue;
		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED, _("Cancelled."));
			rollback_disks(eng, spec, made);
			return -1;
		}
		job_progress(job, 0.2, _("Creating a %" PRIu64 " MiB disk"),
			     d->capacity >> 20);
		d->path = disk_create(eng, spec->name, d->capacity);
		if (!d->path) {
			rollback_disks(eng, spec, made);
			return -1;
		}
		g_free(d->format);
		d->format = g_strdup("qcow2");
	}

	job_progress(job, 0.8, _("Defining the VM"));
	xml = domxml_build(spec);
	if (!xml) {
		rollback_disks(eng, spec, made);
		return -1;
	}
	/* recorded before the definition: a crash between the two leaves a
	 * record of a VM that is not there, which the next look drops */
	if (engine_is_local(eng) && users_record(eng, spec) < 0) {
		rollback_disks(eng, spec, made);
		return -1;
	}
	dom = virDomainDefineXML(engine_conn(eng), xml);
	if (!dom) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot define VM \"%s\""), spec->name);
		users_forget(spec);
		rollback_disks(eng, spec, made);
		return -1;
	}
	add_spare_ports(eng, dom);
	virDomainFree(dom);
	job_progress(job, 1.0, _("Created"));
	return 0;
}

/* Makes the persistent definition of @dom use this engine's accelerator,
 * so a VM created elsewhere with KVM still starts where KVM hangs. */
int vm_hugepages_check(struct engine *eng, uint64_t mib)
{
	g_autofree char *mounts = NULL, *meminfo = NULL;
	const char *p;
	uint64_t free_pages = 0, page_kib = 0, need;
	bool mounted = false;

	if (!engine_is_local(eng) || engine_is_test(eng))
		return 0; /* another machine's, or no memory at all */
	if (g_file_get_contents("/proc/mounts", &mounts, NULL, NULL)) {
		g_auto(GStrv) lines = g_strsplit(mounts, "\n", -1);

		for (guint i = 0; lines[i] && !mounted; i++) {
			g_auto(GStrv) f = g_strsplit(lines[i], " ", 4);

			mounted = g_strv_length(f) >= 3 && strcmp(f[2], "hugetlbfs") == 0;
		}
	}
	if (!mounted) {
		core_error(CORE_ERR_STATE, _("Huge pages need a hugetlbfs file system, and none is mounted on this machine: as root, mount -t hugetlbfs hugetlbfs /dev/hugepages (and restart vmtui)."));
		return -1;
	}
	if (g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL)) {
		if ((p = strstr(meminfo, "HugePages_Free:")))
			free_pages = g_ascii_strtoull(p + strlen("HugePages_Free:"), NULL, 10);
		if ((p = strstr(meminfo, "Hugepagesize:")))
			page_kib = g_ascii_strtoull(p + strlen("Hugepagesize:"), NULL, 10);
	}
	if (!page_kib)
		page_kib = 2048;
	need = (mib * 1024 + page_kib - 1) / page_kib;
	if (free_pages < need) {
		core_error(CORE_ERR_STATE, _("Huge pages: the VM needs %" PRIu64 " free pages of %" PRIu64 " KiB, and the host has %" PRIu64 " free; as root, reserve more: echo %" PRIu64 " > /proc/sys/vm/nr_hugepages (counting the pages in use)."),
			   need, page_kib, free_pages, need);
		return -1;
	}
	return 0;
}

/* What a start needs that libvirt would refuse vaguely or not at all:
 * the accelerator this host has (a definition from a KVM host is
 * switched to TCG here and back there), and the huge pages its memory
 * is backed by. */
static int preflight(struct engine *eng, virDomainPtr dom)
{
	g_autofree char *xml = NULL;
	g_autofree char *fixed = NULL;
	const char *want;
	virDomainPtr redefined;

	if (!engine_is_local(eng) || engine_is_test(eng))
		return 0;
	want = domain_type(eng);
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
				  VIR_DOMAIN_XML_SECURE);
	if (!xml)
		return 0;
	{
		autoptr(vm_spec) spec = domxml_parse(xml);

		if (spec && spec->hugepages && vm_hugepages_check(eng, spec->max_memory_mib) < 0) {
			g_autofree char *why = g_strdup(core_error_message());

			core_error(CORE_ERR_STATE, _("VM \"%s\" cannot start: %s"),
				   virDomainGetName(dom), why);
			return -1;
		}
		if (!spec || !spec->domain_type ||
		    strcmp(spec->domain_type, want) == 0)
			return 0;
	}
	fixed = domxml_set_type(xml, want);
	if (!fixed)
		return 0;
	redefined = virDomainDefineXML(engine_conn(eng), fixed);
	if (!redefined) {
		core_error_virt(CORE_ERR_FAILED,
				_("Cannot switch VM \"%s\" to the %s accelerator"),
				virDomainGetName(dom), want);
		return -1;
	}
	virDomainFree(redefined);
	return 0;
}

int vm_start(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);
	int rc = -1;

	if (!dom)
		return -1;
	if (is_active_state(dom_state(dom))) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is already running."), name);
	} else if (preflight(eng, dom) == 0 && engine_run_prestart_hook(eng, dom) == 0) {
		if (virDomainCreate(dom) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot start VM \"%s\""), name);
		} else {
			rc = 0;
			/* its serial log stays bounded from now on, with or
			 * without vmtui: a keeper failing is no start failing */
			if (logs_keeper_ensure(eng) < 0)
				core_error_clear();
			/* what QEMU forgets at exit (port forwards) is set up
			 * again; the VM runs either way, which the error says */
			if (engine_run_start_hook(eng, dom) < 0) {
				g_autofree char *why = g_strdup(core_error_message());

				core_error(core_error_code(), _("VM \"%s\" started, but %s"),
					   name, why);
				rc = -1;
			}
		}
	}
	virDomainFree(dom);
	return rc;
}

/* Fetches @name and checks that it is running (or paused). */
static virDomainPtr lookup_running(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);

	if (dom && !is_active_state(dom_state(dom))) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is not running."), name);
		virDomainFree(dom);
		return NULL;
	}
	return dom;
}

int vm_shutdown(struct engine *eng, const char *name, int timeout_s,
		struct job *job)
{
	virDomainPtr dom = lookup_running(eng, name);
	unsigned flags = engine_is_test(eng) ? 0 : VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
	gint64 start = g_get_monotonic_time();
	int rc = -1;

	if (!dom)
		return -1;
	if (virDomainShutdownFlags(dom, flags) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot shut down VM \"%s\""), name);
		goto out;
	}
	for (;;) {
		double waited = (g_get_monotonic_time() - start) / 1e6;

		if (!is_active_state(dom_state(dom))) {
			rc = 0;
			break;
		}
		if (job_cancelled(job)) {
			core_error(CORE_ERR_CANCELLED,
				   _("Stopped waiting for VM \"%s\" to power off."), name);
			break;
		}
		if (waited >= timeout_s) {
			core_error(CORE_ERR_TIMEOUT,
				   _("VM \"%s\" did not power off within %d s of the ACPI shutdown request: the guest ignores it (no ACPI support, or busy). Force it off with: vmtui destroy %s"),
				   name, timeout_s, name);
			break;
		}
		job_progress(job, waited / timeout_s,
			     _("Waiting for VM \"%s\" to power off (%.0f s of %d s)"),
			     name, waited, timeout_s);
		g_usleep(100 * 1000);
	}
out:
	virDomainFree(dom);
	return rc;
}

/* Runs a simple libvirt call on a running VM.  @op returns -1 on a libvirt
 * failure, or -2 when it recorded its own (state) error. */
static int simple_op(struct engine *eng, const char *name,
		     int (*op)(virDomainPtr dom), const char *failure)
{
	virDomainPtr dom = lookup_running(eng, name);
	int rc;

	if (!dom)
		return -1;
	rc = op(dom);
	if (rc == -1)
		core_error_virt(CORE_ERR_FAILED, failure, name);
	virDomainFree(dom);
	return rc < 0 ? -1 : 0;
}

static int op_reboot(virDomainPtr dom)
{
	return virDomainReboot(dom, 0);
}

static int op_reset(virDomainPtr dom)
{
	return virDomainReset(dom, 0);
}

static int op_suspend(virDomainPtr dom)
{
	if (dom_state(dom) == VIR_DOMAIN_PAUSED) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is already paused."),
			   virDomainGetName(dom));
		virResetLastError();
		return -2;
	}
	return virDomainSuspend(dom);
}

static int op_resume(virDomainPtr dom)
{
	if (dom_state(dom) != VIR_DOMAIN_PAUSED) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" is not paused."),
			   virDomainGetName(dom));
		return -2;
	}
	return virDomainResume(dom);
}

int vm_destroy(struct engine *eng, const char *name)
{
	/* No waiting for the guest to settle: forcing off is the way out
	 * for a guest whose QEMU no longer answers, and libvirt kills the
	 * process before it asks for the guest's job. */
	virDomainPtr dom = vm_lookup(eng, name);
	int rc = -1;

	if (!dom)
		return -1;
	/* give a reconnect in flight a moment to finish, but do not insist */
	engine_wait_settled(eng, dom, MIN(engine_op_timeout_ms(eng), 3000));
	core_error_clear();
	if (!is_active_state(dom_state(dom)))
		core_error(CORE_ERR_STATE, _("VM \"%s\" is not running."), name);
	else if (virDomainDestroy(dom) == 0 || !is_active_state(dom_state(dom)))
		rc = 0; /* a reconnect that saw the kill may win the race */
	else
		core_error_virt(CORE_ERR_FAILED, _("Cannot force off VM \"%s\""), name);
	virDomainFree(dom);
	return rc;
}

int vm_reboot(struct engine *eng, const char *name)
{
	return simple_op(eng, name, op_reboot, _("Cannot reboot VM \"%s\""));
}

int vm_reset(struct engine *eng, const char *name)
{
	return simple_op(eng, name, op_reset, _("Cannot reset VM \"%s\""));
}

int vm_suspend(struct engine *eng, const char *name)
{
	return simple_op(eng, name, op_suspend, _("Cannot pause VM \"%s\""));
}

int vm_resume(struct engine *eng, const char *name)
{
	return simple_op(eng, name, op_resume, _("Cannot resume VM \"%s\""));
}

/* Deletes @dom's snapshots with their data: dropping only their
 * metadata (as undefine does) would leave each one's saved memory and
 * disk state inside the qcow2 files as dead data.  What it did goes to
 * @out; a snapshot libvirt cannot delete is only named there. */
static int delete_snapshots(virDomainPtr dom, GString *out)
{
	int total = virDomainSnapshotNum(dom, 0);
	bool failed = false;

	/* leaves first, one at a time: libvirt 9.0 deletes no subtree of
	 * external snapshots (a UEFI VM's) at once */
	for (int round = 0; round <= total && !failed && virDomainSnapshotNum(dom, 0) > 0; round++) {
		virDomainSnapshotPtr *leaves = NULL;
		int n = virDomainListAllSnapshots(dom, &leaves, VIR_DOMAIN_SNAPSHOT_LIST_LEAVES);

		for (int i = 0; i < n; i++) {
			g_autofree char *snap = g_strdup(virDomainSnapshotGetName(leaves[i]));

			if (!failed && virDomainSnapshotDelete(leaves[i], 0) < 0) {
				core_error_virt(CORE_ERR_FAILED, _("Cannot delete snapshot \"%s\""), snap);
				failed = true;
			} else if (!failed) {
				/* what libvirt leaves of an external one */
				for (int k = 0; k < 2; k++) {
					g_autofree char *f = disk_snapshot_file(virDomainGetName(dom), snap,
										k ? "nvram" : "mem");

					if (f)
						unlink(f);
				}
			}
			virDomainSnapshotFree(leaves[i]);
		}
		free(leaves);
		if (n <= 0)
			break;
	}
	if (failed)
		return -1;
	core_error_clear();
	if (total > 0 && virDomainSnapshotNum(dom, 0) == 0)
		g_string_append_printf(out, P_("Deleted %d snapshot of VM \"%s\".\n",
					       "Deleted %d snapshots of VM \"%s\".\n", total),
				       total, virDomainGetName(dom));
	return 0;
}

int vm_delete(struct engine *eng, const char *name, bool remove_disks,
	      bool force, char **report)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);
	autoptr(vm_spec) spec = NULL;
	g_autofree char *xml = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
			 VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			 VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
			 VIR_DOMAIN_UNDEFINE_NVRAM;
	int rc = -1;

	if (!dom)
		return -1;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	spec = xml ? domxml_parse(xml) : NULL;
	if (!spec) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), name);
		goto out;
	}
	if (is_active_state(dom_state(dom))) {
		if (!force) {
			core_error(CORE_ERR_STATE,
				   _("VM \"%s\" is running; shut it down first, or delete it with --force to power it off."),
				   name);
			goto out;
		}
		if (virDomainDestroy(dom) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot force off VM \"%s\""), name);
			goto out;
		}
	}
	/* a VM whose snapshots stay is kept: undefining it would orphan
	 * their overlays and files */
	if (delete_snapshots(dom, out) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		core_error(CORE_ERR_FAILED, _("VM \"%s\" was not deleted: %s."), name, why);
		goto out;
	}
	/* a deleted external snapshot's overlay was merged away: the disks
	 * are the ones the definition names now */
	if (g_strcmp0(out->str, "") != 0) {
		g_autofree char *now = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
		struct vm_spec *again = now ? domxml_parse(now) : NULL;

		if (again) {
			vm_spec_free(spec);
			spec = again;
		}
	}
	if (virDomainUndefineFlags(dom, flags) < 0 &&
	    virDomainUndefine(dom) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot delete VM \"%s\""), name);
		goto out;
	}
	g_string_append_printf(out, _("Deleted VM \"%s\"."), name);
	g_string_append_c(out, '\n');
	rc = 0;
	if (engine_is_local(eng))
		users_forget(spec);
	for (guint i = 0; i < spec->disks->len; i++) {
		struct vm_disk *d = g_ptr_array_index(spec->disks, i);

		/* a CD-ROM vmtui made (a cloud-init seed) goes with the VM;
		 * any other is the user's */
		if (!d->path || (d->cdrom && !d->owned))
			continue;
		if (remove_disks && d->owned) {
			if (disk_remove(eng, d->path) < 0) {
				g_string_append_printf(out, "%s\n", core_error_message());
				rc = -1;
			} else {
				g_string_append_printf(out, d->cdrom ? _("Removed seed %s.") :
						       _("Removed disk %s."), d->path);
				g_string_append_c(out, '\n');
			}
		} else {
			g_string_append_printf(out, remove_disks ?
					       _("Kept disk %s (vmtui did not create it).") :
					       _("Kept disk %s."), d->path);
			g_string_append_c(out, '\n');
		}
	}
	if (spec->serial_log && engine_is_embedded(eng))
		unlink(spec->serial_log);
	if (report)
		*report = g_strdup(out->str);
out:
	virDomainFree(dom);
	return rc;
}

int vm_rename(struct engine *eng, const char *name, const char *new_name)
{
	virDomainPtr dom, other;
	int rc = -1;

	if (!core_name_valid(new_name))
		return -1;
	dom = vm_lookup_settled(eng, name);
	if (!dom)
		return -1;
	other = virDomainLookupByName(engine_conn(eng), new_name);
	if (other) {
		virDomainFree(other);
		core_error(CORE_ERR_USAGE, _("A VM named \"%s\" already exists."),
			   new_name);
	} else if (is_active_state(dom_state(dom))) {
		core_error(CORE_ERR_STATE,
			   _("VM \"%s\" is running; it can only be renamed while shut off."),
			   name);
	} else if (virDomainRename(dom, new_name, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot rename VM \"%s\""), name);
	} else {
		rc = 0;
	}
	virDomainFree(dom);
	return rc;
}

/* The boot order a running @dom started with; n == 0 when it cannot be
 * read. */
static struct vm_boot live_boot(virDomainPtr dom)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
	autoptr(vm_spec) spec = xml ? domxml_parse(xml) : NULL;
	struct vm_boot none = { 0 };

	virResetLastError();
	return spec ? spec->boot : none;
}

/* Replaces the boot order of @dom's persistent definition with @boot.
 * libvirt has no call for it, so the definition is redefined; with
 * VIR_DOMAIN_XML_SECURE so secrets (VNC passwords) are not dropped.  A
 * transient VM is refused: defining it would make it persistent. */
static int set_boot(struct engine *eng, virDomainPtr dom,
		    const struct vm_boot *boot)
{
	g_autofree char *xml = NULL;
	g_autofree char *fixed = NULL;
	virDomainPtr redefined;

	if (virDomainIsPersistent(dom) == 0) {
		core_error(CORE_ERR_STATE,
			   _("VM \"%s\" is transient: it has no definition to keep a boot order in."),
			   virDomainGetName(dom));
		return -1;
	}
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	if (!xml) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""),
				virDomainGetName(dom));
		return -1;
	}
	fixed = domxml_set_boot(xml, boot);
	if (!fixed)
		return -1;
	redefined = virDomainDefineXML(engine_conn(eng), fixed);
	if (!redefined) {
		core_error_virt(CORE_ERR_FAILED,
				_("Cannot set the boot order of VM \"%s\""),
				virDomainGetName(dom));
		return -1;
	}
	virDomainFree(redefined);
	return 0;
}

/* True when @a and @b list the same devices in the same order. */
static bool boot_equal(const struct vm_boot *a, const struct vm_boot *b)
{
	return a->n == b->n &&
	       memcmp(a->dev, b->dev, a->n * sizeof a->dev[0]) == 0;
}

/* The new value and maximum of a size (vCPUs or memory) whose definition
 * has @cur of @max, asked @want and @want_max (0: leave), as vm_set
 * says: a maximum equal to the old value follows the new one. */
static void new_size(uint64_t cur, uint64_t max, uint64_t want, uint64_t want_max,
		     uint64_t *to, uint64_t *to_max)
{
	*to_max = want_max ? want_max : !want ? max : (max <= cur || want > max) ? want : max;
	*to = want ? want : MIN(cur, *to_max);
}

static int set_vcpus(virDomainPtr dom, const struct vm_spec *def, const struct vm_change *c,
		     bool live, bool *needs_restart)
{
	const char *name = virDomainGetName(dom);
	uint64_t to, to_max;
	int live_max;

	new_size(def->vcpus, def->max_vcpus, c->vcpus, c->max_vcpus, &to, &to_max);
	if (to > to_max) {
		core_error(CORE_ERR_USAGE, _("%" PRIu64 " vCPUs is more than the maximum of %" PRIu64 " (--max-vcpus)."),
			   to, to_max);
		return -1;
	}
	/* the maximum first when it grows, last when it shrinks: libvirt
	 * refuses a value above the maximum */
	if ((to_max > def->max_vcpus &&
	     virDomainSetVcpusFlags(dom, (unsigned)to_max, VIR_DOMAIN_AFFECT_CONFIG |
				    VIR_DOMAIN_VCPU_MAXIMUM) < 0) ||
	    virDomainSetVcpusFlags(dom, (unsigned)to, VIR_DOMAIN_AFFECT_CONFIG) < 0 ||
	    (to_max < def->max_vcpus &&
	     virDomainSetVcpusFlags(dom, (unsigned)to_max, VIR_DOMAIN_AFFECT_CONFIG |
				    VIR_DOMAIN_VCPU_MAXIMUM) < 0)) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot set the vCPUs of VM \"%s\""), name);
		return -1;
	}
	if (!live)
		return 0;
	live_max = virDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM);
	if (c->max_vcpus && live_max >= 0 && (uint64_t)live_max != to_max)
		*needs_restart = true;
	if (!c->vcpus || virDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE) == (int)to)
		return 0;
	if (live_max < 0 || to > (uint64_t)live_max) {
		*needs_restart = true; /* more than QEMU was started with */
		return 0;
	}
	if (virDomainSetVcpusFlags(dom, (unsigned)to, VIR_DOMAIN_AFFECT_LIVE) == 0)
		return 0;
	/* an unplug the guest is slow to finish fails after libvirt's 5 s,
	 * and may finish later all the same; libvirt's view of it settles
	 * when a new connection to the engine reads QEMU's (measured: the
	 * same call from a new vmtui succeeds then) */
	if (virGetLastErrorCode() != VIR_ERR_OPERATION_TIMEOUT) {
		/* no hot-plug for it (machine, guest): at its next start */
		virResetLastError();
		*needs_restart = true;
		return 0;
	}
	core_error(CORE_ERR_TIMEOUT, _("VM \"%s\" gets %" PRIu64 " vCPUs from its next start; the running guest did not release its vCPU within 5 seconds, and may still: the same `vmtui set %s --vcpus %" PRIu64 "` again tells."),
		   name, to, name, to);
	return -1;
}

static int set_memory(virDomainPtr dom, const struct vm_spec *def, const struct vm_change *c,
		      bool live, bool *needs_restart)
{
	const char *name = virDomainGetName(dom);
	uint64_t to, to_max;

	new_size(def->memory_mib, def->max_memory_mib, c->memory_mib, c->max_memory_mib,
		 &to, &to_max);
	if (to > to_max) {
		core_error(CORE_ERR_USAGE, _("%" PRIu64 " MiB of memory is more than the maximum of %" PRIu64 " MiB (--max-memory)."),
			   to, to_max);
		return -1;
	}
	/* libvirt lowers the value with the maximum, and refuses a value
	 * above it: the maximum goes first */
	if (virDomainSetMemoryFlags(dom, (unsigned long)(to_max * 1024),
				    VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM) < 0 ||
	    virDomainSetMemoryFlags(dom, (unsigned long)(to * 1024), VIR_DOMAIN_AFFECT_CONFIG) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot set the memory of VM \"%s\""), name);
		return -1;
	}
	if (!live)
		return 0;
	{
		unsigned long live_max = virDomainGetMaxMemory(dom);

		if (c->max_memory_mib && live_max != to_max * 1024)
			*needs_restart = true;
		if (!c->memory_mib)
			return 0;
		if (!live_max || to * 1024 > live_max) {
			*needs_restart = true; /* more than QEMU was started with */
			return 0;
		}
	}
	/* the balloon: the guest gives memory back, or takes it again; a VM
	 * without one gets the size at its next start */
	if (virDomainSetMemoryFlags(dom, (unsigned long)(to * 1024), VIR_DOMAIN_AFFECT_LIVE) < 0) {
		virResetLastError();
		*needs_restart = true;
	}
	return 0;
}

int vm_set(struct engine *eng, const char *name, const struct vm_change *c,
	   bool *needs_restart)
{
	virDomainPtr dom;
	autoptr(vm_spec) def = NULL;
	g_autofree char *xml = NULL;
	bool live;
	int rc = -1;

	*needs_restart = false;
	if (!c->vcpus && !c->max_vcpus && !c->memory_mib && !c->max_memory_mib &&
	    !c->description && !c->boot) {
		core_error(CORE_ERR_USAGE, _("Nothing to change: give --vcpus, --memory, --description or --boot."));
		return -1;
	}
	if (c->description && !core_text_valid(_("description"), c->description))
		return -1;
	g_return_val_if_fail(!c->boot || c->boot->n <= BOOT_DEV_COUNT, -1);
	if (c->boot && !c->boot->n) {
		core_error(CORE_ERR_USAGE,
			   _("The boot order is empty: list boot devices separated by commas, e.g. cdrom,hd."));
		return -1;
	}
	if (vm_check_resources(eng, MAX(c->vcpus, c->max_vcpus),
			       MAX(c->memory_mib, c->max_memory_mib)) < 0)
		return -1;
	dom = vm_lookup_settled(eng, name);
	if (!dom)
		return -1;
	live = is_active_state(dom_state(dom));
	if ((c->vcpus || c->max_vcpus || c->memory_mib || c->max_memory_mib) &&
	    (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE)) ||
	     !(def = domxml_parse(xml)))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), name);
		goto out;
	}
	/* First, as the one most likely to be refused (libvirt validates
	 * the whole definition): a refusal then changes nothing. */
	if (c->boot) {
		if (set_boot(eng, dom, c->boot) < 0)
			goto out;
		if (live) {
			struct vm_boot now = live_boot(dom);

			/* firmware reads it at power-on only */
			if (!boot_equal(&now, c->boot))
				*needs_restart = true;
		}
	}
	if ((c->vcpus || c->max_vcpus) && set_vcpus(dom, def, c, live, needs_restart) < 0)
		goto out;
	if ((c->memory_mib || c->max_memory_mib) && set_memory(dom, def, c, live, needs_restart) < 0)
		goto out;
	if (c->description &&
	    virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION,
				 *c->description ? c->description : NULL, NULL, NULL,
				 VIR_DOMAIN_AFFECT_CONFIG |
				 (live ? VIR_DOMAIN_AFFECT_LIVE : 0)) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot set the description of VM \"%s\""), name);
		goto out;
	}
	rc = 0;
out:
	virDomainFree(dom);
	return rc;
}

struct vm_spec *vm_describe(struct engine *eng, const char *name, int *state,
			    int *reason)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);
	g_autofree char *xml = NULL;
	struct vm_spec *spec = NULL;

	if (!dom)
		return NULL;
	if (virDomainGetState(dom, state, reason, 0) < 0) {
		*state = VIR_DOMAIN_NOSTATE;
		*reason = 0;
	}
	xml = virDomainGetXMLDesc(dom, 0);
	if (!xml) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), name);
	} else if (!(spec = domxml_parse(xml))) {
		/* another client may have defined what libxml2 refuses to
		 * read (libvirt writes names with ESC, XML 1.0 cannot hold) */
		core_error(CORE_ERR_FAILED, _("The definition of VM \"%s\" cannot be read: it is not well-formed XML (another program may have set characters XML cannot hold)."),
			   name);
	}
	virDomainFree(dom);
	return spec;
}

char *vm_dumpxml(struct engine *eng, const char *name, bool inactive)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);
	char *xml;

	if (!dom)
		return NULL;
	xml = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!xml)
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), name);
	virDomainFree(dom);
	return xml;
}

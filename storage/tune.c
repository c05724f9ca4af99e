/*
 * tune.c — what a VM may take of the host: I/O limits per disk, vCPU and
 * emulator pinning, NUMA binding, huge pages and CPU shares and quotas,
 * and what it takes now (its balloon).  Live where libvirt can change it
 * on a running guest, always in the persistent definition.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/model.h"
#include "core/vm.h"
#include "storage/storage.h"

/* libvirt's names of the limits, in enum iotune_field order, and ours */
static const char *const iotune_params[IOTUNE_FIELDS] = {
	VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC,
	VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC,
	VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC, VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC,
};
static const char *const iotune_keys[IOTUNE_FIELDS] = {
	"total-bytes", "read-bytes", "write-bytes", "total-iops", "read-iops", "write-iops",
};

const char *iotune_key(enum iotune_field f)
{
	return iotune_keys[f];
}

void disk_iotune_free(struct disk_iotune *t)
{
	if (t) {
		g_free(t->target);
		g_free(t);
	}
}

void vcpu_pin_free(struct vcpu_pin *p)
{
	if (p) {
		g_free(p->cpus);
		g_free(p);
	}
}

struct disk_iotune *iotune_parse(const char *text)
{
	const char *colon = strchr(text, ':');
	autoptr(disk_iotune) t = g_new0(struct disk_iotune, 1);
	g_auto(GStrv) items = NULL;

	if (!colon || colon == text || !colon[1]) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is no I/O limit: give TARGET:LIMIT=VALUE,..., e.g. vda:read-bytes=10M,write-iops=200 (or vda:none)."),
			   text);
		return NULL;
	}
	t->target = g_strndup(text, (gsize)(colon - text));
	if (strcmp(colon + 1, "none") == 0) {
		for (int f = 0; f < IOTUNE_FIELDS; f++)
			t->given[f] = true;
		return g_steal_pointer(&t);
	}
	items = g_strsplit(colon + 1, ",", -1);
	for (guint i = 0; items[i]; i++) {
		char *eq = strchr(items[i], '=');
		int f;

		for (f = 0; f < IOTUNE_FIELDS; f++)
			if (eq && strncmp(items[i], iotune_keys[f], (size_t)(eq - items[i])) == 0 &&
			    strlen(iotune_keys[f]) == (size_t)(eq - items[i]))
				break;
		if (f == IOTUNE_FIELDS) {
			core_error(CORE_ERR_USAGE, _("\"%s\" is no I/O limit: use total-bytes, read-bytes, write-bytes (per second, e.g. 10M), total-iops, read-iops or write-iops, each =VALUE (0: no limit)."),
				   items[i]);
			return NULL;
		}
		if (f <= IOTUNE_WRITE_BYTES) {
			/* "0" is no limit; anything else a size per second */
			if (strcmp(eq + 1, "0") != 0 && !(t->value[f] = core_parse_size(eq + 1, 'B')))
				return NULL;
		} else {
			long long n;

			if (!core_parse_int(iotune_keys[f], eq + 1, 0, 1000000000, &n))
				return NULL;
			t->value[f] = (uint64_t)n;
		}
		t->given[f] = true;
	}
	return g_steal_pointer(&t);
}

/* ---- CPU lists ---------------------------------------------------------- */

/* The host's CPU count; 0 with an error. */
static int host_cpus(struct engine *eng)
{
	int n = virNodeGetCPUMap(engine_conn(eng), NULL, NULL, 0);

	if (n <= 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot read the host's CPUs"));
	return n > 0 ? n : 0;
}

/* Parses CPU list @text ("0-1,3") into a new libvirt CPU map of @ncpus
 * CPUs (*@len bytes); NULL with an error naming @what. */
static unsigned char *cpumap_parse(const char *what, const char *text, int ncpus, int *len,
				   bool nodes)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);
	g_autofree unsigned char *map = g_malloc0((gsize)VIR_CPU_MAPLEN(ncpus));
	bool any = false;

	if (strcmp(text, "all") == 0) {
		/* no pinning: every CPU */
		for (int c = 0; c < ncpus; c++)
			VIR_USE_CPU(map, c);
		*len = VIR_CPU_MAPLEN(ncpus);
		return g_steal_pointer(&map);
	}

	for (guint i = 0; parts[i]; i++) {
		char *end;
		guint64 lo, hi;

		g_strstrip(parts[i]);
		if (!g_ascii_isdigit(parts[i][0]))
			goto bad;
		lo = g_ascii_strtoull(parts[i], &end, 10);
		hi = lo;
		if (*end == '-') {
			if (!g_ascii_isdigit(end[1]))
				goto bad;
			hi = g_ascii_strtoull(end + 1, &end, 10);
		}
		if (*end || hi < lo)
			goto bad;
		if (hi >= (guint64)ncpus) {
			if (nodes)
				core_error(CORE_ERR_USAGE, _("%s: NUMA node %" PRIu64 " does not exist; this host has nodes 0 to %d."),
					   what, (uint64_t)hi, ncpus - 1);
			else
				core_error(CORE_ERR_USAGE, _("%s: CPU %" PRIu64 " does not exist; this host has CPUs 0 to %d."),
					   what, (uint64_t)hi, ncpus - 1);
			return NULL;
		}
		for (guint64 c = lo; c <= hi; c++)
			VIR_USE_CPU(map, c);
		any = true;
	}
	if (any) {
		*len = VIR_CPU_MAPLEN(ncpus);
		return g_steal_pointer(&map);
	}
bad:
	core_error(CORE_ERR_USAGE, nodes ? _("%s: \"%s\" is no list of NUMA nodes; give node numbers and ranges, e.g. 0 or 0-1.") :
		   _("%s: \"%s\" is no CPU list; give CPU numbers and ranges, e.g. 0-1,3."), what, text);
	return NULL;
}

/* "0-1,3" for the CPUs set in @map of @ncpus; NULL when all are (no
 * pinning). */
static char *cpumap_text(const unsigned char *map, int ncpus)
{
	GString *out = g_string_new(NULL);
	int all = 0;

	for (int c = 0; c < ncpus; c++) {
		int end = c;

		if (!VIR_CPU_USABLE(map, VIR_CPU_MAPLEN(ncpus), 0, c))
			continue;
		while (end + 1 < ncpus && VIR_CPU_USABLE(map, VIR_CPU_MAPLEN(ncpus), 0, end + 1))
			end++;
		g_string_append_printf(out, end > c ? "%s%d-%d" : "%s%d", out->len ? "," : "", c, end);
		all += end - c + 1;
		c = end;
	}
	if (all == ncpus) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

struct vcpu_pin *vcpu_pin_parse(const char *text)
{
	const char *colon = strchr(text, ':');
	autoptr(vcpu_pin) p = g_new0(struct vcpu_pin, 1);
	long long n;
	g_autofree char *num = colon ? g_strndup(text, (gsize)(colon - text)) : NULL;

	if (!colon || !colon[1]) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is no vCPU pinning: give VCPU:CPUS, e.g. 0:2 or 1:0-1."),
			   text);
		return NULL;
	}
	if (!core_parse_int("--vcpupin", num, 0, VM_MAX_VCPUS - 1, &n))
		return NULL;
	p->vcpu = (unsigned)n;
	p->cpus = g_strdup(colon + 1);
	return g_steal_pointer(&p);
}

/* ---- changing ----------------------------------------------------------- */

bool vm_tune_given(const struct vm_tune *t)
{
	return (t->iotune && t->iotune->len) || (t->vcpupin && t->vcpupin->len) ||
	       t->emulatorpin || t->numa || t->hugepages >= 0 || t->cpu_shares || t->cpu_quota;
}

/* Whether any numeric field of @params is not 0. */
static bool limited(const virTypedParameter *params, int n)
{
	for (int i = 0; i < n; i++)
		if (params[i].type == VIR_TYPED_PARAM_ULLONG && params[i].value.ul)
			return true;
	return false;
}

/* Sets the limits @t names on one side (@flags: config or live) of a
 * disk, keeping every other field libvirt has there: a config call
 * drops the fields it does not name, a live one keeps them. */
static int iotune_apply(virDomainPtr dom, const struct disk_iotune *t, unsigned flags)
{
	virTypedParameterPtr params = NULL;
	int n = 0, max = 0, rc;

	if (virDomainGetBlockIoTune(dom, t->target, NULL, &n, flags) < 0)
		return -1;
	max = n;
	params = g_new0(virTypedParameter, (gsize)n);
	if (n && virDomainGetBlockIoTune(dom, t->target, params, &n, flags) < 0) {
		g_free(params);
		return -1;
	}
	for (int f = 0; f < IOTUNE_FIELDS; f++) {
		/* a total and its read or write limit exclude each other
		 * (libvirt refuses both): the one given wins */
		int kind = f < IOTUNE_TOTAL_IOPS ? IOTUNE_TOTAL_BYTES : IOTUNE_TOTAL_IOPS;
		bool total = f == kind;
		bool other_given = total ? t->given[kind + 1] || t->given[kind + 2] : t->given[kind];
		bool other_set = total ? (t->value[kind + 1] || t->value[kind + 2]) : t->value[kind] != 0;
		uint64_t v = t->given[f] ? t->value[f] : 0;
		virTypedParameterPtr p;

		if (!t->given[f] && !(other_given && other_set))
			continue;
		if ((p = virTypedParamsGet(params, n, iotune_params[f])))
			p->value.ul = v;
		else
			virTypedParamsAddULLong(&params, &n, &max, iotune_params[f], v);
	}
	/* no limit left: the throttle group QEMU named goes too (libvirt
	 * refuses a group of zeros) */
	if (!limited(params, n)) {
		virTypedParameterPtr zeros = NULL;
		int zn = 0, zmax = 0;

		for (int f = 0; f < IOTUNE_FIELDS; f++)
			virTypedParamsAddULLong(&zeros, &zn, &zmax, iotune_params[f], 0);
		virTypedParamsFree(params, n);
		params = zeros;
		n = zn;
	}
	rc = virDomainSetBlockIoTune(dom, t->target, params, n, flags);
	virTypedParamsFree(params, n);
	return rc;
}

static bool has_disk(const struct vm_spec *def, const char *target)
{
	for (guint i = 0; i < def->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(def->disks, i);

		if (!d->cdrom && g_strcmp0(d->target, target) == 0)
			return true;
	}
	return false;
}

/* Checks every option against the definition before anything changes. */
static int tune_check(struct engine *eng, const struct vm_spec *def, const struct vm_tune *t,
		      int ncpus)
{
	const char *name = def->name;

	for (guint i = 0; t->iotune && i < t->iotune->len; i++) {
		const struct disk_iotune *io = g_ptr_array_index(t->iotune, i);

		if (!has_disk(def, io->target)) {
			core_error(CORE_ERR_NOT_FOUND, _("VM \"%s\" has no disk %s (disk list %s shows its disks)."),
				   name, io->target, name);
			return -1;
		}
	}
	for (guint i = 0; t->vcpupin && i < t->vcpupin->len; i++) {
		const struct vcpu_pin *p = g_ptr_array_index(t->vcpupin, i);
		g_autofree unsigned char *map = NULL;
		int len;

		if (p->vcpu >= def->max_vcpus) {
			core_error(CORE_ERR_USAGE, _("VM \"%s\" has no vCPU %u: its vCPUs are 0 to %u."),
				   name, p->vcpu, def->max_vcpus - 1);
			return -1;
		}
		if (!(map = cpumap_parse("--vcpupin", p->cpus, ncpus, &len, false)))
			return -1;
	}
	if (t->emulatorpin) {
		g_autofree unsigned char *map = NULL;
		int len;

		if (!(map = cpumap_parse("--emulatorpin", t->emulatorpin, ncpus, &len, false)))
			return -1;
	}
	if (t->numa && strcmp(t->numa, "none") != 0) {
		virNodeInfo node;
		g_autofree unsigned char *map = NULL;
		int len, nodes = virNodeGetInfo(engine_conn(eng), &node) == 0 && node.nodes ?
				 (int)node.nodes : 1;

		/* the same syntax as CPU lists, against the host's nodes */
		if (!(map = cpumap_parse("--numa", t->numa, nodes, &len, true)))
			return -1;
	}
	if (t->hugepages == 1 && vm_hugepages_check(eng, def->max_memory_mib) < 0)
		return -1;
	if ((t->cpu_shares || t->cpu_quota) && engine_is_embedded(eng)) {
		core_error(CORE_ERR_STATE, _("CPU shares and quotas need cgroups, which the embedded engine keeps off; use them on a libvirt daemon's URI (vmtui -c qemu:///system ...). Pinning (--vcpupin, --emulatorpin) works here."));
		return -1;
	}
	return 0;
}

static int set_memory_backing(struct engine *eng, virDomainPtr dom, const struct vm_spec *def,
			      const struct vm_tune *t, bool live, bool *needs_restart)
{
	const char *nodeset = !t->numa ? NULL : strcmp(t->numa, "none") == 0 ? "" : t->numa;
	g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	g_autofree char *fixed = NULL;
	virDomainPtr redefined;

	if (!xml || !(fixed = domxml_set_memory_tuning(xml, nodeset, t->hugepages))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), def->name);
		return -1;
	}
	if (!(redefined = virDomainDefineXML(engine_conn(eng), fixed))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot change the memory of VM \"%s\""), def->name);
		return -1;
	}
	virDomainFree(redefined);
	/* QEMU's memory is laid out at its start */
	if (live && ((nodeset && g_strcmp0(*nodeset ? nodeset : NULL, def->numa_nodeset) != 0) ||
		     (t->hugepages >= 0 && (bool)t->hugepages != def->hugepages)))
		*needs_restart = true;
	return 0;
}

static int set_cpu_sched(virDomainPtr dom, const struct vm_tune *t, bool live)
{
	virTypedParameterPtr params = NULL;
	int n = 0, max = 0, rc;
	unsigned flags = VIR_DOMAIN_AFFECT_CONFIG | (live ? VIR_DOMAIN_AFFECT_LIVE : 0);

	if (t->cpu_shares)
		virTypedParamsAddULLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_CPU_SHARES,
					(unsigned long long)t->cpu_shares);
	if (t->cpu_quota) {
		/* a percentage of one host CPU for each vCPU, over 100 ms */
		virTypedParamsAddULLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, 100000);
		virTypedParamsAddLLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA,
				       t->cpu_quota < 0 ? -1 : (long long)t->cpu_quota * 1000);
	}
	rc = virDomainSetSchedulerParametersFlags(dom, params, n, flags);
	virTypedParamsFree(params, n);
	if (rc < 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot set the CPU shares or quota of VM \"%s\""),
				virDomainGetName(dom));
	return rc;
}

int vm_tune(struct engine *eng, const char *vm, const struct vm_tune *t, bool *needs_restart)
{
	virDomainPtr dom = NULL;
	g_autofree char *xml = NULL;
	autoptr(vm_spec) def = NULL;
	int ncpus, state, rc = -1;
	bool live;
	unsigned flags;

	*needs_restart = false;
	if (!(ncpus = host_cpus(eng)) || !(dom = vm_lookup_settled(eng, vm)))
		return -1;
	if (virDomainGetState(dom, &state, NULL, 0) < 0)
		state = VIR_DOMAIN_SHUTOFF;
	live = vm_state_active(state);
	flags = VIR_DOMAIN_AFFECT_CONFIG | (live ? VIR_DOMAIN_AFFECT_LIVE : 0);
	if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE)) || !(def = domxml_parse(xml))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read VM \"%s\""), vm);
		goto out;
	}
	if (tune_check(eng, def, t, ncpus) < 0)
		goto out;
	/* a redefinition first: libvirt validates it whole, so a refusal
	 * changes nothing */
	if ((t->numa || t->hugepages >= 0) &&
	    set_memory_backing(eng, dom, def, t, live, needs_restart) < 0)
		goto out;
	for (guint i = 0; t->iotune && i < t->iotune->len; i++) {
		const struct disk_iotune *io = g_ptr_array_index(t->iotune, i);

		if (iotune_apply(dom, io, VIR_DOMAIN_AFFECT_CONFIG) < 0 ||
		    (live && iotune_apply(dom, io, VIR_DOMAIN_AFFECT_LIVE) < 0)) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot set the I/O limits of disk %s of VM \"%s\""),
					io->target, vm);
			goto out;
		}
	}
	for (guint i = 0; t->vcpupin && i < t->vcpupin->len; i++) {
		const struct vcpu_pin *p = g_ptr_array_index(t->vcpupin, i);
		int len;
		g_autofree unsigned char *map = cpumap_parse("--vcpupin", p->cpus, ncpus, &len, false);
		/* a vCPU not plugged in now is pinned from when it is */
		bool online = live && p->vcpu < (unsigned)MAX(0, virDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE));

		if (!map || virDomainPinVcpuFlags(dom, p->vcpu, map, len, VIR_DOMAIN_AFFECT_CONFIG |
						  (online ? VIR_DOMAIN_AFFECT_LIVE : 0)) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot pin vCPU %u of VM \"%s\""), p->vcpu, vm);
			goto out;
		}
	}
	if (t->emulatorpin) {
		int len;
		g_autofree unsigned char *map = cpumap_parse("--emulatorpin", t->emulatorpin, ncpus, &len, false);

		if (!map || virDomainPinEmulator(dom, map, len, flags) < 0) {
			core_error_virt(CORE_ERR_FAILED, _("Cannot pin the emulator threads of VM \"%s\""), vm);
			goto out;
		}
	}
	if ((t->cpu_shares || t->cpu_quota) && set_cpu_sched(dom, t, live) < 0)
		goto out;
	rc = 0;
out:
	if (dom)
		virDomainFree(dom);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

char *iotune_text(const struct disk_iotune *io)
{
	GString *line = g_string_new(io->target);

	for (int f = 0; f < IOTUNE_FIELDS; f++) {
		g_autofree char *v = NULL;

		if (!io->value[f])
			continue;
		v = f <= IOTUNE_WRITE_BYTES ? core_format_size(io->value[f]) :
		    g_strdup_printf("%" PRIu64, io->value[f]);
		g_string_append_printf(line, " %s=%s/s", iotune_keys[f], v);
	}
	return g_string_free(line, FALSE);
}

/* @v bytes as a size core_parse_size reads back exactly ("50M"). */
static char *exact_size(uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	return u < 0 ? g_strdup_printf("%" PRIu64 "B", v) : g_strdup_printf("%" PRIu64 "%c", v, units[u]);
}

char *iotune_arg(const struct disk_iotune *io)
{
	GString *arg = g_string_new(io->target);
	bool first = true;

	for (int f = 0; f < IOTUNE_FIELDS; f++) {
		g_autofree char *v = NULL;

		if (!io->value[f])
			continue;
		v = f <= IOTUNE_WRITE_BYTES ? exact_size(io->value[f]) :
		    g_strdup_printf("%" PRIu64, io->value[f]);
		g_string_append_printf(arg, "%c%s=%s", first ? ':' : ',', iotune_keys[f], v);
		first = false;
	}
	if (first)
		g_string_append(arg, ":none");
	return g_string_free(arg, FALSE);
}

char *vcpupin_text(const GPtrArray *pins)
{
	GString *line = g_string_new(NULL);

	for (guint i = 0; i < pins->len; i++) {
		const struct vcpu_pin *p = pins->pdata[i];

		g_string_append_printf(line, "%s%u:%s", i ? " " : "", p->vcpu, p->cpus);
	}
	if (!line->len) {
		g_string_free(line, TRUE);
		return NULL;
	}
	return g_string_free(line, FALSE);
}

void vm_tuning_free(struct vm_tuning *t)
{
	if (!t)
		return;
	g_ptr_array_unref(t->iotune);
	g_ptr_array_unref(t->vcpupin);
	g_free(t->emulatorpin);
	g_free(t->numa);
	g_free(t);
}

static void read_iotune(virDomainPtr dom, const struct vm_spec *s, unsigned flags,
			struct vm_tuning *out)
{
	for (guint i = 0; i < s->disks->len; i++) {
		const struct vm_disk *d = g_ptr_array_index(s->disks, i);
		virTypedParameterPtr params = NULL;
		autoptr(disk_iotune) io = NULL;
		int n = 0;
		bool any = false;

		if (d->cdrom || !d->target ||
		    virDomainGetBlockIoTune(dom, d->target, NULL, &n, flags) < 0 || n <= 0)
			continue;
		params = g_new0(virTypedParameter, (gsize)n);
		io = g_new0(struct disk_iotune, 1);
		io->target = g_strdup(d->target);
		if (virDomainGetBlockIoTune(dom, d->target, params, &n, flags) == 0)
			for (int f = 0; f < IOTUNE_FIELDS; f++) {
				unsigned long long v = 0;

				if (virTypedParamsGetULLong(params, n, iotune_params[f], &v) == 1 && v) {
					io->value[f] = v;
					io->given[f] = any = true;
				}
			}
		virTypedParamsFree(params, n);
		if (any)
			g_ptr_array_add(out->iotune, g_steal_pointer(&io));
	}
}

static void read_pins(virDomainPtr dom, unsigned vcpus, int ncpus, unsigned flags,
		      struct vm_tuning *out)
{
	int len = VIR_CPU_MAPLEN(ncpus);
	g_autofree unsigned char *maps = g_malloc0((gsize)len * MAX(vcpus, 1));
	int n = virDomainGetVcpuPinInfo(dom, (int)vcpus, maps, len, flags);
	unsigned char *one;

	for (int v = 0; v < n; v++) {
		char *cpus = cpumap_text(VIR_GET_CPUMAP(maps, len, v), ncpus);

		if (cpus) {
			struct vcpu_pin *p = g_new0(struct vcpu_pin, 1);

			p->vcpu = (unsigned)v;
			p->cpus = cpus;
			g_ptr_array_add(out->vcpupin, p);
		}
	}
	one = g_malloc0((gsize)len);
	if (virDomainGetEmulatorPinInfo(dom, one, len, flags) >= 0)
		out->emulatorpin = cpumap_text(one, ncpus);
	g_free(one);
}

static void read_balloon(virDomainPtr dom, struct vm_tuning *out)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

	for (int i = 0; i < n; i++) {
		switch (st[i].tag) {
		case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON:
			out->balloon_kib = st[i].val;
			break;
		case VIR_DOMAIN_MEMORY_STAT_USABLE:
			out->usable_kib = st[i].val;
			break;
		case VIR_DOMAIN_MEMORY_STAT_AVAILABLE:
			out->available_kib = st[i].val;
			break;
		case VIR_DOMAIN_MEMORY_STAT_RSS:
			out->rss_kib = st[i].val;
			break;
		default:
			break;
		}
	}
}

struct vm_tuning *vm_tuning_read(struct engine *eng, const char *vm, const struct vm_spec *s,
				 int state)
{
	virDomainPtr dom = vm_lookup_settled(eng, vm);
	unsigned flags = vm_state_active(state) ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
	struct vm_tuning *out;
	int ncpus;

	if (!dom)
		return NULL;
	out = g_new0(struct vm_tuning, 1);
	out->iotune = g_ptr_array_new_with_free_func((GDestroyNotify)disk_iotune_free);
	out->vcpupin = g_ptr_array_new_with_free_func((GDestroyNotify)vcpu_pin_free);
	out->numa = g_strdup(s->numa_nodeset);
	out->hugepages = s->hugepages;
	if (!engine_is_test(eng)) {
		read_iotune(dom, s, flags, out);
		if ((ncpus = virNodeGetCPUMap(engine_conn(eng), NULL, NULL, 0)) > 0)
			read_pins(dom, s->max_vcpus, ncpus, flags, out);
		if (flags == VIR_DOMAIN_AFFECT_LIVE)
			read_balloon(dom, out);
	}
	core_error_clear(); /* what cannot be read is not shown */
	virDomainFree(dom);
	return out;
}

/*
 * nic.c — the NIC modes, their checks against an engine, MACs unique per
 * engine, and hot-plug, unplug and link state of a VM's NICs.
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/model.h"
#include "core/names.h"
#include "core/run.h"
#include "net/net-priv.h"

void net_install(void)
{
	engine_set_start_hooks(net_lab_ensure_dom, net_forward_apply);
	model_set_address_lookup(net_addresses);
}

/* ---- parsing ------------------------------------------------------------- */

bool net_mac_valid(const char *mac)
{
	unsigned first;

	if (!mac || strlen(mac) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit(mac[i]))
			return false;
	/* a multicast MAC cannot be a NIC's */
	first = (unsigned)g_ascii_xdigit_value(mac[1]);
	return !(first & 1);
}

/* An interface or network name: what Linux takes (1 to 15 characters, no
 * '/', ':' or white space) and what a libvirt network is called. */
static bool ifname_valid(const char *what, const char *name, size_t max)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > max || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a %s name (1 to %zu characters)."),
			   name ? name : "", what, max);
		return false;
	}
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_.", *p)) {
			core_error(CORE_ERR_USAGE,
				   _("\"%s\" is not a %s name: use letters, digits, \"-\", \"_\" or \".\"."),
				   name, what);
			return false;
		}
	return true;
}

static bool parse_option(struct vm_nic *nic, const char *opt, const char *text)
{
	const char *eq = strchr(opt, '=');
	g_autofree char *key = eq ? g_strndup(opt, (gsize)(eq - opt)) : g_strdup(opt);
	const char *val = eq ? eq + 1 : "";
	long long n;

	if (strcmp(key, "mtu") == 0) {
		if (!core_parse_int("mtu", val, NET_MTU_MIN, NET_MTU_MAX, &n))
			return false;
		nic->mtu = (unsigned)n;
	} else if (strcmp(key, "queues") == 0) {
		if (!core_parse_int("queues", val, 1, NET_QUEUES_MAX, &n))
			return false;
		nic->queues = (unsigned)n;
	} else if (strcmp(key, "vlan") == 0) {
		if (!core_parse_int("vlan", val, 1, NET_VLAN_MAX, &n))
			return false;
		nic->vlan = (unsigned)n;
	} else if (strcmp(key, "bandwidth") == 0) {
		if (!core_parse_int("bandwidth", val, 1, NET_BANDWIDTH_MAX, &n))
			return false;
		nic->bandwidth = (unsigned)n;
	} else if (strcmp(key, "mac") == 0) {
		if (!net_mac_valid(val)) {
			core_error(CORE_ERR_USAGE,
				   _("\"%s\" is not a MAC address a NIC can have (six hex pairs such as 52:54:00:12:34:56, not multicast)."),
				   val);
			return false;
		}
		g_free(nic->mac);
		nic->mac = g_ascii_strdown(val, -1);
	} else if (strcmp(key, "model") == 0) {
		if (!ifname_valid(_("NIC model"), val, 32))
			return false;
		g_free(nic->model);
		nic->model = g_strdup(val);
	} else if (strcmp(key, "link") == 0 && (strcmp(val, "down") == 0 || strcmp(val, "up") == 0)) {
		nic->link_down = strcmp(val, "down") == 0;
	} else {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" in \"%s\" is no NIC setting: use mtu=N, queues=N, vlan=N, bandwidth=KIB/S, mac=MAC, model=MODEL or link=down."),
			   opt, text);
		return false;
	}
	return true;
}

bool net_parse(const char *text, const char *model, struct vm_nic **out)
{
	g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);
	autoptr(vm_nic) nic = g_new0(struct vm_nic, 1);
	const char *mode = parts[0] ? parts[0] : "";
	const char *colon = strchr(mode, ':');
	g_autofree char *kind = colon ? g_strndup(mode, (gsize)(colon - mode)) : g_strdup(mode);
	const char *source = colon ? colon + 1 : NULL;

	*out = NULL;
	if (strcmp(kind, "none") == 0 && !source && !parts[1])
		return true;
	if (strcmp(kind, "nat") == 0 && !source) {
		nic->mode = NET_NAT;
	} else if (strcmp(kind, "lab") == 0 && source) {
		nic->mode = NET_LAB;
		/* the rule `net create` names labs by, not one of its own */
		if (!net_lab_name_valid(source))
			return false;
	} else if (strcmp(kind, "bridge") == 0 && source) {
		nic->mode = NET_BRIDGE;
		if (!ifname_valid(_("bridge"), source, 15))
			return false;
	} else if (strcmp(kind, "macvtap") == 0 && source) {
		nic->mode = NET_MACVTAP;
		if (!ifname_valid(_("network device"), source, 15))
			return false;
	} else if (strcmp(kind, "network") == 0 && source) {
		nic->mode = NET_NETWORK;
		if (!ifname_valid(_("libvirt network"), source, 64))
			return false;
	} else {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not a network mode: use nat, lab:NAME, bridge:BRIDGE, macvtap:DEVICE, network:NAME or none."),
			   mode);
		return false;
	}
	nic->source = g_strdup(source);
	nic->model = g_strdup(model);
	for (int i = 1; parts[i]; i++)
		if (!parse_option(nic, parts[i], text))
			return false;
	if (nic->bandwidth && nic->mode == NET_NAT) {
		core_error(CORE_ERR_USAGE,
			   _("bandwidth= works on bridge, lab, macvtap and network NICs: a nat NIC has no device on the host to shape."));
		return false;
	}
	if (nic->mtu && nic->mode == NET_NAT) {
		core_error(CORE_ERR_USAGE,
			   _("mtu= works on bridge, lab, macvtap and network NICs; a nat NIC has QEMU's fixed MTU."));
		return false;
	}
	*out = g_steal_pointer(&nic);
	return true;
}

bool net_parse_list(const GPtrArray *modes, const char *model, GPtrArray *nics)
{
	if (modes->len > NET_MAX_NICS) {
		core_error(CORE_ERR_USAGE, _("A VM has at most %d NICs."), NET_MAX_NICS);
		return false;
	}
	for (guint i = 0; i < modes->len; i++) {
		struct vm_nic *nic;

		if (!net_parse(modes->pdata[i], model, &nic))
			return false;
		if (nic) {
			g_ptr_array_add(nics, nic);
		} else if (modes->len > 1) {
			core_error(CORE_ERR_USAGE, _("--net none means no NIC at all: give it alone."));
			return false;
		}
	}
	return true;
}

char *net_nic_mode(const struct vm_nic *nic)
{
	switch (nic->mode) {
	case NET_NAT:
		return g_strdup("nat");
	case NET_LAB:
		return g_strdup_printf("lab:%s", nic->source);
	case NET_BRIDGE:
		return g_strdup_printf("bridge:%s", nic->source);
	case NET_MACVTAP:
		return g_strdup_printf("macvtap:%s", nic->source);
	case NET_NETWORK:
		return g_strdup_printf("network:%s", nic->source);
	default:
		return g_strdup_printf("%s%s%s", nic->type ? nic->type : "?",
				       nic->source ? ":" : "", nic->source ? nic->source : "");
	}
}

char *net_nic_text(const struct vm_nic *nic)
{
	GString *s = g_string_new(NULL);
	char *mode = net_nic_mode(nic);

	g_string_append(s, mode);
	g_free(mode);
	if (nic->mtu)
		g_string_append_printf(s, ",mtu=%u", nic->mtu);
	if (nic->queues > 1)
		g_string_append_printf(s, ",queues=%u", nic->queues);
	if (nic->vlan)
		g_string_append_printf(s, ",vlan=%u", nic->vlan);
	if (nic->bandwidth)
		g_string_append_printf(s, ",bandwidth=%u", nic->bandwidth);
	if (nic->link_down)
		g_string_append(s, ",link=down");
	return g_string_free(s, FALSE);
}

/* ---- checks against the engine ------------------------------------------- */

GHashTable *net_macs_in_use(struct engine *eng)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	GHashTable *macs;

	if (!vms)
		return NULL;
	macs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = g_ptr_array_index(vms, i);

		for (guint k = 0; k < s->nics->len; k++) {
			const struct vm_nic *nic = g_ptr_array_index(s->nics, k);

			if (nic->mac)
				g_hash_table_add(macs, g_ascii_strdown(nic->mac, -1));
		}
	}
	return macs;
}

static bool mac_taken(GHashTable *in_use, GHashTable *taken, const char *mac)
{
	return g_hash_table_contains(in_use, mac) ||
	       (taken && g_hash_table_contains(taken, mac));
}

/* A locally administered MAC in QEMU's 52:54:00 range no VM uses. */
static char *new_mac(GHashTable *in_use, GHashTable *taken)
{
	for (int tries = 0; tries < 1000; tries++) {
		guint32 r = g_random_int();
		char *m = g_strdup_printf("52:54:00:%02x:%02x:%02x", (r >> 16) & 0xff,
					  (r >> 8) & 0xff, r & 0xff);

		if (!mac_taken(in_use, taken, m))
			return m;
		g_free(m);
	}
	return NULL;
}

/* ---- this host's network devices and helper programs -------------------- */

bool net_dev_has(const char *dev, const char *leaf)
{
	g_autofree char *p = g_strdup_printf("/sys/class/net/%s%s%s", dev,
					     leaf ? "/" : "", leaf ? leaf : "");

	return g_file_test(p, G_FILE_TEST_EXISTS);
}

bool net_has_program(const char *prog)
{
	g_autofree char *p = g_find_program_in_path(prog);

	return p != NULL;
}

/* ip, nft, dnsmasq, ovs-vsctl: one that takes longer is stuck */
const struct run_opts net_helper_opts = { .max_wall_s = 20, .max_output = 1u << 20 };

bool net_run(const char *const *argv, const char *what, bool quiet)
{
	g_autofree char *out = core_run(argv, what, &net_helper_opts);

	if (!out && quiet)
		core_error_clear();
	return out != NULL;
}

/* Whether @br is an Open vSwitch bridge (the only kind that takes VLAN
 * tags through libvirt). */
static bool is_ovs_bridge(const char *br)
{
	const char *argv[] = { "ovs-vsctl", "--timeout=5", "br-exists", br, NULL };

	return net_dev_has(br, NULL) && net_has_program("ovs-vsctl") &&
	       net_run(argv, "ovs-vsctl", true);
}

/* Whether this kernel has module @name, built in, loaded or loadable. */
static bool kernel_has(const char *name)
{
	g_autofree char *sys = g_strdup_printf("/sys/module/%s", name);
	g_autofree char *ko = g_strdup_printf("/%s.ko", name);
	struct utsname u;

	if (g_file_test(sys, G_FILE_TEST_IS_DIR))
		return true;
	if (uname(&u) < 0)
		return false;
	for (int i = 0; i < 2; i++) {
		g_autofree char *path = g_strdup_printf("/lib/modules/%s/%s", u.release,
							i ? "modules.dep" : "modules.builtin");
		/* small files of the system; read whole, with a bound */
		g_autofree char *text = core_read_file(path, 16 << 20, 0, "modules", NULL);

		core_error_clear();
		if (text && strstr(text, ko))
			return true;
	}
	return false;
}

/* What libvirt's <bandwidth> needs of the kernel: tc with HTB and SFQ
 * for the way in, an ingress qdisc, u32 and police for the way out. */
static bool check_bandwidth(void)
{
	static const char *const mods[] = { "sch_htb", "sch_sfq", "sch_ingress", "cls_u32", "act_police" };
	g_autoptr(GString) missing = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(mods); i++)
		if (!kernel_has(mods[i]))
			g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", mods[i]);
	if (!missing->len)
		return true;
	core_error(CORE_ERR_FAILED,
		   _("bandwidth= cannot be applied on this host: libvirt shapes a NIC with tc, and this kernel lacks %s."),
		   missing->str);
	return false;
}

static bool check_mode(struct engine *eng, struct vm_nic *nic)
{
	bool local = engine_is_local(eng) && !engine_is_test(eng);
	bool embedded_user = engine_is_embedded(eng) && geteuid() != 0;

	switch (nic->mode) {
	case NET_NAT:
		break;
	case NET_LAB:
		return net_lab_prepare(eng, nic);
	case NET_BRIDGE:
		if (!local)
			break;
		if (!net_dev_has(nic->source, NULL)) {
			core_error(CORE_ERR_NOT_FOUND,
				   _("There is no network device \"%s\" on this host (`ip link show type bridge` lists the bridges)."),
				   nic->source);
			return false;
		}
		if (!net_dev_has(nic->source, "bridge") && !is_ovs_bridge(nic->source)) {
			core_error(CORE_ERR_USAGE, _("\"%s\" is not a bridge; bridge: needs a Linux or Open vSwitch bridge (macvtap:%s puts a VM on a plain device)."),
				   nic->source, nic->source);
			return false;
		}
		if (embedded_user) {
			core_error(CORE_ERR_USAGE,
				   _("A bridged NIC needs root with the embedded engine: QEMU's bridge helper (qemu-bridge-helper) is not set up for other users here. Run vmtui as root, use a daemon URI, or use nat."));
			return false;
		}
		break;
	case NET_MACVTAP:
		if (!local)
			break;
		if (!net_dev_has(nic->source, NULL)) {
			core_error(CORE_ERR_NOT_FOUND,
				   _("There is no network device \"%s\" on this host (`ip link` lists them)."),
				   nic->source);
			return false;
		}
		if (geteuid() != 0 && engine_is_embedded(eng)) {
			core_error(CORE_ERR_USAGE,
				   _("A macvtap NIC needs root with the embedded engine (making a macvtap device takes CAP_NET_ADMIN)."));
			return false;
		}
		if (engine_is_embedded(eng) && !engine_netlink_ready()) {
			core_error(CORE_ERR_FAILED,
				   _("This libvirt cannot run macvtap NICs safely in the embedded engine (its netlink event service could not be started); use a daemon URI."));
			return false;
		}
		break;
	case NET_NETWORK:
		if (engine_is_embedded(eng)) {
			core_error(CORE_ERR_USAGE,
				   _("network:%s needs a libvirt daemon: the embedded engine has no network driver (use nat, or lab:NAME for a network between VMs)."),
				   nic->source);
			return false;
		}
		if (!engine_is_test(eng)) {
			virNetworkPtr n = virNetworkLookupByName(engine_conn(eng), nic->source);

			if (!n) {
				core_error_virt(CORE_ERR_NOT_FOUND,
						_("There is no libvirt network \"%s\" on %s"),
						nic->source, engine_uri(eng));
				return false;
			}
			virNetworkFree(n);
		}
		break;
	default:
		core_error(CORE_ERR_USAGE, _("vmtui cannot write a network interface of this kind."));
		return false;
	}
	if (nic->bandwidth && local && !check_bandwidth())
		return false;
	if (nic->vlan && !(nic->mode == NET_BRIDGE && local && is_ovs_bridge(nic->source))) {
		core_error(CORE_ERR_FAILED,
			   nic->mode == NET_BRIDGE && !local ?
			   _("vlan= is checked on this host only: vmtui cannot tell whether the remote bridge is Open vSwitch.") :
			   _("vlan= needs an Open vSwitch bridge: libvirt refuses VLAN tags on a Linux bridge (\"vlan tag not supported for this connection type\"), and this kernel has no 802.1Q support for VLAN devices."));
		return false;
	}
	return true;
}

bool net_check(struct engine *eng, struct vm_spec *spec)
{
	if (spec->nics->len > NET_MAX_NICS) {
		core_error(CORE_ERR_USAGE, _("A VM has at most %d NICs."), NET_MAX_NICS);
		return false;
	}
	for (guint i = 0; i < spec->nics->len; i++) {
		const struct vm_nic *nic = g_ptr_array_index(spec->nics, i);

		if (!check_mode(eng, g_ptr_array_index(spec->nics, i)))
			return false;
		/* a segment NIC is named by its lab (its device alias) */
		for (guint j = 0; nic->hub_port && j < i; j++) {
			const struct vm_nic *o = g_ptr_array_index(spec->nics, j);

			if (o->hub_port && g_strcmp0(o->source, nic->source) == 0) {
				core_error(CORE_ERR_USAGE,
					   _("A VM has one NIC on lab network \"%s\", a loopback segment."),
					   nic->source);
				return false;
			}
		}
	}
	return true;
}

/* Gives @spec's NICs MACs not in @in_use or @taken (see net_prepare). */
static bool prepare_macs(struct vm_spec *spec, GHashTable *in_use, GHashTable *taken)
{
	for (guint i = 0; i < spec->nics->len; i++) {
		struct vm_nic *nic = g_ptr_array_index(spec->nics, i);

		if (nic->mac) {
			g_autofree char *m = g_ascii_strdown(nic->mac, -1);

			if (mac_taken(in_use, taken, m)) {
				core_error(CORE_ERR_STATE,
					   _("The MAC %s is in use by another NIC of this engine; leave mac= out for a new one."),
					   m);
				return false;
			}
			g_free(nic->mac);
			nic->mac = g_steal_pointer(&m);
		} else if (!(nic->mac = new_mac(in_use, taken))) {
			core_error(CORE_ERR_FAILED, _("No free MAC address was found."));
			return false;
		}
		/* the next NIC of this VM must not get the same one */
		g_hash_table_add(in_use, g_strdup(nic->mac));
		if (taken)
			g_hash_table_add(taken, g_strdup(nic->mac));
	}
	return true;
}

bool net_prepare(struct engine *eng, struct vm_spec *spec, GHashTable *taken)
{
	g_autoptr(GHashTable) in_use = NULL;

	if (!net_check(eng, spec))
		return false;
	if (!spec->nics->len)
		return true;
	in_use = net_macs_in_use(eng);
	return in_use && prepare_macs(spec, in_use, taken);
}

static gint by_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *net_choices(struct engine *eng)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) labs = net_lab_names(eng);
	bool local = engine_is_local(eng) && !engine_is_test(eng);
	bool root = geteuid() == 0;

	g_ptr_array_add(out, g_strdup_printf("nat\t%s", _("NAT: reaches out through the host; reached through port forwards")));
	for (guint i = 0; i < labs->len; i++)
		g_ptr_array_add(out, g_strdup_printf("lab:%s\t%s", (char *)labs->pdata[i],
						     _("lab network: between VMs, fixed addresses")));
	if (!engine_is_embedded(eng) && !engine_is_test(eng)) {
		virNetworkPtr *nets = NULL;
		int k = virConnectListAllNetworks(engine_conn(eng), &nets, 0);

		for (int i = 0; i < k; i++) {
			const char *name = virNetworkGetName(nets[i]);

			if (name && !g_str_has_prefix(name, NET_LAB_NETWORK_PREFIX))
				g_ptr_array_add(out, g_strdup_printf("network:%s\t%s", name,
								     _("libvirt network")));
			virNetworkFree(nets[i]);
		}
		free(nets);
		core_error_clear();
	}
	if (local && (root || !engine_is_embedded(eng))) {
		g_autoptr(GDir) d = g_dir_open("/sys/class/net", 0, NULL);
		g_autoptr(GPtrArray) bridges = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_free);
		const char *n;

		while (d && (n = g_dir_read_name(d))) {
			if (g_str_has_prefix(n, NET_LAB_BRIDGE_PREFIX) || strcmp(n, "lo") == 0)
				continue;
			if (net_dev_has(n, "bridge"))
				g_ptr_array_add(bridges, g_strdup(n));
			else if (net_dev_has(n, "device") && !net_dev_has(n, "brport"))
				g_ptr_array_add(devices, g_strdup(n)); /* a real port */
		}
		g_ptr_array_sort(bridges, by_str);
		g_ptr_array_sort(devices, by_str);
		for (guint i = 0; i < bridges->len; i++)
			g_ptr_array_add(out, g_strdup_printf("bridge:%s\t%s", (char *)bridges->pdata[i],
							     _("host bridge: on that network like another machine")));
		for (guint i = 0; i < devices->len && (root || !engine_is_embedded(eng)); i++)
			g_ptr_array_add(out, g_strdup_printf("macvtap:%s\t%s", (char *)devices->pdata[i],
							     _("macvtap: shares the device; the host cannot reach the guest")));
	}
	g_ptr_array_add(out, g_strdup_printf("none\t%s", _("no network interface")));
	return out;
}

/* ---- NICs of a VM -------------------------------------------------------- */

/* The live XML when @dom runs, else the definition; NULL with an error. */
static char *dom_xml(virDomainPtr dom, bool *running)
{
	char *xml;

	*running = virDomainIsActive(dom) == 1;
	xml = virDomainGetXMLDesc(dom, *running ? 0 : VIR_DOMAIN_XML_INACTIVE);
	if (!xml)
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read the VM's definition"));
	return xml;
}

GPtrArray *net_nic_list(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup(eng, name);
	bool running;
	char *xml;
	struct vm_spec *s;
	GPtrArray *out;

	if (!dom)
		return NULL;
	xml = dom_xml(dom, &running);
	virDomainFree(dom);
	if (!xml)
		return NULL;
	s = domxml_parse(xml);
	free(xml);
	if (!s)
		return NULL;
	out = g_ptr_array_ref(s->nics);
	vm_spec_free(s);
	return out;
}

static unsigned change_flags(virDomainPtr dom, bool running)
{
	unsigned flags = VIR_DOMAIN_AFFECT_CONFIG;

	if (running)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	if (virDomainIsPersistent(dom) != 1)
		flags &= ~(unsigned)VIR_DOMAIN_AFFECT_CONFIG;
	return flags;
}

int net_nic_add(struct engine *eng, const char *name, struct vm_nic *nic, bool *live)
{
	virDomainPtr dom = vm_lookup(eng, name);
	autoptr(vm_spec) one = vm_spec_new();
	g_autofree char *dxml = NULL, *nxml = NULL;
	g_autoptr(GPtrArray) nics = NULL;
	bool running, ok;
	int rc = -1;

	if (!dom)
		return -1;
	if (!(dxml = dom_xml(dom, &running)) || !(nics = net_nic_list(eng, name)))
		goto out;
	*live = running;
	if (nics->len >= NET_MAX_NICS) {
		core_error(CORE_ERR_USAGE, _("A VM has at most %d NICs."), NET_MAX_NICS);
		goto out;
	}
	/* prepared in place: the caller sees the MAC and the lab's network */
	g_ptr_array_add(one->nics, nic);
	ok = net_prepare(eng, one, NULL);
	g_ptr_array_steal_index(one->nics, 0);
	if (!ok || !(nxml = domxml_nic(nic)))
		goto out;
	for (guint i = 0; nic->hub_port && i < nics->len; i++) {
		const struct vm_nic *o = nics->pdata[i];

		if (o->hub_port && g_strcmp0(o->source, nic->source) == 0) {
			core_error(CORE_ERR_USAGE, _("VM \"%s\" has a NIC on lab network \"%s\" already (%s); a VM has one NIC on a loopback segment."),
				   name, nic->source, o->mac);
			goto out;
		}
	}
	/* libvirt 9.0 plugs no udp interface into a running VM ("hotplug of
	 * interface type of udp is not implemented yet"): from the next
	 * start, then */
	if (running && nic->hub_port) {
		if (virDomainIsPersistent(dom) != 1) {
			core_error(CORE_ERR_STATE,
				   _("A NIC on a loopback segment cannot be plugged into a running VM, and \"%s\" has no definition to add it to for its next start."),
				   name);
			goto out;
		}
		*live = false;
		if (virDomainAttachDeviceFlags(dom, nxml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot add the NIC to \"%s\""), name);
			goto out;
		}
		rc = 1;
		goto out;
	}
	if (virDomainAttachDeviceFlags(dom, nxml, change_flags(dom, running)) < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot add the NIC to \"%s\""), name);
		goto out;
	}
	rc = 0;
out:
	virDomainFree(dom);
	return rc;
}

/* The NIC with @mac of @dom: its XML as libvirt has it; NULL with an
 * error naming the MACs there are. */
static char *find_nic(virDomainPtr dom, const char *name, const char *mac, bool *running)
{
	g_autofree char *xml = NULL;
	char *nic;

	if (!(xml = dom_xml(dom, running)))
		return NULL;
	if (!net_mac_valid(mac)) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a MAC address (six hex pairs such as 52:54:00:12:34:56)."), mac);
		return NULL;
	}
	if (!(nic = domxml_find_nic(xml, mac)))
		core_error(CORE_ERR_NOT_FOUND,
			   _("VM \"%s\" has no NIC with the MAC %s (`vmtui nic list %s` lists them)."),
			   name, mac, name);
	return nic;
}

int net_set_nics(struct engine *eng, const char *name, GPtrArray *nics, bool *restart)
{
	virDomainPtr dom = vm_lookup(eng, name), def;
	autoptr(vm_spec) now = NULL;
	autoptr(vm_spec) want = vm_spec_new();
	g_autoptr(GHashTable) in_use = NULL;
	g_autofree char *newxml = NULL;
	char *xml = NULL;
	int rc = -1;

	if (!dom)
		return -1;
	*restart = virDomainIsActive(dom) == 1;
	if (virDomainIsPersistent(dom) != 1) {
		core_error(CORE_ERR_STATE, _("VM \"%s\" has no definition for its next start (it is transient): use nic add and nic remove."),
			   name);
		goto out;
	}
	if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE))) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read the VM's definition"));
		goto out;
	}
	if (!(now = domxml_parse(xml)))
		goto out;
	for (guint i = 0; i < now->nics->len; i++) {
		const struct vm_nic *o = now->nics->pdata[i];

		if (o->mode == NET_OTHER) {
			core_error(CORE_ERR_STATE,
				   _("VM \"%s\" has a NIC of a kind vmtui cannot write (%s, MAC %s): change its NICs with nic add and nic remove."),
				   name, o->type ? o->type : "?", o->mac ? o->mac : "?");
			goto out;
		}
	}
	for (guint i = 0; i < nics->len; i++) {
		struct vm_nic *n = vm_nic_copy(nics->pdata[i]);

		if (i < now->nics->len) {
			const struct vm_nic *o = now->nics->pdata[i];

			if (!n->mac)
				n->mac = g_strdup(o->mac);
			if (!n->model)
				n->model = g_strdup(o->model);
		}
		g_ptr_array_add(want->nics, n);
	}
	if (!net_check(eng, want) || !(in_use = net_macs_in_use(eng)))
		goto out;
	/* this VM's own MACs are free for its new list */
	for (guint i = 0; i < now->nics->len; i++) {
		const struct vm_nic *o = now->nics->pdata[i];

		g_autofree char *m = o->mac ? g_ascii_strdown(o->mac, -1) : NULL;

		if (m)
			g_hash_table_remove(in_use, m);
	}
	if (!prepare_macs(want, in_use, NULL) || !(newxml = domxml_set_nics(xml, want->nics)))
		goto out;
	if (!(def = virDomainDefineXML(engine_conn(eng), newxml))) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot change the NICs of \"%s\""), name);
		goto out;
	}
	virDomainFree(def);
	rc = 0;
out:
	free(xml);
	virDomainFree(dom);
	return rc;
}

int net_nic_remove(struct engine *eng, const char *name, const char *mac)
{
	virDomainPtr dom = vm_lookup(eng, name);
	g_autofree char *nxml = NULL;
	bool running;
	int rc = -1;

	if (!dom)
		return -1;
	if (!(nxml = find_nic(dom, name, mac, &running)))
		goto out;
	if (virDomainDetachDeviceFlags(dom, nxml, change_flags(dom, running)) < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot remove the NIC from \"%s\""), name);
		goto out;
	}
	/* a live unplug ends when the guest lets go of the device */
	for (int i = 0; running && i < 100; i++) {
		g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
		g_autofree char *still = xml ? domxml_find_nic(xml, mac) : NULL;

		if (!still)
			break;
		if (i == 99) {
			core_error(CORE_ERR_TIMEOUT,
				   _("The guest of \"%s\" has not released the NIC %s after 10 s; it goes at the next start."),
				   name, mac);
			goto out;
		}
		g_usleep(100 * 1000);
	}
	rc = 0;
out:
	virDomainFree(dom);
	return rc;
}

int net_nic_link(struct engine *eng, const char *name, const char *mac, bool up)
{
	virDomainPtr dom = vm_lookup(eng, name);
	g_autofree char *nxml = NULL, *changed = NULL;
	bool running;
	int rc = -1;

	if (!dom)
		return -1;
	/* the NIC as libvirt has it, only its link state changed */
	if (!(nxml = find_nic(dom, name, mac, &running)) ||
	    !(changed = domxml_nic_set_link(nxml, up)))
		goto out;
	if (virDomainUpdateDeviceFlags(dom, changed, change_flags(dom, running)) < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot set the link of NIC %s"), mac);
		goto out;
	}
	rc = 0;
out:
	virDomainFree(dom);
	return rc;
}

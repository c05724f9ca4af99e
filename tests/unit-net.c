/*
 * unit-net.c — the NIC modes as --net takes them, and NICs written to and
 * read back from domain XML (every mode, MTU, queues, VLAN, link state),
 * found by MAC and given a new link state; port forwards as `forward add`
 * takes them, and kept in vmtui's metadata of a domain, the rest of it
 * untouched; guest addresses as a hostile guest agent might send them.
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "core/error.h"
#include "net/net-priv.h"
#include "tests/tap.h"

static void check_parse(void)
{
	struct vm_nic *nic;
	static const char *const bad[][2] = {
		{ "", "not a network mode" },
		{ "wifi", "not a network mode" },
		{ "lab:", "not a lab network name" },
		{ "nat:x", "not a network mode" },
		{ "lab:way-too-long-name", "lab network name" },
		{ "lab:a.b", "not a lab network name: use letters, digits" },
		{ "bridge:br/0", "not a bridge name" },
		{ "bridge:br0,mtu=10", "mtu" },
		{ "bridge:br0,mtu=70000", "mtu" },
		{ "bridge:br0,queues=0", "queues" },
		{ "bridge:br0,vlan=4095", "vlan" },
		{ "bridge:br0,mac=01:00:5e:00:00:01", "not a MAC" },
		{ "bridge:br0,mac=52:54:00:zz:00:01", "not a MAC" },
		{ "bridge:br0,speed=10", "no NIC setting" },
		{ "nat,mtu=9000", "nat NIC" },
		{ "none,mtu=9000", "not a network mode" },
	};

	tap_ok(net_parse("none", "virtio", &nic) && nic == NULL, "none: no NIC");
	tap_ok(net_parse("nat", "e1000e", &nic) && nic && nic->mode == NET_NAT &&
	       !nic->source && strcmp(nic->model, "e1000e") == 0, "nat with the default model");
	vm_nic_free(nic);
	tap_ok(net_parse("lab:l1,mac=52:54:00:AB:CD:EF,model=e1000", NULL, &nic) && nic &&
	       nic->mode == NET_LAB && strcmp(nic->source, "l1") == 0 &&
	       strcmp(nic->mac, "52:54:00:ab:cd:ef") == 0 && strcmp(nic->model, "e1000") == 0,
	       "lab:NAME with a MAC (lower-cased) and a model");
	vm_nic_free(nic);
	tap_ok(net_parse("bridge:br0,mtu=9000,queues=4,vlan=10,link=down", "virtio", &nic) &&
	       nic && nic->mode == NET_BRIDGE && nic->mtu == 9000 && nic->queues == 4 &&
	       nic->vlan == 10 && nic->link_down, "bridge: with mtu, queues, vlan, link");
	vm_nic_free(nic);
	tap_ok(net_parse("lab:l2,bandwidth=125", NULL, &nic) && nic && nic->bandwidth == 125,
	       "bandwidth= in KiB/s");
	vm_nic_free(nic);
	tap_ok(!net_parse("nat,bandwidth=125", NULL, &nic) && strstr(core_error_message(), "no device on the host"),
	       "bandwidth= on nat is refused");
	tap_ok(net_parse("macvtap:eth0", NULL, &nic) && nic && nic->mode == NET_MACVTAP &&
	       !nic->model, "macvtap:DEVICE, no model unless one is given");
	vm_nic_free(nic);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		bool ok = net_parse(bad[i][0], "virtio", &nic);

		tap_ok(!ok && !nic && core_error_code() == CORE_ERR_USAGE &&
		       strstr(core_error_message(), bad[i][1]),
		       "\"%s\" is refused saying \"%s\" (%s)", bad[i][0], bad[i][1],
		       core_error_message() ? core_error_message() : "");
	}
}

static void check_xml(void)
{
	autoptr(vm_spec) s = vm_spec_new();
	autoptr(vm_spec) back = NULL;
	g_autofree char *xml = NULL, *found = NULL, *down = NULL, *up = NULL;
	static const char *const modes[] = {
		"nat", "lab:l1", "bridge:br0", "macvtap:eth0", "network:default",
	};
	struct vm_nic *nic;

	s->name = g_strdup("n");
	s->vcpus = 1;
	s->memory_mib = 64;
	s->agent = true;
	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		g_autofree char *text = g_strdup_printf("%s,mac=52:54:00:00:00:%02zx%s", modes[i], i,
							i ? ",mtu=1400,queues=2,bandwidth=640" : "");

		net_parse(text, "virtio", &nic);
		g_ptr_array_add(s->nics, nic);
	}
	nic = s->nics->pdata[2];
	nic->vlan = 7;
	nic->link_down = true;
	xml = domxml_build(s);
	tap_ok(xml && strstr(xml, "type=\"user\"") && strstr(xml, "bridge=\"vtl-l1\"") &&
	       strstr(xml, "bridge=\"br0\"") && strstr(xml, "dev=\"eth0\" mode=\"bridge\"") &&
	       strstr(xml, "network=\"default\""), "each mode is written as libvirt wants it");
	tap_ok(xml && strstr(xml, "org.qemu.guest_agent.0"), "the guest agent channel is there");
	back = xml ? domxml_parse(xml) : NULL;
	tap_ok(back && back->nics->len == G_N_ELEMENTS(modes) && back->agent,
	       "all NICs and the agent are read back");
	for (guint i = 0; back && i < back->nics->len; i++) {
		struct vm_nic *a = s->nics->pdata[i], *b = back->nics->pdata[i];
		g_autofree char *ma = net_nic_mode(a), *mb = net_nic_mode(b);

		tap_ok(strcmp(ma, mb) == 0 && g_strcmp0(a->mac, b->mac) == 0 &&
		       a->mtu == b->mtu && a->queues == b->queues && a->vlan == b->vlan &&
		       a->bandwidth == b->bandwidth &&
		       a->link_down == b->link_down && g_strcmp0(b->model, "virtio") == 0,
		       "NIC %u (%s) is read back as it was written", i + 1, ma);
	}
	found = xml ? domxml_find_nic(xml, "52:54:00:00:00:02") : NULL;
	tap_ok(found && strstr(found, "br0") && !strstr(found, "vtl-l1"), "a NIC is found by its MAC");
	tap_ok(xml && !domxml_find_nic(xml, "52:54:00:99:99:99"), "an unknown MAC finds nothing");
	up = found ? domxml_nic_set_link(found, true) : NULL;
	tap_ok(up && strstr(up, "<link state=\"up\"/>") && !strstr(up, "down") && strstr(up, "br0"),
	       "the link state is changed in place, the rest kept");
	down = domxml_nic_set_link("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>", false);
	tap_ok(down && strstr(down, "<link state=\"down\"/>"), "a link element is added where there was none");
	{
		autoptr(vm_spec) o = domxml_parse("<domain><name>o</name><devices>"
						  "<interface type='udp'><source address='127.0.0.1' port='1'/></interface>"
						  "<interface type='network'><source network='vmtui-l2'/></interface>"
						  "</devices></domain>");
		g_autofree char *m0 = o ? net_nic_mode(o->nics->pdata[0]) : NULL;
		g_autofree char *m1 = o ? net_nic_mode(o->nics->pdata[1]) : NULL;

		tap_ok(o && ((struct vm_nic *)o->nics->pdata[0])->mode == NET_OTHER &&
		       g_strcmp0(m0, "udp") == 0, "another client's NIC kind is shown by its type");
		tap_ok(o && g_strcmp0(m1, "lab:l2") == 0, "a lab's libvirt network is read as the lab");
	}
	{
		autoptr(vm_spec) seg = vm_spec_new();
		autoptr(vm_spec) sb = NULL;
		g_autofree char *sx = NULL;
		struct vm_nic *n = NULL, *r;

		seg->name = g_strdup("s");
		seg->vcpus = 1;
		seg->memory_mib = 64;
		net_parse("lab:seg-1,mac=52:54:00:00:01:01", "virtio", &n);
		n->hub_port = 41000;
		n->port = 52000;
		g_ptr_array_add(seg->nics, n);
		sx = domxml_build(seg);
		tap_ok(sx && strstr(sx, "<interface type=\"udp\">") &&
		       strstr(sx, "<source address=\"127.0.0.1\" port=\"41000\">") &&
		       strstr(sx, "<local address=\"127.0.0.1\" port=\"52000\"/>") &&
		       strstr(sx, "<alias name=\"ua-vtl-seg-1\"/>") && !strstr(sx, "bridge="),
		       "a NIC on a loopback segment is a udp interface to the hub, named by its alias");
		sb = sx ? domxml_parse(sx) : NULL;
		r = sb && sb->nics->len == 1 ? sb->nics->pdata[0] : NULL;
		tap_ok(r && r->mode == NET_LAB && g_strcmp0(r->source, "seg-1") == 0 &&
		       r->hub_port == 41000 && r->port == 52000,
		       "  ... and is read back as lab:seg-1 with its ports");
	}
	{
		const char *in = "<domain><name>b</name><devices><disk type='file'/>"
				 "<interface type='user'><mac address='52:54:00:00:00:aa'/><boot order='1'/></interface>"
				 "<interface type='user'><mac address='52:54:00:00:00:bb'/></interface>"
				 "<serial type='pty'/></devices></domain>";
		g_autoptr(GPtrArray) two = g_ptr_array_new_with_free_func((GDestroyNotify)vm_nic_free);
		g_autofree char *outxml = NULL;
		autoptr(vm_spec) o = NULL;

		net_parse("bridge:br0,mac=52:54:00:00:00:aa", NULL, &nic);
		g_ptr_array_add(two, nic);
		outxml = domxml_set_nics(in, two);
		o = outxml ? domxml_parse(outxml) : NULL;
		tap_ok(o && o->nics->len == 1 && ((struct vm_nic *)o->nics->pdata[0])->mode == NET_BRIDGE &&
		       o->boot.n == 1 && o->boot.dev[0] == BOOT_NETWORK,
		       "the NICs are replaced; the boot order of the NIC at the same place is kept");
		tap_ok(outxml && strstr(outxml, "<disk") < strstr(outxml, "<interface") &&
		       strstr(outxml, "<interface") < strstr(outxml, "<serial"),
		       "  ... where the old ones were");
	}
	tap_ok(net_mac_valid("52:54:00:12:34:56") && !net_mac_valid("52:54:00:12:34") &&
	       !net_mac_valid("52-54-00-12-34-56") && !net_mac_valid("ff:ff:ff:ff:ff:ff"),
	       "MACs: six hex pairs, unicast only");
}

static void check_forwards(void)
{
	static const char *const bad[][2] = {
		{ "", "is not a forward" },
		{ "2222", "is not a forward" },
		{ "1:2:3:4", "is not a forward" },
		{ "0:22", "host port needs a whole number from 1 to 65535" },
		{ "70000:22", "host port needs a whole number from 1 to 65535" },
		{ "2222:0", "guest port needs a whole number from 1 to 65535" },
		{ "2222:x", "guest port" },
		{ "300.1.1.1:2222:22", "not an IPv4 address" },
		{ "::1:2222:22", "is not a forward" },
		{ "localhost:2222:22", "not an IPv4 address" },
		{ "2222:22/sctp", "tcp or udp" },
	};
	struct vm_forward *f;
	g_autoptr(GPtrArray) fwds = g_ptr_array_new_with_free_func((GDestroyNotify)vm_forward_free);
	g_autofree char *text = NULL, *xml = NULL, *again = NULL;
	autoptr(vm_spec) spec = vm_spec_new();
	autoptr(vm_spec) back = NULL;
	autoptr(vm_spec) cleared = NULL;
	unsigned port;
	bool udp;

	tap_ok(net_forward_parse("2222:22", &f) && f && !f->udp && f->host_port == 2222 &&
	       f->guest_port == 22 && strcmp(f->address, "127.0.0.1") == 0,
	       "forward HOST:GUEST binds 127.0.0.1, tcp");
	text = net_forward_text(f);
	tap_is_str(text, "127.0.0.1:2222 → 22", "  ... and reads 127.0.0.1:2222 → 22");
	g_ptr_array_add(fwds, f);
	tap_ok(net_forward_parse("0.0.0.0:5353:53/udp", &f) && f && f->udp &&
	       strcmp(f->address, "0.0.0.0") == 0 && f->host_port == 5353 && f->guest_port == 53,
	       "forward ADDRESS:HOST:GUEST/udp");
	f->nic = g_strdup("52:54:00:12:34:56");
	g_ptr_array_add(fwds, f);
	tap_ok(net_forward_parse("8080:80/tcp", &f) && f && !f->udp, "/tcp is tcp");
	vm_forward_free(f);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		bool ok = net_forward_parse(bad[i][0], &f);

		tap_ok(!ok && !f && core_error_code() == CORE_ERR_USAGE &&
		       strstr(core_error_message(), bad[i][1]),
		       "forward \"%s\" is refused: %s", bad[i][0], core_error_message());
	}
	tap_ok(net_forward_parse_port("2222/udp", &port, &udp) && port == 2222 && udp,
	       "remove takes HOSTPORT/udp");
	tap_ok(!net_forward_parse_port("65536", &port, &udp), "  ... and refuses 65536");

	/* written by define, read back, replaced, and cleared */
	spec->name = g_strdup("f1");
	spec->vcpus = 1;
	spec->memory_mib = 256;
	spec->os_variant = g_strdup("debian12");
	spec->template_name = g_strdup("kit");
	vm_spec_add_nic(spec, NET_NAT, NULL, "virtio");
	g_ptr_array_add(spec->forwards, vm_forward_copy(fwds->pdata[0]));
	xml = domxml_build(spec);
	back = xml ? domxml_parse(xml) : NULL;
	tap_ok(back && back->forwards->len == 1 &&
	       ((struct vm_forward *)back->forwards->pdata[0])->host_port == 2222,
	       "a forward of the spec is in the built XML's metadata");
	again = domxml_set_forwards(xml, fwds);
	g_clear_pointer(&back, vm_spec_free);
	back = again ? domxml_parse(again) : NULL;
	tap_ok(back && back->forwards->len == 2 &&
	       ((struct vm_forward *)back->forwards->pdata[1])->udp &&
	       g_strcmp0(((struct vm_forward *)back->forwards->pdata[1])->nic,
			 "52:54:00:12:34:56") == 0,
	       "domxml_set_forwards replaces them");
	tap_ok(back && g_strcmp0(back->os_variant, "debian12") == 0 &&
	       g_strcmp0(back->template_name, "kit") == 0 && back->nics->len == 1,
	       "  ... keeping the rest of vmtui's metadata and the devices");
	g_ptr_array_set_size(fwds, 0);
	g_free(xml);
	xml = domxml_set_forwards(again, fwds);
	cleared = xml ? domxml_parse(xml) : NULL;
	tap_ok(cleared && cleared->forwards->len == 0 &&
	       g_strcmp0(cleared->os_variant, "debian12") == 0, "  ... and clears them");
	g_free(xml);
	xml = domxml_set_forwards("<domain type='qemu'><name>other</name></domain>", fwds);
	tap_ok(xml && strstr(xml, "<vmtui:vm xmlns:vmtui=\"" VMTUI_NS "\"") != NULL,
	       "a domain another client defined gets vmtui's metadata element");
	tap_ok(!domxml_set_forwards("<domain", fwds), "XML that is not well-formed is refused");
}

/* One interface as libvirt's agent source returns it (libvirt frees it). */
static virDomainInterfacePtr iface(const char *hwaddr, const int *types,
				   const char *const *addrs, const unsigned *prefixes,
				   unsigned n)
{
	virDomainInterfacePtr i = g_new0(virDomainInterface, 1);

	i->name = g_strdup("eth0");
	i->hwaddr = g_strdup(hwaddr);
	i->naddrs = n;
	i->addrs = g_new0(virDomainIPAddress, n);
	for (unsigned k = 0; k < n; k++) {
		i->addrs[k].type = types[k];
		i->addrs[k].addr = g_strdup(addrs[k]);
		i->addrs[k].prefix = prefixes[k];
	}
	return i;
}

static bool has(const GPtrArray *out, const char *mac, const char *addr, unsigned prefix,
		enum vm_addr_source src)
{
	for (guint i = 0; i < out->len; i++) {
		const struct vm_addr *a = out->pdata[i];

		if (strcmp(a->mac, mac) == 0 && strcmp(a->addr, addr) == 0 &&
		    a->prefix == prefix && a->source == src)
			return true;
	}
	return false;
}

static void check_addresses(void)
{
	autoptr(vm_spec) spec = vm_spec_new();
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_addr_free);
	enum { V4 = VIR_IP_ADDR_TYPE_IPV4, V6 = VIR_IP_ADDR_TYPE_IPV6 };
	static const char *const a0[] = {
		"10.0.2.15", "10.0.2.16\033[31m", "999.1.1.1", "127.0.0.1", "0.0.0.0",
		"169.254.1.1", "224.0.0.1", "10.9.9.9", "2001:DB8:0:0::1", "fe80::1",
		"::1", "ff02::1", "2001:db8::2", NULL, "10.1.1.1",
	};
	static const int t0[] = { V4, V4, V4, V4, V4, V4, V4, V4, V6, V6, V6, V6, V4, V4, V6 };
	static const unsigned p0[] = { 24, 24, 24, 8, 0, 16, 4, 33, 64, 64, 128, 8, 64, 24, 64 };
	static const char *const a1[] = { "10.0.3.1", "10.0.3.2", "10.0.3.3", "10.0.3.4", "10.0.3.5",
		"10.0.3.6", "10.0.3.7", "10.0.3.8", "10.0.3.9", "10.0.3.10" };
	static const int t1[] = { V4, V4, V4, V4, V4, V4, V4, V4, V4, V4 };
	static const unsigned p1[] = { 24, 24, 24, 24, 24, 24, 24, 24, 24, 24 };
	virDomainInterfacePtr *ifs = g_new0(virDomainInterfacePtr, 4);
	const struct vm_addr *best;
	g_autofree char *text = NULL, *shorter = NULL;

	vm_spec_add_nic(spec, NET_NAT, NULL, "virtio")->mac = g_strdup("52:54:00:00:00:01");
	vm_spec_add_nic(spec, NET_BRIDGE, "br0", "virtio")->mac = g_strdup("52:54:00:00:00:0a");
	vm_spec_add_nic(spec, NET_BRIDGE, "br0", "virtio")->mac = g_strdup("52:54:00:00:00:03");
	ifs[0] = iface("52:54:00:00:00:01", t0, a0, p0, G_N_ELEMENTS(a0));
	/* upper case from the guest: still that NIC; not one of the VM's */
	ifs[1] = iface("52:54:00:00:00:0A", t1, a1, p1, G_N_ELEMENTS(a1));
	ifs[2] = iface("52:54:00:00:00:99", t1, a1, p1, 1);
	ifs[3] = iface(NULL, t1, a1, p1, 1);
	net_addrs_add_ifaces(out, spec, ifs, 4, VM_ADDR_AGENT);
	tap_ok(has(out, "52:54:00:00:00:01", "10.0.2.15", 24, VM_ADDR_AGENT),
	       "agent: a plain IPv4 address is kept with its prefix");
	tap_ok(has(out, "52:54:00:00:00:01", "2001:db8::1", 64, VM_ADDR_AGENT),
	       "agent: an IPv6 address is written back in its canonical form");
	tap_ok(!has(out, "52:54:00:00:00:01", "2001:db8::2", 64, VM_ADDR_AGENT),
	       "agent: an IPv6 address said to be IPv4 is dropped");
	{
		bool bad = false;

		for (guint i = 0; i < out->len; i++) {
			const struct vm_addr *a = out->pdata[i];

			if (strchr(a->addr, '\033') || strcmp(a->addr, "127.0.0.1") == 0 ||
			    strcmp(a->addr, "0.0.0.0") == 0 || g_str_has_prefix(a->addr, "169.254.") ||
			    g_str_has_prefix(a->addr, "224.") || g_str_has_prefix(a->addr, "fe80") ||
			    strcmp(a->addr, "::1") == 0 || g_str_has_prefix(a->addr, "ff02") ||
			    strcmp(a->addr, "10.9.9.9") == 0 || strcmp(a->addr, "999.1.1.1") == 0 ||
			    strcmp(a->addr, "10.1.1.1") == 0 || strcmp(a->mac, "52:54:00:00:00:99") == 0)
				bad = true;
		}
		tap_ok(!bad, "agent: escapes, bad syntax, loopback, unspecified, link-local, multicast, a prefix out of range, a family that does not match, MACs the VM has not: all dropped");
	}
	{
		guint n2 = 0;

		for (guint i = 0; i < out->len; i++)
			n2 += strcmp(((struct vm_addr *)out->pdata[i])->mac, "52:54:00:00:00:0a") == 0;
		tap_ok(n2 == NET_ADDRS_PER_NIC, "agent: at most %d addresses per NIC are kept (%u)",
		       NET_ADDRS_PER_NIC, n2);
	}
	best = vm_addrs_best(out);
	tap_ok(best && strcmp(best->addr, "10.0.2.15") == 0, "the address worth showing is the first reachable IPv4 one");
	text = net_addr_text(out, "52:54:00:00:00:01", true);
	tap_ok(text && g_str_has_prefix(text, "10.0.2.15/24 (guest agent), 2001:db8::1/64 (guest agent)"),
	       "a NIC's addresses as text, with their source (%s)", text ? text : "none");
	g_ptr_array_set_size(out, 0);
	{
		struct vm_addr *nat = g_new0(struct vm_addr, 1);

		nat->mac = g_strdup("52:54:00:00:00:01");
		nat->addr = g_strdup("10.0.2.15");
		nat->prefix = 24;
		nat->source = VM_ADDR_NAT;
		g_ptr_array_add(out, nat);
	}
	shorter = net_addr_short(out);
	tap_ok(shorter && strcmp(shorter, "10.0.2.15 (nat)") == 0,
	       "a nat NIC's fixed address is marked in a column (%s)", shorter ? shorter : "none");
	tap_ok(strcmp(vm_addr_source_id(VM_ADDR_NAT), "nat") == 0 &&
	       strcmp(vm_addr_source_id(VM_ADDR_AGENT), "agent") == 0 &&
	       strcmp(vm_addr_source_id(VM_ADDR_LEASE), "lease") == 0 &&
	       strcmp(vm_addr_source_id(VM_ADDR_LAB), "lab") == 0, "source ids for JSON");
	tap_ok(net_addr_short(NULL) == NULL && net_addr_text(NULL, NULL, true) == NULL,
	       "no addresses: no text");
}

int main(void)
{
	check_parse();
	check_xml();
	check_forwards();
	check_addresses();
	return tap_done();
}

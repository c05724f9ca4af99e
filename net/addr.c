/*
 * addr.c — the addresses of a running guest's NICs, from the best source
 * that knows them: the guest agent, the lab's DHCP leases, a libvirt
 * daemon's DHCP leases, and for a nat NIC the fixed address QEMU's
 * user-mode network gives (10.0.2.15, unreachable from the host).  The
 * host's ARP table is never asked: on this kernel libvirt's netlink
 * dump of it fails ("wrong nlmsg len"), and on others it only knows
 * guests the host talked to.
 *
 * Everything a guest agent sends is the guest's to choose: MACs are only
 * compared with the NICs of the domain's XML, addresses are parsed with
 * inet_pton and written back with inet_ntop, prefixes are range-checked,
 * and at most NET_ADDRS_PER_NIC addresses per NIC are kept.
 *
 * Time: the agent may hang, so its calls run with a short response
 * timeout (NET_AGENT_TIMEOUT_S).  In a process that has not yet seen the
 * agent connect (every new vmtui on the embedded engine, right after it
 * reconnected to the guest), libvirt refuses agent calls with "QEMU guest
 * agent is not connected" until its agent-lifecycle event; the lookup
 * then waits for that event, at most the wait the caller allows, and asks
 * again; only when the guest has the agent's port open (the channel's
 * state in the live XML), so a guest without qemu-ga costs no wait.  A
 * UI passes no wait: the model asks again when the event comes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "core/engine.h"
#include "core/i18n.h"
#include "net/net-priv.h"

/* The address QEMU's user-mode network gives the guest (its DHCP server
 * hands out 10.0.2.15 first, to the only client there is). */
#define NAT_GUEST_ADDR "10.0.2.15"
#define NAT_GUEST_PREFIX 24

/* ---- checking what guests send ----------------------------------------- */

/* The NIC of @spec with @mac (compared without case), or NULL. */
static const struct vm_nic *nic_by_mac(const struct vm_spec *spec, const char *mac)
{
	if (!mac)
		return NULL;
	for (guint i = 0; i < spec->nics->len; i++) {
		const struct vm_nic *nic = spec->nics->pdata[i];

		if (nic->mac && g_ascii_strcasecmp(nic->mac, mac) == 0)
			return nic;
	}
	return NULL;
}

static guint addrs_of(const GPtrArray *out, const char *mac)
{
	guint n = 0;

	for (guint i = 0; i < out->len; i++)
		if (g_ascii_strcasecmp(((const struct vm_addr *)out->pdata[i])->mac, mac) == 0)
			n++;
	return n;
}

/* Whether an address is worth showing for a NIC: not loopback,
 * unspecified, link-local or multicast. */
static bool addr_useful(int family, const unsigned char *b)
{
	static const unsigned char zero[16];

	if (family == AF_INET)
		return b[0] != 127 && b[0] != 0 && !(b[0] == 169 && b[1] == 254) &&
		       b[0] < 224;
	return memcmp(b, zero, 16) != 0 &&                             /* :: */
	       !(memcmp(b, zero, 15) == 0 && b[15] == 1) &&            /* ::1 */
	       !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80) &&             /* fe80::/10 */
	       b[0] != 0xff;                                           /* multicast */
}

/* Adds @text/@prefix for @nic to @out when it is an address of @family
 * (AF_UNSPEC: either) worth keeping; whatever else it is, it is dropped. */
static void add_addr(GPtrArray *out, const struct vm_nic *nic, int family,
		     const char *text, long prefix, enum vm_addr_source source)
{
	unsigned char bin[16];
	char canon[INET6_ADDRSTRLEN];
	struct vm_addr *a;
	int fam;

	if (!text || !nic->mac || addrs_of(out, nic->mac) >= NET_ADDRS_PER_NIC ||
	    strlen(text) >= INET6_ADDRSTRLEN)
		return;
	if ((family == AF_INET || family == AF_UNSPEC) && inet_pton(AF_INET, text, bin) == 1)
		fam = AF_INET;
	else if ((family == AF_INET6 || family == AF_UNSPEC) && inet_pton(AF_INET6, text, bin) == 1)
		fam = AF_INET6;
	else
		return;
	if (prefix < 0 || prefix > (fam == AF_INET ? 32 : 128) || !addr_useful(fam, bin) ||
	    !inet_ntop(fam, bin, canon, sizeof canon))
		return;
	a = g_new0(struct vm_addr, 1);
	a->mac = g_ascii_strdown(nic->mac, -1);
	a->addr = g_strdup(canon);
	a->prefix = (unsigned)prefix;
	a->ipv6 = fam == AF_INET6;
	a->source = source;
	g_ptr_array_add(out, a);
}

void net_addrs_add_ifaces(GPtrArray *out, const struct vm_spec *spec,
			  virDomainInterfacePtr *ifaces, int n,
			  enum vm_addr_source source)
{
	g_autoptr(GHashTable) had = g_hash_table_new(g_str_hash, g_str_equal);

	/* a NIC another source already knows keeps those addresses */
	for (guint i = 0; i < out->len; i++)
		g_hash_table_add(had, ((struct vm_addr *)out->pdata[i])->mac);
	for (int i = 0; i < n; i++) {
		const struct vm_nic *nic = i < NET_AGENT_IFACES_MAX ?
			nic_by_mac(spec, ifaces[i]->hwaddr) : NULL;
		g_autofree char *mac = nic ? g_ascii_strdown(nic->mac, -1) : NULL;

		for (unsigned j = 0; nic && !g_hash_table_contains(had, mac) &&
				     j < ifaces[i]->naddrs; j++) {
			const virDomainIPAddress *ip = &ifaces[i]->addrs[j];

			add_addr(out, nic, ip->type == VIR_IP_ADDR_TYPE_IPV6 ? AF_INET6 : AF_INET,
				 ip->addr, ip->prefix, source);
		}
		virDomainInterfaceFree(ifaces[i]);
	}
	free(ifaces);
}

/* ---- the guest agent ----------------------------------------------------- */

/* Sets the agent response timeout of the VM @uuid once per process: it
 * stays with the domain in the driver (libvirt saves it in the domain's
 * status), so asking again at each lookup would only rewrite that file. */
static void agent_timeout_once(virDomainPtr dom, const char *uuid)
{
	static GMutex lock;
	static GHashTable *done;
	bool first;

	g_mutex_lock(&lock);
	if (!done)
		done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	first = !g_hash_table_contains(done, uuid);
	if (first)
		g_hash_table_add(done, g_strdup(uuid));
	g_mutex_unlock(&lock);
	if (first && virDomainAgentSetResponseTimeout(dom, NET_AGENT_TIMEOUT_S, 0) < 0)
		virResetLastError(); /* older libvirt: its default timeout */
}

/* The agent's view of the guest's interfaces: their count, or -1.  Waits
 * up to @wait_ms for an agent that has not connected in this process. */
static int agent_ifaces(struct engine *eng, virDomainPtr dom, int wait_ms,
			virDomainInterfacePtr **ifaces)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	gint64 end = g_get_monotonic_time() + (gint64)MAX(wait_ms, 0) * 1000;

	if (virDomainGetUUIDString(dom, uuid) < 0) {
		virResetLastError();
		return -1;
	}
	agent_timeout_once(dom, uuid);
	for (;;) {
		gint64 t0 = g_get_monotonic_time();
		int n = virDomainInterfaceAddresses(dom, ifaces,
						    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
		virErrorPtr err;
		bool connecting;
		gint64 left;

		if (n >= 0)
			return n;
		/* "not connected" (no event yet in this process) fails at
		 * once, unlike an agent that is connected but does not answer,
		 * which took the response timeout: only the first is worth
		 * waiting for (libvirt's message may be translated, the time
		 * is not) */
		err = virGetLastError();
		connecting = err && err->code == VIR_ERR_AGENT_UNRESPONSIVE &&
			     engine_agent_state(eng, uuid) != ENGINE_AGENT_CONNECTED &&
			     g_get_monotonic_time() - t0 < G_USEC_PER_SEC;
		virResetLastError();
		left = (end - g_get_monotonic_time()) / 1000;
		if (!connecting || left <= 0)
			return -1;
		/* the event, or a new try every 500 ms: it may have come before
		 * this process registered for it */
		engine_agent_wait(eng, uuid, (int)MIN(left, 500));
	}
}

/* ---- the lab's leases ----------------------------------------------------
 * The address the lab's DHCP server gave the NIC (lab.c: the lease file
 * of the dnsmasq it runs, or the daemon's leases), "A" or "A/P". */
static char *lab_address(struct engine *eng, const struct vm_nic *nic)
{
	char *a = nic->source && nic->mac ? net_lab_address(eng, nic->source, nic->mac) : NULL;

	core_error_clear();
	return a;
}

static void add_lab(GPtrArray *out, struct engine *eng, const struct vm_nic *nic)
{
	g_autofree char *text = lab_address(eng, nic);
	char *slash = text ? strchr(text, '/') : NULL;
	long prefix = 24;

	if (!text)
		return;
	if (slash) {
		char *end;

		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end)
			return;
	}
	add_addr(out, nic, AF_UNSPEC, text, prefix, VM_ADDR_LAB);
}

/* ---- the lookup ---------------------------------------------------------- */

GPtrArray *net_addresses(struct engine *eng, virDomainPtr dom, int wait_ms)
{
	g_autofree char *xml = NULL;
	autoptr(vm_spec) spec = NULL;
	GPtrArray *out;
	bool missing = false;

	if (virDomainIsActive(dom) != 1 || !(xml = virDomainGetXMLDesc(dom, 0)) ||
	    !(spec = domxml_parse(xml))) {
		virResetLastError();
		core_error_clear();
		return NULL;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)vm_addr_free);
	/* a VM without the agent channel would only make the call fail */
	if (spec->agent && !engine_is_test(eng)) {
		virDomainInterfacePtr *ifaces = NULL;
		/* wait only for an agent the guest runs: with the port closed
		 * (no qemu-ga installed, or still booting) one quick try */
		int n = agent_ifaces(eng, dom, spec->agent_connected ? wait_ms : 0, &ifaces);

		if (n >= 0)
			net_addrs_add_ifaces(out, spec, ifaces, n, VM_ADDR_AGENT);
	}
	for (guint i = 0; i < spec->nics->len; i++) {
		const struct vm_nic *nic = spec->nics->pdata[i];

		if (!nic->mac || addrs_of(out, nic->mac))
			continue;
		if (nic->mode == NET_LAB)
			add_lab(out, eng, nic);
		if (nic->mode != NET_NAT && !addrs_of(out, nic->mac))
			missing = true;
	}
	/* a daemon's dnsmasq knows its networks' guests (libvirt's test
	 * driver makes some up); the embedded engine has no network driver,
	 * and asking it costs a failed connect to virtnetworkd's socket */
	if (missing && !engine_is_embedded(eng)) {
		virDomainInterfacePtr *ifaces = NULL;
		int n = virDomainInterfaceAddresses(dom, &ifaces,
						    VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);

		if (n >= 0)
			net_addrs_add_ifaces(out, spec, ifaces, n, VM_ADDR_LEASE);
		virResetLastError();
	}
	/* only when nothing better is known: the host cannot reach it */
	for (guint i = 0; i < spec->nics->len; i++) {
		const struct vm_nic *nic = spec->nics->pdata[i];

		if (nic->mode == NET_NAT && nic->mac && !addrs_of(out, nic->mac))
			add_addr(out, nic, AF_INET, NAT_GUEST_ADDR, NAT_GUEST_PREFIX, VM_ADDR_NAT);
	}
	core_error_clear();
	if (!out->len)
		g_clear_pointer(&out, g_ptr_array_unref);
	return out;
}

char *net_addr_text(const GPtrArray *addrs, const char *mac, bool with_source)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; addrs && i < addrs->len; i++) {
		const struct vm_addr *a = addrs->pdata[i];

		if (mac && g_ascii_strcasecmp(a->mac, mac) != 0)
			continue;
		/* TRANSLATORS: separates the addresses of one NIC */
		g_string_append(s, s->len ? _(", ") : "");
		g_string_append_printf(s, "%s/%u", a->addr, a->prefix);
		if (with_source)
			g_string_append_printf(s, " (%s)", vm_addr_source_label(a->source));
	}
	if (!s->len) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

char *net_addr_short(const GPtrArray *addrs)
{
	const struct vm_addr *a = vm_addrs_best(addrs);

	if (!a)
		return NULL;
	/* TRANSLATORS: a guest address the host cannot reach (QEMU's
	 * user-mode network); keep it short, it is a list column */
	return a->source == VM_ADDR_NAT ? g_strdup_printf(_("%s (nat)"), a->addr) :
	       g_strdup(a->addr);
}

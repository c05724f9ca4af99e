/*
 * net.h — how VMs reach networks: the modes a NIC can have (nat, lab,
 * bridge, macvtap, a daemon's network), their checks against the engine,
 * MACs unique per engine, and the NIC operations of a defined or running
 * VM (hot-plug, link state).  Everything here may block on libvirt: run
 * it as a job.
 */
#pragma once

#include "core/vm.h"

struct engine;

/* Bounds of the tuning a NIC takes. */
#define NET_MTU_MIN 68
#define NET_MTU_MAX 65535
#define NET_QUEUES_MAX 16
#define NET_VLAN_MAX 4094
/* KiB/s: 10 Gbit/s */
#define NET_BANDWIDTH_MAX 1250000
/* A VM has at most this many NICs (PCI slots are not the limit: sense is) */
#define NET_MAX_NICS 16

/* Parses what a user gives --net: "nat", "lab:NAME", "bridge:BRIDGE",
 * "macvtap:DEVICE", "network:NAME" (a daemon's libvirt network) or
 * "none", each optionally followed by ",mtu=N", ",queues=N", ",vlan=N",
 * ",mac=MAC", ",model=MODEL" or ",link=down".  *@out is the new NIC
 * (NULL for "none"); @model is the default model (NULL: none given, which
 * domain XML writes as virtio).  false with a usage
 * error saying what is wrong. */
bool net_parse(const char *text, const char *model, struct vm_nic **out);
/* The mode as --net writes it ("nat", "lab:l1", "bridge:br0"); caller
 * frees. */
char *net_nic_mode(const struct vm_nic *nic);
/* Parses each of @modes (char *, as --net takes them) into @nics (struct
 * vm_nic), with @model as the default model: "none" only alone, at most
 * NET_MAX_NICS.  false with a usage error. */
bool net_parse_list(const GPtrArray *modes, const char *model, GPtrArray *nics);
/* The mode and the settings that differ from the defaults, as --net
 * takes them back ("bridge:br0,mtu=9000,link=down"; no MAC or model);
 * caller frees. */
char *net_nic_text(const struct vm_nic *nic);
/* Whether @mac is a unicast MAC written as six hex pairs with ':'. */
bool net_mac_valid(const char *mac);

/* Checks each of @spec's NICs on @eng (the bridge exists, root where the
 * mode needs it, VLAN support, the lab exists; a lab NIC on a daemon URI
 * is pointed at the lab's libvirt network).  false with an error. */
bool net_check(struct engine *eng, struct vm_spec *spec);
/* Makes @spec's NICs ready for @eng before a define or hot-plug: gives
 * each NIC without a MAC a new one (52:54:00:…, unique among every VM of
 * the engine, whoever defined it, and @taken: MACs planned but not yet
 * defined, lower case, may be NULL; new ones are added to it), refuses a
 * MAC in use, and checks each mode on this engine (the bridge exists,
 * root where the mode needs it, VLAN support, the lab exists).  false
 * with an error saying why; nothing is changed on the host. */
bool net_prepare(struct engine *eng, struct vm_spec *spec, GHashTable *taken);
/* Every MAC the engine's VMs use, lower case (caller unrefs); NULL with
 * an error when they cannot be listed. */
GHashTable *net_macs_in_use(struct engine *eng);

/* What a NIC of a VM on @eng can be on, for a form's list: "MODE\tWHAT"
 * strings (nat, the labs, this host's bridges, libvirt's networks on a
 * daemon URI, macvtap devices where that works, none); caller unrefs.
 * Blocks on libvirt (networks) and reads /sys: run it as a job. */
GPtrArray *net_choices(struct engine *eng);

/* lab.c: checks that lab network @nic->source can take a NIC on @eng
 * and, on a daemon URI, points @nic at the lab's libvirt network. */
/* ---- lab networks (lab.c) ------------------------------------------------
 *
 * A lab network is a segment between VMs with addresses vmtui hands out.
 * On the embedded engine (root only): the bridge vtl-NAME with no
 * physical port, its gateway .1, a dnsmasq vmtui starts and supervises
 * (DHCP only; each VM's recorded address pinned to its MAC), and the
 * nftables table vmtui-NAME (forwarding dropped, or masquerade out of
 * the uplink with --nat); its record and state in DATA/networks/NAME/.
 * A lab starts when it is created, and again whenever a VM is put on it
 * or started on it while part of it is down (a dnsmasq that died, a
 * bridge gone after a reboot).  On a daemon URI: the libvirt network
 * vmtui-NAME. */

/* `vmtui NET_HUB_COMMAND ...`: the hub of a segment lab (net/hub.c);
 * main() runs net_hub_main for it. */
#define NET_HUB_COMMAND "__net-hub"
int net_hub_main(int argc, char **argv);

/* Subnets a lab may have. */
#define NET_LAB_PREFIX_MIN 16
#define NET_LAB_PREFIX_MAX 29

struct net_lab {
	char *name;
	guint32 net;       /* host byte order */
	unsigned prefix;
	guint32 gateway;   /* .1: the host's address on the lab */
	guint32 dyn_start, dyn_end; /* dnsmasq's pool for unknown MACs; the
				     * addresses from .2 up to it are the
				     * ones vmtui pins to VMs */
	bool nat;
	char *uplink;      /* --nat's outgoing device; NULL: any */
	bool complete;     /* false: a create that did not finish */
	bool daemon;       /* a libvirt network of a daemon URI */
	bool segment;      /* a loopback segment (no root): no bridge, no
			    * host address, no rules; the hub (net/hub.c)
			    * on 127.0.0.1:@hub_port switches and hands out
			    * the addresses */
	unsigned hub_port;
	/* state as found (on a segment, bridge_up and rules are true and
	 * the DHCP server is the hub): */
	bool bridge_up, dnsmasq_running, rules;
	long dnsmasq_pid;
};
void net_lab_free(struct net_lab *lab);
DEFINE_AUTOPTR(net_lab, net_lab_free)

struct net_lease {
	char *mac;         /* lower case */
	char *address;
	char *hostname;    /* printable, may be NULL */
	gint64 expiry;     /* seconds since the epoch; 0: never */
};
void net_lease_free(struct net_lease *l);

/* Whether @name can name a lab: 1 to 11 letters, digits, '-' or '_'
 * (the bridge vtl-NAME is an interface name).  false with an error. */
bool net_lab_name_valid(const char *name);
/* Makes lab @name on @eng and starts it: a loopback segment with
 * @segment, and always on the embedded engine without root (@nat is
 * refused there); @subnet "A.B.C.D/P" (NULL: the
 * first free 10.77.N.0/24), isolated or with @nat (masquerade out of
 * @uplink, NULL: any device).  A subnet that overlaps a route of this
 * host or another lab is refused, naming it.  On failure nothing is left
 * (no bridge, dnsmasq, rules or record).  0, or -1 with an error. */
int net_lab_create(struct engine *eng, const char *name, const char *subnet, bool nat,
		   const char *uplink, bool segment);
/* Brings every part of lab @name up that is down (repairs a lab whose
 * dnsmasq died).  0, or -1 with an error. */
int net_lab_start(struct engine *eng, const char *name);
/* Takes lab @name down (dnsmasq, rules, bridge; the daemon's network
 * destroyed); refused while a running VM uses it.  The host's
 * ip_forward, once a --nat lab turned it on, stays on. */
int net_lab_stop(struct engine *eng, const char *name);
/* Stops and removes lab @name and its files; refused, naming them,
 * while any VM of @eng has a NIC on it. */
int net_lab_delete(struct engine *eng, const char *name);
/* Lab @name as recorded and as found running (caller frees); NULL with
 * an error (CORE_ERR_NOT_FOUND when there is none). */
struct net_lab *net_lab_get(struct engine *eng, const char *name);
/* The names of @eng's labs, sorted, without looking at their state (no
 * helper runs): for lists to choose from.  Caller unrefs. */
GPtrArray *net_lab_names(struct engine *eng);
/* Every lab of @eng (struct net_lab, caller unrefs); NULL with an error. */
GPtrArray *net_lab_list(struct engine *eng);
/* Names of the VMs of @eng with a NIC on lab @name (only the running
 * ones with @running_only); caller unrefs; NULL with an error. */
GPtrArray *net_lab_users(struct engine *eng, const char *name, bool running_only);
/* Registers the VMs on lab @name with its DHCP server: each VM's
 * recorded address (metadata vmtui:lab/@address) pinned to the MAC of
 * its NIC on the lab (the hosts file rewritten and dnsmasq told with
 * SIGHUP; on a daemon URI virNetworkUpdate).  0, or -1 with an error. */
int net_lab_sync(struct engine *eng, const char *name);
/* Starts lab @name when part of it is down, then net_lab_sync. */
int net_lab_ensure(struct engine *eng, const char *name);
/* net_lab_ensure for each lab VM @dom has a NIC on (the hook core runs
 * before every start). */
int net_lab_ensure_dom(struct engine *eng, virDomainPtr dom);
/* The next address of lab @name's static part (from .2, below the DHCP
 * pool) not in @in_use, which it is added to (caller frees); NULL with
 * an error when the lab does not exist or is full. */
char *net_lab_plan_address(struct engine *eng, const char *name, GHashTable *in_use);
/* The DHCP leases of lab @name, from dnsmasq's lease file (checked:
 * a regular file of at most 4 MiB) or the daemon: struct net_lease,
 * caller unrefs; empty when there is none yet; NULL with an error. */
GPtrArray *net_lab_leases(struct engine *eng, const char *name);
/* The address lab @lab's DHCP server leased to @mac, as "A/P" where the
 * lab's record gives the prefix, else "A" (caller frees), or
 * NULL when it has none (no error recorded then unless the leases could
 * not be read).  For address discovery of VMs on a lab. */
char *net_lab_address(struct engine *eng, const char *lab, const char *mac);
/* Checks that lab network @nic->source can take a NIC on @eng, starting
 * it when it is down; on a daemon URI points @nic at the lab's libvirt
 * network.  false with an error. */
bool net_lab_prepare(struct engine *eng, struct vm_nic *nic);

/* ---- NICs of a VM (nic list|add|remove|link) ----------------------------- */

/* The NICs of VM @name as running (when it runs) or defined: struct
 * vm_nic (caller unrefs); NULL with an error. */
GPtrArray *net_nic_list(struct engine *eng, const char *name);
/* Adds @nic to VM @name: live and in its definition when it runs (*@live
 * set), in the definition otherwise.  @nic is prepared (MAC, checks)
 * first; its MAC is set on return.  0; 1 when the VM runs and @nic is on
 * a loopback segment, which libvirt cannot plug in live: it is in the
 * definition, from the next start; -1 with an error. */
int net_nic_add(struct engine *eng, const char *name, struct vm_nic *nic, bool *live);
/* Makes @nics (struct vm_nic) the NICs of VM @name from its next start:
 * a NIC without a MAC takes the MAC of the VM's NIC at the same place,
 * or a new one; each is checked as for create.  *@restart says whether
 * the VM runs (the change then waits for its next start).  Refused when
 * the VM has a NIC of a kind vmtui cannot write. */
int net_set_nics(struct engine *eng, const char *name, GPtrArray *nics, bool *restart);
/* Removes the NIC with @mac (live and from the definition). */
int net_nic_remove(struct engine *eng, const char *name, const char *mac);
/* Sets the link of the NIC with @mac up or down, live and persistently. */
int net_nic_link(struct engine *eng, const char *name, const char *mac, bool up);

/* ---- port forwards (forward.c) ------------------------------------------- */

/* A nat NIC's forwards: QEMU's user-mode network listens on a host port
 * and connects to a port of the guest.  libvirt has no XML for them, so
 * they are kept in vmtui's metadata of the VM and set up through QEMU's
 * monitor (hostfwd_add) when the VM runs: at once when added, and after
 * every start (engine_set_start_hook), since QEMU forgets them at exit. */

/* The host ports `provision --forward` hands out: the first GUESTPORT
 * given gets NET_FWD_PROVISION_BASE and up (one per VM, skipping ports in
 * use), the second NET_FWD_PROVISION_BASE + NET_FWD_PROVISION_STEP and
 * up, and so on. */
#define NET_FWD_PROVISION_BASE 2201
#define NET_FWD_PROVISION_STEP 1000

/* Parses "[ADDR:]HOSTPORT:GUESTPORT[/udp]" (also "/tcp") into a new
 * forward bound to ADDR (default 127.0.0.1).  false with a usage error. */
bool net_forward_parse(const char *text, struct vm_forward **out);
/* Parses "HOSTPORT[/udp]".  false with a usage error. */
bool net_forward_parse_port(const char *text, unsigned *port, bool *udp);
/* "127.0.0.1:2222 → 22" with "/udp" for udp; caller frees. */
char *net_forward_text(const struct vm_forward *f);

/* The forwards of VM @name (struct vm_forward, caller unrefs), each with
 * ->live set when the VM runs; NULL with an error. */
GPtrArray *net_forward_list(struct engine *eng, const char *name);
/* Adds @f to VM @name: checked (a nat NIC, the port free on this engine
 * and this host, the address one of this host's), set up live when the VM
 * runs, and stored.  @f->nic is set to the NIC's MAC; *@live tells whether
 * it was set up in a running QEMU.  Nothing changes on failure. */
int net_forward_add(struct engine *eng, const char *name, struct vm_forward *f,
		    bool *live);
/* Removes VM @name's forward of host port @port (live too). */
int net_forward_remove(struct engine *eng, const char *name, unsigned port,
		       bool udp, bool *live);
/* Sets up those of @dom's forwards its QEMU does not have (the start
 * hook; idempotent).  0, or -1 with an error naming the ones that
 * failed. */
int net_forward_apply(struct engine *eng, virDomainPtr dom);
/* Gives core what net/ does for it: net_lab_ensure_dom before every
 * start, net_forward_apply after it, net_addresses for the VM list.  The
 * program calls it once, before it opens an engine. */
void net_install(void);

/* The host ports the forwards of @eng's VMs use, as "tcp:PORT" or
 * "udp:PORT" keys (caller unrefs); NULL with an error. */
GHashTable *net_forward_ports(struct engine *eng);
/* The first port from @from up that is neither in @used nor bound on
 * this host (at @address); it is added to @used.  0 when none is left. */
unsigned net_forward_pick_port(GHashTable *used, const char *address,
			       unsigned from, bool udp);
/* ---- guest addresses (addr.c) -------------------------------------------- */

/* The agent answers an address lookup within this, or the call fails. */
#define NET_AGENT_TIMEOUT_S 3
/* At most this many addresses of one NIC are kept, and interfaces of one
 * agent reply read: the guest chooses how many it sends. */
#define NET_ADDRS_PER_NIC 8
#define NET_AGENT_IFACES_MAX 64

/* The addresses of running VM @dom's NICs, each from the first source
 * that knows it: the guest agent (when the VM has its channel), the lab's
 * DHCP leases (lab NICs), a daemon's DHCP leases (daemon URIs only), and
 * for a nat NIC QEMU's fixed 10.0.2.15 (source VM_ADDR_NAT: not reachable
 * from the host).  Waits at most @wait_ms for an agent that has not
 * connected in this process yet; each agent call is bounded by
 * NET_AGENT_TIMEOUT_S.  struct vm_addr in the order of the NICs' answers
 * (caller unrefs), or NULL when none is known; never an error: a source
 * that fails is skipped.  Fits model_address_fn. */
GPtrArray *net_addresses(struct engine *eng, virDomainPtr dom, int wait_ms);
/* The addresses of @addrs of the NIC with @mac (NULL: every NIC) as
 * "A/P, A/P", each followed by " (source)" with @with_source; NULL when
 * there is none.  Caller frees. */
char *net_addr_text(const GPtrArray *addrs, const char *mac, bool with_source);
/* The address of @addrs worth a column (vm_addrs_best), "10.0.2.15
 * (nat)" when it is only a nat NIC's; NULL when there is none.  Caller
 * frees. */
char *net_addr_short(const GPtrArray *addrs);

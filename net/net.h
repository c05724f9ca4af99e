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

/* lab.c: the names of the lab networks of @eng, sorted (caller unrefs). */
GPtrArray *net_lab_names(struct engine *eng);
/* lab.c: checks that lab network @nic->source can take a NIC on @eng
 * and, on a daemon URI, points @nic at the lab's libvirt network. */
bool net_lab_prepare(struct engine *eng, struct vm_nic *nic);

/* ---- NICs of a VM (nic list|add|remove|link) ----------------------------- */

/* The NICs of VM @name as running (when it runs) or defined: struct
 * vm_nic (caller unrefs); NULL with an error. */
GPtrArray *net_nic_list(struct engine *eng, const char *name);
/* Adds @nic to VM @name: live and in its definition when it runs (*@live
 * set), in the definition otherwise.  @nic is prepared (MAC, checks)
 * first; its MAC is set on return. */
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

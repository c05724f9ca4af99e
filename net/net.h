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
/* Makes net_forward_apply this process's start hook. */
void net_forward_install(void);

/* The host ports the forwards of @eng's VMs use, as "tcp:PORT" or
 * "udp:PORT" keys (caller unrefs); NULL with an error. */
GHashTable *net_forward_ports(struct engine *eng);
/* The first port from @from up that is neither in @used nor bound on
 * this host (at @address); it is added to @used.  0 when none is left. */
unsigned net_forward_pick_port(GHashTable *used, const char *address,
			       unsigned from, bool udp);

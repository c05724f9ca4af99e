/*
 * net-priv.h — internals of net/ that the unit tests call.
 */
#pragma once

#include "core/run.h"
#include "net/net.h"

/* nic.c: whether /sys/class/net/@dev (and its @leaf, e.g. "bridge") is
 * there, in this process's network namespace. */
bool net_dev_has(const char *dev, const char *leaf);
/* Whether @prog is found in PATH. */
bool net_has_program(const char *prog);
/* The limits of those helpers (20 s, 1 MiB of output). */
extern const struct run_opts net_helper_opts;
/* Runs the helper @argv (ip, nft, dnsmasq, ovs-vsctl) through core_run,
 * under its limits (20 s, 1 MiB of output); false with an error naming
 * @what, or none when @quiet. */
bool net_run(const char *const *argv, const char *what, bool quiet);

/* addr.c: adds the addresses of @n interfaces @ifaces (as libvirt returns
 * them; freed here, @ifaces too) to @out (struct vm_addr) as coming from
 * @source: only for NICs of @spec matched by MAC that have no address in
 * @out yet, only valid unicast addresses that are not loopback or
 * link-local, with their prefix in range, at most NET_ADDRS_PER_NIC per
 * NIC. */
void net_addrs_add_ifaces(GPtrArray *out, const struct vm_spec *spec,
			  virDomainInterfacePtr *ifaces, int n,
			  enum vm_addr_source source);

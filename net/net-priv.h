/*
 * net-priv.h — internals of net/ that the unit tests call.
 */
#pragma once

#include "net/net.h"

/* addr.c: adds the addresses of @n interfaces @ifaces (as libvirt returns
 * them; freed here, @ifaces too) to @out (struct vm_addr) as coming from
 * @source: only for NICs of @spec matched by MAC that have no address in
 * @out yet, only valid unicast addresses that are not loopback or
 * link-local, with their prefix in range, at most NET_ADDRS_PER_NIC per
 * NIC. */
void net_addrs_add_ifaces(GPtrArray *out, const struct vm_spec *spec,
			  virDomainInterfacePtr *ifaces, int n,
			  enum vm_addr_source source);

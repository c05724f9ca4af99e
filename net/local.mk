# net/ — NIC modes and their checks, MACs, NIC hot-plug and link state,
# lab networks, port forwards and guest addresses.  No curses.
noinst_LIBRARIES += net/libnet.a
net_libnet_a_SOURCES = net/net.h net/net-priv.h net/nic.c net/lab.c net/hub.c net/forward.c net/addr.c
net_libnet_a_CPPFLAGS = $(AM_CPPFLAGS)

# forwards go through QEMU's monitor: libvirt-qemu
NET_LIBS = net/libnet.a $(LIBVIRT_QEMU_LIBS)

# vdi/ — desktop pools: definitions, desktops' state in their domains'
# metadata, the reconcile loop, and the broker (vmtui serve).  No curses.
noinst_LIBRARIES += vdi/libvdi.a
vdi_libvdi_a_SOURCES = vdi/vdi.h vdi/vdi-priv.h vdi/pool.c vdi/desktop.c vdi/reconcile.c \
	vdi/ticket.c vdi/broker.c vdi/portal.c vdi/rfb.c
vdi_libvdi_a_CPPFLAGS = $(AM_CPPFLAGS) $(SOUP_CFLAGS) $(JSON_CFLAGS)

VDI_LIBS = vdi/libvdi.a $(SOUP_LIBS) $(PAM_LIBS)

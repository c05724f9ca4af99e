# bench/ — benchmarks, run by hand with `make bench`, never by `make
# check`: they print timings and ratios against a peer, and assert none.
EXTRA_DIST += bench/list-1000.sh bench/tui-1000.sh bench/node-xml.sh \
	bench/serial-latency.sh bench/vnc.sh bench/provision.sh bench/net.sh bench/net-lab.sh bench/net-segment.sh bench/snapshot.sh bench/snapshot-uefi.sh bench/vdi.sh bench/text.sh bench/migrate.sh bench/README.md \
	bench/lib.sh bench/stats.py

# the graphical console's renderer on real guest screens, for
# bench/vnc.sh; built by `make bench` only
EXTRA_PROGRAMS = bench/vnc-render
bench_vnc_render_SOURCES = bench/vnc-render.c
bench_vnc_render_CPPFLAGS = $(AM_CPPFLAGS) \
	$(CHAFA_CFLAGS) $(ZLIB_CFLAGS)
bench_vnc_render_LDADD = $(CONSOLE_LIBS) $(CORE_LIBS)
CLEANFILES += bench/vnc-render$(EXEEXT)

bench: vmtui$(EXEEXT) bench/vnc-render$(EXEEXT)
	$(SHELL) $(srcdir)/bench/list-1000.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/tui-1000.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/serial-latency.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	VNC_RENDER=$(abs_top_builddir)/bench/vnc-render$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/vnc.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	VNC_RENDER=$(abs_top_builddir)/bench/vnc-render$(EXEEXT) \
	$(SHELL) $(srcdir)/bench/text.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/provision.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/net.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/net-lab.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/net-segment.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/snapshot.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/snapshot-uefi.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/vdi.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/migrate.sh $(abs_top_builddir)/vmtui$(EXEEXT)

.PHONY: bench

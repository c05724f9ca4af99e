# bench/ — benchmarks, run by hand with `make bench`, never by `make
# check`: they print timings and ratios against a peer, and assert none.
EXTRA_DIST += bench/list-1000.sh bench/tui-1000.sh bench/node-xml.sh \
	bench/serial-latency.sh bench/README.md

bench: vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/list-1000.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/tui-1000.sh $(abs_top_builddir)/vmtui$(EXEEXT)
	$(SHELL) $(srcdir)/bench/serial-latency.sh $(abs_top_builddir)/vmtui$(EXEEXT)

.PHONY: bench

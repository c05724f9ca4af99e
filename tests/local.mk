# tests/ — TAP programs and scripts, all run by `make check`, including
# the ones that boot real guests (TCG) and drive vmtui end to end.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	srcdir='$(srcdir)/tests'; export srcdir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	VMTUI='$(abs_top_builddir)/vmtui'; export VMTUI; \
	QEMU_IMG='$(QEMU_IMG)'; export QEMU_IMG;

TEST_CORE_LIBS = $(CORE_LIBS)

unit_tests = tests/unit-names tests/unit-config tests/unit-jobs \
	tests/unit-domxml tests/xml-property tests/unit-console tests/unit-images \
	tests/unit-templates tests/unit-journal tests/unit-actions tests/unit-cmd \
	tests/unit-net tests/unit-run tests/unit-vdi tests/unit-text
check_PROGRAMS += $(unit_tests)
tests_unit_actions_SOURCES = tests/unit-actions.c tests/tap.h
tests_unit_actions_CPPFLAGS = $(TUI_CPPFLAGS)
tests_unit_actions_LDADD = $(TUI_LIBS)
tests_unit_net_SOURCES = tests/unit-net.c tests/tap.h
tests_unit_net_LDADD = $(NET_LIBS) $(TEST_CORE_LIBS)
tests_unit_vdi_SOURCES = tests/unit-vdi.c tests/tap.h
tests_unit_vdi_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_vdi_LDADD = $(VDI_LIBS) $(STORAGE_LIBS) $(TEMPLATES_LIBS) $(TEST_CORE_LIBS)
tests_unit_names_SOURCES = tests/unit-names.c tests/tap.h
tests_unit_names_LDADD = $(TEST_CORE_LIBS)
tests_unit_config_SOURCES = tests/unit-config.c tests/tap.h
tests_unit_config_LDADD = $(TEST_CORE_LIBS)
tests_unit_run_SOURCES = tests/unit-run.c tests/tap.h
tests_unit_run_LDADD = $(TEST_CORE_LIBS)
tests_unit_jobs_SOURCES = tests/unit-jobs.c tests/tap.h
tests_unit_jobs_LDADD = $(TEST_CORE_LIBS)
tests_unit_journal_SOURCES = tests/unit-journal.c tests/tap.h
tests_unit_journal_LDADD = $(TEST_CORE_LIBS)
tests_unit_domxml_SOURCES = tests/unit-domxml.c tests/tap.h
tests_unit_domxml_LDADD = $(TEST_CORE_LIBS)
tests_unit_text_SOURCES = tests/unit-text.c tests/tap.h
tests_unit_text_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_text_LDADD = $(CONSOLE_LIBS) $(TEST_CORE_LIBS)
tests_unit_console_SOURCES = tests/unit-console.c tests/tap.h
tests_unit_console_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_console_LDADD = $(CONSOLE_LIBS) $(TEST_CORE_LIBS)
tests_unit_images_SOURCES = tests/unit-images.c tests/tap.h
tests_unit_images_CPPFLAGS = $(AM_CPPFLAGS)
tests_unit_images_LDADD = $(IMAGES_LIBS) $(TEST_CORE_LIBS)
# the command layer linked without curses: a curses call in cmd/ fails here
tests_unit_cmd_SOURCES = tests/unit-cmd.c tests/tap.h
tests_unit_cmd_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_CFLAGS)
tests_unit_cmd_LDADD = $(CMD_LIBS)
tests_unit_templates_SOURCES = tests/unit-templates.c tests/tap.h
tests_unit_templates_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS)
tests_unit_templates_LDADD = $(TEMPLATES_LIBS) $(TEST_CORE_LIBS)
# The OVA fuzz target: with --enable-fuzzing a libFuzzer binary (`make
# fuzz` runs it); always, the same target with replay.c's main() as a
# short deterministic run in `make check`.
unit_tests += tests/fuzz-ova-replay tests/unit-ova
tests_unit_ova_SOURCES = tests/unit-ova.c tests/tap.h
tests_unit_ova_CPPFLAGS = $(AM_CPPFLAGS) $(LIBARCHIVE_CFLAGS)
tests_unit_ova_LDADD = $(IMAGES_LIBS) $(TEST_CORE_LIBS)
tests_fuzz_ova_replay_SOURCES = tests/fuzz/fuzz-ova.c tests/fuzz/replay.c tests/tap.h
tests_fuzz_ova_replay_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_ova_replay_LDADD = $(IMAGES_LIBS) $(TEST_CORE_LIBS)
if ENABLE_FUZZING
check_PROGRAMS += tests/fuzz-ova
tests_fuzz_ova_SOURCES = tests/fuzz/fuzz-ova.c
tests_fuzz_ova_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_ova_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_ova_LDADD = $(IMAGES_LIBS) $(TEST_CORE_LIBS)
endif
FUZZ_SECONDS = 3600
FUZZ_JOBS = 1
# The long run (README, Development): new inputs go to tests/fuzz/work,
# the seeds stay as they are; crashes are written as crash-* files here.
fuzz:
	@test -x tests/fuzz-ova || { echo "configure with --enable-fuzzing (clang) first"; exit 1; }
	$(MKDIR_P) tests/fuzz/work
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz-ova -max_len=65536 -rss_limit_mb=512 \
		-timeout=2 -max_total_time=$(FUZZ_SECONDS) -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		tests/fuzz/work $(srcdir)/tests/fuzz/ova-corpus
.PHONY: fuzz

# another libvirt client of a test's engine (tests/escapes.sh)
check_PROGRAMS += tests/virt-client
tests_virt_client_SOURCES = tests/virt-client.c
tests_virt_client_LDADD = $(TEST_CORE_LIBS) $(LIBVIRT_QEMU_LIBS)

check_PROGRAMS += tests/model-events
tests_model_events_SOURCES = tests/model-events.c tests/tap.h
tests_model_events_LDADD = $(TEST_CORE_LIBS)
tests_xml_property_SOURCES = tests/xml-property.c tests/tap.h
tests_xml_property_LDADD = $(TEST_CORE_LIBS)

script_tests = \
	tests/cli-test-driver.sh \
	tests/bad-input.sh \
	tests/escapes.sh \
	tests/file-sizes.sh \
	tests/i18n.sh \
	tests/doc.sh \
	tests/configure.sh \
	tests/install.sh \
	tests/images.sh \
	tests/tui.sh \
	tests/tui-screens.sh \
	tests/tui-mouse.sh \
	tests/tui-ssh.sh \
	tests/tui-templates.sh \
	tests/console.sh \
	tests/serial-log.sh \
	tests/vnc.sh \
	tests/vnc-text.sh \
	tests/test-lint.sh \
	tests/doctor.sh \
	tests/engine-lock.sh \
	tests/guest-lifecycle.sh \
	tests/net-forward.sh \
	tests/model-events.sh \
	tests/daemon-uri.sh \
	tests/hosts.sh \
	tests/net-lab.sh \
	tests/net-segment.sh \
	tests/snapshot.sh \
	tests/snapshot-uefi.sh \
	tests/vdi-pool.sh \
	tests/vdi-broker.sh \
	tests/vdi-browser.sh \
	tests/disk.sh \
	tests/tune.sh \
	tests/net-lab-daemon.sh \
	tests/net-addr.sh \
	tests/net-bridge.sh \
	tests/net-macvtap.sh \
	tests/survival.sh \
	tests/frozen-guest.sh \
	tests/ova.sh \
	tests/limits.sh \
	tests/interrupted.sh \
	tests/templates.sh \
	tests/net-nic.sh \
	tests/sanitized.sh

TESTS += $(unit_tests) $(script_tests)

EXTRA_DIST += $(script_tests) tests/account-shim.c tests/ova-craft.py tests/fuzz/ova-corpus tests/lib.sh tests/net-lib.sh tests/vdi-lib.sh tests/hosts-lib.sh tests/vdi-browser.js tests/data tests/fixtures tests/guest tests/valgrind.supp
CLEANFILES += tests/*.log tests/*.trs

# The test guest is built once from Debian packages and cached here.
check-local:
clean-local: clean-local-tests
clean-local-tests:
	rm -rf tests/guest-cache tests/node-cache tests/tmp tests/fuzz/work tests/asan

# ASan/UBSan: a sanitized build of the release tarball, running the unit
# tests and the command-line tests (libvirt's own allocations are not
# ours to leak-check, so LeakSanitizer is off for the engine tests).
sanitize: distdir
	cd $(distdir) && ./configure -q --enable-sanitizers && $(MAKE) -s && \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	VMTUI_PROPERTY_CASES=2000 \
	$(MAKE) -s check TESTS="$(unit_tests) tests/cli-test-driver.sh tests/bad-input.sh tests/guest-lifecycle.sh tests/tui.sh tests/tui-screens.sh tests/tui-mouse.sh tests/console.sh tests/vnc.sh tests/ova.sh tests/templates.sh tests/tui-templates.sh"
	rm -rf $(distdir)

# valgrind on the unit tests: no invalid access, no definite leak.
valgrind: $(unit_tests)
	@for t in $(unit_tests); do \
		echo "valgrind $$t"; \
		srcdir=$(srcdir)/tests VMTUI_PROPERTY_CASES=300 \
		valgrind -q --error-exitcode=1 --leak-check=full \
			--suppressions=$(srcdir)/tests/valgrind.supp --show-possibly-lost=no \
			--errors-for-leak-kinds=definite ./$$t >/dev/null || exit 1; \
	done

.PHONY: sanitize valgrind

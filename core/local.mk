# core/ — built as a convenience library without curses, so the unit tests
# link it alone and a stray curses call in core fails to link.
noinst_LIBRARIES += core/libcore.a
core_libcore_a_SOURCES = \
	core/error.h core/files.h core/settings.h core/names.h core/engine.h \
	core/logs.h core/journal.h core/jobs.h core/vm.h core/model.h core/users.h core/run.h \
	core/image.h core/migrate.h core/doctor.h core/core-priv.h core/i18n.h \
	core/account.c core/accel.c core/config.c core/disk.c \
	core/doctor.c core/domxml.c core/engine.c core/error.c \
	core/files.c core/image.c core/jobs.c core/journal.c core/logs.c core/model.c \
	core/migrate.c core/names.c core/osinfo.c core/printable.c core/run.c core/users.c core/vm.c
core_libcore_a_CPPFLAGS = $(AM_CPPFLAGS) $(OSINFO_CFLAGS) $(JSON_CFLAGS)

CORE_LIBS = core/libcore.a $(LIBVIRT_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS) \
	$(JSON_LIBS) $(OSINFO_LIBS) $(LIBINTL) -lm

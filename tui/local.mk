# tui/ — the vmtui program: main (command line or full screen) and the
# full-screen interface, built as a library that the program and the
# action table's unit test link.
noinst_LIBRARIES += tui/libtui.a
tui_libtui_a_SOURCES = tui/tui.h tui/app.c tui/status.c tui/list.c tui/rows.c \
	tui/prompt.c tui/pager.c tui/jobs.c tui/nics.c tui/hosts.c tui/actions.c \
	tui/view-domains.c tui/view-details.c tui/form.c tui/picker.c tui/theme.c \
	tui/view-templates.c tui/view-pools.c tui/snapshots.c tui/disks.c
TUI_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) -DNCURSES_WIDECHAR=1
tui_libtui_a_CPPFLAGS = $(TUI_CPPFLAGS)
TUI_LIBS = tui/libtui.a $(CMD_LIBS) $(NCURSES_LIBS) $(LIBS)

bin_PROGRAMS += vmtui
vmtui_SOURCES = tui/main.c
vmtui_CPPFLAGS = $(TUI_CPPFLAGS)
vmtui_LDADD = $(TUI_LIBS)

# tui/ — the vmtui program: main (command line or full screen) and the
# full-screen interface.
bin_PROGRAMS += vmtui
vmtui_SOURCES = tui/main.c \
	tui/tui.h tui/app.c tui/status.c tui/list.c tui/rows.c tui/prompt.c tui/pager.c tui/jobs.c tui/hosts.c tui/actions.c tui/view-domains.c tui/view-details.c tui/form.c \
	tui/picker.c tui/theme.c tui/view-templates.c
vmtui_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) -DNCURSES_WIDECHAR=1
vmtui_LDADD = $(CMD_LIBS) $(NCURSES_LIBS) $(LIBS)

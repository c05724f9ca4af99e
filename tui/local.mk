# tui/ — the vmtui program: the command line and the full-screen interface.
bin_PROGRAMS += vmtui
vmtui_SOURCES = tui/main.c tui/cli.c tui/commands.c tui/commands.h \
	tui/tui.h tui/app.c tui/actions.c tui/view-domains.c tui/view-details.c tui/form.c \
	tui/picker.c tui/theme.c tui/cmd-templates.c tui/view-templates.c
vmtui_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) -DNCURSES_WIDECHAR=1
vmtui_LDADD = $(CONSOLE_LIBS) $(TEMPLATES_LIBS) $(IMAGES_LIBS) $(CORE_LIBS) $(NCURSES_LIBS) $(LIBS)

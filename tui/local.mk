# tui/ — the vmtui program: command line now, the ncurses screens next.
bin_PROGRAMS += vmtui
vmtui_SOURCES = tui/main.c tui/cli.c tui/commands.c tui/commands.h
vmtui_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS)
vmtui_LDADD = $(CORE_LIBS) $(NCURSES_LIBS) $(LIBS)

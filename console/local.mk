# console/ — the serial and graphical consoles: a library that draws with
# plain escape sequences, not curses, since a session owns the terminal in
# raw mode while it runs.
noinst_LIBRARIES += console/libconsole.a
console_libconsole_a_SOURCES = console/console.h console/console-priv.h \
	console/term.c console/serial.c \
	console/vnc.c console/render.c console/render.h console/keys.c \
	console/keys.h console/png.c console/colors.c console/thumb.c \
	console/text.c console/text.h
console_libconsole_a_CPPFLAGS = $(AM_CPPFLAGS) \
	$(VNCCLIENT_CFLAGS) $(CHAFA_CFLAGS) $(PNG_CFLAGS) $(NCURSES_CFLAGS)

# terminfo (ncurses' tinfo, not curses) tells the colours of a terminal
CONSOLE_LIBS = console/libconsole.a $(VNCCLIENT_LIBS) $(CHAFA_LIBS) \
	$(PNG_LIBS) $(TINFO_LIBS)

# console/ — the serial and graphical consoles: a library without curses,
# since a session owns the terminal in raw mode while it runs.
noinst_LIBRARIES += console/libconsole.a
console_libconsole_a_SOURCES = console/console.h console/console-priv.h \
	console/term.c console/serial.c
console_libconsole_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/console

CONSOLE_LIBS = console/libconsole.a

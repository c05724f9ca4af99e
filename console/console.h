/*
 * console.h — the terminal attached to a guest: its serial console through
 * libvirt's console stream, and its graphical screen.  The console module
 * owns the terminal while a session runs (raw mode, plain escape
 * sequences, no curses); a caller that uses curses leaves it first
 * (endwin) and takes it back afterwards.
 *
 * Threading: a session runs on the calling thread, which never blocks on
 * libvirt: stream I/O happens on libvirt's event-loop thread and reaches
 * the session through pipes; calls that may wait for the engine (opening
 * the console, sending keys) run as jobs.
 */
#pragma once

#include <stdbool.h>

#include "core/error.h"
#include "core/settings.h"
#include "core/engine.h"

/* What the user asked for when a session ended. */
enum console_next {
	CONSOLE_LEAVE,     /* back to where the session was started */
	CONSOLE_GRAPHICAL, /* the same VM's graphical console */
	CONSOLE_SERIAL,    /* the same VM's serial console */
	CONSOLE_MOVED,     /* the VM migrated away: the same console, on the
			      host it went to */
};

struct console_opts {
	int escape;        /* byte that opens the console menu (0x1d: Ctrl-]) */
	bool force;        /* take the console from another client */
	int timeout_s;     /* how long opening may wait for the engine */
	const char *graphics; /* output mode of the graphical console: a
				 name graphics_mode_parse takes */
	int text;          /* enum console_text: text screens as text */
	const struct core_config *cfg; /* the hosts a migrated VM is looked
				 * for on */
};

/* Fills @o from @cfg ([console] escape, [engine] timeout). */
void console_opts_init(struct console_opts *o, const struct core_config *cfg);

/* Attaches the terminal (standard input and output, a tty) to the serial
 * console of the VM @name until the user leaves through the menu.  The
 * session reattaches by itself when the guest starts again after a
 * shutdown.  Returns what the user asked for next, or -1 with an error
 * recorded when it could not attach (VM not running, no serial console,
 * console taken by another client without @o->force, not a terminal).
 * The terminal is restored on every path, also on a crash signal. */
int console_serial(struct engine *eng, const char *name,
		   const struct console_opts *o);

/* The same for the VM's graphical screen, drawn in the terminal with its
 * keyboard and mouse.  -1 with an error also when the VM has no graphical
 * display, the terminal is too small or has no colours. */
int console_graphical(struct engine *eng, const char *name,
		      const struct console_opts *o);

/* Runs the serial (@first CONSOLE_SERIAL) or graphical console of @name
 * and switches between them as the user asks, until the user leaves.
 * When the VM migrates to another host of @o->cfg (local or [hosts]),
 * the console follows it there.
 * 0, or -1 with an error when a console could not open. */
int console_run(struct engine *eng, const char *name, enum console_next first,
		const struct console_opts *o);

struct render_cell;
/* A picture of the VM's screen in at most @cols × @rows cells, keeping its
 * aspect, for a terminal of @colors colours (256: xterm's palette, else
 * the 16 ANSI ones); its size in *@out_cols × *@out_rows.  Blocking (it
 * asks libvirt for a screenshot): run it as a job.  g_free() the cells;
 * NULL with an error. */
struct render_cell *console_thumbnail(struct engine *eng, const char *name,
				      int colors, int cols, int rows,
				      int *out_cols, int *out_rows);

/* The menu key's name for people, e.g. "Ctrl-]"; static. */
const char *console_escape_name(int escape);

/*
 * colors.c — the colours of the terminal, from its terminfo entry.  On its
 * own since <term.h> defines a macro for every capability name.
 */
#include "config.h"

#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "console/console-priv.h"

int console_terminfo_colors(void)
{
	TERMINAL *old = cur_term;
	int err = 0, n = 0;

	/* a terminal of its own, so a curses screen keeps its own */
	if (setupterm(NULL, STDOUT_FILENO, &err) == OK) {
		n = tigetnum("colors");
		del_curterm(cur_term);
	}
	set_curterm(old);
	return n > 0 ? n : 0;
}

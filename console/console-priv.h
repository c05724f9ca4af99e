/*
 * console-priv.h — what the console module's files share: the terminal in
 * raw mode (term.c).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "console/console.h"
#include "core/engine.h"

/* Puts the terminal in raw mode and writes @enter; @leave is written when
 * the terminal is restored, by console_term_leave() or on a crash signal.
 * -1 with an error when standard input and output are not a terminal. */
int console_term_enter(const char *enter, const char *leave);
void console_term_leave(void);
/* Readable once SIGTERM or SIGHUP ('q'), SIGWINCH ('w') or SIGPIPE ('p')
 * arrived during the session; one byte each. */
int console_term_signal_fd(void);
/* Writes everything to the terminal (standard output). */
void console_term_write(const void *data, size_t len);
/* A note from vmtui on a line of its own, bold, in brackets. */
void console_term_say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* What the terminal answered to the graphical console's probe. */
struct term_replies {
	bool kitty; /* it takes kitty images ("ESC _ G i=31;OK ESC \") */
	bool sixel; /* its DA1 reply lists 4 */
	bool da1;   /* the DA1 reply ("ESC [ ? ... c") came: the probe is over */
};
/* Reads the terminal's replies out of the @len bytes at @buf into @r and
 * copies the rest, what the user typed meanwhile, to @typed (room for
 * @len bytes).  A reply cut off at the end counts as a reply.  Returns
 * the number of bytes typed (term.c). */
size_t console_term_replies(const char *buf, size_t len, struct term_replies *r,
			    char *typed);

/* A PNG file of the @w × @h RGB image @rgb (png.c); NULL with an error. */
GBytes *console_png(const uint8_t *rgb, int w, int h);
/* The PNG image @data as RGBA, at most @max_side pixels a side; its size
 * in *@w × *@h.  g_free() it; NULL with an error. */
uint8_t *console_png_rgba(const uint8_t *data, size_t len, int max_side, int *w, int *h);
/* Colours of the terminal by its terminfo entry (colors.c); 0: unknown. */
int console_terminfo_colors(void);

/* A job sending @keys (Linux key codes, pressed together) to the VM
 * @name through libvirt (term.c). */
struct job *console_send_keys(struct engine *eng, const char *name,
			      const unsigned *keys, int n);

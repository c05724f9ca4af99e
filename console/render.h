/*
 * render.h — pixels to terminal output (render.c), shared by the
 * graphical console and its benchmark.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

/* Output modes, best first. */
enum render_mode {
	RENDER_KITTY,     /* kitty graphics protocol: real pixels */
	RENDER_SIXEL,     /* sixel images: real pixels */
	RENDER_TRUECOLOR, /* half blocks in 24-bit colour */
	RENDER_256,       /* half blocks in the 240 colours of xterm-256 */
	RENDER_16,        /* half blocks in the 16 ANSI colours */
};

/* The mode's name, as core's graphics_mode_name gives it; static. */
const char *render_mode_name(enum render_mode mode);
/* The output mode of a name (not "auto"), or -1. */
int render_mode_parse(const char *s);
bool render_mode_is_pixels(enum render_mode mode);

struct render;

/* A renderer for @mode; @cell_w × @cell_h are a terminal cell's pixels
 * (for the pixel modes; 0: 10 × 20). */
struct render *render_new(enum render_mode mode, int cell_w, int cell_h);
void render_free(struct render *r);
enum render_mode render_get_mode(const struct render *r);

/* Converts the @w × @h image at @pixels (RGBA, alpha opaque, @stride
 * bytes a row) to @cols × @rows cells placed at column @x0, row @y0
 * (0-based), and appends to @out what brings the terminal there: in the
 * cell modes only the cells that changed since the last frame, all of
 * them with @all or after render_invalidate().  Image rows [@dmg_top,
 * @dmg_bottom) are those that changed since the last frame: only the cell
 * rows they fall in are converted again (all of them for 0, @h). */
void render_frame(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int x0, int y0, int cols, int rows, int dmg_top,
		  int dmg_bottom, bool all, GString *out);
/* Forgets what the terminal shows (it was cleared or drawn over). */
void render_invalidate(struct render *r);

/* A cell for a caller that draws cells itself (curses): a character and
 * its colours (xterm palette indices). */
struct render_cell {
	gunichar ch;
	int fg, bg;
};

/* Converts the image to @cols × @rows cells into @cells, in @mode
 * (RENDER_256 or RENDER_16), without touching the terminal. */
void render_cells(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int cols, int rows, struct render_cell *cells);

struct text_screen;
/* Draws the text screen @t (text.h) as characters, its cells from
 * column @col0, row @row0 into @cols × @rows terminal cells at @x0, @y0,
 * in the guest's colours as the mode has them; cells that are no
 * character as half-block pictures.  Only what changed since the last
 * frame (all of it with @all, or after render_invalidate() or a picture
 * frame); with @ascii, box drawing as - | +, blocks as #, other
 * characters beyond ASCII as ?. */
void render_text(struct render *r, const struct text_screen *t, int col0, int row0, int x0,
		 int y0, int cols, int rows, bool ascii, bool all, GString *out);

/*
 * text.h — a guest's screen read as text (text.c), for the graphical
 * console, its tests and its benchmark.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define TEXT_MIN_COLS 40
#define TEXT_MIN_ROWS 12
/* the share of cells that must be characters for "auto" to draw text */
#define TEXT_AUTO_RATIO 0.98
/* screens larger than 4K are not read as text (a guest may set any mode) */
#define TEXT_MAX_PIXELS (3840 * 2160)

struct text_fonts;

/* The glyphs of QEMU's VGA BIOS and of Debian's console fonts, loaded
 * once (never freed); files that are missing are skipped. */
const struct text_fonts *text_fonts_default(void);
/* How many of the files gave glyphs. */
unsigned text_fonts_count(const struct text_fonts *f);

struct text_cell {
	gunichar ch;       /* the character; for a cell not matched, 0 */
	uint32_t fg, bg;   /* 0xRRGGBB; not matched: the mean colours of the
			    * cell's top and bottom halves */
	bool matched;
};

struct text_screen {
	int cols, rows;           /* 0: no grid fits */
	int cell_w, cell_h;       /* the guest's pixels of a cell */
	int cursor_x, cursor_y;   /* -1: not seen */
	unsigned matched;         /* cells that are characters */
	struct text_cell *cells;  /* rows × cols */
};

/* Reads the @w × @h RGBA image at @rgba (@stride bytes a row) as text
 * into @t (its cells reused): the grid of the cell size where most cells
 * are glyphs of @f.  The share of cells matched, 0 to 1.  No grid
 * (t->cols 0) for a screen no grid fits, beyond TEXT_MAX_PIXELS, or
 * where not half of a sample of its cells are glyphs (a picture: not read
 * whole; the sample's share returned). */
double text_read(const struct text_fonts *f, const uint8_t *rgba, int w, int h, int stride,
		 struct text_screen *t);
void text_screen_clear(struct text_screen *t);

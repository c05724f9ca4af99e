/*
 * render.c — a guest's framebuffer as terminal output.  libchafa turns
 * the pixels into cells (half blocks in colour) or into a sixel or kitty
 * image; for cells, only those that differ from what the terminal already
 * shows are written, so a still screen costs nothing and a typed
 * character a few dozen bytes.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <chafa.h>

#include "core/settings.h"
#include "console/render.h"
#include "console/text.h"

/* a cell as the renderer keeps it: see get_cell() */
struct cell {
	gunichar ch;       /* 0: a picture cell of two halves */
	gint fg, bg;       /* for ch 0: the top and bottom halves' colours */
};

struct render {
	enum render_mode mode;
	int cell_w, cell_h;     /* pixels of a terminal cell (pixel modes) */
	ChafaCanvasConfig *cfg;
	ChafaCanvas *canvas;
	ChafaTermInfo *term;    /* sequences of the pixel modes */
	ChafaCanvas *band;      /* for converting a few rows */
	int band_rows, band_cols;
	int cols, rows;         /* the canvas' geometry */
	struct cell *shown;     /* what the terminal shows */
	struct cell *next;      /* the frame being made (kept: no allocation
				   per frame) */
	bool known;             /* whether @shown is what it shows */
	int x0, y0;             /* where it shows it */
};

/* each output mode as core names it */
static const enum graphics_mode modes[] = {
	[RENDER_KITTY] = GRAPHICS_KITTY,
	[RENDER_SIXEL] = GRAPHICS_SIXEL,
	[RENDER_TRUECOLOR] = GRAPHICS_TRUECOLOR,
	[RENDER_256] = GRAPHICS_256,
	[RENDER_16] = GRAPHICS_16,
};

const char *render_mode_name(enum render_mode mode)
{
	return graphics_mode_name(modes[mode]);
}

int render_mode_parse(const char *s)
{
	int g = graphics_mode_parse(s);

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++)
		if (g >= 0 && modes[i] == (enum graphics_mode)g)
			return (int)i;
	return -1;
}

bool render_mode_is_pixels(enum render_mode mode)
{
	return mode == RENDER_KITTY || mode == RENDER_SIXEL;
}

struct render *render_new(enum render_mode mode, int cell_w, int cell_h)
{
	struct render *r = g_new0(struct render, 1);
	ChafaSymbolMap *map;

	r->mode = mode;
	r->cell_w = cell_w > 0 ? cell_w : 10;
	r->cell_h = cell_h > 0 ? cell_h : 20;
	r->cfg = chafa_canvas_config_new();
	switch (mode) {
	case RENDER_KITTY:
	case RENDER_SIXEL: {
		/* chafa's sequences for the protocol, from a terminal known
		 * to speak it */
		gchar *env[] = { (gchar *)(mode == RENDER_KITTY ? "TERM=xterm-kitty" : "TERM=foot"), NULL };

		chafa_canvas_config_set_pixel_mode(r->cfg, mode == RENDER_KITTY ?
						   CHAFA_PIXEL_MODE_KITTY : CHAFA_PIXEL_MODE_SIXELS);
		chafa_canvas_config_set_canvas_mode(r->cfg, CHAFA_CANVAS_MODE_TRUECOLOR);
		chafa_canvas_config_set_cell_geometry(r->cfg, r->cell_w, r->cell_h);
		r->term = chafa_term_db_detect(chafa_term_db_get_default(), env);
		break;
	}
	case RENDER_TRUECOLOR:
		chafa_canvas_config_set_canvas_mode(r->cfg, CHAFA_CANVAS_MODE_TRUECOLOR);
		break;
	case RENDER_256:
		chafa_canvas_config_set_canvas_mode(r->cfg, CHAFA_CANVAS_MODE_INDEXED_240);
		break;
	case RENDER_16:
		chafa_canvas_config_set_canvas_mode(r->cfg, CHAFA_CANVAS_MODE_INDEXED_16);
		break;
	}
	/* half blocks: two square pixels a cell, in any font; full work
	 * factor, which for two symbols is the fast exhaustive search */
	map = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_VHALF | CHAFA_SYMBOL_TAG_SPACE);
	chafa_canvas_config_set_symbol_map(r->cfg, map);
	chafa_symbol_map_unref(map);
	chafa_canvas_config_set_work_factor(r->cfg, 1.0f);
	chafa_canvas_config_set_dither_mode(r->cfg, CHAFA_DITHER_MODE_NONE);
	chafa_canvas_config_set_preprocessing_enabled(r->cfg, FALSE);
	return r;
}

void render_free(struct render *r)
{
	if (!r)
		return;
	if (r->canvas)
		chafa_canvas_unref(r->canvas);
	if (r->band)
		chafa_canvas_unref(r->band);
	chafa_canvas_config_unref(r->cfg);
	if (r->term)
		chafa_term_info_unref(r->term);
	g_free(r->shown);
	g_free(r->next);
	g_free(r);
}

enum render_mode render_get_mode(const struct render *r)
{
	return r->mode;
}

void render_invalidate(struct render *r)
{
	r->known = false;
}

/* What is kept of the terminal's cells, for @cols × @rows; the canvas,
 * if of another size, goes. */
static void set_cells(struct render *r, int cols, int rows)
{
	if (r->shown && cols == r->cols && rows == r->rows)
		return;
	if (r->canvas) {
		chafa_canvas_unref(r->canvas);
		r->canvas = NULL;
	}
	r->cols = cols;
	r->rows = rows;
	g_free(r->shown);
	g_free(r->next);
	r->shown = g_new(struct cell, (gsize)cols * (gsize)rows);
	r->next = g_new(struct cell, (gsize)cols * (gsize)rows);
	render_invalidate(r);
}

static void set_geometry(struct render *r, int cols, int rows)
{
	set_cells(r, cols, rows);
	if (!r->canvas) {
		chafa_canvas_config_set_geometry(r->cfg, cols, rows);
		r->canvas = chafa_canvas_new(r->cfg);
	}
}

/* Where the cells go on the terminal: elsewhere, none is known there. */
static void set_place(struct render *r, int x0, int y0)
{
	if (x0 != r->x0 || y0 != r->y0) {
		r->x0 = x0;
		r->y0 = y0;
		render_invalidate(r);
	}
}

/* SGR for a colour of the canvas' mode; @bg for the background. */
static void put_color(GString *out, enum render_mode mode, gint c, bool bg)
{
	if (mode == RENDER_TRUECOLOR) {
		g_string_append_printf(out, "%d;2;%d;%d;%d", bg ? 48 : 38,
				       (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
	} else if (mode == RENDER_256 && c >= 16) {
		g_string_append_printf(out, "%d;5;%d", bg ? 48 : 38, c);
	} else if (c < 8) { /* the 16 colours, as every terminal has them */
		g_string_append_printf(out, "%d", (bg ? 40 : 30) + c);
	} else {
		g_string_append_printf(out, "%d", (bg ? 100 : 90) + c - 8);
	}
}

#define UPPER_HALF 0x2580
#define LOWER_HALF 0x2584
#define FULL_BLOCK 0x2588

/* A cell as what it shows: for half blocks, spaces and full blocks the
 * colours of its top and bottom halves (the same picture can be drawn
 * with either half block, whichever needs fewer colour changes); any
 * other symbol as it is. */
static void get_cell(struct render *r, ChafaCanvas *cv, int x, int y, struct cell *c)
{
	gint fg, bg;

	c->ch = chafa_canvas_get_char_at(cv, x, y);
	if (r->mode == RENDER_TRUECOLOR)
		chafa_canvas_get_colors_at(cv, x, y, &fg, &bg);
	else
		chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
	fg = MAX(fg, 0); /* opaque input: never transparent */
	bg = MAX(bg, 0);
	switch (c->ch) {
	case UPPER_HALF:
		c->ch = 0, c->fg = fg, c->bg = bg;
		break;
	case LOWER_HALF:
		c->ch = 0, c->fg = bg, c->bg = fg;
		break;
	case ' ':
		c->ch = 0, c->fg = c->bg = bg;
		break;
	case FULL_BLOCK:
		c->ch = 0, c->fg = c->bg = fg;
		break;
	default:
		c->fg = fg, c->bg = bg;
	}
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg;
}

struct pen {
	gint fg, bg;       /* -1: unknown */
	int x, y;          /* the cursor; -1: unknown */
};

static void set_pen(struct render *r, GString *out, struct pen *pen, gint fg, gint bg)
{
	bool f = fg >= 0 && fg != pen->fg, b = bg != pen->bg;

	if (!f && !b)
		return;
	g_string_append(out, "\033[");
	if (f)
		put_color(out, r->mode, fg, false);
	if (f && b)
		g_string_append_c(out, ';');
	if (b)
		put_color(out, r->mode, bg, true);
	g_string_append_c(out, 'm');
	if (f)
		pen->fg = fg;
	pen->bg = bg;
}

/* Writes cell @c at @x, @y (canvas cells), with as few colour changes as
 * the pen allows. */
static void put_cell(struct render *r, GString *out, struct pen *pen, int x, int y,
		     const struct cell *c)
{
	char utf8[8];
	gunichar ch;

	if (pen->y == y && pen->x >= 0 && x > pen->x)
		g_string_append_printf(out, x == pen->x + 1 ? "\033[C" : "\033[%dC", x - pen->x);
	else if (pen->y != y || pen->x != x)
		g_string_append_printf(out, "\033[%d;%dH", r->y0 + y + 1, r->x0 + x + 1);
	if (c->ch) {
		set_pen(r, out, pen, c->fg, c->bg);
		ch = c->ch;
	} else if (c->fg == c->bg) { /* one colour: a space or a full block */
		if (pen->bg == c->bg) {
			ch = ' ';
		} else if (pen->fg == c->fg) {
			ch = FULL_BLOCK;
		} else {
			set_pen(r, out, pen, -1, c->bg);
			ch = ' ';
		}
	} else { /* the upper half block, or the lower one colours swapped */
		int upper = (pen->fg != c->fg) + (pen->bg != c->bg);
		int lower = (pen->fg != c->bg) + (pen->bg != c->fg);

		if (lower < upper) {
			set_pen(r, out, pen, c->bg, c->fg);
			ch = LOWER_HALF;
		} else {
			set_pen(r, out, pen, c->fg, c->bg);
			ch = UPPER_HALF;
		}
	}
	g_string_append_len(out, utf8, g_unichar_to_utf8(ch, utf8));
	pen->x = x + 1;
	pen->y = y;
}

/* After a frame's cells: the pen back to the default, @now what the
 * terminal shows. */
static void frame_done(struct render *r, const struct pen *pen, struct cell *now, GString *out)
{
	if (pen->fg >= 0 || pen->bg >= 0)
		g_string_append(out, "\033[0m");
	r->next = r->shown;
	r->shown = now;
	r->known = true;
}

/* Appends the cells of rows [@top, @bottom) that differ from what the
 * terminal shows (all of them with @all), reading them from @cv, whose
 * row 0 is canvas row @top; the other rows stay as shown. */
static void emit_rows(struct render *r, ChafaCanvas *cv, int top, int bottom,
		      GString *out, bool all)
{
	struct cell *now = r->next;
	struct pen pen = { -1, -1, -1, -1 };
	size_t row = (size_t)r->cols;

	if (r->known) {
		memcpy(now, r->shown, row * (size_t)top * sizeof(*now));
		memcpy(now + row * (size_t)bottom, r->shown + row * (size_t)bottom,
		       row * (size_t)(r->rows - bottom) * sizeof(*now));
	}
	for (int y = top; y < bottom; y++) {
		for (int x = 0; x < r->cols; x++) {
			struct cell *c = &now[(size_t)y * row + (size_t)x];

			get_cell(r, cv, x, y - top, c);
			if (all || !r->known || !same_cell(c, &r->shown[(size_t)y * row + (size_t)x]))
				put_cell(r, out, &pen, x, y, c);
		}
	}
	frame_done(r, &pen, now, out);
}

/* A canvas of @rows rows, for converting a band of the image. */
static ChafaCanvas *band_canvas(struct render *r, int rows)
{
	if (r->band && r->band_rows == rows && r->band_cols == r->cols)
		return r->band;
	if (r->band)
		chafa_canvas_unref(r->band);
	chafa_canvas_config_set_geometry(r->cfg, r->cols, rows);
	r->band = chafa_canvas_new(r->cfg);
	chafa_canvas_config_set_geometry(r->cfg, r->cols, r->rows);
	r->band_rows = rows;
	r->band_cols = r->cols;
	return r->band;
}

void render_frame(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int x0, int y0, int cols, int rows, int dmg_top,
		  int dmg_bottom, bool all, GString *out)
{
	int top, bottom, sy0, sy1;

	if (cols <= 0 || rows <= 0 || w <= 0 || h <= 0)
		return;
	set_geometry(r, cols, rows);
	set_place(r, x0, y0);
	if (render_mode_is_pixels(r->mode)) {
		GString *img;

		chafa_canvas_draw_all_pixels(r->canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED,
					     pixels, w, h, stride);
		img = chafa_canvas_print(r->canvas, r->term);
		g_string_append_printf(out, "\033[%d;%dH", y0 + 1, x0 + 1);
		g_string_append_len(out, img->str, (gssize)img->len);
		g_string_free(img, TRUE);
		return;
	}
	/* the cell rows the changed image rows fall in, and one more each
	 * side for the scaling's reach */
	dmg_top = CLAMP(dmg_top, 0, h);
	dmg_bottom = CLAMP(dmg_bottom, dmg_top, h);
	top = MAX((int)((double)dmg_top * rows / h) - 1, 0);
	bottom = MIN((int)((double)dmg_bottom * rows / h + 0.999) + 1, rows);
	if (all || !r->known || bottom - top > rows / 2) {
		chafa_canvas_draw_all_pixels(r->canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED,
					     pixels, w, h, stride);
		emit_rows(r, r->canvas, 0, rows, out, all);
		return;
	}
	if (bottom <= top) /* nothing changed */
		return;
	/* convert only that band: its image rows into its cell rows */
	sy0 = (int)((double)top * h / rows);
	sy1 = MIN((int)((double)bottom * h / rows + 0.999), h);
	chafa_canvas_draw_all_pixels(band_canvas(r, bottom - top), CHAFA_PIXEL_RGBA8_UNASSOCIATED,
				     pixels + (size_t)sy0 * (size_t)stride, w, sy1 - sy0, stride);
	emit_rows(r, r->band, top, bottom, out, false);
}

void render_cells(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int cols, int rows, struct render_cell *cells)
{
	set_geometry(r, cols, rows);
	chafa_canvas_draw_all_pixels(r->canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED,
				     pixels, w, h, stride);
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			struct cell c;
			struct render_cell *out = &cells[y * cols + x];

			get_cell(r, r->canvas, x, y, &c);
			out->ch = c.ch ? c.ch : c.fg == c.bg ? ' ' : UPPER_HALF;
			out->fg = c.fg;
			out->bg = c.bg;
		}
	}
}

/* ---- text --------------------------------------------------------------- */

/* The VGA colour (0-15) of @rgb, whichever DAC scale the guest's
 * firmware or driver used (0x54/0xa8/0xfc or 0x55/0xaa/0xff); -1 for
 * another colour. */
static int vga_color(uint32_t rgb)
{
	int lv[3];

	for (int k = 0; k < 3; k++) {
		int c = (int)(rgb >> (16 - 8 * k)) & 0xff;

		lv[k] = c <= 4 ? 0 : c >= 0x50 && c <= 0x59 ? 1 : c >= 0xa4 && c <= 0xae ? 2 :
			c >= 0xf8 ? 3 : -1;
		if (lv[k] < 0)
			return -1;
	}
	if (lv[0] == 2 && lv[1] == 1 && lv[2] == 0)      /* brown */
		return 6;
	for (int bright = 0; bright < 2; bright++) {
		int off = bright ? 1 : 0, on = bright ? 3 : 2, i = bright ? 8 : 0;
		bool ok = true;

		for (int k = 0; k < 3; k++) {
			if (lv[k] == on)
				i |= 4 >> k;
			else if (lv[k] != off)
				ok = false;
		}
		if (ok)
			return i;
	}
	return -1;
}

static int dist2(uint32_t a, int r, int g, int b)
{
	int dr = (int)(a >> 16 & 0xff) - r, dg = (int)(a >> 8 & 0xff) - g, db = (int)(a & 0xff) - b;

	return dr * dr + dg * dg + db * db;
}

/* xterm's 16 colours */
static const uint8_t ansi16[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 }, { 0, 0, 238 },
	{ 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },
	{ 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 },
	{ 255, 255, 255 },
};

static int nearest16(uint32_t rgb)
{
	int best = 0, bd = INT_MAX;

	for (int i = 0; i < 16; i++) {
		int d = dist2(rgb, ansi16[i][0], ansi16[i][1], ansi16[i][2]);

		if (d < bd)
			bd = d, best = i;
	}
	return best;
}

/* xterm-256's 6×6×6 cube or its 24 greys, whichever is nearer. */
static int nearest256(uint32_t rgb)
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	int idx[3], cube, grey, gi, mean = 0;

	for (int k = 0; k < 3; k++) {
		int c = (int)(rgb >> (16 - 8 * k)) & 0xff, best = 0;

		for (int l = 1; l < 6; l++)
			if (abs(c - level[l]) < abs(c - level[best]))
				best = l;
		idx[k] = best;
		mean += c;
	}
	mean /= 3;
	gi = CLAMP((mean - 8 + 5) / 10, 0, 23);
	cube = dist2(rgb, level[idx[0]], level[idx[1]], level[idx[2]]);
	grey = dist2(rgb, 8 + 10 * gi, 8 + 10 * gi, 8 + 10 * gi);
	return grey < cube ? 232 + gi : 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

/* A guest's colour in the mode: exact in 24-bit colour; else the VGA
 * palette as the terminal's own 16 colours (blue and red swap places
 * between VGA and ANSI), other colours the nearest the mode has. */
static gint text_color(enum render_mode mode, uint32_t rgb)
{
	int vga;

	if (mode == RENDER_TRUECOLOR)
		return (gint)rgb;
	if ((vga = vga_color(rgb)) >= 0)
		return (vga & 8) | (vga & 1) << 2 | (vga & 2) | (vga >> 2 & 1);
	return mode == RENDER_256 ? nearest256(rgb) : nearest16(rgb);
}

/* What stands for @c where the terminal takes ASCII only: box drawing
 * as lines and corners, blocks as #, anything else as ?. */
static gunichar ascii_of(gunichar c)
{
	static const gunichar across[] = { 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254C, 0x254D, 0x2550 };
	static const gunichar down[] = { 0x2502, 0x2503, 0x2506, 0x2507, 0x250A, 0x250B, 0x254E, 0x254F, 0x2551 };

	if (c < 0x7F)
		return c;
	for (size_t i = 0; i < G_N_ELEMENTS(across); i++) {
		if (c == across[i])
			return '-';
		if (c == down[i])
			return '|';
	}
	if (c >= 0x2500 && c <= 0x257F)
		return '+';
	if (c >= 0x2580 && c <= 0x259F)
		return '#';
	return '?';
}

void render_text(struct render *r, const struct text_screen *t, int col0, int row0, int x0,
		 int y0, int cols, int rows, bool ascii, bool all, GString *out)
{
	struct cell *now;
	struct pen pen = { -1, -1, -1, -1 };

	if (cols <= 0 || rows <= 0)
		return;
	set_cells(r, cols, rows);
	set_place(r, x0, y0);
	now = r->next;
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			struct cell *c = &now[y * cols + x];
			const struct text_cell *tc = NULL;
			int tx = col0 + x, ty = row0 + y;

			if (tx < t->cols && ty < t->rows)
				tc = &t->cells[ty * t->cols + tx];
			if (!tc) {
				c->ch = 0, c->fg = c->bg = 0;
			} else if (!tc->matched || tc->ch == ' ') {
				c->ch = 0;
				c->fg = text_color(r->mode, tc->matched ? tc->bg : tc->fg);
				c->bg = text_color(r->mode, tc->bg);
			} else {
				c->ch = ascii ? ascii_of(tc->ch) : tc->ch;
				c->fg = text_color(r->mode, tc->fg);
				c->bg = text_color(r->mode, tc->bg);
			}
			if (all || !r->known || !same_cell(c, &r->shown[y * cols + x]))
				put_cell(r, out, &pen, x, y, c);
		}
	}
	frame_done(r, &pen, now, out);
}

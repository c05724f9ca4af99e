/*
 * render.c — a guest's framebuffer as terminal output.  libchafa turns
 * the pixels into cells (half blocks in colour) or into a sixel or kitty
 * image; for cells, only those that differ from what the terminal already
 * shows are written, so a still screen costs nothing and a typed
 * character a few dozen bytes.
 */
#include "config.h"

#include <string.h>

#include <chafa.h>

#include "render.h"

#define cell render_cell

struct render {
	enum render_mode mode;
	int cell_w, cell_h;     /* pixels of a terminal cell (pixel modes) */
	ChafaCanvasConfig *cfg;
	ChafaCanvas *canvas;
	ChafaTermInfo *term;    /* sequences of the pixel modes */
	int cols, rows;         /* the canvas' geometry */
	struct cell *shown;     /* what the terminal shows */
	struct cell *next;      /* the frame being made (kept: no allocation
				   per frame) */
	bool known;             /* whether @shown is what it shows */
	int x0, y0;             /* where it shows it */
};

static const char *const mode_names[] = {
	[RENDER_KITTY] = "kitty",
	[RENDER_SIXEL] = "sixel",
	[RENDER_TRUECOLOR] = "truecolor",
	[RENDER_256] = "256",
	[RENDER_16] = "16",
};

const char *render_mode_name(enum render_mode mode)
{
	return mode_names[mode];
}

int render_mode_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mode_names); i++)
		if (g_strcmp0(s, mode_names[i]) == 0)
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

static void set_geometry(struct render *r, int cols, int rows)
{
	if (r->canvas && cols == r->cols && rows == r->rows)
		return;
	if (r->canvas)
		chafa_canvas_unref(r->canvas);
	chafa_canvas_config_set_geometry(r->cfg, cols, rows);
	r->canvas = chafa_canvas_new(r->cfg);
	r->cols = cols;
	r->rows = rows;
	g_free(r->shown);
	g_free(r->next);
	r->shown = g_new(struct cell, (gsize)cols * (gsize)rows);
	r->next = g_new(struct cell, (gsize)cols * (gsize)rows);
	render_invalidate(r);
}

/* SGR for a colour of the canvas' mode; @bg for the background. */
static void put_color(GString *out, enum render_mode mode, gint c, bool bg)
{
	if (mode == RENDER_TRUECOLOR) {
		g_string_append_printf(out, "%d;2;%d;%d;%d", bg ? 48 : 38,
				       (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
	} else if (mode == RENDER_256) {
		g_string_append_printf(out, "%d;5;%d", bg ? 48 : 38, c);
	} else if (c < 8) {
		g_string_append_printf(out, "%d", (bg ? 40 : 30) + c);
	} else {
		g_string_append_printf(out, "%d", (bg ? 100 : 90) + c - 8);
	}
}

static void get_cell(struct render *r, int x, int y, struct cell *c)
{
	c->ch = chafa_canvas_get_char_at(r->canvas, x, y);
	if (r->mode == RENDER_TRUECOLOR)
		chafa_canvas_get_colors_at(r->canvas, x, y, &c->fg, &c->bg);
	else
		chafa_canvas_get_raw_colors_at(r->canvas, x, y, &c->fg, &c->bg);
	/* what cannot be seen must not cause output */
	if (c->ch == ' ')
		c->fg = -1;
	if (c->fg < 0 && c->ch != ' ') /* transparent: not with opaque input */
		c->fg = 0;
	if (c->bg < 0)
		c->bg = 0;
}

/* Appends the changed cells; the pen (current colours) starts unknown. */
static void emit_cells(struct render *r, GString *out, bool all)
{
	struct cell *now = r->next;
	gint pen_fg = -2, pen_bg = -2;
	int cur_x = -1, cur_y = -1;

	for (int y = 0; y < r->rows; y++) {
		for (int x = 0; x < r->cols; x++) {
			struct cell *c = &now[y * r->cols + x];
			const struct cell *was = r->known ? &r->shown[y * r->cols + x] : NULL;
			char utf8[8];
			int n;

			get_cell(r, x, y, c);
			if (!all && was && was->ch == c->ch && was->bg == c->bg &&
			    (c->ch == ' ' || was->fg == c->fg))
				continue;
			if (cur_y != y || cur_x != x)
				g_string_append_printf(out, "\033[%d;%dH", r->y0 + y + 1, r->x0 + x + 1);
			if (c->bg != pen_bg || (c->ch != ' ' && c->fg != pen_fg)) {
				g_string_append(out, "\033[");
				if (c->ch != ' ' && c->fg != pen_fg) {
					put_color(out, r->mode, c->fg, false);
					pen_fg = c->fg;
					if (c->bg != pen_bg)
						g_string_append_c(out, ';');
				}
				if (c->bg != pen_bg) {
					put_color(out, r->mode, c->bg, true);
					pen_bg = c->bg;
				}
				g_string_append_c(out, 'm');
			}
			n = g_unichar_to_utf8(c->ch, utf8);
			g_string_append_len(out, utf8, n);
			cur_x = x + 1;
			cur_y = y;
		}
	}
	if (pen_fg != -2 || pen_bg != -2)
		g_string_append(out, "\033[0m");
	r->next = r->shown;
	r->shown = now;
	r->known = true;
}

void render_frame(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int x0, int y0, int cols, int rows, bool all,
		  GString *out)
{
	if (cols <= 0 || rows <= 0 || w <= 0 || h <= 0)
		return;
	set_geometry(r, cols, rows);
	if (x0 != r->x0 || y0 != r->y0) {
		r->x0 = x0;
		r->y0 = y0;
		render_invalidate(r);
	}
	chafa_canvas_draw_all_pixels(r->canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED,
				     pixels, w, h, stride);
	if (render_mode_is_pixels(r->mode)) {
		GString *img = chafa_canvas_print(r->canvas, r->term);

		g_string_append_printf(out, "\033[%d;%dH", y0 + 1, x0 + 1);
		g_string_append_len(out, img->str, (gssize)img->len);
		g_string_free(img, TRUE);
		return;
	}
	emit_cells(r, out, all);
}


void render_cells(struct render *r, const uint8_t *pixels, int w, int h,
		  int stride, int cols, int rows, struct render_cell *cells)
{
	set_geometry(r, cols, rows);
	chafa_canvas_draw_all_pixels(r->canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED,
				     pixels, w, h, stride);
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols; x++)
			get_cell(r, x, y, &cells[y * cols + x]);
}

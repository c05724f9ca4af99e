/*
 * text.c — a guest's screen read as text.  Firmware, boot menus, text
 * installers and the Linux console draw characters of a known font on
 * a grid; cut the framebuffer into that grid, split each cell into its
 * two colours and look its bitmap up among the fonts' glyphs, and the
 * screen is characters again: one terminal cell each, in any font,
 * copyable, a few bytes per change.
 *
 * The glyphs come from the files QEMU and Debian ship, read once at run
 * time: the 8×16 font of SeaVGABIOS (what QEMU's VGA shows in text mode,
 * found in the ROM by the shape of its block characters; its order is
 * code page 437) and the console fonts of console-setup (PSF, with their
 * Unicode tables: the Linux console's framebuffer fonts).  A VGA text
 * mode cell is 9 pixels wide: its ninth column repeats the eighth or is
 * background, and is not compared.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "console/text.h"
#include "core/error.h"
#include "core/files.h"

#define GLYPH_H 16
#define ROM_MAX (256 * 1024)
#define FONT_MAX (1024 * 1024)
#define CURSOR_TOP 11           /* where an underline cursor may start */

struct glyph {
	uint8_t rows[GLYPH_H];
};

struct text_fonts {
	GHashTable *map;        /* struct glyph * -> code point */
	unsigned files;         /* fonts read */
};

static guint glyph_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (int i = 0; i < GLYPH_H; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean glyph_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, GLYPH_H) == 0;
}

/* The first font to give a bitmap keeps it. */
static void add_glyph(struct text_fonts *f, const uint8_t *rows, gunichar cp)
{
	struct glyph *g;

	if (g_hash_table_contains(f->map, rows))
		return;
	g = g_new(struct glyph, 1);
	memcpy(g->rows, rows, GLYPH_H);
	g_hash_table_insert(f->map, g, GUINT_TO_POINTER(cp));
}

static gunichar lookup(const struct text_fonts *f, const uint8_t *rows)
{
	gpointer v;

	return g_hash_table_lookup_extended(f->map, rows, NULL, &v) ? GPOINTER_TO_UINT(v) : 0;
}

/* ---- PSF fonts (console-setup) ------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A gzip'd file's bytes, at most @max of them; NULL if it is not one. */
static GBytes *gunzip(const char *data, size_t len, size_t max)
{
	g_autoptr(GConverter) z = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
	g_autoptr(GByteArray) out = g_byte_array_new();
	size_t in_pos = 0;
	uint8_t buf[16384];

	for (;;) {
		gsize r = 0, w = 0;
		GConverterResult res = g_converter_convert(z, data + in_pos, len - in_pos, buf,
							   sizeof buf, G_CONVERTER_INPUT_AT_END,
							   &r, &w, NULL);

		if (res == G_CONVERTER_ERROR)
			return NULL;
		in_pos += r;
		g_byte_array_append(out, buf, (guint)w);
		if (out->len > max)
			return NULL;
		if (res == G_CONVERTER_FINISHED)
			break;
		if (!r && !w)
			return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

/* The glyphs of a PSF 1 or 2 font 8 pixels wide and 16 high with a
 * Unicode table; other fonts are skipped. */
static bool add_psf(struct text_fonts *f, const uint8_t *d, size_t n)
{
	size_t count, size, off, height, width, i;
	bool unicode, v2;

	if (n >= 4 && d[0] == 0x36 && d[1] == 0x04) {
		v2 = false;
		count = d[2] & 1 ? 512 : 256;
		unicode = d[2] & 2;
		height = size = d[3];
		width = 8;
		off = 4;
	} else if (n >= 32 && le32(d) == 0x864ab572u) {
		v2 = true;
		off = le32(d + 8);
		unicode = le32(d + 12) & 1;
		count = le32(d + 16);
		size = le32(d + 20);
		height = le32(d + 24);
		width = le32(d + 28);
	} else {
		return false;
	}
	if (width != 8 || height != GLYPH_H || size != GLYPH_H || !unicode || count > 4096 ||
	    off > n || count * size > n - off)
		return false;
	/* the Unicode table: per glyph, its code points, then a separator
	 * (0xFFFF / 0xFF); a sequence (0xFFFE / 0xFE) ends the single ones */
	i = off + count * size;
	for (size_t g = 0; g < count && i < n; g++) {
		const uint8_t *rows = d + off + g * size;
		bool seq = false;

		while (i < n) {
			gunichar cp;

			if (!v2) {
				if (i + 1 >= n)
					return true;
				cp = (gunichar)d[i] | (gunichar)d[i + 1] << 8;
				i += 2;
				if (cp == 0xFFFF)
					break;
				if (cp == 0xFFFE) {
					seq = true;
					continue;
				}
			} else {
				const char *p = (const char *)d + i;
				gunichar u;

				if (d[i] == 0xFF) {
					i++;
					break;
				}
				if (d[i] == 0xFE) {
					seq = true;
					i++;
					continue;
				}
				u = g_utf8_get_char_validated(p, (gssize)MIN(n - i, 4));
				if (u == (gunichar)-1 || u == (gunichar)-2)
					return true;
				cp = u;
				i += (size_t)(g_utf8_next_char(p) - p);
			}
			if (!seq && cp >= 0x20 && cp != 0x7F)
				add_glyph(f, rows, cp);
		}
	}
	return true;
}

static void add_psf_file(struct text_fonts *f, const char *path)
{
	size_t len = 0;
	g_autofree char *data = core_read_file(path, FONT_MAX, 0, "console font", &len);
	g_autoptr(GBytes) plain = NULL;
	gsize n;
	const uint8_t *d;

	if (!data) {
		core_error_clear();
		return;
	}
	if (len >= 2 && (uint8_t)data[0] == 0x1f && (uint8_t)data[1] == 0x8b) {
		if (!(plain = gunzip(data, len, FONT_MAX)))
			return;
		d = g_bytes_get_data(plain, &n);
	} else {
		d = (const uint8_t *)data;
		n = len;
	}
	if (add_psf(f, d, n))
		f->files++;
}

/* ---- the VGA BIOS's font -------------------------------------------------- */

static bool all(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Where the 8×16 table of code page 437 is in a VGA BIOS: the glyphs of
 * NUL and space empty, the full block full, the left and right half
 * blocks their halves. */
static const uint8_t *find_rom_font(const uint8_t *d, size_t n)
{
	for (size_t o = 0; n >= 256 * GLYPH_H && o <= n - 256 * GLYPH_H; o++) {
		const uint8_t *g = d + o;

		if (all(g + 0xDB * GLYPH_H, 0xFF, GLYPH_H) && all(g, 0, GLYPH_H) &&
		    all(g + 0x20 * GLYPH_H, 0, GLYPH_H) && all(g + 0xDD * GLYPH_H, 0xF0, GLYPH_H) &&
		    all(g + 0xDE * GLYPH_H, 0x0F, GLYPH_H))
			return g;
	}
	return NULL;
}

static void add_rom_file(struct text_fonts *f, const char *path)
{
	size_t len = 0;
	g_autofree char *data = core_read_file(path, ROM_MAX, 0, "VGA BIOS", &len);
	const uint8_t *font;

	if (!data) {
		core_error_clear();
		return;
	}
	if (!(font = find_rom_font((const uint8_t *)data, len)))
		return;
	for (int c = 0x20; c < 0x100; c++) {
		char byte = (char)c;
		g_autofree char *u = c == 0x7F ? NULL : g_convert(&byte, 1, "UTF-8", "CP437", NULL, NULL, NULL);

		if (u && *u)
			add_glyph(f, font + c * GLYPH_H, g_utf8_get_char(u));
	}
	f->files++;
}

struct text_fonts *text_fonts_load(const char *const *roms, const char *const *fonts)
{
	struct text_fonts *f = g_new0(struct text_fonts, 1);

	f->map = g_hash_table_new_full(glyph_hash, glyph_equal, g_free, NULL);
	for (; roms && *roms; roms++)
		add_rom_file(f, *roms);
	for (; fonts && *fonts; fonts++)
		add_psf_file(f, *fonts);
	return f;
}

#define CONSOLE_FONTS "/usr/share/consolefonts"

const struct text_fonts *text_fonts_default(void)
{
	static const char *const roms[] = {
		"/usr/share/seabios/vgabios-stdvga.bin",
		"/usr/share/qemu/vgabios-stdvga.bin",
		NULL,
	};
	/* Latin first: where fonts draw two characters alike (Latin a,
	 * Cyrillic а), the first font's name for the bitmap wins */
	static const char *const first[] = {
		"Uni2-VGA16.psf.gz", "Lat15-VGA16.psf.gz", "Uni2-Fixed16.psf.gz",
		"Uni2-Terminus16.psf.gz", "Uni2-TerminusBold16.psf.gz",
	};
	static struct text_fonts *def;
	static gsize once;

	if (g_once_init_enter(&once)) {
		g_autoptr(GPtrArray) fonts = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GDir) dir = g_dir_open(CONSOLE_FONTS, 0, NULL);
		g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func(g_free);
		const char *name;

		for (size_t i = 0; i < G_N_ELEMENTS(first); i++)
			g_ptr_array_add(fonts, g_build_filename(CONSOLE_FONTS, first[i], NULL));
		/* then every other 16-pixel-high font, such as the Linux
		 * console's own 8×16, which some of them carry */
		while (dir && (name = g_dir_read_name(dir)))
			if (g_str_has_suffix(name, "16.psf.gz"))
				g_ptr_array_add(rest, g_build_filename(CONSOLE_FONTS, name, NULL));
		g_ptr_array_sort(rest, (GCompareFunc)(void (*)(void))g_ascii_strcasecmp);
		for (guint i = 0; i < rest->len; i++)
			g_ptr_array_add(fonts, g_strdup(rest->pdata[i]));
		g_ptr_array_add(fonts, NULL);
		def = text_fonts_load(roms, (const char *const *)fonts->pdata);
		g_once_init_leave(&once, 1);
	}
	return def;
}

unsigned text_fonts_count(const struct text_fonts *f)
{
	return f->files;
}

void text_fonts_free(struct text_fonts *f)
{
	if (!f)
		return;
	g_hash_table_destroy(f->map);
	g_free(f);
}

/* ---- reading a screen ------------------------------------------------------ */

static uint32_t px(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The bitmap of the cell's first 8 columns with @on as ink. */
static void bitmap(const uint8_t *cell, int stride, uint32_t on, uint8_t *rows)
{
	for (int y = 0; y < GLYPH_H; y++) {
		const uint8_t *p = cell + (size_t)y * (size_t)stride;
		uint8_t b = 0;

		for (int x = 0; x < 8; x++)
			if (px(p + x * 4) == on)
				b |= (uint8_t)(0x80 >> x);
		rows[y] = b;
	}
}

/* The glyph of the cell with @on as ink; under a cursor (rows of ink
 * across the cell, a block of them), the glyph with those rows cleared,
 * and *@cursor set. */
static gunichar read_glyph(const struct text_fonts *f, const uint8_t *cell, int stride, uint32_t on,
			   bool *cursor)
{
	uint8_t rows[GLYPH_H];
	gunichar cp;

	bitmap(cell, stride, on, rows);
	/* an underline cursor (two or more full rows low in the cell: the
	 * VGA's 13-14, fbcon's 14-15) first, since some fonts have glyphs
	 * of scan lines that look the same */
	for (int y = CURSOR_TOP; y < GLYPH_H - 1; y++) {
		int end = y;
		uint8_t under[GLYPH_H];

		while (end < GLYPH_H && rows[end] == 0xFF)
			end++;
		if (end - y < 2 || (y > CURSOR_TOP && rows[y - 1] == 0xFF))
			continue;
		memcpy(under, rows, GLYPH_H);
		memset(under + y, 0, (size_t)(end - y));
		if ((cp = lookup(f, under))) {
			*cursor = true;
			return cp;
		}
	}
	if ((cp = lookup(f, rows)))
		return cp;
	for (int y = 0; y < GLYPH_H;) {
		uint8_t under[GLYPH_H];
		int end = y;

		while (end < GLYPH_H && rows[end] == 0xFF)
			end++;
		if (end == y) {
			y++;
			continue;
		}
		memcpy(under, rows, GLYPH_H);
		memset(under + y, 0, (size_t)(end - y));
		if ((cp = lookup(f, under))) {
			*cursor = true;
			return cp;
		}
		y = end;
	}
	return 0;
}

/* One cell at @cell (RGBA, 16 rows): its character and colours; false
 * for one that is no glyph of the fonts. */
static bool read_cell(const struct text_fonts *f, const uint8_t *cell, int stride,
		      struct text_cell *out, bool *cursor)
{
	uint32_t a = px(cell), b = a;
	bool two = false;

	/* the first 8 columns must hold at most two colours */
	for (int y = 0; y < GLYPH_H; y++) {
		const uint8_t *p = cell + (size_t)y * (size_t)stride;

		for (int x = 0; x < 8; x++) {
			uint32_t c = px(p + x * 4);

			if (c == a || (two && c == b))
				continue;
			if (two)
				return false;
			b = c;
			two = true;
		}
	}
	if (!two) {
		out->ch = ' ';
		out->fg = out->bg = a;
		return true;
	}
	if ((out->ch = read_glyph(f, cell, stride, b, cursor))) {
		out->fg = b;
		out->bg = a;
		return true;
	}
	if ((out->ch = read_glyph(f, cell, stride, a, cursor))) {
		out->fg = a;
		out->bg = b;
		return true;
	}
	return false;
}

/* A cell that is no character as a picture: the mean colours of its
 * top and bottom halves, in fg and bg. */
static void halves(const uint8_t *cell, int stride, int cw, struct text_cell *out)
{
	for (int half = 0; half < 2; half++) {
		uint32_t sum[3] = { 0 };

		for (int y = half * GLYPH_H / 2; y < (half + 1) * GLYPH_H / 2; y++)
			for (int x = 0; x < cw; x++)
				for (int k = 0; k < 3; k++)
					sum[k] += cell[(size_t)y * (size_t)stride + (size_t)x * 4 + (size_t)k];
		for (int k = 0; k < 3; k++)
			sum[k] /= (uint32_t)(cw * GLYPH_H / 2);
		*(half ? &out->bg : &out->fg) = sum[0] << 16 | sum[1] << 8 | sum[2];
	}
	out->ch = 0;
	out->matched = false;
}

/* Reads the screen on a grid of @cw × 16 cells; the cells matched, and
 * in *@ink those of them that are not blank. */
static unsigned read_grid(const struct text_fonts *f, const uint8_t *rgba, int w, int h, int stride,
			  int cw, struct text_screen *t, unsigned *ink)
{
	unsigned matched = 0;

	*ink = 0;
	t->cols = w / cw;
	t->rows = h / GLYPH_H;
	t->cell_w = cw;
	t->cell_h = GLYPH_H;
	t->cursor_x = t->cursor_y = -1;
	g_free(t->cells);
	t->cells = g_new0(struct text_cell, (gsize)t->cols * (gsize)t->rows);
	for (int r = 0; r < t->rows; r++) {
		for (int c = 0; c < t->cols; c++) {
			const uint8_t *cell = rgba + (size_t)r * GLYPH_H * (size_t)stride +
					      (size_t)c * (size_t)cw * 4;
			struct text_cell *tc = &t->cells[r * t->cols + c];
			bool cursor = false;

			if (read_cell(f, cell, stride, tc, &cursor)) {
				tc->matched = true;
				matched++;
				*ink += tc->fg != tc->bg;
				if (cursor) {
					t->cursor_x = c;
					t->cursor_y = r;
				}
			} else {
				halves(cell, stride, cw, tc);
			}
		}
	}
	t->matched = matched;
	return matched;
}

double text_read(const struct text_fonts *f, const uint8_t *rgba, int w, int h, int stride,
		 struct text_screen *t)
{
	/* VGA text mode's 9 columns first; blank cells fit any grid, so the
	 * one whose glyphs match most wins */
	static const int widths[] = { 9, 8 };
	unsigned best_ink = 0;
	double best = 0;
	int best_cw = 0;

	for (unsigned i = 0; i < G_N_ELEMENTS(widths); i++) {
		int cw = widths[i];
		unsigned ink;
		double ratio;

		if (w / cw < TEXT_MIN_COLS || h / GLYPH_H < TEXT_MIN_ROWS || w % cw > cw / 2 + 1)
			continue;
		ratio = (double)read_grid(f, rgba, w, h, stride, cw, t, &ink) /
			((w / cw) * (h / GLYPH_H));
		if (ratio >= TEXT_AUTO_RATIO && w % cw == 0 && ink)
			return ratio;
		if (!best_cw || ink > best_ink) {
			best = ratio;
			best_ink = ink;
			best_cw = cw;
		}
	}
	if (!best_cw) {
		t->cols = t->rows = 0;
		t->matched = 0;
		return 0;
	}
	if (t->cell_w != best_cw) {
		unsigned ink;

		read_grid(f, rgba, w, h, stride, best_cw, t, &ink);
	}
	return best;
}

void text_screen_clear(struct text_screen *t)
{
	g_free(t->cells);
	memset(t, 0, sizeof *t);
}

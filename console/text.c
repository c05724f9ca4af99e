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
 * Unicode tables: the Linux console's framebuffer fonts, Terminus from
 * 6×12 to 16×32).  A VGA text mode cell is 9 pixels wide: its ninth
 * column repeats the eighth or is background, and is not compared.
 *
 * Which grid: every cell size the fonts have is a candidate; a sample of
 * the screen's two-colour cells tells which one's glyphs match, the last
 * frame's grid tried first, and only that one reads the whole screen.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "console/text.h"
#include "core/error.h"
#include "core/files.h"

#define GLYPH_W_MAX 16
#define GLYPH_H_MAX 32
#define KEY_MAX (1 + GLYPH_H_MAX * 2)   /* a length byte, the rows */
#define SIZES_MAX 24
#define ROM_H 16
#define ROM_MAX (256 * 1024)
#define FONT_MAX (1024 * 1024)
#define SAMPLE_CELLS 160        /* two-colour cells a grid is judged by */

/* The glyphs of one cell size: keys are a length byte and the rows, each
 * (w + 7) / 8 bytes, the leftmost pixel in the top bit. */
struct glyphs {
	int w, h, bpr;
	GHashTable *map;        /* key -> code point */
};

struct text_fonts {
	struct glyphs sizes[SIZES_MAX];
	int n;
	unsigned files;         /* fonts read */
};

static guint key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (int i = 0; i <= b[0]; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 1 + (size_t)((const uint8_t *)a)[0]) == 0;
}

/* The table of cell size @w × @h, made if needed; NULL past SIZES_MAX. */
static struct glyphs *size_of(struct text_fonts *f, int w, int h)
{
	struct glyphs *g;

	for (int i = 0; i < f->n; i++)
		if (f->sizes[i].w == w && f->sizes[i].h == h)
			return &f->sizes[i];
	if (f->n == SIZES_MAX)
		return NULL;
	g = &f->sizes[f->n++];
	g->w = w;
	g->h = h;
	g->bpr = (w + 7) / 8;
	g->map = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
	return g;
}

/* The first font to give a bitmap keeps it, but for ASCII: fonts draw
 * their em dash as another's hyphen, and consoles show far more of the
 * latter. */
static void add_glyph(struct glyphs *g, const uint8_t *rows, gunichar cp)
{
	uint8_t key[KEY_MAX];
	size_t len = (size_t)g->h * (size_t)g->bpr;
	gpointer had;

	key[0] = (uint8_t)len;
	memcpy(key + 1, rows, len);
	if (g_hash_table_lookup_extended(g->map, key, NULL, &had) &&
	    (GPOINTER_TO_UINT(had) < 0x7F || cp >= 0x7F))
		return;
	g_hash_table_replace(g->map, g_memdup2(key, 1 + len), GUINT_TO_POINTER(cp));
}

/* @key: the length byte filled in. */
static gunichar lookup(const struct glyphs *g, const uint8_t *key)
{
	gpointer v;

	return g_hash_table_lookup_extended(g->map, key, NULL, &v) ? GPOINTER_TO_UINT(v) : 0;
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

/* The glyphs of a PSF 1 or 2 font with a Unicode table, up to 16 × 32
 * pixels; other fonts are skipped. */
static bool add_psf(struct text_fonts *f, const uint8_t *d, size_t n)
{
	size_t count, size, off, height, width, i;
	bool unicode, v2;
	struct glyphs *g;

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
	if (width < 4 || width > GLYPH_W_MAX || height < 6 || height > GLYPH_H_MAX ||
	    size != height * ((width + 7) / 8) || !unicode || count > 4096 || off > n ||
	    count * size > n - off || !(g = size_of(f, (int)width, (int)height)))
		return false;
	/* the Unicode table: per glyph, its code points, then a separator
	 * (0xFFFF / 0xFF); a sequence (0xFFFE / 0xFE) ends the single ones */
	i = off + count * size;
	for (size_t gi = 0; gi < count && i < n; gi++) {
		const uint8_t *rows = d + off + gi * size;
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
			/* one terminal cell each: no marks that combine,
			 * no wide or invisible characters */
			if (!seq && g_unichar_isprint(cp) && !g_unichar_iszerowidth(cp) &&
			    !g_unichar_iswide(cp) && cp != 0xAD)
				add_glyph(g, rows, cp);
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
	for (size_t o = 0; n >= 256 * ROM_H && o <= n - 256 * ROM_H; o++) {
		const uint8_t *g = d + o;

		if (all(g + 0xDB * ROM_H, 0xFF, ROM_H) && all(g, 0, ROM_H) &&
		    all(g + 0x20 * ROM_H, 0, ROM_H) && all(g + 0xDD * ROM_H, 0xF0, ROM_H) &&
		    all(g + 0xDE * ROM_H, 0x0F, ROM_H))
			return g;
	}
	return NULL;
}

static void add_rom_file(struct text_fonts *f, const char *path)
{
	size_t len = 0;
	g_autofree char *data = core_read_file(path, ROM_MAX, 0, "VGA BIOS", &len);
	const uint8_t *font;
	struct glyphs *g;

	if (!data) {
		core_error_clear();
		return;
	}
	if (!(font = find_rom_font((const uint8_t *)data, len)) || !(g = size_of(f, 8, ROM_H)))
		return;
	for (int c = 0x20; c < 0x100; c++) {
		char byte = (char)c;
		g_autofree char *u = c == 0x7F ? NULL : g_convert(&byte, 1, "UTF-8", "CP437", NULL, NULL, NULL);

		if (u && *u)
			add_glyph(g, font + c * ROM_H, g_utf8_get_char(u));
	}
	f->files++;
}

#define CONSOLE_FONTS "/usr/share/consolefonts"

/* Where fonts draw two characters alike (Latin 3, Cyrillic З), the
 * first font's name for the bitmap wins: these first, then the other
 * Latin ones (Uni2, then Lat15), then the rest by name. */
static const char *const first_fonts[] = {
	"Uni2-VGA16.psf.gz", "Lat15-VGA16.psf.gz", "Uni2-Fixed16.psf.gz",
	"Uni2-Terminus16.psf.gz", "Uni2-TerminusBold16.psf.gz",
};

static int font_rank(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(first_fonts); i++)
		if (strcmp(name, first_fonts[i]) == 0)
			return (int)i;
	return G_N_ELEMENTS(first_fonts) + (g_str_has_prefix(name, "Uni2-") ? 0 :
					    g_str_has_prefix(name, "Lat15-") ? 1 : 2);
}

static gint by_rank(gconstpointer a, gconstpointer b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int rx = font_rank(x), ry = font_rank(y);

	return rx != ry ? rx - ry : strcmp(x, y);
}

const struct text_fonts *text_fonts_default(void)
{
	static const char *const roms[] = {
		"/usr/share/seabios/vgabios-stdvga.bin",
		"/usr/share/qemu/vgabios-stdvga.bin",
	};
	static struct text_fonts *def;
	static gsize once;

	if (g_once_init_enter(&once)) {
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GDir) dir = g_dir_open(CONSOLE_FONTS, 0, NULL);
		const char *name;

		def = g_new0(struct text_fonts, 1);
		for (size_t i = 0; i < G_N_ELEMENTS(roms); i++)
			add_rom_file(def, roms[i]);
		/* the Latin fonts of every size, and every other 16-pixel-high
		 * one, such as the Linux console's own 8×16, which some of
		 * them carry */
		while (dir && (name = g_dir_read_name(dir)))
			if (g_str_has_suffix(name, ".psf.gz") &&
			    (g_str_has_prefix(name, "Uni2-") || g_str_has_prefix(name, "Lat15-") ||
			     g_str_has_suffix(name, "16.psf.gz")))
				g_ptr_array_add(names, g_strdup(name));
		g_ptr_array_sort(names, by_rank);
		for (guint i = 0; i < names->len; i++) {
			g_autofree char *path = g_build_filename(CONSOLE_FONTS, names->pdata[i], NULL);

			add_psf_file(def, path);
		}
		g_once_init_leave(&once, 1);
	}
	return def;
}

unsigned text_fonts_count(const struct text_fonts *f)
{
	return f->files;
}

/* ---- reading a screen ------------------------------------------------------ */

/* A grid to try: cells of @cw × @g->h pixels, the glyphs of @g in their
 * first @g->w columns (VGA text mode: 9 wide, 8 of glyph). */
struct grid {
	const struct glyphs *g;
	int cw;
};

static uint32_t px(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The colours of a cell's glyph columns: 1 or 2 of them in *@a, *@b, or
 * 3 for more. */
static int colours(const struct grid *gr, const uint8_t *cell, int stride, uint32_t *a, uint32_t *b)
{
	int n = 1;

	*a = *b = px(cell);
	for (int y = 0; y < gr->g->h; y++) {
		const uint8_t *p = cell + (size_t)y * (size_t)stride;

		for (int x = 0; x < gr->g->w; x++) {
			uint32_t c = px(p + x * 4);

			if (c == *a || (n == 2 && c == *b))
				continue;
			if (n == 2)
				return 3;
			*b = c;
			n = 2;
		}
	}
	return n;
}

/* The key of the cell's bitmap with @on as ink, into @key. */
static void bitmap(const struct grid *gr, const uint8_t *cell, int stride, uint32_t on, uint8_t *key)
{
	const struct glyphs *g = gr->g;

	key[0] = (uint8_t)(g->h * g->bpr);
	memset(key + 1, 0, (size_t)key[0]);
	for (int y = 0; y < g->h; y++) {
		const uint8_t *p = cell + (size_t)y * (size_t)stride;
		uint8_t *row = key + 1 + y * g->bpr;

		for (int x = 0; x < g->w; x++)
			if (px(p + x * 4) == on)
				row[x / 8] |= (uint8_t)(0x80 >> (x % 8));
	}
}

static bool row_full(const struct glyphs *g, const uint8_t *key, int y)
{
	const uint8_t *row = key + 1 + y * g->bpr;

	for (int x = 0; x < g->w; x++)
		if (!(row[x / 8] & (0x80 >> (x % 8))))
			return false;
	return true;
}

/* Under a cursor (rows of ink across the cell): the glyph of @key with
 * a run of full rows cleared, the run starting at @from or below and at
 * least @min rows long; 0 if none gives a glyph. */
static gunichar under_cursor(const struct glyphs *g, const uint8_t *key, int from, int min)
{
	for (int y = from; y < g->h;) {
		uint8_t under[KEY_MAX];
		int end = y;
		gunichar cp;

		while (end < g->h && row_full(g, key, end))
			end++;
		if (end - y < MAX(min, 1)) {
			y = end > y ? end : y + 1;
			continue;
		}
		memcpy(under, key, 1 + (size_t)key[0]);
		memset(under + 1 + y * g->bpr, 0, (size_t)((end - y) * g->bpr));
		if ((cp = lookup(g, under)))
			return cp;
		y = end;
	}
	return 0;
}

/* The glyph of the cell with @on as ink, *@cursor set when it was under
 * a cursor.  An underline cursor (two or more full rows low in the cell:
 * the VGA's 13-14 of 16, fbcon's 14-15) is tried first, since some fonts
 * have glyphs of scan lines that look the same; any other run of full
 * rows last. */
static gunichar read_glyph(const struct grid *gr, const uint8_t *cell, int stride, uint32_t on,
			   bool *cursor)
{
	const struct glyphs *g = gr->g;
	uint8_t key[KEY_MAX];
	gunichar cp;

	bitmap(gr, cell, stride, on, key);
	if ((cp = under_cursor(g, key, g->h * 11 / 16, 2)) || (!(cp = lookup(g, key)) &&
							      (cp = under_cursor(g, key, 0, 1))))
		*cursor = true;
	return cp;
}

/* A cell of the two colours @a and @b: its character and colours, with
 * either as ink; false for one that is no glyph of the grid's fonts. */
static bool read_two(const struct grid *gr, const uint8_t *cell, int stride, uint32_t a,
		     uint32_t b, struct text_cell *out, bool *cursor)
{
	if ((out->ch = read_glyph(gr, cell, stride, b, cursor))) {
		out->fg = b;
		out->bg = a;
		return true;
	}
	if ((out->ch = read_glyph(gr, cell, stride, a, cursor))) {
		out->fg = a;
		out->bg = b;
		return true;
	}
	return false;
}

/* One cell: its character and colours; false for one that is no glyph
 * of the grid's fonts. */
static bool read_cell(const struct grid *gr, const uint8_t *cell, int stride,
		      struct text_cell *out, bool *cursor)
{
	uint32_t a, b;
	int n = colours(gr, cell, stride, &a, &b);

	if (n == 3)
		return false;
	if (n == 1) {
		out->ch = ' ';
		out->fg = out->bg = a;
		return true;
	}
	return read_two(gr, cell, stride, a, b, out, cursor);
}

/* A cell that is no character as a picture: the mean colours of its
 * top and bottom halves, in fg and bg. */
static void halves(const uint8_t *cell, int stride, int cw, int ch, struct text_cell *out)
{
	for (int half = 0; half < 2; half++) {
		uint64_t sum[3] = { 0 };
		int y0 = half * ch / 2, y1 = (half + 1) * ch / 2;

		for (int y = y0; y < y1; y++)
			for (int x = 0; x < cw; x++)
				for (int k = 0; k < 3; k++)
					sum[k] += cell[(size_t)y * (size_t)stride + (size_t)x * 4 + (size_t)k];
		for (int k = 0; k < 3; k++)
			sum[k] /= (uint64_t)(cw * (y1 - y0));
		*(half ? &out->bg : &out->fg) = (uint32_t)(sum[0] << 16 | sum[1] << 8 | sum[2]);
	}
	out->ch = 0;
	out->matched = false;
}

static bool grid_fits(const struct grid *gr, int w, int h)
{
	return w / gr->cw >= TEXT_MIN_COLS && h / gr->g->h >= TEXT_MIN_ROWS &&
	       w % gr->cw <= gr->cw / 2 + 1;
}

/* How many of a spread sample of the screen's cells with two colours
 * (and any with more) are glyphs of @gr: the matches, the tries in
 * *@tried. */
static unsigned sample(const struct grid *gr, const uint8_t *rgba, int w, int h, int stride,
		       unsigned *tried)
{
	int cols = w / gr->cw, rows = h / gr->g->h;
	size_t n = (size_t)cols * (size_t)rows, step = MAX(n / (SAMPLE_CELLS * 4), 1);
	unsigned matched = 0;

	*tried = 0;
	for (size_t i = 0; i < n && *tried < SAMPLE_CELLS; i += step) {
		int r = (int)(i / (size_t)cols), c = (int)(i % (size_t)cols);
		const uint8_t *cell = rgba + (size_t)r * (size_t)gr->g->h * (size_t)stride +
				      (size_t)c * (size_t)gr->cw * 4;
		struct text_cell tc;
		uint32_t a, b;
		bool cursor = false;
		int k = colours(gr, cell, stride, &a, &b);

		if (k == 1)
			continue;
		(*tried)++;
		matched += k == 2 && read_two(gr, cell, stride, a, b, &tc, &cursor);
	}
	return matched;
}

/* Reads the whole screen on grid @gr into @t; the share of its cells
 * that are characters. */
static double read_grid(const struct grid *gr, const uint8_t *rgba, int w, int h, int stride,
			struct text_screen *t)
{
	int cols = w / gr->cw, rows = h / gr->g->h;
	unsigned matched = 0;

	if (t->cols * t->rows != cols * rows || !t->cells) {
		g_free(t->cells);
		t->cells = g_new0(struct text_cell, (gsize)cols * (gsize)rows);
	}
	t->cols = cols;
	t->rows = rows;
	t->cell_w = gr->cw;
	t->cell_h = gr->g->h;
	t->cursor_x = t->cursor_y = -1;
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			const uint8_t *cell = rgba + (size_t)r * (size_t)gr->g->h * (size_t)stride +
					      (size_t)c * (size_t)gr->cw * 4;
			struct text_cell *tc = &t->cells[r * cols + c];
			bool cursor = false;

			if (read_cell(gr, cell, stride, tc, &cursor)) {
				tc->matched = true;
				matched++;
				if (cursor) {
					t->cursor_x = c;
					t->cursor_y = r;
				}
			} else {
				halves(cell, stride, gr->cw, gr->g->h, tc);
			}
		}
	}
	t->matched = matched;
	return (double)matched / (cols * rows);
}

/* The order a grid is tried in: the last frame's (0), then one that
 * divides the width exactly (1), then the others (2). */
static int grid_rank(const struct grid *gr, int w, const struct text_screen *last)
{
	if (gr->cw == last->cell_w && gr->g->h == last->cell_h)
		return 0;
	return w % gr->cw == 0 ? 1 : 2;
}

double text_read(const struct text_fonts *f, const uint8_t *rgba, int w, int h, int stride,
		 struct text_screen *t)
{
	struct grid all[SIZES_MAX * 2], grids[SIZES_MAX * 2], best = { 0 };
	unsigned best_score = 0, best_tried = 0;
	int na = 0, n = 0;

	/* the candidates (none beyond TEXT_MAX_PIXELS): each size (an
	 * 8-wide one as VGA text mode's 9 first), the last frame's grid
	 * first, then those that divide the screen exactly */
	for (int i = 0; i < f->n && (gint64)w * h <= TEXT_MAX_PIXELS; i++) {
		for (int cw = f->sizes[i].w == 8 ? 9 : f->sizes[i].w; cw >= f->sizes[i].w; cw--) {
			struct grid gr = { &f->sizes[i], cw };

			if (grid_fits(&gr, w, h))
				all[na++] = gr;
		}
	}
	for (int rank = 0; rank < 3; rank++)
		for (int i = 0; i < na; i++)
			if (grid_rank(&all[i], w, t) == rank)
				grids[n++] = all[i];
	for (int i = 0; i < n; i++) {
		unsigned tried, score = sample(&grids[i], rgba, w, h, stride, &tried);

		if (!best.g || score > best_score) {
			best = grids[i];
			best_score = score;
			best_tried = tried;
		}
		/* nearly every sampled cell a glyph: look no further */
		if (tried >= 16 && score * 10 >= tried * 9)
			break;
	}
	/* no grid, or one whose glyphs are not half of what the sample saw:
	 * a picture, not worth reading whole */
	if (!best.g || (best_tried >= 16 && best_score * 2 < best_tried)) {
		t->cols = t->rows = 0;
		t->matched = 0;
		return best_tried ? (double)best_score / best_tried : 0;
	}
	return read_grid(&best, rgba, w, h, stride, t);
}

void text_screen_clear(struct text_screen *t)
{
	g_free(t->cells);
	memset(t, 0, sizeof *t);
}

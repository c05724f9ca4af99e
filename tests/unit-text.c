/*
 * unit-text.c — reading a guest's screen as text, on screens captured
 * from real guests (tests/fixtures/text: SeaBIOS, GRUB's menu, the Linux
 * console in VGA text mode and on a UEFI framebuffer, in 8×16 and in
 * Terminus 16×32): every character
 * recognised, box drawing and arrows of code page 437 as Unicode,
 * against the known text of each, the VGA cursor found; a screen with a
 * picture in it (a logo) keeps its text and leaves the picture's cells
 * to the picture path; a screen with no text (the UEFI firmware's logo, a
 * gradient) is not taken for one.
 */
#include "config.h"

#include <string.h>

#include "console/console-priv.h"
#include "console/text.h"
#include "core/error.h"
#include "core/files.h"
#include "tests/tap.h"

static uint8_t *load(const char *name, int *w, int *h)
{
	g_autofree char *path = g_strdup_printf("%s/tests/fixtures/text/%s.png",
						g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".", name);
	size_t len = 0;
	g_autofree char *data = core_read_file(path, 4 << 20, 0, "fixture", &len);

	return data ? console_png_rgba((const uint8_t *)data, len, 4096, w, h) : NULL;
}

/* The screen's text, a line a row, trailing blanks cut, cells not read
 * as "\1". */
static char *screen_text(const struct text_screen *t)
{
	GString *s = g_string_new(NULL);

	for (int y = 0; y < t->rows; y++) {
		gsize start = s->len;

		for (int x = 0; x < t->cols; x++) {
			const struct text_cell *c = &t->cells[y * t->cols + x];

			if (c->matched)
				g_string_append_unichar(s, c->ch);
			else
				g_string_append_c(s, '\1');
		}
		while (s->len > start && s->str[s->len - 1] == ' ')
			g_string_truncate(s, s->len - 1);
		g_string_append_c(s, '\n');
	}
	while (s->len >= 2 && s->str[s->len - 1] == '\n' && s->str[s->len - 2] == '\n')
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

/* Characters of @want (the fixture's known text) that @got has in the
 * same place, over all the characters of @want but blanks. */
static void accuracy(const char *want, const char *got, unsigned *right, unsigned *all)
{
	g_auto(GStrv) w = g_strsplit(want, "\n", -1);
	g_auto(GStrv) g = g_strsplit(got, "\n", -1);

	*right = *all = 0;
	for (guint i = 0; w[i]; i++) {
		const char *gl = i < g_strv_length(g) ? g[i] : "";
		glong n = g_utf8_strlen(gl, -1);
		glong k = 0;

		for (const char *p = w[i]; *p; p = g_utf8_next_char(p), k++) {
			gunichar c = g_utf8_get_char(p);

			if (c == ' ')
				continue;
			(*all)++;
			if (k < n && g_utf8_get_char(g_utf8_offset_to_pointer(gl, k)) == c)
				(*right)++;
		}
	}
}

/* @ux, @uy: a cell whose glyph no font has (-1: none), drawn as a
 * picture. */
static void check_fixture(const char *name, int cols, int rows, int cw, int ch, int ux, int uy)
{
	g_autofree char *txt_path = g_strdup_printf("%s/tests/fixtures/text/%s.txt",
						    g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".", name);
	g_autofree char *want = core_read_file(txt_path, 1 << 16, 0, "fixture", NULL);
	g_autofree uint8_t *px = NULL;
	g_autofree char *got = NULL;
	struct text_screen t = { 0 };
	unsigned right = 0, all = 0;
	int w = 0, h = 0;
	double ratio;

	if (!(px = load(name, &w, &h)) || !want) {
		tap_ok(false, "%s: the fixture loads (%s)", name, core_error_message());
		core_error_clear();
		return;
	}
	ratio = text_read(text_fonts_default(), px, w, h, w * 4, &t);
	got = screen_text(&t);
	accuracy(want, got, &right, &all);
	tap_ok(t.cols == cols && t.rows == rows && t.cell_w == cw && t.cell_h == ch,
	       "%s (%d×%d): a grid of %d×%d cells, %d×%d (got %d×%d of %d×%d)", name, w, h, cw, ch,
	       cols, rows, t.cols, t.rows, t.cell_w, t.cell_h);
	tap_ok(ratio >= TEXT_AUTO_RATIO, "  ... %.1f %% of its cells read as characters", ratio * 100);
	if (ux < 0) {
		tap_ok(right == all && all > 50 && strcmp(got, want) == 0,
		       "  ... its text is the known one: %u of %u characters right", right, all);
		if (strcmp(got, want) != 0)
			tap_diag("got:\n%s", got);
	} else {
		tap_ok(right == all - 1 && all > 50, "  ... its text is the known one: %u of %u characters right",
		       right, all);
		tap_ok(t.cols > ux && t.rows > uy && !t.cells[uy * t.cols + ux].matched,
		       "  ... the one whose glyph no font has (column %d, row %d) is a picture, not a wrong character",
		       ux, uy);
	}
	if (strcmp(name, "linux-vga") == 0)
		tap_ok(t.cursor_x == 2 && t.cursor_y == 13,
		       "  ... the VGA's cursor after the prompt, at column 2 of row 13 (%d, %d)",
		       t.cursor_x, t.cursor_y);
	if (strcmp(name, "linux-efifb") == 0)
		tap_ok(t.cursor_x == 2 && t.cursor_y == 9,
		       "  ... fbcon's cursor after the prompt, at column 2 of row 9 (%d, %d)",
		       t.cursor_x, t.cursor_y);
	if (strcmp(name, "grub-menu") == 0) {
		const struct text_cell *hl = &t.cells[4 * t.cols + 3], *plain = &t.cells[5 * t.cols + 3];

		tap_ok(hl->ch == 'D' && plain->ch == 'D' && hl->fg == plain->bg && hl->bg == plain->fg,
		       "  ... its highlighted entry in the colours of the others swapped");
	}
	if (strcmp(name, "seabios") == 0) {
		/* a logo over its corner: those cells are a picture, the
		 * rest still text */
		for (int y = 0; y < 64; y++)
			for (int x = 540; x < 720; x++) {
				uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 4;

				p[0] = (uint8_t)(x * 7 + y), p[1] = (uint8_t)(y * 5), p[2] = (uint8_t)(x ^ y);
			}
		ratio = text_read(text_fonts_default(), px, w, h, w * 4, &t);
		g_free(got);
		got = screen_text(&t);
		tap_ok(ratio < TEXT_AUTO_RATIO && g_str_has_prefix(got, "SeaBIOS (version 1.16.2-debian-1.16.2-1)") &&
		       !t.cells[79].matched && t.cells[79].fg != t.cells[79].bg,
		       "a mixed screen: its text read (%.1f %%), the logo's cells left as pictures",
		       ratio * 100);
	}
	text_screen_clear(&t);
}

/* A real screen that is mostly a picture: OVMF's logo, and a line of the
 * firmware's own font (not one of ours) at an offset of its own. */
static void check_logo(void)
{
	struct text_screen t = { 0 };
	g_autofree uint8_t *px = NULL;
	int w = 0, h = 0;
	double ratio;

	if (!(px = load("ovmf-logo", &w, &h))) {
		tap_ok(false, "ovmf-logo: the fixture loads (%s)", core_error_message());
		core_error_clear();
		return;
	}
	ratio = text_read(text_fonts_default(), px, w, h, w * 4, &t);
	tap_ok(ratio < TEXT_AUTO_RATIO,
	       "UEFI firmware's logo screen (%d×%d) is left to the picture path (%.1f %% of cells)", w, h,
	       ratio * 100);
	text_screen_clear(&t);
}

static void check_picture(void)
{
	int w = 800, h = 600;
	g_autofree uint8_t *px = g_malloc((size_t)w * (size_t)h * 4);
	struct text_screen t = { 0 };
	double ratio;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 4;

			p[0] = (uint8_t)(x / 4), p[1] = (uint8_t)(y / 3), p[2] = (uint8_t)((x + y) / 6);
			p[3] = 255;
		}
	ratio = text_read(text_fonts_default(), px, w, h, w * 4, &t);
	tap_ok(ratio < 0.05, "a picture (a gradient) is not taken for text (%.1f %% of cells)", ratio * 100);
	text_screen_clear(&t);
}

int main(void)
{
	tap_ok(text_fonts_count(text_fonts_default()) >= 2,
	       "the glyphs of the VGA BIOS and the console fonts load (%u files)",
	       text_fonts_count(text_fonts_default()));
	check_fixture("seabios", 80, 25, 9, 16, -1, -1);
	check_fixture("grub-menu", 80, 25, 9, 16, -1, -1);
	check_fixture("linux-vga", 80, 25, 9, 16, -1, -1);
	check_fixture("linux-efifb", 160, 50, 8, 16, -1, -1);
	/* the kernel's own Terminus 16×32 (fbcon=font:TER16x32), whose ~
	 * is older than console-setup's */
	check_fixture("linux-terminus", 80, 25, 16, 32, 30, 10);
	check_logo();
	check_picture();
	return tap_done();
}

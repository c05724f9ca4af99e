/*
 * unit-console.c — the graphical console's parts that need no guest: what
 * a terminal sends read as keys and pointer events, US scan codes, the
 * renderer's cell diff (a still image writes nothing, a small change
 * writes little), and the PNG writer.
 */
#include "config.h"

#include <string.h>

#include "console/console-priv.h"
#include "console/keys.h"
#include "console/render.h"
#include "tests/tap.h"

static void check_keys(void)
{
	static const struct {
		const char *bytes;
		uint32_t sym;
		unsigned mods;
		const char *what;
	} cases[] = {
		{ "a", 'a', 0, "a letter" },
		{ "A", 'A', 0, "a capital (Shift comes from the scan-code table)" },
		{ "~", '~', 0, "a shifted symbol" },
		{ "\r", 0xff0d, 0, "Enter" },
		{ "\x7f", 0xff08, 0, "Backspace (DEL)" },
		{ "\t", 0xff09, 0, "Tab" },
		{ "\x03", 'c', KEYS_MOD_CTRL, "Ctrl-C" },
		{ "\x1b[A", 0xff52, 0, "Up" },
		{ "\x1bOB", 0xff54, 0, "Down (SS3)" },
		{ "\x1b[1;5C", 0xff53, KEYS_MOD_CTRL, "Ctrl-Right" },
		{ "\x1b[3~", 0xffff, 0, "Delete" },
		{ "\x1b[6~", 0xff56, 0, "Page Down" },
		{ "\x1bOP", 0xffbe, 0, "F1" },
		{ "\x1b[24~", 0xffc9, 0, "F12" },
		{ "\x1b[15;2~", 0xffc2, KEYS_MOD_SHIFT, "Shift-F5" },
		{ "\x1b[Z", 0xff09, KEYS_MOD_SHIFT, "Shift-Tab" },
		{ "\x1bx", 'x', KEYS_MOD_ALT, "Alt-x (Esc then x)" },
		{ "\xc3\xa9", 0xe9, 0, "é (Latin-1 keysym)" },
		{ "\xe4\xb8\xad", 0x01004e2d, 0, "a CJK character (Unicode keysym)" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct keys_event ev;
		size_t len = strlen(cases[i].bytes);
		size_t n = keys_parse(cases[i].bytes, len, true, &ev);

		if (!tap_ok(n == len && ev.kind == KEYS_KEY && ev.sym == cases[i].sym &&
			    ev.mods == cases[i].mods, "key: %s", cases[i].what))
			tap_diag("used %zu of %zu, kind %d, sym 0x%x, mods %u", n, len,
				 ev.kind, ev.sym, ev.mods);
	}
}

static void check_partial_and_mouse(void)
{
	struct keys_event ev;
	const char *seq = "\x1b[<0;12;5M\x1b[<0;12;5m\x1b[<65;3;4M";
	size_t n;

	tap_ok(keys_parse("\x1b", 1, true, &ev) == 0, "a lone Esc waits for more");
	n = keys_parse("\x1b", 1, false, &ev);
	tap_ok(n == 1 && ev.sym == 0xff1b, "and is Escape when nothing follows");
	tap_ok(keys_parse("\x1b[1;5", 5, true, &ev) == 0, "a cut sequence waits");
	n = keys_parse("\x1b[1;5", 5, false, &ev);
	tap_ok(n == 5 && ev.kind == KEYS_NONE, "and is dropped when nothing follows");
	tap_ok(keys_parse("\xe4\xb8", 2, true, &ev) == 0, "half a UTF-8 character waits");

	n = keys_parse(seq, strlen(seq), true, &ev);
	tap_ok(n == 10 && ev.kind == KEYS_MOUSE && ev.button == 0 && ev.x == 11 &&
	       ev.y == 4 && ev.press, "SGR mouse: left button down at cell 11,4");
	seq += n;
	n = keys_parse(seq, strlen(seq), true, &ev);
	tap_ok(n == 10 && ev.kind == KEYS_MOUSE && !ev.press, "and up");
	seq += n;
	n = keys_parse(seq, strlen(seq), true, &ev);
	tap_ok(n == 10 && ev.kind == KEYS_MOUSE && ev.button == 65, "wheel down");
	n = keys_parse("\x1b[<99999999999;1;1M", 19, true, &ev);
	tap_ok(n == 19, "an absurd mouse report is consumed whole, no overflow");
}

static void check_scancodes(void)
{
	bool shift;

	tap_ok(keys_scancode('a', &shift) == 0x1e && !shift, "scan code of a");
	tap_ok(keys_scancode('A', &shift) == 0x1e && shift, "A is Shift-a");
	tap_ok(keys_scancode('_', &shift) == 0x0c && shift, "_ is Shift-minus");
	tap_ok(keys_scancode('"', &shift) == 0x28 && shift, "\" is Shift-quote");
	tap_ok(keys_scancode('~', &shift) == 0x29 && shift, "~ is Shift-backquote");
	tap_ok(keys_scancode(0xff53, &shift) == 0xcd, "Right is extended (E0 4D)");
	tap_ok(keys_scancode(keys_fkey(12), &shift) == 0x58, "F12");
	tap_ok(keys_scancode(0x01004e2d, &shift) == 0, "no scan code for a CJK character");
}

/* A test image: a gradient, with a white 8×8 square at @sx,@sy. */
static uint8_t *image(int w, int h, int sx, int sy)
{
	uint8_t *p = g_malloc((size_t)w * (size_t)h * 4);

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *q = p + ((size_t)y * (size_t)w + (size_t)x) * 4;
			bool sq = x >= sx && x < sx + 8 && y >= sy && y < sy + 8;

			q[0] = sq ? 255 : (uint8_t)(x * 255 / w);
			q[1] = sq ? 255 : (uint8_t)(y * 255 / h);
			q[2] = sq ? 255 : 64;
			q[3] = 255;
		}
	return p;
}

static void check_render(void)
{
	static const enum render_mode modes[] = { RENDER_TRUECOLOR, RENDER_256, RENDER_16 };
	int w = 320, h = 200;
	g_autofree uint8_t *a = image(w, h, 16, 16);
	g_autofree uint8_t *b = image(w, h, 160, 96);

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct render *r = render_new(modes[i], 0, 0);
		const char *m = render_mode_name(modes[i]);
		GString *full = g_string_new(NULL), *still = g_string_new(NULL);
		GString *moved = g_string_new(NULL), *again = g_string_new(NULL);

		render_frame(r, a, w, h, w * 4, 0, 0, 80, 25, 0, h, false, full);
		render_frame(r, a, w, h, w * 4, 0, 0, 80, 25, 0, h, false, still);
		render_frame(r, b, w, h, w * 4, 0, 0, 80, 25, 0, h, false, moved);
		render_frame(r, b, w, h, w * 4, 0, 0, 80, 25, 0, h, true, again);
		tap_ok(full->len >= 80 * 25, "%s: a first frame draws every cell (%zu bytes)", m, full->len);
		tap_ok(still->len == 0, "%s: the same frame again writes nothing (%zu bytes)", m, still->len);
		tap_ok(moved->len > 0 && moved->len < full->len / 10,
		       "%s: a moved square writes only its cells (%zu bytes)", m, moved->len);
		tap_ok(again->len >= full->len / 2, "%s: a full redraw writes them all again (%zu bytes)",
		       m, again->len);
		render_invalidate(r);
		g_string_truncate(still, 0);
		render_frame(r, b, w, h, w * 4, 0, 0, 80, 25, 0, h, false, still);
		tap_ok(still->len == again->len, "%s: after render_invalidate everything is drawn", m);
		/* the square moves back: only its rows are converted again,
		 * and the result is what a whole conversion gives */
		g_string_truncate(moved, 0);
		render_frame(r, a, w, h, w * 4, 0, 0, 80, 25, 16, 24, false, moved);
		render_frame(r, a, w, h, w * 4, 0, 0, 80, 25, 96, 104, false, moved);
		g_string_truncate(still, 0);
		render_frame(r, a, w, h, w * 4, 0, 0, 80, 25, 0, h, false, still);
		tap_ok(moved->len > 0 && still->len == 0,
		       "%s: converting only the changed rows gives the whole frame (%zu bytes, then %zu)",
		       m, moved->len, still->len);
		g_string_free(full, TRUE);
		g_string_free(still, TRUE);
		g_string_free(moved, TRUE);
		g_string_free(again, TRUE);
		render_free(r);
	}
}

static void check_png(void)
{
	int w = 7, h = 3, w2 = 0, h2 = 0;
	g_autofree uint8_t *rgb = g_malloc((size_t)w * (size_t)h * 3);
	g_autofree uint8_t *back = NULL;
	g_autoptr(GBytes) png = NULL;
	const uint8_t *d;
	gsize len;
	bool same = true;

	for (int i = 0; i < w * h * 3; i++)
		rgb[i] = (uint8_t)(i * 7);
	png = console_png(rgb, w, h);
	d = g_bytes_get_data(png, &len);
	tap_ok(len > 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0, "PNG: written");
	back = console_png_rgba(d, len, 100, &w2, &h2);
	for (int i = 0; back && i < w * h; i++)
		same &= memcmp(back + i * 4, rgb + i * 3, 3) == 0 && back[i * 4 + 3] == 255;
	tap_ok(back && w2 == w && h2 == h && same, "PNG: read back, the same pixels");
	g_clear_pointer(&back, g_free);
	tap_ok(!console_png_rgba(d, len, 5, &w2, &h2) && strstr(core_error_message(), "out of bounds"),
	       "PNG: an image larger than allowed is refused");
	tap_ok(!console_png_rgba(d, len / 2, 100, &w2, &h2), "PNG: a cut file is refused");
	tap_ok(!console_png_rgba((const uint8_t *)"P6\n1 1\n255\nabc", 14, 100, &w2, &h2) &&
	       strstr(core_error_message(), "Not a PNG"), "PNG: something else is refused");
}

/* The probe's replies, @in, leave @typed and the flags. */
static void replies(const char *in, const char *typed, bool kitty, bool sixel, bool da1,
		    const char *what)
{
	struct term_replies r;
	g_autofree char *out = g_malloc(strlen(in) + 1);

	out[console_term_replies(in, strlen(in), &r, out)] = 0;
	tap_is_str(out, typed, "probe replies: %s: what was typed is kept", what);
	tap_ok(r.kitty == kitty && r.sixel == sixel && r.da1 == da1,
	       "probe replies: %s: kitty %d, sixel %d, DA1 %d", what, r.kitty, r.sixel, r.da1);
}

static void check_replies(void)
{
	replies("\033[?62;4;22c", "", false, true, true, "a DA1 with sixel");
	replies("\033[?64;22c", "", false, false, true, "a DA1 without sixel (42 is not 4)");
	replies("\033_Gi=31;OK\033\\\033[?1;2c", "", true, false, true, "kitty, then DA1");
	replies("\033_Gi=31;ENOTSUPPORTED:no\033\\\033[?6c", "", false, false, true,
		"a kitty refusal");
	replies("ls\033_Gi=31;OK\033\\ -l\033[?62;4c\r", "ls -l\r", true, true, true,
		"keys typed before, between and after the replies");
	replies("\033[A\033OP\033", "\033[A\033OP\033", false, false, false,
		"an arrow key, F1 and a lone Esc are keys, not replies");
	replies("q\033[?62;", "q", false, false, false, "a reply cut off at the end");
	replies("\033[?25h", "\033[?25h", false, false, false, "a CSI ? that is no DA1 is kept");
}

int main(void)
{
	check_replies();
	check_keys();
	check_partial_and_mouse();
	check_scancodes();
	check_render();
	check_png();
	return tap_done();
}

/*
 * vnc-render.c — the graphical console's renderer (console/render.c) on
 * real guest screens: milliseconds and bytes per full frame in each output
 * mode, and bytes for a typed character and for a still screen, each
 * against a full redraw of the same frame (render_frame with all=true:
 * what vmtui would write without its cell diff), in the same run.
 *
 *   vnc-render frames TEXT.png TYPED.png [RUNS]
 *       TEXT: a screen; TYPED: the same screen once the guest has echoed
 *       one character.  PNGs as vmtui's screenshot writes them (8-bit RGB
 *       or RGBA, not interlaced).  Prints a table and the targets.
 *   vnc-render full MODE COLS ROWS X0 Y0 FILE.png [RUNS]
 *       One full redraw of FILE at that place: prints "BYTES MS" (median).
 *   vnc-render text FILE.png [KNOWN.txt] [RUNS]
 *       The screen read as text (console/text.c) and drawn as characters
 *       against the same screen in half blocks at the same cells, in 256
 *       colours: milliseconds and bytes per full frame, and with KNOWN
 *       (the screen's text, a line a row) the characters read right.
 *   vnc-render set-resolution NAME W H
 *       Gives the shut-off VM NAME on vmtui's engine (VMTUI_ENGINE_ROOT,
 *       VMTUI_URI) a W×H VGA screen: <resolution> in its video model,
 *       which QEMU's EDID offers and UEFI firmware sets.
 *
 * Used by bench/vnc.sh.  A benchmark, never a test: it asserts no time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chafa.h>
#include <libvirt/virterror.h>

#include "console/console-priv.h"
#include "core/error.h"
#include "core/settings.h"
#include "core/engine.h"
#include "console/render.h"
#include "console/text.h"

/* vmtui's fit view of a 1024×768 screen in a 160×49 terminal with
 * 8×16-pixel cells: 128×48 cells, one guest pixel a terminal pixel */
#define CELL_COLS 160
#define CELL_ROWS 48
#define PIX_COLS 128
#define PIX_ROWS 48
#define PIX_CELL_W 8
#define PIX_CELL_H 16

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("vnc-render: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- PNG in ---------------------------------------------------------------- */

struct image {
	int w, h;
	uint8_t *rgba;
};

static struct image load_png(const char *path)
{
	g_autofree uint8_t *d = NULL;
	g_autoptr(GError) err = NULL;
	struct image im = { 0 };
	gsize len = 0;

	if (!g_file_get_contents(path, (gchar **)&d, &len, &err))
		die("%s", err->message);
	im.rgba = console_png_rgba(d, len, 16384, &im.w, &im.h);
	if (!im.rgba)
		die("%s: %s", path, core_error_message());
	return im;
}

/* ---- timing ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat_ms {
	double median, p95, min;
};

static struct stat_ms stats(double *v, int n)
{
	struct stat_ms s;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.p95 = v[(int)((n * 95 + 99) / 100) - 1]; /* nearest rank */
	s.min = v[0];
	return s;
}

/* One render_frame: milliseconds; the bytes it appended are out->len. */
static double timed_frame(struct render *r, const struct image *im, int x0, int y0,
			  int cols, int rows, int dmg_top, int dmg_bottom, bool all,
			  GString *out)
{
	gint64 t;

	g_string_truncate(out, 0);
	t = g_get_monotonic_time();
	render_frame(r, im->rgba, im->w, im->h, im->w * 4, x0, y0, cols, rows,
		     dmg_top, dmg_bottom, all, out);
	return (double)(g_get_monotonic_time() - t) / 1000.0;
}

/* ---- frames ---------------------------------------------------------------------- */

struct result {
	enum render_mode mode;
	int cols, rows;
	struct stat_ms full_ms, typed_ms, typed_full_ms, still_ms, still_full_ms;
	gsize full_b, typed_b, typed_full_b, still_b, still_full_b;
};

static void check_same(gsize *have, gsize now, const char *what, enum render_mode m)
{
	if (*have != (gsize)-1 && *have != now)
		die("%s in %s: %zu bytes in one run, %zu in another", what, render_mode_name(m), *have, now);
	*have = now;
}

/*
 * Per mode, RUNS rounds, each in turn:
 *   full:   TEXT with all=true (a fresh terminal);
 *   typed:  TYPED after TEXT, the diff (all=false), then TYPED with all=true;
 *   still:  TEXT after TEXT, the diff, then TEXT with all=true.
 * The typed diff converts only the cell rows of the image rows that
 * differ, as vmtui does with the rows VNC reports; the others convert
 * the whole frame.
 */
static struct result bench_mode(enum render_mode m, const struct image *text,
				const struct image *typed, int runs)
{
	bool pix = render_mode_is_pixels(m);
	struct result res = { .mode = m, .cols = pix ? PIX_COLS : CELL_COLS,
			      .rows = pix ? PIX_ROWS : CELL_ROWS };
	struct render *r = render_new(m, pix ? PIX_CELL_W : 0, pix ? PIX_CELL_H : 0);
	g_autoptr(GString) out = g_string_sized_new(1 << 20);
	g_autofree double *t_full = g_new(double, runs), *t_typed = g_new(double, runs);
	g_autofree double *t_typed_full = g_new(double, runs), *t_still = g_new(double, runs);
	g_autofree double *t_still_full = g_new(double, runs);
	int c = res.cols, rw = res.rows, h = text->h, top = h, bottom = 0;

	/* the rows VNC reports changed between TEXT and TYPED */
	for (int y = 0; y < h; y++)
		if (memcmp(text->rgba + (size_t)y * (size_t)text->w * 4,
			   typed->rgba + (size_t)y * (size_t)text->w * 4, (size_t)text->w * 4)) {
			top = MIN(top, y);
			bottom = y + 1;
		}

	res.full_b = res.typed_b = res.typed_full_b = res.still_b = res.still_full_b = (gsize)-1;
	/* warm-up: the canvas, chafa's threads and caches */
	for (int i = 0; i < 2; i++) {
		timed_frame(r, text, 0, 0, c, rw, 0, h, true, out);
		timed_frame(r, typed, 0, 0, c, rw, top, bottom, false, out);
	}
	for (int i = 0; i < runs; i++) {
		t_full[i] = timed_frame(r, text, 0, 0, c, rw, 0, h, true, out);
		check_same(&res.full_b, out->len, "a full frame", m);

		t_typed[i] = timed_frame(r, typed, 0, 0, c, rw, top, bottom, false, out);
		check_same(&res.typed_b, out->len, "a typed character", m);
		t_typed_full[i] = timed_frame(r, typed, 0, 0, c, rw, 0, h, true, out);
		check_same(&res.typed_full_b, out->len, "a typed character (full)", m);

		timed_frame(r, text, 0, 0, c, rw, 0, h, true, out);
		/* a still screen sends no update, so vmtui draws no frame;
		 * this is the cost if it drew one anyway, all rows damaged */
		t_still[i] = timed_frame(r, text, 0, 0, c, rw, 0, h, false, out);
		check_same(&res.still_b, out->len, "a still screen", m);
		t_still_full[i] = timed_frame(r, text, 0, 0, c, rw, 0, h, true, out);
		check_same(&res.still_full_b, out->len, "a still screen (full)", m);
	}
	res.full_ms = stats(t_full, runs);
	res.typed_ms = stats(t_typed, runs);
	res.typed_full_ms = stats(t_typed_full, runs);
	res.still_ms = stats(t_still, runs);
	res.still_full_ms = stats(t_still_full, runs);
	render_free(r);
	return res;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static const char *yes(bool ok)
{
	return ok ? "met" : "NOT met";
}

static int cmd_frames(int argc, char **argv)
{
	struct image text, typed;
	struct result res[5];
	int runs = argc > 4 ? atoi(argv[4]) : 30;
	gsize differ = 0;

	if (argc < 4 || runs <= 0)
		die("usage: vnc-render frames TEXT.png TYPED.png [RUNS]");
	text = load_png(argv[2]);
	typed = load_png(argv[3]);
	if (text.w != typed.w || text.h != typed.h)
		die("the two screens differ in size: %d×%d and %d×%d", text.w, text.h, typed.w, typed.h);
	for (gsize i = 0, n = (gsize)text.w * (gsize)text.h; i < n; i++)
		differ += memcmp(text.rgba + i * 4, typed.rgba + i * 4, 3) != 0;

	printf("screens: %d×%d, %zu pixels differ between TEXT and TYPED; chafa %d.%d.%d, %d threads; %d rounds after 2 warm-ups\n",
	       text.w, text.h, differ, CHAFA_MAJOR_VERSION, CHAFA_MINOR_VERSION,
	       CHAFA_MICRO_VERSION, chafa_get_n_actual_threads(), runs);
	printf("cells: %d×%d half blocks; kitty and sixel %d×%d cells of %d×%d px (%d×%d px: vmtui's fit view with such cells)\n",
	       CELL_COLS, CELL_ROWS, PIX_COLS, PIX_ROWS, PIX_CELL_W, PIX_CELL_H,
	       PIX_COLS * PIX_CELL_W, PIX_ROWS * PIX_CELL_H);
	for (int m = RENDER_KITTY; m <= RENDER_16; m++)
		res[m] = bench_mode((enum render_mode)m, &text, &typed, runs);

	printf("\nfull frame (TEXT, all=true), ms per frame and bytes:\n");
	printf("  %-10s %8s %8s %8s %12s\n", "mode", "median", "p95", "min", "bytes");
	for (int m = RENDER_KITTY; m <= RENDER_16; m++)
		printf("  %-10s %8.2f %8.2f %8.2f %12zu\n", render_mode_name(res[m].mode),
		       res[m].full_ms.median, res[m].full_ms.p95, res[m].full_ms.min, res[m].full_b);

	printf("\ntyped character (TYPED after TEXT): the diff against a full redraw\n");
	printf("  %-10s %10s %12s %10s   %14s %14s\n", "mode", "diff B", "full B", "ratio",
	       "diff ms (med)", "full ms (med)");
	for (int m = RENDER_KITTY; m <= RENDER_16; m++)
		printf("  %-10s %10zu %12zu %10.5f   %14.2f %14.2f\n", render_mode_name(res[m].mode),
		       res[m].typed_b, res[m].typed_full_b, ratio((double)res[m].typed_b, (double)res[m].typed_full_b),
		       res[m].typed_ms.median, res[m].typed_full_ms.median);

	printf("\nstill screen (TEXT after TEXT): the diff against a full redraw\n");
	printf("  %-10s %10s %12s %10s   %14s %14s\n", "mode", "diff B", "full B", "ratio",
	       "diff ms (med)", "full ms (med)");
	for (int m = RENDER_KITTY; m <= RENDER_16; m++)
		printf("  %-10s %10zu %12zu %10.5f   %14.2f %14.2f\n", render_mode_name(res[m].mode),
		       res[m].still_b, res[m].still_full_b, ratio((double)res[m].still_b, (double)res[m].still_full_b),
		       res[m].still_ms.median, res[m].still_full_ms.median);
	printf("  (kitty and sixel have no diff: render_frame sends the whole image every time)\n");

	printf("\ntargets (docs: vnc-in-terminal.md §5.7), printed, not asserted:\n");
	for (int m = RENDER_TRUECOLOR; m <= RENDER_16; m++)
		printf("  full frame converts in <= 10 ms (p95), %-9s: %.2f ms, %s\n",
		       render_mode_name((enum render_mode)m), res[m].full_ms.p95,
		       yes(res[m].full_ms.p95 <= 10.0));
	printf("  <= 130 KB per full truecolour frame: %.1f KB, %s\n",
	       res[RENDER_TRUECOLOR].full_b / 1000.0, yes(res[RENDER_TRUECOLOR].full_b <= 130000));
	printf("  <= 150 bytes per typed character, truecolor: %zu B, %s\n",
	       res[RENDER_TRUECOLOR].typed_b, yes(res[RENDER_TRUECOLOR].typed_b <= 150));
	printf("  zero bytes for a still screen, truecolor: %zu B, %s\n",
	       res[RENDER_TRUECOLOR].still_b, yes(res[RENDER_TRUECOLOR].still_b == 0));

	printf("\nbench vnc-render: full frame truecolor %.2f ms %.1f KB, 256 %.2f ms %.1f KB, sixel %.2f ms %.1f KB, kitty %.2f ms %.1f KB; typed char truecolor %zu B (full redraw %zu B, ratio %.5f); still screen %zu B (full redraw %zu B)\n",
	       res[RENDER_TRUECOLOR].full_ms.median, res[RENDER_TRUECOLOR].full_b / 1000.0,
	       res[RENDER_256].full_ms.median, res[RENDER_256].full_b / 1000.0,
	       res[RENDER_SIXEL].full_ms.median, res[RENDER_SIXEL].full_b / 1000.0,
	       res[RENDER_KITTY].full_ms.median, res[RENDER_KITTY].full_b / 1000.0,
	       res[RENDER_TRUECOLOR].typed_b, res[RENDER_TRUECOLOR].typed_full_b,
	       ratio((double)res[RENDER_TRUECOLOR].typed_b, (double)res[RENDER_TRUECOLOR].typed_full_b),
	       res[RENDER_TRUECOLOR].still_b, res[RENDER_TRUECOLOR].still_full_b);
	g_free(text.rgba);
	g_free(typed.rgba);
	return 0;
}

/* ---- one full redraw, for the real process' figures ----------------------------- */

static int cmd_full(int argc, char **argv)
{
	struct image im;
	struct render *r;
	g_autoptr(GString) out = g_string_sized_new(1 << 20);
	g_autofree double *t = NULL;
	int mode, cols, rows, x0, y0, runs;
	gsize bytes = 0;

	if (argc < 8 || (mode = render_mode_parse(argv[2])) < 0)
		die("usage: vnc-render full MODE COLS ROWS X0 Y0 FILE.png [RUNS]");
	cols = atoi(argv[3]);
	rows = atoi(argv[4]);
	x0 = atoi(argv[5]);
	y0 = atoi(argv[6]);
	runs = argc > 8 ? atoi(argv[8]) : 15;
	if (cols <= 0 || rows <= 0 || x0 < 0 || y0 < 0 || runs <= 0)
		die("bad geometry or runs");
	im = load_png(argv[7]);
	t = g_new(double, runs);
	r = render_new((enum render_mode)mode, 0, 0);
	timed_frame(r, &im, x0, y0, cols, rows, 0, im.h, true, out); /* warm-up */
	for (int i = 0; i < runs; i++) {
		t[i] = timed_frame(r, &im, x0, y0, cols, rows, 0, im.h, true, out);
		bytes = out->len;
	}
	printf("%zu %.3f\n", bytes, stats(t, runs).median);
	render_free(r);
	g_free(im.rgba);
	return 0;
}

/* ---- text -------------------------------------------------------------------------- */

/* Characters of @known (but blanks) that @t has in the same place. */
static void text_accuracy(const char *known, const struct text_screen *t, unsigned *right,
			  unsigned *all)
{
	g_auto(GStrv) lines = g_strsplit(known, "\n", -1);

	*right = *all = 0;
	for (int y = 0; lines[y]; y++) {
		int x = 0;

		for (const char *p = lines[y]; *p; p = g_utf8_next_char(p), x++) {
			gunichar c = g_utf8_get_char(p);
			const struct text_cell *tc;

			if (c == ' ')
				continue;
			(*all)++;
			tc = y < t->rows && x < t->cols ? &t->cells[y * t->cols + x] : NULL;
			if (tc && tc->matched && tc->ch == c)
				(*right)++;
		}
	}
}

static int cmd_text(int argc, char **argv)
{
	const struct text_fonts *f = text_fonts_default();
	g_autoptr(GString) out = g_string_sized_new(1 << 20);
	g_autofree double *tt = NULL, *tp = NULL;
	g_autofree char *known = NULL;
	struct text_screen t = { 0 };
	struct render *rt, *rp;
	struct image im;
	gsize text_b = 0, pic_b = 0;
	struct stat_ms st, sp;
	int runs, cols, rows;
	double ratio_cells;

	if (argc < 3)
		die("usage: vnc-render text FILE.png [KNOWN.txt] [RUNS]");
	runs = argc > 4 ? atoi(argv[4]) : 30;
	if (runs <= 0)
		die("bad runs");
	if (argc > 3 && *argv[3] && !g_file_get_contents(argv[3], &known, NULL, NULL))
		die("cannot read %s", argv[3]);
	im = load_png(argv[2]);
	ratio_cells = text_read(f, im.rgba, im.w, im.h, im.w * 4, &t);
	cols = t.cols ? t.cols : im.w / 8;
	rows = t.cols ? t.rows : im.h / 16;
	tt = g_new(double, runs);
	tp = g_new(double, runs);
	rt = render_new(RENDER_256, 0, 0);
	rp = render_new(RENDER_256, 0, 0);
	for (int i = 0; i < runs; i++) {
		gint64 t0 = g_get_monotonic_time();

		/* the text path: read the frame, draw every cell */
		g_string_truncate(out, 0);
		text_read(f, im.rgba, im.w, im.h, im.w * 4, &t);
		if (t.cols) /* no grid: what telling it is no text costs */
			render_text(rt, &t, 0, 0, 0, 0, t.cols, t.rows, false, true, out);
		tt[i] = (double)(g_get_monotonic_time() - t0) / 1000.0;
		text_b = out->len;
		/* the picture path at the same cells */
		tp[i] = timed_frame(rp, &im, 0, 0, cols, rows, 0, im.h, true, out);
		pic_b = out->len;
	}
	st = stats(tt, runs);
	sp = stats(tp, runs);
	if (t.cols)
		printf("%s: %d×%d, a grid of %d×%d cells of %d×%d, %.1f %% of them characters\n",
		       argv[2], im.w, im.h, t.cols, t.rows, t.cell_w, t.cell_h, ratio_cells * 100);
	else
		printf("%s: %d×%d, no text (%.1f %% of a sample of its cells are glyphs); half blocks at %d×%d cells\n",
		       argv[2], im.w, im.h, ratio_cells * 100, cols, rows);
	if (known) {
		unsigned right, all;

		text_accuracy(known, &t, &right, &all);
		printf("  accuracy: %u of %u characters right (%.1f %%)\n", right, all,
		       all ? 100.0 * right / all : 0);
	}
	printf("  full frame as text:        %8.3f ms (p95 %.3f)  %7zu bytes%s\n", st.median, st.p95,
	       text_b, t.cols ? "" : " (only told it is no text)");
	printf("  full frame in half blocks: %8.3f ms (p95 %.3f)  %7zu bytes\n", sp.median, sp.p95, pic_b);
	printf("  text / half blocks: time %.2f, bytes %.3f (target: time at most 1)\n",
	       ratio(st.median, sp.median), ratio((double)text_b, (double)pic_b));
	text_screen_clear(&t);
	render_free(rt);
	render_free(rp);
	g_free(im.rgba);
	return 0;
}

/* ---- the guest's screen size ---------------------------------------------------- */

static int cmd_set_resolution(int argc, char **argv)
{
	autoptr(core_config) cfg = NULL;
	struct engine *eng;
	virDomainPtr dom;
	g_autofree char *xml = NULL, *res = NULL;
	g_autoptr(GString) s = NULL;
	const char *model, *end;
	virDomainPtr def;
	int w, h;

	if (argc != 5 || (w = atoi(argv[3])) <= 0 || (h = atoi(argv[4])) <= 0)
		die("usage: vnc-render set-resolution NAME W H");
	if (!(cfg = core_config_load(NULL)) || !(eng = engine_open(cfg)))
		die("%s", core_error_message());
	if (!(dom = virDomainLookupByName(engine_conn(eng), argv[2])))
		die("no VM named %s", argv[2]);
	if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE)))
		die("cannot read the XML of %s", argv[2]);
	virDomainFree(dom);
	/* <model type='vga' .../> gets a <resolution/> child */
	if (!(model = strstr(xml, "<model type='vga'")) || !(end = strstr(model, "/>")) ||
	    memchr(model, '>', (size_t)(end - model)))
		die("%s has no VGA video model to resize", argv[2]);
	res = g_strdup_printf("><resolution x='%d' y='%d'/></model>", w, h);
	s = g_string_new_len(xml, end - xml);
	g_string_append(s, res);
	g_string_append(s, end + 2);
	if (!(def = virDomainDefineXML(engine_conn(eng), s->str)))
		die("cannot define %s with a %d×%d screen: %s", argv[2], w, h,
		    virGetLastErrorMessage());
	virDomainFree(def);
	if (engine_close(eng) < 0)
		die("the engine did not close");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "frames") == 0)
		return cmd_frames(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "full") == 0)
		return cmd_full(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "text") == 0)
		return cmd_text(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "set-resolution") == 0)
		return cmd_set_resolution(argc, argv);
	die("usage: vnc-render frames|full|text|set-resolution ... (see bench/README.md)");
}

/*
 * theme.c — colours.  A theme gives each element of the screen a
 * foreground and background as #rrggbb; [colors] in the config file picks
 * a theme and may change any element.  What reaches the terminal depends
 * on what it can show: direct colour (TERM=xterm-direct and the like)
 * gets the exact colour, 256-colour terminals the nearest of the xterm
 * palette, others the nearest of the 8 (or 16) basic colours.  A colour
 * given by name ("green", "default") or palette index stays as given.
 * NO_COLOR, the "mono" theme or a terminal without colours: no colour at
 * all, the state glyphs and bold/reverse carry the meaning.
 */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "tui/tui.h"

/* A colour as configured: the terminal's default, a palette index, or an
 * RGB value to be matched to what the terminal has. */
struct colour {
	enum { C_DEFAULT, C_INDEX, C_RGB } kind;
	int value;
};

struct element {
	const char *name;  /* in [colors] */
	int pair;
};

static const struct element elements[] = {
	{ "running", PAIR_RUNNING },
	{ "paused", PAIR_PAUSED },
	{ "off", PAIR_OFF },
	{ "title", PAIR_BAR },
	{ "error", PAIR_ERROR },
	{ "host", PAIR_HOST },
};

/* Foreground and background specs of each element, in element order. */
static const struct theme {
	const char *name;
	const char *spec[G_N_ELEMENTS(elements)];
} themes[] = {
	{ "default", { "green", "yellow", "default", "white on blue", "red", "cyan" } },
	{ "dark", { "#5fd75f", "#ffd75f", "#a8a8a8", "#ffffff on #005f87",
		    "#ff5f5f", "#5fafff" } },
	{ "light", { "#008700", "#af5f00", "#585858", "#ffffff on #005faf",
		     "#d70000", "#005f87" } },
	{ "mono", { 0 } },
};

static const char *const names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* The configured theme and the specs in force. */
static const struct theme *theme = &themes[0];
static char *specs[G_N_ELEMENTS(elements)];

/* "green", "bright-green", "default", "0".."255", "#rrggbb". */
static bool parse_colour(const char *s, struct colour *c)
{
	char *end;
	long v;

	if (strcmp(s, "default") == 0) {
		c->kind = C_DEFAULT;
		return true;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(s, names[i]) == 0 ||
		    (g_str_has_prefix(s, "bright-") && strcmp(s + 7, names[i]) == 0)) {
			c->kind = C_INDEX;
			c->value = i + (s[0] == 'b' && s[1] == 'r' ? 8 : 0);
			return true;
		}
	}
	if (s[0] == '#' && strlen(s) == 7) {
		v = strtol(s + 1, &end, 16);
		if (*end || !g_ascii_isxdigit(s[1]))
			return false;
		c->kind = C_RGB;
		c->value = (int)v;
		return true;
	}
	v = strtol(s, &end, 10);
	if (!g_ascii_isdigit(s[0]) || *end || v > 255)
		return false;
	c->kind = C_INDEX;
	c->value = (int)v;
	return true;
}

/* "FG" or "FG on BG". */
static bool parse_spec(const char *spec, struct colour *fg, struct colour *bg)
{
	g_auto(GStrv) parts = g_strsplit(spec, " on ", 2);
	g_autofree char *f = g_strstrip(g_strdup(parts[0] ? parts[0] : ""));
	g_autofree char *b = parts[0] && parts[1] ? g_strstrip(g_strdup(parts[1])) : NULL;

	bg->kind = C_DEFAULT;
	return parse_colour(f, fg) && (!b || parse_colour(b, bg));
}

int theme_configure(const struct core_config *cfg)
{
	theme = &themes[0];
	for (guint i = 0; i < cfg->colors->len; i++) {
		const struct core_pair *p = cfg->colors->pdata[i];

		if (strcmp(p->key, "theme") != 0)
			continue;
		theme = NULL;
		for (size_t k = 0; k < G_N_ELEMENTS(themes); k++)
			if (strcmp(p->value, themes[k].name) == 0)
				theme = &themes[k];
		if (!theme) {
			core_error(CORE_ERR_USAGE, _("%s: [colors] theme = \"%s\" must be default, dark, light or mono"),
				   cfg->path, p->value);
			return -1;
		}
	}
	for (size_t e = 0; e < G_N_ELEMENTS(elements); e++)
		g_free(specs[e]), specs[e] = g_strdup(theme->spec[e]);
	for (guint i = 0; i < cfg->colors->len; i++) {
		const struct core_pair *p = cfg->colors->pdata[i];
		struct colour fg, bg;
		size_t e;

		if (strcmp(p->key, "theme") == 0)
			continue;
		for (e = 0; e < G_N_ELEMENTS(elements); e++)
			if (strcmp(p->key, elements[e].name) == 0)
				break;
		if (e == G_N_ELEMENTS(elements)) {
			core_error(CORE_ERR_USAGE, _("%s: [colors] \"%s\" is not an element; they are theme, running, paused, off, title, error and host"),
				   cfg->path, p->key);
			return -1;
		}
		if (!parse_spec(p->value, &fg, &bg)) {
			core_error(CORE_ERR_USAGE, _("%s: [colors] %s = \"%s\" is not a colour: give a name (green, bright-green, default), 0 to 255 or #rrggbb, and \"on\" a background"),
				   cfg->path, p->key, p->value);
			return -1;
		}
		g_free(specs[e]);
		specs[e] = g_strdup(p->value);
	}
	return 0;
}

/* Squared distance of two RGB values. */
static int distance(int a, int b)
{
	int dr = (a >> 16) - (b >> 16), dg = ((a >> 8) & 255) - ((b >> 8) & 255);
	int db = (a & 255) - (b & 255);

	return dr * dr + dg * dg + db * db;
}

/* RGB of xterm palette entry @i. */
static int palette_rgb(int i)
{
	static const int basic[16] = {
		0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
		0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
		0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
	};
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (i < 16)
		return basic[i];
	if (i < 232) {
		i -= 16;
		return level[i / 36] << 16 | level[i / 6 % 6] << 8 | level[i % 6];
	}
	i = 8 + (i - 232) * 10;
	return i << 16 | i << 8 | i;
}

/* The colour number to give curses for @c on this terminal. */
static int resolve(const struct colour *c)
{
	int best = 0, n;

	if (c->kind == C_DEFAULT)
		return -1;
	if (c->kind == C_INDEX)
		return c->value < COLORS ? c->value : c->value % 8;
	if (COLORS >= 0x1000000)
		return c->value; /* direct colour: the number is the RGB */
	/* the nearest entry of the palette the terminal has; the basic 8 or
	 * 16 differ between terminals, so 256-colour ones use the cube and
	 * the greys only */
	n = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	for (int i = n == 256 ? 16 : 0; i < n; i++)
		if (distance(palette_rgb(i), c->value) <
		    distance(palette_rgb(best), c->value) || best < (n == 256 ? 16 : 0))
			best = i;
	return best;
}

void theme_apply(struct tui *t)
{
	t->color = has_colors() && !g_getenv("NO_COLOR") && theme->spec[0];
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	for (size_t e = 0; e < G_N_ELEMENTS(elements); e++) {
		struct colour fg, bg;

		if (!parse_spec(specs[e] ? specs[e] : "default", &fg, &bg))
			continue; /* checked by theme_configure */
		init_extended_pair(elements[e].pair, resolve(&fg), resolve(&bg));
	}
}

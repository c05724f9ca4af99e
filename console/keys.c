/*
 * keys.c — what a terminal sends (bytes, escape sequences, SGR mouse
 * reports) as X keysyms and pointer events, and the US keyboard's XT scan
 * codes for QEMU's extended key events.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console/keys.h"

/* X keysyms (X11/keysymdef.h) */
enum {
	XK_BackSpace = 0xff08, XK_Tab = 0xff09, XK_Return = 0xff0d,
	XK_Escape = 0xff1b, XK_Home = 0xff50, XK_Left = 0xff51, XK_Up = 0xff52,
	XK_Right = 0xff53, XK_Down = 0xff54, XK_Page_Up = 0xff55,
	XK_Page_Down = 0xff56, XK_End = 0xff57, XK_Insert = 0xff63,
	XK_F1 = 0xffbe, XK_Delete = 0xffff,
};

/* US layout: the scan code of each printable ASCII character, and
 * whether it needs Shift. */
static const struct {
	char c;
	uint8_t code;
	bool shift;
} us[] = {
	{ ' ', 0x39, 0 }, { '!', 0x02, 1 }, { '"', 0x28, 1 }, { '#', 0x04, 1 },
	{ '$', 0x05, 1 }, { '%', 0x06, 1 }, { '&', 0x08, 1 }, { '\'', 0x28, 0 },
	{ '(', 0x0a, 1 }, { ')', 0x0b, 1 }, { '*', 0x09, 1 }, { '+', 0x0d, 1 },
	{ ',', 0x33, 0 }, { '-', 0x0c, 0 }, { '.', 0x34, 0 }, { '/', 0x35, 0 },
	{ '0', 0x0b, 0 }, { '1', 0x02, 0 }, { '2', 0x03, 0 }, { '3', 0x04, 0 },
	{ '4', 0x05, 0 }, { '5', 0x06, 0 }, { '6', 0x07, 0 }, { '7', 0x08, 0 },
	{ '8', 0x09, 0 }, { '9', 0x0a, 0 }, { ':', 0x27, 1 }, { ';', 0x27, 0 },
	{ '<', 0x33, 1 }, { '=', 0x0d, 0 }, { '>', 0x34, 1 }, { '?', 0x35, 1 },
	{ '@', 0x03, 1 }, { '[', 0x1a, 0 }, { '\\', 0x2b, 0 }, { ']', 0x1b, 0 },
	{ '^', 0x07, 1 }, { '_', 0x0c, 1 }, { '`', 0x29, 0 }, { '{', 0x1a, 1 },
	{ '|', 0x2b, 1 }, { '}', 0x1b, 1 }, { '~', 0x29, 1 },
};

/* a..z, in the order of the alphabet */
static const uint8_t letters[26] = {
	0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
	0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c,
};

/* Keys off the main block; extended ones (E0 prefix) carry 0x80. */
static const struct {
	uint32_t sym;
	uint8_t code;
} special[] = {
	{ XK_Escape, 0x01 }, { XK_BackSpace, 0x0e }, { XK_Tab, 0x0f },
	{ XK_Return, 0x1c }, { KEYS_CONTROL_L, 0x1d }, { KEYS_SHIFT_L, 0x2a },
	{ KEYS_ALT_L, 0x38 }, { XK_Home, 0xc7 }, { XK_Up, 0xc8 },
	{ XK_Page_Up, 0xc9 }, { XK_Left, 0xcb }, { XK_Right, 0xcd },
	{ XK_End, 0xcf }, { XK_Down, 0xd0 }, { XK_Page_Down, 0xd1 },
	{ XK_Insert, 0xd2 }, { XK_Delete, 0xd3 },
	{ XK_F1 + 10, 0x57 }, { XK_F1 + 11, 0x58 }, /* F11, F12 */
};

int keys_scancode(uint32_t sym, bool *shift)
{
	*shift = false;
	if (sym >= 'a' && sym <= 'z')
		return letters[sym - 'a'];
	if (sym >= 'A' && sym <= 'Z') {
		*shift = true;
		return letters[sym - 'A'];
	}
	for (size_t i = 0; i < G_N_ELEMENTS(us); i++)
		if ((uint32_t)(unsigned char)us[i].c == sym) {
			*shift = us[i].shift;
			return us[i].code;
		}
	if (sym >= XK_F1 && sym < XK_F1 + 10)
		return 0x3b + (int)(sym - XK_F1);
	for (size_t i = 0; i < G_N_ELEMENTS(special); i++)
		if (special[i].sym == sym)
			return special[i].code;
	return 0;
}

uint32_t keys_fkey(int n)
{
	return XK_F1 + (uint32_t)(n - 1);
}

static uint32_t unicode_sym(gunichar c)
{
	if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff))
		return c;
	return 0x01000000u | c;
}

/* Modifiers of an xterm parameter (1 + bits: 1 shift, 2 alt, 4 ctrl). */
static unsigned xterm_mods(int p)
{
	unsigned m = 0;

	if (p < 2)
		return 0;
	p--;
	if (p & 1)
		m |= KEYS_MOD_SHIFT;
	if (p & 2)
		m |= KEYS_MOD_ALT;
	if (p & 4)
		m |= KEYS_MOD_CTRL;
	return m;
}

/* CSI parameters: up to 4 numbers separated by ';'. */
static int csi_params(const char *p, const char *end, int *v, int max)
{
	int n = 0;

	v[0] = -1;
	for (; p < end && n < max; p++) {
		if (*p >= '0' && *p <= '9') {
			v[n] = (v[n] < 0 ? 0 : v[n] * 10) + (*p - '0');
			if (v[n] > 100000)
				v[n] = 100000;
		} else if (*p == ';') {
			if (++n < max)
				v[n] = -1;
		}
	}
	return n + 1;
}

static size_t parse_csi(const char *b, size_t len, struct keys_event *ev)
{
	static const struct {
		char final;
		uint32_t sym;
	} finals[] = {
		{ 'A', XK_Up }, { 'B', XK_Down }, { 'C', XK_Right }, { 'D', XK_Left },
		{ 'H', XK_Home }, { 'F', XK_End }, { 'P', XK_F1 }, { 'Q', XK_F1 + 1 },
		{ 'R', XK_F1 + 2 }, { 'S', XK_F1 + 3 }, { 'Z', XK_Tab },
	};
	static const uint32_t tilde[] = {
		[1] = XK_Home, [2] = XK_Insert, [3] = XK_Delete, [4] = XK_End,
		[5] = XK_Page_Up, [6] = XK_Page_Down, [7] = XK_Home, [8] = XK_End,
		[11] = XK_F1, [12] = XK_F1 + 1, [13] = XK_F1 + 2, [14] = XK_F1 + 3,
		[15] = XK_F1 + 4, [17] = XK_F1 + 5, [18] = XK_F1 + 6, [19] = XK_F1 + 7,
		[20] = XK_F1 + 8, [21] = XK_F1 + 9, [23] = XK_F1 + 10, [24] = XK_F1 + 11,
	};
	size_t i = 2;
	int v[4];
	int n;

	/* parameters and intermediates, then a final byte 0x40-0x7e */
	while (i < len && !((unsigned char)b[i] >= 0x40 && (unsigned char)b[i] <= 0x7e))
		i++;
	if (i >= len)
		return 0;
	if (b[2] == '<' && (b[i] == 'M' || b[i] == 'm')) { /* SGR mouse */
		n = csi_params(b + 3, b + i, v, 3);
		if (n == 3 && v[0] >= 0 && v[1] > 0 && v[2] > 0) {
			ev->kind = KEYS_MOUSE;
			ev->button = v[0];
			ev->x = v[1] - 1;
			ev->y = v[2] - 1;
			ev->press = b[i] == 'M';
		}
		return i + 1;
	}
	n = csi_params(b + 2, b + i, v, 4);
	if (b[i] == '~') {
		if (v[0] > 0 && v[0] < (int)G_N_ELEMENTS(tilde) && tilde[v[0]]) {
			ev->kind = KEYS_KEY;
			ev->sym = tilde[v[0]];
			ev->mods = n > 1 ? xterm_mods(v[1]) : 0;
		}
		return i + 1;
	}
	for (size_t k = 0; k < G_N_ELEMENTS(finals); k++)
		if (finals[k].final == b[i]) {
			ev->kind = KEYS_KEY;
			ev->sym = finals[k].sym;
			ev->mods = n > 1 ? xterm_mods(v[1]) : 0;
			if (b[i] == 'Z')
				ev->mods |= KEYS_MOD_SHIFT;
		}
	return i + 1;
}

size_t keys_parse(const char *b, size_t len, bool more_may_come,
		  struct keys_event *ev)
{
	unsigned char c;

	memset(ev, 0, sizeof(*ev));
	if (!len)
		return 0;
	c = (unsigned char)b[0];
	if (c == 0x1b) {
		if (len == 1) {
			if (more_may_come)
				return 0;
			ev->kind = KEYS_KEY;
			ev->sym = XK_Escape;
			return 1;
		}
		if (b[1] == '[') {
			size_t n = parse_csi(b, len, ev);

			if (n == 0 && !more_may_come) { /* a cut sequence: drop it */
				ev->kind = KEYS_NONE;
				return len;
			}
			return n;
		}
		if (b[1] == 'O') { /* SS3: F1-F4, keypad cursor keys */
			if (len < 3)
				return more_may_come ? 0 : len;
			parse_csi(b, 3, ev);
			return 3;
		}
		/* Esc then a key: Alt + that key */
		{
			size_t n = keys_parse(b + 1, len - 1, more_may_come, ev);

			if (n == 0)
				return 0;
			ev->mods |= KEYS_MOD_ALT;
			return n + 1;
		}
	}
	ev->kind = KEYS_KEY;
	if (c == '\r' || c == '\n') {
		ev->sym = XK_Return;
		return 1;
	}
	if (c == '\t') {
		ev->sym = XK_Tab;
		return 1;
	}
	if (c == 0x7f || c == 0x08) {
		ev->sym = XK_BackSpace;
		return 1;
	}
	if (c == 0) { /* Ctrl-Space */
		ev->sym = ' ';
		ev->mods = KEYS_MOD_CTRL;
		return 1;
	}
	if (c < 0x20) { /* Ctrl-A ... Ctrl-_ */
		ev->sym = c < 0x1b ? (uint32_t)(c + 'a' - 1) : (uint32_t)(c + '@');
		ev->mods = KEYS_MOD_CTRL;
		return 1;
	}
	if (c < 0x80) {
		ev->sym = c;
		return 1;
	}
	{
		/* UTF-8: wait for the whole character */
		gunichar u = g_utf8_get_char_validated(b, (gssize)len);
		size_t n;

		if (u == (gunichar)-2)
			return more_may_come ? 0 : len;
		if (u == (gunichar)-1) {
			ev->kind = KEYS_NONE;
			return 1;
		}
		n = (size_t)(g_utf8_next_char(b) - b);
		ev->sym = unicode_sym(u);
		return n;
	}
}

/*
 * printable.c — what of a string from elsewhere may reach a terminal.
 *
 * Names, descriptions, guest addresses, OVF fields, image and template
 * names and libvirt's messages come from others: another libvirt client
 * may rename a domain to "ESC ] 0 ; … BEL", an OVF may carry a right-to-left
 * override.  Written raw, such bytes retitle or recolour the user's
 * terminal, or make text read backwards.  The rule lives here, once:
 * core_char_printable() says which characters may go out as themselves,
 * core_printable() escapes the others for text output, json_escape() for
 * JSON output.
 */
#include "config.h"

#include <string.h>

#include "core/names.h"

bool core_char_printable(gunichar c)
{
	/* C0, DEL and C1 controls (C1 includes CSI 0x9b and OSC 0x9d,
	 * which some terminals obey in UTF-8 too) */
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return false;
	/* line and paragraph separators, noncharacters, surrogates */
	if (c == 0x2028 || c == 0x2029 || (c & 0xfffe) == 0xfffe ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return false;
	/* invisible format characters: bidirectional embeddings, overrides
	 * and isolates (U+202A-202E, U+2066-2069), marks, zero-width
	 * joiners, the BOM... */
	return g_unichar_type(c) != G_UNICODE_FORMAT;
}

/* Appends the escape of @c: "\x1b" for ASCII, "\u202e" or "\U0001d173"
 * beyond. */
static void escape_char(GString *out, gunichar c)
{
	if (c < 0x80)
		g_string_append_printf(out, "\\x%02x", (unsigned)c);
	else if (c <= 0xffff)
		g_string_append_printf(out, "\\u%04x", (unsigned)c);
	else
		g_string_append_printf(out, "\\U%08x", (unsigned)c);
}

char *core_printable(const char *s, bool multiline)
{
	GString *out;
	const char *p, *end;

	if (!s)
		return g_strdup("");
	out = g_string_sized_new(strlen(s));
	end = s + strlen(s);
	for (p = s; p < end;) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			/* not UTF-8: the byte itself, as a number */
			g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
			p++;
			continue;
		}
		if (core_char_printable(c) || (multiline && (c == '\n' || c == '\t')))
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		else
			escape_char(out, c);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

void json_escape(GString *out, const char *s)
{
	const char *p, *end;

	g_string_append_c(out, '"');
	end = s ? s + strlen(s) : NULL;
	for (p = s; p && p < end;) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			/* JSON is UTF-8: a byte that is not becomes U+FFFD */
			g_string_append(out, "\\ufffd");
			p++;
			continue;
		}
		p = g_utf8_next_char(p);
		switch (c) {
		case '"':
			g_string_append(out, "\\\"");
			continue;
		case '\\':
			g_string_append(out, "\\\\");
			continue;
		case '\n':
			g_string_append(out, "\\n");
			continue;
		case '\t':
			g_string_append(out, "\\t");
			continue;
		case '\r':
			g_string_append(out, "\\r");
			continue;
		}
		if (core_char_printable(c)) {
			g_string_append_unichar(out, c);
		} else if (c <= 0xffff) {
			g_string_append_printf(out, "\\u%04x", (unsigned)c);
		} else {
			/* beyond the BMP, as JSON writes it: a surrogate pair */
			c -= 0x10000;
			g_string_append_printf(out, "\\u%04x\\u%04x", 0xd800 + (unsigned)(c >> 10),
					       0xdc00 + (unsigned)(c & 0x3ff));
		}
	}
	g_string_append_c(out, '"');
}

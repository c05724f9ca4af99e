/*
 * unit-names.c — the name, text, size and boot-order rules users meet in
 * every form.
 */
#include "config.h"

#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "core/vm.h"
#include "tests/tap.h"

/* Boot orders: aliases, case and spaces accepted; each mistake named. */
static void check_boot(void)
{
	static const struct { const char *text, *want; } good[] = {
		{ "hd", "hd" },
		{ "cdrom,hd", "cdrom,hd" },
		{ "network,cdrom,hd", "network,cdrom,hd" },
		{ "disk,cd,pxe", "hd,cdrom,network" },
		{ " Net , CDROM ", "network,cdrom" },
		{ "HD", "hd" },
	};
	static const struct { const char *text, *why; } bad[] = {
		{ "", "is empty" },
		{ "   ", "is empty" },
		{ ",", "has an empty item" },
		{ "cdrom,", "has an empty item" },
		{ "cdrom,,hd", "has an empty item" },
		{ "cdrom, ,hd", "has an empty item" },
		{ "floppy", "\"floppy\" is not a boot device: use hd, cdrom or network" },
		{ "fd", "\"fd\" is not a boot device" },
		{ "hd,usb", "\"usb\" is not a boot device" },
		{ "hd;cdrom", "\"hd;cdrom\" is not a boot device" },
		{ "hd,hd", "names hd twice" },
		{ "disk,cdrom,hd", "names hd twice" },
		{ "net,pxe", "names network twice" },
		{ "hd,cdrom,network,hd", "names hd twice" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		struct vm_boot b = { 0 };
		g_autoptr(GString) got = g_string_new(NULL);
		bool ok = core_parse_boot(good[i].text, &b);

		for (unsigned k = 0; ok && k < b.n; k++)
			g_string_append_printf(got, "%s%s", k ? "," : "",
					       vm_boot_dev_id(b.dev[k]));
		tap_is_str(ok ? got->str : core_error_message(), good[i].want,
			   "boot order \"%s\" is read as %s", good[i].text, good[i].want);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct vm_boot b = { .n = 1, .dev = { BOOT_FD } };
		bool ok = core_parse_boot(bad[i].text, &b);

		tap_ok(!ok && core_error_code() == CORE_ERR_USAGE &&
		       strstr(core_error_message(), bad[i].why) &&
		       b.n == 1 && b.dev[0] == BOOT_FD,
		       "boot order \"%s\" is refused saying \"%s\", output untouched (%s)",
		       bad[i].text, bad[i].why, core_error_message());
	}
	tap_ok(!core_parse_boot(NULL, &(struct vm_boot){ 0 }), "no boot order is refused");
}

/* What reaches a terminal: each hostile kind of character is escaped,
 * plain text (also CJK and emoji) is kept. */
static void check_printable(void)
{
	static const struct {
		const char *in, *text, *json;
	} cases[] = {
		{ "plain-name_1", "plain-name_1", "\"plain-name_1\"" },
		{ "测试机 😀", "测试机 😀", "\"测试机 😀\"" },
		/* C0: an OSC title change and a bell */
		{ "a\033]0;PWNED\007b", "a\\x1b]0;PWNED\\x07b", "\"a\\u001b]0;PWNED\\u0007b\"" },
		{ "del\177", "del\\x7f", "\"del\\u007f\"" },
		/* C1 CSI (U+009B) and OSC (U+009D) */
		{ "c1\xc2\x9b" "31m", "c1\\u009b31m", "\"c1\\u009b31m\"" },
		{ "\xc2\x9d" "0;x", "\\u009d0;x", "\"\\u009d0;x\"" },
		/* bidi override, isolate, zero-width space, BOM */
		{ "ab\xe2\x80\xae" "cd", "ab\\u202ecd", "\"ab\\u202ecd\"" },
		{ "\xe2\x81\xa6x", "\\u2066x", "\"\\u2066x\"" },
		{ "z\xe2\x80\x8bw", "z\\u200bw", "\"z\\u200bw\"" },
		{ "\xef\xbb\xbf" "bom", "\\ufeffbom", "\"\\ufeffbom\"" },
		/* line separator, noncharacters */
		{ "l\xe2\x80\xa8s", "l\\u2028s", "\"l\\u2028s\"" },
		{ "n\xef\xbf\xbe", "n\\ufffe", "\"n\\ufffe\"" },
		/* not UTF-8: a lone byte, an overlong NUL, a surrogate */
		{ "bad\xff", "bad\\xff", "\"bad\\ufffd\"" },
		{ "o\xc0\x80", "o\\xc0\\x80", "\"o\\ufffd\\ufffd\"" },
		{ "s\xed\xa0\x80", "s\\xed\\xa0\\x80", "\"s\\ufffd\\ufffd\\ufffd\"" },
		/* kept in multi-line text; escaped in one line */
		{ "two\nlines\tok", "two\nlines\tok", "\"two\\nlines\\tok\"" },
		{ "quote\"back\\slash", "quote\"back\\slash", "\"quote\\\"back\\\\slash\"" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = core_printable(cases[i].in, true);
		g_autoptr(GString) json = g_string_new(NULL);

		json_escape(json, cases[i].in);
		tap_is_str(text, cases[i].text, "printable text #%zu", i);
		tap_is_str(json->str, cases[i].json, "  ... and as JSON");
		tap_ok(g_utf8_validate(text, -1, NULL) && g_utf8_validate(json->str, -1, NULL),
		       "  ... both valid UTF-8");
	}
	{
		g_autofree char *one = core_printable("a\nb\tc", false);

		tap_is_str(one, "a\\x0ab\\x09c", "one-line text escapes newlines and tabs too");
	}
	{
		g_autofree char *none = core_printable(NULL, true);

		tap_is_str(none, "", "NULL prints as nothing");
	}
	/* every code point: what is kept is never a control */
	for (gunichar c = 0; c < 0x110000; c++)
		if (core_char_printable(c) && (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT ||
					       c == 0x2028 || c == 0x2029)) {
			tap_ok(0, "U+%04X is kept but is a control or format character", (unsigned)c);
			return;
		}
	tap_ok(1, "no control, format or separator character is ever kept");
}

static void check_parse_int(void)
{
	long long v = 0;

	tap_ok(core_parse_int("--n", "42", 1, 100, &v) && v == 42, "42 in 1..100");
	tap_ok(!core_parse_int("--timeout", "2147484", 1, 3600, &v) &&
	       strstr(core_error_message(), "from 1 to 3600"), "past the range: refused, naming it");
	tap_ok(!core_parse_int("--n", "99999999999999999999", 0, G_MAXINT64, &v), "past long long");
	tap_ok(!core_parse_int("--n", "-1", 0, 10, &v), "negative");
	tap_ok(!core_parse_int("--n", "12x", 0, 100, &v) && !core_parse_int("--n", "", 0, 100, &v),
	       "not a number, or empty");
}

int main(void)
{
	static const char *const good[] = {
		"web", "lab-01", "my vm", "Ünïcödé", "测试机", "a.b_c", "x",
		"quote\"and'apostrophe", "amp&lt<gt>",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const struct { const char *name, *why; } bad[] = {
		{ "", "empty" },
		{ "a/b", "'/'" },
		{ "tab\there", "control" },
		{ "nl\nx", "control" },
		{ "-dash", "must not start" },
		{ ".hidden", "must not start" },
		{ " lead", "must not start" },
		{ "trail ", "must not end" },
		{ "01234567890123456789012345678901234567890123456789012345678901234", "limit is 64" },
		{ "\xff\xfe", "UTF-8" },
		{ "zero\xe2\x80\x8bwidth", "invisible" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
		tap_ok(core_name_valid(good[i]), "name \"%s\" is accepted", good[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		bool ok = core_name_valid(bad[i].name);

		tap_ok(!ok && core_error_code() == CORE_ERR_USAGE &&
		       strstr(core_error_message(), bad[i].why),
		       "bad name #%zu is refused saying \"%s\" (%s)", i, bad[i].why,
		       core_error_message());
	}

	tap_ok(core_text_valid("description", "line 1\nline 2\ttab <&>\"'"),
	       "description with newline, tab and markup characters is fine");
	tap_ok(!core_text_valid("description", "bell\a"), "BEL is refused");
	tap_ok(!core_text_valid("description", "cr\rlf"), "lone CR is refused");

	tap_ok(core_parse_size("512M", 'M') == 512ull << 20, "512M");
	tap_ok(core_parse_size("20G", 'M') == 20ull << 30, "20G");
	tap_ok(core_parse_size("20GiB", 'M') == 20ull << 30, "20GiB");
	tap_ok(core_parse_size("1.5G", 'M') == 3ull << 29, "1.5G");
	tap_ok(core_parse_size("4096", 'M') == 4096ull << 20, "bare number uses the default unit");
	tap_ok(core_parse_size("8", 'G') == 8ull << 30, "bare number in GiB");
	tap_ok(core_parse_size("1T", 'G') == 1ull << 40, "1T");
	static const char *const bad_sizes[] = { "", "0", "-1G", "abc", "12Q", "1e400", "nan", "G", "10GB2" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad_sizes); i++)
		tap_ok(core_parse_size(bad_sizes[i], 'M') == 0 &&
		       strstr(core_error_message(), "is not a size"),
		       "size \"%s\" is refused", bad_sizes[i]);
	check_boot();
	check_printable();
	check_parse_int();
	return tap_done();
}

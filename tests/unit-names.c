/*
 * unit-names.c — the name, text, size and boot-order rules users meet in
 * every form.
 */
#include "config.h"

#include <string.h>

#include "core.h"
#include "tap.h"

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
	return tap_done();
}

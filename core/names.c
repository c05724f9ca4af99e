/*
 * names.c — the rules for names, free text, sizes and boot orders a user
 * types.  The CLI and the TUI's forms share them, so both give the same
 * messages.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "core/vm.h"
#include "core/i18n.h"

#define NAME_MAX_CHARS 64
#define TEXT_MAX_BYTES (64 * 1024)

bool core_name_valid(const char *name)
{
	glong chars;

	if (!name || !*name) {
		core_error(CORE_ERR_USAGE, _("The VM name is empty."));
		return false;
	}
	if (!g_utf8_validate(name, -1, NULL)) {
		core_error(CORE_ERR_USAGE, _("The VM name is not valid UTF-8 text."));
		return false;
	}
	chars = g_utf8_strlen(name, -1);
	if (chars > NAME_MAX_CHARS) {
		core_error(CORE_ERR_USAGE,
			   _("The VM name is %ld characters long; the limit is %d."),
			   chars, NAME_MAX_CHARS);
		return false;
	}
	for (const char *p = name; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 ||
		    g_unichar_type(c) == G_UNICODE_FORMAT) {
			core_error(CORE_ERR_USAGE,
				   _("The VM name contains a control or invisible character (U+%04X)."),
				   (unsigned)c);
			return false;
		}
		if (c == '/') {
			core_error(CORE_ERR_USAGE,
				   _("The VM name \"%s\" contains '/', which is not allowed."),
				   name);
			return false;
		}
	}
	if (name[0] == '.' || name[0] == '-' || name[0] == ' ') {
		core_error(CORE_ERR_USAGE,
			   _("The VM name \"%s\" must not start with '.', '-' or a space."),
			   name);
		return false;
	}
	if (name[strlen(name) - 1] == ' ') {
		core_error(CORE_ERR_USAGE,
			   _("The VM name \"%s\" must not end with a space."), name);
		return false;
	}
	return true;
}

bool core_text_valid(const char *what, const char *text)
{
	if (!text)
		return true;
	if (!g_utf8_validate(text, -1, NULL)) {
		core_error(CORE_ERR_USAGE, _("The %s is not valid UTF-8 text."), what);
		return false;
	}
	if (strlen(text) > TEXT_MAX_BYTES) {
		core_error(CORE_ERR_USAGE, _("The %s is longer than %d KiB."),
			   what, TEXT_MAX_BYTES / 1024);
		return false;
	}
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		/* XML 1.0 cannot carry most C0 controls, and a lone CR is
		 * folded into LF by every parser: refuse rather than alter. */
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ||
		    c == 0xfffe || c == 0xffff) {
			core_error(CORE_ERR_USAGE,
				   _("The %s contains a control character (U+%04X)."),
				   what, (unsigned)c);
			return false;
		}
	}
	return true;
}

bool core_path_valid(const char *what, const char *path)
{
	if (!path)
		return true;
	if (!*path || !g_utf8_validate(path, -1, NULL)) {
		core_error(CORE_ERR_USAGE, _("The %s path is empty or not valid UTF-8."),
			   what);
		return false;
	}
	for (const char *p = path; *p; p++) {
		/* libvirt keeps paths in XML attributes, where every parser
		 * turns tabs and newlines into spaces: refuse, don't alter */
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			core_error(CORE_ERR_USAGE,
				   _("The %s path contains a control character (tab, newline, ...), which vmtui does not accept in paths."),
				   what);
			return false;
		}
	}
	return true;
}

bool core_parse_int(const char *what, const char *text, long long lo, long long hi,
		    long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = text && *text ? strtoll(text, &end, 10) : 0;
	if (!text || !*text || errno || *end || v < lo || v > hi) {
		core_error(CORE_ERR_USAGE, _("%s needs a whole number from %lld to %lld, not \"%s\"."),
			   what, lo, hi, text ? text : "");
		return false;
	}
	*out = v;
	return true;
}

uint64_t core_parse_size(const char *text, char default_unit)
{
	static const char units[] = "BKMGT";
	const char *u;
	char *end;
	double v;
	char unit;

	if (!text || !*text)
		goto bad;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !isfinite(v) || v <= 0)
		goto bad;
	unit = *end ? g_ascii_toupper(*end) : default_unit;
	if (*end) {
		end++;
		/* accept "G", "GB", "GiB" */
		if (g_ascii_strcasecmp(end, "iB") == 0 ||
		    g_ascii_strcasecmp(end, "B") == 0)
			end += strlen(end);
		if (*end)
			goto bad;
	}
	u = strchr(units, unit);
	if (!u || !unit)
		goto bad;
	for (long i = u - units; i > 0; i--)
		v *= 1024;
	if (v < 1 || v > (double)(UINT64_C(1) << 60))
		goto bad;
	return (uint64_t)v;
bad:
	core_error(CORE_ERR_USAGE,
		   _("\"%s\" is not a size: use a positive number with an optional unit, e.g. 512M, 20G or 1T."),
		   text ? text : "");
	return 0;
}

const char *vm_boot_dev_id(enum vm_boot_dev dev)
{
	switch (dev) {
	case BOOT_HD:
		return "hd";
	case BOOT_CDROM:
		return "cdrom";
	case BOOT_NETWORK:
		return "network";
	case BOOT_FD:
		return "fd";
	}
	return "hd";
}

const char *vm_boot_dev_label(enum vm_boot_dev dev)
{
	switch (dev) {
	/* TRANSLATORS: boot devices in `vmtui info`'s "Boot order:" line */
	case BOOT_HD:
		return _("hard disk");
	case BOOT_CDROM:
		return _("CD-ROM");
	case BOOT_NETWORK:
		return _("network (PXE)");
	case BOOT_FD:
		return _("floppy");
	}
	return "?";
}

/* The words core_parse_boot() takes.  "fd" is not among them: vmtui's
 * machines (q35) have no floppy controller, so it could never boot; it is
 * still read from definitions made elsewhere. */
static const struct {
	const char *word;
	enum vm_boot_dev dev;
} boot_words[] = {
	{ "hd", BOOT_HD },
	{ "disk", BOOT_HD },
	{ "cdrom", BOOT_CDROM },
	{ "cd", BOOT_CDROM },
	{ "network", BOOT_NETWORK },
	{ "net", BOOT_NETWORK },
	{ "pxe", BOOT_NETWORK },
};

bool core_parse_boot(const char *text, struct vm_boot *out)
{
	g_autofree char *all = g_strstrip(g_strdup(text ? text : ""));
	g_auto(GStrv) items = NULL;
	struct vm_boot boot = { 0 };

	if (!*all) {
		core_error(CORE_ERR_USAGE,
			   _("The boot order is empty: list boot devices separated by commas, e.g. cdrom,hd."));
		return false;
	}
	items = g_strsplit(all, ",", -1);
	for (int i = 0; items[i]; i++) {
		const char *item = g_strstrip(items[i]);
		size_t k;

		if (!*item) {
			core_error(CORE_ERR_USAGE,
				   _("The boot order \"%s\" has an empty item: separate boot devices with single commas, e.g. cdrom,hd."),
				   all);
			return false;
		}
		for (k = 0; k < G_N_ELEMENTS(boot_words); k++)
			if (g_ascii_strcasecmp(item, boot_words[k].word) == 0)
				break;
		if (k == G_N_ELEMENTS(boot_words)) {
			core_error(CORE_ERR_USAGE,
				   _("\"%s\" is not a boot device: use hd, cdrom or network (or disk, cd, net, pxe)."),
				   item);
			return false;
		}
		for (unsigned j = 0; j < boot.n; j++) {
			if (boot.dev[j] == boot_words[k].dev) {
				core_error(CORE_ERR_USAGE,
					   _("The boot order \"%s\" names %s twice; give each boot device once."),
					   all, vm_boot_dev_id(boot_words[k].dev));
				return false;
			}
		}
		/* cannot overflow: a longer list must repeat a device */
		boot.dev[boot.n++] = boot_words[k].dev;
	}
	*out = boot;
	return true;
}

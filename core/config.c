/*
 * config.c — the user's configuration: $XDG_CONFIG_HOME/vmtui/vmtui.conf
 * (an ini file, see vmtui(1)), then the VMTUI_* environment variables.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/i18n.h"

#define MIB (UINT64_C(1) << 20)

static struct core_limits limits = {
	.log_size = 4 * MIB,
	.reserve = 512 * MIB,
	.disks = 16,
	.disk_size = UINT64_C(16) << 40,
	.expansion = 100,
	.boot_file = 1024 * MIB,
};

const struct core_limits *core_limits(void)
{
	return &limits;
}

static const char *const accel_names[] = {
	[ACCEL_AUTO] = "auto",
	[ACCEL_KVM] = "kvm",
	[ACCEL_TCG] = "tcg",
};

int accel_mode_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(accel_names); i++)
		if (s && strcmp(s, accel_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *accel_mode_name(enum accel_mode mode)
{
	return accel_names[mode];
}

void core_config_free(struct core_config *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->uri);
	g_free(cfg->local_uri);
	g_free(cfg->engine_root);
	g_free(cfg->pool);
	g_free(cfg->console_graphics);
	g_strfreev(cfg->log_folders);
	g_free(cfg->path);
	g_ptr_array_unref(cfg->hosts);
	g_ptr_array_unref(cfg->keys);
	g_ptr_array_unref(cfg->colors);
	g_free(cfg);
}

static void pair_free(gpointer p)
{
	struct core_pair *pair = p;

	g_free(pair->key);
	g_free(pair->value);
	g_free(pair);
}

/* The "key = value" lines of [@group], in file order. */
static GPtrArray *read_pairs(GKeyFile *kf, const char *group)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(pair_free);
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (size_t i = 0; keys && keys[i]; i++) {
		struct core_pair *pair = g_new0(struct core_pair, 1);

		pair->key = g_strdup(keys[i]);
		pair->value = g_key_file_get_string(kf, group, keys[i], NULL);
		if (!pair->value)
			pair->value = g_strdup("");
		g_ptr_array_add(out, pair);
	}
	return out;
}

/* [hosts]: each a label of at most 32 characters and a libvirt URI. */
static int check_hosts(const char *path, GPtrArray *hosts)
{
	for (guint i = 0; i < hosts->len; i++) {
		const struct core_pair *h = hosts->pdata[i];

		if (g_utf8_strlen(h->key, -1) > 32) {
			core_error(CORE_ERR_USAGE,
				   _("%s: [hosts] \"%s\": a host's label has at most 32 characters"),
				   path, h->key);
			return -1;
		}
		if (!strchr(h->value, ':')) {
			core_error(CORE_ERR_USAGE,
				   _("%s: [hosts] %s = \"%s\" is not a libvirt URI (e.g. qemu+ssh://user@host/system)"),
				   path, h->key, h->value);
			return -1;
		}
	}
	return 0;
}

/* Reads an integer key within [lo, hi]; keeps *out when the key is absent. */
static int read_int(GKeyFile *kf, const char *path, const char *group,
		    const char *key, int lo, int hi, int *out)
{
	g_autofree char *s = g_key_file_get_string(kf, group, key, NULL);
	char *end;
	long v;

	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		core_error(CORE_ERR_USAGE,
			   _("%s: [%s] %s = \"%s\" must be a whole number from %d to %d"),
			   path, group, key, s, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Reads a size key ("4M", "1G"; plain numbers in MiB) within [lo, hi]
 * bytes; keeps *out when the key is absent. */
static int read_size(GKeyFile *kf, const char *path, const char *group,
		     const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
	g_autofree char *s = g_key_file_get_string(kf, group, key, NULL);
	uint64_t v;

	if (!s)
		return 0;
	v = core_parse_size(s, 'M');
	if (!v || v < lo || v > hi) {
		g_autofree char *l = core_format_size(lo);
		g_autofree char *h = core_format_size(hi);

		core_error(CORE_ERR_USAGE, _("%s: [%s] %s = \"%s\" must be a size from %s to %s (e.g. 4M, 2G)"),
			   path, group, key, s, l, h);
		return -1;
	}
	*out = v;
	return 0;
}

static int check_keys(GKeyFile *kf, const char *path, const char *group,
		      const char *const *known, size_t n);

/* [limits]: what imports and guests may make vmtui spend. */
static int apply_limits(struct core_config *cfg, GKeyFile *kf)
{
	static const char *const known[] = { "reserve", "disks", "disk-size", "expansion",
					      "boot-file" };
	struct core_limits l = limits;
	int disks = (int)l.disks, expansion = (int)l.expansion;

	if (check_keys(kf, cfg->path, "limits", known, G_N_ELEMENTS(known)) < 0 ||
	    read_size(kf, cfg->path, "limits", "reserve", MIB, UINT64_C(1) << 50, &l.reserve) < 0 ||
	    read_int(kf, cfg->path, "limits", "disks", 1, 256, &disks) < 0 ||
	    read_size(kf, cfg->path, "limits", "disk-size", MIB, UINT64_C(1) << 50,
		      &l.disk_size) < 0 ||
	    read_int(kf, cfg->path, "limits", "expansion", 2, 100000, &expansion) < 0 ||
	    read_size(kf, cfg->path, "limits", "boot-file", MIB, UINT64_C(64) << 30,
		      &l.boot_file) < 0)
		return -1;
	l.disks = (unsigned)disks;
	l.expansion = (unsigned)expansion;
	limits = l;
	return 0;
}

/* Refuses keys of [@group] not in @known, naming the first one. */
static int check_keys(GKeyFile *kf, const char *path, const char *group,
		      const char *const *known, size_t n)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (size_t i = 0; keys && keys[i]; i++) {
		bool ok = false;

		for (size_t k = 0; k < n; k++)
			ok |= strcmp(keys[i], known[k]) == 0;
		if (!ok) {
			core_error(CORE_ERR_USAGE,
				   _("%s: unknown setting \"%s\" in [%s]"),
				   path, keys[i], group);
			return -1;
		}
	}
	return 0;
}

/* A control key as users write it: "^]", "Ctrl-]" or "C-]" (any case)
 * for the control characters 0x00-0x1f.  The byte, or -1. */
static int parse_ctrl_key(const char *s)
{
	const char *k = NULL;

	if (g_str_has_prefix(s, "^"))
		k = s + 1;
	else if (g_ascii_strncasecmp(s, "ctrl-", 5) == 0)
		k = s + 5;
	else if (g_ascii_strncasecmp(s, "c-", 2) == 0)
		k = s + 2;
	if (!k || !k[0] || k[1])
		return -1;
	if (g_ascii_toupper(*k) >= '@' && g_ascii_toupper(*k) <= '_')
		return g_ascii_toupper(*k) & 0x1f;
	return -1;
}

/* the names of the graphical console's modes, for the config file, the
 * environment, the command line and the console itself */
static const char *const graphics_modes[] = {
	[GRAPHICS_AUTO] = "auto",
	[GRAPHICS_KITTY] = "kitty",
	[GRAPHICS_SIXEL] = "sixel",
	[GRAPHICS_TRUECOLOR] = "truecolor",
	[GRAPHICS_256] = "256",
	[GRAPHICS_16] = "16",
};

int graphics_mode_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(graphics_modes); i++)
		if (g_strcmp0(s, graphics_modes[i]) == 0)
			return (int)i;
	return -1;
}

const char *graphics_mode_name(enum graphics_mode mode)
{
	return graphics_modes[mode];
}

int console_text_parse(const char *s)
{
	static const char *const names[] = { "auto", "on", "off" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_strcmp0(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* [console]: escape = a control key, graphics = a graphics mode, text =
 * auto, on or off, and the serial logs' size and folders. */
static int apply_console(struct core_config *cfg, GKeyFile *kf)
{
	static const char *const known[] = { "escape", "graphics", "text", "log-size", "log-folders" };
	g_autofree char *esc = NULL, *gfx = NULL, *text = NULL;

	if (check_keys(kf, cfg->path, "console", known, G_N_ELEMENTS(known)) < 0)
		return -1;
	esc = g_key_file_get_string(kf, "console", "escape", NULL);
	if (esc) {
		int b = parse_ctrl_key(esc);

		/* NUL, Ctrl-C... are fine for the guest, but a menu key
		 * must be one a terminal sends as itself and users
		 * rarely need: refuse Tab, Enter, Esc and Backspace */
		if (b < 0 || b == '\t' || b == '\r' || b == '\n' || b == 0x1b || b == 0x08) {
			core_error(CORE_ERR_USAGE,
				   _("%s: [console] escape = \"%s\" must be a control key such as ^] or Ctrl-^, and not Tab, Enter, Esc or Backspace"),
				   cfg->path, esc);
			return -1;
		}
		cfg->console_escape = b;
	}
	if (read_size(kf, cfg->path, "console", "log-size", 64 << 10, UINT64_C(1) << 40,
		      &limits.log_size) < 0)
		return -1;
	if (g_key_file_has_key(kf, "console", "log-folders", NULL)) {
		g_strfreev(cfg->log_folders);
		cfg->log_folders = g_key_file_get_string_list(kf, "console", "log-folders", NULL,
							      NULL);
		for (char **f = cfg->log_folders; f && *f; f++) {
			g_strstrip(*f);
			if (!g_path_is_absolute(*f)) {
				core_error(CORE_ERR_USAGE,
					   _("%s: [console] log-folders: \"%s\" is not an absolute path (separate folders with ';')"),
					   cfg->path, *f);
				return -1;
			}
		}
	}
	gfx = g_key_file_get_string(kf, "console", "graphics", NULL);
	if (gfx) {
		if (graphics_mode_parse(gfx) < 0) {
			core_error(CORE_ERR_USAGE,
				   _("%s: [console] graphics = \"%s\" must be auto, kitty, sixel, truecolor, 256 or 16"),
				   cfg->path, gfx);
			return -1;
		}
		g_free(cfg->console_graphics);
		cfg->console_graphics = g_steal_pointer(&gfx);
	}
	text = g_key_file_get_string(kf, "console", "text", NULL);
	if (text) {
		int t = console_text_parse(text);

		if (t < 0) {
			core_error(CORE_ERR_USAGE, _("%s: [console] text = \"%s\" must be auto, on or off"),
				   cfg->path, text);
			return -1;
		}
		cfg->console_text = t;
	}
	return 0;
}

/* Applies the [engine] and [ui] groups of @kf to @cfg. */
static int apply_file(struct core_config *cfg, GKeyFile *kf)
{
	static const char *const known[] = {
		"uri", "root", "accel", "timeout", "shutdown-timeout", "pool",
	};
	static const char *const ui_known[] = { "refresh", "mouse" };
	g_autofree char *accel = NULL;
	char *s;

	if (check_keys(kf, cfg->path, "engine", known, G_N_ELEMENTS(known)) < 0)
		return -1;
	if ((s = g_key_file_get_string(kf, "engine", "uri", NULL))) {
		g_free(cfg->uri);
		cfg->uri = s;
	}
	if ((s = g_key_file_get_string(kf, "engine", "root", NULL))) {
		g_free(cfg->engine_root);
		cfg->engine_root = s;
	}
	if ((s = g_key_file_get_string(kf, "engine", "pool", NULL))) {
		g_free(cfg->pool);
		cfg->pool = s;
	}
	accel = g_key_file_get_string(kf, "engine", "accel", NULL);
	if (accel) {
		int m = accel_mode_parse(accel);

		if (m < 0) {
			core_error(CORE_ERR_USAGE,
				   _("%s: [engine] accel = \"%s\" must be auto, kvm or tcg"),
				   cfg->path, accel);
			return -1;
		}
		cfg->accel = m;
	}
	if (check_keys(kf, cfg->path, "ui", ui_known, G_N_ELEMENTS(ui_known)) < 0 ||
	    read_int(kf, cfg->path, "ui", "refresh", 1, 3600, &cfg->refresh) < 0)
		return -1;
	if (g_key_file_has_key(kf, "ui", "mouse", NULL)) {
		g_autofree char *m = g_key_file_get_string(kf, "ui", "mouse", NULL);

		if (g_strcmp0(m, "yes") && g_strcmp0(m, "no")) {
			core_error(CORE_ERR_USAGE, _("%s: [ui] mouse = \"%s\" must be yes or no"),
				   cfg->path, m ? m : "");
			return -1;
		}
		cfg->mouse = strcmp(m, "yes") == 0;
	}
	g_ptr_array_unref(cfg->hosts);
	g_ptr_array_unref(cfg->keys);
	g_ptr_array_unref(cfg->colors);
	cfg->hosts = read_pairs(kf, "hosts");
	cfg->keys = read_pairs(kf, "keys");
	cfg->colors = read_pairs(kf, "colors");
	if (check_hosts(cfg->path, cfg->hosts) < 0 || apply_console(cfg, kf) < 0 ||
	    apply_limits(cfg, kf) < 0)
		return -1;
	if (read_int(kf, cfg->path, "engine", "timeout", 1, CORE_TIMEOUT_MAX,
		     &cfg->op_timeout) < 0 ||
	    read_int(kf, cfg->path, "engine", "shutdown-timeout", 1, CORE_TIMEOUT_MAX,
		     &cfg->shutdown_timeout) < 0)
		return -1;
	return 0;
}

struct core_config *core_config_load(const char *path)
{
	autoptr(core_config) cfg = g_new0(struct core_config, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *datadir = core_data_dir();
	const char *env;

	cfg->accel = ACCEL_AUTO;
	cfg->op_timeout = 30;
	cfg->shutdown_timeout = 60;
	cfg->pool = g_strdup("default");
	cfg->refresh = 2;
	cfg->mouse = true;
	cfg->console_escape = 0x1d;
	cfg->console_graphics = g_strdup("auto");
	cfg->engine_root = g_build_filename(datadir, "engine", NULL);
	cfg->hosts = g_ptr_array_new();
	cfg->keys = g_ptr_array_new();
	cfg->colors = g_ptr_array_new();
	if (!path)
		path = g_getenv("VMTUI_CONFIG");
	if (path) {
		cfg->path = g_strdup(path);
	} else {
		g_autofree char *dir = core_config_dir();

		cfg->path = g_build_filename(dir, "vmtui.conf", NULL);
	}

	if (!g_key_file_load_from_file(kf, cfg->path, G_KEY_FILE_NONE, &gerr)) {
		if (!g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			core_error(CORE_ERR_USAGE, _("Cannot read %s: %s"),
				   cfg->path, gerr->message);
			return NULL;
		}
	} else if (apply_file(cfg, kf) < 0) {
		return NULL;
	}

	if ((env = g_getenv("VMTUI_URI")) && *env) {
		g_free(cfg->uri);
		cfg->uri = g_strdup(env);
	}
	if ((env = g_getenv("VMTUI_ENGINE_ROOT")) && *env) {
		g_free(cfg->engine_root);
		cfg->engine_root = g_strdup(env);
	}
	if ((env = g_getenv("VMTUI_GRAPHICS")) && *env) {
		if (graphics_mode_parse(env) < 0) {
			core_error(CORE_ERR_USAGE,
				   _("VMTUI_GRAPHICS=\"%s\" must be auto, kitty, sixel, truecolor, 256 or 16"),
				   env);
			return NULL;
		}
		g_free(cfg->console_graphics);
		cfg->console_graphics = g_strdup(env);
	}
	if ((env = g_getenv("VMTUI_ACCEL")) && *env) {
		int m = accel_mode_parse(env);

		if (m < 0) {
			core_error(CORE_ERR_USAGE,
				   _("VMTUI_ACCEL=\"%s\" must be auto, kvm or tcg"),
				   env);
			return NULL;
		}
		cfg->accel = m;
	}
	cfg->local_uri = g_strdup(cfg->uri);
	return g_steal_pointer(&cfg);
}

/* ---- hosts --------------------------------------------------------------- */

static const struct core_pair *find_host(const struct core_config *cfg, const char *label,
					 const char *uri)
{
	for (guint i = 0; i < cfg->hosts->len; i++) {
		const struct core_pair *h = cfg->hosts->pdata[i];

		if ((label && strcmp(h->key, label) == 0) || (uri && strcmp(h->value, uri) == 0))
			return h;
	}
	return NULL;
}

int core_config_host(const struct core_config *cfg, const char *name,
		     char **uri, char **label)
{
	const struct core_pair *h;
	g_autofree char *u = NULL, *l = NULL;

	if (strcmp(name, CORE_LOCAL_HOST) == 0) {
		u = g_strdup(cfg->local_uri);
		l = g_strdup(name);
	} else if (strchr(name, ':')) {
		h = find_host(cfg, NULL, name);
		u = g_strdup(name);
		l = g_strdup(h ? h->key : name);
	} else if ((h = find_host(cfg, name, NULL))) {
		u = g_strdup(h->value);
		l = g_strdup(h->key);
	} else {
		g_autoptr(GString) names = g_string_new(CORE_LOCAL_HOST);

		for (guint i = 0; i < cfg->hosts->len; i++)
			g_string_append_printf(names, ", %s",
					       ((const struct core_pair *)cfg->hosts->pdata[i])->key);
		core_error(CORE_ERR_NOT_FOUND,
			   _("No host named \"%s\": the hosts are %s (vmtui host list; host add NAME URI adds one), or give a libvirt URI"),
			   name, names->str);
		return -1;
	}
	if (uri)
		*uri = g_steal_pointer(&u);
	if (label)
		*label = g_steal_pointer(&l);
	return 0;
}

bool core_host_label_ok(const char *label)
{
	size_t n = strlen(label);

	if (n == 0 || n > 32 || strspn(label, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" cannot name a host: use 1 to 32 letters, digits, '-', '_' or '.'"),
			   label);
		return false;
	}
	if (strcmp(label, CORE_LOCAL_HOST) == 0) {
		core_error(CORE_ERR_USAGE,
			   _("\"local\" names the engine vmtui uses without -c; choose another name"));
		return false;
	}
	return true;
}

int core_config_set_host(struct core_config *cfg, const char *label, const char *uri)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *data = NULL, *dir = g_path_get_dirname(cfg->path);
	gsize len = 0;

	if (!g_key_file_load_from_file(kf, cfg->path, G_KEY_FILE_KEEP_COMMENTS, &gerr) &&
	    !g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), cfg->path, gerr->message);
		return -1;
	}
	g_clear_error(&gerr);
	if (uri)
		g_key_file_set_string(kf, "hosts", label, uri);
	else if (!g_key_file_remove_key(kf, "hosts", label, NULL)) {
		core_error(CORE_ERR_NOT_FOUND, _("%s has no host named \"%s\"."), cfg->path, label);
		return -1;
	}
	data = g_key_file_to_data(kf, &len, NULL);
	if (g_mkdir_with_parents(dir, 0700) < 0 ||
	    !g_file_set_contents_full(cfg->path, data, (gssize)len,
				      G_FILE_SET_CONTENTS_CONSISTENT, 0600, &gerr)) {
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), cfg->path,
			   gerr ? gerr->message : g_strerror(errno));
		return -1;
	}
	g_ptr_array_unref(cfg->hosts);
	cfg->hosts = read_pairs(kf, "hosts");
	return 0;
}

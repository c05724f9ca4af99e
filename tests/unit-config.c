/*
 * unit-config.c — the config file, the environment overrides and atomic
 * writes.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/engine.h"
#include "tests/tap.h"

static char *dir;

static struct core_config *load_text(const char *text)
{
	g_autofree char *path = g_build_filename(dir, "vmtui.conf", NULL);

	if (core_write_file_atomic(path, text, strlen(text), 0600) < 0)
		return NULL;
	return core_config_load(path);
}

int main(void)
{
	struct core_config *cfg;
	g_autofree char *path = NULL;
	g_autofree char *content = NULL;
	g_autoptr(GDir) d = NULL;
	const char *entry;
	int files = 0;
	struct stat st;

	dir = g_dir_make_tmp("vmtui-config-XXXXXX", NULL);
	g_unsetenv("VMTUI_URI");
	g_unsetenv("VMTUI_ACCEL");
	g_unsetenv("VMTUI_ENGINE_ROOT");
	g_setenv("XDG_DATA_HOME", dir, TRUE);

	cfg = load_text("");
	tap_ok(cfg && !cfg->uri && cfg->accel == ACCEL_AUTO &&
	       cfg->op_timeout == 30 && cfg->shutdown_timeout == 60 &&
	       cfg->refresh == 2 && cfg->mouse,
	       "empty file gives the defaults");
	tap_ok(cfg && g_str_has_prefix(cfg->engine_root, dir) &&
	       g_str_has_suffix(cfg->engine_root, "/vmtui/engine"),
	       "engine root defaults to $XDG_DATA_HOME/vmtui/engine");
	core_config_free(cfg);

	/* [hosts]: names, URIs, and writing them back keeping the rest */
	cfg = load_text("# my hosts\n[engine]\nuri = qemu:///system\n\n[hosts]\n# the lab\nlab = qemu+ssh://admin@lab1/system\n");
	{
		g_autofree char *u = NULL, *l = NULL, *text = NULL;

		tap_ok(cfg && core_config_host(cfg, "lab", &u, &l) == 0 &&
		       g_strcmp0(u, "qemu+ssh://admin@lab1/system") == 0 && g_strcmp0(l, "lab") == 0,
		       "a host's name gives its URI");
		g_clear_pointer(&u, g_free);
		g_clear_pointer(&l, g_free);
		tap_ok(cfg && core_config_host(cfg, "qemu+ssh://admin@lab1/system", &u, &l) == 0 &&
		       g_strcmp0(l, "lab") == 0, "  ... and its URI its name");
		g_clear_pointer(&u, g_free);
		tap_ok(cfg && core_config_host(cfg, "local", &u, NULL) == 0 &&
		       g_strcmp0(u, "qemu:///system") == 0, "  ... local is [engine] uri");
		tap_ok(cfg && core_config_host(cfg, "nosuch", NULL, NULL) < 0 &&
		       core_error_code() == CORE_ERR_NOT_FOUND &&
		       strstr(core_error_message(), "the hosts are local, lab"),
		       "  ... an unknown name is refused, naming the hosts there are");
		tap_ok(!core_host_label_ok("a b") && !core_host_label_ok("local") &&
		       !core_host_label_ok("") && core_host_label_ok("lab-2.b_c"),
		       "host names: letters, digits, - _ . and not local");
		tap_ok(cfg && core_config_set_host(cfg, "b", "qemu+tcp://10.0.0.2/system") == 0 &&
		       core_config_set_host(cfg, "lab", NULL) == 0 && cfg->hosts->len == 1 &&
		       g_file_get_contents(cfg->path, &text, NULL, NULL) &&
		       strstr(text, "# my hosts") && strstr(text, "uri=qemu:///system") &&
		       strstr(text, "b=qemu+tcp://10.0.0.2/system") && !strstr(text, "lab1"),
		       "set_host adds and removes entries, keeping comments and other settings");
		tap_ok(cfg && core_config_set_host(cfg, "nosuch", NULL) < 0 &&
		       core_error_code() == CORE_ERR_NOT_FOUND, "  ... removing one that is not there is refused");
	}
	core_config_free(cfg);

	cfg = load_text("[engine]\nuri = test:///default\naccel = tcg\ntimeout = 5\nshutdown-timeout = 9\npool = mine\n");
	tap_ok(cfg && g_strcmp0(cfg->uri, "test:///default") == 0 &&
	       cfg->accel == ACCEL_TCG && cfg->op_timeout == 5 &&
	       cfg->shutdown_timeout == 9 && g_strcmp0(cfg->pool, "mine") == 0,
	       "every [engine] setting is read");
	core_config_free(cfg);

	g_setenv("VMTUI_URI", "qemu:///system", TRUE);
	g_setenv("VMTUI_ACCEL", "kvm", TRUE);
	cfg = load_text("[engine]\nuri = test:///default\naccel = tcg\n");
	tap_ok(cfg && g_strcmp0(cfg->uri, "qemu:///system") == 0 &&
	       cfg->accel == ACCEL_KVM, "VMTUI_URI and VMTUI_ACCEL override the file");
	core_config_free(cfg);
	g_setenv("VMTUI_ACCEL", "fast", TRUE);
	cfg = load_text("");
	tap_ok(!cfg && strstr(core_error_message(), "VMTUI_ACCEL=\"fast\""),
	       "bad VMTUI_ACCEL is named in the error");
	g_unsetenv("VMTUI_ACCEL");
	g_unsetenv("VMTUI_URI");

	cfg = load_text("[engine]\naccel = warp\n");
	tap_ok(!cfg && strstr(core_error_message(), "accel = \"warp\""),
	       "bad accel value is refused with the value");
	cfg = load_text("[engine]\ntimeout = -3\n");
	tap_ok(!cfg && strstr(core_error_message(), "timeout"), "negative timeout refused");
	cfg = load_text("[ui]\nrefresh = 5\nmouse = no\n");
	tap_ok(cfg && cfg->refresh == 5 && !cfg->mouse, "[ui] refresh and mouse are read");
	core_config_free(cfg);
	cfg = load_text("[ui]\nmouse = maybe\n");
	tap_ok(!cfg && strstr(core_error_message(), "mouse = \"maybe\" must be yes or no"),
	       "bad mouse value is refused");
	cfg = load_text("[ui]\ncolour = red\n");
	tap_ok(!cfg && strstr(core_error_message(), "unknown setting \"colour\" in [ui]"),
	       "unknown [ui] setting is refused");
	cfg = load_text("[engine]\nurl = x\n");
	tap_ok(!cfg && strstr(core_error_message(), "unknown setting \"url\""),
	       "misspelt setting is refused by name");
	cfg = load_text("this is not an ini file\n");
	tap_ok(!cfg && core_error_code() == CORE_ERR_USAGE, "malformed file is refused");
	cfg = core_config_load("/nonexistent/vmtui.conf");
	tap_ok(cfg != NULL, "a missing config file means defaults");
	core_config_free(cfg);

	/* atomic write: content replaced whole, no temporary left behind */
	path = g_build_filename(dir, "sub", "state.txt", NULL);
	tap_ok(core_write_file_atomic(path, "one", 3, 0600) == 0 &&
	       core_write_file_atomic(path, "two!", 4, 0640) == 0,
	       "atomic write creates parents and replaces");
	g_file_get_contents(path, &content, NULL, NULL);
	tap_is_str(content, "two!", "file has the new content");
	stat(path, &st);
	tap_ok((st.st_mode & 0777) == 0640, "mode is applied (%o)", st.st_mode & 0777);
	{
		g_autofree char *sub = g_path_get_dirname(path);

		d = g_dir_open(sub, 0, NULL);
	}
	while (d && (entry = g_dir_read_name(d)))
		files++;
	tap_ok(files == 1, "no temporary file left (%d entries)", files);
	chmod(dir, 0500);
	if (geteuid() != 0) {
		g_autofree char *p2 = g_build_filename(dir, "x", NULL);

		tap_ok(core_write_file_atomic(p2, "x", 1, 0600) < 0 &&
		       strstr(core_error_message(), "Cannot write"),
		       "unwritable folder gives a clear error");
	}
	chmod(dir, 0700);
	{
		const char *rm[] = { "rm", "-rf", dir, NULL };

		g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL,
			     NULL, NULL, NULL, NULL, NULL);
	}
	return tap_done();
}

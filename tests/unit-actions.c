/*
 * unit-actions.c — the TUI's one action table: every action names a
 * command of the command table, every view's keys are in its help and its
 * hint line, and [keys] rebinds the actions of every view, refusing a key
 * two actions of one view would share.
 */
#include "config.h"

#include <string.h>

#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "cmd/cmd.h"
#include "tui/tui.h"
#include "tests/tap.h"

static char *dir;

static struct core_config *load_text(const char *text)
{
	g_autofree char *path = g_build_filename(dir, "vmtui.conf", NULL);

	if (core_write_file_atomic(path, text, strlen(text), 0600) < 0)
		return NULL;
	return core_config_load(path);
}

/* actions_configure() of a config file holding @text: 0 or -1. */
static int configure(const char *text)
{
	struct core_config *cfg = load_text(text);
	int ret = cfg ? actions_configure(cfg) : -1;

	core_config_free(cfg);
	return ret;
}

static bool has_line(const char *text, const char *start, const char *rest)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++) {
		const char *p = *l + strspn(*l, " ");

		if (g_str_has_prefix(p, start) && strstr(p, rest))
			return true;
	}
	return false;
}

int main(void)
{
	int in_view[VIEW_COUNT] = { 0 };
	g_autofree char *hints = NULL, *help = NULL;

	dir = g_dir_make_tmp("vmtui-actions-XXXXXX", NULL);
	g_setenv("XDG_DATA_HOME", dir, TRUE);
	g_setenv("XDG_CONFIG_HOME", dir, TRUE);

	/* every action's command is one of the command table, whole */
	for (const struct action *a = actions; a->name; a++) {
		g_auto(GStrv) words = NULL;
		const struct command *c;
		int used = 0;

		tap_ok(a->views != 0 && a->exec != NULL, "action \"%s\" works in a view and runs something", a->name);
		for (int v = 0; v < VIEW_COUNT; v++)
			in_view[v] += (a->views & VIEW_BIT(v)) != 0;
		if (!a->command)
			continue;
		words = g_strsplit(a->command, " ", -1);
		c = command_find_argv((int)g_strv_length(words), words, &used);
		if (!tap_ok(c && used == (int)g_strv_length(words),
			    "action \"%s\" runs a command of the table (\"%s\")", a->name, a->command))
			tap_diag("%s", core_error_message());
		core_error_clear();
	}
	for (int v = 0; v < VIEW_COUNT; v++)
		tap_ok(in_view[v] > 0 && views[v]->draw && views[v]->key && views[v]->selected &&
		       views[v]->none_selected, "view %d has actions and the callbacks a view needs", v);

	/* the help and the hint line of each view come from the table */
	tap_ok(configure("") == 0, "no [keys]: the table's keys");
	for (int v = 0; v < VIEW_COUNT; v++) {
		g_autofree char *h = actions_help(v), *hl = actions_hints(v);

		for (const struct action *a = actions; a->name; a++) {
			bool here = a->views & VIEW_BIT(v);

			tap_ok(has_line(h, actions_key_label(a), a->help) == here,
			       "the help of view %d %s \"%s\" with its key %s", v,
			       here ? "lists" : "leaves out", a->name, actions_key_label(a));
			if (a->flags & ACT_HINT) {
				g_autofree char *hint = g_strdup_printf(" %s %s  ", actions_key_label(a), a->name);

				tap_ok((strstr(hl, hint) != NULL) == here, "the hint line of view %d %s \"%s\"",
				       v, here ? "offers" : "leaves out", a->name);
			}
		}
	}
	tap_is_str(actions_key_of("new template"), "n", "the templates view's n makes a template");
	tap_is_str(actions_key_of("provision"), "Enter", "  ... and Enter provisions");

	/* [keys] rebinds the templates view's actions too */
	tap_ok(configure("[keys]\ndelete-template = X\nreload = ^R\nstart = ^S\n") == 0,
	       "[keys] rebinds actions of both views");
	tap_is_str(actions_key_of("delete template"), "X", "delete template is on X");
	tap_is_str(actions_key_of("reload"), "^R", "reload is on ^R");
	tap_is_str(actions_key_of("start"), "^S", "start is on ^S, for the messages that name it");
	hints = actions_hints(VIEW_TEMPLATES);
	tap_ok(strstr(hints, " X delete template ") && strstr(hints, " ^R reload "),
	       "the templates view's hint line shows the new keys");
	help = actions_help(VIEW_TEMPLATES);
	tap_ok(has_line(help, "X", "Delete the selected template"), "  ... and so does its help");

	/* a key is shared only by actions of different views */
	tap_ok(configure("[keys]\nreload = s\n") == 0, "reload may take s, which only the VM list uses");
	tap_ok(configure("[keys]\nreload = n\n") < 0 &&
	       strstr(core_error_message(), "\"n\" would be the key of both new template and reload"),
	       "reload may not take n, the key of new template in the same view");
	core_error_clear();
	tap_ok(configure("[keys]\nreload = p\n") < 0 &&
	       strstr(core_error_message(), "provision and reload"),
	       "  ... nor p, provision's second key");
	core_error_clear();
	tap_ok(configure("[keys]\nreload = j\n") < 0 && strstr(core_error_message(), "moves in the list"),
	       "  ... nor a key the list moves with");
	core_error_clear();
	tap_ok(configure("[keys]\nprovision = none\n") == 0 && !strcmp(actions_key_of("provision"), "p"),
	       "an action bound to none keeps its second key");

	g_unsetenv("XDG_DATA_HOME");
	return tap_done();
}

/*
 * unit-cmd.c — the command layer without a terminal and without curses:
 * option errors and their exit codes, --json output read back with
 * json-glib, the flags that make UIs ask before a command, help that
 * names every option of the table, and `lab delete` listing what it
 * would delete.  Runs against libvirt's test:///default driver.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cmd/cmd.h"
#include "core/engine.h"
#include "core/settings.h"
#include "tests/tap.h"

static struct core_config *cfg;
static struct engine *eng;
/* the error of the last run() (its job's, or the parser's) */
static char *last_error;

/* Runs the command line @argv (NULL-terminated) as the TUI's prompt
 * does: parsed, then its exec as a job.  Returns its exit status and
 * sets *@out to what it wrote (caller frees). */
static int run(char **out, char **argv)
{
	int argc = (int)g_strv_length(argv);
	bool help_only;
	struct cmd_ctx *ctx = command_parse(cfg, argc, argv, &help_only);
	struct job *job;
	enum core_err code;

	*out = NULL;
	g_clear_pointer(&last_error, g_free);
	if (!ctx) {
		last_error = g_strdup(core_error_message());
		return (int)core_error_code();
	}
	if (!help_only) {
		ctx->eng = (ctx->cmd->flags & CMD_ENGINE) ? eng : NULL;
		job = command_submit(ctx);
		job_wait(job, -1);
		code = job_get_error(job, &last_error);
		job_unref(job);
	} else {
		code = CORE_OK;
	}
	*out = g_strdup(ctx->out->str);
	command_ctx_free(ctx);
	return (int)code;
}

#define RUN(out, ...) run((out), (char *[]){ __VA_ARGS__, NULL })

/* command_main's exit status for @argv, as the command line returns it. */
static int main_rc(char **argv)
{
	return command_main(cfg, (int)g_strv_length(argv), argv);
}

#define MAIN_RC(...) main_rc((char *[]){ __VA_ARGS__, NULL })

/* @s parsed as JSON (caller frees), NULL when it is not JSON. */
static JsonNode *parse_json(const char *s)
{
	g_autoptr(JsonParser) p = json_parser_new();

	if (!s || !json_parser_load_from_data(p, s, -1, NULL))
		return NULL;
	return json_node_copy(json_parser_get_root(p));
}

static void test_option_errors(void)
{
	const char *msg;

	tap_ok(MAIN_RC("create", "x", "--bogus") == CORE_ERR_USAGE,
	       "an unknown option exits with the usage status");
	tap_ok(!command_parse(cfg, 3, (char *[]){ "create", "x", "--bogus", NULL }, &(bool){ 0 }) &&
	       (msg = core_error_message()) && strstr(msg, "Unknown option --bogus"),
	       "  ... naming the option");
	tap_ok(MAIN_RC("create", "x", "--vcpus") == CORE_ERR_USAGE,
	       "an option without its value exits with the usage status");
	tap_ok(!command_parse(cfg, 3, (char *[]){ "create", "x", "--vcpus", NULL }, &(bool){ 0 }) &&
	       (msg = core_error_message()) && strstr(msg, "--vcpus needs a value"),
	       "  ... saying it needs a value");
	tap_ok(MAIN_RC("create", "x", "--vcpus", "0") == CORE_ERR_USAGE,
	       "a number out of range exits with the usage status");
	tap_ok(!command_parse(cfg, 4, (char *[]){ "create", "x", "--vcpus", "100000", NULL },
			      &(bool){ 0 }) &&
	       (msg = core_error_message()) && strstr(msg, "from 1 to 255"),
	       "  ... giving the range");
	tap_ok(MAIN_RC("shutdown", "test", "--timeout", "99999999999999999999") == CORE_ERR_USAGE,
	       "a number past what strtoll reads is out of range too");
	tap_ok(MAIN_RC("create", "x", "--memory", "lots") == CORE_ERR_USAGE,
	       "a size that is not one exits with the usage status");
	tap_ok(MAIN_RC("list", "extra") == CORE_ERR_USAGE, "an argument too many exits with the usage status");
	tap_ok(MAIN_RC("nosuchcommand") == CORE_ERR_USAGE, "an unknown command exits with the usage status");
}

static void test_json(void)
{
	g_autofree char *out = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;
	JsonArray *a;

	tap_ok(RUN(&out, "list", "--json") == CORE_OK, "list --json succeeds");
	root = parse_json(out);
	tap_ok(root && JSON_NODE_HOLDS_ARRAY(root), "  ... and is a JSON array");
	a = root && JSON_NODE_HOLDS_ARRAY(root) ? json_node_get_array(root) : NULL;
	o = a && json_array_get_length(a) == 1 ? json_array_get_object_element(a, 0) : NULL;
	tap_ok(o != NULL, "  ... of the one VM of the test driver");
	tap_is_str(o ? json_object_get_string_member_with_default(o, "name", NULL) : NULL,
		   "test", "  ... named test");
	tap_is_str(o ? json_object_get_string_member_with_default(o, "state", NULL) : NULL,
		   "running", "  ... running");
	tap_ok(o && json_object_get_int_member_with_default(o, "vcpus", 0) == 2, "  ... with 2 vCPUs");
	tap_ok(o && json_object_get_int_member_with_default(o, "memory_kib", 0) == 2097152,
	       "  ... and 2 GiB of memory in KiB");
	tap_ok(o && json_object_has_member(o, "persistent") &&
	       json_node_get_value_type(json_object_get_member(o, "persistent")) == G_TYPE_BOOLEAN &&
	       json_object_get_boolean_member(o, "persistent"), "  ... persistent, as a boolean");
	tap_ok(o && json_object_has_member(o, "started") &&
	       JSON_NODE_HOLDS_NULL(json_object_get_member(o, "started")),
	       "  ... its start time null (the test driver does not tell)");

	g_clear_pointer(&out, g_free);
	g_clear_pointer(&root, json_node_unref);
	tap_ok(RUN(&out, "info", "--json", "test") == CORE_OK, "info --json succeeds");
	root = parse_json(out);
	o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	tap_ok(o != NULL, "  ... and is a JSON object");
	tap_is_str(o ? json_object_get_string_member_with_default(o, "uuid", NULL) : NULL,
		   "6695eb01-f6a4-8304-79aa-97f2502e193f", "  ... with the VM's UUID");
	tap_ok(o && json_object_get_int_member_with_default(o, "memory_mib", 0) == 2048,
	       "  ... its memory in MiB");
	tap_ok(o && json_object_has_member(o, "description") &&
	       JSON_NODE_HOLDS_NULL(json_object_get_member(o, "description")),
	       "  ... a description it lacks as null");
	a = o && json_object_has_member(o, "boot") ? json_object_get_array_member(o, "boot") : NULL;
	tap_ok(a && json_array_get_length(a) == 1 &&
	       g_strcmp0(json_array_get_string_element(a, 0), "hd") == 0,
	       "  ... the boot order as an array of device names");
	a = o && json_object_has_member(o, "disks") ? json_object_get_array_member(o, "disks") : NULL;
	tap_ok(a && json_array_get_length(a) == 1 &&
	       g_strcmp0(json_object_get_string_member(json_array_get_object_element(a, 0), "path"),
			 "/guest/diskimage1") == 0,
	       "  ... and its one disk with its path");

	g_clear_pointer(&out, g_free);
	tap_ok(RUN(&out, "info", "test") == CORE_OK && out && !parse_json(out) &&
	       strstr(out, "UUID:"), "info without --json is text");
	g_clear_pointer(&out, g_free);
	tap_ok(RUN(&out, "image", "list", "--json") == CORE_OK && g_strcmp0(out, "[]\n") == 0,
	       "image list --json of an empty store is an empty array");
}

static void test_flags(void)
{
	static const char *const destructive[] = {
		"destroy", "reset", "delete", "image delete", "template delete", "lab delete",
	};
	static const char *const safe[] = { "list", "info", "image list", "template list",
					    "template info", "start" };
	bool all = true;

	for (size_t i = 0; i < G_N_ELEMENTS(destructive); i++) {
		const struct command *c = command_find(destructive[i]);

		tap_ok(c && (c->flags & CMD_DESTRUCTIVE), "\"%s\" is marked destructive", destructive[i]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(safe); i++) {
		const struct command *c = command_find(safe[i]);

		tap_ok(c && !(c->flags & CMD_DESTRUCTIVE), "\"%s\" is not", safe[i]);
	}
	for (const struct command *c = commands; c->name; c++)
		if ((c->flags & CMD_READ_ONLY) && (c->flags & CMD_DESTRUCTIVE))
			all = tap_ok(0, "\"%s\" is both read-only and destructive", c->name);
	tap_ok(all, "no read-only command is destructive");
	tap_is_str(command_find("shutdown") ? command_find("shutdown")->on_timeout : NULL,
		   "destroy", "shutdown offers destroy after a timeout");
	tap_ok(command_find("destroy") && command_find(command_find("shutdown")->on_timeout),
	       "  ... a command of the table");
}

/* Every option of every command is in its help, and every option its
 * synopsis names is in its table: the two cannot drift apart. */
static void test_help(void)
{
	int missing = 0, stray = 0, n = 0;

	for (const struct command *c = commands; c->name; c++) {
		g_autoptr(GString) help = g_string_new(NULL);
		g_auto(GStrv) words = g_strsplit_set(c->args ? c->args : "", " []|", -1);

		command_help(c, help);
		for (const struct cmd_opt *o = c->opts; o && o->name; o++, n++) {
			g_autofree char *opt = g_strdup_printf("  --%s", o->name);

			if (!strstr(help->str, opt)) {
				tap_diag("\"%s\" has --%s, its help does not", c->name, o->name);
				missing++;
			}
		}
		if ((c->flags & CMD_JSON) && !strstr(help->str, "  --json"))
			missing++;
		for (char **w = words; *w; w++) {
			bool known = false;

			if (!g_str_has_prefix(*w, "--"))
				continue;
			for (const struct cmd_opt *o = c->opts; o && o->name; o++)
				known |= strcmp(*w + 2, o->name) == 0;
			if (!known) {
				tap_diag("the synopsis of \"%s\" names %s, its table does not", c->name, *w);
				stray++;
			}
		}
	}
	tap_ok(n > 40, "the table has options (%d)", n);
	tap_ok(missing == 0, "each command's help shows every option of its table");
	tap_ok(stray == 0, "each option a synopsis names is in the command's table");
	{
		g_autoptr(GString) help = g_string_new(NULL);

		command_help(NULL, help);
		tap_ok(strstr(help->str, "  image import ") && strstr(help->str, "  lab delete "),
		       "the overview lists commands of one and two words");
	}
}

static void test_lab_delete(void)
{
	g_autofree char *out = NULL;

	tap_ok(RUN(&out, "lab", "delete", "t*") == CORE_ERR_USAGE,
	       "lab delete without --yes refuses");
	tap_is_str(out, "1 VM matches \"t*\": test\n", "  ... listing the VMs it would delete");
	tap_ok(last_error && strstr(last_error, "add --yes") != NULL, "  ... and saying how to delete them");
	g_clear_pointer(&out, g_free);
	tap_ok(RUN(&out, "lab", "delete", "zz*") == CORE_ERR_NOT_FOUND,
	       "a pattern that matches nothing is not found");
	g_clear_pointer(&out, g_free);
	tap_ok(RUN(&out, "list") == CORE_OK && out && strstr(out, "test "),
	       "  ... and test is still there");
}

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("vmtui-cmd-XXXXXX", NULL);
	g_autofree char *data = g_build_filename(dir, "data", NULL);
	g_autofree char *config = g_build_filename(dir, "config", NULL);

	g_unsetenv("VMTUI_URI");
	g_unsetenv("VMTUI_ENGINE_ROOT");
	g_setenv("XDG_DATA_HOME", data, TRUE);
	g_setenv("XDG_CONFIG_HOME", config, TRUE);
	g_setenv("LC_ALL", "C", TRUE);
	cfg = core_config_load(NULL);
	if (!cfg) {
		printf("1..0 # SKIP no config: %s\n", core_error_message());
		return 77;
	}
	g_free(cfg->uri);
	cfg->uri = g_strdup("test:///default");
	eng = engine_open(cfg);
	if (!eng) {
		printf("Bail out! test:///default does not open: %s\n", core_error_message());
		return 1;
	}
	test_option_errors();
	test_json();
	test_flags();
	test_help();
	test_lab_delete();
	engine_close(eng);
	core_config_free(cfg);
	g_free(last_error);
	/* what the commands left in the data and config folders */
	g_spawn_sync(NULL, (char *[]){ "rm", "-rf", dir, NULL }, NULL, G_SPAWN_SEARCH_PATH,
		     NULL, NULL, NULL, NULL, NULL, NULL);
	return tap_done();
}

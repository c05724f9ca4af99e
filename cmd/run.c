/*
 * run.c — running one command from the command line: option parsing from
 * the command table, the engine, the job with its timeout and Ctrl-C, and
 * printing.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd-priv.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/journal.h"

/* ---- option parsing ---------------------------------------------------- */

const char *cmd_opt_str(struct cmd_ctx *ctx, const char *name)
{
	return g_hash_table_lookup(ctx->opts, name);
}

bool cmd_opt_flag(struct cmd_ctx *ctx, const char *name)
{
	return g_hash_table_contains(ctx->opts, name);
}

GPtrArray *cmd_opt_list(struct cmd_ctx *ctx, const char *name)
{
	return g_hash_table_lookup(ctx->lists, name);
}

long long cmd_opt_number(struct cmd_ctx *ctx, const char *name, long long dflt)
{
	const char *v = cmd_opt_str(ctx, name);

	return v ? g_ascii_strtoll(v, NULL, 10) : dflt;
}


int opt_size_mib(struct cmd_ctx *ctx, const char *name, uint64_t *mib)
{
	const char *v = cmd_opt_str(ctx, name);
	uint64_t bytes;

	if (!v)
		return 0;
	bytes = core_parse_size(v, 'M');
	if (!bytes)
		return -1;
	*mib = bytes / MIB;
	return 0;
}


static int parse_args(const struct command *cmd, int argc, char **argv,
		      struct cmd_ctx *ctx)
{
	g_autoptr(GArray) longopts = g_array_new(TRUE, TRUE, sizeof(struct option));
	int n = 0, c;

	for (const struct cmd_opt *o = cmd->opts; o && o->name; o++, n++) {
		struct option lo = { o->name, o->type == OPT_FLAG ? no_argument :
				     required_argument, NULL, 1000 + n };

		g_array_append_val(longopts, lo);
	}
	if (cmd->flags & CMD_JSON) {
		struct option lo = { "json", no_argument, NULL, 'j' };

		g_array_append_val(longopts, lo);
	}
	{
		struct option lo = { "help", no_argument, NULL, 'h' };

		g_array_append_val(longopts, lo);
	}
	optind = 0; /* 0: glibc re-reads the option string (no "+" mode) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h",
				(struct option *)longopts->data, NULL)) != -1) {
		if (c == 'h') {
			command_help(cmd, ctx->out);
			return 1;
		} else if (c == 'j') {
			ctx->json = true;
		} else if (c >= 1000) {
			const struct cmd_opt *o = &cmd->opts[c - 1000];
			const char *v = optarg ? optarg : "";

			if (o->type == OPT_NUMBER) {
				g_autofree char *what = g_strdup_printf("--%s", o->name);
				long long x;

				if (!core_parse_int(what, v, o->min, o->max, &x))
					return -1;
			}
			if (o->type == OPT_LIST) {
				GPtrArray *l = g_hash_table_lookup(ctx->lists, o->name);

				if (!l) {
					l = g_ptr_array_new_with_free_func(g_free);
					g_hash_table_insert(ctx->lists, (gpointer)o->name, l);
				}
				g_ptr_array_add(l, g_strdup(v));
			}
			g_hash_table_insert(ctx->opts, (gpointer)o->name,
					    o->type == OPT_PATH && *v ?
					    g_canonicalize_filename(v, NULL) : g_strdup(v));
		} else {
			const char *bad = argv[optind - 1];

			/* getopt sets optopt to the option's value when its
			 * argument is missing, to 0 for an unknown long one */
			if (optopt >= 1000)
				core_error(CORE_ERR_USAGE, _("Option %s needs a value."), bad);
			else
				core_error(CORE_ERR_USAGE,
					   _("Unknown option %s for \"%s\"; see vmtui help %s."),
					   bad, cmd->name, cmd->name);
			return -1;
		}
	}
	ctx->args = argv + optind;
	ctx->nargs = argc - optind;
	if (ctx->nargs < cmd->min_args || ctx->nargs > cmd->max_args) {
		core_error(CORE_ERR_USAGE, _("Usage: vmtui %s %s"), cmd->name,
			   cmd->args ? cmd->args : "");
		return -1;
	}
	return 0;
}

/* ---- running ------------------------------------------------------------ */

static volatile sig_atomic_t interrupted;
/* The terminal's mode while a command runs with Ctrl-C read as a key
 * (raw_keys), to put back. */
static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;
static void restore_keys(void);

void command_restore_terminal(void)
{
	restore_keys();
}

static void restore_keys(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = 0;
}

static void on_sigint(int sig)
{
	interrupted++;
	if (interrupted > 1) {
		restore_keys();
		_exit(CORE_ERR_CANCELLED);
	}
}

/* While a command runs on a terminal whose foreground it is, Ctrl-C is
 * read as a key instead of raising SIGINT: the terminal would send that
 * signal to the whole process group, and so to the ssh that libvirt runs
 * for a qemu+ssh:// host, which would die and take the connection with
 * it before vmtui could cancel what it does there. */
static void raw_keys(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
	    tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ISIG | ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tio_saved = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		tio_saved = 0;
}

/* A Ctrl-C typed since the last look counts as SIGINT. */
static void read_keys(void)
{
	char buf[64];
	ssize_t n;

	if (!tio_saved)
		return;
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
		if (memchr(buf, saved_tio.c_cc[VINTR], (size_t)n))
			on_sigint(SIGINT);
}

/* Streaming output of the command line: one line at a time, at once. */
static void emit_stdout(struct cmd_ctx *ctx, const char *line)
{
	cli_print(stdout, line);
	fputc('\n', stdout);
	fflush(stdout);
}

static int run_exec(struct job *job, void *data)
{
	struct cmd_ctx *ctx = data;

	ctx->job = job;
	if ((ctx->cmd->flags & CMD_HOST_FILES) && ctx->eng && !engine_is_local(ctx->eng)) {
		core_error(CORE_ERR_USAGE, _("\"%s\" needs an engine on this machine (the disks, seeds and templates it uses are files here); %s is not one."),
			   ctx->cmd->name, engine_uri(ctx->eng));
		return -1;
	}
	return ctx->cmd->exec(ctx);
}

/* How long the command line waits for @ctx's job before giving up. */
static int timeout_ms(struct cmd_ctx *ctx)
{
	/* a little over the engine's own wait, so its clearer message wins */
	int t = ctx->cfg->op_timeout * 1000 + 5000;

	if (ctx->cmd->flags & (CMD_STREAM | CMD_UNTIMED))
		return G_MAXINT; /* stops by itself or on Ctrl-C */
	if (ctx->cmd->flags & CMD_LONG)
		t += (int)cmd_opt_number(ctx, "timeout", ctx->cfg->shutdown_timeout) * 1000;
	if (!(ctx->cmd->flags & CMD_ENGINE))
		t += 60 * 1000; /* doctor probes, may open an engine */
	return t;
}

/* Waits for @job, showing progress on a terminal and passing Ctrl-C on as
 * a cancel request.  Returns false on timeout. */
static bool wait_job(struct job *job, int limit_ms)
{
	bool tty = isatty(STDERR_FILENO);
	gint64 deadline = limit_ms == G_MAXINT ? G_MAXINT64 :
		g_get_monotonic_time() + (gint64)limit_ms * 1000;
	bool shown = false, cancel_sent = false;

	raw_keys();
	while (!job_wait(job, 200)) {
		g_autofree char *msg = NULL;
		double p = job_get_progress(job, &msg);

		read_keys();
		if (interrupted && !cancel_sent) {
			job_cancel(job);
			cancel_sent = true;
		}
		if (tty && msg) {
			g_autofree char *safe = core_printable(msg, false);

			fprintf(stderr, "\r\033[K%3.0f%% %s", p * 100, safe);
			shown = true;
		}
		if (g_get_monotonic_time() > deadline) {
			if (shown)
				fputs("\r\033[K", stderr);
			restore_keys();
			return false;
		}
	}
	if (shown)
		fputs("\r\033[K", stderr);
	restore_keys();
	return true;
}

void command_ctx_free(struct cmd_ctx *ctx)
{
	if (!ctx)
		return;
	g_hash_table_unref(ctx->opts);
	g_hash_table_unref(ctx->lists);
	g_string_free(ctx->out, TRUE);
	g_strfreev(ctx->argv);
	g_free(ctx);
}

struct cmd_ctx *command_parse(struct core_config *cfg, int argc, char **argv,
			      bool *help_only)
{
	int words;
	const struct command *cmd = command_find_argv(argc, argv, &words);
	struct cmd_ctx *ctx;
	int rc;

	*help_only = false;
	if (!cmd)
		return NULL;
	/* the command's name stands for its words, as argv[0] */
	argc -= words - 1;
	argv += words - 1;
	ctx = g_new0(struct cmd_ctx, 1);
	ctx->cmd = cmd;
	ctx->cfg = cfg;
	ctx->opts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	ctx->lists = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					   (GDestroyNotify)g_ptr_array_unref);
	ctx->out = g_string_new(NULL);
	ctx->emit = emit_stdout;
	/* a copy: jobs run after the caller's argv may be gone, and getopt
	 * reorders what it parses */
	ctx->argv = g_new0(char *, argc + 1);
	ctx->argv[0] = g_strdup(cmd->name);
	for (int i = 1; i < argc; i++)
		ctx->argv[i] = g_strdup(argv[i]);
	rc = parse_args(cmd, argc, ctx->argv, ctx);
	if (rc < 0) {
		command_ctx_free(ctx);
		return NULL;
	}
	*help_only = rc > 0;
	return ctx;
}

struct job *command_submit(struct cmd_ctx *ctx)
{
	return job_submit(ctx->cmd->name, run_exec, ctx, NULL, true);
}

char *command_recover(struct engine *eng)
{
	char *report = NULL;

	if (journal_recover(eng, &report) <= 0)
		g_clear_pointer(&report, g_free);
	core_error_clear();
	return report;
}

int command_main(struct core_config *cfg, int argc, char **argv)
{
	struct cmd_ctx *ctx;
	struct job *job;
	g_autofree char *err = NULL;
	enum core_err code;
	bool help_only;

	ctx = command_parse(cfg, argc, argv, &help_only);
	if (!ctx) {
		cli_error("%s", core_error_message());
		return CORE_ERR_USAGE;
	}
	if (help_only) {
		cli_print(stdout, ctx->out->str);
		command_ctx_free(ctx);
		return 0;
	}
	if (ctx->cmd->flags & CMD_ENGINE) {
		ctx->eng = engine_open(cfg);
		if (!ctx->eng) {
			cli_error("%s", core_error_message());
			code = core_error_code();
			command_ctx_free(ctx);
			return code ? (int)code : CORE_ERR_ENGINE;
		}
	}
	/* what killed runs left goes before anything looks at the data
	 * dir: with an engine, also the runs that defined VMs on it */
	if (!(ctx->cmd->flags & CMD_NO_DATA)) {
		g_autofree char *report = command_recover(ctx->eng);

		if (report)
			cli_print(stderr, report);
	}

	if (ctx->cmd->flags & CMD_TERMINAL) {
		int rc = ctx->cmd->exec(ctx);

		code = rc < 0 ? core_error_code() : CORE_OK;
		if (rc < 0)
			cli_error("%s", core_error_message());
		cli_print(stdout, ctx->out->str);
		if (engine_close(ctx->eng) < 0) {
			fflush(NULL);
			_exit((int)code);
		}
		command_ctx_free(ctx);
		return (int)code;
	}
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	job = command_submit(ctx);
	if (!wait_job(job, timeout_ms(ctx))) {
		cli_error(_("\"%s\" did not finish within %d s: the engine or a guest's QEMU is not responding. Other VMs are not affected; a guest stopped with SIGSTOP resumes with SIGCONT."),
			ctx->cmd->name, timeout_ms(ctx) / 1000);
		fflush(NULL);
		/* The worker is stuck inside libvirt: closing the engine would
		 * wait for it, so leave without tearing anything down. */
		_exit(CORE_ERR_TIMEOUT);
	}
	code = job_get_error(job, &err);
	cli_print(stdout, ctx->out->str);
	fflush(stdout);
	if (code != CORE_OK)
		cli_error("%s", err ? err : "");
	job_unref(job);
	if (engine_close(ctx->eng) < 0) {
		/* a guest's QEMU never answered: exit without running any
		 * teardown that could wait for it */
		fflush(NULL);
		_exit((int)code);
	}
	command_ctx_free(ctx);
	return (int)code;
}


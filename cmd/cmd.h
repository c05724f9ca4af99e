/*
 * cmd.h — vmtui's command table.  One entry per command drives the
 * command line (`vmtui NAME ...`), its help and man page, and the TUI's
 * `:` prompt, so all of them run the same code with the same checks.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "core/error.h"
#include "core/settings.h"
#include "core/jobs.h"

enum cmd_flags {
	CMD_ENGINE = 1 << 0,      /* needs an open engine */
	CMD_DESTRUCTIVE = 1 << 1, /* loses data or guest state: confirm in UIs */
	CMD_READ_ONLY = 1 << 2,   /* changes nothing */
	CMD_JSON = 1 << 3,        /* accepts --json */
	CMD_LONG = 1 << 4,        /* may wait for a guest: add its --timeout or
				     the shutdown timeout to the wait */
	CMD_STREAM = 1 << 5,      /* runs until stopped, emitting lines */
	CMD_TERMINAL = 1 << 6,    /* takes over the terminal: exec runs on
				     the calling thread, which a UI leaves
				     to it (curses ended) until it returns */
	CMD_UNTIMED = 1 << 7,     /* takes as long as its work (an import of
				     gigabytes): no time limit, Ctrl-C
				     cancels it */
	CMD_HOST_FILES = 1 << 8,  /* works on disk files of this machine: only
				     with an engine on it (embedded,
				     qemu:///...) */
	CMD_NO_DATA = 1 << 9,     /* touches no file of vmtui's: what killed
				     runs left is not swept before it */
};

/* OPT_PATH values are made absolute against the working directory, since
 * QEMU does not run in it. */
/* OPT_LIST is a string option that may be given more than once. */
enum opt_type { OPT_FLAG, OPT_STRING, OPT_NUMBER, OPT_SIZE, OPT_PATH, OPT_LIST };

struct cmd_opt {
	const char *name;     /* long option, without "--" */
	enum opt_type type;
	const char *metavar;  /* shown in help, e.g. "SIZE" */
	const char *help;     /* N_() */
	long long min, max;   /* OPT_NUMBER: the range the parser accepts */
};

/* What a command's exec sees: parsed options and arguments, and where its
 * output goes.  Exec runs on a job worker; it writes to @out (stdout) and
 * returns 0, or -1 with an error recorded. */
struct cmd_ctx {
	const struct command *cmd;
	struct core_config *cfg;
	struct engine *eng;       /* NULL unless CMD_ENGINE */
	struct job *job;
	char **argv;              /* the context's own copy of the command line */
	char **args;              /* positional arguments (into argv) */
	int nargs;
	GHashTable *opts;         /* option name -> value ("" for flags; the
				   * last one of an OPT_LIST) */
	GHashTable *lists;        /* OPT_LIST name -> GPtrArray of values */
	bool json;
	GString *out;
	/* CMD_STREAM commands hand each line to this as it happens */
	void (*emit)(struct cmd_ctx *ctx, const char *line);
};

struct command {
	const char *name;
	const char *args;      /* synopsis of positional arguments */
	const char *summary;   /* N_() one line */
	unsigned flags;
	int min_args, max_args;
	const struct cmd_opt *opts; /* terminated by a zeroed entry */
	int (*exec)(struct cmd_ctx *ctx);
	/* The command a UI offers when this one fails with CORE_ERR_TIMEOUT
	 * (a guest that does not answer: "destroy" after `shutdown`), run on
	 * the same arguments; NULL when there is none. */
	const char *on_timeout;
};

/* The table, terminated by a zeroed entry. */
extern const struct command commands[];

/* Finds a command by name; NULL if unknown. */
const struct command *command_find(const char *name);
/* The command @argv starts with: its first word, or its first two for
 * the commands named so ("image import"); *@words tells which.  NULL
 * with an error naming what was meant. */
const struct command *command_find_argv(int argc, char **argv, int *words);

/* Option accessors for exec functions. */
const char *cmd_opt_str(struct cmd_ctx *ctx, const char *name);
bool cmd_opt_flag(struct cmd_ctx *ctx, const char *name);
/* Every value of the OPT_LIST option @name in the order given, or NULL
 * when it was not given. */
GPtrArray *cmd_opt_list(struct cmd_ctx *ctx, const char *name);
/* The OPT_NUMBER option @name (range-checked by the parser), or @dflt
 * when it was not given. */
long long cmd_opt_number(struct cmd_ctx *ctx, const char *name, long long dflt);

/* Runs the command line @argv (argv[0] is the command name) with @cfg.
 * Parses, opens the engine if needed, runs the command as a job with a
 * timeout and prints its output.  Returns the exit status (enum core_err). */
int command_main(struct core_config *cfg, int argc, char **argv);

/* Parses @argv (argv[0] is the command) into a new context, printing
 * nothing.  NULL with an error on a usage mistake; *@help_only is set when
 * the user asked for --help (ctx->out then holds it).  The caller sets
 * ctx->eng for CMD_ENGINE commands and frees with command_ctx_free() once
 * any job on it has finished. */
struct cmd_ctx *command_parse(struct core_config *cfg, int argc, char **argv,
			      bool *help_only);
void command_ctx_free(struct cmd_ctx *ctx);
/* Puts the terminal's mode back as it was before a running command took
 * its keys (Ctrl-C read as a key); async-signal-safe, for a crash
 * handler. */
void command_restore_terminal(void);
/* Runs @ctx's exec on a job worker; the context must outlive the job. */
struct job *command_submit(struct cmd_ctx *ctx);

/* Removes what runs a killed vmtui left (journal_recover): those without
 * an engine, and those on @eng (may be NULL), keeping the VMs they
 * finished; what it did, for the user (caller frees), or NULL. */
char *command_recover(struct engine *eng);

/* Writes help for @cmd, or the overview when NULL, to @out. */
void command_help(const struct command *cmd, GString *out);

/* output.c: output helpers (the TUI pads and joins with them too) */
/* Writes @text to @f made printable (core_printable, newlines and tabs
 * kept): everything vmtui's command line prints goes through here or
 * cli_error. */
void cli_print(FILE *f, const char *text);
/* "vmtui: MESSAGE" and a newline on standard error, made printable. */
void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Appends @s padded with spaces to @cells terminal cells (wide CJK
 * characters count two). */
void cli_pad(GString *out, const char *s, int cells);
int cli_width(const char *s);
/* Appends the strings of @list (may be NULL) to @out, @sep between. */
void cli_join(GString *out, const GPtrArray *list, const char *sep);

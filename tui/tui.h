/*
 * tui.h — the full-screen interface's internals (tui/ only).
 *
 * One thread owns the terminal.  Handlers change state and return what
 * should happen next; the loop in app.c redraws once per pass.  Long work
 * (every libvirt call) runs as a job; its completion wakes the loop through
 * the job notification pipe.
 */
#pragma once

#include <stdbool.h>
#include <wchar.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "core/settings.h"
#include "core/jobs.h"
#include "core/vm.h"
#include "core/model.h"

/* What a handler asks the loop to do. */
enum tui_result {
	TUI_NONE = 0,
	TUI_REDRAW = 1 << 0,
	TUI_QUIT = 1 << 1,
};

/* Colour pairs, set up by theme.c from the [colors] of the config file. */
enum { PAIR_RUNNING = 1, PAIR_PAUSED, PAIR_OFF, PAIR_BAR, PAIR_ERROR,
       PAIR_HOST, PAIR_COUNT };

/* Modal states of the bottom line and overlays. */
enum tui_mode {
	MODE_LIST,     /* the VM list has the keys */
	MODE_PROMPT,   /* the bottom line edits text (":" or a confirmation) */
	MODE_PAGER,    /* a full-screen text (help, info, XML) has the keys */
	MODE_FORM,     /* the New VM form has the keys */
	MODE_PICKER,   /* a pop-up list (menu, OS picker) has the keys */
	MODE_TEMPLATES, /* the templates view has the keys */
};

struct form;
struct picker;
struct template;
struct templates_view;

struct tui;

/* What a finished prompt does with the text typed. */
typedef int (*prompt_done_fn)(struct tui *t, const char *text);
/* Called after each edit of the prompt's text (live filtering). */
typedef void (*prompt_changed_fn)(struct tui *t, const char *text);

/* A column of the VM list (view-domains.c). */
struct column {
	const char *id;        /* stable name, e.g. "cpu" */
	const char *heading;   /* N_() */
	int width;             /* cells; 0 for the name, which stretches */
	int drop;              /* on a narrow terminal the highest goes first;
				* 0: always shown */
	void (*text)(const struct tui *t, const struct vm_row *r, char *buf,
		     size_t len);
	int (*compare)(const struct vm_row *a, const struct vm_row *b);
};

/* A libvirt host on screen: the engine of the command line or [engine],
 * then each one of [hosts]. */
struct host {
	unsigned id;           /* its index in tui.hosts */
	char *label;
	char *uri;             /* NULL: the embedded engine */
	struct engine *eng;    /* NULL until connected */
	struct model *model;
	struct job *open;      /* connecting ([hosts] only) */
	struct job *refresh;   /* the model refresh in flight */
	bool settled;          /* the first refresh waited for reconnects */
	bool loaded;           /* a refresh has landed */
	bool collapsed;        /* its group is folded */
	unsigned model_gen;
	char *error;           /* why it cannot be reached */
};

/* Identity of a list row across refreshes: "HOST/UUID" ("HOST/" for a
 * host's group heading). */
#define ROW_KEY_LEN (VIR_UUID_STRING_BUFLEN + 12)

struct tui_job {
	struct job *job;
	struct cmd_ctx *ctx;   /* NULL for the model refresh */
	char *vm;              /* the VM it acts on, for messages */
	struct host *host;     /* where it runs */
	bool show_output;      /* open the output in the pager */
};

struct tui {
	struct core_config *cfg;
	GPtrArray *hosts;      /* struct host; the first is the main engine */
	GPtrArray *all;        /* struct vm_row from the models, owned */
	GPtrArray *groups;     /* one heading row per host (several hosts) */
	GPtrArray *rows;       /* the visible ones: filtered, sorted */
	GHashTable *marked;    /* row keys selected with space */
	char *filter;          /* "/" text, case-folded, or NULL */
	int sort;              /* index into columns[] */
	bool sort_desc;
	char cursor_key[ROW_KEY_LEN];
	int cursor, top;
	int list_rows;         /* rows of the list on screen, set by draw */
	GPtrArray *jobs;       /* struct tui_job in flight */
	gint64 next_refresh;   /* monotonic µs */
	int refresh_ms;

	enum tui_mode mode;
	enum tui_mode view;    /* MODE_LIST or MODE_TEMPLATES: where prompts,
				* pagers and forms return */
	struct templates_view *tv; /* the templates view's state, once opened */
	char *message;         /* last notice or error for the status bar */
	bool message_is_error;

	/* prompt */
	GString *input;
	char *prompt_label;
	prompt_done_fn prompt_done;
	prompt_changed_fn prompt_changed;
	bool prompt_is_command;   /* ":" prompt: history and completion */
	GPtrArray *history;       /* earlier ":" lines, oldest first */
	int history_pos;
	GPtrArray *pending;    /* the VMs a confirmation is about (struct
				* vm_row with only name and host) */

	/* pager */
	char *pager_title;
	gchar **pager_lines;
	int pager_top;
	GString *pager_search;  /* text searched for with "/" */
	bool pager_typing;      /* the search text is being typed */
	int pager_hit;          /* line of the last match, or -1 */

	struct form *form;          /* the New VM form, while open */
	struct picker *picker;      /* the pop-up list, while open */

	/* details pane of the selected VM */
	struct vm_spec *detail;     /* last description read, or NULL */
	char detail_uuid[VIR_UUID_STRING_BUFLEN];
	unsigned detail_host;
	int detail_state;
	int detail_row_state;       /* the list's state when it was read */
	struct job *detail_job;     /* describe in flight */
	bool detail_stale;          /* re-read once the job in flight ends */
	int detail_tab;
	struct job *tail_job;       /* reading the serial log (Console tab) */
	gchar **tail_lines;         /* its last lines, as last read */
	char *tail_path;            /* the log they came from */
	gint64 tail_at;             /* monotonic µs of the last read */
	struct job *shot_job;       /* a picture of the screen (Screen tab) */
	struct render_cell *shot;   /* the last one, shot_w × shot_h cells */
	int shot_w, shot_h;
	char *shot_error;           /* or why there is none */
	char shot_uuid[VIR_UUID_STRING_BUFLEN]; /* whose it is */
	unsigned shot_host;
	int shot_max_w, shot_max_h; /* the room the tab had last drawn */
	gint64 shot_at;             /* monotonic µs of the last request */

	bool utf8, color;
};

/* status.c */
/* True for Enter, whichever way the terminal sends it. */
bool tui_is_enter(wint_t ch, bool is_key);
/* @path as typed, with a leading "~/" made the home folder; caller
 * frees. */
char *tui_expand_home(const char *path);
/* Applies a text-editing key (Backspace, a printable character) to @text;
 * false if @ch is neither. */
bool tui_edit_text(GString *text, wint_t ch, bool is_key);
/* Writes @s at the cursor in at most @cells terminal cells (wide
 * characters count two), then spaces up to @cells when @pad; returns the
 * cells written. */
int tui_put_cells(const char *s, int cells, bool pad);
void tui_message(struct tui *t, bool error, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
/* jobs.c */
/* Runs command @argv (argv[0] the command) as a job on the TUI's engine.
 * Returns TUI_REDRAW. */
int tui_run_command(struct tui *t, struct host *h, char **argv,
		    const char *vm, bool show_output);
/* The same, returning the job record (owned by the TUI), or NULL when the
 * command line was refused (the message says why).  @h NULL: the host of
 * the row under the cursor. */
struct tui_job *tui_start_command(struct tui *t, struct host *h, char **argv,
				  const char *vm, bool show_output);
struct cmd_ctx;
/* Runs a CMD_TERMINAL command (a console) with curses ended; the screen
 * comes back whole afterwards, with the command's error or output as the
 * message. */
void tui_take_terminal(struct tui *t, struct cmd_ctx *ctx);
/* The host of @row, or of the row under the cursor when @row is NULL. */
struct host *tui_host(struct tui *t, const struct vm_row *row);
/* True for a host's heading row. */
static inline bool tui_row_is_group(const struct vm_row *r)
{
	return !r->uuid[0];
}
void tui_row_key(const struct vm_row *r, char key[ROW_KEY_LEN]);
bool tui_row_marked(struct tui *t, const struct vm_row *r);
void tui_prompt(struct tui *t, const char *label, const char *initial,
		prompt_done_fn done);
/* Completes the command line being typed at the ":" prompt: the first word
 * from the command table, later ones from the VM names. */
void tui_complete(struct tui *t);
/* The two bottom lines: @hint (NULL: the actions' hints), then the
 * prompt being typed, or the jobs' progress and the last message. */
void tui_draw_bottom(struct tui *t, int lines, int cols, const char *hint);
/* Moves @cursor in a list of @n rows by @key (arrows, PgUp/PgDn with
 * @page, Home, End; with @letters also j, k, g, G); false if @key is none
 * of those.  Never below 0. */
bool tui_move_cursor(int *cursor, int n, int page, int key, bool letters);
/* Rebuilds the visible rows from the model's (filter, sort, cursor). */
void tui_rebuild_rows(struct tui *t);
/* The VMs an action applies to: the marked ones, else the selected one.
 * Array of struct vm_row pointers into t->rows; caller unrefs. */
GPtrArray *tui_targets(struct tui *t);
void tui_pager(struct tui *t, const char *title, const char *text);
/* The VM under the cursor; NULL on a host's heading. */
const struct vm_row *tui_selected(struct tui *t);
/* The row under the cursor, VM or heading; NULL in an empty list. */
const struct vm_row *tui_cursor_row(struct tui *t);
/* The list of commands in flight, empty. */
void tui_jobs_init(struct tui *t);
/* Collects finished commands; TUI_REDRAW when one ended. */
int tui_reap_jobs(struct tui *t);
/* Cancels the running commands and waits briefly for every job; false if
 * one is stuck (a frozen guest). */
bool tui_finish_jobs(struct tui *t);

/* hosts.c */
/* The main engine @eng, then each of [hosts] (connected in the
 * background); an entry naming the main engine's URI only gives it its
 * label. */
void hosts_add(struct tui *t, struct engine *eng);
/* Starts a refresh of every connected host's model. */
void hosts_refresh(struct tui *t);
/* Connects to [hosts] entry @h (again) in the background. */
void hosts_reconnect(struct tui *t, struct host *h);
/* Collects finished connections and refreshes; TUI_REDRAW on news. */
int hosts_reap(struct tui *t);
/* -1 when the main engine must be left open (see engine_close). */
int hosts_close(struct tui *t);

/* rows.c */
/* Takes fresh copies of the models' rows when one of them changed;
 * TUI_REDRAW then. */
int tui_take_rows(struct tui *t);
/* Remembers which row the cursor is on, so it stays there as rows come,
 * go and move. */
void tui_keep_cursor(struct tui *t);

/* prompt.c */
int tui_prompt_key(struct tui *t, wint_t ch, bool is_key);

/* pager.c */
int tui_pager_key(struct tui *t, wint_t ch, bool is_key);
void tui_pager_draw(struct tui *t, int lines, int cols);

/* app.c */
/* Wakes the loop (from the event-loop thread): a model changed. */
void tui_wake_model(void *opaque);
/* Starts the full-screen interface; returns the exit status. */
int tui_main(struct core_config *cfg);

/* actions.c: the key bindings as data. */
struct action {
	const char *name;    /* also the help line's first word; with '-' for
			      * spaces, the name in [keys] */
	int key;             /* default key */
	int fkey;            /* function key (KEY_F(n)) or 0 */
	const char *help;    /* N_() */
	unsigned flags;      /* ACT_* */
	int (*exec)(struct tui *t, const struct vm_row *vm);
};
enum action_flags {
	ACT_VM = 1 << 0,       /* needs a selected VM */
	ACT_HINT = 1 << 1,     /* shown in the hint line */
	ACT_GLOBAL = 1 << 2,   /* also works in the templates view */
};
extern const struct action actions[];
/* Applies [keys] of @cfg to the bindings; -1 with an error naming the
 * line at fault.  Call before the screen opens. */
int actions_configure(const struct core_config *cfg);
/* The key an action is bound to, for display ("s", "Enter", "^X", "F2"). */
const char *actions_key_label(const struct action *a);
/* Runs the action bound to @key; TUI_NONE if none is. */
int actions_dispatch(struct tui *t, int key);
/* Runs the action bound to @key if it is ACT_GLOBAL; TUI_NONE if none
 * is. */
int actions_dispatch_global(struct tui *t, int key);
/* Opens the menu of actions for the row under the cursor. */
int actions_menu(struct tui *t);
/* Asks whether to force off @name, after @why (a shutdown timed out). */
void actions_offer_force_off(struct tui *t, unsigned host, const char *name,
			     const char *why);
/* Help text generated from the table; caller frees. */
char *actions_help(void);

/* view-domains.c: the list in rows [top, top + height) */
extern const struct column columns[];
void view_domains_draw(struct tui *t, int top, int height, int cols);
int view_domains_key(struct tui *t, int key);
/* Order of two rows by the sort column, then by name. */
int view_domains_compare(const struct tui *t, const struct vm_row *a,
			 const struct vm_row *b);
/* The column under cell @x of a @cols wide list, or -1. */
int view_domains_column_at(int cols, int x);
/* "03:04:05" or "2d 03:04" since @r started; "" when unknown. */
void tui_uptime_text(char *buf, size_t len, const struct vm_row *r);

/* form.c: the New VM, Edit VM, New template, Edit template and Provision
 * forms */
int form_create_open(struct tui *t);
/* Opens the Edit VM form for @vm (vCPUs, memory, description). */
int form_edit_open(struct tui *t, const struct vm_row *vm);
/* New template on @h, from VM @vm when not NULL; @templates (struct
 * template) are the names already taken. */
int form_template_open(struct tui *t, struct host *h, const char *vm,
		       const GPtrArray *templates);
int form_template_edit_open(struct tui *t, struct host *h, const struct template *tp);
/* The lab wizard: VMs from template @tp on @h. */
int form_provision_open(struct tui *t, struct host *h, const struct template *tp);
void form_free(struct form *f);
int form_key(struct tui *t, wint_t ch, bool is_key);
void form_draw(struct tui *t, int lines, int cols);
/* Opens the OS picker once libosinfo's list is read; TUI_REDRAW then. */
int form_poll(struct tui *t);
/* A job ended: if it was the form's create, handle it and return true
 * when the form showed the outcome itself (a failure). */
int form_job_done(struct tui *t, struct tui_job *tj, bool ok, const char *message);

/* view-templates.c: the templates, with what can be done with them */
/* The host templates are used on: the selected VM's when it is on this
 * machine, else the first one that is; NULL (with a message) if none. */
struct host *tui_local_host(struct tui *t);
/* Opens the view (MODE_TEMPLATES) on tui_local_host(). */
int view_templates_open(struct tui *t);
/* Reads the templates again (after a job ended), if the view is open. */
void view_templates_reload(struct tui *t);
/* Collects a finished read; TUI_REDRAW when it landed. */
int view_templates_reap(struct tui *t);
int view_templates_key(struct tui *t, int key);
void view_templates_draw(struct tui *t, int lines, int cols);
/* False when its read is stuck (an engine that does not answer). */
bool view_templates_free(struct tui *t);

/* picker.c: a pop-up list chosen from by keys or mouse, with filtering */
struct picker_item {
	char *label;
	char *hint;          /* right-aligned, dim: a key, an id */
	char *value;         /* handed to the done function */
};
/* Called with the value chosen, NULL when cancelled. */
typedef int (*picker_done_fn)(struct tui *t, const char *value);
GPtrArray *picker_items_new(void);
void picker_add(GPtrArray *items, const char *label, const char *hint,
		const char *value);
/* Opens a picker over the current screen; takes @items.  @filterable:
 * typing narrows the list; otherwise a key equal to an item's hint
 * chooses it (a menu). */
void picker_open(struct tui *t, const char *title, GPtrArray *items,
		 bool filterable, picker_done_fn done);
int picker_key(struct tui *t, wint_t ch, bool is_key);
void picker_draw(struct tui *t, int lines, int cols);
/* The mode whose screen the picker is drawn over. */
enum tui_mode picker_under(const struct picker *p);
void picker_free(struct picker *p);

/* theme.c: colours */
/* Checks [colors] of @cfg; -1 with an error.  Call before the screen. */
int theme_configure(const struct core_config *cfg);
/* Sets up the colour pairs for this terminal (after start_color). */
void theme_apply(struct tui *t);

/* view-details.c: the selected VM's tabs in rows [top, top + height) */
void view_details_draw(struct tui *t, int top, int height, int cols);
/* Starts reading the selected VM's description when the selection or its
 * state changed since the last read, or when @force (a command ran). */
void view_details_update(struct tui *t, bool force);
/* Collects a finished description; TUI_REDRAW when it changed. */
int view_details_reap(struct tui *t);
int view_details_next_tab(struct tui *t, int step);
/* True while a tab that follows the VM live (Console, Screen) shows: the
 * loop then wakes every second. */
bool view_details_live(const struct tui *t);
void view_details_free(struct tui *t);

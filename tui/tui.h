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

#include <curses.h>

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

/* The screens that fill the terminal. */
enum view_id { VIEW_DOMAINS, VIEW_TEMPLATES, VIEW_POOLS, VIEW_COUNT };
#define VIEW_BIT(v) (1u << (v))

struct tui;

/* A view: a screen with its state in a struct of its own, in a file of
 * its own.  Adding one means a file with its table, an entry in views[]
 * (app.c) and its actions in the table of actions.c. */
struct view {
	const char *title;   /* N_(), the heading of its part of the help */
	/* becomes the view on screen; TUI_* (it may refuse and stay away) */
	int (*open)(struct tui *t);
	/* the whole screen, the two bottom lines included */
	void (*draw)(struct tui *t, int lines, int cols);
	/* a key no action took (moving, marking, the mouse); TUI_* */
	int (*key)(struct tui *t, int key);
	/* the name of what the actions of the view act on, NULL if none */
	const char *(*selected)(struct tui *t);
	/* says (tui_message) that nothing is selected to act on */
	void (*none_selected)(struct tui *t);
	/* a command ended: re-read what the view shows (may be NULL) */
	void (*changed)(struct tui *t);
	/* once a loop pass, before it sleeps (may be NULL) */
	void (*idle)(struct tui *t);
	/* true while it follows something live: the loop then wakes every
	 * second (may be NULL) */
	bool (*live)(const struct tui *t);
	/* frees its state; false when a job of it is stuck (may be NULL) */
	bool (*close)(struct tui *t);
};

extern const struct view view_domains, view_templates, view_pools;
extern const struct view *const views[VIEW_COUNT];

/* What is drawn over the view and has the keys first. */
enum overlay {
	OVERLAY_NONE,
	OVERLAY_PROMPT,   /* the bottom line edits text (":" or a question) */
	OVERLAY_PAGER,    /* a full-screen text (help, info, XML) */
	OVERLAY_FORM,     /* a form */
	OVERLAY_PICKER,   /* a pop-up list (menu, OS picker) */
};

struct form;
struct picker;
struct template;
struct templates_view;
struct pools_view;
struct details;
struct pager;
struct prompt;
struct vm_tuning;

/* What a finished prompt does with the text typed; @data is the
 * prompt's. */
typedef int (*prompt_done_fn)(struct tui *t, const char *text, void *data);
/* Called after each edit of the prompt's text (live filtering). */
typedef void (*prompt_changed_fn)(struct tui *t, const char *text);

/* list.c: the one list widget.  Cursor and scrolling of rows that are
 * rebuilt under the user: the row under the cursor is remembered by a
 * stable key and found again after each rebuild. */
struct tui_list {
	int cursor, top;
	int rows;        /* rows shown, set by the last list_scroll */
	int y;           /* screen row of the first one, likewise */
	char *key;       /* the key of the row under the cursor, or NULL */
};
/* The key of row @i of a list (caller frees), or NULL. */
typedef char *(*list_key_fn)(guint i, void *data);
/* After a rebuild to @n rows: the cursor goes back to the row whose key it
 * has, else stays where it was (within the rows), the key kept for when
 * that row comes back. */
void list_rebuild(struct tui_list *l, guint n, list_key_fn key_of, void *data);
/* Remembers @key (taken over) as the one of the row under the cursor. */
void list_remember(struct tui_list *l, char *key);
/* Moves the cursor by @key: arrows, PgUp/PgDn, Home, End, j, k, g, G;
 * false when @key is none of those. */
bool list_key(struct tui_list *l, guint n, int key);
/* What a mouse event did to the list of @n rows drawn last. */
enum list_hit { LIST_MISS, LIST_MOVED, LIST_OPEN, LIST_MENU };
enum list_hit list_mouse(struct tui_list *l, guint n, const MEVENT *ev);
/* Before drawing @rows rows from screen row @y: keeps the cursor within
 * the @n rows and in sight. */
void list_scroll(struct tui_list *l, guint n, int y, int rows);
void list_fini(struct tui_list *l);
/* Draws @n cells of text at the cursor, cell i in @widths[i] terminal
 * cells (CJK characters take two) with a space after it, the last (width
 * 0) in the rest of the @cols. */
void list_draw_cells(const char *const *text, const int *widths, guint n, int cols);

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
	gint64 refresh_at;     /* monotonic µs the refresh in flight began */
	gint64 retry_at;       /* when to connect again by itself (0: never) */
	int backoff_s;         /* the wait before that, doubling to a minute */
	GPtrArray *dead;       /* engines whose connection was lost: jobs may
				* still hold them, so they close at the end */
};


/* A command the TUI runs, shown in the status line while it does. */
struct tui_job {
	struct job *job;
	struct cmd_ctx *ctx;
	char *vm;              /* the VM it acts on, for messages */
	struct host *host;     /* where it runs */
	bool show_output;      /* open the output in the pager */
	gint64 started;        /* monotonic µs when it was started */
	/* who started it may take its end (may be NULL): true when it
	 * showed the outcome itself (a form, its failure) */
	bool (*ended)(struct tui *t, struct tui_job *tj, bool ok, const char *message);
};

/* Called on the UI thread once a watched job has ended; TUI_*. */
typedef int (*tui_job_done_fn)(struct tui *t, struct job *job, void *data);

/* The VM list view's state (view-domains.c, rows.c). */
struct domains_view {
	GPtrArray *groups;     /* one heading row per host (several hosts) */
	GPtrArray *rows;       /* the visible ones: filtered, sorted */
	GHashTable *marked;    /* row keys selected with space */
	char *filter;          /* "/" text, case-folded, or NULL */
	int sort;              /* index into columns[] */
	bool sort_desc;
	struct tui_list list;  /* cursor and scrolling, kept by row key */
};

struct tui {
	struct core_config *cfg;
	GPtrArray *hosts;      /* struct host; the first is the main engine */
	GPtrArray *all;        /* struct vm_row from the models, owned */
	struct domains_view dv;
	GPtrArray *jobs;       /* struct tui_job: commands in flight */
	GPtrArray *watched;    /* the jobs whose end a callback waits for */
	gint64 next_refresh;   /* monotonic µs */
	int refresh_ms;

	enum view_id view;     /* the view on screen */
	enum overlay overlay;  /* drawn over it, or OVERLAY_NONE */
	struct templates_view *tv; /* the templates view's state, once opened */
	struct pools_view *pv;     /* the pools view's, likewise */
	char *message;         /* last notice or error for the status bar */
	bool message_is_error;
	gint64 message_job;    /* when the job whose outcome it is started
				* (0: not a job's) */

	struct prompt *prompt; /* the prompt line and the ":" history */
	struct pager *pager;   /* the last text shown in the pager */
	struct form *form;          /* the New VM form, while open */
	struct picker *picker;      /* the pop-up list, while open */

	struct details *details;    /* the VM list's details pane */

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
/* The host of @row, or of the row under the cursor when @row is NULL. */
struct host *tui_host(struct tui *t, const struct vm_row *row);
/* True for a host's heading row. */
static inline bool tui_row_is_group(const struct vm_row *r)
{
	return !r->uuid[0];
}
bool tui_row_marked(struct tui *t, const struct vm_row *r);
/* Opens the prompt line with @label and @initial text; on Enter @done
 * gets the text and @data, which @free_data frees once the prompt is
 * over (either way). */
void tui_prompt(struct tui *t, const char *label, const char *initial,
		prompt_done_fn done, void *data, GDestroyNotify free_data);
/* What a y answer does (@data is the confirmation's). */
typedef int (*confirm_fn)(struct tui *t, void *data);
/* The one confirmation of what cannot be undone, reached by key, menu or
 * ":": asks @question [y/N]; y runs @yes, anything else says @no. */
void tui_confirm(struct tui *t, const char *question, const char *no,
		 confirm_fn yes, void *data, GDestroyNotify free_data);
/* The two bottom lines: the view's hints (or the completion's candidates), then the
 * prompt being typed, or the jobs' progress and the last message. */
void tui_draw_bottom(struct tui *t, int lines, int cols);
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
/* The lists of commands in flight and of watched jobs, empty. */
void tui_jobs_init(struct tui *t);
void tui_jobs_fini(struct tui *t);
/* Calls @done(@t, @job, @data) on the UI thread once @job has ended (the
 * job runner's pipe wakes the loop); keeps a reference until then.  Every
 * job the TUI starts is watched so: none is polled. */
void tui_watch(struct tui *t, struct job *job, tui_job_done_fn done, void *data);
/* Runs the callbacks of the watched jobs that have ended; TUI_*. */
int tui_reap(struct tui *t);
/* Cancels the running commands and waits briefly for every job; false if
 * one is stuck (a frozen guest). */
bool tui_finish_jobs(struct tui *t);

/* hosts.c */
/* The main engine @eng, then each of [hosts] (connected in the
 * background); an entry naming the main engine's URI only gives it its
 * label. */
void hosts_add(struct tui *t, struct engine *eng);
/* Starts a refresh of every connected host's model; drops the
 * connection of a host libvirt found dead (its keepalive) and connects
 * again to one whose time has come (after 2, 4, ... 60 s).  TUI_REDRAW
 * when a heading changed (a host went down, or is slow to answer). */
int hosts_refresh(struct tui *t);
/* How long the refresh of @h has been waiting for its host, in seconds
 * (0 when none waits, or not for long). */
int hosts_slow(const struct host *h);
/* Connects to [hosts] entry @h (again) in the background. */
void hosts_reconnect(struct tui *t, struct host *h);
/* -1 when the main engine must be left open (see engine_close). */
int hosts_close(struct tui *t);

/* rows.c */
/* Takes fresh copies of the models' rows when one of them changed;
 * TUI_REDRAW then. */
int tui_take_rows(struct tui *t);
/* Remembers which row the cursor is on, so it stays there as rows come,
 * go and move. */
void tui_keep_cursor(struct tui *t);
/* Shows only the VMs whose name contains @text (NULL or "": all). */
void tui_set_filter(struct tui *t, const char *text);
/* Sorts the VM list by column @col, descending when @desc, and says so. */
void tui_sort_by(struct tui *t, int col, bool desc);
/* Marks or unmarks the VM @r. */
void tui_toggle_mark(struct tui *t, const struct vm_row *r);

/* prompt.c */
/* The prompt line's state, with an empty ":" history. */
void tui_prompt_init(struct tui *t);
void tui_prompt_fini(struct tui *t);
/* The ":" prompt: @done gets the line; Up and Down recall earlier
 * lines, Tab completes. */
void tui_prompt_command(struct tui *t, const char *label, prompt_done_fn done);
/* Live filtering: @changed after each edit of the open prompt (Esc calls
 * it with ""). */
void tui_prompt_set_changed(struct tui *t, prompt_changed_fn changed);
/* What the ":" prompt's completion offers (NULL if nothing). */
const char *tui_prompt_candidates(struct tui *t);
/* The prompt's label and the text typed, at the cursor. */
void tui_prompt_draw(struct tui *t);
int tui_prompt_key(struct tui *t, wint_t ch, bool is_key);

/* pager.c */
int tui_pager_key(struct tui *t, wint_t ch, bool is_key);
void tui_pager_draw(struct tui *t, int lines, int cols);
void tui_pager_free(struct pager *p);

/* app.c */
/* Makes @view the one on screen; its open may refuse (and say why). */
int tui_show_view(struct tui *t, enum view_id view);
/* Wakes the loop (from the event-loop thread): a model changed. */
void tui_wake_model(void *opaque);
/* Starts the full-screen interface; returns the exit status. */
int tui_main(struct core_config *cfg);

/* actions.c: what the keys do, in every view, as one table. */
struct action {
	const char *name;    /* N_(): the help line's first word; with '-' for
			      * spaces, its name in [keys] */
	int key;             /* default key */
	int fkey;            /* a second key (a function key) or 0 */
	const char *help;    /* N_() */
	unsigned views;      /* VIEW_BIT()s of the views it works in */
	unsigned flags;      /* ACT_* */
	const char *command; /* the command it runs (its first words), or
			      * NULL; unit-actions checks each is one */
	int (*exec)(struct tui *t, const struct action *a);
};
enum action_flags {
	ACT_SELECTION = 1 << 0, /* needs something selected (the view's) */
	ACT_HINT = 1 << 1,      /* shown in the hint line */
	ACT_MARKED = 1 << 2,    /* acts on all marked VMs */
};
extern const struct action actions[];
/* Applies [keys] of @cfg to the bindings; -1 with an error naming the
 * line at fault.  Call before the screen opens. */
int actions_configure(const struct core_config *cfg);
/* The key an action is bound to, for display ("s", "Enter", "^X", "F2"). */
const char *actions_key_label(const struct action *a);
/* The key in force of the action named @name (untranslated), for the
 * messages that say which key to press. */
const char *actions_key_of(const char *name);
/* Runs the action of the view on screen bound to @key; TUI_NONE if none
 * is. */
int actions_dispatch(struct tui *t, int key);
/* Opens the menu of the actions of the view on screen. */
int actions_menu(struct tui *t);
/* After @cmd on @vm (host @host) timed out: offers the command the
 * command table names for that (a shutdown: destroy). */
void actions_offer(struct tui *t, const struct command *cmd, unsigned host,
		   const char *vm);
/* Help text of @view generated from the table; caller frees. */
char *actions_help(enum view_id view);
/* The hint line of @view: its hinted actions with their keys; caller
 * frees. */
char *actions_hints(enum view_id view);

/* view-domains.c: the VM list and, below it, the details pane */
extern const struct column columns[];

/* Order of two rows by the sort column, then by name. */
int view_domains_compare(const struct tui *t, const struct vm_row *a,
			 const struct vm_row *b);
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

/* view-templates.c: the templates, with what can be done with them */
/* The actions of the templates view (actions.c lists them). */
int view_templates_provision(struct tui *t, const struct action *a);
int view_templates_new(struct tui *t, const struct action *a);
int view_templates_edit(struct tui *t, const struct action *a);
int view_templates_info(struct tui *t, const struct action *a);
int view_templates_export(struct tui *t, const struct action *a);
int view_templates_delete(struct tui *t, const struct action *a);
int view_templates_reload(struct tui *t, const struct action *a);

/* view-pools.c: the desktop pools and their desktops */
int view_pools_grow(struct tui *t, const struct action *a);
int view_pools_shrink(struct tui *t, const struct action *a);
int view_pools_drain(struct tui *t, const struct action *a);
int view_pools_refresh(struct tui *t, const struct action *a);
int view_pools_kick(struct tui *t, const struct action *a);
int view_pools_info(struct tui *t, const struct action *a);
int view_pools_reload(struct tui *t, const struct action *a);

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
/* The overlay the picker is drawn over. */
enum overlay picker_under(const struct picker *p);
void picker_free(struct picker *p);

/* nics.c: the networks of a host for a picker (listed on a job: true
 * when the listing started; @done gets the mode chosen), and the NIC
 * actions on the selected VM */
bool tui_pick_network(struct tui *t, struct host *h, picker_done_fn done);
/* Whether a listing of networks is in flight. */
bool tui_picking_network(void);
/* disks.c: the actions on the selected VM's disks and CD-ROMs */
int act_disk_add(struct tui *t, const struct action *a);
int act_disk_remove(struct tui *t, const struct action *a);
int act_disk_resize(struct tui *t, const struct action *a);
int act_cdrom_insert(struct tui *t, const struct action *a);
int act_cdrom_eject(struct tui *t, const struct action *a);
/* snapshots.c: the actions on the selected VM's snapshots */
int act_snapshot_take(struct tui *t, const struct action *a);
int act_snapshot_revert(struct tui *t, const struct action *a);
int act_snapshot_delete(struct tui *t, const struct action *a);
/* hosts.c: the Migrate action: the selected VM to another host, chosen from a
 * list (with its disks copied or on shared storage), as `migrate` with
 * --persistent --undefine-source (and --live when it runs). */
int act_migrate(struct tui *t, const struct action *a);
int act_nic_add(struct tui *t, const struct action *a);
int act_nic_link(struct tui *t, const struct action *a);
int act_nic_remove(struct tui *t, const struct action *a);

/* theme.c: colours */
/* Checks [colors] of @cfg; -1 with an error.  Call before the screen. */
int theme_configure(const struct core_config *cfg);
/* Sets up the colour pairs for this terminal (after start_color). */
void theme_apply(struct tui *t);

/* view-details.c: the selected VM's tabs in rows [top, top + height) */
/* The pane's state, empty (view_details_free frees it). */
void view_details_init(struct tui *t);
/* The description of @vm as last read, or NULL. */
const struct vm_spec *view_details_spec(struct tui *t, const struct vm_row *vm);
/* Its snapshots as last read (struct snapshot, in tree order), or NULL
 * when not read or not to be listed. */
const GPtrArray *view_details_snapshots(struct tui *t, const struct vm_row *vm);
/* Its tuning as last read, or NULL. */
const struct vm_tuning *view_details_tuning(struct tui *t, const struct vm_row *vm);
void view_details_draw(struct tui *t, int top, int height, int cols);
/* Starts reading the selected VM's description when the selection or its
 * state changed since the last read, or when @force (a command ran). */
void view_details_update(struct tui *t, bool force);
int view_details_next_tab(struct tui *t, int step);
/* True while a tab that follows the VM live (Console, Screen) shows. */
bool view_details_live(const struct tui *t);
void view_details_free(struct tui *t);

/*
 * view-details.c — the details pane under the VM list: one tab per aspect
 * of the selected VM.  Tabs are a table (title, draw function), so later
 * features (consoles, snapshots, templates) add a row.  The description is
 * read by a job whenever the selection or the VM changes; drawing only
 * reads what the last job brought back.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/console.h"
#include "core/files.h"
#include "net/net.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/logs.h"
#include "console/render.h"
#include "storage/storage.h"
#include "tui/tui.h"

/* The pane's state: the selected VM's description as last read, the
 * Console tab's lines and the Screen tab's picture. */
struct details {
	struct vm_spec *spec;       /* last description read, or NULL */
	GPtrArray *snaps;           /* its snapshots (snapshot_list), or NULL */
	struct vm_tuning *tuning;   /* its tuning and balloon, or NULL */
	char uuid[VIR_UUID_STRING_BUFLEN];
	unsigned host;
	int state;
	int row_state;              /* the list's state when it was read */
	struct job *job;            /* describe in flight */
	bool stale;                 /* re-read once the job in flight ends */
	int tab;
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
};

void view_details_init(struct tui *t)
{
	if (!t->details)
		t->details = g_new0(struct details, 1);
}

const struct vm_spec *view_details_spec(struct tui *t, const struct vm_row *vm)
{
	const struct details *d = t->details;

	return d->spec && strcmp(d->uuid, vm->uuid) == 0 && d->host == vm->host ? d->spec : NULL;
}

const GPtrArray *view_details_snapshots(struct tui *t, const struct vm_row *vm)
{
	return view_details_spec(t, vm) ? t->details->snaps : NULL;
}

const struct vm_tuning *view_details_tuning(struct tui *t, const struct vm_row *vm)
{
	return view_details_spec(t, vm) ? t->details->tuning : NULL;
}

struct describe {
	struct engine *eng;
	unsigned host;
	char uuid[VIR_UUID_STRING_BUFLEN];
	struct vm_spec *spec;
	GPtrArray *snaps;
	struct vm_tuning *tuning;
	int state;
};

static void describe_free(gpointer p)
{
	struct describe *d = p;

	vm_spec_free(d->spec);
	if (d->snaps)
		g_ptr_array_unref(d->snaps);
	vm_tuning_free(d->tuning);
	g_free(d);
}

static int describe_job(struct job *job, void *data)
{
	struct describe *d = data;
	int reason;

	d->spec = vm_describe(d->eng, d->uuid, &d->state, &reason);
	if (!d->spec)
		return -1;
	/* a driver without snapshots (or a VM gone meanwhile) has none */
	d->snaps = snapshot_list(d->eng, d->uuid);
	d->tuning = vm_tuning_read(d->eng, d->uuid, d->spec, d->state);
	core_error_clear();
	return 0;
}

/* ---- the Console tab: the end of the VM's serial log ------------------- */

#define TAIL_BYTES 16384

struct tail {
	char *path;
	char **folders;  /* [console] log-folders */
	char **lines;
};

static void tail_free(gpointer p)
{
	struct tail *tl = p;

	g_free(tl->path);
	g_strfreev(tl->folders);
	g_strfreev(tl->lines);
	g_free(tl);
}

/* Keeps what a terminal would show of @in: printable text and newlines;
 * escape sequences (colours, cursor moves) go, and what is left passes
 * core_printable like everything from elsewhere. */
static char *printable(const char *in, gsize len)
{
	GString *out = g_string_sized_new(len);

	for (gsize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == 0x1b) {
			/* CSI: ESC [ parameters final-byte; others: ESC x */
			if (i + 1 < len && in[i + 1] == '[') {
				for (i += 2; i < len && !((unsigned char)in[i] >= 0x40 &&
							(unsigned char)in[i] <= 0x7e); i++)
					;
			} else {
				i++;
			}
		} else if (c == '\n' || c == '\t' || c >= 0x20) {
			g_string_append_c(out, c == '\t' ? ' ' : (char)c);
		}
	}
	{
		g_autofree char *kept = g_string_free(out, FALSE);

		return core_printable(kept, true);
	}
}

static int tail_job(struct job *job, void *data)
{
	struct tail *tl = data;
	char buf[TAIL_BYTES];
	g_autofree char *text = NULL;
	struct stat st;
	off_t from;
	ssize_t n;
	int fd = serial_log_open(tl->path, tl->folders);
	char *start;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), tl->path, g_strerror(errno));
		close(fd);
		return -1;
	}
	from = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	n = pread(fd, buf, sizeof buf, from);
	close(fd);
	if (n < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read %s: %s"), tl->path, g_strerror(errno));
		return -1;
	}
	text = printable(buf, (gsize)n);
	/* from the middle of the file, the first line is partial */
	start = from && strchr(text, '\n') ? strchr(text, '\n') + 1 : text;
	g_strchomp(start);
	tl->lines = g_strsplit(start, "\n", -1);
	return 0;
}

static bool console_tab(const struct tui *t);
static int tail_done(struct tui *t, struct job *job, void *data);

/* Re-reads the log while the Console tab shows, at most once a second. */
static void tail_update(struct tui *t)
{
	struct tail *tl;

	if (!console_tab(t) || !t->details->spec || !t->details->spec->serial_log || t->details->tail_job ||
	    g_get_monotonic_time() - t->details->tail_at < G_USEC_PER_SEC)
		return;
	tl = g_new0(struct tail, 1);
	tl->path = g_strdup(t->details->spec->serial_log);
	tl->folders = g_strdupv(t->cfg->log_folders);
	t->details->tail_at = g_get_monotonic_time();
	t->details->tail_job = job_submit("console-log", tail_job, tl, tail_free, false);
	tui_watch(t, t->details->tail_job, tail_done, NULL);
}

static int tail_done(struct tui *t, struct job *job, void *data)
{
	struct tail *tl = job_data(job);
	g_autofree char *err = NULL;

	g_strfreev(t->details->tail_lines);
	t->details->tail_lines = job_get_error(t->details->tail_job, &err) == CORE_OK ?
		g_steal_pointer(&tl->lines) : g_strsplit(err, "\n", -1);
	g_free(t->details->tail_path);
	t->details->tail_path = g_strdup(tl->path);
	g_clear_pointer(&t->details->tail_job, job_unref);
	return TUI_REDRAW;
}

/* ---- the Screen tab: a picture of the VM's screen, once a second ------- */

struct shot {
	struct engine *eng;
	char *name;
	char uuid[VIR_UUID_STRING_BUFLEN];
	unsigned host;
	int colors, max_w, max_h;
	struct render_cell *cells;
	int w, h;
};

static void shot_free(gpointer p)
{
	struct shot *sh = p;

	g_free(sh->name);
	g_free(sh->cells);
	g_free(sh);
}

static int shot_job(struct job *job, void *data)
{
	struct shot *sh = data;

	sh->cells = console_thumbnail(sh->eng, sh->name, sh->colors, sh->max_w,
				      sh->max_h, &sh->w, &sh->h);
	return sh->cells ? 0 : -1;
}

static bool screen_tab(const struct tui *t);
static int shot_done(struct tui *t, struct job *job, void *data);

/* Takes a new picture while the Screen tab shows a running VM with a
 * display, at most once a second. */
static void shot_update(struct tui *t)
{
	const struct vm_row *vm = tui_selected(t);
	struct host *h = vm ? tui_host(t, vm) : NULL;
	struct shot *sh;

	if (!screen_tab(t) || !vm || !h || !h->eng || !t->details->spec || !t->details->spec->graphics ||
	    !t->color || !vm_state_active(vm->state) || t->details->shot_job || t->details->shot_max_w < 4 ||
	    t->details->shot_max_h < 2 || g_get_monotonic_time() - t->details->shot_at < G_USEC_PER_SEC)
		return;
	sh = g_new0(struct shot, 1);
	sh->eng = h->eng;
	sh->name = g_strdup(vm->name);
	g_strlcpy(sh->uuid, vm->uuid, sizeof sh->uuid);
	sh->host = vm->host;
	sh->colors = COLORS;
	sh->max_w = t->details->shot_max_w;
	sh->max_h = t->details->shot_max_h;
	t->details->shot_at = g_get_monotonic_time();
	t->details->shot_job = job_submit("screenshot", shot_job, sh, shot_free, false);
	tui_watch(t, t->details->shot_job, shot_done, NULL);
}

static int shot_done(struct tui *t, struct job *job, void *data)
{
	struct shot *sh = job_data(job);
	g_autofree char *err = NULL;

	g_clear_pointer(&t->details->shot, g_free);
	g_clear_pointer(&t->details->shot_error, g_free);
	if (job_get_error(t->details->shot_job, &err) == CORE_OK) {
		t->details->shot = g_steal_pointer(&sh->cells);
		t->details->shot_w = sh->w;
		t->details->shot_h = sh->h;
	} else {
		t->details->shot_error = g_steal_pointer(&err);
	}
	g_strlcpy(t->details->shot_uuid, sh->uuid, sizeof t->details->shot_uuid);
	t->details->shot_host = sh->host;
	g_clear_pointer(&t->details->shot_job, job_unref);
	return TUI_REDRAW;
}

static int describe_done(struct tui *t, struct job *job, void *data);

void view_details_update(struct tui *t, bool force)
{
	const struct vm_row *vm = tui_selected(t);
	struct describe *d;

	if (!vm)
		return;
	tail_update(t);
	shot_update(t);
	if (!force && strcmp(vm->uuid, t->details->uuid) == 0 &&
	    vm->host == t->details->host && vm->state == t->details->row_state)
		return;
	if (t->details->job) {
		t->details->stale = true;
		return;
	}
	d = g_new0(struct describe, 1);
	d->eng = tui_host(t, vm)->eng;
	d->host = vm->host;
	g_strlcpy(d->uuid, vm->uuid, sizeof d->uuid);
	g_strlcpy(t->details->uuid, vm->uuid, sizeof t->details->uuid);
	t->details->host = vm->host;
	t->details->row_state = vm->state;
	t->details->job = job_submit("describe", describe_job, d, describe_free, false);
	tui_watch(t, t->details->job, describe_done, NULL);
}

static int describe_done(struct tui *t, struct job *job, void *data)
{
	struct describe *d = job_data(job);

	if (job_get_error(t->details->job, NULL) == CORE_OK &&
	    strcmp(d->uuid, t->details->uuid) == 0 && d->host == t->details->host) {
		vm_spec_free(t->details->spec);
		t->details->spec = g_steal_pointer(&d->spec);
		if (t->details->snaps)
			g_ptr_array_unref(t->details->snaps);
		t->details->snaps = g_steal_pointer(&d->snaps);
		vm_tuning_free(t->details->tuning);
		t->details->tuning = g_steal_pointer(&d->tuning);
		t->details->state = d->state;
	}
	g_clear_pointer(&t->details->job, job_unref);
	if (t->details->stale) {
		t->details->stale = false;
		view_details_update(t, true);
	}
	return TUI_REDRAW;
}

void view_details_free(struct tui *t)
{
	if (t->details->job)
		job_wait(t->details->job, 2000);
	if (t->details->tail_job)
		job_wait(t->details->tail_job, 2000);
	if (t->details->shot_job)
		job_wait(t->details->shot_job, 2000);
	g_clear_pointer(&t->details->shot_job, job_unref);
	g_clear_pointer(&t->details->shot, g_free);
	g_clear_pointer(&t->details->shot_error, g_free);
	g_clear_pointer(&t->details->job, job_unref);
	g_clear_pointer(&t->details->tail_job, job_unref);
	g_clear_pointer(&t->details->tail_lines, g_strfreev);
	g_clear_pointer(&t->details->tail_path, g_free);
	g_clear_pointer(&t->details->spec, vm_spec_free);
	g_clear_pointer(&t->details->snaps, g_ptr_array_unref);
	g_clear_pointer(&t->details->tuning, vm_tuning_free);
	g_clear_pointer(&t->details, g_free);
}

/* "Label:  value" at row @y, if @value. */
static int field(int y, int x, int cols, const char *label, const char *value)
{
	g_autofree char *safe = NULL;

	if (!value)
		return y;
	safe = core_printable(value, false);
	mvaddnstr(y, x, label, cols - x);
	mvaddnstr(y, x + 16, safe, MAX(0, cols - x - 16));
	return y + 1;
}

static void tab_overview(struct tui *t, int y, int h, int cols)
{
	const struct vm_spec *s = t->details->spec;
	const struct vm_tuning *tn = t->details->tuning;
	const struct vm_row *vm = tui_selected(t);
	g_autofree char *mem = core_format_size_exact(s->memory_mib << 20);
	g_autofree char *cpus = g_strdup_printf("%u", s->vcpus);
	char up[32];
	int end = y + h;

	tui_uptime_text(up, sizeof up, vm);
	y = field(y, 2, cols, _("State:"), vm_state_label(t->details->state));
	if (y < end && *up)
		y = field(y, 2, cols, _("Up for:"), up);
	if (y < end && vm->ip && vm_state_active(vm->state)) {
		g_autofree char *ip = net_addr_short(vm->addrs);

		y = field(y, 2, cols, _("Address:"), ip ? ip : vm->ip);
	}
	if (y < end)
		y = field(y, 2, cols, _("vCPUs:"), cpus);
	if (y < end)
		y = field(y, 2, cols, _("Memory:"), mem);
	if (y < end && tn && tn->balloon_kib && vm_state_active(vm->state)) {
		g_autofree char *now = core_format_size(tn->balloon_kib * 1024);
		g_autofree char *usable = tn->usable_kib ? core_format_size(tn->usable_kib * 1024) : NULL;
		g_autofree char *line = usable ? g_strdup_printf(_("%s, %s of it usable"), now, usable) :
					g_strdup(now);

		y = field(y, 2, cols, _("Balloon:"), line);
	}
	if (y < end)
		y = field(y, 2, cols, _("OS:"), s->os_variant);
	if (y < end && s->description) {
		g_autofree char *first = g_strdup(s->description);

		*strchrnul(first, '\n') = '\0';
		y = field(y, 2, cols, _("Description:"), first);
	}
	if (y < end)
		field(y, 2, cols, _("UUID:"), s->uuid);
}

/* What `set` tuned, as `info` shows it, from row @y on. */
static int tuning_fields(const struct vm_tuning *tn, int y, int end, int cols)
{
	g_autofree char *pins = NULL;

	if (!tn)
		return y;
	for (guint i = 0; i < tn->iotune->len && y < end; i++) {
		g_autofree char *line = iotune_text(tn->iotune->pdata[i]);

		y = field(y, 2, cols, i ? "" : _("I/O limits:"), line);
	}
	pins = vcpupin_text(tn->vcpupin);
	if (y < end)
		y = field(y, 2, cols, _("vCPU pinning:"), pins);
	if (y < end)
		y = field(y, 2, cols, _("Emulator pin:"), tn->emulatorpin);
	if (y < end)
		y = field(y, 2, cols, _("NUMA nodes:"), tn->numa);
	if (y < end && tn->hugepages)
		y = field(y, 2, cols, _("Huge pages:"), _("yes"));
	return y;
}

static void tab_hardware(struct tui *t, int y, int h, int cols)
{
	const struct vm_spec *s = t->details->spec;
	g_autofree char *cpus = g_strdup_printf("%u (max %u)", s->vcpus, s->max_vcpus);
	g_autofree char *now = core_format_size_exact(s->memory_mib << 20);
	g_autofree char *max = core_format_size_exact(s->max_memory_mib << 20);
	g_autofree char *mem = g_strdup_printf("%s (max %s)", now, max);
	g_autofree char *vnc = s->vnc_port > 0 ? g_strdup_printf("127.0.0.1:%d", s->vnc_port) :
		s->graphics ? g_strdup(_("yes (port given at start)")) : NULL;
	g_autoptr(GString) boot = g_string_new(NULL);
	int end = y + h;

	for (unsigned i = 0; i < s->boot.n; i++)
		g_string_append_printf(boot, "%s%s", i ? _(", ") : "",
				       vm_boot_dev_label(s->boot.dev[i]));

	y = field(y, 2, cols, _("vCPUs:"), cpus);
	if (y < end)
		y = field(y, 2, cols, _("Memory:"), mem);
	if (y < end)
		y = field(y, 2, cols, _("Firmware:"), s->firmware == FIRMWARE_UEFI ? "UEFI" : "BIOS");
	if (y < end)
		y = field(y, 2, cols, _("Accelerator:"),
			  g_strcmp0(s->domain_type, "kvm") == 0 ? "KVM" : "TCG");
	if (y < end && s->boot.n)
		y = field(y, 2, cols, _("Boot order:"), boot->str);
	if (y < end)
		y = field(y, 2, cols, _("Kernel:"), s->kernel);
	if (y < end)
		y = field(y, 2, cols, _("Command line:"), s->cmdline);
	if (y < end)
		y = field(y, 2, cols, _("VNC:"), vnc);
	if (y < end)
		tuning_fields(t->details->tuning, y, end, cols);
}

static void tab_disks(struct tui *t, int y, int h, int cols)
{
	const struct vm_spec *s = t->details->spec;

	g_autofree char *keys = g_strdup_printf(_("%s adds a disk, %s grows one, %s removes one, %s inserts an ISO, %s ejects."),
						actions_key_of("add disk"), actions_key_of("grow disk"),
						actions_key_of("remove disk"), actions_key_of("insert ISO"),
						actions_key_of("eject"));

	attron(A_DIM);
	mvaddnstr(y++, 2, keys, cols - 2);
	attroff(A_DIM);
	h--;
	if (!s->disks->len)
		mvaddstr(y, 2, _("No disks."));
	for (guint i = 0; i < s->disks->len && (int)i < h; i++) {
		const struct vm_disk *d = g_ptr_array_index(s->disks, i);
		g_autofree char *line = g_strdup_printf("%-5s %-6s %-6s %-6s %s", d->target ? d->target : "",
			d->cdrom ? "cdrom" : "disk", d->bus ? d->bus : "",
			d->format ? d->format : "", d->path ? d->path : _("(empty)"));
		/* another client's definition names these paths */
		g_autofree char *safe = core_printable(line, false);

		mvaddnstr(y + (int)i, 2, safe, cols - 2);
	}
}

/* One NIC a line: the table `vmtui nic list` prints, with the address. */
static void tab_network(struct tui *t, int y, int h, int cols)
{
	const struct vm_spec *s = t->details->spec;
	const struct vm_row *vm = tui_selected(t);
	static const int width[] = { 20, 19, 9, 7 };
	int end = y + h;

	if (!s->nics->len) {
		mvaddstr(y, 2, _("No network interface."));
		return;
	}
	{
		/* TRANSLATORS: headings of the Network tab's table */
		const char *head[] = { _("MODE"), _("MAC"), _("MODEL"), _("LINK"), _("ADDRESS") };
		g_autoptr(GString) line = g_string_new(NULL);

		for (size_t k = 0; k < G_N_ELEMENTS(head); k++)
			cli_pad(line, head[k], k < G_N_ELEMENTS(width) ? width[k] : 0);
		attron(A_BOLD);
		mvaddnstr(y++, 2, line->str, MAX(0, cols - 2));
		attroff(A_BOLD);
	}
	for (guint i = 0; i < s->nics->len && y < end; i++) {
		const struct vm_nic *nic = s->nics->pdata[i];
		g_autofree char *mode = net_nic_text(nic);
		g_autofree char *safe = core_printable(mode, false);
		g_autofree char *mac = core_printable(nic->mac, false);
		g_autofree char *model = core_printable(nic->model, false);
		/* each NIC's own addresses, by MAC, with where they come from
		 * (the model drops them when the VM stops) */
		g_autofree char *addr = net_addr_text(vm->addrs, nic->mac, true);
		const char *cells[] = {
			safe, mac, model, nic->link_down ? _("down") : _("up"),
			addr ? addr : _("not known yet"),
		};
		g_autoptr(GString) line = g_string_new(NULL);

		for (size_t k = 0; k < G_N_ELEMENTS(cells); k++)
			cli_pad(line, cells[k] ? cells[k] : "",
				k < G_N_ELEMENTS(width) ? MAX(width[k], cli_width(cells[k] ? cells[k] : "") + 1) : 0);
		mvaddnstr(y++, 2, line->str, MAX(0, cols - 2));
	}
	/* what reaches the guest from this host (forward list tells whether
	 * each is set up in the running QEMU) */
	for (guint i = 0; s->forwards && i < s->forwards->len && y + 1 < end; i++) {
		const struct vm_forward *f = s->forwards->pdata[i];
		g_autofree char *addr = core_printable(f->address, false);
		g_autofree char *text = g_strdup_printf("%s:%u %s %u%s", addr, f->host_port,
							t->utf8 ? "→" : "->", f->guest_port,
							f->udp ? "/udp" : "");

		if (i == 0)
			y++;
		y = field(y, 2, cols, i ? "" : _("Forwards:"), text);
	}
}

/* The snapshot tree `vmtui snapshot list --tree` prints, as much as fits
 * (the current one's row stays in view), and the keys that act on it. */
static void tab_snapshots(struct tui *t, int y, int h, int cols)
{
	const GPtrArray *snaps = t->details->snaps;
	int end = y + h, first = 0;

	if (!snaps) {
		mvaddnstr(y, 2, _("Snapshots cannot be listed on this host."), cols - 2);
		return;
	}
	if (y < end) {
		g_autofree char *keys = g_strdup_printf(_("%s takes a snapshot, %s reverts to one, %s deletes one."),
							actions_key_of("snapshot"), actions_key_of("revert"),
							actions_key_of("delete snapshot"));

		attron(A_DIM);
		mvaddnstr(y++, 2, snaps->len ? keys : _("No snapshots."), cols - 2);
		if (!snaps->len && y < end)
			mvaddnstr(y++, 2, keys, cols - 2);
		attroff(A_DIM);
	}
	if (!snaps->len || y >= end)
		return;
	/* TRANSLATORS: headings of the Snapshots tab's table */
	attron(A_BOLD);
	mvprintw(y++, 2, "%-24s %-19s  %s", _("NAME"), _("TAKEN"), _("DESCRIPTION"));
	attroff(A_BOLD);
	for (guint i = 0; i < snaps->len; i++)
		if (((const struct snapshot *)snaps->pdata[i])->current && (int)i >= end - y)
			first = (int)i - (end - y) + 1;
	for (guint i = (guint)first; i < snaps->len && y < end; i++) {
		const struct snapshot *s = snaps->pdata[i];
		g_autofree char *branch = snapshot_branch(snaps, i, t->utf8);
		g_autofree char *name = g_strconcat(branch, s->name, s->current ? " *" : "", NULL);
		g_autoptr(GDateTime) d = s->created ? g_date_time_new_from_unix_local(s->created) : NULL;
		g_autofree char *when = d ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S") : g_strdup("");
		g_autofree char *line = NULL, *safe = NULL;
		g_autoptr(GString) cell = g_string_new(NULL);

		cli_pad(cell, name, 24);
		line = g_strdup_printf("%s %-19s  %s", cell->str, when, s->description ? s->description : "");
		safe = core_printable(line, false);
		if (s->current)
			attron(A_BOLD);
		mvaddnstr(y++, 2, safe, cols - 2);
		if (s->current)
			attroff(A_BOLD);
	}
}

static void tab_events(struct tui *t, int y, int h, int cols)
{
	g_auto(GStrv) lines = model_events(tui_host(t, NULL)->model, t->details->uuid);
	int n = (int)g_strv_length(lines);

	if (!n)
		mvaddstr(y, 2, _("No events since vmtui started."));
	/* the newest at the bottom, as many as fit */
	for (int i = MAX(0, n - h); i < n; i++)
		mvaddnstr(y++, 2, lines[i], cols - 2);
}

static void tab_console(struct tui *t, int y, int h, int cols)
{
	const char *log = t->details->spec->serial_log;
	int n = t->details->tail_lines ? (int)g_strv_length(t->details->tail_lines) : 0;

	if (!log) {
		mvaddnstr(y, 2, _("No serial log: vmtui keeps one for the VMs it creates on the embedded engine."),
			  cols - 2);
		return;
	}
	if (!t->details->tail_lines || g_strcmp0(t->details->tail_path, log) != 0) {
		mvaddnstr(y, 2, _("Reading the serial log..."), cols - 2);
		return;
	}
	if (!n || (n == 1 && !*t->details->tail_lines[0]))
		mvaddnstr(y, 2, _("The serial console has printed nothing yet."), cols - 2);
	/* the newest at the bottom, as many as fit */
	for (int i = MAX(0, n - h); i < n; i++)
		mvaddnstr(y++, 1, t->details->tail_lines[i], cols - 1);
}

static void tab_screen(struct tui *t, int y, int h, int cols)
{
	const struct vm_row *vm = tui_selected(t);
	bool mine = t->details->shot && strcmp(t->details->shot_uuid, vm->uuid) == 0 &&
		    t->details->shot_host == vm->host;

	t->details->shot_max_w = cols - 4;
	t->details->shot_max_h = h;
	if (!t->details->spec->graphics) {
		mvaddnstr(y, 2, _("No graphical display: the VM was created with --no-graphics."), cols - 2);
		return;
	}
	if (!vm_state_active(vm->state)) {
		mvaddnstr(y, 2, _("Not running: its screen shows here while it runs."), cols - 2);
		return;
	}
	if (!t->color) {
		mvaddnstr(y, 2, _("The picture of the screen needs colours (v shows it in full)."), cols - 2);
		return;
	}
	if (!mine) {
		mvaddnstr(y, 2, t->details->shot_error && strcmp(t->details->shot_uuid, vm->uuid) == 0 ?
			  t->details->shot_error : _("Taking a picture of the screen..."), cols - 2);
		return;
	}
	for (int r = 0; r < t->details->shot_h && r < h; r++) {
		move(y + r, 2);
		for (int c = 0; c < t->details->shot_w && c < cols - 4; c++) {
			const struct render_cell *cell = &t->details->shot[r * t->details->shot_w + c];
			int pair = alloc_pair(cell->ch == ' ' ? cell->bg : cell->fg, cell->bg);
			wchar_t wc[2] = { (wchar_t)cell->ch, 0 };
			cchar_t cc;

			setcchar(&cc, wc, A_NORMAL, 0, &pair);
			add_wch(&cc);
		}
	}
	attrset(A_NORMAL);
	if (t->details->shot_w + 6 < cols)
		mvaddnstr(y, t->details->shot_w + 5, _("v: the screen, live"), cols - t->details->shot_w - 5);
}

static const struct {
	const char *title;
	void (*draw)(struct tui *t, int y, int h, int cols);
} tabs[] = {
	/* TRANSLATORS: tabs of the details pane */
	{ N_("Overview"), tab_overview },
	{ N_("Hardware"), tab_hardware },
	{ N_("Disks"), tab_disks },
	{ N_("Network"), tab_network },
	{ N_("Console"), tab_console },
	{ N_("Screen"), tab_screen },
	{ N_("Events"), tab_events },
	{ N_("Snapshots"), tab_snapshots },
};

static bool console_tab(const struct tui *t)
{
	return tabs[t->details->tab].draw == tab_console;
}

static bool screen_tab(const struct tui *t)
{
	return tabs[t->details->tab].draw == tab_screen;
}

bool view_details_live(const struct tui *t)
{
	return console_tab(t) || screen_tab(t);
}

int view_details_next_tab(struct tui *t, int step)
{
	int n = (int)G_N_ELEMENTS(tabs);

	t->details->tab = ((t->details->tab + step) % n + n) % n;
	return TUI_REDRAW;
}

/* On a host's heading: what the host is. */
static void draw_host(struct tui *t, int y, int h, int cols)
{
	struct host *host = tui_host(t, NULL);
	int end = y + h;

	move(y, 0);
	clrtoeol();
	attron(A_BOLD);
	mvaddnstr(y++, 1, host->label, cols - 1);
	attroff(A_BOLD);
	if (y < end)
		y = field(y, 2, cols, _("URI:"), host->uri ? host->uri :
			  host->eng ? engine_uri(host->eng) : NULL);
	if (y < end && host->eng && !engine_is_test(host->eng))
		y = field(y, 2, cols, _("Accelerator:"),
			  engine_accel(host->eng) == ACCEL_KVM ? "KVM" : "TCG");
	if (y < end)
		y = field(y, 2, cols, _("Error:"), host->error);
	if (y < end)
		field(y, 2, cols, "", host->error ? _("Enter connects again.") :
		      host->collapsed ? _("Enter shows its VMs.") : _("Enter folds its VMs away."));
}

void view_details_draw(struct tui *t, int top, int height, int cols)
{
	const struct vm_row *vm = tui_selected(t);

	if (tui_cursor_row(t) && tui_row_is_group(tui_cursor_row(t))) {
		draw_host(t, top, height, cols);
		return;
	}

	move(top, 0);
	clrtoeol();
	for (size_t i = 0; i < G_N_ELEMENTS(tabs); i++) {
		if ((int)i == t->details->tab)
			attron(A_REVERSE | A_BOLD);
		printw(" %s ", _(tabs[i].title));
		if ((int)i == t->details->tab)
			attroff(A_REVERSE | A_BOLD);
		addch(' ');
	}
	attron(A_DIM);
	addstr(_(" (Tab)"));
	attroff(A_DIM);
	if (!vm || !t->details->spec || strcmp(vm->uuid, t->details->uuid) != 0 ||
	    vm->host != t->details->host)
		return;
	tabs[t->details->tab].draw(t, top + 1, height - 1, cols);
}

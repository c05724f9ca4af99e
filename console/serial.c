/*
 * serial.c — the terminal attached to a guest's serial console through
 * libvirt's console stream.
 *
 * Three threads meet here.  The session (the caller's thread) polls the
 * terminal and three pipes and never calls libvirt.  libvirt's event-loop
 * thread moves the bytes: stream -> @out pipe -> terminal, and terminal
 * -> @in pipe -> stream, never blocking either (what does not fit waits in
 * a buffer until the other side is writable), and reports the stream's end
 * and the VM's lifecycle on the @note pipe.  Job workers do what may wait
 * for the engine: opening the console, registering for events, sending
 * keys, closing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libvirt/virterror.h>

#include "console/console-priv.h"
#include "core/i18n.h"
#include "core/files.h"
#include "core/engine.h"
#include "core/jobs.h"
#include "core/vm.h"
#include "core/model.h"
#include "console/keys.h"


struct serial {
	gint refs;
	struct engine *eng;
	char *name;
	virDomainPtr dom;
	int out[2];        /* stream -> session */
	int in[2];         /* session -> stream */
	int note[2];       /* event thread -> session: 'e' the stream ended,
			      'x' it broke, 's' the VM started, 'd' stopped */
	int in_watch;      /* libvirt handle on in[0], -1 if none */
	int out_watch;     /* libvirt handle on out[1] while @backlog waits */
	int cb_id;         /* lifecycle callback, -1 if none */

	GMutex lock;       /* guards what follows, used by the event thread */
	virStreamPtr st;   /* NULL while detached */
	GByteArray *to_guest;  /* read from in[0], not yet accepted by st */
	GByteArray *backlog;   /* read from st, not yet into out[1] */
};

static struct serial *serial_ref(struct serial *s)
{
	g_atomic_int_inc(&s->refs);
	return s;
}

static void serial_unref(void *p)
{
	struct serial *s = p;

	if (!s || !g_atomic_int_dec_and_test(&s->refs))
		return;
	for (int i = 0; i < 2; i++) {
		if (s->out[i] >= 0)
			close(s->out[i]);
		if (s->in[i] >= 0)
			close(s->in[i]);
		if (s->note[i] >= 0)
			close(s->note[i]);
	}
	if (s->dom)
		virDomainFree(s->dom);
	g_byte_array_unref(s->to_guest);
	g_byte_array_unref(s->backlog);
	g_mutex_clear(&s->lock);
	g_free(s->name);
	g_free(s);
}

static void note(struct serial *s, char why)
{
	if (write(s->note[1], &why, 1) < 0) {
		/* full: the session has notes to read already */
	}
}

/* ---- the event-loop thread ---------------------------------------------- */

static void stream_events(struct serial *s);

/* Moves what the stream has to the out pipe; what the pipe cannot take
 * waits in @backlog, and the stream is not read until it has gone. */
static void flush_backlog(struct serial *s)
{
	while (s->backlog->len) {
		ssize_t n = write(s->out[1], s->backlog->data, s->backlog->len);

		if (n <= 0)
			break;
		g_byte_array_remove_range(s->backlog, 0, (guint)n);
	}
}

static void on_out_writable(int watch, int fd, int events, void *opaque)
{
	struct serial *s = opaque;

	g_mutex_lock(&s->lock);
	flush_backlog(s);
	if (!s->backlog->len) {
		virEventRemoveHandle(s->out_watch);
		s->out_watch = -1;
		if (s->st)
			stream_events(s);
	}
	g_mutex_unlock(&s->lock);
}

/* Sends what waits for the guest; false when the stream is full. */
static bool flush_to_guest(struct serial *s)
{
	while (s->to_guest->len) {
		int n = virStreamSend(s->st, (const char *)s->to_guest->data,
				      s->to_guest->len);

		if (n == -2)
			return false;
		if (n < 0) { /* the stream broke: its callback ends it */
			g_byte_array_set_size(s->to_guest, 0);
			return true;
		}
		g_byte_array_remove_range(s->to_guest, 0, (guint)n);
	}
	return true;
}

/* What the stream is watched for, from what waits. */
static void stream_events(struct serial *s)
{
	int ev = VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

	if (!s->backlog->len)
		ev |= VIR_STREAM_EVENT_READABLE;
	if (s->to_guest->len)
		ev |= VIR_STREAM_EVENT_WRITABLE;
	virStreamEventUpdateCallback(s->st, ev);
	if (s->in_watch >= 0)
		virEventUpdateHandle(s->in_watch,
				     s->to_guest->len ? 0 : VIR_EVENT_HANDLE_READABLE);
}

/* Takes the stream out and closes it; with @s->lock held. */
static virStreamPtr take_stream(struct serial *s)
{
	virStreamPtr st = s->st;

	s->st = NULL;
	g_byte_array_set_size(s->to_guest, 0);
	if (s->in_watch >= 0)
		virEventUpdateHandle(s->in_watch, VIR_EVENT_HANDLE_READABLE);
	return st;
}

static void close_stream(virStreamPtr st, bool finished)
{
	if (!st)
		return;
	virStreamEventRemoveCallback(st);
	if (!finished || virStreamFinish(st) < 0)
		virStreamAbort(st);
	virStreamFree(st);
}

static void on_stream(virStreamPtr st, int events, void *opaque)
{
	struct serial *s = opaque;
	char buf[16384];
	bool end = false, failed = false;

	g_mutex_lock(&s->lock);
	if (s->st != st) { /* closed meanwhile, or an older stream */
		g_mutex_unlock(&s->lock);
		return;
	}
	if (events & VIR_STREAM_EVENT_READABLE) {
		int n = virStreamRecv(st, buf, sizeof(buf));

		if (n > 0) {
			g_byte_array_append(s->backlog, (guint8 *)buf, (guint)n);
			flush_backlog(s);
			if (s->backlog->len && s->out_watch < 0)
				s->out_watch = virEventAddHandle(s->out[1], VIR_EVENT_HANDLE_WRITABLE,
								 on_out_writable, serial_ref(s),
								 serial_unref);
		} else if (n != -2) {
			end = true;
			failed = n < 0;
		}
	}
	if (events & VIR_STREAM_EVENT_WRITABLE)
		flush_to_guest(s);
	if (events & VIR_STREAM_EVENT_HANGUP)
		end = true;
	if (events & VIR_STREAM_EVENT_ERROR)
		end = failed = true;
	if (end) {
		st = take_stream(s);
		g_mutex_unlock(&s->lock);
		close_stream(st, !failed);
		/* another client taking over breaks the stream; a QEMU that
		 * exits ends it */
		note(s, failed ? 'x' : 'e');
		return;
	}
	stream_events(s);
	g_mutex_unlock(&s->lock);
}

static void on_input(int watch, int fd, int events, void *opaque)
{
	struct serial *s = opaque;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0)
		return;
	g_mutex_lock(&s->lock);
	if (s->st) { /* typed while detached: nobody to read it */
		g_byte_array_append(s->to_guest, (guint8 *)buf, (guint)n);
		flush_to_guest(s);
		stream_events(s);
	}
	g_mutex_unlock(&s->lock);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
			int detail, void *opaque)
{
	if (event == VIR_DOMAIN_EVENT_STARTED || event == VIR_DOMAIN_EVENT_RESUMED)
		note(opaque, 's');
	else if (event == VIR_DOMAIN_EVENT_STOPPED) /* not SHUTDOWN: a reboot
						     * sends that too */
		note(opaque, detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED ? 'm' : 'd');
	return 0;
}

/* ---- jobs ------------------------------------------------------------------ */

struct open_req {
	struct serial *s;
	bool force;
	bool first;        /* also look up the VM and watch its lifecycle */
	bool off;          /* the result: the VM is not running */
	virStreamPtr st;   /* the result */
};

static void open_req_free(void *p)
{
	struct open_req *r = p;

	if (r->st)
		close_stream(r->st, false);
	serial_unref(r->s);
	g_free(r);
}

static int open_job(struct job *job, void *data)
{
	struct open_req *r = data;
	struct serial *s = r->s;
	virConnectPtr conn = engine_conn(s->eng);
	virStreamPtr st;
	int state = VIR_DOMAIN_NOSTATE;

	if (r->first) {
		s->dom = vm_lookup(s->eng, s->name);
		if (!s->dom)
			return -1;
		s->cb_id = virConnectDomainEventRegisterAny(conn, s->dom,
							    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							    VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
							    serial_ref(s), serial_unref);
		if (s->cb_id < 0) {
			serial_unref(s);
			core_error_virt(CORE_ERR_ENGINE, _("Cannot watch %s for lifecycle events"),
					s->name);
			return -1;
		}
	}
	if (virDomainGetState(s->dom, &state, NULL, 0) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read the state of %s"), s->name);
		return -1;
	}
	if (!vm_state_active(state)) {
		r->off = true;
		core_error(CORE_ERR_STATE, _("%s is not running (%s): start it first, then attach to its console."),
			   s->name, vm_state_label(state));
		return -1;
	}
	st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!st) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot create a stream"));
		return -1;
	}
	if (virDomainOpenConsole(s->dom, NULL, st, VIR_DOMAIN_CONSOLE_SAFE |
				 (r->force ? VIR_DOMAIN_CONSOLE_FORCE : 0)) < 0) {
		virErrorPtr e = virGetLastError();

		if (!r->force && e && e->code == VIR_ERR_OPERATION_FAILED)
			core_error(CORE_ERR_STATE, _("The serial console of %s is in use by another client; take it over with --force (in a session: the menu's f)."),
				   s->name);
		else if (e && e->code == VIR_ERR_INTERNAL_ERROR)
			core_error_virt(CORE_ERR_STATE, _("%s has no serial console to attach to"),
					s->name);
		else
			core_error_virt(CORE_ERR_FAILED, _("Cannot open the serial console of %s"),
					s->name);
		virStreamFree(st);
		return -1;
	}
	r->st = st;
	return 0;
}

/* The menu's s: start the VM that shut down. */
static int start_job(struct job *job, void *data)
{
	struct serial *s = data;

	return vm_start(s->eng, s->name);
}

static int close_job(struct job *job, void *data)
{
	struct serial *s = data;
	virStreamPtr st;

	g_mutex_lock(&s->lock);
	st = take_stream(s);
	if (s->out_watch >= 0)
		virEventRemoveHandle(s->out_watch);
	s->out_watch = -1;
	if (s->in_watch >= 0)
		virEventRemoveHandle(s->in_watch);
	s->in_watch = -1;
	g_mutex_unlock(&s->lock);
	close_stream(st, false);
	if (s->cb_id >= 0)
		virConnectDomainEventDeregisterAny(engine_conn(s->eng), s->cb_id);
	s->cb_id = -1;
	return 0;
}

/* ---- the session ------------------------------------------------------------- */

enum mode {
	ATTACHED,
	OPENING,   /* an open job runs */
	ENDED,     /* the stream ended: a stop event should follow */
	WAITING,   /* the VM is off: attach when it starts */
	TAKEN,     /* another client has the console */
};

enum menu { MENU_NONE, MENU_OPEN, MENU_SYSRQ };

struct session {
	struct serial *s;
	const struct console_opts *o;
	enum mode mode;
	enum menu menu;
	struct job *open;   /* the open job, while mode == OPENING */
	struct job *keys;   /* a send-key or start job */
	gint64 ended_at;    /* monotonic µs the stream ended */
	FILE *log;
	char *log_path;
	GByteArray *typed;  /* for the in pipe, when it is full */
	bool leave;
	int next;
};

static void attach(struct session *ss, virStreamPtr st)
{
	struct serial *s = ss->s;

	g_mutex_lock(&s->lock);
	s->st = st;
	g_byte_array_set_size(s->backlog, 0);
	if (virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE |
				      VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				      on_stream, serial_ref(s), serial_unref) < 0) {
		serial_unref(s);
		s->st = NULL;
		g_mutex_unlock(&s->lock);
		close_stream(st, false);
		console_term_say(_("cannot watch the console stream of %s"), s->name);
		ss->mode = TAKEN;
		return;
	}
	g_mutex_unlock(&s->lock);
	ss->mode = ATTACHED;
}

static struct job *submit_open(struct serial *s, bool force, bool first)
{
	struct open_req *r = g_new0(struct open_req, 1);

	r->s = serial_ref(s);
	r->force = force;
	r->first = first;
	return job_submit(_("Open the serial console"), open_job, r, open_req_free, false);
}

static void start_open(struct session *ss, bool force)
{
	if (ss->open)
		return;
	ss->open = submit_open(ss->s, force, false);
	ss->mode = OPENING;
}

/* An open job finished: attach, or say why not. */
static void opened(struct session *ss)
{
	struct open_req *r = job_data(ss->open);
	g_autofree char *err = NULL;

	if (job_get_error(ss->open, &err) == CORE_OK && r->st) {
		attach(ss, g_steal_pointer(&r->st));
		console_term_say(_("attached to %s again"), ss->s->name);
	} else if (r->off) { /* it stopped meanwhile: wait for its start */
		console_term_say(_("%s is not running; the console comes back when it starts (%s s starts it, %s q leaves)"),
				 ss->s->name, console_escape_name(ss->o->escape),
				 console_escape_name(ss->o->escape));
		ss->mode = WAITING;
	} else {
		console_term_say("%s", err ? err : "");
		ss->mode = TAKEN;
	}
	job_unref(g_steal_pointer(&ss->open));
}

/* Sends @keys (n == 0: starts the VM) as a job, one at a time. */
static void send_keys(struct session *ss, const unsigned *keys, int n)
{
	if (ss->keys) {
		console_term_say(_("still busy with the last request"));
		return;
	}
	ss->keys = n ? console_send_keys(ss->s->eng, ss->s->name, keys, n) :
		job_submit(_("Start"), start_job, serial_ref(ss->s), serial_unref, false);
}

static void toggle_log(struct session *ss)
{
	g_autofree char *data = NULL, *dir = NULL, *file = NULL;
	char stamp[32];
	time_t now = time(NULL);
	int fd;

	if (ss->log) {
		fclose(ss->log);
		ss->log = NULL;
		console_term_say(_("logging stopped: %s"), ss->log_path);
		g_clear_pointer(&ss->log_path, g_free);
		return;
	}
	data = core_data_dir();
	dir = g_build_filename(data, "logs", NULL);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	file = g_strdup_printf("%s-console-%s.log", ss->s->name, stamp);
	g_strdelimit(file, "/", '_');
	ss->log_path = g_build_filename(dir, file, NULL);
	fd = core_mkdir_p(dir, 0700) < 0 ? -1 :
		open(ss->log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(ss->log = fdopen(fd, "a"))) {
		console_term_say(_("cannot log to %s: %s"), ss->log_path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		g_clear_pointer(&ss->log_path, g_free);
		return;
	}
	console_term_say(_("logging to %s (the menu's l stops)"), ss->log_path);
}

static void show_menu(struct session *ss)
{
	const char *esc = console_escape_name(ss->o->escape);
	g_autofree char *line = NULL;

	/* TRANSLATORS: the serial console's menu; keep the keys */
	line = g_strdup_printf(_("%s or q leave · g screen · b SysRq · d Ctrl-Alt-Del · l log · f take over · e send %s · other keys: back"),
			       esc, esc);
	console_term_say("%s", line);
	ss->menu = MENU_OPEN;
}

/* Linux key code of a letter or digit, for SysRq; 0 if none. */
static unsigned key_code(int c)
{
	bool shift;

	return g_ascii_isalnum(c) ? (unsigned)keys_scancode(g_ascii_tolower(c), &shift) : 0;
}

static void to_guest(struct session *ss, const char *p, size_t n)
{
	if (ss->mode != ATTACHED || !n)
		return;
	g_byte_array_append(ss->typed, (const guint8 *)p, (guint)n);
	while (ss->typed->len) {
		ssize_t w = write(ss->s->in[1], ss->typed->data, ss->typed->len);

		if (w <= 0)
			break;
		g_byte_array_remove_range(ss->typed, 0, (guint)w);
	}
}

/* A key the user pressed after the menu key. */
static void menu_key(struct session *ss, unsigned char c)
{
	static const unsigned cad[] = { KEYS_LINUX_LEFTCTRL, KEYS_LINUX_LEFTALT, KEYS_LINUX_DELETE };
	char esc = (char)ss->o->escape;

	if (ss->menu == MENU_SYSRQ) {
		unsigned keys[] = { KEYS_LINUX_LEFTALT, KEYS_LINUX_SYSRQ, key_code(c) };

		ss->menu = MENU_NONE;
		if (!keys[2]) {
			console_term_say(_("SysRq needs a letter or a digit"));
			return;
		}
		send_keys(ss, keys, 3);
		console_term_say(_("sent Alt-SysRq-%c"), g_ascii_tolower(c));
		return;
	}
	ss->menu = MENU_NONE;
	if (c == ss->o->escape || c == 'q' || c == 'Q') {
		ss->leave = true;
		ss->next = CONSOLE_LEAVE;
	} else if (c == 'g' || c == 'G') {
		ss->leave = true;
		ss->next = CONSOLE_GRAPHICAL;
	} else if (c == 'b' || c == 'B') {
		ss->menu = MENU_SYSRQ;
		console_term_say(_("SysRq: press the command key (h lists them in the guest's kernel log)"));
	} else if (c == 'd' || c == 'D') {
		send_keys(ss, cad, 3);
		console_term_say(_("sent Ctrl-Alt-Del"));
	} else if (c == 'l' || c == 'L') {
		toggle_log(ss);
	} else if ((c == 's' || c == 'S') && ss->mode == WAITING) {
		console_term_say(_("starting %s"), ss->s->name);
		send_keys(ss, NULL, 0);
	} else if (c == 'f' || c == 'F') {
		if (ss->mode == ATTACHED) {
			console_term_say(_("the console is already yours"));
		} else if (ss->mode != OPENING) {
			console_term_say(_("taking over the console of %s"), ss->s->name);
			start_open(ss, true);
		}
	} else if (c == 'e' || c == 'E') {
		to_guest(ss, &esc, 1);
	} else {
		console_term_say(_("back to %s"), ss->s->name);
	}
}

static void on_terminal_input(struct session *ss, const char *buf, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (ss->menu != MENU_NONE) {
			menu_key(ss, c);
			from = i + 1;
		} else if (c == ss->o->escape) {
			to_guest(ss, buf + from, i - from);
			show_menu(ss);
			from = i + 1;
		}
		if (ss->leave)
			return;
	}
	to_guest(ss, buf + from, n - from);
}

static void on_note(struct session *ss, char why)
{
	switch (why) {
	case 'e':
		if (ss->mode == ATTACHED) { /* WAITING: it is known why */
			ss->mode = ENDED;
			ss->ended_at = g_get_monotonic_time();
		}
		break;
	case 'x':
		if (ss->mode == ATTACHED) {
			console_term_say(_("another client took over the console of %s (%s f takes it back, %s q leaves)"),
					 ss->s->name, console_escape_name(ss->o->escape),
					 console_escape_name(ss->o->escape));
			ss->mode = TAKEN;
		}
		break;
	case 'd':
		if (ss->mode == ATTACHED || ss->mode == ENDED || ss->mode == TAKEN) {
			console_term_say(_("%s shut down; the console comes back when it starts again (%s s starts it, %s q leaves)"),
					 ss->s->name, console_escape_name(ss->o->escape),
					 console_escape_name(ss->o->escape));
			ss->mode = WAITING;
		}
		break;
	case 'm': /* it runs on another host now: the console follows */
		console_term_say(_("%s migrated to another host; looking for it there"),
				 ss->s->name);
		ss->leave = true;
		ss->next = CONSOLE_MOVED;
		break;
	case 's': /* a new QEMU: its console is free */
		if (ss->mode != ATTACHED)
			start_open(ss, false);
		break;
	}
}

static void pass_output(struct session *ss)
{
	char buf[16384];
	ssize_t n = read(ss->s->out[0], buf, sizeof(buf));

	if (n <= 0)
		return;
	console_term_write(buf, (size_t)n);
	if (ss->log && fwrite(buf, 1, (size_t)n, ss->log) != (size_t)n) {
		console_term_say(_("cannot write %s: %s; logging stopped"), ss->log_path,
				 g_strerror(errno));
		fclose(ss->log);
		ss->log = NULL;
		g_clear_pointer(&ss->log_path, g_free);
	}
}

/* The stream ended and no stop event came in 5 s (they come within a
 * second or two): something else closed the console. */
#define END_GRACE_US (5 * 1000 * 1000)

static int poll_timeout(struct session *ss)
{
	gint64 left;

	if (ss->mode != ENDED)
		return -1;
	left = ss->ended_at + END_GRACE_US - g_get_monotonic_time();
	return left > 0 ? (int)(left / 1000) + 1 : 0;
}

static void run(struct session *ss)
{
	struct serial *s = ss->s;

	while (!ss->leave) {
		struct pollfd p[5] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = s->out[0], .events = POLLIN },
			{ .fd = s->note[0], .events = POLLIN },
			{ .fd = job_notify_fd(), .events = POLLIN },
			{ .fd = console_term_signal_fd(), .events = POLLIN },
		};
		char buf[4096];
		ssize_t n;

		if (poll(p, G_N_ELEMENTS(p), poll_timeout(ss)) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			pass_output(ss);
		if (p[2].revents & POLLIN) {
			while ((n = read(s->note[0], buf, sizeof(buf))) > 0)
				for (ssize_t i = 0; i < n; i++)
					on_note(ss, buf[i]);
		}
		if (p[3].revents & POLLIN) {
			job_notify_drain();
			if (ss->open && job_get_state(ss->open) >= JOB_DONE)
				opened(ss);
			if (ss->keys && job_get_state(ss->keys) >= JOB_DONE) {
				g_autofree char *err = NULL;

				if (job_get_error(ss->keys, &err) != CORE_OK)
					console_term_say("%s", err);
				job_unref(g_steal_pointer(&ss->keys));
			}
		}
		if (p[4].revents & POLLIN) {
			n = read(console_term_signal_fd(), buf, sizeof(buf));
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] == 'q')
					ss->leave = true;
		}
		if (p[0].revents & (POLLHUP | POLLERR)) {
			ss->leave = true; /* the terminal went away */
		} else if (p[0].revents & POLLIN) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				ss->leave = true;
			else if (n > 0)
				on_terminal_input(ss, buf, (size_t)n);
		}
		if (ss->mode == ENDED && poll_timeout(ss) == 0) {
			console_term_say(_("the console of %s closed (%s f opens it again, %s q leaves)"),
					 s->name, console_escape_name(ss->o->escape),
					 console_escape_name(ss->o->escape));
			ss->mode = TAKEN;
		}
	}
}

static struct serial *serial_new(struct engine *eng, const char *name)
{
	struct serial *s = g_new0(struct serial, 1);
	int *pipes[] = { s->out, s->in, s->note };

	s->refs = 1;
	s->eng = eng;
	s->name = g_strdup(name);
	s->in_watch = s->out_watch = s->cb_id = -1;
	s->to_guest = g_byte_array_new();
	s->backlog = g_byte_array_new();
	g_mutex_init(&s->lock);
	for (size_t i = 0; i < G_N_ELEMENTS(pipes); i++) {
		pipes[i][0] = pipes[i][1] = -1;
		if (!g_unix_open_pipe(pipes[i], FD_CLOEXEC, NULL)) {
			core_error(CORE_ERR_FAILED, _("Cannot create a pipe: %s"),
				   g_strerror(errno));
			serial_unref(s);
			return NULL;
		}
		g_unix_set_fd_nonblocking(pipes[i][0], TRUE, NULL);
		g_unix_set_fd_nonblocking(pipes[i][1], TRUE, NULL);
	}
	/* room for a burst of guest output while the terminal is slow */
	fcntl(s->out[1], F_SETPIPE_SZ, 1 << 20);
	s->in_watch = virEventAddHandle(s->in[0], VIR_EVENT_HANDLE_READABLE,
					on_input, serial_ref(s), serial_unref);
	if (s->in_watch < 0) {
		serial_unref(s);
		core_error(CORE_ERR_ENGINE, _("The engine's event loop does not run"));
		serial_unref(s);
		return NULL;
	}
	return s;
}

/* Closes @s's stream and event callback on a worker (closing may wait for
 * a remote engine) and waits for it a little: the caller closes the
 * engine next, and a close still running then would use a connection
 * that is gone. */
static void close_serial(struct serial *s)
{
	struct job *job = job_submit(_("Close the serial console"), close_job, s,
				     serial_unref, false);

	job_wait(job, 2000);
	job_unref(job);
}

/* Waits for a job the session cannot go on without, up to @timeout_s. */
static bool wait_job(struct job *job, int timeout_s)
{
	if (job_wait(job, timeout_s * 1000))
		return true;
	core_error(CORE_ERR_TIMEOUT, _("The engine did not answer within %d s."), timeout_s);
	return false;
}

int console_serial(struct engine *eng, const char *name, const struct console_opts *o)
{
	struct session ss = { .o = o, .next = CONSOLE_LEAVE };
	struct job *job;
	struct open_req *r;
	g_autofree char *err = NULL;
	enum core_err code;

	ss.s = serial_new(eng, name);
	if (!ss.s)
		return -1;
	/* open before raw mode, so that a refusal reads like any error */
	job = submit_open(ss.s, o->force, true);
	if (!wait_job(job, o->timeout_s)) {
		job_unref(job);
		serial_unref(ss.s);
		return -1;
	}
	r = job_data(job);
	code = job_get_error(job, &err);
	if (code != CORE_OK) {
		g_autofree char *msg = g_strdup(err ? err : "");

		job_unref(job);
		close_serial(ss.s);
		core_error(code, "%s", msg);
		return -1;
	}
	if (console_term_enter(NULL, NULL) < 0) {
		g_autofree char *msg = g_strdup(core_error_message());
		enum core_err c = core_error_code();

		job_unref(job);
		close_serial(ss.s);
		core_error(c, "%s", msg);
		return -1;
	}
	ss.typed = g_byte_array_new();
	attach(&ss, g_steal_pointer(&r->st));
	job_unref(job);
	console_term_say(_("serial console of %s: %s opens the menu, %s %s leaves"), name,
			 console_escape_name(o->escape), console_escape_name(o->escape),
			 console_escape_name(o->escape));

	run(&ss);

	console_term_say(_("left the console of %s"), name);
	console_term_leave();
	if (ss.log) {
		fclose(ss.log);
		fprintf(stderr, _("vmtui: the console log is in %s\n"), ss.log_path);
	}
	g_free(ss.log_path);
	g_byte_array_unref(ss.typed);
	if (ss.open)
		job_unref(ss.open);
	if (ss.keys)
		job_unref(ss.keys);
	close_serial(ss.s);
	return ss.next;
}

/*
 * term.c — the terminal during a console session: raw mode, and the way
 * back to the mode it was in on every exit path, a crash signal included.
 * SIGTERM, SIGHUP and SIGWINCH become bytes on a pipe the session polls.
 * Also what both consoles share: their options, the switch between them,
 * and keys sent through libvirt.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libvirt/virterror.h>

#include "console/console-priv.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/jobs.h"
#include "core/vm.h"

static struct termios saved;
static volatile sig_atomic_t raw_on;
/* written to the terminal when leaving raw mode (undoes what the session
 * turned on: mouse reporting, the alternate screen...) */
static char leave_seq[256];
static size_t leave_len;
static int sig_pipe[2] = { -1, -1 };

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static const int quit_signals[] = { SIGTERM, SIGHUP, SIGWINCH, SIGPIPE };
static struct sigaction old_fatal[G_N_ELEMENTS(fatal_signals)];
static struct sigaction old_quit[G_N_ELEMENTS(quit_signals)];

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void restore_now(void)
{
	if (!raw_on)
		return;
	raw_on = 0;
	write_all(STDOUT_FILENO, leave_seq, leave_len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

/* Async-signal-safe: puts the terminal back, then dies of the signal. */
static void on_fatal(int sig)
{
	restore_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_quit(int sig)
{
	int saved_errno = errno;
	char why = sig == SIGWINCH ? 'w' : sig == SIGPIPE ? 'p' : 'q';

	if (write(sig_pipe[1], &why, 1) < 0) {
		/* the pipe is full: the session has plenty to read already */
	}
	errno = saved_errno;
}

int console_term_enter(const char *enter, const char *leave)
{
	struct termios raw;
	struct sigaction sa = { 0 };

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		core_error(CORE_ERR_USAGE, _("A console needs a terminal: standard input and output are not one."));
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot read the terminal's mode: %s"),
			   g_strerror(errno));
		return -1;
	}
	if (!g_unix_open_pipe(sig_pipe, FD_CLOEXEC, NULL)) {
		core_error(CORE_ERR_FAILED, _("Cannot create a pipe: %s"), g_strerror(errno));
		return -1;
	}
	g_unix_set_fd_nonblocking(sig_pipe[0], TRUE, NULL);
	g_unix_set_fd_nonblocking(sig_pipe[1], TRUE, NULL);
	leave_len = g_strlcpy(leave_seq, leave ? leave : "", sizeof(leave_seq));
	if (leave_len >= sizeof(leave_seq))
		leave_len = sizeof(leave_seq) - 1;

	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &old_fatal[i]);
	sa.sa_handler = on_quit;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < G_N_ELEMENTS(quit_signals); i++)
		sigaction(quit_signals[i], &sa, &old_quit[i]);

	raw = saved;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	raw_on = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	if (enter)
		write_all(STDOUT_FILENO, enter, strlen(enter));
	return 0;
}

void console_term_leave(void)
{
	restore_now();
	for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &old_fatal[i], NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(quit_signals); i++)
		sigaction(quit_signals[i], &old_quit[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

int console_term_signal_fd(void)
{
	return sig_pipe[0];
}

void console_term_write(const void *data, size_t len)
{
	write_all(STDOUT_FILENO, data, len);
}

void console_term_say(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;
	g_autofree char *line = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* on a line of its own, whatever the guest left on the current one;
	 * it names the VM, and names come from elsewhere */
	g_autofree char *safe = core_printable(msg, false);

	line = g_strdup_printf("\r\n\033[1m[vmtui: %s]\033[0m\r\n", safe);
	write_all(STDOUT_FILENO, line, strlen(line));
}

size_t console_term_replies(const char *buf, size_t len, struct term_replies *r,
			    char *typed)
{
	size_t i = 0, n = 0;

	memset(r, 0, sizeof(*r));
	while (i < len) {
		const char *p = buf + i;
		size_t rest = len - i, j;

		if (rest >= 3 && memcmp(p, "\033_G", 3) == 0) {
			/* a kitty graphics reply, up to its string terminator */
			const char *st = memmem(p + 3, rest - 3, "\033\\", 2);

			if (st && st - p >= 10 && memcmp(p + 3, "i=31;OK", 7) == 0)
				r->kitty = true;
			i = st ? (size_t)(st + 2 - buf) : len;
			continue;
		}
		if (rest >= 3 && memcmp(p, "\033[?", 3) == 0) {
			/* DA1: ESC [ ? attributes separated by ';' c */
			for (j = 3; j < rest && (g_ascii_isdigit(p[j]) || p[j] == ';'); j++)
				;
			if (j == rest) {
				i = len;
				continue;
			}
			if (p[j] == 'c') {
				for (size_t k = 3; k < j; k++)
					if (p[k] == '4' && (p[k - 1] == '?' || p[k - 1] == ';') &&
					    (p[k + 1] == ';' || p[k + 1] == 'c'))
						r->sixel = true;
				r->da1 = true;
				i += j + 1;
				continue;
			}
		}
		typed[n++] = buf[i++];
	}
	return n;
}

const char *console_escape_name(int escape)
{
	static char name[16];

	if (escape < 0 || escape > 0x1f)
		return "?";
	g_snprintf(name, sizeof(name), "Ctrl-%c", escape + '@');
	return name;
}

void console_opts_init(struct console_opts *o, const struct core_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->escape = cfg->console_escape; /* ^@ (0) too: it is a key */
	o->timeout_s = cfg->op_timeout > 0 ? cfg->op_timeout : 30;
	o->graphics = cfg->console_graphics;
	o->text = (int)cfg->console_text;
	o->cfg = cfg;
}

/* The host of @cfg other than @eng's (local, then [hosts]) where the VM
 * @uuid runs now, opened (caller closes), or NULL with an error.  It asks
 * for a few seconds: the source says the VM left as the destination
 * starts it.  Blocks. */
static struct engine *find_moved(const struct core_config *cfg, struct engine *eng,
				 const char *name, const char *uuid)
{
	g_autoptr(GPtrArray) uris = g_ptr_array_new();

	/* an embedded engine never takes a migrating VM */
	if (cfg->local_uri)
		g_ptr_array_add(uris, cfg->local_uri);
	for (guint i = 0; i < cfg->hosts->len; i++)
		g_ptr_array_add(uris, ((struct core_pair *)cfg->hosts->pdata[i])->value);
	/* the destination runs it before the source says it left: a second
	 * look only covers a slow event; each look opens the hosts anew,
	 * and one that does not answer holds it up */
	for (int round = 0; round < 2; round++, g_usleep(G_USEC_PER_SEC)) {
		for (guint i = 0; i < uris->len; i++) {
			struct engine *e;
			virDomainPtr dom;

			if (strcmp(uris->pdata[i], engine_uri(eng)) == 0 ||
			    !(e = engine_open_uri(cfg, uris->pdata[i], false))) {
				core_error_clear();
				continue;
			}
			dom = virDomainLookupByUUIDString(engine_conn(e), uuid);
			if (dom && virDomainIsActive(dom) == 1) {
				virDomainFree(dom);
				return e;
			}
			if (dom)
				virDomainFree(dom);
			virResetLastError();
			if (engine_close(e) < 0)
				g_warning("engine left open");
		}
	}
	core_error(CORE_ERR_NOT_FOUND,
		   _("%s migrated to a host that is not among vmtui's (host list): its console is there now (vmtui -c HOST console %s)"),
		   name, name);
	return NULL;
}

int console_run(struct engine *eng, const char *name, enum console_next first,
		const struct console_opts *o)
{
	int next = (int)first, was = -1, ret = 0;
	struct engine *moved = NULL; /* the engine the VM went to, ours */
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	virDomainPtr dom = virDomainLookupByName(engine_conn(eng), name);

	if (dom) {
		if (virDomainGetUUIDString(dom, uuid) < 0)
			uuid[0] = '\0';
		virDomainFree(dom);
	}
	virResetLastError();
	while (next == CONSOLE_SERIAL || next == CONSOLE_GRAPHICAL || next == CONSOLE_MOVED) {
		int rc;

		if (next == CONSOLE_MOVED) {
			struct engine *e = uuid[0] && o->cfg ? find_moved(o->cfg, eng, name, uuid) : NULL;

			if (!e) {
				g_autofree char *why = core_printable(core_error_message(), true);

				fprintf(stderr, "vmtui: %s\n", why);
				ret = -1;
				break;
			}
			if (moved && engine_close(moved) < 0)
				g_warning("engine left open");
			moved = eng = e;
			{
				g_autofree char *label = NULL, *msg = NULL, *safe = NULL;

				if (core_config_host(o->cfg, engine_uri(eng), NULL, &label) < 0)
					label = g_strdup(engine_uri(eng));
				msg = g_strdup_printf(_("%s runs on %s now; its console follows it."),
						      name, label);
				safe = core_printable(msg, true);
				fprintf(stderr, "vmtui: %s\n", safe);
			}
			next = was < 0 ? CONSOLE_SERIAL : was;
		}
		rc = next == CONSOLE_SERIAL ? console_serial(eng, name, o) :
			console_graphical(eng, name, o);

		if (rc < 0 && was < 0) {
			ret = -1;
			break;
		}
		if (rc < 0) {
			/* the other console cannot open (no display, say):
			 * say why, and go back to the one that worked */
			g_autofree char *why = core_printable(core_error_message(), true);

			fprintf(stderr, "vmtui: %s\n", why);
			rc = was;
			was = -1;
		} else {
			was = next;
		}
		next = rc;
	}
	if (moved && engine_close(moved) < 0)
		g_warning("engine left open");
	return ret;
}

struct keys_req {
	struct engine *eng;
	char *name;
	unsigned keys[8];
	int n;
};

static void keys_req_free(void *p)
{
	struct keys_req *r = p;

	g_free(r->name);
	g_free(r);
}

static int keys_job(struct job *job, void *data)
{
	struct keys_req *r = data;
	virDomainPtr dom = vm_lookup(r->eng, r->name);
	int rc;

	if (!dom)
		return -1;
	rc = virDomainSendKey(dom, VIR_KEYCODE_SET_LINUX, 0, r->keys, r->n, 0);
	virDomainFree(dom);
	if (rc < 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot send keys to %s"), r->name);
	return rc;
}

struct job *console_send_keys(struct engine *eng, const char *name,
			      const unsigned *keys, int n)
{
	struct keys_req *r = g_new0(struct keys_req, 1);

	r->eng = eng;
	r->name = g_strdup(name);
	r->n = MIN(n, (int)G_N_ELEMENTS(r->keys));
	memcpy(r->keys, keys, sizeof(unsigned) * (size_t)r->n);
	return job_submit(_("Send keys"), keys_job, r, keys_req_free, false);
}

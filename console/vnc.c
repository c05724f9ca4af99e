/*
 * vnc.c — the guest's screen in the terminal, with its keyboard and
 * mouse.  libvncclient talks to QEMU's VNC server (through a socket
 * libvirt hands over, on a local engine); render.c turns the framebuffer
 * into cells; keys.c turns the terminal's input into key and pointer
 * events.
 *
 * libvncclient is not thread-safe, so one thread owns the client: a job
 * connects it (the handshake blocks), then the session's thread alone
 * uses it, from its poll() loop.  Frames are rendered when the guest
 * changed something, at most every FRAME_US, and only while the terminal
 * keeps up (its output queue is short): a still screen writes nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <glib-unix.h>
#include <netdb.h>
#include <rfb/rfbclient.h>

#include "console/console-priv.h"
#include "core/i18n.h"
#include "core/files.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/jobs.h"
#include "core/run.h"
#include "core/vm.h"
#include "core/model.h"
#include "console/keys.h"
#include "console/render.h"
#include "console/text.h"
#include "core/settings.h"


#define FRAME_US (33 * 1000)         /* cells: at most 30 frames a second */
#define PIXEL_FRAME_US (100 * 1000)  /* images: at most 10 */
#define OUTQ_MAX (64 * 1024)         /* bytes the tty may still hold */
#define ESC_WAIT_US (30 * 1000)      /* a lone Esc, not a sequence */
#define MIN_COLS 40
#define MIN_ROWS 12
#define SYNC_MIN 256                 /* smaller text frames need no synchronized update */

enum view { VIEW_FIT, VIEW_FILL, VIEW_ONE, VIEW_TEXT, VIEW_COUNT };
enum menu { MENU_NONE, MENU_OPEN, MENU_TYPE };

struct vnc {
	struct engine *eng;
	const char *name;
	const struct console_opts *o;
	rfbClient *cl;
	bool ext_keys;          /* QEMU takes extended (scan code) events */
	uint8_t *fb;
	int fb_w, fb_h;
	struct render *r;
	enum view view;
	int pan_x, pan_y;
	int cols, rows;         /* the terminal */
	int cell_w, cell_h;     /* its cells' pixels, if it says */
	/* the image's place: source rectangle and cells */
	int src_x, src_y, src_w, src_h;
	int x0, y0, cw, ch;
	struct text_screen text; /* the screen read as text */
	double text_ratio;      /* the share of its cells that are characters */
	bool texting;           /* drawn as text */
	int text_cols, text_rows; /* the grid last drawn */
	int cur_x, cur_y;       /* the guest's text cursor, last seen (-1: none) */
	int follow_x, follow_y; /* where the view last followed it */
	int shown_x, shown_y;   /* where the terminal's cursor shows it (-1: hidden) */
	bool dirty;             /* the guest drew since the last frame */
	int dmg_top, dmg_bottom; /* the framebuffer rows it drew */
	bool full;              /* the terminal was cleared */
	bool status_dirty;
	gint64 last_frame;
	unsigned buttons;
	int leds;
	enum menu menu;
	GString *typing;
	char *note;             /* shown in the status line until a key */
	GString *out;
	char in[512];
	size_t in_len;
	gint64 in_at;
	struct job *job;        /* sending keys, screenshot or reconnecting */
	enum { JOB_KEYS, JOB_SHOT, JOB_CONNECT } job_kind;
	int port;               /* the VNC server's TCP port, -1 if none */
	char *host;             /* and its address, if reachable from here */
	struct run_socket *tunnel; /* the ssh that carries it, or NULL */
	const char *viewer;     /* a desktop VNC viewer there is, or NULL */
	bool leave;
	int next;
};

static char rfb_error[256]; /* libvncclient's last complaint */

static void rfb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_vsnprintf(rfb_error, sizeof(rfb_error), fmt, ap);
	va_end(ap);
	g_strchomp(rfb_error);
}

static void set_note(struct vnc *v, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_note(struct vnc *v, const char *fmt, ...)
{
	va_list ap;

	g_free(v->note);
	va_start(ap, fmt);
	v->note = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	v->status_dirty = true;
}

/* ---- libvncclient's callbacks ------------------------------------------ */

static struct vnc *client_vnc(rfbClient *cl)
{
	return rfbClientGetClientData(cl, (void *)rfb_log);
}

static rfbBool on_resize(rfbClient *cl)
{
	struct vnc *v = client_vnc(cl);
	size_t size;

	if (cl->width <= 0 || cl->height <= 0 || cl->width > 16384 || cl->height > 16384)
		return FALSE;
	size = (size_t)cl->width * (size_t)cl->height * 4;
	g_free(v->fb);
	v->fb = g_malloc0(size);
	for (size_t i = 3; i < size; i += 4)
		v->fb[i] = 0xff;
	cl->frameBuffer = v->fb;
	v->fb_w = cl->width;
	v->fb_h = cl->height;
	v->dmg_top = 0;
	v->dmg_bottom = v->fb_h;
	v->dirty = v->full = v->status_dirty = true;
	return TRUE;
}

static void on_update(rfbClient *cl, int x, int y, int w, int h)
{
	struct vnc *v = client_vnc(cl);

	/* the server leaves the fourth byte 0: make the pixels opaque */
	for (int row = y; row < y + h && row < v->fb_h; row++) {
		uint8_t *p = v->fb + ((size_t)row * (size_t)v->fb_w + (size_t)x) * 4 + 3;

		for (int col = x; col < x + w && col < v->fb_w; col++, p += 4)
			*p = 0xff;
	}
	v->dmg_top = MIN(v->dmg_top, y);
	v->dmg_bottom = MAX(v->dmg_bottom, y + h);
	v->dirty = true;
}

static void on_leds(rfbClient *cl, int value, int pad)
{
	struct vnc *v = client_vnc(cl);

	v->leds = value;
	v->status_dirty = true;
}

static char *no_password(rfbClient *cl)
{
	rfb_log("%s", _("the VNC server asks for a password, which vmtui does not know"));
	return NULL;
}

/* ---- connecting (a job) ---------------------------------------------------- */

struct connect_req {
	struct engine *eng;
	char *name;
	struct vnc stage;   /* what the callbacks fill during the handshake,
			       for the session to take over */
	rfbClient *cl;      /* the result */
	int port;           /* its VNC server's TCP port, -1 if none */
	char *host;         /* and address, when reachable from here */
	struct run_socket *tunnel; /* the ssh it came through */
};

static void connect_req_free(void *p)
{
	struct connect_req *r = p;

	if (r->cl)
		rfbClientCleanup(r->cl);
	core_run_socket_end(r->tunnel);
	g_free(r->stage.fb);
	g_free(r->host);
	g_free(r->name);
	g_free(r);
}

/* The ssh that reaches @listen:@port on the host of the qemu+ssh (or
 * +libssh, +libssh2) URI @uri, from there: its user, port and the
 * URI's keyfile, no_verify and known_hosts, never asking on the terminal.
 * NULL when @uri goes another way. */
static GPtrArray *ssh_argv(const char *uri, const char *listen, int port)
{
	g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED_QUERY, NULL);
	g_autoptr(GHashTable) q = NULL;
	GPtrArray *a;
	const char *v;

	if (!u || !strstr(g_uri_get_scheme(u), "ssh") || !g_uri_get_host(u))
		return NULL;
	q = g_uri_get_query(u) ? g_uri_parse_params(g_uri_get_query(u), -1, "&",
						     G_URI_PARAMS_NONE, NULL) : NULL;
	a = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(a, g_strdup("ssh"));
	g_ptr_array_add(a, g_strdup("-T"));
	g_ptr_array_add(a, g_strdup("-oBatchMode=yes"));
	g_ptr_array_add(a, g_strdup("-oConnectTimeout=10"));
	g_ptr_array_add(a, g_strdup("-oLogLevel=ERROR"));
	if (g_uri_get_port(u) > 0)
		g_ptr_array_add(a, g_strdup_printf("-p%d", g_uri_get_port(u)));
	if (g_uri_get_user(u))
		g_ptr_array_add(a, g_strdup_printf("-l%s", g_uri_get_user(u)));
	if (q && (v = g_hash_table_lookup(q, "keyfile")))
		g_ptr_array_add(a, g_strdup_printf("-i%s", v));
	if (q && (v = g_hash_table_lookup(q, "no_verify")) && strcmp(v, "0") != 0)
		g_ptr_array_add(a, g_strdup("-oStrictHostKeyChecking=no"));
	if (q && (v = g_hash_table_lookup(q, "known_hosts")))
		g_ptr_array_add(a, g_strdup_printf("-oUserKnownHostsFile=%s", v));
	g_ptr_array_add(a, strchr(listen, ':') ? g_strdup_printf("-W[%s]:%d", listen, port) :
			g_strdup_printf("-W%s:%d", listen, port));
	g_ptr_array_add(a, g_strdup("--"));
	g_ptr_array_add(a, g_strdup(g_uri_get_host(u)));
	g_ptr_array_add(a, NULL);
	return a;
}

/* Waits up to 15 s for the first byte on @fd, through the ssh @rs (the
 * VNC server speaks first): -1 with what ssh said when it ends first. */
static int tunnel_wait(struct connect_req *r, struct run_socket *rs, int fd, const char *host)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int ready = poll(&p, 1, 15000);
	char b;

	if (ready > 0 && recv(fd, &b, 1, MSG_PEEK) == 1)
		return 0;
	g_usleep(100 * 1000); /* what ssh says as it leaves */
	core_error(CORE_ERR_FAILED, _("Cannot reach the graphical console of %s through ssh to %s: %s"),
		   r->name, host, *core_run_socket_said(rs) ? core_run_socket_said(rs) :
		   ready > 0 ? _("ssh ended without a word") : _("no answer in 15 s"));
	return -1;
}

/* A socket to the VM's VNC server: from libvirt on a local engine,
 * through an ssh of its own to the host of a qemu+ssh URI, else the
 * address the domain reports. */
static int vnc_socket(struct connect_req *r, virDomainPtr dom, const struct vm_spec *spec)
{
	int fd = virDomainOpenGraphicsFD(dom, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char port[16];
	int rc;
	const char *listen = spec->vnc_listen ? spec->vnc_listen : "127.0.0.1";
	g_autofree char *host = NULL;
	virConnectPtr c = engine_conn(r->eng);

	if (fd >= 0)
		return fd;
	if (spec->vnc_port <= 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot reach the graphical console of %s"),
				r->name);
		return -1;
	}
	/* on a host reached over ssh, an ssh of its own reaches the display
	 * from there (BatchMode: it asks no password; a key or an agent) */
	if (!engine_is_local(r->eng)) {
		g_autoptr(GPtrArray) argv = ssh_argv(engine_uri(r->eng),
						     strcmp(listen, "0.0.0.0") == 0 ? "127.0.0.1" :
						     strcmp(listen, "::") == 0 ? "::1" : listen,
						     spec->vnc_port);

		if (argv) {
			r->tunnel = core_run_socket((const char *const *)argv->pdata,
						    _("the tunnel to the graphical console"), NULL, &fd);
			if (!r->tunnel)
				return -1;
			if (tunnel_wait(r, r->tunnel, fd, (const char *)argv->pdata[argv->len - 2]) < 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
	}
	/* a loopback address is the VM host's own: reachable only here */
	host = virConnectGetHostname(c);
	if ((g_str_has_prefix(listen, "127.") || strcmp(listen, "::1") == 0) &&
	    !engine_is_local(r->eng)) {
		core_error(CORE_ERR_FAILED, _("The graphical console of %s listens on %s:%d of host %s, out of reach from here; a tunnel brings it here: ssh -L 5900:%s:%d %s, then any VNC viewer on localhost:5900."),
			   r->name, listen, spec->vnc_port, host ? host : "?", listen,
			   spec->vnc_port, host ? host : "HOST");
		return -1;
	}
	g_snprintf(port, sizeof(port), "%d", spec->vnc_port);
	rc = getaddrinfo(listen, port, &hints, &ai);
	if (rc != 0) {
		core_error(CORE_ERR_FAILED, _("Cannot connect to the graphical console of %s at %s:%d: %s"),
			   r->name, listen, spec->vnc_port, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		core_error(CORE_ERR_FAILED, _("Cannot connect to the graphical console of %s at %s:%d: %s"),
			   r->name, listen, spec->vnc_port, g_strerror(errno));
	return fd;
}

static int connect_job(struct job *job, void *data)
{
	struct connect_req *r = data;
	autoptr(vm_spec) spec = NULL;
	virDomainPtr dom;
	int state = 0, fd;
	rfbClient *cl;

	spec = vm_describe(r->eng, r->name, &state, NULL);
	if (!spec)
		return -1;
	if (!vm_state_active(state)) {
		core_error(CORE_ERR_STATE, _("%s is not running (%s): start it first, then open its screen."),
			   r->name, vm_state_label(state));
		return -1;
	}
	if (!spec->graphics) {
		core_error(CORE_ERR_STATE, _("%s has no graphical display (it was created with --no-graphics); its serial console works: vmtui console %s"),
			   r->name, r->name);
		return -1;
	}
	dom = vm_lookup(r->eng, r->name);
	if (!dom)
		return -1;
	fd = vnc_socket(r, dom, spec);
	virDomainFree(dom);
	r->port = spec->vnc_port;
	/* where a desktop viewer on this machine would find it */
	if (spec->vnc_port > 0 && engine_is_local(r->eng))
		r->host = g_strdup(!spec->vnc_listen || !strcmp(spec->vnc_listen, "0.0.0.0") ||
				   !strcmp(spec->vnc_listen, "::") ? "127.0.0.1" : spec->vnc_listen);
	if (fd < 0)
		return -1;

	rfbClientLog = rfbClientErr = rfb_log;
	cl = rfbGetClient(8, 3, 4);
	rfbClientSetClientData(cl, (void *)rfb_log, &r->stage);
	cl->MallocFrameBuffer = on_resize;
	cl->GotFrameBufferUpdate = on_update;
	cl->HandleKeyboardLedState = on_leds;
	cl->GetPassword = no_password;
	cl->canHandleNewFBSize = TRUE;
	cl->appData.encodingsString = engine_is_local(r->eng) ?
		"copyrect raw" : "tight zrle copyrect";
	cl->appData.compressLevel = 3;
	cl->appData.qualityLevel = 5;
	cl->sock = fd;
	cl->listenSpecified = TRUE;
	/* libvncclient frees this: it must come from the heap */
	cl->serverHost = strdup("vmtui");
	rfb_error[0] = 0;
	if (!rfbInitClient(cl, NULL, NULL)) {
		/* rfbInitClient freed the client (and closed the socket) */
		core_error(CORE_ERR_FAILED, _("The VNC handshake with %s failed: %s"),
			   r->name, rfb_error[0] ? rfb_error : _("no reason given"));
		return -1;
	}
	r->cl = cl;
	return 0;
}

static struct job *submit_connect(struct vnc *v)
{
	struct connect_req *r = g_new0(struct connect_req, 1);

	r->eng = v->eng;
	r->name = g_strdup(v->name);
	return job_submit(_("Connect to the screen"), connect_job, r, connect_req_free, false);
}

/* Takes the client of a finished connect job. */
static bool take_client(struct vnc *v, struct job *job)
{
	struct connect_req *r = job_data(job);
	g_autofree char *err = NULL;
	enum core_err code = job_get_error(job, &err);

	if (code != CORE_OK || !r->cl) {
		core_error(code ? code : CORE_ERR_FAILED, "%s", err ? err : "");
		return false;
	}
	v->cl = g_steal_pointer(&r->cl);
	g_free(v->fb);
	v->fb = g_steal_pointer(&r->stage.fb);
	v->fb_w = r->stage.fb_w;
	v->fb_h = r->stage.fb_h;
	v->leds = r->stage.leds;
	v->dmg_top = 0;
	v->dmg_bottom = v->fb_h;
	v->port = r->port;
	g_free(v->host);
	v->host = g_steal_pointer(&r->host);
	core_run_socket_end(v->tunnel);
	v->tunnel = g_steal_pointer(&r->tunnel);
	rfbClientSetClientData(v->cl, (void *)rfb_log, v);
	v->ext_keys = true; /* until the server says otherwise */
	g_unix_set_fd_nonblocking(v->cl->sock, TRUE, NULL);
	v->dirty = v->full = v->status_dirty = true;
	return true;
}

static void disconnect(struct vnc *v)
{
	if (v->cl) {
		rfbClientCleanup(v->cl);
		v->cl = NULL;
	}
	g_clear_pointer(&v->tunnel, core_run_socket_end);
	v->status_dirty = true;
}

/* ---- jobs for the menu ------------------------------------------------------ */

static void start_job(struct vnc *v, struct job *job, int kind)
{
	if (v->job)
		job_unref(v->job);
	v->job = job;
	v->job_kind = kind;
}

static void send_libvirt_keys(struct vnc *v, const unsigned *keys, int n, const char *what)
{
	if (v->job) {
		set_note(v, "%s", _("still busy with the last request"));
		return;
	}
	start_job(v, console_send_keys(v->eng, v->name, keys, n), JOB_KEYS);
	set_note(v, _("sent %s"), what);
}

struct shot_req {
	uint8_t *rgb;
	int w, h;
	char *path;
};

static void shot_req_free(void *p)
{
	struct shot_req *r = p;

	g_free(r->rgb);
	g_free(r->path);
	g_free(r);
}

static int shot_job(struct job *job, void *data)
{
	struct shot_req *r = data;
	g_autoptr(GBytes) png = console_png(r->rgb, r->w, r->h);
	gsize len;
	const void *bytes;

	if (!png)
		return -1;
	bytes = g_bytes_get_data(png, &len);
	if (core_write_file_atomic(r->path, bytes, len, 0600) < 0)
		return -1;
	job_set_result(job, g_strdup(r->path));
	return 0;
}

static void screenshot(struct vnc *v)
{
	struct shot_req *r;
	g_autofree char *data = core_data_dir();
	g_autofree char *file = NULL;
	char stamp[32];
	time_t now = time(NULL);

	if (!v->fb || v->job) {
		set_note(v, "%s", v->fb ? _("still busy with the last request") : _("no screen yet"));
		return;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	file = g_strdup_printf("%s-%s.png", v->name, stamp);
	g_strdelimit(file, "/", '_');
	r = g_new0(struct shot_req, 1);
	r->w = v->fb_w;
	r->h = v->fb_h;
	r->rgb = g_malloc((size_t)r->w * (size_t)r->h * 3);
	for (size_t i = 0, n = (size_t)r->w * (size_t)r->h; i < n; i++)
		memcpy(r->rgb + i * 3, v->fb + i * 4, 3);
	r->path = g_build_filename(data, "screenshots", file, NULL);
	start_job(v, job_submit(_("Screenshot"), shot_job, r, shot_req_free, false), JOB_SHOT);
	set_note(v, "%s", _("taking a screenshot"));
}

static void job_finished(struct vnc *v)
{
	g_autofree char *err = NULL, *res = NULL;
	struct job *job = g_steal_pointer(&v->job);

	if (v->job_kind == JOB_CONNECT) {
		if (take_client(v, job))
			set_note(v, _("connected to %s again"), v->name);
		else
			set_note(v, "%s", core_error_message());
	} else if (job_get_error(job, &err) != CORE_OK) {
		set_note(v, "%s", err ? err : "");
	} else if (v->job_kind == JOB_SHOT) {
		res = job_get_result(job);
		set_note(v, _("screenshot saved: %s"), res);
	}
	job_unref(job);
}

/* ---- layout and drawing ---------------------------------------------------- */

static void read_size(struct vnc *v)
{
	struct winsize ws = { 0 };

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		v->cols = ws.ws_col;
		v->rows = ws.ws_row;
		if (ws.ws_xpixel && ws.ws_ypixel) {
			v->cell_w = ws.ws_xpixel / ws.ws_col;
			v->cell_h = ws.ws_ypixel / ws.ws_row;
		}
	}
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Where the image goes, for the view, the framebuffer and the terminal:
 * cells hold px_w × px_h of the image's pixels at 1:1. */
static void layout(struct vnc *v)
{
	int area_w = v->cols, area_h = v->rows - 1;
	bool pixels = render_mode_is_pixels(render_get_mode(v->r));
	int px_w = pixels ? (v->cell_w ? v->cell_w : 10) : 1;
	int px_h = pixels ? (v->cell_h ? v->cell_h : 20) : 2;
	double s;

	v->src_x = v->src_y = 0;
	v->src_w = v->fb_w;
	v->src_h = v->fb_h;
	if (v->fb_w <= 0 || v->fb_h <= 0 || area_h <= 0) {
		v->cw = v->ch = 0;
		return;
	}
	switch (v->view) {
	case VIEW_FIT:
		s = MIN((double)area_w * px_w / v->fb_w, (double)area_h * px_h / v->fb_h);
		v->cw = clamp((int)(v->fb_w * s / px_w + 0.5), 1, area_w);
		v->ch = clamp((int)(v->fb_h * s / px_h + 0.5), 1, area_h);
		break;
	case VIEW_FILL:
		s = (double)area_w * px_w / v->fb_w;
		v->cw = area_w;
		v->ch = clamp((int)(v->fb_h * s / px_h + 0.5), 1, area_h);
		v->src_h = clamp((int)(v->ch * px_h / s + 0.5), 1, v->fb_h);
		v->pan_y = clamp(v->pan_y, 0, v->fb_h - v->src_h);
		v->src_y = v->pan_y;
		break;
	default: /* one guest pixel for one image pixel: a window on it */
		v->cw = MIN(area_w, (v->fb_w + px_w - 1) / px_w);
		v->ch = MIN(area_h, (v->fb_h + px_h - 1) / px_h);
		v->src_w = MIN(v->fb_w, v->cw * px_w);
		v->src_h = MIN(v->fb_h, v->ch * px_h);
		v->pan_x = clamp(v->pan_x, 0, v->fb_w - v->src_w);
		v->pan_y = clamp(v->pan_y, 0, v->fb_h - v->src_h);
		v->src_x = v->pan_x;
		v->src_y = v->pan_y;
		break;
	}
	v->x0 = (area_w - v->cw) / 2;
	v->y0 = (area_h - v->ch) / 2;
}

/* The same for a text screen: a character a cell, the part that fits,
 * the view moved (in whole cells) to keep the guest's cursor in it. */
static void text_layout(struct vnc *v)
{
	const struct text_screen *t = &v->text;
	int area_w = v->cols, area_h = v->rows - 1;
	int vc = MIN(t->cols, area_w), vr = MIN(t->rows, MAX(area_h, 0));

	/* only when the cursor moved: a view the user panned stays */
	if (v->cur_x >= 0 && (v->cur_x != v->follow_x || v->cur_y != v->follow_y)) {
		int col0 = v->pan_x / t->cell_w, row0 = v->pan_y / t->cell_h;

		v->follow_x = v->cur_x;
		v->follow_y = v->cur_y;
		if (v->cur_x < col0 || v->cur_x >= col0 + vc)
			v->pan_x = (v->cur_x - vc / 2) * t->cell_w;
		if (v->cur_y < row0 || v->cur_y >= row0 + vr)
			v->pan_y = (v->cur_y - vr + 1) * t->cell_h;
	}
	v->pan_x = clamp(v->pan_x, 0, (t->cols - vc) * t->cell_w) / t->cell_w * t->cell_w;
	v->pan_y = clamp(v->pan_y, 0, (t->rows - vr) * t->cell_h) / t->cell_h * t->cell_h;
	v->src_x = v->pan_x;
	v->src_y = v->pan_y;
	v->src_w = vc * t->cell_w;
	v->src_h = vr * t->cell_h;
	v->cw = vc;
	v->ch = vr;
	v->x0 = (area_w - vc) / 2;
	v->y0 = (area_h - vr) / 2;
}

static const char *view_name(enum view view)
{
	switch (view) {
	case VIEW_FIT:
		return _("fit");
	case VIEW_FILL:
		return _("fill width");
	case VIEW_TEXT:
		return _("text");
	default:
		return "1:1";
	}
}

static void draw_status(struct vnc *v)
{
	g_autoptr(GString) line = g_string_new(NULL);
	const char *esc = console_escape_name(v->o->escape);
	int width = 0;

	if (v->menu == MENU_OPEN) {
		/* TRANSLATORS: the graphical console's menu; keep the keys */
		g_string_printf(line, _(" %s/q leave · d Ctrl-Alt-Del · 1-9,0,F-keys Ctrl-Alt-Fn · t type text · p screenshot · v view · arrows pan · s serial · r reconnect "),
				esc);
		if (v->viewer)
			g_string_append_printf(line, _("· o %s "), v->viewer);
	} else if (v->menu == MENU_TYPE) {
		g_string_printf(line, _(" Type into %s (Enter sends, Esc cancels): %s"), v->name,
				v->typing->str);
	} else {
		g_string_printf(line, " %s · ", v->name);
		if (!v->cl)
			g_string_append_printf(line, "%s · ", _("not connected"));
		else if (v->fb_w)
			g_string_append_printf(line, "%d×%d · ", v->fb_w, v->fb_h);
		if (v->texting)
			/* TRANSLATORS: the screen drawn as text, its columns and rows */
			g_string_append_printf(line, _("text %d×%d"), v->text.cols, v->text.rows);
		else
			g_string_append(line, view_name(v->view));
		g_string_append_printf(line, " · %s", render_mode_name(render_get_mode(v->r)));
		if (v->leds & 4)
			g_string_append(line, " · Caps");
		g_string_append_printf(line, _(" · %s menu "), esc);
		if (v->note)
			g_string_append_printf(line, "· %s ", v->note);
	}
	/* made printable (it names the VM), then cut to the terminal's
	 * width, counting cells */
	{
		g_autofree char *safe = core_printable(line->str, false);

		g_string_assign(line, safe);
	}
	for (const char *p = line->str; *p; p = g_utf8_next_char(p)) {
		int w = g_unichar_iswide(g_utf8_get_char(p)) ? 2 : 1;

		if (width + w > v->cols) {
			g_string_truncate(line, (gsize)(p - line->str));
			break;
		}
		width += w;
	}
	g_string_append_printf(v->out, "\033[%d;1H\033[0;7m%s", v->rows, line->str);
	for (; width < v->cols; width++)
		g_string_append_c(v->out, ' ');
	g_string_append(v->out, "\033[0m");
	v->status_dirty = false;
}

static void flush_out(struct vnc *v)
{
	if (!v->out->len)
		return;
	console_term_write(v->out->str, v->out->len);
	g_string_truncate(v->out, 0);
}

/* The terminal still has this much to send on. */
static int outq(void)
{
	int n = 0;

	if (ioctl(STDOUT_FILENO, TIOCOUTQ, &n) < 0)
		return 0;
	return n;
}

static gint64 frame_interval(struct vnc *v)
{
	return render_mode_is_pixels(render_get_mode(v->r)) ? PIXEL_FRAME_US : FRAME_US;
}

/* Whether this frame is drawn as text: in the text view when a grid of
 * a console font fits the screen, and with [console] text = auto in the
 * fit view when nearly all of it reads as text (fill width and 1:1 are
 * pictures).  The screen is read again when the guest drew. */
static bool want_text(struct vnc *v)
{
	const struct text_screen *t = &v->text;

	if (!v->fb || (v->view != VIEW_TEXT && (v->view != VIEW_FIT || v->o->text != CONSOLE_TEXT_AUTO)))
		return false;
	if (v->dirty) {
		v->text_ratio = text_read(text_fonts_default(), v->fb, v->fb_w, v->fb_h, v->fb_w * 4,
					  &v->text);
		/* a blinking cursor is off half the time: it stays where it was */
		if (t->cursor_x >= 0) {
			v->cur_x = t->cursor_x;
			v->cur_y = t->cursor_y;
		} else if (v->cur_x >= t->cols || v->cur_y >= t->rows) {
			v->cur_x = v->cur_y = -1;
		}
	}
	return t->cols > 0 && (v->view == VIEW_TEXT || v->text_ratio >= TEXT_AUTO_RATIO);
}

/* The terminal's cursor where the guest's text cursor is, or hidden. */
static void place_cursor(struct vnc *v, bool moved)
{
	int x = -1, y = -1;

	if (v->texting && v->menu == MENU_NONE && v->cur_x >= 0) {
		x = v->x0 + v->cur_x - v->src_x / v->text.cell_w;
		y = v->y0 + v->cur_y - v->src_y / v->text.cell_h;
		if (x < v->x0 || x >= v->x0 + v->cw || y < v->y0 || y >= v->y0 + v->ch)
			x = y = -1;
	}
	if (x >= 0 && (moved || x != v->shown_x || y != v->shown_y))
		g_string_append_printf(v->out, "\033[%d;%dH", y + 1, x + 1);
	if ((x >= 0) != (v->shown_x >= 0))
		g_string_append(v->out, x >= 0 ? "\033[?25h" : "\033[?25l");
	v->shown_x = x;
	v->shown_y = y;
}

static void draw(struct vnc *v)
{
	bool pixels = render_mode_is_pixels(render_get_mode(v->r));
	bool text = want_text(v);

	/* text or not, or another grid: the screen is drawn anew, the
	 * status says so */
	if (text != v->texting ||
	    (text && (v->text.cols != v->text_cols || v->text.rows != v->text_rows))) {
		v->texting = text;
		v->text_cols = v->text.cols;
		v->text_rows = v->text.rows;
		v->full = true;
	}
	if (v->full) {
		g_string_append(v->out, "\033[0m\033[2J");
		if (render_get_mode(v->r) == RENDER_KITTY)
			g_string_append(v->out, "\033_Ga=d\033\\");
		render_invalidate(v->r);
		v->status_dirty = true;
	}
	if (v->texting) {
		text_layout(v);
		if (v->dirty || v->full)
			render_text(v->r, &v->text, v->src_x / v->text.cell_w, v->src_y / v->text.cell_h,
				    v->x0, v->y0, v->cw, v->ch, !g_get_charset(NULL), v->full, v->out);
	} else {
		layout(v);
		if (v->dirty && v->fb && v->cw > 0) {
			const uint8_t *src = v->fb + ((size_t)v->src_y * (size_t)v->fb_w +
						      (size_t)v->src_x) * 4;

			if (pixels && render_get_mode(v->r) == RENDER_KITTY && !v->full)
				g_string_append(v->out, "\033_Ga=d\033\\");
			render_frame(v->r, src, v->src_w, v->src_h, v->fb_w * 4, v->x0, v->y0,
				     v->cw, v->ch, v->dmg_top - v->src_y, v->dmg_bottom - v->src_y,
				     v->full, v->out);
		}
	}
	v->dirty = v->full = false;
	v->dmg_top = INT_MAX;
	v->dmg_bottom = 0;
	if (v->status_dirty)
		draw_status(v);
	place_cursor(v, v->out->len > 0);
	if (v->out->len && (!v->texting || v->out->len > SYNC_MIN)) {
		/* one write, drawn at once where the terminal can */
		g_string_prepend(v->out, "\033[?2026h");
		g_string_append(v->out, "\033[?2026l");
	}
	flush_out(v);
	v->last_frame = g_get_monotonic_time();
}

/* ---- input ------------------------------------------------------------------ */

static void key_event(struct vnc *v, uint32_t sym, bool down)
{
	bool shift;
	int code = keys_scancode(sym, &shift);

	if (!v->cl)
		return;
	if (code && v->ext_keys && SendExtendedKeyEvent(v->cl, sym, (uint32_t)code, down))
		return;
	v->ext_keys = false;
	SendKeyEvent(v->cl, sym, down);
}

/* A key with its modifiers pressed around it; Shift also when the
 * character needs it, as QEMU takes Shift from the modifier only. */
static void send_key(struct vnc *v, uint32_t sym, unsigned mods)
{
	bool shift = false;

	keys_scancode(sym, &shift);
	if (shift)
		mods |= KEYS_MOD_SHIFT;
	if (mods & KEYS_MOD_CTRL)
		key_event(v, KEYS_CONTROL_L, true);
	if (mods & KEYS_MOD_ALT)
		key_event(v, KEYS_ALT_L, true);
	if (mods & KEYS_MOD_SHIFT)
		key_event(v, KEYS_SHIFT_L, true);
	key_event(v, sym, true);
	key_event(v, sym, false);
	if (mods & KEYS_MOD_SHIFT)
		key_event(v, KEYS_SHIFT_L, false);
	if (mods & KEYS_MOD_ALT)
		key_event(v, KEYS_ALT_L, false);
	if (mods & KEYS_MOD_CTRL)
		key_event(v, KEYS_CONTROL_L, false);
}

static void type_text(struct vnc *v, const char *text)
{
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		send_key(v, c == '\n' ? 0xff0d : c < 0x100 ? c : 0x01000000u | c, 0);
	}
}

/* The whole view changed: convert all of it. */
static void redraw_all(struct vnc *v)
{
	v->dmg_top = 0;
	v->dmg_bottom = v->fb_h;
	v->dirty = true;
}

/* Moves the view by @dx × @dy guest pixels (layout() keeps it on the
 * screen). */
static void pan_by(struct vnc *v, int dx, int dy)
{
	int x = v->pan_x, y = v->pan_y;

	v->pan_x = clamp(v->pan_x + dx, 0, MAX(v->fb_w - v->src_w, 0));
	v->pan_y = clamp(v->pan_y + dy, 0, MAX(v->fb_h - v->src_h, 0));
	if (x != v->pan_x || y != v->pan_y)
		redraw_all(v);
}

static void mouse_event(struct vnc *v, const struct keys_event *ev)
{
	int b = ev->button, fx, fy;
	unsigned bit;

	if (!v->cl || v->cw <= 0 || ev->x < v->x0 || ev->y < v->y0 ||
	    ev->x >= v->x0 + v->cw || ev->y >= v->y0 + v->ch)
		return;
	fx = v->src_x + (int)((ev->x - v->x0 + 0.5) * v->src_w / v->cw);
	fy = v->src_y + (int)((ev->y - v->y0 + 0.5) * v->src_h / v->ch);
	if (b & 64) { /* the wheel: a press and a release */
		bit = (b & 1) ? rfbButton5Mask : rfbButton4Mask;
		SendPointerEvent(v->cl, fx, fy, (int)(v->buttons | bit));
		SendPointerEvent(v->cl, fx, fy, (int)v->buttons);
		return;
	}
	if (!(b & 32)) { /* not a motion report: a button went down or up */
		static const unsigned masks[] = { rfbButton1Mask, rfbButton2Mask, rfbButton3Mask, 0 };

		bit = masks[b & 3];
		if (ev->press)
			v->buttons |= bit;
		else
			v->buttons &= ~bit;
	}
	SendPointerEvent(v->cl, fx, fy, (int)v->buttons);
	/* the view follows a pointer that reaches its edge */
	if (v->view != VIEW_FIT) {
		int dx = ev->x == v->x0 ? -1 : ev->x == v->x0 + v->cw - 1 ? 1 : 0;
		int dy = ev->y == v->y0 ? -1 : ev->y == v->y0 + v->ch - 1 ? 1 : 0;

		if (dx || dy)
			pan_by(v, dx * MAX(v->src_w / 8, 1), dy * MAX(v->src_h / 8, 1));
	}
}

static void pan(struct vnc *v, int dx, int dy)
{
	if (v->view == VIEW_FIT) {
		set_note(v, "%s", _("the whole screen shows: nothing to pan (v changes the view)"));
		return;
	}
	pan_by(v, dx * MAX(v->src_w / 4, 1), dy * MAX(v->src_h / 4, 1));
}

/* A desktop VNC viewer, when there is a desktop to show it on. */
static const char *find_viewer(void)
{
	static const char *const viewers[] = { "remote-viewer", "vncviewer", "xtightvncviewer" };

	if (!g_getenv("DISPLAY") && !g_getenv("WAYLAND_DISPLAY"))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(viewers); i++) {
		g_autofree char *path = g_find_program_in_path(viewers[i]);

		if (path)
			return viewers[i];
	}
	return NULL;
}

/* Shows the screen in the desktop viewer too; it outlives vmtui. */
static void open_viewer(struct vnc *v)
{
	g_autofree char *target = NULL;
	g_autoptr(GError) err = NULL;
	char *argv[3];

	if (!v->host || v->port <= 0) {
		set_note(v, "%s", _("its VNC server has no address a viewer here can reach"));
		return;
	}
	target = strcmp(v->viewer, "remote-viewer") == 0 ?
		g_strdup_printf(strchr(v->host, ':') ? "vnc://[%s]:%d" : "vnc://%s:%d", v->host, v->port) :
		g_strdup_printf("%s::%d", v->host, v->port);
	argv[0] = (char *)v->viewer;
	argv[1] = target;
	argv[2] = NULL;
	if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
			   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
			   NULL, NULL, NULL, &err))
		set_note(v, _("cannot start %s: %s"), v->viewer, err->message);
	else
		set_note(v, _("opened in %s (%s)"), v->viewer, target);
}

static void menu_key(struct vnc *v, const struct keys_event *ev)
{
	static const unsigned fkeys[] = { KEYS_LINUX_F1, KEYS_LINUX_F1 + 1, KEYS_LINUX_F1 + 2, KEYS_LINUX_F1 + 3,
					  KEYS_LINUX_F1 + 4, KEYS_LINUX_F1 + 5, KEYS_LINUX_F1 + 6, KEYS_LINUX_F1 + 7,
					  KEYS_LINUX_F1 + 8, KEYS_LINUX_F1 + 9, KEYS_LINUX_F11, KEYS_LINUX_F12 };
	uint32_t s = ev->sym;
	int f = 0;

	v->menu = MENU_NONE;
	v->status_dirty = true;
	g_clear_pointer(&v->note, g_free);
	if (ev->kind != KEYS_KEY)
		return;
	if (s == 'q' || s == 'Q') {
		v->leave = true;
	} else if (s == 'd' || s == 'D') {
		static const unsigned cad[] = { KEYS_LINUX_LEFTCTRL, KEYS_LINUX_LEFTALT, KEYS_LINUX_DELETE };

		send_libvirt_keys(v, cad, 3, "Ctrl-Alt-Del");
	} else if ((s >= '1' && s <= '9') || s == '0') {
		f = s == '0' ? 10 : (int)(s - '0');
	} else if (s >= keys_fkey(1) && s <= keys_fkey(12)) {
		f = (int)(s - keys_fkey(1)) + 1;
	} else if (s == 't' || s == 'T') {
		v->menu = MENU_TYPE;
		g_string_truncate(v->typing, 0);
	} else if (s == 'p' || s == 'P') {
		screenshot(v);
	} else if (s == 'v' || s == 'V') {
		v->view = (v->view + 1) % VIEW_COUNT;
		redraw_all(v);
		v->full = true;
		set_note(v, _("view: %s"), view_name(v->view));
	} else if (s == 's' || s == 'S') {
		v->leave = true;
		v->next = CONSOLE_SERIAL;
	} else if ((s == 'o' || s == 'O') && v->viewer) {
		open_viewer(v);
	} else if (s == 'r' || s == 'R') {
		if (v->job) {
			set_note(v, "%s", _("still busy with the last request"));
		} else {
			disconnect(v);
			start_job(v, submit_connect(v), JOB_CONNECT);
			set_note(v, _("connecting to %s"), v->name);
		}
	} else if (s == 0xff51 || s == 0xff53 || s == 0xff52 || s == 0xff54) {
		pan(v, s == 0xff51 ? -1 : s == 0xff53 ? 1 : 0,
		    s == 0xff52 ? -1 : s == 0xff54 ? 1 : 0);
		v->menu = MENU_OPEN; /* arrows keep the menu: pan on */
	}
	if (f) {
		unsigned keys[] = { KEYS_LINUX_LEFTCTRL, KEYS_LINUX_LEFTALT, fkeys[f - 1] };
		char what[32];

		g_snprintf(what, sizeof(what), "Ctrl-Alt-F%d", f);
		send_libvirt_keys(v, keys, 3, what);
	}
}

static void typing_key(struct vnc *v, const struct keys_event *ev)
{
	v->status_dirty = true;
	if (ev->kind != KEYS_KEY)
		return;
	if (ev->sym == 0xff1b) {
		v->menu = MENU_NONE;
	} else if (ev->sym == 0xff0d) {
		type_text(v, v->typing->str);
		set_note(v, _("typed %u characters"), (unsigned)g_utf8_strlen(v->typing->str, -1));
		v->menu = MENU_NONE;
	} else if (ev->sym == 0xff08) {
		const char *prev = v->typing->len ?
			g_utf8_find_prev_char(v->typing->str, v->typing->str + v->typing->len) : NULL;

		g_string_truncate(v->typing, prev ? (gsize)(prev - v->typing->str) : 0);
	} else if (!ev->mods && ev->sym >= 0x20 && ev->sym < 0xff00) {
		gunichar c = ev->sym >= 0x01000000u ? ev->sym & 0xffffff : ev->sym;

		if (v->typing->len < 4096)
			g_string_append_unichar(v->typing, c);
	}
}

static void on_input(struct vnc *v, bool more_may_come)
{
	size_t off = 0;

	while (off < v->in_len && !v->leave) {
		struct keys_event ev;
		size_t n;

		if ((unsigned char)v->in[off] == v->o->escape && v->menu != MENU_TYPE) {
			/* the menu key opens the menu; twice, it leaves */
			if (v->menu == MENU_OPEN)
				v->leave = true;
			v->menu = MENU_OPEN;
			v->status_dirty = true;
			off++;
			continue;
		}
		n = keys_parse(v->in + off, v->in_len - off, more_may_come, &ev);
		if (!n)
			break;
		off += n;
		if (v->menu == MENU_OPEN)
			menu_key(v, &ev);
		else if (v->menu == MENU_TYPE)
			typing_key(v, &ev);
		else if (ev.kind == KEYS_KEY)
			send_key(v, ev.sym, ev.mods);
		else if (ev.kind == KEYS_MOUSE)
			mouse_event(v, &ev);
	}
	memmove(v->in, v->in + off, v->in_len - off);
	v->in_len -= off;
}

/* ---- terminal capabilities ---------------------------------------------- */

/* Asks the terminal whether it speaks the kitty graphics protocol and
 * what its DA1 reply lists (4: sixel); waits at most 300 ms.  What the
 * user types meanwhile goes to @v's input, for the session. */
static void probe_terminal(struct vnc *v, struct term_replies *r)
{
	static const char ask[] = "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\\033[c";
	char buf[sizeof(v->in)];
	size_t len = 0;
	gint64 end = g_get_monotonic_time() + 300 * 1000;

	memset(r, 0, sizeof(*r));
	console_term_write(ask, sizeof(ask) - 1);
	while (len < sizeof(buf) && !r->da1) {
		gint64 left = end - g_get_monotonic_time();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left / 1000) + 1) <= 0)
			break;
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		v->in_len = console_term_replies(buf, len, r, v->in);
	}
	v->in_at = g_get_monotonic_time();
}

/* The output mode: the user's, or the best the terminal has. */
static int choose_mode(struct vnc *v, const struct console_opts *o, bool *kitty_seen)
{
	struct term_replies r;
	const char *want = o->graphics ? o->graphics : "auto";
	const char *ct = g_getenv("COLORTERM");
	const char *term = g_getenv("TERM");
	int colors = console_terminfo_colors();
	bool muxed = g_getenv("TMUX") || (term && g_str_has_prefix(term, "screen"));

	if (strcmp(want, "auto") != 0)
		return render_mode_parse(want);
	if (colors < 8 && !(ct && *ct)) {
		core_error(CORE_ERR_USAGE, _("The graphical console needs a terminal with colours; TERM=%s has none (the serial console works anywhere: vmtui console)."),
			   term ? term : "");
		return -1;
	}
	/* kitty images through chafa 1.12 are raw, 4 MB a 1024×768 frame,
	 * and sent whole for each change: only on request.  Sixel is 60-70
	 * KB a frame, and shows the guest's text readably. */
	probe_terminal(v, &r);
	*kitty_seen = r.kitty;
	if (r.sixel && !muxed)
		return RENDER_SIXEL;
	if (ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0))
		return RENDER_TRUECOLOR;
	if (colors >= 1 << 24)
		return RENDER_TRUECOLOR;
	return colors >= 256 ? RENDER_256 : RENDER_16;
}

/* ---- the session ------------------------------------------------------------ */

static void on_signals(struct vnc *v)
{
	char why[32];
	ssize_t n = read(console_term_signal_fd(), why, sizeof(why));

	for (ssize_t i = 0; i < n; i++) {
		if (why[i] == 'q') {
			v->leave = true;
		} else if (why[i] == 'w') {
			read_size(v);
			redraw_all(v);
			v->full = true;
		}
	}
}

static void on_server(struct vnc *v)
{
	/* handle every message libvncclient already holds: it reads ahead,
	 * and what sits in its buffer wakes no poll() */
	do {
		if (!HandleRFBServerMessage(v->cl)) {
			disconnect(v);
			set_note(v, _("the screen of %s closed (the VM shut down?) · %s r reconnects"),
				 v->name, console_escape_name(v->o->escape));
			return;
		}
	} while (v->cl->buffered > 0);
}

static void run(struct vnc *v)
{
	while (!v->leave) {
		struct pollfd p[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = v->cl ? v->cl->sock : -1, .events = POLLIN },
			{ .fd = job_notify_fd(), .events = POLLIN },
			{ .fd = console_term_signal_fd(), .events = POLLIN },
		};
		gint64 now = g_get_monotonic_time(), due = -1;
		int timeout = -1;
		ssize_t n;

		if (v->dirty || v->full || v->status_dirty)
			due = v->last_frame + frame_interval(v);
		if (v->in_len)
			due = due < 0 ? v->in_at + ESC_WAIT_US : MIN(due, v->in_at + ESC_WAIT_US);
		if (due >= 0)
			timeout = due > now ? (int)((due - now) / 1000) + 1 : 0;
		if (poll(p, G_N_ELEMENTS(p), timeout) < 0 && errno != EINTR)
			break;
		if (p[3].revents & POLLIN)
			on_signals(v);
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			on_server(v);
		if (p[2].revents & POLLIN) {
			job_notify_drain();
			if (v->job && job_get_state(v->job) >= JOB_DONE)
				job_finished(v);
		}
		if (p[0].revents & (POLLHUP | POLLERR)) {
			v->leave = true;
		} else if (p[0].revents & POLLIN) {
			n = read(STDIN_FILENO, v->in + v->in_len, sizeof(v->in) - v->in_len);
			if (n == 0)
				v->leave = true;
			if (n > 0) {
				v->in_len += (size_t)n;
				v->in_at = g_get_monotonic_time();
				on_input(v, true);
			}
		}
		if (v->in_len && g_get_monotonic_time() >= v->in_at + ESC_WAIT_US)
			on_input(v, false); /* a lone Esc, or a cut sequence */
		if ((v->dirty || v->full || v->status_dirty) &&
		    g_get_monotonic_time() >= v->last_frame + frame_interval(v) &&
		    outq() < OUTQ_MAX)
			draw(v);
	}
}

static gpointer load_fonts(gpointer data)
{
	(void)data;
	text_fonts_default();
	return NULL;
}

int console_graphical(struct engine *eng, const char *name, const struct console_opts *o)
{
	static const char enter[] = "\033[?1049h\033[?25l\033[?1002h\033[?1006h\033[2J";
	static const char leave[] = "\033[?1006l\033[?1002l\033[0m\033[?25h\033[?1049l";
	struct vnc v = { .eng = eng, .name = name, .o = o, .next = CONSOLE_LEAVE, .port = -1,
			 .dmg_top = 0, .dmg_bottom = INT_MAX };
	struct job *job;
	bool kitty_seen = false;
	int mode;

	job = submit_connect(&v);
	if (!job_wait(job, o->timeout_s * 1000)) {
		core_error(CORE_ERR_TIMEOUT, _("The engine did not answer within %d s."), o->timeout_s);
		job_unref(job); /* its client is freed with it, whenever */
		return -1;
	}
	if (!take_client(&v, job)) {
		job_unref(job);
		return -1;
	}
	job_unref(job);
	/* the VM's checks come first (a script learns the same as a
	 * person), then the terminal's */
	read_size(&v);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		core_error(CORE_ERR_USAGE, _("A console needs a terminal: standard input and output are not one."));
		goto fail;
	}
	if (v.cols < MIN_COLS || v.rows < MIN_ROWS) {
		core_error(CORE_ERR_USAGE, _("The terminal is too small for the graphical console: %d×%d cells, it needs at least %d×%d."),
			   v.cols, v.rows, MIN_COLS, MIN_ROWS);
		goto fail;
	}
	if (console_term_enter(NULL, leave) < 0)
		goto fail;
	mode = choose_mode(&v, o, &kitty_seen);
	if (mode < 0) {
		console_term_leave();
		goto fail;
	}
	console_term_write(enter, sizeof(enter) - 1);
	/* the fonts text screens are read with, read while it connects */
	if (o->text != CONSOLE_TEXT_OFF)
		g_thread_unref(g_thread_new("fonts", load_fonts, NULL));
	v.r = render_new(mode, v.cell_w, v.cell_h);
	v.out = g_string_sized_new(256 * 1024);
	v.typing = g_string_new(NULL);
	v.full = v.status_dirty = true;
	v.cur_x = v.cur_y = v.shown_x = v.shown_y = v.follow_x = v.follow_y = -1;
	if (o->text == CONSOLE_TEXT_ON)
		v.view = VIEW_TEXT;
	v.viewer = find_viewer();
	if (kitty_seen)
		set_note(&v, "%s", _("this terminal shows kitty images: --mode kitty draws real pixels (4 MB a frame)"));
	else if (v.viewer && v.host)
		set_note(&v, _("%s o opens it in %s on the desktop"), console_escape_name(o->escape),
			 v.viewer);

	run(&v);

	console_term_leave();
	if (v.job)
		job_unref(v.job); /* a screenshot still finishes */
	disconnect(&v);
	render_free(v.r);
	g_string_free(v.out, TRUE);
	g_string_free(v.typing, TRUE);
	g_free(v.note);
	g_free(v.host);
	g_free(v.fb);
	text_screen_clear(&v.text);
	return v.next;
fail:
	disconnect(&v);
	g_free(v.host);
	g_free(v.fb);
	return -1;
}

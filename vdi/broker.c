/*
 * broker.c — vmtui serve: hands pooled desktops to the users who log in.
 *
 * One thread (the command's job worker) runs a GLib main loop with a
 * libsoup server on it: the portal, the JSON API, /metrics, noVNC's files
 * and the WebSocket relay.  Logins are checked by PAM on a small thread
 * pool (PAM may sleep); the reconcile loop of every pool runs on a thread
 * of its own, since making a desktop takes seconds.  libvirt is
 * thread-safe; the broker's own tables are only touched on its loop.
 *
 * Consoles: a desktop's VNC listens on 127.0.0.1 with an empty password
 * (nobody gets in).  To connect, the broker mints a ticket: an 8-character
 * password set live with an expiry, and a listener of its own (a port for
 * remote-viewer's .vv, or a token for the WebSocket) that accepts one
 * client and relays it to virDomainOpenGraphicsFD without SKIPAUTH, so
 * QEMU checks the ticket.  On a .vv's port the broker does the RFB
 * handshake itself (rfb.c, on a thread): VeNCrypt with its certificate
 * when it has one, the ticket passed through to QEMU inside.  When QEMU
 * reports the viewer logged in (the graphics "initialize" event), the
 * password goes back to empty: a ticket works once.  The relay's end is the disconnect that starts the pool's
 * grace timer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <libvirt/libvirt.h>
#include <security/pam_appl.h>

#include "core/engine.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/vm.h"
#include "vdi/vdi-priv.h"

#define COOKIE "vmtui_session"
#define TOKEN_CHARS "0123456789abcdef"
#define TICKET_CHARS "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
#define SESSION_IDLE_S (8 * 3600)
#define LOGIN_FLOOR_MS 250      /* a failed login never answers sooner */
#define BODY_MAX 4096
#define STATIC_MAX (8 * 1024 * 1024)
#define RELAY_CHUNK 65536
#define PENDING_TICKETS_MAX 256
#define HANDSHAKE_S 30          /* a .vv viewer's whole RFB handshake */

struct broker;

struct session {
	char token[33];
	char csrf[33];
	char *user;
	GStrv groups;
	gint64 last;
};

/* A console ticket: its password is set on the desktop's display; a
 * client reaches it through its port (.vv) or its token (WebSocket). */
struct ticket {
	struct broker *b;
	char *desktop, *user, *pool;
	char password[9];
	char token[33];            /* the WebSocket's, in the URL */
	GSocketService *service;   /* the .vv's listener, or NULL */
	guint16 port;
	gint64 expires;
	GSource *timer;
	bool used;
};

/* A viewer relayed to a desktop's display. */
struct relay {
	struct broker *b;
	char *desktop, *user, *pool, *from;
	GSocketConnection *vnc;
	GIOStream *client;         /* the TCP relay's, or NULL */
	GSocket *sock;             /* TCP: the viewer's socket, under any TLS */
	GSource *deadline;         /* TCP: the handshake's */
	SoupWebsocketConnection *ws; /* the WebSocket's, or NULL */
	GSource *vnc_in;           /* WebSocket: the display's bytes */
	GSource *client_in;        /* TCP: the viewer's bytes */
	GCancellable *cancel;      /* TCP: the handshake, then the display's
				    * bytes to the viewer */
	struct rfb_input rfb;      /* what the viewer sent, followed */
	gint64 started;
	gint64 last_input;         /* a key or the mouse, monotonic µs */
	const char *security;      /* TCP: the handshake's step, then its
				    * outcome (rfb_handshake's @what) */
	bool closed;
	bool handshaking;          /* handshake_done frees it */
	bool splicing;             /* splice_done frees it */
};

struct counters {
	guint64 logins, failures, lockouts, tickets, relays, refused;
	guint64 ttd_count, ttd_bucket[8];
	double ttd_sum;
};
static const double ttd_bounds[8] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };

struct broker {
	struct engine *eng;
	const struct broker_opts *o;
	GMainContext *ctx;
	GMainLoop *loop;
	SoupServer *server;
	GTlsCertificate *cert;     /* HTTPS's, VeNCrypt's too; NULL: plain HTTP */
	guint handshakes;          /* .vv handshakes running on threads */
	guint16 port;
	char *bind;                /* the address the relays listen on */
	char *host;                /* --public-host, or NULL */
	GHashTable *sessions;      /* token -> struct session */
	GHashTable *tickets;       /* ws token -> struct ticket */
	GHashTable *fail_user;     /* user -> GArray of gint64 */
	GHashTable *fail_addr;     /* address -> GArray of gint64 */
	GList *relays;
	GThreadPool *auth;
	GThread *reconciler;
	GMutex lock;               /* stop, counters shared with threads */
	GCond wake;
	bool stop;
	struct counters n;
	int audit;
	int graphics_cb;
	struct job *job;
};

/* ---- small things ------------------------------------------------------- */

static gint64 now_s(void) { return g_get_real_time() / G_USEC_PER_SEC; }

/* Appends a line to the audit log: the time, @event, then @fmt's fields
 * (values the broker checked: user names, desktop names, addresses). */
static void audit(struct broker *b, const char *event, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void audit(struct broker *b, const char *event, const char *fmt, ...)
{
	g_autoptr(GDateTime) t = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree char *rest = NULL;
	g_autofree char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	rest = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	line = g_strdup_printf("%s %s %s\n", when, event, rest);
	if (b->audit >= 0 && core_write_all(b->audit, line, strlen(line)) < 0)
		g_warning("audit log: %s", g_strerror(errno));
}

/* Whether @s is a user name the broker passes to PAM: what POSIX and
 * directory accounts use, so that no byte of it needs escaping. */
static bool user_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64 || !(g_ascii_isalnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && !strchr("_-.@", s[i]))
			return false;
	return true;
}

static const char *client_address(SoupServerMessage *msg)
{
	const char *a = soup_server_message_get_remote_host(msg);

	return a ? a : "?";
}

static bool is_loopback(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0 ||
	       g_str_has_prefix(addr, "127.") || strcmp(addr, "::ffff:127.0.0.1") == 0;
}

static void set_common_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
}

static void reply(SoupServerMessage *msg, guint status, const char *type, const char *body,
		  gsize len)
{
	set_common_headers(msg);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, body, len);
}

static void reply_json(SoupServerMessage *msg, guint status, JsonBuilder *jb)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(jb);
	gsize len;
	g_autofree char *text = NULL;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, &len);
	reply(msg, status, "application/json", text, len);
}

/* {"error": MESSAGE} with @status. */
static void reply_error(SoupServerMessage *msg, guint status, const char *message)
{
	g_autoptr(JsonBuilder) jb = json_builder_new();

	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "error");
	json_builder_add_string_value(jb, message);
	json_builder_end_object(jb);
	reply_json(msg, status, jb);
}

/* ---- sessions, CSRF ----------------------------------------------------- */

static void session_free(struct session *s)
{
	g_free(s->user);
	g_strfreev(s->groups);
	g_free(s);
}

/* The session of @msg's cookie, still fresh, or NULL. */
static struct session *session_of(struct broker *b, SoupServerMessage *msg)
{
	const char *header = soup_message_headers_get_list(
		soup_server_message_get_request_headers(msg), "Cookie");
	GHashTable *cookies = header ? soup_header_parse_semi_param_list(header) : NULL;
	const char *token = cookies ? g_hash_table_lookup(cookies, COOKIE) : NULL;
	struct session *s = token ? g_hash_table_lookup(b->sessions, token) : NULL;

	if (cookies)
		soup_header_free_param_list(cookies);
	if (s && now_s() - s->last > SESSION_IDLE_S) {
		g_hash_table_remove(b->sessions, s->token);
		s = NULL;
	}
	if (s)
		s->last = now_s();
	return s;
}

/* Whether the Origin of @msg, when a browser sent one, is the broker's
 * own: the scheme and the host (with its port) the request went to, or
 * the public host. */
static bool origin_ok(struct broker *b, SoupServerMessage *msg, bool required)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *origin = soup_message_headers_get_one(h, "Origin");
	const char *host = soup_message_headers_get_one(h, "Host");
	const char *scheme = b->cert ? "https://" : "http://";
	g_autofree char *own = NULL;

	if (!origin)
		return !required;
	if (!g_str_has_prefix(origin, scheme))
		return false;
	origin += strlen(scheme);
	if (host && strcmp(origin, host) == 0)
		return true;
	if (b->host) {
		own = g_strdup_printf("%s:%u", b->host, b->port);
		return strcmp(origin, b->host) == 0 || strcmp(origin, own) == 0;
	}
	return false;
}

/* The host name viewers reach the relays at: --public-host, else the one
 * the client used to reach the broker (its Host header, when it is a
 * plain host name or address), else the listen address. */
static char *viewer_host(struct broker *b, SoupServerMessage *msg)
{
	const char *h = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						     "Host");
	const char *end;

	if (b->host)
		return g_strdup(b->host);
	if (h && *h) {
		/* "name:port", "[v6]:port" */
		if (h[0] == '[' && (end = strchr(h, ']')))
			return g_strndup(h + 1, (gsize)(end - h - 1));
		end = strrchr(h, ':');
		{
			g_autofree char *name = end ? g_strndup(h, (gsize)(end - h)) : g_strdup(h);
			bool plain = *name && strlen(name) < 254;

			for (const char *p = name; plain && *p; p++)
				plain = g_ascii_isalnum(*p) || *p == '.' || *p == '-';
			if (plain)
				return g_steal_pointer(&name);
		}
	}
	return g_strdup(b->bind);
}

/* Compares two tokens of the same length in a time that does not tell
 * where they differ. */
static bool token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	unsigned char diff = n != strlen(b);

	for (size_t i = 0; i < n && b[i]; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* Whether a state-changing request carries its session's CSRF token and,
 * from a browser, comes from the broker's own origin. */
static bool csrf_ok(struct broker *b, SoupServerMessage *msg, const struct session *s)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *token = soup_message_headers_get_one(h, "X-CSRF-Token");

	if (!origin_ok(b, msg, false))
		return false;
	return token && strlen(token) == 32 && token_equal(token, s->csrf);
}

/* ---- logins -------------------------------------------------------------- */

/* Drops the failures older than @window from @a; how many are left. */
static guint recent(GArray *a, gint64 window)
{
	gint64 limit = now_s() - window;
	guint keep = 0;

	for (guint i = 0; i < a->len; i++)
		if (g_array_index(a, gint64, i) >= limit)
			g_array_index(a, gint64, keep++) = g_array_index(a, gint64, i);
	g_array_set_size(a, keep);
	return keep;
}

static GArray *failures_of(GHashTable *t, const char *key)
{
	GArray *a = g_hash_table_lookup(t, key);

	if (!a) {
		a = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(t, g_strdup(key), a);
	}
	return a;
}

struct login {
	struct broker *b;
	SoupServerMessage *msg;
	char *user, *password, *from;
	gint64 t0;
	bool ok;
	GStrv groups;
};

static int pam_conv_fn(int n, const struct pam_message **m, struct pam_response **resp,
		       void *data)
{
	const char *password = data;
	struct pam_response *r = calloc((size_t)n, sizeof *r);

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		if (m[i]->msg_style == PAM_PROMPT_ECHO_OFF || m[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(password);
	*resp = r;
	return PAM_SUCCESS;
}

/* The groups of @user from the system's accounts (none for users only
 * PAM knows). */
static GStrv user_groups(const char *user)
{
	GPtrArray *out = g_ptr_array_new();
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	gid_t gids[256];
	int n = G_N_ELEMENTS(gids);

	if (getpwnam_r(user, &pw, buf, sizeof buf, &pwp) == 0 && pwp &&
	    getgrouplist(user, pw.pw_gid, gids, &n) >= 0) {
		for (int i = 0; i < n; i++) {
			struct group gr, *g = NULL;
			char gbuf[4096];

			if (getgrgid_r(gids[i], &gr, gbuf, sizeof gbuf, &g) == 0 && g)
				g_ptr_array_add(out, g_strdup(g->gr_name));
		}
	}
	g_ptr_array_add(out, NULL);
	return (GStrv)g_ptr_array_free(out, FALSE);
}

static gboolean login_done(gpointer data);

/* On an auth thread: PAM, then the answer on the broker's loop, a failure
 * no sooner than LOGIN_FLOOR_MS after the request (an unknown user and a
 * wrong password take as long). */
static void login_check(gpointer data, gpointer pool_data)
{
	struct login *l = data;
	struct broker *b = pool_data;
	struct pam_conv conv = { pam_conv_fn, l->password };
	pam_handle_t *h = NULL;
	int rc;
	gint64 wait;

	rc = b->o->pam_confdir ?
	     pam_start_confdir(b->o->pam_service, l->user, &conv, b->o->pam_confdir, &h) :
	     pam_start(b->o->pam_service, l->user, &conv, &h);
	if (rc == PAM_SUCCESS) {
		rc = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK | PAM_SILENT);
		if (rc == PAM_SUCCESS)
			rc = pam_acct_mgmt(h, PAM_SILENT);
		pam_end(h, rc);
	}
	l->ok = rc == PAM_SUCCESS;
	if (l->ok)
		l->groups = user_groups(l->user);
	explicit_bzero(l->password, strlen(l->password));
	wait = l->t0 + LOGIN_FLOOR_MS * 1000 - g_get_monotonic_time();
	if (!l->ok && wait > 0)
		g_usleep((gulong)wait);
	g_main_context_invoke(b->ctx, login_done, l);
}

static void set_session_cookie(struct broker *b, SoupServerMessage *msg, const char *value,
			       int max_age)
{
	g_autofree char *c = g_strdup_printf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s; Max-Age=%d",
					     COOKIE, value, b->cert ? "; Secure" : "", max_age);

	soup_message_headers_append(soup_server_message_get_response_headers(msg),
				    "Set-Cookie", c);
}

static gboolean login_done(gpointer data)
{
	struct login *l = data;
	struct broker *b = l->b;

	if (l->ok) {
		struct session *s = g_new0(struct session, 1);
		g_autoptr(JsonBuilder) jb = json_builder_new();

		vdi_random_token(s->token, sizeof s->token, TOKEN_CHARS);
		vdi_random_token(s->csrf, sizeof s->csrf, TOKEN_CHARS);
		s->user = g_strdup(l->user);
		s->groups = g_steal_pointer(&l->groups);
		s->last = now_s();
		g_hash_table_insert(b->sessions, s->token, s);
		g_hash_table_remove(b->fail_user, l->user);
		set_session_cookie(b, l->msg, s->token, SESSION_IDLE_S);
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "user");
		json_builder_add_string_value(jb, s->user);
		json_builder_set_member_name(jb, "csrf");
		json_builder_add_string_value(jb, s->csrf);
		json_builder_end_object(jb);
		reply_json(l->msg, 200, jb);
		g_mutex_lock(&b->lock);
		b->n.logins++;
		g_mutex_unlock(&b->lock);
		audit(b, "login", "user=%s from=%s", l->user, l->from);
	} else {
		g_array_append_val(failures_of(b->fail_user, l->user), (gint64){ now_s() });
		g_array_append_val(failures_of(b->fail_addr, l->from), (gint64){ now_s() });
		reply_error(l->msg, 401, _("Wrong user name or password."));
		g_mutex_lock(&b->lock);
		b->n.failures++;
		g_mutex_unlock(&b->lock);
		audit(b, "login-failed", "user=%s from=%s", l->user, l->from);
	}
	soup_server_message_unpause(l->msg);
	g_object_unref(l->msg);
	g_free(l->user);
	g_free(l->password);
	g_free(l->from);
	g_strfreev(l->groups);
	g_free(l);
	return G_SOURCE_REMOVE;
}

/* The string member @key of the JSON object in @msg's body, or NULL. */
static char *body_member(SoupServerMessage *msg, const char *key)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GBytes) bytes = NULL;
	JsonNode *root;
	JsonObject *o;
	const char *v;

	if (!body || body->length == 0 || body->length > BODY_MAX)
		return NULL;
	bytes = soup_message_body_flatten(body);
	if (!json_parser_load_from_data(p, g_bytes_get_data(bytes, NULL),
					(gssize)g_bytes_get_size(bytes), NULL))
		return NULL;
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	if (!json_object_has_member(o, key) ||
	    json_node_get_value_type(json_object_get_member(o, key)) != G_TYPE_STRING)
		return NULL;
	v = json_object_get_string_member(o, key);
	return v ? g_strdup(v) : NULL;
}

static void api_login(struct broker *b, SoupServerMessage *msg)
{
	g_autofree char *user = body_member(msg, "user");
	g_autofree char *password = body_member(msg, "password");
	const char *from = client_address(msg);
	struct login *l;

	if (!origin_ok(b, msg, false)) {
		reply_error(msg, 403, _("This request came from another site."));
		return;
	}
	if (!user || !password || !*password || strlen(password) > 1024) {
		reply_error(msg, 400, _("Give a user name and a password."));
		return;
	}
	if (recent(failures_of(b->fail_addr, from), 600) >= b->o->max_failures_address) {
		g_mutex_lock(&b->lock);
		b->n.refused++;
		g_mutex_unlock(&b->lock);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Retry-After", "600");
		reply_error(msg, 429, _("Too many failed logins from this address; try again later."));
		audit(b, "login-refused", "from=%s reason=address", from);
		return;
	}
	if (user_name_ok(user) &&
	    recent(failures_of(b->fail_user, user), 3600) >= b->o->max_failures_account) {
		g_mutex_lock(&b->lock);
		b->n.lockouts++;
		g_mutex_unlock(&b->lock);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Retry-After", "3600");
		reply_error(msg, 429, _("This account is locked after too many failed logins; try again later."));
		audit(b, "lockout", "user=%s from=%s", user, from);
		return;
	}
	l = g_new0(struct login, 1);
	l->b = b;
	l->msg = g_object_ref(msg);
	/* a name PAM is never asked about fails like a wrong password */
	l->user = g_strdup(user_name_ok(user) ? user : "-");
	l->password = g_strdup(user_name_ok(user) ? password : "");
	l->from = g_strdup(from);
	l->t0 = g_get_monotonic_time();
	explicit_bzero(password, strlen(password));
	soup_server_message_pause(msg);
	g_thread_pool_push(b->auth, l, NULL);
}

/* ---- pools and desktops --------------------------------------------------- */

static void api_pools(struct broker *b, SoupServerMessage *msg, const struct session *s)
{
	g_autoptr(GPtrArray) pools = pool_list();
	g_autoptr(GPtrArray) all = desktop_list(b->eng, NULL);
	g_autoptr(JsonBuilder) jb = json_builder_new();

	json_builder_begin_array(jb);
	for (guint i = 0; all && i < pools->len; i++) {
		const struct pool *p = pools->pdata[i];
		unsigned ready = 0, mine = 0;

		if (!pool_entitled(p, s->user, (const char *const *)s->groups))
			continue;
		for (guint j = 0; j < all->len; j++) {
			const struct desktop *d = all->pdata[j];

			if (strcmp(d->pool, p->name) != 0)
				continue;
			ready += d->state == DESKTOP_READY && !d->user;
			mine += d->user && strcmp(d->user, s->user) == 0;
		}
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "name");
		json_builder_add_string_value(jb, p->name);
		json_builder_set_member_name(jb, "ready");
		json_builder_add_int_value(jb, ready);
		json_builder_set_member_name(jb, "mine");
		json_builder_add_int_value(jb, mine);
		json_builder_set_member_name(jb, "draining");
		json_builder_add_boolean_value(jb, p->draining);
		json_builder_end_object(jb);
	}
	json_builder_end_array(jb);
	core_error_clear();
	reply_json(msg, all ? 200 : 503, jb);
}

static void record_ttd(struct broker *b, gint64 t0)
{
	double s = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;

	g_mutex_lock(&b->lock);
	b->n.ttd_count++;
	b->n.ttd_sum += s;
	for (unsigned i = 0; i < G_N_ELEMENTS(ttd_bounds); i++)
		if (s <= ttd_bounds[i])
			b->n.ttd_bucket[i]++;
	g_mutex_unlock(&b->lock);
}

static void api_get_desktop(struct broker *b, SoupServerMessage *msg, const struct session *s,
			    const char *pool_name)
{
	gint64 t0 = g_get_monotonic_time();
	autoptr(pool) p = pool_load(pool_name);
	g_autoptr(JsonBuilder) jb = json_builder_new();
	g_autofree char *name = NULL, *vv = NULL;

	if (!p || !pool_entitled(p, s->user, (const char *const *)s->groups)) {
		core_error_clear();
		reply_error(msg, 404, _("There is no such pool for you."));
		return;
	}
	if (p->draining) {
		reply_error(msg, 409, _("This pool hands out no desktops now."));
		return;
	}
	if (!(name = pool_assign(b->eng, p, s->user))) {
		reply_error(msg, 409, core_error_message());
		core_error_clear();
		return;
	}
	record_ttd(b, t0);
	audit(b, "assign", "user=%s desktop=%s pool=%s", s->user, name, p->name);
	vv = g_strdup_printf("/api/desktops/%s/console.vv", name);
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "desktop");
	json_builder_add_string_value(jb, name);
	json_builder_set_member_name(jb, "vv");
	json_builder_add_string_value(jb, vv);
	json_builder_end_object(jb);
	reply_json(msg, 200, jb);
}

/* @name, when @s's user holds it; else NULL with a reply sent. */
static struct desktop *held_desktop(struct broker *b, SoupServerMessage *msg,
				    const struct session *s, const char *name)
{
	struct desktop *d = desktop_get(b->eng, name);

	core_error_clear();
	if (!d || !d->user || strcmp(d->user, s->user) != 0 ||
	    (d->state != DESKTOP_ASSIGNED && d->state != DESKTOP_CONNECTED &&
	     d->state != DESKTOP_DISCONNECTED)) {
		reply_error(msg, 404, _("You hold no desktop of that name."));
		desktop_free(d);
		return NULL;
	}
	return d;
}

static void api_my_desktops(struct broker *b, SoupServerMessage *msg, const struct session *s)
{
	g_autoptr(GPtrArray) all = desktop_list(b->eng, NULL);
	g_autoptr(JsonBuilder) jb = json_builder_new();

	json_builder_begin_array(jb);
	for (guint i = 0; all && i < all->len; i++) {
		const struct desktop *d = all->pdata[i];

		if (!d->user || strcmp(d->user, s->user) != 0 || d->state == DESKTOP_READY)
			continue;
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "desktop");
		json_builder_add_string_value(jb, d->name);
		json_builder_set_member_name(jb, "pool");
		json_builder_add_string_value(jb, d->pool);
		json_builder_set_member_name(jb, "state");
		json_builder_add_string_value(jb, desktop_state_id(d->state));
		json_builder_end_object(jb);
	}
	json_builder_end_array(jb);
	core_error_clear();
	reply_json(msg, all ? 200 : 503, jb);
}

static void api_release(struct broker *b, SoupServerMessage *msg, const struct session *s,
			const char *name)
{
	autoptr(desktop) d = held_desktop(b, msg, s, name);

	if (!d)
		return;
	if (desktop_release(b->eng, name) < 0) {
		reply_error(msg, 500, core_error_message());
		core_error_clear();
		return;
	}
	audit(b, "release", "user=%s desktop=%s", s->user, name);
	g_mutex_lock(&b->lock);
	g_cond_signal(&b->wake);
	g_mutex_unlock(&b->lock);
	reply(msg, 200, "application/json", "{}", 2);
}

/* ---- console tickets and relays ----------------------------------------- */

static void relay_close(struct relay *r);

static void drop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

static void relay_free(struct relay *r)
{
	drop_source(&r->vnc_in);
	drop_source(&r->client_in);
	drop_source(&r->deadline);
	if (r->ws)
		g_signal_handlers_disconnect_by_data(r->ws, r);
	g_clear_object(&r->vnc);
	g_clear_object(&r->client);
	g_clear_object(&r->sock);
	g_clear_object(&r->ws);
	g_clear_object(&r->cancel);
	g_free(r->desktop);
	g_free(r->user);
	g_free(r->pool);
	g_free(r->from);
	g_free(r);
}

/* The desktop's state follows its viewer: connected while one is
 * relayed, disconnected (the grace timer runs) when it is gone. */
static void follow(struct broker *b, const char *name, const char *user, enum desktop_state to)
{
	autoptr(desktop) d = desktop_get(b->eng, name);

	if (d && d->user && strcmp(d->user, user) == 0 &&
	    (d->state == DESKTOP_ASSIGNED || d->state == DESKTOP_CONNECTED ||
	     d->state == DESKTOP_DISCONNECTED) && d->state != to &&
	    desktop_move(b->eng, d, to) < 0)
		g_warning("%s", core_error_message());
	core_error_clear();
}

/* The viewer's side closed at once: its socket first, so a TLS close
 * does not wait on a viewer that reads no more. */
static void close_client(struct relay *r)
{
	if (r->sock)
		g_socket_close(r->sock, NULL);
	if (r->client)
		g_io_stream_close(r->client, NULL, NULL);
}

/* A closed relay's streams closed and the relay freed, unless its
 * handshake's thread or its splice still holds it: those are cancelled
 * and free it when they end. */
static void relay_finish(struct relay *r)
{
	if (r->handshaking) {
		/* its thread still reads both streams */
		g_cancellable_cancel(r->cancel);
		return;
	}
	if (r->vnc)
		g_io_stream_close(G_IO_STREAM(r->vnc), NULL, NULL);
	close_client(r);
	if (r->splicing) {
		g_cancellable_cancel(r->cancel);
		return;
	}
	relay_free(r);
}

static void relay_close(struct relay *r)
{
	struct broker *b = r->b;

	if (r->closed)
		return;
	r->closed = true;
	b->relays = g_list_remove(b->relays, r);
	audit(b, "disconnect", "user=%s desktop=%s from=%s seconds=%" G_GINT64_FORMAT,
	      r->user, r->desktop, r->from, now_s() - r->started);
	follow(b, r->desktop, r->user, DESKTOP_DISCONNECTED);
	if (r->ws && soup_websocket_connection_get_state(r->ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(r->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
	if (r->ws)
		g_signal_handlers_disconnect_by_data(r->ws, r);
	drop_source(&r->client_in);
	drop_source(&r->vnc_in);
	relay_finish(r);
}

/* The desktop's display as a stream: virDomainOpenGraphicsFD without
 * SKIPAUTH (QEMU asks for the ticket).  NULL with an error. */
static GSocketConnection *open_display(struct broker *b, const char *name)
{
	virDomainPtr dom = vm_lookup(b->eng, name);
	g_autoptr(GError) err = NULL;
	g_autoptr(GSocket) sock = NULL;
	int fd;

	if (!dom)
		return NULL;
	fd = virDomainOpenGraphicsFD(dom, 0, 0);
	virDomainFree(dom);
	if (fd < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot open the display of desktop \"%s\""), name);
		return NULL;
	}
	if (!(sock = g_socket_new_from_fd(fd, &err))) {
		close(fd);
		core_error(CORE_ERR_FAILED, "%s", err->message);
		return NULL;
	}
	return g_socket_connection_factory_create_connection(sock);
}

static struct relay *relay_new(struct broker *b, const struct ticket *t, const char *from)
{
	struct relay *r = g_new0(struct relay, 1);

	r->b = b;
	r->desktop = g_strdup(t->desktop);
	r->user = g_strdup(t->user);
	r->pool = g_strdup(t->pool);
	r->from = g_strdup(from);
	r->started = now_s();
	r->last_input = g_get_monotonic_time();
	rfb_input_init(&r->rfb, true);
	b->relays = g_list_prepend(b->relays, r);
	g_mutex_lock(&b->lock);
	b->n.relays++;
	g_mutex_unlock(&b->lock);
	audit(b, "connect", "user=%s desktop=%s from=%s", r->user, r->desktop, from);
	follow(b, r->desktop, r->user, DESKTOP_CONNECTED);
	return r;
}

static void ticket_free(struct ticket *t)
{
	if (t->timer) {
		g_source_destroy(t->timer);
		g_source_unref(t->timer);
	}
	if (t->service) {
		g_socket_service_stop(t->service);
		g_socket_listener_close(G_SOCKET_LISTENER(t->service));
		g_object_unref(t->service);
	}
	g_free(t->desktop);
	g_free(t->user);
	g_free(t->pool);
	g_free(t);
}

static gboolean ticket_expired(gpointer data)
{
	struct ticket *t = data;

	g_source_unref(t->timer);
	t->timer = NULL;
	g_hash_table_remove(t->b->tickets, t->token);
	return G_SOURCE_REMOVE;
}

/* Bytes from the viewer to the display, followed for its input: the
 * display is a local socket of QEMU's, written at once. */
static bool to_display(struct relay *r, const char *buf, gsize n)
{
	if (rfb_input_feed(&r->rfb, (const unsigned char *)buf, n))
		r->last_input = g_get_monotonic_time();
	return g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(r->vnc)), buf, n,
					 NULL, NULL, NULL);
}

static gboolean from_viewer(GObject *in, gpointer data)
{
	struct relay *r = data;
	char buf[RELAY_CHUNK];
	g_autoptr(GError) err = NULL;
	gssize n;

	n = g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(in), buf, sizeof buf,
						     NULL, &err);
	if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n <= 0 || !to_display(r, buf, (gsize)n)) {
		g_source_unref(r->client_in);
		r->client_in = NULL;
		relay_close(r);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* The display's bytes reached the viewer's end: the relay is over. */
static void splice_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct relay *r = data;

	g_output_stream_splice_finish(G_OUTPUT_STREAM(src), res, NULL);
	r->splicing = false;
	if (r->closed)
		relay_finish(r);
	else
		relay_close(r);
}

/* After the handshake: the display's (large) side spliced to the viewer
 * asynchronously, the viewer's read here, where its input is seen. */
static void relay_start(struct relay *r)
{
	r->splicing = true;
	g_output_stream_splice_async(g_io_stream_get_output_stream(r->client),
				     g_io_stream_get_input_stream(G_IO_STREAM(r->vnc)),
				     G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, r->cancel,
				     splice_done, r);
	r->client_in = g_pollable_input_stream_create_source(
		G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(r->client)), NULL);
	g_source_set_callback(r->client_in, (GSourceFunc)(void (*)(void))from_viewer, r, NULL);
	g_source_attach(r->client_in, r->b->ctx);
}

static void handshake_thread(GTask *task, gpointer src, gpointer data, GCancellable *cancel)
{
	struct relay *r = data;
	GError *err = NULL;
	GIOStream *s;

	(void)src;
	s = rfb_handshake(G_SOCKET_CONNECTION(r->client), r->vnc, r->b->cert, r->b->o->plain_vnc,
			  cancel, &r->security, &err);
	if (s)
		g_task_return_pointer(task, s, g_object_unref);
	else
		g_task_return_error(task, err);
}

static void handshake_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct relay *r = data;
	struct broker *b = r->b;
	g_autoptr(GError) err = NULL;
	GIOStream *s = g_task_propagate_pointer(G_TASK(res), &err);

	(void)src;
	r->handshaking = false;
	b->handshakes--;
	drop_source(&r->deadline);
	if (s && !r->closed) {
		audit(b, "console", "user=%s desktop=%s security=%s", r->user, r->desktop, r->security);
		g_object_unref(r->client);
		r->client = s;
		relay_start(r);
		return;
	}
	if (s)
		g_object_unref(s);
	else if (!r->closed) {
		g_autofree char *why = core_printable(err->message, false);

		audit(b, "connect-failed", "user=%s desktop=%s from=%s reason=%s", r->user, r->desktop,
		      r->from, r->security);
		g_printerr(_("The viewer of desktop \"%s\" from %s could not connect (%s): %s\n"),
			   r->desktop, r->from, r->security, why);
	}
	if (r->closed)
		relay_finish(r);
	else
		relay_close(r);
}

static gboolean handshake_late(gpointer data)
{
	struct relay *r = data;

	g_source_unref(r->deadline);
	r->deadline = NULL;
	g_cancellable_cancel(r->cancel);
	return G_SOURCE_REMOVE;
}

/* The .vv's listener: one client; the handshake on a thread, then the
 * relay. */
static gboolean vv_incoming(GSocketService *svc, GSocketConnection *conn, GObject *src,
			    gpointer data)
{
	struct ticket *t = data;
	struct broker *b = t->b;
	g_autoptr(GSocketAddress) peer = g_socket_connection_get_remote_address(conn, NULL);
	g_autofree char *from = peer ? g_inet_address_to_string(
		g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(peer))) : g_strdup("?");
	GSocketConnection *vnc;
	struct relay *r;

	(void)svc;
	(void)src;
	if (t->used)
		return TRUE;
	t->used = true;
	g_socket_service_stop(t->service);
	if (!(vnc = open_display(b, t->desktop))) {
		audit(b, "connect-failed", "user=%s desktop=%s reason=display", t->user, t->desktop);
		core_error_clear();
		g_hash_table_remove(b->tickets, t->token);
		return TRUE;
	}
	r = relay_new(b, t, from);
	r->vnc = vnc;
	r->client = G_IO_STREAM(g_object_ref(conn));
	r->sock = g_object_ref(g_socket_connection_get_socket(conn));
	r->cancel = g_cancellable_new();
	rfb_input_init(&r->rfb, false);
	r->handshaking = true;
	b->handshakes++;
	/* a viewer gets this long for the whole handshake, however slowly
	 * it sends */
	r->deadline = g_timeout_source_new_seconds(HANDSHAKE_S);
	g_source_set_callback(r->deadline, handshake_late, r, NULL);
	g_source_attach(r->deadline, b->ctx);
	{
		g_autoptr(GTask) task = g_task_new(NULL, r->cancel, handshake_done, r);

		g_task_set_task_data(task, r, NULL);
		g_task_run_in_thread(task, handshake_thread);
	}
	/* the ticket's port is closed: nobody else comes in through it */
	g_hash_table_remove(b->tickets, t->token);
	return TRUE;
}

/* Mints a ticket for @d: a password set on its display until it expires,
 * and with @listener a port of the broker's own for one viewer. */
static struct ticket *ticket_new(struct broker *b, const struct desktop *d, bool listener)
{
	struct ticket *t = g_new0(struct ticket, 1);
	g_autoptr(GError) err = NULL;

	if (g_hash_table_size(b->tickets) >= PENDING_TICKETS_MAX) {
		core_error(CORE_ERR_STATE, _("Too many consoles are being opened; try again in a moment."));
		g_free(t);
		return NULL;
	}
	t->b = b;
	t->desktop = g_strdup(d->name);
	t->user = g_strdup(d->user);
	t->pool = g_strdup(d->pool);
	vdi_random_token(t->password, sizeof t->password, TICKET_CHARS);
	vdi_random_token(t->token, sizeof t->token, TOKEN_CHARS);
	t->expires = now_s() + b->o->ticket_ttl;
	if (listener) {
		g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(b->bind);
		g_autoptr(GSocketAddress) sa = ia ? g_inet_socket_address_new(ia, 0) : NULL;
		g_autoptr(GSocketAddress) got = NULL;

		t->service = g_socket_service_new();
		if (!sa || !g_socket_listener_add_address(G_SOCKET_LISTENER(t->service), sa,
							  G_SOCKET_TYPE_STREAM,
							  G_SOCKET_PROTOCOL_TCP, NULL, &got, &err)) {
			core_error(CORE_ERR_FAILED, _("Cannot open a console port on %s: %s"), b->bind,
				   err ? err->message : _("not an address"));
			ticket_free(t);
			return NULL;
		}
		t->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got));
		g_signal_connect(t->service, "incoming", G_CALLBACK(vv_incoming), t);
		g_socket_service_start(t->service);
	}
	if (vdi_console_password(b->eng, d->name, t->password, t->expires, false) < 0) {
		ticket_free(t);
		return NULL;
	}
	t->timer = g_timeout_source_new_seconds(b->o->ticket_ttl + 1);
	g_source_set_callback(t->timer, ticket_expired, t, NULL);
	g_source_attach(t->timer, b->ctx);
	g_hash_table_insert(b->tickets, t->token, t);
	g_mutex_lock(&b->lock);
	b->n.tickets++;
	g_mutex_unlock(&b->lock);
	audit(b, "ticket", "user=%s desktop=%s kind=%s", t->user, t->desktop,
	      listener ? "vv" : "websocket");
	return t;
}

static void api_console_vv(struct broker *b, SoupServerMessage *msg, const struct session *s,
			   const char *name)
{
	autoptr(desktop) d = held_desktop(b, msg, s, name);
	struct ticket *t;
	g_autofree char *vv = NULL, *disp = NULL, *host = NULL;
	SoupMessageHeaders *h;

	if (!d)
		return;
	if (!(t = ticket_new(b, d, true))) {
		reply_error(msg, 503, core_error_message());
		core_error_clear();
		return;
	}
	vv = g_strdup_printf("[virt-viewer]\ntype=vnc\nhost=%s\nport=%u\npassword=%s\n"
			     "title=%s (%s)\nfullscreen=1\ndelete-this-file=1\n"
			     "release-cursor=shift+f12\n", (host = viewer_host(b, msg)), t->port,
			     t->password, d->name,
			     d->pool);
	h = soup_server_message_get_response_headers(msg);
	disp = g_strdup_printf("attachment; filename=\"%s.vv\"", d->name);
	soup_message_headers_replace(h, "Content-Disposition", disp);
	reply(msg, 200, "application/x-virt-viewer", vv, strlen(vv));
}

static void api_console_web(struct broker *b, SoupServerMessage *msg, const struct session *s,
			    const char *name)
{
	autoptr(desktop) d = held_desktop(b, msg, s, name);
	g_autoptr(JsonBuilder) jb = json_builder_new();
	g_autofree char *path = NULL, *url = NULL;
	struct ticket *t;

	if (!d)
		return;
	if (!(t = ticket_new(b, d, false))) {
		reply_error(msg, 503, core_error_message());
		core_error_clear();
		return;
	}
	path = g_uri_escape_string("websockify?token=", NULL, FALSE);
	url = g_strdup_printf("/novnc/vnc.html?autoconnect=1&resize=scale&reconnect=0&password=%s&path=%s%s",
			      t->password, path, t->token);
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "url");
	json_builder_add_string_value(jb, url);
	json_builder_set_member_name(jb, "password");
	json_builder_add_string_value(jb, t->password);
	json_builder_set_member_name(jb, "token");
	json_builder_add_string_value(jb, t->token);
	json_builder_end_object(jb);
	reply_json(msg, 200, jb);
}

/* WebSocket: the display's bytes to the browser. */
static gboolean ws_from_vnc(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct relay *r = data;
	char buf[RELAY_CHUNK];
	gssize n;

	(void)cond;
	n = g_socket_receive(sock, buf, sizeof buf, NULL, NULL);
	if (n <= 0) {
		g_source_unref(r->vnc_in);
		r->vnc_in = NULL;
		relay_close(r);
		return G_SOURCE_REMOVE;
	}
	soup_websocket_connection_send_binary(r->ws, buf, (gsize)n);
	return G_SOURCE_CONTINUE;
}

static void ws_message(SoupWebsocketConnection *ws, gint type, GBytes *msg, gpointer data)
{
	struct relay *r = data;
	gsize len;
	const char *p = g_bytes_get_data(msg, &len);

	(void)ws;
	if (type != SOUP_WEBSOCKET_DATA_BINARY || !to_display(r, p, len))
		relay_close(r);
}

static void ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
	(void)ws;
	relay_close(data);
}

/* Before the WebSocket handshake: its token must be a live, unused
 * ticket of the session's user, from the broker's own origin. */
static struct ticket *ws_ticket(struct broker *b, SoupServerMessage *msg, GHashTable *query)
{
	const char *token = query ? g_hash_table_lookup(query, "token") : NULL;
	struct session *s = session_of(b, msg);
	struct ticket *t = token ? g_hash_table_lookup(b->tickets, token) : NULL;
	if (!origin_ok(b, msg, true)) {
		audit(b, "websocket-refused", "from=%s reason=origin", client_address(msg));
		reply_error(msg, 403, _("This request came from another site."));
		return NULL;
	}
	if (!s || !t || t->used || t->service || strcmp(t->user, s->user) != 0) {
		audit(b, "websocket-refused", "from=%s reason=token", client_address(msg));
		reply_error(msg, 403, _("This console ticket is not valid."));
		return NULL;
	}
	return t;
}

static void ws_open(SoupServer *server, SoupServerMessage *msg, const char *path,
		    SoupWebsocketConnection *ws, gpointer data)
{
	struct broker *b = data;
	GUri *uri = soup_server_message_get_uri(msg);
	const char *q = g_uri_get_query(uri);
	g_autoptr(GHashTable) query = q ? g_uri_parse_params(q, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
	const char *token = query ? g_hash_table_lookup(query, "token") : NULL;
	struct ticket *t = token ? g_hash_table_lookup(b->tickets, token) : NULL;
	GSocketConnection *vnc;
	struct relay *r;

	(void)server;
	(void)path;
	if (!t || t->used) {
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
		return;
	}
	t->used = true;
	if (!(vnc = open_display(b, t->desktop))) {
		core_error_clear();
		g_hash_table_remove(b->tickets, t->token);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, NULL);
		return;
	}
	r = relay_new(b, t, client_address(msg));
	g_hash_table_remove(b->tickets, t->token);
	r->vnc = vnc;
	r->ws = g_object_ref(ws);
	soup_websocket_connection_set_max_incoming_payload_size(ws, 1024 * 1024);
	g_signal_connect(ws, "message", G_CALLBACK(ws_message), r);
	g_signal_connect(ws, "closed", G_CALLBACK(ws_closed), r);
	r->vnc_in = g_socket_create_source(g_socket_connection_get_socket(vnc), G_IO_IN | G_IO_HUP |
					   G_IO_ERR, NULL);
	g_source_set_callback(r->vnc_in, (GSourceFunc)(void (*)(void))ws_from_vnc, r, NULL);
	g_source_attach(r->vnc_in, b->ctx);
}

/* QEMU's graphics events: once a viewer logged in, its ticket is spent. */
struct graphics_event {
	struct broker *b;
	char *name;
	int phase;
};

static gboolean on_graphics(gpointer data)
{
	struct graphics_event *e = data;

	if (e->phase == VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE) {
		if (vdi_console_lock(e->b->eng, e->name) < 0) {
			g_warning("%s", core_error_message());
			core_error_clear();
		}
		audit(e->b, "ticket-spent", "desktop=%s", e->name);
	}
	g_free(e->name);
	g_free(e);
	return G_SOURCE_REMOVE;
}

static void graphics_cb(virConnectPtr conn, virDomainPtr dom, int phase,
			const virDomainEventGraphicsAddress *local,
			const virDomainEventGraphicsAddress *remote, const char *scheme,
			const virDomainEventGraphicsSubject *subject, void *opaque)
{
	struct graphics_event *e = g_new0(struct graphics_event, 1);

	(void)conn;
	(void)local;
	(void)remote;
	(void)scheme;
	(void)subject;
	e->b = opaque;
	e->name = g_strdup(virDomainGetName(dom));
	e->phase = phase;
	g_main_context_invoke(e->b->ctx, on_graphics, e);
}

/* ---- metrics, static files, the portal ---------------------------------- */

static void metrics(struct broker *b, SoupServerMessage *msg)
{
	g_autoptr(GPtrArray) pools = pool_list();
	g_autoptr(GPtrArray) all = desktop_list(b->eng, NULL);
	g_autoptr(GString) o = g_string_new(NULL);
	struct counters n;
	guint64 cum = 0;

	core_error_clear();
	g_mutex_lock(&b->lock);
	n = b->n;
	g_mutex_unlock(&b->lock);
	g_string_append(o, "# HELP vmtui_desktops Desktops by pool and state.\n# TYPE vmtui_desktops gauge\n");
	for (guint i = 0; all && i < pools->len; i++) {
		const struct pool *p = pools->pdata[i];
		unsigned counts[DESKTOP_STATE_COUNT];

		pool_count(all, p->name, counts);
		for (unsigned k = 0; k < DESKTOP_STATE_COUNT; k++)
			g_string_append_printf(o, "vmtui_desktops{pool=\"%s\",state=\"%s\"} %u\n",
					       p->name, desktop_state_id(k), counts[k]);
	}
	g_string_append_printf(o,
			       "# TYPE vmtui_logins_total counter\nvmtui_logins_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_login_failures_total counter\nvmtui_login_failures_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_lockouts_total counter\nvmtui_lockouts_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_logins_refused_total counter\nvmtui_logins_refused_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_console_tickets_total counter\nvmtui_console_tickets_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_console_relays_total counter\nvmtui_console_relays_total %" G_GUINT64_FORMAT "\n"
			       "# TYPE vmtui_console_relays gauge\nvmtui_console_relays %u\n",
			       n.logins, n.failures, n.lockouts, n.refused, n.tickets, n.relays,
			       g_list_length(b->relays));
	g_string_append(o, "# HELP vmtui_time_to_desktop_seconds From the request for a desktop to its answer.\n"
			"# TYPE vmtui_time_to_desktop_seconds histogram\n");
	for (unsigned i = 0; i < G_N_ELEMENTS(ttd_bounds); i++) {
		cum = n.ttd_bucket[i];
		g_string_append_printf(o, "vmtui_time_to_desktop_seconds_bucket{le=\"%g\"} %" G_GUINT64_FORMAT "\n",
				       ttd_bounds[i], cum);
	}
	g_string_append_printf(o, "vmtui_time_to_desktop_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n"
			       "vmtui_time_to_desktop_seconds_sum %.6f\n"
			       "vmtui_time_to_desktop_seconds_count %" G_GUINT64_FORMAT "\n",
			       n.ttd_count, n.ttd_sum, n.ttd_count);
	{
		guint64 rc[2];
		double rs[2];
		static const char *const path[2] = { "snapshot", "overlay" };

		vdi_refresh_stats(rc, rs);
		g_string_append(o, "# HELP vmtui_refresh_seconds Desktops refreshed, by path, and how long it took.\n"
				"# TYPE vmtui_refresh_seconds summary\n");
		for (unsigned i = 0; i < 2; i++)
			g_string_append_printf(o, "vmtui_refresh_seconds_sum{path=\"%s\"} %.3f\n"
					       "vmtui_refresh_seconds_count{path=\"%s\"} %" G_GUINT64_FORMAT "\n",
					       path[i], rs[i], path[i], rc[i]);
	}
	reply(msg, 200, "text/plain; version=0.0.4", o->str, o->len);
}

/* noVNC's files: a path of plain characters under its folder, a regular
 * file of bounded size. */
static void static_file(struct broker *b, SoupServerMessage *msg, const char *rel)
{
	const char *dir = b->o->novnc_dir ? b->o->novnc_dir : "/usr/share/novnc";
	g_autofree char *path = NULL, *data = NULL;
	const char *type = "application/octet-stream";
	size_t len = 0;

	for (const char *p = rel; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("._-/", *p)) {
			reply_error(msg, 404, _("No such file."));
			return;
		}
	if (!*rel || strstr(rel, "..") || rel[0] == '/') {
		reply_error(msg, 404, _("No such file."));
		return;
	}
	path = g_build_filename(dir, rel, NULL);
	data = core_read_file(path, STATIC_MAX, 0, "noVNC", &len);
	core_error_clear();
	if (!data) {
		reply_error(msg, 404, _("No such file."));
		return;
	}
	if (g_str_has_suffix(rel, ".html"))
		type = "text/html; charset=utf-8";
	else if (g_str_has_suffix(rel, ".js"))
		type = "text/javascript";
	else if (g_str_has_suffix(rel, ".css"))
		type = "text/css";
	else if (g_str_has_suffix(rel, ".svg"))
		type = "image/svg+xml";
	else if (g_str_has_suffix(rel, ".png"))
		type = "image/png";
	else if (g_str_has_suffix(rel, ".json"))
		type = "application/json";
	reply(msg, 200, type, data, len);
}

/* ---- dispatch -------------------------------------------------------------- */

static void handle(SoupServer *server, SoupServerMessage *msg, const char *path,
		   GHashTable *query, gpointer data)
{
	struct broker *b = data;
	const char *method = soup_server_message_get_method(msg);
	bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
	g_auto(GStrv) parts = g_strsplit(path, "/", 6);
	guint n = g_strv_length(parts);
	struct session *s;

	(void)server;
	if (strcmp(path, "/websockify") == 0) {
		/* the handshake goes on only when no status is set here */
		ws_ticket(b, msg, query);
		return;
	}
	if (get && (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)) {
		SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

		soup_message_headers_replace(h, "Content-Security-Policy",
					     "default-src 'self'; frame-ancestors 'none'");
		reply(msg, 200, "text/html; charset=utf-8", vdi_portal_html, strlen(vdi_portal_html));
		return;
	}
	if (get && strcmp(path, "/portal.js") == 0) {
		reply(msg, 200, "text/javascript", vdi_portal_js, strlen(vdi_portal_js));
		return;
	}
	if (get && g_str_has_prefix(path, "/novnc/")) {
		static_file(b, msg, path + strlen("/novnc/"));
		return;
	}
	if (get && strcmp(path, "/metrics") == 0) {
		if (!is_loopback(client_address(msg)))
			reply_error(msg, 403, _("Metrics are served to this machine only."));
		else
			metrics(b, msg);
		return;
	}
	if (post && strcmp(path, "/api/login") == 0) {
		api_login(b, msg);
		return;
	}
	if (!g_str_has_prefix(path, "/api/")) {
		reply_error(msg, 404, _("No such page."));
		return;
	}
	if (!(s = session_of(b, msg))) {
		reply_error(msg, 401, _("Log in first."));
		return;
	}
	if (!get && !csrf_ok(b, msg, s)) {
		audit(b, "csrf-refused", "user=%s from=%s path=%s", s->user, client_address(msg),
		      n >= 3 ? parts[2] : "?");
		reply_error(msg, 403, _("This request lacks its CSRF token or came from another site."));
		return;
	}
	if (post && strcmp(path, "/api/logout") == 0) {
		audit(b, "logout", "user=%s", s->user);
		set_session_cookie(b, msg, "", 0);
		g_hash_table_remove(b->sessions, s->token);
		reply(msg, 200, "application/json", "{}", 2);
	} else if (get && strcmp(path, "/api/pools") == 0) {
		api_pools(b, msg, s);
	} else if (get && strcmp(path, "/api/desktops") == 0) {
		api_my_desktops(b, msg, s);
	} else if (post && n == 5 && strcmp(parts[2], "pools") == 0 && strcmp(parts[4], "desktop") == 0) {
		api_get_desktop(b, msg, s, parts[3]);
	} else if (get && n == 5 && strcmp(parts[2], "desktops") == 0 &&
		   strcmp(parts[4], "console.vv") == 0) {
		api_console_vv(b, msg, s, parts[3]);
	} else if (post && n == 5 && strcmp(parts[2], "desktops") == 0 &&
		   strcmp(parts[4], "web") == 0) {
		api_console_web(b, msg, s, parts[3]);
	} else if (post && n == 5 && strcmp(parts[2], "desktops") == 0 &&
		   strcmp(parts[4], "release") == 0) {
		api_release(b, msg, s, parts[3]);
	} else {
		reply_error(msg, 404, _("No such page."));
	}
}

/* ---- the reconcile thread ------------------------------------------------- */

static gpointer reconciler(gpointer data)
{
	struct broker *b = data;

	for (;;) {
		g_autoptr(GPtrArray) pools = pool_list();
		gint64 until;

		for (guint i = 0; i < pools->len; i++) {
			g_autoptr(GString) log = g_string_new(NULL);

			if (pool_reconcile(b->eng, pools->pdata[i], NULL, log) < 0)
				core_error_clear();
			if (log->len)
				g_printerr("%s", log->str);
		}
		g_mutex_lock(&b->lock);
		until = g_get_monotonic_time() + (gint64)b->o->reconcile_every * G_USEC_PER_SEC;
		while (!b->stop && g_cond_wait_until(&b->wake, &b->lock, until))
			;
		if (b->stop) {
			g_mutex_unlock(&b->lock);
			return NULL;
		}
		g_mutex_unlock(&b->lock);
	}
}

/* At start: no relay survived the last broker, so a connected desktop is
 * disconnected now (its grace runs), and every display is locked (an old
 * ticket may still be set). */
static void resume(struct broker *b)
{
	g_autoptr(GPtrArray) all = desktop_list(b->eng, NULL);

	for (guint i = 0; all && i < all->len; i++) {
		struct desktop *d = all->pdata[i];

		if (d->running && vdi_console_lock(b->eng, d->name) < 0)
			g_warning("%s", core_error_message());
		if (d->state == DESKTOP_CONNECTED && desktop_move(b->eng, d, DESKTOP_DISCONNECTED) < 0)
			g_warning("%s", core_error_message());
		core_error_clear();
	}
}

/* Every few seconds: a viewer whose user has not touched a key or the
 * mouse for the pool's --idle is let go, and the desktop released. */
static gboolean check_idle(gpointer data)
{
	struct broker *b = data;
	gint64 now = g_get_monotonic_time();

	for (GList *l = b->relays; l;) {
		struct relay *r = l->data;
		autoptr(pool) p = pool_load(r->pool);
		g_autofree char *name = NULL;

		l = l->next;
		if (!p || !p->idle || now - r->last_input < (gint64)p->idle * G_USEC_PER_SEC) {
			core_error_clear();
			continue;
		}
		audit(b, "idle", "user=%s desktop=%s seconds=%u", r->user, r->desktop, p->idle);
		name = g_strdup(r->desktop);
		relay_close(r);
		if (desktop_release(b->eng, name) < 0)
			core_error_clear();
		g_mutex_lock(&b->lock);
		g_cond_signal(&b->wake);
		g_mutex_unlock(&b->lock);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean check_cancel(gpointer data)
{
	struct broker *b = data;

	if (job_cancelled(b->job))
		g_main_loop_quit(b->loop);
	return G_SOURCE_CONTINUE;
}

/* Splits "ADDR:PORT" / "[ADDR]:PORT". */
static bool split_listen(const char *s, char **addr, guint16 *port)
{
	const char *colon = strrchr(s, ':');
	long long v;

	if (!colon || colon == s)
		return false;
	if (!core_parse_int("--listen", colon + 1, 1, 65535, &v))
		return false;
	*port = (guint16)v;
	if (s[0] == '[' && colon[-1] == ']')
		*addr = g_strndup(s + 1, (gsize)(colon - s - 2));
	else
		*addr = g_strndup(s, (gsize)(colon - s));
	return true;
}

int broker_run(struct engine *eng, const struct broker_opts *o, struct job *job,
	       void (*started)(const char *url, void *data), void *data)
{
	struct broker b = { 0 };
	g_autoptr(GError) err = NULL;
	g_autofree char *addr = NULL, *audit_path = NULL, *url = NULL;
	g_autoptr(GInetAddress) ia = NULL;
	g_autoptr(GSocketAddress) sa = NULL;
	guint16 port = 0;
	int rc = -1;

	if (!split_listen(o->listen, &addr, &port) || !(ia = g_inet_address_new_from_string(addr))) {
		if (!core_error_code())
			core_error(CORE_ERR_USAGE, _("--listen takes ADDRESS:PORT, such as 127.0.0.1:8443 or [::1]:8443; \"%s\" is not one."),
				   o->listen);
		return -1;
	}
	if (!o->cert && !g_inet_address_get_is_loopback(ia) && !o->insecure_http) {
		core_error(CORE_ERR_USAGE, _("Serving beyond this machine (%s) without TLS would send passwords in clear text: give --cert and --key, or --insecure-http if you mean it."),
			   addr);
		return -1;
	}
	if (!o->cert != !o->key) {
		core_error(CORE_ERR_USAGE, _("--cert and --key go together."));
		return -1;
	}
	b.eng = eng;
	b.o = o;
	b.job = job;
	b.audit = -1;
	b.ctx = g_main_context_new();
	g_main_context_push_thread_default(b.ctx);
	b.loop = g_main_loop_new(b.ctx, FALSE);
	b.sessions = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)session_free);
	b.tickets = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)ticket_free);
	b.fail_user = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	b.fail_addr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	g_mutex_init(&b.lock);
	g_cond_init(&b.wake);
	b.bind = g_strdup(addr);
	b.host = g_strdup(o->public_host);
	b.port = port;
	b.graphics_cb = -1;

	if (o->audit_log) {
		audit_path = g_strdup(o->audit_log);
	} else {
		g_autofree char *data_dir = core_data_dir();

		audit_path = g_build_filename(data_dir, "broker", "audit.log", NULL);
	}
	{
		g_autofree char *dir = g_path_get_dirname(audit_path);

		if (core_mkdir_p(dir, 0700) < 0)
			goto out;
	}
	b.audit = open(audit_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b.audit < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot open the audit log %s: %s"), audit_path,
			   g_strerror(errno));
		goto out;
	}
	b.server = soup_server_new("server-header", "vmtui", NULL);
	if (o->cert) {
		GTlsCertificate *cert = g_tls_certificate_new_from_files(o->cert, o->key, &err);

		if (!cert) {
			core_error(CORE_ERR_USAGE, _("Cannot use the certificate %s with the key %s: %s"),
				   o->cert, o->key, err->message);
			goto out;
		}
		soup_server_set_tls_certificate(b.server, cert);
		b.cert = cert;
	}
	sa = g_inet_socket_address_new(ia, port);
	if (!soup_server_listen(b.server, sa, b.cert ? SOUP_SERVER_LISTEN_HTTPS : 0, &err)) {
		core_error(CORE_ERR_STATE, _("Cannot listen on %s: %s"), o->listen, err->message);
		goto out;
	}
	{
		const char *shown = b.host ? b.host : addr;
		bool v6 = strchr(shown, ':') != NULL;

		url = g_strdup_printf("%s://%s%s%s:%u", b.cert ? "https" : "http", v6 ? "[" : "",
				      shown, v6 ? "]" : "", port);
	}
	soup_server_add_handler(b.server, NULL, handle, &b, NULL);
	/* runs before the WebSocket handshake, which it may refuse */
	soup_server_add_handler(b.server, "/websockify", handle, &b, NULL);
	soup_server_add_websocket_handler(b.server, "/websockify", NULL, NULL, ws_open, &b, NULL);
	b.auth = g_thread_pool_new(login_check, &b, 4, FALSE, NULL);
	b.graphics_cb = virConnectDomainEventRegisterAny(engine_conn(eng), NULL,
							 VIR_DOMAIN_EVENT_ID_GRAPHICS,
							 VIR_DOMAIN_EVENT_CALLBACK(graphics_cb),
							 &b, NULL);
	if (b.graphics_cb < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot follow the desktops' consoles"));
		goto out;
	}
	resume(&b);
	b.reconciler = g_thread_new("reconcile", reconciler, &b);
	{
		GSource *tick = g_timeout_source_new(200);

		g_source_set_callback(tick, check_cancel, &b, NULL);
		g_source_attach(tick, b.ctx);
		g_source_unref(tick);
		tick = g_timeout_source_new_seconds(2);
		g_source_set_callback(tick, check_idle, &b, NULL);
		g_source_attach(tick, b.ctx);
		g_source_unref(tick);
	}
	audit(&b, "start", "listen=%s", url);
	if (started)
		started(url, data);
	g_main_loop_run(b.loop);
	audit(&b, "stop", "listen=%s", url);
	rc = 0;
out:
	if (b.reconciler) {
		g_mutex_lock(&b.lock);
		b.stop = true;
		g_cond_signal(&b.wake);
		g_mutex_unlock(&b.lock);
		g_thread_join(b.reconciler);
	}
	if (b.graphics_cb >= 0)
		virConnectDomainEventDeregisterAny(engine_conn(eng), b.graphics_cb);
	if (b.auth)
		g_thread_pool_free(b.auth, FALSE, TRUE);
	/* no new viewer: the tickets' ports close first */
	if (b.tickets)
		g_hash_table_remove_all(b.tickets);
	while (b.relays)
		relay_close(b.relays->data);
	/* cancelled, the handshakes' threads end at once */
	while (b.handshakes)
		g_main_context_iteration(b.ctx, TRUE);
	if (b.server) {
		soup_server_disconnect(b.server);
		g_object_unref(b.server);
	}
	/* the auth pool's last answers were queued on the loop */
	while (g_main_context_iteration(b.ctx, FALSE))
		;
	g_hash_table_destroy(b.tickets);
	g_hash_table_destroy(b.sessions);
	g_hash_table_destroy(b.fail_user);
	g_hash_table_destroy(b.fail_addr);
	g_main_loop_unref(b.loop);
	g_main_context_pop_thread_default(b.ctx);
	g_main_context_unref(b.ctx);
	g_mutex_clear(&b.lock);
	g_cond_clear(&b.wake);
	if (b.audit >= 0)
		close(b.audit);
	g_clear_object(&b.cert);
	g_free(b.bind);
	g_free(b.host);
	return rc;
}

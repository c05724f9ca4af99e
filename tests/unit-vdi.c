/*
 * unit-vdi.c — the RFB handshake the broker does between a viewer and a
 * display (over socket pairs: the ticket passed through both ways, a
 * refused ticket's reason passed on, a viewer that is not one refused);
 * what the broker tells from a viewer's RFB stream (the pool's idle
 * timer): framebuffer update requests and encodings are not input, key
 * and pointer events are, however the stream is cut into reads; a
 * stream it cannot follow counts as input; and the pool rules of names,
 * sizes and entitlement.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "tests/tap.h"
#include "vdi/vdi-priv.h"

/* The handshake of a viewer: version 3.8, VNC authentication, its
 * 16-byte response, ClientInit. */
static GByteArray *handshake(void)
{
	GByteArray *a = g_byte_array_new();
	static const unsigned char auth[17] = { 2 };

	g_byte_array_append(a, (const guint8 *)"RFB 003.008\n", 12);
	g_byte_array_append(a, auth, 17);
	g_byte_array_append(a, (const guint8 *)"\1", 1);
	return a;
}

static void add(GByteArray *a, const unsigned char *m, size_t n)
{
	g_byte_array_append(a, m, (guint)n);
}

/* Feeds @a in reads of @chunk bytes; whether any held input. */
static bool feed(const GByteArray *a, size_t chunk, struct rfb_input *r)
{
	bool input = false;

	for (size_t i = 0; i < a->len; i += chunk)
		input |= rfb_input_feed(r, a->data + i, MIN(chunk, a->len - i));
	return input;
}

static void check_rfb(void)
{
	static const unsigned char encodings[] = { 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0x21 };
	static const unsigned char update[] = { 3, 1, 0, 0, 0, 0, 2, 208, 1, 144 };
	static const unsigned char pixfmt[20] = { 0 };
	static const unsigned char cut[] = { 6, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c' };
	static const unsigned char key[] = { 4, 1, 0, 0, 0, 0, 0, 0x61 };
	static const unsigned char pointer[] = { 5, 0, 0, 10, 0, 20 };
	static const unsigned char qkey[] = { 255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 30 };
	static const unsigned char fence[] = { 248, 0, 0, 0, 0, 0, 0, 0, 2, 'x', 'y' };
	size_t chunks[] = { 1, 3, 7, 4096 };

	for (unsigned c = 0; c < G_N_ELEMENTS(chunks); c++) {
		g_autoptr(GByteArray) quiet = handshake();
		struct rfb_input r;

		add(quiet, pixfmt, sizeof pixfmt);
		add(quiet, encodings, sizeof encodings);
		add(quiet, cut, sizeof cut);
		add(quiet, fence, sizeof fence);
		for (int i = 0; i < 50; i++)
			add(quiet, update, sizeof update);
		rfb_input_init(&r, true);
		tap_ok(!feed(quiet, chunks[c], &r),
		       "a viewer that only asks for updates is idle (reads of %zu bytes)", chunks[c]);
		{
			g_autoptr(GByteArray) k = g_byte_array_new();
			g_autoptr(GByteArray) p = g_byte_array_new();
			g_autoptr(GByteArray) q = g_byte_array_new();

			add(k, key, sizeof key);
			add(k, update, sizeof update);
			tap_ok(feed(k, chunks[c], &r), "  ... a key event is input");
			add(p, update, sizeof update);
			add(p, pointer, sizeof pointer);
			tap_ok(feed(p, chunks[c], &r), "  ... a pointer event is input");
			add(q, qkey, sizeof qkey);
			tap_ok(feed(q, chunks[c], &r), "  ... QEMU's extended key event is input");
		}
	}
	{
		g_autoptr(GByteArray) a = handshake();
		static const unsigned char odd[] = { 99, 1, 2, 3 };
		struct rfb_input r;

		add(a, odd, sizeof odd);
		rfb_input_init(&r, true);
		tap_ok(feed(a, 5, &r), "a message it does not know counts as input");
		tap_ok(rfb_input_feed(&r, update, sizeof update), "  ... and so does all that follows");
	}
	{
		struct rfb_input r;
		static const unsigned char v33[] = "RFB 003.003\n";
		static const unsigned char resp[16] = { 0 };

		rfb_input_init(&r, true);
		rfb_input_feed(&r, v33, 12);
		rfb_input_feed(&r, resp, 16);
		rfb_input_feed(&r, (const unsigned char *)"\1", 1);
		tap_ok(!rfb_input_feed(&r, update, sizeof update), "RFB 3.3 (no security choice) is followed too");
		tap_ok(rfb_input_feed(&r, key, sizeof key), "  ... its key events seen");
	}
	{
		struct rfb_input r;

		rfb_input_init(&r, false);
		rfb_input_feed(&r, (const unsigned char *)"\1", 1);
		tap_ok(!rfb_input_feed(&r, update, sizeof update) && rfb_input_feed(&r, key, sizeof key),
		       "a stream whose handshake the broker did is followed from ClientInit");
	}
}

/* ---- the handshake, over socket pairs ---------------------------------- */

struct hs {
	GSocketConnection *viewer, *display;
	GIOStream *out;
	const char *what;
	GError *err;
};

static GSocketConnection *conn_of(int fd)
{
	g_autoptr(GSocket) s = g_socket_new_from_fd(fd, NULL);

	return g_socket_connection_factory_create_connection(s);
}

static gpointer hs_thread(gpointer data)
{
	struct hs *h = data;

	h->out = rfb_handshake(h->viewer, h->display, NULL, false, NULL, &h->what, &h->err);
	return NULL;
}

/* Runs the handshake with @from_viewer and @from_display already sent;
 * what the broker sent each side in @to_viewer and @to_display. */
static void handshake_run(struct hs *h, const void *from_viewer, size_t nv,
			  const void *from_display, size_t nd, GByteArray *to_viewer,
			  GByteArray *to_display)
{
	int v[2], d[2];
	unsigned char buf[256];
	ssize_t n;

	memset(h, 0, sizeof *h);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, v) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, d) < 0)
		return;
	h->viewer = conn_of(v[0]);
	h->display = conn_of(d[0]);
	if (write(v[1], from_viewer, nv) != (ssize_t)nv || write(d[1], from_display, nd) != (ssize_t)nd)
		return;
	g_thread_join(g_thread_new("handshake", hs_thread, h));
	g_clear_object(&h->out);
	g_clear_object(&h->viewer);
	g_clear_object(&h->display);
	while ((n = read(v[1], buf, sizeof buf)) > 0)
		g_byte_array_append(to_viewer, buf, (guint)n);
	while ((n = read(d[1], buf, sizeof buf)) > 0)
		g_byte_array_append(to_display, buf, (guint)n);
	close(v[1]);
	close(d[1]);
}

static bool bytes_are(const GByteArray *a, const void *want, size_t n)
{
	return a->len == n && memcmp(a->data, want, n) == 0;
}

static void check_handshake(void)
{
	static const unsigned char qemu_ok[] = "RFB 003.008\n\1\2" "CHALLENGE-16-BYT" "\0\0\0\0";
	static const unsigned char qemu_no[] = "RFB 003.008\n\1\2" "CHALLENGE-16-BYT"
		"\0\0\0\1\0\0\0\25Authentication failed";
	static const unsigned char viewer38[] = "RFB 003.008\n\2" "ANSWER-OF-16-BYT";
	static const unsigned char viewer33[] = "RFB 003.003\n" "ANSWER-OF-16-BYT";
	static const unsigned char to_display[] = "RFB 003.008\n\2" "ANSWER-OF-16-BYT";
	struct hs h;

	{
		g_autoptr(GByteArray) tv = g_byte_array_new();
		g_autoptr(GByteArray) td = g_byte_array_new();
		static const unsigned char want[] = "RFB 003.008\n\1\2" "CHALLENGE-16-BYT" "\0\0\0\0";

		handshake_run(&h, viewer38, sizeof viewer38 - 1, qemu_ok, sizeof qemu_ok - 1, tv, td);
		tap_ok(h.what && strcmp(h.what, "vnc") == 0 && !h.err,
		       "an RFB 3.8 viewer logs in through the broker's handshake (%s)", h.what);
		tap_ok(bytes_are(tv, want, sizeof want - 1),
		       "  ... it was offered VNC authentication and got QEMU's challenge and result");
		tap_ok(bytes_are(td, to_display, sizeof to_display - 1),
		       "  ... QEMU got the viewer's answer to its challenge");
		g_clear_error(&h.err);
	}
	{
		g_autoptr(GByteArray) tv = g_byte_array_new();
		g_autoptr(GByteArray) td = g_byte_array_new();
		static const unsigned char want[] = "RFB 003.008\n\0\0\0\2" "CHALLENGE-16-BYT" "\0\0\0\0";

		handshake_run(&h, viewer33, sizeof viewer33 - 1, qemu_ok, sizeof qemu_ok - 1, tv, td);
		tap_ok(h.what && strcmp(h.what, "vnc") == 0 && bytes_are(tv, want, sizeof want - 1),
		       "an RFB 3.3 viewer is told VNC authentication and logs in");
		g_clear_error(&h.err);
	}
	{
		g_autoptr(GByteArray) tv = g_byte_array_new();
		g_autoptr(GByteArray) td = g_byte_array_new();
		static const unsigned char want[] = "RFB 003.008\n\1\2" "CHALLENGE-16-BYT"
			"\0\0\0\1\0\0\0\25Authentication failed";

		handshake_run(&h, viewer38, sizeof viewer38 - 1, qemu_no, sizeof qemu_no - 1, tv, td);
		tap_ok(h.what && strcmp(h.what, "ticket") == 0 && h.err,
		       "a ticket QEMU refuses fails the handshake at \"ticket\" (%s)",
		       h.err ? h.err->message : "no error");
		tap_ok(bytes_are(tv, want, sizeof want - 1), "  ... the viewer hears QEMU's reason");
		g_clear_error(&h.err);
	}
	{
		g_autoptr(GByteArray) tv = g_byte_array_new();
		g_autoptr(GByteArray) td = g_byte_array_new();
		static const char http[] = "GET / HTTP/1.1\r\n\r\n";

		handshake_run(&h, http, sizeof http - 1, qemu_ok, sizeof qemu_ok - 1, tv, td);
		tap_ok(h.what && strcmp(h.what, "version") == 0 && h.err && td->len == 0,
		       "a client that is no RFB viewer is refused before the display is touched");
		g_clear_error(&h.err);
	}
	{
		g_autoptr(GByteArray) tv = g_byte_array_new();
		g_autoptr(GByteArray) td = g_byte_array_new();
		static const unsigned char pick1[] = "RFB 003.008\n\1";

		handshake_run(&h, pick1, sizeof pick1 - 1, qemu_ok, sizeof qemu_ok - 1, tv, td);
		tap_ok(h.what && strcmp(h.what, "security") == 0 && td->len == 0,
		       "a viewer asking for no authentication is refused");
		g_clear_error(&h.err);
	}
}

static void check_pools(void)
{
	autoptr(pool) p = pool_new("lab", "kit");
	const char *none[] = { NULL };
	const char *staff[] = { "staff", NULL };

	tap_ok(pool_check(p) == 0, "a new pool's defaults pass its checks");
	tap_ok(!pool_name_valid("9lab") && !pool_name_valid("lab/x") && !pool_name_valid(""),
	       "pool names start with a letter and hold no '/'");
	core_error_clear();
	tap_ok(!pool_name_valid("abcdefghijklmnopqrstuvwxy"), "  ... and are at most 24 long");
	core_error_clear();
	p->min = 5;
	p->max = 2;
	tap_ok(pool_check(p) < 0 && strstr(core_error_message(), "--min 5 is more than --max 2"),
	       "min above max is refused, saying which");
	p->min = 1;
	p->max = 10;
	tap_ok(pool_entitled(p, "anyone", none), "a pool with no users or groups is everyone's");
	g_ptr_array_add(p->users, g_strdup("alice"));
	g_ptr_array_add(p->groups, g_strdup("staff"));
	tap_ok(pool_entitled(p, "alice", none), "  ... with --users, those named");
	tap_ok(!pool_entitled(p, "bob", none), "  ... and not others");
	tap_ok(pool_entitled(p, "bob", staff), "  ... or the members of --groups");
	g_ptr_array_add(p->users, g_strdup("bad user"));
	tap_ok(pool_check(p) < 0, "a user name with a space is refused");
}

int main(void)
{
	check_rfb();
	check_handshake();
	check_pools();
	return tap_done();
}

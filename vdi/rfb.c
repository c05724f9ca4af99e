/*
 * rfb.c — the RFB (VNC) protocol as the broker's relays need it.
 *
 * The handshake: a .vv viewer talks to the broker, not to QEMU.  The
 * broker greets it, offers VeNCrypt (TLS with its own certificate, then
 * VNC authentication inside) when it serves HTTPS, and plain VNC
 * authentication without a certificate or when told so; then it logs in
 * to the desktop's display as a client and passes QEMU's challenge and
 * the viewer's answer between them, so QEMU still checks the ticket.
 * QEMU's own VNC stays plain on loopback: its TLS is one setting for all
 * of an engine's guests in libvirt 9.0, and the broker holds a
 * certificate already.
 *
 * The follower: the viewer's side of the stream as the broker relays it,
 * to tell when its user last pressed a key or moved the mouse (the
 * pool's idle timer).  Viewers send framebuffer update requests all
 * the time, so bytes alone say nothing; the messages are told apart by
 * their type and length (RFC 6143 and QEMU's extensions), nothing else is
 * read.  A stream it cannot follow (another security type, a message it
 * does not know) is "lost": every byte then counts as input, so a desktop
 * is never taken for idle by mistake.
 */
#include "config.h"

#include <string.h>

#include "core/i18n.h"
#include "vdi/vdi-priv.h"

/* ---- the handshake ------------------------------------------------------ */

#define REASON_MAX 1024
enum { SEC_INVALID = 0, SEC_VNC = 2, SEC_VENCRYPT = 19 };
#define VENCRYPT_X509_VNC 261

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool get(GIOStream *s, void *buf, gsize n, GCancellable *c, GError **err)
{
	gsize got = 0;

	if (!g_input_stream_read_all(g_io_stream_get_input_stream(s), buf, n, &got, c, err))
		return false;
	if (got < n) {
		g_set_error_literal(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
				    _("the other end closed the connection"));
		return false;
	}
	return true;
}

static bool put(GIOStream *s, const void *buf, gsize n, GCancellable *c, GError **err)
{
	return g_output_stream_write_all(g_io_stream_get_output_stream(s), buf, n, NULL, c, err);
}

static bool put32(GIOStream *s, uint32_t v, GCancellable *c, GError **err)
{
	unsigned char b[4] = { v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff };

	return put(s, b, 4, c, err);
}

static bool get32(GIOStream *s, uint32_t *v, GCancellable *c, GError **err)
{
	unsigned char b[4];

	if (!get(s, b, 4, c, err))
		return false;
	*v = be32(b);
	return true;
}

/* A refusal with its reason, as RFB 3.3 (security type 0) and 3.8
 * (a failed security result) carry one. */
static void refuse(GIOStream *v, bool as_type, const char *reason, GCancellable *c)
{
	size_t n = strlen(reason);

	if (put32(v, as_type ? SEC_INVALID : 1, c, NULL) && put32(v, (uint32_t)n, c, NULL))
		put(v, reason, n, c, NULL);
}

/* The minor version of an RFB greeting, or -1.  Versions between 3.3 and
 * 3.7 are 3.3, as RFC 6143 says; anything above 3.8 is 3.8. */
static int rfb_minor(const unsigned char *g)
{
	int minor = 0;

	if (memcmp(g, "RFB 003.", 8) != 0 || g[11] != '\n')
		return -1;
	for (int i = 8; i < 11; i++) {
		if (g[i] < '0' || g[i] > '9')
			return -1;
		minor = minor * 10 + (g[i] - '0');
	}
	return minor >= 8 ? 8 : minor == 7 ? 7 : 3;
}

/* The display's side: QEMU's greeting and VNC authentication, up to its
 * challenge in @challenge. */
static bool display_login(GIOStream *d, unsigned char challenge[16], GCancellable *c, GError **err)
{
	unsigned char g[12], n, types[255];
	bool vnc = false;

	if (!get(d, g, 12, c, err))
		return false;
	if (rfb_minor(g) != 8) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("the display does not speak RFB 3.8"));
		return false;
	}
	if (!put(d, "RFB 003.008\n", 12, c, err) || !get(d, &n, 1, c, err) ||
	    (n && !get(d, types, n, c, err)))
		return false;
	for (unsigned i = 0; i < n; i++)
		vnc |= types[i] == SEC_VNC;
	if (!vnc) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("the display does not ask for a VNC password"));
		return false;
	}
	return put(d, (unsigned char[]){ SEC_VNC }, 1, c, err) && get(d, challenge, 16, c, err);
}

/* VeNCrypt 0.2 with X509VNC only, then TLS over @v.  The TLS stream, or
 * NULL. */
static GIOStream *vencrypt(GIOStream *v, GTlsCertificate *cert, const char **what,
			   GCancellable *c, GError **err)
{
	static const unsigned char subtypes[] = { 1, 0, 0, VENCRYPT_X509_VNC >> 8, VENCRYPT_X509_VNC & 0xff };
	unsigned char ver[2];
	uint32_t sub;
	g_autoptr(GIOStream) tls = NULL;

	if (!put(v, (unsigned char[]){ 0, 2 }, 2, c, err) || !get(v, ver, 2, c, err))
		return NULL;
	if (ver[0] != 0 || ver[1] != 2) {
		put(v, (unsigned char[]){ 1 }, 1, c, NULL);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("the viewer speaks VeNCrypt %u.%u, not 0.2"), ver[0], ver[1]);
		return NULL;
	}
	if (!put(v, (unsigned char[]){ 0 }, 1, c, err) || !put(v, subtypes, sizeof subtypes, c, err) ||
	    !get32(v, &sub, c, err))
		return NULL;
	if (sub != VENCRYPT_X509_VNC) {
		put(v, (unsigned char[]){ 0 }, 1, c, NULL);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("the viewer asked for VeNCrypt subtype %u, not X509VNC"), sub);
		return NULL;
	}
	if (!put(v, (unsigned char[]){ 1 }, 1, c, err))
		return NULL;
	*what = "tls";
	if (!(tls = g_tls_server_connection_new(v, cert, err)) ||
	    !g_tls_connection_handshake(G_TLS_CONNECTION(tls), c, err))
		return NULL;
	return g_steal_pointer(&tls);
}

GIOStream *rfb_handshake(GSocketConnection *viewer, GSocketConnection *display,
			 GTlsCertificate *cert, bool plain, GCancellable *c, const char **what,
			 GError **err)
{
	GIOStream *v = G_IO_STREAM(viewer), *d = G_IO_STREAM(display);
	g_autoptr(GIOStream) tls = NULL;
	unsigned char g[12], offer[3], pick, challenge[16], answer[16];
	bool vnc_ok = !cert || plain;
	uint32_t result;
	int minor;

	*what = "version";
	if (!put(v, "RFB 003.008\n", 12, c, err) || !get(v, g, 12, c, err))
		return NULL;
	if ((minor = rfb_minor(g)) < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("the viewer does not speak RFB"));
		return NULL;
	}
	*what = "security";
	if (minor == 3) {
		/* the server picks: only plain VNC authentication fits */
		if (!vnc_ok) {
			/* on the wire, where viewers expect ASCII */
			refuse(v, true, "This broker needs VeNCrypt (TLS): use remote-viewer or another viewer with VeNCrypt.", c);
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    _("the viewer speaks RFB 3.3, without VeNCrypt"));
			return NULL;
		}
		if (!put32(v, SEC_VNC, c, err))
			return NULL;
		pick = SEC_VNC;
	} else {
		offer[0] = 0;
		if (cert)
			offer[++offer[0]] = SEC_VENCRYPT;
		if (vnc_ok)
			offer[++offer[0]] = SEC_VNC;
		if (!put(v, offer, 1 + offer[0], c, err) || !get(v, &pick, 1, c, err))
			return NULL;
		if (!memchr(offer + 1, pick, offer[0])) {
			if (minor == 8)
				refuse(v, false, "Security type not offered", c);
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    _("the viewer asked for security type %u, which was not offered"), pick);
			return NULL;
		}
	}
	if (pick == SEC_VENCRYPT) {
		*what = "vencrypt";
		if (!(tls = vencrypt(v, cert, what, c, err)))
			return NULL;
		v = tls;
	}
	*what = "display";
	if (!display_login(d, challenge, c, err))
		return NULL;
	*what = "ticket";
	if (!put(v, challenge, 16, c, err))
		return NULL;
	if (!get(v, answer, 16, c, err)) {
		/* a viewer that does not trust the certificate hangs up once
		 * TLS is up, before it answers */
		if (tls && g_error_matches(*err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
			*what = "tls";
			g_clear_error(err);
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
				    _("the viewer hung up after the TLS handshake: it may not trust the broker's certificate"));
		}
		return NULL;
	}
	if (!put(d, answer, 16, c, err) || !get32(d, &result, c, err))
		return NULL;
	if (result != 0) {
		char reason[REASON_MAX + 1] = "";
		uint32_t n = 0;

		/* QEMU says why (RFB 3.8); the viewer hears it in its own version */
		if (get32(d, &n, c, NULL) && n <= REASON_MAX && get(d, reason, n, c, NULL))
			reason[n] = '\0';
		if (minor == 8)
			refuse(v, false, *reason ? reason : "Authentication failed", c);
		else
			put32(v, 1, c, NULL);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    _("the display refused the ticket"));
		return NULL;
	}
	if (!put32(v, 0, c, err))
		return NULL;
	*what = pick == SEC_VENCRYPT ? "vencrypt-x509" : "vnc";
	return tls ? g_steal_pointer(&tls) : g_object_ref(v);
}

/* ---- the follower ------------------------------------------------------- */

enum { RFB_VERSION, RFB_SECURITY, RFB_INIT, RFB_TYPE, RFB_HEADER, RFB_SKIP, RFB_LOST };

void rfb_input_init(struct rfb_input *r, bool handshake)
{
	memset(r, 0, sizeof *r);
	r->phase = handshake ? RFB_VERSION : RFB_INIT;
	r->need = 12;
}

/* The length of the header of a message of @type that tells its whole
 * length (the type byte included), or 0 for a type not followed. */
static size_t header_len(unsigned char type)
{
	switch (type) {
	case 0: return 20;   /* SetPixelFormat */
	case 2: return 4;    /* SetEncodings: n */
	case 3: return 10;   /* FramebufferUpdateRequest */
	case 4: return 8;    /* KeyEvent */
	case 5: return 6;    /* PointerEvent */
	case 6: return 8;    /* ClientCutText: length */
	case 150: return 10; /* EnableContinuousUpdates */
	case 248: return 9;  /* ClientFence: length */
	case 251: return 4;  /* xvp */
	case 252: return 8;  /* SetDesktopSize: screens */
	case 255: return 4;  /* QEMU: subtype, then its own */
	default: return 0;
	}
}

/* Once the header @h is in: the bytes of the body after it, and whether
 * the message is input; false for one not followed. */
static bool body_of(const unsigned char *h, uint64_t *rest, bool *input)
{
	*input = false;
	*rest = 0;
	switch (h[0]) {
	case 2: *rest = 4 * (uint64_t)be16(h + 2); break;
	case 4: case 5: *input = true; break;
	case 6: *rest = be32(h + 4); break;
	case 248: *rest = h[8]; break;
	case 252: *rest = 16 * (uint64_t)h[6]; break;
	case 255:
		if (h[1] == 0) {          /* extended key event: 12 in all */
			*rest = 8;
			*input = true;
		} else if (h[1] == 1) {   /* audio: operation in h[2..3] */
			*rest = be16(h + 2) == 2 ? 6 : 0;
		} else {
			return false;
		}
		break;
	default: break;
	}
	return true;
}

bool rfb_input_feed(struct rfb_input *r, const unsigned char *buf, size_t n)
{
	bool input = false;

	while (n > 0) {
		size_t take;

		switch (r->phase) {
		case RFB_LOST:
			return true;
		case RFB_SKIP:
			take = (size_t)MIN((uint64_t)n, r->skip);
			r->skip -= take;
			buf += take;
			n -= take;
			if (!r->skip)
				r->phase = r->after;
			continue;
		case RFB_VERSION:
		case RFB_HEADER:
			take = MIN(n, r->need - r->have);
			memcpy(r->h + r->have, buf, take);
			r->have += take;
			buf += take;
			n -= take;
			if (r->have < r->need)
				continue;
			r->have = 0;
			if (r->phase == RFB_VERSION) {
				if (memcmp(r->h, "RFB 003.", 8) != 0) {
					r->phase = RFB_LOST;
					continue;
				}
				/* 3.7 and 3.8: the viewer picks the security type;
				 * 3.3: the server did (QEMU with a password: VNC
				 * authentication, a 16-byte response) */
				if (memcmp(r->h + 8, "003", 3) == 0) {
					r->skip = 16;
					r->after = RFB_INIT;
					r->phase = RFB_SKIP;
				} else {
					r->phase = RFB_SECURITY;
				}
			} else {
				uint64_t rest;
				bool in;

				if (!body_of(r->h, &rest, &in)) {
					r->phase = RFB_LOST;
					continue;
				}
				input |= in;
				r->skip = rest;
				r->after = RFB_TYPE;
				r->phase = rest ? RFB_SKIP : RFB_TYPE;
			}
			continue;
		case RFB_SECURITY:
			if (buf[0] == 2) {        /* VNC authentication */
				r->skip = 16;
				r->after = RFB_INIT;
				r->phase = RFB_SKIP;
			} else if (buf[0] == 1) { /* none */
				r->phase = RFB_INIT;
			} else {
				r->phase = RFB_LOST;
			}
			buf++;
			n--;
			continue;
		case RFB_INIT:                    /* ClientInit: shared flag */
			buf++;
			n--;
			r->phase = RFB_TYPE;
			continue;
		case RFB_TYPE:
			if (!(r->need = header_len(buf[0]))) {
				r->phase = RFB_LOST;
				continue;
			}
			r->phase = RFB_HEADER;
			continue;
		}
	}
	return input;
}

/*
 * vdi-priv.h — what the files of vdi/ share and nothing outside uses.
 */
#pragma once

#include <gio/gio.h>

#include "vdi/vdi.h"

/* ticket.c: @len - 1 characters of @alphabet from the kernel's random
 * source, then a NUL, into @out. */
void vdi_random_token(char *out, size_t len, const char *alphabet);
/* Sets the VNC password of desktop @name, of the running guest or with
 * @config of its definition, to @password ("": nobody gets in) valid
 * until @valid_to (Unix time; 0: no expiry).  0 or -1. */
int vdi_console_password(struct engine *eng, const char *name, const char *password,
			 gint64 valid_to, bool config);
/* Gives desktop @name's definition a random VNC password, before it
 * starts.  0 or -1. */
int vdi_console_prepare(struct engine *eng, const char *name);
/* Locks desktop @name's display: only the broker's relay with a fresh
 * ticket gets in from now on.  0 or -1. */
int vdi_console_lock(struct engine *eng, const char *name);

/* portal.c: the portal's page and script. */
extern const char vdi_portal_html[];
extern const char vdi_portal_js[];

/* rfb.c: the RFB handshake between @viewer and @display, the broker in
 * the middle: VeNCrypt (TLS with @cert, then VNC authentication) when
 * @cert is given, plain VNC authentication without one or with @plain;
 * QEMU's challenge and the viewer's answer passed through.  Blocking
 * until done or @cancel is cancelled (the broker does after 30 s): run
 * on a thread.  The viewer's stream from then on
 * (a TLS connection over @viewer, or @viewer), its security in @what
 * ("vencrypt-x509" or "vnc"); NULL with the step that failed in @what
 * ("version", "security", "vencrypt", "tls", "display", "ticket") and
 * @err. */
GIOStream *rfb_handshake(GSocketConnection *viewer, GSocketConnection *display,
			 GTlsCertificate *cert, bool plain, GCancellable *cancel,
			 const char **what, GError **err);

/* rfb.c: the viewer's side of an RFB stream, followed for its input. */
struct rfb_input {
	int phase, after;
	unsigned char h[20];
	size_t have, need;
	uint64_t skip;
};
/* @handshake: the stream starts with the RFB handshake (a WebSocket's);
 * else with ClientInit, the broker having done the handshake. */
void rfb_input_init(struct rfb_input *r, bool handshake);
/* Feeds the next @n bytes the viewer sent; true when they held a key or
 * pointer event (or the stream could not be followed). */
bool rfb_input_feed(struct rfb_input *r, const unsigned char *buf, size_t n);

/* reconcile.c: the refreshes this process did, [0] from the ready
 * snapshot and [1] made anew: how many, and their seconds in all (the
 * overlay path's until the new desktop was made, not booted). */
void vdi_refresh_stats(guint64 *count, double *seconds);

/* desktop.c: appends @line to pool @pool's log, the time in front. */
void vdi_pool_log(const char *pool, const char *line);

/*
 * rfb.c — follows the viewer's side of an RFB (VNC) stream as the broker
 * relays it, to tell when its user last pressed a key or moved the mouse
 * (the pool's idle timer).  Viewers send framebuffer update requests all
 * the time, so bytes alone say nothing; the messages are told apart by
 * their type and length (RFC 6143 and QEMU's extensions), nothing else is
 * read.  A stream it cannot follow (another security type, a message it
 * does not know) is "lost": every byte then counts as input, so a desktop
 * is never taken for idle by mistake.
 */
#include "config.h"

#include <string.h>

#include "vdi/vdi-priv.h"

enum { RFB_VERSION, RFB_SECURITY, RFB_INIT, RFB_TYPE, RFB_HEADER, RFB_SKIP, RFB_LOST };

void rfb_input_init(struct rfb_input *r)
{
	memset(r, 0, sizeof *r);
	r->phase = RFB_VERSION;
	r->need = 12;
}

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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

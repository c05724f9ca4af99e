/*
 * png.c — a PNG file of an RGB image: signature, IHDR, one zlib-deflated
 * IDAT of unfiltered rows, IEND; zlib does the compression and the CRCs.
 */
#include "config.h"

#include <string.h>

#include <zlib.h>

#include "console-priv.h"
#include "i18n.h"

static void put32(GByteArray *b, uint32_t v)
{
	guint8 x[4] = { v >> 24, v >> 16, v >> 8, v };

	g_byte_array_append(b, x, 4);
}

static void chunk(GByteArray *b, const char *type, const guint8 *data, uint32_t len)
{
	uLong crc = crc32(0, (const Bytef *)type, 4);

	put32(b, len);
	g_byte_array_append(b, (const guint8 *)type, 4);
	if (len) {
		g_byte_array_append(b, data, len);
		crc = crc32(crc, data, len);
	}
	put32(b, (uint32_t)crc);
}

GBytes *console_png(const uint8_t *rgb, int w, int h)
{
	static const guint8 sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t row = (size_t)w * 3 + 1;
	g_autofree guint8 *raw = g_malloc(row * (size_t)h);
	uLongf zlen = compressBound((uLong)(row * (size_t)h));
	g_autofree guint8 *z = g_malloc(zlen);
	GByteArray *b = g_byte_array_new();
	guint8 ihdr[13];

	for (int y = 0; y < h; y++) {
		raw[row * (size_t)y] = 0; /* filter: none */
		memcpy(raw + row * (size_t)y + 1, rgb + (size_t)y * (size_t)w * 3, (size_t)w * 3);
	}
	if (compress2(z, &zlen, raw, (uLong)(row * (size_t)h), 6) != Z_OK) {
		core_error(CORE_ERR_FAILED, "%s", _("Cannot compress the screenshot"));
		g_byte_array_unref(b);
		return NULL;
	}
	g_byte_array_append(b, sig, sizeof(sig));
	ihdr[0] = (guint8)(w >> 24), ihdr[1] = (guint8)(w >> 16), ihdr[2] = (guint8)(w >> 8), ihdr[3] = (guint8)w;
	ihdr[4] = (guint8)(h >> 24), ihdr[5] = (guint8)(h >> 16), ihdr[6] = (guint8)(h >> 8), ihdr[7] = (guint8)h;
	ihdr[8] = 8;  /* bits per sample */
	ihdr[9] = 2;  /* colour type: RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	chunk(b, "IHDR", ihdr, sizeof(ihdr));
	chunk(b, "IDAT", z, (uint32_t)zlen);
	chunk(b, "IEND", NULL, 0);
	return g_byte_array_free_to_bytes(b);
}

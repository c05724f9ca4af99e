/*
 * thumb.c — a small picture of a VM's screen for the TUI's details pane:
 * libvirt's screenshot (QEMU's screendump, PNG or PPM) turned into cells
 * by render.c.  Blocking: the TUI runs it as a job, at most once a second
 * and only while the picture is shown.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "console/console-priv.h"
#include "core/i18n.h"
#include "core/engine.h"
#include "core/vm.h"
#include "console/render.h"

#define SHOT_MAX (64u << 20) /* bytes: 16384 × 1024 RGB is plenty */

/* The next number of a PPM header, after blanks and comments. */
static bool ppm_number(const uint8_t **p, const uint8_t *end, int *out)
{
	long v = 0;
	int digits = 0;

	while (*p < end && (g_ascii_isspace(**p) || **p == '#')) {
		if (**p == '#')
			while (*p < end && **p != '\n')
				(*p)++;
		else
			(*p)++;
	}
	while (*p < end && g_ascii_isdigit(**p) && digits < 6) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	if (!digits || *p >= end || !g_ascii_isspace(**p))
		return false;
	*out = (int)v;
	return true;
}

/* A binary PPM (P6, 8 bits) as RGBA; NULL when it is not one. */
static uint8_t *ppm_rgba(const uint8_t *d, size_t len, int *w, int *h)
{
	const uint8_t *p = d + 2, *end = d + len;
	int max;
	uint8_t *rgba;

	if (len < 2 || d[0] != 'P' || d[1] != '6' || !ppm_number(&p, end, w) ||
	    !ppm_number(&p, end, h) || !ppm_number(&p, end, &max) || max != 255 ||
	    *w <= 0 || *h <= 0 || *w > 16384 || *h > 16384)
		return NULL;
	p++; /* the one blank after maxval */
	if ((size_t)(end - p) < (size_t)*w * (size_t)*h * 3)
		return NULL;
	rgba = g_malloc((size_t)*w * (size_t)*h * 4);
	for (size_t i = 0, n = (size_t)*w * (size_t)*h; i < n; i++) {
		memcpy(rgba + i * 4, p + i * 3, 3);
		rgba[i * 4 + 3] = 0xff;
	}
	return rgba;
}

static GByteArray *screenshot(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup(eng, name);
	virStreamPtr st = NULL;
	GByteArray *data = NULL;
	g_autofree char *mime = NULL;
	char buf[65536];
	int n;

	if (!dom)
		return NULL;
	st = virStreamNew(engine_conn(eng), 0);
	if (!st || !(mime = virDomainScreenshot(dom, st, 0, 0))) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot take a screenshot of %s"), name);
		goto out;
	}
	if (strcmp(mime, "image/x-portable-pixmap") != 0 && strcmp(mime, "image/png") != 0) {
		core_error(CORE_ERR_FAILED, _("The screenshot of %s is in a format vmtui does not read (%s)"),
			   name, mime);
		virStreamAbort(st);
		goto out;
	}
	data = g_byte_array_new();
	while ((n = virStreamRecv(st, buf, sizeof(buf))) > 0) {
		if (data->len + (guint)n > SHOT_MAX) {
			core_error(CORE_ERR_FAILED, _("The screenshot of %s is too large"), name);
			virStreamAbort(st);
			g_clear_pointer(&data, g_byte_array_unref);
			goto out;
		}
		g_byte_array_append(data, (guint8 *)buf, (guint)n);
	}
	if (n < 0 || virStreamFinish(st) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read the screenshot of %s"), name);
		if (n < 0)
			virStreamAbort(st);
		g_clear_pointer(&data, g_byte_array_unref);
	}
out:
	if (st)
		virStreamFree(st);
	virDomainFree(dom);
	return data;
}

struct render_cell *console_thumbnail(struct engine *eng, const char *name,
				      int colors, int cols, int rows,
				      int *out_cols, int *out_rows)
{
	g_autoptr(GByteArray) shot = screenshot(eng, name);
	g_autofree uint8_t *rgba = NULL;
	struct render_cell *cells;
	struct render *r;
	int w, h, cw, ch;
	double s;

	if (!shot)
		return NULL;
	if (shot->len > 4 && memcmp(shot->data, "\x89PNG", 4) == 0) {
		rgba = console_png_rgba(shot->data, shot->len, 16384, &w, &h);
		if (!rgba)
			return NULL;
	} else if (!(rgba = ppm_rgba(shot->data, shot->len, &w, &h))) {
		core_error(CORE_ERR_FAILED, _("The screenshot of %s is not an image vmtui reads"), name);
		return NULL;
	}
	/* half blocks: a cell is two square pixels */
	s = MIN((double)cols / w, 2.0 * rows / h);
	cw = CLAMP((int)(w * s + 0.5), 1, cols);
	ch = CLAMP((int)(h * s / 2 + 0.5), 1, rows);
	r = render_new(colors >= 256 ? RENDER_256 : RENDER_16, 0, 0);
	cells = g_new(struct render_cell, (gsize)cw * (gsize)ch);
	render_cells(r, rgba, w, h, w * 4, cw, ch, cells);
	render_free(r);
	*out_cols = cw;
	*out_rows = ch;
	return cells;
}

/*
 * png.c — PNG images in and out, through libpng's simplified API: the
 * screenshots a user takes, and the ones QEMU hands over for the picture
 * of a screen in the TUI.
 */
#include "config.h"

#include <string.h>

#include <png.h>

#include "console/console-priv.h"
#include "core/i18n.h"

GBytes *console_png(const uint8_t *rgb, int w, int h)
{
	png_image img = { .version = PNG_IMAGE_VERSION, .width = (png_uint_32)w,
			  .height = (png_uint_32)h, .format = PNG_FORMAT_RGB };
	png_alloc_size_t len = 0;
	void *buf;

	if (!png_image_write_to_memory(&img, NULL, &len, 0, rgb, 0, NULL)) {
		core_error(CORE_ERR_FAILED, _("Cannot make a PNG image: %s"), img.message);
		return NULL;
	}
	buf = g_malloc(len);
	if (!png_image_write_to_memory(&img, buf, &len, 0, rgb, 0, NULL)) {
		core_error(CORE_ERR_FAILED, _("Cannot make a PNG image: %s"), img.message);
		g_free(buf);
		return NULL;
	}
	return g_bytes_new_take(buf, len);
}

uint8_t *console_png_rgba(const uint8_t *data, size_t len, int max_side, int *w, int *h)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	uint8_t *rgba;

	if (!png_image_begin_read_from_memory(&img, data, len)) {
		core_error(CORE_ERR_FAILED, _("Not a PNG image: %s"), img.message);
		return NULL;
	}
	if (img.width == 0 || img.height == 0 || img.width > (png_uint_32)max_side ||
	    img.height > (png_uint_32)max_side) {
		core_error(CORE_ERR_FAILED, _("A PNG image of %u×%u pixels is out of bounds"),
			   (unsigned)img.width, (unsigned)img.height);
		png_image_free(&img);
		return NULL;
	}
	img.format = PNG_FORMAT_RGBA;
	rgba = g_malloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, NULL, rgba, 0, NULL)) {
		core_error(CORE_ERR_FAILED, _("Cannot read a PNG image: %s"), img.message);
		png_image_free(&img);
		g_free(rgba);
		return NULL;
	}
	*w = (int)img.width;
	*h = (int)img.height;
	return rgba;
}

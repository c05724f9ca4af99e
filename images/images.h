/*
 * images.h — disk images vmtui did not make itself: what they are, told
 * safely, and the per-user image store.
 *
 * Safety first: an image from elsewhere is never handed to QEMU to probe.
 * Its format is told from its first bytes by vmtui (image_detect_format),
 * then `qemu-img info -f FORMAT --output=json` reads it with that format
 * given, under CPU and memory limits, never opening a backing file; an
 * image with a backing file or an external data file is refused unless
 * its backing image is itself in the store.  Every domain vmtui defines
 * names the format of each disk.
 *
 * All functions block (they run qemu-img or touch the disk): call them
 * from a job.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

/* What qemu-img says of an image. */
struct image_info {
	char *path;
	char *format;          /* "qcow2", "raw", "vmdk", "vdi", "vhdx" */
	uint64_t virtual_size; /* bytes the guest sees */
	uint64_t actual_size;  /* bytes it takes on the host's disk */
	char *backing;         /* backing file as written in the image, or NULL */
	char *backing_format;  /* its format, if the image names one */
	char *data_file;       /* qcow2 external data file, or NULL */
	bool encrypted;
	char *subformat;       /* vmdk: "streamOptimized", "monolithicSparse"... */
};

void image_info_free(struct image_info *info);
DEFINE_AUTOPTR(image_info, image_info_free)

/* The formats vmtui takes in: NULL-terminated, static. */
extern const char *const image_formats[];

/* Tells the format of the image at @path from its first bytes (qcow2,
 * vmdk, vdi, vhdx; anything else is "raw").  Static string, or NULL with
 * an error when the file cannot be read. */
const char *image_detect_format(const char *path);

/* Reads @path as @format (NULL: image_detect_format) with qemu-img, under
 * limits (30 s of CPU, 1 GiB of memory).  Returns the info, or NULL with
 * a specific error: not a readable file, not of that format, qemu-img
 * killed by the limits, or an absurd size. */
struct image_info *image_inspect(const char *path, const char *format);

/* image_inspect, then the checks every foreign image must pass: no
 * backing file (unless @allowed_backing is non-NULL and it names exactly
 * that file, which must be in the store), no data file, not encrypted.
 * NULL with an error naming what is wrong. */
struct image_info *image_inspect_safe(const char *path, const char *format,
				      const char *allowed_backing);

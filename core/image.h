/*
 * image.h — disk images vmtui did not make, told safely.
 */
#pragma once

#include "core/error.h"

/* ---- disk images from elsewhere -----------------------------------------
 *
 * An image vmtui did not make is never handed to QEMU to probe.  Its
 * format is told from its first bytes (image_detect_format) unless the
 * user named one, then `qemu-img info -f FORMAT --output=json` reads it
 * with that format given, under CPU and memory limits, never opening a
 * backing file; an image with a backing file, an external data file or
 * VMDK extents in other files is refused (vm_create does it for every
 * disk it did not make).  Every domain vmtui defines names the format of
 * each disk.  All of these block: call them from a job. */

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
	char *other_extent;    /* vmdk: the first extent kept in another file
				* than the image itself, or NULL */
};

void image_info_free(struct image_info *info);
DEFINE_AUTOPTR(image_info, image_info_free)

/* Whether @format is one vmtui takes in: qcow2, raw, vmdk, vdi, vhdx. */
bool image_format_known(const char *format);

/* Tells the format of the image at @path from its first bytes (qcow2,
 * vmdk, vdi, vhdx; anything else is "raw").  Static string, or NULL with
 * an error when the file cannot be read. */
const char *image_detect_format(const char *path);

/* What a VMDK file is: one self-contained file, or a descriptor (text,
 * or embedded in a sparse header without a capacity) that names extents
 * in other files, anywhere on the host.  Unreadable counts as the
 * latter. */
enum vmdk_kind { VMDK_SINGLE_FILE, VMDK_DESCRIPTOR, VMDK_EMBEDDED_DESCRIPTOR };
enum vmdk_kind image_vmdk_kind(const char *path);

/* Reads @path as @format (NULL: image_detect_format) with qemu-img, under
 * limits (30 s of CPU, 1 GiB of memory).  A VMDK that is not all in this
 * one file is refused before qemu-img would open the files it names.
 * Returns the info (caller frees with image_info_free), or NULL with a
 * specific error: not a readable file, not of that format, not a single
 * file, qemu-img killed by the limits, or an absurd size. */
struct image_info *image_inspect(const char *path, const char *format);

/* The checks of image_inspect_safe on what image_inspect said: no data
 * file or other extent, not encrypted, no backing file but
 * @allowed_backing (with a format).  0, or -1 with an error. */
int image_info_check(const struct image_info *info, const char *allowed_backing);

/* image_inspect, then the checks every foreign image must pass: no
 * backing file (unless @allowed_backing is non-NULL and it names exactly
 * that file, which must be in the store), no data file, not encrypted.
 * NULL with an error naming what is wrong. */
struct image_info *image_inspect_safe(const char *path, const char *format,
				      const char *allowed_backing);

/* The bytes of data converting the image @info tells of (image_inspect;
 * checked first) to qcow2 writes at most, from `qemu-img measure` (the
 * tables of an empty image of its size not counted), under the limits of
 * image_inspect.  A compressed image says here what it unpacks to.  0, or
 * -1 with an error. */
int image_data_size(const struct image_info *info, uint64_t *data);

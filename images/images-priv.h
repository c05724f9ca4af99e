/*
 * images-priv.h — internals of images/ shared between its files and its
 * unit tests.  Other modules include images.h only.
 */
#pragma once

#include "images/images.h"
#include "core/image.h"

/* fetch.c: downloads @url into the file @path, resuming from its current
 * size when it exists (an HTTP Range request).  Progress on @job goes
 * from @p0 to @p1.  0, or -1 with an error; on failure the partial file
 * is kept unless nothing could be written to it (the disk is full). */
int fetch_to_file(const char *url, const char *path, struct job *job,
		  double p0, double p1);
/* fetch.c: the body of @url (at most @max bytes) as a string; caller
 * frees.  NULL with an error. */
char *fetch_to_memory(const char *url, size_t max);

/* store.c: the hex SHA-256 that the SHA256SUMS text @sums gives for the
 * file named @file (GNU "HEX  NAME" or "HEX *NAME", and BSD "SHA256
 * (NAME) = HEX" lines); caller frees, NULL when it has none. */
char *image_sums_lookup(const char *sums, const char *file);
/* store.c: the image name a source suggests: its file name without the
 * compression and image suffixes ("debian-12.qcow2.xz" -> "debian-12");
 * caller frees. */
char *image_name_from_source(const char *source);

/* store.c: a file written from a stream (an image unpacked into staging,
 * a disk staged from an OVA).  All-zero pages are skipped, so it stays
 * sparse, and the file system is checked as it grows: it keeps [limits]
 * reserve free.  Start it zeroed, with @fd, @dir and @what set. */
struct sparse_file {
	int fd;
	const char *dir;   /* the folder it is in, for the space checks */
	const char *what;  /* what it is written from, for messages */
	uint64_t data;     /* bytes of data written (holes not counted) */
	uint64_t size;     /* its length so far */
	uint64_t room;     /* bytes it may write before the next check */
};
/* Appends the @n bytes at @buf.  0, or -1 with an error: not enough free
 * space beside the reserve, or the write failed. */
int sparse_write(struct sparse_file *f, const void *buf, size_t n);
/* Gives the file its length (a hole at its end too) and, with @sync,
 * puts it on the disk.  0 or -1 with an error. */
int sparse_finish(struct sparse_file *f, bool sync);
/* store.c: checks what the image @info (image_inspect: a staged file)
 * unpacks to when it is converted to qcow2 in the folder @dir: at most
 * [limits] expansion times the space the file takes here (a
 * streamOptimized VMDK is compressed), and room for it beside [limits]
 * reserve.  @what names it in messages.  0, or -1 with an error. */
int image_check_unpacked(const struct image_info *info, const char *what, const char *dir);

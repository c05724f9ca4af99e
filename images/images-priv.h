/*
 * images-priv.h — internals of images/ shared between its files and its
 * unit tests.  Other modules include images.h only.
 */
#pragma once

#include "images.h"

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

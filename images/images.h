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
	char *other_extent;    /* vmdk: the first extent kept in another file
				* than the image itself, or NULL */
};

void image_info_free(struct image_info *info);
DEFINE_AUTOPTR(image_info, image_info_free)

/* The formats vmtui takes in: NULL-terminated, static. */
extern const char *const image_formats[];
/* Whether @format is one of them. */
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
 * limits (30 s of CPU, 1 GiB of memory).  Returns the info, or NULL with
 * a specific error: not a readable file, not of that format, qemu-img
 * killed by the limits, or an absurd size. */
struct image_info *image_inspect(const char *path, const char *format);

/* The checks of image_inspect_safe on what image_inspect said: no data
 * file or other extent, not encrypted, no backing file but
 * @allowed_backing (with a format).  0, or -1 with an error. */
int image_info_check(const struct image_info *info, const char *allowed_backing);

/* image_inspect, then the checks every foreign image must pass: no
 * backing file (unless @allowed_backing is non-NULL and it names exactly
 * that file, which must be in the store), no data file, not encrypted,
 * and for vmdk all data in the one file (a text descriptor, whose
 * extents name other files such as /dev/sda, is refused before qemu-img
 * would open them).
 * NULL with an error naming what is wrong. */
struct image_info *image_inspect_safe(const char *path, const char *format,
				      const char *allowed_backing);

/* ---- the image store ---------------------------------------------------
 *
 * core_data_dir()/images holds one file NAME.FORMAT per image and beside
 * it NAME.json, its metadata (written atomically; an image is in the
 * store once its metadata is).  Imports build the image in .staging/ and
 * rename it into place, so a failure or a crash never leaves a half image
 * under a name.  A download that was cut off stays in .staging/ and the
 * next import of the same URL resumes it. */

struct image_entry {
	char *name;
	char *path;            /* absolute path of the image file */
	char *format;          /* never re-detected: what the import found */
	char *source;          /* path or URL it was imported from */
	char *sha256;          /* of the image file as stored */
	char *source_sha256;   /* of the source, when a checksum was verified */
	uint64_t virtual_size;
	uint64_t actual_size;  /* bytes on the host's disk at import */
	uint64_t file_size;
	gint64 imported;       /* Unix time */
	char *backing;         /* name of the store image it builds on, or NULL */
	char **dependants;     /* what uses it ("template:lab"), NULL-terminated */
};

void image_entry_free(struct image_entry *e);
DEFINE_AUTOPTR(image_entry, image_entry_free)

struct image_import_opts {
	const char *name;      /* NULL: from the source's file name */
	const char *format;    /* NULL: told from the first bytes */
	const char *convert;   /* NULL, or "qcow2" */
	const char *sha256;    /* expected SHA-256 of the source (hex) */
	const char *sums;      /* a SHA256SUMS file: a path or an http(s) URL */
	const char *backing;   /* a store image this qcow2 overlay builds on */
};

/* The store's folder (caller frees). */
char *image_store_dir(void);

/* Whether @source is an http:// or https:// URL. */
bool image_source_is_url(const char *source);

/* Imports @source (a local path or an http(s) URL, possibly compressed
 * with xz, gzip, zstd or bzip2) into the store.  With opts->backing, a
 * qcow2 overlay is taken and made to build on that store image.  Reports progress on @job
 * (may be NULL) and stops when it is cancelled.  Returns the new entry
 * (caller frees) or NULL with an error; on failure nothing is left in the
 * store or its staging folder, except a cut-off download, kept to resume. */
struct image_entry *image_import(const char *source,
				 const struct image_import_opts *opts,
				 struct job *job);

/* The images in the store, sorted by name: a GPtrArray of struct
 * image_entry (free with g_ptr_array_unref), or NULL with an error. */
GPtrArray *image_list(void);

/* The store's entry named @name (caller frees), or NULL with
 * CORE_ERR_NOT_FOUND. */
struct image_entry *image_lookup(const char *name);

/* What depends on the image @name (templates, clones): a NULL-terminated
 * list (caller frees with g_strfreev), empty when nothing does; NULL with
 * an error when there is no such image. */
char **image_dependants(const char *name);
/* Records that @who (e.g. "template:lab") uses @name, or that it stopped;
 * 0, or -1 with an error. */
int image_dependant_add(const char *name, const char *who);
int image_dependant_remove(const char *name, const char *who);

/* Removes the image @name and its metadata; refused (CORE_ERR_STATE,
 * naming them) while anything depends on it.  0 or -1. */
int image_delete(const char *name);

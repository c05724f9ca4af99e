/*
 * images.h — disk images vmtui did not make itself: the per-user image
 * store, OVA import and export.  Telling what an image is, safely
 * (image_inspect_safe and the rest), lives in core (core/image.h), which every
 * VM's disk goes through too.
 *
 * All functions block (they run qemu-img or touch the disk): call them
 * from a job.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/engine.h"

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
	char **dependants;     /* what its metadata says uses it, NULL-terminated */
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

/* What a file is, from its bytes: a disk image (anything not below), an
 * OVA (a tar whose first entry is an .ovf), another tar archive ("ustar"
 * at byte 257) or an ISO 9660 image ("CD001" at byte 32769). */
enum image_kind { IMAGE_KIND_DISK, IMAGE_KIND_OVA, IMAGE_KIND_TAR, IMAGE_KIND_ISO };
/* The kind of the file @path; IMAGE_KIND_DISK when it cannot be read
 * (reading it later says why). */
enum image_kind image_kind_of(const char *path);
/* 0 when @path (imported as @source) is a disk image, else -1 with
 * CORE_ERR_USAGE saying what it is and which command takes it. */
int image_check_not_archive(const char *path, const char *source);

/* Imports @source (a local path or an http(s) URL, possibly compressed
 * with xz, gzip, zstd or bzip2) into the store.  With opts->backing, a
 * qcow2 overlay is taken and made to build on that store image.  An OVA,
 * an ISO or another archive is refused (image_check_not_archive).  Reports progress on @job
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

/* What depends on the image @name in the store: the images that build
 * on it ("image:NAME") and what its metadata lists.  A NULL-terminated
 * list (caller frees with g_strfreev), empty when nothing does; NULL with
 * an error when there is no such image. */
char **image_dependants(const char *name);

/* Removes the image @name, its metadata and its user records; refused
 * (CORE_ERR_STATE, naming them) while anything depends on it: what
 * image_dependants lists, and the VMs whose disk it is (file_users: those
 * of @eng, recorded or not, and those recorded on other engines, each
 * with its engine).  The store records the VMs made on an image with it
 * (file_users_track at import).  0 or -1. */
int image_delete(struct engine *eng, const char *name);

/*
 * ova.h — OVA import and export: a VM from an .ova another hypervisor
 * (VirtualBox, VMware, virt-v2v, vmtui) wrote, and an .ova of a shut-off
 * VM that those can read.
 *
 * An OVA comes from elsewhere and is hostile until proven otherwise: the
 * tar is read with libarchive's tar reader only, each entry checked
 * before anything is written (regular files with flat, plain names, each
 * once); only the files the OVF references are written, by vmtui itself,
 * with openat(O_EXCL|O_NOFOLLOW) into a private staging folder; the OVF
 * is parsed with libxml2 without DTDs, entities or network; the manifest
 * digests are checked; every disk passes image_inspect_safe() before
 * qemu-img converts it (always with -f).
 *
 * The parsing and checking half (ovf.c) works on buffers and has no
 * engine, so the fuzz target drives it directly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/vm.h"

/* Bounds on what an OVA may hold: anything past them is refused (and
 * past the [limits] disks and disk-size, core_limits()). */
#define OVF_MAX_BYTES (1 << 20)          /* the .ovf descriptor */
#define OVA_MAX_MANIFEST (1 << 20)       /* the .mf manifest */
#define OVA_MAX_ENTRIES 1000             /* tar entries */
#define OVF_MAX_VCPUS 1024
#define OVF_MAX_MEMORY_MIB (UINT64_C(16) << 20) /* 16 TiB */

/* A disk of the OVF's DiskSection, in the order the hardware lists them. */
struct ovf_disk {
	char *id;        /* ovf:diskId */
	char *href;      /* the file it is stored in (References/File@href) */
	uint64_t capacity; /* bytes, 0 when the OVF gives none */
	char *bus;       /* "virtio", "sata" (vmtui's names) */
};

/* What vmtui takes from an OVF descriptor. */
struct ovf_desc {
	char *name;        /* VirtualSystem/Name or @ovf:id, or NULL */
	char *description; /* VirtualSystem/Annotation or NULL */
	int version;       /* 1 or 2 (the envelope namespace) */
	unsigned vcpus;
	uint64_t memory_mib;
	enum vm_firmware firmware;
	GPtrArray *files;  /* every References/File@href (char *) */
	GPtrArray *disks;  /* struct ovf_disk */
	unsigned nics;
	char *nic_model;   /* of the first NIC, libvirt's name; NULL: none */
};

void ovf_desc_free(struct ovf_desc *d);
DEFINE_AUTOPTR(ovf_desc, ovf_desc_free)

/* Parses an OVF 1.x or 2.x descriptor of @len bytes.  Refuses a DOCTYPE,
 * more than OVF_MAX_BYTES, an href that is not a plain file name, a disk
 * whose file is not referenced, more disks than [limits] disks, a disk
 * larger than [limits] disk-size, and absurd numbers.  Returns the
 * description (free with ovf_desc_free) or NULL with an error naming the
 * problem. */
struct ovf_desc *ovf_parse(const char *buf, size_t len);

/* Checks one tar entry's header: @name, @type (AE_IFREG, AE_IFLNK, ...
 * as archive_entry_filetype gives it), @hardlink (archive_entry_hardlink,
 * may be NULL), @size.  @seen, when non-NULL, holds the names already met
 * (the name is added).  Returns true, or false with an error of the form
 * `OVA entry "NAME": WHAT: refused`. */
bool ova_entry_check(const char *name, unsigned type, const char *hardlink,
		     int64_t size, GHashTable *seen);

struct archive_entry;
/* ova_entry_check on @e's header, which must also not be a sparse file
 * (libarchive would unpack its holes): what both passes over an OVA
 * check of each entry. */
bool ova_archive_entry_check(struct archive_entry *e, GHashTable *seen);

/* Checks a file name an OVF or a manifest gives (@what says which):
 * one plain path component, no scheme, no "..".  true, or false with an
 * error naming it. */
bool ova_name_check(const char *what, const char *name);

/* One digest of a manifest line: "SHA256(disk.vmdk)= hex". */
struct ova_digest {
	char *file;
	char *algo;  /* "SHA1" or "SHA256" */
	char *hex;   /* lower case */
};

/* Parses a .mf manifest.  Returns an array of struct ova_digest (free
 * with g_ptr_array_unref) or NULL with an error naming the bad line. */
GPtrArray *ova_manifest_parse(const char *buf, size_t len);

/* What the first pass over an OVA found: the descriptor and manifest (read
 * into memory) and the size of every entry. */
struct ova_scan {
	char *ovf_name;
	char *ovf;          /* its bytes, NUL-terminated */
	size_t ovf_len;
	char *mf_name;      /* NULL: the OVA has no manifest */
	char *mf;
	size_t mf_len;
	GHashTable *sizes;  /* entry name -> gint64 * */
	struct ovf_desc *desc;
	GPtrArray *digests; /* struct ova_digest, or NULL */
};

void ova_scan_free(struct ova_scan *s);
DEFINE_AUTOPTR(ova_scan, ova_scan_free)

/* Reads an OVA held in memory (@buf, @len) as the import's first pass
 * does: checks every entry, reads, parses and cross-checks the OVF and
 * the manifest.  Returns the scan or NULL with an error.  This is what the
 * fuzz target drives. */
struct ova_scan *ova_scan_memory(const void *buf, size_t len);
/* The same for the open regular file @fd (named @path in messages), read
 * from its current offset. */
struct ova_scan *ova_scan_fd(int fd, const char *path);

/* The checking and converting half of an import: reads the OVA at @path
 * with every check above and converts its disks to qcow2, without
 * defining anything.  Returns a spec (caller frees) holding the OVF's
 * name (or @name when non-NULL), description and hardware, and its disks
 * (owned; blank ones without a path).  With @base non-NULL the OVA must
 * hold exactly one disk, converted to @base (which must not exist; a
 * template's base); otherwise each disk gets a new file in DATA/disks
 * named after the VM.  NULL with an error; then nothing is left: no
 * staging, no disk. */
struct vm_spec *ova_unpack(const char *path, const char *name, const char *base,
			   struct job *job);

/* Imports the OVA at @path as a new VM named @name (NULL: the OVF's
 * name).  Stages the referenced files in a private folder under the data
 * dir, checks them, converts each disk to qcow2 in DATA/disks and defines
 * the VM (disks owned by it).  On failure or cancel nothing is left:
 * no staging, no disk, no definition.  Returns 0 and sets *@made_name
 * (caller frees), or -1 with an error. */
int ova_import(struct engine *eng, const char *path, const char *name,
	       struct job *job, char **made_name);

/* Writes @spec, whose disks are files here, to @path: an OVF 1.0
 * descriptor of its hardware, every disk but CD-ROMs as streamOptimized
 * VMDK (a backing chain folded in) and a SHA256 manifest, in a tar
 * written to a temporary file and renamed into place.  Something at
 * @path is refused before the work (CORE_ERR_USAGE): a regular file
 * unless @replace, anything else (a symbolic link, a device, a FIFO, a
 * folder) always.  0 or -1 with an error; a failed or cancelled write
 * leaves @path as it was. */
int ova_write(const struct vm_spec *spec, const char *path, bool replace, struct job *job);

/* Exports the shut-off VM @name to @path with ova_write. */
int ova_export(struct engine *eng, const char *name, const char *path, bool replace,
	       struct job *job);

/* Builds the OVF 1.0 descriptor for @spec whose disks are stored in
 * @hrefs (one per non-CD-ROM disk, with @sizes their file sizes and
 * @capacities their virtual sizes).  Caller frees. */
char *ovf_build(const struct vm_spec *spec, char *const *hrefs,
		const uint64_t *sizes, const uint64_t *capacities);

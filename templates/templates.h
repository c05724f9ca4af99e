/*
 * templates.h — VM templates and lab provisioning.
 *
 * A template is a read-only base image (qcow2, mode 0444) with a manifest
 * (XML) under DATA/templates/NAME/.  Provisioning makes VMs from it: a
 * qcow2 overlay on the base (a linked clone) or a full copy, a fresh UUID
 * and MAC, and a cloud-init NoCloud seed ISO carrying the hostname, user,
 * keys and packages.  Each VM records its template and its intended lab
 * address in its domain <metadata>.
 *
 * A provisioning run keeps a journal (core's journal_new, in DATA/journal/)
 * of what it creates; an interrupted run is rolled back at the next start
 * (journal_recover), so no disk, seed or definition is left orphaned.
 *
 * Everything here blocks (qemu-img, libvirt, disk): call it from a job.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/vm.h"

/* ---- manifests ----------------------------------------------------------- */

struct template {
	char *name;
	char *dir;           /* DATA/templates/NAME */
	char *base;          /* DATA/templates/NAME/base.qcow2 */
	unsigned version;    /* bumped by every edit */
	char *description;
	char *created;       /* ISO 8601 */
	char *source;        /* "vm:NAME" or "image:PATH" */
	char *os_variant;
	/* hardware profile */
	unsigned vcpus;
	uint64_t memory_mib;
	enum vm_firmware firmware;
	char *disk_bus;
	char *nic_model;     /* NULL: no NIC */
	char *kernel, *initrd, *cmdline; /* copies in dir, for direct boot */
	uint64_t disk_bytes; /* virtual size of the base */
	char *network;       /* default network of its VMs ("nat") */
	/* cloud-init defaults */
	char *user;
	GPtrArray *ssh_keys; /* of char *, one line each */
	GPtrArray *packages; /* of char * */
	bool sudo;           /* the user gets administrator rights */
	/* what template_create found inside the base: machine-id, host keys */
	char *warnings;      /* newline-separated, or NULL */
	char *broken;        /* template_list: why its manifest cannot be
			      * used (then only name, dir and base are set) */
};

void template_free(struct template *t);
/* "2 vCPUs, 1024 MiB, bios firmware, virtio disk, NIC virtio" for @t;
 * caller frees. */
char *template_hardware_text(const struct template *t);
DEFINE_AUTOPTR(template, template_free)

/* DATA/templates; caller frees. */
char *templates_dir(void);
/* Checks a template name (letters, digits, '-', '_', '.', not leading
 * '.' or '-', at most 64).  false with an error recorded. */
bool template_name_valid(const char *name);
/* Checks every field of @t with the rules of the commands that set it
 * (the OS variant as `create --os`, texts with core_text_valid, user,
 * keys and packages with the seed checks, a known disk bus and NIC model,
 * counts and sizes in range).  0, or -1 with a usage error. */
int template_check(const struct template *t);
/* Loads template @name and checks it (template_check).  NULL with
 * CORE_ERR_NOT_FOUND, or an error saying what is wrong with its
 * manifest. */
struct template *template_load(const char *name);
/* Checks @t (template_check) and writes its manifest atomically.  0 or
 * -1 (nothing written). */
int template_save(const struct template *t);
/* All templates, sorted by name (struct template *, free with unref),
 * with those whose manifest cannot be used among them, ->broken set. */
GPtrArray *template_list(void);

/* ---- making, editing, deleting ------------------------------------------- */

struct template_source {
	const char *vm;      /* a shut-off VM */
	const char *image;   /* or an image of the store (its name), or a file
			      * from elsewhere (a path) */
	const char *ova;     /* or an OVA holding one disk */
	const char *description;
};

/* Makes template @name from @src.  Any warning about the base (a
 * machine-id, SSH host keys, what could not be checked) goes to
 * @report (caller frees).  Returns the template or NULL. */
struct template *template_create(struct engine *eng, const char *name,
				 const struct template_source *src,
				 struct job *job, char **report);
/* Copies @kernel (and @initrd, may be NULL) into @t's folder under new
 * names, for VMs made from it to boot directly; VMs made before keep the
 * files they boot.  The caller saves @t.  0 or -1 (nothing copied). */
int template_set_kernel(struct template *t, const char *kernel, const char *initrd);
/* Writes template @name to @path as an OVA (ova_write, replacing a
 * regular file there only with @replace): its manifest's hardware and its
 * base.  An OVF cannot carry a kernel to boot directly: for such a
 * template the OVA holds the disk and hardware only and @report (caller
 * frees; NULL otherwise) says so.  0 or -1. */
int template_export_ova(const char *name, const char *path, bool replace, struct job *job,
			char **report);
/* Names of the VMs whose disks depend on template @name: linked clones,
 * whose overlay has the base as backing file (full copies do not), on
 * @eng and recorded with the template by other engines (file_users;
 * those as "NAME on URI").  Caller frees (g_ptr_array).  NULL with an
 * error when the engine cannot be read. */
GPtrArray *template_dependants(struct engine *eng, const char *name);
/* The same for every template of @list (struct template) at once: adds
 * to @users, for each, the names of its dependants (a GPtrArray of
 * char *, @eng's first; give @users a free function that unrefs them).
 * 0, or -1 with an error when the engine cannot be read. */
int template_users(struct engine *eng, const GPtrArray *list, GPtrArray *users);
/* Deletes template @name, also one whose manifest is broken, unless VMs
 * depend on it on any engine (then the error lists them with their
 * engines, CORE_ERR_STATE).  0 or -1. */
int template_delete(struct engine *eng, const char *name);

/* Looks for cloned-identity files inside the qcow2 base image @base:
 * /etc/machine-id and /etc/ssh/ssh_host_*_key on an ext2/3/4 file system
 * (whole disk), with debugfs on a read-only FUSE export of it
 * (qemu-storage-daemon) on @staging/probe.raw, both under limits; nothing
 * is copied, and a file is read only when it is small.  Returns the
 * warnings (caller frees), "" when clean, or a sentence saying what could
 * not be checked and why. */
char *template_check_identity(const char *base, const char *staging);

/* ---- cloud-init ---------------------------------------------------------- */

struct seed {
	const char *instance_id;
	const char *hostname;
	const char *user;
	const char *password_hash;
	GPtrArray *ssh_keys;     /* of char * */
	GPtrArray *packages;     /* of char * */
	const char *user_data;   /* user-supplied #cloud-config to merge */
	const char *mac;         /* NIC for network-config, or NULL */
	bool sudo;               /* the user may run anything as root */
};

/* RFC 1123 host name: labels of letters, digits and '-', not starting or
 * ending with '-', each ≤ 63, total ≤ 253.  false with an error. */
bool seed_hostname_valid(const char *hostname);
/* A POSIX-portable user name ([a-z_][a-z0-9_-]*, ≤ 32). */
bool seed_user_valid(const char *user);
/* One OpenSSH public key line, "TYPE BASE64 [COMMENT]": a type of
 * ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521,
 * sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com
 * (ssh-dss is refused, saying why), a base64 body that decodes to the
 * length-prefixed strings of that type's key (the first the type, the
 * second an ECDSA key's curve), and a comment of printable characters
 * (core_char_printable: no line separator).  false with an error. */
bool seed_ssh_key_valid(const char *key);
/* A crypt(3) hash ("$6$..." and friends): printable ASCII, no spaces. */
bool seed_password_hash_valid(const char *hash);
/* Hashes @password for --password-hash: SHA-512 crypt with a fresh salt.
 * Caller frees; NULL with an error. */
char *seed_hash_password(const char *password);
/* A package name (Debian/RPM characters). */
bool seed_package_valid(const char *pkg);
/* Splits a comma-separated package list into @out (char *, may be NULL
 * to only check) after checking each.  false with an error. */
bool seed_packages_parse(const char *text, GPtrArray *out);
/* Reads a user-data file (core_read_file: a regular file, never a FIFO
 * or a device): at most 1 MiB of valid UTF-8 text without NUL or control
 * characters but tab, CR and LF, starting with "#cloud-config" (then it
 * must parse as YAML; the error names the line) or "#!".  Caller frees;
 * NULL with a usage error. */
char *seed_read_user_data(const char *path);
/* Reads an SSH public key file (at most 64 KiB, read as core_read_file
 * does): each line not empty or a '#' comment a key (seed_ssh_key_valid;
 * the error names the line).  Adds them to @keys; false with a usage
 * error. */
bool seed_read_ssh_keys(const char *path, GPtrArray *keys);

/* The three files of the seed; each caller frees. */
char *seed_meta_data(const struct seed *s);
char *seed_user_data(const struct seed *s);
char *seed_network_config(const struct seed *s);
/* Writes the NoCloud seed ISO (ISO 9660 + Rock Ridge + Joliet, volume id
 * "cidata") to @path with libarchive, once libyaml has parsed each of its
 * YAML files (meta-data, network-config, vmtui's and the user's
 * #cloud-config part).  0 or -1 (no file left). */
int seed_write_iso(const char *path, const struct seed *s);

/* ---- provisioning -------------------------------------------------------- */

/* Expands a name pattern: "lab-{01..20}" gives lab-01 ... lab-20 (width
 * of the numbers kept from the first one); a name without braces with
 * @count > 1 gets "-1".."-N" appended.  NULL with an error. */
GPtrArray *provision_expand_names(const char *pattern, unsigned count);

struct provision_opts {
	const char *template_name;
	GPtrArray *names;        /* of char *: the VMs to make */
	bool full;               /* full copies instead of overlays */
	bool start;
	const char *hostname;    /* only for a single VM; else the VM names */
	const char *user;        /* NULL: the template's */
	const char *password_hash;
	GPtrArray *ssh_keys;     /* NULL or empty: the template's */
	GPtrArray *packages;     /* NULL: the template's */
	const char *user_data;   /* text to merge, already checked */
	GPtrArray *nets;         /* of char *: --net modes; NULL: the
				  * template's NIC on nat */
	GPtrArray *forwards;     /* of char *: --forward guest ports, each
				  * VM's nat NIC gets a host port for each
				  * (NET_FWD_PROVISION_BASE); NULL: none */
	int sudo;                /* 1: the user gets administrator rights,
				  * 0: not, -1: as the template says */
	bool graphics;           /* a graphical console also for a template
				  * that boots a kernel directly */
};

/* Provisions @opts->names from the template, as one job.  Progress goes
 * to @job; cancel stops before the next VM and rolls back the VM in
 * progress.  VMs made before a failure are kept.  @report (caller
 * frees) says what was made and, on failure, what failed.  0 or -1. */
int provision_run(struct engine *eng, const struct provision_opts *opts,
		  struct job *job, char **report);

/* Names of the VMs matching the glob @pattern, sorted.  Caller frees. */
GPtrArray *lab_match(struct engine *eng, const char *pattern);
/* Deletes the VMs @names (forcing running ones off) with the disks and
 * seeds vmtui made for them.  @report lists what went.  0 or -1. */
int lab_delete(struct engine *eng, GPtrArray *names, struct job *job,
	       char **report);

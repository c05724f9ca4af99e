/*
 * core.h — the public interface of vmtui's core: errors, configuration and
 * paths, the engine connection, the domain model, the job runner and the
 * VM operations.  Nothing here touches the terminal; the TUI, the command
 * line and the tests all sit on top of this header.
 *
 * Threading: engine_open() starts libvirt's event loop on its own thread.
 * Every function that calls libvirt may block on a guest's QEMU monitor and
 * belongs on a job worker (job_submit), never on a UI thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <libvirt/libvirt.h>

/* Scoped cleanup for our structs (no typedefs, so not g_autoptr):
 * DEFINE_AUTOPTR(vm_spec, vm_spec_free) then autoptr(vm_spec) x = ...; */
#define DEFINE_AUTOPTR(name, func) \
	static inline void name##_autoptr_cleanup(struct name **p) \
	{ \
		func(*p); \
	}
#define autoptr(name) \
	__attribute__((cleanup(name##_autoptr_cleanup))) struct name *

/* ---- errors ------------------------------------------------------------ */

/* Error classes; they double as the documented exit codes of the CLI. */
enum core_err {
	CORE_OK = 0,
	CORE_ERR_FAILED = 1,    /* the operation failed */
	CORE_ERR_USAGE = 2,     /* bad command line or invalid input */
	CORE_ERR_NOT_FOUND = 3, /* no such VM (or other named object) */
	CORE_ERR_STATE = 4,     /* the VM is in the wrong state for this */
	CORE_ERR_ENGINE = 5,    /* engine unavailable: locked, unreachable */
	CORE_ERR_TIMEOUT = 6,   /* the guest or QEMU did not answer in time */
	CORE_ERR_CANCELLED = 7, /* the user cancelled the job */
};

/* Records a translated, specific message for the calling thread, replacing
 * any earlier one.  Lower layers call it once, where the failure happens. */
void core_error(enum core_err code, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);
/* Like core_error(), with libvirt's last error appended after ": ". */
void core_error_virt(enum core_err code, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);
/* The calling thread's last message ("" if none); owned by core. */
const char *core_error_message(void);
enum core_err core_error_code(void);
void core_error_clear(void);
/* Moves this thread's error into another thread's slot (used by jobs). */
void core_error_restore(enum core_err code, const char *message);

/* ---- files and paths ------------------------------------------------- */

/* $XDG_DATA_HOME/vmtui, or /var/lib/vmtui for root.  Caller frees. */
char *core_data_dir(void);
/* $XDG_CONFIG_HOME/vmtui.  Caller frees. */
char *core_config_dir(void);
/* Writes @len bytes to @path atomically: temporary file in the same
 * directory, fsync, rename, fsync of the directory.  Creates missing parent
 * directories (mode 0700).  Returns 0, or -1 with an error recorded. */
int core_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode);
/* Writes all @len bytes to @fd, retrying short and interrupted writes.
 * 0, or -1 with errno set (nothing recorded). */
int core_write_all(int fd, const void *data, size_t len);
/* Creates @path and its parents with @mode; 0 or -1 with an error. */
int core_mkdir_p(const char *path, mode_t mode);
/* A file name made of @name's plain characters (letters, digits, '-',
 * '_', '.' not leading; others become '_'), at most 64 bytes: for the
 * files vmtui names after a VM or template.  Caller frees. */
char *core_file_stem(const char *name);
/* A path for a new file of @name in DATA/disks (made if missing):
 * "STEM[-TAG].EXT", STEM from core_file_stem.  With @reserve the file is
 * created empty (O_EXCL, O_NOFOLLOW, 0600) so the name is the caller's,
 * "-N" added before the extension while a name is taken; without, the
 * path is only named (the caller's @tag makes it unique).  Caller frees;
 * NULL with an error. */
char *disk_new_path(const char *name, const char *tag, const char *ext, bool reserve);

/* Bounded reads: core_read_file's @flags. */
enum { CORE_READ_NOFOLLOW = 1 << 0 /* refuse a symbolic link */ };
/* Reads the regular file @path whole when it holds at most @max bytes
 * (@what names it in messages, e.g. _("SSH key file")).  Type and size
 * are checked on the open file before anything is read: a folder, a FIFO
 * or a device is refused (never waited on), and a file that grows past
 * @max while it is read is refused too.  Returns its bytes with a NUL
 * after them (caller frees; their number in *@len, may be NULL), or NULL
 * with an error: CORE_ERR_NOT_FOUND when it does not exist,
 * CORE_ERR_USAGE when it is not a regular file or too large. */
char *core_read_file(const char *path, size_t max, unsigned flags, const char *what,
		     size_t *len);
/* Copies the regular file @src (at most @max bytes, checked as
 * core_read_file does, streamed) to the new file @dst (O_EXCL, never
 * through a symbolic link), synced, with @mode.  0, or -1 with an error
 * and @dst removed. */
int core_copy_file(const char *src, const char *dst, uint64_t max, const char *what,
		   mode_t mode);
/* The start time of process @pid in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it is not running: with the pid, it names a
 * process that a later one reusing the pid is not taken for. */
guint64 core_process_start(long pid);
/* "4.0 MiB", "16.0 TiB" (IEC units, a plain space); caller frees. */
char *core_format_size(uint64_t bytes);
/* Whether the file system of @dir has room for @need more bytes while
 * keeping [limits] reserve free.  0, or -1 with an error naming @what
 * (what is being written), what it needs and what is free. */
int core_space_check(const char *dir, uint64_t need, const char *what);

/* ---- configuration ----------------------------------------------------- */

enum accel_mode { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct core_config {
	char *uri;          /* NULL: the embedded engine */
	char *engine_root;  /* root of the embedded engine */
	enum accel_mode accel;
	int op_timeout;     /* seconds a CLI waits for a libvirt call */
	int shutdown_timeout; /* seconds an ACPI shutdown may take */
	char *pool;         /* storage pool for new disks on daemon URIs */
	int refresh;        /* [ui] seconds between stats refreshes */
	bool mouse;         /* [ui] mouse clicks and wheel in the TUI */
	int console_escape; /* [console] escape: the console menu's byte */
	char *console_graphics; /* [console] graphics: a graphics_mode name
				 * (VMTUI_GRAPHICS wins) */
	char **log_folders; /* [console] log-folders: more folders whose serial
			     * logs the TUI may open (NULL-terminated) */
	char *path;         /* file it was read from (may not exist) */
	/* "key = value" groups the TUI interprets, in file order, each a
	 * GPtrArray of struct core_pair: [hosts] label = URI (more hosts to
	 * show), [keys] action = key, [colors] element = colours */
	GPtrArray *hosts, *keys, *colors;
};

struct core_pair {
	char *key;
	char *value;
};

/* Bounds on what others (guests, images, OVAs) can make vmtui spend;
 * each a documented setting (vmtui(1), FILES), read by core_config_load. */
struct core_limits {
	uint64_t log_size;  /* [console] log-size: bytes a VM's serial log
			     * keeps (the oldest output goes first) */
	uint64_t reserve;   /* [limits] reserve: bytes imports and copies
			     * leave free on their file system */
	unsigned disks;     /* [limits] disks: disks an imported VM may have */
	uint64_t disk_size; /* [limits] disk-size: the largest disk an import
			     * may declare or unpack to */
	unsigned expansion; /* [limits] expansion: times the data of a
			     * compressed image may outgrow its download */
	uint64_t boot_file; /* [limits] boot-file: the largest kernel or
			     * initrd copied into a template */
};
/* The limits in effect (the defaults until a config is loaded); static. */
const struct core_limits *core_limits(void);

/* Reads the config file (or @path), then VMTUI_URI, VMTUI_ACCEL and
 * VMTUI_ENGINE_ROOT.  Returns NULL with an error on a malformed file.
 * Free with core_config_free(). */
struct core_config *core_config_load(const char *path);
void core_config_free(struct core_config *cfg);
DEFINE_AUTOPTR(core_config, core_config_free)
/* Parses "auto", "kvm" or "tcg"; -1 on anything else. */
int accel_mode_parse(const char *s);
const char *accel_mode_name(enum accel_mode mode);
/* The graphical console's output modes; auto lets it choose. */
enum graphics_mode {
	GRAPHICS_AUTO, GRAPHICS_KITTY, GRAPHICS_SIXEL, GRAPHICS_TRUECOLOR,
	GRAPHICS_256, GRAPHICS_16,
};
/* The mode named @s ("auto", "kitty", "sixel", "truecolor", "256", "16"),
 * or -1. */
int graphics_mode_parse(const char *s);
/* Its name, as above; static. */
const char *graphics_mode_name(enum graphics_mode mode);

/* ---- validation -------------------------------------------------------- */

/* What vmtui accepts, for the command line, the forms and the checks. */
#define VM_MAX_VCPUS 255
#define VM_MIN_MEMORY_MIB 16
/* seconds: [engine] timeout, shutdown-timeout and the options like them */
#define CORE_TIMEOUT_MAX 3600
/* VMs one provisioning run (a lab) may make */
#define LAB_MAX_VMS 1000

/* Checks a VM name: 1–64 characters of valid UTF-8, no control characters,
 * no '/', not starting with '.', '-' or a space, not ending in a space.
 * Returns true, or false with an error recorded (CORE_ERR_USAGE). */
bool core_name_valid(const char *name);
/* Checks free text for a description: valid UTF-8, at most 64 KiB, no
 * control characters but tab and newline. */
bool core_text_valid(const char *what, const char *text);
/* Checks a file path a user gave: non-empty UTF-8 without control
 * characters (XML attributes cannot carry tabs or newlines exactly). */
bool core_path_valid(const char *what, const char *path);
/* Parses the decimal whole number @text within [@lo, @hi] into *@out.
 * false with an error naming @what (e.g. "--timeout"). */
bool core_parse_int(const char *what, const char *text, long long lo, long long hi,
		    long long *out);
/* Parses a size such as "512M", "20G", "1.5T" or "4096" (MiB when
 * @default_unit is 'M').  Returns bytes, or 0 with an error recorded. */
uint64_t core_parse_size(const char *text, char default_unit);

struct vm_boot;
/* Parses a boot order a user typed: devices separated by commas, first
 * tried first, each at most once.  Devices are "hd" (alias "disk"),
 * "cdrom" (alias "cd") and "network" (aliases "net", "pxe"), in any
 * case, with spaces around items ignored.  Fills @out and returns true,
 * or returns false with an error recorded (CORE_ERR_USAGE) naming the
 * unknown, repeated or empty item. */
bool core_parse_boot(const char *text, struct vm_boot *out);

/* ---- what may reach a terminal ------------------------------------------
 *
 * Strings from elsewhere (VM and image names, descriptions, OVF fields,
 * guest addresses, libvirt's messages) pass through here before they are
 * written to a terminal: text output through core_printable, JSON output
 * through json_escape. */

/* Whether @c may be written to a terminal as itself: no C0 or C1 control,
 * no DEL, no line separator, noncharacter or invisible format character
 * (bidirectional overrides among them). */
bool core_char_printable(gunichar c);
/* @s (may be NULL) with every character core_char_printable refuses
 * written as an escape ("\x1b", "\u202e"), and every byte that is not
 * UTF-8 as "\xNN"; newlines and tabs are kept when @multiline.  Caller
 * frees. */
char *core_printable(const char *s, bool multiline);
/* Appends @s (NULL: "") to @out as a JSON string: quotes, backslashes and
 * every character core_char_printable refuses escaped as \uXXXX, bytes
 * that are not UTF-8 as U+FFFD. */
void json_escape(GString *out, const char *s);

/* ---- accelerator probe ------------------------------------------------- */

struct kvm_probe {
	bool dev_present;   /* /dev/kvm exists */
	bool dev_usable;    /* it opened read-write */
	bool runs_guest;    /* a tiny guest ran to its HLT in time */
	char detail[256];   /* what failed, for doctor */
};

/* Runs a few instructions in a real KVM vCPU, with a 2 s watchdog, to tell
 * whether KVM works here (on some nested hosts it hangs).  Result cached
 * for the process. */
const struct kvm_probe *kvm_probe(void);

/* ---- engine ------------------------------------------------------------ */

struct engine;

/* Process-wide libvirt set-up, once: error handler, log file, event loop
 * implementation.  Call before any other libvirt function (engine_open
 * does), or libvirt starts logging to stderr. */
void engine_init_libvirt(void);

/* Opens the engine named by @cfg: the embedded QEMU driver (writing its
 * qemu.conf first) unless cfg->uri names another.  Starts the event loop
 * thread.  Returns NULL with a specific error (a locked embedded root names
 * the process holding it).  Free with engine_close(). */
struct engine *engine_open(const struct core_config *cfg);
/* The same for @uri (NULL: the embedded engine).  Without @may_ask, libvirt
 * asks no credentials on the terminal (the TUI owns it). */
struct engine *engine_open_uri(const struct core_config *cfg, const char *uri,
			       bool may_ask);
/* Waits until libvirt has finished reconnecting to running guests (closing
 * the embedded driver earlier would make it kill them), then closes.
 * Returns -1 when a guest never settled (a frozen QEMU): the driver is then
 * left open and the caller should leave the process with _exit(). */
int engine_close(struct engine *eng);
virConnectPtr engine_conn(struct engine *eng);
const char *engine_uri(struct engine *eng);
bool engine_is_embedded(struct engine *eng);
bool engine_is_test(struct engine *eng);
/* True when the engine's guests run on this host (embedded, qemu:///). */
bool engine_is_local(struct engine *eng);
/* The accelerator new and started guests use on this engine. */
enum accel_mode engine_accel(struct engine *eng);
/* Embedded root directory, or NULL for other URIs. */
const char *engine_root(struct engine *eng);
/* Waits until libvirt is done reconnecting to @dom (its monitor is free);
 * returns 0, or -1 with CORE_ERR_TIMEOUT after @timeout_ms. */
int engine_wait_settled(struct engine *eng, virDomainPtr dom, int timeout_ms);
/* Same for every running domain. */
int engine_wait_all_settled(struct engine *eng, int timeout_ms);
/* Wall-clock µs at which the running VM @name was started, read from its
 * QEMU pid file on a local engine; 0 when that cannot be known. */
gint64 engine_vm_started(struct engine *eng, const char *name);

/* Callback for domain lifecycle events; runs on the event-loop thread and
 * must only record state and wake its owner. */
typedef void (*engine_event_cb)(const char *uuid, int event, int detail,
				void *opaque);
void engine_set_event_cb(struct engine *eng, engine_event_cb cb, void *opaque);

/* PID of the process holding the embedded root at @root, or 0 if free. */
long engine_lock_holder(const char *root);

/* ---- guests' logs ---------------------------------------------------------
 *
 * The serial log of a VM of the embedded engine (DATA/logs/UUID-serial.log)
 * and QEMU's own log (ROOT/log/qemu/NAME.log) grow with what the guest
 * prints.  A keeper process (vmtui LOGS_KEEPER_COMMAND) keeps each under
 * [console] log-size while any guest of the engine runs, with or without
 * a vmtui running, by cutting the oldest output off. */

#define LOGS_KEEPER_COMMAND "__keep-logs"
/* DATA/logs; caller frees. */
char *logs_dir(void);
/* Lets logs_keeper_ensure start keepers: only the vmtui program, which
 * runs logs_keeper_main for LOGS_KEEPER_COMMAND, calls it. */
void logs_keeper_enable(void);
/* Starts the keeper for @eng's guests unless one runs or no guest does
 * (nothing for other engines).  0, or -1 with an error (the guests are
 * not affected). */
int logs_keeper_ensure(struct engine *eng);
/* The keeper: `vmtui LOGS_KEEPER_COMMAND LOGDIR ROOT BYTES` (@argv[0] is
 * the command).  Returns when no guest of ROOT has run for a while. */
int logs_keeper_main(int argc, char **argv);
/* Cuts the oldest output off the log open on @fd when it takes more than
 * @cap bytes on disk, keeping about the newest half: collapsing the
 * range, else punching a hole, else emptying it.  1 when it cut, 0 when
 * it was small enough, -1 on error. */
int logs_trim(int fd, uint64_t cap);
/* Opens the serial log @path for reading: only a regular file (no
 * symbolic link, FIFO or device; never waits), only in DATA/logs or one
 * of @folders (NULL-terminated, may be NULL: [console] log-folders).  The
 * descriptor, or -1 with an error saying why. */
int serial_log_open(const char *path, char *const *folders);

/* ---- journals of runs that make large files -----------------------------
 *
 * A run that makes files (an OVA import or export, an image import, a
 * provisioning run) records each one in its journal (DATA/journal/) after
 * creating it empty and before filling it; if the process dies, the next
 * vmtui removes them (journal_recover), except those of a VM the run got
 * defined. */

struct journal;
/* A journal for a run of @kind (an N_() phrase such as N_("ova import"),
 * translated in reports) that defines its VMs, if any, on the engine
 * @uri (NULL: it defines none).  Nothing is written before
 * journal_save.  Free with journal_end. */
struct journal *journal_new(const char *kind, const char *uri);
/* Records @path, a file or a folder of files the run made, to be removed
 * if the run dies, unless @uuid is non-NULL and the VM of that UUID got
 * defined on the journal's engine.  In memory until journal_save. */
void journal_add(struct journal *j, const char *uuid, const char *path);
/* Writes the journal as it stands, atomically and synced; 0, or -1 with
 * an error. */
int journal_save(struct journal *j);
/* The run is over and has removed or kept its files itself: removes the
 * journal and frees @j (may be NULL). */
void journal_end(struct journal *j);
DEFINE_AUTOPTR(journal, journal_end)
/* Removes what runs that died left, from every journal this vmtui can
 * handle: those of runs without an engine, and with @eng (may be NULL)
 * also those of runs on it, keeping the files of the VMs it has.
 * @report (caller frees, may be NULL) says what was removed and kept, or
 * is NULL when nothing was.  Returns the number of journals handled. */
int journal_recover(struct engine *eng, char **report);

/* ---- job runner -------------------------------------------------------- */

struct job;
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

/* A job's work; runs on a worker thread.  Returns 0, or -1 with an error
 * recorded (core_error).  It polls job_cancelled() where it can stop. */
typedef int (*job_fn)(struct job *job, void *data);

/* Queues @fn(@data) on a worker.  @free_data (may be NULL) frees @data when
 * the job is released.  Returns a reference the caller releases with
 * job_unref(). */
struct job *job_submit(const char *title, job_fn fn, void *data,
		       GDestroyNotify free_data, bool cancellable);
struct job *job_ref(struct job *job);
void job_unref(struct job *job);
DEFINE_AUTOPTR(job, job_unref)

/* From inside the job: report progress (0..1) and a short message. */
void job_progress(struct job *job, double fraction, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
bool job_cancelled(struct job *job);
/* Sets a result string the job hands back (taken over). */
void job_set_result(struct job *job, char *result);

/* From the owner: request cancellation (ignored when not cancellable). */
void job_cancel(struct job *job);
/* Waits up to @timeout_ms (-1: forever) for the job to finish.  Returns
 * true when it finished. */
bool job_wait(struct job *job, int timeout_ms);
enum job_state job_get_state(struct job *job);
/* Copies of the progress message and the result/error; caller frees. */
double job_get_progress(struct job *job, char **message);
char *job_get_result(struct job *job);
enum core_err job_get_error(struct job *job, char **message);
const char *job_title(struct job *job);
/* The data given to job_submit(); owned by the job. */
void *job_data(struct job *job);
/* A descriptor that becomes readable whenever any job changes state or
 * progress; drain it with job_notify_drain(). */
int job_notify_fd(void);
void job_notify_drain(void);

/* ---- VM description ---------------------------------------------------- */

enum vm_firmware { FIRMWARE_BIOS, FIRMWARE_UEFI };

struct vm_disk {
	char *path;
	char *format;     /* "qcow2", "raw", ... never probed */
	char *bus;        /* "virtio", "sata", "ide" */
	bool cdrom;
	bool readonly;
	bool owned;       /* created by vmtui: removed with the VM */
	uint64_t capacity; /* bytes, when known */
	char *backing;    /* qcow2 overlay: its backing image (a template's
			   * base), written as an explicit <backingStore>
			   * so libvirt never probes the chain */
	char *backing_format;
};

/* Devices the firmware can boot from, as in libvirt's <os><boot dev=…>. */
enum vm_boot_dev { BOOT_HD, BOOT_CDROM, BOOT_NETWORK, BOOT_FD };
#define BOOT_DEV_COUNT 4

/* A boot order: @dev[0] is tried first; each device appears at most once.
 * n == 0 means "not set" (libvirt's or domxml_build's default). */
struct vm_boot {
	unsigned n;
	enum vm_boot_dev dev[BOOT_DEV_COUNT];
};

/* libvirt's name of a boot device ("hd", "cdrom", "network", "fd"), for
 * XML and JSON; static, never translated. */
const char *vm_boot_dev_id(enum vm_boot_dev dev);
/* The device's name for people ("hard disk", ...), translated; static. */
const char *vm_boot_dev_label(enum vm_boot_dev dev);

/* What `create` builds and what `info` shows. */
struct vm_spec {
	char *name;
	char *uuid;        /* set after define or parse */
	char *description;
	char *os_variant;  /* libosinfo short id, e.g. "debian12" */
	char *domain_type; /* "kvm", "qemu" or "test" */
	unsigned vcpus;
	unsigned max_vcpus;
	uint64_t memory_mib;
	uint64_t max_memory_mib;
	enum vm_firmware firmware;
	GPtrArray *disks;  /* of struct vm_disk */
	char *kernel, *initrd, *cmdline;
	char *nic_model;   /* NULL: no network interface */
	char *mac;
	bool graphics;     /* VNC on 127.0.0.1 */
	int vnc_port;      /* live port, -1 if none */
	char *vnc_listen;  /* address it listens on, when known */
	char *serial_log;  /* file the serial console is copied to */
	char *disk_bus;    /* default bus for new disks */
	struct vm_boot boot; /* read from <os><boot> or derived from the
			      * devices' <boot order>; n == 0 when unset */
	char *template_name; /* <metadata>: the template it was provisioned
			      * from (its disk is an overlay on that base) */
	char *lab_address;   /* <metadata>: its intended lab address */
};

struct vm_spec *vm_spec_new(void);
void vm_spec_free(struct vm_spec *spec);
DEFINE_AUTOPTR(vm_spec, vm_spec_free)
struct vm_disk *vm_spec_add_disk(struct vm_spec *spec, const char *path,
				 const char *format, bool cdrom);

/* Builds domain XML for @spec with libxml2 (every user value goes in as a
 * text node or attribute).  Returns the XML (caller frees) or NULL with an
 * error recorded. */
char *domxml_build(const struct vm_spec *spec);
/* Parses libvirt domain XML into a new spec.  NULL with an error on
 * malformed XML. */
struct vm_spec *domxml_parse(const char *xml);

/* ---- OS defaults ------------------------------------------------------- */

struct os_defaults {
	unsigned vcpus;
	uint64_t memory_mib;
	uint64_t disk_bytes;
	const char *disk_bus;
	const char *nic_model;
	char *name;        /* human name of the OS, caller frees via fini */
};
/* Fills @out for @variant (NULL: generic Linux).  Returns 0, or -1 with a
 * usage error when @variant is no short id (1 to 64 letters, digits, '.',
 * '-', '_' or '+') or libosinfo does not know it.  Falls back to built-in
 * defaults when vmtui was built without libosinfo. */
int os_defaults_get(const char *variant, struct os_defaults *out);
void os_defaults_fini(struct os_defaults *out);
/* "short-id\tName" for each OS libosinfo knows whose id or name contains
 * @search (NULL: all), sorted; empty without libosinfo. */
GPtrArray *os_list(const char *search);

/* ---- domain model ------------------------------------------------------ */

struct vm_row {
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *name;
	int state;           /* virDomainState */
	int reason;
	bool settling;       /* libvirt still reconnecting to it */
	bool persistent;
	bool autostart;
	unsigned vcpus;
	uint64_t mem_kib;     /* current balloon */
	uint64_t max_mem_kib;
	uint64_t used_kib;    /* guest memory in use: what the guest's balloon
			       * driver reports, else QEMU's resident size */
	unsigned nics;        /* network interfaces */
	char *ip;             /* first guest address found, or NULL */
	gint64 ip_checked;    /* monotonic µs of the last address lookup */
	gint64 started;       /* wall-clock µs it started, 0 if unknown */
	unsigned host;        /* for a UI showing several hosts: which one */
	uint64_t cpu_ns;
	double cpu_pct;       /* of one host CPU, since the last refresh */
	uint64_t rd_bytes, wr_bytes, rx_bytes, tx_bytes;
	double rd_rate, wr_rate, rx_rate, tx_rate; /* bytes per second */
};

struct model;
/* A model of the engine's domains, kept current by lifecycle events and
 * model_refresh().  Free with model_free(). */
struct model *model_new(struct engine *eng);
void model_free(struct model *m);
/* Re-reads all domains and their stats in one bulk call.  Blocking: call it
 * from a worker.  0, or -1 with an error. */
int model_refresh(struct model *m);
/* Copy of the rows, sorted by name; free with g_ptr_array_unref(). */
GPtrArray *model_rows(struct model *m);
/* Calls @notify (on the event-loop thread, so it must only wake its
 * owner, e.g. write to a pipe) after a lifecycle event changed the rows. */
void model_set_notify(struct model *m, void (*notify)(void *opaque),
		      void *opaque);
/* The last lifecycle events of the VM @uuid, oldest first, as
 * "HH:MM:SS event" lines (at most 50); caller frees with g_strfreev. */
char **model_events(struct model *m, const char *uuid);
/* Generation counter: changes whenever rows change. */
unsigned model_generation(struct model *m);
void vm_row_free(struct vm_row *row);

/* True for the states in which a VM has a QEMU (running, paused,
 * blocked): it has consoles, a screen, a live definition. */
bool vm_state_active(int state);
/* Label of a libvirt domain state, translated. */
const char *vm_state_label(int state);
/* Stable English id of a state for JSON and scripts ("running", ...). */
const char *vm_state_id(int state);
/* Stable English id of a lifecycle event ("started", "stopped shutdown"). */
const char *vm_event_id(int event, int detail);

/* ---- VM operations (blocking; run them as jobs) ------------------------- */

/* Looks up a VM by name or UUID.  NULL with CORE_ERR_NOT_FOUND. */
virDomainPtr vm_lookup(struct engine *eng, const char *name);

/* Creates the disks @spec asks for (entries with owned set and no file yet
 * get a new qcow2 of their capacity) and defines the VM.  On any failure
 * nothing is left behind.  Returns 0 or -1. */
int vm_create(struct engine *eng, struct vm_spec *spec, struct job *job);
int vm_start(struct engine *eng, const char *name);
/* Sends an ACPI power-button request and waits up to @timeout_s for the
 * guest to power off; CORE_ERR_TIMEOUT when it ignores the request. */
int vm_shutdown(struct engine *eng, const char *name, int timeout_s,
		struct job *job);
int vm_destroy(struct engine *eng, const char *name);
int vm_reboot(struct engine *eng, const char *name);
int vm_reset(struct engine *eng, const char *name);
int vm_suspend(struct engine *eng, const char *name);
int vm_resume(struct engine *eng, const char *name);
/* Removes the definition; with @remove_disks also the disks vmtui created
 * (other images are kept and listed in the result).  A running VM is
 * refused unless @force, which powers it off first. */
int vm_delete(struct engine *eng, const char *name, bool remove_disks,
	      bool force, char **report);
int vm_rename(struct engine *eng, const char *name, const char *new_name);
/* Checks @vcpus and @mem_mib (0: not given) against vmtui's limits and
 * @eng's host (NULL: vmtui's limits only), as create and vm_set do, for
 * anything that will make VMs of that size.  0, or -1 with a usage error
 * saying which limit. */
int vm_check_resources(struct engine *eng, unsigned vcpus, uint64_t mem_mib);
/* Changes vCPUs, memory (0: leave), the description (NULL: leave, "":
 * remove) and/or the boot order (NULL: leave; see core_parse_boot).
 * Applies live when running and possible, and always to the persistent
 * definition.  A new boot order replaces both forms libvirt knows (the
 * devices' <boot order> and <os><boot>) with <os><boot> elements, and
 * only reaches a running guest at its next power cycle.  *@needs_restart
 * tells whether part of it waits for one. */
int vm_set(struct engine *eng, const char *name, unsigned vcpus,
	   uint64_t memory_mib, const char *description,
	   const struct vm_boot *boot, bool *needs_restart);
/* Parsed description of a VM (live when running).  Caller frees. */
struct vm_spec *vm_describe(struct engine *eng, const char *name,
			    int *state, int *reason);
/* Domain XML; caller frees. */
char *vm_dumpxml(struct engine *eng, const char *name, bool inactive);

/* ---- files VMs share -----------------------------------------------------
 *
 * A file vmtui keeps for VMs to share (an image of the store, a
 * template's base) has a folder of user records beside it, FILE.users/,
 * made by its owner: vm_create records there each VM that uses the file,
 * as its disk or as its disk's backing file (the engine's URI, the VM's
 * name and its disk, under the VM's UUID), vm_delete removes the record.
 * So VMs of other engines (another embedded root, qemu:///session) are
 * counted too.  Local engines only: the paths are this machine's. */

struct file_user {
	char *uri;   /* the engine the VM is defined on */
	char *name;
	char *uuid;
	bool here;   /* on the engine file_users asked */
};
void file_user_free(struct file_user *u);

/* Starts recording the users of @file (makes its folder; nothing when it
 * exists).  0, or -1 with an error. */
int file_users_track(const char *file);
/* Removes @file's records and their folder, once the file goes. */
void file_users_untrack(const char *file);
/* The users of each of the @n @files: the VMs of @eng that use it,
 * recorded or not, then the VMs recorded on other engines whose disk
 * still exists.  A record of a VM of @eng that is gone or no longer uses
 * the file, of a disk that is gone, or that cannot be read is dropped.
 * Sets @users[i] to a GPtrArray of struct file_user (caller unrefs),
 * @eng's first, then by engine and name.  0, or -1 with an error when
 * @eng's VMs cannot be listed.  Blocking. */
int file_users(struct engine *eng, const char *const *files, guint n, GPtrArray **users);
/* @users (struct file_user, as file_users sorts them) for a message,
 * naming each one's engine: "lab-1, lab-2 on URI; lab-01 on
 * qemu:///session".  Caller frees. */
char *file_users_text(const GPtrArray *users);

/* ---- helper programs ----------------------------------------------------
 *
 * Every program vmtui runs (qemu-img, qemu-storage-daemon, debugfs) goes
 * through core_run: an argv array, never a shell; limits on memory
 * (always), CPU and wall time; a bounded amount of its output kept; it
 * dies with the thread that started it and stops when its job is
 * cancelled.  Blocking: call it from a job. */

struct run_opts {
	struct job *job;     /* cancelling it stops the program (SIGTERM,
			      * then SIGKILL) */
	uint64_t max_memory; /* bytes of address space; 0: 1 GiB */
	int max_cpu_s;       /* seconds of CPU; 0: no limit */
	int max_wall_s;      /* seconds before it is killed; 0: no limit */
	size_t max_output;   /* bytes of standard output taken; 0: 1 MiB.
			      * A program that prints more is killed and
			      * the run fails */
};

/* Runs @argv (argv[0] the program, looked up in PATH without a '/';
 * NULL-terminated) under @o (NULL: the defaults).  Returns its standard
 * output (caller frees), its wait status in *@status and the first 64 KiB
 * of its standard error appended to @err (may be NULL); NULL with an
 * error when it could not start, was cancelled (CORE_ERR_CANCELLED),
 * printed too much or ran out of time (CORE_ERR_TIMEOUT).  How it exited
 * is the caller's to judge. */
char *core_run_status(const char *const *argv, const char *what,
		      const struct run_opts *o, int *status, GString *err);
/* The same, and a program that did not exit with 0 is an error naming
 * @what and what it said on standard error.  Caller frees. */
char *core_run(const char *const *argv, const char *what, const struct run_opts *o);
/* A helper that serves a mount while vmtui works with it
 * (qemu-storage-daemon exporting an image as a file over FUSE). */
struct run_mount;
/* Starts @argv under @o's limits on memory and CPU and its job, as
 * core_run does, and waits until it has mounted something on
 * @mountpoint (as /proc/self/mountinfo says: the path itself is not
 * asked, which would wait on the helper), at most @o->max_wall_s seconds
 * (0: 30).  Returns the running helper (stop it with core_run_unmount),
 * or NULL with an error: it could not start, ended first (what it said
 * on standard error), took too long or was cancelled. */
struct run_mount *core_run_mount(const char *const *argv, const char *what,
				 const struct run_opts *o, const char *mountpoint);
/* Stops the helper (SIGTERM, then SIGKILL after 2 s), waits for it and
 * detaches its mount if it left it behind; NULL is fine. */
void core_run_unmount(struct run_mount *m);
/* Detaches whatever is mounted on @path, lazily (a FUSE mount whose
 * helper died answers nothing but must go before its file can): with
 * umount2 as root, with fusermount3 -u -z otherwise.  Nothing when
 * nothing is mounted there. */
void core_unmount(const char *path);
/* core_run for qemu-img (@argv without the program's name). */
char *core_qemu_img(const char *const *argv, const char *what,
		    const struct run_opts *o);

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

/* ---- host checks ------------------------------------------------------- */

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };
struct check {
	enum check_status status;
	char *title;  /* what was checked */
	char *detail; /* what was found and, if not OK, what to do */
};
/* Runs the host checks for @cfg (opens no engine that is locked).  Returns
 * an array of struct check (free with g_ptr_array_unref). */
GPtrArray *doctor_run(const struct core_config *cfg);

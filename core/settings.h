/*
 * settings.h — the user's configuration (vmtui.conf and VMTUI_*) and the
 * limits on what others can make vmtui spend.
 */
#pragma once

#include "core/error.h"

/* ---- configuration ----------------------------------------------------- */

enum accel_mode { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct core_config {
	char *uri;          /* NULL: the embedded engine */
	char *local_uri;    /* the host named "local": uri as the file and
			     * VMTUI_URI set it, before any -c */
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
	int console_text;   /* [console] text: an enum console_text */
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

/* The name of the host vmtui uses without -c ([engine] uri, or the
 * embedded engine). */
#define CORE_LOCAL_HOST "local"
/* The host @name names: "local", a label of [hosts], or a libvirt URI
 * (anything with a ':').  *@uri gets its URI (NULL: the embedded
 * engine), *@label its name (the URI itself for one not in [hosts]);
 * both may be NULL, callers free.  0, or -1 with CORE_ERR_NOT_FOUND
 * naming the hosts there are. */
int core_config_host(const struct core_config *cfg, const char *name,
		     char **uri, char **label);
/* Whether @label may name a host: 1 to 32 letters, digits, '-', '_' or
 * '.', and not "local".  false with an error. */
bool core_host_label_ok(const char *label);
/* Sets [hosts] @label = @uri in the config file (@uri NULL: removes the
 * entry), keeping its comments and other settings, and in @cfg.  0, or
 * -1 with an error (the file is then unchanged). */
int core_config_set_host(struct core_config *cfg, const char *label, const char *uri);

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
/* When the graphical console draws a text screen as characters: auto
 * (when nearly all of it reads as text), on (always), off (never). */
enum console_text { CONSOLE_TEXT_AUTO, CONSOLE_TEXT_ON, CONSOLE_TEXT_OFF };
/* The setting named @s ("auto", "on", "off"), or -1. */
int console_text_parse(const char *s);

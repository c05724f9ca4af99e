/*
 * names.h — the rules for what users and others hand vmtui: names, text,
 * paths, sizes, numbers, boot orders, and what may reach a terminal.
 */
#pragma once

#include "core/error.h"

/* ---- validation -------------------------------------------------------- */

/* What vmtui accepts, for the command line, the forms and the checks. */
#define VM_MAX_VCPUS 255
#define VM_MIN_MEMORY_MIB 16
/* seconds: [engine] timeout, shutdown-timeout and the options like them */
#define CORE_TIMEOUT_MAX 3600
/* VMs one provisioning run (a lab) may make */
#define LAB_MAX_VMS 1000
/* seconds: the longest a watch of events (`vmtui events --timeout`) may run */
#define EVENTS_TIMEOUT_MAX (7 * 24 * 3600)

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

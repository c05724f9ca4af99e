/*
 * error.h — errors as every module records and reads them (one message per thread,
 * set where a failure is understood), and the scoped-cleanup macros.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

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

/*
 * error.c — per-thread "last error" for core and the feature modules.
 *
 * A failing function records one translated message where the failure is
 * understood and returns -1/NULL; callers up the stack pass it on without
 * adding their own, and the top (CLI or TUI) shows it once.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "core/error.h"
#include "core/i18n.h"

static __thread char err_msg[1024];
static __thread enum core_err err_code;

/* Stores a formatted message in this thread's slot. */
static void set_message(enum core_err code, const char *fmt, va_list ap,
			const char *suffix)
{
	int n = vsnprintf(err_msg, sizeof err_msg, fmt, ap);

	if (n < 0)
		err_msg[0] = '\0';
	if (suffix && *suffix && n >= 0 && (size_t)n < sizeof err_msg)
		snprintf(err_msg + n, sizeof err_msg - n, ": %s", suffix);
	err_code = code;
}

void core_error(enum core_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(code, fmt, ap, NULL);
	va_end(ap);
}

void core_error_virt(enum core_err code, const char *fmt, ...)
{
	virErrorPtr verr = virGetLastError();
	char suffix[700] = "";
	va_list ap;

	if (verr && verr->message) {
		snprintf(suffix, sizeof suffix, "%s", verr->message);
		/* A few libvirt failures have a better class than the caller's
		 * guess; keep the caller's message but fix the code. */
		switch (verr->code) {
		case VIR_ERR_NO_DOMAIN:
			code = CORE_ERR_NOT_FOUND;
			break;
		case VIR_ERR_OPERATION_TIMEOUT:
		case VIR_ERR_AGENT_UNRESPONSIVE:
			code = CORE_ERR_TIMEOUT;
			break;
		case VIR_ERR_OPERATION_INVALID:
			code = CORE_ERR_STATE;
			break;
		default:
			break;
		}
	}
	va_start(ap, fmt);
	set_message(code, fmt, ap, suffix);
	va_end(ap);
}

const char *core_error_message(void)
{
	return err_msg;
}

enum core_err core_error_code(void)
{
	return err_code;
}

void core_error_clear(void)
{
	err_msg[0] = '\0';
	err_code = CORE_OK;
}

void core_error_restore(enum core_err code, const char *message)
{
	snprintf(err_msg, sizeof err_msg, "%s", message ? message : "");
	err_code = code;
}

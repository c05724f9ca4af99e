/*
 * tap.h — the few TAP helpers our C tests need (Test Anything Protocol,
 * read by automake's tap-driver.sh).
 */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

/* Records one test result; returns @ok so callers can add diagnostics. */
static inline int G_GNUC_PRINTF(2, 3) tap_ok(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
	return ok;
}

static inline void G_GNUC_PRINTF(1, 2) tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define tap_is_str(got, want, ...) \
	(tap_ok(g_strcmp0((got), (want)) == 0, __VA_ARGS__) || \
	 (tap_diag("got:  \"%s\"", (got) ? (got) : "(null)"), \
	  tap_diag("want: \"%s\"", (want) ? (want) : "(null)"), 0))

/* Prints the plan at the end and returns the exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

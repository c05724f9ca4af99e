/*
 * keys.h — terminal input as keys and pointer events (keys.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

enum {
	KEYS_SHIFT_L = 0xffe1,
	KEYS_CONTROL_L = 0xffe3,
	KEYS_ALT_L = 0xffe9,
};

/* Linux input key codes (linux/input-event-codes.h), for
 * virDomainSendKey; letters and digits are their XT codes (keys_scancode). */
enum {
	KEYS_LINUX_LEFTCTRL = 29, KEYS_LINUX_LEFTALT = 56, KEYS_LINUX_F1 = 59,
	KEYS_LINUX_F11 = 87, KEYS_LINUX_F12 = 88, KEYS_LINUX_SYSRQ = 99,
	KEYS_LINUX_DELETE = 111,
};

enum keys_mod {
	KEYS_MOD_SHIFT = 1 << 0,
	KEYS_MOD_CTRL = 1 << 1,
	KEYS_MOD_ALT = 1 << 2,
};

enum keys_kind { KEYS_NONE, KEYS_KEY, KEYS_MOUSE };

struct keys_event {
	enum keys_kind kind;
	uint32_t sym;      /* KEYS_KEY: X keysym */
	unsigned mods;     /* enum keys_mod */
	int button;        /* KEYS_MOUSE: SGR button code (32: motion,
			      64/65: wheel) */
	int x, y;          /* cell, 0-based */
	bool press;
};

/* Reads one event from the @len bytes at @b.  Returns the bytes it used
 * (the event may be KEYS_NONE for something ignored), or 0 when @b holds
 * only the start of a sequence and @more_may_come. */
size_t keys_parse(const char *b, size_t len, bool more_may_come,
		  struct keys_event *ev);
/* XT scan code of @sym on a US keyboard (extended keys with 0x80, as
 * QEMU's extended key events take them), or 0; *@shift when the
 * character needs Shift. */
int keys_scancode(uint32_t sym, bool *shift);
/* The keysym of function key F@n (1-12). */
uint32_t keys_fkey(int n);

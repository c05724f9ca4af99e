/*
 * vdi-priv.h — what the files of vdi/ share and nothing outside uses.
 */
#pragma once

#include "vdi/vdi.h"

/* ticket.c: @len - 1 characters of @alphabet from the kernel's random
 * source, then a NUL, into @out. */
void vdi_random_token(char *out, size_t len, const char *alphabet);
/* Sets the VNC password of desktop @name, of the running guest or with
 * @config of its definition, to @password ("": nobody gets in) valid
 * until @valid_to (Unix time; 0: no expiry).  0 or -1. */
int vdi_console_password(struct engine *eng, const char *name, const char *password,
			 gint64 valid_to, bool config);
/* Gives desktop @name's definition a random VNC password, before it
 * starts.  0 or -1. */
int vdi_console_prepare(struct engine *eng, const char *name);
/* Locks desktop @name's display: only the broker's relay with a fresh
 * ticket gets in from now on.  0 or -1. */
int vdi_console_lock(struct engine *eng, const char *name);

/* portal.c: the portal's page and script. */
extern const char vdi_portal_html[];
extern const char vdi_portal_js[];

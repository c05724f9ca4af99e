/*
 * account.c — lets the embedded QEMU driver start as root on a host that has
 * no "libvirt-qemu" account.
 *
 * libvirt's QEMU driver, when privileged, resolves its compiled-in default
 * user and group (Debian: libvirt-qemu) before it reads qemu.conf, and
 * fails if they do not exist — even though vmtui's qemu.conf runs QEMU as
 * root.  The account is created by the libvirt-daemon-system package,
 * which vmtui does not need.  Rather than add a system user to the host, vmtui
 * answers that one lookup itself: this file defines getpwnam_r() and
 * getgrnam_r(), which the dynamic linker binds in preference to libc's for
 * the whole process, and which fall through to libc for every other name
 * and whenever the real account exists.  It only acts while
 * account_fallback_enable() is in force, which engine.c sets for the
 * embedded driver as root.
 */
#include "config.h"

#include <dlfcn.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "core/core-priv.h"
#include "core/error.h"

static int fallback_on;

void account_fallback_enable(bool on)
{
	g_atomic_int_set(&fallback_on, on);
}

/* True when @name is the driver's default account and fallback is on. */
static bool is_driver_account(const char *name)
{
	return g_atomic_int_get(&fallback_on) && name &&
	       strcmp(name, "libvirt-qemu") == 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
	       struct passwd **result)
{
	static int (*real)(const char *, struct passwd *, char *, size_t,
			   struct passwd **);
	int rc;

	if (!real)
		real = (int (*)(const char *, struct passwd *, char *, size_t,
				struct passwd **))dlsym(RTLD_NEXT, "getpwnam_r");
	rc = real(name, pw, buf, len, result);
	if (rc == 0 && !*result && is_driver_account(name))
		return getpwuid_r(0, pw, buf, len, result);
	return rc;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
	       struct group **result)
{
	static int (*real)(const char *, struct group *, char *, size_t,
			   struct group **);
	int rc;

	if (!real)
		real = (int (*)(const char *, struct group *, char *, size_t,
				struct group **))dlsym(RTLD_NEXT, "getgrnam_r");
	rc = real(name, gr, buf, len, result);
	if (rc == 0 && !*result && is_driver_account(name))
		return getgrgid_r(0, gr, buf, len, result);
	return rc;
}

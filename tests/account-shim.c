/*
 * account-shim.c — an LD_PRELOAD library for the tests and benchmarks
 * that run libvirt's own programs (libvirtd, virsh on an embedded root)
 * on a host without libvirt-daemon-system: they look the "libvirt-qemu"
 * account up before they read qemu.conf, and fail where it does not
 * exist.  Where it does not, root's is answered, as core/account.c does
 * inside vmtui.  Built at run time: cc -shared -fPIC -o shim.so
 * account-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

static int wanted(const char *name)
{
	return name && strcmp(name, "libvirt-qemu") == 0;
}

int getpwnam_r(const char *n, struct passwd *p, char *b, size_t l, struct passwd **r)
{
	int (*real)(const char *, struct passwd *, char *, size_t, struct passwd **) =
		dlsym(RTLD_NEXT, "getpwnam_r");
	int rc = real(n, p, b, l, r);

	return rc == 0 && !*r && wanted(n) ? getpwuid_r(0, p, b, l, r) : rc;
}

int getgrnam_r(const char *n, struct group *g, char *b, size_t l, struct group **r)
{
	int (*real)(const char *, struct group *, char *, size_t, struct group **) =
		dlsym(RTLD_NEXT, "getgrnam_r");
	int rc = real(n, g, b, l, r);

	return rc == 0 && !*r && wanted(n) ? getgrgid_r(0, g, b, l, r) : rc;
}

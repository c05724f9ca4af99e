/*
 * doctor.c — checks the host as a user would want it checked before the
 * first VM: QEMU and its tools, KVM (really running a guest), libvirt, the
 * engine root and its lock, disk space, firmware.  Each check says what it
 * found and, when something is wrong, what to do.
 */
#include "config.h"

#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/engine.h"
#include "core/doctor.h"
#include "core/i18n.h"

#define GIB (UINT64_C(1) << 30)

static void check_free(gpointer p)
{
	struct check *c = p;

	g_free(c->title);
	g_free(c->detail);
	g_free(c);
}

static void add(GPtrArray *out, enum check_status status, const char *title,
		char *detail)
{
	struct check *c = g_new0(struct check, 1);

	c->status = status;
	c->title = g_strdup(title);
	c->detail = detail;
	g_ptr_array_add(out, c);
}

static void check_programs(GPtrArray *out)
{
	if (access(QEMU_SYSTEM_PATH, X_OK) == 0)
		add(out, CHECK_OK, _("QEMU"), g_strdup(QEMU_SYSTEM_PATH));
	else
		add(out, CHECK_FAIL, _("QEMU"),
		    g_strdup_printf(_("%s is missing: install it (Debian: apt-get install qemu-system-x86)."),
				    QEMU_SYSTEM_PATH));
	if (access(QEMU_IMG_PATH, X_OK) == 0)
		add(out, CHECK_OK, _("qemu-img"), g_strdup(QEMU_IMG_PATH));
	else
		add(out, CHECK_FAIL, _("qemu-img"),
		    g_strdup_printf(_("%s is missing: install it (Debian: apt-get install qemu-utils)."),
				    QEMU_IMG_PATH));
}

static void check_kvm(GPtrArray *out, const struct core_config *cfg)
{
	const struct kvm_probe *p = kvm_probe();
	enum accel_mode eff = cfg->accel;

	if (eff == ACCEL_AUTO)
		eff = p->runs_guest ? ACCEL_KVM : ACCEL_TCG;
	if (p->runs_guest)
		add(out, CHECK_OK, _("KVM"), g_strdup(p->detail));
	else
		add(out, cfg->accel == ACCEL_KVM ? CHECK_FAIL : CHECK_WARN, _("KVM"),
		    g_strdup_printf(_("%s. Guests run with TCG software emulation, several times slower."),
				    p->detail));
	if (cfg->accel == ACCEL_KVM && !p->runs_guest)
		add(out, CHECK_FAIL, _("Accelerator"),
		    g_strdup(_("accel = kvm is set but KVM does not work here: set accel = auto or tcg (config or VMTUI_ACCEL).")));
	else
		add(out, CHECK_OK, _("Accelerator"),
		    g_strdup_printf(_("setting %s, guests use %s"),
				    accel_mode_name(cfg->accel),
				    eff == ACCEL_KVM ? "KVM" : "TCG"));
}

static void check_libvirt(GPtrArray *out)
{
	unsigned long v = 0;

	if (virGetVersion(&v, NULL, NULL) < 0 || v < 9000000)
		add(out, CHECK_FAIL, _("libvirt"),
		    g_strdup_printf(_("version %lu.%lu.%lu; vmtui needs 9.0 or newer."),
				    v / 1000000, v / 1000 % 1000, v % 1000));
	else
		add(out, CHECK_OK, _("libvirt"),
		    g_strdup_printf(_("version %lu.%lu.%lu"), v / 1000000,
				    v / 1000 % 1000, v % 1000));
}

static void check_space(GPtrArray *out)
{
	g_autofree char *data = core_data_dir();
	g_autofree char *probe = g_strdup(data);
	struct statvfs sv;
	uint64_t avail;

	/* the data dir may not exist yet: measure its nearest parent */
	while (access(probe, F_OK) < 0 && strcmp(probe, "/") != 0) {
		char *parent = g_path_get_dirname(probe);

		g_free(probe);
		probe = parent;
	}
	if (statvfs(probe, &sv) < 0) {
		add(out, CHECK_WARN, _("Disk space"),
		    g_strdup_printf(_("cannot measure free space at %s"), probe));
		return;
	}
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	add(out, avail < GIB ? CHECK_FAIL : avail < 5 * GIB ? CHECK_WARN : CHECK_OK,
	    _("Disk space"),
	    avail < 5 * GIB ?
	    g_strdup_printf(_("%.1f GiB free for %s: free some space, VM disks grow as guests write."),
			    (double)avail / GIB, data) :
	    g_strdup_printf(_("%.1f GiB free for %s"), (double)avail / GIB, data));
}

static void check_firmware(GPtrArray *out)
{
	if (access("/usr/share/qemu/firmware", F_OK) == 0 &&
	    (access("/usr/share/OVMF/OVMF_CODE_4M.fd", R_OK) == 0 ||
	     access("/usr/share/OVMF/OVMF_CODE.fd", R_OK) == 0))
		add(out, CHECK_OK, _("UEFI firmware"), g_strdup("OVMF"));
	else
		add(out, CHECK_WARN, _("UEFI firmware"),
		    g_strdup(_("OVMF is missing: UEFI guests cannot start (Debian: apt-get install ovmf). BIOS guests are fine.")));
}

/* vhost-net moves virtio-net's packets in the kernel instead of QEMU's
 * thread; without it NICs still work, multiqueue too, only slower. */
static void check_vhost(GPtrArray *out)
{
	if (access("/dev/vhost-net", F_OK) == 0)
		add(out, CHECK_OK, _("vhost-net"), g_strdup("/dev/vhost-net"));
	else
		add(out, CHECK_WARN, _("vhost-net"),
		    g_strdup(_("/dev/vhost-net is missing: NICs and multiqueue (queues=N) work, but without vhost acceleration (QEMU moves every packet). Load the vhost_net module if the kernel has it (modprobe vhost_net).")));
}

/* Opens the engine (unless locked) and reports on it. */
static void check_engine(GPtrArray *out, const struct core_config *cfg)
{
	struct engine *eng;
	long holder;
	int n;

	if (!cfg->uri) {
		if (engine_check_root(cfg->engine_root) < 0) {
			add(out, CHECK_FAIL, _("Engine root"),
			    g_strdup(core_error_message()));
			return;
		}
		holder = engine_lock_holder(cfg->engine_root);
		if (holder > 0) {
			add(out, CHECK_WARN, _("Engine lock"),
			    g_strdup_printf(_("%s is in use by process %ld (another vmtui); its VMs are fine, but only one vmtui can use it at a time."),
					    cfg->engine_root, holder));
			return;
		}
		add(out, CHECK_OK, _("Engine lock"),
		    g_strdup_printf(_("%s is free"), cfg->engine_root));
	}
	eng = engine_open(cfg);
	if (!eng) {
		add(out, CHECK_FAIL, _("Engine"), g_strdup(core_error_message()));
		return;
	}
	n = virConnectNumOfDomains(engine_conn(eng));
	add(out, CHECK_OK, _("Engine"),
	    g_strdup_printf(_("%s opens; %d VM(s) running"), engine_uri(eng),
			    n < 0 ? 0 : n));
	engine_close(eng);
}

/* Whether lab networks (`vmtui net create`) can be made on the embedded
 * engine here: root, and the programs a lab runs.  A warning at most:
 * labs are optional. */
static void check_labs(GPtrArray *out)
{
	static const char *const progs[] = { "ip", "dnsmasq", "nft" };
	g_autoptr(GString) missing = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(progs); i++) {
		g_autofree char *p = g_find_program_in_path(progs[i]);

		if (!p)
			g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", progs[i]);
	}
	if (geteuid() != 0)
		add(out, CHECK_OK, _("Lab networks"),
		    g_strdup(_("loopback segments (as this user: VMs reach each other and get addresses; no host address, no NAT out of the lab: bridges with those need root)")));
	else if (missing->len)
		add(out, CHECK_WARN, _("Lab networks"),
		    g_strdup_printf(_("%s missing: install them for `vmtui net create` (Debian: iproute2, dnsmasq-base, nftables)"),
				    missing->str));
	else
		add(out, CHECK_OK, _("Lab networks"), g_strdup(_("can be made (root; ip, dnsmasq and nft found)")));
}

GPtrArray *doctor_run(const struct core_config *cfg)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(check_free);

	engine_init_libvirt();
	check_programs(out);
	check_kvm(out, cfg);
	check_libvirt(out);
	check_firmware(out);
	check_vhost(out);
	check_space(out);
	check_labs(out);
	check_engine(out, cfg);
	return out;
}

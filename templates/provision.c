/*
 * provision.c — making VMs from a template, one or a whole lab in one job,
 * and throwing a lab away again.
 *
 * Crash safety: a run first plans every VM (name, UUID, MAC, address, the
 * paths of its overlay and seed) and writes that plan as its journal
 * (core's journal_save, DATA/journal/) before it creates anything; the
 * names hold the UUID's first digits, so no other run makes the same
 * files.  A VM is complete once its definition exists (the disk and the
 * seed are made and synced before it).  If the process dies, the next
 * vmtui (journal_recover) keeps the VMs defined with the planned UUID and
 * removes the files of the others.  A run that ends, by success, failure
 * or cancel, cleans up itself and removes its journal.  One journal write
 * per run keeps a 20-VM lab to a single fsync.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/journal.h"
#include "core/users.h"
#include "net/net.h"
#include "templates/templates-priv.h"

/* Puts @disk and @seed on the disk, with their names (one folder), before
 * the VM that uses them is defined: a power cut after the definition must
 * not leave it pointing at files that never reached the disk. */
static int sync_files(const char *disk, const char *seed)
{
	const char *paths[] = { disk, seed };
	g_autofree char *dir = g_path_get_dirname(disk);
	int fd;

	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
		fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fdatasync(fd) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), paths[i],
				   g_strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* ---- names ----------------------------------------------------------- */

/* The numbers of a range end: 1 to NUMBER_DIGITS decimal digits. */
#define NUMBER_DIGITS 5

/* Reads one end of a "{A..B}" range: digits only, at most NUMBER_DIGITS. */
static bool range_end(const char *s, unsigned *out)
{
	size_t n = strlen(s);

	if (n == 0 || n > NUMBER_DIGITS || strspn(s, "0123456789") != n)
		return false;
	*out = (unsigned)strtoul(s, NULL, 10);
	return true;
}

GPtrArray *provision_expand_names(const char *pattern, unsigned count)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	const char *open = strchr(pattern, '{');
	const char *close = open ? strchr(open, '}') : NULL;

	if (count > LAB_MAX_VMS)
		goto bad;
	if (open && close) {
		g_autofree char *inner = g_strndup(open + 1, (gsize)(close - open - 1));
		g_auto(GStrv) ends = g_strsplit(inner, "..", 2);
		unsigned a, b, n;
		int width;

		/* one range, of at most LAB_MAX_VMS numbers of at most
		 * NUMBER_DIGITS digits: nothing here can loop or wrap */
		if (g_strv_length(ends) != 2 || !range_end(ends[0], &a) || !range_end(ends[1], &b) ||
		    b < a || b - a >= LAB_MAX_VMS || strchr(close + 1, '{'))
			goto bad;
		n = b - a + 1;
		width = ends[0][0] == '0' ? (int)strlen(ends[0]) : 0;
		if (count && count != n) {
			core_error(CORE_ERR_USAGE,
				   _("--count %u does not match the pattern \"%s\", which names %u VMs."),
				   count, pattern, n);
			return NULL;
		}
		for (unsigned i = 0; i < n; i++)
			g_ptr_array_add(out, g_strdup_printf("%.*s%0*u%s", (int)(open - pattern),
							     pattern, width, a + i, close + 1));
	} else if (open || strchr(pattern, '}')) {
		goto bad;
	} else if (count > 1) {
		for (unsigned i = 1; i <= count; i++)
			g_ptr_array_add(out, g_strdup_printf("%s-%u", pattern, i));
	} else {
		g_ptr_array_add(out, g_strdup(pattern));
	}
	for (guint i = 0; i < out->len; i++)
		if (!core_name_valid(out->pdata[i]))
			return NULL;
	return g_steal_pointer(&out);
bad:
	core_error(CORE_ERR_USAGE,
		   _("\"%s\" is not a name pattern vmtui understands; use e.g. 'lab-{01..20}': one range of numbers of at most %d digits, at most %d VMs."),
		   pattern, NUMBER_DIGITS, LAB_MAX_VMS);
	return NULL;
}

/* ---- the plan ---------------------------------------------------------- */

struct planned {
	char *name;
	char *uuid;
	char *mac;        /* its first NIC's, for the seed's network-config */
	GPtrArray *macs;  /* of char *: one per NIC */
	char *address;
	char *disk;
	char *seed;
	GPtrArray *forwards; /* struct vm_forward: its port forwards */
};

static void planned_free(gpointer p)
{
	struct planned *v = p;

	g_free(v->name);
	g_free(v->uuid);
	g_free(v->mac);
	if (v->macs)
		g_ptr_array_unref(v->macs);
	g_free(v->address);
	g_free(v->disk);
	g_free(v->seed);
	if (v->forwards)
		g_ptr_array_unref(v->forwards);
	g_free(v);
}

/* Removes the files of @v (its overlay, its seed and the seed's
 * temporary file). */
static void remove_files(const struct planned *v)
{
	g_autofree char *part = g_strdup_printf("%s.part", v->seed);

	unlink(v->disk);
	unlink(v->seed);
	unlink(part);
}

/* ---- planning ------------------------------------------------------------ */

/* Addresses and MACs in use by the engine's VMs, and their names. */
struct in_use {
	GHashTable *addresses, *macs, *names;
};

/* What the engine's VMs use; -1 with an error when they cannot be listed
 * (planning as if there were none would hand out taken addresses). */
static int in_use_scan(struct engine *eng, struct in_use *u)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);

	u->addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	u->macs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	u->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!vms)
		return -1;
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		g_hash_table_add(u->names, g_strdup(s->name));
		if (s->lab_address)
			g_hash_table_add(u->addresses, g_strdup(s->lab_address));
		for (guint k = 0; k < s->nics->len; k++) {
			const struct vm_nic *nic = s->nics->pdata[k];

			if (nic->mac)
				g_hash_table_add(u->macs, g_ascii_strdown(nic->mac, -1));
		}
	}
	return 0;
}

static void in_use_fini(struct in_use *u)
{
	g_hash_table_unref(u->addresses);
	g_hash_table_unref(u->macs);
	g_hash_table_unref(u->names);
}

/* The lab network the run's VMs get their addresses on: that of the
 * first NIC on a lab (on a daemon URI net_check has pointed it at the
 * lab's libvirt network vmtui-NAME already), or NULL when none is. */
static const char *address_lab(const GPtrArray *nics)
{
	for (guint i = 0; i < nics->len; i++) {
		const struct vm_nic *nic = nics->pdata[i];

		if (nic->mode == NET_LAB && nic->source)
			return nic->source;
		if (nic->mode == NET_NETWORK && nic->source &&
		    g_str_has_prefix(nic->source, NET_LAB_NETWORK_PREFIX) &&
		    nic->source[strlen(NET_LAB_NETWORK_PREFIX)])
			return nic->source + strlen(NET_LAB_NETWORK_PREFIX);
	}
	return NULL;
}

/* A locally administered MAC in QEMU's 52:54:00 range, unused. */
static char *next_mac(struct in_use *u)
{
	for (;;) {
		guint32 r = g_random_int();
		char *m = g_strdup_printf("52:54:00:%02x:%02x:%02x", (r >> 16) & 0xff,
					  (r >> 8) & 0xff, r & 0xff);

		if (!g_hash_table_contains(u->macs, m)) {
			g_hash_table_add(u->macs, g_strdup(m));
			return m;
		}
		g_free(m);
	}
}

/* The NICs every VM of the run gets, checked on @eng, without MACs:
 * @nets (the --net modes; NULL: the template's one NAT NIC, if it has
 * a NIC model).  NULL with an error. */
static GPtrArray *provision_nics(struct engine *eng, const struct template *t,
				 const GPtrArray *nets)
{
	autoptr(vm_spec) proto = vm_spec_new();

	if (!nets) {
		if (t->nic_model)
			vm_spec_add_nic(proto, NET_NAT, NULL, t->nic_model);
	} else {
		for (guint i = 0; i < nets->len; i++) {
			struct vm_nic *nic;

			if (!net_parse(nets->pdata[i], t->nic_model, &nic))
				return NULL;
			if (nic)
				g_ptr_array_add(proto->nics, nic);
		}
	}
	if (!net_check(eng, proto))
		return NULL;
	return g_ptr_array_ref(proto->nics);
}

/* ---- port forwards ------------------------------------------------------ */

/* Gives each VM of @plan a host port on 127.0.0.1 for each --forward
 * guest port, on its first nat NIC: the k-th guest port takes ports from
 * NET_FWD_PROVISION_BASE + k * NET_FWD_PROVISION_STEP up, in VM order,
 * skipping those another forward of the engine has or a program of this
 * host listens on.  0, or -1 with an error (nothing is made yet). */
static int plan_forwards(struct engine *eng, const struct provision_opts *o,
			 const GPtrArray *nics, GPtrArray *plan)
{
	g_autoptr(GHashTable) used = NULL;
	g_autoptr(GArray) guest = g_array_new(FALSE, FALSE, sizeof(unsigned));
	int nat = -1;

	if (!o->forwards || !o->forwards->len)
		return 0;
	for (guint i = 0; i < nics->len && nat < 0; i++)
		if (((const struct vm_nic *)nics->pdata[i])->mode == NET_NAT)
			nat = (int)i;
	if (nat < 0) {
		core_error(CORE_ERR_USAGE,
			   _("--forward needs a nat NIC (--net nat): port forwards are QEMU's user-mode network's. VMs on a lab or bridge network are reachable at their own addresses."));
		return -1;
	}
	for (guint k = 0; k < o->forwards->len; k++) {
		long long n;
		unsigned port;

		if (!core_parse_int(_("guest port"), o->forwards->pdata[k], 1, 65535, &n))
			return -1;
		port = (unsigned)n;
		g_array_append_val(guest, port);
	}
	if (!(used = net_forward_ports(eng)))
		return -1;
	for (guint i = 0; i < plan->len; i++) {
		struct planned *v = plan->pdata[i];

		v->forwards = g_ptr_array_new_with_free_func((GDestroyNotify)vm_forward_free);
		for (guint k = 0; k < guest->len; k++) {
			struct vm_forward *f = g_new0(struct vm_forward, 1);

			f->address = g_strdup("127.0.0.1");
			f->guest_port = g_array_index(guest, unsigned, k);
			f->nic = g_strdup(v->macs->pdata[nat]);
			f->live = -1;
			g_ptr_array_add(v->forwards, f);
			f->host_port = net_forward_pick_port(used, f->address,
							     NET_FWD_PROVISION_BASE + k * NET_FWD_PROVISION_STEP,
							     false);
			if (!f->host_port) {
				core_error(CORE_ERR_FAILED, _("No free host port is left for --forward %u."),
					   f->guest_port);
				return -1;
			}
		}
	}
	return 0;
}

/* The table of the forwards the run gave, one line each:
 * "lab-01 127.0.0.1:2201 → 22". */
static void report_forwards(GString *r, const GPtrArray *plan, guint made)
{
	for (guint i = 0; i < made; i++) {
		const struct planned *v = plan->pdata[i];

		for (guint k = 0; v->forwards && k < v->forwards->len; k++) {
			g_autofree char *text = net_forward_text(v->forwards->pdata[k]);

			g_string_append_printf(r, "%s %s\n", v->name, text);
		}
	}
}

/* ---- making one VM ----------------------------------------------------- */

static int make_vm(struct engine *eng, const struct template *t,
		   const struct provision_opts *o, const GPtrArray *nics,
		   const struct planned *v, struct job *job)
{
	autoptr(vm_spec) spec = tpl_vm_spec(t);
	struct seed seed = { 0 };
	struct vm_disk *d;

	if (job_cancelled(job))
		goto cancelled;
	if (o->full) {
		const char *argv[] = { "convert", "-f", "qcow2", "-O", "qcow2", "--",
				       t->base, v->disk, NULL };

		if (tpl_qemu_img(argv, v->name) < 0)
			return -1;
	} else if (t->disk_bytes) {
		/* in process: starting qemu-img would cost more than the rest */
		if (tpl_qcow2_overlay(v->disk, t->base, t->disk_bytes) < 0)
			return -1;
	} else {
		const char *argv[] = { "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
				       t->base, "--", v->disk, NULL };

		if (tpl_qemu_img(argv, v->name) < 0)
			return -1;
	}
	if (job_cancelled(job))
		goto cancelled;

	seed.instance_id = v->uuid;
	seed.hostname = o->hostname ? o->hostname : v->name;
	seed.user = o->user ? o->user : t->user;
	seed.password_hash = o->password_hash;
	seed.ssh_keys = o->ssh_keys && o->ssh_keys->len ? o->ssh_keys : t->ssh_keys;
	seed.packages = o->packages ? o->packages : t->packages;
	seed.user_data = o->user_data;
	seed.mac = v->mac;
	seed.sudo = o->sudo < 0 ? t->sudo : o->sudo;
	if (seed_write_iso(v->seed, &seed) < 0 || sync_files(v->disk, v->seed) < 0)
		return -1;
	if (job_cancelled(job))
		goto cancelled;

	spec->name = g_strdup(v->name);
	spec->uuid = g_strdup(v->uuid);
	spec->description = g_strdup_printf(_("Provisioned from template \"%s\"."), t->name);
	g_ptr_array_set_size(spec->nics, 0);
	for (guint i = 0; i < nics->len; i++) {
		struct vm_nic *nic = vm_nic_copy(nics->pdata[i]);

		g_free(nic->mac);
		nic->mac = g_strdup(v->macs->pdata[i]);
		g_ptr_array_add(spec->nics, nic);
		/* a segment NIC: a UDP port of its own, not the prototype's */
		nic->port = 0;
		if (nic->hub_port && !net_lab_prepare(eng, nic))
			return -1;
	}
	/* the guest agent tells vmtui the guest's addresses */
	spec->agent = !engine_is_test(eng);
	/* direct-boot kits talk on the serial line; desktops need a screen */
	spec->graphics = o->graphics || !t->kernel;
	spec->template_name = g_strdup(t->name);
	spec->lab_address = g_strdup(v->address);
	for (guint i = 0; v->forwards && i < v->forwards->len; i++)
		g_ptr_array_add(spec->forwards, vm_forward_copy(v->forwards->pdata[i]));
	d = vm_spec_add_disk(spec, v->disk, "qcow2", false);
	d->owned = true;
	d->bus = g_strdup(t->disk_bus);
	if (!o->full) {
		d->backing = g_strdup(t->base);
		d->backing_format = g_strdup("qcow2");
	}
	d = vm_spec_add_disk(spec, v->seed, "raw", true);
	d->owned = true;
	d->bus = g_strdup("scsi"); /* q35 has no IDE; AHCI is not in every kernel */
	if (vm_create(eng, spec, NULL) < 0)
		return -1;
	return 0;
cancelled:
	core_error(CORE_ERR_CANCELLED, _("Cancelled."));
	return -1;
}

/* Undefines the VM @v if a run defined it (by its UUID); its files are
 * the caller's to remove. */
static void undefine_planned(struct engine *eng, const struct planned *v)
{
	g_autofree char *report = NULL;

	if (vm_exists(eng, v->uuid))
		vm_delete(eng, v->uuid, false, true, &report);
	core_error_clear();
}

int provision_run(struct engine *eng, const struct provision_opts *o,
		  struct job *job, char **report)
{
	autoptr(template) t = template_load(o->template_name);
	g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func(planned_free);
	g_autoptr(GString) r = g_string_new(NULL);
	autoptr(journal) j = NULL;
	g_autoptr(GPtrArray) nics = NULL;
	struct in_use u;
	const char *lab;
	guint made = 0;
	int rc = -1;

	*report = NULL;
	if (!t)
		return -1;
	if (!(nics = provision_nics(eng, t, o->nets)))
		return -1;
	if (access(t->base, R_OK) < 0) {
		core_error(CORE_ERR_FAILED, _("The base image of template \"%s\" (%s) is missing."),
			   t->name, t->base);
		return -1;
	}
	if (o->hostname && o->names->len > 1) {
		core_error(CORE_ERR_USAGE, _("--hostname is for one VM; lab VMs are named after their VM names."));
		return -1;
	}
	for (guint i = 0; i < o->names->len; i++)
		if (!seed_hostname_valid(o->hostname && i == 0 ? o->hostname : o->names->pdata[i]))
			return -1;
	/* templates made before clones were recorded with them */
	if (file_users_track(t->base) < 0)
		return -1;

	lab = address_lab(nics);
	/* the plan, written down before anything is made */
	job_progress(job, 0.0, _("Planning %u VMs"), o->names->len);
	if (in_use_scan(eng, &u) < 0) {
		in_use_fini(&u);
		return -1;
	}
	for (guint i = 0; i < o->names->len; i++) {
		struct planned *v = g_new0(struct planned, 1);
		g_autofree char *id8 = NULL, *seed_tag = NULL;

		v->name = g_strdup(o->names->pdata[i]);
		v->uuid = g_uuid_string_random();
		id8 = g_strndup(v->uuid, 8);
		v->macs = g_ptr_array_new_with_free_func(g_free);
		for (guint k = 0; k < nics->len; k++)
			g_ptr_array_add(v->macs, next_mac(&u));
		v->mac = nics->len ? g_strdup(v->macs->pdata[0]) : NULL;
		/* an address only on a lab, from its subnet: nat hands out
		 * its own */
		if (lab && !(v->address = net_lab_plan_address(eng, lab, u.addresses))) {
			in_use_fini(&u);
			return -1;
		}
		seed_tag = g_strdup_printf("%s-seed", id8);
		/* named, not made: the journal records them before they exist,
		 * and the UUID's first 8 digits keep them apart */
		v->disk = disk_new_path(v->name, id8, "qcow2", false);
		v->seed = disk_new_path(v->name, seed_tag, "iso", false);
		g_ptr_array_add(plan, v);
		if (!v->disk || !v->seed) {
			in_use_fini(&u);
			return -1;
		}
	}
	if (plan_forwards(eng, o, nics, plan) < 0) {
		in_use_fini(&u);
		return -1;
	}
	j = journal_new(N_("provisioning run"), engine_uri(eng));
	for (guint i = 0; i < plan->len; i++) {
		struct planned *v = plan->pdata[i];
		g_autofree char *part = g_strdup_printf("%s.part", v->seed);

		journal_add(j, v->uuid, v->disk);
		journal_add(j, v->uuid, v->seed);
		journal_add(j, v->uuid, part);
	}
	if (journal_save(j) < 0) {
		in_use_fini(&u);
		return -1;
	}

	for (; made < plan->len; made++) {
		struct planned *v = plan->pdata[made];

		job_progress(job, (double)made / plan->len, _("Provisioning %s (%u of %u)"),
			     v->name, made + 1, plan->len);
		if (g_hash_table_contains(u.names, v->name)) {
			core_error(CORE_ERR_STATE, _("A VM named \"%s\" already exists."), v->name);
			break;
		}
		if (make_vm(eng, t, o, nics, v, job) < 0) {
			/* this VM only: the ones before it stay; its error
			 * survives the clean-up's libvirt calls */
			g_autofree char *why = g_strdup(core_error_message());
			enum core_err code = core_error_code();

			undefine_planned(eng, v);
			remove_files(v);
			core_error_restore(code, why);
			break;
		}
		if (v->address)
			g_string_append_printf(r, _("Created VM \"%s\" (address %s on lab network \"%s\")."),
					       v->name, v->address, lab);
		else
			g_string_append_printf(r, _("Created VM \"%s\"."), v->name);
		g_string_append_c(r, '\n');
	}
	in_use_fini(&u);
	if (made < plan->len) {
		/* the error is the failing VM's; say where the run stopped */
		g_autofree char *why = g_strdup(core_error_message());
		enum core_err code = core_error_code();
		struct planned *v = plan->pdata[made];
		g_autofree char *kept = made ?
			g_strdup_printf(P_("The VM made before it is kept.",
					   "The %u VMs made before it are kept.", made), made) :
			g_strdup(_("No VM was made."));

		if (code == CORE_ERR_CANCELLED)
			core_error(code, _("Cancelled at VM %u of %u (\"%s\"), leaving nothing of it. %s"),
				   made + 1, plan->len, v->name, kept);
		else
			core_error(code ? code : CORE_ERR_FAILED,
				   _("VM %u of %u (\"%s\") failed: %s %s"),
				   made + 1, plan->len, v->name, why, kept);
		*report = g_strdup(r->str);
		return -1;
	}
	report_forwards(r, plan, made);
	rc = 0;
	/* the lab's DHCP server learns the new VMs' addresses before any
	 * of them starts */
	if (lab && net_lab_sync(eng, lab) < 0) {
		g_string_append_printf(r, "%s\n", core_error_message());
		core_error(CORE_ERR_FAILED,
			   _("The VMs were made, but lab network \"%s\" could not be told their addresses (`vmtui net start %s` tries again)."),
			   lab, lab);
		*report = g_strdup(r->str);
		return -1;
	}
	if (o->start) {
		for (guint i = 0; i < plan->len; i++) {
			struct planned *v = plan->pdata[i];

			job_progress(job, 0.9 + 0.1 * i / plan->len, _("Starting %s"), v->name);
			if (vm_start(eng, v->name) < 0) {
				g_string_append_printf(r, "%s\n", core_error_message());
				rc = -1;
			} else {
				g_string_append_printf(r, _("Started VM \"%s\"."), v->name);
				g_string_append_c(r, '\n');
			}
		}
		if (rc < 0)
			core_error(CORE_ERR_FAILED, _("Some VMs were made but did not start."));
	}
	job_progress(job, 1.0, _("Done"));
	*report = g_strdup(r->str);
	return rc;
}

/* ---- labs ---------------------------------------------------------------- */

GPtrArray *lab_match(struct engine *eng, const char *pattern)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	GPtrArray *out;

	if (!vms)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	/* in name order, as vm_list gives them */
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		if (fnmatch(pattern, s->name, 0) == 0)
			g_ptr_array_add(out, g_strdup(s->name));
	}
	return out;
}

int lab_delete(struct engine *eng, GPtrArray *names, struct job *job, char **report)
{
	g_autoptr(GString) r = g_string_new(NULL);
	int rc = 0;

	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *rep = NULL;

		job_progress(job, (double)i / names->len, _("Deleting %s (%u of %u)"), name,
			     i + 1, names->len);
		if (vm_delete(eng, name, true, true, &rep) < 0) {
			g_string_append_printf(r, "%s\n", core_error_message());
			rc = -1;
			continue;
		}
		g_string_append(r, rep);
	}
	*report = g_strdup(r->str);
	if (rc < 0)
		core_error(CORE_ERR_FAILED, _("Some VMs could not be deleted (see above)."));
	return rc;
}

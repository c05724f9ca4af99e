/*
 * migrate.c — moving a VM to another libvirt host.
 *
 * The migration is managed by this process (virDomainMigrate3 with both
 * connections), which is what works from vmtui's embedded engine too; its
 * data always goes to an explicit tcp:// address, since libvirt would
 * otherwise send it to whatever the destination's host name resolves to.
 * While libvirt copies on a thread of its own, the job's thread reports
 * the copy's progress and aborts it when cancelled.
 */
#include "config.h"

#include <string.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/files.h"
#include "core/migrate.h"
#include "core/model.h"
#include "core/names.h"
#include "core/vm.h"

#define POLL_US (250 * 1000)

char *migrate_default_address(const char *uri)
{
	g_autoptr(GUri) u = uri ? g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL) : NULL;
	const char *host = u ? g_uri_get_host(u) : NULL;

	if (!host || !*host || g_ascii_strcasecmp(host, "localhost") == 0)
		return g_strdup("127.0.0.1");
	if (host[0] == '[')
		return g_strndup(host + 1, strcspn(host + 1, "]"));
	return g_strdup(host);
}

/* What the migration needs of the VM's definition: the files of the disks
 * a copy would write (writable, not shared), and the definition the
 * destination gets (for another machine without the serial log file,
 * whose folder is this machine's). */
struct def_info {
	GPtrArray *disks;  /* char *: file paths */
	char *dest_xml;    /* NULL: the VM's own */
};

static void def_info_clear(struct def_info *d)
{
	g_clear_pointer(&d->disks, g_ptr_array_unref);
	g_clear_pointer(&d->dest_xml, g_free);
}

static int read_def(virDomainPtr dom, bool drop_log, struct def_info *d)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_MIGRATABLE |
						   VIR_DOMAIN_XML_SECURE);
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr o;
	bool changed = false;

	d->disks = g_ptr_array_new_with_free_func(g_free);
	if (!xml) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot read the definition of %s"),
				virDomainGetName(dom));
		return -1;
	}
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL, XML_PARSE_NONET);
	if (!doc) {
		core_error(CORE_ERR_FAILED, _("The definition of %s does not parse"),
			   virDomainGetName(dom));
		return -1;
	}
	ctx = xmlXPathNewContext(doc);
	o = xmlXPathEvalExpression(BAD_CAST "/domain/devices/disk[@device='disk' or not(@device)]"
				   "[not(readonly) and not(shareable)]/source/@file", ctx);
	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

		g_ptr_array_add(d->disks, g_strdup((const char *)v));
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	if (drop_log) {
		o = xmlXPathEvalExpression(BAD_CAST "/domain/devices/serial/log", ctx);
		for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
			xmlUnlinkNode(o->nodesetval->nodeTab[i]);
			xmlFreeNode(o->nodesetval->nodeTab[i]);
			o->nodesetval->nodeTab[i] = NULL;
			changed = true;
		}
		xmlXPathFreeObject(o);
	}
	if (changed) {
		xmlChar *out = NULL;
		int len = 0;

		xmlDocDumpMemory(doc, &out, &len);
		d->dest_xml = g_strndup((const char *)out, (gsize)len);
		xmlFree(out);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return 0;
}

/* A copy of the disks needs, on the destination, a storage pool over
 * each disk's folder: libvirt makes the new images there (of the same
 * size and format) before it copies into them.  A folder no pool covers
 * gets a transient one, which ends with the migration (its files stay).
 * A file already there is refused: the copy would overwrite it. */
static int prepare_dest_pools(virConnectPtr dconn, const GPtrArray *disks,
			      const char *label, GPtrArray *made)
{
	for (guint i = 0; i < disks->len; i++) {
		const char *path = disks->pdata[i];
		g_autofree char *dir = g_path_get_dirname(path);
		virStoragePoolPtr pool = virStoragePoolLookupByTargetPath(dconn, dir);
		virStorageVolPtr vol;

		if (!pool) {
			g_autofree char *name = g_strdup_printf("vmtui-migrate-%08x%04x",
								g_str_hash(dir), g_random_int() & 0xffff);
			g_autofree char *xdir = g_markup_escape_text(dir, -1);
			g_autofree char *xml = g_strdup_printf(
				"<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
				name, xdir);

			pool = virStoragePoolCreateXML(dconn, xml, VIR_STORAGE_POOL_CREATE_WITH_BUILD);
			if (!pool) {
				core_error_virt(CORE_ERR_FAILED,
						_("Cannot prepare the folder %s on %s for the copy of the disks"),
						dir, label);
				return -1;
			}
			g_ptr_array_add(made, pool);
		} else {
			virStoragePoolRefresh(pool, 0);
			virStoragePoolFree(pool);
		}
		virResetLastError();
		vol = virStorageVolLookupByPath(dconn, path);
		if (vol) {
			virStorageVolFree(vol);
			core_error(CORE_ERR_STATE,
				   _("%s already has a file at %s: copying the disk there would overwrite it. When both hosts see that same file (shared storage), migrate without --copy-storage; a copy an earlier attempt left there must be removed first."),
				   label, path);
			return -1;
		}
		virResetLastError();
	}
	return 0;
}

static void drop_pools(GPtrArray *made)
{
	for (guint i = 0; i < made->len; i++) {
		virStoragePoolDestroy(made->pdata[i]);
		virStoragePoolFree(made->pdata[i]);
	}
	g_ptr_array_set_size(made, 0);
	virResetLastError();
}

/* virDomainMigrate3 on a thread of its own; libvirt's error is the
 * thread's, so it is kept here. */
struct mig_run {
	virDomainPtr dom;
	virConnectPtr dconn;
	virTypedParameterPtr params;
	int nparams;
	unsigned flags;
	virDomainPtr result;
	char *error;
	GMutex lock;
	GCond cond;
	bool done;
};

/* Waits up to @us for the migration to end; whether it has. */
static bool mig_wait(struct mig_run *r, gint64 us)
{
	gint64 end = g_get_monotonic_time() + us;
	bool done;

	g_mutex_lock(&r->lock);
	while (!r->done && g_cond_wait_until(&r->cond, &r->lock, end))
		;
	done = r->done;
	g_mutex_unlock(&r->lock);
	return done;
}

static gpointer mig_thread(gpointer p)
{
	struct mig_run *r = p;

	r->result = virDomainMigrate3(r->dom, r->dconn, r->params, (unsigned)r->nparams,
				      r->flags);
	if (!r->result) {
		const char *m = virGetLastErrorMessage();

		r->error = g_strdup(m ? m : "");
	}
	g_mutex_lock(&r->lock);
	r->done = true;
	g_cond_signal(&r->cond);
	g_mutex_unlock(&r->lock);
	return NULL;
}

/* One look at the migration's progress: the part of it done, or -1. */
static double report(struct job *job, virDomainPtr dom, const char *name,
		     const char *label)
{
	virTypedParameterPtr p = NULL;
	int n = 0, type = 0;
	unsigned long long total = 0, left = 0, dirty = 0, page = 4096, down = 0;
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	double done;

	if (virDomainGetJobStats(dom, &type, &p, &n, 0) < 0) {
		virResetLastError();
		return -1;
	}
	virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DATA_TOTAL, &total);
	virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DATA_REMAINING, &left);
	virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, &dirty);
	virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, &page);
	virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DOWNTIME, &down);
	virTypedParamsFree(p, n);
	if (type == VIR_DOMAIN_JOB_NONE || !total)
		return -1;
	done = 1.0 - (double)left / (double)total;
	a = core_format_size(left);
	b = core_format_size(total);
	c = core_format_size(dirty * page);
	job_progress(job, done,
		     _("Migrating %s to %s: %s of %s left, the guest dirties %s/s, expected downtime %llu ms"),
		     name, label, a, b, c, down);
	return done;
}

/* What the destination (or else the source) timed of the finished
 * migration. */
static void completed_stats(virDomainPtr ddom, virDomainPtr dom, struct migrate_result *res)
{
	virDomainPtr doms[] = { ddom, dom };

	for (size_t i = 0; i < G_N_ELEMENTS(doms); i++) {
		virTypedParameterPtr p = NULL;
		int n = 0, type = 0;
		unsigned long long v;

		/* kept: reading them must not take them from other clients */
		if (!doms[i] || virDomainGetJobStats(doms[i], &type, &p, &n,
						     VIR_DOMAIN_JOB_STATS_COMPLETED |
						     VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) < 0 ||
		    type == VIR_DOMAIN_JOB_NONE) {
			virTypedParamsFree(p, n);
			virResetLastError();
			continue;
		}
		if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED, &v) == 1)
			res->elapsed_ms = (gint64)v;
		if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DOWNTIME, &v) == 1)
			res->downtime_ms = (gint64)v;
		if (virTypedParamsGetULLong(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED, &v) == 1)
			res->data_bytes = v;
		virTypedParamsFree(p, n);
		return;
	}
}

/* libvirt's reason for a failed migration, as what to do about it. */
static void migrate_error(const char *name, const char *label, const char *address,
			  const struct def_info *d, const char *msg)
{
	if (strstr(msg, "to the same host")) {
		core_error(CORE_ERR_STATE,
			   _("Cannot migrate %s to %s: it is the same machine to libvirt (the same host UUID), and libvirt migrates only between machines. A daemon with a host_uuid of its own in libvirtd.conf counts as another."),
			   name, label);
	} else if (strstr(msg, "shared storage is unsafe")) {
		g_autoptr(GString) files = g_string_new(NULL);

		for (guint i = 0; i < d->disks->len; i++)
			g_string_append_printf(files, "%s%s", i ? ", " : "",
					       (const char *)d->disks->pdata[i]);

		core_error(CORE_ERR_STATE,
			   _("Cannot migrate %s to %s: libvirt cannot tell that %s sees its disks (%s) too: they are not on NFS, GlusterFS, Ceph or the like. Copy them with --copy-storage, or, when both hosts see the same files, say so with --unsafe."),
			   name, label, label, files->str);
	} else if (strstr(msg, "Connection refused") || strstr(msg, "No route to host") ||
		   strstr(msg, "unable to connect to server") ||
		   strstr(msg, "resolve address") || strstr(msg, "timed out")) {
		core_error(CORE_ERR_FAILED,
			   _("Cannot migrate %s to %s: the data could not reach it at %s (%s). Name its address on a network both hosts reach with --address."),
			   name, label, address, msg);
	} else if (strstr(msg, "canceled by client") || strstr(msg, "cancelled by client")) {
		core_error(CORE_ERR_CANCELLED, _("Cancelled the migration of %s to %s."),
			   name, label);
	} else {
		core_error(CORE_ERR_FAILED, _("Cannot migrate %s to %s: %s"), name, label, msg);
	}
}

static int add_params(virTypedParameterPtr *p, int *n, int *max,
		      const struct migrate_opts *o, const char *address,
		      const char *dest_xml)
{
	g_autofree char *data_uri = strchr(address, ':') ?
		g_strdup_printf("tcp://[%s]", address) : g_strdup_printf("tcp://%s", address);

	if (virTypedParamsAddString(p, n, max, VIR_MIGRATE_PARAM_URI, data_uri) < 0 ||
	    virTypedParamsAddString(p, n, max, VIR_MIGRATE_PARAM_LISTEN_ADDRESS, address) < 0 ||
	    (o->bandwidth && virTypedParamsAddULLong(p, n, max, VIR_MIGRATE_PARAM_BANDWIDTH,
						     o->bandwidth) < 0) ||
	    (dest_xml && virTypedParamsAddString(p, n, max, VIR_MIGRATE_PARAM_DEST_XML,
						 dest_xml) < 0)) {
		core_error_virt(CORE_ERR_FAILED, _("Cannot set up the migration"));
		return -1;
	}
	return 0;
}

static void refuse_embedded(const char *name, const char *label)
{
	core_error(CORE_ERR_STATE,
		   _("Cannot migrate %s to %s: it is vmtui's embedded engine, which libvirt cannot take a migrating VM into (its QEMU driver has no autodestroy for embedded engines). Migrate to a libvirt daemon: qemu:///system, qemu+ssh://HOST/system."),
		   name, label);
}

/* The guest runs again where it was paused for --timeout. */
static void resume_paused(virDomainPtr d)
{
	int state = VIR_DOMAIN_NOSTATE, reason;

	if (virDomainGetState(d, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED)
		virDomainResume(d);
	virResetLastError();
}

/* Refuses what libvirt would refuse later, or never should try. */
static int preflight(struct engine *src, struct engine *dst, virDomainPtr dom,
		     const char *name, const char *label, bool active,
		     const struct migrate_opts *o)
{
	virDomainPtr there;
	unsigned char uuid[VIR_UUID_BUFLEN];

	if (strcmp(engine_uri(src), engine_uri(dst)) == 0) {
		core_error(CORE_ERR_STATE, _("%s is already on %s."), name, label);
		return -1;
	}
	if (!active && o->copy_storage) {
		core_error(CORE_ERR_USAGE,
			   _("%s is shut off: libvirt copies disks only of a running VM. Start it first, or migrate without --copy-storage and copy the disks yourself."),
			   name);
		return -1;
	}
	if (virDomainGetUUID(dom, uuid) == 0 &&
	    (there = virDomainLookupByUUID(engine_conn(dst), uuid))) {
		int state = VIR_DOMAIN_NOSTATE, reason;

		virDomainGetState(there, &state, &reason, 0);
		virDomainFree(there);
		if (state != VIR_DOMAIN_SHUTOFF) {
			core_error(CORE_ERR_STATE, _("%s already runs on %s."), name, label);
			return -1;
		}
	} else if ((there = virDomainLookupByName(engine_conn(dst), name))) {
		virDomainFree(there);
		core_error(CORE_ERR_STATE,
			   _("%s already has another VM named %s: rename one of them first."),
			   label, name);
		return -1;
	}
	virResetLastError();
	return 0;
}

int vm_migrate(struct engine *src, struct engine *dst, const char *name,
	       const struct migrate_opts *o, struct job *job,
	       struct migrate_result *res)
{
	const char *label = o->dst_label ? o->dst_label : dst ? engine_uri(dst) : "local";
	g_autofree char *address = NULL;
	virDomainPtr dom;
	virTypedParameterPtr params = NULL;
	int nparams = 0, maxparams = 0, state = VIR_DOMAIN_NOSTATE, reason, rc = -1;
	g_autoptr(GPtrArray) pools = g_ptr_array_new();
	struct def_info def = { 0 };
	struct mig_run run = { 0 };
	unsigned flags = 0;
	gint64 t0 = g_get_monotonic_time();
	bool active, aborted = false;
	double done = 0;

	*res = (struct migrate_result){ .downtime_ms = -1 };
	if (!dst || engine_is_embedded(dst)) {
		refuse_embedded(name, label);
		return -1;
	}
	address = o->address ? g_strdup(o->address) : migrate_default_address(engine_uri(dst));
	dom = vm_lookup_settled(src, name);
	if (!dom)
		return -1;
	virDomainGetState(dom, &state, &reason, 0);
	active = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED;
	if (state != VIR_DOMAIN_SHUTOFF && !active) {
		core_error(CORE_ERR_STATE, _("%s is %s: only a running, paused or shut-off VM migrates."),
			   name, vm_state_label(state));
		goto out;
	}
	if (preflight(src, dst, dom, name, label, active, o) < 0 ||
	    read_def(dom, !engine_is_local(dst), &def) < 0)
		goto out;
	if (o->copy_storage && prepare_dest_pools(engine_conn(dst), def.disks, label, pools) < 0)
		goto out;

	if (active) {
		flags |= o->live ? VIR_MIGRATE_LIVE : 0;
		flags |= o->copy_storage ? VIR_MIGRATE_NON_SHARED_DISK : 0;
		flags |= o->unsafe ? VIR_MIGRATE_UNSAFE : 0;
		flags |= VIR_MIGRATE_ABORT_ON_ERROR;
	} else {
		flags |= VIR_MIGRATE_OFFLINE;
	}
	/* a shut-off VM moves only as a definition */
	flags |= o->persistent || !active ? VIR_MIGRATE_PERSIST_DEST : 0;
	flags |= o->undefine_source ? VIR_MIGRATE_UNDEFINE_SOURCE : 0;
	if (add_params(&params, &nparams, &maxparams, o, address, def.dest_xml) < 0)
		goto out;

	job_progress(job, 0, _("Migrating %s to %s over %s..."), name, label, address);
	run = (struct mig_run){ dom, engine_conn(dst), params, nparams, flags };
	g_mutex_init(&run.lock);
	g_cond_init(&run.cond);
	if (!active) {
		mig_thread(&run);
	} else {
		GThread *th = g_thread_new("migrate", mig_thread, &run);

		while (!mig_wait(&run, POLL_US)) {
			if (job_cancelled(job) && !aborted) {
				aborted = virDomainAbortJob(dom) == 0;
				if (!aborted)
					virResetLastError();
			}
			if (o->live && o->timeout_s > 0 && !res->paused_by_timeout &&
			    g_get_monotonic_time() - t0 > (gint64)o->timeout_s * G_USEC_PER_SEC) {
				res->paused_by_timeout = virDomainSuspend(dom) == 0;
				if (res->paused_by_timeout)
					job_progress(job, done, _("%s did not finish in %d s: the guest is paused until it has"),
						     name, o->timeout_s);
				virResetLastError();
			}
			done = MAX(done, report(job, dom, name, label));
		}
		g_thread_join(th);
	}
	res->elapsed_ms = (g_get_monotonic_time() - t0) / 1000;
	res->offline = !active;
	if (!run.result) {
		if (aborted || job_cancelled(job))
			core_error(CORE_ERR_CANCELLED, _("Cancelled the migration of %s to %s."),
				   name, label);
		else
			migrate_error(name, label, address, &def, run.error);
		/* the guest stays where it was, as it was */
		if (res->paused_by_timeout)
			resume_paused(dom);
		goto out;
	}
	completed_stats(run.result, o->undefine_source ? NULL : dom, res);
	if (res->paused_by_timeout)
		resume_paused(run.result);
	virDomainFree(run.result);
	rc = 0;
out:
	if (run.dom) {
		g_mutex_clear(&run.lock);
		g_cond_clear(&run.cond);
	}
	drop_pools(pools);
	def_info_clear(&def);
	g_free(run.error);
	virTypedParamsFree(params, nparams);
	virDomainFree(dom);
	return rc;
}

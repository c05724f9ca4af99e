/*
 * desktop.c — a desktop's state in its domain's metadata, one element in
 * vmtui's desktop namespace:
 *
 *   <vdi:desktop xmlns:vdi="https://vmtui.org/xmlns/desktop/1" pool="lab"
 *                state="assigned" user="alice" since="1764770000"
 *                assigned="1764770000" failures="0" mark="1234"
 *                snapshot="yes" reason="..."/>
 *
 * written into the running guest's definition and the persistent one, so
 * that it survives the broker, vmtui and the guest's restarts; and the
 * pool's log of every move (DATA/pools/NAME.log).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/engine.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/logs.h"
#include "core/vm.h"
#include "vdi/vdi-priv.h"

#define POOL_LOG_MAX (1024 * 1024)

static const struct {
	const char *id, *label;
} states[DESKTOP_STATE_COUNT] = {
	[DESKTOP_PROVISIONING] = { "provisioning", N_("provisioning") },
	[DESKTOP_BOOTING] = { "booting", N_("booting") },
	[DESKTOP_READY] = { "ready", N_("ready") },
	[DESKTOP_ASSIGNED] = { "assigned", N_("assigned") },
	[DESKTOP_CONNECTED] = { "connected", N_("connected") },
	[DESKTOP_DISCONNECTED] = { "disconnected", N_("disconnected") },
	[DESKTOP_RELEASING] = { "releasing", N_("releasing") },
	[DESKTOP_REFRESHING] = { "refreshing", N_("refreshing") },
	[DESKTOP_QUARANTINED] = { "quarantined", N_("quarantined") },
};

const char *desktop_state_id(enum desktop_state s) { return states[s].id; }
const char *desktop_state_label(enum desktop_state s) { return _(states[s].label); }

void desktop_free(struct desktop *d)
{
	if (!d)
		return;
	g_free(d->name);
	g_free(d->pool);
	g_free(d->user);
	g_free(d->reason);
	g_free(d);
}

static gint64 attr_int(xmlNode *n, const char *name)
{
	g_autofree char *v = (char *)xmlGetProp(n, BAD_CAST name);

	return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

static char *attr_str(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *out = v && *v ? g_strdup((const char *)v) : NULL;

	xmlFree(v);
	return out;
}

/* The desktop of VM @name from its metadata element @xml, or NULL when
 * it is none of vmtui's. */
static struct desktop *desktop_parse(const char *name, const char *xml)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "desktop.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *n = doc ? xmlDocGetRootElement(doc) : NULL;
	struct desktop *d = NULL;
	g_autofree char *state = NULL;

	if (!n || strcmp((const char *)n->name, "desktop") != 0)
		goto out;
	d = g_new0(struct desktop, 1);
	d->name = g_strdup(name);
	d->pool = attr_str(n, "pool");
	d->user = attr_str(n, "user");
	d->reason = attr_str(n, "reason");
	d->since = attr_int(n, "since");
	d->assigned = attr_int(n, "assigned");
	d->failures = (unsigned)CLAMP(attr_int(n, "failures"), 0, 1000);
	d->mark = (uint64_t)MAX(attr_int(n, "mark"), 0);
	state = attr_str(n, "state");
	d->snapshot = attr_int(n, "snapshot") == 1;
	d->state = DESKTOP_QUARANTINED;
	for (unsigned i = 0; state && i < DESKTOP_STATE_COUNT; i++)
		if (strcmp(state, states[i].id) == 0)
			d->state = i;
	if (!d->pool) {
		desktop_free(d);
		d = NULL;
	}
out:
	xmlFreeDoc(doc);
	return d;
}

/* @dom's desktop, or NULL (CORE_ERR_NOT_FOUND when it is no desktop). */
static struct desktop *desktop_of(virDomainPtr dom)
{
	char *xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VDI_NS,
					 VIR_DOMAIN_AFFECT_CURRENT);
	struct desktop *d;

	if (!xml) {
		core_error(CORE_ERR_NOT_FOUND, _("VM \"%s\" is no desktop of a pool."),
			   virDomainGetName(dom));
		return NULL;
	}
	d = desktop_parse(virDomainGetName(dom), xml);
	free(xml);
	if (!d) {
		core_error(CORE_ERR_NOT_FOUND, _("VM \"%s\" is no desktop of a pool."),
			   virDomainGetName(dom));
		return NULL;
	}
	d->running = virDomainIsActive(dom) == 1;
	return d;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct desktop *x = *(struct desktop *const *)a, *y = *(struct desktop *const *)b;

	return strcmp(x->name, y->name);
}

GPtrArray *desktop_list(struct engine *eng, const char *pool)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(engine_conn(eng), &doms, 0);
	GPtrArray *out;

	if (n < 0) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot list the VMs"));
		return NULL;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)desktop_free);
	for (int i = 0; i < n; i++) {
		struct desktop *d = desktop_of(doms[i]);

		if (d && (!pool || strcmp(d->pool, pool) == 0))
			g_ptr_array_add(out, d);
		else
			desktop_free(d);
		virDomainFree(doms[i]);
	}
	free(doms);
	core_error_clear();
	g_ptr_array_sort(out, by_name);
	return out;
}

struct desktop *desktop_get(struct engine *eng, const char *name)
{
	virDomainPtr dom = vm_lookup(eng, name);
	struct desktop *d;

	if (!dom)
		return NULL;
	d = desktop_of(dom);
	virDomainFree(dom);
	return d;
}

static void set_int(xmlNode *n, const char *name, gint64 v)
{
	char buf[32];

	g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, v);
	xmlSetProp(n, BAD_CAST name, BAD_CAST buf);
}

/* @d as its metadata element (caller frees). */
static char *desktop_xml(const struct desktop *d)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *n = xmlNewNode(NULL, BAD_CAST "desktop");
	xmlBuffer *buf = xmlBufferCreate();
	char *out;

	xmlDocSetRootElement(doc, n);
	xmlSetProp(n, BAD_CAST "pool", BAD_CAST d->pool);
	xmlSetProp(n, BAD_CAST "state", BAD_CAST desktop_state_id(d->state));
	if (d->user)
		xmlSetProp(n, BAD_CAST "user", BAD_CAST d->user);
	set_int(n, "since", d->since);
	if (d->assigned)
		set_int(n, "assigned", d->assigned);
	set_int(n, "failures", d->failures);
	set_int(n, "mark", (gint64)d->mark);
	set_int(n, "snapshot", d->snapshot);
	if (d->reason)
		xmlSetProp(n, BAD_CAST "reason", BAD_CAST d->reason);
	xmlNodeDump(buf, doc, n, 0, 0);
	out = g_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

int desktop_save(struct engine *eng, const struct desktop *d)
{
	virDomainPtr dom = vm_lookup_settled(eng, d->name);
	g_autofree char *xml = NULL;
	unsigned flags = VIR_DOMAIN_AFFECT_CONFIG;
	int rc;

	if (!dom)
		return -1;
	xml = desktop_xml(d);
	if (virDomainIsActive(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml, "vdi", VDI_NS, flags);
	if (rc < 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot record the state of desktop \"%s\""),
				d->name);
	virDomainFree(dom);
	return rc;
}

static char *pool_log_path(const char *pool)
{
	g_autofree char *data = core_data_dir();
	g_autofree char *file = g_strconcat(pool, ".log", NULL);

	return g_build_filename(data, "pools", file, NULL);
}

char *pool_log_tail(const char *pool, unsigned n)
{
	g_autofree char *path = pool_log_path(pool);
	g_autofree char *text = core_read_file(path, POOL_LOG_MAX + 4096, CORE_READ_NOFOLLOW,
					       _("pool log"), NULL);
	g_auto(GStrv) lines = NULL;
	guint len;

	if (!text) {
		core_error_clear();
		return NULL;
	}
	lines = g_strsplit(g_strchomp(text), "\n", -1);
	len = g_strv_length(lines);
	return g_strjoinv("\n", lines + (len > n ? len - n : 0));
}

/* Appends @line to pool @pool's log, with the time in front; the log is
 * kept under POOL_LOG_MAX. */
void vdi_pool_log(const char *pool, const char *line)
{
	g_autofree char *path = pool_log_path(pool);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree char *text = g_strdup_printf("%s %s\n", when, line);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	if (core_write_all(fd, text, strlen(text)) == 0)
		logs_trim(fd, POOL_LOG_MAX);
	close(fd);
}

int desktop_move(struct engine *eng, struct desktop *d, enum desktop_state state)
{
	g_autofree char *line = NULL;
	enum desktop_state was = d->state;

	d->state = state;
	d->since = g_get_real_time() / G_USEC_PER_SEC;
	if (desktop_save(eng, d) < 0) {
		d->state = was;
		return -1;
	}
	line = g_strdup_printf("%s: %s%s%s%s%s%s%s", d->name, was == state ? "" : desktop_state_id(was),
			       was == state ? "" : " -> ", desktop_state_id(state), d->user ? " user=" : "",
			       d->user ? d->user : "", d->reason && state == DESKTOP_QUARANTINED ?
			       " reason=" : "", d->reason && state == DESKTOP_QUARANTINED ?
			       d->reason : "");
	vdi_pool_log(d->pool, line);
	return 0;
}

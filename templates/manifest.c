/*
 * manifest.c — a template's manifest: DATA/templates/NAME/template.xml,
 * written with libxml2's tree API (every value a text node or attribute)
 * and atomically replaced, read back without network, DTD or entities.
 *
 * Every field is checked with the rules of the commands that set it
 * (template_check) before a manifest is written and after one is read: a
 * value that would make a manifest unreadable never reaches it, and one
 * written by hand is told, not used.  A template whose manifest cannot be
 * read is still listed, as broken with the reason, and can be deleted.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/names.h"
#include "templates/templates-priv.h"

#define MANIFEST "template.xml"
/* a manifest holds a few KiB: its longest texts are a description and a
 * command line of at most 64 KiB each, and keys from a 64 KiB file */
#define MANIFEST_MAX (1024 * 1024)
/* what a template may give its VMs, read from a manifest (vm_check_resources
 * compares it with the host when it is edited) */
#define TEMPLATE_MAX_MEMORY_MIB (UINT64_C(16) << 20)
#define TEMPLATE_MAX_DISK (UINT64_C(1) << 50)
#define TEMPLATE_MAX_ITEMS 1000

/* The disk buses and NIC models libvirt's QEMU driver knows that a
 * template may carry (what a VM, an OVA or an image gives it). */
static const char *const disk_buses[] = { "virtio", "sata", "scsi", "ide", "usb", NULL };
static const char *const nic_models[] = {
	"virtio", "virtio-transitional", "virtio-non-transitional", "e1000", "e1000e", "igb",
	"rtl8139", "vmxnet3", "pcnet", "ne2k_pci", "i82551", "i82557b", "i82559er", NULL
};

char *template_hardware_text(const struct template *t)
{
	return g_strdup_printf(_("%u vCPUs, %" PRIu64 " MiB, %s firmware, %s disk, NIC %s"),
			       t->vcpus, t->memory_mib,
			       t->firmware == FIRMWARE_UEFI ? "uefi" : "bios",
			       t->disk_bus ? t->disk_bus : "virtio",
			       t->nic_model ? t->nic_model : _("none"));
}

void template_free(struct template *t)
{
	if (!t)
		return;
	g_free(t->name);
	g_free(t->dir);
	g_free(t->base);
	g_free(t->description);
	g_free(t->created);
	g_free(t->source);
	g_free(t->os_variant);
	g_free(t->disk_bus);
	g_free(t->nic_model);
	g_free(t->kernel);
	g_free(t->initrd);
	g_free(t->cmdline);
	g_free(t->network);
	g_free(t->user);
	if (t->ssh_keys)
		g_ptr_array_unref(t->ssh_keys);
	if (t->packages)
		g_ptr_array_unref(t->packages);
	g_free(t->warnings);
	g_free(t->broken);
	g_free(t);
}

struct vm_spec *tpl_vm_spec(const struct template *t)
{
	struct vm_spec *spec = vm_spec_new();

	spec->os_variant = g_strdup(t->os_variant);
	spec->vcpus = t->vcpus;
	spec->memory_mib = t->memory_mib;
	spec->firmware = t->firmware;
	spec->disk_bus = g_strdup(t->disk_bus);
	/* provisioning puts the NIC on the network it is asked for */
	if (t->nic_model)
		vm_spec_add_nic(spec, NET_NAT, NULL, t->nic_model);
	spec->kernel = g_strdup(t->kernel);
	spec->initrd = g_strdup(t->initrd);
	spec->cmdline = g_strdup(t->cmdline);
	return spec;
}

char *templates_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "templates", NULL);
}

bool template_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-') {
		core_error(CORE_ERR_USAGE,
			   _("A template name needs 1 to 64 characters and cannot start with \".\" or \"-\": \"%s\"."),
			   name ? name : "");
		return false;
	}
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_.", *p)) {
			core_error(CORE_ERR_USAGE,
				   _("A template name may only hold letters, digits, \"-\", \"_\" and \".\": \"%s\"."),
				   name);
			return false;
		}
	return true;
}

/* A fresh template with the paths of @name filled in. */
static struct template *template_new(const char *name)
{
	struct template *t = g_new0(struct template, 1);
	g_autofree char *top = templates_dir();

	t->name = g_strdup(name);
	t->dir = g_build_filename(top, name, NULL);
	t->base = g_build_filename(t->dir, "base.qcow2", NULL);
	t->ssh_keys = g_ptr_array_new_with_free_func(g_free);
	t->packages = g_ptr_array_new_with_free_func(g_free);
	t->version = 1;
	return t;
}

/* ---- checking ---------------------------------------------------------- */

/* Whether @v is one of @set; else an error naming @what. */
static bool one_of(const char *what, const char *v, const char *const *set)
{
	g_autofree char *list = NULL;

	if (!v || g_strv_contains(set, v))
		return true;
	list = g_strjoinv(", ", (char **)set);
	core_error(CORE_ERR_USAGE, _("The %s \"%s\" is not one vmtui knows (%s)."), what, v, list);
	return false;
}

/* A network name: 1 to 32 letters, digits, '-' or '_'. */
static bool network_valid(const char *n)
{
	size_t len = n ? strlen(n) : 0;

	if (!n || (len >= 1 && len <= 32 && strspn(n, "abcdefghijklmnopqrstuvwxyz"
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == len))
		return true;
	core_error(CORE_ERR_USAGE, _("\"%s\" is not a network name (1 to 32 letters, digits, \"-\" or \"_\")."), n);
	return false;
}

int template_check(const struct template *t)
{
	struct os_defaults def;

	if (!core_text_valid(_("description"), t->description) ||
	    !core_text_valid(_("creation time"), t->created) ||
	    !core_text_valid(_("source"), t->source) ||
	    !core_text_valid(_("warning"), t->warnings) ||
	    !core_text_valid(_("kernel command line"), t->cmdline))
		return -1;
	/* as `create --os` checks it */
	if (t->os_variant) {
		if (os_defaults_get(t->os_variant, &def) < 0)
			return -1;
		os_defaults_fini(&def);
	}
	if (t->version < 1 || t->version == UINT_MAX) {
		core_error(CORE_ERR_USAGE, _("The version %u is out of range."), t->version);
		return -1;
	}
	if (t->vcpus < 1) {
		core_error(CORE_ERR_USAGE, _("A VM needs at least 1 vCPU."));
		return -1;
	}
	if (vm_check_resources(NULL, t->vcpus, MAX(t->memory_mib, 1)) < 0)
		return -1;
	if (t->memory_mib > TEMPLATE_MAX_MEMORY_MIB || t->disk_bytes > TEMPLATE_MAX_DISK) {
		core_error(CORE_ERR_USAGE, _("The memory (%" PRIu64 " MiB) or disk size (%" PRIu64 " bytes) is out of range."),
			   t->memory_mib, t->disk_bytes);
		return -1;
	}
	if (!one_of(_("disk bus"), t->disk_bus, disk_buses) ||
	    !one_of(_("NIC model"), t->nic_model, nic_models) || !network_valid(t->network))
		return -1;
	if (t->initrd && !t->kernel) {
		core_error(CORE_ERR_USAGE, _("An initrd needs a kernel (--kernel)."));
		return -1;
	}
	if (t->user && !seed_user_valid(t->user))
		return -1;
	if (t->ssh_keys->len > TEMPLATE_MAX_ITEMS || t->packages->len > TEMPLATE_MAX_ITEMS) {
		core_error(CORE_ERR_USAGE, _("More than %d SSH keys or packages."), TEMPLATE_MAX_ITEMS);
		return -1;
	}
	for (guint i = 0; i < t->ssh_keys->len; i++)
		if (!seed_ssh_key_valid(t->ssh_keys->pdata[i]))
			return -1;
	for (guint i = 0; i < t->packages->len; i++)
		if (!seed_package_valid(t->packages->pdata[i]))
			return -1;
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static void add_text(xmlNodePtr parent, const char *name, const char *text)
{
	if (text)
		xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void set_attr(xmlNodePtr n, const char *name, const char *value)
{
	if (value)
		xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static void set_uint(xmlNodePtr n, const char *name, uint64_t v)
{
	char buf[32];

	g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
	set_attr(n, name, buf);
}

/* File name of @path when it lies in @dir (the template's own copies). */
static const char *in_dir(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (path && strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

int template_save(const struct template *t)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "template");
	xmlNodePtr n, ci;
	xmlChar *buf = NULL;
	int len = 0, rc;
	g_autofree char *path = g_build_filename(t->dir, MANIFEST, NULL);

	if (template_check(t) < 0) {
		xmlFreeDoc(doc);
		xmlFreeNode(root);
		return -1;
	}
	xmlDocSetRootElement(doc, root);
	set_uint(root, "version", t->version);
	add_text(root, "name", t->name);
	add_text(root, "description", t->description);
	add_text(root, "created", t->created);
	add_text(root, "source", t->source);
	add_text(root, "os", t->os_variant);
	n = xmlNewChild(root, NULL, BAD_CAST "hardware", NULL);
	set_uint(n, "vcpus", t->vcpus);
	set_uint(n, "memory_mib", t->memory_mib);
	set_attr(n, "firmware", t->firmware == FIRMWARE_UEFI ? "uefi" : "bios");
	set_attr(n, "disk_bus", t->disk_bus);
	set_attr(n, "nic_model", t->nic_model);
	n = xmlNewChild(root, NULL, BAD_CAST "disk", NULL);
	set_attr(n, "file", in_dir(t->dir, t->base));
	set_attr(n, "format", "qcow2");
	set_uint(n, "size", t->disk_bytes);
	if (t->kernel) {
		n = xmlNewChild(root, NULL, BAD_CAST "boot", NULL);
		set_attr(n, "kernel", in_dir(t->dir, t->kernel));
		set_attr(n, "initrd", in_dir(t->dir, t->initrd));
		add_text(n, "cmdline", t->cmdline);
	}
	n = xmlNewChild(root, NULL, BAD_CAST "network", NULL);
	set_attr(n, "name", t->network ? t->network : "nat");
	ci = xmlNewChild(root, NULL, BAD_CAST "cloud-init", NULL);
	set_attr(ci, "sudo", t->sudo ? "yes" : "no");
	add_text(ci, "user", t->user);
	for (guint i = 0; t->ssh_keys && i < t->ssh_keys->len; i++)
		add_text(ci, "ssh-key", t->ssh_keys->pdata[i]);
	for (guint i = 0; t->packages && i < t->packages->len; i++)
		add_text(ci, "package", t->packages->pdata[i]);
	add_text(root, "warnings", t->warnings);

	xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	rc = core_write_file_atomic(path, buf, (size_t)len, 0644);
	xmlFree(buf);
	return rc;
}

/* ---- reading ----------------------------------------------------------- */

static char *node_text(xmlNodePtr n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *out = g_strdup((const char *)s);

	xmlFree(s);
	return out;
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *s = xmlGetProp(n, BAD_CAST name);
	char *out = s ? g_strdup((const char *)s) : NULL;

	xmlFree(s);
	return out;
}

/* Reads the whole-number attribute @name of @n (absent: *@out = 0 unless
 * @needed) within [0, @max].  false with an error naming it. */
static bool attr_uint(xmlNodePtr n, const char *name, uint64_t max, bool needed, uint64_t *out)
{
	g_autofree char *s = attr(n, name);
	g_autofree char *what = g_strdup_printf("<%s %s>", (const char *)n->name, name);
	long long v;

	*out = 0;
	if (!s && !needed)
		return true;
	if (!core_parse_int(what, s, 0, (long long)MIN(max, (uint64_t)G_MAXINT64), &v))
		return false;
	*out = (uint64_t)v;
	return true;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The path of a file the manifest names, inside the template's folder
 * only (a manifest cannot point vmtui at other host files). */
static char *dir_file(const struct template *t, const char *file)
{
	if (!file || !*file || strchr(file, '/') || strcmp(file, "..") == 0 ||
	    strcmp(file, ".") == 0)
		return NULL;
	return g_build_filename(t->dir, file, NULL);
}

/* Fills @t from the elements of the manifest @root.  0, or -1 with an
 * error saying which value is wrong. */
static int parse(struct template *t, xmlNodePtr root)
{
	uint64_t v;

	if (!attr_uint(root, "version", UINT_MAX, true, &v))
		return -1;
	t->version = (unsigned)v;
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (is(n, "description"))
			t->description = node_text(n);
		else if (is(n, "created"))
			t->created = node_text(n);
		else if (is(n, "source"))
			t->source = node_text(n);
		else if (is(n, "os"))
			t->os_variant = node_text(n);
		else if (is(n, "warnings"))
			t->warnings = node_text(n);
		else if (is(n, "hardware")) {
			g_autofree char *fw = attr(n, "firmware");

			if (!attr_uint(n, "vcpus", UINT_MAX, true, &v))
				return -1;
			t->vcpus = (unsigned)v;
			if (!attr_uint(n, "memory_mib", TEMPLATE_MAX_MEMORY_MIB, true, &t->memory_mib))
				return -1;
			if (fw && strcmp(fw, "uefi") != 0 && strcmp(fw, "bios") != 0) {
				core_error(CORE_ERR_USAGE, _("The firmware \"%s\" is neither bios nor uefi."), fw);
				return -1;
			}
			t->firmware = g_strcmp0(fw, "uefi") == 0 ? FIRMWARE_UEFI : FIRMWARE_BIOS;
			t->disk_bus = attr(n, "disk_bus");
			t->nic_model = attr(n, "nic_model");
		} else if (is(n, "disk")) {
			g_autofree char *file = attr(n, "file");
			char *p = dir_file(t, file);

			if (p) {
				g_free(t->base);
				t->base = p;
			}
			if (!attr_uint(n, "size", TEMPLATE_MAX_DISK, false, &t->disk_bytes))
				return -1;
		} else if (is(n, "boot")) {
			g_autofree char *k = attr(n, "kernel");
			g_autofree char *i = attr(n, "initrd");

			t->kernel = dir_file(t, k);
			t->initrd = dir_file(t, i);
			for (xmlNodePtr c = n->children; c; c = c->next)
				if (is(c, "cmdline"))
					t->cmdline = node_text(c);
		} else if (is(n, "network")) {
			t->network = attr(n, "name");
		} else if (is(n, "cloud-init")) {
			g_autofree char *sudo = attr(n, "sudo");

			if (sudo && strcmp(sudo, "yes") != 0 && strcmp(sudo, "no") != 0) {
				core_error(CORE_ERR_USAGE, _("sudo=\"%s\" is neither yes nor no."), sudo);
				return -1;
			}
			t->sudo = g_strcmp0(sudo, "yes") == 0;
			for (xmlNodePtr c = n->children; c; c = c->next) {
				if (is(c, "user"))
					t->user = node_text(c);
				else if (is(c, "ssh-key"))
					g_ptr_array_add(t->ssh_keys, node_text(c));
				else if (is(c, "package"))
					g_ptr_array_add(t->packages, node_text(c));
			}
		}
	}
	return template_check(t);
}

/* Reads and checks the manifest of @t.  0, or -1 with an error saying
 * what is wrong with it. */
static int read_manifest(struct template *t)
{
	g_autofree char *path = g_build_filename(t->dir, MANIFEST, NULL);
	g_autofree char *text = NULL;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t len;
	int rc;

	text = core_read_file(path, MANIFEST_MAX, CORE_READ_NOFOLLOW, _("manifest"), &len);
	if (!text)
		return -1;
	ctxt = xmlNewParserCtxt();
	doc = ctxt ? xmlCtxtReadMemory(ctxt, text, (int)len, MANIFEST, NULL,
				       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) :
		     NULL;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is(root, "template")) {
		const xmlError *e = ctxt ? xmlCtxtGetLastError(ctxt) : NULL;
		g_autofree char *msg = e && e->message ? g_strstrip(g_strdup(e->message)) : NULL;

		if (msg)
			core_error(CORE_ERR_FAILED, _("it is not XML vmtui can read (line %d: %s)"),
				   e->line, msg);
		else
			core_error(CORE_ERR_FAILED, _("it is not a template manifest"));
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	rc = parse(t, root);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

struct template *tpl_load_any(const char *name)
{
	autoptr(template) t = NULL;
	g_autofree char *path = NULL;

	if (!template_name_valid(name))
		return NULL;
	t = template_new(name);
	if (!g_file_test(t->dir, G_FILE_TEST_IS_DIR)) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no template named \"%s\"."), name);
		return NULL;
	}
	if (read_manifest(t) == 0)
		return g_steal_pointer(&t);
	path = g_build_filename(t->dir, MANIFEST, NULL);
	t->broken = g_strdup_printf(_("The manifest of template \"%s\" (%s) cannot be used: %s"),
				    name, path, core_error_message());
	core_error_clear();
	return g_steal_pointer(&t);
}

struct template *template_load(const char *name)
{
	autoptr(template) t = tpl_load_any(name);

	if (t && t->broken) {
		core_error(CORE_ERR_FAILED, "%s", t->broken);
		return NULL;
	}
	return g_steal_pointer(&t);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct template *x = *(struct template *const *)a;
	const struct template *y = *(struct template *const *)b;

	return strcmp(x->name, y->name);
}

GPtrArray *template_list(void)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)template_free);
	g_autofree char *top = templates_dir();
	GDir *d = g_dir_open(top, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		struct template *t;

		if (e[0] == '.')
			continue; /* staging folders */
		/* a broken one too, with the reason: it can be deleted */
		t = tpl_load_any(e);
		if (t)
			g_ptr_array_add(out, t);
		core_error_clear();
	}
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(out, by_name);
	return out;
}

struct template *template_alloc(const char *name)
{
	return template_new(name);
}

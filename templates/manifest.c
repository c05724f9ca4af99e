/*
 * manifest.c — a template's manifest: DATA/templates/NAME/template.xml,
 * written with libxml2's tree API (every value a text node or attribute)
 * and atomically replaced, read back without network, DTD or entities.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "i18n.h"
#include "templates-priv.h"

#define MANIFEST "template.xml"

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
	spec->nic_model = g_strdup(t->nic_model);
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

static uint64_t attr_uint(xmlNodePtr n, const char *name)
{
	g_autofree char *s = attr(n, name);

	return s ? g_ascii_strtoull(s, NULL, 10) : 0;
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

struct template *template_load(const char *name)
{
	autoptr(template) t = NULL;
	g_autofree char *path = NULL;
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;
	xmlDocPtr doc;
	xmlNodePtr root;

	if (!template_name_valid(name))
		return NULL;
	t = template_new(name);
	path = g_build_filename(t->dir, MANIFEST, NULL);
	if (!g_file_get_contents(path, &text, &len, &err)) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			core_error(CORE_ERR_NOT_FOUND, _("There is no template named \"%s\"."), name);
		else
			core_error(CORE_ERR_FAILED, _("Cannot read template \"%s\": %s"), name,
				   err->message);
		return NULL;
	}
	doc = xmlReadMemory(text, (int)len, MANIFEST, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is(root, "template")) {
		xmlFreeDoc(doc);
		core_error(CORE_ERR_FAILED, _("The manifest of template \"%s\" (%s) is damaged."),
			   name, path);
		return NULL;
	}
	t->version = (unsigned)attr_uint(root, "version");
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

			t->vcpus = (unsigned)attr_uint(n, "vcpus");
			t->memory_mib = attr_uint(n, "memory_mib");
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
			t->disk_bytes = attr_uint(n, "size");
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
	xmlFreeDoc(doc);
	if (!t->vcpus || !t->memory_mib) {
		core_error(CORE_ERR_FAILED, _("The manifest of template \"%s\" (%s) is damaged."),
			   name, path);
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
		t = template_load(e);
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

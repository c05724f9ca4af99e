/*
 * xml-property.c — property test for user text in domain XML.
 *
 * Random names, descriptions, paths and kernel command lines made of the
 * characters that break hand-written XML (quotes, '<', '&', "]]>",
 * newlines, right-to-left text, 4 KiB runs) must either be refused by
 * vmtui's rules or come back exactly through libvirt define + dumpxml.
 * 10,000 cases run on libvirt's test driver (in-process, fast) and a few
 * hundred on the embedded QEMU driver, which validates more.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/core-priv.h"
#include "core/error.h"
#include "core/settings.h"
#include "core/names.h"
#include "core/engine.h"
#include "core/vm.h"
#include "tests/tap.h"

static const char *const pieces[] = {
	"a", "Z", "0", "-", "_", ".", " ", "'", "\"", "<", ">", "&", "]]>",
	"<!--", "&amp;", "&#0;", "\n", "\t", "\r", "/", "\\", ",", ";", "=", "%s",
	"\xd7\x90\xd7\x91", /* Hebrew (RTL) */
	"\xe2\x80\xae",     /* RIGHT-TO-LEFT OVERRIDE */
	"\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a", /* Arabic */
	"\xe6\xb5\x8b\xe8\xaf\x95", /* CJK */
	"\xf0\x9f\x98\x80", /* emoji */
	"\xc3\xa9",
};

/* Control characters vmtui refuses; rare, so most cases get defined. */
static const char *const controls[] = { "\x01", "\x7f", "\r", "\x1b" };

/* Random text of up to @max_pieces pieces.  In @strict mode (names and
 * paths) the pieces vmtui's rules refuse there are rare too. */
static char *random_text(GRand *r, int max_pieces, bool strict)
{
	GString *s = g_string_new(NULL);
	int n = g_rand_int_range(r, 0, max_pieces + 1);

	for (int i = 0; i < n; i++) {
		const char *p = pieces[g_rand_int_range(r, 0, G_N_ELEMENTS(pieces))];

		if (strict && (strchr("\n\t\r/", p[0]) || g_str_has_prefix(p, "\xe2\x80\xae")) &&
		    g_rand_int_range(r, 0, 20) != 0) {
			i--;
			continue;
		}
		if (g_rand_int_range(r, 0, 200) == 0)
			g_string_append(s, controls[g_rand_int_range(r, 0, G_N_ELEMENTS(controls))]);
		else
			g_string_append(s, p);
	}
	return g_string_free(s, FALSE);
}

struct stats {
	int defined, refused_name, refused_text, mismatched, define_failed;
};

/* One case: returns false on a property violation (already reported). */
static bool one_case(virConnectPtr conn, GRand *r, const char *type,
		     struct stats *st, int i)
{
	autoptr(vm_spec) spec = vm_spec_new();
	autoptr(vm_spec) back = NULL;
	g_autofree char *xml = NULL, *dumped = NULL, *path = NULL;
	virDomainPtr dom;
	bool ok = true;

	spec->name = random_text(r, 12, true);
	spec->description = g_rand_int_range(r, 0, 20) == 0 ?
		g_strnfill(4096, 'x') : random_text(r, 40, false);
	if (g_rand_int_range(r, 0, 50) == 0) {
		/* a 4 KiB run of awkward text */
		GString *big = g_string_new(NULL);

		while (big->len < 4096)
			g_string_append(big, "<&\"]]>\xd7\x90\n");
		g_free(spec->description);
		spec->description = g_string_free(big, FALSE);
	}
	path = random_text(r, 10, true);
	spec->domain_type = g_strdup(type);
	spec->vcpus = 1;
	spec->memory_mib = 64;
	spec->kernel = g_strdup_printf("/k/%s", path);
	spec->cmdline = random_text(r, 20, false);
	/* libvirt drops empty elements: "" and absent mean the same */
	if (!*spec->cmdline)
		g_clear_pointer(&spec->cmdline, g_free);
	if (!*spec->description)
		g_clear_pointer(&spec->description, g_free);
	vm_spec_add_disk(spec, spec->kernel, "raw", false);

	if (!core_name_valid(spec->name)) {
		st->refused_name++;
		return true;
	}
	if (!core_text_valid("description", spec->description) ||
	    !core_text_valid("kernel command line", spec->cmdline) ||
	    !core_path_valid("kernel", spec->kernel)) {
		st->refused_text++;
		return true;
	}
	xml = domxml_build(spec);
	dom = xml ? virDomainDefineXML(conn, xml) : NULL;
	if (!dom) {
		virErrorPtr e = virGetLastError();

		st->define_failed++;
		tap_diag("case %d: valid input refused by libvirt: name=\"%s\": %s",
			 i, spec->name, e ? e->message : "?");
		return false;
	}
	st->defined++;
	dumped = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	back = dumped ? domxml_parse(dumped) : NULL;
	if (!back || g_strcmp0(back->name, spec->name) ||
	    g_strcmp0(back->description, spec->description) ||
	    g_strcmp0(back->kernel, spec->kernel) ||
	    g_strcmp0(back->cmdline, spec->cmdline) || back->disks->len != 1 ||
	    g_strcmp0(((struct vm_disk *)back->disks->pdata[0])->path, spec->kernel)) {
		st->mismatched++;
		tap_diag("case %d: round trip changed the text: name=\"%s\" back=\"%s\"",
			 i, spec->name, back ? back->name : "(unparsed)");
		if (back && g_strcmp0(back->description, spec->description))
			tap_diag("  description differs");
		if (back && g_strcmp0(back->kernel, spec->kernel))
			tap_diag("  kernel \"%s\" came back as \"%s\"", spec->kernel, back->kernel);
		if (back && back->disks->len == 1 &&
		    g_strcmp0(((struct vm_disk *)back->disks->pdata[0])->path, spec->kernel))
			tap_diag("  disk \"%s\" came back as \"%s\"", spec->kernel,
				 ((struct vm_disk *)back->disks->pdata[0])->path);
		if (back && g_strcmp0(back->cmdline, spec->cmdline))
			tap_diag("  cmdline \"%s\" came back as \"%s\"", spec->cmdline, back->cmdline);
		ok = false;
	}
	virDomainUndefine(dom);
	virDomainFree(dom);
	return ok;
}

static void run(const char *what, const char *uri, const char *type, int n,
		guint32 seed)
{
	struct core_config cfg = { .uri = (char *)uri, .accel = ACCEL_TCG,
				   .op_timeout = 30, .pool = (char *)"default" };
	struct engine *eng;
	struct stats st = { 0 };
	g_autoptr(GRand) r = g_rand_new_with_seed(seed);
	char *root = NULL;
	int bad = 0;

	if (!uri) {
		root = g_strdup("/tmp/vtp.XXXXXX");
		if (!g_mkdtemp(root)) {
			tap_ok(0, "temporary engine root");
			return;
		}
		cfg.engine_root = root;
	}
	eng = engine_open(&cfg);
	if (!tap_ok(eng != NULL, "%s: engine opens (%s)", what,
		    eng ? "" : core_error_message()))
		return;
	for (int i = 0; i < n; i++)
		if (!one_case(engine_conn(eng), r, type, &st, i) && ++bad > 20)
			break;
	tap_ok(bad == 0, "%s: %d cases (seed %u): %d defined and read back exactly, "
	       "%d refused by the name rule, %d by the text rule, %d mismatched, %d refused by libvirt",
	       what, n, seed, st.defined, st.refused_name, st.refused_text,
	       st.mismatched, st.define_failed);
	tap_ok(st.defined > n / 10 && st.refused_name > 0,
	       "%s: the generator exercises both outcomes", what);
	engine_close(eng);
	if (root) {
		const char *argv[] = { "rm", "-rf", root, NULL };

		if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
				  NULL, NULL, NULL, NULL, NULL, NULL))
			tap_diag("could not remove %s", root);
		g_free(root);
	}
}

int main(void)
{
	const char *s = g_getenv("VMTUI_SEED");
	guint32 seed = s ? (guint32)atoi(s) : (guint32)g_get_real_time();

	const char *n = g_getenv("VMTUI_PROPERTY_CASES");
	int cases = n ? atoi(n) : 10000;

	run("test driver", "test:///default", "test", cases, seed);
	run("embedded QEMU driver", NULL, "qemu", MAX(cases / 33, 30), seed + 1);
	return tap_done();
}

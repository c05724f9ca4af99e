/*
 * replay.c — main() for the OVA fuzz target when it is not built with
 * libFuzzer: a short, deterministic run for `make check`.  It replays the
 * seed corpus (tests/fuzz/ova-corpus: real OVFs and OVAs, good ones and
 * every hostile one tests/ova.sh uses), checks that the good seeds are
 * accepted and the bad ones refused, then feeds mutations of the seeds
 * (byte flips, cuts, splices, inserted tokens) from a fixed seed.  A crash,
 * a sanitizer report or a hang fails the test; TAP output.
 *
 * VMTUI_FUZZ_MUTATIONS sets the number of mutations (default 5000).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/ova.h"
#include "tests/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Whether the seed @name (good-*, bad-*) is accepted as it should be. */
static bool verdict(const char *name, const char *data, size_t len)
{
	bool accepted;

	if (g_str_has_suffix(name, ".ovf")) {
		struct ovf_desc *d = ovf_parse(data, len);

		accepted = d != NULL;
		ovf_desc_free(d);
	} else if (g_str_has_suffix(name, ".mf")) {
		GPtrArray *m = ova_manifest_parse(data, len);

		accepted = m != NULL;
		if (m)
			g_ptr_array_unref(m);
	} else {
		struct ova_scan *s = ova_scan_memory(data, len);

		accepted = s != NULL;
		ova_scan_free(s);
	}
	return accepted;
}

static const char *const tokens[] = {
	"<!DOCTYPE x [<!ENTITY a \"b\">]>", "../", "/", "&a;", "\n", "ovf:/disk/",
	"byte * 2^", "18446744073709551615", "<Item>", "</Item>", "ovf:href=\"",
	"\xff\xff\xff\xff", "SHA256(", ")= ", "ustar\0", "0000777",
};

int main(int argc, char **argv)
{
	const char *src = getenv("srcdir");
	g_autofree char *dir = argc > 1 ? g_strdup(argv[1]) :
		g_build_filename(src ? src : "tests", "fuzz", "ova-corpus", NULL);
	const char *e = getenv("VMTUI_FUZZ_MUTATIONS");
	long mutations = e ? atol(e) : 5000;
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	const char *name;
	unsigned good = 0, bad = 0;

	if (!d) {
		printf("Bail out! no corpus at %s\n", dir);
		return 1;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		char *data;
		gsize len;

		if (!g_file_get_contents(path, &data, &len, NULL))
			continue;
		if (g_str_has_prefix(name, "good-")) {
			bool ok = verdict(name, data, len);

			tap_ok(ok, "seed %s is accepted%s%s", name, ok ? "" : ": ",
			       ok ? "" : core_error_message());
			good++;
		} else if (g_str_has_prefix(name, "bad-")) {
			bool ok = !verdict(name, data, len);

			tap_ok(ok, "seed %s is refused: %s", name, core_error_message());
			bad++;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_ptr_array_add(seeds, g_bytes_new_take(data, len));
	}
	tap_ok(good >= 4 && bad >= 20, "the corpus has good and hostile seeds (%u, %u)", good, bad);
	for (long i = 0; i < mutations && seeds->len; i++) {
		GBytes *b = seeds->pdata[next() % seeds->len];
		gsize len;
		const guint8 *base = g_bytes_get_data(b, &len);
		g_autoptr(GByteArray) m = g_byte_array_sized_new((guint)len + 64);
		unsigned n = 1 + next() % 8;

		g_byte_array_append(m, base, (guint)len);
		while (n--) {
			size_t at = m->len ? next() % m->len : 0;

			switch (next() % 5) {
			case 0: /* flip a byte */
				if (m->len)
					m->data[at] ^= (guint8)(1 + next() % 255);
				break;
			case 1: /* cut the tail */
				g_byte_array_set_size(m, (guint)at);
				break;
			case 2: { /* drop a range */
				size_t cut = next() % 64;

				g_byte_array_remove_range(m, (guint)at, (guint)MIN(m->len - at, cut));
				break;
			}
			case 3: { /* insert a token */
				const char *t = tokens[next() % G_N_ELEMENTS(tokens)];

				{
					g_autoptr(GByteArray) r = g_byte_array_new();

					g_byte_array_append(r, m->data, (guint)at);
					g_byte_array_append(r, (const guint8 *)t, (guint)strlen(t));
					g_byte_array_append(r, m->data + at, (guint)(m->len - at));
					g_byte_array_set_size(m, 0);
					g_byte_array_append(m, r->data, r->len);
				}
				break;
			}
			default: /* a digit for a size field */
				if (m->len)
					m->data[at] = (guint8)('0' + next() % 10);
				break;
			}
		}
		LLVMFuzzerTestOneInput(m->data, m->len);
	}
	tap_ok(true, "%ld mutations of %u seeds ran without a crash", mutations, seeds->len);
	return tap_done();
}

/*
 * fuzz-ova.c — the libFuzzer target for OVA import's checking half: one
 * input is tried as an OVF descriptor (ovf_parse), as a manifest
 * (ova_manifest_parse), as a whole OVA held in memory (ova_scan_memory:
 * the tar reader, every entry check, the OVF and manifest cross-checks),
 * and its first line as a tar entry name of each type (ova_entry_check).
 *
 * Built with libFuzzer by `./configure --enable-fuzzing` (clang); without
 * it tests/fuzz/replay.c supplies main() and `make check` replays the
 * seed corpus plus deterministic mutations.
 */
#include "config.h"

#include <archive_entry.h>
#include <stdint.h>
#include <string.h>

#include "images/ova.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned types[] = { AE_IFREG, AE_IFLNK, AE_IFDIR, AE_IFCHR,
					  AE_IFBLK, AE_IFIFO, 0 };
	const char *text = (const char *)data;
	struct ovf_desc *d;
	struct ova_scan *s;
	GPtrArray *mf;

	d = ovf_parse(text, size);
	ovf_desc_free(d);
	mf = ova_manifest_parse(text, size);
	if (mf)
		g_ptr_array_unref(mf);
	s = ova_scan_memory(data, size);
	ova_scan_free(s);
	{
		const char *nl = memchr(text, '\n', MIN(size, 300));
		g_autofree char *name = g_strndup(text, nl ? (size_t)(nl - text) : MIN(size, 300));
		g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

		for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
			ova_entry_check(name, types[i], i == 0 ? name : NULL,
					(int64_t)size - 1, seen);
	}
	core_error_clear();
	return 0;
}

/*
 * unit-run.c — helper programs under their limits: the environment they
 * get, and qemu-img doing its work inside the memory limit vmtui sets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/run.h"
#include "tests/tap.h"

/* The value of @name in the environment `env` prints under core_run. */
static char *child_env(const char *name)
{
	const char *argv[] = { "env", NULL };
	g_autofree char *out = core_run(argv, "a test", NULL);
	g_autofree char *key = g_strdup_printf("%s=", name);
	g_auto(GStrv) lines = g_strsplit(out ? out : "", "\n", -1);

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, key))
			return g_strdup(*l + strlen(key));
	return NULL;
}

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("vmtui-run-XXXXXX", NULL);
	g_autofree char *raw = g_build_filename(dir, "data.raw", NULL);
	g_autofree char *src = g_build_filename(dir, "src.qcow2", NULL);
	g_autofree char *dst = g_build_filename(dir, "dst.qcow2", NULL);
	g_autofree char *data = g_malloc(64 << 20);
	g_autofree char *arena = NULL;
	int converted = 0;

	unsetenv("MALLOC_ARENA_MAX");
	arena = child_env("MALLOC_ARENA_MAX");
	tap_is_str(arena, "2", "a helper runs with two malloc arenas");
	g_clear_pointer(&arena, g_free);
	setenv("MALLOC_ARENA_MAX", "8", 1);
	arena = child_env("MALLOC_ARENA_MAX");
	tap_is_str(arena, "8", "  ... unless vmtui's own environment says otherwise");
	unsetenv("MALLOC_ARENA_MAX");

	/* qemu-img convert starts a dozen threads; with an arena each it
	 * reserved over 500 MiB of address space and aborted in most runs
	 * under this limit */
	memset(data, 1, 64 << 20);
	tap_ok(g_file_set_contents(raw, data, 64 << 20, NULL), "64 MiB of data written");
	const char *mk[] = { "convert", "-f", "raw", "-O", "qcow2", raw, src, NULL };
	g_autofree char *made = core_qemu_img(mk, "a test", NULL);
	tap_ok(made != NULL, "qemu-img makes a qcow2 image of it");
	for (int i = 0; i < 4; i++) {
		const char *cv[] = { "convert", "-f", "qcow2", "-O", "qcow2", src, dst, NULL };
		struct run_opts o = { .max_memory = 500u << 20 };
		g_autofree char *out = core_qemu_img(cv, "a test", &o);

		if (out)
			converted++;
		else
			tap_diag("%s", core_error_message());
		unlink(dst);
	}
	tap_ok(converted == 4, "qemu-img convert works under a 500 MiB limit (%d of 4 runs)",
	       converted);
	unlink(src);
	unlink(raw);
	rmdir(dir);
	return tap_done();
}

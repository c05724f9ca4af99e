/*
 * unit-templates.c — what provisioning takes from a user: lab name
 * patterns, host names, user names, SSH keys, hashes, packages and
 * user-data files; and the seed files made of them, which no value can
 * add keys to.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "templates-priv.h"
#include "tap.h"

static void names(const char *pattern, unsigned count, const char *first,
		  const char *last, guint n)
{
	g_autoptr(GPtrArray) a = provision_expand_names(pattern, count);

	if (!tap_ok(a != NULL, "pattern \"%s\" (count %u) expands", pattern, count))
		return;
	tap_ok(a->len == n, "  ... to %u names (got %u)", n, a->len);
	tap_is_str((const char *)a->pdata[0], first, "  ... first");
	tap_is_str((const char *)a->pdata[a->len - 1], last, "  ... last");
}

/* Writes @len bytes of @data to a temporary file; caller frees the path. */
static char *tmpfile_with(const void *data, size_t len)
{
	char *path = g_strdup("/tmp/unit-templates.XXXXXX");
	int fd = g_mkstemp(path);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

int main(void)
{
	names("lab-{01..20}", 0, "lab-01", "lab-20", 20);
	names("lab-{01..20}", 20, "lab-01", "lab-20", 20);
	names("pc{8..11}-x", 0, "pc8-x", "pc11-x", 4);
	names("web", 3, "web-1", "web-3", 3);
	names("one", 0, "one", "one", 1);
	tap_ok(provision_expand_names("lab-{01..20}", 5) == NULL &&
	       strstr(core_error_message(), "does not match"), "a count that does not match the pattern is refused");
	tap_ok(provision_expand_names("lab-{1..99999}", 0) == NULL, "more than 1000 VMs is refused");
	tap_ok(provision_expand_names("lab-{a..z}", 0) == NULL, "letters in a range are refused");
	/* hostile ranges: each is refused at once, none loops or wraps */
	tap_ok(provision_expand_names("lab-{18446744073709551615..18446744073709551615}", 0) == NULL &&
	       strstr(core_error_message(), "at most 5 digits"),
	       "a range at the end of unsigned long is refused (it looped forever)");
	tap_ok(provision_expand_names("lab-{4294967295..4294967296}", 0) == NULL,
	       "a range across 2^32 is refused");
	tap_ok(provision_expand_names("lab-{000000001..2}", 0) == NULL, "numbers wider than 5 digits are refused");
	tap_ok(provision_expand_names("lab-{1..2}-{1..2}", 0) == NULL, "two ranges are refused");
	tap_ok(provision_expand_names("lab-{1..2", 0) == NULL && provision_expand_names("lab-1..2}", 0) == NULL,
	       "an unbalanced brace is refused");
	tap_ok(provision_expand_names("lab-{-1..2}", 0) == NULL && provision_expand_names("lab-{+1..2}", 0) == NULL,
	       "signs in a range are refused");
	tap_ok(provision_expand_names("web", 1001) == NULL, "--count above 1000 is refused");
	names("pc-{99999..99999}", 0, "pc-99999", "pc-99999", 1);
	names("pc-{99000..99999}", 0, "pc-99000", "pc-99999", 1000);
	tap_ok(provision_expand_names("../x-{1..2}", 0) == NULL, "names with '/' are refused");

	tap_ok(seed_hostname_valid("web-1.lab.example"), "a dotted host name is valid");
	tap_ok(!seed_hostname_valid("../x"), "../x is no host name");
	tap_ok(!seed_hostname_valid("-x"), "a label cannot start with -");
	tap_ok(!seed_hostname_valid("x-"), "a label cannot end with -");
	tap_ok(!seed_hostname_valid("a..b"), "empty labels are refused");
	tap_ok(!seed_hostname_valid("a_b"), "underscores are refused");
	{
		char label[70];

		memset(label, 'a', 64);
		label[64] = '\0';
		tap_ok(!seed_hostname_valid(label), "a 64-character label is refused");
	}
	tap_ok(seed_user_valid("alice") && seed_user_valid("_svc-1"), "plain user names are valid");
	tap_ok(!seed_user_valid("root") && !seed_user_valid("Al") && !seed_user_valid("a b") &&
	       !seed_user_valid("a:b"), "root, capitals, spaces and colons are refused");
	tap_ok(seed_ssh_key_valid("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq me@h"), "an ed25519 key is valid");
	tap_ok(!seed_ssh_key_valid("ssh-ed25519 AAAA\nhostname: x"), "a key with a newline is refused");
	tap_ok(!seed_ssh_key_valid("ssh-rsa AA\"AA"), "a key with a quote in its base64 is refused");
	tap_ok(!seed_ssh_key_valid("hello world"), "text that is no key is refused");
	tap_ok(!seed_ssh_key_valid("ssh-rsa \xff\xfe"), "binary data is refused");
	tap_ok(seed_password_hash_valid("$6$salt$abc/def."), "a SHA-512 crypt hash is valid");
	tap_ok(!seed_password_hash_valid("secret") && !seed_password_hash_valid("$6$a b"),
	       "a password, or a hash with a space, is refused");
	tap_ok(seed_package_valid("libc6-dev") && seed_package_valid("g++") &&
	       !seed_package_valid("a;rm") && !seed_package_valid("-x"),
	       "package names are checked");

	{
		g_autofree char *big = g_malloc(1024 * 1024 + 20);
		g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *ud = NULL;

		memcpy(big, "#cloud-config\n", 14);
		memset(big + 14, 'a', 1024 * 1024 + 6);
		p1 = tmpfile_with(big, 1024 * 1024 + 20);
		tap_ok(seed_read_user_data(p1) == NULL && strstr(core_error_message(), "1 MiB"),
		       "user-data over 1 MiB is refused");
		p2 = tmpfile_with("#cloud-config\n\0x", 16);
		tap_ok(seed_read_user_data(p2) == NULL && strstr(core_error_message(), "binary"),
		       "user-data with NUL bytes is refused");
		p3 = tmpfile_with("#cloud-config\nruncmd: [ls]\n", 27);
		ud = seed_read_user_data(p3);
		tap_ok(ud && strstr(ud, "runcmd"), "good user-data is read");
		unlink(p1);
		unlink(p2);
		unlink(p3);
	}

	{
		g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
		struct seed s = {
			.instance_id = "iid-1", .hostname = "lab-01", .user = "alice",
			.password_hash = "$6$x$y", .ssh_keys = keys,
			.user_data = "#cloud-config\nhostname: evil\n", .mac = "52:54:00:aa:bb:cc",
		};
		g_autofree char *meta = NULL, *user = NULL, *net = NULL;

		g_ptr_array_add(keys, g_strdup("ssh-ed25519 AAAA \"quoted\\\" comment"));
		meta = seed_meta_data(&s);
		user = seed_user_data(&s);
		net = seed_network_config(&s);
		tap_is_str(meta, "instance-id: \"iid-1\"\nlocal-hostname: \"lab-01\"\n", "meta-data");
		tap_ok(strstr(user, "#cloud-config\nhostname: \"lab-01\"\n") != NULL,
		       "user-data starts with vmtui's own part");
		tap_ok(strstr(user, "- \"ssh-ed25519 AAAA \\\"quoted\\\\\\\" comment\"") != NULL,
		       "a key's quotes and backslashes are escaped");
		tap_ok(strstr(user, "Merge-Type: list(append)+dict(no_replace,recurse_list)+str()") != NULL &&
		       strstr(user, "hostname: evil") > strstr(user, "hostname: \"lab-01\""),
		       "the user's part comes second and does not replace our keys");
		tap_ok(strstr(net, "macaddress: \"52:54:00:aa:bb:cc\"") != NULL,
		       "network-config matches the VM's MAC");
	}
	{
		/* an overlay vmtui writes is one qemu-img accepts as its own */
		g_autofree char *dir = g_dir_make_tmp("unit-tpl-XXXXXX", NULL);
		g_autofree char *base = g_build_filename(dir, "base.qcow2", NULL);
		g_autofree char *ov = g_build_filename(dir, "ov.qcow2", NULL);
		g_autofree char *ref = g_build_filename(dir, "ref.qcow2", NULL);
		g_autofree char *out = NULL, *err = NULL, *cmd = NULL;
		int status = -1;

		cmd = g_strdup_printf("%s create -q -f qcow2 %s 3G", QEMU_IMG_PATH, base);
		g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL);
		tap_ok(tpl_qcow2_overlay(ov, base, UINT64_C(3) << 30) == 0, "an overlay is written");
		g_free(cmd);
		cmd = g_strdup_printf("%s check -f qcow2 %s", QEMU_IMG_PATH, ov);
		g_spawn_command_line_sync(cmd, &out, &err, &status, NULL);
		tap_ok(g_spawn_check_wait_status(status, NULL) && strstr(out, "No errors"),
		       "qemu-img check finds no error in it");
		g_free(out);
		g_free(err);
		g_free(cmd);
		cmd = g_strdup_printf("%s info -f qcow2 --output=json %s", QEMU_IMG_PATH, ov);
		g_spawn_command_line_sync(cmd, &out, &err, &status, NULL);
		tap_ok(out && strstr(out, "\"virtual-size\": 3221225472") &&
		       strstr(out, "\"backing-filename-format\": \"qcow2\"") && strstr(out, base),
		       "qemu-img info: 3 GiB, on the base, its format named");
		tap_ok(tpl_qcow2_overlay(ov, base, 1 << 20) < 0, "an existing file is never overwritten");
		g_free(cmd);
		cmd = g_strdup_printf("%s create -q -f qcow2 -F qcow2 -b %s %s 3G", QEMU_IMG_PATH, base, ref);
		g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL);
		{
			g_autofree char *a = NULL, *b = NULL;
			gsize la = 0, lb = 0;

			g_file_get_contents(ov, &a, &la, NULL);
			g_file_get_contents(ref, &b, &lb, NULL);
			tap_ok(la == lb && la > 0 && memcmp(a + 0x10000, b + 0x10000, la - 0x10000) == 0,
			       "its tables are laid out as qemu-img lays them out (%zu bytes)", la);
		}
		unlink(base);
		unlink(ov);
		unlink(ref);
		rmdir(dir);
	}
	return tap_done();
}

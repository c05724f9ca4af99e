/*
 * unit-templates.c — what provisioning takes from a user: lab name
 * patterns, host names, user names, SSH keys, hashes, packages and
 * user-data files; and the seed files made of them, which no value can
 * add keys to and which libyaml reads back, whatever the values.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "templates/templates-priv.h"
#include "tests/tap.h"

#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICT4TfVbzCIITH3ir0MWMYbaEZTkWNB1ApiTjcmZEra/"
#define RSA "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDVpfDAVrkrVLs+zVizwloHPCQCZLMApru/0W6gdXy6Uun1MQmuNa3jpx1XRK6b0t2b4sEP6NWXiD289yi/8/2wA339H8N2aqB9NtcN19ZmDU2TrF7xhGs4gzkIsFcnbfD0jb7YdN4ymwVAgMVvBsYMqdah65LeCxzFicyIuKqeiw=="
#define ECDSA256 "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKUUk2Scg+x75m3nDxSsuFKiqWy2H/KbjxaB0yEy7hTlT7kd8q47wifoGB6nsKDhdtPGjk66WD0Vd3h1spUQoZg="
#define ECDSA384_BODY "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBPAkUmwDdDDJsolR3R8qcqdWvtA9DLQmjp6WEXnETsKBE7/SkKnufq9aD3YTlTlOb/pxI1icw1nDQ3LvrMzHKGdGcSZwolhfIvtjdGapaxn51/Flfhssb49mGtXDMlQtcQ=="

/* The value of the first key of the YAML mapping @doc, as libyaml loads
 * it; caller frees, NULL when it does not load. */
static char *yaml_value(const char *doc)
{
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root, *v;
	char *value = NULL;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)doc, strlen(doc));
	if (yaml_parser_load(&p, &d)) {
		root = yaml_document_get_root_node(&d);
		v = root && root->type == YAML_MAPPING_NODE &&
		    root->data.mapping.pairs.top > root->data.mapping.pairs.start ?
			yaml_document_get_node(&d, root->data.mapping.pairs.start->value) : NULL;
		if (v && v->type == YAML_SCALAR_NODE)
			value = g_strndup((const char *)v->data.scalar.value, v->data.scalar.length);
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	return value;
}

/* Whether @doc parses as YAML. */
static bool yaml_parses(const char *doc)
{
	g_autofree char *why = seed_yaml_error(doc);

	return !why;
}

/* What provisioning must refuse in a key, and what it must take. */
static void check_keys(void)
{
	static const char *const good[] = {
		ED25519, ED25519 " me@host", RSA " u@h", ECDSA256,
		"ecdsa-sha2-nistp384 " ECDSA384_BODY " a comment with spaces",
		ED25519 " caf\xc3\xa9 \xe4\xb8\xad",
	};
	static const char *const bad[][2] = {
		{ ED25519 " a\xef\xbf\xbe" "b", "a comment with U+FFFE" },
		{ ED25519 " a\xe2\x80\xa8---", "a comment with U+2028, then ---" },
		{ ED25519 " a\xe2\x80\xa9" "b", "a comment with U+2029" },
		{ ED25519 " a\xc2\x85" "b", "a comment with NEL" },
		{ ED25519 " a\xe2\x80\xae" "b", "a comment with a right-to-left override" },
		{ ED25519 " a\x1b[31m", "a comment with an escape sequence" },
		{ ED25519 " a\xff", "a comment that is not UTF-8" },
		{ "ssh-dss AAAAB3NzaC1kc3MAAACBAP", "a DSA key" },
		{ "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAICT4TfVbzCIITH3ir0MWMYbaEZTkWNB1ApiTjcmZEra/", "an unknown type" },
		{ "ssh-ed25519", "a type without a body" },
		{ "ssh-ed25519 AAAA$$$$", "a body that is not base64" },
		{ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq", "a truncated body" },
		{ "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICT4TfVbzCIITH3ir0MWMYbaEZTkWNB1ApiTjcmZEra/", "an ed25519 body under the type ssh-rsa" },
		{ "ecdsa-sha2-nistp256 " ECDSA384_BODY, "a nistp384 body under the type nistp256" },
		{ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICT4TfVbzCIITH3ir0MWMYbaEZTkWNB1ApiTjcmZEra/AAAA", "a body with bytes past its key" },
		{ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICT4TfVbzCIITH3ir0MWMYbaEZTkWNB1ApiTjcmZEra/=", "a body with a stray =" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
		tap_ok(seed_ssh_key_valid(good[i]), "a good key is taken (%.30s...)", good[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		tap_ok(!seed_ssh_key_valid(bad[i][0]) && core_error_code() == CORE_ERR_USAGE &&
		       *core_error_message(), "a key with %s is refused: %s", bad[i][1],
		       core_error_message());
	tap_ok(!seed_ssh_key_valid("ssh-dss AAAAB3NzaC1kc3MAAACBAP") &&
	       strstr(core_error_message(), "DSA key (ssh-dss), which OpenSSH no longer accepts"),
	       "  ... a DSA key with the reason");
}

/* seed_yaml_str's scalars read back by libyaml as what went in. */
static void check_yaml_str(void)
{
	static const char *const hostile[] = {
		"plain", "q\"uo\\te", "a\x1b" "b", "x\xe2\x80\xa8---\ny: 1", "\xe2\x80\xa9", "\xc2\x85",
		"\xef\xbb\xbf" "bom", "a\xef\xbf\xbe" "b\xef\xbf\xbf", "tab\there", "cr\rlf\n",
		"\x7f\xc2\x80\xc2\x9b", "emoji \xf0\x9f\x98\x80", "# not a comment", "- [x]: {y}",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf", "\x01\x02\x03",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
		g_autoptr(GString) doc = g_string_new("k: ");
		g_autofree char *back = NULL;

		seed_yaml_str(doc, hostile[i]);
		g_string_append_c(doc, '\n');
		back = yaml_value(doc->str);
		tap_ok(back && strcmp(back, hostile[i]) == 0,
		       "yaml_str of hostile string %zu is read back by libyaml as it was (%s)", i,
		       doc->str);
	}
}

/* A seed of hostile values parses; one that would not is never written. */
static void check_seed_yaml(void)
{
	g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) pkgs = g_ptr_array_new_with_free_func(g_free);
	struct seed s = {
		.instance_id = "i\xe2\x80\xa8---\nx: 1", .hostname = "h\xef\xbf\xbe\xc2\x85",
		.user = "u\x1b[2J", .password_hash = "$6$\xe2\x80\xa9\"", .ssh_keys = keys,
		.packages = pkgs, .mac = "\xef\xbb\xbf\x00", .sudo = true,
	};
	g_autofree char *meta = NULL, *user = NULL, *net = NULL;
	g_autofree char *dir = g_dir_make_tmp("unit-seed-XXXXXX", NULL);
	g_autofree char *iso = g_build_filename(dir, "seed.iso", NULL);

	g_ptr_array_add(keys, g_strdup(ED25519 " a\xe2\x80\xa8---"));
	g_ptr_array_add(pkgs, g_strdup("\xef\xbf\xbe"));
	meta = seed_meta_data(&s);
	user = seed_user_data(&s);
	net = seed_network_config(&s);
	tap_ok(yaml_parses(meta), "meta-data of hostile values parses");
	tap_ok(yaml_parses(user), "vmtui's user-data of hostile values parses");
	tap_ok(yaml_parses(net), "network-config of a hostile MAC parses");
	tap_ok(strstr(user, "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n") != NULL, "with sudo, the user gets it");
	s.sudo = false;
	g_free(user);
	user = seed_user_data(&s);
	tap_ok(!strstr(user, "sudo"), "without, the user-data has no sudo line");
	tap_ok(seed_write_iso(iso, &s) == 0, "the seed is written");
	unlink(iso);
	s.user_data = "#cloud-config\nruncmd: [a\n  b: ]]\n";
	tap_ok(seed_write_iso(iso, &s) < 0 && strstr(core_error_message(), "your user-data would not parse as YAML (line") &&
	       !g_file_test(iso, G_FILE_TEST_EXISTS), "a seed with user-data that is not YAML is not written: %s",
	       core_error_message());
	rmdir(dir);
}

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
	tap_ok(seed_ssh_key_valid(ED25519 " me@h"), "an ed25519 key is valid");
	tap_ok(!seed_ssh_key_valid("ssh-ed25519 AAAA\nhostname: x"), "a key with a newline is refused");
	check_keys();
	check_yaml_str();
	check_seed_yaml();
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
		tap_ok(seed_read_user_data(p1) == NULL && strstr(core_error_message(), "at most 1.0 MiB"),
		       "user-data over 1 MiB is refused");
		p2 = tmpfile_with("#cloud-config\n\0x", 16);
		tap_ok(seed_read_user_data(p2) == NULL && strstr(core_error_message(), "binary"),
		       "user-data with NUL bytes is refused");
		p3 = tmpfile_with("#cloud-config\nruncmd: [ls]\n", 27);
		ud = seed_read_user_data(p3);
		tap_ok(ud && strstr(ud, "runcmd"), "good user-data is read");
		unlink(p3);
		g_free(p3);
		p3 = tmpfile_with("#cloud-config\nruncmd:\n  - ls\n - [x\n", 33);
		tap_ok(seed_read_user_data(p3) == NULL && core_error_code() == CORE_ERR_USAGE &&
		       strstr(core_error_message(), "is not valid YAML (line 4:"),
		       "user-data that is not YAML is refused with the line: %s", core_error_message());
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

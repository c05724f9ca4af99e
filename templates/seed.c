/*
 * seed.c — cloud-init NoCloud seeds: checking what a user gives (host
 * name, user, keys, hash, packages, a user-data file) and writing the
 * seed ISO with libarchive's ISO 9660 writer (volume id "cidata", files
 * meta-data, user-data, network-config).
 *
 * Every value enters the YAML as a double-quoted scalar with '\' and '"'
 * escaped, after checks that refuse control characters and newlines, so a
 * value cannot add keys of its own.  A user's own user-data is not pasted
 * into ours: it travels as a second part of a MIME multipart user-data,
 * which cloud-init merges after vmtui's part without replacing its keys.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "i18n.h"
#include "templates.h"

#define USER_DATA_MAX (1024 * 1024)

/* ---- checks ------------------------------------------------------------ */

bool seed_hostname_valid(const char *h)
{
	size_t len = h ? strlen(h) : 0, label = 0;

	if (len == 0 || len > 253)
		goto bad;
	for (const char *p = h; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				goto bad;
			if (!*p)
				break;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(*p) && *p != '-')
			goto bad;
		if (label == 0 && *p == '-')
			goto bad;
		label++;
	}
	return true;
bad:
	core_error(CORE_ERR_USAGE,
		   _("\"%s\" is not a valid host name: use letters, digits and \"-\" in dot-separated labels of at most 63 characters, not starting or ending with \"-\" (RFC 1123)."),
		   h ? h : "");
	return false;
}

bool seed_user_valid(const char *u)
{
	size_t len = u ? strlen(u) : 0;
	bool ok = len > 0 && len <= 32 && (g_ascii_islower(u[0]) || u[0] == '_');

	for (size_t i = 1; ok && i < len; i++)
		ok = g_ascii_islower(u[i]) || g_ascii_isdigit(u[i]) || u[i] == '_' ||
		     u[i] == '-';
	if (ok && strcmp(u, "root") == 0)
		ok = false;
	if (!ok)
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not a valid user name: 1 to 32 lower-case letters, digits, \"_\" or \"-\", starting with a letter or \"_\", and not root."),
			   u ? u : "");
	return ok;
}

/* Printable UTF-8 without control characters (no newline either). */
static bool printable_line(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL))
		return false;
	for (const char *p = s; *p; p = g_utf8_next_char(p))
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return false;
	return true;
}

bool seed_ssh_key_valid(const char *key)
{
	g_auto(GStrv) f = NULL;

	if (!key || !*key || strlen(key) > 16384 || !printable_line(key)) {
		core_error(CORE_ERR_USAGE,
			   _("An SSH key must be one line of printable text; this one has a newline, a control character or binary data."));
		return false;
	}
	f = g_strsplit(key, " ", 3);
	if (g_strv_length(f) < 2 ||
	    !(g_str_has_prefix(f[0], "ssh-") || g_str_has_prefix(f[0], "ecdsa-") ||
	      g_str_has_prefix(f[0], "sk-"))) {
		core_error(CORE_ERR_USAGE,
			   _("\"%.40s\" is not an SSH public key (\"ssh-ed25519 AAAA... comment\")."),
			   key);
		return false;
	}
	for (const char *p = f[1]; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("+/=", *p)) {
			core_error(CORE_ERR_USAGE,
				   _("The SSH key \"%.40s\" has a damaged base64 part."), key);
			return false;
		}
	return true;
}

bool seed_password_hash_valid(const char *hash)
{
	bool ok = hash && hash[0] == '$' && strlen(hash) < 512;

	for (const char *p = hash; ok && *p; p++)
		ok = *p > ' ' && *p < 0x7f && *p != '"' && *p != '\\';
	if (!ok)
		core_error(CORE_ERR_USAGE,
			   _("--password-hash takes a crypt(3) hash such as the output of `mkpasswd -m sha-512`, not a password."));
	return ok;
}

char *seed_hash_password(const char *password)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = g_new0(struct crypt_data, 1);
	char *hash = NULL;

	if (crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt) &&
	    crypt_r(password, salt, cd) && cd->output[0] == '$')
		hash = g_strdup(cd->output);
	else
		core_error(CORE_ERR_FAILED, _("Cannot hash the password: %s"), g_strerror(errno));
	explicit_bzero(cd, sizeof *cd);
	g_free(cd);
	return hash;
}

bool seed_package_valid(const char *pkg)
{
	bool ok = pkg && *pkg && strlen(pkg) <= 128 && g_ascii_isalnum(pkg[0]);

	for (const char *p = pkg; ok && *p; p++)
		ok = g_ascii_isalnum(*p) || strchr("+-._:=~", *p);
	if (!ok)
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a package name."), pkg ? pkg : "");
	return ok;
}

bool seed_packages_parse(const char *text, GPtrArray *out)
{
	g_auto(GStrv) items = g_strsplit(text, ",", -1);

	for (char **p = items; *p; p++) {
		g_strstrip(*p);
		if (!**p)
			continue;
		if (!seed_package_valid(*p))
			return false;
		if (out)
			g_ptr_array_add(out, g_strdup(*p));
	}
	return true;
}

char *seed_read_user_data(const char *path)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	struct stat st;
	gsize len;

	if (stat(path, &st) < 0) {
		core_error(CORE_ERR_USAGE, _("Cannot read the user-data file %s: %s"), path,
			   g_strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		core_error(CORE_ERR_USAGE, _("Cannot read the user-data file %s: %s"), path,
			   _("not a regular file"));
		return NULL;
	}
	if (st.st_size > USER_DATA_MAX) {
		core_error(CORE_ERR_USAGE, _("The user-data file %s is %lld bytes; at most 1 MiB is taken."),
			   path, (long long)st.st_size);
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, &err)) {
		core_error(CORE_ERR_USAGE, _("Cannot read the user-data file %s: %s"), path,
			   err->message);
		return NULL;
	}
	if (len > USER_DATA_MAX) {
		core_error(CORE_ERR_USAGE, _("The user-data file %s is larger than 1 MiB."), path);
		return NULL;
	}
	if (memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL)) {
		core_error(CORE_ERR_USAGE, _("The user-data file %s is not UTF-8 text (binary data)."),
			   path);
		return NULL;
	}
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) && c != '\n' && c != '\t' && c != '\r') {
			core_error(CORE_ERR_USAGE, _("The user-data file %s has control characters (binary data)."),
				   path);
			return NULL;
		}
	}
	if (!g_str_has_prefix(text, "#cloud-config") && !g_str_has_prefix(text, "#!")) {
		core_error(CORE_ERR_USAGE, _("The user-data file %s must start with \"#cloud-config\" or \"#!\"."),
			   path);
		return NULL;
	}
	return g_steal_pointer(&text);
}

bool seed_read_ssh_keys(const char *path, GPtrArray *keys)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;
	guint n = 0;

	if (!g_file_get_contents(path, &text, &len, &err)) {
		core_error(CORE_ERR_USAGE, _("Cannot read the SSH key file %s: %s"), path,
			   err->message);
		return false;
	}
	if (len > 65536 || memchr(text, '\0', len)) {
		core_error(CORE_ERR_USAGE, _("%s is not an SSH public key file (binary data or too large)."),
			   path);
		return false;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_strchomp(*l); /* also a trailing CR */
		if (!**l || **l == '#')
			continue;
		if (!seed_ssh_key_valid(*l))
			return false;
		g_ptr_array_add(keys, g_strdup(*l));
		n++;
	}
	if (!n) {
		core_error(CORE_ERR_USAGE, _("%s holds no SSH public key."), path);
		return false;
	}
	return true;
}

/* ---- the files ----------------------------------------------------------- */

/* Appends @s as a YAML double-quoted scalar. */
static void yaml_str(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

char *seed_meta_data(const struct seed *s)
{
	GString *out = g_string_new("instance-id: ");

	yaml_str(out, s->instance_id);
	g_string_append(out, "\nlocal-hostname: ");
	yaml_str(out, s->hostname);
	g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

/* vmtui's own #cloud-config. */
static char *own_config(const struct seed *s)
{
	GString *out = g_string_new("#cloud-config\nhostname: ");

	yaml_str(out, s->hostname);
	g_string_append(out, "\nmanage_etc_hosts: true\n");
	if (s->user) {
		g_string_append(out, "users:\n  - name: ");
		yaml_str(out, s->user);
		g_string_append(out, "\n    shell: /bin/bash\n    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
		if (s->password_hash) {
			g_string_append(out, "    lock_passwd: false\n    passwd: ");
			yaml_str(out, s->password_hash);
			g_string_append_c(out, '\n');
		}
		if (s->ssh_keys && s->ssh_keys->len) {
			g_string_append(out, "    ssh_authorized_keys:\n");
			for (guint i = 0; i < s->ssh_keys->len; i++) {
				g_string_append(out, "      - ");
				yaml_str(out, s->ssh_keys->pdata[i]);
				g_string_append_c(out, '\n');
			}
		}
	}
	if (s->packages && s->packages->len) {
		g_string_append(out, "packages:\n");
		for (guint i = 0; i < s->packages->len; i++) {
			g_string_append(out, "  - ");
			yaml_str(out, s->packages->pdata[i]);
			g_string_append_c(out, '\n');
		}
	}
	return g_string_free(out, FALSE);
}

char *seed_user_data(const struct seed *s)
{
	g_autofree char *own = own_config(s);
	g_autofree char *boundary = NULL;
	GString *out;

	if (!s->user_data)
		return g_steal_pointer(&own);
	/* a boundary that the user's text does not contain */
	do {
		g_free(boundary);
		boundary = g_strdup_printf("vmtui-%08x%08x", g_random_int(), g_random_int());
	} while (strstr(s->user_data, boundary));
	out = g_string_new(NULL);
	g_string_append_printf(out,
		"Content-Type: multipart/mixed; boundary=\"%s\"\n"
		"MIME-Version: 1.0\n\n"
		"--%s\n"
		"Content-Type: text/cloud-config; charset=\"utf-8\"\n"
		"Content-Disposition: attachment; filename=\"vmtui.cfg\"\n\n"
		"%s\n"
		"--%s\n"
		"Content-Type: %s; charset=\"utf-8\"\n"
		"Merge-Type: list(append)+dict(no_replace,recurse_list)+str()\n"
		"Content-Disposition: attachment; filename=\"user-data\"\n\n",
		boundary, boundary, own, boundary,
		g_str_has_prefix(s->user_data, "#!") ? "text/x-shellscript" :
		"text/cloud-config");
	g_string_append(out, s->user_data);
	if (out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
	g_string_append_printf(out, "--%s--\n", boundary);
	return g_string_free(out, FALSE);
}

char *seed_network_config(const struct seed *s)
{
	GString *out = g_string_new("version: 2\n");

	if (!s->mac) {
		g_string_append(out, "ethernets: {}\n");
		return g_string_free(out, FALSE);
	}
	g_string_append(out, "ethernets:\n  nic0:\n    match:\n      macaddress: ");
	yaml_str(out, s->mac);
	g_string_append(out, "\n    dhcp4: true\n");
	return g_string_free(out, FALSE);
}

/* ---- the ISO --------------------------------------------------------------- */

static int add_file(struct archive *a, const char *name, const char *data)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = strlen(data);
	int rc = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, data, len) != (la_ssize_t)len)
		rc = -1;
	archive_entry_free(e);
	return rc;
}

int seed_write_iso(const char *path, const struct seed *s)
{
	g_autofree char *meta = seed_meta_data(s);
	g_autofree char *user = seed_user_data(s);
	g_autofree char *net = seed_network_config(s);
	g_autofree char *part = g_strdup_printf("%s.part", path);
	struct archive *a = archive_write_new();
	int rc = -1;

	if (archive_write_set_format_iso9660(a) != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "volume-id", "cidata") != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "rockridge", "1") != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "joliet", "1") != ARCHIVE_OK ||
	    archive_write_open_filename(a, part) != ARCHIVE_OK)
		goto out;
	if (add_file(a, "meta-data", meta) < 0 || add_file(a, "user-data", user) < 0 ||
	    add_file(a, "network-config", net) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK)
		goto out;
	if (rename(part, path) < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot write the cloud-init seed %s: %s"), path,
			   g_strerror(errno));
		unlink(part);
		archive_write_free(a);
		return -1;
	}
	rc = 0;
out:
	if (rc < 0) {
		core_error(CORE_ERR_FAILED, _("Cannot write the cloud-init seed %s: %s"), path,
			   archive_error_string(a) ? archive_error_string(a) : _("unknown error"));
		unlink(part);
	}
	archive_write_free(a);
	return rc;
}

/*
 * seed.c — cloud-init NoCloud seeds: checking what a user gives (host
 * name, user, keys, hash, packages, a user-data file) and writing the
 * seed ISO with libarchive's ISO 9660 writer (volume id "cidata", files
 * meta-data, user-data, network-config).
 *
 * Every value enters the YAML as a double-quoted scalar (seed_yaml_str:
 * '\' and '"' escaped, and every character YAML cannot carry raw there as
 * \uXXXX), after checks that refuse control characters and newlines, so a
 * value cannot add keys of its own; and every file of the seed is parsed
 * with libyaml before the ISO is written, so a seed cloud-init would not
 * read is never made.  A user's own user-data is not pasted
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
#include <yaml.h>

#include "core/i18n.h"
#include "core/files.h"
#include "core/names.h"
#include "templates/templates-priv.h"

#define USER_DATA_MAX (1024 * 1024)
/* an SSH key file: a few keys of a few hundred bytes */
#define KEY_FILE_MAX (64 * 1024)
/* one key line: an RSA key of 16384 bits has about 2.8 KB */
#define KEY_LINE_MAX 16384

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

/* The key types vmtui passes on, with the curve an ECDSA key names and
 * how many length-prefixed strings its base64 body holds. */
static const struct {
	const char *type;
	const char *curve;
	unsigned strings;
} key_types[] = {
	{ "ssh-ed25519", NULL, 2 },
	{ "ssh-rsa", NULL, 3 },
	{ "ecdsa-sha2-nistp256", "nistp256", 3 },
	{ "ecdsa-sha2-nistp384", "nistp384", 3 },
	{ "ecdsa-sha2-nistp521", "nistp521", 3 },
	{ "sk-ssh-ed25519@openssh.com", NULL, 3 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", 4 },
};

/* Reads the SSH string (a 32-bit big-endian length, then the bytes) at
 * *@p of the @end-bounded blob into @s/@n and moves past it. */
static bool ssh_string(const guchar **p, const guchar *end, const guchar **s, guint32 *n)
{
	if (end - *p < 4)
		return false;
	*n = (guint32)(*p)[0] << 24 | (guint32)(*p)[1] << 16 | (guint32)(*p)[2] << 8 | (*p)[3];
	if ((size_t)(end - *p - 4) < *n)
		return false;
	*s = *p + 4;
	*p += 4 + *n;
	return true;
}

/* Whether @b64 is base64 that decodes to the body of a key of type
 * key_types[@k]: strings to its end, the first its type, the second its
 * curve for ECDSA. */
static bool key_body_valid(const char *b64, size_t k)
{
	size_t len = strlen(b64), pad = 0;
	g_autofree guchar *blob = NULL;
	const guchar *p, *end, *str;
	gsize n;
	guint32 slen;
	unsigned count = 0;

	while (pad < len && pad < 2 && b64[len - 1 - pad] == '=')
		pad++;
	if (len == 0 || len % 4 || strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != len - pad)
		return false;
	blob = g_base64_decode(b64, &n);
	p = blob;
	end = blob + n;
	while (p < end) {
		if (!ssh_string(&p, end, &str, &slen))
			return false;
		if (count == 0 && (slen != strlen(key_types[k].type) ||
				   memcmp(str, key_types[k].type, slen) != 0))
			return false;
		if (count == 1 && key_types[k].curve &&
		    (slen != strlen(key_types[k].curve) || memcmp(str, key_types[k].curve, slen) != 0))
			return false;
		count++;
	}
	return count == key_types[k].strings;
}

bool seed_ssh_key_valid(const char *key)
{
	g_auto(GStrv) f = NULL;
	size_t k;

	if (!key || !*key || strlen(key) > KEY_LINE_MAX || !g_utf8_validate(key, -1, NULL)) {
		core_error(CORE_ERR_USAGE,
			   _("An SSH key must be one line of printable text; this one is empty, too long or binary data."));
		return false;
	}
	/* the comment is free text: no control character, line or paragraph
	 * separator (cloud-init's YAML would end the line there) or
	 * noncharacter */
	for (const char *p = key; *p; p = g_utf8_next_char(p))
		if (!core_char_printable(g_utf8_get_char(p))) {
			core_error(CORE_ERR_USAGE,
				   _("An SSH key must be one line of printable text; this one has a newline, a control character, a line separator or a noncharacter (U+%04X)."),
				   (unsigned)g_utf8_get_char(p));
			return false;
		}
	f = g_strsplit(key, " ", 3);
	if (g_strv_length(f) >= 1 && strcmp(f[0], "ssh-dss") == 0) {
		core_error(CORE_ERR_USAGE,
			   _("\"%.40s\" is a DSA key (ssh-dss), which OpenSSH no longer accepts; use an ed25519 key (ssh-keygen -t ed25519)."),
			   key);
		return false;
	}
	for (k = 0; g_strv_length(f) >= 1 && k < G_N_ELEMENTS(key_types); k++)
		if (strcmp(f[0], key_types[k].type) == 0)
			break;
	if (g_strv_length(f) < 2 || k == G_N_ELEMENTS(key_types)) {
		core_error(CORE_ERR_USAGE,
			   _("\"%.40s\" is not an SSH public key (\"ssh-ed25519 AAAA... comment\"; the types are ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com and sk-ecdsa-sha2-nistp256@openssh.com)."),
			   key);
		return false;
	}
	if (!key_body_valid(f[1], k)) {
		core_error(CORE_ERR_USAGE,
			   _("\"%.40s\" is not an SSH public key: its base64 part is damaged, or not that of a %s key."),
			   key, f[0]);
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

/* Records the error of a file the user named again as bad input (a
 * missing one included): exit status 2, as every check here. */
static void as_usage(void)
{
	g_autofree char *msg = g_strdup(core_error_message());

	core_error(CORE_ERR_USAGE, "%s", msg);
}

char *seed_yaml_error(const char *text)
{
	yaml_parser_t p;
	yaml_event_t e;
	char *why = NULL;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	for (;;) {
		bool end;

		if (!yaml_parser_parse(&p, &e)) {
			why = g_strdup_printf(_("line %zu: %s"), p.problem_mark.line + 1,
					      p.problem ? p.problem : _("not YAML"));
			break;
		}
		end = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return why;
}

char *seed_read_user_data(const char *path)
{
	g_autofree char *text = NULL;
	g_autofree char *why = NULL;
	size_t len;

	text = core_read_file(path, USER_DATA_MAX, 0, _("user-data file"), &len);
	if (!text) {
		as_usage();
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
	if (g_str_has_prefix(text, "#cloud-config") && (why = seed_yaml_error(text))) {
		core_error(CORE_ERR_USAGE, _("The user-data file %s is not valid YAML (%s)."), path,
			   why);
		return NULL;
	}
	return g_steal_pointer(&text);
}

bool seed_read_ssh_keys(const char *path, GPtrArray *keys)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	size_t len;
	guint n = 0, line = 0;

	text = core_read_file(path, KEY_FILE_MAX, 0, _("SSH key file"), &len);
	if (!text) {
		as_usage();
		return false;
	}
	if (memchr(text, '\0', len)) {
		core_error(CORE_ERR_USAGE, _("%s is not an SSH public key file (binary data)."), path);
		return false;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		line++;
		g_strchomp(*l); /* also a trailing CR */
		if (!**l || **l == '#')
			continue;
		if (!seed_ssh_key_valid(*l)) {
			g_autofree char *why = g_strdup(core_error_message());

			core_error(CORE_ERR_USAGE, _("%s, line %u: %s"), path, line, why);
			return false;
		}
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

/* Whether a YAML double-quoted scalar carries @c as itself: YAML's
 * c-printable characters (1.1 and 1.2 agree) without the line breaks
 * (LF, CR, NEL, U+2028, U+2029, which a parser folds or ends lines at),
 * the tab and the byte order mark. */
static bool yaml_raw(gunichar c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
	       (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

void seed_yaml_str(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const char *p = s; *p;) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(out, "\\uFFFD"); /* not UTF-8: never written raw */
			p++;
			continue;
		}
		if (c == '"' || c == '\\')
			g_string_append_c(out, '\\');
		if (yaml_raw(c) || c == '"' || c == '\\')
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		else
			g_string_append_printf(out, "\\u%04X", (unsigned)c); /* all below 0x10000 */
		p = g_utf8_next_char(p);
	}
	g_string_append_c(out, '"');
}

char *seed_meta_data(const struct seed *s)
{
	GString *out = g_string_new("instance-id: ");

	seed_yaml_str(out, s->instance_id);
	g_string_append(out, "\nlocal-hostname: ");
	seed_yaml_str(out, s->hostname);
	g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

/* vmtui's own #cloud-config. */
static char *own_config(const struct seed *s)
{
	GString *out = g_string_new("#cloud-config\nhostname: ");

	seed_yaml_str(out, s->hostname);
	g_string_append(out, "\nmanage_etc_hosts: true\n");
	if (s->user) {
		g_string_append(out, "users:\n  - name: ");
		seed_yaml_str(out, s->user);
		g_string_append(out, "\n    shell: /bin/bash\n");
		/* administrator rights only when asked for */
		if (s->sudo)
			g_string_append(out, "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
		if (s->password_hash) {
			g_string_append(out, "    lock_passwd: false\n    passwd: ");
			seed_yaml_str(out, s->password_hash);
			g_string_append_c(out, '\n');
		}
		if (s->ssh_keys && s->ssh_keys->len) {
			g_string_append(out, "    ssh_authorized_keys:\n");
			for (guint i = 0; i < s->ssh_keys->len; i++) {
				g_string_append(out, "      - ");
				seed_yaml_str(out, s->ssh_keys->pdata[i]);
				g_string_append_c(out, '\n');
			}
		}
	}
	if (s->packages && s->packages->len) {
		g_string_append(out, "packages:\n");
		for (guint i = 0; i < s->packages->len; i++) {
			g_string_append(out, "  - ");
			seed_yaml_str(out, s->packages->pdata[i]);
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
	seed_yaml_str(out, s->mac);
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

/* Whether every YAML file of the seed parses: what cloud-init reads, read
 * by a real parser first.  false with an error naming the file. */
static bool seed_parses(const struct seed *s, const char *meta, const char *net)
{
	g_autofree char *own = own_config(s);
	const char *const files[][2] = {
		{ "meta-data", meta },
		{ "network-config", net },
		{ N_("vmtui's part of user-data"), own },
		{ N_("your user-data"), s->user_data && g_str_has_prefix(s->user_data, "#cloud-config") ?
		  s->user_data : NULL },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *why = files[i][1] ? seed_yaml_error(files[i][1]) : NULL;

		if (why) {
			core_error(CORE_ERR_USAGE, _("The cloud-init seed's %s would not parse as YAML (%s): nothing was written."),
				   _(files[i][0]), why);
			return false;
		}
	}
	return true;
}

int seed_write_iso(const char *path, const struct seed *s)
{
	g_autofree char *meta = seed_meta_data(s);
	g_autofree char *user = seed_user_data(s);
	g_autofree char *net = seed_network_config(s);
	g_autofree char *part = g_strdup_printf("%s.part", path);
	struct archive *a;
	int rc = -1;

	if (!seed_parses(s, meta, net))
		return -1;
	a = archive_write_new();

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

/*
 * pool.c — pool definitions: DATA/pools/NAME.conf, a key file the admin's
 * commands write atomically and every reader checks before use.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "templates/templates.h"
#include "vdi/vdi.h"

#define POOL_FILE_MAX (64 * 1024)
#define POOL_SIZE_MAX 200

void pool_free(struct pool *p)
{
	if (!p)
		return;
	g_free(p->name);
	g_free(p->template_name);
	if (p->users)
		g_ptr_array_unref(p->users);
	if (p->groups)
		g_ptr_array_unref(p->groups);
	g_free(p->ready_marker);
	g_free(p);
}

bool pool_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 24 || !g_ascii_isalpha(name[0])) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a pool name: use 1 to 24 letters, digits, '-' and '_', starting with a letter."),
			   name ? name : "");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_') {
			core_error(CORE_ERR_USAGE, _("\"%s\" is not a pool name: use 1 to 24 letters, digits, '-' and '_', starting with a letter."),
				   name);
			return false;
		}
	return true;
}

struct pool *pool_new(const char *name, const char *template_name)
{
	struct pool *p = g_new0(struct pool, 1);

	p->name = g_strdup(name);
	p->template_name = g_strdup(template_name);
	p->min = 1;
	p->max = 10;
	p->spares = 1;
	p->max_per_user = 1;
	p->disconnect_grace = 300;
	p->boot_timeout = 300;
	p->users = g_ptr_array_new_with_free_func(g_free);
	p->groups = g_ptr_array_new_with_free_func(g_free);
	return p;
}

static const char *const assign_ids[] = { "floating", "dedicated" };
static const char *const release_ids[] = { "refresh", "keep" };

const char *pool_assign_id(enum pool_assign a) { return assign_ids[a]; }
const char *pool_release_id(enum pool_release r) { return release_ids[r]; }

bool pool_assign_parse(const char *s, enum pool_assign *out)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(assign_ids); i++)
		if (strcmp(s, assign_ids[i]) == 0) {
			*out = i;
			return true;
		}
	core_error(CORE_ERR_USAGE, _("\"%s\" is no way of assigning desktops: use floating (any free desktop at each login) or dedicated (the same desktop each time)."),
		   s);
	return false;
}

bool pool_release_parse(const char *s, enum pool_release *out)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(release_ids); i++)
		if (strcmp(s, release_ids[i]) == 0) {
			*out = i;
			return true;
		}
	core_error(CORE_ERR_USAGE, _("\"%s\" is not what happens on release: use refresh (the user's changes are thrown away) or keep."),
		   s);
	return false;
}

/* A user or group name: what POSIX accounts allow, and '.' for groups of
 * directories ("domain.users"). */
static bool account_name_valid(const char *s, const char *what)
{
	size_t n = strlen(s);
	bool ok = n > 0 && n <= 64 && (g_ascii_isalnum(s[0]) || s[0] == '_');

	for (size_t i = 0; ok && i < n; i++)
		ok = g_ascii_isalnum(s[i]) || strchr("_-.", s[i]);
	if (!ok)
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a %s name: use letters, digits, '_', '-' and '.', at most 64."),
			   s, what);
	return ok;
}

int pool_check(const struct pool *p)
{
	if (!pool_name_valid(p->name) || !template_name_valid(p->template_name))
		return -1;
	if (p->max < 1 || p->max > POOL_SIZE_MAX) {
		core_error(CORE_ERR_USAGE, _("A pool holds 1 to %d desktops; --max %u is not in that range."),
			   POOL_SIZE_MAX, p->max);
		return -1;
	}
	if (p->min > p->max) {
		core_error(CORE_ERR_USAGE, _("--min %u is more than --max %u."), p->min, p->max);
		return -1;
	}
	if (p->spares > p->max) {
		core_error(CORE_ERR_USAGE, _("--spares %u is more than --max %u."), p->spares, p->max);
		return -1;
	}
	if (p->max_per_user < 1 || p->max_per_user > p->max) {
		core_error(CORE_ERR_USAGE, _("--max-per-user must be 1 to --max (%u)."), p->max);
		return -1;
	}
	if (p->boot_timeout < 10) {
		core_error(CORE_ERR_USAGE, _("--boot-timeout must be at least 10 seconds."));
		return -1;
	}
	for (guint i = 0; i < p->users->len; i++)
		if (!account_name_valid(p->users->pdata[i], _("user")))
			return -1;
	for (guint i = 0; i < p->groups->len; i++)
		if (!account_name_valid(p->groups->pdata[i], _("group")))
			return -1;
	if (p->ready_marker && (!*p->ready_marker || strlen(p->ready_marker) > 128 ||
				!core_text_valid(_("ready marker"), p->ready_marker)))
		return -1;
	return 0;
}

static char *pools_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "pools", NULL);
}

static char *pool_path(const char *name)
{
	g_autofree char *dir = pools_dir();
	g_autofree char *file = g_strconcat(name, ".conf", NULL);

	return g_build_filename(dir, file, NULL);
}

static void set_list(GKeyFile *kf, const char *key, const GPtrArray *list)
{
	if (list->len)
		g_key_file_set_string_list(kf, "pool", key, (const char *const *)list->pdata,
					   list->len);
}

static GPtrArray *get_list(GKeyFile *kf, const char *key)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) v = g_key_file_get_string_list(kf, "pool", key, NULL, NULL);

	for (guint i = 0; v && v[i]; i++)
		g_ptr_array_add(out, g_strdup(v[i]));
	return out;
}

int pool_save(const struct pool *p, bool create)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *path = NULL, *text = NULL;
	gsize len;

	if (pool_check(p) < 0)
		return -1;
	path = pool_path(p->name);
	if (create && g_file_test(path, G_FILE_TEST_EXISTS)) {
		core_error(CORE_ERR_STATE, _("A pool named \"%s\" exists already."), p->name);
		return -1;
	}
	g_key_file_set_string(kf, "pool", "template", p->template_name);
	g_key_file_set_uint64(kf, "pool", "min", p->min);
	g_key_file_set_uint64(kf, "pool", "max", p->max);
	g_key_file_set_uint64(kf, "pool", "spares", p->spares);
	g_key_file_set_string(kf, "pool", "assign", pool_assign_id(p->assign));
	g_key_file_set_string(kf, "pool", "on-release", pool_release_id(p->on_release));
	g_key_file_set_uint64(kf, "pool", "max-per-user", p->max_per_user);
	set_list(kf, "users", p->users);
	set_list(kf, "groups", p->groups);
	g_key_file_set_uint64(kf, "pool", "disconnect-grace", p->disconnect_grace);
	g_key_file_set_uint64(kf, "pool", "idle", p->idle);
	g_key_file_set_uint64(kf, "pool", "max-session", p->max_session);
	g_key_file_set_uint64(kf, "pool", "boot-timeout", p->boot_timeout);
	if (p->ready_marker)
		g_key_file_set_string(kf, "pool", "ready-marker", p->ready_marker);
	g_key_file_set_boolean(kf, "pool", "draining", p->draining);
	text = g_key_file_to_data(kf, &len, NULL);
	return core_write_file_atomic(path, text, len, 0600);
}

/* The unsigned key @key of @kf, or @dflt when it is missing; false when it
 * is there but no number. */
static bool get_uint(GKeyFile *kf, const char *key, unsigned dflt, unsigned *out)
{
	g_autoptr(GError) err = NULL;
	guint64 v;

	if (!g_key_file_has_key(kf, "pool", key, NULL)) {
		*out = dflt;
		return true;
	}
	v = g_key_file_get_uint64(kf, "pool", key, &err);
	if (err || v > 1000000000)
		return false;
	*out = (unsigned)v;
	return true;
}

struct pool *pool_load(const char *name)
{
	g_autofree char *path = NULL, *text = NULL, *v = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	autoptr(pool) p = NULL;
	static const char *const nums[] = { "min", "max", "spares", "max-per-user",
		"disconnect-grace", "idle", "max-session", "boot-timeout" };
	unsigned *fields[G_N_ELEMENTS(nums)];

	if (!pool_name_valid(name))
		return NULL;
	path = pool_path(name);
	text = core_read_file(path, POOL_FILE_MAX, CORE_READ_NOFOLLOW, _("pool file"), NULL);
	if (!text) {
		if (core_error_code() == CORE_ERR_NOT_FOUND)
			core_error(CORE_ERR_NOT_FOUND, _("There is no pool named \"%s\"."), name);
		return NULL;
	}
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &err)) {
		core_error(CORE_ERR_FAILED, _("The file of pool \"%s\" (%s) cannot be read: %s"),
			   name, path, err->message);
		return NULL;
	}
	v = g_key_file_get_string(kf, "pool", "template", NULL);
	p = pool_new(name, v);
	fields[0] = &p->min;
	fields[1] = &p->max;
	fields[2] = &p->spares;
	fields[3] = &p->max_per_user;
	fields[4] = &p->disconnect_grace;
	fields[5] = &p->idle;
	fields[6] = &p->max_session;
	fields[7] = &p->boot_timeout;
	for (unsigned i = 0; i < G_N_ELEMENTS(nums); i++)
		if (!get_uint(kf, nums[i], *fields[i], fields[i])) {
			core_error(CORE_ERR_FAILED, _("The file of pool \"%s\" (%s) has a bad %s."),
				   name, path, nums[i]);
			return NULL;
		}
	g_free(v);
	v = g_key_file_get_string(kf, "pool", "assign", NULL);
	if (v && !pool_assign_parse(v, &p->assign))
		return NULL;
	g_free(v);
	v = g_key_file_get_string(kf, "pool", "on-release", NULL);
	if (v && !pool_release_parse(v, &p->on_release))
		return NULL;
	g_ptr_array_unref(p->users);
	p->users = get_list(kf, "users");
	g_ptr_array_unref(p->groups);
	p->groups = get_list(kf, "groups");
	p->ready_marker = g_key_file_get_string(kf, "pool", "ready-marker", NULL);
	p->draining = g_key_file_get_boolean(kf, "pool", "draining", NULL);
	if (!p->template_name) {
		core_error(CORE_ERR_FAILED, _("The file of pool \"%s\" (%s) names no template."),
			   name, path);
		return NULL;
	}
	if (pool_check(p) < 0) {
		g_autofree char *why = g_strdup(core_error_message());

		core_error(CORE_ERR_FAILED, _("The file of pool \"%s\" (%s) cannot be used: %s"),
			   name, path, why);
		return NULL;
	}
	return g_steal_pointer(&p);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct pool *x = *(struct pool *const *)a, *y = *(struct pool *const *)b;

	return strcmp(x->name, y->name);
}

GPtrArray *pool_list(void)
{
	g_autofree char *dir = pools_dir();
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pool_free);
	const char *f;

	while (d && (f = g_dir_read_name(d))) {
		g_autofree char *name = NULL;
		struct pool *p;

		if (!g_str_has_suffix(f, ".conf"))
			continue;
		name = g_strndup(f, strlen(f) - 5);
		if (!pool_name_valid(name)) {
			core_error_clear();
			continue;
		}
		if ((p = pool_load(name)))
			g_ptr_array_add(out, p);
		else
			core_error_clear();
	}
	g_ptr_array_sort(out, by_name);
	return out;
}

int pool_remove(const char *name)
{
	g_autofree char *path = pool_path(name);

	if (unlink(path) < 0 && errno != ENOENT) {
		core_error(CORE_ERR_FAILED, _("Cannot remove %s: %s"), path, g_strerror(errno));
		return -1;
	}
	return 0;
}

bool pool_entitled(const struct pool *p, const char *user, const char *const *groups)
{
	if (!p->users->len && !p->groups->len)
		return true;
	for (guint i = 0; i < p->users->len; i++)
		if (strcmp(p->users->pdata[i], user) == 0)
			return true;
	for (guint i = 0; i < p->groups->len; i++)
		for (unsigned j = 0; groups && groups[j]; j++)
			if (strcmp(p->groups->pdata[i], groups[j]) == 0)
				return true;
	return false;
}

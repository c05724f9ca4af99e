/*
 * lab.c — lab networks: a network between VMs, with addresses vmtui
 * hands out.
 *
 * On the embedded engine (root only) a lab is a bridge vtl-NAME with no
 * physical port, the gateway address .1 on it, one dnsmasq vmtui starts
 * and supervises (DHCP only, each VM's recorded address pinned to its MAC
 * through a hosts file re-read on SIGHUP) and an nftables table
 * vmtui-NAME: forwarding dropped for an isolated lab, masquerade and
 * forward accept rules for a --nat lab.  Its record and state files live
 * in DATA/networks/NAME/: lab.conf (a key file, written atomically),
 * dnsmasq.pid, dnsmasq.start (the pid and its start time, so a recycled
 * pid is never taken for our dnsmasq), hosts, leases, dnsmasq.log and
 * rules.nft.
 *
 * Crash safety: the record is written first, marked incomplete, and
 * completed last; a failure in between takes down whatever was made and
 * removes the record.  A vmtui killed in between leaves an incomplete
 * record that `net list` shows and `net delete` removes with the bridge,
 * dnsmasq and table it finds by name.  A dnsmasq that died is shown as
 * such, and started again by `net start`, by a VM start on the lab and
 * by anything that puts a NIC on it.
 *
 * Without root on the embedded engine (or with `net create --segment`) a
 * lab is a loopback segment: no bridge, tap or rule, which all take
 * CAP_NET_ADMIN, but each VM's NIC a UDP socket on 127.0.0.1 sending its
 * frames to the lab's hub (net/hub.c, `vmtui __net-hub`, supervised as
 * dnsmasq is: hub.pid, hub.start), which switches them and answers DHCP
 * from the same hosts file, writing the same leases file.  The host has
 * no address on a segment, and a segment has no --nat: a VM reaches the
 * outside through a second NIC on nat.
 *
 * On a daemon URI a lab is the libvirt network vmtui-NAME (isolated, or
 * <forward mode='nat'/>), with a <dhcp><host/> per VM kept current with
 * virNetworkUpdate.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/engine.h"
#include "core/files.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/run.h"
#include "net/net-priv.h"

#define LAB_CONF_MAX (16u << 10)
#define LEASES_MAX (4u << 20)
#define PIDFILE_MAX 64u
/* where segment hubs listen, and their NICs' own ports */
#define HUB_PORT_MIN 40000
#define HUB_PORT_MAX 49999
#define SEG_PORT_MIN 50000
#define SEG_PORT_MAX 59999

/* ---- addresses ------------------------------------------------------- */

static bool parse_ipv4(const char *s, guint32 *out)
{
	unsigned a, b, c, d;
	char tail;

	if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		return false;
	*out = (a << 24) | (b << 16) | (c << 8) | d;
	return true;
}

static char *ipv4_str(guint32 a)
{
	return g_strdup_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static guint32 prefix_mask(unsigned prefix)
{
	return prefix ? ~(guint32)0 << (32 - prefix) : 0;
}

/* "A.B.C.D[/P]" (a missing prefix: /32); false when it is not one. */
static bool parse_cidr(const char *s, guint32 *net, unsigned *prefix)
{
	g_autofree char *addr = g_strdup(s ? s : "");
	char *slash = strchr(addr, '/');
	long long p = 32;

	if (slash) {
		*slash++ = '\0';
		if (!*slash || strspn(slash, "0123456789") != strlen(slash) || strlen(slash) > 2)
			return false;
		p = strtoll(slash, NULL, 10);
		if (p > 32)
			return false;
	}
	if (!parse_ipv4(addr, net))
		return false;
	*prefix = (unsigned)p;
	return true;
}

static bool overlaps(guint32 a, unsigned pa, guint32 b, unsigned pb)
{
	guint32 m = prefix_mask(MIN(pa, pb));

	return (a & m) == (b & m);
}

/* Fills the addresses of @lab from its subnet: gateway .1, the static
 * part (what vmtui pins to VMs) from .2 to below the dynamic range, the
 * last quarter of the subnet, which dnsmasq hands to anything else. */
static void lab_addresses(struct net_lab *lab)
{
	guint32 size = (guint32)1 << (32 - lab->prefix);

	lab->gateway = lab->net + 1;
	lab->dyn_start = lab->net + size - size / 4;
	lab->dyn_end = lab->net + size - 2;
}

/* ---- records ----------------------------------------------------------- */

void net_lab_free(struct net_lab *lab)
{
	if (!lab)
		return;
	g_free(lab->name);
	g_free(lab->uplink);
	g_free(lab);
}

void net_lease_free(struct net_lease *l)
{
	if (!l)
		return;
	g_free(l->mac);
	g_free(l->address);
	g_free(l->hostname);
	g_free(l);
}

bool net_lab_name_valid(const char *name)
{
	size_t max = 15 - strlen(NET_LAB_BRIDGE_PREFIX);
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > max) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not a lab network name: 1 to %zu characters (it names the bridge %sNAME, and Linux allows 15)."),
			   name ? name : "", max, NET_LAB_BRIDGE_PREFIX);
		return false;
	}
	if (!g_ascii_isalnum(name[0])) {
		core_error(CORE_ERR_USAGE, _("\"%s\" is not a lab network name: it starts with a letter or digit."), name);
		return false;
	}
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_", *p)) {
			core_error(CORE_ERR_USAGE,
				   _("\"%s\" is not a lab network name: use letters, digits, \"-\" or \"_\"."),
				   name);
			return false;
		}
	return true;
}

static char *labs_dir(void)
{
	g_autofree char *data = core_data_dir();

	return g_build_filename(data, "networks", NULL);
}

static char *lab_path(const char *name, const char *leaf)
{
	g_autofree char *dir = labs_dir();

	return g_build_filename(dir, name, leaf, NULL);
}

static char *bridge_of(const char *name)
{
	return g_strconcat(NET_LAB_BRIDGE_PREFIX, name, NULL);
}

static char *table_of(const char *name)
{
	return g_strconcat(NET_LAB_NETWORK_PREFIX, name, NULL);
}

static int lab_save(const struct net_lab *lab)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *path = lab_path(lab->name, "lab.conf");
	g_autofree char *net = ipv4_str(lab->net), *subnet = g_strdup_printf("%s/%u", net, lab->prefix);
	g_autofree char *data = NULL;
	gsize len;

	g_key_file_set_string(kf, "lab", "subnet", subnet);
	g_key_file_set_boolean(kf, "lab", "nat", lab->nat);
	if (lab->uplink)
		g_key_file_set_string(kf, "lab", "uplink", lab->uplink);
	g_key_file_set_boolean(kf, "lab", "complete", lab->complete);
	if (lab->segment)
		g_key_file_set_integer(kf, "lab", "hub-port", (int)lab->hub_port);
	data = g_key_file_to_data(kf, &len, NULL);
	return core_write_file_atomic(path, data, len, 0644);
}

/* Reads the record of lab @name (checked: a regular file of at most
 * LAB_CONF_MAX bytes, each field).  NULL with an error. */
static struct net_lab *lab_load(const char *name)
{
	g_autofree char *path = lab_path(name, "lab.conf");
	g_autofree char *data = NULL, *subnet = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	struct net_lab *lab;
	size_t len;

	if (!net_lab_name_valid(name))
		return NULL;
	if (!(data = core_read_file(path, LAB_CONF_MAX, CORE_READ_NOFOLLOW, _("lab network record"), &len))) {
		if (core_error_code() == CORE_ERR_NOT_FOUND)
			core_error(CORE_ERR_NOT_FOUND,
				   _("There is no lab network \"%s\" (`vmtui net create %s` makes one)."),
				   name, name);
		return NULL;
	}
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &gerr)) {
		core_error(CORE_ERR_FAILED, _("The record of lab network \"%s\" (%s) is broken: %s"),
			   name, path, gerr->message);
		return NULL;
	}
	lab = g_new0(struct net_lab, 1);
	lab->name = g_strdup(name);
	subnet = g_key_file_get_string(kf, "lab", "subnet", NULL);
	if (!parse_cidr(subnet, &lab->net, &lab->prefix) || lab->prefix < NET_LAB_PREFIX_MIN ||
	    lab->prefix > NET_LAB_PREFIX_MAX || (lab->net & ~prefix_mask(lab->prefix))) {
		core_error(CORE_ERR_FAILED, _("The record of lab network \"%s\" (%s) has no valid subnet."),
			   name, path);
		net_lab_free(lab);
		return NULL;
	}
	lab->nat = g_key_file_get_boolean(kf, "lab", "nat", NULL);
	lab->uplink = g_key_file_get_string(kf, "lab", "uplink", NULL);
	if (lab->uplink && (!*lab->uplink || strlen(lab->uplink) > 15 || strpbrk(lab->uplink, "/ \t\n\"'"))) {
		g_clear_pointer(&lab->uplink, g_free);
		lab->nat = false;
	}
	lab->complete = g_key_file_get_boolean(kf, "lab", "complete", NULL);
	if (g_key_file_has_key(kf, "lab", "hub-port", NULL)) {
		int port = g_key_file_get_integer(kf, "lab", "hub-port", NULL);

		if (port < HUB_PORT_MIN || port > HUB_PORT_MAX) {
			core_error(CORE_ERR_FAILED, _("The record of lab network \"%s\" (%s) has no valid hub port."),
				   name, path);
			net_lab_free(lab);
			return NULL;
		}
		lab->segment = true;
		lab->hub_port = (unsigned)port;
		lab->nat = false;
	}
	lab_addresses(lab);
	return lab;
}

/* ---- helpers ------------------------------------------------------------ */

/* Writes @value to the sysctl file @path; false with an error. */
static bool sysctl_write(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f) {
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
		return false;
	}
	ok = fputs(value, f) >= 0;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		core_error(CORE_ERR_FAILED, _("Cannot write %s: %s"), path, g_strerror(errno));
	return ok;
}

/* ---- overlap with the host's routes and other labs ---------------------- */

/* The first IPv4 route of this host (every table) that overlaps
 * @net/@prefix, as "DST dev DEV" (caller frees), routes on @own_bridge
 * left out; NULL when none.  *@failed on an error. */
static char *route_overlap(guint32 net, unsigned prefix, const char *own_bridge, bool *failed)
{
	const char *argv[] = { "ip", "-4", "-o", "route", "show", "table", "all", NULL };
	static const char *const types[] = { "unicast", "local", "broadcast", "anycast", "multicast",
					     "blackhole", "unreachable", "prohibit", "throw", "nat" };
	g_autofree char *out = core_run(argv, _("the host's routes"), &net_helper_opts);
	g_auto(GStrv) lines = NULL;

	*failed = !out;
	if (!out)
		return NULL;
	lines = g_strsplit(out, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		g_auto(GStrv) w = g_strsplit_set(lines[i], " \t", -1);
		const char *dst = NULL, *dev = "";
		guint32 rn;
		unsigned rp;
		int k = 0;

		while (w[k] && !*w[k])
			k++;
		if (!w[k])
			continue;
		for (size_t t = 0; t < G_N_ELEMENTS(types); t++)
			if (strcmp(w[k], types[t]) == 0) {
				k++;
				break;
			}
		dst = w[k];
		if (!dst || strcmp(dst, "default") == 0 || !parse_cidr(dst, &rn, &rp))
			continue;
		for (int m = k; w[m] && w[m + 1]; m++)
			if (strcmp(w[m], "dev") == 0)
				dev = w[m + 1];
		if (own_bridge && strcmp(dev, own_bridge) == 0)
			continue;
		/* multicast routes are no segment a lab could take */
		if ((rn >> 28) == 14)
			continue;
		if (overlaps(net, prefix, rn, rp))
			return g_strdup_printf("%s dev %s", dst, dev);
	}
	return NULL;
}

static gint name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the labs recorded here (sorted; caller unrefs). */
static GPtrArray *lab_names(void)
{
	g_autofree char *dir = labs_dir();
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *conf = lab_path(n, "lab.conf");

		if (n[0] != '.' && g_file_test(conf, G_FILE_TEST_EXISTS))
			g_ptr_array_add(out, g_strdup(n));
	}
	g_ptr_array_sort(out, name_cmp);
	return out;
}

/* Whether @net/@prefix is free on this host: no other lab of vmtui's
 * and (with @routes: the host gets an address on it) no route overlaps
 * it.  false with an error naming the overlap. */
static bool subnet_free(const char *name, guint32 net, unsigned prefix, bool routes, bool quiet)
{
	g_autoptr(GPtrArray) names = lab_names();
	g_autofree char *br = bridge_of(name), *hit = NULL;
	g_autofree char *sub = ipv4_str(net);
	bool failed;

	for (guint i = 0; i < names->len; i++) {
		autoptr(net_lab) other = NULL;

		if (strcmp(names->pdata[i], name) == 0)
			continue;
		if (!(other = lab_load(names->pdata[i]))) {
			core_error_clear();
			continue;
		}
		if (overlaps(net, prefix, other->net, other->prefix)) {
			g_autofree char *o = ipv4_str(other->net);

			if (!quiet)
				core_error(CORE_ERR_STATE,
					   _("The subnet %s/%u overlaps %s/%u of lab network \"%s\"; choose another with --subnet."),
					   sub, prefix, o, other->prefix, other->name);
			return false;
		}
	}
	if (!routes)
		return true;
	hit = route_overlap(net, prefix, br, &failed);
	if (failed)
		return false;
	if (hit) {
		g_autofree char *p = core_printable(hit, false);

		if (!quiet)
			core_error(CORE_ERR_STATE,
				   _("The subnet %s/%u overlaps the host's route %s; choose another with --subnet (`ip route show table all` lists them)."),
				   sub, prefix, p);
		return false;
	}
	return true;
}

/* ---- dnsmasq ------------------------------------------------------------- */

/* Whether process @pid has ended and waits to be reaped (a zombie: a
 * dnsmasq that died under a parent that does not reap). */
static bool process_dead(long pid)
{
	g_autofree char *p = g_strdup_printf("/proc/%ld/stat", pid);
	g_autofree char *stat = NULL;
	const char *paren;

	if (!g_file_get_contents(p, &stat, NULL, NULL))
		return true;
	paren = strrchr(stat, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

/* The pid of the lab's DHCP server @stem ("dnsmasq", or "hub" on a
 * segment) when it runs, else 0.  It is ours when the recorded start
 * time (STEM.start) matches the process's, or (a vmtui killed before it
 * recorded it) when its command line names our pid file (STEM.pid). */
static long server_pid(const char *name, const char *stem)
{
	g_autofree char *pidleaf = g_strconcat(stem, ".pid", NULL), *startleaf = g_strconcat(stem, ".start", NULL);
	g_autofree char *pidfile = lab_path(name, pidleaf);
	g_autofree char *startfile = lab_path(name, startleaf);
	g_autofree char *text = core_read_file(pidfile, PIDFILE_MAX, CORE_READ_NOFOLLOW, _("DHCP server pid file"), NULL);
	g_autofree char *rec = NULL, *cmdline = NULL, *procf = NULL;
	g_autofree char *want = NULL;
	long pid, rpid = 0;
	guint64 start, rstart = 0;
	gsize clen = 0;

	if (!text) {
		core_error_clear();
		return 0;
	}
	pid = strtol(text, NULL, 10);
	if (pid <= 1 || !(start = core_process_start(pid)) || process_dead(pid))
		return 0;
	rec = core_read_file(startfile, PIDFILE_MAX, CORE_READ_NOFOLLOW, _("DHCP server start file"), NULL);
	if (rec && sscanf(rec, "%ld %" G_GUINT64_FORMAT, &rpid, &rstart) == 2 && rpid == pid)
		return rstart == start ? pid : 0;
	core_error_clear();
	procf = g_strdup_printf("/proc/%ld/cmdline", pid);
	if (!g_file_get_contents(procf, &cmdline, &clen, NULL))
		return 0;
	want = g_strconcat("--pid-file=", pidfile, NULL);
	for (gsize off = 0; off < clen; off += strlen(cmdline + off) + 1)
		if (strcmp(cmdline + off, want) == 0)
			return pid;
	return 0;
}

static const char *server_of(const struct net_lab *lab)
{
	return lab->segment ? "hub" : "dnsmasq";
}

/* Ends the lab's DHCP server @stem (SIGTERM, then SIGKILL after 2 s). */
static void server_stop(const char *name, const char *stem)
{
	long pid = server_pid(name, stem);
	g_autofree char *pidleaf = g_strconcat(stem, ".pid", NULL), *startleaf = g_strconcat(stem, ".start", NULL);
	g_autofree char *pidfile = lab_path(name, pidleaf);
	g_autofree char *startfile = lab_path(name, startleaf);

	if (pid > 0) {
		guint64 start = core_process_start(pid);

		kill((pid_t)pid, SIGTERM);
		for (int i = 0; i < 20 && core_process_start(pid) == start && !process_dead(pid); i++)
			g_usleep(100 * 1000);
		if (core_process_start(pid) == start && !process_dead(pid))
			kill((pid_t)pid, SIGKILL);
	}
	unlink(pidfile);
	unlink(startfile);
}

/* Records the start time of the DHCP server @stem whose pid file its
 * first process wrote before it exited.  false with an error. */
static bool server_record(const struct net_lab *lab, const char *stem, const char *what)
{
	g_autofree char *pidleaf = g_strconcat(stem, ".pid", NULL), *startleaf = g_strconcat(stem, ".start", NULL);
	g_autofree char *pidfile = lab_path(lab->name, pidleaf);
	g_autofree char *startfile = lab_path(lab->name, startleaf);
	g_autofree char *dir = lab_path(lab->name, NULL);
	g_autofree char *text = core_read_file(pidfile, PIDFILE_MAX, CORE_READ_NOFOLLOW,
					       _("DHCP server pid file"), NULL);
	g_autofree char *rec = NULL;
	long pid = text ? strtol(text, NULL, 10) : 0;

	if (pid <= 1 || !core_process_start(pid)) {
		core_error(CORE_ERR_FAILED, _("%s of lab network \"%s\" did not stay running (see %s/%s.log)."),
			   what, lab->name, dir, stem);
		return false;
	}
	rec = g_strdup_printf("%ld %" G_GUINT64_FORMAT "\n", pid, core_process_start(pid));
	return core_write_file_atomic(startfile, rec, strlen(rec), 0644) == 0;
}

/* Starts the hub of segment @lab (`vmtui __net-hub`: this very program),
 * which binds its port and forks into the background. */
static bool hub_start(const struct net_lab *lab)
{
	g_autofree char *dir = lab_path(lab->name, NULL);
	g_autofree char *pidfile = lab_path(lab->name, "hub.pid");
	g_autofree char *hostspath = lab_path(lab->name, "hosts");
	g_autofree char *pidopt = g_strconcat("--pid-file=", pidfile, NULL);
	g_autofree char *port = g_strdup_printf("%u", lab->hub_port);
	g_autofree char *net = ipv4_str(lab->net), *cidr = g_strdup_printf("%s/%u", net, lab->prefix);
	g_autofree char *a1 = ipv4_str(lab->dyn_start), *a2 = ipv4_str(lab->dyn_end);
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	/* this very program, by its name where it still has one (so ps
	 * shows vmtui), else through /proc (its file was replaced) */
	const char *prog = self && g_path_is_absolute(self) && !g_str_has_suffix(self, " (deleted)") ?
			   self : "/proc/self/exe";
	const char *argv[] = { prog, NET_HUB_COMMAND, pidopt, dir, port, cidr, a1, a2, NULL };

	if (!g_file_test(hostspath, G_FILE_TEST_EXISTS) && core_write_file_atomic(hostspath, "", 0, 0644) < 0)
		return false;
	unlink(pidfile);
	if (!net_run(argv, _("the lab's hub"), false))
		return false;
	return server_record(lab, "hub", _("The hub"));
}

/* Starts the lab's dnsmasq, detached from vmtui (it forks into the
 * background itself once it has bound its socket, and its first process
 * exits with what went wrong, which core_run reports), then records its
 * pid's start time.  false with an error. */
static bool dnsmasq_start(const struct net_lab *lab)
{
	g_autofree char *br = bridge_of(lab->name);
	g_autofree char *dir = lab_path(lab->name, NULL);
	g_autofree char *pidfile = lab_path(lab->name, "dnsmasq.pid");
	g_autofree char *a1 = ipv4_str(lab->dyn_start), *a2 = ipv4_str(lab->dyn_end);
	g_autofree char *mask = ipv4_str(prefix_mask(lab->prefix));
	g_autofree char *iface = g_strconcat("--interface=", br, NULL);
	g_autofree char *range = g_strdup_printf("--dhcp-range=%s,%s,%s,1h", a1, a2, mask);
	g_autofree char *leases = g_strconcat("--dhcp-leasefile=", dir, "/leases", NULL);
	g_autofree char *pidopt = g_strconcat("--pid-file=", pidfile, NULL);
	g_autofree char *log = g_strconcat("--log-facility=", dir, "/dnsmasq.log", NULL);
	g_autofree char *hosts = g_strconcat("--dhcp-hostsfile=", dir, "/hosts", NULL);
	g_autofree char *hostspath = lab_path(lab->name, "hosts");
	const char *argv[] = {
		"dnsmasq", "--conf-file=/dev/null", "--port=0", "--no-resolv", "--no-hosts",
		"--bind-interfaces", iface, "--except-interface=lo", range, "--dhcp-authoritative",
		leases, pidopt, log, hosts, "--log-dhcp",
		/* root: the state files are in vmtui's data folder, which
		 * the user dnsmasq drops to by default cannot reach to
		 * re-read the hosts file */
		"--user=root", "--group=root",
		/* an isolated lab has no router to give */
		lab->nat ? NULL : "--dhcp-option=3", NULL
	};

	if (!g_file_test(hostspath, G_FILE_TEST_EXISTS) && core_write_file_atomic(hostspath, "", 0, 0644) < 0)
		return false;
	unlink(pidfile);
	if (!net_run(argv, _("the lab's DHCP server (dnsmasq)"), false))
		return false;
	return server_record(lab, "dnsmasq", "dnsmasq");
}

/* ---- the firewall --------------------------------------------------------- */

/* ---- the firewall: iptables, only where nft is missing --------------------- */

/* The lab's chain in @table ("filter" or "nat"). */
static char *ipt_chain(const char *name, const char *table)
{
	return g_strdup_printf("%s%s-%s", NET_LAB_NETWORK_PREFIX, name,
			       strcmp(table, "nat") == 0 ? "nat" : "fwd");
}

/* Runs iptables -w -t @table ARGS...; quiet: no error kept. */
static bool ipt(bool quiet, const char *table, ...)
{
	const char *argv[24] = { "iptables", "-w", "-t", table };
	int n = 4;
	va_list ap;

	va_start(ap, table);
	while (n < 23 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return net_run(argv, _("the lab's forwarding rules (iptables)"), quiet);
}

static void ipt_remove(const char *name)
{
	static const char *const tables[] = { "filter", "nat" };

	for (size_t i = 0; i < G_N_ELEMENTS(tables); i++) {
		g_autofree char *c = ipt_chain(name, tables[i]);
		const char *hook = i ? "POSTROUTING" : "FORWARD";

		/* each jump to the chain, a few at most */
		for (int k = 0; k < 8 && ipt(true, tables[i], "-D", hook, "-j", c, NULL); k++)
			;
		ipt(true, tables[i], "-F", c, NULL);
		ipt(true, tables[i], "-X", c, NULL);
	}
}

/* The rules of rules_add as iptables chains of their own, hooked into
 * FORWARD and POSTROUTING. */
static bool ipt_add(const struct net_lab *lab)
{
	g_autofree char *br = bridge_of(lab->name), *net = ipv4_str(lab->net);
	g_autofree char *sub = g_strdup_printf("%s/%u", net, lab->prefix);
	g_autofree char *fwd = ipt_chain(lab->name, "filter"), *nat = ipt_chain(lab->name, "nat");
	const char *up = lab->uplink;

	ipt_remove(lab->name);
	if (!ipt(false, "filter", "-N", fwd, NULL) ||
	    !ipt(false, "filter", "-A", fwd, "-i", br, "-o", br, "-j", "ACCEPT", NULL))
		return false;
	if (lab->nat &&
	    (!(up ? ipt(false, "filter", "-A", fwd, "-i", br, "-s", sub, "-o", up, "-j", "ACCEPT", NULL) :
		    ipt(false, "filter", "-A", fwd, "-i", br, "-s", sub, "-j", "ACCEPT", NULL)) ||
	     !ipt(false, "filter", "-A", fwd, "-o", br, "-m", "conntrack", "--ctstate",
		  "RELATED,ESTABLISHED", "-j", "ACCEPT", NULL) ||
	     !ipt(false, "nat", "-N", nat, NULL) ||
	     !(up ? ipt(false, "nat", "-A", nat, "-s", sub, "!", "-d", sub, "-o", up, "-j", "MASQUERADE", NULL) :
		    ipt(false, "nat", "-A", nat, "-s", sub, "!", "-d", sub, "-j", "MASQUERADE", NULL)) ||
	     !ipt(false, "nat", "-I", "POSTROUTING", "-j", nat, NULL)))
		return false;
	return ipt(false, "filter", "-A", fwd, "-i", br, "-j", "DROP", NULL) &&
	       ipt(false, "filter", "-A", fwd, "-o", br, "-j", "DROP", NULL) &&
	       ipt(false, "filter", "-I", "FORWARD", "-j", fwd, NULL);
}

/* ---- the firewall: nftables ------------------------------------------------- */

static bool rules_add(const struct net_lab *lab)
{
	g_autofree char *br = bridge_of(lab->name), *table = table_of(lab->name);
	g_autofree char *path = lab_path(lab->name, "rules.nft");
	g_autofree char *net = ipv4_str(lab->net);
	g_autoptr(GString) r = g_string_new(NULL);
	const char *argv[] = { "nft", "-f", path, NULL };

	if (!net_has_program("nft")) {
		if (net_has_program("iptables"))
			return ipt_add(lab);
		core_error(CORE_ERR_FAILED,
			   _("Lab networks need nftables (`nft`) or iptables for their forwarding rules, and neither is installed."));
		return false;
	}
	/* one transaction: the table replaced whole, or nothing changed */
	g_string_append_printf(r, "add table ip %s\ndelete table ip %s\ntable ip %s {\n", table, table, table);
	/* with br_netfilter, frames between two VMs of the lab pass the
	 * forward hook too, in and out of the bridge: they stay allowed */
	if (lab->nat) {
		g_string_append_printf(r, "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
				       "    ip saddr %s/%u ip daddr != %s/%u %s%s%s masquerade\n  }\n",
				       net, lab->prefix, net, lab->prefix,
				       lab->uplink ? "oifname \"" : "", lab->uplink ? lab->uplink : "",
				       lab->uplink ? "\"" : "");
		g_string_append_printf(r, "  chain forward {\n    type filter hook forward priority filter; policy accept;\n"
				       "    iifname \"%s\" oifname \"%s\" accept\n"
				       "    iifname \"%s\" ip saddr %s/%u %s%s%s accept\n"
				       "    oifname \"%s\" ct state related,established accept\n"
				       "    iifname \"%s\" drop\n    oifname \"%s\" drop\n  }\n",
				       br, br, br, net, lab->prefix,
				       lab->uplink ? "oifname \"" : "", lab->uplink ? lab->uplink : "",
				       lab->uplink ? "\"" : "", br, br, br);
	} else {
		g_string_append_printf(r, "  chain forward {\n    type filter hook forward priority filter; policy accept;\n"
				       "    iifname \"%s\" oifname \"%s\" accept\n"
				       "    iifname \"%s\" drop\n    oifname \"%s\" drop\n  }\n", br, br, br, br);
	}
	g_string_append(r, "}\n");
	if (core_write_file_atomic(path, r->str, r->len, 0600) < 0)
		return false;
	return net_run(argv, _("the lab's forwarding rules (nft)"), false);
}

static void rules_remove(const char *name)
{
	g_autofree char *table = table_of(name);
	const char *argv[] = { "nft", "delete", "table", "ip", table, NULL };

	if (net_has_program("nft"))
		net_run(argv, "nft", true);
	else if (net_has_program("iptables"))
		ipt_remove(name);
}

static bool rules_present(const char *name)
{
	g_autofree char *table = table_of(name);
	const char *argv[] = { "nft", "list", "table", "ip", table, NULL };

	g_autofree char *fwd = ipt_chain(name, "filter");

	if (net_has_program("nft"))
		return net_run(argv, "nft", true);
	return net_has_program("iptables") && ipt(true, "filter", "-S", fwd, NULL);
}

/* ---- the embedded lab: up and down ----------------------------------------- */

/* Takes down what lab @name has on this host: its hub or dnsmasq, and
 * as root its rules and bridge. */
static void lab_down(const char *name)
{
	g_autofree char *br = bridge_of(name);
	const char *argv[] = { "ip", "link", "del", br, NULL };

	server_stop(name, "hub");
	server_stop(name, "dnsmasq");
	if (geteuid() != 0)
		return;
	rules_remove(name);
	if (net_dev_has(br, NULL))
		net_run(argv, "ip link", true);
}

/* Removes lab @name's files and folder (every file vmtui and dnsmasq
 * write there, by name).  0, or -1 with an error. */
static int lab_remove_files(const char *name)
{
	static const char *const leaves[] = { "hosts", "leases", "dnsmasq.log", "rules.nft",
					      "dnsmasq.pid", "dnsmasq.start", "hub.pid", "hub.start",
					      "hub.log", "lab.conf" };
	g_autofree char *dir = lab_path(name, NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(leaves); i++) {
		g_autofree char *p = lab_path(name, leaves[i]);

		if (unlink(p) < 0 && errno != ENOENT) {
			core_error(CORE_ERR_FAILED, _("Cannot remove %s: %s"), p, g_strerror(errno));
			return -1;
		}
	}
	if (rmdir(dir) < 0 && errno != ENOENT) {
		core_error(CORE_ERR_FAILED, _("Cannot remove %s: %s"), dir, g_strerror(errno));
		return -1;
	}
	return 0;
}

static bool hosts_write(struct engine *eng, const struct net_lab *lab, bool *changed);

/* Brings lab @lab up, each part only when missing: the bridge with its
 * address, the rules, the hosts file, dnsmasq.  false with an error;
 * what it made is left for the caller to take down. */
static bool lab_up(struct engine *eng, const struct net_lab *lab)
{
	g_autofree char *br = bridge_of(lab->name);
	g_autofree char *gw = ipv4_str(lab->gateway);
	g_autofree char *addr = g_strdup_printf("%s/%u", gw, lab->prefix);
	g_autofree char *fwd = g_strdup_printf("/proc/sys/net/ipv4/conf/%s/forwarding", br);
	const char *add[] = { "ip", "link", "add", br, "type", "bridge", NULL };
	const char *ad[] = { "ip", "addr", "replace", addr, "dev", br, NULL };
	const char *up[] = { "ip", "link", "set", br, "up", NULL };
	bool changed;

	if (lab->segment)
		return hosts_write(eng, lab, &changed) &&
		       (server_pid(lab->name, "hub") || hub_start(lab));
	if (!net_dev_has(br, NULL)) {
		if (!subnet_free(lab->name, lab->net, lab->prefix, true, false))
			return false;
		if (!net_run(add, _("the lab's bridge"), false))
			return false;
	}
	if (!net_run(ad, _("the lab's bridge"), false) || !net_run(up, _("the lab's bridge"), false))
		return false;
	if (lab->nat) {
		if (lab->uplink && !net_dev_has(lab->uplink, NULL)) {
			core_error(CORE_ERR_NOT_FOUND, _("The uplink \"%s\" of lab network \"%s\" does not exist."),
				   lab->uplink, lab->name);
			return false;
		}
		/* host-wide, and left on at stop: other things may route */
		if (!sysctl_write("/proc/sys/net/ipv4/ip_forward", "1"))
			return false;
	}
	if (!sysctl_write(fwd, lab->nat ? "1" : "0"))
		return false;
	if (!rules_add(lab))
		return false;
	if (!hosts_write(eng, lab, &changed))
		return false;
	if (!server_pid(lab->name, "dnsmasq") && !dnsmasq_start(lab))
		return false;
	return true;
}

/* ---- VMs on a lab ----------------------------------------------------------- */

/* The NIC of @s on lab @name, or NULL. */
static const struct vm_nic *nic_on(const struct vm_spec *s, const char *name)
{
	for (guint k = 0; k < s->nics->len; k++) {
		const struct vm_nic *nic = s->nics->pdata[k];

		if (nic->mode == NET_LAB && nic->source && strcmp(nic->source, name) == 0)
			return nic;
	}
	return NULL;
}

GPtrArray *net_lab_users(struct engine *eng, const char *name, bool running_only)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	GPtrArray *out;

	if (!vms)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		if (!nic_on(s, name))
			continue;
		if (running_only) {
			virDomainPtr d = vm_lookup(eng, s->uuid ? s->uuid : s->name);
			bool active = d && virDomainIsActive(d) == 1;

			if (d)
				virDomainFree(d);
			core_error_clear();
			if (!active)
				continue;
		}
		g_ptr_array_add(out, g_strdup(s->name));
	}
	return out;
}

/* The "MAC,ADDRESS[,NAME]" lines of the VMs on @lab with a recorded
 * address in its subnet (caller frees); NULL with an error. */
static char *hosts_text(struct engine *eng, const struct net_lab *lab)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	g_autoptr(GString) t = g_string_new(NULL);

	if (!vms)
		return NULL;
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];
		const struct vm_nic *nic = nic_on(s, lab->name);
		guint32 a;

		if (!nic || !nic->mac || !net_mac_valid(nic->mac) || !parse_ipv4(s->lab_address, &a) ||
		    (a & prefix_mask(lab->prefix)) != lab->net)
			continue;
		g_string_append_printf(t, "%s,%s", nic->mac, s->lab_address);
		/* a host name dnsmasq takes: letters, digits, '-' */
		if (s->name && strspn(s->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") ==
		    strlen(s->name) && strlen(s->name) <= 63 && s->name[0] != '-')
			g_string_append_printf(t, ",%s", s->name);
		g_string_append_c(t, '\n');
	}
	return g_string_free(g_steal_pointer(&t), FALSE);
}

/* Rewrites the lab's hosts file from the engine's VMs; *@changed when it
 * differs from before. */
static bool hosts_write(struct engine *eng, const struct net_lab *lab, bool *changed)
{
	g_autofree char *path = lab_path(lab->name, "hosts");
	g_autofree char *text = hosts_text(eng, lab);
	g_autofree char *old = NULL;

	*changed = false;
	if (!text)
		return false;
	old = core_read_file(path, LEASES_MAX, CORE_READ_NOFOLLOW, _("lab hosts file"), NULL);
	core_error_clear();
	if (old && strcmp(old, text) == 0)
		return true;
	*changed = true;
	return core_write_file_atomic(path, text, strlen(text), 0644) == 0;
}

/* ---- the daemon's networks ------------------------------------------------ */

static bool daemon_engine(struct engine *eng)
{
	return !engine_is_embedded(eng);
}

static virNetworkPtr network_lookup(struct engine *eng, const char *name, bool quiet)
{
	g_autofree char *n = table_of(name);
	virNetworkPtr net = virNetworkLookupByName(engine_conn(eng), n);

	if (!net && !quiet)
		core_error_virt(CORE_ERR_NOT_FOUND,
				_("There is no lab network \"%s\" on %s (`vmtui net create %s` makes one)"),
				name, engine_uri(eng), name);
	return net;
}

/* The string value of @expr in @doc, or NULL. */
static char *xp_str(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	char *s = NULL;

	if (o && o->type == XPATH_STRING && o->stringval && *o->stringval)
		s = g_strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	return s;
}

/* A lab record from libvirt network @net's XML. */
static struct net_lab *network_lab(virNetworkPtr net, const char *name)
{
	g_autofree char *xml = virNetworkGetXMLDesc(net, 0);
	xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	g_autofree char *addr = NULL, *prefix = NULL, *mask = NULL, *fwd = NULL, *dev = NULL;
	struct net_lab *lab = NULL;
	guint32 a, m;

	if (!ctx) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read libvirt network \"%s%s\""), NET_LAB_NETWORK_PREFIX, name);
		goto out;
	}
	addr = xp_str(ctx, "string(/network/ip[1]/@address)");
	prefix = xp_str(ctx, "string(/network/ip[1]/@prefix)");
	mask = xp_str(ctx, "string(/network/ip[1]/@netmask)");
	fwd = xp_str(ctx, "string(/network/forward/@mode)");
	dev = xp_str(ctx, "string(/network/forward/@dev)");
	lab = g_new0(struct net_lab, 1);
	lab->name = g_strdup(name);
	lab->daemon = true;
	lab->complete = true;
	lab->nat = fwd && strcmp(fwd, "nat") == 0;
	lab->uplink = g_strdup(dev);
	lab->prefix = 24;
	if (prefix)
		lab->prefix = (unsigned)CLAMP(strtol(prefix, NULL, 10), 0, 32);
	else if (mask && parse_ipv4(mask, &m))
		lab->prefix = (unsigned)__builtin_popcount(m);
	if (parse_ipv4(addr, &a))
		lab->net = a & prefix_mask(lab->prefix);
	lab_addresses(lab);
	lab->bridge_up = virNetworkIsActive(net) == 1;
	lab->dnsmasq_running = lab->bridge_up;
	lab->rules = lab->bridge_up;
out:
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return lab;
}

/* The network XML of a new daemon lab, built with libxml2. */
static char *network_xml(const struct net_lab *lab)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)"network"), ip, dhcp, range;
	g_autofree char *n = table_of(lab->name);
	g_autofree char *gw = ipv4_str(lab->gateway), *p = g_strdup_printf("%u", lab->prefix);
	g_autofree char *a1 = ipv4_str(lab->dyn_start), *a2 = ipv4_str(lab->dyn_end);
	xmlChar *buf = NULL;
	int len = 0;
	char *out;

	xmlDocSetRootElement(doc, root);
	xmlNewTextChild(root, NULL, (const xmlChar *)"name", (const xmlChar *)n);
	if (lab->nat) {
		xmlNodePtr f = xmlNewChild(root, NULL, (const xmlChar *)"forward", NULL);

		xmlNewProp(f, (const xmlChar *)"mode", (const xmlChar *)"nat");
		if (lab->uplink)
			xmlNewProp(f, (const xmlChar *)"dev", (const xmlChar *)lab->uplink);
	}
	ip = xmlNewChild(root, NULL, (const xmlChar *)"ip", NULL);
	xmlNewProp(ip, (const xmlChar *)"address", (const xmlChar *)gw);
	xmlNewProp(ip, (const xmlChar *)"prefix", (const xmlChar *)p);
	dhcp = xmlNewChild(ip, NULL, (const xmlChar *)"dhcp", NULL);
	range = xmlNewChild(dhcp, NULL, (const xmlChar *)"range", NULL);
	xmlNewProp(range, (const xmlChar *)"start", (const xmlChar *)a1);
	xmlNewProp(range, (const xmlChar *)"end", (const xmlChar *)a2);
	xmlDocDumpMemory(doc, &buf, &len);
	out = g_strndup((const char *)buf, (gsize)len);
	xmlFree(buf);
	xmlFreeDoc(doc);
	return out;
}

static char *host_xml(const char *mac, const char *ip, const char *name)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr h = xmlNewNode(NULL, (const xmlChar *)"host");
	xmlBufferPtr b = xmlBufferCreate();
	char *out;

	xmlDocSetRootElement(doc, h);
	xmlNewProp(h, (const xmlChar *)"mac", (const xmlChar *)mac);
	xmlNewProp(h, (const xmlChar *)"ip", (const xmlChar *)ip);
	if (name)
		xmlNewProp(h, (const xmlChar *)"name", (const xmlChar *)name);
	xmlNodeDump(b, doc, h, 0, 0);
	out = g_strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	xmlFreeDoc(doc);
	return out;
}

/* Makes the daemon network's <dhcp><host/> entries those of the VMs on
 * it: adds the missing ones, replaces changed ones. */
static bool network_hosts_sync(struct engine *eng, const struct net_lab *lab)
{
	virNetworkPtr net = network_lookup(eng, lab->name, false);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	bool ok = true;
	unsigned flags = VIR_NETWORK_UPDATE_AFFECT_CONFIG;

	if (!net)
		return false;
	if (virNetworkIsActive(net) == 1)
		flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
	if (!(text = hosts_text(eng, lab))) {
		virNetworkFree(net);
		return false;
	}
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; ok && lines[i] && *lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], ",", 3);
		g_autofree char *x = host_xml(f[0], f[1], f[2]);

		/* a host of that MAC may be there, with other values: out first */
		virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_DELETE, VIR_NETWORK_SECTION_IP_DHCP_HOST,
				 -1, x, flags);
		if (virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
				     VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, x, flags) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot register %s with lab network \"%s\""),
					f[0], lab->name);
			ok = false;
		}
	}
	virNetworkFree(net);
	return ok;
}

/* ---- the public operations ---------------------------------------------- */

struct net_lab *net_lab_get(struct engine *eng, const char *name)
{
	struct net_lab *lab;

	if (!net_lab_name_valid(name))
		return NULL;
	if (daemon_engine(eng)) {
		virNetworkPtr net = network_lookup(eng, name, false);

		if (!net)
			return NULL;
		lab = network_lab(net, name);
		virNetworkFree(net);
		return lab;
	}
	if (!(lab = lab_load(name)))
		return NULL;
	lab->dnsmasq_pid = server_pid(name, server_of(lab));
	lab->dnsmasq_running = lab->dnsmasq_pid > 0;
	if (lab->segment) {
		lab->bridge_up = lab->rules = true;
		return lab;
	}
	{
		g_autofree char *br = bridge_of(name);

		lab->bridge_up = net_dev_has(br, NULL);
	}
	lab->rules = geteuid() == 0 && rules_present(name);
	return lab;
}

GPtrArray *net_lab_list(struct engine *eng)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)net_lab_free);

	if (daemon_engine(eng)) {
		virNetworkPtr *nets = NULL;
		int n = virConnectListAllNetworks(engine_conn(eng), &nets, 0);

		if (n < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot list the networks of %s"), engine_uri(eng));
			g_ptr_array_unref(out);
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			const char *nn = virNetworkGetName(nets[i]);
			struct net_lab *lab;

			if (nn && g_str_has_prefix(nn, NET_LAB_NETWORK_PREFIX) &&
			    (lab = network_lab(nets[i], nn + strlen(NET_LAB_NETWORK_PREFIX))))
				g_ptr_array_add(out, lab);
			virNetworkFree(nets[i]);
		}
		free(nets);
		core_error_clear();
		return out;
	}
	{
		g_autoptr(GPtrArray) names = lab_names();

		for (guint i = 0; i < names->len; i++) {
			struct net_lab *lab = net_lab_get(eng, names->pdata[i]);

			if (lab)
				g_ptr_array_add(out, lab);
			else
				core_error_clear();
		}
	}
	return out;
}

GPtrArray *net_lab_names(struct engine *eng)
{
	g_autoptr(GPtrArray) labs = NULL;
	GPtrArray *out;

	if (!daemon_engine(eng))
		return engine_is_test(eng) ? g_ptr_array_new_with_free_func(g_free) : lab_names();
	/* the daemon's networks are read anyway: their names are all it takes */
	out = g_ptr_array_new_with_free_func(g_free);
	if ((labs = net_lab_list(eng)))
		for (guint i = 0; i < labs->len; i++)
			g_ptr_array_add(out, g_strdup(((struct net_lab *)labs->pdata[i])->name));
	core_error_clear();
	return out;
}

/* Root, and the programs a lab needs, on the embedded engine (a
 * segment needs neither). */
static bool embedded_can(const struct net_lab *lab)
{
	if (lab->segment)
		return true;
	if (geteuid() != 0) {
		core_error(CORE_ERR_USAGE,
			   _("Lab network \"%s\" is a bridge, which only root can bring up or take down: making the bridge vtl-NAME and running its DHCP server take CAP_NET_ADMIN. "
			     "Run vmtui as root for it; as this user, `vmtui net create` makes labs as loopback segments."),
			   lab->name);
		return false;
	}
	if (!net_has_program("dnsmasq") || !net_has_program("ip")) {
		core_error(CORE_ERR_FAILED,
			   _("Lab networks need dnsmasq (the DHCP server) and ip (iproute2); install them (Debian: dnsmasq-base, iproute2)."));
		return false;
	}
	return true;
}

/* Whether UDP port @port on 127.0.0.1 is free now (a bind works). */
static bool udp_port_free(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((guint16)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A UDP port from @lo to @hi, from a random one on, not in @avoid and
 * free on 127.0.0.1 now; 0 with an error when there is none. */
static unsigned pick_udp_port(unsigned lo, unsigned hi, GHashTable *avoid)
{
	unsigned n = hi - lo + 1, first = (unsigned)g_random_int_range(0, (gint32)n);

	for (unsigned i = 0; i < n; i++) {
		unsigned p = lo + (first + i) % n;

		if (!g_hash_table_contains(avoid, GUINT_TO_POINTER(p)) && udp_port_free(p))
			return p;
	}
	core_error(CORE_ERR_STATE, _("No UDP port from %u to %u is free on 127.0.0.1."), lo, hi);
	return 0;
}

/* The hub ports of the labs recorded here, but @name's. */
static GHashTable *hub_ports(const char *name)
{
	g_autoptr(GPtrArray) names = lab_names();
	GHashTable *out = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < names->len; i++) {
		autoptr(net_lab) o = NULL;

		if (strcmp(names->pdata[i], name) == 0)
			continue;
		if ((o = lab_load(names->pdata[i])) && o->segment)
			g_hash_table_add(out, GUINT_TO_POINTER(o->hub_port));
		core_error_clear();
	}
	return out;
}

int net_lab_create(struct engine *eng, const char *name, const char *subnet, bool nat,
		   const char *uplink, bool segment)
{
	autoptr(net_lab) lab = g_new0(struct net_lab, 1);
	g_autofree char *dir = NULL;

	if (!net_lab_name_valid(name))
		return -1;
	if (uplink && !nat) {
		core_error(CORE_ERR_USAGE, _("--uplink is where a --nat lab's traffic leaves; give --nat with it."));
		return -1;
	}
	if (uplink && (!*uplink || strlen(uplink) > 15 || strpbrk(uplink, "/ \t\n\"'\\"))) {
		g_autofree char *p = core_printable(uplink, false);

		core_error(CORE_ERR_USAGE, _("\"%s\" is not a network device name."), p);
		return -1;
	}
	if (segment && daemon_engine(eng)) {
		core_error(CORE_ERR_USAGE,
			   _("--segment is for the embedded engine; on %s a lab is a libvirt network, and needs no root of vmtui."),
			   engine_uri(eng));
		return -1;
	}
	/* without root, a segment is the lab this engine can have */
	segment = segment || (!daemon_engine(eng) && geteuid() != 0);
	if (segment && nat) {
		core_error(CORE_ERR_USAGE,
			   geteuid() != 0 ?
			   _("Without root a lab is a loopback segment, which has no --nat: routing out of a lab takes a bridge and forwarding rules (root). Give the VMs a second NIC on nat (--net lab:NAME --net nat) to reach beyond the lab.") :
			   _("A loopback segment has no --nat: routing out of a lab takes a bridge (leave --segment out). Give the VMs a second NIC on nat (--net lab:NAME --net nat) to reach beyond the lab."));
		return -1;
	}
	lab->name = g_strdup(name);
	lab->nat = nat;
	lab->uplink = g_strdup(uplink);
	lab->segment = segment;
	if (subnet) {
		g_autofree char *p = core_printable(subnet, false);

		if (!parse_cidr(subnet, &lab->net, &lab->prefix) || !strchr(subnet, '/')) {
			core_error(CORE_ERR_USAGE,
				   _("\"%s\" is not a subnet: write it as an IPv4 network and prefix, such as 10.77.5.0/24."), p);
			return -1;
		}
		if (lab->prefix < NET_LAB_PREFIX_MIN || lab->prefix > NET_LAB_PREFIX_MAX) {
			core_error(CORE_ERR_USAGE, _("A lab's subnet is a /%d to a /%d, not /%u."),
				   NET_LAB_PREFIX_MIN, NET_LAB_PREFIX_MAX, lab->prefix);
			return -1;
		}
		if ((lab->net >> 24) == 0 || (lab->net >> 24) == 127 || (lab->net >> 28) >= 14) {
			core_error(CORE_ERR_USAGE,
				   _("%s is not a subnet a lab can have (0.0.0.0/8, loopback, multicast and reserved addresses are not); use a private one such as 10.77.5.0/24."), p);
			return -1;
		}
		if (lab->net & ~prefix_mask(lab->prefix)) {
			g_autofree char *n = ipv4_str(lab->net & prefix_mask(lab->prefix));

			core_error(CORE_ERR_USAGE, _("\"%s\" has host bits set: the network is %s/%u."), p, n,
				   lab->prefix);
			return -1;
		}
	}

	if (daemon_engine(eng)) {
		g_autofree char *xml = NULL;
		virNetworkPtr net = network_lookup(eng, name, true);

		core_error_clear();
		if (net) {
			virNetworkFree(net);
			core_error(CORE_ERR_STATE, _("A lab network \"%s\" already exists on %s."), name, engine_uri(eng));
			return -1;
		}
		if (!subnet) {
			/* the first 10.77.N.0/24 no other lab of this daemon has */
			g_autoptr(GPtrArray) labs = net_lab_list(eng);
			unsigned n;

			for (n = 0; n < 256 && labs; n++) {
				bool used = false;

				for (guint i = 0; i < labs->len; i++) {
					const struct net_lab *o = labs->pdata[i];

					used |= overlaps(0x0a4d0000u | (n << 8), 24, o->net, o->prefix);
				}
				if (!used)
					break;
			}
			lab->net = 0x0a4d0000u | (n << 8);
			lab->prefix = 24;
		}
		lab_addresses(lab);
		xml = network_xml(lab);
		if (!(net = virNetworkDefineXML(engine_conn(eng), xml))) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot define lab network \"%s\""), name);
			return -1;
		}
		if (virNetworkCreate(net) < 0 || virNetworkSetAutostart(net, 1) < 0) {
			g_autofree char *why = NULL;

			core_error_virt(CORE_ERR_ENGINE, _("Cannot start lab network \"%s\""), name);
			why = g_strdup(core_error_message());
			if (virNetworkIsActive(net) == 1)
				virNetworkDestroy(net);
			virNetworkUndefine(net);
			virNetworkFree(net);
			core_error_restore(CORE_ERR_ENGINE, why);
			return -1;
		}
		virNetworkFree(net);
		return 0;
	}

	if (!embedded_can(lab))
		return -1;
	if (!segment && !net_has_program("nft") && !net_has_program("iptables")) {
		core_error(CORE_ERR_FAILED, _("A lab needs nftables (`nft`) or iptables for its forwarding rules; neither is installed."));
		return -1;
	}
	if (uplink && !net_dev_has(uplink, NULL)) {
		core_error(CORE_ERR_NOT_FOUND, _("There is no network device \"%s\" to be the uplink (`ip link` lists them)."),
			   uplink);
		return -1;
	}
	{
		g_autofree char *conf = lab_path(name, "lab.conf"), *br = bridge_of(name);

		if (g_file_test(conf, G_FILE_TEST_EXISTS)) {
			core_error(CORE_ERR_STATE, _("A lab network \"%s\" already exists."), name);
			return -1;
		}
		if (!segment && net_dev_has(br, NULL)) {
			core_error(CORE_ERR_STATE,
				   _("A network device %s exists already, and vmtui has no record of it; remove it (`ip link del %s`) or choose another name."),
				   br, br);
			return -1;
		}
	}
	if (subnet) {
		if (!subnet_free(name, lab->net, lab->prefix, !segment, false))
			return -1;
	} else {
		unsigned n;

		for (n = 0; n < 256; n++) {
			if (subnet_free(name, 0x0a4d0000u | (n << 8), 24, !segment, true))
				break;
			if (core_error_code())
				return -1; /* the routes could not be read */
		}
		if (n == 256) {
			core_error(CORE_ERR_STATE, _("No 10.77.N.0/24 is free on this host; give --subnet."));
			return -1;
		}
		lab->net = 0x0a4d0000u | (n << 8);
		lab->prefix = 24;
	}
	lab_addresses(lab);
	if (segment) {
		g_autoptr(GHashTable) taken = hub_ports(name);

		if (!(lab->hub_port = pick_udp_port(HUB_PORT_MIN, HUB_PORT_MAX, taken)))
			return -1;
	}
	/* the record first, incomplete: a killed run leaves something
	 * `net list` shows and `net delete` removes */
	dir = lab_path(name, NULL);
	if (core_mkdir_p(dir, 0755) < 0)
		return -1;
	lab->complete = false;
	if (lab_save(lab) < 0 || !lab_up(eng, lab) || (lab->complete = true, lab_save(lab) < 0)) {
		g_autofree char *why = g_strdup(core_error_message());
		enum core_err code = core_error_code();

		lab_down(name);
		lab_remove_files(name);
		core_error_restore(code ? code : CORE_ERR_FAILED, why);
		return -1;
	}
	return 0;
}

int net_lab_start(struct engine *eng, const char *name)
{
	autoptr(net_lab) lab = NULL;

	if (daemon_engine(eng)) {
		virNetworkPtr net = network_lookup(eng, name, false);
		int rc = 0;

		if (!net)
			return -1;
		if (virNetworkIsActive(net) != 1 && virNetworkCreate(net) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot start lab network \"%s\""), name);
			rc = -1;
		}
		virNetworkFree(net);
		return rc;
	}
	if (!(lab = lab_load(name)))
		return -1;
	if (!embedded_can(lab))
		return -1;
	if (!lab_up(eng, lab))
		return -1;
	if (!lab->complete) {
		lab->complete = true;
		if (lab_save(lab) < 0)
			return -1;
	}
	return 0;
}

/* Refuses while VMs of @name (running ones with @running) exist. */
static bool not_used(struct engine *eng, const char *name, bool running, const char *what)
{
	g_autoptr(GPtrArray) users = net_lab_users(eng, name, running);
	g_autoptr(GString) list = g_string_new(NULL);

	if (!users)
		return false;
	if (!users->len)
		return true;
	for (guint i = 0; i < users->len; i++) {
		g_autofree char *p = core_printable(users->pdata[i], false);

		g_string_append_printf(list, "%s\"%s\"", i ? ", " : "", p);
	}
	core_error(CORE_ERR_STATE,
		   running ? _("Lab network \"%s\" is in use by running VMs: %s; shut them down before you %s it.") :
		   _("Lab network \"%s\" is in use by VMs: %s; delete them or remove their NICs on it before you %s it."),
		   name, list->str, what);
	return false;
}

int net_lab_stop(struct engine *eng, const char *name)
{
	autoptr(net_lab) lab = NULL;

	/* TRANSLATORS: completes "... before you %s it" */
	if (!not_used(eng, name, true, _("stop")))
		return -1;
	if (daemon_engine(eng)) {
		virNetworkPtr net = network_lookup(eng, name, false);
		int rc = 0;

		if (!net)
			return -1;
		if (virNetworkIsActive(net) == 1 && virNetworkDestroy(net) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot stop lab network \"%s\""), name);
			rc = -1;
		}
		virNetworkFree(net);
		return rc;
	}
	if (!(lab = lab_load(name)) || !embedded_can(lab))
		return -1;
	lab_down(name);
	return 0;
}

int net_lab_delete(struct engine *eng, const char *name)
{
	/* TRANSLATORS: completes "... before you %s it" */
	if (!net_lab_name_valid(name) || !not_used(eng, name, false, _("delete")))
		return -1;
	if (daemon_engine(eng)) {
		virNetworkPtr net = network_lookup(eng, name, false);
		int rc = 0;

		if (!net)
			return -1;
		if (virNetworkIsActive(net) == 1)
			virNetworkDestroy(net);
		if (virNetworkUndefine(net) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot delete lab network \"%s\""), name);
			rc = -1;
		}
		virNetworkFree(net);
		return rc;
	}
	{
		g_autofree char *conf = lab_path(name, "lab.conf");
		autoptr(net_lab) lab = NULL;

		if (!g_file_test(conf, G_FILE_TEST_EXISTS)) {
			core_error(CORE_ERR_NOT_FOUND, _("There is no lab network \"%s\"."), name);
			return -1;
		}
		/* a broken record is removed as a bridge lab's: by root */
		if (!(lab = lab_load(name))) {
			core_error_clear();
			lab = g_new0(struct net_lab, 1);
			lab->name = g_strdup(name);
		}
		if (!embedded_can(lab))
			return -1;
	}
	lab_down(name);
	return lab_remove_files(name);
}

int net_lab_sync(struct engine *eng, const char *name)
{
	autoptr(net_lab) lab = NULL;
	bool changed;
	long pid;

	if (engine_is_test(eng) && !engine_conn(eng))
		return 0;
	if (!(lab = daemon_engine(eng) ? net_lab_get(eng, name) : lab_load(name)))
		return -1;
	if (lab->daemon)
		return network_hosts_sync(eng, lab) ? 0 : -1;
	if (!hosts_write(eng, lab, &changed))
		return -1;
	/* dnsmasq re-reads --dhcp-hostsfile on SIGHUP, and so does the hub */
	if (changed && (pid = server_pid(name, server_of(lab))) > 0)
		kill((pid_t)pid, SIGHUP);
	return 0;
}

int net_lab_ensure(struct engine *eng, const char *name)
{
	autoptr(net_lab) lab = NULL;

	if (engine_is_test(eng))
		return 0;
	if (!(lab = net_lab_get(eng, name)))
		return -1;
	/* a daemon's network is up or down as one; ours part by part (a
	 * segment's are always "up" but its hub) */
	if (lab->daemon ? !lab->bridge_up : !lab->bridge_up || !lab->dnsmasq_running || !lab->rules) {
		if (net_lab_start(eng, name) < 0)
			return -1;
		/* lab_up wrote the hosts file before dnsmasq read it */
		if (!lab->daemon)
			return 0;
	}
	return net_lab_sync(eng, name);
}

int net_lab_ensure_dom(struct engine *eng, virDomainPtr dom)
{
	g_autofree char *xml = NULL;
	autoptr(vm_spec) s = NULL;

	if (engine_is_test(eng))
		return 0;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!xml || !(s = domxml_parse(xml))) {
		core_error_clear();
		return 0;
	}
	for (guint k = 0; k < s->nics->len; k++) {
		const struct vm_nic *nic = s->nics->pdata[k];

		if (nic->mode == NET_LAB && nic->source && net_lab_ensure(eng, nic->source) < 0)
			return -1;
	}
	return 0;
}

char *net_lab_plan_address(struct engine *eng, const char *name, GHashTable *in_use)
{
	autoptr(net_lab) lab = NULL;

	if (engine_is_test(eng)) {
		/* no lab to read: the 10.77.0.0/24 a lab gets first */
		lab = g_new0(struct net_lab, 1);
		lab->net = 0x0a4d0000u;
		lab->prefix = 24;
		lab_addresses(lab);
	} else if (!(lab = daemon_engine(eng) ? net_lab_get(eng, name) : lab_load(name))) {
		/* the record is enough: once per VM of a run, no helper */
		return NULL;
	}
	for (guint32 a = lab->gateway + 1; a < lab->dyn_start; a++) {
		char *s = ipv4_str(a);

		if (!g_hash_table_contains(in_use, s)) {
			g_hash_table_add(in_use, g_strdup(s));
			return s;
		}
		g_free(s);
	}
	core_error(CORE_ERR_FAILED, _("Lab network \"%s\" has no free address left for a VM."), name);
	return NULL;
}

GPtrArray *net_lab_leases(struct engine *eng, const char *name)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)net_lease_free);

	if (daemon_engine(eng)) {
		virNetworkPtr net = network_lookup(eng, name, false);
		virNetworkDHCPLeasePtr *leases = NULL;
		int n;

		if (!net) {
			g_ptr_array_unref(out);
			return NULL;
		}
		n = virNetworkGetDHCPLeases(net, NULL, &leases, 0);
		for (int i = 0; i < n; i++) {
			struct net_lease *l = g_new0(struct net_lease, 1);

			l->mac = g_ascii_strdown(leases[i]->mac ? leases[i]->mac : "", -1);
			l->address = g_strdup(leases[i]->ipaddr);
			l->hostname = g_strdup(leases[i]->hostname);
			l->expiry = leases[i]->expirytime;
			g_ptr_array_add(out, l);
			virNetworkDHCPLeaseFree(leases[i]);
		}
		free(leases);
		virNetworkFree(net);
		if (n < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot read the leases of lab network \"%s\""), name);
			g_ptr_array_unref(out);
			return NULL;
		}
		return out;
	}
	{
		g_autofree char *path = lab_path(name, "leases");
		g_autofree char *text = NULL;
		g_auto(GStrv) lines = NULL;

		if (!net_lab_name_valid(name)) {
			g_ptr_array_unref(out);
			return NULL;
		}
		/* dnsmasq's lease file: "EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID" */
		text = core_read_file(path, LEASES_MAX, CORE_READ_NOFOLLOW, _("lab lease file"), NULL);
		if (!text) {
			if (core_error_code() == CORE_ERR_NOT_FOUND) {
				core_error_clear();
				return out;
			}
			g_ptr_array_unref(out);
			return NULL;
		}
		lines = g_strsplit(text, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			g_auto(GStrv) f = g_strsplit(lines[i], " ", 5);
			struct net_lease *l;
			guint32 a;

			if (g_strv_length(f) < 4 || !net_mac_valid(f[1]) || !parse_ipv4(f[2], &a))
				continue;
			l = g_new0(struct net_lease, 1);
			l->expiry = g_ascii_strtoll(f[0], NULL, 10);
			l->mac = g_ascii_strdown(f[1], -1);
			l->address = g_strdup(f[2]);
			l->hostname = strcmp(f[3], "*") ? core_printable(f[3], false) : NULL;
			g_ptr_array_add(out, l);
		}
	}
	return out;
}

char *net_lab_address(struct engine *eng, const char *lab, const char *mac)
{
	g_autoptr(GPtrArray) leases = net_lab_leases(eng, lab);
	g_autofree char *m = mac ? g_ascii_strdown(mac, -1) : NULL;

	if (!leases || !m)
		return NULL;
	/* the last lease of a MAC is its newest */
	for (guint i = leases->len; i-- > 0;) {
		const struct net_lease *l = leases->pdata[i];

		if (strcmp(l->mac, m) == 0) {
			/* with the lab's prefix where its record says it */
			autoptr(net_lab) rec = daemon_engine(eng) ? NULL : lab_load(lab);

			core_error_clear();
			return rec ? g_strdup_printf("%s/%u", l->address, rec->prefix) :
			       g_strdup(l->address);
		}
	}
	return NULL;
}

/* The ports given to segment NICs in this process (a VM with NICs on two
 * segments is defined with both at once). */
static GHashTable *given;
G_LOCK_DEFINE_STATIC(given);

/* The UDP ports of every segment NIC of @eng's VMs and of those given
 * here; NULL with an error. */
static GHashTable *segment_ports(struct engine *eng)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	GHashTable *out;
	GHashTableIter it;
	gpointer k;

	if (!vms)
		return NULL;
	out = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		for (guint j = 0; j < s->nics->len; j++) {
			const struct vm_nic *nic = s->nics->pdata[j];

			if (nic->port)
				g_hash_table_add(out, GUINT_TO_POINTER(nic->port));
		}
	}
	G_LOCK(given);
	if (given) {
		g_hash_table_iter_init(&it, given);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_hash_table_add(out, k);
	}
	G_UNLOCK(given);
	return out;
}

bool net_lab_prepare(struct engine *eng, struct vm_nic *nic)
{
	autoptr(net_lab) lab = NULL;

	if (engine_is_test(eng))
		return true;
	if (!engine_is_embedded(eng)) {
		g_autofree char *name = g_strconcat(NET_LAB_NETWORK_PREFIX, nic->source, NULL);
		virNetworkPtr n = network_lookup(eng, nic->source, false);

		if (!n)
			return false;
		/* a stopped network is started: the NIC needs it to start */
		if (virNetworkIsActive(n) != 1 && virNetworkCreate(n) < 0) {
			core_error_virt(CORE_ERR_ENGINE, _("Cannot start lab network \"%s\""), nic->source);
			virNetworkFree(n);
			return false;
		}
		virNetworkFree(n);
		nic->mode = NET_NETWORK;
		g_free(nic->source);
		nic->source = g_steal_pointer(&name);
		return true;
	}
	/* the lab exists and runs (started again when a part is down) */
	if (net_lab_ensure(eng, nic->source) < 0 || !(lab = lab_load(nic->source)))
		return false;
	if (!lab->segment) {
		nic->hub_port = nic->port = 0;
		return true;
	}
	if (nic->mtu || nic->queues > 1 || nic->bandwidth || nic->vlan) {
		core_error(CORE_ERR_USAGE,
			   _("Lab network \"%s\" is a loopback segment: a NIC on it takes no mtu=, queues=, bandwidth= or vlan= (its frames go through a UDP socket, which has none of them)."),
			   nic->source);
		return false;
	}
	if (nic->hub_port != lab->hub_port || !nic->port) {
		g_autoptr(GHashTable) used = segment_ports(eng);

		if (!used)
			return false;
		nic->hub_port = lab->hub_port;
		if (!(nic->port = pick_udp_port(SEG_PORT_MIN, SEG_PORT_MAX, used)))
			return false;
		G_LOCK(given);
		if (!given)
			given = g_hash_table_new(g_direct_hash, g_direct_equal);
		g_hash_table_add(given, GUINT_TO_POINTER(nic->port));
		G_UNLOCK(given);
	}
	return true;
}

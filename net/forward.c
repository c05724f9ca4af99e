/*
 * forward.c — port forwards of nat NICs (QEMU's user-mode network).
 *
 * libvirt has no XML for them and Debian's libvirt has passt switched
 * off, so a forward lives in two places: vmtui's metadata of the VM (the
 * truth, kept with the persistent definition) and the running QEMU, where
 * the monitor command hostfwd_add sets it up.  QEMU forgets them when it
 * exits, so they are set up again after every start (the engine's start
 * hook: vm_start, and in the TUI the "started" event of another client's
 * start and the guests found running at open).
 *
 * Applying compares the metadata with `info usernet` and adds only what
 * is missing, so it may run twice for one start (vm_start and the event)
 * without harm; one lock per process keeps two runs from both adding.
 *
 * HMP answers errors as text with a success return code, so every
 * answer is read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "core/engine.h"
#include "core/i18n.h"
#include "core/names.h"
#include "net/net.h"

/* One forward change or apply at a time in this process: each reads what
 * QEMU has, then adds to it. */
static GMutex fwd_lock;

/* ---- parsing ------------------------------------------------------------- */

static bool parse_port(const char *what, const char *text, unsigned *out)
{
	long long n;

	if (!core_parse_int(what, text, 1, 65535, &n))
		return false;
	*out = (unsigned)n;
	return true;
}

/* Splits a trailing "/udp" or "/tcp" off @text (changed in place). */
static bool parse_proto(char *text, bool *udp, const char *whole)
{
	char *slash = strrchr(text, '/');

	*udp = false;
	if (!slash)
		return true;
	if (strcmp(slash + 1, "udp") == 0)
		*udp = true;
	else if (strcmp(slash + 1, "tcp") != 0) {
		core_error(CORE_ERR_USAGE, _("\"%s\": the protocol after \"/\" is tcp or udp."),
			   whole);
		return false;
	}
	*slash = '\0';
	return true;
}

bool net_forward_parse(const char *text, struct vm_forward **out)
{
	g_autofree char *copy = g_strdup(text ? text : "");
	g_auto(GStrv) parts = NULL;
	autoptr(vm_forward) f = g_new0(struct vm_forward, 1);
	struct in_addr a;
	guint n;

	*out = NULL;
	if (!parse_proto(copy, &f->udp, text))
		return false;
	parts = g_strsplit(copy, ":", -1);
	n = g_strv_length(parts);
	if (n != 2 && n != 3) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not a forward: give [ADDRESS:]HOSTPORT:GUESTPORT[/udp], e.g. 2222:22."),
			   text ? text : "");
		return false;
	}
	f->address = g_strdup(n == 3 ? parts[0] : "127.0.0.1");
	if (inet_pton(AF_INET, f->address, &a) != 1) {
		core_error(CORE_ERR_USAGE,
			   _("\"%s\" is not an IPv4 address (such as 127.0.0.1, the default) a forward can listen on."),
			   f->address);
		return false;
	}
	if (!parse_port(_("host port"), parts[n - 2], &f->host_port) ||
	    !parse_port(_("guest port"), parts[n - 1], &f->guest_port))
		return false;
	f->live = -1;
	*out = g_steal_pointer(&f);
	return true;
}

bool net_forward_parse_port(const char *text, unsigned *port, bool *udp)
{
	g_autofree char *copy = g_strdup(text ? text : "");

	return parse_proto(copy, udp, text) && parse_port(_("host port"), copy, port);
}

char *net_forward_text(const struct vm_forward *f)
{
	return g_strdup_printf("%s:%u → %u%s", f->address, f->host_port, f->guest_port,
			       f->udp ? "/udp" : "");
}

/* ---- this host's sockets ------------------------------------------------- */

/* Inodes of the sockets of this host bound to @port (for tcp: listening),
 * from /proc/net/{tcp,tcp6} or {udp,udp6}. */
static GArray *port_inodes(unsigned port, bool udp)
{
	const char *files[] = { udp ? "/proc/net/udp" : "/proc/net/tcp",
				udp ? "/proc/net/udp6" : "/proc/net/tcp6" };
	GArray *out = g_array_new(FALSE, FALSE, sizeof(guint64));

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *text = NULL;
		g_auto(GStrv) lines = NULL;

		if (!g_file_get_contents(files[i], &text, NULL, NULL))
			continue;
		lines = g_strsplit(text, "\n", -1);
		for (guint k = 1; lines[k]; k++) {
			char local[64], remote[64], state[8];
			unsigned long long inode;
			const char *colon;

			/* sl local rem st tx:rx tr:tm retrnsmt uid timeout inode */
			if (sscanf(lines[k], "%*s %63s %63s %7s %*s %*s %*s %*s %*s %llu",
				   local, remote, state, &inode) != 4)
				continue;
			colon = strrchr(local, ':');
			if (!colon || strtoul(colon + 1, NULL, 16) != port)
				continue;
			if (!udp && strcmp(state, "0A") != 0)
				continue; /* not LISTEN */
			g_array_append_val(out, inode);
		}
	}
	return out;
}

/* "pid 1234 (python3 -m http.server)" for the process holding a socket
 * of @inodes, or NULL when none can be seen (another user's, without
 * root).  Caller frees. */
static char *socket_owner(GArray *inodes)
{
	g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
	const char *pid;

	while (proc && inodes->len && (pid = g_dir_read_name(proc))) {
		g_autofree char *fddir = NULL;
		g_autoptr(GDir) fds = NULL;
		const char *fd;

		if (strspn(pid, "0123456789") != strlen(pid))
			continue;
		fddir = g_strdup_printf("/proc/%s/fd", pid);
		if (!(fds = g_dir_open(fddir, 0, NULL)))
			continue;
		while ((fd = g_dir_read_name(fds))) {
			g_autofree char *path = g_build_filename(fddir, fd, NULL);
			g_autofree char *link = g_file_read_link(path, NULL);
			unsigned long long ino;

			if (!link || sscanf(link, "socket:[%llu]", &ino) != 1)
				continue;
			for (guint i = 0; i < inodes->len; i++) {
				g_autofree char *cmdpath = NULL, *cmd = NULL;
				gsize len = 0;

				if (g_array_index(inodes, guint64, i) != ino)
					continue;
				cmdpath = g_strdup_printf("/proc/%s/cmdline", pid);
				if (g_file_get_contents(cmdpath, &cmd, &len, NULL) && len) {
					/* one line: NULs between the arguments and any
					 * line breaks in them become spaces */
					for (gsize c = 0; c + 1 < len; c++)
						if (!cmd[c] || cmd[c] == '\n' || cmd[c] == '\r' || cmd[c] == '\t')
							cmd[c] = ' ';
					/* a long command line says no more */
					if (len > 80)
						strcpy(cmd + 77, "...");
					return g_strdup_printf(_("process %s (%s)"), pid, cmd);
				}
				return g_strdup_printf(_("process %s"), pid);
			}
		}
	}
	return NULL;
}

/* Whether @f's host side can be bound on this host: a bind (then closed)
 * says it better than any table, also for the address (EADDRNOTAVAIL: not
 * one of this host's) and privileged ports (EACCES).  With @quiet only
 * the answer, else an error saying why not. */
static bool host_port_free(const char *address, unsigned port, bool udp, bool quiet)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int one = 1, err = 0;

	if (fd < 0)
		return true; /* nothing to tell: QEMU will say */
	inet_pton(AF_INET, address, &sa.sin_addr);
	/* QEMU binds with SO_REUSEADDR: a port in TIME_WAIT is free to it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		err = errno;
	close(fd);
	if (!err || quiet)
		return !err;
	if (err == EACCES) {
		core_error(CORE_ERR_USAGE,
			   _("Host port %u is below 1024: only root may listen on it. Use a port from 1024 up (e.g. 2222:22)."),
			   port);
	} else if (err == EADDRNOTAVAIL) {
		core_error(CORE_ERR_USAGE,
			   _("%s is not an address of this host; a forward listens on one of them (127.0.0.1, the default, or 0.0.0.0 for all)."),
			   address);
	} else if (err == EADDRINUSE) {
		g_autoptr(GArray) inodes = port_inodes(port, udp);
		g_autofree char *who = socket_owner(inodes);

		if (who)
			core_error(CORE_ERR_STATE, _("Host port %u (%s) is in use by %s."),
				   port, udp ? "udp" : "tcp", who);
		else
			core_error(CORE_ERR_STATE, _("Host port %u (%s) is in use by another program."),
				   port, udp ? "udp" : "tcp");
	} else {
		core_error(CORE_ERR_FAILED, _("Cannot listen on %s:%u: %s"), address, port,
			   g_strerror(err));
	}
	return false;
}

/* ---- QEMU's monitor -------------------------------------------------------- */

/* Runs the HMP command @cmd on @dom; its answer (caller frees), or NULL
 * with an error. */
static char *hmp(virDomainPtr dom, const char *cmd)
{
	char *out = NULL;

	if (virDomainQemuMonitorCommand(dom, cmd, &out, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
		core_error_virt(CORE_ERR_FAILED, _("QEMU's monitor of VM \"%s\" refused \"%s\""),
				virDomainGetName(dom), cmd);
		return NULL;
	}
	return out ? out : g_strdup("");
}

/* "tcp:127.0.0.1:2222" as hostfwd_remove takes it; caller frees. */
static char *rule_host(const struct vm_forward *f)
{
	return g_strdup_printf("%s:%s:%u", f->udp ? "udp" : "tcp", f->address, f->host_port);
}

/* The forwards QEMU has on netdev @netdev, from `info usernet`, as
 * "tcp:ADDRESS:PORT" keys (caller unrefs); NULL with an error.  Its
 * table (QEMU 7.2):
 *   Hub -1 (hostnet0):
 *     Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ
 *     TCP[HOST_FORWARD]  13       127.0.0.1  2222       10.0.2.15    22     0     0
 * with "*" for a forward on every address. */
static GHashTable *live_rules(virDomainPtr dom, const char *netdev)
{
	g_autofree char *out = hmp(dom, "info usernet");
	g_autofree char *head = g_strdup_printf("(%s):", netdev);
	g_auto(GStrv) lines = NULL;
	GHashTable *rules;
	bool mine = false;

	if (!out)
		return NULL;
	rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) w = NULL;
		const char *addr = NULL, *port = NULL;
		bool udp;

		if (g_str_has_prefix(lines[i], "Hub ")) {
			mine = strstr(lines[i], head) != NULL;
			continue;
		}
		w = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
		if (!mine || !w[0] || !g_str_has_suffix(w[0], "[HOST_FORWARD]"))
			continue;
		udp = g_str_has_prefix(w[0], "UDP");
		/* the first address is the host's, the port after it */
		for (guint k = 1; w[k] && !port; k++) {
			if (!*w[k])
				continue;
			if (addr)
				port = w[k];
			else if (strchr(w[k], '.') || strcmp(w[k], "*") == 0)
				addr = w[k];
		}
		if (addr && port)
			g_hash_table_add(rules, g_strdup_printf("%s:%s:%s", udp ? "udp" : "tcp",
								strcmp(addr, "*") == 0 ? "0.0.0.0" : addr,
								port));
	}
	return rules;
}

/* Sets up @f on @netdev of @dom.  0, or -1 with an error saying why
 * (who has the port, when the VM runs on this host: @local). */
static int live_add(virDomainPtr dom, const char *netdev, const struct vm_forward *f,
		    bool local)
{
	g_autofree char *cmd = g_strdup_printf("hostfwd_add %s %s:%s:%u-:%u", netdev,
					       f->udp ? "udp" : "tcp", f->address,
					       f->host_port, f->guest_port);
	g_autofree char *out = hmp(dom, cmd);
	g_autofree char *text = NULL;

	if (!out)
		return -1;
	/* success is silence; anything else is QEMU's complaint */
	if (!*g_strstrip(out))
		return 0;
	text = net_forward_text(f);
	if (local && !host_port_free(f->address, f->host_port, f->udp, false)) {
		g_autofree char *why = g_strdup(core_error_message());

		core_error(core_error_code(), _("its port forward %s could not be set up: %s"),
			   text, why);
	} else {
		core_error(CORE_ERR_FAILED, _("its port forward %s could not be set up: QEMU says \"%s\"."),
			   text, out);
	}
	return -1;
}

/* Takes @f off @netdev of @dom; one QEMU does not have is no error. */
static int live_remove(virDomainPtr dom, const char *netdev, const struct vm_forward *f)
{
	g_autofree char *rule = rule_host(f);
	g_autofree char *cmd = g_strdup_printf("hostfwd_remove %s %s", netdev, rule);
	g_autofree char *out = hmp(dom, cmd);

	if (!out)
		return -1;
	if (strstr(out, "removed") || strstr(out, "not found"))
		return 0;
	core_error(CORE_ERR_FAILED, _("QEMU did not remove the forward %s: \"%s\"."), rule,
		   g_strstrip(out));
	return -1;
}

/* ---- a VM's forwards ------------------------------------------------------ */

/* What a forward operation knows of a VM. */
struct fwd_vm {
	virDomainPtr dom;
	bool running;       /* and has a QEMU to ask (not the test driver) */
	bool persistent;
	struct vm_spec *def; /* the definition (persistent, else live) */
	struct vm_spec *live; /* the running VM, for its NICs' aliases */
};

static void fwd_vm_fini(struct fwd_vm *v)
{
	vm_spec_free(v->def);
	vm_spec_free(v->live);
	if (v->dom)
		virDomainFree(v->dom);
}

static struct vm_spec *read_spec(virDomainPtr dom, unsigned flags)
{
	g_autofree char *xml = virDomainGetXMLDesc(dom, flags);

	if (!xml) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read the definition of VM \"%s\""),
				virDomainGetName(dom));
		return NULL;
	}
	return domxml_parse(xml);
}

/* Fills @v for @dom (taken over).  0, or -1 with an error. */
static int fwd_vm_read(struct engine *eng, virDomainPtr dom, struct fwd_vm *v)
{
	memset(v, 0, sizeof *v);
	v->dom = dom;
	v->persistent = virDomainIsPersistent(dom) == 1;
	v->running = virDomainIsActive(dom) == 1 && !engine_is_test(eng);
	if (!(v->def = read_spec(dom, v->persistent ? VIR_DOMAIN_XML_INACTIVE : 0)))
		return -1;
	if (v->running && !(v->live = read_spec(dom, 0)))
		return -1;
	return 0;
}

static int fwd_vm_open(struct engine *eng, const char *name, struct fwd_vm *v)
{
	virDomainPtr dom = vm_lookup(eng, name);

	memset(v, 0, sizeof *v);
	if (!dom)
		return -1;
	if (engine_wait_settled(eng, dom, engine_op_timeout_ms(eng)) < 0) {
		virDomainFree(dom);
		return -1;
	}
	return fwd_vm_read(eng, dom, v);
}

/* The QEMU netdev of the running NIC with @mac ("hostnet0"), or NULL. */
static char *netdev_of(const struct vm_spec *live, const char *mac)
{
	for (guint i = 0; live && mac && i < live->nics->len; i++) {
		const struct vm_nic *nic = live->nics->pdata[i];

		if (nic->mac && nic->alias && nic->mode == NET_NAT &&
		    g_ascii_strcasecmp(nic->mac, mac) == 0)
			return g_strconcat("host", nic->alias, NULL);
	}
	return NULL;
}

/* The first nat NIC of @s, or NULL. */
static const struct vm_nic *first_nat(const struct vm_spec *s)
{
	for (guint i = 0; s && i < s->nics->len; i++) {
		const struct vm_nic *nic = s->nics->pdata[i];

		if (nic->mode == NET_NAT)
			return nic;
	}
	return NULL;
}

/* Writes @forwards into vmtui's metadata of @v's VM by defining it again
 * with them (libvirt's metadata call cannot keep our element's children
 * in its namespace), from the definition with its secrets, so nothing
 * else changes.  A transient VM has no definition to keep them in. */
static int store(struct engine *eng, struct fwd_vm *v, const GPtrArray *forwards)
{
	g_autofree char *xml = NULL, *updated = NULL;
	virDomainPtr dom;

	if (!v->persistent) {
		core_error(CORE_ERR_STATE,
			   _("VM \"%s\" is transient: it has no definition to keep port forwards in."),
			   virDomainGetName(v->dom));
		return -1;
	}
	xml = virDomainGetXMLDesc(v->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	if (!xml) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot read the definition of VM \"%s\""),
				virDomainGetName(v->dom));
		return -1;
	}
	if (!(updated = domxml_set_forwards(xml, forwards)))
		return -1;
	if (!(dom = virDomainDefineXML(engine_conn(eng), updated))) {
		core_error_virt(CORE_ERR_ENGINE, _("Cannot store the forwards of VM \"%s\""),
				virDomainGetName(v->dom));
		return -1;
	}
	virDomainFree(dom);
	return 0;
}

static bool same_port(const struct vm_forward *a, unsigned port, bool udp)
{
	return a->host_port == port && a->udp == udp;
}

/* Whether two forwards on one port cannot both listen: the same address,
 * or one of them on every address. */
static bool overlap(const struct vm_forward *a, const struct vm_forward *b)
{
	return same_port(a, b->host_port, b->udp) &&
	       (strcmp(a->address, b->address) == 0 || strcmp(a->address, "0.0.0.0") == 0 ||
		strcmp(b->address, "0.0.0.0") == 0);
}

/* Refuses @f when a forward of any VM of @eng has its port. */
static bool engine_port_free(struct engine *eng, const struct vm_forward *f)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);

	if (!vms)
		return false;
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		for (guint k = 0; k < s->forwards->len; k++) {
			const struct vm_forward *o = s->forwards->pdata[k];
			g_autofree char *text = NULL;

			if (!overlap(o, f))
				continue;
			text = net_forward_text(o);
			core_error(CORE_ERR_STATE,
				   _("Host port %u (%s) is already forwarded to VM \"%s\" (%s); `vmtui forward remove %s %u` frees it."),
				   f->host_port, f->udp ? "udp" : "tcp", s->name, text, s->name,
				   f->host_port);
			return false;
		}
	}
	return true;
}

/* Sets ->live of each of @forwards from what @v's QEMU has. */
static void mark_live(struct fwd_vm *v, GPtrArray *forwards)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							   (GDestroyNotify)g_hash_table_unref);

	for (guint i = 0; i < forwards->len; i++) {
		struct vm_forward *f = forwards->pdata[i];
		g_autofree char *netdev = v->running ? netdev_of(v->live, f->nic) : NULL;
		g_autofree char *key = NULL;
		GHashTable *rules;

		f->live = -1;
		if (!v->running)
			continue;
		f->live = 0;
		if (!netdev)
			continue;
		if (!(rules = g_hash_table_lookup(seen, netdev))) {
			if (!(rules = live_rules(v->dom, netdev))) {
				core_error_clear();
				f->live = -1;
				continue;
			}
			g_hash_table_insert(seen, g_strdup(netdev), rules);
		}
		key = g_strdup_printf("%s:%s:%u", f->udp ? "udp" : "tcp", f->address, f->host_port);
		f->live = g_hash_table_contains(rules, key);
	}
}

GPtrArray *net_forward_list(struct engine *eng, const char *name)
{
	struct fwd_vm v;
	GPtrArray *out = NULL;

	g_mutex_lock(&fwd_lock);
	if (fwd_vm_open(eng, name, &v) == 0) {
		out = g_ptr_array_ref(v.def->forwards);
		mark_live(&v, out);
	}
	fwd_vm_fini(&v);
	g_mutex_unlock(&fwd_lock);
	return out;
}

/* The no-nat-NIC refusal. */
static void no_nat_error(const char *name)
{
	core_error(CORE_ERR_USAGE,
		   _("VM \"%s\" has no nat NIC: port forwards need one (QEMU's user-mode network; `vmtui nic add %s nat` adds one). A VM on a lab or bridge network needs none: it is reachable at its own address."),
		   name, name);
}

static int forward_add(struct engine *eng, const char *name, struct vm_forward *f,
		       bool *live)
{
	g_autoptr(GPtrArray) next = NULL;
	g_autofree char *netdev = NULL;
	const struct vm_nic *nat;
	struct fwd_vm v;
	int rc = -1;

	*live = false;
	if (fwd_vm_open(eng, name, &v) < 0)
		goto out;
	if (!(nat = first_nat(v.def))) {
		no_nat_error(name);
		goto out;
	}
	if (!nat->mac) {
		core_error(CORE_ERR_STATE, _("The nat NIC of VM \"%s\" has no MAC address."), name);
		goto out;
	}
	g_free(f->nic);
	f->nic = g_ascii_strdown(nat->mac, -1);
	if (!engine_port_free(eng, f))
		goto out;
	if (engine_is_local(eng) && !engine_is_test(eng) &&
	    !host_port_free(f->address, f->host_port, f->udp, false))
		goto out;
	if (v.running) {
		if (!(netdev = netdev_of(v.live, f->nic))) {
			core_error(CORE_ERR_STATE,
				   _("The running VM \"%s\" does not have its nat NIC %s (yet): add the forward when it is shut off, or add the NIC first."),
				   name, f->nic);
			goto out;
		}
		if (live_add(v.dom, netdev, f, engine_is_local(eng)) < 0) {
			g_autofree char *why = g_strdup(core_error_message());

			core_error(core_error_code(), _("VM \"%s\": %s"), name, why);
			goto out;
		}
		*live = true;
	}
	next = g_ptr_array_new_with_free_func((GDestroyNotify)vm_forward_free);
	for (guint i = 0; i < v.def->forwards->len; i++)
		g_ptr_array_add(next, vm_forward_copy(v.def->forwards->pdata[i]));
	g_ptr_array_add(next, vm_forward_copy(f));
	if (store(eng, &v, next) < 0) {
		/* nothing half-made: the running QEMU forgets it again */
		g_autofree char *why = g_strdup(core_error_message());
		enum core_err code = core_error_code();

		if (*live)
			live_remove(v.dom, netdev, f);
		*live = false;
		core_error_restore(code, why);
		goto out;
	}
	rc = 0;
out:
	fwd_vm_fini(&v);
	return rc;
}

int net_forward_add(struct engine *eng, const char *name, struct vm_forward *f, bool *live)
{
	int rc;

	g_mutex_lock(&fwd_lock);
	rc = forward_add(eng, name, f, live);
	g_mutex_unlock(&fwd_lock);
	return rc;
}

static int forward_remove(struct engine *eng, const char *name, unsigned port, bool udp,
			  bool *live)
{
	g_autoptr(GPtrArray) next = NULL;
	g_autofree char *netdev = NULL;
	struct vm_forward *f = NULL;
	struct fwd_vm v;
	int rc = -1;

	*live = false;
	if (fwd_vm_open(eng, name, &v) < 0)
		goto out;
	next = g_ptr_array_new_with_free_func((GDestroyNotify)vm_forward_free);
	for (guint i = 0; i < v.def->forwards->len; i++) {
		struct vm_forward *o = v.def->forwards->pdata[i];

		if (same_port(o, port, udp) && !f)
			f = o;
		else
			g_ptr_array_add(next, vm_forward_copy(o));
	}
	if (!f) {
		core_error(CORE_ERR_NOT_FOUND,
			   _("VM \"%s\" has no forward of host port %u (%s); `vmtui forward list %s` lists them."),
			   name, port, udp ? "udp" : "tcp", name);
		goto out;
	}
	if (v.running && (netdev = netdev_of(v.live, f->nic))) {
		if (live_remove(v.dom, netdev, f) < 0)
			goto out;
		*live = true;
	}
	if (store(eng, &v, next) < 0) {
		g_autofree char *why = g_strdup(core_error_message());
		enum core_err code = core_error_code();

		/* it stays as stored, so it stays live too */
		if (*live)
			live_add(v.dom, netdev, f, false);
		*live = false;
		core_error_restore(code, why);
		goto out;
	}
	rc = 0;
out:
	fwd_vm_fini(&v);
	return rc;
}

int net_forward_remove(struct engine *eng, const char *name, unsigned port, bool udp,
		       bool *live)
{
	int rc;

	g_mutex_lock(&fwd_lock);
	rc = forward_remove(eng, name, port, udp, live);
	g_mutex_unlock(&fwd_lock);
	return rc;
}

/* ---- after every start -------------------------------------------------- */

int net_forward_apply(struct engine *eng, virDomainPtr dom)
{
	g_autoptr(GString) failed = g_string_new(NULL);
	enum core_err code = CORE_OK;
	struct fwd_vm v;
	int rc = -1;

	if (engine_is_test(eng))
		return 0;
	g_mutex_lock(&fwd_lock);
	virDomainRef(dom);
	if (fwd_vm_read(eng, dom, &v) < 0)
		goto out;
	rc = 0;
	/* most VMs have none: no monitor command, no "custom-monitor" taint */
	if (!v.running || !v.def->forwards->len)
		goto out;
	mark_live(&v, v.def->forwards);
	for (guint i = 0; i < v.def->forwards->len; i++) {
		struct vm_forward *f = v.def->forwards->pdata[i];
		g_autofree char *netdev = netdev_of(v.live, f->nic);
		g_autofree char *text = net_forward_text(f);

		if (f->live == 1)
			continue;
		if (!netdev) {
			core_error(CORE_ERR_STATE, _("its port forward %s has no nat NIC %s to go on."),
				   text, f->nic ? f->nic : "?");
		} else if (live_add(v.dom, netdev, f, engine_is_local(eng)) == 0) {
			continue;
		}
		/* the others are still set up; all failures are told */
		code = core_error_code();
		g_string_append_printf(failed, "%s%s", failed->len ? "; " : "", core_error_message());
		rc = -1;
	}
	if (rc < 0)
		core_error(code ? code : CORE_ERR_FAILED, "%s", failed->str);
out:
	fwd_vm_fini(&v);
	g_mutex_unlock(&fwd_lock);
	return rc;
}


/* ---- picking ports -------------------------------------------------------- */

GHashTable *net_forward_ports(struct engine *eng)
{
	g_autoptr(GPtrArray) vms = vm_list(eng);
	GHashTable *used;

	if (!vms)
		return NULL;
	used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < vms->len; i++) {
		const struct vm_spec *s = vms->pdata[i];

		for (guint k = 0; k < s->forwards->len; k++) {
			const struct vm_forward *f = s->forwards->pdata[k];

			g_hash_table_add(used, g_strdup_printf("%s:%u", f->udp ? "udp" : "tcp",
							       f->host_port));
		}
	}
	return used;
}

unsigned net_forward_pick_port(GHashTable *used, const char *address, unsigned from,
			       bool udp)
{
	for (unsigned p = from; p && p <= 65535; p++) {
		g_autofree char *key = g_strdup_printf("%s:%u", udp ? "udp" : "tcp", p);

		if (g_hash_table_contains(used, key) || !host_port_free(address, p, udp, true))
			continue;
		g_hash_table_add(used, g_steal_pointer(&key));
		return p;
	}
	return 0;
}

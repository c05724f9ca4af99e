/*
 * hub.c — the hub of a lab network without root: a loopback segment.
 *
 * Without CAP_NET_ADMIN vmtui can make no bridge and no tap.  What QEMU
 * does as any user is carry a NIC's frames in UDP datagrams (libvirt's
 * <interface type='udp'>): each NIC on a segment lab sends its frames to
 * the lab's hub on 127.0.0.1 from a port of its own, and the hub switches
 * them between the NICs as a learning bridge does.  It also answers DHCP
 * itself, with the addresses vmtui pinned (the lab's hosts file, in
 * dnsmasq's --dhcp-hostsfile format) or from the lab's pool, and writes
 * its leases in dnsmasq's format: the rest of net/ reads a segment lab as
 * it reads a bridge lab.
 *
 * Everything is unicast on loopback, so nothing leaves the host (libvirt's
 * type='mcast' would multicast on the default-route interface: never
 * used).  A sender is a member only while the socket bound to its port on
 * 127.0.0.1 belongs to this user, as /proc/net/udp says: another user of
 * the host cannot join a lab or read its frames.
 *
 * `vmtui __net-hub --pid-file=DIR/hub.pid DIR PORT NET/PREFIX FIRST LAST`
 * binds the port, then forks into the background; the first process
 * exits with what went wrong, or with 0 once the pid file is written.
 * SIGHUP re-reads the hosts file, SIGTERM ends it.  It logs each lease it
 * gives to DIR/hub.log (at most HUB_LOG_MAX bytes, then started anew).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/files.h"
#include "core/i18n.h"
#include "net/net.h"

#define HUB_FRAME_MAX 65536
#define HUB_MEMBERS_MAX 256
#define HUB_MACS_MAX 4096
#define HUB_FILE_MAX (4u << 20)
#define HUB_LOG_MAX (1u << 20)
#define LEASE_S 3600
/* a member's owner is asked again after this long */
#define MEMBER_CHECK_S 30

struct member {
	guint16 port;
	bool ok;
	gint64 checked; /* monotonic seconds */
};

struct lease {
	guint64 mac;
	guint32 addr;   /* host byte order */
	gint64 expiry;  /* seconds since the epoch */
	char host[64];
};

struct hub {
	int fd;
	char *dir;
	guint32 net, mask, server, first, last;
	guint8 mac[6];
	GArray *members;  /* struct member */
	GHashTable *fdb;  /* MAC (48 bits) -> port */
	GHashTable *pins; /* MAC -> address */
	GArray *leases;   /* struct lease */
	FILE *log;
};

static volatile sig_atomic_t got_hup, got_term;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static guint64 mac48(const guint8 *m)
{
	guint64 v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | m[i];
	return v;
}

static void mac_text(guint64 v, char out[18])
{
	g_snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		   (unsigned)(v >> 40 & 0xff), (unsigned)(v >> 32 & 0xff), (unsigned)(v >> 24 & 0xff),
		   (unsigned)(v >> 16 & 0xff), (unsigned)(v >> 8 & 0xff), (unsigned)(v & 0xff));
}

static bool mac_parse(const char *s, guint64 *out)
{
	unsigned b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return false;
	*out = 0;
	for (int i = 0; i < 6; i++)
		*out = *out << 8 | b[i];
	return true;
}

static bool addr_parse(const char *s, guint32 *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static void addr_text(guint32 a, char out[16])
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, out, 16);
}

static void G_GNUC_PRINTF(2, 3) hub_log(struct hub *h, const char *fmt, ...)
{
	g_autofree char *path = g_build_filename(h->dir, "hub.log", NULL);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	struct stat st;

	/* the log of earlier hubs kept, until it is too long */
	if (!h->log && !(h->log = fopen(path, stat(path, &st) == 0 &&
					 st.st_size > (off_t)HUB_LOG_MAX ? "w" : "a")))
		return;
	if (ftell(h->log) > (long)HUB_LOG_MAX && !(h->log = freopen(path, "w", h->log)))
		return;
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(h->log, "%s ", stamp);
	va_start(ap, fmt);
	vfprintf(h->log, fmt, ap);
	va_end(ap);
	fputc('\n', h->log);
	fflush(h->log);
}

/* ---- the files: pinned addresses in, leases out ------------------------- */

static void read_pins(struct hub *h)
{
	g_autofree char *path = g_build_filename(h->dir, "hosts", NULL);
	g_autofree char *text = core_read_file(path, HUB_FILE_MAX, CORE_READ_NOFOLLOW, "hosts", NULL);
	g_auto(GStrv) lines = NULL;

	g_hash_table_remove_all(h->pins);
	if (!text) {
		core_error_clear();
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, ",", 3);
		guint64 mac;
		guint32 a;

		if (f[0] && f[1] && mac_parse(f[0], &mac) && addr_parse(f[1], &a) &&
		    (a & h->mask) == h->net)
			g_hash_table_insert(h->pins, GSIZE_TO_POINTER(mac), GUINT_TO_POINTER(a));
	}
}

/* Leases from an earlier hub of this lab, so a restart keeps them. */
static void read_leases(struct hub *h)
{
	g_autofree char *path = g_build_filename(h->dir, "leases", NULL);
	g_autofree char *text = core_read_file(path, HUB_FILE_MAX, CORE_READ_NOFOLLOW, "leases", NULL);
	g_auto(GStrv) lines = NULL;

	if (!text) {
		core_error_clear();
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && h->leases->len < HUB_MACS_MAX; l++) {
		g_auto(GStrv) f = g_strsplit(*l, " ", 5);
		struct lease le = { 0 };

		if (!f[0] || !f[1] || !f[2] || !f[3] || !mac_parse(f[1], &le.mac) ||
		    !addr_parse(f[2], &le.addr) || (le.addr & h->mask) != h->net)
			continue;
		le.expiry = g_ascii_strtoll(f[0], NULL, 10);
		if (strcmp(f[3], "*") != 0)
			g_strlcpy(le.host, f[3], sizeof le.host);
		g_array_append_val(h->leases, le);
	}
}

static void write_leases(struct hub *h)
{
	g_autofree char *path = g_build_filename(h->dir, "leases", NULL);
	g_autoptr(GString) t = g_string_new(NULL);

	for (guint i = 0; i < h->leases->len; i++) {
		const struct lease *le = &g_array_index(h->leases, struct lease, i);
		char m[18], a[16];

		mac_text(le->mac, m);
		addr_text(le->addr, a);
		g_string_append_printf(t, "%" G_GINT64_FORMAT " %s %s %s *\n", le->expiry, m, a,
				       le->host[0] ? le->host : "*");
	}
	if (core_write_file_atomic(path, t->str, t->len, 0644) < 0)
		core_error_clear();
}

static struct lease *lease_of(struct hub *h, guint64 mac)
{
	for (guint i = 0; i < h->leases->len; i++)
		if (g_array_index(h->leases, struct lease, i).mac == mac)
			return &g_array_index(h->leases, struct lease, i);
	return NULL;
}

static bool addr_taken(struct hub *h, guint32 a, guint64 mac)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, h->pins);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (GPOINTER_TO_UINT(v) == a && GPOINTER_TO_SIZE(k) != mac)
			return true;
	for (guint i = 0; i < h->leases->len; i++) {
		const struct lease *le = &g_array_index(h->leases, struct lease, i);

		if (le->addr == a && le->mac != mac && le->expiry > now)
			return true;
	}
	return false;
}

/* The address for @mac: its pinned one, its lease's, or a free one of
 * the pool; 0 when the pool is used up. */
static guint32 addr_for(struct hub *h, guint64 mac)
{
	gpointer pin = g_hash_table_lookup(h->pins, GSIZE_TO_POINTER(mac));
	const struct lease *le = lease_of(h, mac);

	if (pin)
		return GPOINTER_TO_UINT(pin);
	if (le && le->addr >= h->first && le->addr <= h->last && !addr_taken(h, le->addr, mac))
		return le->addr;
	for (guint32 a = h->first; a <= h->last; a++)
		if (!addr_taken(h, a, mac))
			return a;
	return 0;
}

/* ---- members ------------------------------------------------------------ */

/* Whether the UDP socket bound to 127.0.0.1:@port belongs to this user. */
static bool port_ours(guint16 port)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	const guint32 lo = htonl(INADDR_LOOPBACK);

	if (!g_file_get_contents("/proc/net/udp", &text, NULL, NULL))
		return false;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		unsigned a, p, uid;

		if (sscanf(*l, " %*u: %8X:%4X %*s %*s %*s %*s %*s %u", &a, &p, &uid) == 3 &&
		    a == lo && p == port)
			return uid == getuid();
	}
	return false;
}

static bool member(struct hub *h, guint16 port)
{
	gint64 now = g_get_monotonic_time() / G_USEC_PER_SEC;
	struct member m = { port, false, now };

	for (guint i = 0; i < h->members->len; i++) {
		struct member *e = &g_array_index(h->members, struct member, i);

		if (e->port != port)
			continue;
		if (now - e->checked >= MEMBER_CHECK_S) {
			e->ok = port_ours(port);
			e->checked = now;
		}
		return e->ok;
	}
	m.ok = port_ours(port);
	if (h->members->len >= HUB_MEMBERS_MAX)
		g_array_remove_index(h->members, 0);
	g_array_append_val(h->members, m);
	if (!m.ok)
		hub_log(h, "ignoring 127.0.0.1:%u: not a socket of this user", port);
	return m.ok;
}

/* ---- frames ------------------------------------------------------------- */

static void send_to(struct hub *h, guint16 port, const guint8 *f, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	/* a member that went away answers with ICMP: nothing to do */
	(void)!sendto(h->fd, f, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
}

static guint16 csum(const guint8 *p, size_t len)
{
	guint32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (guint32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (guint32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (guint16)~sum;
}

static void put16(guint8 *p, guint16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(guint8 *p, guint32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static guint32 get32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* An ARP request for the hub's address: answered from the hub's MAC (a
 * client renewing its lease sends to the server's address). */
static bool arp(struct hub *h, const guint8 *f, size_t len, guint16 port)
{
	guint8 r[42] = { 0 };

	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 1 ||
	    get32(f + 38) != h->server)
		return false;
	memcpy(r, f + 6, 6);
	memcpy(r + 6, h->mac, 6);
	memcpy(r + 12, f + 12, 8);
	r[21] = 2;
	memcpy(r + 22, h->mac, 6);
	put32(r + 28, h->server);
	memcpy(r + 32, f + 22, 10);
	send_to(h, port, r, sizeof r);
	return true;
}

enum { DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM };

/* Sends the DHCP reply @type for the request @req (its BOOTP part) to
 * @port, giving @yiaddr (0: none). */
static void dhcp_reply(struct hub *h, guint16 port, const guint8 *req, int type, guint32 yiaddr)
{
	guint8 f[14 + 20 + 8 + 300] = { 0 };
	guint8 *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o = b + 240;
	size_t blen = 300;

	memset(f, 0xff, 6);
	memcpy(f + 6, h->mac, 6);
	put16(f + 12, 0x0800);
	b[0] = 2;
	memcpy(b + 1, req + 1, 3);     /* htype, hlen, hops */
	memcpy(b + 4, req + 4, 4);     /* xid */
	memcpy(b + 10, req + 10, 2);   /* flags */
	if (type == ACK && !yiaddr)
		memcpy(b + 12, req + 12, 4); /* INFORM: ciaddr */
	put32(b + 16, yiaddr);
	memcpy(b + 28, req + 28, 16);  /* chaddr */
	put32(b + 236, 0x63825363);
	*o++ = 53, *o++ = 1, *o++ = (guint8)type;
	*o++ = 54, *o++ = 4, put32(o, h->server), o += 4;
	if (type != NAK) {
		*o++ = 1, *o++ = 4, put32(o, h->mask), o += 4;
		if (yiaddr) {
			*o++ = 51, *o++ = 4, put32(o, LEASE_S), o += 4;
			*o++ = 58, *o++ = 4, put32(o, LEASE_S / 2), o += 4;
			*o++ = 59, *o++ = 4, put32(o, LEASE_S * 7 / 8), o += 4;
		}
	}
	*o++ = 255;
	ip[0] = 0x45;
	put16(ip + 2, (guint16)(20 + 8 + blen));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, h->server);
	put32(ip + 16, 0xffffffff);
	put16(ip + 10, csum(ip, 20));
	put16(udp, 67);
	put16(udp + 2, 68);
	put16(udp + 4, (guint16)(8 + blen));
	/* UDP checksum 0: none, which IPv4 allows */
	send_to(h, port, f, sizeof f);
}

/* The DHCP option @code of @opt (@len bytes), its length in *@olen. */
static const guint8 *dhcp_opt(const guint8 *opt, size_t len, guint8 code, size_t *olen)
{
	for (size_t i = 0; i < len;) {
		if (opt[i] == 0) {
			i++;
			continue;
		}
		if (opt[i] == 255 || i + 1 >= len || i + 2 + opt[i + 1] > len)
			break;
		if (opt[i] == code) {
			*olen = opt[i + 1];
			return opt + i + 2;
		}
		i += 2 + opt[i + 1];
	}
	return NULL;
}

static void lease_set(struct hub *h, guint64 mac, guint32 a, const guint8 *name, size_t nlen)
{
	struct lease *le = lease_of(h, mac);
	char m[18], t[16];

	if (!le) {
		struct lease n = { .mac = mac };

		if (h->leases->len >= HUB_MACS_MAX)
			g_array_remove_index(h->leases, 0);
		g_array_append_val(h->leases, n);
		le = &g_array_index(h->leases, struct lease, h->leases->len - 1);
	}
	le->addr = a;
	le->expiry = g_get_real_time() / G_USEC_PER_SEC + LEASE_S;
	le->host[0] = '\0';
	/* a host name as dnsmasq keeps it: letters, digits, '-' */
	for (size_t i = 0; name && i < nlen && i < sizeof le->host - 1; i++) {
		if (!g_ascii_isalnum(name[i]) && name[i] != '-') {
			le->host[0] = '\0';
			break;
		}
		le->host[i] = (char)name[i];
		le->host[i + 1] = '\0';
	}
	write_leases(h);
	mac_text(mac, m);
	addr_text(a, t);
	hub_log(h, "DHCPACK %s %s %s", t, m, le->host[0] ? le->host : "");
}

/* A DHCP request to a server (UDP port 67): answered here and not
 * switched on.  false for any other frame. */
static bool dhcp(struct hub *h, const guint8 *f, size_t len, guint16 port)
{
	const guint8 *ip = f + 14, *udp, *b, *opt, *v;
	size_t ihl, olen, vlen = 0;
	guint64 mac;
	guint32 want = 0, give;
	int type;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (ip[0] >> 4) != 4 || ip[9] != 17)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < 20 || len < 14 + ihl + 8)
		return false;
	udp = ip + ihl;
	if (udp[2] != 0 || udp[3] != 67)
		return false;
	b = udp + 8;
	/* a BOOTREQUEST for Ethernet with the magic cookie, or nothing */
	if (len < (size_t)(b - f) + 240 || b[0] != 1 || b[1] != 1 || b[2] != 6 ||
	    get32(b + 236) != 0x63825363)
		return true;
	opt = b + 240;
	olen = len - (size_t)(opt - f);
	if (!(v = dhcp_opt(opt, olen, 53, &vlen)) || vlen != 1)
		return true;
	type = v[0];
	mac = mac48(b + 28);
	if ((v = dhcp_opt(opt, olen, 54, &vlen)) && vlen == 4 && get32(v) != h->server)
		return true; /* for another server */
	if ((v = dhcp_opt(opt, olen, 50, &vlen)) && vlen == 4)
		want = get32(v);
	else
		want = get32(b + 12);
	switch (type) {
	case DISCOVER:
		if ((give = addr_for(h, mac))) {
			char m[18], t[16];

			mac_text(mac, m);
			addr_text(give, t);
			hub_log(h, "DHCPOFFER %s %s", t, m);
			dhcp_reply(h, port, b, OFFER, give);
		} else
			hub_log(h, "DHCPDISCOVER: no address left in the pool");
		break;
	case REQUEST:
		give = addr_for(h, mac);
		if (give && want == give) {
			v = dhcp_opt(opt, olen, 12, &vlen);
			lease_set(h, mac, give, v, v ? vlen : 0);
			dhcp_reply(h, port, b, ACK, give);
		} else {
			char m[18], t[16];

			mac_text(mac, m);
			addr_text(want, t);
			hub_log(h, "DHCPNAK %s %s (not its address)", t, m);
			dhcp_reply(h, port, b, NAK, 0);
		}
		break;
	case DECLINE:
	case RELEASE:
		for (guint i = 0; i < h->leases->len; i++)
			if (g_array_index(h->leases, struct lease, i).mac == mac) {
				g_array_remove_index(h->leases, i);
				write_leases(h);
				break;
			}
		break;
	case INFORM:
		dhcp_reply(h, port, b, ACK, 0);
		break;
	default:
		break;
	}
	return true;
}

static void frame(struct hub *h, const guint8 *f, size_t len, guint16 port)
{
	gpointer to;

	if (len < 14)
		return;
	if (!(f[6] & 1)) {
		if (g_hash_table_size(h->fdb) >= HUB_MACS_MAX)
			g_hash_table_remove_all(h->fdb);
		g_hash_table_insert(h->fdb, GSIZE_TO_POINTER(mac48(f + 6)), GUINT_TO_POINTER(port));
	}
	if (dhcp(h, f, len, port) || arp(h, f, len, port))
		return;
	if (!(f[0] & 1) && (to = g_hash_table_lookup(h->fdb, GSIZE_TO_POINTER(mac48(f))))) {
		if (GPOINTER_TO_UINT(to) != port)
			send_to(h, (guint16)GPOINTER_TO_UINT(to), f, len);
		return;
	}
	for (guint i = 0; i < h->members->len; i++) {
		const struct member *m = &g_array_index(h->members, struct member, i);

		if (m->ok && m->port != port)
			send_to(h, m->port, f, len);
	}
}

static int serve(struct hub *h)
{
	g_autofree guint8 *buf = g_malloc(HUB_FRAME_MAX);
	struct pollfd p = { h->fd, POLLIN, 0 };

	while (!got_term) {
		struct sockaddr_in from;
		socklen_t flen = sizeof from;
		ssize_t n;

		if (got_hup) {
			got_hup = 0;
			read_pins(h);
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recvfrom(h->fd, buf, HUB_FRAME_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n <= 0 || from.sin_family != AF_INET ||
		    from.sin_addr.s_addr != htonl(INADDR_LOOPBACK) || !member(h, ntohs(from.sin_port)))
			continue;
		frame(h, buf, (size_t)n, ntohs(from.sin_port));
	}
	hub_log(h, "ending");
	return 0;
}

int net_hub_main(int argc, char **argv)
{
	struct hub h = { .fd = -1 };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sigaction act = { .sa_handler = on_signal };
	const char *pidfile;
	g_autofree char *cidr = NULL;
	char *slash;
	unsigned prefix;
	guint64 port;
	pid_t pid;
	int null;

	if (argc != 7 || !g_str_has_prefix(argv[1], "--pid-file=")) {
		fprintf(stderr, "usage: vmtui %s --pid-file=FILE DIR PORT NET/PREFIX FIRST LAST\n",
			NET_HUB_COMMAND);
		return 2;
	}
	pidfile = argv[1] + strlen("--pid-file=");
	h.dir = argv[2];
	cidr = g_strdup(argv[4]);
	if (!g_ascii_string_to_unsigned(argv[3], 10, 1024, 65535, &port, NULL) ||
	    !(slash = strchr(cidr, '/')) || (*slash = '\0', !addr_parse(cidr, &h.net)) ||
	    (prefix = (unsigned)atoi(slash + 1)) < 8 || prefix > 30 ||
	    !addr_parse(argv[5], &h.first) || !addr_parse(argv[6], &h.last) || h.first > h.last) {
		fprintf(stderr, "%s\n", _("The lab's hub was started with bad arguments."));
		return 2;
	}
	h.mask = ~0u << (32 - prefix);
	h.server = (h.net & h.mask) + 1;
	/* locally administered, from the port: never a VM's 52:54:00 */
	h.mac[0] = 0x0a, h.mac[1] = 0x76, h.mac[2] = 0x74, h.mac[3] = 0x68;
	h.mac[4] = (guint8)(port >> 8), h.mac[5] = (guint8)port;
	sa.sin_port = htons((guint16)port);
	if ((h.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(h.fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, _("The lab's hub cannot listen on 127.0.0.1:%u: %s\n"),
			(unsigned)port, g_strerror(errno));
		return 1;
	}
	h.members = g_array_new(FALSE, TRUE, sizeof(struct member));
	h.leases = g_array_new(FALSE, TRUE, sizeof(struct lease));
	h.fdb = g_hash_table_new(g_direct_hash, g_direct_equal);
	h.pins = g_hash_table_new(g_direct_hash, g_direct_equal);
	read_pins(&h);
	read_leases(&h);
	fflush(NULL);
	if ((pid = fork()) < 0) {
		fprintf(stderr, _("The lab's hub cannot start: %s\n"), g_strerror(errno));
		return 1;
	}
	if (pid > 0) {
		g_autofree char *text = g_strdup_printf("%ld\n", (long)pid);

		if (core_write_file_atomic(pidfile, text, strlen(text), 0644) < 0) {
			fprintf(stderr, "%s\n", core_error_message());
			kill(pid, SIGKILL);
			return 1;
		}
		return 0;
	}
	setsid();
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	if (chdir("/") < 0)
		return 1;
	sigaction(SIGHUP, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	hub_log(&h, "listening on 127.0.0.1:%u, pool %s-%s", (unsigned)port, argv[5], argv[6]);
	return serve(&h);
}

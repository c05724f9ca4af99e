/*
 * net.c — `nic list|add|remove|link`, and the NICs of `info`.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cmd/cmd-priv.h"
#include "core/engine.h"
#include "core/i18n.h"
#include "core/names.h"
#include "net/net.h"

static void nic_json(JsonBuilder *b, const void *item)
{
	const struct vm_nic *nic = item;
	g_autofree char *mode = net_nic_mode(nic);

	cli_json_str(b, "mac", nic->mac);
	cli_json_str(b, "mode", mode);
	cli_json_str(b, "model", nic->model);
	cli_json_bool(b, "link_up", !nic->link_down);
	cli_json_int(b, "mtu", nic->mtu);
	cli_json_int(b, "queues", nic->queues ? nic->queues : 1);
	cli_json_str(b, "device", nic->target);
}

static char **nic_row(const void *item)
{
	const struct vm_nic *nic = item;
	g_autofree char *mode = net_nic_mode(nic);
	g_autofree char *mtu = nic->mtu ? g_strdup_printf("%u", nic->mtu) : NULL;
	g_autofree char *queues = g_strdup_printf("%u", nic->queues ? nic->queues : 1);

	return cli_row(7, nic->mac, mode, nic->model, nic->link_down ? _("down") : _("up"),
		       mtu, queues, nic->target);
}

static const struct cli_column nic_cols[] = {
	{ N_("MAC"), 19 }, { N_("MODE"), 12 }, { N_("MODEL"), 8 }, { N_("LINK"), 6 },
	{ N_("MTU"), 7 }, { N_("QUEUES"), 8 }, { N_("DEVICE"), 0 },
};

void info_nics(struct cmd_ctx *ctx, JsonBuilder *b, const GPtrArray *nics,
	       const GPtrArray *addrs)
{
	if (b) {
		json_builder_set_member_name(b, "nics");
		json_builder_begin_array(b);
		for (guint i = 0; i < nics->len; i++) {
			json_builder_begin_object(b);
			nic_json(b, nics->pdata[i]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		return;
	}
	if (!nics->len)
		info_field(ctx, b, "nics", _("Network:"), _("none"));
	for (guint i = 0; i < nics->len; i++) {
		const struct vm_nic *nic = nics->pdata[i];
		g_autofree char *mode = net_nic_mode(nic);
		g_autofree char *line = g_strdup_printf("%s %s (%s%s)", mode,
			nic->mac ? nic->mac : "", nic->model ? nic->model : "?",
			nic->link_down ? _(", link down") : "");
		g_autofree char *where = net_addr_text(addrs, nic->mac, true);

		info_field(ctx, b, "nic", i ? "" : _("Network:"), line);
		if (where)
			info_field(ctx, b, "addresses", _("Addresses:"), where);
	}
}

int exec_nic_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) nics = net_nic_list(ctx->eng, ctx->args[0]);
	struct cli_column cols[G_N_ELEMENTS(nic_cols)];
	struct cli_list l = { cols, G_N_ELEMENTS(nic_cols), NULL, nic_json, nic_row };

	if (!nics)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(nic_cols); i++) {
		cols[i] = nic_cols[i];
		cols[i].heading = _(nic_cols[i].heading);
	}
	l.empty = _("No NICs.");
	cli_list(ctx, &l, nics);
	return 0;
}

int exec_nic_add(struct cmd_ctx *ctx)
{
	struct vm_nic *nic = NULL;
	g_autofree char *mode = NULL;
	bool running = false;
	int rc;

	if (!net_parse(ctx->args[1], NULL, &nic))
		return -1;
	if (!nic) {
		core_error(CORE_ERR_USAGE, _("\"none\" is no NIC to add; `vmtui nic remove` takes one away."));
		return -1;
	}
	rc = net_nic_add(ctx->eng, ctx->args[0], nic, &running);
	if (rc == 1) {
		mode = net_nic_mode(nic);
		cli_line(ctx, _("Added NIC %s on %s to VM \"%s\" from its next start: libvirt cannot plug a NIC on a loopback segment into a running VM."),
			 nic->mac, mode, ctx->args[0]);
		rc = 0;
	} else if (rc == 0) {
		mode = net_nic_mode(nic);
		cli_line(ctx, running ? _("Added NIC %s on %s to VM \"%s\" (live, and from its next start)."):
			 _("Added NIC %s on %s to VM \"%s\"."), nic->mac, mode, ctx->args[0]);
		if (nic->mode == NET_MACVTAP)
			cli_line(ctx, _("Note: through macvtap the host itself cannot reach the guest; other machines on %s can."),
				 nic->source);
	}
	vm_nic_free(nic);
	return rc;
}

int exec_nic_remove(struct cmd_ctx *ctx)
{
	int rc = net_nic_remove(ctx->eng, ctx->args[0], ctx->args[1]);

	if (rc == 0)
		cli_line(ctx, _("Removed NIC %s from VM \"%s\"."), ctx->args[1], ctx->args[0]);
	return rc;
}

int exec_nic_link(struct cmd_ctx *ctx)
{
	const char *state = ctx->args[2];
	int rc;

	if (strcmp(state, "up") != 0 && strcmp(state, "down") != 0) {
		core_error(CORE_ERR_USAGE, _("The link is up or down, not \"%s\"."), state);
		return -1;
	}
	rc = net_nic_link(ctx->eng, ctx->args[0], ctx->args[1], strcmp(state, "up") == 0);
	if (rc == 0)
		cli_line(ctx, strcmp(state, "up") == 0 ? _("The link of NIC %s of VM \"%s\" is up.") :
			 _("The link of NIC %s of VM \"%s\" is down."), ctx->args[1], ctx->args[0]);
	return rc;
}

/* ---- forward ... ----------------------------------------------------------- */

/* The state of a forward for people: set up in the running VM, missing
 * there, or waiting for a start. */
static const char *forward_state(const struct vm_forward *f)
{
	/* TRANSLATORS: states of a port forward in `vmtui forward list` */
	return f->live == 1 ? _("active") : f->live == 0 ? _("missing") : _("at start");
}

static void forward_json(JsonBuilder *b, const void *item)
{
	const struct vm_forward *f = item;

	cli_json_str(b, "proto", f->udp ? "udp" : "tcp");
	cli_json_str(b, "address", f->address);
	cli_json_int(b, "host_port", f->host_port);
	cli_json_int(b, "guest_port", f->guest_port);
	cli_json_str(b, "nic", f->nic);
	json_builder_set_member_name(b, "active");
	if (f->live < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_boolean_value(b, f->live == 1);
}

static char **forward_row(const void *item)
{
	const struct vm_forward *f = item;
	g_autofree char *host = g_strdup_printf("%s:%u", f->address, f->host_port);
	g_autofree char *guest = g_strdup_printf("%u", f->guest_port);

	return cli_row(5, f->udp ? "udp" : "tcp", host, guest, f->nic, forward_state(f));
}

static const struct cli_column forward_cols[] = {
	/* TRANSLATORS: column headings of `vmtui forward list` */
	{ N_("PROTO"), 7 }, { N_("HOST"), 22 }, { N_("GUEST"), 7 }, { N_("NIC"), 19 },
	{ N_("STATE"), 0 },
};

void info_forwards(struct cmd_ctx *ctx, JsonBuilder *b, const GPtrArray *forwards)
{
	if (b) {
		json_builder_set_member_name(b, "forwards");
		json_builder_begin_array(b);
		for (guint i = 0; forwards && i < forwards->len; i++) {
			json_builder_begin_object(b);
			forward_json(b, forwards->pdata[i]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		return;
	}
	for (guint i = 0; forwards && i < forwards->len; i++) {
		const struct vm_forward *f = forwards->pdata[i];
		g_autofree char *text = net_forward_text(f);
		g_autofree char *line = g_strdup_printf("%s (%s)", text, forward_state(f));

		info_field(ctx, b, "forward", i ? "" : _("Forwards:"), line);
	}
}

int exec_forward_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) fwds = net_forward_list(ctx->eng, ctx->args[0]);
	struct cli_column cols[G_N_ELEMENTS(forward_cols)];
	struct cli_list l = { cols, G_N_ELEMENTS(forward_cols), NULL, forward_json, forward_row };

	if (!fwds)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(forward_cols); i++) {
		cols[i] = forward_cols[i];
		cols[i].heading = _(forward_cols[i].heading);
	}
	l.empty = _("No port forwards.");
	cli_list(ctx, &l, fwds);
	return 0;
}

int exec_forward_add(struct cmd_ctx *ctx)
{
	autoptr(vm_forward) f = NULL;
	g_autofree char *text = NULL;
	bool live;

	if (!net_forward_parse(ctx->args[1], &f) ||
	    net_forward_add(ctx->eng, ctx->args[0], f, &live) < 0)
		return -1;
	text = net_forward_text(f);
	cli_line(ctx, live ? _("Forwarding %s to VM \"%s\" (live, and after each start).") :
		 _("Forwarding %s to VM \"%s\" (from its next start)."), text, ctx->args[0]);
	if (strcmp(f->address, "0.0.0.0") == 0)
		cli_line(ctx, _("Warning: 0.0.0.0 is every address of this host: other machines can reach port %u of VM \"%s\" too."),
			 f->host_port, ctx->args[0]);
	return 0;
}

int exec_forward_remove(struct cmd_ctx *ctx)
{
	unsigned port;
	bool udp, live;

	if (!net_forward_parse_port(ctx->args[1], &port, &udp) ||
	    net_forward_remove(ctx->eng, ctx->args[0], port, udp, &live) < 0)
		return -1;
	cli_line(ctx, live ? _("Removed the forward of host port %u (%s) from VM \"%s\" (live, and for good).") :
		 _("Removed the forward of host port %u (%s) from VM \"%s\"."), port,
		 udp ? "udp" : "tcp", ctx->args[0]);
	return 0;
}

/* ---- `net ...`: lab networks ---------------------------------------------- */

static char *lab_subnet(const struct net_lab *lab)
{
	return g_strdup_printf("%u.%u.%u.%u/%u", lab->net >> 24, (lab->net >> 16) & 255,
			       (lab->net >> 8) & 255, lab->net & 255, lab->prefix);
}

static char *ip_text(guint32 a)
{
	return g_strdup_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* What a lab's state is, in words (translated, static). */
static const char *lab_state(const struct net_lab *lab)
{
	if (!lab->complete)
		return _("incomplete (vmtui net delete removes it)");
	if (lab->daemon)
		return lab->bridge_up ? _("running") : _("stopped");
	if (lab->segment)
		return lab->dnsmasq_running ? _("running") : _("stopped (its hub is not running)");
	if (!lab->bridge_up)
		return _("stopped");
	if (!lab->dnsmasq_running)
		return _("dnsmasq not running (vmtui net start repairs it)");
	if (!lab->rules)
		return _("forwarding rules missing (vmtui net start repairs it)");
	return _("running");
}

/* A state id for JSON (never translated). */
static const char *lab_state_id(const struct net_lab *lab)
{
	if (!lab->complete)
		return "incomplete";
	if (lab->segment)
		return lab->dnsmasq_running ? "running" : "stopped";
	if (!lab->bridge_up)
		return "stopped";
	if (!lab->daemon && !lab->dnsmasq_running)
		return "dnsmasq-not-running";
	if (!lab->daemon && !lab->rules)
		return "rules-missing";
	return "running";
}

static void lab_json(JsonBuilder *b, const void *item)
{
	const struct net_lab *lab = item;
	g_autofree char *sub = lab_subnet(lab), *gw = ip_text(lab->gateway);
	g_autofree char *br = g_strconcat(lab->daemon ? NET_LAB_NETWORK_PREFIX : NET_LAB_BRIDGE_PREFIX,
					  lab->name, NULL);

	cli_json_str(b, "name", lab->name);
	cli_json_str(b, "subnet", sub);
	cli_json_str(b, "gateway", gw);
	cli_json_bool(b, "nat", lab->nat);
	cli_json_str(b, "uplink", lab->uplink);
	cli_json_str(b, "state", lab_state_id(lab));
	cli_json_str(b, "kind", lab->daemon ? "network" : lab->segment ? "segment" : "bridge");
	if (lab->segment) {
		cli_json_int(b, "hub_port", lab->hub_port);
		cli_json_int(b, "hub_pid", lab->dnsmasq_pid);
		return;
	}
	cli_json_str(b, lab->daemon ? "network" : "bridge", br);
	if (!lab->daemon)
		cli_json_int(b, "dnsmasq_pid", lab->dnsmasq_pid);
}

static char **lab_row(const void *item)
{
	const struct net_lab *lab = item;
	g_autofree char *sub = lab_subnet(lab);

	return cli_row(4, lab->name, sub,
		       lab->segment ? _("segment") :
		       lab->nat ? (lab->uplink ? lab->uplink : _("nat")) : _("isolated"),
		       lab_state(lab));
}

static const struct cli_column lab_cols[] = {
	{ N_("NAME"), 14 }, { N_("SUBNET"), 18 }, { N_("FORWARD"), 10 }, { N_("STATE"), 0 },
};

int exec_net_list(struct cmd_ctx *ctx)
{
	g_autoptr(GPtrArray) labs = net_lab_list(ctx->eng);
	struct cli_column cols[G_N_ELEMENTS(lab_cols)];
	struct cli_list l = { cols, G_N_ELEMENTS(lab_cols), NULL, lab_json, lab_row };

	if (!labs)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(lab_cols); i++) {
		cols[i] = lab_cols[i];
		cols[i].heading = _(lab_cols[i].heading);
	}
	l.empty = _("No lab networks.");
	cli_list(ctx, &l, labs);
	return 0;
}

int exec_net_info(struct cmd_ctx *ctx)
{
	autoptr(net_lab) lab = net_lab_get(ctx->eng, ctx->args[0]);
	g_autoptr(GPtrArray) leases = NULL, users = NULL;
	g_autofree char *sub = NULL, *gw = NULL, *a1 = NULL, *a2 = NULL, *s1 = NULL, *br = NULL;
	g_autofree char *pool = NULL, *statics = NULL, *vms = NULL;
	JsonBuilder *b;

	if (!lab)
		return -1;
	if (!(leases = net_lab_leases(ctx->eng, lab->name)) ||
	    !(users = net_lab_users(ctx->eng, lab->name, false)))
		return -1;
	sub = lab_subnet(lab);
	gw = ip_text(lab->gateway);
	a1 = ip_text(lab->dyn_start);
	a2 = ip_text(lab->dyn_end);
	s1 = ip_text(lab->gateway + 1);
	br = g_strconcat(lab->daemon ? NET_LAB_NETWORK_PREFIX : NET_LAB_BRIDGE_PREFIX, lab->name, NULL);
	b = info_begin(ctx);
	if (b) {
		lab_json(b, lab);
		cli_json_str(b, "dhcp_start", a1);
		cli_json_str(b, "dhcp_end", a2);
		json_builder_set_member_name(b, "vms");
		json_builder_begin_array(b);
		for (guint i = 0; i < users->len; i++)
			json_builder_add_string_value(b, users->pdata[i]);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "leases");
		json_builder_begin_array(b);
		for (guint i = 0; i < leases->len; i++) {
			const struct net_lease *l = leases->pdata[i];

			json_builder_begin_object(b);
			cli_json_str(b, "mac", l->mac);
			cli_json_str(b, "address", l->address);
			cli_json_str(b, "hostname", l->hostname);
			cli_json_int(b, "expiry", l->expiry);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		info_end(ctx, b);
		g_object_unref(b);
		return 0;
	}
	pool = g_strdup_printf("%s - %s", a1, a2);
	statics = g_strdup_printf("%s - %u.%u.%u.%u", s1, (lab->dyn_start - 1) >> 24,
				  ((lab->dyn_start - 1) >> 16) & 255, ((lab->dyn_start - 1) >> 8) & 255,
				  (lab->dyn_start - 1) & 255);
	info_field(ctx, NULL, "name", _("Name:"), lab->name);
	info_field(ctx, NULL, "state", _("State:"), lab_state(lab));
	if (lab->segment) {
		g_autofree char *hub = g_strdup_printf(_("a loopback segment: its hub switches on 127.0.0.1:%u (no bridge, no host address)"),
						       lab->hub_port);

		info_field(ctx, NULL, "kind", _("Kind:"), hub);
		info_field(ctx, NULL, "subnet", _("Subnet:"), sub);
		info_field(ctx, NULL, "dhcp_server", _("DHCP server:"), gw);
	} else {
		info_field(ctx, NULL, "bridge", lab->daemon ? _("Network:") : _("Bridge:"), br);
		info_field(ctx, NULL, "subnet", _("Subnet:"), sub);
		info_field(ctx, NULL, "gateway", _("Gateway:"), gw);
	}
	info_field(ctx, NULL, "vm_addresses", _("VM addresses:"), statics);
	info_field(ctx, NULL, "dhcp", _("DHCP pool:"), pool);
	info_field(ctx, NULL, "forward", _("Forwarding:"),
		   lab->nat ? (lab->uplink ? lab->uplink : _("NAT out of any device")) : _("none (isolated)"));
	for (guint i = 0; i < users->len; i++) {
		g_autofree char *p = core_printable(users->pdata[i], false);

		info_field(ctx, NULL, "vm", i ? "" : _("VMs:"), p);
	}
	for (guint i = 0; i < leases->len; i++) {
		const struct net_lease *l = leases->pdata[i];
		g_autofree char *line = g_strdup_printf("%s %s %s", l->address, l->mac,
							l->hostname ? l->hostname : "");

		info_field(ctx, NULL, "lease", i ? "" : _("Leases:"), line);
	}
	return 0;
}

int exec_net_create(struct cmd_ctx *ctx)
{
	const char *name = ctx->args[0];
	autoptr(net_lab) lab = NULL;
	g_autofree char *sub = NULL;

	if (net_lab_create(ctx->eng, name, cmd_opt_str(ctx, "subnet"), cmd_opt_flag(ctx, "nat"),
			   cmd_opt_str(ctx, "uplink"), cmd_opt_flag(ctx, "segment")) < 0)
		return -1;
	if (!(lab = net_lab_get(ctx->eng, name)))
		return -1;
	sub = lab_subnet(lab);
	if (lab->segment)
		cli_line(ctx, _("Created lab network \"%s\" (%s, a loopback segment: its VMs reach each other, the host has no address on it), running."),
			 name, sub);
	else
		cli_line(ctx, lab->nat ? _("Created lab network \"%s\" (%s, NAT), running.") :
			 _("Created lab network \"%s\" (%s, isolated), running."), name, sub);
	return 0;
}

int exec_net_start(struct cmd_ctx *ctx)
{
	return cli_done(ctx, net_lab_start(ctx->eng, ctx->args[0]), _("Lab network \"%s\" is running."));
}

int exec_net_stop(struct cmd_ctx *ctx)
{
	return cli_done(ctx, net_lab_stop(ctx->eng, ctx->args[0]), _("Stopped lab network \"%s\"."));
}

int exec_net_delete(struct cmd_ctx *ctx)
{
	return cli_done(ctx, net_lab_delete(ctx->eng, ctx->args[0]), _("Deleted lab network \"%s\"."));
}

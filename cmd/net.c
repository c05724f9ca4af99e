/*
 * net.c — `nic list|add|remove|link`, and the NICs of `info`.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cmd/cmd-priv.h"
#include "core/engine.h"
#include "core/i18n.h"
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
	if (rc == 0) {
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

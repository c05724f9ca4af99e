/*
 * ticket.c — a desktop's VNC password, the broker's console ticket.
 *
 * A desktop's VNC server listens on 127.0.0.1 only.  Its definition has a
 * random password nobody knows (QEMU accepts a password later only when
 * it started with one), and once it runs its password is kept empty
 * ("nobody"): then only a client that the broker relays, with
 * the ticket it minted, gets in.  A ticket is 8 random characters set live
 * with an expiry (libvirt 9.0: the whole <graphics> element with its
 * <listen>, the time as UTC YYYY-MM-DDTHH:MM:SS with no suffix); QEMU
 * checks it when the relay opens the display with virDomainOpenGraphicsFD
 * and no SKIPAUTH, and the broker rotates it away as soon as the viewer
 * has logged in, so a ticket works once.
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/i18n.h"
#include "core/vm.h"
#include "vdi/vdi-priv.h"

void vdi_random_token(char *out, size_t len, const char *alphabet)
{
	size_t n = strlen(alphabet);
	unsigned char b[128];

	g_assert(len - 1 <= sizeof b);
	if (getrandom(b, len - 1, 0) != (ssize_t)(len - 1))
		g_error("getrandom failed");
	/* 256 % n != 0 biases a little for n = 62; tickets live 90 s */
	for (size_t i = 0; i + 1 < len; i++)
		out[i] = alphabet[b[i] % n];
	out[len - 1] = '\0';
}

/* The live <graphics type='vnc'> element of @dom with its password set to
 * @password and its expiry to @valid_to (0: none), or NULL. */
static char *graphics_with(virDomainPtr dom, const char *password, gint64 valid_to,
			   bool config)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE |
					(config ? VIR_DOMAIN_XML_INACTIVE : 0));
	xmlDoc *doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR |
					  XML_PARSE_NOWARNING) : NULL;
	xmlXPathContext *ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObject *r = ctx ? xmlXPathEvalExpression(
		BAD_CAST "/domain/devices/graphics[@type='vnc']", ctx) : NULL;
	xmlBuffer *buf = NULL;
	char *out = NULL;

	free(xml);
	if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
		xmlNode *g = r->nodesetval->nodeTab[0];

		xmlSetProp(g, BAD_CAST "passwd", BAD_CAST password);
		if (valid_to) {
			g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(valid_to);
			g_autofree char *when = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");

			xmlSetProp(g, BAD_CAST "passwdValidTo", BAD_CAST when);
		} else {
			xmlUnsetProp(g, BAD_CAST "passwdValidTo");
		}
		buf = xmlBufferCreate();
		xmlNodeDump(buf, doc, g, 0, 0);
		out = g_strdup((const char *)xmlBufferContent(buf));
		xmlBufferFree(buf);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

int vdi_console_password(struct engine *eng, const char *name, const char *password,
			 gint64 valid_to, bool config)
{
	virDomainPtr dom = vm_lookup_settled(eng, name);
	g_autofree char *g = NULL;
	int rc = -1;

	if (!dom)
		return -1;
	if (!(g = graphics_with(dom, password, valid_to, config)))
		core_error(CORE_ERR_STATE, _("Desktop \"%s\" has no VNC display."), name);
	else if ((rc = virDomainUpdateDeviceFlags(dom, g, config ? VIR_DOMAIN_AFFECT_CONFIG :
						  VIR_DOMAIN_AFFECT_LIVE)) < 0)
		core_error_virt(CORE_ERR_FAILED, _("Cannot set the console ticket of desktop \"%s\""),
				name);
	virDomainFree(dom);
	return rc;
}

int vdi_console_lock(struct engine *eng, const char *name)
{
	return vdi_console_password(eng, name, "", 0, false);
}

int vdi_console_prepare(struct engine *eng, const char *name)
{
	char secret[9];

	/* QEMU takes a password later only when it started with one */
	vdi_random_token(secret, sizeof secret,
			 "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
	return vdi_console_password(eng, name, secret, 0, true);
}

# templates/ — templates (base image + manifest), cloud-init seeds and
# lab provisioning.  No curses.
noinst_LIBRARIES += templates/libtemplates.a
templates_libtemplates_a_SOURCES = templates/templates.h \
	templates/templates-priv.h templates/manifest.c templates/template.c \
	templates/seed.c templates/provision.c templates/qcow2.c
templates_libtemplates_a_CPPFLAGS = $(AM_CPPFLAGS) \
	 $(LIBARCHIVE_CFLAGS) $(CRYPT_CFLAGS) $(YAML_CFLAGS)

TEMPLATES_LIBS = templates/libtemplates.a $(NET_LIBS) $(IMAGES_LIBS) $(LIBARCHIVE_LIBS) $(CRYPT_LIBS) $(YAML_LIBS)

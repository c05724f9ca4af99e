# images/ — disk images from elsewhere (told safely by core/image.c): the
# per-user image store, imports and exports (OVA).  No curses.
noinst_LIBRARIES += images/libimages.a
images_libimages_a_SOURCES = images/images.h images/images-priv.h \
	images/store.c images/kind.c images/fetch.c images/ova.h images/ovf.c images/ova.c
images_libimages_a_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_CFLAGS) \
	$(LIBARCHIVE_CFLAGS) $(CURL_CFLAGS)

IMAGES_LIBS = images/libimages.a $(JSON_LIBS) $(LIBARCHIVE_LIBS) $(CURL_LIBS)

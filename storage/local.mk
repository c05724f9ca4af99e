# storage/ — snapshots, disks and CD-ROMs, and tuning.  No curses.
noinst_LIBRARIES += storage/libstorage.a
storage_libstorage_a_SOURCES = storage/storage.h storage/snapshot.c storage/disk.c storage/tune.c storage/pool.c storage/external.c storage/storage-priv.h
storage_libstorage_a_CPPFLAGS = $(AM_CPPFLAGS)

STORAGE_LIBS = storage/libstorage.a

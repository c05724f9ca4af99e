/*
 * kind.c — what a file given to `vmtui image import` is, from its bytes
 * (never its name): a disk image, or an archive another command takes
 * (an OVA, an ISO 9660 CD/DVD image, any other tar), which an import
 * would otherwise copy into the store as a raw disk.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "core/i18n.h"
#include "images/images.h"

#define TAR_BLOCK 512
#define TAR_NAME_LEN 100
#define TAR_TYPEFLAG 156
#define TAR_MAGIC 257
#define ISO_MAGIC 32769 /* sector 16, the first volume descriptor, byte 1 */

/* Reads @n bytes at @offset of @fd into @buf; false when the file is
 * shorter or unreadable. */
static bool read_at(int fd, void *buf, size_t n, off_t offset)
{
	ssize_t got;

	do
		got = pread(fd, buf, n, offset);
	while (got < 0 && errno == EINTR);
	return got == (ssize_t)n;
}

/* Whether the tar entry name @name (not NUL-terminated past @len) ends
 * in ".ovf", in any case. */
static bool name_is_ovf(const char *name, size_t len)
{
	size_t n = strnlen(name, len);

	return n >= 4 && g_ascii_strncasecmp(name + n - 4, ".ovf", 4) == 0;
}

/* Whether the tar in @fd, whose first header is @hdr, starts with an OVF
 * descriptor, as an OVA must.  A GNU long name ('L') is the data block
 * after the header. */
static bool tar_starts_with_ovf(int fd, const char *hdr)
{
	char name[TAR_BLOCK];

	if (hdr[TAR_TYPEFLAG] == 'L')
		return read_at(fd, name, sizeof(name), TAR_BLOCK) && name_is_ovf(name, sizeof(name));
	return name_is_ovf(hdr, TAR_NAME_LEN);
}

enum image_kind image_kind_of(const char *path)
{
	char hdr[TAR_BLOCK], iso[5];
	enum image_kind kind = IMAGE_KIND_DISK;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return IMAGE_KIND_DISK;
	if (read_at(fd, hdr, sizeof(hdr), 0) && memcmp(hdr + TAR_MAGIC, "ustar", 5) == 0)
		kind = tar_starts_with_ovf(fd, hdr) ? IMAGE_KIND_OVA : IMAGE_KIND_TAR;
	else if (read_at(fd, iso, sizeof(iso), ISO_MAGIC) && memcmp(iso, "CD001", 5) == 0)
		kind = IMAGE_KIND_ISO;
	close(fd);
	return kind;
}

int image_check_not_archive(const char *path, const char *source)
{
	switch (image_kind_of(path)) {
	case IMAGE_KIND_DISK:
		return 0;
	case IMAGE_KIND_OVA:
		core_error(CORE_ERR_USAGE, _("%s is an OVA (a virtual machine with its disks), not a disk image: import it with \"vmtui ova import %s\"."),
			   source, source);
		return -1;
	case IMAGE_KIND_ISO:
		core_error(CORE_ERR_USAGE, _("%s is an ISO 9660 image (a CD or DVD), not a disk image: boot a new VM from it with \"vmtui create NAME --iso %s\"."),
			   source, source);
		return -1;
	case IMAGE_KIND_TAR:
		core_error(CORE_ERR_USAGE, _("%s is a tar archive, not a disk image: unpack it and import the disk image it holds."),
			   source);
		return -1;
	}
	return 0;
}

#!/usr/bin/env python3
"""ova-craft.py -- hostile OVAs for tests/ova.sh and the fuzz corpus.

Usage: ova-craft.py GOOD.ova OUTDIR CANARY [BACKING.qcow2 [BOMB.vmdk]]

Reads a good OVA (one vmtui exported: NAME.ovf, NAME-disk1.vmdk, NAME.mf)
and writes one crafted OVA per hostile case into OUTDIR, named after the
case.  CANARY is a host file the hostile entries aim at; no case may ever
change it.  Each case is built with Python's tarfile, setting TarInfo
fields directly, the way an attacker would.
"""
import hashlib
import io
import os
import sys
import tarfile

good, outdir, canary = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(outdir, exist_ok=True)

with tarfile.open(good) as t:
    members = {m.name: t.extractfile(m).read() for m in t.getmembers()}
ovf_name = next(n for n in members if n.endswith(".ovf"))
disk_name = next(n for n in members if n.endswith(".vmdk"))
OVF = members[ovf_name].decode()
DISK = members[disk_name]


def info(name, data=b"", kind=tarfile.REGTYPE, linkname=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = len(data) if kind in (tarfile.REGTYPE, tarfile.LNKTYPE) else 0
    ti.linkname = linkname
    ti.mode = 0o644
    ti.mtime = 1700000000
    return ti


def sha(algo, data):
    return hashlib.new(algo, data).hexdigest()


def manifest(files, algo="sha256"):
    return "".join("%s(%s)= %s\n" % (algo.upper(), n, sha(algo, d))
                   for n, d in files).encode()


def write(case, entries, fmt=tarfile.GNU_FORMAT):
    """entries: (TarInfo, data) in order."""
    with tarfile.open(os.path.join(outdir, case + ".ova"), "w", format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if ti.size else None)


def plain(ovf=OVF, disk=DISK, extra=(), mf=True, disk_as=disk_name):
    """The good OVA with a different OVF or disk, plus extra entries."""
    ovf_b = ovf.encode() if isinstance(ovf, str) else ovf
    files = [(ovf_name, ovf_b), (disk_as, disk)]
    entries = [(info(n, d), d) for n, d in files]
    entries += list(extra)
    if mf:
        m = manifest(files)
        entries.append((info("x.mf", m), m))
    return entries


# ---- tar entries ------------------------------------------------------------
write("tar-dotdot", [(info(ovf_name, OVF.encode()), OVF.encode()),
                     (info("../x", b"pwned\n"), b"pwned\n")])
write("tar-dotdot-inner", [(info("a/../../x", b"pwned\n"), b"pwned\n")])
write("tar-absolute", [(info(canary + ".abs", b"pwned\n"), b"pwned\n")])
write("tar-subfolder", [(info("dir/" + disk_name, DISK), DISK)])
# a symlink at the disk's name, then a regular entry of that name
write("tar-symlink", [(info(ovf_name, OVF.encode()), OVF.encode()),
                      (info(disk_name, kind=tarfile.SYMTYPE, linkname=canary), b""),
                      (info(disk_name, b"pwned\n"), b"pwned\n")])
write("tar-symlink-dir", [(info("d", kind=tarfile.SYMTYPE,
                                linkname=os.path.dirname(canary)), b""),
                          (info("d/x", b"pwned\n"), b"pwned\n")])
# CVE-2016-5418: a hard link with data, aimed at a host file
write("tar-hardlink", [(info(ovf_name, OVF.encode()), OVF.encode()),
                       (info(disk_name, b"pwned\n", tarfile.LNKTYPE, canary),
                        b"pwned\n")])
dev = info("null", kind=tarfile.CHRTYPE)
dev.devmajor, dev.devminor = 1, 3
write("tar-device", [(info(ovf_name, OVF.encode()), OVF.encode()), (dev, b"")])
blk = info("sda", kind=tarfile.BLKTYPE)
blk.devmajor, blk.devminor = 8, 0
write("tar-blockdev", [(blk, b"")])
write("tar-fifo", [(info("fifo", kind=tarfile.FIFOTYPE), b"")])
write("tar-duplicate", plain(extra=[(info(disk_name, b"pwned\n"), b"pwned\n")]))
write("tar-newline", [(info(ovf_name, OVF.encode()), OVF.encode()),
                      (info("disk\n.vmdk", DISK), DISK)])
# a header that claims 1 TiB of data, in a file that ends right after it
with open(os.path.join(outdir, "tar-size-bomb.ova"), "wb") as f:
    ti = info(ovf_name, OVF.encode())
    f.write(ti.tobuf(tarfile.GNU_FORMAT) + OVF.encode() + b"\0" * (-len(OVF.encode()) % 512))
    big = info(disk_name)
    big.size = 1 << 40
    f.write(big.tobuf(tarfile.GNU_FORMAT) + DISK[:4096])
write("tar-no-ovf", [(info(disk_name, DISK), DISK)])

# ---- the OVF ----------------------------------------------------------------
xxe = ('<?xml version="1.0"?>\n<!DOCTYPE Envelope [<!ENTITY x SYSTEM "file://%s">]>\n'
       % canary) + OVF.split("?>", 1)[1].replace("<Name>", "<Name>&x;", 1)
write("ovf-xxe", plain(ovf=xxe))
laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
prev = "lol"
for i in range(1, 10):
    laughs += ' <!ENTITY lol%d "%s">\n' % (i, ("&%s;" % prev) * 10)
    prev = "lol%d" % i
laughs += ']>\n' + OVF.split("?>", 1)[1].replace("<Name>", "<Name>&lol9;", 1)
write("ovf-billion-laughs", plain(ovf=laughs))
href = 'ovf:href="%s"' % disk_name
write("ovf-href-dotdot", plain(ovf=OVF.replace(href, 'ovf:href="../x"')))
write("ovf-href-device", plain(ovf=OVF.replace(href, 'ovf:href="/dev/sda"')))
write("ovf-href-url", plain(ovf=OVF.replace(href, 'ovf:href="http://192.0.2.1/x.vmdk"')))
write("ovf-href-missing", plain(ovf=OVF.replace(href, 'ovf:href="missing.vmdk"')))
cap = OVF.split('ovf:capacity="', 1)[1].split('"', 1)[0]
write("ovf-capacity", plain(ovf=OVF.replace('ovf:capacity="%s"' % cap,
                                            'ovf:capacity="%d"' % (1 << 60))))
write("ovf-capacity-units", plain(ovf=OVF.replace(
    'ovf:capacityAllocationUnits="byte"', 'ovf:capacityAllocationUnits="byte * 2^50"')))
write("ovf-not-xml", plain(ovf="<Envelope><unclosed>"))

# ---- the manifest -----------------------------------------------------------
bad = manifest([(ovf_name, OVF.encode())]) + b"SHA256(%s)= %s\n" % (
    disk_name.encode(), b"0" * 64)
write("mf-sha256", plain(mf=False) + [(info("x.mf", bad), bad)])
bad1 = manifest([(ovf_name, OVF.encode())], "sha1") + b"SHA1(%s)= %s\n" % (
    disk_name.encode(), b"1" * 40)
write("mf-sha1", plain(mf=False) + [(info("x.mf", bad1), bad1)])
junk = b"this is not a manifest\n"
write("mf-malformed", plain(mf=False) + [(info("x.mf", junk), junk)])
ghost = manifest([(ovf_name, OVF.encode()), ("ghost.vmdk", b"")])
write("mf-missing-file", plain(mf=False) + [(info("x.mf", ghost), ghost)])

# ---- the disk ---------------------------------------------------------------
desc = ('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
        'createType="monolithicFlat"\n\n# Extent description\n'
        'RW 8 FLAT "%s" 0\n\n# The Disk Data Base\n#DDB\n'
        'ddb.virtualHWVersion = "4"\n' % canary).encode()
write("vmdk-descriptor", plain(disk=desc))
# a sparse header with capacity 0: QEMU then reads its embedded descriptor
hdr = bytearray(DISK[:512])
hdr[12:20] = b"\0" * 8
write("vmdk-capacity0", plain(disk=bytes(hdr) + DISK[512:]))
# a qcow2 (named .vmdk, as the OVF says) whose backing file is a host file
if len(sys.argv) > 4:
    with open(sys.argv[4], "rb") as f:
        write("disk-backing-file", plain(disk=f.read()))

# ---- amplification ----------------------------------------------------------
# the disk as a sparse entry: 3 GiB of holes around the disk's bytes, in
# an archive a few KiB larger than the disk; first in the old GNU form
# (type 'S', the map in the header), then in the pax 1.0 form (the map
# at the start of the data, GNU.sparse.* records)
HOLES = 3 << 30
def octal(n, width):
    return ("%0*o" % (width - 1, n)).encode() + b"\0"
def gnu_sparse(name, data, realsize):
    ti = info(name, data)
    ti.type = tarfile.GNUTYPE_SPARSE
    hdr = bytearray(ti.tobuf(tarfile.GNU_FORMAT)[:512])
    hdr[386:398] = octal(realsize - len(data), 12)  # the data at the end
    hdr[398:410] = octal(len(data), 12)
    hdr[482] = 0                                  # no extension headers
    hdr[483:495] = octal(realsize, 12)
    hdr[148:156] = b" " * 8
    hdr[148:156] = ("%06o\0 " % sum(hdr)).encode()
    return bytes(hdr) + data + b"\0" * (-len(data) % 512)
with open(os.path.join(outdir, "tar-sparse-gnu.ova"), "wb") as f:
    ovf_b = OVF.encode()
    f.write(info(ovf_name, ovf_b).tobuf(tarfile.GNU_FORMAT) + ovf_b + b"\0" * (-len(ovf_b) % 512))
    f.write(gnu_sparse(disk_name, DISK, HOLES + len(DISK)))
    f.write(b"\0" * 1024)
sparse_map = b"1\n%d\n%d\n" % (HOLES, len(DISK))
sparse_map += b"\0" * (-len(sparse_map) % 512)
pax = info("GNUSparseFile.0/" + disk_name, sparse_map + DISK)
pax.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                   "GNU.sparse.name": disk_name,
                   "GNU.sparse.realsize": str(HOLES + len(DISK))}
write("tar-sparse-pax", [(info(ovf_name, OVF.encode()), OVF.encode()),
                         (pax, sparse_map + DISK)], fmt=tarfile.PAX_FORMAT)
# 600 blank disks of 16 TiB each, in a few hundred KiB of OVF
blanks = "".join('<ovf:Disk ovf:capacity="%d" ovf:capacityAllocationUnits="byte" '
                 'ovf:diskId="blank%d"/>\n' % (16 << 40, i) for i in range(600))
write("ovf-many-disks", plain(ovf=OVF.replace("</ovf:DiskSection>",
                                              blanks + "</ovf:DiskSection>", 1)))
# one blank disk of 17 TiB
write("ovf-huge-blank", plain(ovf=OVF.replace("</ovf:DiskSection>",
    '<ovf:Disk ovf:capacity="%d" ovf:capacityAllocationUnits="byte" '
    'ovf:diskId="huge"/>\n</ovf:DiskSection>' % (17 << 40), 1)))
# a disk of repeated non-zero bytes: its streamOptimized VMDK unpacks to
# a hundred times its size
if len(sys.argv) > 5:
    with open(sys.argv[5], "rb") as f:
        write("disk-bomb", plain(disk=f.read()))

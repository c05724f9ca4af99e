#!/bin/sh
# The image store end to end: `vmtui image import` of every format made by
# qemu-img, of each compressed variant, from an http://127.0.0.1 URL served
# here (checksums, a download cut off and resumed, a file that changed
# meanwhile downloaded again) and from https://127.0.0.1 with a private
# certificate authority; hostile qcow2s refused
# with the reason; 1,000 byte-flipped qcow2s each cleanly accepted or
# refused; a full disk.  After every refusal the store and its staging
# folder hold nothing new.
. "${top_srcdir:-.}/tests/lib.sh"

QI=${QEMU_IMG:-qemu-img}
D="$T/src"
mkdir -p "$D"
store() { echo "$XDG_DATA_HOME/vmtui/images"; }
HTTPD_PID=
MNT=

# ok/not_ok for a test that cannot run here, with the reason
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

# store_files: what the store and its staging folder hold, one per line
store_files() {
	(cd "$(store)" 2>/dev/null && find . -type f | sort)
}

# refused RC PATTERN DESC ARGS...: vmtui image import ARGS exits RC with
# PATTERN in its message, and the store holds the same files as before
refused() {
	want=$1 pat=$2 desc=$3
	shift 3
	before=$(store_files)
	expect "$want" "$pat" "$desc" image import "$@"
	after=$(store_files)
	if [ "$before" = "$after" ]; then
		ok "  ... and nothing was written to the store or its staging folder"
	else
		not_ok "  ... and nothing was written to the store or its staging folder"
		diag "before:" "$before" "after:" "$after"
	fi
}

# json_field FIELD: FIELD of the JSON object in $T/out
json_field() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/out" "$1"
}

# serve [CUT-BYTES CUT-COUNT [stall]]: starts the test's HTTP server on
# $D (any earlier one is stopped) and sets $URL; requests go to
# $T/http.log.  It keeps the first port it got: a download resumes only
# from the same URL.  With $CERT set (certificate and key), it is https.
PORT=0
CERT=
serve() {
	stop_server
	rm -f "$T/port"
	PORT=$PORT CERT=$CERT python3 "$top_srcdir/tests/data/images/httpd.py" "$D" "$T/port" \
		"$T/http.log" "$@" 2>"$T/httpd.err" &
	HTTPD_PID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$T/port")
	URL="http${CERT:+s}://127.0.0.1:$PORT"
}
stop_server() {
	if [ -n "$HTTPD_PID" ]; then
		kill "$HTTPD_PID" 2>/dev/null
		wait "$HTTPD_PID" 2>/dev/null
	fi
	HTTPD_PID=
}
unmount_fs() {
	if [ -n "$MNT" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
		[ -n "${LOOP:-}" ] && losetup -d "$LOOP" 2>/dev/null
		MNT=
	fi
}
trap 'stop_server; unmount_fs; cleanup' EXIT

# ---- every format qemu-img makes ---------------------------------------
# a qcow2 with 1 MiB of data in it, so copies and checksums mean something
# (from a fixed seed: the same images, and the same flips below, each run)
python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(5).randbytes(1048576))' >"$D/data.raw"
"$QI" convert -q -f raw -O qcow2 "$D/data.raw" "$D/base.qcow2"
for f in qcow2 vmdk vdi vhdx; do
	"$QI" convert -q -f raw -O $f "$D/data.raw" "$D/disk-$f.$f"
done
cp "$D/data.raw" "$D/disk-raw.img"
for f in qcow2 raw vmdk vdi vhdx; do
	file=$(ls "$D"/disk-$f.*)
	expect 0 "Imported image \"disk-$f\" \\($f, 1.0 MiB" "import a $f image made by qemu-img" \
		image import "$file"
	expect 0 "\"format\": \"$f\"" "  ... image info tells it is $f" image info --json "disk-$f"
done
expect 0 '^disk-qcow2 +qcow2 +1.0 MiB' "image list shows the images" image list
run image list --json
check "image list --json is JSON with the five images" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert sorted(x["format"] for x in d) == ["qcow2","raw","vdi","vhdx","vmdk"], d' "$T/out"
"$QI" convert -q -f raw -O vmdk -o subformat=streamOptimized "$D/data.raw" "$D/stream.vmdk"
expect 0 'Imported image "stream" \(vmdk' "import a streamOptimized vmdk (one file, as OVAs carry)" \
	image import "$D/stream.vmdk"
expect 0 'Subformat: +streamOptimized' "  ... image info tells its subformat" image info stream
expect 0 "Imported image \"vdi-as-qcow2\" \\(qcow2" "import --convert qcow2 converts a vdi" \
	image import "$D/disk-vdi.vdi" --name vdi-as-qcow2 --convert qcow2
check "  ... and the file in the store is a qcow2" \
	sh -c "'$QI' info -f qcow2 '$(store)/vdi-as-qcow2.qcow2' >/dev/null"
expect 0 'Format: +raw' "info of a file outside the store" image info "$D/disk-raw.img"

# ---- compressed ---------------------------------------------------------
sum=$(sha256sum <"$D/base.qcow2" | cut -d' ' -f1)
xz -k -c "$D/base.qcow2" >"$D/c.qcow2.xz"
gzip -c "$D/base.qcow2" >"$D/c.qcow2.gz"
zstd -q -c "$D/base.qcow2" >"$D/c.qcow2.zst"
bzip2 -c "$D/base.qcow2" >"$D/c.qcow2.bz2"
for z in xz gz zst bz2; do
	expect 0 "Imported image \"c-$z\" \\(qcow2" "import a .$z compressed qcow2" \
		image import "$D/c.qcow2.$z" --name "c-$z"
	run image info --json "c-$z"
	check "  ... stored byte for byte as the original" [ "$(json_field sha256)" = "$sum" ]
done
head -c 300000 "$D/c.qcow2.xz" >"$D/cut.qcow2.xz"
refused 1 'cut.qcow2.xz is damaged' "a truncated .xz is refused as damaged" "$D/cut.qcow2.xz"

# ---- archives for other commands, told by their bytes, not their names ----
mkdir -p "$D/ova" "$D/iso"
echo '<Envelope/>' >"$D/ova/app.ovf"
cp "$D/base.qcow2" "$D/ova/app-disk1.qcow2"
(cd "$D/ova" && tar --format=ustar -cf "$D/app.ova" app.ovf app-disk1.qcow2 &&
	tar --format=ustar -cf "$D/plain.tar" app-disk1.qcow2)
long=$(printf 'a%.0s' $(seq 120)).ovf
cp "$D/ova/app.ovf" "$D/ova/$long"
(cd "$D/ova" && tar --format=gnu -cf "$D/long-name.ova" "$long" app-disk1.qcow2)
cp "$D/app.ova" "$D/appliance.img"
cp "$D/plain.tar" "$D/packed.qcow2"
gzip -c "$D/app.ova" >"$D/app.ova.gz"
echo hello >"$D/iso/README"
refused 2 "app.ova is an OVA .*: import it with \"vmtui ova import .*/app.ova\"" \
	"an OVA is refused, naming ova import" "$D/app.ova"
refused 2 'appliance.img is an OVA' "  ... told by its bytes, whatever its name" "$D/appliance.img"
refused 2 'long-name.ova is an OVA' "  ... also with a GNU long name for its .ovf" "$D/long-name.ova"
refused 2 'app.ova.gz is an OVA' "  ... and once decompressed" "$D/app.ova.gz"
refused 2 'plain.tar is a tar archive, not a disk image: unpack it' "a tar archive is refused" "$D/plain.tar"
refused 2 'packed.qcow2 is a tar archive' "  ... whatever its name" "$D/packed.qcow2"
if command -v xorriso >/dev/null; then
	xorriso -as mkisofs -quiet -V VMTUI -o "$D/cd.iso" "$D/iso" 2>"$T/xorriso.err"
	refused 2 "cd.iso is an ISO 9660 image .*\"vmtui create NAME --iso .*/cd.iso\"" \
		"an ISO is refused, naming create --iso" "$D/cd.iso"
	cp "$D/cd.iso" "$D/cd.raw"
	refused 2 'cd.raw is an ISO 9660 image' "  ... whatever its name" "$D/cd.raw"
else
	skip "xorriso is not installed: no ISO to refuse"
fi
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	export LC_ALL=zh_CN.UTF-8
	refused 2 'plain.tar 是 tar 归档' "  ... the refusal is translated" "$D/plain.tar"
	export LC_ALL=C.UTF-8
else
	skip "no zh_CN.UTF-8 locale"
fi

# ---- mistakes, each with its message --------------------------------------
: >"$D/empty.img"
refused 3 'Cannot read .*/nothing.qcow2: No such file' "a missing file" "$D/nothing.qcow2"
refused 2 'is not a regular file' "a folder" "$D"
refused 1 'empty.img is empty: not a disk image' "an empty file" "$D/empty.img"
refused 2 'already in the store; choose another with --name' "a name already taken" \
	"$D/base.qcow2" --name disk-qcow2
refused 2 "contains '/'" "a name with a slash" "$D/base.qcow2" --name "a/b"
refused 2 'must not start with' "a name starting with a dot" "$D/base.qcow2" --name ".hidden"
refused 2 '--format must be qcow2, raw, vmdk, vdi or vhdx, not "iso"' "an unknown --format" \
	"$D/base.qcow2" --format iso
refused 2 '--convert can only make qcow2, not "vmdk"' "--convert to something else" \
	"$D/base.qcow2" --convert vmdk
refused 2 'only http:// and https:// URLs' "an ftp URL" "ftp://127.0.0.1/x.qcow2"
refused 2 '--sha256 needs 64 hexadecimal digits' "a malformed --sha256" \
	"$D/base.qcow2" --sha256 abc
# a checksum file that is a device or a FIFO: refused before it is read
# (bounded: 20 s, 4 GiB of address space)
mkfifo "$T/sums.fifo"
for sums in /dev/zero "$T/sums.fifo"; do
	(ulimit -v 4194304; exec timeout 20 "$VMTUI" image import "$D/base.qcow2" --name fifo --sums "$sums") \
		>"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "The checksum file $sums is not a regular file" "$T/err"; then
		ok "a --sums of $sums is refused at once"
	else
		not_ok "a --sums of $sums is refused at once"
		diag "exit $rc: $(cat "$T/out" "$T/err")"
	fi
done
refused 2 'Give either --sha256 or --sums' "both --sha256 and --sums" \
	"$D/base.qcow2" --sha256 "$sum" --sums "$D/SHA256SUMS"
refused 1 'is not a readable qcow2 image' "a raw file imported as --format qcow2" \
	"$D/disk-raw.img" --format qcow2 --name raw-as-qcow2
expect 0 'Imported image "local-sum"' "a local import with the right --sha256" \
	image import "$D/base.qcow2" --name local-sum --sha256 "$sum"
bad=$(printf '%064d' 0)
refused 1 "The SHA-256 of .*base.qcow2 is $sum, not the expected $bad: refused" \
	"a local import with a wrong --sha256" "$D/base.qcow2" --name wrong-sum --sha256 "$bad"

expect 3 'There is no image named "ghost" in the store, and no such file' \
	"info of an unknown image" image info ghost
expect 3 'There is no image named "ghost" in the store' "delete of an unknown image" \
	image delete ghost
# something depends on an image (templates record it in the metadata)
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["dependants"]=["template:lab"]; json.dump(d,open(p,"w"))' \
	"$(store)/local-sum.json"
expect 4 'The image "local-sum" is in use by template:lab; delete those first' \
	"delete refuses an image a template uses" image delete local-sum
check "  ... and keeps it" [ -f "$(store)/local-sum.qcow2" ]
expect 0 'Deleted image "disk-vdi"' "delete an image" image delete disk-vdi
check "  ... its file and metadata are gone" \
	[ ! -e "$(store)/disk-vdi.vdi" ] && [ ! -e "$(store)/disk-vdi.json" ]

# ---- VMs made on a store image keep it ---------------------------------------
expect 0 'Imported image "deb"' "an image for VMs" image import "$D/base.qcow2" --name deb
expect 0 'Created VM "vmx"' "a VM on the store's image file" create vmx --disk "$(store)/deb.qcow2" --no-graphics
expect 4 "The image \"deb\" is in use by VM vmx on qemu:///embed\\?root=$VMTUI_ENGINE_ROOT; delete those first" \
	"image delete is refused while a VM uses it, naming the VM and its engine" image delete deb
check "  ... and keeps the image" eval '[ -f "$(store)/deb.qcow2" ] && [ -f "$(store)/deb.json" ]'
# a second engine root on the same store
E2="$T/e2"
VMTUI_ENGINE_ROOT="$E2" "$VMTUI" create vmy --disk "$(store)/deb.qcow2" --no-graphics >/dev/null 2>&1
rec=$(grep -l '^name=vmx' "$(store)"/deb.qcow2.users/* 2>/dev/null)
cp "$rec" "$T/rec-vmx" 2>/dev/null
expect 0 'Deleted VM "vmx"' "the first VM goes" delete vmx
check "  ... and its record with it" eval '[ -n "$rec" ] && [ ! -e "$rec" ]'
expect 4 "in use by VM vmy on qemu:///embed\\?root=$E2;" "the VM on the other engine still holds the image" image delete deb
# a VM of this engine whose record is gone is still found
VMTUI_ENGINE_ROOT="$E2" "$VMTUI" delete vmy >/dev/null 2>&1
expect 0 'Created VM "vmz"' "a third VM on it" create vmz --disk "$(store)/deb.qcow2" --no-graphics
rm -f "$(store)"/deb.qcow2.users/*
expect 4 'in use by VM vmz on ' "  ... whose record is removed still holds it (the engine is asked)" image delete deb
expect 0 'Deleted VM "vmz"' "  ... until it goes" delete vmz
# a record left by a VM another client deleted does not hold it for ever
cp "$T/rec-vmx" "$(store)/deb.qcow2.users/"
expect 0 'Deleted image "deb"' "a record of a VM gone from the engine asked is dropped, and the image deleted" image delete deb
check "  ... with its records" eval '[ ! -e "$(store)/deb.qcow2" ] && [ ! -e "$(store)/deb.qcow2.users" ]'

# ---- an overlay of a store image --------------------------------------------
"$QI" create -q -f qcow2 -b base.qcow2 -F qcow2 "$D/overlay.qcow2"
refused 1 'overlay.qcow2 has a backing file \(base.qcow2\): refused.*--backing NAME' \
	"an overlay without --backing is refused, saying how" "$D/overlay.qcow2"
refused 3 'There is no image named "nobase" in the store' "--backing an image not in the store" \
	"$D/overlay.qcow2" --backing nobase
refused 2 'base.qcow2 has no backing file: --backing is for an image that builds on another' \
	"--backing for an image that builds on nothing" "$D/base.qcow2" --name b3 --backing local-sum
refused 2 'Give either --backing or --convert' "--backing with --convert" \
	"$D/overlay.qcow2" --backing local-sum --convert qcow2
"$QI" create -q -f qcow2 -b base.qcow2 -F qcow2 -o "data_file=$T/canary2" \
	"$D/overlay-datafile.qcow2"
refused 1 "overlay-datafile.qcow2 refers to an external data file \\($T/canary2\\): refused" \
	"--backing still refuses an overlay with a data file" "$D/overlay-datafile.qcow2" --backing local-sum
expect 0 'Imported image "overlay" \(qcow2' "an overlay with --backing NAME of a store image" \
	image import "$D/overlay.qcow2" --backing local-sum
expect 0 'Backing chain: +local-sum$' "  ... image info shows its backing chain" image info overlay
run image list --json
check "  ... image list --json names its backing image" python3 -c '
import json,sys; d={x["name"]: x for x in json.load(open(sys.argv[1]))}
assert d["overlay"]["backing"] == "local-sum" and d["local-sum"]["backing"] is None, d' "$T/out"
run image info --json overlay
check "  ... image info --json is JSON, encrypted a boolean" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["encrypted"] is False and d["backing"] == "local-sum" and d["dependants"] == [], d' "$T/out"
check "  ... the file's backing is the store's image, with its format" sh -c \
	"'$QI' info -U -f qcow2 --output=json '$(store)/overlay.qcow2' | grep -q '\"backing-filename-format\": \"qcow2\"' &&
	 '$QI' info -U -f qcow2 --output=json '$(store)/overlay.qcow2' | grep -q '\"backing-filename\": \"$(store)/local-sum.qcow2\"'"
expect 4 'The image "local-sum" is in use by template:lab, image:overlay' \
	"the base is in use by the template and the overlay" image delete local-sum
expect 0 'Deleted image "overlay"' "delete the overlay" image delete overlay

# ---- from a URL -----------------------------------------------------------
cp "$D/c.qcow2.xz" "$D/web.qcow2.xz"
(cd "$D" && sha256sum web.qcow2.xz base.qcow2 >SHA256SUMS)
printf '%s  web.qcow2.xz\n' "$bad" >"$D/BADSUMS"
zsum=$(sha256sum <"$D/web.qcow2.xz" | cut -d' ' -f1)
serve
expect 0 'Imported image "web" \(qcow2' "import an .xz from http://127.0.0.1 with a good SHA256SUMS" \
	image import "$URL/web.qcow2.xz" --sums "$URL/SHA256SUMS"
run image info --json web
check "  ... the store records the URL and the checked checksum" \
	[ "$(json_field source)" = "$URL/web.qcow2.xz" ] && [ "$(json_field sha256)" = "$sum" ]
refused 1 "The SHA-256 of $URL/web.qcow2.xz is $zsum, not the expected $bad: refused, nothing was imported" \
	"a wrong checksum from a SHA256SUMS URL is refused" "$URL/web.qcow2.xz" --name web2 --sums "$URL/BADSUMS"
refused 1 "The checksum file .*SHA256SUMS has no SHA-256 line for c.qcow2.gz" \
	"a SHA256SUMS without the file's line" "$URL/c.qcow2.gz" --sums "$D/SHA256SUMS"
refused 3 'the server answered HTTP 404' "a URL that is not there" "$URL/none.qcow2"
# a second import of a URL being downloaded: flock(1) holds the
# download's lock as the first vmtui would
key=$(printf %s "$URL/web.qcow2.xz" | sha256sum | cut -c1-16)
mkdir -p "$(store)/.staging"
flock "$(store)/.staging/download-$key.part" "$VMTUI" image import "$URL/web.qcow2.xz" \
	--name twice >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 4 ] && grep -q "web.qcow2.xz is being imported by another vmtui already" "$T/err"; then
	ok "a URL another vmtui is downloading is refused"
else
	not_ok "a URL another vmtui is downloading is refused"
	diag "exit $rc: $(cat "$T/out" "$T/err")"
fi
rm -f "$(store)/.staging/download-$key.part"

# cut off once: vmtui resumes at once, from where it was cut
: >"$T/http.log"
serve 200000 1
expect 0 'Imported image "resumed"' "a download cut off after 200000 bytes completes" \
	image import "$URL/web.qcow2.xz" --name resumed --sha256 "$zsum"
check "  ... the second request asked for the rest of the same version: Range bytes=200000-, If-Range" \
	grep -q "GET /web.qcow2.xz range=bytes=200000- if-range=\"[0-9a-f]*\" 206$" "$T/http.log"
diag "$(cat "$T/http.log")"

# a server that stops sending: Ctrl-C cancels, keeping what came
: >"$T/http.log"
serve 150000 1 stall
"$VMTUI" image import "$URL/web.qcow2.xz" --name cancelled >"$T/out" 2>"$T/err" &
vpid=$!
BG_PIDS="$BG_PIDS $vpid"
key=$(printf %s "$URL/web.qcow2.xz" | sha256sum | cut -c1-16)
part="$(store)/.staging/download-$key.part"
i=0
while [ "$(stat -c %s "$part" 2>/dev/null)" != 150000 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -INT $vpid
wait $vpid
rc=$?
if [ $rc = 7 ] && grep -q "cancelled; the 150000 bytes received are kept" "$T/err"; then
	ok "Ctrl-C cancels a download that hangs"
else
	not_ok "Ctrl-C cancels a download that hangs"
	diag "exit $rc: $(cat "$T/out" "$T/err")"
fi
check "  ... keeping its 150000 bytes for later" [ "$(stat -c %s "$part" 2>/dev/null)" = 150000 ]
check "  ... and registering nothing" [ ! -e "$(store)/cancelled.json" ]
rm -f "$part"

# cut off on every try: the partial stays in staging; the next run resumes
: >"$T/http.log"
serve 100000 100
expect 1 'was interrupted after 300000 bytes .*importing it again resumes' \
	"a download cut off on every try stops after 3 tries" \
	image import "$URL/web.qcow2.xz" --name later --sha256 "$zsum"
part=$(ls "$(store)/.staging/"download-*.part 2>/dev/null)
check "  ... keeping the 300000 bytes it got in staging" \
	[ -n "$part" ] && [ "$(stat -c %s "$part" 2>/dev/null)" = 300000 ]
check "  ... and registering nothing" [ ! -e "$(store)/later.json" ]
: >"$T/http.log"
serve
expect 0 'Imported image "later"' "the next import of the same URL completes" \
	image import "$URL/web.qcow2.xz" --name later --sha256 "$zsum"
check "  ... resuming from byte 300000 of the same version: a 206 to Range and If-Range" \
	grep -q "range=bytes=300000- if-range=\"[0-9a-f]*\" 206$" "$T/http.log"
check "  ... and asking for nothing twice" [ "$(wc -l <"$T/http.log")" = 1 ]
check "  ... staging is empty again" [ -z "$(ls -A "$(store)/.staging")" ]

# the file changed on the server between two runs: the next run must not
# join the part of the old one it kept to the rest of the new one
python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(6).randbytes(1048576))' >"$D/data2.raw"
"$QI" convert -q -f raw -O qcow2 "$D/data2.raw" "$D/new.qcow2"
xz -k -c "$D/new.qcow2" >"$D/new.qcow2.xz"
newsum=$(sha256sum <"$D/new.qcow2" | cut -d' ' -f1)
newzsum=$(sha256sum <"$D/new.qcow2.xz" | cut -d' ' -f1)
cp "$D/web.qcow2.xz" "$D/moving.qcow2.xz"
serve 100000 100
expect 1 'was interrupted after 300000 bytes' "a download of the old version of a file is cut off, 300000 bytes kept" \
	image import "$URL/moving.qcow2.xz" --name moving --sha256 "$newzsum"
cp "$D/new.qcow2.xz" "$D/moving.qcow2.xz"
: >"$T/http.log"
serve 100000 1 stall
key=$(printf %s "$URL/moving.qcow2.xz" | sha256sum | cut -c1-16)
part="$(store)/.staging/download-$key.part"
# on a terminal, to see its progress; the server stalls after 100000 bytes
script -qfec "$VMTUI image import $URL/moving.qcow2.xz --name moving --sha256 $newzsum" \
	"$T/tty" >/dev/null 2>&1 </dev/null &
spid=$!
BG_PIDS="$BG_PIDS $spid"
check "the next run says it downloads again from the start" \
	wait_for "$T/tty" 'Downloading again from the start \(the file on the server changed\)' 60
i=0
while [ "$(stat -c %s "$part" 2>/dev/null)" != 100000 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
check "  ... and does: the 300000 old bytes gave way to 100000 new ones" \
	[ "$(stat -c %s "$part" 2>/dev/null)" = 100000 ]
stop_server # vmtui cannot reconnect: it keeps the new part
wait $spid
check "  ... after asking for the rest of the old version (If-Range) and getting all of the new (200)" \
	grep -q "GET /moving.qcow2.xz range=bytes=300000- if-range=\"[0-9a-f]*\" 200$" "$T/http.log"
diag "$(cat "$T/http.log")"
: >"$T/http.log"
serve
expect 0 'Imported image "moving"' "the run after that resumes the new version, whose checksum passes" \
	image import "$URL/moving.qcow2.xz" --name moving --sha256 "$newzsum"
check "  ... from byte 100000, with its validator (a 206)" \
	grep -q "range=bytes=100000- if-range=\"[0-9a-f]*\" 206$" "$T/http.log"
run image info --json moving
check "  ... and the store holds the new image" [ "$(json_field sha256)" = "$newsum" ]
# vmtui stopped after the last byte came, before the import: the server
# says there is no more of that version (416), nothing is fetched again
cp "$D/new.qcow2.xz" "$part"
printf '"%s"' "$(printf %s "$newzsum" | cut -c1-16)" >"$part.validator"
: >"$T/http.log"
expect 0 'Imported image "whole"' "a whole download kept from an earlier run is imported" \
	image import "$URL/moving.qcow2.xz" --name whole --sha256 "$newzsum"
check "  ... without fetching it again (a 416 to the rest of the same version)" \
	[ "$(cat "$T/http.log")" = "GET /moving.qcow2.xz range=bytes=$(stat -c %s "$D/new.qcow2.xz")- if-range=\"$(printf %s "$newzsum" | cut -c1-16)\" 416" ]
check "  ... staging is empty again" [ -z "$(ls -A "$(store)/.staging")" ]
stop_server

# ---- https, with a private certificate authority --------------------------
# a throw-away authority and a certificate for 127.0.0.1 and localhost
mkdir "$T/tls"
(
	cd "$T/tls" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=vmtui test authority" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out ca.pem &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=127.0.0.1" -keyout server.key -out server.csr &&
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
		"extendedKeyUsage=serverAuth" >ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile ext -out server.crt &&
	cat server.crt server.key >server.pem
) >"$T/tls/log" 2>&1 || diag "openssl:" "$(cat "$T/tls/log")"
CERT="$T/tls/server.pem"
serve
CERT=
refused 1 "Cannot download $URL/web.qcow2.xz: the server's certificate cannot be verified \(.+\)\. .*set CURL_CA_BUNDLE" \
	"an https server of an authority not trusted is refused, saying so" \
	"$URL/web.qcow2.xz" --name tls --sha256 "$zsum"
CURL_CA_BUNDLE="$T/tls/none.pem"
export CURL_CA_BUNDLE
refused 1 "cannot read the certificate authorities in $T/tls/none.pem \(CURL_CA_BUNDLE\)" \
	"a CURL_CA_BUNDLE that is not there is named" "$URL/web.qcow2.xz" --name tls --sha256 "$zsum"
CURL_CA_BUNDLE="$T/tls/ca.pem"
expect 0 'Imported image "tls" \(qcow2' "with CURL_CA_BUNDLE naming the authority, an .xz and its SHA256SUMS over https import" \
	image import "$URL/web.qcow2.xz" --name tls --sums "$URL/SHA256SUMS"
run image info --json tls
check "  ... the store records the https URL and the checked checksum" \
	[ "$(json_field source)" = "$URL/web.qcow2.xz" ] && [ "$(json_field sha256)" = "$sum" ]
echo "https://localhost:$PORT/web.qcow2.xz" >"$D/up.qcow2.xz.location"
expect 0 'Imported image "up" \(qcow2' "a redirect from https to https is followed" \
	image import "$URL/up.qcow2.xz" --sha256 "$zsum"
echo "http://127.0.0.1:$PORT/web.qcow2.xz" >"$D/down.qcow2.xz.location"
refused 1 "Cannot download $URL/down.qcow2.xz: it redirects to http://127.0.0.1:$PORT/web.qcow2.xz, refused" \
	"a redirect from https to http is refused" "$URL/down.qcow2.xz" --sha256 "$zsum"
echo "file:///etc/passwd" >"$D/passwd.qcow2.xz.location"
refused 1 "it redirects to file:///etc/passwd, refused" \
	"a redirect to a file:// URL is refused" "$URL/passwd.qcow2.xz"
unset CURL_CA_BUNDLE
stop_server

# ---- hostile qcow2s -------------------------------------------------------
"$QI" create -q -f qcow2 -u -b /etc/shadow -F raw "$D/shadow.qcow2" 1G
refused 1 'shadow.qcow2 has a backing file \(/etc/shadow\): refused' \
	"a qcow2 backed by /etc/shadow" "$D/shadow.qcow2"
"$QI" create -q -f qcow2 -u -b /dev/sda -F raw "$D/sda.qcow2" 1G
refused 1 'sda.qcow2 has a backing file \(/dev/sda\): refused' \
	"a qcow2 backed by /dev/sda" "$D/sda.qcow2"
expect 0 'Backing chain: +/etc/shadow \(format raw; not opened\)' \
	"image info of a foreign qcow2 shows its backing file, unopened" image info "$D/shadow.qcow2"
# the format given wins and is kept: a qcow2 header in a raw image is data
expect 0 'Imported image "shadow-raw" \(raw' "the same file imported with --format raw is raw data" \
	image import "$D/shadow.qcow2" --format raw --name shadow-raw
expect 0 '"format": "raw"' "  ... and stays raw in the store, never re-detected" image info --json shadow-raw
# qemu-img will not make a backing file without a format: patch the header
"$QI" create -q -f qcow2 "$D/nofmt.qcow2" 1M
python3 - "$D/nofmt.qcow2" <<'EOF'
import struct, sys
name = b"/etc/shadow"
with open(sys.argv[1], "r+b") as f:
    f.seek(8)
    f.write(struct.pack(">QI", 1024, len(name)))  # backing_file_offset, _size
    f.seek(1024)
    f.write(name)
EOF
refused 1 'nofmt.qcow2 has a backing file \(/etc/shadow\) without a format: refused' \
	"a qcow2 with a backing file of no format" "$D/nofmt.qcow2"
"$QI" create -q -f qcow2 -o "data_file=$T/canary,data_file_raw=on" "$D/datafile.qcow2" 1M
echo canary >"$T/canary"
refused 1 "datafile.qcow2 refers to an external data file \\($T/canary\\): refused" \
	"a qcow2 with an external data file" "$D/datafile.qcow2"
check "  ... the canary file is untouched" [ "$(cat "$T/canary")" = canary ]
# a VMDK descriptor is text naming the files with the data: /dev/sda here
cat >"$D/flat.vmdk" <<EOF
# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="monolithicFlat"
RW 2048 FLAT "/dev/sda" 0
EOF
refused 1 'flat.vmdk is not a single-file VMDK \(a descriptor, whose data would live in other files\): refused' \
	"a VMDK descriptor whose extent is /dev/sda" "$D/flat.vmdk"
# a sparse VMDK whose header says no capacity: QEMU would read the
# descriptor embedded in it, which may name other files
"$QI" create -q -f vmdk "$D/nocap.vmdk" 1M
printf '\0\0\0\0\0\0\0\0' | dd of="$D/nocap.vmdk" bs=1 seek=12 conv=notrunc status=none
refused 1 'nocap.vmdk is a VMDK whose embedded descriptor may refer to other files: refused' \
	"a VMDK header with no capacity" "$D/nocap.vmdk"
# qemu reads a descriptor that does not start with its comment too
{ echo; cat "$D/flat.vmdk"; } >"$D/flat2.vmdk"
refused 1 'flat2.vmdk is not a single-file VMDK' "  ... also one that starts with a blank line, given --format vmdk" \
	"$D/flat2.vmdk" --format vmdk
mkfifo "$T/never.fifo"
sed 's#"/dev/sda"#"'"$T"'/never.fifo"#' "$D/flat.vmdk" >"$D/fifo.vmdk"
expect 1 'fifo.vmdk is not a single-file VMDK' \
	"image info on a VMDK descriptor names it and opens none of its extents (a FIFO would hang)" \
	image info "$D/fifo.vmdk"
xz -k "$D/shadow.qcow2"
refused 1 'shadow.qcow2.xz has a backing file \(/etc/shadow\): refused' \
	"the same hostile qcow2 inside an .xz" "$D/shadow.qcow2.xz"

# ---- 1,000 byte-flipped copies ---------------------------------------------
# Fixed seed; half the flips land in the header (first 512 bytes), a
# quarter in the metadata clusters after it (L1, refcount table and block,
# L2), the rest anywhere.  Each import must end in an image
# or a refusal with a message; none may hang (timeout) or crash (signal).
mkdir "$D/flip"
python3 - "$D/base.qcow2" "$D/flip" <<'EOF'
import random, sys
base = open(sys.argv[1], "rb").read()
rnd = random.Random(20261129)
for i in range(1000):
    b = bytearray(base)
    for _ in range(rnd.randint(1, 8)):
        r = rnd.random()
        pos = (rnd.randrange(512) if r < 0.5 else
               rnd.randrange(65536, 5 * 65536) if r < 0.75 else rnd.randrange(len(b)))
        b[pos] ^= 1 << rnd.randrange(8)
    open("%s/f%04d.qcow2" % (sys.argv[2], i), "wb").write(bytes(b))
EOF
accepted=0 refusals=0 hung=0 crashed=0 silent=0
for f in "$D"/flip/f*.qcow2; do
	n=$(basename "$f" .qcow2)
	timeout 300 "$VMTUI" image import "$f" --format qcow2 >"$T/out" 2>"$T/err"
	r=$?
	case $r in
	0) accepted=$((accepted + 1))
	   "$VMTUI" image delete "$n" >/dev/null 2>&1 ;;
	1) refusals=$((refusals + 1))
	   grep -q '^vmtui: .' "$T/err" || silent=$((silent + 1))
	   head -n 1 "$T/err" | sed 's/.*qemu-img: Could not open [^:]*: //; s/.*qemu-img was stopped.*/qemu-img stopped by its limits/; s/[0-9][0-9]*/N/g' >>"$T/reasons" ;;
	124) hung=$((hung + 1)); diag "$n hung" ;;
	*) crashed=$((crashed + 1)); diag "$n: exit $r: $(cat "$T/err")" ;;
	esac
done
diag "byte-flipped qcow2s: $accepted imported, $refusals refused, $hung hung, $crashed crashed"
diag "most common reasons given:" "$(sort "$T/reasons" 2>/dev/null | uniq -c | sort -rn | head -n 8)"
check "1,000 byte-flipped qcow2s: each imported or refused ($accepted + $refusals)" \
	[ $((accepted + refusals)) = 1000 ]
check "  ... none hung" [ "$hung" = 0 ]
check "  ... none crashed" [ "$crashed" = 0 ]
check "  ... every refusal says why" [ "$silent" = 0 ]
check "  ... some of each (the test can tell them apart)" eval '[ "$accepted" -gt 0 ] && [ "$refusals" -gt 0 ]'
check "  ... and the store holds none of them" [ -z "$(ls "$(store)" | grep '^f[0-9]')" ]
check "  ... nor its staging folder" [ -z "$(ls -A "$(store)/.staging")" ]

# ---- disk full --------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v mkfs.ext4 >/dev/null || ! command -v losetup >/dev/null; then
	skip "disk full: needs root, mkfs.ext4 and losetup"
else
	truncate -s 24M "$T/fs.img"
	mkfs.ext4 -q -F "$T/fs.img"
	LOOP=$(losetup -f --show "$T/fs.img") && MNT="$T/mnt" && mkdir -p "$MNT" &&
		mount "$LOOP" "$MNT" || MNT=
	if [ -z "$MNT" ]; then
		skip "disk full: cannot mount a loop device here"
	else
		head -c 33554432 /dev/urandom >"$D/big.raw"
		gzip -1 -c "$D/big.raw" >"$D/big.raw.gz"
		XDG_DATA_HOME="$MNT/data"
		export XDG_DATA_HOME
		# a small reserve: the default (512 MiB) is more than this
		# file system has
		mkdir -p "$XDG_CONFIG_HOME/vmtui"
		printf '[limits]\nreserve = 1M\n' >"$XDG_CONFIG_HOME/vmtui/vmtui.conf"
		refused 1 'Not enough free space in .*/\.staging for .*big.raw: it needs 32\.0 MiB more, .* and vmtui keeps 1\.0 MiB free \(\[limits\] reserve\)' \
			"a 32 MiB image onto a 24 MiB filesystem is refused before it is copied" "$D/big.raw"
		refused 1 'Not enough free space in .*/\.staging for .*big.raw.gz: .*vmtui keeps 1\.0 MiB free' \
			"the same, gzip-compressed, stops before the file system is full" "$D/big.raw.gz"
		serve
		refused 1 "Not enough free space in .*/\\.staging for $URL/big.raw.gz: it needs .* more" \
			"the same, downloaded, is refused for the size the server gives" "$URL/big.raw.gz"
		stop_server
		check "  ... staging is empty" [ -z "$(ls -A "$(store)/.staging")" ]
		expect 0 'No images yet' "  ... and the store lists no image" image list
		expect 0 'Imported image "small"' "a small image still fits" \
			image import "$D/base.qcow2" --name small
		rm -f "$XDG_CONFIG_HOME/vmtui/vmtui.conf"
		unmount_fs
	fi
fi
done_testing

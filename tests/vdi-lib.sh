# vdi-lib.sh — what the broker's tests share (sourced after lib.sh): a
# template of the kit's disk, PAM with the test's own pam_userdb
# database and service folder (nothing in /etc touched), a certificate
# for 127.0.0.1, the broker started in the background, and curl as a
# logged-in user.

for c in curl db5.3_load openssl python3; do
	command -v "$c" >/dev/null || { echo "Bail out! $c is missing (./setup.sh test installs it)"; exit 1; }
done
[ -e /lib/x86_64-linux-gnu/security/pam_userdb.so ] || [ -e /usr/lib/x86_64-linux-gnu/security/pam_userdb.so ] ||
	{ echo "Bail out! pam_userdb is missing (libpam-modules)"; exit 1; }

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# vdi_template: template "kit" of a disk made of the kit (guest_kit first)
vdi_template() {
	kit_disk "$T/root.qcow2" &&
		"$VMTUI" create src --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
			--cmdline "console=ttyS0 quiet cryptomgr.notests panic=-1 root=/dev/vda" \
			--memory 256M --disk "$T/root.qcow2" --no-graphics >/dev/null 2>&1 &&
		"$VMTUI" template create kit --from-vm src >/dev/null 2>&1
}

# vdi_pam: users alice, bob and dave (passwords NAME-pw) for the PAM
# service vmtui-test in $T/pam
vdi_pam() {
	mkdir -p "$T/pam"
	printf 'alice\nalice-pw\nbob\nbob-pw\ndave\ndave-pw\n' | db5.3_load -T -t hash "$T/users.db" &&
		printf 'auth required pam_userdb.so db=%s\naccount required pam_userdb.so db=%s\n' \
			"$T/users" "$T/users" >"$T/pam/vmtui-test"
}

# vdi_cert: $T/cert.pem and $T/key.pem for 127.0.0.1
vdi_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
}

PORT=$(free_port)
URL="https://127.0.0.1:$PORT"

# start_broker [OPTIONS...]: vmtui serve on $URL in the background (its
# pid in $BPID), once it says it serves
start_broker() {
	: >"$T/serve.log"
	"$VMTUI" serve --listen "127.0.0.1:$PORT" --cert "$T/cert.pem" --key "$T/key.pem" \
		--pam-service vmtui-test --pam-confdir "$T/pam" --reconcile-every 2 "$@" \
		>>"$T/serve.log" 2>&1 &
	BPID=$!
	BG_PIDS="$BG_PIDS $BPID"
	wait_for "$T/serve.log" "Serving the desktop pools at $URL" 30
}

# curl_as JAR METHOD PATH [DATA [CURL-ARGS...]]: the body in $T/body, the
# headers in $T/head, the status in $code, the time in $secs; the
# session's CSRF token is sent unless NO_CSRF=1
curl_as() {
	jar=$1 method=$2 path=$3
	shift 3
	data=${1:-}
	[ $# -gt 0 ] && shift
	set -- "$@" -H 'Content-Type: application/json'
	[ -f "$T/$jar.csrf" ] && [ "${NO_CSRF:-}" != 1 ] && set -- "$@" -H "X-CSRF-Token: $(cat "$T/$jar.csrf")"
	out=$(curl -sS --cacert "$T/cert.pem" -c "$T/$jar.jar" -b "$T/$jar.jar" -X "$method" \
		-D "$T/head" -o "$T/body" -w '%{http_code} %{time_total}' ${data:+--data "$data"} "$@" \
		"$URL$path" 2>"$T/curl.err")
	code=${out% *}
	secs=${out#* }
}
# login JAR USER PASSWORD: its CSRF token kept in $T/JAR.csrf
login() {
	rm -f "$T/$1.csrf"
	curl_as "$1" POST /api/login "{\"user\": \"$2\", \"password\": \"$3\"}"
	if [ "$code" = 200 ]; then
		sed -n 's/.*"csrf" *: *"\([0-9a-f]*\)".*/\1/p' "$T/body" >"$T/$1.csrf"
	fi
}
# json_get KEY: a string member of the last body
json_get() {
	sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$T/body"
}

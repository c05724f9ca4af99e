# bench/lib.sh — what the benchmarks share (sourced, POSIX sh).  Each
# sets BENCH to its name and here to its folder, absolute, first:
#
#   BENCH=list-1000
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
#
# Their Python drivers find bench/stats.py through PYTHONPATH.
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

# die MESSAGE...: says MESSAGE as the benchmark's and exits 1
die() {
	printf '%s: %s\n' "$BENCH" "$*" >&2
	exit 1
}

# positive NAME VALUE: dies unless VALUE is a whole number above 0
positive() {
	case $2 in
	'' | *[!0-9]* | 0) die "$1 must be a positive integer, not \"$2\"" ;;
	esac
}

# load_average: ", load average N" where the kernel tells it, else nothing
load_average() {
	if [ -r /proc/loadavg ]; then
		printf ', load average %s' "$(cut -d' ' -f1 /proc/loadavg)"
	fi
}

# fig KEY... COLUMN: field COLUMN of the line of $tmp/results whose first
# fields are the KEYs
fig() {
	awk -v want="$*" 'BEGIN { n = split(want, k, " ") }
		{ for (i = 1; i < n; i++) if ($i != k[i]) next; print $(k[n]) }' "$tmp/results"
}

# ratio A B [DIGITS]: A / B with DIGITS decimals (default 3), n/a when B
# is not above 0
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { if (b > 0) printf "%." d "f", a / b; else print "n/a" }'
}

# labs_stop DATA: ends the DHCP servers and hubs of the lab networks under
# DATA/vmtui/networks, by their pid files, each checked to name its pid
# file on its command line
labs_stop() {
	for f in "$1"/vmtui/networks/*/dnsmasq.pid "$1"/vmtui/networks/*/hub.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--pid-file=$f" &&
			kill "$pid"
	done
	return 0
}

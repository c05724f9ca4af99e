#!/bin/sh
# bench/list-1000.sh — `vmtui list --json` against virsh, 1,000 domains.
#
# Usage: bench/list-1000.sh [PATH/TO/vmtui]      (default ./vmtui)
#        RUNS=15 bench/list-1000.sh ./vmtui       (timed rounds, default 7)
#
# Writes a libvirt test-driver node file with 1,000 domains (vm-0001 …
# vm-1000: half shut off, a few paused, the rest running; varied vCPUs
# and memory, one disk and one interface each; bench/node-xml.sh, shared
# with bench/tui-1000.sh, writes it) into a temporary
# directory, and times, after one warm-up run each, RUNS rounds (each
# runs every command once, in turn) of:
#
#   A. vmtui -c URI list --json
#   B. virsh -c URI list --all
#   C. virsh -c URI list --all --name, then virsh -c URI domstats
#      (one sample is the sum of both: the peer that carries the same
#      kind of data as vmtui's list, state and figures per domain)
#   D. virsh -c URI uri: connecting only, no listing; the baseline
#
# URI is test:///ABSOLUTE/PATH/node.xml: each process parses the whole
# file when it connects, vmtui and virsh alike, and that parse is most
# of every figure; D measures it, and the figures net of it (C connects
# twice) are printed too.  Prints median, min and max wall time per
# command, then the ratios of the medians, and exits 1 if vmtui's JSON
# does not hold the 1,000 domains or virsh does not list them.
#
# A benchmark, never a test: it asserts no timing, since machines are
# noisy; it runs the peer in the same run and prints the ratio instead.
set -eu

BENCH=list-1000
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

VMTUI=${1:-./vmtui}
RUNS=${RUNS:-7}
N=1000


case $RUNS in
'' | *[!0-9]* | 0) die "RUNS must be a positive integer, not \"$RUNS\"" ;;
esac
case $VMTUI in
*/*) ;;
*) VMTUI=./$VMTUI ;;
esac
[ -x "$VMTUI" ] || die "no vmtui binary at $VMTUI (give its path as the first argument)"
command -v virsh >/dev/null 2>&1 || die "virsh is not installed; it is the peer"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to time the runs and check the JSON"
[ -r "$here/node-xml.sh" ] || die "no $here/node-xml.sh next to this script: it writes the node file"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtui-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(cd "$tmp" && pwd) # the URI needs an absolute path

# The same clean environment for both tools: no user config, C locale.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache"
export LC_ALL=C
unset VMTUI_URI VMTUI_CONFIG LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI 2>/dev/null || true

# The node file, from the generator the benchmarks share.
node=$tmp/node.xml
sh "$here/node-xml.sh" "$N" >"$node" || die "cannot write the node file with $here/node-xml.sh"
URI=test://$node

# Correctness first: the same 1,000 domains through both tools.
"$VMTUI" -c "$URI" list --json >"$tmp/vmtui.json" 2>"$tmp/err" ||
	die "vmtui -c $URI list --json failed: $(cat "$tmp/err")"
python3 - "$tmp/vmtui.json" "$N" <<'EOF' || die "vmtui list --json is not the $N domains of the node file"
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
names = sorted(e["name"] for e in d)
want = ["vm-%04d" % i for i in range(1, n + 1)]
if len(d) != n or names != want:
    sys.exit("list-1000: vmtui's JSON has %d entries, want %d named vm-0001..vm-%04d" % (len(d), n, n))
states = {}
for e in d:
    states[e["state"]] = states.get(e["state"], 0) + 1
print("vmtui list --json: %d domains, %s" % (len(d), ", ".join("%d %s" % (c, s) for s, c in sorted(states.items()))))
EOF
virsh -c "$URI" list --all --name >"$tmp/names" 2>"$tmp/err" ||
	die "virsh list --all --name failed: $(cat "$tmp/err")"
got=$(grep -c . "$tmp/names" || true)
[ "$got" -eq "$N" ] || die "virsh list --all --name lists $got names, want $N"
got=$(virsh -c "$URI" list --all | grep -c ' vm-[0-9]' || true)
[ "$got" -eq "$N" ] || die "virsh list --all lists $got domains, want $N"

# The timer, in one process so its own start-up stays out of the
# samples.  Arguments: RUNS, then the benchmarks, separated by a lone
# "::"; a benchmark is one command, or several run in turn for one
# sample, separated by a lone ";;".  All run once to warm up, then RUNS
# rounds, each running every benchmark once, in turn, output to
# /dev/null: a machine that gets busier or quieter during the run
# weighs on all of them alike.  Prints, per benchmark, "median min max
# net" in ms, net being its minimum less the last benchmark's (the
# baseline) once per command in it: load only ever adds time, so the
# minima are the closest to the work itself.
cat >"$tmp/timer.py" <<'EOF'
import subprocess, sys, time
from stats import spread

runs = int(sys.argv[1])
benches, cmds, cur = [], [], []
for a in sys.argv[2:] + ["::"]:
    if a in (";;", "::"):
        cmds.append(cur)
        cur = []
        if a == "::":
            benches.append(cmds)
            cmds = []
    else:
        cur.append(a)

def once(b):
    t = time.perf_counter()
    for c in b:
        try:
            p = subprocess.run(c, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except OSError as e:
            sys.exit("list-1000: cannot run %s: %s" % (c[0], e.strerror))
        if p.returncode != 0:
            sys.exit("list-1000: %s exited %d" % (" ".join(c), p.returncode))
    return (time.perf_counter() - t) * 1000.0

for b in benches:
    once(b)
samples = [[] for _ in benches]
for _ in range(runs):
    for i, b in enumerate(benches):
        samples[i].append(once(b))
base = min(samples[-1])
for b, s in zip(benches, samples):
    net = min(s) - len(b) * base
    print("%.1f %.1f %.1f %.1f" % (spread(s) + (net,)))
EOF

load=$(load_average)
echo "$N domains in $node, $RUNS rounds after 1 warm-up$load, wall time in ms:"
python3 "$tmp/timer.py" "$RUNS" \
	"$VMTUI" -c "$URI" list --json :: \
	virsh -c "$URI" list --all :: \
	virsh -c "$URI" list --all --name ';;' virsh -c "$URI" domstats :: \
	virsh -c "$URI" uri >"$tmp/times" || die "the timed runs failed"

{ echo "vmtui list --json"; echo "virsh list --all"; echo "virsh list --all --name + domstats"
  echo "virsh uri (connect only)"; } | paste -d'|' - "$tmp/times" >"$tmp/table"
awk -F'|' '
	BEGIN { printf "  %-36s %9s %9s %9s %9s\n", "command", "median", "min", "max", "net" }
	{ split($2, v, " "); printf "  %-36s %9.1f %9.1f %9.1f %9.1f\n", $1, v[1], v[2], v[3], v[4] }' "$tmp/table"
echo "  (net: min less the baseline's min once per process, i.e. without starting and connecting)"

ma=$(awk 'NR == 1 { print $1 }' "$tmp/times")
mb=$(awk 'NR == 2 { print $1 }' "$tmp/times")
mc=$(awk 'NR == 3 { print $1 }' "$tmp/times")
rb=$(ratio "$ma" "$mb" 2)
rc=$(ratio "$ma" "$mc" 2)
echo "vmtui/virsh-list = $rb"
echo "vmtui/(virsh list --name + domstats) = $rc"

# Peak RSS of one run each, where GNU time is there to tell it.
if [ -x /usr/bin/time ] &&
	ra=$(/usr/bin/time -f %M -o "$tmp/rss" "$VMTUI" -c "$URI" list --json 2>/dev/null >/dev/null && tail -n 1 "$tmp/rss") &&
	rv=$(/usr/bin/time -f %M -o "$tmp/rss" virsh -c "$URI" list --all 2>/dev/null >/dev/null && tail -n 1 "$tmp/rss"); then
	echo "peak RSS: vmtui list --json $ra KiB, virsh list --all $rv KiB"
fi

printf 'bench list-1000: vmtui %.0f ms, virsh list %.0f ms (ratio %s), virsh list+domstats %.0f ms (ratio %s)\n' \
	"$ma" "$mb" "$rb" "$mc" "$rc"

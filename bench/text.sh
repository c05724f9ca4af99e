#!/bin/sh
# bench/text.sh — the graphical console reading text screens as text
# (console/text.c), on the screens captured from real guests in
# tests/fixtures/text (SeaBIOS, the Linux console in VGA text mode and on
# a UEFI framebuffer): for each, the characters read right against its
# known text, and the milliseconds and bytes of a full frame drawn as
# text against the same frame in half blocks at the same cells (the
# picture path), in the same run.  The same on a live guest's screen is
# at the end of bench/vnc.sh.
#
# Usage: bench/text.sh [PATH/TO/vmtui]      (default ./vmtui)
#        RUNS=100 bench/text.sh
#        VNC_RENDER=PATH/TO/bench/vnc-render (default: next to vmtui)
set -eu
VMTUI=${1:-./vmtui}
RUNS=${RUNS:-50}
VNC_RENDER=${VNC_RENDER:-$(dirname "$VMTUI")/bench/vnc-render}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../tests/fixtures/text
[ -x "$VNC_RENDER" ] || { echo "bench text: no $VNC_RENDER: build it with make bench/vnc-render" >&2; exit 1; }
for png in "$fixtures"/*.png; do
	known=${png%.png}.txt
	[ -f "$known" ] || known=   # a screen that is no text
	"$VNC_RENDER" text "$png" "$known" "$RUNS"
done

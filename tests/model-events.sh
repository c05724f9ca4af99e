#!/bin/sh
# The domain model follows a real guest through lifecycle events (see
# model-events.c), on this test's private engine.
. "${top_srcdir:-.}/tests/lib.sh"
guest_kit
"${top_builddir}/tests/model-events" "$GUEST_KERNEL" "$GUEST_INITRD"

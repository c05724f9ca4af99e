#!/bin/sh
# Guests survive vmtui being killed: 20 times, a vmtui is killed with
# SIGKILL at a random moment (often while libvirt is still reconnecting to
# the guests), and each time a new vmtui finds both guests running with
# the same QEMU processes and controls them again within 5 s.  libvirt
# kills a guest whose reconnect fails ("reason=daemon" in its log); none
# may appear.  Then the snapshot, disk and tuning commands and destroy,
# each as the first call of a vmtui started right after one was killed.
. "${top_srcdir:-.}/tests/lib.sh"

guest_kit
for g in s1 s2; do
	create_guest "$g" "$g-$$" >/dev/null || { echo "Bail out! create $g: $(cat "$T/err")"; exit 1; }
	"$VMTUI" start "$g" >/dev/null || { echo "Bail out! start $g"; exit 1; }
done
wait_for "$(serial_log s1)" "VMTUI-MARKER s1-$$" 30 && wait_for "$(serial_log s2)" "VMTUI-MARKER s2-$$" 30
check "both guests reached their markers" [ $? -eq 0 ]
p1=$(qemu_pid s1)
p2=$(qemu_pid s2)

cycles=20 good=0 worst=0
i=0
while [ $i -lt $cycles ]; do
	i=$((i + 1))
	# alternate between a short command and one that stays
	if [ $((i % 2)) -eq 0 ]; then
		"$VMTUI" events --timeout 30 >/dev/null 2>&1 &
	else
		"$VMTUI" list >/dev/null 2>&1 &
	fi
	v=$!
	sleep "0.$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%03d", rand() * 400 }')"
	kill -9 "$v" 2>/dev/null
	wait "$v" 2>/dev/null

	start=$(date +%s%N)
	g=s$((i % 2 + 1))
	ctl=no
	while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]; do
		if "$VMTUI" suspend "$g" >/dev/null 2>&1 && "$VMTUI" resume "$g" >/dev/null 2>&1; then
			ctl=yes
			break
		fi
		sleep 0.1
	done
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ $ms -gt $worst ] && worst=$ms
	if [ $ctl = yes ] && [ "$(qemu_pid s1)" = "$p1" ] && [ "$(qemu_pid s2)" = "$p2" ] &&
	   kill -0 "$p1" && kill -0 "$p2"; then
		good=$((good + 1))
	else
		diag "cycle $i: control=$ctl in $ms ms, pids $(qemu_pid s1)/$(qemu_pid s2) (want $p1/$p2)"
	fi
done
check "$good of $cycles kill -9 cycles: guests kept running, same QEMU, controllable (worst ${worst} ms)" \
	[ $good -eq $cycles ]
expect 0 '^s1 +running' "s1 still listed running" list
expect 0 '^s2 +running' "s2 still listed running" list
check "no guest was killed by a failed reconnect (reason=daemon)" \
	sh -c "! grep -h 'reason=daemon' '$VMTUI_ENGINE_ROOT'/log/qemu/*.log"
check "guests still answer on their serial consoles (QEMU alive: $p1 $p2)" kill -0 "$p1" "$p2"
# The newer call paths as the first call of a fresh vmtui, each right
# after one was killed (libvirt then still reconnects): every one
# succeeds (none fails on a stale state, none crashes at exit, 139)
cmds="info s1|disk list s1|snapshot list s1|set s1 --vcpupin 0:0|set s1 --emulatorpin 0|set s1 --memory 256M|set s1 --iotune vdz:read-iops=1"
want="0|0|0|0|0|0|3"
bad=
for i in 1 2 3 4 5 6 7; do
	c=$(echo "$cmds" | cut -d'|' -f$i)
	w=$(echo "$want" | cut -d'|' -f$i)
	"$VMTUI" list >/dev/null 2>&1 &
	v=$!
	sleep "0.$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%03d", rand() * 300 }')"
	kill -9 "$v" 2>/dev/null
	wait "$v" 2>/dev/null
	# shellcheck disable=SC2086 # the command's words
	"$VMTUI" $c >"$T/out" 2>&1
	rc=$?
	[ "$rc" = "$w" ] || bad="$bad [$c: $rc, want $w: $(head -c 200 "$T/out")]"
done
check "snapshot, disk and tuning commands right after a killed vmtui exit as they should${bad:+ ($bad)}" [ -z "$bad" ]
"$VMTUI" list >/dev/null 2>&1 &
v=$!
sleep 0.2
kill -9 "$v" 2>/dev/null
wait "$v" 2>/dev/null
expect 0 'Forced VM "s2" off' "destroy as the first call after a killed vmtui succeeds" destroy s2
expect 0 '^s2 +shut off' "  ... and s2 is off" list
check "  ... forced off, not killed by a failed reconnect (reason=destroyed)" \
	sh -c "tail -n 3 '$VMTUI_ENGINE_ROOT'/log/qemu/s2.log | grep -q 'reason=destroyed'"
# A vmtui killed while libvirt probed QEMU leaves that probe running; the
# next vmtui on the engine ends it.
"$VMTUI" list >/dev/null 2>&1
left=
for f in "$VMTUI_ENGINE_ROOT"/lib/qemu/qmp-*/qmp.pid; do
	[ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && left="$left $(cat "$f")"
done
check "no QEMU capability probe left running by a killed vmtui${left:+ (pids$left)}" [ -z "$left" ]
done_testing

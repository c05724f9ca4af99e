#!/bin/sh
# "Manage VMs over SSH": vmtui runs through a real sshd on 127.0.0.1 (key
# authentication, its own config, host key and port, started and ended by
# this test) with `ssh -t` inside tmux, under another TERM (vt100: no
# colours, no line-drawing font), and a guest is started from there.
. "${top_srcdir:-.}/tests/lib.sh"

for p in /usr/sbin/sshd ssh ssh-keygen tmux; do
	command -v "$p" >/dev/null || { echo "Bail out! $p is missing (./setup.sh test installs it)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "Bail out! this test logs in as root through its own sshd"; exit 1; }
guest_kit
check "create a guest" create_guest sg

mkdir -p "$T/ssh" /run/sshd
chmod 700 "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user"
cp "$T/ssh/user.pub" "$T/ssh/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/ssh/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $T/ssh/host
PidFile $T/ssh/sshd.pid
AuthorizedKeysFile $T/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv LANG LC_*
CONF
/usr/sbin/sshd -D -e -f "$T/ssh/sshd_config" 2>"$T/ssh/sshd.log" &
sshd_pid=$!
BG_PIDS="$BG_PIDS $sshd_pid"
i=0
while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
check "our sshd listens on 127.0.0.1:$port" kill -0 "$sshd_pid"

S="vmtui-ssh-$$"
export TMUX_TMPDIR="$T"
SSH="ssh -t -p $port -i $T/ssh/user -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=$T/ssh/known -o LogLevel=ERROR root@127.0.0.1"
remote="env XDG_DATA_HOME='$XDG_DATA_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' VMTUI_ENGINE_ROOT='$VMTUI_ENGINE_ROOT' VMTUI_ACCEL=tcg LANG=C.UTF-8 '$VMTUI'"
tmux new-session -d -s "$S" -x 90 -y 26 "TERM=vt100 $SSH \"$remote\"; echo SSH-EXITED \$?; sleep 60"

screen() { tmux capture-pane -p -t "$S"; }
see() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		screen | grep -Eq -- "$1" && { ok "$3"; return 0; }
		sleep 0.1; i=$((i + 1))
	done
	not_ok "$3"; diag "screen:" "$(screen)" "sshd log:" "$(tail -n 5 "$T/ssh/sshd.log")"
	return 1
}
see '^ . sg +shut off' 15 "vmtui's list appears over ssh -t"
see 'qemu:///embed' 1 "the title names the engine"
tmux send-keys -t "$S" s
see '^ . sg +running' 15 "s starts the guest over SSH"
tmux send-keys -t "$S" F y Enter
see '^ . sg +shut off' 15 "force off over SSH"
check "no colour escapes under TERM=vt100" sh -c "! tmux capture-pane -e -p -t '$S' | grep -q '\\[3[1-7]m'"
tmux send-keys -t "$S" q
see 'SSH-EXITED 0' 10 "q quits and the ssh session ends cleanly"
tmux kill-session -t "$S"
kill "$sshd_pid"
wait "$sshd_pid" 2>/dev/null
done_testing

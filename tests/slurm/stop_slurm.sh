#!/usr/bin/env bash
# Stop the daemons started by start_slurm.sh (by their pid files) and wait until they are gone;
# munged only if start_slurm.sh started it. Safe to run when nothing is running.
STATE=${SLURM_STATE:-/tmp/seisclass-slurm}
alive() {  # alive <pid>: running (a zombie, exited but not reaped, is not)
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null
}
stop() {  # stop <pid file> <name>: TERM, wait up to 20 s, then KILL; a reused pid is left alone
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  rm -f "$1"
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && alive "$pid" || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 40); do alive "$pid" || return 0; sleep 0.5; done
  echo "stop_slurm.sh: $2 ($pid) ignored SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null
}
stop "$STATE/slurmd.pid" slurmd
stop "$STATE/slurmctld.pid" slurmctld
if [ -f "$STATE/munged.ours" ]; then
  stop /run/munge/munged.pid munged
  rm -f "$STATE/munged.ours"
fi
[ "$(readlink /etc/slurm/slurm.conf)" = "$STATE/slurm.conf" ] && rm -f /etc/slurm/slurm.conf
exit 0

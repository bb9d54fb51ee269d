#!/usr/bin/env bash
# Stop the daemons started by start_slurm.sh (by their pid files; munged is left running).
STATE=${SLURM_STATE:-/tmp/seisclass-slurm}
for daemon in slurmd slurmctld; do
  [ -f "$STATE/$daemon.pid" ] && kill "$(cat "$STATE/$daemon.pid")" 2>/dev/null
done
[ "$(readlink /etc/slurm/slurm.conf)" = "$STATE/slurm.conf" ] && rm -f /etc/slurm/slurm.conf
exit 0

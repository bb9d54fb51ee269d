#!/usr/bin/env bash
# Start a single-node SLURM cluster (munge + slurmctld + slurmd) for the opt-in SLURM test.
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge) and root.
# Everything lives in $SLURM_STATE (default /tmp/seisclass-slurm); the configuration is
# $SLURM_STATE/slurm.conf, linked from /etc/slurm/slurm.conf (where srun inside the jobs looks;
# an existing real configuration there is never replaced: the script stops instead).
# Stop with tests/slurm/stop_slurm.sh. Starting again first stops what a previous start left.
set -euo pipefail

STATE=${SLURM_STATE:-/tmp/seisclass-slurm}
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
for tool in munged munge unmunge slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "start_slurm.sh: $tool not found; apt-get install slurm-wlm munge" >&2; exit 2; }
done
SLURM_STATE=$STATE "$(dirname "$0")/stop_slurm.sh"
mkdir -p "$STATE"/{spool,state,log} /run/munge /var/log/munge /var/lib/munge
chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge 2>/dev/null || true
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chmod 400 /etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; }

cat > "$STATE/slurm.conf" <<CONF
ClusterName=seisclass
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# squeue must still list finished jobs when Snakemake asks for their state
MinJobAge=600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmdSpoolDir=$STATE/spool
StateSaveLocation=$STATE/state
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
if [ -e /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" != "$STATE/slurm.conf" ]; then
  echo "start_slurm.sh: /etc/slurm/slurm.conf exists and is not ours; not touching a real cluster" >&2
  exit 2
fi
mkdir -p /etc/slurm
ln -sfn "$STATE/slurm.conf" /etc/slurm/slurm.conf
export SLURM_CONF="$STATE/slurm.conf"

if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- munged
  touch "$STATE/munged.ours"  # stop_slurm.sh stops munged only if it was started here
fi
for _ in $(seq 20); do  # slurmctld needs munge answering
  munge -n </dev/null | unmunge >/dev/null 2>&1 && break
  sleep 0.5
done
slurmctld -c -f "$SLURM_CONF"  # -c: no jobs or node states recovered from an earlier cluster
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "SLURM up ($SLURM_CONF)"
    exit 0
  fi
  sleep 1
done
echo "start_slurm.sh: the node did not become idle; see $STATE/log" >&2
sinfo >&2 || true
exit 1

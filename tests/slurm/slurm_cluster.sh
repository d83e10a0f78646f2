#!/usr/bin/env bash
# A throw-away one-node Slurm cluster for mergeflow's tests, as Debian
# packages it (munge, slurmctld, slurmd; Slurm 22.05 with the pmix and pmi2
# MPI plugins): its own munge key and socket, a generated slurm.conf with
# free ports on 127.0.0.1, one node "localhost" declaring 8 CPUs (so that
# several tasks fit on a small machine), every file in DIR. Run as root.
#
#   tests/slurm/slurm_cluster.sh start DIR   starts it with its files in DIR
#                                            (made fresh); prints the path of
#                                            its slurm.conf: export it as
#                                            SLURM_CONF for srun and sbatch
#   tests/slurm/slurm_cluster.sh stop DIR    stops it and removes DIR
set -euo pipefail

command=${1:?usage: slurm_cluster.sh start|stop DIR}
dir=${2:?usage: slurm_cluster.sh start|stop DIR}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
  local pid
  for daemon in slurmd slurmctld munged; do
    [[ -f "$dir/$daemon.pid" ]] || continue
    pid=$(cat "$dir/$daemon.pid")
    kill "$pid" 2> /dev/null || continue
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$dir"
}

if [[ "$command" == stop ]]; then
  stop
  exit 0
fi
[[ "$command" == start ]] || { echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2; }

rm -rf "$dir"
mkdir -p "$dir"/{state,spool}
dir=$(cd "$dir" && pwd)
head -c 1024 /dev/urandom > "$dir/munge.key"
chmod 400 "$dir/munge.key"
# --force: munged checks that nobody else may write its directories, which a
# temporary directory under /tmp (sticky, world-writable) fails.
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.sock" --log-file="$dir/munged.log" \
  --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed"

cat > "$dir/slurm.conf" << EOF
ClusterName=mergeflow-test
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# No cgroups: processes are tracked through /proc, tasks are not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# The node may declare more CPUs than the machine has.
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF=$dir/slurm.conf
failed() {
  echo "slurm_cluster.sh: $1; logs in $dir" >&2
  tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  exit 1
}
# -i: no state to recover from.
slurmctld -i || failed "slurmctld did not start"
slurmd || failed "slurmd did not start"
for _ in $(seq 1 300); do
  sinfo --noheader --states=idle 2> /dev/null | grep -q idle && break
  sleep 0.1
done
sinfo --noheader --states=idle 2> /dev/null | grep -q idle || failed "the node did not come up"
echo "$SLURM_CONF"

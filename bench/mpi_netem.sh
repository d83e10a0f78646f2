#!/usr/bin/env bash
# The distributed join across three hosts whose network is shaped: three
# network namespaces on a bridge (as MpiTest.RanksInSeparateNetworkNamespaces
# builds them), mpirun reaching each through an rsh agent, Open MPI on TCP
# only. Each round runs the same 3-rank join over the plain bridge and with
# `tc netem` on every host's link, both ways (RATE and DELAY); prints, per
# network, the median seconds, the mean shuffle seconds per rank, and the
# shuffle's rate (bytes each rank sent and received over its shuffle
# seconds), and what one plain TCP stream carries between two hosts over
# the same network (the link's own rate, for comparison). Needs root,
# iproute2 (tc), Open MPI, python3, build/mergeflow.
#   bench/mpi_netem.sh [ROWS [RATE [DELAY [ROUNDS]]]]   (10000000 1gbit 0.5ms 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
rate=${2:-1gbit}
delay=${3:-0.5ms}
rounds=${4:-3}
mergeflow=$PWD/build/mergeflow
work=$(mktemp -d "${TMPDIR:-/tmp}/mergeflow-netem-XXXXXX")
ns=mfb$$
n=$(($$ % 250))
while ip -br addr | grep -q " 10\.214\.$n\."; do n=$(((n + 1) % 250)); done
net=10.214.$n
cleanup() {
  for i in 2 3 4; do ip netns del "$ns-$i" 2> /dev/null || true; done
  ip link del "${ns}br" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

ip link add "${ns}br" type bridge
ip addr add "$net.1/24" dev "${ns}br"
ip link set "${ns}br" up
for i in 2 3 4; do
  ip netns add "$ns-$i"
  ip link add "${ns}v$i" type veth peer name eth0 netns "$ns-$i"
  ip link set "${ns}v$i" master "${ns}br" up
  ip netns exec "$ns-$i" ip addr add "$net.$i/24" dev eth0
  ip netns exec "$ns-$i" ip link set eth0 up
  ip netns exec "$ns-$i" ip link set lo up
  echo "$net.$i slots=1" >> "$work/hosts"
  mkdir "$work/tmp-$i"
done
mkdir "$work/tmp-1"
printf '#!/bin/sh\nhost=$1; shift\nexec ip netns exec %s-${host##*.} env TMPDIR=%s/tmp-${host##*.} /bin/sh -c "$*"\n' \
  "$ns" "$work" > "$work/rsh"
chmod +x "$work/rsh"

# The shaping on both ends of every host's link (what leaves the bridge
# toward a host and what leaves the host): netem's rate and delay, or, on a
# kernel without sch_netem, tbf's rate alone (no delay).
qdisc=(netem rate "$rate" delay "$delay")
probe=${ns}p
ip link add "$probe" type veth peer name "${probe}b"
if ! tc qdisc add dev "$probe" root "${qdisc[@]}" 2> /dev/null; then
  qdisc=(tbf rate "$rate" burst 256kb latency 50ms)
  echo "(this kernel has no netem qdisc: shaping the rate with tbf, without delay)"
fi
ip link del "$probe"
shape() {
  local action=$1 i
  for i in 2 3 4; do
    if [[ $action == on ]]; then
      tc qdisc add dev "${ns}v$i" root "${qdisc[@]}"
      ip netns exec "$ns-$i" tc qdisc add dev eth0 root "${qdisc[@]}"
    else
      tc qdisc del dev "${ns}v$i" root 2> /dev/null || true
      ip netns exec "$ns-$i" tc qdisc del dev eth0 root 2> /dev/null || true
    fi
  done
}

build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 1 -o "$work/l.tsv"
build/mergeflow-gen --rows "$rows" --key-space $((rows * 2)) --seed 2 -o "$work/r.tsv"

run() {
  local start end
  rm -rf "$work/out"
  start=$(date +%s.%N)
  TMPDIR=$work/tmp-1 mpirun --hostfile "$work/hosts" -np 3 --mca plm_rsh_agent "$work/rsh" --mca btl tcp,self \
    --mca oob_tcp_if_include "$net.0/24" --mca btl_tcp_if_include "$net.0/24" \
    "$mergeflow" join "$work/l.tsv" "$work/r.tsv" -q -o "$work/out" --threads 1 --temp-dir "$work" \
    > "$work/mpirun.log" 2>&1 || { cat "$work/mpirun.log" >&2; exit 1; }
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work/out/_SUCCESS" "$start" "$end" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))["distributed"]["per_rank"]
moved = sum(r["sent_bytes"] + r["received_bytes"] for r in d) / len(d)
shuffle = sum(r["shuffle_seconds"] for r in d) / len(d)
print(f"{float(sys.argv[3]) - float(sys.argv[2]):.2f} {shuffle:.2f} {moved / 1048576:.0f}")
PY
}

# MiB/s of one TCP stream from host 2 to host 3 carrying 256 MiB.
tcp_rate() {
  ip netns exec "$ns-3" /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5999)); s.listen(1); c, _ = s.accept()
while c.recv(1 << 20): pass' &
  local server=$!
  sleep 0.5
  ip netns exec "$ns-2" /usr/bin/python3 -c '
import socket, sys, time
c = socket.create_connection((sys.argv[1], 5999)); block = bytes(1 << 20)
start = time.monotonic()
for _ in range(256): c.sendall(block)
c.shutdown(socket.SHUT_WR); c.recv(1)
print(f"{256 / (time.monotonic() - start):.0f}")' "$net.3"
  wait "$server"
}

declare -A results tcp
for ((round = 1; round <= rounds; round++)); do
  for network in bridge netem; do
    [[ $network == netem ]] && shape on
    results[$network]+="$(run)"$'\n'
    tcp[$network]+="$(tcp_rate)"$'\n'
    [[ $network == netem ]] && shape off
  done
done

input=$(($(stat -c %s "$work/l.tsv") + $(stat -c %s "$work/r.tsv")))
echo "### 3 ranks (1 thread each), $rows x $rows rows, $((input / 1048576)) MiB of input, $(nproc) cores; medians of $rounds rounds"
echo
echo "| network | seconds | shuffle seconds per rank | MiB each rank sent + received | shuffle MiB/s per rank | one TCP stream MiB/s |"
echo "|---|---:|---:|---:|---:|---:|"
for network in bridge netem; do
  label=$network
  [[ $network == netem ]] && label="${qdisc[*]:0:3}, each way"
  stream=$(printf '%s' "${tcp[$network]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  printf '%s' "${results[$network]}" | sort -n | awk -v label="$label" -v stream="$stream" '
    { t[NR] = $1; s[NR] = $2; m[NR] = $3 }
    END { i = int((NR + 1) / 2); printf "| %s | %.2f | %.2f | %d | %.0f | %s |\n", label, t[i], s[i], m[i], m[i] / s[i], stream }'
done

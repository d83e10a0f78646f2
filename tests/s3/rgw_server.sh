#!/usr/bin/env bash
# The S3-compatible server of mergeflow's tests: Ceph's RADOS Gateway
# (Debian's radosgw), on a throw-away one-node Ceph cluster (one monitor,
# one in-memory OSD) on 127.0.0.1, with authentication between the daemons
# off. It implements what the tests need from S3: SigV4 signatures checked
# for real, ranged GETs, listings, multipart uploads (and listing and
# aborting open ones), conditional writes (If-None-Match: * and If-Match),
# server-side encryption with KMS key "mergeflow-test-key".
#
#   tests/s3/rgw_server.sh start DIR   starts it with its files in DIR (made
#                                      fresh); prints the endpoint URL
#   tests/s3/rgw_server.sh stop DIR    stops it and removes DIR
#
# The user "mergeflow-test" holds every access key the tests sign with
# (the static test keys, and those the profile, instance-metadata and
# container-credential tests hand out).
set -euo pipefail

command=${1:?usage: rgw_server.sh start|stop DIR}
dir=${2:?usage: rgw_server.sh start|stop DIR}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
  for pid_file in "$dir"/run/*.pid; do
    [[ -f "$pid_file" ]] && kill "$(cat "$pid_file")" 2> /dev/null || true
  done
  # The daemons write their pid files late; stop any left by name and dir.
  pkill -f -- "--conf $dir/ceph.conf" 2> /dev/null || true
  for _ in $(seq 1 100); do
    pgrep -f -- "--conf $dir/ceph.conf" > /dev/null || break
    sleep 0.1
  done
  rm -rf "$dir"
}

if [[ "$command" == stop ]]; then
  stop
  exit 0
fi
[[ "$command" == start ]] || { echo "usage: rgw_server.sh start|stop DIR" >&2; exit 2; }

rm -rf "$dir"
mkdir -p "$dir"/{run,log,mon/mon.a,osd/osd.0}
mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(cat /proc/sys/kernel/random/uuid)
conf="$dir/ceph.conf"
cat > "$conf" << EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
# The OSD is placed in the CRUSH map below, not by itself at start (which
# races with its first monitor map).
osd crush update on start = false
osd class update on start = false
osd objectstore = memstore
memstore device bytes = 17179869184
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
mon data = $dir/mon/\$name
osd data = $dir/osd/\$name
[client.rgw]
# Without Nagle: the gateway writes a response's header and body apart, and
# the body would wait for the delayed acknowledgement of the header (40 ms).
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/rgw
# SSE-KMS with RGW's built-in test key store, over plain HTTP on loopback.
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = mergeflow-test-key=$(head -c 32 /dev/urandom | base64)
EOF

fail() {
  echo "rgw_server.sh: $1 (logs in $dir/log)" >&2
  tail -n 20 "$dir"/log/*.log >&2 2> /dev/null || true
  exit 1
}

monmaptool --create --fsid "$fsid" --addv a "v1:127.0.0.1:$mon_port" "$dir/monmap" > /dev/null
ceph-mon --conf "$conf" --mkfs -i a --monmap "$dir/monmap" 2> "$dir/log/mkfs-mon.err" || fail "ceph-mon --mkfs failed"
ceph-mon --conf "$conf" -i a || fail "ceph-mon did not start"
osd_id=$(timeout 60 ceph --conf "$conf" osd create) || fail "the monitor did not answer"
timeout 60 ceph --conf "$conf" osd crush add "osd.$osd_id" 1.0 root=default 2> /dev/null ||
  fail "cannot place the OSD"
ceph-osd --conf "$conf" -i "$osd_id" --mkfs 2> "$dir/log/mkfs-osd.err" || fail "ceph-osd --mkfs failed"
ceph-osd --conf "$conf" -i "$osd_id" 2> "$dir/log/osd.err" || fail "ceph-osd did not start"
radosgw --conf "$conf" -n client.rgw || fail "radosgw did not start"

endpoint="http://127.0.0.1:$rgw_port"
for _ in $(seq 1 240); do
  curl -s -o /dev/null "$endpoint/" && break
  sleep 0.5
done
curl -s -o /dev/null "$endpoint/" || fail "radosgw did not answer on $endpoint"

radosgw-admin --conf "$conf" user create --uid=mergeflow-test --display-name=mergeflow-test \
  --access-key=mergeflow-test --secret-key=test-secret-never-printed > /dev/null
for key in AKIABATCHPROFILE:profile-secret-xyz ASIAFROMINSTANCEROLE:instance-secret-never-printed \
  ASIAFROMPODIDENTITY:pod-secret-never-printed AKIADEFAULT:s1; do
  radosgw-admin --conf "$conf" key create --uid=mergeflow-test --key-type=s3 \
    --access-key="${key%%:*}" --secret-key="${key#*:}" > /dev/null
done
echo "$endpoint"

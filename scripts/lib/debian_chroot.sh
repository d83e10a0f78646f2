# A bare Debian 12 in a folder, for the scripts that prove something on a
# new machine (fresh-machine-test.sh, arm64-check.sh). Source it, then:
#   chroot_create WORK_DIR   debootstraps a minimal bookworm (with git) into
#                            WORK_DIR/root from the mirror this machine's apt
#                            uses, mounts /proc, this machine's /sys and /dev,
#                            tmpfs /run
#                            and /dev/shm, copies the apt sources and clones
#                            this repository's committed HEAD to
#                            /root/mergeflow; removes it all on exit unless
#                            chroot_keep=1
#   in_chroot COMMAND        runs COMMAND with bash in /root/mergeflow, with
#                            a clean environment
# Needs root and debootstrap (installed if missing). Sets chroot_root.

chroot_root=
chroot_keep=${chroot_keep:-0}
chroot_mounted=()

chroot_cleanup() {
  local i pid
  # Processes left inside (the S3 server; the tests, when the run was
  # killed) would keep files open: stop them first, while their root still
  # reads as the chroot's (after a lazy unmount it no longer does).
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ "$(readlink "/proc/$pid/root" 2> /dev/null)" == "$chroot_root" ]] && kill -9 "$pid" 2> /dev/null || true
  done
  for ((i = ${#chroot_mounted[@]} - 1; i >= 0; i--)); do umount -l "${chroot_mounted[i]}" 2> /dev/null || true; done
  # Never remove files through a mount that is still there (this machine's
  # /dev and /sys are bound into the root).
  if grep -q " $chroot_root[/ ]" /proc/mounts; then
    echo "mounts remain under $chroot_root; not removing $chroot_work" >&2
  elif ((chroot_keep == 0)); then
    rm -rf "$chroot_work"
  else
    echo "kept $chroot_work"
  fi
}

chroot_create() {
  chroot_work=$1
  chroot_root=$chroot_work/root
  local repo mirror fs
  repo=$(git rev-parse --show-toplevel)
  mkdir -p "$chroot_work"
  [[ $(id -u) -eq 0 ]] || { echo "run as root (debootstrap and chroot)" >&2; exit 2; }
  command -v debootstrap > /dev/null || apt-get install -y -qq debootstrap > /dev/null
  trap chroot_cleanup EXIT
  # The Debian mirror this machine's apt already reaches.
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2> /dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "== debootstrap bookworm (minbase + git) from $mirror"
  debootstrap --variant=minbase --include=git,ca-certificates bookworm "$chroot_root" "$mirror" \
    > "$chroot_work/debootstrap.log" 2>&1 || { tail -n 20 "$chroot_work/debootstrap.log" >&2; exit 1; }
  # The new root is a mount point of its own (as on a real machine), so that
  # `ip netns add` can make its mounts private there (the MPI tests' hosts).
  mount --bind "$chroot_root" "$chroot_root"
  chroot_mounted+=("$chroot_root")
  for fs in proc sys dev dev/pts dev/shm run; do
    mkdir -p "$chroot_root/$fs"
    case $fs in
      proc) mount -t proc proc "$chroot_root/proc" ;;
      # With the cgroup file systems mounted under it, as on this machine
      # (Slurm's slurmd needs them).
      sys) mount --rbind /sys "$chroot_root/sys" ;;
      dev/shm | run) mount -t tmpfs tmpfs "$chroot_root/$fs" ;;
      *) mount --bind "/$fs" "$chroot_root/$fs" ;;
    esac
    chroot_mounted+=("$chroot_root/$fs")
  done
  # Names as this machine resolves them (debootstrap writes no /etc/hosts,
  # which every installed machine has: localhost and its own name).
  cp /etc/resolv.conf "$chroot_root/etc/resolv.conf"
  cp /etc/hosts "$chroot_root/etc/hosts"
  # The certificate authorities this machine's network needs beyond
  # Debian's (a TLS-inspecting gateway's, as on CI's machines), so that npm
  # reaches its registry as it does here: ca-certificates adds them to the
  # system's bundle when it is installed (or now, if it already is).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
    mkdir -p "$chroot_root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$chroot_root/usr/local/share/ca-certificates/"
    if [[ -x "$chroot_root/usr/sbin/update-ca-certificates" ]]; then
      chroot "$chroot_root" /usr/sbin/update-ca-certificates > /dev/null 2>&1 || true
    fi
  fi
  # And how npm is told to use that bundle here, if it is.
  [[ -f /etc/npmrc ]] && cp /etc/npmrc "$chroot_root/etc/npmrc"
  # The same archive sections as this machine (security updates included).
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$chroot_root/etc/apt/sources.list.d/"
    rm -f "$chroot_root/etc/apt/sources.list"
  fi
  git clone -q "file://$repo" "$chroot_root/root/mergeflow"
  echo "== cloned $(git -C "$repo" rev-parse --short HEAD) into the new machine"
}

in_chroot() {
  chroot "$chroot_root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb CI="${CI:-}" bash -c "cd /root/mergeflow && $1"
}

#!/usr/bin/env bash
# Stops everything up.sh started, in order: CoreDNS, pods, kubelet, kube-proxy (and its rules),
# kube-router (and its rules and ipsets), the metadata address,
# containers, containerd (and what its shims and gVisor's sandboxes leave), scheduler,
# controller-manager, apiserver, etcd; then unmounts what the kubelet, containerd and runsc mounted.
# Keeps certs, etcd data, the image store and the build cache so the next up.sh is warm;
# `down.sh --purge` removes $RIG_STATE as well (the build cache in $RIG_CACHE always stays).
# Safe to run when nothing is up.
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.sh
[[ $EUID -eq 0 ]] || { echo "down.sh must run as root" >&2; exit 1; }
PURGE=false
[[ "${1:-}" == "--purge" ]] && PURGE=true
CTR=(ctr --address "$CONTAINERD_SOCK" -n k8s.io)

# stop NAME: TERM the daemon recorded in $RIG_RUN/NAME.pid, KILL it after 20s
stop() {
  local name=$1 pid
  if ! pid_alive "$name"; then rm -f "$RIG_RUN/$name.pid"; return; fi
  pid="$(cat "$RIG_RUN/$name.pid")"
  kill -TERM "$pid"
  local i
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop on TERM; killing"; kill -KILL "$pid"; fi
  rm -f "$RIG_RUN/$name.pid"
  log "stopped $name (pid $pid)"
}

delete_pods() {
  pid_alive kube-apiserver && pid_alive kubelet || return 0
  log "deleting all pods"
  kc delete pods --all --all-namespaces --grace-period=5 --wait=true --timeout=60s >/dev/null 2>&1 \
    || kc delete pods --all --all-namespaces --grace-period=0 --force >/dev/null 2>&1 || true
  # let the kubelet tear down the pod sandboxes (CNI DEL, unmounts) before it goes
  local i
  for ((i = 0; i < 60; i++)); do
    [[ -z "$("${CTR[@]}" tasks ls -q 2>/dev/null)" ]] && break
    sleep 0.5
  done
}

# kill_containers: whatever the kubelet left running in the rig's containerd
kill_containers() {
  pid_alive containerd || return 0
  local t
  for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
    "${CTR[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
  done
  sleep 1
  for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
    "${CTR[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true
  done
}

# kill_shims: shims of the rig's containerd (runc's and gVisor's) outlive it by design; end them
# by pid
kill_shims() {
  local pid
  for pid in $(pgrep -f "containerd-shim-(runc-v2|runsc-v1) .*-address $CONTAINERD_SOCK" || true); do
    kill -KILL "$pid" 2>/dev/null || true
    log "killed leftover shim pid $pid"
  done
}

# remove_kube_router_rules: what kube-router's firewall left in iptables and ipset. Its own
# `--cleanup-config` panics on a kernel without IPVS (it probes IPVS first), so the rules go here:
# the jumps from the built-in chains, then its chains, then its sets.
remove_kube_router_rules() {
  command -v iptables >/dev/null || return 0
  local rule chain set
  while read -r rule; do
    eval "iptables ${rule/#-A/-D}" 2>/dev/null || true
  done < <(iptables -S 2>/dev/null | grep -E '^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-ROUTER-' || true)
  local chains
  chains="$(iptables -S 2>/dev/null | awk '/^-N (KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-)/{print $2}')"
  for chain in $chains; do iptables -F "$chain" 2>/dev/null || true; done
  for chain in $chains; do iptables -X "$chain" 2>/dev/null || true; done
  if command -v ipset >/dev/null; then
    for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-SRC-|KUBE-DST-|kube-router-)' || true); do
      ipset destroy "$set" 2>/dev/null || log "could not destroy ipset $set"
    done
  fi
}

# kill_sandboxes: a gVisor sandbox (processes runsc-sandbox and runsc-gofer) outlives its killed
# shim. `runsc delete --force` ends it and removes its cgroups and state; a process runsc no
# longer knows of but started under the rig's runsc root is killed by pid.
kill_sandboxes() {
  local root id pid
  if [[ -x "$RIG_BIN/runsc" ]]; then
    # one runsc root per containerd namespace (k8s.io for the kubelet's pods)
    for root in "$RUNSC_ROOT"/*/; do
      [[ -d "$root" ]] || continue
      for id in $("$RIG_BIN/runsc" --root "${root%/}" list -quiet 2>/dev/null || true); do
        "$RIG_BIN/runsc" --root "${root%/}" delete --force "$id" >/dev/null 2>&1 || true
        log "deleted leftover gVisor container $id"
      done
    done
  fi
  for pid in $(pgrep -f "^runsc-(sandbox|gofer) .*--root=$RUNSC_ROOT/" || true); do
    kill -KILL "$pid" 2>/dev/null || true
    log "killed leftover gVisor process pid $pid"
  done
}

unmount_under() {
  local prefix=$1 m
  [[ -d "$prefix" ]] || return 0
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done < <(findmnt -rn -o TARGET | grep -F "$prefix" | sort -r)
}

stop pv-recycler
stop coredns
delete_pods
stop kubelet
stop kube-proxy
# the Service rules kube-proxy wrote into iptables
[[ -x "$RIG_BIN/kube-proxy" ]] && "$RIG_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
stop kube-router
remove_kube_router_rules
ip addr del "$RIG_METADATA_IP/32" dev lo 2>/dev/null || true
kill_containers
stop containerd
kill_shims
kill_sandboxes
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd

unmount_under "$RIG_STATE/kubelet"
unmount_under "$RIG_STATE/containerd"
# containers' rootfs, and runsc's pinned empty network namespace ($RUNSC_ROOT/*/null-netns)
unmount_under "$(dirname "$CONTAINERD_SOCK")"
# network namespaces of pod sandboxes the kubelet did not get to tear down (only when no other
# containerd runs, since their names do not tell which containerd made them)
for ns in /run/netns/cni-*; do
  pgrep -x containerd >/dev/null && break
  [[ -e "$ns" ]] || continue
  umount "$ns" 2>/dev/null || true
  rm -f "$ns"
done
ip link delete rig0 2>/dev/null || true

if $PURGE; then
  # never follow a mount left behind (a hostPath bind, say) into the host's files
  mounts="$(findmnt -rn -o TARGET)"
  if grep -qF -e "$RIG_STATE" -e "$(dirname "$CONTAINERD_SOCK")" <<<"$mounts"; then
    log "mounts remain under $RIG_STATE; not purging"; exit 1
  fi
  rm -rf --one-file-system "$RIG_STATE" "$(dirname "$CONTAINERD_SOCK")"
  log "removed $RIG_STATE"
fi
log "rig is down"

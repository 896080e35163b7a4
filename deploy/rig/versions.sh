# shellcheck shell=bash
# shellcheck disable=SC2034  # every variable here is used by the scripts that source it
# Pinned versions for the rig. Sourced by build.sh, images.sh, up.sh and down.sh.
# One Kubernetes minor for every component; the staging modules carry the matching v0.Y.Z.
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.13}"
BUSYBOX_TAG="1.36"
# cluster DNS (a wrapper build with the kubernetes, forward, cache and hosts plugins; see build.sh)
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
# NetworkPolicy enforcement: kube-router's firewall controller alone (no BGP router, no service
# proxy), built with its golang.org/x dependencies raised to the newest served (see build.sh)
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-v2.1.0}"
# Helm, for the worker's chart (deploy/helm.sh)
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# The Temporal CLI (dev server with Web UI) is pinned by deploy/temporal-cli/go.mod.
# gVisor's runsc and its containerd shim, behind the RuntimeClass `gvisor` (see build.sh). The
# proxy serves gVisor's Go branch only as pseudo-versions (`@go` is refused); this is @latest's.
GVISOR_VERSION="${GVISOR_VERSION:-v0.0.0-20260905035102-160fafc42237}"

RIG_CACHE="${RIG_CACHE:-/var/cache/sandboxes-rig}"
RIG_BIN="$RIG_CACHE/bin"
RIG_SRC="$RIG_CACHE/src"
RIG_IMAGES="$RIG_CACHE/images"
# Runtime state (certs, etcd data, logs, pids) lives apart from the build cache so that
# down.sh can wipe it without losing the builds.
RIG_STATE="${RIG_STATE:-/var/lib/sandboxes-rig}"
RIG_LOGS="$RIG_STATE/logs"
RIG_RUN="$RIG_STATE/run"
RIG_KUBECONFIG="$RIG_STATE/admin.kubeconfig"
PKI="$RIG_STATE/pki"
# the sandbox worker's least-privilege ServiceAccount, made by the chart (install-worker.sh)
RIG_WORKER_KUBECONFIG="$RIG_STATE/worker.kubeconfig"

# Built locally from pause.c (see images.sh); named like the upstream image so that the kubelet
# and containerd agree on the sandbox image without a registry.
PAUSE_IMAGE="registry.k8s.io/pause:3.10.2"
BUSYBOX_IMAGE="docker.io/library/busybox:$BUSYBOX_TAG"
# Debian's python3 (3.11 on bookworm) in a debootstrap minbase root; `python:3.11-slim` in a pod
PYTHON_IMAGE="docker.io/library/python:3.11-slim"

log() { printf '[rig %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# install_debs PACKAGE...: apt-get installs those not installed yet (as root)
install_debs() {
  local missing=() p
  for p in "$@"; do
    [[ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" == *"ok installed"* ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# containerd of the rig: its own socket and state, so a system containerd is never touched.
CONTAINERD_SOCK="/run/sandboxes-rig/containerd/containerd.sock"
# runsc's state (its containers, and the empty network namespace it pins for its gofers) beside
# containerd's, so that down.sh finds what it leaves and --purge removes it
RUNSC_ROOT="$(dirname "$CONTAINERD_SOCK")/runsc"
NODE_NAME="sandboxes-rig"
APISERVER_PORT=6443
SERVICE_CIDR="10.96.0.0/16"
# the kube-dns Service's address (the kubelet's clusterDNS) and CoreDNS's port on the node: 53,
# as in a real cluster, because a NetworkPolicy matches the port after the Service's DNAT (a
# sandbox's "DNS on port 53" rule must admit the port CoreDNS really listens on)
CLUSTER_DNS="10.96.0.10"
COREDNS_PORT=53
# An address in the cloud metadata range (169.254.0.0/16), owned by the rig (on lo) so that the
# isolation tests have a real server there to be refused by. Not 169.254.169.254 itself: on a
# cloud machine that would take the host's own metadata server (its credentials, maybe its DNS)
# away until down.sh.
RIG_METADATA_IP="169.254.42.42"
# off: no NetworkPolicy enforcement (kube-router is not started), to show that the isolation
# tests fail without it
RIG_NETWORK_POLICY="${RIG_NETWORK_POLICY:-on}"
POD_SUBNET="10.88.0.0/16"
# Names the rig's DNS serves on the node's address (CoreDNS's hosts plugin, zone
# $RIG_TEST_DOMAIN only), for the egress proxy's e2e tests: a name to allow, one to leave off the
# list, and one to reach through a wildcard (*.wild.rig.test)
RIG_TEST_DOMAIN="rig.test"
RIG_TEST_HOSTS="allowed.$RIG_TEST_DOMAIN other.$RIG_TEST_DOMAIN api.wild.$RIG_TEST_DOMAIN"
# hostPath PVs of the default StorageClass, emptied and made Available again by pv-recycler.sh
# once their claim is deleted: enough for the e2e suites' concurrent volumes
RIG_PV_COUNT="${RIG_PV_COUNT:-12}"

# the rig's kubectl, built for the same version as the cluster
kc() { "$RIG_BIN/kubectl" --kubeconfig "$RIG_KUBECONFIG" "$@"; }

# pid_alive NAME: the daemon NAME recorded in $RIG_RUN is running
pid_alive() {
  local pid
  pid="$(cat "$RIG_RUN/$1.pid" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # a stale pid file may name a pid reused by something else: the command must be NAME
  local argv0
  IFS= read -r -d '' argv0 < "/proc/$pid/cmdline" || true
  [[ "$(basename "$argv0")" == "$1" ]]
}

# kubeconfig FILE USER [TOKEN]: a kubeconfig for the rig's apiserver, authenticating USER by
# its client certificate, or by TOKEN (a ServiceAccount token) when one is given
kubeconfig() {
  local file=$1 user=$2 token=${3:-} credentials namespace=""
  if [[ -n "$token" ]]; then
    credentials="    token: $token"
    namespace=" namespace: sandboxes,"
  else
    credentials="    client-certificate: $PKI/$user.crt
    client-key: $PKI/$user.key"
  fi
  (umask 077; cat > "$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: sandboxes-rig
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
$credentials
contexts:
- name: sandboxes-rig
  context: {cluster: sandboxes-rig,$namespace user: $user}
current-context: sandboxes-rig
KC
  )
}

# node_ip: the node's address (the default route's interface), which pods reach the host by
node_ip() {
  local dev
  dev="$(ip -4 route show default | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}')"
  if [[ -n "$dev" ]]; then
    ip -4 -o addr show dev "$dev" | awk '{split($4,a,"/"); print a[1]; exit}'
  else
    echo 127.0.0.1
  fi
}

#!/usr/bin/env bash
# Brings up a single-node Kubernetes on this machine (root, no Docker engine):
#   etcd, kube-apiserver (RBAC + Node authorization), kube-controller-manager, kube-scheduler,
#   containerd (Debian) with runc and the bridge CNI plugin, and gVisor's runsc behind the
#   RuntimeClass `gvisor`; kubelet;
#   Service routing and cluster DNS: kube-proxy (iptables mode) and CoreDNS (cluster.local,
#   forwarding the rest to the host's resolver), both as host daemons, CoreDNS behind the
#   kube-dns Service at $CLUSTER_DNS;
#   NetworkPolicy enforcement: kube-router's firewall controller alone, on the host (iptables
#   and ipsets; RIG_NETWORK_POLICY=off leaves it out); the cloud metadata address on lo;
#   then a default no-provisioner StorageClass and hostPath PVs, and pv-recycler.sh, which empties
#   a PV and makes it Available again when its claim is deleted.
# The worker (its namespaces, identity and Deployment) is installed by install-worker.sh.
# Idempotent: a daemon already running is left alone, existing certs and objects are kept.
# Needs the binaries from build.sh (it runs it; a warm cache makes that a no-op).
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.sh
[[ $EUID -eq 0 ]] || { echo "up.sh must run as root" >&2; exit 1; }
t_start=$SECONDS

CNI_CONF_DIR="$RIG_STATE/cni/net.d"
KUBELET_DIR="$RIG_STATE/kubelet"
mkdir -p "$RIG_LOGS" "$RIG_RUN" "$PKI" "$CNI_CONF_DIR" "$KUBELET_DIR" "$RIG_STATE/pv"

# --- packages -----------------------------------------------------------------------------
DEB_PACKAGES=(containerd runc containernetworking-plugins iptables busybox-static conntrack
              socat ethtool kmod openssl curl gcc libc6-dev iproute2 util-linux debootstrap ipset)
# --- host preparation ---------------------------------------------------------------------
prepare_host() {
  # the kubelet needs shared mount propagation for volume mounts
  mount --make-rshared /
  modprobe br_netfilter 2>/dev/null || true
  modprobe overlay 2>/dev/null || true
  sysctl -qw net.ipv4.ip_forward=1
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
  true
}

# --- certificates -------------------------------------------------------------------------
# cert NAME CN ORG [SAN]: a client/server cert signed by the rig CA, kept if it exists
cert() {
  local name=$1 cn=$2 org=$3 san=${4:-}
  [[ -f "$PKI/$name.crt" ]] && return
  local ext; ext="$(mktemp)"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } > "$ext"
  local subj="/CN=$cn"; [[ -n "$org" ]] && subj="/O=$org/CN=$cn"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

make_pki() {
  local ip=$1
  if [[ ! -f "$PKI/ca.crt" ]]; then
    log "generating CA and certificates in $PKI"
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=sandboxes-rig-ca" -days 3650 -sha256 \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  local svc_ip; svc_ip="${SERVICE_CIDR%.*/*}.1"
  cert apiserver kube-apiserver "" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$ip,IP:$svc_ip"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin rig-admin system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  cert kubelet-client "system:node:$NODE_NAME" system:nodes
  cert kubelet "$NODE_NAME" "" "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$ip"
  # bound to the built-in ClusterRole system:node-proxier
  cert kube-proxy system:kube-proxy ""
  # bound to rig:coredns below (read Services, EndpointSlices, Namespaces)
  cert coredns rig-coredns ""
  # bound to rig:kube-router below (read Pods, Namespaces, Nodes, NetworkPolicies)
  cert kube-router rig-kube-router ""
  if [[ ! -f "$PKI/sa.key" ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  chmod 600 "$PKI"/*.key
}

# --- daemons ------------------------------------------------------------------------------
# start NAME CMD...: runs CMD in its own session, logs to $RIG_LOGS/NAME.log, unless running
start() {
  local name=$1; shift
  if pid_alive "$name"; then log "$name already running (pid $(cat "$RIG_RUN/$name.pid"))"; return; fi
  setsid nohup "$@" >>"$RIG_LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RIG_RUN/$name.pid"
  log "started $name (pid $!)"
}

# wait_for WHAT SECONDS CMD...: retries CMD until it succeeds
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${secs}s waiting for $what; see $RIG_LOGS"; exit 1
    fi
    sleep 0.5
  done
  log "$what is ready"
}

start_etcd() {
  start etcd "$RIG_BIN/etcd" --name rig --data-dir "$RIG_STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster rig=http://127.0.0.1:2380 \
    --listen-metrics-urls http://127.0.0.1:2381 --quota-backend-bytes 2147483648
  wait_for etcd 60 curl -fsS http://127.0.0.1:2381/health
}

start_control_plane() {
  local ip=$1
  start kube-apiserver "$RIG_BIN/kube-apiserver" \
    --advertise-address "$ip" --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" \
    --etcd-servers http://127.0.0.1:2379 \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false
  wait_for kube-apiserver 120 curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" \
    --key "$PKI/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz"

  start kube-controller-manager "$RIG_BIN/kube-controller-manager" \
    --kubeconfig "$RIG_STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$RIG_STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$RIG_STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --controllers '*' --profiling=false
  start kube-scheduler "$RIG_BIN/kube-scheduler" \
    --kubeconfig "$RIG_STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$RIG_STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$RIG_STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false
}

# capsh_has_sys_resource: this process holds CAP_SYS_RESOURCE (bit 24 of CapEff)
capsh_has_sys_resource() {
  local eff; eff="$(awk '/^CapEff/{print $2}' /proc/self/status)"
  (( (16#$eff >> 24) & 1 ))
}

write_containerd_config() {
  mkdir -p "$RIG_STATE/containerd" "$(dirname "$CONTAINERD_SOCK")"
  cat > "$RIG_STATE/containerd/config.toml" <<TOML
version = 2
root = "$RIG_STATE/containerd/root"
state = "$(dirname "$CONTAINERD_SOCK")/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # These machines drop CAP_SYS_RESOURCE, so runc may not lower oom_score_adj (pod sandboxes
  # ask for -998): "nsexec: failed to update /proc/self/oom_score_adj: Permission denied".
  # Clamp every container's oom_score_adj to containerd's own instead.
  restrict_oom_score_adj = $(capsh_has_sys_resource && echo false || echo true)
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$(dirname "$CONTAINERD_SOCK")/runc"
    # gVisor, for pods of the RuntimeClass gvisor: containerd runs containerd-shim-runsc-v1, found
    # on its PATH (start_containerd), which reads its options and runsc's flags from ConfigPath
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
      runtime_type = "io.containerd.runsc.v1"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
        TypeUrl = "io.containerd.runsc.v1.options"
        ConfigPath = "$RIG_STATE/containerd/runsc.toml"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_CONF_DIR"
TOML
  cat > "$RIG_STATE/containerd/runsc.toml" <<TOML
# the rig's build, whatever runsc may be on PATH
binary_name = "$RIG_BIN/runsc"
# instead of the shim's default /run/containerd/runsc: down.sh cleans up under the rig's own
root = "$RUNSC_ROOT"
[runsc_config]
  # No usable hardware virtualisation here: /dev/kvm opens, but under runsc's KVM platform the
  # sandbox boots and the application never runs. systrap (runsc's default, pinned so that a new
  # default cannot change it) intercepts system calls with seccomp and needs nothing else.
  platform = "systrap"
  # runsc's own logs, a file per command, when a sandbox misbehaves:
  # debug = "true"
  # debug-log = "$RIG_LOGS/runsc/"
TOML
  # pods talk to the apiserver and each other only; no masquerading to the outside
  cat > "$CNI_CONF_DIR/10-rig-bridge.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "rig",
  "plugins": [
    {
      "type": "bridge", "bridge": "rig0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$RIG_STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_SUBNET"}]], "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

start_containerd() {
  write_containerd_config
  # containerd looks its shims up on PATH: $RIG_BIN holds gVisor's (containerd-shim-runsc-v1).
  # Appended, so nothing there shadows a system tool; env execs containerd, so argv[0] stays
  # "containerd" for pid_alive.
  start containerd env PATH="$PATH:$RIG_BIN" containerd --config "$RIG_STATE/containerd/config.toml"
  wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version
}

write_kubelet_config() {
  local ip=$1
  cat > "$KUBELET_DIR/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
address: $ip
# cgroup v1 with containerd 1.6 (see shared REFERENCE.md)
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
# images are imported by hand and cannot be pulled again: never garbage-collect them
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
clusterDomain: cluster.local
clusterDNS: [$CLUSTER_DNS]
resolvConf: /etc/resolv.conf
maxPods: 110
YAML
}

start_kubelet() {
  local ip=$1
  write_kubelet_config "$ip"
  start kubelet "$RIG_BIN/kubelet" --config "$KUBELET_DIR/config.yaml" \
    --kubeconfig "$RIG_STATE/kubelet.kubeconfig" --root-dir "$KUBELET_DIR/root" \
    --hostname-override "$NODE_NAME" --node-ip "$ip" --v 1
}

# Service routing: kube-proxy in iptables mode, on the host like the kubelet. conntrack sizing
# is left to the host (these machines may refuse the sysctls).
start_kube_proxy() {
  cat > "$RIG_STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RIG_STATE/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_SUBNET
hostnameOverride: $NODE_NAME
bindAddress: $1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
  start kube-proxy "$RIG_BIN/kube-proxy" --config "$RIG_STATE/kube-proxy.yaml" --v 1
  wait_for kube-proxy 60 curl -fsS http://127.0.0.1:10256/healthz
}

# Cluster DNS: CoreDNS on the node's address, port $COREDNS_PORT; the kube-dns Service
# ($CLUSTER_DNS:53) reaches it through an EndpointSlice, like any selector-less Service.
start_coredns() {
  local ip=$1
  # port 53 on the node's address: a DNS server of the host's on every address would take it
  if ! pid_alive coredns && ss -Hlnu "sport = :$COREDNS_PORT" | grep -qE "(0\.0\.0\.0|\*|$ip):$COREDNS_PORT "; then
    log "something already listens on port $COREDNS_PORT of $ip (a local DNS server?): CoreDNS needs it; $(ss -Hlnup "sport = :$COREDNS_PORT" | head -1)"
    exit 1
  fi
  # hosts: the test names on the node's address, in their zone alone; /dev/null as its file,
  # since the default, /etc/hosts, would serve the host's own names to the cluster
  cat > "$RIG_STATE/Corefile" <<COREFILE
.:$COREDNS_PORT {
    bind $ip
    errors
    health 127.0.0.1:18080
    ready 127.0.0.1:18181
    hosts /dev/null $RIG_TEST_DOMAIN {
        $ip $RIG_TEST_HOSTS
        fallthrough
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $RIG_STATE/coredns.kubeconfig
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    forward . /etc/resolv.conf
    cache 30
    loadbalance
}
COREFILE
  start coredns "$RIG_BIN/coredns" -conf "$RIG_STATE/Corefile"
  wait_for coredns 60 curl -fsS http://127.0.0.1:18181/ready
}

# NetworkPolicy enforcement: kube-router with its firewall controller only (no BGP routing, no
# service proxy: the bridge CNI and kube-proxy do those), on the host like kube-proxy. Its
# metrics are off and its health port is loopback-only by the firewall's own node rules.
start_kube_router() {
  if [[ "$RIG_NETWORK_POLICY" == off ]]; then
    if pid_alive kube-router; then
      log "RIG_NETWORK_POLICY=off, but kube-router of an earlier up.sh still enforces policies: run down.sh first"
      exit 1
    fi
    log "RIG_NETWORK_POLICY=off: NetworkPolicies are NOT enforced on this rig"
    return
  fi
  start kube-router "$RIG_BIN/kube-router" --kubeconfig "$RIG_STATE/kube-router.kubeconfig" \
    --hostname-override "$NODE_NAME" --run-firewall=true --run-router=false \
    --run-service-proxy=false --enable-cni=false --service-cluster-ip-range "$SERVICE_CIDR" \
    --health-port 20244 --metrics-port 0 --v 1
  wait_for kube-router 60 curl -fsS http://127.0.0.1:20244/healthz
}

# The metadata address on lo (idempotent): a pod reaches it through the node, like a cloud node's
# link-local metadata server; the isolation tests serve HTTP on it
own_metadata_address() {
  ip -4 addr show dev lo | grep -qF " $RIG_METADATA_IP/32 " \
    || ip addr add "$RIG_METADATA_IP/32" dev lo
}

# --- cluster objects ----------------------------------------------------------------------
apply_objects() {
  local ip=$1
  {
    cat <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "rig:coredns"}
rules:
  - {apiGroups: [""], resources: [services, namespaces, pods], verbs: [list, watch]}
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "rig:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "rig:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: rig-coredns}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "rig:kube-router"}
rules:
  - {apiGroups: [""], resources: [pods, namespaces, nodes, services, endpoints], verbs: [get, list, watch]}
  - {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch]}
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "rig:kube-router"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "rig:kube-router"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: rig-kube-router}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $CLUSTER_DNS
  ports:
    - {name: dns, port: 53, protocol: UDP, targetPort: $COREDNS_PORT}
    - {name: dns-tcp, port: 53, protocol: TCP, targetPort: $COREDNS_PORT}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-node
  namespace: kube-system
  labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: sandboxes-rig}
addressType: IPv4
ports:
  - {name: dns, port: $COREDNS_PORT, protocol: UDP}
  - {name: dns-tcp, port: $COREDNS_PORT, protocol: TCP}
endpoints: [{addresses: [$ip], conditions: {ready: true}}]
---
# sandboxes under gVisor: runtimeClassName gvisor runs a pod with containerd's runtime runsc
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
---
YAML
    cat <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: rig-hostpath
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Delete
YAML
    local i modes
    for ((i = 1; i <= RIG_PV_COUNT; i++)); do
      mkdir -p "$RIG_STATE/pv/pv$i"
      # hostPath ignores fsGroup: the non-root sandboxes and volume helpers must be able to write
      chmod 0777 "$RIG_STATE/pv/pv$i"
      # ReadWriteOncePod may not be combined with other modes: the last PV carries it alone
      modes="[ReadWriteOnce, ReadWriteMany, ReadOnlyMany]"
      ((i == RIG_PV_COUNT)) && modes="[ReadWriteOncePod]"
      cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: rig-pv$i, labels: {sandboxes.dev/rig: "true"}}
spec:
  capacity: {storage: 5Gi}
  accessModes: $modes
  persistentVolumeReclaimPolicy: Retain
  storageClassName: rig-hostpath
  hostPath: {path: $RIG_STATE/pv/pv$i, type: DirectoryOrCreate}
YAML
    done
  } | kc apply -f - >/dev/null
  # pv-recycler (started below) empties released PVs while the rig runs; one released while it
  # was down is emptied and made Available again here
  local pv
  for pv in $(kc get pv -l sandboxes.dev/rig=true \
      -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}'); do
    find "$RIG_STATE/pv/${pv#rig-}" -mindepth 1 -delete
    kc patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
    log "recycled released PV $pv"
  done
  log "kube-dns Service, RuntimeClass gvisor, StorageClass rig-hostpath (default) and $RIG_PV_COUNT PVs are in place"
}

node_ready() {
  [[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

# --- main ---------------------------------------------------------------------------------
install_debs "${DEB_PACKAGES[@]}"
log "build.sh: reusing or building binaries (a cold build takes ~15 min; log in $RIG_LOGS/build.log)"
./build.sh >"$RIG_LOGS/build.log" 2>&1 || { log "build.sh failed; see $RIG_LOGS/build.log"; exit 1; }
prepare_host
IP="$(node_ip)"
make_pki "$IP"
kubeconfig "$RIG_KUBECONFIG" admin
kubeconfig "$RIG_STATE/controller-manager.kubeconfig" controller-manager
kubeconfig "$RIG_STATE/scheduler.kubeconfig" scheduler
kubeconfig "$RIG_STATE/kubelet.kubeconfig" kubelet-client
kubeconfig "$RIG_STATE/kube-proxy.kubeconfig" kube-proxy
kubeconfig "$RIG_STATE/coredns.kubeconfig" coredns
kubeconfig "$RIG_STATE/kube-router.kubeconfig" kube-router

start_etcd
start_control_plane "$IP"
start_containerd
./images.sh
start_kubelet "$IP"
# the node object may be left Ready from the last run: wait for this kubelet's own health first
wait_for "kubelet healthz" 120 curl -fsS http://127.0.0.1:10248/healthz
wait_for "node $NODE_NAME Ready" 180 node_ready
wait_for "default ServiceAccount" 60 kc -n default get serviceaccount default
start_kube_proxy "$IP"
apply_objects "$IP"
# before the first pod of a test: a pod started ahead of the firewall runs unconfined at first
start_kube_router
own_metadata_address
start_coredns "$IP"
# argv[0] "pv-recycler" is what pid_alive checks
start pv-recycler bash -c 'exec -a pv-recycler bash "$0"' "$PWD/pv-recycler.sh"

cat <<INFO

Sandboxes rig is up ($K8S_VERSION, etcd $ETCD_VERSION) in $((SECONDS - t_start))s
  kubeconfig : $RIG_KUBECONFIG (admin)
  DNS        : $CLUSTER_DNS (kube-dns, CoreDNS on $IP:$COREDNS_PORT); Services by kube-proxy
  policies   : NetworkPolicy enforcement $RIG_NETWORK_POLICY (kube-router $KUBE_ROUTER_VERSION, firewall only)
  apiserver  : https://127.0.0.1:$APISERVER_PORT (advertised as $IP)
  kubectl    : $RIG_BIN/kubectl --kubeconfig $RIG_KUBECONFIG get pods -A
  containerd : $CONTAINERD_SOCK (ctr --address $CONTAINERD_SOCK -n k8s.io images ls)
  runtimes   : runc (default); gVisor's runsc for runtimeClassName: gvisor
  images     : $PAUSE_IMAGE, $BUSYBOX_IMAGE, $PYTHON_IMAGE
  logs       : $RIG_LOGS/
  daemons    :
INFO
daemons=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns pv-recycler)
[[ "$RIG_NETWORK_POLICY" == off ]] || daemons+=(kube-router)
for name in "${daemons[@]}"; do
  printf '    %-24s pid %-8s log %s\n' "$name" "$(cat "$RIG_RUN/$name.pid")" "$RIG_LOGS/$name.log"
done

#!/usr/bin/env bash
# Installs the worker into the rig as a real cluster would run it: builds its image
# (deploy/image/build.sh) and the in-sandbox agent's (agent/build.sh --image) and imports them
# into the rig's containerd, puts the Temporal server that
# runs on this host behind a Service (temporal-frontend.temporal:7233), and installs the chart
# (deploy/helm/sandboxes-worker) with deploy/helm/rig-values.yaml into namespace sandboxes-system
# with the egress proxy on (its signing key a Secret made here once, the ranges it never dials the
# rig's own), waiting until every replica is ready (a rebuilt image under the same tag rolls the
# pods: they carry its digest as an annotation). Then writes $RIG_WORKER_KUBECONFIG, the chart's
# ServiceAccount's token, for the tests that run a worker of their own beside the cluster.
#
#   deploy/rig/install-worker.sh HOST:PORT [--tag IMAGE_TAG] [helm options...]
# HOST:PORT is the Temporal frontend as pods reach it (the node's address, not 127.0.0.1).
# Needs the rig up and the modules installed (mvn install -DskipTests).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=versions.sh
source "$root/deploy/rig/versions.sh"
# shellcheck source=archive.sh
source "$root/deploy/rig/archive.sh"
[[ $EUID -eq 0 ]] || { echo "install-worker.sh must run as root" >&2; exit 1; }
temporal="${1:?usage: install-worker.sh HOST:PORT [--tag IMAGE_TAG] [helm options...]}"; shift
tag=""
if [[ "${1:-}" == "--tag" ]]; then tag="${2:?--tag needs a value}"; shift 2; fi
RELEASE=sandboxes-worker
RELEASE_NS=sandboxes-system

# private_ipv4 ADDRESS: ADDRESS is in one of the ranges the egress proxy denies by default
# (10/8, 172.16/12, 192.168/16, 100.64/10), which its --allow-private-cidr alone may open
private_ipv4() {
  local a b
  IFS=. read -r a b _ _ <<<"$1"
  ((a == 10 || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168) || (a == 100 && b >= 64 && b < 128)))
}

helm="$("$root/deploy/helm.sh")"
t0=$SECONDS
if [[ -z "$tag" ]]; then
  tar="$("$root/deploy/image/build.sh")"
  tag="$(sed -n 's/^build.version=//p' "$root/worker/target/classes/META-INF/build-info.properties")"
else
  tar="$("$root/deploy/image/build.sh" --tag "sandboxes-worker:$tag")"
fi
import_image "docker.io/library/sandboxes-worker:$tag" "$tar"
# the in-sandbox agent's image (one static binary), under the project's version whatever the tag
version="$(sed -n 's/^build.version=//p' "$root/worker/target/classes/META-INF/build-info.properties")"
agent_tar="$("$root/agent/build.sh" --no-test --image)"
import_image "docker.io/library/sandboxes-agent:$version" "$agent_tar"

# the Temporal server on the host, as a selector-less Service
kc get namespace temporal >/dev/null 2>&1 || kc create namespace temporal >/dev/null
kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: temporal-frontend, namespace: temporal}
spec:
  ports: [{name: grpc, port: 7233, protocol: TCP, targetPort: ${temporal##*:}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: temporal-frontend-host
  namespace: temporal
  labels: {kubernetes.io/service-name: temporal-frontend, endpointslice.kubernetes.io/managed-by: sandboxes-rig}
addressType: IPv4
ports: [{name: grpc, port: ${temporal##*:}, protocol: TCP}]
endpoints: [{addresses: ["${temporal%:*}"], conditions: {ready: true}}]
YAML

# A rig whose etcd predates the chart holds the sandboxes namespace and the worker's RBAC made
# by hand: the namespace is handed to the release, the old RBAC objects go.
if [[ -n "$(kc get namespace sandboxes --ignore-not-found -o name)" \
      && -z "$(kc get namespace sandboxes -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}')" ]]; then
  kc -n sandboxes delete role,rolebinding,serviceaccount sandbox-worker --ignore-not-found >/dev/null
  kc label namespace sandboxes app.kubernetes.io/managed-by=Helm --overwrite >/dev/null
  kc annotate namespace sandboxes meta.helm.sh/release-name="$RELEASE" \
    meta.helm.sh/release-namespace="$RELEASE_NS" --overwrite >/dev/null
  log "namespace sandboxes (made before the chart) handed to release $RELEASE"
fi

# The egress proxy's signing key, made once: the worker and the proxy read it at start, so a new
# key on every install would strand the tokens of running sandboxes until both restarted.
EGRESS_KEY_SECRET=sandboxes-egress-proxy-key
kc get namespace "$RELEASE_NS" >/dev/null 2>&1 || kc create namespace "$RELEASE_NS" >/dev/null
if [[ -z "$(kc -n "$RELEASE_NS" get secret "$EGRESS_KEY_SECRET" --ignore-not-found -o name)" ]]; then
  kc -n "$RELEASE_NS" create secret generic "$EGRESS_KEY_SECRET" \
    --from-literal=key="$(head -c 32 /dev/urandom | base64)" >/dev/null
  log "egress proxy signing key: Secret $RELEASE_NS/$EGRESS_KEY_SECRET"
fi
# The proxy never dials the rig's pod and service ranges, nor private ranges; the node's address,
# where RIG_TEST_HOSTS point, is let through when it is a private one (it is on many clouds' VMs)
node="$(node_ip)"
# the rig's CoreDNS runs on the node, not in a pod: allow-listed sandboxes' DNS goes there alone
egress=(--set "sandboxes.clusterDns.pods=" --set "sandboxes.clusterDns.cidrs=$node/32"
        --set "sandboxes.egressProxy.existingSecret=$EGRESS_KEY_SECRET"
        --set "sandboxes.egressProxy.denyCidrs={$POD_SUBNET,$SERVICE_CIDR}")
if private_ipv4 "$node"; then
  egress+=(--set "sandboxes.egressProxy.allowPrivateCidrs={$node/32}")
fi

"$helm" upgrade --install "$RELEASE" "$root/deploy/helm/sandboxes-worker" \
  --kubeconfig "$RIG_KUBECONFIG" --namespace "$RELEASE_NS" --create-namespace \
  -f "$root/deploy/helm/rig-values.yaml" --set "image.tag=$tag" \
  --set "sandboxes.agent.image=sandboxes-agent:$version" "${egress[@]}" \
  --set-string "podAnnotations.rig\.sandboxes\.dev/image-sha256=$(sha256sum "$tar" | cut -d" " -f1)" \
  --set "networkPolicy.temporalPort=${temporal##*:}" --wait --timeout 5m "$@" >/dev/null \
  || { log "helm install failed; the worker pods:"; kc -n "$RELEASE_NS" get pods -o wide >&2 || true
       kc -n "$RELEASE_NS" logs -l app.kubernetes.io/instance="$RELEASE" --tail 30 >&2 || true; exit 1; }
log "worker $tag installed: $(kc -n "$RELEASE_NS" get deployment "$RELEASE" \
  -o jsonpath='{.status.readyReplicas}/{.spec.replicas}') replicas ready in $((SECONDS - t0))s"

# the chart's identity, for the workers the tests run beside the cluster (24 h token)
kubeconfig "$RIG_WORKER_KUBECONFIG" sandbox-worker \
  "$(kc -n "$RELEASE_NS" create token sandbox-worker --duration 24h)"
log "worker kubeconfig (ServiceAccount $RELEASE_NS/sandbox-worker): $RIG_WORKER_KUBECONFIG"

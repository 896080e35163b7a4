#!/usr/bin/env bash
# Proves the rig runs real containers: a busybox pod that echoes, then `kubectl logs` and
# `kubectl exec` (stdout, stderr, exit code) against it; a PVC that binds to a rig PV; cluster
# DNS and Service routing from inside the pod (the API server through its Service name); a pod of
# the RuntimeClass gvisor that runs on gVisor's kernel and reports its exit code.
# Run with the rig up (up.sh). Exits non-zero on the first thing that does not hold.
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.sh
NS=rig-smoke
POD="rig-smoke-$$"
GPOD="rig-smoke-gvisor-$$"
fail() { log "SMOKE FAILED: $*"; kc -n "$NS" describe pod "$POD" 2>/dev/null | tail -15 >&2 || true; exit 1; }
cleanup() { kc -n "$NS" delete "pod/$POD" "pod/$GPOD" "pvc/$POD" --ignore-not-found --timeout=60s >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ ! -f "$RIG_KUBECONFIG" ]] || ! kc get --raw /readyz >/dev/null 2>&1; then
  fail "the rig is not up (run up.sh)"
fi

kc get namespace "$NS" >/dev/null 2>&1 || kc create namespace "$NS" >/dev/null
t0=$(date +%s%N)
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: $POD}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: $POD}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:$BUSYBOX_TAG
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'echo hello from the rig; echo on-stderr >&2; echo kept > /data/f; sleep 3600']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: $POD}}]
YAML
kc -n "$NS" wait --for=condition=Ready "pod/$POD" --timeout=90s >/dev/null || fail "pod not Ready"
log "pod Ready $(( ($(date +%s%N) - t0) / 1000000 )) ms after create"

logs="$(kc -n "$NS" logs "$POD")"
[[ "$logs" == *"hello from the rig"* ]] || fail "logs: got '$logs'"
log "kubectl logs: $(tr '\n' ' ' <<<"$logs")"

set +e
out="$(kc -n "$NS" exec "$POD" -- sh -c 'cat /data/f; echo exec-stderr >&2; exit 7' 2>/tmp/rig-smoke-err.$$)"
code=$?
set -e
err="$(cat /tmp/rig-smoke-err.$$)"; rm -f /tmp/rig-smoke-err.$$
[[ "$out" == kept && "$code" == 7 && "$err" == *exec-stderr* ]] \
  || fail "exec: stdout '$out', exit $code, stderr '$err'"
log "kubectl exec: stdout '$out', stderr has 'exec-stderr', exit code $code"
# cluster DNS (CoreDNS behind the kube-dns Service) and Service routing (kube-proxy): the API
# server's Service name resolves to its ClusterIP, and a TCP connection through it is accepted
dns="$(kc -n "$NS" exec "$POD" -- nslookup kubernetes.default.svc.cluster.local 2>&1)" \
  || fail "nslookup kubernetes.default.svc.cluster.local: $dns"
svc_ip="$(kc -n default get service kubernetes -o jsonpath='{.spec.clusterIP}')"
[[ "$dns" == *"$svc_ip"* ]] || fail "kubernetes.default.svc resolved to something else than $svc_ip: $dns"
kc -n "$NS" exec "$POD" -- sh -c "nc -w 5 kubernetes.default.svc.cluster.local 443 </dev/null" \
  || fail "no TCP connection to kubernetes.default.svc:443 from the pod"
log "cluster DNS: kubernetes.default.svc.cluster.local is $svc_ip, and a connection through it is accepted"

# gVisor: uname inside the sandbox names gVisor's own kernel (runc's pods see the host's)
t0=$(date +%s%N)
kc -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $GPOD}
spec:
  runtimeClassName: gvisor
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:$BUSYBOX_TAG
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'uname -r; exit 3']
YAML
kc -n "$NS" wait --for=jsonpath='{.status.phase}'=Failed "pod/$GPOD" --timeout=90s >/dev/null \
  || fail "gvisor pod did not end with its exit code: $(kc -n "$NS" get pod "$GPOD" -o jsonpath='{.status}')"
kernel="$(kc -n "$NS" logs "$GPOD")"
code="$(kc -n "$NS" get pod "$GPOD" -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')"
[[ "$kernel" == *gvisor* && "$code" == 3 ]] || fail "gvisor pod: kernel '$kernel', exit code $code"
log "gvisor pod: kernel $kernel, exit code $code, $(( ($(date +%s%N) - t0) / 1000000 )) ms after create"
log "smoke passed"

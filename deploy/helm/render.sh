#!/usr/bin/env bash
# Renders the chart into plain manifests for clusters without Helm: deploy/k8s/sandboxes-worker.yaml
# (release sandboxes-worker in namespace sandboxes-system, default values). The e2e suite checks
# that the file is what this script renders, so it cannot drift from the chart.
#   deploy/helm/render.sh            # rewrites deploy/k8s/sandboxes-worker.yaml
#   deploy/helm/render.sh -          # prints it instead
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
helm="${HELM:-$("$root/deploy/helm.sh")}"
out="${1:-$root/deploy/k8s/sandboxes-worker.yaml}"
render() {
  cat <<'HEAD'
# The sandbox worker as plain manifests, rendered from deploy/helm/sandboxes-worker with its
# default values by deploy/helm/render.sh (do not edit by hand: change the chart and render).
# Before `kubectl apply -f` this file: set SANDBOXES_TEMPORAL_TARGET below to your Temporal
# frontend, and the image to where you pushed it (deploy/image/build.sh builds it).
apiVersion: v1
kind: Namespace
metadata:
  name: sandboxes-system
HEAD
  "$helm" template sandboxes-worker "$root/deploy/helm/sandboxes-worker" --namespace sandboxes-system \
    --set temporal.target=temporal-frontend.temporal:7233
}
if [[ "$out" == - ]]; then render; else render > "$out.tmp" && mv "$out.tmp" "$out"; fi

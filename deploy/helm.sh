#!/usr/bin/env bash
# Makes sure Helm of the pinned version is installed with `go install` from the Go module proxy
# (helm.sh/helm/v3), and prints the path of the binary. A cold build takes about 3 minutes.
set -euo pipefail
# shellcheck source=rig/versions.sh
source "$(dirname "$0")/rig/versions.sh"
helm="$(go env GOPATH)/bin/helm"
# a go-installed binary reports no release version; its module version is in the build info
if ! go version -m "$helm" 2>/dev/null | grep -Eq "^\s+mod\s+helm.sh/helm/v3\s+$HELM_VERSION\s"; then
  log "installing helm $HELM_VERSION with go install (a cold build takes about 3 minutes)"
  GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
echo "$helm"

#!/usr/bin/env bash
# Makes sure the Temporal CLI (dev server with Web UI) of the pinned version is installed with
# `go install`, and prints the directory that holds it. A cold build takes minutes.
set -euo pipefail
# shellcheck source=rig/versions.sh
source "$(dirname "$0")/rig/versions.sh"
gobin="$(go env GOPATH)/bin"
# a go-installed binary reports version 0.0.0-DEV; its module version is in the build info
if ! go version -m "$gobin/temporal" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/temporalio/cli\s+$TEMPORAL_CLI_VERSION\s"; then
  log "installing the temporal CLI $TEMPORAL_CLI_VERSION with go install (a cold build takes minutes)"
  go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
fi
echo "$gobin"

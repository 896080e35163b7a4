#!/usr/bin/env bash
# Tests and builds the fault-injecting API proxy of the end-to-end suite (deploy/faultproxy,
# standard library only) into $RIG_CACHE/bin, unless the binary there was built from the same
# sources by the same Go, and prints its path. Both take seconds.
set -euo pipefail
# shellcheck source=rig/versions.sh
source "$(dirname "$0")/rig/versions.sh"
src="$(cd "$(dirname "$0")/faultproxy" && pwd)"
bin="$RIG_BIN/faultproxy"
# the stamp: the Go version and the digest of every non-test source file
stamp="$( (go version; cd "$src" && find . -maxdepth 1 \( -name go.mod -o -name '*.go' \) ! -name '*_test.go' \
  | sort | xargs sha256sum) | sha256sum | cut -c1-16)"
if [[ ! -x "$bin" || "$(cat "$bin.version" 2>/dev/null)" != "$stamp" ]]; then
  log "testing and building faultproxy ($stamp)"
  mkdir -p "$RIG_BIN"
  (cd "$src" && go test -count=1 ./... >&2)
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
  echo "$stamp" > "$bin.version"
fi
echo "$bin"

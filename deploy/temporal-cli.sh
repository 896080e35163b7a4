#!/usr/bin/env bash
# Makes sure the Temporal CLI (dev server with Web UI) pinned by deploy/temporal-cli/go.mod is
# installed in Go's bin directory, and prints that directory. A cold build takes minutes.
#
# Built from a module of our own rather than with `go install …@version`: the CLI's v1.5.1 links
# modernc.org/sqlite v1.34.1, whose context cancellation can interrupt the next statement on the
# dev server's one connection, after which every query answers `interrupted (9)` until a restart
# (seen in an e2e run: the server failed every call for its last 16 minutes). The module raises
# the driver to v1.44.3, the release with that race closed, which Temporal's own server moved to.
# Later CLI tags carry a replace directive, which `go install` refuses; a module of our own can
# take them too.
set -euo pipefail
# shellcheck source=rig/versions.sh
source "$(dirname "$0")/rig/versions.sh"
module="$(cd "$(dirname "$0")/temporal-cli" && pwd)"
gobin="$(go env GOPATH)/bin"
want() { # the version go.mod requires of module $1 (read from the file: no module graph, no network)
  awk -v m="$1" '$1 == m { print $2; exit }' "$module/go.mod"
}
cli="$(want github.com/temporalio/cli)"
sqlite="$(want modernc.org/sqlite)"
[[ -n "$cli" && -n "$sqlite" ]] || { log "deploy/temporal-cli/go.mod names no temporal CLI or SQLite driver"; exit 1; }
# a binary built from a module reports version 0.0.0-DEV; its modules' versions are in the build info
if ! go version -m "$gobin/temporal" 2>/dev/null | awk -v cli="$cli" -v sqlite="$sqlite" '
    $1 == "mod" && $2 == "github.com/temporalio/cli" && $3 == cli { c = 1 }
    $1 == "dep" && $2 == "modernc.org/sqlite" && $3 == sqlite { s = 1 }
    END { exit !(c && s) }'; then
  log "building the temporal CLI $cli with modernc.org/sqlite $sqlite (a cold build takes minutes)"
  mkdir -p "$gobin"
  new="$(mktemp "$gobin/temporal.XXXXXX")"
  trap 'rm -f "$new"' EXIT
  go -C "$module" build -o "$new" github.com/temporalio/cli/cmd/temporal
  mv -f "$new" "$gobin/temporal"
fi
echo "$gobin"

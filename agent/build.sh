#!/usr/bin/env bash
# Tests and builds the in-sandbox agent (standard library only, no module downloads) as a static
# binary, and prints its path. Go's build cache makes a repeat take seconds.
#   agent/build.sh              go vet + go test, then agent/target/sandbox-agent
#   agent/build.sh --no-test    the binary only
#   agent/build.sh --image      also the init container's image, sandboxes-agent:<project version>,
#                               as a docker-archive tar holding only /sandbox-agent; prints its path
set -euo pipefail
cd "$(dirname "$0")"
test=true image=false
for arg in "$@"; do
  case "$arg" in
    --no-test) test=false ;;
    --image) image=true ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
# the project version, from the parent pom's first <version> after its own artifactId
version="$(sed -n '/<artifactId>sandboxes-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' ../pom.xml)"
[[ -n "$version" ]] || { echo "cannot read the project version from pom.xml" >&2; exit 1; }
if $test; then
  go vet ./... >&2
  go test -count=1 ./... >&2
fi
mkdir -p target
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=$version" \
  -o target/sandbox-agent.tmp .
mv target/sandbox-agent.tmp target/sandbox-agent
bin="$(pwd)/target/sandbox-agent"
if ! $image; then echo "$bin"; exit 0; fi

# shellcheck source=../deploy/rig/versions.sh
source ../deploy/rig/versions.sh
# shellcheck source=../deploy/rig/archive.sh
source ../deploy/rig/archive.sh
rootfs="$(mktemp -d)"; chmod 755 "$rootfs"
cp "$bin" "$rootfs/sandbox-agent"
touch -d @0 "$rootfs/sandbox-agent"
out="$(pwd)/target/sandbox-agent-image.tar"
write_archive "sandboxes-agent:$version" "$rootfs" "$out" '["/sandbox-agent","version"]' '[]'
rm -rf "$rootfs"
echo "$out"

#!/usr/bin/env bash
# Builds the rig's Go binaries from the Go module proxy into $RIG_CACHE/bin:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet (k8s.io/kubernetes $K8S_VERSION)
#   etcd (go.etcd.io/etcd/server/v3 $ETCD_VERSION)
# A binary already built for the pinned version is skipped (a stamp file records the version).
# `go install k8s.io/kubernetes/cmd/...@vX` is refused because k8s.io/kubernetes' go.mod
# replaces its staging modules with ./staging paths; so each build happens in a small wrapper
# module whose go.mod replaces every k8s.io/<staging> module with the published v0.Y.Z
# (kubernetes/kubernetes#79384).
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.sh

mkdir -p "$RIG_BIN" "$RIG_SRC"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED="${CGO_ENABLED:-0}"

# is_built NAME VERSION: the binary exists and was built for VERSION
is_built() { [[ -x "$RIG_BIN/$1" && "$(cat "$RIG_BIN/$1.version" 2>/dev/null)" == "$2" ]]; }

build_kube() {
  local wanted=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl) todo=() b
  for b in "${wanted[@]}"; do is_built "$b" "$K8S_VERSION" || todo+=("$b"); done
  if ((${#todo[@]} == 0)); then log "kubernetes $K8S_VERSION binaries already built"; return; fi

  local mod="$RIG_SRC/kube-$K8S_VERSION"
  mkdir -p "$mod"
  if [[ ! -f "$mod/go.mod" ]]; then
    log "preparing wrapper module for k8s.io/kubernetes $K8S_VERSION"
    go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
    local kdir; kdir="$(go env GOMODCACHE)/k8s.io/kubernetes@$K8S_VERSION"
    local gover; gover="$(awk '$1=="go"{print $2; exit}' "$kdir/go.mod")"
    {
      echo "module sandboxes.rig/kube"
      echo
      echo "go $gover"
      echo
      echo "require k8s.io/kubernetes $K8S_VERSION"
      echo
      echo "replace ("
      # every staging module named in kubernetes' own go.mod, pinned to the published version
      awk '/=> \.\/staging\/src\//{print "\t" $1 " => " $1 " '"$K8S_STAGING_VERSION"'"}' "$kdir/go.mod"
      echo ")"
    } > "$mod/go.mod.tmp"
    mv "$mod/go.mod.tmp" "$mod/go.mod"
  fi
  # resolves (and records in go.mod/go.sum) what the commands need; quick once cached
  local cmds=()
  for b in "${wanted[@]}"; do cmds+=("k8s.io/kubernetes/cmd/$b@$K8S_VERSION"); done
  (cd "$mod" && go get "${cmds[@]}" 2> >(grep -v '^go: downloading' >&2))
  for b in "${todo[@]}"; do
    log "building $b $K8S_VERSION (this takes minutes on 2 cores)"
    local t0=$SECONDS
    (cd "$mod" && nice -n 10 go build -trimpath -ldflags "-s -w \
        -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
        -X k8s.io/component-base/version.gitMajor=1 \
        -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") \
        -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION" \
        -o "$RIG_BIN/$b.tmp" "k8s.io/kubernetes/cmd/$b")
    mv "$RIG_BIN/$b.tmp" "$RIG_BIN/$b"
    echo "$K8S_VERSION" > "$RIG_BIN/$b.version"
    log "built $b in $((SECONDS - t0))s"
  done
}

build_etcd() {
  if is_built etcd "$ETCD_VERSION"; then log "etcd $ETCD_VERSION already built"; return; fi
  local mod="$RIG_SRC/etcd-$ETCD_VERSION"
  mkdir -p "$mod"
  if [[ ! -f "$mod/go.sum" ]]; then
    log "preparing wrapper module for go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    (cd "$mod" && rm -f go.mod && go mod init sandboxes.rig/etcd >/dev/null 2>&1 \
      && go get "go.etcd.io/etcd/server/v3/etcdmain@$ETCD_VERSION")
    # etcd's main package lives in the etcd module root (go.etcd.io/etcd/v3); the server module
    # exposes etcdmain.Main, so the wrapper carries a three-line main.
    cat > "$mod/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
    (cd "$mod" && go mod tidy)
  fi
  log "building etcd $ETCD_VERSION"
  local t0=$SECONDS
  (cd "$mod" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$RIG_BIN/etcd.tmp" .)
  mv "$RIG_BIN/etcd.tmp" "$RIG_BIN/etcd"
  echo "$ETCD_VERSION" > "$RIG_BIN/etcd.version"
  log "built etcd in $((SECONDS - t0))s"
}

t0=$SECONDS
build_etcd
build_kube
log "all binaries in $RIG_BIN ($((SECONDS - t0))s)"
ls -l "$RIG_BIN"

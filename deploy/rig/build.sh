#!/usr/bin/env bash
# Builds the rig's Go binaries from the Go module proxy into $RIG_CACHE/bin:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#     (k8s.io/kubernetes $K8S_VERSION)
#   etcd (go.etcd.io/etcd/server/v3 $ETCD_VERSION)
#   coredns (github.com/coredns/coredns $COREDNS_VERSION, with the plugins cluster DNS needs only)
#   kube-router (github.com/cloudnativelabs/kube-router/v2 $KUBE_ROUTER_VERSION: NetworkPolicy
#     enforcement; only its firewall controller is run)
#   runsc and containerd-shim-runsc-v1 (gvisor.dev/gvisor $GVISOR_VERSION, for the `gvisor`
#     RuntimeClass; the shim adapted to containerd 1.6 and to these machines, see build_gvisor)
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

# build_wrapper NAME STAMP MODULE_DIR [PACKAGE [LDFLAGS]]: builds PACKAGE (the wrapper module's
# main by default) into $RIG_BIN/NAME, linked with LDFLAGS besides -s -w, and stamps it with STAMP
build_wrapper() {
  local name=$1 stamp=$2 mod=$3 pkg=${4:-.} ldflags=${5:-} t0=$SECONDS
  log "building $name $stamp"
  (cd "$mod" && nice -n 10 go build -trimpath -ldflags "-s -w $ldflags" -o "$RIG_BIN/$name.tmp" "$pkg")
  mv "$RIG_BIN/$name.tmp" "$RIG_BIN/$name"
  echo "$stamp" > "$RIG_BIN/$name.version"
  log "built $name in $((SECONDS - t0))s"
}

build_kube() {
  local wanted=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl) todo=() b
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
  build_wrapper etcd "$ETCD_VERSION" "$mod"
}

# CoreDNS with the plugins of a cluster's DNS only (the full build carries every cloud provider's
# SDK), and hosts for the names the rig serves to the egress proxy's tests: a wrapper main that imports them and lists their directives, in CoreDNS's own order.
build_coredns() {
  local mod="$RIG_SRC/coredns-$COREDNS_VERSION" main
  main="$(cat <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "log", "loadbalance", "cache", "hosts", "kubernetes", "forward"}
}

func main() { coremain.Run() }
GO
)"
  # the stamp names the plugin set too: another main.go is another binary
  local stamp; stamp="$COREDNS_VERSION $(sha256sum <<<"$main" | cut -c1-12)"
  if is_built coredns "$stamp"; then log "coredns $COREDNS_VERSION already built"; return; fi
  mkdir -p "$mod"
  echo "$main" > "$mod/main.go"
  if [[ ! -f "$mod/go.sum" ]]; then
    log "preparing wrapper module for github.com/coredns/coredns $COREDNS_VERSION"
    (cd "$mod" && rm -f go.mod && go mod init sandboxes.rig/coredns >/dev/null 2>&1 \
      && go get "github.com/coredns/coredns@$COREDNS_VERSION" && go mod tidy)
  fi
  build_wrapper coredns "$stamp" "$mod"
}

# kube-router enforces NetworkPolicy with iptables and ipsets. Chosen over
# sigs.k8s.io/kube-network-policies, whose nftables rules hand each new flow to userspace through
# an NFQUEUE verdict: these machines' kernel has no nfnetlink_queue (and loads no modules), so it
# enforces nothing here. The advisories reported for kube-router v2.1.0 concern its BGP router's
# unauthenticated GoBGP gRPC port (GHSA-v5mh-h5hx-7v92; up.sh never starts the router) and old
# golang.org/x modules, raised here to the newest the proxy serves.
build_kube_router() {
  local mod="$RIG_SRC/kube-router-$KUBE_ROUTER_VERSION"
  local stamp="$KUBE_ROUTER_VERSION x-modules-raised"
  if is_built kube-router "$stamp"; then log "kube-router $KUBE_ROUTER_VERSION already built"; return; fi
  mkdir -p "$mod"
  if [[ ! -f "$mod/go.sum" ]]; then
    log "preparing wrapper module for kube-router $KUBE_ROUTER_VERSION"
    # a failure leaves no go.sum, so the next run prepares the module again rather than build
    # (and stamp as raised) one whose modules were not raised
    (cd "$mod" && rm -f go.mod go.sum main.go && go mod init sandboxes.rig/kube-router >/dev/null 2>&1 \
      && go get "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" \
      && go get golang.org/x/net@latest golang.org/x/crypto@latest golang.org/x/sys@latest \
           golang.org/x/text@latest golang.org/x/oauth2@latest) || { rm -f "$mod/go.sum"; exit 1; }
  fi
  log "building kube-router $KUBE_ROUTER_VERSION"
  local t0=$SECONDS
  (cd "$mod" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$RIG_BIN/kube-router.tmp" \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
  mv "$RIG_BIN/kube-router.tmp" "$RIG_BIN/kube-router"
  echo "$stamp" > "$RIG_BIN/kube-router.version"
  log "built kube-router in $((SECONDS - t0))s"
}

# gVisor for the `gvisor` RuntimeClass: runsc and containerd-shim-runsc-v1 from gVisor's Go branch
# (the module gvisor.dev/gvisor, plain `go build`). Its shim does not run here as it is, for two
# reasons, so the wrapper module carries both mains and a vendored copy of the sources:
#  - it is built on containerd 2's shim library, whose `start` prints JSON bootstrap parameters
#    where containerd 1.6 expects the bare address to dial ("dial unix {"version":2,...}:
#    connect: invalid argument"): the wrapper's shim main prints the address alone;
#  - it sets its own oom_score_adj to -999 and fails when it may not ("failed to set OOM Score
#    on shim: write /proc/N/oom_score_adj: permission denied"); these machines drop
#    CAP_SYS_RESOURCE (see restrict_oom_score_adj in up.sh), so the vendored manager.go is
#    patched to keep the inherited score on that error (containerd's runc shim asks for
#    containerd's own score + 1, which needs no privilege).
# The stamp names both mains and the patch: another of them is another binary.
build_gvisor() {
  local mod="$RIG_SRC/gvisor-$GVISOR_VERSION" runsc_main shim_main oom_old oom_new
  runsc_main="$(cat <<'GO'
package main

import "gvisor.dev/gvisor/runsc/cli/maincli"

func main() { maincli.Main() }
GO
)"
  shim_main="$(cat <<'GO'
// gVisor's containerd shim for containerd 1.6: `start` runs with its output captured and prints
// the address from the JSON bootstrap parameters alone (containerd 1.6 dials the output as it
// is); every other action is gVisor's shim unchanged.
package main

import (
	"encoding/json"
	"io"
	"os"

	"gvisor.dev/gvisor/shim/v1/cli"
)

func main() {
	// containerd puts the action after the flags: `... -id ID start`
	if os.Args[len(os.Args)-1] != "start" {
		cli.Main()
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	cli.Main() // exits with the error on stderr when the start fails
	w.Close()
	os.Stdout = stdout
	out, err := io.ReadAll(r)
	if err != nil {
		panic(err)
	}
	var params struct {
		Address string `json:"address"`
	}
	if json.Unmarshal(out, &params) == nil && params.Address != "" {
		out = []byte(params.Address)
	}
	os.Stdout.Write(out)
}
GO
)"
  oom_old='if err := sys.SetOOMScore(cmd.Process.Pid, oomScoreMax); err != nil {'
  oom_new='if err := sys.SetOOMScore(cmd.Process.Pid, oomScoreMax); err != nil && !os.IsPermission(err) {'
  local stamp; stamp="$GVISOR_VERSION $(sha256sum <<<"$runsc_main$shim_main$oom_new" | cut -c1-12)"
  if is_built runsc "$stamp" && is_built containerd-shim-runsc-v1 "$stamp"; then
    log "gvisor $GVISOR_VERSION already built"; return
  fi
  mkdir -p "$mod/runsc" "$mod/containerd-shim-runsc-v1"
  echo "$runsc_main" > "$mod/runsc/main.go"
  echo "$shim_main" > "$mod/containerd-shim-runsc-v1/main.go"
  if [[ ! -f "$mod/go.sum" ]]; then
    log "preparing wrapper module for gvisor.dev/gvisor $GVISOR_VERSION"
    (cd "$mod" && rm -f go.mod && go mod init sandboxes.rig/gvisor >/dev/null 2>&1 \
      && go get "gvisor.dev/gvisor@$GVISOR_VERSION" && go mod tidy)
  fi
  # vendored afresh each time, so the patch below always applies to pristine sources
  (cd "$mod" && rm -rf vendor && go mod vendor)
  local manager="$mod/vendor/gvisor.dev/gvisor/pkg/shim/v1/manager.go" src
  src="$(cat "$manager")"
  if [[ "$src" != *"$oom_old"* ]]; then
    log "gvisor $GVISOR_VERSION: the shim's OOM score call in $manager is not the one patched here; review build_gvisor"
    exit 1
  fi
  printf '%s\n' "${src/"$oom_old"/"$oom_new"}" > "$manager"
  build_wrapper runsc "$stamp" "$mod" ./runsc "-X gvisor.dev/gvisor/runsc/version.version=$GVISOR_VERSION"
  build_wrapper containerd-shim-runsc-v1 "$stamp" "$mod" ./containerd-shim-runsc-v1
}

t0=$SECONDS
build_etcd
build_kube_router
build_coredns
build_gvisor
build_kube
log "all binaries in $RIG_BIN ($((SECONDS - t0))s)"
ls -l "$RIG_BIN"

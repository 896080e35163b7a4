#!/usr/bin/env bash
# Builds the rig's container images without a registry or a Docker engine and imports them into
# containerd's k8s.io namespace:
#   $PAUSE_IMAGE    pause.c from the k8s.io/kubernetes module, compiled statically with gcc
#   $BUSYBOX_IMAGE  Debian's busybox-static with its applet links
#   $PYTHON_IMAGE   Debian's python3 in a debootstrap --variant=minbase root (same suite as the host)
# Each image is written by hand as a docker-archive tar (manifest.json + config + one layer),
# with fixed timestamps and ownership so the same inputs give the same digest (archive.sh).
# Run after build.sh (which downloads the kubernetes module) and with containerd up
# (up.sh calls it); with --build-only it only writes the tars into $RIG_IMAGES.
set -euo pipefail
cd "$(dirname "$0")"
source ./versions.sh

BUILD_ONLY=false
[[ "${1:-}" == "--build-only" ]] && BUILD_ONLY=true
mkdir -p "$RIG_IMAGES"

# write_archive and import_image
source ./archive.sh

build_pause() {
  local out="$RIG_IMAGES/pause.tar" src
  src="$(go env GOMODCACHE)/k8s.io/kubernetes@$K8S_VERSION/build/pause/linux/pause.c"
  [[ -f "$src" ]] || go mod download "k8s.io/kubernetes@$K8S_VERSION"
  if [[ -f "$out" && "$(cat "$out.version" 2>/dev/null)" == "$PAUSE_IMAGE $K8S_VERSION" ]]; then
    log "pause image already built"; return
  fi
  local root; root="$(mktemp -d)"; chmod 755 "$root"
  gcc -Os -Wall -Werror -static -DVERSION="$K8S_VERSION-rig" -o "$root/pause" "$src"
  strip "$root/pause"
  touch -d @0 "$root/pause"
  write_archive "$PAUSE_IMAGE" "$root" "$out" '["/pause"]'
  rm -rf "$root"
  echo "$PAUSE_IMAGE $K8S_VERSION" > "$out.version"
  log "built $out"
}

build_busybox() {
  local out="$RIG_IMAGES/busybox.tar" bb=/bin/busybox
  [[ -x "$bb" ]] || { log "$bb missing: apt-get install busybox-static (up.sh does)"; exit 1; }
  local bbver; bbver="$(dpkg-query -W -f '${Version}' busybox-static)"
  if [[ -f "$out" && "$(cat "$out.version" 2>/dev/null)" == "$BUSYBOX_IMAGE $bbver" ]]; then
    log "busybox image already built"; return
  fi
  local root; root="$(mktemp -d)"; chmod 755 "$root"
  mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev,var}
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  local applet
  for applet in $("$bb" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
  find "$root" -exec touch -h -d @0 {} +
  write_archive "$BUSYBOX_IMAGE" "$root" "$out" '["sh"]'
  rm -rf "$root"
  echo "$BUSYBOX_IMAGE $bbver" > "$out.version"
  log "built $out"
}

# apt_mirror: the Debian mirror apt is configured with (deb822 .sources or sources.list)
apt_mirror() {
  local m
  m="$(awk '/^URIs:/{print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)"
  [[ -n "$m" ]] || m="$(awk '$1=="deb"{print $2}' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 || true)"
  [[ -n "$m" ]] || { log "no Debian mirror found in apt's sources"; exit 1; }
  echo "$m"
}

build_python() {
  local out="$RIG_IMAGES/python.tar" suite
  suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  if [[ -f "$out" && "$(cat "$out.version" 2>/dev/null)" == "$PYTHON_IMAGE $suite" ]]; then
    log "python image already built"; return
  fi
  command -v debootstrap >/dev/null || { log "debootstrap missing: apt-get install debootstrap (up.sh does)"; exit 1; }
  local root; root="$(mktemp -d)"; chmod 755 "$root"
  log "debootstrapping $suite minbase + python3 for $PYTHON_IMAGE (about 2 min)"
  debootstrap --variant=minbase --include=python3 "$suite" "$root" "$(apt_mirror)" \
    > "$RIG_IMAGES/python-debootstrap.log" 2>&1 \
    || { log "debootstrap failed; see $RIG_IMAGES/python-debootstrap.log"; exit 1; }
  # drop what varies from run to run or only serves a package manager on a live system
  rm -rf "$root"/var/cache/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
         "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info \
         "$root"/var/lib/dpkg/*-old "$root"/etc/hostname "$root"/etc/resolv.conf
  : > "$root/etc/machine-id"
  sed -i 's/^\([^:]*:[^:]*:\)[0-9]*:/\10:/' "$root/etc/shadow" "$root/etc/shadow-" 2>/dev/null || true
  ln -sf python3 "$root/usr/bin/python"
  write_archive "$PYTHON_IMAGE" "$root" "$out" '["python3"]'
  rm -rf "$root"
  echo "$PYTHON_IMAGE $suite" > "$out.version"
  log "built $out ($(du -h "$out" | cut -f1))"
}

build_pause
build_busybox
build_python
$BUILD_ONLY && exit 0
import_image "$PAUSE_IMAGE" "$RIG_IMAGES/pause.tar"
import_image "$BUSYBOX_IMAGE" "$RIG_IMAGES/busybox.tar"
import_image "$PYTHON_IMAGE" "$RIG_IMAGES/python.tar"

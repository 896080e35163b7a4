#!/usr/bin/env bash
# Builds the worker's container image without a Docker engine or a registry, and prints the path
# of the image tar (a docker-archive that `ctr images import`, `docker load` or `crane push` take):
#   1. the base, cached by its inputs: a Java 17 runtime made by jlink from the JDK that builds
#      the project (only the modules the worker uses), the C libraries it links (Debian's libc6,
#      libgcc-s1, libstdc++6 and zlib1g, unpacked from their packages at the versions this
#      machine has), the CA certificates, and a non-root user 65532 (`nonroot`);
#   2. the worker on top of it, by Jib (`mvn jib:buildTar`, configured in worker/pom.xml): the
#      production classpath (the CLI's in-process Temporal server is filtered out), running as
#      65532, labelled with the project version. Jib fixes every timestamp, so the same sources
#      and base give the same image digest.
#
#   deploy/image/build.sh                       # sandboxes-worker:<project version>
#   deploy/image/build.sh --tag my.registry/sandboxes-worker:0.2.0
# To push to a registry instead: mvn -pl worker compile jib:build -Djib.from.image=tar://<base>
# -Djib.to.image=<registry>/sandboxes-worker:<version> (the base tar's path is printed on stderr).
# Needs the modules installed (mvn install -DskipTests) or built in the same reactor.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../rig/versions.sh
source "$root/deploy/rig/versions.sh"
# shellcheck source=../rig/archive.sh
source "$root/deploy/rig/archive.sh"

tag=""
if [[ "${1:-}" == "--tag" ]]; then tag="${2:?--tag needs an image name}"; shift 2; fi
JDK="${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
[[ -x "$JDK/bin/jlink" ]] || { log "no jlink in $JDK (set JDK_HOME to a JDK 17)"; exit 1; }
if [[ $EUID -eq 0 ]]; then cache="$RIG_IMAGES"; else cache="${XDG_CACHE_HOME:-$HOME/.cache}/sandboxes/images"; fi
mkdir -p "$cache"

# The modules the worker loads (Spring Boot, Tomcat, gRPC/Netty, fabric8, Micrometer, JFR for
# diagnostics); a missing one fails the image's start, which the e2e suite would see.
MODULES=java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs,jdk.localedata
DEBS=(libc6 libgcc-s1 libstdc++6 zlib1g)
BASE_IMAGE="sandboxes-worker-base:jre17"

base_key() {
  "$JDK/bin/java" -version 2>&1 | head -n1
  echo "$MODULES"
  dpkg-query -W "${DEBS[@]}" ca-certificates-java
  sha256sum "$root/deploy/image/build.sh" | cut -d' ' -f1
}

build_base() {
  local out="$cache/worker-base.tar" key
  key="$(base_key | sha256sum | cut -d' ' -f1)"
  if [[ -f "$out" && "$(cat "$out.version" 2>/dev/null)" == "$key" ]]; then
    log "worker base image already built ($out)"; echo "$out"; return
  fi
  local t0=$SECONDS work rootfs
  work="$(mktemp -d)"; rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{etc,tmp,opt,home/nonroot} && chmod 755 "$rootfs" && chmod 1777 "$rootfs/tmp"
  "$JDK/bin/jlink" --add-modules "$MODULES" --include-locales=en --strip-debug --no-man-pages \
    --no-header-files --compress=2 --output "$rootfs/opt/java"
  # Debian keeps these outside the JDK's modules (as links into /etc): the runtime needs real files
  cp -L "$JDK/lib/security/cacerts" "$JDK/lib/security/default.policy" \
        "$JDK/lib/security/blocked.certs" "$JDK/lib/security/public_suffix_list.dat" \
        "$rootfs/opt/java/lib/security/"
  # the C libraries, at this machine's versions, from their packages (apt-get download needs no root)
  local pkg v
  (cd "$work" && for pkg in "${DEBS[@]}"; do
     v="$(dpkg-query -W -f '${Version}' "$pkg")"
     apt-get download -qq "$pkg=$v" 2>/dev/null || { echo "apt-get download $pkg=$v failed" >&2; exit 1; }
   done)
  for pkg in "$work"/*.deb; do dpkg-deb -x "$pkg" "$rootfs"; done
  rm -rf "$rootfs"/usr/share/doc "$rootfs"/usr/share/lintian "$rootfs"/usr/share/gcc "$rootfs"/usr/share/gdb
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  find "$rootfs" -exec touch -h -d @0 {} +
  # write_archive records ownership as root; the home directory is fixed up by its mode instead
  chmod 1777 "$rootfs/home/nonroot"
  write_archive "$BASE_IMAGE" "$rootfs" "$out" '["java","-version"]' \
    '["PATH=/opt/java/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]'
  rm -rf "$work"
  echo "$key" > "$out.version"
  log "built the worker base image $out ($(du -h "$out" | cut -f1)) in $((SECONDS - t0))s"
  echo "$out"
}

base="$(build_base)"
log "worker base image: $base"
t0=$SECONDS
args=(-B -q -ntp -Dstyle.color=never -f "$root/pom.xml" -pl worker compile jib:buildTar "-Djib.from.image=tar://$base")
[[ -n "$tag" ]] && args+=("-Djib.to.image=$tag")
mvn "${args[@]}" >&2
log "built $root/worker/target/jib-image.tar ($(du -h "$root/worker/target/jib-image.tar" | cut -f1)) in $((SECONDS - t0))s"
echo "$root/worker/target/jib-image.tar"

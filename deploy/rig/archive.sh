# shellcheck shell=bash
# write_archive NAME ROOTFS OUT CMD_JSON [ENV_JSON]: a single-layer docker-archive of ROOTFS
# tagged NAME, with fixed timestamps and ownership so that the same inputs give the same digest.
# ENV_JSON is the image's environment as a JSON array (default: a PATH only). Sourced by
# deploy/rig/images.sh and deploy/image/build.sh.
write_archive() {
  local name=$1 rootfs=$2 out=$3 cmd=$4 work
  local env=${5:-'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'}
  work="$(mktemp -d)"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
      -C "$rootfs" -cf "$work/layer.tar" .
  local diff; diff="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  mkdir "$work/$diff" && mv "$work/layer.tar" "$work/$diff/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":%s,"Cmd":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
      "$env" "$cmd" "$diff" > "$work/config.json"
  local cfg; cfg="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
      "$cfg" "$name" "$diff" > "$work/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
      -C "$work" -cf "$out.tmp" manifest.json "$cfg.json" "$diff"
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# import_image NAME TAR: imports the docker-archive TAR into the rig containerd's k8s.io namespace
# (the kubelet's) as NAME, unless containerd holds NAME from this very TAR already: TAR.imported
# records, per name, the checksum of the tar it was last imported from (one tar may be imported
# under several names, as the worker image is under two tags).
import_image() {
  local name=$1 tar=$2 ctr=(ctr --address "$CONTAINERD_SOCK" -n k8s.io) sum listing
  sum="$(sha256sum "$tar" | cut -d' ' -f1)"
  # (the listing goes to a variable first: `ctr ... | grep -q` can die of SIGPIPE under pipefail)
  listing="$("${ctr[@]}" images ls -q)"
  if grep -qxF "$name $sum" "$tar.imported" 2>/dev/null && grep -qxF "$name" <<<"$listing"; then
    log "$name already imported"; return
  fi
  "${ctr[@]}" images import --no-unpack=false "$tar" >/dev/null
  { grep -v "^$name " "$tar.imported" 2>/dev/null || true; echo "$name $sum"; } > "$tar.imported.tmp"
  mv "$tar.imported.tmp" "$tar.imported"
  log "imported $name from $(basename "$tar") (sha256:$sum)"
}

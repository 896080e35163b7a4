#!/usr/bin/env bash
# The rig's PV recycler, run as a daemon by up.sh (stopped by down.sh): watches the rig's PVs and,
# when one is Released (its claim was deleted) or Failed, empties its directory and removes its
# claimRef, so the PV controller makes it Available again, empty. A volume deleted and created
# again under the same name therefore binds to clean storage, cycle after cycle, with no manual
# step. Why not the controller-manager's own hostPath recycler: see deploy/README.md ("Volumes").
set -uo pipefail
cd "$(dirname "$0")"
source ./versions.sh

# recycle PV: only a PV that is still Released or Failed *now* is emptied. The watch may deliver
# several events for one release; once recycled the PV is Available (or already bound to a new
# claim), and its directory must not be touched again.
recycle() {
  local pv=$1 dir="$RIG_STATE/pv/${1#rig-}" state
  state="$(kc get pv "$pv" -o jsonpath='{.status.phase}/{.spec.claimRef.name}' 2>/dev/null)" || return
  case "$state" in Released/?*|Failed/?*) ;; *) return ;; esac
  [[ -d "$dir" ]] || { log "$pv: no directory $dir"; return; }
  # find -delete never follows symlinks, so links a sandbox left cannot lead it out of the dir
  if ! find "$dir" -xdev -mindepth 1 -delete; then log "$pv: cannot empty $dir"; return; fi
  kc patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null \
    && log "recycled $pv (was ${state%%/*}, claim ${state#*/})"
}

watch_pvs() {
  kc get pv -l sandboxes.dev/rig=true --watch \
      -o jsonpath='{.metadata.name} {.status.phase}{"\n"}' |
    while read -r pv phase; do
      [[ "$phase" == Released || "$phase" == Failed ]] && recycle "$pv"
    done
}

# TERM (down.sh) ends the whole process group: this shell, kubectl and the reading loop
trap 'trap - TERM INT; kill 0' TERM INT
log "watching the rig's PVs"
while true; do
  watch_pvs &
  wait $!
  # the watch ended (API server restarting, or its server-side timeout): watch again
  sleep 1
done

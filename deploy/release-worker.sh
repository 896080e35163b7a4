#!/usr/bin/env bash
# Builds the worker jar (sandbox.jar) of an earlier commit of this repository, for the rolling
# upgrade test (version A: the release that is running when the new build takes over), and
# prints its path. Cached by commit under $RIG_CACHE/workers; a cold build takes a few minutes.
#   deploy/release-worker.sh v0.2.0      # a tag, a branch or a commit id
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=rig/versions.sh
source "$root/deploy/rig/versions.sh"
rev="${1:?usage: deploy/release-worker.sh <tag or commit>}"
commit="$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}")" || {
  log "no commit $rev in this clone (a shallow clone? fetch the history: git fetch --unshallow)"; exit 2; }
jar="$RIG_CACHE/workers/sandbox-$commit.jar"
if [[ ! -s "$jar" ]]; then
  src="$(mktemp -d)"
  trap 'git -C "$root" worktree remove --force "$src/tree" >/dev/null 2>&1 || true; rm -rf "$src"' EXIT
  log "building the worker of $rev ($commit) for the upgrade test"
  git -C "$root" worktree add --detach --quiet "$src/tree" "$commit"
  # package, never install: the older modules must not replace this build's in ~/.m2
  (cd "$src/tree" && mvn -B -q -ntp -Dstyle.color=never package -DskipTests -pl worker -am) >&2
  mkdir -p "$(dirname "$jar")"
  cp "$src/tree/worker/target/sandbox.jar" "$jar.tmp" && mv "$jar.tmp" "$jar"
fi
echo "$jar"

#!/usr/bin/env bash
# Records a release's set of the history corpus: every path that matters of the sandbox, volume,
# batch, chunk and reaper workflows, run by the current code on the temporal CLI's dev server,
# written to workflows/src/test/resources/histories/<release>/. `mvn verify` replays every kept
# set against the code it builds (HistoryCorpusTest). A recorded set is never rewritten: the
# script refuses a release that exists.
#   deploy/record-histories.sh 0.2.0
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=rig/versions.sh
source "$root/deploy/rig/versions.sh"
release="${1:?usage: deploy/record-histories.sh <release>, e.g. the project version without -SNAPSHOT}"
[[ "$release" =~ ^[0-9A-Za-z._-]+$ ]] || { log "release must be letters, digits, '.', '_' or '-': $release"; exit 2; }
out="$root/workflows/src/test/resources/histories/$release"
[[ ! -e "$out" ]] || { log "$out exists: recorded histories are never rewritten; choose a new release"; exit 2; }
port="${RECORD_TEMPORAL_PORT:-7900}"

gobin="$("$root/deploy/temporal-cli.sh")"
db="$(mktemp -d)"
setpriv --pdeathsig TERM -- "$gobin/temporal" server start-dev --ip 127.0.0.1 --port "$port" \
  --ui-port $((port + 1000)) --metrics-port $((port + 2000)) --headless --log-level error \
  --db-filename "$db/temporal.db" >"$db/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$db"' EXIT
for _ in $(seq 1 60); do
  "$gobin/temporal" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { log "the dev server exited: $(cat "$db/server.log")"; exit 1; }
  sleep 1
done

cd "$root"
mvn -B -q -ntp -Dstyle.color=never test -pl workflows,activities -am -Dtest=HistoryRecorder \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.redirectTestOutputToFile=false \
  -DargLine="-Dsandboxes.history.address=127.0.0.1:$port -Dsandboxes.history.out=$out"
log "recorded $(ls "$out" | wc -l) histories in ${out#"$root"/}; commit them, never edit them"

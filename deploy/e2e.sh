#!/usr/bin/env bash
# The end-to-end suite on real infrastructure: brings the rig up (deploy/rig/up.sh), a Temporal
# CLI dev server and a worker on the Kubernetes runtime with the worker's least-privilege
# kubeconfig (`sandbox dev --runtime kubernetes`), runs `mvn verify -Pe2e`, and takes all of it
# down again, whatever the outcome. Run as root. Extra arguments go to Maven.
#
# deploy/e2e.sh --bench [ITERATIONS] [BATCH_ITEMS]: on the same stack, runs the benchmarks
# instead (RigBenchmark: create → running and exec round trip, SandboxWorkflow vs raw fabric8;
# BatchBenchmark: a batch against the same commands run directly, on the cluster) and appends
# their results to deploy/benchmarks/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=rig/versions.sh
source "$root/deploy/rig/versions.sh"
port="${E2E_TEMPORAL_PORT:-7600}"
dev_log="$RIG_LOGS/e2e-dev.log"

"$root/deploy/rig/up.sh"
# the browser test drives Debian's headless Chromium through its chromedriver
install_debs chromium chromium-driver

gobin="$("$root/deploy/temporal-cli.sh")"
export PATH="$gobin:$PATH"
# the fault-injecting API proxy of FaultInjectionClusterTest (seconds to build, cached)
faultproxy="$("$root/deploy/faultproxy.sh")"
# version A of the rolling upgrade test: the worker of the release before this build
previous_worker="$("$root/deploy/release-worker.sh" "$(grep -v '^#' "$root/deploy/upgrade-from" | tr -d '[:space:]')")"

dev_pid=""
cleanup() {
  local status=$?
  if [[ -n "$dev_pid" ]] && ! kill -0 "$dev_pid" 2>/dev/null; then
    log "the dev stack (sandbox dev, pid $dev_pid) had exited before the end of the suite"
  fi
  if ((status != 0)) && [[ -f "$dev_log" ]]; then
    # the next run overwrites the dev stack's log: keep what CI needs to tell why this one failed
    log "last lines of $dev_log:"
    tail -n 60 "$dev_log" >&2 || true
  fi
  if [[ -n "$dev_pid" ]] && kill -0 "$dev_pid" 2>/dev/null; then
    kill -TERM "$dev_pid"
    wait "$dev_pid" || true
  fi
  "$root/deploy/rig/down.sh"
}
trap cleanup EXIT

cd "$root"
mvn -B -q -ntp -Dstyle.color=never install -DskipTests -pl workflows,activities,worker -am
KUBECONFIG="$RIG_WORKER_KUBECONFIG" java -jar worker/target/sandbox.jar dev --port "$port" \
  --runtime kubernetes >"$dev_log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 120); do
  grep -q '^ready ' "$dev_log" && break
  kill -0 "$dev_pid" 2>/dev/null || { log "sandbox dev exited; see $dev_log"; exit 1; }
  sleep 1
done
grep -q '^ready ' "$dev_log" || { log "sandbox dev not ready after 120 s; see $dev_log"; exit 1; }
log "$(grep -E '^(ui|ready) ' "$dev_log" | tr '\n' ' ')"
ui="$(awk '$1 == "ui" {print $2; exit}' "$dev_log")"
[[ -n "$ui" ]] || { log "sandbox dev printed no Web UI address (is the temporal CLI on PATH?); see $dev_log"; exit 1; }

if [[ "${1:-}" == "--bench" ]]; then
  results="$root/deploy/benchmarks/RESULTS.md"
  {
    printf '\nMachine: %s, %s cores, %s; Kubernetes %s on the rig; worker: sandbox dev on the least-privilege kubeconfig.\n' \
      "$(uname -srm)" "$(nproc)" "$(free -g | awk '/^Mem:/{print $2 " GiB"}')" "$K8S_VERSION"
  } >>"$results"
  mvn -B -q -ntp -Dstyle.color=never test-compile exec:java -pl activities \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.runtime.kubernetes.RigBenchmark \
    -Dexec.args="$RIG_WORKER_KUBECONFIG 127.0.0.1:$port $results ${2:-20}"
  # the batch benchmark on the cluster: its own dev server and worker, the worker's kubeconfig
  KUBECONFIG="$RIG_WORKER_KUBECONFIG" mvn -B -q -ntp -Dstyle.color=never test-compile exec:java -pl worker \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.cli.BatchBenchmark \
    -Dexec.args="kubernetes ${3:-200} 20 $results"
  exit 0
fi

# Every module's suite runs even when a test of an earlier module fails (one failure must not
# hide the results of the suites after it); the run fails afterwards when any test failed.
started="$(mktemp)"
mvn -B -ntp verify -Pe2e -pl workflows,activities,worker -Dmaven.test.failure.ignore=true \
  -Dsandboxes.e2e.kubeconfig="$RIG_WORKER_KUBECONFIG" \
  -Dsandboxes.cli.address="127.0.0.1:$port" -Dsandboxes.e2e.ui="$ui" \
  -Dsandboxes.e2e.adminKubeconfig="$RIG_KUBECONFIG" -Dsandboxes.e2e.faultproxy="$faultproxy" \
  -Dsandboxes.e2e.previousWorkerJar="$previous_worker" "$@"
mapfile -t reports < <(find workflows activities worker -path '*/target/surefire-reports/TEST-*.xml' -newer "$started")
((${#reports[@]} > 0)) || { log "the e2e suite wrote no test report"; exit 1; }
mapfile -t failed < <(grep -lE '<testsuite [^>]*(failures|errors)="[1-9]' "${reports[@]}" || true)
if ((${#failed[@]} > 0)); then
  log "e2e suites with failing tests: $(printf '%s ' "${failed[@]##*/TEST-}")"
  exit 1
fi
log "e2e: ${#reports[@]} test classes, none failed"

#!/usr/bin/env bash
# The end-to-end suite on real infrastructure: brings the rig up (deploy/rig/up.sh), starts the
# temporal CLI's dev server on this host with the sandbox search attributes (`sandbox setup`),
# installs the worker into the cluster as a Deployment from its image and Helm chart
# (deploy/rig/install-worker.sh: the suites run against it, not against a worker on the host),
# runs `mvn verify -Pe2e`, and takes all of it down again, whatever the outcome. Run as root.
# Extra arguments go to Maven.
#
# deploy/e2e.sh --bench [ITERATIONS] [BATCH_ITEMS]: on the same stack, runs the benchmarks
# instead (RigBenchmark: create → running and exec round trip, SandboxWorkflow vs raw fabric8;
# BatchBenchmark: a batch against the floor and the same commands run directly, on the cluster;
# ScaleBenchmark: 100 idle sandboxes on one worker) and appends their results to
# deploy/benchmarks/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=rig/versions.sh
source "$root/deploy/rig/versions.sh"
port="${E2E_TEMPORAL_PORT:-7600}"
dev_log="$RIG_LOGS/e2e-temporal.log"
dev_db="$RIG_STATE/e2e-temporal"

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
    log "the Temporal dev server (pid $dev_pid) had exited before the end of the suite"
  fi
  if ((status != 0)); then
    # the next run overwrites these logs: keep what CI needs to tell why this one failed
    [[ -f "$dev_log" ]] && { log "last lines of $dev_log:"; tail -n 30 "$dev_log" >&2 || true; }
    log "the in-cluster workers' last lines:"
    kc -n sandboxes-system logs -l app.kubernetes.io/name=sandboxes-worker --tail 40 --prefix >&2 || true
  fi
  # the release goes before the rig: its Deployment would recreate worker pods on the next up
  "$("$root/deploy/helm.sh")" uninstall sandboxes-worker --kubeconfig "$RIG_KUBECONFIG" \
    --namespace sandboxes-system >/dev/null 2>&1 || true
  if [[ -n "$dev_pid" ]] && kill -0 "$dev_pid" 2>/dev/null; then
    kill -TERM "$dev_pid"
    wait "$dev_pid" || true
  fi
  # a failed run's database stays for `temporal server start-dev --db-filename` to reopen
  ((status != 0)) || rm -rf "$dev_db"
  "$root/deploy/rig/down.sh"
}
trap cleanup EXIT

cd "$root"
mvn -B -q -ntp -Dstyle.color=never install -DskipTests -pl workflows,activities,worker -am
# The Temporal server on this host, reached by the tests on 127.0.0.1 and by the worker pods on
# the node's address through a Service. It listens on every address: bound to the node's address
# only, the dev server's own Worker Deployment client still dials 127.0.0.1 and versioned
# workers never become ready. Drainage is reported in seconds, as `sandbox dev` sets it. Its state
# is a fresh SQLite file, as `sandbox dev` keeps it (DevServerStore): in memory, an interrupted
# connection would stall the server for good or, with the driver deploy/temporal-cli.sh builds
# in, drop the whole database.
rm -rf "$dev_db" && mkdir -p "$dev_db"
setpriv --pdeathsig TERM -- temporal server start-dev --ip 0.0.0.0 --port "$port" \
  --ui-port "$((port + 1000))" --metrics-port "$((port + 2000))" --log-level error \
  --db-filename "$dev_db/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=off \
  --dynamic-config-value 'matching.wv.VersionDrainageStatusVisibilityGracePeriod="5s"' \
  --dynamic-config-value 'matching.wv.VersionDrainageStatusRefreshInterval="5s"' >"$dev_log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 120); do
  temporal operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1 && break
  kill -0 "$dev_pid" 2>/dev/null || { log "the Temporal dev server exited; see $dev_log"; exit 1; }
  sleep 1
done
temporal operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1 \
  || { log "the Temporal dev server is not serving after 120 s; see $dev_log"; exit 1; }
java -jar worker/target/sandbox.jar setup --address "127.0.0.1:$port" >&2
ui="http://127.0.0.1:$((port + 1000))"
"$root/deploy/rig/install-worker.sh" "$(node_ip):$port"
# the second image of the helm upgrade test: this build under another tag, hence another Worker
# Deployment build ID (the chart's default build ID is the image tag)
source "$root/deploy/rig/archive.sh"
upgrade_tag="$(sed -n 's/^build.version=//p' worker/target/classes/META-INF/build-info.properties)-upgrade"
import_image "docker.io/library/sandboxes-worker:$upgrade_tag" \
  "$("$root/deploy/image/build.sh" --tag "sandboxes-worker:$upgrade_tag")"

if [[ "${1:-}" == "--bench" ]]; then
  results="$root/deploy/benchmarks/RESULTS.md"
  {
    printf '\nMachine: %s, %s cores, %s; Kubernetes %s on the rig; workers: the chart'"'"'s Deployment in the rig (2 replicas).\n' \
      "$(uname -srm)" "$(nproc)" "$(free -g | awk '/^Mem:/{print $2 " GiB"}')" "$K8S_VERSION"
  } >>"$results"
  # the chart's workers keep a warm pool for the time-to-interactive part (RigBenchmark's POOL_*):
  # 10 pods of 100m for the sequential runs
  pool() {
    "$root/deploy/rig/install-worker.sh" "$(node_ip):$port" --set 'sandboxes.pools[0].name=bench' \
      --set 'sandboxes.pools[0].image=busybox:1.36' --set "sandboxes.pools[0].cpu=$1" \
      --set 'sandboxes.pools[0].memory=16Mi' --set "sandboxes.pools[0].size=$2" \
      --set "sandboxes.pools[0].refillPerMinute=$3"
  }
  pool 100m 10 120
  # the benchmarks run from the modules' test classes, against this checkout's other modules
  mvn -B -q -ntp -Dstyle.color=never install -DskipTests -pl workflows,activities
  agent_image="sandboxes-agent:$(sed -n 's/^build.version=//p' worker/target/classes/META-INF/build-info.properties)"
  mvn -B -q -ntp -Dstyle.color=never test-compile exec:java -pl activities -Dbench.pool.cpu=100m -Dbench.pool.size=10 \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.runtime.kubernetes.RigBenchmark \
    -Dexec.args="$RIG_WORKER_KUBECONFIG 127.0.0.1:$port $results ${2:-20} $agent_image"
  # the burst of 50 warm sandboxes: the pool redefined as 50 pods of 25m (what fits the node),
  # which replaces the 100m pods (a changed definition)
  pool 25m 50 60
  mvn -B -q -ntp -Dstyle.color=never exec:java -pl activities -Dbench.only=tti -Dbench.tti=0 -Dbench.burst=50 \
    -Dbench.pool.cpu=25m -Dbench.pool.size=50 \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.runtime.kubernetes.RigBenchmark \
    -Dexec.args="$RIG_WORKER_KUBECONFIG 127.0.0.1:$port $results ${2:-20} $agent_image"
  # the batch benchmark on the cluster: its own dev server and worker, the worker's kubeconfig
  KUBECONFIG="$RIG_WORKER_KUBECONFIG" mvn -B -q -ntp -Dstyle.color=never test-compile exec:java -pl worker \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.cli.BatchBenchmark \
    -Dexec.args="kubernetes ${3:-200} 20 $results"
  # 100 idle sandboxes at once on one worker (the node allows 110 pods), each answering an exec
  KUBECONFIG="$RIG_WORKER_KUBECONFIG" mvn -B -q -ntp -Dstyle.color=never exec:java -pl worker \
    -Dexec.classpathScope=test -Dexec.mainClass=dev.sandboxes.cli.ScaleBenchmark \
    -Dexec.args="kubernetes 100 $results"
  exit 0
fi

# Every module's suite runs even when a test of an earlier module fails (one failure must not
# hide the results of the suites after it); the run fails afterwards when any test failed.
started="$(mktemp)"
mvn -B -ntp verify -Pe2e -pl workflows,activities,worker -Dmaven.test.failure.ignore=true \
  -Dsandboxes.e2e.kubeconfig="$RIG_WORKER_KUBECONFIG" \
  -Dsandboxes.cli.address="127.0.0.1:$port" -Dsandboxes.e2e.ui="$ui" \
  -Dsandboxes.e2e.adminKubeconfig="$RIG_KUBECONFIG" -Dsandboxes.e2e.faultproxy="$faultproxy" \
  -Dsandboxes.e2e.previousWorkerJar="$previous_worker" \
  -Dsandboxes.e2e.helm="$("$root/deploy/helm.sh")" -Dsandboxes.e2e.kubectl="$RIG_BIN/kubectl" \
  -Dsandboxes.e2e.upgradeTag="$upgrade_tag" \
  -Dsandboxes.e2e.agentImage="sandboxes-agent:$(sed -n 's/^build.version=//p' worker/target/classes/META-INF/build-info.properties)" "$@"
mapfile -t reports < <(find workflows activities worker -path '*/target/surefire-reports/TEST-*.xml' -newer "$started")
((${#reports[@]} > 0)) || { log "the e2e suite wrote no test report"; exit 1; }
mapfile -t failed < <(grep -lE '<testsuite [^>]*(failures|errors)="[1-9]' "${reports[@]}" || true)
if ((${#failed[@]} > 0)); then
  log "e2e suites with failing tests: $(printf '%s ' "${failed[@]##*/TEST-}")"
  exit 1
fi
log "e2e: ${#reports[@]} test classes, none failed"

#!/usr/bin/env bash
# Runs the Python and TypeScript samples (samples/python, samples/typescript) against the
# development stack: `sandbox dev --runtime local` on a free port, started here in the
# background and always stopped (SIGTERM; it terminates its sandboxes) before this exits.
#   samples/polyglot/run.sh                                 the jar built by `mvn install`
#   SANDBOX_JAR=path/to/sandbox.jar samples/polyglot/run.sh  another jar
# Installs the samples' packages (a venv in samples/python/.venv, `npm ci` in samples/typescript).
# Needs Java 17, Python 3.10+ with venv, Node.js 20.3+ with npm, and bubblewrap; fails when any
# of them, or the jar, is missing, and when any sample's check fails.
set -euo pipefail
jar="$(realpath -m -- "${SANDBOX_JAR:-$(dirname "$0")/../../worker/target/sandbox.jar}")"
cd "$(dirname "$0")/../.."

ready_timeout=180 # seconds for the stack to print its ready line
stop_timeout=150  # seconds for it to stop (it waits up to 2 minutes for its cleanup)
sample_timeout=180 # seconds for each sample

fail() {
  echo "polyglot: FAILED: $*" >&2
  exit 1
}
step() { echo "polyglot: $*"; }

for tool in java python3 node npm bwrap timeout; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done
[ -f "$jar" ] || fail "no jar at $jar (build it with mvn install, or set SANDBOX_JAR)"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail "python3 must be 3.10 or later"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a == 20 && b >= 3) ? 0 : 1)' \
  || fail "node must be 20.3 or later"

work="$(mktemp -d)"
dev_pid=""
stop_stack() {
  [ -n "$dev_pid" ] || return 0
  local pid="$dev_pid"
  dev_pid=""
  # SIGTERM, not SIGINT: a background job of a non-interactive shell ignores SIGINT
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= stop_timeout * 2)); then
      kill -KILL "$pid" 2>/dev/null || true
      echo "polyglot: FAILED: the stack did not stop within ${stop_timeout}s; killed it" >&2
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  wait "$pid" 2>/dev/null || true
  step "stack stopped: $(grep '^stopped' "$work/dev.out" || echo 'no stop line')"
}
finish() {
  local rc=$?
  stop_stack || rc=1
  if ((rc != 0)) && [ -s "$work/dev.log" ]; then
    echo "polyglot: the stack's log (last 40 lines):" >&2
    tail -n 40 "$work/dev.log" >&2
  fi
  rm -rf "$work"
  step "took ${SECONDS}s"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# a port P with P+1000 (the UI) and P+2000 (metrics) free too, for the temporal CLI's dev server
port="$(python3 - <<'PY'
import random, socket, sys
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
for _ in range(200):
    port = random.randrange(20000, 30000)
    if all(free(port + d) for d in (0, 1000, 2000)):
        print(port)
        sys.exit(0)
sys.exit("no free port found")
PY
)"

step "starting the development stack on port $port ($jar)"
# its own temporary directory keeps the stack's directory (sandbox-dev-PORT: the local runtime's
# root, the server's database) to this run
java -Djava.io.tmpdir="$work" -jar "$jar" dev --runtime local --port "$port" \
  >"$work/dev.out" 2>"$work/dev.log" </dev/null &
dev_pid=$!
started=$SECONDS

# the installs overlap the stack's start-up
step "installing the Python sample's packages into samples/python/.venv"
python3 -m venv samples/python/.venv
samples/python/.venv/bin/pip install -q --disable-pip-version-check -r samples/python/requirements.txt

step "installing and compiling the TypeScript sample (npm ci, tsc)"
(cd samples/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

step "waiting for the stack"
until grep -q '^ready address=' "$work/dev.out"; do
  kill -0 "$dev_pid" 2>/dev/null || { dev_pid=""; fail "the stack exited before it was ready: $(cat "$work/dev.out")"; }
  ((SECONDS - started < ready_timeout)) || fail "the stack printed no ready line within ${ready_timeout}s"
  sleep 0.5
done
ready="$(grep -m1 '^ready address=' "$work/dev.out")"
step "$ready"
address="${ready#ready address=}"
address="${address%% *}"

export TEMPORAL_ADDRESS="$address" TEMPORAL_NAMESPACE=default SANDBOXES_TASK_QUEUE=sandboxes
step "running samples/python/sandbox_sample.py"
timeout "$sample_timeout" samples/python/.venv/bin/python samples/python/sandbox_sample.py
step "running samples/typescript/sandbox-sample.ts"
timeout "$sample_timeout" node samples/typescript/dist/sandbox-sample.js

stop_stack
step "both samples passed"

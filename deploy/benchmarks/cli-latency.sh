#!/usr/bin/env bash
# The command line's latency, end to end as a user's shell sees it (process start to exit), on
# the embedded stack: `sandbox dev --runtime local` with its in-process Temporal server (the
# temporal CLI kept off its PATH), measured beside `kubectl version --client` and
# `temporal --version` in the same run, since these machines are shared and noisy.
#
#   deploy/benchmarks/cli-latency.sh [RUNS] [RESULTS_FILE]
#
# RUNS (default 20) of each: sandbox --version; get, exec -- true and logs --tail 10 on one
# running sandbox; list with 100 sandboxes; create --wait (each created sandbox terminated after,
# outside the timing). p50, p90 and max in seconds; a "Command line latency" section is appended
# to RESULTS_FILE (default deploy/benchmarks/RESULTS.md). Builds what it needs first (bin/sandbox
# builds its jar on first use; the temporal CLI and kubectl come from deploy/temporal-cli.sh and
# the rig's build cache, and a row says so when one is missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-20}"
results="${2:-$root/deploy/benchmarks/RESULTS.md}"
rows="${CLI_LATENCY_LIST_ROWS:-100}"  # list's rows (a smaller number only to try the script out)
# CLI_LATENCY_JAVA_HOME: the JDK to run every sandbox command (and the dev stack) on;
# CLI_LATENCY_NOTE: words added to the section's title (what this run compares)
if [[ -n "${CLI_LATENCY_JAVA_HOME:-}" ]]; then export PATH="$CLI_LATENCY_JAVA_HOME/bin:$PATH"; fi
sandbox="$root/bin/sandbox"
work="$(mktemp -d -t cli-latency.XXXXXX)"
dev_pid=""
cleanup() {
  if [[ -n "$dev_pid" ]]; then kill "$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$sandbox" --version >/dev/null  # builds the jar when it is missing or stale
temporal="$("$root/deploy/temporal-cli.sh")/temporal"
# shellcheck source=../rig/versions.sh
source "$root/deploy/rig/versions.sh"
kubectl="${RIG_CACHE:-/var/cache/sandboxes-rig}/bin/kubectl"

# the in-process server: no temporal CLI on the dev stack's PATH
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1] % 20000 + 20000)')"
clean_path="$(tr ':' '\n' <<<"$PATH" | grep -v -x "$(dirname "$temporal")" | paste -sd: -)"
PATH="$clean_path" "$sandbox" dev --runtime local --port "$port" >"$work/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 240); do
  grep -q '^ready ' "$work/dev.log" && break
  kill -0 "$dev_pid" 2>/dev/null || { cat "$work/dev.log" >&2; echo "sandbox dev ended before it was ready" >&2; exit 1; }
  sleep 0.5
done
grep -q '^ready ' "$work/dev.log" || { echo "sandbox dev was not ready after 120 s" >&2; exit 1; }
export TEMPORAL_ADDRESS="127.0.0.1:$port"

# one running sandbox with some log lines, and more idle ones for list's rows
target="cli-latency-target"
"$sandbox" create busybox:1.36 --name "$target" --wait -- sh -c 'for i in $(seq 1 50); do echo line $i; done; exec sleep 86400' >/dev/null
for _ in $(seq 2 "$rows"); do "$sandbox" create busybox:1.36 >/dev/null; done
"$sandbox" wait "$target" --for running --timeout 2m >/dev/null

# time_runs LABEL COMMAND...: RUNS runs, seconds each, to $work/LABEL (a failed run fails the script)
time_runs() {
  local label="$1"; shift
  : >"$work/$label"
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0="$(date +%s%N)"
    "$@" >/dev/null 2>"$work/err" || { echo "$label failed: $*" >&2; cat "$work/err" >&2; exit 1; }
    t1="$(date +%s%N)"
    echo $(( (t1 - t0) / 1000 )) >>"$work/$label"
  done
}
create_wait() {
  local name; name="$("$sandbox" create busybox:1.36 --wait --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
  echo "$name" >>"$work/created"
}

[[ -x "$kubectl" ]] && time_runs kubectl "$kubectl" version --client
time_runs temporal "$temporal" --version
time_runs version "$sandbox" --version
time_runs get "$sandbox" get "$target"
time_runs list "$sandbox" list
time_runs exec "$sandbox" exec "$target" -- true
time_runs logs "$sandbox" logs "$target" --tail 10
time_runs create "create_wait"
while read -r name; do "$sandbox" terminate "$name" >/dev/null; done <"$work/created"

python3 - "$work" "$runs" "$results" "$rows" "${CLI_LATENCY_NOTE:-}" <<'PY'
import os, statistics, subprocess, sys, datetime
work, runs, results, list_rows, note = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
rows = [("kubectl", "`kubectl version --client`", None), ("temporal", "`temporal --version`", None),
        ("version", "`sandbox --version`", 0.3), ("get", "`sandbox get NAME`", 0.8),
        ("list", f"`sandbox list` ({list_rows} rows)", 0.8), ("exec", "`sandbox exec NAME -- true`", 0.8),
        ("logs", "`sandbox logs NAME --tail 10`", 0.8), ("create", "`sandbox create IMAGE --wait`", 1.5)]
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]
lines = []
for key, label, target in rows:
    path = os.path.join(work, key)
    if not os.path.exists(path):
        lines.append(f"| {label} | not measured (not built on this machine) | | | |")
        continue
    xs = [int(l) / 1e6 for l in open(path) if l.strip()]
    p50 = statistics.median(xs)
    verdict = "" if target is None else (f"≤ {target} ✔" if p50 <= target else f"≤ {target} ✘")
    lines.append(f"| {label} | {p50:.2f} | {pct(xs, 0.9):.2f} | {max(xs):.2f} | {verdict} |")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
load = open("/proc/loadavg").read().split()[:3]
section = [
    "", f"## Command line latency, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}" + (f" ({note})" if note else ""), "",
    f"Machine: {os.cpu_count()} cores ({cpu}), {java}; load average at the end {' '.join(load)}. "
    f"Method: deploy/benchmarks/cli-latency.sh, {runs} runs of each command, process start to exit as the shell "
    "sees it, against `sandbox dev --runtime local` (in-process Temporal server) on the same machine; "
    f"`list` with {list_rows} sandboxes; `get`, `exec`, `logs` on one running sandbox; each `create --wait` a new "
    "busybox sandbox. Seconds.", "",
    "| command | p50 | p90 | max | target (p50) |", "|---|---|---|---|---|", *lines, ""]
with open(results, "a") as f:
    f.write("\n".join(section) + "\n")
print("\n".join(section))
PY

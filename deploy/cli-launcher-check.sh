#!/usr/bin/env bash
# bin/sandbox's fast path answers as the executable jar does: run by bin/test after the build.
# Each client command runs from the jar's extracted layout with a class-data archive (bin/sandbox);
# this checks that the first command after a build made the archive, and compares the output and
# exit code of commands that need no server (the version, help, usage errors, a server that is not
# there) with `java -jar worker/target/sandbox.jar`'s. The commands against a server are the CLI
# tests' (in-process) and the benchmark's (deploy/benchmarks/cli-latency.sh, through bin/sandbox).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/worker/target/sandbox.jar"
[ -f "$jar" ] || { echo "cli-launcher-check: $jar is missing (build first)" >&2; exit 1; }
work="$(mktemp -d -t cli-launcher.XXXXXX)"
trap 'rm -rf "$work"' EXIT
closed_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

failures=0
# same LABEL ARGS...: bin/sandbox ARGS and java -jar JAR ARGS print the same and exit the same
same() {
  local label="$1"; shift
  local a=0 b=0
  "$root/bin/sandbox" "$@" >"$work/fast.out" 2>"$work/fast.err" || a=$?
  java -jar "$jar" "$@" >"$work/jar.out" 2>"$work/jar.err" || b=$?
  if [ "$a" != "$b" ] || ! cmp -s "$work/fast.out" "$work/jar.out" || ! cmp -s "$work/fast.err" "$work/jar.err"; then
    echo "cli-launcher-check: $label differs: bin/sandbox exit $a, the jar exit $b" >&2
    diff "$work/jar.out" "$work/fast.out" >&2 || true
    diff "$work/jar.err" "$work/fast.err" >&2 || true
    failures=$((failures + 1))
  else
    echo "cli-launcher-check: $label: same output, exit $a"
  fi
}

# the layout and its archive made anew, as after a build: the first command extracts the jar and
# trains (a development stack of its own, the client commands against it), then answers
rm -rf "$root"/worker/target/cli-*
first=0
"$root/bin/sandbox" --version >"$work/first.out" 2>"$work/first.err" || first=$?
java -jar "$jar" --version >"$work/jar.out"
if [ "$first" != 0 ] || ! cmp -s "$work/first.out" "$work/jar.out"; then
  echo "cli-launcher-check: the first command (which trains) did not answer as the jar: exit $first" >&2
  cat "$work/first.err" >&2
  failures=$((failures + 1))
fi
archives=("$root"/worker/target/cli-*/sandbox-*.jsa)
found=0
for a in "${archives[@]}"; do [ -s "$a" ] && found=1; done
if [ "$found" = 0 ]; then
  echo "cli-launcher-check: the first command left no class-data archive under worker/target/cli-*:" >&2
  cat "$work/first.err" "$root"/worker/target/cli-*/*.failed >&2 2>/dev/null || true
  failures=$((failures + 1))
fi
same "--version" --version
same "-V" -V
same "help" --help
same "get --help" get --help
same "volume ls --help" volume ls --help
same "a usage error" get
same "an unknown option" list --no-such-option
same "a mistyped command" gett x
same "no server" list --address "127.0.0.1:$closed_port"
same "no server, JSON" get some-name --address "127.0.0.1:$closed_port" --json

if [ "$failures" -gt 0 ]; then
  echo "cli-launcher-check: $failures difference(s)" >&2
  exit 1
fi

package dev.sandboxes.runtime.local;

import dev.sandboxes.model.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sandbox whose main process this runtime started and still observes. {@link #settled}
 * completes once the process has exited, its output is drained and the exit is recorded (or
 * deliberately not recorded, see {@link #abandoned}): waiters block on it instead of polling.
 */
final class LiveSandbox {
  final String name;
  final Path dir;
  final SandboxSpec spec;
  final SandboxView view;
  final Process process;
  final TimestampedLog log;
  final List<Thread> readers;
  final CompletableFuture<Void> settled = new CompletableFuture<>();
  /** Exec commands still running: they are killed with the sandbox. */
  final Set<Process> execs = ConcurrentHashMap.newKeySet();
  /** Every exec by its ID, for the sandbox's life (guarded by itself; notified when one starts). */
  final Map<String, LocalExec> byId = new HashMap<>();

  /**
   * Set when the sandbox is being deleted or the runtime closes: the process is being killed on
   * purpose and its exit must not be recorded as the sandbox's result.
   */
  volatile boolean abandoned;

  /** Set when the spec's ttl ran out and the runtime killed the process. */
  volatile boolean deadlineExceeded;

  LiveSandbox(String name, Path dir, SandboxSpec spec, SandboxView view, Process process,
      TimestampedLog log, List<Thread> readers) {
    this.name = name;
    this.dir = dir;
    this.spec = spec;
    this.view = view;
    this.process = process;
    this.log = log;
    this.readers = readers;
  }

  /** Waits at most {@code limit} in all for the output readers to finish. */
  void joinReaders(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (Thread reader : readers) {
      try {
        reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

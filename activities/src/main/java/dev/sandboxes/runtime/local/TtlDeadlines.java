package dev.sandboxes.runtime.local;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Enforces a spec's {@code ttl}: the backstop Kubernetes gets from
 * {@code activeDeadlineSeconds}, so that a sandbox whose workflow was terminated (and so ran
 * no cleanup) still ends. When the ttl runs out the sandbox is marked
 * {@link LiveSandbox#deadlineExceeded} and its process tree is killed; recording the end is
 * left to whoever observes the exit.
 */
final class TtlDeadlines {
  private final HostProcesses processes;
  /** Fires the deadlines; its one thread only signals, the killing runs in the background pool. */
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(HostProcesses.daemonThreads("local-sandbox-ttl"));

  TtlDeadlines(HostProcesses processes) {
    this.processes = processes;
  }

  /** Starts the sandbox's ttl, if its spec has one. */
  void watch(LiveSandbox sandbox) {
    if (sandbox.spec.ttl() != null) {
      deadlines.schedule(() -> processes.background().execute(() -> expire(sandbox)),
          sandbox.spec.ttl().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void expire(LiveSandbox sandbox) {
    if (sandbox.settled.isDone() || sandbox.abandoned) {
      return;
    }
    sandbox.deadlineExceeded = true;
    processes.terminate(sandbox.process.toHandle());
  }

  /** Drops every pending deadline. */
  void close() {
    deadlines.shutdownNow();
  }
}

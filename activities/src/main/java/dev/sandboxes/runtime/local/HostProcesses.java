package dev.sandboxes.runtime.local;

import dev.sandboxes.runtime.PlatformException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts and ends the host processes of sandboxes: every command goes through the
 * {@link Isolation} in use and is started from one long-lived thread; every process tree is
 * ended with the configured grace ({@link ProcessTree}). Also holds the pool that observes
 * processes (exits, output) for the rest of the runtime.
 *
 * <p>Closing happens in two steps, so that the sandboxes can be stopped in between:
 * {@link #refuseLaunches()} first, {@link #shutdown()} last.
 */
final class HostProcesses {
  /** How long the output of a process may still be read after the process exited. */
  static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);

  private final Isolation isolation;
  private final Duration killGrace;
  /**
   * Every process is started from this one long-lived thread. bubblewrap's
   * {@code --die-with-parent} uses the parent-death signal, which Linux sends when the
   * <em>thread</em> that forked the process ends: started from a pooled activity thread, a
   * sandbox would die when the pool retired that thread.
   */
  private final ExecutorService launcher;
  private final ExecutorService background;
  private volatile boolean closed;

  HostProcesses(Isolation isolation, Duration killGrace) {
    this.isolation = isolation;
    this.killGrace = killGrace;
    this.launcher = Executors.newSingleThreadExecutor(daemonThreads("local-sandbox-launcher"));
    this.background = Executors.newCachedThreadPool(daemonThreads("local-sandbox"));
  }

  IsolationMode mode() {
    return isolation.mode();
  }

  /**
   * Starts {@code argv} inside {@code view} (see {@link Isolation#processFor}).
   *
   * @throws IOException when the command cannot be started (its program is missing)
   */
  Process start(SandboxView view, List<String> argv, Map<String, String> env, String workdir) throws IOException {
    ProcessBuilder builder = isolation.processFor(view, argv, env, workdir);
    requireOpen();
    try {
      return launcher.submit(builder::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("cannot start " + builder.command(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PlatformException.unavailable("interrupted while starting " + builder.command(), e);
    }
  }

  /** Ends {@code root} and its descendants: SIGTERM, then SIGKILL after the grace. */
  void terminate(ProcessHandle root) {
    ProcessTree.terminate(root, killGrace, isolation.wrapsCommand());
  }

  /**
   * Ends the main process a record names, when it still runs and is that process rather than
   * a later one with a reused pid.
   */
  void killOrphan(SandboxRecord record) {
    ProcessHandle.of(record.pid())
        .filter(p -> record.pidStartedAt() != null
            && p.info().startInstant().map(record.pidStartedAt()::equals).orElse(false))
        .ifPresent(this::terminate);
  }

  /** The pool for work that waits on processes: exits, output, stdin. */
  ExecutorService background() {
    return background;
  }

  /** Fails once closing began: nothing is started after that. */
  void requireOpen() {
    if (closed) {
      throw PlatformException.unavailable("the local runtime is closed", null);
    }
  }

  /** The first step of closing: from now on {@link #start} and {@link #requireOpen} fail. */
  void refuseLaunches() {
    closed = true;
  }

  /** The last step of closing: stops the launcher thread and the pool. */
  void shutdown() {
    launcher.shutdownNow();
    background.shutdownNow();
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

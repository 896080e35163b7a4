package dev.sandboxes.spring;

import dev.sandboxes.plugin.WorkerStop;
import dev.sandboxes.runtime.SandboxRuntime;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Stops the application's Temporal workers gracefully before its {@link SandboxRuntime} is closed.
 *
 * <p>temporal-spring-boot-starter destroys its worker factory with {@link WorkerFactory#shutdown()},
 * which does not wait for running tasks, so the runtime, destroyed right after, would be closed
 * under sandbox activities still running (an exec or a watch on a closed Kubernetes client, every
 * local sandbox stopped). Lifecycle beans stop before any singleton is destroyed: here each worker
 * factory stops polling and gets up to {@code sandboxes.shutdown-timeout} for its running tasks;
 * those still running then are interrupted (Temporal retries them on another worker), with a short
 * wait for the interrupted threads.
 */
public final class SandboxWorkerShutdown implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(SandboxWorkerShutdown.class);

  private final ObjectProvider<WorkerFactory> factories;
  private final Duration timeout;
  private volatile boolean running;

  /**
   * @param factories the application's worker factories, looked up when the context stops
   * @param timeout how long the running tasks get before they are interrupted
   */
  public SandboxWorkerShutdown(ObjectProvider<WorkerFactory> factories, Duration timeout) {
    this.factories = factories;
    this.timeout = timeout;
  }

  /** Nothing to start: the Temporal starter starts the workers when the application is ready. */
  @Override
  public void start() {
    running = true;
  }

  /** Shuts every started worker factory down and waits for it, bounded as described above. */
  @Override
  public void stop() {
    running = false;
    List<WorkerFactory> started = factories.orderedStream()
        .filter(f -> f.isStarted() && !f.isTerminated())
        .toList();
    if (started.isEmpty()) {
      return;
    }
    log.info("Stopping the Temporal workers; waiting up to {} for running tasks", timeout);
    WorkerStop.gracefully(started, timeout);
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}

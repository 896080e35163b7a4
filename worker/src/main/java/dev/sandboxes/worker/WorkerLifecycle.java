package dev.sandboxes.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Starts polling when the application is ready and stops it gracefully when the context closes.
 *
 * <p>Polling starts on {@link ApplicationReadyEvent} rather than during the context refresh, so a
 * worker whose startup fails half-way never picks up a task it cannot finish.
 *
 * <p>{@link WorkerFactory#start()} first asks the server about the namespace. When the server
 * cannot be reached ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}) the worker keeps running
 * and retries in the background with capped exponential backoff, reporting DOWN meanwhile: a
 * worker deployed before its Temporal server, or riding out a server restart, recovers by
 * itself. Any other answer (unknown namespace, rejected API key or certificate) is a
 * configuration error and fails startup. A check that must pass before the worker polls (that
 * the server has Worker Deployments, when the worker is versioned) runs first and is treated
 * the same way.
 *
 * <p>On shutdown the factory stops polling and waits up to {@code sandboxes.shutdown-timeout}
 * for running tasks; only then does Spring destroy the beans this one depends on (the runtime is
 * closed, the gRPC channel shut down), because lifecycle beans stop before any singleton is
 * destroyed.
 */
public final class WorkerLifecycle implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {
  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final WorkerFactory factory;
  private final Duration shutdownTimeout;
  private final String description;
  private final Runnable beforePolling;
  private final Runnable onceStarted;
  private final Runnable beforeStop;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "sandbox-worker-start");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean running;

  public WorkerLifecycle(WorkerFactory factory, Duration shutdownTimeout, String description) {
    this(factory, shutdownTimeout, description, () -> {});
  }

  /**
   * {@code onceStarted} runs after polling has started (the server is reachable then), e.g. to
   * create the reaper's schedule; a failure there is logged and does not stop the worker.
   */
  public WorkerLifecycle(WorkerFactory factory, Duration shutdownTimeout, String description,
      Runnable onceStarted) {
    this(factory, shutdownTimeout, description, () -> {}, onceStarted);
  }

  /**
   * {@code beforePolling} runs before each start attempt; it throws
   * {@link StatusRuntimeException} when the server does not answer (retried like the start) and
   * {@link IllegalStateException} when the server cannot serve this worker as configured (a
   * configuration error: startup fails), e.g. {@link VersioningUnsupportedException}.
   */
  public WorkerLifecycle(WorkerFactory factory, Duration shutdownTimeout, String description,
      Runnable beforePolling, Runnable onceStarted) {
    this(factory, shutdownTimeout, description, beforePolling, onceStarted, () -> {});
  }

  /**
   * {@code beforeStop} runs when a polling worker is asked to stop, before it stops polling: a
   * versioned worker whose version has been replaced serves the workflows pinned to it until they
   * are done (bounded by {@code sandboxes.versioning.drain-timeout}).
   */
  public WorkerLifecycle(WorkerFactory factory, Duration shutdownTimeout, String description,
      Runnable beforePolling, Runnable onceStarted, Runnable beforeStop) {
    this.beforeStop = beforeStop;
    this.factory = factory;
    this.shutdownTimeout = shutdownTimeout;
    this.description = description;
    this.beforePolling = beforePolling;
    this.onceStarted = onceStarted;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    start();
  }

  /** Not started by the context refresh: {@link ApplicationReadyEvent} does it. */
  @Override
  public boolean isAutoStartup() {
    return false;
  }

  /**
   * Starts polling now, or schedules retries when the server is unreachable. Throws when the
   * server answers with anything that a retry cannot fix.
   */
  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    if (!attempt(FIRST_RETRY, true)) {
      log.warn("Temporal is unreachable ({}); the worker keeps retrying and reports DOWN until it polls",
          description);
    }
  }

  /** One start attempt; on an unreachable server the next one is scheduled after {@code delay}. */
  private synchronized boolean attempt(Duration delay, boolean failOnConfigurationError) {
    if (!running || factory.isStarted()) {
      return factory.isStarted();
    }
    try {
      // gRPC backs off reconnecting for up to two minutes; a server that is back should be seen now.
      factory.getWorkflowClient().getWorkflowServiceStubs().getRawChannel().resetConnectBackoff();
      try {
        beforePolling.run();
        // the plugin's start checks the namespace too (its search attributes): the same rule
        factory.start();
      } catch (IllegalStateException e) {
        if (failOnConfigurationError) {
          throw e;
        }
        log.error("The worker cannot poll ({}): {}; retrying", description, e.getMessage());
        scheduleRetry(delay);
        return false;
      }
      log.info("Sandbox worker polling: {}", description);
      try {
        onceStarted.run();
      } catch (RuntimeException e) {
        log.warn("Sandbox worker polls, but its start-up step failed: {}", e.toString());
      }
      return true;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      boolean unreachable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
      if (!unreachable && failOnConfigurationError) {
        throw new IllegalStateException("Temporal refused the worker (" + description + "): " + code
            + " " + e.getStatus().getDescription()
            + "; check sandboxes.temporal.namespace and the credentials", e);
      }
      if (!unreachable) {
        log.error("Temporal refused the worker ({}): {}; retrying", description, e.getStatus());
      } else {
        log.debug("Temporal unreachable, next attempt in {}", delay, e);
      }
      scheduleRetry(delay);
      return false;
    }
  }

  private void scheduleRetry(Duration delay) {
    Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
    retries.schedule(() -> attempt(next, false), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
    }
    retries.shutdownNow();
    if (!factory.isStarted()) {
      return;
    }
    try {
      beforeStop.run();
    } catch (RuntimeException e) {
      log.warn("Sandbox worker: the step before stopping failed: {}", e.toString());
    }
    log.info("Sandbox worker stopping; waiting up to {} for running tasks", shutdownTimeout);
    dev.sandboxes.plugin.WorkerStop.gracefully(java.util.List.of(factory), shutdownTimeout);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Whether the factory has started polling and not been shut down. */
  public boolean isPolling() {
    return running && factory.isStarted() && !factory.isShutdown();
  }
}

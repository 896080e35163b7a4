package dev.sandboxes.worker;

import io.temporal.worker.WorkerFactory;
import java.time.Duration;
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
 * worker whose startup fails half-way never picks up a task it cannot finish. On shutdown the
 * factory stops polling and waits up to {@code sandboxes.shutdown-timeout} for running tasks;
 * only then does Spring destroy the beans this one depends on (the runtime is closed, the gRPC
 * channel shut down), because lifecycle beans stop before any singleton is destroyed.
 */
public final class WorkerLifecycle implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {
  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);

  private final WorkerFactory factory;
  private final Duration shutdownTimeout;
  private final String description;
  private volatile boolean running;

  public WorkerLifecycle(WorkerFactory factory, Duration shutdownTimeout, String description) {
    this.factory = factory;
    this.shutdownTimeout = shutdownTimeout;
    this.description = description;
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

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    factory.start();
    running = true;
    log.info("Sandbox worker polling: {}", description);
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    log.info("Sandbox worker stopping; waiting up to {} for running tasks", shutdownTimeout);
    factory.shutdown();
    factory.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!factory.isTerminated()) {
      // Activities interrupted here are retried by Temporal on another worker.
      factory.shutdownNow();
    }
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

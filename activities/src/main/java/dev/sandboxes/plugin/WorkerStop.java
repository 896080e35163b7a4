package dev.sandboxes.plugin;

import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a host of sandbox workers stops them: each factory stops polling and its running tasks get
 * up to a timeout; those still running then are interrupted (Temporal retries their activities on
 * another worker), with a further {@link #FORCED_STOP} for the interrupted threads, since the
 * connection must outlive them. Shared by the worker application and the Spring Boot starter.
 */
public final class WorkerStop {
  /** How long interrupted worker threads get to end. */
  public static final Duration FORCED_STOP = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(WorkerStop.class);

  private WorkerStop() {}

  /** Stops {@code factories} gracefully within {@code timeout} (then by interruption), as above. */
  public static void gracefully(List<WorkerFactory> factories, Duration timeout) {
    factories.forEach(WorkerFactory::shutdown);
    awaitAll(factories, timeout);
    List<WorkerFactory> stuck = factories.stream().filter(f -> !f.isTerminated()).toList();
    if (stuck.isEmpty()) {
      return;
    }
    stuck.forEach(WorkerFactory::shutdownNow);
    awaitAll(stuck, FORCED_STOP);
    if (stuck.stream().anyMatch(f -> !f.isTerminated())) {
      log.warn("Some Temporal worker threads were still running {} after being interrupted", FORCED_STOP);
    }
  }

  private static void awaitAll(List<WorkerFactory> factories, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (WorkerFactory factory : factories) {
      factory.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }
}

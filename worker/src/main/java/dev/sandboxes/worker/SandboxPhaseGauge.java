package dev.sandboxes.worker;

import com.uber.m3.tally.Scope;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.metrics.SandboxMetrics;
import dev.sandboxes.model.SandboxPhase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@value SandboxMetrics#SANDBOXES} gauge: how many open sandboxes are in each phase, counted
 * by Temporal's visibility every {@code every} (three count queries), not by this worker, since a
 * sandbox's workflow moves between workers. Every worker of a namespace reports the same numbers
 * (a dashboard takes their maximum). A server without count queries (the in-process test server)
 * gets no gauge; a failed count leaves the last one.
 */
final class SandboxPhaseGauge implements AutoCloseable {
  /** The phases of an open sandbox. */
  static final List<SandboxPhase> OPEN_PHASES = List.of(SandboxPhase.QUEUED, SandboxPhase.CREATING, SandboxPhase.RUNNING);
  private static final Logger log = LoggerFactory.getLogger(SandboxPhaseGauge.class);

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final Scope scope;
  private final Duration every;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "sandbox-phase-gauge");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean failedBefore;

  SandboxPhaseGauge(WorkflowServiceStubs stubs, String namespace, Scope scope, Duration every) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.scope = scope;
    this.every = every;
  }

  /** Counts now and then every {@code every}. */
  SandboxPhaseGauge start() {
    timer.scheduleWithFixedDelay(this::countQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The visibility query that counts the open sandboxes in {@code phase}. */
  static String query(SandboxPhase phase) {
    return new SandboxFilter(Set.of(phase), Map.of(), null, null, false).visibilityQuery()
        + " AND ExecutionStatus = 'Running'";
  }

  /**
   * Counts every open phase once, then updates the gauge: all phases or none, so that a failed
   * count never leaves phases counted at different times side by side.
   */
  void count() {
    Map<SandboxPhase, Long> counts = new java.util.EnumMap<>(SandboxPhase.class);
    for (SandboxPhase phase : OPEN_PHASES) {
      counts.put(phase, stubs.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
              .setNamespace(namespace).setQuery(query(phase)).build())
          .getCount());
    }
    counts.forEach((phase, n) -> scope.tagged(Map.of("namespace", namespace, SandboxMetrics.PHASE, phase.wireName()))
        .gauge(SandboxMetrics.SANDBOXES).update(n));
  }

  private void countQuietly() {
    try {
      count();
      failedBefore = false;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        log.info("the Temporal server cannot count workflows: no {} gauge", SandboxMetrics.SANDBOXES);
        timer.shutdown();
      } else if (!failedBefore) {
        failedBefore = true;
        log.warn("could not count sandboxes by phase ({}); the {} gauge keeps its last values",
            e.getStatus().getCode(), SandboxMetrics.SANDBOXES);
      }
    } catch (RuntimeException e) {
      if (!failedBefore) {
        failedBefore = true;
        log.warn("could not count sandboxes by phase: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

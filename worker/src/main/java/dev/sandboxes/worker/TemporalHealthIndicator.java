package dev.sandboxes.worker;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The worker's health as the {@code temporal} component of {@code /actuator/health} (and of
 * the readiness group): DOWN until the worker polls its task queue, and DOWN while the Temporal
 * frontend does not answer a {@code GetSystemInfo} call, the cheapest authenticated call there
 * is (it also catches a wrong API key or certificate, which a bare gRPC health check does not).
 *
 * <p>It is deliberately not part of the liveness group: restarting the worker does not bring a
 * Temporal server back.
 */
public final class TemporalHealthIndicator implements HealthIndicator {
  private final WorkflowServiceStubs stubs;
  private final WorkerLifecycle worker;
  private final SandboxesProperties properties;
  private final String runtimeKind;
  private final Duration timeout;

  public TemporalHealthIndicator(WorkflowServiceStubs stubs, WorkerLifecycle worker,
      SandboxesProperties properties, String runtimeKind, Duration timeout) {
    this.stubs = stubs;
    this.worker = worker;
    this.properties = properties;
    this.runtimeKind = runtimeKind;
    this.timeout = timeout;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.unknown()
        .withDetail("target", properties.temporal().effectiveTarget())
        .withDetail("namespace", properties.temporal().namespace())
        .withDetail("taskQueue", properties.taskQueue())
        .withDetail("runtime", runtimeKind);
    if (!worker.isPolling()) {
      return health.down().withDetail("worker", "not polling").build();
    }
    try {
      stubs.blockingStub()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return health.up().withDetail("worker", "polling").build();
    } catch (RuntimeException e) {
      return health.down().withDetail("worker", "polling")
          .withDetail("error", "Temporal frontend unreachable: " + e.getMessage()).build();
    }
  }
}

package dev.sandboxes.worker;

import dev.sandboxes.runtime.kubernetes.KubernetesRuntime;
import dev.sandboxes.runtime.kubernetes.NetworkPolicyProbe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * Whether the cluster enforces the sandboxes' NetworkPolicies, checked when a worker on
 * Kubernetes starts (and again, with growing pauses, while the answer is unknown) ({@link NetworkPolicyProbe}: two probe pods, one under a deny-all policy), in
 * the background so that the worker polls meanwhile. What it finds goes to the log (an ERROR when
 * policies are not enforced), to the {@code networkPolicy} component of {@code /actuator/health}
 * (status {@code NOT_ENFORCED}, which does not take the worker out of service: its sandboxes still
 * run, without the isolation they ask for) and to the gauge
 * {@code sandbox_network_policy_enforced}: 1 enforced, 0 not enforced, -1 unknown or not yet known.
 */
public final class NetworkPolicyCheck implements HealthIndicator, AutoCloseable {
  /** The health status of a cluster whose network ignores NetworkPolicy. */
  public static final Status NOT_ENFORCED = new Status("NOT_ENFORCED",
      "NetworkPolicies are not enforced: sandboxes' egress is not confined");
  public static final String GAUGE = "sandbox.network.policy.enforced";
  static final Duration PROBE_LIMIT = Duration.ofMinutes(2);

  private static final Logger log = LoggerFactory.getLogger(NetworkPolicyCheck.class);

  private final AtomicReference<NetworkPolicyProbe.Result> result = new AtomicReference<>();
  private final Thread probe;

  /** The check of {@code runtime}'s cluster; with {@code enabled} false it reports that it did not check. */
  static NetworkPolicyCheck of(KubernetesRuntime runtime, boolean enabled, MeterRegistry registry) {
    if (!enabled) {
      // unknown for good: nothing to probe again
      return new NetworkPolicyCheck(() -> new NetworkPolicyProbe.Result(NetworkPolicyProbe.Verdict.UNKNOWN,
          "not checked (sandboxes.kubernetes.network-policy-check=false)", java.time.Instant.now()), registry,
          null, null);
    }
    return new NetworkPolicyCheck(() -> runtime.probeNetworkPolicies(PROBE_LIMIT), registry);
  }

  /** The check whose result {@code probe} finds, on a thread of its own once {@link #start}ed. */
  NetworkPolicyCheck(java.util.function.Supplier<NetworkPolicyProbe.Result> probe, MeterRegistry registry) {
    this(probe, registry, Duration.ofSeconds(30), Duration.ofMinutes(10));
  }

  /**
   * As above; an unknown verdict (an image still pulling, an API error) is probed again after
   * {@code firstRetry}, then after twice as long each time up to {@code maxRetry}, until the
   * probe finds an answer ({@code firstRetry} null: never); a verdict of enforced or not enforced stands.
   */
  NetworkPolicyCheck(java.util.function.Supplier<NetworkPolicyProbe.Result> probe, MeterRegistry registry,
      Duration firstRetry, Duration maxRetry) {
    Gauge.builder(GAUGE, this, NetworkPolicyCheck::gaugeValue)
        .description("1 when the cluster enforces the sandboxes' NetworkPolicies, 0 when it does not,"
            + " -1 when unknown (see the networkPolicy health component)")
        .register(registry);
    this.probe = new Thread(() -> {
      Duration wait = firstRetry;
      while (true) {
        NetworkPolicyProbe.Result found = probe.get();
        result.set(found);
        report(found);
        if (found.verdict() != NetworkPolicyProbe.Verdict.UNKNOWN || wait == null
            || Thread.currentThread().isInterrupted()) {
          return;
        }
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        wait = wait.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : wait.multipliedBy(2);
      }
    }, "sandboxes-network-policy-probe");
    this.probe.setDaemon(true);
  }

  /** Starts the probe (once). */
  void start() {
    probe.start();
  }

  /** The probe's result, or {@code null} while it runs. */
  public NetworkPolicyProbe.Result result() {
    return result.get();
  }

  static void report(NetworkPolicyProbe.Result found) {
    switch (found.verdict()) {
      case ENFORCED -> log.info("NetworkPolicies are enforced: {}", found.detail());
      case NOT_ENFORCED -> log.error("SANDBOXES ARE NOT ISOLATED: {}", found.detail());
      case UNKNOWN -> log.warn("Cannot tell whether NetworkPolicies are enforced: {}", found.detail());
    }
  }

  double gaugeValue() {
    NetworkPolicyProbe.Result found = result.get();
    if (found == null) {
      return -1;
    }
    return switch (found.verdict()) {
      case ENFORCED -> 1;
      case NOT_ENFORCED -> 0;
      case UNKNOWN -> -1;
    };
  }

  @Override
  public Health health() {
    return health(result.get());
  }

  static Health health(NetworkPolicyProbe.Result found) {
    if (found == null) {
      return Health.unknown().withDetail("enforced", "unknown").withDetail("detail", "the probe is running").build();
    }
    Health.Builder health = switch (found.verdict()) {
      case ENFORCED -> Health.up().withDetail("enforced", true);
      case NOT_ENFORCED -> Health.status(NOT_ENFORCED).withDetail("enforced", false);
      case UNKNOWN -> Health.unknown().withDetail("enforced", "unknown");
    };
    return health.withDetail("detail", found.detail()).withDetail("checkedAt", found.at().toString()).build();
  }

  /** Stops the probe and waits (a few seconds) while it deletes its pods, before the runtime's client closes. */
  @Override
  public void close() throws InterruptedException {
    probe.interrupt();
    probe.join(CLOSE_WAIT.toMillis());
  }

  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
}

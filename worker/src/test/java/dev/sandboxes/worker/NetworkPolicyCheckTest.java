package dev.sandboxes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.runtime.kubernetes.NetworkPolicyProbe;
import dev.sandboxes.runtime.kubernetes.NetworkPolicyProbe.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * What a worker says of the start-up probe of NetworkPolicy enforcement: the {@code networkPolicy}
 * health component and the {@code sandbox_network_policy_enforced} gauge, before the probe ends and
 * for each verdict. The probe itself: NetworkPolicyProbeTest and, on the rig,
 * NetworkIsolationClusterTest.
 */
class NetworkPolicyCheckTest {
  static NetworkPolicyProbe.Result result(Verdict verdict) {
    return new NetworkPolicyProbe.Result(verdict, "what the probe saw", Instant.parse("2026-12-03T09:00:00Z"));
  }

  @Test
  void whileTheProbeRunsTheComponentIsUnknownAndTheGaugeMinusOneThenTheVerdictShows() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountDownLatch release = new CountDownLatch(1);
    NetworkPolicyCheck check = new NetworkPolicyCheck(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return result(Verdict.NOT_ENFORCED);
    }, registry);
    check.start();

    assertThat(check.health().getStatus()).isEqualTo(Status.UNKNOWN);
    assertThat(check.health().getDetails()).containsEntry("detail", "the probe is running");
    assertThat(registry.get(NetworkPolicyCheck.GAUGE).gauge().value()).isEqualTo(-1.0);

    release.countDown();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> check.result() != null);
    assertThat(check.health().getStatus()).isEqualTo(NetworkPolicyCheck.NOT_ENFORCED);
    assertThat(check.health().getDetails()).containsEntry("enforced", false).containsEntry("detail", "what the probe saw")
        .containsEntry("checkedAt", "2026-12-03T09:00:00Z");
    assertThat(registry.get(NetworkPolicyCheck.GAUGE).gauge().value()).isEqualTo(0.0);
    check.close();
  }

  @Test
  void eachVerdictHasItsStatusAndGaugeValue() throws Exception {
    Health enforced = NetworkPolicyCheck.health(result(Verdict.ENFORCED));
    assertThat(enforced.getStatus()).isEqualTo(Status.UP);
    assertThat(enforced.getDetails()).containsEntry("enforced", true);
    Health unknown = NetworkPolicyCheck.health(result(Verdict.UNKNOWN));
    assertThat(unknown.getStatus()).isEqualTo(Status.UNKNOWN);
    assertThat(unknown.getDetails()).containsEntry("enforced", "unknown").containsKey("checkedAt");

    for (Verdict verdict : Verdict.values()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      NetworkPolicyCheck check = new NetworkPolicyCheck(() -> result(verdict), registry);
      check.start();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> check.result() != null);
      assertThat(registry.get(NetworkPolicyCheck.GAUGE).gauge().value()).as("%s", verdict)
          .isEqualTo(switch (verdict) {
            case ENFORCED -> 1.0;
            case NOT_ENFORCED -> 0.0;
            case UNKNOWN -> -1.0;
          });
      check.close();
    }
  }

  @Test
  void anUnknownVerdictIsProbedAgainUntilThereIsAnAnswer() throws Exception {
    java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
    NetworkPolicyCheck check = new NetworkPolicyCheck(
        () -> result(probes.incrementAndGet() < 3 ? Verdict.UNKNOWN : Verdict.ENFORCED), new SimpleMeterRegistry(),
        Duration.ofMillis(10), Duration.ofMillis(20));
    check.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> check.result() != null
        && check.result().verdict() == Verdict.ENFORCED);
    Thread.sleep(100);
    assertThat(probes.get()).as("no probe after the answer").isEqualTo(3);
    check.close();
  }

  @Test
  void aWorkerToldNotToCheckSaysSo() throws Exception {
    NetworkPolicyCheck check = NetworkPolicyCheck.of(null, false, new SimpleMeterRegistry());
    check.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> check.result() != null);
    assertThat(check.result().verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(check.result().detail()).contains("network-policy-check=false");
    check.close();
  }
}

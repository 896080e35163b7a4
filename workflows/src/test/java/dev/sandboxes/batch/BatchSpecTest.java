package dev.sandboxes.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchSpecTest {
  static final SandboxSpec TEMPLATE = SandboxSpec.builder("busybox:1.36").command("true").env("A", "1")
      .tag("team", "x").build();

  @Test
  void itemsAreNamedTaggedAndGivenTheirIndexAndInput() {
    BatchSpec spec = BatchSpec.ofInputs("nightly", TEMPLATE, List.of("a", "b"), 2);
    SandboxSpec second = spec.itemSpec(1, 1);
    assertThat(second.name()).isEqualTo("nightly-1");
    assertThat(second.env()).isEqualTo(Map.of("A", "1", "SANDBOX_INDEX", "1", "SANDBOX_INPUT", "b"));
    assertThat(second.tags()).isEqualTo(Map.of("team", "x", "batch", "nightly"));
    assertThat(spec.itemSpec(1, 3).name()).isEqualTo("nightly-1-r3");
    // a chunk derives the same spec from its slice
    assertThat(spec.chunk(1, 2).itemSpec(1, 3)).isEqualTo(spec.itemSpec(1, 3));
    assertThat(spec.chunk(1, 2).inputs()).containsExactly("b");
  }

  @Test
  void retriesMatchPhasesReasonsAndExitCodesAndBackOffUpToTheirLimit() {
    RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(10), List.of("OOMKilled", "exit:3"));
    assertThat(policy.retries(SandboxPhase.FAILED, "OOMKilled", 137)).isTrue();
    assertThat(policy.retries(SandboxPhase.FAILED, "Error", 3)).isTrue();
    assertThat(policy.retries(SandboxPhase.FAILED, "Error", 1)).isFalse();
    assertThat(RetryPolicy.attempts(3).retries(SandboxPhase.FAILED, "Error", 1)).isTrue();
    assertThat(RetryPolicy.attempts(3).retries(SandboxPhase.TERMINATED, "TTLExpired", null)).isFalse();
    assertThat(List.of(2, 3, 4, 5).stream().map(policy::backoff).toList()).containsExactly(
        Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(10));
  }

  @Test
  void everyRuleNamesItsField() {
    assertThat(BatchSpec.ofCount("ok", TEMPLATE, 3, 1).violations()).isEmpty();
    assertThat(new BatchSpec("x".repeat(41), null, TEMPLATE, 3, List.of("a"), 1, null, false, null).violations())
        .extracting(v -> v.field() + ": " + v.message())
        .containsExactly("name: must be at most 40 characters, got 41", "count: a template needs either count or inputs, not both");
    assertThat(BatchSpec.ofCount("ok", TEMPLATE, 3, 1).withRetry(new RetryPolicy(2, null, null, List.of("exit:x"))).violations())
        .extracting(v -> v.field()).containsExactly("retry.retryOn");
    assertThat(BatchSpec.ofSpecs("ok", List.of(TEMPLATE, SandboxSpec.builder("").build()), 1).violations())
        .extracting(v -> v.field()).containsExactly("items[1].image");
  }
}

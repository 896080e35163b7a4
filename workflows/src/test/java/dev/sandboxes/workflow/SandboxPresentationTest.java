package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxPresentationTest {
  static SandboxStatus status(SandboxPhase phase, String reason, Integer exitCode) {
    return new SandboxStatus("job", "busybox:1.36", phase, reason, null, exitCode, Instant.EPOCH, null, null,
        new RuntimeRef("kubernetes", "sandboxes", "job", null), Map.of(), 2);
  }

  @Test
  void currentDetailsAreOneMarkdownListItemPerField() {
    assertThat(SandboxPresentation.currentDetails(status(SandboxPhase.FAILED, "OOMKilled", 137))).isEqualTo("""
        - **Phase:** failed (OOMKilled)
        - **Pod:** `kubernetes:sandboxes/job`
        - **Exit code:** 137
        - **Execs:** 2
        """);
    assertThat(SandboxPresentation.currentDetails(status(SandboxPhase.RUNNING, null, null)))
        .startsWith("- **Phase:** running\n")
        .doesNotContain("Exit code");
  }

  @Test
  void theStaticSummaryFitsTwoHundredBytesWithoutSplittingACharacter() {
    SandboxSpec idle = SandboxSpec.builder("busybox:1.36").build();
    assertThat(SandboxPresentation.staticSummary(idle)).isEqualTo("busybox:1.36 (idle)");
    SandboxSpec talkative = SandboxSpec.builder("busybox:1.36").command("echo", "ü".repeat(300)).build();
    String summary = SandboxPresentation.staticSummary(talkative);
    assertThat(summary.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
    assertThat(summary).startsWith("busybox:1.36 echo ü").endsWith("ü...").doesNotContain("\uFFFD");
  }
}

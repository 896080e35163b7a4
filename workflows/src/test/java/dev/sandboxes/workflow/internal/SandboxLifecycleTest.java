package dev.sandboxes.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.workflow.internal.SandboxLifecycle.AfterCreate;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The event → status table of {@link SandboxLifecycle}, one row per rule; no Temporal. */
class SandboxLifecycleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T10:00:05Z");
  private static final Instant T2 = Instant.parse("2026-01-01T10:00:09Z");
  private static final RuntimeRef REF = new RuntimeRef("kubernetes", "sandboxes", "sb", null);
  private static final SandboxSpec SPEC =
      SandboxSpec.builder("busybox:1.36").name("sb").ttl(Duration.ofMinutes(5)).build();

  private static RuntimeState state(SandboxPhase phase, String reason, String message) {
    return new RuntimeState(phase, reason, message, null, null, null, REF);
  }

  private static RuntimeState exited(int code) {
    return new RuntimeState(code == 0 ? SandboxPhase.SUCCEEDED : SandboxPhase.FAILED,
        code == 0 ? null : "Error", null, code, T1, T2, REF);
  }

  private static SandboxLifecycle begun() {
    SandboxLifecycle life = new SandboxLifecycle();
    life.begin("sb", SPEC, T0);
    return life;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        row("begun", life -> {}, SandboxPhase.QUEUED, null, null, null),
        row("invalid spec", life -> life.rejected("invalid sandbox spec: image: must be set", T1),
            SandboxPhase.FAILED, "InvalidSpec", "invalid sandbox spec: image: must be set", T1),
        row("created, the platform queues it for quota",
            life -> life.observed(state(SandboxPhase.QUEUED, "QuotaExceeded", "exceeded quota: cpu"), T1),
            SandboxPhase.QUEUED, "QuotaExceeded", "exceeded quota: cpu", null),
        row("creating, the platform's reason kept",
            life -> life.observed(state(SandboxPhase.CREATING, "ContainerCreating", null), T1),
            SandboxPhase.CREATING, "ContainerCreating", null, null),
        row("running", life -> life.observed(state(SandboxPhase.RUNNING, null, null), T1),
            SandboxPhase.RUNNING, null, null, null),
        row("running, an exec found its agent not answering", life -> {
          life.observed(state(SandboxPhase.RUNNING, null, null), T1);
          life.agentUnavailable("it does not answer");
        }, SandboxPhase.RUNNING, "AgentUnavailable", "an exec could not reach the sandbox's agent: it does not answer", null),
        row("running, an exec got through again", life -> {
          life.observed(state(SandboxPhase.RUNNING, null, null), T1);
          life.agentUnavailable("it does not answer");
          life.agentAnswered();
        }, SandboxPhase.RUNNING, null, null, null),
        row("an ended sandbox keeps its own reason whatever an exec found", life -> {
          life.observed(exited(3), T2);
          life.agentUnavailable("it does not answer");
          life.agentAnswered();
        }, SandboxPhase.FAILED, "Error", null, T2),
        row("main exited 0", life -> life.observed(exited(0), T2), SandboxPhase.SUCCEEDED, null, null, T2),
        row("main exited 3", life -> life.observed(exited(3), T2), SandboxPhase.FAILED, "Error", null, T2),
        row("a terminal phase is final", life -> {
          life.observed(exited(0), T1);
          life.observed(state(SandboxPhase.RUNNING, null, null), T2);
        }, SandboxPhase.SUCCEEDED, null, null, T2),
        row("create failed with a type",
            life -> life.stageFailed("create", "SandboxNameConflict", "pod sb belongs to another", T1),
            SandboxPhase.FAILED, "SandboxNameConflict", "create failed: pod sb belongs to another", T1),
        row("watch failed without a type", life -> life.stageFailed("watch", null, "boom", T1),
            SandboxPhase.FAILED, "ActivityFailed", "watch failed: boom", T1),
        row("the pod disappeared", life -> life.lost("pod sb not found", T1), SandboxPhase.FAILED,
            "SandboxLost", "the sandbox's runtime object disappeared: pod sb not found", T1),
        row("queued too long, the platform's last word kept", life -> {
          life.observed(state(SandboxPhase.QUEUED, "Unschedulable", "0/1 nodes: Insufficient cpu"), T1);
          life.timedOut(SandboxPhase.QUEUED, Duration.ofMinutes(15), T2);
        }, SandboxPhase.FAILED, "ScheduleTimeout",
            "still queued after PT15M: Unschedulable 0/1 nodes: Insufficient cpu", T2),
        row("creating too long, nothing to add", life -> {
          life.observed(state(SandboxPhase.CREATING, null, null), T1);
          life.timedOut(SandboxPhase.CREATING, Duration.ofMinutes(10), T2);
        }, SandboxPhase.FAILED, "StartupTimeout", "still creating after PT10M", T2),
        row("terminated on request, the caller's words",
            life -> terminate(life, SandboxReason.TERMINATE_REQUESTED, "done with it", false),
            SandboxPhase.TERMINATED, "TerminateRequested", "done with it", T2),
        row("terminated on request, blank words dropped",
            life -> terminate(life, SandboxReason.TERMINATE_REQUESTED, "  ", false),
            SandboxPhase.TERMINATED, "TerminateRequested", null, T2),
        row("the first request wins", life -> {
          life.requestTermination(SandboxReason.CANCELLED, "the sandbox workflow was cancelled");
          terminate(life, SandboxReason.TERMINATE_REQUESTED, "later", false);
        }, SandboxPhase.TERMINATED, "Cancelled", "the sandbox workflow was cancelled", T2),
        row("ttl expired, nobody asked", life -> life.terminated(true, T2),
            SandboxPhase.TERMINATED, "TTLExpired", "the sandbox reached its ttl of PT5M", T2),
        row("a request wins over the ttl", life -> terminate(life, SandboxReason.TERMINATE_REQUESTED, "stop", true),
            SandboxPhase.TERMINATED, "TerminateRequested", "stop", T2),
        row("a terminal sandbox ignores a termination request", life -> {
          life.observed(exited(0), T1);
          life.requestTermination(SandboxReason.TERMINATE_REQUESTED, "too late");
        }, SandboxPhase.SUCCEEDED, null, null, T2),
        row("cleanup failed, appended to the message", life -> {
          life.stageFailed("watch", null, "boom", T1);
          life.cleanupFailed("forbidden");
        }, SandboxPhase.FAILED, "ActivityFailed", "watch failed: boom; cleanup failed: forbidden", T1));
  }

  private static void terminate(SandboxLifecycle life, SandboxReason cause, String text, boolean ttl) {
    life.requestTermination(cause, text);
    life.terminated(ttl, T2);
  }

  private static Arguments row(String rule, Consumer<SandboxLifecycle> events, SandboxPhase phase,
      String reason, String message, Instant finishedAt) {
    return Arguments.of(rule, events, phase, reason, message, finishedAt);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void eventsGiveTheStatus(String rule, Consumer<SandboxLifecycle> events, SandboxPhase phase,
      String reason, String message, Instant finishedAt) {
    SandboxLifecycle life = begun();
    events.accept(life);
    SandboxStatus status = life.status();
    assertThat(status.phase()).isEqualTo(phase);
    assertThat(status.reason()).isEqualTo(reason);
    assertThat(status.message()).isEqualTo(message);
    assertThat(status.finishedAt()).isEqualTo(finishedAt);
    assertThat(status.createdAt()).isEqualTo(T0);
  }

  static Stream<Arguments> afterCreate() {
    return Stream.of(
        Arguments.of(state(SandboxPhase.QUEUED, "QuotaExceeded", "m"), AfterCreate.RETRY_FOR_QUOTA),
        Arguments.of(state(SandboxPhase.QUEUED, "VolumePending", "m"), AfterCreate.AWAIT_VOLUMES),
        Arguments.of(state(SandboxPhase.QUEUED, "Unschedulable", "m"), AfterCreate.FOLLOW),
        Arguments.of(state(SandboxPhase.QUEUED, null, null), AfterCreate.FOLLOW),
        Arguments.of(state(SandboxPhase.CREATING, "QuotaExceeded", null), AfterCreate.FOLLOW),
        Arguments.of(state(SandboxPhase.RUNNING, null, null), AfterCreate.FOLLOW),
        Arguments.of(exited(1), AfterCreate.FOLLOW));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @MethodSource("afterCreate")
  void aCreatesAnswerSaysWhatComesNext(RuntimeState created, AfterCreate next) {
    SandboxLifecycle life = begun();
    life.observed(created, T1);
    assertThat(life.afterCreate()).isEqualTo(next);
  }

  @Test
  void runningWithoutAStartTimeStartsNowAndKeepsTheRuntimesOtherwise() {
    SandboxLifecycle life = begun();
    life.observed(state(SandboxPhase.RUNNING, null, null), T1);
    assertThat(life.status().startedAt()).isEqualTo(T1);
    life.observed(new RuntimeState(SandboxPhase.SUCCEEDED, null, null, 0, T0, T2, null), T2);
    assertThat(life.status().startedAt()).isEqualTo(T0);
    assertThat(life.status().exitCode()).isZero();
    assertThat(life.ref()).as("a state without a ref keeps the one known").isEqualTo(REF);
  }

  @Test
  void aCarriedSandboxResumesWhereItsPreviousRunLeftIt() {
    SandboxStatus before = new SandboxStatus("sb", "busybox:1.36", SandboxPhase.RUNNING, null, null,
        null, T0, T1, null, REF, SPEC.tags(), 7);
    SandboxLifecycle life = new SandboxLifecycle();
    life.resume("sb", SPEC, before);
    life.execAccepted();
    assertThat(life.status()).isEqualTo(new SandboxStatus("sb", "busybox:1.36", SandboxPhase.RUNNING,
        null, null, null, T0, T1, null, REF, SPEC.tags(), 8));
  }

  @Test
  void aTerminationRequestedBeforeTheSandboxBeganIsKept() {
    SandboxLifecycle life = new SandboxLifecycle();
    life.requestTermination(SandboxReason.TERMINATE_REQUESTED, "early");
    life.begin("sb", SPEC, T0);
    assertThat(life.terminationRequested()).isTrue();
    life.terminated(false, T1);
    assertThat(life.status().reason()).isEqualTo("TerminateRequested");
    assertThat(life.status().message()).isEqualTo("early");
  }

  @Test
  void everyReasonHasAStableWireName() {
    assertThat(Stream.of(SandboxReason.values()).map(SandboxReason::wireName)).containsExactly(
        "QuotaExceeded", "VolumePending", "InvalidSpec", "ScheduleTimeout", "StartupTimeout",
        "SandboxLost", "ActivityFailed", "TerminateRequested", "TTLExpired", "Cancelled",
        "WorkerRestarted", "AgentUnavailable", "WorkflowTerminated", "WorkflowTimedOut", "WorkflowFailed");
    assertThat(SandboxReason.of("TTLExpired")).contains(SandboxReason.TTL_EXPIRED);
    assertThat(SandboxReason.of("OOMKilled")).isEmpty();
    assertThat(SandboxReason.of(null)).isEmpty();
  }
}

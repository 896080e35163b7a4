package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pod → phase table of {@link PodPhases}, one row per rule. */
class PodPhasesTest {
  private static final String T0 = "2025-01-01T10:00:00Z";
  private static final String T1 = "2025-01-01T10:00:05Z";

  static Stream<Arguments> table() {
    return Stream.of(
        row("no status yet", pod("Pending", null, false, null), SandboxPhase.QUEUED, null, null),
        row("pending, not scheduled", pod("Pending", scheduled("False", null, null), false, null),
            SandboxPhase.QUEUED, null, null),
        row("pending, unschedulable",
            pod("Pending", scheduled("False", "Unschedulable", "0/3 nodes: Insufficient cpu"), false, null),
            SandboxPhase.QUEUED, "Unschedulable", null),
        row("pending, scheduled, creating", pod("Pending", scheduled("True", null, null), true,
            waiting("ContainerCreating")), SandboxPhase.CREATING, "ContainerCreating", null),
        row("pending, node set, no condition", pod("Pending", null, true, null),
            SandboxPhase.CREATING, null, null),
        row("image pull error", pod("Pending", scheduled("True", null, null), true,
            waiting("ErrImagePull")), SandboxPhase.FAILED, "ErrImagePull", null),
        row("image pull back-off", pod("Pending", scheduled("True", null, null), true,
            waiting("ImagePullBackOff")), SandboxPhase.FAILED, "ImagePullBackOff", null),
        row("image absent under pull policy Never", pod("Pending", scheduled("True", null, null), true,
            waiting("ErrImageNeverPull")), SandboxPhase.FAILED, "ErrImageNeverPull", null),
        row("invalid image name", pod("Pending", scheduled("True", null, null), true,
            waiting("InvalidImageName")), SandboxPhase.FAILED, "InvalidImageName", null),
        row("container config error", pod("Pending", scheduled("True", null, null), true,
            waiting("CreateContainerConfigError")), SandboxPhase.FAILED,
            "CreateContainerConfigError", null),
        row("container create error", pod("Pending", scheduled("True", null, null), true,
            waiting("CreateContainerError")), SandboxPhase.FAILED, "CreateContainerError", null),
        row("running", pod("Running", scheduled("True", null, null), true, running()),
            SandboxPhase.RUNNING, null, null),
        row("running phase, container still waiting", pod("Running", scheduled("True", null, null),
            true, waiting("ContainerCreating")), SandboxPhase.CREATING, "ContainerCreating", null),
        row("main exited 0 before the pod phase changed", pod("Running", null, true,
            terminated(0, "Completed")), SandboxPhase.SUCCEEDED, null, 0),
        row("main exited 2 before the pod phase changed", pod("Running", null, true,
            terminated(2, null)), SandboxPhase.FAILED, "Error", 2),
        row("succeeded", pod("Succeeded", null, true, terminated(0, "Completed")),
            SandboxPhase.SUCCEEDED, null, 0),
        row("failed with exit code", pod("Failed", null, true, terminated(3, "Error")),
            SandboxPhase.FAILED, "Error", 3),
        row("failed without reasons", pod("Failed", null, true, terminated(1, null)),
            SandboxPhase.FAILED, "Error", 1),
        row("out of memory", pod("Failed", null, true, terminated(137, "OOMKilled")),
            SandboxPhase.FAILED, "OOMKilled", 137),
        row("evicted", withPodReason(pod("Failed", null, true, terminated(137, "Error")), "Evicted"),
            SandboxPhase.FAILED, "Evicted", 137),
        row("deadline exceeded", withPodReason(pod("Failed", null, true, null), "DeadlineExceeded"),
            SandboxPhase.FAILED, "DeadlineExceeded", null),
        row("being deleted while running", deleting(pod("Running", null, true, running())),
            SandboxPhase.TERMINATED, "PodDeleted", null),
        row("being deleted after success", deleting(pod("Succeeded", null, true,
            terminated(0, "Completed"))), SandboxPhase.SUCCEEDED, null, 0),
        row("unknown, last seen running", pod("Unknown", null, true, running()),
            SandboxPhase.RUNNING, "PodUnknown", null),
        row("unknown, never started", pod("Unknown", null, true, null),
            SandboxPhase.CREATING, "PodUnknown", null),
        row("the agent's image cannot be pulled", withInstall(pod("Pending", scheduled("True", null,
            null), true, waiting("PodInitializing")), waiting("ImagePullBackOff")),
            SandboxPhase.FAILED, "ImagePullBackOff", null),
        row("the agent's init container failed", withInstall(pod("Failed", null, true,
            waiting("PodInitializing")), terminated(1, "Error")), SandboxPhase.FAILED,
            "AgentInstallFailed", null),
        row("the agent failed on its own", pod("Failed", null, true, new ContainerStateBuilder()
            .withNewTerminated().withExitCode(70).withReason("Error")
            .withMessage("sandbox-agent: listen tcp :7431: bind: address already in use")
            .withStartedAt(T0).withFinishedAt(T1).endTerminated().build()),
            SandboxPhase.FAILED, "AgentLost", 70),
        row("the agent failed, pod phase not yet updated", pod("Running", null, true, new ContainerStateBuilder()
            .withNewTerminated().withExitCode(70).withReason("Error")
            .withMessage("sandbox-agent: panic: boom").withStartedAt(T0).withFinishedAt(T1)
            .endTerminated().build()), SandboxPhase.FAILED, "AgentLost", 70),
        row("the agent installed, main running", withInstall(pod("Running", null, true, running()),
            terminated(0, "Completed")), SandboxPhase.RUNNING, null, null),
        row("gone", null, SandboxPhase.TERMINATED, "PodDeleted", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void derivesPhaseAndReason(String rule, Pod pod, SandboxPhase phase, String reason, Integer exit) {
    RuntimeState state = PodPhases.stateOf(pod);
    assertThat(state.phase()).as(rule).isEqualTo(phase);
    assertThat(state.reason()).as(rule).isEqualTo(reason);
    assertThat(state.exitCode()).as(rule).isEqualTo(exit);
  }

  @Test
  void unschedulableKeepsTheSchedulersMessage() {
    RuntimeState state = PodPhases.stateOf(
        pod("Pending", scheduled("False", "Unschedulable", "0/3 nodes: Insufficient cpu"), false, null));
    assertThat(state.message()).isEqualTo("0/3 nodes: Insufficient cpu");
  }

  @Test
  void imagePullFailureKeepsTheKubeletsMessage() {
    RuntimeState state = PodPhases.stateOf(pod("Pending", scheduled("True", null, null), true,
        new ContainerStateBuilder().withNewWaiting().withReason("ErrImagePull")
            .withMessage("pull access denied").endWaiting().build()));
    assertThat(state.message()).isEqualTo("pull access denied");
  }

  @Test
  void reportsWhereThePodRunsAndWhen() {
    RuntimeState running = PodPhases.stateOf(pod("Running", null, true, running()));
    assertThat(running.ref().toString()).isEqualTo("kubernetes:sandboxes/p@node-1");
    assertThat(running.startedAt()).isEqualTo(Instant.parse(T0));
    RuntimeState done = PodPhases.stateOf(pod("Succeeded", null, true, terminated(0, "Completed")));
    assertThat(done.startedAt()).isEqualTo(Instant.parse(T0));
    assertThat(done.finishedAt()).isEqualTo(Instant.parse(T1));
  }

  private static Arguments row(String rule, Pod pod, SandboxPhase phase, String reason, Integer exit) {
    return Arguments.of(rule, pod, phase, reason, exit);
  }

  private static io.fabric8.kubernetes.api.model.PodCondition scheduled(String status, String reason,
      String message) {
    return new PodConditionBuilder().withType("PodScheduled").withStatus(status).withReason(reason)
        .withMessage(message).build();
  }

  private static ContainerState waiting(String reason) {
    return new ContainerStateBuilder().withNewWaiting().withReason(reason).endWaiting().build();
  }

  private static ContainerState running() {
    return new ContainerStateBuilder().withNewRunning().withStartedAt(T0).endRunning().build();
  }

  private static ContainerState terminated(int code, String reason) {
    return new ContainerStateBuilder().withNewTerminated().withExitCode(code).withReason(reason)
        .withStartedAt(T0).withFinishedAt(T1).endTerminated().build();
  }

  private static Pod pod(String phase, io.fabric8.kubernetes.api.model.PodCondition condition,
      boolean onNode, ContainerState main) {
    PodStatusBuilder status = new PodStatusBuilder().withPhase(phase);
    if (condition != null) {
      status.withConditions(condition);
    }
    if (main != null) {
      status.withContainerStatuses(new ContainerStatusBuilder().withName("sandbox").withState(main)
          .build());
    }
    return new PodBuilder()
        .withNewMetadata().withName("p").withNamespace("sandboxes").endMetadata()
        .withNewSpec().withNodeName(onNode ? "node-1" : null).endSpec()
        .withStatus(status.build())
        .build();
  }

  private static Pod withInstall(Pod pod, ContainerState install) {
    pod.getStatus().setInitContainerStatuses(List.of(new ContainerStatusBuilder()
        .withName(AgentPods.INSTALL_CONTAINER).withState(install).build()));
    return pod;
  }

  private static Pod withPodReason(Pod pod, String reason) {
    pod.getStatus().setReason(reason);
    return pod;
  }

  private static Pod deleting(Pod pod) {
    pod.getMetadata().setDeletionTimestamp(T1);
    return pod;
  }
}

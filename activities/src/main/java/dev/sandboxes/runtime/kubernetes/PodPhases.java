package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * The one function that decides a sandbox's phase from its observed pod. Nothing else in the
 * runtime derives a phase; callers pass whatever pod they have just read or been sent.
 *
 * <table>
 *   <caption>Pod → phase</caption>
 *   <tr><th>pod</th><th>phase</th><th>reason</th></tr>
 *   <tr><td>absent ({@code null})</td><td>TERMINATED</td><td>{@code PodDeleted}</td></tr>
 *   <tr><td>Succeeded</td><td>SUCCEEDED</td><td>none; exit code of the main container</td></tr>
 *   <tr><td>Failed</td><td>FAILED</td><td>pod reason ({@code Evicted},
 *       {@code DeadlineExceeded}), else the container's ({@code OOMKilled}, {@code Error}), else
 *       {@code AgentInstallFailed} when the agent's init container failed; {@code AgentLost} when
 *       the in-sandbox agent failed on its own (its termination message says so)</td></tr>
 *   <tr><td>deleting, not yet ended</td><td>TERMINATED</td><td>{@code PodDeleted}</td></tr>
 *   <tr><td>main container terminated, pod phase not yet updated</td><td>SUCCEEDED / FAILED by
 *       exit code</td><td>{@code Error} (or the container's) when non-zero</td></tr>
 *   <tr><td>the agent's init container waiting on one of the reasons below</td><td>FAILED at
 *       once</td><td>that reason; the message names the agent's container</td></tr>
 *   <tr><td>main container waiting on {@code ErrImagePull}, {@code ImagePullBackOff},
 *       {@code ErrImageNeverPull} (pull policy Never, image absent),
 *       {@code InvalidImageName}, {@code CreateContainerConfigError},
 *       {@code CreateContainerError}</td><td>FAILED at once</td><td>that reason, with its
 *       message</td></tr>
 *   <tr><td>Pending, not scheduled</td><td>QUEUED</td><td>{@code Unschedulable} when the
 *       scheduler says so</td></tr>
 *   <tr><td>Pending, scheduled</td><td>CREATING</td><td>the waiting reason, if any</td></tr>
 *   <tr><td>Running, main container running</td><td>RUNNING</td><td>none</td></tr>
 *   <tr><td>Running, main container not yet running</td><td>CREATING</td><td>none</td></tr>
 *   <tr><td>Unknown (node stopped reporting)</td><td>the last reported container state:
 *       RUNNING if it was running, else CREATING</td><td>{@code PodUnknown}</td></tr>
 * </table>
 *
 * <p>Unknown is deliberately not terminal: the pod may still run on a partitioned node, and the
 * node lifecycle controller will either see it again or fail or delete it, which this function
 * then reports.
 */
public final class PodPhases {
  /** Waiting reasons that will not fix themselves: fail fast instead of waiting out a timeout. */
  public static final Set<String> FATAL_WAITING_REASONS = Set.of("ErrImagePull", "ImagePullBackOff",
      "ErrImageNeverPull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError");

  public static final String POD_DELETED = "PodDeleted";
  public static final String POD_UNKNOWN = "PodUnknown";
  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String ERROR = "Error";
  public static final String AGENT_INSTALL_FAILED = "AgentInstallFailed";
  /** The in-sandbox agent failed on its own (its termination message says why): not the command. */
  public static final String AGENT_LOST = "AgentLost";
  /** How the agent's termination message begins (agent/main.go). */
  static final String AGENT_MESSAGE_PREFIX = "sandbox-agent: ";
  public static final String RUNTIME = "kubernetes";

  private PodPhases() {}

  /** The state of the sandbox whose pod is {@code pod}; {@code null} means the pod is gone. */
  public static RuntimeState stateOf(Pod pod) {
    if (pod == null) {
      return new RuntimeState(SandboxPhase.TERMINATED, POD_DELETED, "the pod no longer exists",
          null, null, null, null);
    }
    RuntimeRef ref = new RuntimeRef(RUNTIME, pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(), pod.getSpec() == null ? null : pod.getSpec().getNodeName());
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    String podPhase = status.getPhase() == null ? "Pending" : status.getPhase();
    ContainerState main = mainState(status);
    ContainerStateTerminated terminated = main == null ? null : main.getTerminated();
    Instant started = started(main, status);

    switch (podPhase) {
      case "Succeeded":
        return new RuntimeState(SandboxPhase.SUCCEEDED, null, status.getMessage(),
            terminated == null ? Integer.valueOf(0) : terminated.getExitCode(), started,
            finished(terminated), ref);
      case "Failed": {
        ContainerState install = containerState(status.getInitContainerStatuses(), AgentPods.INSTALL_CONTAINER);
        boolean installFailed = terminated == null && install != null && install.getTerminated() != null
            && !Integer.valueOf(0).equals(install.getTerminated().getExitCode());
        String reason = status.getReason() != null ? status.getReason()
            : agentLost(terminated) ? AGENT_LOST
            : terminated != null && terminated.getReason() != null ? terminated.getReason()
            : installFailed ? AGENT_INSTALL_FAILED : ERROR;
        String message = status.getMessage() != null ? status.getMessage()
            : terminated == null ? null : terminated.getMessage();
        return new RuntimeState(SandboxPhase.FAILED, reason, message,
            terminated == null ? null : terminated.getExitCode(), started, finished(terminated),
            ref);
      }
      default:
        break;
    }
    if (terminated != null) {
      // The kubelet reports the container's end before it updates the pod's phase.
      return ended(terminated, started, ref);
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new RuntimeState(SandboxPhase.TERMINATED, POD_DELETED,
          "the pod is being deleted", null, started, parse(pod.getMetadata().getDeletionTimestamp()),
          ref);
    }
    ContainerState install = containerState(status.getInitContainerStatuses(), AgentPods.INSTALL_CONTAINER);
    ContainerStateWaiting installWaiting = install == null ? null : install.getWaiting();
    if (installWaiting != null && FATAL_WAITING_REASONS.contains(installWaiting.getReason())) {
      return new RuntimeState(SandboxPhase.FAILED, installWaiting.getReason(),
          "the sandbox agent's init container (" + AgentPods.INSTALL_CONTAINER + "): "
              + installWaiting.getMessage(), null, null, null, ref);
    }
    ContainerStateWaiting waiting = main == null ? null : main.getWaiting();
    if (waiting != null && FATAL_WAITING_REASONS.contains(waiting.getReason())) {
      return new RuntimeState(SandboxPhase.FAILED, waiting.getReason(), waiting.getMessage(), null,
          null, null, ref);
    }
    boolean running = main != null && main.getRunning() != null;
    if ("Unknown".equals(podPhase)) {
      return new RuntimeState(running ? SandboxPhase.RUNNING : SandboxPhase.CREATING, POD_UNKNOWN,
          status.getMessage() != null ? status.getMessage()
              : "the pod's node stopped reporting its state", null, started, null, ref);
    }
    if ("Running".equals(podPhase)) {
      return running
          ? new RuntimeState(SandboxPhase.RUNNING, null, null, null, started, null, ref)
          : new RuntimeState(SandboxPhase.CREATING, waiting == null ? null : waiting.getReason(),
              waiting == null ? null : waiting.getMessage(), null, null, null, ref);
    }
    // Pending.
    PodCondition scheduled = condition(status, "PodScheduled");
    boolean isScheduled = scheduled != null ? "True".equals(scheduled.getStatus())
        : pod.getSpec() != null && pod.getSpec().getNodeName() != null;
    if (!isScheduled) {
      boolean unschedulable = scheduled != null && UNSCHEDULABLE.equals(scheduled.getReason());
      return new RuntimeState(SandboxPhase.QUEUED, unschedulable ? UNSCHEDULABLE : null,
          unschedulable ? scheduled.getMessage() : null, null, null, null, ref);
    }
    return new RuntimeState(SandboxPhase.CREATING, waiting == null ? null : waiting.getReason(),
        waiting == null ? null : waiting.getMessage(), null, null, null, ref);
  }

  private static RuntimeState ended(ContainerStateTerminated terminated, Instant started,
      RuntimeRef ref) {
    Integer code = terminated.getExitCode();
    if (code != null && code == 0) {
      return new RuntimeState(SandboxPhase.SUCCEEDED, null, terminated.getMessage(), 0, started,
          finished(terminated), ref);
    }
    String reason = agentLost(terminated) ? AGENT_LOST
        : terminated.getReason() != null && !"Completed".equals(terminated.getReason())
        ? terminated.getReason() : ERROR;
    return new RuntimeState(SandboxPhase.FAILED, reason, terminated.getMessage(), code, started,
        finished(terminated), ref);
  }

  private static boolean agentLost(ContainerStateTerminated terminated) {
    return terminated != null && terminated.getMessage() != null
        && terminated.getMessage().startsWith(AGENT_MESSAGE_PREFIX)
        && !Integer.valueOf(0).equals(terminated.getExitCode());
  }

  private static ContainerState mainState(PodStatus status) {
    return containerState(status.getContainerStatuses(), PodSpecs.MAIN_CONTAINER);
  }

  private static ContainerState containerState(List<ContainerStatus> statuses, String name) {
    if (statuses == null) {
      return null;
    }
    return statuses.stream().filter(s -> name.equals(s.getName())).findFirst()
        .map(ContainerStatus::getState).orElse(null);
  }

  private static PodCondition condition(PodStatus status, String type) {
    return status.getConditions() == null ? null : status.getConditions().stream()
        .filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static Instant started(ContainerState main, PodStatus status) {
    if (main != null && main.getRunning() != null) {
      return parse(main.getRunning().getStartedAt());
    }
    if (main != null && main.getTerminated() != null) {
      return parse(main.getTerminated().getStartedAt());
    }
    return null;
  }

  private static Instant finished(ContainerStateTerminated terminated) {
    return terminated == null ? null : parse(terminated.getFinishedAt());
  }

  private static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

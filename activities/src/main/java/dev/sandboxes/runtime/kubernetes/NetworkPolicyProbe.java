package dev.sandboxes.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Whether the cluster's network enforces the sandboxes' NetworkPolicies, found out the only way
 * that tells: two short-lived pods in the sandboxes' namespace try the same connection to the
 * Kubernetes API server's Service (its address and port from the {@code KUBERNETES_SERVICE_HOST}
 * and {@code KUBERNETES_SERVICE_PORT} the kubelet gives every pod: no DNS involved, so a cluster
 * whose policies block DNS alone is not taken for one that enforces them), one unconfined (the
 * control) and one under a deny-all egress policy like a default sandbox's. The control connects
 * and the confined one does not: enforced. Both connect: not enforced, and no sandbox's egress
 * policy holds. The control does not connect (a namespace policy of the operator's, no
 * {@code nc} in the helper image): unknown.
 *
 * <p>The pods use the volume helper's image ({@code sh}, {@code sleep} and {@code nc}; busybox
 * has them), run as the sandboxes do (restricted Pod Security), carry neither
 * {@link Labels#MANAGED_BY} nor an owner (no sandbox count or reaper sees them), end by
 * themselves within their {@code activeDeadlineSeconds}, and are deleted once read, with any left
 * past that deadline by a worker that died mid-probe (never another worker's running probe). The
 * confined pod tries once a second for {@value #CONFINED_ATTEMPTS} seconds, so that a network
 * plugin that confines a pod only some time after it starts is not taken for one that does not.
 * Only nc's own exit codes count: a pod killed or deleted meanwhile makes the verdict unknown.
 */
public final class NetworkPolicyProbe {
  /** {@link Labels#ROLE} of the probe pods and of the probe's policy. */
  public static final String ROLE = "network-probe";
  /** The label that the deny-all probe policy selects, on the confined pod alone. */
  static final String CONFINED = "sandboxes.dev/network-probe";
  /** The probe's own deny-all egress policy; kept in the namespace once made, like the shared policies. */
  public static final String POLICY_NAME = "sandboxes-network-probe";
  /** What the probe pods try, as the verdict names it. */
  static final String TARGET = "the Kubernetes API server's Service";
  /** How long the kubelet lets a probe pod run. */
  static final long POD_DEADLINE_SECONDS = 60;

  private NetworkPolicyProbe() {}

  /** The outcome: enforced, not enforced, or unknown with why. */
  public enum Verdict { ENFORCED, NOT_ENFORCED, UNKNOWN }

  /** What the probe found, and the detail an operator reads. */
  public record Result(Verdict verdict, String detail, Instant at) {
    public Result {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(at, "at");
    }
  }

  /** The deny-all egress policy that confines the probe's confined pod. */
  static NetworkPolicy policy() {
    return new NetworkPolicyBuilder()
        .withNewMetadata().withName(POLICY_NAME).withLabels(Map.of(Labels.ROLE, ROLE)).endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(Map.of(CONFINED, "confined")).endPodSelector()
          .withPolicyTypes("Egress")
          .withEgress(List.of())
          .withIngress(List.of())
        .endSpec()
        .build();
  }

  /**
   * How many times, a second apart, the confined pod tries before it concludes that nothing
   * confines it: a network plugin may confine a new pod only once it has seen its address, which
   * took over a second on a busy node. The first refused attempt ends it.
   */
  static final int CONFINED_ATTEMPTS = 20;
  /** The confined pod's exit code when every attempt connected. */
  static final int CONNECTED = 0;
  /** busybox nc's exit code when it could not connect (refused, or timed out: dropped). */
  static final int NOT_CONNECTED = 1;

  /** The probe pod {@code name}; {@code confined} carries the label the deny-all policy selects. */
  static Pod pod(String name, boolean confined, KubernetesRuntimeOptions options) {
    String once = "nc -w 3 \"$KUBERNETES_SERVICE_HOST\" \"$KUBERNETES_SERVICE_PORT\" </dev/null";
    String attempt = !confined ? once
        : "i=0; while [ $i -lt " + CONFINED_ATTEMPTS + " ]; do " + once + " || exit " + NOT_CONNECTED
            + "; i=$((i+1)); sleep 1; done; exit " + CONNECTED;
    Map<String, String> labels = confined ? Map.of(Labels.ROLE, ROLE, CONFINED, "confined")
        : Map.of(Labels.ROLE, ROLE);
    Map<String, Quantity> resources = Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi"));
    return new PodBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
          .addNewContainer()
            .withName("probe")
            .withImage(options.helperImage())
            .withImagePullPolicy(options.imagePullPolicy())
            .withCommand("sh", "-c", attempt)
            .withNewResources().withRequests(resources).withLimits(resources).endResources()
            .withSecurityContext(PodSpecs.containerSecurityContext())
          .endContainer()
          .withRestartPolicy("Never")
          .withAutomountServiceAccountToken(false)
          .withEnableServiceLinks(false)
          .withRuntimeClassName(options.runtimeClassName())
          .withActiveDeadlineSeconds(POD_DEADLINE_SECONDS)
          .withTerminationGracePeriodSeconds(0L)
          .withSecurityContext(PodSpecs.podSecurityContext(options))
        .endSpec()
        .build();
  }

  /** The probe pod's exit code once its container ended, or {@code null} while it has not. */
  static Integer exitCode(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
      ContainerStateTerminated ended = status.getState() == null ? null : status.getState().getTerminated();
      if (ended != null) {
        return ended.getExitCode();
      }
    }
    return null;
  }

  /** Whether the probe pod has ended (its container exited, or the pod failed or is gone). */
  static boolean ended(Pod pod) {
    return pod == null || exitCode(pod) != null
        || (pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase()));
  }

  /** The verdict from the two pods' exit codes ({@code null}: did not end in time). */
  static Result verdict(Integer control, Integer confined, Instant at) {
    String target = TARGET;
    if (control == null || confined == null) {
      return new Result(Verdict.UNKNOWN, "the probe pods did not finish in time (control "
          + describe(control) + ", confined " + describe(confined) + ")", at);
    }
    if (control != CONNECTED && control != NOT_CONNECTED) {
      return new Result(Verdict.UNKNOWN, "the unconfined probe pod ended with exit " + control
          + " (killed, or no nc in the helper image), so the check tells nothing", at);
    }
    if (confined != CONNECTED && confined != NOT_CONNECTED) {
      return new Result(Verdict.UNKNOWN, "the confined probe pod ended with exit " + confined
          + " (killed, or deleted by another worker's probe), so the check tells nothing", at);
    }
    if (control != CONNECTED) {
      return new Result(Verdict.UNKNOWN, "an unconfined probe pod could not connect to " + target
          + " either (exit " + control + "), so the check tells nothing (a policy of the namespace's?)", at);
    }
    if (confined == CONNECTED) {
      return new Result(Verdict.NOT_ENFORCED, "a pod under a deny-all egress NetworkPolicy connected to "
          + target + " " + CONFINED_ATTEMPTS + " times in " + CONFINED_ATTEMPTS + " s: this cluster's network"
          + " does not enforce NetworkPolicy (or another policy of the namespace allows that traffic), so"
          + " sandboxes' egress policies (deny-all by default) do not hold; install a network plugin that"
          + " enforces them", at);
    }
    return new Result(Verdict.ENFORCED, "a pod under a deny-all egress NetworkPolicy could not connect to "
        + target + "; an unconfined one could", at);
  }

  private static String describe(Integer exit) {
    return exit == null ? "still running" : "exit " + exit;
  }

  /**
   * Runs the probe in {@code gateway}'s namespace and waits for it at most {@code limit}; an API
   * error (a missing right, a quota) is an unknown verdict naming it. Leaves no pod behind.
   */
  public static Result run(KubernetesGateway gateway, KubernetesRuntimeOptions options, Duration limit) {
    return run(gateway, options, limit, Instant.now());
  }

  /** As above, {@code now} being the time its leftovers' age is told by. */
  static Result run(KubernetesGateway gateway, KubernetesRuntimeOptions options, Duration limit, Instant now) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String control = "sandboxes-network-probe-" + id + "-open";
    String confined = "sandboxes-network-probe-" + id + "-confined";
    try {
      // another worker's probe may be running beside this one (replicas start together): only
      // pods past their deadline are leftovers of a worker that died mid-probe
      for (Pod left : gateway.listPods(Map.of(Labels.ROLE, ROLE))) {
        if (VolumeHelpers.stale(left, now, Duration.ofSeconds(POD_DEADLINE_SECONDS))) {
          gateway.deletePod(left.getMetadata().getName());
        }
      }
      gateway.applyNetworkPolicy(policy());
      gateway.createPod(pod(control, false, options));
      gateway.createPod(pod(confined, true, options));
      Instant deadline = Instant.now().plus(limit);
      Pod controlPod = gateway.awaitPod(control, NetworkPolicyProbe::ended, remaining(deadline));
      Pod confinedPod = gateway.awaitPod(confined, NetworkPolicyProbe::ended, remaining(deadline));
      return verdict(exitCode(controlPod), exitCode(confinedPod), Instant.now());
    } catch (RuntimeException e) {
      return new Result(Verdict.UNKNOWN, "the probe could not run: "
          + (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k ? KubernetesErrors.describe(k) : e.toString()), Instant.now());
    } finally {
      // a worker stopping mid-probe interrupts this thread: the deletes must still go out
      boolean interrupted = Thread.interrupted();
      for (String name : List.of(control, confined)) {
        try {
          gateway.deletePod(name);
        } catch (RuntimeException e) {
          // ends by its deadline; a later probe deletes it
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Duration remaining(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }
}

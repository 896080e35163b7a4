package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Warm pools as pure functions: which specs a pool's pods can serve, the pool's pods, and the
 * change that gives one to a sandbox.
 *
 * <p>A pool pod is the pod of an idle sandbox of the pool's image and size, under the pool's
 * owner, whose agent runs nothing until claimed ({@code --pooled}): it carries no sandbox label,
 * so no sandbox's network policy or watch selects it, and the pool's own deny-all policy covers
 * it. A claim is one optimistic update (the pod's resourceVersion) that adds the sandbox's labels
 * (name, tags), owner and image annotations and its deadline, then one call to the agent with
 * the sandbox's command, environment and working directory. Two claims of one pod cannot both
 * succeed: the second update meets a changed resourceVersion (409) and tries another pod.
 *
 * <p>What a pod cannot take after it started makes a spec ineligible ({@link #ineligibility}):
 * another image or size, volumes (mounts are fixed at creation), an allow list of hosts (its
 * proxy token is in the pod's environment), and {@code args} without
 * {@code command} (the image's entrypoint, which only the kubelet can start). Env, tags, TTL,
 * working directory and egress all apply to a claimed pod.
 */
public final class WarmPools {
  private WarmPools() {}

  /**
   * Why a sandbox of {@code spec} cannot take a pod of {@code pool}, or null when it can. The
   * reasons are for operators (the worker's log and documentation), not errors: an ineligible
   * sandbox starts its own pod.
   */
  public static String ineligibility(SandboxSpec spec, WarmPool pool, KubernetesRuntimeOptions options) {
    if (!options.agentEnabled()) {
      return "the in-sandbox agent is not configured (sandboxes.kubernetes.agent-image)";
    }
    if (!spec.image().equals(pool.image())) {
      return "image " + spec.image() + " is not the pool's " + pool.image();
    }
    if (!sameQuantity(orDefault(spec.cpu(), options.defaultCpu()), orDefault(pool.cpu(), options.defaultCpu()))) {
      return "cpu " + orDefault(spec.cpu(), options.defaultCpu()) + " is not the pool's "
          + orDefault(pool.cpu(), options.defaultCpu());
    }
    if (!sameQuantity(orDefault(spec.memory(), options.defaultMemory()), orDefault(pool.memory(), options.defaultMemory()))) {
      return "memory " + orDefault(spec.memory(), options.defaultMemory()) + " is not the pool's "
          + orDefault(pool.memory(), options.defaultMemory());
    }
    if (!spec.volumeMounts().isEmpty()) {
      return "it mounts volumes (a running pod cannot take mounts)";
    }
    if (!NetworkPolicies.egressOf(spec, options).allowedHosts().isEmpty()) {
      return "it allows hosts (the egress proxy's token is in the pod's environment from its start)";
    }
    if (spec.command().isEmpty() && !spec.args().isEmpty()) {
      return "it gives args without a command (the image's entrypoint cannot be started in a running pod)";
    }
    return null;
  }

  /** The first pool a sandbox of {@code spec} can take a pod of. */
  public static Optional<WarmPool> poolFor(SandboxSpec spec, List<WarmPool> pools, KubernetesRuntimeOptions options) {
    return pools.stream().filter(p -> p.size() > 0 && ineligibility(spec, p, options) == null).findFirst();
  }

  /** A pod of {@code pool} named {@code podName}, owned by the pool's workflow. */
  public static Pod pod(WarmPool pool, String podName, SandboxOwner poolOwner, KubernetesRuntimeOptions options) {
    Pod pod = untemplated(pool, podName, poolOwner, options);
    return new PodBuilder(pod).editMetadata().addToLabels(Labels.POOL_TEMPLATE, template(pool, options)).endMetadata()
        .build();
  }

  /**
   * The digest of the pods {@code pool} makes under {@code options} (their spec, every pod's
   * own name set aside), carried as {@link Labels#POOL_TEMPLATE}: a pod of another digest was
   * made under another definition of the pool (image, size, runtime class, agent image, or the
   * worker's pod layout) and is never claimed.
   */
  public static String template(WarmPool pool, KubernetesRuntimeOptions options) {
    Pod placeholder = untemplated(pool, "template", new SandboxOwner("template", "template"), options);
    return SpecDigests.of(placeholder.getSpec(), "the pod spec of pool " + pool.name());
  }

  /** Whether {@code pod} was made under the pool's current definition ({@code template}). */
  public static boolean current(Pod pod, String template) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && template.equals(labels.get(Labels.POOL_TEMPLATE));
  }

  private static Pod untemplated(WarmPool pool, String podName, SandboxOwner poolOwner, KubernetesRuntimeOptions options) {
    SandboxSpec idle = SandboxSpec.builder(pool.image()).name(podName).cpu(pool.cpu()).memory(pool.memory()).build();
    Pod pooled = AgentPods.decorate(PodSpecs.withoutAgent(idle, poolOwner, options), idle, options, true, false);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.POOL, pool.name());
    labels.put(Labels.POOL_STATE, Labels.POOL_IDLE);
    // twice the maximum lifetime: a claim lowers it to the pod's age plus the sandbox's own
    // deadline, and pool pods are replaced once they are half a lifetime old (KubernetesPools.fill)
    return new PodBuilder(pooled).editMetadata().withLabels(labels).endMetadata()
        .editSpec().withActiveDeadlineSeconds(2 * options.maxLifetime().toSeconds()).endSpec().build();
  }

  /**
   * {@code poolPod} given to the sandbox of {@code spec}: the update a claim sends with the pod's
   * resourceVersion. The pod keeps its name, pool label and everything it runs; it gains the
   * sandbox's labels and annotations, and a deadline that ends it when the sandbox's own would
   * ({@code activeDeadlineSeconds} counts from the pod's start, {@code age} ago, and may only
   * go down).
   */
  public static Pod claimed(Pod poolPod, SandboxSpec spec, SandboxOwner owner, Duration age,
      KubernetesRuntimeOptions options) {
    Map<String, String> labels = new LinkedHashMap<>(poolPod.getMetadata().getLabels());
    labels.putAll(PodSpecs.labels(spec));
    labels.put(Labels.POOL_STATE, Labels.POOL_CLAIMED);
    Map<String, String> annotations = new LinkedHashMap<>(poolPod.getMetadata().getAnnotations());
    annotations.putAll(Owners.annotations(owner));
    annotations.put(Annotations.IMAGE, spec.image());
    long deadline = age.toSeconds() + 1 + PodSpecs.activeDeadlineSeconds(spec, options);
    Long current = poolPod.getSpec().getActiveDeadlineSeconds();
    return PodSpecs.underSharedPolicy(new PodBuilder(poolPod)
        .editMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
        .editSpec().withActiveDeadlineSeconds(current == null ? deadline : Math.min(current, deadline)).endSpec()
        .build(), spec, options);
  }

  /** Whether {@code pod} is a pool pod no sandbox claimed yet. */
  public static boolean idle(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && Labels.POOL_IDLE.equals(labels.get(Labels.POOL_STATE))
        && !labels.containsKey(Labels.SANDBOX);
  }

  private static String orDefault(String value, String fallback) {
    return value != null ? value : fallback;
  }

  private static boolean sameQuantity(String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) == 0;
  }
}

package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pod of a sandbox, as a pure function of its spec, its owner and the runtime options.
 *
 * <p>The pod is hardened for untrusted code whatever the spec says: non-root uid/gid
 * ({@link KubernetesRuntimeOptions#runAsUser()}), no privilege escalation, every capability
 * dropped, seccomp {@code RuntimeDefault}, no service-account token and no service links,
 * requests equal to limits, and optionally a sandboxing {@code runtimeClassName}. Every pod has
 * {@code activeDeadlineSeconds}: its TTL plus a grace, or the runtime's maximum lifetime without
 * a TTL, so the kubelet ends the pod even if the owning workflow was hard-terminated and never
 * cleans up.
 *
 * <p>Labels carry what selectors need (managed-by, sandbox name, one label per tag);
 * annotations carry what only humans and the idempotent create read (owner, image).
 */
public final class PodSpecs {
  private PodSpecs() {}

  /** The container that runs the sandbox's main process (and a volume helper pod's one container). */
  public static final String MAIN_CONTAINER = "sandbox";

  /** The pod for {@code spec}, whose name must be set. */
  public static Pod pod(SandboxSpec spec, SandboxOwner owner, KubernetesRuntimeOptions options) {
    return pod(spec, owner, options, false);
  }

  /**
   * The pod for {@code spec}; with {@code policiesEnforced} (the cluster was found to enforce
   * NetworkPolicy) the agent of a sandbox whose egress denies all or allows hosts alone starts its command only once
   * the pod's policy holds ({@link AgentPods#decorate}).
   */
  public static Pod pod(SandboxSpec spec, SandboxOwner owner, KubernetesRuntimeOptions options,
      boolean policiesEnforced) {
    Pod pod = withoutAgent(spec, owner, options);
    EgressPolicy egress = NetworkPolicies.egressOf(spec, options);
    // deny-all, or hosts alone (the proxy and DNS): either way the API server is out of reach once
    // the policy holds, which is what the agent waits for; an allowed CIDR may include it
    boolean awaitConfined = policiesEnforced && !egress.unrestricted() && egress.allowedCidrs().isEmpty();
    pod = AgentPods.applies(spec, options) ? AgentPods.decorate(pod, spec, options, false, awaitConfined) : pod;
    return underSharedPolicy(pod, spec, options);
  }

  /** {@code pod} labelled for the shared policy that confines {@code spec}'s pod, if one does. */
  static Pod underSharedPolicy(Pod pod, SandboxSpec spec, KubernetesRuntimeOptions options) {
    return NetworkPolicies.sharedFor(spec, options)
        .map(policy -> new PodBuilder(pod).editMetadata()
            .addToLabels(Labels.NETWORK_POLICY, policy.getMetadata().getName()).endMetadata().build())
        .orElse(pod);
  }

  /** The pod for {@code spec} as the kubelet alone would run it, before the agent is added. */
  static Pod withoutAgent(SandboxSpec spec, SandboxOwner owner, KubernetesRuntimeOptions options) {
    String cpu = spec.cpu() != null ? spec.cpu() : options.defaultCpu();
    String memory = spec.memory() != null ? spec.memory() : options.defaultMemory();
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(cpu));
    resources.put("memory", new Quantity(memory));

    Set<String> volumeNames = new LinkedHashSet<>();
    List<VolumeMount> mounts = new ArrayList<>();
    for (Map.Entry<String, String> mount : spec.volumeMounts().entrySet()) {
      volumeNames.add(mount.getValue());
      mounts.add(new VolumeMountBuilder().withName(mount.getValue()).withMountPath(mount.getKey())
          .build());
    }
    List<Volume> volumes = new ArrayList<>();
    for (String volume : volumeNames) {
      volumes.add(new VolumeBuilder().withName(volume)
          .withNewPersistentVolumeClaim(VolumeClaims.claimName(volume), false).build());
    }

    List<EnvVar> env = new ArrayList<>();
    proxyEnvironment(spec, options).forEach((k, v) -> {
      if (!spec.env().containsKey(k)) {
        env.add(new EnvVar(k, v, null));
      }
    });
    spec.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));

    // Kubernetes semantics: command replaces the entrypoint, args its arguments; args alone
    // keep the image's entrypoint. effectiveCommand() is empty exactly in that case.
    List<String> command = spec.effectiveCommand();
    Container main = new ContainerBuilder()
        .withName(MAIN_CONTAINER)
        .withImage(spec.image())
        .withImagePullPolicy(options.imagePullPolicy())
        .withCommand(command.isEmpty() ? null : command)
        .withArgs(spec.args().isEmpty() ? null : spec.args())
        .withEnv(env.isEmpty() ? null : env)
        .withWorkingDir(spec.workdir())
        .withNewResources().withRequests(resources).withLimits(resources).endResources()
        .withVolumeMounts(mounts.isEmpty() ? null : mounts)
        .withSecurityContext(containerSecurityContext())
        .build();

    return new PodBuilder()
        .withNewMetadata()
          .withName(spec.name())
          .withLabels(labels(spec))
          .withAnnotations(annotations(spec, owner))
        .endMetadata()
        .withNewSpec()
          .withContainers(main)
          .withRestartPolicy("Never")
          .withAutomountServiceAccountToken(false)
          .withEnableServiceLinks(false)
          .withRuntimeClassName(options.runtimeClassName())
          .withActiveDeadlineSeconds(activeDeadlineSeconds(spec, options))
          .withVolumes(volumes.isEmpty() ? null : volumes)
          .withSecurityContext(podSecurityContext(options))
        .endSpec()
        .build();
  }

  /**
   * The container-level security context of sandbox, helper and probe pods, as Pod Security
   * Admission {@code restricted} asks: no privilege, no escalation, non-root, no capabilities.
   */
  static io.fabric8.kubernetes.api.model.SecurityContext containerSecurityContext() {
    return new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withRunAsNonRoot(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  /** The pod-level security context of sandbox and helper pods: non-root, one uid, RuntimeDefault seccomp. */
  static io.fabric8.kubernetes.api.model.PodSecurityContext podSecurityContext(KubernetesRuntimeOptions options) {
    return new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(options.runAsUser())
        .withRunAsGroup(options.runAsUser())
        .withFsGroup(options.runAsUser())
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** Labels of a sandbox's objects: managed-by, the sandbox name and one label per tag. */
  public static Map<String, String> labels(SandboxSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>(selector(spec.name()));
    spec.tags().forEach((k, v) -> labels.put(Labels.TAG_PREFIX + k, v));
    return labels;
  }

  /** The labels that select the objects of the sandbox {@code name}. */
  public static Map<String, String> selector(String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.SANDBOX, name);
    return labels;
  }

  private static Map<String, String> annotations(SandboxSpec spec, SandboxOwner owner) {
    Map<String, String> annotations = Owners.annotations(owner);
    annotations.put(Annotations.IMAGE, spec.image());
    return annotations;
  }

  /**
   * The variables that send a sandbox that allows hosts through the egress proxy (none for any
   * other, or without a proxy: the create refuses such a sandbox first). Its token expires when
   * the pod can no longer run: the longest it may wait to be scheduled (its schedule timeout, else
   * {@link SandboxSpec#MAX_PHASE_TIMEOUT}), then its {@code activeDeadlineSeconds}. A variable
   * the spec sets itself is the spec's.
   */
  static Map<String, String> proxyEnvironment(SandboxSpec spec, KubernetesRuntimeOptions options) {
    List<String> hosts = NetworkPolicies.egressOf(spec, options).allowedHosts();
    if (hosts.isEmpty() || options.egressProxy() == null) {
      return Map.of();
    }
    java.time.Duration scheduling = spec.scheduleTimeout() != null ? spec.scheduleTimeout() : SandboxSpec.MAX_PHASE_TIMEOUT;
    return options.egressProxy().environment(spec.name(), hosts,
        scheduling.plusSeconds(activeDeadlineSeconds(spec, options)));
  }

  static long activeDeadlineSeconds(SandboxSpec spec, KubernetesRuntimeOptions options) {
    if (spec.ttl() == null) {
      return options.maxLifetime().toSeconds();
    }
    // Round the TTL up: the backstop must never fire before the workflow's own timer.
    long ttlSeconds = (spec.ttl().toMillis() + 999) / 1000;
    return ttlSeconds + options.ttlGrace().toSeconds();
  }
}

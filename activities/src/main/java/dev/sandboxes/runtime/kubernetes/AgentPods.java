package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The in-sandbox agent added to a sandbox's pod, as a pure Pod → Pod transform (the emissary
 * pattern): an init container from the agent's image copies {@code /sandbox-agent} into an
 * {@code emptyDir}; the main container, still from the user's image, runs the copy as its first
 * process, which starts the sandbox's command (or idles), passes its output, signals and exit
 * code through, and serves exec on {@link KubernetesRuntimeOptions#agentPort()}. The user's image
 * is not changed and needs nothing (no shell, no libc: the agent is static).
 *
 * <p>The agent requires a bearer token on every request. It comes from the sandbox's own Secret
 * ({@link #secret}), mounted read-only into the main container alone: other pods cannot read it
 * (sandbox pods carry no service-account token), and it never passes through Temporal's history.
 *
 * <p>A spec with {@code args} but no {@code command} keeps the image's entrypoint, which the pod
 * spec cannot name, so such a sandbox runs without the agent ({@link #applies} is false) and exec
 * goes through the kubelet. The pod's {@link Annotations#AGENT_PORT} annotation records which way
 * a pod was made, so exec follows the pod, not the worker's current settings.
 */
final class AgentPods {
  static final String INSTALL_CONTAINER = "sandbox-agent-install";
  static final String BIN_VOLUME = "sandbox-agent";
  static final String BIN_DIR = "/.sandbox-agent";
  static final String TOKEN_VOLUME = "sandbox-agent-token";
  static final String TOKEN_DIR = "/.sandbox-agent-token";
  static final String TOKEN_KEY = "token";
  static final String PORT_NAME = "sandbox-agent";

  private AgentPods() {}

  /** Whether a sandbox of {@code spec} runs with the agent under {@code options}. */
  static boolean applies(SandboxSpec spec, KubernetesRuntimeOptions options) {
    return options.agentEnabled() && (spec.idles() || !spec.command().isEmpty());
  }

  /** The name of the Secret that holds a sandbox's agent token. */
  static String secretName(String sandbox) {
    return sandbox + "-agent";
  }

  /** The Secret holding {@code token}, labelled and annotated like the sandbox's other objects. */
  static Secret secret(String sandbox, String token, SandboxOwner owner) {
    return new SecretBuilder()
        .withNewMetadata()
          .withName(secretName(sandbox))
          .withLabels(PodSpecs.selector(sandbox))
          .withAnnotations(Owners.annotations(owner))
        .endMetadata()
        .withType("Opaque")
        .withStringData(Map.of(TOKEN_KEY, token))
        .withImmutable(true)
        .build();
  }

  /**
   * The token a Secret holds: in {@code data} as the API server returns it, or in
   * {@code stringData} as written (a server that has not converted it); null when absent.
   */
  static String token(Secret secret) {
    if (secret.getData() != null && secret.getData().get(TOKEN_KEY) != null) {
      return new String(java.util.Base64.getDecoder().decode(secret.getData().get(TOKEN_KEY)),
          java.nio.charset.StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(TOKEN_KEY);
  }

  /** {@code pod} (built by {@link PodSpecs#pod}) with the agent installed in front of its command. */
  static Pod decorate(Pod pod, SandboxSpec spec, KubernetesRuntimeOptions options) {
    return decorate(pod, spec, options, false, false);
  }

  /**
   * {@code pod} with the agent installed; {@code pooled}: a warm pool's pod, whose agent runs
   * nothing until a sandbox claims it ({@code --pooled}); {@code awaitConfined}: the agent starts
   * nothing until the pod's deny-all egress policy holds ({@code --await-confined}; never for a
   * pool's pod).
   */
  static Pod decorate(Pod pod, SandboxSpec spec, KubernetesRuntimeOptions options, boolean pooled,
      boolean awaitConfined) {
    Container main = pod.getSpec().getContainers().get(0);
    List<String> command = new ArrayList<>(List.of(BIN_DIR + "/sandbox-agent", "run",
        "--token-file", TOKEN_DIR + "/" + TOKEN_KEY,
        "--state-dir", BIN_DIR + "/state",
        "--listen", ":" + options.agentPort()));
    if (awaitConfined && !pooled) {
      command.add("--await-confined");
    }
    if (pooled) {
      command.add("--pooled");
    } else if (spec.idles()) {
      command.add("--idle");
    } else {
      command.add("--");
      command.addAll(spec.command());
    }
    Container wrapped = new ContainerBuilder(main)
        .withCommand(command)
        .addNewPort().withName(PORT_NAME).withContainerPort(options.agentPort())
          .withProtocol("TCP").endPort()
        .addNewVolumeMount().withName(BIN_VOLUME).withMountPath(BIN_DIR).endVolumeMount()
        .addNewVolumeMount().withName(TOKEN_VOLUME).withMountPath(TOKEN_DIR).withReadOnly(true)
          .endVolumeMount()
        .build();
    Container install = new ContainerBuilder()
        .withName(INSTALL_CONTAINER)
        .withImage(options.agentImage())
        .withImagePullPolicy(options.imagePullPolicy())
        .withCommand("/sandbox-agent", "install", BIN_DIR + "/sandbox-agent")
        // the sandbox's own resources: a pod requests the larger of its init and main containers,
        // so anything more here would make every small sandbox bigger (ten-millicore sandboxes
        // filled the rig's node when this was a fixed 50m)
        .withResources(main.getResources())
        .addNewVolumeMount().withName(BIN_VOLUME).withMountPath(BIN_DIR).endVolumeMount()
        .withSecurityContext(main.getSecurityContext())
        .build();
    return new PodBuilder(pod)
        .editMetadata()
          .addToAnnotations(Annotations.AGENT_PORT, Integer.toString(options.agentPort()))
        .endMetadata()
        .editSpec()
          .withInitContainers(install)
          .withContainers(wrapped)
          .addNewVolume().withName(BIN_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
          .addNewVolume().withName(TOKEN_VOLUME).withNewSecret()
            .withSecretName(secretName(spec.name())).withDefaultMode(0440).withOptional(false)
          .endSecret().endVolume()
        .endSpec()
        .build();
  }

  /** The agent's port recorded on {@code pod}, or -1 when the pod runs without the agent. */
  static int port(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String port = annotations == null ? null : annotations.get(Annotations.AGENT_PORT);
    if (port == null) {
      return -1;
    }
    try {
      return Integer.parseInt(port);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

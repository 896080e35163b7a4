package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.runtime.Ownership;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.agent.AgentEndpoint;
import dev.sandboxes.runtime.agent.AgentExec;
import dev.sandboxes.runtime.agent.AgentGateway;
import dev.sandboxes.runtime.agent.OutputFrames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents of {@link KubernetesSandboxes}' pods ({@link AgentPods}): their tokens, how to
 * reach them, and exec through them.
 *
 * <p>A token is 32 random bytes made by the worker at create time and kept in the sandbox's
 * Secret; a worker that needs it (any replica, or one restarted) reads it once per pod and
 * keeps it in memory. Agents are reached on the pod's IP, or, with
 * {@link KubernetesRuntimeOptions.AgentAccess#PORT_FORWARD}, through one port-forward per pod
 * kept open for later execs and closed when the sandbox is deleted or the forward fails.
 */
final class KubernetesAgents implements AutoCloseable {
  private static final int TOKEN_CACHE = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesGateway gateway;
  private final KubernetesRuntimeOptions options;
  private final AgentGateway agents;
  // pod "name/uid" -> token; bounded, since a pod another worker deleted is never forgotten here
  private final Map<String, String> tokens = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > TOKEN_CACHE;
        }
      });
  private final Map<String, LocalPortForward> forwards = new ConcurrentHashMap<>();

  KubernetesAgents(KubernetesGateway gateway, KubernetesRuntimeOptions options) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.agents = new AgentGateway(Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /**
   * Creates the sandbox's token Secret, or keeps the one an earlier attempt of the same owner
   * created; a Secret of that name recording another owner is a name conflict.
   */
  void ensureSecret(String sandbox, SandboxOwner owner) {
    ensureSecret(sandbox, owner, Map.of());
  }

  /** {@link #ensureSecret(String, SandboxOwner)} with {@code labels} added (a pool pod's: its pool). */
  void ensureSecret(String sandbox, SandboxOwner owner, Map<String, String> labels) {
    try {
      Secret secret = AgentPods.secret(sandbox, newToken(), owner);
      secret.getMetadata().getLabels().putAll(labels);
      gateway.createSecret(secret);
    } catch (KubernetesClientException e) {
      if (!KubernetesErrors.isConflict(e)) {
        throw e;
      }
      Secret existing = gateway.getSecret(AgentPods.secretName(sandbox));
      if (existing == null) {
        throw e;
      }
      Ownership.require("secret " + gateway.namespace() + "/" + AgentPods.secretName(sandbox),
          Owners.of(existing), owner);
    }
  }

  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Runs {@code request} through the agent of {@code pod} (a running sandbox pod with the agent). */
  ExecResult exec(Pod pod, ExecRequest request) throws InterruptedException {
    // the workflows give every exec an ID; a caller of the runtime alone may not
    String execId = request.id() != null ? request.id() : "x-" + UUID.randomUUID();
    AgentEndpoint endpoint = endpoint(pod);
    try {
      return AgentExec.run(agents, endpoint, execId, request, options.execOutputCapBytes(), null);
    } catch (PlatformException e) {
      if (e.retryable()) {
        dropForward(key(pod));
      }
      throw e;
    }
  }

  /**
   * Gives the pool pod {@code pod} (claimed for the sandbox of {@code spec}) the sandbox's
   * command, environment and working directory through its agent; a repeat is a no-op.
   */
  void claim(Pod pod, dev.sandboxes.model.SandboxSpec spec) throws InterruptedException {
    java.util.List<String> command = new java.util.ArrayList<>(spec.command());
    command.addAll(spec.args());
    AgentEndpoint endpoint = endpoint(pod);
    try {
      agents.claim(endpoint, spec.name(), command, spec.env(), spec.workdir());
    } catch (PlatformException e) {
      if (e.retryable()) {
        dropForward(key(pod));
      }
      throw e;
    }
  }

  /** Reads an exec's output through the agent of {@code pod} (see {@link AgentGateway#read}). */
  ExecOutputChunk read(Pod pod, ExecOutputRequest request) throws InterruptedException {
    AgentEndpoint endpoint = endpoint(pod);
    try {
      return agents.read(endpoint, request.execId(), request.offset(), request.effectiveWait(),
          OutputFrames.READ_MAX_BYTES);
    } catch (PlatformException e) {
      if (e.retryable()) {
        dropForward(key(pod));
      }
      throw e;
    }
  }


  private AgentEndpoint endpoint(Pod pod) {
    String name = pod.getMetadata().getName();
    int port = AgentPods.port(pod);
    String token = token(pod);
    if (options.agentAccess() == KubernetesRuntimeOptions.AgentAccess.PORT_FORWARD) {
      LocalPortForward forward = forwards.computeIfAbsent(key(pod), k -> gateway.portForward(name, port));
      return new AgentEndpoint(URI.create("http://127.0.0.1:" + forward.getLocalPort()), token);
    }
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isEmpty()) {
      throw new PlatformException(SandboxErrors.AGENT_UNAVAILABLE, true,
          "sandbox " + name + "'s pod has no IP yet, so its agent cannot be reached", null);
    }
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    return new AgentEndpoint(URI.create("http://" + host + ":" + port), token);
  }

  private String token(Pod pod) {
    String key = key(pod);
    String token = tokens.get(key);
    if (token != null) {
      return token;
    }
    String name = pod.getMetadata().getName();
    Secret secret;
    try {
      secret = gateway.getSecret(AgentPods.secretName(name));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read the agent token of sandbox " + name);
    }
    token = secret == null ? null : AgentPods.token(secret);
    if (token == null) {
      throw new PlatformException(SandboxErrors.AGENT_REFUSED, false, "sandbox " + name
          + "'s agent token (secret " + AgentPods.secretName(name) + ", key " + AgentPods.TOKEN_KEY
          + ") is missing, so its agent cannot be called", null);
    }
    tokens.put(key, token);
    return token;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getName() + "/" + pod.getMetadata().getUid();
  }

  /** Forgets what is kept for the sandbox {@code name} (its pod is being deleted). */
  void forget(String name) {
    String prefix = name + "/";
    tokens.keySet().removeIf(k -> k.startsWith(prefix));
    forwards.keySet().stream().filter(k -> k.startsWith(prefix)).toList().forEach(this::dropForward);
  }

  private void dropForward(String key) {
    LocalPortForward forward = forwards.remove(key);
    if (forward != null) {
      try {
        forward.close();
      } catch (IOException ignored) {
        // the listener is gone either way
      }
    }
  }

  @Override
  public void close() {
    forwards.keySet().stream().toList().forEach(this::dropForward);
    agents.close();
  }
}

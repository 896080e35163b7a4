package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.runtime.Ownership;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxPlatform;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sandboxes of {@link KubernetesRuntime}: one bare pod per sandbox (restart policy Never),
 * confined by the namespace's shared NetworkPolicy when its egress denies all (the default), or
 * by one of its own that allows what its egress allows ({@link NetworkPolicies}).
 *
 * <p>Create is get-or-create: it looks the pod up first, so a retried or restarted worker
 * adopts the pod it created (same owner first-run ID in the annotations) instead of creating a
 * twin, and refuses a pod of that name that belongs to someone else. The NetworkPolicy is
 * applied before the pod exists, so the pod never runs unconfined; a sandbox's own policy is
 * deleted explicitly with its pod (they are not linked by owner references, which would require
 * creating the pod first). A create refused by a ResourceQuota returns {@code QUEUED} with reason
 * {@code QuotaExceeded} and creates no pod: call create again later.
 *
 * <p>With an agent image configured, a sandbox's pod runs the in-sandbox agent
 * ({@link AgentPods}), its token lives in a Secret created before the pod and deleted with it,
 * and exec goes through the agent ({@link KubernetesAgents}); a pod without the agent (made
 * before it was configured, or whose spec keeps the image's entrypoint) execs through the
 * kubelet.
 *
 * <p>Phases come only from {@link PodPhases}; waiting uses the gateway's pod informer
 * ({@link PodWaits}).
 */
final class KubernetesSandboxes implements SandboxPlatform {
  /** How long delete waits for a terminating pod to disappear. */
  static final Duration DELETE_WAIT = Duration.ofSeconds(60);
  /** How long a wait gives the informer to deliver a pod just created or claimed before it asks the API server. */
  static final Duration FIRST_SIGHT = Duration.ofSeconds(2);
  /** How long a shared policy this worker applied is taken to be there still. */
  static final Duration SHARED_POLICY_RECHECK = Duration.ofMinutes(1);

  private final KubernetesGateway gateway;
  private final KubernetesRuntimeOptions options;
  private final KubernetesAgents agents;
  private final KubernetesPools pools;
  /** When this worker last applied each shared policy ({@link NetworkPolicies#shared}). */
  private final Map<String, Instant> sharedPoliciesApplied = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Set once the start-up probe found NetworkPolicy enforced ({@link NetworkPolicyProbe}): from
   * then on a deny-all sandbox's agent waits for its pod's policy before it starts the command.
   * Unset (an unknown or unenforcing network), nothing waits for a confinement that may never come.
   */
  private volatile boolean policiesEnforced;

  void policiesEnforced(boolean enforced) {
    this.policiesEnforced = enforced;
  }

  KubernetesSandboxes(KubernetesGateway gateway, KubernetesRuntimeOptions options) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.agents = new KubernetesAgents(gateway, options);
    this.pools = new KubernetesPools(gateway, options, agents);
  }

  /** The warm pools' side: filling them and their counts. */
  KubernetesPools pools() {
    return pools;
  }

  /** Closes what the agents' connections hold (port-forwards). */
  void close() {
    agents.close();
  }

  @Override
  public RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    String name = spec.name();
    if (spec.ttl() != null && spec.ttl().compareTo(options.maxLifetime()) > 0) {
      throw new InvalidSpecException("sandbox spec", List.of(new Violation("ttl",
          "must be at most the runtime's maximum sandbox lifetime of " + options.maxLifetime()
              + ", got " + spec.ttl())));
    }
    if (!NetworkPolicies.egressOf(spec, options).allowedHosts().isEmpty() && options.egressProxy() == null) {
      throw new InvalidSpecException("sandbox spec", List.of(new Violation("egress.allowedHosts",
          "needs the worker's egress proxy (sandboxes.kubernetes.egress-proxy.*, the chart's "
              + "sandboxes.egressProxy), which this worker does not have; allow CIDRs instead, or enable it")));
    }
    try {
      Pod existing = earlierPod(name);
      if (existing != null) {
        return adopt(existing, spec, owner);
      }
      boolean agent = AgentPods.applies(spec, options);
      java.util.Optional<NetworkPolicy> shared = NetworkPolicies.sharedFor(spec, options);
      if (shared.isPresent()) {
        ensureShared(shared.get());
      } else {
        NetworkPolicies.of(name, NetworkPolicies.egressOf(spec, options), owner, agent ? options.agentIngress() : null,
                options.egressProxy(), options.clusterDns())
            .ifPresent(gateway::applyNetworkPolicy);
      }
      java.util.Optional<WarmPool> pool = WarmPools.poolFor(spec, options.pools(), options);
      if (pool.isPresent()) {
        // the sandbox's policy exists already: the claimed pod is under it from the update on
        Pod claimed = pools.claim(pool.get(), spec, owner);
        if (claimed != null) {
          return adopt(claimed, spec, owner);
        }
        // the pool has no ready pod: the sandbox starts its own
      }
      if (agent) {
        // before the pod, so that its token volume mounts at once
        agents.ensureSecret(name, owner);
      }
      try {
        return PodPhases.stateOf(gateway.createPod(PodSpecs.pod(spec, owner, options, policiesEnforced)));
      } catch (KubernetesClientException e) {
        if (KubernetesErrors.isConflict(e)) {
          Pod raced = gateway.getPod(name);
          if (raced != null) {
            return adopt(raced, spec, owner);
          }
        }
        if (KubernetesErrors.isQuotaExceeded(e)) {
          return new RuntimeState(SandboxPhase.QUEUED, SandboxReason.QUOTA_EXCEEDED.wireName(), KubernetesErrors.describe(e),
              null, null, null, new RuntimeRef(PodPhases.RUNTIME, gateway.namespace(), name, null));
        }
        // A create that fails leaves nothing: the workflow deletes only what a create returned.
        deletePolicyOfFailedCreate(name, e);
        throw e;
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        // On create, 404 can only mean the namespace is missing: a setup error, not a sandbox.
        throw new PlatformException(SandboxErrors.RUNTIME_REJECTED, false, "create sandbox " + name
            + ": namespace \"" + gateway.namespace() + "\" does not exist", e);
      }
      throw KubernetesErrors.translate(e, "create sandbox " + name);
    }
  }

  /**
   * Applies a shared policy unless this worker did so within {@link #SHARED_POLICY_RECHECK}: two
   * requests a minute instead of two per sandbox, and one deleted behind the worker's back is
   * back within a minute of the next create.
   */
  private void ensureShared(NetworkPolicy policy) {
    String policyName = policy.getMetadata().getName();
    if (recentlyApplied(policyName)) {
      return;
    }
    // one apply at a time: the creates that come together after a start (or a recheck) wait
    // for it rather than each sending their own
    synchronized (sharedPoliciesApplied) {
      if (!recentlyApplied(policyName)) {
        gateway.applyNetworkPolicy(policy);
        sharedPoliciesApplied.put(policyName, Instant.now());
      }
    }
  }

  private boolean recentlyApplied(String policyName) {
    Instant last = sharedPoliciesApplied.get(policyName);
    return last != null && last.isAfter(Instant.now().minus(SHARED_POLICY_RECHECK));
  }

  private void deletePolicyOfFailedCreate(String name, KubernetesClientException failure) {
    try {
      gateway.deleteNetworkPolicy(NetworkPolicies.policyName(name));
      gateway.deleteSecret(AgentPods.secretName(name));
    } catch (KubernetesClientException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * The state of the pod an earlier attempt of this owner made or claimed; a pool pod's agent is
   * given the sandbox's command (again: the claim is idempotent, and a retry after a lost worker
   * may come between the update and the agent's claim).
   */
  private RuntimeState adopt(Pod pod, SandboxSpec spec, SandboxOwner owner) {
    Ownership.require("pod " + gateway.namespace() + "/" + pod.getMetadata().getName(), Owners.of(pod), owner);
    if (isPoolPod(pod) && PodPhases.stateOf(pod).phase() == SandboxPhase.RUNNING) {
      try {
        agents.claim(pod, spec);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, true,
            "interrupted while claiming pool pod " + pod.getMetadata().getName() + " for sandbox " + spec.name(), e);
      }
    }
    return PodPhases.stateOf(pod);
  }

  /**
   * The pod an earlier attempt of a create made or claimed, or null: with pools, one request
   * (its label finds both a pod of its own name and a claimed pool pod, whatever the informer has
   * seen yet); without, the pod of its name.
   */
  private Pod earlierPod(String name) {
    if (options.pools().isEmpty()) {
      return gateway.getPod(name);
    }
    List<Pod> labelled = gateway.listPods(PodSpecs.selector(name));
    return labelled.isEmpty() ? null : labelled.get(0);
  }

  private static boolean isPoolPod(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && labels.containsKey(Labels.POOL);
  }

  /**
   * The name of the pod of the sandbox {@code name}: its own name, or a claimed pool pod's, which
   * the informer's index by the sandbox label finds without a request.
   */
  private String podName(String name) {
    if (options.pools().isEmpty()) {
      return name;
    }
    List<Pod> labelled = gateway.cachedPodsOfSandbox(name);
    return labelled.isEmpty() ? name : labelled.get(0).getMetadata().getName();
  }

  /**
   * The pod of the sandbox {@code name}, read from the API server, or null. With pools, a pod
   * the informer has not seen claimed yet (another worker's claim, just now) is listed by label.
   */
  private Pod podOf(String name) {
    Pod pod = gateway.getPod(podName(name));
    if (pod == null && !options.pools().isEmpty()) {
      List<Pod> listed = gateway.listPods(PodSpecs.selector(name));
      pod = listed.isEmpty() ? null : listed.get(0);
    }
    return pod;
  }

  @Override
  public RuntimeState inspect(String name) {
    return PodPhases.stateOf(existingPod(name));
  }

  /**
   * The sandbox's pod as the informer holds it when that copy is {@code enough} for the caller
   * (a request saved), else as the API server has it ({@link #existingPod}): an informer a few
   * milliseconds behind must not make a running sandbox look as if it were still starting.
   */
  private Pod knownPod(String name, java.util.function.Predicate<Pod> enough) {
    List<Pod> cached = gateway.cachedPodsOfSandbox(name);
    if (cached.size() == 1 && cached.get(0).getMetadata().getDeletionTimestamp() == null
        && enough.test(cached.get(0))) {
      return cached.get(0);
    }
    return existingPod(name);
  }

  private static boolean running(Pod pod) {
    return PodPhases.stateOf(pod).phase() == SandboxPhase.RUNNING;
  }

  private static boolean started(Pod pod) {
    SandboxPhase phase = PodPhases.stateOf(pod).phase();
    return phase != SandboxPhase.QUEUED && phase != SandboxPhase.CREATING;
  }

  /**
   * The sandbox's pod as the informer holds it; one just created or claimed that a synced
   * informer has not delivered yet is waited for, up to {@link #FIRST_SIGHT}, rather than read;
   * after that, or before the informer has synced, from the API server (null when it has none).
   */
  private Pod sightedPod(String name) throws InterruptedException {
    if (gateway.informerSynced() && !gateway.seenDeleted(name)) {
      List<Pod> seen = PodWaits.await(() -> gateway.nextSandboxChange(name),
          () -> gateway.cachedPodsOfSandbox(name), pods -> !pods.isEmpty() || gateway.seenDeleted(name),
          Instant.now().plus(FIRST_SIGHT));
      if (!seen.isEmpty()) {
        return seen.get(0);
      }
    }
    return podOf(name);
  }

  private Pod existingPod(String name) {
    Pod pod;
    try {
      pod = podOf(name);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read sandbox " + name);
    }
    if (pod == null) {
      throw new SandboxNotFoundException(
          "sandbox \"" + name + "\" has no pod in namespace " + gateway.namespace());
    }
    return pod;
  }

  /**
   * Waits on the pod informer. Each round takes the pod's next-change future before reading
   * its state, so an event between the read and the wait still wakes it. Reads come from the
   * informer's cache; a GET is made only when the cache does not hold the pod, to tell "not
   * seen yet" from "gone". A pod deleted during the wait is reported as TERMINATED
   * ({@code PodDeleted}); one that never existed is {@link SandboxNotFoundException}.
   */
  @Override
  public RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait)
      throws InterruptedException {
    try {
      Pod current = sightedPod(name);
      if (current == null) {
        throw new SandboxNotFoundException(
            "sandbox \"" + name + "\" has no pod in namespace " + gateway.namespace());
      }
      Pod pod = PodWaits.awaitPod(gateway, current.getMetadata().getName(),
          p -> p == null || PodPhases.stateOf(p).phase() != known, Instant.now().plus(maxWait));
      return PodPhases.stateOf(pod);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "watch sandbox " + name);
    }
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    Pod pod = knownPod(name, KubernetesSandboxes::running);
    RuntimeState state = PodPhases.stateOf(pod);
    if (state.phase() != SandboxPhase.RUNNING) {
      throw new SandboxNotRunningException(name, "exec", state.phase());
    }
    if (AgentPods.port(pod) > 0) {
      return agents.exec(pod, request);
    }
    byte[] streamedStdin = request.stdin() != null && !ExecCommands.stdinInArgv(request)
        ? request.stdin().getBytes(StandardCharsets.UTF_8) : null;
    try {
      return gateway.exec(pod.getMetadata().getName(), ExecCommands.argv(request), streamedStdin,
          request.effectiveTimeout(), options.execOutputCapBytes());
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "exec in sandbox " + name);
    }
  }

  @Override
  public ExecOutputChunk execOutput(String name, ExecOutputRequest request) throws InterruptedException {
    Pod pod = knownPod(name, p -> true);
    if (AgentPods.port(pod) < 0) {
      return SandboxPlatform.super.execOutput(name, request);
    }
    return agents.read(pod, request);
  }

  /** True for a pod that runs the agent, which keeps every exec by ID for the pod's life. */
  @Override
  public boolean reattaches(String name) {
    return AgentPods.port(knownPod(name, p -> true)) > 0;
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    Pod pod = knownPod(name, KubernetesSandboxes::started);
    SandboxPhase phase = PodPhases.stateOf(pod).phase();
    if (phase == SandboxPhase.QUEUED || phase == SandboxPhase.CREATING) {
      return LogChunk.empty();
    }
    try {
      // One line more than asked: if it comes back, older lines exist.
      String text = gateway.log(pod.getMetadata().getName(), request.effectiveTail() + 1, request.since());
      return PodLogs.parse(text, request);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 400) {
        // The container has not started (or failed before starting): it has no log yet.
        return LogChunk.empty();
      }
      throw KubernetesErrors.translate(e, "read logs of sandbox " + name);
    }
  }

  @Override
  public void delete(String name) {
    String pod;
    try {
      Pod found = options.pools().isEmpty() ? null : podOf(name);
      pod = found == null ? name : found.getMetadata().getName();
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "find the pod of sandbox " + name);
    }
    agents.forget(pod);
    // the pod as the informer holds it tells which objects the sandbox has besides: none of its
    // own policy under a shared one, no token without the agent; a pod it has not seen may have both
    List<Pod> cached = gateway.cachedPodsOfSandbox(name);
    boolean ownPolicy = cached.isEmpty()
        || cached.stream().anyMatch(p -> !p.getMetadata().getLabels().containsKey(Labels.NETWORK_POLICY));
    boolean token = cached.isEmpty() || cached.stream().anyMatch(p -> AgentPods.port(p) > 0);
    try {
      gateway.deletePod(pod);
      if (ownPolicy) {
        gateway.deleteNetworkPolicy(NetworkPolicies.policyName(name));
      }
      if (token) {
        gateway.deleteSecret(AgentPods.secretName(pod));
      }
      if (token && !pod.equals(name)) {
        // a claimed pool pod's token is its own Secret's; none was made under the sandbox's name
        gateway.deleteSecret(AgentPods.secretName(name));
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw KubernetesErrors.translate(e, "delete sandbox " + name);
      }
    }
    awaitGone(pod, DELETE_WAIT);
  }

  /**
   * Deletion is graceful on a real cluster: the pod terminates, then disappears. Waits for that
   * on the informer, so a terminate that returns means the pod is gone; a pod still terminating
   * after {@code limit} is left to the kubelet (it carries a deletion timestamp already).
   */
  private void awaitGone(String name, Duration limit) {
    try {
      // a pod the informer saw deleted is gone: no request to confirm it
      PodWaits.awaitPod(gateway, name, Objects::isNull, Instant.now().plus(limit), pod -> {
        Pod cached = gateway.cachedPod(pod);
        return cached != null || gateway.seenDeleted(pod) ? cached : gateway.getPod(pod);
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "watch the deletion of sandbox " + name);
    }
  }
}

package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.PoolStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The warm pools of {@link KubernetesSandboxes} ({@link WarmPools}): filling them and claiming
 * their pods.
 *
 * <p>A claim is an optimistic update: the pod as last seen (its resourceVersion) with the
 * sandbox's labels; a pod another claim changed first answers 409 and the next ready pod is
 * tried, in random order so that concurrent creates rarely meet. An update whose answer was
 * lost and that fabric8 re-sent answers 409 too: the pod is read again and kept when it already
 * carries this sandbox and owner. A pod is never returned to its pool.
 *
 * <p>Filling makes a pool's idle pods number its size again: it deletes idle pods that ended
 * (their agent failed), that are old enough that a sandbox's deadline could no longer fit, and,
 * newest first, those beyond the size (a pool that shrank); then it creates the missing ones, at
 * most {@code maxCreates} in one call (the pool's refill rate). Each pool pod has its own agent
 * token Secret, which goes with the pod to the sandbox that claims it.
 */
final class KubernetesPools {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesGateway gateway;
  private final KubernetesRuntimeOptions options;
  private final KubernetesAgents agents;
  private final Map<WarmPool, String> templates = new java.util.concurrent.ConcurrentHashMap<>();

  KubernetesPools(KubernetesGateway gateway, KubernetesRuntimeOptions options, KubernetesAgents agents) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.agents = Objects.requireNonNull(agents, "agents");
  }

  /**
   * Gives a ready idle pod of {@code pool} to the sandbox of {@code spec}: the pod as updated,
   * or null when the pool has no ready pod left (the sandbox then starts its own).
   */
  Pod claim(WarmPool pool, SandboxSpec spec, SandboxOwner owner) {
    String template = template(pool);
    List<Pod> ready = new ArrayList<>(poolPods(pool).stream().filter(p -> claimable(p, template)).toList());
    Collections.shuffle(ready, RANDOM);
    for (Pod pod : ready) {
      Instant started = pod.getStatus().getStartTime() == null ? Instant.now()
          : Instant.parse(pod.getStatus().getStartTime());
      try {
        return gateway.updatePod(WarmPools.claimed(pod, spec, owner, Duration.between(started, Instant.now()), options));
      } catch (KubernetesClientException e) {
        if (!KubernetesErrors.isConflict(e) && e.getCode() != 404) {
          throw e;
        }
        // claimed by another create first, or gone; or this very update landed and its answer was lost
        Pod now = gateway.getPod(pod.getMetadata().getName());
        if (now != null && spec.name().equals(label(now, Labels.SANDBOX)) && owner.equals(Owners.of(now))) {
          return now;
        }
      }
    }
    return null;
  }

  /** Makes {@code pool}'s idle pods number its size again, creating at most {@code maxCreates}. */
  PoolStatus fill(WarmPool pool, SandboxOwner poolOwner, int maxCreates) {
    gateway.applyNetworkPolicy(policy(pool, poolOwner));
    List<Pod> pods = gateway.listPods(Map.of(Labels.POOL, pool.name()));
    String template = template(pool);
    List<Pod> idle = new ArrayList<>();
    Duration refreshAfter = options.maxLifetime().dividedBy(2);
    for (Pod pod : pods) {
      if (!WarmPools.idle(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      SandboxPhase phase = PodPhases.stateOf(pod).phase();
      boolean ended = phase == SandboxPhase.SUCCEEDED || phase == SandboxPhase.FAILED || phase == SandboxPhase.TERMINATED;
      boolean old = pod.getStatus() != null && pod.getStatus().getStartTime() != null
          && Instant.parse(pod.getStatus().getStartTime()).plus(refreshAfter).isBefore(Instant.now());
      // made under an earlier definition of the pool: never claimed, so replaced at once
      boolean stale = !WarmPools.current(pod, template);
      if (ended || old || stale) {
        delete(pod);
      } else {
        idle.add(pod);
      }
    }
    // a pool that shrank gives up its newest idle pods, the ones least likely to be ready
    idle.sort(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp()).reversed());
    while (idle.size() > pool.size()) {
      delete(idle.remove(0));
    }
    // a pool pod's token Secret stays its pool's when a sandbox claims the pod, and goes with the
    // pod on the sandbox's delete; one whose pod is gone some other way (the reaper, the
    // kubelet's deadline) goes here
    java.util.Set<String> podNames = new java.util.HashSet<>();
    pods.forEach(p -> podNames.add(p.getMetadata().getName()));
    for (io.fabric8.kubernetes.api.model.Secret secret : gateway.listSecrets(Map.of(Labels.POOL, pool.name()))) {
      String podName = secret.getMetadata().getName().substring(0,
          Math.max(0, secret.getMetadata().getName().length() - AgentPods.secretName("").length()));
      if (!podNames.contains(podName)) {
        gateway.deleteSecret(secret.getMetadata().getName());
      }
    }
    int create = Math.min(pool.size() - idle.size(), Math.max(0, maxCreates));
    for (int i = 0; i < create; i++) {
      String name = pool.name() + "." + suffix();
      agents.ensureSecret(name, poolOwner, Map.of(Labels.POOL, pool.name()));
      idle.add(gateway.createPod(WarmPools.pod(pool, name, poolOwner, options)));
    }
    return status(pool, pods, idle);
  }

  /** The pool's counts as its pods are now (from the informer once it has synced). */
  PoolStatus status(WarmPool pool) {
    List<Pod> pods = poolPods(pool);
    String template = template(pool);
    return status(pool, pods, pods.stream().filter(p -> WarmPools.idle(p) && WarmPools.current(p, template)
        && p.getMetadata().getDeletionTimestamp() == null).toList());
  }

  /**
   * Waits on the informer's events for the pool's pods until it needs pods (fewer idle ones
   * than its size) or none of its idle pods is starting, at most until {@code deadline}.
   */
  PoolStatus awaitChange(WarmPool pool, Instant deadline) throws InterruptedException {
    boolean sawStarting = false;
    while (true) {
      // registered before the read, so an event between the two is not missed
      java.util.concurrent.CompletableFuture<Void> change = gateway.nextPoolChange(pool.name());
      PoolStatus now = status(pool);
      boolean needsPods = now.ready() + now.starting() < pool.size();
      boolean settled = sawStarting && now.starting() == 0;
      long remaining = Duration.between(Instant.now(), deadline).toMillis();
      if (needsPods || settled || remaining <= 0) {
        return now;
      }
      sawStarting |= now.starting() > 0;
      try {
        change.get(remaining, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
          | java.util.concurrent.CancellationException e) {
        // checked again above; the deadline ends the loop
      }
    }
  }

  /** The digest of {@code pool}'s pods under this worker's options, computed once per pool. */
  private String template(WarmPool pool) {
    return templates.computeIfAbsent(pool, p -> WarmPools.template(p, options));
  }

  /** Deletes the pool's idle pods and policy; returns how many pods. */
  int drain(String pool) {
    List<Pod> idle = gateway.listPods(Map.of(Labels.POOL, pool)).stream().filter(WarmPools::idle).toList();
    idle.forEach(this::delete);
    gateway.deleteNetworkPolicy(policyName(pool));
    return idle.size();
  }

  private static PoolStatus status(WarmPool pool, List<Pod> pods, List<Pod> idle) {
    int ready = (int) idle.stream().filter(KubernetesPools::ready).count();
    int claimed = (int) pods.stream().filter(p -> Labels.POOL_CLAIMED.equals(label(p, Labels.POOL_STATE))
        && p.getMetadata().getDeletionTimestamp() == null).count();
    return new PoolStatus(pool.name(), pool.image(), pool.size(), ready, idle.size() - ready, claimed);
  }

  /** Removes a pool pod that no sandbox claimed, with its token Secret. */
  private void delete(Pod pod) {
    String name = pod.getMetadata().getName();
    agents.forget(name);
    gateway.deletePod(name);
    gateway.deleteSecret(AgentPods.secretName(name));
  }

  /** The pods of {@code pool} as the informer has them, or as listed while it has not synced. */
  private List<Pod> poolPods(WarmPool pool) {
    return gateway.informerSynced() ? gateway.cachedPodsOfPool(pool.name())
        : gateway.listPods(Map.of(Labels.POOL, pool.name()));
  }

  /** Whether a sandbox can take {@code pod} now: ready, and made under the pool's current {@code template}. */
  private static boolean claimable(Pod pod, String template) {
    return WarmPools.current(pod, template) && ready(pod);
  }

  /** Whether {@code pod} is an idle pool pod that runs and has its address. */
  private static boolean ready(Pod pod) {
    return WarmPools.idle(pod) && pod.getMetadata().getDeletionTimestamp() == null
        && PodPhases.stateOf(pod).phase() == SandboxPhase.RUNNING
        && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty();
  }

  /**
   * The pool's own policy: its idle pods have no egress and admit only the worker to their
   * agent. It selects idle pods only: a claimed pod is the sandbox's policy's alone (policies
   * add up, so a pool policy that kept selecting it would deny what the sandbox allows).
   */
  private NetworkPolicy policy(WarmPool pool, SandboxOwner poolOwner) {
    NetworkPolicy sandboxLike = NetworkPolicies.of(policyName(pool), EgressPolicy.denyAll(), poolOwner,
        options.agentIngress()).orElseThrow();
    return new NetworkPolicyBuilder(sandboxLike)
        .editMetadata().withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL, pool.name())).endMetadata()
        .editSpec().withNewPodSelector().withMatchLabels(Map.of(Labels.POOL, pool.name(),
            Labels.POOL_STATE, Labels.POOL_IDLE)).endPodSelector().endSpec()
        .build();
  }

  /** The pool's policy's name: dotted, so no sandbox's (a DNS label) can take it. */
  static String policyName(WarmPool pool) {
    return policyName(pool.name());
  }

  static String policyName(String pool) {
    return "pool." + pool;
  }

  private static String suffix() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  private static String label(Pod pod, String key) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}

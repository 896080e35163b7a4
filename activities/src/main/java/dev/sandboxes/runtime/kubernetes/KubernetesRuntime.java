package dev.sandboxes.runtime.kubernetes;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.runtime.ComposedRuntime;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.SandboxRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link SandboxRuntime} on Kubernetes: one bare pod per sandbox (restart policy Never), under
 * one NetworkPolicy shared by every sandbox that denies egress or one of its own that allows
 * some, one PersistentVolumeClaim per volume, all in the namespace of
 * {@link KubernetesRuntimeOptions}.
 *
 * <p>This class builds the runtime and hands each call to the part that serves it, all on one
 * {@link KubernetesGateway}: {@link KubernetesSandboxes} (pods and their network policies),
 * {@link KubernetesVolumes} (claims), {@link KubernetesVolumeFiles} (the file API, by exec in
 * short-lived helper pods) and {@link KubernetesOwnedObjects} (what the orphan reaper lists and
 * deletes).
 */
public class KubernetesRuntime extends ComposedRuntime {
  public static final String KIND = PodPhases.RUNTIME;

  private final KubernetesRuntimeOptions options;
  private final KubernetesGateway gateway;
  private final AutoCloseable ownedClient;
  private final KubernetesOwnedObjects owned;
  private LongAdder requests;

  /** A runtime on {@code client}, which stays the caller's to close. */
  public KubernetesRuntime(KubernetesClient client, KubernetesRuntimeOptions options) {
    this(new KubernetesGateway(client, options.namespace()), options, null);
  }

  KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options) {
    this(gateway, options, null);
  }

  private KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options,
      AutoCloseable ownedClient) {
    this(gateway, options, ownedClient, new KubernetesVolumes(gateway, options));
  }

  private final KubernetesSandboxes sandboxes;

  private KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options,
      AutoCloseable ownedClient, KubernetesVolumes volumes) {
    this(gateway, options, ownedClient, volumes, new KubernetesSandboxes(gateway, options));
  }

  private KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options,
      AutoCloseable ownedClient, KubernetesVolumes volumes, KubernetesSandboxes sandboxes) {
    super(sandboxes, volumes, new KubernetesVolumeFiles(gateway, options, volumes));
    this.sandboxes = sandboxes;
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.ownedClient = ownedClient;
    this.owned = new KubernetesOwnedObjects(gateway);
  }

  /**
   * A runtime on a client configured the standard way (KUBECONFIG, {@code ~/.kube/config}, or
   * the in-cluster service account), closed with the runtime. Callers need no fabric8 types.
   */
  public static KubernetesRuntime connect(KubernetesRuntimeOptions options) {
    return connect(options, new NoopScope());
  }

  /**
   * {@link #connect(KubernetesRuntimeOptions)}, reporting every request to the Kubernetes API on
   * {@code metricsScope} ({@code SandboxMetrics.PLATFORM_REQUESTS} and
   * {@code PLATFORM_LATENCY}); the worker gives the Temporal SDK's root scope, so they land with
   * the SDK's own metrics.
   */
  public static KubernetesRuntime connect(KubernetesRuntimeOptions options, Scope metricsScope) {
    LongAdder requests = new LongAdder();
    PlatformRequestMetrics metrics = new PlatformRequestMetrics(metricsScope);
    KubernetesClient client = new KubernetesClientBuilder()
        // counts every request this client sends (watches and exec/log streams included)
        .withHttpClientBuilderConsumer(builder -> builder
            .addOrReplaceInterceptor(RetryAfterInterceptor.NAME, new RetryAfterInterceptor())
            .addOrReplaceInterceptor(PlatformRequestMetrics.NAME, metrics)
            .addOrReplaceInterceptor("sandboxes-request-count", new Interceptor() {
              @Override
              public void before(BasicBuilder request, HttpRequest sent, RequestTags tags) {
                requests.increment();
              }
            }))
        .build();
    KubernetesRuntime runtime =
        new KubernetesRuntime(new KubernetesGateway(client, options.namespace()), options, client);
    runtime.requests = requests;
    return runtime;
  }

  /** Requests sent by a client this runtime built ({@link #connect}); 0 for a client it was given. */
  @Override
  public long apiRequests() {
    return requests == null ? 0 : requests.sum();
  }

  /**
   * Whether the cluster's network enforces this runtime's NetworkPolicies, by two probe pods in the
   * sandboxes' namespace ({@link NetworkPolicyProbe}); waits at most {@code limit}. Once it finds
   * them enforced, the agent of each deny-all sandbox created after starts the sandbox's command
   * only when the pod's policy holds (a network plugin may confine a new pod some time after it
   * starts).
   */
  public NetworkPolicyProbe.Result probeNetworkPolicies(Duration limit) {
    NetworkPolicyProbe.Result result = NetworkPolicyProbe.run(gateway, options, limit);
    sandboxes.policiesEnforced(result.verdict() == NetworkPolicyProbe.Verdict.ENFORCED);
    return result;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The options this runtime was built with. */
  public KubernetesRuntimeOptions options() {
    return options;
  }

  // ---- warm pools

  /** The warm pools' part of the sandboxes (for tests in this package). */
  KubernetesPools poolsPart() {
    return sandboxes.pools();
  }

  /** The warm pools of this runtime's options. */
  public List<WarmPool> pools() {
    return options.pools();
  }

  @Override
  public List<String> poolNames() {
    return options.pools().stream().map(WarmPool::name).toList();
  }

  private WarmPool pool(String name) {
    return options.pools().stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new SandboxNotFoundException("no warm pool named \"" + name
            + "\" in this worker's configuration (pools: " + poolNames() + ")"));
  }

  /** Fills the pool (see {@link KubernetesPools#fill}), creating at most its refill rate of pods. */
  @Override
  public PoolStatus fillPool(String name, SandboxOwner owner) {
    WarmPool pool = pool(name);
    try {
      return sandboxes.pools().fill(pool, owner, pool.refillPerMinute());
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "fill warm pool " + name);
    }
  }

  /** The pool's counts as its pods are now. */
  public PoolStatus poolStatus(String name) {
    WarmPool pool = pool(name);
    try {
      return sandboxes.pools().status(pool);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read warm pool " + name);
    }
  }

  @Override
  public PoolStatus awaitPoolChange(String name, java.time.Duration maxWait) throws InterruptedException {
    WarmPool pool = pool(name);
    try {
      return sandboxes.pools().awaitChange(pool, java.time.Instant.now().plus(maxWait));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "watch warm pool " + name);
    }
  }

  @Override
  public int drainPool(String name) {
    try {
      return sandboxes.pools().drain(name);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "drain warm pool " + name);
    }
  }

  // ---- ownership

  @Override
  public List<OwnedObject> ownedObjects() {
    return owned.ownedObjects();
  }

  @Override
  public boolean deleteOwned(OwnedObject object) {
    return owned.deleteOwned(object);
  }

  /** Stops the informer; the client stays open. */
  @Override
  public void close() {
    sandboxes.close();
    gateway.close();
    if (ownedClient != null) {
      try {
        ownedClient.close();
      } catch (Exception e) {
        // Closing a client only releases connections; nothing is lost if that fails.
      }
    }
  }
}

package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.ExecResult;
import dev.sandboxes.runtime.BoundedCapture;
import dev.sandboxes.runtime.PlatformException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.TtyExecOutputErrorable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Every fabric8 call chain of the runtime, and nothing else: no phase logic, no error
 * translation. Methods throw fabric8's {@code KubernetesClientException} unchanged; reads of
 * absent objects return {@code null} and deletes of absent objects return normally.
 *
 * <p>Waiting is event-driven: one shared informer watches the pods labelled as managed by this
 * project in the namespace, and each event completes the pending {@link #nextChange} future of
 * that pod's name. The informer starts on the first wait, so a worker without list/watch
 * permission can still create and delete.
 */
public class KubernetesGateway implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, CompletableFuture<Void>> changes = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> poolChanges = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> sandboxChanges = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> informer;

  public KubernetesGateway(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  private PodResource pod(String name) {
    return client.pods().inNamespace(namespace).withName(name);
  }

  // ---- pods

  public Pod getPod(String name) {
    return pod(name).get();
  }

  public Pod createPod(Pod pod) {
    return client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** The pods that carry every one of {@code labels}. */
  public List<Pod> listPods(Map<String, String> labels) {
    return client.pods().inNamespace(namespace).withLabels(labels).list().getItems();
  }

  /**
   * Replaces the pod with {@code pod}, which carries the resourceVersion it was read at: a pod
   * changed since (by another worker's claim) makes this fail with 409, never overwrite.
   */
  public Pod updatePod(Pod pod) {
    return client.pods().inNamespace(namespace).resource(pod).update();
  }

  /** Deletes the pod in the background (the API call returns before the kubelet stops it). */
  public void deletePod(String name) {
    pod(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }

  // ---- network policies

  /**
   * Creates the policy, or replaces the one of that name, idempotently. A create retried after
   * its worker died, or after its answer was lost (fabric8 re-sends a request whose answer never
   * came, and the re-send is answered 409), finds the policy an earlier attempt made: when it
   * carries the same annotations (the owner) and the same spec it is kept as it is. Any other
   * policy of that name is replaced by delete and create, not update, so the worker's Role needs
   * no update verb (the chart's Role, deploy/helm/sandboxes-worker/templates/role.yaml). Callers apply the policy before they create
   * the pod it selects, so no pod runs unselected in between.
   */
  public void applyNetworkPolicy(NetworkPolicy policy) {
    var policies = client.network().v1().networkPolicies().inNamespace(namespace);
    String name = policy.getMetadata().getName();
    for (int attempt = 1; ; attempt++) {
      try {
        policies.resource(policy).create();
        return;
      } catch (KubernetesClientException e) {
        if (!KubernetesErrors.isConflict(e)) {
          throw e;
        }
        NetworkPolicy existing = policies.withName(name).get();
        if (existing != null && sameIntent(existing, policy)) {
          return;
        }
        if (attempt == APPLY_ATTEMPTS) {
          throw e;
        }
        if (existing != null) {
          policies.withName(name).delete();
        }
      }
    }
  }

  /** Conflicts a policy's apply outlasts before it gives up: each one is a lost race or answer. */
  private static final int APPLY_ATTEMPTS = 3;

  /** Whether {@code existing} is {@code wanted} as an earlier create left it. */
  static boolean sameIntent(NetworkPolicy existing, NetworkPolicy wanted) {
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    Map<String, String> wantedAnnotations = wanted.getMetadata().getAnnotations();
    return (wantedAnnotations == null || wantedAnnotations.isEmpty()
        || (annotations != null && annotations.entrySet().containsAll(wantedAnnotations.entrySet())))
        && existing.getMetadata().getDeletionTimestamp() == null
        && Objects.equals(existing.getSpec(), wanted.getSpec());
  }

  public NetworkPolicy getNetworkPolicy(String name) {
    return client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get();
  }

  /** The network policies that carry every one of {@code labels}. */
  public List<NetworkPolicy> listNetworkPolicies(Map<String, String> labels) {
    return client.network().v1().networkPolicies().inNamespace(namespace).withLabels(labels).list()
        .getItems();
  }

  public void deleteNetworkPolicy(String name) {
    client.network().v1().networkPolicies().inNamespace(namespace).withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }

  // ---- secrets (the agents' tokens)

  public Secret createSecret(Secret secret) {
    return client.secrets().inNamespace(namespace).resource(secret).create();
  }

  public Secret getSecret(String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  /** The secrets that carry every one of {@code labels}. */
  public List<Secret> listSecrets(Map<String, String> labels) {
    return client.secrets().inNamespace(namespace).withLabels(labels).list().getItems();
  }

  public void deleteSecret(String name) {
    client.secrets().inNamespace(namespace).withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }

  // ---- port-forward (a worker outside the cluster reaching an agent)

  /**
   * Forwards a free loopback port to {@code port} of the pod through the API server; every
   * connection to it is a new port-forward stream. Close the result to stop listening.
   */
  public LocalPortForward portForward(String name, int port) {
    return pod(name).portForward(port);
  }

  // ---- persistent volume claims

  public PersistentVolumeClaim getClaim(String name) {
    return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
  }

  /** The claims that carry every one of {@code labels}. */
  public List<PersistentVolumeClaim> listClaims(Map<String, String> labels) {
    return client.persistentVolumeClaims().inNamespace(namespace).withLabels(labels).list().getItems();
  }

  public PersistentVolumeClaim createClaim(PersistentVolumeClaim claim) {
    return client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create();
  }

  public void deleteClaim(String name) {
    client.persistentVolumeClaims().inNamespace(namespace).withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }

  /**
   * Waits (on a watch) until the claim is gone: its protection finalizer keeps it while a pod
   * still uses it. Returns false when it is still there after {@code limit}.
   */
  public boolean awaitClaimGone(String name, Duration limit) {
    return awaitClaim(name, java.util.Objects::isNull, limit);
  }

  /**
   * Waits (on an informer of that one claim) until {@code condition} holds for the claim
   * ({@code null} once it is gone). Returns false when it still does not after {@code limit}.
   */
  public boolean awaitClaim(String name, Predicate<PersistentVolumeClaim> condition, Duration limit) {
    try {
      client.persistentVolumeClaims().inNamespace(namespace).withName(name)
          .waitUntilCondition(condition, Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
      return true;
    } catch (KubernetesClientTimeoutException e) {
      return false;
    }
  }

  /**
   * Waits (on a watch of that one pod, apart from the informer of the managed pods) until
   * {@code condition} holds for the pod ({@code null} once it is gone) or {@code limit} passes,
   * and returns the pod as last read.
   */
  public Pod awaitPod(String name, Predicate<Pod> condition, Duration limit) {
    try {
      return pod(name).waitUntilCondition(condition, Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
    } catch (KubernetesClientTimeoutException e) {
      return pod(name).get();
    }
  }

  // ---- waiting

  /**
   * A future completed by the next informer event (add, update or delete) for the pod
   * {@code name}. Take it <em>before</em> reading the pod, so that no event between the read
   * and the wait is missed. Starts the informer on first use.
   */
  public CompletableFuture<Void> nextChange(String name) {
    startInformer();
    return changes.computeIfAbsent(name, k -> new CompletableFuture<>());
  }

  /**
   * A future completed by the next informer event for any pod labelled as the sandbox
   * {@code sandbox}'s (its own, or a pool pod it claimed). As {@link #nextChange}, take it before
   * reading the state it guards.
   */
  public CompletableFuture<Void> nextSandboxChange(String sandbox) {
    startInformer();
    return sandboxChanges.computeIfAbsent(sandbox, k -> new CompletableFuture<>());
  }

  /**
   * A future completed by the next informer event for any pod of the warm pool {@code pool}
   * (take it before reading the pool, as with {@link #nextChange}).
   */
  public CompletableFuture<Void> nextPoolChange(String pool) {
    startInformer();
    return poolChanges.computeIfAbsent(pool, k -> new CompletableFuture<>());
  }

  /** Pods the informer saw deleted, most recent last (names are never reused). */
  private final Map<String, Boolean> deleted = new java.util.LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > DELETED_REMEMBERED;
    }
  };
  /** How many deletions {@link #seenDeleted} remembers. */
  static final int DELETED_REMEMBERED = 20_000;

  /** Whether the informer delivered the deletion of the pod {@code name} (among the last {@value #DELETED_REMEMBERED}). */
  public boolean seenDeleted(String name) {
    synchronized (deleted) {
      return deleted.containsKey(name);
    }
  }

  /** The pod as the informer last saw it, or {@code null} if it has not seen it (yet). */
  public Pod cachedPod(String name) {
    startInformer();
    return informer.getStore().getByKey(namespace + "/" + name);
  }

  /** The pods the informer holds labelled as the sandbox {@code name}'s (a claimed pool pod's name is not the sandbox's). */
  public List<Pod> cachedPodsOfSandbox(String name) {
    startInformer();
    return informer.getIndexer().byIndex(Labels.SANDBOX, name);
  }

  /** The pods the informer holds of the warm pool {@code pool}, claimed or not. */
  public List<Pod> cachedPodsOfPool(String pool) {
    startInformer();
    return informer.getIndexer().byIndex(Labels.POOL, pool);
  }

  /** Whether the informer has listed the pods once (before that, its cache misses pods that exist). */
  public boolean informerSynced() {
    startInformer();
    return informer.hasSynced();
  }

  private static java.util.function.Function<Pod, List<String>> byLabel(String key) {
    return pod -> {
      Map<String, String> labels = pod.getMetadata().getLabels();
      String value = labels == null ? null : labels.get(key);
      return value == null ? List.of() : List.of(value);
    };
  }

  private synchronized void startInformer() {
    if (informer != null) {
      return;
    }
    informer = client.pods().inNamespace(namespace)
        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .withIndexers(Map.of(Labels.SANDBOX, byLabel(Labels.SANDBOX), Labels.POOL, byLabel(Labels.POOL)))
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            changed(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod after) {
            changed(after);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            synchronized (deleted) {
              deleted.put(pod.getMetadata().getName(), Boolean.TRUE);
            }
            changed(pod);
          }
        }, 0);
  }

  private void changed(Pod pod) {
    CompletableFuture<Void> waiting = changes.remove(pod.getMetadata().getName());
    if (waiting != null) {
      waiting.complete(null);
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    String sandbox = labels == null ? null : labels.get(Labels.SANDBOX);
    CompletableFuture<Void> sandboxWaiting = sandbox == null ? null : sandboxChanges.remove(sandbox);
    if (sandboxWaiting != null) {
      sandboxWaiting.complete(null);
    }
    String pool = labels == null ? null : labels.get(Labels.POOL);
    CompletableFuture<Void> poolWaiting = pool == null ? null : poolChanges.remove(pool);
    if (poolWaiting != null) {
      poolWaiting.complete(null);
    }
  }

  // ---- exec

  /**
   * Runs {@code argv} in the main container. Both streams are drained into sinks that keep at
   * most {@code cap} bytes each; the wait for the exit status is bounded by {@code timeout}, and
   * the websocket is always closed. {@code stdin}, when not null, is written to the process's
   * input, which is then closed.
   *
   * <p>The end of a large output can be lost this way: see {@link #execToTheEnd}.
   *
   * @throws PlatformException when the stream ended without an exit status: the command may or
   *     may not have run, so this is never reported as success
   */
  public ExecResult exec(String name, List<String> argv, byte[] stdin, Duration timeout, int cap)
      throws InterruptedException {
    return run(name, argv, stdin, null, timeout, cap);
  }

  /**
   * The {@code sh} script that runs its arguments with their input from {@code /dev/null} (the
   * exec's stdin stays open for the line below, so a command reading it would otherwise wait for
   * the exec's timeout), prints its {@code $0} (a marker unique to the exec) on a line once they
   * have exited, and exits with their status only after a line on stdin. Short, because it
   * travels in the exec request's URL with the command.
   */
  static final String UNTIL_READ = "\"$@\"</dev/null;s=$?;echo $0;read x;exit $s";

  /**
   * {@link #exec} without stdin, for a container with {@code sh}, made so that no output is lost
   * however large it is: {@code argv} runs under {@link #UNTIL_READ}, which prints a marker
   * unique to this exec after the command's output and waits for a line on stdin before it
   * exits; that line is sent once the marker has come out of the websocket, so the process, and
   * with it the exec stream, ends only after the whole output was read here. The marker is
   * removed from the result.
   *
   * <p>Why: the API server closes an exec's connection as soon as the process has exited and the
   * last frames are sent. fabric8's Vert.x 5 websocket takes one frame at a time and pauses in
   * between, so when the output arrives faster than it is consumed (many frames, a busy machine)
   * the rest waits in Vert.x's connection, and the connection's close, reported at once, overtakes
   * it: the exec fails with "WebSocket connection closed unexpectedly" after part of the output,
   * with the end of the output, the exit status and the close frame dropped. Seen on the rig for
   * one in about fifteen execs printing 350 KB (a volume read chunk), under load for most.
   */
  public ExecResult execToTheEnd(String name, List<String> argv, Duration timeout, int cap)
      throws InterruptedException {
    // letters, digits and dots only: nothing for the shell or the URL to escape
    String marker = ".end." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    List<String> wrapped = new java.util.ArrayList<>(List.of("sh", "-c", UNTIL_READ, marker));
    wrapped.addAll(argv);
    String end = marker + "\n";
    ExecResult result = run(name, wrapped, null, end, timeout, cap + end.length());
    String stdout = result.stdout();
    if (!stdout.endsWith(end)) {
      return result;
    }
    return new ExecResult(result.exitCode(), stdout.substring(0, stdout.length() - end.length()),
        result.stderr(), result.stdoutTruncated(), result.stderrTruncated(), result.timedOut(),
        result.duration());
  }

  /**
   * Runs an exec; with {@code end} not null, writes a line to its stdin once stdout ended with
   * {@code end} (or gives up waiting for that when the exit status comes first).
   */
  private ExecResult run(String name, List<String> argv, byte[] stdin, String end, Duration timeout,
      int cap) throws InterruptedException {
    BoundedCapture out = new BoundedCapture(cap);
    BoundedCapture err = new BoundedCapture(cap);
    EndOfOutput seen = end == null ? null : new EndOfOutput(out, end);
    AtomicReference<Status> exitStatus = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ExecListener listener = new ExecListener() {
      @Override
      public void onFailure(Throwable t, Response response) {
        failure.set(t);
      }

      @Override
      public void onClose(int code, String reason) {}

      @Override
      public void onExit(int code, Status status) {
        exitStatus.set(status);
      }
    };
    ContainerResource container = pod(name).inContainer(PodSpecs.MAIN_CONTAINER);
    TtyExecOutputErrorable streams = stdin == null && end == null ? container : container.redirectingInput();
    Instant start = Instant.now();
    Instant deadline = start.plus(timeout);
    ExecWatch watch = streams.writingOutput(seen == null ? out : seen).writingError(err)
        .usingListener(listener).exec(argv.toArray(String[]::new));
    try {
      if (stdin != null) {
        try (OutputStream input = watch.getInput()) {
          input.write(stdin);
          input.flush();
        } catch (IOException | KubernetesClientException e) {
          // The process may exit without reading its input, or the stream broke before it was
          // written (fabric8 then throws its own unchecked exception): the exit status, or its
          // absence, below says what happened.
        }
      }
      Integer code;
      try {
        if (seen != null) {
          CompletableFuture.anyOf(seen.future, watch.exitCode())
              .get(remaining(deadline), TimeUnit.MILLISECONDS);
          if (seen.future.isDone()) {
            try (OutputStream input = watch.getInput()) {
              input.write('\n');
              input.flush();
            } catch (IOException | KubernetesClientException e) {
              // The stream broke; the exit status (or its absence) below says what happened.
            }
          }
        }
        code = watch.exitCode().get(remaining(deadline), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return BoundedCapture.result(ExecResult.TIMED_OUT_EXIT_CODE, out, err, true,
            Duration.between(start, Instant.now()));
      } catch (ExecutionException e) {
        throw PlatformException.unavailable(
            "exec in pod " + namespace + "/" + name + " failed: " + e.getCause(), e.getCause());
      }
      if (code == null || code < 0) {
        Status status = exitStatus.get();
        String why = status != null && status.getMessage() != null ? status.getMessage()
            : failure.get() != null ? String.valueOf(failure.get())
            : "the stream closed before the exit status arrived";
        throw PlatformException.unavailable("exec in pod " + namespace + "/" + name
            + " ended without an exit code: " + why, failure.get());
      }
      return BoundedCapture.result(code, out, err, false, Duration.between(start, Instant.now()));
    } finally {
      watch.close();
    }
  }

  private static long remaining(Instant deadline) {
    return Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
  }

  /**
   * A stdout sink that hands everything to a capture and completes {@link #future} once what
   * came so far ends with a marker (compared on the stream's last bytes, not on what the capture
   * kept).
   */
  static final class EndOfOutput extends OutputStream {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    private final OutputStream target;
    private final byte[] marker;
    private final byte[] last;
    private long count;

    EndOfOutput(OutputStream target, String marker) {
      this.target = target;
      this.marker = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      this.last = new byte[this.marker.length];
    }

    @Override
    public synchronized void write(int b) throws IOException {
      target.write(b);
      last[(int) (count++ % last.length)] = (byte) b;
      check();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
      for (int i = Math.max(off, off + len - last.length); i < off + len; i++) {
        last[(int) ((count + i - off) % last.length)] = b[i];
      }
      count += len;
      check();
    }

    private void check() {
      if (count < last.length) {
        return;
      }
      for (int i = 0; i < last.length; i++) {
        if (last[(int) ((count + i) % last.length)] != marker[i]) {
          return;
        }
      }
      future.complete(null);
    }
  }

  // ---- logs

  /**
   * The last {@code tailLines} lines of the main container's log, each prefixed with its
   * RFC 3339 timestamp, optionally only those since {@code since}.
   */
  public String log(String name, int tailLines, Instant since) {
    // one GET: fabric8's getLog first lists the pod to wait until it is ready, a request more
    String query = "container=" + PodSpecs.MAIN_CONTAINER + "&timestamps=true&tailLines=" + tailLines
        + (since == null ? "" : "&sinceTime=" + java.net.URLEncoder.encode(
            DateTimeFormatter.ISO_INSTANT.format(since), java.nio.charset.StandardCharsets.UTF_8));
    String text = client.raw(client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/"
        + namespace + "/pods/" + name + "/log?" + query);
    if (text == null) {
      throw new KubernetesClientException("pod " + namespace + "/" + name + " not found", 404, null);
    }
    return text;
  }

  /** Stops the informer; the client belongs to the caller. */
  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
    changes.values().forEach(f -> f.cancel(false));
    poolChanges.values().forEach(f -> f.cancel(false));
    sandboxChanges.values().forEach(f -> f.cancel(false));
  }
}

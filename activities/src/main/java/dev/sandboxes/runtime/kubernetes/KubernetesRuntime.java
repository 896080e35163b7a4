package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.Conventions.Labels;
import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link SandboxRuntime} on Kubernetes: one bare pod per sandbox (restart policy Never), one
 * NetworkPolicy per sandbox for its egress, one PersistentVolumeClaim per volume, all in the
 * namespace of {@link KubernetesRuntimeOptions}.
 *
 * <p>Create is get-or-create: it looks the pod up first, so a retried or restarted worker
 * adopts the pod it created (same owner first-run ID in the annotations) instead of creating a
 * twin, and refuses a pod of that name that belongs to someone else. The NetworkPolicy is
 * applied before the pod exists, so the pod never runs unconfined; both are deleted
 * explicitly (they are not linked by owner references, which would require creating the pod
 * first). A create refused by a ResourceQuota returns {@code QUEUED} with reason
 * {@code QuotaExceeded} and creates no pod: call create again later.
 *
 * <p>Phases come only from {@link PodPhases}; waiting uses the gateway's pod informer.
 *
 * <p>Volumes: the claim records its owner like a pod does ({@link VolumeClaims}); a volume is
 * attached to the unfinished sandbox pods that mount its claim; deleting one waits until the
 * claim is gone, so its PersistentVolume is released before a volume of the same name can be
 * created again. The file API runs in a short-lived, hardened helper pod per operation
 * ({@link VolumeHelpers}, commands in {@link VolumeFileCommands}), always deleted afterwards and
 * bounded by {@code activeDeadlineSeconds} in case the worker dies first.
 */
public class KubernetesRuntime implements SandboxRuntime {
  public static final String KIND = PodPhases.RUNTIME;
  public static final String QUOTA_EXCEEDED = "QuotaExceeded";
  /** How long delete waits for a terminating pod to disappear. */
  static final Duration DELETE_WAIT = Duration.ofSeconds(60);
  /** How long a volume helper pod may take to start. */
  static final Duration HELPER_START = Duration.ofSeconds(60);
  /** How long one exec in a volume helper may take. */
  static final Duration HELPER_EXEC_TIMEOUT = Duration.ofSeconds(60);
  /** Helper output cap: a read chunk arrives as about 350 KB of base64; generous for listings. */
  static final int HELPER_OUTPUT_CAP = 2 * 1024 * 1024;
  /** How often a write is started when exec streams break. */
  static final int WRITE_ATTEMPTS = 2;
  /** How often one bounded read is made when exec streams break. */
  static final int READ_ATTEMPTS = 3;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KubernetesRuntime.class);

  private final KubernetesRuntimeOptions options;
  private final KubernetesGateway gateway;
  private final AutoCloseable ownedClient;
  private java.util.concurrent.atomic.LongAdder requests;

  /** A runtime on {@code client}, which stays the caller's to close. */
  public KubernetesRuntime(KubernetesClient client, KubernetesRuntimeOptions options) {
    this(new KubernetesGateway(client, options.namespace()), options, null);
  }

  KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options) {
    this(gateway, options, null);
  }

  private KubernetesRuntime(KubernetesGateway gateway, KubernetesRuntimeOptions options,
      AutoCloseable ownedClient) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
    this.ownedClient = ownedClient;
  }

  /**
   * A runtime on a client configured the standard way (KUBECONFIG, {@code ~/.kube/config}, or
   * the in-cluster service account), closed with the runtime. Callers need no fabric8 types.
   */
  public static KubernetesRuntime connect(KubernetesRuntimeOptions options) {
    java.util.concurrent.atomic.LongAdder requests = new java.util.concurrent.atomic.LongAdder();
    KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        // counts every request this client sends (watches and exec/log streams included)
        .withHttpClientBuilderConsumer(builder -> builder
            .addOrReplaceInterceptor(RetryAfterInterceptor.NAME, new RetryAfterInterceptor())
            .addOrReplaceInterceptor("sandboxes-request-count",
            new io.fabric8.kubernetes.client.http.Interceptor() {
              @Override
              public void before(io.fabric8.kubernetes.client.http.BasicBuilder request,
                  io.fabric8.kubernetes.client.http.HttpRequest sent, RequestTags tags) {
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

  @Override
  public String kind() {
    return KIND;
  }

  public KubernetesRuntimeOptions options() {
    return options;
  }

  @Override
  public RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    spec.validated();
    if (spec.name() == null) {
      throw new InvalidSpecException("sandbox spec",
          List.of(new Violation("name", "must be set before the runtime creates the sandbox")));
    }
    String name = spec.name();
    if (spec.ttl() != null && spec.ttl().compareTo(options.maxLifetime()) > 0) {
      throw new InvalidSpecException("sandbox spec", List.of(new Violation("ttl",
          "must be at most the runtime's maximum sandbox lifetime of " + options.maxLifetime()
              + ", got " + spec.ttl())));
    }
    try {
      Pod existing = gateway.getPod(name);
      if (existing != null) {
        return adopt(existing, owner);
      }
      EgressPolicy egress = spec.egress() != null ? spec.egress() : options.defaultEgress();
      NetworkPolicies.egress(name, egress, owner).ifPresent(gateway::applyNetworkPolicy);
      try {
        return PodPhases.stateOf(gateway.createPod(PodSpecs.pod(spec, owner, options)));
      } catch (KubernetesClientException e) {
        if (KubernetesErrors.isConflict(e)) {
          Pod raced = gateway.getPod(name);
          if (raced != null) {
            return adopt(raced, owner);
          }
        }
        if (KubernetesErrors.isQuotaExceeded(e)) {
          return new RuntimeState(SandboxPhase.QUEUED, QUOTA_EXCEEDED, KubernetesErrors.describe(e),
              null, null, null, new RuntimeRef(KIND, gateway.namespace(), name, null));
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

  private void deletePolicyOfFailedCreate(String name, KubernetesClientException failure) {
    try {
      gateway.deleteNetworkPolicy(NetworkPolicies.policyName(name));
    } catch (KubernetesClientException e) {
      failure.addSuppressed(e);
    }
  }

  private RuntimeState adopt(Pod pod, SandboxOwner owner) {
    SandboxOwner recorded = Owners.of(pod);
    if (!Objects.equals(recorded.firstRunId(), owner.firstRunId())) {
      throw PlatformException.conflict("pod " + gateway.namespace() + "/" + pod.getMetadata().getName()
          + " already exists and belongs to workflow " + recorded.workflowId() + " (first run "
          + recorded.firstRunId() + "), not to " + owner.workflowId() + " (first run "
          + owner.firstRunId() + ")");
    }
    return PodPhases.stateOf(pod);
  }

  @Override
  public RuntimeState inspect(String name) {
    return PodPhases.stateOf(existingPod(name));
  }

  private Pod existingPod(String name) {
    Pod pod;
    try {
      pod = gateway.getPod(name);
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
      if (currentPod(name) == null) {
        throw new SandboxNotFoundException(
            "sandbox \"" + name + "\" has no pod in namespace " + gateway.namespace());
      }
      Pod pod = awaitPod(name, p -> p == null || PodPhases.stateOf(p).phase() != known,
          Instant.now().plus(maxWait));
      return PodPhases.stateOf(pod);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "watch sandbox " + name);
    }
  }

  /** The pod as the informer has it, or from the API server when the informer has not seen it. */
  private Pod currentPod(String name) {
    Pod pod = gateway.cachedPod(name);
    return pod != null ? pod : gateway.getPod(name);
  }

  /**
   * Waits on the informer's events until {@code done} holds for the pod ({@code null} once it is
   * gone) or the deadline passes, and returns the pod as last seen. Never polls: each pass waits
   * for the next event of that pod.
   */
  private Pod awaitPod(String name, java.util.function.Predicate<Pod> done, Instant deadline)
      throws InterruptedException {
    while (true) {
      // Registered before the read, so an event between the two is not missed.
      CompletableFuture<Void> change = gateway.nextChange(name);
      Pod pod = currentPod(name);
      long remaining = Duration.between(Instant.now(), deadline).toMillis();
      if (done.test(pod) || remaining <= 0) {
        return pod;
      }
      try {
        change.get(remaining, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
        // Checked again above; the deadline ends the loop.
      }
    }
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    request.validated();
    RuntimeState state = inspect(name);
    if (state.phase() != SandboxPhase.RUNNING) {
      throw new SandboxNotRunningException(name, "exec", state.phase());
    }
    byte[] streamedStdin = request.stdin() != null && !ExecCommands.stdinInArgv(request)
        ? request.stdin().getBytes(StandardCharsets.UTF_8) : null;
    try {
      return gateway.exec(name, ExecCommands.argv(request), streamedStdin,
          request.effectiveTimeout(), options.execOutputCapBytes());
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "exec in sandbox " + name);
    }
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    request.validated();
    SandboxPhase phase = PodPhases.stateOf(existingPod(name)).phase();
    if (phase == SandboxPhase.QUEUED || phase == SandboxPhase.CREATING) {
      return LogChunk.empty();
    }
    try {
      // One line more than asked: if it comes back, older lines exist.
      String text = gateway.log(name, request.effectiveTail() + 1, request.since());
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
    try {
      gateway.deletePod(name);
      gateway.deleteNetworkPolicy(NetworkPolicies.policyName(name));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw KubernetesErrors.translate(e, "delete sandbox " + name);
      }
    }
    awaitGone(name, DELETE_WAIT);
  }

  /**
   * Deletion is graceful on a real cluster: the pod terminates, then disappears. Waits for that
   * on the informer, so a terminate that returns means the pod is gone; a pod still terminating
   * after {@code limit} is left to the kubelet (it carries a deletion timestamp already).
   */
  private void awaitGone(String name, Duration limit) {
    try {
      awaitPod(name, java.util.Objects::isNull, Instant.now().plus(limit));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "watch the deletion of sandbox " + name);
    }
  }


  @Override
  public VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    VolumeSpec.validName(name);
    spec.validated();
    String claim = VolumeClaims.claimName(name);
    try {
      PersistentVolumeClaim existing = gateway.getClaim(claim);
      if (existing != null) {
        return adoptClaim(name, existing, owner);
      }
      try {
        return VolumeClaims.stateOf(name, gateway.createClaim(VolumeClaims.claim(name, spec, owner, options)));
      } catch (KubernetesClientException e) {
        PersistentVolumeClaim raced = KubernetesErrors.isConflict(e) ? gateway.getClaim(claim) : null;
        if (raced == null) {
          throw e;
        }
        return adoptClaim(name, raced, owner);
      }
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "create volume " + name);
    }
  }

  private VolumeState adoptClaim(String name, PersistentVolumeClaim claim, SandboxOwner owner) {
    SandboxOwner recorded = VolumeClaims.ownerOf(claim);
    if (!Objects.equals(recorded.firstRunId(), owner.firstRunId())) {
      throw PlatformException.conflict("claim " + gateway.namespace() + "/" + claim.getMetadata().getName()
          + " of volume " + name + " already exists and belongs to workflow " + recorded.workflowId()
          + " (first run " + recorded.firstRunId() + "), not to " + owner.workflowId()
          + " (first run " + owner.firstRunId() + ")");
    }
    return VolumeClaims.stateOf(name, claim);
  }

  @Override
  public VolumeState inspectVolume(String name) {
    return VolumeClaims.stateOf(name, existingClaim(name));
  }

  private PersistentVolumeClaim existingClaim(String name) {
    PersistentVolumeClaim claim;
    try {
      claim = gateway.getClaim(VolumeClaims.claimName(VolumeSpec.validName(name)));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read volume " + name);
    }
    if (claim == null) {
      throw new SandboxNotFoundException("volume \"" + name + "\" has no claim in namespace "
          + gateway.namespace());
    }
    return claim;
  }

  /** Waits on an informer of the claim; a claim deleted meanwhile is not found. */
  @Override
  public VolumeState awaitVolumeChange(String name, String known, Duration maxWait)
      throws InterruptedException {
    VolumeState current = inspectVolume(name);
    if (!current.phase().equals(known)) {
      return current;
    }
    try {
      gateway.awaitClaim(VolumeClaims.claimName(name),
          c -> c == null || !VolumeClaims.stateOf(name, c).phase().equals(known), maxWait);
    } catch (KubernetesClientException e) {
      if (e.getCause() instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw KubernetesErrors.translate(e, "watch volume " + name);
    }
    return inspectVolume(name);
  }

  /**
   * Sandbox pods (not volume helpers) whose spec mounts the volume's claim and whose phase is
   * not terminal: the ones that still hold it, as the claim's protection sees them.
   */
  @Override
  public List<String> attachedTo(String volume) {
    String claim = VolumeClaims.claimName(VolumeSpec.validName(volume));
    List<Pod> pods;
    try {
      pods = gateway.listPods(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "list the sandboxes of volume " + volume);
    }
    return usersOf(pods, claim);
  }

  /** The unfinished sandbox pods among {@code pods} that mount {@code claim}, by name. */
  private static List<String> usersOf(List<Pod> pods, String claim) {
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null
            && p.getMetadata().getLabels().containsKey(Labels.SANDBOX))
        .filter(p -> mountsClaim(p, claim))
        .filter(p -> !PodPhases.stateOf(p).phase().terminal())
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  // ---- ownership

  /**
   * The pods (sandboxes and volume helpers), network policies and claims labelled as managed by
   * this project in the namespace, with the owner each records. Objects already being deleted
   * are left out: they are on their way.
   */
  @Override
  public List<OwnedObject> ownedObjects() {
    Map<String, String> ours = Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    try {
      List<Pod> pods = gateway.listPods(ours);
      List<OwnedObject> objects = new java.util.ArrayList<>();
      for (Pod pod : pods) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        boolean helper = labels != null && Labels.VOLUME_HELPER_ROLE.equals(labels.get(Labels.ROLE));
        objects.add(owned(helper ? OwnedObject.VOLUME_HELPER_POD : OwnedObject.SANDBOX_POD, pod, List.of()));
      }
      for (var policy : gateway.listNetworkPolicies(ours)) {
        if (policy.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        objects.add(owned(OwnedObject.NETWORK_POLICY, policy, List.of()));
      }
      for (PersistentVolumeClaim claim : gateway.listClaims(ours)) {
        if (claim.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        objects.add(owned(OwnedObject.VOLUME_CLAIM, claim, usersOf(pods, claim.getMetadata().getName())));
      }
      return objects;
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "list the objects of namespace " + gateway.namespace());
    }
  }

  private static OwnedObject owned(String kind, io.fabric8.kubernetes.api.model.HasMetadata object,
      List<String> usedBy) {
    Instant created = null;
    try {
      String stamp = object.getMetadata().getCreationTimestamp();
      created = stamp == null ? null : Instant.parse(stamp);
    } catch (java.time.format.DateTimeParseException e) {
      // Unknown age: the reaper then decides by the owner alone.
    }
    return new OwnedObject(kind, object.getMetadata().getName(), Owners.of(object), created, usedBy);
  }

  /** Deletes the object after reading it again: only while it still records the same owner. */
  @Override
  public boolean deleteOwned(OwnedObject object) {
    try {
      io.fabric8.kubernetes.api.model.HasMetadata current = switch (object.kind()) {
        case OwnedObject.SANDBOX_POD, OwnedObject.VOLUME_HELPER_POD -> gateway.getPod(object.name());
        case OwnedObject.NETWORK_POLICY -> gateway.getNetworkPolicy(object.name());
        case OwnedObject.VOLUME_CLAIM -> gateway.getClaim(object.name());
        default -> throw new IllegalArgumentException("not a Kubernetes object kind: " + object.kind());
      };
      if (current == null || !Owners.of(current).equals(object.owner())) {
        return false;
      }
      switch (object.kind()) {
        case OwnedObject.NETWORK_POLICY -> gateway.deleteNetworkPolicy(object.name());
        case OwnedObject.VOLUME_CLAIM -> gateway.deleteClaim(object.name());
        default -> gateway.deletePod(object.name());
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw KubernetesErrors.translate(e, "delete " + object.kind() + " " + object.name());
    }
  }

  private static boolean mountsClaim(Pod pod, String claim) {
    return pod.getSpec() != null && pod.getSpec().getVolumes() != null
        && pod.getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
            && claim.equals(v.getPersistentVolumeClaim().getClaimName()));
  }

  /**
   * Refuses while sandboxes are attached; deletes the volume's helper pods (they would hold the
   * claim), then the claim, and waits until the claim is gone: only then is its PersistentVolume
   * released, so a claim created again under the name binds to fresh (or scrubbed) storage.
   */
  @Override
  public void deleteVolume(String name) {
    List<String> users = attachedTo(name);
    if (!users.isEmpty()) {
      throw new VolumeInUseException(name, users);
    }
    String claim = VolumeClaims.claimName(name);
    boolean gone;
    try {
      for (Pod helper : gateway.listPods(VolumeHelpers.selector(name))) {
        gateway.deletePod(helper.getMetadata().getName());
      }
      gateway.deleteClaim(claim);
      gone = gateway.awaitClaimGone(claim, DELETE_WAIT);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      throw KubernetesErrors.translate(e, "delete volume " + name);
    }
    if (!gone) {
      throw PlatformException.unavailable("volume " + name + ": claim " + gateway.namespace() + "/"
          + claim + " is still being deleted after " + DELETE_WAIT.toSeconds()
          + "s (a pod may still use it); delete again later", null);
    }
  }

  // ---- the volume file API, by exec in a short-lived helper pod that mounts the claim

  @Override
  public List<FileEntry> listFiles(String volume, String path) {
    String normal = VolumePaths.valid("path", path);
    return withHelper(volume, "list " + normal, helper -> {
      ExecResult result = helperExec(volume, helper, VolumeFileCommands.list(normal));
      checkExit(volume, result, normal, "path", null);
      return VolumeFileCommands.parseListing(normal, result.stdout());
    });
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    String normal = VolumePaths.valid("path", path);
    VolumePaths.validRange(offset, length);
    return withHelper(volume, "read " + normal, helper -> {
      java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
      long size;
      while (true) {
        int wanted = Math.min(VolumeFileCommands.READ_CHUNK_BYTES, length - data.size());
        VolumeFileCommands.ReadOutput read =
            readRange(volume, helper, normal, offset + data.size(), wanted);
        data.writeBytes(read.data());
        size = read.size();
        if (read.data().length < wanted || data.size() >= length) {
          return new FileChunk(normal, offset, data.toByteArray(), size);
        }
      }
    });
  }

  /**
   * One bounded read. Reads change nothing, so one whose exec stream breaks (seen on the rig now
   * and then for about 1.4 MB of output in one exec: "WebSocket connection closed unexpectedly")
   * is simply made again.
   */
  private VolumeFileCommands.ReadOutput readRange(String volume, String helper, String path,
      long offset, int length) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      ExecResult result;
      try {
        result = helperExec(volume, helper, VolumeFileCommands.read(path, offset, length));
      } catch (PlatformException e) {
        if (attempt >= READ_ATTEMPTS) {
          throw e;
        }
        log.info("volume {}: read of {} is made again after a broken exec stream: {}", volume, path,
            e.getMessage());
        continue;
      }
      checkExit(volume, result, path, "path", null);
      return VolumeFileCommands.parseRead(result.stdout());
    }
  }

  /**
   * Streams the content in chunks to a temporary file and renames it over the target. An exec
   * whose stream breaks restarts the whole write once with a fresh temporary file, so no chunk is
   * ever appended twice (breaks were seen only for large exec output, but a write must not rely
   * on that).
   */
  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    String normal = VolumePaths.validFile("path", path);
    VolumePaths.validContent(data);
    return withHelper(volume, "write " + normal, helper -> {
      for (int attempt = 1; ; attempt++) {
        try {
          return writeThrough(volume, helper, normal, data);
        } catch (BrokenStream e) {
          if (attempt >= WRITE_ATTEMPTS) {
            throw e.failure;
          }
          log.info("volume {}: write of {} restarts after a broken exec stream: {}", volume, normal,
              e.failure.getMessage());
        }
      }
    });
  }

  private FileEntry writeThrough(String volume, String helper, String path, byte[] data)
      throws InterruptedException {
    String temporary = VolumeFileCommands.temporary(path, UUID.randomUUID().toString());
    ExecResult last = null;
    boolean done = false;
    try {
      for (VolumeFileCommands.Exec exec : VolumeFileCommands.write(path, temporary, data)) {
        try {
          last = helperExec(volume, helper, exec.argv(), exec.stdin());
        } catch (PlatformException e) {
          throw new BrokenStream(e);
        }
        checkExit(volume, last, path, "path", null);
      }
      done = true;
      return VolumeFileCommands.parseEntry(path, last.stdout());
    } finally {
      if (!done) {
        try {
          helperExec(volume, helper, VolumeFileCommands.abort(temporary), null);
        } catch (RuntimeException e) {
          // A hidden leftover file at worst; the write's own failure is what the caller sees.
        }
      }
    }
  }

  /** An exec of a write lost its stream or its exit status: the write may be restarted. */
  private static final class BrokenStream extends RuntimeException {
    final PlatformException failure;

    BrokenStream(PlatformException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    String source = VolumePaths.validFile("from", from);
    String target = VolumePaths.validFile("to", to);
    if ((target + "/").startsWith(source + "/")) {
      throw new InvalidSpecException("volume file request", List.of(new Violation("to",
          "lies inside " + source + ", which cannot be moved into itself")));
    }
    withHelper(volume, "move " + source + " to " + target, helper -> {
      checkExit(volume, helperExec(volume, helper, VolumeFileCommands.move(source, target)),
          source, "from", target);
      return null;
    });
  }

  private interface HelperWork<T> {
    T run(String helper) throws InterruptedException;
  }

  /**
   * Runs {@code work} in a fresh helper pod of the volume and always deletes that pod
   * afterwards, whatever happened. Helpers of the volume older than their deadline (left by a
   * crashed worker) are deleted first.
   */
  private <T> T withHelper(String volume, String what, HelperWork<T> work) {
    // The helper belongs to the volume's owner, so the reaper removes it with the claim's owner.
    dev.sandboxes.activity.SandboxOwner owner = VolumeClaims.ownerOf(existingClaim(volume));
    String helper = VolumeHelpers.name(volume, UUID.randomUUID().toString().substring(0, 8));
    try {
      deleteStaleHelpers(volume);
      gateway.createPod(VolumeHelpers.pod(volume, helper, owner, options));
      awaitHelperRunning(volume, helper);
      return work.run(helper);
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "volume " + volume + ": " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PlatformException.unavailable("volume " + volume + ": " + what + " was interrupted", e);
    } finally {
      try {
        gateway.deletePod(helper);
      } catch (KubernetesClientException e) {
        // Its activeDeadlineSeconds ends it, and the next operation on the volume deletes it.
        log.warn("cannot delete volume helper pod {}/{}: {}", gateway.namespace(), helper,
            KubernetesErrors.describe(e));
      }
    }
  }

  private void deleteStaleHelpers(String volume) {
    Instant now = Instant.now();
    for (Pod old : gateway.listPods(VolumeHelpers.selector(volume))) {
      if (VolumeHelpers.stale(old, now, options.helperDeadline())) {
        gateway.deletePod(old.getMetadata().getName());
      }
    }
  }

  private void awaitHelperRunning(String volume, String helper) throws InterruptedException {
    Pod pod = awaitPod(helper, p -> p == null || PodPhases.stateOf(p).phase() == SandboxPhase.RUNNING
        || PodPhases.stateOf(p).phase().terminal(), Instant.now().plus(HELPER_START));
    RuntimeState state = PodPhases.stateOf(pod);
    if (state.phase() != SandboxPhase.RUNNING) {
      boolean pending = !state.phase().terminal();
      throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, pending,
          "volume " + volume + ": helper pod " + gateway.namespace() + "/" + helper + " did not start"
              + (pending ? " within " + HELPER_START.toSeconds() + "s" : "") + ": " + state.phase()
              + (state.reason() == null ? "" : " " + state.reason())
              + (state.message() == null ? "" : " (" + state.message() + ")")
              + "; is the volume's claim bound and the image " + options.helperImage() + " available?",
          null);
    }
  }

  private ExecResult helperExec(String volume, String helper, List<String> argv)
      throws InterruptedException {
    return helperExec(volume, helper, argv, null);
  }

  private ExecResult helperExec(String volume, String helper, List<String> argv, byte[] stdin)
      throws InterruptedException {
    ExecResult result = gateway.exec(helper, argv, stdin, HELPER_EXEC_TIMEOUT, HELPER_OUTPUT_CAP);
    if (result.timedOut() || result.stdoutTruncated()) {
      throw PlatformException.unavailable("volume " + volume + ": helper pod " + helper
          + (result.timedOut() ? " did not answer within " + HELPER_EXEC_TIMEOUT.toSeconds() + "s"
              : " printed more than " + HELPER_OUTPUT_CAP + " bytes"), null);
    }
    return result;
  }

  /** Maps the helper script's exit codes (see {@link VolumeFileCommands}) to typed errors. */
  private static void checkExit(String volume, ExecResult result, String path, String field,
      String second) {
    int code = result.exitCode();
    String secondField = "to";
    switch (code) {
      case 0:
        return;
      case VolumeFileCommands.MISSING:
        throw new SandboxNotFoundException("volume \"" + volume + "\" has no file " + path);
      case VolumeFileCommands.IS_DIRECTORY:
        throw invalidPath(field, "names a directory, not a file: " + path);
      case VolumeFileCommands.EXISTS:
        throw invalidPath(secondField, "already exists: " + second);
      case VolumeFileCommands.OUTSIDE_FIRST:
        throw invalidPath(field, "leads outside the volume (through a symbolic link): " + path);
      case VolumeFileCommands.OUTSIDE_SECOND:
        throw invalidPath(secondField, "leads outside the volume (through a symbolic link): " + second);
      case VolumeFileCommands.SHORT_WRITE:
        throw PlatformException.unavailable("volume " + volume + ": the content of " + path
            + " arrived incomplete in the helper pod; nothing was replaced", null);
      case VolumeFileCommands.NOT_A_DIRECTORY:
        throw invalidPath(second == null ? field : secondField,
            "has a parent that is not a directory: " + (second == null ? path : second));
      default:
        throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, true, "volume " + volume
            + ": file operation on " + path + " failed with exit code " + code + ": "
            + result.stderr().strip(), null);
    }
  }

  private static InvalidSpecException invalidPath(String field, String message) {
    return new InvalidSpecException("volume file request", List.of(new Violation(field, message)));
  }

  /** Stops the informer; the client stays open. */
  @Override
  public void close() {
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

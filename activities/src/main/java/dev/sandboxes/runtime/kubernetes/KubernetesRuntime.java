package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.Conventions.Labels;
import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.EgressPolicy;
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
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
public class KubernetesRuntime implements SandboxRuntime {
  public static final String KIND = PodPhases.RUNTIME;
  public static final String QUOTA_EXCEEDED = "QuotaExceeded";
  /** How long delete waits for a terminating pod to disappear. */
  static final Duration DELETE_WAIT = Duration.ofSeconds(60);

  private final KubernetesRuntimeOptions options;
  private final KubernetesGateway gateway;
  private final AutoCloseable ownedClient;

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
    KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
    return new KubernetesRuntime(new KubernetesGateway(client, options.namespace()), options, client);
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
    try {
      Pod existing = gateway.getPod(name);
      if (existing != null) {
        return adopt(existing, owner);
      }
      EgressPolicy egress = spec.egress() != null ? spec.egress() : options.defaultEgress();
      NetworkPolicies.egress(name, egress).ifPresent(gateway::applyNetworkPolicy);
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

  private RuntimeState adopt(Pod pod, SandboxOwner owner) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String run = annotations == null ? null : annotations.get(Labels.OWNER_RUN_ANNOTATION);
    if (!Objects.equals(run, owner.firstRunId())) {
      String workflow = annotations == null ? null : annotations.get(Labels.OWNER_WORKFLOW_ANNOTATION);
      throw PlatformException.conflict("pod " + gateway.namespace() + "/" + pod.getMetadata().getName()
          + " already exists and belongs to workflow " + workflow + " (first run " + run
          + "), not to " + owner.workflowId() + " (first run " + owner.firstRunId() + ")");
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
        return volumeState(name, existing);
      }
      try {
        return volumeState(name, gateway.createClaim(VolumeClaims.claim(name, spec, options)));
      } catch (KubernetesClientException e) {
        PersistentVolumeClaim raced = KubernetesErrors.isConflict(e) ? gateway.getClaim(claim) : null;
        if (raced == null) {
          throw e;
        }
        return volumeState(name, raced);
      }
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "create volume " + name);
    }
  }

  @Override
  public VolumeState inspectVolume(String name) {
    PersistentVolumeClaim claim;
    try {
      claim = gateway.getClaim(VolumeClaims.claimName(name));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read volume " + name);
    }
    if (claim == null) {
      throw new SandboxNotFoundException("volume \"" + name + "\" has no claim in namespace "
          + gateway.namespace());
    }
    return volumeState(name, claim);
  }

  @Override
  public void deleteVolume(String name) {
    try {
      gateway.deleteClaim(VolumeClaims.claimName(name));
      gateway.awaitClaimGone(VolumeClaims.claimName(name), DELETE_WAIT);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw KubernetesErrors.translate(e, "delete volume " + name);
      }
    }
  }

  /** Bound → ready, Lost → failed, anything else (Pending, no status yet) → pending. */
  private VolumeState volumeState(String name, PersistentVolumeClaim claim) {
    String claimPhase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
    String phase = "Bound".equals(claimPhase) ? VolumeState.READY
        : "Lost".equals(claimPhase) ? VolumeState.FAILED : VolumeState.PENDING;
    String reason = "Lost".equals(claimPhase) ? "ClaimLost" : null;
    Quantity size = claim.getStatus() != null && claim.getStatus().getCapacity() != null
        ? claim.getStatus().getCapacity().get("storage") : null;
    if (size == null && claim.getSpec() != null && claim.getSpec().getResources() != null
        && claim.getSpec().getResources().getRequests() != null) {
      size = claim.getSpec().getResources().getRequests().get("storage");
    }
    return new VolumeState(name, phase, reason, size == null ? null : size.toString(),
        new RuntimeRef(KIND, gateway.namespace(), claim.getMetadata().getName(), null));
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

  // ---- placeholders while the volume API is being implemented (replaced in the next commits)

  @Override
  public VolumeState awaitVolumeChange(String name, String known, java.time.Duration maxWait) {
    throw new UnsupportedOperationException("awaitVolumeChange");
  }

  @Override
  public List<String> attachedTo(String volume) {
    throw new UnsupportedOperationException("attachedTo");
  }

  @Override
  public List<dev.sandboxes.model.FileEntry> listFiles(String volume, String path) {
    throw new UnsupportedOperationException("listFiles");
  }

  @Override
  public dev.sandboxes.model.FileChunk readFile(String volume, String path, long offset, int length) {
    throw new UnsupportedOperationException("readFile");
  }

  @Override
  public dev.sandboxes.model.FileEntry writeFile(String volume, String path, byte[] data) {
    throw new UnsupportedOperationException("writeFile");
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    throw new UnsupportedOperationException("moveFile");
  }
}

package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.VolumeActivities;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.FileListing;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeNotReadyException;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.VolumeRequest;
import dev.sandboxes.workflow.VolumeWorkflow;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The life of one volume: create its storage, wait for it to be ready, serve file operations,
 * and delete it on request (refused while sandboxes that have not finished mount it), after
 * which the workflow completes and the name is free again. Cancelling the workflow deletes the
 * storage too, in a detached scope.
 */
public class VolumeWorkflowImpl implements VolumeWorkflow {
  static final int DEFAULT_UPDATES_PER_RUN = 500;

  private static final Logger log = Workflow.getLogger(VolumeWorkflowImpl.class);

  /** Create and delete: retried until the platform answers (delete waits for the storage to go). */
  private final VolumeActivities control = Workflow.newActivityStub(VolumeActivities.class,
      PlatformCalls.control(Duration.ofMinutes(3)));

  /** File operations on behalf of a waiting caller: a few attempts, then the caller hears why. */
  private final VolumeActivities files = Workflow.newActivityStub(VolumeActivities.class,
      PlatformCalls.reads(Duration.ofMinutes(2)));

  /** A move is not idempotent: a retry after a lost success would report the source missing. */
  private final VolumeActivities once = Workflow.newActivityStub(VolumeActivities.class,
      PlatformCalls.once(Duration.ofMinutes(2)));

  private final VolumeActivities watch = Workflow.newActivityStub(VolumeActivities.class,
      PlatformCalls.watch("wait for the volume to be ready"));

  private VolumeRequest request;
  private String name;
  private VolumeSpec spec;
  private int updatesPerRun;
  private int updatesThisRun;

  private String phase = VolumeState.PENDING;
  private String reason;
  private String message;
  private String size;
  private Instant createdAt;
  private Instant readyAt;
  private Instant deletedAt;
  private RuntimeRef ref;
  private boolean created;
  private boolean deleting;

  /**
   * Reads the input before any handler runs: an update that arrives with a run's start (a
   * write right after continue-as-new) is validated against the carried phase, not the
   * initial {@code pending}. Sets fields only: no commands.
   */
  @WorkflowInit
  public VolumeWorkflowImpl(VolumeRequest request) {
    this.request = request;
    name = request.name();
    spec = request.spec() == null ? VolumeSpec.defaults() : request.spec();
    updatesPerRun = request.updatesPerRun() == null ? DEFAULT_UPDATES_PER_RUN : request.updatesPerRun();
    if (request.carried() != null) {
      restore(request.carried());
    }
  }

  @Override
  public VolumeStatus run(VolumeRequest request) {
    if (request.carried() == null) {
      createdAt = now();
      List<Violation> unknown = new ArrayList<>(UnknownFields.of(request));
      unknown.addAll(request.violations());
      rejectInvalid(SandboxChanges.unknownFieldsRefused(unknown));
      setDetails();
    }
    try {
      if (!created) {
        create();
      }
      while (phase.equals(VolumeState.PENDING) && !deleted()) {
        awaitChange();
      }
      Workflow.await(() -> deleted() || continueAsNewWanted());
      if (!deleted()) {
        Workflow.await(() -> Workflow.isEveryHandlerFinished());
        Workflow.continueAsNew(request.continued(status()));
      }
    } catch (CanceledFailure e) {
      Workflow.newDetachedCancellationScope(() -> {
        Workflow.await(() -> !deleting);
        if (!deleted()) {
          try {
            deleteStorage();
          } catch (ActivityFailure failure) {
            // e.g. still attached: the storage stays, owned by this workflow, and the failure says why
            log.error("volume {}: cancelled, but its storage could not be deleted: {}", name,
                failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage());
            throw failure;
          }
        }
      }).run();
    }
    Workflow.await(Workflow::isEveryHandlerFinished);
    return status();
  }

  private void rejectInvalid(List<Violation> unknownFields) {
    List<Violation> violations = new ArrayList<>(unknownFields);
    String idName = WorkflowIds.volumeNameOf(Workflow.getInfo().getWorkflowId());
    try {
      VolumeSpec.validName(name);
    } catch (InvalidSpecException e) {
      violations.addAll(e.violations());
    }
    try {
      spec.validated();
    } catch (InvalidSpecException e) {
      violations.addAll(e.violations());
    }
    if (idName == null || !idName.equals(name)) {
      violations.add(new Violation("name", "must match the workflow ID "
          + WorkflowIds.volumeWorkflowId(String.valueOf(name)) + ", got " + Workflow.getInfo().getWorkflowId()));
    }
    if (!violations.isEmpty()) {
      String text = new InvalidSpecException("volume spec", violations).getMessage();
      phase = VolumeState.FAILED;
      reason = SandboxReason.INVALID_SPEC.wireName();
      message = text;
      throw ApplicationFailure.newNonRetryableFailure(text, SandboxErrors.INVALID_SPEC);
    }
  }

  private void create() {
    SandboxOwner owner = new SandboxOwner(
        Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getFirstExecutionRunId());
    try {
      apply(control.create(name, spec, owner));
      created = true;
      setDetails();
    } catch (ActivityFailure failure) {
      failWith(failure, "create");
      // Nothing of this volume exists (another owner's storage is never touched): fail the
      // workflow so the name is free again, with the reason as the failure.
      throw ApplicationFailure.newNonRetryableFailure(message, reason);
    }
  }

  private void awaitChange() {
    List<Promise<VolumeState>> change = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(
        () -> change.add(Async.function(watch::awaitChange, name, phase)));
    scope.run();
    Workflow.await(() -> change.get(0).isCompleted() || deleted() || deleting);
    if (!change.get(0).isCompleted()) {
      scope.cancel();
      Workflow.await(() -> !deleting);
      return;
    }
    try {
      apply(change.get(0).get());
    } catch (ActivityFailure failure) {
      failWith(failure, "watch");
    }
    setDetails();
  }

  private void failWith(ActivityFailure failure, String stage) {
    ApplicationFailure cause = ActivityFailures.applicationCause(failure);
    phase = VolumeState.FAILED;
    reason = cause != null ? cause.getType() : SandboxReason.ACTIVITY_FAILED.wireName();
    message = stage + " failed: " + (cause != null ? cause.getOriginalMessage() : failure.getMessage());
    setDetails();
  }

  private void apply(VolumeState state) {
    phase = state.phase();
    reason = state.reason();
    size = state.size();
    ref = state.ref();
    if (VolumeState.READY.equals(phase) && readyAt == null) {
      readyAt = now();
    }
  }

  /** Deletes the storage; on success the volume is deleted. Throws the platform's refusal. */
  private void deleteStorage() {
    deleting = true;
    try {
      control.delete(name);
      phase = VolumeStatus.DELETED;
      reason = null;
      message = null;
      deletedAt = now();
    } finally {
      deleting = false;
      setDetails();
    }
  }

  // --- handlers -----------------------------------------------------------------------------

  @Override
  public VolumeStatus describe() {
    return status();
  }

  @Override
  public void validateAwaitReady(Duration timeout) {
    dev.sandboxes.model.WaitTimeouts.valid("timeout", timeout);
  }

  @Override
  public VolumeStatus awaitReady(Duration timeout) {
    Workflow.await(timeout, () -> !phase.equals(VolumeState.PENDING));
    return status();
  }

  @Override
  public VolumeStatus delete() {
    updatesThisRun++;
    // One delete at a time, after the create has settled (a concurrent create would race it).
    Workflow.await(() -> !deleting && (created || phase.equals(VolumeState.FAILED)));
    if (deleted()) {
      return status();
    }
    try {
      deleteStorage();
    } catch (ActivityFailure failure) {
      ApplicationFailure cause = ActivityFailures.applicationCause(failure);
      // Fails this update only; the volume stays as it was (e.g. VolumeInUse, naming the sandboxes).
      throw cause != null
          ? ApplicationFailure.newNonRetryableFailure(cause.getOriginalMessage(), cause.getType())
          : failure;
    }
    return status();
  }

  // Validators throw the model's exceptions (see SandboxWorkflowImpl for how their types travel).
  @Override
  public void validateListFiles(String path) {
    VolumePaths.valid("path", path);
    requireReady("list files");
  }

  @Override
  public FileListing listFiles(String path) {
    return fileOperation(() -> files.listFiles(name, VolumePaths.valid("path", path)));
  }

  @Override
  public void validateReadFile(String path, long offset, int length) {
    VolumePaths.validFile("path", path);
    VolumePaths.validRange(offset, length);
    requireReady("read");
  }

  @Override
  public FileChunk readFile(String path, long offset, int length) {
    return fileOperation(() -> files.readFile(name, VolumePaths.validFile("path", path), offset, length));
  }

  @Override
  public void validateWriteFile(String path, byte[] data) {
    VolumePaths.validFile("path", path);
    VolumePaths.validContent(data);
    requireReady("write");
  }

  @Override
  public FileEntry writeFile(String path, byte[] data) {
    return fileOperation(() -> files.writeFile(name, VolumePaths.validFile("path", path), data));
  }

  @Override
  public void validateMoveFile(String from, String to) {
    VolumePaths.validFile("from", from);
    VolumePaths.validFile("to", to);
    requireReady("move");
  }

  @Override
  public void moveFile(String from, String to) {
    fileOperation(() -> {
      once.moveFile(name, VolumePaths.validFile("from", from), VolumePaths.validFile("to", to));
      return null;
    });
  }

  private void requireReady(String operation) {
    if (!phase.equals(VolumeState.READY) || deleting) {
      // before the workflow method began (an update that came with the start), the ID names it
      String volume = name != null ? name : WorkflowIds.volumeNameOf(Workflow.getInfo().getWorkflowId());
      throw new VolumeNotReadyException(volume, operation, deleting ? "being deleted" : phase);
    }
  }

  /** Runs a file activity for an update; its typed failure fails the update, not the workflow. */
  private <T> T fileOperation(Supplier<T> operation) {
    updatesThisRun++;
    try {
      return operation.get();
    } catch (ActivityFailure failure) {
      ApplicationFailure cause = ActivityFailures.applicationCause(failure);
      if (cause == null) {
        throw failure;
      }
      throw ApplicationFailure.newNonRetryableFailure(cause.getOriginalMessage(), cause.getType());
    }
  }

  // --- state --------------------------------------------------------------------------------

  private boolean deleted() {
    return phase.equals(VolumeStatus.DELETED);
  }

  private boolean continueAsNewWanted() {
    return !deleting && (updatesThisRun >= updatesPerRun || Workflow.getInfo().isContinueAsNewSuggested());
  }

  private VolumeStatus status() {
    return new VolumeStatus(name, phase, reason, message, spec, size, createdAt, readyAt, deletedAt, ref,
        List.of());
  }

  private void restore(VolumeStatus s) {
    phase = s.phase();
    reason = s.reason();
    message = s.message();
    size = s.size();
    createdAt = s.createdAt();
    readyAt = s.readyAt();
    deletedAt = s.deletedAt();
    ref = s.ref();
    created = true;
  }

  private void setDetails() {
    StringBuilder md = new StringBuilder();
    md.append("- **Phase:** ").append(phase);
    if (reason != null) {
      md.append(" (").append(reason).append(')');
    }
    md.append('\n');
    if (message != null) {
      md.append("- **Message:** ").append(message).append('\n');
    }
    if (size != null) {
      md.append("- **Size:** ").append(size).append('\n');
    }
    if (ref != null) {
      md.append("- **Storage:** `").append(ref).append("`\n");
    }
    Workflow.setCurrentDetails(md.toString());
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /**
   * This workflow on a versioned worker: auto-upgrade. A volume lives until it is deleted, so it
   * moves to the deployment's current version; changes to its commands go through
   * {@code Workflow.getVersion}.
   *
   * <p>Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends VolumeWorkflowImpl {
    /** See {@link VolumeWorkflowImpl#VolumeWorkflowImpl(VolumeRequest)}. */
    @WorkflowInit
    public Versioned(VolumeRequest request) {
      super(request);
    }

    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
    public VolumeStatus run(VolumeRequest request) {
      return super.run(request);
    }
  }
}

package dev.sandboxes.client;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.VolumeRequest;
import dev.sandboxes.workflow.VolumeWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Volumes from outside workflows (applications, the CLI, tests): create, inspect, delete, and
 * the file API. A volume is its workflow {@code volume/<name>}; while that workflow is open the
 * volume exists. Errors arrive as the model's typed exceptions.
 */
public final class VolumeClient {
  private static final String VOLUME_WORKFLOW_TYPE = "Volume";

  private final WorkflowClient client;
  private final String taskQueue;
  private final SandboxClient sandboxes;

  /**
   * A client that starts volumes through {@code client} on {@code taskQueue}, and finds the
   * sandboxes attached to them with a {@link SandboxClient} on the same queue.
   */
  public VolumeClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.sandboxes = new SandboxClient(client, taskQueue);
  }

  /** A client that starts volumes through {@code client} on {@link TaskQueues#DEFAULT}. */
  public VolumeClient(WorkflowClient client) {
    this(client, TaskQueues.DEFAULT);
  }

  /**
   * Starts a volume's workflow and returns its status (usually pending; see {@link #awaitReady}).
   * {@link dev.sandboxes.model.InvalidSpecException} for a bad name or spec; type
   * {@code VolumeExists} while a volume of that name exists. A deleted volume's name is free.
   */
  public VolumeStatus create(String name, VolumeSpec spec) {
    VolumeSpec.validName(name);
    VolumeSpec valid = (spec == null ? VolumeSpec.defaults() : spec).validated();
    VolumeWorkflow stub = client.newWorkflowStub(VolumeWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.volumeWorkflowId(name))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setStaticSummary("volume " + name + (valid.size() == null ? "" : " " + valid.size()))
        .build());
    try {
      ClientCalls.starting(client, () -> WorkflowClient.start(stub::run, VolumeRequest.of(name, valid)));
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new SandboxException(SandboxErrors.VOLUME_EXISTS, "volume \"" + name + "\" already exists; "
          + "delete it first or choose another name");
    }
    return call(name, () -> stub(name).describe());
  }

  /** Waits until the volume is ready or failed, at most {@code timeout}, and returns its status then. */
  public VolumeStatus awaitReady(String name, Duration timeout) {
    dev.sandboxes.model.WaitTimeouts.valid("timeout", timeout);
    requireOpen(name);
    return call(name, () -> stub(name).awaitReady(timeout));
  }

  /** The volume's status with the sandboxes attached to it. */
  public VolumeStatus get(String name) {
    requireOpen(name);
    return withAttachments(call(name, () -> stub(name).describe()));
  }

  /** Every volume that exists, by name. */
  public List<VolumeStatus> list() {
    String query = "WorkflowType = '" + VOLUME_WORKFLOW_TYPE + "' AND ExecutionStatus = 'Running'";
    return ClientCalls.list(client, query, VolumeClient::isVolume, false).stream()
        .filter(meta -> meta.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
        .map(meta -> WorkflowIds.volumeNameOf(meta.getExecution().getWorkflowId()))
        .filter(name -> name != null)
        .map(name -> {
          try {
            return withAttachments(call(name, () -> stub(name).describe()));
          } catch (SandboxNotFoundException gone) {
            return null; // deleted between the list and the query
          }
        })
        .filter(status -> status != null)
        .sorted(Comparator.comparing(VolumeStatus::name))
        .toList();
  }

  /**
   * Deletes the volume and its data and returns its final status. Type {@code VolumeInUse}
   * (naming them) while sandboxes that have not finished mount it.
   */
  public VolumeStatus delete(String name) {
    requireOpen(name);
    return call(name, () -> stub(name).delete());
  }

  /**
   * The entries at {@code path} in volume {@code name}: a directory's entries sorted by path, or
   * the one entry of a file. Throws {@link dev.sandboxes.model.InvalidSpecException} for a
   * malformed name or path, {@link SandboxNotFoundException} when the volume or the path does not
   * exist, and a {@link SandboxException} of type {@link SandboxErrors#NOT_RUNNING} while the
   * volume is not ready.
   */
  public List<FileEntry> listFiles(String name, String path) {
    String valid = VolumePaths.valid("path", path);
    return call(name, () -> stub(name).listFiles(valid)).entries();
  }

  /** At most {@code length} bytes from {@code offset}; at most {@link VolumePaths#MAX_TRANSFER}. */
  public FileChunk readFile(String name, String path, long offset, int length) {
    String valid = VolumePaths.validFile("path", path);
    VolumePaths.validRange(offset, length);
    return call(name, () -> stub(name).readFile(valid, offset, length));
  }

  /**
   * Copies {@code length} bytes from {@code offset} ({@code length < 0}: to the end) to {@code out},
   * in chunks of {@link VolumePaths#MAX_TRANSFER}; returns the number of bytes copied.
   */
  public long readFile(String name, String path, long offset, long length, OutputStream out) {
    return readFile(name, path, offset, length, out, (copied, total) -> { });
  }

  /** How far a copy has come: bytes copied so far and the bytes it will copy in all. */
  @FunctionalInterface
  public interface TransferProgress {
    /** After each chunk: {@code copied} bytes of {@code total} (the range, bounded by the file's size). */
    void copied(long copied, long total);
  }

  /**
   * {@link #readFile(String, String, long, long, OutputStream)}, telling {@code progress} after
   * each chunk how many bytes of how many are copied (for a progress line on a long transfer).
   */
  public long readFile(String name, String path, long offset, long length, OutputStream out,
      TransferProgress progress) {
    long copied = 0;
    while (length < 0 || copied < length) {
      int want = (int) Math.min(VolumePaths.MAX_TRANSFER, length < 0 ? Long.MAX_VALUE : length - copied);
      FileChunk chunk = readFile(name, path, offset + copied, want);
      try {
        out.write(chunk.data());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      copied += chunk.data().length;
      long inFile = Math.max(0, chunk.size() - offset);
      progress.copied(copied, length < 0 ? inFile : Math.min(length, inFile));
      if (chunk.eof() || chunk.data().length == 0) {
        break;
      }
    }
    return copied;
  }

  /** Replaces the file's content atomically (at most {@link VolumePaths#MAX_TRANSFER} bytes). */
  public FileEntry writeFile(String name, String path, byte[] data) {
    String valid = VolumePaths.validFile("path", path);
    VolumePaths.validContent(data);
    return call(name, () -> stub(name).writeFile(valid, data));
  }

  /** Renames a file or directory inside the volume; refused when {@code to} exists. */
  public void moveFile(String name, String from, String to) {
    String validFrom = VolumePaths.validFile("from", from);
    String validTo = VolumePaths.validFile("to", to);
    call(name, () -> {
      stub(name).moveFile(validFrom, validTo);
      return null;
    });
  }

  private VolumeStatus withAttachments(VolumeStatus status) {
    if (!VolumeState.READY.equals(status.phase()) && !VolumeState.PENDING.equals(status.phase())) {
      return status;
    }
    List<String> attached = sandboxes.list(SandboxFilter.attachedTo(status.name())).stream()
        .map(SandboxSummary::name).sorted().toList();
    return status.withAttachedTo(attached);
  }

  /** A volume exists while its workflow is open; a closed one was deleted (or never created). */
  private void requireOpen(String name) {
    boolean closed = call(name, () ->
        client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId(name)).describe()
            .getWorkflowExecutionInfo().hasCloseTime());
    if (closed) {
      throw notFound(name);
    }
  }

  private static boolean isVolume(WorkflowExecutionInfo info) {
    return VOLUME_WORKFLOW_TYPE.equals(info.getType().getName())
        && info.getExecution().getWorkflowId().startsWith(WorkflowIds.VOLUME_ID_PREFIX);
  }

  private VolumeWorkflow stub(String name) {
    return client.newWorkflowStub(VolumeWorkflow.class, WorkflowIds.volumeWorkflowId(name));
  }

  private static SandboxNotFoundException notFound(String name) {
    return new SandboxNotFoundException("no volume named \"" + name + "\"");
  }

  /** Refuses a malformed name before asking the server: it cannot name a volume. */
  private static <T> T call(String name, java.util.function.Supplier<T> action) {
    VolumeSpec.validName(name);
    return ClientCalls.call("no volume named \"" + name + "\"", action);
  }
}

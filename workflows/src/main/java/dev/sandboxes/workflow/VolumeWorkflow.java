package dev.sandboxes.workflow;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.FileListing;
import dev.sandboxes.model.VolumeStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;

/**
 * One volume, from creation to deletion. Its workflow ID is {@code volume/<name>}: while it is
 * open the name is taken; once the volume is deleted the workflow completes and the name can be
 * used again, for a new, empty volume.
 *
 * <p>File operations are updates served by short activities; each moves at most
 * {@link dev.sandboxes.model.VolumePaths#MAX_TRANSFER} bytes.
 */
@WorkflowInterface
public interface VolumeWorkflow {

  /**
   * Creates the volume's storage and serves it until it is deleted, then completes with its final
   * status. Fails with type {@code InvalidSandboxSpec} for an invalid name or spec (or a name other
   * than its workflow ID's), and with the platform's reason when the create fails. Cancelling it
   * deletes the storage.
   */
  @WorkflowMethod(name = "Volume")
  VolumeStatus run(VolumeRequest request);

  /** The current status; also answers after the workflow closed. */
  @QueryMethod
  VolumeStatus describe();

  /** Returns once the volume is ready or failed, or after {@code timeout} with its status then. */
  @UpdateMethod
  VolumeStatus awaitReady(Duration timeout);

  /**
   * Rejects a wait that is unset, not positive or longer than 365 days
   * ({@link dev.sandboxes.model.WaitTimeouts}) before it is recorded.
   */
  @UpdateValidatorMethod(updateName = "awaitReady")
  void validateAwaitReady(Duration timeout);

  /**
   * Deletes the volume and its data, then the workflow completes. Refused (type
   * {@code VolumeInUse}, naming them) while sandboxes that have not finished mount it.
   */
  @UpdateMethod
  VolumeStatus delete();

  /**
   * Lists {@code path}: a directory's entries sorted by path, or the one entry of a file. A missing
   * path fails the update with type {@code SandboxNotFound}.
   */
  @UpdateMethod
  FileListing listFiles(String path);

  /**
   * Rejects a listing before it is recorded: {@link dev.sandboxes.model.InvalidSpecException} for a
   * path that breaks the rules of {@link dev.sandboxes.model.VolumePaths},
   * {@link dev.sandboxes.model.VolumeNotReadyException} when the volume is not ready or is being
   * deleted.
   */
  @UpdateValidatorMethod(updateName = "listFiles")
  void validateListFiles(String path);

  /**
   * Reads at most {@code length} bytes of file {@code path} from byte {@code offset};
   * {@link FileChunk#eof()} tells whether the chunk reaches the end. A missing file fails the
   * update with type {@code SandboxNotFound}.
   */
  @UpdateMethod
  FileChunk readFile(String path, long offset, int length);

  /**
   * Rejects a read before it is recorded: {@link dev.sandboxes.model.InvalidSpecException} for a
   * path that is not a file below the root, a negative offset or a length outside 1 to
   * {@link dev.sandboxes.model.VolumePaths#MAX_TRANSFER};
   * {@link dev.sandboxes.model.VolumeNotReadyException} when the volume is not ready or is being
   * deleted.
   */
  @UpdateValidatorMethod(updateName = "readFile")
  void validateReadFile(String path, long offset, int length);

  /** Replaces the file's content atomically, creating parent directories. */
  @UpdateMethod
  FileEntry writeFile(String path, byte[] data);

  /**
   * Rejects a write before it is recorded: {@link dev.sandboxes.model.InvalidSpecException} for a
   * path that is not a file below the root, or data that is missing or above
   * {@link dev.sandboxes.model.VolumePaths#MAX_TRANSFER} bytes;
   * {@link dev.sandboxes.model.VolumeNotReadyException} when the volume is not ready or is being
   * deleted.
   */
  @UpdateValidatorMethod(updateName = "writeFile")
  void validateWriteFile(String path, byte[] data);

  /** Renames a file or directory; refused when {@code to} exists. */
  @UpdateMethod
  void moveFile(String from, String to);

  /**
   * Rejects a move before it is recorded: {@link dev.sandboxes.model.InvalidSpecException} when
   * {@code from} or {@code to} is not a file below the root,
   * {@link dev.sandboxes.model.VolumeNotReadyException} when the volume is not ready or is being
   * deleted.
   */
  @UpdateValidatorMethod(updateName = "moveFile")
  void validateMoveFile(String from, String to);
}

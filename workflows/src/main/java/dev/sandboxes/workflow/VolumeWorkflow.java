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

  @WorkflowMethod(name = "Volume")
  VolumeStatus run(VolumeRequest request);

  /** The current status; also answers after the workflow closed. */
  @QueryMethod
  VolumeStatus describe();

  /** Returns once the volume is ready or failed, or after {@code timeout} with its status then. */
  @UpdateMethod
  VolumeStatus awaitReady(Duration timeout);

  /**
   * Deletes the volume and its data, then the workflow completes. Refused (type
   * {@code VolumeInUse}, naming them) while sandboxes that have not finished mount it.
   */
  @UpdateMethod
  VolumeStatus delete();

  @UpdateMethod
  FileListing listFiles(String path);

  @UpdateValidatorMethod(updateName = "listFiles")
  void validateListFiles(String path);

  @UpdateMethod
  FileChunk readFile(String path, long offset, int length);

  @UpdateValidatorMethod(updateName = "readFile")
  void validateReadFile(String path, long offset, int length);

  /** Replaces the file's content atomically, creating parent directories. */
  @UpdateMethod
  FileEntry writeFile(String path, byte[] data);

  @UpdateValidatorMethod(updateName = "writeFile")
  void validateWriteFile(String path, byte[] data);

  /** Renames a file or directory; refused when {@code to} exists. */
  @UpdateMethod
  void moveFile(String from, String to);

  @UpdateValidatorMethod(updateName = "moveFile")
  void validateMoveFile(String from, String to);
}

package dev.sandboxes.activity;

import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.FileListing;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The activities of a volume workflow. Idempotent under retry except {@link #moveFile}, which
 * its caller never retries. Failures arrive typed with {@link dev.sandboxes.model.SandboxErrors}.
 */
@ActivityInterface(namePrefix = "Volume")
public interface VolumeActivities {

  /** Creates the volume's storage for {@code owner}, or finds what an earlier attempt created. */
  @ActivityMethod
  VolumeState create(String name, VolumeSpec spec, SandboxOwner owner);

  /** Waits, heartbeating, until the volume's phase differs from {@code known}; bounded like a sandbox's. */
  @ActivityMethod
  VolumeState awaitChange(String name, String known);

  /** Deletes the volume's storage and returns once it is gone; refused while attached. */
  @ActivityMethod
  void delete(String name);

  @ActivityMethod
  FileListing listFiles(String volume, String path);

  @ActivityMethod
  FileChunk readFile(String volume, String path, long offset, int length);

  @ActivityMethod
  FileEntry writeFile(String volume, String path, byte[] data);

  @ActivityMethod
  void moveFile(String volume, String from, String to);
}

package dev.sandboxes.runtime;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;
import java.util.List;

/**
 * What a runtime does for volumes: storage that outlives sandboxes, mounted by name
 * ({@code SandboxSpec.volumeMounts}). Part of {@link SandboxRuntime}; errors as described there.
 * Behind {@link ComposedRuntime} its input is valid (a volume name, a spec with the defaults
 * filled in); ownership follows {@link Ownership}.
 */
public interface VolumePlatform {
  /**
   * Creates the volume {@code name}. Idempotent like {@link SandboxPlatform#create}: an existing volume of the
   * same {@code owner} is returned as it is; one of another owner (left behind by an earlier
   * volume of that name) is refused with {@link PlatformException} of type
   * {@code SandboxNameConflict} and left untouched. Returns at once, usually {@code pending}.
   */
  VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner);

  /** The volume's current state; {@link dev.sandboxes.model.SandboxNotFoundException} if absent. */
  VolumeState inspectVolume(String name);

  /**
   * Blocks until the volume's phase differs from {@code known} or {@code maxWait} has passed,
   * then returns its current state. Waits on a watch, never by polling.
   */
  VolumeState awaitVolumeChange(String name, String known, Duration maxWait) throws InterruptedException;

  /** Names of the sandboxes that mount the volume and have not reached a terminal phase. */
  List<String> attachedTo(String volume);

  /**
   * Deletes the volume and its data and returns once its storage is gone, so that a volume
   * created again under the same name starts empty. Returns normally when it is already gone.
   * Refused with {@link dev.sandboxes.model.VolumeInUseException} while {@link #attachedTo} is
   * not empty.
   */
  void deleteVolume(String name);
}

package dev.sandboxes.runtime;

import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;
import java.util.List;

/**
 * The platform boundary: everything the activities need from a place that runs sandboxes.
 * Implementations know nothing of Temporal; the activities translate their exceptions.
 *
 * <p>Errors: {@link dev.sandboxes.model.InvalidSpecException} for bad input,
 * {@link dev.sandboxes.model.SandboxNotFoundException} when the sandbox does not exist,
 * {@link PlatformException} for the platform's own failures (with whether a retry may help).
 * Every method is safe to call again after a failure or a crash, except {@link #exec}, which
 * runs the command again.
 */
public interface SandboxRuntime extends AutoCloseable {

  /** {@code kubernetes} or {@code local}. */
  String kind();

  /**
   * Creates the sandbox named {@code spec.name()}. Idempotent by name: when the object already
   * exists and belongs to {@code owner} its current state is returned; when it belongs to
   * someone else, {@link PlatformException} of type {@code SandboxNameConflict} is thrown.
   */
  RuntimeState create(SandboxSpec spec, SandboxOwner owner);

  /** The sandbox's current state. */
  RuntimeState inspect(String name);

  /**
   * Blocks until the sandbox's phase differs from {@code known} or {@code maxWait} has passed,
   * then returns the current state (unchanged on timeout). Waits on a watch, never by polling.
   */
  RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait)
      throws InterruptedException;

  /**
   * Runs a command in the running sandbox. Drains stdout and stderr to the end, keeps at most
   * the configured cap of each (flagging truncation) and gives up after the request's timeout
   * with {@code timedOut} set.
   */
  ExecResult exec(String name, ExecRequest request) throws InterruptedException;

  /** Recent output of the main process; readable after it exited, until {@link #delete}. */
  LogChunk logs(String name, LogRequest request);

  /** Deletes the sandbox's objects; returns normally when they are already gone. */
  void delete(String name);

  // ---- volumes: storage that outlives sandboxes, mounted by name (spec.volumeMounts)

  /**
   * Creates the volume {@code name}. Idempotent like {@link #create}: an existing volume of the
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

  // ---- the volume file API: files of a volume without a sandbox. Paths are absolute inside the
  // volume and already checked by VolumePaths; runtimes check them again and never leave the volume.

  /**
   * The entries of the directory {@code path}, sorted by path, or the single entry when
   * {@code path} is a file. {@link dev.sandboxes.model.SandboxNotFoundException} when the volume
   * or the path does not exist.
   */
  List<FileEntry> listFiles(String volume, String path);

  /**
   * At most {@code length} bytes of the file {@code path} from {@code offset} (fewer at its end;
   * none past it). {@link dev.sandboxes.model.InvalidSpecException} when {@code path} is a directory.
   */
  FileChunk readFile(String volume, String path, long offset, int length);

  /**
   * Writes {@code data} as the whole content of the file {@code path}, atomically (readers see the
   * old content or the new, never a mix), creating missing parent directories.
   */
  FileEntry writeFile(String volume, String path, byte[] data);

  /**
   * Renames {@code from} to {@code to} (a file or a directory), creating missing parent directories
   * of {@code to}. {@link dev.sandboxes.model.InvalidSpecException} when {@code to} exists.
   */
  void moveFile(String volume, String from, String to);

  // ---- ownership: what the orphan reaper needs

  /**
   * Every object this project created on the runtime and that still exists, with the owner
   * recorded on it: on Kubernetes the pods, network policies and claims labelled as managed by
   * this project in the runtime's namespace; locally the sandbox and volume directories. Objects
   * without this project's label are never listed.
   */
  List<OwnedObject> ownedObjects();

  /**
   * Removes {@code object} if it still exists and still records the same owner (a later object
   * of the same name is never touched), stopping what runs in it. Returns false when it was
   * already gone or belongs to someone else now. Does not wait for the platform to finish.
   */
  boolean deleteOwned(OwnedObject object);

  /** Requests sent to the platform's API so far (for benchmarks and metrics); 0 where there is no API. */
  default long apiRequests() {
    return 0;
  }

  @Override
  default void close() {}
}

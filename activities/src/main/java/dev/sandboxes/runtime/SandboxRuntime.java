package dev.sandboxes.runtime;

import java.util.List;

/**
 * The platform boundary: everything the activities need from a place that runs sandboxes.
 * Implementations know nothing of Temporal; the activities translate their exceptions.
 *
 * <p>Errors: {@link dev.sandboxes.model.InvalidSpecException} for bad input,
 * {@link dev.sandboxes.model.SandboxNotFoundException} when the sandbox does not exist,
 * {@link PlatformException} for the platform's own failures (with whether a retry may help).
 * Every method is safe to call again after a failure or a crash, except {@link #exec}, which
 * runs the command again. The three parts ({@link SandboxPlatform}, {@link VolumePlatform},
 * {@link VolumeFilePlatform}) are usually separate classes; {@link ComposedRuntime} joins them.
 */
public interface SandboxRuntime
    extends SandboxPlatform, VolumePlatform, VolumeFilePlatform, AutoCloseable {

  /** {@code kubernetes} or {@code local}. */
  String kind();

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

  // ---- warm pools: runtimes that keep ready pods for sandboxes to claim (Kubernetes)

  /** The names of the warm pools this runtime keeps; none by default. */
  default List<String> poolNames() {
    return List.of();
  }

  /**
   * Makes the pool's idle pods number its size again, creating at most its refill rate, owned
   * by {@code owner}; {@link dev.sandboxes.model.SandboxNotFoundException} for a pool it does not
   * keep.
   */
  default dev.sandboxes.model.PoolStatus fillPool(String pool, dev.sandboxes.model.SandboxOwner owner) {
    throw noPool(pool);
  }

  /**
   * Waits up to {@code maxWait} until the pool needs pods (fewer idle than its size) or none of
   * its idle pods is starting any more, and returns its counts then.
   */
  default dev.sandboxes.model.PoolStatus awaitPoolChange(String pool, java.time.Duration maxWait)
      throws InterruptedException {
    throw noPool(pool);
  }

  /** Removes every idle pod of the pool {@code pool} and its policy, configured or not; returns how many pods. */
  default int drainPool(String pool) {
    return 0;
  }

  private dev.sandboxes.model.SandboxNotFoundException noPool(String pool) {
    return new dev.sandboxes.model.SandboxNotFoundException("no warm pool named \"" + pool
        + "\" on this worker's " + kind() + " runtime (pools: " + poolNames() + ")");
  }

  /** Requests sent to the platform's API so far (for benchmarks and metrics); 0 where there is no API. */
  default long apiRequests() {
    return 0;
  }

  @Override
  default void close() {}
}

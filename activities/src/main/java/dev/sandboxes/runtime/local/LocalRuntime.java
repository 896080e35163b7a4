package dev.sandboxes.runtime.local;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.runtime.ComposedRuntime;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.SandboxRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sandboxes as process trees on this host, for development and single-machine use.
 *
 * <p><b>Images are not pulled.</b> The spec's image is only recorded; the command runs from
 * the host's own {@code /usr}, so a sandbox has the host's tools, not the image's. A warning
 * says so once per runtime.
 *
 * <p>Each sandbox lives in {@code <root>/sandboxes/<name>/}: {@code sandbox.properties} (owner,
 * image, times, exit), {@code workspace/} and {@code tmp/} (its {@code /workspace} and
 * {@code /tmp}) and {@code output.log}, the main process's stdout and stderr interleaved as
 * timestamped lines and bounded in size. Volumes are directories
 * {@code <root>/volumes/<name>/data} next to a {@code volume.properties} that records their
 * owner; the volume file API works on that directory directly and never follows a symlink out
 * of it ({@link VolumeDirectory}). A volume is attached to the live sandboxes that mount it.
 *
 * <p>Isolation ({@link IsolationMode}): under bubblewrap the sandbox sees a tmpfs root with the
 * host's {@code /usr} and {@code /etc} read-only, its own {@code /workspace}, {@code /tmp} and
 * volumes, private PID/IPC/UTS/mount namespaces, no capabilities, and only loopback unless
 * its egress policy allows all traffic. An allow list of CIDRs or hosts cannot be enforced here:
 * a create with one is refused ({@code InvalidSpecException} naming {@code egress.allowedCidrs}
 * or {@code egress.allowedHosts}). Every exec is a new bubblewrap process with the same binds:
 * it shares the main process's files but not its PID namespace, so it cannot see or signal the
 * main process. Without isolation, commands are plain child processes of the worker with a
 * cleared environment, volumes are refused, and working directories at or below
 * {@code /workspace} map into the sandbox's workspace directory while any other path is a host
 * path (which must exist).
 *
 * <p>Lifecycle: {@code create} starts the main process and reports {@link SandboxPhase#RUNNING}
 * at once (there is no queue and no image pull); exit 0 gives {@link SandboxPhase#SUCCEEDED},
 * any other exit {@link SandboxPhase#FAILED} with reason {@code Error}. A sandbox whose process
 * this runtime no longer holds and whose end was never recorded (the worker restarted) is
 * {@link SandboxPhase#FAILED} with reason {@code WorkerRestarted}. {@link #close()} kills every
 * process this runtime started.
 *
 * <p>A worker crash ({@code kill -9}, out of memory, power loss of the JVM only) leaves no
 * sandbox process behind: under bubblewrap each process has {@code --die-with-parent} and its
 * own PID namespace, which ends with everything in it; without isolation each command runs in
 * a process group of its own under a {@link ProcessSupervisor} that kills the group when the
 * worker dies (a process that leaves the group is the one gap). What survives is on disk: each
 * sandbox's record, logs and workspace. A runtime started on the same root finds the sandboxes
 * whose worker is gone and never recorded an end, kills anything of them that still runs, and
 * records them FAILED {@code WorkerRestarted}; their workflows see that at their next
 * {@code awaitChange} and clean up with {@code delete} as for any other end. Nothing is
 * adopted: a process this runtime did not start cannot be observed (no exit code, no output
 * pipe), so it is never reported as still running.
 *
 * <p>A spec's {@code ttl} is enforced here too, as a backstop for a sandbox whose workflow
 * ended without cleanup: the process tree is killed and the sandbox is
 * {@link SandboxPhase#FAILED} with reason {@code DeadlineExceeded}, as on Kubernetes.
 *
 * <p>Single host: every call about one sandbox must reach the runtime (worker) that created
 * it. One runtime per root: it locks {@code <root>/.lock} while it is open, and a second one on
 * the same root fails to start instead of reporting the first one's sandboxes as lost
 * ({@code WorkerRestarted}) and its names as taken ({@code SandboxNameConflict}).
 *
 * <p>This class only assembles the parts ({@link ComposedRuntime} hands each call to its part):
 * {@link LocalSandboxes} (records,
 * lifecycle, exec, logs), {@link LocalVolumes} (the volume store), {@link HostProcesses}
 * (starting and killing host processes), {@link TtlDeadlines}, {@link ExecCapture} and
 * {@link IsolationProbe}.
 */
public final class LocalRuntime extends ComposedRuntime {
  private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);
  /** {@link #kind()}, which every {@link RuntimeRef} of this runtime names. */
  static final String KIND = "local";

  private final IsolationMode isolation;
  private final LocalVolumes volumes;
  private final LocalSandboxes sandboxes;
  private final RootLock lock;
  private final Path root;

  /**
   * A runtime on {@code options.root()}: it creates the root's {@code sandboxes/} and
   * {@code volumes/} when missing (accessible to this user only), resolves the isolation, and
   * records as FAILED {@code WorkerRestarted} the sandboxes an earlier worker on that root left
   * unfinished, killing what of them still runs. Throws {@link UncheckedIOException} when those
   * directories cannot be made and {@link IllegalStateException} when isolation {@code BUBBLEWRAP}
   * is configured but does not work here or another local runtime, of this process or another,
   * holds the root (one runtime per root).
   */
  public LocalRuntime(LocalRuntimeOptions options) {
    this(Parts.of(options));
  }

  private LocalRuntime(Parts parts) {
    super(parts.sandboxes(), parts.volumes(), parts.volumes());
    this.isolation = parts.isolation();
    this.volumes = parts.volumes();
    this.sandboxes = parts.sandboxes();
    this.lock = parts.lock();
    this.root = parts.root();
    try {
      sandboxes.recoverLost();
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
    log.warn("Local sandbox runtime: container images are NOT pulled; each sandbox's image is only "
        + "recorded and its command runs with this host's own /usr (isolation {})", isolation);
  }

  /** The parts of a runtime on {@code options.root()}, which they create when missing. */
  private record Parts(IsolationMode isolation, LocalSandboxes sandboxes, LocalVolumes volumes, RootLock lock,
      Path root) {
    static Parts of(LocalRuntimeOptions options) {
      Path sandboxRoot = options.root().resolve("sandboxes");
      Path volumeRoot = options.root().resolve("volumes");
      try {
        Files.createDirectories(sandboxRoot);
        Files.createDirectories(volumeRoot);
        // Sandbox files and logs are nobody else's business on a shared machine.
        Files.setPosixFilePermissions(sandboxRoot, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(volumeRoot, PosixFilePermissions.fromString("rwx------"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the local runtime's root " + options.root(), e);
      }
      RootLock lock = RootLock.acquire(options.root());
      try {
        Isolation chosen = IsolationProbe.choose(options.isolation(), options.root().resolve("probe"));
        String host = hostName();
        // volumes and sandboxes know each other: a volume is in use while a sandbox mounts it
        AtomicReference<LocalSandboxes> sandboxes = new AtomicReference<>();
        LocalVolumes volumes = new LocalVolumes(volumeRoot, host, v -> sandboxes.get().attachedTo(v));
        sandboxes.set(new LocalSandboxes(options, sandboxRoot, host,
            new HostProcesses(chosen, options.killGrace()), volumes));
        return new Parts(chosen.mode(), sandboxes.get(), volumes, lock, options.root());
      } catch (RuntimeException | Error e) {
        lock.close();
        throw e;
      }
    }
  }

  /** A runtime with {@link LocalRuntimeOptions#defaults()}. */
  public LocalRuntime() {
    this(LocalRuntimeOptions.defaults());
  }

  /** The isolation actually in use ({@link IsolationMode#AUTO} resolved). */
  public IsolationMode isolation() {
    return isolation;
  }

  @Override
  public String kind() {
    return KIND;
  }

  // ---- ownership

  /** Every sandbox directory with a record and every volume with its properties, with their owners. */
  @Override
  public List<OwnedObject> ownedObjects() {
    List<OwnedObject> objects = new ArrayList<>(sandboxes.owned());
    objects.addAll(volumes.owned());
    return objects;
  }

  /** Stops and removes a sandbox, or removes a volume, while it still records the same owner. */
  @Override
  public boolean deleteOwned(OwnedObject object) {
    return switch (object.kind()) {
      case OwnedObject.LOCAL_SANDBOX -> sandboxes.deleteOwned(object);
      case OwnedObject.LOCAL_VOLUME -> volumes.deleteOwned(object);
      default -> throw new IllegalArgumentException("not a local object kind: " + object.kind());
    };
  }

  /** Kills every process this runtime started and frees the root; their sandboxes stay on disk. */
  @Override
  public void close() {
    try {
      sandboxes.close();
    } finally {
      lock.close();
    }
  }

  /**
   * Lets go of the root's lock and of nothing else, as a worker that died would (its processes
   * run on): for tests of what the next runtime on this root recovers, in one JVM.
   */
  void abandonRoot() {
    lock.close();
  }

  /**
   * {@link #close()}, then removes the root with every sandbox's files and every volume: for a
   * root that lived as long as this runtime (a development stack's own directory).
   */
  public void closeAndDelete() {
    close();
    Directories.deleteTree(root);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}

package dev.sandboxes.runtime.local;

import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * its egress policy allows traffic. An allow list cannot be enforced here and is treated as
 * unrestricted (with a warning). Every exec is a new bubblewrap process with the same binds:
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
 * it.
 */
public final class LocalRuntime implements SandboxRuntime {
  private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);
  private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);
  private static final String VOLUME_PROPERTIES = "volume.properties";
  private static final String OWNER_WORKFLOW = "ownerWorkflowId";
  private static final String OWNER_RUN = "ownerFirstRunId";

  private final LocalRuntimeOptions options;
  private final Path sandboxes;
  private final Path volumes;
  private final Isolation isolation;
  private final String host;
  private final Map<String, LiveSandbox> live = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  /** Names being created right now: their record exists before their process does. */
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  /**
   * Every process is started from this one long-lived thread. bubblewrap's
   * {@code --die-with-parent} uses the parent-death signal, which Linux sends when the
   * <em>thread</em> that forked the process ends: started from a pooled activity thread, a
   * sandbox would die when the pool retired that thread.
   */
  private final ExecutorService launcher;
  private final ExecutorService background;
  /** Fires TTL deadlines; its one thread only signals, the killing runs in {@link #background}. */
  private final ScheduledExecutorService deadlines;
  private volatile boolean closed;

  public LocalRuntime(LocalRuntimeOptions options) {
    this.options = options;
    this.sandboxes = options.root().resolve("sandboxes");
    this.volumes = options.root().resolve("volumes");
    try {
      Files.createDirectories(sandboxes);
      Files.createDirectories(volumes);
      // Sandbox files and logs are nobody else's business on a shared machine.
      Files.setPosixFilePermissions(sandboxes, PosixFilePermissions.fromString("rwx------"));
      Files.setPosixFilePermissions(volumes, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local runtime's root " + options.root(), e);
    }
    this.isolation = chooseIsolation(options.isolation(), options.root().resolve("probe"));
    this.host = hostName();
    this.launcher = Executors.newSingleThreadExecutor(daemonThreads("local-sandbox-launcher"));
    this.background = Executors.newCachedThreadPool(daemonThreads("local-sandbox"));
    this.deadlines = Executors.newSingleThreadScheduledExecutor(daemonThreads("local-sandbox-ttl"));
    recoverLost();
    log.warn("Local sandbox runtime: container images are NOT pulled; each sandbox's image is only "
        + "recorded and its command runs with this host's own /usr (isolation {})", isolation.mode());
  }

  public LocalRuntime() {
    this(LocalRuntimeOptions.defaults());
  }

  /**
   * Finds the sandboxes an earlier worker on this root left unfinished, because it was killed
   * or stopped: records their loss (FAILED {@code WorkerRestarted}), so their workflows learn
   * it from the next {@code inspect}, and kills whatever of them still runs. Sandboxes whose
   * worker still runs (another runtime on the same root) are left alone.
   */
  private void recoverLost() {
    List<String> lost = new ArrayList<>();
    for (Path dir : children(sandboxes)) {
      Optional<SandboxRecord> record = SandboxRecord.read(dir);
      if (record.isEmpty() || record.get().ended() || record.get().workerAlive()) {
        continue;
      }
      if (record.get().pid() != null) {
        killOrphan(record.get());
      }
      record.get().lost(Instant.now()).write(dir);
      lost.add(record.get().name());
    }
    if (!lost.isEmpty()) {
      log.warn("{} sandboxes of an earlier worker on {} never finished; recorded as FAILED {}: {}",
          lost.size(), options.root(), SandboxRecord.WORKER_RESTARTED, lost);
    }
  }

  /** The isolation actually in use ({@link IsolationMode#AUTO} resolved). */
  public IsolationMode isolation() {
    return isolation.mode();
  }

  @Override
  public String kind() {
    return "local";
  }

  @Override
  public RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    SandboxSpec valid = spec.validated();
    if (valid.name() == null) {
      throw new InvalidSpecException("sandbox spec",
          List.of(new Violation("name", "must be set when a runtime creates the sandbox")));
    }
    String name = valid.name();
    synchronized (lockOf(name)) {
      requireOpen();
      Path dir = sandboxDir(name);
      Optional<SandboxRecord> existing = SandboxRecord.read(dir);
      if (existing.isPresent()) {
        SandboxOwner recorded = existing.get().owner();
        if (!recorded.equals(owner)) {
          throw PlatformException.conflict("sandbox \"" + name + "\" already exists and belongs to "
              + "workflow " + recorded.workflowId() + " (first run " + recorded.firstRunId()
              + "), not to " + owner.workflowId() + " (first run " + owner.firstRunId() + ")");
        }
        return inspect(name);
      }
      SandboxView view = viewFor(name, dir, valid);
      deleteTree(dir); // A directory without a record is what a crash mid-create leaves.
      try {
        Files.createDirectories(view.workspace());
        Files.createDirectories(view.tmp());
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot create the directory of sandbox \"" + name + "\"", e);
      }
      SandboxRecord record = SandboxRecord.created(name, valid.image(), owner, Instant.now());
      starting.add(name);
      try {
        record.write(dir);
        start(name, dir, valid, view, record);
      } finally {
        starting.remove(name);
      }
      return inspect(name);
    }
  }

  private SandboxView viewFor(String name, Path dir, SandboxSpec spec) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (Map.Entry<String, String> mount : spec.volumeMounts().entrySet()) {
      if (isolation.mode() == IsolationMode.NONE) {
        throw new InvalidSpecException("sandbox spec", List.of(new Violation(
            "volumeMounts[\"" + mount.getKey() + "\"]",
            "cannot be mounted: the local runtime runs without isolation (bubblewrap), so it has no "
                + "mount namespace to show a volume at an absolute path")));
      }
      Path data = volumeDir(mount.getValue()).resolve("data");
      if (!Files.isDirectory(data)) {
        throw new SandboxNotFoundException("volume \"" + mount.getValue() + "\" mounted at "
            + mount.getKey() + " by sandbox \"" + name + "\" does not exist");
      }
      mounts.put(mount.getKey(), data);
    }
    EgressPolicy egress = spec.egress() == null ? EgressPolicy.denyAll() : spec.egress();
    if (!egress.unrestricted() && !egress.deniesAll()) {
      log.warn("sandbox {}: egress allow list {} cannot be enforced by the local runtime; "
          + "the sandbox gets unrestricted network access", name, egress.allowedCidrs());
    }
    return new SandboxView(name, dir.resolve("workspace"), dir.resolve("tmp"), mounts, !egress.deniesAll());
  }

  private void start(String name, Path dir, SandboxSpec spec, SandboxView view, SandboxRecord record) {
    List<String> argv = new ArrayList<>(spec.effectiveCommand());
    argv.addAll(spec.args());
    Process process;
    TimestampedLog output;
    try {
      output = new TimestampedLog(dir, options.logCapBytes());
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot open the log of sandbox \"" + name + "\"", e);
    }
    try {
      process = launch(isolation.processFor(view, argv, spec.env(), spec.workdir()));
    } catch (IOException e) {
      // Typically the command does not exist (without isolation; bubblewrap reports that as exit 1).
      output.append("cannot start " + argv + ": " + e.getMessage());
      output.close();
      record.failed(Instant.now(), "StartError", "cannot start the main process: " + e.getMessage()).write(dir);
      return;
    }
    Instant startedAt = process.toHandle().info().startInstant().orElse(Instant.now());
    record = record.started(Instant.now(), process.pid(), startedAt);
    record.write(dir);
    closeQuietly(process.getOutputStream());
    List<Thread> readers = List.of(
        output.drainInBackground(process.getInputStream(), "sandbox-" + name + "-stdout"),
        output.drainInBackground(process.getErrorStream(), "sandbox-" + name + "-stderr"));
    LiveSandbox sandbox = new LiveSandbox(name, dir, spec, view, process, output, readers);
    live.put(name, sandbox);
    SandboxRecord started = record;
    process.onExit().thenRunAsync(() -> settle(sandbox, started), background);
    if (spec.ttl() != null) {
      // The backstop Kubernetes gets from activeDeadlineSeconds: a sandbox whose workflow was
      // terminated (so no cleanup ran) still ends.
      deadlines.schedule(() -> background.execute(() -> expire(sandbox)),
          spec.ttl().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void expire(LiveSandbox sandbox) {
    if (sandbox.settled.isDone() || sandbox.abandoned) {
      return;
    }
    sandbox.deadlineExceeded = true;
    ProcessTree.terminate(sandbox.process.toHandle(), options.killGrace(), wrapped());
  }

  /** Records how the main process ended, once its output is drained, then wakes waiters. */
  private void settle(LiveSandbox sandbox, SandboxRecord record) {
    try {
      joinReaders(sandbox, DRAIN_AFTER_EXIT);
      sandbox.log.close();
      synchronized (lockOf(sandbox.name)) {
        if (!sandbox.abandoned && live.get(sandbox.name) == sandbox) {
          SandboxRecord ended = record.exited(Instant.now(), sandbox.process.exitValue());
          if (sandbox.deadlineExceeded) {
            ended = ended.failed(ended.finishedAt(), "DeadlineExceeded",
                "the sandbox ran longer than its ttl of " + sandbox.spec.ttl() + " and was killed");
          }
          ended.write(sandbox.dir);
        }
      }
    } catch (RuntimeException e) {
      log.warn("cannot record the end of sandbox {}", sandbox.name, e);
    } finally {
      sandbox.settled.complete(null);
    }
  }

  @Override
  public RuntimeState inspect(String name) {
    Path dir = sandboxDir(name);
    SandboxRecord record = SandboxRecord.read(dir)
        .orElseThrow(() -> new SandboxNotFoundException("sandbox \"" + name + "\" does not exist on " + host));
    boolean held = live.containsKey(name) || starting.contains(name);
    return record.state(held, new RuntimeRef(kind(), host, dir.toString(), null));
  }

  @Override
  public RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait) throws InterruptedException {
    RuntimeState state = inspect(name);
    LiveSandbox sandbox = live.get(name);
    if (state.phase() != known || sandbox == null) {
      // Only a running sandbox held here can still change; every other state is final.
      return state;
    }
    try {
      sandbox.settled.get(Math.max(0, maxWait.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Unchanged within maxWait: report the current state.
    } catch (ExecutionException e) {
      throw new IllegalStateException("unexpected failure while waiting for " + name, e.getCause());
    }
    return inspect(name);
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    ExecRequest valid = request.validated();
    RuntimeState state = inspect(name);
    LiveSandbox sandbox = live.get(name);
    if (state.phase() != SandboxPhase.RUNNING || sandbox == null) {
      throw new SandboxNotRunningException(name, "exec", state.phase());
    }
    Map<String, String> env = new LinkedHashMap<>(sandbox.spec.env());
    env.putAll(valid.env());
    String workdir = valid.workdir() != null ? valid.workdir() : sandbox.spec.workdir();

    Instant begin = Instant.now();
    Process process;
    try {
      process = launch(isolation.processFor(sandbox.view, valid.argv(), env, workdir));
    } catch (IOException e) {
      // Without isolation a missing program fails here; report it as a shell would.
      return new ExecResult(127, "", "cannot run " + valid.argv().get(0) + ": " + e.getMessage() + "\n",
          false, false, false, Duration.between(begin, Instant.now()));
    }
    sandbox.execs.add(process);
    try {
      return collect(process, valid, begin);
    } finally {
      sandbox.execs.remove(process);
    }
  }

  private ExecResult collect(Process process, ExecRequest valid, Instant begin) throws InterruptedException {
    BoundedCapture stdout = new BoundedCapture(options.execOutputCapBytes());
    BoundedCapture stderr = new BoundedCapture(options.execOutputCapBytes());
    Future<?> outDrain = background.submit(() -> stdout.drain(process.getInputStream()));
    Future<?> errDrain = background.submit(() -> stderr.drain(process.getErrorStream()));
    background.submit(() -> feed(process.getOutputStream(), valid.stdin()));

    boolean finished;
    try {
      finished = process.waitFor(valid.effectiveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      ProcessTree.terminate(process.toHandle(), options.killGrace(), wrapped());
      throw e;
    }
    if (!finished) {
      ProcessTree.terminate(process.toHandle(), options.killGrace(), wrapped());
    }
    awaitQuietly(outDrain, DRAIN_AFTER_EXIT);
    awaitQuietly(errDrain, DRAIN_AFTER_EXIT);
    Duration took = Duration.between(begin, Instant.now());
    int exitCode = finished ? process.exitValue() : ExecResult.TIMED_OUT_EXIT_CODE;
    return new ExecResult(exitCode, stdout.text(), stderr.text(), stdout.truncated(), stderr.truncated(),
        !finished, took);
  }

  private static void feed(OutputStream stdin, String text) {
    try (stdin) {
      if (text != null) {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The command exited or closed its stdin without reading everything: not an error.
    }
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    LogRequest valid = request.validated();
    Path dir = sandboxDir(name);
    if (SandboxRecord.read(dir).isEmpty()) {
      throw new SandboxNotFoundException("sandbox \"" + name + "\" does not exist on " + host);
    }
    LiveSandbox sandbox = live.get(name);
    LogChunk all = sandbox != null ? sandbox.log.readLive() : TimestampedLog.read(dir);
    return all.select(valid);
  }

  @Override
  public void delete(String name) {
    synchronized (lockOf(name)) {
      Path dir = sandboxDir(name);
      LiveSandbox sandbox = live.get(name);
      if (sandbox != null) {
        stop(sandbox);
      } else {
        // Started by an earlier worker and still alive (possible without isolation): kill it
        // if the recorded pid is still that process and not a reused pid.
        SandboxRecord.read(dir).filter(r -> !r.ended() && r.pid() != null).ifPresent(this::killOrphan);
      }
      deleteTree(dir);
      // Only now: until the directory is gone, inspect must not mistake it for a lost sandbox.
      live.remove(name);
      if (sandbox != null) {
        sandbox.settled.complete(null);
      }
    }
  }

  private void stop(LiveSandbox sandbox) {
    sandbox.abandoned = true;
    for (Process exec : sandbox.execs) {
      ProcessTree.terminate(exec.toHandle(), options.killGrace(), wrapped());
    }
    ProcessTree.terminate(sandbox.process.toHandle(), options.killGrace(), wrapped());
    // Let the readers finish so nothing writes into the directory while it is removed.
    joinReaders(sandbox, DRAIN_AFTER_EXIT);
    sandbox.log.close();
  }

  private void killOrphan(SandboxRecord record) {
    ProcessHandle.of(record.pid())
        .filter(p -> record.pidStartedAt() != null
            && p.info().startInstant().map(record.pidStartedAt()::equals).orElse(false))
        .ifPresent(p -> ProcessTree.terminate(p, options.killGrace(), wrapped()));
  }

  // ---- ownership

  /** Every sandbox directory with a record and every volume with its properties, with their owners. */
  @Override
  public List<OwnedObject> ownedObjects() {
    List<OwnedObject> objects = new ArrayList<>();
    for (Path dir : children(sandboxes)) {
      SandboxRecord.read(dir).ifPresent(r -> objects.add(new OwnedObject(OwnedObject.LOCAL_SANDBOX,
          r.name(), r.owner(), r.createdAt(), List.of())));
    }
    for (Path dir : children(volumes)) {
      String name = dir.getFileName().toString();
      if (Files.exists(dir.resolve(VOLUME_PROPERTIES))) {
        Properties p = volumeProperties(name);
        objects.add(new OwnedObject(OwnedObject.LOCAL_VOLUME, name, ownerOf(p),
            parseInstant(p.getProperty("createdAt")), attachedTo(name)));
      }
    }
    return objects;
  }

  /** Stops and removes a sandbox, or removes a volume, while it still records the same owner. */
  @Override
  public boolean deleteOwned(OwnedObject object) {
    switch (object.kind()) {
      case OwnedObject.LOCAL_SANDBOX -> {
        synchronized (lockOf(object.name())) {
          Optional<SandboxRecord> record = SandboxRecord.read(sandboxDir(object.name()));
          if (record.isEmpty() || !record.get().owner().equals(object.owner())) {
            return false;
          }
          delete(object.name());
          return true;
        }
      }
      case OwnedObject.LOCAL_VOLUME -> {
        synchronized (lockOf("volume/" + object.name())) {
          if (!Files.exists(volumeDir(object.name()).resolve(VOLUME_PROPERTIES))) {
            return false;
          }
          if (!ownerOf(volumeProperties(object.name())).equals(object.owner())) {
            return false;
          }
          deleteVolume(object.name());
          return true;
        }
      }
      default -> throw new IllegalArgumentException("not a local object kind: " + object.kind());
    }
  }

  private static List<Path> children(Path dir) {
    try (var entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot list " + dir, e);
    }
  }

  private static Instant parseInstant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    VolumeSpec.validName(name);
    VolumeSpec valid = (spec == null ? VolumeSpec.defaults() : spec).validated();
    synchronized (lockOf("volume/" + name)) {
      Path dir = volumeDir(name);
      Path meta = dir.resolve(VOLUME_PROPERTIES);
      if (Files.exists(meta)) {
        Properties p = volumeProperties(name);
        SandboxOwner recorded = ownerOf(p);
        if (!recorded.equals(owner)) {
          throw PlatformException.conflict("volume \"" + name + "\" already exists and belongs to "
              + "workflow " + recorded.workflowId() + " (first run " + recorded.firstRunId()
              + "), not to " + owner.workflowId() + " (first run " + owner.firstRunId() + ")");
        }
        return inspectVolume(name);
      }
      Properties p = new Properties();
      p.setProperty("name", name);
      p.setProperty("createdAt", Instant.now().toString());
      p.setProperty(OWNER_WORKFLOW, owner.workflowId());
      p.setProperty(OWNER_RUN, owner.firstRunId());
      if (valid.size() != null) {
        // Recorded only: a local volume is a plain directory without a quota.
        p.setProperty("size", valid.size());
      }
      try {
        // Data left by a crash between these two steps belongs to no volume: start empty.
        deleteTree(dir.resolve("data"));
        Files.createDirectories(dir.resolve("data"));
        // Written under a temporary name and renamed: a volume exists once its owner is recorded.
        Path temp = dir.resolve(VOLUME_PROPERTIES + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
          p.store(out, "local volume");
        }
        Files.move(temp, meta, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot create volume \"" + name + "\"", e);
      }
      return inspectVolume(name);
    }
  }

  @Override
  public VolumeState inspectVolume(String name) {
    Properties p = volumeProperties(name);
    return new VolumeState(name, VolumeState.READY, null, p.getProperty("size"),
        new RuntimeRef(kind(), host, volumeDir(name).toString(), null));
  }

  /** The owner a volume's properties record. */
  private static SandboxOwner ownerOf(Properties volume) {
    return new SandboxOwner(volume.getProperty(OWNER_WORKFLOW), volume.getProperty(OWNER_RUN));
  }

  private Properties volumeProperties(String name) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(volumeDir(name).resolve(VOLUME_PROPERTIES),
        StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new SandboxNotFoundException("volume \"" + name + "\" does not exist on " + host);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read volume \"" + name + "\"", e);
    }
    return p;
  }

  /**
   * A local volume is a directory, ready as soon as it exists, and its phase never changes
   * afterwards: there is nothing to wait for, so this returns the current state at once.
   */
  @Override
  public VolumeState awaitVolumeChange(String name, String known, Duration maxWait) {
    return inspectVolume(name);
  }

  @Override
  public List<String> attachedTo(String volume) {
    VolumeSpec.validName(volume);
    return live.values().stream()
        .filter(s -> !s.settled.isDone() && s.spec.volumeMounts().containsValue(volume))
        .map(s -> s.name)
        .sorted()
        .toList();
  }

  @Override
  public void deleteVolume(String name) {
    synchronized (lockOf("volume/" + name)) {
      List<String> users = attachedTo(name);
      if (!users.isEmpty()) {
        throw new VolumeInUseException(name, users);
      }
      Path dir = volumeDir(name);
      // The record goes first: a crash half-way leaves no volume, only data a re-create clears.
      try {
        Files.deleteIfExists(dir.resolve(VOLUME_PROPERTIES));
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot delete volume \"" + name + "\"", e);
      }
      deleteTree(dir);
    }
  }

  @Override
  public List<FileEntry> listFiles(String volume, String path) {
    return files(volume).list(path);
  }

  @Override
  public FileChunk readFile(String volume, String path, long offset, int length) {
    return files(volume).read(path, offset, length);
  }

  @Override
  public FileEntry writeFile(String volume, String path, byte[] data) {
    return files(volume).write(path, data);
  }

  @Override
  public void moveFile(String volume, String from, String to) {
    files(volume).move(from, to);
  }

  private VolumeDirectory files(String volume) {
    volumeProperties(volume);
    return new VolumeDirectory(volume, volumeDir(volume).resolve("data"));
  }

  /** Kills every process this runtime started; their sandboxes stay on disk. */
  @Override
  public void close() {
    closed = true;
    for (LiveSandbox sandbox : live.values()) {
      // Not recorded as an exit: a later runtime reports these sandboxes as WorkerRestarted.
      stop(sandbox);
    }
    // Waiters wake up and, like a restarted runtime, see these sandboxes as WorkerRestarted.
    List<LiveSandbox> stopped = List.copyOf(live.values());
    live.clear();
    stopped.forEach(s -> s.settled.complete(null));
    deadlines.shutdownNow();
    launcher.shutdownNow();
    background.shutdownNow();
  }

  private Process launch(ProcessBuilder builder) throws IOException {
    requireOpen();
    try {
      return launcher.submit(builder::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("cannot start " + builder.command(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PlatformException.unavailable("interrupted while starting " + builder.command(), e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw PlatformException.unavailable("the local runtime is closed", null);
    }
  }

  /** Names become paths: validating them keeps {@code ..} and {@code /} out of the root. */
  private Path sandboxDir(String name) {
    return sandboxes.resolve(SandboxNames.valid(name));
  }

  private Path volumeDir(String name) {
    return volumes.resolve(VolumeSpec.validName(name));
  }

  private boolean wrapped() {
    return isolation.wrapsCommand();
  }

  private Object lockOf(String key) {
    return locks.computeIfAbsent(key, k -> new Object());
  }

  private static void joinReaders(LiveSandbox sandbox, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (Thread reader : sandbox.readers) {
      try {
        reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void awaitQuietly(Future<?> future, Duration limit) {
    try {
      future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // A background process still holds the pipe open; return what was read so far.
      future.cancel(true);
    } catch (ExecutionException e) {
      log.warn("exec output reader failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // Nothing to do: the process simply gets no stdin.
    }
  }

  /** Deletes a directory tree without following symlinks, even where a sandbox removed permissions. */
  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (e != null) {
            throw e;
          }
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // Removed concurrently: the goal is reached.
    } catch (IOException e) {
      throw PlatformException.unavailable("cannot remove " + dir, e);
    }
  }

  private static Isolation chooseIsolation(IsolationMode mode, Path scratch) {
    try {
      switch (mode) {
        case NONE:
          warnNoIsolation("isolation NONE was configured");
          return new NoIsolation(supervisor());
        case BUBBLEWRAP: {
          Path bwrap = BubblewrapIsolation.findOnPath().orElseThrow(() -> new IllegalStateException(
              "isolation BUBBLEWRAP needs the bwrap program (package bubblewrap), but it is not on the PATH "
                  + System.getenv("PATH")));
          BubblewrapIsolation bubblewrap = new BubblewrapIsolation(bwrap);
          bubblewrap.probe(scratch).ifPresent(why -> {
            throw new IllegalStateException("isolation BUBBLEWRAP: " + bwrap + " does not work here: " + why);
          });
          return bubblewrap;
        }
        default: {
          Optional<Path> bwrap = BubblewrapIsolation.findOnPath();
          if (bwrap.isEmpty()) {
            warnNoIsolation("bwrap is not on the PATH (install the bubblewrap package)");
            return new NoIsolation(supervisor());
          }
          BubblewrapIsolation bubblewrap = new BubblewrapIsolation(bwrap.get());
          Optional<String> failure = bubblewrap.probe(scratch);
          if (failure.isPresent()) {
            warnNoIsolation(bwrap.get() + " does not work here: " + failure.get());
            return new NoIsolation(supervisor());
          }
          return bubblewrap;
        }
      }
    } finally {
      deleteTree(scratch);
    }
  }

  private static Optional<ProcessSupervisor> supervisor() {
    Optional<ProcessSupervisor> supervisor = ProcessSupervisor.find();
    if (supervisor.isEmpty()) {
      log.warn("setpriv, setsid or sh is not on the PATH (setpriv and setsid are in util-linux): sandbox "
          + "processes run as direct children of this worker and OUTLIVE it if it is killed");
    }
    return supervisor;
  }

  private static void warnNoIsolation(String why) {
    log.warn("LOCAL SANDBOXES ARE NOT ISOLATED ({}): every sandbox command runs as a plain process of this "
        + "worker's user with full access to this machine's files and network. Never run untrusted code "
        + "this way.", why);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

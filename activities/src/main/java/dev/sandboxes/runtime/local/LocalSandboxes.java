package dev.sandboxes.runtime.local;

import dev.sandboxes.model.EgressPolicy;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.runtime.OwnedObject;
import dev.sandboxes.runtime.Ownership;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxPlatform;
import dev.sandboxes.runtime.agent.OutputFrames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local runtime's sandboxes: each a directory {@code <root>/sandboxes/<name>/} with its
 * {@link SandboxRecord}, and, while this runtime observes it, a {@link LiveSandbox} around its
 * main process. Creates and starts them, records how they end (exit, ttl, a lost worker), runs
 * their execs, reads their logs and stops and removes them. One lock per name orders create,
 * delete and the recording of an exit.
 *
 * <p>Processes are started and killed through {@link HostProcesses}; ttls are enforced by
 * {@link TtlDeadlines}; the volumes a sandbox mounts come from {@link LocalVolumes}.
 */
final class LocalSandboxes implements SandboxPlatform {
  private static final String LOCAL_EGRESS = "cannot be enforced by the local runtime, which gives a "
      + "sandbox either no network (deny-all, the default) or the host's (unrestricted egress); allow "
      + "all or none here, or run on ";

  /** Named after the runtime: these warnings are about the runtime as a whole. */
  private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);

  private final LocalRuntimeOptions options;
  private final Path sandboxes;
  private final String host;
  private final HostProcesses processes;
  private final TtlDeadlines deadlines;
  private final ExecCapture capture;
  private final LocalVolumes volumes;
  private final Map<String, LiveSandbox> live = new ConcurrentHashMap<>();
  private final NamedLocks locks = new NamedLocks();
  /** Names being created right now: their record exists before their process does. */
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  /** The folder of a sandbox's directory that keeps its execs' output. */
  static final String EXECS = "execs";

  /**
   * @param sandboxes the directory that holds one directory per sandbox
   * @param volumes where the volumes that sandboxes mount are found
   */
  LocalSandboxes(LocalRuntimeOptions options, Path sandboxes, String host, HostProcesses processes,
      LocalVolumes volumes) {
    this.options = options;
    this.sandboxes = sandboxes;
    this.host = host;
    this.processes = processes;
    this.deadlines = new TtlDeadlines(processes);
    this.capture = new ExecCapture(processes, options.execOutputCapBytes());
    this.volumes = volumes;
  }

  /**
   * Finds the sandboxes an earlier worker on this root left unfinished, because it was killed
   * or stopped: records their loss (FAILED {@code WorkerRestarted}), so their workflows learn
   * it from the next {@code inspect}, and kills whatever of them still runs. Sandboxes whose
   * worker still runs (another runtime on the same root) are left alone.
   */
  void recoverLost() {
    List<String> lost = new ArrayList<>();
    for (Path dir : Directories.children(sandboxes)) {
      Optional<SandboxRecord> record = SandboxRecord.read(dir);
      if (record.isEmpty() || record.get().ended() || record.get().workerAlive()) {
        continue;
      }
      if (record.get().pid() != null) {
        processes.killOrphan(record.get());
      }
      record.get().lost(Instant.now()).write(dir);
      lost.add(record.get().name());
    }
    if (!lost.isEmpty()) {
      log.warn("{} sandboxes of an earlier worker on {} never finished; recorded as FAILED {}: {}",
          lost.size(), options.root(), SandboxRecord.WORKER_RESTARTED, lost);
    }
  }

  @Override
  public RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    String name = spec.name();
    synchronized (locks.of(name)) {
      processes.requireOpen();
      Path dir = sandboxDir(name);
      Optional<SandboxRecord> existing = SandboxRecord.read(dir);
      if (existing.isPresent()) {
        Ownership.require("sandbox \"" + name + "\"", existing.get().owner(), owner);
        return inspect(name);
      }
      SandboxView view = viewFor(name, dir, spec);
      Directories.deleteTree(dir); // A directory without a record is what a crash mid-create leaves.
      try {
        Files.createDirectories(view.workspace());
        Files.createDirectories(view.tmp());
      } catch (IOException e) {
        throw PlatformException.unavailable("cannot create the directory of sandbox \"" + name + "\"", e);
      }
      SandboxRecord record = SandboxRecord.created(name, spec.image(), owner, Instant.now());
      starting.add(name);
      try {
        record.write(dir);
        start(name, dir, spec, view, record);
      } finally {
        starting.remove(name);
      }
      return inspect(name);
    }
  }

  private SandboxView viewFor(String name, Path dir, SandboxSpec spec) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (Map.Entry<String, String> mount : spec.volumeMounts().entrySet()) {
      if (processes.mode() == IsolationMode.NONE) {
        throw new InvalidSpecException("sandbox spec", List.of(new Violation(
            "volumeMounts[\"" + mount.getKey() + "\"]",
            "cannot be mounted: the local runtime runs without isolation (bubblewrap), so it has no "
                + "mount namespace to show a volume at an absolute path")));
      }
      Path data = volumes.dataOf(mount.getValue());
      if (!Files.isDirectory(data)) {
        throw new SandboxNotFoundException("volume \"" + mount.getValue() + "\" mounted at "
            + mount.getKey() + " by sandbox \"" + name + "\" does not exist");
      }
      mounts.put(mount.getKey(), data);
    }
    EgressPolicy egress = spec.egress() == null ? EgressPolicy.denyAll() : spec.egress();
    if (!egress.unrestricted() && !egress.deniesAll()) {
      // Refused, not widened: a sandbox that asked for some addresses must never get them all.
      List<Violation> refused = new java.util.ArrayList<>();
      if (!egress.allowedCidrs().isEmpty()) {
        refused.add(new Violation("egress.allowedCidrs", LOCAL_EGRESS
            + "Kubernetes with a network that enforces NetworkPolicy"));
      }
      if (!egress.allowedHosts().isEmpty()) {
        refused.add(new Violation("egress.allowedHosts", LOCAL_EGRESS
            + "Kubernetes with the egress proxy"));
      }
      throw new InvalidSpecException("sandbox spec", refused);
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
      process = processes.start(view, argv, spec.env(), spec.workdir());
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
    process.onExit().thenRunAsync(() -> settle(sandbox, started), processes.background());
    deadlines.watch(sandbox);
  }

  /** Records how the main process ended, once its output is drained, then wakes waiters. */
  private void settle(LiveSandbox sandbox, SandboxRecord record) {
    try {
      sandbox.joinReaders(HostProcesses.DRAIN_AFTER_EXIT);
      sandbox.log.close();
      synchronized (locks.of(sandbox.name)) {
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
    return record.state(held, new RuntimeRef(LocalRuntime.KIND, host, dir.toString(), null));
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

  /**
   * Runs the request as exec {@code request.id()} (an ID of its own when it has none), or attaches
   * to the exec of that ID when the same request started it before: a retried activity gets the
   * command's result without running it twice. The command runs to its end or timeout whether or
   * not a caller waits (as the agent's execs do); deleting the sandbox kills it.
   */
  @Override
  public ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    RuntimeState state = inspect(name);
    LiveSandbox sandbox = live.get(name);
    if (state.phase() != SandboxPhase.RUNNING || sandbox == null) {
      throw new SandboxNotRunningException(name, "exec", state.phase());
    }
    String id = request.id() != null ? request.id() : "x-" + UUID.randomUUID();
    LocalExec exec;
    synchronized (sandbox.byId) {
      exec = sandbox.byId.get(id);
      if (exec != null && !exec.runs(request)) {
        throw new PlatformException(SandboxErrors.EXEC_ID_IN_USE, false,
            "exec " + id + " already runs another command in sandbox " + name, null);
      }
      if (exec == null) {
        try {
          exec = new LocalExec(id, request, sandbox.dir.resolve(EXECS));
        } catch (IOException e) {
          throw PlatformException.unavailable("cannot keep the output of exec " + id + " of sandbox " + name, e);
        }
        sandbox.byId.put(id, exec);
        sandbox.byId.notifyAll();
        launch(sandbox, exec, request);
      }
    }
    return exec.await();
  }

  private void launch(LiveSandbox sandbox, LocalExec exec, ExecRequest request) {
    Map<String, String> env = new LinkedHashMap<>(sandbox.spec.env());
    env.putAll(request.env());
    String workdir = request.workdir() != null ? request.workdir() : sandbox.spec.workdir();
    Instant begin = Instant.now();
    Process process;
    try {
      process = processes.start(sandbox.view, request.argv(), env, workdir);
    } catch (IOException e) {
      // Without isolation a missing program fails here; report it as a shell would.
      String why = "cannot run " + request.argv().get(0) + ": " + e.getMessage() + "\n";
      byte[] bytes = why.getBytes(StandardCharsets.UTF_8);
      exec.append(OutputFrames.STDERR, bytes, 0, bytes.length);
      exec.end(new ExecResult(127, "", why, false, false, false, Duration.between(begin, Instant.now())));
      return;
    }
    sandbox.execs.add(process);
    processes.background().execute(() -> {
      try {
        exec.end(capture.collect(process, request, begin, exec));
      } catch (InterruptedException e) {
        exec.fail(PlatformException.unavailable("exec " + exec.id + " was stopped: the runtime is closing", e));
      } catch (RuntimeException e) {
        exec.fail(e);
      } finally {
        sandbox.execs.remove(process);
      }
    });
  }

  /**
   * Reads an exec's output, or the main command's ({@link ExecOutputRequest#MAIN}: its log's
   * lines), from an offset, waiting for output to come; a read may come before its exec starts.
   */
  @Override
  public ExecOutputChunk execOutput(String name, ExecOutputRequest request) throws InterruptedException {
    RuntimeState state = inspect(name);
    LiveSandbox sandbox = live.get(name);
    if (sandbox == null) {
      // started by an earlier worker: its execs and its output's offsets went with it
      throw new SandboxNotRunningException(name, "read exec output", state.phase());
    }
    if (ExecOutputRequest.MAIN.equals(request.execId())) {
      ExecOutputChunk chunk = sandbox.log.follow(request.offset(), request.effectiveWait(),
          OutputFrames.READ_MAX_BYTES);
      if (!chunk.ended()) {
        return chunk;
      }
      try {
        // the log closes just before the exit is recorded
        sandbox.settled.get(HostProcesses.DRAIN_AFTER_EXIT.toMillis(), TimeUnit.MILLISECONDS);
        return new ExecOutputChunk(chunk.pieces(), chunk.nextOffset(), true, inspect(name).exitCode(), false);
      } catch (ExecutionException | TimeoutException | SandboxNotFoundException e) {
        return chunk; // deleted meanwhile: ended without an exit code
      }
    }
    long deadline = System.nanoTime() + request.effectiveWait().toNanos();
    LocalExec exec;
    synchronized (sandbox.byId) {
      while ((exec = sandbox.byId.get(request.execId())) == null && System.nanoTime() < deadline) {
        sandbox.byId.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    }
    if (exec == null) {
      throw new PlatformException(SandboxErrors.NOT_FOUND, false,
          "no exec \"" + request.execId() + "\" in sandbox " + name, null);
    }
    return exec.read(request.offset(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
        OutputFrames.READ_MAX_BYTES);
  }

  /** True while this runtime holds the sandbox: it keeps every exec by ID for the sandbox's life. */
  @Override
  public boolean reattaches(String name) {
    return live.containsKey(name);
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    Path dir = sandboxDir(name);
    if (SandboxRecord.read(dir).isEmpty()) {
      throw new SandboxNotFoundException("sandbox \"" + name + "\" does not exist on " + host);
    }
    LiveSandbox sandbox = live.get(name);
    LogChunk all = sandbox != null ? sandbox.log.readLive() : TimestampedLog.read(dir);
    return all.select(request);
  }

  @Override
  public void delete(String name) {
    synchronized (locks.of(name)) {
      Path dir = sandboxDir(name);
      LiveSandbox sandbox = live.get(name);
      if (sandbox != null) {
        stop(sandbox);
      } else {
        // Started by an earlier worker and still alive (possible without isolation): kill it
        // if the recorded pid is still that process and not a reused pid.
        SandboxRecord.read(dir).filter(r -> !r.ended() && r.pid() != null).ifPresent(processes::killOrphan);
      }
      Directories.deleteTree(dir);
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
      processes.terminate(exec.toHandle());
    }
    processes.terminate(sandbox.process.toHandle());
    // Let the readers finish so nothing writes into the directory while it is removed.
    sandbox.joinReaders(HostProcesses.DRAIN_AFTER_EXIT);
    sandbox.log.close();
  }

  /** Every sandbox directory with a record, with its owner. */
  List<OwnedObject> owned() {
    List<OwnedObject> objects = new ArrayList<>();
    for (Path dir : Directories.children(sandboxes)) {
      SandboxRecord.read(dir).ifPresent(r -> objects.add(new OwnedObject(OwnedObject.LOCAL_SANDBOX,
          r.name(), r.owner(), r.createdAt(), List.of())));
    }
    return objects;
  }

  /** Stops and removes the sandbox while it still records {@code object}'s owner. */
  boolean deleteOwned(OwnedObject object) {
    synchronized (locks.of(object.name())) {
      Optional<SandboxRecord> record = SandboxRecord.read(sandboxDir(object.name()));
      if (record.isEmpty() || !record.get().owner().equals(object.owner())) {
        return false;
      }
      delete(object.name());
      return true;
    }
  }

  List<String> attachedTo(String volume) {
    VolumeSpec.validName(volume);
    return live.values().stream()
        .filter(s -> !s.settled.isDone() && s.spec.volumeMounts().containsValue(volume))
        .map(s -> s.name)
        .sorted()
        .toList();
  }

  /** Kills every process this runtime started; their sandboxes stay on disk. */
  void close() {
    processes.refuseLaunches();
    for (LiveSandbox sandbox : live.values()) {
      // Not recorded as an exit: a later runtime reports these sandboxes as WorkerRestarted.
      stop(sandbox);
    }
    // Waiters wake up and, like a restarted runtime, see these sandboxes as WorkerRestarted.
    List<LiveSandbox> stopped = List.copyOf(live.values());
    live.clear();
    stopped.forEach(s -> s.settled.complete(null));
    deadlines.close();
    processes.shutdown();
  }

  /** Names become paths: validating them keeps {@code ..} and {@code /} out of the root. */
  private Path sandboxDir(String name) {
    return sandboxes.resolve(SandboxNames.valid(name));
  }


  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // Nothing to do: the process simply gets no stdin.
    }
  }
}

package dev.sandboxes.runtime;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.FileChunk;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory runtime whose sandboxes move only when a test says so, for workflow tests that
 * must control every phase. Thread-safe; waits block on this object's monitor, never poll.
 */
public final class ScriptedRuntime implements SandboxRuntime {
  /** The phase a created sandbox starts in, and whether it moves on to running by itself. */
  private volatile SandboxPhase initialPhase = SandboxPhase.CREATING;
  private volatile boolean autoRun = true;
  private volatile String initialReason;
  private final AtomicInteger failCreatesAfterStoring = new AtomicInteger();
  private final AtomicInteger quotaRejections = new AtomicInteger();
  private final AtomicInteger objectsCreated = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final Map<String, Entry> sandboxes = new HashMap<>();
  private volatile java.util.function.ToIntFunction<SandboxSpec> exitCode;
  private final AtomicInteger peak = new AtomicInteger();
  private final List<String> log = new ArrayList<>();
  private final Map<String, Volume> volumes = new HashMap<>();
  private volatile boolean volumesStartPending;
  private boolean createsHeld;
  private final AtomicInteger failVolumeCallsAfterEffect = new AtomicInteger();

  private static final class Volume {
    SandboxOwner owner;
    String size;
    String phase;
    final Map<String, byte[]> files = new java.util.TreeMap<>();
  }

  private static final class Entry {
    SandboxSpec spec;
    SandboxOwner owner;
    RuntimeState state;
    final List<LogLine> lines = new ArrayList<>();
  }

  /** Sandboxes start in this phase with this reason, and move on to running by themselves or not. */
  public ScriptedRuntime startIn(SandboxPhase phase, String reason, boolean thenRun) {
    initialPhase = phase;
    initialReason = reason;
    autoRun = thenRun;
    return this;
  }

  /**
   * Every sandbox created from now on runs to completion by itself: it prints one line naming
   * its spec's {@code SANDBOX_INDEX} and {@code SANDBOX_INPUT} and exits with {@code exitCode}
   * of its spec (0 succeeds, anything else fails with reason Error; a negative code keeps it
   * running until it is deleted).
   */
  public ScriptedRuntime runToCompletion(java.util.function.ToIntFunction<SandboxSpec> exitCode) {
    this.exitCode = exitCode;
    return this;
  }

  /** The most sandboxes that existed at once (created, not yet deleted). */
  public int peakSandboxes() {
    return peak.get();
  }

  /**
   * Creates from now on are logged and then wait, as on a slow platform, until
   * {@link #releaseCreates}; they store their object after that.
   */
  public synchronized void holdCreates() {
    createsHeld = true;
  }

  /** Lets the held creates go on. */
  public synchronized void releaseCreates() {
    createsHeld = false;
    notifyAll();
  }

  /** The next {@code n} creates are refused for quota, as Kubernetes does: nothing is stored. */
  public void rejectForQuota(int n) {
    quotaRejections.set(n);
  }

  /** The next {@code n} creates store the object and then fail as if the connection dropped. */
  public void failCreatesAfterStoring(int n) {
    failCreatesAfterStoring.set(n);
  }

  public int objectsCreated() {
    return objectsCreated.get();
  }

  public int deletes() {
    return deletes.get();
  }

  public synchronized boolean exists(String name) {
    return sandboxes.containsKey(name);
  }

  public synchronized List<String> calls() {
    return List.copyOf(log);
  }

  /** Moves a sandbox to a new state and wakes its waiters. */
  public synchronized void move(String name, SandboxPhase phase, String reason, Integer exitCode) {
    Entry e = entry(name);
    Instant now = Instant.now();
    e.state = new RuntimeState(phase, reason, null, exitCode,
        phase == SandboxPhase.RUNNING ? now : e.state.startedAt(),
        phase.terminal() ? now : null, e.state.ref());
    notifyAll();
  }

  /** Lets the main process print a line. */
  public synchronized void print(String name, String text) {
    entry(name).lines.add(new LogLine(Instant.now(), text));
  }

  @Override
  public String kind() {
    return "scripted";
  }

  @Override
  public synchronized RuntimeState create(SandboxSpec spec, SandboxOwner owner) {
    spec.validated();
    log.add("create " + spec.name());
    while (createsHeld) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw PlatformException.unavailable("interrupted while the create was held", e);
      }
    }
    Entry existing = sandboxes.get(spec.name());
    if (existing != null) {
      if (!existing.owner.equals(owner)) {
        throw PlatformException.conflict("sandbox " + spec.name() + " belongs to " + existing.owner);
      }
      return existing.state;
    }
    if (quotaRejections.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new RuntimeState(SandboxPhase.QUEUED, "QuotaExceeded", "exceeded quota", null, null,
          null, null);
    }
    Entry e = new Entry();
    e.spec = spec;
    e.owner = owner;
    RuntimeRef ref = new RuntimeRef("scripted", "test", spec.name(), null);
    RuntimeState reported = new RuntimeState(initialPhase, initialReason, null, null, null, null, ref);
    // With autoRun the next awaitChange reports running, as a kubelet would.
    e.state = autoRun
        ? new RuntimeState(SandboxPhase.RUNNING, null, null, null, Instant.now(), null, ref)
        : reported;
    if (exitCode != null && exitCode.applyAsInt(spec) >= 0) {
      int code = exitCode.applyAsInt(spec);
      Instant now = Instant.now();
      e.lines.add(new LogLine(now, "item " + spec.env().get("SANDBOX_INDEX") + " input "
          + spec.env().get("SANDBOX_INPUT")));
      e.state = new RuntimeState(code == 0 ? SandboxPhase.SUCCEEDED : SandboxPhase.FAILED,
          code == 0 ? null : "Error", null, code, now, now, ref);
    }
    sandboxes.put(spec.name(), e);
    peak.accumulateAndGet(sandboxes.size(), Math::max);
    objectsCreated.incrementAndGet();
    if (failCreatesAfterStoring.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw PlatformException.unavailable("connection reset after the create was stored", null);
    }
    return reported;
  }

  @Override
  public synchronized RuntimeState inspect(String name) {
    return entry(name).state;
  }

  @Override
  public synchronized RuntimeState awaitChange(String name, SandboxPhase known, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (entry(name).state.phase() == known) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return entry(name).state;
  }

  // ---- scripted warm pools: a fill adds up to its refill step of ready pods; a claim takes one

  private static final class Pool {
    final String image;
    final int size;
    final int perFill;
    int ready;
    int claimed;
    boolean removed;

    Pool(String image, int size, int perFill) {
      this.image = image;
      this.size = size;
      this.perFill = perFill;
    }

    dev.sandboxes.model.PoolStatus status(String name) {
      return new dev.sandboxes.model.PoolStatus(name, image, size, ready, 0, claimed);
    }
  }

  private final Map<String, Pool> pools = new java.util.TreeMap<>();

  /** Keeps a pool of {@code size} whose fills make at most {@code perFill} pods ready each. */
  public synchronized ScriptedRuntime pool(String name, int size, int perFill) {
    pools.put(name, new Pool("busybox:1.36", size, perFill));
    return this;
  }

  /** A sandbox claims one of the pool's ready pods; its keeper's wait ends. */
  public synchronized void claimFromPool(String name) {
    Pool pool = pool(name);
    if (pool.ready == 0) {
      throw new IllegalStateException("pool " + name + " has no ready pod to claim");
    }
    pool.ready--;
    pool.claimed++;
    notifyAll();
  }

  /**
   * The pool leaves the configuration: its keeper's calls answer not found from now on; its idle
   * pods stay until drained.
   */
  public synchronized void removePool(String name) {
    pool(name).removed = true;
    notifyAll();
  }

  @Override
  public synchronized List<String> poolNames() {
    return pools.entrySet().stream().filter(e -> !e.getValue().removed).map(Map.Entry::getKey).toList();
  }

  @Override
  public synchronized dev.sandboxes.model.PoolStatus fillPool(String name, SandboxOwner owner) {
    Pool pool = pool(name);
    log.add("fill " + name);
    pool.ready = Math.min(pool.size, pool.ready + pool.perFill);
    return pool.status(name);
  }

  @Override
  public synchronized dev.sandboxes.model.PoolStatus awaitPoolChange(String name, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (pool(name).ready == pool(name).size) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return pool(name).status(name);
  }

  @Override
  public synchronized int drainPool(String name) {
    log.add("drain " + name);
    Pool pool = pools.get(name);
    int idle = pool == null ? 0 : pool.ready;
    if (pool != null) {
      pool.ready = 0;
    }
    return idle;
  }

  private Pool pool(String name) {
    Pool pool = pools.get(name);
    if (pool == null || pool.removed) {
      throw new SandboxNotFoundException("no warm pool named \"" + name + "\" on this worker's "
          + kind() + " runtime (pools: " + poolNames() + ")");
    }
    return pool;
  }

  private boolean reattaching;
  /** The exec IDs the execs came with, in order (null for an exec without one). */
  public final List<String> execIds = new ArrayList<>();

  /** Whether {@link #reattaches} answers true, as a runtime with the in-sandbox agent does. */
  public ScriptedRuntime reattaching(boolean value) {
    reattaching = value;
    return this;
  }

  private final java.util.Map<String, ExecResult> resultsById = new java.util.HashMap<>();

  /**
   * With {@link #reattaching}: an exec's output, once the exec with that ID ran, as one stdout and
   * one stderr piece from offset 0 (waiting up to the request's wait for the exec to run);
   * without, refused as every runtime without the agent refuses it.
   */
  @Override
  public synchronized dev.sandboxes.model.ExecOutputChunk execOutput(String name,
      dev.sandboxes.model.ExecOutputRequest request) throws InterruptedException {
    if (!reattaching) {
      return SandboxRuntime.super.execOutput(name, request);
    }
    long deadline = System.nanoTime() + request.effectiveWait().toNanos();
    while (!resultsById.containsKey(request.execId()) && !failedIds.contains(request.execId())
        && System.nanoTime() < deadline) {
      wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    if (failedIds.contains(request.execId())) {
      // as the runtimes that keep execs answer for an exec that never ran
      throw new dev.sandboxes.runtime.PlatformException(dev.sandboxes.model.SandboxErrors.NOT_FOUND, false,
          "no exec \"" + request.execId() + "\" in sandbox " + name, null);
    }
    ExecResult result = resultsById.get(request.execId());
    if (result == null) {
      return new dev.sandboxes.model.ExecOutputChunk(List.of(), request.offset(), false, null, false);
    }
    byte[] out = result.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] err = result.stderr().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<dev.sandboxes.model.OutputPiece> pieces = request.offset() > 0 ? List.of() : List.of(
        new dev.sandboxes.model.OutputPiece(dev.sandboxes.model.OutputPiece.Stream.STDOUT, out),
        new dev.sandboxes.model.OutputPiece(dev.sandboxes.model.OutputPiece.Stream.STDERR, err));
    return new dev.sandboxes.model.ExecOutputChunk(pieces, out.length + err.length, true,
        result.exitCode(), result.timedOut());
  }

  @Override
  public synchronized boolean reattaches(String name) {
    entry(name);
    return reattaching;
  }

  private RuntimeException execFailure;
  private final java.util.Set<String> failedIds = new java.util.HashSet<>();

  /** Every exec fails with {@code failure} (as it reaches the runtime) until this is called with null. */
  public synchronized ScriptedRuntime failExecsWith(RuntimeException failure) {
    execFailure = failure;
    return this;
  }

  private Duration execDelay = Duration.ZERO;

  /** Every exec takes {@code delay} before it answers (others may use the runtime meanwhile). */
  public synchronized ScriptedRuntime delayExecs(Duration delay) {
    execDelay = delay;
    return this;
  }

  @Override
  public synchronized ExecResult exec(String name, ExecRequest request) throws InterruptedException {
    if (execFailure != null) {
      if (request.id() != null) {
        failedIds.add(request.id());
        notifyAll();
      }
      throw execFailure;
    }
    Entry e = entry(name);
    log.add("exec " + String.join(" ", request.argv()));
    execIds.add(request.id());
    if (e.state.phase() != SandboxPhase.RUNNING) {
      throw new SandboxNotRunningException(name, "exec", e.state.phase());
    }
    // "echo" prints its arguments; anything else prints its argv and exits with its length.
    long until = System.nanoTime() + execDelay.toNanos();
    for (long left = execDelay.toNanos(); left > 0; left = until - System.nanoTime()) {
      wait(Math.max(1, left / 1_000_000));
    }
    String out = String.join(" ", request.argv().subList(1, request.argv().size())) + "\n";
    int code = request.argv().get(0).equals("echo") ? 0 : request.argv().size();
    ExecResult result = new ExecResult(code, out, "", false, false, false, Duration.ofMillis(1));
    if (request.id() != null) {
      resultsById.put(request.id(), result);
      notifyAll();
    }
    return result;
  }

  @Override
  public synchronized LogChunk logs(String name, LogRequest request) {
    return new LogChunk(entry(name).lines, false).select(request);
  }

  /** Sandboxes and volumes held, with their owners (no creation time: their age is unknown). */
  @Override
  public synchronized List<OwnedObject> ownedObjects() {
    List<OwnedObject> objects = new ArrayList<>();
    sandboxes.forEach((name, e) -> objects.add(new OwnedObject(OwnedObject.LOCAL_SANDBOX, name, e.owner, null, List.of())));
    volumes.forEach((name, v) -> objects.add(new OwnedObject(OwnedObject.LOCAL_VOLUME, name, v.owner, null, attachedTo(name))));
    return objects;
  }

  @Override
  public synchronized boolean deleteOwned(OwnedObject object) {
    boolean sandbox = OwnedObject.LOCAL_SANDBOX.equals(object.kind());
    SandboxOwner owner = sandbox ? (sandboxes.containsKey(object.name()) ? sandboxes.get(object.name()).owner : null)
        : (volumes.containsKey(object.name()) ? volumes.get(object.name()).owner : null);
    if (owner == null || !owner.equals(object.owner())) {
      return false;
    }
    if (sandbox) {
      delete(object.name());
    } else {
      deleteVolume(object.name());
    }
    return true;
  }

  @Override
  public synchronized void delete(String name) {
    log.add("delete " + name);
    deletes.incrementAndGet();
    sandboxes.remove(name);
    notifyAll();
  }

  /** Volumes start pending and wait for {@link #makeVolumeReady} (true), or are ready at once. */
  public ScriptedRuntime volumesStartPending(boolean pending) {
    volumesStartPending = pending;
    return this;
  }

  /**
   * The next {@code n} volume creates and deletes take effect and then fail as if the worker died
   * before it could report (Temporal retries them, as it would on another worker).
   */
  public void failVolumeCallsAfterEffect(int n) {
    failVolumeCallsAfterEffect.set(n);
  }

  private void maybeFailAfterEffect(String what) {
    if (failVolumeCallsAfterEffect.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw PlatformException.unavailable("worker lost after " + what + " took effect", null);
    }
  }

  /** Moves a pending volume to ready, waking its waiters. */
  public synchronized void makeVolumeReady(String name) {
    volume(name).phase = VolumeState.READY;
    notifyAll();
  }

  /** The volumes that exist, by name. */
  public synchronized java.util.Set<String> volumeNames() {
    return java.util.Set.copyOf(volumes.keySet());
  }

  @Override
  public synchronized VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    log.add("createVolume " + name);
    Volume existing = volumes.get(name);
    if (existing != null && !existing.owner.equals(owner)) {
      throw new PlatformException(dev.sandboxes.model.SandboxErrors.NAME_CONFLICT, false,
          "volume " + name + " belongs to " + existing.owner, null);
    }
    if (existing == null) {
      Volume v = new Volume();
      v.owner = owner;
      v.size = spec.size();
      v.phase = volumesStartPending ? VolumeState.PENDING : VolumeState.READY;
      volumes.put(name, v);
      maybeFailAfterEffect("createVolume " + name);
    }
    return inspectVolume(name);
  }

  @Override
  public synchronized VolumeState inspectVolume(String name) {
    return new VolumeState(name, volume(name).phase, null, volume(name).size, null);
  }

  @Override
  public synchronized VolumeState awaitVolumeChange(String name, String known, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (volume(name).phase.equals(known)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return inspectVolume(name);
  }

  @Override
  public synchronized List<String> attachedTo(String volume) {
    return sandboxes.entrySet().stream()
        .filter(e -> e.getValue().spec.volumeMounts().containsValue(volume)
            && !e.getValue().state.phase().terminal())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  @Override
  public synchronized void deleteVolume(String name) {
    log.add("deleteVolume " + name);
    List<String> users = attachedTo(name);
    if (!users.isEmpty()) {
      throw new dev.sandboxes.model.VolumeInUseException(name, users);
    }
    if (volumes.remove(name) != null) {
      notifyAll();
      maybeFailAfterEffect("deleteVolume " + name);
    }
  }

  @Override
  public synchronized List<FileEntry> listFiles(String volume, String path) {
    Map<String, byte[]> files = volume(volume).files;
    String prefix = path.equals("/") ? "/" : path + "/";
    if (files.containsKey(path)) {
      return List.of(fileEntry(path, files.get(path)));
    }
    List<FileEntry> entries = files.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .map(e -> fileEntry(e.getKey(), e.getValue()))
        .sorted(java.util.Comparator.comparing(FileEntry::path))
        .toList();
    if (entries.isEmpty() && !path.equals("/")) {
      throw new SandboxNotFoundException("no file " + path + " in volume " + volume);
    }
    return entries;
  }

  @Override
  public synchronized FileChunk readFile(String volume, String path, long offset, int length) {
    byte[] data = volume(volume).files.get(path);
    if (data == null) {
      throw new SandboxNotFoundException("no file " + path + " in volume " + volume);
    }
    int from = (int) Math.min(offset, data.length);
    int to = (int) Math.min((long) from + length, data.length);
    return new FileChunk(path, from, java.util.Arrays.copyOfRange(data, from, to), data.length);
  }

  @Override
  public synchronized FileEntry writeFile(String volume, String path, byte[] data) {
    volume(volume).files.put(path, data.clone());
    return fileEntry(path, data);
  }

  @Override
  public synchronized void moveFile(String volume, String from, String to) {
    Map<String, byte[]> files = volume(volume).files;
    if (!files.containsKey(from)) {
      throw new SandboxNotFoundException("no file " + from + " in volume " + volume);
    }
    if (files.containsKey(to)) {
      throw new dev.sandboxes.model.InvalidSpecException("volume file request",
          List.of(new dev.sandboxes.model.Violation("to", "already exists: " + to)));
    }
    files.put(to, files.remove(from));
  }

  private static FileEntry fileEntry(String path, byte[] data) {
    return new FileEntry(path, FileEntry.FILE, data.length, Instant.EPOCH);
  }

  private Volume volume(String name) {
    Volume v = volumes.get(name);
    if (v == null) {
      throw new SandboxNotFoundException("no volume " + name);
    }
    return v;
  }

  private Entry entry(String name) {
    Entry e = sandboxes.get(name);
    if (e == null) {
      throw new SandboxNotFoundException("no sandbox " + name);
    }
    return e;
  }
}

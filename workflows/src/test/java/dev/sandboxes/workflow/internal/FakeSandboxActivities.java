package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.CreateSandboxRequest;
import dev.sandboxes.activity.CreatedSandbox;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The sandbox activities in memory, for tests of the sandbox and batch workflows alone: no
 * runtime and no platform, only the contract the workflow relies on. A create answers the sandbox's state and
 * adopts the owner's own object; awaitChange returns once the phase differs from the one the
 * workflow knows (heartbeating meanwhile, so a cancelled watch ends); failures are
 * {@link ApplicationFailure}s of the model's error types, as the real activities throw them. A
 * test moves a sandbox with {@link #move}, or lets every sandbox run by itself with
 * {@link #runToCompletion}, and reads every call in {@link #calls()}.
 */
public final class FakeSandboxActivities implements SandboxActivities {
  private final Map<String, Box> boxes = new HashMap<>();
  private final List<String> calls = new ArrayList<>();
  private int quotaRefusals;
  private boolean deletesForbidden;
  private String conflictOn;
  private ToIntFunction<SandboxSpec> exitCode;
  private boolean createsHeld;
  private int objectsCreated;
  private int peak;

  private static final class Box {
    SandboxOwner owner;
    RuntimeState state;
    final List<LogLine> lines = new ArrayList<>();
  }

  /** The next {@code n} creates are refused for quota: queued, nothing made. */
  synchronized FakeSandboxActivities refuseForQuota(int n) {
    quotaRefusals = n;
    return this;
  }

  /** Every cleanup is refused for good, as a platform that forbids the delete would. */
  synchronized FakeSandboxActivities forbidDeletes() {
    deletesForbidden = true;
    return this;
  }

  /** A create of {@code name} finds another owner's object under the name. */
  synchronized FakeSandboxActivities conflictOn(String name) {
    conflictOn = name;
    return this;
  }

  /**
   * Every sandbox created from now on runs by itself: its command prints {@code item <index>
   * input <input>} (a batch item's environment) and exits with {@code exitCode(spec)} at once, or
   * runs until it is stopped when that is negative.
   */
  public synchronized FakeSandboxActivities runToCompletion(ToIntFunction<SandboxSpec> exitCode) {
    this.exitCode = exitCode;
    return this;
  }

  /** Creates wait, having been called, until {@link #releaseCreates}; they make their object after that. */
  public synchronized void holdCreates() {
    createsHeld = true;
  }

  public synchronized void releaseCreates() {
    createsHeld = false;
    notifyAll();
  }

  /** The most sandboxes that existed at once. */
  public synchronized int peakSandboxes() {
    return peak;
  }

  public synchronized int objectsCreated() {
    return objectsCreated;
  }

  /** The sandbox's main process moves to {@code phase}; a line of output goes with it. */
  public synchronized void move(String name, SandboxPhase phase, String reason, Integer exitCode) {
    Box box = boxes.get(name);
    RuntimeState s = box.state;
    Instant now = Instant.now();
    box.state = new RuntimeState(phase, reason, null, exitCode,
        phase == SandboxPhase.RUNNING ? now : s.startedAt(), phase.terminal() ? now : null, s.ref());
    box.lines.add(new LogLine(now, "now " + phase.wireName()));
    notifyAll();
  }

  /** The sandbox's object disappears behind the workflow's back (a pod deleted by someone else). */
  synchronized void vanish(String name) {
    boxes.remove(name);
    notifyAll();
  }

  /** Waits (on this object's monitor, at most 20 s) until the sandbox's object was created. */
  synchronized void awaitCreated(String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!boxes.containsKey(name)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("sandbox " + name + " was never created; calls: " + calls);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Every call so far, as {@code "<activity> <name>"}, in order. */
  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /** Whether the sandbox's object exists (created and not deleted). */
  public synchronized boolean exists(String name) {
    return boxes.containsKey(name);
  }

  @Override
  public synchronized RuntimeState create(CreateSandboxRequest request) {
    String name = request.spec().name();
    calls.add("create " + name);
    while (createsHeld) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Activity.wrap(e);
      }
    }
    RuntimeRef ref = new RuntimeRef("fake", "memory", name, null);
    if (name.equals(conflictOn)) {
      throw ApplicationFailure.newNonRetryableFailure("sandbox " + name + " belongs to another owner",
          SandboxErrors.NAME_CONFLICT);
    }
    Box box = boxes.get(name);
    if (box != null && !box.owner.equals(request.owner())) {
      throw ApplicationFailure.newNonRetryableFailure("sandbox " + name + " belongs to " + box.owner,
          SandboxErrors.NAME_CONFLICT);
    }
    if (box != null) {
      return box.state; // a retried create adopts what the first attempt made
    }
    if (quotaRefusals > 0) {
      quotaRefusals--;
      return new RuntimeState(SandboxPhase.QUEUED, SandboxReason.QUOTA_EXCEEDED.wireName(), "quota full",
          null, null, null, ref);
    }
    box = new Box();
    box.owner = request.owner();
    RuntimeState created = new RuntimeState(SandboxPhase.CREATING, null, null, null, null, null, ref);
    box.state = exitCode == null ? created : run(request.spec(), box, ref);
    boxes.put(name, box);
    objectsCreated++;
    peak = Math.max(peak, boxes.size());
    notifyAll();
    return created;
  }

  /** What a sandbox that runs by itself is once created: exited, or running until stopped. */
  private RuntimeState run(SandboxSpec spec, Box box, RuntimeRef ref) {
    int code = exitCode.applyAsInt(spec);
    Instant now = Instant.now();
    if (code < 0) {
      return new RuntimeState(SandboxPhase.RUNNING, null, null, null, now, null, ref);
    }
    box.lines.add(new LogLine(now, "item " + spec.env().get(BatchSpec.INDEX_ENV) + " input "
        + spec.env().get(BatchSpec.INPUT_ENV)));
    return new RuntimeState(code == 0 ? SandboxPhase.SUCCEEDED : SandboxPhase.FAILED, code == 0 ? null : "Error",
        null, code, now, now, ref);
  }

  @Override
  public boolean awaitVolumes(Map<String, String> mounts) {
    return true;
  }

  /** The create, then the box as it is now (no wait): an item that already ended answers with its lines. */
  @Override
  public synchronized CreatedSandbox createAndAwaitEnd(CreateSandboxRequest request, LogRequest capture) {
    RuntimeState created = create(request);
    Box box = boxes.get(request.spec().name());
    if (box == null || !box.state.phase().terminal()) {
      return new CreatedSandbox(created, null);
    }
    calls.add("capture " + request.spec().name());
    return new CreatedSandbox(box.state, new LogChunk(box.lines, false).select(capture));
  }

  @Override
  public synchronized RuntimeState awaitChange(String name, SandboxPhase known) {
    calls.add("awaitChange " + name);
    return InMemory.awaitChange(this, () -> existing(name).state, s -> s.phase() != known);
  }

  private Box existing(String name) {
    Box box = boxes.get(name);
    if (box == null) {
      throw ApplicationFailure.newNonRetryableFailure("sandbox " + name + " does not exist", SandboxErrors.NOT_FOUND);
    }
    return box;
  }

  @Override
  public synchronized ExecResult exec(String name, ExecRequest request) {
    calls.add("exec " + name);
    Box box = boxes.get(name);
    if (box == null || box.state.phase() != SandboxPhase.RUNNING) {
      throw ApplicationFailure.newNonRetryableFailure("sandbox " + name + " is not running",
          SandboxErrors.NOT_RUNNING);
    }
    ExecResult result = new ExecResult(0, String.join(" ", request.argv()) + "\n", "", false, false, false, Duration.ZERO);
    if (request.id() != null) {
      execs.put(request.id(), result);
    }
    return result;
  }

  /** The results of the execs that came with an ID, by ID. */
  final java.util.Map<String, ExecResult> execs = new java.util.HashMap<>();

  /** The exec's whole output as one piece (offset 0), then nothing; unknown IDs have no output yet. */
  @Override
  public synchronized dev.sandboxes.model.ExecOutputChunk execOutput(String name,
      dev.sandboxes.model.ExecOutputRequest request) {
    calls.add("execOutput " + name);
    ExecResult result = execs.get(request.execId());
    if (result == null) {
      return new dev.sandboxes.model.ExecOutputChunk(java.util.List.of(), request.offset(), false, null, false);
    }
    byte[] out = result.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.util.List<dev.sandboxes.model.OutputPiece> pieces = request.offset() == 0
        ? java.util.List.of(new dev.sandboxes.model.OutputPiece(dev.sandboxes.model.OutputPiece.Stream.STDOUT, out))
        : java.util.List.of();
    return new dev.sandboxes.model.ExecOutputChunk(pieces, out.length, true, result.exitCode(), false);
  }

  @Override
  public synchronized LogChunk logs(String name, LogRequest request) {
    calls.add("logs " + name);
    return new LogChunk(existing(name).lines, false).select(request);
  }

  @Override
  public synchronized void delete(String name) {
    calls.add("delete " + name);
    boxes.remove(name);
    notifyAll();
  }

  @Override
  public synchronized LogChunk captureAndDelete(String name, LogRequest request) {
    calls.add("captureAndDelete " + name);
    if (deletesForbidden) {
      throw io.temporal.failure.ApplicationFailure.newNonRetryableFailure("forbidden", "Forbidden");
    }
    Box box = boxes.remove(name);
    notifyAll();
    return box == null ? LogChunk.empty() : new LogChunk(box.lines, false).select(request);
  }
}

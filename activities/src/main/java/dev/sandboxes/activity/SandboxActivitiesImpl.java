package dev.sandboxes.activity;

import static dev.sandboxes.activity.ActivityCalls.call;

import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.SandboxRuntime;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one implementation of {@link SandboxActivities}, over any {@link SandboxRuntime}. It does
 * the Temporal side once for every runtime: heartbeats during long waits (which is also how a
 * cancellation reaches it) and the mapping of runtime errors to typed {@link ApplicationFailure}s,
 * retryable only where a retry can help.
 */
public class SandboxActivitiesImpl implements SandboxActivities {
  /** How long one awaitChange call waits before returning the unchanged state. */
  static final Duration DEFAULT_AWAIT_SLICE = Duration.ofMinutes(10);
  /** How often a waiting awaitChange heartbeats (well inside the 30 s heartbeat timeout). */
  static final Duration DEFAULT_HEARTBEAT_EVERY = Duration.ofSeconds(10);
  /** How often a running exec heartbeats (well inside the workflow's 20 s exec heartbeat timeout). */
  static final Duration EXEC_HEARTBEAT_EVERY = Duration.ofSeconds(5);

  /** Attempts at reading a sandbox's logs on its way out before they are given up. */
  static final int CAPTURE_ATTEMPTS = 3;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SandboxActivitiesImpl.class);

  private final SandboxRuntime runtime;
  private final Duration awaitSlice;
  private final Duration heartbeatEvery;
  /** This worker's exec attempts, joined by a retry the server sent while one still ran here. */
  private final InFlightExecs inFlight = new InFlightExecs();

  public SandboxActivitiesImpl(SandboxRuntime runtime) {
    this(runtime, DEFAULT_AWAIT_SLICE, DEFAULT_HEARTBEAT_EVERY);
  }

  public SandboxActivitiesImpl(SandboxRuntime runtime, Duration awaitSlice, Duration heartbeatEvery) {
    this.runtime = runtime;
    this.awaitSlice = awaitSlice;
    this.heartbeatEvery = heartbeatEvery;
  }

  @Override
  public RuntimeState create(CreateSandboxRequest request) {
    return call(() -> {
      List<String> pending = volumesNotReady(request.spec().volumeMounts());
      if (!pending.isEmpty()) {
        // Nothing is created until every volume is ready; the workflow waits with awaitVolumes.
        return new RuntimeState(SandboxPhase.QUEUED, SandboxReason.VOLUME_PENDING.wireName(),
            "waiting for volume(s) " + String.join(", ", pending) + " to be ready", null, null, null, null);
      }
      return runtime.create(request.spec(), request.owner());
    });
  }

  @Override
  public CreatedSandbox createAndAwaitEnd(CreateSandboxRequest request, LogRequest capture) {
    RuntimeState created = create(request);
    String name = request.spec().name();
    Duration within = request.awaitEnd() == null ? Duration.ZERO : request.awaitEnd();
    RuntimeState state = call(() -> awaitEnd(name, created, within));
    if (!state.phase().terminal() || state.ref() == null) {
      return new CreatedSandbox(state, null);
    }
    try {
      return new CreatedSandbox(state, tail(name, capture));
    } catch (RuntimeException e) {
      log.debug("sandbox {}: ended, but its output is left to the cleanup: {}", name, e.toString());
      return new CreatedSandbox(state, null);
    }
  }

  /**
   * Watches a sandbox just created until it ends or {@code within} passes, and answers its latest
   * state. Best effort: a create that made no object (quota, volumes) answers at once, and a watch
   * that fails answers the last state seen; the workflow's own watch takes over from there.
   * Never without the ref the create made: the workflow deletes by it.
   */
  private RuntimeState awaitEnd(String name, RuntimeState created, Duration within) throws InterruptedException {
    RuntimeState state = created;
    long deadline = System.nanoTime() + within.toNanos();
    while (state.ref() != null && !state.phase().terminal()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        RuntimeState next = runtime.awaitChange(name, state.phase(), Duration.ofNanos(left));
        state = next.ref() != null ? next : new RuntimeState(next.phase(), next.reason(), next.message(),
            next.exitCode(), next.startedAt(), next.finishedAt(), created.ref());
      } catch (RuntimeException e) {
        log.debug("sandbox {}: watch for a quick end stopped: {}", name, e.getMessage());
        break;
      }
    }
    return state;
  }

  @Override
  public boolean awaitVolumes(Map<String, String> mounts) {
    for (String volume : volumesNotReady(mounts)) {
      VolumeState state = ActivityCalls.awaitHeartbeating(awaitSlice, heartbeatEvery,
          wait -> runtime.awaitVolumeChange(volume, VolumeState.PENDING, wait),
          s -> !VolumeState.PENDING.equals(s.phase()));
      if (VolumeState.PENDING.equals(state.phase())) {
        return false;
      }
    }
    return call(() -> volumesNotReady(mounts).isEmpty());
  }

  /**
   * The mounted volumes that are still pending. A volume that does not exist or failed makes the
   * spec invalid, naming the mount.
   */
  private List<String> volumesNotReady(Map<String, String> mounts) {
    List<Violation> violations = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    for (Map.Entry<String, String> mount : mounts.entrySet()) {
      String field = "volumeMounts[\"" + mount.getKey() + "\"]";
      try {
        VolumeState state = runtime.inspectVolume(mount.getValue());
        if (VolumeState.FAILED.equals(state.phase())) {
          violations.add(new Violation(field, "volume \"" + mount.getValue() + "\" failed"
              + (state.reason() == null ? "" : " (" + state.reason() + ")")));
        } else if (VolumeState.PENDING.equals(state.phase()) && !pending.contains(mount.getValue())) {
          pending.add(mount.getValue());
        }
      } catch (SandboxNotFoundException e) {
        violations.add(new Violation(field, "no volume named \"" + mount.getValue()
            + "\"; create it first (sandbox volume create " + mount.getValue() + ")"));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidSpecException("sandbox spec", violations);
    }
    return pending;
  }

  @Override
  public RuntimeState awaitChange(String name, SandboxPhase known) {
    return ActivityCalls.awaitHeartbeating(awaitSlice, heartbeatEvery,
        wait -> runtime.awaitChange(name, known, wait), state -> state.phase() != known);
  }

  @Override
  public ExecResult exec(String name, ExecRequest request) {
    io.temporal.activity.ActivityInfo info = Activity.getExecutionContext().getInfo();
    String key = info.getWorkflowId() + "/" + info.getRunId() + "/" + info.getActivityId();
    int attempt = info.getAttempt();
    Duration every = execHeartbeatEvery(attempt);
    if (attempt > 1) {
      java.util.concurrent.CompletableFuture<ExecResult> earlier = inFlight.earlier(key);
      if (earlier != null) {
        // The server gave up on an attempt this worker still runs (or just finished): its
        // heartbeats came late. Its outcome is this attempt's; the command does not run again.
        log.info("sandbox {}: exec attempt {} joins the earlier attempt still on this worker", name, attempt);
        return ActivityCalls.callHeartbeating(every, () -> {
          try {
            return earlier.get();
          } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
          }
        });
      }
      if (!ActivityCalls.call(() -> runtime.reattaches(name))) {
        // an earlier attempt may have started the command and this sandbox cannot tell
        throw ApplicationFailure.newNonRetryableFailure("exec " + String.join(" ", request.argv())
            + " in sandbox \"" + name + "\": the worker running it was lost (attempt " + attempt
            + "), and this sandbox cannot re-attach to an exec (it runs without the in-sandbox agent), "
            + "so the command's outcome is unknown: it may or may not have run; the sandbox is still usable",
            SandboxErrors.EXEC_OUTCOME_UNKNOWN);
      }
    }
    java.util.concurrent.CompletableFuture<ExecResult> mine = inFlight.start(key);
    long started = System.nanoTime();
    ExecResult result = null;
    RuntimeException failure = null;
    try {
      result = ActivityCalls.callHeartbeating(every, () -> {
        try {
          return runtime.exec(name, request);
        } catch (SandboxException e) {
          if (e instanceof PlatformException p && p.retryable() && !reattachesQuietly(name)) {
            // the platform failed mid-exec where a retry could run the command a second time:
            // the caller hears the failure now, as the exec's own outcome
            throw new PlatformException(p.type(), false, p.getMessage(), p);
          }
          throw e;
        } catch (RuntimeException e) {
          if (!reattachesQuietly(name)) {
            // an unforeseen failure is no safer to retry than the platform's own
            throw new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, false,
                "exec in sandbox " + name + " failed: " + e, e);
          }
          throw e;
        }
      });
      return result;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      inFlight.finish(key, mine, result, failure, mayHaveTimedOut(info, started));
      ActivityMetrics.exec(Duration.ofNanos(System.nanoTime() - started), result, failure);
    }
  }

  /** What clocks and late heartbeats may take from the time an attempt appears to have had. */
  static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(5);

  /**
   * Whether the server may have given up on this attempt by now (its heartbeat timeout passed):
   * counted from when the server started it as well as from when this worker did, since a
   * starved worker begins late, and with a margin for the two clocks.
   */
  static boolean mayHaveTimedOut(io.temporal.activity.ActivityInfo info, long startedNanos) {
    Duration here = Duration.ofNanos(System.nanoTime() - startedNanos);
    Duration sinceServerStart = info.getStartedTimestamp() > 0
        ? Duration.ofMillis(System.currentTimeMillis() - info.getStartedTimestamp()) : Duration.ZERO;
    Duration ran = here.compareTo(sinceServerStart) > 0 ? here : sinceServerStart;
    return !info.getHeartbeatTimeout().isZero() && ran.plus(TIMEOUT_MARGIN).compareTo(info.getHeartbeatTimeout()) >= 0;
  }

  /**
   * How often an exec attempt heartbeats while its command runs: well inside the workflow's
   * 20 s exec heartbeat timeout (the SDK sends at most one heartbeat per 0.8 of that timeout).
   */
  protected Duration execHeartbeatEvery(int attempt) {
    return heartbeatEvery.compareTo(EXEC_HEARTBEAT_EVERY) < 0 ? heartbeatEvery : EXEC_HEARTBEAT_EVERY;
  }

  private boolean reattachesQuietly(String name) {
    try {
      return runtime.reattaches(name);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public ExecOutputChunk execOutput(String name, ExecOutputRequest request) {
    return ActivityCalls.callHeartbeating(execHeartbeatEvery(1), () -> runtime.execOutput(name, request));
  }

  @Override
  public LogChunk logs(String name, LogRequest request) {
    return call(() -> runtime.logs(name, request));
  }

  @Override
  public void delete(String name) {
    ActivityCalls.run(() -> runtime.delete(name));
  }

  @Override
  public LogChunk captureAndDelete(String name, LogRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    LogChunk captured = context.getHeartbeatDetails(LogChunk.class).orElse(null);
    if (captured == null) {
      captured = capture(name, request, context.getInfo().getAttempt());
      // the checkpoint: a later attempt (this worker lost after the delete) returns these lines
      context.heartbeat(captured);
    }
    delete(name);
    return captured;
  }

  /** The lines a sandbox keeps once its runtime object is gone: the request's, at most {@link #CAPTURE_MAX_CHARS}. */
  private LogChunk tail(String name, LogRequest request) {
    return runtime.logs(name, request).newest(CAPTURE_MAX_CHARS);
  }

  private LogChunk capture(String name, LogRequest request, int attempt) {
    try {
      return tail(name, request);
    } catch (SandboxNotFoundException e) {
      return LogChunk.empty();
    } catch (RuntimeException e) {
      // only a platform that may answer next time is asked again; the delete never waits long
      boolean transient_ = e instanceof PlatformException p ? p.retryable() : !(e instanceof SandboxException);
      if (transient_ && attempt < CAPTURE_ATTEMPTS) {
        return call(() -> {
          throw e;
        });
      }
      log.warn("sandbox {}: giving up its logs after {} attempts, deleting it: {}", name, attempt, e.toString());
      return LogChunk.empty();
    }
  }
}

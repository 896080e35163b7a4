package dev.sandboxes.metrics;

import com.uber.m3.tally.Scope;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The sandbox metrics: their names, tags and where they are reported. Everything goes through
 * the Temporal SDK's metrics scope (the workflow's, which reports nothing while a history
 * replays; an activity's; or the one given to a runtime), so the metrics land wherever the
 * worker sends the SDK's own: the project's worker sends them to Micrometer and serves them at
 * {@code /actuator/prometheus}, where a counter gains {@code _total} and a timer reports in
 * seconds ({@code _seconds_bucket}, {@code _sum}, {@code _count}). The SDK's scope adds the
 * {@code namespace}, {@code task_queue} and workflow or activity type tags.
 *
 * <p>How many sandboxes are in each phase right now is not counted here: the worker asks
 * Temporal's visibility for it ({@value #SANDBOXES}, a gauge), since a sandbox's workflow moves
 * between workers.
 */
public final class SandboxMetrics {
  /** Counter: sandboxes started (a new sandbox's first run; not its continued runs). */
  public static final String STARTED = "sandbox_started";
  /** Counter: sandboxes that ended, tagged {@value #PHASE} (succeeded, failed, terminated) and {@value #REASON}. */
  public static final String ENDED = "sandbox_ended";
  /** Timer: from a sandbox's creation to its first {@code running}, in the workflow's time. */
  public static final String CREATE_TO_RUNNING = "sandbox_create_to_running";
  /** Counter: execs by {@value #OUTCOME} (exit_zero, exit_nonzero, timed_out, or the error type). */
  public static final String EXECS = "sandbox_execs";
  /** Timer: an exec's duration as its activity saw it, tagged {@value #OUTCOME}. */
  public static final String EXEC_LATENCY = "sandbox_exec_latency";
  /** Counter: terminate requests, tagged {@value #OUTCOME} (accepted, or already_ended). */
  public static final String TERMINATES = "sandbox_terminates";
  /** Counter: volume operations by {@value #OPERATION} and {@value #OUTCOME} (ok or the error type). */
  public static final String VOLUME_OPERATIONS = "sandbox_volume_operations";
  /** Counter: batch items started (their first attempt). */
  public static final String BATCH_ITEMS_STARTED = "sandbox_batch_items_started";
  /** Counter: batch items finished, tagged {@value #OUTCOME} (succeeded, failed, terminated, skipped). */
  public static final String BATCH_ITEMS_FINISHED = "sandbox_batch_items_finished";
  /**
   * Counter: requests to the platform's API (Kubernetes), tagged {@value #METHOD},
   * {@value #RESOURCE} and {@value #STATUS} (the HTTP code, or {@code error} without an answer).
   */
  public static final String PLATFORM_REQUESTS = "sandbox_platform_requests";
  /** Timer: the platform API's time to answer (to the response headers; a watch's to its start). */
  public static final String PLATFORM_LATENCY = "sandbox_platform_request_latency";
  /** Gauge (the worker's, from visibility): open sandboxes by {@value #PHASE}. */
  public static final String SANDBOXES = "sandboxes";

  /** Tag: a sandbox phase, lower case. */
  public static final String PHASE = "phase";
  /** Tag: the reason a sandbox ended ({@code none} without one). */
  public static final String REASON = "reason";
  /** Tag: how an operation ended. */
  public static final String OUTCOME = "outcome";
  /** Tag: a volume operation (create, delete, list, read, write, move). */
  public static final String OPERATION = "operation";
  /** Tag: an HTTP method, or {@code WATCH} for a watching GET. */
  public static final String METHOD = "method";
  /** Tag: the API resource (pods, pods/log, persistentvolumeclaims, ...). */
  public static final String RESOURCE = "resource";
  /** Tag: an HTTP status code. */
  public static final String STATUS = "status";

  private SandboxMetrics() {}

  /**
   * Reports a sandbox's move from {@code from} (null for a new sandbox) into {@code to}'s phase
   * at {@code now} on {@code scope} (a workflow's: nothing is reported while it replays).
   */
  public static void phaseEntered(Scope scope, SandboxPhase from, SandboxStatus to, Instant now) {
    SandboxPhase phase = to.phase();
    if (phase == from) {
      return;
    }
    if (from == null) {
      scope.counter(STARTED).inc(1);
    }
    if (phase == SandboxPhase.RUNNING && to.createdAt() != null && from != SandboxPhase.RUNNING) {
      scope.timer(CREATE_TO_RUNNING).record(tally(Duration.between(to.createdAt(), now)));
    }
    if (phase.terminal()) {
      scope.tagged(Map.of(PHASE, phase.wireName(), REASON, to.reason() == null ? "none" : to.reason()))
          .counter(ENDED).inc(1);
    }
  }

  /** {@code d} in tally's type (a negative one, from clocks that disagree, as zero). */
  public static com.uber.m3.util.Duration tally(Duration d) {
    return com.uber.m3.util.Duration.ofNanos(d.isNegative() ? 0 : d.toNanos());
  }

  /** Reports one counter {@code name} tagged {@value #OUTCOME}{@code =outcome} on {@code scope}. */
  public static void outcome(Scope scope, String name, String outcome) {
    scope.tagged(Map.of(OUTCOME, outcome)).counter(name).inc(1);
  }
}

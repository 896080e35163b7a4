package dev.sandboxes.activity;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.sandboxes.metrics.SandboxMetrics;
import dev.sandboxes.model.ExecResult;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** The activities' part of {@link SandboxMetrics}: execs and volume operations, on the activity's scope. */
final class ActivityMetrics {
  private ActivityMetrics() {}

  /** The running activity's metrics scope; a no-op one outside an activity (a direct call in a test). */
  static Scope scope() {
    try {
      return Activity.getExecutionContext().getMetricsScope();
    } catch (IllegalStateException | NullPointerException e) {
      return new NoopScope();
    }
  }

  /** Counts and times an exec that took {@code took}: its result, or the failure it ended with. */
  static void exec(Duration took, ExecResult result, RuntimeException failure) {
    String outcome;
    if (result != null) {
      outcome = result.timedOut() ? "timed_out" : result.exitCode() == 0 ? "exit_zero" : "exit_nonzero";
    } else {
      outcome = failure instanceof ApplicationFailure app && app.getType() != null ? app.getType() : "error";
    }
    Scope tagged = scope().tagged(Map.of(SandboxMetrics.OUTCOME, outcome));
    tagged.counter(SandboxMetrics.EXECS).inc(1);
    tagged.timer(SandboxMetrics.EXEC_LATENCY).record(SandboxMetrics.tally(took));
  }

  /** Runs a volume operation like {@link ActivityCalls#call} and counts it by its outcome. */
  static <T> T volumeOperation(String operation, Callable<T> action) {
    String outcome = "error";
    try {
      T result = ActivityCalls.call(action);
      outcome = "ok";
      return result;
    } catch (ApplicationFailure f) {
      outcome = f.getType() == null ? "error" : f.getType();
      throw f;
    } finally {
      scope().tagged(Map.of(SandboxMetrics.OPERATION, operation, SandboxMetrics.OUTCOME, outcome))
          .counter(SandboxMetrics.VOLUME_OPERATIONS).inc(1);
    }
  }
}

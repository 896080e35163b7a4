package dev.sandboxes.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.ExecResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightExecsTest {
  final AtomicLong now = new AtomicLong();
  final InFlightExecs execs = new InFlightExecs(now::get);
  final ExecResult ok = new ExecResult(0, "ok\n", "", false, false, false, Duration.ofSeconds(30));

  @Test
  void aRunningAttemptIsFoundByItsRetry() {
    CompletableFuture<ExecResult> first = execs.start("wf/run/3");

    assertThat(execs.earlier("wf/run/3")).isSameAs(first).isNotDone();
    assertThat(execs.earlier("wf/run/4")).as("another activity").isNull();
  }

  @Test
  void anAttemptThatMayHaveBeenTimedOutIsKeptForItsRetryThenForgotten() {
    CompletableFuture<ExecResult> first = execs.start("wf/run/3");
    execs.finish("wf/run/3", first, ok, null, true);

    now.addAndGet(InFlightExecs.KEEP_FINISHED.toNanos());
    assertThat(execs.earlier("wf/run/3")).isCompletedWithValue(ok);

    now.addAndGet(1);
    assertThat(execs.earlier("wf/run/3")).isNull();
    assertThat(execs.size()).isZero();
  }

  @Test
  void aShortAttemptIsForgottenAtOnceWhateverItsOutcome() {
    CompletableFuture<ExecResult> first = execs.start("wf/run/3");
    execs.finish("wf/run/3", first, ok, null, false);
    CompletableFuture<ExecResult> second = execs.start("wf/run/5");
    execs.finish("wf/run/5", second, null, new IllegalStateException("boom"), false);

    assertThat(first).isCompletedWithValue(ok);
    assertThat(second).isCompletedExceptionally();
    assertThat(execs.size()).isZero();
  }

  @Test
  void aFailedAttemptAtRiskHandsItsFailureToTheRetry() {
    CompletableFuture<ExecResult> first = execs.start("wf/run/3");
    execs.finish("wf/run/3", first, null, new IllegalStateException("boom"), true);

    assertThat(execs.earlier("wf/run/3")).isCompletedExceptionally();
  }

  @Test
  void aNewerAttemptUnderTheSameKeyIsNotForgottenByAnOlderOnesEnd() {
    CompletableFuture<ExecResult> first = execs.start("wf/run/3");
    CompletableFuture<ExecResult> second = execs.start("wf/run/3");
    execs.finish("wf/run/3", first, ok, null, false);

    assertThat(execs.earlier("wf/run/3")).isSameAs(second);
  }
}

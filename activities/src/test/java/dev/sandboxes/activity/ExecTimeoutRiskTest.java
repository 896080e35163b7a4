package dev.sandboxes.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.ActivityInfo;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a finished exec attempt is kept for a retry: when the server may have given up on it. */
class ExecTimeoutRiskTest {
  static ActivityInfo info(long serverStartedMillis, Duration heartbeatTimeout) {
    return (ActivityInfo) Proxy.newProxyInstance(ActivityInfo.class.getClassLoader(), new Class<?>[] {ActivityInfo.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getStartedTimestamp" -> serverStartedMillis;
          case "getHeartbeatTimeout" -> heartbeatTimeout;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void aShortAttemptThatTheServerStartedJustNowIsNotAtRisk() {
    assertThat(SandboxActivitiesImpl.mayHaveTimedOut(info(System.currentTimeMillis(), Duration.ofSeconds(20)),
        System.nanoTime())).isFalse();
  }

  @Test
  void anAttemptThisWorkerBeganLateIsAtRiskByTheServersClock() {
    // the server started it 18 s ago; this worker (starved) began it only now
    assertThat(SandboxActivitiesImpl.mayHaveTimedOut(info(System.currentTimeMillis() - 18_000, Duration.ofSeconds(20)),
        System.nanoTime())).isTrue();
  }

  @Test
  void aLongAttemptIsAtRiskByThisWorkersClock() {
    assertThat(SandboxActivitiesImpl.mayHaveTimedOut(info(0, Duration.ofSeconds(20)),
        System.nanoTime() - Duration.ofSeconds(16).toNanos())).isTrue();
  }

  @Test
  void withoutAHeartbeatTimeoutNothingIsKept() {
    assertThat(SandboxActivitiesImpl.mayHaveTimedOut(info(System.currentTimeMillis() - 60_000, Duration.ZERO),
        System.nanoTime())).isFalse();
  }
}

package dev.sandboxes.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one cleanup activity: logs read, checkpointed, then the sandbox deleted; nothing lost on retry. */
class CaptureAndDeleteTest {
  ScriptedRuntime runtime;
  TestActivityEnvironment env;
  SandboxActivities activities;
  final List<LogChunk> checkpoints = new ArrayList<>();

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new SandboxActivitiesImpl(runtime));
    env.setActivityHeartbeatListener(LogChunk.class, checkpoints::add);
    activities = env.newActivityStub(SandboxActivities.class);
    runtime.create(SandboxSpec.builder("busybox:1.36").name("box").build(),
        new SandboxOwner("sandbox/box", "run-1"));
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void readsTheLogsCheckpointsThemThenDeletes() {
    runtime.print("box", "one");
    runtime.print("box", "two");
    LogChunk captured = activities.captureAndDelete("box", LogRequest.lastLines(1));
    assertThat(captured.lines()).extracting(LogLine::text).containsExactly("two");
    assertThat(captured.truncated()).isTrue();
    assertThat(checkpoints).containsExactly(captured);
    assertThat(runtime.exists("box")).isFalse();
    assertThat(runtime.calls()).endsWith("delete box");
  }

  @Test
  void anAttemptAfterAWorkerLostPastTheDeleteReturnsTheCheckpointNotAnEmptyRead() {
    LogChunk checkpoint = new LogChunk(List.of(new LogLine(Instant.EPOCH, "kept")), false);
    runtime.delete("box"); // the lost attempt deleted it
    env.setHeartbeatDetails(checkpoint);
    assertThat(activities.captureAndDelete("box", LogRequest.lastLines(10))).isEqualTo(checkpoint);
    assertThat(checkpoints).as("nothing read, so nothing checkpointed again").isEmpty();
  }

  @Test
  void aSandboxAlreadyGoneHasNoLogsAndIsStillDeleted() {
    runtime.delete("box");
    assertThat(activities.captureAndDelete("box", LogRequest.lastLines(10))).isEqualTo(LogChunk.empty());
    assertThat(runtime.deletes()).isEqualTo(2);
  }

  @Test
  void keepsOnlyTheNewestLinesThatFitTheCaptureBound() {
    String big = "x".repeat(SandboxActivities.CAPTURE_MAX_CHARS / 4 + 1);
    IntStream.range(0, 5).forEach(i -> runtime.print("box", i + big));
    LogChunk captured = activities.captureAndDelete("box", LogRequest.lastLines(1000));
    assertThat(captured.lines()).hasSize(3);
    assertThat(captured.lines().get(0).text()).startsWith("2");
    assertThat(captured.truncated()).isTrue();
  }
}

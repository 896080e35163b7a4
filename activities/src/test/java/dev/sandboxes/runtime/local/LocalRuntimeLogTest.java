package dev.sandboxes.runtime.local;

import static dev.sandboxes.runtime.local.LocalRuntimeIsolationTest.ownerOf;
import static dev.sandboxes.runtime.local.LocalRuntimeIsolationTest.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The main process's log: interleaved, timestamped and bounded. Independent of isolation. */
class LocalRuntimeLogTest {
  private static final long CAP = 64 * 1024;

  @RegisterExtension final LocalRuntimeFixture local =
      LocalRuntimeFixture.with(b -> b.isolation(IsolationMode.NONE).logCapBytes(CAP));

  @Test
  void aChattyProcessKeepsItsNewestLinesWithinTheCap() throws Exception {
    String name = run("i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done; echo last");
    LogChunk logs = local.runtime().logs(name, LogRequest.lastLines(LogRequest.MAX_TAIL));
    assertThat(logs.truncated()).isTrue();
    assertThat(logs.lines()).last().extracting(LogLine::text).isEqualTo("last");
    try (Stream<Path> files = Files.list(local.root().resolve("sandboxes").resolve(name))) {
      long logBytes = files.filter(f -> f.getFileName().toString().startsWith("output.log"))
          .mapToLong(LocalRuntimeLogTest::size).sum();
      assertThat(logBytes).isLessThanOrEqualTo(CAP + 100);
    }
  }

  @Test
  void stdoutAndStderrAreInterleavedWithNonDecreasingTimestamps() throws Exception {
    String name = run("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three");
    LogChunk logs = local.runtime().logs(name, LogRequest.defaults());
    assertThat(logs.lines()).extracting(LogLine::text).containsExactly("one", "two", "three");
    assertThat(logs.lines()).extracting(LogLine::timestamp).isSorted();
    assertThat(logs.truncated()).isFalse();
  }

  private String run(String script) throws Exception {
    String name = uniqueName("log");
    local.runtime().create(SandboxSpec.builder("busybox:1.36").name(name).command("sh", "-c", script).build(), ownerOf(name));
    RuntimeState state = local.runtime().awaitChange(name, SandboxPhase.RUNNING, Duration.ofSeconds(60));
    assertThat(state.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    return name;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}

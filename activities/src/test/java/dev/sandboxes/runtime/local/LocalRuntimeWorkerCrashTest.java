package dev.sandboxes.runtime.local;

import static dev.sandboxes.runtime.local.LocalRuntimeIsolationTest.ownerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker killed with {@code kill -9} leaves no sandbox process behind, and the next runtime on
 * its root reports its sandboxes lost. The worker is a separate JVM ({@link Worker}) holding a
 * {@link LocalRuntime}; its sandboxes are found on the host by a marker in their environment.
 */
class LocalRuntimeWorkerCrashTest {
  private static final int SANDBOXES = 3;
  /** The main process and its two background sleeps; the exec's sleep comes on top. */
  private static final int PROCESSES_PER_SANDBOX = 4;
  private static final String MARKER = "CRASH_TEST_MARKER";

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(value = IsolationMode.class, names = {"NONE", "BUBBLEWRAP"})
  void noSandboxProcessOutlivesAKilledWorkerAndTheNextRuntimeReportsThemLost(IsolationMode isolation)
      throws Exception {
    String marker = UUID.randomUUID().toString();
    Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Worker.class.getName(),
            root.toString(), isolation.name(), marker)
        .redirectErrorStream(true)
        .start();
    List<String> names;
    try {
      names = awaitReady(worker);
      awaitMarked(Duration.ofSeconds(20), () -> assertThat(countMarked(marker))
          .as("processes of the worker's sandboxes before the kill").isGreaterThanOrEqualTo(
              (long) SANDBOXES * PROCESSES_PER_SANDBOX));
    } finally {
      worker.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
    }
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();

    try {
      awaitMarked(Duration.ofSeconds(10), () -> assertThat(countMarked(marker))
          .as("processes of the killed worker's sandboxes still running").isZero());
    } finally {
      marked(marker).forEach(ProcessHandle::destroyForcibly); // a failure must not leak them
    }

    try (LocalRuntime restarted = new LocalRuntime(
        LocalRuntimeOptions.newBuilder().root(root).isolation(isolation).build())) {
      for (String name : names) {
        RuntimeState state = restarted.inspect(name);
        assertThat(state.phase()).as(name).isEqualTo(SandboxPhase.FAILED);
        assertThat(state.reason()).as(name).isEqualTo("WorkerRestarted");
        assertThat(state.finishedAt()).as("the loss is recorded, not only inferred").isNotNull();
        assertThat(restarted.logs(name, dev.sandboxes.model.LogRequest.lastLines(10)).lines())
            .as("output written before the crash survives").isNotEmpty();
        restarted.delete(name);
        assertThatThrownBy(() -> restarted.inspect(name)).isInstanceOf(SandboxNotFoundException.class);
      }
    }
    try (Stream<Path> left = Files.list(root.resolve("sandboxes"))) {
      assertThat(left).as("sandbox directories left").isEmpty();
    }
  }

  private static List<String> awaitReady(Process worker) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("ready ")) {
        return List.of(line.substring("ready ".length()).split(","));
      }
      seen.add(line);
    }
    throw new AssertionError("the worker ended before it was ready:\n" + String.join("\n", seen));
  }

  /**
   * Polls /proc until {@code assertion} on the marked processes holds, failing with its last
   * error when time is up: there is nothing to watch for processes that are not our children.
   */
  private static void awaitMarked(Duration limit, ThrowingRunnable assertion) {
    Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion);
  }

  private static long countMarked(String marker) {
    return marked(marker).count();
  }

  /** Live (not zombie) processes whose environment carries the marker. */
  private static Stream<ProcessHandle> marked(String marker) {
    byte[] needle = (MARKER + "=" + marker).getBytes(StandardCharsets.UTF_8);
    return ProcessHandle.allProcesses()
        .filter(ProcessTree::running)
        .filter(p -> {
          try {
            byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
            return indexOf(env, needle) >= 0;
          } catch (IOException | SecurityException e) {
            return false; // gone, or not ours to read
          }
        });
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The worker: starts sandboxes with background children and a long exec each, then waits to be killed. */
  public static final class Worker {
    public static void main(String[] args) throws Exception {
      LocalRuntime runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder()
          .root(Path.of(args[0])).isolation(IsolationMode.valueOf(args[1])).build());
      List<String> names = new ArrayList<>();
      for (int i = 0; i < SANDBOXES; i++) {
        String name = LocalRuntimeIsolationTest.uniqueName("crash");
        runtime.create(SandboxSpec.builder("busybox:1.36").name(name).env(MARKER, args[2])
            .command("sh", "-c", "echo started; sleep 600 & sleep 600 & wait").build(), ownerOf(name));
        Thread exec = new Thread(() -> {
          try {
            runtime.exec(name, ExecRequest.of("sleep", "600").withTimeout(Duration.ofMinutes(10)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        exec.setDaemon(true);
        exec.start();
        names.add(name);
      }
      System.out.println("ready " + String.join(",", names));
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}

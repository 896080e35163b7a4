package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness of the e2e worker tests: what a worker prints while it shuts down after SIGTERM
 * ends up in its log. A shell script stands in for the worker: it prints the polling line, and
 * its "stopping" line only once SIGTERM arrived, as {@code WorkerLifecycle} does.
 */
class WorkerProcessTest {

  @Test
  void stopKeepsWhatTheWorkerPrintsWhileItShutsDown(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("worker.log");
    List<String> command = List.of("sh", "-c",
        "trap 'sleep 0.3; echo \"" + WorkerProcess.STOPPING + "; waiting\"; exit 143' TERM; "
            + "echo \"" + WorkerProcess.POLLING + ": fake\"; while :; do sleep 0.1; done");
    try (WorkerProcess worker = WorkerProcess.launch(command, dir.resolve("kubeconfig"), log)) {
      worker.awaitPolling(Duration.ofSeconds(30));

      worker.stop();

      assertThat(worker.printed(WorkerProcess.STOPPING)).as("the stopping line, seen by the test").isTrue();
      assertThat(Files.readString(log)).contains(WorkerProcess.STOPPING);
      // a shell that writes to a pipe nobody reads any more dies of SIGPIPE (141) instead
      assertThat(worker.exitValue()).isEqualTo(143);
    }
  }
}

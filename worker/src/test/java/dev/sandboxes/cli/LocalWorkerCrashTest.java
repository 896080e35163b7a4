package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime's worker is killed ({@code kill -9}) three times at random moments during a
 * batch and restarted each time on the same root: every item still ends with its own output,
 * none twice, and nothing of any sandbox is left on the host. Items whose process died with a
 * worker are reported {@code WorkerRestarted} by the next worker and retried by the batch.
 *
 * <p>The worker is the production worker ({@code sandbox worker}) in its own JVM, started
 * directly (no wrapper between this test and the JVM it kills), on a task queue of its own,
 * against the development stack's Temporal server (the {@code temporal} CLI's when it is on the
 * PATH) on a free port. Seed: {@code -Dsandboxes.crash.seed=N};
 * isolation: {@code -Dsandboxes.crash.isolation=none|bubblewrap|auto} (default auto).
 */
class LocalWorkerCrashTest {
  private static final int ITEMS = 60;
  private static final int PARALLELISM = 10;
  private static final int KILLS = 3;
  private static final String MARKER = "CRASH_TEST_MARKER";

  @TempDir Path root;
  /** The worker JVMs' output, kept for a look after a failure. */
  private final Path logs = Path.of("target", "local-worker-crash");

  @Test
  void aBatchSurvivesItsLocalWorkerBeingKilledThreeTimes() throws Exception {
    long seed = Long.getLong("sandboxes.crash.seed", System.nanoTime());
    String isolation = System.getProperty("sandboxes.crash.isolation", "auto");
    Random random = new Random(seed);
    System.out.printf("worker-kill test: seed %d (-Dsandboxes.crash.seed=%d), isolation %s%n", seed, seed, isolation);
    int port = freePort();
    String queue = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    String marker = UUID.randomUUID().toString();
    Path sandboxes = root.resolve("sandboxes");
    Files.createDirectories(logs);

    try (EmbeddedStack stack = EmbeddedStack.start(port, "local")) {
      System.out.printf("Temporal: %s%n", stack.uiUrl() != null ? "temporal CLI dev server" : "Java test server");
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
      Worker worker = Worker.start(port, queue, root, isolation, logs.resolve("worker-0.log"));
      try {
        BatchClient batches = new BatchClient(WorkflowClient.newInstance(stubs), queue);
        SandboxSpec item = SandboxSpec.builder("busybox:1.36").env(MARKER, marker)
            .command("sh", "-c", "echo item $SANDBOX_INDEX; sleep 2; echo done $SANDBOX_INDEX").build();
        // Only a sandbox lost with its worker retries: any other failure fails the test.
        RetryPolicy retry = new RetryPolicy(KILLS + 1, Duration.ofSeconds(1), Duration.ofSeconds(2),
            List.of("WorkerRestarted"));
        long t0 = System.nanoTime();
        String batch = batches.start(BatchSpec.ofCount("crash-" + queue.substring(6), item, ITEMS, PARALLELISM)
            .withRetry(retry));

        for (int kill = 1; kill <= KILLS; kill++) {
          Thread.sleep(2_000 + random.nextInt(6_000));
          // Not a query: the Java test server sends queries to the sticky queue of a dead worker.
          assertThat(status(stubs, batch)).as("the batch at kill %d", kill)
              .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
          worker.kill();
          System.out.printf("kill %d at %.1f s (%d sandbox directories on disk)%n", kill, seconds(t0),
              listNames(sandboxes).size());
          worker = Worker.start(port, queue, root, isolation, logs.resolve("worker-" + kill + ".log"));
          System.out.printf("worker %d polling at %.1f s%n", kill, seconds(t0));
        }

        BatchProgress done = batches.awaitDone(batch, Duration.ofMinutes(5)).orElseThrow(
            () -> new AssertionError("the batch did not finish in 5 minutes: " + batches.progress(batch)));
        List<ItemResult> results = batches.results(batch);
        long retried = results.stream().filter(r -> r.attempts() > 1).count();
        long markedLeft = markedProcesses(marker).count();
        List<String> dirsLeft = listNames(sandboxes);
        System.out.printf("%d items, %d kills: %s in %.1f s; %d items retried (%d retries); "
                + "%d sandbox processes and %d sandbox directories left%n",
            ITEMS, KILLS, done.state(), seconds(t0), retried, done.retries(), markedLeft, dirsLeft.size());

        assertThat(done.state()).as(done.toString()).isEqualTo(BatchProgress.SUCCEEDED);
        assertThat(done.succeeded()).isEqualTo(ITEMS);
        assertThat(results).extracting(ItemResult::index).as("each item reported exactly once")
            .containsExactlyInAnyOrderElementsOf(IntStream.range(0, ITEMS).boxed().toList());
        for (ItemResult r : results) {
          assertThat(r.tail()).as("output of item %d (%s)", r.index(), r.sandbox())
              .containsExactly("item " + r.index(), "done " + r.index());
        }
        assertThat(done.retries()).as("retries are the items lost with a worker")
            .isEqualTo(results.stream().mapToInt(r -> r.attempts() - 1).sum());
        assertThat(markedLeft).as("sandbox processes left on the host").isZero();
        assertThat(dirsLeft).as("sandbox directories left").isEmpty();
      } finally {
        worker.kill();
        markedProcesses(marker).forEach(ProcessHandle::destroyForcibly);
        stubs.shutdownNow();
      }
    }
  }

  /**
   * A client waiting on a sandbox whose only worker was killed is told so, naming the task
   * queue, within the documented bound (the latest poll unchanged for 70 s on the client's clock,
   * checked every 10 s: at most about 90 s after the call began), instead of waiting out its call's
   * deadline: an exec, a
   * terminate and a wait through the client, an exec through the CLI.
   */
  @Test
  void aClientWaitingOnAKilledWorkerIsToldNoWorkerServesTheTaskQueue() throws Exception {
    int port = freePort();
    String queue = "dead-" + UUID.randomUUID().toString().substring(0, 8);
    String marker = UUID.randomUUID().toString();
    Files.createDirectories(logs);
    try (EmbeddedStack stack = EmbeddedStack.start(port, "local")) {
      assertThat(stack.uiUrl()).as("the temporal CLI's server (DescribeTaskQueue)").isNotNull();
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
      Worker worker = Worker.start(port, queue, root, "auto", logs.resolve("dead-worker.log"));
      try {
        SandboxClient sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs), queue);
        String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name(queue).env(MARKER, marker)
            .command("sh", "-c", "sleep 3600").build());
        assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(1)).phase()).isEqualTo(SandboxPhase.RUNNING);
        // an idle live worker is never taken for dead: a wait longer than its long polls ends as asked
        assertThat(sandboxes.awaitDone(name, Duration.ofSeconds(80))).as("still running after 80 s").isEmpty();
        worker.kill();
        long t0 = System.nanoTime();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
          List<Future<Throwable>> calls = List.of(
              callers.submit(() -> catchThrowable(() -> sandboxes.exec(name, ExecRequest.of("echo", "hi")))),
              callers.submit(() -> catchThrowable(() -> sandboxes.terminate(name, null))),
              callers.submit(() -> catchThrowable(() -> sandboxes.awaitDone(name, Duration.ofMinutes(10)))));
          Future<DevStackTest.Run> cli = callers.submit(() -> DevStackTest.sandbox(stack.address(), "exec", name,
              "--", "echo", "hi"));
          for (Future<Throwable> call : calls) {
            assertThat(call.get(4, TimeUnit.MINUTES)).isInstanceOfSatisfying(SandboxException.class, e -> {
              assertThat(e.type()).isEqualTo(SandboxErrors.NO_WORKER);
              assertThat(e.getMessage()).contains("no worker is serving task queue \"" + queue + "\"");
            });
          }
          DevStackTest.Run exec = cli.get(4, TimeUnit.MINUTES);
          double took = seconds(t0);
          System.out.printf("no worker noticed %.1f s after the kill%n", took);
          assertThat(exec.code()).as(exec.err()).isEqualTo(ExitCodes.OPERATIONAL);
          assertThat(exec.err().lines().count()).as(exec.err()).isEqualTo(1);
          assertThat(exec.err()).contains("no worker is serving task queue \"" + queue + "\"");
          assertThat(took).as("seconds from the kill to the last answer").isBetween(60.0, 100.0);
        } finally {
          callers.shutdownNow();
        }
      } finally {
        worker.kill();
        markedProcesses(marker).forEach(ProcessHandle::destroyForcibly);
        stubs.shutdownNow();
      }
    }
  }

  private static WorkflowExecutionStatus status(WorkflowServiceStubs stubs, String batch) {
    return stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace("default")
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.batchWorkflowId(batch)))
            .build())
        .getWorkflowExecutionInfo().getStatus();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static List<String> listNames(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** Running processes whose environment carries this test's marker: the sandboxes' own. */
  private static Stream<ProcessHandle> markedProcesses(String marker) {
    String entry = MARKER + "=" + marker;
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        String env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")),
            StandardCharsets.ISO_8859_1);
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
        boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        return !zombie && List.of(env.split("\0")).contains(entry);
      } catch (IOException | RuntimeException e) {
        return false; // gone, or not ours to read
      }
    });
  }

  /** The worker JVM, its output copied to a file, ready once it polls its task queue. */
  private static final class Worker {
    private final Process process;

    private Worker(Process process) {
      this.process = process;
    }

    static Worker start(int port, String queue, Path root, String isolation, Path log) throws Exception {
      Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"), SandboxCommand.class.getName(), "worker",
              "--sandboxes.runtime=local", "--sandboxes.temporal.target=127.0.0.1:" + port,
              "--sandboxes.task-queue=" + queue, "--sandboxes.local.root=" + root,
              "--sandboxes.local.isolation=" + isolation, "--sandboxes.reaper.enabled=false",
              "--server.port=0")
          .redirectErrorStream(true)
          .start();
      CountDownLatch polling = new CountDownLatch(1);
      Thread copy = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.println(line);
            if (line.contains("Sandbox worker polling")) {
              polling.countDown();
            }
          }
        } catch (IOException e) {
          // The worker was killed: its output ends here.
        }
      }, "worker-output");
      copy.setDaemon(true);
      copy.start();
      if (!polling.await(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the worker did not poll within 60 s; its output:\n" + Files.readString(log));
      }
      return new Worker(process);
    }

    /** SIGKILL to the JVM itself: no shutdown hook runs, the runtime is never closed. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the killed worker JVM " + process.pid() + " did not end");
      }
    }
  }
}

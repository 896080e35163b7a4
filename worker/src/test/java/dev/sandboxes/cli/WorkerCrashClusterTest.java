package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production worker killed with SIGKILL on the rig, and started again each time: at random
 * moments during a batch (nothing is lost, nothing is done twice, nothing is left behind), and
 * while an exec runs: through the in-sandbox agent the retried exec re-attaches and the caller
 * gets the command's real output and exit code, the command having run once; without the agent
 * the caller hears that the command's outcome is unknown, at once and typed. The sandbox stays
 * usable either way. The test runs its own worker processes on a task queue of its
 * own (the e2e stack's worker polls another), and watches the cluster through the admin
 * kubeconfig, independently of the workers.
 * e2e profile only; fails, never skips, without the rig.
 *
 * <p>The kill moments are drawn from a seed that is printed; {@code -Dsandboxes.e2e.seed=N}
 * replays them.
 */
class WorkerCrashClusterTest {
  static final int ITEMS = Integer.getInteger("sandboxes.e2e.crashItems", 300);
  static final int KILLS = 3;
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "crash-tests");
  /** How soon a caller must hear that an exec's outcome is unknown once its worker died. */
  static final Duration UNKNOWN_WITHIN = Duration.ofSeconds(90);
  /** The activity type of {@code SandboxActivities.exec}: the interface's name prefix and the method. */
  static final String EXEC_ACTIVITY = "SandboxExec";

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aBatchWhoseWorkerIsKilledThreeTimesReportsEveryItemOnceAndLeavesNothing() throws Exception {
    long seed = Long.getLong("sandboxes.e2e.seed", System.nanoTime());
    Random random = new Random(seed);
    String id = UUID.randomUUID().toString().substring(0, 6);
    String queue = "crash-" + id;
    String batch = "crash-" + id;
    // one kill in each third of the batch, once that many item pods have been deleted (the
    // last step of an item, so a kill lands among creates, watches, log captures and deletes)
    int[] killAfterDeleted = new int[KILLS];
    int span = ITEMS * 9 / 10 / KILLS;
    for (int k = 0; k < KILLS; k++) {
      killAfterDeleted[k] = ITEMS / 20 + k * span + random.nextInt(span);
    }
    System.out.printf("worker crash: seed %d, %d items, parallelism %d, kills after %s item pods deleted, queue %s%n",
        seed, ITEMS, SquareBatch.PARALLELISM, java.util.Arrays.toString(killAfterDeleted), queue);

    String address = Rig.temporalAddress();
    Path kubeconfig = Path.of(Rig.kubeconfig());
    Path log = LOGS.resolve(queue + "-workers.log");
    WorkflowServiceStubs stubs = Rig.temporal();
    BatchClient batches = new BatchClient(WorkflowClient.newInstance(stubs), queue);
    List<String> kills = new ArrayList<>();
    List<Long> restartMillis = new ArrayList<>();
    WorkerProcess worker = WorkerProcess.start(address, queue, kubeconfig, log);
    boolean done = false;
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, batch + "-")) {
      worker.awaitPolling(Duration.ofMinutes(2));
      long t0 = System.nanoTime();
      batches.start(SquareBatch.of(batch, ITEMS));
      for (int k = 0; k < KILLS; k++) {
        int threshold = killAfterDeleted[k];
        pods.await(threshold + " item pods deleted", Duration.ofMinutes(6), p -> p.deleted() >= threshold);
        Thread.sleep(random.nextInt(2000)); // anywhere in the next two seconds
        int live = pods.live().size();
        int deleted = pods.deleted();
        long killed = System.nanoTime();
        kills.add(String.format("%.1f s (pid %d; %d pods deleted, %d live)",
            (killed - t0) / 1e9, worker.pid(), deleted, live));
        worker = worker.killAndRestart();
        restartMillis.add((System.nanoTime() - killed) / 1_000_000);
      }
      BatchProgress progress = batches.awaitDone(batch, Duration.ofMinutes(10)).orElseThrow(
          () -> new AssertionError("the batch did not finish in 10 minutes: " + batches.progress(batch)));
      done = true;
      double batchSeconds = (System.nanoTime() - t0) / 1e9;
      List<ItemResult> results = batches.results(batch);

      long cleanup = System.nanoTime();
      pods.await("every pod of the batch deleted", Duration.ofMinutes(2), p -> p.live().isEmpty());
      double cleanupSeconds = (System.nanoTime() - cleanup) / 1e9;
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, batch + "-");
      System.out.printf("worker crash: %d kills at %s; restart to polling %s ms; batch %.0f s, %s; "
              + "pods created %d, names created twice %s; results %d; leftovers after %.1f s: %s; worker log %s%n",
          kills.size(), kills, restartMillis, batchSeconds, progress, pods.created(), pods.createdTwice(),
          results.size(), cleanupSeconds, leftovers, log);

      SquareBatch.assertEveryItemOnce(progress, results, ITEMS);
      SquareBatch.assertOnePodPerAttempt(results, pods);
      assertThat(leftovers.total()).as("objects left of batch %s: %s", batch, leftovers).isZero();
    } finally {
      if (!done) {
        SquareBatch.cancelAfterFailure(batches, batch, worker);
      }
      worker.close();
      SquareBatch.closeForGood(WorkflowClient.newInstance(stubs), WorkflowIds.batchWorkflowId(batch));
      stubs.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void anExecThroughTheAgentWhoseWorkerIsKilledGetsItsRealResultAndRunsOnce() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    String queue = "crash-agent-" + id;
    String address = Rig.temporalAddress();
    Path kubeconfig = Path.of(Rig.kubeconfig());
    Path log = LOGS.resolve(queue + "-workers.log");
    WorkflowServiceStubs stubs = Rig.temporal();
    SandboxClient sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs), queue);
    // a worker beside the cluster reaches the agents on their pod IPs (the rig's node routes them)
    WorkerProcess worker = WorkerProcess.start(Rig.workerJar(), address, queue, kubeconfig, log,
        List.of("--sandboxes.kubernetes.agent-image=" + Rig.agentImage()));
    String name = "crash-agent-" + id;
    try {
      worker.awaitPolling(Duration.ofMinutes(2));
      sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).cpu("10m").memory("16Mi").build());
      assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);

      // a 20 s command with a side effect that must happen once
      CompletableFuture<ExecResult> exec = CompletableFuture.supplyAsync(() -> sandboxes.exec(name,
          ExecRequest.of("sh", "-c", "echo started; echo line >> /tmp/once; sleep 20; echo finished >&2; exit 3")
              .withTimeout(Duration.ofMinutes(2))));
      awaitExecRunning(stubs, name);
      long killed = System.nanoTime();
      worker = worker.killAndRestart();
      ExecResult result = exec.get(UNKNOWN_WITHIN.toSeconds() + 30, TimeUnit.SECONDS);
      System.out.printf("worker killed during an exec through the agent: result after %.1f s: %s%n",
          (System.nanoTime() - killed) / 1e9, result);
      assertThat(result.stdout()).isEqualTo("started\n");
      assertThat(result.stderr()).isEqualTo("finished\n");
      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(sandboxes.exec(name, ExecRequest.of("cat", "/tmp/once")).stdout())
          .as("the command's side effect, once").isEqualTo("line\n");
      sandboxes.terminate(name, "test over");
    } finally {
      endExecTest(sandboxes, name, worker, stubs);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void anExecWhoseWorkerIsKilledFailsAsOutcomeUnknownAndTheSandboxStaysUsable() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 6);
    String queue = "crash-exec-" + id;
    String address = Rig.temporalAddress();
    Path kubeconfig = Path.of(Rig.kubeconfig());
    Path log = LOGS.resolve(queue + "-workers.log");
    WorkflowServiceStubs stubs = Rig.temporal();
    SandboxClient sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs), queue);
    WorkerProcess worker = WorkerProcess.start(address, queue, kubeconfig, log);
    String name = "crash-exec-" + id;
    try (KubernetesClient admin = Rig.admin(); PodHistory pods = PodHistory.record(admin, name)) {
      worker.awaitPolling(Duration.ofMinutes(2));
      sandboxes.start(SandboxSpec.builder("busybox:1.36").name(name).cpu("10m").memory("16Mi").build());
      assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);

      // through the client API
      CompletableFuture<ExecResult> exec = CompletableFuture.supplyAsync(
          () -> sandboxes.exec(name, ExecRequest.of("sleep", "300").withTimeout(Duration.ofMinutes(4))));
      awaitExecRunning(stubs, name);
      long killed = System.nanoTime();
      worker = worker.killAndRestart();
      Throwable failure = failureWithin(exec, killed, UNKNOWN_WITHIN);
      double apiSeconds = (System.nanoTime() - killed) / 1e9;
      assertThat(failure).as("what exec threw").isInstanceOf(SandboxException.class);
      assertThat(((SandboxException) failure).type()).as("error type of %s", failure).isEqualTo(SandboxErrors.EXEC_OUTCOME_UNKNOWN);
      assertThat(failure.getMessage()).contains("outcome is unknown");
      assertUsable(sandboxes, name, "after the API's exec lost its worker");

      // through the CLI, in a process of its own like a user's
      Path out = LOGS.resolve(queue + "-cli.out");
      Path err = LOGS.resolve(queue + "-cli.err");
      Process cli = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
          Rig.workerJar().toString(), "exec", "--address", address, "--task-queue", queue, "--timeout", "4m",
          name, "--", "sleep", "300")
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      awaitExecRunning(stubs, name);
      killed = System.nanoTime();
      worker = worker.killAndRestart();
      long left = UNKNOWN_WITHIN.toNanos() - (System.nanoTime() - killed);
      if (!cli.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        cli.destroyForcibly();
        throw new AssertionError("sandbox exec still running " + UNKNOWN_WITHIN.toSeconds()
            + " s after its worker was killed; stderr so far: " + Files.readString(err));
      }
      double cliSeconds = (System.nanoTime() - killed) / 1e9;
      String stderr = Files.readString(err);
      System.out.printf("worker killed during exec: API threw %s after %.1f s; CLI exited %d after %.1f s, stderr %s%n",
          failure, apiSeconds, cli.exitValue(), cliSeconds, stderr.strip());
      assertThat(cli.exitValue()).as("exit code of sandbox exec; stderr %s", stderr).isEqualTo(ExitCodes.OPERATIONAL);
      assertThat(stderr.strip().lines().toList()).as("stderr of sandbox exec").singleElement().asString()
          .startsWith("sandbox: ").contains("outcome is unknown").doesNotContain("Exception");
      assertThat(Files.readString(out)).as("stdout of sandbox exec").isEmpty();
      assertUsable(sandboxes, name, "after the CLI's exec lost its worker");

      sandboxes.terminate(name, "test over");
      pods.await("the sandbox's pod deleted", Duration.ofMinutes(1), p -> p.live().isEmpty());
      PodHistory.Leftovers leftovers = PodHistory.Leftovers.of(admin, name);
      assertThat(leftovers.total()).as("objects left of %s: %s", name, leftovers).isZero();
      assertThat(pods.created()).as("pods created for the sandbox").isEqualTo(1);
    } finally {
      endExecTest(sandboxes, name, worker, stubs);
    }
  }

  /** Whatever an exec test left: its sandbox terminated and closed for good, its worker stopped. */
  static void endExecTest(SandboxClient sandboxes, String name, WorkerProcess worker, WorkflowServiceStubs stubs) {
    try {
      sandboxes.terminate(name, "test over");
    } catch (RuntimeException e) {
      System.out.println("could not terminate " + name + ": " + e);
    }
    worker.close();
    SquareBatch.closeForGood(sandboxes.workflowClient(), WorkflowIds.sandboxWorkflowId(name));
    stubs.shutdownNow();
  }

  static void assertUsable(SandboxClient sandboxes, String name, String when) {
    ExecResult again = sandboxes.exec(name, ExecRequest.of("echo", "still here"));
    assertThat(again.exitCode()).as("exit code of an exec %s", when).isZero();
    assertThat(again.stdout()).as("stdout of an exec %s", when).isEqualTo("still here\n");
    assertThat(sandboxes.describe(name).phase()).isEqualTo(SandboxPhase.RUNNING);
  }

  /** What {@code call} failed with, waiting at most {@code limit} from {@code since} (a nanoTime). */
  static Throwable failureWithin(CompletableFuture<?> call, long since, Duration limit) throws InterruptedException {
    try {
      Object result = call.get(Math.max(0, limit.toNanos() - (System.nanoTime() - since)), TimeUnit.NANOSECONDS);
      throw new AssertionError("exec returned " + result + " although its worker was killed while it ran");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("exec still waiting " + limit.toSeconds() + " s after its worker was killed");
    }
  }

  /** Waits until the sandbox's exec activity has been picked up by a worker (nothing to watch: asks). */
  static void awaitExecRunning(WorkflowServiceStubs stubs, String name) {
    DescribeWorkflowExecutionRequest request = DescribeWorkflowExecutionRequest.newBuilder().setNamespace("default")
        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.sandboxWorkflowId(name))).build();
    Awaitility.await("exec activity of " + name + " started").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> stubs.blockingStub().describeWorkflowExecution(request).getPendingActivitiesList().stream()
            .anyMatch(a -> a.getActivityType().getName().equals(EXEC_ACTIVITY)
                && a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED));
  }

}
